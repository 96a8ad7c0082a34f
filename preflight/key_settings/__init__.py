"""The few inputs per resource type a reviewer looks at first (instance types, sizes, spot)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from preflight.key_settings import alicloud, aws, azure, gcp, kubernetes, monitoring
from preflight.records import ResourceRecord

# type token -> [(label, dotted input path, or a function of the inputs)], one module per cloud
# (and one for the monitoring types of all four). Types not listed show no settings column.
KEY_SETTINGS: dict[str, Sequence[tuple[str, str | Callable[[dict[str, Any]], Any]]]] = {
    **aws.KEY_SETTINGS,
    **gcp.KEY_SETTINGS,
    **azure.KEY_SETTINGS,
    **alicloud.KEY_SETTINGS,
    **monitoring.KEY_SETTINGS,
    **kubernetes.KEY_SETTINGS,
}


def dig(value: Any, path: str) -> Any:
    """`dig(inputs, "scalingConfig.minSize")`; list indices are numbers; None when absent. A map
    key that itself contains dots (Kubernetes labels: `pod-security.kubernetes.io/enforce`) is
    matched by joining the following parts."""
    parts = path.split(".")
    index = 0
    while index < len(parts):
        part = parts[index]
        if isinstance(value, list) and part.isdigit():
            position = int(part)
            value = value[position] if position < len(value) else None
        elif isinstance(value, dict):
            for end in range(len(parts), index, -1):
                key = ".".join(parts[index:end])
                if key in value:
                    value, index = value[key], end - 1
                    break
            else:
                return None
        else:
            return None
        index += 1
    return value


def key_settings(record: ResourceRecord) -> str:
    parts = []
    for label, path in KEY_SETTINGS.get(record.type, []):
        value = path(record.inputs) if callable(path) else dig(record.inputs, path)
        if value is None:
            continue
        if isinstance(value, list):
            value = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = str(value).lower()
        parts.append(f"{label}={value}")
    return " ".join(parts)
