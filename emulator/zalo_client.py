"""Async client for the Zalo part of the control API, plus ``ZaloEmulatedUser``."""

from __future__ import annotations

from emulator.client import ControlClient, enough
from emulator.zalo_client_types import JSONDict, ZaloCall, ZaloEvent, ZaloSent, zalo_user_id

__all__ = [
    "ZaloCall",
    "ZaloEmulatedUser",
    "ZaloEmulatorClient",
    "ZaloEvent",
    "ZaloSent",
    "zalo_user_id",
]


class ZaloEmulatorClient(ControlClient):
    """Control one emulated Zalo bot (``token``) on the emulator at ``base_url``."""

    def _bot_path(self, tail: str) -> str:
        return f"/_emu/zalo/{self.token}/{tail}"

    async def send(self, user_id: str, text: str, display_name: str | None = None) -> ZaloSent:
        """The user writes ``text`` (a ``message.text.received`` event)."""
        body = {"user_id": user_id, "text": text, "display_name": display_name}
        data = await self._json("POST", self._bot_path("send"), json=body)
        return ZaloSent(str(data["message_id"]), int(data["seq"]))

    async def event(self, user_id: str, kind: str, **fields: str | None) -> ZaloSent:
        """Any user event: kind "text" | "image" | "sticker" | "unsupported" (+ its fields)."""
        body = {"user_id": user_id, "kind": kind, **fields}
        data = await self._json("POST", self._bot_path("event"), json=body)
        return ZaloSent(str(data["message_id"]), int(data["seq"]))

    async def replay(self, message_id: str | None = None) -> ZaloSent:
        """Queue the last user event (or ``message_id``) again, same message_id."""
        data = await self._json("POST", self._bot_path("replay"), json={"message_id": message_id})
        return ZaloSent(str(data["message_id"]), int(data["seq"]))

    async def block(self, user_id: str, blocked: bool = True) -> None:
        body = {"user_id": user_id, "blocked": blocked}
        await self._json("POST", self._bot_path("block"), json=body)

    async def events(
        self,
        chat_id: str,
        after: int = 0,
        min_count: int = 0,
        timeout: float = 0.0,  # noqa: ASYNC109 - the server waits, not this coroutine
        quiet: float = 0.15,
    ) -> list[ZaloEvent]:
        """Bot events in the chat after seq ``after`` (waits as ``ChatLog.wait_events``)."""
        params = {"after": after, "min": min_count, "timeout": timeout, "quiet": quiet}
        path = self._bot_path(f"chats/{chat_id}/events")
        data = await self._json("GET", path, params=params, wait=timeout)
        return [ZaloEvent.from_json(item) for item in data["events"]]

    async def messages(self, chat_id: str) -> list[ZaloEvent]:
        """Every message the bot sent to the chat, oldest first."""
        data = await self._json("GET", self._bot_path(f"chats/{chat_id}/messages"))
        return [ZaloEvent.from_json(item) for item in data]

    async def calls(self, method: str | None = None) -> list[ZaloCall]:
        params = {"method": method} if method else {}
        data = await self._json("GET", self._bot_path("calls"), params=params)
        return [
            ZaloCall(c["method"], c["chat_id"], int(c["status"]), float(c["at"]), c["error_code"])
            for c in data
        ]

    async def download(self, file_id: str) -> bytes:
        """The bytes the emulator fetched for a sendPhoto."""
        return (await self._request("GET", self._bot_path(f"files/{file_id}"))).content

    async def webhook(self) -> JSONDict:
        """``{"url", "secret_set", "updated_at", "pending", "deliveries": [...]}``."""
        result: JSONDict = await self._json("GET", self._bot_path("webhook"))
        return result

    async def set_rate_limit(
        self,
        enabled: bool = True,
        overall_per_second: float | None = None,
        per_chat_per_second: float | None = None,
        reset_violations: bool = False,
    ) -> JSONDict:
        body = {
            "enabled": enabled,
            "overall_per_second": overall_per_second,
            "per_chat_per_second": per_chat_per_second,
            "reset_violations": reset_violations,
        }
        result: JSONDict = await self._json("POST", self._bot_path("rate-limit"), json=body)
        return result

    async def rate_limit_status(self) -> JSONDict:
        """``{"enabled", "violations" (a count), "overall_per_second", ...}``."""
        result: JSONDict = await self._json("GET", self._bot_path("rate-limit"))
        return result

    async def add_fault(
        self,
        method: str = "*",
        kind: str = "500",
        *,
        chat_id: str | None = None,
        delay: float | None = None,
        count: int | None = None,
        probability: float | None = None,
    ) -> int:
        body = {
            "token": self.token,
            "platform": "zalo",
            "method": method,
            "kind": kind,
            "chat_id": chat_id,
            "delay": delay,
            "count": count,
            "probability": probability,
        }
        body = {key: value for key, value in body.items() if value is not None}
        return int((await self._json("POST", "/_emu/faults", json=body))["id"])

    async def clear_faults(self) -> None:
        await self._request("DELETE", "/_emu/faults")

    async def settings(self, error_style: str | None = None) -> JSONDict:
        """Set (or just read) the bot's settings: ``error_style`` "mirror" | "http200"."""
        body = {"error_style": error_style} if error_style else {}
        result: JSONDict = await self._json("POST", self._bot_path("settings"), json=body)
        return result

    async def reset(self) -> None:
        """Forget every bot, chat and fault on the emulator (Telegram's too)."""
        await self._request("POST", "/_emu/reset")


class ZaloEmulatedUser:
    """A person chatting with a Zalo bot: ``say`` returns the bot's replies."""

    def __init__(
        self,
        client: ZaloEmulatorClient,
        user_id: str,
        display_name: str,
        *,
        quiet: float = 0.15,
    ) -> None:
        self.client = client
        self.user_id = user_id
        self.display_name = display_name
        self.quiet = quiet
        self.last_replies: list[ZaloEvent] = []

    @property
    def chat_id(self) -> str:
        return self.user_id

    async def say(
        self,
        text: str,
        expect: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - the server waits, not this coroutine
    ) -> list[ZaloEvent]:
        """Send ``text``; wait for at least ``expect`` bot events (0: just wait ``quiet``)."""
        sent = await self.client.send(self.user_id, text, self.display_name)
        return await self._replies(sent.seq, expect, timeout, f"saying {text!r}")

    async def send_event(
        self,
        kind: str,
        expect: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - the server waits, not this coroutine
        **fields: str | None,
    ) -> list[ZaloEvent]:
        """Send an image, sticker or unsupported event; wait for replies like ``say``."""
        sent = await self.client.event(
            self.user_id, kind, display_name=self.display_name, **fields
        )
        return await self._replies(sent.seq, expect, timeout, f"sending a {kind} event")

    async def block(self, blocked: bool = True) -> None:
        await self.client.block(self.user_id, blocked)

    async def messages(self) -> list[ZaloEvent]:
        return await self.client.messages(self.chat_id)

    async def _replies(self, after: int, expect: int, wait: float, what: str) -> list[ZaloEvent]:
        events = await self.client.events(
            self.chat_id, after=after, min_count=max(expect, 0), timeout=wait, quiet=self.quiet
        )
        self.last_replies = events
        who = f"Zalo user {self.user_id} ({self.display_name})"
        return enough(events, expect, f"{who} {what}", wait)
