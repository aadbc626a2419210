"""What the deployment is beyond its config files: the images and containers that run them, the
environment each process sees, the files at container paths (copied, mounted, rendered at
start), and the server versions.

``build`` reads the context files of the inventory (Dockerfiles, compose files, Kubernetes
manifests, version pins, entrypoint scripts) into a ``Context`` the loaders and the grouping
use: ``sources`` for the nginx loader (container paths, in-memory texts, templates, files
created at start), ``versions`` for the facts of each server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gwlint.deployment.versions import Versions
from gwlint.loaders.sources import Sources

if TYPE_CHECKING:
    from gwlint.inventory import Inventory
    from gwlint.loaders.common import Problems
    from gwlint.settings import Settings


@dataclass
class Context:
    sources: Sources = field(default_factory=Sources)
    versions: Versions = field(default_factory=Versions)
    # nginx files that are not files of the repository (ConfigMap entries): virtual paths
    extra_nginx: list[str] = field(default_factory=list)
    # what each file was read as, for --show-files: path -> notes
    roles: dict[str, list[str]] = field(default_factory=dict)

    def note(self, path: str, role: str) -> None:
        notes = self.roles.setdefault(path, [])
        if role not in notes:
            notes.append(role)


def build(settings: Settings, inventory: Inventory, problems: Problems) -> Context:
    context = Context()
    context.versions.add_pins(inventory.pins, problems)
    for evidence in context.versions.evidence:
        context.note(evidence.path, f"{evidence.server} {evidence.what} (line {evidence.line})")
    return context
