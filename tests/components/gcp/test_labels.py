"""GCP label normalization: whatever the tags say, the labels are valid GCP labels."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from components.gcp.labels import gcp_labels, label_key, label_value

KEY = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
VALUE = re.compile(r"^[a-z0-9_-]{0,63}$")


def test_project_tags_become_lowercase_dash_separated_labels():
    tags = {"environment": "dev", "owner": "ML Platform", "cost-center": "CC:1001", "managed-by": "pulumi"}
    assert gcp_labels(tags) == {
        "environment": "dev",
        "owner": "ml-platform",
        "cost-center": "cc-1001",
        "managed-by": "pulumi",
    }


def test_keys_start_with_a_letter_and_everything_is_cut_to_63():
    assert label_key("1st") == "l-1st"
    assert label_key("Ärger") == "l--rger"
    assert len(label_value("x" * 100)) == 63
    assert len(label_key("k" * 100)) == 63


@given(st.dictionaries(st.text(min_size=1, max_size=80), st.text(max_size=80), max_size=8))
def test_any_tags_become_valid_gcp_labels(tags):
    labels = gcp_labels(tags)
    for key, value in labels.items():
        assert KEY.match(key), key
        assert VALUE.match(value), value


@given(st.dictionaries(st.from_regex(KEY, fullmatch=True), st.from_regex(VALUE, fullmatch=True), max_size=8))
def test_valid_labels_are_left_alone(labels):
    assert gcp_labels(labels) == labels


@given(st.dictionaries(st.text(min_size=1, max_size=80), st.text(max_size=80), max_size=8))
def test_normalizing_twice_changes_nothing(tags):
    once = gcp_labels(tags)
    assert gcp_labels(once) == once
