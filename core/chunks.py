"""Splitting long texts for messengers with a length limit."""

from __future__ import annotations


def split_text(text: str, limit: int) -> list[str]:
    """Split on line boundaries into pieces of at most `limit` characters.

    A single line longer than `limit` is cut at a space when there is one, else hard; Python
    strings are code points, so a cut never breaks a Vietnamese character in two.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit + 1)
            cut = cut if cut > 0 else limit
            head, line = line[:cut], line[cut:].lstrip(" ")
            current = _flush(pieces, current, head, limit)
        current = _flush(pieces, current, line, limit)
    if current or not pieces:
        pieces.append(current)
    return [p for p in pieces if p.strip()] or [text[:limit]]


def _flush(pieces: list[str], current: str, line: str, limit: int) -> str:
    candidate = f"{current}\n{line}" if current else line
    if len(candidate) <= limit:
        return candidate
    if current:
        pieces.append(current)
    return line
