"""``gwlint diagnose``'s reader: log files -> events (gwlint/diagnose/reading.py, formats.py).

The lines are real: tests/data/diagnose holds what gunicorn 27.0.1, uWSGI 2.0.30, uvicorn 0.55.0
and nginx 1.31.3 wrote on this machine, and the research's nginx 1.22.1 log (see its README);
docs/evidence.json holds the lab's. Each signature of the catalogue is matched by its examples,
which are checked to be such lines (or lines written from the source line they cite).
"""

from __future__ import annotations

import datetime
import gzip
import importlib.util
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from gwlint.diagnose import reading
from gwlint.diagnose.events import (
    GUNICORN_ACCESS,
    GUNICORN_ERROR,
    MAX_TEXT,
    NGINX_ACCESS,
    NGINX_ERROR,
    SOURCES,
    UVICORN,
    UWSGI,
    Event,
)
from gwlint.diagnose.formats import COMBINED, FormatError, compile_format, unescape
from gwlint.diagnose.reading import SIGNATURES, LogError, ReadStats, detect, is_log, read
from gwlint.loaders.nginx import access_formats
from tests.conftest import FIXTURES, ROOT, chdir
from tests.test_regex_safety import BUDGET, CHILD, hostile_texts

DATA = ROOT / "tests" / "data" / "diagnose"
CAPTURE = DATA / "capture"
RESEARCH = DATA / "research"
EVIDENCE = json.loads((ROOT / "docs" / "evidence.json").read_text())

UP_FORMAT = (
    '$remote_addr [$time_iso8601] $msec "$request" $status $body_bytes_sent rt=$request_time '
    "uaddr=$upstream_addr us=$upstream_status urt=$upstream_response_time"
)
JSON_FORMAT = (
    'escape=json {"t":"$time_iso8601","addr":"$remote_addr","req":"$request","status":$status,'
    '"ua":"$http_user_agent","up":"$upstream_addr","us":"$upstream_status","rt":$request_time}'
)
CAPTURE_FORMATS = {"/lab/logs/nginx-up.log": UP_FORMAT, "/lab/logs/nginx-json.log": JSON_FORMAT}

# a first line that tells a server's log apart, for a line that does not by itself
BANNERS = {
    NGINX_ERROR: "",
    GUNICORN_ERROR: "[2026-12-07 02:25:53 +0000] [28745] [INFO] Starting gunicorn 27.0.1",
    UWSGI: "*** Starting uWSGI 2.0.30 (64bit) on [Mon Dec  7 02:25:52 2026] ***",
    UVICORN: "INFO:     Started server process [28747]",
}


def events_of(text: str, **options: object) -> list[Event]:
    return list(read(["-"], stdin_text=text, **options))  # type: ignore[arg-type]


def utc(text: str) -> float:
    """``2026-12-07 02:25:55`` (UTC) -> POSIX seconds."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC).timestamp()


def full_line(source: str, example: str) -> str:
    """A catalogue example as the server writes it: the lab keeps lines without their time, pid
    and ports (tests/e2e/evidence.py ``normalise``); put back some."""
    line = example.replace("PORT", "8000").replace("(pid:N)", "(pid:456)")
    line = line.replace("(pid: N", "(pid: 456")
    if source == NGINX_ERROR and line.startswith("["):
        level, _, rest = line.partition("] ")
        return f"2026/12/07 01:02:03 {level}] 123#123: *5 {rest}"
    if source == GUNICORN_ERROR and re.match(r"\[[A-Z]+\] ", line):
        return f"[2026-12-07 01:02:03 +0000] [123] {line}"
    return line


# --- the catalogue ------------------------------------------------------------------------------


def test_catalogue_is_well_formed() -> None:
    ids = [s.id for s in SIGNATURES]
    assert len(ids) == len(set(ids))
    for signature in SIGNATURES:
        assert signature.source in SOURCES
        assert signature.id.split(".")[0] == signature.source.split("-")[0]
        assert signature.meaning
        assert "\n" not in signature.meaning
        assert signature.examples, signature.id
        assert signature.keywords, signature.id
        for label, line in signature.examples:
            assert re.search(r"\d+\.\d+", label), (signature.id, label)  # a version
            assert any(k in line for k in signature.keywords), (signature.id, line)
    wanted = {
        "nginx.upstream_timed_out",
        "nginx.upstream_prematurely_closed",
        "nginx.upstream_reset",
        "nginx.send_failed",
        "nginx.connect_refused",
        "nginx.connect_no_socket",
        "nginx.connect_again",
        "nginx.no_live_upstreams",
        "nginx.too_big_header",
        "nginx.invalid_header",
        "nginx.no_valid_header",
        "nginx.ssl_handshake_failed",
        "nginx.body_too_large",
        "nginx.header_too_long",
        "nginx.uri_too_long",
        "nginx.upstream_disabled",
        "nginx.no_resolver",
        "gunicorn.worker_timeout",
        "gunicorn.error_handling_request",
        "gunicorn.worker_sigkill",
        "gunicorn.worker_signal",
        "gunicorn.booting_worker",
        "gunicorn.listening",
        "gunicorn.starting",
        "gunicorn.handling_signal",
        "gunicorn.shutting_down",
        "gunicorn.invalid_request",
        "gunicorn.worker_exiting",
        "uwsgi.harakiri",
        "uwsgi.invalid_block_size",
        "uwsgi.invalid_http_size",
        "uwsgi.worker_died",
        "uwsgi.respawned",
        "uwsgi.spawned",
        "uwsgi.listen_queue_full",
        "uwsgi.traceback",
        "uwsgi.body_read_timeout",
        "uwsgi.content_length_too_big",
        "uwsgi.brutally_killing",
        "uwsgi.goodbye",
        "uvicorn.exception",
        "uvicorn.invalid_request",
    }
    assert wanted <= set(ids), wanted - set(ids)


def _numberless(line: str) -> str:
    return re.sub(r"\d+", "0", line)


def _lab_lines(observation: str) -> set[str]:
    """The lines the lab saw in a scenario, without their numbers: they vary from run to run
    (the request of a scenario that sends several, a packet size that follows a folder name).
    A run may see another line than the one before (nginx logs ``writev() failed`` or ``recv()
    failed`` for the same refusal, as it is sending or already reading): lab-seen.tsv keeps the
    lines of docs/evidence.json the examples were taken from (commit 0413294)."""
    seen = {
        _numberless(line)
        for scenario, _, line in (
            row.partition("\t") for row in (DATA / "lab-seen.tsv").read_text().splitlines()
        )
        if scenario == observation
    }
    for item in EVIDENCE["observations"]:
        if item["id"] == observation:
            return seen | {_numberless(line) for _, line in item["logs"]}
    raise AssertionError(f"no observation {observation} in docs/evidence.json")


def _file_lines(folder: Path) -> set[str]:
    found: set[str] = set()
    for path in folder.iterdir():
        for line in path.read_text().splitlines():
            found.add(line)
            found.add(re.sub(r"^\[[gu]\d\] ", "", line))  # research: the experiment's name
    return found


@pytest.mark.parametrize("signature", SIGNATURES, ids=lambda s: s.id)
def test_examples_are_real_lines(signature: reading.Signature) -> None:
    """Each example is a line the lab saw (docs/evidence.json), one of tests/data/diagnose, or
    one written from the source line its label cites."""
    captured, researched = _file_lines(CAPTURE), _file_lines(RESEARCH)
    for label, line in signature.examples:
        lab = re.search(r"\blab (\S+?)\b(?: \(|$)", label)
        if lab is not None:
            assert _numberless(line) in _lab_lines(lab.group(1)), (label, line)
        elif "capture" in label:
            assert line in captured, (label, line)
        elif "research" in label:
            assert line in researched, (label, line)
        else:
            assert re.search(r"source: \S+\.(?:c|h|py):\d+", label), label


@pytest.mark.parametrize("signature", SIGNATURES, ids=lambda s: s.id)
def test_every_signature_matches_its_examples(signature: reading.Signature) -> None:
    for _, example in signature.examples:
        line = full_line(signature.source, example)
        banner = BANNERS[signature.source]
        text = f"{banner}\n{line}\n" if banner else f"{line}\n"
        [last] = [e for e in events_of(text) if e.line == (2 if banner else 1)]
        assert last.text == line[:MAX_TEXT]
        assert (last.signature, last.source) == (signature.id, signature.source), line


def test_signatures_tell_apart_what_looks_alike() -> None:
    def one(message: str) -> str:
        return events_of(f"2026/12/07 01:02:03 [error] 1#1: *1 {message}\n")[0].signature

    assert one("connect() failed (111: Connection refused)") == "nginx.connect_refused"
    assert one("connect() to unix:/a.sock failed (111: Connection refused)") == (
        "nginx.connect_refused"
    )
    assert one("connect() to unix:/a.sock failed (2: No such file or directory)") == (
        "nginx.connect_no_socket"
    )
    assert one("connect() to unix:/a.sock failed (11: Resource temporarily unavailable)") == (
        "nginx.connect_again"
    )
    assert one("connect() to unix:/a.sock failed (13: Permission denied)") == (
        "nginx.connect_failed"
    )
    assert one("recv() failed (104: Connection reset by peer) while reading response") == (
        "nginx.upstream_reset"
    )
    assert one("recv() failed (110: Connection timed out)") == ""
    assert one("writev() failed (32: Broken pipe) while sending request to upstream") == (
        "nginx.send_failed"
    )
    assert one("upstream timed out (60: Operation timed out) while connecting to upstream") == (
        "nginx.upstream_timed_out"
    )
    # a client's TLS handshake is no upstream's
    assert one("SSL_do_handshake() failed (SSL: error:0A00006C) while SSL handshaking") == ""
    assert one("client 127.0.0.1 closed keepalive connection") == ""


# --- what the lines give ------------------------------------------------------------------------


def test_nginx_error_line_fields() -> None:
    [event] = events_of((CAPTURE / "nginx-error.log").read_text().splitlines()[23] + "\n")
    assert event.signature == "nginx.connect_no_socket"
    assert event.source == NGINX_ERROR
    assert event.time == utc("2026-12-07 02:25:55")
    assert (event.method, event.uri, event.client) == ("GET", "/sock", "127.0.0.1")
    assert event.upstream == "unix:/lab/logs/missing.sock"
    assert event.detail == "connecting to upstream"
    assert event.timed
    assert event.line == 1
    assert event.path == "-"

    def upstream(url: str) -> str | None:
        line = (
            f"2026/12/07 01:02:03 [error] 1#1: *1 upstream prematurely closed connection while "
            f'reading upstream, client: ::1, server: a, request: "POST /x?y=1 HTTP/1.1", '
            f'upstream: "{url}", host: "a"'
        )
        [found] = events_of(line)
        assert (found.method, found.uri, found.client) == ("POST", "/x", "::1")
        assert found.detail == "reading upstream"
        return found.upstream

    assert upstream("http://127.0.0.1:8000/x?y=1") == "127.0.0.1:8000"
    assert upstream("uwsgi://127.0.0.1:8000") == "127.0.0.1:8000"
    assert upstream("http://[::1]:8000/x") == "[::1]:8000"
    assert upstream("uwsgi://unix:/run/app.sock:") == "unix:/run/app.sock"
    assert upstream("http://unix:/run/app.sock:/x") == "unix:/run/app.sock"
    assert upstream("http://app/x") == "app"
    [body] = events_of(
        "2026/11/26 15:23:05 [error] 13931#13931: *21 client intended to send too large body: "
        '2000000 bytes, client: 127.0.0.1, server: , request: "POST /e6/ HTTP/1.1", host: "a"'
    )
    assert body.detail == "2000000"
    assert body.upstream is None


def test_every_level_of_nginx_error_log() -> None:
    levels = ["emerg", "alert", "crit", "error", "warn", "notice", "info", "debug"]
    text = "".join(
        f"2026/12/07 01:02:0{i} [{level}] 1#1: a thing\n" for i, level in enumerate(levels)
    )
    stats = ReadStats()
    found = events_of(text, stats=stats)
    assert len(found) == len(levels)
    assert stats.unparsed == 0
    assert [e.time for e in found] == [utc(f"2026-12-07 01:02:0{i}") for i in range(len(levels))]


def test_gunicorn_log_fields_and_tracebacks() -> None:
    found = list(read([str(CAPTURE / "gunicorn.log")]))
    by_line = {e.line: e for e in found}
    timeout = by_line[19]
    assert timeout.signature == "gunicorn.worker_timeout"
    assert timeout.pid == 28758  # the worker, not the master that logs it
    assert timeout.time == utc("2026-12-07 02:25:57")
    handling = by_line[7]
    assert handling.signature == "gunicorn.error_handling_request"
    assert (handling.method, handling.uri, handling.pid) == ("GET", "/boom", 28758)
    # the traceback: no time of its own, the time of the line before, in the file's order
    assert by_line[8].signature == "gunicorn.traceback"
    assert [by_line[n].timed for n in range(8, 17)] == [False] * 9
    assert {by_line[n].time for n in range(7, 17)} == {utc("2026-12-07 02:25:54")}
    order = [e.line for e in found]
    assert order[order.index(7) : order.index(7) + 10] == list(range(7, 17))
    assert by_line[16].text == "ZeroDivisionError: division by zero"
    # its access lines are gunicorn's
    access = by_line[17]
    assert (access.source, access.signature, access.status) == (GUNICORN_ACCESS, "request", 500)
    assert by_line[54].signature == "gunicorn.worker_sigkill"
    assert by_line[54].pid == 28865
    assert by_line[58].detail == "term"
    [old] = events_of("[2026-12-07 01:02:03 +0000] [456] [ERROR] Error handling request /boom?x=1")
    assert (old.method, old.uri) == (None, "/boom")
    [none] = events_of(
        "[2026-12-07 01:02:03 +0000] [456] [ERROR] Error handling request (no URI read)"
    )
    assert none.signature == "gunicorn.error_handling_request"
    assert none.uri is None
    [signal] = events_of(
        "[2026-12-07 01:02:03 +0000] [1] [ERROR] Worker (pid:456) was sent code 134!"
    )
    assert (signal.signature, signal.pid, signal.detail) == (
        "gunicorn.worker_signal",
        456,
        "code 134",
    )
    [bad] = events_of(
        "[2026-12-07 01:02:03 +0000] [4] [WARNING] Invalid request from ip=::1: Invalid HTTP "
        "request line: ''"
    )
    assert (bad.client, bad.detail) == ("::1", "Invalid HTTP request line: ''")
    offset = events_of("[2026-12-07 03:02:03 +0200] [4] [INFO] Booting worker with pid: 4")
    assert offset[0].time == utc("2026-12-07 01:02:03")


def test_uwsgi_log_times_and_fields() -> None:
    found = {e.line: e for e in read([str(CAPTURE / "uwsgi-logdate.log")])}
    sleep = found[39]
    assert sleep.signature == "request"
    assert (sleep.method, sleep.uri, sleep.status, sleep.pid) == ("GET", "/sleep", 200, 29115)
    # uWSGI dates a request by its start: the event is at its end, as nginx's
    assert sleep.request_time == pytest.approx(4.005)
    assert sleep.time == pytest.approx(utc("2026-12-07 02:26:21") + 4.005)
    assert found[45].signature == "uwsgi.stopping"  # --log-date's prefix
    assert found[45].timed
    assert found[45].time == utc("2026-12-07 02:26:26")
    plain = {e.line: e for e in read([str(CAPTURE / "uwsgi.log")])}
    assert plain[1].signature == "uwsgi.starting"
    assert plain[1].time == utc("2026-12-07 02:25:52")
    assert plain[45].signature == "uwsgi.harakiri"
    assert (plain[45].pid, plain[45].detail) == (28754, "1")
    assert (plain[47].method, plain[47].uri) == ("GET", "/sleep")
    died = plain[50]
    assert (died.signature, died.pid, died.detail, died.timed) == (
        "uwsgi.worker_died",
        28754,
        "9",
        False,
    )
    assert died.time == plain[49].time == utc("2026-12-07 02:26:02")
    assert plain[43].status == 500
    assert plain[43].uri == "/boom"
    # lines before any time take the time of the first line that has one
    head = events_of(
        "invalid request block size: 21573 (max 4096)...skip\n"
        "[pid: 7|app: 0|req: 1/1] 10.0.0.1 () {24 vars in 246 bytes} [Mon Dec  7 02:26:00 2026] "
        "POST /x => generated 0 bytes in 2 msecs via sendfile() (HTTP/1.1 502) 0 headers in 0 "
        "bytes (0 switches on core 0)\n"
    )
    assert [e.signature for e in head] == ["uwsgi.invalid_block_size", "request"]
    assert head[0].time == head[1].time == pytest.approx(utc("2026-12-07 02:26:00") + 0.002)
    assert head[0].detail == "21573"
    assert not head[0].timed
    assert (head[1].status, head[1].client) == (502, "10.0.0.1")


def test_uvicorn_log() -> None:
    path = CAPTURE / "uvicorn.log"
    found = list(read([str(path)]))
    assert {e.source for e in found} == {UVICORN}
    requests = [e for e in found if e.signature == "request"]
    assert [(e.method, e.uri, e.status, e.client) for e in requests] == [
        ("GET", "/", 200, "127.0.0.1"),
        ("GET", "/boom", 500, "127.0.0.1"),
        ("GET", "/x", 200, "127.0.0.1"),
    ]
    # no time in the whole file: its modification time, and not ``timed``
    assert {e.time for e in found} == {os.stat(path).st_mtime}
    assert not any(e.timed for e in found)
    [warning] = events_of("WARNING:  Invalid HTTP request received.\n")
    assert warning.signature == "uvicorn.invalid_request"


def test_file_without_time_takes_its_modification_time(tmp_path: Path) -> None:
    log = tmp_path / "uvicorn.log"
    shutil.copy(CAPTURE / "uvicorn.log", log)
    os.utime(log, (1_800_000_000, 1_800_000_000))
    assert {e.time for e in read([str(log)])} == {1_800_000_000.0}
    # and the window does not drop them: their time is a guess
    assert len(list(read([str(log)], since=1_900_000_000.0))) == 22


# --- access logs and log_format -----------------------------------------------------------------


def test_combined() -> None:
    compiled = compile_format(COMBINED)
    line = (CAPTURE / "nginx-access.log").read_text().splitlines()[10]
    found = compiled.pattern.match(line)
    assert found is not None
    assert found.group(compiled.group("http_user_agent")) == "a \\x22quoted\\x22 agent"
    assert unescape("a \\x22quoted\\x22 agent", "default") == 'a "quoted" agent'
    [event] = events_of(line)
    assert event.source == NGINX_ACCESS
    assert event.signature == "request"
    assert (event.status, event.method, event.uri, event.client) == (504, "GET", "/", "127.0.0.1")
    assert event.time == utc("2026-12-07 02:25:56")
    assert event.timed
    [query] = events_of(
        '::1 - bob [07/Dec/2026:03:25:56 +0100] "GET /a/b?c=d&e HTTP/2.0" 499 0 "-" "-"'
    )
    assert (query.uri, query.status, query.client) == ("/a/b", 499, "::1")
    assert query.time == utc("2026-12-07 02:25:56")
    [junk] = events_of(
        '10.0.0.1 - - [07/Dec/2026:02:25:56 +0000] "\\x16\\x03\\x01" 400 157 "-" "-"'
    )
    assert (junk.method, junk.uri, junk.status) == (None, None, 400)
    # a format that adds fields after combined's still gives them
    [more] = events_of(
        '10.0.0.1 - - [07/Dec/2026:02:25:56 +0000] "GET / HTTP/1.1" 200 5 "-" "curl" 0.004 "-"'
    )
    assert more.status == 200


def test_custom_format_with_upstream_fields() -> None:
    path = str(CAPTURE / "nginx-up.log")
    found = {e.line: e for e in read([path], formats=CAPTURE_FORMATS)}
    two = found[6]
    assert (two.status, two.upstream_status, two.upstream) == (502, "502, 502", "127.0.0.1:18798")
    assert (two.request_time, two.upstream_time) == (0.0, 0.0)
    assert two.time == pytest.approx(1796610355.863)  # $msec
    sock = found[9]
    assert sock.upstream == "unix:/lab/logs/missing.sock"
    refused = found[10]
    assert (refused.status, refused.upstream, refused.upstream_status) == (413, None, "-")
    assert refused.upstream_time is None
    gave_up = found[12]
    assert (gave_up.status, gave_up.request_time, gave_up.upstream_time) == (499, 0.3, 0.301)
    # by file name too (a copy of the log elsewhere, a rotated one)
    assert reading._format_for("/tmp/x/nginx-up.log.2.gz", CAPTURE_FORMATS)[0] == UP_FORMAT
    # upstream lists across internal redirects
    compiled = compile_format("$status $upstream_addr $upstream_status $upstream_response_time")
    line = "502 10.0.0.1:80, 10.0.0.2:80 : unix:/a.sock 502, 504 : 502 0.001, 1.000 : 0.200"
    assert compiled.pattern.match(line) is not None
    stats = ReadStats()  # in an nginx error log (docker logs), read with its format only
    assert len(events_of(f"2026/12/07 01:02:03 [notice] 1#1: start\n{line}\n", stats=stats)) == 1
    assert stats.unparsed == 1
    access = {"-": "$status $upstream_addr $upstream_status $upstream_response_time"}
    [listed] = events_of(line, formats=access)
    assert (listed.upstream, listed.upstream_status, listed.upstream_time) == (
        "unix:/a.sock",
        "502, 504 : 502",
        0.2,
    )
    assert not listed.timed


def test_json_format() -> None:
    path = str(CAPTURE / "nginx-json.log")
    found = {e.line: e for e in read([path], formats=CAPTURE_FORMATS)}
    assert len(found) == 14
    quoted = found[11]
    assert (quoted.status, quoted.method, quoted.uri, quoted.upstream) == (
        504,
        "GET",
        "/",
        "127.0.0.1:18731",
    )
    assert quoted.request_time == 1.001
    assert quoted.time == utc("2026-12-07 02:25:56")
    assert found[10].upstream is None
    assert found[10].upstream_status is None
    compiled = compile_format(JSON_FORMAT)
    assert compiled.escape == "json"
    assert compiled.text.startswith('{"t":')
    line = (
        '{"t":"2026-12-07T02:25:56+00:00","addr":"1.2.3.4","req":"GET /a\\"b?x HTTP/1.1",'
        '"status":502,"ua":"x\\\\y","up":"","us":"","rt":0.000}'
    )
    assert compiled.pattern.match(line) is not None
    assert unescape('a\\"b\\u00e9\\n', "json") == 'a"b\u00e9\n'


def test_time_variables() -> None:
    iso = compile_format("$time_iso8601 $status")
    assert iso.pattern.match("2026-12-07T02:25:56+01:00 200") is not None
    [event] = events_of("2026-12-07T02:25:56+01:00 200\n", formats={"-": "$time_iso8601 $status"})
    assert event.time == utc("2026-12-07 01:25:56")
    assert event.status == 200
    [msec] = events_of("1796610355.863 504 GET\n", formats={"-": "$msec $status $request_method"})
    assert msec.time == pytest.approx(1796610355.863)
    assert (msec.status, msec.method) == (504, "GET")
    # a format that starts with $time_iso8601 is no docker prefix
    access = {"-": '$time_iso8601 $remote_addr "$request" $status'}
    [first] = events_of('2026-12-07T02:25:56+01:00 1.2.3.4 "GET /a HTTP/1.1" 502\n', formats=access)
    assert (first.time, first.status, first.client) == (utc("2026-12-07 01:25:56"), 502, "1.2.3.4")
    docker = '2026-12-07T02:25:57.5Z 2026-12-07T03:25:56+01:00 1.2.3.4 "GET /a HTTP/1.1" 502\n'
    [second] = events_of(docker, formats=access)
    assert second.time == utc("2026-12-07 02:25:57") + 0.5
    assert second.text.startswith("2026-12-07T03:25:56+01:00 1.2.3.4")
    # a stamp that is no time: the line is not read
    stats = ReadStats()
    assert (
        events_of("x.y 200 GET\n", formats={"-": "$msec $status $request_method"}, stats=stats)
        == []
    )
    assert stats.unparsed == 1


def test_format_errors() -> None:
    with pytest.raises(FormatError, match="closing bracket"):
        compile_format("${status")
    with pytest.raises(FormatError, match="escaping"):
        compile_format("escape=yaml $status")
    with pytest.raises(FormatError):
        compile_format("$ $status")
    with pytest.raises(LogError, match="log_format cannot be read"):
        events_of("200\n", formats={"-": "${status"})
    # two variables side by side: the first stops at a space
    compiled = compile_format("$remote_addr$remote_user $status")
    assert compiled.pattern.match("1.2.3.4 200") is not None


def test_access_formats(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "nginx.conf").write_text(
        textwrap.dedent(
            """\
            events {}
            http {
                log_format main '$remote_addr [$time_local] "$request" '
                                '$status rt=$request_time';
                log_format js escape=json '{"s":$status}';
                access_log /var/log/nginx/access.log main;
                include conf.d/*.conf;
                server {
                    listen 80;
                    access_log logs/site.log;
                    location /x { access_log off; }
                    location /y { access_log syslog:server=10.0.0.1 main; }
                    location /z { access_log /var/log/json.log js buffer=32k; }
                    location /w { access_log /var/log/w.log undefined; }
                }
            }
            """
        )
    )
    (tmp_path / "conf.d" / "app.conf").write_text(
        "server { listen 81; access_log /var/log/app.log main; }\n"
    )
    main = '$remote_addr [$time_local] "$request" $status rt=$request_time'
    with chdir(tmp_path):
        found = access_formats(["nginx.conf"])
    assert found == {
        "/var/log/nginx/access.log": main,
        "logs/site.log": COMBINED,
        "/var/log/json.log": 'escape=json {"s":$status}',
        "/var/log/app.log": main,
    }
    assert access_formats([]) == {}
    # the formats the lab's capture was written with
    capture = tmp_path / "capture.conf"
    capture.write_text(
        "events {}\nhttp {\n"
        f"  log_format up '{UP_FORMAT}';\n"
        f"  log_format js escape=json '{JSON_FORMAT.removeprefix('escape=json ')}';\n"
        "  access_log /lab/logs/nginx-up.log up;\n  access_log /lab/logs/nginx-json.log js;\n}\n"
    )
    assert access_formats([str(capture)]) == CAPTURE_FORMATS


# --- kinds and prefixes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("nginx-error.log", NGINX_ERROR),
        ("nginx-access.log", NGINX_ACCESS),
        ("nginx-up.log", NGINX_ACCESS),
        ("nginx-json.log", NGINX_ACCESS),
        ("gunicorn.log", GUNICORN_ERROR),
        ("uwsgi.log", UWSGI),
        ("uwsgi-logdate.log", UWSGI),
        ("uvicorn.log", UVICORN),
    ],
)
def test_kinds_are_told_by_content(name: str, kind: str, tmp_path: Path) -> None:
    path = CAPTURE / name
    assert detect(str(path), path.read_text().splitlines()[:20]) == kind
    assert is_log(str(path))
    # whatever the file is called, compressed or not
    other = tmp_path / "whatever.1"
    with gzip.open(other, "wb") as out:
        out.write(path.read_bytes())
    assert is_log(str(other))
    stats = ReadStats()
    list(read([str(other)], formats={"whatever": UP_FORMAT, "x": JSON_FORMAT}, stats=stats))
    assert stats.files[str(other)].kind == kind
    assert stats.unparsed == 0


def test_gunicorn_access_log_by_name(tmp_path: Path) -> None:
    lines = [
        line for line in (CAPTURE / "gunicorn.log").read_text().splitlines() if " - - [" in line
    ]
    log = tmp_path / "gunicorn-access.log"
    log.write_text("\n".join(lines) + "\n")
    assert detect(str(log), lines) == GUNICORN_ACCESS
    assert {e.source for e in read([str(log)])} == {GUNICORN_ACCESS}
    assert detect("access.log", lines) == NGINX_ACCESS  # the same fields as nginx's combined


@pytest.mark.parametrize(
    "path",
    [
        "GW406/fires-http-to-uvicorn-with-tls/nginx.conf",
        "GW406/fires-http-to-uvicorn-with-tls/Procfile",
        "GW005/quiet-cpu-count-with-cpus/gunicorn.conf.py",
        "GW406/fires-http-to-uwsgi-https-socket/uwsgi.ini",
    ],
)
def test_configs_are_not_logs(path: str) -> None:
    full = FIXTURES / path
    assert detect(str(full), full.read_text().splitlines()[:20]) is None
    assert not is_log(str(full))


def test_other_files_are_not_logs(tmp_path: Path) -> None:
    assert detect("x", []) is None
    assert detect("app.py", (CAPTURE / "app.py.txt").read_text().splitlines()) is None
    binary = tmp_path / "binary"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    assert not is_log(str(binary))
    assert not is_log(str(tmp_path))
    assert not is_log(str(tmp_path / "missing"))
    nginx = tmp_path / "nginx.conf.gz"
    with gzip.open(nginx, "wb") as out:
        out.write((FIXTURES / "GW406/fires-http-to-uvicorn-with-tls/nginx.conf").read_bytes())
    assert not is_log(str(nginx))


def _prefixed(prefix: str) -> str:
    lines = (CAPTURE / "gunicorn.log").read_text().splitlines()[17:22]
    return "".join(prefix + line + "\n" for line in lines)


@pytest.mark.parametrize(
    ("prefix", "kind"),
    [
        ("2026-12-07T03:00:00+0000 web gunicorn[28745]: ", "journal"),  # journalctl -o short-iso
        ("2026-12-07T03:00:00+00:00 web gunicorn[28745]: ", "journal"),  # newer systemd
        ("2026-12-07T03:00:00.123456+0000 web app.service: ", "journal"),  # short-iso-precise
        ("2026-12-07T03:00:00.123456789Z ", "docker"),  # docker logs -t
        ("2026-12-07T03:00:00.12345Z ", "docker"),  # kubectl logs --timestamps
        ("web-1  | 2026-12-07T03:00:00.123456789Z ", "docker"),  # docker compose logs -t
        ("web-1  | ", "compose"),  # docker compose logs
    ],
)
def test_prefixes(prefix: str, kind: str) -> None:
    stats = ReadStats()
    found = events_of(_prefixed(prefix), stats=stats)
    assert stats.files["-"].prefix == kind
    assert stats.unparsed == 0
    assert [e.signature for e in found] == [
        "request",
        "gunicorn.worker_timeout",
        "gunicorn.error_handling_request",
        "gunicorn.traceback",
        "",
    ]
    assert found[1].text.startswith("[2026-12-07 02:25:57 +0000] [28745] [CRITICAL]")
    if kind == "compose":
        assert found[1].time == utc("2026-12-07 02:25:57")
        assert not found[3].timed
    else:
        # the prefix's time wins (it has a zone, and it is when the line was written)
        assert all(e.timed for e in found)
        assert int(found[1].time) == utc("2026-12-07 03:00:00")


def test_a_mixed_stream_is_read_line_by_line() -> None:
    """``docker logs`` of a container running nginx: its error and access lines together."""
    error = (CAPTURE / "nginx-error.log").read_text().splitlines()[9:14]
    access = (CAPTURE / "nginx-access.log").read_text().splitlines()[3:6]
    lines = [*error[:2], *access, *error[2:]]
    stamp = "2026-12-07T02:25:55.000000001Z "
    found = events_of("".join(f"\x1b[0m{stamp}{line}\n" for line in lines))
    assert Counter(e.source for e in found) == {NGINX_ERROR: 5, NGINX_ACCESS: 3}
    # a journal tells the servers apart by their names
    journal = (
        '2026-12-07T02:25:55+0000 h nginx[9]: 1.2.3.4 - - [07/Dec/2026:02:25:55 +0000] "GET / '
        'HTTP/1.1" 502 1 "-" "-"\n'
        '2026-12-07T02:25:55+0000 h gunicorn[8]: 127.0.0.1 - - [07/Dec/2026:02:25:55 +0000] "GET '
        '/ HTTP/1.1" 500 1 "-" "-"\n'
    )
    assert [e.source for e in events_of(journal)] == [NGINX_ACCESS, GUNICORN_ACCESS]
    assert events_of("-- Boot 1234 --\n" + journal)[0].line == 2


# --- files, order, time zones -------------------------------------------------------------------


def test_gz_rotated_and_merge_order(tmp_path: Path) -> None:
    lines = (CAPTURE / "nginx-access.log").read_text().splitlines(keepends=True)
    with gzip.open(tmp_path / "access.log.2.gz", "wt") as out:
        out.writelines(lines[:5])
    (tmp_path / "access.log.1").write_text("".join(lines[5:10]))
    (tmp_path / "access.log").write_text("".join(lines[10:]))
    shutil.copy(CAPTURE / "nginx-error.log", tmp_path / "error.log")
    shutil.copy(CAPTURE / "gunicorn.log", tmp_path / "gunicorn.log")
    names = ["access.log", "gunicorn.log", "access.log.1", "error.log", "access.log.2.gz"]
    found = list(read([str(tmp_path / n) for n in names]))
    times = [e.time for e in found]
    assert times == sorted(times)
    assert Counter(e.path.rsplit("/", 1)[1] for e in found) == {
        "access.log": 4,
        "access.log.1": 5,
        "access.log.2.gz": 5,
        "error.log": 39,
        "gunicorn.log": 60,
    }
    gz = [e for e in found if e.path.endswith(".gz")]
    assert [e.line for e in gz] == [1, 2, 3, 4, 5]
    assert gz[3].status == 504
    # each file's lines that have no time stay after the line they follow
    gunicorn = [e.line for e in found if e.path.endswith("gunicorn.log")]
    start = gunicorn.index(19)
    assert gunicorn[start : start + 14] == list(range(19, 33))
    # events of the same second: the files' order as given
    second = [e.path.rsplit("/", 1)[1] for e in found if e.time == utc("2026-12-07 02:25:57")]
    assert second == sorted(second, key=names.index)


def test_stdin() -> None:
    text = (CAPTURE / "nginx-error.log").read_text()
    found = events_of(text)
    assert len(found) == 39
    assert {e.path for e in found} == {"-"}
    assert [e.line for e in found] == list(range(1, 40))
    assert events_of("") == []
    with pytest.raises(LogError, match=r"^standard input: not a log"):
        events_of("hello\nworld\n")


def test_time_zones() -> None:
    line = "2026/12/07 01:02:03 [error] 1#1: *1 no live upstreams\n"
    assert events_of(line)[0].time == utc("2026-12-07 01:02:03")  # UTC when nothing says
    paris = datetime.timezone(datetime.timedelta(hours=1))
    assert events_of(line, tz=paris)[0].time == utc("2026-12-07 00:02:03")
    if Path("/usr/share/zoneinfo/Europe/Paris").exists():
        from zoneinfo import ZoneInfo

        assert events_of(line, tz=ZoneInfo("Europe/Paris"))[0].time == utc("2026-12-07 00:02:03")
        summer = "2026/07/07 01:02:03 [error] 1#1: *1 no live upstreams\n"
        assert events_of(summer, tz=ZoneInfo("Europe/Paris"))[0].time == utc("2026-07-06 23:02:03")
    uwsgi = "Mon Dec  7 01:02:03 2026 - goodbye to uWSGI.\n"
    assert events_of(uwsgi, tz=paris)[0].time == utc("2026-12-07 00:02:03")


def test_zone_of_the_error_log_from_the_access_log(tmp_path: Path) -> None:
    """nginx writes both logs in local time: the access log's offset tells the error log's."""
    (tmp_path / "error.log").write_text("2026/12/07 03:02:03 [error] 1#1: *1 no live upstreams\n")
    (tmp_path / "access.log").write_text(
        '1.2.3.4 - - [07/Dec/2026:03:02:03 +0200] "GET / HTTP/1.1" 502 1 "-" "-"\n'
    )
    paths = [str(tmp_path / "error.log"), str(tmp_path / "access.log")]
    found = list(read(paths))
    assert [e.time for e in found] == [utc("2026-12-07 01:02:03")] * 2
    assert [e.source for e in found] == [NGINX_ERROR, NGINX_ACCESS]
    # ``tz`` wins
    assert next(iter(read(paths, tz=datetime.UTC))).time == utc("2026-12-07 01:02:03")
    assert list(read(paths, tz=datetime.UTC))[-1].time == utc("2026-12-07 03:02:03")


def test_since_and_until() -> None:
    text = (CAPTURE / "nginx-error.log").read_text()
    found = events_of(text, since=utc("2026-12-07 02:25:55"), until=utc("2026-12-07 02:25:56"))
    assert {e.time for e in found} == {utc("2026-12-07 02:25:55"), utc("2026-12-07 02:25:56")}
    assert len(found) == 18


# --- what is not read ---------------------------------------------------------------------------


def test_unparsed_lines_are_counted(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    lines = (CAPTURE / "nginx-access.log").read_text().splitlines()
    log.write_text("\n".join([lines[0], "garbage here", "", lines[1], "   ", "also bad"]) + "\n")
    stats = ReadStats()
    found = list(read([str(log)], stats=stats))
    assert [e.line for e in found] == [1, 4]
    file = stats.files[str(log)]
    assert (file.lines, file.events, file.unparsed) == (6, 2, 2)
    assert file.examples == [(2, "garbage here"), (6, "also bad")]
    assert stats.unparsed == 2
    assert stats.lines == 6
    # an impossible date
    bad = '1.2.3.4 - - [07/Foo/2026:03:02:03 +0200] "GET / HTTP/1.1" 502 1 "-" "-"\n'
    stats = ReadStats()
    assert events_of(lines[0] + "\n" + bad, stats=stats)[0].line == 1
    assert stats.unparsed == 1


def test_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(LogError, match=r"^.*missing\.log: cannot read it"):
        read([str(tmp_path / "missing.log")])
    with pytest.raises(LogError, match="is a folder"):
        read([str(tmp_path)])
    odd = tmp_path / "odd.log"
    odd.write_text("just some text\n")
    with pytest.raises(LogError, match=r"odd\.log: not a log gwlint reads"):
        read([str(odd)])
    broken = tmp_path / "error.log.2.gz"
    whole = gzip.compress((CAPTURE / "nginx-error.log").read_bytes() * 200)
    broken.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(LogError, match=r"error\.log\.2\.gz: line \d+: cannot read it"):
        list(read([str(broken)]))


def test_hostile_lines(tmp_path: Path) -> None:
    """A 10 MB line and a line of 100k ``"``: cut, not read, counted; the lines around them
    are read."""
    good = (CAPTURE / "nginx-access.log").read_text().splitlines()[0]
    log = tmp_path / "access.log"
    with log.open("w") as out:
        out.write(good + "\n")
        out.write("1.2.3.4 - - [" + "a" * 10_000_000 + "\n")
        out.write('"' * 100_000 + "\n")
        out.write(good[:40] + "x" * 200_000 + good[40:] + "\n")
        out.write(good)  # no newline at the end
    stats = ReadStats()
    found = list(read([str(log)], stats=stats))
    assert [e.line for e in found] == [1, 5]
    file = stats.files[str(log)]
    assert (file.unparsed, file.cut) == (3, 3)
    assert all(len(text) <= MAX_TEXT for _, text in file.examples)
    # the same through standard input, and in other logs
    stats = ReadStats()
    assert len(events_of(log.read_text(), stats=stats)) == 2
    assert stats.files["-"].cut == 3
    long_error = "2026/12/07 01:02:03 [error] 1#1: *1 " + "upstream timed out (110: " * 40_000
    [event] = events_of(long_error + "\n")  # nginx cuts its lines at 2048 bytes: read as it
    assert event.signature == "nginx.upstream_timed_out"
    assert len(event.text) == MAX_TEXT


def test_patterns_do_not_backtrack_on_hostile_text() -> None:
    """The catalogue's patterns (searched) and compiled formats (matched), on the strings of
    tests/test_regex_safety.py, in a child process with its budget."""
    formats = [
        COMBINED,
        UP_FORMAT,
        JSON_FORMAT,
        "$remote_addr$remote_user $request $status $request_uri $uri",
        '$time_local $msec "$request" $upstream_addr',
    ]
    patterns = [(f"signature {s.id}", s.pattern.pattern, s.pattern.flags, True) for s in SIGNATURES]
    for text in formats:
        compiled = compile_format(text).pattern
        patterns.append((f"format {text[:30]}", compiled.pattern, compiled.flags, False))
    payload = pickle.dumps((patterns, hostile_texts(), BUDGET))
    done = subprocess.run(
        [sys.executable, "-c", CHILD], input=payload, capture_output=True, timeout=300
    )
    lines = done.stdout.decode().splitlines()
    assert lines, done.stderr.decode()[-2000:]
    assert lines[-1] == "DONE", done.stderr.decode()[-2000:]
    assert [line for line in lines if line.startswith("SLOW")] == []


# --- the benchmark's generator ------------------------------------------------------------------


def test_benchmark_logs_are_read_whole(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_logs", ROOT / "tests/bench/logs.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sizes = module.generate(tmp_path, 0.5)
    assert sum(sizes.values()) >= 500_000
    stats = ReadStats()
    found = list(read([str(tmp_path / name) for name in sizes], stats=stats))
    assert stats.unparsed == 0
    assert stats.lines == len(found)
    kinds = {f.path.rsplit("/", 1)[1]: f.kind for f in stats.files.values()}
    assert kinds == {
        "access.log": NGINX_ACCESS,
        "error.log": NGINX_ERROR,
        "gunicorn.log": GUNICORN_ERROR,
    }
    assert Counter(e.source for e in found)[NGINX_ACCESS] > 2_000
    times = [e.time for e in found]
    assert times == sorted(times)


def test_line_ends_and_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CRLF line ends, a UTF-8 character and a CRLF across two chunks, a last line without its
    end: the same lines as one read."""
    lines = (CAPTURE / "nginx-error.log").read_text().splitlines()
    lines[10] = lines[10].replace("/sleep", "/sl\u00e9ep")
    log = tmp_path / "error.log"
    log.write_bytes("\r\n".join(lines).encode())
    whole = [(e.line, e.text, e.uri) for e in read([str(log)])]
    assert len(whole) == 39
    assert whole[10][2] == "/sl\u00e9ep"
    for size in (1, 2, 7, 100):
        monkeypatch.setattr(reading, "CHUNK", size)
        assert [(e.line, e.text, e.uri) for e in read([str(log)])] == whole


def test_gunicorn_refusing_to_start_is_a_log() -> None:
    """What gunicorn writes before its log is set up, when it refuses to start (the lab's)."""
    text = (
        "usage: gunicorn [OPTIONS] [APP_MODULE]\n"
        "gunicorn: error: unrecognized arguments: --worker-timeout 60\n"
    )
    assert detect("app.log", text.splitlines()) == GUNICORN_ERROR
    found = events_of(text)
    assert [e.signature for e in found] == ["", "gunicorn.refused_to_start"]
    assert found[1].detail == "gunicorn: error: unrecognized arguments: --worker-timeout 60"
    assert not found[1].timed
