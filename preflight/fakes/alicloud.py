"""Fake Alibaba Cloud outputs (account UID, ARNs, RRSA issuer, EIP addresses) for the mock runtime."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

ACCOUNT_ID = "5123456789012345"
"""A 16-digit Alibaba Cloud account UID."""
REGION = "ap-southeast-1"

State = dict[str, Any]


def _digest(name: str, size: int = 8) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:size]


def _resource_id(name: str) -> str:
    # Must match the id `preflight.fakes.fake_state` gives every resource.
    return f"{name}-id"


def _vpc(name: str, inputs: State) -> State:
    return {"routeTableId": f"vtb-{_digest(name)}", "routerId": f"vrt-{_digest(name)}", "regionId": REGION}


def _nat_gateway(name: str, inputs: State) -> State:
    return {"snatTableIds": f"stb-{_digest(name)}", "forwardTableIds": f"ftb-{_digest(name)}", "status": "Available"}


def _eip(name: str, inputs: State) -> State:
    # 198.18.0.0/15 is reserved for benchmarking: never a real public address.
    digest = bytes.fromhex(_digest(name, 4))
    return {"ipAddress": f"198.18.{digest[0]}.{digest[1]}", "allocationId": _resource_id(name), "status": "Available"}


def _cluster(name: str, inputs: State) -> State:
    cluster_id = _resource_id(name)
    provider_name = f"ack-rrsa-{cluster_id}"
    return {
        "name": inputs.get("name") or name,
        "vpcId": f"vpc-{_digest(name)}",
        "rrsaMetadata": {
            "enabled": bool(inputs.get("enableRrsa")),
            "ramOidcProviderName": provider_name,
            "ramOidcProviderArn": f"acs:ram::{ACCOUNT_ID}:oidc-provider/{provider_name}",
            "rrsaOidcIssuerUrl": f"https://oidc-ack-{REGION}.oss-{REGION}.aliyuncs.com/{cluster_id}",
        },
        "workerRamRoleName": f"KubernetesWorkerRole-{_digest(name)}",
    }


def _node_pool(name: str, inputs: State) -> State:
    return {"nodePoolId": f"np{_digest(name, 16)}", "scalingGroupId": f"asg-{_digest(name)}"}


def _kms_key(name: str, inputs: State) -> State:
    return {"arn": f"acs:kms:{REGION}:{ACCOUNT_ID}:key/{_resource_id(name)}", "status": "Enabled"}


def _bucket(name: str, inputs: State) -> State:
    bucket = inputs.get("bucket") or f"{name}-0000"
    return {
        "bucket": bucket,
        "owner": ACCOUNT_ID,
        "location": f"oss-{REGION}",
        "extranetEndpoint": f"oss-{REGION}.aliyuncs.com",
        "intranetEndpoint": f"oss-{REGION}-internal.aliyuncs.com",
    }


def _ram_role(name: str, inputs: State) -> State:
    role_name = inputs.get("roleName") or f"{name}-0000"
    return {
        "roleName": role_name,
        "arn": f"acs:ram::{ACCOUNT_ID}:role/{role_name.lower()}",
        "roleId": _digest(name, 16),
    }


def _ram_policy(name: str, inputs: State) -> State:
    return {"policyName": inputs.get("policyName") or f"{name}-0000", "type": "Custom"}


def _pai_service(name: str, inputs: State) -> State:
    return {"regionId": REGION, "status": "Running"}


FAKERS: dict[str, Callable[[str, State], State]] = {
    "alicloud:vpc/network:Network": _vpc,
    "alicloud:vpc/natGateway:NatGateway": _nat_gateway,
    "alicloud:ecs/eipAddress:EipAddress": _eip,
    "alicloud:cs/managedKubernetes:ManagedKubernetes": _cluster,
    "alicloud:cs/nodePool:NodePool": _node_pool,
    "alicloud:kms/key:Key": _kms_key,
    "alicloud:oss/bucket:Bucket": _bucket,
    "alicloud:ram/role:Role": _ram_role,
    "alicloud:ram/policy:Policy": _ram_policy,
    "alicloud:pai/service:Service": _pai_service,
}

INVOKES: dict[str, State] = {
    "alicloud:index/getCallerIdentity:getCallerIdentity": {
        "accountId": ACCOUNT_ID,
        "arn": f"acs:ram::{ACCOUNT_ID}:user/preflight",
        "identityType": "RAMUser",
        "id": ACCOUNT_ID,
    },
    "alicloud:cs/getClusterCredential:getClusterCredential": {
        # A placeholder, not a usable credential; the stack exports it as a secret.
        "kubeConfig": "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n",
        "expiration": "2099-01-01T00:00:00Z",
        "certificateAuthorities": [],
    },
}
