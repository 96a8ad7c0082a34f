"""The checks of the best scanners (Checkov, Trivy, KICS) for the resource types this project
creates, and which rule of the pack covers each: the data behind docs/policy-coverage.md.

`policies/anchors/<cloud>-<domain>.yaml` (e.g. `aws-identity.yaml`) lists anchor checks:

```yaml
- id: CKV_AWS_19                     # the tool's own id
  tool: checkov                      # checkov | trivy | kics
  title: S3 bucket data is encrypted at rest
  types: ["aws:s3/bucket:Bucket"]    # Pulumi type tokens the check is about
  rule: bucket-encrypted-with-cmk    # the rule that covers it ...
  # not_applicable: "why the check does not apply to what this project creates"
```

An entry with neither `rule` nor `not_applicable` is a known gap: it counts against coverage.
Coverage per cloud = covered / (covered + gaps); not-applicable checks are listed with their reason.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

ANCHORS_DIR = Path(__file__).resolve().parent / "anchors"
CLOUDS = ("aws", "gcp", "azure", "alicloud")
Tool = Literal["checkov", "trivy", "kics"]
_FIELDS = {"id", "tool", "title", "types", "rule", "not_applicable"}


class AnchorError(ValueError):
    """An anchors file is malformed; the message names the file, the entry and the field."""


@dataclass(frozen=True)
class Anchor:
    id: str
    tool: Tool
    title: str
    types: tuple[str, ...]
    cloud: str
    rule: str | None = None
    not_applicable: str | None = None

    @property
    def status(self) -> Literal["covered", "not-applicable", "gap"]:
        if self.rule:
            return "covered"
        return "not-applicable" if self.not_applicable else "gap"


def _entry(path: Path, index: int, raw: Any, cloud: str) -> Anchor:
    where = f"{path.name} entry {index}"
    if not isinstance(raw, Mapping):
        raise AnchorError(f"{where}: expected a mapping")
    unknown = set(raw) - _FIELDS
    if unknown:
        allowed = ", ".join(sorted(_FIELDS))
        raise AnchorError(f"{where}: unknown field(s) {', '.join(sorted(unknown))} (allowed: {allowed})")
    for field in ("id", "tool", "title", "types"):
        if not raw.get(field):
            raise AnchorError(f"{where}: '{field}' is required")
    if raw["tool"] not in ("checkov", "trivy", "kics"):
        raise AnchorError(f"{where}: tool {raw['tool']!r} is not one of checkov, trivy, kics")
    if raw.get("rule") and raw.get("not_applicable"):
        raise AnchorError(f"{where}: {raw['id']} is either covered by a rule or not applicable, not both")
    types = raw["types"]
    if not isinstance(types, list) or not all(isinstance(t, str) and t.count(":") >= 2 for t in types):
        raise AnchorError(f"{where}: 'types' must list Pulumi type tokens such as 'aws:s3/bucket:Bucket'")
    return Anchor(
        id=str(raw["id"]),
        tool=raw["tool"],
        title=str(raw["title"]),
        types=tuple(types),
        cloud=cloud,
        rule=str(raw["rule"]) if raw.get("rule") else None,
        not_applicable=str(raw["not_applicable"]) if raw.get("not_applicable") else None,
    )


@functools.cache
def load_anchors(directory: Path = ANCHORS_DIR) -> tuple[Anchor, ...]:
    found: list[Anchor] = []
    seen: dict[tuple[str, str], str] = {}
    for path in sorted(directory.glob("*.yaml")):
        cloud = path.stem.split("-", 1)[0]
        if cloud not in CLOUDS:
            raise AnchorError(f"{path.name}: the file name must start with a cloud ({', '.join(CLOUDS)})")
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if not isinstance(raw, list):
            raise AnchorError(f"{path.name}: expected a list of anchor checks")
        for index, entry in enumerate(raw):
            anchor = _entry(path, index, entry, cloud)
            key = (anchor.tool, anchor.id)
            if key in seen:
                raise AnchorError(
                    f"{path.name} entry {index}: {anchor.id} ({anchor.tool}) is listed in {seen[key]} too"
                )
            seen[key] = path.name
            found.append(anchor)
    return tuple(found)


def coverage(anchors: tuple[Anchor, ...]) -> dict[str, dict[str, int | float]]:
    """Per cloud (and `all`): covered, gaps, not applicable, and covered / (covered + gaps)."""
    result: dict[str, dict[str, int | float]] = {}
    for cloud in (*CLOUDS, "all"):
        chosen = [a for a in anchors if cloud == "all" or a.cloud == cloud]
        covered = sum(1 for a in chosen if a.status == "covered")
        gaps = sum(1 for a in chosen if a.status == "gap")
        applicable = covered + gaps
        result[cloud] = {
            "covered": covered,
            "gaps": gaps,
            "not_applicable": sum(1 for a in chosen if a.status == "not-applicable"),
            "percent": round(100.0 * covered / applicable, 1) if applicable else 100.0,
        }
    return result


def anchors_of_rule(rule_id: str, anchors: tuple[Anchor, ...] | None = None) -> list[Anchor]:
    return [a for a in (anchors if anchors is not None else load_anchors()) if a.rule == rule_id]
