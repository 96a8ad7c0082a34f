"""The corpus of small Pulumi programs (tests/fixtures/corpus/<name>/, issue #12), written in the
style of public examples, run under preflight in both phases: as the first `pulumi preview` of an
empty stack would run them (provider-computed outputs unknown) and as `pulumi up` would (outputs
known, shaped like each provider's).

Each program's `expected.yaml` says what it must do: exit (`ok`, or `error` with the exception type
and the program line the message must name), the resources it registers (type, name, and `op: read`
for reads), the warnings preflight must give (kind, what it is about, the program line), and
checks of input and stack-output values per phase (`unknown`, `secret`, `equals`, `matches` a
regular expression, `same_as` another value). A program with `stack_outputs` also runs without
them (`without_stack_outputs` replaces its warnings and checks).

Programs run in this process, once per program and phase (a module-scoped cache); the policy pack
judges three of them in one module-scoped fixture, because each pack process costs seconds.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from google.protobuf import json_format

from preflight.engine import run_program
from preflight.policy.analyzer import PACK_DIR, PolicyResult, run_policy_pack, stack_urn
from preflight.policy.requests import analyze_requests
from preflight.program_errors import describe_program_error
from preflight.project import load_project, load_stack_config
from preflight.records import PHASES, Phase, ProgramRun
from preflight.wire import SECRET_TEXT, UNKNOWN, UNKNOWN_TEXT, null_paths

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"
STACK = "dev"
PROD_POLICY_CONFIG = PACK_DIR / "config" / "prod.json"
PROGRAMS = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.yaml").is_file())


@functools.cache
def manifest(program: str) -> Mapping[str, Any]:
    loaded = yaml.safe_load((CORPUS / program / "expected.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), f"{program}/expected.yaml must hold a mapping"
    return loaded


@dataclass(frozen=True)
class Case:
    """One way to run a corpus program: with the stack outputs its manifest names, or without."""

    program: str
    with_stack_outputs: bool = True

    @property
    def id(self) -> str:
        return self.program if self.with_stack_outputs else f"{self.program}-without-stack-outputs"

    @property
    def directory(self) -> Path:
        return CORPUS / self.program

    @property
    def expected(self) -> Mapping[str, Any]:
        found = manifest(self.program)
        if self.with_stack_outputs:
            return found
        return {**found, "warnings": [], "checks": {}, **found.get("without_stack_outputs", {})}

    @property
    def fails(self) -> bool:
        return self.expected.get("exit", "ok") == "error"

    def stack_outputs(self) -> dict[str, Any] | None:
        files = manifest(self.program).get("stack_outputs")
        if not files or not self.with_stack_outputs:
            return None
        return {stack: json.loads((self.directory / file).read_text(encoding="utf-8")) for stack, file in files.items()}


CASES = [Case(p) for p in PROGRAMS] + [Case(p, False) for p in PROGRAMS if manifest(p).get("stack_outputs")]

# Where preflight does not yet behave as the engine would, outside the fakes (preflight/engine.py,
# preflight/monitor.py): (case id, phase) -> (reason, the tests affected; empty: all of them).
KNOWN_ENGINE_GAPS: dict[tuple[str, Phase], tuple[str, frozenset[str]]] = {}
"""(case, phase) -> (why, tests): engine gaps a test is expected to fail on (strict xfail); empty
now that the plain-form invoke and the stack-reference warning site are fixed."""


def params(test: str, *, failing: bool = False) -> list[Any]:
    """(case, phase) parameters for `test`: the cases whose run succeeds (or, with `failing`, the
    ones whose run must fail), each known engine gap marked as a strict expected failure."""
    found = []
    for case in CASES:
        if case.fails != failing:
            continue
        for phase in PHASES:
            marks = []
            gap = KNOWN_ENGINE_GAPS.get((case.id, phase))
            if gap is not None and (not gap[1] or test in gap[1]):
                marks.append(pytest.mark.xfail(reason=gap[0], strict=True))
            found.append(pytest.param(case, phase, id=f"{case.id}-{phase}", marks=marks))
    return found


# -- running the programs (once per case and phase) -------------------------------------------------
@dataclass
class Outcome:
    run: ProgramRun | None
    error: BaseException | None


Runner = Callable[[Case, Phase], Outcome]


@pytest.fixture(scope="module")
def outcome() -> Runner:
    cache: dict[tuple[Case, Phase], Outcome] = {}

    def get(case: Case, phase: Phase) -> Outcome:
        if (case, phase) not in cache:
            project = load_project(case.directory)
            config = load_stack_config(project, STACK)
            try:
                run, _log = run_program(project, STACK, config, phase=phase, stack_outputs=case.stack_outputs())
                cache[case, phase] = Outcome(run=run, error=None)
            except Exception as exc:  # noqa: BLE001 - the outcome of a failing program is what is tested
                cache[case, phase] = Outcome(run=None, error=exc)
        return cache[case, phase]

    return get


def completed(outcome: Runner, case: Case, phase: Phase) -> ProgramRun:
    result = outcome(case, phase)
    if result.error is not None:
        message, _code = describe_program_error(result.error, case.directory, phase=phase)
        pytest.fail(f"{case.id} failed {phase}: {message}")
    assert result.run is not None
    return result.run


# -- what every program must do ---------------------------------------------------------------------
@pytest.mark.parametrize(("case", "phase"), params("runs"))
def test_program_runs(outcome: Runner, case: Case, phase: Phase) -> None:
    completed(outcome, case, phase)


@pytest.mark.parametrize(("case", "phase"), params("runs", failing=True))
def test_program_error_names_the_program_line(outcome: Runner, case: Case, phase: Phase) -> None:
    expected = case.expected["error"]
    error = outcome(case, phase).error
    assert error is not None, f"{case.id} must fail {phase}"
    assert type(error).__name__ == expected["type"]
    message, code = describe_program_error(error, case.directory, phase=phase)
    assert code == 1
    assert expected["location"] in message, message


@pytest.mark.parametrize(("case", "phase"), params("resources"))
def test_registers_exactly_the_expected_resources(outcome: Runner, case: Case, phase: Phase) -> None:
    run = completed(outcome, case, phase)
    registered = Counter((r.type, r.name, r.op) for r in run.resources)
    expected = Counter((r["type"], r["name"], r.get("op", "create")) for r in case.expected["resources"])
    assert registered == expected


@pytest.mark.parametrize(("case", "phase"), params("nulls"))
def test_no_input_or_state_is_null(outcome: Runner, case: Case, phase: Phase) -> None:
    run = completed(outcome, case, phase)
    nulls = {
        f"{r.name}.{part}.{path}": None
        for r in run.resources
        for part, value in (("inputs", r.inputs), ("outputs", r.outputs))
        for path in null_paths(value)
    }
    assert not nulls, sorted(nulls)


@pytest.mark.parametrize(("case", "phase"), params("sources"))
def test_every_registration_names_its_program_line(outcome: Runner, case: Case, phase: Phase) -> None:
    run = completed(outcome, case, phase)
    lines = (case.directory / "__main__.py").read_text(encoding="utf-8").splitlines()
    for record in run.resources:
        if not record.custom:
            continue
        found = re.fullmatch(r"__main__\.py:(\d+)", record.source or "")
        assert found, f"{record.name}: source {record.source!r}"
        line = lines[int(found.group(1)) - 1].strip()
        assert line and not line.startswith("#"), f"{record.name}: {record.source} is {line!r}"


@pytest.mark.parametrize(("case", "phase"), params("warnings"))
def test_warnings_name_what_and_where(outcome: Runner, case: Case, phase: Phase) -> None:
    run = completed(outcome, case, phase)
    expected = case.expected.get("warnings") or []
    assert len(run.warnings) == len(expected), [w.to_json() for w in run.warnings]
    for wanted in expected:
        matching = [
            w
            for w in run.warnings
            if w.kind == wanted["kind"] and wanted["about"] in w.message and w.site == wanted["site"]
        ]
        assert matching, f"no {wanted} in {[w.to_json() for w in run.warnings]}"


# -- values: unknown at preview, provider-shaped after the update -----------------------------------
def _walk(value: Any, path: str, where: str) -> Any:
    for part in path.split("."):
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            raise AssertionError(f"{where}: no {part!r} in {value!r}")
    return value


def value_of(run: ProgramRun, spec: Mapping[str, Any]) -> Any:
    """The input of a resource (`resource`, `input`) or a stack output (`output`), by dotted path."""
    if "resource" in spec:
        return _walk(run.named(spec["resource"]).inputs, spec["input"], f"{spec['resource']} inputs")
    return _walk(run.outputs, spec["output"], "stack outputs")


def checks_of(case: Case, phase: Phase) -> Iterator[Mapping[str, Any]]:
    checks = case.expected.get("checks") or {}
    yield from checks.get("both") or []
    yield from checks.get(phase) or []


@pytest.mark.parametrize(("case", "phase"), params("values"))
def test_values_have_the_shape_of_the_phase(outcome: Runner, case: Case, phase: Phase) -> None:
    run = completed(outcome, case, phase)
    for check in checks_of(case, phase):
        value = value_of(run, check)
        if check.get("unknown"):
            assert value == UNKNOWN_TEXT, f"{check}: {value!r}"
            continue
        assert value != UNKNOWN_TEXT, f"{check}: unknown {phase}"
        if check.get("secret"):
            assert value == SECRET_TEXT, f"{check}: {value!r}"
        if "equals" in check:
            assert value == check["equals"], f"{check}: {value!r}"
        if "matches" in check:
            assert isinstance(value, str) and re.search(check["matches"], value), f"{check}: {value!r}"
        if "same_as" in check:
            assert value == value_of(run, check["same_as"]), f"{check}: {value!r}"


def test_the_corpus_covers_the_issue() -> None:
    """At least 25 programs, each a project with a dev stack, some of them with checks per phase."""
    assert len(PROGRAMS) >= 25
    clouds = Counter(program.split("_", 1)[0] for program in PROGRAMS)
    assert set(clouds) == {"aws", "gcp", "azure", "alicloud"}
    for program in PROGRAMS:
        project = load_project(CORPUS / program)
        assert project.main.name == "__main__.py"
        assert (CORPUS / program / f"Pulumi.{STACK}.yaml").is_file()
    with_checks = [p for p in PROGRAMS if manifest(p).get("checks")]
    assert len(with_checks) >= 25
    secure = [p for p in PROGRAMS if load_stack_config(load_project(CORPUS / p), STACK).secret_keys]
    assert secure, "at least one program reads a `secure:` config value"


# -- the policy pack over corpus programs, in both phases -------------------------------------------
POLICY_PROGRAMS = ("aws_iam_role_attachment", "aws_wildcard_role_policy", "aws_s3_website")


@dataclass
class Judged:
    runs: dict[Phase, ProgramRun]
    result: PolicyResult

    def findings(self, resource: str, rule: str, phase: Phase) -> list[tuple[str, str, bool]]:
        """(kind, enforcement, blocking) of the findings of `rule` on `resource` in `phase`."""
        urn = self.runs[phase].named(resource).urn
        return [
            (f.kind, f.enforcement, f.blocking) for f in self.result.of_phase(phase) if f.urn == urn and f.rule == rule
        ]


@pytest.fixture(scope="module")
def judged(outcome: Runner) -> dict[str, Judged]:
    """Each policy program judged under prod.json in both phases (one pack process per phase)."""
    found = {}
    for program in POLICY_PROGRAMS:
        case = Case(program)
        runs = {phase: completed(outcome, case, phase) for phase in PHASES}
        config = load_stack_config(load_project(case.directory), STACK)
        result = run_policy_pack(runs, config_file=PROD_POLICY_CONFIG, stack_config=config)
        found[program] = Judged(runs=runs, result=result)
    return found


def test_policy_findings_carry_their_phase_and_resource(judged: dict[str, Judged]) -> None:
    for program, item in judged.items():
        assert item.result.phases == PHASES, program
        for phase in PHASES:
            findings = item.result.of_phase(phase)
            assert findings, f"{program}: no findings {phase}"
            run = item.runs[phase]
            located = {r.urn for r in run.resources if r.source} | {stack_urn(run)}
            assert {f.urn for f in findings} <= located, f"{program} {phase}: findings on unknown resources"


def test_resource_objects_as_inputs_reach_the_pack_as_ids(judged: dict[str, Judged]) -> None:
    """`RolePolicyAttachment(role=role)` passes the role resource itself; the policy stage used to
    fail on the reference ("Unrecognized signature"). The pack sees what the engine sends: the
    role's id, unknown at preview and the role's name after the update."""
    item = judged["aws_iam_role_attachment"]
    for phase in PHASES:
        run = item.runs[phase]
        role = run.named("app-role")
        sent = {urn: json_format.MessageToDict(request.properties) for request, urn in analyze_requests(run)}
        for attachment in ("app-ssm", "app-cloudwatch"):
            expected = UNKNOWN if phase == "preview" else role.id
            assert sent[run.named(attachment).urn]["role"] == expected, (phase, attachment)
        assert sent[run.named("app-profile").urn]["role"] == (UNKNOWN if phase == "preview" else role.id)


def test_wildcard_role_policy_from_a_bucket_arn_is_deferred_then_refused(judged: dict[str, Judged]) -> None:
    item = judged["aws_wildcard_role_policy"]
    rule = "iam-no-admin-or-wildcard-actions"
    assert item.findings("uploader-bucket-access", rule, "preview") == [("deferred", "advisory", False)]
    assert item.findings("uploader-bucket-access", rule, "update") == [("violation", "mandatory", True)]
    refused = [f for f in item.result.of_phase("update") if f.rule == rule]
    assert "wildcard actions *" in refused[0].message


def test_bucket_policy_from_the_bucket_arn_is_judged_at_update(judged: dict[str, Judged]) -> None:
    """The website's bucket policy is built from the bucket's ARN: whether it denies plain HTTP is
    not known at preview (deferred), and after the update it is known not to (refused)."""
    item = judged["aws_s3_website"]
    assert item.findings("site", "storage-tls-only", "preview") == [("deferred", "advisory", False)]
    assert item.findings("site", "storage-tls-only", "update") == [("violation", "mandatory", True)]
