"""A lean Bot API sender for bulk messages (the outbox).

PTB builds and parses full `Message` objects for every call; for thousands of reminders that
costs several milliseconds of CPU each (docs/BENCHMARKS.md). Here a message is one JSON POST
and the answer is read only for what delivery needs: ok, message id, and the error class.
Replies to a person's own action still go through PTB.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from core.delivery import DeliveryError, Failure


class BotApiSender:
    def __init__(self, api_url: str, token: str, *, timeout: float = 20.0) -> None:
        self._base = f"{api_url.rstrip('/')}/bot{token}/"
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=64, keepalive_timeout=30)
            self._session = aiohttp.ClientSession(timeout=self._timeout, connector=connector)
        return self._session

    async def send_message(
        self, chat_id: int, text: str, keyboard: list[list[dict[str, str]]] | None
    ) -> str:
        payload: dict[str, Any] = {"chat_id": chat_id, "text": text}
        if keyboard:
            payload["reply_markup"] = {"inline_keyboard": keyboard}
        try:
            async with self._client().post(self._base + "sendMessage", json=payload) as resp:
                status = resp.status
                data = await resp.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            # The exception text may contain the URL, and so the token: keep only its type.
            raise DeliveryError(Failure.RETRY, type(exc).__name__) from None
        if isinstance(data, dict) and data.get("ok"):
            return str(data["result"]["message_id"])
        raise _failure(status, data if isinstance(data, dict) else {})


def _failure(status: int, data: dict[str, Any]) -> DeliveryError:
    code = int(data.get("error_code") or status)
    detail = str(data.get("description") or status)[:200]
    if code == 429:
        wait = float((data.get("parameters") or {}).get("retry_after") or 1)
        return DeliveryError(Failure.RATE_LIMITED, "429", retry_after=wait)
    if code == 403:
        return DeliveryError(Failure.UNREACHABLE, detail)
    if code == 400:
        gone = "chat not found" in detail.lower()
        return DeliveryError(Failure.UNREACHABLE if gone else Failure.BAD_REQUEST, detail)
    return DeliveryError(Failure.RETRY, detail)
