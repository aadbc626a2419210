"""Rule pages, generated from each rule's metadata: ``docs/rules/<CODE>.md`` and the index.

    python -m gwlint.reporters.docs            # rewrite docs/rules/
    python -m gwlint.reporters.docs --check    # exit 1 when docs/rules/ is stale

The *Example* section shows what gwlint reports on the example, produced by running it. The
causes of ``gwlint diagnose`` (GW9xx) have pages too, their examples made of logs, and
docs/diagnose.md is generated with them.
"""

from __future__ import annotations

import os
import sys
import tempfile
from contextlib import chdir
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gwlint.diagnose.causes import Diagnosis
    from gwlint.engine import Report, Request
    from gwlint.rules.base import Example, Rule
    from gwlint.rules.causes import CauseCode

HEADER = "<!-- Generated from gwlint's rule metadata by `python -m gwlint.reporters.docs`. -->"
LANG = {".py": "python", ".ini": "ini", ".conf": "nginx"}


def example_request(example: Example, folder: str) -> Request:
    """Write the example's files into ``folder`` and build the request its args describe.

    Paths in the request are relative to ``folder``.
    """
    from gwlint.config import CONFIG_NAMES
    from gwlint.engine import Request

    paths = []
    for name, content in example.files:
        path = os.path.join(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        Path(path).write_text(content)
        if "/" not in name and name not in CONFIG_NAMES:  # a configuration file is found
            paths.append(name)
    request = Request(paths=paths)
    args = list(example.args)
    while args:
        flag, value = args.pop(0), args.pop(0)
        if flag == "--cpus":
            request.cpus = int(value)
        elif flag == "--nginx-version":
            request.nginx_version = value
        elif flag == "--gunicorn-version":
            request.gunicorn_version = value
        elif flag == "--uwsgi-version":
            request.uwsgi_version = value
        elif flag == "--front":
            request.front = value
        elif flag == "--stop-timeout":
            request.stop_timeout = int(value)
        elif flag == "--somaxconn":
            request.somaxconn = int(value)
        elif flag == "--env":
            name, _, text = value.partition("=")
            request.env[name] = text
        elif flag == "--extend-select":
            request.extend_select.append(value)
        else:
            raise ValueError(f"unsupported example flag {flag}")
    return request


def check_example(example: Example, code: str) -> Report:
    """``gwlint check --select CODE`` on an example, run inside a scratch folder."""
    from gwlint.config import CONFIG_NAMES
    from gwlint.engine import lint

    with tempfile.TemporaryDirectory(prefix="gwlint-example-") as folder, chdir(folder):
        request = example_request(example, folder)
        request.select = [code]
        # no configuration file of the machine building the docs, unless the example has its
        # own (found in the scratch folder, as in a checkout)
        request.isolated = not any(name in CONFIG_NAMES for name, _ in example.files)
        return lint(request)


def run_example(example: Example, code: str) -> str:
    """What ``gwlint check --select CODE`` prints for an example, without the summary line."""
    from gwlint.reporters.text import render

    lines = render(check_example(example, code)).rstrip("\n").split("\n")
    return "\n".join(lines[:-1]).rstrip("\n")


def _files(example: Example) -> list[str]:
    from gwlint.config import CONFIG_NAMES

    out: list[str] = []
    for name, content in example.files:
        lang = LANG.get(Path(name).suffix, "")
        out += [f"`{name}`", "", f"```{lang}", content.rstrip("\n"), "```", ""]
    command = "gwlint check " + " ".join(
        n for n, _ in example.files if "/" not in n and n not in CONFIG_NAMES
    )
    if example.args:
        command += " " + " ".join(example.args)
    out += ["```console", f"$ {command}", "```", ""]
    return out


def _claims(rule: Rule) -> list[str]:
    """The rule's claims and their proof: a scenario of docs/evidence.md, or a source link."""
    from gwlint.reporters.evidence import describe, proof

    if not rule.claims:
        return []
    lines = ["## Evidence", ""]
    if any(c.observed for c in rule.claims):
        lines += [
            f"Seen on real servers: [docs/evidence.md](../evidence.md#{rule.code.lower()}).",
            "",
        ]
    lines += [f"- {describe(c)} ({proof(c, page='../evidence.md')})" for c in rule.claims]
    return [*lines, ""]


def servers(code: str) -> str:
    """The servers a rule covers, for its page: ``nginx → gunicorn, uWSGI`` (gwlint/rules/
    coverage.py); ``none`` for a problem of gwlint's own input."""
    from gwlint.rules.coverage import servers_line

    line = servers_line(code)
    return line if line != "none" else "none (a problem of gwlint's own input, not of a server)"


def _fix_line(code: str) -> list[str]:
    """``**Automatic fix:** ...`` and a blank line, for a rule ``gwlint check --fix`` fixes."""
    from gwlint.rules.fixes import fix_line

    line = fix_line(code)
    return [f"**Automatic fix** {line}", ""] if line is not None else []


def render_rule(rule: Rule, *, run: bool = True) -> str:
    """The rule's page; ``run``: with what gwlint reports on the example (runs it)."""
    from gwlint.rules.causes import CauseCode

    if isinstance(rule, CauseCode):
        return render_cause(rule, run=run)
    reports = run_example(rule.example, rule.code) if run else ""
    lines = [
        HEADER,
        "",
        f"# {rule.code}: {rule.title}",
        "",
        f"**Servers:** {servers(rule.code)}",
        "",
        *_fix_line(rule.code),
        f"- Name: `{rule.name}`",
        f"- Default severity: **{rule.severity.value}**",
        f"- Family: {rule.family}",
        "",
        "## Why it matters",
        "",
        rule.why,
        "",
        *_claims(rule),
        "## Example",
        "",
        *_files(rule.example),
        *(
            [
                f"gwlint reports ({rule.code} only):",
                "",
                "```text",
                reports or "(nothing)",
                "```",
                "",
            ]
            if run
            else []
        ),
        "## Fix",
        "",
        *_files(rule.fix),
        "## References",
        "",
        *[f"- <{reference}>" for reference in rule.references],
        "",
    ]
    return "\n".join(lines)


# --- gwlint diagnose: the GW9xx pages and docs/diagnose.md ------------------------------------

LOG_NAMES = {".log": "text"}


def diagnose_example(example: Example) -> Diagnosis:
    """``gwlint diagnose`` on an example's log files (and configs), in a scratch folder: no
    configuration file, times in UTC."""
    from gwlint.diagnose.run import DiagnoseOptions, diagnosis

    with tempfile.TemporaryDirectory(prefix="gwlint-example-") as folder, chdir(folder):
        names = []
        for name, content in example.files:
            path = os.path.join(folder, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            Path(path).write_text(content)
            if "/" not in name:
                names.append(name)
        if example.args:
            raise ValueError(f"a cause's example takes no flags: {example.args}")
        options = DiagnoseOptions(paths=names, isolated=True, tz="UTC")
        return diagnosis(options).diagnosis


def run_diagnose_example(example: Example, code: str | None = None) -> str:
    """What ``gwlint diagnose`` prints on an example (``code``: that cause's block only),
    without the summary line."""
    from gwlint.reporters.diagnosis import render_text

    text = render_text(diagnose_example(example)).rstrip("\n")
    blocks = [b for b in text.split("\n\n")[:-1] if code is None or b.startswith(code + " ")]
    return "\n\n".join(blocks)


def _log_files(example: Example, command: str = "gwlint diagnose") -> list[str]:
    out: list[str] = []
    for name, content in example.files:
        lang = LANG.get(Path(name).suffix, "text")
        out += [f"`{name}`", "", f"```{lang}", content.rstrip("\n"), "```", ""]
    names = " ".join(n for n, _ in example.files if "/" not in n)
    out += ["```console", f"$ {command} {names}", "```", ""]
    return out


def render_cause(cause: CauseCode, *, run: bool = True) -> str:
    """A GW9xx page: a cause ``gwlint diagnose`` reports, with logs for its example and fix."""
    reports = run_diagnose_example(cause.example, cause.code) if run else ""
    lines = [
        HEADER,
        "",
        f"# {cause.code}: {cause.title}",
        "",
        f"**Servers:** {servers(cause.code)} (the logs it reads)",
        "",
        f"- Name: `{cause.name}`",
        f"- Default severity: **{cause.severity.value}**",
        f"- Family: {cause.family} (reported by `gwlint diagnose` from logs, never by `gwlint "
        "check`; see [docs/diagnose.md](../diagnose.md))",
        "",
        "## Why it matters",
        "",
        cause.why,
        "",
        *_claims(cause),
        "## Example",
        "",
        *_log_files(cause.example),
        *(
            [
                f"gwlint diagnose reports ({cause.code} only):",
                "",
                "```text",
                reports or "(nothing)",
                "```",
                "",
            ]
            if run
            else []
        ),
        "## Fix",
        "",
        cause.advice[0].upper() + cause.advice[1:] + ".",
        "",
        f"The same logs once it is fixed: `gwlint diagnose` reports no {cause.code}.",
        "",
        *_log_files(cause.fix),
        "## References",
        "",
        *[f"- <{reference}>" for reference in cause.references],
        "",
    ]
    return "\n".join(lines)


def render_diagnose() -> str:
    """docs/diagnose.md: what ``gwlint diagnose`` reads, the lines it knows (the signature
    catalogue of ``reading.SIGNATURES``), how it tells the causes apart, and what it prints."""
    from gwlint.reporters import diagnose_docs

    return diagnose_docs.render()


def render_index(rules: tuple[Rule, ...]) -> str:
    lines = [
        HEADER,
        "",
        "# gwlint rules",
        "",
        "*Servers*: the proxies in front → the app servers behind whose configs (for the causes "
        "of `gwlint diagnose`, whose logs) the rule reads; one side alone when it reads only "
        "that side.",
        "",
        "| Code | Title | Servers | Default severity | Family |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in rules:
        lines.append(
            f"| [{rule.code}]({rule.code}.md) | {rule.title} | {_servers_cell(rule.code)} | "
            f"{rule.severity.value} | {rule.family} |"
        )
    return "\n".join(lines) + "\n"


def render_readme_table(rules: tuple[Rule, ...]) -> str:
    """The rule table between the README's ``rules-table`` markers."""
    lines = ["| Code | Title | Servers | Default severity |", "| --- | --- | --- | --- |"]
    for rule in rules:
        lines.append(
            f"| [{rule.code}](docs/rules/{rule.code}.md) | {rule.title} | "
            f"{_servers_cell(rule.code)} | {rule.severity.value} |"
        )
    return "\n".join(lines) + "\n"


def _servers_cell(code: str) -> str:
    """The servers of a rule in a table: ``nginx → gunicorn, uWSGI``; ``—`` for none."""
    from gwlint.rules.coverage import servers_line

    line = servers_line(code)
    return line if line != "none" else "—"


def _readme(text: str) -> str:
    from gwlint.rules import ALL_RULES

    start, end = "<!-- rules-table:start -->\n", "<!-- rules-table:end -->"
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    return f"{head}{start}{render_readme_table(ALL_RULES)}{end}{tail}"


def expected_pages() -> dict[str, str]:
    from gwlint.rules import DOCUMENTED

    pages = {f"{rule.code}.md": render_rule(rule) for rule in DOCUMENTED}
    pages["index.md"] = render_index(DOCUMENTED)
    return pages


def expected_evidence() -> str:
    from gwlint.reporters.evidence import load, render
    from gwlint.rules import ALL_RULES

    return render(ALL_RULES, load())


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parents[2]
    folder = root / "docs" / "rules"
    pages = expected_pages()
    stale = [
        name
        for name, text in pages.items()
        if not (folder / name).is_file() or (folder / name).read_text() != text
    ]
    extra = sorted(p.name for p in folder.glob("*.md") if p.name not in pages)
    readme = root / "README.md"
    readme_text = _readme(readme.read_text())
    readme_stale = readme_text != readme.read_text()
    evidence = root / "docs" / "evidence.md"
    evidence_text = expected_evidence()
    evidence_stale = not evidence.is_file() or evidence.read_text() != evidence_text
    generated = _generated(root)  # the man page and the configuration's JSON Schema
    generated_stale = [p for p, text in generated.items() if _stale(p, text)]
    if "--check" in argv:
        for name in [*stale, *extra]:
            print(f"stale: docs/rules/{name}")
        if readme_stale:
            print("stale: README.md rules table")
        if evidence_stale:
            print("stale: docs/evidence.md")
        for path in generated_stale:
            print(f"stale: {path.relative_to(root).as_posix()}")
        return 1 if stale or extra or readme_stale or evidence_stale or generated_stale else 0
    if evidence_stale:
        evidence.write_text(evidence_text)
    folder.mkdir(parents=True, exist_ok=True)
    for name in stale:
        (folder / name).write_text(pages[name])
    for name in extra:
        (folder / name).unlink()
    if readme_stale:
        readme.write_text(readme_text)
    for path in generated_stale:
        path.write_text(generated[path], encoding="utf-8")
        print(f"written: {path.relative_to(root).as_posix()}")
    print(
        f"docs/rules: {len(stale)} written, {len(extra)} removed; README table updated: "
        f"{readme_stale}"
    )
    return 0


def _generated(root: Path) -> dict[Path, str]:
    """The other files generated with the rule pages: the man page (from the command-line
    help) and the configuration's JSON Schema (from its model)."""
    from gwlint.reporters import manpage, schema

    return {
        root / "docs" / "gwlint.1": manpage.expected(),
        root / "docs" / "gwlint.schema.json": schema.expected(),
        root / "docs" / "diagnose.md": render_diagnose(),
    }


def _stale(path: Path, text: str) -> bool:
    return not path.is_file() or path.read_text(encoding="utf-8") != text


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
