"""Encryption of an SLS logstore with a customer-managed KMS key: the key, the RAM role Simple Log
Service assumes to use it, and that role's one-key policy. Used by `Network` for its flow logs."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pulumi
import pulumi_alicloud as alicloud

from components.alicloud.kms_key import customer_key
from components.options import child_options

SLS_SERVICE = "log.aliyuncs.com"
KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey")


def _trust() -> str:
    return json.dumps(
        {
            "Version": "1",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": [SLS_SERVICE]}}],
        }
    )


def _key_policy(region: str, account_id: str, key_id: str) -> str:
    return json.dumps(
        {
            "Version": "1",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": list(KEY_ACTIONS),
                    "Resource": [f"acs:kms:{region}:{account_id}:key/{key_id}"],
                }
            ],
        }
    )


def logstore_encryption(
    name: str,
    *,
    parent: pulumi.Resource,
    region: str,
    account_id: pulumi.Input[str],
    role_name: str,
    description: str,
    tags: Mapping[str, str],
    protect: bool,
) -> dict[str, object]:
    """The `encrypt_conf` of a logstore encrypted (AES-256) with a new customer key `<name>-key`,
    which SLS reaches through RAM role `role_name` (trusted by Simple Log Service only, allowed to
    use that one key only)."""
    key = customer_key(f"{name}-key", parent=parent, description=description, tags=tags, protect=protect)
    role = alicloud.ram.Role(
        f"{name}-role",
        role_name=role_name,
        description=f"Simple Log Service uses the key of: {description}",
        assume_role_policy_document=_trust(),
        tags=dict(tags),
        opts=child_options(parent),
    )
    policy = alicloud.ram.Policy(
        f"{name}-policy",
        policy_name=f"{role_name}-key",
        description=f"Use of one KMS key by Simple Log Service: {description}",
        policy_document=pulumi.Output.all(account_id, key.id).apply(lambda v: _key_policy(region, v[0], v[1])),
        rotate_strategy="DeleteOldestNonDefaultVersionWhenLimitExceeded",
        tags=dict(tags),
        opts=child_options(parent),
    )
    attachment = alicloud.ram.RolePolicyAttachment(
        f"{name}-policy-attachment",
        role_name=role.role_name,
        policy_name=policy.policy_name,
        policy_type="Custom",
        opts=child_options(parent),
    )
    return {
        "enable": True,
        "encrypt_type": "default",
        "user_cmk_info": {
            "cmk_key_id": key.id,
            # The role ARN depends on the attachment: SLS checks the key when the store is created.
            "arn": pulumi.Output.all(role.arn, attachment.id).apply(lambda v: v[0]),
            "region_id": region,
        },
    }
