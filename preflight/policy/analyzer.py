"""Runs the policy pack the way the Pulumi CLI does, and speaks the analyzer gRPC protocol to it.

The pack is started as its own process (`python -u -m pulumi.policy <engine> <pack dir>`, with
PULUMI_PROJECT / PULUMI_STACK / PULUMI_DRY_RUN / PULUMI_CONFIG in its environment), prints the
port of its gRPC server, and is then asked, in the CLI's order: GetPluginInfo, GetAnalyzerInfo,
ConfigureStack, Configure (every policy's enforcement level and properties), Analyze once per
resource with the inputs the program registered, and AnalyzeStack once with every resource, its
parent and dependencies. preflight implements no rule itself.

`PolicyPackSession` keeps one pack process for several analyses (tests, diff); `run_policy_pack`
starts one, analyzes one run and stops it.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import grpc
import yaml
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from preflight.policy.config import (
    PolicyInfo,
    PolicySetting,
    default_config_file,
    load_config_file,
    resolve_config,
)
from preflight.project import StackConfig, UsageError
from preflight.records import ROOT_STACK_TYPE, ProgramRun, ResourceRecord

PACK_DIR = Path(__file__).resolve().parents[2] / "policies"
"""The project's own pack (the same directory `pulumi preview --policy-pack policies` loads)."""
START_TIMEOUT_S = 120.0
"""How long the pack may take to print its port (imports on a loaded 2-core machine are slow)."""
CALL_TIMEOUT_S = 300.0
ENGINE_ADDRESS = "127.0.0.1:0"
"""The CLI passes its engine's address; Python packs do not call back, so none is served."""
SUPPRESSIONS_ENV = "AI_INFRA_POLICY_SUPPRESSIONS"
"""Environment variable the pack reads for a suppression file override (policies/pack.py)."""
RESOURCE_COMPANION = "suppressed-findings"
STACK_COMPANION = "suppressed-stack-findings"
COMPANIONS = (RESOURCE_COMPANION, STACK_COMPANION)
_MAX_MESSAGE = 400 * 1024 * 1024

_LEVEL_TO_PROTO = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}
_PROTO_TO_LEVEL = {v: k for k, v in _LEVEL_TO_PROTO.items()}
_SEVERITIES = {
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}


class PolicyPackError(UsageError):
    """The pack could not be started or refused a call (e.g. an invalid suppression file)."""


@dataclass(frozen=True)
class PolicyFinding:
    rule: str
    severity: str | None
    enforcement: str
    """`mandatory` or `advisory` (a suppressed finding is advisory)."""
    urn: str
    message: str
    remediation: str
    tags: tuple[str, ...]
    suppressed: bool = False
    suppression: Mapping[str, str] | None = None
    """{"reason", "owner", "expires"} of the suppression that covers it."""

    @property
    def blocking(self) -> bool:
        return self.enforcement == "mandatory" and not self.suppressed

    def sort_key(self) -> tuple[int, str, str, str]:
        order = 2 if self.suppressed else (0 if self.enforcement == "mandatory" else 1)
        return (order, self.rule, self.urn, self.message)

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "enforcement": self.enforcement,
            "urn": self.urn,
            "message": self.message,
            "remediation": self.remediation,
            "tags": list(self.tags),
            "suppressed": self.suppressed,
            "suppression": dict(self.suppression) if self.suppression is not None else None,
        }


@dataclass
class PolicyResult:
    pack: str
    version: str
    config_file: str | None
    findings: list[PolicyFinding]
    settings: dict[str, PolicySetting] = field(default_factory=dict)
    """The enforcement level and properties every policy was configured with."""

    def summary(self) -> dict[str, int]:
        return {
            "mandatory": sum(1 for f in self.findings if f.blocking),
            "advisory": sum(1 for f in self.findings if f.enforcement == "advisory" and not f.suppressed),
            "suppressed": sum(1 for f in self.findings if f.suppressed),
        }

    @property
    def blocking(self) -> list[PolicyFinding]:
        return [f for f in self.findings if f.blocking]

    def to_json(self) -> dict[str, Any]:
        return {
            "pack": self.pack,
            "version": self.version,
            "config_file": self.config_file,
            "findings": [f.to_json() for f in self.findings],
            "summary": self.summary(),
        }


# -- requests -------------------------------------------------------------------------------------
def stack_urn(run: ProgramRun) -> str:
    return f"urn:pulumi:{run.stack}::{run.project}::{ROOT_STACK_TYPE}::{run.project}-{run.stack}"


def _struct(record: ResourceRecord) -> struct_pb2.Struct:
    if record.raw_inputs is not None:
        return record.raw_inputs
    struct = struct_pb2.Struct()
    struct.update(record.inputs)
    return struct


def _options(record: ResourceRecord, root: str) -> analyzer_pb2.AnalyzerResourceOptions:
    return analyzer_pb2.AnalyzerResourceOptions(protect=record.protect, parent=record.parent or root)


def _provider(
    record: ResourceRecord, by_urn: Mapping[str, ResourceRecord]
) -> analyzer_pb2.AnalyzerProviderResource | None:
    provider = by_urn.get(record.provider or "")
    if provider is None:
        return None
    return analyzer_pb2.AnalyzerProviderResource(
        type=provider.type, properties=_struct(provider), urn=provider.urn, name=provider.name
    )


def _root_record(run: ProgramRun) -> ResourceRecord:
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


def _policy_info(info: analyzer_pb2.PolicyInfo) -> PolicyInfo:
    schema = json_format.MessageToDict(info.configSchema.properties) if info.HasField("configSchema") else {}
    return PolicyInfo(
        name=info.name,
        description=info.description,
        enforcement=_PROTO_TO_LEVEL.get(info.enforcementLevel, "advisory"),
        severity=_SEVERITIES.get(info.severity),
        tags=tuple(info.tags),
        remediation=info.remediation_steps,
        schema=schema,
        required=tuple(info.configSchema.required) if info.HasField("configSchema") else (),
        kind="stack" if info.policy_type == analyzer_pb2.POLICY_TYPE_STACK else "resource",
    )


_SUPPRESSED_MARK = re.compile(
    r"^\[suppressed (?P<rule>\S+) until (?P<expires>\d{4}-\d{2}-\d{2}) by (?P<owner>\S+?): (?P<reason>.*)\]$"
)
"""The first line of a suppressed finding's message; the same format as the pack's
`policies.suppression_file.SUPPRESSED_MARK` (preflight drives the pack from outside and does not
import it; tests/preflight/test_policy_e2e.py checks the two agree end to end)."""


def _suppression_mark(line: str) -> dict[str, str] | None:
    match = _SUPPRESSED_MARK.match(line)
    return match.groupdict() if match else None


def _manifest_version(pack_dir: Path) -> str | None:
    try:
        manifest = yaml.safe_load((pack_dir / "PulumiPolicy.yaml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return None
    version = manifest.get("version") if isinstance(manifest, dict) else None
    return str(version) if version is not None else None


# -- the session ----------------------------------------------------------------------------------
class PolicyPackSession:
    """One running pack process, configured for one stack."""

    def __init__(
        self,
        *,
        project: str,
        stack: str,
        stack_config: StackConfig | None = None,
        pack_dir: Path = PACK_DIR,
        suppressions_file: Path | None = None,
        start_timeout: float = START_TIMEOUT_S,
    ):
        self.project = project
        self.stack = stack
        self.stack_config = stack_config or StackConfig(values={}, secret_keys=[])
        self.pack_dir = pack_dir.resolve()
        self.suppressions_file = suppressions_file
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.channel: grpc.Channel | None = None
        self.stub: analyzer_pb2_grpc.AnalyzerStub | None = None
        self.policies: list[PolicyInfo] = []
        self.pack_name = ""
        self.pack_version = ""
        self._stderr: list[str] = []

    # -- lifecycle --------------------------------------------------------------------------------
    def __enter__(self) -> PolicyPackSession:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop(SUPPRESSIONS_ENV, None)
        env.update(
            {
                "PULUMI_PROJECT": self.project,
                "PULUMI_STACK": self.stack,
                "PULUMI_ORGANIZATION": "organization",
                "PULUMI_DRY_RUN": "true",
                "PULUMI_CONFIG": json.dumps(self.stack_config.values),
                "PULUMI_CONFIG_SECRET_KEYS": json.dumps(self.stack_config.secret_keys),
                "PYTHONUNBUFFERED": "1",
            }
        )
        if self.suppressions_file is not None:
            env[SUPPRESSIONS_ENV] = str(self.suppressions_file.resolve())
        return env

    def start(self) -> None:
        if not (self.pack_dir / "PulumiPolicy.yaml").is_file():
            raise PolicyPackError(f"{self.pack_dir} is not a policy pack (no PulumiPolicy.yaml)")
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.policy", ENGINE_ADDRESS, str(self.pack_dir)],
            cwd=self.pack_dir,
            env=self._environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        port = self._read_port()
        self.channel = grpc.insecure_channel(
            f"127.0.0.1:{port}",
            options=[("grpc.max_receive_message_length", _MAX_MESSAGE), ("grpc.max_send_message_length", _MAX_MESSAGE)],
        )
        try:
            grpc.channel_ready_future(self.channel).result(timeout=self.start_timeout)
        except grpc.FutureTimeoutError:
            raise PolicyPackError(f"policy pack {self.pack_dir} did not accept connections on port {port}") from None
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)
        self._call("GetPluginInfo", empty_pb2.Empty())
        info = self._call("GetAnalyzerInfo", empty_pb2.Empty())
        # Like the CLI, the version in PulumiPolicy.yaml wins over the SDK's placeholder.
        self.pack_name, self.pack_version = info.name, _manifest_version(self.pack_dir) or info.version
        self.policies = [_policy_info(p) for p in info.policies]
        self._call(
            "ConfigureStack",
            analyzer_pb2.AnalyzerStackConfigureRequest(
                stack=self.stack,
                project=self.project,
                organization="organization",
                dry_run=True,
                config=self.stack_config.values,
                config_secret_keys=self.stack_config.secret_keys,
            ),
        )

    def _read_port(self) -> int:
        assert self.process is not None and self.process.stdout is not None and self.process.stderr is not None
        lines: queue.Queue[bytes] = queue.Queue()
        stdout, stderr = self.process.stdout, self.process.stderr

        def pump_stdout() -> None:
            for line in iter(stdout.readline, b""):
                lines.put(line)

        def pump_stderr() -> None:
            # Drained all along: a pack that logs a lot must never block on a full pipe.
            for line in iter(stderr.readline, b""):
                self._stderr.append(line.decode(errors="replace"))

        threading.Thread(target=pump_stdout, daemon=True).start()
        threading.Thread(target=pump_stderr, daemon=True).start()
        try:
            first = lines.get(timeout=self.start_timeout)
        except queue.Empty:
            raise PolicyPackError(
                f"policy pack {self.pack_dir} printed no port within {self.start_timeout:.0f} s{self._stderr_tail()}"
            ) from None
        text = first.decode(errors="replace").strip()
        if not text.isdigit():
            self._wait_briefly()
            raise PolicyPackError(f"policy pack {self.pack_dir} failed to start: {text!r}{self._stderr_tail()}")
        return int(text)

    def _wait_briefly(self) -> None:
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)

    def _stderr_tail(self) -> str:
        tail = "".join(self._stderr[-20:]).strip()
        return f"\n{tail}" if tail else ""

    def close(self) -> None:
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=10)
            for stream in (self.process.stdout, self.process.stderr):
                if stream is not None:
                    stream.close()
            self.process = None

    def _call(self, method: str, request: Any) -> Any:
        if self.stub is None:
            raise PolicyPackError("the policy pack is not running")
        try:
            return getattr(self.stub, method)(request, timeout=CALL_TIMEOUT_S)
        except grpc.RpcError as exc:
            details = exc.details() if hasattr(exc, "details") else str(exc)  # type: ignore[attr-defined]
            details = (details or "").removeprefix("Exception calling application: ")
            raise PolicyPackError(
                f"policy pack {self.pack_name or self.pack_dir}: {method} failed: {details}"
            ) from None

    # -- analysis ---------------------------------------------------------------------------------
    def configure(
        self,
        raw_config: Mapping[str, Any] | None,
        *,
        source: str,
        extra_properties: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> dict[str, PolicySetting]:
        settings = resolve_config(
            self.policies, raw_config, source=source, extra_properties=extra_properties, must_stay_advisory=COMPANIONS
        )
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, setting in settings.items():
            config = request.policyConfig[name]
            config.enforcementLevel = _LEVEL_TO_PROTO[setting.enforcement]
            if setting.properties:
                config.properties.update(setting.properties)
        self._call("Configure", request)
        return settings

    def analyze(
        self,
        run: ProgramRun,
        *,
        config_file: Path | None,
        extra_properties: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> PolicyResult:
        """Configure the pack from `config_file` (None: the pack's defaults) and judge `run`."""
        raw = load_config_file(config_file) if config_file is not None else None
        settings = self.configure(raw, source=str(config_file or "policy defaults"), extra_properties=extra_properties)
        root = _root_record(run)
        records = [root, *run.sorted_resources()]
        by_urn = {r.urn: r for r in records}
        diagnostics: list[tuple[Any, str]] = []
        for record in records:
            request = analyzer_pb2.AnalyzeRequest(
                type=record.type,
                properties=_struct(record),
                urn=record.urn,
                name=record.name,
                options=_options(record, "" if record is root else root.urn),
            )
            provider = _provider(record, by_urn)
            if provider is not None:
                request.provider.CopyFrom(provider)
            response = self._call("Analyze", request)
            diagnostics.extend((d, record.urn) for d in response.diagnostics)
        stack_request = analyzer_pb2.AnalyzeStackRequest()
        for record in records:
            resource = stack_request.resources.add(
                type=record.type,
                properties=_struct(record),
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
        response = self._call("AnalyzeStack", stack_request)
        diagnostics.extend((d, root.urn) for d in response.diagnostics)
        findings = sorted(self._findings(diagnostics), key=PolicyFinding.sort_key)
        return PolicyResult(
            pack=self.pack_name,
            version=self.pack_version,
            config_file=str(config_file) if config_file is not None else None,
            findings=findings,
            settings=settings,
        )

    def _findings(self, diagnostics: Iterable[tuple[Any, str]]) -> Iterable[PolicyFinding]:
        info = {p.name: p for p in self.policies}
        for diagnostic, fallback_urn in diagnostics:
            policy = info.get(diagnostic.policyName)
            message = diagnostic.message
            if policy is not None and message.startswith(policy.description + "\n"):
                message = message[len(policy.description) + 1 :]
            urn = diagnostic.urn or fallback_urn
            enforcement = (
                "mandatory"
                if diagnostic.enforcementLevel in (analyzer_pb2.MANDATORY, analyzer_pb2.REMEDIATE)
                else "advisory"
            )
            if diagnostic.policyName in COMPANIONS:
                first, _, rest = message.partition("\n")
                mark = _suppression_mark(first)
                if mark is not None:
                    rule = info.get(mark["rule"])
                    yield PolicyFinding(
                        rule=mark["rule"],
                        severity=rule.severity if rule else None,
                        enforcement="advisory",
                        urn=urn,
                        message=rest,
                        remediation=rule.remediation if rule else "",
                        tags=rule.tags if rule else (),
                        suppressed=True,
                        suppression={"reason": mark["reason"], "owner": mark["owner"], "expires": mark["expires"]},
                    )
                    continue
            yield PolicyFinding(
                rule=diagnostic.policyName,
                severity=policy.severity if policy else _SEVERITIES.get(diagnostic.severity),
                enforcement=enforcement,
                urn=urn,
                message=message,
                remediation=policy.remediation if policy else "",
                tags=policy.tags if policy else (),
            )


def run_policy_pack(
    run: ProgramRun,
    *,
    config_file: Path | None = None,
    stack_config: StackConfig | None = None,
    extra_properties: Mapping[str, Mapping[str, Any]] | None = None,
    suppressions_file: Path | None = None,
    pack_dir: Path = PACK_DIR,
) -> PolicyResult:
    """Judge `run` with the pack: start it, analyze, stop it. `config_file` defaults to the pack's
    config for the run's stack (prod's for a stack it does not know). `extra_properties`: policy
    name -> properties to add (e.g. C6's base figures from `preflight diff`)."""
    chosen = config_file if config_file is not None else default_config_file(pack_dir, run.stack)
    with PolicyPackSession(
        project=run.project,
        stack=run.stack,
        stack_config=stack_config,
        pack_dir=pack_dir,
        suppressions_file=suppressions_file,
    ) as session:
        return session.analyze(run, config_file=chosen, extra_properties=extra_properties)
