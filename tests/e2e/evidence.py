"""What the end-to-end scenarios observed, kept in docs/evidence.json.

The file is written only on request (``GWLINT_WRITE_EVIDENCE=1``, or ``python
tests/e2e/write_evidence.py``) and only after a full, green run of the suite in which every
scenario named by a rule's claims ran; docs/evidence.md is rendered from it and the rules' claims
(``gwlint/reporters/evidence.py``). Log lines lose their times, PIDs, ports and the lab's folder
(uWSGI's packet sizes still follow the folder name's length); durations and counts, which vary,
are kept to ``measured``.

With it, the real logs of every scenario whose client got a 5xx (or 499), and the configs as they
were when that happened, are kept in fixtures/diagnose/<scenario id>/ (``Kept``, collected by
tests/e2e/scenario.py ``keep``), for ``gwlint diagnose`` (tests/test_diagnose_lab.py).
"""

from __future__ import annotations

import json
import platform
import re
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tests.e2e.harness import Tools


@dataclass
class Observation:
    id: str  # the scenario's id: the ``observed=`` of the rule's claims it checks
    code: str
    variant: str  # what sets this run apart from the rule's other runs ("tcp", "unix", ...)
    scenario: str  # the configuration, in a sentence
    servers: str  # "nginx 1.31.3, gunicorn 27.0.1 (sync worker)"
    nginx_version: str  # passed to gwlint as --nginx-version
    gwlint: str  # what gwlint reported (or "quiet"), normalised
    request: str  # the triggering request
    predicted: str  # the status the rule's docs predict
    observed: str  # the status nginx's client got
    logs: list[tuple[str, str]]  # (which log, the line observed), normalised
    fix: str  # the fix applied, as gwlint worded it
    fixed: str  # what the same request got after the fix
    measured: str = ""  # durations, counts: vary from run to run


ROOT = Path(__file__).resolve().parents[2]
KEPT = ROOT / "fixtures" / "diagnose"
KEPT_STATUS = re.compile(r"^(?:5\d\d|499)\b")  # what ``gwlint diagnose`` explains
KEPT_ALSO = ("mixed",)  # kept scenarios that are no rule's claim (tests/e2e/test_lab_mixed.py)
KEPT_README = """\
# The lab's real logs, for `gwlint diagnose`

Written by `python tests/e2e/write_evidence.py` (with docs/evidence.json): one folder per scenario
of the end-to-end lab (tests/e2e) whose client got a 5xx or a 499, and the mixed scenario
(tests/e2e/test_lab_mixed.py). Each holds:

- `logs/`: the servers' logs of that scenario, as the servers wrote them (nginx's error log at
  level `info`, its access log in `combined`, and each app server's output); only the lab's
  temporary folder is renamed `/lab`, and a log over 200 KB is cut at a line (scenario.json says
  so);
- the config files as they were when the failure happened, before gwlint's fix was applied;
- `scenario.json`: the scenario, its rule code, what the client got, the servers and their
  versions, and the requests made before and after the fix.

tests/test_diagnose_lab.py runs `gwlint diagnose` on each folder. Do not edit by hand.
"""


@dataclass
class Kept:
    """One scenario's logs and configs, for fixtures/diagnose/<id>/."""

    id: str
    files: dict[str, bytes]  # path relative to the scenario's folder -> content
    about: dict[str, Any]  # scenario.json


@dataclass
class Evidence:
    tools: Tools
    observations: list[Observation] = field(default_factory=list)
    kept: dict[str, Kept] = field(default_factory=dict)
    # scenarios whose logs are not kept on purpose: Apache httpd's and Caddy's, which `gwlint
    # diagnose` does not read yet
    unkept: set[str] = field(default_factory=set)

    def add(self, observation: Observation) -> None:
        self.observations.append(observation)

    def keep(self, kept: Kept) -> None:
        assert kept.id not in self.kept, f"{kept.id} kept twice"
        self.kept[kept.id] = kept

    def write_kept(self, folder: Path = KEPT) -> None:
        """Replace ``folder`` by the kept scenarios (written beside it first, then swapped)."""
        wanted = {
            o.id
            for o in self.observations
            if KEPT_STATUS.match(o.observed) and o.id not in self.unkept
        }
        missing = sorted(wanted.union(KEPT_ALSO) - set(self.kept))
        assert not missing, f"no logs kept for {missing}: see tests/e2e/scenario.py keep()"
        new = folder.with_name(f".{folder.name}.new")
        shutil.rmtree(new, ignore_errors=True)
        new.mkdir(parents=True)
        (new / "README.md").write_text(KEPT_README)
        for kept in sorted(self.kept.values(), key=lambda k: k.id):
            here = new / kept.id
            for name, content in kept.files.items():
                (here / name).parent.mkdir(parents=True, exist_ok=True)
                (here / name).write_bytes(content)
            about = json.dumps(kept.about, indent=1, ensure_ascii=False) + "\n"
            (here / "scenario.json").write_text(about)
        shutil.rmtree(folder, ignore_errors=True)
        new.rename(folder)

    def ids(self) -> set[str]:
        return {o.id for o in self.observations}

    def write(self, path: Path) -> None:
        """docs/evidence.json at ``path``, and the kept logs (``write_kept``) first: neither is
        written when a scenario that should have kept its logs did not."""
        self.write_kept()
        tools = self.tools
        servers = [{"server": "nginx", "version": tools.nginx.banner, "from": tools.nginx.origin}]
        if tools.old_nginx is not None and any(
            tools.old_nginx.version in o.servers for o in self.observations
        ):
            old = tools.old_nginx
            servers.append(
                {"server": "nginx (before 1.29.7)", "version": old.banner, "from": old.origin}
            )
        known = {tools.nginx.version, *([tools.old_nginx.version] if tools.old_nginx else [])}
        built = sorted({o.nginx_version for o in self.observations} - known)
        servers += [
            {
                "server": f"nginx {version}",
                "version": f"nginx version: nginx/{version}",
                "from": f"built from nginx's release-{version} tag (tests/e2e/build_nginx.sh)",
            }
            for version in built
        ]
        servers += [
            {"server": "gunicorn", "version": tools.gunicorn_banner, "from": "PyPI gunicorn"},
            {"server": "uWSGI", "version": tools.uwsgi_banner, "from": "PyPI pyuwsgi"},
            *tools.more_servers(),
            {"server": "Python", "version": platform.python_version(), "from": ""},
        ]
        observations = sorted((asdict(o) for o in self.observations), key=lambda o: o["id"])
        data = {"servers": servers, "observations": observations}
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")


_CLEAN = [
    (re.compile(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d "), ""),  # nginx's time
    (re.compile(r"\b\d+#\d+: \*\d+ "), ""),  # nginx's pid#tid: *connection
    (re.compile(r"\b\d+#\d+: "), ""),
    (re.compile(r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\] \[\d+\] "), ""),  # gunicorn's
    (re.compile(r"^\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4} - "), ""),  # uWSGI's time
    (re.compile(r"\(pid: ?\d+"), lambda m: m.group(0).rstrip("0123456789") + "N"),
    (re.compile(r"\b127\.0\.0\.1:\d{2,5}\b"), "127.0.0.1:PORT"),
    (re.compile(r"\bconn=127\.0\.0\.1:PORT"), "conn=127.0.0.1:PORT"),
]


def normalise(text: str, *roots: Path) -> str:
    """A log line or message without what changes from run to run: times, PIDs, ports, the
    lab's temporary folder (``$LAB``)."""
    text = text.strip()
    for root in sorted(roots, key=lambda r: -len(str(r))):
        text = text.replace(str(root), "$LAB")
    for pattern, repl in _CLEAN:
        text = pattern.sub(repl, text)  # type: ignore[arg-type]
    return text
