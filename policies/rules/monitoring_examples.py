"""Compliant and violating inputs of the monitoring rules, for docs/policy-rules.md (judged by
tests/policies/test_rule_examples.py, so the documentation cannot drift from the rules)."""

from __future__ import annotations

from typing import Any

from policies.framework import Example

_AWS_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
_GCP_ALERT_POLICY = "gcp:monitoring/alertPolicy:AlertPolicy"
_TOPIC = "arn:aws:sns:us-east-1:123456789012:ai-infra-prod-alerts"
_ENDPOINT = {"EndpointName": "ai-infra-prod-chat", "VariantName": "primary"}

_ERRORS_ALARM: dict[str, Any] = {
    "namespace": "AWS/SageMaker",
    "metricName": "Invocation5XXErrors",
    "statistic": "Sum",
    "period": 300,
    "evaluationPeriods": 1,
    "threshold": 5,
    "comparisonOperator": "GreaterThanThreshold",
}

ALARM_NOTIFIES_ROUTE = (
    Example(
        type=_AWS_ALARM,
        compliant={**_ERRORS_ALARM, "alarmActions": [_TOPIC]},
        violating={**_ERRORS_ALARM, "alarmActions": []},
        note="no alarm action",
    ),
)

# Judged with the endpoint in the stack: tests/policies/test_rule_examples.py adds it, and its
# error alarm, to both variants.
ENDPOINT_ALARMS = (
    Example(
        type=_AWS_ALARM,
        compliant={
            "namespace": "AWS/SageMaker",
            "metricName": "ModelLatency",
            "dimensions": _ENDPOINT,
            "extendedStatistic": "p90",
            "period": 300,
            "evaluationPeriods": 3,
            "threshold": 2000000,
            "comparisonOperator": "GreaterThanThreshold",
            "alarmActions": [_TOPIC],
        },
        violating={
            "namespace": "AWS/SageMaker",
            "metricName": "Invocations",
            "dimensions": _ENDPOINT,
            "statistic": "Sum",
            "period": 300,
            "evaluationPeriods": 3,
            "threshold": 10000,
            "comparisonOperator": "GreaterThanThreshold",
            "alarmActions": [_TOPIC],
        },
        note="the endpoint ai-infra-prod-chat has an Invocation5XXErrors alarm; its second alarm counts requests "
        "instead of measuring latency",
    ),
)


def _gpu_policy(name: str, condition: str, comparison: str) -> dict[str, Any]:
    query = f'avg by (node) (DCGM_FI_DEV_GPU_UTIL{{cluster="ai-infra-prod"}}) {comparison}'
    return {
        "displayName": f"ai-infra-prod GPUs {name}",
        "combiner": "OR",
        "conditions": [
            {
                "displayName": f"GPU utilisation {condition} for 2h",
                "conditionPrometheusQueryLanguage": {"query": query, "duration": "7200s"},
            }
        ],
        "notificationChannels": ["projects/ml-prod/notificationChannels/123"],
    }


# Judged with the cluster and one of its GPU pools in the stack: tests/policies/test_rule_examples.py
# adds both to each variant.
GPU_IDLE_ALERT = (
    Example(
        type=_GCP_ALERT_POLICY,
        compliant=_gpu_policy("idle", "below 5%", "< 5"),
        violating=_gpu_policy("saturated", "above 95%", "> 95"),
        note="the GKE cluster ai-infra-prod runs a GPU pool; its only GPU alert fires on busy GPUs, not idle ones",
    ),
)
