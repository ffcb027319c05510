"""Value types returned by the Zalo control-API client, and stable test user ids."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

JSONDict = dict[str, Any]


def zalo_user_id(n: int) -> str:
    """A stable, opaque-looking 16-hex-digit Zalo user id for the small number ``n``."""
    return hashlib.sha256(f"zalo-user:{n}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ZaloSent:
    """A user event the emulator queued: its message_id and the chat log's seq then."""

    message_id: str
    seq: int


@dataclass(frozen=True)
class ZaloEvent:
    """Something the bot did in a chat: a text message, a photo or a sticker."""

    seq: int
    kind: str
    chat_id: str
    message_id: str
    text: str | None
    caption: str | None
    photo_url: str | None
    file_id: str | None
    sticker: str | None = None
    date: int = 0

    @classmethod
    def from_json(cls, data: JSONDict) -> ZaloEvent:
        photo = data.get("photo") or {}
        return cls(
            seq=int(data["seq"]),
            kind=str(data["kind"]),
            chat_id=str(data["chat_id"]),
            message_id=str(data["message_id"]),
            text=data.get("text"),
            caption=data.get("caption"),
            photo_url=photo.get("url"),
            file_id=photo.get("file_id"),
            sticker=data.get("sticker"),
            date=int(data.get("date") or 0),
        )

    @property
    def body(self) -> str:
        """The text, or the caption of a photo, or ""."""
        return self.text or self.caption or ""


@dataclass(frozen=True)
class ZaloCall:
    """One bot API call: ``status`` is the HTTP status (0: connection dropped by a fault)."""

    method: str
    chat_id: str | None
    status: int
    at: float
    error_code: int | None = None
