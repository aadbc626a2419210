"""GW7xx: app-side config hygiene: names the app server ignores, workers it no longer has."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from gwlint.fixes.plan import Plan, ReplaceText
from gwlint.model.defaults import GUNICORN_REMOVED_WORKERS, UWSGI_DEFAULTS
from gwlint.model.diagnostics import Finding, Location, Related, Severity
from gwlint.model.gunicorn_settings import GUNICORN_SETTINGS
from gwlint.model.uwsgi_options import UWSGI_OPTIONS
from gwlint.model.versions import Version, format_version
from gwlint.rules.base import Rule, rule
from gwlint.rules.text import set_in, set_plan, shown

if TYPE_CHECKING:
    from gwlint.model.appserver import GunicornServer, UwsgiServer
    from gwlint.model.deployment import Deployment
    from gwlint.model.source import Sourced

UVICORN_KEEPALIVE_NAMES = frozenset({"timeout_keep_alive", "timeout_keepalive"})

# names people write for a gunicorn setting that are too far from it for a typo check: other
# servers' spellings (uvicorn's timeout_keep_alive, Puma's threads_per_worker...), old habits
GUNICORN_ALIASES: dict[str, str] = {
    "keep_alive": "keepalive",
    "keep_alive_timeout": "keepalive",
    "keepalive_timeout": "keepalive",
    "timeout_keep_alive": "keepalive",
    "worker_timeout": "timeout",
    "request_timeout": "timeout",
    "workers_timeout": "timeout",
    "graceful_shutdown_timeout": "graceful_timeout",
    "timeout_graceful_shutdown": "graceful_timeout",
    "max_request": "max_requests",
    "max_requests_per_worker": "max_requests",
    "threads_per_worker": "threads",
    "num_threads": "threads",
    "num_workers": "workers",
    "worker_count": "workers",
    "worker_type": "worker_class",
    "worker_connection": "worker_connections",
    "log_level": "loglevel",
    "access_log": "accesslog",
    "error_log": "errorlog",
    "log_file": "errorlog",
    "logfile": "errorlog",
    "pid": "pidfile",
    "pid_file": "pidfile",
    "preload": "preload_app",
    "pre_load": "preload_app",
    "daemonize": "daemon",
    "cert_file": "certfile",
    "key_file": "keyfile",
    "forwarded_allow_ip": "forwarded_allow_ips",
    "listen_backlog": "backlog",
}
UWSGI_ALIASES: dict[str, str] = {
    "harikari": "harakiri",
    "hara-kiri": "harakiri",
    "worker": "workers",
    "process": "processes",
    "thread": "threads",
    "max-request": "max-requests",
    "buffersize": "buffer-size",
    "socket-timeout-seconds": "socket-timeout",
}
MIN_LENGTH = 4  # shorter names are too often helpers (app, env, log)
LONG_NAME = 9  # from this length on (separators aside), two typos still make a guess
# a name holds no parenthesis: %(a%(b)) scans to the next "(" only, never to the end again
_PLACEHOLDER_USE = re.compile(r"%\(([^()]*)\)")


# A bounded edit distance, not difflib: the guess must mean "one typo" (two from LONG_NAME on),
# with a swap of two letters counted once (harakiri / harakrii); difflib's ratio has no such
# meaning and rates short setting names that share letters as close
def _distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap counts one), or limit + 1 when it is larger."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _same_initials(words: list[str], other: list[str]) -> bool:
    if not words or not other or words[0][:1] != other[0][:1]:
        return False
    return len(words) != len(other) or all(
        a[:1] == b[:1] for a, b in zip(words, other, strict=False)
    )


_NEAREST: dict[tuple[str, int, int, str], str | None] = {}


def nearest(name: str, known: Any, aliases: dict[str, str], separator: str) -> str | None:
    """The known name a mistyped one most likely meant: an alias, the same name with other case
    or separators, or one a couple of edits away. None when nothing is that close.

    Remembered per name: ``known`` and ``aliases`` are module-level tables, and an app that
    several deployments share is checked once for each."""
    key = (name, id(known), id(aliases), separator)
    if key not in _NEAREST:
        _NEAREST[key] = _nearest(name, known, aliases, separator)
    return _NEAREST[key]


def _nearest(name: str, known: Any, aliases: dict[str, str], separator: str) -> str | None:
    lowered = name.lower()
    if lowered in aliases:
        return aliases[lowered]
    if len(name) < MIN_LENGTH:
        return None
    normalised = lowered.replace("-", separator).replace("_", separator)
    if normalised in known and normalised != name:
        return normalised
    compact = normalised.replace(separator, "")
    limit = 1 if len(compact) < LONG_NAME else 2
    words = normalised.split(separator)
    best: list[tuple[int, str]] = []
    for candidate in known:
        if candidate.replace(separator, "") == compact:
            return str(candidate)
        if not _same_initials(words, candidate.split(separator)):
            continue  # typos keep the first letter of a word: "code" is not "mode"
        distance = _distance(normalised, candidate, limit)
        if distance <= limit:
            best.append((distance, candidate))
    if not best:
        return None
    best.sort()
    if len(best) > 1 and best[0][0] == best[1][0]:
        return None  # two equally close names: no good guess
    return best[0][1]


def _same_setting(setting: Sourced[Any], app: GunicornServer, name: str) -> bool:
    effective = app.values.get(name)
    return (
        effective is not None
        and setting.known
        and effective.known
        and str(setting.value) == str(effective.value)
    )


def _is_hook(setting: Sourced[Any]) -> bool:
    return isinstance(setting.value, str) and setting.value.startswith("<function ")


# --- GW701 -------------------------------------------------------------------------------------


def _clip(text: str, limit: int = 48) -> str:
    """A value as written, cut to ``limit`` characters: a message stays one short line."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _gunicorn_value(app: GunicornServer, name: str) -> str:
    value = app.values.get(name)
    if value is None:
        return "unset"
    if value.raw.startswith("-"):  # a command line's --keep-alive 5: the value it gives
        return f"{_clip(repr(value.value))} {value.where()}"
    return f"{_clip(value.raw)} {value.where()}"


@rule(
    code="GW701",
    name="unknown-gunicorn-setting",
    title="a name in gunicorn.conf.py that is not a gunicorn setting",
    severity=Severity.WARNING,
)
def gw701(dep: Deployment) -> Iterator[Finding]:
    for app in dep.apps:
        if app.kind != "gunicorn":
            continue
        for name, setting in app.settings.items():
            if name in GUNICORN_SETTINGS or name.startswith("_"):
                continue
            if app.worker_kind == "uvicorn" and name in UVICORN_KEEPALIVE_NAMES:
                continue  # GW205 explains uvicorn's own keep-alive name under gunicorn
            meant = nearest(name, GUNICORN_SETTINGS, GUNICORN_ALIASES, "_")
            if meant is None:
                continue
            hook = _is_hook(setting)
            if hook != (GUNICORN_SETTINGS[meant][2] == "callable"):
                continue  # a function named like a value setting, or the reverse: a helper
            also_set = meant in app.settings
            constant = name.isupper()
            if constant and also_set:
                continue  # WORKERS = 4; workers = WORKERS: a constant, not a typo
            location = Location.of(setting.source)
            if location is None:
                continue
            same = not hook and not also_set and _same_setting(setting, app, meant)
            if hook:
                message = (
                    f"def {name}() is not a gunicorn server hook: gunicorn ignores the name "
                    "without a word and never calls it"
                )
            else:
                message = (
                    f"{name} = {_clip(setting.raw)} is not a gunicorn setting"
                    + (" (settings are lower-case)" if constant else "")
                    + f": gunicorn ignores it without a word, so {meant} "
                    + f"{'is' if also_set else 'stays'} {_gunicorn_value(app, meant)}"
                    + (", the value written: harmless for now" if same else "")
                )
            written = app.settings.get(meant) if also_set else None
            at = Location.of(written.source) if written is not None else None
            yield Finding(
                location=location,
                message=message,
                related=(
                    (Related(at, f"{meant} is set here as well: {name} may be a leftover"),)
                    if at is not None
                    else ()
                ),
                fix=(
                    f"remove {name} (it does nothing), or merge it into {meant}"
                    if also_set
                    else f"rename {name} to {meant}"
                ),
                severity=Severity.INFO if also_set or constant or same else None,
                plan=None if also_set else _rename(location, name, meant),
            )


# --- GW702 -------------------------------------------------------------------------------------


def _placeholders(app: UwsgiServer) -> set[str]:
    """Keys the ini uses as %(name), or declares with set-placeholder / set-ph / set."""
    used: set[str] = set()
    for name, occurrences in app.options.items():
        for occurrence in occurrences:
            for inner in _PLACEHOLDER_USE.findall(occurrence.raw):
                used.update(part for part in re.split(r"\s+", inner.strip()) if part)
            key, sep, _ = occurrence.raw.partition("=")
            if sep and key.strip() == name:
                used.add(name)  # set-ph = name=value: a placeholder by declaration
    return used


def _uwsgi_value(app: UwsgiServer, name: str) -> str:
    occurrence = app.last(name)
    if occurrence is not None:
        return f"{occurrence.raw} ({occurrence.source.label()})"
    default = UWSGI_DEFAULTS.get(name)
    if default is not None:
        return f"{default} ({app.version_label} default)"
    return "unset"


@rule(
    code="GW702",
    name="unknown-uwsgi-option",
    title="a uWSGI ini key that is not an option, close to one that is",
    severity=Severity.INFO,
)
def gw702(dep: Deployment) -> Iterator[Finding]:
    for app in dep.apps:
        if app.kind != "uwsgi":
            continue
        placeholders = _placeholders(app)
        strict = app.flag("strict").value is True
        for name, occurrences in app.options.items():
            if name in UWSGI_OPTIONS or name in placeholders:
                continue
            meant = nearest(name, UWSGI_OPTIONS, UWSGI_ALIASES, "-")
            if meant is None or meant not in UWSGI_OPTIONS:
                continue
            occurrence = occurrences[0]
            location = Location.of(occurrence.source)
            if location is None:
                continue
            if strict:
                outcome = (
                    f"with strict = true uWSGI refuses to start ('[strict-mode] unknown config "
                    f"directive: {name}')"
                )
            else:
                outcome = (
                    f"uWSGI keeps it as a placeholder, %({name}), without a word, so {meant} "
                    f"stays {_clip(_uwsgi_value(app, meant))}"
                )
            yield Finding(
                location=location,
                message=f"{name} is not a uWSGI option: {outcome}",
                fix=f"rename {name} to {meant}",
                severity=Severity.ERROR if strict else None,
                plan=_rename(location, name, meant),
            )


def _rename(location: Location, name: str, meant: str) -> Plan:
    """A name written wrong, renamed where it is written: gwlint's guess of what was meant,
    so only with --unsafe-fixes."""
    return Plan(
        changes=(ReplaceText(location.path, location.line, name, meant),),
        safe=False,
        description=f"rename {name} to {meant}",
    )


# --- GW703 -------------------------------------------------------------------------------------

EVENTLET_DEPRECATED: Version = (25, 0, 0)


@rule(
    code="GW703",
    name="gunicorn-eventlet-worker",
    title="the eventlet worker, removed in gunicorn 26",
    severity=Severity.ERROR,
)
def gw703(dep: Deployment) -> Iterator[Finding]:
    version = dep.facts.gunicorn_version
    removed = GUNICORN_REMOVED_WORKERS["eventlet"]
    for app in dep.apps:
        if app.kind != "gunicorn" or app.worker_kind != "eventlet":
            continue
        worker_class = app.worker_class
        location = Location.of(worker_class.source)
        if location is None or worker_class.is_default:
            continue
        written = shown(app, worker_class, "worker_class")
        if version >= removed:
            message = (
                f"{written}: gunicorn {format_version(removed, short=True)} removed the eventlet "
                f"worker, so {app.version_label} exits at start ('Error: class uri ... invalid "
                "or not found') and nothing listens"
                + ("; nginx answers 502" if dep.nginx is not None else "")
            )
            severity = None
        elif version >= EVENTLET_DEPRECATED:
            message = (
                f"{written}: the eventlet worker is deprecated in {app.version_label} and gone "
                f"from gunicorn {format_version(removed, short=True)} on: the next upgrade "
                "stops the app at start-up"
            )
            severity = Severity.WARNING
        else:
            message = (
                f"{written}: eventlet is no longer maintained, and gunicorn "
                f"{format_version(removed, short=True)} removed its worker"
            )
            severity = Severity.INFO
        yield Finding(
            location=location,
            message=message,
            fix=(
                f"{set_in(app, 'worker_class', repr('gevent'), worker_class)} (pip install "
                "gevent; replace eventlet-specific code such as eventlet.monkey_patch()), or "
                "'gthread' there for a plain WSGI app"
            ),
            severity=severity,
            # gevent must be installed, and eventlet-specific code moved: by hand first
            plan=set_plan(app, "worker_class", repr("gevent"), worker_class, safe=False),
        )


# --- GW704 -------------------------------------------------------------------------------------

UVICORN_WORKERS = {
    "uvicorn.workers.uvicornworker": "uvicorn_worker.UvicornWorker",
    "uvicorn.workers.uvicornh11worker": "uvicorn_worker.UvicornH11Worker",
}


@rule(
    code="GW704",
    name="deprecated-uvicorn-workers",
    title="worker_class from uvicorn.workers, deprecated for the uvicorn-worker package",
    severity=Severity.INFO,
)
def gw704(dep: Deployment) -> Iterator[Finding]:
    for app in dep.apps:
        if app.kind != "gunicorn":
            continue
        worker_class = app.worker_class
        value = worker_class.value
        if value is None or not value.strip().lower().startswith("uvicorn.workers."):
            continue
        location = Location.of(worker_class.source)
        if location is None or worker_class.is_default:
            continue
        replacement = UVICORN_WORKERS.get(value.strip().lower(), "uvicorn_worker.UvicornWorker")
        yield Finding(
            location=location,
            message=(
                f"{shown(app, worker_class, 'worker_class')}: uvicorn deprecated "
                "uvicorn.workers for the uvicorn-worker package and will remove it; gunicorn "
                "then exits at start"
            ),
            fix=(
                f'pip install uvicorn-worker and set worker_class = "{replacement}"'
                if app.launcher is None
                else "pip install uvicorn-worker and "
                f"{set_in(app, 'worker_class', repr(replacement), worker_class)}"
            ),
            # the package must be installed first
            plan=set_plan(app, "worker_class", repr(replacement), worker_class, safe=False),
        )


# reported by the launcher loader (gwlint.loaders.commands) while it reads a command line
GW705 = Rule(
    code="GW705",
    name="command-line-rejected",
    title="a command line the app server refuses at start",
    severity=Severity.ERROR,
)

GW706 = Rule(
    code="GW706",
    name="typographic-dash-in-option",
    title="an option written with a typographic dash: the server refuses or ignores it",
    severity=Severity.WARNING,
)

RULES = (gw701, gw702, gw703, gw704, GW705, GW706)
