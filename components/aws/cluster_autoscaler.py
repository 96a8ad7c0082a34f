"""`ai-infra:aws:ClusterAutoscaler`: the Kubernetes Cluster Autoscaler for an EKS cluster, with
its own keyless AWS identity (EKS Pod Identity) allowed to resize only this cluster's node groups.
Labels, taints and extended resources of empty pools come from their ASGs' node-template tags
(see `scale_from_zero`), so the autoscaler needs no `eks:DescribeNodegroup`.

It discovers every managed node group of the cluster (EKS tags their Auto Scaling groups
`k8s.io/cluster-autoscaler/enabled` and `k8s.io/cluster-autoscaler/<cluster>`), scales a pool up
when a pod that needs its accelerator is Pending, from zero nodes too (see `scale_from_zero`),
and removes nodes that have been idle for `scale_down_unneeded_time`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws.pod_identity import pod_identity_trust
from components.kubernetes.charts import CLUSTER_AUTOSCALER, CLUSTER_AUTOSCALER_IMAGE, cluster_autoscaler_tag
from components.kubernetes.helm import helm_release
from components.kubernetes.scheduling import Toleration, tolerations
from components.options import child_options

NAMESPACE = "kube-system"
SERVICE_ACCOUNT = "cluster-autoscaler"
READ_ACTIONS = (
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeAutoScalingInstances",
    "autoscaling:DescribeLaunchConfigurations",
    "autoscaling:DescribeScalingActivities",
    "autoscaling:DescribeTags",
    "ec2:DescribeImages",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeLaunchTemplateVersions",
    "ec2:GetInstanceTypesFromInstanceRequirements",
)
"""Read-only calls without resource-level permissions (IAM accepts only `*` for them)."""
SCALE_ACTIONS = ("autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup")


@dataclass(frozen=True, kw_only=True)
class ClusterAutoscalerValues:
    """Values of the `cluster-autoscaler` chart, tuned for expensive accelerator nodes."""

    cluster_name: str
    region: str
    image_tag: str
    replicas: int = 1
    node_selector: Mapping[str, str] = field(default_factory=dict)
    tolerations: Sequence[Toleration] = ()
    expander: str = "least-waste"
    """Among node groups that fit a Pending pod, pick the one that leaves the least idle CPU and
    memory: with one instance type per pool, the smallest machine that does the job."""
    scale_down_unneeded_time: str = "10m"
    """An idle GPU node is removed after this long (the default; short enough to stop paying)."""
    scale_down_delay_after_add: str = "10m"
    max_node_provision_time: str = "20m"
    """GPU instances can take long to come up (large AMIs, EFA): wait before giving up on one."""

    def to_values(self) -> dict[str, Any]:
        return {
            "cloudProvider": "aws",
            "awsRegion": self.region,
            "autoDiscovery": {"clusterName": self.cluster_name},
            "fullnameOverride": SERVICE_ACCOUNT,
            "image": {"repository": CLUSTER_AUTOSCALER_IMAGE, "tag": self.image_tag},
            "rbac": {"serviceAccount": {"create": True, "name": SERVICE_ACCOUNT}},
            "replicaCount": self.replicas,
            "nodeSelector": dict(self.node_selector),
            "tolerations": tolerations(self.tolerations),
            "extraArgs": {
                "expander": self.expander,
                "balance-similar-node-groups": True,
                # GPU jobs use emptyDir scratch space; that must not pin an idle GPU node forever.
                "skip-nodes-with-local-storage": False,
                "scale-down-unneeded-time": self.scale_down_unneeded_time,
                "scale-down-delay-after-add": self.scale_down_delay_after_add,
                "max-node-provision-time": self.max_node_provision_time,
            },
        }


@dataclass(frozen=True, kw_only=True)
class ClusterAutoscalerArgs:
    """Inputs of `ClusterAutoscaler`."""

    cluster_name: str
    """The EKS cluster's name (known when the program runs: it is set by the stack)."""
    cluster_name_output: pulumi.Input[str]
    """The same name as the cluster's Output, so that the Pod Identity association waits for it."""
    kubernetes_version: str
    """Picks the autoscaler image of the same minor version."""
    region: str
    """The cluster's region."""
    account_id: pulumi.Input[str]
    """The AWS account of the cluster (scopes the role's trust and policy)."""
    autoscaling_groups: Sequence[pulumi.Input[str]]
    """Names of the Auto Scaling groups (of the cluster's node groups) the autoscaler may resize."""
    replicas: int = 1
    """Default 1 (leader election makes 2 safe, for prod)."""
    node_selector: Mapping[str, str] = field(default_factory=dict)
    """Where the autoscaler runs. Default: anywhere untainted (the system node group)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for the role and the Pod Identity association. Default none."""


class ClusterAutoscaler(pulumi.ComponentResource):
    """IAM role (trusted by EKS Pod Identity for this cluster only) + policy + Pod Identity
    association for `kube-system/cluster-autoscaler` + the Helm release."""

    role_arn: pulumi.Output[str]
    release_name: pulumi.Output[str]

    def __init__(self, name: str, args: ClusterAutoscalerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:aws:ClusterAutoscaler", name, None, opts)
        tags = dict(args.tags)
        role = aws.iam.Role(
            f"{name}-role",
            description=f"Cluster Autoscaler of EKS cluster {args.cluster_name} (Pod Identity)",
            assume_role_policy=pulumi.Output.from_input(args.account_id).apply(
                lambda account: pod_identity_trust(account, args.region, args.cluster_name)
            ),
            max_session_duration=3600,
            tags=tags,
            opts=child_options(self),
        )
        policy = aws.iam.RolePolicy(
            f"{name}-policy",
            role=role.id,
            policy=pulumi.Output.all(args.account_id, *args.autoscaling_groups).apply(
                lambda values: _autoscaler_policy(values[0], args.region, args.cluster_name, values[1:])
            ),
            opts=child_options(self),
        )
        association = aws.eks.PodIdentityAssociation(
            f"{name}-identity",
            cluster_name=args.cluster_name_output,
            namespace=NAMESPACE,
            service_account=SERVICE_ACCOUNT,
            role_arn=role.arn,
            tags=tags,
            opts=child_options(self),
        )
        values = ClusterAutoscalerValues(
            cluster_name=args.cluster_name,
            region=args.region,
            image_tag=cluster_autoscaler_tag(args.kubernetes_version),
            replicas=args.replicas,
            node_selector=args.node_selector,
        )
        release = helm_release(
            f"{name}-release",
            chart=CLUSTER_AUTOSCALER,
            release_name=SERVICE_ACCOUNT,
            namespace=NAMESPACE,
            values=values.to_values(),
            parent=self,
            # The pod must get its credentials on first start.
            depends_on=[association, policy],
        )
        self.role_arn = role.arn
        self.release_name = release.name
        self.register_outputs({"role_arn": self.role_arn, "release_name": self.release_name})


def _autoscaler_policy(account_id: str, region: str, cluster_name: str, groups: Sequence[str]) -> str:
    # An ASG ARN embeds a UUID only AWS knows; the group's name is exact.
    group_arns = [
        f"arn:aws:autoscaling:{region}:{account_id}:autoScalingGroup:*:autoScalingGroupName/{group}" for group in groups
    ]
    owned_by_cluster = {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster_name}": "owned"}
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                # Describe calls have no resource-level permissions: IAM accepts only "*".
                {"Sid": "ReadScalingState", "Effect": "Allow", "Action": list(READ_ACTIONS), "Resource": "*"},
                {
                    # Resize only the cluster's own groups, and only while EKS tags them as its own.
                    "Sid": "ScaleOwnNodeGroups",
                    "Effect": "Allow",
                    "Action": list(SCALE_ACTIONS),
                    "Resource": group_arns,
                    "Condition": {"StringEquals": owned_by_cluster},
                },
            ],
        }
    )
