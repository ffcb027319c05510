"""python-telegram-bot's HTTP transport on aiohttp (PTB's `BaseRequest` extension point).

PTB's default transport is httpx. Answering one button press takes two Bot API calls
(answerCallbackQuery, editMessageText), and under load httpx and httpcore's connection pool
cost about half the bot's CPU: per request they build anyio attribute maps, check every
pooled connection for expiry and stream the body through several layers
(docs/BENCHMARKS.md, self-check under load). aiohttp, already the transport of the outbox
(channels/botapi.py) and of the webhook server, does the same request for a fraction of that.
PTB still builds the requests and parses the answers; only the bytes move differently.
"""

from __future__ import annotations

from typing import IO, Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


def _chosen(value: ODVInput[float], default: float | None) -> float | None:
    """PTB passes DEFAULT_NONE for "use this transport's default" and None for "no limit"."""
    return default if isinstance(value, DefaultValue) else value


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a bounded connection pool; timeouts as PTB's httpx defaults."""

    def __init__(
        self,
        *,
        connections: int = 64,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._connections = connections
        self._read = read_timeout
        self._write = write_timeout
        self._connect = connect_timeout
        self._media_write = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections, keepalive_timeout=30)
            self._session = aiohttp.ClientSession(connector=connector)

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data is not None else None
        body = _body(request_data, files)
        # aiohttp has no separate write timeout: the time to send the request counts in
        # the whole call's limit, which is the read and write allowances together.
        read = _chosen(read_timeout, self._read)
        write = _chosen(write_timeout, self._media_write if files else self._write)
        connect = _chosen(connect_timeout, self._connect)
        total = None if read is None or write is None else read + write + (connect or 0.0)
        timeout = aiohttp.ClientTimeout(total=total, connect=connect, sock_read=read)
        try:
            async with self._session.request(method, url, data=body, timeout=timeout) as answer:
                return answer.status, await answer.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}") from exc


def _body(
    request_data: RequestData | None, files: dict[str, Any] | None
) -> aiohttp.FormData | dict[str, str] | None:
    """A form, as PTB's httpx transport sends it: url-encoded, or multipart with files."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    if not files:
        return fields
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():
        data: bytes | IO[bytes] = content
        form.add_field(name, data, filename=filename or name, content_type=mimetype)
    return form
