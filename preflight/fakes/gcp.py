"""Fake Google Cloud outputs (self links, service-account e-mails, cluster endpoint) for the
update phase, in the project of the resource's provider (or its own `project` input)."""

from __future__ import annotations

from preflight.fakes.context import Faker, Made, State
from preflight.fakes.world import GCP_PROJECT_NUMBER, digest

COMPUTE = "https://www.googleapis.com/compute/v1"
FAKE_CA = "TU9DSy1HS0UtQ0E="


def _project(made: Made) -> str:
    return str(made.get("project") or made.where.account)


def _regional(kind: str) -> Faker:
    def make(made: Made) -> State:
        resource = made.own_name("name")
        region = made.get("region", made.where.region)
        return {
            "name": resource,
            "selfLink": f"{COMPUTE}/projects/{_project(made)}/regions/{region}/{kind}/{resource}",
            "project": _project(made),
        }

    return make


def _global(kind: str) -> Faker:
    def make(made: Made) -> State:
        resource = made.own_name("name")
        return {
            "name": resource,
            "selfLink": f"{COMPUTE}/projects/{_project(made)}/global/{kind}/{resource}",
            "project": _project(made),
        }

    return make


def _network(made: Made) -> State:
    return {**_global("networks")(made), "numericId": str(int(digest(made.name, 12), 16))}


def _cluster(made: Made) -> State:
    cluster = made.own_name("name")
    location = made.get("location", made.where.region)
    index = int(digest(cluster, 2), 16) % 250 + 2
    return {
        "name": cluster,
        "endpoint": f"172.16.0.{index}",
        "masterAuth": {**(made.get("masterAuth") or {}), "clusterCaCertificate": FAKE_CA},
        "selfLink": f"https://container.googleapis.com/v1/projects/{_project(made)}/locations/{location}/clusters/{cluster}",
        "labelFingerprint": digest(cluster, 8),
        "project": _project(made),
    }


def _node_pool(made: Made) -> State:
    pool = made.own_name("name")
    zone = f"{made.where.region}-a"
    group = f"gke-{pool}-{digest(made.name, 8)}-grp"
    url = f"{COMPUTE}/projects/{_project(made)}/zones/{zone}/instanceGroupManagers/{group}"
    return {"name": pool, "instanceGroupUrls": [url], "managedInstanceGroupUrls": [url]}


def _service_account(made: Made) -> State:
    project = _project(made)
    account_id = made.get("accountId", made.name)
    email = f"{account_id}@{project}.iam.gserviceaccount.com"
    return {
        "email": email,
        "member": f"serviceAccount:{email}",
        "name": f"projects/{project}/serviceAccounts/{email}",
        "uniqueId": str(10**20 + int(digest(made.name, 15), 16)),
    }


def _key_ring(made: Made) -> State:
    return {"name": made.own_name("name")}


def _crypto_key(made: Made) -> State:
    return {"name": made.own_name("name"), "primary": [{"name": f"{made.id}/cryptoKeyVersions/1", "state": "ENABLED"}]}


def _bucket(made: Made) -> State:
    bucket = made.own_name("name")
    return {"name": bucket, "url": f"gs://{bucket}", "selfLink": f"https://www.googleapis.com/storage/v1/b/{bucket}"}


def _vertex_endpoint(made: Made) -> State:
    return {"name": made.own_name("name"), "createTime": "2026-01-01T00:00:00Z"}


def _model_garden_deployment(made: Made) -> State:
    location = made.get("location", made.where.region)
    number = int(digest(made.name, 10), 16) % 10**10
    return {
        "endpoint": f"projects/{_project(made)}/locations/{location}/endpoints/{number}",
        "deployedModelId": str(number // 7),
    }


def _tpu_vm(made: Made) -> State:
    return {
        "name": made.own_name("name"),
        "networkEndpoints": [{"ipAddress": f"10.20.128.{int(digest(made.name, 2), 16) % 250 + 2}", "port": 8470}],
        "state": "READY",
    }


def _budget(made: Made) -> State:
    return {"name": f"billingAccounts/{made.get('billingAccount', '000000-000000-000000')}/budgets/{made.name}"}


def _notification_channel(made: Made) -> State:
    number = int(digest(made.name, 12), 16) % 10**12
    return {"name": f"projects/{_project(made)}/notificationChannels/{number}"}


def _cloud_run_service(made: Made) -> State:
    service = made.own_name("name")
    location = made.get("location", made.where.region)
    return {
        "name": service,
        "uri": f"https://{service}-{digest(made.name, 10)}-{location[:2]}.a.run.app",
        "statuses": [{"url": f"https://{service}-{digest(made.name, 10)}-{location[:2]}.a.run.app"}],
    }


def _instance(made: Made) -> State:
    """A zonal VM: its self link, and the addresses GCE assigns to each network interface (an
    internal address, and an external one for every access config the program asked for)."""
    instance = made.own_name("name")
    zone = made.get("zone") or made.where.zone or f"{made.where.region}-a"
    seed = int(digest(made.name, 4), 16)
    interfaces = []
    for index, interface in enumerate(made.get("networkInterfaces") or []):
        nic = dict(interface) if isinstance(interface, dict) else {}
        nic.setdefault("name", f"nic{index}")
        nic.setdefault("networkIp", f"10.128.{index}.{seed % 250 + 2}")
        nic["accessConfigs"] = [
            {**config, "natIp": config.get("natIp") or f"203.0.113.{(seed + n) % 250 + 1}"}
            for n, config in enumerate(nic.get("accessConfigs") or [])
            if isinstance(config, dict)
        ]
        interfaces.append(nic)
    return {
        "name": instance,
        "zone": zone,
        "selfLink": f"{COMPUTE}/projects/{_project(made)}/zones/{zone}/instances/{instance}",
        "instanceId": str(seed * 1000003),
        "networkInterfaces": interfaces,
        "currentStatus": "RUNNING",
    }


def _bucket_object(made: Made) -> State:
    bucket, name = made.get("bucket", "bucket"), made.own_name("name")
    generation = str(1767225600000000 + int(digest(made.name, 5), 16))
    return {
        "name": name,
        "outputName": name,
        "selfLink": f"https://www.googleapis.com/storage/v1/b/{bucket}/o/{name}",
        "mediaLink": f"https://storage.googleapis.com/download/storage/v1/b/{bucket}/o/{name}?generation={generation}&alt=media",
        "generation": generation,
        "md5hash": digest(made.name + "md5", 22) + "==",
        "crc32c": digest(made.name + "crc", 6) + "==",
    }


def _alert_policy(made: Made) -> State:
    number = int(digest(made.name, 12), 16) % 10**12
    return {"name": f"projects/{_project(made)}/alertPolicies/{number}"}


def _private_ip(made: Made) -> str:
    # An address in the private services access range (the fakes do not allocate it for real).
    return f"10.{int(digest(made.name, 2), 16) % 256}.0.2"


def _lustre_instance(made: Made) -> State:
    filesystem = str(made.get("filesystem", "lustre"))
    return {"mountPoint": f"{_private_ip(made)}@tcp:/{filesystem}", "state": "ACTIVE"}


def _filestore_instance(made: Made) -> State:
    networks = [dict(n, ipAddresses=[_private_ip(made)]) for n in (made.get("networks") or [{}])]
    return {"networks": networks, "state": "READY"}


FAKERS: dict[str, Faker] = {
    "gcp:compute/network:Network": _network,
    "gcp:compute/subnetwork:Subnetwork": _regional("subnetworks"),
    "gcp:compute/router:Router": _regional("routers"),
    "gcp:compute/address:Address": _regional("addresses"),
    "gcp:compute/firewall:Firewall": _global("firewalls"),
    "gcp:compute/globalAddress:GlobalAddress": _global("addresses"),
    "gcp:container/cluster:Cluster": _cluster,
    "gcp:container/nodePool:NodePool": _node_pool,
    "gcp:serviceaccount/account:Account": _service_account,
    "gcp:kms/keyRing:KeyRing": _key_ring,
    "gcp:lustre/instance:Instance": _lustre_instance,
    "gcp:filestore/instance:Instance": _filestore_instance,
    "gcp:kms/cryptoKey:CryptoKey": _crypto_key,
    "gcp:storage/bucket:Bucket": _bucket,
    "gcp:storage/bucketObject:BucketObject": _bucket_object,
    "gcp:compute/instance:Instance": _instance,
    "gcp:vertex/aiEndpoint:AiEndpoint": _vertex_endpoint,
    "gcp:vertex/aiEndpointWithModelGardenDeployment:AiEndpointWithModelGardenDeployment": _model_garden_deployment,
    "gcp:tpu/v2Vm:V2Vm": _tpu_vm,
    "gcp:billing/budget:Budget": _budget,
    "gcp:monitoring/notificationChannel:NotificationChannel": _notification_channel,
    "gcp:cloudrun/service:Service": _cloud_run_service,
    "gcp:cloudrunv2/service:Service": _cloud_run_service,
    "gcp:monitoring/alertPolicy:AlertPolicy": _alert_policy,
}

PROJECT_NUMBER = GCP_PROJECT_NUMBER
