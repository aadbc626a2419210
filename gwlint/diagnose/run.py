"""``gwlint diagnose``: the logs and configs named, read and joined into a diagnosis.

    paths -> logs (``reading.is_log``) and configs (everything else; none: discovered in the
    working folder, as ``check`` finds them)
    configs -> ``engine.lint`` (the findings, whose lines and fixes a cause carries) and the
    ``log_format`` of each ``access_log`` (``loaders.nginx.access_formats``)
    logs -> ``reading.read`` (events, time-ordered) -> ``causes.diagnose`` -> the report

Usage errors raise ``CommandError`` (exit 2, one line): a path that does not exist, no log among
the paths, a time or zone that cannot be read, a log that cannot be read.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING

from gwlint.cli import CommandError, env_pairs

if TYPE_CHECKING:
    from gwlint.diagnose.causes import Diagnosis
    from gwlint.engine import Report
    from gwlint.model.diagnostics import Diagnostic

STDIN_LIMIT = 256 * 1024 * 1024  # characters of a log read from standard input
_DURATION = re.compile(r"(\d{1,9})(s|sec|secs|m|min|mins|h|hour|hours|d|day|days|w|week|weeks)")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_OFFSET = re.compile(r"(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?")


@dataclass
class DiagnoseOptions:
    """``gwlint diagnose``'s command line (None: not given)."""

    paths: list[str] = field(default_factory=list)
    output_format: str = "text"
    output: str | None = None
    since: str | None = None
    until: str | None = None
    tz: str | None = None
    cpus: int | None = None
    nginx_version: str | None = None
    gunicorn_version: str | None = None
    uwsgi_version: str | None = None
    env: list[str] | None = None
    front: str | None = None
    stop_timeout: int | None = None
    somaxconn: int | None = None
    config: str | None = None
    isolated: bool = False


def parse_tz(text: str) -> tzinfo:
    """``--tz``: ``UTC``, ``Z``, an offset (``+01:00``, ``-0500``, ``UTC+2``) or an IANA zone
    name (``Europe/Paris``)."""
    value = text.strip()
    if value.upper() in ("UTC", "Z", "GMT"):
        return UTC
    found = _OFFSET.fullmatch(value)
    if found:
        sign, hours, minutes = found.groups()
        offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if offset >= timedelta(hours=24):
            raise CommandError(f"--tz {text}: an offset is less than 24 hours")
        return timezone(-offset if sign == "-" else offset)
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+){0,3}", value):
        raise CommandError(
            f"--tz {text}: not a zone: give UTC, an offset (+01:00) or a name (Europe/Paris)"
        )
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise CommandError(
            f"--tz {text}: no such time zone: give UTC, an offset (+01:00) or a name (Europe/Paris)"
        ) from None


def parse_when(text: str, flag: str, *, tz: tzinfo | None, now: float) -> float:
    """``--since``/``--until``: a time (``2026-12-07T01:00``, ``2026-12-07 01:00:00``, with or
    without a zone: without one, in ``--tz``, else UTC) or a duration before ``now`` (``2h``,
    ``30m``, ``1h30m``, ``45s``, ``2d``), as POSIX seconds."""
    value = text.strip()
    compact = value.replace(" ", "")
    if compact and _DURATION.sub("", compact) == "":
        seconds = sum(int(number) * _UNIT[unit[0]] for number, unit in _DURATION.findall(compact))
        return now - seconds
    try:
        when = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise CommandError(
            f"{flag} {text}: give a time (2026-12-07T01:00, 2026-12-07 01:00:00) or a "
            "duration before now (2h, 30m)"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=tz if tz is not None else UTC)
    return when.timestamp()


def split_paths(paths: list[str]) -> tuple[list[str], list[str]]:
    """(logs, configs) among the paths: ``-`` and files whose content is a log are logs; a
    folder is a config folder (``check`` reads it), and the logs in it are logs."""
    from gwlint.diagnose import reading

    logs: list[str] = []
    configs: list[str] = []
    for path in paths:
        if path == "-":
            if "-" in logs:
                raise CommandError("the path - (standard input) is given more than once")
            logs.append(path)
        elif os.path.isdir(path):
            configs.append(path)
            logs.extend(found for found in logs_in(path) if found not in logs)
        elif not os.path.exists(path):
            raise CommandError(f"{path}: no such file or folder")
        elif path.endswith(".gz") or reading.is_log(path):
            logs.append(path)  # a gzip file is a log (or a broken one: reading says so)
        elif re.search(r"(?i)\.log(?:\.\d+)?$", path):
            # named as a log, but none gwlint reads: said, not checked as a config
            raise CommandError(
                f"{path}: not a log gwlint reads (nginx's error or access log, gunicorn's, "
                "uWSGI's or uvicorn's)"
            )
        else:
            configs.append(path)
    return logs, configs


# what a log's name looks like (the content decides): access.log, error.log.1, app.log.2.gz,
# gunicorn.out, uwsgi.err, logs/...
_LOG_NAME = re.compile(r"(?i)log|\.(?:out|err|txt|gz|\d+)$")
_SKIPPED = frozenset({"node_modules", "venv", "__pycache__", "site-packages", "dist", "build"})
MAX_DEPTH = 4
MAX_FILES = 5000


def logs_in(folder: str) -> list[str]:
    """The logs under ``folder`` (at most ``MAX_DEPTH`` folders down, ``MAX_FILES`` files
    looked at; hidden folders, virtualenvs and build folders skipped), sorted."""
    from gwlint.diagnose import reading

    found: list[str] = []
    seen = 0
    base = folder.rstrip(os.sep).count(os.sep)
    for root, folders, files in os.walk(folder):
        folders[:] = sorted(f for f in folders if not f.startswith(".") and f not in _SKIPPED)
        if root.count(os.sep) - base >= MAX_DEPTH:
            folders[:] = []
        for name in sorted(files):
            seen += 1
            if seen > MAX_FILES:
                return found
            path = os.path.normpath(os.path.join(root, name))
            if _LOG_NAME.search(name) and os.path.isfile(path) and reading.is_log(path):
                found.append(path)
    return found


def _lint(options: DiagnoseOptions, configs: list[str]) -> Report:
    from gwlint.engine import Request, UsageError, lint

    if options.config is not None and options.isolated:
        raise CommandError("--config and --isolated exclude each other")
    request = Request(
        paths=configs,
        cpus=options.cpus,
        nginx_version=options.nginx_version,
        gunicorn_version=options.gunicorn_version,
        uwsgi_version=options.uwsgi_version,
        env=env_pairs(options.env or []),
        front=options.front,
        stop_timeout=options.stop_timeout,
        somaxconn=options.somaxconn,
        config=options.config,
        isolated=options.isolated,
        show=True,  # to know which files are nginx's (their access_log formats)
    )
    try:
        return lint(request)
    except UsageError as exc:
        raise CommandError(str(exc)) from None


def _nginx_files(report: Report) -> list[str]:
    if report.view is None:
        return []
    return [row.path for row in report.view.files if row.kind == "nginx"]


@dataclass
class Outcome:
    diagnosis: Diagnosis
    warnings: list[str]


def diagnosis(
    options: DiagnoseOptions, *, now: float | None = None, stdin_text: str | None = None
) -> Outcome:
    """Read what ``options`` names and diagnose it. Raises CommandError for a usage error."""
    from gwlint.diagnose import causes, reading

    tz = parse_tz(options.tz) if options.tz is not None else None
    moment = datetime.now(UTC).timestamp() if now is None else now
    since = parse_when(options.since, "--since", tz=tz, now=moment) if options.since else None
    until = parse_when(options.until, "--until", tz=tz, now=moment) if options.until else None
    if since is not None and until is not None and since > until:
        raise CommandError(f"--since {options.since} is after --until {options.until}")
    if options.paths:
        logs, configs = split_paths(options.paths)
    else:  # the logs of the working folder; its configs, found as check finds them
        logs, configs = logs_in("."), []
    if not logs:
        where = "among the paths" if options.paths else "in the current folder"
        raise CommandError(
            f"no log {where}: name nginx's access or error log, or the app server's log "
            "(gwlint diagnose access.log error.log gunicorn.log)"
        )
    report = _lint(options, configs)
    findings: list[Diagnostic] | None = None
    warnings = list(report.warnings)
    if not report.found_nothing:
        findings = list(report.diagnostics)
    formats: dict[str, str] = {}
    nginx = _nginx_files(report)
    if nginx:
        from gwlint.loaders.nginx import access_formats

        formats = access_formats(nginx)
    if "-" in logs and stdin_text is None:
        stdin_text = _read_stdin()
    import gc

    # each line read makes an Event that lives for a moment: with the default threshold (700)
    # the collector runs every few hundred lines, for a fifth of the time of a large log; the
    # events hold no cycles, and the collector still runs every 100,000 allocations
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], 100_000), *thresholds[1:])
    try:
        events = reading.read(
            logs, formats=formats, tz=tz, since=since, until=until, stdin_text=stdin_text
        )
        result = causes.diagnose(events, findings)
    except reading.LogError as exc:
        raise CommandError(str(exc)) from None
    finally:
        gc.set_threshold(*thresholds)
    return Outcome(result, warnings)


def _read_stdin() -> str:
    stream = sys.stdin
    if stream is None:
        raise CommandError("the path - reads standard input, and there is none")
    try:
        text = stream.read(STDIN_LIMIT + 1)
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"standard input: cannot read: {exc}") from None
    if len(text) > STDIN_LIMIT:
        raise CommandError(
            f"standard input: over {STDIN_LIMIT // 2**20} MiB; give the log as a file"
        )
    return text


def run(options: DiagnoseOptions) -> int:
    """``gwlint diagnose``: diagnose, write the report, and return the exit code (1 when a
    request ended 5xx). Raises CommandError for a usage error."""
    from gwlint.cli import _echo_error, _write
    from gwlint.reporters import diagnosis as reporter

    if options.output_format not in ("text", "json"):
        raise CommandError(f"--format {options.output_format}: text or json")
    outcome = diagnosis(options)
    for warning in outcome.warnings:
        _echo_error(f"gwlint: warning: {warning}")
    if options.output_format == "json":
        rendered = reporter.render_json(outcome.diagnosis)
    else:
        rendered = reporter.render_text(outcome.diagnosis)
    _write(rendered, options.output)
    return 1 if outcome.diagnosis.failed else 0
