"""Every chart the platform installs is one exact version from a named source, and the Cluster
Autoscaler image follows the cluster's Kubernetes minor version for every allowed EKS version."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog import load_catalog
from components.kubernetes.charts import ALL_CHARTS, CLUSTER_AUTOSCALER_TAGS, cluster_autoscaler_tag
from components.kubernetes.helm import EXACT_VERSION, HelmChart


@pytest.mark.parametrize("chart", ALL_CHARTS, ids=lambda c: c.short_name)
def test_every_chart_is_pinned_to_one_version_from_a_named_source(chart):
    assert EXACT_VERSION.match(chart.version)
    assert chart.repository or chart.name.startswith("oci://")


@pytest.mark.parametrize("version", ["", "^1.2.0", "~1.2", ">=1.0.0", "1.x", "1.2", "latest"])
def test_a_chart_without_one_exact_version_is_refused(version):
    with pytest.raises(ValueError, match="exact version"):
        HelmChart("kueue", version, "https://example.com/charts")


def test_a_chart_needs_an_https_repository_or_an_oci_reference():
    with pytest.raises(ValueError, match="repository"):
        HelmChart("kueue", "1.0.0")
    with pytest.raises(ValueError, match="https"):
        HelmChart("kueue", "1.0.0", "http://example.com/charts")


def test_the_autoscaler_image_matches_every_eks_version_the_catalog_allows():
    for version in load_catalog().cloud("aws").kubernetes_standard_support:
        assert cluster_autoscaler_tag(version).startswith(f"v{version}.")
    assert cluster_autoscaler_tag("1.35.2") == CLUSTER_AUTOSCALER_TAGS["1.35"]
    with pytest.raises(ValueError, match="CLUSTER_AUTOSCALER_TAGS"):
        cluster_autoscaler_tag("1.20")


def test_the_readme_lists_every_pinned_chart_at_its_version():
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- BEGIN gpu-platform -->", 1)[1].split("<!-- END gpu-platform -->", 1)[0]
    for chart in ALL_CHARTS:
        assert f"| `{chart.short_name}` | `{chart.version}` |" in section, chart.short_name
