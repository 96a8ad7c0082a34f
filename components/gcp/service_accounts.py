"""Google service accounts for nodes, TPU VMs, workloads and model serving: one per role, never the
Compute Engine default account, and never a key (identities are keyless: metadata server or
Workload Identity)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import pulumi
import pulumi_gcp as gcp

from components.options import child_options

ACCOUNT_ID_MAX = 30
ACCOUNT_ID_MIN = 6

NODE_ROLES = ("roles/container.defaultNodeServiceAccount", "roles/artifactregistry.reader")
"""What a GKE node or TPU VM needs: write logs and metrics, read monitoring config, pull images."""


def account_id(name: str) -> str:
    """A valid service-account id (6-30 characters, `[a-z][a-z0-9-]*[a-z0-9]`) derived from `name`;
    long names are cut and given a short hash so that distinct names stay distinct."""
    cleaned = re.sub(r"[^a-z0-9-]", "-", name.lower()).strip("-")
    if not cleaned[:1].isalpha():
        cleaned = f"sa-{cleaned}"
    if len(cleaned) > ACCOUNT_ID_MAX:
        digest = hashlib.sha256(name.encode()).hexdigest()[:6]
        cleaned = f"{cleaned[: ACCOUNT_ID_MAX - 7].rstrip('-')}-{digest}"
    cleaned = cleaned.rstrip("-")
    if len(cleaned) < ACCOUNT_ID_MIN:
        cleaned = f"{cleaned}-sa".ljust(ACCOUNT_ID_MIN, "0")
    return cleaned


def service_account(
    parent: pulumi.Resource,
    name: str,
    *,
    project: str,
    account: str,
    description: str,
    project_roles: Sequence[str] = (),
) -> gcp.serviceaccount.Account:
    """A dedicated service account (`<name>`) with `project_roles` granted by one
    `projects.IAMMember` each (`<name>-<role>`). Primitive roles are refused here, so no caller can
    grant owner/editor/viewer by accident."""
    for role in project_roles:
        if role in ("roles/owner", "roles/editor", "roles/viewer"):
            raise ValueError(f"{name}: primitive role {role} is never granted; use a predefined role")
    account_resource = gcp.serviceaccount.Account(
        name,
        project=project,
        account_id=account_id(account),
        display_name=account,
        description=description,
        opts=child_options(parent),
    )
    for role in project_roles:
        gcp.projects.IAMMember(
            f"{name}-{role.removeprefix('roles/').replace('.', '-')}",
            project=project,
            role=role,
            member=account_resource.member,
            opts=child_options(parent),
        )
    return account_resource
