"""The deployment stage: what runs the configs (images, compose services, Kubernetes pods),
the environment and files each sees, the versions the repository pins, and pairing by the names
containers reach each other by."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from tests.conftest import chdir, gwlint

GUNICORN = 'bind = "127.0.0.1:8000"\nworkers = 3\n'


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _diagnostics(root: Path, *args: str) -> list[dict[str, object]]:
    run = gwlint("check", "--isolated", "--format", "json", *args, cwd=root)
    assert run.code in (0, 1), run.err
    found: list[dict[str, object]] = json.loads(run.out)["diagnostics"]
    return found


def _servers(root: Path) -> dict[str, tuple[str, str | None]]:
    run = gwlint("check", "--isolated", "--format", "json", cwd=root)
    return {s["server"]: (s["version"], s["source"]) for s in json.loads(run.out)["servers"]}


def test_the_nearest_pin_wins_and_disagreeing_pins_are_not_guessed(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "svc-a/requirements.txt": "gunicorn==21.2.0\n",
            "svc-a/gunicorn.conf.py": GUNICORN,
            "svc-b/requirements.txt": "gunicorn==23.0.0\n",
            "svc-b/app/gunicorn.conf.py": GUNICORN,
        },
    )
    with chdir(tmp_path):
        from gwlint.deployment.versions import Versions
        from gwlint.loaders.common import Problems

        versions = Versions()
        versions.add_pins(["svc-a/requirements.txt", "svc-b/requirements.txt"], Problems())
        a = versions.for_file("gunicorn", "svc-a/gunicorn.conf.py")
        b = versions.for_file("gunicorn", "svc-b/app/gunicorn.conf.py")
        nowhere = versions.for_file("gunicorn", "other/gunicorn.conf.py")
    assert a is not None
    assert a.version == (21, 2, 0)
    assert b is not None
    assert b.version == (23, 0, 0)
    assert nowhere is None  # two pins, neither closer: the default is assumed, and said so


def test_a_range_is_no_pin(tmp_path: Path) -> None:
    _write(tmp_path, {"requirements.txt": "gunicorn>=21\n", "gunicorn.conf.py": GUNICORN})
    assert _servers(tmp_path)["gunicorn"] == ("27.0", None)


def test_kubernetes_container_env_and_resources(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "k8s/config.yaml": (
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-env\n"
                "data:\n  WEB_CONCURRENCY: '12'\n"
            ),
            "k8s/app.yaml": (
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n"
                "  template:\n    spec:\n      containers:\n        - name: app\n"
                "          image: example/app:1\n"
                "          command: [gunicorn, app:app, --bind, '0.0.0.0:8000']\n"
                "          envFrom:\n            - configMapRef:\n                name: app-env\n"
                "          resources:\n            limits:\n              cpu: 1500m\n"
            ),
        },
    )
    [finding] = _diagnostics(tmp_path, "--select", "GW301")
    assert finding["path"] == "k8s/config.yaml"
    assert finding["line"] == 6
    assert str(finding["message"]).startswith(
        "workers = 12 (k8s/config.yaml:6, $WEB_CONCURRENCY) on 2 CPUs (6.0 per CPU, from "
        "k8s/app.yaml:17, resources.limits.cpu)"
    )


def test_a_configmap_comment_suppresses_in_the_manifest(tmp_path: Path) -> None:
    manifest = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  nginx.conf: |\n"
        "    events {}\n    http {\n      server {\n        location / {\n"
        "          # gwlint: ignore[GW101] reports run long on purpose\n"
        "          proxy_read_timeout 300s;\n          proxy_pass http://127.0.0.1:8000;\n"
        "        }\n      }\n    }\n"
    )
    _write(tmp_path, {"k8s/web.yaml": manifest, "gunicorn.conf.py": GUNICORN})
    assert _diagnostics(tmp_path, "--select", "GW101,GW006,GW007") == []
    _write(tmp_path, {"k8s/web.yaml": manifest.replace("# gwlint: ignore[GW101]", "# ")})
    [finding] = _diagnostics(tmp_path, "--select", "GW101")
    assert (finding["path"], finding["line"]) == ("k8s/web.yaml", 12)


def test_a_missing_env_file_makes_gunicorn_defaults_uncertain(tmp_path: Path) -> None:
    nginx = (
        "events {}\nhttp {\n  server {\n    location / {\n      proxy_pass http://web:8000;\n"
        "      proxy_read_timeout 120s;\n    }\n  }\n}\n"
    )
    compose = (
        "services:\n  web:\n    image: python:3.12\n    env_file: .env.prod\n"
        "    command: gunicorn app:app --bind 0.0.0.0:8000\n"
    )
    _write(tmp_path, {"nginx.conf": nginx, "docker-compose.yml": compose})
    [finding] = _diagnostics(tmp_path, "--select", "GW101")
    assert finding["severity"] == "info"
    # said in the message, or (past 200 characters) in a related line at the finding
    texts = [str(finding["message"]), *(str(r["message"]) for r in finding["related"])]  # type: ignore[union-attr]
    assert any(".env.prod (not in the repository) may set GUNICORN_CMD_ARGS" in t for t in texts)
    _write(tmp_path, {".env.prod": "DEBUG=0\n"})  # there: read, and it sets no gunicorn option
    [finding] = _diagnostics(tmp_path, "--select", "GW101")
    assert finding["severity"] == "warning"


def test_gw404_in_a_container_depends_on_published_ports(tmp_path: Path) -> None:
    compose = (
        "services:\n  app:\n    image: python:3.12\n"
        "    command: uwsgi --socket 0.0.0.0:3031 --module app --harakiri 30\n"
        "    ports:\n      - '3031:3031'\n"
    )
    _write(tmp_path, {"docker-compose.yml": compose})
    [finding] = _diagnostics(tmp_path, "--select", "GW404")
    assert finding["severity"] == "warning"
    assert "docker-compose.yml:6 publishes port 3031 on every interface" in str(finding["message"])
    _write(
        tmp_path, {"docker-compose.yml": compose.replace("'3031:3031'", "'127.0.0.1:3031:3031'")}
    )
    [finding] = _diagnostics(tmp_path, "--select", "GW404")
    assert finding["severity"] == "info"


def test_supervisord_in_an_image_sees_the_image_env(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "Dockerfile": (
                "FROM python:3.12\nCOPY supervisord.conf /etc/supervisor/conf.d/app.conf\n"
                'ENV GUNICORN_CMD_ARGS="--workers 40"\nCMD ["supervisord"]\n'
            ),
            "supervisord.conf": "[program:web]\ncommand=gunicorn app:app -b 127.0.0.1:8000\n",
        },
    )
    [finding] = _diagnostics(tmp_path, "--select", "GW301", "--cpus", "4")
    assert str(finding["message"]).startswith("workers = 40 (Dockerfile:3, GUNICORN_CMD_ARGS)")


def test_a_route_to_another_service_is_no_gw401(tmp_path: Path) -> None:
    compose = (
        "services:\n  web:\n    image: python:3.12\n"
        "    command: gunicorn app:app --bind 0.0.0.0:8000\n"
        "  cache:\n    image: redis:7\n"
        "  nginx:\n    image: nginx:1.27\n    volumes:\n"
        "      - ./nginx.conf:/etc/nginx/nginx.conf:ro\n"
    )
    nginx = (
        "events {}\nhttp {\n  server {\n    location / { proxy_pass http://web:8000; }\n"
        "    location /c/ { proxy_pass http://cache:8000; }\n"
        "    location /x/ { proxy_pass http://web; }\n  }\n}\n"
    )
    _write(tmp_path, {"docker-compose.yml": compose, "nginx.conf": nginx})
    found = _diagnostics(tmp_path, "--select", "GW401")
    # the route to web without a port reaches port 80, where the app does not listen
    assert [(f["line"], f["severity"]) for f in found] == [(6, "warning")]


def _deployments(root: Path) -> str:
    run = gwlint("check", "--isolated", "--show-files", cwd=root)
    assert run.code == 0, run.err
    return run.out.split("Deployments", 1)[1]


def test_no_pairing_by_port_across_compose_projects(tmp_path: Path) -> None:
    """Two compose projects of a monorepo, both on port 8000: each nginx keeps to its own
    project, and an app reached only by the other project's nginx is not handed to the
    nginx of its own project that reaches nothing of it."""
    nginx = "events {}\nhttp { server { listen 80; location / { proxy_pass %s; } } }\n"
    compose = (
        "services:\n  proxy:\n    image: nginx:1.27\n    network_mode: host\n"
        "    volumes:\n      - ./nginx.conf:/etc/nginx/nginx.conf:ro\n"
        "  app:\n    build: ./app\n    network_mode: host\n"
    )
    dockerfile = (
        'FROM python:3.12\nCOPY . /app\nCMD ["gunicorn", "-c", "gunicorn.conf.py", "w:app"]\n'
    )
    _write(
        tmp_path,
        {
            "shop/docker-compose.yml": compose,
            "shop/nginx.conf": nginx % "http://127.0.0.1:8000",
            "shop/app/Dockerfile": dockerfile,
            "shop/app/gunicorn.conf.py": 'bind = "127.0.0.1:8000"\n',
            "blog/docker-compose.yml": compose,
            "blog/nginx.conf": nginx % "http://127.0.0.1:9000",
            "blog/app/Dockerfile": dockerfile,
            "blog/app/gunicorn.conf.py": 'bind = "127.0.0.1:8000"\n',
        },
    )
    shown = _deployments(tmp_path)
    blocks = {
        block.split("\n", 1)[0].strip(): block for block in re.split(r"\n  (?=\d+\. )", shown)[1:]
    }
    assert len(blocks) == 3, shown  # shop, blog, and blog's app on its own
    by_nginx = {key.split("nginx: ", 1)[-1]: text for key, text in blocks.items()}
    assert "shop/app/gunicorn.conf.py" in by_nginx["shop/nginx.conf"]
    assert "blog/app" not in by_nginx["shop/nginx.conf"]
    assert "app:" not in by_nginx["blog/nginx.conf"]  # reaches 9000: nothing of its project
    assert "blog/app/gunicorn.conf.py" in by_nginx["no nginx config"]


def test_image_copies_and_mounts_never_reach_outside_the_repository(tmp_path: Path) -> None:
    """A hostile repository: ``COPY /`` (the build context, not the host's root), ``COPY ..``
    sources, bind mounts of ``../../etc`` and symlinks out of the tree map no host file."""
    repo = tmp_path / "repo"
    _write(
        tmp_path,
        {
            "secret.conf": "server { listen 1; }\n",
            "repo/Dockerfile": (
                "FROM nginx:1.27\nCOPY / /etc/nginx/\nCOPY ../secret.conf /etc/nginx/a.conf\n"
                "COPY conf /etc/nginx/conf.d/\n"
            ),
            "repo/conf/site.conf": "server { listen 80; }\n",
            "repo/docker-compose.yml": (
                "services:\n  web:\n    image: nginx:1.27\n    volumes:\n"
                "      - ../../..:/etc/nginx/conf.d\n      - ../secret.conf:/etc/nginx/nginx.conf\n"
                "      - ./conf:/etc/nginx/sites\n"
            ),
        },
    )
    (repo / "conf" / "passwd.conf").symlink_to(tmp_path / "secret.conf")
    with chdir(repo):
        from gwlint.deployment.context import build
        from gwlint.inventory import take
        from gwlint.loaders.common import Problems
        from gwlint.settings import Request, settings

        request = Request(isolated=True)
        current = settings(request)
        context = build(current, take(request, current), Problems())
        mapped = {
            target: os.path.realpath(source)
            for container in context.containers
            for target, source in container.files.items()
        }
    inside = str(repo.resolve()) + os.sep
    assert mapped, "the repository's own files are mapped"
    assert all(real.startswith(inside) for real in mapped.values()), mapped
    assert mapped["/etc/nginx/conf.d/site.conf"].endswith("conf/site.conf")
    assert "/etc/nginx/sites/site.conf" in mapped
    assert "/etc/nginx/nginx.conf" not in mapped  # ../secret.conf
    assert not any(t.endswith("passwd.conf") for t in mapped)
