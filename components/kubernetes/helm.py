"""Helm releases the platform installs: a chart is always an exact version from a named
repository (or an OCI reference), and values are built from typed settings, never free-form."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.options import child_options

EXACT_VERSION = re.compile(r"^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$")
"""A single chart version (`9.56.0`, `v0.5.20`): no ranges (`^1.2`, `~1`, `>=1`), no `x`/`*`."""


@dataclass(frozen=True)
class HelmChart:
    """A chart pinned to one version.

    `name` is the chart's name in `repository` (an HTTPS Helm repository), or, for charts
    published to an OCI registry, the full `oci://` reference with `repository` left None."""

    name: str
    version: str
    repository: str | None = None

    def __post_init__(self) -> None:
        if not EXACT_VERSION.match(self.version):
            raise ValueError(f"chart {self.name}: {self.version!r} is not an exact version (e.g. 1.2.3)")
        if self.repository is None and not self.name.startswith("oci://"):
            raise ValueError(f"chart {self.name}: give its repository, or an oci:// reference as the name")
        if self.repository is not None and not self.repository.startswith("https://"):
            raise ValueError(f"chart {self.name}: repository {self.repository!r} is not an https:// URL")

    @property
    def short_name(self) -> str:
        """`cluster-autoscaler`, `kueue` (the last part of an OCI reference)."""
        return self.name.rsplit("/", 1)[-1]


def helm_release(
    resource_name: str,
    *,
    chart: HelmChart,
    release_name: str,
    namespace: pulumi.Input[str],
    values: Mapping[str, Any],
    parent: pulumi.Resource,
    depends_on: list[pulumi.Resource] | None = None,
) -> k8s.helm.v3.Release:
    """A Helm release of `chart` named `release_name` in an existing `namespace` (Helm never
    creates namespaces here: ours are declared with their Pod Security labels)."""
    repository_opts = {"repo": chart.repository} if chart.repository else None
    return k8s.helm.v3.Release(
        resource_name,
        name=release_name,
        chart=chart.name,
        version=chart.version,
        repository_opts=repository_opts,
        namespace=namespace,
        create_namespace=False,
        values=dict(values),
        # A failed upgrade leaves no half-created objects behind; history stays short.
        cleanup_on_fail=True,
        max_history=5,
        # GPU nodes and images are slow: give a release 15 minutes to become ready.
        timeout=900,
        opts=child_options(parent, depends_on=depends_on or []),
    )
