"""What every scenario of the lab shares: writing a deployment (``site``), linting it, checking the
rule's structured claims (``claimed``) and recording what was observed (``record``) for
docs/evidence.json. A scenario's id is the ``observed=`` of the rule's claims it checks.

``record`` also keeps the real logs of a scenario whose client got a 5xx or a 499, with the
configs as they were when that happened (``keep``), for fixtures/diagnose/."""

from __future__ import annotations

import datetime
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gwlint.rules import ALL_RULES
from tests.e2e.evidence import KEPT_STATUS, Evidence, Kept, Observation, normalise
from tests.e2e.harness import (
    LINTED,
    MORE_SERVERS,
    SENT,
    Lab,
    Nginx,
    Proc,
    Reply,
    Server,
    Snapshot,
    config_files,
    fix,
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

    def fix(self, code: str, *files: str) -> list[dict[str, Any]]:
        """``gwlint check --fix``: gwlint's own edits of the files, as a user applies them."""
        return fix(self.folder, code, *files, nginx=self.nginx, tools=self.lab.tools)

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


def servers(lab: Lab, nginx: Nginx, app: str, front: Server | None = None) -> str:
    """``nginx 1.31.3, gunicorn 27.0.1 (sync worker)``; ``front``: the proxy when it is not
    nginx (Apache httpd, Caddy: tests/e2e/fronts.py)."""
    tools = lab.tools
    name, _, detail = app.partition(" ")
    versions = {"gunicorn": tools.gunicorn_version, "uvicorn": tools.uvicorn_version}
    versions.update({key: server.version for key, server in MORE_SERVERS.items()})
    version = versions.get(name, tools.uwsgi_version)
    proxy = front.label if front is not None else f"nginx {nginx.version}"
    return f"{proxy}, {name} {version}" + (f" {detail}" if detail else "")


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
    front: Server | None = None,
    folder: Path | None = None,
) -> None:
    """``front``: the proxy, when it is not nginx (``nginx`` is then only the version gwlint
    was given); ``folder``: the deployment that failed, when neither ``reply`` nor the log
    lines tell (``keep``)."""
    observed = reply if isinstance(reply, str) else str(reply.status)
    _check_claims(code, id, observed, logs)
    # the logs of a scenario are kept for `gwlint diagnose`'s tests (fixtures/diagnose/), which
    # reads nginx's and the app servers' logs, not yet Apache httpd's or Caddy's
    if front is not None:
        evidence.unkept.add(id)
    elif KEPT_STATUS.match(observed):
        keep(
            evidence,
            lab,
            id=id,
            code=code,
            observed=observed,
            app=app,
            nginx=nginx,
            reply=reply,
            logs=logs,
            about={"request": request_, "fix": normalise(fix, lab.root), "fixed": fixed},
            front=front,
            folder=folder,
        )
    evidence.add(
        Observation(
            id=id,
            code=code,
            variant=variant,
            scenario=scenario,
            servers=servers(lab, nginx, app, front),
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


# ---------------------------------------------------------------------------------------------
# the logs a scenario keeps, for ``gwlint diagnose``: fixtures/diagnose/, tests/test_diagnose_lab.py

LAB_ROOT = "/lab"  # the lab's temporary folder, as the kept logs and configs name it
MAX_LOG = 200_000  # bytes of a log kept; a longer one is cut at a line
NOT_KEPT_LOGS = frozenset({"shim.log"})  # the lab's loopback relay: no server of a deployment
_ACCESS_TIME = re.compile(
    rb'^\S+ \S+ \S+ \[(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\] "[^"]*" (\d{3}) '
)


def _failed(status: int | str) -> bool:
    return KEPT_STATUS.match(str(status)) is not None


def _iso(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).isoformat(timespec="milliseconds")


def _log_files(folder: Path) -> list[Path]:
    logs = folder / "logs"
    if not logs.is_dir():
        return []
    return sorted(p for p in logs.iterdir() if p.is_file() and p.name not in NOT_KEPT_LOGS)


def _folder_of(lab: Lab, reply: Reply | str | None, logs: list[tuple[str, str]]) -> Path | None:
    """The folder of the deployment that failed: where the failing request was sent, else the
    folder whose logs hold the lines the scenario observed, else the only one that served a 5xx."""
    if isinstance(reply, Reply) and reply.port in lab.ports:
        return lab.ports[reply.port]
    folders = sorted({*lab.ports.values(), *lab.snapshots})
    lines = [line.strip() for _, line in logs if line.strip()]
    if lines:
        texts = {f: [p.read_text(errors="replace") for p in _log_files(f)] for f in folders}
        score = {f: sum(any(ln in t for t in texts[f]) for ln in lines) for f in folders}
        best = max(score.values(), default=0)
        top = [f for f in folders if score[f] == best]
        if best and len(top) == 1:
            return top[0]
    served = [f for f in folders if _access_failures(f, 0)]
    if len(served) == 1:
        return served[0]
    return folders[0] if len(folders) == 1 else None


def _access_failures(folder: Path, offset: int) -> list[float]:
    """The times (whole seconds) of the 5xx/499 in the folder's access log, after ``offset``."""
    path = folder / "logs" / "nginx-access.log"
    if not path.is_file():
        return []
    times = []
    for line in path.read_bytes()[offset:].splitlines():
        found = _ACCESS_TIME.match(line)
        if found and _failed(found.group(2).decode()):
            when = datetime.datetime.strptime(found.group(1).decode(), "%d/%b/%Y:%H:%M:%S %z")
            times.append(when.timestamp())
    return times


def _failed_at(lab: Lab, folder: Path, reply: Reply | str | None) -> float | None:
    """When the failure happened: the failing request's time when it is known (``request()``
    notes each), else the first 5xx/499 of the folder's access log after the logs kept last
    (whole seconds: the configs in effect a second before are taken)."""
    if isinstance(reply, Reply) and reply.started:
        return reply.started
    since, offsets = lab.kept.get(folder, [(0.0, {})])[-1]
    ports = {port for port, f in lab.ports.items() if f == folder}
    failing = [s.started for s in SENT if s.port in ports and _failed(s.status)]
    if failing:
        return min([t for t in failing if t >= since] or failing)
    failures = _access_failures(folder, offsets.get("nginx-access.log", 0)) or _access_failures(
        folder, 0
    )
    return failures[0] if failures else None


def _settle(folder: Path, offset: int, since: float) -> None:
    """Wait (3 s at most) until nginx's access log has a line for each request ``request()``
    sent to the folder's nginx since ``since``: nginx writes it after the answer is sent."""
    conf = folder / "nginx.conf"
    found = re.search(r"listen 127\.0\.0\.1:(\d+);", conf.read_text()) if conf.is_file() else None
    if found is None:
        return
    port = int(found.group(1))
    sent = sum(1 for s in SENT if s.port == port and s.started >= since)
    access = folder / "logs" / "nginx-access.log"
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        logged = access.read_bytes()[offset:].count(b"\n") if access.is_file() else 0
        if logged >= sent:
            return
        time.sleep(0.05)


def _in_effect(snapshots: list[Snapshot], when: float) -> Snapshot | None:
    before = [s for s in snapshots if s.time <= when]
    return before[-1] if before else None


def keep(
    evidence: Evidence,
    lab: Lab,
    *,
    id: str,
    code: str,
    observed: str,
    app: str,
    nginx: Nginx,
    reply: Reply | str | None = None,
    logs: list[tuple[str, str]] | None = None,
    folder: Path | None = None,
    about: dict[str, Any] | None = None,
    front: Server | None = None,
) -> None:
    """Keep the logs of the scenario ``id`` (those written since the logs of its folder were
    last kept before the failure) and its folder's config files as they were when the failure
    happened: as the last server started before the failing request (``reply``) read them."""
    folder = folder or _folder_of(lab, reply, logs or [])
    if folder is None:
        return  # not known: Evidence.write_kept names the scenario when the evidence is written
    failed_at = _failed_at(lab, folder, reply)
    kept_before = [k for k in lab.kept.get(folder, []) if failed_at is None or k[0] <= failed_at]
    since, offsets = kept_before[-1] if kept_before else (0.0, {})
    snapshots = lab.snapshots.get(folder, [])
    snapshot = _in_effect(snapshots, failed_at) if failed_at is not None else None
    if snapshot is None:  # no server started before it: the first one after the logs kept last
        later = [s for s in snapshots if s.time >= since]
        snapshot = later[0] if later else Snapshot(time.time(), config_files(folder))
    roots = sorted({str(lab.root), str(lab.root.resolve())}, key=len, reverse=True)

    def clean(data: bytes) -> bytes:
        for root in roots:
            data = data.replace(root.encode(), LAB_ROOT.encode())
        return data

    files = {name: clean(content) for name, content in snapshot.files.items()}
    _settle(folder, offsets.get("nginx-access.log", 0), since)
    sizes: dict[str, int] = {}
    kept_logs: dict[str, dict[str, Any]] = {}
    for path in _log_files(folder):
        data = path.read_bytes()
        sizes[path.name] = len(data)
        data = clean(data[offsets.get(path.name, 0) :])
        if not data:
            continue
        described: dict[str, Any] = {"bytes": len(data)}
        if len(data) > MAX_LOG:
            data = data[: data.rfind(b"\n", 0, MAX_LOG) + 1]
            described = {
                "bytes": len(data),
                "cut": f"the first {len(data)} of {described['bytes']} bytes",
            }
        described["lines"] = data.count(b"\n")
        files[f"logs/{path.name}"] = data
        kept_logs[path.name] = described
    lab.kept.setdefault(folder, []).append((time.time(), sizes))

    ports = {port for port, f in lab.ports.items() if f == folder}
    sent = [s for s in SENT if s.port in ports and s.started >= since]
    requests: Counter[tuple[str, str, int | str]] = Counter()
    for s in sent:  # the configs each request met: these, those before, or the fix
        in_effect = _in_effect(snapshots, s.started)
        if in_effect is None or in_effect.files == snapshot.files:
            phase = "these configs"
        elif failed_at is not None and s.started > failed_at:
            phase = "after the fix"
        else:
            phase = "earlier configs"
        requests[(phase, f"{s.method} {s.path}", s.status)] += 1
    tools = lab.tools
    evidence.keep(
        Kept(
            id=id,
            files=files,
            about={
                "id": id,
                "code": code,
                "observed": observed,
                "status": int(KEPT_STATUS.match(observed).group(0)),  # type: ignore[union-attr]
                "servers": servers(lab, nginx, app, front),
                "versions": {
                    "nginx": nginx.version,
                    "gunicorn": tools.gunicorn_version,
                    "uwsgi": tools.uwsgi_version,
                    **({"uvicorn": tools.uvicorn_version} if tools.uvicorn_version else {}),
                    **{
                        server.key: server.version
                        for server in (front, MORE_SERVERS.get(app.partition(" ")[0]))
                        if server is not None
                    },
                },
                "nginx": {"banner": nginx.banner, "from": nginx.origin},
                **(
                    {"front": {"server": front.name, "banner": front.banner, "from": front.origin}}
                    if front is not None
                    else {}
                ),
                "folder": f"{LAB_ROOT}/{folder.relative_to(lab.root)}",
                "failed_at": _iso(failed_at) if failed_at is not None else None,
                "configs": sorted(snapshot.files),
                "configs_as_of": _iso(snapshot.time),
                "linted": sorted(LINTED.get(folder, ())),
                "logs": kept_logs,
                "requests": [
                    {"phase": phase, "request": req, "status": status, "count": n}
                    for (phase, req, status), n in list(requests.items())[:50]
                ],
                **(about or {}),
            },
        )
    )
