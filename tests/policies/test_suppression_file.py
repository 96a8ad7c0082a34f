"""The suppression file: strict validation (file, entry index, field in every message), matching
by URN or name glob, expiry."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from policies.suppression_file import (
    DEFAULT_LIMITS,
    SUPPRESSED_MARK,
    Suppression,
    SuppressionFileError,
    SuppressionLimits,
    load_limits,
    load_suppressions,
    parse_suppressions,
    suppressed_mark,
)

PATH = Path("policies/suppressions/dev.yaml")
RULES = {"endpoint-scales-to-zero", "bucket-access-logging"}
URN = (
    "urn:pulumi:dev::ai-infra::ai-infra:aws:ModelEndpoint$aws:sagemaker/endpointConfiguration:EndpointConfiguration"
    "::dev-chat-config"
)
GOOD = f"""
suppressions:
  - rule: endpoint-scales-to-zero
    urn: "{URN}"
    reason: Demo endpoint kept warm for the latency benchmark
    owner: ml-platform
    expires: 2027-01-31
  - rule: bucket-access-logging
    name: "dev-*-bucket"
    reason: Dev buckets hold synthetic data only
    owner: alice@example.com
    expires: "2026-12-31"
"""


def test_valid_entries_parse() -> None:
    first, second = parse_suppressions(PATH, GOOD, RULES)
    assert (first.rule, first.urn, first.owner, first.expires) == (
        "endpoint-scales-to-zero",
        URN,
        "ml-platform",
        datetime.date(2027, 1, 31),
    )
    assert second.name == "dev-*-bucket" and second.expires == datetime.date(2026, 12, 31)


def test_matching_by_urn_and_by_name_glob() -> None:
    by_urn, by_name = parse_suppressions(PATH, GOOD, RULES)
    assert by_urn.matches("endpoint-scales-to-zero", URN)
    assert not by_urn.matches("bucket-access-logging", URN)
    assert not by_urn.matches("endpoint-scales-to-zero", URN + "-other")
    assert by_name.matches("bucket-access-logging", "urn:pulumi:dev::ai-infra::aws:s3/bucket:Bucket::dev-models-bucket")
    assert not by_name.matches(
        "bucket-access-logging", "urn:pulumi:dev::ai-infra::aws:s3/bucket:Bucket::prod-models-bucket"
    )


def test_an_entry_applies_through_its_expiry_day() -> None:
    entry = parse_suppressions(PATH, GOOD, RULES)[0]
    assert not entry.expired(datetime.date(2027, 1, 31))
    assert entry.expired(datetime.date(2027, 2, 1))


@pytest.mark.parametrize(
    ("entry", "where", "problem"),
    [
        (
            {"urn": URN, "reason": "long enough reason", "owner": "o", "expires": "2027-01-01"},
            "suppressions[0].rule",
            "required",
        ),
        (
            {"rule": "no-such-rule", "urn": URN, "reason": "long enough reason", "owner": "o", "expires": "2027-01-01"},
            ".rule",
            "not a rule",
        ),
        (
            {"rule": "bucket-access-logging", "urn": URN, "reason": "too short", "owner": "o", "expires": "2027-01-01"},
            ".reason",
            "10 characters",
        ),
        (
            {"rule": "bucket-access-logging", "reason": "long enough reason", "owner": "o", "expires": "2027-01-01"},
            ".urn",
            "exactly one",
        ),
        (
            {
                "rule": "bucket-access-logging",
                "urn": URN,
                "name": "x",
                "reason": "long enough reason",
                "owner": "o",
                "expires": "2027-01-01",
            },
            ".urn",
            "exactly one",
        ),
        (
            {
                "rule": "bucket-access-logging",
                "urn": "dev-bucket",
                "reason": "long enough reason",
                "owner": "o",
                "expires": "2027-01-01",
            },
            ".urn",
            "not a Pulumi URN",
        ),
        (
            {
                "rule": "bucket-access-logging",
                "urn": URN,
                "reason": "long enough reason",
                "owner": "two words",
                "expires": "2027-01-01",
            },
            ".owner",
            "not an owner",
        ),
        (
            {
                "rule": "bucket-access-logging",
                "urn": URN,
                "reason": "long enough reason",
                "owner": "o",
                "expires": "next year",
            },
            ".expires",
            "YYYY-MM-DD",
        ),
        (
            {
                "rule": "bucket-access-logging",
                "urn": URN,
                "reason": "long enough reason",
                "owner": "o",
                "expires": "2027-01-01",
                "ticket": 1,
            },
            ".ticket",
            "unknown field",
        ),
    ],
)
def test_invalid_entries_name_file_index_and_field(entry: dict, where: str, problem: str) -> None:
    import yaml

    text = yaml.safe_dump({"suppressions": [entry]})
    with pytest.raises(SuppressionFileError) as error:
        parse_suppressions(PATH, text, RULES)
    message = str(error.value)
    assert message.startswith(f"{PATH}: suppressions[0]") and where in message and problem in message, message


def test_top_level_shape_is_checked() -> None:
    with pytest.raises(SuppressionFileError, match="single key 'suppressions'"):
        parse_suppressions(PATH, "- rule: x\n", RULES)
    assert parse_suppressions(PATH, "", RULES) == []
    assert parse_suppressions(PATH, "suppressions: []\n", RULES) == []


def test_missing_file_is_empty_unless_required(tmp_path: Path) -> None:
    assert load_suppressions(tmp_path / "none.yaml") == []
    with pytest.raises(SuppressionFileError, match="not found"):
        load_suppressions(tmp_path / "none.yaml", required=True)


def test_edited_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "dev.yaml"
    path.write_text("suppressions: []\n")
    assert load_suppressions(path, RULES) == []
    path.write_text(GOOD)
    assert len(load_suppressions(path, RULES)) == 2


def test_mark_round_trips_through_its_pattern() -> None:
    entry = parse_suppressions(PATH, GOOD, RULES)[0]
    match = SUPPRESSED_MARK.match(suppressed_mark("endpoint-scales-to-zero", entry))
    assert match is not None
    assert match.groupdict() == {
        "rule": "endpoint-scales-to-zero",
        "expires": "2027-01-31",
        "owner": "ml-platform",
        "reason": "Demo endpoint kept warm for the latency benchmark",
    }


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_project_suppression_files_are_valid(stack: str) -> None:
    from policies.pack import SUPPRESSIONS_DIR
    from policies.rules import rules_by_id

    load_suppressions(SUPPRESSIONS_DIR / f"{stack}.yaml", rules_by_id(), required=True)


# -- limits: what an environment's suppressions may do -------------------------------------------------
def _entry(**changes: object) -> Suppression:
    values: dict = {
        "index": 0,
        "rule": "bucket-access-logging",
        "urn": None,
        "name": "prod-datasets-*",
        "reason": "Datasets bucket logs elsewhere",
        "owner": "ml-platform",
        "expires": datetime.date(2027, 1, 31),
        **changes,
    }
    return Suppression(**values)


TODAY = datetime.date(2026, 12, 3)


def test_an_entry_within_the_limits_has_no_problems() -> None:
    assert _entry().problems(TODAY, SuppressionLimits(max_days=90)) == []


def test_an_expiry_beyond_the_environments_limit_is_a_problem() -> None:
    [problem] = _entry(expires=datetime.date(2099, 12, 31)).problems(TODAY, SuppressionLimits(max_days=90))
    assert "more than 90 days ahead" in problem and "limits.yaml" in problem
    assert _entry(expires=TODAY + datetime.timedelta(days=90)).problems(TODAY, SuppressionLimits(max_days=90)) == []


@pytest.mark.parametrize("glob", ["*", "**", "*-*", "?*", "[a-z]*", "a*"])
def test_a_name_glob_that_matches_everything_is_a_problem(glob: str) -> None:
    [problem] = _entry(name=glob).problems(TODAY, SuppressionLimits(max_days=90))
    assert "matches (nearly) every resource" in problem


@pytest.mark.parametrize("glob", ["h1*", "prod-chat-*", "dev-?-pool"])
def test_a_name_glob_with_a_literal_part_is_fine(glob: str) -> None:
    assert _entry(name=glob).problems(TODAY, SuppressionLimits(max_days=90)) == []


def test_limits_per_environment_with_the_strictest_default(tmp_path: Path) -> None:
    path = tmp_path / "limits.yaml"
    path.write_text("default: {max_days: 30}\ndev: {max_days: 365}\n")
    assert load_limits(path, "dev").max_days == 365
    assert load_limits(path, "staging").max_days == 30
    assert load_limits(tmp_path / "missing.yaml", "dev") == DEFAULT_LIMITS
    path.write_text("prod: {max_days: 0}\n")
    with pytest.raises(SuppressionFileError, match=r"limits.yaml: prod.max_days: 0 is not a number of days >= 1"):
        load_limits(path, "prod")


def test_the_project_limits_keep_prod_to_90_days() -> None:
    from policies.pack import LIMITS_FILE

    assert load_limits(LIMITS_FILE, "prod").max_days == 90
    assert load_limits(LIMITS_FILE, "an-unknown-stack").max_days == 90
