"""Serverless endpoints (Cloud Run, Container Apps, Function Compute, Lambda function URLs) are
reachable only from the project's networks or by authenticated callers: no internet ingress
without IAM, no `allUsers` invoker, no anonymous HTTP trigger."""

from __future__ import annotations

import json
from collections.abc import Iterator

from policies.framework import UNKNOWN, Context, Example, Resource, Rule, as_bool, as_list

CLOUD_RUN_SERVICE = "gcp:cloudrunv2/service:Service"
CLOUD_RUN_INVOKER_MEMBERS = (
    "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
    "gcp:cloudrunv2/jobIamMember:JobIamMember",
)
CLOUD_RUN_INVOKER_BINDINGS = (
    "gcp:cloudrunv2/serviceIamBinding:ServiceIamBinding",
    "gcp:cloudrunv2/jobIamBinding:JobIamBinding",
)
CONTAINER_APP = "azure-native:app:ContainerApp"
CONTAINER_APP_ENVIRONMENT = "azure-native:app:ManagedEnvironment"
FC_TRIGGER = "alicloud:fc/v3Trigger:V3Trigger"
LAMBDA_URL = "aws:lambda/functionUrl:FunctionUrl"

PUBLIC_MEMBERS = ("allusers", "allauthenticatedusers")
INTERNAL_INGRESS = ("INGRESS_TRAFFIC_INTERNAL_ONLY", "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER")


def _cloud_run(service: Resource, ctx: Context) -> Iterator[str]:
    # Cloud Run's default ingress is INGRESS_TRAFFIC_ALL: unset means reachable from the internet.
    ingress = service.get("ingress")
    if ingress is not UNKNOWN and ingress not in INTERNAL_INGRESS:
        yield f"ingress is {ingress or 'unset (INGRESS_TRAFFIC_ALL)'}: reachable from the internet"
    if as_bool(service.get("invokerIamDisabled")):
        yield "invokerIamDisabled is true: anyone who reaches the service can call it without IAM"


def _public(member: object) -> bool:
    return isinstance(member, str) and member.strip().lower() in PUBLIC_MEMBERS


def _invoker_member(grant: Resource, ctx: Context) -> Iterator[str]:
    member = grant.get("member")
    if _public(member):
        yield f"{member} may call it ({grant.get('role')}): the endpoint is public"


def _invoker_binding(grant: Resource, ctx: Context) -> Iterator[str]:
    for member in as_list(grant.get("members")):
        if _public(member):
            yield f"{member} may call it ({grant.get('role')}): the endpoint is public"


def _container_app(app: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(app.get("configuration.ingress.external")):
        yield "configuration.ingress.external is true: the app is reachable from outside its environment"


def _environment(environment: Resource, ctx: Context) -> Iterator[str]:
    internal = environment.get("vnetConfiguration.internal")
    if internal is not UNKNOWN and as_bool(internal) is not True:
        yield "vnetConfiguration.internal is not true: the environment has a public ingress address"


def _fc_trigger(trigger: Resource, ctx: Context) -> Iterator[str]:
    if str(trigger.get("triggerType", "")).lower() != "http":
        return
    config = trigger.get("triggerConfig")
    if config is UNKNOWN:
        return
    try:
        parsed = json.loads(config) if isinstance(config, str) else config
    except ValueError:
        return
    auth = parsed.get("authType") if isinstance(parsed, dict) else None
    if not isinstance(auth, str) or auth.lower() == "anonymous":
        yield f"HTTP trigger authType is {auth or 'unset (anonymous)'}: anyone can invoke the function"


def _lambda_url(url: Resource, ctx: Context) -> Iterator[str]:
    if str(url.get("authorizationType", "")).upper() == "NONE":
        yield "authorizationType is NONE: the function URL answers anyone on the internet"


SERVERLESS_PRIVATE = Rule(
    id="serverless-endpoint-private",
    ref="",
    domain="serverless",
    description="Serverless endpoints are internal or need an authenticated caller: no public invoker, no "
    "anonymous trigger or URL.",
    severity="high",
    tags=("security",),
    remediation="Cloud Run: ingress INGRESS_TRAFFIC_INTERNAL_ONLY, invoker IAM on, no allUsers/"
    "allAuthenticatedUsers invoker. Container Apps: an internal environment and ingress.external false. "
    "Function Compute: HTTP triggers with authType function (signed) or jwt. Lambda: function URLs with AWS_IAM.",
    rationale="A serverless inference endpoint scales on demand, so a public one is both a data path to the model "
    "and an open meter: anyone who finds the URL runs GPU seconds on the project's bill and reads what the model "
    "returns. Keeping it internal or authenticated makes every call attributable to an identity.",
    examples=(
        Example(
            type=CLOUD_RUN_SERVICE,
            compliant={"ingress": "INGRESS_TRAFFIC_INTERNAL_ONLY", "invokerIamDisabled": False},
            violating={"ingress": "INGRESS_TRAFFIC_ALL", "invokerIamDisabled": False},
            note="ingress from the internet",
        ),
        Example(
            type="gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
            compliant={"role": "roles/run.invoker", "member": "serviceAccount:caller@p.iam.gserviceaccount.com"},
            violating={"role": "roles/run.invoker", "member": "allUsers"},
            note="allUsers may invoke",
        ),
        Example(
            type=CONTAINER_APP,
            compliant={"configuration": {"ingress": {"external": False, "targetPort": 80}}},
            violating={"configuration": {"ingress": {"external": True, "targetPort": 80}}},
            note="external ingress",
        ),
        Example(
            type=FC_TRIGGER,
            compliant={"triggerType": "http", "triggerConfig": '{"authType": "function", "methods": ["POST"]}'},
            violating={"triggerType": "http", "triggerConfig": '{"authType": "anonymous", "methods": ["POST"]}'},
            note="anonymous HTTP trigger",
        ),
    ),
    checks={
        CLOUD_RUN_SERVICE: _cloud_run,
        **dict.fromkeys(CLOUD_RUN_INVOKER_MEMBERS, _invoker_member),
        **dict.fromkeys(CLOUD_RUN_INVOKER_BINDINGS, _invoker_binding),
        CONTAINER_APP: _container_app,
        CONTAINER_APP_ENVIRONMENT: _environment,
        FC_TRIGGER: _fc_trigger,
        LAMBDA_URL: _lambda_url,
    },
)

RULES = [SERVERLESS_PRIVATE]
