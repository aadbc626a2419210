"""From the events of the logs to the causes of the failed requests.

``diagnose(events, findings)`` reads the events of ``reading.read`` (time-ordered across the
files) once, with bounded memory: it keeps the nginx error lines and the app server's lines of
the last ``2 * WINDOW`` seconds, holds each failed request until the stream is ``WINDOW`` seconds
past it (the lines the app server writes just after it are in), then classifies it and adds it
to its cause. Only counters and the first evidence lines of each cause stay.

Failed requests
  * nginx access lines with a status >= 500, or 499;
  * where no nginx access log covers the time (no access line within ``WINDOW`` seconds), the
    nginx error lines that name a request (``upstream timed out``, ``connect() failed``...);
  * where no nginx access log covers the time, the app server's own access lines >= 500 (the app
    alone), unless an nginx error line names the same request.

Each is joined with the nginx error lines of the same request (method, URI and client, within
``WINDOW`` seconds), which give its upstream when the access log does not, and with the app
server's lines of the same time on the same upstream (per upstream when the app's log says where
it listens, by time when it does not): its own lines first (those naming its URI, and the lines
about the same worker process), else the lines that name no request (a timeout, a kill, a
restart).

Classification: the first row of ``TABLE`` that matches wins (docs/diagnose.md shows it).

A finding of ``check`` on the configs (``findings``) of a code tried for a cause, on the same
upstream (the finding names its address, or names none), is preferred to the default code: the
cause then carries the finding's severity, its lines (``related``) and its fix.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gwlint.diagnose import events as ev
from gwlint.model.diagnostics import Related, Severity

if TYPE_CHECKING:
    from gwlint.diagnose.events import Event
    from gwlint.model.diagnostics import Diagnostic

WINDOW = 5.0  # seconds: how far apart the lines of one failure may be written
ANSWERING = 75.0  # seconds: a success this recent says the upstream was answering
RESTART_NEAR = 60.0  # seconds: a start or stop this close to a refusal makes it a restart
MAX_PENDING = 100_000  # failed requests held at once (beyond: the oldest is classified early)
MAX_BUFFERED = 100_000  # lines kept for the joins at once (beyond: the oldest is dropped)
MAX_UNATTRIBUTED = 10_000  # app lines that name no request, kept for the joins
MAX_EVIDENCE = 5  # lines per log file and cause
MAX_UPSTREAMS = 10  # upstreams named per cause
MAX_KEYS = 10_000  # upstreams tracked one by one (beyond: together)
MESSAGE_LIMIT = 200
SCAN = 500  # lines looked at, at most, to join one failure

# --- what a line means ------------------------------------------------------------------------
# nginx error log
TIMED_OUT = "timed-out"
PREMATURE = "premature"
RESET = "reset"
REFUSED = "refused"
PERMISSION = "permission"
BACKLOG = "backlog"
NO_LIVE = "no-live"
TOO_BIG = "too-big-header"
CLIENT_CLOSED = "client-closed"
SSL = "ssl"
NO_RESOLVER = "no-resolver"
# app servers
WORKER_TIMEOUT = "worker-timeout"
EXCEPTION = "exception"
HARAKIRI = "harakiri"
BLOCK_SIZE = "block-size"
HTTP_SIZE = "http-size"
MODIFIER = "modifier"
INVALID_HTTP = "invalid-http"
SSL_APP = "ssl-app"
LIMIT_POST = "limit-post"
BODY_TIMEOUT = "body-timeout"
KILLED = "killed"
START = "start"
STOP = "stop"

PROTOCOL = "protocol"  # nginx cannot read the upstream's answer
QUEUE_FULL = "queue-full"
BIND_FAILED = "bind-failed"

# signature id (reading.SIGNATURES) -> kind; ids not here are read for the window only
# (tests/test_diagnose.py checks that every id of the catalogue is here or in IGNORED)
KINDS: dict[str, str] = {
    "nginx.upstream_timed_out": TIMED_OUT,
    "nginx.upstream_prematurely_closed": PREMATURE,
    "nginx.upstream_reset": RESET,
    "nginx.send_failed": RESET,
    "nginx.connect_refused": REFUSED,
    "nginx.connect_no_socket": REFUSED,
    "nginx.connect_again": BACKLOG,
    "nginx.connect_failed": REFUSED,  # 13: Permission denied is PERMISSION (``kind``)
    "nginx.no_live_upstreams": NO_LIVE,
    "nginx.too_big_header": TOO_BIG,
    "nginx.invalid_header": PROTOCOL,
    "nginx.no_valid_header": PROTOCOL,
    "nginx.ssl_handshake_failed": SSL,
    "nginx.no_resolver": NO_RESOLVER,
    "nginx.client_closed": CLIENT_CLOSED,
    "gunicorn.worker_timeout": WORKER_TIMEOUT,
    "gunicorn.error_handling_request": EXCEPTION,
    "gunicorn.asgi_exception": EXCEPTION,
    "gunicorn.traceback": EXCEPTION,
    "gunicorn.worker_sigkill": KILLED,
    "gunicorn.boot_failed": STOP,
    "gunicorn.refused_to_start": STOP,  # it exited at start
    "gunicorn.starting": START,
    "gunicorn.listening": START,
    "gunicorn.shutting_down": STOP,
    "gunicorn.connection_in_use": BIND_FAILED,
    "uwsgi.harakiri": HARAKIRI,
    "uwsgi.harakiri_request": HARAKIRI,  # names the request harakiri killed
    "uwsgi.invalid_block_size": BLOCK_SIZE,
    "uwsgi.invalid_http_size": HTTP_SIZE,
    "uwsgi.starting": START,
    "uwsgi.listen_queue_full": QUEUE_FULL,
    "uwsgi.body_read_timeout": BODY_TIMEOUT,
    "uwsgi.content_length_too_big": LIMIT_POST,
    "uwsgi.stopping": STOP,
    "uwsgi.brutally_killing": STOP,
    "uwsgi.goodbye": STOP,
    "uwsgi.traceback": EXCEPTION,
    "uvicorn.exception": EXCEPTION,
    "uvicorn.no_response": EXCEPTION,
    "uvicorn.invalid_request": INVALID_HTTP,
    "uvicorn.started": START,
    "uvicorn.running": START,
    "uvicorn.shutting_down": STOP,
    "uvicorn.finished": STOP,
    "uvicorn.bind_failed": BIND_FAILED,
    "uvicorn.traceback": EXCEPTION,
}
# ids whose kind depends on what the line captured (``kind``)
_BY_DETAIL = frozenset(
    {
        "nginx.connect_failed",
        "gunicorn.worker_signal",
        "gunicorn.handling_signal",
        "gunicorn.invalid_request",
        "uwsgi.worker_died",
    }
)
# ids that say nothing about a failed request (the time window only): nginx's own answers
# (413, 400, 414), its bookkeeping, workers coming and going, the app writing to a closed
# connection (a consequence of nginx's timeout, never a cause)
IGNORED = frozenset(
    {
        "request",
        "nginx.body_too_large",
        "nginx.header_too_long",
        "nginx.uri_too_long",
        "nginx.upstream_disabled",
        "gunicorn.worker_exited",
        "gunicorn.booting_worker",
        "gunicorn.worker_exiting",
        "uwsgi.respawned",
        "uwsgi.spawned",
        "uwsgi.body_read_error",
        "uwsgi.write_error",
        "uwsgi.sigpipe",
    }
)
_LISTENING = frozenset({"gunicorn.listening", "uvicorn.running"})
_STOPPING_SIGNALS = frozenset({"term", "int", "quit"})
# the last line of a Python traceback: ``ZeroDivisionError: division by zero``, ``SystemExit: 1``
_EXCEPTION_LINE = re.compile(r"(?:[A-Za-z_]\w{0,100}\.){0,20}[A-Z]\w{0,100}(?::|$)")

# the kinds of nginx error line that fail a request on their own, and the status they give
ERROR_STATUS = {
    TIMED_OUT: 504,
    PREMATURE: 502,
    RESET: 502,
    REFUSED: 502,
    PERMISSION: 502,
    BACKLOG: 502,
    NO_LIVE: 502,
    TOO_BIG: 502,
    SSL: 502,
    NO_RESOLVER: 502,
    CLIENT_CLOSED: 499,
}
APP_FAILURE_KINDS = frozenset({WORKER_TIMEOUT, HARAKIRI, KILLED})
LIFECYCLE = frozenset({START, STOP})

# refusals that never end: the codes of the configs' findings that explain them, the first
# (a wrong address) when none does
NEVER_LISTENING = (
    "GW401",
    "GW707",
    "GW705",
    "GW706",
    "GW703",
    "GW003",
    "GW004",
    "GW304",
    "GW410",
)

# an HTTP request line read as a uwsgi packet header: its 2nd and 3rd bytes are the size
# (little-endian), "ET" of "GET " is 21573, "OS" of "POST" 21327...
HTTP_METHODS = ("GET", "POST", "PUT", "HEAD", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE")
HTTP_BLOCK_SIZES = frozenset(ord(m[1]) + 256 * ord(m[2]) for m in HTTP_METHODS)

# the fix line of a cause a rule code names, when no finding of the configs gives one
ADVICE = {
    "GW101": "make gunicorn's timeout longer than nginx's proxy_read_timeout (give gwlint "
    "diagnose the configs: it names both lines)",
    "GW102": "make uWSGI's harakiri longer than nginx's uwsgi_read_timeout (give gwlint diagnose "
    "the configs: it names both lines)",
    "GW201": "make the app's keep-alive timeout longer than nginx's upstream keepalive_timeout "
    "(give gwlint diagnose the configs: it names both lines)",
    "GW304": "raise the app's listen queue (and net.core.somaxconn), or add workers",
    "GW401": "point proxy_pass (uwsgi_pass) at the address the app listens on (give gwlint "
    "diagnose the configs: it names both lines)",
    "GW402": "use proxy_pass for an app that speaks HTTP (uwsgi_pass only for a uwsgi socket)",
    "GW403": "use uwsgi_pass for uWSGI's socket (or make uWSGI listen with http-socket)",
    "GW405": "let nginx's user connect to the app's unix socket (its folder and chmod-socket)",
    "GW406": "use the scheme the app serves: http:// to a plain app, https:// to an app with TLS",
    "GW407": "add a resolver to nginx, or write the address without a variable",
    "GW501": "raise uWSGI's buffer-size above the largest request headers nginx lets through",
    "GW504": "raise proxy_buffer_size (uwsgi_buffer_size) to hold the app's response headers",
    "GW505": "raise uWSGI's limit-post to nginx's client_max_body_size",
    "GW107": "set post-buffering in uWSGI, or raise socket-timeout",
}

# what was seen -> the cause (and the codes tried first when the configs have a finding of one),
# in the order ``Diagnoser._classify`` tries them: docs/diagnose.md shows it
TABLE: tuple[tuple[str, str, str], ...] = (
    ("status 499, or only `client prematurely closed connection`", "GW905", "GW103, GW111"),
    ("nginx `no live upstreams`", "GW906", ""),
    ("nginx `connect() to unix:... failed (13: Permission denied)`", "GW405", ""),
    ("nginx `connect() to unix:... failed (11: Resource temporarily unavailable)`", "GW304", ""),
    (
        "nginx `connect() failed (111: Connection refused)` (or `(2: No such file or directory)` "
        "on a unix socket): decided per upstream at the end of the logs. A finding of the "
        "configs that says why nothing listened comes first (GW707 first when the app server "
        "logged that its address was in use); else a restart or a crash when the same upstream "
        "answered before or after the refusals, or the app server stopped or started around "
        "them; else nothing listens at that address",
        "GW902 / GW401",
        "GW401, GW707, GW705, GW706, GW703, GW003, GW004, GW304, GW410",
    ),
    ("nginx `no resolver defined to resolve`", "GW407", ""),
    ("nginx `SSL_do_handshake() failed`", "GW406", ""),
    ("nginx `upstream sent too big header`", "GW504", ""),
    (
        "uWSGI `invalid request block size: N` where N is the 2nd and 3rd bytes of an HTTP "
        "method read as a uwsgi header: 21573 (`ET` of `GET`), 21327 (`OS` of `POST`), 21589 "
        "(`PUT`), 16709 (`HEAD`), 19525 (`DELETE`), 21569 (`PATCH`), 21584 (`OPTIONS`)",
        "GW403",
        "",
    ),
    ("uWSGI `invalid request block size: N`, any other N", "GW501", "GW506, GW702 first"),
    ("uWSGI `invalid HTTP request size`", "GW501", "GW507"),
    ("gunicorn's `Unsupported uWSGI modifier1` exception", "GW403", ""),
    ("uWSGI `Invalid (too big) CONTENT_LENGTH`", "GW505", ""),
    ("uWSGI `[uwsgi-body-read] Timeout reading ... bytes`", "GW107", ""),
    ("gunicorn `Invalid request from ip=...: [SSL: ...]`", "GW406", ""),
    ("uvicorn `Invalid HTTP request received.`", "GW402", ""),
    (
        "uWSGI `HARAKIRI ON WORKER` (for an upload, POST, PUT or PATCH, a GW508 finding first)",
        "GW102",
        "GW508",
    ),
    (
        "gunicorn `WORKER TIMEOUT` and `Error handling request (no URI read)`: the worker waited "
        "for a request line that uwsgi_pass never sends",
        "GW402",
        "",
    ),
    (
        "gunicorn `WORKER TIMEOUT` (or the request's `SystemExit` in `handle_abort`) and nginx's "
        "own 504: a race of equal timeouts with a GW101 finding, else a timeout (below)",
        "GW101",
        "",
    ),
    (
        "gunicorn `WORKER TIMEOUT` (gunicorn >= 22 answers its own 500 and nginx's error log "
        "stays silent; gunicorn <= 21: nginx's `upstream prematurely closed connection`, 502)",
        "GW101",
        "GW308",
    ),
    ("uWSGI `listen queue of socket ... full`, and a 502 or 504", "GW304", ""),
    (
        "nginx `upstream timed out (110: ...)`, or a 504 with no error line",
        "GW903",
        "GW110, GW106, GW308, GW104, GW609, GW107, GW101, GW402",
    ),
    (
        "gunicorn `was sent SIGKILL! Perhaps out of memory?`, uWSGI `killed by signal 9`",
        "GW904",
        "",
    ),
    (
        "nginx `upstream prematurely closed connection` or `recv() failed (104: Connection "
        "reset by peer)` with the app server stopping (`Handling signal: term`, `...brutally "
        "killing workers...`)",
        "GW902",
        "GW108, GW109",
    ),
    ("the same, with the app's exception for that request", "GW901", ""),
    (
        "the same, no line of the app about it, while the upstream answered other requests (in "
        "the 75 s before or just after): the keep-alive race",
        "GW201",
        "GW402, GW403, GW406, GW202",
    ),
    (
        "the same (or nginx `upstream sent invalid header`), and the upstream answered nothing "
        "around",
        "GW900",
        "GW402, GW403, GW406, GW201",
    ),
    (
        "the app's exception: gunicorn `Error handling request`, a `Traceback`, uvicorn "
        "`Exception in ASGI application`",
        "GW901",
        "",
    ),
    ("anything else", "GW900", ""),
)

# an address in a finding's words: an IP address and port, localhost, a unix socket, a host name
# with a dot (a compose service name such as ``web:8000`` is not told from ``unix_signal:15``:
# a finding that names no address concerns every upstream)
_ADDRESS = re.compile(
    r"unix:/[^\s,;()\"']+"
    r"|\[[0-9A-Fa-f:.]{2,45}\]:\d{1,5}"
    r"|(?<![\w.-])(?:\d{1,3}(?:\.\d{1,3}){3}|localhost|\*|[A-Za-z][\w-]*(?:\.[\w-]+)+):\d{1,5}\b"
)
_LOCATION = re.compile(r"\blocation (\S+)")


def kind(event: Event) -> str | None:
    """What ``event``'s line means to the classification (None: nothing)."""
    signature = event.signature
    found = KINDS.get(signature)
    if found is not None or signature not in _BY_DETAIL:
        return found
    detail = event.detail or ""
    if signature == "nginx.connect_failed":
        return PERMISSION if detail == "13" else REFUSED
    if signature == "gunicorn.worker_signal":
        return KILLED if detail in ("SIGKILL", "signal 9") else None
    if signature == "gunicorn.handling_signal":
        return STOP if detail.lower() in _STOPPING_SIGNALS else None
    if signature == "gunicorn.invalid_request":
        return SSL_APP if "[SSL" in detail else None
    if signature == "uwsgi.worker_died":
        return KILLED if detail == "9" else None
    return None


@dataclass(frozen=True)
class Evidence:
    path: str
    line: int
    text: str


@dataclass
class Cause:
    """Failed requests grouped by what explains them (one code, one status)."""

    code: str
    severity: Severity
    title: str
    message: str
    status: int
    count: int
    first: float
    last: float
    upstreams: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    related: list[Related] = field(default_factory=list)
    fix: str | None = None


@dataclass
class Diagnosis:
    causes: list[Cause]
    total: int  # requests read in the access logs
    by_status: dict[int, int]
    first: float | None  # the window the logs cover (POSIX seconds, UTC)
    last: float | None

    @property
    def failed(self) -> bool:
        """Whether a request ended 5xx."""
        return any(cause.status >= 500 for cause in self.causes)


@dataclass(slots=True)
class _Failure:
    event: Event
    origin: str  # "access", "error" (an nginx error line), "app" (an app server's access line)
    status: int
    upstream: str | None


@dataclass
class _Group:
    """A cause being built: its code, counts and first lines."""

    code: str
    status: int
    count: int = 0
    first: float = 0.0
    last: float = 0.0
    upstreams: list[str] = field(default_factory=list)
    evidence: dict[str, list[Evidence]] = field(default_factory=dict)
    finding: Diagnostic | None = None
    what: str = ""  # what happened, in words, for the message
    details: list[str] = field(default_factory=list)  # e.g. URIs, block sizes, exceptions

    def add(
        self,
        failure: _Failure,
        lines: Iterable[Event],
        finding: Diagnostic | None,
        what: str,
        detail: str | None,
    ) -> None:
        time = failure.event.time
        if self.count == 0:
            self.first = self.last = time
        self.count += 1
        self.first = min(self.first, time)
        self.last = max(self.last, time)
        upstream = failure.upstream
        if upstream and upstream not in self.upstreams and len(self.upstreams) < MAX_UPSTREAMS:
            self.upstreams.append(upstream)
        if self.finding is None and finding is not None:
            self.finding = finding
        if not self.what:
            self.what = what
        if detail and detail not in self.details and len(self.details) < 3:
            self.details.append(detail)
        for event in (failure.event, *lines):
            kept = self.evidence.setdefault(event.path, [])
            if len(kept) < MAX_EVIDENCE and all(e.line != event.line for e in kept):
                kept.append(Evidence(event.path, event.line, event.text))


@dataclass
class _Refusals:
    """The refused connections of one upstream, decided at the end: a restart or a wrong
    address."""

    upstream: str | None
    count: int = 0
    first: float = 0.0
    last: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    evidence: list[tuple[_Failure, list[Event]]] = field(default_factory=list)
    lifecycle: bool = False  # the app server started or stopped around the refusals
    bind_failed: bool = False  # the app server could not bind its address around them


class _Finding:
    """A finding of ``check``, with the addresses it names (to match an upstream)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic
        text = " ".join(
            [
                diagnostic.message,
                *(r.message for r in diagnostic.related),
                diagnostic.fix or "",
            ]
        )
        self.text = text
        self.addresses = {_normal(a) for a in _ADDRESS.findall(text) if not _is_place(a, text)}

    def concerns(self, upstream: str | None) -> bool:
        if upstream is None or not self.addresses:
            return True
        normal = _normal(upstream)
        if normal in self.addresses:
            return True
        if ":" not in upstream and "/" not in upstream:  # an upstream block's name
            return f"://{upstream}" in self.text or f"upstream {upstream}" in self.text
        return False


def _same(one: str | None, other: str | None) -> bool:
    """Whether two upstream addresses may be the same server (None: not known, may be any;
    an app listening on 0.0.0.0:8000 is 127.0.0.1:8000 to nginx)."""
    if one is None or other is None:
        return True
    one, other = _normal(one), _normal(other)
    if one == other:
        return True
    host, _, port = one.rpartition(":")
    other_host, _, other_port = other.rpartition(":")
    wildcard = ("0.0.0.0", "[::]", "*", "")
    return port == other_port and port.isdigit() and (host in wildcard or other_host in wildcard)


def _newest(lines: Iterable[Event], most: int) -> list[Event]:
    """At most ``most`` of ``lines`` (a time-ordered deque), the newest."""
    if isinstance(lines, deque) and len(lines) > most:
        return [lines[-i] for i in range(most, 0, -1)]
    return list(lines)


def _is_place(address: str, text: str) -> bool:
    """``nginx.conf:12`` (a file and line in a message) is no address."""
    name = address.rpartition(":")[0]
    return name.endswith(
        (
            ".conf",
            ".py",
            ".ini",
            ".j2",
            ".yml",
            ".yaml",
            ".toml",
            ".env",
            ".sh",  # start.sh:2, a launcher's line
            ".service",
            ".json",
            ".cfg",
            ".caddyfile",
        )
    )


def _normal(address: str) -> str:
    address = address.strip().rstrip("/")
    for scheme in ("http://", "https://", "uwsgi://", "grpc://"):
        address = address.removeprefix(scheme)
    return address.replace("localhost:", "127.0.0.1:")


def _last_upstream(value: str | None) -> str | None:
    """The server that gave the answer, in ``$upstream_addr`` ("a:1, b:2 : c:3" -> "c:3")."""
    if not value or value == "-":
        return None
    last = value
    for separator in (" : ", ", "):
        last = last.rpartition(separator)[2]
    return last.strip() or None


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _fit(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1].rstrip() + "…"


def iso(time: float) -> str:
    """POSIX seconds as ISO 8601 UTC: ``2026-12-07T01:00:03Z``."""
    from datetime import UTC, datetime

    return datetime.fromtimestamp(time, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Diagnoser:
    """The streaming state of one diagnosis: ``feed`` each event in time order, then
    ``finish``. ``peak_pending`` and ``peak_buffered`` say how much it held at most."""

    def __init__(self, findings: list[Diagnostic] | None = None, *, window: float = WINDOW):
        self.window = window
        self.findings = [_Finding(d) for d in findings or []]
        self.configs = findings is not None  # configs were given (or found)
        self.now = float("-inf")
        self.first: float | None = None
        self.last: float | None = None
        self.pending: deque[_Failure] = deque()
        self.errors: deque[Event] = deque()  # nginx error lines that name a request
        self.error_index: dict[tuple[str | None, str | None], deque[Event]] = {}
        self.consumed: set[int] = set()  # ids of error lines joined to a request
        self.app: deque[Event] = deque()  # app lines naming a request
        self.app_index: dict[str, deque[Event]] = {}
        self.unattributed: deque[Event] = deque()  # app lines naming no request
        self.app_upstream: dict[str, str] = {}  # app log path -> where it listens
        self.exceptions: dict[str, list[Event]] = {}  # app log path -> its last exception
        self.nginx_total = 0
        self.nginx_status: Counter[int] = Counter()
        self.app_total = 0
        self.app_status: Counter[int] = Counter()
        self.last_access = float("-inf")  # the last nginx access line (any status)
        # upstream (None: not named) -> (first, last) request it answered
        # upstream -> [first, last] time it answered (lists: updated in place, once a line)
        self.answered: dict[str | None, list[float]] = {}
        self.answered_any: list[float] | None = None
        self.lifecycle: dict[str, float] = {}  # app log path -> its last start/stop line
        self.refusals: dict[str | None, _Refusals] = {}
        self.groups: dict[tuple[str, int], _Group] = {}
        self.peak_pending = 0
        self.peak_buffered = 0

    # --- reading ------------------------------------------------------------------------------

    def feed(self, event: Event) -> None:
        time = event.time
        if time > self.now:
            self.now = time
            while self.pending and self.pending[0].event.time + self.window < time:
                self._release(self.pending.popleft())
            self._prune(time - 2 * self.window)
        if event.timed:
            if self.first is None or time < self.first:
                self.first = time
            if self.last is None or time > self.last:
                self.last = time
        source = event.source
        if source == ev.NGINX_ACCESS:
            status = event.status
            if status is not None and status < 499:  # most lines: counted, nothing held
                self.nginx_total += 1
                self.nginx_status[status] += 1
                if time > self.last_access:
                    self.last_access = time
                if event.upstream != "-" and event.upstream_status != "-":  # "-": not proxied
                    self._answered(_last_upstream(event.upstream), time)
                return
            self._access(event)
        elif source == ev.NGINX_ERROR:
            self._error(event)
        elif source in ev.APP_SOURCES:
            self._app(event)
        if len(self.pending) > MAX_PENDING:
            self._release(self.pending.popleft())
        pending = len(self.pending)
        if pending > self.peak_pending:
            self.peak_pending = pending
        buffered = len(self.errors) + len(self.app) + len(self.unattributed)
        if buffered > self.peak_buffered:
            self.peak_buffered = buffered

    def _access(self, event: Event) -> None:
        status = event.status
        if status is None:
            return
        self.nginx_total += 1
        self.nginx_status[status] += 1
        self.last_access = max(self.last_access, event.time)
        upstream = _last_upstream(event.upstream)
        if status >= 500 or status == 499:
            self.pending.append(_Failure(event, "access", status, upstream))
        elif event.upstream != "-" and event.upstream_status != "-":  # "-": not proxied
            self._answered(upstream, event.time)

    def _answered(self, upstream: str | None, time: float) -> None:
        """A request the upstream answered (None: an upstream the line does not name)."""
        if self.answered_any is None:
            self.answered_any = [time, time]
        else:
            self.answered_any[1] = time
        span = self.answered.get(upstream)
        if span is not None:
            span[1] = time
            return
        if upstream is not None and len(self.answered) >= MAX_KEYS:
            upstream = None
        span = self.answered.get(upstream)
        if span is not None:
            span[1] = time
        else:
            self.answered[upstream] = [time, time]

    def _answers(self, upstream: str | None) -> tuple[float, float] | None:
        """(first, last) answer of ``upstream``: its own, and those of lines that name no
        upstream (they may be its); for None, any."""
        if upstream is None:
            span = self.answered_any
            return (span[0], span[1]) if span is not None else None
        spans = [self.answered[key] for key in (upstream, None) if key in self.answered]
        if not spans:
            return None
        return min(f for f, _ in spans), max(last for _, last in spans)

    def _error(self, event: Event) -> None:
        what = kind(event)
        if event.method is None and event.uri is None and event.client is None:
            return
        key = (event.method, event.uri)
        self.errors.append(event)
        self.error_index.setdefault(key, deque()).append(event)
        if what in ERROR_STATUS:
            self.pending.append(_Failure(event, "error", ERROR_STATUS[what], event.upstream))
        if len(self.errors) > MAX_BUFFERED:
            self._drop_error()

    def _app(self, event: Event) -> None:
        path = event.path
        status = event.status
        if status is not None:  # the app server's access line
            upstream = event.upstream or self.app_upstream.get(path)
            self.app_total += 1
            self.app_status[status] += 1
            if status < 500:
                self._answered(upstream, event.time)
                return
            what = None
        else:
            what = kind(event)
            if what is None:
                if not event.signature and not event.timed:
                    self._exception_line(event)
                return
            if event.signature in _LISTENING and event.detail:
                # where the app listens: its lines are about that upstream
                address = _normal(event.detail.split(",")[0].split(" ")[0])
                if len(self.app_upstream) < MAX_KEYS or path in self.app_upstream:
                    self.app_upstream[path] = address
            upstream = event.upstream or self.app_upstream.get(path)
            if what == EXCEPTION:
                held = self.exceptions.get(path)
                if held and not event.timed and held[-1].time == event.time and len(held) < 4:
                    held.append(event)  # the traceback of the line before
                elif len(self.exceptions) < MAX_KEYS or path in self.exceptions:
                    self.exceptions[path] = [event]
        if what in LIFECYCLE:
            if path in self.lifecycle or len(self.lifecycle) < MAX_KEYS:
                self.lifecycle[path] = event.time
            for refusals in self.refusals.values():
                if (
                    _same(refusals.upstream, upstream)
                    and event.time - refusals.last <= RESTART_NEAR
                ):
                    refusals.lifecycle = True
        if event.uri is not None:
            self.app.append(event)
            self.app_index.setdefault(event.uri, deque()).append(event)
            if len(self.app) > MAX_BUFFERED:
                self._drop_app()
        else:
            self.unattributed.append(event)
            if len(self.unattributed) > MAX_UNATTRIBUTED:
                self.unattributed.popleft()
        if status is not None:  # >= 500
            self.pending.append(_Failure(event, "app", status, upstream))

    def _exception_line(self, event: Event) -> None:
        """``ZeroDivisionError: division by zero`` after a traceback: what the exception was,
        for the lines that announced it."""
        held = self.exceptions.get(event.path)
        if not held or held[-1].time != event.time:
            return
        text = event.text.strip()
        if _EXCEPTION_LINE.match(text):
            for line in held:
                if line.detail is None or line.signature.endswith("traceback"):
                    line.detail = text[:200]

    def _prune(self, before: float) -> None:
        while self.errors and self.errors[0].time < before:
            self._drop_error()
        while self.app and self.app[0].time < before:
            self._drop_app()
        while self.unattributed and self.unattributed[0].time < before:
            self.unattributed.popleft()

    def _drop_error(self) -> None:
        event = self.errors.popleft()
        key = (event.method, event.uri)
        bucket = self.error_index.get(key)
        if bucket:
            bucket.popleft()
            if not bucket:
                del self.error_index[key]
        self.consumed.discard(id(event))

    def _drop_app(self) -> None:
        event = self.app.popleft()
        assert event.uri is not None
        bucket = self.app_index.get(event.uri)
        if bucket:
            bucket.popleft()
            if not bucket:
                del self.app_index[event.uri]

    # --- joining ------------------------------------------------------------------------------

    def _near(self, event: Event, other: Event) -> bool:
        return abs(other.time - event.time) <= self.window

    def _joined_errors(self, failure: _Failure) -> list[Event]:
        event = failure.event
        if failure.origin == "error":
            self.consumed.add(id(event))
            return [event]
        # the line of this request: the same request line and client, the status it gives
        # the status the access log has, the closest in time (one line: several requests to
        # the same URI in one second each have theirs)
        best: Event | None = None
        best_key: tuple[bool, float, float] | None = None
        bucket = self.error_index.get((event.method, event.uri), ())
        for line in _newest(bucket, SCAN):
            if id(line) in self.consumed or not self._near(event, line):
                continue
            if event.client and line.client and event.client != line.client:
                continue
            rank = (
                ERROR_STATUS.get(kind(line) or "") != failure.status,
                abs(line.time - event.time),
                line.time,
            )
            if best_key is None or rank < best_key:
                best, best_key = line, rank
        if best is None:
            return []
        self.consumed.add(id(best))
        return [best]

    def _compatible(self, failure: _Failure, line: Event) -> bool:
        return _same(failure.upstream, line.upstream or self.app_upstream.get(line.path))

    def _app_lines(self, failure: _Failure) -> tuple[list[Event], list[Event]]:
        """(the request's own lines and those of its worker, the lines that name no request)
        of the app server, around the failure."""
        event = failure.event
        own: list[Event] = []
        if event.uri is not None:
            for line in _newest(self.app_index.get(event.uri, ()), SCAN):
                if line is event or not self._near(event, line):
                    continue
                if event.method and line.method and event.method != line.method:
                    continue
                if self._compatible(failure, line):
                    own.append(line)
                if len(own) >= 8:
                    break
        if failure.origin == "app":
            own.insert(0, event)
        pids = {line.pid for line in own if line.pid is not None}
        loose: list[Event] = []
        for line in _newest(self.unattributed, SCAN):
            if not self._near(event, line) or not self._compatible(failure, line):
                continue
            if line.pid is not None and line.pid in pids:
                own.append(line)
            else:
                loose.append(line)
        loose.sort(key=lambda line: abs(line.time - event.time))
        return own, loose[:8]

    # --- classifying --------------------------------------------------------------------------

    def _release(self, failure: _Failure) -> None:
        event = failure.event
        if failure.origin == "error":
            if id(event) in self.consumed:
                return  # joined to its access line
            if self.last_access >= event.time - self.window:
                return  # an access log covers this time: its line says how the request ended
        elif failure.origin == "app":
            if self.last_access >= event.time - self.window:
                return  # nginx's access log has it
            for line in self.error_index.get((event.method, event.uri), ()):
                if kind(line) in ERROR_STATUS and self._near(event, line):
                    return  # nginx's error line for it is the failure
        errors = self._joined_errors(failure)
        if failure.upstream is None:
            failure.upstream = next((e.upstream for e in errors if e.upstream), None)
        own, loose = self._app_lines(failure)
        self._classify(failure, errors, own, loose)

    def _choose(
        self, codes: tuple[str, ...], upstream: str | None
    ) -> tuple[str, Diagnostic | None]:
        """The code of a cause: the first of ``codes`` that a finding of the configs on
        ``upstream`` has, else ``codes[0]`` (the cause these logs alone show)."""
        for code in codes:
            for finding in self.findings:
                if finding.diagnostic.code == code and finding.concerns(upstream):
                    return code, finding.diagnostic
        return codes[0], None

    def _classify(
        self, failure: _Failure, errors: list[Event], own: list[Event], loose: list[Event]
    ) -> None:
        status = failure.status
        upstream = failure.upstream
        error_kinds = {kind(e) for e in errors} - {None}
        mine = [line for line in own if kind(line) is not None]
        # the app server's own access line for it, if its log has one: evidence
        answered = [x for x in own if x.status is not None and x is not failure.event]
        # the request's own lines when they say something, else the closest lines around it
        # (within a second of the closest: a stop at the same second explains a reset better
        # than a worker timeout two seconds before)
        app = mine
        if not app:
            around = [line for line in loose if kind(line) is not None]
            if around:
                closest = min(abs(line.time - failure.event.time) for line in around)
                app = [x for x in around if abs(x.time - failure.event.time) <= closest + 1.0]
        app_kinds = {kind(line) for line in app}
        if upstream is None:  # where the app whose lines explain it listens
            upstream = next(
                (self.app_upstream[x.path] for x in app if x.path in self.app_upstream), None
            )
            failure.upstream = upstream
        # gunicorn's worker aborted in the request (its SystemExit), a uwsgi packet read by
        # gunicorn (its UnsupportedModifier): what the exception says
        said = " ".join(line.detail or "" for line in app if kind(line) == EXCEPTION)
        if "modifier1" in said or "UnsupportedModifier" in said:
            app_kinds.add(MODIFIER)
        if "SystemExit" in said and EXCEPTION in {kind(line) for line in mine}:
            app_kinds.add(WORKER_TIMEOUT)

        def lines_of(*kinds: str) -> list[Event]:
            return [line for line in app if kind(line) in kinds]

        def add(
            codes: tuple[str, ...],
            what: str,
            lines: Iterable[Event],
            detail: str | None = None,
            *,
            default: str | None = None,
            fact: str | None = None,
        ) -> None:
            """The first of ``codes`` a finding has, else ``default`` (the first); ``what``
            words the default's reading of the lines, ``fact`` (when given) the lines alone,
            for a code a finding chose."""
            chosen, finding = self._choose(codes, upstream)
            if finding is None:
                chosen = default or codes[0]
            elif fact is not None and chosen != (default or codes[0]):
                what = fact
            self._group(chosen, failure, [*errors, *answered, *lines], finding, what, detail)

        closed = error_kinds & {PREMATURE, RESET}
        if status == 499 or error_kinds == {CLIENT_CLOSED}:
            what = "clients closed the connection before the answer on {n}"
            add(("GW905", "GW103", "GW111"), what, [], event_uri(failure))
        # nginx did not reach the app: no line of the app explains these
        elif NO_LIVE in error_kinds:
            what = "nginx had marked every server of {upstream} down (no live upstreams) for {n}"
            add(("GW906",), what, [])
        elif PERMISSION in error_kinds:
            what = "nginx was not allowed to connect to the app's socket{on} for {n}"
            add(("GW405",), what, [])
        elif BACKLOG in error_kinds:
            add(("GW304",), "the app's listen queue was full for {n}{on}", [])
        elif REFUSED in error_kinds:
            around = [line for line in app if kind(line) in (START, STOP, BIND_FAILED)]
            self._refused(failure, errors, around)
        elif NO_RESOLVER in error_kinds:
            add(("GW407",), "nginx had no resolver for the upstream's name of {n}", [])
        elif SSL in error_kinds:
            add(("GW406",), "nginx and the app disagreed on TLS for {n}", lines_of(SSL_APP))
        elif TOO_BIG in error_kinds:
            add(("GW504",), "the app's response headers were larger than nginx's buffer on {n}", [])
        elif BLOCK_SIZE in app_kinds:
            lines = lines_of(BLOCK_SIZE)
            size = next((line.detail for line in lines if line.detail), None)
            if size is not None and size.isdigit() and int(size) in HTTP_BLOCK_SIZES:
                what = "uWSGI read the HTTP request line of {n} as a uwsgi header"
                add(("GW403",), what, lines, f"block size {size}")
            else:
                what = "uWSGI refused the headers of {n}, larger than its buffer-size"
                detail = f"block size {size}" if size else None
                add(("GW506", "GW702", "GW501"), what, lines, detail, default="GW501")
        elif HTTP_SIZE in app_kinds:
            what = "uWSGI refused the headers of {n}, larger than it reads"
            add(("GW501", "GW507"), what, lines_of(HTTP_SIZE))
        elif MODIFIER in app_kinds:
            what = "gunicorn read {n} in HTTP as the uwsgi protocol"
            add(("GW403",), what, lines_of(EXCEPTION), "Unsupported uWSGI modifier1")
        elif LIMIT_POST in app_kinds:
            what = "uWSGI refused the body of {n}, over its limit-post"
            add(("GW505",), what, lines_of(LIMIT_POST))
        elif BODY_TIMEOUT in app_kinds:
            add(("GW107",), "uWSGI timed out reading the body of {n}", lines_of(BODY_TIMEOUT))
        elif SSL_APP in app_kinds:
            add(("GW406",), "nginx and the app disagreed on TLS for {n}", lines_of(SSL_APP))
        elif HARAKIRI in app_kinds:
            what = "uWSGI's harakiri killed {n} still running{on}"
            # an upload killed while its body arrived: the unbuffered location first
            upload = failure.event.method in ("POST", "PUT", "PATCH")
            order = ("GW508", "GW102") if upload else ("GW102", "GW508")
            add(order, what, lines_of(HARAKIRI, KILLED, EXCEPTION), default="GW102")
        elif WORKER_TIMEOUT in app_kinds:
            lines = lines_of(WORKER_TIMEOUT, EXCEPTION, KILLED)
            if any("(no URI read)" in line.text for line in lines):
                what = "gunicorn's worker waited for the request line of {n} (uwsgi_pass to HTTP)"
                add(("GW402",), what, lines)
            elif TIMED_OUT in error_kinds or status == 504:
                code, finding = self._choose(("GW101",), upstream)
                if finding is not None:
                    what = "gunicorn's worker timeout raced nginx's on {n}{on}"
                    self._group(code, failure, [*errors, *lines], finding, what, None)
                else:
                    self._timeout(failure, errors, [*answered, *lines])
            else:
                what = "gunicorn's worker timeout killed {n} still running{on}"
                add(("GW101", "GW308"), what, lines)
        elif QUEUE_FULL in app_kinds and status in (502, 504):
            add(("GW304",), "the app's listen queue was full for {n}{on}", lines_of(QUEUE_FULL))
        elif TIMED_OUT in error_kinds or (status == 504 and not error_kinds):
            self._timeout(failure, errors, answered)
        elif KILLED in app_kinds:
            add(
                ("GW904",),
                "a worker was killed by SIGKILL (out of memory?) with {n}{on}",
                lines_of(KILLED),
            )
        elif closed and STOP in app_kinds:  # a stop cut the request (a start cannot)
            what = "the app{on} stopped or restarted with {n} in flight"
            add(("GW902", "GW108", "GW109"), what, lines_of(START, STOP))
        elif closed and EXCEPTION in {kind(line) for line in mine}:
            add(
                ("GW901",),
                "the app raised an exception on {n}",
                lines_of(EXCEPTION),
                _exception(mine),
            )
        elif closed or PROTOCOL in error_kinds:
            if PROTOCOL in error_kinds:
                words = "answered in a way nginx cannot read"
            elif RESET in closed:
                words = "reset the connection"
            else:
                words = "closed the connection"
            fact = f"the app{{on}} {words} before answering {{n}}"
            if closed and self._answering(upstream, failure.event.time):
                what = f"the app{{on}} {words} nginx reused for {{n}}, while it answered others"
                add(("GW201", "GW402", "GW403", "GW406", "GW202"), what, [], fact=fact)
            else:
                what = f"{fact}; no app line says why"
                add(("GW900", "GW402", "GW403", "GW406", "GW201"), what, [], fact=fact)
        elif EXCEPTION in app_kinds and status >= 500:
            add(
                ("GW901",),
                "the app raised an exception on {n}",
                lines_of(EXCEPTION),
                _exception(app),
            )
        else:
            add(
                ("GW900",),
                "{n} ended {status}; no line of these logs explains them",
                [],
                event_uri(failure),
            )

    def _answering(self, upstream: str | None, time: float) -> bool:
        answers = self._answers(upstream)
        return answers is not None and time - ANSWERING <= answers[1]

    def _timeout(self, failure: _Failure, errors: list[Event], lines: list[Event]) -> None:
        # GW402: an app that speaks only HTTP may never answer a uwsgi packet (daphne waits for
        # a line end): nginx's read timeout ends the request (observed: gw402-daphne)
        codes = ("GW903", "GW110", "GW106", "GW308", "GW104", "GW609", "GW107", "GW101", "GW402")
        code, finding = self._choose(codes[1:], failure.upstream)
        agree = ""
        if finding is None:
            code = codes[0]
            agree = "; the configs agree: the app was slower" if self.configs else ""
        self._group(
            code,
            failure,
            [*errors, *lines],
            finding,
            "nginx timed out on {n} waiting for the app{on}" + agree,
            event_uri(failure),
        )

    def _refused(self, failure: _Failure, errors: list[Event], app: list[Event]) -> None:
        key = failure.upstream if len(self.refusals) < MAX_KEYS else None
        refusals = self.refusals.get(key)
        time = failure.event.time
        if refusals is None:
            refusals = self.refusals[key] = _Refusals(key, first=time, last=time)
        refusals.count += 1
        refusals.first = min(refusals.first, time)
        refusals.last = max(refusals.last, time)
        refusals.statuses[failure.status] += 1
        near = [
            t for where, t in self.lifecycle.items() if _same(key, self.app_upstream.get(where))
        ]
        if near and abs(time - max(near)) <= RESTART_NEAR:
            refusals.lifecycle = True
        if any(kind(line) == BIND_FAILED for line in app):
            refusals.bind_failed = True
        if len(refusals.evidence) >= MAX_EVIDENCE:
            refusals.evidence.pop()  # keep the first ones and the last: where the window ends
        refusals.evidence.append((failure, [*errors, *app]))

    def _group(
        self,
        code: str,
        failure: _Failure,
        lines: list[Event],
        finding: Diagnostic | None,
        what: str,
        detail: str | None,
    ) -> None:
        key = (code, failure.status)
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = _Group(code, failure.status)
        group.add(failure, lines, finding, what, detail)

    # --- the end ------------------------------------------------------------------------------

    def finish(self) -> Diagnosis:
        while self.pending:
            self._release(self.pending.popleft())
        for refusals in self.refusals.values():
            self._decide(refusals)
        causes = [self._cause(group) for group in self.groups.values()]
        causes.sort(key=lambda c: (-c.count, -c.severity.rank, c.code, c.status))
        if self.nginx_total:
            total, by_status = self.nginx_total, self.nginx_status
        else:
            total, by_status = self.app_total, self.app_status
        return Diagnosis(
            causes=causes,
            total=total,
            by_status=dict(sorted(by_status.items())),
            first=self.first,
            last=self.last,
        )

    def _decide(self, refusals: _Refusals) -> None:
        """A restart (the upstream answered before or after the refusals), an app that did not
        start (a finding of the configs says why), one that stopped or started around them (a
        crash, a restart), or an address nothing listens on (never answered)."""
        key = refusals.upstream
        answers = self._answers(key)
        recovered = answers is not None and (
            answers[1] > refusals.last or answers[0] < refusals.first
        )
        # a finding of the configs says why nothing listened (the configs given are those of
        # the failure: an app that cannot start, a wrong address); else the logs tell
        order = ("GW707", *NEVER_LISTENING) if refusals.bind_failed else NEVER_LISTENING
        code, finding = self._choose(order, key)
        if finding is not None:
            what = "nginx could not connect to {upstream} on {n}: nothing listened there"
        elif recovered:
            code = "GW902"
            what = (
                "the app{on} refused connections from {first} to {last} ({n}) and answered "
                "before or after: a restart or a crash"
            )
        elif refusals.lifecycle:
            code = "GW902"
            what = "the app{on} refused connections ({n}) while it stopped or started"
        else:
            code = "GW401"
            what = (
                "nginx could not connect to {upstream} on any of {n}, and nothing there ever "
                "answered: no app listens there"
            )
        for status, count in refusals.statuses.items():
            group = self.groups.get((code, status))
            if group is None:
                group = self.groups[(code, status)] = _Group(code, status)
            before = group.count
            for failure, lines in refusals.evidence:
                if failure.status == status:
                    group.add(failure, lines, finding, what, None)
            group.count = before + count  # the refusals not kept as evidence, too
            group.first = min(group.first, refusals.first)
            group.last = max(group.last, refusals.last)
            if count > before:  # most of the group: the refusals' words
                group.what = what

    def _cause(self, group: _Group) -> Cause:
        from gwlint.rules import DOCUMENTED_BY_CODE

        rule = DOCUMENTED_BY_CODE.get(group.code)
        finding = group.finding
        severity = finding.severity if finding else (rule.severity if rule else Severity.INFO)
        title = rule.title if rule else group.code
        related: list[Related] = []
        locations: list[str] = []
        fix: str | None = None
        if finding is not None:
            related = [Related(finding.location, finding.message), *finding.related]
            fix = finding.fix
            for item in related:
                for found in _LOCATION.findall(item.message):
                    if found not in locations:
                        locations.append(found)
        if fix is None:
            fix = ADVICE.get(group.code) or getattr(rule, "advice", None) or None
        evidence = [
            line
            for lines in group.evidence.values()
            for line in sorted(lines, key=lambda item: item.line)
        ]
        return Cause(
            code=group.code,
            severity=severity,
            title=title,
            message=_message(group, finding),
            status=group.status,
            count=group.count,
            first=group.first,
            last=group.last,
            upstreams=list(group.upstreams),
            locations=locations,
            evidence=evidence,
            related=related,
            fix=fix,
        )


def event_uri(failure: _Failure) -> str | None:
    event = failure.event
    if event.uri is None:
        return None
    return f"{event.method} {event.uri}" if event.method else event.uri


def _exception(lines: list[Event]) -> str | None:
    """The exception's words, when a line has them (``ZeroDivisionError: ...``)."""
    for line in lines:
        if line.detail:
            return line.detail
    return None


def _message(group: _Group, finding: Diagnostic | None) -> str:
    """One line: what happened, how often, the consequence (and the config line behind it)."""
    upstream = group.upstreams[0] if group.upstreams else None
    text = group.what.format(
        n=_plural(group.count, "request"),
        on=f" on {upstream}" if upstream else "",
        upstream=upstream or "the app",
        status=group.status,
        first=iso(group.first)[11:19],
        last=iso(group.last)[11:19],
    )
    if group.details:
        text += f" ({'; '.join(group.details)})"
    if group.status != 499:
        text += f"; clients got {group.status}"
    if finding is not None:
        text += f"; the configs say why: {finding.location.path}:{finding.location.line}"
    return _fit(text)


def diagnose(events: Iterable[Event], findings: list[Diagnostic] | None = None) -> Diagnosis:
    """Group the failed requests of ``events`` (time-ordered, as ``reading.read`` yields them)
    into causes; ``findings``: what ``check`` reports on the configs given (None: no config)."""
    diagnoser = Diagnoser(findings)
    for event in events:
        diagnoser.feed(event)
    return diagnoser.finish()
