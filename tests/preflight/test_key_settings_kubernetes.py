"""Key settings of the in-cluster layer in the plan table: chart, version and namespace of every
Helm release, the Pod Security level of every namespace, what each queue object admits."""

from __future__ import annotations

from preflight.key_settings import dig, key_settings


def test_map_keys_with_dots_are_found():
    labels = {"metadata": {"labels": {"pod-security.kubernetes.io/enforce": "baseline", "a": {"b": 1}}}}
    assert dig(labels, "metadata.labels.pod-security.kubernetes.io/enforce") == "baseline"
    assert dig(labels, "metadata.labels.a.b") == 1
    assert dig(labels, "metadata.labels.missing.key") is None
    assert dig({"xs": [{"v": 1}]}, "xs.0.v") == 1


def test_prod_shows_chart_version_and_namespace_of_every_release_and_each_namespaces_level(stack_run):
    run = stack_run("prod")
    releases = run.of_type("kubernetes:helm.sh/v3:Release")
    assert len(releases) >= 10
    for record in releases:
        shown = key_settings(record)
        assert f"chart={record.inputs['chart']}" in shown
        assert f"version={record.inputs['version']}" in shown
        assert f"namespace={record.inputs['namespace']}" in shown
    for record in run.of_type("kubernetes:core/v1:Namespace"):
        assert "enforce=restricted" in key_settings(record) or "enforce=baseline" in key_settings(record)
    for record in run.of_type("kubernetes:kueue.x-k8s.io/v1beta2:ClusterQueue"):
        assert "cohort=ai-infra" in key_settings(record) and "namespace=" in key_settings(record)
    tags = run.of_type("aws:autoscaling/tag:Tag")
    assert any(
        key_settings(t) == "tag=k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu value=8" for t in tags
    )
