"""Logging set-up: one format, and secrets scrubbed from every line (tracebacks too)."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from bot.settings import Settings

_TOKEN = re.compile(r"\d{3,12}:[A-Za-z0-9_-]{20,}")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_FORMATS = ("text", "json")
# What every LogRecord carries; anything else on a record came from `extra={...}`.
_STANDARD = {*vars(logging.LogRecord("", 0, "", 0, "", None, None)), "message", "asctime"}
NEWLINE = " ⏎ "  # one event, one line: tracebacks are folded, not split over lines


def scrub(text: str, secrets: list[str]) -> str:
    cleaned = _TOKEN.sub("<token>", text)
    for secret in secrets:
        if secret:
            cleaned = cleaned.replace(secret, "<secret>")
    return cleaned


def extras(record: logging.LogRecord) -> dict[str, Any]:
    """The structured fields given with `log.info(..., extra={"queued": 12})`."""
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class RedactingFormatter(logging.Formatter):
    """One line per event: the usual text, then `key=value` extras; secrets removed."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__(FORMAT)
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = " ".join(f"{k}={v}" for k, v in extras(record).items())
        line = f"{text} {fields}" if fields else text
        return scrub(line, self.secrets).replace("\n", NEWLINE)


class JsonFormatter(RedactingFormatter):
    """One JSON object per line (LOG_FORMAT=json), for journald, Loki, CloudWatch and the
    like: ts (UTC), level, logger, msg, the extras, and exc/stack folded into strings."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in extras(record).items():
            plain = isinstance(value, int | float | bool) or value is None
            entry.setdefault(key, value if plain else str(value))
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        clean = {k: scrub(v, self.secrets) if isinstance(v, str) else v for k, v in entry.items()}
        return json.dumps(clean, ensure_ascii=False)


# Loggers that write what people typed (aiosqlite logs every statement with its values at
# DEBUG) or URLs with a bot token in them (httpx, httpcore): warnings only.
QUIET = ("httpx", "httpcore", "aiosqlite", "apscheduler")


def secrets_of(settings: Settings) -> list[str]:
    """Every configured secret, to scrub from the logs: both bot tokens, both webhook
    secrets (Zalo tokens need not look like Telegram's, so the pattern may miss them)."""
    values = [settings.token(), settings.channel_token("zalo"), settings.zalo_secret()]
    if settings.webhook_secret is not None:
        values.append(settings.webhook_secret.get_secret_value())
    return [value for value in values if value]


def setup_logging(level: str, secrets: list[str], form: str = "text") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter(secrets) if form == "json" else RedactingFormatter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL, and Telegram URLs contain the token.
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    # Every 429 the delivery loop handles itself would otherwise be logged as an error here.
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
