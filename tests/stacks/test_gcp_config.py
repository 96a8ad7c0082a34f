"""`ai-infra:clouds.gcp` config: valid specs parse; every mistake names its key path and what is allowed."""

from __future__ import annotations

import copy
import ipaddress
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from stacks.config import ConfigError, parse_environment
from stacks.config.gcp import plan_ranges

GCP = {
    "project": "acme-ml-test",
    "region": "us-central1",
    "billing_account": "012345-6789AB-CDEF01",
    "network": {"cidr": "10.20.0.0/16"},
    "gpu_pools": {"l4": {"accelerator": "nvidia-l4", "max_nodes": 2, "spot": True}},
    "tpu_pools": {"v5e": {"generation": "tpu-v5e", "topology": "2x2", "spot": True}},
    "buckets": {"models": {}, "datasets": {}},
    "workloads": {"trainer": {"namespace": "ml", "service_account": "trainer", "read": ["datasets"]}},
    "endpoints": {
        "chat": {
            "accelerator": "nvidia-l4",
            "image": "us-docker.pkg.dev/x/serve:1",
            "model": {"bucket": "models", "key": "chat/"},
        }
    },
    "budget": {"monthly_usd": 1000, "alert_emails": ["ml@example.com"]},
}


def parse(gcp: dict, **clouds):
    return parse_environment(
        {"environment": "dev", "owner": "ml", "cost_center": "cc-1", "clouds": {"gcp": gcp, **clouds}}
    )


def with_(path: str, value):
    """A copy of GCP with the value at dotted `path` replaced (None deletes it)."""
    spec = copy.deepcopy(GCP)
    *parents, last = path.split(".")
    node = spec
    for part in parents:
        node = node.setdefault(part, {})
    if value is None:
        node.pop(last, None)
    else:
        node[last] = value
    return spec


def problems(gcp: dict, **clouds) -> list[str]:
    with pytest.raises(ConfigError) as error:
        parse(gcp, **clouds)
    return error.value.problems


def test_a_valid_spec_parses_with_resolved_zones_and_ranges():
    spec = parse(GCP).clouds.gcp
    assert spec.node_zones == ["us-central1-a", "us-central1-b"]
    assert spec.cluster_location == "us-central1"
    assert spec.network.ranges.pods == "10.20.0.0/17"
    assert spec.network.ranges.subnet == "10.20.128.0/18"
    assert spec.tpu_zone("v5e") == "us-central1-a"
    assert spec.tpu_pools["v5e"].tpu.chips == 4


@pytest.mark.parametrize(
    ("path", "value", "says"),
    [
        ("projekt", "x", "did you mean 'project'"),
        ("project", "Acme_ML", "is not a project id (allowed: 6-30 lowercase"),
        ("billing_account", "12345", "is not a billing account id"),
        ("region", "mars-north1", "'mars-north1' is not a known gcp region"),
        ("zones", ["us-east1-b"], "'us-east1-b' is not a zone of us-central1"),
        ("network.nat", "per-zone", "Cloud NAT is regional"),
        ("network.cidr", "10.20.0.0/22", "too small to carve GKE pod"),
        ("network.pods_cidr", "10.99.0.0/17", "not inside network.cidr"),
        ("network.services_cidr", "10.20.0.0/20", "overlaps pods_cidr"),
        ("cluster.release_channel", "extended", "extended support"),
        ("cluster.master_authorized_networks", ["0.0.0.0/0"], "whole internet"),
        ("gpu_pools.l4.accelerator", "tpu-v5e", "TPUs go under tpu_pools"),
        ("gpu_pools.l4.machine_type", "a2-highgpu-1g", "with nvidia-a100"),
        ("gpu_pools.l4.reservation", "my-res", "cannot consume a reservation"),
        ("tpu_pools.v5e.topology", "3x3", "valid: 1x1, 2x2, 2x4"),
        ("tpu_pools.v5e.topology", "2x2x2", "has 3 dimensions"),
        ("tpu_pools.v5e.generation", "nvidia-l4", "not a TPU generation"),
        ("tpu_pools.v5e.zone", "us-central1-b", "not offered in us-central1-b"),
        ("tpu_pools.v5e.min_slices", 2, "greater than slices"),
        ("tpu_pools.v5e.runtime_version", "v2", "only TPU VMs"),
        ("buckets.models.soft_delete_days", 3, "or 7-90"),
        ("endpoints.chat.image", None, "serving container image"),
        ("endpoints.chat.min_replicas", 0, "at least one replica"),
        ("endpoints.chat.spot", True, "model_garden"),
        ("endpoints.chat.data_capture", True, "BigQuery"),
        ("endpoints.chat.target_invocations_per_replica", 60, "accelerator_duty_cycle_target"),
        ("endpoints.chat.model.bucket", "logs", "not a bucket"),
        ("endpoints.chat.machine_type", "a2-highgpu-1g", "nvidia-l4"),
        ("workloads.trainer.read", ["logs"], "not a bucket"),
    ],
)
def test_mistakes_name_the_key_and_what_is_allowed(path, value, says):
    """The problem is reported at `ai-infra:clouds.gcp.<path>`, the key that was set wrong."""
    found = problems(with_(path, value))
    assert any(p.startswith(f"ai-infra:clouds.gcp.{path}:") and says in p for p in found), found


def test_tpu_generation_not_offered_in_the_region():
    spec = with_("region", "us-west1")
    spec["tpu_pools"] = {"big": {"generation": "tpu-v5p", "topology": "2x2x2"}}
    [problem] = problems(spec)
    assert problem.startswith(
        "ai-infra:clouds.gcp.tpu_pools.big.generation: tpu-v5p is not offered in any zone of us-west1"
    )


def test_tpu_vms_do_not_scale_to_zero():
    spec = with_("tpu_pools.v5e.form", "tpu-vm")
    spec["tpu_pools"]["v5e"]["min_slices"] = 0
    [problem] = problems(spec)
    assert problem.startswith("ai-infra:clouds.gcp.tpu_pools.v5e.min_slices: TPU VMs do not scale")


def test_zonal_cluster_keeps_gke_tpu_pools_in_its_zone():
    spec = with_("cluster.location_type", "zonal")
    spec["tpu_pools"] = {"v6e": {"generation": "tpu-v6e", "topology": "2x2"}}
    [problem] = problems(spec)
    assert problem.startswith("ai-infra:clouds.gcp.tpu_pools.v6e.zone: the slice would run in us-central1-b")


def test_gpu_and_tpu_pools_cannot_share_a_node_pool_name():
    spec = with_("gpu_pools.v5e", {"accelerator": "nvidia-l4", "max_nodes": 1})
    [problem] = problems(spec)
    assert problem.startswith("ai-infra:clouds.gcp.tpu_pools.v5e: becomes GKE node pool 'v5e'")


def test_autoclass_and_tiering_exclude_each_other():
    spec = with_("buckets.models", {"autoclass": True, "tiering": {"infrequent_access_days": 30}})
    [problem] = problems(spec)
    assert problem.startswith("ai-infra:clouds.gcp.buckets.models.autoclass: autoclass and tiering exclude")


def test_endpoint_needs_a_model_or_a_model_garden_model():
    spec = with_("endpoints.chat.model", None)
    assert any(p.startswith("ai-infra:clouds.gcp.endpoints.chat.model: give either") for p in problems(spec))
    spec = with_("endpoints.chat.model_garden", {"model": "publishers/google/models/gemma3@gemma-3-1b-it"})
    assert any(p.startswith("ai-infra:clouds.gcp.endpoints.chat.model: give either") for p in problems(spec))


def test_model_garden_endpoints_cannot_be_vpc_peered():
    spec = with_(
        "endpoints.chat",
        {
            "accelerator": "nvidia-l4",
            "network_access": "private",
            "model_garden": {"model": "google/gemma-2-2b-it"},
        },
    )
    [problem] = problems(spec)
    assert problem.startswith("ai-infra:clouds.gcp.endpoints.chat.network_access:")


def test_network_must_not_overlap_another_clouds():
    aws = {
        "region": "us-east-1",
        "network": {"cidr": "10.20.0.0/16"},
        "budget": {"monthly_usd": 10, "alert_emails": ["a@example.com"]},
    }
    found = problems(GCP, aws=aws)
    assert any(p.startswith("ai-infra:clouds.gcp.network.cidr: '10.20.0.0/16' overlaps clouds.aws") for p in found)


@given(
    st.integers(min_value=0, max_value=255).map(lambda octet: f"10.{octet}.0.0"),
    st.integers(min_value=16, max_value=20),
)
def test_planned_ranges_are_inside_the_network_and_disjoint(base, prefix):
    cidr = str(ipaddress.IPv4Network(f"{base}/{prefix}", strict=False))
    ranges = plan_ranges(cidr)
    nets = [ipaddress.IPv4Network(r) for r in (ranges.subnet, ranges.pods, ranges.services, ranges.private_services)]
    network = ipaddress.IPv4Network(cidr)
    assert all(n.subnet_of(network) for n in nets)
    assert all(not a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1 :])
    assert ipaddress.IPv4Network(ranges.pods).num_addresses == network.num_addresses // 2


def test_the_readme_example_is_a_valid_config():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("<!-- BEGIN config-gcp -->") : readme.index("<!-- END config-gcp -->")]
    [example] = re.findall(r"```yaml\n(.*?)```", block, re.S)
    values = {key.split(":", 1)[1]: value for key, value in yaml.safe_load(example)["config"].items()}
    spec = parse_environment(values).clouds.gcp
    assert spec is not None and {"chat", "ranker"} == set(spec.endpoints)
