"""ai-infra:alicloud:AlertRoute: the same people in CloudMonitor (contacts + group) and ARMS
(contacts + group + a dispatch rule for this environment's alert rules)."""

from __future__ import annotations

import pytest

from components.alicloud.alert_route import ALERT_NAME_LABEL, AlertRoute, AlertRouteArgs


def make(**overrides):
    args = {
        "name_prefix": "ai-infra-test",
        "emails": ["oncall@example.com", "ml@example.com"],
        "rule_prefix": "ai-infra-test",
        **overrides,
    }
    return lambda: AlertRoute("alerts", AlertRouteArgs(**args))


def test_cloudmonitor_contacts_and_their_group(declare):
    run = declare(make())
    contacts = run.of_type("alicloud:cms/alarmContact:AlarmContact")
    assert sorted(c.inputs["channelsMail"] for c in contacts) == ["ml@example.com", "oncall@example.com"]
    group = run.one("alicloud:cms/alarmContactGroup:AlarmContactGroup").inputs
    assert group["alarmContactGroupName"] == "ai-infra-test-alerts"
    assert sorted(group["contacts"]) == sorted(c.inputs["alarmContactName"] for c in contacts)


def test_arms_alerts_of_this_environment_are_dispatched_to_the_same_people(declare):
    run = declare(make())
    assert sorted(c.inputs["email"] for c in run.of_type("alicloud:arms/alertContact:AlertContact")) == [
        "ml@example.com",
        "oncall@example.com",
    ]
    group = run.one("alicloud:arms/alertContactGroup:AlertContactGroup")
    rule = run.one("alicloud:arms/dispatchRule:DispatchRule").inputs
    [expression] = rule["labelMatchExpressionGrids"][0]["labelMatchExpressionGroups"][0]["labelMatchExpressions"]
    assert expression == {"key": ALERT_NAME_LABEL, "operator": "re", "value": "ai-infra-test-.*"}
    [notify] = rule["notifyRules"]
    assert notify["notifyChannels"] == ["email"]
    assert notify["notifyObjects"][0]["notifyType"] == "ARMS_CONTACT_GROUP"
    assert notify["notifyObjects"][0]["notifyObjectId"] == run.id_of(group.name)
    assert rule["isRecover"] is True


def test_a_route_without_addresses_is_refused(declare):
    with pytest.raises(ValueError, match="e-mail"):
        declare(make(emails=[]))
