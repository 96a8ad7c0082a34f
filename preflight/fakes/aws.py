"""Fake AWS outputs (ARNs, endpoints, issuer URLs) for the mock runtime."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ACCOUNT_ID = "123456789012"
AWS_REGION = "us-east-1"

State = dict[str, Any]


def _aws_arn(service: str, resource: str, *, region: bool = True) -> str:
    where = f"{AWS_REGION}:{ACCOUNT_ID}" if region else f":{ACCOUNT_ID}"
    return f"arn:aws:{service}:{where}:{resource}"


def _s3_bucket(name: str, inputs: State) -> State:
    bucket = inputs.get("bucket") or f"{name}-0000"
    return {"bucket": bucket, "arn": f"arn:aws:s3:::{bucket}", "bucketDomainName": f"{bucket}.s3.amazonaws.com"}


def _eks_cluster(name: str, inputs: State) -> State:
    cluster = inputs.get("name") or name
    return {
        "name": cluster,
        "arn": _aws_arn("eks", f"cluster/{cluster}"),
        "endpoint": f"https://{cluster}.gr7.{AWS_REGION}.eks.amazonaws.com",
        "certificateAuthority": {"data": "TU9DSy1DQQ=="},
        "identities": [{"oidcs": [{"issuer": f"https://oidc.eks.{AWS_REGION}.amazonaws.com/id/{cluster.upper()}"}]}],
    }


def _iam(kind: str) -> Callable[[str, State], State]:
    def make(name: str, inputs: State) -> State:
        resource_name = inputs.get("name") or f"{name}-0000"
        return {"name": resource_name, "arn": f"arn:aws:iam::{ACCOUNT_ID}:{kind}/{resource_name}"}

    return make


def _kms_key(name: str, inputs: State) -> State:
    key_id = f"mock-{name}"
    return {"keyId": key_id, "arn": _aws_arn("kms", f"key/{key_id}")}


def _named_arn(service: str, kind: str) -> Callable[[str, State], State]:
    def make(name: str, inputs: State) -> State:
        resource_name = inputs.get("name") or f"{name}-0000"
        return {"name": resource_name, "arn": _aws_arn(service, f"{kind}/{resource_name}")}

    return make


def _oidc_provider(name: str, inputs: State) -> State:
    url = str(inputs.get("url", "")).removeprefix("https://")
    return {"arn": f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{url}"}


FAKERS: dict[str, Callable[[str, State], State]] = {
    "aws:s3/bucket:Bucket": _s3_bucket,
    "aws:eks/cluster:Cluster": _eks_cluster,
    "aws:iam/role:Role": _iam("role"),
    "aws:iam/policy:Policy": _iam("policy"),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": _oidc_provider,
    "aws:kms/key:Key": _kms_key,
    "aws:cloudwatch/logGroup:LogGroup": _named_arn("logs", "log-group"),
    "aws:sagemaker/model:Model": _named_arn("sagemaker", "model"),
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": _named_arn("sagemaker", "endpoint-config"),
    "aws:sagemaker/endpoint:Endpoint": _named_arn("sagemaker", "endpoint"),
    "aws:eks/nodeGroup:NodeGroup": _named_arn("eks", "nodegroup"),
}

INVOKES: dict[str, State] = {
    "aws:index/getCallerIdentity:getCallerIdentity": {
        "accountId": ACCOUNT_ID,
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/preflight",
        "userId": "AIDAPREFLIGHT",
    },
    "aws:index/getPartition:getPartition": {"partition": "aws", "dnsSuffix": "amazonaws.com"},
    "aws:index/getRegion:getRegion": {"name": AWS_REGION, "region": AWS_REGION},
}
