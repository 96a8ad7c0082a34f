"""The AKS cluster autoscaler profile: one per cluster, tuned for few, expensive GPU nodes.

AKS runs the autoscaler itself; pools opt in with `enable_auto_scaling`, and this profile says how
it behaves for all of them."""

from __future__ import annotations

AUTOSCALER_PROFILE = {
    # Of the pools that fit a Pending pod, grow the one that leaves the least CPU and memory idle.
    "expander": "least-waste",
    "balance_similar_node_groups": "true",
    # Idle GPU nodes go after 10 minutes, but not within 10 minutes of a scale-up (no flapping).
    "scale_down_unneeded_time": "10m",
    "scale_down_delay_after_add": "10m",
    "scale_down_utilization_threshold": "0.5",
    # GPU VMs and their driver install take long: do not give up on a new node too early.
    "max_node_provision_time": "20m",
    # Training pods use emptyDir scratch space; that must not keep an idle GPU node alive.
    "skip_nodes_with_local_storage": "false",
}
"""The cluster autoscaler profile (one per AKS cluster), tuned for few, expensive GPU nodes."""
