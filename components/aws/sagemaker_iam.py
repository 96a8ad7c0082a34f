"""IAM documents of SageMaker endpoints: the execution role's trust and its least-privilege
policy for hosting one model inside the VPC."""

from __future__ import annotations

import json


def sagemaker_trust(account_id: str) -> str:
    """SageMaker may assume the role, acting for this account only."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sagemaker.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    # Confused-deputy guard: only SageMaker acting for this account.
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                }
            ],
        }
    )


def execution_policy(
    *,
    region: str,
    account: str,
    model_object_arn: str,
    capture_arn: str | None,
    bucket_key_arn: str | None,
    repository_arn: str,
    log_group_arn: str,
    security_group_arn: str,
    subnet_ids: list[str],
    vpc_id: str,
    async_output_arn: str | None = None,
    topic_arns: list[str] | None = None,
) -> str:
    """Least privilege for hosting one model. Three statements need `"Resource": "*"` because
    the actions have no resource-level permissions in IAM: ecr:GetAuthorizationToken, the
    ec2:Describe* calls SageMaker makes to place VPC interfaces, and cloudwatch:PutMetricData
    (held to the SageMaker endpoint namespace by a condition instead). Network interfaces get
    their ids when SageMaker creates them, so their ARN is `network-interface/*`: the `ec2:Vpc`
    condition holds it to interfaces in the endpoint's own VPC."""
    eni_arns = f"arn:aws:ec2:{region}:{account}:network-interface/*"
    own_vpc = {"StringEquals": {"ec2:Vpc": f"arn:aws:ec2:{region}:{account}:vpc/{vpc_id}"}}
    statements: list[dict] = [
        {"Sid": "ReadModelArtifact", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [model_object_arn]},
        {
            "Sid": "PullServingImage",
            "Effect": "Allow",
            "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            "Resource": [repository_arn],
        },
        # Unavoidable "*": GetAuthorizationToken is account-wide (no resource-level permissions).
        {"Sid": "EcrLogin", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": "*"},
        {
            "Sid": "WriteOwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            "Resource": [log_group_arn, f"{log_group_arn}:log-stream:*"],
        },
        # Unavoidable "*": PutMetricData has no resource-level permissions; the namespace
        # condition limits it to SageMaker endpoint metrics.
        {
            "Sid": "PublishEndpointMetrics",
            "Effect": "Allow",
            "Action": ["cloudwatch:PutMetricData"],
            "Resource": "*",
            "Condition": {"StringEquals": {"cloudwatch:namespace": "/aws/sagemaker/Endpoints"}},
        },
        # Unavoidable "*": EC2 Describe* calls have no resource-level permissions.
        {
            "Sid": "DescribeVpc",
            "Effect": "Allow",
            "Action": [
                "ec2:DescribeDhcpOptions",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeVpcs",
            ],
            "Resource": "*",
        },
        {
            "Sid": "CreateInterfacesInOwnSubnets",
            "Effect": "Allow",
            "Action": ["ec2:CreateNetworkInterface"],
            "Resource": [
                eni_arns,
                security_group_arn,
                *(f"arn:aws:ec2:{region}:{account}:subnet/{subnet}" for subnet in subnet_ids),
            ],
            "Condition": own_vpc,
        },
        {
            "Sid": "ManageOwnInterfaces",
            "Effect": "Allow",
            "Action": [
                "ec2:CreateNetworkInterfacePermission",
                "ec2:DeleteNetworkInterface",
                "ec2:DeleteNetworkInterfacePermission",
            ],
            "Resource": [eni_arns],
            "Condition": own_vpc,
        },
    ]
    if capture_arn is not None:
        statements.append(
            {"Sid": "WriteDataCapture", "Effect": "Allow", "Action": ["s3:PutObject"], "Resource": [capture_arn]}
        )
    if async_output_arn is not None:
        # Asynchronous inference: results and failures under the endpoint's own output prefix.
        statements.append(
            {"Sid": "WriteAsyncResults", "Effect": "Allow", "Action": ["s3:PutObject"], "Resource": [async_output_arn]}
        )
    if topic_arns:
        statements.append(
            {"Sid": "NotifyResults", "Effect": "Allow", "Action": ["sns:Publish"], "Resource": topic_arns}
        )
    writes = capture_arn is not None or async_output_arn is not None
    if bucket_key_arn:
        key_actions = ["kms:Decrypt", "kms:GenerateDataKey"] if writes else ["kms:Decrypt"]
        statements.append(
            {"Sid": "UseBucketKey", "Effect": "Allow", "Action": key_actions, "Resource": [bucket_key_arn]}
        )
    return json.dumps({"Version": "2012-10-17", "Statement": statements})
