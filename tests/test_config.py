"""Project configuration: discovery, every key, precedence of the command line, bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import gwlint

NGINX = """\
http {
    server {
        listen 80;
        location / {
            proxy_read_timeout 120s;
            proxy_pass http://127.0.0.1:8000;
        }
    }
}
"""
GUNICORN = 'bind = "127.0.0.1:8000"\ntimeout = 60\n'


def _project(root: Path, config: tuple[str, str] | None = None) -> Path:
    """nginx.conf + gunicorn.conf.py that give GW101 (warning) and GW301 (info)."""
    (root / "nginx.conf").write_text(NGINX)
    (root / "gunicorn.conf.py").write_text(GUNICORN)
    if config is not None:
        name, text = config
        (root / name).write_text(text)
    return root


def _codes(root: Path, *args: str) -> list[str]:
    run = gwlint("check", "--format", "json", *args, cwd=root)
    assert run.code in (0, 1), run.err
    return sorted(d["code"] for d in json.loads(run.out)["diagnostics"])


def test_ignore_in_pyproject_silences_the_rule(tmp_path: Path) -> None:
    _project(tmp_path)
    assert "GW101" in _codes(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.gwlint]\nignore = ["GW101"]\n'
    )
    assert "GW101" not in _codes(tmp_path)
    assert "GW301" in _codes(tmp_path)


def test_closest_configuration_wins_and_file_names_rank(tmp_path: Path) -> None:
    (tmp_path / "gwlint.toml").write_text('ignore = ["GW101"]\n')
    sub = tmp_path / "deploy"
    sub.mkdir()
    _project(sub)
    assert _codes(sub) == ["GW301"]  # found two folders up
    # a pyproject.toml without [tool.gwlint] is not a configuration: the search goes on
    (sub / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert _codes(sub) == ["GW301"]
    # with the table it is the closest, and configurations are not merged
    (sub / "pyproject.toml").write_text('[tool.gwlint]\nignore = ["GW301"]\n')
    assert _codes(sub) == ["GW101"]
    # in one folder: .gwlint.toml > gwlint.toml > pyproject.toml
    (sub / "gwlint.toml").write_text('select = ["GW3"]\n')
    assert _codes(sub) == ["GW301"]
    (sub / ".gwlint.toml").write_text('select = ["GW1"]\n')
    assert _codes(sub) == ["GW101"]


def test_config_flag_and_isolated(tmp_path: Path) -> None:
    _project(tmp_path, ("gwlint.toml", 'ignore = ["GW101"]\n'))
    (tmp_path / "other.toml").write_text('ignore = ["GW301"]\n')
    assert _codes(tmp_path) == ["GW301"]
    assert _codes(tmp_path, "--config", "other.toml") == ["GW101"]
    assert _codes(tmp_path, "--isolated") == ["GW101", "GW301"]
    run = gwlint("check", "--config", "nope.toml", cwd=tmp_path)
    assert run.code == 2
    assert run.err == "gwlint: error: --config nope.toml: no such file\n"


def test_command_line_beats_the_file(tmp_path: Path) -> None:
    _project(tmp_path, ("gwlint.toml", 'select = ["GW3"]\nignore = ["GW305"]\ncpus = 2\n'))
    assert _codes(tmp_path) == ["GW301"]
    # --select replaces the file's select; --ignore adds to its ignore
    assert _codes(tmp_path, "--select", "GW1") == ["GW101"]
    assert _codes(tmp_path, "--select", "GW1,GW3", "--ignore", "GW301") == ["GW101"]
    assert _codes(tmp_path, "--extend-select", "GW101") == ["GW101", "GW301"]

    def fix(*args: str) -> str:
        run = gwlint("check", "--format", "json", *args, cwd=tmp_path)
        return str(json.loads(run.out)["diagnostics"][0]["fix"])

    assert "workers = 5 for 2 CPUs" in fix()  # cpus = 2 from the file
    assert "workers = 17 for 8 CPUs" in fix("--cpus", "8")


def test_severity_override_and_fail_on(tmp_path: Path) -> None:
    _project(tmp_path, ("gwlint.toml", '[severity]\nGW301 = "error"\nGW101 = "info"\n'))
    run = gwlint("check", "--format", "json", cwd=tmp_path)
    levels = {d["code"]: d["severity"] for d in json.loads(run.out)["diagnostics"]}
    assert levels == {"GW101": "info", "GW301": "error"}
    assert run.code == 1
    (tmp_path / "gwlint.toml").write_text('fail-on = "error"\n')
    assert gwlint("check", cwd=tmp_path).code == 0  # a warning and an info: below the bar
    assert gwlint("check", "--fail-on", "warning", cwd=tmp_path).code == 1
    (tmp_path / "gwlint.toml").write_text('ignore = ["GW101"]\n')
    assert gwlint("check", cwd=tmp_path).code == 0  # info only
    assert gwlint("check", "--fail-on", "info", cwd=tmp_path).code == 1
    assert gwlint("check", "--fail-on", "info", "--exit-zero", cwd=tmp_path).code == 0


def test_per_file_ignores(tmp_path: Path) -> None:
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    _project(legacy)
    (tmp_path / "gwlint.toml").write_text('[per-file-ignores]\n"legacy/*.conf" = ["GW1"]\n')
    assert _codes(tmp_path) == ["GW301"]
    assert _codes(legacy) == ["GW301"]  # globs are relative to the configuration's folder
    (tmp_path / "gwlint.toml").write_text('[per-file-ignores]\n"**/gunicorn.conf.py" = ["GW3"]\n')
    assert _codes(tmp_path) == ["GW101"]
    # a bare name matches that file in any folder, as in ruff (it matched nothing)
    (tmp_path / "gwlint.toml").write_text('[per-file-ignores]\n"gunicorn.conf.py" = ["GW3"]\n')
    assert _codes(tmp_path) == ["GW101"]
    (tmp_path / "gwlint.toml").write_text('[per-file-ignores]\n"nginx.*" = ["GW1"]\n')
    assert _codes(tmp_path) == ["GW301"]


def test_target_facts_env_and_prefix(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "nginx.conf").write_text("http {\n    include snippets/app.conf;\n}\n")
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "snippets").mkdir()
    (tmp_path / "etc" / "snippets" / "app.conf").write_text(
        NGINX.split("\n", 1)[1].rsplit("}", 1)[0]
    )
    (tmp_path / "gunicorn.conf.py").write_text(
        'import os\nbind = "127.0.0.1:8000"\ntimeout = int(os.environ.get("T", "60"))\n'
    )
    config = (
        'nginx-prefix = "etc"\nnginx-version = "1.24"\ngunicorn-version = "23.0"\n[env]\nT = 30\n'
    )
    (tmp_path / "gwlint.toml").write_text(config)
    run = gwlint("check", "--select", "GW101", cwd=tmp_path)
    assert "gunicorn timeout 30s" in run.out, run.out + run.err
    assert "against nginx 1.24 and gunicorn 23.0." in run.out
    assert "(assumed" not in run.out
    run = gwlint("check", "--select", "GW101", "--env", "T=200", cwd=tmp_path)
    assert "All checks passed" in run.out  # --env beats [env]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'ignor = ["GW101"]\n',
            "gwlint.toml:1: unknown key 'ignor' (did you mean 'ignore'?)",
        ),
        (
            "cpus = 2\nzzz = 1\n",
            "gwlint.toml:2: unknown key 'zzz' (allowed: cpus, deployments, env, exclude, "
            "extend, extend-exclude, extend-select, fail-on,",
        ),
        ('fail-on = "fatal"\n', "fail-on: must be 'error', 'warning' or 'info'"),
        ("cpus = 0\n", "cpus: must be at least 1"),
        ('cpus = "x"\n', "cpus: not a whole number"),
        ('nginx-version = "0.9"\n', "nginx-version: 0.9 is not an nginx release gwlint knows"),
        ('uwsgi-version = "3.0"\n', "uwsgi-version: 3.0 is newer than the uWSGI releases"),
        ('select = ["GW9"]\n', "select: unknown rule selector 'GW9'"),
        ('[severity]\nGW101 = "fatal"\n', "severity.GW101: must be 'error'"),
        ('[severity]\nGW999 = "error"\n', "severity: unknown rule 'GW999'"),
        ('front = "akamai"\n', "front: "),
        ('nginx-version = "one"\n', "nginx-version: "),
        ('nginx-prefix = "missing"\n', "nginx-prefix missing: no such folder"),
        ("select = [\n", "invalid TOML: "),
        (
            "[[deployments]]\nnginx = 'x.conf'\n",
            "deployments.0.nginx: not a list",
        ),
    ],
)
def test_bad_configuration_exits_2_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    _project(tmp_path, ("gwlint.toml", text))
    run = gwlint("check", cwd=tmp_path)
    assert run.code == 2, run.out
    # the file, and the line of the key where it is found
    assert re.match(rf"gwlint: error: {re.escape(str(tmp_path / 'gwlint.toml'))}(:\d+)?: ", run.err)
    assert message in run.err
    assert run.err.count("\n") == 1
    assert run.out == ""


def test_deployments_pair_what_folders_cannot(tmp_path: Path) -> None:
    """Two nginx configs in one folder, two apps on the same address elsewhere: the folder
    layout says nothing, the configuration says which nginx serves which app."""
    ops, api, web = tmp_path / "ops", tmp_path / "services" / "api", tmp_path / "services" / "web"
    for folder in (ops, api, web):
        folder.mkdir(parents=True)
    (ops / "api.nginx.conf").write_text("events {}\n" + NGINX)
    (ops / "web.nginx.conf").write_text(
        "events {}\n" + NGINX.replace("proxy_read_timeout 120s", "proxy_read_timeout 20s")
    )
    (api / "gunicorn.conf.py").write_text(GUNICORN)  # 60 < 120: GW101 against api
    (web / "gunicorn.conf.py").write_text('bind = "127.0.0.1:8000"\ntimeout = 100\n')

    def gw101() -> list[str]:
        run = gwlint("check", "--select", "GW101", "--format", "json", cwd=tmp_path)
        return sorted(
            f"{d['path']}~{d['related'][0]['path']}" for d in json.loads(run.out)["diagnostics"]
        )

    (tmp_path / "gwlint.toml").write_text(
        '[[deployments]]\nname = "api"\nnginx = ["ops/api.nginx.conf"]\n'
        'app = ["services/api/gunicorn.conf.py"]\n'
        '[[deployments]]\nname = "web"\nnginx = ["ops/web.nginx.conf"]\n'
        'app = ["services/web/*.py"]\n'
    )
    assert gw101() == ["ops/api.nginx.conf~services/api/gunicorn.conf.py"]
    run = gwlint("check", cwd=tmp_path)
    assert "in 2 deployments" in run.out


def test_deployment_file_of_unknown_kind(tmp_path: Path) -> None:
    _project(tmp_path)
    (tmp_path / "app.txt").write_text("hello\n")
    (tmp_path / "gwlint.toml").write_text(
        '[[deployments]]\nnginx = ["nginx.conf"]\napp = ["app.txt"]\n'
    )
    run = gwlint("check", cwd=tmp_path)
    assert run.code == 2
    assert "deployments[1]: app app.txt is neither a gunicorn config" in run.err


def test_docs_configuration_lists_every_key_and_its_example_is_valid() -> None:
    import re
    import tomllib

    from gwlint.config import ALLOWED_KEYS
    from gwlint.config_model import Config
    from tests.conftest import ROOT

    page = (ROOT / "docs" / "configuration.md").read_text()
    for key in ALLOWED_KEYS:
        assert f"| `{key}` |" in page, f"docs/configuration.md does not document {key}"
    assert f"(allowed: {', '.join(ALLOWED_KEYS)})" in page
    example = re.search(r"```toml\n(.*?)```", page, re.DOTALL)
    assert example is not None
    table = tomllib.loads(example.group(1))["tool"]["gwlint"]
    config = Config.model_validate(table)
    assert config.cpus == 4
    assert [d.name for d in config.deployments] == ["api", "legacy"]


def test_the_configuration_of_the_folder_checked(tmp_path: Path) -> None:
    """`gwlint check deploy/` from the repository's root reads deploy/pyproject.toml, as ruff
    reads the configuration closest to the files it checks; the root's own one applies when
    the root is checked, for the root's own files."""
    deploy = tmp_path / "deploy"
    deploy.mkdir()
    _project(deploy, ("pyproject.toml", '[tool.gwlint]\nignore = ["GW301"]\n'))
    (tmp_path / "gwlint.toml").write_text('ignore = ["GW101"]\n')
    assert _codes(tmp_path, "deploy") == ["GW101"]
    assert _codes(tmp_path, "deploy/nginx.conf", "deploy/gunicorn.conf.py") == ["GW101"]
    assert _codes(deploy) == ["GW101"]
    # from the root too: deploy/'s files follow deploy/pyproject.toml, their closest (ruff's
    # hierarchical configuration), not the root's gwlint.toml
    assert _codes(tmp_path) == ["GW101"]
    (tmp_path / "nginx.conf").write_text(NGINX.replace("8000", "8001"))
    (tmp_path / "gunicorn.conf.py").write_text(GUNICORN.replace("8000", "8001"))
    # the root's own files follow the root's configuration: GW101 ignored there
    assert _codes(tmp_path) == ["GW101", "GW301"]


def _run(root: Path, *args: str) -> tuple[list[str], str]:
    run = gwlint("check", "--format", "json", *args, cwd=root)
    assert run.code in (0, 1), run.err
    return sorted(d["code"] for d in json.loads(run.out)["diagnostics"]), run.err


def test_each_file_follows_its_closest_configuration(tmp_path: Path) -> None:
    """Hierarchical, as ruff: two services under one root, each with its own configuration;
    rule selection, severity and the target follow the files' closest configuration."""
    (tmp_path / "gwlint.toml").write_text('ignore = ["GW301"]\n')
    for name, port in (("api", 8000), ("legacy", 8001)):
        service = tmp_path / "services" / name
        service.mkdir(parents=True)
        _project(service)
        for file in ("nginx.conf", "gunicorn.conf.py"):
            text = (service / file).read_text()
            (service / file).write_text(text.replace("8000", str(port)))
    (tmp_path / "services" / "legacy" / "gwlint.toml").write_text(
        'ignore = ["GW101"]\n[severity]\nGW301 = "error"\n'
    )
    run = gwlint("check", "--format", "json", cwd=tmp_path)
    found = {
        (d["code"], d["path"].split("/")[1], d["severity"])
        for d in json.loads(run.out)["diagnostics"]
    }
    assert ("GW101", "api", "warning") in found  # the root's: GW301 ignored
    assert ("GW301", "api", "info") not in found
    assert ("GW101", "legacy", "warning") not in found  # legacy's own: GW101 ignored
    assert ("GW301", "legacy", "error") in found  # and GW301 raised to error
    assert run.code == 1


def test_the_target_follows_the_closest_configuration(tmp_path: Path) -> None:
    """A deployment is checked against the nginx version of its nginx config's closest
    configuration: GW201 (keep-alive race) exists from nginx 1.29.7 on, with upstream
    keep-alive on by default."""
    nginx = (
        "http {\n    upstream app { server 127.0.0.1:8000; }\n    server {\n"
        "        listen 80;\n        location / { proxy_pass http://app; }\n    }\n}\n"
    )
    for name in ("new", "old"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "nginx.conf").write_text(nginx)
        (folder / "gunicorn.conf.py").write_text(
            'bind = "127.0.0.1:8000"\nworker_class = "gthread"\nthreads = 4\n'
        )
    (tmp_path / "gwlint.toml").write_text('nginx-version = "1.30.0"\n')
    (tmp_path / "old" / "gwlint.toml").write_text('nginx-version = "1.24.0"\n')
    run = gwlint("check", "--format", "json", cwd=tmp_path)
    report = json.loads(run.out)
    where = {(d["code"], d["path"].split("/")[0]) for d in report["diagnostics"]}
    assert ("GW201", "new") in where
    assert ("GW201", "old") not in where
    # the flag beats every configuration
    run = gwlint("check", "--format", "json", "--nginx-version", "1.30.0", cwd=tmp_path)
    where = {(d["code"], d["path"].split("/")[0]) for d in json.loads(run.out)["diagnostics"]}
    assert ("GW201", "old") in where


def test_config_flag_turns_the_hierarchy_off(tmp_path: Path) -> None:
    sub = tmp_path / "deploy"
    sub.mkdir()
    _project(sub, ("gwlint.toml", 'ignore = ["GW101"]\n'))
    (tmp_path / "mine.toml").write_text('ignore = ["GW301"]\n')
    assert _codes(tmp_path) == ["GW301"]
    assert _codes(tmp_path, "--config", "mine.toml") == ["GW101"]
    assert _codes(tmp_path, "--isolated") == ["GW101", "GW301"]


def test_extend_inherits_and_merges_as_ruff(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # a checkout: gwlint may read all of it, from deploy/ too
    (tmp_path / "gwlint.toml").write_text(
        'ignore = ["GW305"]\n[severity]\nGW301 = "warning"\n'
        '[per-file-ignores]\n"deploy/legacy/*" = ["GW1"]\n'
    )
    deploy = tmp_path / "deploy"
    legacy = deploy / "legacy"
    legacy.mkdir(parents=True)
    _project(legacy)
    # the inherited per-file-ignores glob keeps naming deploy/legacy/* from deploy/
    (deploy / "gwlint.toml").write_text('extend = "../gwlint.toml"\nignore = ["GW302"]\n')
    run = gwlint("check", "--format", "json", cwd=deploy)
    found = {(d["code"], d["severity"]) for d in json.loads(run.out)["diagnostics"]}
    assert found == {("GW301", "warning")}, run.out  # GW101 ignored by the inherited glob
    # its own severity wins for one key; a select of its own drops the inherited ignore
    (deploy / "gwlint.toml").write_text(
        'extend = "../gwlint.toml"\nselect = ["GW3"]\n[severity]\nGW301 = "error"\n'
    )
    run = gwlint("check", "--format", "json", cwd=deploy)
    found = {(d["code"], d["severity"]) for d in json.loads(run.out)["diagnostics"]}
    assert found == {("GW301", "error")}, run.out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'extend = "missing.toml"\n',
            "deploy/gwlint.toml:1: extend = 'missing.toml': no such file",
        ),
        ('extend = "gwlint.toml"\n', "extends itself (a cycle)"),
        ('extend = "../base.toml"\n', "base.toml:1: unknown key 'ignor' (did you mean 'ignore'?)"),
        ("extend = 3\n", "extend: "),
    ],
)
def test_bad_extend_exits_2_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "base.toml").write_text('ignor = ["GW101"]\n')
    deploy = tmp_path / "deploy"
    deploy.mkdir()
    _project(deploy, ("gwlint.toml", text))
    run = gwlint("check", "deploy", cwd=tmp_path)
    assert run.code == 2, run.out
    assert message in run.err
    assert run.err.count("\n") == 1


def test_a_found_configuration_cannot_extend_outside_the_checked_folders(tmp_path: Path) -> None:
    outside = tmp_path / "outside.toml"
    outside.write_text('ignore = ["GW101", "GW301"]\n')
    project = tmp_path / "project"
    project.mkdir()
    (project / ".git").mkdir()  # a checkout: the folders gwlint reads end here
    _project(project, ("gwlint.toml", 'extend = "../outside.toml"\n'))
    codes, _ = _run(project)
    assert codes == ["GW009", "GW101", "GW301"]  # not read; said
    # the user's own --config may extend anything
    codes, _ = _run(project, "--config", "gwlint.toml")
    assert codes == []


def test_two_configurations_in_one_folder_warn(tmp_path: Path) -> None:
    _project(tmp_path, ("gwlint.toml", 'ignore = ["GW301"]\n'))
    (tmp_path / "pyproject.toml").write_text('[tool.gwlint]\nignore = ["GW101"]\n')
    codes, err = _run(tmp_path)
    assert codes == ["GW101"]
    assert err == (
        "gwlint: warning: pyproject.toml is not read: gwlint.toml is, in the same folder "
        "(.gwlint.toml, then gwlint.toml, then pyproject.toml: the first wins, as in ruff)\n"
    )
    # a pyproject.toml without [tool.gwlint] is no configuration: nothing to say
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert _run(tmp_path)[1] == ""
    # --quiet: findings only
    run = gwlint("check", "--quiet", cwd=tmp_path)
    assert "warning" not in run.err


def test_run_keys_in_a_closer_configuration_are_ignored_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "gwlint.toml").write_text('fail-on = "error"\n')
    deploy = tmp_path / "deploy"
    deploy.mkdir()
    _project(deploy, ("gwlint.toml", 'ignore = ["GW301"]\nfail-on = "info"\n'))
    run = gwlint("check", cwd=tmp_path)
    assert run.code == 0  # the run's fail-on: GW101 is a warning
    assert "GW101" in run.out
    assert "GW301" not in run.out
    assert run.err == (
        "gwlint: warning: deploy/gwlint.toml:2: fail-on is ignored here: it shapes the whole "
        "run, and is read only from the configuration of the folder checked\n"
    )


def test_deployment_globs_may_climb_within_the_checkout_only(tmp_path: Path) -> None:
    """A found configuration's ``deployments`` may name a sibling folder of the same checkout
    (``../deploy/*.conf``), not a folder above it, nor climb after a glob."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "deploy").mkdir()
    _project(tmp_path / "deploy")
    service = tmp_path / "service"
    service.mkdir()
    (service / "gwlint.toml").write_text(
        '[[deployments]]\nname = "web"\nnginx = ["../deploy/*.conf"]\n'
        'app = ["../deploy/gunicorn.conf.py", "x/*/../../../../etc/*.ini"]\n'
    )
    run = gwlint("check", "--format", "json", cwd=service)
    codes = sorted(d["code"] for d in json.loads(run.out)["diagnostics"])
    assert codes == ["GW009", "GW101", "GW301"], run.out
    refused = next(d for d in json.loads(run.out)["diagnostics"] if d["code"] == "GW009")
    assert "x/*/../../../../etc/*.ini" in refused["message"]
