"""Customer-managed KMS keys, configured the same way wherever a component needs one."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_alicloud as alicloud

from components.options import stateful_options

ROTATION_INTERVAL = "365d"
"""KMS default keys (no dedicated KMS instance) rotate on a fixed 365-day period only."""


def customer_key(
    name: str, *, parent: pulumi.Resource, description: str, tags: Mapping[str, str], protect: bool
) -> alicloud.kms.Key:
    """A symmetric AES-256 encrypt/decrypt key with automatic rotation.

    `protect` (prod): protected and retained by Pulumi, KMS deletion protection on, and a 30-day
    pending-deletion window. Otherwise (dev): the minimum 7-day window, so teardown is quick."""
    return alicloud.kms.Key(
        name,
        description=description,
        key_spec="Aliyun_AES_256",
        key_usage="ENCRYPT/DECRYPT",
        protection_level="SOFTWARE",
        automatic_rotation="Enabled",
        rotation_interval=ROTATION_INTERVAL,
        pending_window_in_days=30 if protect else 7,
        deletion_protection="Enabled" if protect else "Disabled",
        tags=dict(tags),
        opts=stateful_options(parent, protect),
    )
