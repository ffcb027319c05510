"""Texts for a member's channels: linking a second messenger, the preferred channel."""

TEXTS: dict[str, str] = {}
