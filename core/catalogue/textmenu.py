"""Texts for text-only channels (Zalo): numbered menus, typed commands, files as links."""

TEXTS: dict[str, str] = {}
