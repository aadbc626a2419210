"""Kubernetes manifests: the pods that start an app server, and what they read.

``read_manifests`` reads a plain manifest file (one or more YAML documents, or a ``kind: List``)
into small records: the workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob,
Pod) with their containers (command, args, env, ports, CPU, mounts) and volumes, the ConfigMaps
(with the line of every value, so that an nginx.conf held in one is read with findings at the
right line of the YAML file), the keys of the Secrets (never their values) and the Services.
Other kinds are skipped. A Helm chart template (``{{ ... }}``) is not a manifest: it is not read.

The input comes from untrusted pull requests: the file is read through ``read_text`` (size limit,
working directory only), YAML is composed into PyYAML's node tree (no constructors run) and every
walk is bounded: aliases and merge keys are counted each time they are reached, against a budget
of ``MAX_NODES`` per file, and nesting is limited. Any shape that is not what Kubernetes expects
(a list for a mapping, a mapping for a string, null) is skipped, never raised on.

``container_env`` resolves a container's environment as the kubelet does (``envFrom`` first, then
``env`` in order, ``$(VAR)`` references expanded), with the ConfigMaps of the repository.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any, Generic, Literal, TypeVar

from gwlint.loaders.common import Problems, read_text
from gwlint.loaders.launch import EnvValue, Word
from gwlint.loaders.yaml_nodes import TooBig as _TooBig
from gwlint.loaders.yaml_nodes import TooManyNodes as _TooManyNodes
from gwlint.loaders.yaml_nodes import compose_all
from gwlint.loaders.yaml_nodes import count as count_nodes

CODE = "GW008"
KIND = "Kubernetes manifest"
MAX_NODES = 200_000  # YAML node visits per file, aliases counted each time they are reached
MAX_COMPOSED = 500_000  # YAML nodes composed per file (about 600 bytes each)
MAX_DEPTH = 100  # nesting the node count follows (manifests nest about 10 levels)
MAX_MERGE_DEPTH = 16  # ``<<: *base`` chains
MAX_VALUE = 64 * 1024  # characters of an env value after ``$(VAR)`` expansion
HEAD_BYTES = 64 * 1024

WORKLOAD_KINDS = frozenset(
    {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"}
)
_READ_KINDS = WORKLOAD_KINDS | {"ConfigMap", "Secret", "Service"}

T = TypeVar("T")
_Node = Any  # a yaml.Node (PyYAML is imported only when a manifest is read)


# --- records ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Located(Generic[T]):
    """A value read from the manifest: ``raw`` as written (quotes included), and where."""

    value: T
    raw: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class EnvEntry:
    """One item of a container's ``env:``.

    Exactly one of ``value`` (``value:``, with ``$(VAR)`` references to earlier entries expanded
    and ``$$`` read as ``$``), ``config_map`` (name, key, optional), ``secret`` (name, key),
    ``field_ref`` or ``resource_field_ref`` is set; when none is (unknown, unsupported, or a
    reference to an earlier entry whose value is not known here), ``why`` says why. ``raw`` is
    the ``value:`` as written, before expansion.
    """

    name: str
    line: int
    column: int
    value: str | None = None
    config_map: tuple[str, str, bool] | None = None
    secret: tuple[str, str] | None = None
    field_ref: str | None = None
    resource_field_ref: str | None = None
    why: str | None = None
    raw: str | None = None


@dataclass(frozen=True, slots=True)
class EnvFrom:
    """One item of ``envFrom:``: every key of a ConfigMap or Secret, with ``prefix``."""

    kind: Literal["configMap", "secret"]
    name: str
    prefix: str
    optional: bool
    line: int


@dataclass(frozen=True, slots=True)
class ContainerPort:
    container_port: int
    name: str | None
    line: int


@dataclass(frozen=True, slots=True)
class Mount:
    name: str
    mount_path: str
    sub_path: str | None
    line: int


@dataclass(frozen=True, slots=True)
class Volume:
    """A pod volume; ``items`` (key, path) of a configMap or secret volume."""

    name: str
    line: int
    config_map: str | None = None
    items: tuple[tuple[str, str], ...] = ()
    secret: str | None = None
    empty_dir: bool = False
    host_path: str | None = None
    pvc: str | None = None


@dataclass(frozen=True, slots=True)
class Container:
    """A container of a pod. ``command``/``args`` None: not written (the image's ENTRYPOINT/CMD
    apply); each item is one word, ``$(VAR)`` not expanded (see ``expand_words``). CPU in
    millicores."""

    name: str
    path: str
    line: int
    image: Located[str] | None = None
    command: tuple[Word, ...] | None = None
    args: tuple[Word, ...] | None = None
    working_dir: str | None = None
    env: tuple[EnvEntry, ...] = ()
    env_from: tuple[EnvFrom, ...] = ()
    ports: tuple[ContainerPort, ...] = ()
    cpu_limit: Located[int] | None = None
    cpu_request: Located[int] | None = None
    volume_mounts: tuple[Mount, ...] = ()


@dataclass(frozen=True, slots=True)
class Workload:
    """A Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod: its pod template.
    ``grace_period``: ``terminationGracePeriodSeconds`` as written (None: not written, Kubernetes
    then gives 30 s). ``namespace`` None: the namespace it is applied to."""

    kind: str
    name: str
    namespace: str | None
    path: str
    line: int
    pod_labels: dict[str, str]
    grace_period: Located[int] | None
    containers: tuple[Container, ...]
    init_containers: tuple[Container, ...]
    volumes: dict[str, Volume]


@dataclass(frozen=True, slots=True)
class ConfigMapEntry:
    """A key of a ConfigMap's ``data:``. ``line``/``column``: the value's first character (for a
    block scalar, the line after its ``|``/``>`` header); ``key_line``/``key_column``: the key.
    ``literal``: a ``|`` block scalar. ``source``: the value's lines as the file holds them (a
    literal block: with their indentation), for ``padded_text``."""

    key: str
    value: str
    line: int
    column: int
    literal: bool
    key_line: int
    key_column: int
    source: str

    def padded_text(self) -> str:
        """The value placed so that its line N is line N of the manifest file: blank lines
        before it; a literal block's lines exactly as in the file (indentation kept)."""
        if not self.literal:
            return "\n" * (self.line - 1) + self.value
        end = "\n" if self.source and self.value.endswith("\n") else ""
        return "\n" * (self.line - 1) + self.source + end


@dataclass(frozen=True, slots=True)
class ConfigMap:
    name: str
    namespace: str | None
    path: str
    line: int
    data: dict[str, ConfigMapEntry]


@dataclass(frozen=True, slots=True)
class SecretKeys:
    """A Secret: its keys (``data:`` and ``stringData:``), never its values."""

    name: str
    namespace: str | None
    path: str
    line: int
    keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ServicePort:
    """``target_port`` None: the same as ``port``; a str: a named container port."""

    port: int
    target_port: int | str | None
    name: str | None
    protocol: str
    line: int


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    namespace: str | None
    path: str
    line: int
    selector: dict[str, str]
    ports: tuple[ServicePort, ...]


@dataclass(frozen=True, slots=True)
class Manifests:
    workloads: tuple[Workload, ...] = ()
    config_maps: tuple[ConfigMap, ...] = ()
    secrets: tuple[SecretKeys, ...] = ()
    services: tuple[Service, ...] = ()


# --- classifying a file -----------------------------------------------------------------------

_DOC_SEPARATOR = re.compile(rb"(?m)^---")
_API_VERSION = re.compile(rb"(?m)^[\"']?apiVersion[\"']?[ \t]*:")
_KIND = re.compile(rb"(?m)^[\"']?kind[\"']?[ \t]*:")


def _templated(text: str) -> bool:
    """Whether the text holds a Go/Helm template action ``{{ ... }}`` (linear: no regex)."""
    start = text.find("{{")
    return start != -1 and text.find("}}", start + 2) != -1


def looks_like_manifest(head: bytes) -> bool:
    """Whether a YAML file is a Kubernetes manifest, from its first 64 KiB: some document has
    ``apiVersion:`` and ``kind:`` at its top level (column 0). A Helm/Go template (``{{ }}``) is
    not one; nor is a compose file or a CI workflow."""
    head = head[:HEAD_BYTES]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if _templated(head.decode("utf-8", "replace")):
        return False
    return any(
        _API_VERSION.search(document) is not None and _KIND.search(document) is not None
        for document in _DOC_SEPARATOR.split(head)
    )


# --- reading ----------------------------------------------------------------------------------


def read_manifests(path: str, problems: Problems) -> Manifests | None:
    """The workloads, ConfigMaps, Secrets and Services of a manifest file; None when it cannot
    be read (after a GW008 warning), or when it is a template."""
    import yaml  # type: ignore[import-untyped, unused-ignore]

    text = read_text(path, CODE, problems, kind=KIND)
    if text is None or _templated(text):
        return None
    reader = _Reader(path, text)
    try:
        documents = compose_all(text, MAX_COMPOSED)
    except _TooManyNodes:
        message = f"Kubernetes manifest has more than {MAX_COMPOSED} YAML nodes; not read"
        problems.add(CODE, path, 1, message, severity="warning")
        return None
    except yaml.MarkedYAMLError as exc:
        if not looks_like_manifest(text.encode("utf-8", "replace")):
            return None
        mark = exc.problem_mark or exc.context_mark
        line, column = reader.pos(mark.index) if mark is not None else (1, None)
        what = exc.problem or exc.context or "syntax error"
        problems.add(
            CODE,
            path,
            line,
            f"Kubernetes manifest is not valid YAML: {what}",
            column=column,
            severity="warning",
        )
        return None
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        if not looks_like_manifest(text.encode("utf-8", "replace")):
            return None
        if isinstance(exc, RecursionError):
            message = "Kubernetes manifest nests too deeply to be read; not read"
        else:
            message = f"Kubernetes manifest is not valid YAML: {str(exc).split(chr(10))[0]}"
        position = getattr(exc, "position", None)  # a ReaderError: a character YAML refuses
        line, column = reader.pos(position) if isinstance(position, int) else (1, None)
        problems.add(CODE, path, line, message, column=column, severity="warning")
        return None
    try:
        roots = [(kind, node) for document in documents for kind, node in reader.roots(document)]
        reader.count(node for _, node in roots)
        return reader.manifests(roots)
    except _TooBig:
        problems.add(
            CODE,
            path,
            1,
            f"Kubernetes manifest expands to more than {MAX_NODES} YAML nodes (aliases); not read",
            severity="warning",
        )
        return None


class _Reader:
    """One manifest file's node trees, read with a budget."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]
        self.visits = 0  # node visits while reading the records (a second guard, see count)

    # positions: lines are counted by "\n", as editors and the other loaders do

    def pos(self, index: int) -> tuple[int, int]:
        row = bisect_right(self.starts, index) - 1
        return row + 1, index - self.starts[row] + 1

    def at(self, node: _Node) -> tuple[int, int]:
        return self.pos(node.start_mark.index)

    def raw(self, node: _Node) -> str:
        return self.text[node.start_mark.index : node.end_mark.index]

    def content_at(self, node: _Node, *, first_line: bool = False) -> tuple[int, int]:
        """Where a scalar's value starts: the first character after an opening quote; for a
        block scalar the first non-blank content character (``first_line``: the line after the
        header, with that character's column)."""
        line, column = self.at(node)
        style = getattr(node, "style", None)
        if style in ('"', "'"):
            return line, column + 1
        if style not in ("|", ">"):
            return line, column
        end = min(node.end_mark.index, len(self.text))
        row = line  # 0-based index of the line after the header
        while row < len(self.starts) and self.starts[row] < end:
            start = self.starts[row]
            stop = self.starts[row + 1] if row + 1 < len(self.starts) else len(self.text)
            chunk = self.text[start:stop]
            stripped = chunk.lstrip(" \t")
            if stripped.strip():
                found = (row + 1, len(chunk) - len(stripped) + 1)
                return (line + 1, found[1]) if first_line else found
            row += 1
        return line + 1, 1

    def lines(self, first: int, count: int) -> str:
        """``count`` lines of the file from line ``first``, without their line breaks' ``\\r``."""
        if count <= 0 or first < 1 or first > len(self.starts):
            return ""
        start = self.starts[first - 1]
        last = first - 1 + count
        stop = self.starts[last] - 1 if last < len(self.starts) else len(self.text)
        return self.text[start:stop].replace("\r\n", "\n")

    # bounded node access

    def charge(self, n: int = 1) -> None:
        self.visits += n
        if self.visits > 2 * MAX_NODES:
            raise _TooBig

    def count(self, roots: Any) -> None:
        """Count the nodes of the documents to read, each alias every time it is reached (an
        explicit stack, no recursion); over ``MAX_NODES``: _TooBig. Every walk that follows
        reaches a subset of what is counted here."""
        count_nodes(roots, MAX_NODES, MAX_DEPTH)

    def pairs(self, node: _Node, depth: int = 0) -> list[tuple[str, _Node, _Node]]:
        """(key, key node, value node) of a mapping, merge keys (``<<: *base``) applied."""
        if getattr(node, "id", None) != "mapping" or depth > MAX_MERGE_DEPTH:
            return []
        merged: list[tuple[str, _Node, _Node]] = []
        own: list[tuple[str, _Node, _Node]] = []
        for key, value in node.value:
            self.charge()
            if getattr(key, "id", None) != "scalar":
                continue
            if key.tag == "tag:yaml.org,2002:merge":
                bases = value.value if getattr(value, "id", None) == "sequence" else [value]
                for base in bases:
                    merged.extend(self.pairs(base, depth + 1))
            else:
                own.append((str(key.value), key, value))
        out: dict[str, tuple[str, _Node, _Node]] = {}
        for item in merged:
            out.setdefault(item[0], item)  # the first base that has a key gives it
        for item in own:
            out.pop(item[0], None)
            out[item[0]] = item
        return list(out.values())

    def fields_of(self, node: _Node) -> dict[str, _Node]:
        return {name: value for name, _, value in self.pairs(node)}

    def items(self, node: _Node) -> list[_Node]:
        if getattr(node, "id", None) != "sequence":
            return []
        self.charge(len(node.value))
        return list(node.value)

    @staticmethod
    def is_null(node: _Node) -> bool:
        return node is None or (
            getattr(node, "id", None) == "scalar"
            and node.tag == "tag:yaml.org,2002:null"
            and node.value in ("", "~", "null", "Null", "NULL")
        )

    def scalar(self, node: _Node) -> str | None:
        """A scalar's text; None for null, a list or a mapping."""
        if getattr(node, "id", None) != "scalar" or self.is_null(node):
            return None
        return str(node.value)

    def number(self, node: _Node) -> int | None:
        """An integer, or a string of digits (``"8000"``)."""
        text = self.scalar(node)
        if text is None:
            return None
        text = text.strip()
        if not re.fullmatch(r"[+]?[0-9]{1,18}", text):
            return None
        return int(text)

    def flag(self, node: _Node) -> bool:
        text = self.scalar(node)
        return text is not None and text.lower() in ("true", "yes", "on", "y")

    def labels(self, node: _Node) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, value in self.fields_of(node).items():
            text = self.scalar(value)
            if text is not None:
                out[name] = text
        return out

    def located_int(self, node: _Node) -> Located[int] | None:
        value = self.number(node)
        if value is None:
            return None
        return Located(value, self.raw(node), *self.at(node))

    # documents

    def roots(self, document: _Node) -> list[tuple[str, _Node]]:
        """(kind, node) of the objects of a document that are read: the document itself, or the
        items of a ``kind: List``. Only the top-level keys are looked at here."""
        kind = self._kind(document)
        if kind in _READ_KINDS:
            return [(kind, document)]
        if kind is not None and kind.endswith("List"):
            for key, value in getattr(document, "value", ()):
                if getattr(key, "id", None) == "scalar" and key.value == "items":
                    items = value.value if getattr(value, "id", None) == "sequence" else []
                    got = [(self._kind(item), item) for item in items]
                    return [(k, item) for k, item in got if k in _READ_KINDS and k is not None]
        return []

    def _kind(self, node: _Node) -> str | None:
        if getattr(node, "id", None) != "mapping":
            return None
        for key, value in node.value:
            if getattr(key, "id", None) == "scalar" and key.value == "kind":
                return self.scalar(value)
        return None

    def manifests(self, roots: list[tuple[str, _Node]]) -> Manifests:
        workloads: list[Workload] = []
        config_maps: list[ConfigMap] = []
        secrets: list[SecretKeys] = []
        services: list[Service] = []
        for kind, node in roots:
            fields = {name: (key, value) for name, key, value in self.pairs(node)}
            kind_key = fields.get("kind", (node, None))[0]
            line = self.at(kind_key)[0]
            meta = self.fields_of(fields.get("metadata", (None, None))[1])
            name = self.scalar(meta.get("name")) or self.scalar(meta.get("generateName")) or ""
            namespace = self.scalar(meta.get("namespace"))
            values = {k: v for k, (_, v) in fields.items()}
            if kind in WORKLOAD_KINDS:
                workloads.append(self.workload(kind, name, namespace, line, meta, values))
            elif kind == "ConfigMap":
                data = self.config_map_data(values.get("data"))
                config_maps.append(ConfigMap(name, namespace, self.path, line, data))
            elif kind == "Secret":
                keys = dict.fromkeys(
                    [*self.fields_of(values.get("data")), *self.fields_of(values.get("stringData"))]
                )
                secrets.append(SecretKeys(name, namespace, self.path, line, tuple(keys)))
            elif kind == "Service":
                services.append(self.service(name, namespace, line, values.get("spec")))
        return Manifests(tuple(workloads), tuple(config_maps), tuple(secrets), tuple(services))

    # workloads

    def workload(
        self,
        kind: str,
        name: str,
        namespace: str | None,
        line: int,
        meta: dict[str, _Node],
        fields: dict[str, _Node],
    ) -> Workload:
        spec = self.fields_of(fields.get("spec"))
        if kind == "Pod":
            pod_meta, pod_spec = meta, spec
        else:
            if kind == "CronJob":
                spec = self.fields_of(self.fields_of(spec.get("jobTemplate")).get("spec"))
            template = self.fields_of(spec.get("template"))
            pod_meta = self.fields_of(template.get("metadata"))
            pod_spec = self.fields_of(template.get("spec"))
        grace = pod_spec.get("terminationGracePeriodSeconds")
        volumes: dict[str, Volume] = {}
        for item in self.items(pod_spec.get("volumes")):
            volume = self.volume(item)
            if volume is not None:
                volumes[volume.name] = volume
        return Workload(
            kind=kind,
            name=name,
            namespace=namespace,
            path=self.path,
            line=line,
            pod_labels=self.labels(pod_meta.get("labels")),
            grace_period=self.located_int(grace),
            containers=self.containers(pod_spec.get("containers")),
            init_containers=self.containers(pod_spec.get("initContainers")),
            volumes=volumes,
        )

    def volume(self, node: _Node) -> Volume | None:
        fields = self.fields_of(node)
        name = self.scalar(fields.get("name"))
        if not name:
            return None
        config_map = self.fields_of(fields.get("configMap"))
        secret = self.fields_of(fields.get("secret"))
        items: list[tuple[str, str]] = []
        for item in self.items((config_map or secret).get("items")):
            item_fields = self.fields_of(item)
            key, to = self.scalar(item_fields.get("key")), self.scalar(item_fields.get("path"))
            if key is not None and to is not None:
                items.append((key, to))
        host_path = self.fields_of(fields.get("hostPath"))
        pvc = self.fields_of(fields.get("persistentVolumeClaim"))
        return Volume(
            name=name,
            line=self.at(node)[0],
            config_map=self.scalar(config_map.get("name")) if config_map else None,
            items=tuple(items),
            secret=self.scalar(secret.get("secretName")) if secret else None,
            empty_dir="emptyDir" in fields,
            host_path=self.scalar(host_path.get("path")) if host_path else None,
            pvc=self.scalar(pvc.get("claimName")) if pvc else None,
        )

    def containers(self, node: _Node) -> tuple[Container, ...]:
        out: list[Container] = []
        for item in self.items(node):
            if getattr(item, "id", None) != "mapping":
                continue
            fields = self.fields_of(item)
            image = fields.get("image")
            image_text = self.scalar(image)
            resources = self.fields_of(fields.get("resources"))
            limits = self.fields_of(resources.get("limits"))
            requests = self.fields_of(resources.get("requests"))
            out.append(
                Container(
                    name=self.scalar(fields.get("name")) or "",
                    path=self.path,
                    line=self.at(item)[0],
                    image=(
                        Located(image_text, self.raw(image), *self.content_at(image))
                        if image_text is not None
                        else None
                    ),
                    command=self.words(fields.get("command")),
                    args=self.words(fields.get("args")),
                    working_dir=self.scalar(fields.get("workingDir")),
                    env=self.env(fields.get("env")),
                    env_from=self.env_from(fields.get("envFrom")),
                    ports=self.ports(fields.get("ports")),
                    cpu_limit=self.cpu(limits.get("cpu")),
                    cpu_request=self.cpu(requests.get("cpu")),
                    volume_mounts=self.mounts(fields.get("volumeMounts")),
                )
            )
        return tuple(out)

    def words(self, node: _Node) -> tuple[Word, ...] | None:
        if getattr(node, "id", None) != "sequence":
            return None
        out: list[Word] = []
        for item in self.items(node):
            text = self.scalar(item)
            if text is None:
                continue
            line, column = self.content_at(item)
            out.append(Word(text, self.raw(item), line, column))
        return tuple(out)

    def cpu(self, node: _Node) -> Located[int] | None:
        text = self.scalar(node)
        value = millicores(text) if text is not None else None
        if value is None:
            return None
        return Located(value, self.raw(node), *self.content_at(node))

    def ports(self, node: _Node) -> tuple[ContainerPort, ...]:
        out: list[ContainerPort] = []
        for item in self.items(node):
            fields = self.fields_of(item)
            port = self.number(fields.get("containerPort"))
            if port is not None:
                out.append(ContainerPort(port, self.scalar(fields.get("name")), self.at(item)[0]))
        return tuple(out)

    def mounts(self, node: _Node) -> tuple[Mount, ...]:
        out: list[Mount] = []
        for item in self.items(node):
            fields = self.fields_of(item)
            name, mount_path = self.scalar(fields.get("name")), self.scalar(fields.get("mountPath"))
            if name is None or mount_path is None:
                continue
            sub_path = self.scalar(fields.get("subPath"))
            out.append(Mount(name, mount_path, sub_path, self.at(item)[0]))
        return tuple(out)

    def env_from(self, node: _Node) -> tuple[EnvFrom, ...]:
        out: list[EnvFrom] = []
        for item in self.items(node):
            fields = self.fields_of(item)
            prefix = self.scalar(fields.get("prefix")) or ""
            kind: Literal["configMap", "secret"]
            for kind, key in (("configMap", "configMapRef"), ("secret", "secretRef")):
                ref = self.fields_of(fields.get(key))
                name = self.scalar(ref.get("name"))
                if name is not None:
                    optional = self.flag(ref.get("optional"))
                    out.append(EnvFrom(kind, name, prefix, optional, self.at(item)[0]))
        return tuple(out)

    def env(self, node: _Node) -> tuple[EnvEntry, ...]:
        out: list[EnvEntry] = []
        known: dict[str, tuple[str | None, str | None]] = {}  # earlier entries: value, why
        for item in self.items(node):
            fields = self.fields_of(item)
            name = self.scalar(fields.get("name"))
            if not name:
                continue
            line, column = self.at(item)
            entry = self.env_entry(name, line, column, fields, known)
            out.append(entry)
            known[name] = (entry.value, _why_not_known(entry))
        return tuple(out)

    def env_entry(
        self,
        name: str,
        line: int,
        column: int,
        fields: dict[str, _Node],
        known: dict[str, tuple[str | None, str | None]],
    ) -> EnvEntry:
        source = fields.get("valueFrom")
        if source is not None and not self.is_null(source):
            if "value" in fields and not self.is_null(fields["value"]):
                both = "sets both value and valueFrom (Kubernetes rejects it)"
                return EnvEntry(name, line, column, why=both)
            return self.value_from(name, line, column, self.fields_of(source))
        value_node = fields.get("value")
        if value_node is not None and getattr(value_node, "id", None) != "scalar":
            return EnvEntry(name, line, column, why="its value is not a string")
        raw = self.scalar(value_node) or ""
        value, why = expand(raw, known.get)
        return EnvEntry(name, line, column, value=value, why=why, raw=raw)

    def value_from(self, name: str, line: int, column: int, source: dict[str, _Node]) -> EnvEntry:
        config_map = self.fields_of(source.get("configMapKeyRef"))
        secret = self.fields_of(source.get("secretKeyRef"))
        field = self.fields_of(source.get("fieldRef"))
        resource = self.fields_of(source.get("resourceFieldRef"))
        if config_map:
            cm_name, key = self.scalar(config_map.get("name")), self.scalar(config_map.get("key"))
            if cm_name is not None and key is not None:
                optional = self.flag(config_map.get("optional"))
                return EnvEntry(name, line, column, config_map=(cm_name, key, optional))
        elif secret:
            secret_name, key = self.scalar(secret.get("name")), self.scalar(secret.get("key"))
            if secret_name is not None and key is not None:
                return EnvEntry(name, line, column, secret=(secret_name, key))
        elif field:
            field_path = self.scalar(field.get("fieldPath"))
            if field_path is not None:
                return EnvEntry(name, line, column, field_ref=field_path)
        elif resource:
            what = self.scalar(resource.get("resource"))
            if what is not None:
                return EnvEntry(name, line, column, resource_field_ref=what)
        return EnvEntry(name, line, column, why="its valueFrom is not one gwlint reads")

    # ConfigMaps and Services

    def config_map_data(self, node: _Node) -> dict[str, ConfigMapEntry]:
        out: dict[str, ConfigMapEntry] = {}
        for key, key_node, value_node in self.pairs(node):
            if getattr(value_node, "id", None) != "scalar":
                continue
            value = self.scalar(value_node) or ""
            literal = getattr(value_node, "style", None) == "|"
            line, column = self.content_at(value_node, first_line=True)
            if literal:
                count = value.count("\n") + (0 if value.endswith("\n") or not value else 1)
                source = self.lines(line, count)
            else:
                source = value
            key_line, key_column = self.at(key_node)
            out[key] = ConfigMapEntry(
                key, value, line, column, literal, key_line, key_column, source
            )
        return out

    def service(self, name: str, namespace: str | None, line: int, node: _Node) -> Service:
        spec = self.fields_of(node)
        ports: list[ServicePort] = []
        for item in self.items(spec.get("ports")):
            fields = self.fields_of(item)
            port = self.number(fields.get("port"))
            if port is None:
                continue
            target = fields.get("targetPort")
            target_port: int | str | None = self.number(target)
            if target_port is None:
                target_port = self.scalar(target)
            ports.append(
                ServicePort(
                    port=port,
                    target_port=target_port,
                    name=self.scalar(fields.get("name")),
                    protocol=self.scalar(fields.get("protocol")) or "TCP",
                    line=self.at(item)[0],
                )
            )
        return Service(
            name, namespace, self.path, line, self.labels(spec.get("selector")), tuple(ports)
        )


def _why_not_known(entry: EnvEntry) -> str | None:
    """Why an env entry's value is not known when the file is read (for ``$(NAME)`` of it)."""
    if entry.config_map is not None:
        return f"is set from ConfigMap {entry.config_map[0]} key {entry.config_map[1]}"
    if entry.secret is not None:
        return f"is set from Secret {entry.secret[0]} (its value is not read)"
    if entry.field_ref is not None:
        return f"is set from the pod field {entry.field_ref} when the pod starts"
    if entry.resource_field_ref is not None:
        return f"is set from the container's {entry.resource_field_ref} when the pod starts"
    return f"is not known ({entry.why})" if entry.why else "is not known"


# --- values -----------------------------------------------------------------------------------

_QUANTITY = re.compile(
    r"(?P<number>[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})"
    r"(?P<suffix>m|u|n|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?[0-9]{1,2})?"
)
_SUFFIX = {
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "": Decimal(1),
    "k": Decimal("1e3"),
    "M": Decimal("1e6"),
    "G": Decimal("1e9"),
    "T": Decimal("1e12"),
    "P": Decimal("1e15"),
    "E": Decimal("1e18"),
    "Ki": Decimal(2**10),
    "Mi": Decimal(2**20),
    "Gi": Decimal(2**30),
    "Ti": Decimal(2**40),
    "Pi": Decimal(2**50),
    "Ei": Decimal(2**60),
}


def millicores(text: str) -> int | None:
    """A CPU quantity in millicores: ``"500m"`` 500, ``2`` 2000, ``"0.5"`` 500, ``"1.5"`` 1500,
    rounded up to a whole millicore as Kubernetes does; None when it is not a quantity."""
    match = _QUANTITY.fullmatch(text.strip().lstrip("+"))
    if match is None:
        return None
    suffix = match.group("suffix") or ""
    try:
        number = Decimal(match.group("number"))
        scale = Decimal(f"1{suffix}") if suffix[:1] in ("e", "E") else _SUFFIX[suffix]
        value = (number * scale * 1000).to_integral_value(rounding=ROUND_CEILING)
    except (InvalidOperation, KeyError, ValueError):
        return None
    return int(value)


_ENV_NAME = re.compile(r"[-._a-zA-Z][-._a-zA-Z0-9]*")

Lookup = Callable[[str], tuple[str | None, str | None] | None]


def expand(raw: str, lookup: Lookup) -> tuple[str | None, str | None]:
    """Kubernetes' ``$(VAR)`` expansion of ``raw``: ``lookup(name)`` gives (value, why) of a
    defined variable (value None: not known, ``why`` says why), None for an undefined one, which
    stays ``$(VAR)`` as written; ``$$`` is ``$``. Returns (value, None), or (None, why) when a
    reference is not known or the value grows over ``MAX_VALUE`` characters."""
    out: list[str] = []
    size = 0
    checkpoint = 0
    cursor = 0
    while cursor < len(raw):
        if raw[cursor] == "$" and cursor + 1 < len(raw):
            piece = raw[checkpoint:cursor]
            following = raw[cursor + 1]
            if following == "$":
                read, advance = "$", 1
            elif following == "(":
                close = raw.find(")", cursor + 2)
                if close == -1:
                    read, advance = "$(", 1
                else:
                    name = raw[cursor + 2 : close]
                    advance = close - cursor
                    got = lookup(name)
                    if got is None:
                        read = f"$({name})"
                    elif got[0] is None:
                        return None, f"$({name}) {got[1] or 'is not known'}"
                    else:
                        read = got[0]
            else:
                read, advance = "$" + following, 1
            size += len(piece) + len(read)
            if size > MAX_VALUE:
                return None, f"it expands to more than {MAX_VALUE} characters"
            out.append(piece)
            out.append(read)
            cursor += advance
            checkpoint = cursor + 1
        cursor += 1
    if size + len(raw) - checkpoint > MAX_VALUE:
        return None, f"it expands to more than {MAX_VALUE} characters"
    out.append(raw[checkpoint:])
    return "".join(out), None


def container_env(
    container: Container,
    config_maps: Mapping[str, ConfigMap],
    secrets: Mapping[str, SecretKeys] | None = None,
) -> dict[str, EnvValue]:
    """The environment the kubelet gives the container, as far as the repository says:
    ``envFrom`` in order (a ConfigMap's keys with the prefix, keys that are not variable names
    skipped; a Secret's keys, when ``secrets`` has it, with their value unknown), then ``env``
    in order, ``$(VAR)`` expanded with what is set before. Each value points at the line that
    sets it: the ``env`` item, or the ConfigMap's key."""
    env: dict[str, EnvValue] = {}
    for source in container.env_from:
        if source.kind == "configMap":
            config_map = config_maps.get(source.name)
            if config_map is None:
                continue  # its keys are not known
            for key, item in config_map.data.items():
                name = source.prefix + key
                if _ENV_NAME.fullmatch(name):
                    env[name] = EnvValue(
                        item.value, config_map.path, item.key_line, item.key_column
                    )
        else:
            secret = secrets.get(source.name) if secrets is not None else None
            from_secret = f"set from Secret {source.name} (its value is not read)"
            for key in secret.keys if secret is not None else ():
                name = source.prefix + key
                if _ENV_NAME.fullmatch(name):
                    env[name] = EnvValue(None, container.path, source.line, unknown=from_secret)
    lookup = _env_lookup(env)
    for entry in container.env:
        got = _env_value(container.path, entry, config_maps, lookup)
        if got is not None:
            env[entry.name] = got
    return env


def _env_value(
    path: str, entry: EnvEntry, config_maps: Mapping[str, ConfigMap], lookup: Lookup
) -> EnvValue | None:
    """What an ``env`` item sets; None: nothing (an optional key that is not there)."""
    at = (path, entry.line, entry.column)
    if entry.raw is not None:
        value, why = expand(entry.raw, lookup)
        return EnvValue(value, *at, unknown=why)
    if entry.config_map is not None:
        name, key, optional = entry.config_map
        config_map = config_maps.get(name)
        if config_map is not None and key in config_map.data:
            return EnvValue(config_map.data[key].value, *at)
        if optional:
            return None
        if config_map is not None:
            return EnvValue(None, *at, unknown=f"ConfigMap {name} has no key {key}")
        return EnvValue(None, *at, unknown=f"ConfigMap {name} is not in the repository")
    if entry.secret is not None:
        name, key = entry.secret
        return EnvValue(
            None, *at, unknown=f"set from Secret {name} key {key} (its value is not read)"
        )
    if entry.field_ref is not None:
        why = f"set from the pod field {entry.field_ref} when the pod starts"
        return EnvValue(None, *at, unknown=why)
    if entry.resource_field_ref is not None:
        why = f"set from the container's {entry.resource_field_ref} when the pod starts"
        return EnvValue(None, *at, unknown=why)
    return EnvValue(entry.value, *at, unknown=entry.why)


def _env_lookup(env: Mapping[str, EnvValue]) -> Lookup:
    def lookup(name: str) -> tuple[str | None, str | None] | None:
        got = env.get(name)
        if got is None:
            return None
        return got.value, f"is not known ({got.unknown})" if got.unknown else "is not known"

    return lookup


def expand_words(words: tuple[Word, ...], env: Mapping[str, EnvValue]) -> tuple[Word, ...]:
    """``command``/``args`` words with ``$(VAR)`` expanded from the container's environment
    (``container_env``), as the kubelet does; a word that refers to a variable whose value is
    not known gets ``text`` None and ``unknown``."""

    lookup = _env_lookup(env)
    out: list[Word] = []
    for word in words:
        if word.text is None or "$" not in word.text:
            out.append(word)
            continue
        text, why = expand(word.text, lookup)
        out.append(Word(text, word.raw, word.line, word.column, why))
    return tuple(out)
