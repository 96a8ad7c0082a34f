"""`ai-infra:aws:FsxCsiDriver`: the FSx for Lustre CSI driver on an EKS cluster, as the managed
add-on, with a keyless (Pod Identity) role for its controller. One per cluster; every
`FileSystem` of the cluster mounts through it."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.aws.pod_identity import pod_identity_trust
from components.options import child_options

ADDON = "aws-fsx-csi-driver"
CONTROLLER_ACCOUNT = "fsx-csi-controller-sa"
"""The service account of the add-on's controller, the only part of the driver that calls AWS."""


@dataclass(frozen=True, kw_only=True)
class FsxCsiDriverArgs:
    """Inputs of `FsxCsiDriver`."""

    cluster_name: str
    cluster_name_output: pulumi.Input[str]
    """`GpuCluster.cluster_name`, so that the add-on waits for the cluster."""
    region: str
    account_id: pulumi.Input[str]
    ready: Sequence[pulumi.Resource] = ()
    """What the add-on waits for: the Pod Identity agent (`GpuPlatform`) and the system nodes."""
    tags: Mapping[str, str] = field(default_factory=dict)


class FsxCsiDriver(pulumi.ComponentResource):
    """IAM role (trusted by EKS Pod Identity for this cluster only, no permission of its own) + the
    `aws-fsx-csi-driver` add-on, its controller's service account associated with the role.

    Volumes are static (the stack creates the file systems), so the controller never creates or
    deletes one: each `FileSystem` grants the role `describe_policy` on itself alone (grant-style),
    which keeps the role's permissions exactly as wide as the file systems that exist."""

    addon: aws.eks.Addon
    role_name: pulumi.Output[str]

    def __init__(self, name: str, args: FsxCsiDriverArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:aws:FsxCsiDriver", name, None, opts)
        tags = dict(args.tags)
        role = aws.iam.Role(
            f"{name}-role",
            description=f"FSx CSI driver controller of EKS cluster {args.cluster_name} (Pod Identity)",
            assume_role_policy=pulumi.Output.from_input(args.account_id).apply(
                lambda account: pod_identity_trust(account, args.region, args.cluster_name)
            ),
            max_session_duration=3600,
            tags=tags,
            opts=child_options(self),
        )
        self.addon = aws.eks.Addon(
            f"{name}-addon",
            cluster_name=args.cluster_name_output,
            addon_name=ADDON,
            pod_identity_associations=[{"role_arn": role.arn, "service_account": CONTROLLER_ACCOUNT}],
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            tags=tags,
            opts=child_options(self, depends_on=list(args.ready)),
        )
        self.role_name = role.name
        self.register_outputs({"addon_name": self.addon.addon_name, "role_arn": role.arn})


def describe_policy(file_system_arn: str) -> str:
    """What the driver's controller may do with one file system: describe it (nothing else)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DescribeFileSystem",
                    "Effect": "Allow",
                    "Action": ["fsx:DescribeFileSystems"],
                    "Resource": file_system_arn,
                }
            ],
        }
    )
