"""What a CI job must know about a stack before it talks to a cloud or to the Pulumi backend.

Reads `Pulumi.<stack>.yaml` for the clouds the stack uses (and the region, tenant and
subscription the cloud logins take from it) and the environment for the OIDC identities and the
Pulumi backend settings, then writes GitHub step outputs:

  stack              the name to pass to `pulumi --stack` (`<PULUMI_ORG>/<stack>` on Pulumi Cloud
                     when the variable PULUMI_ORG is set)
  clouds             the clouds in the stack's config, comma separated
  configured         `true` when everything the stack needs is present, else `false`
  missing            what is missing, `; `-separated
  aws-role-arn, aws-region, gcp-workload-identity-provider, gcp-service-account,
  azure-client-id, azure-tenant-id, azure-subscription-id, alibaba-role-arn,
  alibaba-oidc-provider-arn
                     inputs of .github/actions/cloud-login, set only for clouds the stack uses

    python .github/scripts/stack_context.py dev             # missing settings: a notice, configured=false
    python .github/scripts/stack_context.py prod --require  # missing settings fail the step

Environment (repository, or GitHub environment, variables; secrets only as `true`/`false`):
  AWS_ROLE_ARN, GCP_WORKLOAD_IDENTITY_PROVIDER, GCP_SERVICE_ACCOUNT, AZURE_CLIENT_ID,
  ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN   the identities to federate with
  PULUMI_BACKEND_URL        s3://, gs://, azblob:// backend; empty: Pulumi Cloud
  PULUMI_ORG                Pulumi Cloud organization of the stacks (optional)
  HAS_PULUMI_ACCESS_TOKEN, HAS_PULUMI_CONFIG_PASSPHRASE     whether those secrets are set
  ACTIONS_ID_TOKEN_REQUEST_URL  set by the runner when the job may request an OIDC token
                                (never for pull requests from forks)
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

CLOUDS_KEY = "ai-infra:clouds"

IDENTITY_VARIABLES: dict[str, tuple[str, ...]] = {
    "aws": ("AWS_ROLE_ARN",),
    "gcp": ("GCP_WORKLOAD_IDENTITY_PROVIDER", "GCP_SERVICE_ACCOUNT"),
    "azure": ("AZURE_CLIENT_ID",),
    "alicloud": ("ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN"),
}
"""Per cloud: the variables naming the identity a job federates with (no keys, no secrets)."""

LOGIN_INPUTS: dict[str, str] = {
    "AWS_ROLE_ARN": "aws-role-arn",
    "GCP_WORKLOAD_IDENTITY_PROVIDER": "gcp-workload-identity-provider",
    "GCP_SERVICE_ACCOUNT": "gcp-service-account",
    "AZURE_CLIENT_ID": "azure-client-id",
    "ALIBABA_CLOUD_ROLE_ARN": "alibaba-role-arn",
    "ALIBABA_CLOUD_OIDC_PROVIDER_ARN": "alibaba-oidc-provider-arn",
}

STACK_FACTS: dict[str, dict[str, str]] = {
    "aws": {"region": "aws-region"},
    "azure": {"tenant_id": "azure-tenant-id", "subscription_id": "azure-subscription-id"},
}
"""Per cloud: stack config keys the logins need, and the output that carries each."""


class StackFileError(Exception):
    """The stack file is missing or is not a Pulumi stack file."""


@dataclass
class StackContext:
    stack: str
    clouds: list[str]
    outputs: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    @property
    def configured(self) -> bool:
        return not self.missing

    def github_outputs(self) -> dict[str, str]:
        return {
            "stack": self.stack,
            "clouds": ",".join(self.clouds),
            "configured": "true" if self.configured else "false",
            "missing": "; ".join(self.missing),
            **self.outputs,
        }


def stack_clouds(stack_file: Path) -> dict[str, Mapping[str, object]]:
    """The `ai-infra:clouds` section of a stack file: cloud name -> its settings."""
    try:
        document = yaml.safe_load(stack_file.read_text(encoding="utf-8"))
    except FileNotFoundError as missing:
        raise StackFileError(f"{stack_file} does not exist") from missing
    config = document.get("config") if isinstance(document, dict) else None
    if not isinstance(config, dict):
        raise StackFileError(f"{stack_file} has no `config:` mapping")
    clouds = config.get(CLOUDS_KEY) or {}
    if not isinstance(clouds, dict):
        raise StackFileError(f"{stack_file}: `{CLOUDS_KEY}` must be a mapping of cloud -> settings")
    return {str(name): settings if isinstance(settings, dict) else {} for name, settings in clouds.items()}


def _flag(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() == "true"


def stack_context(stack: str, stack_file: Path, env: Mapping[str, str]) -> StackContext:
    clouds = stack_clouds(stack_file)
    org = env.get("PULUMI_ORG", "").strip()
    backend_url = env.get("PULUMI_BACKEND_URL", "").strip()
    qualified = f"{org}/{stack}" if org and not backend_url else stack
    context = StackContext(stack=qualified, clouds=sorted(clouds))

    if not env.get("ACTIONS_ID_TOKEN_REQUEST_URL"):
        context.missing.append(
            "no OIDC token for this job (the job lacks `id-token: write`, or this is a pull request from a fork)"
        )
    if backend_url:
        if not _flag(env, "HAS_PULUMI_CONFIG_PASSPHRASE"):
            context.missing.append(f"secret PULUMI_CONFIG_PASSPHRASE (the stack's secrets provider on {backend_url})")
    elif not _flag(env, "HAS_PULUMI_ACCESS_TOKEN"):
        context.missing.append("secret PULUMI_ACCESS_TOKEN (Pulumi Cloud; or set variable PULUMI_BACKEND_URL)")

    for cloud in context.clouds:
        for variable in IDENTITY_VARIABLES.get(cloud, ()):
            value = env.get(variable, "").strip()
            if value:
                context.outputs[LOGIN_INPUTS[variable]] = value
            else:
                context.missing.append(f"variable {variable} ({cloud})")
        for key, output in STACK_FACTS.get(cloud, {}).items():
            fact = clouds[cloud].get(key)
            if fact:
                context.outputs[output] = str(fact)
            else:
                context.missing.append(f"{CLOUDS_KEY}.{cloud}.{key} in {stack_file.name}")
    return context


def write_github_outputs(outputs: Mapping[str, str], path: str | None) -> None:
    if not path:
        return
    with Path(path).open("a", encoding="utf-8") as handle:
        for key, value in outputs.items():
            handle.write(f"{key}={value}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("stack", help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument("--require", action="store_true", help="fail when a setting is missing (deploy jobs)")
    parser.add_argument("--cwd", type=Path, default=Path.cwd(), help="Pulumi project directory (default: .)")
    args = parser.parse_args(argv)

    try:
        context = stack_context(args.stack, args.cwd / f"Pulumi.{args.stack}.yaml", os.environ)
    except StackFileError as problem:
        print(f"::error title=stack {args.stack}::{problem}")
        return 2
    write_github_outputs(context.github_outputs(), os.environ.get("GITHUB_OUTPUT"))
    print(f"stack {context.stack}: clouds {', '.join(context.clouds) or 'none'}")
    if context.configured:
        print("credentials: every OIDC identity and the Pulumi backend are configured")
        return 0
    missing = "; ".join(context.missing)
    if args.require:
        print(f"::error title=stack {args.stack}: credentials missing::{missing}")
        return 1
    print(
        f"::notice title=pulumi preview of {args.stack} skipped::skipped: no cloud credentials configured "
        f"for this repository (fork?). Missing: {missing}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
