"""What a launcher file says about the command that starts an app server.

A *launcher* is a file that starts gunicorn, uvicorn or uWSGI: a Procfile, a Dockerfile, a
compose file, a systemd unit, a supervisord program, a shell entrypoint, or an env file that sets
``GUNICORN_CMD_ARGS``. ``gwlint.loaders.launchers`` reads those files into ``Launch`` records
(the command's words after shell expansion, each with its line, and the environment the command
sees); ``gwlint.loaders.commands`` turns a ``Launch`` into an app server of the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from gwlint.loaders.common import PLATFORM_SET

Program = Literal["gunicorn", "uvicorn", "uwsgi", "daphne", "granian", "hypercorn"]

# the variables a platform sets when it starts a Procfile's process (Heroku and the platforms
# that follow it: PORT to bind, WEB_CONCURRENCY from the dyno's size): known to be set, with a
# value gwlint cannot know; not worth a note, since no one writes them in the repository
PLATFORM_VARIABLES = ("PORT", "WEB_CONCURRENCY")


def platform_reason(name: str) -> str:
    return (
        f"${name} is {PLATFORM_SET} (a Procfile's platform: Heroku and the like); give it with "
        f"--env {name}=VALUE"
    )


class Word(NamedTuple):
    """One word of a command line, after the shell's expansion.

    ``text`` is None when it is not statically known (``$VAR`` with no default and no value
    given with ``--env``): ``unknown`` then says why. ``raw`` is the word as written.
    """

    text: str | None
    raw: str
    line: int
    column: int | None = None
    unknown: str | None = None


class EnvValue(NamedTuple):
    """A variable of the environment the command sees, and where it was set."""

    value: str | None  # None: set from something gwlint cannot read
    path: str
    line: int
    column: int | None = None
    unknown: str | None = None


@dataclass(frozen=True, slots=True)
class Launch:
    """One command that starts an app server.

    ``args`` are the words after the program (``gunicorn``, ``python -m gunicorn``,
    ``uvicorn``, ``uwsgi``...), wrappers already removed (``exec``, ``poetry run``,
    ``ddtrace-run``...). ``env`` is what the launcher sets for the command (Dockerfile ``ENV``,
    compose ``environment:``/``env_file:``, systemd ``Environment=``/``EnvironmentFile=``,
    supervisord ``environment=``, an env file): ``GUNICORN_CMD_ARGS``, ``WEB_CONCURRENCY``,
    ``PORT`` are read from it. ``workdir`` is the command's working directory on the server
    when the launcher says (``WORKDIR``, ``working_dir:``, ``WorkingDirectory=``,
    ``directory=``); ``folder`` is the folder in the repository that stands for it.
    """

    path: str  # the launcher file
    line: int  # where the command starts
    program: Program
    args: tuple[Word, ...]
    label: str  # "Procfile web", "Dockerfile CMD", "compose service web", "app.service"...
    env: dict[str, EnvValue] = field(default_factory=dict)
    workdir: str | None = None
    folder: str = "."  # repository folder the command runs in (for -c and ./gunicorn.conf.py)
    implicit: bool = False  # an env file's GUNICORN_CMD_ARGS with no command of its own
    referenced: tuple[str, ...] = ()  # other files it reads (env files), for the file list
    # "supervisord.conf:12" when the same launcher also starts nginx: both then share one
    # host or container, and one address
    beside_nginx: str | None = None
