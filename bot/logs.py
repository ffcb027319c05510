"""Logging set-up: one format, and secrets scrubbed from every line (tracebacks too)."""

from __future__ import annotations

import logging
import re

from bot.settings import Settings

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


def setup_logging(level: str, secrets: list[str]) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL, and Telegram URLs contain the token.
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    # Every 429 the delivery loop handles itself would otherwise be logged as an error here.
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
