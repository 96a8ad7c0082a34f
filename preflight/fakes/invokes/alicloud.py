"""Alibaba Cloud provider functions answered for the configured region."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from preflight.fakes.invokes.zones import zones_of
from preflight.fakes.world import Where
from preflight.wire import secret

State = dict[str, Any]


def _caller_identity(args: Mapping[str, Any], where: Where) -> State:
    return {
        "accountId": where.account,
        "arn": f"acs:ram::{where.account}:user/preflight",
        "identityType": "RAMUser",
        "id": where.account,
    }


def _cluster_credential(args: Mapping[str, Any], where: Where) -> State:
    # A placeholder, not a usable credential; the stacks export it as a secret.
    return {
        "kubeConfig": secret("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n"),
        "expiration": "2099-01-01T00:00:00Z",
        "certificateAuthorities": [],
        "clusterId": args.get("clusterId"),
        "id": str(args.get("clusterId") or "cluster"),
    }


def _zones(args: Mapping[str, Any], where: Where) -> State:
    names = zones_of("alicloud", where.region)
    return {"ids": names, "zones": [{"id": zone, "localName": zone} for zone in names], "id": where.region}


def _regions(args: Mapping[str, Any], where: Where) -> State:
    return {"ids": [where.region], "regions": [{"id": where.region, "regionId": where.region}], "id": where.region}


def _image_name(args: Mapping[str, Any]) -> str:
    """A system image name matching the call's `name_regex` (`^ubuntu_22_04` ->
    `ubuntu_22_04_x64_20G_alibase_20260101.vhd`), Alibaba Cloud Linux 3 without one."""
    stem = re.sub(r"[^A-Za-z0-9_]", "", str(args.get("nameRegex") or args.get("imageName") or "aliyun_3"))
    return f"{stem or 'aliyun_3'}_x64_20G_alibase_20260101.vhd"


def _images(args: Mapping[str, Any], where: Where) -> State:
    name = _image_name(args)
    image = {
        "id": name,
        "imageId": name,
        "name": name,
        "architecture": str(args.get("architecture") or "x86_64"),
        "osType": str(args.get("osType") or "linux"),
        "imageOwnerAlias": str(args.get("owners") or "system"),
        "status": "Available",
        "state": "Available",
        "size": 20,
        "creationTime": "2026-01-01T00:00:00Z",
    }
    return {"ids": [name], "images": [image], "id": name}


INVOKES = {
    "alicloud:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "alicloud:cs/getClusterCredential:getClusterCredential": _cluster_credential,
    "alicloud:index/getZones:getZones": _zones,
    "alicloud:index/getRegions:getRegions": _regions,
    "alicloud:ecs/getImages:getImages": _images,
}
