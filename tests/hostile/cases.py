"""The reproducers, one ``Case`` each (issue 12 numbers them; ``group`` keeps the number).

A case builds ``repo/`` (the pull request) and ``outside/`` (a folder beside it whose secret must
never reach the output) under a scratch folder, and runs ``gwlint ARGS`` in ``cwd``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SECRET = "SECRET-7f3a9c"  # in every file of outside/: never printed
PASSWD = "root:x:0:0"  # the first line of /etc/passwd: never printed

NGINX_OK = "events {}\nhttp {\n    server {\n        listen 80;\n    }\n}\n"


@dataclass(frozen=True)
class Case:
    name: str
    group: int  # the reproducer's number in issue 12
    build: Callable[[Path], None]  # writes under the scratch folder (repo/, outside/)
    args: tuple[str, ...] = ("check",)
    cwd: str = "repo"  # relative to the scratch folder; "/" for the root
    stdin: bytes | None = None
    # the run may end with a usage error (exit 2, one line on stderr)
    usage_error: bool = False
    # text the JSON output must hold (a code, a message part)
    expect: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)


def _outside(root: Path) -> None:
    write(
        root,
        {
            "outside/secret.conf": f"# {SECRET}\nserver {{ listen 1; server_name {SECRET}; }}\n",
            "outside/app.ini": f"[uwsgi]\nsocket = :8000\nprocesses = {SECRET}\n",
            "outside/x.conf": f"{SECRET} on;\n",
        },
    )


CASES: list[Case] = []


Build = Callable[[Path], None]


def case(group: int, **kwargs: object) -> Callable[[Build], Build]:
    def register(build: Callable[[Path], None]) -> Callable[[Path], None]:
        def full(root: Path) -> None:
            _outside(root)
            (root / "repo").mkdir(exist_ok=True)
            build(root)

        CASES.append(Case(name=build.__name__, group=group, build=full, **kwargs))  # type: ignore[arg-type]
        return build

    return register


# --- 1. the pull request's own configuration widens the sandbox ---------------------------------


@case(1)
def config_prefix_root_reads_etc_passwd(root: Path) -> None:
    write(
        root / "repo",
        {
            ".gwlint.toml": 'nginx-prefix = "/"\n',
            "nginx.conf": "events {}\nhttp {\n    include /etc/passwd;\n}\n",
        },
    )


@case(1)
def config_prefix_outside(root: Path) -> None:
    write(
        root / "repo",
        {
            ".gwlint.toml": 'nginx-prefix = "../outside"\n',
            "nginx.conf": "events {}\nhttp {\n    include secret.conf;\n    include x.conf;\n}\n",
        },
    )


@case(1)
def config_deployments_absolute_glob(root: Path) -> None:
    write(
        root / "repo",
        {
            "gwlint.toml": '[[deployments]]\nnginx = ["/etc/passw*"]\n',
            "nginx.conf": NGINX_OK,
        },
    )


@case(1)
def config_deployments_outside_files(root: Path) -> None:
    write(
        root / "repo",
        {
            "pyproject.toml": (
                "[tool.gwlint]\n[[tool.gwlint.deployments]]\n"
                'nginx = ["../outside/*.conf"]\napp = ["../outside/app.ini"]\n'
            ),
            "nginx.conf": NGINX_OK,
        },
    )


@case(1)
def config_deployments_glob_whole_host(root: Path) -> None:
    write(
        root / "repo",
        {
            ".gwlint.toml": '[[deployments]]\nnginx = ["/**/*.conf"]\napp = ["/**/*.ini"]\n',
            "nginx.conf": NGINX_OK,
        },
    )


# --- 2. quadratic regexes -----------------------------------------------------------------------


@case(2, args=("check", "nginx.conf"))
def blank_lines_nginx_conf(root: Path) -> None:
    write(root / "repo", {"nginx.conf": "\n" * 65536})


@case(2)
def blank_lines_many_files(root: Path) -> None:
    for i in range(10):
        write(root / "repo", {f"conf.d/site{i}.conf": "\n" * 65536})
        write(root / "repo", {f"sites/site{i}": " \n" * 30000})


@case(2)
def unknown_directives_long_and_many(root: Path) -> None:
    # each unknown name is compared with the known ones (a "did you mean"): names thousands of
    # characters long, and thousands of names, in a file and in 10 copies of it
    body = "".join(f"    bogus_{i} on;\n" for i in range(3000)) + "    " + "a" * 5000 + " on;\n"
    files = {"nginx.conf": "events {}\nhttp {\n" + body + "}\n"}
    files.update({f"copies/{i:02}/nginx.conf": files["nginx.conf"] for i in range(10)})
    write(root / "repo", files)


@case(2)
def one_location_thousands_of_proxy_pass(root: Path) -> None:
    # nginx refuses a second proxy_pass in a block ("is duplicate"); a route per statement made
    # the rules that compare a route with its block's directives quadratic
    passes = "".join(
        f"            proxy_pass http://127.0.0.1:{8000 + i % 100};\n" for i in range(5000)
    )
    write(
        root / "repo",
        {
            "nginx.conf": "events {}\nhttp {\n    server {\n        listen 80;\n"
            "        location / {\n            uwsgi_read_timeout 30;\n"
            + passes
            + "        }\n    }\n}\n"
        },
    )


@case(2)
def one_location_thousands_of_foreign_directives(root: Path) -> None:
    # 20,000 uwsgi_read_timeout beside one proxy_pass (found by the dump fuzzer): GW609 compared
    # each with every directive of its block (quadratic: minutes)
    foreign = "            uwsgi_read_timeout 300s;\n" * 20_000
    write(
        root / "repo",
        {
            "nginx.conf": "events {}\nhttp {\n    server {\n        listen 80;\n"
            "        location / {\n"
            + foreign
            + "            proxy_pass http://127.0.0.1:8000;\n        }\n    }\n}\n"
        },
    )


@case(2)
def brackets_and_spaces(root: Path) -> None:
    # the shapes that make line-anchored patterns backtrack: long runs of one character
    write(
        root / "repo",
        {
            "nginx/a.conf": "[" * 60000 + "\n",
            "nginx/b.conf": " " * 60000 + "[x" + " " * 60000 + "\n",
            "uwsgi.ini": "[uwsgi]\n" + "\t" * 60000 + "\n",
            "conf/c.conf": "server" + " " * 60000 + "{\n",
        },
    )


# --- 3. workflow-command and terminal injection --------------------------------------------------

INJECTED = "missing.conf\n::error file=README.md,line=1::forged\n::add-mask::x\n::stop-commands::t"
ESCAPES = "\x1b]0;TITLE\x07\x1b[2J\x9b31m"


@case(3, args=("check", "nginx.conf"))
def workflow_commands_in_include(root: Path) -> None:
    write(
        root / "repo",
        {"nginx.conf": f'events {{}}\nhttp {{\n    include "{INJECTED}";\n}}\n'},
    )


@case(3, args=("check", "--format", "github", "nginx.conf"))
def workflow_commands_in_include_github(root: Path) -> None:
    workflow_commands_in_include(root)


@case(3, args=("check", "nginx.conf", "gunicorn.conf.py"))
def terminal_escapes_in_values(root: Path) -> None:
    write(
        root / "repo",
        {
            "nginx.conf": (
                "events {}\nhttp {\n    server {\n        listen 80;\n"
                f'        location / {{ proxy_pass "http://127.0.0.1:8000/{ESCAPES}"; '
                f'proxy_read_timeout "{ESCAPES}"; }}\n    }}\n}}\n'
            ),
            "gunicorn.conf.py": f'bind = "127.0.0.1:8000"\ntimeout = "{ESCAPES}"\n',
        },
    )


@case(3, args=("check", "--format", "github", "nginx.conf", "gunicorn.conf.py"))
def terminal_escapes_in_values_github(root: Path) -> None:
    terminal_escapes_in_values(root)


@case(3)
def file_name_with_newlines(root: Path) -> None:
    write(
        root / "repo",
        {
            "conf.d/a\n::error::forged\x1b[2J.conf": "server { listen 80; bogus_directive on; }\n",
            "nginx.conf": "events {}\nhttp {\n    include conf.d/*.conf;\n}\n",
        },
    )


@case(3, usage_error=True)
def stderr_message_with_newlines(root: Path) -> None:
    write(
        root / "repo",
        {
            ".gwlint.toml": 'nginx-prefix = "x\\n::error::y\\u001b[2J"\nbogus-key = 1\n',
            "nginx.conf": NGINX_OK,
        },
    )


# --- 4. memory in static evaluation ----------------------------------------------------------

GUNICORN_BOMBS = {
    "bytes_repeat": "timeout = b'a'*3500000000\n",
    "nested_format_spec": "timeout = '{:{}}'.format(1, 3500000000)\n",
    "bytes_percent_width": "timeout = b'%0999999999d' % 1\n",
    "percent_mapping_width": "timeout = '%((x)abc)0999999999d' % {'(x)abc': 1}\n",
    "augmented_repeat": "timeout = b'a'\ntimeout *= 3000000000\n",
    "repeated_float_precision": "x = 1\n" + "x = '{0:{1}.{2}f}'.format(1.5, 10, 999999999)\n" * 20,
    "fstring_width": "timeout = f'{1:999999999}'\n",
    "str_join_repeat": "timeout = ','.join(['a'] * 10**9)\n",
    "list_repeat": "timeout = [0] * 10**10\n",
}


def _gunicorn_bomb(text: str) -> Callable[[Path], None]:
    def build(root: Path) -> None:
        write(root / "repo", {"gunicorn.conf.py": text})

    return build


for _name, _text in GUNICORN_BOMBS.items():
    _build = _gunicorn_bomb(_text)
    _build.__name__ = f"gunicorn_{_name}"
    case(4, args=("check", "gunicorn.conf.py"))(_build)


# --- 5. uWSGI ini -------------------------------------------------------------------------------


def _uwsgi(text: str) -> Callable[[Path], None]:
    def build(root: Path) -> None:
        write(root / "repo", {"uwsgi.ini": "[uwsgi]\nsocket = :8000\n" + text})

    return build


UWSGI_BOMBS = {
    "nested_placeholders": "x = " + "%(" * 100_000 + "\n",
    "nested_dollar": "x = " + "$(" * 100_000 + "\n",
    "long_sum": "a = 1\nx = %(" + "a+" * 20_000 + "a)\n",
    "many_keys": "".join(f"k{i} = {i}\n" for i in range(20_000)),
    "big_value_many_refs": "big = " + "v" * 65_000 + "\n" + "x = %(big)\n" * 100_000,
    # the shapes below: bounded work in the uWSGI ini reader (gwlint/loaders/uwsgi.py MAX_*)
    "nested_placeholders_math": "x = " + "%(" * 50_000 + "1 + 1" + ")" * 50_000 + "\n",
    "long_sum_then_word": "a = 1\nx = %(" + "a+" * 20_000 + "a b)\n",
    "nested_at_file": "x = " + "@(" * 100_000 + "\n",
    "nested_dollar_placeholder": "x = " + "$(%(" * 50_000 + "\n",
    "huge_loops": "for-times = 1000000000\nx = %(_)\nendfor =\nfor = "
    + " ".join(map(str, range(100_000)))
    + "\ny = %(_)\nendfor =\n",
    "includes_itself_many_times": "ini = uwsgi.ini\n" * 20_000,
    "magic_variables_run": "x = " + "%n" * 1_000_000 + "\n",
    "doubling_placeholders": "a = xxxxxxxxxx\n" + "a = %(a)%(a)\n" * 40 + "x = %(a)\n" * 10_000,
    "many_placeholder_names": "".join(f"set-ph = k{i}=1\n" for i in range(20_000)),
    "unknown_blocks_deep": "if-exists = /x\n" * 10_000 + "a = 1\n" * 10_000,
    "many_comment_lines": "; c\n" * 1_000_000,
    "many_blank_lines": "\n" * 4_000_000 + "processes = 4\n",
    "many_sockets": "".join(f"socket = 127.0.0.1:{1000 + i}\n" for i in range(20_000)),
    "many_unknown_settings": "processes = $(X)\n" * 100_000,
}

for _name, _text in UWSGI_BOMBS.items():
    _build = _uwsgi(_text)
    _build.__name__ = f"uwsgi_{_name}"
    case(5, args=("check", "uwsgi.ini"))(_build)


# --- 6. nginx includes --------------------------------------------------------------------------


@case(6, args=("check", "nginx.conf"))
def include_glob_through_symlink_loops(root: Path) -> None:
    repo = root / "repo"
    write(repo, {"nginx.conf": "events {}\nhttp {\n    include " + "*/" * 14 + "x.conf;\n}\n"})
    for name in ("a", "b", "c"):
        os.symlink(".", repo / name)
    write(repo, {"x.conf": "server { listen 80; }\n"})


@case(6, args=("check", "nginx.conf"))
def snippets_each_including_all(root: Path) -> None:
    files = {"nginx.conf": "events {}\nhttp {\n    include conf.d/*.conf;\n}\n"}
    for i in range(200):
        files[f"conf.d/s{i:03}.conf"] = "include conf.d/*.conf;\n"
    write(root / "repo", files)  # type: ignore[arg-type]


@case(6, args=("check", "nginx.conf"))
def layers_of_includes(root: Path) -> None:
    files = {"nginx.conf": "events {}\nhttp {\n    include l0/*.conf;\n}\n"}
    for layer in range(10):
        for i in range(30):
            files[f"l{layer}/f{i:02}.conf"] = (
                f"include l{layer + 1}/*.conf;\n" if layer < 9 else "server { listen 80; }\n"
            )
    write(root / "repo", files)  # type: ignore[arg-type]


# --- 7. YAML merge-key bomb ---------------------------------------------------------------------


def _merge_bomb() -> str:
    lines = ["x-a0: &a0 {k: v}"]
    for level in range(1, 10):
        refs = ", ".join(f"*a{level - 1}" for _ in range(10))
        lines.append(f"x-a{level}: &a{level} {{<<: [{refs}]}}")
    return "\n".join(lines) + "\nservices:\n  web:\n    <<: *a9\n    build: .\n"


@case(7)
def compose_merge_key_bomb(root: Path) -> None:
    write(root / "repo", {"docker-compose.yml": _merge_bomb(), "Dockerfile": "FROM python\n"})


@case(7)
def manifest_merge_key_bomb(root: Path) -> None:
    text = _merge_bomb().replace("services:\n  web:\n    <<: *a9\n    build: .\n", "")
    write(
        root / "repo",
        {
            "k8s/app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
            + text
            + "data:\n  <<: *a9\n"
        },
    )


# --- 8. symlinks when the checked folder is outside the working directory -------------------


@case(8, args=("check", "../repo"), cwd="cwd")
def symlink_out_of_a_folder_checked_from_elsewhere(root: Path) -> None:
    (root / "cwd").mkdir()
    write(root / "repo", {"nginx.conf": "events {}\nhttp {\n    include site*.conf;\n}\n"})
    os.symlink("../outside/secret.conf", root / "repo" / "site2.conf")


@case(8, cwd="/", args=("check",))
def include_up_to_etc_from_cwd_root(root: Path) -> None:
    # run with cwd "/": the test passes the repository's absolute path (see ``arguments``)
    include = "include ../../../../../../etc/passwd;"
    write(root / "repo", {"nginx.conf": f"events {{}}\nhttp {{\n    {include}\n}}\n"})


@case(8, cwd="/", args=("check",))
def include_up_to_a_missing_file_from_cwd_root(root: Path) -> None:
    # the same include of a file that does not exist: the same answer (no oracle)
    include = "include ../../../../../../etc/no-such-file-x;"
    write(root / "repo", {"nginx.conf": f"events {{}}\nhttp {{\n    {include}\n}}\n"})


# --- 9. other slow paths ------------------------------------------------------------------------


@case(9)
def supervisord_nested_placeholders(root: Path) -> None:
    write(
        root / "repo",
        {"supervisord.conf": "[program:web]\ncommand=gunicorn app:app " + "%(" * 40_000 + "\n"},
    )


@case(9)
def procfile_many_lines(root: Path) -> None:
    write(
        root / "repo",
        {
            "Procfile": "".join(
                f"w{i}: gunicorn app:app --bind :{8000 + i % 999}\n" for i in range(20000)
            )
        },
    )


@case(9, args=("check", "--format", "sarif", "nginx.conf"))
def sarif_many_findings(root: Path) -> None:
    body = "".join(f"    bogus_{i} on;\n" for i in range(3000))
    write(root / "repo", {"nginx.conf": "events {}\nhttp {\n" + body + "}\n"})


def _dump(files: int, depth: int) -> bytes:
    """An ``nginx -T`` dump of ``files`` files, each ``depth`` folders deep in a tree of its own
    (``files * depth`` folders, had they to be made)."""
    out = [b"nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n"]
    out.append(b"# configuration file /etc/nginx/nginx.conf:\nevents {}\nhttp {\n}\n")
    for i in range(files):
        path = f"/etc/nginx/t{i}/" + "d/" * (depth - 1) + "f.conf"
        out.append(f"# configuration file {path}:\nserver {{ listen {i % 60000}; }}\n".encode())
    return b"".join(out)


@case(9, args=("check", "--nginx-dump", "dump.txt"))
def dump_with_many_folders(root: Path) -> None:
    # 2,000 files 144 folders deep (about 600 KB): 288,000 folders when laid out on disk
    (root / "repo" / "dump.txt").write_bytes(_dump(2_000, 144))


# --- 10. valid input that aborted the run --------------------------------------------------------

AUGMENTED = {
    "str_plus_int": "timeout = 'a'\ntimeout += 1\n",
    "divide_by_zero": "timeout = 30\ntimeout /= 0\n",
    "negative_shift": "timeout = 30\ntimeout <<= -1\n",
    "modulo_zero": "timeout = 30\ntimeout %= 0\n",
    "power_huge": "timeout = 30\ntimeout **= 10**6\n",
}

for _name, _text in AUGMENTED.items():
    _build = _gunicorn_bomb(_text)
    _build.__name__ = f"augmented_{_name}"
    case(10, args=("check", "gunicorn.conf.py"))(_build)


@case(10, args=("check", "--cpus", "4", "nginx.conf", "gunicorn.conf.py"))
def workers_huge_string(root: Path) -> None:
    write(
        root / "repo",
        {
            "nginx.conf": (
                "events {}\nhttp {\n    upstream app { server 127.0.0.1:8000; keepalive 8; }\n"
                "    server {\n        listen 80;\n"
                "        location / { proxy_pass http://app; proxy_http_version 1.1; "
                'proxy_set_header Connection ""; }\n    }\n}\n'
            ),
            "gunicorn.conf.py": "bind = '127.0.0.1:8000'\nworkers = '1' * 400\n",
        },
    )


@case(10, args=("check", "--nginx-dump", "dump.txt"))
def dump_with_deep_path(root: Path) -> None:
    deep = "/etc/nginx/" + "/".join("d" for _ in range(1500)) + "/f.conf"
    text = (
        "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n"
        "# configuration file /etc/nginx/nginx.conf:\nevents {}\nhttp {\n"
        f"    include {deep};\n}}\n"
        f"# configuration file {deep}:\nserver {{ listen 80; }}\n"
    )
    (root / "repo" / "dump.txt").write_text(text)


# --- 11. a file-existence oracle ----------------------------------------------------------------


@case(11, args=("check", "uwsgi.ini"))
def uwsgi_ini_outside_exists(root: Path) -> None:
    write(root / "repo", {"uwsgi.ini": "[uwsgi]\nsocket = :8000\nini = /etc/passwd\n"})


@case(11, args=("check", "uwsgi.ini"))
def uwsgi_ini_outside_missing(root: Path) -> None:
    write(root / "repo", {"uwsgi.ini": "[uwsgi]\nsocket = :8000\nini = /etc/no-such-file-x\n"})


def _launchers_naming(root: Path, name: str) -> None:
    write(
        root / "repo",
        {
            "Procfile": f"web: gunicorn -c ../outside/{name} app:app\n"
            f"w: uwsgi --ini ../outside/{name}\n",
            "compose.yaml": "services:\n  a:\n    image: python\n    command: gunicorn app:app\n"
            f"    env_file: ../outside/{name}\n",
            "start.sh": f"#!/bin/sh\n. ../outside/{name}\nexec gunicorn app:app\n",
        },
    )


@case(11)
def launchers_outside_exists(root: Path) -> None:
    # an env_file, a sourced file, -c and --ini that exist outside the repository ...
    _launchers_naming(root, "app.ini")


@case(11)
def launchers_outside_missing(root: Path) -> None:
    # ... and that do not: the same findings
    _launchers_naming(root, "nope.ini")


def arguments(item: Case, root: Path) -> list[str]:
    """The command line of a case (a case run from / names the repository absolutely)."""
    if item.cwd == "/":
        return [*item.args, str(root / "repo")]
    return list(item.args)


def workdir(item: Case, root: Path) -> Path:
    return Path("/") if item.cwd == "/" else root / item.cwd


# --- more nginx includes (6) and nginx -T dumps (9) ----------------------------------------------


@case(6, args=("check", "nginx.conf"), expect=("GW001",))
def include_through_many_symlinks_to_one_folder(root: Path) -> None:
    # 300 links to one folder, which links back to the repository: nginx would read its file
    # through l000/up/l000/, l000/up/l001/... 90,000 times
    repo = root / "repo"
    write(repo, {"nginx.conf": "events {}\nhttp {\n    include */*/*/*.conf;\n}\n"})
    write(repo, {"shared/site.conf": "server { listen 80; }\n"})
    for i in range(300):
        os.symlink("shared", repo / f"l{i:03}")
    os.symlink("..", repo / "shared" / "up")


@case(6, args=("check", "nginx.conf"))
def include_glob_from_the_root(root: Path) -> None:
    # absolute globs are looked for in the repository by their tail: /**/*.conf and a deep one,
    # through folders that link to the repository itself
    repo = root / "repo"
    deep = "/*" * 12 + "/*.conf"
    text = f"events {{}}\nhttp {{\n    include /**/*.conf;\n    include {deep};\n}}\n"
    write(repo, {"nginx.conf": text})
    for i in range(20):
        write(repo, {f"t{i:02}/site.conf": "location / { }\n"})
        os.symlink("..", repo / f"t{i:02}" / "up")


@case(9, args=("check", "--nginx-dump", "dump.txt"))
def dump_including_each_deep_file(root: Path) -> None:
    # the main file includes the 2,000 files 144 folders deep, through one glob
    text = _dump(2_000, 144).replace(
        b"http {\n}\n", b"http {\n    include /etc/nginx/t*/" + b"d/" * 143 + b"f.conf;\n}\n", 1
    )
    (root / "repo" / "dump.txt").write_bytes(text)


@case(9, args=("check", "--nginx-dump", "dump.txt"), expect=("GW001",))
def dump_glob_through_deep_folders(root: Path) -> None:
    # a glob with a * for each of the 144 folders: 288,000 folder entries to look at
    text = _dump(2_000, 144).replace(
        b"http {\n}\n", b"http {\n    include /etc/nginx/" + b"*/" * 144 + b"f.conf;\n}\n", 1
    )
    (root / "repo" / "dump.txt").write_bytes(text)


@case(10, args=("check", "--nginx-dump", "dump.txt"))
def dump_with_deep_relative_include(root: Path) -> None:
    # a relative include 1,500 folders deep, and a glob through them, in a deep file itself
    deep = "/".join("d" for _ in range(1500))
    text = (
        "# configuration file /etc/nginx/nginx.conf:\nevents {}\nhttp {\n"
        f"    include {deep}/a.conf;\n    include {deep.replace('d', '*')}/b.conf;\n}}\n"
        f"# configuration file /etc/nginx/{deep}/a.conf:\ninclude {deep}/b.conf;\n"
        f"# configuration file /etc/nginx/{deep}/b.conf:\nserver {{ listen 80; }}\n"
    )
    (root / "repo" / "dump.txt").write_text(text)


# --- 7 and 9, more shapes: bounded work in the launcher readers (gwlint/loaders/launchers.py) ---


@case(7)
def compose_env_file_named_by_every_service(root: Path) -> None:
    # a 50,000-line .env, named 100 times by each of 150 services (through one anchor)
    files = ["x-e: &e [" + ", ".join([".env"] * 100) + "]", "services:"]
    files += [
        f"  s{i}: {{image: python, env_file: *e, command: gunicorn app:app}}" for i in range(150)
    ]
    env = "".join(f"K{i}=${{K{i - 1}}}v\n" if i else "K0=v\n" for i in range(50_000))
    write(root / "repo", {"docker-compose.yml": "\n".join(files) + "\n", ".env": env})


@case(7)
def compose_many_nodes(root: Path) -> None:
    items = ",".join(["x"] * 60_000)  # 120 KB: 60,000 nodes
    write(
        root / "repo",
        {"docker-compose.yml": f"services:\n  web:\n    command: gunicorn a\n    x: [{items}]\n"},
    )


@case(7)
def compose_deep_nesting(root: Path) -> None:
    nested = "[" * 50_000 + "]" * 50_000
    write(
        root / "repo",
        {"docker-compose.yml": f"x: {nested}\nservices:\n  web:\n    command: gunicorn a\n"},
    )


@case(9)
def supervisord_daemon_environment_for_many_programs(root: Path) -> None:
    # [supervisord] after the programs (the head of the file shows them): its environment= of
    # 40,000 variables, for each of 2,000 programs
    programs = "".join(f"[program:p{i}]\ncommand=gunicorn app:app\n" for i in range(2_000))
    environment = ",".join(f'K{i}="%(here)s{i}"' for i in range(40_000))
    write(
        root / "repo", {"supervisord.conf": f"{programs}[supervisord]\nenvironment={environment}\n"}
    )


@case(9)
def supervisord_numprocs_of_a_long_program(root: Path) -> None:
    # 20,000 words, for 64 copies: read for fewer copies (its text is long)
    command = "gunicorn app:app -b :80%(process_num)02d " + "%(here)s " * 20_000
    write(root / "repo", {"supervisord.conf": f"[program:web]\ncommand={command}\nnumprocs=64\n"})


@case(9)
def supervisord_blank_runs_and_zeros(root: Path) -> None:
    text = (
        "[program:web]\ncommand"
        + " " * 20_000
        + "= gunicorn app:app %(x)"
        + "0" * 200_000
        + "!\nname"
        + " " * 200_000
        + "x\n"
    )
    write(root / "repo", {"supervisord.conf": text})


@case(9)
def procfile_blank_runs(root: Path) -> None:
    blanks = " \t" * 200_000
    write(
        root / "repo",
        {"Procfile": f"web: gunicorn app:app{blanks}-w 2{blanks}\nx:{blanks}y{blanks}z\n"},
    )


@case(9)
def systemd_many_exec_start(root: Path) -> None:
    lines = "".join(
        f"ExecStart=/usr/bin/gunicorn app:app -b :{8000 + i % 1000}\n" for i in range(20_000)
    )
    write(root / "repo", {"app.service": "[Service]\n" + lines})


@case(9)
def dotenv_each_line_refers_to_the_last(root: Path) -> None:
    env = "".join(f"K{i}=${{K{i - 1}}}\n" if i else "K0=v\n" for i in range(50_000))
    write(root / "repo", {".env": env, "Procfile": "web: gunicorn app:app -b :$K49999\n"})


@case(9)
def shell_set_with_long_flags(root: Path) -> None:
    text = "#!/bin/sh\nset -" + "a" * 20_000 + "!\nexec gunicorn app:app\n"
    write(root / "repo", {"start.sh": text})
