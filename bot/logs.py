"""Logging set-up: one format, and secrets scrubbed from every line (tracebacks too)."""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"\d{3,12}:[A-Za-z0-9_-]{20,}")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def scrub(text: str, secrets: list[str]) -> str:
    cleaned = _TOKEN.sub("<token>", text)
    for secret in secrets:
        if secret:
            cleaned = cleaned.replace(secret, "<secret>")
    return cleaned


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then removes bot tokens and configured secrets from the result."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__(FORMAT)
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record), self.secrets)


def setup_logging(level: str, secrets: list[str]) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL, and Telegram URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # Every 429 the delivery loop handles itself would otherwise be logged as an error here.
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
