"""``--fix`` editor of launcher command lines and of the variables they read (``command_text``).

Each case: the text before, the call, the text after (the whole file, so the rest of it is
byte-identical by comparison). The refusals name their reason. For shell-like forms the new
line is also split with ``shlex`` and, for a few launcher kinds, the fixed file is read back with
gwlint's own launcher reader."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gwlint.fixes.command_text import add_flag, remove_flag, set_env, set_flag
from gwlint.fixes.spans import EditError, Span
from gwlint.loaders.common import Problems
from gwlint.loaders.launchers import read_launches

T = ("--timeout", "-t")
W = ("--workers", "-w")
B = ("--bind", "-b")


def applied(text: str, span: Span) -> str:
    assert 0 <= span.start <= span.end <= len(text)
    return text[: span.start] + span.replacement + text[span.end :]


def run(call: Callable[..., Span], before: str, *args: Any) -> str:
    return applied(before, call(before, *args))


# --- set_flag -------------------------------------------------------------------------------------

SET_FLAG = [
    # id, before, line, flags, old, new, after
    (
        "procfile-second-command-untouched",
        "web: gunicorn app:app --timeout 30\nworker: gunicorn w:app --timeout 30\n",
        1,
        T,
        "30",
        "90",
        "web: gunicorn app:app --timeout 90\nworker: gunicorn w:app --timeout 30\n",
    ),
    (
        "procfile-only-the-named-line",
        "web: gunicorn app:app --timeout 30\nworker: gunicorn w:app --timeout 30\n",
        2,
        T,
        "30",
        "90",
        "web: gunicorn app:app --timeout 30\nworker: gunicorn w:app --timeout 90\n",
    ),
    (
        "equals-form",
        "web: gunicorn app:app --bind=127.0.0.1:8002 --timeout=10\n",
        1,
        T,
        "10",
        "75",
        "web: gunicorn app:app --bind=127.0.0.1:8002 --timeout=75\n",
    ),
    (
        "short-separate",
        "a: gunicorn app:app -b 127.0.0.1:8001 -t 10\n",
        1,
        T,
        "10",
        "75",
        "a: gunicorn app:app -b 127.0.0.1:8001 -t 75\n",
    ),
    (
        "short-attached",
        "c: gunicorn app:app -b127.0.0.1:8003 -t10\n",
        1,
        T,
        "10",
        "75",
        "c: gunicorn app:app -b127.0.0.1:8003 -t75\n",
    ),
    (
        "short-equals",
        "e: gunicorn app:app -t=10\n",
        1,
        T,
        "10",
        "75",
        "e: gunicorn app:app -t=75\n",
    ),
    (
        "prefix-trap-keep-alive-first",
        "web: gunicorn app --timeout-keep-alive 30 --timeout 30\n",
        1,
        T,
        "30",
        "90",
        "web: gunicorn app --timeout-keep-alive 30 --timeout 90\n",
    ),
    (
        "prefix-trap-attached-short-is-not-long",
        "web: uvicorn app --timeout-graceful-shutdown 5 --workers 2\n",
        1,
        W,
        "2",
        "4",
        "web: uvicorn app --timeout-graceful-shutdown 5 --workers 4\n",
    ),
    (
        "python-m",
        "f: python -m gunicorn app:app --bind 127.0.0.1:8006 --timeout 10\n",
        1,
        T,
        "10",
        "20",
        "f: python -m gunicorn app:app --bind 127.0.0.1:8006 --timeout 20\n",
    ),
    (
        "double-quoted-kept",
        'web: gunicorn app --timeout "30"\n',
        1,
        T,
        "30",
        "90",
        'web: gunicorn app --timeout "90"\n',
    ),
    (
        "single-quoted-kept",
        "web: gunicorn app '--timeout' '30'\n",
        1,
        T,
        "30",
        "90",
        "web: gunicorn app '--timeout' '90'\n",
    ),
    (
        "quoted-flag-and-value-one-word",
        'web: gunicorn app "--timeout=30"\n',
        1,
        T,
        "30",
        "90",
        'web: gunicorn app "--timeout=90"\n',
    ),
    (
        "equals-then-quoted-value",
        "web: gunicorn app --timeout='30'\n",
        1,
        T,
        "30",
        "90",
        "web: gunicorn app --timeout='90'\n",
    ),
    (
        "new-value-quoted-when-needed",
        "web: gunicorn app --bind 127.0.0.1:8000\n",
        1,
        B,
        "127.0.0.1:8000",
        "unix:/run/my app.sock",
        "web: gunicorn app --bind 'unix:/run/my app.sock'\n",
    ),
    (
        "new-value-escaped-in-double-quotes",
        'web: gunicorn app --bind "127.0.0.1:8000"\n',
        1,
        B,
        "127.0.0.1:8000",
        'unix:$X"y',
        'web: gunicorn app --bind "unix:\\$X\\"y"\n',
    ),
    (
        "tabs",
        "web:\tgunicorn\tapp\t--timeout\t30\t# seconds\n",
        1,
        T,
        "30",
        "90",
        "web:\tgunicorn\tapp\t--timeout\t90\t# seconds\n",
    ),
    (
        "crlf-procfile",
        "release: ./migrate\r\nweb: gunicorn app --timeout 30\r\nworker: celery -A app worker\r\n",
        2,
        T,
        "30",
        "90",
        "release: ./migrate\r\nweb: gunicorn app --timeout 90\r\nworker: celery -A app worker\r\n",
    ),
    (
        "last-line-without-newline",
        "web: gunicorn app --timeout 30",
        1,
        T,
        "30",
        "90",
        "web: gunicorn app --timeout 90",
    ),
    (
        "repeated-flag-the-one-with-the-old-value",
        "web: gunicorn app --timeout 30 --timeout 60\n",
        1,
        T,
        "60",
        "90",
        "web: gunicorn app --timeout 30 --timeout 90\n",
    ),
    (
        "repeated-same-value-the-last-one-wins",
        "web: gunicorn app -t 30 --timeout 30\n",
        1,
        T,
        "30",
        "90",
        "web: gunicorn app -t 30 --timeout 90\n",
    ),
    (
        "dockerfile-shell-form",
        "FROM python:3.12\nCMD gunicorn app --timeout 30\n",
        2,
        T,
        "30",
        "90",
        "FROM python:3.12\nCMD gunicorn app --timeout 90\n",
    ),
    (
        "dockerfile-exec-form",
        'FROM python:3.12\nCMD ["gunicorn", "app", "--timeout", "30"]\n',
        2,
        T,
        "30",
        "90",
        'FROM python:3.12\nCMD ["gunicorn", "app", "--timeout", "90"]\n',
    ),
    (
        "dockerfile-exec-form-equals-item",
        'ENTRYPOINT ["gunicorn", "app", "--timeout=30"]\n',
        1,
        T,
        "30",
        "90",
        'ENTRYPOINT ["gunicorn", "app", "--timeout=90"]\n',
    ),
    (
        "dockerfile-exec-continuations-line-of-the-flag",
        'CMD ["gunicorn", "config.wsgi", \\\n     "--timeout", "60", \\\n     "--workers", "3"]\n',
        2,
        T,
        "60",
        "90",
        'CMD ["gunicorn", "config.wsgi", \\\n     "--timeout", "90", \\\n     "--workers", "3"]\n',
    ),
    (
        "dockerfile-exec-continuations-line-of-the-command",
        'CMD ["gunicorn", "config.wsgi", \\\n     "--timeout", "60", \\\n     "--workers", "3"]\n',
        1,
        W,
        "3",
        "5",
        'CMD ["gunicorn", "config.wsgi", \\\n     "--timeout", "60", \\\n     "--workers", "5"]\n',
    ),
    (
        "dockerfile-exec-crlf",
        'FROM x\r\nCMD ["gunicorn", "app", \\\r\n     "-t", "60"]\r\n',
        3,
        T,
        "60",
        "90",
        'FROM x\r\nCMD ["gunicorn", "app", \\\r\n     "-t", "90"]\r\n',
    ),
    (
        "dockerfile-run-shell-continuation",
        "RUN echo hi && \\\n    gunicorn app \\\n      --timeout 30\n",
        1,
        T,
        "30",
        "90",
        "RUN echo hi && \\\n    gunicorn app \\\n      --timeout 90\n",
    ),
    (
        "compose-string",
        "services:\n  web:\n    command: gunicorn app --timeout 30  # note\n",
        3,
        T,
        "30",
        "90",
        "services:\n  web:\n    command: gunicorn app --timeout 90  # note\n",
    ),
    (
        "compose-flow-list",
        'services:\n  web:\n    command: ["gunicorn", "app", "-t", "30"]\n',
        3,
        T,
        "30",
        "90",
        'services:\n  web:\n    command: ["gunicorn", "app", "-t", "90"]\n',
    ),
    (
        "compose-flow-plain-int",
        "services:\n  web:\n    command: [gunicorn, app, -t, 30]\n",
        3,
        T,
        "30",
        "90",
        "services:\n  web:\n    command: [gunicorn, app, -t, 90]\n",
    ),
    (
        "compose-flow-single-quoted",
        "    command: ['gunicorn', 'app', '--timeout', '30']\n",
        1,
        T,
        "30",
        "90",
        "    command: ['gunicorn', 'app', '--timeout', '90']\n",
    ),
    (
        "compose-flow-multi-line",
        'command: [\n  "gunicorn", "app",\n  "--timeout", "30",\n]\nimage: x\n',
        3,
        T,
        "30",
        "90",
        'command: [\n  "gunicorn", "app",\n  "--timeout", "90",\n]\nimage: x\n',
    ),
    (
        "compose-block-list-quoted",
        'services:\n  web:\n    command:\n      - gunicorn\n      - --timeout\n      - "30"\n',
        5,
        T,
        "30",
        "90",
        'services:\n  web:\n    command:\n      - gunicorn\n      - --timeout\n      - "90"\n',
    ),
    (
        "compose-block-list-line-of-the-value",
        'command:\n  - gunicorn\n  - --timeout\n  - "30"\n',
        4,
        T,
        "30",
        "90",
        'command:\n  - gunicorn\n  - --timeout\n  - "90"\n',
    ),
    (
        "compose-block-list-line-of-the-key",
        "command:\n- gunicorn\n- --timeout\n- '30'  # seconds\nimage: x\n",
        1,
        T,
        "30",
        "90",
        "command:\n- gunicorn\n- --timeout\n- '90'  # seconds\nimage: x\n",
    ),
    (
        "block-list-equals-item",
        "          command:\n            - gunicorn\n            - --graceful-timeout=60\n",
        3,
        ("--graceful-timeout",),
        "60",
        "20",
        "          command:\n            - gunicorn\n            - --graceful-timeout=20\n",
    ),
    (
        "block-list-plain-string-value-becomes-quoted-number",
        "args:\n  - --timeout\n  - thirty\n",
        2,
        T,
        "thirty",
        "30",
        'args:\n  - --timeout\n  - "30"\n',
    ),
    (
        "block-list-crlf-comments",
        'args:\r\n  # the server\r\n  - --timeout\r\n  - "30"\r\n  - --workers\r\n  - "2"\r\n',
        3,
        T,
        "30",
        "90",
        'args:\r\n  # the server\r\n  - --timeout\r\n  - "90"\r\n  - --workers\r\n  - "2"\r\n',
    ),
    (
        "kubernetes-args-flow",
        '          args: ["--bind", "127.0.0.1:8000", "--timeout", "60"]\n',
        1,
        T,
        "60",
        "90",
        '          args: ["--bind", "127.0.0.1:8000", "--timeout", "90"]\n',
    ),
    (
        "json-manifest-multi-line",
        '{\n  "args": [\n    "--timeout",\n    "60"\n  ]\n}\n',
        4,
        T,
        "60",
        "90",
        '{\n  "args": [\n    "--timeout",\n    "90"\n  ]\n}\n',
    ),
    (
        "systemd-continuation",
        "[Service]\nExecStart=/srv/venv/bin/gunicorn app \\\n    --bind 127.0.0.1:8000 \\\n"
        "    --timeout 30 --workers 3\nRestart=always\n",
        4,
        T,
        "30",
        "90",
        "[Service]\nExecStart=/srv/venv/bin/gunicorn app \\\n    --bind 127.0.0.1:8000 \\\n"
        "    --timeout 90 --workers 3\nRestart=always\n",
    ),
    (
        "supervisord",
        "[program:web]\ncommand=/venv/bin/gunicorn app --timeout 60 --workers 3\n"
        '[program:nginx]\ncommand=nginx -g "daemon off;"\n',
        2,
        T,
        "60",
        "90",
        "[program:web]\ncommand=/venv/bin/gunicorn app --timeout 90 --workers 3\n"
        '[program:nginx]\ncommand=nginx -g "daemon off;"\n',
    ),
    (
        "shell-exec-continuation-first-line",
        "#!/bin/sh\nset -e\nexec gunicorn app \\\n    --bind 127.0.0.1:8000 \\\n"
        '    --timeout "60" \\\n    --workers "$WORKERS"\n',
        3,
        T,
        "60",
        "90",
        "#!/bin/sh\nset -e\nexec gunicorn app \\\n    --bind 127.0.0.1:8000 \\\n"
        '    --timeout "90" \\\n    --workers "$WORKERS"\n',
    ),
    (
        "shell-crlf-continuation",
        "#!/bin/sh\r\nexec gunicorn app \\\r\n\t--timeout 60 \\\r\n\t--workers 2\r\n",
        3,
        T,
        "60",
        "90",
        "#!/bin/sh\r\nexec gunicorn app \\\r\n\t--timeout 90 \\\r\n\t--workers 2\r\n",
    ),
    (
        "cmd-args-env-file",
        '# prod\nGUNICORN_CMD_ARGS="--bind=127.0.0.1:8000 --timeout=60 --workers=3"\n',
        2,
        T,
        "60",
        "90",
        '# prod\nGUNICORN_CMD_ARGS="--bind=127.0.0.1:8000 --timeout=90 --workers=3"\n',
    ),
    (
        "cmd-args-env-file-separate",
        'GUNICORN_CMD_ARGS="--bind 127.0.0.1:8000 --timeout 20"\n',
        1,
        T,
        "20",
        "75",
        'GUNICORN_CMD_ARGS="--bind 127.0.0.1:8000 --timeout 75"\n',
    ),
    (
        "cmd-args-single-quotes-export",
        "export GUNICORN_CMD_ARGS='--timeout 20 --workers 2'\n",
        1,
        W,
        "2",
        "4",
        "export GUNICORN_CMD_ARGS='--timeout 20 --workers 4'\n",
    ),
    (
        "cmd-args-compose-list",
        "    environment:\n      - DEBUG=0\n      - GUNICORN_CMD_ARGS=--timeout 30 --workers 2\n",
        3,
        T,
        "30",
        "90",
        "    environment:\n      - DEBUG=0\n      - GUNICORN_CMD_ARGS=--timeout 90 --workers 2\n",
    ),
    (
        "cmd-args-compose-mapping",
        '    environment:\n      GUNICORN_CMD_ARGS: "--timeout 30 -w 2"\n',
        2,
        T,
        "30",
        "90",
        '    environment:\n      GUNICORN_CMD_ARGS: "--timeout 90 -w 2"\n',
    ),
    (
        "cmd-args-dockerfile-env",
        'ENV PORT=8000 \\\n    GUNICORN_CMD_ARGS="--timeout 30"\nCMD gunicorn app --timeout 10\n',
        2,
        T,
        "30",
        "90",
        'ENV PORT=8000 \\\n    GUNICORN_CMD_ARGS="--timeout 90"\nCMD gunicorn app --timeout 10\n',
    ),
    (
        "cmd-args-systemd",
        '[Service]\nEnvironment="GUNICORN_CMD_ARGS=--timeout 30 --workers 2" "A=1"\n',
        2,
        T,
        "30",
        "90",
        '[Service]\nEnvironment="GUNICORN_CMD_ARGS=--timeout 90 --workers 2" "A=1"\n',
    ),
    (
        "cmd-args-kubernetes-name-line",
        '        env:\n          - name: GUNICORN_CMD_ARGS\n            value: "--timeout 30"\n',
        2,
        T,
        "30",
        "90",
        '        env:\n          - name: GUNICORN_CMD_ARGS\n            value: "--timeout 90"\n',
    ),
    (
        "cmd-args-kubernetes-value-line",
        '        env:\n          - name: GUNICORN_CMD_ARGS\n            value: "--timeout 30"\n',
        3,
        T,
        "30",
        "90",
        '        env:\n          - name: GUNICORN_CMD_ARGS\n            value: "--timeout 90"\n',
    ),
    (
        "sh-c-in-exec-form",
        'CMD ["sh", "-c", "exec gunicorn app --timeout 30"]\n',
        1,
        T,
        "30",
        "90",
        'CMD ["sh", "-c", "exec gunicorn app --timeout 90"]\n',
    ),
    (
        "compose-quoted-string",
        "    command: \"gunicorn app --bind '0.0.0.0:8000' --timeout 30\"\n",
        1,
        B,
        "0.0.0.0:8000",
        "0.0.0.0:9000",
        "    command: \"gunicorn app --bind '0.0.0.0:9000' --timeout 30\"\n",
    ),
    (
        "compose-folded-block-scalar",
        "    command: >-\n      gunicorn app\n      --timeout 30\n    image: x\n",
        3,
        T,
        "30",
        "90",
        "    command: >-\n      gunicorn app\n      --timeout 90\n    image: x\n",
    ),
    (
        "compose-plain-string-continued",
        "    command: gunicorn app\n      --timeout 30\n    image: x\n",
        2,
        T,
        "30",
        "90",
        "    command: gunicorn app\n      --timeout 90\n    image: x\n",
    ),
    (
        "uwsgi-harakiri",
        "web: uwsgi --http :8000 --harakiri 30 --module app\n",
        1,
        ("--harakiri",),
        "30",
        "60",
        "web: uwsgi --http :8000 --harakiri 60 --module app\n",
    ),
    (
        "hypercorn-keep-alive",
        "web: hypercorn app:app --keep-alive 5\n",
        1,
        ("--keep-alive",),
        "5",
        "75",
        "web: hypercorn app:app --keep-alive 75\n",
    ),
]


@pytest.mark.parametrize(
    ("before", "line", "flags", "old", "new", "after"),
    [case[1:] for case in SET_FLAG],
    ids=[case[0] for case in SET_FLAG],
)
def test_set_flag(
    before: str, line: int, flags: tuple[str, ...], old: str, new: str, after: str
) -> None:
    assert run(set_flag, before, line, flags, old, new) == after


# the values that need no quoting, where shlex and the file's own syntax agree
_PLAIN_NEW = [case for case in SET_FLAG if re.fullmatch(r"[\w.:/-]+", case[5])]


@pytest.mark.parametrize(
    ("before", "line", "flags", "old", "new"),
    [case[1:6] for case in _PLAIN_NEW],
    ids=[case[0] for case in _PLAIN_NEW],
)
def test_set_flag_changes_one_word(
    before: str, line: int, flags: tuple[str, ...], old: str, new: str
) -> None:
    """Split as a shell would (roughly: shlex), the file differs in one word, which holds the
    new value."""
    words_before = shlex.split(before)
    words_after = shlex.split(run(set_flag, before, line, flags, old, new))
    assert len(words_before) == len(words_after)
    changed = [(a, b) for a, b in zip(words_before, words_after, strict=True) if a != b]
    assert len(changed) == 1
    assert new in changed[0][1]
    assert old in changed[0][0]


MORE_SET_FLAG = [
    # id, before, line, flags, old, new, after
    (
        "flow-trailing-comma",
        "command: [gunicorn, app, --timeout, '30',]\n",
        1,
        T,
        "30",
        "90",
        "command: [gunicorn, app, --timeout, '90',]\n",
    ),
    (
        "dockerfile-lowercase-instruction",
        'cmd ["gunicorn", "app", "-t", "30"]\n',
        1,
        T,
        "30",
        "90",
        'cmd ["gunicorn", "app", "-t", "90"]\n',
    ),
    (
        "json-key",
        '{\n  "command": ["gunicorn", "--timeout", "30"],\n  "image": "x"\n}\n',
        2,
        T,
        "30",
        "90",
        '{\n  "command": ["gunicorn", "--timeout", "90"],\n  "image": "x"\n}\n',
    ),
    (
        "entrypoint-then-cmd",
        'ENTRYPOINT ["gunicorn"]\nCMD ["app", "--timeout", "30"]\n',
        2,
        T,
        "30",
        "90",
        'ENTRYPOINT ["gunicorn"]\nCMD ["app", "--timeout", "90"]\n',
    ),
    (
        "kubernetes-args-block-at-key-indent",
        '      command: ["gunicorn", "app"]\n      args:\n      - --timeout\n      - "30"\n'
        "      env: []\n",
        4,
        T,
        "30",
        "90",
        '      command: ["gunicorn", "app"]\n      args:\n      - --timeout\n      - "90"\n'
        "      env: []\n",
    ),
    (
        "two-block-lists-only-the-named-one",
        "command:\n  - gunicorn\n  - --timeout\n  - '30'\nargs:\n  - --timeout\n  - '30'\n",
        6,
        T,
        "30",
        "90",
        "command:\n  - gunicorn\n  - --timeout\n  - '30'\nargs:\n  - --timeout\n  - '90'\n",
    ),
    (
        "operators-after",
        "web: gunicorn app --timeout 30&& echo done\n",
        1,
        T,
        "30",
        "90",
        "web: gunicorn app --timeout 90&& echo done\n",
    ),
    (
        "bash-lc",
        "command: bash -lc 'exec gunicorn app -t 30'\n",
        1,
        T,
        "30",
        "90",
        "command: bash -lc 'exec gunicorn app -t 90'\n",
    ),
    (
        "env-prefix-on-the-command",
        'web: GUNICORN_CMD_ARGS="--timeout 30" gunicorn app --timeout 60\n',
        1,
        T,
        "30",
        "90",
        'web: GUNICORN_CMD_ARGS="--timeout 90" gunicorn app --timeout 60\n',
    ),
    (
        "command-line-before-the-variable",
        'web: GUNICORN_CMD_ARGS="--timeout 30" gunicorn app --timeout 30\n',
        1,
        T,
        "30",
        "90",
        'web: GUNICORN_CMD_ARGS="--timeout 30" gunicorn app --timeout 90\n',
    ),
    (
        "bash-array-append",
        'args=(--bind 127.0.0.1:8000 --workers "${WORKERS:-3}")\nargs+=(--timeout 20)\n',
        2,
        T,
        "20",
        "90",
        'args=(--bind 127.0.0.1:8000 --workers "${WORKERS:-3}")\nargs+=(--timeout 90)\n',
    ),
    (
        "bash-array-first-item",
        "args=(--timeout 20 -w 2)\n",
        1,
        W,
        "2",
        "4",
        "args=(--timeout 20 -w 4)\n",
    ),
    (
        "lone-cr-newlines",
        "release: x\rweb: gunicorn app -t 30\rworker: y -t 30\r",
        2,
        T,
        "30",
        "90",
        "release: x\rweb: gunicorn app -t 90\rworker: y -t 30\r",
    ),
]


@pytest.mark.parametrize(
    ("before", "line", "flags", "old", "new", "after"),
    [case[1:] for case in MORE_SET_FLAG],
    ids=[case[0] for case in MORE_SET_FLAG],
)
def test_set_flag_more(
    before: str, line: int, flags: tuple[str, ...], old: str, new: str, after: str
) -> None:
    assert run(set_flag, before, line, flags, old, new) == after


SET_FLAG_REFUSED = [
    # id, before, line, flags, old, new, words the reason holds
    ("wrong-old", "web: gunicorn app --timeout 60\n", 1, T, "30", "90", "--timeout 60, not"),
    ("absent", "web: gunicorn app --workers 2\n", 1, T, "30", "90", "has no --timeout"),
    (
        "prefix-only",
        "web: gunicorn app --timeout-keep-alive 30\n",
        1,
        T,
        "30",
        "90",
        "has no --timeout",
    ),
    (
        "other-line-has-it",
        "web: gunicorn app\nworker: gunicorn w --timeout 30\n",
        1,
        T,
        "30",
        "90",
        "has no",
    ),
    ("no-value", "web: gunicorn app --timeout\n", 1, T, "30", "90", "has no value"),
    (
        "from-a-variable",
        "web: gunicorn app --timeout ${GUNICORN_TIMEOUT:-60}\n",
        1,
        T,
        "60",
        "90",
        "${GUNICORN_TIMEOUT:-60}, not",
    ),
    (
        "nested-value-needs-quoting",
        'GUNICORN_CMD_ARGS="--bind 127.0.0.1:8000"\n',
        1,
        B,
        "127.0.0.1:8000",
        "unix:/a b",
        "quoting",
    ),
    (
        "single-quote-in-single-quotes",
        "web: gunicorn app --bind '127.0.0.1:8000'\n",
        1,
        B,
        "127.0.0.1:8000",
        "it's",
        "holds a '",
    ),
    (
        "not-inside-another-option's-value",
        'web: gunicorn app --name "x --timeout 30"\n',
        1,
        T,
        "30",
        "90",
        "has no --timeout",
    ),
    (
        "sh-c-value-needs-quoting",
        'CMD ["sh", "-c", "exec gunicorn app --bind x"]\n',
        1,
        B,
        "x",
        "a b",
        "quoting",
    ),
    ("control-character", "web: gunicorn app -t 30\n", 1, T, "30", "9\n0", "control"),
    ("no-such-line", "web: gunicorn app -t 30\n", 5, T, "30", "90", "no line 5"),
    ("unclosed-quote", 'web: gunicorn "app -t 30\n', 1, T, "30", "90", "not closed"),
    (
        "yaml-comment-in-new-value",
        "    command: gunicorn app --bind x\n",
        1,
        B,
        "x",
        "a #b",
        "' #'",
    ),
]


@pytest.mark.parametrize(
    ("before", "line", "flags", "old", "new", "reason"),
    [case[1:] for case in SET_FLAG_REFUSED],
    ids=[case[0] for case in SET_FLAG_REFUSED],
)
def test_set_flag_refused(
    before: str, line: int, flags: tuple[str, ...], old: str, new: str, reason: str
) -> None:
    with pytest.raises(EditError) as caught:
        set_flag(before, line, flags, old, new)
    assert reason in str(caught.value)


SHELL_WORDS = [
    # before, line, flags, old, new, the line to split after the edit (index), its words
    (
        "web: gunicorn app --bind 127.0.0.1:8000 -t 30\n",
        1,
        B,
        "127.0.0.1:8000",
        "unix:/run/my app.sock",
        ["web:", "gunicorn", "app", "--bind", "unix:/run/my app.sock", "-t", "30"],
    ),
    (
        'web: gunicorn app --bind "127.0.0.1:8000"\n',
        1,
        B,
        "127.0.0.1:8000",
        "a 'b' \"c\" \\f",
        ["web:", "gunicorn", "app", "--bind", "a 'b' \"c\" \\f"],
    ),
    (
        "web: gunicorn app --name=x\n",
        1,
        ("--name", "-n"),
        "x",
        "it's here",
        ["web:", "gunicorn", "app", "--name=it's here"],
    ),
    (
        "web: gunicorn app -n x\n",
        1,
        ("--name", "-n"),
        "x",
        "",
        ["web:", "gunicorn", "app", "-n", ""],
    ),
]


@pytest.mark.parametrize(("before", "line", "flags", "old", "new", "words"), SHELL_WORDS)
def test_set_flag_shell_words(
    before: str, line: int, flags: tuple[str, ...], old: str, new: str, words: list[str]
) -> None:
    after = run(set_flag, before, line, flags, old, new)
    assert shlex.split(after.splitlines()[line - 1]) == words


# --- add_flag -------------------------------------------------------------------------------------

ADD_FLAG = [
    # id, before, line, program, words, after
    (
        "procfile",
        "web: gunicorn app:app\nworker: gunicorn w:app\n",
        1,
        "gunicorn",
        ["--timeout", "75"],
        "web: gunicorn --timeout 75 app:app\nworker: gunicorn w:app\n",
    ),
    (
        "path-and-python-m",
        "a: /venv/bin/gunicorn app\nb: python -m gunicorn app\n",
        2,
        "gunicorn",
        ["--timeout", "75"],
        "a: /venv/bin/gunicorn app\nb: python -m gunicorn --timeout 75 app\n",
    ),
    (
        "path",
        "a: /venv/bin/gunicorn app\n",
        1,
        "gunicorn",
        ["-t", "75"],
        "a: /venv/bin/gunicorn -t 75 app\n",
    ),
    (
        "python-m-submodule",
        "web: ddtrace-run python -m gunicorn.app.wsgiapp -c g.conf.py app\n",
        1,
        "gunicorn",
        ["--timeout", "75"],
        "web: ddtrace-run python -m gunicorn.app.wsgiapp --timeout 75 -c g.conf.py app\n",
    ),
    (
        "bash-array",
        'args=(--bind 127.0.0.1:8000)\nexec gunicorn "${args[@]}" app\n',
        2,
        "gunicorn",
        ["--timeout", "75"],
        'args=(--bind 127.0.0.1:8000)\nexec gunicorn --timeout 75 "${args[@]}" app\n',
    ),
    (
        "word-quoted",
        "web: gunicorn app\n",
        1,
        "gunicorn",
        ["--bind", "unix:/run/a b.sock"],
        "web: gunicorn --bind 'unix:/run/a b.sock' app\n",
    ),
    (
        "after-pip-install",
        "RUN pip install gunicorn && gunicorn app\n",
        1,
        "gunicorn",
        ["--timeout", "75"],
        "RUN pip install gunicorn && gunicorn --timeout 75 app\n",
    ),
    (
        "uvicorn",
        "web: uvicorn app:app --port 8000\n",
        1,
        "uvicorn",
        ["--timeout-keep-alive", "75"],
        "web: uvicorn --timeout-keep-alive 75 app:app --port 8000\n",
    ),
    (
        "uwsgi",
        "web: uwsgi --ini app.ini\n",
        1,
        "uwsgi",
        ["--harakiri", "60"],
        "web: uwsgi --harakiri 60 --ini app.ini\n",
    ),
    (
        "hypercorn",
        "web: hypercorn app:app\n",
        1,
        "hypercorn",
        ["--keep-alive", "75"],
        "web: hypercorn --keep-alive 75 app:app\n",
    ),
    (
        "daphne",
        "web: daphne app.asgi:application\n",
        1,
        "daphne",
        ["--http-timeout", "60"],
        "web: daphne --http-timeout 60 app.asgi:application\n",
    ),
    (
        "granian",
        "web: granian --interface asgi app:app\n",
        1,
        "granian",
        ["--workers", "2"],
        "web: granian --workers 2 --interface asgi app:app\n",
    ),
    (
        "shell-exec-continuation",
        "#!/bin/sh\nexec gunicorn \\\n    app\n",
        2,
        "gunicorn",
        ["--timeout", "75"],
        "#!/bin/sh\nexec gunicorn --timeout 75 \\\n    app\n",
    ),
    (
        "systemd",
        "[Service]\nExecStart=/srv/venv/bin/gunicorn app \\\n    --bind 127.0.0.1:8000\n",
        2,
        "gunicorn",
        ["--timeout", "75"],
        "[Service]\nExecStart=/srv/venv/bin/gunicorn --timeout 75 app \\\n"
        "    --bind 127.0.0.1:8000\n",
    ),
    (
        "systemd-bare-name",
        "ExecStart=gunicorn app\n",
        1,
        "gunicorn",
        ["--timeout", "75"],
        "ExecStart=gunicorn --timeout 75 app\n",
    ),
    (
        "supervisord",
        "[program:web]\ncommand=gunicorn app\r\n",
        2,
        "gunicorn",
        ["--timeout", "75"],
        "[program:web]\ncommand=gunicorn --timeout 75 app\r\n",
    ),
    (
        "dockerfile-exec",
        'CMD ["gunicorn", "app"]\n',
        1,
        "gunicorn",
        ["--timeout", "75"],
        'CMD ["gunicorn", "--timeout", "75", "app"]\n',
    ),
    (
        "dockerfile-exec-compact",
        'CMD ["gunicorn","app"]\n',
        1,
        "gunicorn",
        ["--timeout", "75"],
        'CMD ["gunicorn","--timeout","75","app"]\n',
    ),
    (
        "dockerfile-exec-continuation",
        'CMD ["/venv/bin/gunicorn", \\\n     "app"]\n',
        1,
        "gunicorn",
        ["--timeout", "75"],
        'CMD ["/venv/bin/gunicorn", "--timeout", "75", \\\n     "app"]\n',
    ),
    (
        "flow-plain-number-quoted",
        "    command: [gunicorn, app]\n",
        1,
        "gunicorn",
        ["--timeout", "75"],
        '    command: [gunicorn, --timeout, "75", app]\n',
    ),
    (
        "flow-single-quoted",
        "    command: ['gunicorn', 'app']\n",
        1,
        "gunicorn",
        ["--timeout", "75"],
        "    command: ['gunicorn', '--timeout', '75', 'app']\n",
    ),
    (
        "block-plain",
        "          command:\n            - gunicorn\n            - app\n",
        2,
        "gunicorn",
        ["--timeout", "75"],
        "          command:\n            - gunicorn\n            - --timeout\n"
        '            - "75"\n            - app\n',
    ),
    (
        "block-double-quoted-crlf-comment",
        'command:\r\n  - "gunicorn"  # server\r\n  - "app"\r\n',
        2,
        "gunicorn",
        ["--timeout", "75"],
        'command:\r\n  - "gunicorn"  # server\r\n  - "--timeout"\r\n  - "75"\r\n  - "app"\r\n',
    ),
    (
        "block-from-key-line",
        "command:\n- gunicorn\n",
        1,
        "gunicorn",
        ["-t", "75"],
        'command:\n- gunicorn\n- -t\n- "75"\n',
    ),
    (
        "block-last-line-without-newline",
        "command:\n  - gunicorn",
        2,
        "gunicorn",
        ["-t", "75"],
        'command:\n  - gunicorn\n  - -t\n  - "75"',
    ),
    (
        "compose-quoted-string",
        '    command: "gunicorn app"\n',
        1,
        "gunicorn",
        ["--timeout", "75"],
        '    command: "gunicorn --timeout 75 app"\n',
    ),
    (
        "sh-c-exec-form",
        'CMD ["sh", "-c", "exec gunicorn app"]\n',
        1,
        "gunicorn",
        ["--timeout", "75"],
        'CMD ["sh", "-c", "exec gunicorn --timeout 75 app"]\n',
    ),
]


@pytest.mark.parametrize(
    ("before", "line", "program", "words", "after"),
    [case[1:] for case in ADD_FLAG],
    ids=[case[0] for case in ADD_FLAG],
)
def test_add_flag(before: str, line: int, program: str, words: list[str], after: str) -> None:
    assert run(add_flag, before, line, program, words) == after


ADD_FLAG_REFUSED = [
    ("no-program", "web: python app.py\n", 1, "gunicorn", ["-t", "75"], "does not run gunicorn"),
    ("prefix", "web: gunicornx app\n", 1, "gunicorn", ["-t", "75"], "does not run"),
    ("only-installed", "RUN pip install gunicorn\n", 1, "gunicorn", ["-t", "75"], "does not run"),
    ("other-line", "a: gunicorn app\nb: celery\n", 2, "gunicorn", ["-t", "75"], "does not run"),
    ("nothing", "web: gunicorn app\n", 1, "gunicorn", [], "no words"),
    (
        "nested-needs-quoting",
        '    command: "gunicorn app"\n',
        1,
        "gunicorn",
        ["--bind", "a b"],
        "quoting",
    ),
]


@pytest.mark.parametrize(
    ("before", "line", "program", "words", "reason"),
    [case[1:] for case in ADD_FLAG_REFUSED],
    ids=[case[0] for case in ADD_FLAG_REFUSED],
)
def test_add_flag_refused(
    before: str, line: int, program: str, words: list[str], reason: str
) -> None:
    with pytest.raises(EditError) as caught:
        add_flag(before, line, program, words)
    assert reason in str(caught.value)


def test_add_flag_shell_words() -> None:
    after = run(add_flag, "web: gunicorn app\n", 1, "gunicorn", ["--name", "my 'app'", "-t", ""])
    assert shlex.split(after) == ["web:", "gunicorn", "--name", "my 'app'", "-t", "", "app"]


# --- remove_flag ----------------------------------------------------------------------------------

REMOVE_FLAG = [
    # id, before, line, flags, old, after
    (
        "middle",
        "web: gunicorn app --timeout 30 --workers 2\nworker: gunicorn w --timeout 30\n",
        1,
        T,
        "30",
        "web: gunicorn app --workers 2\nworker: gunicorn w --timeout 30\n",
    ),
    ("end", "web: gunicorn app --timeout 30\n", 1, T, "30", "web: gunicorn app\n"),
    ("no-value", "web: gunicorn --reload app\n", 1, ("--reload",), None, "web: gunicorn app\n"),
    ("equals", "web: gunicorn app --timeout=30 -w 2\n", 1, T, "30", "web: gunicorn app -w 2\n"),
    ("attached", "web: gunicorn app -t30 -w 2\n", 1, T, "30", "web: gunicorn app -w 2\n"),
    (
        "prefix-trap",
        "web: gunicorn app --timeout-keep-alive 30 --timeout 30\n",
        1,
        T,
        "30",
        "web: gunicorn app --timeout-keep-alive 30\n",
    ),
    (
        "continuation-middle-line",
        "exec gunicorn app \\\n    --timeout 30 \\\n    --workers 2\n",
        2,
        T,
        "30",
        "exec gunicorn app \\\n    --workers 2\n",
    ),
    (
        "continuation-last-line",
        "exec gunicorn app \\\n    --timeout 30 \\\n    --workers 2\necho done\n",
        1,
        W,
        "2",
        "exec gunicorn app \\\n    --timeout 30\necho done\n",
    ),
    (
        "crlf-continuation",
        "exec gunicorn app \\\r\n    --timeout 30 \\\r\n    --workers 2\r\n",
        2,
        T,
        "30",
        "exec gunicorn app \\\r\n    --workers 2\r\n",
    ),
    (
        "exec-form",
        'CMD ["gunicorn", "app", "--timeout", "30", "-w", "2"]\n',
        1,
        T,
        "30",
        'CMD ["gunicorn", "app", "-w", "2"]\n',
    ),
    (
        "exec-form-continuation",
        'CMD ["gunicorn", "config.wsgi", \\\n     "--timeout", "60", \\\n     "--workers", "3"]\n',
        2,
        T,
        "60",
        'CMD ["gunicorn", "config.wsgi", \\\n     "--workers", "3"]\n',
    ),
    (
        "flow-first-item",
        '  args: ["--reload", "--bind", "x"]\n',
        1,
        ("--reload",),
        None,
        '  args: ["--bind", "x"]\n',
    ),
    (
        "block-items",
        'args:\n  - --timeout\n  - "30"\n  - --workers\n  - "2"\nenv: []\n',
        2,
        T,
        "30",
        'args:\n  - --workers\n  - "2"\nenv: []\n',
    ),
    (
        "block-last-items-no-newline",
        'args:\n  - --workers\n  - "2"\n  - --timeout\n  - "30"',
        4,
        T,
        "30",
        'args:\n  - --workers\n  - "2"',
    ),
    (
        "block-crlf-one-item",
        "args:\r\n  - --reload\r\n  - --timeout=30\r\n",
        3,
        T,
        "30",
        "args:\r\n  - --reload\r\n",
    ),
    (
        "cmd-args-first",
        'GUNICORN_CMD_ARGS="--timeout 30 --workers 2"\n',
        1,
        T,
        "30",
        'GUNICORN_CMD_ARGS="--workers 2"\n',
    ),
    (
        "cmd-args-only",
        'GUNICORN_CMD_ARGS="--timeout=30"\n',
        1,
        T,
        "30",
        'GUNICORN_CMD_ARGS=""\n',
    ),
    (
        "systemd",
        "ExecStart=/venv/bin/gunicorn app --reload --bind 127.0.0.1:8000\n",
        1,
        ("--reload",),
        None,
        "ExecStart=/venv/bin/gunicorn app --bind 127.0.0.1:8000\n",
    ),
]


@pytest.mark.parametrize(
    ("before", "line", "flags", "old", "after"),
    [case[1:] for case in REMOVE_FLAG],
    ids=[case[0] for case in REMOVE_FLAG],
)
def test_remove_flag(
    before: str, line: int, flags: tuple[str, ...], old: str | None, after: str
) -> None:
    assert run(remove_flag, before, line, flags, old) == after


def test_remove_flag_bash_array() -> None:
    before = "args=(--bind 127.0.0.1:8000)\nargs+=(--timeout 20)\n"
    after = "args=(--bind 127.0.0.1:8000)\nargs+=()\n"
    assert run(remove_flag, before, 2, T, "20") == after


def test_remove_flag_nested_in_sh_c() -> None:
    before = 'CMD ["sh", "-c", "exec gunicorn app --reload --timeout 30"]\n'
    after = 'CMD ["sh", "-c", "exec gunicorn app --timeout 30"]\n'
    assert run(remove_flag, before, 1, ("--reload",), None) == after


REMOVE_FLAG_REFUSED = [
    ("wrong-value", "web: gunicorn app --timeout 60\n", 1, T, "30", "--timeout 60, not"),
    ("absent", "web: gunicorn app --workers 2\n", 1, ("--reload",), None, "has no --reload"),
    ("has-a-value", "web: gunicorn app --timeout=30\n", 1, T, None, "not --timeout alone"),
]


@pytest.mark.parametrize(
    ("before", "line", "flags", "old", "reason"),
    [case[1:] for case in REMOVE_FLAG_REFUSED],
    ids=[case[0] for case in REMOVE_FLAG_REFUSED],
)
def test_remove_flag_refused(
    before: str, line: int, flags: tuple[str, ...], old: str | None, reason: str
) -> None:
    with pytest.raises(EditError) as caught:
        remove_flag(before, line, flags, old)
    assert reason in str(caught.value)


# --- set_env --------------------------------------------------------------------------------------

SET_ENV = [
    # id, before, line, name, old, new, after
    ("env-file", "A=1\nWEB_CONCURRENCY=4\nB=2\n", 2, "WEB_CONCURRENCY", "4", "8", None),
    ("export", "export WEB_CONCURRENCY=4\n", 1, "WEB_CONCURRENCY", "4", "8", None),
    ("double-quoted", 'WEB_CONCURRENCY="4"\n', 1, "WEB_CONCURRENCY", "4", "8", None),
    ("single-quoted", "WEB_CONCURRENCY='4'\n", 1, "WEB_CONCURRENCY", "4", "8", None),
    ("comment-kept", "TIMEOUT=30  # seconds\n", 1, "TIMEOUT", "30", "90", None),
    ("crlf", "A=1\r\nTIMEOUT=30\r\n", 2, "TIMEOUT", "30", "90", None),
    ("tab", "TIMEOUT=30\t# s\n", 1, "TIMEOUT", "30", "90", None),
    ("needs-quotes", "BIND=127.0.0.1:8000\n", 1, "BIND", "127.0.0.1:8000", "a b", "BIND='a b'\n"),
    (
        "double-quotes-escaped",
        'BIND="x"\n',
        1,
        "BIND",
        "x",
        'a"$b',
        'BIND="a\\"\\$b"\n',
    ),
    ("spaces-unquoted", "ARGS=-t 30\n", 1, "ARGS", "-t 30", "-t 90", "ARGS='-t 90'\n"),
    (
        "prefix-trap",
        "TIMEOUT_X=30 TIMEOUT=30\n",
        1,
        "TIMEOUT",
        "30",
        "90",
        "TIMEOUT_X=30 TIMEOUT=90\n",
    ),
    (
        "compose-mapping-quoted",
        '    environment:\n      WEB_CONCURRENCY: "4"  # workers\n',
        2,
        "WEB_CONCURRENCY",
        "4",
        "8",
        None,
    ),
    (
        "compose-mapping-plain",
        "    environment:\n      WEB_CONCURRENCY: 4\n",
        2,
        "WEB_CONCURRENCY",
        "4",
        "8",
        None,
    ),
    (
        "compose-mapping-string-to-number-quoted",
        "    environment:\n      TIMEOUT: thirty\n",
        2,
        "TIMEOUT",
        "thirty",
        "30",
        '    environment:\n      TIMEOUT: "30"\n',
    ),
    (
        "compose-list",
        "    environment:\n      - A=1\n      - WEB_CONCURRENCY=4\n",
        3,
        "WEB_CONCURRENCY",
        "4",
        "8",
        None,
    ),
    (
        "compose-list-quoted",
        '    environment:\n      - "WEB_CONCURRENCY=4"\n',
        2,
        "WEB_CONCURRENCY",
        "4",
        "8",
        None,
    ),
    (
        "compose-list-quotes-inside",
        '    environment:\n      - WEB_CONCURRENCY="4"\n',
        2,
        "WEB_CONCURRENCY",
        "4",
        "8",
        None,
    ),
    ("dockerfile-env", "ENV TIMEOUT=60\n", 1, "TIMEOUT", "60", "90", None),
    ("dockerfile-env-legacy", "ENV TIMEOUT 60\n", 1, "TIMEOUT", "60", "90", None),
    (
        "dockerfile-env-continuation",
        'ENV A=1 \\\n    TIMEOUT="60" \\\n    B=2\n',
        2,
        "TIMEOUT",
        "60",
        "90",
        None,
    ),
    (
        "kubernetes-name-line",
        '          env:\n            - name: WEB_CONCURRENCY\n              value: "4"\n'
        '            - name: OTHER\n              value: "4"\n',
        2,
        "WEB_CONCURRENCY",
        "4",
        "8",
        '          env:\n            - name: WEB_CONCURRENCY\n              value: "8"\n'
        '            - name: OTHER\n              value: "4"\n',
    ),
    (
        "kubernetes-value-line",
        '          env:\n            - name: WEB_CONCURRENCY\n              value: "4"\n',
        3,
        "WEB_CONCURRENCY",
        "4",
        "8",
        '          env:\n            - name: WEB_CONCURRENCY\n              value: "8"\n',
    ),
    (
        "kubernetes-value-first",
        "    env:\n    - value: '4'\n      name: WEB_CONCURRENCY\n",
        3,
        "WEB_CONCURRENCY",
        "4",
        "8",
        "    env:\n    - value: '8'\n      name: WEB_CONCURRENCY\n",
    ),
    (
        "kubernetes-plain-string-becomes-quoted",
        "    env:\n    - name: TIMEOUT\n      value: thirty\n",
        2,
        "TIMEOUT",
        "thirty",
        "30",
        '    env:\n    - name: TIMEOUT\n      value: "30"\n',
    ),
    (
        "systemd-quoted",
        'Environment="TIMEOUT=60" "WORKERS=3"\n',
        1,
        "WORKERS",
        "3",
        "5",
        'Environment="TIMEOUT=60" "WORKERS=5"\n',
    ),
    ("systemd-bare", "Environment=TIMEOUT=60\n", 1, "TIMEOUT", "60", "90", None),
    (
        "supervisord",
        'environment=DJANGO_SETTINGS_MODULE="config.settings",WEB_CONCURRENCY="4"\n',
        1,
        "WEB_CONCURRENCY",
        "4",
        "8",
        None,
    ),
    ("empty", "TIMEOUT=\n", 1, "TIMEOUT", "", "30", "TIMEOUT=30\n"),
    ("empty-quoted", 'TIMEOUT=""\n', 1, "TIMEOUT", "", "30", 'TIMEOUT="30"\n'),
    (
        "compose-crlf",
        "    environment:\r\n      TIMEOUT: '30'  # s\r\n      B: x\r\n",
        2,
        "TIMEOUT",
        "30",
        "90",
        None,
    ),
    (
        "dockerfile-env-legacy-quoted",
        'ENV TIMEOUT "60"\n',
        1,
        "TIMEOUT",
        "60",
        "90",
        'ENV TIMEOUT "90"\n',
    ),
    (
        "procfile-prefix",
        "web: WEB_CONCURRENCY=4 gunicorn app\n",
        1,
        "WEB_CONCURRENCY",
        "4",
        "8",
        None,
    ),
    (
        "supervisord-bare",
        "environment=A=1,WEB_CONCURRENCY=4,B=2\n",
        1,
        "WEB_CONCURRENCY",
        "4",
        "8",
        None,
    ),
]


@pytest.mark.parametrize(
    ("before", "line", "name", "old", "new", "after"),
    [case[1:] for case in SET_ENV],
    ids=[case[0] for case in SET_ENV],
)
def test_set_env(before: str, line: int, name: str, old: str, new: str, after: str | None) -> None:
    # None: the same text with only the value changed (its last spelling on the line)
    if after is None:
        lines = before.splitlines(keepends=True)
        head, _, tail = lines[line - 1].rpartition(old)
        lines[line - 1] = head + new + tail
        after = "".join(lines)
    assert run(set_env, before, line, name, old, new) == after


SET_ENV_REFUSED = [
    ("wrong-old", "TIMEOUT=60\n", 1, "TIMEOUT", "30", "90", "TIMEOUT=60, not TIMEOUT=30"),
    ("absent", "OTHER=60\n", 1, "TIMEOUT", "30", "90", "does not set TIMEOUT"),
    ("prefix", "TIMEOUT_X=30\n", 1, "TIMEOUT", "30", "90", "does not set TIMEOUT"),
    (
        "value-from",
        "    - name: TIMEOUT\n      valueFrom:\n        configMapKeyRef: {name: a, key: b}\n",
        1,
        "TIMEOUT",
        "30",
        "90",
        "valueFrom",
    ),
    ("not-a-name", "A=1\n", 1, "A B", "1", "2", "not a variable name"),
    ("compose-empty", "    environment:\n      TIMEOUT:\n", 2, "TIMEOUT", "", "30", "no value"),
]


@pytest.mark.parametrize(
    ("before", "line", "name", "old", "new", "reason"),
    [case[1:] for case in SET_ENV_REFUSED],
    ids=[case[0] for case in SET_ENV_REFUSED],
)
def test_set_env_refused(
    before: str, line: int, name: str, old: str, new: str, reason: str
) -> None:
    with pytest.raises(EditError) as caught:
        set_env(before, line, name, old, new)
    assert reason in str(caught.value)


# --- read back by gwlint's launcher reader --------------------------------------------------------

READ_BACK = [
    # file name, before, the edit, the words gunicorn gets after it
    (
        "Procfile",
        "web: gunicorn app:app --timeout 30 --workers 2\n",
        lambda t: set_flag(t, 1, T, "30", "90"),
        ["app:app", "--timeout", "90", "--workers", "2"],
    ),
    (
        "Procfile",
        "web: gunicorn app:app --workers 2\n",
        lambda t: add_flag(t, 1, "gunicorn", ["--bind", "unix:/run/a b.sock"]),
        ["--bind", "unix:/run/a b.sock", "app:app", "--workers", "2"],
    ),
    (
        "Dockerfile",
        'FROM python:3.12\r\nCMD ["gunicorn", "app:app", \\\r\n     "--timeout", "60"]\r\n',
        lambda t: set_flag(t, 3, T, "60", "90"),
        ["app:app", "--timeout", "90"],
    ),
    (
        "Dockerfile",
        'FROM python:3.12\nCMD ["gunicorn", "app:app", "--reload", "-t", "60"]\n',
        lambda t: remove_flag(t, 2, ("--reload",), None),
        ["app:app", "-t", "60"],
    ),
    (
        "docker-compose.yml",
        "services:\n  web:\n    build: .\n    command:\n      - gunicorn\n      - app:app\n",
        lambda t: add_flag(t, 5, "gunicorn", ["--timeout", "75"]),
        ["--timeout", "75", "app:app"],
    ),
    (
        "app.service",
        "[Service]\nExecStart=/srv/venv/bin/gunicorn app:app \\\n    --timeout 30 \\\n"
        "    --workers 2\n",
        lambda t: remove_flag(t, 3, T, "30"),
        ["app:app", "--workers", "2"],
    ),
    (
        "supervisord.conf",
        "[program:web]\ncommand=/venv/bin/gunicorn app:app --timeout 30\n",
        lambda t: set_flag(t, 2, T, "30", "90"),
        ["app:app", "--timeout", "90"],
    ),
    (
        "entrypoint.sh",
        "#!/bin/sh\nexec gunicorn app:app \\\n    --timeout '30'\n",
        lambda t: set_flag(t, 3, T, "30", "90"),
        ["app:app", "--timeout", "90"],
    ),
]


@pytest.mark.parametrize(("name", "before", "edit", "words"), READ_BACK)
def test_read_back(
    tmp_path: Path, name: str, before: str, edit: Callable[[str], Span], words: list[str]
) -> None:
    path = tmp_path / name
    path.write_bytes(applied(before, edit(before)).encode())
    problems = Problems()
    launches = read_launches(str(path), {}, problems)
    assert [p.message for p in problems.items] == []
    assert len(launches) == 1
    assert [w.text for w in launches[0].args] == words
