"""Provider-shaped ids and computed strings for the update phase.

After `pulumi up` a program sees the ids each provider really returns: `vpc-0a1b...` and bucket
names on AWS, `/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.X/<type>/<name>`
on Azure, `projects/<project>/...` paths on Google Cloud, `vpc-...`/`vsw-...` on Alibaba. Code
that splits an Azure id on `/` or reads a region out of an ARN must see that shape, so the fakes
follow each provider's conventions, derived deterministically from the resource's name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from preflight.fakes.azure_ids import AZURE_OWN_NAME, azure_id, azure_name, azure_name_property
from preflight.fakes.naming import camel_plural, kebab, module_and_class, own_name
from preflight.fakes.world import Where, digest, guid

# Azure ids live in their own module; the fakes import them from here.
__all__ = [
    "AZURE_OWN_NAME",
    "alicloud_arn",
    "alicloud_id",
    "aws_arn",
    "aws_arn_for",
    "aws_id",
    "azure_id",
    "azure_name",
    "azure_name_property",
    "gcp_path",
    "resource_id",
    "string_maker",
]

# -- AWS ------------------------------------------------------------------------------------------------
_EC2_PREFIXES = {
    "Vpc": "vpc",
    "Subnet": "subnet",
    "SecurityGroup": "sg",
    "InternetGateway": "igw",
    "EgressOnlyInternetGateway": "eigw",
    "NatGateway": "nat",
    "RouteTable": "rtb",
    "Eip": "eipalloc",
    "LaunchTemplate": "lt",
    "VpcEndpoint": "vpce",
    "FlowLog": "fl",
    "NetworkInterface": "eni",
    "Instance": "i",
    "Volume": "vol",
    "Ami": "ami",
    "NetworkAcl": "acl",
    "KeyPair": "key",
    "TransitGateway": "tgw",
    "VpcPeeringConnection": "pcx",
    "CapacityReservation": "cr",
    "SecurityGroupIngressRule": "sgr",
    "SecurityGroupEgressRule": "sgr",
    "RouteTableAssociation": "rtbassoc",
    "DefaultSecurityGroup": "sg",
    "DefaultRouteTable": "rtb",
    "DefaultNetworkAcl": "acl",
    "DefaultVpc": "vpc",
}
_AWS_NAME_KEYS = ("name", "bucket", "functionName", "clusterName", "roleName", "repositoryName", "topicName")
_AWS_GLOBAL_SERVICES = {"iam", "s3", "route53", "cloudfront", "budgets", "organizations"}


def aws_id(token: str, name: str, state: Mapping[str, Any], where: Where) -> str:
    module, cls = module_and_class(token)
    if module in ("ec2", "vpc") and cls in _EC2_PREFIXES:
        return f"{_EC2_PREFIXES[cls]}-{digest(name)}"
    own = own_name(state, _AWS_NAME_KEYS, f"{name}-{digest(name, 7)}")
    special: dict[tuple[str, str], Callable[[], str]] = {
        ("sns", "Topic"): lambda: aws_arn(where, "sns", own, sep=""),
        ("iam", "Policy"): lambda: aws_arn(where, "iam", f"policy/{own}"),
        # An OIDC provider's id is its ARN, named after the issuer URL without its scheme.
        ("iam", "OpenIdConnectProvider"): lambda: aws_arn(
            where, "iam", f"oidc-provider/{str(state.get('url') or own).removeprefix('https://')}"
        ),
        ("kms", "Key"): lambda: guid("aws-kms-key", name),
        ("sqs", "Queue"): lambda: f"https://sqs.{where.region}.amazonaws.com/{where.account}/{own}",
        ("eks", "NodeGroup"): lambda: f"{state.get('clusterName', 'cluster')}:{state.get('nodeGroupName', own)}",
        ("s3", "BucketObject"): lambda: str(state.get("key") or own),
        ("s3", "BucketObjectv2"): lambda: str(state.get("key") or own),
        ("sns", "TopicSubscription"): lambda: (
            f"{state.get('topic', aws_arn(where, 'sns', 'topic'))}:{guid('sub', name)}"
        ),
        ("route53", "Record"): lambda: "_".join(
            (str(state.get("zoneId", "Z")), str(state.get("name", own)).rstrip("."), str(state.get("type", "A")))
        ),
        ("rds", "Instance"): lambda: "db-" + digest(name, 26).upper(),
        ("eks", "Addon"): lambda: f"{state.get('clusterName', 'cluster')}:{state.get('addonName', own)}",
        ("cloudwatch", "LogGroup"): lambda: own,
        ("ecs", "Cluster"): lambda: aws_arn(where, "ecs", f"cluster/{own}"),
        ("ecs", "Service"): lambda: aws_arn(where, "ecs", f"service/{own}"),
        ("ecs", "TaskDefinition"): lambda: aws_arn(where, "ecs", f"task-definition/{own}:1"),
        ("lb", "LoadBalancer"): lambda: aws_arn(
            where, "elasticloadbalancing", f"loadbalancer/app/{own}/{digest(name, 16)}"
        ),
        ("lb", "Listener"): lambda: _listener_arn(name, state, where),
        ("lb", "TargetGroup"): lambda: aws_arn(where, "elasticloadbalancing", f"targetgroup/{own}/{digest(name, 16)}"),
        ("apigateway", "RestApi"): lambda: digest(name, 10),
        ("apigatewayv2", "Api"): lambda: digest(name, 10),
        ("route53", "Zone"): lambda: "Z" + digest(name, 13).upper(),
        ("budgets", "Budget"): lambda: f"{where.account}:{own}",
        ("fsx", "LustreFileSystem"): lambda: f"fs-{digest(name, 17)}",
        ("fsx", "DataRepositoryAssociation"): lambda: f"dra-{digest(name, 17)}",
    }
    maker = special.get((module, cls))
    return maker() if maker else own


def _listener_arn(name: str, state: Mapping[str, Any], where: Where) -> str:
    """A listener's ARN extends its load balancer's: `...:listener/app/<lb>/<lb id>/<id>`."""
    balancer = str(state.get("loadBalancerArn") or aws_arn(where, "elasticloadbalancing", "loadbalancer/app/lb/0"))
    return balancer.replace(":loadbalancer/", ":listener/") + f"/{digest(name, 16)}"


def aws_arn(where: Where, service: str, resource: str, *, sep: str = "/") -> str:
    """`arn:aws:<service>:<region>:<account>:<resource>`, without region for global services
    and without region and account for S3."""
    del sep
    if service == "s3":
        return f"arn:aws:s3:::{resource}"
    region = "" if service in _AWS_GLOBAL_SERVICES else where.region
    return f"arn:aws:{service}:{region}:{where.account}:{resource}"


def aws_arn_for(token: str, name: str, state: Mapping[str, Any], where: Where) -> str:
    module, cls = module_and_class(token)
    own = own_name(state, _AWS_NAME_KEYS, f"{name}-{digest(name, 7)}")
    if module == "s3":
        return aws_arn(where, "s3", own)
    if module in ("ec2", "vpc") and cls in _EC2_PREFIXES:
        return aws_arn(where, "ec2", f"{kebab(cls)}/{aws_id(token, name, state, where)}")
    service = {"cloudwatch": "logs" if cls == "LogGroup" else "cloudwatch", "lb": "elasticloadbalancing"}.get(
        module, module
    )
    if service == "logs":
        return aws_arn(where, "logs", f"log-group:{own}")
    if service == "sns":
        return aws_arn(where, "sns", own)
    return aws_arn(where, service, f"{kebab(cls)}/{own}")


# -- Google Cloud -----------------------------------------------------------------------------------------
_GCP_NAME_KEYS = ("name", "accountId", "instanceName")
_GCP_GLOBAL = {"Network", "Firewall", "GlobalAddress", "Route", "HealthCheck", "BackendService", "UrlMap"}


_GCP_ZONAL = {"Instance", "Disk", "InstanceGroup", "InstanceGroupManager", "NodeGroup"}
_GCP_IAM_TARGETS = ("serviceAccountId", "bucket", "cryptoKeyId", "keyRingId", "secretId", "service", "name")


def _gcp_iam_member_id(module: str, project: str, state: Mapping[str, Any]) -> str:
    """`<what it grants on>/<role>/<member>`, as the provider ids IAM members and bindings."""
    role, member = state.get("role", "role"), state.get("member", "member")
    if module == "projects":
        return f"{project}/{role}/{member}"
    target = own_name(state, _GCP_IAM_TARGETS, project)
    if module == "cloudrunv2" and not target.startswith("projects/"):
        location = own_name(state, ("location",), "")
        target = f"projects/{project}/locations/{location}/services/{target}"
    return f"{target}/{role}/{member}"


def gcp_path(token: str, name: str, state: Mapping[str, Any], where: Where) -> str:
    """The API path a GCP resource is known by (the TF import id format)."""
    module, cls = module_and_class(token)
    project = own_name(state, ("project",), where.account)
    own = own_name(state, _GCP_NAME_KEYS, f"{name}-{digest(name, 7)}")
    if cls.upper().endswith(("IAMMEMBER", "IAMBINDING")):
        return _gcp_iam_member_id(module, project, state)
    if module == "storage" and cls == "Bucket":
        return own
    if module == "storage" and cls == "BucketObject":
        return f"{state.get('bucket', 'bucket')}-{own}"
    if module == "serviceaccount" and cls == "Account":
        return f"projects/{project}/serviceAccounts/{own}@{project}.iam.gserviceaccount.com"
    if module == "container" and cls == "NodePool":
        location = own_name(state, ("location",), where.region)
        return f"projects/{project}/locations/{location}/clusters/{state.get('cluster', 'cluster')}/nodePools/{own}"
    if module == "compute":
        if cls in _GCP_GLOBAL:
            return f"projects/{project}/global/{camel_plural(cls)}/{own}"
        if cls in _GCP_ZONAL:
            zone = own_name(state, ("zone",), where.zone or f"{where.region}-a")
            return f"projects/{project}/zones/{zone}/{camel_plural(cls)}/{own}"
        region = own_name(state, ("region",), where.region)
        return f"projects/{project}/regions/{region}/{camel_plural(cls)}/{own}"
    location = own_name(state, ("location", "region", "zone"), where.region)
    return f"projects/{project}/locations/{location}/{camel_plural(cls)}/{own}"


# -- Alibaba Cloud ----------------------------------------------------------------------------------------
_ALICLOUD_PREFIXES = {
    ("vpc", "Network"): "vpc",
    ("vpc", "Switch"): "vsw",
    ("vpc", "NatGateway"): "ngw",
    ("vpc", "RouteTable"): "vtb",
    ("vpc", "SnatEntry"): "snat",
    ("vpc", "FlowLog"): "fl",
    ("ecs", "SecurityGroup"): "sg",
    ("ecs", "EipAddress"): "eip",
    ("ecs", "Instance"): "i",
    ("kms", "Key"): "key",
    ("cs", "NodePool"): "np",
    ("pai", "Service"): "eas",
}


def alicloud_id(token: str, name: str, state: Mapping[str, Any], where: Where) -> str:
    module, cls = module_and_class(token)
    prefix = _ALICLOUD_PREFIXES.get((module, cls))
    if prefix:
        return f"{prefix}-{digest(name, 20)}"
    if module == "cs" and cls in ("ManagedKubernetes", "Kubernetes"):
        return "c" + digest(name, 32)
    if module == "nas" and cls == "FileSystem":
        return digest(name, 10)
    own = own_name(
        state, ("bucket", "roleName", "policyName", "name", "serviceName", "projectName"), f"{name}-{digest(name, 7)}"
    )
    return own


def alicloud_arn(where: Where, service: str, resource: str) -> str:
    region = "" if service == "ram" else where.region
    return f"acs:{service}:{region}:{where.account}:{resource}"


# -- dispatch -----------------------------------------------------------------------------------------
def resource_id(token: str, name: str, state: Mapping[str, Any], where: Where) -> str:
    """The id the provider would return for a created resource."""
    if where.cloud == "aws":
        return aws_id(token, name, state, where)
    if where.cloud == "gcp":
        return gcp_path(token, name, state, where)
    if where.cloud == "azure":
        return azure_id(token, name, state, where)
    if where.cloud == "alicloud":
        return alicloud_id(token, name, state, where)
    if token.startswith("kubernetes:"):
        metadata = state.get("metadata")
        own = metadata.get("name") if isinstance(metadata, Mapping) else None
        namespace = metadata.get("namespace") if isinstance(metadata, Mapping) else None
        own = own if isinstance(own, str) and own else own_name(state, ("name",), name)
        return f"{namespace}/{own}" if isinstance(namespace, str) and namespace else own
    return f"{name}-{digest(name, 8)}"


def string_maker(token: str, name: str, state: Mapping[str, Any], where: Where) -> Callable[[str], str]:
    """Property name -> a plausible computed string of this resource (for outputs no faker sets)."""

    def make(prop: str) -> str:
        lower = prop.lower()
        if lower == "arn" or lower.endswith("arn"):
            if where.cloud == "aws":
                return aws_arn_for(token, name, state, where)
            if where.cloud == "alicloud":
                module, cls = module_and_class(token)
                return alicloud_arn(where, module, f"{kebab(cls)}/{alicloud_id(token, name, state, where)}")
        if lower in ("selflink", "self_link") and where.cloud == "gcp":
            return f"https://www.googleapis.com/compute/v1/{gcp_path(token, name, state, where)}"
        if lower == "email" and where.cloud == "gcp":
            project = own_name(state, ("project",), where.account)
            return f"{own_name(state, ('accountId',), name)}@{project}.iam.gserviceaccount.com"
        if lower.endswith(("url", "uri", "endpoint", "fqdn")) and not lower.endswith("ids"):
            host = re.sub(r"[^a-z0-9-]", "-", name.lower())
            return f"https://{host}.{where.cloud}.preflight.invalid/"
        if lower.endswith("id") and prop != "id":
            return f"{name}-{prop}-{digest(name + prop, 8)}"
        if lower in ("status", "state", "provisioningstate"):
            return "Succeeded" if where.cloud == "azure" else "ACTIVE"
        return f"{name}-{prop}"

    return make
