"""``gwlint diagnose``: failed requests joined with the lines both servers wrote, and classified.

Two levels: synthetic ``Event`` streams through ``causes.diagnose`` (each cause, the joins, the
config refinement, bounded memory), and small log files through the CLI (the reading, the
output formats, the exit codes, the time options, hostile text). The GW9xx pages: each example
fires, each fix is quiet, and their claims are cited.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from itertools import count
from pathlib import Path

import pytest

from gwlint.diagnose import causes
from gwlint.diagnose import events as ev
from gwlint.diagnose.causes import KINDS, Diagnosis, diagnose
from gwlint.diagnose.events import Event
from gwlint.model.diagnostics import Diagnostic, Location, Related, Severity
from tests.conftest import ROOT, gwlint

T0 = 1796605200.0  # 2026-12-07T01:00:00Z
_LINES = count(1)


def sig(kind: str) -> str:
    """The signature id a line of this kind has (the first in ``causes.KINDS``)."""
    return next(signature for signature, meaning in KINDS.items() if meaning == kind)


def access(
    t: float,
    status: int,
    uri: str = "/",
    *,
    method: str = "GET",
    client: str = "10.0.0.1",
    upstream: str | None = None,
    upstream_status: str | None = None,
    path: str = "access.log",
) -> Event:
    return Event(
        time=T0 + t,
        source=ev.NGINX_ACCESS,
        path=path,
        line=next(_LINES),
        text=f'{client} - - "{method} {uri} HTTP/1.1" {status}',
        signature="request",
        status=status,
        method=method,
        uri=uri,
        client=client,
        upstream=upstream,
        upstream_status=upstream_status,
    )


def nginx_error(
    t: float,
    what: str,
    uri: str = "/",
    *,
    method: str = "GET",
    client: str = "10.0.0.1",
    upstream: str | None = "127.0.0.1:8000",
    text: str | None = None,
) -> Event:
    return Event(
        time=T0 + t,
        source=ev.NGINX_ERROR,
        path="error.log",
        line=next(_LINES),
        text=text or f'[error] {what} while ..., request: "{method} {uri} HTTP/1.1"',
        signature=sig(what),
        method=method,
        uri=uri,
        client=client,
        upstream=upstream,
    )


def app(
    t: float,
    what: str | None,
    *,
    source: str = ev.GUNICORN_ERROR,
    pid: int | None = None,
    uri: str | None = None,
    method: str | None = None,
    detail: str | None = None,
    status: int | None = None,
    text: str | None = None,
    upstream: str | None = None,
    path: str | None = None,
) -> Event:
    return Event(
        time=T0 + t,
        source=source,
        path=path or ("uwsgi.log" if source == ev.UWSGI else "gunicorn.log"),
        line=next(_LINES),
        text=text or f"[{pid}] {what}",
        signature=sig(what) if what else "request",
        status=status,
        method=method,
        uri=uri,
        pid=pid,
        detail=detail,
        upstream=upstream,
    )


def codes(diagnosis: Diagnosis) -> dict[tuple[str, int], int]:
    return {(c.code, c.status): c.count for c in diagnosis.causes}


def ok(*times: float, upstream: str | None = None, uri: str = "/") -> list[Event]:
    return [access(t, 200, uri, upstream=upstream) for t in times]


def run(events: list[Event], findings: list[Diagnostic] | None = None) -> Diagnosis:
    return diagnose(sorted(events, key=lambda e: e.time), findings)


def finding(code: str, message: str, related: str, fix: str) -> Diagnostic:
    return Diagnostic(
        code=code,
        severity=Severity.INFO,
        message=message,
        location=Location("uwsgi.ini", 1, 1),
        related=(Related(Location("nginx.conf", 7, 13), related),),
        fix=fix,
    )


# --- each cause, from synthetic events ----------------------------------------------------------


def test_worker_timeout_on_gunicorn_22_nginx_error_log_silent() -> None:
    """gunicorn >= 22 answers the killed request with its own 500: nginx's error log has
    nothing; the access log's 500 (upstream_status 500) and gunicorn's WORKER TIMEOUT show it."""
    events = [
        *ok(0, 1, upstream="127.0.0.1:8000"),
        access(31, 500, "/report", upstream="127.0.0.1:8000", upstream_status="500"),
        app(30.6, causes.WORKER_TIMEOUT, pid=12, text="[7] [CRITICAL] WORKER TIMEOUT (pid:12)"),
        app(30.7, causes.EXCEPTION, pid=12, uri="/report", method="GET"),
    ]
    diagnosis = run(events)
    assert codes(diagnosis) == {("GW101", 500): 1}
    cause = diagnosis.causes[0]
    assert cause.upstreams == ["127.0.0.1:8000"]
    assert {e.path for e in cause.evidence} == {"access.log", "gunicorn.log"}
    assert any("WORKER TIMEOUT" in e.text for e in cause.evidence)
    assert diagnosis.failed


def test_worker_timeout_and_exception_a_second_apart_are_two_causes() -> None:
    events = [
        *ok(0, 5),
        app(20.2, causes.WORKER_TIMEOUT, pid=12),
        app(20.3, causes.EXCEPTION, pid=12, uri="/slow", method="GET"),
        access(20, 500, "/slow"),
        app(21.0, causes.EXCEPTION, pid=13, uri="/boom", method="GET", detail="KeyError: 'x'"),
        access(21, 500, "/boom"),
    ]
    assert codes(run(events)) == {("GW101", 500): 1, ("GW901", 500): 1}


def test_restart_window_and_wrong_address_are_told_apart() -> None:
    """A restart refuses for a while and the same upstream answers again; a wrong address
    refuses every request and never answers."""
    restart = [
        *ok(0, 1, 2, upstream="127.0.0.1:8000"),
        *[access(10 + i, 502, upstream="127.0.0.1:8000") for i in range(4)],
        *[nginx_error(10 + i, causes.REFUSED, upstream="127.0.0.1:8000") for i in range(4)],
        *ok(20, 21, upstream="127.0.0.1:8000"),
    ]
    wrong = [
        *[access(i * 3, 502, "/api", upstream="127.0.0.1:9000") for i in range(8)],
        *[nginx_error(i * 3, causes.REFUSED, "/api", upstream="127.0.0.1:9000") for i in range(8)],
    ]
    assert codes(run(restart)) == {("GW902", 502): 4}
    assert codes(run(wrong)) == {("GW401", 502): 8}
    both = run([*restart, *wrong])
    assert codes(both) == {("GW902", 502): 4, ("GW401", 502): 8}
    by_code = {c.code: c for c in both.causes}
    assert by_code["GW401"].upstreams == ["127.0.0.1:9000"]
    assert by_code["GW902"].upstreams == ["127.0.0.1:8000"]
    assert both.causes[0].code == "GW401"  # the most requests first


def test_refusals_with_the_app_stopping_are_a_restart_even_without_recovery() -> None:
    events = [
        app(9, causes.STOP, pid=7, text="[7] [INFO] Handling signal: term"),
        *[access(10 + i, 502) for i in range(3)],
        *[nginx_error(10 + i, causes.REFUSED) for i in range(3)],
    ]
    assert codes(run(events)) == {("GW902", 502): 3}


@pytest.mark.parametrize(
    ("size", "code"),
    [("21573", "GW403"), ("21327", "GW403"), ("5402", "GW501"), ("379", "GW501")],
)
def test_block_size_tells_a_protocol_mismatch_from_a_small_buffer(size: str, code: str) -> None:
    events = [
        access(1, 502, upstream="127.0.0.1:3031"),
        nginx_error(1, causes.RESET, upstream="127.0.0.1:3031"),
        app(
            1,
            causes.BLOCK_SIZE,
            source=ev.UWSGI,
            detail=size,
            text=f"invalid request block size: {size} (max 4096)...skip",
        ),
    ]
    diagnosis = run(events)
    assert codes(diagnosis) == {(code, 502): 1}
    assert f"block size {size}" in diagnosis.causes[0].message


def test_a_timeout_with_a_finding_is_the_finding() -> None:
    """nginx timed out (504); the configs have GW110 (uWSGI without harakiri) on that upstream:
    the cause is GW110, with the finding's lines and fix."""
    events = [
        *ok(0, upstream="127.0.0.1:8080"),
        access(61, 504, "/stuck", upstream="127.0.0.1:8080"),
        nginx_error(61, causes.TIMED_OUT, "/stuck", upstream="127.0.0.1:8080"),
    ]
    assert codes(run(events)) == {("GW903", 504): 1}
    gw110 = finding(
        "GW110",
        "uWSGI (uwsgi.ini) has no harakiri: a hung request holds its worker for good",
        "reached from location / (uwsgi_pass 127.0.0.1:8080)",
        "set harakiri = 75 in uwsgi.ini",
    )
    diagnosis = run(events, [gw110])
    assert codes(diagnosis) == {("GW110", 504): 1}
    cause = diagnosis.causes[0]
    assert cause.fix == "set harakiri = 75 in uwsgi.ini"
    assert cause.related[0].location == Location("uwsgi.ini", 1, 1)
    assert cause.related[1].location == Location("nginx.conf", 7, 13)
    assert cause.locations == ["/"]
    assert cause.severity is Severity.INFO
    # a finding on another upstream explains nothing here
    other = finding(
        "GW110", "no harakiri", "reached from location / (uwsgi_pass 10.0.0.5:3031)", "x"
    )
    assert codes(run(events, [other])) == {("GW903", 504): 1}


def test_harakiri() -> None:
    events = [
        access(4, 502, "/report", upstream="127.0.0.1:3031"),
        nginx_error(4, causes.PREMATURE, "/report", upstream="127.0.0.1:3031"),
        app(3.9, causes.HARAKIRI, source=ev.UWSGI, pid=40),
    ]
    assert codes(run(events)) == {("GW102", 502): 1}


def test_keepalive_race_needs_the_app_answering() -> None:
    race = [
        *ok(*range(0, 40, 2), upstream="127.0.0.1:8000"),
        access(41, 502, upstream="127.0.0.1:8000"),
        nginx_error(41, causes.PREMATURE, upstream="127.0.0.1:8000"),
    ]
    assert codes(run(race)) == {("GW201", 502): 1}
    alone = [
        access(41, 502, upstream="127.0.0.1:8000"),
        nginx_error(41, causes.PREMATURE, upstream="127.0.0.1:8000"),
    ]
    assert codes(run(alone)) == {("GW900", 502): 1}


def test_killed_no_live_upstreams_too_big_header_client_closed() -> None:
    events = [
        *ok(0),
        access(5, 502, "/export"),
        nginx_error(5, causes.PREMATURE, "/export"),
        app(5, causes.KILLED, pid=7, text="[7] [ERROR] Worker (pid:12) was sent SIGKILL!"),
        access(30, 502, "/a", upstream="app"),
        nginx_error(30, causes.NO_LIVE, "/a", upstream="app"),
        access(60, 502, "/big"),
        nginx_error(60, causes.TOO_BIG, "/big"),
        access(90, 499, "/search"),
        access(120, 503, "/limited"),
    ]
    assert codes(run(events)) == {
        ("GW904", 502): 1,
        ("GW906", 502): 1,
        ("GW504", 502): 1,
        ("GW905", 499): 1,
        ("GW900", 503): 1,
    }


def test_a_stop_that_cuts_requests_is_a_restart() -> None:
    events = [
        *ok(0),
        access(3, 502, "/long"),
        nginx_error(3, causes.PREMATURE, "/long"),
        app(2.5, causes.STOP, pid=7, text="[7] [INFO] Handling signal: term"),
    ]
    assert codes(run(events)) == {("GW902", 502): 1}


def test_without_an_access_log_the_error_lines_are_the_failures() -> None:
    events = [
        nginx_error(1, causes.TIMED_OUT, "/slow"),
        nginx_error(2, causes.PREMATURE, "/x"),
        nginx_error(2, causes.CLIENT_CLOSED, "/y"),
    ]
    diagnosis = run(events)
    assert codes(diagnosis) == {("GW903", 504): 1, ("GW900", 502): 1, ("GW905", 499): 1}
    assert diagnosis.total == 0


def test_an_error_line_of_a_request_that_succeeded_is_no_failure() -> None:
    """nginx logs connect() failed for the first server, then the second answers: 200."""
    events = [access(1, 200), nginx_error(1, causes.REFUSED, upstream="[::1]:8000")]
    diagnosis = run(events)
    assert diagnosis.causes == []
    assert not diagnosis.failed
    assert diagnosis.total == 1
    assert diagnosis.by_status == {200: 1}


def test_the_app_alone() -> None:
    """No nginx log: the app server's access lines of 500 or more are the failures."""
    events = [
        app(1, None, source=ev.GUNICORN_ACCESS, status=200, uri="/", method="GET"),
        app(2, None, source=ev.GUNICORN_ACCESS, status=500, uri="/boom", method="GET"),
        app(2, causes.EXCEPTION, pid=9, uri="/boom", method="GET"),
    ]
    diagnosis = run(events)
    assert codes(diagnosis) == {("GW901", 500): 1}
    assert diagnosis.total == 2
    assert diagnosis.by_status == {200: 1, 500: 1}


def test_status_499_only_exits_zero() -> None:
    diagnosis = run([*ok(0), access(1, 499)])
    assert codes(diagnosis) == {("GW905", 499): 1}
    assert not diagnosis.failed


def test_evidence_and_messages_are_bounded() -> None:
    events = [
        *[access(i, 502, f"/x/{i}", upstream="127.0.0.1:8000") for i in range(200)],
        *[nginx_error(i, causes.REFUSED, f"/x/{i}", upstream="127.0.0.1:8000") for i in range(200)],
    ]
    diagnosis = run(events)
    (cause,) = diagnosis.causes
    assert cause.count == 200
    per_file: dict[str, int] = {}
    for item in cause.evidence:
        per_file[item.path] = per_file.get(item.path, 0) + 1
    assert per_file == {"access.log": 5, "error.log": 5}
    assert len(cause.message) <= 200


def _stream(total: int) -> Iterator[Event]:
    """A busy server: 100 requests a second, one in ten failing, error and app lines too."""
    for i in range(total):
        t = i / 100
        step = i % 10
        if step == 0:
            yield access(t, 502, f"/p/{i % 997}", upstream="127.0.0.1:8000")
        elif step == 1:
            yield nginx_error(t, causes.PREMATURE, f"/p/{(i - 1) % 997}")
        elif step == 2:
            yield app(t, causes.EXCEPTION, pid=i % 17, uri=f"/q/{i % 991}", method="GET")
        else:
            yield access(t, 200, upstream="127.0.0.1:8000")


def test_a_million_events_keep_a_bounded_number_of_pending_items() -> None:
    diagnoser = causes.Diagnoser()
    for event in _stream(1_000_000):
        diagnoser.feed(event)
    diagnosis = diagnoser.finish()
    assert diagnosis.total == 800_000
    assert sum(c.count for c in diagnosis.causes) == 100_000
    # 100 lines a second, 10 failures a second: what is held spans a few windows, never the
    # stream
    assert diagnoser.peak_pending <= 10 * 2 * (causes.WINDOW + 1)
    assert diagnoser.peak_buffered <= 20 * 3 * (causes.WINDOW + 1)
    assert len(diagnoser.consumed) <= diagnoser.peak_buffered


def test_a_flood_at_one_instant_is_capped() -> None:
    diagnoser = causes.Diagnoser()
    for i in range(causes.MAX_PENDING + 500):
        diagnoser.feed(access(0, 500, f"/{i}"))
    assert diagnoser.peak_pending <= causes.MAX_PENDING + 1
    assert diagnoser.finish().causes[0].count == causes.MAX_PENDING + 500


# --- the catalogue: every line the reader knows means something here, or is named as not ------


def test_every_signature_of_the_catalogue_has_a_meaning() -> None:
    from gwlint.diagnose import reading

    ids = {signature.id for signature in reading.SIGNATURES}
    meant = set(KINDS) | causes._BY_DETAIL | causes.IGNORED
    assert ids - meant == set(), "a signature diagnose does not know: add it to KINDS or IGNORED"
    assert set(KINDS) - ids == set(), "KINDS names a signature the catalogue does not have"


def test_block_sizes_of_http_methods() -> None:
    """The 2nd and 3rd bytes of an HTTP method, read as uWSGI's 16-bit little-endian size."""
    assert int.from_bytes(b"ET", "little") == 21573
    assert int.from_bytes(b"OS", "little") == 21327
    assert {21573, 21327, 21589, 16709, 19525, 21569, 21584} <= causes.HTTP_BLOCK_SIZES


# --- small log files through the command line ---------------------------------------------------


def _access_line(time: str, request: str, status: int, client: str = "10.0.0.1") -> str:
    return f'{client} - - [07/Dec/2026:{time} +0000] "{request} HTTP/1.1" {status} 157 "-" "curl"\n'


def _refused_line(time: str, request: str, upstream: str = "127.0.0.1:8000") -> str:
    uri = request.split(" ", 1)[1]
    return (
        f"2026/12/07 {time} [error] 31#31: *7 connect() failed (111: Connection refused) while "
        f'connecting to upstream, client: 10.0.0.1, server: , request: "{request} HTTP/1.1", '
        f'upstream: "http://{upstream}{uri}", host: "shop"\n'
    )


def _gunicorn_line(time: str, pid: int, level: str, text: str) -> str:
    return f"[2026-12-07 {time} +0000] [{pid}] [{level}] {text}\n"


def _write(folder: Path, files: dict[str, str]) -> list[str]:
    for name, text in files.items():
        (folder / name).write_text(text)
    return sorted(files)


def diagnose_json(folder: Path, *args: str) -> tuple[int, dict[str, object]]:
    run = gwlint("diagnose", *args, "--isolated", "--tz", "UTC", "--format", "json", cwd=folder)
    assert run.err == "", run.err
    document: dict[str, object] = json.loads(run.out)
    return run.code, document


def _codes_of(document: dict[str, object]) -> dict[str, int]:
    found = document["causes"]
    assert isinstance(found, list)
    return {c["code"]: c["count"] for c in found}


RESTART = {
    "access.log": _access_line("01:00:01", "GET /", 200)
    + _access_line("01:00:04", "GET /", 502)
    + _access_line("01:00:05", "GET /cart", 502)
    + _access_line("01:00:09", "GET /", 200),
    "error.log": _refused_line("01:00:04", "GET /") + _refused_line("01:00:05", "GET /cart"),
    "gunicorn.log": _gunicorn_line("01:00:03", 7, "INFO", "Handling signal: term")
    + _gunicorn_line("01:00:08", 21, "INFO", "Starting gunicorn 23.0.0")
    + _gunicorn_line("01:00:08", 21, "INFO", "Listening at: http://127.0.0.1:8000 (21)"),
}
WRONG = {
    "access.log": _access_line("01:00:04", "GET /", 502) + _access_line("01:01:05", "GET /", 502),
    "error.log": _refused_line("01:00:04", "GET /", "127.0.0.1:8001")
    + _refused_line("01:01:05", "GET /", "127.0.0.1:8001"),
    "gunicorn.log": _gunicorn_line("01:00:00", 7, "INFO", "Starting gunicorn 23.0.0")
    + _gunicorn_line("01:00:00", 7, "INFO", "Listening at: http://127.0.0.1:8000 (7)"),
}


def test_cli_restart_window_vs_wrong_address(tmp_path: Path) -> None:
    restart, wrong = tmp_path / "restart", tmp_path / "wrong"
    restart.mkdir()
    wrong.mkdir()
    code, document = diagnose_json(restart, *_write(restart, RESTART))
    assert (code, _codes_of(document)) == (1, {"GW902": 2})
    code, document = diagnose_json(wrong, *_write(wrong, WRONG))
    assert (code, _codes_of(document)) == (1, {"GW401": 2})


def test_cli_worker_timeout_on_gunicorn_22_with_a_silent_nginx_error_log(tmp_path: Path) -> None:
    """nginx's error log has nothing (gunicorn answered the 500 itself): the access log and
    gunicorn's log tell it, and the configs give the fix."""
    files = {
        "access.log": _access_line("01:00:01", "GET /", 200)
        + _access_line("01:00:31", "GET /report", 500),
        "error.log": "2026/12/07 01:00:00 [notice] 30#30: start worker processes\n",
        "gunicorn.log": _gunicorn_line("01:00:31", 7, "CRITICAL", "WORKER TIMEOUT (pid:12)")
        + _gunicorn_line("01:00:31", 12, "ERROR", "Error handling request GET /report")
        + "Traceback (most recent call last):\nSystemExit: 1\n",
        "nginx.conf": "events {}\nhttp {\n    server {\n        listen 80;\n"
        "        location / {\n            proxy_read_timeout 60s;\n"
        "            proxy_pass http://127.0.0.1:8000;\n        }\n    }\n}\n",
        "gunicorn.conf.py": "bind = '127.0.0.1:8000'\ntimeout = 30\n",
    }
    code, document = diagnose_json(tmp_path, *_write(tmp_path, files))
    assert code == 1
    (cause,) = document["causes"]  # type: ignore[misc]
    assert cause["code"] == "GW101"
    assert cause["status"] == 500
    assert cause["fix"].startswith("set timeout = ")
    assert {r["path"] for r in cause["related"]} >= {"gunicorn.conf.py", "nginx.conf"}
    assert {e["path"] for e in cause["evidence"]} == {"access.log", "gunicorn.log"}


@pytest.mark.parametrize(("size", "code"), [("21573", "GW403"), ("5402", "GW501")])
def test_cli_block_size(tmp_path: Path, size: str, code: str) -> None:
    files = {
        "access.log": _access_line("01:00:02", "GET /", 502),
        "error.log": "2026/12/07 01:00:02 [error] 31#31: *3 recv() failed (104: Connection "
        "reset by peer) while reading response header from upstream, client: 10.0.0.1, "
        'server: , request: "GET / HTTP/1.1", upstream: "uwsgi://127.0.0.1:3031", host: "a"\n',
        "uwsgi.log": "*** Starting uWSGI 2.0.30 (64bit) on [Mon Dec  7 01:00:00 2026] ***\n"
        f"Mon Dec  7 01:00:02 2026 - invalid request block size: {size} (max 4096)...skip\n",
    }
    assert _codes_of(diagnose_json(tmp_path, *_write(tmp_path, files))[1]) == {code: 1}


def test_cli_a_timeout_with_the_configs_is_gw110_with_its_fix(tmp_path: Path) -> None:
    case = ROOT / "fixtures" / "GW903" / "quiet-uwsgi-without-harakiri-is-gw110"
    names = sorted(p.name for p in case.iterdir() if p.name != "expected.txt")
    code, document = diagnose_json(case, *names)
    (cause,) = document["causes"]  # type: ignore[misc]
    assert (code, cause["code"], cause["status"]) == (1, "GW110", 504)
    check = json.loads(gwlint("check", "--isolated", "--format", "json", cwd=case).out)
    fixes = [d["fix"] for d in check["diagnostics"] if d["code"] == "GW110"]
    assert cause["fix"] in fixes
    assert cause["related"][0]["path"] == "uwsgi.ini"


def test_json_shape(tmp_path: Path) -> None:
    _, document = diagnose_json(tmp_path, *_write(tmp_path, RESTART))
    assert list(document) == ["version", "window", "requests", "causes"]
    assert document["window"] == {"first": "2026-12-07T01:00:01Z", "last": "2026-12-07T01:00:09Z"}
    assert document["requests"] == {"total": 4, "by_status": {"200": 2, "502": 2}}
    (cause,) = document["causes"]  # type: ignore[misc]
    assert list(cause) == [
        "code",
        "severity",
        "title",
        "message",
        "status",
        "count",
        "first",
        "last",
        "upstreams",
        "locations",
        "evidence",
        "related",
        "fix",
    ]
    assert cause["upstreams"] == ["127.0.0.1:8000"]
    assert cause["locations"] == []  # no nginx config given: no location known
    assert cause["first"] == "2026-12-07T01:00:04Z"
    assert cause["last"] == "2026-12-07T01:00:05Z"
    for item in cause["evidence"]:
        assert list(item) == ["path", "line", "text"]
    assert cause["related"] == []
    assert isinstance(cause["fix"], str)


def test_causes_are_sorted_by_count_then_severity(tmp_path: Path) -> None:
    files = {
        "access.log": "".join(_access_line(f"01:00:{i:02}", "GET /search", 499) for i in range(3))
        + _access_line("01:00:20", "GET /a", 500)
        + _access_line("01:00:40", "GET /b", 503),
    }
    _, document = diagnose_json(tmp_path, *_write(tmp_path, files))
    found = document["causes"]
    assert isinstance(found, list)
    assert [(c["code"], c["status"]) for c in found] == [
        ("GW905", 499),
        ("GW900", 500),
        ("GW900", 503),
    ]


def test_text_output_reads_in_ten_seconds(tmp_path: Path) -> None:
    run = gwlint("diagnose", *_write(tmp_path, RESTART), "--isolated", cwd=tmp_path)
    assert run.code == 1
    lines = run.out.splitlines()
    assert lines[0].startswith("GW902 [warning] 2 × 502: ")
    assert lines[1] == "  2026-12-07T01:00:04Z to 2026-12-07T01:00:05Z, upstream 127.0.0.1:8000"
    assert "  access.log:2: " + RESTART["access.log"].splitlines()[1] in lines
    assert any(line.startswith("  fix: ") for line in lines)
    assert lines[-1].startswith("Found 2 failed requests (502: 2) in 1 cause; 4 requests")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "no log in the current folder"),
        (["nginx.conf"], "no log among the paths"),
        (["missing.log"], "missing.log: no such file or folder"),
        (["access.log", "--tz", "Mars/Olympus"], "--tz Mars/Olympus: no such time zone"),
        (["access.log", "--tz", "../etc"], "--tz ../etc: not a zone"),
        (["access.log", "--since", "yesterday"], "--since yesterday: give a time"),
        (["access.log", "--since", "2h", "--until", "3h"], "is after --until"),
        (["access.log", "--config", "x.toml", "--isolated"], "exclude each other"),
        (["access.log", "--format", "sarif"], "Invalid value for '--format'"),
    ],
)
def test_usage_errors_exit_2_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "access.log").write_text(_access_line("01:00:01", "GET /", 200))
    (tmp_path / "nginx.conf").write_text("events {}\nhttp {}\n")
    (tmp_path / "empty").mkdir()
    run = gwlint("diagnose", *args, cwd=tmp_path if args else tmp_path / "empty")
    assert run.code == 2, run.out
    assert run.out == ""
    assert len(run.err.splitlines()) == 1, run.err
    assert run.err.startswith("gwlint: error: ")
    assert message in run.err


def test_exit_0_without_5xx_and_an_unreadable_log_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "access.log").write_text(_access_line("01:00:01", "GET /", 200))
    run = gwlint("diagnose", "access.log", "--isolated", cwd=tmp_path)
    assert run.code == 0, run.err
    assert run.out.strip().startswith("No failed request: 1 request in the access logs")
    broken = tmp_path / "old.log.gz"
    broken.write_bytes(gzip.compress(_access_line("01:00:02", "GET /", 502).encode() * 50)[:-30])
    run = gwlint("diagnose", "access.log", "old.log.gz", "--isolated", cwd=tmp_path)
    assert run.code == 2
    assert run.err.startswith("gwlint: error: ")
    assert len(run.err.splitlines()) == 1


def test_since_until_and_tz(tmp_path: Path) -> None:
    """nginx's error log writes no zone: --tz gives it, and --since/--until without a zone are
    read in it."""
    files = {
        "error.log": _refused_line("01:00:04", "GET /a")
        + _refused_line("02:00:04", "GET /b")
        + _refused_line("03:00:04", "GET /c"),
    }
    names = _write(tmp_path, files)

    def window(*args: str) -> tuple[object, dict[str, int]]:
        run = gwlint("diagnose", *names, "--isolated", "--format", "json", *args, cwd=tmp_path)
        assert run.code in (0, 1), run.err
        document = json.loads(run.out)
        return document["window"]["first"], _codes_of(document)

    assert window("--tz", "UTC") == ("2026-12-07T01:00:04Z", {"GW401": 3})
    assert window("--tz", "+01:00") == ("2026-12-07T00:00:04Z", {"GW401": 3})
    assert window("--tz", "Europe/Paris")[0] == "2026-12-07T00:00:04Z"  # CET in December
    assert window("--tz", "UTC", "--since", "2026-12-07T01:30", "--until", "2026-12-07 02:30:00")[
        1
    ] == {"GW401": 1}
    assert window("--tz", "+01:00", "--since", "2026-12-07T02:30") == (
        "2026-12-07T02:00:04Z",
        {"GW401": 1},
    )
    assert window("--since", "2026-12-07T02:30Z", "--tz", "UTC")[1] == {"GW401": 1}


def test_parse_when_durations() -> None:
    from gwlint.diagnose.run import parse_tz, parse_when

    now = 1_000_000.0
    assert parse_when("2h", "--since", tz=None, now=now) == now - 7200
    assert parse_when("1h30m", "--since", tz=None, now=now) == now - 5400
    assert parse_when("45s", "--since", tz=None, now=now) == now - 45
    assert parse_when("2d", "--since", tz=None, now=now) == now - 2 * 86400
    assert parse_when("2026-12-07T01:00", "--since", tz=None, now=now) == T0
    assert parse_when("2026-12-07 02:00:00", "--since", tz=parse_tz("+01:00"), now=now) == T0
    assert parse_when("2026-12-07T01:00:00+00:00", "--since", tz=parse_tz("-05:00"), now=now) == T0


def test_standard_input_gzip_and_a_folder(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "access.log.1.gz").write_bytes(gzip.compress(RESTART["access.log"].encode()))
    (logs / "error.log").write_text(RESTART["error.log"])
    # a folder: its logs (and its configs, none here)
    code, document = diagnose_json(tmp_path, ".")
    assert (code, _codes_of(document)) == (1, {"GW902": 2})
    # the access log on standard input
    import io
    import sys

    old = sys.stdin
    sys.stdin = io.StringIO(RESTART["access.log"])
    try:
        code, document = diagnose_json(tmp_path, "-", "logs/error.log")
    finally:
        sys.stdin = old
    assert (code, _codes_of(document)) == (1, {"GW902": 2})


def test_hostile_log_text_is_inert(tmp_path: Path) -> None:
    from tests.test_inert_output import assert_inert

    escapes = "\x1b]0;TITLE\x07\x1b[2J\x9b31m\u202e"
    uri = "/x%1b" + escapes.replace(" ", "")
    line = (
        f'10.0.0.1 - - [07/Dec/2026:01:00:02 +0000] "GET {uri} HTTP/1.1" 500 157 "-" '
        f'"{escapes}\\n::error::forged ##[error]legacy"\n'
    )
    (tmp_path / "access.log").write_text(
        _access_line("01:00:01", "GET /", 200) + line + "::error file=x::forged\n"
    )
    (tmp_path / "gunicorn.log").write_text(
        _gunicorn_line("01:00:02", 12, "ERROR", f"Error handling request GET {uri}")
        + f"Traceback (most recent call last):\nKeyError: '{escapes}'\n"
        + "::warning::forged\n##[error]forged\n"
    )
    for fmt in ("text", "json"):
        run = gwlint(
            "diagnose", "access.log", "gunicorn.log", "--isolated", "--format", fmt, cwd=tmp_path
        )
        assert run.code == 1, run.err
        assert_inert(run)
        assert "\x1b" not in run.out
    run = gwlint("diagnose", "access.log", "gunicorn.log", "--isolated", cwd=tmp_path)
    assert "\\x1b" in run.out  # shown, not acted on


def test_output_to_a_file(tmp_path: Path) -> None:
    names = _write(tmp_path, RESTART)
    run = gwlint("diagnose", *names, "--isolated", "-o", "report.txt", cwd=tmp_path)
    assert (run.code, run.out) == (1, "")
    assert (tmp_path / "report.txt").read_text().startswith("GW902 [warning]")


# --- the GW9xx codes: pages like the rules', never run by check ----------------------------------


def _cause_rules() -> list[object]:
    from gwlint.rules.causes import CAUSES

    return list(CAUSES)


@pytest.mark.parametrize("cause", _cause_rules(), ids=lambda c: c.code)  # type: ignore[attr-defined]
def test_cause_example_fires_and_fix_is_quiet(cause: object) -> None:
    from gwlint.reporters.docs import diagnose_example
    from gwlint.rules.causes import CauseCode

    assert isinstance(cause, CauseCode)
    fired = [c.code for c in diagnose_example(cause.example).causes]
    assert cause.code in fired, f"{cause.code}: its Example does not fire it ({fired})"
    quiet = [c.code for c in diagnose_example(cause.fix).causes]
    assert cause.code not in quiet, f"{cause.code}: its Fix still fires it"


@pytest.mark.parametrize("cause", _cause_rules(), ids=lambda c: c.code)  # type: ignore[attr-defined]
def test_cause_metadata_and_claims(cause: object) -> None:
    from gwlint.rules.causes import CauseCode

    assert isinstance(cause, CauseCode)
    assert re.fullmatch(r"GW9\d\d", cause.code)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", cause.name)
    assert cause.title
    assert cause.why
    assert cause.advice
    assert cause.references
    assert cause.family == "diagnose"
    assert cause.check is None  # never run by check
    assert all(ref.startswith("https://") for ref in cause.references)
    page = (ROOT / "docs" / "rules" / f"{cause.code}.md").read_text()
    for claim in cause.claims:
        assert claim.source, "a cause's claims cite the servers' source (no lab scenario is its)"
        assert f"<{claim.source}>" in page
    assert not re.search(r"\bobserved\b", cause.why, re.IGNORECASE)


def test_causes_are_listed_and_explained_but_not_checked(tmp_path: Path) -> None:
    from gwlint.rules import ALL_RULES, BY_CODE

    listing = gwlint("rules").out
    assert "GW901  error    diagnose    the app raised an exception and answered 500" in listing
    page = gwlint("rule", "gw902")
    assert page.code == 0
    assert "the app was unreachable for a while" in page.out
    assert "GW901" not in BY_CODE
    assert all(not r.code.startswith("GW9") for r in ALL_RULES)
    (tmp_path / "nginx.conf").write_text("events {}\nhttp {}\n")
    run = gwlint("check", "nginx.conf", "--isolated", "--select", "GW901", cwd=tmp_path)
    assert run.code == 2
    assert "unknown rule selector 'GW901'" in run.err


def test_diagnose_md_is_fresh() -> None:
    from gwlint.reporters.docs import render_diagnose

    assert (ROOT / "docs" / "diagnose.md").read_text() == render_diagnose(), (
        "docs/diagnose.md is stale: run `python -m gwlint.reporters.docs`"
    )


def test_check_does_not_import_diagnose() -> None:
    from tests.test_imports import imported

    modules = imported("check", "--isolated", "nginx.conf", "gunicorn.conf.py", "--quiet")
    assert "gwlint.loaders.nginx" in modules
    assert not {m for m in modules if m.startswith("gwlint.diagnose")}
    assert "gwlint.reporters.diagnosis" not in modules


def test_the_access_log_format_of_the_nginx_config_is_used(tmp_path: Path) -> None:
    """With ``$upstream_addr`` in the access log (its ``log_format`` read from nginx.conf), the
    answers of another upstream do not make the refusals of this one a restart."""
    nginx = (
        "events {}\nhttp {\n"
        '    log_format up \'$remote_addr - [$time_local] "$request" $status '
        "$upstream_addr $upstream_status';\n"
        "    access_log /var/log/nginx/access.log up;\n"
        "    server {\n        listen 80;\n"
        "        location /api/ { proxy_pass http://127.0.0.1:9000; }\n"
        "        location / { proxy_pass http://127.0.0.1:8000; }\n    }\n}\n"
    )
    access = "".join(
        f'10.0.0.1 - [07/Dec/2026:01:00:{i:02} +0000] "GET {uri} HTTP/1.1" {status} {up} {status}\n'
        for i, (uri, status, up) in enumerate(
            [
                ("/", 200, "127.0.0.1:8000"),
                ("/api/x", 502, "127.0.0.1:9000"),
                ("/", 200, "127.0.0.1:8000"),
                ("/api/y", 502, "127.0.0.1:9000"),
                ("/", 200, "127.0.0.1:8000"),
            ]
        )
    )
    errors = _refused_line("01:00:01", "GET /api/x", "127.0.0.1:9000") + _refused_line(
        "01:00:03", "GET /api/y", "127.0.0.1:9000"
    )
    names = _write(tmp_path, {"nginx.conf": nginx, "access.log": access, "error.log": errors})
    code, document = diagnose_json(tmp_path, *names)
    assert document["requests"] == {"total": 5, "by_status": {"200": 3, "502": 2}}
    assert (code, _codes_of(document)) == (1, {"GW401": 2})


def test_a_file_named_as_a_log_that_is_none_is_said(tmp_path: Path) -> None:
    """A named ``.log`` that is no log gwlint reads: one line naming it, not "no log"."""
    (tmp_path / "app.log").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4)
    run = gwlint("diagnose", "app.log", cwd=tmp_path)
    assert run.code == 2
    assert run.err == (
        "gwlint: error: app.log: not a log gwlint reads (nginx's error or access log, "
        "gunicorn's, uWSGI's or uvicorn's)\n"
    )


def test_the_facts_flags_of_check_reach_the_configs_check(tmp_path: Path) -> None:
    """--front, --stop-timeout and --somaxconn are check's: diagnose passes them on (a bad
    value is check's usage error)."""
    _write(tmp_path, RESTART)
    run = gwlint("diagnose", "--front", "akamai", cwd=tmp_path)
    assert run.code == 2
    assert run.err.startswith("gwlint: error: --front: ")
    run = gwlint("diagnose", "--stop-timeout", "-1", cwd=tmp_path)
    assert run.code == 2
    assert run.err == "gwlint: error: --stop-timeout: must be 0 or more seconds\n"
    assert gwlint("diagnose", "--front", "alb", "--somaxconn", "128", cwd=tmp_path).code == 1
