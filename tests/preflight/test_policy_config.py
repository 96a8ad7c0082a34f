"""Policy config files resolved like the Pulumi CLI does (defaults, `all`, per-policy entries),
validated against each policy's schema with errors naming file, policy and property."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from preflight.policy.config import PolicyConfigError, PolicyInfo, default_config_file, load_config_file, resolve_config

POLICIES = [
    PolicyInfo(
        name="accelerator-capacity-limits",
        description="limits",
        enforcement="advisory",
        schema={
            "maxNodesPerPool": {"type": "integer", "minimum": 1, "default": 16},
            "allowSuppression": {"type": "boolean", "default": False},
        },
    ),
    PolicyInfo(
        name="region-allowed",
        description="regions",
        enforcement="mandatory",
        schema={
            "allowedRegions": {
                "type": "object",
                "properties": {"aws": {"type": "array", "items": {"type": "string"}}},
                "additionalProperties": False,
            },
            "allowSuppression": {"type": "boolean", "default": False},
        },
    ),
    PolicyInfo(name="suppressed-findings", description="companion", enforcement="advisory"),
]
SOURCE = "policies/config/dev.json"


def test_defaults_come_from_the_pack() -> None:
    settings = resolve_config(POLICIES, None, source=SOURCE)
    assert settings["accelerator-capacity-limits"].enforcement == "advisory"
    assert settings["accelerator-capacity-limits"].properties == {"maxNodesPerPool": 16, "allowSuppression": False}
    assert settings["region-allowed"].enforcement == "mandatory"


def test_all_then_the_policy_own_entry() -> None:
    raw = {"all": "disabled", "accelerator-capacity-limits": {"enforcementLevel": "mandatory", "maxNodesPerPool": 4}}
    settings = resolve_config(POLICIES, raw, source=SOURCE)
    assert settings["region-allowed"].enforcement == "disabled"
    assert settings["accelerator-capacity-limits"].enforcement == "mandatory"
    assert settings["accelerator-capacity-limits"].properties["maxNodesPerPool"] == 4


def test_extra_properties_are_added_and_validated() -> None:
    settings = resolve_config(
        POLICIES, {}, source=SOURCE, extra_properties={"accelerator-capacity-limits": {"maxNodesPerPool": 2}}
    )
    assert settings["accelerator-capacity-limits"].properties["maxNodesPerPool"] == 2
    with pytest.raises(PolicyConfigError, match="maxNodesPerPool"):
        resolve_config(
            POLICIES, {}, source=SOURCE, extra_properties={"accelerator-capacity-limits": {"maxNodesPerPool": 0}}
        )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"no-such-policy": "mandatory"}, "'no-such-policy' is not a policy of the pack"),
        ({"region-allowed": "mandatoryy"}, "policy 'region-allowed': \"mandatoryy\" is not an enforcement level"),
        (
            {"accelerator-capacity-limits": {"maxNodesPerPool": 0}},
            "policy 'accelerator-capacity-limits', property 'maxNodesPerPool': 0 is less than the minimum 1",
        ),
        (
            {"accelerator-capacity-limits": {"maxNodesPerPool": "4"}},
            "property 'maxNodesPerPool': \"4\" is not of type integer",
        ),
        (
            {"accelerator-capacity-limits": {"maxNodesPerPol": 4}},
            "property 'maxNodesPerPol': not in the policy's config schema",
        ),
        (
            {"region-allowed": {"allowedRegions": {"aws": ["us-east-1"], "azur": []}}},
            "property 'allowedRegions': unknown key 'azur'",
        ),
        ({"region-allowed": {"allowedRegions": {"aws": [1]}}}, "allowedRegions': 1 at aws[0] is not of type string"),
        ({"accelerator-capacity-limits": {"allowSuppression": "yes"}}, "property 'allowSuppression'"),
        ({"region-allowed": 3}, "is not a level or an object of settings"),
    ],
)
def test_mistakes_name_file_policy_and_property(raw: dict, message: str) -> None:
    with pytest.raises(PolicyConfigError) as error:
        resolve_config(POLICIES, raw, source=SOURCE)
    assert str(error.value).startswith(SOURCE) and message in str(error.value), str(error.value)


def test_suppression_companions_must_stay_advisory() -> None:
    with pytest.raises(PolicyConfigError, match="'suppressed-findings' carries suppressed findings"):
        resolve_config(POLICIES, {"all": "mandatory"}, source=SOURCE, must_stay_advisory=("suppressed-findings",))
    settings = resolve_config(
        POLICIES,
        {"all": "mandatory", "suppressed-findings": "advisory"},
        source=SOURCE,
        must_stay_advisory=("suppressed-findings",),
    )
    assert settings["region-allowed"].enforcement == "mandatory"


def test_config_is_chosen_by_stack_name_with_prod_as_the_fallback(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    for stack in ("dev", "prod"):
        (tmp_path / "config" / f"{stack}.json").write_text("{}")
    assert default_config_file(tmp_path, "dev").name == "dev.json"
    assert default_config_file(tmp_path, "staging").name == "prod.json"


def test_config_file_errors(tmp_path: Path) -> None:
    with pytest.raises(PolicyConfigError, match="not found"):
        load_config_file(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(PolicyConfigError, match=r"bad.json: not valid JSON"):
        load_config_file(bad)
    bad.write_text(json.dumps(["mandatory"]))
    with pytest.raises(PolicyConfigError, match="expected a JSON object"):
        load_config_file(bad)
