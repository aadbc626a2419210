"""The command line: thin. Heavy imports (loaders, models, crossplane) happen inside commands."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated, NoReturn

import typer

from gwlint import __version__

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
        Format, typer.Option("--format", "-f", help="Output format.")
    ] = Format.text,
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
    uwsgi_section: Annotated[str, typer.Option(help="Section of the uWSGI ini to read.")] = "uwsgi",
    select: Annotated[
        list[str] | None,
        typer.Option(help="Only these rule codes or prefixes (comma-separated, e.g. GW1,GW401)."),
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option(help="Skip these rule codes or prefixes.")
    ] = None,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when there are findings.")
    ] = False,
) -> None:
    """Check nginx config(s) against gunicorn/uWSGI config(s)."""
    from gwlint.engine import Request, UsageError, lint

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
        front=front,
        stop_timeout=stop_timeout,
        somaxconn=somaxconn,
    )
    try:
        report = lint(request)
    except UsageError as exc:
        _fail(str(exc))
    if report.found_nothing:
        where = ", ".join(request.paths) or "."
        typer.echo(
            f"gwlint: warning: no nginx, gunicorn or uWSGI config found in {where}", err=True
        )
    if output_format is Format.json:
        from gwlint.reporters import json as reporter
    else:
        from gwlint.reporters import text as reporter  # type: ignore[no-redef]
    sys.stdout.write(reporter.render(report))
    raise typer.Exit(1 if report.failed and not exit_zero else 0)


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
