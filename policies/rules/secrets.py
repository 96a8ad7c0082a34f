"""S25: no plaintext secrets in user data, startup scripts, instance metadata, container
environments or service configs. A secret is found by what it is (a token format, a password in
a URL or connection string, a random-looking value under a key's name), also inside base64 and
gzip+base64 user data; a reference to a secret store is never a finding (`secret_formats`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from policies.framework import UNKNOWN, Check, Context, Resource, Rule, Undecided, as_list, parse_json
from policies.rules import identity_examples as examples
from policies.rules.identity_types import type_of_urn
from policies.rules.secret_formats import find_in_text, find_in_variable, literal_secret_value
from policies.rules.workloads import eas_service_config

Finding = Iterator[str | Undecided]


def _pairs(environment: Any) -> list[tuple[Any, Any]]:
    """(name, value) of an environment given as a map or as a list of {name, value}; a name not
    known yet stays UNKNOWN."""
    if isinstance(environment, Mapping):
        return [(str(k), v) for k, v in environment.items()]
    pairs = []
    for entry in as_list(environment):
        if isinstance(entry, Mapping):
            name = entry.get("name") if "name" in entry else entry.get("key")
            pairs.append((name if name is UNKNOWN else str(name or "?"), entry.get("value")))
    return pairs


GENERATED_SECRET_TYPES = (
    "random:index/randomPassword:RandomPassword",
    "random:index/randomString:RandomString",
    "tls:index/privateKey:PrivateKey",
    "aws:iam/accessKey:AccessKey",
    "gcp:serviceaccount/key:Key",
    "gcp:storage/hmacKey:HmacKey",
    "alicloud:ram/accessKey:AccessKey",
)
"""Resources whose outputs are secrets: a value computed from one is a generated secret."""


def scan_environment(where: str, environment: Any, sources: list[str] | None = None) -> Finding:
    """Scan an environment; `sources` are the types of the resources the enclosing input was
    computed from (None: not known), which tell what an unknown value can be."""
    if environment is UNKNOWN:
        yield Undecided(f"{where} is not known until the update: it is scanned then")
        return
    for name, value in _pairs(environment):
        if value is UNKNOWN:
            yield from _unknown_variable(where, str(name), sources)
        elif name is UNKNOWN and isinstance(value, str):
            found = find_in_variable("", value)
            if found:
                yield f"{where} has a variable holding {found} in plain text"
            elif literal_secret_value(value, "strong"):
                yield Undecided(f"{where} has a variable whose name is not known until the update")
        elif isinstance(value, str) and value:
            found = find_in_variable(name, value)
            if found:
                yield f"{where} variable {name} holds {found} in plain text"


def _unknown_variable(where: str, name: str, sources: list[str] | None) -> Finding:
    """A value not known at preview. Computed from resources of the stack that hold no secret
    (an ARN, an endpoint) it is not a secret; computed from a generated secret, or from nothing
    the pack can see (the engine's Analyze call carries no dependencies), the update tells, under
    any name: a webhook URL is a secret too."""
    generated = [t for t in sources or [] if t in GENERATED_SECRET_TYPES]
    if generated:
        yield Undecided(f"{where} variable {name} is computed from a generated secret ({generated[0]})")
    elif not sources:
        yield Undecided(f"{where} variable {name} is not known until the update: it is scanned then")


def scan_text(where: str, value: Any) -> Finding:
    if value is UNKNOWN:
        # A script computed at deploy time may still carry text the program wrote.
        yield Undecided(f"{where} is not known until the update: it is scanned then")
    elif isinstance(value, str):
        found = find_in_text(value)
        if found:
            yield f"{where} contains what looks like {found} in plain text"
    elif isinstance(value, Mapping):  # instance metadata: every entry may be a script
        for name, item in value.items():
            if isinstance(item, str) and item:
                found = find_in_variable(str(name), item)
                if found:
                    yield f"{where}.{name} holds {found} in plain text"
            elif item is UNKNOWN or isinstance(item, Mapping | list):
                yield from scan_text(f"{where}.{name}", item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from scan_text(f"{where}.{index}", item)


def _scripts(*paths: str) -> Check:
    def check(resource: Resource, ctx: Context) -> Finding:
        for path in paths:
            yield from scan_text(path, resource.get(path))

    return check


def _environments(*paths: str) -> Check:
    """Environment maps or {name, value} lists at `paths`; `a.*.b` walks a list of containers."""

    def check(resource: Resource, ctx: Context) -> Finding:
        for path in paths:
            head, _, tail = path.partition(".*.")
            sources = [type_of_urn(u) for u in resource.sources(head)]
            if not tail:
                yield from scan_environment(path, resource.get(path), sources)
                continue
            for index, item in enumerate(as_list(resource.get(head))):
                if isinstance(item, Mapping):
                    yield from scan_environment(f"{head}[{index}].{tail}", _dig(item, tail), sources)

    return check


def _dig(value: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _ecs_task(task: Resource, ctx: Context) -> Finding:
    raw = task.get("containerDefinitions")
    if raw is UNKNOWN:
        yield Undecided("containerDefinitions is not known until the update: it is scanned then")
        return
    for index, container in enumerate(as_list(parse_json(raw))):
        if isinstance(container, Mapping):
            sources = [type_of_urn(u) for u in task.sources("containerDefinitions")]
            yield from scan_environment(
                f"containerDefinitions[{index}].environment", container.get("environment"), sources
            )
            yield from scan_text(f"containerDefinitions[{index}].command", container.get("command"))


def _eas_service(service: Resource, ctx: Context) -> Finding:
    if service.get("serviceConfig") is UNKNOWN:
        yield Undecided("serviceConfig is not known until the update: it is scanned then")
        return
    config = eas_service_config(service)
    for index, container in enumerate(as_list(config.get("containers"))):
        if isinstance(container, Mapping):
            sources = [type_of_urn(u) for u in service.sources("serviceConfig")]
            yield from scan_environment(f"serviceConfig containers[{index}].env", container.get("env"), sources)
            yield from scan_text(f"serviceConfig containers[{index}].script", container.get("script"))


NO_PLAINTEXT_SECRETS = Rule(
    id="no-plaintext-secrets",
    ref="S25",
    domain="identity",
    description="No plaintext secrets in user data, startup scripts, metadata, container environments or "
    "service configs.",
    severity="high",
    tags=("security",),
    remediation="Keep the secret in a secret store (Secrets Manager, Secret Manager, Key Vault, KMS Secrets "
    "Manager) and pass its reference (`*_SECRET_ARN`, `@Microsoft.KeyVault(...)`, `projects/.../secrets/...`); "
    "give the workload an identity that may read it.",
    rationale="User data, metadata and container environments are readable by anyone who can describe the "
    "instance or endpoint, are copied into the Pulumi state and logs, and never rotate. Secrets are found by what "
    "they are (AWS, GCP and Azure keys, GitHub, Slack and OpenAI-style tokens, private keys, passwords in URLs "
    "and connection strings, random-looking values under key names), also inside base64 and gzip user data, so "
    "an innocent variable name hides nothing; references to a secret store are what the rule asks for.",
    checks={
        "aws:ec2/launchTemplate:LaunchTemplate": _scripts("userData"),
        "aws:ec2/instance:Instance": _scripts("userData", "userDataBase64"),
        "aws:sagemaker/model:Model": _environments("primaryContainer.environment", "containers.*.environment"),
        "aws:lambda/function:Function": _environments("environment.variables"),
        "aws:ecs/taskDefinition:TaskDefinition": _ecs_task,
        "gcp:container/nodePool:NodePool": _scripts("nodeConfig.metadata"),
        "gcp:container/cluster:Cluster": _scripts("nodeConfig.metadata"),
        "gcp:tpu/v2Vm:V2Vm": _scripts("metadata"),
        "gcp:compute/instance:Instance": _scripts("metadataStartupScript", "metadata"),
        "gcp:compute/instanceTemplate:InstanceTemplate": _scripts("metadataStartupScript", "metadata"),
        "gcp:cloudrunv2/service:Service": _environments("template.containers.*.envs"),
        "gcp:vertex/aiEndpointWithModelGardenDeployment:AiEndpointWithModelGardenDeployment": _environments(
            "modelConfig.containerSpec.envs"
        ),
        "azure-native:machinelearningservices:OnlineDeployment": _environments("properties.environmentVariables"),
        "azure-native:compute:VirtualMachine": _scripts("osProfile.customData", "userData"),
        "azure-native:compute:VirtualMachineScaleSet": _scripts("virtualMachineProfile.osProfile.customData"),
        "azure-native:containerinstance:ContainerGroup": _environments("containers.*.environmentVariables"),
        "azure-native:web:WebApp": _environments("siteConfig.appSettings"),
        "alicloud:cs/nodePool:NodePool": _scripts("userData", "preUserData"),
        "alicloud:ecs/instance:Instance": _scripts("userData"),
        "alicloud:pai/service:Service": _eas_service,
    },
    # Every value is scanned: an unknown one in an environment is a computed reference (an ARN,
    # an endpoint), not program text; whole scripts not known yet are reported undecided above.
    unknowns="ignore",
    examples=examples.SECRETS,
)

RULES = [NO_PLAINTEXT_SECRETS]
