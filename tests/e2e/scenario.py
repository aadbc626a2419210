"""What every scenario of the lab shares: writing a deployment (``site``), linting it, checking the
rule's structured claims (``claimed``) and recording what was observed (``record``) for
docs/evidence.json. A scenario's id is the ``observed=`` of the rule's claims it checks."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gwlint.rules import ALL_RULES
from tests.e2e.evidence import Evidence, Observation, normalise
from tests.e2e.harness import (
    Lab,
    Nginx,
    Proc,
    Reply,
    free_port,
    lint,
    log_line,
    nginx_conf,
    request,
    uwsgi_ini,
    write,
)

RULES = {rule.code: rule for rule in ALL_RULES}
UWSGI_PASS = "include uwsgi_params;\nuwsgi_pass 127.0.0.1:{app};"
IN = "\n" + " " * 12  # a new line inside a location of the lab's nginx.conf


def flat(text: str) -> str:
    return " ".join(text.replace("`", "").split())


def claimed(code: str, scenario: str, status: int | None = None, *logs: str) -> str:
    """The rule's claims observed by ``scenario``: fails unless they are exactly ``status`` and
    the log lines ``logs`` (what the test then checks), so the test checks the rule's own claim.
    Returns the status, as the evidence shows it."""
    claims = [c for c in RULES[code].claims if c.observed == scenario]
    assert claims, f"{code} has no claim observed by {scenario!r}"
    statuses = {c.status for c in claims if c.status is not None}
    assert statuses == ({status} if status is not None else set()), (code, scenario, statuses)
    lines = {c.log for c in claims if c.log}
    assert lines == set(logs), f"{code}'s claims for {scenario}: {sorted(lines)} != {sorted(logs)}"
    outcomes = [c.outcome for c in claims if c.outcome]
    return "; ".join([str(status)] * (status is not None) + outcomes)


def _check_claims(code: str, scenario: str, observed: str, logs: list[tuple[str, str]]) -> None:
    """What was observed against the rule's structured claims for ``scenario``."""
    claims = [c for c in RULES[code].claims if c.observed == scenario]
    assert claims, f"{code} has no claim observed by {scenario!r}"
    for c in claims:
        if c.status is not None:
            assert observed.startswith(str(c.status)), (code, scenario, c.status, observed)
        if c.log:
            found = [line for where, line in logs if c.log in line and c.where in where]
            assert found, f"{code} claims {c.where}: {c.log!r}; observed {logs}"


def fix_of(diagnostic: dict[str, Any], pattern: str) -> re.Match[str]:
    """gwlint's fix text, which the test then applies: it must still say this."""
    found = re.search(pattern, diagnostic["fix"])
    assert found, f"{diagnostic['code']}'s fix changed: {diagnostic['fix']!r}"
    return found


@dataclass
class Site:
    """One deployment of a scenario: its folder, nginx's port and the app's address."""

    lab: Lab
    folder: Path
    port: int
    app: int
    nginx: Nginx

    def lint(self, code: str, *files: str) -> list[dict[str, Any]]:
        return lint(self.folder, code, *files, nginx=self.nginx, tools=self.lab.tools)

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.folder / name
        text = path.read_text()
        assert text.count(old) == 1, f"{name}: {old!r} found {text.count(old)} times in\n{text}"
        path.write_text(text.replace(old, new))

    def start_nginx(self) -> Proc:
        return self.lab.nginx(self.folder, old=self.nginx is not self.lab.tools.nginx)

    def get(self, path: str = "/", **kwargs: Any) -> Reply:
        return request(self.port, "GET", path, **kwargs)

    def nginx_log(self, text: str) -> str:
        return log_line(self.folder / "logs" / "nginx-error.log", text)

    def nginx_log_any(self, *texts: str) -> str:
        """The first error-log line with one of ``texts`` (nginx words one failure in more than
        one way, depending on timing)."""
        log = self.folder / "logs" / "nginx-error.log"
        deadline = time.monotonic() + 5
        while True:
            text = log.read_text()
            found = [ln for ln in text.splitlines() if any(t in ln for t in texts)]
            if found:
                return found[0]
            if time.monotonic() > deadline:
                raise AssertionError(f"no line with any of {texts} in {log}:\n{text[-2000:]}")
            time.sleep(0.05)


def site(lab: Lab, name: str, locations: str, files: dict[str, str], *, old: bool = False) -> Site:
    """Write a deployment: nginx.conf around ``locations`` (and the http-level ``upstreams`` of
    ``files``) and the app server's ``files``; ``{app}`` (the app's port), ``{port}`` (nginx's)
    and ``{folder}`` are filled in. ``old``: for the nginx before 1.29.7."""
    nginx = lab.tools.need_old_nginx() if old else lab.tools.nginx
    folder = lab.folder(name)
    s = Site(lab, folder, free_port(), free_port(), nginx)
    values = {"app": s.app, "port": s.port, "folder": folder}
    files = dict(files)
    upstreams = files.pop("upstreams", "")
    text = {
        "nginx.conf": nginx_conf(
            folder, s.port, locations.format(**values), upstreams.format(**values)
        )
    }
    for file, content in files.items():
        content = content.format(**values)
        text[file] = uwsgi_ini(folder, content) if file == "uwsgi.ini" else content
    write(folder, text)
    return s


def servers(lab: Lab, nginx: Nginx, app: str) -> str:
    tools = lab.tools
    name, _, detail = app.partition(" ")
    versions = {"gunicorn": tools.gunicorn_version, "uvicorn": tools.uvicorn_version}
    version = versions.get(name, tools.uwsgi_version)
    return f"nginx {nginx.version}, {name} {version}" + (f" {detail}" if detail else "")


def record(
    evidence: Evidence,
    lab: Lab,
    *,
    id: str,
    code: str,
    variant: str,
    scenario: str,
    app: str,
    nginx: Nginx,
    diagnostic: dict[str, Any] | None,
    request_: str,
    predicted_: str,
    reply: Reply | str,
    logs: list[tuple[str, str]],
    fix: str,
    fixed: str,
    measured: str = "",
) -> None:
    observed = reply if isinstance(reply, str) else str(reply.status)
    _check_claims(code, id, observed, logs)
    evidence.add(
        Observation(
            id=id,
            code=code,
            variant=variant,
            scenario=scenario,
            servers=servers(lab, nginx, app),
            nginx_version=nginx.version,
            gwlint=normalise(
                f"{code} [{diagnostic['severity']}] {diagnostic['message']}"
                if diagnostic
                else "quiet",
                lab.root,
            ),
            request=request_,
            predicted=predicted_,
            observed=observed,
            logs=[(where, normalise(line, lab.root)) for where, line in logs],
            fix=normalise(fix, lab.root),
            fixed=normalise(fixed, lab.root),
            measured=measured,
        )
    )


def one(diagnostics: list[dict[str, Any]], code: str) -> dict[str, Any]:
    assert [d["code"] for d in diagnostics] == [code], diagnostics
    return diagnostics[0]
