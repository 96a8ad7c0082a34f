"""The C12 table of taggable types against the installed SDKs and the project's own stacks."""

from __future__ import annotations

import importlib
import re
import sys

import pytest

from policies.rules.tagging import TAGGABLE

_PACKAGES = {
    "aws": "pulumi_aws",
    "gcp": "pulumi_gcp",
    "azure-native": "pulumi_azure_native",
    "alicloud": "pulumi_alicloud",
}


def sdk_inputs(type_: str) -> set[str] | None:
    """Engine names of a resource type's inputs, from its SDK Args class (None: not an SDK type)."""
    package, module, name = type_.split(":")
    if package not in _PACKAGES:
        return None
    python_module = re.sub(r"(?<!^)(?=[A-Z])", "_", module.split("/")[0]).lower()
    resource_class = getattr(importlib.import_module(f"{_PACKAGES[package]}.{python_module}"), name)
    module_of_class = sys.modules[resource_class.__module__]
    # When an input type has the same name, the SDK calls the resource's own args `<Name>InitArgs`.
    args_class = getattr(module_of_class, f"{name}InitArgs", None) or getattr(module_of_class, f"{name}Args")
    return _wire_names(args_class)


def _wire_names(cls: type) -> set[str]:
    return {getattr(v.fget, "_pulumi_name", k) for k, v in vars(cls).items() if isinstance(v, property)}


NOT_BILLING_TAGS = {
    # Its `labels` are the channel's own settings (email_address, ...); notification channels are free.
    "gcp:monitoring/notificationChannel:NotificationChannel",
}


def billing_tag_input(type_: str) -> str | None:
    """The input a type would carry cost-allocation tags in, per the SDK (None: not taggable)."""
    if type_ in NOT_BILLING_TAGS:
        return None
    inputs = sdk_inputs(type_)
    if inputs is None:
        return None
    if type_.startswith("gcp:"):
        # GCP `tags` are network tags; billing metadata is `labels` (`resourceLabels` on GKE).
        return next((p for p in ("labels", "resourceLabels") if p in inputs), None)
    return "tags" if "tags" in inputs else None


@pytest.mark.parametrize("type_", sorted(TAGGABLE))
def test_every_row_names_an_input_of_the_sdk(type_: str) -> None:
    path = TAGGABLE[type_]
    inputs = sdk_inputs(type_)
    assert inputs is not None and path.split(".")[0] in inputs, f"{type_} has no input {path}"
    if "." in path:
        package, module, name = type_.split(":")
        nested = getattr(
            importlib.import_module(f"{_PACKAGES[package]}.{module.split('/')[0]}"), f"{name}NodeConfigArgs"
        )
        assert path.split(".")[1] in _wire_names(nested)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_taggable_type_of_the_project_is_in_the_table(stack_run, stack: str) -> None:
    run = stack_run(stack)
    missing = sorted(
        {
            r.type
            for r in run.resources
            if r.custom and not r.is_provider and billing_tag_input(r.type) and r.type not in TAGGABLE
        }
    )
    assert missing == [], f"add these types to policies/rules/tagging.py TAGGABLE: {missing}"
