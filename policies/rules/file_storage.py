"""Shared file systems for training (FSx for Lustre, Managed Lustre, Filestore, Azure Managed
Lustre, NAS): encrypted with customer keys, reachable only from the cluster network, and backed
up / protected from deletion in prod."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import Context, Example, Resource, Rule, as_int, as_list, present
from policies.rules.references import names_customer_key

FSX_LUSTRE = "aws:fsx/lustreFileSystem:LustreFileSystem"
AWS_SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
AWS_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
MANAGED_LUSTRE = "gcp:lustre/instance:Instance"
FILESTORE = "gcp:filestore/instance:Instance"
AML_FILESYSTEM = "azure-native:storagecache:AmlFilesystem"
AZURE_SUBNET = "azure-native:network:Subnet"
AZURE_NSG = "azure-native:network:NetworkSecurityGroup"
NAS_FILE_SYSTEM = "alicloud:nas/fileSystem:FileSystem"
NAS_ACCESS_RULE = "alicloud:nas/accessRule:AccessRule"
NAS_MOUNT_TARGET = "alicloud:nas/mountTarget:MountTarget"

ANYWHERE = {"0.0.0.0/0", "::/0", "*", "Internet", "Any", "any"}
"""Sources that mean "every address" (or every address of the VNet) rather than the cluster."""
AZURE_BROAD_SOURCES = ANYWHERE | {"VirtualNetwork"}
NAS_KMS_ENCRYPTION = 2
"""`encryptType` 2: a customer-managed KMS key (1 is the NAS-managed key, 0 none)."""


# -- file-system-encrypted-with-cmk ---------------------------------------------------------------
def _cmk_fsx(fs: Resource, ctx: Context) -> Iterator[str]:
    if not names_customer_key(ctx, fs, "kmsKeyId", fs.get("kmsKeyId")):
        yield "kmsKeyId is not a customer-managed KMS key (the file system uses the AWS-managed key)"


def _cmk_lustre(instance: Resource, ctx: Context) -> Iterator[str]:
    if not names_customer_key(ctx, instance, "kmsKey", instance.get("kmsKey")):
        yield "kmsKey is not set (Google-managed encryption keys)"


def _cmk_filestore(instance: Resource, ctx: Context) -> Iterator[str]:
    if not names_customer_key(ctx, instance, "kmsKeyName", instance.get("kmsKeyName")):
        yield "kmsKeyName is not set (Google-managed encryption keys)"


def _cmk_amlfs(fs: Resource, ctx: Context) -> Iterator[str]:
    key = fs.get("encryptionSettings.keyEncryptionKey.keyUrl")
    if not names_customer_key(ctx, fs, "encryptionSettings", key):
        yield "encryptionSettings.keyEncryptionKey is not set (Microsoft-managed keys)"


def _cmk_nas(fs: Resource, ctx: Context) -> Iterator[str]:
    if as_int(fs.get("encryptType")) != NAS_KMS_ENCRYPTION:
        yield f"encryptType is {fs.get('encryptType', 'unset')!r}, not 2 (a customer-managed KMS key)"
    elif not names_customer_key(ctx, fs, "kmsKeyId", fs.get("kmsKeyId")):
        yield "encryptType is 2 but kmsKeyId names no customer-managed key"


FILE_SYSTEM_CMK = Rule(
    id="file-system-encrypted-with-cmk",
    ref="",
    domain="file_storage",
    description="Shared file systems are encrypted with a customer-managed key.",
    severity="medium",
    tags=("security",),
    remediation="FSx for Lustre kmsKeyId, Managed Lustre kmsKey, Filestore kmsKeyName, Azure Managed Lustre "
    "encryptionSettings.keyEncryptionKey, NAS encryptType 2 with kmsKeyId: a key the stack creates and rotates.",
    rationale="Training data and checkpoints on a shared file system are as sensitive as the buckets they "
    "mirror; a customer key lets the owner audit, rotate and revoke access to them like the buckets'.",
    examples=(
        Example(
            type=FSX_LUSTRE,
            compliant={"deploymentType": "PERSISTENT_2", "kmsKeyId": "arn:aws:kms:us-east-1:123:key/abc"},
            violating={"deploymentType": "PERSISTENT_2"},
            note="kmsKeyId removed",
        ),
    ),
    checks={
        FSX_LUSTRE: _cmk_fsx,
        MANAGED_LUSTRE: _cmk_lustre,
        FILESTORE: _cmk_filestore,
        AML_FILESYSTEM: _cmk_amlfs,
        NAS_FILE_SYSTEM: _cmk_nas,
    },
    # Keys are created in the same program: their property dependencies tell, at preview.
    needs_stack=True,
)


# -- file-system-private-to-cluster ---------------------------------------------------------------
def _private_fsx(fs: Resource, ctx: Context) -> Iterator[str]:
    stack = ctx.require_stack()
    groups = ctx.resolved_by(fs, "securityGroupIds", AWS_SECURITY_GROUP)
    if not groups:
        yield "securityGroupIds names no security group of this stack: who reaches the Lustre ports is not reviewed"
        return
    for group in groups:
        if any(present(group.get(key)) for key in ("ingress", "egress")):
            yield f"security group {group.name} has inline rules (not reviewed rule by rule)"
        for rule in stack.referencing(group, AWS_INGRESS_RULE, "securityGroupId"):
            cidrs = [c for c in (rule.get("cidrIpv4"), rule.get("cidrIpv6")) if c]
            if cidrs or rule.get("prefixListId"):
                yield (
                    f"{rule.name} admits {', '.join(map(str, cidrs)) or 'a prefix list'}: only the cluster's "
                    "security group (and the file system's own) should reach it"
                )


def _private_lustre(instance: Resource, ctx: Context) -> Iterator[str]:
    if instance.get("accessRulesOptions.defaultSquashMode") != "ROOT_SQUASH":
        yield "accessRulesOptions.defaultSquashMode is not ROOT_SQUASH: root anywhere in the VPC owns every file"
    for rule in as_list(instance.get("accessRulesOptions.accessRules")):
        ranges = rule.get("ipAddressRanges") if isinstance(rule, dict) else None
        if any(r in ANYWHERE for r in as_list(ranges)):
            yield f"access rule {rule.get('name', '?')} applies to every address"


def _private_filestore(instance: Resource, ctx: Context) -> Iterator[str]:
    if any(n.get("connectMode") != "PRIVATE_SERVICE_ACCESS" for n in as_list(instance.get("networks"))):
        yield "a network is not connected through private services access"
    exports = as_list(instance.get("fileShares.nfsExportOptions"))
    if not exports:
        yield "fileShares has no nfsExportOptions: every client of the VPC may mount it"
    for export in exports:
        ranges = as_list(export.get("ipRanges")) if isinstance(export, dict) else []
        if not ranges or any(r in ANYWHERE for r in ranges):
            yield "an nfsExportOptions entry does not limit ipRanges to the cluster's ranges"


def _private_amlfs(fs: Resource, ctx: Context) -> Iterator[str]:
    subnets = ctx.resolved_by(fs, "filesystemSubnet", AZURE_SUBNET)
    if not subnets:
        yield "filesystemSubnet is no subnet of this stack: its security group is not reviewed"
        return
    for subnet in subnets:
        groups = ctx.resolved_by(subnet, "networkSecurityGroup", AZURE_NSG)
        if not groups:
            yield f"subnet {subnet.name} has no network security group of this stack"
        for group in groups:
            for rule in as_list(group.get("securityRules")):
                if not isinstance(rule, dict) or rule.get("direction") != "Inbound" or rule.get("access") != "Allow":
                    continue
                sources = {rule.get("sourceAddressPrefix"), *as_list(rule.get("sourceAddressPrefixes"))}
                if sources & AZURE_BROAD_SOURCES:
                    named = sorted(map(str, sources - {None}))
                    yield f"{group.name} rule {rule.get('name', '?')} allows inbound from {named}"


def _private_nas_rule(rule: Resource, ctx: Context) -> Iterator[str]:
    source = rule.get("sourceCidrIp")
    if not source or source in ANYWHERE:
        yield f"sourceCidrIp is {source or 'unset'!r}: the permission group admits every address"


def _private_nas_mount(target: Resource, ctx: Context) -> Iterator[str]:
    if target.get("networkType") != "Vpc":
        yield f"networkType is {target.get('networkType', 'unset')!r}, not Vpc"
    if not target.get("accessGroupName") or target.get("accessGroupName") == "DEFAULT_VPC_GROUP_NAME":
        yield "the mount target uses the default permission group (every address of the VPC)"


FILE_SYSTEM_PRIVATE = Rule(
    id="file-system-private-to-cluster",
    ref="",
    domain="file_storage",
    description="Shared file systems are reachable only from the cluster's network.",
    severity="high",
    tags=("security",),
    remediation="FSx: a security group whose Lustre ports admit only the cluster's security group; Managed Lustre: "
    "ROOT_SQUASH outside the cluster's ranges; Filestore: NFS export options limited to the cluster's ranges; "
    "Azure Managed Lustre: a subnet whose security group admits only the node subnet; NAS: a VPC mount target "
    "whose permission group lists only the cluster's vSwitches.",
    rationale="A file system mounted without credentials trusts the network: anything that can reach its ports "
    "can read the data sets and overwrite checkpoints, so its reach must be exactly the cluster.",
    examples=(
        Example(
            type=NAS_ACCESS_RULE,
            compliant={"accessGroupName": "train", "sourceCidrIp": "10.40.0.0/20", "rwAccessType": "RDWR"},
            violating={"accessGroupName": "train", "sourceCidrIp": "0.0.0.0/0", "rwAccessType": "RDWR"},
            note="sourceCidrIp opened to every address",
        ),
    ),
    checks={
        FSX_LUSTRE: _private_fsx,
        MANAGED_LUSTRE: _private_lustre,
        FILESTORE: _private_filestore,
        AML_FILESYSTEM: _private_amlfs,
        NAS_ACCESS_RULE: _private_nas_rule,
        NAS_MOUNT_TARGET: _private_nas_mount,
    },
    needs_stack=True,
)


# -- file-system-backed-up ------------------------------------------------------------------------
def _backup_fsx(fs: Resource, ctx: Context) -> Iterator[str]:
    days = as_int(fs.get("automaticBackupRetentionDays"))
    if not days:
        yield "automaticBackupRetentionDays is 0: no daily backups"
    if fs.get("skipFinalBackup") is not False:
        yield "skipFinalBackup is not false: deleting the file system keeps no final backup"


def _backup_lustre(instance: Resource, ctx: Context) -> Iterator[str]:
    if instance.get("deletionPolicy") != "PREVENT":
        yield f"deletionPolicy is {instance.get('deletionPolicy', 'unset')!r}, not PREVENT"


def _backup_filestore(instance: Resource, ctx: Context) -> Iterator[str]:
    if instance.get("deletionProtectionEnabled") is not True:
        yield "deletionProtectionEnabled is not true"


FILE_SYSTEM_BACKED_UP = Rule(
    id="file-system-backed-up",
    ref="S24",
    domain="file_storage",
    description="Shared file systems keep backups or refuse deletion (prod).",
    severity="medium",
    tags=("security",),
    remediation="FSx for Lustre: automaticBackupRetentionDays >= 1 and skipFinalBackup false; Managed Lustre: "
    "deletionPolicy PREVENT; Filestore: deletionProtectionEnabled (config: backup_retention_days, prod protects).",
    rationale="Checkpoints written only to the file system (not yet exported) are lost with it; backups and "
    "provider-side deletion protection keep an accidental teardown from erasing weeks of training.",
    examples=(
        Example(
            type=FSX_LUSTRE,
            compliant={"automaticBackupRetentionDays": 7, "skipFinalBackup": False},
            violating={"automaticBackupRetentionDays": 0, "skipFinalBackup": False},
            note="automatic backups off",
        ),
    ),
    checks={FSX_LUSTRE: _backup_fsx, MANAGED_LUSTRE: _backup_lustre, FILESTORE: _backup_filestore},
)

RULES: list[Rule] = [FILE_SYSTEM_CMK, FILE_SYSTEM_PRIVATE, FILE_SYSTEM_BACKED_UP]
