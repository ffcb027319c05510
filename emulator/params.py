"""Request parameters and errors shared by the emulated bot APIs.

Bot API clients send parameters in three shapes: a JSON body, a form-urlencoded body
(python-telegram-bot JSON-encodes every non-string value, e.g. ``chat_id=123`` or
``reply_markup={"inline_keyboard": ...}``) and multipart bodies carrying files.
The query string is accepted as well.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

JSONDict = dict[str, Any]


class ApiError(Exception):
    """A Bot API error answer: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def envelope(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


class NotFoundError(LookupError):
    """A control-API lookup failed (a user, button or file): answered with 404."""


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content: bytes
    content_type: str


class Params:
    """Typed access to the parameters of one API call."""

    def __init__(self, values: JSONDict, files: dict[str, UploadedFile] | None = None) -> None:
        self.values = values
        self.files = files or {}

    def __contains__(self, name: str) -> bool:
        return name in self.values or name in self.files

    def get_str(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None or isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False)

    def get_int(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def get_float(self, name: str) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("true", "1", "yes")

    def get_json(self, name: str) -> Any:
        """A structured parameter: decoded when it arrives as a JSON string."""
        value = self.values.get(name)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None


async def read_params(request: web.Request) -> Params:
    """Collect the query string and the body (JSON, form or multipart) of ``request``."""
    values: JSONDict = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.method != "POST" or not request.can_read_body:
        return Params(values, files)
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON body") from None
        if not isinstance(body, dict):
            raise bad_request("JSON body must be an object")
        values.update(body)
        return Params(values, files)
    form = await request.post()
    for key, item in form.items():
        if isinstance(item, web.FileField):
            files[key] = UploadedFile(
                filename=item.filename or key,
                content=item.file.read(),
                content_type=item.content_type or "application/octet-stream",
            )
        elif isinstance(item, bytes | bytearray):
            values[key] = bytes(item).decode("utf-8", "replace")
        else:
            values[key] = item
    return Params(values, files)


def ok_response(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result}, dumps=_dumps)


def error_response(error: ApiError) -> web.Response:
    return web.json_response(error.envelope(), status=error.code, dumps=_dumps)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
