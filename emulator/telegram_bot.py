"""State of one emulated Telegram bot (one token): users, chats, messages, updates."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from emulator.chatlog import ChatLog
from emulator.params import ApiError, JSONDict, NotFoundError, bad_request
from emulator.ratelimit import RateLimiter
from emulator.updates import UpdateQueue
from emulator.webhook import WebhookDeliverer

BLOCKED = "Forbidden: bot was blocked by the user"
MAX_CALLS = 50_000
MAX_BULK_USERS = 100_000


@dataclass
class TgUser:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str = "vi"

    def to_json(self) -> JSONDict:
        data: JSONDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        data["language_code"] = self.language_code
        return data

    def chat_json(self) -> JSONDict:
        data: JSONDict = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_name: str
    mime_type: str
    content: bytes
    width: int = 0
    height: int = 0


@dataclass(frozen=True)
class CallRecord:
    method: str
    chat_id: int | None
    status: int
    at: float


class TelegramBot:
    """Everything the emulator knows about one bot token."""

    def __init__(
        self,
        token: str,
        *,
        username: str,
        first_name: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.token = token
        self.id = int(token.split(":", 1)[0])
        self.username = username
        self.first_name = first_name
        self.clock = clock
        self.users: dict[int, TgUser] = {}
        self.blocked: set[int] = set()
        self.messages: dict[int, dict[int, JSONDict]] = {}
        self._last_message_id: dict[int, int] = {}
        self.updates = UpdateQueue()
        self.chatlog = ChatLog()
        self.files: dict[str, StoredFile] = {}
        self.commands: dict[tuple[str, str], tuple[JSONDict, list[dict[str, str]]]] = {}
        self.callback_queries: dict[str, JSONDict] = {}
        self.callback_answers: list[JSONDict] = []
        self.calls: deque[CallRecord] = deque(maxlen=MAX_CALLS)
        self.rate_limiter = RateLimiter()
        self.webhook: WebhookDeliverer | None = None
        self._counter = 0

    def now(self) -> int:
        return int(self.clock())

    def next_serial(self) -> int:
        self._counter += 1
        return self._counter

    def bot_user(self) -> JSONDict:
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def me(self) -> JSONDict:
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def chat(self, chat_id: int | None) -> TgUser:
        """The private chat ``chat_id`` for a bot call: it must exist and not be blocked."""
        user = self.users.get(chat_id) if chat_id is not None else None
        if user is None:
            raise bad_request("chat not found")
        if user.id in self.blocked:
            raise ApiError(403, BLOCKED)
        return user

    def new_message_id(self, chat_id: int) -> int:
        message_id = self._last_message_id.get(chat_id, 0) + 1
        self._last_message_id[chat_id] = message_id
        return message_id

    def store_message(self, chat_id: int, message: JSONDict) -> JSONDict:
        self.messages.setdefault(chat_id, {})[message["message_id"]] = message
        return message

    def bot_message(self, chat_id: int, message_id: int | None) -> JSONDict:
        """A message the bot sent, for edits."""
        found = self.messages.get(chat_id, {}).get(message_id or 0)
        if found is None or found.get("from", {}).get("id") != self.id:
            raise bad_request("message to edit not found")
        return found

    def _user(self, user_id: int, profile: JSONDict | None = None) -> TgUser:
        user = self.users.get(user_id)
        if user is None:
            user = self.users[user_id] = TgUser(id=user_id, first_name=f"User {user_id}")
        for key in ("first_name", "last_name", "username", "language_code"):
            value = (profile or {}).get(key)
            if value is not None:
                setattr(user, key, str(value))
        return user

    def register_users(self, profiles: list[JSONDict]) -> JSONDict:
        """Make private chats known at once, as if each user had written and been answered.

        No update is queued and known users are left as they are: load tests need thousands
        of reachable chats without the bot reading thousands of greetings first.
        """
        if len(profiles) > MAX_BULK_USERS:
            raise ValueError(f"at most {MAX_BULK_USERS} users per call")
        for profile in profiles:  # all or nothing: check every entry first
            user_id = profile.get("user_id")
            if not isinstance(user_id, int) or isinstance(user_id, bool) or user_id <= 0:
                raise ValueError("every user needs a positive integer user_id")
        new = 0
        for profile in profiles:
            if profile["user_id"] not in self.users:
                self._user(profile["user_id"], profile)
                new += 1
        return {"registered": new, "known": len(self.users)}

    def user_sends(self, user_id: int, text: str, profile: JSONDict | None = None) -> JSONDict:
        """A user writes to the bot; returns the control-API answer."""
        if not text:
            raise ValueError("text must not be empty")
        user = self._user(user_id, profile)
        if user_id in self.blocked:
            self.user_blocks(user_id, False)
        message: JSONDict = {
            "message_id": self.new_message_id(user_id),
            "from": user.to_json(),
            "chat": user.chat_json(),
            "date": self.now(),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self.store_message(user_id, message)
        update = self.updates.push("message", message)
        return {
            "update_id": update["update_id"],
            "message_id": message["message_id"],
            "seq": self.chatlog.chat_last_seq(user_id),
        }

    def user_sends_file(
        self, user_id: int, kind: str, file_name: str, size: int, caption: str | None
    ) -> JSONDict:
        """A user sends a photo or a document (the bytes are not emulated, only the ids)."""
        if kind not in ("photo", "document"):
            raise ValueError("kind must be photo or document")
        if size < 0:
            raise ValueError("size must not be negative")
        user = self._user(user_id)
        serial = self.next_serial()
        file_id, unique = f"user-{kind}-{serial}", f"u{serial}"
        message: JSONDict = {
            "message_id": self.new_message_id(user_id),
            "from": user.to_json(),
            "chat": user.chat_json(),
            "date": self.now(),
        }
        if kind == "photo":
            message["photo"] = [
                {
                    "file_id": f"{file_id}-s",
                    "file_unique_id": f"{unique}s",
                    "width": 90,
                    "height": 90,
                    "file_size": max(1, size // 10),
                },
                {
                    "file_id": file_id,
                    "file_unique_id": unique,
                    "width": 1280,
                    "height": 960,
                    "file_size": size,
                },
            ]
        else:
            message["document"] = {
                "file_id": file_id,
                "file_unique_id": unique,
                "file_name": file_name,
                "file_size": size,
            }
        if caption:
            message["caption"] = caption
        self.store_message(user_id, message)
        update = self.updates.push("message", message)
        return {
            "update_id": update["update_id"],
            "message_id": message["message_id"],
            "seq": self.chatlog.chat_last_seq(user_id),
        }

    def user_presses(self, user_id: int, label: str, message_id: int | None) -> JSONDict:
        """A user taps an inline button (found by its label) under a bot message."""
        user = self.users.get(user_id)
        if user is None:
            raise NotFoundError(f"user {user_id} has no chat with the bot")
        states = self.chatlog.messages(user_id)
        if message_id is not None:
            states = [s for s in states if s.message_id == message_id]
        states.reverse()
        buttons = [(s.message_id, b) for s in states for row in s.buttons for b in row]
        matches = [(m, b) for m, b in buttons if b["label"] == label]
        if not matches:
            folded = label.strip().casefold()
            matches = [(m, b) for m, b in buttons if b["label"].strip().casefold() == folded]
        if not matches:
            labels = [b["label"] for _, b in buttons]
            where = f"message {message_id}" if message_id is not None else f"chat {user_id}"
            raise NotFoundError(f"no button {label!r} in {where}; available: {labels}")
        found_id, button = matches[0]
        if button.get("data") is None:
            raise NotFoundError(f"button {label!r} has no callback_data")
        query_id = str(4_000_000_000_000 + self.next_serial())
        query: JSONDict = {
            "id": query_id,
            "from": user.to_json(),
            "message": dict(self.messages[user_id][found_id]),
            "chat_instance": str(-(self.id * 1000 + user_id % 1000)),
            "data": button["data"],
        }
        self.callback_queries[query_id] = {"chat_id": user_id, "message_id": found_id}
        update = self.updates.push("callback_query", query)
        return {
            "update_id": update["update_id"],
            "callback_query_id": query_id,
            "data": button["data"],
            "message_id": found_id,
            "seq": self.chatlog.chat_last_seq(user_id),
        }

    def user_blocks(self, user_id: int, blocked: bool) -> JSONDict:
        """A user blocks (or unblocks) the bot: a my_chat_member update when it changes."""
        user = self._user(user_id)
        if blocked == (user_id in self.blocked):
            return {"update_id": None, "blocked": blocked}
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        (self.blocked.add if blocked else self.blocked.discard)(user_id)
        payload: JSONDict = {
            "chat": user.chat_json(),
            "from": user.to_json(),
            "date": self.now(),
            "old_chat_member": self._member(old),
            "new_chat_member": self._member(new),
        }
        update = self.updates.push("my_chat_member", payload)
        return {"update_id": update["update_id"], "blocked": blocked}

    def _member(self, status: str) -> JSONDict:
        member: JSONDict = {"user": self.bot_user(), "status": status}
        if status == "kicked":
            member["until_date"] = 0
        return member

    def answered_ids(self) -> set[str]:
        return {answer["callback_query_id"] for answer in self.callback_answers}

    def unanswered_callbacks(self) -> list[JSONDict]:
        answered = self.answered_ids()
        return [
            {"callback_query_id": query_id, **info}
            for query_id, info in self.callback_queries.items()
            if query_id not in answered
        ]

    def commands_json(self) -> list[JSONDict]:
        return [
            {"scope": scope, "language_code": language, "commands": commands}
            for (_, language), (scope, commands) in self.commands.items()
        ]

    def calls_json(self, method: str | None = None) -> list[JSONDict]:
        return [
            {"method": c.method, "chat_id": c.chat_id, "status": c.status, "at": c.at}
            for c in self.calls
            if method is None or c.method.lower() == method.lower()
        ]

    async def close(self) -> None:
        if self.webhook is not None:
            await self.webhook.stop()
            self.webhook = None
