"""Log storage: encrypted with a key the customer controls, and kept long enough to investigate an
incident (the upper bound on retention, a cost, is `log-retention-set`)."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import Context, Example, Resource, Rule, as_bool, as_int, dig
from policies.rules.references import names_customer_key

AWS_LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ALICLOUD_LOG_STORE = "alicloud:log/store:Store"
AZURE_LOG_WORKSPACE = "azure-native:operationalinsights:Workspace"
AZURE_FLOW_LOG = "azure-native:network:FlowLog"
ACK_CLUSTER = "alicloud:cs/managedKubernetes:ManagedKubernetes"


def _encrypted_aws(group: Resource, ctx: Context) -> Iterator[str]:
    if not names_customer_key(ctx, group, "kmsKeyId", group.get("kmsKeyId")):
        yield "kmsKeyId is not a customer-managed KMS key (logs are encrypted with a key only AWS controls)"


def _encrypted_alicloud(store: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(store.get("encryptConf.enable")) is not True:
        yield "encryptConf.enable is not true (the log store is not encrypted at rest)"
    elif store.get("encryptConf.userCmkInfo") is None:
        yield "encryptConf has no userCmkInfo (logs are encrypted with a key only Simple Log Service controls)"


LOGS_ENCRYPTED = Rule(
    id="logs-encrypted-with-cmk",
    ref="",
    domain="logs",
    description="Log groups and log stores are encrypted with a customer-managed key.",
    severity="medium",
    tags=("security",),
    remediation="CloudWatch: kmsKeyId of a KMS key whose policy lets logs.<region>.amazonaws.com use it for this log "
    "group's ARN. Simple Log Service: encryptConf {enable: true, userCmkInfo: the KMS key and the RAM role SLS uses}.",
    rationale="Control-plane audit logs, flow logs and endpoint logs reveal the cluster's layout, identities and "
    "request contents; with a customer key, access to them is logged at the key and revoking the key revokes the "
    "logs, as for every other store of this project.",
    examples=(
        Example(
            type=AWS_LOG_GROUP,
            compliant={"retentionInDays": 365, "kmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/logs"},
            violating={"retentionInDays": 365},
            note="no kmsKeyId",
        ),
    ),
    checks={AWS_LOG_GROUP: _encrypted_aws, ALICLOUD_LOG_STORE: _encrypted_alicloud},
    # The key is created in the same program: its property dependency tells, at preview.
    needs_stack=True,
)


def _short(days: int | None, ctx: Context, what: str) -> Iterator[str]:
    minimum = ctx.config["minRetentionDays"]
    if days is not None and 0 < days < minimum:
        yield f"{what} is {days} days; keep logs at least {minimum} days to investigate an incident"


def _retention_aws(group: Resource, ctx: Context) -> Iterator[str]:
    yield from _short(as_int(group.get("retentionInDays")), ctx, "retentionInDays")


def _retention_alicloud(store: Resource, ctx: Context) -> Iterator[str]:
    yield from _short(as_int(store.get("retentionPeriod")), ctx, "retentionPeriod")


def _retention_workspace(workspace: Resource, ctx: Context) -> Iterator[str]:
    yield from _short(as_int(workspace.get("retentionInDays")), ctx, "retentionInDays")


def _retention_flow_log(flow_log: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(flow_log.get("retentionPolicy.enabled")) is True:
        yield from _short(as_int(dig(flow_log.props, "retentionPolicy.days")), ctx, "retentionPolicy.days")


def _retention_ack(cluster: Resource, ctx: Context) -> Iterator[str]:
    if cluster.get("controlPlaneLogComponents"):
        yield from _short(as_int(cluster.get("controlPlaneLogTtl")), ctx, "controlPlaneLogTtl")


LOG_RETENTION_MINIMUM = Rule(
    id="log-retention-minimum",
    ref="",
    domain="logs",
    description="Security logs (control plane, flow, endpoint) are kept at least the configured minimum (90 days).",
    severity="medium",
    tags=("security",),
    remediation="Raise the retention (CloudWatch retentionInDays, SLS retentionPeriod, Log Analytics "
    "retentionInDays, NSG/VNet flow log retentionPolicy.days, ACK controlPlaneLogTtl) to at least minRetentionDays.",
    rationale="Intrusions are typically found weeks after they begin; logs that expire after a few days cannot show "
    "how an attacker got in or what they touched. A retention of zero (keep forever) passes; its cost is judged by "
    "log-retention-set.",
    examples=(
        Example(
            type=ALICLOUD_LOG_STORE,
            compliant={"logstoreName": "vpc-flow-logs", "retentionPeriod": 180},
            violating={"logstoreName": "vpc-flow-logs", "retentionPeriod": 7},
            note="a week of flow logs",
        ),
    ),
    checks={
        AWS_LOG_GROUP: _retention_aws,
        ALICLOUD_LOG_STORE: _retention_alicloud,
        AZURE_LOG_WORKSPACE: _retention_workspace,
        AZURE_FLOW_LOG: _retention_flow_log,
        ACK_CLUSTER: _retention_ack,
    },
    properties={
        "minRetentionDays": {
            "type": "integer",
            "minimum": 1,
            "default": 90,
            "description": "Shortest retention allowed for security logs, in days.",
        }
    },
)

RULES = [LOGS_ENCRYPTED, LOG_RETENTION_MINIMUM]
