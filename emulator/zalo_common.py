"""Small pieces shared by the Zalo emulator's modules: errors, ids, loopback URLs, limits.

What the real platform answers on most errors is undocumented (platforms.md A.9 lists only
codes 400, 401, 403, 404, 408 and 429): the descriptions below are the emulator's own, chosen
so that tests can recognise them, and are marked where they are hypotheses.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from typing import Any
from urllib.parse import urlsplit

from emulator.params import ApiError
from emulator.ratelimit import RateLimiter

PLATFORM = "zalo"
TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")
USER_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
DEFAULT_ACCOUNT_NAME = "bot.chibo"
MAX_TEXT = 2000

# Documented: 429 "Quota exceeded" with no retry hint at all (platforms.md A.6).
QUOTA_EXCEEDED = "Quota exceeded - vượt quá giới hạn sử dụng API"
# Hypotheses: no code or text is documented for these cases.
CHAT_NOT_FOUND = "Chat not found"
BLOCKED = "User has blocked the bot"
POLL_TIMEOUT = "Request timeout"
WEBHOOK_ACTIVE = "Webhook is active: call deleteWebhook before getUpdates"
OTHER_POLL = "Conflict: terminated by another getUpdates request"


class PollTimeout(ApiError):
    """getUpdates found nothing in time: error 408, always answered with HTTP 200."""

    def __init__(self) -> None:
        super().__init__(408, POLL_TIMEOUT)


def api_error(code: int, description: str) -> ApiError:
    """An error in Zalo's envelope: never a ``retry_after`` (Zalo has none)."""
    return ApiError(code, description)


def new_hex_id() -> str:
    """An opaque 32-hex-digit id, unique across emulator runs (bots de-duplicate on it)."""
    return secrets.token_hex(16)


def is_loopback_url(url: str, schemes: tuple[str, ...] = ("http", "https")) -> bool:
    """True for ``http(s)://`` URLs whose host is localhost or a loopback address."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    if parts.scheme not in schemes or not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ZaloRateLimiter:
    """The shared ``RateLimiter`` keyed by Zalo's string chat ids (it counts integer keys)."""

    def __init__(self) -> None:
        self.limiter = RateLimiter()
        self._keys: dict[str, int] = {}
        self._chats: dict[int, str] = {}

    def _key(self, chat_id: str) -> int:
        key = self._keys.get(chat_id)
        if key is None:
            key = self._keys[chat_id] = len(self._keys) + 1
            self._chats[key] = chat_id
        return key

    def check(self, chat_id: str, method: str) -> None:
        """Raise the documented 429 (without retry_after) if a send must not happen now."""
        if self.limiter.check(self._key(chat_id), method) is not None:
            raise api_error(429, QUOTA_EXCEEDED)

    def record(self, chat_id: str) -> None:
        self.limiter.record(self._key(chat_id))

    def status(self) -> dict[str, Any]:
        status = self.limiter.status()
        for entry in status["violation_log"]:
            entry["chat_id"] = self._chats.get(entry["chat_id"], entry["chat_id"])
            del entry["retry_after"]
        return status
