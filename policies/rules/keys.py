"""Encryption keys' own settings (their access policies are judged by the identity rules): keys
rotate, stay enabled and cannot be deleted in a hurry, on AWS KMS, Cloud KMS, Alibaba Cloud KMS and
Azure Key Vault; Key Vault keys expire and are strong."""

from __future__ import annotations

import re
from collections.abc import Iterator

from policies.framework import Context, Example, Resource, Rule, as_bool, as_int, as_list, dig

AWS_KMS_KEY = "aws:kms/key:Key"
GCP_CRYPTO_KEY = "gcp:kms/cryptoKey:CryptoKey"
ALICLOUD_KMS_KEY = "alicloud:kms/key:Key"
AZURE_KEY = "azure-native:keyvault:Key"

_DURATION = re.compile(
    r"^P(?:(?P<y>\d+)Y)?(?:(?P<mo>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<mi>\d+)M)?)?$"
)
_SECONDS = re.compile(r"^(?P<n>\d+(?:\.\d+)?)(?P<unit>[sdh])$")


def duration_days(value: object) -> float | None:
    """Days in an ISO 8601 duration (`P1Y`, `P90D`), a seconds string (`7776000s`) or a day string
    (`365d`); None when absent, unknown or unreadable. A year is 365 days, a month 30."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if match := _SECONDS.match(text):
        number = float(match["n"])
        return {"s": number / 86400, "h": number / 24, "d": number}[match["unit"]]
    match = _DURATION.match(text.upper())
    if not match or text.upper() == "P":
        return None
    parts = {k: int(v) for k, v in match.groupdict().items() if v}
    return (
        parts.get("y", 0) * 365
        + parts.get("mo", 0) * 30
        + parts.get("w", 0) * 7
        + parts.get("d", 0)
        + parts.get("h", 0) / 24
        + parts.get("mi", 0) / 1440
    )


# -- rotation -------------------------------------------------------------------------------------
def _too_slow(days: float | None, ctx: Context, what: str) -> Iterator[str]:
    limit = ctx.config["maxRotationDays"]
    if days is not None and days > limit:
        yield f"{what} is {days:g} days; rotate at least every {limit} days"


def _rotation_aws(key: Resource, ctx: Context) -> Iterator[str]:
    spec = key.get("customerMasterKeySpec", "SYMMETRIC_DEFAULT")
    if spec != "SYMMETRIC_DEFAULT" or key.get("keyUsage", "ENCRYPT_DECRYPT") != "ENCRYPT_DECRYPT":
        return  # AWS rotates symmetric encryption keys only
    if as_bool(key.get("enableKeyRotation")) is not True:
        yield "enableKeyRotation is not true"
        return
    yield from _too_slow(as_int(key.get("rotationPeriodInDays")), ctx, "rotationPeriodInDays")


def _rotation_gcp(key: Resource, ctx: Context) -> Iterator[str]:
    if key.get("purpose", "ENCRYPT_DECRYPT") != "ENCRYPT_DECRYPT":
        return  # Cloud KMS rotates symmetric encryption keys only
    days = duration_days(key.get("rotationPeriod"))
    if days is None:
        yield "rotationPeriod is not set (the key never rotates)"
        return
    yield from _too_slow(days, ctx, "rotationPeriod")


def _rotation_alicloud(key: Resource, ctx: Context) -> Iterator[str]:
    if key.get("keySpec", "Aliyun_AES_256") not in ("Aliyun_AES_256", "Aliyun_SM4"):
        return  # Alibaba Cloud KMS rotates symmetric keys only
    if key.get("automaticRotation") != "Enabled":
        yield "automaticRotation is not Enabled"
        return
    yield from _too_slow(duration_days(key.get("rotationInterval")), ctx, "rotationInterval")


def _rotation_azure(key: Resource, ctx: Context) -> Iterator[str]:
    actions = as_list(key.get("properties.rotationPolicy.lifetimeActions"))
    rotations = [a for a in actions if str(dig(a, "action.type", "")).lower() == "rotate"]
    if not rotations:
        yield "properties.rotationPolicy has no rotate action (the key never rotates)"
        return
    after = [duration_days(dig(a, "trigger.timeAfterCreate")) for a in rotations]
    known = [d for d in after if d is not None]
    if known:
        yield from _too_slow(min(known), ctx, "the rotation policy's timeAfterCreate")


KEY_ROTATION = Rule(
    id="kms-key-rotation",
    ref="",
    domain="keys",
    description="Customer-managed keys rotate automatically, at least once a year by default.",
    severity="medium",
    tags=("security",),
    remediation="AWS: enableKeyRotation (rotationPeriodInDays within the limit). Cloud KMS: rotationPeriod. Alibaba: "
    "automaticRotation Enabled with a rotationInterval. Key Vault: a rotationPolicy with a rotate lifetime action.",
    rationale="Rotation bounds how much data one key version protects and how long a leaked version stays useful; "
    "rotating automatically means it happens without a ticket. Old versions keep decrypting old data, so rotation "
    "costs nothing in availability.",
    examples=(
        Example(
            type=AWS_KMS_KEY,
            compliant={"enableKeyRotation": True, "deletionWindowInDays": 30},
            violating={"deletionWindowInDays": 30},
            note="rotation off (the AWS default)",
        ),
        Example(
            type=AZURE_KEY,
            compliant={
                "properties": {
                    "kty": "RSA",
                    "rotationPolicy": {
                        "lifetimeActions": [{"action": {"type": "rotate"}, "trigger": {"timeAfterCreate": "P1Y"}}]
                    },
                }
            },
            violating={"properties": {"kty": "RSA"}},
            note="no rotation policy",
        ),
    ),
    checks={
        AWS_KMS_KEY: _rotation_aws,
        GCP_CRYPTO_KEY: _rotation_gcp,
        ALICLOUD_KMS_KEY: _rotation_alicloud,
        AZURE_KEY: _rotation_azure,
    },
    properties={
        "maxRotationDays": {
            "type": "integer",
            "minimum": 1,
            "default": 365,
            "description": "Longest time between automatic rotations, in days.",
        }
    },
)


# -- enabled, and not deleted in a hurry ----------------------------------------------------------
def _window(days: int | None, ctx: Context, what: str, default: int) -> Iterator[str]:
    minimum = ctx.config["minDeletionWindowDays"]
    actual = default if days is None else days
    if actual < minimum:
        yield f"{what} is {actual} days; keep at least {minimum} days to notice and cancel a mistaken deletion"


def _deletion_aws(key: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(key.get("isEnabled")) is False:
        yield "isEnabled is false (everything encrypted with the key is unreadable)"
    yield from _window(as_int(key.get("deletionWindowInDays")), ctx, "deletionWindowInDays", 30)


def _deletion_gcp(key: Resource, ctx: Context) -> Iterator[str]:
    days = duration_days(key.get("destroyScheduledDuration"))
    yield from _window(None if days is None else int(days), ctx, "destroyScheduledDuration", 30)


def _deletion_alicloud(key: Resource, ctx: Context) -> Iterator[str]:
    if key.get("status") == "Disabled" or as_bool(key.get("isEnabled")) is False:
        yield "the key is disabled (everything encrypted with it is unreadable)"
    if ctx.config["requireDeletionProtection"] and key.get("deletionProtection") != "Enabled":
        yield "deletionProtection is not Enabled"
    window = as_int(key.get("pendingWindowInDays"))
    yield from _window(
        window if window is not None else as_int(key.get("deletionWindowInDays")), ctx, "pendingWindowInDays", 30
    )


def _deletion_azure(key: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(key.get("properties.attributes.enabled")) is False:
        yield "properties.attributes.enabled is false (everything encrypted with the key is unreadable)"


KEY_DELETION = Rule(
    id="kms-key-deletion-protected",
    ref="",
    domain="keys",
    description="Customer-managed keys stay enabled and can only be deleted after a waiting period.",
    severity="high",
    tags=("security",),
    remediation="AWS: isEnabled true, deletionWindowInDays at least minDeletionWindowDays. Cloud KMS: "
    "destroyScheduledDuration at least that long. Alibaba: deletionProtection Enabled, pendingWindowInDays at least "
    "that long. Key Vault keys: enabled, in a vault with purge protection (keyvault-recoverable).",
    rationale="A deleted or disabled key makes every bucket, disk, secret and endpoint encrypted with it "
    "unreadable, which is as final as deleting the data; a waiting period turns a mistake or a malicious deletion "
    "into something that can be noticed and cancelled.",
    examples=(
        Example(
            type=ALICLOUD_KMS_KEY,
            compliant={"deletionProtection": "Enabled", "pendingWindowInDays": 30},
            violating={"deletionProtection": "Disabled", "pendingWindowInDays": 7},
            note="no deletion protection and a one-week window",
        ),
    ),
    checks={
        AWS_KMS_KEY: _deletion_aws,
        GCP_CRYPTO_KEY: _deletion_gcp,
        ALICLOUD_KMS_KEY: _deletion_alicloud,
        AZURE_KEY: _deletion_azure,
    },
    properties={
        "minDeletionWindowDays": {
            "type": "integer",
            "minimum": 1,
            "default": 14,
            "description": "Shortest waiting period before a scheduled key deletion takes effect, in days.",
        },
        "requireDeletionProtection": {
            "type": "boolean",
            "default": True,
            "description": "Whether keys that offer a deletion-protection switch (Alibaba Cloud KMS) must have it on.",
        },
    },
)


# -- Key Vault keys: expiry and strength ----------------------------------------------------------
_STRONG_CURVES = {"P-256", "P-384", "P-521"}


def _expiry_azure(key: Resource, ctx: Context) -> Iterator[str]:
    if key.get("properties.attributes.exp") is None and not key.get("properties.rotationPolicy.attributes.expiryTime"):
        yield "the key has no expiry (properties.attributes.exp or rotationPolicy.attributes.expiryTime)"
    kty = str(key.get("properties.kty", "")).upper()
    if kty.startswith("RSA"):
        size = as_int(key.get("properties.keySize"))
        minimum = ctx.config["minRsaKeySize"]
        if size is not None and size < minimum:
            yield f"properties.keySize is {size}; RSA keys need at least {minimum} bits"
    elif kty.startswith("EC"):
        curve = key.get("properties.curveName")
        if isinstance(curve, str) and curve.upper() not in _STRONG_CURVES:
            yield f"properties.curveName is {curve}; use P-256, P-384 or P-521"
    elif kty not in ("OCT", "OCT-HSM"):
        yield "properties.kty is not set"
    if ctx.config["requireHsm"] and not kty.endswith("-HSM"):
        yield f"properties.kty is {kty or 'unset'}, not HSM-backed"


KEYVAULT_KEY_HYGIENE = Rule(
    id="keyvault-key-expiry-and-strength",
    ref="",
    domain="keys",
    description="Key Vault keys expire and use strong parameters (RSA of at least 2048 bits, NIST P curves).",
    severity="medium",
    tags=("security",),
    remediation="Set an expiry (properties.attributes.exp, or rotationPolicy.attributes.expiryTime with a rotate "
    "action before it), kty RSA with keySize 3072 or EC with P-256 or stronger; set requireHsm in the config to "
    "demand HSM-backed keys (Premium vaults).",
    rationale="A key without an expiry is used forever; an expiry forces rotation to be planned rather than "
    "forgotten. Short RSA keys and weak curves shrink the work needed to recover the key from captured ciphertext.",
    examples=(
        Example(
            type=AZURE_KEY,
            compliant={
                "properties": {"kty": "RSA", "keySize": 3072, "rotationPolicy": {"attributes": {"expiryTime": "P2Y"}}}
            },
            violating={"properties": {"kty": "RSA", "keySize": 1024}},
            note="no expiry and a 1024-bit key",
        ),
    ),
    checks={AZURE_KEY: _expiry_azure},
    properties={
        "minRsaKeySize": {"type": "integer", "minimum": 1024, "default": 2048, "description": "Smallest RSA key size."},
        "requireHsm": {
            "type": "boolean",
            "default": False,
            "description": "Whether keys must be HSM-backed (RSA-HSM / EC-HSM; needs a Premium vault).",
        },
    },
)

RULES = [KEY_ROTATION, KEY_DELETION, KEYVAULT_KEY_HYGIENE]
