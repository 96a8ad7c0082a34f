"""The engine's wire format for property values, and its JSON-friendly form for reports.

Property values travel between a program, the engine and a policy pack as protobuf Structs in
which some maps carry a signature key (secrets, resource references, assets, archives) and an
unknown value is a fixed sentinel string (pulumi/sdk/go/common/resource/sig and
`pulumi.runtime.rpc.UNKNOWN`). Reports show a secret as `[secret]` and an unknown value as
`[unknown]`; they never turn either into null.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17"
ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""The engine's sentinel for a value that is not known yet (`pulumi.runtime.rpc.UNKNOWN`)."""

SECRET_TEXT = "[secret]"
UNKNOWN_TEXT = "[unknown]"


def plain(value: Any) -> Any:
    """A wire value made JSON-friendly: secrets masked, resource references as their URN,
    unknowns as `[unknown]`, whole floats (protobuf carries every number as a double) as ints."""
    if isinstance(value, dict):
        sig = value.get(SIG_KEY)
        if sig == SECRET_SIG:
            return SECRET_TEXT
        if sig == RESOURCE_SIG:
            return value.get("urn")
        if sig == OUTPUT_SIG:
            # An output value: known -> its value (masked when secret), else unknown.
            if value.get("secret"):
                return SECRET_TEXT
            return plain(value["value"]) if "value" in value else UNKNOWN_TEXT
        if sig == ASSET_SIG:
            return {"asset": value.get("path") or value.get("uri") or "[text]"}
        if sig == ARCHIVE_SIG:
            return {"archive": value.get("path") or value.get("uri") or "[assets]"}
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if value == UNKNOWN:
        return UNKNOWN_TEXT
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def unknown_paths(value: Any, path: str = "") -> Iterator[str]:
    """Dotted paths of every unknown leaf of a JSON-friendly value (`plain`'s output)."""
    if value == UNKNOWN_TEXT:
        yield path or "."
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from unknown_paths(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from unknown_paths(item, f"{path}.{index}" if path else str(index))


def null_paths(value: Any, path: str = "") -> Iterator[str]:
    """Dotted paths of every null leaf of a JSON-friendly value."""
    if value is None:
        yield path or "."
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from null_paths(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from null_paths(item, f"{path}.{index}" if path else str(index))


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG


def secret(value: Any) -> dict[str, Any]:
    """`value` wrapped the way the engine marks a secret."""
    return {SIG_KEY: SECRET_SIG, "value": value}
