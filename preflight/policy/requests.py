"""The analyzer requests the engine sends for a run, built from preflight's records.

What the engine sends (pulumi/pkg/resource/deploy/step_generator.go and
pulumi/sdk/go/common/resource/plugin/analyzer_plugin.go; summarised in
docs/analyzer-protocol.md):
- `Analyze`, once per registered resource, after the provider's Check: its checked inputs,
  marshalled with unknowns and secrets kept and resource references *not* kept — a reference
  becomes the referenced resource's id (unknown while it is being created) or, for a component,
  its URN. Reads (`X.get`, stack references) are not analyzed one by one.
- `AnalyzeStack`, once at the end: every resource with its *outputs* (the state after the step),
  parent, dependencies and property dependencies, and its provider's inputs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2

from preflight.records import ROOT_STACK_TYPE, ProgramRun, ResourceRecord
from preflight.wire import RESOURCE_SIG, SIG_KEY, UNKNOWN


def stack_urn(run: ProgramRun) -> str:
    return f"urn:pulumi:{run.stack}::{run.project}::{ROOT_STACK_TYPE}::{run.project}-{run.stack}"


def engine_marshalled(value: Any) -> Any:
    """A wire value as the engine marshals it for an analyzer (`KeepResources: false`): resource
    references become the referenced id (unknown when empty) or the component's URN."""
    if isinstance(value, dict):
        if value.get(SIG_KEY) == RESOURCE_SIG:
            if "id" in value:
                return value["id"] or UNKNOWN
            return value.get("urn", "")
        return {k: engine_marshalled(v) for k, v in value.items()}
    if isinstance(value, list):
        return [engine_marshalled(v) for v in value]
    return value


def _struct(raw: Any) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    if raw is not None:
        struct.update(engine_marshalled(json_format.MessageToDict(raw)))
    return struct


def root_record(run: ProgramRun) -> ResourceRecord:
    return ResourceRecord(
        type=ROOT_STACK_TYPE,
        name=f"{run.project}-{run.stack}",
        urn=stack_urn(run),
        parent=None,
        custom=False,
        protect=False,
        retain_on_delete=False,
        provider=None,
        dependencies=[],
        property_dependencies={},
        aliases=[],
        inputs={},
    )


def _options(record: ResourceRecord, root: str) -> analyzer_pb2.AnalyzerResourceOptions:
    return analyzer_pb2.AnalyzerResourceOptions(protect=record.protect, parent=record.parent or root)


def _provider(
    record: ResourceRecord, by_urn: Mapping[str, ResourceRecord]
) -> analyzer_pb2.AnalyzerProviderResource | None:
    provider = by_urn.get(record.provider or "")
    if provider is None:
        return None
    return analyzer_pb2.AnalyzerProviderResource(
        type=provider.type, properties=_struct(provider.raw_inputs), urn=provider.urn, name=provider.name
    )


def analyze_requests(run: ProgramRun) -> Iterator[tuple[analyzer_pb2.AnalyzeRequest, str]]:
    """(request, URN) for every resource the engine would call `Analyze` for, root stack first."""
    root = root_record(run)
    records = [root, *run.sorted_resources()]
    by_urn = {r.urn: r for r in records}
    for record in records:
        if record.op == "read":
            continue
        request = analyzer_pb2.AnalyzeRequest(
            type=record.type,
            properties=_struct(record.raw_inputs),
            urn=record.urn,
            name=record.name,
            options=_options(record, "" if record is root else root.urn),
        )
        provider = _provider(record, by_urn)
        if provider is not None:
            request.provider.CopyFrom(provider)
        yield request, record.urn


def analyze_stack_request(run: ProgramRun) -> analyzer_pb2.AnalyzeStackRequest:
    """The one `AnalyzeStack` request: every resource's outputs, with its dependencies."""
    root = root_record(run)
    records = [root, *run.sorted_resources()]
    by_urn = {r.urn: r for r in records}
    request = analyzer_pb2.AnalyzeStackRequest()
    for record in records:
        resource = request.resources.add(
            type=record.type,
            properties=_struct(record.raw_outputs),
            urn=record.urn,
            name=record.name,
            options=_options(record, "" if record is root else root.urn),
            parent="" if record is root else (record.parent or root.urn),
            dependencies=record.dependencies,
        )
        for prop, urns in record.property_dependencies.items():
            resource.propertyDependencies[prop].urns.extend(urns)
        provider = _provider(record, by_urn)
        if provider is not None:
            resource.provider.CopyFrom(provider)
    return request
