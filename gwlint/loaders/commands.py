"""A command that starts an app server (a ``Launch``) -> an app server of the model.

gunicorn: its own precedence, lowest first: the environment's defaults (``WEB_CONCURRENCY``,
``PORT``, ``FORWARDED_ALLOW_IPS``), the config file (``-c``/``--config``, else
``./gunicorn.conf.py`` where the command runs), ``GUNICORN_CMD_ARGS``, then the command line;
flags parsed as gunicorn's argparse does (``--bind=X``, ``-w4``, unique prefixes of long
options, repeated ``-b``). uvicorn: its click options, and ``UVICORN_<NAME>`` variables. uWSGI:
``--name value`` in order, ``--ini`` files read where they appear. daphne and granian: their
options (granian's ``GRANIAN_<NAME>`` too). hypercorn: its argparse options over its config file
(``-c``: TOML, ``python:module``, ``file:path.py``; read by ``gwlint.loaders.hypercorn``).

Every value keeps the launcher line that set it. Words the server would reject (an unknown or
ambiguous option, a value of the wrong type) are GW705; an option written with a typographic
dash (a plain argument, which the server ignores or refuses) is GW706.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from gwlint.fixes.plan import Plan, ReplaceText
from gwlint.loaders.common import PLATFORM_SET, Problems, number_problem, outside, split_hint
from gwlint.loaders.launch import EnvValue, Launch, Word
from gwlint.model import address as addr
from gwlint.model.appserver import AppServer, AsgiServer, Listener, UvicornServer
from gwlint.model.defaults import GUNICORN_SINCE
from gwlint.model.facts import Facts
from gwlint.model.gunicorn_settings import GUNICORN_SETTINGS
from gwlint.model.source import Source, Sourced
from gwlint.model.unread import unread_env_note
from gwlint.model.uvicorn_options import UVICORN_OPTIONS, UVICORN_VERSION
from gwlint.model.versions import Version

DASHES = ("\u2014", "\u2013", "\u2212", "\u2012", "\u2010", "\u2011", "\ufe63", "\uff0d")


@dataclass
class Parsed:
    """Settings a command line sets (name -> value with its source), in its own words."""

    settings: dict[str, Sourced[Any]] = field(default_factory=dict)
    positional: list[Word] = field(default_factory=list)
    config: Word | None = None  # gunicorn -c
    hidden: tuple[str, Source] | None = None  # a word that may set anything
    # an option came after the first positional words: gunicorn's argparse has given its
    # ``args`` (nargs="*") that first run, so a later plain word is an unrecognized argument
    run_closed: bool = False


@dataclass
class Built:
    """An app server from a launch, and the config files it read (not linted on their own)."""

    app: AppServer | None
    consumed: list[str] = field(default_factory=list)


def _source(launch: Launch, word: Word, note: str | None = None) -> Source:
    return Source(path=launch.path, line=word.line, column=word.column, note=note)


def _typographic(word: Word) -> bool:
    return word.text is not None and word.text[:1] in DASHES


def _report_dash(
    launch: Launch, word: Word, program: str, problems: Problems, *, refused: bool = False
) -> None:
    """``refused``: the server exits at start on this plain word (gunicorn: after an option;
    uvicorn: always, click takes one argument); else it ignores it."""
    text = word.text or ""
    meant = "--" + text.lstrip("".join(DASHES) + "-")
    dash = f"{text!r} starts with a typographic dash (U+{ord(text[0]):04X}), not '-'"
    if program == "uvicorn":
        message = (
            f"{dash}: uvicorn refuses to start ('Got unexpected extra argument', exit 2) and "
            f"nothing listens ({launch.label})"
        )
    elif program == "uWSGI":
        # a bare word is a config file to load: core/init.c, 'unable to load configuration'
        refused = True
        message = (
            f"{dash}: uWSGI loads it as a config file and exits ('unable to load configuration "
            f"from {text}'); nothing listens ({launch.label})"
        )
    elif program == "hypercorn":
        # argparse with one positional (the application): a plain word is the application, or
        # one too many (__main__.py:27-29 of hypercorn 0.18.0)
        refused = True
        message = (
            f"{dash}: hypercorn takes it for the application or refuses it ('unrecognized "
            f"arguments', exit 2): either way nothing listens ({launch.label})"
        )
    elif refused:
        message = (
            f"{dash}, after an option: {program} refuses to start ('unrecognized arguments', "
            f"exit 2) and nothing listens ({launch.label})"
        )
    else:
        message = (
            f"{dash}: {program} takes it for a plain argument and ignores it, so {meant} is "
            f"not set ({launch.label})"
        )
    problems.add(
        "GW706",
        launch.path,
        word.line,
        message,
        column=word.column,
        severity="error" if refused or program == "uvicorn" else None,
        fix=f"write {meant} with two ASCII hyphens",
        plan=Plan(
            changes=(ReplaceText(launch.path, word.line, text, meant),),
            safe=True,
            description=f"write {meant} with two ASCII hyphens",
        ),
    )


def _reject(launch: Launch, word: Word, program: str, message: str, problems: Problems) -> None:
    problems.add(
        "GW705",
        launch.path,
        word.line,
        f"{program} refuses this command line ({launch.label}): {message}; it exits at start "
        "and nothing listens",
        column=word.column,
    )


_OPTION_WITH_VALUE = re.compile(r"(--[A-Za-z][-A-Za-z0-9_.]*)=")


def split_unknown_option(word: Word) -> tuple[str, Word] | None:
    """``--bind=:$PORT`` with $PORT unknown: (``--bind``, the value as an unknown word). The
    option is known, only its value is not."""
    if word.text is not None:
        return None
    found = _OPTION_WITH_VALUE.match(word.raw)
    if found is None or "$" in found.group(1):
        return None
    value = word.raw[found.end() :]
    return found.group(1), Word(
        text=None, raw=value, line=word.line, column=word.column, unknown=word.unknown
    )


def _positional(word: Word, words: list[Word], index: int, parsed: Parsed, program: str) -> bool:
    """An unknown word that cannot be an option: it starts with text of its own
    (``{{ app }}.wsgi``, ``app_$ENV:create``), or it is one quoted word where the app goes
    (``gunicorn -k x -c y "$APP_MODULE"``: the last word; ``uvicorn "$APP" --port 80``: the
    first plain one), and the command has no app yet."""
    raw = word.raw
    if raw and raw[0] not in "-$\"'`{\\~" and not raw.startswith("__GWLINT"):
        return True
    if raw.startswith("__GWLINT_UNKNOWN_") and not raw.endswith("__"):
        return True  # a template placeholder with text after it: app.{{ x }}
    quoted = raw.startswith('"') and raw.endswith('"') and len(raw) > 1
    if not quoted or parsed.positional:
        return False
    if program == "gunicorn":
        return index == len(words)
    return program in ("uvicorn", "hypercorn")


def _common_word(
    launch: Launch,
    words: list[Word],
    index: int,
    parsed: Parsed,
    program: str,
    problems: Problems,
    note: str | None = None,
) -> str | None:
    """What gunicorn's and uvicorn's parsers do alike with ``words[index - 1]``: an unknown
    word hides what it may set, ``--`` ends the options, a typographic dash and a plain word
    are arguments. "next", "stop", or None when the word is an option to parse."""
    word = words[index - 1]
    text = word.text
    if text is None and _positional(word, words, index, parsed, program):
        parsed.positional.append(word)  # the app (a module:callable), not an option
        return "next"
    if text is None:
        if parsed.hidden is None:
            source = _source(launch, word, note)
            parsed.hidden = (
                f"the command line has a word gwlint cannot know ({word.raw}: "
                f"{word.unknown}), which may set it",
                source,
            )
            reason, hint = split_hint(word.unknown or "")
            problems.add(
                "GW008",
                source.path or launch.path,
                word.line,
                f"{program}'s command line has {word.raw}, which gwlint cannot read ({reason}): "
                f"the options it may set are not checked ({launch.label})",
                column=word.column,
                severity="info",
                fix=hint,
            )
        return "next"
    if text == "--":
        parsed.positional.extend(words[index:])
        return "stop"
    if _typographic(word):
        _report_dash(launch, word, program, problems, refused=parsed.run_closed)
        parsed.positional.append(word)
        return "next"
    if not text.startswith("-") or text == "-":
        parsed.positional.append(word)
        return "next"
    if parsed.positional:
        parsed.run_closed = True
    return None


_LITERAL_OPTION = re.compile(r"-{1,2}[A-Za-z][-A-Za-z0-9_.]*")


def _unknown_values_apart(words: list[Word]) -> list[Word]:
    """``--bind=:$PORT`` (value unknown) as ``--bind`` and its unknown value, two words: the
    parsers then take it as any option whose value is not known. An option written as it is
    but not known to be passed (appended to an array inside an if block) keeps its name and
    its unknown reason: the setting it sets is unknown, the others are not hidden."""
    out: list[Word] = []
    for word in words:
        if word.text is None and _LITERAL_OPTION.fullmatch(word.raw.strip("'\"")):
            out.append(word._replace(text=word.raw.strip("'\"")))
            continue
        split = split_unknown_option(word)
        if split is None:
            out.append(word)
            continue
        flag, value = split
        out.extend((Word(text=flag, raw=flag, line=word.line, column=word.column), value))
    return out


# --- gunicorn ------------------------------------------------------------------------------------


def _gunicorn_flags() -> dict[str, tuple[str, str]]:
    """flag -> (setting, kind)."""
    flags: dict[str, tuple[str, str]] = {}
    for name, (spelled, _default, kind) in GUNICORN_SETTINGS.items():
        for flag in spelled:
            flags[flag] = (name, kind)
    return flags


GUNICORN_FLAGS = _gunicorn_flags()


def _spelled(flag: str) -> str:
    """The option as argparse names it in an error: every spelling, ``-t/--timeout``."""
    name = GUNICORN_FLAGS[flag][0] if flag in GUNICORN_FLAGS else None
    if name is None:
        return flag
    return "/".join(GUNICORN_SETTINGS[name][0])


_GUNICORN_INFO = frozenset({"-v", "--version", "-h", "--help", "--check-config", "--print-config"})


def _typed_gunicorn(name: str, kind: str, text: str) -> tuple[Any, str | None]:
    """(value, error) as gunicorn's argparse reads an option's value."""
    if kind == "int":
        try:
            # --umask is auto_int: int(x, 0), so 0o077 and 0x3f are accepted; gunicorn then
            # reads a leading 0 as octal (077) itself
            if name == "umask":
                return int(text, 8) if text[:1] == "0" and text.isdigit() else int(text, 0), None
            return int(text), None
        except ValueError:
            return None, f"invalid int value: {text!r}"
    return text, None


def parse_gunicorn(
    launch: Launch,
    words: list[Word],
    problems: Problems,
    *,
    note: str | None = None,
    path: str | None = None,
    version: Version | None = None,
) -> Parsed:
    """gunicorn's argparse over ``words`` (written in ``path``: the launcher, or the file that
    sets GUNICORN_CMD_ARGS)."""
    if path is not None and path != launch.path:
        launch = replace(launch, path=path)
    parsed = Parsed()
    longs = sorted(flag for flag in GUNICORN_FLAGS if flag.startswith("--"))
    words = _unknown_values_apart(words)
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        handled = _common_word(launch, words, index, parsed, "gunicorn", problems, note)
        if handled == "stop":
            break
        if handled == "next" or word.text is None:
            continue
        text = word.text
        flag, has_value, attached = text, False, ""
        if text.startswith("--") and "=" in text:
            flag, _, attached = text.partition("=")
            has_value = True
        elif not text.startswith("--") and len(text) > 2:
            flag, attached, has_value = text[:2], text[2:], True
            if attached.startswith("="):
                attached = attached[1:]
        if flag in _GUNICORN_INFO:
            return Parsed()  # gunicorn --version / --check-config: it does not serve
        if flag not in GUNICORN_FLAGS and flag.startswith("--"):
            matches = [long for long in longs if long.startswith(flag)]
            if len(matches) > 1:
                _reject(
                    launch,
                    word,
                    "gunicorn",
                    f"ambiguous option: {flag} could match {', '.join(matches[:4])}",
                    problems,
                )
                continue
            if matches:
                flag = matches[0]  # argparse accepts a unique prefix
        if flag not in GUNICORN_FLAGS:
            # argparse lists the unknown option alone while the positional (the app) is still to
            # come: the plain words after it fill it; once the app was given, with those words
            rest: list[str] = []
            if parsed.positional:
                for after in words[index:]:
                    if not after.text or after.text[:1] in ("-", *DASHES):
                        break
                    rest.append(after.raw)
            refused = " ".join([text, *rest])
            _reject(launch, word, "gunicorn", f"unrecognized arguments: {refused}", problems)
            continue
        name, kind = GUNICORN_FLAGS[flag]
        since = GUNICORN_SINCE.get(name)
        if since is not None and version is not None and version < since:
            added = ".".join(str(part) for part in since[:2])
            _reject(
                launch,
                word,
                "gunicorn",
                f"unrecognized arguments: {text} ({flag} is new in gunicorn {added}; "
                "production runs an older one, see --gunicorn-version)",
                problems,
            )
            continue
        source = _source(launch, word, note)
        if word.unknown is not None:  # the option itself may not be passed
            value_unknown = word.unknown
            if kind != "bool" and not has_value and index < len(words):
                index += 1  # its value goes with it
            parsed.settings[name] = Sourced[Any](
                value=None, raw=text, source=source, unknown=value_unknown
            )
            continue
        if kind == "bool":
            if has_value and not text.startswith("--"):
                # -DR: several flags in one word; gunicorn's bool flags have no short forms but -D
                _reject(launch, word, "gunicorn", f"unrecognized arguments: {text}", problems)
                continue
            value = name != "sendfile"  # --no-sendfile stores False
            parsed.settings[name] = Sourced[Any](value=value, raw=text, source=source)
            continue
        if has_value:
            value_word = Word(text=attached, raw=attached, line=word.line, column=word.column)
        elif index < len(words):
            value_word = words[index]
            index += 1
        else:
            _reject(
                launch,
                word,
                "gunicorn",
                f"argument {_spelled(flag)}: expected one argument",
                problems,
            )
            continue
        raw = f"{flag} {value_word.raw}" if not has_value else text
        if name == "config":
            parsed.config = value_word
            continue
        if value_word.text is None:
            unknown = value_word.unknown or "not statically known"
            setting = Sourced[Any](value=None, raw=raw, source=source, unknown=unknown)
        else:
            value, error = _typed_gunicorn(name, kind, value_word.text)
            if error is not None:
                _reject(launch, word, "gunicorn", f"argument {_spelled(flag)}: {error}", problems)
                continue
            setting = _sourced_number(value, raw, source)
        if kind == "list":
            previous = parsed.settings.get(name)
            if previous is not None and previous.known and setting.known:
                setting = Sourced[Any](
                    value=[*list(previous.value or []), setting.value],
                    raw=f"{previous.raw} {raw}",
                    source=previous.source,
                )
            elif setting.known:
                setting = Sourced[Any](value=[setting.value], raw=raw, source=source)
        parsed.settings[name] = setting
    return parsed


def _env_words(launch: Launch, variable: EnvValue, name: str) -> list[Word]:
    """The words of a variable holding a command line (GUNICORN_CMD_ARGS)."""
    if variable.value is None:
        return [
            Word(
                text=None,
                raw=f"${name}",
                line=variable.line,
                column=variable.column,
                unknown=variable.unknown or f"${name} is not known",
            )
        ]
    try:
        parts = shlex.split(variable.value)
    except ValueError:
        parts = variable.value.split()
    return [Word(text=p, raw=p, line=variable.line, column=variable.column) for p in parts]


def _locate(launch: Launch, value: str) -> str | None:
    """The repository file for a path the command gives (relative to where it runs)."""
    if value.startswith("file:"):
        value = value[5:]
    elif value.startswith("python:"):
        value = value[7:].replace(".", "/") + ".py"
    candidates: list[str] = []
    if os.path.isabs(value):
        workdir = (launch.workdir or "").rstrip("/")
        if workdir and value.startswith(workdir + "/"):
            candidates.append(os.path.join(launch.folder, value[len(workdir) + 1 :]))
        parts = value.strip("/").split("/")
        candidates.extend(os.path.join(launch.folder, *parts[i:]) for i in range(len(parts)))
    else:
        # where the command runs is the launcher's folder, or (supervisord, systemd without a
        # working directory) a folder above it in the repository
        folder = os.path.normpath(launch.folder)
        for _ in range(4):
            candidates.append(os.path.join(folder, value))
            if folder in (".", os.sep) or os.path.isabs(folder):
                break
            folder = os.path.dirname(folder) or "."
    for candidate in candidates:
        candidate = os.path.normpath(candidate)
        # never a file elsewhere on this host (../../etc/..., a symlink out of the tree)
        if os.path.isfile(candidate) and not outside(candidate, launch.path, folder=launch.folder):
            return candidate
    return None


def _env(launch: Launch, facts: Facts) -> dict[str, str]:
    """The environment the command sees: the launcher's values, --env over them."""
    known = {name: v.value for name, v in launch.env.items() if v.value is not None}
    return {**known, **facts.env}


def _from_env(
    launch: Launch,
    facts: Facts,
    variable: str,
    setting: str,
    value: Callable[[str], tuple[Any, str | None]],
) -> Sourced[Any] | None:
    """A default the server reads from the environment, set by the launcher (not by --env:
    the loader gives those their own source). ``value``: the text read as the server reads
    it, (value, why it cannot be read)."""
    if variable in facts.env or variable not in launch.env:
        return None
    env = launch.env[variable]
    source = Source(path=env.path, line=env.line, column=env.column, note=f"${variable}")
    if env.value is None:
        reason = env.unknown or f"${variable} is not known"
        return Sourced[Any](value=None, raw=f"${variable}", source=source, unknown=reason)
    read, error = value(env.value)
    return _sourced_number(read, env.value, source, error)


def _sourced_number(
    value: Any, raw: str, source: Source, unknown: str | None = None
) -> Sourced[Any]:
    """A value read from a command line or the environment; a number no setting can hold
    (``--workers=10**400``, ``inf``) is unknown, not a number for the rules' arithmetic."""
    if unknown is None and (problem := number_problem(value)) is not None:
        return Sourced[Any](value=None, raw=raw, source=source, unknown=problem)
    return Sourced[Any](value=None if unknown else value, raw=raw, source=source, unknown=unknown)


def build_gunicorn_launch(
    launch: Launch,
    facts: Facts,
    problems: Problems,
    *,
    image_configs: list[str] | None = None,
    hedge: str | None = None,
) -> Built:
    """``image_configs``: the gunicorn config files the image the command runs in holds; when
    ``-c`` names one gwlint cannot know and the image holds exactly one, that is the one."""
    from gwlint.loaders.gunicorn import build_gunicorn, read_settings

    version = facts.gunicorn_version
    cli = parse_gunicorn(launch, list(launch.args), problems, version=version)
    env_args = launch.env.get("GUNICORN_CMD_ARGS")
    from_env = (
        parse_gunicorn(
            launch,
            _env_words(launch, env_args, "GUNICORN_CMD_ARGS"),
            problems,
            note="GUNICORN_CMD_ARGS",
            path=env_args.path,
            version=version,
        )
        if env_args is not None
        else Parsed()
    )
    env = _env(launch, facts)
    run_facts = dataclasses.replace(facts, env=env)
    settings: dict[str, Sourced[Any]] = {}
    # gunicorn validates these as it does its settings (workers = "abc" is GW003, later)
    read: tuple[tuple[str, str, Callable[[str], tuple[Any, str | None]]], ...] = (
        ("workers", "WEB_CONCURRENCY", lambda v: (v, None)),
        ("bind", "PORT", lambda v: ([f"0.0.0.0:{v}"], None)),
        ("forwarded_allow_ips", "FORWARDED_ALLOW_IPS", lambda v: (v, None)),
    )
    for name, variable, convert in read:
        found = _from_env(launch, facts, variable, name, convert)
        if found is not None:
            settings[name] = found
    consumed: list[str] = []
    hidden = cli.hidden or from_env.hidden
    config_word = cli.config or from_env.config
    only_config = image_configs[0] if image_configs and len(image_configs) == 1 else None
    if config_word is not None and config_word.text is None and only_config is not None:
        # -c "$GUNICORN_CONF": the image holds one gunicorn config, the one it reads
        consumed.append(only_config)
        settings.update(read_settings(only_config, run_facts, problems) or {})
    elif config_word is not None and config_word.text is None:
        hidden = hidden or (
            f"the config file is {config_word.raw}, which is not known",
            _source(launch, config_word),
        )
        problems.add(
            "GW008",
            launch.path,
            config_word.line,
            f"gunicorn reads its config file from {config_word.raw} ({launch.label}), and "
            f"{config_word.unknown}: settings that file may hold are not checked",
            column=config_word.column,
            severity="info",
        )
    elif config_word is not None and config_word.text is not None:
        found_path = _locate(launch, config_word.text)
        if found_path is None:
            problems.add(
                "GW008",
                launch.path,
                config_word.line,
                f"gunicorn reads its config file {config_word.text} ({launch.label}), which is "
                "not in the repository: settings it could set are not checked",
                column=config_word.column,
                severity="info",
            )
            hidden = hidden or (
                f"it may be set in {config_word.text}, which is not in the repository",
                _source(launch, config_word),
            )
        else:
            consumed.append(found_path)
            settings.update(read_settings(found_path, run_facts, problems) or {})
    else:
        default = os.path.normpath(os.path.join(launch.folder, "gunicorn.conf.py"))
        if os.path.isfile(default):
            consumed.append(default)
            settings.update(read_settings(default, run_facts, problems) or {})
    settings.update(from_env.settings)
    settings.update(cli.settings)
    if not cli.positional and not from_env.positional and not launch.implicit:
        pass  # the app may come from wsgi_app in the config file; not gwlint's concern
    server = build_gunicorn(
        launch.path,
        settings,
        run_facts,
        problems,
        hidden=hidden,
        launcher=True,
        config_files=tuple(consumed),
        hedge=hedge if env_args is None else None,
    )
    server = server._replace(
        launcher=launch.label,
        launcher_line=launch.line,
        beside_nginx=launch.beside_nginx,
        config_file=consumed[0] if consumed else None,
    )
    return Built(app=server, consumed=consumed)


# --- uvicorn -------------------------------------------------------------------------------------


def _uvicorn_flags() -> dict[str, tuple[str, str, bool]]:
    """flag -> (option, kind, value for a flag: True, or False for --no-x)."""
    flags: dict[str, tuple[str, str, bool]] = {}
    for name, (spelled, _default, kind) in UVICORN_OPTIONS.items():
        for index, flag in enumerate(spelled):
            flags[flag] = (name, kind, not (kind == "bool" and index > 0))
    return flags


UVICORN_FLAGS = _uvicorn_flags()


def _typed_uvicorn(kind: str, text: str) -> tuple[Any, str | None]:
    if kind == "int":
        try:
            return int(text), None
        except ValueError:
            return None, f"{text!r} is not a valid integer"
    if kind == "float":
        try:
            return float(text), None
        except ValueError:
            return None, f"{text!r} is not a valid float"
    return text, None


def parse_uvicorn(launch: Launch, problems: Problems) -> Parsed:
    """uvicorn's click options (no abbreviations; --x=value or --x value)."""
    parsed = Parsed()
    words = _unknown_values_apart(list(launch.args))
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        handled = _common_word(launch, words, index, parsed, "uvicorn", problems)
        if handled == "stop":
            break
        if handled == "next" or word.text is None:
            continue
        text = word.text
        flag, _, attached = text.partition("=")
        if flag in ("--version", "--help"):
            return Parsed()
        if flag not in UVICORN_FLAGS:
            _reject(launch, word, "uvicorn", f"No such option '{flag}'", problems)
            return parsed  # click stops at the first error
        name, kind, flag_value = UVICORN_FLAGS[flag]
        source = _source(launch, word)
        if word.unknown is not None:  # the option itself may not be passed
            if kind != "bool" and "=" not in text and index < len(words):
                index += 1  # its value goes with it
            parsed.settings[name] = Sourced[Any](
                value=None, raw=text, source=source, unknown=word.unknown
            )
            continue
        if kind == "bool":
            parsed.settings[name] = Sourced[Any](value=flag_value, raw=text, source=source)
            continue
        if "=" in text:
            value_word = Word(text=attached, raw=attached, line=word.line, column=word.column)
        elif index < len(words):
            value_word = words[index]
            index += 1
        else:
            _reject(launch, word, "uvicorn", f"Option '{flag}' requires an argument", problems)
            return parsed
        raw = text if "=" in text else f"{flag} {value_word.raw}"
        if value_word.text is None:
            unknown = value_word.unknown or "not statically known"
            parsed.settings[name] = Sourced[Any](
                value=None, raw=raw, source=source, unknown=unknown
            )
            continue
        value, error = _typed_uvicorn(kind, value_word.text)
        if error is not None:
            _reject(launch, word, "uvicorn", f"Invalid value for '{flag}': {error}", problems)
            return parsed
        if kind == "list":
            previous = parsed.settings.get(name)
            values = [*list(previous.value or [] if previous is not None else []), value]
            parsed.settings[name] = Sourced[Any](value=values, raw=raw, source=source)
        else:
            parsed.settings[name] = _sourced_number(value, raw, source)
    if len([w for w in parsed.positional if w.text is not None]) > 1:
        extra = [w for w in parsed.positional if w.text is not None][1]
        _reject(launch, extra, "uvicorn", f"Got unexpected extra argument ({extra.text})", problems)
    return parsed


def _uvicorn_default(name: str, label: str, hedge: str | None = None) -> Sourced[Any]:
    _flags, raw, _kind = UVICORN_OPTIONS[name]
    source = Source(default_of=label, note=hedge)
    try:
        value = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return Sourced[Any](value=None, raw=raw, source=source, unknown="no literal default")
    return Sourced[Any](value=value, raw=raw, source=source)


def _option_from_env(
    variable: str, kind: str, label: str, launch: Launch, facts: Facts
) -> Sourced[Any] | None:
    """An option a server reads from ``variable`` (``UVICORN_PORT``, ``GRANIAN_PORT``): from
    ``--env``, else from the launcher's environment; None when neither sets it."""
    env = launch.env.get(variable)
    if variable in facts.env:
        text: str | None = facts.env[variable]
        source = Source(default_of=label, note=f"--env {variable}")
        unknown = None
    elif env is not None:
        text = env.value
        source = Source(path=env.path, line=env.line, column=env.column, note=f"${variable}")
        unknown = env.unknown or (None if text is not None else f"${variable} is not known")
    else:
        return None
    if text is None:
        return Sourced[Any](value=None, raw=variable, source=source, unknown=unknown)
    if kind == "bool":
        flag = text.strip().lower() in ("1", "true", "yes", "on", "y", "t")
        return Sourced[Any](value=flag, raw=text, source=source)
    value, error = _typed_uvicorn(kind, text)
    return _sourced_number(value, text, source, error)


def _report_unknown(program: str, values: dict[str, Sourced[Any]], problems: Problems) -> None:
    """GW008 for each option of ``program``'s command line that gwlint cannot know."""
    reported: set[tuple[str, int | None, str | None]] = set()
    for name, setting in values.items():
        if setting.known or setting.source.path is None or setting.raw == "?":
            continue  # known, or hidden by a word reported where it is written
        if PLATFORM_SET in (setting.unknown or ""):
            continue  # PORT, WEB_CONCURRENCY: set where a Procfile runs, nothing to say
        place = (setting.source.path, setting.source.line, setting.unknown)
        if place in reported:
            continue  # several options from one unknown value: said once
        reported.add(place)
        reason, hint = split_hint(setting.unknown or "")
        problems.add(
            "GW008",
            setting.source.path,
            setting.source.line or 1,
            f"{program} option {name} is not statically known: {reason}; rules that need it "
            "are skipped",
            column=setting.source.column,
            severity="info",
            fix=hint,
        )


def build_uvicorn_launch(
    launch: Launch, facts: Facts, problems: Problems, *, hedge: str | None = None
) -> Built:
    """``hedge``: "unless .env (not in the repository) may set UVICORN_*...": its defaults say
    so."""
    parsed = parse_uvicorn(launch, problems)
    label = f"uvicorn {'.'.join(UVICORN_VERSION.split('.')[:2])}"
    values: dict[str, Sourced[Any]] = {}
    for name, (_flags, _raw, kind) in UVICORN_OPTIONS.items():
        if name in parsed.settings:
            values[name] = parsed.settings[name]
            continue
        from_env = _option_from_env(f"UVICORN_{name.upper()}", kind, label, launch, facts)
        if from_env is not None:
            values[name] = from_env
            continue
        if parsed.hidden is not None:
            reason, where = parsed.hidden
            values[name] = Sourced[Any](value=None, raw="?", source=where, unknown=reason)
            continue
        values[name] = _uvicorn_default(name, label, hedge)
    allow = values["forwarded_allow_ips"]
    if "forwarded_allow_ips" not in parsed.settings and allow.value is None and allow.known:
        # uvicorn's Config: the option, else $FORWARDED_ALLOW_IPS, else 127.0.0.1
        found = _from_env(
            launch, facts, "FORWARDED_ALLOW_IPS", "forwarded_allow_ips", lambda v: (v, None)
        )
        if found is not None:
            values["forwarded_allow_ips"] = found
        elif "FORWARDED_ALLOW_IPS" in facts.env:
            text = facts.env["FORWARDED_ALLOW_IPS"]
            source = Source(default_of=label, note="--env FORWARDED_ALLOW_IPS")
            values["forwarded_allow_ips"] = Sourced[Any](value=text, raw=text, source=source)
    if "workers" not in parsed.settings and values["workers"].value is None:
        concurrency = _from_env(
            launch, facts, "WEB_CONCURRENCY", "workers", lambda v: _typed_uvicorn("int", v)
        )
        if concurrency is not None:
            values["workers"] = concurrency
        elif "WEB_CONCURRENCY" in facts.env:
            text = facts.env["WEB_CONCURRENCY"]
            source = Source(default_of=label, note="--env WEB_CONCURRENCY")
            number, error = _typed_uvicorn("int", text)
            values["workers"] = _sourced_number(number, text, source, error)
        elif values["workers"].known:
            values["workers"] = Sourced[Any](value=1, raw="1", source=Source(default_of=label))
    _report_unknown("uvicorn", values, problems)
    listeners: list[Listener] = []
    listeners_unknown: str | None = None
    tls = bool(values["ssl_certfile"].value)  # the key may be in the same PEM file
    uds, fd = values["uds"], values["fd"]
    if uds.value:
        listeners.append(
            Listener(
                address=addr.parse_gunicorn_bind(f"unix:{uds.value}"),
                protocol="http",
                option="uds",
                source=uds.source,
                tls=tls,
            )
        )
    elif fd.value is not None:
        listeners.append(
            Listener(
                address=addr.parse_gunicorn_bind(f"fd://{fd.value}"),
                protocol="http",
                option="fd",
                source=fd.source,
                tls=tls,
            )
        )
    else:
        host, port = values["host"], values["port"]
        if host.known and port.known:
            text = (
                f"[{host.value}]:{port.value}"
                if ":" in str(host.value)
                else f"{host.value}:{port.value}"
            )
            where = port.source if not port.is_default else host.source
            listeners.append(
                Listener(
                    address=addr.parse_gunicorn_bind(text),
                    protocol="http",
                    option="port" if not port.is_default else "host",
                    source=where,
                    tls=tls,
                )
            )
        else:
            listeners_unknown = host.unknown or port.unknown
    server = UvicornServer(
        path=launch.path,
        version_label=label,
        listeners=tuple(listeners),
        listeners_unknown=listeners_unknown,
        timeout_keep_alive=_int(values["timeout_keep_alive"]),
        workers=_int(values["workers"]),
        backlog=_int(values["backlog"]),
        timeout_graceful_shutdown=_int(values["timeout_graceful_shutdown"]),
        values=values,
        launcher=launch.label,
        launcher_line=launch.line,
        beside_nginx=launch.beside_nginx,
    )
    return Built(app=server)


def _int(setting: Sourced[Any]) -> Sourced[int]:
    value = (
        setting.value
        if isinstance(setting.value, int) and not isinstance(setting.value, bool)
        else None
    )
    return Sourced[int](
        value=value, raw=setting.raw, source=setting.source, unknown=setting.unknown
    )


# --- daphne and granian -------------------------------------------------------------------------


def _asgi_table(program: str) -> dict[str, tuple[tuple[str, ...], str, str]]:
    from gwlint.model.asgi_options import DAPHNE_OPTIONS, GRANIAN_OPTIONS, HYPERCORN_OPTIONS

    if program == "hypercorn":
        return HYPERCORN_OPTIONS
    return DAPHNE_OPTIONS if program == "daphne" else GRANIAN_OPTIONS


def _asgi_flags(program: str) -> dict[str, tuple[str, str, bool]]:
    """flag -> (option, kind, value for a flag: True, or False for --no-x)."""
    flags: dict[str, tuple[str, str, bool]] = {}
    for name, (spelled, _default, kind) in _asgi_table(program).items():
        for index, flag in enumerate(spelled):
            negative = kind == "bool" and flag.startswith("--no-") and index > 0
            flags[flag] = (name, kind, not negative)
    return flags


def parse_asgi(launch: Launch, problems: Problems) -> Parsed:
    """daphne's and hypercorn's argparse options (``-p 8000``, ``-p8000``, ``--port=8000``,
    unique prefixes of long options) or granian's click options (``--port 8000``,
    ``--port=8000``)."""
    program = launch.program
    flags = _asgi_flags(program)
    argparse_like = program in ("daphne", "hypercorn")
    parsed = Parsed()
    words = _unknown_values_apart(list(launch.args))
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        handled = _common_word(launch, words, index, parsed, program, problems)
        if handled == "stop":
            break
        if handled == "next" or word.text is None:
            continue
        text = word.text
        if text in ("--help", "-h", "--version"):
            return Parsed()
        flag, eq, attached = text.partition("=")
        if not text.startswith("--") and len(text) > 2:
            flag, attached, eq = text[:2], text[2:], "=" if argparse_like else ""
        if argparse_like and flag.startswith("--") and flag not in flags:
            matches = [f for f in flags if f.startswith(flag)]
            if len(matches) == 1:
                flag = matches[0]
            elif matches:
                message = f"ambiguous option: {flag} could match {', '.join(matches)}"
                _reject(launch, word, program, message, problems)
                return parsed
        if flag not in flags or (eq and not argparse_like and not text.startswith("--")):
            message = (
                f"unrecognized arguments: {text}" if argparse_like else f"No such option: {flag}"
            )
            _reject(launch, word, program, message, problems)
            return parsed
        name, kind, flag_value = flags[flag]
        source = _source(launch, word)
        if word.unknown is not None:
            if kind != "bool" and not eq and index < len(words):
                index += 1
            parsed.settings[name] = Sourced[Any](
                value=None, raw=text, source=source, unknown=word.unknown
            )
            continue
        if kind == "bool":
            parsed.settings[name] = Sourced[Any](value=flag_value, raw=text, source=source)
            continue
        if eq:
            value_word = Word(text=attached, raw=attached, line=word.line, column=word.column)
        elif index < len(words):
            value_word = words[index]
            index += 1
        else:
            _reject(launch, word, program, f"option {flag} requires an argument", problems)
            return parsed
        raw = text if eq else f"{flag} {value_word.raw}"
        if value_word.text is None:
            unknown = value_word.unknown or "not statically known"
            parsed.settings[name] = Sourced[Any](
                value=None, raw=raw, source=source, unknown=unknown
            )
            continue
        value, error = _typed_uvicorn(kind, value_word.text)
        if error is not None:
            _reject(launch, word, program, f"invalid value for {flag}: {error}", problems)
            return parsed
        if kind == "list":
            previous = parsed.settings.get(name)
            values = [*list(previous.value or [] if previous is not None else []), value]
            parsed.settings[name] = Sourced[Any](value=values, raw=raw, source=source)
        else:
            parsed.settings[name] = _sourced_number(value, raw, source)
    return parsed


def _asgi_default(raw: str, label: str, hedge: str | None) -> Sourced[Any]:
    source = Source(default_of=label, note=hedge)
    try:
        value = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return Sourced[Any](value=None, raw=raw, source=source, unknown="no literal default")
    return Sourced[Any](value=value, raw=raw, source=source)


def _asgi_values(
    launch: Launch, facts: Facts, parsed: Parsed, label: str, hedge: str | None
) -> dict[str, Sourced[Any]]:
    """Every option as it takes effect: the command line, else (granian) ``GRANIAN_<NAME>``,
    else its default."""
    program = launch.program
    values: dict[str, Sourced[Any]] = {}
    for name, (_flags, raw, kind) in _asgi_table(program).items():
        if name in parsed.settings:
            values[name] = parsed.settings[name]
            continue
        if program == "granian":
            from_env = _option_from_env(f"GRANIAN_{name.upper()}", kind, label, launch, facts)
            if from_env is not None:
                values[name] = from_env
                continue
        if parsed.hidden is not None:
            reason, where = parsed.hidden
            values[name] = Sourced[Any](value=None, raw="?", source=where, unknown=reason)
            continue
        values[name] = _asgi_default(raw, label, hedge)
    return values


def _asgi_listeners(
    program: str, values: dict[str, Sourced[Any]], label: str
) -> tuple[list[Listener], str | None]:
    from gwlint.model.asgi_options import DAPHNE_DEFAULT_HOST, DAPHNE_DEFAULT_PORT

    listeners: list[Listener] = []
    uds_name, fd_name = ("unix_socket", "file_descriptor") if program == "daphne" else ("uds", "")
    uds = values[uds_name]
    fd = values.get(fd_name)
    if uds.unknown is not None and uds.raw != "?" and not uds.is_default:
        return [], uds.unknown
    if uds.value:
        address = addr.parse_gunicorn_bind(f"unix:{uds.value}")
        listeners.append(
            Listener(address=address, protocol="http", option=uds_name, source=uds.source)
        )
    if fd is not None and fd.value is not None:
        address = addr.parse_gunicorn_bind(f"fd://{fd.value}")
        listeners.append(Listener(address=address, protocol="http", option="fd", source=fd.source))
    host, port = values["host"], values["port"]
    if program == "daphne":
        if values["socket_strings"].value:
            # Twisted endpoint strings (tcp:port=8000:interface=..., unix:/path): not read
            return listeners, "an --endpoint (Twisted endpoint string) is not read by gwlint"
        if not host.known or not port.known:
            return listeners, host.unknown or port.unknown
        if listeners and host.value is None and port.value is None:
            return listeners, None
        if host.value is None:
            host = Sourced[Any](
                value=DAPHNE_DEFAULT_HOST, raw=DAPHNE_DEFAULT_HOST, source=Source(default_of=label)
            )
        if port.value is None:
            port = Sourced[Any](
                value=DAPHNE_DEFAULT_PORT,
                raw=str(DAPHNE_DEFAULT_PORT),
                source=Source(default_of=label),
            )
    elif listeners:
        return listeners, None  # granian: --uds replaces the TCP bind
    if not host.known or not port.known:
        return listeners, host.unknown or port.unknown
    text = (
        f"[{host.value}]:{port.value}" if ":" in str(host.value) else f"{host.value}:{port.value}"
    )
    where = port.source if not port.is_default else host.source
    listeners.append(
        Listener(
            address=addr.parse_gunicorn_bind(text),
            protocol="http",
            option="port" if not port.is_default else "host",
            source=where,
            tls=bool(values["ssl_certificate"].value) if "ssl_certificate" in values else False,
        )
    )
    return listeners, None


def build_asgi_launch(
    launch: Launch, facts: Facts, problems: Problems, *, hedge: str | None = None
) -> Built:
    """daphne or granian started by a launcher."""
    from gwlint.model.asgi_options import (
        DAPHNE_IDLE_SECONDS,
        DAPHNE_VERSION,
        GRANIAN_VERSION,
    )

    program = launch.program
    assert program in ("daphne", "granian")
    parsed = parse_asgi(launch, problems)
    version = DAPHNE_VERSION if program == "daphne" else GRANIAN_VERSION
    label = f"{program} {'.'.join(version.split('.')[:2])}"
    values = _asgi_values(launch, facts, parsed, label, hedge)
    _report_unknown(program, values, problems)
    listeners, listeners_unknown = _asgi_listeners(program, values, label)
    idle: Sourced[int] | None
    if program == "daphne":
        idle = Sourced[int](
            value=DAPHNE_IDLE_SECONDS,
            raw=str(DAPHNE_IDLE_SECONDS),
            source=Source(default_of=label, note="Twisted's, fixed"),
        )
        idle_what = "daphne's idle timeout"
        workers = Sourced[int](value=1, raw="1", source=Source(default_of=label))
    else:
        keep = values["http1_keep_alive"]
        read = _int(values["http1_header_read_timeout"])
        if keep.known and keep.value is False:
            idle = None  # every response closes its connection: nothing is kept idle
        elif read.value is None:
            idle = Sourced[int](
                value=None, raw=read.raw, source=read.source, unknown=read.unknown or keep.unknown
            )
        elif read.value <= 0:
            idle = None
        else:
            seconds = read.value // 1000
            idle = Sourced[int](value=seconds, raw=read.raw, source=read.source)
        idle_what = "granian's header read timeout"
        workers = _int(values["workers"])
    server = AsgiServer(
        kind=program,
        path=launch.path,
        version_label=label,
        listeners=tuple(listeners),
        listeners_unknown=listeners_unknown,
        idle_limit=idle,
        idle_what=idle_what,
        workers=workers,
        values=values,
        launcher=launch.label,
        launcher_line=launch.line,
        beside_nginx=launch.beside_nginx,
    )
    return Built(app=server)


# --- hypercorn ----------------------------------------------------------------------------------


def _hypercorn_number(setting: Sourced[Any], name: str, *, whole: bool) -> Sourced[Any]:
    """A number hypercorn uses as one (seconds, a count) as it takes effect: a config file may
    give any TOML or Python value, and a value that is no number leaves it unknown."""
    value = setting.value
    if not setting.known or value is None:
        return setting
    if isinstance(value, bool) or not isinstance(value, int | float):
        reason = f"{name} = {setting.raw} is not a number"
        return Sourced[Any](value=None, raw=setting.raw, source=setting.source, unknown=reason)
    if whole and not isinstance(value, int):
        reason = f"{name} = {setting.raw} is not an integer"
        return Sourced[Any](value=None, raw=setting.raw, source=setting.source, unknown=reason)
    return _sourced_number(value, setting.raw, setting.source)


def _seconds(setting: Sourced[Any]) -> Sourced[int]:
    """Seconds as a whole number, for the rules' comparisons: a fraction is dropped (7.5 s is
    compared as 7 s, which errs towards a finding)."""
    value = setting.value
    if not setting.known or not isinstance(value, int | float) or isinstance(value, bool):
        return Sourced[int](
            value=None, raw=setting.raw, source=setting.source, unknown=setting.unknown
        )
    return Sourced[int](value=int(value), raw=setting.raw, source=setting.source)


def _hypercorn_listeners(
    values: dict[str, Sourced[Any]],
) -> tuple[list[Listener], str | None]:
    """``bind`` (TLS when ``certfile`` and ``keyfile`` are both set) and, with TLS only,
    ``insecure_bind`` (config.py:196-210 of hypercorn 0.18.0)."""
    certfile, keyfile = values["certfile"], values["keyfile"]
    if not certfile.known or not keyfile.known:
        return [], certfile.unknown or keyfile.unknown
    tls = certfile.value is not None and keyfile.value is not None
    listeners: list[Listener] = []
    for name in ("bind", "insecure_bind") if tls else ("bind",):
        setting = values[name]
        if not setting.known:
            return listeners, setting.unknown
        binds = [setting.value] if isinstance(setting.value, str) else setting.value
        if not isinstance(binds, list | tuple) or not all(isinstance(b, str) for b in binds):
            return listeners, f"{name} = {setting.raw} is not a string or a list of strings"
        for bind in binds:
            listeners.append(
                Listener(
                    address=addr.parse_gunicorn_bind(bind),
                    protocol="http",
                    option=name,
                    source=setting.source,
                    tls=tls and name == "bind",
                )
            )
    return listeners, None


def build_hypercorn_launch(launch: Launch, facts: Facts, problems: Problems) -> Built:
    """hypercorn started by a launcher: its command line over its ``-c`` config file over its
    defaults (hypercorn 0.18.0 ``__main__.py:225-310``)."""
    from gwlint.loaders.hypercorn import read_config

    reported = len(problems.items)
    parsed = parse_asgi(launch, problems)
    refused = any(item.code == "GW705" for item in problems.items[reported:])
    hidden = parsed.hidden
    config = parsed.settings.pop("config", None)
    from_file: dict[str, Sourced[Any]] = {}
    consumed: list[str] = []
    config_file: str | None = None
    if config is not None and not config.known:
        problems.add(
            "GW008",
            config.source.path or launch.path,
            config.source.line or launch.line,
            f"hypercorn reads its config file from {config.raw} ({launch.label}), and "
            f"{config.unknown}: settings that file may hold are not checked",
            column=config.source.column,
            severity="info",
        )
        hidden = hidden or (f"the config file is {config.raw}, which is not known", config.source)
    elif config is not None and isinstance(config.value, str):
        read = read_config(
            config.value,
            config.source,
            launch.label,
            facts,
            problems,
            lambda value: _locate(launch, value),
        )
        from_file, consumed, config_file = read.settings, read.consumed, read.path
        hidden = hidden or read.hidden
    if not parsed.positional and hidden is None and not refused:
        problems.add(
            "GW705",
            launch.path,
            launch.line,
            f"hypercorn refuses this command line ({launch.label}): the following arguments "
            "are required: application; it exits at start and nothing listens",
        )
    plain = [word for word in parsed.positional if word.text and not _typographic(word)]
    dashed = any(_typographic(word) for word in parsed.positional)  # GW706 says it
    if len(plain) > 1 and not refused and not dashed:
        extra = " ".join(word.raw for word in plain[1:])
        _reject(launch, plain[1], "hypercorn", f"unrecognized arguments: {extra}", problems)
    server = build_hypercorn(
        launch.path,
        parsed.settings,
        from_file,
        problems,
        hidden=hidden,
        launcher=launch.label,
        launcher_line=launch.line,
        config_file=config_file,
        beside_nginx=launch.beside_nginx,
    )
    return Built(app=server, consumed=consumed)


def build_hypercorn(
    path: str,
    from_command: dict[str, Sourced[Any]],
    from_file: dict[str, Sourced[Any]],
    problems: Problems,
    *,
    hidden: tuple[str, Source] | None = None,
    launcher: str | None = None,
    launcher_line: int | None = None,
    config_file: str | None = None,
    beside_nginx: str | None = None,
) -> AsgiServer:
    """A hypercorn from what its command line and its config file set (by ``Config`` attribute
    name), the command line first, then its defaults. ``path``: the file it is reported at (the
    launcher, or the config file checked on its own); ``hidden``: why the settings neither sets
    are not known, when they may be set elsewhere."""
    from gwlint.model.asgi_options import (
        HYPERCORN_OPTIONS,
        HYPERCORN_VERSION,
        HYPERCORN_WORKER_CLASSES,
    )

    label = f"hypercorn {'.'.join(HYPERCORN_VERSION.split('.')[:2])}"
    started = f" ({launcher})" if launcher is not None else ""
    values: dict[str, Sourced[Any]] = {}
    for name, (_flags, raw, _kind) in HYPERCORN_OPTIONS.items():
        if name == "config":
            continue
        if name in from_command:
            values[name] = from_command[name]
        elif name in from_file:
            values[name] = from_file[name]
        elif hidden is not None:
            reason, where = hidden
            values[name] = Sourced[Any](value=None, raw="?", source=where, unknown=reason)
        else:
            values[name] = _asgi_default(raw, label, None)
    for name in ("keep_alive_timeout", "read_timeout", "graceful_timeout"):
        values[name] = _hypercorn_number(values[name], name, whole=False)
    for name in ("workers", "backlog", "keep_alive_max_requests"):
        values[name] = _hypercorn_number(values[name], name, whole=True)
    _report_unknown("hypercorn", values, problems)
    worker_class = values["worker_class"]
    if worker_class.known and worker_class.value not in HYPERCORN_WORKER_CLASSES:
        where = worker_class.source
        problems.add(
            "GW705",
            where.path or path,
            where.line or launcher_line or 1,
            f"hypercorn has no worker class {worker_class.value!r}{started}: it stops at start "
            f"with 'ValueError: No worker of class {worker_class.value} exists' and nothing "
            "listens",
            column=where.column,
            fix=f"use one of {', '.join(HYPERCORN_WORKER_CLASSES)}",
        )
    listeners, listeners_unknown = _hypercorn_listeners(values)
    keep = _seconds(values["keep_alive_timeout"])
    read_timeout = _seconds(values["read_timeout"])
    idle: Sourced[int] | None = keep
    idle_what = "hypercorn keep_alive_timeout"
    if keep.value is not None and keep.value <= 0:
        idle = None  # the idle task closes each connection at once: nothing is reused
    if (
        read_timeout.value is not None
        and read_timeout.value > 0
        and (keep.value is None or read_timeout.value < keep.value)
    ):
        # hypercorn stops reading a connection idle for read_timeout: a request sent on it
        # later is never answered (gwlint/model/asgi_options.py)
        idle, idle_what = read_timeout, "hypercorn read_timeout"
    return AsgiServer(
        kind="hypercorn",
        path=path,
        version_label=label,
        listeners=tuple(listeners),
        listeners_unknown=listeners_unknown,
        idle_limit=idle,
        idle_what=idle_what,
        workers=_int(values["workers"]),
        values=values,
        launcher=launcher,
        launcher_line=launcher_line,
        config_file=config_file,
        beside_nginx=beside_nginx,
    )


# --- uWSGI ---------------------------------------------------------------------------------------


def build_uwsgi_launch(
    launch: Launch, facts: Facts, problems: Problems, *, section: str = "uwsgi"
) -> Built:
    from gwlint.loaders.uwsgi import CommandOption, uwsgi_from_command
    from gwlint.model.uwsgi_options import (
        UWSGI_NO_ARGUMENT,
        UWSGI_OPTIONAL_ARGUMENT,
        UWSGI_OPTIONS,
        UWSGI_SHORTCUTS,
    )

    options: list[CommandOption] = []
    words = _unknown_values_apart(list(launch.args))
    index = 0
    consumed: list[str] = []

    on_command_line: list[str] = []  # the inis the command line names (the main config)

    def located_ini(option: CommandOption) -> CommandOption:
        """An --ini / UWSGI_INI file found in the repository: read there, where it stands."""
        if option.name not in ("ini", "inherit") or option.value is None:
            return option
        ini, _colon, _wanted = option.value.partition(":")
        located = _locate(launch, ini)
        if located is None:
            return option
        consumed.append(located)
        if option.path is None:
            on_command_line.append(located)
        return replace(option, resolved=located)

    # uWSGI reads UWSGI_<OPTION> variables first (core/uwsgi.c: parse_sys_envs before the
    # command line), in the environment's order; later options win over them
    for variable, env in launch.env.items():
        name = uwsgi_env_option(variable)
        if name is None:
            continue
        options.append(
            located_ini(
                CommandOption(
                    name,
                    env.value,
                    env.value if env.value is not None else f"${variable}",
                    env.line,
                    env.column,
                    env.unknown if env.value is None else None,
                    path=env.path,
                    note=f"${variable}",
                )
            )
        )
    while index < len(words):
        word = words[index]
        index += 1
        text = word.text
        if text is None:
            reason, hint = split_hint(word.unknown or "")
            problems.add(
                "GW008",
                launch.path,
                word.line,
                f"uWSGI's command line has {word.raw}, which gwlint cannot read ({reason}) and "
                "may set any option: this uWSGI is not checked",
                column=word.column,
                severity="info",
                fix=hint,
            )
            return Built(app=None)
        if _typographic(word):
            _report_dash(launch, word, "uWSGI", problems)
            continue
        if not text.startswith("-"):
            # a bare argument is a config file (uwsgi app.ini)
            if text.endswith((".ini", ".yaml", ".yml", ".json", ".xml")):
                kind = "ini" if text.endswith(".ini") else text.rsplit(".", 1)[1]
                options.append(CommandOption(kind, text, text, word.line, word.column))
            continue
        if text.startswith("--"):
            name, has_value, attached = text[2:].partition("=")
        else:
            letter = text[1:2]
            if letter not in UWSGI_SHORTCUTS:
                _reject(launch, word, "uWSGI", f"unrecognized option '{text}'", problems)
                continue
            name = UWSGI_SHORTCUTS[letter]
            attached = text[2:]
            has_value = "=" if attached else ""
        if name in ("version", "help", "usage"):
            return Built(app=None)
        known = name in UWSGI_OPTIONS or name.replace("_", "-") in UWSGI_OPTIONS
        name = name if name in UWSGI_OPTIONS else name.replace("_", "-")
        if not known:
            # plugins add options gwlint's table does not have: not a certain rejection
            problems.add(
                "GW705",
                launch.path,
                word.line,
                f"--{name} is not a uWSGI 2.0 option ({launch.label}): uWSGI stops with "
                f"\"unrecognized option '--{name}'\" unless a plugin it loads adds it",
                column=word.column,
                severity="warning",
            )
        if word.unknown is not None:  # the option itself may not be passed
            takes_value = name not in UWSGI_NO_ARGUMENT and name not in UWSGI_OPTIONAL_ARGUMENT
            if takes_value and not has_value and index < len(words):
                index += 1  # its value goes with it
            options.append(CommandOption(name, None, text, word.line, word.column, word.unknown))
            continue
        if name in UWSGI_NO_ARGUMENT and not has_value:
            options.append(CommandOption(name, "1", text, word.line, word.column))
            continue
        if has_value:
            value_word = Word(text=attached, raw=attached, line=word.line, column=word.column)
        elif index < len(words) and not (
            name in UWSGI_OPTIONAL_ARGUMENT and (words[index].text or "").startswith("-")
        ):
            value_word = words[index]
            index += 1
        elif name in UWSGI_OPTIONAL_ARGUMENT:
            options.append(CommandOption(name, "1", text, word.line, word.column))
            continue
        else:
            _reject(launch, word, "uWSGI", f"option '{text}' requires an argument", problems)
            continue
        options.append(
            located_ini(
                CommandOption(
                    name,
                    value_word.text,
                    value_word.raw if value_word.text is None else value_word.text,
                    word.line,
                    word.column,
                    value_word.unknown if value_word.text is None else None,
                )
            )
        )
    server = uwsgi_from_command(
        launch.path, options, facts, problems, folder=launch.folder, section=section
    )
    if server is not None:
        server = server._replace(
            launcher=launch.label,
            launcher_line=launch.line,
            beside_nginx=launch.beside_nginx,
            config_file=next(iter(on_command_line or consumed), None),
        )
    return Built(app=server, consumed=consumed)


# variables uWSGI sets for itself (reloads, the Emperor): not options (core/utils.c)
_UWSGI_OWN_VARIABLES = frozenset(
    {
        "UWSGI_RELOADS",
        "UWSGI_VASSALS_DIR",
        "UWSGI_EMPEROR_FD",
        "UWSGI_BROODLORD_NUM",
        "UWSGI_EMPEROR_FD_CONFIG",
        "UWSGI_EMPEROR_PROXY",
        "UWSGI_JAIL_PID",
        "UWSGI_ORIGINAL_PROC_NAME",
    }
)


def uwsgi_env_option(variable: str) -> str | None:
    """The option a ``UWSGI_<NAME>`` variable sets (``UWSGI_HTTP_SOCKET`` -> ``http-socket``:
    lower case, ``_`` as ``-``, as uWSGI's env_to_arg), or None."""
    if not variable.startswith("UWSGI_") or variable in _UWSGI_OWN_VARIABLES:
        return None
    name = variable[6:].lower().replace("_", "-")
    return name or None


def build_launch(
    launch: Launch,
    facts: Facts,
    problems: Problems,
    *,
    section: str = "uwsgi",
    image_configs: list[str] | None = None,
    unread_env: tuple[str, ...] = (),
) -> Built:
    """``unread_env``: env files the command's environment comes from that are not in the
    repository: what the server reads from the environment may differ from its defaults."""
    if launch.program == "gunicorn":
        hedge = unread_env_note(unread_env, "GUNICORN_CMD_ARGS")
        return build_gunicorn_launch(
            launch, facts, problems, image_configs=image_configs, hedge=hedge
        )
    if launch.program == "uvicorn":
        hedge = unread_env_note(unread_env, "UVICORN_* or FORWARDED_ALLOW_IPS")
        return build_uvicorn_launch(launch, facts, problems, hedge=hedge)
    if launch.program in ("daphne", "granian"):
        hedge = unread_env_note(unread_env, "GRANIAN_*") if launch.program == "granian" else None
        return build_asgi_launch(launch, facts, problems, hedge=hedge)
    if launch.program == "hypercorn":
        return build_hypercorn_launch(launch, facts, problems)
    return build_uwsgi_launch(launch, facts, problems, section=section)
