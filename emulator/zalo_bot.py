"""State of one emulated Zalo bot (one token): users, chats, pending events, webhook.

Every chat is private: its id is the user's id (an opaque string). Users write through the
control API (``user_event``); what the bot sends is logged in ``chatlog`` for tests to wait on.
"""

from __future__ import annotations

import copy
import hashlib
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from emulator.chatlog import LoggedEvent, StrChatLog
from emulator.params import JSONDict, NotFoundError
from emulator.zalo_common import (
    BLOCKED,
    CHAT_NOT_FOUND,
    USER_ID_RE,
    ZaloRateLimiter,
    api_error,
    new_hex_id,
)
from emulator.zalo_queue import ZaloEventQueue
from emulator.zalo_webhook import MAX_DELIVERY_RECORDS, ZaloWebhook

MAX_CALLS = 50_000
MAX_HISTORY = 10_000
ERROR_STYLES = ("mirror", "http200")
EVENT_NAMES = {
    "text": "message.text.received",
    "image": "message.image.received",
    "sticker": "message.sticker.received",
    "unsupported": "message.unsupported.received",
}


@dataclass
class ZaloUser:
    id: str
    display_name: str

    def to_json(self) -> JSONDict:
        return {"id": self.id, "display_name": self.display_name, "is_bot": False}

    def chat_json(self) -> JSONDict:
        return {"id": self.id, "chat_type": "PRIVATE"}


@dataclass(frozen=True)
class ZaloFile:
    """A photo the emulator downloaded for a sendPhoto."""

    file_id: str
    url: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class ZaloCallRecord:
    method: str
    chat_id: str | None
    status: int
    error_code: int | None
    at: float


def _check_user_id(user_id: str) -> None:
    if not USER_ID_RE.match(user_id):
        raise ValueError("user_id must be 1-64 characters of A-Z, a-z, 0-9, _ or -")


def _content(kind: str, fields: JSONDict, message_id: str) -> JSONDict:
    """The kind-specific fields of a user's message (see platforms.md A.4)."""
    if kind == "text":
        text = fields.get("text")
        if not isinstance(text, str) or not text:
            raise ValueError("a text event needs a non-empty text")
        return {"text": text}
    if kind == "image":
        url = fields.get("photo_url") or f"https://photo.emulator.invalid/{message_id}.jpg"
        content: JSONDict = {"photo_url": str(url), "message_type": "CHAT_PHOTO"}
        if fields.get("caption"):
            content["caption"] = str(fields["caption"])
        return content
    if kind == "sticker":
        sticker = str(fields.get("sticker") or "emulator-sticker")
        url = fields.get("url") or f"https://sticker.emulator.invalid/{sticker}.png"
        return {"sticker": sticker, "url": str(url)}
    if kind == "unsupported":
        return {}
    raise ValueError(f"unknown event kind {kind!r}; expected one of {', '.join(EVENT_NAMES)}")


class ZaloBot:
    """Everything the emulator knows about one Zalo bot token."""

    def __init__(
        self, token: str, *, account_name: str, clock: Callable[[], float] = time.time
    ) -> None:
        self.token = token
        self.id = hashlib.sha256(f"zalo-bot:{token}".encode()).hexdigest()[:16]
        self.account_name = account_name
        self.clock = clock
        self.users: dict[str, ZaloUser] = {}
        self.blocked: set[str] = set()
        self.queue = ZaloEventQueue()
        self.history: OrderedDict[str, JSONDict] = OrderedDict()
        self.chatlog = StrChatLog()
        self.files: dict[str, ZaloFile] = {}
        self.calls: deque[ZaloCallRecord] = deque(maxlen=MAX_CALLS)
        self.rate_limiter = ZaloRateLimiter()
        self.webhook: ZaloWebhook | None = None
        self.webhook_updated_at = 0
        self.deliveries: deque[JSONDict] = deque(maxlen=MAX_DELIVERY_RECORDS)
        self.error_style = "mirror"

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    def me(self) -> JSONDict:
        return {
            "id": self.id,
            "account_name": self.account_name,
            "account_type": "BASIC",
            "can_join_groups": False,
        }

    def chat(self, chat_id: str | None) -> ZaloUser:
        """The chat a bot call addresses: a user who wrote to the bot and did not block it."""
        user = self.users.get(chat_id) if chat_id else None
        if user is None:
            raise api_error(400, CHAT_NOT_FOUND)
        if user.id in self.blocked:
            raise api_error(403, BLOCKED)
        return user

    def _user(self, user_id: str, display_name: str | None) -> ZaloUser:
        _check_user_id(user_id)
        user = self.users.get(user_id)
        if user is None:
            user = self.users[user_id] = ZaloUser(user_id, display_name or f"User {user_id}")
        elif display_name:
            user.display_name = display_name
        return user

    def user_event(
        self, user_id: str, kind: str, fields: JSONDict, display_name: str | None = None
    ) -> JSONDict:
        """A user sends something to the bot; returns the control-API answer."""
        message_id = new_hex_id()
        content = _content(kind, fields, message_id)
        user = self._user(user_id, display_name)
        self.blocked.discard(user_id)  # writing to the bot again unblocks it
        message: JSONDict = {
            "from": user.to_json(),
            "chat": user.chat_json(),
            "message_id": message_id,
            "date": self.now_ms(),
            **content,
        }
        event: JSONDict = {"event_name": EVENT_NAMES[kind], "message": message}
        self.history[message_id] = event
        while len(self.history) > MAX_HISTORY:
            self.history.popitem(last=False)
        self.queue.push(copy.deepcopy(event))
        return {"message_id": message_id, "seq": self.chatlog.chat_last_seq(user_id)}

    def replay(self, message_id: str | None = None) -> JSONDict:
        """Queue a user event again, unchanged (same message_id): tests de-duplication."""
        if message_id is None:
            if not self.history:
                raise NotFoundError("no user event to replay yet")
            message_id = next(reversed(self.history))
        event = self.history.get(message_id)
        if event is None:
            raise NotFoundError(f"no user event with message_id {message_id!r}")
        self.queue.push(copy.deepcopy(event))
        chat_id = event["message"]["chat"]["id"]
        return {"message_id": message_id, "seq": self.chatlog.chat_last_seq(chat_id)}

    def user_blocks(self, user_id: str, blocked: bool) -> JSONDict:
        """Block (or unblock) the bot; Zalo documents no event for it, so none is queued."""
        _check_user_id(user_id)
        (self.blocked.add if blocked else self.blocked.discard)(user_id)
        return {"user_id": user_id, "blocked": blocked}

    def calls_json(self, method: str | None = None) -> list[JSONDict]:
        return [
            {
                "method": c.method,
                "chat_id": c.chat_id,
                "status": c.status,
                "error_code": c.error_code,
                "at": c.at,
            }
            for c in self.calls
            if method is None or c.method == method
        ]

    def webhook_json(self) -> JSONDict:
        return {
            "url": self.webhook.url if self.webhook else "",
            "secret_set": self.webhook is not None and bool(self.webhook.secret),
            "updated_at": self.webhook_updated_at,
            "pending": self.queue.pending_count,
            "deliveries": list(self.deliveries),
        }

    async def close(self) -> None:
        """Stop the webhook deliveries (the webhook stays unset)."""
        if self.webhook is not None:
            await self.webhook.stop()
            self.webhook = None


def event_json(event: LoggedEvent[str]) -> JSONDict:
    """A bot event for the control API."""
    file = dict(event.file) if event.file else None
    return {
        "seq": event.seq,
        "kind": event.kind,
        "chat_id": event.chat_id,
        "message_id": event.message_id,
        "text": event.text,
        "caption": event.caption,
        "photo": file if event.kind == "photo" else None,
        "sticker": file.get("sticker") if file and event.kind == "sticker" else None,
        "date": event.date,
    }
