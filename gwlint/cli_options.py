"""``gwlint check``'s command line, declared once: ``CheckOptions``, each field with its flags,
metavar and help (``option``, ``argument``), its type and default.

Two readers, no mirror: ``gwlint.cli.fast_check`` parses a plain ``gwlint check`` from these
fields without importing typer (``FLAGS``), and ``gwlint.cli_typer`` builds the typer command
``check`` from them (its help, the man page and typer's errors); diagnose takes its shared
options from them too. Light on purpose: it runs at every start-up, so no typer here.

No ``from __future__ import annotations``: each field's type is the type itself, which both
readers use (a choice is its enum; ``X | None``, not given).
"""

# option() and argument() return dataclasses.field(...), which ruff cannot see through (RUF009)
# ruff: noqa: RUF009

import types
from dataclasses import Field, dataclass, field, fields
from enum import StrEnum
from typing import Any


class Format(StrEnum):
    text = "text"
    json = "json"


class Level(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"


class Color(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


class ReportFormat(StrEnum):
    """``check --format``: gwlint.reporters.FORMATS (kept literal here: the CLI imports lazily)."""

    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"
    gitlab = "gitlab"
    junit = "junit"


class PageFormat(StrEnum):
    """``rule --format``: the page for a terminal, as Markdown, or as JSON."""

    text = "text"
    markdown = "markdown"
    json = "json"


class SarifHelp(StrEnum):
    """``check --sarif-help``: how much of each rule's page a SARIF log holds."""

    short = "short"
    full = "full"


class Spec:
    """How the command line gives one field: its flags (none for the positional argument), the
    metavar its help shows, and its help text. (A plain class: a dataclass costs start-up.)"""

    __slots__ = ("flags", "help", "metavar")

    def __init__(self, flags: tuple[str, ...], metavar: str | None, help: str) -> None:
        self.flags = flags
        self.metavar = metavar
        self.help = help


def option(*flags: str, default: Any = None, metavar: str | None = None, help: str) -> Any:
    """A field given by ``flags`` (``--name``, ``-n``): a flag when its type is bool,
    repeatable when a list, one of the enum's choices when an enum; None when not given, unless
    ``default``."""
    return field(default=default, metadata={"cli": Spec(flags, metavar, help)})


def argument(*, metavar: str, help: str) -> Any:
    """The field the positional arguments fill (a list: none, one or more)."""
    return field(default_factory=list, metadata={"cli": Spec((), metavar, help)})


@dataclass
class CheckOptions:
    """``gwlint check``'s command line, as typer or ``fast_check`` read it (None: not given)."""

    paths: list[str] = argument(
        metavar="PATH",
        help="Config files or folders (default: the current folder). Each file's kind comes "
        "from its name and content. - reads standard input as the file --stdin-filename names.",
    )
    output_format: ReportFormat = option(
        "--format",
        "--output-format",
        "-f",
        default=ReportFormat.text,
        help="Output format: text, json, sarif (code scanning), github (Actions annotations), "
        "gitlab (Code Quality), junit (JUnit XML test report).",
    )
    output: str | None = option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write the report to FILE instead of standard output (- for standard output).",
    )
    cpus: int | None = option(
        "--cpus",
        metavar="N",
        help="CPUs of the production machine (cpu_count(), %k, worker checks).",
    )
    nginx_version: str | None = option(
        "--nginx-version", metavar="X.Y.Z", help="nginx version in production [default: 1.30]."
    )
    gunicorn_version: str | None = option(
        "--gunicorn-version", metavar="X.Y", help="gunicorn version in production [default: 27.0]."
    )
    uwsgi_version: str | None = option(
        "--uwsgi-version", metavar="X.Y.Z", help="uWSGI version in production [default: 2.0.30]."
    )
    env: list[str] | None = option(
        "--env",
        metavar="NAME=VALUE",
        help="NAME=VALUE for environment lookups in the configs (repeatable).",
    )
    front: str | None = option(
        "--front",
        metavar="NAME[:SECONDS]",
        help="Load balancer or CDN in front: alb, gcp, cloudflare, heroku, oci, elb, with an "
        "optional :SECONDS (alb:120), or idle=SECONDS,read=SECONDS.",
    )
    stop_timeout: int | None = option(
        "--stop-timeout",
        metavar="SECONDS",
        help="Grace period of the orchestrator before SIGKILL (Kubernetes 30, docker 10).",
    )
    somaxconn: int | None = option(
        "--somaxconn", metavar="N", help="net.core.somaxconn of the target [default: 4096]."
    )
    nginx_prefix: str | None = option(
        "--nginx-prefix",
        metavar="DIR",
        help="Folder relative nginx includes resolve against [default: the main file's folder].",
    )
    nginx: list[str] | None = option("--nginx", metavar="FILE", help="Read FILE as nginx config.")
    gunicorn: list[str] | None = option(
        "--gunicorn", metavar="FILE", help="Read FILE as gunicorn config."
    )
    uwsgi: list[str] | None = option("--uwsgi", metavar="FILE", help="Read FILE as uWSGI ini.")
    uwsgi_section: str | None = option(
        "--uwsgi-section", metavar="NAME", help="Section of the uWSGI ini to read [default: uwsgi]."
    )
    nginx_dump: str | None = option(
        "--nginx-dump",
        metavar="FILE",
        help="Read the nginx side from the output of `nginx -T` on the server (- for standard "
        "input); findings name the server's files and lines. A `nginx version:` line before it "
        "(`nginx -V; nginx -T`) sets the nginx version.",
    )
    nginx_dump_root: list[str] | None = option(
        "--nginx-dump-root",
        metavar="SERVER=REPO",
        help="Name the server's folder SERVER as the repository's REPO in findings "
        "(/etc/nginx=deploy/nginx), so that SARIF and annotations place them (repeatable).",
    )
    select: list[str] | None = option(
        "--select",
        metavar="CODES",
        help="Only these rule codes or prefixes (comma-separated, e.g. GW1,GW401); replaces the "
        "configuration's select.",
    )
    extend_select: list[str] | None = option(
        "--extend-select", metavar="CODES", help="Enable these rule codes or prefixes as well."
    )
    ignore: list[str] | None = option(
        "--ignore", metavar="CODES", help="Skip these rule codes or prefixes."
    )
    fail_on: Level | None = option(
        "--fail-on",
        help="Exit 1 when a finding is at least this severe [default: warning, or the "
        "configuration's fail-on].",
    )
    exit_zero: bool = option(
        "--exit-zero", default=False, help="Exit 0 even when there are findings."
    )
    config: str | None = option(
        "--config",
        metavar="FILE",
        help="Configuration file for every file (default: each file's closest .gwlint.toml, "
        "gwlint.toml or pyproject.toml with [tool.gwlint], as ruff).",
    )
    isolated: bool = option("--isolated", default=False, help="Ignore every configuration file.")
    statistics: bool = option(
        "--statistics", default=False, help="Count findings per rule instead of listing them."
    )
    quiet: bool = option(
        "--quiet",
        "-q",
        default=False,
        help="Print findings only: no summary line, no warnings.",
    )
    color: Color = option(
        "--color",
        default=Color.auto,
        help="Colour the text output: auto (on a terminal, unless NO_COLOR is set), always, never.",
    )
    show_files: bool = option(
        "--show-files",
        default=False,
        help="List the files read, as what, and how they were grouped into deployments and "
        "paired; no check.",
    )
    show_settings: bool = option(
        "--show-settings",
        default=False,
        help="Show the versions, target facts and every app server and nginx setting with its "
        "source; no check.",
    )
    sarif_category: str | None = option(
        "--sarif-category",
        metavar="NAME",
        help="SARIF: automationDetails.id NAME/, to tell apart the uploads of one commit (a "
        "matrix, two folders) [default: none, codeql-action's category applies].",
    )
    sarif_help: SarifHelp | None = option(
        "--sarif-help",
        help="SARIF: each rule's descriptions and page link (short), or its whole page (full) "
        "[default: short].",
    )
    stdin_filename: str | None = option(
        "--stdin-filename",
        metavar="NAME",
        help="Read standard input as the file NAME (with the path -, or alone): its kind from "
        "NAME and the text, findings name NAME, and the other configs are found as without it "
        "(NAME's text on disk, if any, replaced).",
    )
    fix: bool = option(
        "--fix",
        default=False,
        help="Apply the safe fixes to the files (in rounds until the findings are stable; each "
        "file written atomically, none when a fix fails), then report what remains.",
    )
    unsafe_fixes: bool = option(
        "--unsafe-fixes",
        default=False,
        help="With --fix or --diff, also apply the unsafe fixes (one choice among several, or a "
        "change with side effects).",
    )
    diff: bool = option(
        "--diff",
        default=False,
        help="Print the fixes as a unified diff and write nothing; exit 1 when there is one.",
    )
    show_fixes: bool = option(
        "--show-fixes",
        default=False,
        help="List the fixes: those applied with --fix, else those --fix would apply, and why "
        "the others cannot be applied automatically.",
    )


def spec(declared: Field[Any]) -> Spec:
    """The command line's side of a field of ``CheckOptions``."""
    found: Spec = declared.metadata["cli"]
    return found


def kind(annotation: Any) -> Any:
    """What a field's type asks of the command line: bool (a flag), list (repeatable), or the
    type of its one value (str, int, or the enum of its choices); ``X | None`` is X."""
    if isinstance(annotation, types.UnionType):
        (annotation,) = (arg for arg in annotation.__args__ if arg is not type(None))
    if isinstance(annotation, types.GenericAlias):  # list[str]
        return annotation.__origin__
    return annotation


# every flag of check: flag -> (field, kind), for gwlint.cli.fast_check
FLAGS: dict[str, tuple[str, Any]] = {
    flag: (declared.name, kind(declared.type))
    for declared in fields(CheckOptions)
    for flag in spec(declared).flags
}
