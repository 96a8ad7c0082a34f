"""Which alarm watches which endpoint or cluster, for the Mermaid graph.

A watcher (an alarm, alert policy, Prometheus rule group or scraper) watches a resource when one
of its inputs was computed from that resource (a property dependency) or names it (the endpoint
or cluster name as a quoted value or as the last segment of an id), on the same cloud. Edges join the components
that hold the two, so the graph reads `dev-chat-alarms -. watches .-> dev-chat`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from preflight.records import ResourceRecord

WATCHED_NAME_INPUTS = {
    "aws:sagemaker/endpoint:Endpoint": "name",
    "gcp:vertex/aiEndpoint:AiEndpoint": "name",
    "gcp:vertex/aiEndpointWithModelGardenDeployment:AiEndpointWithModelGardenDeployment": "",
    "azure-native:machinelearningservices:OnlineEndpoint": "endpointName",
    "alicloud:pai/service:Service": "serviceConfig.name",
    "aws:eks/cluster:Cluster": "name",
    "gcp:container/cluster:Cluster": "name",
    "azure-native:containerservice:ManagedCluster": "resourceName",
    "alicloud:cs/managedKubernetes:ManagedKubernetes": "",
}
"""Model endpoints and clusters -> the input holding the name a watcher would mention ('' when
watchers find them through property dependencies only)."""
WATCHER_TYPES = frozenset(
    {
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:amp/scraper:Scraper",
        "gcp:monitoring/alertPolicy:AlertPolicy",
        "azure-native:monitor:MetricAlert",
        "azure-native:alertsmanagement:PrometheusRuleGroup",
        "alicloud:cms/alarm:Alarm",
        "alicloud:arms/prometheusAlertRule:PrometheusAlertRule",
    }
)


def _name(record: ResourceRecord) -> str | None:
    path = WATCHED_NAME_INPUTS.get(record.type, "")
    if not path:
        return None
    key, _, nested = path.partition(".")
    value = record.inputs.get(key)
    if nested and isinstance(value, str):
        try:
            value = json.loads(value).get(nested)
        except (ValueError, AttributeError):
            return None
    return value if isinstance(value, str) and value and value != "[unknown]" else None


def _mentions(text: str, name: str) -> bool:
    return any(form in text for form in (f'"{name}"', f'\\"{name}\\"', f'/{name}"', f'/{name}\\"'))


def watch_edges(records: Iterable[ResourceRecord], component_nodes: Mapping[str, str]) -> list[tuple[str, str]]:
    """(watcher's component node, watched resource's component node) pairs, sorted, no repeats.
    `component_nodes`: component URN -> its node id in the graph."""
    records = list(records)
    by_urn = {r.urn: r for r in records}

    def node_of(record: ResourceRecord) -> str | None:
        current: ResourceRecord | None = record
        while current is not None:
            if current.urn in component_nodes:
                return component_nodes[current.urn]
            current = by_urn.get(current.parent) if current.parent else None
        return None

    watched = [r for r in records if r.type in WATCHED_NAME_INPUTS]
    edges: set[tuple[str, str]] = set()
    for watcher in (r for r in records if r.type in WATCHER_TYPES):
        sources = {urn for urns in watcher.property_dependencies.values() for urn in urns}
        text = json.dumps(watcher.inputs, sort_keys=True)
        for target in watched:
            if target.type.partition(":")[0] != watcher.type.partition(":")[0]:
                continue  # names repeat across clouds (`ai-infra-prod` is the EKS and the GKE cluster)
            name = _name(target)
            if target.urn in sources or (name is not None and _mentions(text, name)):
                src, dst = node_of(watcher), node_of(target)
                if src is not None and dst is not None and src != dst:
                    edges.add((src, dst))
    return sorted(edges)
