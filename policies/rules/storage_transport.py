"""How storage is reached: TLS only (S5) and network default deny (S7)."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import Context, Example, Resource, Rule
from policies.rules.storage_resources import (
    AZURE_ACCOUNT,
    OSS_BUCKET,
    OSS_POLICY,
    S3_BUCKETS,
    S3_POLICY,
    denies_insecure_transport,
    s3_attached,
)


# -- S5: TLS only ---------------------------------------------------------------------------------
def _s5_s3(bucket: Resource, ctx: Context) -> Iterator[str]:
    documents = [bucket.get("policy"), *(p.get("policy") for p in s3_attached(ctx.require_stack(), bucket, S3_POLICY))]
    name = bucket.get("bucket")
    bucket_name = name if isinstance(name, str) else None
    if not denies_insecure_transport(documents, "aws:SecureTransport", service="s3", bucket=bucket_name):
        yield (
            "no bucket policy denies every action on the bucket and all its objects, for every principal, when "
            "aws:SecureTransport is false"
        )


def _s5_azure(account: Resource, ctx: Context) -> Iterator[str]:
    if account.get("minimumTlsVersion") not in ("TLS1_2", "TLS1_3"):
        yield f"minimumTlsVersion is {account.get('minimumTlsVersion', 'the API default')!r}, not TLS1_2 or later"
    if account.get("enableHttpsTrafficOnly") is False:
        yield "enableHttpsTrafficOnly is false"


def _s5_oss(bucket: Resource, ctx: Context) -> Iterator[str]:
    documents = [
        bucket.get("policy"),
        *(p.get("policy") for p in s3_attached(ctx.require_stack(), bucket, (OSS_POLICY,))),
    ]
    name = bucket.get("bucket")
    bucket_name = name if isinstance(name, str) else None
    if not denies_insecure_transport(documents, "acs:SecureTransport", service="oss", bucket=bucket_name):
        yield (
            "no bucket policy denies every action on the bucket and all its objects, for every principal, when "
            "acs:SecureTransport is false"
        )


STORAGE_TLS = Rule(
    id="storage-tls-only",
    ref="S5",
    domain="storage",
    description="Storage accepts TLS only (TLS 1.2 or later where the version is configurable).",
    severity="high",
    tags=("security",),
    remediation=(
        "S3/OSS: a bucket policy statement that denies every action when aws:SecureTransport / acs:SecureTransport "
        "is false. Azure: minimumTlsVersion TLS1_2 and enableHttpsTrafficOnly true. GCS only serves HTTPS."
    ),
    rationale="Plain-HTTP requests expose credentials and data in transit. A bucket policy only enforces TLS if it "
    "denies every action on the bucket and all its objects to every principal whenever the request is not"
    " over TLS: a deny of one action, on one prefix, for one principal, or narrowed by another condition "
    "leaves the rest reachable over HTTP.",
    examples=(
        Example(
            type="azure-native:storage:StorageAccount",
            compliant={"minimumTlsVersion": "TLS1_2", "enableHttpsTrafficOnly": True},
            violating={"minimumTlsVersion": "TLS1_0", "enableHttpsTrafficOnly": True},
            note="TLS 1.0 accepted",
        ),
    ),
    checks={**dict.fromkeys(S3_BUCKETS, _s5_s3), AZURE_ACCOUNT: _s5_azure, OSS_BUCKET: _s5_oss},
    needs_stack=True,
    covers=(*S3_POLICY, OSS_POLICY),
)


# -- S7: storage network --------------------------------------------------------------------------
def _s7_azure(account: Resource, ctx: Context) -> Iterator[str]:
    if account.get("publicNetworkAccess") == "Disabled":
        return
    if account.get("networkRuleSet.defaultAction") != "Deny":
        yield "networkRuleSet.defaultAction is not Deny and publicNetworkAccess is not Disabled"


STORAGE_NETWORK = Rule(
    id="storage-network-default-deny",
    ref="S7",
    domain="storage",
    description="Storage accounts deny network access by default (private endpoints or listed networks only).",
    severity="high",
    tags=("security",),
    remediation="Set networkRuleSet.defaultAction=Deny (with bypass AzureServices) or publicNetworkAccess=Disabled "
    "and reach the account through a private endpoint.",
    rationale="A storage account reachable from every network needs only a leaked token or SAS to be read; denying by "
    "default and admitting the project's subnets or private endpoints makes the network a second factor.",
    examples=(
        Example(
            type="azure-native:storage:StorageAccount",
            compliant={"networkRuleSet": {"defaultAction": "Deny", "bypass": "AzureServices"}},
            violating={"networkRuleSet": {"defaultAction": "Allow"}},
            note="every network admitted",
        ),
    ),
    checks={AZURE_ACCOUNT: _s7_azure},
)
