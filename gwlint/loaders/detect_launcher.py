"""Which files start an app server: Procfile, Dockerfile, compose file, systemd unit,
supervisord config, env file or shell script (``launcher_kind``), from the file's name and, for
ambiguous names, a look at its head.

Apart from ``launchers`` (the reader of those files, thousands of lines that take tens of
milliseconds to import) because every file of a folder walk has its kind told, and most
repositories have no launcher at all: ``launchers`` is imported only when one is read.
"""

from __future__ import annotations

import os
import re
from typing import Literal

from gwlint.loaders import TEMPLATE_SUFFIXES, read_head

LauncherKind = Literal[
    "procfile", "dockerfile", "compose", "systemd", "supervisord", "env", "shell"
]

_SYSTEMD_UNIT = re.compile(rb"^\[Service\][ \t]*\r?$", re.MULTILINE)
_MENTION = re.compile(
    rb"gunicorn|uvicorn|uwsgi|hypercorn|daphne|granian|GUNICORN_CMD_ARGS", re.IGNORECASE
)
_COMPOSE_BUILD = re.compile(rb"(?:^|[\s{,])build\s*:", re.MULTILINE)
# a compose file that runs nginx says its version, mounts and template environment
_COMPOSE_NGINX = re.compile(rb"nginx|openresty", re.IGNORECASE)
_SHELL_SHEBANG = re.compile(rb"^#!\s*\S*/(?:env\s+)?(?:ba|da|a|z|k|mk)?sh\b")
_COMPOSE_NAME = re.compile(r"^(?:docker-)?compose(?:[.\-_][\w.\-]*)?\.ya?ml$")
# a compose file by its content, whatever its name (pwd.yml, stack.yml): a top-level services:
# whose entries have an image: or a build:
_COMPOSE_CONTENT = re.compile(rb"^services:[ \t]*\r?$", re.MULTILINE)
_COMPOSE_SERVICE = re.compile(rb"^[ \t]+(?:image|build):", re.MULTILINE)
_EXAMPLE_WORDS = frozenset(
    {"example", "examples", "sample", "samples", "template", "templates", "dist", "tmpl", "bak"}
)
# at an end of a stem: docker-compose-example.yml, example-start.sh (not nginx-templates.sh)
_STEM_WORDS = frozenset({"example", "examples", "sample", "samples", "dist", "bak"})
_NOT_DOCKERFILE = (".md", ".txt", ".rst", ".json", ".yml", ".yaml", ".py", ".dockerignore")
_SCRIPT_NAMES = ("entrypoint", "docker-entrypoint", "start", "run", "boot")
# a bare name with one of these is worth a look for a #! line: gunicorn_start, run-uwsgi, serve
_SERVER_WORDS = ("gunicorn", "uwsgi", "uvicorn", "hypercorn", "daphne", "granian", "serve", "start")


# --- which files are launchers --------------------------------------------------------------------


def _is_example(name: str) -> bool:
    """``.env.example``, ``docker-compose.sample.yml``, ``Procfile.template``,
    ``docker-compose-example.yml``, ``example.env``: an example word as a part of its own or at
    an end of the name's stem; not ``20-envsubst-on-templates.sh`` (a word inside a name)."""
    parts = name.split(".")
    if any(part in _EXAMPLE_WORDS for part in parts):
        return True
    stem = parts[0] or (parts[1] if len(parts) > 1 else "")
    words = re.split(r"[\-_]", stem)
    return len(words) > 1 and (words[-1] in _STEM_WORDS or words[0] in _STEM_WORDS)


def _kind_from_name(name: str) -> LauncherKind | Literal["conf", "script"] | None:
    if name == "procfile" or name.startswith("procfile."):
        return "procfile"
    if (
        name in ("dockerfile", "containerfile")
        or name.startswith(("dockerfile.", "containerfile.", "dockerfile-", "dockerfile_"))
        or name.endswith((".dockerfile", ".containerfile"))
    ) and not name.endswith(_NOT_DOCKERFILE):
        return "dockerfile"
    if _COMPOSE_NAME.match(name):
        return "compose"
    if name.endswith(".service"):
        return "systemd"
    if name in ("supervisord.conf", "supervisor.conf") or (
        name.startswith("supervisor") and name.endswith(".conf")
    ):
        return "supervisord"
    if name.endswith((".conf", ".ini")):
        return "conf"  # supervisord when it has [program:x]
    if name in (".env", "env") or name.startswith(".env.") or name.endswith(".env"):
        return "env"
    if name.endswith((".sh", ".bash")):
        return "shell"
    if name.startswith(_SCRIPT_NAMES) or "." not in name:
        return "script"  # a shell script when its first line says so
    return None


def launcher_kind(path: str, *, walking: bool = True) -> LauncherKind | None:
    """'procfile' | 'dockerfile' | 'compose' | 'systemd' | 'supervisord' | 'env' | 'shell' | None.

    From the file's name; for ambiguous names (``*.conf``, ``start``, ``entrypoint``) a look at
    its first 64 KiB (``[program:x]``, a shell ``#!`` line). Examples and templates
    (``.env.example``, ``*.j2``) are never launchers.

    ``walking`` (the default, for files found in folders) is conservative: a shell script, env
    file, supervisord config, compose file or systemd unit counts only when it mentions gunicorn,
    uvicorn, uwsgi, hypercorn, daphne, granian or GUNICORN_CMD_ARGS (a compose file also when it
    has a ``build:``, since the Dockerfile it builds may start one, or runs nginx: it gives nginx's
    version and files).
    ``walking=False`` (a file named on the command line): the name or content alone decide.
    """
    name = os.path.basename(path).lower()
    if name.endswith(TEMPLATE_SUFFIXES) or _is_example(name):
        return None
    parent = os.path.basename(os.path.dirname(os.path.abspath(path))).lower()
    guess = _kind_from_name(name)
    if guess is None and name.endswith((".yml", ".yaml")):
        yaml_head = read_head(path)
        compose = _COMPOSE_CONTENT.search(yaml_head) and _COMPOSE_SERVICE.search(yaml_head)
        relevant = (
            _MENTION.search(yaml_head)
            or _COMPOSE_BUILD.search(yaml_head)
            or _COMPOSE_NGINX.search(yaml_head)
        )
        return "compose" if compose and (not walking or relevant) else None
    if guess is None:
        return None
    kind: LauncherKind
    head: bytes | None = None
    if guess == "conf" or guess == "script":
        # decided from the name first: most .conf files are nginx's, most bare names are not
        # scripts, and reading them is what takes time in a folder walk
        if guess == "conf":
            if walking and not (parent.startswith("supervisor") or parent == "conf.d"):
                return None
        elif walking and not (
            name.startswith(_SCRIPT_NAMES) or any(w in name for w in _SERVER_WORDS)
        ):
            return None
        head = read_head(path)
        if guess == "conf":
            if b"[program:" not in head:
                return None
            kind = "supervisord"
        elif _SHELL_SHEBANG.match(head) is not None:
            kind = "shell"
        elif _SYSTEMD_UNIT.search(head) is not None:
            kind = "systemd"  # a unit file whose name has no .service
        else:
            return None
    else:
        kind = guess
    if not walking or kind in ("procfile", "dockerfile"):
        return kind
    head = read_head(path) if head is None else head
    if _MENTION.search(head) or (
        kind == "compose" and (_COMPOSE_BUILD.search(head) or _COMPOSE_NGINX.search(head))
    ):
        return kind
    return None
