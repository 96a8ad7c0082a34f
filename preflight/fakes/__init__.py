"""What the fake clouds answer: checked inputs, created resources' ids and outputs, and invokes.

- `checked_inputs`: what a provider's Check returns and the engine hands to Analyze: the
  program's inputs plus the names the provider generates for resources the program left unnamed
  (Pulumi's autonaming: `<name>-<7 hex>`; Azure appends 8 characters without a separator).
- `created`: the id and outputs after `pulumi up` (update phase): checked inputs, the outputs a
  per-cloud faker knows how to compute (ARNs with account and region, Azure ids, GCP self links
  in the configured project), and a value of the right shape for every other output the SDK class
  declares.
- `invoke`: answers of known provider functions (`preflight.fakes.invokes`).
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from preflight.fakes import alicloud, aws, azure, gcp
from preflight.fakes.context import Faker, Made, State
from preflight.fakes.ids import azure_name_property, resource_id, string_maker
from preflight.fakes.invokes import answer as answer_invoke
from preflight.fakes.shapes import conform_state, fill_outputs, output_types, resource_class, unknown_nested, value_for
from preflight.fakes.world import Where, World, digest
from preflight.wire import UNKNOWN

FAKERS: dict[str, Faker] = {**aws.FAKERS, **gcp.FAKERS, **azure.FAKERS, **alicloud.FAKERS}

AUTONAMED: dict[str, str] = {
    "aws:s3/bucket:Bucket": "bucket",
    "aws:s3/bucketV2:BucketV2": "bucket",
    "aws:eks/nodeGroup:NodeGroup": "nodeGroupName",
    "aws:rds/instance:Instance": "identifier",
    "aws:rds/cluster:Cluster": "clusterIdentifier",
    "alicloud:oss/bucket:Bucket": "bucket",
    "alicloud:ram/role:Role": "roleName",
    "alicloud:ram/policy:Policy": "policyName",
}
"""Resource types whose generated name lives in another property than `name`."""
NOT_AUTONAMED = frozenset(
    {
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:eks/cluster:Cluster",  # name is required in practice; the provider does not invent one
    }
)


def _init_parameters(token: str) -> frozenset[str]:
    cls = resource_class(token)
    if cls is None:
        return frozenset()
    try:
        return frozenset(inspect.signature(cls._internal_init).parameters)  # type: ignore[attr-defined]
    except (AttributeError, TypeError, ValueError):
        return frozenset()


def autoname_property(token: str) -> str | None:
    """The input a provider fills with a generated name when the program leaves it out."""
    if token in AUTONAMED:
        return AUTONAMED[token]
    if token in NOT_AUTONAMED or token.startswith(("pulumi:", "kubernetes:")):
        return None
    outputs = output_types(token)
    if token.startswith("azure-native:"):
        own = azure_name_property(token)
        python = "".join(f"_{c.lower()}" if c.isupper() else c for c in own)
        return own if python in _init_parameters(token) else None
    if "name" in outputs and "name" in _init_parameters(token):
        return "name"
    return None


def _names_itself(type_: str, inputs: Mapping[str, Any]) -> bool:
    """Whether the program already named the resource another way: a `namePrefix` (the provider
    then generates from it), or on Alibaba a specific `<thing>Name` that the deprecated `name`
    conflicts with (the provider does not autoname a field that conflicts with a set one)."""
    if inputs.get("namePrefix"):
        return True
    return type_.startswith("alicloud:") and any(
        k.endswith("Name") and k != "name" and isinstance(v, str) and v for k, v in inputs.items()
    )


class Fakes:
    """The fake clouds of one program run."""

    def __init__(self, world: World):
        self.world = world

    def where(self, type_: str, provider_inputs: Mapping[str, Any] | None) -> Where:
        return self.world.where(type_, provider_inputs)

    def checked_inputs(self, type_: str, name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
        checked = dict(inputs)
        prop = autoname_property(type_)
        if prop == "name" and _names_itself(type_, checked):
            return checked
        if prop and checked.get(prop) in (None, ""):
            separator, size = ("", 8) if type_.startswith("azure-native:") else ("-", 7)
            checked[prop] = f"{name}{separator}{digest(name, size)}"
        return checked

    def created(self, type_: str, name: str, checked: Mapping[str, Any], where: Where) -> tuple[str, State]:
        """(id, outputs) of a resource after `pulumi up`: its checked inputs and the outputs its
        provider computes that the fakers know (ids, ARNs, names, endpoints, identities)."""
        id_ = resource_id(type_, name, checked, where)
        made = Made(name=name, id=id_, where=where, inputs=checked)
        faker = FAKERS.get(type_) or (azure.generic if type_.startswith("azure-native:") else None)
        state: State = {**checked, **(faker(made) if faker else {})}
        make_string = string_maker(type_, name, state, where)
        return id_, conform_state(type_, state, lambda typ, prop: value_for(typ, prop, make_string))

    def as_program_sees(self, type_: str, name: str, state: Mapping[str, Any], where: Where) -> State:
        """`state` plus a value of the right shape for every other output the SDK class declares:
        the program reads no None where a provider returns a value. Policies see `state` only
        (preflight does not invent provider defaults for settings the program left out)."""
        return fill_outputs(type_, state, string_maker(type_, name, state, where))

    def previewed(self, type_: str, checked: Mapping[str, Any]) -> State:
        """The state of a resource a preview would create, as policies see it: its checked inputs,
        in the shape of its outputs (parts whose shape changes on creation are unknown)."""
        return conform_state(type_, checked, lambda typ, prop: UNKNOWN)

    def as_program_previews(self, type_: str, state: Mapping[str, Any]) -> State:
        """What the program reads at preview: `state`, with the nested outputs its objects
        declare but lack set to unknown (computed nested values are not None to a program)."""
        types = output_types(type_)
        return {k: unknown_nested(v, types[k]) if k in types else v for k, v in state.items()}

    def invoke(self, token: str, args: Mapping[str, Any], where: Where) -> State | None:
        return answer_invoke(token, args, where)


__all__ = ["FAKERS", "Fakes", "Made", "Where", "World", "autoname_property"]
