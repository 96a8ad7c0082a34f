"""Fake AWS outputs (ARNs, endpoints, issuer URLs) for the mock runtime."""

from __future__ import annotations

import hashlib
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
        # EKS creates the cluster security group; nodes with EFA interfaces name it explicitly.
        "vpcConfig": {**(inputs.get("vpcConfig") or {}), "clusterSecurityGroupId": _ec2_id("sg", f"{name}-cluster")},
        "status": "ACTIVE",
    }


def _ec2_id(prefix: str, name: str) -> str:
    """A stable EC2-style id (`subnet-0a1b2c...`) derived from the resource name."""
    return f"{prefix}-{hashlib.sha256(name.encode()).hexdigest()[:17]}"


def _ec2_arn(kind: str, id_prefix: str) -> Callable[[str, State], State]:
    def make(name: str, inputs: State) -> State:
        return {"arn": _aws_arn("ec2", f"{kind}/{_ec2_id(id_prefix, name)}")}

    return make


def _log_group(name: str, inputs: State) -> State:
    # CloudWatch log group ARNs use a colon before the name (and the provider drops the `:*`).
    group = inputs.get("name") or f"{name}-0000"
    return {"name": group, "arn": _aws_arn("logs", f"log-group:{group}")}


def _launch_template(name: str, inputs: State) -> State:
    return {
        "arn": _aws_arn("ec2", f"launch-template/{_ec2_id('lt', name)}"),
        "latestVersion": 1,
        "defaultVersion": 1,
    }


def _placement_group(name: str, inputs: State) -> State:
    group = inputs.get("name") or f"{name}-0000"
    return {"name": group, "arn": _aws_arn("ec2", f"placement-group/{group}"), "placementGroupId": _ec2_id("pg", name)}


def _eip(name: str, inputs: State) -> State:
    return {"allocationId": _ec2_id("eipalloc", name), "publicIp": "198.51.100.10", "domain": "vpc"}


def _vpc(name: str, inputs: State) -> State:
    return {
        "arn": _aws_arn("ec2", f"vpc/{_ec2_id('vpc', name)}"),
        "defaultSecurityGroupId": _ec2_id("sg", f"{name}-default"),
        "mainRouteTableId": _ec2_id("rtb", f"{name}-main"),
    }


def _node_group(name: str, inputs: State) -> State:
    group = inputs.get("nodeGroupName") or f"{name}-0000"
    cluster = inputs.get("clusterName") or "cluster"
    return {
        "nodeGroupName": group,
        "arn": _aws_arn("eks", f"nodegroup/{cluster}/{group}/mock"),
        "status": "ACTIVE",
        # EKS names the group's Auto Scaling group `eks-<node group>-<uuid>`.
        "resources": [{"autoscalingGroups": [{"name": f"eks-{group}-{_ec2_id('asg', name)[4:12]}"}]}],
    }


def _s3_endpoint(name: str, inputs: State) -> State:
    return {"arn": _aws_arn("ec2", f"vpc-endpoint/{_ec2_id('vpce', name)}"), "prefixListId": _ec2_id("pl", name)}


def _scaling_policy(name: str, inputs: State) -> State:
    policy = inputs.get("name") or f"{name}-0000"
    return {"name": policy, "arn": _aws_arn("autoscaling", f"scalingPolicy:mock:resource/sagemaker/{policy}")}


def _budget(name: str, inputs: State) -> State:
    budget = inputs.get("name") or f"{name}-0000"
    return {"name": budget, "arn": f"arn:aws:budgets::{ACCOUNT_ID}:budget/{budget}"}


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
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:sagemaker/model:Model": _named_arn("sagemaker", "model"),
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": _named_arn("sagemaker", "endpoint-config"),
    "aws:sagemaker/endpoint:Endpoint": _named_arn("sagemaker", "endpoint"),
    "aws:eks/nodeGroup:NodeGroup": _node_group,
    "aws:ec2/vpc:Vpc": _vpc,
    "aws:ec2/subnet:Subnet": _ec2_arn("subnet", "subnet"),
    "aws:ec2/securityGroup:SecurityGroup": _ec2_arn("security-group", "sg"),
    "aws:ec2/internetGateway:InternetGateway": _ec2_arn("internet-gateway", "igw"),
    "aws:ec2/natGateway:NatGateway": _ec2_arn("natgateway", "nat"),
    "aws:ec2/routeTable:RouteTable": _ec2_arn("route-table", "rtb"),
    "aws:ec2/flowLog:FlowLog": _ec2_arn("vpc-flow-log", "fl"),
    "aws:ec2/eip:Eip": _eip,
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:ec2/placementGroup:PlacementGroup": _placement_group,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _s3_endpoint,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _ec2_arn("security-group-rule", "sgr"),
    "aws:appautoscaling/target:Target": lambda name, inputs: {
        "arn": _aws_arn("application-autoscaling", f"scalable-target/{_ec2_id('st', name)}")
    },
    "aws:appautoscaling/policy:Policy": _scaling_policy,
    "aws:budgets/budget:Budget": _budget,
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
