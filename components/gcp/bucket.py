"""`ai-infra:gcp:Bucket`: a Cloud Storage bucket hardened the way model and dataset storage should be."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_gcp as gcp

from components.gcp.encryption_key import encryption_key
from components.gcp.labels import label_value
from components.options import child_options, stateful_options

AccessMode = Literal["read", "write"]
ACCESS_ROLES: dict[str, str] = {"read": "roles/storage.objectViewer", "write": "roles/storage.objectUser"}
"""Bucket-level object roles: `read` gets/lists objects, `write` also creates, replaces and deletes."""
STORAGE_ANALYTICS = "group:cloud-storage-analytics@google.com"
"""The Google group that writes usage and storage logs into a log bucket."""
DAY_SECONDS = 86_400


@dataclass(frozen=True, kw_only=True)
class BucketTiering:
    """Days after creation at which objects move to colder GCS storage classes. None skips a step."""

    nearline_days: int | None = 30
    """To NEARLINE. Default 30 days."""
    coldline_days: int | None = None
    """To COLDLINE. Default: never."""
    archive_days: int | None = None
    """To ARCHIVE. Default: never."""


@dataclass(frozen=True, kw_only=True)
class DualRegion:
    """A configurable dual-region: one bucket whose objects are stored in two regions of one
    multi-region, so that it survives the loss of either region (disaster recovery)."""

    multi_region: str
    """The multi-region both regions belong to (`US`, `EU`, `ASIA`): the bucket's location, and
    the location of its encryption key (CMEK keys must cover every region the data is in)."""
    regions: tuple[str, str]
    """The two regions (`us-central1`, `us-east1`); the first is where the compute runs."""
    turbo_replication: bool = True
    """Default True: turbo replication (RPO `ASYNC_TURBO`): new objects reach the second region
    within 15 minutes. False: default replication (most objects within an hour, all within 12)."""


@dataclass(frozen=True, kw_only=True)
class BucketArgs:
    """Inputs of `Bucket`."""

    bucket_name: pulumi.Input[str]
    """Globally unique bucket name (the stack derives it from project, environment and purpose)."""
    project: str
    location: str
    """A region (`us-central1`): data, and its key, stay there."""
    purpose: str
    """What the bucket holds (`datasets`, `models`, ...); becomes the `purpose` label."""
    storage_service_agent: pulumi.Input[str]
    """E-mail of the project's Cloud Storage service agent, which encrypts with the bucket's key."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """GCP labels for the bucket and its key (already normalized)."""
    tiering: BucketTiering = field(default_factory=BucketTiering)
    """Lifecycle transitions. Default: NEARLINE after 30 days, nothing colder. Ignored with autoclass."""
    autoclass: bool = False
    """Default False: lifecycle tiering. True: Autoclass moves objects by access pattern (down to
    ARCHIVE) instead; tiering rules are then left out (GCS refuses both together)."""
    noncurrent_version_days: int = 30
    """Replaced object versions are deleted this many days after becoming noncurrent. Default 30."""
    abort_incomplete_upload_days: int = 7
    """Unfinished multipart uploads (which bill silently) are aborted after this many days."""
    soft_delete_days: int = 7
    """Deleted objects stay restorable this long (0 turns soft delete off). Default 7."""
    access_log_bucket: pulumi.Input[str] | None = None
    """Name of a bucket that receives this bucket's usage logs. Default None: no access logging."""
    receives_access_logs: bool = False
    """True for a log bucket: Cloud Storage's log writer may create objects in it."""
    protect: bool = False
    """True (prod): bucket and key are protected and retained if removed from the program.
    False (dev): `force_destroy` is set so that tearing the environment down deletes objects."""
    dual_region: DualRegion | None = None
    """Default None: the bucket (and its key) live in `location` only: the data survives the loss
    of a zone, not of the region. Set: a dual-region bucket with the given replication."""


class Bucket(pulumi.ComponentResource):
    """Private, CMEK-encrypted, versioned GCS bucket with lifecycle tiering (or Autoclass).

    Children: key ring + key (+ the Cloud Storage service agent's encrypt/decrypt grant), the bucket
    (uniform bucket-level access, public access prevention enforced, versioning, default KMS key,
    lifecycle rules, soft delete, optional usage logging), and for log buckets the log writer grant.
    """

    bucket_name: pulumi.Output[str]
    bucket_url: pulumi.Output[str]
    kms_key_id: pulumi.Output[str]
    bucket: gcp.storage.Bucket
    """The native bucket, for escape hatches."""

    def __init__(self, name: str, args: BucketArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:gcp:Bucket", name, None, opts)
        labels = {**args.labels, "purpose": label_value(args.purpose)}

        placement = args.dual_region
        key = encryption_key(
            self,
            name,
            project=args.project,
            location=placement.multi_region.lower() if placement else args.location,
            service_agent=args.storage_service_agent,
            labels=labels,
            protect=args.protect,
        )
        extra: dict[str, Any] = {}
        if args.autoclass:
            extra["autoclass"] = {"enabled": True, "terminal_storage_class": "ARCHIVE"}
        if placement is not None:
            extra["custom_placement_config"] = {"data_locations": [r.upper() for r in placement.regions]}
            extra["rpo"] = "ASYNC_TURBO" if placement.turbo_replication else "DEFAULT"
        if args.access_log_bucket is not None:
            extra["logging"] = {
                "log_bucket": args.access_log_bucket,
                "log_object_prefix": pulumi.Output.concat(args.bucket_name, "/"),
            }
        self.bucket = gcp.storage.Bucket(
            f"{name}-bucket",
            name=args.bucket_name,
            project=args.project,
            location=placement.multi_region.upper() if placement else args.location.upper(),
            storage_class="STANDARD",
            # IAM only: no object ACLs, and nothing in the bucket can ever be made public.
            uniform_bucket_level_access=True,
            public_access_prevention="enforced",
            versioning={"enabled": True},
            encryption={"default_kms_key_name": key.key_id},
            lifecycle_rules=_lifecycle_rules(args),
            soft_delete_policy={"retention_duration_seconds": args.soft_delete_days * DAY_SECONDS},
            force_destroy=not args.protect,
            labels=labels,
            # Objects cannot be written until the service agent may use the key.
            opts=stateful_options(self, args.protect, depends_on=[key.grant]),
            **extra,
        )
        if args.receives_access_logs:
            gcp.storage.BucketIAMMember(
                f"{name}-log-writer",
                bucket=self.bucket.name,
                role="roles/storage.objectCreator",
                member=STORAGE_ANALYTICS,
                opts=child_options(self),
            )

        self.bucket_name = self.bucket.name
        self.bucket_url = self.bucket.url
        self.kms_key_id = key.key_id
        self.register_outputs(
            {"bucket_name": self.bucket_name, "bucket_url": self.bucket_url, "kms_key_id": self.kms_key_id}
        )


def _lifecycle_rules(args: BucketArgs) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = [
        {
            "action": {"type": "AbortIncompleteMultipartUpload"},
            "condition": {"age": args.abort_incomplete_upload_days},
        },
        {
            "action": {"type": "Delete"},
            "condition": {"days_since_noncurrent_time": args.noncurrent_version_days, "with_state": "ARCHIVED"},
        },
    ]
    if args.autoclass:
        return rules
    colder: list[str] = ["STANDARD"]
    for days, storage_class in (
        (args.tiering.nearline_days, "NEARLINE"),
        (args.tiering.coldline_days, "COLDLINE"),
        (args.tiering.archive_days, "ARCHIVE"),
    ):
        if days is None:
            continue
        rules.append(
            {
                "action": {"type": "SetStorageClass", "storage_class": storage_class},
                # Only move objects that are still warmer than the target class.
                "condition": {"age": days, "matches_storage_classes": list(colder), "with_state": "LIVE"},
            }
        )
        colder.append(storage_class)
    return rules
