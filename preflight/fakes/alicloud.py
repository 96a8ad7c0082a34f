"""Fake Alibaba Cloud outputs (ARNs, RRSA issuer, EIP addresses) for the update phase, with the
account UID and region of the resource's provider."""

from __future__ import annotations

from preflight.fakes.context import Faker, Made, State
from preflight.fakes.ids import alicloud_arn
from preflight.fakes.world import digest


def _vpc(made: Made) -> State:
    return {
        "routeTableId": f"vtb-{digest(made.name, 20)}",
        "routerId": f"vrt-{digest(made.name, 20)}",
        "regionId": made.where.region,
    }


def _nat_gateway(made: Made) -> State:
    return {
        "snatTableIds": f"stb-{digest(made.name, 20)}",
        "forwardTableIds": f"ftb-{digest(made.name, 20)}",
        "status": "Available",
    }


def _eip(made: Made) -> State:
    # 198.18.0.0/15 is reserved for benchmarking: never a real public address.
    raw = bytes.fromhex(digest(made.name, 4))
    return {"ipAddress": f"198.18.{raw[0]}.{raw[1]}", "allocationId": made.id, "status": "Available"}


def _cluster(made: Made) -> State:
    provider_name = f"ack-rrsa-{made.id}"
    region = made.where.region
    return {
        "name": made.get("name", made.name),
        "vpcId": f"vpc-{digest(made.name + '-vpc', 20)}",
        "rrsaMetadata": {
            "enabled": bool(made.get("enableRrsa")),
            "ramOidcProviderName": provider_name,
            "ramOidcProviderArn": alicloud_arn(made.where, "ram", f"oidc-provider/{provider_name}"),
            "rrsaOidcIssuerUrl": f"https://oidc-ack-{region}.oss-{region}.aliyuncs.com/{made.id}",
        },
        "workerRamRoleName": f"KubernetesWorkerRole-{digest(made.name, 8)}",
    }


def _node_pool(made: Made) -> State:
    return {"nodePoolId": made.id, "scalingGroupId": f"asg-{digest(made.name, 20)}"}


def _kms_key(made: Made) -> State:
    return {"arn": alicloud_arn(made.where, "kms", f"key/{made.id}"), "status": "Enabled"}


def _bucket(made: Made) -> State:
    bucket = made.own_name("bucket")
    region = made.where.region
    return {
        "bucket": bucket,
        "owner": made.where.account,
        "location": f"oss-{region}",
        "extranetEndpoint": f"oss-{region}.aliyuncs.com",
        "intranetEndpoint": f"oss-{region}-internal.aliyuncs.com",
    }


def _ram_role(made: Made) -> State:
    role_name = made.own_name("roleName")
    return {
        "roleName": role_name,
        "arn": alicloud_arn(made.where, "ram", f"role/{role_name.lower()}"),
        "roleId": str(int(digest(made.name, 15), 16)),
    }


def _ram_policy(made: Made) -> State:
    return {"policyName": made.own_name("policyName"), "type": "Custom"}


def _pai_service(made: Made) -> State:
    return {"regionId": made.where.region, "status": "Running"}


def _instance(made: Made) -> State:
    """An ECS instance: a private address, and a public one when it has outbound bandwidth."""
    raw = bytes.fromhex(digest(made.name, 8))
    bandwidth = made.get("internetMaxBandwidthOut", 0)
    return {
        "instanceName": made.own_name("instanceName"),
        "privateIp": f"172.16.{raw[0] % 16}.{raw[1] % 250 + 2}",
        "publicIp": f"198.18.{raw[2]}.{raw[3]}" if isinstance(bandwidth, int | float) and bandwidth > 0 else "",
        "status": "Running",
    }


def _nas_mount_target(made: Made) -> State:
    file_system = str(made.get("fileSystemId", digest(made.name, 10)))
    domain = f"{file_system}-{digest(made.name, 5)}.{made.where.region}.extreme.nas.aliyuncs.com"
    return {"mountTargetDomain": domain, "status": "Active"}


FAKERS: dict[str, Faker] = {
    "alicloud:vpc/network:Network": _vpc,
    "alicloud:vpc/natGateway:NatGateway": _nat_gateway,
    "alicloud:ecs/eipAddress:EipAddress": _eip,
    "alicloud:ecs/instance:Instance": _instance,
    "alicloud:cs/managedKubernetes:ManagedKubernetes": _cluster,
    "alicloud:cs/nodePool:NodePool": _node_pool,
    "alicloud:kms/key:Key": _kms_key,
    "alicloud:nas/mountTarget:MountTarget": _nas_mount_target,
    "alicloud:oss/bucket:Bucket": _bucket,
    "alicloud:ram/role:Role": _ram_role,
    "alicloud:ram/policy:Policy": _ram_policy,
    "alicloud:pai/service:Service": _pai_service,
}
