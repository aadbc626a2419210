"""The typer application behind ``gwlint``: every command as declared, with its help.

``gwlint.cli.main`` reads a plain ``gwlint check`` itself (the pre-commit hook's command runs on
every commit, and typer with its pydantic adapters costs tens of milliseconds to start); help,
the other commands and anything it does not read exactly as this declaration would come here.
"""

from __future__ import annotations

from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperCommand

from gwlint import __version__
from gwlint.cli import (
    CheckOptions,
    Color,
    CommandError,
    Format,
    Level,
    PageFormat,
    ReportFormat,
    SarifHelp,
    one_line,
    run_check,
)

app = typer.Typer(
    name="gwlint",
    help=(
        "Check that nginx and the Python app server behind it (gunicorn or uWSGI) agree, "
        "before they meet in production."
    ),
    no_args_is_help=True,
    add_completion=True,  # --install-completion, --show-completion
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class _Command(TyperCommand):
    """typer's command, its positional arguments shown in the help by their metavar alone
    (``PATH...``, ``CODE``), as click shows them, without typer's ``<list[str]>``/``<str>``;
    in the usage line ``CODE`` for a required one (typer writes ``{CODE}``), ``[PATH]...``."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name != "argument":
                pieces.extend(param.get_usage_pieces(ctx))
                continue
            name = param.metavar or (param.name or "").upper()
            name = name if param.required else f"[{name}]"
            pieces.append(name + ("..." if param.nargs != 1 else ""))
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments: list[tuple[str, str]] = []
        options: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                name = param.metavar or (param.name or "").upper()
                arguments.append((name + ("..." if param.nargs != 1 else ""), record[1]))
            elif param.param_type_name == "option":
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gwlint {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """gwlint: nginx <-> gunicorn/uWSGI consistency linter."""


def _fail(message: str) -> NoReturn:
    typer.echo(one_line(f"gwlint: error: {message}"), err=True)
    raise typer.Exit(2)


# options check and diagnose share: one declaration each
_OutputOption = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write the report to FILE instead of standard output (- for standard output).",
    ),
]
_CpusOption = Annotated[
    int | None,
    typer.Option(
        metavar="N", help="CPUs of the production machine (cpu_count(), %k, worker checks)."
    ),
]
_NginxVersionOption = Annotated[
    str | None,
    typer.Option(metavar="X.Y.Z", help="nginx version in production [default: 1.30]."),
]
_GunicornVersionOption = Annotated[
    str | None,
    typer.Option(metavar="X.Y", help="gunicorn version in production [default: 27.0]."),
]
_UwsgiVersionOption = Annotated[
    str | None,
    typer.Option(metavar="X.Y.Z", help="uWSGI version in production [default: 2.0.30]."),
]
_EnvOption = Annotated[
    list[str] | None,
    typer.Option(
        "--env",
        metavar="NAME=VALUE",
        help="NAME=VALUE for environment lookups in the configs (repeatable).",
    ),
]
_FrontOption = Annotated[
    str | None,
    typer.Option(
        metavar="NAME[:SECONDS]",
        help="Load balancer or CDN in front: alb, gcp, cloudflare, heroku, oci, elb, with "
        "an optional :SECONDS (alb:120), or idle=SECONDS,read=SECONDS.",
    ),
]
_StopTimeoutOption = Annotated[
    int | None,
    typer.Option(
        metavar="SECONDS",
        help="Grace period of the orchestrator before SIGKILL (Kubernetes 30, docker 10).",
    ),
]
_SomaxconnOption = Annotated[
    int | None,
    typer.Option(metavar="N", help="net.core.somaxconn of the target [default: 4096]."),
]
_ConfigOption = Annotated[
    str | None,
    typer.Option(
        metavar="FILE",
        help="Configuration file for every file (default: each file's closest .gwlint.toml, "
        "gwlint.toml or pyproject.toml with [tool.gwlint], as ruff).",
    ),
]
_IsolatedOption = Annotated[
    bool, typer.Option("--isolated", help="Ignore every configuration file.")
]


@app.command(cls=_Command)
def check(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="PATH",
            help="Config files or folders (default: the current folder). Each file's kind comes "
            "from its name and content. - reads standard input as the file --stdin-filename "
            "names.",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        ReportFormat,
        typer.Option(
            "--format",
            "--output-format",
            "-f",
            help="Output format: text, json, sarif (code scanning), github (Actions "
            "annotations), gitlab (Code Quality), junit (JUnit XML test report).",
        ),
    ] = ReportFormat.text,
    output: _OutputOption = None,
    cpus: _CpusOption = None,
    nginx_version: _NginxVersionOption = None,
    gunicorn_version: _GunicornVersionOption = None,
    uwsgi_version: _UwsgiVersionOption = None,
    env: _EnvOption = None,
    front: _FrontOption = None,
    stop_timeout: _StopTimeoutOption = None,
    somaxconn: _SomaxconnOption = None,
    nginx_prefix: Annotated[
        str | None,
        typer.Option(
            metavar="DIR",
            help="Folder relative nginx includes resolve against [default: the main file's "
            "folder].",
        ),
    ] = None,
    nginx: Annotated[
        list[str] | None, typer.Option("--nginx", metavar="FILE", help="Read FILE as nginx config.")
    ] = None,
    gunicorn: Annotated[
        list[str] | None,
        typer.Option("--gunicorn", metavar="FILE", help="Read FILE as gunicorn config."),
    ] = None,
    uwsgi: Annotated[
        list[str] | None, typer.Option("--uwsgi", metavar="FILE", help="Read FILE as uWSGI ini.")
    ] = None,
    uwsgi_section: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Section of the uWSGI ini to read [default: uwsgi]."),
    ] = None,
    nginx_dump: Annotated[
        str | None,
        typer.Option(
            metavar="FILE",
            help="Read the nginx side from the output of `nginx -T` on the server (- for "
            "standard input); findings name the server's files and lines. A `nginx version:` "
            "line before it (`nginx -V; nginx -T`) sets the nginx version.",
        ),
    ] = None,
    nginx_dump_root: Annotated[
        list[str] | None,
        typer.Option(
            metavar="SERVER=REPO",
            help="Name the server's folder SERVER as the repository's REPO in findings "
            "(/etc/nginx=deploy/nginx), so that SARIF and annotations place them (repeatable).",
        ),
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option(
            metavar="CODES",
            help="Only these rule codes or prefixes (comma-separated, e.g. GW1,GW401); replaces "
            "the configuration's select.",
        ),
    ] = None,
    extend_select: Annotated[
        list[str] | None,
        typer.Option(metavar="CODES", help="Enable these rule codes or prefixes as well."),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(metavar="CODES", help="Skip these rule codes or prefixes."),
    ] = None,
    fail_on: Annotated[
        Level | None,
        typer.Option(
            help="Exit 1 when a finding is at least this severe [default: warning, or the "
            "configuration's fail-on]."
        ),
    ] = None,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when there are findings.")
    ] = False,
    config: _ConfigOption = None,
    isolated: _IsolatedOption = False,
    statistics: Annotated[
        bool,
        typer.Option("--statistics", help="Count findings per rule instead of listing them."),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="Print findings only: no summary line, no warnings."),
    ] = False,
    color: Annotated[
        Color,
        typer.Option(
            help="Colour the text output: auto (on a terminal, unless NO_COLOR is set), "
            "always, never."
        ),
    ] = Color.auto,
    show_files: Annotated[
        bool,
        typer.Option(
            "--show-files",
            help="List the files read, as what, and how they were grouped into deployments "
            "and paired; no check.",
        ),
    ] = False,
    show_settings: Annotated[
        bool,
        typer.Option(
            "--show-settings",
            help="Show the versions, target facts and every app server and nginx setting "
            "with its source; no check.",
        ),
    ] = False,
    sarif_category: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="SARIF: automationDetails.id NAME/, to tell apart the uploads of one commit "
            "(a matrix, two folders) [default: none, codeql-action's category applies].",
        ),
    ] = None,
    sarif_help: Annotated[
        SarifHelp | None,
        typer.Option(
            help="SARIF: each rule's descriptions and page link (short), or its whole page "
            "(full) [default: short].",
        ),
    ] = None,
    stdin_filename: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="Read standard input as the file NAME (with the path -, or alone): its kind "
            "from NAME and the text, findings name NAME, and the other configs are found as "
            "without it (NAME's text on disk, if any, replaced).",
        ),
    ] = None,
    fix: Annotated[
        bool,
        typer.Option(
            "--fix",
            help="Apply the safe fixes to the files (in rounds until the findings are stable; "
            "each file written atomically, none when a fix fails), then report what remains.",
        ),
    ] = False,
    unsafe_fixes: Annotated[
        bool,
        typer.Option(
            "--unsafe-fixes",
            help="With --fix or --diff, also apply the unsafe fixes (one choice among several, "
            "or a change with side effects).",
        ),
    ] = False,
    diff: Annotated[
        bool,
        typer.Option(
            "--diff",
            help="Print the fixes as a unified diff and write nothing; exit 1 when there is one.",
        ),
    ] = False,
    show_fixes: Annotated[
        bool,
        typer.Option(
            "--show-fixes",
            help="List the fixes: those applied with --fix, else those --fix would apply, and "
            "why the others cannot be applied automatically.",
        ),
    ] = False,
) -> None:
    """Check nginx config(s) against gunicorn/uWSGI config(s).

    With no path, finds every nginx config, gunicorn config and uWSGI ini under the current
    folder and groups them into deployments.
    """
    try:
        code = run_check(
            CheckOptions(
                paths=list(paths or []),
                output_format=output_format,
                output=output,
                cpus=cpus,
                nginx_version=nginx_version,
                gunicorn_version=gunicorn_version,
                uwsgi_version=uwsgi_version,
                env=env,
                front=front,
                stop_timeout=stop_timeout,
                somaxconn=somaxconn,
                nginx_prefix=nginx_prefix,
                nginx=nginx,
                gunicorn=gunicorn,
                uwsgi=uwsgi,
                uwsgi_section=uwsgi_section,
                nginx_dump=nginx_dump,
                nginx_dump_root=nginx_dump_root,
                select=select,
                extend_select=extend_select,
                ignore=ignore,
                fail_on=fail_on,
                exit_zero=exit_zero,
                config=config,
                isolated=isolated,
                statistics=statistics,
                quiet=quiet,
                color=color,
                show_files=show_files,
                show_settings=show_settings,
                sarif_category=sarif_category,
                sarif_help=sarif_help,
                stdin_filename=stdin_filename,
                fix=fix,
                unsafe_fixes=unsafe_fixes,
                diff=diff,
                show_fixes=show_fixes,
            )
        )
    except CommandError as exc:
        _fail(str(exc))
    raise typer.Exit(code)


@app.command(cls=_Command)
def rules(
    output_format: Annotated[
        Format, typer.Option("--format", "-f", help="Output format.")
    ] = Format.text,
) -> None:
    """List every rule: code, default severity, family and title (the diagnose family: the
    causes `gwlint diagnose` finds in logs that no config rule explains)."""
    from gwlint.rules import DOCUMENTED

    if output_format is Format.json:
        import json

        listing = [
            {"code": r.code, "title": r.title, "severity": r.severity.value, "family": r.family}
            for r in DOCUMENTED
        ]
        typer.echo(json.dumps(listing, indent=2))
        return
    for r in DOCUMENTED:
        typer.echo(f"{r.code}  {r.severity.value:<7}  {r.family:<10}  {r.title}")


@app.command(cls=_Command)
def rule(
    code: Annotated[str, typer.Argument(metavar="CODE", help="A rule code, e.g. GW101.")],
    output_format: Annotated[
        PageFormat,
        typer.Option(
            "--format",
            "-f",
            help="text (for a terminal), markdown (the page in docs/rules/), or json.",
        ),
    ] = PageFormat.text,
) -> None:
    """Explain one rule: why it matters, an example, the fix, references."""
    from gwlint.reporters.docs import HEADER, render_rule
    from gwlint.rules import DOCUMENTED_BY_CODE

    found = DOCUMENTED_BY_CODE.get(code.upper())
    if found is None:
        _fail(f"unknown rule {code!r} (see `gwlint rules`)")
    page = render_rule(found)
    if output_format is PageFormat.markdown:
        typer.echo(page, nl=False)
    elif output_format is PageFormat.json:
        import json
        from dataclasses import asdict

        document = {
            "code": found.code,
            "name": found.name,
            "title": found.title,
            "severity": found.severity.value,
            "family": found.family,
            "why": found.why,
            "claims": [
                {k: v for k, v in asdict(claim).items() if v not in (None, "")}
                for claim in found.claims
            ],
            "references": list(found.references),
            "page": page,
        }
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        from gwlint.reporters.sarif import markdown_to_text

        typer.echo(markdown_to_text(page.removeprefix(HEADER)), nl=False)


@app.command(cls=_Command)
def diagnose(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="PATH",
            help="Log files (nginx error and access logs, gunicorn, uWSGI and uvicorn logs; "
            "rotated .1 and .gz too; - reads one from standard input), configs, and folders "
            "(their configs and logs). Default: the current folder. With no config among the "
            "paths, the configs under the current folder, as check finds them. Each file's "
            "kind comes from its content.",
            show_default=False,
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            metavar="TIME",
            help="Only lines from TIME on: 2026-12-07T01:00, '2026-12-07 01:00:00' (in --tz, "
            "else UTC, unless it has a zone), or a duration before now: 2h, 30m.",
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(metavar="TIME", help="Only lines up to TIME (as --since)."),
    ] = None,
    tz: Annotated[
        str | None,
        typer.Option(
            metavar="ZONE",
            help="Time zone of the log lines that write none (nginx's error log; default: "
            "the zone nginx's access log writes, else UTC), and of --since/--until: UTC, "
            "+01:00, Europe/Paris.",
        ),
    ] = None,
    output_format: Annotated[
        Format,
        typer.Option("--format", "-f", help="Output format: text or json."),
    ] = Format.text,
    output: _OutputOption = None,
    cpus: _CpusOption = None,
    nginx_version: _NginxVersionOption = None,
    gunicorn_version: _GunicornVersionOption = None,
    uwsgi_version: _UwsgiVersionOption = None,
    env: _EnvOption = None,
    front: _FrontOption = None,
    stop_timeout: _StopTimeoutOption = None,
    somaxconn: _SomaxconnOption = None,
    config: _ConfigOption = None,
    isolated: _IsolatedOption = False,
) -> None:
    """Find the causes of the failed requests (5xx, 499) in nginx's and the app server's logs.

    Joins each failed request with the lines both servers wrote about it, names the rule that
    explains it (or a GW9xx cause no config rule explains), and, with the configs, the lines to
    change and the fix. Exit 0 when no request ended 5xx, 1 otherwise, 2 on a usage error.
    """
    from gwlint.diagnose.run import DiagnoseOptions, run

    try:
        code = run(
            DiagnoseOptions(
                paths=list(paths or []),
                output_format=output_format.value,
                output=output,
                since=since,
                until=until,
                tz=tz,
                cpus=cpus,
                nginx_version=nginx_version,
                gunicorn_version=gunicorn_version,
                uwsgi_version=uwsgi_version,
                env=env,
                front=front,
                stop_timeout=stop_timeout,
                somaxconn=somaxconn,
                config=config,
                isolated=isolated,
            )
        )
    except CommandError as exc:
        _fail(str(exc))
    raise typer.Exit(code)
