"""ai-infra:azure:WorkloadIdentity: one service account, one federated credential, and role
assignments on exactly the buckets' containers (never a subscription, never Owner/Contributor)."""

from __future__ import annotations

from components.azure import Bucket, BucketArgs, WorkloadIdentity, WorkloadIdentityArgs
from components.azure.roles import BuiltInRole
from tests.components.azure.taggable import SUBSCRIPTION_ID, TAGS, scope_is_narrow

ROLE = "azure-native:authorization:RoleAssignment"
ISSUER = "https://eastus.oic.prod-aks.azure.com/tenant/issuer/"
BROAD_ROLES = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",  # Owner
    "b24988ac-6180-42a0-ab88-20f7382dd24c",  # Contributor
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",  # User Access Administrator
}


def bucket(purpose: str) -> Bucket:
    return Bucket(
        purpose,
        BucketArgs(
            subscription_id=SUBSCRIPTION_ID,
            resource_group_name="rg-test",
            location="eastus",
            account_name=f"st{purpose}",
            purpose=purpose,
        ),
    )


def make(read=("datasets",), write=("checkpoints",)):
    def program():
        buckets = {p: bucket(p) for p in {*read, *write}}
        WorkloadIdentity(
            "trainer",
            WorkloadIdentityArgs(
                resource_group_name="rg-test",
                location="eastus",
                identity_name="id-test-trainer",
                oidc_issuer_url=ISSUER,
                namespace="ml",
                service_account="trainer",
                tags=TAGS,
                read=[buckets[p] for p in read],
                write=[buckets[p] for p in write],
            ),
        )

    return program


def grants(run) -> dict[str, dict]:
    return {r.name: r.inputs for r in run.of_type(ROLE)}


def test_federated_credential_trusts_one_service_account_from_the_cluster_issuer(declare):
    run = declare(make())
    credential = run.one("azure-native:managedidentity:FederatedIdentityCredential").inputs
    assert credential["issuer"] == ISSUER
    assert credential["subject"] == "system:serviceaccount:ml:trainer"
    assert credential["audiences"] == ["api://AzureADTokenExchange"]
    assert credential["resourceName"] == "id-test-trainer"
    identity = run.one("azure-native:managedidentity:UserAssignedIdentity").inputs
    assert identity["resourceName"] == "id-test-trainer"
    assert TAGS.items() <= identity["tags"].items()


def test_read_gets_reader_and_write_gets_contributor_on_each_container(declare):
    found = grants(declare(make()))
    assert set(found) == {"trainer-read-datasets", "trainer-write-checkpoints"}
    read, write = found["trainer-read-datasets"], found["trainer-write-checkpoints"]
    assert read["roleDefinitionId"].endswith(BuiltInRole.STORAGE_BLOB_DATA_READER.value)
    assert read["scope"].endswith("/storageAccounts/stdatasets/blobServices/default/containers/datasets")
    assert write["roleDefinitionId"].endswith(BuiltInRole.STORAGE_BLOB_DATA_CONTRIBUTOR.value)
    assert write["scope"].endswith("/storageAccounts/stcheckpoints/blobServices/default/containers/checkpoints")


def test_scopes_are_containers_and_roles_are_never_broad(declare):
    for assignment in grants(declare(make(read=("datasets", "models"), write=("checkpoints",)))).values():
        assert scope_is_narrow(assignment["scope"]), assignment["scope"]
        assert "/containers/" in assignment["scope"]
        assert assignment["roleDefinitionId"].rsplit("/", 1)[-1] not in BROAD_ROLES
        assert assignment["principalType"] == "ServicePrincipal"


def test_a_bucket_listed_for_read_and_write_gets_only_contributor(declare):
    found = grants(declare(make(read=("models",), write=("models",))))
    assert list(found) == ["trainer-write-models"]


def test_the_grants_belong_to_the_workload_identity(declare):
    run = declare(make())
    component = run.one("ai-infra:azure:WorkloadIdentity")
    assert {r.type for r in run.children_of(component.urn)} == {
        "azure-native:managedidentity:UserAssignedIdentity",
        "azure-native:managedidentity:FederatedIdentityCredential",
        ROLE,
    }
