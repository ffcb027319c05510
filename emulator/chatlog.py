"""What the bot did that a user can see, per chat, with long-poll waiting for replies.

Telegram chats and messages have integer ids (``ChatLog``); Zalo's are opaque strings
(``StrChatLog``). Both share ``BaseChatLog``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

EVENT_KINDS = ("message", "edit", "document", "photo", "sticker")

IdT = TypeVar("IdT", int, str)


@dataclass
class LoggedEvent(Generic[IdT]):
    """One visible bot action; ``buttons`` rows hold ``{"label", "data"}`` (+ ``"url"``)."""

    seq: int
    kind: str
    chat_id: IdT
    message_id: IdT
    text: str | None = None
    caption: str | None = None
    buttons: list[list[dict[str, Any]]] = field(default_factory=list)
    file: dict[str, Any] | None = None
    date: int = 0
    at: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "kind": self.kind,
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "text": self.text,
            "caption": self.caption,
            "buttons": copy.deepcopy(self.buttons),
            "file": dict(self.file) if self.file else None,
            "date": self.date,
        }


class BaseChatLog(Generic[IdT]):
    """Event log of one bot: ``seq`` grows across all its chats."""

    def __init__(self) -> None:
        self._events: dict[IdT, list[LoggedEvent[IdT]]] = {}
        self._state: dict[IdT, dict[IdT, LoggedEvent[IdT]]] = {}
        self._last_seq = 0
        self._changed = asyncio.Event()

    @property
    def last_seq(self) -> int:
        return self._last_seq

    def chat_last_seq(self, chat_id: IdT) -> int:
        events = self._events.get(chat_id)
        return events[-1].seq if events else 0

    def append(
        self,
        kind: str,
        chat_id: IdT,
        message_id: IdT,
        *,
        text: str | None = None,
        caption: str | None = None,
        buttons: list[list[dict[str, Any]]] | None = None,
        file: dict[str, Any] | None = None,
        date: int = 0,
    ) -> LoggedEvent[IdT]:
        """Record an event and update the message's current state."""
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        self._last_seq += 1
        event = LoggedEvent(
            seq=self._last_seq,
            kind=kind,
            chat_id=chat_id,
            message_id=message_id,
            text=text,
            caption=caption,
            buttons=buttons or [],
            file=file,
            date=date,
            at=asyncio.get_running_loop().time(),
        )
        self._events.setdefault(chat_id, []).append(event)
        states = self._state.setdefault(chat_id, {})
        previous = states.get(message_id)
        state = copy.deepcopy(event)
        if previous is not None and kind == "edit":
            state.kind = previous.kind
            state.file = previous.file
        states[message_id] = state
        self._changed.set()
        self._changed = asyncio.Event()
        return event

    def events(self, chat_id: IdT, after_seq: int = 0) -> list[LoggedEvent[IdT]]:
        return [event for event in self._events.get(chat_id, []) if event.seq > after_seq]

    def messages(self, chat_id: IdT) -> list[LoggedEvent[IdT]]:
        """Current state of every bot message in the chat, oldest first."""
        states = self._state.get(chat_id, {})
        return [states[message_id] for message_id in self._order(states)]

    def _order(self, message_ids: dict[IdT, Any]) -> list[IdT]:
        """Message ids oldest first: insertion order (edits keep a message's place)."""
        return list(message_ids)

    def message(self, chat_id: IdT, message_id: IdT) -> LoggedEvent[IdT] | None:
        return self._state.get(chat_id, {}).get(message_id)

    async def wait_events(
        self,
        chat_id: IdT,
        after_seq: int,
        min_count: int,
        timeout: float,  # noqa: ASYNC109 - part of the control API's contract
        quiet: float = 0.15,
    ) -> list[LoggedEvent[IdT]]:
        """Events after ``after_seq`` once ``min_count`` exist and the chat was quiet.

        "Quiet" means no new event in this chat for ``quiet`` seconds, so a burst of replies
        is returned whole. At ``timeout`` whatever exists is returned.
        """
        loop = asyncio.get_running_loop()
        start = loop.time()
        deadline = start + max(0.0, timeout)
        while True:
            changed = self._changed
            events = self.events(chat_id, after_seq)
            now = loop.time()
            if now >= deadline:
                return events
            wait = deadline - now
            if len(events) >= min_count:
                quiet_since = events[-1].at if events else start
                remaining_quiet = quiet_since + quiet - now
                if remaining_quiet <= 0:
                    return events
                wait = min(wait, remaining_quiet)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), wait)


class ChatLog(BaseChatLog[int]):
    """Telegram's log: integer ids, messages ordered by message id."""

    def _order(self, message_ids: dict[int, Any]) -> list[int]:
        return sorted(message_ids)


class StrChatLog(BaseChatLog[str]):
    """Zalo's log: opaque string ids, messages in the order they were first sent."""
