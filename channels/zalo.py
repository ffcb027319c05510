"""An async client for the official Zalo Bot API (bot-api.zaloplatforms.com), over httpx.

Every method is `POST <base>/bot<TOKEN>/<method>` with a JSON body; the answer is
`{"ok": bool, "result"?, "error_code"?, "description"?}`. The HTTP status that comes with an
error is not documented, so both the status and `ok` are checked, and a body that is not
JSON (a bad token) is an error too. Failures are `DeliveryError`s with the same outcomes as
Telegram's. The token belongs in every URL, so httpx only ever sees `bot***` there (its own
log lines show that); the token is put in by the transport just before the request leaves.
No httpx exception text is ever logged or kept in an error (only the exception's type).

See ../shared/reference/platforms.md part A for what the platform does not confirm.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from core.delivery import DeliveryError, Failure

log = logging.getLogger(__name__)
DEFAULT_API_URL = "https://bot-api.zaloplatforms.com"
TEXT_LIMIT = 2000
NO_UPDATE = 408  # getUpdates: nothing arrived within the timeout
MASK = "/bot***/"  # the token's place in every URL httpx shows or logs


@dataclass(frozen=True, slots=True)
class ZaloError:
    """One error answer: the platform's code (or the HTTP status) and its description."""

    code: int
    description: str


@dataclass(frozen=True, slots=True)
class BotInfo:
    id: str
    account_name: str
    can_join_groups: bool


def failure(error: ZaloError) -> DeliveryError:
    """The delivery outcome of an error answer.

    429 is the platform's quota signal (it carries no retry hint: the caller backs off).
    No code is documented for "this person blocked the bot"; 403 is treated as that, as on
    Telegram. 401 means our token is wrong: retrying later is right, and it is logged.
    """
    detail = f"{error.code} {error.description}"[:200]
    if error.code == 429:
        return DeliveryError(Failure.RATE_LIMITED, detail)
    if error.code == 403:
        return DeliveryError(Failure.UNREACHABLE, detail)
    if error.code in (400, 404):
        gone = any(w in error.description.lower() for w in ("not found", "blocked"))
        return DeliveryError(Failure.UNREACHABLE if gone else Failure.BAD_REQUEST, detail)
    if error.code == 401:
        log.error("zalo: the bot token was refused (401); check ZALO_BOT_TOKEN")
    return DeliveryError(Failure.RETRY, detail)


class _TokenTransport(httpx.AsyncBaseTransport):
    """Puts the token in place of `MASK` on the way out, below httpx's logging."""

    def __init__(self, token: str, inner: httpx.AsyncBaseTransport) -> None:
        self._path = f"/bot{quote(token, safe=':')}/".encode()
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.raw_path.replace(MASK.encode(), self._path, 1)
        real = httpx.Request(
            request.method,
            request.url.copy_with(raw_path=path),
            headers=request.headers,
            stream=request.stream,
            extensions=request.extensions,
        )
        return await self._inner.handle_async_request(real)

    async def aclose(self) -> None:
        await self._inner.aclose()


class ZaloClient:
    def __init__(
        self,
        token: str,
        api_url: str = DEFAULT_API_URL,
        *,
        timeout: float = 20.0,
        photo_timeout: float = 60.0,  # Zalo downloads the photo before it answers
    ) -> None:
        self._base = f"{api_url.rstrip('/')}{MASK}"
        self._timeout = timeout
        self._photo_timeout = photo_timeout
        limits = httpx.Limits(max_connections=32, max_keepalive_connections=16)
        transport = _TokenTransport(token, httpx.AsyncHTTPTransport(limits=limits))
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def call(self, method: str, payload: dict[str, Any] | None = None, **kw: Any) -> Any:
        """The `result` of one method, or DeliveryError."""
        result, error = await self._call(method, payload, **kw)
        if error is not None:
            raise failure(error)
        return result

    async def _call(
        self,
        method: str,
        payload: dict[str, Any] | None,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - httpx's per-request timeout
    ) -> tuple[Any, ZaloError | None]:
        try:
            response = await self._http.post(
                self._base + method, json=payload or {}, timeout=timeout or self._timeout
            )
        except httpx.HTTPError as exc:
            raise DeliveryError(Failure.RETRY, type(exc).__name__) from None
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            # Not the platform's envelope: a refused token (401), a wrong ZALO_API_URL or a
            # proxy's error page. Nothing says the person or the request is at fault.
            if response.status_code == 401:
                log.error("zalo: the bot token was refused (401); check ZALO_BOT_TOKEN")
            detail = f"HTTP {response.status_code}, not a JSON answer"
            raise DeliveryError(Failure.RETRY, detail)
        if data.get("ok") is True and response.is_success:
            return data.get("result"), None
        code = data.get("error_code")
        code = code if isinstance(code, int) and code > 0 else response.status_code
        return None, ZaloError(code, str(data.get("description") or "")[:200])

    # --- the methods -----------------------------------------------------------------------

    async def get_me(self) -> BotInfo:
        me = await self.call("getMe")
        return BotInfo(
            str(me.get("id", "")),
            str(me.get("account_name", "")),
            bool(me.get("can_join_groups", False)),
        )

    async def get_updates(self, timeout: int = 30) -> dict[str, Any] | None:  # noqa: ASYNC109
        """One event, or None when nothing arrived within `timeout` seconds."""
        result, error = await self._call(
            "getUpdates", {"timeout": str(timeout)}, timeout=timeout + 10.0
        )
        if error is not None:
            if error.code == NO_UPDATE:
                return None
            raise failure(error)
        return result if isinstance(result, dict) else None

    async def set_webhook(self, url: str, secret_token: str) -> None:
        await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> None:
        await self.call("deleteWebhook")

    async def get_webhook_info(self) -> dict[str, Any]:
        info = await self.call("getWebhookInfo")
        return info if isinstance(info, dict) else {}

    async def send_message(self, chat_id: str, text: str) -> str:
        sent = await self.call("sendMessage", {"chat_id": chat_id, "text": text})
        return str((sent or {}).get("message_id", ""))

    async def send_photo(self, chat_id: str, photo_url: str, caption: str | None = None) -> str:
        payload = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            payload["caption"] = caption[:TEXT_LIMIT]
        sent = await self.call("sendPhoto", payload, timeout=self._photo_timeout)
        return str((sent or {}).get("message_id", ""))

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self.call("sendChatAction", {"chat_id": chat_id, "action": action})
