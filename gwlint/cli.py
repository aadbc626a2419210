"""The command line: thin. Heavy imports (loaders, models, crossplane) happen inside commands.

The commands are declared with typer in ``gwlint.cli_typer``. A plain ``gwlint check`` (the
pre-commit hook's command, run on every commit) is read here instead, without importing typer,
whose start-up and pydantic parameter adapters cost more than the check itself. check's options
are declared once, in ``gwlint.cli_options``: typer's command is built from that declaration and
``fast_check`` reads it, only in the plain forms it reads exactly as typer does
(tests/test_cli_fast_path.py), handing anything else (help, unknown or odd options) to typer.
"""

from __future__ import annotations

import errno
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

from gwlint.cli_options import FLAGS

# check's options and the choices of gwlint's options, declared in gwlint.cli_options
from gwlint.cli_options import CheckOptions as CheckOptions
from gwlint.cli_options import Color as Color
from gwlint.cli_options import Format as Format
from gwlint.cli_options import Level as Level
from gwlint.cli_options import PageFormat as PageFormat
from gwlint.cli_options import ReportFormat as ReportFormat
from gwlint.cli_options import SarifHelp as SarifHelp

if TYPE_CHECKING:
    from gwlint.engine import Report, Request


class CommandError(Exception):
    """A usage error: ``gwlint: error: MESSAGE`` on standard error, and exit 2."""


def one_line(message: str) -> str:
    """A message for standard error: one line, whatever it quotes from the input or the
    command line (a config value, a path), its control characters shown as text output shows
    a value's (``gwlint.reporters.printable``: ``\\n``, ``\\x1b``...)."""
    from gwlint.reporters import printable

    return printable(message)


def _echo_error(message: str) -> None:
    """A line on standard error, exactly as typer writes it (it strips ANSI codes off a
    terminal), made ``one_line``. Only for errors and warnings: importing typer is worth it
    there."""
    import typer

    typer.echo(one_line(message), err=True)


def _split(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def env_pairs(values: list[str]) -> dict[str, str]:
    """``--env NAME=VALUE`` values (check and diagnose)."""
    env: dict[str, str] = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name:
            raise CommandError(f"--env takes NAME=VALUE, not {value!r}")
        env[name] = text
    return env


def run_check(options: CheckOptions) -> int:
    """``gwlint check``: lint, write the report, and return the exit code. Raises CommandError
    for a usage error."""
    from gwlint.engine import DUMP_LIMIT, Request, UsageError, lint

    if options.config is not None and options.isolated:
        raise CommandError("--config and --isolated exclude each other")
    output_format = options.output_format
    for wanted, flag in (
        (options.statistics, "--statistics"),
        (options.show_fixes, "--show-fixes"),
        (options.diff, "--diff"),
    ):
        if wanted and output_format is not ReportFormat.text:
            raise CommandError(f"{flag} is for the text format, not --format {output_format.value}")
    if output_format is not ReportFormat.sarif:
        for given, flag in (
            (options.sarif_category, "--sarif-category"),
            (options.sarif_help, "--sarif-help"),
        ):
            if given is not None:
                raise CommandError(
                    f"{flag} is for --format sarif, not --format {output_format.value}"
                )
    paths = list(options.paths)
    fixing = options.fix or options.diff
    if fixing:
        _fixing_allowed(options, paths)
    stdin_file = _stdin_file(options, paths)  # the path - taken out of paths
    stdin_text = None
    if options.nginx_dump == "-":
        # as a dump file is read (engine._read_dump): at most 64 MiB
        stdin_text = sys.stdin.read(DUMP_LIMIT + 1)
        if len(stdin_text) > DUMP_LIMIT:
            raise CommandError(f"--nginx-dump -: over {DUMP_LIMIT // 2**20} MiB on standard input")
    request = Request(
        paths=paths,
        nginx=list(options.nginx or []),
        gunicorn=list(options.gunicorn or []),
        uwsgi=list(options.uwsgi or []),
        cpus=options.cpus,
        nginx_version=options.nginx_version,
        gunicorn_version=options.gunicorn_version,
        uwsgi_version=options.uwsgi_version,
        env=env_pairs(options.env or []),
        nginx_prefix=options.nginx_prefix,
        uwsgi_section=options.uwsgi_section,
        select=_split(options.select),
        ignore=_split(options.ignore) or [],
        extend_select=_split(options.extend_select) or [],
        front=options.front,
        stop_timeout=options.stop_timeout,
        somaxconn=options.somaxconn,
        fail_on=options.fail_on.value if options.fail_on is not None else None,
        config=options.config,
        isolated=options.isolated,
        nginx_dump=options.nginx_dump,
        nginx_dump_roots=list(options.nginx_dump_root or []),
        stdin_text=stdin_text,
        show=options.show_files or options.show_settings,
    )
    try:
        if fixing:
            return _run_fix(request, options)
        if stdin_file is None:
            report = lint(request)
        else:
            from gwlint.loaders.stdin import reading_stdin

            with reading_stdin(*stdin_file):
                report = lint(request)
    except UsageError as exc:
        raise CommandError(str(exc)) from None
    report.unsafe_fixes = options.unsafe_fixes
    return _report(report, request, options, stdin_file)


def _fixing_allowed(options: CheckOptions, paths: list[str]) -> None:
    given = "--diff" if options.diff else "--fix"
    if options.stdin_filename is not None or "-" in paths:
        raise CommandError(f"{given} edits files: not with standard input (--stdin-filename)")
    if options.nginx_dump is not None:
        raise CommandError(f"{given} edits files: not the output of nginx -T (--nginx-dump)")
    if options.show_files or options.show_settings:
        raise CommandError(f"{given} is not for --show-files or --show-settings")


def _run_fix(request: Request, options: CheckOptions) -> int:
    """``--fix`` and ``--diff``: the fixes applied in memory, then written (``--fix``) or shown
    as a diff (``--diff``: exit 1 when there is one). The report is of what remains."""
    from gwlint.fixes import apply

    try:
        outcome = apply.run(request, unsafe=options.unsafe_fixes)
        if options.diff:
            _write(apply.diff(outcome.changes), options.output)
            if outcome.changes and not options.quiet:
                count = len(outcome.fixed)
                _echo_note(
                    f"Would fix {count} finding{'s' if count != 1 else ''} in "
                    f"{len(outcome.changes)} file(s)."
                )
            return 1 if outcome.changes else 0
        apply.write(outcome.changes)
    except apply.FixError as exc:
        raise CommandError(str(exc)) from None
    report = outcome.report
    report.fixed = outcome.fixed
    report.unsafe_fixes = options.unsafe_fixes
    return _report(report, request, options, None)


def _echo_note(message: str) -> None:
    sys.stderr.write(one_line(message) + "\n")


def _report(
    report: Report,
    request: Request,
    options: CheckOptions,
    stdin_file: tuple[str, bytes] | None,
) -> int:
    output_format = options.output_format
    if not options.quiet:  # about the configuration files: a hidden one, a key ignored
        for warning in report.warnings:
            _echo_error(f"gwlint: warning: {warning}")
    if report.found_nothing and not request.paths and stdin_file is None and not options.quiet:
        where = ", ".join(request.paths) or "."
        _echo_error(
            f"gwlint: warning: no nginx, Apache, Caddy, gunicorn or uWSGI config found in {where}"
        )
    output, color = options.output, options.color
    if report.view is not None:
        from gwlint.reporters import show

        if output_format is ReportFormat.json:
            rendered = show.render_json(
                report.view, files=options.show_files, settings=options.show_settings
            )
        elif output_format is not ReportFormat.text:
            raise CommandError(
                f"--show-files and --show-settings print text or json, not {output_format.value}"
            )
        else:
            parts = [show.render_files(report.view)] if options.show_files else []
            if options.show_settings:
                parts.append(show.render_settings(report.view))
            rendered = "\n".join(parts)
        _write(rendered, output)
        return 0  # a view of what was read, not a check: as ruff --show-files
    if output_format is ReportFormat.text:
        from gwlint.reporters import text

        to_file = output is not None and output != "-"
        colour = color is Color.always or (
            color is Color.auto and not to_file and _colour_terminal()
        )
        rendered = text.render(
            report,
            colour=colour,
            quiet=options.quiet,
            statistics_only=options.statistics,
            fixes=options.show_fixes,
        )
    else:
        rendered = _render(output_format, report, options)
    _write(rendered, output)
    return 1 if report.failed and not options.exit_zero else 0


def _stdin_file(options: CheckOptions, paths: list[str]) -> tuple[str, bytes] | None:
    """``--stdin-filename NAME`` (with the path ``-``, or alone, as in ruff): the file standard
    input stands for, as findings name it, and what standard input holds, bounded as a file
    is. None without it. Takes ``-`` out of ``paths``; a usage error for what cannot be read."""
    name = options.stdin_filename
    dashes = paths.count("-")
    if options.nginx_dump == "-" and (dashes or name is not None):
        given = "the path -" if dashes else "--stdin-filename"
        raise CommandError(
            f"--nginx-dump - and {given} both read standard input, which can be read once; "
            "give the dump as a file (--nginx-dump FILE)"
        )
    if dashes > 1:
        raise CommandError("the path - (standard input) is given more than once")
    if name is None:
        if dashes:
            raise CommandError(
                "the path - reads standard input: name the file it stands for with "
                "--stdin-filename NAME (its kind comes from the name; findings name it)"
            )
        return None
    if dashes:
        paths.remove("-")
    if not name.strip():
        raise CommandError("--stdin-filename takes the name of the file standard input stands for")
    if os.path.isdir(name):
        raise CommandError(
            f"--stdin-filename {name}: is a folder; name the file standard input stands for"
        )
    from gwlint.loaders.common import MAX_FILE_BYTES
    from gwlint.settings import display

    data = _read_stdin(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise CommandError(
            f"standard input (--stdin-filename {name}) is over the {MAX_FILE_BYTES // 2**20} "
            "MiB limit of a file; not read"
        )
    return display(os.path.normpath(name)), data


def _read_stdin(limit: int) -> bytes:
    """At most ``limit`` bytes of standard input, as they are (its text encoded as UTF-8 when it
    is a text stream only, as in a test)."""
    stream = sys.stdin
    if stream is None:
        raise CommandError("--stdin-filename: there is no standard input to read")
    try:
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            data: bytes = buffer.read(limit)
            return data
        text: str = stream.read(limit)
    except OSError as exc:
        raise CommandError(f"standard input: cannot read: {exc.strerror or exc}") from None
    try:  # a byte that is not UTF-8, as Python reads it (U+DC80-U+DCFF): that byte again
        return text.encode("utf-8", errors="surrogateescape")
    except UnicodeEncodeError:  # another lone surrogate: bytes that read back as U+FFFD
        return text.encode("utf-8", errors="surrogatepass")


def _write(rendered: str, output: str | None) -> None:
    if output is None or output == "-":
        sys.stdout.write(rendered)
        return
    try:
        with open(output, "w", encoding="utf-8", newline="") as stream:
            stream.write(rendered)
    except OSError as exc:
        raise CommandError(f"--output {output}: {exc.strerror or exc}") from None


def _colour_terminal() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):  # https://force-color.org: set and not empty
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


def _render(output_format: ReportFormat, report: Report, options: CheckOptions) -> str:
    if output_format is ReportFormat.json:
        from gwlint.reporters import json

        return json.render(report)
    if output_format is ReportFormat.sarif:
        from gwlint.reporters import sarif

        return sarif.render(
            report,
            category=options.sarif_category,
            full_help=options.sarif_help is SarifHelp.full,
        )
    if output_format is ReportFormat.github:
        from gwlint.reporters import github

        return github.render(report)
    if output_format is ReportFormat.gitlab:
        from gwlint.reporters import gitlab

        return gitlab.render(report)
    if output_format is ReportFormat.junit:
        from gwlint.reporters import junit

        return junit.render(report)
    from gwlint.reporters import text

    return text.render(report)


# --- the fast path ------------------------------------------------------------------------------

# check's options as gwlint.cli_options declares them (typer's command is built from the same
# declaration): flag -> (field, kind), kind being bool (a flag), str, int, list (repeatable) or
# the enum of its choices
_CHECK_OPTIONS: dict[str, tuple[str, Any]] = FLAGS


def fast_check(argv: list[str]) -> CheckOptions | None:
    """``gwlint check ...`` read without typer, or None when typer must read it.

    Only the plain forms are read here: ``--name VALUE``, ``--name=VALUE``, ``-f VALUE``, flags,
    and paths that do not start with ``-`` (but ``-`` itself, standard input). A non-empty
    value that does not start with ``-`` (but ``-`` itself), a number of digits, a choice as
    written in the declaration, and a single-valued option given once. Anything else
    (``--help``, ``--``, ``-qf``, a negative number, an unknown option or choice) goes to typer,
    which reads it or says what is wrong.
    """
    if not argv or argv[0] != "check":
        return None
    values: dict[str, Any] = {}
    paths: list[str] = []
    args = iter(argv[1:])
    for arg in args:
        if not arg.startswith("-") or arg == "-":
            paths.append(arg)
            continue
        name, equals, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        spec = _CHECK_OPTIONS.get(name)
        if spec is None:
            return None
        dest, kind = spec
        if kind is bool:
            if equals:
                return None
            values[dest] = True
            continue
        if not equals:
            following = next(args, None)
            if following is None:
                return None
            value = following
        if not value or (value.startswith("-") and value != "-"):
            return None
        if kind is list:
            values.setdefault(dest, []).append(value)
            continue
        if dest in values:
            return None
        if kind is int:
            if not (value.isascii() and value.isdigit()) or len(value) > 18:
                return None
            values[dest] = int(value)
        elif kind is str:
            values[dest] = value
        elif value in kind.__members__.values():
            values[dest] = kind(value)
        else:
            return None
    return CheckOptions(paths=paths, **values)


class _Pacified:
    """A standard stream whose flush ignores a closed pipe (what typer leaves after EPIPE)."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped

    def flush(self) -> None:
        try:
            self.wrapped.flush()
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)


def _check_fast(options: CheckOptions) -> int:
    """``run_check`` with what typer does around a command: the same messages and exit codes."""
    try:
        return run_check(options)
    except CommandError as exc:
        _echo_error(f"gwlint: error: {exc}")
        return 2
    except EOFError:
        sys.stderr.write("\n")
        sys.stderr.flush()
        sys.stderr.write("gwlint: aborted\n")
        return 2
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        sys.stdout = _Pacified(sys.stdout)
        sys.stderr = _Pacified(sys.stderr)
        return 1


def _click_exception(typer: Any) -> type[Exception]:
    """click's exception base as typer ships it (typer >= 0.26 vendors click)."""
    for cls in typer.BadParameter.__mro__:
        if cls.__name__ == "ClickException":
            return cls  # type: ignore[no-any-return]
    return typer.BadParameter  # type: ignore[no-any-return]  # pragma: no cover


# typer's --show-completion and --install-completion detect the shell from the processes above
# gwlint and take no value; with this set when typer builds the command, they take the shell's
# name instead (typer's own switch, which its tests use)
_SHELL_BY_NAME = "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION"
_COMPLETION_OPTIONS = ("--show-completion", "--install-completion")


def _command(typer: Any, app: Any, argv: list[str]) -> Any:
    """The click command of the typer application. ``gwlint --show-completion bash`` (or
    ``--install-completion=zsh``) names its shell: typer then reads the name rather than
    detect the shell; without a name it detects it, as typer does."""
    first = argv[0] if argv else ""
    named = first.partition("=")[0] in _COMPLETION_OPTIONS and (
        "=" in first or (len(argv) > 1 and not argv[1].startswith("-"))
    )
    if not named or os.environ.get(_SHELL_BY_NAME):
        return typer.main.get_command(app)
    os.environ[_SHELL_BY_NAME] = "1"
    try:
        return typer.main.get_command(app)
    finally:
        del os.environ[_SHELL_BY_NAME]


def _typer_main(argv: list[str] | None) -> Any:
    """Every command line ``fast_check`` does not read: typer's, with one-line errors."""
    import typer

    from gwlint.cli_typer import app

    command = _command(typer, app, argv or [])
    click_exception = _click_exception(typer)
    try:
        return command.main(args=argv, prog_name="gwlint", standalone_mode=False)
    except click_exception as exc:
        from gwlint.wording import own_words

        text = own_words(exc.format_message() if hasattr(exc, "format_message") else str(exc))
        context = getattr(exc, "ctx", None)
        hint = f" (try '{context.command_path} --help')" if context is not None else ""
        sys.stderr.write(one_line(f"gwlint: error: {text}{hint}") + "\n")
        sys.exit(getattr(exc, "exit_code", 2))
    except typer.Abort:
        sys.stderr.write("gwlint: aborted\n")
        sys.exit(2)


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """A Python warning (a library's, or Python's about a file it parsed) as one line on
    standard error, like gwlint's own: never the source line Python would add."""
    where = f"{filename}:{lineno}: " if filename else ""
    sys.stderr.write(one_line(f"gwlint: warning: {where}{category.__name__}: {message}") + "\n")


def main(argv: list[str] | None = None) -> NoReturn:
    """Entry point: usage and internal errors exit 2 with a one-line message, never a traceback.

    Whatever goes to standard error is one line a message (``one_line``)."""
    import warnings  # already imported by Python at start-up

    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        code = _main(argv)
    sys.exit(code)


def run() -> NoReturn:
    """The ``gwlint`` program (its console script, ``python -m gwlint``): ``main``, then an exit
    that skips the interpreter's teardown once the output is flushed. Freeing a large config's
    model object by object, and the last garbage collection, took 30 ms after the report was
    written (mypy exits alike). ``main`` itself raises SystemExit, for callers in Python."""
    try:
        main()
    except SystemExit as done:
        status = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            raise done from None  # a closed pipe: Python's own exit reports it, as before
        os._exit(status)


def _main(argv: list[str] | None) -> int:
    try:
        args = sys.argv[1:] if argv is None else list(argv)
        # a shell asking for completions (the script `gwlint --show-completion` prints runs
        # gwlint with the words typed in the environment): typer answers, whatever args say
        completing = bool(os.environ.get("_GWLINT_COMPLETE"))
        if not args and not completing:  # bare `gwlint`: the short help, as ruff, exit 0
            args = ["--help"]
        options = None if completing else fast_check(args)
        code = _check_fast(options) if options is not None else _typer_main(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:  # the promise: never a traceback
        sys.stderr.write(one_line(f"gwlint: internal error: {type(exc).__name__}: {exc}") + "\n")
        return 2
    return code if isinstance(code, int) else 0


def __getattr__(name: str) -> Any:
    """``gwlint.cli.app``, the typer application, imported when asked for."""
    if name == "app":
        from gwlint.cli_typer import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
