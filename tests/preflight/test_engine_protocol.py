"""What the engine sends the policy pack, and what the program sees, built from a recorded run.

Analyze gets checked inputs (with the names a provider generates) where resource references are
marshalled to the referenced id, unknown while the resource is being created; AnalyzeStack gets
outputs with property dependencies; reads are not analyzed one by one; a multi-language
component's outputs are unknown and its children invisible."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
from google.protobuf import json_format

from preflight.engine import run_declarations
from preflight.policy.requests import analyze_requests, analyze_stack_request, engine_marshalled
from preflight.records import ProgramRun
from preflight.wire import RESOURCE_SIG, SIG_KEY, UNKNOWN, UNKNOWN_TEXT


def _run(program: Any, phase: str) -> ProgramRun:
    run, _log = run_declarations(program, project="proto", stack="dev", phase=phase)  # type: ignore[arg-type]
    return run


def _role_and_attachment() -> None:
    role = aws.iam.Role("runner", assume_role_policy="{}")
    aws.iam.RolePolicyAttachment(
        "runner-read", role=role, policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess"
    )  # the resource object itself
    aws.s3.Bucket("logs")  # no `bucket` name: the provider generates one in Check
    aws.ec2.Vpc.get("default-vpc", "vpc-0123456789abcdef0")  # a read


def _analyzed(run: ProgramRun) -> dict[str, dict[str, Any]]:
    return {request.name: json_format.MessageToDict(request.properties) for request, _urn in analyze_requests(run)}


def test_a_resource_reference_reaches_analyze_as_the_referenced_id() -> None:
    preview, update = _run(_role_and_attachment, "preview"), _run(_role_and_attachment, "update")
    assert _analyzed(preview)["runner-read"]["role"] == UNKNOWN, "the role does not exist yet at preview"
    assert _analyzed(update)["runner-read"]["role"] == update.id_of("runner")
    attachment = update.named("runner-read")
    assert attachment.inputs["role"] == update.named("runner").urn, "the report shows which resource it is"
    assert attachment.property_dependencies["role"] == [update.named("runner").urn]


def test_analyze_sees_the_name_the_provider_generates_and_skips_reads() -> None:
    for phase in ("preview", "update"):
        analyzed = _analyzed(_run(_role_and_attachment, phase))
        assert analyzed["logs"]["bucket"].startswith("logs-"), "autonamed in Check, known at preview too"
        assert "default-vpc" not in analyzed, "reads are not analyzed one by one"


def test_analyze_stack_sees_outputs_with_property_dependencies() -> None:
    update = _run(_role_and_attachment, "update")
    request = analyze_stack_request(update)
    by_name = {r.name: r for r in request.resources}
    role = json_format.MessageToDict(by_name["runner"].properties)
    assert role["arn"] == f"arn:aws:iam::123456789012:role/{role['name']}", "an output the provider computes"
    assert list(by_name["runner-read"].propertyDependencies["role"].urns) == [update.named("runner").urn]
    assert "default-vpc" in by_name, "the stack view includes reads"
    preview_role = json_format.MessageToDict(
        next(
            r for r in analyze_stack_request(_run(_role_and_attachment, "preview")).resources if r.name == "runner"
        ).properties
    )
    assert "arn" not in preview_role, "at preview the state is the echoed inputs"


def test_engine_marshalling_of_references() -> None:
    custom = {SIG_KEY: RESOURCE_SIG, "urn": "urn:pulumi:dev::p::aws:iam/role:Role::r", "id": "r-123"}
    pending = {SIG_KEY: RESOURCE_SIG, "urn": "urn:pulumi:dev::p::aws:iam/role:Role::r", "id": ""}
    component = {SIG_KEY: RESOURCE_SIG, "urn": "urn:pulumi:dev::p::my:index:Thing::t"}
    assert engine_marshalled({"a": custom, "b": [pending], "c": component}) == {
        "a": "r-123",
        "b": [UNKNOWN],
        "c": "urn:pulumi:dev::p::my:index:Thing::t",
    }


class _RemoteCluster(pulumi.ComponentResource):
    """A multi-language component as a generated SDK declares one (`remote=True`)."""

    kubeconfig: pulumi.Output[str]

    def __init__(self, name: str) -> None:
        super().__init__(
            "eks:index:Cluster", name, {"kubeconfig": None, "instanceType": "t3.medium"}, None, remote=True
        )


def test_a_multi_language_component_is_opaque_and_its_outputs_unknown_in_both_phases() -> None:
    def program() -> None:
        cluster = _RemoteCluster("ml")
        aws.s3.Bucket("configs", tags={"kubeconfig": cluster.kubeconfig})

    for phase in ("preview", "update"):
        run = _run(program, phase)
        record = run.named("ml")
        assert record.remote and run.children_of(record.urn) == []
        assert run.named("configs").inputs["tags"]["kubeconfig"] == UNKNOWN_TEXT, phase
        [warning] = [w for w in run.warnings if w.kind == "remote-component"]
        assert "eks:index:Cluster 'ml'" in warning.message and "cannot see" in warning.message
