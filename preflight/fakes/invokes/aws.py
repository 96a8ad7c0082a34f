"""AWS provider functions (data sources) answered from the stack's region and the catalog.

A real `pulumi preview` calls these against the account; offline they answer with values of the
right shape for the provider's region: zones from the catalog, the default VPC and its subnets
with stable ids, an AMI id for any name filter, `iam.get_policy_document` rendered from its
arguments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from preflight.fakes.invokes.policy_document import render_policy_document
from preflight.fakes.invokes.zones import zones_of
from preflight.fakes.world import Where, digest
from preflight.wire import secret

State = dict[str, Any]


def _caller_identity(args: Mapping[str, Any], where: Where) -> State:
    return {
        "accountId": where.account,
        "arn": f"arn:aws:iam::{where.account}:user/preflight",
        "userId": "AIDAPREFLIGHT0000000000",
        "id": where.account,
    }


def _partition(args: Mapping[str, Any], where: Where) -> State:
    return {"partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws", "id": "aws"}


def _region(args: Mapping[str, Any], where: Where) -> State:
    region = str(args.get("region") or args.get("name") or where.region)
    return {
        "name": region,
        "region": region,
        "id": region,
        "endpoint": f"ec2.{region}.amazonaws.com",
        "description": region,
    }


def _availability_zones(args: Mapping[str, Any], where: Where) -> State:
    names = zones_of("aws", where.region)
    return {
        "names": names,
        "zoneIds": [f"{where.region[:3]}{where.region.split('-')[-1]}-az{i + 1}" for i in range(len(names))],
        "groupNames": [where.region] * len(names),
        "id": where.region,
        "state": args.get("state") or "available",
    }


def _filter_value(args: Mapping[str, Any], name: str) -> str | None:
    for entry in args.get("filters") or []:
        if isinstance(entry, Mapping) and entry.get("name") == name:
            values = entry.get("values") or []
            return str(values[0]) if values else None
    return None


def _ami(args: Mapping[str, Any], where: Where) -> State:
    name = _filter_value(args, "name") or "ami"
    ami = f"ami-{digest(name + where.region)}"
    return {
        "id": ami,
        "imageId": ami,
        "name": name.replace("*", "2026.12.01"),
        "architecture": _filter_value(args, "architecture") or "x86_64",
        "ownerId": (args.get("owners") or ["amazon"])[0],
        "rootDeviceName": "/dev/xvda",
        "rootDeviceType": "ebs",
        "virtualizationType": "hvm",
        "state": "available",
        "arn": f"arn:aws:ec2:{where.region}::image/{ami}",
    }


def _vpc(args: Mapping[str, Any], where: Where) -> State:
    vpc = str(args.get("id") or f"vpc-{digest('default-vpc' + where.region)}")
    return {
        "id": vpc,
        "arn": f"arn:aws:ec2:{where.region}:{where.account}:vpc/{vpc}",
        "cidrBlock": "172.31.0.0/16",
        "default": bool(args.get("default", True)),
        "mainRouteTableId": f"rtb-{digest(vpc + '-main')}",
        "ownerId": where.account,
        "state": "available",
    }


def _subnet_ids(where: Where) -> list[str]:
    return [f"subnet-{digest('default-subnet-' + zone)}" for zone in zones_of("aws", where.region)]


def _subnets(args: Mapping[str, Any], where: Where) -> State:
    return {"ids": _subnet_ids(where), "id": where.region}


def _subnet(args: Mapping[str, Any], where: Where) -> State:
    zones = zones_of("aws", where.region)
    subnet = str(args.get("id") or _subnet_ids(where)[0])
    return {
        "id": subnet,
        "arn": f"arn:aws:ec2:{where.region}:{where.account}:subnet/{subnet}",
        "availabilityZone": str(args.get("availabilityZone") or zones[0]),
        "cidrBlock": "172.31.0.0/20",
        "vpcId": f"vpc-{digest('default-vpc' + where.region)}",
    }


def _security_group(args: Mapping[str, Any], where: Where) -> State:
    group = str(args.get("id") or f"sg-{digest('default-sg' + where.region)}")
    return {
        "id": group,
        "name": str(args.get("name") or "default"),
        "vpcId": f"vpc-{digest('default-vpc' + where.region)}",
    }


def _zone(args: Mapping[str, Any], where: Where) -> State:
    name = str(args.get("name") or "example.com").rstrip(".")
    zone = str(args.get("zoneId") or "Z" + digest(name, 13).upper())
    return {
        "id": zone,
        "zoneId": zone,
        "name": name,
        "arn": f"arn:aws:route53:::hostedzone/{zone}",
        "nameServers": [f"ns-{i}.awsdns-{i:02d}.org" for i in (1, 2)],
        "privateZone": bool(args.get("privateZone", False)),
    }


def _kms_alias(args: Mapping[str, Any], where: Where) -> State:
    alias = str(args.get("name") or "alias/aws/s3")
    key = f"{digest(alias, 8)}-0000-4000-8000-{digest(alias + 'k', 12)}"
    return {
        "id": f"arn:aws:kms:{where.region}:{where.account}:{alias}",
        "arn": f"arn:aws:kms:{where.region}:{where.account}:{alias}",
        "name": alias,
        "targetKeyId": key,
        "targetKeyArn": f"arn:aws:kms:{where.region}:{where.account}:key/{key}",
    }


def _eks_auth_token(args: Mapping[str, Any], where: Where) -> State:
    return {"name": args.get("name"), "token": secret("k8s-aws-v1.preflight-placeholder"), "id": args.get("name")}


def _ecr_authorization_token(args: Mapping[str, Any], where: Where) -> State:
    return {
        "authorizationToken": secret("QVdTOnByZWZsaWdodA=="),
        "password": secret("preflight-placeholder"),
        "userName": "AWS",
        "proxyEndpoint": f"https://{where.account}.dkr.ecr.{where.region}.amazonaws.com",
        "id": where.region,
    }


INVOKES = {
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:index/getPartition:getPartition": _partition,
    "aws:index/getRegion:getRegion": _region,
    "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
    "aws:ec2/getAmi:getAmi": _ami,
    "aws:ec2/getVpc:getVpc": _vpc,
    "aws:ec2/getSubnets:getSubnets": _subnets,
    "aws:ec2/getSubnetIds:getSubnetIds": _subnets,
    "aws:ec2/getSubnet:getSubnet": _subnet,
    "aws:ec2/getSecurityGroup:getSecurityGroup": _security_group,
    "aws:iam/getPolicyDocument:getPolicyDocument": lambda args, where: render_policy_document(args),
    "aws:route53/getZone:getZone": _zone,
    "aws:kms/getAlias:getAlias": _kms_alias,
    "aws:eks/getClusterAuth:getClusterAuth": _eks_auth_token,
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": _ecr_authorization_token,
}
