"""A customer-managed Cloud KMS key for one component (bucket, cluster secrets, endpoint), and the
grant that lets the Google service agent which encrypts with it use it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.options import child_options, stateful_options

ENCRYPTER_DECRYPTER = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
ROTATION_PERIOD = "7776000s"
"""90 days: a new key version is made every quarter; old versions still decrypt old data."""


@dataclass(frozen=True)
class EncryptionKey:
    key_ring: gcp.kms.KeyRing
    crypto_key: gcp.kms.CryptoKey
    grant: gcp.kms.CryptoKeyIAMMember
    """The service agent's encrypt/decrypt grant: resources that use the key depend on it."""

    key_id: pulumi.Output[str]
    """`projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>`: what CMEK settings take."""


def encryption_key(
    parent: pulumi.Resource,
    name: str,
    *,
    project: str,
    location: str,
    service_agent: pulumi.Input[str],
    labels: Mapping[str, str],
    protect: bool,
) -> EncryptionKey:
    """Key ring `<name>-keyring` and key `<name>-key` in `location` (a region: CMEK keys must be
    where the data is), rotating every 90 days, and `service_agent` (an e-mail) allowed to
    encrypt/decrypt with it. Key rings and keys cannot really be deleted on Google Cloud (a
    removed key is only scheduled for destruction), so both are auto-named: re-creating an
    environment never collides with the old names. Protected and retained when `protect`."""
    key_ring = gcp.kms.KeyRing(
        f"{name}-keyring",
        project=project,
        location=location,
        opts=stateful_options(parent, protect),
    )
    # Ids spelled out in the API's own format (`projects/.../keyRings/<ring>`), from the names.
    key_ring_id = pulumi.Output.concat("projects/", project, "/locations/", location, "/keyRings/", key_ring.name)
    crypto_key = gcp.kms.CryptoKey(
        f"{name}-key",
        key_ring=key_ring_id,
        purpose="ENCRYPT_DECRYPT",
        rotation_period=ROTATION_PERIOD,
        labels=dict(labels),
        opts=stateful_options(parent, protect),
    )
    key_id = pulumi.Output.concat(key_ring_id, "/cryptoKeys/", crypto_key.name)
    grant = gcp.kms.CryptoKeyIAMMember(
        f"{name}-key-agent",
        crypto_key_id=key_id,
        role=ENCRYPTER_DECRYPTER,
        member=pulumi.Output.concat("serviceAccount:", service_agent),
        opts=child_options(parent),
    )
    return EncryptionKey(key_ring=key_ring, crypto_key=crypto_key, grant=grant, key_id=key_id)


def service_agent(project_number: pulumi.Input[str], service: str) -> pulumi.Output[str]:
    """The e-mail of a Google-managed service agent: `service-<number>@<service>.iam.gserviceaccount.com`
    (`container-engine-robot` for GKE, `gcp-sa-aiplatform` for Vertex AI)."""
    return pulumi.Output.concat("service-", project_number, "@", service, ".iam.gserviceaccount.com")
