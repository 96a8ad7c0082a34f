"""The Mermaid graph draws a dotted `watches` edge from each alarm component to the endpoint or
cluster component it watches, found through property dependencies or names, never across clouds."""

from __future__ import annotations

import re

import pulumi
import pulumi_aws as aws
import pulumi_gcp as gcp

from components.alert_rules import EndpointThresholds
from components.aws.endpoint_alarms import EndpointAlarms, EndpointAlarmsArgs
from preflight.engine import run_declarations
from preflight.render_mermaid import render_mermaid

WATCH = re.compile(r"^  (?P<src>\w+) -\. watches \.-> (?P<dst>\w+)$")
TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts"


class _Serving(pulumi.ComponentResource):
    """A stand-in for a model endpoint component: one SageMaker endpoint named `endpoint_name`."""

    def __init__(self, name: str, endpoint_name: str):
        super().__init__("test:index:Serving", name, None, None)
        self.endpoint = aws.sagemaker.Endpoint(
            f"{name}-endpoint",
            name=endpoint_name,
            endpoint_config_name="config",
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})


class _LooseAlarms(pulumi.ComponentResource):
    """Alarms that name an endpoint in plain strings (no Output, so no property dependency)."""

    def __init__(self, name: str, endpoint_name: str):
        super().__init__("test:index:LooseAlarms", name, None, None)
        aws.cloudwatch.MetricAlarm(
            f"{name}-latency",
            comparison_operator="GreaterThanThreshold",
            evaluation_periods=5,
            metric_name="ModelLatency",
            namespace="AWS/SageMaker",
            dimensions={"EndpointName": endpoint_name},
            period=60,
            extended_statistic="p99",
            threshold=1,
            alarm_actions=[TOPIC],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})


class _OtherCloud(pulumi.ComponentResource):
    """A Google Cloud policy that mentions the same name: it watches nothing on AWS."""

    def __init__(self, name: str, endpoint_name: str):
        super().__init__("test:index:OtherCloud", name, None, None)
        gcp.monitoring.AlertPolicy(
            f"{name}-other-cloud",
            display_name="x",
            combiner="OR",
            conditions=[
                {"display_name": "x", "condition_absent": {"filter": f'name = "{endpoint_name}"', "duration": "60s"}}
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})


def _program():
    served = _Serving("chat", "ai-infra-test-chat")
    _Serving("other", "ai-infra-test-other")
    EndpointAlarms(
        "chat-alarms",
        EndpointAlarmsArgs(
            endpoint_name=served.endpoint.name,
            alarm_topic_arn=TOPIC,
            alarm_name_prefix="chat",
            thresholds=EndpointThresholds(alarms=("errors", "latency")),
        ),
    )
    _LooseAlarms("loose", "ai-infra-test-other")
    _OtherCloud("other-cloud", "ai-infra-test-other")


def _watches(graph: str) -> list[tuple[str, str]]:
    return [(m["src"], m["dst"]) for line in graph.splitlines() if (m := WATCH.match(line))]


def test_alarm_components_point_at_what_they_watch():
    run, _log = run_declarations(_program, project="demo", stack="dev")
    graph = render_mermaid(run)
    assert _watches(graph) == [("c_chat_alarms", "c_chat"), ("c_loose", "c_other")]
    for src, dst in _watches(graph):
        assert f"  {src}[" in graph and f"  {dst}[" in graph, "both ends are declared nodes"
