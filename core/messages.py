"""The channel-neutral message types: what a messenger event becomes, and what we answer."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Event(enum.StrEnum):
    """Things a person does that are neither text nor a button."""

    BLOCKED = "blocked"  # the person blocked the bot
    UNBLOCKED = "unblocked"


@dataclass(frozen=True, slots=True)
class Received:
    """A photo or file a person sent. Only a reference is kept: the platform holds the file
    (a Telegram file_id, or the URL Zalo gives for a photo)."""

    kind: str  # "photo" or "document"
    ref: str
    name: str = ""
    size: int = 0  # bytes, 0 when the platform does not say


@dataclass(frozen=True, slots=True)
class Incoming:
    """One thing a person did in a chat with the bot, on any channel."""

    channel: str
    sender_id: str
    chat_id: str
    text: str | None = None
    payload: str | None = None  # the data of a pressed button
    message_ref: str | None = None  # the message that held the pressed button
    sender_name: str = ""
    event: Event | None = None
    received: Received | None = None  # a photo or file; its caption is `text`

    @property
    def is_button(self) -> bool:
        return self.payload is not None


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    payload: str


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content: bytes
    kind: str = "document"  # "document" or "photo"


@dataclass(frozen=True, slots=True)
class Reply:
    """What the bot says back. `replace` edits the message that held the pressed button."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    file: Attachment | None = None
    replace: bool = False

    def button_list(self) -> list[Button]:
        return [button for row in self.buttons for button in row]


@dataclass(frozen=True, slots=True)
class Address:
    """Where to deliver a message: one chat on one channel."""

    channel: str
    chat_id: str


@dataclass(frozen=True, slots=True)
class Notice:
    """A message to someone other than the sender, caused by the sender's action."""

    to: Address
    reply: Reply


@dataclass(frozen=True, slots=True)
class MenuUpdate:
    """A chat whose command menu must change (someone joined or got a role)."""

    to: Address
    audiences: frozenset[str]


@dataclass(slots=True)
class Outcome:
    """Everything one incoming event produced."""

    replies: list[Reply] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    menus: list[MenuUpdate] = field(default_factory=list)


def buttons(*rows: list[Button] | tuple[Button, ...]) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(row) for row in rows if row)
