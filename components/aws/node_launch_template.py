"""The launch template every EKS managed node group of the project uses (system and GPU pools):
IMDSv2 only with a hop limit of 1, an encrypted gp3 root volume, tags on instances and volumes,
and optionally a placement group and EFA network interfaces."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from components.options import child_options

ROOT_DEVICE = "/dev/xvda"
"""Root device name of the EKS-optimized Amazon Linux 2023 AMIs."""


def node_launch_template(
    name: str,
    *,
    parent: pulumi.Resource,
    disk_gib: int,
    tags: Mapping[str, str],
    placement_group_name: pulumi.Input[str] | None = None,
    efa_interfaces: int = 0,
    security_group_ids: Sequence[pulumi.Input[str]] = (),
    kms_key_arn: pulumi.Input[str] | None = None,
) -> aws.ec2.LaunchTemplate:
    """A launch template for an EKS managed node group.

    `placement_group_name`: launch instances into that (cluster) placement group; default none.
    `efa_interfaces`: number of EFA network interfaces, one per network card; default 0 (EKS
    attaches the usual ENA interface). With EFA the template must name the security groups
    itself (`security_group_ids`, the cluster security group), since EKS cannot add them to
    interfaces the template defines. `kms_key_arn`: the customer-managed key the root volume is
    encrypted with (`GpuCluster.node_volume_key_arn`); default none, the account's EBS default
    key (AWS-managed)."""
    if efa_interfaces and not security_group_ids:
        raise ValueError("EFA interfaces need the node security group ids")
    network_interfaces = [
        {
            # EC2 wants the first EFA on device 0 / card 0 and the others on device 1 of their card.
            "device_index": 0 if card == 0 else 1,
            "network_card_index": card,
            "interface_type": "efa",
            "delete_on_termination": "true",
            "security_groups": list(security_group_ids),
        }
        for card in range(efa_interfaces)
    ]
    instance_tags = {**tags, "Name": name}
    return aws.ec2.LaunchTemplate(
        f"{name}-lt",
        description=f"EKS nodes of {name}: IMDSv2 only, encrypted gp3 root",
        update_default_version=True,
        metadata_options={
            "http_endpoint": "enabled",
            "http_tokens": "required",
            # Hop limit 1: pods (one hop further) cannot reach the node's instance credentials;
            # they get their own through IRSA.
            "http_put_response_hop_limit": 1,
            "instance_metadata_tags": "disabled",
        },
        block_device_mappings=[
            {
                "device_name": ROOT_DEVICE,
                "ebs": {
                    "volume_size": disk_gib,
                    "volume_type": "gp3",
                    "encrypted": "true",
                    "delete_on_termination": "true",
                    **({"kms_key_id": kms_key_arn} if kms_key_arn is not None else {}),
                },
            }
        ],
        placement={"group_name": placement_group_name} if placement_group_name is not None else None,
        network_interfaces=network_interfaces or None,
        tag_specifications=[
            {"resource_type": kind, "tags": instance_tags} for kind in ("instance", "volume", "network-interface")
        ],
        tags=dict(tags),
        opts=child_options(parent),
    )
