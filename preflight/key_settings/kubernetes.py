"""Key settings shown in the plan table for the in-cluster layer (pulumi-kubernetes types): which
chart at which version in which namespace, what a namespace enforces, what a queue admits."""

_PSA = "pod-security.kubernetes.io/enforce"

KEY_SETTINGS: dict[str, list[tuple[str, str]]] = {
    "kubernetes:helm.sh/v3:Release": [
        ("chart", "chart"),
        ("version", "version"),
        ("namespace", "namespace"),
        ("repo", "repositoryOpts.repo"),
    ],
    "kubernetes:helm.sh/v4:Chart": [("chart", "chart"), ("version", "version"), ("namespace", "namespace")],
    "kubernetes:core/v1:Namespace": [("name", "metadata.name"), ("enforce", f"metadata.labels.{_PSA}")],
    "kubernetes:kueue.x-k8s.io/v1beta2:ResourceFlavor": [
        ("name", "metadata.name"),
        ("pool", "spec.nodeLabels.ai-infra/pool"),
    ],
    "kubernetes:kueue.x-k8s.io/v1beta2:ClusterQueue": [
        ("name", "metadata.name"),
        ("cohort", "spec.cohortName"),
        ("namespace", "spec.namespaceSelector.matchLabels.kubernetes.io/metadata.name"),
    ],
    "kubernetes:kueue.x-k8s.io/v1beta2:LocalQueue": [
        ("namespace", "metadata.namespace"),
        ("name", "metadata.name"),
        ("cluster_queue", "spec.clusterQueue"),
    ],
    "kubernetes:azmonitoring.coreos.com/v1:ServiceMonitor": [
        ("namespace", "metadata.namespace"),
        ("port", "spec.endpoints.0.port"),
        ("interval", "spec.endpoints.0.interval"),
    ],
}
