"""Fake AWS outputs (ARNs, endpoints, issuer URLs) for the update phase, with the account and
region of the resource's provider."""

from __future__ import annotations

from preflight.fakes.context import Faker, Made, State
from preflight.fakes.ids import aws_arn, aws_id
from preflight.fakes.world import digest


def _s3_bucket(made: Made) -> State:
    bucket = made.own_name("bucket")
    return {
        "bucket": bucket,
        "arn": aws_arn(made.where, "s3", bucket),
        "bucketDomainName": f"{bucket}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{bucket}.s3.{made.where.region}.amazonaws.com",
        "region": made.where.region,
    }


def _eks_cluster(made: Made) -> State:
    cluster = made.own_name("name")
    region = made.where.region
    return {
        "name": cluster,
        "arn": aws_arn(made.where, "eks", f"cluster/{cluster}"),
        "endpoint": f"https://{digest(cluster, 32).upper()}.gr7.{region}.eks.amazonaws.com",
        "certificateAuthority": {"data": "TU9DSy1DQQ=="},
        "identities": [
            {"oidcs": [{"issuer": f"https://oidc.eks.{region}.amazonaws.com/id/{digest(cluster, 32).upper()}"}]}
        ],
        # EKS creates the cluster security group; nodes with EFA interfaces name it explicitly.
        "vpcConfig": {
            **(made.get("vpcConfig") or {}),
            "clusterSecurityGroupId": f"sg-{digest(made.name + '-cluster')}",
            "vpcId": f"vpc-{digest(made.name + '-vpc')}",
        },
        "status": "ACTIVE",
        "platformVersion": "eks.1",
    }


def _log_group(made: Made) -> State:
    # CloudWatch log group ARNs use a colon before the name (and the provider drops the `:*`).
    group = made.own_name("name")
    return {"name": group, "arn": aws_arn(made.where, "logs", f"log-group:{group}")}


def _launch_template(made: Made) -> State:
    return {"arn": aws_arn(made.where, "ec2", f"launch-template/{made.id}"), "latestVersion": 1, "defaultVersion": 1}


def _placement_group(made: Made) -> State:
    group = made.own_name("name")
    return {"name": group, "arn": aws_arn(made.where, "ec2", f"placement-group/{group}"), "placementGroupId": made.id}


def _eip(made: Made) -> State:
    # 198.51.100.0/24 is TEST-NET-2: never a real public address.
    return {
        "allocationId": made.id,
        "publicIp": f"198.51.100.{int(digest(made.name, 2), 16) % 250 + 1}",
        "domain": "vpc",
    }


def _vpc(made: Made) -> State:
    return {
        "arn": aws_arn(made.where, "ec2", f"vpc/{made.id}"),
        "defaultSecurityGroupId": f"sg-{digest(made.name + '-default')}",
        "mainRouteTableId": f"rtb-{digest(made.name + '-main')}",
        "defaultNetworkAclId": f"acl-{digest(made.name + '-default')}",
        "ownerId": made.where.account,
    }


def _node_group(made: Made) -> State:
    group = made.own_name("nodeGroupName")
    cluster = made.get("clusterName", "cluster")
    return {
        "nodeGroupName": group,
        "arn": aws_arn(made.where, "eks", f"nodegroup/{cluster}/{group}/{digest(made.name, 8)}"),
        "status": "ACTIVE",
        # EKS names the group's Auto Scaling group `eks-<node group>-<uuid>`.
        "resources": [{"autoscalingGroups": [{"name": f"eks-{group}-{digest(made.name + '-asg', 8)}"}]}],
    }


def _vpc_endpoint(made: Made) -> State:
    return {"arn": aws_arn(made.where, "ec2", f"vpc-endpoint/{made.id}"), "prefixListId": f"pl-{digest(made.name, 8)}"}


def _scaling_policy(made: Made) -> State:
    policy = made.own_name("name")
    resource = made.get("resourceId", "resource")
    return {
        "name": policy,
        "arn": aws_arn(
            made.where, "autoscaling", f"scalingPolicy:{digest(made.name, 8)}:resource/{resource}:policyName/{policy}"
        ),
    }


def _budget(made: Made) -> State:
    budget = made.own_name("name")
    return {"name": budget, "arn": f"arn:aws:budgets::{made.where.account}:budget/{budget}"}


def _iam(kind: str) -> Faker:
    def make(made: Made) -> State:
        name = made.own_name("name")
        path = made.get("path", "/")
        return {
            "name": name,
            "arn": f"arn:aws:iam::{made.where.account}:{kind}{path}{name}",
            "uniqueId": ("AROA" if kind == "role" else "ANPA") + digest(made.name, 17).upper(),
        }

    return make


def _kms_key(made: Made) -> State:
    return {"keyId": made.id, "arn": aws_arn(made.where, "kms", f"key/{made.id}")}


def _named_arn(service: str, kind: str) -> Faker:
    def make(made: Made) -> State:
        name = made.own_name("name")
        return {"name": name, "arn": aws_arn(made.where, service, f"{kind}/{name}")}

    return make


def _oidc_provider(made: Made) -> State:
    url = str(made.get("url", "")).removeprefix("https://")
    return {"arn": f"arn:aws:iam::{made.where.account}:oidc-provider/{url}"}


def _sns_topic(made: Made) -> State:
    topic = made.own_name("name")
    return {"name": topic, "arn": aws_arn(made.where, "sns", topic), "owner": made.where.account}


def _state_machine(made: Made) -> State:
    machine = made.own_name("name")
    return {"name": machine, "arn": aws_arn(made.where, "states", f"stateMachine:{machine}")}


def _sqs_queue(made: Made) -> State:
    queue = made.own_name("name")
    return {"name": queue, "arn": aws_arn(made.where, "sqs", queue), "url": made.id}


def _lambda(made: Made) -> State:
    function = made.own_name("name")
    arn = aws_arn(made.where, "lambda", f"function:{function}")
    return {
        "name": function,
        "arn": arn,
        "qualifiedArn": f"{arn}:$LATEST",
        "invokeArn": f"arn:aws:apigateway:{made.where.region}:lambda:path/2015-03-31/functions/{arn}/invocations",
        "version": "$LATEST",
    }


def _rest_api(made: Made) -> State:
    return {
        "executionArn": f"arn:aws:execute-api:{made.where.region}:{made.where.account}:{made.id}",
        "rootResourceId": digest(made.name + "-root", 10),
        "arn": f"arn:aws:apigateway:{made.where.region}::/restapis/{made.id}",
    }


def _http_api(made: Made) -> State:
    return {
        "executionArn": f"arn:aws:execute-api:{made.where.region}:{made.where.account}:{made.id}",
        "apiEndpoint": f"https://{made.id}.execute-api.{made.where.region}.amazonaws.com",
        "arn": f"arn:aws:apigateway:{made.where.region}::/apis/{made.id}",
    }


def _load_balancer(made: Made) -> State:
    name = made.own_name("name")
    return {
        "name": name,
        "arn": made.id,
        "arnSuffix": made.id.split(":loadbalancer/", 1)[-1],
        "dnsName": f"{name}-{digest(made.name, 10)}.{made.where.region}.elb.amazonaws.com",
        "zoneId": "Z35SXDOTRQ7X7K",
    }


def _bucket_website(made: Made) -> State:
    bucket = made.get("bucket", "bucket")
    return {
        "websiteEndpoint": f"{bucket}.s3-website-{made.where.region}.amazonaws.com",
        "websiteDomain": f"s3-website-{made.where.region}.amazonaws.com",
    }


def _instance(made: Made) -> State:
    """Addresses and DNS names as EC2 gives them: an instance launched without a subnet lands in
    a default subnet of the default VPC, which maps a public address on launch."""
    index = int(digest(made.name, 2), 16) % 250 + 1
    region = made.where.region
    explicit = made.inputs.get("associatePublicIpAddress")
    public = explicit if isinstance(explicit, bool) else not made.get("subnetId")
    public_ip = f"198.51.100.{index}" if public else ""
    if region == "us-east-1":
        private_dns, public_domain = f"ip-10-0-0-{index}.ec2.internal", "compute-1.amazonaws.com"
    else:
        private_dns, public_domain = f"ip-10-0-0-{index}.{region}.compute.internal", f"{region}.compute.amazonaws.com"
    return {
        "arn": aws_arn(made.where, "ec2", f"instance/{made.id}"),
        "privateIp": f"10.0.0.{index}",
        "privateDns": private_dns,
        "publicIp": public_ip,
        "publicDns": f"ec2-{public_ip.replace('.', '-')}.{public_domain}" if public else "",
        "availabilityZone": made.get("availabilityZone", f"{region}a"),
        "instanceState": "running",
        "primaryNetworkInterfaceId": f"eni-{digest(made.name + '-eni')}",
    }


def _api_stage(api_key: str, name_key: str) -> Faker:
    """A REST (v1) or HTTP/WebSocket (v2) API stage: its invoke URL and execution ARN."""

    def make(made: Made) -> State:
        api, stage = made.get(api_key, "api"), made.get(name_key, made.name)
        region = made.where.region
        return {
            "invokeUrl": f"https://{api}.execute-api.{region}.amazonaws.com/{stage}",
            "executionArn": f"arn:aws:execute-api:{region}:{made.where.account}:{api}/{stage}",
            "arn": f"arn:aws:apigateway:{region}::/restapis/{api}/stages/{stage}",
        }

    return make


def _route53_record(made: Made) -> State:
    # The provider stores the record's name as given; a fully qualified name is its FQDN.
    return {"fqdn": str(made.get("name", made.name)).rstrip(".")}


def _dynamodb_table(made: Made) -> State:
    table = made.own_name("name")
    arn = aws_arn(made.where, "dynamodb", f"table/{table}")
    # Without a stream DynamoDB reports empty stream attributes.
    label = "2026-01-01T00:00:00.000" if made.get("streamEnabled") else ""
    return {"name": table, "arn": arn, "streamArn": f"{arn}/stream/{label}" if label else "", "streamLabel": label}


_DB_PORTS = {"postgres": 5432, "aurora-postgresql": 5432, "mysql": 3306, "mariadb": 3306, "aurora-mysql": 3306}


def _db_instance(made: Made) -> State:
    identifier = made.own_name("identifier")
    port = int(made.get("port") or _DB_PORTS.get(str(made.get("engine", "")), 5432))
    address = (
        f"{identifier}.c{digest(made.where.account + made.where.region, 11)}.{made.where.region}.rds.amazonaws.com"
    )
    return {
        "identifier": identifier,
        "arn": aws_arn(made.where, "rds", f"db:{identifier}"),
        "address": address,
        "port": port,
        "endpoint": f"{address}:{port}",
        "resourceId": made.id,
        "hostedZoneId": "Z29XKXDKYMONMX",
        "status": "available",
    }


def _colon_arn(made: Made, service: str, kind: str) -> State:
    """`arn:aws:<service>:<region>:<account>:<kind>:<name>` (CloudWatch alarms)."""
    name = made.own_name("name")
    return {"name": name, "arn": aws_arn(made.where, service, f"{kind}:{name}")}


def _amp_workspace(made: Made) -> State:
    workspace = f"ws-{digest(made.name, 8)}-{digest(made.name + 'ws', 4)}"
    region = made.where.region
    return {
        "arn": aws_arn(made.where, "aps", f"workspace/{workspace}"),
        "prometheusEndpoint": f"https://aps-workspaces.{region}.amazonaws.com/workspaces/{workspace}/",
    }


def _arn_is_id(made: Made) -> State:
    """Resources whose id is their ARN (SNS subscriptions, load balancer listeners)."""
    return {"arn": made.id}


def _lustre_file_system(made: Made) -> State:
    # The DNS name and the mount name are what the CSI volume mounts (`<dns>@tcp:/<mount>`).
    return {
        "arn": aws_arn(made.where, "fsx", f"file-system/{made.id}"),
        "dnsName": f"{made.id}.fsx.{made.where.region}.amazonaws.com",
        "mountName": digest(made.name + "-mount", 8),
        "networkInterfaceIds": [f"eni-{digest(made.name + '-eni')}"],
    }


FAKERS: dict[str, Faker] = {
    "aws:s3/bucket:Bucket": _s3_bucket,
    "aws:s3/bucketV2:BucketV2": _s3_bucket,
    "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration": _bucket_website,
    "aws:eks/cluster:Cluster": _eks_cluster,
    "aws:iam/role:Role": _iam("role"),
    "aws:iam/policy:Policy": _iam("policy"),
    "aws:iam/user:User": _iam("user"),
    "aws:iam/instanceProfile:InstanceProfile": _iam("instance-profile"),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": _oidc_provider,
    "aws:kms/key:Key": _kms_key,
    "aws:fsx/lustreFileSystem:LustreFileSystem": _lustre_file_system,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:sagemaker/model:Model": _named_arn("sagemaker", "model"),
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": _named_arn("sagemaker", "endpoint-config"),
    "aws:sagemaker/endpoint:Endpoint": _named_arn("sagemaker", "endpoint"),
    "aws:eks/nodeGroup:NodeGroup": _node_group,
    "aws:ec2/vpc:Vpc": _vpc,
    "aws:ec2/eip:Eip": _eip,
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:ec2/placementGroup:PlacementGroup": _placement_group,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _vpc_endpoint,
    "aws:ec2/instance:Instance": _instance,
    "aws:apigateway/stage:Stage": _api_stage("restApi", "stageName"),
    "aws:apigatewayv2/stage:Stage": _api_stage("apiId", "name"),
    "aws:route53/record:Record": _route53_record,
    "aws:dynamodb/table:Table": _dynamodb_table,
    "aws:rds/instance:Instance": _db_instance,
    "aws:sns/topicSubscription:TopicSubscription": _arn_is_id,
    "aws:lb/listener:Listener": _arn_is_id,
    "aws:appautoscaling/policy:Policy": _scaling_policy,
    "aws:budgets/budget:Budget": _budget,
    "aws:sns/topic:Topic": _sns_topic,
    # Step Functions: arn:aws:states:<region>:<account>:stateMachine:<name> (the ARN is its id).
    "aws:sfn/stateMachine:StateMachine": _state_machine,
    "aws:sqs/queue:Queue": _sqs_queue,
    "aws:lambda/function:Function": _lambda,
    "aws:apigateway/restApi:RestApi": _rest_api,
    "aws:apigatewayv2/api:Api": _http_api,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:alb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:cloudwatch/metricAlarm:MetricAlarm": lambda made: _colon_arn(made, "cloudwatch", "alarm"),
    "aws:cloudwatch/eventRule:EventRule": _named_arn("events", "rule"),
    "aws:cloudwatch/dashboard:Dashboard": lambda made: {
        "dashboardArn": f"arn:aws:cloudwatch::{made.where.account}:dashboard/{made.get('dashboardName', made.name)}"
    },
    "aws:amp/workspace:Workspace": _amp_workspace,
    "aws:amp/scraper:Scraper": lambda made: {"arn": aws_arn(made.where, "aps", f"scraper/s-{digest(made.name, 12)}")},
}

__all__ = ["FAKERS", "aws_id"]
