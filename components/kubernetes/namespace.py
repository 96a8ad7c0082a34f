"""Namespaces the platform creates, each enforcing a Pod Security Standard level.

The admission controller built into Kubernetes reads the `pod-security.kubernetes.io/*` labels:
`enforce` rejects pods that break the level, `audit` and `warn` report what `restricted` would
reject, so moving a namespace up a level is visible before it bites."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

import pulumi
import pulumi_kubernetes as k8s

from components.options import stateful_options

PSA_PREFIX = "pod-security.kubernetes.io"
PSA_ENFORCE = f"{PSA_PREFIX}/enforce"
NODE_AGENTS_NAMESPACE = "kube-system"
"""Where node agents that need host access (device plugins, the DCGM exporter) run: they mount
host paths and add capabilities, which neither `baseline` nor `restricted` allows, and every
managed Kubernetes service already runs its own node agents there."""


class PodSecurity(StrEnum):
    """Pod Security Standard levels a namespace of ours may enforce (never `privileged`)."""

    RESTRICTED = "restricted"
    BASELINE = "baseline"


def pod_security_labels(enforce: PodSecurity) -> dict[str, str]:
    """Enforce `enforce`; audit and warn against `restricted` in any case."""
    return {
        PSA_ENFORCE: enforce.value,
        f"{PSA_PREFIX}/audit": PodSecurity.RESTRICTED.value,
        f"{PSA_PREFIX}/warn": PodSecurity.RESTRICTED.value,
    }


def namespace(
    resource_name: str,
    *,
    name: str,
    parent: pulumi.Resource,
    enforce: PodSecurity,
    labels: Mapping[str, str] | None = None,
    protect: bool = False,
) -> k8s.core.v1.Namespace:
    """A namespace named `name` enforcing `enforce`, with extra `labels`. With `protect` (prod)
    it is protected and retained: deleting a namespace deletes everything in it."""
    return k8s.core.v1.Namespace(
        resource_name,
        metadata={"name": name, "labels": {**(labels or {}), **pod_security_labels(enforce)}},
        opts=stateful_options(parent, protect),
    )
