"""Customer-managed KMS keys that an AWS service uses on the project's behalf: CloudWatch Logs
(encrypting a log group) and EC2 Auto Scaling (encrypting the EBS volumes of EKS managed nodes).
A service principal cannot be granted a key through IAM, so each key's policy names the service,
narrowed to this account (and, for logs, to the log group)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

from components.options import stateful_options

# Named one by one rather than AWS's sample `kms:ReEncrypt*` / `kms:GenerateDataKey*`: a service
# principal gets exactly the data-key operations it uses, and the policy reads without wildcards.
USE_ACTIONS = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:DescribeKey",
]


def _account_statement(partition: str, account: str) -> dict[str, Any]:
    # The key policy AWS gives every key by default: the account (through IAM policies) manages it.
    return {
        "Sid": "AccountManagesKeyThroughIam",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }


def log_key_policy(partition: str, account: str, region: str, log_group: str) -> str:
    """CloudWatch Logs may use the key for log group `log_group` (a name, or `*` for every log
    group of the account in the region), and only when acting for this account."""
    group_arn = f"arn:{partition}:logs:{region}:{account}:log-group:{log_group}"
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                _account_statement(partition, account),
                {
                    "Sid": "CloudWatchLogsEncryptsThisLogGroup",
                    "Effect": "Allow",
                    "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                    "Action": USE_ACTIONS,
                    "Resource": "*",
                    "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": group_arn}},
                },
            ],
        }
    )


def volume_key_policy(partition: str, account: str) -> str:
    """EC2 Auto Scaling (which launches EKS managed nodes) may encrypt and attach EBS volumes with
    the key: its service-linked role uses it and creates grants for the volumes it attaches."""
    autoscaling = (
        f"arn:{partition}:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    )
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                _account_statement(partition, account),
                {
                    "Sid": "AutoScalingEncryptsNodeVolumes",
                    "Effect": "Allow",
                    "Principal": {"AWS": autoscaling},
                    "Action": USE_ACTIONS,
                    "Resource": "*",
                },
                {
                    "Sid": "AutoScalingAttachesNodeVolumes",
                    "Effect": "Allow",
                    "Principal": {"AWS": autoscaling},
                    "Action": "kms:CreateGrant",
                    "Resource": "*",
                    "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
                },
            ],
        }
    )


def service_key(
    name: str,
    *,
    parent: pulumi.Resource,
    description: str,
    policy: pulumi.Input[str],
    tags: Mapping[str, str],
    protect: bool,
) -> aws.kms.Key:
    """A symmetric key with yearly rotation, a 30-day deletion window and `policy`; protected and
    retained with `protect` (losing it loses what it encrypts)."""
    return aws.kms.Key(
        name,
        description=description,
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=policy,
        tags=dict(tags),
        opts=stateful_options(parent, protect),
    )


def account_facts(parent: pulumi.Resource) -> tuple[pulumi.Output[str], pulumi.Output[str]]:
    """(partition, account id) of the deploying credentials."""
    invoke = pulumi.InvokeOutputOptions(parent=parent)
    return aws.get_partition_output(opts=invoke).partition, aws.get_caller_identity_output(opts=invoke).account_id


def log_group_key(
    name: str,
    *,
    parent: pulumi.Resource,
    region: str,
    log_group: str,
    tags: Mapping[str, str],
    protect: bool,
) -> aws.kms.Key:
    """A key CloudWatch Logs encrypts log group `log_group` with (`*`: any log group of the
    account in `region`, for log groups whose name AWS generates)."""
    partition, account = account_facts(parent)
    policy = pulumi.Output.all(partition, account).apply(lambda v: log_key_policy(v[0], v[1], region, log_group))
    return service_key(
        name,
        parent=parent,
        description=f"CloudWatch Logs encryption of {log_group if log_group != '*' else 'a log group'}",
        policy=policy,
        tags=tags,
        protect=protect,
    )
