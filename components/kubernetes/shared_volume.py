"""How a cluster's pods mount a file system the stack created: a static PersistentVolume naming
the file system through the cloud's CSI driver, and one PersistentVolumeClaim bound to it.

Static, not a StorageClass: the file system already exists (with its key, network rules and
bucket links, as reviewed), so the CSI driver must attach exactly it and never provision another."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from components.options import child_options

VOLUME_LABEL = "ai-infra/file-system"
"""Label on the volume and its claim: the file system key they belong to."""


@dataclass(frozen=True, kw_only=True)
class SharedVolume:
    """A file system as Kubernetes sees it, and the claim pods mount it through."""

    name: str
    """File system key from config: names the PersistentVolume (`<name>-<namespace>`) and labels both."""
    driver: str
    """CSI driver (`fsx.csi.aws.com`, `lustre.csi.storage.gke.io`, `azurelustre.csi.azure.com`,
    `nasplugin.csi.alibabacloud.com`, ...)."""
    volume_handle: pulumi.Input[str]
    """What the driver calls the file system (its id, or `<ip>@tcp:/<fs>` on some drivers)."""
    attributes: Mapping[str, pulumi.Input[str]]
    """The driver's volumeAttributes (DNS name, mount name, server, path)."""
    capacity_gib: int
    namespace: str
    """Namespace of the claim (a team namespace the platform created)."""
    claim: str
    """Name of the claim pods mount."""
    read_only: bool = False
    """Default False: ReadWriteMany. True: ReadOnlyMany."""
    mount_options: Sequence[str] = ()
    """Options the node mounts with. Default none: the driver's own."""
    labels: Mapping[str, str] = field(default_factory=dict)


def shared_volume(
    resource_name: str,
    volume: SharedVolume,
    *,
    parent: pulumi.Resource,
    provider: k8s.Provider,
    depends_on: Sequence[pulumi.Resource] = (),
) -> k8s.core.v1.PersistentVolumeClaim:
    """The PersistentVolume `<resource_name>-pv` and its claim `<resource_name>-pvc`. The volume is
    `Retain`: deleting the claim never deletes the file system (Pulumi owns it)."""
    labels = {**volume.labels, VOLUME_LABEL: volume.name}
    access = "ReadOnlyMany" if volume.read_only else "ReadWriteMany"
    size = f"{volume.capacity_gib}Gi"
    pv_name = f"{volume.name}-{volume.namespace}"
    in_cluster = child_options(parent, provider=provider, depends_on=list(depends_on))
    # Only set when given: a null inside the spec is not what the engine would send.
    mount_options = {"mount_options": list(volume.mount_options)} if volume.mount_options else {}
    pv = k8s.core.v1.PersistentVolume(
        f"{resource_name}-pv",
        metadata={"name": pv_name, "labels": labels},
        spec={
            **mount_options,
            "capacity": {"storage": size},
            "access_modes": [access],
            "persistent_volume_reclaim_policy": "Retain",
            # Empty class: only this claim binds it, and no provisioner ever acts on it.
            "storage_class_name": "",
            "volume_mode": "Filesystem",
            # Only the named claim may bind this volume.
            "claim_ref": {"namespace": volume.namespace, "name": volume.claim},
            "csi": {
                "driver": volume.driver,
                "volume_handle": volume.volume_handle,
                "volume_attributes": dict(volume.attributes),
                "read_only": volume.read_only,
            },
        },
        opts=in_cluster,
    )
    return k8s.core.v1.PersistentVolumeClaim(
        f"{resource_name}-pvc",
        metadata={"name": volume.claim, "namespace": volume.namespace, "labels": labels},
        spec={
            "access_modes": [access],
            "storage_class_name": "",
            "volume_name": pv_name,
            "resources": {"requests": {"storage": size}},
        },
        opts=child_options(parent, provider=provider, depends_on=[pv, *depends_on]),
    )
