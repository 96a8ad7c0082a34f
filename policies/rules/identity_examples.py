"""Compliant and violating inputs of the identity rules, for docs/policy-rules.md (and judged by
tests/policies/test_identity.py, so the documentation cannot drift from the rules)."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

from policies.framework import Example


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(action: Any, resource: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


_BUCKET = "arn:aws:s3:::ml-models"
_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
_OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"
_ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"

ADMIN = (
    Example(
        _ROLE_POLICY,
        {"role": "trainer", "policy": doc(_allow(["s3:GetObject"], f"{_BUCKET}/*"))},
        {"role": "trainer", "policy": doc(_allow("IAM:*", "*"))},
        note="a service wildcard, whatever its case",
    ),
    Example(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        {"role": "nodes", "policyArn": "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"},
        {"role": "nodes", "policyArn": "arn:aws-cn:iam::aws:policy/AmazonS3FullAccess"},
        note="a full-access managed policy, in another partition",
    ),
    Example(
        "azure-native:authorization:RoleDefinition",
        {"permissions": [{"actions": ["Microsoft.Storage/storageAccounts/read"]}]},
        {"permissions": [{"actions": ["*/write"]}]},
        note="writes to every provider",
    ),
)

RESOURCES = (
    Example(
        _ROLE_POLICY,
        {"role": "trainer", "policy": doc(_allow(["s3:ListBucket"], _BUCKET), _allow("ec2:DescribeSubnets", "*"))},
        {"role": "trainer", "policy": doc(_allow(["s3:PutObject"], "arn:aws:s3:::*/*"))},
        note="every object of every bucket, written as an ARN pattern",
    ),
)

KEYS = (
    Example(
        "azure-native:containerservice:ManagedCluster",
        {"disableLocalAccounts": True},
        {"disableLocalAccounts": False},
        note="local cluster-admin accounts left on",
    ),
)

SENSITIVE = (
    Example(
        _ROLE_POLICY,
        {"role": "trainer", "policy": doc(_allow("iam:PassRole", "arn:aws:iam::123456789012:role/sagemaker-exec"))},
        {"role": "trainer", "policy": doc(_allow("iam:Pass*", "arn:aws:iam::123456789012:role/*"))},
        note="may pass every role of the account",
    ),
    Example(
        _ROLE_POLICY,
        {
            "role": "chat",
            "policy": doc(
                _allow("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:123456789012:secret:hf-*")
            ),
        },
        {"role": "chat", "policy": doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})},
        note="NotAction grants every secret read (and more)",
    ),
    Example(
        "gcp:projects/iAMMember:IAMMember",
        {
            "project": "ml",
            "role": "roles/logging.logWriter",
            "member": "serviceAccount:nodes@ml.iam.gserviceaccount.com",
        },
        {
            "project": "ml",
            "role": "roles/iam.serviceAccountTokenCreator",
            "member": "serviceAccount:nodes@ml.iam.gserviceaccount.com",
        },
        note="impersonation of every service account of the project",
    ),
)

TRUST = (
    Example(
        "aws:iam/role:Role",
        {
            "assumeRolePolicy": doc(
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Principal": {"Federated": _OIDC},
                    "Condition": {
                        "StringEquals": {
                            f"{_ISSUER}:aud": "sts.amazonaws.com",
                            f"{_ISSUER}:sub": "system:serviceaccount:ml:trainer",
                        }
                    },
                }
            )
        },
        {
            "assumeRolePolicy": doc(
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Principal": {"Federated": _OIDC},
                    "Condition": {"StringLike": {f"{_ISSUER}:sub": "system:serviceaccount:*:*"}},
                }
            )
        },
        note="an OIDC trust that pins neither audience nor one subject",
    ),
    Example(
        "aws:iam/role:Role",
        {
            "assumeRolePolicy": doc(
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}}
            )
        },
        {
            "assumeRolePolicy": doc(
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::*:root"}}
            )
        },
        note="every account of AWS may assume it",
    ),
)

PUBLIC = (
    Example(
        "aws:kms/key:Key",
        {
            "policy": doc(
                _allow("kms:*", "*", Principal={"AWS": "arn:aws:iam::123456789012:root"}),
                _allow(
                    "kms:Decrypt", "*", Principal="*", Condition={"StringEquals": {"kms:CallerAccount": "123456789012"}}
                ),
            )
        },
        {"policy": doc(_allow("kms:Decrypt", "*", Principal={"AWS": ["*"]}))},
        note="everyone may decrypt",
    ),
)

_USER_DATA = "#!/bin/bash\nexport HF_TOKEN_SECRET_ARN=arn:aws:secretsmanager:us-east-1:123456789012:secret:hf\n"
_LEAKY = "#!/bin/bash\nexport DOWNLOADS=https://svc:Pa55w0rd-2024@artifacts.internal/models\n"

SECRETS = (
    Example(
        "aws:ec2/launchTemplate:LaunchTemplate",
        {"userData": base64.b64encode(_USER_DATA.encode()).decode()},
        {"userData": base64.b64encode(gzip.compress(_LEAKY.encode(), mtime=0)).decode()},
        note="a password in a URL, inside gzip+base64 user data",
    ),
    Example(
        "aws:sagemaker/model:Model",
        {"primaryContainer": {"environment": {"HF_TOKEN_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:1:secret:hf"}}},
        {"primaryContainer": {"environment": {"MODEL_REVISION": "sk-proj-" + "Zq3xW9vB2nL7kR4tY8uP1mC6hJ5dF0gA"}}},
        note="an OpenAI-style key under an innocent name",
    ),
)
