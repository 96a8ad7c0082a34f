"""`ai-infra:aws:GpuCluster`: an EKS control plane locked down by default, its IRSA OIDC provider
and a small CPU system node group. GPU pools are `GpuNodePool`s attached to it."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.aws.node_launch_template import node_launch_template
from components.aws.scale_from_zero import autoscaling_group_name
from components.aws.service_keys import account_facts, log_group_key, service_key, volume_key_policy
from components.options import child_options, stateful_options

CLUSTER_POLICIES = ("arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",)
NODE_POLICIES = (
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
)
"""AWS managed policies the EKS docs require for the cluster and node roles (no policies of ours)."""
POLICY_SUFFIXES = {
    "AmazonEKSClusterPolicy": "eks-cluster",
    "AmazonEKSWorkerNodePolicy": "eks-worker",
    "AmazonEKS_CNI_Policy": "eks-cni",
    "AmazonEC2ContainerRegistryReadOnly": "ecr-read",
}
DEFAULT_LOG_TYPES = ("api", "audit", "authenticator")
SYSTEM_POOL_LABEL = "ai-infra/pool"


@dataclass(frozen=True, kw_only=True)
class GpuClusterArgs:
    """Inputs of `GpuCluster`."""

    cluster_name: str
    """EKS cluster name (also names its control-plane log group)."""
    version: str
    """Kubernetes version, pinned; the stack only allows versions in EKS standard support."""
    region: str
    """Region of the cluster; written into the kubeconfig's `aws eks get-token` call."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets (two zones or more) for the control-plane ENIs and the system nodes."""
    public_access_cidrs: Sequence[str] = ()
    """Default empty: the API endpoint is private only (reachable from inside the VPC). Listing
    CIDRs also opens the public endpoint, to exactly those ranges."""
    log_types: Sequence[str] = DEFAULT_LOG_TYPES
    """Control-plane log types sent to CloudWatch. Default: api, audit, authenticator."""
    log_retention_days: int = 90
    """Days CloudWatch keeps the control-plane logs. Default 90."""
    service_cidr: str | None = None
    """Range for Kubernetes Service IPs. Default: EKS picks one that does not overlap the VPC."""
    system_instance_type: str = "m6i.large"
    """Instance type of the CPU system node group. Default m6i.large."""
    system_nodes: int = 2
    """Size of the system node group; the autoscaler may grow it to twice this. Default 2."""
    system_disk_gib: int = 50
    """Root volume of system nodes (encrypted gp3). Default 50 GiB."""
    protect: bool = False
    """True (prod): cluster and secrets key are protected and retained, and EKS deletion
    protection is on. False (dev): the cluster can be torn down."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every taggable child."""


class GpuCluster(pulumi.ComponentResource):
    """EKS cluster + KMS secrets key + control-plane log group (with its KMS key) + cluster role +
    OIDC provider (IRSA) + node role + node volume KMS key + system node group (with its launch
    template)."""

    cluster_name: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    """A secret: kubeconfig (JSON) that authenticates with `aws eks get-token`; no static credentials."""
    oidc_provider_arn: pulumi.Output[str]
    oidc_issuer: pulumi.Output[str]
    """The cluster's OIDC issuer URL (`https://oidc.eks.<region>.amazonaws.com/id/...`)."""
    node_role_arn: pulumi.Output[str]
    """Role of the nodes (system group and GPU pools): worker, CNI and ECR read-only policies."""
    cluster_security_group_id: pulumi.Output[str]
    """The security group EKS creates for control plane and nodes."""
    node_volume_key_arn: pulumi.Output[str]
    """Customer-managed key that node root volumes (system and GPU pools) are encrypted with."""
    cluster: aws.eks.Cluster
    """The native cluster, for escape hatches."""
    system_node_group: aws.eks.NodeGroup
    """The CPU node group that runs cluster controllers (in-cluster components wait for it)."""
    system_autoscaling_group_name: pulumi.Output[str]
    """Its Auto Scaling group, which the Cluster Autoscaler may resize between its bounds."""

    def __init__(self, name: str, args: GpuClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:aws:GpuCluster", name, None, opts)
        tags = dict(args.tags)

        secrets_key = aws.kms.Key(
            f"{name}-secrets-key",
            description=f"Envelope encryption of Kubernetes secrets in EKS cluster {args.cluster_name}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            tags=tags,
            opts=stateful_options(self, args.protect),
        )
        aws.kms.Alias(
            f"{name}-secrets-key-alias",
            name=f"alias/eks/{args.cluster_name}",
            target_key_id=secrets_key.key_id,
            opts=child_options(self),
        )

        cluster_role = aws.iam.Role(
            f"{name}-control-plane-role",
            description=f"EKS control plane of {args.cluster_name}",
            assume_role_policy=_service_trust("eks.amazonaws.com"),
            tags=tags,
            opts=child_options(self),
        )
        cluster_attachments = self._attach(name, "control-plane", cluster_role, CLUSTER_POLICIES)

        # EKS writes to this exact name; creating it first lets us set retention (EKS would
        # create it with logs kept forever).
        log_group_name = f"/aws/eks/{args.cluster_name}/cluster"
        logs_key = log_group_key(
            f"{name}-logs-key",
            parent=self,
            region=args.region,
            log_group=log_group_name,
            tags=tags,
            protect=args.protect,
        )
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-control-plane-logs",
            name=log_group_name,
            retention_in_days=args.log_retention_days,
            kms_key_id=logs_key.arn,
            tags=tags,
            opts=child_options(self),
        )

        public = bool(args.public_access_cidrs)
        vpc_config: dict[str, object] = {
            "subnet_ids": list(args.subnet_ids),
            "endpoint_private_access": True,
            "endpoint_public_access": public,
        }
        if public:
            vpc_config["public_access_cidrs"] = list(args.public_access_cidrs)
        self.cluster = aws.eks.Cluster(
            f"{name}-eks",
            name=args.cluster_name,
            version=args.version,
            role_arn=cluster_role.arn,
            vpc_config=vpc_config,
            access_config={
                # Access entries only (no aws-auth ConfigMap). The identity that creates the
                # cluster (the deploying CI role) gets an admin access entry.
                "authentication_mode": "API",
                "bootstrap_cluster_creator_admin_permissions": True,
            },
            encryption_config={"provider": {"key_arn": secrets_key.arn}, "resources": ["secrets"]},
            enabled_cluster_log_types=list(args.log_types),
            # STANDARD: at the end of standard support the cluster is upgraded instead of moving
            # to extended support, which bills the control plane at six times the price.
            upgrade_policy={"support_type": "STANDARD"},
            kubernetes_network_config={"service_ipv4_cidr": args.service_cidr} if args.service_cidr else None,
            deletion_protection=args.protect,
            tags=tags,
            opts=stateful_options(self, args.protect, depends_on=[log_group, *cluster_attachments]),
        )

        self.oidc_issuer = self.cluster.identities.apply(lambda ids: ids[0].oidcs[0].issuer)  # type: ignore[index]
        oidc_provider = aws.iam.OpenIdConnectProvider(
            f"{name}-oidc",
            url=self.oidc_issuer,
            client_id_lists=["sts.amazonaws.com"],
            # No thumbprints: IAM trusts the EKS OIDC endpoints through its own CA store.
            tags=tags,
            opts=child_options(self),
        )

        node_role = aws.iam.Role(
            f"{name}-node-role",
            description=f"EKS nodes of {args.cluster_name}",
            assume_role_policy=_service_trust("ec2.amazonaws.com"),
            tags=tags,
            opts=child_options(self),
        )
        node_attachments = self._attach(name, "node", node_role, NODE_POLICIES)

        partition, account = account_facts(self)
        volume_key = service_key(
            f"{name}-node-volumes-key",
            parent=self,
            description=f"EBS encryption of the node volumes of EKS cluster {args.cluster_name}",
            policy=pulumi.Output.all(partition, account).apply(lambda v: volume_key_policy(v[0], v[1])),
            tags=tags,
            protect=args.protect,
        )
        self.node_volume_key_arn = volume_key.arn
        system_template = node_launch_template(
            f"{name}-system", parent=self, disk_gib=args.system_disk_gib, tags=tags, kms_key_arn=volume_key.arn
        )
        self.system_node_group = aws.eks.NodeGroup(
            f"{name}-system",
            cluster_name=self.cluster.name,
            node_role_arn=node_role.arn,
            subnet_ids=list(args.subnet_ids),
            instance_types=[args.system_instance_type],
            ami_type="AL2023_x86_64_STANDARD",
            capacity_type="ON_DEMAND",
            scaling_config={
                "min_size": args.system_nodes,
                "desired_size": args.system_nodes,
                "max_size": args.system_nodes * 2,
            },
            labels={SYSTEM_POOL_LABEL: "system"},
            launch_template={"id": system_template.id, "version": system_template.latest_version.apply(str)},
            update_config={"max_unavailable": 1},
            # EKS replaces nodes that fail health checks (GPU/Neuron faults included on the accelerated AMIs).
            node_repair_config={"enabled": True},
            tags=tags,
            # The cluster autoscaler owns the current size once the group exists.
            opts=child_options(self, depends_on=node_attachments, ignore_changes=["scalingConfig.desiredSize"]),
        )

        self.system_autoscaling_group_name = autoscaling_group_name(self.system_node_group)
        self.cluster_name = self.cluster.name
        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(
                self.cluster.name,
                self.cluster.endpoint,
                self.cluster.certificate_authority.apply(lambda ca: ca.data),
            ).apply(lambda v: _kubeconfig(v[0], v[1], v[2], args.region))
        )
        self.oidc_provider_arn = oidc_provider.arn
        self.node_role_arn = node_role.arn
        self.cluster_security_group_id = self.cluster.vpc_config.apply(lambda c: c.cluster_security_group_id)
        self.register_outputs(
            {
                "cluster_name": self.cluster_name,
                "kubeconfig": self.kubeconfig,
                "oidc_provider_arn": self.oidc_provider_arn,
                "oidc_issuer": self.oidc_issuer,
                "node_role_arn": self.node_role_arn,
                "node_volume_key_arn": self.node_volume_key_arn,
            }
        )

    def _attach(
        self, name: str, role_kind: str, role: aws.iam.Role, policy_arns: Sequence[str]
    ) -> list[pulumi.Resource]:
        return [
            aws.iam.RolePolicyAttachment(
                f"{name}-{role_kind}-{POLICY_SUFFIXES[arn.rsplit('/', 1)[1]]}",
                role=role.name,
                policy_arn=arn,
                opts=child_options(self),
            )
            for arn in policy_arns
        ]


def _service_trust(service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        }
    )


def _kubeconfig(cluster_name: str, endpoint: str, ca_data: str, region: str) -> str:
    """A kubeconfig whose user runs `aws eks get-token` (short-lived tokens from the caller's own
    AWS credentials). JSON is valid YAML, and kubectl reads either."""
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {"name": cluster_name, "cluster": {"server": endpoint, "certificate-authority-data": ca_data}}
            ],
            "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
            "current-context": cluster_name,
            "users": [
                {
                    "name": cluster_name,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "aws",
                            "args": [
                                "--region",
                                region,
                                "eks",
                                "get-token",
                                "--cluster-name",
                                cluster_name,
                                "--output",
                                "json",
                            ],
                            "interactiveMode": "Never",
                        }
                    },
                }
            ],
        },
        indent=2,
    )
