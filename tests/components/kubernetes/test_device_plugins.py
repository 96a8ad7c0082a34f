"""ai-infra:kubernetes:DevicePlugins: one pinned release per accelerator kind the pools need, in
kube-system, scheduled on exactly those pools' nodes."""

from __future__ import annotations

from components.kubernetes import DevicePlugins, DevicePluginsArgs
from tests.components.kubernetes.pools import H100, INF2, L4, RELEASE


def releases(declare, **args):
    run = declare(lambda: DevicePlugins("plugins", DevicePluginsArgs(**args)))
    return {r.name.removeprefix("plugins-"): r.inputs for r in run.of_type(RELEASE)}


def test_nothing_without_pools(declare):
    assert releases(declare) == {}


def test_nvidia_plugin_runs_on_the_gpu_pools_and_tolerates_their_taints(declare):
    nvidia = releases(declare, nvidia_pools=[H100, L4])["nvidia"]
    assert (nvidia["chart"], nvidia["version"]) == ("nvidia-device-plugin", "0.18.0")
    assert nvidia["repositoryOpts"] == {"repo": "https://nvidia.github.io/k8s-device-plugin"}
    assert nvidia["namespace"] == "kube-system"
    values = nvidia["values"]
    [term] = values["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert term == {"matchExpressions": [{"key": "ai-infra/pool", "operator": "In", "values": ["train", "serve"]}]}
    assert values["tolerations"] == [
        {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
        {"key": "kubernetes.azure.com/scalesetpriority", "operator": "Exists", "effect": "NoSchedule"},
    ]
    assert values["priorityClassName"] == "system-node-critical"


def test_neuron_and_efa_plugins_only_where_pools_need_them(declare):
    found = releases(declare, nvidia_pools=[H100], neuron_pools=[INF2], efa_pools=[H100])
    assert set(found) == {"nvidia", "neuron", "efa"}
    assert found["neuron"]["chart"] == "oci://public.ecr.aws/neuron/neuron-helm-chart"
    assert "repositoryOpts" not in found["neuron"]
    assert found["neuron"]["values"]["npd"] == {"enabled": False}
    assert (found["efa"]["chart"], found["efa"]["version"]) == ("aws-efa-k8s-device-plugin", "v0.5.20")
    assert found["efa"]["values"]["tolerations"] == [
        {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
    ]
    assert set(releases(declare, nvidia_pools=[L4])) == {"nvidia"}
