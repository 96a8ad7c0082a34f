"""`ai-infra:price_book`: a valid price book is accepted; each mistake names the key path, the value
and what is allowed."""

from __future__ import annotations

from typing import Any

import pytest

from stacks.config import ConfigError, parse_environment

BASE: dict[str, Any] = {
    "environment": "dev",
    "owner": "ml-platform",
    "cost_center": "cc-ml-1001",
    "clouds": {
        "aws": {
            "region": "us-east-1",
            "network": {"cidr": "10.10.0.0/16"},
            "budget": {"monthly_usd": 100, "alert_emails": ["a@example.com"]},
        }
    },
}


def test_price_book_is_optional_and_parsed() -> None:
    assert parse_environment(BASE).price_book is None
    env = parse_environment({**BASE, "price_book": {"discounts": {"aws": 10, "aws:p5.48xlarge": 25.5}}})
    assert env.price_book is not None
    assert env.price_book.discounts == {"aws": 10.0, "aws:p5.48xlarge": 25.5}


@pytest.mark.parametrize(
    ("price_book", "problem"),
    [
        (
            {"discounts": {"aws": 100}},
            "ai-infra:price_book.discounts.aws: 100 is not a percentage from 0 up to, not including, 100",
        ),
        (
            {"discounts": {"aws": -5}},
            "ai-infra:price_book.discounts.aws: -5 is not a percentage from 0 up to, not including, 100",
        ),
        (
            {"discounts": {"oci": 5}},
            "ai-infra:price_book.discounts.oci: 'oci' is not a cloud (allowed keys: aws, gcp, azure, alicloud, "
            "or <cloud>:<machine type>)",
        ),
        (
            {"discounts": {"aws:p5 48xlarge": 5}},
            "ai-infra:price_book.discounts.aws:p5 48xlarge: 'p5 48xlarge' is not a machine type name "
            "(letters, digits, . _ -), as in 'aws:p5.48xlarge'",
        ),
        ({"discounts": {"aws": "10"}}, "ai-infra:price_book.discounts.aws: '10' is not valid (expected a number)"),
        ({"discount": {"aws": 10}}, "ai-infra:price_book.discount: unknown key (allowed: discounts); did you mean"),
    ],
)
def test_price_book_mistakes_name_the_key(price_book: dict[str, Any], problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_environment({**BASE, "price_book": price_book})
    assert [p for p in raised.value.problems if p.startswith(problem)], raised.value.problems
