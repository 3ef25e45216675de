"""PTB's requests over aiohttp instead of httpx.

httpx (with httpcore, anyio and h11 under it) walks several pure-Python layers per request and
checks each pooled connection, and the bot makes a request for every message it sends;
aiohttp's client parses HTTP in C and keeps its pool in a dict. PTB documents `BaseRequest` as
the way to bring another HTTP library; this is that, and nothing else changes: same URLs, same
form and multipart bodies, PTB's own error mapping from the status code and body it gets back.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_JSON = "application/json"
_ENCODER = json.JSONEncoder(check_circular=False)  # json.dumps's output; parameters are plain data


class AiohttpRequest(BaseRequest):
    def __init__(
        self,
        connections: int = 8,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 30.0,
    ) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections, enable_cleanup_closed=True)
            self._session = aiohttp.ClientSession(connector=connector, headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        unset = BaseRequest.DEFAULT_NONE
        read = self._read_timeout if read_timeout is unset else read_timeout
        connect = self._connect_timeout if connect_timeout is unset else connect_timeout
        pool = self._pool_timeout if pool_timeout is unset else pool_timeout
        # aiohttp's `connect` covers waiting for a pooled connection and opening one.
        waiting = None if connect is None or pool is None else connect + pool
        timeout = aiohttp.ClientTimeout(total=None, connect=waiting, sock_connect=connect, sock_read=read)
        try:
            async with self._session.request(
                method, url, data=_body(request_data), timeout=timeout, allow_redirects=False
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}") from exc


def _body(request_data: RequestData | None) -> Any:
    """A JSON body, which the Bot API accepts for any call without files: one json.dumps of the
    parameters, where a form would take one per value and a percent-encoding of the whole text.
    With files, a multipart form as PTB builds it for httpx (JSON-encoded values, the files as
    parts)."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        return aiohttp.payload.BytesPayload(_ENCODER.encode(request_data.parameters).encode(), content_type=_JSON)
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    files = request_data.multipart_data
    for name, (filename, content, mime_type) in files.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form
