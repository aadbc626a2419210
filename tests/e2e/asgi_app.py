"""The ASGI app behind the hypercorn scenarios: the lab's WSGI app (tests/e2e/app.py), served the
same way by an ASGI server.

- ``/.../sleep?s=N``: answers after N seconds (``asyncio.sleep``: a slow request that does not
  block the server's loop);
- anything else: ``ok PATH`` (an echo).

It always reads the whole request body, and tells which connection carried the request: the
``X-Conn`` response header and its log line name the peer's address (the proxy's side of the
upstream connection). Standard library only.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    path = scope.get("path", "/")
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    length = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return  # the client went away
        length += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    headers = dict(scope.get("headers", []))
    client = scope.get("client") or ("", "")
    conn = f"{client[0]}:{client[1]}"
    print(
        f"e2e-asgi-app: {scope.get('method')} {path} HTTP/{scope.get('http_version')}"
        f" connection={headers.get(b'connection', b'-').decode('latin-1')} body={length}"
        f" conn={conn}",
        file=sys.stderr,
        flush=True,
    )
    if path.endswith("/sleep"):
        seconds = float(query.get("s", ["1"])[0])
        await asyncio.sleep(seconds)
        print(f"e2e-asgi-app: slept {seconds:g} s for {path}", file=sys.stderr, flush=True)
    body = f"ok {path}\n".encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"text/plain"),
                (b"x-conn", conn.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
