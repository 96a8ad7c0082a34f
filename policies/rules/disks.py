"""Node and instance disks (S18)."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import Context, Resource, Rule, Stack, as_bool, as_list, dig
from policies.rules.storage_resources import (
    ALICLOUD_NODE_POOL,
    AWS_EBS_DEFAULT_ENCRYPTION,
    AWS_EBS_VOLUME,
    AWS_INSTANCE,
    AWS_LAUNCH_TEMPLATE,
    AWS_NODE_GROUP,
    AZURE_AGENT_POOL,
)


# -- S18: disks -----------------------------------------------------------------------------------
def _s18_launch_template(template: Resource, ctx: Context) -> Iterator[str]:
    for index, mapping in enumerate(as_list(template.get("blockDeviceMappings"))):
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
    checks={
        AWS_LAUNCH_TEMPLATE: _s18_launch_template,
        AWS_EBS_VOLUME: _s18_volume,
        AWS_INSTANCE: _s18_instance,
        AWS_NODE_GROUP: _s18_node_group,
        AZURE_AGENT_POOL: _s18_azure_pool,
        ALICLOUD_NODE_POOL: _s18_alicloud_pool,
    },
    needs_stack=True,
    covers=(AWS_EBS_DEFAULT_ENCRYPTION,),
)
