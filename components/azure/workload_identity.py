"""`ai-infra:azure:WorkloadIdentity`: a keyless Azure identity for one Kubernetes service account,
with access to named buckets' containers and nothing else."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import managedidentity

from components.azure.bucket import AccessMode, Bucket
from components.options import child_options

TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"
"""The audience AKS workload identity tokens are issued for (Entra ID's token exchange)."""


@dataclass(frozen=True, kw_only=True)
class WorkloadIdentityArgs:
    """Inputs of `WorkloadIdentity`."""

    resource_group_name: pulumi.Input[str]
    location: str
    identity_name: str
    oidc_issuer_url: pulumi.Input[str]
    """The cluster's OIDC issuer (`GpuCluster.oidc_issuer_url`)."""
    namespace: str
    service_account: str
    tags: Mapping[str, str] = field(default_factory=dict)
    read: Sequence[Bucket] = ()
    """Buckets whose container the workload may read (Storage Blob Data Reader). Default none."""
    write: Sequence[Bucket] = ()
    """Buckets whose container the workload may read and write (Storage Blob Data Contributor).
    Default none."""


class WorkloadIdentity(pulumi.ComponentResource):
    """Children: a user-assigned managed identity; a federated identity credential trusting
    exactly `system:serviceaccount:<namespace>:<service_account>` from the cluster's issuer;
    one role assignment per bucket, scoped to that bucket's container.

    The Kubernetes side: annotate the service account with
    `azure.workload.identity/client-id: <client_id>` and label pods
    `azure.workload.identity/use: "true"`."""

    client_id: pulumi.Output[str]
    """Put on the service account as `azure.workload.identity/client-id`."""
    principal_id: pulumi.Output[str]
    identity: managedidentity.UserAssignedIdentity

    def __init__(self, name: str, args: WorkloadIdentityArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:azure:WorkloadIdentity", name, None, opts)
        self.identity = managedidentity.UserAssignedIdentity(
            f"{name}-identity",
            resource_name_=args.identity_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags={**args.tags, "k8s-service-account": f"{args.namespace}.{args.service_account}"},
            opts=child_options(self),
        )
        managedidentity.FederatedIdentityCredential(
            f"{name}-federation",
            federated_identity_credential_resource_name=f"{args.namespace}-{args.service_account}",
            resource_name_=self.identity.name,
            resource_group_name=args.resource_group_name,
            issuer=args.oidc_issuer_url,
            subject=f"system:serviceaccount:{args.namespace}:{args.service_account}",
            audiences=[TOKEN_EXCHANGE_AUDIENCE],
            opts=child_options(self),
        )
        # Write implies read: a bucket listed under both gets only the Contributor assignment.
        writable = {bucket.purpose for bucket in args.write}
        grants: list[tuple[AccessMode, Bucket]] = [
            *(("read", bucket) for bucket in args.read if bucket.purpose not in writable),
            *(("write", bucket) for bucket in args.write),
        ]
        for mode, bucket in grants:
            bucket.grant(
                f"{name}-{mode}-{bucket.purpose}",
                parent=self,
                principal_id=self.identity.principal_id,
                mode=mode,
                who=f"workload {args.namespace}/{args.service_account}",
            )

        self.client_id = self.identity.client_id
        self.principal_id = self.identity.principal_id
        self.register_outputs({"client_id": self.client_id, "principal_id": self.principal_id})
