"""Node and instance disks: encrypted (S18), and with a customer-managed key where the cloud
supports one."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import Context, Example, Resource, Rule, Stack, as_bool, as_list, dig, present
from policies.rules.references import names_customer_key
from policies.rules.storage_resources import (
    ALICLOUD_NODE_POOL,
    AWS_EBS_DEFAULT_ENCRYPTION,
    AWS_EBS_VOLUME,
    AWS_INSTANCE,
    AWS_LAUNCH_TEMPLATE,
    AWS_NODE_GROUP,
    AZURE_AGENT_POOL,
    AZURE_CLUSTER,
    GKE_CLUSTER,
    GKE_NODE_POOL,
)


# -- S18: disks -----------------------------------------------------------------------------------
def _s18_launch_template(template: Resource, ctx: Context) -> Iterator[str]:
    mappings = template.get("blockDeviceMappings")
    if not present(mappings) and not _aws_default_encryption(ctx.require_stack()):
        yield "no blockDeviceMappings: the root volume takes the AMI's default, unencrypted unless the account says so"
    for index, mapping in enumerate(as_list(mappings)):
        ebs = dig(mapping, "ebs")
        if isinstance(ebs, dict) and as_bool(ebs.get("encrypted")) is not True:
            yield f"blockDeviceMappings[{index}] ({dig(mapping, 'deviceName', '?')}) is not encrypted"


def _aws_default_encryption(stack: Stack) -> bool:
    return any(as_bool(r.get("enabled", True)) is not False for r in stack.of_type(AWS_EBS_DEFAULT_ENCRYPTION))


def _s18_volume(volume: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(volume.get("encrypted")) is not True and not _aws_default_encryption(ctx.require_stack()):
        yield "encrypted is not true"


def _s18_instance(instance: Resource, ctx: Context) -> Iterator[str]:
    if _aws_default_encryption(ctx.require_stack()):
        return
    if as_bool(instance.get("rootBlockDevice.encrypted")) is not True and not instance.get("launchTemplate"):
        yield "rootBlockDevice.encrypted is not true"
    for index, device in enumerate(as_list(instance.get("ebsBlockDevices"))):
        if as_bool(dig(device, "encrypted")) is not True:
            yield f"ebsBlockDevices[{index}] is not encrypted"


def _s18_node_group(group: Resource, ctx: Context) -> Iterator[str]:
    if not group.get("launchTemplate") and not _aws_default_encryption(ctx.require_stack()):
        yield "no launch template: the root volume's encryption is left to the account default"


def _s18_azure_pool(pool: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(pool.get("enableEncryptionAtHost")) is not True:
        yield "enableEncryptionAtHost is not true (temporary disks and caches are not encrypted)"


def _s18_azure_cluster(cluster: Resource, ctx: Context) -> Iterator[str]:
    for index, profile in enumerate(as_list(cluster.get("agentPoolProfiles"))):
        if as_bool(dig(profile, "enableEncryptionAtHost")) is not True:
            name = dig(profile, "name", index)
            yield f"agent pool profile {name}: enableEncryptionAtHost is not true (temporary disks are not encrypted)"


def _s18_alicloud_pool(pool: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(pool.get("systemDiskEncrypted")) is not True:
        yield "systemDiskEncrypted is not true"
    for index, disk in enumerate(as_list(pool.get("dataDisks"))):
        if as_bool(dig(disk, "encrypted")) is not True:
            yield f"dataDisks[{index}] is not encrypted"


DISKS_ENCRYPTED = Rule(
    id="disks-encrypted",
    ref="S18",
    domain="storage",
    description="Node and instance disks are encrypted (Google Cloud encrypts every disk by default).",
    severity="high",
    tags=("security",),
    remediation=(
        "AWS: encrypted EBS volumes in the launch template (or EBS encryption by default). Azure: "
        "enableEncryptionAtHost=true on agent pools. Alibaba: systemDiskEncrypted=true and encrypted data disks."
    ),
    rationale="A node's disks hold container images with baked-in weights, cached datasets, checkpoints and "
    "swap of whatever the GPU jobs touched; an unencrypted volume or snapshot that leaks (shared AMI, detached "
    "volume, host maintenance) exposes all of it. AKS agent pools inline in the cluster are judged like separate "
    "ones, and a launch template without block device mappings falls back to the AMI's unencrypted default.",
    examples=(
        Example(
            type=AWS_LAUNCH_TEMPLATE,
            compliant={"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true"}}]},
            violating={"metadataOptions": {"httpTokens": "required"}},
            note="no block device mappings: the AMI's unencrypted root volume",
        ),
        Example(
            type=AZURE_CLUSTER,
            compliant={"agentPoolProfiles": [{"name": "system", "enableEncryptionAtHost": True}]},
            violating={"agentPoolProfiles": [{"name": "system"}]},
            note="an inline agent pool without host encryption",
        ),
    ),
    checks={
        AWS_LAUNCH_TEMPLATE: _s18_launch_template,
        AWS_EBS_VOLUME: _s18_volume,
        AWS_INSTANCE: _s18_instance,
        AWS_NODE_GROUP: _s18_node_group,
        AZURE_AGENT_POOL: _s18_azure_pool,
        AZURE_CLUSTER: _s18_azure_cluster,
        ALICLOUD_NODE_POOL: _s18_alicloud_pool,
    },
    needs_stack=True,
    covers=(AWS_EBS_DEFAULT_ENCRYPTION,),
)


# -- customer-managed keys ------------------------------------------------------------------------
def _cmk_launch_template(template: Resource, ctx: Context) -> Iterator[str]:
    for index, mapping in enumerate(as_list(template.get("blockDeviceMappings"))):
        ebs = dig(mapping, "ebs")
        if isinstance(ebs, dict) and not names_customer_key(ctx, template, "blockDeviceMappings", ebs.get("kmsKeyId")):
            yield f"blockDeviceMappings[{index}] ({dig(mapping, 'deviceName', '?')}) has no customer-managed kmsKeyId"


def _cmk_volume(volume: Resource, ctx: Context) -> Iterator[str]:
    if not names_customer_key(ctx, volume, "kmsKeyId", volume.get("kmsKeyId")):
        yield "kmsKeyId is not a customer-managed key"


def _cmk_gke_pool(pool: Resource, ctx: Context) -> Iterator[str]:
    if not names_customer_key(ctx, pool, "nodeConfig", pool.get("nodeConfig.bootDiskKmsKey")):
        yield "nodeConfig.bootDiskKmsKey is not set (boot disks use Google-managed keys)"


def _cmk_gke_cluster(cluster: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(cluster.get("removeDefaultNodePool")) or as_bool(cluster.get("enableAutopilot")):
        return
    if not names_customer_key(ctx, cluster, "nodeConfig", cluster.get("nodeConfig.bootDiskKmsKey")):
        yield "the default node pool's nodeConfig.bootDiskKmsKey is not set"


def _cmk_aks(cluster: Resource, ctx: Context) -> Iterator[str]:
    des = cluster.get("diskEncryptionSetID")
    if not names_customer_key(ctx, cluster, "diskEncryptionSetID", des):
        yield "diskEncryptionSetID is not set (node OS and data disks use platform-managed keys)"


def _cmk_ack_pool(pool: Resource, ctx: Context) -> Iterator[str]:
    if not names_customer_key(ctx, pool, "systemDiskKmsKey", pool.get("systemDiskKmsKey")):
        yield "systemDiskKmsKey is not set"
    for index, disk in enumerate(as_list(pool.get("dataDisks"))):
        if not names_customer_key(ctx, pool, "dataDisks", dig(disk, "kmsKeyId")):
            yield f"dataDisks[{index}] has no kmsKeyId"


DISKS_CMK = Rule(
    id="disks-encrypted-with-cmk",
    ref="",
    domain="storage",
    description="Node disks are encrypted with a customer-managed key where the cloud supports one.",
    severity="medium",
    tags=("security",),
    remediation="AWS: kmsKeyId (a customer key whose policy lets the Auto Scaling service-linked role use it) on the "
    "launch template's EBS mappings. GKE: nodeConfig.bootDiskKmsKey (grant the Compute Engine service agent). "
    "AKS: diskEncryptionSetID. ACK: systemDiskKmsKey and a kmsKeyId on each data disk.",
    rationale="With a key you manage, disabling or revoking the key makes every disk and snapshot of the node pool "
    "unreadable, access to the data is logged at the key, and the key's policy decides who may attach copies; "
    "provider-managed keys give none of that. An AWS-managed key (alias/aws/ebs) is not a customer key.",
    examples=(
        Example(
            type=GKE_NODE_POOL,
            compliant={"nodeConfig": {"bootDiskKmsKey": "projects/p/locations/l/keyRings/r/cryptoKeys/nodes"}},
            violating={"nodeConfig": {"diskType": "pd-balanced"}},
            note="no boot disk key",
        ),
        Example(
            type=AWS_LAUNCH_TEMPLATE,
            compliant={
                "blockDeviceMappings": [
                    {"ebs": {"encrypted": "true", "kmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/1"}}
                ]
            },
            violating={"blockDeviceMappings": [{"ebs": {"encrypted": "true", "kmsKeyId": "alias/aws/ebs"}}]},
            note="the AWS-managed EBS key",
        ),
    ),
    checks={
        AWS_LAUNCH_TEMPLATE: _cmk_launch_template,
        AWS_EBS_VOLUME: _cmk_volume,
        GKE_NODE_POOL: _cmk_gke_pool,
        GKE_CLUSTER: _cmk_gke_cluster,
        AZURE_CLUSTER: _cmk_aks,
        ALICLOUD_NODE_POOL: _cmk_ack_pool,
    },
    # Keys are created in the same program: their property dependencies tell, at preview.
    needs_stack=True,
)
