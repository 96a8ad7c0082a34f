"""The serving container of an Azure ML online deployment and the environment version that
registers it (image, routes Azure ML probes and forwards to)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import machinelearningservices as ml

from components.azure.ml_workspace_parts import content_version
from components.options import child_options


@dataclass(frozen=True, kw_only=True)
class ServingContainer:
    """The inference container and the routes Azure ML probes and forwards to."""

    image: str
    port: int = 8080
    scoring_path: str = "/score"
    liveness_path: str = "/health"
    readiness_path: str = "/health"


def serving_environment(
    name: str,
    *,
    parent: pulumi.Resource,
    endpoint_name: str,
    container: ServingContainer,
    ml_scope: Mapping[str, pulumi.Input[str]],
    tags: Mapping[str, str],
) -> ml.EnvironmentVersion:
    """An environment version named after the endpoint; its version is a digest of the container
    settings, so a new image or route is a new (immutable) version."""
    return ml.EnvironmentVersion(
        f"{name}-environment",
        name=endpoint_name,
        version=content_version(
            container.image,
            container.port,
            container.scoring_path,
            container.liveness_path,
            container.readiness_path,
        ),
        **ml_scope,
        properties={
            "image": container.image,
            "os_type": "Linux",
            "inference_config": {
                "scoring_route": {"path": container.scoring_path, "port": container.port},
                "liveness_route": {"path": container.liveness_path, "port": container.port},
                "readiness_route": {"path": container.readiness_path, "port": container.port},
            },
            "tags": dict(tags),
        },
        opts=child_options(parent),
    )
