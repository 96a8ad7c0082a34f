"""The resource monitor a program talks to under preflight: it answers like the engine does in
one phase and records every registration.

Preview (the first `pulumi preview` of an empty stack; pulumi/pkg/resource/deploy/step.go,
`CreateStep.Apply` calls the provider's Create with `Preview: true`): a custom resource's id is
unknown (the SDK reads an empty id as unknown) and its state is its checked inputs, so every
output the provider computes resolves as unknown in the program (`pulumi.runtime.rpc.
resolve_outputs`). Update (after `pulumi up`): ids and outputs are the provider-shaped fakes of
`preflight.fakes`. In both phases reads (`X.get`, stack references) and provider functions are
answered, as the engine serves them during a preview too.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime import mocks
from pulumi.runtime.proto import resource_pb2

from preflight.fakes import Fakes
from preflight.fakes.ids import string_maker
from preflight.fakes.shapes import fill_result, output_types, value_for
from preflight.program_sites import CURRENT_INVOKE, REMOTE_OUTPUTS, _Finder, site_of_frames
from preflight.records import (
    ROOT_STACK_TYPE,
    STACK_REFERENCE_TYPE,
    Phase,
    ProgramWarning,
    ResourceRecord,
)
from preflight.wire import SECRET_SIG, SIG_KEY, UNKNOWN, plain

GET_RESOURCE = "pulumi:pulumi:getResource"


def to_struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(dict(values))
    return struct


class _NoMocks(mocks.Mocks):
    """The base monitor wants a `Mocks`; every call it would make is answered here instead."""

    def call(self, args: mocks.MockCallArgs) -> Any:
        raise NotImplementedError(args.token)

    def new_resource(self, args: mocks.MockResourceArgs) -> Any:
        raise NotImplementedError(args.typ)


class RecordingMonitor(mocks.MockMonitor):
    """Answers the SDK like the engine in `phase` and records registrations with real URNs."""

    def __init__(
        self,
        project: str,
        stack: str,
        *,
        phase: Phase,
        fakes: Fakes,
        finder: _Finder | None = None,
        stack_outputs: Mapping[str, Mapping[str, Any]] | None = None,
    ):
        super().__init__(_NoMocks())
        self.project = project
        self.stack = stack
        self.phase = phase
        self.fakes = fakes
        self.finder = finder
        self.stack_outputs = dict(stack_outputs or {})
        self.stack_urn: str | None = None
        self.records: list[ResourceRecord] = []
        self.outputs: dict[str, Any] = {}
        self.secret_outputs: list[str] = []
        self.warnings: list[ProgramWarning] = []
        self._by_urn: dict[str, ResourceRecord] = {}
        self._lock = threading.Lock()

    # -- helpers ----------------------------------------------------------------------------------
    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The engine qualifies a type with its parent's full type chain, except for children
        # of the root stack.
        if parent and parent != self.stack_urn and type_ != ROOT_STACK_TYPE:
            type_ = parent.split("::")[2] + "$" + type_
        return f"urn:pulumi:{self.stack}::{self.project}::{type_}::{name}"

    def _provider_record(self, reference: str) -> ResourceRecord | None:
        return self._by_urn.get(reference.rsplit("::", 1)[0]) if reference else None

    def _where(self, type_: str, provider_reference: str) -> Any:
        provider = self._provider_record(provider_reference)
        return self.fakes.where(type_, provider.inputs if provider is not None else None)

    def _warn(self, kind: str, message: str, site: str | None = None) -> None:
        with self._lock:
            if not any(w.kind == kind and w.message == message and w.site == site for w in self.warnings):
                self.warnings.append(ProgramWarning(kind=kind, message=message, site=site))

    def _source(self, request: Any) -> str | None:
        if self.finder is None or not request.HasField("stackTrace"):
            return None
        site = site_of_frames(request.stackTrace.frames, self.finder)
        return str(site) if site else None

    def _record(self, record: ResourceRecord) -> None:
        with self._lock:
            self.records.append(record)
            self._by_urn[record.urn] = record
            # `pulumi:pulumi:getResource` (resource references) reads the base monitor's table.
            self.resources[record.urn] = mocks.MockMonitor.ResourceRegistration(
                record.urn, record.id or "", json_format.MessageToDict(record.raw_outputs)
            )

    # -- registrations ----------------------------------------------------------------------------
    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == ROOT_STACK_TYPE:
            self.stack_urn = urn
            return resource_pb2.RegisterResourceResponse(urn=urn)
        registered = json_format.MessageToDict(request.object)
        checked = self.fakes.checked_inputs(request.type, request.name, registered)
        raw_checked = to_struct(checked)
        where = self._where(request.type, request.provider)
        id_: str | None = None
        state: dict[str, Any] = {}
        if request.remote:
            state = self._remote_component_state(request.type, request.name)
        elif request.custom:
            if self.phase == "update":
                id_, state = self.fakes.created(request.type, request.name, checked, where)
            else:
                # A create at preview: the provider echoes its checked inputs; everything it
                # computes (and the id) is unknown.
                state = self.fakes.previewed(request.type, checked)
        raw_state = to_struct(state)
        answer = raw_state
        if request.custom and not request.remote:
            # The program reads a fuller state than policies judge: no None where the provider
            # computes a value (unknown at preview, shaped like the provider's after the update).
            seen = (
                self.fakes.as_program_sees(request.type, request.name, state, where)
                if self.phase == "update"
                else self.fakes.as_program_previews(request.type, state)
            )
            answer = to_struct(seen)
        provider = request.provider.rsplit("::", 1)[0] if request.provider else None
        self._record(
            ResourceRecord(
                type=request.type,
                name=request.name,
                urn=urn,
                parent=None if request.parent in ("", self.stack_urn) else request.parent,
                custom=bool(request.custom),
                protect=bool(request.protect),
                retain_on_delete=bool(request.retainOnDelete),
                provider=provider,
                dependencies=list(request.dependencies),
                property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
                aliases=[json_format.MessageToDict(a) for a in request.aliases],
                inputs=plain(checked),
                raw_inputs=raw_checked,
                id=id_,
                outputs=plain(state),
                raw_outputs=raw_state,
                remote=bool(request.remote),
                source=self._source(request),
            )
        )
        return resource_pb2.RegisterResourceResponse(urn=urn, id=id_ or "", object=answer)

    def _remote_component_state(self, type_: str, name: str) -> dict[str, Any]:
        self._warn(
            "remote-component",
            f"{type_} '{name}' is a multi-language component: its provider creates its children, which "
            "preflight cannot see or judge; its outputs are unknown",
        )
        # Unknown in both phases: the SDK keeps unknown sentinels it is handed (keep_unknowns).
        # The outputs are those its SDK class declares, or the props the program left None.
        return {prop: UNKNOWN for prop in (*output_types(type_), *REMOTE_OUTPUTS.get())}

    def ReadResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        urn = self.make_urn(request.parent, request.type, request.name)
        given = json_format.MessageToDict(request.properties)
        unknown = False
        if request.type == STACK_REFERENCE_TYPE:
            state, unknown = self._stack_reference(str(given.get("name") or request.id), self._source(request))
            id_ = request.id
        elif request.id in ("", UNKNOWN):
            state, unknown, id_ = dict(given), True, ""
        else:
            where = self._where(request.type, request.provider)
            _, found = self.fakes.created(request.type, request.name, {**given}, where)
            state = self.fakes.as_program_sees(request.type, request.name, found, where)
            id_ = request.id
        self._record(
            ResourceRecord(
                type=request.type,
                name=request.name,
                urn=urn,
                parent=None if request.parent in ("", self.stack_urn) else request.parent,
                custom=True,
                protect=False,
                retain_on_delete=False,
                provider=request.provider.rsplit("::", 1)[0] if request.provider else None,
                dependencies=list(request.dependencies),
                property_dependencies={},
                aliases=[],
                inputs=plain(given),
                raw_inputs=to_struct(given),
                id=id_ or None,
                outputs=plain(state),
                raw_outputs=to_struct(state),
                op="read",
                source=self._source(request),
            )
        )
        return resource_pb2.ReadResourceResponse(urn=urn, properties=to_struct(state), unknown=unknown, id=id_)

    def _stack_reference(self, stack: str, site: str | None) -> tuple[dict[str, Any], bool]:
        outputs = self.stack_outputs.get(stack)
        if outputs is None:
            self._warn(
                "stack-reference-unknown",
                f"stack reference {stack!r}: no outputs given (--stack-outputs {stack}=FILE); its outputs are unknown",
                site,
            )
            # No `outputs` and `unknown`: the SDK resolves the missing outputs as unknown.
            return {"name": stack}, True
        secret_names = sorted(k for k, v in outputs.items() if v == "[secret]")
        values = {k: ({SIG_KEY: SECRET_SIG, "value": UNKNOWN} if k in secret_names else v) for k, v in outputs.items()}
        return {"name": stack, "outputs": values, "secretOutputNames": secret_names}, False

    def RegisterResourceOutputs(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        if request.urn == self.stack_urn:
            raw = json_format.MessageToDict(request.outputs)
            self.outputs = {k: plain(v) for k, v in raw.items()}
            self.secret_outputs = sorted(
                k for k, v in raw.items() if isinstance(v, dict) and v.get(SIG_KEY) == SECRET_SIG
            )
        return empty_pb2.Empty()

    # -- provider functions -----------------------------------------------------------------------
    def Invoke(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        if request.tok == GET_RESOURCE:
            return super().Invoke(request)
        call = CURRENT_INVOKE.get()
        args = json_format.MessageToDict(request.args)
        where = self._where(request.tok, request.provider)
        result = self.fakes.invoke(request.tok, args, where)
        result_type = call.result_type if call is not None and call.token == request.tok else None
        make_string = string_maker(request.tok, request.tok.rsplit(":", 1)[-1], args, where)
        if result is None:
            site = str(call.site) if call is not None and call.site is not None else None
            if call is not None and call.output_form:
                self._warn(
                    "invoke-unanswered",
                    f"{request.tok}: preflight has no answer for this provider function; its result is unknown",
                    site,
                )
                return resource_pb2.ResourceInvokeResponse(unknown=True)
            # The plain form (`get_x(...)`) must return plain values (the SDK's result classes
            # refuse unknown ones): placeholders of the right shape, and a warning that says so.
            self._warn(
                "invoke-unanswered",
                f"{request.tok}: preflight has no answer for this provider function; its plain-form result is "
                "placeholder values of the right shape, not what the cloud would answer",
                site,
            )
            result = fill_result(result_type, {}, lambda prop: f"preflight-placeholder-{prop}")
        else:
            result = fill_result(result_type, result, make_string)
        response = resource_pb2.ResourceInvokeResponse()
        getattr(response, "return").CopyFrom(to_struct(result))
        return response


__all__ = ["RecordingMonitor", "to_struct", "value_for"]
