"""The man page ``docs/gwlint.1``, generated from the command-line help (the typer/click command
tree of ``gwlint.cli_typer``): every command, argument and option as ``gwlint ... --help`` shows
it, with the exit status, the environment and the configuration files.

    python -m gwlint.reporters.docs            # rewrites docs/gwlint.1 with the rule pages
    man -l docs/gwlint.1                       # read it

Text from the help is written as roff text: a backslash as ``\\e``, a hyphen as ``\\-`` (so that
``--format`` is not typeset with a hyphen a reader cannot search for or copy), a line that would
start with ``.`` or ``'`` (a request) guarded with ``\\&``, and a character outside ASCII as its
``\\[uXXXX]`` escape (groff reads the page as Latin-1 unless told otherwise).
"""

from __future__ import annotations

import re
from typing import Any

HEADER = ".\\\" Generated from gwlint's command-line help by `python -m gwlint.reporters.docs`."
PROGRAM = "gwlint"


def roff(text: str) -> str:
    """``text`` as roff prints it literally, on one line."""
    text = " ".join(text.split())
    text = text.replace("\\", "\\e").replace("-", "\\-")
    text = re.sub(r"[^\x00-\x7f]", lambda match: f"\\[u{ord(match.group(0)):04X}]", text)
    return f"\\&{text}" if text.startswith((".", "'")) else text


def _paragraphs(text: str | None) -> list[str]:
    """A help text's paragraphs (blank-line separated), each on one roff line."""
    if not text:
        return []
    return [roff(part) for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]


def _names(label: str) -> str:
    """An option's label as the help shows it (``-f, --format <text|json>``): the option names
    bold, their value italic."""
    words = []
    for word in label.split(" "):
        if word.startswith("-"):
            comma = "," if word.endswith(",") else ""
            words.append(f"\\fB{roff(word.rstrip(','))}\\fR{comma}")
        elif word:
            words.append(f"\\fI{roff(word)}\\fR")
    return " ".join(words)


def _argument_label(param: Any) -> str:
    name = param.metavar or (param.name or "").upper()
    return name + ("..." if param.nargs != 1 else "")


def _parameters(command: Any, context: Any) -> list[str]:
    """``.TP`` entries: the command's arguments, then its options, as its help lists them."""
    lines: list[str] = []
    for kind in ("argument", "option"):
        for param in command.get_params(context):
            if param.param_type_name != kind:
                continue
            record = param.get_help_record(context)
            if record is None:
                continue
            label = _argument_label(param) if kind == "argument" else record[0]
            lines += [".TP", _names(label) if kind == "option" else f"\\fI{roff(label)}\\fR"]
            lines.append(roff(record[1]) if record[1] else "\\&")
    return lines


def _usage(command: Any, context: Any, path: str) -> str:
    pieces = " ".join(command.collect_usage_pieces(context))
    return f"\\fB{roff(path)}\\fR {roff(pieces)}"


def render(root: Any) -> str:
    """The man page of ``root``, the click command of ``gwlint`` (a group of commands)."""
    # each context as click makes it for the help (its settings: -h as well as --help)
    root_context = root.context_class(root, info_name=PROGRAM, **root.context_settings)
    commands = [(name, root.commands[name]) for name in root.list_commands(root_context)]
    contexts = {
        name: command.context_class(
            command, info_name=name, parent=root_context, **command.context_settings
        )
        for name, command in commands
    }
    summary = (root.help or "").strip().split("\n\n")[0]
    lines = [
        HEADER,
        f'.TH {PROGRAM.upper()} 1 "" "{PROGRAM}" "User Commands"',
        ".SH NAME",
        f"{PROGRAM} \\- {roff(summary[0].lower() + summary[1:].rstrip('.'))}",
        ".SH SYNOPSIS",
        _usage(root, root_context, PROGRAM),
    ]
    for name, command in commands:
        lines += [".br", _usage(command, contexts[name], f"{PROGRAM} {name}")]
    lines.append(".SH DESCRIPTION")
    for paragraph in _paragraphs(root.help):
        lines += [".PP", paragraph]
    lines += [
        ".PP",
        roff(
            "Run with no argument, gwlint prints this usage and exits 0. "
            f"`{PROGRAM} COMMAND --help` shows each command's help, as below."
        ),
        ".SH COMMANDS",
    ]
    for name, command in commands:
        lines += [".TP", f"\\fB{roff(name)}\\fR", roff(command.get_short_help_str(limit=200))]
    lines += [".SH OPTIONS", f".SS {PROGRAM}", *_parameters(root, root_context)]
    for name, command in commands:
        lines.append(f'.SS "{PROGRAM} {roff(name)}"')
        lines.append(_usage(command, contexts[name], f"{PROGRAM} {name}"))
        for paragraph in _paragraphs(command.help):
            lines += [".PP", paragraph]
        lines += _parameters(command, contexts[name])
    lines += _TAIL
    return "\n".join(lines) + "\n"


def _tail() -> list[str]:
    def entry(term: str, text: str) -> list[str]:
        return [".TP", f"\\fB{roff(term)}\\fR", roff(text)]

    return [
        ".SH EXIT STATUS",
        *entry(
            "0",
            "No finding at least as severe as fail-on (warning by default), or "
            "--exit-zero; also help, --version, --show-files and --show-settings.",
        ),
        *entry("1", "At least one finding at least as severe as fail-on."),
        *entry(
            "2",
            "A usage error (an unknown option, a bad value, an unreadable "
            "configuration file) or an internal error: one line on standard error.",
        ),
        *entry("130", "Interrupted (Ctrl-C)."),
        ".SH ENVIRONMENT",
        *entry(
            "NO_COLOR", "Set and not empty: no colour, even on a terminal (https://no-color.org)."
        ),
        *entry(
            "FORCE_COLOR",
            "Set and not empty: colour the text output off a terminal "
            "too (NO_COLOR and --color never win).",
        ),
        *entry("TERM", "dumb: no colour."),
        ".SH FILES",
        ".PP",
        roff(
            "The configuration, looked for from the folders checked upward; in one folder "
            "the first of these that exists is read (docs/configuration.md tells how they "
            "combine):"
        ),
        *entry(".gwlint.toml", "gwlint's settings, at the top level."),
        *entry("gwlint.toml", "The same."),
        *entry(
            "pyproject.toml", "Its [tool.gwlint] table (a pyproject.toml without one is skipped)."
        ),
        ".PP",
        roff(
            "--config FILE names the file instead; --isolated reads none. The keys are "
            "described by the JSON Schema docs/gwlint.schema.json."
        ),
        ".SH SEE ALSO",
        roff(
            "nginx(8); `gwlint rules` and `gwlint rule CODE` for the rules; "
            "https://github.com/gwlint/gwlint (README.md, docs/configuration.md, docs/ci.md)."
        ),
    ]


_TAIL = _tail()


def expected() -> str:
    """``docs/gwlint.1`` as the current command line makes it."""
    import typer

    from gwlint.cli_typer import app

    return render(typer.main.get_command(app))
