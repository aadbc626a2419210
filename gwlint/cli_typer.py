"""The typer application behind ``gwlint``: every command as declared, with its help.

``gwlint.cli.main`` reads a plain ``gwlint check`` itself (the pre-commit hook's command runs on
every commit, and typer with its pydantic adapters costs tens of milliseconds to start); help,
the other commands and anything it does not read exactly as typer would come here. Both read
check's options from one declaration, ``gwlint.cli_options.CheckOptions``: check's parameters
are built from it here.
"""

from __future__ import annotations

import inspect
from dataclasses import Field, fields
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperCommand

from gwlint import __version__
from gwlint.cli import CommandError, one_line, run_check
from gwlint.cli_options import CheckOptions, Format, PageFormat, spec

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


# check's options are declared once, with CheckOptions (gwlint.cli_options), which the fast path
# (gwlint.cli.fast_check) reads too: check's typer parameters are built from that declaration,
# and diagnose takes the options it shares with check from it
_CHECK_FIELDS: dict[str, Field[Any]] = {
    declared.name: declared for declared in fields(CheckOptions)
}


def _parameter(name: str) -> Any:
    """The typer parameter (typer.Option, or typer.Argument for the paths) of the field
    ``name`` of CheckOptions, as gwlint.cli_options declares it."""
    found = spec(_CHECK_FIELDS[name])
    if not found.flags:
        return typer.Argument(metavar=found.metavar, help=found.help, show_default=False)
    return typer.Option(*found.flags, metavar=found.metavar, help=found.help)


def _check_signature() -> inspect.Signature:
    """check's parameters, in the declaration's order: each field's type annotated with its
    typer parameter, its default the field's (the paths: None, as typer gives no argument)."""
    parameters = []
    for name, declared in _CHECK_FIELDS.items():
        annotation: Any = declared.type
        default = declared.default
        if not spec(declared).flags:
            annotation, default = annotation | None, None
        parameters.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=default,
                annotation=Annotated[annotation, _parameter(name)],
            )
        )
    return inspect.Signature(parameters)


def check(**given: Any) -> None:
    """Check nginx config(s) against gunicorn/uWSGI config(s).

    With no path, finds every nginx config, gunicorn config and uWSGI ini under the current
    folder and groups them into deployments.
    """
    given["paths"] = list(given["paths"] or [])
    try:
        code = run_check(CheckOptions(**given))
    except CommandError as exc:
        _fail(str(exc))
    raise typer.Exit(code)


check.__signature__ = _check_signature()  # type: ignore[attr-defined]
app.command(cls=_Command)(check)

# the options diagnose shares with check
_OutputOption = Annotated[str | None, _parameter("output")]
_CpusOption = Annotated[int | None, _parameter("cpus")]
_NginxVersionOption = Annotated[str | None, _parameter("nginx_version")]
_GunicornVersionOption = Annotated[str | None, _parameter("gunicorn_version")]
_UwsgiVersionOption = Annotated[str | None, _parameter("uwsgi_version")]
_EnvOption = Annotated[list[str] | None, _parameter("env")]
_FrontOption = Annotated[str | None, _parameter("front")]
_StopTimeoutOption = Annotated[int | None, _parameter("stop_timeout")]
_SomaxconnOption = Annotated[int | None, _parameter("somaxconn")]
_ConfigOption = Annotated[str | None, _parameter("config")]
_IsolatedOption = Annotated[bool, _parameter("isolated")]


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

        document = {
            "code": found.code,
            "name": found.name,
            "title": found.title,
            "severity": found.severity.value,
            "family": found.family,
            "why": found.why,
            "claims": [
                {k: v for k, v in claim._asdict().items() if v not in (None, "")}
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
