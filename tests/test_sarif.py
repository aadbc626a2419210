"""SARIF output: valid against the official 2.1.0 schema, and what GitHub code scanning requires."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gwlint import __version__
from gwlint.reporters.sarif import help_uri
from gwlint.rules import ALL_RULES, BY_CODE
from tests.conftest import ROOT, gwlint

SCHEMA_FILE = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
HOMEPAGE = "https://github.com/gwlint/gwlint"

BROKEN_NGINX = "http {\n  server {\n    listen 80\n"
PROXY = (
    "http {\n  server {\n    location / {\n      proxy_pass http://127.0.0.1:8001;\n    }\n  }\n}\n"
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert jsonschema.validators.validator_for(schema) is jsonschema.Draft4Validator
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def sarif(*args: str, cwd: Path) -> tuple[int, dict[str, Any]]:
    run = gwlint("check", *args, "--format", "sarif", cwd=cwd)
    assert run.code in (0, 1), run.err
    return run.code, json.loads(run.out)


def valid(document: dict[str, Any], validator: jsonschema.Draft4Validator) -> None:
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]
    assert errors == []


def github_ready(
    document: dict[str, Any], *, full_help: bool = False, severities: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """GitHub code scanning's rules (sarif-support.md); returns the run's results. By default
    no automationDetails (codeql-action's category applies) and no rule page in the log."""
    assert document["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert document["version"] == "2.1.0"
    assert len(document["runs"]) == 1
    run = document["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "gwlint"
    assert driver["version"] == driver["semanticVersion"] == __version__
    assert driver["informationUri"] == HOMEPAGE
    assert "automationDetails" not in run
    assert run["invocations"] == [{"executionSuccessful": True}]
    assert run["columnKind"] == "unicodeCodePoints"
    root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root.startswith("file:///")
    assert root.endswith("/")

    rules = driver["rules"]
    assert [rule["id"] for rule in rules] == [rule.code for rule in ALL_RULES]
    for rule in rules:
        meta = BY_CODE[rule["id"]]
        assert rule["name"] == meta.name
        assert rule["shortDescription"]["text"] == meta.title
        for key in ("shortDescription", "fullDescription"):
            assert 0 < len(rule[key]["text"]) <= 1024, (rule["id"], key)
        if full_help:
            assert rule["help"]["text"].strip()
            assert rule["help"]["markdown"].startswith(f"# {meta.code}: {meta.title}\n")
            assert "```" not in rule["help"]["text"]
        else:
            assert "help" not in rule
        assert rule["helpUri"] == help_uri(meta.code)
        assert rule["helpUri"].endswith(f"/docs/rules/{meta.code}.md")
        expected_level = {"error": "error", "warning": "warning", "info": "note"}
        severity = (severities or {}).get(meta.code, meta.severity.value)
        assert rule["defaultConfiguration"]["level"] == expected_level[severity]
        assert rule["properties"]["tags"] == ["gwlint", meta.family]
        assert rule["properties"]["precision"] in ("very-high", "high", "medium", "low")

    results: list[dict[str, Any]] = run["results"]
    ids = [rule["id"] for rule in rules]
    for result in results:
        assert result["ruleId"] in ids
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        text = result["message"]["text"]
        assert text.strip()
        assert text.endswith(".")
        assert 1 <= len(result["locations"]) <= 10
        physical = result["locations"][0]["physicalLocation"]
        assert physical["region"]["startLine"] >= 1
        assert physical["region"].get("startColumn", 1) >= 1
        artifact = physical["artifactLocation"]
        if artifact["uri"].startswith("file://"):
            assert "uriBaseId" not in artifact
        else:
            assert artifact["uriBaseId"] == "%SRCROOT%"
            assert not artifact["uri"].startswith(("/", "./", "../"))
            assert "\\" not in artifact["uri"]
        assert result["partialFingerprints"]["gwlint/v1"]
        assert "primaryLocationLineHash" not in result["partialFingerprints"]
        related = result.get("relatedLocations", [])
        assert [location["id"] for location in related] == list(range(1, len(related) + 1))
        for location in related:
            assert f"]({location['id']})" in text  # linked from the message
            assert location["message"]["text"]
            assert location["physicalLocation"]["region"]["startLine"] >= 1
    return results


def test_vendored_schema_is_the_official_one() -> None:
    assert hashlib.sha256(SCHEMA_FILE.read_bytes()).hexdigest() == SCHEMA_SHA256


def test_demo_findings_of_every_severity(validator: jsonschema.Draft4Validator) -> None:
    code, document = sarif("fixtures/demo", cwd=ROOT)
    assert code == 1
    valid(document, validator)
    results = github_ready(document)
    assert {r["level"] for r in results} == {"error", "warning", "note"}
    assert {"GW201", "GW401", "GW102", "GW506"} <= {r["ruleId"] for r in results}
    assert all(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith(
            "fixtures/demo/"
        )
        for r in results
    )
    gw201 = next(r for r in results if r["ruleId"] == "GW201")
    assert gw201["level"] == "error"
    assert gw201["ruleIndex"] == [rule.code for rule in ALL_RULES].index("GW201")
    region = gw201["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 9, "startColumn": 5}
    assert "[fixtures/demo/gunicorn.conf.py:1](1)" in gw201["message"]["text"]
    assert "Fix: set keepalive = 75 in fixtures/demo/gunicorn.conf.py" in gw201["message"]["text"]
    assert gw201["properties"]["fix"].startswith("set keepalive = 75")
    other_side = gw201["relatedLocations"][0]["physicalLocation"]["artifactLocation"]
    assert other_side == {"uri": "fixtures/demo/gunicorn.conf.py", "uriBaseId": "%SRCROOT%"}
    # the same text as the text report: the finding's message comes first
    text = gwlint("check", "fixtures/demo", cwd=ROOT).out
    assert gw201["message"]["text"].split(". Related: ")[0] in text


def test_broken_nginx_is_a_result_not_an_empty_run(
    tmp_path: Path, validator: jsonschema.Draft4Validator
) -> None:
    write(tmp_path, "nginx.conf", BROKEN_NGINX)
    code, document = sarif("nginx.conf", cwd=tmp_path)
    assert code == 1
    valid(document, validator)
    results = github_ready(document)
    gw001 = [r for r in results if r["ruleId"] == "GW001"]
    assert gw001
    assert gw001[0]["level"] == "error"
    assert gw001[0]["ruleIndex"] == 0
    location = gw001[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "nginx.conf", "uriBaseId": "%SRCROOT%"}
    assert location["region"]["startLine"] == 3


def test_input_problems_of_every_kind(
    tmp_path: Path, validator: jsonschema.Draft4Validator
) -> None:
    write(tmp_path, "nginx.conf", BROKEN_NGINX)
    write(tmp_path, "gunicorn.conf.py", "bind = (\n")
    write(tmp_path, "uwsgi.ini", "[app]\nsocket = :3031\n")
    code, document = sarif("nginx.conf", "gunicorn.conf.py", "uwsgi.ini", cwd=tmp_path)
    assert code == 1
    valid(document, validator)
    results = github_ready(document)
    assert {"GW001", "GW003", "GW004"} <= {r["ruleId"] for r in results}
    gw004 = next(r for r in results if r["ruleId"] == "GW004")
    # literal brackets are escaped in plain-text messages: only [text](id) is a link
    assert "\\[uwsgi\\]" in gw004["message"]["text"]


def test_no_findings(tmp_path: Path, validator: jsonschema.Draft4Validator) -> None:
    write(tmp_path, "nginx.conf", PROXY.replace("8001", "8000"))
    write(tmp_path, "gunicorn.conf.py", "bind = '127.0.0.1:8000'\ntimeout = 75\nworkers = 3\n")
    code, document = sarif(".", cwd=tmp_path)
    assert code == 0
    valid(document, validator)
    assert github_ready(document) == []
    assert len(document["runs"][0]["tool"]["driver"]["rules"]) == len(ALL_RULES)
    assert document["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (
        tmp_path.resolve().as_uri() + "/"
    )


def test_nothing_found_is_still_a_valid_log(
    tmp_path: Path, validator: jsonschema.Draft4Validator
) -> None:
    code, document = sarif(cwd=tmp_path)
    assert code == 0
    valid(document, validator)
    assert github_ready(document) == []
    # a named path with nothing to check: a GW010 result at it, still a valid log
    code, document = sarif(".", "missing.conf", cwd=tmp_path)
    assert code == 1
    valid(document, validator)
    assert [r["ruleId"] for r in document["runs"][0]["results"]] == ["GW010", "GW010"]


def fingerprints(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (r["ruleId"], r["partialFingerprints"]["gwlint/v1"]) for r in document["runs"][0]["results"]
    ]


def test_fingerprints_survive_moved_lines_and_path_spelling(tmp_path: Path) -> None:
    write(tmp_path, "deploy/nginx.conf", PROXY)
    write(tmp_path, "deploy/gunicorn.conf.py", "bind = '127.0.0.1:8000'\n")
    _, before = sarif("deploy/nginx.conf", "deploy/gunicorn.conf.py", cwd=tmp_path)
    assert fingerprints(before)
    write(tmp_path, "deploy/nginx.conf", "# a comment\n\n" + PROXY)
    write(tmp_path, "deploy/gunicorn.conf.py", "import os\n\nbind = '127.0.0.1:8000'\n")
    _, after = sarif("./deploy/nginx.conf", "./deploy/gunicorn.conf.py", cwd=tmp_path)
    moved = [
        r["locations"][0]["physicalLocation"]["region"]["startLine"]
        for r in after["runs"][0]["results"]
    ]
    assert moved != [
        r["locations"][0]["physicalLocation"]["region"]["startLine"]
        for r in before["runs"][0]["results"]
    ]
    assert fingerprints(after) == fingerprints(before)
    # run from inside deploy/, the relative path (part of the identity) differs: so do alerts
    _, elsewhere = sarif("nginx.conf", "gunicorn.conf.py", cwd=tmp_path / "deploy")
    assert fingerprints(elsewhere) != fingerprints(before)


def test_fingerprints_are_unique_in_a_run(tmp_path: Path) -> None:
    two = PROXY.replace(
        "    location / {\n",
        "    location /a {\n      proxy_pass http://127.0.0.1:8002;\n    }\n    location / {\n",
    )
    write(tmp_path, "nginx.conf", two)
    write(tmp_path, "gunicorn.conf.py", "bind = '127.0.0.1:8000'\n")
    _, document = sarif(".", "--select", "GW401", cwd=tmp_path)
    found = fingerprints(document)
    assert len(found) == 2
    assert len({fingerprint for _, fingerprint in found}) == 2


def test_paths_outside_the_folder_and_with_spaces(
    tmp_path: Path, validator: jsonschema.Draft4Validator
) -> None:
    write(tmp_path, "nginx.conf", PROXY)
    write(tmp_path, "my deploy/gunicorn.conf.py", "bind = '127.0.0.1:8000'\n")
    work = tmp_path / "work"
    work.mkdir()
    _, document = sarif("../nginx.conf", "../my deploy/gunicorn.conf.py", cwd=work)
    valid(document, validator)
    result = next(r for r in github_ready(document) if r["ruleId"] == "GW401")
    artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": (tmp_path / "nginx.conf").resolve().as_uri()}
    _, document = sarif("nginx.conf", "my deploy/gunicorn.conf.py", cwd=tmp_path)
    valid(document, validator)
    result = next(r for r in github_ready(document) if r["ruleId"] == "GW401")
    related = result["relatedLocations"][0]["physicalLocation"]
    assert related["artifactLocation"] == {
        "uri": "my%20deploy/gunicorn.conf.py",
        "uriBaseId": "%SRCROOT%",
    }


def test_output_file(tmp_path: Path, validator: jsonschema.Draft4Validator) -> None:
    write(tmp_path, "nginx.conf", BROKEN_NGINX)
    run = gwlint(
        "check", "nginx.conf", "--format", "sarif", "--output", "gwlint.sarif", cwd=tmp_path
    )
    assert run.code == 1
    assert run.out == ""
    document = json.loads((tmp_path / "gwlint.sarif").read_text(encoding="utf-8"))
    valid(document, validator)
    assert any(r["ruleId"] == "GW001" for r in github_ready(document))
    run = gwlint(
        "check", "nginx.conf", "-f", "sarif", "-o", "gwlint.sarif", "--exit-zero", cwd=tmp_path
    )
    assert run.code == 0


def test_message_links_only_related_locations() -> None:
    _, document = sarif("fixtures/demo", cwd=ROOT)
    for result in document["runs"][0]["results"]:
        text = result["message"]["text"]
        links = re.findall(r"(?<!\\)\[(?:[^\]\\]|\\.)*\]\((\d+)\)", text)
        assert [int(n) for n in links] == [
            location["id"] for location in result.get("relatedLocations", [])
        ]


# --- paths in messages, relative paths: fast, and the same as before -----------------------------


def _alternation(paths: dict[str, str], text: str) -> str:
    """What the fingerprints were first computed with: one regular expression alternating every
    path, longest first (quadratic: each path is tried at each place of each message)."""
    if not paths:
        return text
    pattern = "|".join(re.escape(p) for p in sorted(paths, key=len, reverse=True))
    return re.sub(pattern, lambda m: paths[m.group(0)], text)


_PATH_PIECES = st.text(alphabet="ab/.:-", max_size=6)


@settings(max_examples=400, deadline=None)
@given(
    keys=st.lists(_PATH_PIECES, max_size=6, unique=True),
    text=st.text(alphabet="ab/.:- x", max_size=40),
)
def test_the_path_replacer_is_the_alternation_it_replaces(keys: list[str], text: str) -> None:
    from gwlint.reporters.sarif import replacer

    paths = {key: f"<{index}>" for index, key in enumerate(keys)}
    assert replacer(paths)(text) == _alternation(paths, text)


def test_the_path_replacer_on_paths_that_nest() -> None:
    from gwlint.reporters.sarif import replacer

    paths = {"a.conf": "A", "conf.d/a.conf": "B", "./conf.d/a.conf": "C", "d/a": "D", "[x]": "X"}
    for text in (
        "include ./conf.d/a.conf and conf.d/a.conf, a.conf; d/a.conf [x] ./a.conf",
        "conf.d/a.con",
        "",
        "./conf.d/a.conf./conf.d/a.conf",
    ):
        assert replacer(paths)(text) == _alternation(paths, text)


def _relative_path_as_before(path: str, cwd: str) -> str | None:
    absolute = os.path.abspath(os.path.join(cwd, path))
    for candidate, base in (
        (absolute, cwd),
        (os.path.realpath(absolute), os.path.realpath(cwd)),
    ):
        relative = os.path.relpath(candidate, base)
        if relative != os.pardir and not relative.startswith(os.pardir + os.sep):
            return PurePath(relative).as_posix()
    return None


@pytest.mark.parametrize(
    "path",
    [
        "nginx.conf",
        "./nginx.conf",
        "conf.d//a.conf",
        "conf.d/../a.conf",
        "a/./b/../../c",
        ".",
        "",
        "a/..",
        "..",
        "../x",
        "a/../../x",
        "../work/x.conf",
        "::error::x.conf",
        "a\n::b",
    ],
)
def test_relative_paths_as_before(tmp_path: Path, path: str) -> None:
    from gwlint.reporters.sarif import relative_path

    work = tmp_path / "work"
    work.mkdir()
    assert relative_path(path, str(work)) == _relative_path_as_before(path, str(work))


def test_many_files_many_findings_keep_their_fingerprints() -> None:
    """Every finding in its own file (the report names each path once more per finding), each
    message naming another file (the app's): the fingerprints are what the one-alternation
    computation gives. In a short folder: a message over 200 characters would name its files
    by their names alone (filtering.fit)."""
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="gw")
    try:
        _many_files(Path(folder))
    finally:
        shutil.rmtree(folder)


def _many_files(tmp_path: Path) -> None:
    from gwlint.reporters.sarif import FINGERPRINT, _identity

    for index in range(60):
        write(
            tmp_path,
            f"conf.d/s{index}.conf",
            f"server {{ listen {8100 + index}; location / {{ proxy_read_timeout 120s; "
            "proxy_pass http://127.0.0.1:8000; } }\n",
        )
    write(tmp_path, "nginx.conf", "events {}\nhttp {\n    include conf.d/*.conf;\n}\n")
    write(tmp_path, "gunicorn.conf.py", "bind = '127.0.0.1:8000'\ntimeout = 30\n")
    # named absolutely: each path is written in the messages, and differs from its URI
    main, app = str(tmp_path / "nginx.conf"), str(tmp_path / "gunicorn.conf.py")
    _, document = sarif(main, app, "--select", "GW101", cwd=tmp_path)
    results = document["runs"][0]["results"]
    assert len(results) == 60
    as_json = json.loads(
        gwlint("check", main, app, "--select", "GW101", "--format", "json", cwd=tmp_path).out
    )
    paths = {
        found["path"]: result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for found, result in zip(as_json["diagnostics"], results, strict=True)
    }
    app_uri = {
        related["physicalLocation"]["artifactLocation"]["uri"]
        for result in results
        for related in result["relatedLocations"]
        if related["physicalLocation"]["artifactLocation"]["uri"].endswith("gunicorn.conf.py")
    }
    assert len(app_uri) == 1
    paths[app] = app_uri.pop()
    assert all(os.path.isabs(path) and path != uri for path, uri in paths.items())
    assert all(app in found["message"] for found in as_json["diagnostics"])
    from gwlint.model.diagnostics import Diagnostic, Location, Severity

    for result, found in zip(results, as_json["diagnostics"], strict=True):
        diagnostic = Diagnostic(
            found["code"],
            Severity(found["severity"]),
            found["message"],
            Location(found["path"], found["line"], found["column"]),
        )
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        expected = hashlib.sha256(
            "\0".join(
                (found["code"], uri, re.sub(r"\d+", "0", _alternation(paths, found["message"])))
            ).encode("utf-8", "surrogatepass")
        ).hexdigest()[:32]
        assert _identity(diagnostic, uri, lambda text: _alternation(paths, text)) == expected
        assert result["partialFingerprints"][FINGERPRINT] == f"{expected}:1"


def test_hostile_values_stay_valid_and_exact(
    tmp_path: Path, validator: jsonschema.Draft4Validator
) -> None:
    from tests.test_inert_output import CONTROL, ESCAPES, HOSTILE_NAME, hostile_repository

    hostile_repository(tmp_path)
    run = gwlint("check", "--isolated", "--format", "sarif", cwd=tmp_path)
    assert run.code == 1, run.err
    assert not CONTROL.search(run.out)
    assert "##[" not in run.out
    document = json.loads(run.out)
    valid(document, validator)
    results = github_ready(document)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    # the file's bytes, percent-encoded: the URI names the file on disk
    assert "conf.d/" + quote(HOSTILE_NAME.encode(), safe="") in uris
    assert "%3A%3Aerror%3A%3Atop.conf" in uris
    # the message text keeps the values (SARIF viewers show it as text)
    # (with "[" and "]" escaped: only gwlint's links are links)
    assert any("\x1b\\]0;TITLE\x07\x1b\\[2J\x9b31m" in r["message"]["text"] for r in results)
    assert any(ESCAPES[-3:] in r["message"]["text"] for r in results)


def test_category_full_help_and_severity_overrides(
    tmp_path: Path, validator: jsonschema.Draft4Validator
) -> None:
    """--sarif-category names the run (two uploads of one commit keep their alerts apart);
    --sarif-help full embeds each rule's page; a [severity] override is the rule's
    problem.severity and level too, not only its results'."""
    write(tmp_path, "nginx.conf", PROXY)
    write(tmp_path, "gunicorn.conf.py", "bind = '127.0.0.1:8000'\nworkers = 3\n")
    write(tmp_path, ".gwlint.toml", '[severity]\nGW401 = "warning"\n')
    code, document = sarif(".", "--sarif-category", "deploy/api", cwd=tmp_path)
    assert code == 1
    valid(document, validator)
    github_ready(
        document.copy() | {"runs": [_without_category(document)]}, severities={"GW401": "warning"}
    )
    run = document["runs"][0]
    assert run["automationDetails"] == {"id": "deploy/api/"}
    gw401 = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "GW401")
    assert gw401["defaultConfiguration"]["level"] == "warning"
    assert gw401["properties"]["problem.severity"] == "warning"
    assert [r["level"] for r in run["results"] if r["ruleId"] == "GW401"] == ["warning"]
    short = len(json.dumps(document))
    _, full = sarif(".", "--sarif-help", "full", cwd=tmp_path)
    valid(full, validator)
    github_ready(full, full_help=True, severities={"GW401": "warning"})
    assert len(json.dumps(full)) > 3 * short  # the short log leaves the pages to helpUri
    run_ = gwlint("check", ".", "--sarif-category", "x", cwd=tmp_path)
    assert run_.code == 2
    assert run_.err == "gwlint: error: --sarif-category is for --format sarif, not --format text\n"


def _without_category(document: dict[str, Any]) -> dict[str, Any]:
    run = dict(document["runs"][0])
    run.pop("automationDetails")
    return run


def test_at_most_25000_results_with_a_notification(validator: jsonschema.Draft4Validator) -> None:
    """GitHub rejects a run with more than 25,000 results: the most severe are kept, and the
    run says how many were left out."""
    from gwlint.engine import Report
    from gwlint.model.diagnostics import Diagnostic, Location, Severity
    from gwlint.reporters.sarif import MAX_RESULTS, render

    diagnostics = [
        Diagnostic("GW603", Severity.INFO, f"info {i}", Location("nginx.conf", i + 1))
        for i in range(MAX_RESULTS)
    ]
    diagnostics.insert(7, Diagnostic("GW001", Severity.ERROR, "error", Location("nginx.conf", 1)))
    report = Report(
        diagnostics=diagnostics,
        files=["nginx.conf"],
        nginx_label="nginx 1.30",
        gunicorn_label="gunicorn 27.0",
        nginx_version_given=False,
    )
    document = json.loads(render(report))
    valid(document, validator)
    run = document["runs"][0]
    assert len(run["results"]) == MAX_RESULTS
    assert run["results"][7]["ruleId"] == "GW001"  # the error is kept, in its place
    assert run["results"][-1]["message"]["text"].startswith(f"info {MAX_RESULTS - 2}")
    [notification] = run["invocations"][0]["toolExecutionNotifications"]
    assert notification["level"] == "warning"
    assert notification["message"]["text"].startswith("1 results left out:")


def test_help_uri_links_the_release() -> None:
    assert help_uri("GW101", "1.2.3").endswith("/blob/v1.2.3/docs/rules/GW101.md")
    assert help_uri("GW101", "0.1.0.dev0").endswith("/blob/main/docs/rules/GW101.md")


@pytest.mark.parametrize(
    ("version", "ref"),
    [
        ("1.2.4.dev3+g1234567", "1234567"),  # hatch-vcs between tags: the commit
        ("0.1.0.dev120+g62e749b45.d20261207", "62e749b45"),  # a modified tree: its commit
        ("1.2.4.dev3+local", "main"),  # no commit named
        ("1.2.4rc1", "v1.2.4rc1"),  # a release candidate: its tag
    ],
)
def test_help_uri_of_a_development_version_links_its_commit(version: str, ref: str) -> None:
    assert help_uri("GW101", version) == f"{HOMEPAGE}/blob/{ref}/docs/rules/GW101.md"
