"""GW3xx: worker processes and capacity."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from gwlint.model.defaults import GUNICORN_REMOVED_WORKERS
from gwlint.model.diagnostics import Finding, Location, Related, Severity
from gwlint.model.unread import UNREAD_ENV
from gwlint.rules.base import ex, rule
from gwlint.rules.text import app_location, app_related, remove_from, set_in, shown

if TYPE_CHECKING:
    from gwlint.model.appserver import AppServer, GunicornServer, UvicornServer, UwsgiServer
    from gwlint.model.deployment import Deployment, Link
    from gwlint.model.source import Source, Sourced


def _at(value: Sourced[Any], app: AppServer) -> Location:
    return app_location(app, value)


@rule(
    code="GW301",
    name="worker-count",
    title="worker count does not fit the machine",
    severity=Severity.INFO,
    why="""
A heuristic, so info. gunicorn's docs suggest starting at `(2 x CPUs) + 1` workers and say four to
twelve serve most sites; uWSGI's `processes` defaults to 1 as well.

- **One sync worker** (gunicorn's default `workers = 1`; uWSGI `processes = 1` with one thread)
  serves one request at a time: a single slow request makes every other one wait, and nginx
  answers 504 (`upstream timed out (110: Connection timed out)`) to the queue behind it.
- **Far more workers than CPUs** (over twice the suggested count, given `--cpus`): the workers
  compete for CPU and memory, and the OOM killer ends them under load (`Worker (pid:N) was sent
  SIGKILL! Perhaps out of memory?`, 502 in nginx). uvicorn's `--workers` too; one uvicorn worker
  is not reported, as its event loop serves many requests at once.

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
)
def gw301(dep: Deployment) -> Iterator[Finding]:
    cpus = dep.facts.cpus
    suggested = f"{2 * cpus + 1} for {cpus} CPUs" if cpus else "(2 x CPUs) + 1"
    for app in dep.apps:
        if app.kind == "uvicorn":
            finding = _uvicorn_workers(app, cpus, suggested, dep.facts.cpus_from)
            if finding is not None:
                yield finding
            continue
        if app.kind == "gunicorn":
            workers, threads = app.workers, app.threads
            reload = app.values.get("reload")
            if reload is not None and reload.value is True and workers.value == 1:
                continue  # reload = True: a development server, where one worker is the norm
            name = f"workers = {workers.value} {workers.where()}"
            if _on_launcher_line(app, workers):
                name = f"{shown(app, workers, 'workers')} {workers.where()}"
            if workers.is_default and "WEB_CONCURRENCY" not in dep.facts.env:
                note = workers.source.note or ""
                also = f" or {note.removeprefix('unless ')}" if UNREAD_ENV in note else ""
                label = f"{workers.source.default_of} default"
                name = f"workers = {workers.value} ({label}, unless $WEB_CONCURRENCY is set{also})"
            # sync, or gthread with one thread: one request at a time per worker
            single = workers.value == 1 and (
                app.worker_kind == "sync" or (app.worker_kind == "gthread" and threads.value == 1)
            )
            fix = _workers_fix(app, "workers", workers, cpus, suggested)
        else:
            workers, threads = app.processes, app.threads
            name = f"{app.processes_option} = {workers.value} {workers.where()}"
            if _on_launcher_line(app, workers):
                name = f"{shown(app, workers, app.processes_option)} {workers.where()}"
            cores = app.async_cores.value if app.async_cores is not None else 0
            single = (
                workers.value == 1
                and threads.value is not None
                and threads.value <= 1
                and (cores or 0) <= 1
            )
            fix = _workers_fix(app, app.processes_option, workers, cpus, suggested)
        if workers.value is None:
            continue
        # nginx when a route of this deployment reaches the app; else whatever is in front
        front = "nginx" if any(link.app is app for link in dep.links) else "the proxy in front"
        if single:
            yield Finding(
                location=_at(workers, app),
                message=(
                    f"{name}: one worker serves one request at a time; a single slow request "
                    f"holds up every other one, and {front} answers 504 to the queue behind it"
                ),
                fix=fix,
            )
        elif cpus and workers.value > 2 * (2 * cpus + 1):
            per_cpu = workers.value / cpus
            yield Finding(
                location=_at(workers, app),
                message=(
                    f"{name} on {cpus} CPUs ({per_cpu:.1f} per CPU, from {dep.facts.cpus_from}): "
                    "workers compete for CPU and memory; under load the OOM killer ends them and "
                    f"{front} answers 502"
                ),
                fix=fix,
            )


def _on_launcher_line(app: AppServer, value: Sourced[Any]) -> bool:
    """Written on a launcher's command line or in its environment, not in a config file."""
    return app.launcher is not None and value.source.path == app.path


def _add(app: AppServer, setting: str, value: int, current: Sourced[Any]) -> str:
    """``add max_requests_jitter = 250 in gunicorn.conf.py`` for a plain config file (its
    wording), else where the value goes (``set_in``)."""
    if app.launcher is None:
        return f"add {setting} = {value} in {app.path}"
    return set_in(app, setting, value, current)


def _remove(app: AppServer, setting: str, current: Sourced[Any]) -> str:
    if app.launcher is None:
        return f"remove {setting} from {app.path}"
    return remove_from(app, setting, current)


def _workers_fix(
    app: AppServer, setting: str, workers: Sourced[int], cpus: int | None, suggested: str
) -> str:
    if app.launcher is None:
        return f"set {setting} = {suggested} in {app.path}"
    if cpus:
        return f"{set_in(app, setting, 2 * cpus + 1, workers)} ((2 x {cpus} CPUs) + 1)"
    return f"{set_in(app, setting, 'N', workers)}, with N = (2 x CPUs) + 1"


def _uvicorn_workers(
    app: UvicornServer, cpus: int | None, suggested: str, given: str
) -> Finding | None:
    """uvicorn serves many requests at once in each process (asyncio): one worker is not the
    one-request-at-a-time of a sync worker, so only far too many workers are reported."""
    workers = app.workers
    reload = app.values.get("reload")
    if workers.value is None or not cpus or workers.value <= 2 * (2 * cpus + 1):
        return None
    if reload is not None and reload.value is True:
        return None  # --reload runs one process whatever --workers says
    per_cpu = workers.value / cpus
    return Finding(
        location=_at(workers, app),
        message=(
            f"uvicorn {shown(app, workers, 'workers')} {workers.where()} on {cpus} CPUs "
            f"({per_cpu:.1f} per CPU, from {given}): each worker is a process with its own "
            "event loop and its own copy of the app; they compete for CPU and memory, and under "
            "load the OOM killer ends them and nginx answers 502"
        ),
        fix=_workers_fix(app, "workers", workers, cpus, suggested),
    )


# --- GW302: threads turn the sync worker into gthread -----------------------------------------


def _is_sync_class(name: str) -> bool:
    """gunicorn's config.py: ``uri.endswith('SyncWorker') or uri == 'sync'`` switches."""
    return name == "sync" or name.endswith("SyncWorker")


@rule(
    code="GW302",
    name="threads-turn-sync-into-gthread",
    title="threads > 1 with worker_class = 'sync' silently runs the gthread worker",
    severity=Severity.INFO,
    why="""
gunicorn runs the **gthread** worker when `threads` is above 1 and `worker_class` is `sync` (or a
`...SyncWorker` class path; its settings docs say so under `threads`). Nothing warns.
Writing `worker_class = 'sync'` next to `threads = 4` says one thing and runs another, and the
difference matters:

- idle connections are now kept for `keepalive` (2 s by default): behind nginx's upstream
  keep-alive, that is the race of GW201 (intermittent **502**);
- `timeout` no longer kills a long request (the worker's main loop keeps sending its heartbeat);
  only a stuck worker is killed, with every request its threads hold;
- each worker serves `threads` requests at once, so the app must be thread-safe.

Only an explicit `worker_class = 'sync'` is reported: `threads = 4` alone is the documented way to
ask for gthread.
""",
    example=ex(("gunicorn.conf.py", "worker_class = 'sync'\nthreads = 4\n")),
    fix=ex(("gunicorn.conf.py", "worker_class = 'gthread'\nthreads = 4\n")),
    references=(
        "https://docs.gunicorn.org/en/stable/settings.html#threads",
        "https://docs.gunicorn.org/en/stable/design.html#choosing-a-worker-type",
    ),
)
def gw302(dep: Deployment) -> Iterator[Finding]:
    for app in dep.apps:
        if app.kind != "gunicorn" or app.worker_kind != "gthread":
            continue
        worker_class, threads = app.worker_class, app.threads
        if worker_class.is_default or worker_class.value is None or threads.value is None:
            continue
        if not _is_sync_class(worker_class.value) or threads.value <= 1:
            continue
        keepalive = app.keepalive
        yield Finding(
            location=_at(threads, app),
            message=(
                f"{shown(app, threads, 'threads')} with {shown(app, worker_class, 'worker_class')} "
                f"({worker_class.source.label()}): gunicorn silently runs the gthread worker, "
                f"not sync: idle connections stay open for keepalive ({keepalive.value}s, "
                f"{keepalive.source.label()}), timeout no longer kills a long request, and each "
                "worker "
                f"serves {threads.value} requests at once"
            ),
            related=app_related(app, worker_class, "worker_class", written_only=True),
            fix=(
                f"{_say_gthread(app, worker_class)} to say what runs (and check "
                "keepalive against nginx, GW201); or remove threads to keep the sync worker"
            ),
        )


def _say_gthread(app: GunicornServer, worker_class: Sourced[str]) -> str:
    if app.launcher is None:
        return f"write worker_class = 'gthread' in {app.path}"
    return set_in(app, "worker_class", "'gthread'", worker_class)


# --- GW303: worker_connections that nothing reads ---------------------------------------------

WORKER_CONNECTIONS_IGNORED = {
    "sync": "a sync worker serves one connection at a time",
    "tornado": "tornado's server does not read it",
    "uvicorn": ("UvicornWorker does not pass it to uvicorn (whose own limit is limit_concurrency)"),
}


@rule(
    code="GW303",
    name="worker-connections-ignored",
    title="worker_connections set for a worker that ignores it",
    severity=Severity.INFO,
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
def gw303(dep: Deployment) -> Iterator[Finding]:
    for app in dep.apps:
        if app.kind != "gunicorn" or app.worker_kind not in WORKER_CONNECTIONS_IGNORED:
            continue
        connections = app.values.get("worker_connections")
        if connections is None or connections.is_default or not connections.source.in_file:
            continue
        if app.worker_class.is_default and app.launcher is None:
            continue  # the command line probably gives -k
        kind = app.worker_kind
        assert kind is not None
        fix = remove_from(app, "worker_connections", connections)
        eventlet = dep.facts.gunicorn_version < GUNICORN_REMOVED_WORKERS["eventlet"]
        readers = "gthread, gevent, eventlet and asgi" if eventlet else "gthread, gevent and asgi"
        if kind == "sync":
            fix += (
                "; for many connections per worker, use worker_class = 'gthread' with threads, "
                "or 'gevent'"
            )
        yield Finding(
            location=_at(connections, app),
            message=(
                f"{shown(app, connections, 'worker_connections')} does nothing with the {kind} "
                f"worker ({app.worker_class.raw}, {app.worker_class.source.label()}): "
                f"{WORKER_CONNECTIONS_IGNORED[kind]}; only {readers} read it"
            ),
            fix=fix,
        )


# --- GW304: listen queues --------------------------------------------------------------------

_BACKLOG = re.compile(r"^backlog=(-?\d{1,18})$")  # longer: nginx refuses it, int() may too
UWSGI_LISTEN_SUGGESTED = 1024


def _somaxconn(dep: Deployment) -> tuple[int, bool, str]:
    """net.core.somaxconn, whether --somaxconn gave it, and how to name it in a message."""
    facts = dep.facts
    given = facts.somaxconn_given
    if given:
        return facts.somaxconn, True, f"net.core.somaxconn {facts.somaxconn} (--somaxconn)"
    return (
        facts.somaxconn,
        False,
        f"net.core.somaxconn {facts.somaxconn} (assumed: the default of Linux >= 5.4, 128 on "
        "older kernels; give --somaxconn)",
    )


def _queue_overflow(unix: bool | None) -> str:
    if unix:
        return (
            "nginx's connects fail at once ('connect() to unix:... failed (11: Resource "
            "temporarily unavailable) while connecting to upstream', 502)"
        )
    if unix is False:
        return "their SYNs are dropped (slow or failed connects; 504 if it lasts)"
    return (
        "connections are refused (unix socket: nginx 'connect() ... failed (11: Resource "
        "temporarily unavailable)', 502) or their SYNs dropped (TCP: slow connects)"
    )


def _raise_somaxconn(value: int) -> str:
    return (
        f"raise net.core.somaxconn to at least {value} on the host (sysctl; in a container, "
        "the pod's or container's sysctls) and give --somaxconn"
    )


@rule(
    code="GW304",
    name="listen-backlog-vs-somaxconn",
    title="listen queue longer than net.core.somaxconn, or uWSGI's short default",
    severity=Severity.WARNING,
    why="""
The kernel caps every listen queue at `net.core.somaxconn` (4096 on Linux >= 5.4, 128 before).

- gunicorn `backlog` (2048 by default; UvicornWorker uses it too), uvicorn's `--backlog` (2048 too)
  and nginx `listen ... backlog=N` above it are **silently cut** to somaxconn: the queue you
  configured is not there, and in a burst connections beyond it are refused (unix socket: nginx
  `connect() to unix:... failed (11: Resource temporarily unavailable) while connecting to
  upstream`, **502**) or their SYNs are dropped (TCP: slow connects).
- uWSGI `listen` above it is **fatal at start** on Linux (TCP and unix sockets): `Listen queue
  size is greater than the system max net.core.somaxconn (128).`, and uWSGI exits; nginx answers
  **502** to everything. Error when `--somaxconn` is given, warning on the assumed 4096.
- uWSGI's own default `listen` is only **100**. Behind nginx on a unix socket, a burst larger
  than what the workers absorb fills it, and nginx answers **502** at once: `connect() to
  unix:/run/app.sock failed (11: Resource temporarily unavailable) while connecting to upstream`
  (info). uWSGI itself logs nothing then: it reads a unix socket's queue only through `SIOBKLGQ`,
  which stock builds lack (`#ifdef UNBIT`, core/master.c). Its `*** uWSGI listen queue of socket
  "127.0.0.1:3031" (fd: 3) full !!! (101/100) ***` line is for TCP sockets (read with
  `TCP_INFO`), where a full queue drops SYNs: slow connects, not an immediate 502, so a TCP
  socket with the default is not reported.
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
)
def gw304(dep: Deployment) -> Iterator[Finding]:
    somaxconn, given, label = _somaxconn(dep)
    for app in dep.apps:
        if app.kind == "uwsgi":
            finding = _uwsgi_listen(app, somaxconn, given, label)
        else:
            finding = _app_backlog(app, somaxconn, label)
        if finding is not None:
            yield finding
    yield from _uwsgi_default_listen(dep, somaxconn)
    nginx = dep.nginx
    if nginx is None:
        return
    for directive in nginx.named(("listen",)):
        if "server" not in directive.context:
            continue
        for arg in directive.args:
            found = _BACKLOG.match(arg)
            if found is None or int(found.group(1)) <= somaxconn:
                continue
            location = Location.of(directive.source)
            assert location is not None
            backlog = int(found.group(1))
            yield Finding(
                location=location,
                message=(
                    f"listen {' '.join(directive.args)}: backlog={backlog} > {label}: the kernel "
                    f"silently cuts the queue to {somaxconn}, so in a burst clients' "
                    "connections beyond it are dropped (slow connects, resets)"
                ),
                fix=(
                    f"{_raise_somaxconn(backlog)}; or write backlog={somaxconn}, so the config "
                    "says what the kernel does"
                ),
            )


def _app_backlog(app: GunicornServer | UvicornServer, somaxconn: int, label: str) -> Finding | None:
    """gunicorn's or uvicorn's backlog (2048 by default in both), which the kernel cuts to
    somaxconn without a word."""
    backlog = app.values.get("backlog")
    if backlog is None or backlog.value is None or backlog.value <= somaxconn:
        return None
    unix = {listener.address.kind == "unix" for listener in app.listeners}
    overflow = _queue_overflow(unix.pop() if len(unix) == 1 else None)
    where = backlog.where()
    if backlog.is_default and app.launcher is None:
        where = f"({backlog.source.label()}, unless the command line gives --backlog)"
    name = f"{app.kind} backlog" if app.kind == "gunicorn" else "uvicorn --backlog"
    return Finding(
        location=_at(backlog, app),
        message=(
            f"{name} {backlog.value} {where} > {label}: the kernel "
            f"silently cuts the listen queue to {somaxconn}, so in a burst connections beyond "
            f"it are lost: {overflow}"
        ),
        fix=(
            f"{_raise_somaxconn(backlog.value)}; or {set_in(app, 'backlog', somaxconn, backlog)}, "
            "so the config says what the kernel does"
        ),
        severity=Severity.INFO if backlog.is_default else None,
    )


def _uwsgi_listen(app: UwsgiServer, somaxconn: int, given: bool, label: str) -> Finding | None:
    listen = app.number("listen")
    if listen.value is None or listen.value <= somaxconn:
        return None
    return Finding(
        location=_at(listen, app),
        message=(
            f"uWSGI listen = {listen.raw} {listen.where()} > {label}: uWSGI refuses to start "
            f"on Linux ('Listen queue size is greater than the system max net.core.somaxconn "
            f"({somaxconn}).') and nginx answers 502 to every request"
        ),
        fix=(
            f"{set_in(app, 'listen', min(somaxconn, UWSGI_LISTEN_SUGGESTED), listen)} (not above "
            f"net.core.somaxconn); or, if the queue must be that long, "
            f"{_raise_somaxconn(listen.value)}"
        ),
        severity=Severity.ERROR if given else None,
    )


def _uwsgi_default_listen(dep: Deployment, somaxconn: int) -> Iterator[Finding]:
    """uWSGI's listen 100 behind nginx on a unix socket: a full queue is an immediate 502.

    uWSGI's "listen queue ... full" log line is not promised: stock builds read a unix socket's
    queue only through SIOBKLGQ (#ifdef UNBIT, core/master.c); only TCP sockets log it."""
    seen: set[tuple[int, str]] = set()
    for link in dep.route_app_links():
        app, listener = link.app, link.listener
        if app.kind != "uwsgi" or not link.same_protocol or listener.address.kind != "unix":
            continue
        listen = app.number("listen")
        if not listen.is_default or listen.value is None or somaxconn <= listen.value:
            continue
        key = (id(app), str(listener.address))
        if key in seen:
            continue
        seen.add(key)
        location = Location.of(listener.source) or Location(path=app.path, line=1)
        path = listener.address.path
        route_at = Location.of(link.route.pass_directive.source)
        yield Finding(
            location=location,
            message=(
                f"uWSGI's listen queue is {listen.value} {listen.where()} on {listener.option} = "
                f"{path}: a burst that outruns the workers fills it, and nginx logs connect() to "
                f"unix:{path} failed (11: Resource temporarily unavailable) and answers 502"
            ),
            related=(
                (Related(location=route_at, message=f"used by {link.route.describe()}"),)
                if route_at is not None
                else ()
            ),
            fix=(
                f"{set_in(app, 'listen', min(somaxconn, UWSGI_LISTEN_SUGGESTED), listen)} (at "
                f"most net.core.somaxconn {somaxconn})"
            ),
            severity=Severity.INFO,
        )


# --- GW305: worker recycling in lock-step -----------------------------------------------------


@rule(
    code="GW305",
    name="max-requests-without-jitter",
    title="workers recycled after max_requests without jitter restart together",
    severity=Severity.WARNING,
    why="""
gunicorn's `max_requests` (uWSGI's `max-requests`) restarts a worker after that many requests, a
common guard against memory leaks. Without `max_requests_jitter` every worker gets the same
limit, and workers started together and fed evenly reach it together: they all restart at once,
and while the new ones load the app the server has no capacity. Requests wait in the listen queue
(504 if that outlasts nginx's `proxy_read_timeout`), health checks time out, and a load balancer
or Kubernetes may take the instance out (gunicorn #3427, #862: the reason jitter exists).

- gunicorn: `max_requests > 0` with `max_requests_jitter = 0` (warning). The reverse, a jitter
  without `max_requests`, does nothing (info); gunicorn 19.2 to 19.9 restarted workers after at
  most `max_requests_jitter` requests then (issue #1978, fixed in 19.10 and 20.0), a warning
  there.
- uWSGI: `max-requests` without `max-requests-delta` (worker N then recycles after `max-requests +
  (N - 1) x delta` requests).
- uvicorn: `--limit-max-requests` without `--limit-max-requests-jitter` and with `--workers` above
  1 (each new process imports the app: warning). With one worker there is no supervisor: after
  the limit **uvicorn itself exits** (`Maximum request limit of 1000 exceeded. Terminating
  process.`, exit code 0) and nginx answers 502 until something restarts it (warning; info when
  `--workers` is not given, as `$WEB_CONCURRENCY` may set it). `--limit-max-requests 0` is not
  "no limit": every process exits as soon as it starts (error).

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
)
def gw305(dep: Deployment) -> Iterator[Finding]:
    for app in dep.apps:
        if app.kind == "gunicorn":
            yield from _gunicorn_jitter(dep, app)
            continue
        finding = _uwsgi_delta(app) if app.kind == "uwsgi" else _uvicorn_jitter(app)
        if finding is not None:
            yield finding


def _uvicorn_jitter(app: UvicornServer) -> Finding | None:
    """uvicorn --limit-max-requests: a worker process exits after that many requests (plus
    randint(0, --limit-max-requests-jitter)); with --workers the supervisor starts a new one,
    without it uvicorn itself exits (server.py on_tick, supervisors/multiprocess.py)."""
    limit, jitter = (
        app.values.get("limit_max_requests"),
        app.values.get("limit_max_requests_jitter"),
    )
    workers = app.workers
    if limit is None or jitter is None or not isinstance(limit.value, int):
        return None
    if not isinstance(jitter.value, int) or workers.value is None:
        return None
    reload = app.values.get("reload")
    if reload is not None and reload.value is True:
        return None  # a development server
    written = f"{shown(app, limit, 'limit_max_requests')} {limit.where()}"
    suggested = max(1, limit.value // 4)
    if limit.value <= 0:
        return Finding(
            location=_at(limit, app),
            message=(
                f"uvicorn {written}: uvicorn counts 0 as a limit, not as 'no limit', so each "
                "worker process exits as soon as it has started ('Maximum request limit of 0 "
                "exceeded. Terminating process.'): nothing serves, and nginx answers 502"
            ),
            fix=f"{remove_from(app, 'limit_max_requests', limit)} (no limit is the default)",
            severity=Severity.ERROR,
        )
    if workers.value == 1:
        default = workers.is_default
        one = (
            f"one worker ({workers.source.label()}, unless $WEB_CONCURRENCY is set where it runs)"
            if default
            else f"{shown(app, workers, 'workers')} {workers.where()}"
        )
        return Finding(
            location=_at(limit, app),
            message=(
                f"uvicorn {written} with {one}: after {limit.value} requests uvicorn itself "
                f"exits ('Maximum request limit of {limit.value} exceeded. Terminating "
                "process.', exit code 0), as only the --workers supervisor restarts processes; "
                "nothing listens until a process manager starts it again (Docker's restart: "
                "on-failure does not, on exit code 0), and nginx answers 502 meanwhile"
            ),
            fix=(
                f"run two workers or more ({set_in(app, 'workers', 2, workers)}), so uvicorn's "
                "supervisor replaces each process that exits; or "
                f"{remove_from(app, 'limit_max_requests', limit)}"
            ),
            severity=Severity.INFO if default else None,
        )
    if jitter.value > 0:
        return None
    return Finding(
        location=_at(limit, app),
        message=(
            f"uvicorn {written} with --limit-max-requests-jitter {jitter.value} "
            f"({jitter.source.label()}): every worker process exits after exactly {limit.value} "
            f"requests, so all {workers.value} workers, started together and fed evenly, exit at "
            "about the same time, and while uvicorn's supervisor starts new ones, which import "
            "the app again, requests wait (504 past proxy_read_timeout; failed health checks)"
        ),
        related=app_related(app, workers, "workers", written_only=True),
        fix=(
            f"{set_in(app, 'limit_max_requests_jitter', suggested, jitter)} (each worker then "
            f"exits after {limit.value} + randint(0, {suggested}) requests)"
        ),
    )


def _gunicorn_jitter(dep: Deployment, app: GunicornServer) -> Iterator[Finding]:
    limit, jitter = app.values.get("max_requests"), app.values.get("max_requests_jitter")
    workers = app.workers
    if limit is None or jitter is None or limit.value is None or jitter.value is None:
        return
    if limit.value > 0 and jitter.value == 0:
        if workers.value == 1 and not workers.is_default:
            return  # one worker restarts alone anyway
        count = (
            f"all {workers.value} workers"
            if workers.value is not None and not workers.is_default
            else "all workers"
        )
        suggested = max(1, limit.value // 4)
        preload = app.values.get("preload_app")
        message = (
            f"{shown(app, limit, 'max_requests')} with max_requests_jitter {jitter.value} "
            f"({jitter.source.label()}): every worker restarts after exactly {limit.value} "
            f"requests, so {count}, started together and fed evenly, restart at about the "
            "same time"
        )
        severity = None
        if preload is not None and preload.value is True:
            severity = Severity.INFO
            message += (
                f"; with {shown(app, preload, 'preload_app')} ({preload.source.label()}) a new "
                "worker is "
                "forked with the app already loaded, so the dip is short"
            )
        else:
            message += (
                ", and while the new ones import the app requests wait (504 past "
                "proxy_read_timeout; failed health checks)"
            )
        if workers.is_default:
            severity = Severity.INFO
            message += (
                "; workers is not set in this file, so how many there are is not known"
                if app.launcher is None
                else f"; workers is not set ({app.launcher}), so how many there are depends on "
                "$WEB_CONCURRENCY where it runs"
            )
        yield Finding(
            location=_at(limit, app),
            message=message,
            severity=severity,
            fix=(
                f"{_add(app, 'max_requests_jitter', suggested, jitter)} (each worker then "
                f"restarts after {limit.value} + randint(0, {suggested}) requests)"
            ),
        )
    elif limit.value == 0 and jitter.value > 0:
        # 19.2 (max_requests_jitter) to 19.9: max_requests = 0 + randint(0, jitter) or MAXSIZE
        old = dep.facts.gunicorn_version < (19, 10, 0)
        consequence = (
            f"gunicorn {dep.facts.gunicorn_label.split()[-1]} restarts every worker after at "
            f"most {jitter.value} requests (issue #1978)"
            if old
            else "workers are never recycled"
        )
        yield Finding(
            location=_at(jitter, app),
            message=(
                f"{shown(app, jitter, 'max_requests_jitter')} without max_requests (max_requests "
                f"{limit.value}, {limit.source.label()}): {consequence}"
            ),
            fix=(
                f"set max_requests in {app.path} too (e.g. max_requests = "
                f"{max(4 * jitter.value, 1000)}), or remove max_requests_jitter"
                if app.launcher is None
                else f"{set_in(app, 'max_requests', max(4 * jitter.value, 1000), limit)} too, "
                f"or {remove_from(app, 'max_requests_jitter', jitter)}"
            ),
            severity=None if old else Severity.INFO,
        )


def _uwsgi_delta(app: UwsgiServer) -> Finding | None:
    limit = app.number("max-requests")
    delta = app.number("max-requests-delta")
    processes = app.processes
    if limit.value is None or delta.value is None or processes.value is None:
        return None
    if limit.value <= 0 or delta.value > 0 or processes.value <= 1:
        return None
    suggested = max(1, limit.value // processes.value)
    message = (
        f"max-requests = {limit.raw} without max-requests-delta: each of the {processes.value} "
        f"workers ({app.processes_option}, {processes.source.label()}) recycles after exactly "
        f"{limit.value} requests, so they restart at about the same time"
    )
    lazy = next((app.flag(name) for name in ("lazy-apps", "lazy") if app.flag(name).value), None)
    if lazy is None:
        severity: Severity | None = Severity.INFO
        message += (
            "; without lazy-apps a new worker is a fork of the master, which has the app "
            "loaded, so the dip is short"
        )
    else:
        severity = None
        message += (
            f", and with lazy-apps ({lazy.source.label()}) each new one loads the app while "
            "requests wait (504 past the read timeout; failed health checks)"
        )
    return Finding(
        location=_at(limit, app),
        message=message,
        related=app_related(app, processes, app.processes_option, written_only=True),
        fix=(
            f"{_add(app, 'max-requests-delta', suggested, delta)} (worker N then recycles after "
            f"{limit.value} + (N - 1) x {suggested} requests)"
        ),
        severity=severity,
    )


# --- GW306: uWSGI memory limits ---------------------------------------------------------------

_PLAIN_NUMBER = re.compile(r"^\s*\d+\s*$")
MIN_SENSIBLE_MB = 32  # below what a Python worker with a web framework uses at rest
MIN_ADDRESS_SPACE_MB = 512  # below what a Python worker maps (stacks, malloc arenas, libraries)
MB_PER_TB = 1024 * 1024
RSS = "reload-on-rss"


def _megabytes(app: UwsgiServer, name: str) -> Sourced[int] | None:
    """A megabyte option written as a plain number (a suffix is GW506's), or None."""
    occurrence = app.last(name)
    if occurrence is None or occurrence.value is None or not _PLAIN_NUMBER.match(occurrence.value):
        return None
    value = app.number(name)
    return value if value.value else None


@rule(
    code="GW306",
    name="uwsgi-memory-limits",
    title="uWSGI reload-on-rss / evil-reload-on-rss / limit-as that cannot work as meant",
    severity=Severity.INFO,
    why="""
uWSGI's memory guards are in **megabytes**:

- `reload-on-rss` reloads a worker gracefully, after its current request, once its resident memory
  passes the limit. `evil-reload-on-rss` has the master kill it (SIGKILL) as soon as it passes,
  **in the middle of a request**: nginx logs `upstream prematurely closed connection while reading
  response header from upstream` and answers **502**. An evil limit not above the graceful one
  makes the graceful one useless; an evil limit alone turns every memory growth into 502s.
- `limit-as` caps the **address space** (virtual size), not memory in use. A Python worker maps
  hundreds of megabytes (libraries, a stack and a malloc arena per thread), so a low `limit-as`
  makes allocations fail: `MemoryError`, answered **500**, or a worker that cannot start. An RSS
  limit at or above `limit-as` is never reached.
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
)
def gw306(dep: Deployment) -> Iterator[Finding]:
    for app in dep.apps:
        if app.kind == "uwsgi":
            yield from _memory_limits(app)


def _memory_limits(app: UwsgiServer) -> Iterator[Finding]:
    soft = _megabytes(app, "reload-on-rss")
    evil = _megabytes(app, "evil-reload-on-rss")
    limit = _megabytes(app, "limit-as")
    for name, value in (("reload-on-rss", soft), ("evil-reload-on-rss", evil), ("limit-as", limit)):
        if value is None or value.value is None:
            continue
        if value.value >= MB_PER_TB:
            yield Finding(
                location=_at(value, app),
                message=(
                    f"{name} = {value.raw} is read in megabytes: {value.value} MB is "
                    f"{value.value // MB_PER_TB} TB, so it never triggers (bytes written where "
                    "megabytes are read?)"
                ),
                fix=(
                    f"write {name} in megabytes: {name} = {max(1, value.value // MB_PER_TB)}"
                    if app.launcher is None
                    else f"write {name} in megabytes: "
                    f"{set_in(app, name, max(1, value.value // MB_PER_TB), value)}"
                ),
            )
            continue
        floor = MIN_ADDRESS_SPACE_MB if name == "limit-as" else MIN_SENSIBLE_MB
        if value.value < floor:
            if name == "limit-as":
                consequence = (
                    "it caps the address space, not memory in use, and a Python worker maps "
                    "more than that (libraries, a stack and a malloc arena per thread): "
                    "allocations fail with MemoryError (500) or the worker cannot start"
                )
                fix = (
                    f"{set_in(app, 'limit-as', 4096, value)}, or remove it and use "
                    "reload-on-rss, which limits the memory in use"
                )
            else:
                consequence = (
                    "below what a Python worker with a web framework uses at rest, so every "
                    "worker reloads after each request"
                    if name == "reload-on-rss"
                    else "below what a Python worker uses at rest, so the master kills every "
                    "worker mid-request, over and over (502)"
                )
                fix = f"{set_in(app, name, 512, value)} (megabytes; above the workers' normal size)"
            yield Finding(
                location=_at(value, app),
                message=f"{name} = {value.raw} ({value.value} MB): {consequence}",
                fix=fix,
            )
    if evil is not None and evil.value is not None and evil.value < MB_PER_TB:
        if soft is not None and soft.value is not None and evil.value <= soft.value:
            yield Finding(
                location=_at(soft, app),
                message=(
                    f"reload-on-rss = {soft.raw} is pre-empted: evil-reload-on-rss = "
                    f"{evil.raw} ({evil.source.label()}) is not above it, so the master mostly "
                    "kills a growing worker (SIGKILL) first, in the middle of its request: nginx "
                    "answers 502 ('upstream prematurely closed connection')"
                ),
                related=app_related(app, evil, "evil-reload-on-rss", written_only=True),
                fix=(
                    f"set reload-on-rss below evil-reload-on-rss, e.g. {evil.value * 3 // 4}, so "
                    "workers reload after a request and the evil limit only catches runaways"
                ),
            )
        elif soft is None:
            yield Finding(
                location=_at(evil, app),
                message=(
                    f"evil-reload-on-rss = {evil.raw} without reload-on-rss: a worker that "
                    f"grows past {evil.value} MB is killed (SIGKILL) by the master in the "
                    "middle of its request, and nginx answers 502 ('upstream prematurely "
                    "closed connection while reading response header from upstream')"
                ),
                fix=(
                    f"{_add(app, 'reload-on-rss', evil.value * 3 // 4, app.number(RSS))}"
                    ", so workers "
                    "reload gracefully after a request first"
                ),
            )
    if limit is not None and limit.value is not None and limit.value < MB_PER_TB:
        for name, value in (("reload-on-rss", soft), ("evil-reload-on-rss", evil)):
            if value is None or value.value is None or value.value < limit.value:
                continue
            yield Finding(
                location=_at(value, app),
                message=(
                    f"{name} = {value.raw} is never reached: limit-as = {limit.raw} "
                    f"({limit.source.label()}) caps the address space, which is always at "
                    "least the resident memory, so allocations fail (MemoryError, 500) first"
                ),
                related=app_related(app, limit, "limit-as", written_only=True),
                fix=f"set {name} below limit-as {limit.value}, or remove limit-as",
            )


# --- GW307: preload_app with reload -----------------------------------------------------------


@rule(
    code="GW307",
    name="preload-app-with-reload",
    title="preload_app with reload: code changes are never picked up",
    severity=Severity.INFO,
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
def gw307(dep: Deployment) -> Iterator[Finding]:
    for app in dep.apps:
        if app.kind != "gunicorn":
            continue
        reload, preload = app.values.get("reload"), app.values.get("preload_app")
        if reload is None or preload is None or reload.value is not True:
            continue
        if preload.value is not True:
            continue
        yield Finding(
            location=_at(reload, app),
            message=(
                f"{shown(app, reload, 'reload')} with {shown(app, preload, 'preload_app')} "
                f"({preload.source.label()}): workers restart when the code changes, but they "
                "are forked from the master, which loaded the app once at start, so they keep "
                "running the old code"
            ),
            related=app_related(app, preload, "preload_app", written_only=True),
            fix=(
                f"for development, {_remove(app, 'preload_app', preload)}; in production, "
                f"{'remove reload' if app.launcher is None else _remove(app, 'reload', reload)} "
                "and restart gunicorn to deploy"
            ),
        )


# --- GW308: the sync worker needs a buffering proxy -------------------------------------------


def _source_key(source: Source) -> tuple[str, int, str]:
    return (source.path or "", source.line or 0, source.default_of or "")


@rule(
    code="GW308",
    name="sync-worker-without-buffering",
    title="gunicorn's sync worker behind a location that does not buffer",
    severity=Severity.WARNING,
    why="""
gunicorn's deploy docs: "When using the default synchronous workers you must ensure the proxy
buffers slow clients." A sync worker serves one request at a time, from the first byte of the
request to the last byte of the response:

- `proxy_request_buffering off`: nginx passes the request body to gunicorn as the client sends
  it, so a slow upload (a phone on a bad network) holds a worker for as long as it takes. A few
  slow clients hold every worker; the other requests queue, and nginx answers **504**
  (`upstream timed out (110: Connection timed out) while reading response header from
  upstream`). An upload slower than gunicorn's `timeout` is killed mid-way (`[CRITICAL] WORKER
  TIMEOUT`, 500 or 502).
- `proxy_buffering off`: nginx sends the response to the client as gunicorn writes it, so a
  response larger than the socket buffers holds the worker until a slow client has read it.

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
)
def gw308(dep: Deployment) -> Iterator[Finding]:
    groups: dict[tuple[int, str, tuple[str, int, str]], list[Link]] = {}
    for link in dep.route_app_links():
        app = link.app
        if app.kind != "gunicorn" or app.worker_kind != "sync" or not link.same_protocol:
            continue
        for which in ("request_buffering", "buffering"):
            value: Sourced[str] = getattr(link.route, which)
            if (value.value or "").strip().lower() != "off":
                continue
            groups.setdefault((id(app), which, _source_key(value.source)), []).append(link)
    for (_, which, _), links in groups.items():
        link = links[0]
        app, route = link.app, link.route
        assert app.kind == "gunicorn"
        value = getattr(route, which)
        directive = f"{route.module}_{which}"
        if which == "request_buffering":
            consequence = (
                "nginx passes request bodies to gunicorn as clients send them, so each slow "
                "upload holds a sync worker for its whole duration; a few slow clients hold "
                "them all and the other requests get 504 ('upstream timed out')"
            )
            if app.timeout.value:
                consequence += (
                    f", and an upload slower than gunicorn's timeout ({app.timeout.value}s) is "
                    "killed (WORKER TIMEOUT, 500)"
                )
        else:
            consequence = (
                "nginx sends responses to clients as gunicorn writes them, so a response "
                "larger than the socket buffers holds a sync worker until a slow client has "
                "read it; a few slow clients hold them all and the other requests get 504 "
                "('upstream timed out')"
            )
        assumed = ""
        if app.worker_class.is_default and app.launcher is None:
            assumed = (
                "; worker_class is not set in this file, so sync is assumed unless the command "
                "line gives -k"
            )
        location = Location.of(value.source) or Location.of(route.pass_directive.source)
        assert location is not None
        places: list[Related] = [
            Related(
                location=Location.of(item.route.pass_directive.source) or location,
                message=f"applies to {item.route.describe()}",
            )
            for item in links[:3]
        ]
        places.extend(app_related(app, app.worker_class, "worker_class"))
        yield Finding(
            location=location,
            message=(
                f"{directive} off {value.where()} in front of gunicorn's sync worker "
                f"({app.path}{assumed}): {consequence}"
            ),
            related=tuple(places),
            fix=(
                f"remove {directive} off (nginx then buffers for the worker), unless the "
                "location must stream; then serve it with worker_class = 'gevent' (or "
                f"'gthread' with threads) in {app.path}"
                if app.launcher is None
                else f"remove {directive} off (nginx then buffers for the worker), unless the "
                "location must stream; then serve it with another worker: "
                f"{set_in(app, 'worker_class', repr('gevent'), app.worker_class)} (or gthread "
                "with threads)"
            ),
        )


RULES = (gw301, gw302, gw303, gw304, gw305, gw306, gw307, gw308)
