"""JSON control API shared by all platforms: helpers, faults, reset and health."""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from emulator.faults import FaultRegistry
from emulator.params import NotFoundError

JSONDict = dict[str, Any]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ControlError(Exception):
    """Answered as ``{"error": message}`` with ``status``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def reply(data: Any, status: int = 200) -> web.Response:
    return web.json_response(
        data, status=status, dumps=functools.partial(json.dumps, ensure_ascii=False)
    )


def control(handler: Handler) -> Handler:
    """Turn ControlError, NotFoundError and ValueError into JSON error answers."""

    @functools.wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except ControlError as error:
            return reply({"error": error.message}, error.status)
        except NotFoundError as error:
            return reply({"error": str(error)}, 404)
        except ValueError as error:
            return reply({"error": str(error)}, 400)

    return wrapper


async def json_body(request: web.Request) -> JSONDict:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise ControlError(400, "the body must be JSON") from None
    if not isinstance(body, dict):
        raise ControlError(400, "the body must be a JSON object")
    return body


def opt_int(data: Mapping[str, Any], name: str) -> int | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ControlError(400, f"{name} must be an integer")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ControlError(400, f"{name} must be an integer") from None


def req_int(data: Mapping[str, Any], name: str) -> int:
    value = opt_int(data, name)
    if value is None:
        raise ControlError(400, f"{name} is required")
    return value


def opt_float(data: Mapping[str, Any], name: str) -> float | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ControlError(400, f"{name} must be a number") from None


def opt_str(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ControlError(400, f"{name} must be a string")
    return value


def _chat_id(data: Mapping[str, Any]) -> int | str | None:
    """A fault's chat: an integer (Telegram) or a string (Zalo's opaque ids)."""
    value = data.get("chat_id")
    if isinstance(value, str) and value:
        return value
    return opt_int(data, "chat_id")


def req_str(data: Mapping[str, Any], name: str) -> str:
    value = opt_str(data, name)
    if not value:
        raise ControlError(400, f"{name} is required")
    return value


class SharedControl:
    """``/_emu/health``, ``/_emu/faults`` and ``/_emu/reset``."""

    def __init__(self, faults: FaultRegistry, reset: Callable[[], Awaitable[None]]) -> None:
        self.faults = faults
        self._reset = reset

    def setup_routes(self, app: web.Application) -> None:
        app.router.add_get("/_emu/health", control(self.health))
        app.router.add_post("/_emu/faults", control(self.add_fault))
        app.router.add_get("/_emu/faults", control(self.list_faults))
        app.router.add_delete("/_emu/faults", control(self.clear_faults))
        app.router.add_delete("/_emu/faults/{fault_id}", control(self.remove_fault))
        app.router.add_post("/_emu/reset", control(self.reset))

    async def health(self, request: web.Request) -> web.StreamResponse:
        return reply({"ok": True})

    async def add_fault(self, request: web.Request) -> web.StreamResponse:
        body = await json_body(request)
        if "seed" in body:
            self.faults.seed(opt_int(body, "seed"))
        rule = self.faults.add(
            req_str(body, "kind"),
            opt_str(body, "method") or "*",
            token=opt_str(body, "token"),
            platform=opt_str(body, "platform"),
            chat_id=_chat_id(body),
            retry_after=opt_int(body, "retry_after"),
            delay=opt_float(body, "delay"),
            count=opt_int(body, "count"),
            probability=opt_float(body, "probability"),
        )
        return reply({"id": rule.id})

    async def list_faults(self, request: web.Request) -> web.StreamResponse:
        return reply({"faults": [rule.to_json() for rule in self.faults.rules()]})

    async def clear_faults(self, request: web.Request) -> web.StreamResponse:
        self.faults.clear()
        return reply({"ok": True})

    async def remove_fault(self, request: web.Request) -> web.StreamResponse:
        if not self.faults.remove(req_int(request.match_info, "fault_id")):
            raise ControlError(404, "no such fault")
        return reply({"ok": True})

    async def reset(self, request: web.Request) -> web.StreamResponse:
        await self._reset()
        return reply({"ok": True})
