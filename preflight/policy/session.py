"""One policy pack process, started and spoken to the way the Pulumi CLI does it.

The pack is started as its own process (`python -u -m pulumi.policy <engine> <pack dir>`, with
PULUMI_PROJECT / PULUMI_STACK / PULUMI_DRY_RUN / PULUMI_CONFIG in its environment), prints the
port of its gRPC server, and is then asked, in the CLI's order: GetPluginInfo, GetAnalyzerInfo,
ConfigureStack, Configure (every policy's enforcement level and properties), Analyze once per
resource and AnalyzeStack once (`preflight.policy.requests`). The CLI starts one pack process per
operation: one for `pulumi preview` (dry run) and one for `pulumi up`.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import grpc
import yaml
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from preflight.policy.config import PolicyInfo, PolicySetting, load_config_file, resolve_config
from preflight.policy.findings import PolicyFinding, PolicyResult, findings_from
from preflight.policy.requests import analyze_requests, analyze_stack_request
from preflight.project import StackConfig, UsageError
from preflight.records import ProgramRun

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


def policy_info(info: analyzer_pb2.PolicyInfo) -> PolicyInfo:
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
        dry_run: bool = True,
    ):
        self.dry_run = dry_run
        """Whether the engine runs a preview (PULUMI_DRY_RUN, ConfigureStack.dry_run)."""
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
                "PULUMI_DRY_RUN": "true" if self.dry_run else "false",
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
        self.policies = [policy_info(p) for p in info.policies]
        self._call(
            "ConfigureStack",
            analyzer_pb2.AnalyzerStackConfigureRequest(
                stack=self.stack,
                project=self.project,
                organization="organization",
                dry_run=self.dry_run,
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
        """Configure the pack from `config_file` (None: the pack's defaults) and judge `run` in its
        phase (a preview run wants a dry-run session)."""
        raw = load_config_file(config_file) if config_file is not None else None
        settings = self.configure(raw, source=str(config_file or "policy defaults"), extra_properties=extra_properties)
        diagnostics: list[tuple[Any, str]] = []
        for request, urn in analyze_requests(run):
            response = self._call("Analyze", request)
            diagnostics.extend((d, urn) for d in response.diagnostics)
        stack_request = analyze_stack_request(run)
        response = self._call("AnalyzeStack", stack_request)
        root_urn = stack_request.resources[0].urn
        diagnostics.extend((d, root_urn) for d in response.diagnostics)
        findings = findings_from(diagnostics, self.policies, phase=run.phase, companions=COMPANIONS)
        return PolicyResult(
            pack=self.pack_name,
            version=self.pack_version,
            config_file=str(config_file) if config_file is not None else None,
            findings=sorted(findings, key=PolicyFinding.sort_key),
            phases=(run.phase,),
            settings=settings,
            stack_policies=frozenset(p.name for p in self.policies if p.kind == "stack"),
        )
