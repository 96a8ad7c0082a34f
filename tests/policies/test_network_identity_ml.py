"""Network (S16, S17, C8), identity (S19, S20, S25) and ML endpoint (S21-S23) rules: a compliant
resource per row passes; one changed field is reported on its URN."""

from __future__ import annotations

import base64
import json

import pytest

from policies.rules import identity as i
from policies.rules import ml_endpoints as m
from policies.rules import network as n
from tests.policies.builders import DELETE, TAGS, assert_compliant, assert_flags, changed, judge, res, without


def _doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


ROLE_DEFINITIONS = "/providers/Microsoft.Authorization/roleDefinitions"
READ_OBJECTS = {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::data/*"]}


def good_network():
    aws_vpc = res(n.AWS_VPC, "vpc", {"cidrBlock": "10.0.0.0/16", "tags": TAGS})
    azure_vnet = res(n.AZURE_VNET, "vnet", {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]}})
    ali_vpc = res(n.ALICLOUD_VPC, "ali-vpc", {"cidrBlock": "10.2.0.0/16"})
    return [
        aws_vpc,
        res(n.AWS_FLOW_LOG, "vpc-flow", {"vpcId": "vpc-1", "trafficType": "ALL"}, deps={"vpcId": aws_vpc}),
        res(
            n.AWS_SECURITY_GROUP,
            "sg",
            {"ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]}]},
        ),
        res(
            n.AWS_INGRESS_RULE,
            "sg-https",
            {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIpv4": "10.0.0.0/8"},
        ),
        res(
            n.AWS_SECURITY_GROUP_RULE,
            "sg-rule",
            {"type": "ingress", "protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["10.0.0.0/8"]},
        ),
        res(
            n.GCP_FIREWALL,
            "fw",
            {"direction": "INGRESS", "sourceRanges": ["0.0.0.0/0"], "allows": [{"protocol": "tcp", "ports": ["443"]}]},
        ),
        res(
            n.GCP_SUBNETWORK,
            "subnet",
            {"ipCidrRange": "10.3.0.0/20", "logConfig": {"aggregationInterval": "INTERVAL_5_SEC"}},
        ),
        res(
            n.AZURE_SECURITY_RULE,
            "nsg-rule",
            {
                "direction": "Inbound",
                "access": "Allow",
                "protocol": "Tcp",
                "sourceAddressPrefix": "Internet",
                "destinationPortRange": "443",
            },
        ),
        res(
            n.AZURE_NSG,
            "nsg",
            {
                "securityRules": [
                    {
                        "name": "ssh-vnet",
                        "direction": "Inbound",
                        "access": "Allow",
                        "protocol": "Tcp",
                        "sourceAddressPrefix": "VirtualNetwork",
                        "destinationPortRange": "22",
                    }
                ]
            },
        ),
        azure_vnet,
        res(
            n.AZURE_FLOW_LOG,
            "vnet-flow",
            {"targetResourceId": "/subscriptions/s/vnet", "enabled": True},
            deps={"targetResourceId": azure_vnet},
        ),
        res(
            n.ALICLOUD_SG_RULE,
            "ali-rule",
            {"type": "ingress", "ipProtocol": "tcp", "portRange": "443/443", "cidrIp": "0.0.0.0/0"},
        ),
        ali_vpc,
        res(
            n.ALICLOUD_FLOW_LOG,
            "ali-flow",
            {"resourceId": "vpc-2", "resourceType": "VPC", "status": "Active"},
            deps={"resourceId": ali_vpc},
        ),
        res(n.NAT_GATEWAYS[0], "nat-a", {"subnetId": "subnet-1"}),
        res(n.NAT_GATEWAYS[1], "gcp-nat", {"router": "r"}),
    ]


def good_identity():
    return [
        res(
            i.AWS_ROLE,
            "role",
            {"assumeRolePolicy": "{}", "managedPolicyArns": ["arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"]},
        ),
        res(
            "aws:iam/rolePolicy:RolePolicy",
            "role-policy",
            {"policy": _doc(READ_OBJECTS, {"Effect": "Allow", "Action": ["ec2:DescribeSubnets"], "Resource": "*"})},
        ),
        res(
            "aws:iam/policy:Policy",
            "policy",
            {"policy": _doc(READ_OBJECTS, {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"})},
        ),
        res(i.AWS_POLICY_ATTACHMENTS[0], "attach", {"policyArn": "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"}),
        res(
            i.GCP_PROJECT_IAM[0],
            "logging",
            {"role": "roles/logging.logWriter", "member": "serviceAccount:n@p.iam.gserviceaccount.com"},
        ),
        res(
            i.AZURE_ROLE_ASSIGNMENT,
            "blob-reader",
            {"roleDefinitionId": f"{ROLE_DEFINITIONS}/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"},
        ),
        res(
            i.AZURE_ROLE_DEFINITION,
            "custom",
            {"permissions": [{"actions": ["Microsoft.Storage/storageAccounts/read"]}]},
        ),
        res(
            i.ALICLOUD_RAM_POLICY,
            "ram-policy",
            {
                "policyDocument": json.dumps(
                    {
                        "Version": "1",
                        "Statement": [
                            {"Effect": "Allow", "Action": ["oss:GetObject"], "Resource": ["acs:oss:*:*:data/*"]}
                        ],
                    }
                )
            },
        ),
        res(
            i.ALICLOUD_POLICY_ATTACHMENTS[0],
            "ram-attach",
            {"policyName": "AliyunOSSReadOnlyAccess", "policyType": "System"},
        ),
        res("azure-native:containerservice:ManagedCluster", "aks", {"disableLocalAccounts": True}),
        res(
            "aws:ec2/launchTemplate:LaunchTemplate",
            "lt",
            {"userData": base64.b64encode(b"#!/bin/bash\necho starting\n").decode()},
        ),
        res(
            "aws:sagemaker/model:Model",
            "model",
            {
                "primaryContainer": {
                    "environment": {"MODEL_ID": "llama", "HF_TOKEN": "arn:aws:secretsmanager:us-east-1:1:secret:hf"}
                }
            },
        ),
        res(
            "gcp:container/nodePool:NodePool",
            "pool",
            {"nodeConfig": {"metadata": {"disable-legacy-endpoints": "true"}}},
        ),
        res(
            "azure-native:machinelearningservices:OnlineDeployment",
            "deploy",
            {"properties": {"environmentVariables": {"WORKERS": "2"}}},
        ),
        res("alicloud:cs/nodePool:NodePool", "ali-pool", {"userData": "echo hello"}),
        res(
            "alicloud:pai/service:Service",
            "eas",
            {"serviceConfig": json.dumps({"containers": [{"image": "x", "env": [{"name": "PORT", "value": "8000"}]}]})},
        ),
    ]


def good_ml():
    return [
        res(
            m.SAGEMAKER_MODEL,
            "model",
            {"enableNetworkIsolation": True, "vpcConfig": {"subnets": ["subnet-1"], "securityGroupIds": ["sg-1"]}},
        ),
        res(
            m.SAGEMAKER_ENDPOINT_CONFIG,
            "config",
            {
                "kmsKeyArn": "arn:aws:kms:us-east-1:1:key/k",
                "productionVariants": [{"variantName": "main", "instanceType": "ml.inf2.xlarge"}],
            },
        ),
        res(
            m.VERTEX_ENDPOINT,
            "vertex",
            {
                "privateServiceConnectConfig": {"enablePrivateServiceConnect": True},
                "encryptionSpec": {"kmsKeyName": "k"},
            },
        ),
        res(
            m.VERTEX_MODEL_GARDEN,
            "garden",
            {"endpointConfig": {"privateServiceConnectConfig": {"enablePrivateServiceConnect": True}}},
        ),
        res(
            m.AZURE_ML_WORKSPACE,
            "workspace",
            {
                "publicNetworkAccess": "Disabled",
                "encryption": {"status": "Enabled", "keyVaultProperties": {"keyIdentifier": "https://v/keys/k"}},
            },
        ),
        res(
            m.AZURE_ONLINE_ENDPOINT,
            "az-endpoint",
            {"properties": {"authMode": "AADToken", "publicNetworkAccess": "Disabled"}},
        ),
        res(
            m.EAS_SERVICE,
            "eas",
            {"serviceConfig": json.dumps({"cloud": {"networking": {"vpc_id": "vpc-1", "vswitch_id": "vsw-1"}}})},
        ),
    ]


GOOD = {"network": good_network, "identity": good_identity, "ml": good_ml}
RULES = {
    "network": ["network-no-public-admin-ingress", "network-flow-logs", "nat-gateway-limit"],
    "identity": [
        "iam-no-admin-or-wildcard-actions",
        "iam-no-wildcard-resources",
        "iam-no-long-lived-keys",
        "no-plaintext-secrets",
    ],
    "ml": ["ml-endpoint-private", "ml-encrypted-with-cmk", "ml-workspace-private"],
}


@pytest.mark.parametrize(("domain", "rule"), [(d, r) for d, rules in RULES.items() for r in rules])
def test_compliant_resources_pass(domain: str, rule: str) -> None:
    assert_compliant(rule, GOOD[domain]())


ADMIN_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}
VIOLATIONS = [
    # S16
    (
        "network-no-public-admin-ingress",
        "network",
        lambda r: changed(r, "sg", "ingress.0.fromPort", 22),
        "sg",
        "tcp port 22",
    ),
    (
        "network-no-public-admin-ingress",
        "network",
        lambda r: changed(r, "sg-https", "cidrIpv4", "0.0.0.0/0"),
        "sg-https",
        "22",
    ),
    (
        "network-no-public-admin-ingress",
        "network",
        lambda r: changed(r, "sg-rule", "cidrBlocks", ["0.0.0.0/0"]),
        "sg-rule",
        "",
    ),
    (
        "network-no-public-admin-ingress",
        "network",
        lambda r: changed(r, "fw", "allows.0.ports", ["3389"]),
        "fw",
        "3389",
    ),
    (
        "network-no-public-admin-ingress",
        "network",
        lambda r: changed(r, "fw", "allows.0.protocol", "all"),
        "fw",
        "every port",
    ),
    (
        "network-no-public-admin-ingress",
        "network",
        lambda r: changed(r, "nsg-rule", "destinationPortRange", "*"),
        "nsg-rule",
        "",
    ),
    (
        "network-no-public-admin-ingress",
        "network",
        lambda r: changed(r, "nsg", "securityRules.0.sourceAddressPrefix", "*"),
        "nsg",
        "ssh-vnet",
    ),
    (
        "network-no-public-admin-ingress",
        "network",
        lambda r: changed(r, "ali-rule", "portRange", "22/22"),
        "ali-rule",
        "",
    ),
    (
        "network-no-public-admin-ingress",
        "network",
        lambda r: changed(r, "ali-rule", "ipProtocol", "all"),
        "ali-rule",
        "every port",
    ),
    # S17
    ("network-flow-logs", "network", lambda r: without(r, "vpc-flow"), "vpc", "FlowLog"),
    ("network-flow-logs", "network", lambda r: changed(r, "subnet", "logConfig", DELETE), "subnet", "logConfig"),
    ("network-flow-logs", "network", lambda r: changed(r, "vnet-flow", "enabled", False), "vnet", ""),
    ("network-flow-logs", "network", lambda r: changed(r, "ali-flow", "status", "Inactive"), "ali-vpc", ""),
    # S19
    (
        "iam-no-admin-or-wildcard-actions",
        "identity",
        lambda r: changed(r, "policy", "policy", _doc(ADMIN_ALL)),
        "policy",
        "'*'"[1],
    ),
    (
        "iam-no-admin-or-wildcard-actions",
        "identity",
        lambda r: changed(
            r, "role-policy", "policy", _doc({"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::d"]})
        ),
        "role-policy",
        "s3:*",
    ),
    (
        "iam-no-admin-or-wildcard-actions",
        "identity",
        lambda r: changed(r, "role", "managedPolicyArns", ["arn:aws:iam::aws:policy/AdministratorAccess"]),
        "role",
        "AdministratorAccess",
    ),
    (
        "iam-no-admin-or-wildcard-actions",
        "identity",
        lambda r: changed(r, "role", "inlinePolicies", [{"name": "all", "policy": _doc(ADMIN_ALL)}]),
        "role",
        "inline policy all",
    ),
    (
        "iam-no-admin-or-wildcard-actions",
        "identity",
        lambda r: changed(r, "attach", "policyArn", "arn:aws:iam::aws:policy/PowerUserAccess"),
        "attach",
        "",
    ),
    (
        "iam-no-admin-or-wildcard-actions",
        "identity",
        lambda r: changed(r, "logging", "role", "roles/editor"),
        "logging",
        "roles/editor",
    ),
    (
        "iam-no-admin-or-wildcard-actions",
        "identity",
        lambda r: changed(
            r,
            "blob-reader",
            "roleDefinitionId",
            "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        ),
        "blob-reader",
        "Owner",
    ),
    (
        "iam-no-admin-or-wildcard-actions",
        "identity",
        lambda r: changed(r, "custom", "permissions.0.actions", ["*"]),
        "custom",
        "",
    ),
    (
        "iam-no-admin-or-wildcard-actions",
        "identity",
        lambda r: changed(r, "ram-policy", "policyDocument", json.dumps({"Statement": [ADMIN_ALL]})),
        "ram-policy",
        "",
    ),
    (
        "iam-no-admin-or-wildcard-actions",
        "identity",
        lambda r: changed(r, "ram-attach", "policyName", "AdministratorAccess"),
        "ram-attach",
        "",
    ),
    (
        "iam-no-wildcard-resources",
        "identity",
        lambda r: changed(
            r, "policy", "policy", _doc({"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "*"})
        ),
        "policy",
        "s3:PutObject",
    ),
    (
        "iam-no-wildcard-resources",
        "identity",
        lambda r: changed(
            r, "role-policy", "policy", _doc({"Effect": "Allow", "Action": ["ec2:CreateTags"], "Resource": "*"})
        ),
        "role-policy",
        "",
    ),
    (
        "iam-no-wildcard-resources",
        "identity",
        lambda r: changed(
            r,
            "ram-policy",
            "policyDocument",
            json.dumps({"Statement": [{"Effect": "Allow", "Action": ["oss:PutObject"], "Resource": "*"}]}),
        ),
        "ram-policy",
        "",
    ),
    # S20
    (
        "iam-no-long-lived-keys",
        "identity",
        lambda r: changed(r, "aks", "disableLocalAccounts", False),
        "aks",
        "disableLocalAccounts",
    ),
    # S25
    (
        "no-plaintext-secrets",
        "identity",
        lambda r: changed(
            r, "lt", "userData", base64.b64encode(b"export AWS_ACCESS_KEY_ID=AKIAABCDEFGHIJKLMNOP\n").decode()
        ),
        "lt",
        "AWS access key",
    ),
    (
        "no-plaintext-secrets",
        "identity",
        lambda r: changed(
            r, "model", "primaryContainer.environment.HF_TOKEN", "hf_abcdefghijklmnopqrstuvwxyz0123456789"
        ),
        "model",
        "HF_TOKEN",
    ),
    (
        "no-plaintext-secrets",
        "identity",
        lambda r: changed(
            r,
            "pool",
            "nodeConfig.metadata.startup-script",
            "curl -H 'token: ghp_abcdefghijklmnopqrstuvwxyz0123456789AB'",
        ),
        "pool",
        "GitHub",
    ),
    (
        "no-plaintext-secrets",
        "identity",
        lambda r: changed(r, "deploy", "properties.environmentVariables.DB_PASSWORD", "hunter2hunter2"),
        "deploy",
        "DB_PASSWORD",
    ),
    (
        "no-plaintext-secrets",
        "identity",
        lambda r: changed(r, "ali-pool", "userData", "-----BEGIN RSA PRIVATE KEY-----\nMII..."),
        "ali-pool",
        "private key",
    ),
    (
        "no-plaintext-secrets",
        "identity",
        lambda r: changed(
            r,
            "eas",
            "serviceConfig",
            json.dumps({"containers": [{"image": "x", "env": [{"name": "API_KEY", "value": "abcd1234efgh"}]}]}),
        ),
        "eas",
        "API_KEY",
    ),
    # S21-S23
    (
        "ml-endpoint-private",
        "ml",
        lambda r: changed(r, "model", "enableNetworkIsolation", False),
        "model",
        "NetworkIsolation",
    ),
    ("ml-endpoint-private", "ml", lambda r: changed(r, "model", "vpcConfig", DELETE), "model", "vpcConfig"),
    (
        "ml-endpoint-private",
        "ml",
        lambda r: changed(r, "vertex", "privateServiceConnectConfig", DELETE),
        "vertex",
        "public",
    ),
    ("ml-endpoint-private", "ml", lambda r: changed(r, "garden", "endpointConfig", {}), "garden", ""),
    (
        "ml-endpoint-private",
        "ml",
        lambda r: changed(r, "az-endpoint", "properties.publicNetworkAccess", "Enabled"),
        "az-endpoint",
        "",
    ),
    (
        "ml-endpoint-private",
        "ml",
        lambda r: changed(r, "eas", "serviceConfig", json.dumps({"cloud": {}})),
        "eas",
        "vpc_id",
    ),
    ("ml-encrypted-with-cmk", "ml", lambda r: changed(r, "config", "kmsKeyArn", DELETE), "config", "main"),
    ("ml-encrypted-with-cmk", "ml", lambda r: changed(r, "vertex", "encryptionSpec", DELETE), "vertex", ""),
    (
        "ml-encrypted-with-cmk",
        "ml",
        lambda r: changed(r, "workspace", "encryption.status", "Disabled"),
        "workspace",
        "",
    ),
    (
        "ml-workspace-private",
        "ml",
        lambda r: changed(r, "workspace", "publicNetworkAccess", "Enabled"),
        "workspace",
        "",
    ),
    (
        "ml-workspace-private",
        "ml",
        lambda r: changed(r, "az-endpoint", "properties.authMode", "Key"),
        "az-endpoint",
        "Key",
    ),
]


@pytest.mark.parametrize(
    ("rule", "domain", "break_it", "flagged", "contains"), VIOLATIONS, ids=lambda v: v if isinstance(v, str) else ""
)
def test_one_change_is_reported(rule, domain, break_it, flagged, contains) -> None:
    assert_flags(rule, break_it(GOOD[domain]()), flagged, contains=contains)


@pytest.mark.parametrize(
    ("type_", "name"),
    [
        ("aws:iam/accessKey:AccessKey", "ci-key"),
        ("gcp:serviceaccount/key:Key", "sa-key"),
        ("gcp:storage/hmacKey:HmacKey", "hmac"),
        ("alicloud:ram/accessKey:AccessKey", "ram-key"),
    ],
)
def test_long_lived_keys_are_reported_where_they_are_created(type_: str, name: str) -> None:
    assert_flags("iam-no-long-lived-keys", [*good_identity(), res(type_, name, {})], name, contains="long-lived")


def test_second_nat_gateway_of_a_cloud_is_over_the_dev_limit() -> None:
    resources = good_network()
    assert_compliant("nat-gateway-limit", resources)  # one on aws, one on gcp
    extra = res(n.NAT_GATEWAYS[0], "nat-b", {"subnetId": "subnet-2"})
    assert_flags("nat-gateway-limit", [*resources, extra], "nat-b", contains="2 NAT gateways on aws")
    assert_compliant("nat-gateway-limit", [*resources, extra], {"maxNatGatewaysPerCloud": 3})


def test_admin_ports_are_configurable() -> None:
    resources = changed(good_network(), "sg", "ingress.0.fromPort", 8888)
    resources = changed(resources, "sg", "ingress.0.toPort", 8888)
    assert_compliant("network-no-public-admin-ingress", resources)
    assert_flags("network-no-public-admin-ingress", resources, "sg", {"adminPorts": [22, 8888]}, contains="8888")


def test_gcp_ingress_firewall_without_source_is_open_to_everyone() -> None:
    firewall = res(n.GCP_FIREWALL, "no-source", {"allows": [{"protocol": "tcp", "ports": ["22"]}]})
    assert_flags("network-no-public-admin-ingress", [firewall], "no-source", contains="0.0.0.0/0")
    tagged = res(n.GCP_FIREWALL, "tagged", {"allows": [{"protocol": "tcp"}], "sourceTags": ["tpu-workers"]})
    assert judge("network-no-public-admin-ingress", [tagged]) == []


def test_sagemaker_instance_store_families_need_no_volume_key() -> None:
    resources = changed(good_ml(), "config", "kmsKeyArn", DELETE)
    resources = changed(resources, "config", "productionVariants.0.instanceType", "ml.g6.xlarge")
    assert_compliant("ml-encrypted-with-cmk", resources)
