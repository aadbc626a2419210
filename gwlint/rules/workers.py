"""GW3xx: worker processes and capacity."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from gwlint.model.diagnostics import Finding, Location, Severity
from gwlint.rules.base import ex, rule

if TYPE_CHECKING:
    from gwlint.model.deployment import Deployment
    from gwlint.model.source import Sourced


def _at(value: Sourced[int], path: str) -> Location:
    return Location.of(value.source, path) or Location(path=path, line=1)


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
  SIGKILL! Perhaps out of memory?`, 502 in nginx).

Give the production machine's CPU count with `--cpus N`: the machine that lints is rarely the one
that serves, so gwlint never guesses it.
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
        if app.kind == "gunicorn":
            workers, threads = app.workers, app.threads
            name = f"workers = {workers.value} {workers.where()}"
            if workers.is_default and "WEB_CONCURRENCY" not in dep.facts.env:
                label = workers.source.label()
                name = f"workers = {workers.value} ({label}, unless $WEB_CONCURRENCY is set)"
            # sync, or gthread with one thread: one request at a time per worker
            single = workers.value == 1 and (
                app.worker_kind == "sync" or (app.worker_kind == "gthread" and threads.value == 1)
            )
            fix = f"set workers = {suggested} in {app.path}"
        else:
            workers, threads = app.processes, app.threads
            name = f"{app.processes_option} = {workers.value} {workers.where()}"
            cores = app.async_cores.value if app.async_cores is not None else 0
            single = (
                workers.value == 1
                and threads.value is not None
                and threads.value <= 1
                and (cores or 0) <= 1
            )
            fix = f"set {app.processes_option} = {suggested} in {app.path}"
        if workers.value is None:
            continue
        if single:
            yield Finding(
                location=_at(workers, app.path),
                message=(
                    f"{name}: one worker serves one request at a time; a single slow request "
                    "holds up every other one, and nginx answers 504 to the queue behind it"
                ),
                fix=fix,
            )
        elif cpus and workers.value > 2 * (2 * cpus + 1):
            per_cpu = workers.value / cpus
            yield Finding(
                location=_at(workers, app.path),
                message=(
                    f"{name} on {cpus} CPUs ({per_cpu:.1f} per CPU, from --cpus): workers compete "
                    "for CPU and memory; under load the OOM killer ends them and nginx answers 502"
                ),
                fix=fix,
            )


RULES = (gw301,)
