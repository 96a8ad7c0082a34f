"""The trust policy of a role that EKS Pod Identity hands to pods of one cluster."""

from __future__ import annotations

import json

POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com"


def pod_identity_trust(account_id: str, region: str, cluster_name: str) -> str:
    """Only EKS Pod Identity may assume the role, and only on behalf of this account's cluster
    (the confused-deputy guard: source account and source cluster ARN)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": POD_IDENTITY_SERVICE},
                    "Action": ["sts:AssumeRole", "sts:TagSession"],
                    "Condition": {
                        "StringEquals": {"aws:SourceAccount": account_id},
                        "ArnEquals": {"aws:SourceArn": f"arn:aws:eks:{region}:{account_id}:cluster/{cluster_name}"},
                    },
                }
            ],
        }
    )
