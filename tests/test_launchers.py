"""Launcher files (Procfile, Dockerfile, compose, systemd, supervisord, env files, shell scripts)
read into ``Launch`` records: the words the program gets, each with its line, and its env."""

from __future__ import annotations

import os
import shlex
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gwlint.loaders import launchers
from gwlint.loaders.common import Problems
from gwlint.loaders.launch import Launch
from gwlint.loaders.launchers import launcher_kind, overridden, read_launches
from tests.conftest import corpus_or_skip

# --- helpers --------------------------------------------------------------------------------------


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))


def read(
    path: str, env: dict[str, str] | None = None
) -> tuple[list[Launch], list[tuple[str, str, int, str]]]:
    problems = Problems()
    got = read_launches(path, env or {}, problems)
    return got, [(p.code, p.location.path, p.location.line, p.message) for p in problems.items]


def words(launch: Launch) -> list[str | None]:
    return [w.text for w in launch.args]


def lines(launch: Launch) -> list[int]:
    return [w.line for w in launch.args]


def env(launch: Launch) -> dict[str, str | None]:
    return {name: value.value for name, value in launch.env.items()}


def one(path: str, env: dict[str, str] | None = None) -> Launch:
    got, problems = read(path, env)
    assert problems == []
    assert len(got) == 1, got
    return got[0]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty repository, the working directory (paths are given relative to it, as the
    engine does)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- launcher_kind --------------------------------------------------------------------------------

SHELL = "#!/bin/sh\nexec gunicorn app:app\n"


@pytest.mark.parametrize(
    ("name", "text", "walking", "kind"),
    [
        ("Procfile", "web: echo", True, "procfile"),
        ("Procfile.dev", "web: echo", True, "procfile"),
        ("Dockerfile", "FROM x", True, "dockerfile"),
        ("docker/Dockerfile.prod", "FROM x", True, "dockerfile"),
        ("web.dockerfile", "FROM x", True, "dockerfile"),
        ("Containerfile", "FROM x", True, "dockerfile"),
        ("Dockerfile.md", "# docs", True, None),
        ("docker-compose.yml", "services: {web: {command: gunicorn a}}", True, "compose"),
        ("docker-compose.prod.yaml", "services: {web: {command: uwsgi}}", True, "compose"),
        ("compose.yaml", "services: {web: {command: uvicorn a}}", True, "compose"),
        ("compose.yaml", "services: {web: {build: .}}", True, "compose"),  # its Dockerfile may
        ("compose.yaml", "services: {db: {image: postgres}}", True, None),
        ("compose.yaml", "services: {db: {image: postgres}}", False, "compose"),
        ("docker-compose.example.yml", "services: {web: {command: gunicorn}}", True, None),
        ("app.service", "[Service]\nExecStart=/v/bin/gunicorn a\n", True, "systemd"),
        ("nginx.service", "[Service]\nExecStart=/usr/sbin/nginx\n", True, None),
        ("nginx.service", "[Service]\nExecStart=/usr/sbin/nginx\n", False, "systemd"),
        ("supervisord.conf", "[program:web]\ncommand=gunicorn a\n", True, "supervisord"),
        ("supervisor.conf", "[program:web]\ncommand=lemur start\n", True, None),
        ("supervisor/web.conf", "[program:web]\ncommand=gunicorn a\n", True, "supervisord"),
        ("conf.d/web.conf", "[program:web]\ncommand=gunicorn a\n", True, "supervisord"),
        ("conf.d/site.conf", "server { listen 80; }\n", True, None),
        ("deploy/web.conf", "[program:web]\ncommand=gunicorn a\n", True, None),
        ("deploy/web.conf", "[program:web]\ncommand=gunicorn a\n", False, "supervisord"),
        (".env", "GUNICORN_CMD_ARGS=--workers 3\n", True, "env"),
        (".env.prod", "GUNICORN_CMD_ARGS=--workers 3\n", True, "env"),
        ("prod.env", "GUNICORN_CMD_ARGS=--workers 3\n", True, "env"),
        ("env", "GUNICORN_CMD_ARGS=--workers 3\n", True, "env"),
        (".env", "DEBUG=1\n", True, None),
        (".env.example", "GUNICORN_CMD_ARGS=--workers 3\n", True, None),
        (".env.example", "GUNICORN_CMD_ARGS=--workers 3\n", False, None),
        ("prod.env.example", "GUNICORN_CMD_ARGS=--workers 3\n", True, None),
        (".env.sample", "GUNICORN_CMD_ARGS=--workers 3\n", True, None),
        (".env.template", "GUNICORN_CMD_ARGS=--workers 3\n", True, None),
        ("start.sh", SHELL, True, "shell"),
        ("scripts/run.bash", SHELL, True, "shell"),
        ("build.sh", "#!/bin/sh\nmake\n", True, None),
        ("entrypoint", SHELL, True, "shell"),
        ("docker-entrypoint", SHELL, True, "shell"),
        ("start", SHELL, True, "shell"),
        ("boot", "#!/usr/bin/env bash\nuwsgi --ini x\n", True, "shell"),
        ("start", "#!/usr/bin/env python\nimport gunicorn\n", True, None),
        ("runtime.txt", "python-3.12 gunicorn", True, None),
        ("Procfile.j2", "web: gunicorn a", True, None),
        ("gunicorn.conf.py", "workers = 2", True, None),
        ("uwsgi.ini", "[uwsgi]\n", True, None),
    ],
)
def test_launcher_kind(repo: Path, name: str, text: str, walking: bool, kind: str | None) -> None:
    write(repo, {name: text})
    assert launcher_kind(name, walking=walking) == kind


def test_launcher_kind_of_a_missing_file_is_by_name(repo: Path) -> None:
    assert launcher_kind("Procfile") == "procfile"
    assert launcher_kind("start.sh") is None  # nothing to read: it does not mention gunicorn
    assert launcher_kind("nothing.txt") is None


# --- Procfile -------------------------------------------------------------------------------------


def test_procfile_words_lines_and_labels(repo: Path) -> None:
    write(
        repo,
        {
            "Procfile": """
                release: python manage.py migrate
                web: gunicorn app.wsgi --bind 0.0.0.0:$PORT --workers ${WEB_CONCURRENCY:-3}
                # a comment
                worker: celery -A app worker
                api: exec python -m uvicorn api:app --port 8001
            """
        },
    )
    got, problems = read("Procfile")
    assert problems == []
    assert [(g.label, g.program, g.line) for g in got] == [
        ("Procfile web", "gunicorn", 2),
        ("Procfile api", "uvicorn", 5),
    ]
    web = got[0]
    # the platform that runs a Procfile sets PORT and WEB_CONCURRENCY when the process starts:
    # both are set, to values gwlint cannot know (not ${WEB_CONCURRENCY:-3}'s default)
    assert words(web) == ["app.wsgi", "--bind", None, "--workers", None]
    assert [(w.line, w.column) for w in web.args] == [(2, 15), (2, 24), (2, 31), (2, 45), (2, 55)]
    assert web.args[2].raw == "0.0.0.0:$PORT"
    assert web.args[2].unknown is not None
    assert "--env PORT=" in web.args[2].unknown
    assert "set by the platform" in web.args[2].unknown
    assert "set by the platform" in (web.args[4].unknown or "")
    assert web.args[4].raw == "${WEB_CONCURRENCY:-3}"
    assert (web.folder, web.workdir) == (".", None)
    assert {name: (v.value, v.line) for name, v in web.env.items()} == {
        "PORT": (None, 2),
        "WEB_CONCURRENCY": (None, 2),
    }
    assert words(got[1]) == ["api:app", "--port", "8001"]


def test_procfile_env_values_and_sibling_dotenv(repo: Path) -> None:
    write(
        repo,
        {
            "deploy/Procfile": "web: gunicorn app --bind :$PORT -w ${WEB_CONCURRENCY:-3} -t $T\n",
            "deploy/.env": """
                # loaded by foreman and honcho
                export PORT=5000
                GUNICORN_CMD_ARGS="--timeout 30"
            """,
        },
    )
    # .env is what foreman and honcho load to run it locally: where the Procfile is deployed,
    # the platform sets PORT
    assert words(one("deploy/Procfile"))[:3] == ["app", "--bind", None]
    web = one("deploy/Procfile", {"WEB_CONCURRENCY": "9", "PORT": "1", "T": "7"})
    # --env is where the server runs: it beats .env, the default, and gives $T a value
    assert words(web) == ["app", "--bind", ":1", "-w", "9", "-t", "7"]
    assert env(web) == {"PORT": "5000", "GUNICORN_CMD_ARGS": "--timeout 30"}
    assert (web.env["PORT"].path, web.env["PORT"].line) == ("deploy/.env", 2)
    assert (web.env["GUNICORN_CMD_ARGS"].path, web.env["GUNICORN_CMD_ARGS"].line) == (
        "deploy/.env",
        3,
    )
    assert web.referenced == ("deploy/.env",)
    assert web.folder == "deploy"


def test_procfile_typographic_dashes_are_kept(repo: Path) -> None:
    write(repo, {"Procfile": "web: gunicorn app —workers 3 –timeout 30\n"})
    assert words(one("Procfile")) == ["app", "—workers", "3", "–timeout", "30"]


@pytest.mark.parametrize(
    "command",
    [
        "gunicorn --version",
        "gunicorn -v",
        "gunicorn app --check-config",
        "uwsgi --help",
        "uvicorn --version",
        "pip install gunicorn",
        "which gunicorn",
        "command -v gunicorn",
        "echo gunicorn app",
        "celery -A app worker",
        "python manage.py runserver",
        "python -m pip install gunicorn",
        "python -c 'import gunicorn'",
        "supervisorctl restart gunicorn",
        "pkill gunicorn",
        "lemur start -b 0.0.0.0:8000",
        "$SERVER app:app",
    ],
)
def test_commands_that_do_not_start_a_server(repo: Path, command: str) -> None:
    write(repo, {"Procfile": f"web: {command}\n"})
    assert read("Procfile") == ([], [])


def test_procfile_unterminated_quote_is_gw008(repo: Path) -> None:
    write(repo, {"Procfile": "release: echo ok\nweb: gunicorn app --name 'web\n"})
    got, problems = read("Procfile")
    assert got == []
    assert [(code, path, line) for code, path, line, _ in problems] == [("GW008", "Procfile", 2)]
    assert "unterminated single quote" in problems[0][3]


def test_procfile_unterminated_quote_elsewhere_is_not_reported(repo: Path) -> None:
    write(repo, {"Procfile": "release: echo 'oops\nweb: gunicorn app\n"})
    got, problems = read("Procfile")
    assert [g.label for g in got] == ["Procfile web"]
    assert problems == []


# --- wrappers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "program"),
    [
        ("gunicorn app:app -w 2", "gunicorn"),
        ("exec gunicorn app:app -w 2", "gunicorn"),
        ("exec -a web gunicorn app:app -w 2", "gunicorn"),
        ("/venv/bin/gunicorn app:app -w 2", "gunicorn"),
        ("gunicorn3 app:app -w 2", "gunicorn"),
        ("python -m gunicorn app:app -w 2", "gunicorn"),
        ("python3 -u -m gunicorn app:app -w 2", "gunicorn"),
        ("python3.12 -W ignore -m gunicorn.app.wsgiapp app:app -w 2", "gunicorn"),
        ("/venv/bin/python /venv/bin/gunicorn app:app -w 2", "gunicorn"),
        ("python3 -m uvicorn app:app -w 2", "uvicorn"),
        ("uvicorn app:app -w 2", "uvicorn"),
        ("uwsgi app:app -w 2", "uwsgi"),
        ("pyuwsgi app:app -w 2", "uwsgi"),
        ("poetry run gunicorn app:app -w 2", "gunicorn"),
        ("pipenv run gunicorn app:app -w 2", "gunicorn"),
        ("uv run gunicorn app:app -w 2", "gunicorn"),
        ("uv run --frozen --with gevent -- gunicorn app:app -w 2", "gunicorn"),
        ("pdm run gunicorn app:app -w 2", "gunicorn"),
        ("ddtrace-run gunicorn app:app -w 2", "gunicorn"),
        ("newrelic-admin run-program gunicorn app:app -w 2", "gunicorn"),
        ("opentelemetry-instrument gunicorn app:app -w 2", "gunicorn"),
        (
            "opentelemetry-instrument --traces_exporter console --metrics_exporter=none "
            "gunicorn app:app -w 2",
            "gunicorn",
        ),
        ("dumb-init gunicorn app:app -w 2", "gunicorn"),
        ("dumb-init -- gunicorn app:app -w 2", "gunicorn"),
        ("dumb-init --single-child -- gunicorn app:app -w 2", "gunicorn"),
        ("tini gunicorn app:app -w 2", "gunicorn"),
        ("tini -g -- gunicorn app:app -w 2", "gunicorn"),
        ("gosu app gunicorn app:app -w 2", "gunicorn"),
        ("su-exec app:app gunicorn app:app -w 2", "gunicorn"),
        ("setuidgid app gunicorn app:app -w 2", "gunicorn"),
        ("chpst -u app gunicorn app:app -w 2", "gunicorn"),
        ("chpst -u app -U app -v gunicorn app:app -w 2", "gunicorn"),
        ("nice gunicorn app:app -w 2", "gunicorn"),
        ("nice -n 10 gunicorn app:app -w 2", "gunicorn"),
        ("authbind gunicorn app:app -w 2", "gunicorn"),
        ("authbind --deep gunicorn app:app -w 2", "gunicorn"),
        ("nohup gunicorn app:app -w 2", "gunicorn"),
        ("sudo -E -u app gunicorn app:app -w 2", "gunicorn"),
        ("bin/start-nginx gunicorn app:app -w 2", "gunicorn"),
        ("wait-for-it.sh db:5432 -t 30 -- gunicorn app:app -w 2", "gunicorn"),
        ("dockerize -wait tcp://db:5432 -timeout 20s gunicorn app:app -w 2", "gunicorn"),
        ("env gunicorn app:app -w 2", "gunicorn"),
        ("exec dumb-init -- gosu app ddtrace-run python -m gunicorn app:app -w 2", "gunicorn"),
        ("sh -c 'gunicorn app:app -w 2'", "gunicorn"),
        ('bash -c "exec gunicorn app:app -w 2"', "gunicorn"),
        ("/bin/sh -ec 'gunicorn app:app -w 2'", "gunicorn"),
        ("su app -c 'gunicorn app:app -w 2'", "gunicorn"),
        ("su - app -s /bin/sh -c 'gunicorn app:app -w 2'", "gunicorn"),
        ("cd /srv && gunicorn app:app -w 2", "gunicorn"),
        ("python manage.py migrate && exec gunicorn app:app -w 2", "gunicorn"),
        ("python manage.py migrate; gunicorn app:app -w 2", "gunicorn"),
        ("gunicorn app:app -w 2 2>&1 | tee /var/log/web.log", "gunicorn"),
        ("gunicorn app:app -w 2 &", "gunicorn"),
        ("gunicorn app:app -w 2 > /dev/null 2>&1 &", "gunicorn"),
        ("test -f x || gunicorn app:app -w 2", "gunicorn"),
    ],
)
def test_wrappers_and_chains(repo: Path, command: str, program: str) -> None:
    write(repo, {"Procfile": f"web: {command}\n"})
    web = one("Procfile")
    assert web.program == program
    assert words(web) == ["app:app", "-w", "2"]


def test_env_wrapper_and_prefix_assignments_go_to_env(repo: Path) -> None:
    write(
        repo,
        {"Procfile": 'web: A=1 env B="two words" -u X C=3 gunicorn app --name $A\n'},
    )
    web = one("Procfile")
    platform = {"PORT": None, "WEB_CONCURRENCY": None}  # set where a Procfile runs
    assert env(web) == {**platform, "A": "1", "B": "two words", "C": "3"}
    assert words(web) == ["app", "--name", None]  # $A is set for gunicorn, not for this line
    assert [(v.line, v.column) for v in web.env.values()] == [
        (1, 1),
        (1, 1),
        (1, 6),
        (1, 14),
        (1, 33),
    ]


def test_sh_c_string_keeps_lines_and_columns(repo: Path) -> None:
    write(
        repo,
        {
            "start.sh": """
                #!/bin/sh
                sh -c "python manage.py migrate &&
                  exec gunicorn app:app --bind unix:$SOCK -w 2"
            """
        },
    )
    web = one("start.sh")
    assert words(web) == ["app:app", "--bind", None, "-w", "2"]
    assert [(w.line, w.column) for w in web.args] == [(3, 17), (3, 25), (3, 32), (3, 43), (3, 46)]
    assert web.args[2].unknown is not None
    assert "SOCK" in web.args[2].unknown


# --- shell scripts --------------------------------------------------------------------------------


def test_shell_script_variables_top_to_bottom(repo: Path) -> None:
    write(
        repo,
        {
            "docker-entrypoint.sh": """
                #!/bin/bash
                set -euo pipefail
                : "${PORT:=8000}"
                WORKERS=${WEB_CONCURRENCY:-4}
                OPTS="--timeout 30 --keep-alive 5"
                export GUNICORN_CMD_ARGS="--graceful-timeout 20"
                NOT_EXPORTED=1
                if [ -n "${DEBUG:-}" ]; then
                  THREADS=1
                fi
                exec gunicorn app:app \\
                  --bind "0.0.0.0:$PORT" -w $WORKERS $OPTS \\
                  --threads "$THREADS" --name "$HOSTNAME" --x '$PORT' "$@"
            """
        },
    )
    web = one("docker-entrypoint.sh")
    assert web.label == "docker-entrypoint.sh"
    assert words(web) == [
        "app:app",
        "--bind",
        "0.0.0.0:8000",
        "-w",
        "4",
        "--timeout",
        "30",
        "--keep-alive",
        "5",
        "--threads",
        None,
        "--name",
        None,
        "--x",
        "$PORT",
    ]
    assert lines(web) == [11] + [12] * 8 + [13] * 6
    assert web.line == 11
    threads, hostname = web.args[10], web.args[12]
    assert threads.unknown is not None
    assert "if block (line 8)" in threads.unknown
    assert hostname.unknown is not None
    assert "--env HOSTNAME=VALUE" in hostname.unknown
    assert env(web) == {"GUNICORN_CMD_ARGS": "--graceful-timeout 20"}  # only what is exported
    assert (web.env["GUNICORN_CMD_ARGS"].line, web.env["GUNICORN_CMD_ARGS"].column) == (6, 8)


def test_shell_script_env_values_win_and_defaults(repo: Path) -> None:
    write(repo, {"run.sh": "exec gunicorn a -b :${PORT:-80} -w ${W:-2} -t $T\n"})
    got = words(one("run.sh", {"PORT": "9000", "T": "5"}))
    assert got == ["a", "-b", ":9000", "-w", "2", "-t", "5"]


def test_shell_script_case_branches_functions_and_heredocs(repo: Path) -> None:
    write(
        repo,
        {
            "start.sh": """
                #!/bin/sh
                cat > /tmp/conf <<EOF
                gunicorn not:this
                EOF
                run_web() {
                  LOCAL=1
                  exec gunicorn func:app --x $LOCAL
                }
                case "$1" in
                  web) exec uvicorn web:app ;;
                  worker)
                    celery -A app worker
                    ;;
                esac
                gunicorn --version
                gunicorn last:app --y $LOCAL
            """
        },
    )
    got, problems = read("start.sh")
    assert problems == []
    assert [(g.program, words(g), g.line) for g in got] == [
        ("gunicorn", ["func:app", "--x", "1"], 7),
        ("uvicorn", ["web:app"], 10),
        ("gunicorn", ["last:app", "--y", None], 16),
    ]
    assert "a function (line 5)" in (got[2].args[2].unknown or "")


def test_shell_script_cd_sets_workdir_and_folder(repo: Path) -> None:
    write(repo, {"bin/start.sh": "cd /srv/app\ncd src && exec gunicorn a\n", "bin/src/x": ""})
    web = one("bin/start.sh")
    assert web.workdir == "/srv/app/src"
    assert web.folder == "bin/src"


def test_shell_script_unterminated_quote_is_gw008(repo: Path) -> None:
    write(repo, {"start.sh": '#!/bin/sh\necho ok\nexec gunicorn app --name "web\n'})
    got, problems = read("start.sh")
    assert got == []
    assert [(code, line) for code, _, line, _ in problems] == [("GW008", 3)]


def test_shell_script_following_another(repo: Path) -> None:
    write(
        repo,
        {
            "Procfile": "web: bin/web --workers 2\n",
            "bin/web": '#!/bin/bash\nexport X=1\nexec gunicorn app:app "$@"\n',
        },
    )
    web = one("Procfile")
    assert (web.label, web.path, web.line) == ("Procfile web -> web", "bin/web", 3)
    # the Procfile's words stand where "$@" is
    assert words(web) == ["app:app", "--workers", "2"]
    assert [(w.line, w.column) for w in web.args] == [(3, 15), (3, 23), (3, 23)]
    assert env(web) == {"PORT": None, "WEB_CONCURRENCY": None, "X": "1"}  # and the platform's
    assert web.referenced == ()


# --- Dockerfile -----------------------------------------------------------------------------------


def test_dockerfile_exec_form_env_arg_workdir(repo: Path) -> None:
    write(
        repo,
        {
            "Dockerfile": """
                ARG PYTHON=3.12
                FROM python:${PYTHON}-slim
                ARG WORKERS=4
                ARG RELEASE
                ENV PORT=8000 \\
                    # a comment inside the instruction
                    WEB_CONCURRENCY=$WORKERS GUNICORN_CMD_ARGS="--timeout 30 --keep-alive 5"
                ENV LEGACY_FORM some value
                ENV FROM_ARG=${RELEASE:-dev}
                WORKDIR /srv
                WORKDIR app
                COPY . .
                CMD ["gunicorn", "app.wsgi", \\
                     "--bind", "0.0.0.0:$PORT", "--name", "w\\u00e9b"]
            """
        },
    )
    web = one("Dockerfile")
    assert (web.label, web.line, web.program) == ("Dockerfile CMD", 13, "gunicorn")
    # exec form runs no shell: $PORT reaches gunicorn as written
    assert words(web) == ["app.wsgi", "--bind", "0.0.0.0:$PORT", "--name", "wéb"]
    assert [(w.line, w.column) for w in web.args] == [
        (13, 18),
        (14, 6),
        (14, 16),
        (14, 33),
        (14, 43),
    ]
    assert web.args[0].raw == '"app.wsgi"'
    assert env(web) == {
        "PORT": "8000",
        "WEB_CONCURRENCY": "4",
        "GUNICORN_CMD_ARGS": "--timeout 30 --keep-alive 5",
        "LEGACY_FORM": "some value",
        "FROM_ARG": "dev",
    }
    assert [web.env[k].line for k in web.env] == [5, 7, 7, 8, 9]
    assert web.workdir == "/srv/app"
    assert web.folder == "."


def test_dockerfile_arg_from_env(repo: Path) -> None:
    write(repo, {"Dockerfile": "FROM x\nARG W=2\nENV W=$W\nCMD gunicorn a -w $W\n"})
    assert words(one("Dockerfile", {"W": "8"})) == ["a", "-w", "8"]
    assert words(one("Dockerfile")) == ["a", "-w", "2"]


def test_dockerfile_shell_form_with_chain_and_continuation(repo: Path) -> None:
    write(
        repo,
        {
            "Dockerfile": """
                FROM python
                ENV PORT=8000
                CMD python manage.py migrate && \\
                    gunicorn app:app -b :$PORT \\
                      --workers ${WORKERS:-2} --name $HOSTNAME
            """
        },
    )
    web = one("Dockerfile")
    assert words(web) == ["app:app", "-b", ":8000", "--workers", "2", "--name", None]
    assert lines(web) == [4, 4, 4, 5, 5, 5, 5]
    assert web.line == 4


def test_dockerfile_escape_directive(repo: Path) -> None:
    write(
        repo,
        {
            "Dockerfile": """
                # escape=`
                FROM python
                CMD gunicorn app `
                    --workers 3
            """
        },
    )
    web = one("Dockerfile")
    assert words(web) == ["app", "--workers", "3"]
    assert lines(web) == [3, 4, 4]


def test_dockerfile_multi_stage_last_stage_counts(repo: Path) -> None:
    write(
        repo,
        {
            "Dockerfile": """
                FROM python AS base
                ENV PORT=8000
                CMD ["gunicorn", "base:app"]

                FROM node AS assets
                CMD ["uvicorn", "assets:app"]

                FROM base AS prod
                ENV WORKERS=5
            """
        },
    )
    web = one("Dockerfile")
    assert words(web) == ["base:app"]  # prod inherits base's CMD and ENV
    assert env(web) == {"PORT": "8000", "WORKERS": "5"}


def test_dockerfile_only_the_last_cmd(repo: Path) -> None:
    write(repo, {"Dockerfile": 'FROM x\nCMD gunicorn first\nCMD ["uwsgi", "--ini", "u"]\n'})
    web = one("Dockerfile")
    assert (web.program, words(web), web.line) == ("uwsgi", ["--ini", "u"], 3)


def test_dockerfile_last_stage_without_server(repo: Path) -> None:
    write(repo, {"Dockerfile": "FROM x AS a\nCMD gunicorn a\nFROM nginx\nCMD nginx\n"})
    assert read("Dockerfile") == ([], [])


def test_dockerfile_entrypoint_resets_the_inherited_cmd(repo: Path) -> None:
    write(
        repo,
        {"Dockerfile": 'FROM x AS a\nCMD ["gunicorn", "a"]\nFROM a\nENTRYPOINT ["uvicorn"]\n'},
    )
    web = one("Dockerfile")
    assert (web.program, words(web), web.label) == ("uvicorn", [], "Dockerfile ENTRYPOINT")


def test_dockerfile_exec_entrypoint_gets_cmd(repo: Path) -> None:
    write(
        repo,
        {
            "Dockerfile": """
                FROM x
                ENTRYPOINT ["tini", "--", "gunicorn"]
                CMD ["app:app", "-w", "4"]
            """
        },
    )
    web = one("Dockerfile")
    assert (web.label, words(web), lines(web)) == (
        "Dockerfile ENTRYPOINT",
        ["app:app", "-w", "4"],
        [3, 3, 3],
    )


def test_dockerfile_exec_entrypoint_with_shell_form_cmd(repo: Path) -> None:
    write(repo, {"Dockerfile": 'FROM x\nENTRYPOINT ["dumb-init", "--"]\nCMD gunicorn a -w 2\n'})
    web = one("Dockerfile")
    assert (web.label, words(web), lines(web)) == ("Dockerfile CMD", ["a", "-w", "2"], [3, 3, 3])


def test_dockerfile_shell_form_entrypoint_ignores_cmd(repo: Path) -> None:
    write(repo, {"Dockerfile": 'FROM x\nENTRYPOINT exec gunicorn a\nCMD ["--workers", "9"]\n'})
    web = one("Dockerfile")
    assert (web.label, words(web)) == ("Dockerfile ENTRYPOINT", ["a"])


def test_dockerfile_broken_json_is_gw008(repo: Path) -> None:
    write(repo, {"Dockerfile": "FROM x\nENV A=1\nCMD ['gunicorn', 'app']\n"})
    got, problems = read("Dockerfile")
    assert got == []
    assert [(code, path, line) for code, path, line, _ in problems] == [("GW008", "Dockerfile", 3)]
    assert "not a JSON array of strings" in problems[0][3]


@pytest.mark.parametrize(
    ("cmd", "line"),
    [
        ('CMD ["gunicorn", "app"', 2),
        ('CMD ["gunicorn",\\\n  "app",]', 3),
        ('CMD ["gunicorn", 8000]', 2),
        ('CMD ["gunicorn" "app"]', 2),
        ('CMD ["gunicorn"] extra', 2),
    ],
)
def test_dockerfile_broken_json_lines(repo: Path, cmd: str, line: int) -> None:
    write(repo, {"Dockerfile": f"FROM x\n{cmd}\n"})
    got, problems = read("Dockerfile")
    assert got == []
    assert [(code, got_line) for code, _, got_line, _ in problems] == [("GW008", line)]


def test_dockerfile_entrypoint_script_through_copy_runs_cmd(repo: Path) -> None:
    write(
        repo,
        {
            "docker/Dockerfile": """
                FROM python
                ENV PORT=8000
                WORKDIR /app
                COPY scripts/entry.sh /docker-entrypoint.sh
                COPY . .
                ENTRYPOINT ["/docker-entrypoint.sh"]
                CMD ["gunicorn", "app:app", "--bind", "0.0.0.0:8000"]
            """,
            "docker/scripts/entry.sh": """
                #!/bin/sh
                set -e
                export GUNICORN_CMD_ARGS="--timeout 60"
                python manage.py migrate
                exec "$@"
            """,
        },
    )
    web = one("docker/Dockerfile")
    assert web.label == "Dockerfile ENTRYPOINT -> entry.sh"
    # where the Dockerfile writes the program's name (its CMD), reached through "$@"
    assert (web.path, web.line) == ("docker/Dockerfile", 7)
    assert words(web) == ["app:app", "--bind", "0.0.0.0:8000"]
    assert lines(web) == [7, 7, 7]
    assert env(web) == {"PORT": "8000", "GUNICORN_CMD_ARGS": "--timeout 60"}
    assert web.env["GUNICORN_CMD_ARGS"].path == "docker/scripts/entry.sh"
    assert web.referenced == ("docker/scripts/entry.sh",)
    assert (web.workdir, web.folder) == ("/app", "docker")


def test_dockerfile_cmd_script_that_starts_gunicorn(repo: Path) -> None:
    write(
        repo,
        {
            "Dockerfile": """
                FROM python
                ENV WORKERS=3
                WORKDIR /srv
                COPY . .
                CMD ["./start.sh", "--timeout", "30"]
            """,
            "start.sh": '#!/bin/sh\nexec gunicorn app -w "$WORKERS" "$@"\n',
        },
    )
    web = one("Dockerfile")
    assert (web.label, web.path, web.line) == ("Dockerfile CMD -> start.sh", "start.sh", 2)
    assert words(web) == ["app", "-w", "3", "--timeout", "30"]
    # the CMD's words are where "$@" is in the script
    assert [(w.line, w.column) for w in web.args] == [
        (2, 15),
        (2, 19),
        (2, 22),
        (2, 33),
        (2, 33),
    ]
    assert web.env["WORKERS"].path == "Dockerfile"
    assert web.referenced == ("Dockerfile",)


def test_dockerfile_entrypoint_script_found_by_basename(repo: Path) -> None:
    write(
        repo,
        {
            "Dockerfile": 'FROM x\nENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]\n',
            "deploy/docker/docker-entrypoint.sh": "#!/bin/sh\nexec uwsgi --ini /etc/u.ini\n",
        },
    )
    web = one("Dockerfile")
    assert web.label == "Dockerfile ENTRYPOINT -> docker-entrypoint.sh"
    assert (web.path, web.program) == ("deploy/docker/docker-entrypoint.sh", "uwsgi")


def test_dockerfile_entrypoint_script_not_in_repository_runs_cmd(repo: Path) -> None:
    write(
        repo,
        {"Dockerfile": 'FROM x\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["gunicorn", "a:b"]\n'},
    )
    web = one("Dockerfile")
    assert (web.label, words(web), web.line) == ("Dockerfile CMD", ["a:b"], 3)


def test_dockerfile_folder_through_copy(repo: Path) -> None:
    write(
        repo,
        {
            "Dockerfile": "FROM x\nCOPY ./backend /srv/web\nWORKDIR /srv/web/src\nCMD gunicorn a\n",
            "backend/src/gunicorn.conf.py": "",
        },
    )
    web = one("Dockerfile")
    assert (web.workdir, web.folder) == ("/srv/web/src", "backend/src")


# --- compose --------------------------------------------------------------------------------------


def test_compose_command_environment_env_file(repo: Path) -> None:
    write(
        repo,
        {
            "docker-compose.yml": """
                services:
                  web:
                    image: app
                    command: gunicorn app:app --bind 0.0.0.0:${PORT:-8000} -w $$WORKERS
                    environment:
                      WORKERS: 4
                      PASSED:
                    env_file:
                      - ./web.env
                      - ./missing.env
                    working_dir: /srv
                  api:
                    image: app
                    command: ["uvicorn", "api:app", "--port", "${API_PORT}"]
                    environment:
                      - API_KEY=secret
                      - HOST
                  db:
                    image: postgres
            """,
            "web.env": "WORKERS=2\nGUNICORN_CMD_ARGS='--timeout 30'\n",
        },
    )
    got, problems = read("docker-compose.yml")
    assert problems == []
    web, api = got
    assert (web.label, web.line, web.path) == ("compose service web", 4, "docker-compose.yml")
    # compose runs no shell: $$WORKERS reaches gunicorn as $WORKERS
    assert words(web) == ["app:app", "--bind", "0.0.0.0:8000", "-w", "$WORKERS"]
    assert [(w.line, w.column) for w in web.args] == [
        (4, 23),
        (4, 31),
        (4, 38),
        (4, 60),
        (4, 63),
    ]
    assert env(web) == {"WORKERS": "4", "GUNICORN_CMD_ARGS": "--timeout 30", "PASSED": None}
    assert (web.env["WORKERS"].path, web.env["WORKERS"].line) == ("docker-compose.yml", 6)
    assert (web.env["GUNICORN_CMD_ARGS"].path, web.env["GUNICORN_CMD_ARGS"].line) == ("web.env", 2)
    assert "docker compose" in (web.env["PASSED"].unknown or "")
    assert web.referenced == ("web.env",)
    assert web.workdir == "/srv"
    assert words(api) == ["api:app", "--port", None]
    assert lines(api) == [14, 14, 14]
    assert "--env API_PORT=VALUE" in (api.args[2].unknown or "")
    assert env(api) == {"API_KEY": "secret", "HOST": None}


def test_compose_interpolation_from_env_and_project_dotenv(repo: Path) -> None:
    write(
        repo,
        {
            "compose.yaml": """
                services:
                  web:
                    command: gunicorn a -b :${PORT:-80} -w ${W} -t ${T:-5}
                    environment:
                      PORT: 1234  # the container's, not compose's
            """,
            ".env": "W=3\n",
        },
    )
    web = one("compose.yaml", {"T": "9"})
    assert words(web) == ["a", "-b", ":80", "-w", "3", "-t", "9"]
    assert web.referenced == (".env",)


def test_compose_sh_c_uses_the_container_environment(repo: Path) -> None:
    write(
        repo,
        {
            "compose.yaml": """
                services:
                  web:
                    command: >
                      sh -c "python manage.py migrate &&
                      gunicorn a -b :$$PORT"
                    environment:
                      PORT: 7000
            """
        },
    )
    web = one("compose.yaml")
    assert (words(web), lines(web)) == (["a", "-b", ":7000"], [5, 5, 5])


def test_compose_service_builds_a_dockerfile(repo: Path) -> None:
    write(
        repo,
        {
            "docker-compose.yml": """
                x-env: &env
                  environment:
                    WORKERS: "6"
                services:
                  web:
                    build: ./app
                    <<: *env
                  api:
                    build:
                      context: ./app
                      dockerfile: Dockerfile.api
                    command: ["uvicorn", "api:app"]
                  worker:
                    extends: web
                    command: celery -A app worker
            """,
            "app/Dockerfile": """
                FROM python
                ENV PORT=8000 WORKERS=2
                WORKDIR /code
                COPY . .
                CMD gunicorn app:app -b :$PORT -w $WORKERS
            """,
            "app/Dockerfile.api": 'FROM python\nENTRYPOINT ["ddtrace-run"]\nCMD ["gunicorn"]\n',
        },
    )
    got, problems = read("docker-compose.yml")
    assert problems == []
    web, api = got
    assert web.label == "compose service web (Dockerfile CMD)"
    assert (web.path, web.line) == ("app/Dockerfile", 5)
    assert words(web) == ["app:app", "-b", ":8000", "-w", "6"]
    assert lines(web) == [5, 5, 5, 5, 5]
    assert env(web) == {"PORT": "8000", "WORKERS": "6"}
    assert [web.env[k].path for k in web.env] == ["app/Dockerfile", "docker-compose.yml"]
    assert web.referenced == ("docker-compose.yml",)
    assert (web.workdir, web.folder) == ("/code", "app")
    # command: replaces CMD, after the image's ENTRYPOINT (ddtrace-run)
    assert (api.label, api.path, api.program, words(api)) == (
        "compose service api",
        "docker-compose.yml",
        "uvicorn",
        ["api:app"],
    )
    assert api.referenced == ("app/Dockerfile.api",)


def test_compose_entrypoint_drops_the_image_cmd(repo: Path) -> None:
    write(
        repo,
        {
            "compose.yaml": "services:\n  web:\n    build: .\n    entrypoint: [gunicorn]\n",
            "Dockerfile": 'FROM x\nCMD ["--workers", "9"]\n',
        },
    )
    web = one("compose.yaml")
    assert (web.label, words(web)) == ("compose service web", [])


def test_compose_dockerfile_entrypoint_with_compose_command(repo: Path) -> None:
    write(
        repo,
        {
            "compose.yaml": "services:\n  web:\n    build: .\n    command: app:app -w 2\n",
            "Dockerfile": 'FROM x\nENTRYPOINT ["gunicorn"]\n',
        },
    )
    web = one("compose.yaml")
    # Launch.path is where the program is written (the Dockerfile); Word has no path, so the
    # words from compose.yaml get the line of the program's ENTRYPOINT there
    assert (web.label, web.path, words(web)) == (
        "compose service web (Dockerfile ENTRYPOINT)",
        "Dockerfile",
        ["app:app", "-w", "2"],
    )
    assert lines(web) == [2, 2, 2]


def test_compose_broken_yaml_is_gw008_with_line(repo: Path) -> None:
    write(
        repo,
        {
            "docker-compose.yml": """
                services:
                  web:
                    command: gunicorn app
                    environment:
                      A: 1
                      - B
            """
        },
    )
    got, problems = read("docker-compose.yml")
    assert got == []
    assert [(code, path, line) for code, path, line, _ in problems] == [
        ("GW008", "docker-compose.yml", 6)
    ]
    assert "not valid YAML" in problems[0][3]


def test_compose_unterminated_quote_is_gw008(repo: Path) -> None:
    write(repo, {"compose.yaml": "services:\n  web:\n    command: gunicorn 'app\n"})
    got, problems = read("compose.yaml")
    assert got == []
    assert [(code, line) for code, _, line, _ in problems] == [("GW008", 3)]


def test_compose_odd_shapes_do_not_break(repo: Path) -> None:
    write(
        repo,
        {
            "compose.yaml": """
                version: "2"
                services:
                  a: [1, 2]
                  b:
                    command: {x: 1}
                  c:
                    environment: 5
                    env_file: [{path: ./none.env, required: false}]
                    command: [gunicorn, [nested], app]
                  d: ~
            """
        },
    )
    got, problems = read("compose.yaml")
    assert problems == []
    assert [(g.label, words(g)) for g in got] == [("compose service c", ["app"])]


# --- overridden -----------------------------------------------------------------------------------


def test_overridden_drops_the_dockerfile_a_compose_service_builds(repo: Path) -> None:
    write(
        repo,
        {
            "compose.yaml": "services:\n  web:\n    build: ./app\n    command: gunicorn a -w 3\n",
            "app/Dockerfile": "FROM x\nCMD gunicorn a -w 1\n",
            "other/Dockerfile": "FROM x\nCMD gunicorn b\n",
        },
    )
    all_launches = [
        launch
        for path in ("compose.yaml", "app/Dockerfile", "other/Dockerfile")
        for launch in read(path)[0]
    ]
    assert [g.label for g in all_launches] == [
        "compose service web",
        "Dockerfile CMD",
        "Dockerfile CMD",
    ]
    kept = overridden(all_launches)
    assert [(g.label, g.path) for g in kept] == [
        ("compose service web", "compose.yaml"),
        ("Dockerfile CMD", "other/Dockerfile"),
    ]


def test_overridden_when_the_compose_service_runs_the_dockerfile_cmd(repo: Path) -> None:
    write(
        repo,
        {
            "compose.yaml": "services:\n  web:\n    build: .\n",
            "Dockerfile": 'FROM x\nENTRYPOINT ["/start.sh"]\nCOPY start.sh /start.sh\n',
            "start.sh": "#!/bin/sh\nexec gunicorn a\n",
        },
    )
    all_launches = [g for path in ("compose.yaml", "Dockerfile", "start.sh") for g in read(path)[0]]
    assert [(g.label, g.path) for g in all_launches] == [
        ("compose service web (Dockerfile ENTRYPOINT) -> start.sh", "start.sh"),
        ("Dockerfile ENTRYPOINT -> start.sh", "start.sh"),
        ("start.sh", "start.sh"),
    ]
    assert [g.label for g in overridden(all_launches)] == [
        "compose service web (Dockerfile ENTRYPOINT) -> start.sh"
    ]


def test_overridden_keeps_what_nothing_stands_for(repo: Path) -> None:
    write(repo, {"start.sh": "exec gunicorn a\n", "Procfile": "web: uvicorn b\n"})
    all_launches = read("start.sh")[0] + read("Procfile")[0]
    assert overridden(all_launches) == all_launches


# --- systemd --------------------------------------------------------------------------------------


def test_systemd_unit(repo: Path) -> None:
    write(
        repo,
        {
            "deploy/app.service": """
                [Unit]
                Description=app
                ExecStart=/not/this gunicorn

                [Service]
                Environment="PORT=8000" 'OPTS=--workers 3 --timeout 30' LOG=info
                Environment=NAME=%N
                EnvironmentFile=-/etc/default/app.env
                EnvironmentFile=/etc/app/secrets
                WorkingDirectory=-/srv/app
                ExecStartPre=/srv/venv/bin/python manage.py migrate
                ExecStart=/bin/false
                ExecStart=
                ExecStart=-!/srv/venv/bin/gunicorn app:app \\
                  # a comment line inside
                  --bind 127.0.0.1:${PORT} $OPTS "${OPTS}" \\
                  --log-level $LOG --name $NAME --x $MISSING
            """,
            "deploy/etc/default/app.env": "LOG=debug\n# comment\nOTHER='x y'\n",
            "deploy/secrets": "SECRET=1\n",
        },
    )
    web = one("deploy/app.service")
    assert (web.label, web.line, web.program) == ("app.service", 14, "gunicorn")
    assert words(web) == [
        "app:app",
        "--bind",
        "127.0.0.1:8000",
        "--workers",  # $OPTS, a word of its own: split
        "3",
        "--timeout",
        "30",
        "--workers 3 --timeout 30",  # ${OPTS}: one word
        "--log-level",
        "debug",  # EnvironmentFile= wins over Environment=
        "--name",
        "app",
        "--x",
        None,
    ]
    assert lines(web) == [14] + [16] * 7 + [17] * 6
    assert "Environment=" in (web.args[-1].unknown or "")
    assert env(web) == {
        "PORT": "8000",
        "OPTS": "--workers 3 --timeout 30",
        "LOG": "debug",
        "NAME": "app",
        "OTHER": "x y",
        "SECRET": "1",
    }
    assert (web.env["OPTS"].line, web.env["OPTS"].column) == (6, 25)
    assert (web.env["LOG"].path, web.env["LOG"].line) == ("deploy/etc/default/app.env", 1)
    assert web.referenced == ("deploy/etc/default/app.env", "deploy/secrets")
    assert (web.workdir, web.folder) == ("/srv/app", "deploy")


def test_systemd_argv0_and_missing_environment_file(repo: Path) -> None:
    write(
        repo,
        {
            "web@.service": """
                [Service]
                EnvironmentFile=/etc/web/%i.env
                ExecStart=@/usr/bin/uwsgi my-uwsgi --ini /etc/uwsgi/%i.ini --socket $SOCK
            """
        },
    )
    web = one("web@.service", {"SOCK": "/run/web.sock"})
    assert (web.program, words(web)) == ("uwsgi", ["--ini", None, "--socket", "/run/web.sock"])
    assert "%i" in (web.args[1].unknown or "")
    assert web.referenced == ()


def test_systemd_unterminated_quote_is_gw008(repo: Path) -> None:
    write(repo, {"a.service": '[Service]\n\nExecStart=/bin/gunicorn "app\n'})
    got, problems = read("a.service")
    assert got == []
    assert [(code, line) for code, _, line, _ in problems] == [("GW008", 3)]


# --- supervisord ----------------------------------------------------------------------------------


def test_supervisord_programs(repo: Path) -> None:
    write(
        repo,
        {
            "supervisord.conf": """
                [supervisord]
                environment=GLOBAL="g"

                [program:web]
                command=/srv/venv/bin/gunicorn app:app --bind 127.0.0.1:%(ENV_PORT)s
                    --name %(program_name)s ; an inline comment
                    --x "$HOME" --log %(here)s/log
                directory=/srv/app
                environment=DJANGO_SETTINGS_MODULE="app.settings",WORKERS=3,  QUOTED='a,b'

                [program:nginx]
                command=/usr/sbin/nginx -g "daemon off;"

                [program:legacy]
                command = uwsgi --ini %(ENV_HOME)s/uwsgi.ini
            """
        },
    )
    got, problems = read("supervisord.conf", {"PORT": "8000"})
    assert problems == []
    web, legacy = got
    assert (web.label, web.line) == ("supervisord program:web", 5)
    # supervisord runs no shell: "$HOME" reaches gunicorn as written
    assert words(web) == [
        "app:app",
        "--bind",
        "127.0.0.1:8000",
        "--name",
        "web",
        "--x",
        "$HOME",
        "--log",
        "./log",
    ]
    assert lines(web) == [5, 5, 5, 6, 6, 7, 7, 7, 7]
    assert env(web) == {
        "GLOBAL": "g",
        "DJANGO_SETTINGS_MODULE": "app.settings",
        "WORKERS": "3",
        "QUOTED": "a,b",
    }
    assert [web.env[k].line for k in web.env] == [2, 9, 9, 9]
    assert web.workdir == "/srv/app"
    assert (legacy.label, legacy.program, words(legacy)) == (
        "supervisord program:legacy",
        "uwsgi",
        ["--ini", None],
    )
    assert "--env HOME=VALUE" in (legacy.args[1].unknown or "")


def test_supervisord_numprocs(repo: Path) -> None:
    write(
        repo,
        {
            "supervisor/web.conf": """
                [program:web]
                command=gunicorn app -b 127.0.0.1:80%(process_num)02d
                numprocs=2
                process_name=%(program_name)s_%(process_num)s
            """
        },
    )
    got, problems = read("supervisor/web.conf")
    assert problems == []
    assert [(g.label, words(g)) for g in got] == [
        ("supervisord program:web (process_num 0)", ["app", "-b", "127.0.0.1:8000"]),
        ("supervisord program:web (process_num 1)", ["app", "-b", "127.0.0.1:8001"]),
    ]


def test_supervisord_unterminated_quote_is_gw008(repo: Path) -> None:
    write(repo, {"supervisord.conf": "[program:web]\ncommand=gunicorn 'app\n"})
    got, problems = read("supervisord.conf")
    assert got == []
    assert [(code, line) for code, _, line, _ in problems] == [("GW008", 2)]


# --- env files ------------------------------------------------------------------------------------


def test_env_file_with_gunicorn_cmd_args(repo: Path) -> None:
    write(
        repo,
        {
            "deploy/.env.production": """
                # production
                export WORKERS=4
                GUNICORN_CMD_ARGS="--workers ${WORKERS} --timeout ${TIMEOUT:-30}"
                MULTI="a
                b"
                PLAIN = value # comment
            """
        },
    )
    got = one("deploy/.env.production")
    assert (got.program, got.implicit, got.args, got.line) == ("gunicorn", True, (), 3)
    assert got.label == "env file .env.production"
    assert env(got) == {
        "WORKERS": "4",
        "GUNICORN_CMD_ARGS": "--workers 4 --timeout 30",
        "MULTI": "a\nb",
        "PLAIN": "value",
    }
    assert [got.env[k].line for k in got.env] == [2, 3, 4, 6]
    assert got.folder == "deploy"


def test_env_file_without_gunicorn_cmd_args_yields_nothing(repo: Path) -> None:
    write(repo, {".env": "DEBUG=1\n"})
    assert read(".env") == ([], [])


def test_example_env_file_is_not_read(repo: Path) -> None:
    write(repo, {".env.example": "GUNICORN_CMD_ARGS=--workers 3\n"})
    assert read(".env.example") == ([], [])


# --- robustness -----------------------------------------------------------------------------------


def test_an_internal_error_is_a_gw008_with_a_line(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(repo, {"Procfile": "# processes\n\nweb: gunicorn app\n"})

    def boom(*_args: object, **_kwargs: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(launchers._Shell, "run", boom)
    got, problems = read("Procfile")
    assert got == []
    assert [(code, line) for code, _, line, _ in problems] == [("GW008", 3)]
    assert "ValueError: boom" in problems[0][3]


def test_binary_and_missing_files(repo: Path) -> None:
    (repo / "Procfile").write_bytes(b"web: gunicorn\x00app\n")
    got, problems = read("Procfile")
    assert got == []
    assert [code for code, *_ in problems] == ["GW008"]
    assert read_launches("Dockerfile", {}, Problems()) == []  # missing: reported by read_text
    assert read_launches("README.md", {}, Problems()) == []


_KINDS = ["Procfile", "Dockerfile", "compose.yaml", "a.service", "supervisord.conf", ".env"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.sampled_from([*_KINDS, "start.sh"]),
    text=st.text(
        alphabet=st.sampled_from(list("gunicorn uwsgi \"'$`{}()[]:=;&|\\\n#%-@!<>*,0123")),
        max_size=120,
    ),
)
def test_garbage_never_raises(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    problems = Problems()
    got = read_launches(str(path), {}, problems)
    assert isinstance(got, list)
    assert all(p.code == "GW008" for p in problems.items)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from(list("ab -—='\"\\ \t")), min_size=1, max_size=8),
        max_size=6,
    )
)
def test_words_split_as_shlex_does(pieces: list[str]) -> None:
    text = " ".join(pieces)
    try:
        expected = shlex.split(text)
    except ValueError:
        return
    src = launchers._Src(text, "x", (0,), ((1, 1),))
    tokens, error = launchers._lex(src, launchers._SHLEX)
    assert error is None
    got = [w.text for tok in tokens for w in launchers._expand(tok, launchers._Scope())]
    assert got == expected


# --- the corpus -----------------------------------------------------------------------------------

# (file, [(label, program, line, words)]): what real launchers start
CORPUS_LAUNCHES: dict[str, list[tuple[str, str, int, list[str]]]] = {
    "benoitc__gunicorn/examples/supervisor.conf": [
        (
            "supervisord program:gunicorn",
            "gunicorn",
            2,
            ["main:application", "-c", "/path/to/project/gunicorn.conf.py"],
        )
    ],
    "testdrivenio__django-on-docker/docker-compose.prod.yml": [
        (
            "compose service web",
            "gunicorn",
            8,
            ["hello_django.wsgi:application", "--bind", "0.0.0.0:8000"],
        )
    ],
    "netbox-community__netbox/contrib/netbox.service": [
        (
            "netbox.service",
            "gunicorn",
            16,
            [
                *("--pid", "/var/tmp/netbox.pid", "--pythonpath", "/opt/netbox/netbox"),
                *("--config", "/opt/netbox/gunicorn.py", "netbox.wsgi"),
            ],
        )
    ],
    "pypi__warehouse/Procfile": [
        (
            f"Procfile {name}",
            "gunicorn",
            line,
            ["-c", conf, "warehouse.wsgi:application"],
        )
        for name, line, conf in [
            ("web", 2, "gunicorn-prod.conf.py"),
            ("web-api", 3, "gunicorn-prod.conf.py"),
            ("web-uploads", 4, "gunicorn-uploads.conf.py"),
        ]
    ],
    "python__pythondotorg/Procfile": [
        ("Procfile web", "gunicorn", 2, ["-c", "gunicorn.conf", "pydotorg.wsgi"])
    ],
    "hypothesis__via/conf/supervisord.conf": [
        (
            "supervisord program:web",
            "gunicorn",
            15,
            ["--paste", "conf/production.ini", "--config", "conf/gunicorn.conf.py"],
        )
    ],
    "tiangolo__uwsgi-nginx-docker/docker-images/supervisord-debian.conf": [
        ("supervisord program:uwsgi", "uwsgi", 5, ["--ini", "/etc/uwsgi/uwsgi.ini"])
    ],
    "Netflix__lemur/docker/supervisor.conf": [],  # lemur start: lemur's own gunicorn runner
    # a cookiecutter template: both branches of its {% if %} are read
    "cookiecutter__cookiecutter-django/{{cookiecutter.project_slug}}/Procfile": [
        (
            "Procfile web",
            "gunicorn",
            3,
            ["config.asgi:application", "-k", "uvicorn_worker.UvicornWorker"],
        ),
        ("Procfile web", "gunicorn", 5, ["config.wsgi:application"]),
    ],
}


@pytest.mark.corpus
def test_corpus_launchers(monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = corpus_or_skip()
    monkeypatch.chdir(corpus)
    seen: dict[str, list[tuple[str, str, int, list[str | None]]]] = {}
    for folder, dirs, files in os.walk("."):
        dirs.sort()
        for name in sorted(files):
            path = os.path.relpath(os.path.join(folder, name))
            if launcher_kind(path, walking=False) is None:
                continue
            problems = Problems()
            got = read_launches(path, {}, problems)  # never raises
            assert [p.code for p in problems.items] == [], path
            seen[path] = [(g.label, g.program, g.line, words(g)) for g in got]
    for path, expected in CORPUS_LAUNCHES.items():
        assert seen[path] == expected, path
    # every launch the corpus holds is listed above
    assert {p for p, got in seen.items() if got} <= set(CORPUS_LAUNCHES)


# --- more shell and Dockerfile details ------------------------------------------------------------


def test_shell_allexport_set_positional_and_source(repo: Path) -> None:
    write(
        repo,
        {
            "bin/run.sh": """
                #!/bin/sh
                set -a
                . ./settings.env
                WORKERS=3
                set +a
                HIDDEN=1
                set -- --timeout 30
                shift
                exec gunicorn app -w $WORKERS -t "$1" -b "$BIND"
            """,
            "bin/settings.env": "BIND=unix:/run/app.sock\n",
        },
    )
    web = one("bin/run.sh")
    assert words(web) == ["app", "-w", "3", "-t", "30", "-b", "unix:/run/app.sock"]
    assert env(web) == {"BIND": "unix:/run/app.sock", "WORKERS": "3"}
    assert web.env["BIND"].path == "bin/settings.env"
    assert web.referenced == ("bin/settings.env",)


def test_shell_assign_default_with_and_without_env(repo: Path) -> None:
    write(repo, {"start.sh": ': "${WORKERS:=2}"\nexec gunicorn app -w "$WORKERS"\n'})
    assert words(one("start.sh")) == ["app", "-w", "2"]
    assert words(one("start.sh", {"WORKERS": "8"})) == ["app", "-w", "8"]


def test_shell_unknown_parts_of_a_sh_c_string(repo: Path) -> None:
    write(repo, {"start.sh": 'sh -c "gunicorn app -w $(( $(nproc) * 2 + 1 )) -t 30"\n'})
    web = one("start.sh")
    assert words(web) == ["app", "-w", None, "-t", "30"]
    assert "arithmetic" in (web.args[2].unknown or "")


def test_dockerfile_heredoc_and_late_escape_comment(repo: Path) -> None:
    write(
        repo,
        {
            "Dockerfile": """
                # syntax=docker/dockerfile:1
                # a comment ends the parser directives
                # escape=`
                FROM python
                RUN <<EOF
                CMD ["not", "this"]
                EOF
                CMD gunicorn app \\
                    --workers 2
            """
        },
    )
    web = one("Dockerfile")
    assert (words(web), lines(web)) == (["app", "--workers", "2"], [8, 9, 9])


def test_compose_reports_a_broken_dockerfile_once(repo: Path) -> None:
    write(
        repo,
        {
            "compose.yaml": "services:\n  a:\n    build: .\n  b:\n    build: .\n",
            "Dockerfile": "FROM x\nCMD ['gunicorn', 'app']\n",
        },
    )
    got, problems = read("compose.yaml")
    assert got == []
    assert [(code, path, line) for code, path, line, _ in problems] == [("GW008", "Dockerfile", 2)]


def test_an_internal_error_names_the_file_being_read(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        repo,
        {
            "compose.yaml": "services:\n  web:\n    build: ./app\n",
            "app/Dockerfile": "FROM x\n\nENV A=1\nCMD gunicorn a\n",
        },
    )

    def boom(*_args: object, **_kwargs: object) -> None:
        raise KeyError("x")

    monkeypatch.setattr(launchers, "_docker_env", boom)
    got, problems = read("compose.yaml")
    assert got == []
    assert [(code, path, line) for code, path, line, _ in problems] == [
        ("GW008", "app/Dockerfile", 3)
    ]


def test_deep_nesting_is_a_gw008(repo: Path) -> None:
    write(repo, {"start.sh": "gunicorn ${A:-" * 2000 + "x" + "}" * 2000 + "\n"})
    got, problems = read("start.sh")
    assert got == []
    assert [(code, line) for code, _, line, _ in problems] == [("GW008", 1)]


def test_env_beats_declared_values_but_not_script_assignments(repo: Path) -> None:
    write(
        repo,
        {
            "Dockerfile": 'FROM x\nENV PORT=8000\nCMD ["./start.sh"]\n',
            "start.sh": '#!/bin/sh\nexec gunicorn a -b ":$PORT" -w "$W"\nW=1\n',
            "compose.yaml": "services:\n  web:\n    command: sh -c 'gunicorn a -b :$$PORT'\n"
            "    environment: {PORT: 7000}\n",
        },
    )
    assert words(one("Dockerfile", {"PORT": "9000", "W": "2"})) == ["a", "-b", ":9000", "-w", "2"]
    assert words(one("compose.yaml", {"PORT": "9000"})) == ["a", "-b", ":9000"]
    write(repo, {"start.sh": '#!/bin/sh\nPORT=5000\nexec gunicorn a -b ":$PORT"\n'})
    assert words(one("Dockerfile", {"PORT": "9000"})) == ["a", "-b", ":5000"]


def test_compose_build_args_and_target(repo: Path) -> None:
    write(
        repo,
        {
            "compose.yaml": """
                services:
                  web:
                    build:
                      context: .
                      target: app
                      args:
                        WORKERS: 6
                  api:
                    build:
                      context: .
                      args: ["WORKERS=2"]
            """,
            "Dockerfile": """
                FROM python AS app
                ARG WORKERS=4
                ENV WEB_CONCURRENCY=$WORKERS
                CMD gunicorn app -w $WEB_CONCURRENCY

                FROM app AS debug
                CMD uvicorn app --reload
            """,
        },
    )
    got, problems = read("compose.yaml")
    assert problems == []
    assert [(g.label, g.program, words(g), env(g)) for g in got] == [
        (
            "compose service web (Dockerfile CMD)",
            "gunicorn",
            ["app", "-w", "6"],
            {"WEB_CONCURRENCY": "6"},
        ),
        (
            "compose service api (Dockerfile CMD)",
            "uvicorn",
            ["app", "--reload"],
            {"WEB_CONCURRENCY": "2"},
        ),
    ]


def test_overridden_keeps_a_script_nothing_else_runs(repo: Path) -> None:
    write(
        repo,
        {
            "run.sh": ". ./vars.sh\ngunicorn a &\nexec uvicorn b\n",
            "vars.sh": "export W=2\n",
            "Procfile": "web: ./other.sh\n",
            "other.sh": "#!/bin/sh\nexec gunicorn c\n",
        },
    )
    all_launches = [g for path in ("run.sh", "Procfile", "other.sh") for g in read(path)[0]]
    assert [(g.label, g.referenced) for g in all_launches] == [
        ("run.sh", ("vars.sh",)),
        ("run.sh", ("vars.sh",)),
        ("Procfile web -> other.sh", ()),
        ("other.sh", ()),
    ]
    assert [g.label for g in overridden(all_launches)] == [
        "run.sh",
        "run.sh",
        "Procfile web -> other.sh",
    ]


# --- bounded work (issue 12): YAML bombs, process budgets, linear patterns -----------------------


def merge_bomb(levels: int = 9) -> str:
    """``x-aN: &aN {<<: [*aN-1 x10]}``: 10**levels mappings once merge keys are followed."""
    lines = ["x-a0: &a0 {k: v}"]
    for level in range(1, levels + 1):
        refs = ", ".join(f"*a{level - 1}" for _ in range(10))
        lines.append(f"x-a{level}: &a{level} {{<<: [{refs}]}}")
    return "\n".join(lines) + f"\nservices:\n  web:\n    <<: *a{levels}\n    build: .\n"


def test_compose_merge_key_bomb_is_a_located_gw008(repo: Path) -> None:
    write(repo, {"docker-compose.yml": merge_bomb(), "Dockerfile": "FROM python\n"})
    got, problems = read("docker-compose.yml")
    assert got == []
    # at the top-level key whose value expands past the budget (x-a5: over 10**5 mappings)
    assert problems == [
        (
            "GW008",
            "docker-compose.yml",
            6,
            f"compose file expands to more than {launchers.MAX_YAML_NODES} YAML nodes (aliases "
            "and merge keys followed); not read",
        )
    ]
    # nor are the services of the deployment stage (read_launches reports); and the next file
    # is read as ever
    assert launchers.read_compose_services("docker-compose.yml", {}, Problems()) == []
    write(repo, {"compose.yaml": "services:\n  web:\n    command: gunicorn app\n"})
    assert words(one("compose.yaml")) == ["app"]


def test_compose_bomb_below_what_the_count_follows_is_still_stopped(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the count follows no deeper than MAX_YAML_DEPTH; reading the merge keys is charged too
    monkeypatch.setattr(launchers, "MAX_YAML_DEPTH", 1)
    monkeypatch.setattr(launchers, "MAX_YAML_NODES", 20)
    keys = ", ".join(f"k{i}: v" for i in range(50))
    text = f"x-big: &big {{{keys}}}\nservices:\n  web:\n    <<: *big\n    command: gunicorn a\n"
    write(repo, {"compose.yaml": text})
    got, problems = read("compose.yaml")
    assert got == []
    assert [(code, line) for code, _, line, _ in problems] == [("GW008", 1)]
    assert "more than 20 YAML nodes" in problems[0][3]


def test_compose_too_many_nodes_or_bytes_are_not_read(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = ", ".join(["x"] * 400)
    write(repo, {"compose.yaml": f"services:\n  web:\n    command: gunicorn a\n    x: [{items}]\n"})
    monkeypatch.setattr(launchers, "MAX_YAML_COMPOSED", 100)
    got, problems = read("compose.yaml")
    assert got == []
    assert problems == [
        ("GW008", "compose.yaml", 1, "compose file has more than 100 YAML nodes; not read")
    ]
    monkeypatch.setattr(launchers, "MAX_YAML_COMPOSED", 100_000)
    monkeypatch.setattr(launchers, "MAX_COMPOSE_BYTES", 1024)
    got, problems = read("compose.yaml")
    assert got == []
    assert problems == [("GW008", "compose.yaml", 1, "compose file is larger than 1 KiB; not read")]


def test_compose_deep_nesting_is_a_gw008(repo: Path) -> None:
    nested = "[" * 3000 + "]" * 3000
    write(repo, {"compose.yaml": f"x: {nested}\nservices:\n  web:\n    command: gunicorn a\n"})
    got, problems = read("compose.yaml")
    assert got == []
    assert problems == [
        ("GW008", "compose.yaml", 1, "compose file nests too deeply to be read; not read")
    ]


def test_compose_merge_keys_first_base_wins_own_keys_over_all(repo: Path) -> None:
    # YAML: of the bases of <<: [*a, *b], the first that has a key gives it (a whole value:
    # merging is shallow); a key of the mapping itself beats them, and written twice, the last
    write(
        repo,
        {
            "compose.yaml": """
                x-a: &a {command: gunicorn a, environment: {A: "1", B: "a"}}
                x-b: &b {command: gunicorn b, environment: {A: "2"}, working_dir: /b}
                services:
                  web:
                    <<: [*a, *b]
                  api:
                    <<: *a
                    command: gunicorn api
                    command: gunicorn api2
            """
        },
    )
    got, problems = read("compose.yaml")
    assert problems == []
    assert [(g.label, words(g), env(g), g.workdir) for g in got] == [
        ("compose service web", ["a"], {"A": "1", "B": "a"}, "/b"),
        ("compose service api", ["api2"], {"A": "1", "B": "a"}, None),
    ]


def test_compose_env_files_named_many_times_are_read_once(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # named again, a file applies where it is named last: [a, b, a] is [b, a]
    write(
        repo,
        {
            "a.env": "A=a\nX=a\n",
            "b.env": "A=b\nB=b\n",
            "compose.yaml": """
                x-files: &files [a.env, b.env, a.env]
                services:
                  web: {command: gunicorn web, env_file: *files}
                  api: {command: gunicorn api, env_file: *files}
            """,
        },
    )
    reads: list[str] = []
    real = launchers._dotenv_uncached

    def counting(ctx: launchers._Ctx, path: str, *, expand: bool) -> object:
        reads.append(path)
        return real(ctx, path, expand=expand)

    monkeypatch.setattr(launchers, "_dotenv_uncached", counting)
    got, problems = read("compose.yaml")
    assert problems == []
    assert [(g.label, env(g), g.referenced) for g in got] == [
        ("compose service web", {"A": "a", "X": "a", "B": "b"}, ("b.env", "a.env")),
        ("compose service api", {"A": "a", "X": "a", "B": "b"}, ("b.env", "a.env")),
    ]
    assert sorted(reads) == [".env", "a.env", "b.env"]


def test_procfile_process_budget(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(launchers, "MAX_PROCESSES", 3)
    text = "# processes\n" + "".join(
        f"w{i}: gunicorn app:app --bind :{8000 + i}\n" for i in range(6)
    )
    write(repo, {"Procfile": text})
    got, problems = read("Procfile")
    assert [(g.label, g.line, words(g)[-1]) for g in got] == [
        ("Procfile w0", 2, ":8000"),
        ("Procfile w1", 3, ":8001"),
        ("Procfile w2", 4, ":8002"),
    ]
    assert problems == [
        ("GW008", "Procfile", 5, "Procfile starts more than 3 processes; only the first 3 are read")
    ]


def test_procfile_environment_budget(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # each process has its own copy of the environment (.env, and $PORT/$WEB_CONCURRENCY)
    monkeypatch.setattr(launchers, "MAX_ENVIRONMENT", 20)
    write(
        repo,
        {
            ".env": "".join(f"K{i}=v\n" for i in range(6)),
            "Procfile": "web: gunicorn a\nworker: gunicorn b\nclock: gunicorn c\n",
        },
    )
    got, problems = read("Procfile")
    assert [g.label for g in got] == ["Procfile web", "Procfile worker"]
    assert problems == [
        (
            "GW008",
            "Procfile",
            3,
            "Procfile gives its processes more than 20 environment variables in all; this one and "
            "the rest are not read",
        )
    ]


def test_procfile_line_with_long_runs_of_blanks(repo: Path) -> None:
    blanks = " \t" * 20_000
    write(
        repo, {"Procfile": f"web: gunicorn app:app{blanks}-w 2{blanks}\r\nx:{blanks}y{blanks}z\n"}
    )
    got, problems = read("Procfile")
    assert problems == []
    (web,) = got
    assert words(web) == ["app:app", "-w", "2"]
    assert lines(web) == [1, 1, 1]


def test_compose_service_budget(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(launchers, "MAX_PROCESSES", 2)
    services = "".join(f"  s{i}: {{command: gunicorn s{i}}}\n" for i in range(4))
    write(repo, {"compose.yaml": "services:\n" + services})
    got, problems = read("compose.yaml")
    assert [g.label for g in got] == ["compose service s0", "compose service s1"]
    assert problems == [
        (
            "GW008",
            "compose.yaml",
            4,
            "compose file starts more than 2 services; only the first 2 are read",
        )
    ]


def test_supervisord_process_budget_counts_numprocs(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(launchers, "MAX_PROCESSES", 3)
    write(
        repo,
        {
            "supervisord.conf": """
                [program:web]
                command=gunicorn app -b 127.0.0.1:80%(process_num)02d
                numprocs=2

                [program:api]
                command=gunicorn api -b 127.0.0.1:90%(process_num)02d
                numprocs=2

                [program:worker]
                command=gunicorn worker
            """
        },
    )
    got, problems = read("supervisord.conf")
    assert [g.label for g in got] == [
        "supervisord program:web (process_num 0)",
        "supervisord program:web (process_num 1)",
        "supervisord program:api (process_num 0)",
    ]
    assert problems == [
        (
            "GW008",
            "supervisord.conf",
            6,
            "supervisord config starts more than 3 processes; only the first 3 are read",
        )
    ]


def test_supervisord_long_program_text_is_read_for_fewer_copies(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(launchers, "MAX_PROGRAM_TEXT", 200)
    write(
        repo,
        {
            "supervisord.conf": "[program:web]\ncommand=gunicorn app -b :80%(process_num)02d "
            + "-x " * 20
            + "\nnumprocs=10\n"
        },
    )
    got, problems = read("supervisord.conf")
    assert problems == []
    assert [words(g)[2] for g in got] == [":8000", ":8001"]


def test_supervisord_nested_placeholders_and_odd_specs(repo: Path) -> None:
    zeros = "0" * 5000
    write(
        repo,
        {
            "supervisord.conf": "[program:web]\n"
            "command=gunicorn app --name %(program_name)08s %(here)99999999s "
            f"%(x){zeros}! %% " + "%(" * 40_000 + "\n"
        },
    )
    got, problems = read("supervisord.conf")
    assert problems == []
    (web,) = got
    assert words(web) == ["app", "--name", "     web", None, f"%(x){zeros}!", "%", "%(" * 40_000]
    assert web.args[3].unknown == "%(here)99999999s expands to more than 65536 characters"


def test_supervisord_daemon_environment_knows_no_program(repo: Path) -> None:
    # [supervisord] environment= is expanded once, with %(here)s and %(ENV_X)s only
    write(
        repo,
        {
            "supervisord.conf": """
                [supervisord]
                environment=NAME="%(program_name)s",HERE="%(here)s",P="%(ENV_PORT)s"

                [program:web]
                command=gunicorn web
                environment=OWN="%(program_name)s"
            """
        },
    )
    got, problems = read("supervisord.conf", {"PORT": "8000"})
    assert problems == []
    (web,) = got
    assert env(web) == {"NAME": None, "HERE": ".", "P": "8000", "OWN": "web"}
    assert (
        web.env["NAME"].unknown == "%(program_name)s is not one supervisord fills in [supervisord]"
    )


def test_supervisord_option_names_and_long_blank_lines(repo: Path) -> None:
    blanks = " " * 20_000
    write(
        repo,
        {
            "supervisord.conf": f"[program:web]\ncommand {blanks}=  gunicorn web\n"
            f"a{blanks}b\nnumprocs{blanks}: 1\n"
        },
    )
    got, problems = read("supervisord.conf")
    assert problems == []
    (web,) = got
    assert (web.line, words(web), web.args[0].column) == (2, ["web"], 20_021)


def test_systemd_exec_start_budget_and_environment_files(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(launchers, "MAX_PROCESSES", 2)
    write(
        repo,
        {
            "a.env": "A=a\nX=a\n",
            "b.env": "A=b\nB=b\n",
            "app.service": """
                [Service]
                EnvironmentFile=a.env
                EnvironmentFile=b.env
                EnvironmentFile=a.env
                ExecStart=/usr/bin/gunicorn one
                ExecStart=/usr/bin/gunicorn two
                ExecStart=/usr/bin/gunicorn three
            """,
        },
    )
    got, problems = read("app.service")
    assert [(words(g), env(g), g.referenced) for g in got] == [
        (["one"], {"A": "a", "B": "b", "X": "a"}, ("a.env", "b.env")),
        (["two"], {"A": "a", "B": "b", "X": "a"}, ("a.env", "b.env")),
    ]
    assert problems == [
        (
            "GW008",
            "app.service",
            7,
            "systemd unit starts more than 2 ExecStart= lines; only the first 2 are read",
        )
    ]


def test_dotenv_values_refer_to_earlier_lines_of_a_long_file(repo: Path) -> None:
    lines_ = ["V0=x"] + [
        f"V{i}=${{V{i - 1}}}" if i % 2 else f"V{i}=plain{i}" for i in range(1, 10_000)
    ]
    write(repo, {".env": "\n".join(lines_) + "\n", "Procfile": "web: gunicorn $V9999\n"})
    got, problems = read("Procfile")
    assert problems == []
    assert words(got[0]) == ["plain9998"]


@pytest.mark.parametrize(
    ("flags", "allexport"), [("-ea", True), ("-eu", False), ("-" + "a" * 20_000 + "!", False)]
)
def test_set_flags_with_a(repo: Path, flags: str, allexport: bool) -> None:
    write(repo, {"start.sh": f"set {flags}\nPORT=8000\nexec sh -c 'gunicorn -b :$PORT app'\n"})
    got, _ = read("start.sh")
    # without allexport, PORT is not in the environment of sh -c
    assert words(got[0])[1] == (":8000" if allexport else None)
