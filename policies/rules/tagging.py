"""Tagging: cost-allocation tags / labels on every taggable resource (C12).

`TAGGABLE` says, per resource type, which input carries its billing tags (`tags`, GCP `labels`,
GKE `resourceLabels`, GKE node pools `nodeConfig.resourceLabels`). Kubernetes node labels are not
billing tags. tests/policies/test_tagging_table.py checks every row against the installed SDKs and
that every taggable type the project's stacks declare has a row.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from policies.framework import Check, Context, Example, Resource, Rule

_AWS = [
    "aws:s3/bucket:Bucket",
    "aws:kms/key:Key",
    "aws:fsx/lustreFileSystem:LustreFileSystem",
    "aws:fsx/dataRepositoryAssociation:DataRepositoryAssociation",
    "aws:eks/cluster:Cluster",
    "aws:eks/nodeGroup:NodeGroup",
    "aws:eks/addon:Addon",
    "aws:eks/accessEntry:AccessEntry",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    "aws:ec2/launchTemplate:LaunchTemplate",
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/eip:Eip",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:ec2/vpcEndpoint:VpcEndpoint",
    "aws:ec2/flowLog:FlowLog",
    "aws:ec2/placementGroup:PlacementGroup",
    "aws:ec2/capacityReservation:CapacityReservation",
    "aws:ec2/instance:Instance",
    "aws:ebs/volume:Volume",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:iam/role:Role",
    "aws:iam/policy:Policy",
    "aws:iam/user:User",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:ecr/repository:Repository",
    "aws:sagemaker/model:Model",
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
    "aws:sagemaker/endpoint:Endpoint",
    "aws:appautoscaling/target:Target",
    "aws:budgets/budget:Budget",
    "aws:costexplorer/anomalyMonitor:AnomalyMonitor",
    "aws:costexplorer/anomalySubscription:AnomalySubscription",
    "aws:sns/topic:Topic",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:cloudwatch/eventRule:EventRule",
    "aws:amp/workspace:Workspace",
    "aws:amp/scraper:Scraper",
    "aws:amp/ruleGroupNamespace:RuleGroupNamespace",
    # Serverless and event-driven endpoints (stacks/serverless/).
    "aws:sfn/stateMachine:StateMachine",
]
_GCP = {
    "gcp:storage/bucket:Bucket": "labels",
    "gcp:container/cluster:Cluster": "resourceLabels",
    "gcp:container/nodePool:NodePool": "nodeConfig.resourceLabels",
    "gcp:tpu/v2Vm:V2Vm": "labels",
    "gcp:vertex/aiEndpoint:AiEndpoint": "labels",
    "gcp:kms/cryptoKey:CryptoKey": "labels",
    "gcp:lustre/instance:Instance": "labels",
    "gcp:filestore/instance:Instance": "labels",
    "gcp:compute/globalAddress:GlobalAddress": "labels",
    "gcp:compute/instance:Instance": "labels",
    "gcp:compute/disk:Disk": "labels",
    "gcp:compute/address:Address": "labels",
    # Alert policies are billed per condition: their user labels carry the billing labels.
    "gcp:monitoring/alertPolicy:AlertPolicy": "userLabels",
    # Serverless and event-driven endpoints (stacks/serverless/).
    "gcp:cloudrunv2/service:Service": "labels",
    "gcp:cloudrunv2/job:Job": "labels",
    "gcp:workflows/workflow:Workflow": "labels",
    "gcp:eventarc/trigger:Trigger": "labels",
}
_AZURE = [
    "azure-native:resources:ResourceGroup",
    "azure-native:app:ManagedEnvironment",
    "azure-native:app:ContainerApp",
    "azure-native:storage:StorageAccount",
    "azure-native:containerservice:ManagedCluster",
    "azure-native:containerservice:AgentPool",
    "azure-native:network:VirtualNetwork",
    "azure-native:network:NatGateway",
    "azure-native:network:PublicIPAddress",
    "azure-native:network:NetworkSecurityGroup",
    "azure-native:network:FlowLog",
    "azure-native:network:NetworkWatcher",
    "azure-native:network:PrivateEndpoint",
    "azure-native:managedidentity:UserAssignedIdentity",
    "azure-native:machinelearningservices:Workspace",
    "azure-native:machinelearningservices:OnlineEndpoint",
    "azure-native:machinelearningservices:OnlineDeployment",
    "azure-native:keyvault:Vault",
    "azure-native:keyvault:Key",
    "azure-native:compute:DiskEncryptionSet",
    "azure-native:storagecache:AmlFilesystem",
    "azure-native:operationalinsights:Workspace",
    "azure-native:containerregistry:Registry",
    "azure-native:compute:CapacityReservationGroup",
    "azure-native:compute:CapacityReservation",
    "azure-native:applicationinsights:Component",
    "azure-native:privatedns:PrivateZone",
    "azure-native:privatedns:VirtualNetworkLink",
    "azure-native:resources:Deployment",
    "azure-native:monitor:ActionGroup",
    "azure-native:monitor:MetricAlert",
    "azure-native:monitor:AzureMonitorWorkspace",
    "azure-native:monitor:DataCollectionEndpoint",
    "azure-native:monitor:DataCollectionRule",
    "azure-native:alertsmanagement:PrometheusRuleGroup",
    "azure-native:applicationinsights:Workbook",
]
_ALICLOUD = [
    "alicloud:vpc/network:Network",
    "alicloud:vpc/switch:Switch",
    "alicloud:vpc/natGateway:NatGateway",
    "alicloud:vpc/flowLog:FlowLog",
    "alicloud:ecs/eipAddress:EipAddress",
    "alicloud:ecs/securityGroup:SecurityGroup",
    "alicloud:cs/managedKubernetes:ManagedKubernetes",
    "alicloud:cs/nodePool:NodePool",
    "alicloud:fc/v3Function:V3Function",
    "alicloud:oss/bucket:Bucket",
    "alicloud:kms/key:Key",
    "alicloud:nas/fileSystem:FileSystem",
    "alicloud:cms/alarm:Alarm",
    "alicloud:arms/prometheus:Prometheus",
    "alicloud:ram/role:Role",
    "alicloud:ram/policy:Policy",
    "alicloud:pai/service:Service",
    "alicloud:log/project:Project",
]

TAGGABLE: dict[str, str] = {
    **dict.fromkeys(_AWS, "tags"),
    **_GCP,
    **dict.fromkeys(_AZURE, "tags"),
    **dict.fromkeys(_ALICLOUD, "tags"),
}
"""Type token -> the input that holds its cost-allocation tags / labels."""

DEFAULT_REQUIRED_KEYS = ["environment", "owner", "cost-center"]


def _check(prop: str) -> Check:
    def check(resource: Resource, ctx: Context) -> Iterator[str]:
        tags = resource.get(prop, {})
        present = set(tags) if isinstance(tags, Mapping) else set()
        # AWS applies provider-level default tags to every resource; count them too.
        defaults = resource.provider.get("defaultTags.tags", {}) if resource.provider is not None else {}
        if isinstance(defaults, Mapping):
            present |= set(defaults)
        missing = [k for k in ctx.config["requiredKeys"] if k not in present]
        if missing:
            yield f"{prop} lacks {', '.join(missing)}"

    return check


COST_ALLOCATION_TAGS = Rule(
    id="cost-allocation-tags",
    ref="C12",
    domain="tagging",
    description="Every taggable resource carries the cost-allocation tags / labels.",
    severity="low",
    tags=("cost",),
    remediation="Pass env.tags to the resource (components take `tags`/`labels` args); on AWS provider default "
    "tags also count.",
    rationale="Cloud bills are split by tag: a resource without the environment, owner and cost-center tags "
    "lands in an unallocated bucket that nobody answers for, and idle spend there is the hardest to trace back "
    "to a team.",
    examples=(
        Example(
            type="aws:s3/bucket:Bucket",
            compliant={
                "bucket": "ai-infra-prod-models",
                "tags": {"environment": "prod", "owner": "ml-platform", "cost-center": "cc-4711"},
            },
            violating={"bucket": "ai-infra-prod-models", "tags": {"environment": "prod", "owner": "ml-platform"}},
            note="no cost-center tag",
        ),
    ),
    checks={type_: _check(prop) for type_, prop in TAGGABLE.items()},
    properties={
        "requiredKeys": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "default": DEFAULT_REQUIRED_KEYS,
            "description": "Tag / label keys every taggable resource must carry.",
        }
    },
)


RULES = [COST_ALLOCATION_TAGS]
