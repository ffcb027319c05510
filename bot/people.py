"""People on a phone, the same on every channel: the demo and the end-to-end scenarios
talk through `Person`, so one scenario runs on Telegram (buttons) and on Zalo (numbers).

On Zalo a person reads the numbered list under a message and types the number; `tap`
does exactly that, and `Seen` shows the message without its list, the list as `labels`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from emulator.client import EmulatedUser, EmulatorTimeout, Event
from emulator.zalo_client import ZaloEmulatedUser, ZaloEvent

_OPTION = re.compile(r"^(\d{1,3})\. (.+)$")


@dataclass(frozen=True)
class Seen:
    """One thing the bot did in the person's chat."""

    kind: str  # "message", "edit" (Telegram only), "photo", "document"
    body: str  # the text or caption, without a numbered menu
    labels: list[str] = field(default_factory=list)  # buttons, or the numbered options
    raw: str = ""  # exactly what the platform shows
    seq: int = 0
    file_name: str | None = None
    size: int = 0
    file_id: str | None = None  # a sent document or photo, to download from the emulator

    @property
    def replaced(self) -> bool:
        """An answer that takes the place of the message with the buttons (Telegram edits;
        Zalo cannot and sends a new message)."""
        return self.kind in ("edit", "message")


def split_menu(text: str) -> tuple[str, list[str]]:
    """Zalo text → (the message, the options of its numbered list)."""
    lines = text.split("\n")
    if len(lines) < 3:
        return text, []
    end = len(lines) - 1  # the last line says how to answer
    start = end
    while start > 0 and _OPTION.match(lines[start - 1]):
        start -= 1
    options = [_OPTION.match(line) for line in lines[start:end]]
    numbers = [int(m.group(1)) for m in options if m]
    if not numbers or numbers != list(range(1, len(numbers) + 1)):
        return text, []
    body = "\n".join(lines[:start]).rstrip("\n")
    return body, [m.group(2) for m in options if m]


def from_telegram(event: Event) -> Seen:
    return Seen(
        event.kind,
        event.body,
        event.labels,
        event.body,
        event.seq,
        event.file_name,
        event.file_size or 0,
        event.file_id,
    )


def from_zalo(event: ZaloEvent) -> Seen:
    body, labels = split_menu(event.body)
    kind = "photo" if event.kind == "photo" else "message"
    return Seen(kind, body, labels, event.body, event.seq, file_id=event.file_id)


class Person(Protocol):
    name: str

    @property
    def chat_id(self) -> str: ...

    async def say(self, text: str, expect: int = 1, timeout: float = 5.0) -> list[Seen]: ...  # noqa: ASYNC109

    async def tap(self, label: str, expect: int = 1, timeout: float = 5.0) -> list[Seen]: ...  # noqa: ASYNC109

    async def send_photo(self, caption: str | None = None, expect: int = 1) -> list[Seen]: ...

    async def seen(self) -> list[Seen]:
        """Everything the bot has shown in this chat, oldest first."""
        ...


class TelegramPerson:
    def __init__(self, user: EmulatedUser, name: str) -> None:
        self.user, self.name = user, name

    @property
    def chat_id(self) -> str:
        return str(self.user.chat_id)

    async def say(self, text: str, expect: int = 1, timeout: float = 5.0) -> list[Seen]:  # noqa: ASYNC109
        return [from_telegram(e) for e in await self.user.say(text, expect, timeout)]

    async def tap(self, label: str, expect: int = 1, timeout: float = 5.0) -> list[Seen]:  # noqa: ASYNC109
        return [from_telegram(e) for e in await self.user.tap(label, expect, timeout)]

    async def send_photo(self, caption: str | None = None, expect: int = 1) -> list[Seen]:
        return [
            from_telegram(e) for e in await self.user.send_file(caption=caption, expect=expect)
        ]

    async def seen(self) -> list[Seen]:
        return [from_telegram(e) for e in await self.user.messages()]


class ZaloPerson:
    def __init__(self, user: ZaloEmulatedUser, name: str) -> None:
        self.user, self.name = user, name

    @property
    def chat_id(self) -> str:
        return self.user.chat_id

    async def say(self, text: str, expect: int = 1, timeout: float = 5.0) -> list[Seen]:  # noqa: ASYNC109
        return [from_zalo(e) for e in await self.user.say(text, expect, timeout)]

    async def tap(self, label: str, expect: int = 1, timeout: float = 5.0) -> list[Seen]:  # noqa: ASYNC109
        """Type the number of `label` in the newest list that offers it."""
        return await self.say(str(await self.number_for(label)), expect, timeout)

    async def number_for(self, label: str) -> int:
        """The number to type for `label`: only the newest list answers to numbers."""
        for seen in reversed(await self.seen()):
            if label in seen.labels:
                return seen.labels.index(label) + 1
            if seen.labels:
                break
        raise EmulatorTimeout(f"{self.name}: no open list offers {label!r}")

    async def send_photo(self, caption: str | None = None, expect: int = 1) -> list[Seen]:
        sent = await self.user.send_event("image", expect=expect, caption=caption)
        return [from_zalo(e) for e in sent]

    async def seen(self) -> list[Seen]:
        return [from_zalo(e) for e in await self.user.messages()]
