"""Value types returned by the emulator's control-API client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

JSONDict = dict[str, Any]


@dataclass(frozen=True)
class Event:
    """Something the bot did in a chat (a message, an edit, a document or a photo)."""

    seq: int
    kind: str
    chat_id: int
    message_id: int
    text: str | None
    caption: str | None
    buttons: list[list[str]]
    button_data: list[list[str | None]]
    file_id: str | None = None
    file_name: str | None = None
    file_size: int | None = None

    @classmethod
    def from_json(cls, data: JSONDict) -> Event:
        rows = data.get("buttons") or []
        file = data.get("file") or {}
        return cls(
            seq=int(data["seq"]),
            kind=str(data["kind"]),
            chat_id=int(data["chat_id"]),
            message_id=int(data["message_id"]),
            text=data.get("text"),
            caption=data.get("caption"),
            buttons=[[str(b["label"]) for b in row] for row in rows],
            button_data=[[b.get("data") for b in row] for row in rows],
            file_id=file.get("file_id"),
            file_name=file.get("file_name"),
            file_size=file.get("size"),
        )

    @property
    def body(self) -> str:
        """The text, or the caption of a file, or ""."""
        return self.text or self.caption or ""

    @property
    def labels(self) -> list[str]:
        return [label for row in self.buttons for label in row]

    def data_for(self, label: str) -> str | None:
        for labels, data in zip(self.buttons, self.button_data, strict=True):
            if label in labels:
                return data[labels.index(label)]
        raise KeyError(label)


@dataclass(frozen=True)
class Sent:
    update_id: int
    message_id: int
    seq: int


@dataclass(frozen=True)
class Pressed:
    update_id: int
    callback_query_id: str
    data: str
    message_id: int
    seq: int


@dataclass(frozen=True)
class Call:
    method: str
    chat_id: int | None
    status: int
    at: float
