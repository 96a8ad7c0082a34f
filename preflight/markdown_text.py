"""Markdown building blocks shared by the plan and diff comments: money and counts, table cells,
gates and finding lines, collapsed sections. Deterministic text only (no timestamps, no ANSI)."""

from __future__ import annotations

import html
import json
from typing import Any

from preflight.diff.model import ABSENT, Amount, finding_class
from preflight.records import ROOT_STACK_TYPE
from preflight.render_table import short_type

_VALUE_LIMIT = 120


# -- numbers ------------------------------------------------------------------------------------------
def usd(value: float | None) -> str:
    """`$2,288`, `$11.50` under $100 (so that small amounts keep their cents), `unknown` for None."""
    if value is None:
        return "unknown"
    cents = round(value, 2)
    sign = "-" if cents < 0 else ""
    magnitude = abs(cents)
    if 0 < magnitude < 100:
        return f"{sign}${magnitude:,.2f}"
    return f"{sign}${magnitude:,.0f}"


def signed_usd(value: float | None) -> str:
    """`+$412`, `-$12`, `$0`; `n/a` for None."""
    if value is None:
        return "n/a"
    text = usd(value)
    return text if text.startswith("-") or text in ("$0", "$0.00") else f"+{text}"


def signed_percent(value: float | None) -> str:
    """`+18%`, `-0.4%`, `0%`; `n/a` when there is no base to compare with."""
    if value is None:
        return "n/a"
    rounded = round(value) if abs(value) >= 1 else round(value, 1)
    if rounded == 0:
        return "0%"
    return f"{'+' if rounded > 0 else ''}{rounded:,}%"


def signed_count(base: int | None, head: int | None) -> str:
    if base is None or head is None:
        return "n/a"
    delta = head - base
    return f"+{delta}" if delta > 0 else str(delta)


def amount_change(amount: Amount) -> str:
    """`+$412 (+18%)`."""
    if amount.delta is None:
        return "n/a"
    return f"{signed_usd(amount.delta)} ({signed_percent(amount.percent)})"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# -- cells --------------------------------------------------------------------------------------------
def code(text: str) -> str:
    """Inline code that survives table cells and backticks in the text."""
    return f"<code>{html.escape(text, quote=False).replace('|', '&#124;')}</code>"


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def value_text(value: Any) -> str:
    if value is ABSENT:
        return "*(absent)*"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    if len(text) > _VALUE_LIMIT:
        text = text[: _VALUE_LIMIT - 1] + "…"
    return code(text)


def resource_name(urn: str | None) -> str:
    return urn.rsplit("::", 1)[-1] if urn else "(stack)"


def resource_type(urn: str | None) -> str:
    if not urn:
        return ROOT_STACK_TYPE
    parts = urn.split("::")
    return parts[2].rsplit("$", 1)[-1] if len(parts) >= 4 else urn


_GATE_COMMANDS = {"preview": "`pulumi preview`", "update": "`pulumi up`"}


def gates_line(gates: dict[str, Any]) -> str:
    """`Gates: `pulumi preview` ✅ pass · `pulumi up` ❌ refused (2 mandatory)`."""
    parts = []
    for phase, gate in gates.items():
        refused = gate.get("verdict") == "refused"
        mark = "❌ refused" if refused else "✅ pass"
        detail = f" ({plural(gate.get('mandatory', 0), 'mandatory finding')})" if refused else ""
        if gate.get("deferred"):
            detail += f" ({gate['deferred']} judged at update)"
        parts.append(f"{_GATE_COMMANDS.get(phase, phase)} {mark}{detail}")
    return "Gates: " + " · ".join(parts)


# -- findings -----------------------------------------------------------------------------------------
def finding_line(finding: dict[str, Any]) -> list[str]:
    """`- **rule** (severity, mandatory) on `name` (type): message` and its remediation / suppression."""
    target = finding.get("urn")
    on_stack = not target or resource_type(target) == ROOT_STACK_TYPE
    where = "the stack" if on_stack else f"{code(resource_name(target))} ({short_type(resource_type(target))})"
    severity = finding.get("severity") or "unknown severity"
    phases = finding.get("phases") or ([finding["phase"]] if finding.get("phase") else [])
    at = f", {'+'.join(phases)}" if phases else ""
    lines = [
        f"- **{cell(str(finding.get('rule')))}** ({severity}, {finding_class(finding)}{at}) on {where}: "
        f"{cell(str(finding.get('message') or ''))}"
    ]
    if finding.get("remediation"):
        lines.append(f"  - Fix: {cell(str(finding['remediation']))}")
    suppression = finding.get("suppression")
    if finding.get("suppressed") and isinstance(suppression, dict):
        lines.append(
            f"  - Suppressed by {cell(str(suppression.get('owner') or 'unknown owner'))} "
            f"until {suppression.get('expires') or 'no expiry'}: {cell(str(suppression.get('reason') or ''))}"
        )
    return lines


def details(summary: str, body: list[str]) -> list[str]:
    # The blank line after <summary> makes GitHub render the body as Markdown.
    return ["<details>", f"<summary>{summary}</summary>", "", *body, "", "</details>", ""]


def findings_block(title: str, findings: list[dict[str, Any]], *, collapsed: bool) -> list[str]:
    if not findings:
        return []
    body = [line for finding in findings for line in finding_line(finding)]
    if collapsed:
        return details(f"{title} ({len(findings)})", body)
    return [f"**{title} ({len(findings)})**", "", *body, ""]
