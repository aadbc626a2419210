"""GW9xx: causes of failed requests that ``gwlint diagnose`` finds in logs and no config rule
explains. ``check`` never reports them (they have no check): each is declared here for its page
(``docs/rules/GW90x.md``), ``gwlint rules`` and ``gwlint rule GW90x``.

A cause's *Example* is a set of log files on which ``gwlint diagnose`` reports the code, and its
*Fix* the same logs once the cause is gone, on which it does not (tests/test_diagnose.py runs
both). ``advice`` is the fix line the diagnosis prints when no config finding gives one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gwlint.model.diagnostics import Severity
from gwlint.rules.base import Claim, Rule, RuleDocs, ex, from_source

NGINX_SRC = "https://github.com/nginx/nginx/blob/release-1.31.4/src"
NGINX_UPSTREAM = f"{NGINX_SRC}/http/ngx_http_upstream.c"
GUNICORN_SRC = "https://github.com/benoitc/gunicorn/blob/26.1.0/gunicorn"
UWSGI_SRC = "https://github.com/unbit/uwsgi/blob/2.0.30"
UVICORN_SRC = "https://github.com/Kludex/uvicorn/blob/0.51.0/uvicorn"

FAMILY = "diagnose"


@dataclass(frozen=True, kw_only=True)
class CauseCode(Rule):
    """A cause code of ``gwlint diagnose``: a rule's page, no check. Its docs are declared here
    (this module is only imported for the pages, ``gwlint rule``/``rules`` and ``diagnose``)."""

    advice: str = ""  # the fix line of a diagnosis, when no config finding gives one
    page: RuleDocs = field(compare=False, repr=False)

    @property
    def family(self) -> str:
        return FAMILY

    @property
    def docs(self) -> RuleDocs:
        return self.page


def _cause(
    *,
    code: str,
    name: str,
    title: str,
    severity: Severity,
    why: str,
    example: tuple[tuple[str, str], ...],
    fix: tuple[tuple[str, str], ...],
    advice: str,
    references: tuple[str, ...],
    claims: tuple[Claim, ...] = (),
) -> CauseCode:
    return CauseCode(
        code=code,
        name=name,
        title=title,
        severity=severity,
        advice=advice,
        page=RuleDocs(
            why=why.strip(),
            example=ex(*example),
            fix=ex(*fix),
            references=references,
            claims=claims,
        ),
    )


def _access(*rows: tuple[str, str, int]) -> str:
    """A combined-format access log: (second, uri, status) per line."""
    lines = []
    for second, uri, status in rows:
        size = 612 if status < 400 else 157
        lines.append(
            f'127.0.0.1 - - [07/Dec/2026:01:00:{second} +0000] "GET /{uri} HTTP/1.1" {status} '
            f'{size} "-" "curl/8.5.0"'
        )
    return "\n".join(lines) + "\n"


def _error(second: str, level: str, text: str, uri: str = "", upstream: str = "") -> str:
    """An nginx error.log line (default format), about request ``GET /uri``."""
    line = f"2026/12/07 01:00:{second} [{level}] 31#31: *{int(second) + 1} {text}"
    if uri or upstream:
        line += f', client: 127.0.0.1, server: , request: "GET /{uri} HTTP/1.1"'
        if upstream:
            line += f', upstream: "{upstream}/{uri}"'
        line += ', host: "localhost"'
    return line + "\n"


UNEXPLAINED = _cause(
    code="GW900",
    name="failed-requests-not-explained",
    title="failed requests these logs do not explain",
    severity=Severity.INFO,
    why="""
Requests ended 5xx (or 499), and nothing in the logs given explains them: no line of nginx's
error log names them, and no line of the app server's log around the same time says why. The
client got what nginx's access log says; gwlint does not guess which cause it was.

Typical: a **500** the app answered itself (the framework caught its exception and logged it
somewhere else, Django's `django.request` logger for example), a **503** nginx answered on its
own (`limit_req`, `limit_conn`, a `return 503`), or a **502** whose nginx error log is not among
the files. Give `gwlint diagnose` the other logs of the same hours (nginx's error log, the app
server's error log) and the configs, and it can tell: each line it reads and what it means is in
[docs/diagnose.md](../diagnose.md).
""",
    example=(("access.log", _access(("01", "", 200), ("02", "orders/42", 500), ("03", "", 200))),),
    fix=(
        ("access.log", _access(("01", "", 200), ("02", "orders/42", 500), ("03", "", 200))),
        (
            "gunicorn.log",
            "[2026-12-07 01:00:02 +0000] [12] [ERROR] Error handling request GET /orders/42\n"
            "Traceback (most recent call last):\n"
            '  File "/app/views.py", line 9, in order\n'
            "    return total / count\n"
            "ZeroDivisionError: division by zero\n",
        ),
    ),
    advice="give gwlint diagnose the nginx error log and the app server's log of the same "
    "hours, and the configs, to tell the cause",
    references=(
        "https://nginx.org/en/docs/http/ngx_http_log_module.html#access_log",
        "https://nginx.org/en/docs/ngx_core_module.html#error_log",
    ),
    claims=(
        from_source(
            f"{NGINX_SRC}/http/ngx_http_request.h#L137",
            outcome="nginx logs 499 for a request whose client closed the connection first",
        ),
    ),
)

EXCEPTION = _cause(
    code="GW901",
    name="app-exception",
    title="the app raised an exception and answered 500",
    severity=Severity.ERROR,
    why="""
The application code failed: the app server caught the exception, logged its traceback and
answered **500**. nginx passes the 500 on and logs nothing in its error log (the upstream did
answer); its access log has the 500 (`$upstream_status` 500 too, when the `log_format` has it).

- gunicorn: `[ERROR] Error handling request GET /orders/42`, then `Traceback (most recent call
  last):` and the exception; the client gets gunicorn's own 500 page.
- uvicorn: `ERROR:    Exception in ASGI application`, then the traceback; 500.
- uWSGI: the Python traceback in its log, then the request line with `(HTTP/1.1 500)`.

No setting of nginx or the app server causes this, and none fixes it: the traceback's last lines
name the code. A worker *timeout* also makes gunicorn log `Error handling request` (the worker's
`SystemExit` is handled as an error): with a `[CRITICAL] WORKER TIMEOUT` for the same worker it
is GW101, not this.
""",
    example=(
        ("access.log", _access(("01", "", 200), ("02", "orders/42", 500), ("03", "", 200))),
        (
            "gunicorn.log",
            "[2026-12-07 01:00:00 +0000] [12] [INFO] Booting worker with pid: 12\n"
            "[2026-12-07 01:00:02 +0000] [12] [ERROR] Error handling request GET /orders/42\n"
            "Traceback (most recent call last):\n"
            '  File "/app/views.py", line 9, in order\n'
            "    return total / count\n"
            "ZeroDivisionError: division by zero\n",
        ),
    ),
    fix=(
        ("access.log", _access(("01", "", 200), ("02", "orders/42", 200), ("03", "", 200))),
        ("gunicorn.log", "[2026-12-07 01:00:00 +0000] [12] [INFO] Booting worker with pid: 12\n"),
    ),
    advice="fix the exception in the app: the traceback's last lines in the app server's log "
    "name the code",
    references=(
        "https://docs.gunicorn.org/en/stable/settings.html#errorlog",
        "https://uwsgi-docs.readthedocs.io/en/latest/Logging.html",
    ),
    claims=(
        from_source(f"{GUNICORN_SRC}/workers/base.py#L260-L266", status=500),
        from_source(
            f"{GUNICORN_SRC}/workers/base.py#L261",
            where="gunicorn",
            log="Error handling request GET /orders/42",
        ),
        from_source(
            f"{UVICORN_SRC}/protocols/http/h11_impl.py#L420",
            where="uvicorn",
            log="Exception in ASGI application",
        ),
    ),
)

RESTART = _cause(
    code="GW902",
    name="app-unreachable-for-a-while",
    title="the app was unreachable for a while (a restart or a crash), then answered again",
    severity=Severity.WARNING,
    why="""
nginx could not connect to the app for a stretch of time: `connect() failed (111: Connection
refused) while connecting to upstream` (or, on a unix socket the app removed, `connect() to
unix:/run/app.sock failed (2: No such file or directory)`), and answered **502** to each
request in that stretch. Before or after it, the same upstream answered: the address is right,
the app was down. The app server's log says when: gunicorn's `Handling signal: term` and
`Shutting down: Master`, then `Starting gunicorn` and `Listening at:`; uWSGI's `goodbye to
uWSGI.` and `*** Starting uWSGI`.

A wrong address is another cause (GW401): it refuses *every* request, from the first line of the
logs to the last, and the app, if its log is there, runs the whole time. gwlint tells them apart
by the requests that succeeded on the same upstream, and by the app server's start and stop
lines around the refusals.

A deploy that stops the app and starts it again refuses requests for as long as it takes to
boot. Reload instead of restarting (gunicorn: `kill -HUP` the master, which starts new workers
before stopping the old; uWSGI: `--touch-reload` or a chain reload), or run two instances behind
an nginx `upstream` so one serves while the other restarts.
""",
    example=(
        ("access.log", _access(("01", "", 200), ("04", "", 502), ("05", "", 502), ("09", "", 200))),
        (
            "error.log",
            _error(
                "04",
                "error",
                "connect() failed (111: Connection refused) while connecting to upstream",
                "",
                "http://127.0.0.1:8000",
            )
            + _error(
                "05",
                "error",
                "connect() failed (111: Connection refused) while connecting to upstream",
                "",
                "http://127.0.0.1:8000",
            ),
        ),
        (
            "gunicorn.log",
            "[2026-12-07 01:00:03 +0000] [7] [INFO] Handling signal: term\n"
            "[2026-12-07 01:00:03 +0000] [7] [INFO] Shutting down: Master\n"
            "[2026-12-07 01:00:08 +0000] [21] [INFO] Starting gunicorn 23.0.0\n"
            "[2026-12-07 01:00:08 +0000] [21] [INFO] Listening at: http://127.0.0.1:8000 (21)\n",
        ),
    ),
    fix=(
        ("access.log", _access(("01", "", 200), ("04", "", 200), ("05", "", 200), ("09", "", 200))),
        (
            "gunicorn.log",
            "[2026-12-07 01:00:03 +0000] [7] [INFO] Handling signal: hup\n"
            "[2026-12-07 01:00:03 +0000] [7] [INFO] Hang up: Master\n",
        ),
    ),
    advice="reload the app instead of stopping and starting it (gunicorn: kill -HUP the "
    "master; uWSGI: a chain reload), or run two instances behind one nginx upstream",
    references=(
        "https://docs.gunicorn.org/en/stable/signals.html#upgrading-to-a-new-binary-on-the-fly",
        "https://uwsgi-docs.readthedocs.io/en/latest/articles/TheArtOfGracefulReloading.html",
        "https://nginx.org/en/docs/http/ngx_http_upstream_module.html#upstream",
    ),
    claims=(
        from_source(f"{NGINX_UPSTREAM}#L4674", status=502),
        from_source(
            f"{NGINX_UPSTREAM}#L3066",
            where="nginx error.log",
            log="connect() failed (111: Connection refused) while connecting to upstream",
        ),
        from_source(f"{GUNICORN_SRC}/arbiter.py#L270", where="gunicorn", log="Handling signal: "),
        from_source(f"{GUNICORN_SRC}/arbiter.py#L409", where="gunicorn", log="Shutting down: "),
        from_source(f"{GUNICORN_SRC}/arbiter.py#L170", where="gunicorn", log="Starting gunicorn "),
        from_source(
            f"{UWSGI_SRC}/core/master_checks.c#L19", where="uWSGI", log="goodbye to uWSGI."
        ),
        from_source(f"{UWSGI_SRC}/core/uwsgi.c#L2395", where="uWSGI", log="*** Starting uWSGI "),
    ),
)

SLOW = _cause(
    code="GW903",
    name="app-slower-than-nginx-waits",
    title="the app was slow: nginx timed out on it while the configs agree",
    severity=Severity.WARNING,
    why="""
nginx waited `proxy_read_timeout` (`uwsgi_read_timeout`; 60 s by default) for the response
header, gave up and answered **504**: `upstream timed out (110: Connection timed out) while
reading response header from upstream` (`(110: Operation timed out)` from an nginx built with
musl, as in Alpine images). The configs agree with each other (no rule of `gwlint check`
explains the timeout: the app server's own timeout is longer, as it should be), so the request
was simply slower than nginx is told to wait: a slow query, a call to another service that hung,
a worker pool that was full.

With configs given, a finding of `check` that explains the timeout takes its place: uWSGI
without harakiri (GW110), a request watchdog turned off (GW106), a sync worker behind a location
that does not buffer uploads (GW308)...
""",
    example=(
        ("access.log", _access(("01", "", 200), ("32", "reports/2026", 504))),
        (
            "error.log",
            _error(
                "32",
                "error",
                "upstream timed out (110: Connection timed out) while reading response header "
                "from upstream",
                "reports/2026",
                "http://127.0.0.1:8000",
            ),
        ),
    ),
    fix=(("access.log", _access(("01", "", 200), ("03", "reports/2026", 200))),),
    advice="find what makes these requests slow (the URIs are in the evidence), or move the work "
    "out of the request; raise proxy_read_timeout only with the app's timeout above it",
    references=(
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout",
        "https://nginx.org/en/docs/http/ngx_http_uwsgi_module.html#uwsgi_read_timeout",
    ),
    claims=(
        from_source(f"{NGINX_UPSTREAM}#L4645", status=504),
        from_source(
            f"{NGINX_UPSTREAM}#L4631-L4633",
            where="nginx error.log",
            log="upstream timed out (110: Connection timed out) while reading response header "
            "from upstream",
        ),
        from_source(
            "https://github.com/bminor/musl/blob/v1.2.5/src/errno/__strerror.h#L33",
            where="nginx error.log",
            log="Operation timed out",
        ),
    ),
)

KILLED = _cause(
    code="GW904",
    name="worker-killed",
    title="a worker was killed (out of memory, signal 9)",
    severity=Severity.ERROR,
    why="""
A worker process died from SIGKILL, which nothing can catch: most often the kernel's
out-of-memory killer (its own line, `Out of memory: Killed process 1234 (gunicorn)`, is in the
kernel log, `dmesg` or `journalctl -k`), or a container's memory limit. The requests the worker
was serving die with it: nginx logs `upstream prematurely closed connection while reading
response header from upstream` and answers **502**.

- gunicorn (>= 21): `[ERROR] Worker (pid:1234) was sent SIGKILL! Perhaps out of memory?`
- uWSGI: `DAMN ! worker 1 (pid: 1234) died, killed by signal 9 :( trying respawn ...`

A SIGKILL that follows gunicorn's `WORKER TIMEOUT` or uWSGI's `HARAKIRI` for the same worker is
the app server's own timeout at work (GW101, GW102), not this.
""",
    example=(
        ("access.log", _access(("01", "", 200), ("06", "export.csv", 502), ("07", "", 200))),
        (
            "error.log",
            _error(
                "06",
                "error",
                "upstream prematurely closed connection while reading response header from "
                "upstream",
                "export.csv",
                "http://127.0.0.1:8000",
            ),
        ),
        (
            "gunicorn.log",
            "[2026-12-07 01:00:06 +0000] [7] [ERROR] Worker (pid:12) was sent SIGKILL! Perhaps "
            "out of memory?\n"
            "[2026-12-07 01:00:06 +0000] [31] [INFO] Booting worker with pid: 31\n",
        ),
    ),
    fix=(("access.log", _access(("01", "", 200), ("06", "export.csv", 200), ("07", "", 200))),),
    advice="find what grows (the kernel log names the killed process and its memory); stream "
    "large responses, recycle workers with max_requests, or give the app more memory",
    references=(
        "https://docs.gunicorn.org/en/stable/settings.html#max-requests",
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#reload-on-rss",
        "https://www.kernel.org/doc/gorman/html/understand/understand016.html",
    ),
    claims=(
        from_source(
            f"{GUNICORN_SRC}/arbiter.py#L664-L670",
            where="gunicorn",
            log="was sent SIGKILL! Perhaps out of memory?",
        ),
        from_source(
            f"{UWSGI_SRC}/core/master.c#L1040",
            where="uWSGI",
            log="died, killed by signal 9 :( trying respawn ...",
        ),
        from_source(
            f"{NGINX_UPSTREAM}#L2549",
            where="nginx error.log",
            log="upstream prematurely closed connection",
        ),
        from_source(f"{NGINX_UPSTREAM}#L4674", status=502),
    ),
)

CLIENT_CLOSED = _cause(
    code="GW905",
    name="client-closed-first",
    title="clients closed the connection before the answer (499)",
    severity=Severity.INFO,
    why="""
The client (a browser, a load balancer, a health check, a script with a timeout) gave up before
nginx had an answer, and closed the connection. nginx logs **499** in its access log (its own
code: no client ever receives it) and, at level `info`, `client prematurely closed connection`
in its error log. The request may still be running in the app.

A few are normal (a user navigates away). Many, on the same URIs, mean clients wait less than
these requests take: often a load balancer or CDN in front whose timeout is shorter than nginx's
(`gwlint check --front alb` checks that, GW103), or an API client with a short timeout.
""",
    example=(("access.log", _access(("01", "", 200), ("31", "search", 499), ("32", "", 200))),),
    fix=(("access.log", _access(("01", "", 200), ("31", "search", 200), ("32", "", 200))),),
    advice="make these requests faster than the clients wait, or align the timeouts of what is "
    "in front (gwlint check --front NAME)",
    references=(
        "https://nginx.org/en/docs/http/ngx_http_log_module.html#access_log",
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_ignore_client_abort",
    ),
    claims=(
        from_source(
            f"{NGINX_SRC}/http/ngx_http_request.h#L137",
            outcome="nginx logs 499 (NGX_HTTP_CLIENT_CLOSED_REQUEST) when the client closes first",
        ),
        from_source(
            f"{NGINX_UPSTREAM}#L1560-L1561",
            where="nginx error.log",
            log="client prematurely closed connection",
        ),
    ),
)

NO_LIVE = _cause(
    code="GW906",
    name="no-live-upstreams",
    title="no live upstreams: nginx had marked every server of the upstream down",
    severity=Severity.ERROR,
    why="""
Every server of an `upstream` block had failed `max_fails` times (1 by default) within
`fail_timeout` (10 s by default), so nginx considered them all unavailable and did not even try
one: `no live upstreams while connecting to upstream`, and **502**, until `fail_timeout` passes.
The failures that marked them down come before, in the same error log (`connect() failed`,
`upstream timed out`...): they are the cause to fix, and gwlint lists them as their own causes.

A single-server upstream is never marked down, so this needs two servers or more (or a `server`
whose name resolves to several addresses).
""",
    example=(
        ("access.log", _access(("01", "", 200), ("05", "", 502), ("06", "", 502))),
        (
            "error.log",
            _error(
                "05", "error", "no live upstreams while connecting to upstream", "", "http://app"
            )
            + _error(
                "06", "error", "no live upstreams while connecting to upstream", "", "http://app"
            ),
        ),
    ),
    fix=(("access.log", _access(("01", "", 200), ("05", "", 200), ("06", "", 200))),),
    advice="fix the failures that marked the servers down (listed before it); max_fails and "
    "fail_timeout say how soon nginx gives up on a server and tries it again",
    references=(
        "https://nginx.org/en/docs/http/ngx_http_upstream_module.html#max_fails",
        "https://nginx.org/en/docs/http/ngx_http_upstream_module.html#fail_timeout",
    ),
    claims=(
        from_source(f"{NGINX_UPSTREAM}#L1632", where="nginx error.log", log="no live upstreams"),
        from_source(f"{NGINX_UPSTREAM}#L4674", status=502),
    ),
)

CAUSES: tuple[CauseCode, ...] = (
    UNEXPLAINED,
    EXCEPTION,
    RESTART,
    SLOW,
    KILLED,
    CLIENT_CLOSED,
    NO_LIVE,
)
