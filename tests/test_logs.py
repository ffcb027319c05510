"""Log lines never carry a bot token or a configured secret, tracebacks included."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from bot.logs import QUIET, JsonFormatter, RedactingFormatter, scrub, setup_logging

TOKEN = "123456789:AAH-abcdefghijklmnopqrstuvwxyz012345"
SHORT_TOKEN = "123456:abcdefghij12"  # a valid setting, too short for the pattern
SECRET = "s3cret-webhook_value"


@pytest.fixture
def capture() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter([SECRET, SHORT_TOKEN, ""]))
    logger = logging.getLogger(f"{__name__}.capture")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield logger, stream
    finally:
        logger.handlers.clear()
        logger.propagate = True


def test_token_in_the_message_is_removed(capture: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = capture
    logger.info("POST https://api.telegram.org/bot%s/getUpdates 200", TOKEN)
    line = stream.getvalue()
    assert TOKEN not in line
    assert "AAH-abcdefghijklmnopqrstuvwxyz012345" not in line
    assert "https://api.telegram.org/bot<token>/getUpdates 200" in line
    assert " INFO tests.test_logs.capture: " in line


def test_configured_secrets_are_removed(capture: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = capture
    logger.warning("bad header %s for %s", SECRET, SHORT_TOKEN)
    line = stream.getvalue()
    assert SECRET not in line
    assert SHORT_TOKEN not in line
    assert line.rstrip().endswith("bad header <secret> for <secret>")


def test_token_in_a_traceback_is_removed(capture: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = capture

    def call_telegram(url: str) -> None:
        raise ConnectionError(f"cannot reach {url}")

    try:
        call_telegram(f"https://api.telegram.org/bot{TOKEN}/sendMessage?secret={SECRET}")
    except ConnectionError:
        logger.exception("send failed")
    text = stream.getvalue()
    assert "Traceback (most recent call last)" in text
    assert "ConnectionError: cannot reach https://api.telegram.org/bot<token>/sendMessage" in text
    assert TOKEN not in text
    assert TOKEN.split(":")[1] not in text
    assert SECRET not in text


def test_token_in_stack_info_is_removed(capture: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = capture
    logger.error("token=%s", TOKEN, stack_info=True)
    text = stream.getvalue()
    assert "Stack (most recent call last)" in text
    assert TOKEN not in text


def test_scrub() -> None:
    assert scrub(f"a {TOKEN} b", []) == "a <token> b"
    assert scrub(f"x{SECRET}y{SECRET}", [SECRET, ""]) == "x<secret>y<secret>"
    assert scrub("nothing to hide 12:30", [""]) == "nothing to hide 12:30"
    assert scrub("", [SECRET]) == ""


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in QUIET}
    try:
        yield
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        for name, value in levels.items():
            logging.getLogger(name).setLevel(value)


@pytest.mark.usefixtures("restore_logging")
def test_setup_logging_quiets_httpx_and_redacts() -> None:
    setup_logging("DEBUG", [SECRET, ""])
    root = logging.getLogger()
    assert root.level == logging.DEBUG
    assert logging.getLogger("httpx").level == logging.WARNING
    assert logging.getLogger("apscheduler").level == logging.WARNING
    assert logging.getLogger("aiosqlite").level == logging.WARNING  # it logs SQL values
    assert len(root.handlers) == 1
    formatter = root.handlers[0].formatter
    assert isinstance(formatter, RedactingFormatter)
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s %s", (TOKEN, SECRET), None)
    assert formatter.format(record).endswith("INFO x: <token> <secret>")
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)


def _json_logger(stream: io.StringIO) -> logging.Logger:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter([SECRET]))
    logger = logging.getLogger(f"{__name__}.json")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    return logger


def test_json_lines_carry_the_extras_and_nothing_secret() -> None:
    stream = io.StringIO()
    logger = _json_logger(stream)
    logger.info("reminders: %d queued via %s", 12, TOKEN, extra={"queued": 12, "why": SECRET})
    try:
        raise ConnectionError(f"no route\nto {SECRET}")
    except ConnectionError:
        logger.exception("send failed")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2  # one event, one line: the traceback is inside the second
    first, second = (json.loads(line) for line in lines)
    assert first["level"] == "INFO" and first["logger"].endswith(".json")
    assert first["msg"] == "reminders: 12 queued via <token>"
    assert first["queued"] == 12 and first["why"] == "<secret>"
    assert datetime.fromisoformat(first["ts"]).utcoffset() == timedelta(0)
    assert second["msg"] == "send failed"
    assert "Traceback (most recent call last)" in second["exc"]
    assert "ConnectionError: no route\nto <secret>" in second["exc"]
    assert SECRET not in stream.getvalue() and TOKEN not in stream.getvalue()


def test_text_lines_fold_tracebacks_and_show_the_extras(
    capture: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = capture
    logger.info("duties: %d reminders queued", 3, extra={"queued": 3})
    try:
        raise ValueError("first line\nsecond line")
    except ValueError:
        logger.exception("tick failed")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("INFO tests.test_logs.capture: duties: 3 reminders queued queued=3")
    assert "tick failed ⏎ Traceback (most recent call last):" in lines[1]
    assert lines[1].endswith("ValueError: first line ⏎ second line")


@pytest.mark.usefixtures("restore_logging")
def test_setup_logging_json_writes_json() -> None:
    setup_logging("INFO", [SECRET], "json")
    (handler,) = logging.getLogger().handlers
    assert isinstance(handler.formatter, JsonFormatter)
