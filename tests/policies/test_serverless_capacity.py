"""Serverless endpoints under the capacity rules (policies/rules/serverless_capacity.py): what
min 0 looks like on Cloud Run, Container Apps and Function Compute, one field changed at a time;
and the two kinds of AWS rule that act on machines, not people (policies/rules/monitoring.py)."""

from __future__ import annotations

import pytest

from policies.resources import Stack
from policies.rules import serverless_capacity as s
from policies.rules import workloads as w
from tests.policies.builders import assert_compliant, assert_flags, changed, res

RULE = "endpoint-scales-to-zero"


def good_serverless():
    cloud_run = res(
        s.CLOUD_RUN_SERVICE,
        "chat-service",
        {
            "ingress": "INGRESS_TRAFFIC_INTERNAL_ONLY",
            "template": {
                "scaling": {"minInstanceCount": 0, "maxInstanceCount": 2},
                "nodeSelector": {"accelerator": "nvidia-l4"},
            },
        },
    )
    environment = res(
        s.APPS_ENVIRONMENT,
        "chat-environment",
        {
            "workloadProfiles": [
                {"name": "Consumption", "workloadProfileType": "Consumption"},
                {"name": "gpu", "workloadProfileType": "Consumption-GPU-NC8as-T4"},
            ]
        },
    )
    app = res(
        s.CONTAINER_APP,
        "chat-app",
        {
            "workloadProfileName": "gpu",
            "managedEnvironmentId": "env-id",
            "template": {"scale": {"minReplicas": 0, "maxReplicas": 2}},
        },
        deps={"managedEnvironmentId": environment},
    )
    function = res(
        s.FC_FUNCTION, "chat-function", {"functionName": "chat", "gpuConfig": {"gpuType": "fc.gpu.ampere.1"}}
    )
    cap = res(
        s.FC_CONCURRENCY,
        "chat-concurrency",
        {"functionName": "chat", "reservedConcurrency": 2},
        deps={"functionName": function},
    )
    return [cloud_run, environment, app, function, cap]


def test_serverless_endpoints_at_zero_pass():
    assert_compliant(RULE, good_serverless())


def test_each_platform_reads_its_accelerator_and_bounds():
    readings = {r.name: w.capacity_of(r, None) for r in good_serverless()}
    assert readings["chat-service"].machines[0].accelerator == "nvidia-l4"
    assert (readings["chat-service"].minimum, readings["chat-service"].maximum) == (0, 2)
    assert readings["chat-function"].machines[0].accelerator == "nvidia-a10"


def test_a_cpu_cloud_run_service_is_no_accelerator_capacity():
    resources = changed(good_serverless(), "chat-service", "template.nodeSelector", {})
    assert w.capacity_of(resources[0], None) is None


@pytest.mark.parametrize(
    ("name", "path", "value"),
    [
        ("chat-service", "template.scaling.minInstanceCount", 1),
        ("chat-app", "template.scale.minReplicas", 1),
    ],
)
def test_an_instance_kept_while_idle_is_flagged(name, path, value):
    assert_flags(RULE, changed(good_serverless(), name, path, value), name, contains="1 replicas")


def test_a_provisioned_function_instance_is_flagged():
    resources = good_serverless()
    function = resources[3]
    resources.append(
        res(s.FC_PROVISION, "chat-provision", {"functionName": "chat", "target": 1}, deps={"functionName": function})
    )
    assert_flags(RULE, resources, "chat-function", contains="1 replicas")


def test_the_gpu_of_a_container_app_comes_from_its_environments_profile():
    resources = changed(good_serverless(), "chat-app", "workloadProfileName", "Consumption")
    app = next(r for r in resources if r.name == "chat-app")
    assert w.capacity_of(app, Stack(resources)) is None  # the CPU profile: no accelerator
    gpu_app = next(r for r in good_serverless() if r.name == "chat-app")
    reading = w.capacity_of(gpu_app, Stack(good_serverless()))
    assert reading is not None and reading.machines[0].accelerator == "nvidia-t4"


# -- alarms that drive machines ------------------------------------------------------------------
ALARM_RULE = "alarm-notifies-route"


def test_a_scaling_alarm_needs_no_route_but_a_plain_alarm_does():
    policy = res("aws:appautoscaling/policy:Policy", "wake-policy", {"policyType": "StepScaling"})
    wake = res(
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "wake-alarm",
        {"alarmActions": ["arn:aws:autoscaling:x"]},
        deps={"alarmActions": policy},
    )
    assert_compliant(ALARM_RULE, [policy, wake])
    plain = res("aws:cloudwatch/metricAlarm:MetricAlarm", "wake-alarm", {"alarmActions": ["arn:aws:autoscaling:x"]})
    assert_flags(ALARM_RULE, [policy, plain], "wake-alarm", contains="no SNS topic")


def test_an_event_rule_that_starts_a_state_machine_is_a_trigger_not_an_alarm():
    machine = res("aws:sfn/stateMachine:StateMachine", "machine", {"name": "score"})
    rule = res("aws:cloudwatch/eventRule:EventRule", "rule", {"name": "score-new-input"})
    target = res(
        "aws:cloudwatch/eventTarget:EventTarget",
        "target",
        {"rule": "score-new-input", "arn": "arn:aws:states:us-east-1:1:stateMachine:score"},
        deps={"rule": rule, "arn": machine},
    )
    assert_compliant(ALARM_RULE, [machine, rule, target])
    lambda_target = res(
        "aws:cloudwatch/eventTarget:EventTarget",
        "target",
        {"rule": "score-new-input", "arn": "arn:aws:lambda:us-east-1:1:function:f"},
        deps={"rule": rule},
    )
    assert_flags(ALARM_RULE, [machine, rule, lambda_target], "rule", contains="SNS topic")
