"""Names the GCP stack derives: bucket names and Vertex accelerator names."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from stacks.gcp import bucket_name, vertex_accelerator

BUCKET = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")


@given(
    st.from_regex(r"[a-z][a-z0-9-]{4,28}[a-z0-9]", fullmatch=True),
    st.from_regex(r"[a-z][a-z0-9-]{0,14}", fullmatch=True),
    st.from_regex(r"[a-z][a-z0-9-]{0,30}[a-z0-9]", fullmatch=True),
)
def test_bucket_names_fit_gcs_rules_and_stay_distinct(project, environment, purpose):
    name = bucket_name(project, environment, purpose)
    assert BUCKET.match(name), name
    assert name == bucket_name(project, environment, purpose)
    if len(f"{project}-{environment}-{purpose}") <= 63:
        assert name == f"{project}-{environment}-{purpose}"
    else:
        assert name != bucket_name(project, environment, f"{purpose}x")


def test_vertex_accelerator_names():
    assert vertex_accelerator("nvidia-tesla-a100") == "NVIDIA_TESLA_A100"
    assert vertex_accelerator("nvidia-h100-80gb") == "NVIDIA_H100_80GB"
    assert vertex_accelerator("nvidia-l4") == "NVIDIA_L4"
