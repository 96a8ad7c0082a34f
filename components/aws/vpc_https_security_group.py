"""The security group of SageMaker workloads placed in the VPC: no ingress, HTTPS egress to the
VPC only (S3, ECR, CloudWatch and STS are reached through VPC endpoints)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.options import child_options


def vpc_https_security_group(
    name: str,
    *,
    parent: pulumi.Resource,
    description: str,
    vpc_id: pulumi.Input[str],
    vpc_cidr: pulumi.Input[str],
    tags: dict[str, str],
) -> aws.ec2.SecurityGroup:
    """`<name>-sg` and its one egress rule `<name>-sg-egress-https` (children of `parent`)."""
    group = aws.ec2.SecurityGroup(
        f"{name}-sg", description=description, vpc_id=vpc_id, tags=tags, opts=child_options(parent)
    )
    aws.vpc.SecurityGroupEgressRule(
        f"{name}-sg-egress-https",
        security_group_id=group.id,
        description="HTTPS to services inside the VPC",
        ip_protocol="tcp",
        from_port=443,
        to_port=443,
        cidr_ipv4=vpc_cidr,
        tags=tags,
        opts=child_options(parent),
    )
    return group
