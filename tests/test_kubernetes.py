"""Kubernetes manifests read into workloads, ConfigMaps, Secrets and Services
(gwlint/loaders/kubernetes.py): shapes, lines, env resolution, and hostile input."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gwlint.loaders import kubernetes
from gwlint.loaders.common import Problems
from gwlint.loaders.kubernetes import (
    ConfigMap,
    Container,
    EnvEntry,
    Manifests,
    container_env,
    expand,
    expand_words,
    looks_like_manifest,
    millicores,
    read_manifests,
)
from tests.conftest import ROOT, chdir


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    """An empty folder, the working directory (the reader refuses files outside it)."""
    with chdir(tmp_path):
        yield tmp_path


def write(root: Path, name: str, text: str) -> str:
    (root / name).write_text(textwrap.dedent(text).lstrip("\n"))
    return name


def read(root: Path, text: str, name: str = "k8s.yaml") -> tuple[Manifests | None, Problems]:
    problems = Problems()
    return read_manifests(write(root, name, text), problems), problems


def ok(root: Path, text: str) -> Manifests:
    got, problems = read(root, text)
    assert problems.items == []
    assert got is not None
    return got


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line of the dedented text that contains needle."""
    lines = textwrap.dedent(text).lstrip("\n").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


# --- a Deployment ------------------------------------------------------------------------------

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels:
        app: web
        tier: "1"
    spec:
      terminationGracePeriodSeconds: 45
      initContainers:
        - name: migrate
          image: shop:1.2
          command: [python, manage.py, migrate]
      containers:
        - name: app
          image: "registry.example/shop:1.2"
          workingDir: /srv/app
          command: ["gunicorn"]
          args:
            - --bind=0.0.0.0:$(PORT)
            - --workers
            - "4"
            - >-
              app.wsgi:application
          ports:
            - containerPort: 8000
              name: http
            - containerPort: "9000"
          env:
            - name: PORT
              value: "8000"
            - name: DJANGO_SETTINGS
              valueFrom:
                configMapKeyRef: {name: app-env, key: settings, optional: true}
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef: {name: db, key: password}
            - name: POD_IP
              valueFrom:
                fieldRef: {fieldPath: status.podIP}
            - name: CPUS
              valueFrom:
                resourceFieldRef: {resource: limits.cpu}
          envFrom:
            - configMapRef: {name: app-env}
              prefix: APP_
            - secretRef: {name: app-secrets, optional: true}
          resources:
            limits: {cpu: 1500m, memory: 512Mi}
            requests:
              cpu: "0.5"
          volumeMounts:
            - name: conf
              mountPath: /etc/gunicorn/gunicorn.conf.py
              subPath: gunicorn.conf.py
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: conf
          configMap:
            name: gunicorn-conf
            items:
              - key: gunicorn.conf.py
                path: gunicorn.conf.py
        - name: tmp
          emptyDir: {}
        - name: certs
          secret: {secretName: tls}
        - name: data
          persistentVolumeClaim: {claimName: data}
        - name: host
          hostPath: {path: /var/run}
"""


def test_a_deployment(repo: Path) -> None:
    got = ok(repo, DEPLOYMENT)
    assert got.config_maps == got.secrets == got.services == ()
    (web,) = got.workloads
    assert (web.kind, web.name, web.namespace, web.path) == (
        "Deployment",
        "web",
        "shop",
        "k8s.yaml",
    )
    assert web.line == line_of(DEPLOYMENT, "kind: Deployment")
    assert web.pod_labels == {"app": "web", "tier": "1"}
    assert web.grace_period is not None
    assert (web.grace_period.value, web.grace_period.raw) == (45, "45")
    assert web.grace_period.line == line_of(DEPLOYMENT, "terminationGracePeriodSeconds")

    (migrate,) = web.init_containers
    assert migrate.command is not None
    assert [w.text for w in migrate.command] == ["python", "manage.py", "migrate"]
    assert migrate.args is None

    (app,) = web.containers
    assert app.name == "app"
    assert app.line == line_of(DEPLOYMENT, "- name: app")
    assert app.image is not None
    assert app.image.value == "registry.example/shop:1.2"
    assert app.image.raw == '"registry.example/shop:1.2"'
    assert app.working_dir == "/srv/app"
    assert app.command is not None
    assert [w.text for w in app.command] == ["gunicorn"]
    assert app.args is not None
    assert [w.text for w in app.args] == [
        "--bind=0.0.0.0:$(PORT)",
        "--workers",
        "4",
        "app.wsgi:application",
    ]
    assert [w.line for w in app.args] == [
        line_of(DEPLOYMENT, "--bind"),
        line_of(DEPLOYMENT, "--workers"),
        line_of(DEPLOYMENT, '"4"'),
        line_of(DEPLOYMENT, "app.wsgi:application"),  # a folded item: its content's line
    ]
    assert app.args[0].column == 15
    assert app.args[2].raw == '"4"'

    assert [(p.container_port, p.name) for p in app.ports] == [(8000, "http"), (9000, None)]
    assert app.cpu_limit is not None
    assert (app.cpu_limit.value, app.cpu_limit.raw) == (1500, "1500m")
    assert app.cpu_request is not None
    assert (app.cpu_request.value, app.cpu_request.raw) == (500, '"0.5"')
    assert app.cpu_request.line == line_of(DEPLOYMENT, 'cpu: "0.5"')

    port, settings_, password, pod_ip, cpus = app.env
    assert (port.name, port.value, port.raw) == ("PORT", "8000", "8000")
    assert port.line == line_of(DEPLOYMENT, "- name: PORT")
    assert settings_.config_map == ("app-env", "settings", True)
    assert settings_.value is None
    assert password.secret == ("db", "password")
    assert password.value is None
    assert pod_ip.field_ref == "status.podIP"
    assert cpus.resource_field_ref == "limits.cpu"

    assert [(e.kind, e.name, e.prefix, e.optional) for e in app.env_from] == [
        ("configMap", "app-env", "APP_", False),
        ("secret", "app-secrets", "", True),
    ]
    assert app.env_from[0].line == line_of(DEPLOYMENT, "configMapRef")

    assert [(m.name, m.mount_path, m.sub_path) for m in app.volume_mounts] == [
        ("conf", "/etc/gunicorn/gunicorn.conf.py", "gunicorn.conf.py"),
        ("tmp", "/tmp", None),
    ]
    conf = web.volumes["conf"]
    assert conf.config_map == "gunicorn-conf"
    assert conf.items == (("gunicorn.conf.py", "gunicorn.conf.py"),)
    assert conf.line == line_of(DEPLOYMENT, "configMap:") - 1
    assert web.volumes["tmp"].empty_dir
    assert web.volumes["certs"].secret == "tls"
    assert web.volumes["data"].pvc == "data"
    assert web.volumes["host"].host_path == "/var/run"
    assert set(web.volumes) == {"conf", "tmp", "certs", "data", "host"}


# --- ConfigMap + Deployment + Service ----------------------------------------------------------

STACK = """
# the shop, as applied with kubectl apply -f
apiVersion: v1
kind: ConfigMap
metadata:
  name: nginx
data:
  nginx.conf: |
    events {}

    http {
      upstream app { server 127.0.0.1:8000; }
      server {
        listen 80;
        location / {
          proxy_read_timeout 30s;
          proxy_pass http://app;
        }
      }
    }
  WEB_CONCURRENCY: "3"
  GUNICORN_CMD_ARGS: --keep-alive 5
  bad key: skipped by envFrom
---
apiVersion: v1
kind: Secret
metadata: {name: app-secrets}
type: Opaque
data:
  SECRET_KEY: c2VjcmV0
stringData:
  API_TOKEN: not-read
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: nginx
          image: nginx:1.27
          volumeMounts:
            - {name: conf, mountPath: /etc/nginx/nginx.conf, subPath: nginx.conf}
        - name: app
          image: shop
          envFrom:
            - configMapRef: {name: nginx}
            - secretRef: {name: app-secrets}
          env:
            - name: WEB_CONCURRENCY
              value: "5"
            - name: BIND
              value: 0.0.0.0:$(PORT)
            - name: PORT
              valueFrom:
                configMapKeyRef: {name: nginx, key: PORT}
            - name: OPTIONAL
              valueFrom:
                configMapKeyRef: {name: elsewhere, key: x, optional: true}
            - name: ELSEWHERE
              valueFrom:
                configMapKeyRef: {name: elsewhere, key: x}
            - name: TOKEN_URL
              value: https://$(API_TOKEN)@example
      volumes:
        - name: conf
          configMap: {name: nginx}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports:
    - {name: http, port: 80, targetPort: 8080}
    - port: 443
      targetPort: https
      protocol: TCP
    - port: "8000"
    - port: not-a-port
"""


def test_a_stack_of_documents(repo: Path) -> None:
    got = ok(repo, STACK)
    (config_map,) = got.config_maps
    assert (config_map.name, config_map.namespace, config_map.path) == ("nginx", None, "k8s.yaml")
    assert config_map.line == line_of(STACK, "kind: ConfigMap")
    assert list(config_map.data) == [
        "nginx.conf",
        "WEB_CONCURRENCY",
        "GUNICORN_CMD_ARGS",
        "bad key",
    ]
    conf = config_map.data["nginx.conf"]
    assert conf.literal
    assert conf.value.startswith("events {}\n\nhttp {\n")
    assert conf.line == line_of(STACK, "events {}")  # the line after `nginx.conf: |`
    assert conf.column == 5
    assert conf.key_line == line_of(STACK, "nginx.conf: |")
    concurrency = config_map.data["WEB_CONCURRENCY"]
    assert (concurrency.value, concurrency.literal) == ("3", False)
    assert (concurrency.line, concurrency.column) == (line_of(STACK, "WEB_CONCURRENCY: "), 21)

    (secret,) = got.secrets
    assert secret.keys == ("SECRET_KEY", "API_TOKEN")
    assert "c2VjcmV0" not in repr(secret)
    assert "not-read" not in repr(secret)

    (web,) = got.workloads
    assert [c.name for c in web.containers] == ["nginx", "app"]

    (service,) = got.services
    assert (service.name, service.namespace) == ("web", "shop")
    assert service.line == line_of(STACK, "kind: Service")
    assert service.selector == {"app": "web"}
    assert [(p.port, p.target_port, p.name, p.protocol) for p in service.ports] == [
        (80, 8080, "http", "TCP"),
        (443, "https", None, "TCP"),
        (8000, None, None, "TCP"),
    ]
    assert service.ports[1].line == line_of(STACK, "- port: 443")


def test_padded_text_keeps_the_lines_of_the_file(repo: Path) -> None:
    got = ok(repo, STACK)
    conf = got.config_maps[0].data["nginx.conf"]
    padded = conf.padded_text().splitlines()
    file_lines = (repo / "k8s.yaml").read_text().splitlines()
    at = line_of(STACK, "proxy_read_timeout")
    assert "proxy_read_timeout 30s;" in padded[at - 1]
    assert padded[at - 1] == file_lines[at - 1]  # the line as the file holds it
    # every content line is where the file has it, nothing before it but blank lines
    assert all(not line for line in padded[: conf.line - 1])
    for number, line in enumerate(padded[conf.line - 1 :], conf.line):
        assert line == file_lines[number - 1] or (not line and not file_lines[number - 1].strip())
    assert len(padded) == line_of(STACK, "WEB_CONCURRENCY:") - 1  # nothing after the value
    assert conf.padded_text().endswith("}\n")
    # dedented, the padded text is the value
    assert textwrap.dedent(conf.padded_text()).strip() == conf.value.strip()


@pytest.mark.parametrize(
    ("block", "value"),
    [
        ("|-", "a\n  b"),
        ("|+", "a\n  b\n\n"),
        ("|1", " a\n   b\n"),  # content indented 3: its first column is part of the value
    ],
)
def test_padded_text_of_block_styles(repo: Path, block: str, value: str) -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n"
    text += f"  k: {block}\n" + "".join(f"    {line}\n" if line else "\n" for line in ["a", "  b"])
    text += "\n" if block == "|+" else ""
    text += "  other: 1\n"
    (entry_map,) = ok(repo, text).config_maps
    entry = entry_map.data["k"]
    assert entry.value == value
    assert entry.line == 6
    padded = entry.padded_text().split("\n")
    assert padded[5] == "    a"
    assert padded[6] == "      b"


def test_padded_text_of_plain_and_folded_values(repo: Path) -> None:
    text = """
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: x}
    data:
      plain: keepalive_timeout 5s;
      quoted: "a\\nb"
      folded: >
        one
        two
      empty: ""
      nothing:
      number: 8000
      nested: {a: b}
    """
    data = ok(repo, text).config_maps[0].data
    assert data["plain"].padded_text() == "\n" * 4 + "keepalive_timeout 5s;"
    assert (data["plain"].line, data["plain"].column) == (5, 10)
    assert data["quoted"].value == "a\nb"
    assert data["quoted"].column == 12  # after the quote
    assert data["folded"].value == "one two\n"
    assert (data["folded"].line, data["folded"].literal) == (8, False)
    assert data["folded"].padded_text() == "\n" * 7 + "one two\n"
    assert data["empty"].value == ""
    assert data["nothing"].value == ""
    assert data["number"].value == "8000"
    assert "nested" not in data


def test_container_env_resolves_as_the_kubelet_does(repo: Path) -> None:
    got = ok(repo, STACK)
    maps = {c.name: c for c in got.config_maps}
    secrets = {s.name: s for s in got.secrets}
    app = got.workloads[0].containers[1]
    env = container_env(app, maps, secrets)
    assert list(env) == [
        "nginx.conf",
        "WEB_CONCURRENCY",
        "GUNICORN_CMD_ARGS",
        "SECRET_KEY",
        "API_TOKEN",
        "BIND",
        "PORT",
        "ELSEWHERE",
        "TOKEN_URL",
    ]
    assert "bad key" not in env  # not a variable name: skipped
    # env overrides envFrom, and points at its own line
    assert env["WEB_CONCURRENCY"].value == "5"
    assert env["WEB_CONCURRENCY"].line == line_of(STACK, "- name: WEB_CONCURRENCY")
    # from envFrom: the ConfigMap key's line
    args = env["GUNICORN_CMD_ARGS"]
    assert (args.value, args.path, args.line) == (
        "--keep-alive 5",
        "k8s.yaml",
        line_of(STACK, "GUNICORN_CMD_ARGS:"),
    )
    assert env["SECRET_KEY"].value is None
    assert env["SECRET_KEY"].unknown == "set from Secret app-secrets (its value is not read)"
    # $(PORT) is defined after BIND: it stays as written
    assert env["BIND"].value == "0.0.0.0:$(PORT)"
    # PORT is not a key of the ConfigMap
    assert env["PORT"].value is None
    assert env["PORT"].unknown == "ConfigMap nginx has no key PORT"
    assert "OPTIONAL" not in env
    assert env["ELSEWHERE"].unknown == "ConfigMap elsewhere is not in the repository"
    # a reference to a Secret's key: not known
    assert env["TOKEN_URL"].value is None
    assert env["TOKEN_URL"].unknown is not None
    assert "$(API_TOKEN)" in env["TOKEN_URL"].unknown
    # without the Secrets, their keys are not known
    assert "SECRET_KEY" not in container_env(app, maps)
    assert container_env(app, {})["TOKEN_URL"].value == "https://$(API_TOKEN)@example"


def test_container_env_of_the_deployment(repo: Path) -> None:
    app = ok(repo, DEPLOYMENT).workloads[0].containers[0]
    app_env = ConfigMap(
        "app-env",
        None,
        "cm.yaml",
        3,
        {
            "settings": kubernetes.ConfigMapEntry("settings", "prod", 5, 13, False, 5, 3, "prod"),
            "WORKERS": kubernetes.ConfigMapEntry("WORKERS", "4", 6, 12, False, 6, 3, "4"),
        },
    )
    env = container_env(app, {"app-env": app_env})
    assert env["APP_WORKERS"].value == "4"
    assert (env["APP_WORKERS"].path, env["APP_WORKERS"].line) == ("cm.yaml", 6)
    assert env["APP_settings"].value == "prod"
    assert env["DJANGO_SETTINGS"].value == "prod"
    assert env["DJANGO_SETTINGS"].path == "k8s.yaml"
    assert env["DB_PASSWORD"].value is None
    assert env["DB_PASSWORD"].unknown is not None
    assert "Secret db key password" in env["DB_PASSWORD"].unknown
    assert env["POD_IP"].value is None
    assert env["POD_IP"].unknown is not None
    assert "status.podIP" in env["POD_IP"].unknown
    assert env["CPUS"].value is None
    assert env["CPUS"].unknown is not None
    assert "limits.cpu" in env["CPUS"].unknown
    assert app.args is not None
    words = expand_words(app.args, env)
    assert [w.text for w in words] == [
        "--bind=0.0.0.0:8000",
        "--workers",
        "4",
        "app.wsgi:application",
    ]
    assert words[0].raw == "--bind=0.0.0.0:$(PORT)"
    assert words[0].line == app.args[0].line
    (word,) = expand_words((kubernetes.Word("-w $(CPUS)", "-w $(CPUS)", 3),), env)
    assert word.text is None
    assert word.unknown is not None
    assert "limits.cpu" in word.unknown


# --- other shapes ------------------------------------------------------------------------------


def test_cronjob_pod_and_list(repo: Path) -> None:
    text = """
    apiVersion: batch/v1
    kind: CronJob
    metadata: {name: nightly}
    spec:
      schedule: "0 3 * * *"
      jobTemplate:
        spec:
          template:
            metadata: {labels: {job: nightly}}
            spec:
              restartPolicy: OnFailure
              containers:
                - name: report
                  image: shop
                  command: [python, -m, report]
    ---
    apiVersion: v1
    kind: Pod
    metadata:
      name: debug
      labels: {app: debug}
    spec:
      terminationGracePeriodSeconds: "5"
      containers:
        - name: shell
          image: busybox
          args: [sleep, "3600"]
    ---
    apiVersion: v1
    kind: List
    items:
      - apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db}
        spec:
          template:
            spec:
              containers: [{name: pg, image: postgres}]
      - apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: agent}
        spec: {template: {spec: {containers: [{name: agent, image: agent}]}}}
      - apiVersion: v1
        kind: ConfigMap
        metadata: {name: listed}
        data: {a: b}
      - apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: ignored}
      - just a string
    ---
    apiVersion: batch/v1
    kind: Job
    metadata: {name: once}
    spec: {template: {spec: {containers: [{name: job, image: shop}]}}}
    ---
    apiVersion: apps/v1
    kind: ReplicaSet
    metadata: {name: rs}
    spec: {template: {spec: {containers: [{name: rs, image: shop}]}}}
    """
    got = ok(repo, text)
    kinds = [(w.kind, w.name, [c.name for c in w.containers]) for w in got.workloads]
    assert kinds == [
        ("CronJob", "nightly", ["report"]),
        ("Pod", "debug", ["shell"]),
        ("StatefulSet", "db", ["pg"]),
        ("DaemonSet", "agent", ["agent"]),
        ("Job", "once", ["job"]),
        ("ReplicaSet", "rs", ["rs"]),
    ]
    cron, pod = got.workloads[:2]
    assert cron.pod_labels == {"job": "nightly"}
    assert cron.containers[0].command is not None
    assert [w.text for w in cron.containers[0].command] == ["python", "-m", "report"]
    assert pod.pod_labels == {"app": "debug"}
    assert pod.grace_period is not None
    assert pod.grace_period.value == 5
    assert pod.containers[0].args is not None
    assert [w.text for w in pod.containers[0].args] == ["sleep", "3600"]
    assert [c.name for c in got.config_maps] == ["listed"]
    assert got.workloads[2].line == line_of(text, "kind: StatefulSet")


def test_kustomization_and_other_yaml_give_empty_records(repo: Path) -> None:
    kustomization = """
    apiVersion: kustomize.config.k8s.io/v1beta1
    kind: Kustomization
    resources: [deployment.yaml, service.yaml]
    configMapGenerator:
      - name: app
        literals: [A=1]
    """
    assert looks_like_manifest(textwrap.dedent(kustomization).lstrip().encode())
    assert ok(repo, kustomization) == Manifests()
    assert ok(repo, "services:\n  web: {image: shop}\n") == Manifests()
    assert ok(repo, "") == Manifests()
    assert ok(repo, "--- 3\n--- [a, b]\n--- null\n") == Manifests()


def test_merge_keys_and_aliases(repo: Path) -> None:
    text = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    x-base: &base
      image: shop
      env: &env
        - {name: A, value: "1"}
    spec:
      template:
        spec:
          containers:
            - <<: *base
              name: web
              image: shop:2
            - <<: [*base]
              name: worker
              env: *env
    """
    web, worker = ok(repo, text).workloads[0].containers
    assert web.image is not None
    assert web.image.value == "shop:2"
    assert [e.name for e in web.env] == ["A"]
    assert worker.image is not None
    assert worker.image.value == "shop"
    assert worker.image.line == line_of(text, "image: shop")


# --- values ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("500m", 500),
        ("2", 2000),
        ("0.5", 500),
        ("1.5", 1500),
        ("1", 1000),
        ("100m", 100),
        ("0.1", 100),
        (".25", 250),
        ("1.", 1000),
        ("250000u", 250),
        ("1u", 1),  # rounded up to a whole millicore, as Kubernetes does
        ("1500000000n", 1500),
        ("1k", 1_000_000),
        ("1e3", 1_000_000),
        ("2E-3", 2),
        ("+3", 3000),
        ("0", 0),
        (" 4 ", 4000),
        ("", None),
        ("abc", None),
        ("-1", None),
        ("1.5.0", None),
        ("500 m", None),
        ("1x", None),
        ("1e999", None),
        ("1" * 40, None),
    ],
)
def test_millicores(text: str, expected: int | None) -> None:
    assert millicores(text) == expected


def test_cpu_values_in_the_manifest(repo: Path) -> None:
    text = """
    apiVersion: v1
    kind: Pod
    metadata: {name: p}
    spec:
      containers:
        - {name: a, resources: {limits: {cpu: 2}, requests: {cpu: 250m}}}
        - {name: b, resources: {limits: {cpu: lots}, requests: [1]}}
        - {name: c, resources: {limits: {cpu: 0.5}}}
        - {name: d, resources: 7}
    """
    a, b, c, d = ok(repo, text).workloads[0].containers
    assert a.cpu_limit is not None
    assert a.cpu_request is not None
    assert (a.cpu_limit.value, a.cpu_request.value) == (2000, 250)
    assert (b.cpu_limit, b.cpu_request) == (None, None)
    assert c.cpu_limit is not None
    assert c.cpu_limit.value == 500
    assert (d.cpu_limit, d.cpu_request) == (None, None)


def test_env_value_expansion(repo: Path) -> None:
    text = """
    apiVersion: v1
    kind: Pod
    metadata: {name: p}
    spec:
      containers:
        - name: app
          env:
            - {name: HOST, value: 0.0.0.0}
            - {name: PORT, value: "8000"}
            - {name: BIND, value: "$(HOST):$(PORT)"}
            - {name: ESCAPED, value: "$$(HOST) $$HOME $HOME $(HOST"}
            - {name: UNDEFINED, value: "$(LATER)-$(NOWHERE)"}
            - {name: LATER, value: x}
            - {name: SECRET, valueFrom: {secretKeyRef: {name: s, key: k}}}
            - {name: USES_SECRET, value: "a$(SECRET)"}
            - {name: EMPTY}
            - {name: LIST, value: [a]}
            - {name: BOTH, value: a, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
            - {name: ODD, valueFrom: {somethingNew: {}}}
            - {name: USES_ODD, value: "$(ODD)"}
            - {value: nameless}
            - not a mapping
            - {name: BIND, value: "$(BIND)/again"}
    """
    env = ok(repo, text).workloads[0].containers[0].env
    values = {e.name: e.value for e in env}
    assert values["BIND"] == "0.0.0.0:8000/again"  # the later entry, from the earlier BIND
    assert env[2].value == "0.0.0.0:8000"
    assert env[2].raw == "$(HOST):$(PORT)"
    assert values["ESCAPED"] == "$(HOST) $HOME $HOME $(HOST"
    assert values["UNDEFINED"] == "$(LATER)-$(NOWHERE)"
    by_name = {e.name: e for e in env}
    assert by_name["USES_SECRET"].value is None
    assert by_name["USES_SECRET"].why is not None
    assert "$(SECRET)" in by_name["USES_SECRET"].why
    assert "Secret s" in by_name["USES_SECRET"].why
    assert values["EMPTY"] == ""
    for name in ("LIST", "BOTH", "ODD", "USES_ODD"):
        assert by_name[name].value is None
        assert by_name[name].why
    assert [e.name for e in env].count("BIND") == 2
    assert len(env) == 14


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("$(A)", "1"),
        ("$$(A)", "$(A)"),
        ("$$$(A)", "$1"),
        ("$(A)$(A)", "11"),
        ("$(B)", "$(B)"),
        ("$(", "$("),
        ("$", "$"),
        ("a$", "a$"),
        ("$x", "$x"),
        ("$$", "$"),
        ("$()", "$()"),
        ("($(A))", "(1)"),
        ("é$(A)é", "é1é"),
    ],
)
def test_expand_follows_kubernetes(raw: str, expected: str) -> None:
    defined: dict[str, tuple[str | None, str | None]] = {"A": ("1", None)}
    assert expand(raw, defined.get) == (expected, None)


def test_expansion_does_not_grow_without_bound(repo: Path) -> None:
    lines = ["apiVersion: v1", "kind: Pod", "metadata: {name: p}", "spec:", "  containers:"]
    lines += ["    - name: app", "      env:", "        - {name: V0, value: xxxxxxxx}"]
    lines += [f"        - {{name: V{i}, value: $(V{i - 1})$(V{i - 1})}}" for i in range(1, 80)]
    (repo / "k8s.yaml").write_text("\n".join(lines) + "\n")
    started = time.monotonic()
    problems = Problems()
    got = read_manifests("k8s.yaml", problems)
    assert got is not None
    env = got.workloads[0].containers[0].env
    assert env[10].value == "x" * 8 * 2**10
    assert env[-1].value is None
    assert env[-1].why is not None
    assert "characters" in env[-1].why
    resolved = container_env(got.workloads[0].containers[0], {})
    assert resolved["V79"].value is None
    assert time.monotonic() - started < 2


# --- not manifests, broken manifests, hostile manifests ----------------------------------------


def test_a_helm_template_is_not_read(repo: Path) -> None:
    text = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: {{ include "chart.fullname" . }}
    spec:
      replicas: {{ .Values.replicaCount }}
    """
    got, problems = read(repo, text)
    assert got is None
    assert problems.items == []
    assert not looks_like_manifest(textwrap.dedent(text).encode())
    # a template that is not even YAML: no problem either
    got, problems = read(repo, "{{- if .Values.enabled }}\nkind: [\n{{- end }}\n")
    assert (got, problems.items) == (None, [])


def test_invalid_yaml_is_one_warning_with_its_line(repo: Path) -> None:
    text = """
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: x
    data:
      a: [1, 2
      b: 3
    """
    got, problems = read(repo, text)
    assert got is None
    (problem,) = problems.items
    assert problem.code == "GW008"
    assert problem.severity is not None
    assert problem.severity.value == "warning"
    assert problem.message.startswith("Kubernetes manifest is not valid YAML: ")
    assert problem.location.path == "k8s.yaml"
    assert problem.location.line == 7
    assert problem.location.column is not None


def test_invalid_yaml_in_a_file_that_is_no_manifest_is_not_reported(repo: Path) -> None:
    got, problems = read(repo, "name: ci\non: [push\n")
    assert (got, problems.items) == (None, [])


def test_a_file_outside_the_working_directory_is_refused(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("elsewhere") / "k8s.yaml"
    outside.write_text("apiVersion: v1\nkind: Pod\n")
    (repo / "link.yaml").symlink_to(outside)
    problems = Problems()
    assert read_manifests("link.yaml", problems) is None
    assert [p.code for p in problems.items] == ["GW008"]


def bomb(levels: int = 9) -> str:
    lines = ["  a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        lines.append(f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_a_warning_not_a_hang(repo: Path) -> None:
    text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nx-bomb:\n" + bomb()
    (repo / "k8s.yaml").write_text(text)
    started = time.monotonic()
    problems = Problems()
    assert read_manifests("k8s.yaml", problems) is None
    assert time.monotonic() - started < 2
    (problem,) = problems.items
    assert problem.code == "GW008"
    assert problem.severity is not None
    assert problem.severity.value == "warning"
    assert problem.message == (
        f"Kubernetes manifest expands to more than {kubernetes.MAX_NODES} YAML nodes (aliases); "
        "not read"
    )


def test_merge_key_bombs_and_cycles_end(repo: Path) -> None:
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: x}", "x:"]
    lines.append("  m0: &m0 {a: 1, b: 2}")
    for i in range(1, 12):
        bases = ", ".join([f"*m{i - 1}"] * 9)
        lines.append(f"  m{i}: &m{i} {{<<: [{bases}], k{i}: v}}")
    lines.append("data: *m11")
    (repo / "k8s.yaml").write_text("\n".join(lines) + "\n")
    started = time.monotonic()
    problems = Problems()
    assert read_manifests("k8s.yaml", problems) is None
    assert [p.code for p in problems.items] == ["GW008"]
    # a mapping that contains itself, and one that merges itself
    cycle = """
    apiVersion: v1
    kind: Pod
    metadata: &m {name: p, self: *m}
    spec: &s
      <<: *s
      containers: &c [{name: a, args: *c}]
    """
    got, problems = read(repo, cycle)
    assert problems.items == []
    assert got is not None
    (container,) = got.workloads[0].containers
    assert (container.name, container.args) == ("a", ())
    # a list that holds itself twice: 2**100 paths
    got, problems = read(repo, cycle.replace("args: *c", "args: *c, env: *c"))
    assert got is None
    assert [p.code for p in problems.items] == ["GW008"]
    assert time.monotonic() - started < 4


def test_a_bomb_in_a_kind_that_is_not_read_is_not_expanded(repo: Path) -> None:
    text = "apiVersion: example.com/v1\nkind: Widget\nspec:\n" + bomb()
    started = time.monotonic()
    assert ok(repo, text) == Manifests()
    assert time.monotonic() - started < 2


def test_too_many_nodes_are_not_composed(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kubernetes, "MAX_COMPOSED", 1000)
    text = "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: [" + ", ".join(["x"] * 2000) + "]\n"
    got, problems = read(repo, text)
    assert got is None
    assert [p.message for p in problems.items] == [
        "Kubernetes manifest has more than 1000 YAML nodes; not read"
    ]


def test_deep_nesting_is_not_a_crash(repo: Path) -> None:
    text = "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: " + "[" * 5000 + "]" * 5000 + "\n"
    got, problems = read(repo, text)
    assert got is None
    assert [p.message for p in problems.items] == [
        "Kubernetes manifest nests too deeply to be read; not read"
    ]
    got, problems = read(repo, text.replace("[" * 5000, "[" * 200).replace("]" * 5000, "]" * 200))
    assert problems.items == []
    assert got is not None
    assert got.config_maps[0].data == {}


def test_a_character_yaml_refuses_is_reported_at_its_line(repo: Path) -> None:
    got, problems = read(repo, "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: \x07\n")
    assert got is None
    (problem,) = problems.items
    assert problem.message.startswith("Kubernetes manifest is not valid YAML: unacceptable ")
    assert (problem.location.line, problem.location.column) == (4, 6)


def test_unexpected_shapes_are_skipped(repo: Path) -> None:
    text = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: [not, a, mapping]
    spec:
      template:
        metadata: {labels: [a]}
        spec:
          terminationGracePeriodSeconds: soon
          volumes: {conf: {configMap: {name: x}}}
          containers:
            - name: [a]
              image: {repo: shop}
              command: gunicorn app:app
              args: [1, 2.5, true, null, [nested], {a: b}]
              env: {A: b}
              envFrom: [{configMapRef: name}, {secretRef: {name: [x]}}, 3]
              ports: [{containerPort: http}, {containerPort: 80.5}, 8000]
              volumeMounts: [{name: a}, {mountPath: /x}, 3]
            - 42
            - null
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: 3}
    spec: {selector: [a], ports: {port: 80}}
    ---
    apiVersion: v1
    kind: ConfigMap
    data: [a, b]
    ---
    kind: Secret
    data: null
    stringData: {a: [b]}
    ---
    kind: [Deployment]
    ---
    kind: Pod
    spec: 7
    """
    got = ok(repo, text)
    (web, pod) = got.workloads
    assert (web.name, web.pod_labels, web.grace_period, web.volumes) == ("", {}, None, {})
    (app,) = web.containers
    assert app.name == ""
    assert app.image is None
    assert app.command is None  # a string, not a list: Kubernetes refuses it
    assert app.args is not None
    assert [w.text for w in app.args] == ["1", "2.5", "true"]
    assert (app.env, app.env_from, app.ports, app.volume_mounts) == ((), (), (), ())
    assert pod.containers == ()
    (service,) = got.services
    assert (service.name, service.selector, service.ports) == ("3", {}, ())
    assert got.config_maps[0].data == {}
    assert got.secrets[0].keys == ("a",)


# any value anywhere in a Deployment: read or skipped, never raised on
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
_PATHS = [
    (),
    ("metadata",),
    ("spec",),
    ("spec", "template"),
    ("spec", "template", "spec"),
    ("spec", "template", "spec", "containers"),
    ("spec", "template", "spec", "containers", 0),
    ("spec", "template", "spec", "containers", 0, "env"),
    ("spec", "template", "spec", "containers", 0, "env", 0),
    ("spec", "template", "spec", "containers", 0, "env", 0, "valueFrom"),
    ("spec", "template", "spec", "containers", 0, "resources"),
    ("spec", "template", "spec", "containers", 0, "args"),
    ("spec", "template", "spec", "volumes"),
    ("spec", "template", "spec", "volumes", 0),
]


def _skeleton() -> dict[str, object]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "app",
                            "env": [{"name": "A", "valueFrom": {"configMapKeyRef": {}}}],
                            "resources": {"limits": {"cpu": "1"}},
                            "args": ["a"],
                        }
                    ],
                    "volumes": [{"name": "v", "configMap": {"name": "c"}}],
                }
            }
        },
    }


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(where=st.sampled_from(_PATHS), key=st.text(max_size=12), value=_json)
def test_any_value_anywhere_is_never_raised_on(
    repo: Path, where: tuple[str | int, ...], key: str, value: object
) -> None:
    document = _skeleton()
    node: object = document
    for step in where:
        node = node[step]  # type: ignore[index]
    if isinstance(node, dict):
        node[key or "x"] = value
        for field in list(node):
            if field != "kind" and len(key) % 3 == 0:
                node[field] = value
    elif isinstance(node, list):
        node.append(value)
    text = json.dumps(document)  # JSON is YAML
    (repo / "k8s.yaml").write_text(text)
    problems = Problems()
    got = read_manifests("k8s.yaml", problems)
    assert problems.items == []
    if "{{" in text and "}}" in text.split("{{", 1)[1]:
        assert got is None  # a Helm template (a "{{" key closed by JSON's "}}"): not read
        return
    assert got is not None
    for workload in got.workloads:
        for container in workload.containers:
            container_env(container, {c.name: c for c in got.config_maps})


# --- classifying files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("apiVersion: v1\nkind: Service\n", True),
        ("kind: Service\napiVersion: v1\nmetadata: {name: x}\n", True),
        ("\ufeffapiVersion: v1\nkind: Pod\n", True),
        ('"apiVersion": v1\n"kind": Pod\n', True),
        ("# comment\n---\napiVersion: apps/v1\nkind: Deployment\n---\nkind: x\n", True),
        ("apiVersion: v1\nkind: List\nitems: []\n", True),
        ("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n", True),
        # compose files
        ("services:\n  web:\n    image: shop\n", False),
        ("version: '3.8'\nservices:\n  web:\n    build: .\n    command: gunicorn app:app\n", False),
        # a GitHub workflow
        ("name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n", False),
        # indented: not at the top level
        ("items:\n  - apiVersion: v1\n    kind: Pod\n", False),
        # apiVersion and kind in different documents
        ("apiVersion: v1\n---\nkind: Pod\n", False),
        ("kind: Pod\n", False),
        ("apiVersion: v1\nkind_of: Pod\n", False),
        # a Helm template
        ("apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n", False),
        ("", False),
        ("\x00\xff binary", False),
    ],
)
def test_looks_like_manifest(text: str, expected: bool) -> None:
    assert looks_like_manifest(text.encode("utf-8", "surrogateescape")) is expected


def test_looks_like_manifest_reads_the_first_64_kib() -> None:
    late = b"#" * 70_000 + b"\napiVersion: v1\nkind: Pod\n"
    assert not looks_like_manifest(late)
    assert looks_like_manifest(b"apiVersion: v1\nkind: Pod\n" + b"#" * 100_000)


def test_importing_the_module_does_not_import_yaml() -> None:
    code = "import sys, gwlint.loaders.kubernetes; print('yaml' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


def test_records_are_frozen(repo: Path) -> None:
    app = ok(repo, DEPLOYMENT).workloads[0].containers[0]
    assert isinstance(app, Container)
    with pytest.raises(AttributeError):
        app.name = "x"  # type: ignore[misc]
    assert not hasattr(app, "__dict__")
    assert isinstance(app.env[0], EnvEntry)
