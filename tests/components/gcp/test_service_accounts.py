"""Service-account ids and Vertex endpoint ids are always valid, stable and distinct."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from components.gcp.model_endpoint import vertex_endpoint_id
from components.gcp.service_accounts import account_id

ACCOUNT_ID = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")


@given(st.text(min_size=1, max_size=80))
def test_account_ids_are_valid_for_any_name(name):
    assert ACCOUNT_ID.match(account_id(name)), account_id(name)


def test_short_names_are_kept_and_long_ones_stay_distinct():
    assert account_id("dev-trainer") == "dev-trainer"
    long_a = account_id("production-batch-inference-workload-a")
    long_b = account_id("production-batch-inference-workload-b")
    assert long_a != long_b and len(long_a) <= 30


def test_vertex_endpoint_ids_are_ten_digits_and_stable():
    endpoint_id = vertex_endpoint_id("acme", "us-central1", "prod-chat")
    assert re.fullmatch(r"[1-9][0-9]{9}", endpoint_id)
    assert endpoint_id == vertex_endpoint_id("acme", "us-central1", "prod-chat")
    assert endpoint_id != vertex_endpoint_id("acme", "us-central1", "dev-chat")
