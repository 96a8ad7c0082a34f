"""`ai-infra:gcp:EventBatchJob`: a new object under an input prefix starts a Cloud Run job that
scores it and writes under an output prefix.

GCS `object.finalized` on the input bucket -> Eventarc trigger -> Workflows (drops objects outside
the prefix, runs the job with the object name as INPUT_OBJECT) -> Cloud Run job (one task; an L4
when the job has a GPU). Three service accounts, each scoped: the trigger may only receive events
and invoke workflows; the workflow may only run this job; the job may read only objects under the
input prefix and create only objects under the output prefix (IAM conditions on object names).
Nothing runs (or bills) between objects."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

from components.gcp.encryption_key import encryption_key, service_agent
from components.gcp.service_accounts import service_account
from components.options import child_options

FINALIZED = "google.cloud.storage.object.v1.finalized"
RUN_WITH_OVERRIDES = "roles/run.jobsExecutorWithOverrides"


@dataclass(frozen=True, kw_only=True)
class EventBatchJobArgs:
    """Inputs of `EventBatchJob`."""

    job_name: str
    """Cloud Run job, workflow and trigger name (`<env>-<key>`)."""
    project: str
    project_number: pulumi.Input[str]
    region: str
    image: str
    input_bucket_name: pulumi.Input[str]
    input_prefix: str
    """Objects finalized under this prefix (ending in `/`) start the job."""
    output_bucket_name: pulumi.Input[str]
    output_prefix: str
    network: pulumi.Input[str]
    subnetwork: pulumi.Input[str]
    gpu: str | None = None
    """Cloud Run accelerator (`nvidia-l4`). Default None: CPU only."""
    cpu: float = 1
    memory_mb: int = 2048
    timeout_seconds: int = 3600
    labels: Mapping[str, str] = field(default_factory=dict)
    protect: bool = False


class EventBatchJob(pulumi.ComponentResource):
    """Children: KMS key ring + key (+ agent grant), job / workflow / trigger service accounts,
    prefix-conditioned bucket grants, the Cloud Run job and its executor grant, the workflow, the
    Cloud Storage agent's Pub/Sub publisher grant and the Eventarc trigger."""

    job_name: pulumi.Output[str]
    trigger_name: pulumi.Output[str]

    def __init__(self, name: str, args: EventBatchJobArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:gcp:EventBatchJob", name, None, opts)
        labels = dict(args.labels)
        key = encryption_key(
            self,
            name,
            project=args.project,
            location=args.region,
            service_agent=service_agent(args.project_number, "serverless-robot-prod"),
            labels=labels,
            protect=args.protect,
        )
        job_account = service_account(
            self,
            f"{name}-runner",
            project=args.project,
            account=f"{args.job_name}-job",
            description=f"Batch job {args.job_name}: reads {args.input_prefix}, writes {args.output_prefix}",
        )
        grants = [
            _prefix_grant(
                self,
                f"{name}-runner-read-input",
                args.input_bucket_name,
                args.input_prefix,
                "roles/storage.objectViewer",
                job_account,
            ),
            _prefix_grant(
                self,
                f"{name}-runner-write-output",
                args.output_bucket_name,
                args.output_prefix,
                "roles/storage.objectCreator",
                job_account,
            ),
        ]
        limits = {
            "cpu": str(int(args.cpu)) if float(args.cpu).is_integer() else str(args.cpu),
            "memory": f"{args.memory_mb}Mi",
        }
        task: dict = {
            "service_account": job_account.email,
            "encryption_key": key.key_id,
            "max_retries": 1,
            "timeout": f"{args.timeout_seconds}s",
            "vpc_access": {
                "network_interfaces": [{"network": args.network, "subnetwork": args.subnetwork}],
                "egress": "PRIVATE_RANGES_ONLY",
            },
        }
        if args.gpu is not None:
            limits["nvidia.com/gpu"] = "1"
            task["node_selector"] = {"accelerator": args.gpu}
            task["gpu_zonal_redundancy_disabled"] = True
        task["containers"] = [
            {
                "image": args.image,
                "resources": {"limits": limits},
                "envs": [
                    {"name": "INPUT_BUCKET", "value": args.input_bucket_name},
                    {"name": "OUTPUT_BUCKET", "value": args.output_bucket_name},
                    {"name": "OUTPUT_PREFIX", "value": args.output_prefix},
                ],
            }
        ]
        job = gcp.cloudrunv2.Job(
            f"{name}-job",
            name=args.job_name,
            project=args.project,
            location=args.region,
            deletion_protection=args.protect,
            template={"task_count": 1, "parallelism": 1, "template": task, "labels": labels},
            labels=labels,
            opts=child_options(self, depends_on=[key.grant, *grants]),
        )
        workflow_account = service_account(
            self,
            f"{name}-caller",
            project=args.project,
            account=f"{args.job_name}-wf",
            description=f"Workflow of {args.job_name}: runs that job only",
        )
        executor = gcp.cloudrunv2.JobIamMember(
            f"{name}-caller-runs-job",
            project=args.project,
            location=args.region,
            name=job.name,
            role=RUN_WITH_OVERRIDES,
            member=workflow_account.member,
            opts=child_options(self),
        )
        workflow = gcp.workflows.Workflow(
            f"{name}-workflow",
            name=args.job_name,
            project=args.project,
            region=args.region,
            description=f"Runs Cloud Run job {args.job_name} for each new object under {args.input_prefix}",
            service_account=workflow_account.id,
            crypto_key_name=key.key_id,
            source_contents=_workflow_source(args),
            labels=labels,
            opts=child_options(self, depends_on=[executor]),
        )
        trigger_account = service_account(
            self,
            f"{name}-receiver",
            project=args.project,
            account=f"{args.job_name}-trg",
            description=f"Eventarc trigger of {args.job_name}: receives events, invokes workflows",
            project_roles=("roles/eventarc.eventReceiver", "roles/workflows.invoker"),
        )
        # Cloud Storage publishes its events through Pub/Sub as its own service agent.
        storage_agent = gcp.projects.IAMMember(
            f"{name}-storage-agent-publisher",
            project=args.project,
            role="roles/pubsub.publisher",
            member=pulumi.Output.concat("serviceAccount:", service_agent(args.project_number, "gs-project-accounts")),
            opts=child_options(self),
        )
        trigger = gcp.eventarc.Trigger(
            f"{name}-trigger",
            name=args.job_name,
            project=args.project,
            location=args.region,
            matching_criterias=[
                {"attribute": "type", "value": FINALIZED},
                {"attribute": "bucket", "value": args.input_bucket_name},
            ],
            destination={"workflow": workflow.id},
            service_account=trigger_account.email,
            labels=labels,
            opts=child_options(self, depends_on=[storage_agent]),
        )
        self.job_name = job.name
        self.trigger_name = trigger.name
        self.register_outputs({"job_name": self.job_name, "trigger_name": self.trigger_name})


def _prefix_grant(
    parent: pulumi.Resource,
    name: str,
    bucket: pulumi.Input[str],
    prefix: str,
    role: str,
    account: gcp.serviceaccount.Account,
) -> gcp.storage.BucketIAMMember:
    """`role` on `bucket`, limited by an IAM condition to objects whose names start with `prefix`."""
    return gcp.storage.BucketIAMMember(
        name,
        bucket=bucket,
        role=role,
        member=account.member,
        condition={
            "title": f"only {prefix}",
            "expression": pulumi.Output.concat(
                'resource.name.startsWith("projects/_/buckets/', bucket, "/objects/", prefix, '")'
            ),
        },
        opts=child_options(parent),
    )


def _workflow_source(args: EventBatchJobArgs) -> str:
    """Workflows YAML (JSON is valid YAML): skip objects outside the prefix, else run the job."""
    job = f"projects/{args.project}/locations/{args.region}/jobs/{args.job_name}"
    steps = [
        {
            "outside_prefix": {
                "switch": [
                    {
                        "condition": f'${{not text.match_regex(event.data.name, "^{re.escape(args.input_prefix)}")}}',
                        "return": "skipped",
                    }
                ]
            }
        },
        {
            "run_job": {
                "call": "googleapis.run.v2.projects.locations.jobs.run",
                "args": {
                    "name": job,
                    "body": {
                        "overrides": {
                            "containerOverrides": [{"env": [{"name": "INPUT_OBJECT", "value": "${event.data.name}"}]}]
                        }
                    },
                },
                "result": "execution",
            }
        },
        {"done": {"return": "${execution}"}},
    ]
    return json.dumps({"main": {"params": ["event"], "steps": steps}}, indent=2)
