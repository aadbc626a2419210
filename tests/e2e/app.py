"""The WSGI app behind every end-to-end scenario (served by gunicorn and uWSGI alike).

- ``/.../sleep?s=N``: answers after N seconds (a slow request, for the timeout rules);
- ``/.../bighdr?n=BYTES``: answers with an ``X-Big`` response header of BYTES bytes;
- anything else: ``ok PATH`` (an echo).

It always reads the whole request body, and tells which connection carried the request: the
``X-Conn`` response header and the log line name the peer's port (nginx's side of the upstream
connection), so a test can count upstream connections; the log line also names the protocol and
the Connection header nginx sent. Standard library only.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

StartResponse = Callable[..., Any]


def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "/")
    query = parse_qs(environ.get("QUERY_STRING", ""))
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length:
        environ["wsgi.input"].read(length)
    conn = f"{environ.get('REMOTE_ADDR', '')}:{environ.get('REMOTE_PORT', '')}"
    print(
        f"e2e-app: {environ.get('REQUEST_METHOD')} {path} {environ.get('SERVER_PROTOCOL')}"
        f" connection={environ.get('HTTP_CONNECTION', '-')} body={length} conn={conn}",
        file=sys.stderr,
        flush=True,
    )
    if path.endswith("/sleep"):
        time.sleep(float(query.get("s", ["1"])[0]))
    headers = [("Content-Type", "text/plain"), ("X-Conn", conn)]
    if path.endswith("/bighdr"):
        headers.append(("X-Big", "a" * int(query.get("n", ["6000"])[0])))
    body = f"ok {path}\n".encode()
    headers.append(("Content-Length", str(len(body))))
    start_response("200 OK", headers)
    return [body]
