"""Async client for the emulator's control API, plus ``EmulatedUser`` for scripted chats."""

from __future__ import annotations

import functools
import ssl
from typing import Any, Protocol, Self, TypeVar

import httpx

from emulator.client_types import Call, Event, JSONDict, Pressed, Sent

__all__ = [
    "Call",
    "EmulatedUser",
    "EmulatorClient",
    "EmulatorError",
    "EmulatorTimeout",
    "Event",
    "Pressed",
    "Sent",
]


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """Built once per process: httpx builds one per client otherwise (~60 ms each)."""
    return ssl.create_default_context()


class EmulatorError(Exception):
    """The control API answered with an error (or could not be reached)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class EmulatorTimeout(EmulatorError):
    """Fewer bot events than expected arrived in time."""


class HasBody(Protocol):
    @property
    def body(self) -> str: ...


EventT = TypeVar("EventT", bound=HasBody)


def enough(events: list[EventT], expect: int, what: str, wait: float) -> list[EventT]:
    """`events`, or EmulatorTimeout saying what was awaited and what came instead."""
    if len(events) < expect:
        got = [e.body[:60] for e in events]
        raise EmulatorTimeout(
            f"{what}: expected {expect} bot event(s) within {wait}s, got {len(events)}: {got}"
        )
    return events


class ControlClient:
    """The HTTP side of a control-API client: errors become ``EmulatorError``."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._timeout = timeout
        self._http = httpx.AsyncClient(
            base_url=self.base_url, timeout=timeout, verify=_tls_context()
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _request(
        self, method: str, path: str, *, wait: float = 0.0, **kwargs: Any
    ) -> httpx.Response:
        try:
            response = await self._http.request(
                method, path, timeout=self._timeout + wait, **kwargs
            )
        except httpx.HTTPError as error:
            raise EmulatorError(f"{method} {path}: {error!r}") from error
        if response.status_code >= 400:
            try:
                detail = response.json().get("error", response.text)
            except ValueError:
                detail = response.text
            raise EmulatorError(
                f"{method} {path} -> {response.status_code}: {detail}", response.status_code
            )
        return response

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return (await self._request(method, path, **kwargs)).json()


class EmulatorClient(ControlClient):
    """Control one emulated Telegram bot (``token``) on the emulator at ``base_url``."""

    def _bot_path(self, tail: str) -> str:
        return f"/_emu/telegram/{self.token}/{tail}"

    async def send(self, user_id: int, text: str, **profile: str | None) -> Sent:
        body = {"user_id": user_id, "text": text, **profile}
        data = await self._json("POST", self._bot_path("send"), json=body)
        return Sent(int(data["update_id"]), int(data["message_id"]), int(data["seq"]))

    async def send_file(
        self,
        user_id: int,
        kind: str = "photo",
        *,
        file_name: str | None = None,
        size: int | None = None,
        caption: str | None = None,
    ) -> Sent:
        """The user sends a photo or a document (only its ids and size are emulated)."""
        body = {
            "user_id": user_id,
            "kind": kind,
            "file_name": file_name,
            "size": size,
            "caption": caption,
        }
        data = await self._json("POST", self._bot_path("send-file"), json=body)
        return Sent(int(data["update_id"]), int(data["message_id"]), int(data["seq"]))

    async def register_users(
        self,
        user_ids: list[int] | None = None,
        *,
        first_id: int | None = None,
        count: int | None = None,
        first_name: str | None = None,
    ) -> JSONDict:
        """Make many private chats known at once (no updates): a list and/or a range of ids."""
        body: JSONDict = {"users": [{"user_id": u} for u in user_ids or []]}
        if count is not None:
            body |= {"first_id": first_id, "count": count, "first_name": first_name}
        result: JSONDict = await self._json("POST", self._bot_path("users/bulk"), json=body)
        return result

    async def press(self, user_id: int, label: str, message_id: int | None = None) -> Pressed:
        body = {"user_id": user_id, "label": label, "message_id": message_id}
        data = await self._json("POST", self._bot_path("press"), json=body)
        return Pressed(
            int(data["update_id"]),
            str(data["callback_query_id"]),
            str(data["data"]),
            int(data["message_id"]),
            int(data["seq"]),
        )

    async def block(self, user_id: int, blocked: bool = True) -> int | None:
        """Block (or unblock) the bot as ``user_id``; the my_chat_member update id, if any."""
        body = {"user_id": user_id, "blocked": blocked}
        data = await self._json("POST", self._bot_path("block"), json=body)
        return None if data["update_id"] is None else int(data["update_id"])

    async def events(
        self,
        chat_id: int,
        after: int = 0,
        min_count: int = 0,
        timeout: float = 0.0,  # noqa: ASYNC109 - the server waits, not this coroutine
        quiet: float = 0.15,
    ) -> list[Event]:
        """Bot events in the chat after seq ``after`` (waits as ``ChatLog.wait_events``)."""
        params = {"after": after, "min": min_count, "timeout": timeout, "quiet": quiet}
        path = self._bot_path(f"chats/{chat_id}/events")
        data = await self._json("GET", path, params=params, wait=timeout)
        return [Event.from_json(item) for item in data["events"]]

    async def messages(self, chat_id: int) -> list[Event]:
        """Current state of every bot message in the chat (``seq`` = its latest event)."""
        data = await self._json("GET", self._bot_path(f"chats/{chat_id}/messages"))
        return [Event.from_json(item) for item in data]

    async def add_fault(
        self,
        method: str = "*",
        kind: str = "500",
        *,
        chat_id: int | None = None,
        retry_after: int | None = None,
        delay: float | None = None,
        count: int | None = None,
        probability: float | None = None,
        any_token: bool = False,
    ) -> int:
        body = {
            "token": None if any_token else self.token,
            "platform": "telegram",
            "method": method,
            "kind": kind,
            "chat_id": chat_id,
            "retry_after": retry_after,
            "delay": delay,
            "count": count,
            "probability": probability,
        }
        body = {key: value for key, value in body.items() if value is not None}
        return int((await self._json("POST", "/_emu/faults", json=body))["id"])

    async def clear_faults(self) -> None:
        await self._request("DELETE", "/_emu/faults")

    async def set_rate_limit(
        self,
        enabled: bool = True,
        overall_per_second: float | None = None,
        per_chat_per_second: float | None = None,
    ) -> JSONDict:
        body = {
            "enabled": enabled,
            "overall_per_second": overall_per_second,
            "per_chat_per_second": per_chat_per_second,
        }
        result: JSONDict = await self._json("POST", self._bot_path("rate-limit"), json=body)
        return result

    async def rate_limit_status(self) -> JSONDict:
        """``{"enabled", "violations" (a count), "overall_per_second", ...}``."""
        result: JSONDict = await self._json("GET", self._bot_path("rate-limit"))
        return result

    async def calls(self, method: str | None = None) -> list[Call]:
        params = {"method": method} if method else {}
        data = await self._json("GET", self._bot_path("calls"), params=params)
        return [Call(c["method"], c["chat_id"], int(c["status"]), float(c["at"])) for c in data]

    async def commands(self) -> list[JSONDict]:
        """``[{"scope": {...}, "language_code": "", "commands": [{command, description}]}]``."""
        data = await self._json("GET", self._bot_path("commands"))
        return list(data)

    async def callback_answers(self) -> list[JSONDict]:
        data = await self._json("GET", self._bot_path("callback-answers"))
        return list(data)

    async def unanswered_callbacks(self) -> list[JSONDict]:
        data = await self._json("GET", self._bot_path("unanswered-callbacks"))
        return list(data)

    async def download(self, file_id: str) -> bytes:
        return (await self._request("GET", self._bot_path(f"files/{file_id}"))).content

    async def reset(self) -> None:
        """Forget every bot, chat and fault on the emulator."""
        await self._request("POST", "/_emu/reset")


class EmulatedUser:
    """A person chatting with the bot: ``say`` and ``tap`` return the bot's replies."""

    def __init__(
        self,
        client: EmulatorClient,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        *,
        quiet: float = 0.15,
    ) -> None:
        self.client = client
        self.user_id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.quiet = quiet
        self.last_replies: list[Event] = []

    @property
    def chat_id(self) -> int:
        return self.user_id

    async def say(
        self,
        text: str,
        expect: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - the server waits, not this coroutine
    ) -> list[Event]:
        """Send ``text``; wait for at least ``expect`` bot events (0: just wait ``quiet``)."""
        sent = await self.client.send(
            self.user_id,
            text,
            first_name=self.first_name,
            last_name=self.last_name,
            username=self.username,
        )
        return await self._replies(sent.seq, expect, timeout, f"saying {text!r}")

    async def tap(
        self,
        label: str,
        expect: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - the server waits, not this coroutine
        message_id: int | None = None,
    ) -> list[Event]:
        """Press the inline button ``label``; wait for the bot's reactions like ``say``."""
        pressed = await self.client.press(self.user_id, label, message_id)
        return await self._replies(pressed.seq, expect, timeout, f"tapping {label!r}")

    async def send_file(
        self,
        kind: str = "photo",
        *,
        caption: str | None = None,
        size: int | None = None,
        expect: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - the server waits, not this coroutine
    ) -> list[Event]:
        """Send a photo or document; wait for the bot's replies like ``say``."""
        sent = await self.client.send_file(self.user_id, kind, caption=caption, size=size)
        return await self._replies(sent.seq, expect, timeout, f"sending a {kind}")

    async def block(self, blocked: bool = True) -> None:
        await self.client.block(self.user_id, blocked)

    async def messages(self) -> list[Event]:
        return await self.client.messages(self.chat_id)

    async def _replies(self, after: int, expect: int, wait: float, what: str) -> list[Event]:
        # expect=0: the server still waits until the chat was quiet for ``quiet`` seconds.
        events = await self.client.events(
            self.chat_id, after=after, min_count=max(expect, 0), timeout=wait, quiet=self.quiet
        )
        self.last_replies = events
        return enough(events, expect, f"user {self.user_id} {what}", wait)
