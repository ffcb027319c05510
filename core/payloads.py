"""Button payloads: short ASCII strings `prefix:part:part`, at most 64 bytes (Telegram's limit)."""

from __future__ import annotations

import re

MAX_BYTES = 64
SEPARATOR = ":"
_PART = re.compile(r"^[A-Za-z0-9_\-.]+$")


class PayloadError(ValueError):
    """A payload that cannot be built or read."""


def encode(prefix: str, *parts: object) -> str:
    """Build a payload; every part must be short ASCII without the separator."""
    items = [prefix, *(str(p) for p in parts)]
    for item in items:
        if not _PART.match(item):
            raise PayloadError(f"bad payload part {item!r}")
    payload = SEPARATOR.join(items)
    if len(payload.encode()) > MAX_BYTES:
        raise PayloadError(f"payload longer than {MAX_BYTES} bytes: {payload!r}")
    return payload


def decode(payload: str) -> tuple[str, tuple[str, ...]]:
    """Split a payload into its prefix and parts; anything malformed raises PayloadError."""
    if not payload or len(payload.encode("utf-8", "replace")) > MAX_BYTES:
        raise PayloadError("payload empty or too long")
    prefix, *parts = payload.split(SEPARATOR)
    for item in (prefix, *parts):
        if not _PART.match(item):
            raise PayloadError("malformed payload")
    return prefix, tuple(parts)


# Ids are 32-bit integer columns: PostgreSQL refuses a larger number in a query about them.
MAX_ID = 2**31 - 1


def int_part(parts: tuple[str, ...], index: int) -> int:
    """Read parts[index] as a non-negative int, or raise PayloadError."""
    try:
        value = parts[index]
    except IndexError as exc:
        raise PayloadError("missing payload part") from exc
    if not (value.isascii() and value.isdigit()) or len(value) > 12 or int(value) > MAX_ID:
        raise PayloadError("payload part is not an id")
    return int(value)


def str_part(parts: tuple[str, ...], index: int) -> str:
    """parts[index], or PayloadError when the payload is too short."""
    try:
        return parts[index]
    except IndexError as exc:
        raise PayloadError("missing payload part") from exc
