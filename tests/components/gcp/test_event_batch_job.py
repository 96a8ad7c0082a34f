"""ai-infra:gcp:EventBatchJob: GCS finalize -> Eventarc -> Workflows -> Cloud Run job, identities
scoped to the input and output prefixes, the job and the trigger."""

from __future__ import annotations

import json

from components.gcp.event_batch_job import EventBatchJob, EventBatchJobArgs

JOB = "gcp:cloudrunv2/job:Job"
TRIGGER = "gcp:eventarc/trigger:Trigger"
WORKFLOW = "gcp:workflows/workflow:Workflow"
BUCKET_GRANT = "gcp:storage/bucketIAMMember:BucketIAMMember"


def program():
    EventBatchJob(
        "score",
        EventBatchJobArgs(
            job_name="test-score",
            project="acme-test",
            project_number="123456789012",
            region="us-central1",
            image="us-central1-docker.pkg.dev/acme-test/serving/scorer:1",
            input_bucket_name="acme-test-datasets",
            input_prefix="incoming/",
            output_bucket_name="acme-test-models",
            output_prefix="scores/",
            network="projects/acme-test/global/networks/vpc",
            subnetwork="projects/acme-test/regions/us-central1/subnetworks/nodes",
            gpu="nvidia-l4",
            cpu=4,
            memory_mb=16384,
        ),
    )


def test_new_objects_in_the_input_bucket_reach_the_workflow(declare):
    run = declare(program)
    trigger = run.one(TRIGGER).inputs
    assert {c["attribute"]: c["value"] for c in trigger["matchingCriterias"]} == {
        "type": "google.cloud.storage.object.v1.finalized",
        "bucket": "acme-test-datasets",
    }
    assert trigger["destination"]["workflow"] == run.id_of(run.one(WORKFLOW).name)
    assert trigger["serviceAccount"] == run.named("score-receiver").outputs["email"]


def test_workflow_skips_other_prefixes_and_runs_the_job_with_the_object(declare):
    run = declare(program)
    source = json.loads(run.one(WORKFLOW).inputs["sourceContents"])
    steps = {name: body for step in source["main"]["steps"] for name, body in step.items()}
    assert "^incoming/" in steps["outside_prefix"]["switch"][0]["condition"]
    call = steps["run_job"]
    assert call["call"] == "googleapis.run.v2.projects.locations.jobs.run"
    assert call["args"]["name"] == "projects/acme-test/locations/us-central1/jobs/test-score"
    env = call["args"]["body"]["overrides"]["containerOverrides"][0]["env"]
    assert env == [{"name": "INPUT_OBJECT", "value": "${event.data.name}"}]


def test_job_runs_on_one_l4_as_its_own_account_with_private_egress(declare):
    run = declare(program)
    task = run.one(JOB).inputs["template"]["template"]
    assert task["nodeSelector"] == {"accelerator": "nvidia-l4"}
    assert task["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert task["serviceAccount"] == run.named("score-runner").outputs["email"]
    assert task["vpcAccess"]["egress"] == "PRIVATE_RANGES_ONLY"


def test_identities_are_scoped_to_prefixes_and_the_job(declare):
    run = declare(program)
    grants = {g.name: g.inputs for g in run.of_type(BUCKET_GRANT)}
    read, write = grants["score-runner-read-input"], grants["score-runner-write-output"]
    assert (read["bucket"], read["role"]) == ("acme-test-datasets", "roles/storage.objectViewer")
    assert read["condition"]["expression"] == (
        'resource.name.startsWith("projects/_/buckets/acme-test-datasets/objects/incoming/")'
    )
    assert (write["bucket"], write["role"]) == ("acme-test-models", "roles/storage.objectCreator")
    assert write["condition"]["expression"].endswith('/objects/scores/")')
    executor = run.one("gcp:cloudrunv2/jobIamMember:JobIamMember").inputs
    assert executor["role"] == "roles/run.jobsExecutorWithOverrides"
    assert executor["member"] == run.named("score-caller").outputs["member"]
    project_roles = {r.inputs["role"] for r in run.of_type("gcp:projects/iAMMember:IAMMember")}
    assert project_roles == {"roles/eventarc.eventReceiver", "roles/workflows.invoker", "roles/pubsub.publisher"}
