"""Google Cloud labels: the project's tags made valid GCP label keys and values.

GCP label keys and values allow only lowercase letters, digits, `_` and `-`, at most 63
characters; keys must start with a letter (values may be empty). Tags like `owner: ML Platform`
or `cost-center: CC:1001` are not valid as they are, so every GCP component labels resources
with `gcp_labels(tags)`: lowercased, any other character replaced by `-`, cut to 63 characters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

MAX_LENGTH = 63
_NOT_ALLOWED = re.compile(r"[^a-z0-9_-]")


def label_value(value: str) -> str:
    """`'CC:1001'` -> `'cc-1001'`: a valid GCP label value (possibly empty)."""
    return _NOT_ALLOWED.sub("-", str(value).lower())[:MAX_LENGTH]


def label_key(key: str) -> str:
    """A valid GCP label key: like a value, and starting with a lowercase letter (`l-` is put
    in front of a key that would not)."""
    normalized = _NOT_ALLOWED.sub("-", str(key).lower())
    if not normalized[:1].isalpha() or not normalized[:1].isascii():
        normalized = f"l-{normalized}"
    return normalized[:MAX_LENGTH]


def gcp_labels(tags: Mapping[str, str]) -> dict[str, str]:
    """Tags as GCP labels. Two tags that normalize to the same key keep the later value."""
    return {label_key(key): label_value(value) for key, value in tags.items()}
