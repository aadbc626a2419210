"""The docs of the GW0xx (input problems) rules: why each matters, an Example that fires it, its
Fix, references and claims. Loaded on first use (``Rule.why``...), never by ``check``.
"""

from __future__ import annotations

from gwlint.rules.base import RuleDocs, ex, observed

_SUPPRESSION_SYNTAX = """
A finding is silenced for one place with a comment that names its code and says why:

```
# gwlint: ignore[GW101] reports are slow on purpose, the LB cuts them at 60 s anyway
proxy_read_timeout 120s;
```

It works in all three formats (`#` in nginx and `gunicorn.conf.py`, `;` or `#` in uWSGI inis). On
a line of its own it covers the next line that is not a comment; after a directive (nginx,
Python) it covers its own line. A cross-file finding can be silenced on either side: at the line
gwlint reports, or at the line of the other side (the `-->` line). Several codes go in one pair
of brackets, separated by commas. For a whole file or folder, use `per-file-ignores` in the
configuration; for the whole project, `ignore`.
"""


GW001 = RuleDocs(
    why="""
A syntax error (a missing `;`, an unbalanced `}`), a directive with the wrong number of arguments
or in a block where nginx does not allow it, an include cycle, or a file that is not text. nginx
refuses to start or reload (`nginx: [emerg] ... in /etc/nginx/nginx.conf:12`, and `nginx -t`
fails), so every request keeps going to the old configuration, or nothing is served at all.

gwlint reports *every* such error with its file and line, where `nginx -t` stops at the first. A
file gwlint cannot parse is still reported: it never passes silently. A fragment (a file whose top
level holds `server`, `upstream` or `location` blocks, as in `sites-enabled/*.conf`) is read as if
it were included in `http {}`, so it does not produce "not allowed here" noise.

A template (Jinja2 `.j2`, envsubst `.template`, Liquid, ERB, Go templates) is read as nginx will
read the file it renders: rendered in memory, placeholders gwlint cannot fill (`{{ port }}`,
`${BACKEND}` with no known value) are unknown values, never syntax errors, and findings point at
the template's own lines.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location / {
                        proxy_read_timeout 60s
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
    ),
    fix=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location / {
                        proxy_read_timeout 60s;
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
    ),
    references=(
        "https://nginx.org/en/docs/beginners_guide.html#conf_structure",
        "https://github.com/nginxinc/crossplane#crossplane-parse",
    ),
)


GW002 = RuleDocs(
    why="""
An `include` names a file that is not in the repository: its directives cannot be checked, and if
it is missing on the server too nginx refuses to start (`open() "/etc/nginx/conf.d/app.conf" failed
(2: No such file or directory)`). gwlint resolves includes like nginx (relative to the prefix, the
folder of the main config unless `--nginx-prefix DIR` says otherwise, and relative to the including
file), and looks up an absolute path such as `/etc/nginx/snippets/proxy.conf` under the prefix by
its tail (`snippets/proxy.conf`), so configs kept in a repository resolve as they will on the
server. A glob that matches nothing is fine, as it is for nginx.

Files that nginx packages install (`mime.types`, `uwsgi_params`, `fastcgi_params`, Debian's
`proxy_params`...) are not reported: they are there where nginx runs, and gwlint uses their known
content. A file under `/run`, `/var/run`, `/tmp` or `/dev/shm` exists only once the system runs
(an entrypoint writes it at start): it is reported once, as info, not at every include.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                include /etc/nginx/conf.d/app.conf;
            }
            """,
        ),
    ),
    fix=ex(
        (
            "nginx.conf",
            """
            http {
                include /etc/nginx/conf.d/app.conf;
            }
            """,
        ),
        (
            "conf.d/app.conf",
            """
            server {
                listen 80;
            }
            """,
        ),
    ),
    references=("https://nginx.org/en/docs/ngx_core_module.html#include",),
)


GW003 = RuleDocs(
    why="""
`gunicorn.conf.py` is a Python module; with a syntax error gunicorn stops at start-up (exit 1)
with `Failed to read config file: .../gunicorn.conf.py` and the traceback of the `SyntaxError`,
so the app never serves. The same happens when a setting has a value gunicorn's validator
rejects: gunicorn 27 prints `Invalid value for NAME: VALUE`, then `Error:` and the validator's
reason. For `timeout = 45.5` (not an integer): `Invalid value for timeout: 45.5`, then `Error:
int() can't convert non-string with explicit base`; for `timeout = "30s"`: `Error: invalid
literal for int() with base 0: '30s'`; for `workers = -1`: `Error: Value must be positive: -1`;
for `bind = 8000` (not a string): `Error: 'int' object is not iterable`. Nothing listens, and
nginx answers **502** (`connect() failed (111: Connection refused) while connecting to
upstream`).

gwlint reads the file with Python's parser only: it never runs, imports or compiles it, so a
config from an untrusted pull request cannot do anything on the machine that lints it.
""",
    example=ex(("gunicorn.conf.py", "bind = '127.0.0.1:8000'\nworkers = (2 *\n")),
    fix=ex(("gunicorn.conf.py", "bind = '127.0.0.1:8000'\nworkers = 2\n")),
    references=("https://docs.gunicorn.org/en/stable/configure.html#configuration-file",),
    claims=(
        observed("gw003-float-timeout", status=502),
        observed("gw003-float-timeout", where="gunicorn", outcome="gunicorn exits 1 at start"),
        observed("gw003-float-timeout", where="gunicorn", log="Invalid value for timeout: 45.5"),
        observed(
            "gw003-float-timeout",
            where="gunicorn",
            log="Error: int() can't convert non-string with explicit base",
        ),
        observed(
            "gw003-float-timeout",
            where="nginx error.log",
            log="connect() failed (111: Connection refused) while connecting to upstream",
        ),
        observed("gw003-rejected", where="gunicorn", outcome="gunicorn exits 1 at start, each"),
        observed("gw003-rejected", where="gunicorn", log="Failed to read config file: "),
        observed("gw003-rejected", where="gunicorn", log="SyntaxError: "),
        observed(
            "gw003-rejected",
            where="gunicorn",
            log="Error: invalid literal for int() with base 0: '30s'",
        ),
        observed("gw003-rejected", where="gunicorn", log="Error: Value must be positive: -1"),
        observed("gw003-rejected", where="gunicorn", log="Error: 'int' object is not iterable"),
    ),
)


GW004 = RuleDocs(
    why="""
The ini has no `[uwsgi]` section (uWSGI prints `*** WARNING: Can't find section "uwsgi" ...` and
starts with none of these settings), a malformed line, an `ini =` include that is missing or
includes itself, or the file is not text. Give `--uwsgi-section NAME` when the settings live in
another section (`uwsgi --ini app.ini:NAME`).
""",
    example=ex(("uwsgi.ini", "[uwgsi]\nsocket = 127.0.0.1:3031\n")),
    fix=ex(("uwsgi.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\n")),
    references=("https://uwsgi-docs.readthedocs.io/en/latest/Configuration.html#ini-files",),
)


GW005 = RuleDocs(
    why="""
gwlint evaluates `gunicorn.conf.py` without running it: literals, arithmetic, string operations,
names assigned earlier, `int()`/`min()`/`max()`..., `os.environ.get("X", default)` (the default, or
the value given with `--env X=V`) and `multiprocessing.cpu_count()` (the CPUs given with `--cpus`).
A setting computed any other way (a call into your code, a value read from a file, a loop) is
reported here with the reason, and the rules that need it stay quiet rather than guess.
""",
    example=ex(
        (
            "gunicorn.conf.py",
            """
            import multiprocessing
            workers = multiprocessing.cpu_count() * 2 + 1
            """,
        ),
    ),
    fix=ex(
        (
            "gunicorn.conf.py",
            """
            import multiprocessing
            workers = multiprocessing.cpu_count() * 2 + 1
            """,
        ),
        args=("--cpus", "4"),
    ),
    references=("https://docs.gunicorn.org/en/stable/configure.html#configuration-file",),
)


GW006 = RuleDocs(
    why=f"""
A suppression outlives the finding it was written for: the setting was fixed, moved to another
line, or the comment names the wrong code. Left in place it would silently hide the next real
finding of that code on that line. Remove the code from the comment (or the comment).

A suppression for a rule that is not enabled (`--select`, `ignore`) is not reported: gwlint cannot
tell whether it would suppress something.
{_SUPPRESSION_SYNTAX}""",
    example=ex(
        (
            "gunicorn.conf.py",
            """
            bind = "127.0.0.1:8000"
            # gwlint: ignore[GW701] our deploy script reads this, gunicorn does not
            workers = 3
            """,
        ),
        args=("--extend-select", "GW701"),
    ),
    fix=ex(
        (
            "gunicorn.conf.py",
            """
            bind = "127.0.0.1:8000"
            workers = 3
            """,
        ),
        args=("--extend-select", "GW701"),
    ),
    references=("https://docs.astral.sh/ruff/rules/unused-noqa/",),
)


GW007 = RuleDocs(
    why=f"""
A suppression must say why: the next person to read the config (or the one who wrote it, a year
later) needs to know whether the finding was judged harmless or simply silenced. One without a
reason, with no code or an unknown one in the brackets, or written in another tool's syntax
(`gwlint: disable=...`, `gwlint: noqa`) is **not applied**: the finding it meant to hide is still
reported, next to this warning.
{_SUPPRESSION_SYNTAX}""",
    example=ex(
        (
            "gunicorn.conf.py",
            """
            bind = "127.0.0.1:8000"
            # gwlint: ignore[GW701]
            statsd_hosts = ["stats-a:8125", "stats-b:8125"]
            """,
        ),
    ),
    fix=ex(
        (
            "gunicorn.conf.py",
            """
            bind = "127.0.0.1:8000"
            # gwlint: ignore[GW701] our metrics sidecar reads this list, gunicorn does not
            statsd_hosts = ["stats-a:8125", "stats-b:8125"]
            """,
        ),
    ),
    references=("https://docs.astral.sh/ruff/linter/#error-suppression",),
)


GW008 = RuleDocs(
    why="""
A launcher (Procfile, Dockerfile, compose file, systemd unit, supervisord program, shell
entrypoint, env file) that starts gunicorn, uvicorn or uWSGI could not be read where it matters:
invalid YAML in a compose file (`docker compose` refuses it too), a `CMD [...]` that is not valid
JSON (Docker then runs it through `/bin/sh -c` as a plain string), an unterminated quote.

As info: the command reads its settings from a file that is not in the repository (`gunicorn
-c /etc/gunicorn/prod.py`, `uwsgi --ini /etc/uwsgi/app.ini`) or in a format gwlint does not read
(`--yaml`, `--json`, `--xml`). The settings that file may hold are then not known, and the rules
that need them stay quiet rather than assume the defaults.
""",
    example=ex(("Procfile", "web: gunicorn -c config/gunicorn.py app:app\n")),
    fix=ex(
        ("Procfile", "web: gunicorn -c config/gunicorn.py app:app\n"),
        ("config/gunicorn.py", 'bind = "127.0.0.1:8000"\ntimeout = 60\n'),
    ),
    references=(
        "https://docs.gunicorn.org/en/stable/configure.html",
        "https://docs.docker.com/reference/dockerfile/#cmd",
    ),
)


GW009 = RuleDocs(
    why="""
gwlint reads the folders named on the command line (for a named file, its folder), or the working
directory when none is named, and nothing else: no include, symlink, `..` or launcher path makes
it read (and print) a file elsewhere on the machine. A configuration file *found* in those
folders (`.gwlint.toml`, `gwlint.toml`, `[tool.gwlint]` in `pyproject.toml`) comes with them:
in CI it is the pull request's own, so it cannot widen them either. An `nginx-prefix` that leads
outside, or a `deployments` pattern that is absolute or climbs out with `..`
(`nginx = ["/etc/nginx/*.conf"]`, `app = ["../other/uwsgi.ini"]`), is ignored, with this warning
at its line; the rest of the run goes on. Without this, `nginx-prefix = "/"` and
`include /etc/passwd;` made gwlint print the host's files. See docs/security.md.

The same settings given by you are followed: `--nginx-prefix DIR`, the files on the command line,
or a configuration file named with `--config FILE` (yours, not the repository's).
""",
    example=ex(
        (".gwlint.toml", 'nginx-prefix = "/etc/nginx"\n'),
        ("nginx.conf", "events {}\nhttp {\n    include conf.d/*.conf;\n}\n"),
    ),
    fix=ex(
        (".gwlint.toml", 'nginx-prefix = "deploy/nginx"\n'),
        ("nginx.conf", "events {}\nhttp {\n    include conf.d/*.conf;\n}\n"),
        ("deploy/nginx/conf.d/app.conf", "server {\n    listen 80;\n}\n"),
    ),
    references=("https://docs.astral.sh/ruff/configuration/#config-file-discovery",),
)


GW010 = RuleDocs(
    why="""
A path named on the command line does not exist, is a file gwlint cannot tell the kind of (name it
with `--nginx`, `--gunicorn` or `--uwsgi`), is documentation, or is a folder in which no nginx,
gunicorn or uWSGI config and no file that starts an app server was found. Nothing was checked
there, so the run fails rather than pass green on nothing, as ruff does for a missing path
(`E902`). Without arguments, `gwlint check` walks the working directory and only warns when it
finds nothing (a pre-commit hook in a repository without configs stays quiet).
""",
    example=ex(("notes.txt", "deploy with: gunicorn app:app\n")),
    fix=ex(("gunicorn.conf.py", 'bind = "127.0.0.1:8000"\n')),
    references=("https://docs.astral.sh/ruff/rules/io-error/",),
)


GW011 = RuleDocs(
    why="""
gwlint's rules compare the proxy (nginx, Apache httpd, Caddy) with the app server behind it. When
the inputs hold only one side (a `gunicorn.conf.py` named alone, or a proxy config with no
gunicorn, uWSGI or ASGI server config and no Procfile, Dockerfile or other command that starts
one), the rules of that side alone still run,
but every rule that needs both (timeouts, keep-alive, addresses, protocols, sizes) could not:
a clean result then says nothing about them. Name both sides (`gwlint check nginx.conf
gunicorn.conf.py`), or check the folder that holds both.
""",
    example=ex(("gunicorn.conf.py", 'bind = "127.0.0.1:8000"\ntimeout = 30\n')),
    fix=ex(
        ("gunicorn.conf.py", 'bind = "127.0.0.1:8000"\ntimeout = 30\n'),
        (
            "nginx.conf",
            """
            events {}
            http {
                server {
                    listen 80;
                    location / {
                        proxy_read_timeout 20s;
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
    ),
    references=("https://docs.gunicorn.org/en/stable/deploy.html",),
)


DOCS: dict[str, RuleDocs] = {
    "GW001": GW001,
    "GW002": GW002,
    "GW003": GW003,
    "GW004": GW004,
    "GW005": GW005,
    "GW006": GW006,
    "GW007": GW007,
    "GW008": GW008,
    "GW009": GW009,
    "GW010": GW010,
    "GW011": GW011,
}
