"""What the deployment is beyond its config files: the images and containers that run them, the
environment each process sees, the files at container paths (copied, mounted, rendered at
start), the names containers reach each other by, and the server versions.

``build`` reads the context files of the inventory (Dockerfiles, compose files, Kubernetes
manifests, version pins, the scripts images run) into a ``Context``:

- ``containers``: every place a process runs: a compose service, a Kubernetes container, an
  image a Dockerfile builds that nothing else runs. Each has its environment (image ``ENV`` <
  ``env_file`` < ``environment:``; Kubernetes ``envFrom`` < ``env``), its files (container path ->
  repository file: ``COPY``, bind mounts, ConfigMap volumes), the names other containers reach it
  by (the compose service, the Kubernetes Services that select its pod), and what the platform
  says of the machine (``resources.limits.cpu``, ``terminationGracePeriodSeconds``).
- ``sources``: what the nginx loader needs of that: container paths, ConfigMap entries read
  from the manifest, templates rendered at start (the nginx image's ``/etc/nginx/templates``, an
  entrypoint's ``envsubst``), files written at start.
- ``versions``: nginx's from the image it runs in, the app servers' from pins.
- ``base_env``: for a launcher file inside an image (a supervisord config, a script), the
  environment of the container it runs in.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gwlint.deployment.versions import Evidence, Versions
from gwlint.loaders.sources import Sources, TemplateContext, Virtual

if TYPE_CHECKING:
    from gwlint.inventory import Inventory
    from gwlint.loaders.common import Problems
    from gwlint.loaders.kubernetes import ConfigMap, Manifests, SecretKeys, Service, Workload
    from gwlint.loaders.kubernetes import Container as PodContainer
    from gwlint.loaders.launch import EnvValue, Word
    from gwlint.loaders.launchers import ComposeService, Effect, ImageInfo
    from gwlint.model.facts import Facts
    from gwlint.settings import Settings

# the official nginx image renders /etc/nginx/templates/*.template into /etc/nginx/conf.d at
# start (docker-entrypoint.d/20-envsubst-on-templates.sh), its NGINX_ENVSUBST_* variables aside
NGINX_TEMPLATE_DIR = "/etc/nginx/templates"
NGINX_TEMPLATE_SUFFIX = ".template"
NGINX_OUTPUT_DIR = "/etc/nginx/conf.d"
_NGINX_IMAGES = ("nginx", "nginx-unprivileged", "openresty")


@dataclass(eq=False, repr=False)  # run state: never compared or shown
class Container:
    """A place where processes run, and what the deployment says of it."""

    label: str  # "compose service web", "Deployment api, container app", "image Dockerfile"
    path: str  # the file that declares it
    line: int
    image_ref: str | None = None  # the image it runs (image:, FROM)
    image_line: int | None = None
    image: ImageInfo | None = None  # built from a Dockerfile of the repository
    env: dict[str, EnvValue] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # container path -> repository path
    names: set[str] = field(default_factory=set)  # host names other containers reach it by
    # Kubernetes Service name -> (its port, the container port it sends to)
    ports: list[tuple[str, int, int | None]] = field(default_factory=list)
    # ports published on the host: (host address, None for every interface; container port;
    # where it is written)
    published: list[tuple[str | None, int, str]] = field(default_factory=list)
    cpus: tuple[int, str] | None = None  # (CPUs, where) from resources
    stop_timeout: tuple[int, str] | None = None  # (seconds, where)
    # the folder of the compose file or manifest that declares it ("" for an image alone): a
    # route never pairs with an app of another project by its port alone
    project: str = ""
    missing_env: tuple[str, ...] = ()  # env files it reads that are not in the repository
    command: tuple[Word, ...] = ()  # a Kubernetes container's command and args
    working_dir: str | None = None

    @property
    def runs_nginx_image(self) -> bool:
        """Runs the official nginx image (or one built on it): its entrypoint renders
        templates."""
        refs = [self.image_ref, self.image.base if self.image is not None else None]
        return any(_is_nginx_image(ref) for ref in refs if ref)


# images that run no Python app server: a route to a container running one is another service's
_FOREIGN_IMAGES = frozenset(
    {
        "nginx",
        "nginx-unprivileged",
        "openresty",
        "httpd",
        "caddy",
        "traefik",
        "haproxy",
        "envoy",
        "varnish",
        "postgres",
        "postgis",
        "mysql",
        "mariadb",
        "mongo",
        "redis",
        "valkey",
        "memcached",
        "rabbitmq",
        "kafka",
        "zookeeper",
        "elasticsearch",
        "opensearch",
        "minio",
        "keycloak",
        "node",
        "mailhog",
        "mailpit",
        "grafana",
        "prometheus",
        "jaeger",
        "clickhouse-server",
    }
)


def _foreign_image(reference: str | None) -> bool:
    if not reference:
        return False
    name = reference.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0]
    return name in _FOREIGN_IMAGES


def _is_nginx_image(reference: str) -> bool:
    name = reference.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0]
    return name in _NGINX_IMAGES


@dataclass(eq=False, repr=False)  # run state: never compared or shown
class Context:
    sources: Sources = field(default_factory=Sources)
    versions: Versions = field(default_factory=Versions)
    containers: list[Container] = field(default_factory=list)
    # nginx files that are not files of the repository (ConfigMap entries): virtual paths
    extra_nginx: list[str] = field(default_factory=list)
    # real path of a launcher inside a container -> the environment it runs with
    base_env: dict[str, dict[str, EnvValue]] = field(default_factory=dict)
    # what each file was read as, for --show-files: path -> notes
    roles: dict[str, list[str]] = field(default_factory=dict)
    # (app path, launcher label) -> the container the app runs in
    app_containers: dict[tuple[str, str], Container] = field(default_factory=dict)
    # the folders that hold a compose file (real paths): each is a compose project
    compose_folders: set[str] = field(default_factory=set)
    _holding: dict[str, list[Container]] | None = field(default=None, repr=False)

    def note(self, path: str, role: str) -> None:
        notes = self.roles.setdefault(path, [])
        if role not in notes:
            notes.append(role)

    @property
    def known_hosts(self) -> frozenset[str]:
        """Every name a container of the repository is reached by."""
        return frozenset(name for c in self.containers for name in c.names)

    @property
    def foreign_hosts(self) -> frozenset[str]:
        """The names of containers known to run something else than an app server gwlint
        did not place: one that runs an app server it read (that app is known by the name),
        or an image that is no Python app (a database, a cache, a proxy, a frontend)."""
        running = {id(c) for c in self.app_containers.values()}
        return frozenset(
            name
            for c in self.containers
            if id(c) in running or _foreign_image(c.image_ref)
            for name in c.names
        )

    def projects_of(self, path: str, container: Container | None = None) -> frozenset[str]:
        """The compose projects and manifest folders a file belongs to: those of the
        containers it is in (copied, mounted, or ``container``, the one it runs in); for a file
        in no container, the compose project of the nearest folder above it that holds a
        compose file. Empty when the deployment does not say (a file of an image that no
        compose file or manifest of the repository runs)."""
        containers = self.containers_of(path)
        if container is not None:
            containers.append(container)
        found = {c.project for c in containers if c.project}
        if not containers and self.compose_folders:
            folder = os.path.dirname(os.path.realpath(path))
            while True:
                if folder in self.compose_folders:
                    found.add(folder)
                    break
                parent = os.path.dirname(folder)
                if parent == folder:
                    break
                folder = parent
        return frozenset(found)

    def containers_of(self, path: str) -> list[Container]:
        """The containers a repository file is in (copied, mounted), or that it declares.
        Once the containers are complete (the end of ``build``): indexed on the first call."""
        if self._holding is None:
            self._holding = {}
            for c in self.containers:
                held = {c.path, *c.files.values()}
                if c.image is not None:
                    held.add(c.image.path)
                for repo in {os.path.realpath(p) for p in held}:
                    self._holding.setdefault(repo, []).append(c)
        return list(self._holding.get(os.path.realpath(path), ()))


def container_facts(facts: Facts, container: Container | None) -> Facts:
    """``facts`` with what the container's platform says of the machine (its CPUs, its stop
    timeout), where the command line and the configuration are silent."""
    if container is None:
        return facts
    update: dict[str, object] = {}
    if facts.cpus is None and container.cpus is not None:
        update["cpus"], update["cpus_source"] = container.cpus
    if facts.stop_timeout is None and container.stop_timeout is not None:
        update["stop_timeout"], update["stop_timeout_source"] = container.stop_timeout
    return dataclasses.replace(facts, **update) if update else facts  # type: ignore[arg-type]


def build(settings: Settings, inventory: Inventory, problems: Problems) -> Context:
    context = Context()
    context.versions.add_pins(inventory.pins, problems)
    for evidence in context.versions.evidence:
        context.note(evidence.path, f"{evidence.server} {evidence.what} (line {evidence.line})")
    cli_env = settings.facts.env
    if inventory.launcher:
        _read_images_and_services(context, inventory, cli_env, problems)
    if inventory.manifests:
        _read_manifests(context, inventory.manifests, problems)
    if not context.containers:
        return context
    _nginx_templates(context)
    _script_effects(context, cli_env, problems)
    _files_and_versions(context)
    _launcher_env(context, inventory)
    return context


# --- containers ------------------------------------------------------------------------------


def _read_images_and_services(
    context: Context, inventory: Inventory, cli_env: dict[str, str], problems: Problems
) -> None:
    from gwlint.loaders.detect_launcher import launcher_kind
    from gwlint.loaders.launchers import read_compose_services, read_image

    built: set[str] = set()
    services: list[ComposeService] = []
    dockerfiles: list[str] = []
    for path in inventory.launcher:
        kind = launcher_kind(path, walking=False)
        if kind == "compose":
            context.compose_folders.add(os.path.dirname(os.path.realpath(path)))
            services.extend(read_compose_services(path, cli_env, problems))
        elif kind == "dockerfile":
            dockerfiles.append(path)
    for service in services:
        container = Container(
            label=f"compose service {service.name}",
            path=service.path,
            line=service.line,
            image_ref=service.image,
            image_line=service.image_line,
            image=service.built,
            env=dict(service.env),
            names={service.name, *service.aliases},
            project=os.path.dirname(os.path.realpath(service.path)),
            published=[
                (p.host_ip, p.container_port, f"{service.path}:{p.line}")
                for p in service.ports
                if p.host_port is not None and p.container_port is not None
            ],
            missing_env=tuple(path for path, _line in service.missing_env_files),
        )
        if service.built is not None:
            built.add(os.path.realpath(service.built.path))
            container.files.update(service.built.files())
        for volume in service.volumes:
            if volume.bind:
                container.files.update(_mounted(volume.source, volume.target, service.path))
        context.containers.append(container)
    for path in dockerfiles:
        if os.path.realpath(path) in built:
            continue  # run by a compose service, with its environment
        image = read_image(path, cli_env, problems)
        if image is None:
            continue
        context.containers.append(
            Container(
                label=f"image {path}",
                path=path,
                line=image.base_line,
                image_ref=image.base,
                image_line=image.base_line,
                image=image,
                env=dict(image.env),
                files=image.files(),
            )
        )


def _mounted(source: str, target: str, by: str) -> dict[str, str]:
    """Container path -> repository file for a bind mount of a file or a folder (``by``: the
    compose file that mounts it). Never a file outside the repository: a host path,
    ``../../etc``, a symlink out of the tree."""
    from gwlint.loaders.common import outside

    if source.startswith(("/", "~")) or outside(source, by):
        return {}  # a host path, not the repository's
    if os.path.isfile(source):
        return {target: source}
    out: dict[str, str] = {}
    if os.path.isdir(source):
        from gwlint.inventory.walk import files_under

        for count, path in enumerate(files_under(source)):
            if count >= 2000:
                break
            if os.path.islink(path) and outside(path, by):
                continue
            out[os.path.normpath(os.path.join(target, os.path.relpath(path, source)))] = path
    return out


def _read_manifests(context: Context, paths: Iterable[str], problems: Problems) -> None:
    from gwlint.loaders.kubernetes import read_manifests

    read: list[Manifests] = []
    for path in paths:
        found = read_manifests(path, problems)
        if found is not None:
            read.append(found)
    config_maps = {cm.name: cm for m in read for cm in m.config_maps}
    secrets = {s.name: s for m in read for s in m.secrets}
    services = [s for m in read for s in m.services]
    for manifests in read:
        for workload in manifests.workloads:
            for pod_container in workload.containers:
                context.containers.append(
                    _pod_container(workload, pod_container, config_maps, secrets, services)
                )
                context.note(
                    workload.path,
                    f"{workload.kind} {workload.name}, container {pod_container.name}",
                )
    # every ConfigMap entry that holds an nginx config is read, mounted or not
    from gwlint.inventory.classify import looks_like_nginx

    for config_map in config_maps.values():
        for key, entry in config_map.data.items():
            if not looks_like_nginx(entry.value.encode("utf-8", "replace")):
                continue
            virtual = _virtual_path(config_map, key)
            real = os.path.realpath(virtual)
            if real not in context.sources.virtual:
                what = f"key {key} of ConfigMap {config_map.name}"
                context.sources.virtual[real] = Virtual(
                    entry.padded_text(), config_map.path, what, virtual
                )
                context.extra_nginx.append(virtual)


def _virtual_path(config_map: ConfigMap, key: str) -> str:
    """A path of its own for a ConfigMap entry (findings are reported in the manifest)."""
    return os.path.join(
        os.path.dirname(config_map.path),
        f"{os.path.basename(config_map.path)}#configmap-{config_map.name}-{key}",
    )


def _pod_container(
    workload: Workload,
    pod_container: PodContainer,
    config_maps: dict[str, ConfigMap],
    secrets: dict[str, SecretKeys],
    services: list[Service],
) -> Container:
    from gwlint.loaders.kubernetes import container_env, expand_words

    label = f"{workload.kind} {workload.name}, container {pod_container.name}"
    env = container_env(pod_container, config_maps, secrets)
    words = (*(pod_container.command or ()), *(pod_container.args or ()))
    container = Container(
        label=label,
        path=pod_container.path,
        line=pod_container.line,
        image_ref=pod_container.image.value if pod_container.image is not None else None,
        image_line=pod_container.image.line if pod_container.image is not None else None,
        env=env,
        project=os.path.dirname(os.path.realpath(workload.path)),
        # without command:, the image's ENTRYPOINT runs (args after it): not in the repository
        command=expand_words(words, env) if pod_container.command else (),
        working_dir=pod_container.working_dir,
    )
    cpu = pod_container.cpu_limit or pod_container.cpu_request
    if cpu is not None and cpu.value > 0:
        which = "limits" if pod_container.cpu_limit is not None else "requests"
        cpus = max(1, -(-cpu.value // 1000))
        container.cpus = (cpus, f"{pod_container.path}:{cpu.line}, resources.{which}.cpu")
    if workload.grace_period is not None:
        container.stop_timeout = (
            workload.grace_period.value,
            f"{workload.path}:{workload.grace_period.line}, terminationGracePeriodSeconds",
        )
    for mount in pod_container.volume_mounts:
        volume = workload.volumes.get(mount.name)
        if volume is None or volume.config_map is None:
            continue
        config_map = config_maps.get(volume.config_map)
        if config_map is None:
            continue
        items = dict(volume.items) if volume.items else {k: k for k in config_map.data}
        for key, relative in items.items():
            if key not in config_map.data:
                continue
            if mount.sub_path is not None:
                if mount.sub_path != relative:
                    continue
                target = mount.mount_path
            else:
                target = os.path.join(mount.mount_path, relative)
            container.files[os.path.normpath(target)] = _virtual_path(config_map, key)
    for service in services:
        selector = service.selector
        if not selector or any(workload.pod_labels.get(k) != v for k, v in selector.items()):
            continue
        name = service.name
        container.names.add(name)
        for port in service.ports:
            to_port: int | str | None = port.target_port
            if isinstance(to_port, str):  # a named container port
                to_port = next(
                    (p.container_port for p in pod_container.ports if p.name == to_port), None
                )
            container.ports.append((name, port.port, to_port if to_port is not None else port.port))
    return container


# --- templates and files written at start ---------------------------------------------------


def _env_values(env: dict[str, EnvValue]) -> dict[str, str | None]:
    return {name: value.value for name, value in env.items()}


def _nginx_templates(context: Context) -> None:
    """The nginx image renders its templates folder into conf.d when it starts, replacing the
    variables its environment defines (others are kept as written)."""
    for container in context.containers:
        if not container.runs_nginx_image:
            continue
        env = container.env
        template_dir = _env_text(env, "NGINX_ENVSUBST_TEMPLATE_DIR", NGINX_TEMPLATE_DIR)
        suffix = _env_text(env, "NGINX_ENVSUBST_TEMPLATE_SUFFIX", NGINX_TEMPLATE_SUFFIX)
        output = _env_text(env, "NGINX_ENVSUBST_OUTPUT_DIR", NGINX_OUTPUT_DIR)
        for target, repo_path in list(container.files.items()):
            if not target.startswith(template_dir.rstrip("/") + "/") or not target.endswith(suffix):
                continue
            relative = os.path.relpath(target, template_dir)[: -len(suffix)]
            rendered = os.path.normpath(os.path.join(output, relative))
            container.files[rendered] = repo_path
            context.sources.templates[os.path.realpath(repo_path)] = TemplateContext(
                env=_env_values(env),
                undefined="unknown",
                renderer=f"the nginx image's entrypoint ({container.label})",
                target=rendered,
            )
            context.note(
                repo_path,
                f"template the nginx image renders to {rendered} at start ({container.label})",
            )


def _env_text(env: dict[str, EnvValue], name: str, default: str) -> str:
    value = env.get(name)
    return value.value if value is not None and value.value else default


def _script_effects(context: Context, cli_env: dict[str, str], problems: Problems) -> None:
    """What the scripts and Dockerfiles of each container write: nginx configs an entrypoint
    renders with envsubst (read as templates at their container path), files it writes at
    start (an include of them is not a missing file)."""
    from gwlint.loaders.launchers import script_effects, start_effects

    done: set[tuple[str, int]] = set()
    for container in context.containers:
        scripts = {
            repo: target
            for target, repo in container.files.items()
            if _looks_like_script(repo) and not repo.endswith((".conf", ".ini", ".py"))
        }
        for repo in scripts:
            key = (os.path.realpath(repo), id(container))
            if key in done:
                continue
            done.add(key)
            for effect in script_effects(repo, cli_env, problems, base_env=container.env):
                _apply(context, container, effect, "when the container starts")
        if container.image is not None:
            for effect in script_effects(
                container.image.path, cli_env, problems, kind="dockerfile"
            ):
                _apply(context, container, effect, "when the image is built")
            for effect in start_effects(container.image.path, cli_env):
                _apply(context, container, effect, "when the container starts")


def _looks_like_script(path: str) -> bool:
    from gwlint.inventory.classify import shebang
    from gwlint.loaders import read_head

    if path.endswith((".sh", ".bash")):
        return True
    return shebang(read_head(path)[:256]) == "shell"


def _apply(context: Context, container: Container, effect: Effect, when: str) -> None:
    target = effect.target
    if target is None:
        return
    where = f"{effect.path}:{effect.line}"
    if effect.kind == "render" and effect.source is not None and effect.tool == "sed":
        edited = container.files.get(os.path.normpath(effect.source))
        if edited is not None:
            context.note(edited, f"edited by sed at start ({where}): its result is not read")
        return
    if effect.kind == "render" and effect.source is not None:
        template = container.files.get(os.path.normpath(effect.source))
        if template is None:
            context.sources.created.setdefault(target, f"it is rendered by {where} {when}")
            return
        container.files[target] = template
        only = frozenset(effect.variables) if effect.variables is not None else None
        context.sources.templates[os.path.realpath(template)] = TemplateContext(
            env=_env_values(container.env),
            only=only,
            undefined="unknown",
            renderer=f"{effect.tool} in {where}",
            target=target,
        )
        context.note(template, f"template rendered to {target} by {effect.tool} ({where})")
    elif effect.kind in ("copy", "link", "move") and effect.source is not None:
        source = container.files.get(os.path.normpath(effect.source))
        if source is not None and target not in container.files:
            container.files[target] = source
        else:
            context.sources.created.setdefault(target, f"{where} puts it there {when}")
    elif effect.kind == "write":
        context.sources.created.setdefault(target, f"{where} writes it {when}")
    elif effect.kind == "mkdir":
        context.sources.created.setdefault(target.rstrip("/") + "/*", f"{where} makes it {when}")


# --- what the loaders read -------------------------------------------------------------------


def _files_and_versions(context: Context) -> None:
    """The container paths every container agrees on, and nginx's version for the files of a
    container that runs a versioned nginx image."""
    from gwlint.loaders.pins import image_version

    seen: dict[str, str | None] = {}
    for container in context.containers:
        for target, repo in container.files.items():
            if target in seen and seen[target] != repo:
                seen[target] = None  # two containers, two files: not certain
            else:
                seen.setdefault(target, repo)
    context.sources.files.update({t: r for t, r in seen.items() if r is not None})
    for container in context.containers:
        built_only = container.image is not None and container.image_ref == container.image.base
        refs = [
            (
                container.image_ref,
                container.path,
                container.image_line or container.line,
                "FROM" if built_only else "image:",
            )
        ]
        if container.image is not None and not built_only:
            refs.append(
                (container.image.base, container.image.path, container.image.base_line, "FROM")
            )
        for ref, path, line, how in refs:
            if not ref:
                continue
            found = image_version(ref)
            if found is None:
                continue
            evidence = Evidence("nginx", found[1], path, line, f"{how} {ref}")
            for repo in {*container.files.values(), path}:
                context.versions.by_image.setdefault(os.path.realpath(repo), evidence)
            break


def _launcher_env(context: Context, inventory: Inventory) -> None:
    """A supervisord config or a script inside one container runs with its environment."""
    for path in inventory.launcher:
        real = os.path.realpath(path)
        containers = [
            c
            for c in context.containers_of(path)
            if os.path.realpath(c.path) != real
            and not (c.image is not None and os.path.realpath(c.image.path) == real)
        ]
        if len(containers) == 1:
            context.base_env[os.path.realpath(path)] = dict(containers[0].env)
            context.note(path, f"runs in {containers[0].label}")
