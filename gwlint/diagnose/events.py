"""What a log line says, once read: the contract between ``reading`` and ``causes``.

Plain slotted records (millions of lines go through here): no validation beyond what the
readers do. Times are POSIX seconds (UTC); a line with no time of its own takes the time of the
line before it in the same file (``timed=False``).
"""

from __future__ import annotations

from dataclasses import dataclass

# the kinds of log gwlint reads (``Event.source``)
NGINX_ERROR = "nginx-error"
NGINX_ACCESS = "nginx-access"
GUNICORN_ERROR = "gunicorn-error"
GUNICORN_ACCESS = "gunicorn-access"
UWSGI = "uwsgi"
UVICORN = "uvicorn"
SOURCES = (NGINX_ERROR, NGINX_ACCESS, GUNICORN_ERROR, GUNICORN_ACCESS, UWSGI, UVICORN)
APP_SOURCES = frozenset({GUNICORN_ERROR, GUNICORN_ACCESS, UWSGI, UVICORN})

MAX_TEXT = 500  # characters of a line kept as evidence


@dataclass(slots=True)
class Event:
    """One line of a log that matters to a diagnosis.

    ``signature``: the id of the catalogue entry the line matched (``reading.SIGNATURES``), e.g.
    ``nginx.upstream_timed_out``, ``gunicorn.worker_timeout``, ``uwsgi.harakiri``; ``"request"``
    for an access-log line (any status); ``""`` for a line that matched nothing in the catalogue
    but was read (it still moves time forward and counts for the window).
    """

    time: float  # POSIX seconds, UTC
    source: str  # one of SOURCES
    path: str  # the log file as given on the command line ("-" for standard input)
    line: int  # 1-based line number in that file (after decompression)
    text: str  # the line without a container/journal prefix, at most MAX_TEXT characters
    signature: str
    timed: bool = True  # False: the line had no time; ``time`` is the previous line's
    # requests (access logs) and nginx error lines that name one
    status: int | None = None  # the status the client got (access logs)
    method: str | None = None
    uri: str | None = None  # the request target, without the query string
    client: str | None = None
    upstream: str | None = None  # "127.0.0.1:8000", "unix:/run/app.sock", "app" (a group name)
    upstream_status: str | None = None  # "$upstream_status" as logged: "502", "504, 200", "-"
    request_time: float | None = None  # seconds ($request_time, gunicorn %(L)s)
    upstream_time: float | None = None  # seconds ($upstream_response_time, the last one)
    # app-server lines: the process that logged it (the worker for a timeout, the master else)
    pid: int | None = None
    detail: str | None = None  # what the signature captured: "21573" (a block size), "9" (signal)
