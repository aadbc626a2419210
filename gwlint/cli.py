"""The command line: thin. Heavy imports (loaders, models, crossplane) happen inside commands."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from gwlint import __version__

if TYPE_CHECKING:
    from gwlint.engine import Report

app = typer.Typer(
    name="gwlint",
    help=(
        "Check that nginx and the Python app server behind it (gunicorn or uWSGI) agree, "
        "before they meet in production."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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
    typer.echo(f"gwlint: error: {message}", err=True)
    raise typer.Exit(2)


def _split(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _env(values: list[str]) -> dict[str, str]:
    env: dict[str, str] = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name:
            _fail(f"--env takes NAME=VALUE, not {value!r}")
        env[name] = text
    return env


@app.command()
def check(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Config files or folders (default: the current folder). Each file's kind comes "
            "from its name and content.",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        ReportFormat,
        typer.Option(
            "--format",
            "-f",
            help="Output format: text, json, sarif (code scanning), github (Actions annotations).",
        ),
    ] = ReportFormat.text,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the report to FILE instead of standard output (- for standard output).",
        ),
    ] = None,
    cpus: Annotated[
        int | None,
        typer.Option(help="CPUs of the production machine (cpu_count(), %k, worker checks)."),
    ] = None,
    nginx_version: Annotated[
        str | None, typer.Option(help="nginx version in production [default: 1.30].")
    ] = None,
    gunicorn_version: Annotated[
        str | None, typer.Option(help="gunicorn version in production [default: 27.0].")
    ] = None,
    uwsgi_version: Annotated[
        str | None, typer.Option(help="uWSGI version in production [default: 2.0.30].")
    ] = None,
    env: Annotated[
        list[str] | None,
        typer.Option(
            "--env", help="NAME=VALUE for environment lookups in the configs (repeatable)."
        ),
    ] = None,
    front: Annotated[
        str | None,
        typer.Option(
            help="Load balancer or CDN in front: alb, gcp, cloudflare, heroku, oci, elb, with "
            "an optional :SECONDS (alb:120), or idle=SECONDS,read=SECONDS."
        ),
    ] = None,
    stop_timeout: Annotated[
        int | None,
        typer.Option(
            help="Grace period of the orchestrator before SIGKILL (Kubernetes 30, docker 10)."
        ),
    ] = None,
    somaxconn: Annotated[
        int | None, typer.Option(help="net.core.somaxconn of the target [default: 4096].")
    ] = None,
    nginx_prefix: Annotated[
        str | None,
        typer.Option(
            help="Folder relative nginx includes resolve against [default: the main file's folder]."
        ),
    ] = None,
    nginx: Annotated[
        list[str] | None, typer.Option("--nginx", help="Read FILE as nginx config.")
    ] = None,
    gunicorn: Annotated[
        list[str] | None, typer.Option("--gunicorn", help="Read FILE as gunicorn config.")
    ] = None,
    uwsgi: Annotated[
        list[str] | None, typer.Option("--uwsgi", help="Read FILE as uWSGI ini.")
    ] = None,
    uwsgi_section: Annotated[
        str | None, typer.Option(help="Section of the uWSGI ini to read [default: uwsgi].")
    ] = None,
    nginx_dump: Annotated[
        str | None,
        typer.Option(
            metavar="FILE",
            help="Read the nginx side from the output of `nginx -T` on the server (- for "
            "standard input); findings name the server's files and lines.",
        ),
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option(
            help="Only these rule codes or prefixes (comma-separated, e.g. GW1,GW401); replaces "
            "the configuration's select."
        ),
    ] = None,
    extend_select: Annotated[
        list[str] | None, typer.Option(help="Enable these rule codes or prefixes as well.")
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option(help="Skip these rule codes or prefixes.")
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
    config: Annotated[
        str | None,
        typer.Option(
            metavar="FILE",
            help="Configuration file (default: the closest .gwlint.toml, gwlint.toml or "
            "pyproject.toml with [tool.gwlint], from the current folder up).",
        ),
    ] = None,
    isolated: Annotated[
        bool, typer.Option("--isolated", help="Ignore every configuration file.")
    ] = False,
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
) -> None:
    """Check nginx config(s) against gunicorn/uWSGI config(s).

    With no path, finds every nginx config, gunicorn config and uWSGI ini under the current
    folder and groups them into deployments.
    """
    from gwlint.engine import Request, UsageError, lint

    if config is not None and isolated:
        _fail("--config and --isolated exclude each other")
    if statistics and output_format is not ReportFormat.text:
        _fail(f"--statistics is for the text format, not --format {output_format.value}")
    stdin_text = None
    if nginx_dump == "-":
        stdin_text = sys.stdin.read()
    request = Request(
        paths=list(paths or []),
        nginx=list(nginx or []),
        gunicorn=list(gunicorn or []),
        uwsgi=list(uwsgi or []),
        cpus=cpus,
        nginx_version=nginx_version,
        gunicorn_version=gunicorn_version,
        uwsgi_version=uwsgi_version,
        env=_env(env or []),
        nginx_prefix=nginx_prefix,
        uwsgi_section=uwsgi_section,
        select=_split(select),
        ignore=_split(ignore) or [],
        extend_select=_split(extend_select) or [],
        front=front,
        stop_timeout=stop_timeout,
        somaxconn=somaxconn,
        fail_on=fail_on.value if fail_on is not None else None,
        config=config,
        isolated=isolated,
        nginx_dump=nginx_dump,
        stdin_text=stdin_text,
    )
    try:
        report = lint(request)
    except UsageError as exc:
        _fail(str(exc))
    if report.found_nothing and not quiet:
        where = ", ".join(request.paths) or "."
        typer.echo(
            f"gwlint: warning: no nginx, gunicorn or uWSGI config found in {where}", err=True
        )
    if output_format is ReportFormat.text:
        from gwlint.reporters import text

        to_file = output is not None and output != "-"
        colour = color is Color.always or (
            color is Color.auto and not to_file and _colour_terminal()
        )
        rendered = text.render(report, colour=colour, quiet=quiet, statistics_only=statistics)
    else:
        rendered = _render(output_format, report)
    if output is None or output == "-":
        sys.stdout.write(rendered)
    else:
        try:
            with open(output, "w", encoding="utf-8", newline="") as stream:
                stream.write(rendered)
        except OSError as exc:
            _fail(f"--output {output}: {exc.strerror or exc}")
    raise typer.Exit(1 if report.failed and not exit_zero else 0)


def _colour_terminal() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    import os

    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


def _render(output_format: ReportFormat, report: Report) -> str:
    if output_format is ReportFormat.json:
        from gwlint.reporters import json

        return json.render(report)
    if output_format is ReportFormat.sarif:
        from gwlint.reporters import sarif

        return sarif.render(report)
    if output_format is ReportFormat.github:
        from gwlint.reporters import github

        return github.render(report)
    from gwlint.reporters import text

    return text.render(report)


@app.command()
def rules(
    output_format: Annotated[
        Format, typer.Option("--format", "-f", help="Output format.")
    ] = Format.text,
) -> None:
    """List every rule: code, default severity, family and title."""
    from gwlint.rules import ALL_RULES

    if output_format is Format.json:
        import json

        listing = [
            {"code": r.code, "title": r.title, "severity": r.severity.value, "family": r.family}
            for r in ALL_RULES
        ]
        typer.echo(json.dumps(listing, indent=2))
        return
    for r in ALL_RULES:
        typer.echo(f"{r.code}  {r.severity.value:<7}  {r.family:<10}  {r.title}")


@app.command()
def rule(code: Annotated[str, typer.Argument(help="A rule code, e.g. GW101.")]) -> None:
    """Explain one rule: why it matters, an example, the fix, references."""
    from gwlint.reporters.docs import render_rule
    from gwlint.rules import BY_CODE

    found = BY_CODE.get(code.upper())
    if found is None:
        _fail(f"unknown rule {code!r} (see `gwlint rules`)")
    typer.echo(render_rule(found), nl=False)


def _click_exception() -> type[Exception]:
    """click's exception base as typer ships it (typer >= 0.26 vendors click)."""
    for cls in typer.BadParameter.__mro__:
        if cls.__name__ == "ClickException":
            return cls
    return typer.BadParameter  # pragma: no cover


def main(argv: list[str] | None = None) -> NoReturn:
    """Entry point: usage and internal errors exit 2 with a one-line message, never a traceback."""
    command = typer.main.get_command(app)
    click_exception = _click_exception()
    try:
        code = command.main(args=argv, prog_name="gwlint", standalone_mode=False)
    except click_exception as exc:
        text = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        context = getattr(exc, "ctx", None)
        hint = f" (try '{context.command_path} --help')" if context is not None else ""
        sys.stderr.write(f"gwlint: error: {text}{hint}\n")
        sys.exit(getattr(exc, "exit_code", 2))
    except typer.Abort:
        sys.stderr.write("gwlint: aborted\n")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(1)
    except Exception as exc:  # the promise: never a traceback
        sys.stderr.write(f"gwlint: internal error: {type(exc).__name__}: {exc}\n")
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)
