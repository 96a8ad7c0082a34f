"""The CrossGuard policy pack: `pulumi preview --policy-pack policies` (and preflight) run this.

The CLI starts it as `python -m pulumi.policy <engine> policies`, which runs this file with
`policies/` first on sys.path: the rules are imported as `policies.rules.<domain>` (the project
is installed in the virtualenv), never as top-level modules.
"""

from pulumi_policy import EnforcementLevel, PolicyPack

from policies.pack import PACK_NAME, build_policies

PolicyPack(
    name=PACK_NAME,
    description="ai-infra security and cost rules for AWS, Google Cloud, Azure and Alibaba Cloud",
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=build_policies(),
)
