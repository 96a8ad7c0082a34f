"""ai-infra:gcp:ModelEndpoint: CMEK + private Vertex endpoint with dedicated resources, or Model Garden."""

from __future__ import annotations

import re

import pytest

from components.gcp import CustomModel, ModelEndpoint, ModelEndpointArgs, ModelGardenModel

PROJECT = "acme-test"
NUMBER = "123456789012"
ENDPOINT = "gcp:vertex/aiEndpoint:AiEndpoint"
POOL = "gcp:vertex/aiDeploymentResourcePool:AiDeploymentResourcePool"
GARDEN = "gcp:vertex/aiEndpointWithModelGardenDeployment:AiEndpointWithModelGardenDeployment"
DUTY_CYCLE = "aiplatform.googleapis.com/prediction/online/accelerator/duty_cycle"
LABELS = {"environment": "test"}


def base(**overrides):
    return {
        "endpoint_name": "test-chat",
        "project": PROJECT,
        "project_number": NUMBER,
        "region": "us-central1",
        "machine_type": "g2-standard-8",
        "accelerator_type": "NVIDIA_L4",
        "accelerator_count": 1,
        "min_replicas": 2,
        "max_replicas": 5,
        "accelerator_duty_cycle_target": 70,
        "labels": LABELS,
        **overrides,
    }


def custom(**overrides):
    model = CustomModel(image="us-docker.pkg.dev/x/serve:1", bucket_name="acme-test-models", artifact_key="chat/")
    args = base(custom_model=model, **overrides)
    return lambda: ModelEndpoint("chat", ModelEndpointArgs(**args))


def garden(model="publishers/google/models/gemma3@gemma-3-1b-it", **overrides):
    args = base(model_garden=ModelGardenModel(model=model, accept_eula=True), **overrides)
    return lambda: ModelEndpoint("chat", ModelEndpointArgs(**args))


def test_custom_endpoint_is_regional_cmek_encrypted_and_behind_private_service_connect(declare):
    run = declare(custom())
    endpoint = run.one(ENDPOINT)
    assert endpoint.inputs["location"] == "us-central1"
    assert re.fullmatch(r"[1-9][0-9]{9}", endpoint.inputs["name"])
    assert re.fullmatch(
        f"projects/{PROJECT}/locations/us-central1/keyRings/[^/]+/cryptoKeys/[^/]+",
        endpoint.inputs["encryptionSpec"]["kmsKeyName"],
    )
    assert endpoint.inputs["privateServiceConnectConfig"] == {
        "enablePrivateServiceConnect": True,
        "projectAllowlists": [PROJECT],
    }
    assert "network" not in endpoint.inputs
    assert endpoint.inputs["labels"] == LABELS
    grant = run.one("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")
    assert grant.inputs["member"] == f"serviceAccount:service-{NUMBER}@gcp-sa-aiplatform.iam.gserviceaccount.com"
    assert grant.urn in endpoint.dependencies


def test_private_endpoint_is_peered_into_the_network(declare):
    network = f"projects/{NUMBER}/global/networks/ai-infra-test"
    endpoint = declare(custom(network_access="private", peering_network=network)).one(ENDPOINT)
    assert endpoint.inputs["network"] == network
    assert "privateServiceConnectConfig" not in endpoint.inputs


def test_deployment_resource_pool_holds_the_dedicated_machines_replicas_and_autoscaling(declare):
    pool = declare(custom()).one(POOL)
    assert pool.inputs["region"] == "us-central1"
    assert pool.inputs["dedicatedResources"] == {
        "machineSpec": {"machineType": "g2-standard-8", "acceleratorType": "NVIDIA_L4", "acceleratorCount": 1},
        "minReplicaCount": 2,
        "maxReplicaCount": 5,
        "autoscalingMetricSpecs": [{"metricName": DUTY_CYCLE, "target": 70}],
    }


def test_serving_account_reads_only_the_model_bucket(declare):
    run = declare(custom())
    account = run.one("gcp:serviceaccount/account:Account")
    [grant] = run.of_type("gcp:storage/bucketIAMMember:BucketIAMMember")
    assert (grant.inputs["bucket"], grant.inputs["role"]) == ("acme-test-models", "roles/storage.objectViewer")
    assert grant.inputs["member"] == f"serviceAccount:{account.inputs['accountId']}@{PROJECT}.iam.gserviceaccount.com"
    assert run.of_type("gcp:projects/iAMMember:IAMMember") == []


def test_prod_endpoint_key_is_protected(declare):
    run = declare(custom(protect=True))
    for type_ in ("gcp:kms/cryptoKey:CryptoKey", "gcp:kms/keyRing:KeyRing"):
        record = run.one(type_)
        assert record.protect and record.retain_on_delete


def test_model_garden_deployment_is_one_declarative_resource_with_spot_and_psc(declare):
    run = declare(garden(spot=True, min_replicas=1, max_replicas=1))
    deployment = run.one(GARDEN)
    assert deployment.inputs["publisherModelName"] == "publishers/google/models/gemma3@gemma-3-1b-it"
    assert deployment.inputs["modelConfig"]["acceptEula"] is True
    resources = deployment.inputs["deployConfig"]["dedicatedResources"]
    assert resources["machineSpec"] == {
        "machineType": "g2-standard-8",
        "acceleratorType": "NVIDIA_L4",
        "acceleratorCount": 1,
    }
    assert (resources["minReplicaCount"], resources["maxReplicaCount"], resources["spot"]) == (1, 1, True)
    assert resources["autoscalingMetricSpecs"] == [{"metricName": DUTY_CYCLE, "target": 70}]
    assert deployment.inputs["endpointConfig"]["privateServiceConnectConfig"]["enablePrivateServiceConnect"] is True
    assert run.of_type(ENDPOINT) == [] and run.of_type(POOL) == []


def test_hugging_face_models_are_named_by_id(declare):
    deployment = declare(garden(model="google/gemma-2-2b-it", network_access="public")).one(GARDEN)
    assert deployment.inputs["huggingFaceModelId"] == "google/gemma-2-2b-it"
    assert "publisherModelName" not in deployment.inputs
    assert "privateServiceConnectConfig" not in deployment.inputs["endpointConfig"]


def test_impossible_combinations_are_refused():
    model = CustomModel(image="i", bucket_name="b", artifact_key="k")
    with pytest.raises(ValueError, match="exactly one of"):
        ModelEndpointArgs(**base())
    with pytest.raises(ValueError, match="spot needs the Model Garden form"):
        ModelEndpointArgs(**base(custom_model=model, spot=True))
    with pytest.raises(ValueError, match="'private' needs a custom model and peering_network"):
        ModelEndpointArgs(**base(custom_model=model, network_access="private"))
