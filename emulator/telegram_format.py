"""Validation and rendering helpers for Telegram message content."""

from __future__ import annotations

import html
import re
import struct
from typing import Any

from emulator.params import bad_request

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64

_TAG = re.compile(r"<[^<>]*>")
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SCOPES = {
    "default": (),
    "all_private_chats": (),
    "all_group_chats": (),
    "all_chat_administrators": (),
    "chat": ("chat_id",),
    "chat_administrators": ("chat_id",),
    "chat_member": ("chat_id", "user_id"),
}


def visible_text(text: str, parse_mode: str | None) -> str:
    """The text a user sees: HTML tags are removed and entities decoded for parse_mode=HTML."""
    if parse_mode and parse_mode.lower() == "html":
        return html.unescape(_TAG.sub("", text))
    return text


def check_text(text: str | None) -> str:
    if text is None or not text.strip():
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    return text


def check_caption(caption: str | None) -> str | None:
    if caption is not None and len(caption) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return caption or None


def parse_markup(markup: Any) -> tuple[dict[str, Any] | None, list[list[dict[str, Any]]]]:
    """Validate ``reply_markup``; return it and the inline buttons as log rows."""
    if markup is None:
        return None, []
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    keyboard = markup.get("inline_keyboard")
    if keyboard is None:
        return markup, []
    if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
        raise bad_request("can't parse inline keyboard markup JSON object")
    rows: list[list[dict[str, Any]]] = []
    for row in keyboard:
        buttons: list[dict[str, Any]] = []
        for button in row:
            buttons.append(_parse_button(button))
        if buttons:
            rows.append(buttons)
    return markup, rows


def _parse_button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed")
    if not button["text"].strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    entry: dict[str, Any] = {"label": button["text"], "data": None}
    data = button.get("callback_data")
    if data is not None:
        size = len(str(data).encode("utf-8"))
        if not isinstance(data, str) or not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
        entry["data"] = data
    elif isinstance(button.get("url"), str):
        entry["url"] = button["url"]
    elif not any(key in button for key in ("web_app", "switch_inline_query", "login_url")):
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed")
    return entry


def check_commands(commands: Any) -> list[dict[str, str]]:
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    result: list[dict[str, str]] = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand")
        command, description = item.get("command"), item.get("description")
        if not isinstance(command, str) or not _COMMAND.match(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        result.append({"command": command, "description": description})
    return result


def check_scope(scope: Any) -> dict[str, Any]:
    if scope is None:
        return {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
        raise bad_request("can't parse BotCommandScope")
    for key in _SCOPES[scope["type"]]:
        if key not in scope:
            raise bad_request(f"BotCommandScope {scope['type']} needs {key}")
    return scope


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, GIF or JPEG image; (0, 0) when unknown."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return 0, 0


def _jpeg_size(data: bytes) -> tuple[int, int]:
    pos = 2
    while pos + 9 < len(data):
        if data[pos] != 0xFF:
            return 0, 0
        marker = data[pos + 1]
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return int(width), int(height)
        pos += 2 + length
    return 0, 0
