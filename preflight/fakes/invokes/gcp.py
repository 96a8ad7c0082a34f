"""Google Cloud provider functions answered for the configured project and region."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from preflight.fakes.invokes.zones import zones_of
from preflight.fakes.world import GCP_PROJECT_NUMBER, Where, digest
from preflight.wire import secret

State = dict[str, Any]
COMPUTE = "https://www.googleapis.com/compute/v1"


def _project_id(args: Mapping[str, Any], where: Where) -> str:
    return str(args.get("projectId") or args.get("project") or where.account)


def _project(args: Mapping[str, Any], where: Where) -> State:
    project = _project_id(args, where)
    return {
        "projectId": project,
        "number": GCP_PROJECT_NUMBER,
        "name": project,
        "id": f"projects/{project}",
        "labels": {},
    }


def _client_config(args: Mapping[str, Any], where: Where) -> State:
    return {
        "project": where.account,
        "region": where.region,
        "zone": where.zone or f"{where.region}-a",
        "accessToken": secret("ya29.preflight-placeholder"),
        "id": f"projects/{where.account}/regions/{where.region}/zones/{where.zone or where.region + '-a'}",
        "defaultLabels": {},
    }


def _zones(args: Mapping[str, Any], where: Where) -> State:
    region = str(args.get("region") or where.region)
    return {"names": zones_of("gcp", region), "project": _project_id(args, where), "region": region, "id": region}


def _project_service_account(args: Mapping[str, Any], where: Where) -> State:
    email = f"service-{GCP_PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com"
    return {
        "emailAddress": email,
        "member": f"serviceAccount:{email}",
        "project": _project_id(args, where),
        "id": email,
    }


def _network(args: Mapping[str, Any], where: Where) -> State:
    name = str(args.get("name") or "default")
    project = _project_id(args, where)
    path = f"projects/{project}/global/networks/{name}"
    return {"name": name, "selfLink": f"{COMPUTE}/{path}", "id": path, "project": project, "subnetworksSelfLinks": []}


def _subnetwork(args: Mapping[str, Any], where: Where) -> State:
    name = str(args.get("name") or "default")
    project = _project_id(args, where)
    region = str(args.get("region") or where.region)
    path = f"projects/{project}/regions/{region}/subnetworks/{name}"
    return {
        "name": name,
        "selfLink": f"{COMPUTE}/{path}",
        "id": path,
        "ipCidrRange": "10.128.0.0/20",
        "network": f"{COMPUTE}/projects/{project}/global/networks/default",
        "region": region,
        "project": project,
    }


def _image(args: Mapping[str, Any], where: Where) -> State:
    family = str(args.get("family") or args.get("name") or "debian-12")
    project = str(args.get("project") or "debian-cloud")
    name = f"{family}-v20261201"
    return {
        "name": name,
        "family": family,
        "selfLink": f"{COMPUTE}/projects/{project}/global/images/{name}",
        "id": f"projects/{project}/global/images/{name}",
        "project": project,
    }


def _engine_versions(args: Mapping[str, Any], where: Where) -> State:
    version = "1.33.5-gke.1080000"
    return {
        "latestMasterVersion": version,
        "latestNodeVersion": version,
        "defaultClusterVersion": version,
        "validMasterVersions": [version],
        "validNodeVersions": [version],
        "releaseChannelDefaultVersion": {"REGULAR": version, "STABLE": version, "RAPID": version},
        "releaseChannelLatestVersion": {"REGULAR": version, "STABLE": version, "RAPID": version},
        "id": str(args.get("location") or where.region),
    }


def _service_account(args: Mapping[str, Any], where: Where) -> State:
    account = str(args.get("accountId") or "preflight")
    project = _project_id(args, where)
    email = account if "@" in account else f"{account}@{project}.iam.gserviceaccount.com"
    return {
        "email": email,
        "member": f"serviceAccount:{email}",
        "name": f"projects/{project}/serviceAccounts/{email}",
        "uniqueId": str(10**20 + int(digest(email, 15), 16)),
        "id": f"projects/{project}/serviceAccounts/{email}",
    }


def _secret_version(args: Mapping[str, Any], where: Where) -> State:
    return {"secretData": secret("preflight-placeholder"), "version": "1", "id": str(args.get("secret") or "secret")}


INVOKES = {
    "gcp:organizations/getProject:getProject": _project,
    "gcp:organizations/getClientConfig:getClientConfig": _client_config,
    "gcp:compute/getZones:getZones": _zones,
    "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": _project_service_account,
    "gcp:compute/getNetwork:getNetwork": _network,
    "gcp:compute/getSubnetwork:getSubnetwork": _subnetwork,
    "gcp:compute/getImage:getImage": _image,
    "gcp:container/getEngineVersions:getEngineVersions": _engine_versions,
    "gcp:serviceaccount/getAccount:getAccount": _service_account,
    "gcp:secretmanager/getSecretVersion:getSecretVersion": _secret_version,
}
