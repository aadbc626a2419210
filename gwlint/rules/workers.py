"""GW3xx: worker processes and capacity."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from gwlint.model.defaults import GUNICORN_REMOVED_WORKERS
from gwlint.model.diagnostics import Finding, Location, Related, Severity
from gwlint.model.unread import UNREAD_ENV
from gwlint.rules.base import rule
from gwlint.rules.text import (
    app_location,
    app_related,
    remove_from,
    remove_plan,
    set_in,
    set_plan,
    shown,
)

if TYPE_CHECKING:
    from gwlint.fixes.plan import Plan
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
)
def gw301(dep: Deployment) -> Iterator[Finding]:
    cpus = dep.facts.cpus
    for app in dep.apps:
        # nginx when a route of this deployment reaches the app; no proxy is assumed otherwise
        behind_nginx = any(link.app is app for link in dep.links)
        if app.kind == "uvicorn":
            finding = _uvicorn_workers(app, cpus, dep.facts.cpus_from, behind_nginx)
            if finding is not None:
                yield finding
            continue
        if app.kind == "daphne" or app.kind == "granian" or app.kind == "hypercorn":
            continue  # not judged yet for daphne, granian and hypercorn
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
            fix = _workers_fix(app, "workers", workers, cpus)
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
            fix = _workers_fix(app, app.processes_option, workers, cpus)
        if workers.value is None:
            continue
        if single:
            queue = (
                "nginx answers 504 to those queued behind it"
                if behind_nginx
                else "those queued behind it wait (a proxy would answer 504)"
            )
            yield Finding(
                location=_at(workers, app),
                message=f"{name}: one request at a time; a slow request holds up the rest, and "
                f"{queue}",
                fix=fix,
            )
        elif cpus and workers.value > 2 * (2 * cpus + 1):
            per_cpu = workers.value / cpus
            yield Finding(
                location=_at(workers, app),
                message=(
                    f"{name} on {cpus} CPUs ({per_cpu:.1f} per CPU, from {dep.facts.cpus_from}): "
                    f"workers compete for CPU and memory; under load the OOM killer ends them"
                    + (" and nginx answers 502" if behind_nginx else "")
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


def _add_plan(app: AppServer, setting: str, value: int, current: Sourced[Any]) -> Plan:
    """``_add`` as a change ``--fix`` makes."""
    return set_plan(app, setting, value, current, description=_add(app, setting, value, current))


def _remove(app: AppServer, setting: str, current: Sourced[Any]) -> str:
    if app.launcher is None:
        return f"remove {setting} from {app.path}"
    return remove_from(app, setting, current)


def _workers_fix(app: AppServer, setting: str, workers: Sourced[int], cpus: int | None) -> str:
    """gunicorn's rule of thumb, 2 x CPUs + 1, as a number to write: for the CPUs gwlint was
    given, else for 2 CPUs (with the rule, so it can be redone for the real machine)."""
    if cpus:
        value, count, how = 2 * cpus + 1, cpus, f"(2 x {cpus} CPUs + 1)"
    else:
        value, count, how = 5, 2, "(2 x CPUs + 1; 9 for 4 CPUs; give --cpus for yours)"
    if app.launcher is None:
        return f"set {setting} = {value} for {count} CPUs in {app.path} {how}"
    on = "" if cpus else f" for {count} CPUs"
    return f"{set_in(app, setting, value, workers)}{on} {how}"


def _uvicorn_workers(
    app: UvicornServer, cpus: int | None, given: str, behind_nginx: bool
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
            f"({per_cpu:.1f} per CPU, from {given}): each is a process with its own copy of the "
            "app; under load they compete for memory and the OOM killer ends them"
            + (" (nginx: 502)" if behind_nginx else "")
        ),
        fix=_workers_fix(app, "workers", workers, cpus),
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
                f"({worker_class.source.label()}): gunicorn runs gthread: it keeps idle "
                f"connections, lets requests outlive timeout, serves {threads.value} at once"
            ),
            related=(
                *app_related(app, worker_class, "worker_class", written_only=True),
                *app_related(app, keepalive, "keepalive"),
            ),
            fix=(
                f"{_say_gthread(app, worker_class)} to say what runs (and check "
                "keepalive against nginx, GW201); or remove threads to keep the sync worker"
            ),
            # what runs stays what runs: only the config says it
            plan=set_plan(
                app,
                "worker_class",
                "'gthread'",
                worker_class,
                description=_say_gthread(app, worker_class),
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
    "uvicorn": "UvicornWorker does not pass it on (uvicorn's limit is limit_concurrency)",
}


@rule(
    code="GW303",
    name="worker-connections-ignored",
    title="worker_connections set for a worker that ignores it",
    severity=Severity.INFO,
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
        eventlet = dep.facts.gunicorn_version < GUNICORN_REMOVED_WORKERS["eventlet"]
        readers = "gthread, gevent, eventlet and asgi" if eventlet else "gthread, gevent and asgi"
        fix = f"{remove_from(app, 'worker_connections', connections)} (only {readers} read it)"
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
                f"{WORKER_CONNECTIONS_IGNORED[kind]}"
            ),
            fix=fix,
            plan=remove_plan(app, "worker_connections", connections),  # it does nothing
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
        f"net.core.somaxconn {facts.somaxconn} (assumed; give --somaxconn)",
    )


def _queue_overflow(unix: bool | None) -> str:
    """What a full listen queue does to the connections beyond it (observed: gw304-unix,
    gw304-tcp)."""
    if unix:
        return "connects beyond it fail at once (502 behind nginx)"
    if unix is False:
        return "SYNs beyond it are dropped and connects stall"
    return "connects beyond it fail (unix socket: 502 behind nginx) or stall (TCP)"


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
)
def gw304(dep: Deployment) -> Iterator[Finding]:
    somaxconn, given, label = _somaxconn(dep)
    for app in dep.apps:
        if app.kind == "daphne" or app.kind == "granian" or app.kind == "hypercorn":
            continue  # their backlog is not judged yet
        if app.kind == "uwsgi":
            behind_nginx = any(link.app is app for link in dep.links)
            finding = _uwsgi_listen(app, somaxconn, given, label, behind_nginx)
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
                    f"silently uses {somaxconn}; in a burst, clients' SYNs beyond it are dropped "
                    "and connects stall"
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
    name = f"{app.kind} backlog" if app.kind == "gunicorn" else "uvicorn --backlog"
    return Finding(
        location=_at(backlog, app),
        message=(
            f"{name} {backlog.value} {backlog.where()} > {label}: the kernel silently uses "
            f"{somaxconn}; in a burst, {overflow}"
        ),
        related=app_related(app, backlog, "backlog") if backlog.is_default else (),
        fix=(
            f"{_raise_somaxconn(backlog.value)}; or {set_in(app, 'backlog', somaxconn, backlog)}, "
            "so the config says what the kernel does"
        ),
        severity=Severity.INFO if backlog.is_default else None,
    )


def _uwsgi_listen(
    app: UwsgiServer, somaxconn: int, given: bool, label: str, behind_nginx: bool
) -> Finding | None:
    listen = app.number("listen")
    if listen.value is None or listen.value <= somaxconn:
        return None
    consequence = "nginx answers 502 to every request" if behind_nginx else "nothing serves"
    return Finding(
        location=_at(listen, app),
        message=(
            f"uWSGI listen = {listen.raw} {listen.where()} > {label}: uWSGI exits at start on "
            f"Linux, and {consequence}"
        ),
        fix=(
            f"{set_in(app, 'listen', min(somaxconn, UWSGI_LISTEN_SUGGESTED), listen)} (not above "
            f"net.core.somaxconn); or, if the queue must be that long, "
            f"{_raise_somaxconn(listen.value)}"
        ),
        severity=Severity.ERROR if given else None,
    )


UWSGI_DEFAULT_LISTEN = 100


def _uwsgi_default_listen(dep: Deployment, somaxconn: int) -> Iterator[Finding]:
    """uWSGI's listen 100 (or less) behind nginx on a unix socket: a full queue is an immediate
    502 (observed: gw304-unix). On TCP a full queue only delays connects (gw304-tcp).

    uWSGI's "listen queue ... full" log line is not promised: stock builds read a unix socket's
    queue only through SIOBKLGQ (#ifdef UNBIT, core/master.c); only TCP sockets log it."""
    seen: set[tuple[int, str]] = set()
    for link in dep.route_app_links():
        app, listener = link.app, link.listener
        if app.kind != "uwsgi" or not link.same_protocol or listener.address.kind != "unix":
            continue
        listen = app.number("listen")
        if listen.value is None or listen.value > UWSGI_DEFAULT_LISTEN:
            continue
        if listen.value <= 0 or somaxconn <= listen.value:
            continue
        key = (id(app), str(listener.address))
        if key in seen:
            continue
        seen.add(key)
        location = Location.of(listener.source) or Location(path=app.path, line=1)
        path = listener.address.path
        route_at = Location.of(link.route.pass_directive.source)
        places = list(app_related(app, listen, "listen", written_only=True))
        if route_at is not None:
            places.append(Related(location=route_at, message=f"used by {link.route.describe()}"))
        yield Finding(
            location=location,
            message=(
                f"uWSGI's listen queue on {path} is {listen.value} {listen.where()}: in a burst, "
                "nginx's connects beyond it fail at once (11: Resource temporarily unavailable) "
                "and it answers 502"
            ),
            related=tuple(places),
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
)
def gw305(dep: Deployment) -> Iterator[Finding]:
    for app in dep.apps:
        if app.kind == "gunicorn":
            yield from _gunicorn_jitter(dep, app)
            continue
        if app.kind == "daphne" or app.kind == "granian" or app.kind == "hypercorn":
            continue
        behind_nginx = any(link.app is app for link in dep.links)
        finding = _uwsgi_delta(app) if app.kind == "uwsgi" else _uvicorn_jitter(app, behind_nginx)
        if finding is not None:
            yield finding


def _uvicorn_jitter(app: UvicornServer, behind_nginx: bool) -> Finding | None:
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
                f"uvicorn {written}: 0 is a limit, not 'no limit', so each worker process exits "
                "as soon as it has started and nothing serves"
                + (" (nginx answers 502)" if behind_nginx else "")
            ),
            fix=f"{remove_from(app, 'limit_max_requests', limit)} (no limit is the default)",
            severity=Severity.ERROR,
        )
    if workers.value == 1:
        default = workers.is_default
        one = (
            f"one worker ({workers.source.label()})"
            if default
            else f"{shown(app, workers, 'workers')} {workers.where()}"
        )
        return Finding(
            location=_at(limit, app),
            message=(
                f"uvicorn {written} with {one}: after {limit.value} requests uvicorn itself "
                "exits (code 0), and nothing listens until a process manager restarts it"
                + (" (nginx answers 502)" if behind_nginx else "")
            ),
            related=(
                app_related(app, workers, "workers (unless $WEB_CONCURRENCY is set where it runs)")
                if default
                else ()
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
            f"({jitter.source.label()}): all {workers.value} workers exit together after "
            f"{limit.value} requests; requests wait while new ones load the app"
        ),
        related=app_related(app, workers, "workers", written_only=True),
        fix=(
            f"{set_in(app, 'limit_max_requests_jitter', suggested, jitter)} (each worker then "
            f"exits after {limit.value} + randint(0, {suggested}) requests)"
        ),
        plan=set_plan(app, "limit_max_requests_jitter", suggested, jitter),
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
            f"({jitter.source.label()}): {count} restart together after exactly {limit.value} "
            "requests"
        )
        severity = None
        places: list[Related] = []
        if preload is not None and preload.value is True:
            severity = Severity.INFO
            message += "; preload_app makes the dip short (forks with the app loaded)"
            places += app_related(app, preload, "preload_app", written_only=True)
        else:
            message += "; requests wait while new ones load the app"
        if workers.is_default:
            severity = Severity.INFO
            unknown = (
                "workers is not set in this file, so how many there are is not known"
                if app.launcher is None
                else f"workers is not set ({app.launcher}), so how many there are depends on "
                "$WEB_CONCURRENCY where it runs"
            )
            places.append(Related(location=_at(limit, app), message=unknown))
        yield Finding(
            location=_at(limit, app),
            message=message,
            related=tuple(places),
            severity=severity,
            fix=(
                f"{_add(app, 'max_requests_jitter', suggested, jitter)} (each worker then "
                f"restarts after {limit.value} + randint(0, {suggested}) requests)"
            ),
            plan=_add_plan(app, "max_requests_jitter", suggested, jitter),
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
                f"set max_requests = {max(4 * jitter.value, 1000)} in {app.path} too, or remove "
                "max_requests_jitter"
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
        f"max-requests = {limit.raw} without max-requests-delta: the {processes.value} workers "
        f"({app.processes_option}, {processes.source.label()}) recycle together after "
        f"{limit.value} requests"
    )
    lazy = next((app.flag(name) for name in ("lazy-apps", "lazy") if app.flag(name).value), None)
    if lazy is None:
        severity: Severity | None = Severity.INFO
        message += "; without lazy-apps each is a fork with the app loaded: a short dip"
    else:
        severity = None
        message += (
            f"; with lazy-apps ({lazy.source.label()}) requests wait while each reloads the app"
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
        plan=_add_plan(app, "max-requests-delta", suggested, delta),
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
)
def gw306(dep: Deployment) -> Iterator[Finding]:
    for app in dep.apps:
        if app.kind == "uwsgi":
            yield from _memory_limits(app, any(link.app is app for link in dep.links))


def _memory_limits(app: UwsgiServer, behind_nginx: bool) -> Iterator[Finding]:
    killed = "nginx answers 502" if behind_nginx else "the request gets no answer"
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
                    "more: allocations fail (MemoryError) or the worker cannot start"
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
                    f"worker mid-request, over and over ({killed})"
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
                    f"SIGKILLs a growing worker mid-request first: {killed}"
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
                    f"evil-reload-on-rss = {evil.raw} without reload-on-rss: the master SIGKILLs "
                    f"a worker that grows past {evil.value} MB mid-request, and {killed}"
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
                    "least the resident memory, so allocations fail (MemoryError) first"
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
                f"({preload.source.label()}): workers restart when the code changes, but as "
                "forks of the master, which loaded the app once at start: the old code runs on"
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
        places: list[Related] = []
        if which == "request_buffering":
            consequence = (
                "each slow upload holds a worker throughout; a few hold them all, and other "
                "requests get 504"
            )
            if app.timeout.value:
                places.append(
                    Related(
                        location=app_location(app, app.timeout),
                        message=f"timeout {app.timeout.value}s {app.timeout.where()}: an upload "
                        "slower than that is killed mid-way ([CRITICAL] WORKER TIMEOUT)",
                    )
                )
        else:
            consequence = (
                "a large response holds a worker until a slow client has read it; a few hold "
                "them all, and other requests get 504"
            )
        location = Location.of(value.source) or Location.of(route.pass_directive.source)
        assert location is not None
        places = [
            Related(
                location=Location.of(item.route.pass_directive.source) or location,
                message=f"applies to {item.route.describe()}",
            )
            for item in links[:3]
        ] + places
        places.extend(app_related(app, app.worker_class, "worker_class"))
        yield Finding(
            location=location,
            message=(
                f"{directive} off {value.where()} before gunicorn's sync worker ({app.path}): "
                f"{consequence}"
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
