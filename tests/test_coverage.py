"""The servers each rule covers (gwlint/rules/coverage.py) are proven by its fixtures.

For every (rule, server) pair ``COVERS`` claims, some ``fixtures/<CODE>/fires-*`` case fires the
rule with that server taking part, as gwlint's own pipeline reads the case (``gwlint check`` run
as tests/test_fixtures.py runs it, the deployments kept with ``Request.show``):

- a rule of ``check``: a deployment of the case on which the rule's check yields a finding has
  that proxy (nginx, Apache httpd, Caddy) or an app server of that kind;
- a problem a loader reports (the GW0xx codes, GW705, GW706): a diagnostic of the code points
  into a file of that server (its config, or the line of the launcher that starts it);
- a cause of ``gwlint diagnose`` (GW9xx): a line of that server's log is evidence of the cause.

A pair in ``UNPROVEN`` must not be proven yet (else it moves into ``COVERS``), and every server a
check's code names (an ``app.kind`` it compares, ``worker_kind``, a read of nginx's or the
front's routes) is covered, unproven or explained in ``NOT_COVERED``.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import os
import re
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from gwlint.rules import ALL_RULES, BY_CODE, DOCUMENTED
from gwlint.rules.coverage import (
    APPS,
    COVERS,
    KIND_NAMES,
    NOT_COVERED,
    PROXIES,
    UNPROVEN,
    covers,
    servers_line,
)
from tests.conftest import FIXTURES, chdir, gwlint
from tests.test_fixtures import META, _command

if TYPE_CHECKING:
    from gwlint.engine import Report, Request
    from gwlint.model.deployment import Deployment

TABLE = "gwlint/rules/coverage.py"


# --- which servers take part in a fixture case --------------------------------------------------


def _deployment_servers(dep: Deployment) -> set[str]:
    servers = {KIND_NAMES[app.kind] for app in dep.apps}
    if dep.nginx is not None:
        servers.add(KIND_NAMES["nginx"])
    if dep.front is not None:
        servers.add(KIND_NAMES[dep.front.kind])
    return servers


def _checked(case: Path) -> Report | None:
    """``gwlint check`` on the case, as tests/test_fixtures.py runs it, with the deployments;
    None when the run did not get that far (tests/test_fixtures.py reports it)."""
    import gwlint.engine as engine

    real = engine.lint
    reports: list[Report] = []

    def lint(request: Request) -> Report:
        request.show = True  # the report keeps a view: the files read and the deployments
        report = real(request)
        reports.append(report)
        return report

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "lint", lint)
        gwlint(*_command(case), cwd=case)
    return reports[-1] if reports else None


def _same_file(case: Path, a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return False
    return os.path.realpath(case / a) == os.path.realpath(case / b)


def _servers_at(case: Path, report: Report, path: str, line: int) -> set[str]:
    """The servers whose file ``path`` is: a proxy's config, an app's config, or the launcher
    whose command starts the app (the last command starting at or before ``line``; the first
    one for a line above every command, such as an ``ENV`` its command reads)."""
    assert report.view is not None
    found: set[str] = set()
    launched: list[tuple[int, str]] = []
    for dep in report.view.deployments:
        if dep.nginx is not None and any(_same_file(case, path, f) for f in dep.nginx.files):
            found.add(KIND_NAMES["nginx"])
        if dep.front is not None and any(_same_file(case, path, f) for f in dep.front.files):
            found.add(KIND_NAMES[dep.front.kind])
        for app in dep.apps:
            if _same_file(case, path, app.config_file):
                found.add(KIND_NAMES[app.kind])
            elif _same_file(case, path, app.path):
                if app.launcher is None:
                    found.add(KIND_NAMES[app.kind])
                else:
                    launched.append((app.launcher_line or 1, KIND_NAMES[app.kind]))
    if launched:
        above = [start for start, _ in launched if start <= line]
        start = max(above) if above else min(start for start, _ in launched)
        found.update(name for at, name in launched if at == start)
    for row in report.view.files:  # a config no deployment holds (it could not be read)
        if row.kind in KIND_NAMES and _same_file(case, path, row.path):
            found.add(KIND_NAMES[row.kind])
    return found


def _check_case_servers(code: str, case: Path) -> set[str]:
    report = _checked(case)
    if report is None:
        return set()
    assert report.view is not None
    rule = BY_CODE[code]
    if rule.check is not None:
        return {
            server
            for dep in report.view.deployments
            if any(True for _ in rule.check(dep))
            for server in _deployment_servers(dep)
        }
    return {
        server
        for d in report.diagnostics
        if d.code == code
        for server in _servers_at(case, report, d.location.path, d.location.line)
    }


def _cause_case_servers(code: str, case: Path) -> set[str]:
    """The servers whose log lines are evidence of the cause ``code`` in ``gwlint diagnose``."""
    from gwlint.diagnose import events, reading
    from gwlint.diagnose.run import DiagnoseOptions, diagnosis

    real = reading.read
    sources: dict[tuple[str, int], str] = {}

    def read(*args: Any, **kwargs: Any) -> Iterator[events.Event]:
        for event in real(*args, **kwargs):
            sources[(event.path, event.line)] = event.source
            yield event

    names = sorted(p.name for p in case.iterdir() if p.is_file() and p.name not in META)
    with pytest.MonkeyPatch.context() as patch, chdir(case):
        patch.setattr(reading, "read", read)
        result = diagnosis(DiagnoseOptions(paths=names, isolated=True, tz="UTC")).diagnosis
    by_source = {
        events.NGINX_ERROR: "nginx",
        events.NGINX_ACCESS: "nginx",
        events.GUNICORN_ERROR: "gunicorn",
        events.GUNICORN_ACCESS: "gunicorn",
        events.UWSGI: "uwsgi",
        events.UVICORN: "uvicorn",
    }
    return {
        KIND_NAMES[by_source[sources[(line.path, line.line)]]]
        for cause in result.causes
        if cause.code == code
        for line in cause.evidence
        if (line.path, line.line) in sources
    }


@functools.cache
def proofs(code: str) -> dict[str, tuple[str, ...]]:
    """server -> the ``fires-*`` cases of ``code`` in which it takes part."""
    folder = FIXTURES / code
    cases = sorted(folder.glob("fires-*")) if folder.is_dir() else []
    servers_of: Callable[[str, Path], set[str]] = (
        _cause_case_servers if code.startswith("GW9") else _check_case_servers
    )
    found: dict[str, list[str]] = {}
    for case in cases:
        expected = case / "expected.txt"
        if not expected.is_file() or code not in expected.read_text():
            continue  # not written yet, or quiet: it proves nothing (test_fixtures says so)
        for server in servers_of(code, case):
            found.setdefault(server, []).append(case.name)
    return {server: tuple(names) for server, names in found.items()}


# --- the table ----------------------------------------------------------------------------------


def test_the_table_has_every_documented_code_and_only_known_servers() -> None:
    assert sorted(COVERS) == sorted(rule.code for rule in DOCUMENTED)
    for code, (proxies, apps) in COVERS.items():
        assert set(proxies) <= set(PROXIES), f"{code}: not a proxy: {set(proxies) - set(PROXIES)}"
        assert set(apps) <= set(APPS), f"{code}: not an app server: {set(apps) - set(APPS)}"
        assert list(proxies) == [p for p in PROXIES if p in proxies], f"{code}: proxies in order"
        assert list(apps) == [a for a in APPS if a in apps], f"{code}: app servers in order"
    for extra in (UNPROVEN, NOT_COVERED):
        for code, servers in extra.items():
            assert code in COVERS
            claimed = set(COVERS[code][0]) | set(COVERS[code][1])
            assert set(servers) <= set(PROXIES) | set(APPS), code
            assert not set(servers) & claimed, f"{code}: {set(servers) & claimed} also in COVERS"
    for code in set(UNPROVEN) & set(NOT_COVERED):
        assert not set(UNPROVEN[code]) & set(NOT_COVERED[code]), code


def test_servers_line(monkeypatch: pytest.MonkeyPatch) -> None:
    table = {
        "GW901": (("nginx", "Caddy"), ("gunicorn", "uWSGI")),
        "GW902": (("nginx",), ()),
        "GW903": ((), ("uvicorn",)),
        "GW904": ((), ()),
    }
    for code, entry in table.items():
        monkeypatch.setitem(COVERS, code, entry)
    assert servers_line("GW901") == "nginx, Caddy → gunicorn, uWSGI"
    assert servers_line("GW902") == "nginx"
    assert servers_line("GW903") == "uvicorn"
    assert servers_line("GW904") == "none"
    assert covers("GW000") == ((), ())


CLAIMED = [
    (code, server) for code, (proxies, apps) in COVERS.items() for server in (*proxies, *apps)
]


@pytest.mark.parametrize(("code", "server"), CLAIMED, ids=[f"{c}-{s}" for c, s in CLAIMED])
def test_every_claimed_pair_has_a_firing_fixture(code: str, server: str) -> None:
    found = proofs(code)
    seen = ", ".join(f"{name} ({len(cases)})" for name, cases in sorted(found.items()))
    assert server in found, (
        f"{code} × {server}: no fixtures/{code}/fires-* case fires {code} with {server} taking "
        f"part (servers in its firing cases: {seen or 'none'}); add such a case, or take "
        f"{server!r} out of COVERS[{code!r}] in {TABLE}"
    )


UNCHECKED = [rule.code for rule in DOCUMENTED if getattr(rule, "check", None) is None]


@pytest.mark.parametrize("code", UNCHECKED)
def test_a_server_a_problem_or_cause_points_at_is_in_the_table(code: str) -> None:
    """A loader's problem or a cause of diagnose is attributed by the file it points into (or
    the log its evidence is from): a server it is proven for is one it covers (a rule's check is
    attributed by deployment, which may hold servers the rule does not read)."""
    proxies, apps = COVERS[code]
    for server, cases in sorted(proofs(code).items()):
        assert server in {*proxies, *apps, *NOT_COVERED.get(code, {})}, (
            f"{code} × {server} is proven by fixtures/{code}/{cases[0]}: add {server!r} to "
            f"COVERS[{code!r}] in {TABLE} (and take it out of UNPROVEN[{code!r}])"
        )


UNPROVEN_PAIRS = [(code, server) for code, servers in UNPROVEN.items() for server in servers]


@pytest.mark.parametrize(
    ("code", "server"), UNPROVEN_PAIRS, ids=[f"{c}-{s}" for c, s in UNPROVEN_PAIRS]
)
def test_unproven_pairs_are_not_proven_yet(code: str, server: str) -> None:
    cases = proofs(code).get(server, ())
    assert not cases, (
        f"{code} × {server} is proven now by fixtures/{code}/{cases[0]}: move {server!r} from "
        f"UNPROVEN[{code!r}] into COVERS[{code!r}] in {TABLE}"
    )


# --- what the check functions name --------------------------------------------------------------

# shared wording (values, related locations): every rule calls it, it decides nothing
WORDING_MODULES = frozenset({"gwlint.rules.text", "gwlint.rules.base"})
_KIND_TEST = re.compile(
    r"\bkind\s*(?:==|!=)\s*\"(\w+)\"|\bkind\s+(?:not\s+)?in\s*(?:\(|\{|frozenset\(\{?)([^)}]*)"
)
_READS_NGINX = re.compile(
    r"\bdep\.nginx\b|\bdep\.routes\b|\bdep\.links\b|route_app_links\(|reaches_in_protocol\("
)
_READS_FRONT = re.compile(r"\bdep\.front\b|\bdep\.front_links\b|front_app_links\(")


def _code_objects(code: types.CodeType) -> Iterator[types.CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


def _called(function: types.FunctionType) -> Iterator[types.FunctionType]:
    """The functions of gwlint.rules a function names: its module's, and those it imports."""
    names = {name for code in _code_objects(function.__code__) for name in code.co_names}
    spaces = [function.__globals__]
    spaces += [vars(importlib.import_module(n)) for n in names if n.startswith("gwlint.rules.")]
    for name in names:
        for space in spaces:
            found = space.get(name)
            if (
                isinstance(found, types.FunctionType)
                and found.__module__.startswith("gwlint.rules.")
                and found.__module__ not in WORDING_MODULES
            ):
                yield found
                break


def check_source(check: Callable[..., Any]) -> str:
    """The source of a check function and of every function of gwlint.rules it calls, deep."""
    assert isinstance(check, types.FunctionType)
    seen: dict[types.FunctionType, None] = {}
    stack = [check]
    while stack:
        function = stack.pop()
        if function not in seen:
            seen[function] = None
            stack.extend(_called(function))
    return "\n".join(inspect.getsource(function) for function in seen)


def named_servers(source: str) -> set[str]:
    """The servers a check's code names: app kinds it compares, worker_kind (gunicorn's), nginx
    when it reads nginx's routes, Apache httpd and Caddy when it reads the front's."""
    kinds: set[str] = set()
    for found in _KIND_TEST.finditer(source):
        kinds.update([found.group(1)] if found.group(1) else re.findall(r'"(\w+)"', found.group(2)))
    names = {KIND_NAMES[kind] for kind in kinds if kind in KIND_NAMES}
    if "worker_kind" in source:
        names.add(KIND_NAMES["gunicorn"])
    if _READS_NGINX.search(source):
        names.add(KIND_NAMES["nginx"])
    if _READS_FRONT.search(source):
        names.update((KIND_NAMES["apache"], KIND_NAMES["caddy"]))
    return names


def _named_by(code: str) -> set[str]:
    check = BY_CODE[code].check
    assert check is not None
    return named_servers(check_source(check))


@pytest.mark.parametrize("code", [rule.code for rule in ALL_RULES if rule.check is not None])
def test_every_server_a_check_names_is_in_the_table(code: str) -> None:
    proxies, apps = COVERS[code]
    accounted = {*proxies, *apps, *UNPROVEN.get(code, {}), *NOT_COVERED.get(code, {})}
    missing = sorted(_named_by(code) - accounted)
    assert not missing, (
        f"{code}: its check names {', '.join(missing)}, which {TABLE} does not account for: "
        f"add each to COVERS[{code!r}] (with a firing fixture), to UNPROVEN[{code!r}] (handled, "
        f"no fixture yet) or to NOT_COVERED[{code!r}] (named, not covered: say why)"
    )


def test_the_source_reader_sees_the_checks() -> None:
    """The reader of the checks' code finds what is plainly there (else the test above would
    pass on nothing): GW102 compares uWSGI's harakiri with nginx's read timeout, GW604 reads
    nginx alone, GW201 reaches the front's routes and every app's idle limit through the
    functions it calls."""
    assert _named_by("GW102") == {"nginx", "uWSGI"}
    assert _named_by("GW604") == {"nginx"}
    assert {"nginx", "Apache httpd", "Caddy", "gunicorn", "uWSGI", "uvicorn"} <= _named_by("GW201")
