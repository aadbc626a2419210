"""The docs of the GW3xx (workers) rules: why each matters, an Example that fires it, its
Fix, references and claims. Loaded on first use (``Rule.why``...), never by ``check``.
"""

from __future__ import annotations

from gwlint.rules.base import PREMATURELY, RuleDocs, ex, from_source, observed, rule_docs

# the sources of the claims, at the release their line numbers are read at (gunicorn: the newest
# tag of the mirror; the lines quoted are the same in 27.0.1, which the lab runs)
NGINX_UPSTREAM_C = "https://github.com/nginx/nginx/blob/release-1.31.4/src/http/ngx_http_upstream.c"
GUNICORN = "https://github.com/benoitc/gunicorn/blob/26.1.0/gunicorn"
UVICORN = "https://github.com/Kludex/uvicorn/blob/0.51.0/uvicorn"
UWSGI = "https://github.com/unbit/uwsgi/blob/2.0.30"
# ngx_http_upstream_next: a timeout answers 504 and logs "upstream timed out (110: ...)"
NGINX_TIMEOUT_CLAIMS = (
    from_source(f"{NGINX_UPSTREAM_C}#L4645", where="nginx", status=504),
    from_source(f"{NGINX_UPSTREAM_C}#L4633", where="nginx error.log", log="upstream timed out"),
)
# an upstream that closes the connection (a killed worker): 502, "upstream prematurely closed"
NGINX_CLOSED_CLAIMS = (
    from_source(f"{NGINX_UPSTREAM_C}#L4674", where="nginx", status=502),
    from_source(f"{NGINX_UPSTREAM_C}#L2549", where="nginx error.log", log=PREMATURELY),
)


GW301 = rule_docs(
    why="""
A heuristic, so info. gunicorn's docs suggest starting at `(2 x CPUs) + 1` workers and say four to
twelve serve most sites; uWSGI's `processes` defaults to 1 as well. The fix gives that number for
the CPUs given with `--cpus` (for 2 CPUs without it).

- **One sync worker** (gunicorn's default `workers = 1`; uWSGI `processes = 1` with one thread)
  serves one request at a time: a single slow request makes every other one wait in the listen
  queue. Behind nginx, those that wait longer than `proxy_read_timeout` get **504** (`upstream
  timed out (110: ...) while reading response header from upstream`; the words after 110 are the
  C library's: `Connection timed out` with glibc, `Operation timed out` with musl); without an
  nginx config among the files, the message only says a proxy would.
- **Far more workers than CPUs** (over twice the suggested count, given `--cpus`): the workers
  compete for CPU and memory, and the OOM killer ends them under load: gunicorn logs `Worker
  (pid:N) was sent SIGKILL! Perhaps out of memory?`, and nginx answers the request the worker was
  serving with **502** (`upstream prematurely closed connection while reading response header
  from upstream`). uvicorn's `--workers` too; one uvicorn worker is not reported, as its event
  loop serves many requests at once.

Not reported: one worker with `reload = True` (a development server), and a worker count the
platform sets at start (`WEB_CONCURRENCY` for a Procfile on Heroku-style platforms).

Give the production machine's CPU count with `--cpus N`: the machine that lints is rarely the one
that serves, so gwlint never guesses it; a Kubernetes container's `resources.limits.cpu` (else its
requests) is its CPU count.
""",
    example=ex(("gunicorn.conf.py", "bind = '127.0.0.1:8000'\n")),
    fix=ex(("gunicorn.conf.py", "bind = '127.0.0.1:8000'\nworkers = 9\n"), args=("--cpus", "4")),
    references=(
        "https://docs.gunicorn.org/en/stable/design.html#how-many-workers",
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
    ),
    claims=(
        *NGINX_TIMEOUT_CLAIMS,
        *NGINX_CLOSED_CLAIMS,
        from_source(
            f"{GUNICORN}/arbiter.py#L669",
            where="gunicorn",
            log="was sent SIGKILL! Perhaps out of memory?",
        ),
    ),
)


GW302 = rule_docs(
    why="""
gunicorn runs the **gthread** worker when `threads` is above 1 and `worker_class` is `sync` (or a
`...SyncWorker` class path; its settings docs say so under `threads`). Nothing warns, but its log
says which worker runs: `Using worker: gthread`. Writing `worker_class = 'sync'` next to
`threads = 4` says one thing and runs another, and the difference matters:

- idle connections are now kept for `keepalive` (2 s by default): behind nginx's upstream
  keep-alive, that is the race of GW201;
- `timeout` no longer kills a long request (the worker's main loop keeps sending its heartbeat);
  only a stuck worker is killed, with every request its threads hold;
- each worker serves `threads` requests at once, so the app must be thread-safe.

gwlint's end-to-end test runs `worker_class = 'sync'`, `threads = 4`, `workers = 1` and
`timeout = 1`: gunicorn logs `Using worker: gthread`, and four requests of 1.5 s each, sent at
once, all get 200 after about 1.5 s: served together, and none killed by the 1 s timeout.

Only an explicit `worker_class = 'sync'` is reported: `threads = 4` alone is the documented way to
ask for gthread.
""",
    example=ex(("gunicorn.conf.py", "worker_class = 'sync'\nthreads = 4\n")),
    fix=ex(("gunicorn.conf.py", "worker_class = 'gthread'\nthreads = 4\n")),
    references=(
        "https://docs.gunicorn.org/en/stable/settings.html#threads",
        "https://docs.gunicorn.org/en/stable/design.html#choosing-a-worker-type",
    ),
    claims=(
        observed("gw302-sync-threads", where="gunicorn", log="Using worker: gthread"),
        observed(
            "gw302-sync-threads",
            where="gunicorn",
            outcome="one worker serves 4 requests at once, and none is killed by timeout",
        ),
    ),
)


GW303 = rule_docs(
    why="""
`worker_connections` only affects the gthread and gevent workers (gunicorn 27's settings docs;
gunicorn's own `asgi` worker reads it too, and so did the eventlet worker until gunicorn 26
removed it). With the sync worker, tornado or UvicornWorker it does nothing, so a limit someone
counted on is not there: a sync worker still serves one request at a time, and an async worker
still accepts every connection it gets.

A `worker_connections` next to a `worker_class` that is not written is left alone: the command
line (`-k gevent`) probably picks the worker.
""",
    example=ex(
        ("gunicorn.conf.py", "worker_class = 'sync'\nworkers = 4\nworker_connections = 500\n")
    ),
    fix=ex(
        ("gunicorn.conf.py", "worker_class = 'gevent'\nworkers = 4\nworker_connections = 500\n")
    ),
    references=(
        "https://docs.gunicorn.org/en/stable/settings.html#worker-connections",
        "https://github.com/Kludex/uvicorn-worker",
    ),
)


GW304 = rule_docs(
    why="""
The kernel caps every listen queue at `net.core.somaxconn` (4096 on Linux >= 5.4, 128 before).
What a full queue does depends on the socket; gwlint's end-to-end test fills the queue of a uWSGI
with `listen = 2` and one busy worker with a burst of requests through nginx:

- on a **unix socket**, the connections beyond the queue fail at once: nginx logs `connect() to
  unix:... failed (11: Resource temporarily unavailable) while connecting to upstream` and
  answers **502**; uWSGI logs nothing about its queue (it reads a unix socket's queue only
  through `SIOBKLGQ`, which stock builds lack: `#ifdef UNBIT`, core/master.c).
- on a **TCP socket**, the kernel drops the SYNs beyond the queue and the client sends them again
  (after 1 s, then 3 s...): no request fails, all are answered 200, one after the other as the
  worker frees. uWSGI's master, which reads the queue with `TCP_INFO` once a second, logs `***
  uWSGI listen queue of socket "127.0.0.1:3031" (fd: 3) full !!! (2/2) ***` (queued / listen).
  nginx answers **504** (`upstream timed out (110: ...) while connecting to upstream`) only to a
  connect that outlasts `proxy_connect_timeout` (60 s by default).

So:

- gunicorn `backlog` (2048 by default; UvicornWorker uses it too), uvicorn's `--backlog` (2048 too)
  and nginx `listen ... backlog=N` above somaxconn are **silently cut** to it: the queue you
  configured is not there.
- uWSGI `listen` above it is **fatal at start** on Linux (TCP and unix sockets): uWSGI logs
  `Listen queue size is greater than the system max net.core.somaxconn (4096).` and exits; nginx
  answers **502** to everything (`connect() failed (111: Connection refused) while connecting to
  upstream`). Error when `--somaxconn` is given, warning on the assumed 4096.
- uWSGI's own default `listen` is only **100** (and a `listen` below it is shorter still). Behind
  nginx on a unix socket, a burst larger than what the workers absorb fills it, and nginx answers
  **502** at once (info). On a TCP socket the same burst only waits, so it is not reported.
""",
    example=ex(("uwsgi.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\nlisten = 8192\n")),
    fix=ex(("uwsgi.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\nlisten = 1024\n")),
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#listen",
        "https://docs.gunicorn.org/en/stable/settings.html#backlog",
        "https://nginx.org/en/docs/http/ngx_http_core_module.html#listen",
        "https://docs.gunicorn.org/en/stable/faq.html",
        "https://github.com/unbit/uwsgi/issues/1647",
        "https://github.com/Cloud-CV/EvalAI/issues/3743",
    ),
    claims=(
        observed("gw304-unix", status=502),
        observed("gw304-unix", where="nginx error.log", log="connect() to unix:"),
        observed(
            "gw304-unix",
            where="nginx error.log",
            log="failed (11: Resource temporarily unavailable) while connecting to upstream",
        ),
        observed("gw304-unix", where="uWSGI", outcome="uWSGI logs nothing about its queue"),
        observed("gw304-tcp", where="uWSGI", log="*** uWSGI listen queue of socket"),
        observed("gw304-tcp", where="uWSGI", log="full !!!"),
        observed(
            "gw304-tcp",
            where="client",
            outcome="no request fails: all are answered 200, one after the other",
        ),
        from_source(
            f"{UWSGI}/core/master.c#L233",
            where="uWSGI",
            outcome="uWSGI reads a unix socket's queue only through SIOBKLGQ (#ifdef UNBIT)",
        ),
        *NGINX_TIMEOUT_CLAIMS,
        observed(
            "gw304-over-somaxconn",
            where="uWSGI",
            log="Listen queue size is greater than the system max net.core.somaxconn",
        ),
        observed("gw304-over-somaxconn", where="uWSGI", outcome="uWSGI exits at start"),
        observed("gw304-over-somaxconn", status=502),
        observed(
            "gw304-over-somaxconn",
            where="nginx error.log",
            log="connect() failed (111: Connection refused) while connecting to upstream",
        ),
    ),
)


GW305 = rule_docs(
    why="""
gunicorn's `max_requests` (uWSGI's `max-requests`) restarts a worker after that many requests, a
common guard against memory leaks. Without `max_requests_jitter` every worker gets the same
limit, and workers started together and fed evenly reach it together: they all restart at once,
and while the new ones load the app the server has no capacity. Requests wait in the listen queue
(nginx answers **504** to those that outlast `proxy_read_timeout`: `upstream timed out (110:
...)`), health checks time out, and a load balancer or Kubernetes may take the
instance out (gunicorn #3427, #862: the reason jitter exists).

gwlint's end-to-end test runs 4 sync workers with `max_requests = 40` behind nginx, fed by 4
clients: each worker logs `Autorestarting worker after current request.` after exactly 40
requests, all four at once (within half a second). With gwlint's fix, `max_requests_jitter = 10`,
each worker restarts after its own count of 40 to 50 requests.

- gunicorn: `max_requests > 0` with `max_requests_jitter = 0` (warning). The reverse, a jitter
  without `max_requests`, does nothing (info); gunicorn 19.2 to 19.9 restarted workers after at
  most `max_requests_jitter` requests then (issue #1978, fixed in 19.10 and 20.0), a warning
  there.
- uWSGI: `max-requests` without `max-requests-delta` (worker N then recycles after `max-requests +
  (N - 1) x delta` requests).
- uvicorn: `--limit-max-requests` without `--limit-max-requests-jitter` and with `--workers` above
  1 (each new process imports the app: warning). With one worker there is no supervisor: after
  the limit **uvicorn itself exits** (it logs `Maximum request limit of 1000 exceeded.
  Terminating process.` and exits with code 0, so Docker's `restart: on-failure` does not restart
  it) and nothing listens until a process manager starts it again; behind nginx, requests get
  **502** (`connect() failed (111: Connection refused)`) meanwhile (warning; info when `--workers`
  is not given, as `$WEB_CONCURRENCY` may set it). `--limit-max-requests 0` is not "no limit":
  every process exits as soon as it starts (error).

The dip is long when every new worker imports the app (gunicorn's default, uWSGI's `lazy-apps`):
warning. With gunicorn's `preload_app` or uWSGI's default (apps loaded in the master), a new worker
is a fork with the app already loaded, so the finding is info; so it is when `workers` is not in
the file (the command line sets it). One worker is left alone: it restarts alone whatever the
jitter.
""",
    example=ex(("gunicorn.conf.py", "workers = 4\nmax_requests = 1000\n")),
    fix=ex(("gunicorn.conf.py", "workers = 4\nmax_requests = 1000\nmax_requests_jitter = 250\n")),
    references=(
        "https://docs.gunicorn.org/en/stable/settings.html#max-requests",
        "https://docs.gunicorn.org/en/stable/settings.html#max-requests-jitter",
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#max-requests-delta",
        "https://www.uvicorn.org/settings/#resource-limits",
        "https://github.com/benoitc/gunicorn/pull/862",
        "https://github.com/benoitc/gunicorn/issues/3427",
        "https://github.com/benoitc/gunicorn/issues/1978",
    ),
    claims=(
        observed(
            "gw305-lockstep",
            where="gunicorn",
            log="Autorestarting worker after current request.",
        ),
        observed(
            "gw305-lockstep",
            where="gunicorn",
            outcome="all 4 workers restart after exactly 40 requests, within 0.5 s",
        ),
        observed(
            "gw305-jitter",
            where="gunicorn",
            outcome="each worker restarts after its own count of 40 to 50 requests",
        ),
        *NGINX_TIMEOUT_CLAIMS,
        from_source(
            f"{UVICORN}/server.py#L264",
            where="uvicorn",
            log="Maximum request limit of",
        ),
        from_source(
            f"{UVICORN}/server.py#L264",
            where="uvicorn",
            outcome="uvicorn without --workers stops serving (exit code 0) after the limit",
        ),
        from_source(f"{NGINX_UPSTREAM_C}#L4674", where="nginx", status=502),
        from_source(
            f"{NGINX_UPSTREAM_C}#L3066",
            where="nginx error.log",
            log="connect() failed",
        ),
    ),
)


GW306 = rule_docs(
    why="""
uWSGI's memory guards are in **megabytes**:

- `reload-on-rss` reloads a worker gracefully, after its current request, once its resident memory
  passes the limit. `evil-reload-on-rss` has the master kill it (SIGKILL) as soon as it passes,
  **in the middle of a request**: uWSGI logs `*** EVIL RELOAD ON WORKER 1 RSS: ...`, and nginx logs
  `upstream prematurely closed connection while reading response header from upstream` and
  answers **502**. An evil limit not above the graceful one
  makes the graceful one useless; an evil limit alone turns every memory growth into 502s.
- `limit-as` caps the **address space** (virtual size), not memory in use. A Python worker maps
  hundreds of megabytes (libraries, a stack and a malloc arena per thread), so a low `limit-as`
  makes allocations fail: `MemoryError` in the app (what the client then gets depends on who
  catches it), or a worker that cannot start. An RSS limit at or above `limit-as` is never
  reached.
- A value far below what a Python worker uses at rest (under 32 MB) reloads the worker after every
  request; one in the millions (bytes written where megabytes are read) never triggers.

A value with a unit suffix (`512M`) is GW506's finding.
""",
    example=ex(
        (
            "uwsgi.ini",
            "[uwsgi]\nsocket = 127.0.0.1:3031\nmaster = true\nreload-on-rss = 512\n"
            "evil-reload-on-rss = 512\n",
        )
    ),
    fix=ex(
        (
            "uwsgi.ini",
            "[uwsgi]\nsocket = 127.0.0.1:3031\nmaster = true\nreload-on-rss = 384\n"
            "evil-reload-on-rss = 512\n",
        )
    ),
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#reload-on-rss",
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#evil-reload-on-rss",
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#limit-as",
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
    ),
    claims=(
        from_source(
            f"{UWSGI}/core/master_checks.c#L247",
            where="uWSGI",
            log="*** EVIL RELOAD ON WORKER",
        ),
        from_source(
            f"{UWSGI}/core/master_checks.c#L248",
            where="uWSGI",
            outcome="uWSGI's master kills the worker with SIGKILL, mid-request",
        ),
        *NGINX_CLOSED_CLAIMS,
    ),
)


GW307 = rule_docs(
    why="""
gunicorn's settings docs: "The reloader is incompatible with application preloading." With
`preload_app = True` the master imports the app once and forks workers from it. `reload = True`
restarts a worker when a source file changes, but the new worker is forked from the same master
and runs the code the master loaded at start: the change never shows, and nothing says so.

For development, drop `preload_app`; in production, drop `reload` and restart gunicorn to deploy.
""",
    example=ex(("gunicorn.conf.py", "preload_app = True\nreload = True\n")),
    fix=ex(("gunicorn.conf.py", "preload_app = True\n")),
    references=(
        "https://docs.gunicorn.org/en/stable/settings.html#reload",
        "https://docs.gunicorn.org/en/stable/settings.html#preload-app",
    ),
)


GW308 = rule_docs(
    why="""
gunicorn's deploy docs: "When using the default synchronous workers you must ensure the proxy
buffers slow clients." A sync worker serves one request at a time, from the first byte of the
request to the last byte of the response:

- `proxy_request_buffering off`: nginx passes the request body to gunicorn as the client sends
  it, so a slow upload (a phone on a bad network) holds a worker for as long as it takes. A few
  slow clients hold every worker; the other requests queue, and nginx answers **504**
  (`upstream timed out (110: ...) while reading response header from upstream`; the words after
  110 are the C library's: `Operation timed out` in the test's musl build of nginx, `Connection
  timed out` with glibc). An upload slower than gunicorn's `timeout` is killed mid-way
  (`[CRITICAL] WORKER TIMEOUT`; what the client then gets is GW101's subject).
- `proxy_buffering off`: nginx sends the response to the client as gunicorn writes it, so a
  response larger than the socket buffers (a large response) holds the worker until a slow client
  has read it.

gwlint's end-to-end test holds one sync worker with an upload that sends half its body, behind
`proxy_request_buffering off` and `proxy_read_timeout 1s`: a plain GET sent meanwhile gets 504.
With the directive removed, nginx buffers the upload itself and the same GET gets 200.

If the location must stream (uploads with progress, server-sent events, long downloads), give it
an app server on an async worker (`gevent`) or threads (`gthread`); otherwise turn buffering back
on.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location /upload/ {
                        proxy_request_buffering off;
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\nworker_class = 'sync'\nworkers = 4\n"),
    ),
    fix=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location /upload/ {
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\nworker_class = 'sync'\nworkers = 4\n"),
    ),
    references=(
        "https://docs.gunicorn.org/en/stable/deploy.html",
        "https://docs.gunicorn.org/en/stable/design.html#choosing-a-worker-type",
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_request_buffering",
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_buffering",
    ),
    claims=(
        observed("gw308-slow-upload", status=504),
        observed("gw308-slow-upload", where="nginx error.log", log="upstream timed out (110: "),
        observed(
            "gw308-slow-upload",
            where="nginx error.log",
            log="while reading response header from upstream",
        ),
        from_source(f"{GUNICORN}/arbiter.py#L619", where="gunicorn", log="WORKER TIMEOUT"),
    ),
)


DOCS: dict[str, RuleDocs] = {
    "GW301": GW301,
    "GW302": GW302,
    "GW303": GW303,
    "GW304": GW304,
    "GW305": GW305,
    "GW306": GW306,
    "GW307": GW307,
    "GW308": GW308,
}
