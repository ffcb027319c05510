"""Reading a command out of typed text: `/start@chibo_bot ABC`, `/TinhHinh`, `tinhhinh`."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from core.vntext import fold

_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    args: str


def parse_command(text: str, *, known: Collection[str] = (), bare: bool = False) -> Command | None:
    """Return the command in `text`, or None when the text is not a command.

    A command is `/name` (an `@botname` suffix is dropped), case- and diacritics-insensitive.
    With `bare=True` (text-only channels) a message that is only a `known` command's name
    counts too; a longer text is text ("Huy động vốn" is an agenda, not /huy).
    """
    stripped = text.strip()
    if not stripped:
        return None
    head, _, rest = stripped.partition(" ")
    slash = head.startswith("/")
    if slash:
        head = head[1:]
    head = head.split("@", 1)[0]
    name = fold(head).replace(" ", "")
    if not _NAME.match(name):
        return None
    if not slash and not (bare and not rest.strip() and name in known):
        return None
    return Command(name=name, args=rest.strip())
