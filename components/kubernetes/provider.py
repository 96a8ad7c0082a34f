"""The Kubernetes provider of one cluster, built from the cluster component's kubeconfig Output."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_kubernetes as k8s

from components.options import child_options


def cluster_provider(
    resource_name: str,
    *,
    kubeconfig: pulumi.Input[str],
    parent: pulumi.Resource,
    depends_on: Sequence[pulumi.Resource] = (),
) -> k8s.Provider:
    """A provider for exactly one cluster. The kubeconfig stays a secret Output (it is unknown at
    the first preview, which the provider accepts) and is never written to disk; it
    authenticates through the cloud's exec plugin or a short-lived token, not static keys.

    `depends_on`: what must exist before any object is applied (the system nodes, which run the
    controllers); every resource that uses the provider waits for it."""
    return k8s.Provider(
        resource_name,
        kubeconfig=pulumi.Output.secret(kubeconfig),
        # Server-side apply: field ownership is tracked by the API server, so controllers that
        # also write these objects (Kueue status, admission webhooks) do not fight Pulumi.
        enable_server_side_apply=True,
        # An unreachable cluster is an error, never a reason to drop its objects from the state.
        delete_unreachable=False,
        opts=child_options(parent, depends_on=list(depends_on)),
    )
