"""Hand-edited data files reject a key written twice (PyYAML alone keeps the last one)."""

from __future__ import annotations

import pytest

from catalog.strict_yaml import DuplicateKeyError, load_strict


def test_a_repeated_key_names_both_lines() -> None:
    text = "fees:\n  kms-key:\n    '*': {unknown: a}\n    '*': {unknown: b}\n"
    with pytest.raises(DuplicateKeyError, match=r":4: key '\*' appears twice .*first at line 3"):
        load_strict(text)


def test_equal_keys_in_different_mappings_are_fine() -> None:
    assert load_strict("a: {x: 1}\nb: {x: 2}\n") == {"a": {"x": 1}, "b": {"x": 2}}
