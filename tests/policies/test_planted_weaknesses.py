"""Issue 13's list of weaknesses that used to pass, each planted in a form the rules had not seen,
judged with the prod policy config: every one is a definite (not "judged at update") finding of
a rule that prod enforces as mandatory, and its fixed twin is clean."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from policies.framework import Resource
from policies.pack import PACK_DIR
from policies.rules_table import configured_level
from tests.policies import test_kubernetes_depth as kd
from tests.policies import test_network_meaning as nm
from tests.policies.builders import changed, judge, res, without
from tests.policies.test_storage import good_oss, good_s3

PROD = json.loads((PACK_DIR / "config" / "prod.json").read_text())
HALVES = ["0.0.0.0/1", "128.0.0.0/1"]
S3_POLICY = "aws:s3/bucketPolicy:BucketPolicy"


def prod_config(rule: str) -> dict:
    entry = PROD[rule]
    return {k: v for k, v in entry.items() if k not in ("enforcementLevel", "allowSuppression")}


def _s3_policy(statement: dict) -> Callable[[list[Resource]], list[Resource]]:
    return lambda r: changed(r, "data-policy", "policy", json.dumps({"Statement": [statement]}))


def _second_half(resources: list[Resource]) -> Resource:
    group = next(r for r in resources if r.name == "web-sg")
    rule = nm._aws_rule("second half", "128.0.0.0/1")
    return res(nm.n.AWS_INGRESS_RULE, "web-ssh-b", rule, deps={"securityGroupId": group})


TLS_DENY = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::data", "arn:aws:s3:::data/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}

# (what, rule, compliant set, how the weakness is planted, resource the finding names)
PLANTED = [
    (
        "SSH open to the internet as two CIDR halves (AWS security group)",
        "network-no-public-admin-ingress",
        nm.good_aws,
        lambda r: [*changed(r, "web-ssh", "cidrIpv4", "0.0.0.0/1"), _second_half(r)],
        "web-ssh",
    ),
    (
        "SSH open to the internet as two CIDR halves (GCP firewall)",
        "network-no-public-admin-ingress",
        nm.good_gcp,
        lambda r: changed(r, "allow-iap-ssh", "sourceRanges", HALVES),
        "allow-iap-ssh",
    ),
    (
        "RDP open to the internet as two CIDR halves (Azure NSG rule)",
        "network-no-public-admin-ingress",
        nm.good_azure,
        lambda r: changed(
            changed(r, "https-in", "sourceAddressPrefixes", HALVES), "https-in", "destinationPortRange", "3389"
        ),
        "https-in",
    ),
    (
        "SSH open to the internet as IPv4 and IPv6 halves (Alibaba security group rule named by id)",
        "network-no-public-admin-ingress",
        nm.good_alicloud,
        lambda r: changed(changed(r, "https", "portRange", "22/22"), "https", "cidrIp", "128.0.0.0/1"),
        "https",
    ),
    (
        "EKS API endpoint open to two CIDR halves",
        "k8s-api-endpoint-restricted",
        kd.good_eks,
        kd._public_eks(HALVES),
        "eks",
    ),
    (
        "AKS API server authorized for two CIDR halves",
        "k8s-api-endpoint-restricted",
        kd.good_aks,
        lambda r: changed(
            r, "aks", "apiServerAccessProfile", {"enablePrivateCluster": False, "authorizedIPRanges": HALVES}
        ),
        "aks",
    ),
    (
        "GKE control plane open to Google Cloud public ranges",
        "k8s-api-endpoint-restricted",
        kd.good_gke,
        kd._public_gke({"cidrBlocks": [], "gcpPublicCidrsAccessEnabled": True}),
        "gke",
    ),
    (
        "an AWS-managed key (alias/aws/s3) as the bucket key",
        "bucket-encrypted-with-cmk",
        good_s3,
        lambda r: changed(
            r, "data-encryption", "rules.0.applyServerSideEncryptionByDefault.kmsMasterKeyId", "alias/aws/s3"
        ),
        "data-bucket",
    ),
    (
        "a TLS deny that covers one action on one prefix",
        "storage-tls-only",
        good_s3,
        _s3_policy({**TLS_DENY, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/models/*"}),
        "data-bucket",
    ),
    (
        "a TLS deny for one principal only",
        "storage-tls-only",
        good_s3,
        _s3_policy({**TLS_DENY, "Principal": {"AWS": "arn:aws:iam::123456789012:role/reader"}}),
        "data-bucket",
    ),
    (
        "a TLS deny narrowed by a second condition",
        "storage-tls-only",
        good_s3,
        _s3_policy({**TLS_DENY, "Condition": {**TLS_DENY["Condition"], "StringEquals": {"aws:SourceVpc": "vpc-1"}}}),
        "data-bucket",
    ),
    (
        "an OSS TLS deny on the objects but not the bucket",
        "storage-tls-only",
        good_oss,
        lambda r: changed(
            r,
            "data-policy",
            "policy",
            json.dumps(
                {
                    "Statement": [
                        {
                            "Effect": "Deny",
                            "Principal": ["*"],
                            "Action": ["oss:PutObject"],
                            "Resource": ["acs:oss:*:*:data/*"],
                            "Condition": {"Bool": {"acs:SecureTransport": ["false"]}},
                        }
                    ]
                }
            ),
        ),
        "data-bucket",
    ),
    (
        "GKE legacy ABAC",
        "k8s-control-plane-auth",
        kd.good_gke,
        lambda r: changed(r, "gke", "enableLegacyAbac", True),
        "gke",
    ),
    (
        "GKE client certificates",
        "k8s-control-plane-auth",
        kd.good_gke,
        lambda r: changed(r, "gke", "masterAuth.clientCertificateConfig.issueClientCertificate", True),
        "gke",
    ),
    (
        "AKS with RBAC off",
        "k8s-control-plane-auth",
        kd.good_aks,
        lambda r: changed(r, "aks", "enableRBAC", False),
        "aks",
    ),
    (
        "SSH to EKS node groups",
        "k8s-nodes-no-ssh",
        kd.good_eks,
        lambda r: changed(r, "gpu-nodes", "remoteAccess", {"ec2SshKey": "ops"}),
        "gpu-nodes",
    ),
    (
        "an AKS inline agent pool profile without host encryption",
        "disks-encrypted",
        kd.good_aks,
        lambda r: changed(r, "aks", "agentPoolProfiles.0.enableEncryptionAtHost", False),
        "aks",
    ),
    (
        "a launch template without block device mappings",
        "disks-encrypted",
        kd.good_eks,
        lambda r: changed(r, "gpu-lt", "blockDeviceMappings", []),
        "gpu-lt",
    ),
    (
        "a node pool that names its (public-node) cluster by a plain string",
        "k8s-nodes-no-public-ip",
        kd.good_gke,
        lambda r: changed(r, "gke", "privateClusterConfig.enablePrivateNodes", False),
        "gke-l4",
    ),
]


def _public_vault(_: list[Resource]) -> list[Resource]:
    return [res("azure-native:keyvault:Vault", "vault", {"properties": {"enableRbacAuthorization": True}})]


def _public_registry(_: list[Resource]) -> list[Resource]:
    return [
        res(
            "azure-native:containerregistry:Registry",
            "registry",
            {"sku": {"name": "Basic"}, "adminUserEnabled": True, "publicNetworkAccess": "Enabled"},
        )
    ]


def _private_vault() -> list[Resource]:
    properties = {
        "enableRbacAuthorization": True,
        "enablePurgeProtection": True,
        "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices"},
    }
    return [res("azure-native:keyvault:Vault", "vault", {"properties": properties})]


def _private_registry() -> list[Resource]:
    inputs = {
        "sku": {"name": "Premium"},
        "adminUserEnabled": False,
        "publicNetworkAccess": "Disabled",
        "dataEndpointEnabled": True,
    }
    return [res("azure-native:containerregistry:Registry", "registry", inputs)]


PLANTED += [
    ("a public Key Vault", "keyvault-private", _private_vault, _public_vault, "vault"),
    ("a public ACR (Basic SKU, public network)", "registry-private", _private_registry, _public_registry, "registry"),
    ("an ACR with the admin user", "registry-no-shared-credentials", _private_registry, _public_registry, "registry"),
]


@pytest.mark.parametrize(("what", "rule", "twin", "plant", "flagged"), PLANTED, ids=[p[0] for p in PLANTED])
def test_the_weakness_is_a_mandatory_prod_finding_and_its_fixed_twin_is_clean(what, rule, twin, plant, flagged) -> None:
    assert configured_level(PROD, rule, "advisory") == "mandatory", f"{rule} must be mandatory in prod"
    fixed = twin()
    assert judge(rule, fixed, prod_config(rule)) == [], f"{what}: the fixed twin is not clean"
    planted = plant(twin())
    target = next(r for r in planted if r.name == flagged).urn
    findings = [f for f in judge(rule, planted, prod_config(rule)) if f.urn == target]
    assert findings, f"{what}: {rule} did not flag {flagged}"
    assert all(not f.undecided for f in findings), f"{what}: the finding must be definite, got {findings}"


def test_the_tls_deny_the_components_write_is_tls_only() -> None:
    assert judge("storage-tls-only", good_s3(), prod_config("storage-tls-only")) == []
    assert judge("storage-tls-only", without(good_s3(), "data-policy"), prod_config("storage-tls-only"))
