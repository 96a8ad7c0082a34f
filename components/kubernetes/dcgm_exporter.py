"""`ai-infra:kubernetes:DcgmExporter`: NVIDIA's DCGM exporter on every GPU node, publishing GPU
utilisation, memory, power, temperature and XID errors as Prometheus metrics, plus the object
that tells the cluster's managed Prometheus to scrape it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.charts import DCGM_EXPORTER
from components.kubernetes.helm import helm_release
from components.kubernetes.namespace import NODE_AGENTS_NAMESPACE
from components.kubernetes.pools import AcceleratorPool
from components.kubernetes.scheduling import POOL_LABEL, require_node_label_in, tolerations
from components.options import child_options

RELEASE = "dcgm-exporter"
METRICS_PORT = 9400
METRICS_PATH = "/metrics"

ScrapeObject = Literal["annotations", "azure-managed-prometheus", "prometheus-operator"]
"""How the cluster's Prometheus finds the exporter:
`annotations`: `prometheus.io/scrape` pod annotations only (Amazon Managed Service for
Prometheus scrapers and most agents discover pods by them);
`azure-managed-prometheus`: an `azmonitoring.coreos.com/v1` ServiceMonitor, which the AKS
managed Prometheus add-on (ama-metrics) reads;
`prometheus-operator`: the chart's own `monitoring.coreos.com/v1` ServiceMonitor."""


@dataclass(frozen=True)
class DcgmExporterValues:
    """Values of the `dcgm-exporter` chart: GPU pools' nodes only, a stable service name, the
    scrape annotations, and the chart's ServiceMonitor only where the Prometheus operator runs."""

    pools: Sequence[AcceleratorPool]
    prometheus_operator: bool = False

    def to_values(self) -> dict[str, Any]:
        return {
            "fullnameOverride": RELEASE,
            "affinity": require_node_label_in(POOL_LABEL, [p.name for p in self.pools]),
            "tolerations": tolerations(t.toleration() for p in self.pools for t in p.taints),
            "service": {"port": METRICS_PORT},
            "serviceMonitor": {"enabled": self.prometheus_operator},
            "podAnnotations": {
                "prometheus.io/scrape": "true",
                "prometheus.io/port": str(METRICS_PORT),
                "prometheus.io/path": METRICS_PATH,
            },
            "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "1Gi"}},
        }


@dataclass(frozen=True, kw_only=True)
class DcgmExporterArgs:
    """Inputs of `DcgmExporter`."""

    pools: Sequence[AcceleratorPool]
    """GPU pools whose nodes run the exporter (one pod per node)."""
    scrape: ScrapeObject = "annotations"
    """Default `annotations`: pod annotations only. See `ScrapeObject` for the others."""
    scrape_interval_seconds: int = 30
    """How often the managed Prometheus scrapes (scrape objects only). Default 30 s."""


class DcgmExporter(pulumi.ComponentResource):
    """A Helm release of the DCGM exporter in `kube-system` (it reads the kubelet's pod-resources
    socket from the host and needs `SYS_ADMIN`, which no Pod Security level short of privileged
    allows), and, for AKS, its ServiceMonitor."""

    namespace: pulumi.Output[str]
    service_name: pulumi.Output[str]
    metrics_port: pulumi.Output[int]
    metrics_path: pulumi.Output[str]

    def __init__(self, name: str, args: DcgmExporterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:kubernetes:DcgmExporter", name, None, opts)
        if not args.pools:
            raise ValueError(f"{name}: the DCGM exporter needs at least one GPU pool")
        not_gpu = sorted(p.name for p in args.pools if p.kind != "gpu")
        if not_gpu:
            raise ValueError(f"{name}: pools {', '.join(not_gpu)} carry no NVIDIA GPUs")
        values = DcgmExporterValues(args.pools, prometheus_operator=args.scrape == "prometheus-operator")
        release = helm_release(
            f"{name}-release",
            chart=DCGM_EXPORTER,
            release_name=RELEASE,
            namespace=NODE_AGENTS_NAMESPACE,
            values=values.to_values(),
            parent=self,
        )
        if args.scrape == "azure-managed-prometheus":
            k8s.apiextensions.CustomResource(
                f"{name}-scrape",
                api_version="azmonitoring.coreos.com/v1",
                kind="ServiceMonitor",
                metadata={"name": RELEASE, "namespace": NODE_AGENTS_NAMESPACE},
                spec={
                    "selector": {
                        "matchLabels": {"app.kubernetes.io/name": RELEASE, "app.kubernetes.io/instance": RELEASE}
                    },
                    "endpoints": [
                        {"port": "metrics", "path": METRICS_PATH, "interval": f"{args.scrape_interval_seconds}s"}
                    ],
                },
                opts=child_options(self, depends_on=[release]),
            )

        self.namespace = pulumi.Output.from_input(NODE_AGENTS_NAMESPACE)
        # Known at preview (the chart names the service after `fullnameOverride`).
        self.service_name = pulumi.Output.from_input(RELEASE)
        self.metrics_port = pulumi.Output.from_input(METRICS_PORT)
        self.metrics_path = pulumi.Output.from_input(METRICS_PATH)
        self.register_outputs(
            {
                "namespace": self.namespace,
                "service_name": self.service_name,
                "metrics_port": self.metrics_port,
                "metrics_path": self.metrics_path,
            }
        )
