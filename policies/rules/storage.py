"""Storage: buckets and storage accounts (S1-S7), disks (S18), stateful resources (S24), and
bucket lifecycle tiering (C7), in one list. The rules live in modules by concern
(`storage_buckets`, `storage_transport`, `bucket_logs_lifecycle`, `disks`, `stateful`); the type
tokens and the helpers that find a bucket's hardening resources in `storage_resources`, re-exported
here for the other domains and the tests."""

from __future__ import annotations

from policies.rules.bucket_logs_lifecycle import BUCKET_ACCESS_LOGGING, BUCKET_LIFECYCLE
from policies.rules.disks import DISKS_CMK, DISKS_ENCRYPTED
from policies.rules.stateful import STATEFUL_PROTECTED
from policies.rules.storage_buckets import BUCKET_CMK, BUCKET_PUBLIC_ACCESS, BUCKET_UNIFORM_ACCESS, BUCKET_VERSIONING
from policies.rules.storage_redundancy import STORAGE_REPLICATED
from policies.rules.storage_resources import *  # noqa: F403  (the type tokens and helpers, for other modules)
from policies.rules.storage_resources import policy_statements as policy_statements
from policies.rules.storage_transport import STORAGE_NETWORK, STORAGE_TLS

RULES = [
    BUCKET_PUBLIC_ACCESS,
    BUCKET_CMK,
    BUCKET_VERSIONING,
    BUCKET_ACCESS_LOGGING,
    STORAGE_TLS,
    BUCKET_UNIFORM_ACCESS,
    STORAGE_NETWORK,
    DISKS_ENCRYPTED,
    DISKS_CMK,
    STATEFUL_PROTECTED,
    BUCKET_LIFECYCLE,
    STORAGE_REPLICATED,
]
