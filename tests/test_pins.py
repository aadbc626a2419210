"""Exact server versions from requirements, pyproject and lock files; nginx's from image tags."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gwlint.loaders.common import Problems
from gwlint.loaders.pin_files import is_pin_file
from gwlint.loaders.pins import (
    MAX_PINS,
    MAX_RAW,
    Pin,
    image_version,
    read_pins,
    release,
)
from gwlint.model.diagnostics import Severity
from tests.conftest import chdir, corpus_or_skip


def pins(tmp_path: Path, name: str, text: str, problems: Problems | None = None) -> list[Pin]:
    """``text`` (dedented) written to ``tmp_path/name``, read from inside ``tmp_path``."""
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    problems = problems if problems is not None else Problems()
    with chdir(tmp_path):
        found = read_pins(name, problems)
    assert all(pin.path == name for pin in found)
    return found


def brief(found: list[Pin]) -> list[tuple[str, tuple[int, int, int], int, int | None]]:
    return [(pin.package, pin.version, pin.line, pin.column) for pin in found]


# --- versions -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21.2.0", (21, 2, 0)),
        ("23.0", (23, 0, 0)),
        ("23", (23, 0, 0)),
        ("21.2.0.post1", (21, 2, 0)),
        ("1!2.0", (2, 0, 0)),
        ("0.30.0rc1", (0, 30, 0)),
        ("0.30.0-rc.1", (0, 30, 0)),
        ("2.0.30.post1", (2, 0, 30)),
        ("22.0.0.dev3", (22, 0, 0)),
        ("1.0+local.7", (1, 0, 0)),
        ("v21.2.0", (21, 2, 0)),
        ("21.*", None),
        ("${GUNICORN_VERSION}", None),
        ("latest", None),
        ("", None),
        ("1" * 40, None),
        ("٢١.٢", None),  # Arabic-Indic digits: not a version pip accepts
    ],
)
def test_release(text: str, expected: tuple[int, int, int] | None) -> None:
    assert release(text) == expected


# --- requirements -------------------------------------------------------------------------------


def test_requirements_lines_columns_and_raw(tmp_path: Path) -> None:
    found = pins(
        tmp_path,
        "requirements.txt",
        """
        # production
        Django==5.0.1
        gunicorn==21.2.0  # https://github.com/benoitc/gunicorn
        uvicorn[standard]==0.30.1 ; python_version >= "3.8"
        pyuwsgi==2.0.30.post1
        """,
    )
    assert brief(found) == [
        ("gunicorn", (21, 2, 0), 3, 11),
        ("uvicorn", (0, 30, 1), 4, 20),
        ("uwsgi", (2, 0, 30), 5, 10),
    ]
    assert [pin.raw for pin in found] == [
        "gunicorn==21.2.0",
        'uvicorn[standard]==0.30.1 ; python_version >= "3.8"',
        "pyuwsgi==2.0.30.post1",
    ]
    assert {pin.source_kind for pin in found} == {"requirements"}


def test_requirements_ranges_urls_and_other_names_give_no_pin(tmp_path: Path) -> None:
    found = pins(
        tmp_path,
        "requirements-prod.txt",
        """
        gunicorn>=21.2
        gunicorn~=21.2.0
        gunicorn==21.*
        gunicorn==21.2.*
        gunicorn>=21,<22
        gunicorn!=21.2.0
        gunicorn
        gunicorn 21.2.0
        gunicorn==${GUNICORN_VERSION}
        gunicorn @ https://example.org/gunicorn-21.2.0-py3-none-any.whl
        git+https://github.com/benoitc/gunicorn@21.2.0#egg=gunicorn
        https://example.org/gunicorn-21.2.0.tar.gz
        -e git+https://github.com/benoitc/gunicorn.git@21.2.0#egg=gunicorn
        uvicorn-worker==0.2.0
        py_uwsgi==2.0.24
        uwsgitop==0.11
        gunicorn-h1c==0.6.5
        # gunicorn==19.9.0
        """,
    )
    assert found == []


def test_requirements_names_are_normalised_and_exact_forms(tmp_path: Path) -> None:
    found = pins(
        tmp_path,
        "constraints.txt",
        """
        Gunicorn==23.0
        UWSGI===2.0.24
        uvicorn == 0.30.0rc1
        PyUWSGI (==2.0.28)
        gunicorn>=22,==22.0.0
        """,
    )
    assert brief(found) == [
        ("gunicorn", (23, 0, 0), 1, 11),
        ("uwsgi", (2, 0, 24), 2, 9),
        ("uvicorn", (0, 30, 0), 3, 12),
        ("uwsgi", (2, 0, 28), 4, 12),
        ("gunicorn", (22, 0, 0), 5, 16),
    ]


def test_requirements_continuations_hashes_and_options(tmp_path: Path) -> None:
    found = pins(
        tmp_path,
        "requirements/deploy.txt",
        """
        --index-url https://pypi.org/simple
        -r base.txt
        -c constraints.txt
        --hash=sha256:0000
        gunicorn==26.0.0 \\
            --hash=sha256:40233d26a5f0d1872916188c276e21641155111c2853f0c2cd55260aec0d24fc \\
            --hash=sha256:ca9346f85e3a4aeeb64d491045c16b9a35647abd37ea15efe53080eb8b090baf
            # via -r requirements/deploy.in
        packaging==24.1 \\
            --hash=sha256:1111
            # via gunicorn
        uvicorn \\
            ==0.30.1
        uwsgi==2.0.24 --hash=sha256:2222
        """,
    )
    assert brief(found) == [
        ("gunicorn", (26, 0, 0), 5, 11),
        ("uvicorn", (0, 30, 1), 13, 7),  # the version is written on the continuation line
        ("uwsgi", (2, 0, 24), 14, 8),
    ]
    assert [pin.raw for pin in found] == [
        "gunicorn==26.0.0",
        "uvicorn     ==0.30.1",
        "uwsgi==2.0.24",
    ]


def test_requirements_twice_gives_both(tmp_path: Path) -> None:
    found = pins(
        tmp_path,
        "requirements.txt",
        """
        gunicorn==21.2.0 ; python_version < "3.8"
        gunicorn==23.0.0 ; python_version >= "3.8"
        """,
    )
    assert brief(found) == [("gunicorn", (21, 2, 0), 1, 11), ("gunicorn", (23, 0, 0), 2, 11)]


def test_requirements_oddities_do_not_raise(tmp_path: Path) -> None:
    found = pins(tmp_path, "requirements.txt", "\ufeffgunicorn==21.2.0\r\n\\\n\\\ngunicorn==22.0\\")
    assert brief(found) == [("gunicorn", (21, 2, 0), 1, 11), ("gunicorn", (22, 0, 0), 4, 11)]


def test_requirements_a_comment_line_ends_a_continuation(tmp_path: Path) -> None:
    found = pins(tmp_path, "requirements.txt", "gunicorn==21.2.0\\\n# via app\nuwsgi==2.0.24\n")
    assert brief(found) == [("gunicorn", (21, 2, 0), 1, 11), ("uwsgi", (2, 0, 24), 3, 8)]


def test_at_most_max_pins_and_raw_is_clipped(tmp_path: Path) -> None:
    found = pins(tmp_path, "requirements.txt", "gunicorn==21.2.0\n" * (MAX_PINS + 10))
    assert len(found) == MAX_PINS
    assert found[-1].line == MAX_PINS
    [long] = pins(tmp_path, "requirements.txt", "gunicorn" + " " * 1000 + "==21.2.0\n")
    assert (long.line, long.column, len(long.raw)) == (1, 1011, MAX_RAW)
    assert long.raw.endswith("…")


def test_many_alike_lines_are_found_in_linear_time(tmp_path: Path) -> None:
    # each pin's line is searched from where the last one was found: 20000 alike lines took
    # minutes when every search started at the top
    text = "[dependency-groups]\na = [\n" + '"gunicorn==1.0.0",\n' * 20_000 + "]\n"
    found = pins(tmp_path, "pyproject.toml", text)
    assert [pin.line for pin in found] == list(range(3, 3 + MAX_PINS))
    lock = '[[package]]\nname = "gunicorn"\nversion = "1.0.0"\n\n' * 5000
    found = pins(tmp_path, "uv.lock", lock)
    assert [pin.line for pin in found] == list(range(3, 4 * MAX_PINS, 4))


# --- pyproject.toml -----------------------------------------------------------------------------


def test_pyproject_pep621_optional_and_dependency_groups(tmp_path: Path) -> None:
    found = pins(
        tmp_path,
        "pyproject.toml",
        """
        [project]
        name = "app"
        dependencies = [
            "django>=5",
            "gunicorn==23.0.0",
            "uvicorn[standard]>=0.30",
        ]

        [project.optional-dependencies]
        uwsgi = ["pyuwsgi==2.0.28; sys_platform == 'linux'"]

        [dependency-groups]
        prod = ["gunicorn==22.0.0", {include-group = "base"}]
        base = ["uvicorn==0.30.1"]
        lint = ["ruff"]
        """,
    )
    assert brief(found) == [
        ("gunicorn", (23, 0, 0), 5, 16),
        ("uwsgi", (2, 0, 28), 10, 20),
        ("gunicorn", (22, 0, 0), 13, 20),
        ("uvicorn", (0, 30, 1), 14, 19),
    ]
    assert found[0].raw == "gunicorn==23.0.0"
    assert found[1].raw == "pyuwsgi==2.0.28; sys_platform == 'linux'"
    assert {pin.source_kind for pin in found} == {"pyproject"}


def test_pyproject_same_pin_in_two_groups_gets_two_lines(tmp_path: Path) -> None:
    found = pins(
        tmp_path,
        "pyproject.toml",
        """
        [dependency-groups]
        # gunicorn==19.0.0 was too old
        web = ["gunicorn==23.0.0"]
        worker = ["gunicorn==23.0.0"]
        """,
    )
    assert brief(found) == [("gunicorn", (23, 0, 0), 3, 19), ("gunicorn", (23, 0, 0), 4, 22)]


def test_pyproject_poetry(tmp_path: Path) -> None:
    found = pins(
        tmp_path,
        "pyproject.toml",
        """
        [tool.poetry.dependencies]
        python = "^3.11"
        gunicorn = "21.2.0"
        uvicorn = {extras = ["standard"], version = "^0.24.0.post1"}
        uwsgi = {git = "https://github.com/unbit/uwsgi.git", tag = "2.0.24"}

        [tool.poetry.group.prod.dependencies]
        Gunicorn = "==22.0.0"
        uvicorn = {version = "0.30.1", extras = ["standard"]}

        [tool.poetry.group.edge.dependencies.pyuwsgi]
        version = "=2.0.28"

        [tool.poetry.group.multi.dependencies]
        gunicorn = [
            {version = "20.1.0", python = "<3.8"},
            {version = "23.0.0", python = ">=3.8"},
        ]

        [tool.poetry.group.ranges.dependencies]
        gunicorn = "^21.2"
        uvicorn = "*"
        pyuwsgi = ">=2.0,<2.1"
        """,
    )
    assert brief(found) == [
        ("gunicorn", (21, 2, 0), 3, 13),
        ("gunicorn", (22, 0, 0), 8, 15),
        ("uvicorn", (0, 30, 1), 9, 23),
        ("uwsgi", (2, 0, 28), 12, 13),
        ("gunicorn", (20, 1, 0), 16, 17),
        ("gunicorn", (23, 0, 0), 17, 17),
    ]
    assert [pin.raw for pin in found[:4]] == [
        'gunicorn = "21.2.0"',
        'Gunicorn = "==22.0.0"',
        'uvicorn = {version = "0.30.1", extras = ["standard"]}',
        'version = "=2.0.28"',
    ]


def test_pyproject_line_falls_back_to_one(tmp_path: Path) -> None:
    # an escaped string: the text search cannot find it as written
    found = pins(
        tmp_path, "pyproject.toml", '[project]\ndependencies = ["\\u0067unicorn==23.0.0"]\n'
    )
    assert brief(found) == [("gunicorn", (23, 0, 0), 1, None)]


def test_pipfile(tmp_path: Path) -> None:
    found = pins(
        tmp_path,
        "Pipfile",
        """
        [[source]]
        url = "https://pypi.org/simple"

        [packages]
        gunicorn = "==21.2.0"
        uvicorn = {version = "==0.30.1", extras = ["standard"]}
        pyuwsgi = "*"
        uwsgi = ">=2.0"

        [dev-packages]
        uwsgi = "==2.0.24"
        """,
    )
    assert brief(found) == [("gunicorn", (21, 2, 0), 5, 15), ("uvicorn", (0, 30, 1), 6, 25)]
    assert {pin.source_kind for pin in found} == {"Pipfile"}


# --- lock files ---------------------------------------------------------------------------------

UV_LOCK = """
version = 1
requires-python = ">=3.11"

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "gunicorn" },
    { name = "uvicorn-worker" },
]

[package.metadata]
requires-dist = [{ name = "gunicorn", specifier = "==23.0.0" }]

[[package]]
name = "gunicorn"
version = "23.0.0"
source = { registry = "https://pypi.org/simple" }
wheels = [
    { url = "https://files.pythonhosted.org/gunicorn-23.0.0-py3-none-any.whl" },
]

[[package]]
name = "gunicorn"
version = "22.0.0"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version < '3.12'"]

[[package]]
name = "uvicorn-worker"
version = "0.2.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pyuwsgi"
version = "2.0.30.post1"
"""


def test_uv_lock(tmp_path: Path) -> None:
    found = pins(tmp_path, "uv.lock", UV_LOCK)
    assert brief(found) == [
        ("gunicorn", (23, 0, 0), 18, 12),
        ("gunicorn", (22, 0, 0), 26, 12),
        ("uwsgi", (2, 0, 30), 37, 12),
    ]
    assert found[0].raw == 'version = "23.0.0"'
    assert {pin.source_kind for pin in found} == {"uv.lock"}


def test_poetry_lock(tmp_path: Path) -> None:
    found = pins(
        tmp_path,
        "poetry.lock",
        """
        # This file is automatically @generated by Poetry 1.8.3 and should not be changed by hand.

        [[package]]
        name = "gunicorn"
        version = "26.0.0"
        description = "WSGI HTTP Server for UNIX"
        optional = false
        python-versions = ">=3.7"
        files = [
            {file = "gunicorn-26.0.0-py3-none-any.whl", hash = "sha256:4023"},
        ]

        [package.extras]
        fast = ["gunicorn_h1c (>=0.6.5)"]

        [[package]]
        name = "uvicorn"
        version = "0.30.1"
        description = "The lightning-fast ASGI server."

        [metadata]
        lock-version = "2.0"
        """,
    )
    assert brief(found) == [("gunicorn", (26, 0, 0), 5, 12), ("uvicorn", (0, 30, 1), 18, 12)]
    assert {pin.source_kind for pin in found} == {"poetry.lock"}


def test_pdm_lock(tmp_path: Path) -> None:
    found = pins(
        tmp_path,
        "pdm.lock",
        """
        [metadata]
        groups = ["default"]
        strategy = ["inherit_metadata"]

        [[package]]
        name = "uwsgi"
        version = "2.0.24"
        requires_python = ">=3"
        groups = ["default"]
        """,
    )
    assert brief(found) == [("uwsgi", (2, 0, 24), 7, 12)]
    assert found[0].source_kind == "pdm.lock"


def test_pipfile_lock_reads_default_not_develop(tmp_path: Path) -> None:
    lock = {
        "_meta": {"hash": {"sha256": "0"}, "pipfile-spec": 6},
        "default": {
            "django": {"hashes": ["sha256:1"], "version": "==5.0.1"},
            "gunicorn": {
                "hashes": ["sha256:2", "sha256:3"],
                "index": "pypi",
                "markers": "python_version >= '3.7'",
                "version": "==21.2.0",
            },
            "uwsgi": {"git": "https://github.com/unbit/uwsgi.git", "ref": "abc"},
        },
        "develop": {"uvicorn": {"version": "==0.30.1"}, "gunicorn": {"version": "==22.0.0"}},
    }
    found = pins(tmp_path, "Pipfile.lock", json.dumps(lock, indent=4, sort_keys=True))
    assert brief(found) == [("gunicorn", (21, 2, 0), 22, 27)]
    assert found[0].raw == '"version": "==21.2.0"'
    assert found[0].source_kind == "Pipfile.lock"


def test_pipfile_lock_with_many_packages(tmp_path: Path) -> None:
    default = {f"package-{n:03}": {"version": "==1.0.0"} for n in range(MAX_PINS + 50)}
    default["uvicorn"] = {"hashes": ["sha256:0"] * 200, "version": "==0.30.1"}
    text = json.dumps({"default": default}, indent=4, sort_keys=True)
    [found] = pins(tmp_path, "Pipfile.lock", text)
    assert (found.package, found.version) == ("uvicorn", (0, 30, 1))
    assert text.splitlines()[found.line - 1].strip() == '"version": "==0.30.1"'


# --- files gwlint cannot use --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "line", "what"),
    [
        ("pyproject.toml", '[project]\ndependencies = ["gunicorn==23.0.0"\n', 2, "TOML"),
        ("uv.lock", "[[package]]\nname = 'gunicorn'\nversion = \n", 3, "TOML"),
        ("poetry.lock", "[[package]\n", 1, "TOML"),
        ("pdm.lock", "x = 1\nx = 2\n", 2, "TOML"),
        ("Pipfile", "[packages]\ngunicorn = ==21.2.0\n", 2, "TOML"),
        ("Pipfile.lock", '{\n  "default": {\n    "gunicorn": {,\n', 3, "JSON"),
        ("Pipfile.lock", "[" * 100_000, 1, "JSON"),
        ("pyproject.toml", "x = [" + "[" * 100_000, 1, "TOML"),
    ],
)
def test_malformed_files_give_one_info(
    tmp_path: Path, name: str, text: str, line: int, what: str
) -> None:
    problems = Problems()
    assert pins(tmp_path, name, text, problems) == []
    [problem] = problems.items
    assert problem.code == "GW008"
    assert problem.severity == Severity.INFO
    assert problem.location.path == name
    assert problem.location.line == line
    assert f"not valid {what} (" in problem.message
    assert problem.message.endswith("; version pins in it are not read")


def test_shapes_toml_allows_but_nobody_writes(tmp_path: Path) -> None:
    text = """
    project = 1
    dependency-groups = {a = "gunicorn==23.0.0", b = [1, {x = 2}]}
    package = "x"
    [tool]
    poetry = {dependencies = ["gunicorn"], group = {a = 1, b = {dependencies = 2}}}
    """
    for name in ("pyproject.toml", "uv.lock", "Pipfile"):
        problems = Problems()
        assert pins(tmp_path, name, text, problems) == []
        assert problems.items == []
    problems = Problems()
    assert pins(tmp_path, "Pipfile.lock", '{"default": [1, 2]}', problems) == []
    assert pins(tmp_path, "Pipfile.lock", '[{"default": 1}]', problems) == []
    assert problems.items == []


def test_a_symlink_out_of_the_tree_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("gunicorn==21.2.0\n")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "requirements.txt").symlink_to(outside)
    problems = Problems()
    with chdir(tree):
        assert read_pins("requirements.txt", problems) == []
    assert [problem.code for problem in problems.items] == ["GW008"]


def test_read_pins_reads_any_txt_it_is_given_and_no_other_name(tmp_path: Path) -> None:
    problems = Problems()
    assert pins(tmp_path, "setup.cfg", "install_requires = gunicorn==21.2.0\n", problems) == []
    assert pins(tmp_path, "notes.txt", "gunicorn==21.2.0\n", problems) != []  # the caller asked
    assert problems.items == []


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.sampled_from(
        ["requirements.txt", "pyproject.toml", "uv.lock", "Pipfile", "Pipfile.lock"]
    ),
    text=st.text(
        alphabet=st.sampled_from(list("gunicorvw=.0123456789[]{}\"'\\#-;@ \n,:*^~<>!()")),
        max_size=200,
    ),
)
def test_read_pins_never_raises(tmp_path: Path, name: str, text: str) -> None:
    problems = Problems()
    for pin in pins(tmp_path, name, text, problems):
        assert pin.line >= 1
        assert pin.column is None or pin.column >= 1


# --- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("requirements.txt", True),
        ("requirements-dev.txt", True),
        ("requirements_prod.txt", True),
        ("dev-requirements.txt", True),
        ("Requirements.txt", True),
        ("constraints.txt", True),
        ("requirements/prod.txt", True),
        ("app/requirements/base.txt", True),
        ("requirements\\prod.txt", True),
        ("pyproject.toml", True),
        ("backend/pyproject.toml", True),
        ("uv.lock", True),
        ("poetry.lock", True),
        ("Pipfile", True),
        ("Pipfile.lock", True),
        ("pdm.lock", True),
        ("requirements.in", False),
        ("requirements.txt.bak", False),
        ("notes.txt", False),
        ("docs/notes.txt", False),
        ("package-lock.json", False),
        ("Cargo.lock", False),
        ("pipfile", True),  # any case, as inventory.classify.is_pin_name
        ("PYPROJECT.TOML", True),
        ("setup.cfg", False),
    ],
)
def test_is_pin_file(name: str, expected: bool) -> None:
    assert is_pin_file(name) is expected


# --- nginx images -------------------------------------------------------------------------------

DIGEST = "sha256:" + "b3c656d55d7ad751196f21b7fd2e8d4da9cb430e32f646adcf92441b72f82b14"


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("nginx:1.24-alpine", (1, 24, 0)),
        ("nginx:1.25.3", (1, 25, 3)),
        ("nginx:1.25", (1, 25, 0)),
        ("docker.io/library/nginx:1.27", (1, 27, 0)),
        ("docker.io/nginx:1.31.3-alpine", (1, 31, 3)),
        ("nginxinc/nginx-unprivileged:1.27-alpine-slim", (1, 27, 0)),
        ("nginxinc/nginx-unprivileged:stable-alpine", None),
        ("bitnami/nginx:1.25.4-debian-12-r3", (1, 25, 4)),
        ("cgr.dev/chainguard/nginx:latest", None),
        ("openresty/openresty:1.21.4.1-0-jammy", (1, 21, 4)),
        ("openresty/openresty:1.25.3.2-alpine-fat", (1, 25, 3)),
        ("openresty/openresty:jammy", None),
        (f"nginx:1.24@{DIGEST}", (1, 24, 0)),
        (f"nginx:1.29.3-alpine3.22@{DIGEST}", (1, 29, 3)),
        (f"nginx@{DIGEST}", None),
        ("nginx", None),
        ("nginx:latest", None),
        ("nginx:mainline", None),
        ("nginx:stable", None),
        ("nginx:alpine", None),
        ("nginx:1", None),
        ("nginx:1-alpine", None),
        ("mynginx:1.2", None),
        ("nginx-static:1.25", None),
        ("nginx/nginx-ingress:3.5.0", None),
        ("tiangolo/uwsgi-nginx:python3.12", None),
        ("private-registry.nginx.com/nginx-plus/base:r32", None),
        ("myregistry.example.com/nginx-plus:nginx-plus-r32", None),
        ("myregistry.example.com/nginx-plus:1.25.5", (1, 25, 5)),
        ("localhost:5000/nginx:1.25", (1, 25, 0)),
        ("localhost:5000/nginx", None),
        ("public.ecr.aws/nginx/nginx:1.26-perl", (1, 26, 0)),
        ("nginx:1.25-perl", (1, 25, 0)),
        ("nginx:1.25.4-alpine3.19-otel", (1, 25, 4)),
        ("ubuntu/nginx:1.24-24.04_beta", (1, 24, 0)),
        ("  nginx:1.26.3-alpine-slim  ", (1, 26, 3)),
        ("nginx:${NGINX_VERSION}", None),
        ("nginx:1.25x", None),
        ("nginx:1.25.", None),
        ("", None),
        ("nginx:1.25 --rm", None),
    ],
)
def test_image_version(reference: str, expected: tuple[int, int, int] | None) -> None:
    assert image_version(reference) == (None if expected is None else ("nginx", expected))


@given(st.text(max_size=300))
def test_image_version_never_raises(reference: str) -> None:
    image_version(reference)
    image_version("nginx:" + reference)


# --- the corpus ---------------------------------------------------------------------------------


@pytest.mark.corpus
def test_corpus_pins() -> None:
    """Every pin file of the corpus reads without raising; what is found is printed (run with
    ``-s`` to see it), not asserted: the corpus is free to change its pins."""
    corpus = corpus_or_skip()
    problems = Problems()
    read = 0
    with chdir(corpus):
        for root, dirs, files in os.walk("."):
            dirs.sort()
            for name in sorted(files):
                path = os.path.relpath(os.path.join(root, name))
                if not is_pin_file(path):
                    continue
                read += 1
                found = read_pins(path, problems)
                assert all(pin.line >= 1 for pin in found), path
                for pin in found:
                    version = ".".join(map(str, pin.version))
                    print(f"{path}:{pin.line}: {pin.package} {version} ({pin.raw})")
    assert read > 0
    for problem in problems.items:
        print(problem)
