"""The configuration without pydantic when there is no file: ``gwlint.config`` holds plain
dataclasses, and the pydantic models ``gwlint.config_model`` makes from them validate a file
only when one is read. Each import test runs the real entry point in a fresh interpreter, which
then lists the modules it imported. No timing here: the benchmark (tests/bench/bench.py)
measures.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.conftest import gwlint

# run gwlint's entry point, then print its exit code and every module imported (main always
# ends in SystemExit)
PROBE = """
import json, sys
from gwlint.cli import main
code = 0
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
sys.__stdout__.write("\\n" + json.dumps([code, sorted(sys.modules)]) + "\\n")
"""
NGINX = """events {}
http {
    server {
        listen 80;
        location / { proxy_pass http://127.0.0.1:8000; }
    }
}
"""


def _run(*args: str, cwd: Path) -> tuple[int, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    code, modules = json.loads(done.stdout.splitlines()[-1])
    return code, set(modules)


def _pydantic(modules: set[str]) -> set[str]:
    return {m for m in modules if m == "pydantic" or m.startswith(("pydantic.", "pydantic_"))}


def test_a_check_without_a_configuration_file_does_not_import_pydantic(tmp_path: Path) -> None:
    from gwlint.config import find

    (tmp_path / "nginx.conf").write_text(NGINX)
    assert find(tmp_path) is None  # no configuration anywhere above: the defaults apply
    code, modules = _run("check", "nginx.conf", cwd=tmp_path)
    assert code in (0, 1)  # it checked (findings or none), no usage error
    assert "gwlint.loaders.nginx" in modules
    assert "gwlint.config" in modules  # the configuration was looked for
    assert "gwlint.config_model" not in modules
    assert _pydantic(modules) == set()


def test_a_check_with_a_configuration_file_validates_it(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(NGINX)
    (tmp_path / "gwlint.toml").write_text('fail-on = "error"\n')
    code, modules = _run("check", "nginx.conf", cwd=tmp_path)
    assert code in (0, 1)
    assert "gwlint.config_model" in modules
    assert "pydantic" in modules


def test_an_unknown_key_still_errors(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(NGINX)
    (tmp_path / "gwlint.toml").write_text('selct = ["GW1"]\n')
    run = gwlint("check", "nginx.conf", cwd=tmp_path)
    assert run.code == 2
    assert "gwlint.toml:1: unknown key 'selct' (did you mean 'select'?)" in run.err


def test_a_bad_value_still_errors_in_the_models_words(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(NGINX)
    (tmp_path / "gwlint.toml").write_text("# workers\ncpus = 0\n")
    run = gwlint("check", "nginx.conf", cwd=tmp_path)
    assert run.code == 2
    assert "gwlint.toml:2: cpus: " in run.err


def test_the_plain_records_have_the_models_fields_and_defaults() -> None:
    from gwlint import config, config_model

    for plain, model in (
        (config.Config, config_model.Config),
        (config.DeploymentConfig, config_model.DeploymentConfig),
    ):
        names = [f.name for f in dataclasses.fields(plain) if f.name != "fields_set"]
        assert names == list(model.model_fields)
        defaults, validated = plain(), model()
        for name in names:
            assert getattr(defaults, name) == getattr(validated, name), name
    assert config.Config().fields_set == frozenset()
    assert config.Config.__slots__  # slotted: no per-instance dict
    aliases = sorted(
        field.alias or name
        for name, field in config_model.Config.model_fields.items()
        if name != "path"
    )
    assert aliases == config.ALLOWED_KEYS


def test_a_file_is_read_into_the_plain_records(tmp_path: Path) -> None:
    from gwlint import config, config_model

    text = (
        'fail-on = "error"\n'
        "cpus = 4\n"
        'nginx-version = "1.24.0"\n'
        'ignore = ["GW301"]\n'
        "[env]\nWORKERS = 4\nDEBUG = false\n"
        '[severity]\nGW101 = "info"\n'
        '[per-file-ignores]\n"legacy/*.conf" = ["GW1"]\n'
        '[[deployments]]\nname = "api"\nnginx = ["api/nginx.conf"]\n'
        'app = ["api/gunicorn.conf.py"]\n'
    )
    path = tmp_path / "gwlint.toml"
    path.write_text(text)
    loaded = config.load(path)
    model = config_model.Config.model_validate(tomllib.loads(text))
    assert type(loaded) is config.Config
    assert loaded.path == path
    assert loaded.root == tmp_path
    for name in config_model.Config.model_fields:
        if name not in ("path", "deployments"):
            assert getattr(loaded, name) == getattr(model, name), name
    assert loaded.env == {"WORKERS": "4", "DEBUG": "False"}  # as the model reads them
    assert loaded.deployments == [
        config.DeploymentConfig(name="api", nginx=["api/nginx.conf"], app=["api/gunicorn.conf.py"])
    ]
    assert all(type(d) is config.DeploymentConfig for d in loaded.deployments)
    assert loaded.fields_set == {*model.model_fields_set, "path"}
    assert {"fail_on", "cpus", "deployments"} <= loaded.fields_set
    assert "exclude" not in loaded.fields_set


def test_no_file_gives_the_defaults() -> None:
    from gwlint import config

    loaded = config.load(None)
    assert loaded == config.Config()
    assert loaded.path is None
    assert loaded.fail_on == "warning"
    assert loaded.respect_gitignore is True
