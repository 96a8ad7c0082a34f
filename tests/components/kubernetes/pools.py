"""Accelerator pools the in-cluster component tests share."""

from __future__ import annotations

from components.kubernetes import AcceleratorPool, Taint

GPU_TAINT = Taint("nvidia.com/gpu", "present")
SPOT_TAINT = Taint("kubernetes.azure.com/scalesetpriority", "spot")

H100 = AcceleratorPool(name="train", accelerator="nvidia-h100", per_node=8, max_nodes=4, taints=[GPU_TAINT], efa=True)
L4 = AcceleratorPool(name="serve", accelerator="nvidia-l4", per_node=1, max_nodes=6, taints=[GPU_TAINT, SPOT_TAINT])
L4_SPARE = AcceleratorPool(name="spare", accelerator="nvidia-l4", per_node=1, max_nodes=2, taints=[GPU_TAINT])
TPU = AcceleratorPool(
    name="pretrain",
    accelerator="tpu-v5p",
    per_node=4,
    max_nodes=4,
    taints=[Taint("google.com/tpu", "present")],
    node_labels={"cloud.google.com/gke-tpu-accelerator": "tpu-v5p-slice", "cloud.google.com/gke-tpu-topology": "2x2x2"},
)
INF2 = AcceleratorPool(
    name="inf", accelerator="aws-inferentia2", per_node=1, max_nodes=2, taints=[Taint("aws.amazon.com/neuron", "true")]
)
RELEASE = "kubernetes:helm.sh/v3:Release"
NAMESPACE = "kubernetes:core/v1:Namespace"
