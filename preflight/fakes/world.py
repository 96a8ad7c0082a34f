"""Where fake resources live: account, project, subscription and region per cloud.

A real provider puts the caller's account into ARNs, the configured project into GCP self links
and service-account e-mails, the subscription and resource group into Azure ids. The fakes do the
same from the stack's config (`aws:region`, `gcp:project`, `azure-native:subscriptionId`, ...)
and from the inputs of a resource's explicit provider, so that the values a program reads after
`pulumi up` have the shape it will really see.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

AWS_ACCOUNT = "123456789012"
ALICLOUD_ACCOUNT = "5123456789012345"
"""A 16-digit Alibaba Cloud account UID."""
GCP_PROJECT = "preflight-project"
GCP_PROJECT_NUMBER = "123456789012"
AZURE_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
AZURE_TENANT = "11111111-1111-1111-1111-111111111111"

_DEFAULT_REGIONS = {"aws": "us-east-1", "gcp": "us-central1", "azure": "eastus", "alicloud": "ap-southeast-1"}
# Config keys a provider package reads when a resource uses the default provider.
_CONFIG_KEYS = {
    "aws": {"region": "aws:region"},
    "gcp": {"region": "gcp:region", "project": "gcp:project", "zone": "gcp:zone"},
    "azure": {"region": "azure-native:location", "subscription": "azure-native:subscriptionId"},
    "alicloud": {"region": "alicloud:region"},
}
# Inputs of an explicit provider resource that carry the same facts.
_PROVIDER_INPUTS = {
    "aws": {"region": "region"},
    "gcp": {"region": "region", "project": "project", "zone": "zone"},
    "azure": {"region": "location", "subscription": "subscriptionId"},
    "alicloud": {"region": "region"},
}


def digest(text: str, size: int = 17) -> str:
    """Stable hex digits derived from `text` (never `hash()`, which changes per process)."""
    return hashlib.sha256(text.encode()).hexdigest()[:size]


def guid(kind: str, name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"preflight/{kind}/{name}"))


@dataclass(frozen=True)
class Where:
    """The account and location a resource is created in."""

    cloud: str
    region: str
    account: str = ""
    """AWS account id, Alibaba account UID, GCP project id or Azure subscription id."""
    zone: str = ""

    @property
    def project(self) -> str:
        return self.account


def _cloud_of_package(package: str) -> str | None:
    return {"aws": "aws", "gcp": "gcp", "azure-native": "azure", "alicloud": "alicloud"}.get(package)


def _config_text(config: Mapping[str, str], key: str) -> str | None:
    value = config.get(key)
    if value is None:
        return None
    try:
        decoded = json.loads(value)
    except ValueError:
        decoded = value
    return decoded if isinstance(decoded, str) and decoded else None


class World:
    """The fake clouds a program runs against: built once per run from the stack config."""

    def __init__(self, config: Mapping[str, str] | None = None):
        self.config = dict(config or {})
        self._defaults: dict[str, Where] = {}
        for cloud, keys in _CONFIG_KEYS.items():
            region = _config_text(self.config, keys["region"]) or _DEFAULT_REGIONS[cloud]
            account = {
                "aws": AWS_ACCOUNT,
                "alicloud": ALICLOUD_ACCOUNT,
                "gcp": _config_text(self.config, keys.get("project", "")) or GCP_PROJECT,
                "azure": _config_text(self.config, keys.get("subscription", "")) or AZURE_SUBSCRIPTION,
            }[cloud]
            zone = _config_text(self.config, keys.get("zone", "")) or ""
            self._defaults[cloud] = Where(cloud=cloud, region=region, account=account, zone=zone)

    def default(self, cloud: str) -> Where:
        return self._defaults.get(cloud, Where(cloud=cloud, region=""))

    def where(self, type_: str, provider_inputs: Mapping[str, Any] | None = None) -> Where:
        """Where a resource of `type_` lands: its explicit provider's settings, else the defaults."""
        cloud = _cloud_of_package(type_.split(":", 1)[0]) or "other"
        where = self.default(cloud)
        if not provider_inputs:
            return where
        names = _PROVIDER_INPUTS.get(cloud, {})
        changes: dict[str, str] = {}
        for fact, input_name in names.items():
            value = provider_inputs.get(input_name)
            if isinstance(value, str) and value:
                changes["account" if fact in ("project", "subscription") else fact] = value
        return replace(where, **changes) if changes else where
