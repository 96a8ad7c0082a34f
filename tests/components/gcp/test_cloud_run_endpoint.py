"""ai-infra:gcp:CloudRunEndpoint: an L4 Cloud Run service that scales to zero, internal ingress,
no public invoker, its own service account reading only the model bucket, CMEK."""

from __future__ import annotations

import pytest

from components.gcp.cloud_run_endpoint import CloudRunEndpoint, CloudRunEndpointArgs

SERVICE = "gcp:cloudrunv2/service:Service"
INVOKER = "gcp:cloudrunv2/serviceIamMember:ServiceIamMember"
BUCKET_GRANT = "gcp:storage/bucketIAMMember:BucketIAMMember"


def make(**overrides):
    values = {
        "service_name": "test-chat",
        "project": "acme-test",
        "project_number": "123456789012",
        "region": "us-central1",
        "image": "us-central1-docker.pkg.dev/acme-test/serving/vllm:1",
        "model_bucket_name": "acme-test-models",
        "network": "projects/acme-test/global/networks/vpc",
        "subnetwork": "projects/acme-test/regions/us-central1/subnetworks/nodes",
        "gpu": "nvidia-l4",
        "cpu": 4,
        "memory_mb": 16384,
        "max_instances": 2,
        **overrides,
    }
    return lambda: CloudRunEndpoint("chat", CloudRunEndpointArgs(**values))


def test_service_scales_to_zero_on_one_l4_per_instance(declare):
    run = declare(make())
    template = run.one(SERVICE).inputs["template"]
    assert template["scaling"] == {"minInstanceCount": 0, "maxInstanceCount": 2}
    assert template["nodeSelector"] == {"accelerator": "nvidia-l4"}
    limits = template["containers"][0]["resources"]["limits"]
    assert limits == {"cpu": "4", "memory": "16384Mi", "nvidia.com/gpu": "1"}


def test_service_is_internal_only_and_has_no_invoker_by_default(declare):
    run = declare(make())
    service = run.one(SERVICE).inputs
    assert service["ingress"] == "INGRESS_TRAFFIC_INTERNAL_ONLY"
    assert service["invokerIamDisabled"] is False
    assert not run.of_type(INVOKER)
    assert service["template"]["vpcAccess"]["egress"] == "PRIVATE_RANGES_ONLY"


def test_named_invokers_are_granted_run_invoker(declare):
    run = declare(make(invokers=("serviceAccount:caller@acme-test.iam.gserviceaccount.com",)))
    (grant,) = run.of_type(INVOKER)
    assert grant.inputs["role"] == "roles/run.invoker"
    assert grant.inputs["member"] == "serviceAccount:caller@acme-test.iam.gserviceaccount.com"


@pytest.mark.parametrize("member", ["allUsers", "allAuthenticatedUsers"])
def test_public_invokers_are_refused(member):
    with pytest.raises(ValueError, match="public"):
        make(invokers=(member,))()


def test_runs_as_its_own_account_that_reads_only_the_model_bucket_mounted_read_only(declare):
    run = declare(make())
    template = run.one(SERVICE).inputs["template"]
    account = run.named("chat-serving")
    assert template["serviceAccount"] == account.outputs["email"]
    (grant,) = run.of_type(BUCKET_GRANT)
    assert grant.inputs["bucket"] == "acme-test-models"
    assert grant.inputs["role"] == "roles/storage.objectViewer"
    assert template["volumes"] == [{"name": "model", "gcs": {"bucket": "acme-test-models", "readOnly": True}}]


def test_service_is_encrypted_with_its_own_key_the_run_agent_may_use(declare):
    run = declare(make())
    grant = run.named("chat-key-agent").inputs
    assert run.one(SERVICE).inputs["template"]["encryptionKey"] == grant["cryptoKeyId"]
    assert grant["member"] == "serviceAccount:service-123456789012@serverless-robot-prod.iam.gserviceaccount.com"


def test_cpu_service_has_no_gpu_selector(declare):
    run = declare(make(gpu=None, cpu=1, memory_mb=2048))
    template = run.one(SERVICE).inputs["template"]
    assert "nodeSelector" not in template
    assert "nvidia.com/gpu" not in template["containers"][0]["resources"]["limits"]
