"""Fake Google Cloud outputs (self links, ids, service-account e-mails, cluster endpoint) for the
mock runtime. Values derive from the resource's inputs, so a program that passes one resource's
id into another sees the same id a real provider would shape."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

PROJECT_ID = "preflight-project"
"""Used only when a resource does not name its project (every ai-infra resource does)."""
PROJECT_NUMBER = "123456789012"
COMPUTE = "https://www.googleapis.com/compute/v1"
FAKE_CA = "TU9DSy1HS0UtQ0E="

State = dict[str, Any]


def _project(inputs: State) -> str:
    return str(inputs.get("project") or PROJECT_ID)


def _name(name: str, inputs: State) -> str:
    return str(inputs.get("name") or f"{name}-0000")


def _network(name: str, inputs: State) -> State:
    project, net = _project(inputs), _name(name, inputs)
    path = f"projects/{project}/global/networks/{net}"
    return {"name": net, "selfLink": f"{COMPUTE}/{path}", "numericId": "4242424242424242"}


def _regional(kind: str) -> Callable[[str, State], State]:
    def make(name: str, inputs: State) -> State:
        project, resource = _project(inputs), _name(name, inputs)
        region = inputs.get("region") or "us-central1"
        return {"name": resource, "selfLink": f"{COMPUTE}/projects/{project}/regions/{region}/{kind}/{resource}"}

    return make


def _global(kind: str) -> Callable[[str, State], State]:
    def make(name: str, inputs: State) -> State:
        project, resource = _project(inputs), _name(name, inputs)
        return {"name": resource, "selfLink": f"{COMPUTE}/projects/{project}/global/{kind}/{resource}"}

    return make


def _cluster(name: str, inputs: State) -> State:
    project, cluster = _project(inputs), _name(name, inputs)
    location = inputs.get("location") or "us-central1"
    return {
        "name": cluster,
        "endpoint": "10.0.0.2",
        "masterAuth": {**(inputs.get("masterAuth") or {}), "clusterCaCertificate": FAKE_CA},
        "selfLink": f"https://container.googleapis.com/v1/projects/{project}/locations/{location}/clusters/{cluster}",
        "labelFingerprint": "a1b2c3d4",
    }


def _node_pool(name: str, inputs: State) -> State:
    return {"name": _name(name, inputs), "instanceGroupUrls": [], "managedInstanceGroupUrls": []}


def _service_account(name: str, inputs: State) -> State:
    project = _project(inputs)
    account_id = inputs.get("accountId") or name
    email = f"{account_id}@{project}.iam.gserviceaccount.com"
    return {
        "email": email,
        "member": f"serviceAccount:{email}",
        "name": f"projects/{project}/serviceAccounts/{email}",
        "uniqueId": "104242424242424242424",
    }


def _key_ring(name: str, inputs: State) -> State:
    return {"name": _name(name, inputs)}


def _crypto_key(name: str, inputs: State) -> State:
    return {"name": _name(name, inputs), "primary": [{"name": f"{_name(name, inputs)}/cryptoKeyVersions/1"}]}


def _bucket(name: str, inputs: State) -> State:
    bucket = _name(name, inputs)
    return {"name": bucket, "url": f"gs://{bucket}", "selfLink": f"https://www.googleapis.com/storage/v1/b/{bucket}"}


def _vertex_endpoint(name: str, inputs: State) -> State:
    return {"name": _name(name, inputs), "createTime": "2026-01-01T00:00:00Z"}


def _model_garden_deployment(name: str, inputs: State) -> State:
    project = _project(inputs)
    location = inputs.get("location") or "us-central1"
    return {
        "endpoint": f"projects/{project}/locations/{location}/endpoints/4242424242",
        "deployedModelId": "1234567890",
    }


def _tpu_vm(name: str, inputs: State) -> State:
    return {
        "name": _name(name, inputs),
        "networkEndpoints": [{"ipAddress": "10.20.128.10", "port": 8470}],
        "state": "READY",
    }


def _budget(name: str, inputs: State) -> State:
    return {"name": f"billingAccounts/{inputs.get('billingAccount', '000000-000000-000000')}/budgets/{name}"}


def _notification_channel(name: str, inputs: State) -> State:
    # A stable number per name (never `hash()`, which changes with PYTHONHASHSEED).
    number = int(hashlib.sha256(name.encode()).hexdigest(), 16) % 10**12
    return {"name": f"projects/{_project(inputs)}/notificationChannels/{number}"}


def _alert_policy(name: str, inputs: State) -> State:
    number = int(hashlib.sha256(name.encode()).hexdigest(), 16) % 10**12
    return {"name": f"projects/{_project(inputs)}/alertPolicies/{number}"}


FAKERS: dict[str, Callable[[str, State], State]] = {
    "gcp:compute/network:Network": _network,
    "gcp:compute/subnetwork:Subnetwork": _regional("subnetworks"),
    "gcp:compute/router:Router": _regional("routers"),
    "gcp:compute/firewall:Firewall": _global("firewalls"),
    "gcp:compute/globalAddress:GlobalAddress": _global("addresses"),
    "gcp:container/cluster:Cluster": _cluster,
    "gcp:container/nodePool:NodePool": _node_pool,
    "gcp:serviceaccount/account:Account": _service_account,
    "gcp:kms/keyRing:KeyRing": _key_ring,
    "gcp:kms/cryptoKey:CryptoKey": _crypto_key,
    "gcp:storage/bucket:Bucket": _bucket,
    "gcp:vertex/aiEndpoint:AiEndpoint": _vertex_endpoint,
    "gcp:vertex/aiEndpointWithModelGardenDeployment:AiEndpointWithModelGardenDeployment": _model_garden_deployment,
    "gcp:tpu/v2Vm:V2Vm": _tpu_vm,
    "gcp:billing/budget:Budget": _budget,
    "gcp:monitoring/notificationChannel:NotificationChannel": _notification_channel,
    "gcp:monitoring/alertPolicy:AlertPolicy": _alert_policy,
}

# The mock runtime gives every resource the id `<name>-id`; ai-infra's GCP components therefore
# spell API ids (`projects/.../cryptoKeys/<key>`) from names and self links, which are faked above.
INVOKES: dict[str, State] = {
    "gcp:organizations/getProject:getProject": {
        "projectId": PROJECT_ID,
        "number": PROJECT_NUMBER,
        "name": PROJECT_ID,
    },
    "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": {
        "emailAddress": f"service-{PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com",
        "member": f"serviceAccount:service-{PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com",
    },
}
