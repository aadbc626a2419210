"""The static shell reader of ``gwlint.loaders.launchers``: bash arrays, the "default if empty"
idioms, what scripts write (``script_effects``) and the environment a launcher runs in
(``read_launches(base_env=...)``)."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from gwlint.loaders import launchers
from gwlint.loaders.common import Problems
from gwlint.loaders.launch import EnvValue, Launch
from gwlint.loaders.launchers import (
    MAX_RUNS,
    MAX_WORDS,
    Effect,
    launcher_kind,
    read_launches,
    script_effects,
)
from tests.conftest import CORPUS

# --- helpers --------------------------------------------------------------------------------------


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))


def read(
    path: str, env: dict[str, str] | None = None, **kwargs: object
) -> tuple[list[Launch], list[tuple[str, int, str]]]:
    problems = Problems()
    got = read_launches(path, env or {}, problems, **kwargs)  # type: ignore[arg-type]
    return got, [(p.code, p.location.line, p.message) for p in problems.items]


def one(path: str, env: dict[str, str] | None = None, **kwargs: object) -> Launch:
    got, problems = read(path, env, **kwargs)
    assert problems == []
    assert len(got) == 1, got
    return got[0]


def words(launch: Launch) -> list[str | None]:
    return [w.text for w in launch.args]


def lines(launch: Launch) -> list[int]:
    return [w.line for w in launch.args]


def env(launch: Launch) -> dict[str, str | None]:
    return {name: value.value for name, value in launch.env.items()}


def effects(path: str, env: dict[str, str] | None = None, **kwargs: object) -> list[Effect]:
    problems = Problems()
    got = script_effects(path, env or {}, problems, **kwargs)  # type: ignore[arg-type]
    assert problems.items == []
    return got


def brief(got: list[Effect]) -> list[tuple[str, str | None, str | None, str, int]]:
    return [(e.kind, e.target, e.source, e.tool, e.line) for e in got]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- arrays ---------------------------------------------------------------------------------------


def test_array_command_line(repo: Path) -> None:
    write(
        repo,
        {
            "start.sh": """
                #!/bin/bash
                args=(--bind "0.0.0.0:${PORT:-8000}" --workers "$WORKERS")
                args+=(--timeout 60)
                if [ -n "$CERT" ]; then args+=(--certfile "$CERT"); fi
                exec gunicorn "${args[@]}" app:app
            """
        },
    )
    web = one("start.sh", {"WORKERS": "3"})
    assert words(web) == [
        *("--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"),
        None,  # what the if block may append
        "app:app",
    ]
    assert lines(web) == [2, 2, 2, 2, 3, 3, 4, 5]
    assert [(w.line, w.column) for w in web.args[:4]] == [(2, 7), (2, 14), (2, 38), (2, 48)]
    assert web.args[1].raw == '"0.0.0.0:${PORT:-8000}"'
    assert web.args[6].unknown == ("$args has elements appended inside an if block (line 4)")
    assert web.line == 5


def test_array_appended_in_block_known_inside_it(repo: Path) -> None:
    write(
        repo,
        {
            "start.sh": """
                args=(app:app)
                if [ -n "$DEBUG" ]; then
                  args+=(--reload --log-level debug)
                  exec gunicorn "${args[@]}"
                fi
                args+=(-w 2)
                exec gunicorn "${args[@]}"
            """
        },
    )
    got, problems = read("start.sh")
    assert problems == []
    assert [words(g) for g in got] == [
        ["app:app", "--reload", "--log-level", "debug"],
        ["app:app", None, "-w", "2"],  # the three words of the if block: one unknown word
    ]
    assert lines(got[1]) == [1, 3, 6, 6]


def test_array_forms(repo: Path) -> None:
    write(
        repo,
        {
            "start.sh": """
                #!/bin/bash
                opts=(
                  --timeout 30   # a comment inside the list
                  "--name=web app"
                )
                more='--keep-alive 5'
                split=($more "")
                joined="${opts[*]}"
                exec gunicorn x:y ${opts[@]} "${#opts[@]}" "${opts[-1]}" "${opts[1]}" $opts \\
                  "${split[@]}" "${#split[@]}" "$joined" "${opts[9]:-none}" "${#more}"
            """
        },
    )
    web = one("start.sh")
    assert words(web) == [
        *("x:y", "--timeout", "30", "--name=web", "app"),  # unquoted: split again
        *("3", "--name=web app", "30", "--timeout"),
        *("--keep-alive", "5", ""),
        *("3", "--timeout 30 --name=web app", "none", "14"),
    ]
    assert lines(web)[1:5] == [3, 3, 4, 4]


def test_declare_local_readonly_and_associative_arrays(repo: Path) -> None:
    write(
        repo,
        {
            "start.sh": """
                #!/bin/bash
                declare -a workers=(2 4)
                readonly -a bind=(--bind :8000)
                declare -A by_env=([prod]=8 [dev]=1)
                declare -a empty
                run() {
                  local -a extra=(--threads "${by_env[prod]}")
                  exec gunicorn app -w "${workers[1]}" "${bind[@]}" "${extra[@]}" "${empty[@]}" \\
                    "${by_env[dev]}" "${by_env[$ENVIRONMENT]}"
                }
            """
        },
    )
    web = one("start.sh", {"ENVIRONMENT": "prod"})
    assert words(web) == ["app", "-w", "4", "--bind", ":8000", "--threads", "8", "1", "8"]


def test_array_elements_set_by_index(repo: Path) -> None:
    write(
        repo,
        {
            "start.sh": """
                args=(app)
                args[${#args[@]}]=--preload
                args[5]=-w
                args+=(3)
                args[0]=main:app
                exec gunicorn "${args[@]}" "${args[6]}" "${#args[@]}" "${args[-2]}"
            """
        },
    )
    assert words(one("start.sh")) == ["main:app", "--preload", "-w", "3", "3", "4", "-w"]


def test_array_unset_element_and_mapfile(repo: Path) -> None:
    write(
        repo,
        {
            "start.sh": """
                #!/bin/bash
                args=(app --reload -w 2)
                unset 'args[1]'
                mapfile -t extra < /etc/app/args
                declare -A m=([a]=1 [b]=2)
                exec gunicorn "${args[@]}" "${extra[@]}" "${m[@]}" "${#m[@]}"
            """
        },
    )
    web = one("start.sh")
    assert words(web) == ["app", "-w", "2", None, None, "2"]
    assert web.args[3].unknown == "its elements are read from input while the script runs"
    assert "associative array" in (web.args[4].unknown or "")


def test_array_set_inside_a_block_is_unknown_after_it(repo: Path) -> None:
    write(
        repo,
        {
            "start.sh": """
                if [ "$MODE" = prod ]; then
                  args=(-w 8)
                else
                  args=(--reload)
                fi
                exec gunicorn app "${args[@]}" "${args[0]}"
            """
        },
    )
    web = one("start.sh")
    assert words(web) == ["app", None, None]
    assert web.args[1].unknown == ("$args is set only inside an if block (line 1)")
    assert web.args[1].line == 6


def test_set_positional_from_an_array_and_arrays_are_not_exported(repo: Path) -> None:
    write(
        repo,
        {
            "start.sh": """
                #!/bin/bash
                export args=(-w 2)
                set -- "${args[@]}" --preload
                exec gunicorn app "$@"
            """
        },
    )
    web = one("start.sh")
    assert words(web) == ["app", "-w", "2", "--preload"]
    assert env(web) == {}  # bash exports no array


def test_array_bounds(repo: Path) -> None:
    doubling = "a=(x)\n" + 'a+=("${a[@]}")\n' * 14  # 16384 elements
    write(repo, {"start.sh": doubling + 'exec gunicorn app "${a[@]}" "${#a[@]}"\n'})
    web = one("start.sh")
    assert len(web.args) <= MAX_WORDS
    assert words(web)[-1] is None
    assert any(w.unknown and "4096 words" in w.unknown for w in web.args)
    long = "a=(xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx)\n" + 'a+=("${a[@]}${a[@]}")\n' * 30
    write(repo, {"start.sh": long + 'exec gunicorn app "${a[*]}"\n'})
    web = one("start.sh")
    assert words(web) == ["app", None]
    assert "65536 characters" in (web.args[1].unknown or "")


def test_unterminated_array_list_is_gw008(repo: Path) -> None:
    write(repo, {"start.sh": 'args=(--workers 2\nexec gunicorn app "${args[@]}"\n'})
    got, problems = read("start.sh")
    assert got == []
    assert [(code, line) for code, line, _ in problems] == [("GW008", 1)]
    assert "array list" in problems[0][2]


def test_array_list_is_not_a_subshell(repo: Path) -> None:
    tokens, error = launchers._lex(
        launchers._Src('a=(x "y z")\n(cd /tmp)\nf() { :; }\n', "s"), launchers._SH
    )
    assert error is None
    assert tokens[0].raw == 'a=(x "y z")'
    assert [t.raw for t in tokens[0].array or []] == ["x", '"y z"']
    assert [t.op for t in tokens[1:4]] == ["\n", "(", ""]


# --- default if empty -----------------------------------------------------------------------------


DEFAULTS = """
    #!/bin/bash
    if [[ -z "$BACKEND" ]]; then
      echo "BACKEND defaulting to 0.0.0.0:8000"
      export BACKEND=0.0.0.0:8000
    fi
    if [ -z "${W:-}" ]; then W=2; fi
    if [ -z "${T}" ]
    then
      T=30
    fi
    [ -z "$K" ] && K=5
    [ -n "$G" ] || G=9
    test -z "$H" && export H=h
    if [ "$I" = "" ]; then I=i; fi
    if [ ! -n "$J" ]; then J=j; fi
    if test -z "$L"; then printf 'L unset\\n' >&2; L=l; fi
    : ${M:=m}
    : "${N:=n}"
    exec gunicorn app $BACKEND $W $T $K $G $H $I $J $L $M $N
"""


def test_default_if_empty_idioms(repo: Path) -> None:
    write(repo, {"start.sh": DEFAULTS})
    web = one("start.sh")
    assert words(web) == ["app", "0.0.0.0:8000", "2", "30", "5", "9", "h", "i", "j", "l", "m", "n"]
    assert env(web) == {"BACKEND": "0.0.0.0:8000", "H": "h"}  # exported where export says
    assert (web.env["BACKEND"].line, web.env["BACKEND"].column) == (4, 10)


def test_default_if_empty_keeps_a_known_value_and_env(repo: Path) -> None:
    write(repo, {"start.sh": "W=4\nT=\n" + textwrap.dedent(DEFAULTS).lstrip("\n")})
    web = one("start.sh", {"BACKEND": "unix:/run/app.sock", "K": "7"})
    assert words(web)[1:5] == ["unix:/run/app.sock", "4", "30", "7"]
    assert env(web) == {"BACKEND": "unix:/run/app.sock", "H": "h"}


def test_default_if_empty_of_an_unknown_value_stays_unknown(repo: Path) -> None:
    write(
        repo,
        {
            "start.sh": """
                if [ "$MODE" = prod ]; then W=8; fi
                if [ -z "$W" ]; then W=2; fi
                if [ -n "$X" ]; then Y=1; fi
                if [ -z "$Z" ]; then Z=1; echo ok > /tmp/log; fi
                [ -z "$V" ] && V=1 && echo set
                exec gunicorn app -w "$W" -y "$Y" -z "$Z" -v "$V"
            """
        },
    )
    web = one("start.sh")
    assert words(web) == ["app", "-w", None, "-y", None, "-z", None, "-v", "1"]
    assert "if block (line 1)" in (web.args[2].unknown or "")
    assert "if block (line 3)" in (web.args[4].unknown or "")
    assert "if block (line 4)" in (web.args[6].unknown or "")  # a write: not the idiom


def test_default_idiom_inside_a_function(repo: Path) -> None:
    write(
        repo,
        {
            "start.sh": """
                start() {
                  if [ -z "$W" ]; then W=3; fi
                  exec gunicorn app -w "$W"
                }
            """
        },
    )
    assert words(one("start.sh")) == ["app", "-w", "3"]


# --- base_env -------------------------------------------------------------------------------------


BASE = {
    "PORT": EnvValue("5000", "Dockerfile", 3, 5),
    "W": EnvValue("8", "Dockerfile", 4, 5),
    "X": EnvValue("base", "Dockerfile", 5, 5),
}


def test_base_env_under_a_script(repo: Path) -> None:
    write(repo, {"start.sh": 'W=2\nexec gunicorn app -b ":$PORT" -w "$W" -x "$X"\n'})
    web = one("start.sh", {"X": "cli"}, base_env=BASE)
    assert words(web) == ["app", "-b", ":5000", "-w", "2", "-x", "cli"]
    assert env(web) == {"PORT": "5000", "W": "2", "X": "base"}
    assert web.env["PORT"].path == "Dockerfile"
    assert words(one("start.sh")) == ["app", "-b", None, "-w", "2", "-x", None]


def test_base_env_under_procfile_supervisord_and_systemd(repo: Path) -> None:
    write(
        repo,
        {
            "Procfile": 'web: gunicorn app -b ":$PORT" -x "$X"\n',
            ".env": "X=dotenv\n",
            "supervisord.conf": '[program:web]\ncommand=gunicorn app\nenvironment=W="3"\n',
            "app.service": "[Service]\nEnvironment=W=5\n"
            "ExecStart=/v/gunicorn app -b :${PORT} -w $W\n",
        },
    )
    assert words(one("Procfile", base_env=BASE)) == ["app", "-b", ":5000", "-x", "dotenv"]
    sup = one("supervisord.conf", base_env=BASE)
    assert env(sup) == {"PORT": "5000", "W": "3", "X": "base"}
    unit = one("app.service", base_env=BASE)
    assert words(unit) == ["app", "-b", ":5000", "-w", "5"]


def test_base_env_is_ignored_by_dockerfile_and_compose(repo: Path) -> None:
    write(
        repo,
        {
            "Dockerfile": "FROM x\nCMD gunicorn app -b :$PORT\n",
            "compose.yaml": "services:\n  web:\n    command: gunicorn app -b :$${PORT}\n",
        },
    )
    assert words(one("Dockerfile", base_env=BASE)) == ["app", "-b", None]
    assert env(one("compose.yaml", base_env=BASE)) == {}


# --- effects --------------------------------------------------------------------------------------

NGINX_ENVSUBST = r"""
    #!/bin/sh
    set -e
    ME=$(basename "$0")
    entrypoint_log() {
        if [ -z "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ]; then
            echo "$@"
        fi
    }
    auto_envsubst() {
      local template_dir="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
      local suffix="${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}"
      local output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
      local filter="${NGINX_ENVSUBST_FILTER:-}"

      local template defined_envs relative_path output_path subdir
      defined_envs=$(printf '${%s} ' $(awk "END { for (n in ENVIRON) { print n } }" < /dev/null ))
      [ -d "$template_dir" ] || return 0
      find "$template_dir" -follow -type f -name "*$suffix" -print | while read -r template; do
        relative_path="${template#"$template_dir/"}"
        output_path="$output_dir/${relative_path%"$suffix"}"
        subdir=$(dirname "$relative_path")
        mkdir -p "$output_dir/$subdir"
        entrypoint_log "$ME: Running envsubst on $template to $output_path"
        envsubst "$defined_envs" < "$template" > "$output_path"
      done
    }
    auto_envsubst
    exit 0
"""


def test_effects_of_the_nginx_image_envsubst_script(repo: Path) -> None:
    write(repo, {"docker-entrypoint.d/20-envsubst-on-templates.sh": NGINX_ENVSUBST})
    path = "docker-entrypoint.d/20-envsubst-on-templates.sh"
    got = effects(path)
    assert [(e.kind, e.tool, e.line) for e in got] == [
        ("mkdir", "mkdir", 22),
        ("render", "envsubst", 24),
    ]
    render = got[1]
    assert (render.target, render.source, render.variables) == (None, None, None)
    assert render.unknown == "it uses a ${...} form gwlint does not evaluate"
    assert (render.path, render.column) == (path, 46)
    # "templates" inside its name is not an example's mark: a shell script, named or found
    assert launcher_kind(path, walking=False) == "shell"


def test_effects_of_frappe_multiline_envsubst(repo: Path) -> None:
    write(
        repo,
        {
            "nginx-entrypoint.sh": """
                #!/bin/bash
                if [[ -z "$BACKEND" ]]; then
                  echo "BACKEND defaulting to 0.0.0.0:8000"
                  export BACKEND=0.0.0.0:8000
                fi
                # shellcheck disable=SC2016
                envsubst '${BACKEND}
                  ${SOCKETIO}
                  $UPSTREAM_REAL_IP_ADDRESS
                \t${BACKEND}' \\
                  </templates/nginx/frappe.conf.template >/etc/nginx/conf.d/frappe.conf

                nginx -g 'daemon off;'
            """
        },
    )
    assert effects("nginx-entrypoint.sh") == [
        Effect(
            kind="render",
            target="/etc/nginx/conf.d/frappe.conf",
            source="/templates/nginx/frappe.conf.template",
            path="nginx-entrypoint.sh",
            line=11,
            column=43,
            tool="envsubst",
            variables=("BACKEND", "SOCKETIO", "UPSTREAM_REAL_IP_ADDRESS"),
        )
    ]


def test_effects_of_a_rendered_nginx_conf(repo: Path) -> None:
    write(
        repo,
        {
            "entrypoint.sh": """
                #!/usr/bin/env sh
                USE_LISTEN_PORT=${LISTEN_PORT:-80}
                if [ -f /app/nginx.conf ]; then
                    cp /app/nginx.conf /etc/nginx/nginx.conf
                else
                    content='user  nginx;\\n'
                    content=$content'include /etc/nginx/conf.d/*.conf;\\n'
                    printf "$content" > /etc/nginx/nginx.conf
                    printf "listen ${USE_LISTEN_PORT};\\n" > /etc/nginx/conf.d/nginx.conf
                    printf "x $UNKNOWN" >> "$OUT"
                fi
                exec "$@"
            """
        },
    )
    got = effects("entrypoint.sh")
    assert brief(got) == [
        ("copy", "/etc/nginx/nginx.conf", "/app/nginx.conf", "cp", 4),
        ("write", "/etc/nginx/nginx.conf", None, "printf", 8),
        ("write", "/etc/nginx/conf.d/nginx.conf", None, "printf", 9),
        ("write", None, None, "printf", 10),
    ]
    assert [e.unknown for e in got] == [None, None, None, (
        "$OUT is not set where the command runs (give it with --env OUT=VALUE)"
    )]  # fmt: skip
    assert (got[0].line, got[0].column) == (4, 24)  # the target as written
    assert effects("entrypoint.sh", {"OUT": "/tmp/x"})[3].target == "/tmp/x"


def test_effects_of_a_dockerfile_run(repo: Path) -> None:
    write(
        repo,
        {
            "Dockerfile": """
                FROM python AS build
                RUN echo "not this stage" > /build.txt
                FROM nginx:1.27 AS web
                ARG CONF=site
                ENV CONF_DIR=/etc/nginx/conf.d
                WORKDIR /srv
                RUN echo "x" > /etc/nginx/conf.d/a.conf && LINK
                RUN --mount=type=cache,target=/root mkdir -p $CONF_DIR/extra \\
                    && cp nginx/${CONF}.conf "$CONF_DIR/" && touch ready
                RUN ["cp", "/srv/b.conf", "/etc/nginx/conf.d/b.conf"]
                RUN <<EOF
                cat > /etc/nginx/conf.d/c.conf <<CONF
                server {}
                CONF
                EOF
                CMD ["nginx", "-g", "daemon off;"]
            """
        },
    )
    text = (repo / "Dockerfile").read_text()
    (repo / "Dockerfile").write_text(
        text.replace("LINK", "ln -sf /dev/stdout /var/log/nginx/access.log")
    )
    got = effects("Dockerfile", kind="dockerfile")
    assert brief(got) == [
        ("write", "/etc/nginx/conf.d/a.conf", None, "echo", 7),
        ("link", "/var/log/nginx/access.log", "/dev/stdout", "ln", 7),
        ("mkdir", "/etc/nginx/conf.d/extra", None, "mkdir", 8),
        ("copy", "/etc/nginx/conf.d/site.conf", "/srv/nginx/site.conf", "cp", 9),
        ("write", "/srv/ready", None, "touch", 9),
        ("copy", "/etc/nginx/conf.d/b.conf", "/srv/b.conf", "cp", 10),
        ("write", "/etc/nginx/conf.d/c.conf", None, "cat", 12),
    ]
    assert {e.path for e in got} == {"Dockerfile"}
    assert effects("Dockerfile") == got  # the kind from the file's name


def test_effects_of_pipes_and_tools(repo: Path) -> None:
    write(
        repo,
        {
            "bin/render.sh": """
                #!/bin/sh
                T=/templates
                cd /etc/nginx
                envsubst '$PORT' < $T/site.tmpl | tee conf.d/site.conf > /dev/null
                cat $T/a.tmpl | envsubst > conf.d/a.conf
                sed -e "s/@PORT@/$PORT/" $T/b.tmpl > conf.d/b.conf
                sed -i 's/x/y/' nginx.conf
                j2 $T/c.j2 > conf.d/c.conf
                j2 -o conf.d/d.conf $T/d.j2
                gomplate -f $T/e.tmpl -o conf.d/e.conf
                dockerize -template $T/f.tmpl:conf.d/f.conf -wait tcp://db:5432 gunicorn app
                install -m 644 -D $T/g.conf /etc/nginx/conf.d/
                mv conf.d/default.conf conf.d/default.conf.off
                mkdir -p /run/nginx /var/cache/nginx
                cp -a $T/h.conf $T/i.conf conf.d
                tee -a conf.d/j.conf <<EOF
                server {}
                EOF
                exec nginx 2>&1
            """
        },
    )
    got = effects("bin/render.sh")
    assert brief(got) == [
        ("render", "/etc/nginx/conf.d/site.conf", "/templates/site.tmpl", "envsubst", 4),
        ("render", "/etc/nginx/conf.d/a.conf", "/templates/a.tmpl", "envsubst", 5),
        ("render", "/etc/nginx/conf.d/b.conf", "/templates/b.tmpl", "sed", 6),
        ("render", "/etc/nginx/nginx.conf", "/etc/nginx/nginx.conf", "sed", 7),
        ("render", "/etc/nginx/conf.d/c.conf", "/templates/c.j2", "j2", 8),
        ("render", "/etc/nginx/conf.d/d.conf", "/templates/d.j2", "j2", 9),
        ("render", "/etc/nginx/conf.d/e.conf", "/templates/e.tmpl", "gomplate", 10),
        ("render", "/etc/nginx/conf.d/f.conf", "/templates/f.tmpl", "dockerize", 11),
        ("copy", "/etc/nginx/conf.d/g.conf", "/templates/g.conf", "install", 12),
        ("move", "/etc/nginx/conf.d/default.conf.off", "/etc/nginx/conf.d/default.conf", "mv", 13),
        ("mkdir", "/run/nginx", None, "mkdir", 14),
        ("mkdir", "/var/cache/nginx", None, "mkdir", 14),
        ("copy", "/etc/nginx/conf.d/h.conf", "/templates/h.conf", "cp", 15),
        ("copy", "/etc/nginx/conf.d/i.conf", "/templates/i.conf", "cp", 15),
        ("write", "/etc/nginx/conf.d/j.conf", None, "tee", 16),
    ]
    assert got[0].variables == ("PORT",)
    assert got[1].variables is None  # every variable
    # read_launches still finds the server behind dockerize
    assert words(one("bin/render.sh")) == ["app"]


def test_effects_of_scripts_it_runs_and_sources(repo: Path) -> None:
    write(
        repo,
        {
            "entrypoint.sh": """
                #!/bin/sh
                . ./lib.sh
                ./render.sh /etc/nginx/conf.d
                sh -c "echo ok > $OUT_DIR/ok"
            """,
            "lib.sh": "OUT_DIR=/run/app\nexport OUT_DIR\n",
            "render.sh": '#!/bin/sh\nln -s /app/site.conf "$1/site.conf"\n',
        },
    )
    got = effects("entrypoint.sh")
    assert [(e.kind, e.target, e.source, e.path, e.line) for e in got] == [
        ("link", "/etc/nginx/conf.d/site.conf", "/app/site.conf", "render.sh", 2),
        ("write", "/run/app/ok", None, "entrypoint.sh", 4),
    ]


def test_effects_with_base_env(repo: Path) -> None:
    write(repo, {"start.sh": 'envsubst < "$TPL" > "$CONF"\n'})
    base = {"TPL": EnvValue("/t/site.tmpl", "Dockerfile", 2), "CONF": EnvValue("/c.conf", "x", 3)}
    assert brief(effects("start.sh", base_env=base)) == [
        ("render", "/c.conf", "/t/site.tmpl", "envsubst", 1)
    ]
    (render,) = effects("start.sh")
    assert (render.target, render.source) == (None, None)
    assert "$CONF" in (render.unknown or "")


def test_effects_are_no_more_than_a_record(repo: Path) -> None:
    write(
        repo,
        {
            "start.sh": """
                #!/bin/sh
                cat > /etc/gunicorn.conf.py <<EOF
                workers = 2
                EOF
                exec gunicorn -c /etc/gunicorn.conf.py app 2>/var/log/err.log
                echo "broken
            """
        },
    )
    # the launch is read as before; the effects do not report the unterminated quote again
    got, problems = read("start.sh")
    assert [words(g) for g in got] == [["-c", "/etc/gunicorn.conf.py", "app"]]
    assert problems == []  # the broken line starts no server
    assert brief(effects("start.sh")) == [
        ("write", "/etc/gunicorn.conf.py", None, "cat", 2),
        ("write", "/var/log/err.log", None, "redirect", 5),
    ]
    write(repo, {"start.sh": 'echo x > /a\nexec gunicorn "app\n'})
    assert len(read("start.sh")[1]) == 1
    assert brief(effects("start.sh")) == [("write", "/a", None, "echo", 1)]
    assert effects("missing.sh", kind="shell") == []


def test_script_effects_never_raises(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(repo, {"start.sh": "cp a /b\n"})

    def boom(*_args: object, **_kwargs: object) -> None:
        raise KeyError("x")

    monkeypatch.setattr(launchers._Recorder, "file_op", boom)
    problems = Problems()
    assert script_effects("start.sh", {}, problems) == []
    assert [(p.code, p.location.line) for p in problems.items] == [("GW008", 1)]


def test_effects_obey_the_run_budget(repo: Path) -> None:
    write(repo, {"start.sh": "#!/bin/sh\necho x > /a\n./start.sh\n./start.sh\n"})
    got = effects("start.sh")
    assert len(got) == 1  # a script that runs itself is not read again
    write(repo, {"start.sh": "./write.sh\n" * (MAX_RUNS + 50), "write.sh": "echo x > /a\n"})
    assert len(effects("start.sh")) == MAX_RUNS


def test_effects_relative_to_an_unknown_folder(repo: Path) -> None:
    write(
        repo,
        {
            "start.sh": """
                cd "$APP_HOME"
                cp a.conf /etc/nginx/conf.d/
                echo x > ready
                cd /srv && echo y > ready
            """
        },
    )
    got = effects("start.sh")
    assert brief(got) == [
        ("copy", "/etc/nginx/conf.d/a.conf", None, "cp", 2),
        ("write", None, None, "echo", 3),
        ("write", "/srv/ready", None, "echo", 4),
    ]
    assert got[0].unknown == got[1].unknown
    assert "$APP_HOME" in (got[1].unknown or "")


# --- the corpus -----------------------------------------------------------------------------------


def _roots() -> list[Path]:
    roots = [CORPUS, CORPUS.parent / "corpus-next"]
    found = [root for root in roots if root.is_dir()]
    if not found:
        if os.environ.get("CI"):
            pytest.fail(f"{CORPUS} is missing, and CI is set: the corpus sweep must run")
        pytest.skip(f"{CORPUS} is absent (the corpus sweep runs where it exists)")
    return found


@pytest.mark.corpus
def test_corpus_effects_never_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = 0
    for root in _roots():
        monkeypatch.chdir(root)
        for folder, dirs, files in os.walk("."):
            dirs.sort()
            for name in sorted(files):
                path = os.path.relpath(os.path.join(folder, name))
                kind = launcher_kind(path, walking=False)
                if kind not in ("shell", "dockerfile") and not launchers._is_shell_script(path):
                    continue
                problems = Problems()
                got = script_effects(path, {}, problems)
                assert problems.items == [], path
                assert all(e.line >= 1 for e in got), path
                seen += 1
    assert seen > 0
