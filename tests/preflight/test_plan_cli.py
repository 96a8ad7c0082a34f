"""`preflight` end to end, as a user runs it: a subprocess per invocation, exit codes, output."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TINY = REPO / "tests" / "fixtures" / "tiny_project"
REAL_URN = re.compile(r"^urn:pulumi:(?P<stack>[^:]+)::(?P<project>[^:]+)::(?P<types>[^:].*)::(?P<name>[^:]+)$")


def preflight(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "preflight", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )


@pytest.fixture(scope="module")
def prod_json() -> dict:
    result = preflight("prod", "--format", "json", "--soft-fail")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_prod_json_document_shape(prod_json):
    assert prod_json["schema_version"] == 2
    assert prod_json["phases"] == ["preview", "update"]
    assert (prod_json["project"], prod_json["stack"]) == ("ai-infra", "prod")
    urns = [r["urn"] for r in prod_json["resources"]]
    assert urns == sorted(urns), "resources are sorted by URN"
    for resource in prod_json["resources"]:
        assert {"type", "name", "urn", "parent", "protect", "inputs"} <= resource.keys()
        match = REAL_URN.match(resource["urn"])
        assert match, resource["urn"]
        assert match["types"].split("$")[-1] == resource["type"]
        assert "pulumi:pulumi:Stack" not in match["types"], "real URNs do not qualify with the stack type"


def test_prod_json_parent_chain_is_in_the_urn(prod_json):
    by_urn = {r["urn"]: r for r in prod_json["resources"]}
    for resource in prod_json["resources"]:
        parent = resource["parent"]
        if parent is None:
            assert "$" not in REAL_URN.match(resource["urn"])["types"]
            continue
        parent_types = REAL_URN.match(parent)["types"]
        assert REAL_URN.match(resource["urn"])["types"] == f"{parent_types}${resource['type']}"
        assert parent in by_urn


def test_prod_json_lists_the_aws_environment(prod_json):
    types = prod_json["summary"]["by_type"]
    expected = {
        "aws:eks/cluster:Cluster",
        "aws:eks/nodeGroup:NodeGroup",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:sagemaker/model:Model",
        "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
        "aws:sagemaker/endpoint:Endpoint",
        "aws:appautoscaling/target:Target",
        "aws:appautoscaling/policy:Policy",
        "aws:budgets/budget:Budget",
    }
    assert expected <= set(types), expected - set(types)
    # One hardening resource of each kind per bucket.
    buckets = types["aws:s3/bucket:Bucket"]
    assert types["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"] == buckets
    assert types["aws:s3/bucketPolicy:BucketPolicy"] == buckets


def test_prod_kubeconfig_output_is_secret(prod_json):
    assert "aws_kubeconfig" in prod_json["secret_outputs"]
    assert prod_json["outputs"]["aws_kubeconfig"] == "[secret]"


def test_any_pulumi_python_project_via_cwd(tmp_path):
    result = preflight("dev", "--cwd", str(TINY), "--format", "json", "--soft-fail", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["project"] == "tiny"
    assert document["summary"]["by_type"] == {"aws:s3/bucket:Bucket": 2, "aws:s3/bucketVersioning:BucketVersioning": 2}
    assert "urn:pulumi:dev::tiny::tiny:index:Store$aws:s3/bucket:Bucket::store0-bucket" in {
        r["urn"] for r in document["resources"]
    }
    assert document["outputs"]["bucket_names"] == ["tiny-dev-store0", "tiny-dev-store1"]
    assert document["secret_outputs"] == ["api_key"]


def test_unknown_stack_lists_the_stacks():
    result = preflight("staging")
    assert result.returncode == 2
    assert "unknown stack 'staging'" in result.stderr and "dev" in result.stderr
    assert "Traceback" not in result.stderr


def test_directory_without_a_project(tmp_path):
    result = preflight("dev", "--cwd", str(tmp_path))
    assert result.returncode == 2
    assert "is not a Pulumi project" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_stack_name_is_a_usage_error():
    result = preflight("../etc")
    assert result.returncode == 2
    assert "not a valid stack name" in result.stderr


def _copy_of_this_project(tmp_path: Path, stack_yaml: str) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(f"name: ai-infra\nruntime: python\nmain: {REPO}\n", encoding="utf-8")
    (tmp_path / "Pulumi.broken.yaml").write_text(stack_yaml, encoding="utf-8")
    return tmp_path


def test_config_error_names_the_key_path_without_traceback(tmp_path):
    dev = (REPO / "Pulumi.dev.yaml").read_text(encoding="utf-8")
    broken = dev.replace("accelerator: nvidia-l4", "accelerator: nvidia-x100", 1)
    assert broken != dev
    result = preflight("broken", "--cwd", str(_copy_of_this_project(tmp_path, broken)))
    assert result.returncode == 2
    assert "ai-infra:clouds.aws.gpu_pools." in result.stderr
    line = next(line for line in result.stderr.splitlines() if "'nvidia-x100'" in line)
    # Only what an EKS node group can run is offered: no TPUs, no other cloud's parts.
    assert "is not an accelerator for node pools on aws (" in line and "nvidia-l4" in line
    assert "tpu-" not in line
    assert "Traceback" not in result.stderr


def test_program_exception_shows_program_frames_only(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: crash\nruntime: python\n", encoding="utf-8")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n", encoding="utf-8")
    (tmp_path / "__main__.py").write_text("raise KeyError('region')\n", encoding="utf-8")
    result = preflight("dev", "--cwd", str(tmp_path))
    assert result.returncode == 1
    assert "the program raised KeyError" in result.stderr
    assert "__main__.py" in result.stderr
    assert "preflight/engine.py" not in result.stderr and "Traceback" not in result.stderr


def test_an_unknown_flag_suggests_the_nearest_one():
    result = preflight("dev", "--fromat", "json")
    assert result.returncode == 2
    assert "unrecognized arguments: --fromat json" in result.stderr
    assert "--fromat: did you mean --format?" in result.stderr
    assert "Traceback" not in result.stderr
