"""Rule pages, generated from each rule's metadata: ``docs/rules/<CODE>.md`` and the index.

    python -m gwlint.reporters.docs            # rewrite docs/rules/
    python -m gwlint.reporters.docs --check    # exit 1 when docs/rules/ is stale

The *Example* section shows what gwlint reports on the example, produced by running it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gwlint.engine import Request
    from gwlint.rules.base import Example, Rule

HEADER = "<!-- Generated from gwlint's rule metadata by `python -m gwlint.reporters.docs`. -->"
LANG = {".py": "python", ".ini": "ini", ".conf": "nginx"}


def example_request(example: Example, folder: str) -> Request:
    """Write the example's files into ``folder`` and build the request its args describe."""
    from gwlint.engine import Request

    paths = []
    for name, content in example.files:
        path = os.path.join(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        Path(path).write_text(content)
        if "/" not in name:
            paths.append(path)
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
        elif flag == "--env":
            name, _, text = value.partition("=")
            request.env[name] = text
        else:
            raise ValueError(f"unsupported example flag {flag}")
    return request


def run_example(example: Example, code: str) -> str:
    """What ``gwlint check --select CODE`` prints for an example, paths relative to its folder."""
    from gwlint.engine import lint
    from gwlint.reporters.text import render

    with tempfile.TemporaryDirectory(prefix="gwlint-example-") as folder:
        request = example_request(example, folder)
        request.select = [code]
        report = lint(request)
        text = render(report).replace(folder + os.sep, "")
    lines = text.rstrip("\n").split("\n")
    return "\n".join(lines[:-1]).rstrip("\n")  # without the summary line


def _files(example: Example) -> list[str]:
    out: list[str] = []
    for name, content in example.files:
        lang = LANG.get(Path(name).suffix, "")
        out += [f"`{name}`", "", f"```{lang}", content.rstrip("\n"), "```", ""]
    command = "gwlint check " + " ".join(n for n, _ in example.files if "/" not in n)
    if example.args:
        command += " " + " ".join(example.args)
    out += ["```console", f"$ {command}", "```", ""]
    return out


def render_rule(rule: Rule) -> str:
    reports = run_example(rule.example, rule.code)
    lines = [
        HEADER,
        "",
        f"# {rule.code}: {rule.title}",
        "",
        f"- Name: `{rule.name}`",
        f"- Default severity: **{rule.severity.value}**",
        f"- Family: {rule.family}",
        "",
        "## Why it matters",
        "",
        rule.why,
        "",
        "## Example",
        "",
        *_files(rule.example),
        f"gwlint reports ({rule.code} only):",
        "",
        "```text",
        reports or "(nothing)",
        "```",
        "",
        "## Fix",
        "",
        *_files(rule.fix),
        "## References",
        "",
        *[f"- <{reference}>" for reference in rule.references],
        "",
    ]
    return "\n".join(lines)


def render_index(rules: tuple[Rule, ...]) -> str:
    lines = [
        HEADER,
        "",
        "# gwlint rules",
        "",
        "| Code | Title | Default severity | Family |",
        "| --- | --- | --- | --- |",
    ]
    for rule in rules:
        lines.append(
            f"| [{rule.code}]({rule.code}.md) | {rule.title} | {rule.severity.value} | "
            f"{rule.family} |"
        )
    return "\n".join(lines) + "\n"


def expected_pages() -> dict[str, str]:
    from gwlint.rules import ALL_RULES

    pages = {f"{rule.code}.md": render_rule(rule) for rule in ALL_RULES}
    pages["index.md"] = render_index(ALL_RULES)
    return pages


def main(argv: list[str]) -> int:
    folder = Path(__file__).resolve().parents[2] / "docs" / "rules"
    pages = expected_pages()
    stale = [
        name
        for name, text in pages.items()
        if not (folder / name).is_file() or (folder / name).read_text() != text
    ]
    extra = sorted(p.name for p in folder.glob("*.md") if p.name not in pages)
    if "--check" in argv:
        for name in [*stale, *extra]:
            print(f"stale: docs/rules/{name}")
        return 1 if stale or extra else 0
    folder.mkdir(parents=True, exist_ok=True)
    for name in stale:
        (folder / name).write_text(pages[name])
    for name in extra:
        (folder / name).unlink()
    print(f"docs/rules: {len(stale)} written, {len(extra)} removed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
