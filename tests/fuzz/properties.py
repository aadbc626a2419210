"""Fuzz properties for every input kind, shared by tests/test_fuzz.py (bounded, in the default
run) and tests/fuzz/run.py (the long run).

Seeds are the fixture files, read at test time: an example copies one fixture case into a fresh
temporary folder, replaces one file of the kind under test by a mutation of it (or by random
bytes), and runs the real command line in-process, once with ``--format json`` and once in a
drawn other format. The properties (``check_run``):

- never an exception out of gwlint: no ``internal error``, no traceback;
- exit 0 or 1 when every file is named by its kind (``--nginx``, ``--gunicorn``, ``--uwsgi``, or a
  launcher's own file name) or found by a folder walk; exit 2 only where a usage error is
  possible (a configuration file, an ``nginx -T`` dump), and then one line ``gwlint: error: ...``;
- standard error empty (or the one-line warning that nothing was found);
- the output can be written to a UTF-8 terminal (no lone surrogate);
- every diagnostic has a path and a line >= 1 (a column, when given, >= 1); every GW00x names a
  file of the run (a server path for a dump).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from gwlint.loaders.apache_detect import looks_like_apache
from tests.conftest import FIXTURES, ROOT, Run, gwlint

META = frozenset({"expected.txt", "args", "README.md"})
# what gwlint says on standard error when it finds nothing to check
NOTHING_FOUND = "gwlint: warning: no nginx, Apache, Caddy, gunicorn or uWSGI config"

# --- seeds: the fixture files, by kind ---------------------------------------------------------


def launcher_kind_of(name: str) -> str | None:
    """The launcher kind a fixture file is, from its name (as gwlint decides for a named file)."""
    lower = name.lower()
    if lower.startswith("procfile"):
        return "procfile"
    if lower == "dockerfile":
        return "dockerfile"
    if re.fullmatch(r"(docker-)?compose[\w.-]*\.ya?ml", lower):
        return "compose"
    if lower.endswith(".service"):
        return "systemd"
    if lower.startswith("supervisor") and lower.endswith(".conf"):
        return "supervisord"
    if lower.endswith(".env"):
        return "env"
    if lower.endswith(".sh"):
        return "shell"
    return None


def kind_of(path: Path) -> str | None:
    launcher = launcher_kind_of(path.name)
    if launcher is not None:
        return launcher
    if path.suffix in (".j2", ".template"):
        return "template"
    if path.suffix in (".yaml", ".yml"):
        return "manifest"  # not a compose file: the Kubernetes manifests of the fixtures
    if path.name == "pyproject.toml" or (path.suffix == ".txt" and "requirements" in path.name):
        return "pins"
    if path.suffix == ".py":
        return "gunicorn"
    if path.suffix == ".ini":
        return "uwsgi" if b"[uwsgi]" in path.read_bytes() else None
    if path.name == "Caddyfile" or path.suffix == ".caddyfile":
        return "caddy"
    if path.suffix == ".toml" and "hypercorn" in path.name:
        return "hypercorn"
    if path.suffix == ".conf" and looks_like_apache(path.read_bytes()[:65536]):
        return "apache"
    if path.suffix in (".conf", ".inc") or path.name == "nginx.conf":
        return "nginx"
    return None


@dataclass(frozen=True)
class Seed:
    case: Path  # the fixture folder, copied whole
    target: str  # the file of the kind under test, relative to the case


@cache
def seeds() -> dict[str, tuple[Seed, ...]]:
    found: dict[str, list[Seed]] = {}
    for case in sorted(p for p in FIXTURES.glob("*/*") if p.is_dir()):
        for path in sorted(case.rglob("*")):
            if not path.is_file() or path.name in META:
                continue
            kind = kind_of(path)
            if kind is not None:
                found.setdefault(kind, []).append(Seed(case, str(path.relative_to(case))))
    demo = FIXTURES / "demo"
    for path in sorted(demo.iterdir()):
        if (kind := kind_of(path)) is not None:
            found.setdefault(kind, []).append(Seed(demo, path.name))
    return {kind: tuple(items) for kind, items in found.items()}


@cache
def toml_seeds() -> tuple[bytes, ...]:
    """The configuration examples of the documentation, as written there."""
    blocks: list[bytes] = []
    for doc in (ROOT / "docs" / "configuration.md", ROOT / "README.md"):
        text = doc.read_text(encoding="utf-8")
        blocks += [b.encode() for b in re.findall(r"```toml\n(.*?)```", text, re.DOTALL)]
    blocks.append(
        b'select = ["GW1", "GW2"]\nignore = ["GW305"]\ncpus = 4\nfail-on = "error"\n'
        b'env = { PORT = "8000", WORKERS = 3 }\n[[deployments]]\nname = "shop"\n'
        b'nginx = ["nginx.conf"]\napp = ["gunicorn.conf.py", "*.ini"]\n'
    )
    return tuple(blocks)


@cache
def all_texts() -> tuple[bytes, ...]:
    """Every seed file's bytes: material spliced into another file."""
    return tuple(
        (seed.case / seed.target).read_bytes() for items in seeds().values() for seed in items
    )


# --- mutations -----------------------------------------------------------------------------------

HUGE = str(10**400).encode()
# numbers no setting holds: past int64, past a float (1e308), past int()'s 4300 digits; digits
# str.isdigit() accepts and int() does not (²), or reads though nginx would not (٣)
NUMBERS: tuple[bytes, ...] = (
    HUGE,
    b"-" + HUGE,
    b"9" * 5000,
    b"9" * 5000 + b"s",
    b"9" * 400 + b".5k",
    b"99999999999999999999s",
    b"99999999999999999999",
    b"9" * 30 + b"k",
    b"0" * 30 + b"1",
    b"1e309",
    b"-1",
    b"0",
    b"0x",
    "²".encode(),
    "٣".encode(),
    "１２".encode(),
)
FRAGMENTS: tuple[bytes, ...] = (
    *NUMBERS,
    *(c.encode() for c in "{};\"'`\\#()[]=:,|&<>*?!@ \t\n"),
    b"\x00",
    b"\xff",
    b"\xc3",  # a lone UTF-8 lead byte
    b"\xed\xa0\x80",  # a surrogate encoded in UTF-8: invalid
    b"\xc0\xaf",  # overlong
    b"\xef\xbb\xbf",  # BOM
    b"\r\n",
    b"\r",
    b"\x0b\x0c\x1b[31m",
    "\u2028\u0085\u00a0\u200b".encode(),
    b"$",
    b"${",
    b"$(",
    b"${X:-",
    b"${X:?boom}",
    b"$((1+",
    b"%(",
    b"%(x)",
    b"%(processes * 2)",
    b"%k",
    b"%",
    b"\\ud800",
    b"\\udcff",
    b"\\x00",
    "—".encode(),
    "–".encode(),
    "−".encode(),
    b"--",
    b"nan",
    b"inf",
    b"include ",
    b"include *;",
    b"include **;",
    b"include ../*;",
    b"include /etc/passwd;",
    b"include nginx.conf;",
    b"server {",
    b"location / {",
    b"upstream u {",
    b"proxy_pass http://",
    b"[uwsgi]\n",
    b"[program:x]\n",
    b"ini = ",
    b"[Service]\n",
    b"ExecStart=",
    b"services:\n",
    b"command: ",
    b"CMD [",
    b'["gunicorn", "\\ud800"]',
    b"web: ",
    b"gunicorn ",
    b"uwsgi --ini ",
    b"uvicorn ",
    b"sh -c '",
    b"<<EOF\n",
    b"import os\n",
    b"def f(:",
    b"lambda: ",
    b"*[",
    b"GUNICORN_CMD_ARGS=",
    b"# gwlint: ignore[GW101] reason\n",
    b"# gwlint: ignore[\n",
    # huge repetition counts and widths (the evaluators must refuse before allocating)
    b"*3000000000",
    b"b'a'*3500000000",
    b"'{:{}}'.format(1, 3500000000)",
    b"'%0999999999d' % 1",
    b"f'{1:999999999}'",
    b"%(a+a+a+a+a+a+a+a)",
    b"<<: [*a, *a, *a, *a]",
    b"&a ",
    b"*a",
    b"\x1b]0;TITLE\x07",
    b"\n::error::forged\n",
)
# the most a "repeat" grows an example to (a repeat of a repeated line would reach gigabytes)
MAX_REPEATED = 2_000_000
# characters whose long runs make line- and token-oriented patterns backtrack
RUNS = (b" ", b"\t", b"\n", b"\r\n", b"[", b"{", b"(", b"%", b"$", b"\\", b'"', b"'", b"#", b"*")
NESTS: tuple[tuple[bytes, bytes], ...] = (
    (b"location / {", b"}"),
    (b"{", b"}"),
    (b"(", b")"),
    (b"[", b"]"),
    (b"-(", b")"),
    (b"not ", b""),
    (b"1+", b"1"),
    (b"${X:-", b"}"),
    (b"$(", b")"),
    (b"%(", b")"),
    (b"sh -c '", b"'"),
    (b"- ", b""),
    (b"a:\n ", b""),
)

_position = st.integers(min_value=0, max_value=1 << 20)
Op = tuple[object, ...]
OPS = st.one_of(
    st.tuples(st.just("truncate"), _position),
    st.tuples(st.just("insert"), _position, st.sampled_from(FRAGMENTS)),
    st.tuples(st.just("insert"), _position, st.binary(min_size=1, max_size=12)),
    st.tuples(st.just("number"), _position, st.sampled_from(NUMBERS)),
    st.tuples(st.just("nest"), _position, st.sampled_from(NESTS), st.sampled_from([50, 200, 1200])),
    st.tuples(st.just("long"), _position, st.sampled_from([5_000, 70_000, 300_000])),
    st.tuples(st.just("run"), _position, st.sampled_from(RUNS), st.sampled_from([5_000, 65_536])),
    st.tuples(st.just("repeat"), _position, st.sampled_from([1_000, 20_000])),
    st.tuples(st.just("lines"), st.sampled_from([b"\r\n", b"\r", b"\n\n", b"\\\n"])),
    st.tuples(st.just("bom")),
    st.tuples(st.just("dashes"), st.sampled_from(["—", "–", "−", "\u00ad"])),
    st.tuples(st.just("duplicate"), _position, _position),
    st.tuples(st.just("delete"), _position, _position),
    st.tuples(st.just("splice"), _position, _position, _position),
)


def mutate(data: bytes, ops: list[Op]) -> bytes:
    """Apply the mutations in order; deterministic, so a failure replays from its example."""
    for op in ops:
        name = op[0]
        at = int(op[1]) % (len(data) + 1) if len(op) > 1 and isinstance(op[1], int) else 0
        if name == "truncate":
            data = data[:at]
        elif name == "insert":
            payload = op[2]
            assert isinstance(payload, bytes)
            data = data[:at] + payload + data[at:]
        elif name == "number":
            numbers = list(re.finditer(rb"\d+", data))
            payload = op[2]
            assert isinstance(payload, bytes)
            if numbers:
                found = numbers[at % len(numbers)]
                data = data[: found.start()] + payload + data[found.end() :]
        elif name == "nest":
            pair, depth = op[2], op[3]
            assert isinstance(pair, tuple)
            assert isinstance(depth, int)
            data = data[:at] + pair[0] * depth + pair[1] * depth + data[at:]
        elif name == "long":
            size = op[2]
            assert isinstance(size, int)
            data = data[:at] + b"a" * size + data[at:]
        elif name == "run":
            char, size = op[2], op[3]
            assert isinstance(char, bytes)
            assert isinstance(size, int)
            data = data[:at] + char * size + data[at:]
        elif name == "repeat":  # the line at the position, many times over
            count = op[2]
            assert isinstance(count, int)
            start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at)
            line = data[start : (end if end >= 0 else len(data))] + b"\n"
            if len(data) + len(line) * count <= MAX_REPEATED:  # repeats of repeats: gigabytes
                data = data[:start] + line * count + data[start:]
        elif name == "lines":
            ending = op[1]
            assert isinstance(ending, bytes)
            data = data.replace(b"\n", ending)
        elif name == "bom":
            data = b"\xef\xbb\xbf" + data
        elif name == "dashes":
            dash = op[1]
            assert isinstance(dash, str)
            data = data.replace(b"--", dash.encode() * 2, 3).replace(b"-", dash.encode(), 3)
        elif name in ("duplicate", "delete"):
            end = int(op[2]) % (len(data) + 1)
            start, end = sorted((at, end))
            if name == "duplicate":
                data = data[:end] + data[start:end] + data[end:]
            else:
                data = data[:start] + data[end:]
        elif name == "splice":
            texts = all_texts()
            other = texts[int(op[2]) % len(texts)]
            start = int(op[3]) % (len(other) + 1)
            data = data[:at] + other[start : start + 400] + data[at:]
    return data


_RANDOM_TEXT = st.text(
    alphabet=st.sampled_from(list("{};\"'`\\#$%()[]=:-_ \t\n\r.*/0123456789abcxyz—\u2028")),
    max_size=200,
).map(lambda text: text.encode("utf-8", "surrogatepass"))


def contents(base: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    """Mostly mutations of a seed; sometimes random bytes or random syntax."""
    mutated = st.tuples(base, st.lists(OPS, min_size=1, max_size=4)).map(
        lambda pair: mutate(pair[0], pair[1])
    )
    return st.one_of(mutated, mutated, mutated, st.binary(max_size=200), _RANDOM_TEXT)


# --- examples: a folder, the command line ---------------------------------------------------------

FORMATS = ("text", "sarif", "github")
# files the deployment stage reads from a folder walk (named alone, an unknown one is a usage
# error): Kubernetes manifests, templates, version pins
WALKED = ("manifest", "template", "pins")


@dataclass(frozen=True)
class Example:
    kind: str
    seed: Seed
    data: bytes
    walk: bool  # check the folder (discovery) rather than the named files
    fmt: str  # the second format the run is rendered in
    copies: int = 0  # copies of the mutated file beside it (many small files)


def _examples(kind: str) -> st.SearchStrategy[Example]:
    items = seeds()[kind if kind != "dump" else "nginx"]
    if kind == "dump":
        items = tuple(s for s in items if s.target == "nginx.conf")
    seed = st.sampled_from(items)

    def build(s: Seed) -> st.SearchStrategy[Example]:
        base = (s.case / s.target).read_bytes() if kind != "dump" else dump_of(s.case)
        return st.builds(
            Example,
            kind=st.just(kind),
            seed=st.just(s),
            data=contents(st.just(base)),
            walk=st.just(False)
            if kind == "dump"
            else st.just(True)
            if kind in WALKED
            else st.booleans(),
            fmt=st.sampled_from(FORMATS),
            copies=st.sampled_from([0, 0, 0, 0, 20, 100]) if kind != "dump" else st.just(0),
        )

    return seed.flatmap(build)


def _nginx_files(case: Path) -> list[Path]:
    return sorted(p for p in case.rglob("*") if p.is_file() and kind_of(p) == "nginx")


def dump_of(case: Path) -> bytes:
    """What ``nginx -T`` prints for the case's nginx files, laid out under /etc/nginx."""
    out = [b"nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n"]
    files = _nginx_files(case)
    files.sort(key=lambda p: p.name != "nginx.conf")
    for path in files:
        out.append(f"# configuration file /etc/nginx/{path.relative_to(case)}:\n".encode())
        out.append(path.read_bytes() + b"\n")
    return b"".join(out)


def _copy_case(case: Path, into: Path, *, skip_nginx: bool = False) -> None:
    for path in sorted(case.rglob("*")):
        relative = path.relative_to(case)
        if path.is_dir() or path.name in META or (skip_nginx and kind_of(path) == "nginx"):
            continue
        (into / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, into / relative)


FORCED = {"nginx": "--nginx", "gunicorn": "--gunicorn", "uwsgi": "--uwsgi"}


def _named(folder: Path, skip: str | None = None) -> list[str]:
    """The case's top-level files, as the fixture tests name them."""
    return sorted(
        p.name
        for p in folder.iterdir()
        if p.is_file()
        and p.name not in META
        and p.name != skip
        and kind_of(p) not in (None, *WALKED)
    )


def run_example(example: Example) -> None:
    """Write the example's files, run gwlint on them in two formats, check every property."""
    with tempfile.TemporaryDirectory(prefix="gwlint-fuzz-") as scratch:
        folder = Path(scratch)
        if example.kind == "dump":
            _copy_case(example.seed.case, folder, skip_nginx=True)
            (folder / "dump.txt").write_bytes(example.data)
            args = ["check", "--isolated", "--nginx-dump", "dump.txt", *_named(folder, "dump.txt")]
            usage_errors = True
        else:
            _copy_case(example.seed.case, folder)
            target = folder / example.seed.target
            target.write_bytes(example.data)
            # many small files: copies of a big one would only make the example slow
            copies = example.copies if len(example.data) <= 20_000 else 0
            for number in range(copies):  # same name, so each is found as the original is
                copy = folder / "copies" / f"{number:03}" / target.name
                copy.parent.mkdir(parents=True)
                copy.write_bytes(example.data)
            if example.walk:
                args = ["check", "--isolated"]
            else:
                args = ["check", "--isolated", *_named(folder, example.seed.target)]
                if example.kind in FORCED:
                    args += [FORCED[example.kind], example.seed.target]
                else:
                    args.append(example.seed.target)
                if copies:
                    args.append("copies")
            usage_errors = False
        dump = example.kind == "dump"
        check_both(args, folder, usage_errors=usage_errors, fmt=example.fmt, dump=dump)


def check_both(args: list[str], folder: Path, *, usage_errors: bool, fmt: str, dump: bool) -> None:
    as_json = gwlint(*args, "--format", "json", cwd=folder)
    check_run(as_json, args, usage_errors=usage_errors)
    if as_json.code != 2:
        check_diagnostics(json.loads(as_json.out), folder, dump=dump)
    other = gwlint(*args, "--format", fmt, cwd=folder)
    check_run(other, args, usage_errors=usage_errors)
    assert other.code == as_json.code, (args, fmt, other.err)
    if fmt == "sarif" and other.code != 2:
        json.loads(other.out)
    if not dump and as_json.code != 2:
        edits = any(d.get("edits") for d in json.loads(as_json.out)["diagnostics"])
        if edits:  # every run resolves fixes into edits; applying them is --fix's
            check_fixes(args, folder)


def check_fixes(args: list[str], folder: Path) -> None:
    """``--fix --unsafe-fixes`` on the same input (the path ``--diff`` shares): no internal
    error, and the files as fixed read again without one."""
    fixed = gwlint(*args, "--fix", "--unsafe-fixes", "--format", "json", cwd=folder)
    check_run(fixed, [*args, "--fix", "--unsafe-fixes"], usage_errors=False)
    check_diagnostics(json.loads(fixed.out), folder, dump=False)


def check_run(run: Run, args: list[str], *, usage_errors: bool) -> None:
    where = f"gwlint {' '.join(args)}"
    assert "internal error" not in run.err, f"{where}: {run.err}"
    assert "Traceback" not in run.err + run.out, f"{where}: {run.err}"
    run.out.encode("utf-8")  # strict: a lone surrogate cannot reach a UTF-8 terminal
    run.err.encode("utf-8")
    if run.code == 2:
        assert usage_errors, f"{where}: exit 2: {run.err}"
        assert run.err.startswith("gwlint: error: "), f"{where}: {run.err!r}"
        assert run.err.endswith("\n"), f"{where}: {run.err!r}"
        assert run.err.count("\n") == 1, f"{where}: {run.err!r}"
        return
    assert run.code in (0, 1), f"{where}: exit {run.code}: {run.err}"
    for line in run.err.splitlines():
        assert line.startswith(NOTHING_FOUND), f"{where}: {run.err!r}"


def check_diagnostics(document: dict[str, object], folder: Path, *, dump: bool) -> None:
    diagnostics = document["diagnostics"]
    assert isinstance(diagnostics, list)
    for diagnostic in diagnostics:
        places = [diagnostic, *diagnostic["related"]]
        for place in places:
            assert isinstance(place["path"], str), diagnostic
            assert place["path"], diagnostic
            assert isinstance(place["line"], int), diagnostic
            assert place["line"] >= 1, diagnostic
            column = place["column"]
            assert column is None or (isinstance(column, int) and column >= 1), diagnostic
        if not re.fullmatch(r"GW00\d", diagnostic["code"]):
            continue
        path = diagnostic["path"]
        assert "gwlint-dump-" not in json.dumps(diagnostic), diagnostic
        if dump and path.startswith("/"):
            continue  # a file of the server
        assert os.path.exists(folder / path), f"{diagnostic['code']} names {path}: {diagnostic}"


# --- the properties, one per input kind ----------------------------------------------------------

FILE_KINDS = (
    "nginx",
    "apache",
    "caddy",
    "hypercorn",
    "gunicorn",
    "uwsgi",
    "procfile",
    "dockerfile",
    "compose",
    "systemd",
    "supervisord",
    "env",
    "shell",
    "dump",
    *WALKED,
)
KINDS = (*FILE_KINDS, "config")  # config: .gwlint.toml, gwlint.toml, pyproject.toml


@dataclass(frozen=True)
class ConfigExample:
    data: bytes
    name: str  # .gwlint.toml, gwlint.toml or pyproject.toml
    walk: bool
    fmt: str


def _config_examples() -> st.SearchStrategy[ConfigExample]:
    return st.builds(
        ConfigExample,
        data=contents(st.sampled_from(toml_seeds())),
        name=st.sampled_from([".gwlint.toml", "gwlint.toml", "pyproject.toml"]),
        walk=st.booleans(),
        fmt=st.sampled_from(FORMATS),
    )


def _run_config_example(example: ConfigExample) -> None:
    """A mutated configuration file beside the demo deployment: exit 2 is a usage error then."""
    with tempfile.TemporaryDirectory(prefix="gwlint-fuzz-") as scratch:
        folder = Path(scratch)
        _copy_case(FIXTURES / "demo", folder)
        data = example.data
        if example.name == "pyproject.toml":
            data = b"[project]\nname = 'x'\n[tool.gwlint]\n" + data.replace(
                b"\n[", b"\n[tool.gwlint."
            )
        (folder / example.name).write_bytes(data)
        args = ["check"] if example.walk else ["check", *_named(folder)]
        check_both(args, folder, usage_errors=True, fmt=example.fmt, dump=False)


def strategy(kind: str) -> st.SearchStrategy[Any]:
    """Examples of one input kind (one of KINDS)."""
    return _config_examples() if kind == "config" else _examples(kind)


def check(kind: str, example: Any) -> None:
    """Run one example of ``kind`` and check every property."""
    if kind == "config":
        _run_config_example(example)
    else:
        run_example(example)
