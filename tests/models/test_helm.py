"""HelmRelease model (`fluxpy.models.helm`, `fluxpy.models.helm_actions`).

Covers: the release name (`releaseName`, else `[<targetNamespace>-]<name>`,
shortened above 53 chars to 40 + `-` + 12 hex of sha256); target and storage
namespaces; the HelmChart name `<ns>-<name>`; exactly one of chart/chartRef;
action defaults (timeout 5m, maxHistory 5, CRDs Create/Skip, remediation
rules, uninstall propagation); the REVISION shown by `flux get`.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest

from fluxpy.models.errors import ModelError
from fluxpy.models.helm import HelmRelease, release_name, shorten_release_name
from fluxpy.models.helm_actions import Remediation, Upgrade

CHART = {"spec": {"chart": "podinfo", "sourceRef": {"kind": "HelmRepository", "name": "repo"}}}


def hr(name: str = "podinfo", namespace: str = "apps", **spec: Any) -> HelmRelease:
    base: dict[str, Any] = {"interval": "5m", "chart": CHART}
    base.update(spec)
    return HelmRelease.from_dict({
        "apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
        "metadata": {"name": name, "namespace": namespace}, "spec": base})


LONG = "a-really-long-release-name-that-goes-beyond-the-limit-of-helm"


@pytest.mark.parametrize(("name", "explicit", "target", "expected"), [
    ("podinfo", None, None, "podinfo"),
    ("podinfo", None, "web", "web-podinfo"),
    ("podinfo", "custom", "web", "custom"),
    ("x" * 53, None, None, "x" * 53),
])
def test_release_name_defaults_to_target_namespace_dash_name(
        name: str, explicit: str | None, target: str | None, expected: str) -> None:
    assert release_name(name, release_name=explicit, target_namespace=target) == expected


def test_release_names_over_53_chars_are_cut_to_40_plus_hash() -> None:
    full = f"production-{LONG}"
    short = release_name(LONG, target_namespace="production")
    digest = hashlib.sha256(full.encode()).hexdigest()[:12]
    assert short == f"{full[:40]}-{digest}"
    assert len(short) == 53


def test_shortening_is_stable_and_leaves_short_names_alone() -> None:
    assert shorten_release_name("y" * 54) == shorten_release_name("y" * 54)
    assert shorten_release_name("y" * 54) != shorten_release_name("y" * 53 + "z")
    assert shorten_release_name("web") == "web"


def test_model_derives_release_and_namespaces() -> None:
    r = hr(targetNamespace="web")
    assert r.release_name == "web-podinfo"
    assert r.target_namespace == "web" and r.storage_namespace == "apps"
    assert hr(storageNamespace="helm").storage_namespace == "helm"


def test_helm_chart_is_named_namespace_dash_name_in_the_source_namespace() -> None:
    assert hr().helm_chart_ref == ("apps", "apps-podinfo")
    other = {"spec": {"chart": "c", "sourceRef": {"kind": "HelmRepository", "name": "r",
                                                  "namespace": "flux-system"}}}
    assert hr(chart=other).helm_chart_ref == ("flux-system", "apps-podinfo")


def test_chart_ref_releases_have_no_helm_chart() -> None:
    r = hr(chart=None, chartRef={"kind": "OCIRepository", "name": "podinfo"})
    assert r.helm_chart_ref is None and r.spec.chart_ref is not None


@pytest.mark.parametrize("spec", [
    {"chart": None},
    {"chartRef": {"kind": "OCIRepository", "name": "x"}},
])
def test_exactly_one_of_chart_and_chart_ref(spec: dict[str, Any]) -> None:
    with pytest.raises(ModelError, match="exactly one of spec.chart and spec.chartRef"):
        hr(**spec)


def test_defaults_follow_helm_controller() -> None:
    s = hr().spec
    assert s.effective_timeout == timedelta(minutes=5) and s.effective_max_history == 5
    assert s.install.crds == "Create" and s.upgrade.crds == "Skip"
    assert s.upgrade.remediation.strategy == "rollback"
    assert s.uninstall.deletion_propagation == "background"
    assert s.drift_detection.mode == "disabled"
    assert s.chart is not None and s.chart.spec.version == "*"
    assert s.persistent_client is True


@pytest.mark.parametrize(("remediation", "expected"), [
    ({}, False), ({"retries": 3}, True), ({"retries": -1}, False),
    ({"retries": 3, "remediateLastFailure": False}, False),
    ({"remediateLastFailure": True}, True),
])
def test_upgrade_remediates_last_failure_by_default_only_with_retries(
        remediation: dict[str, Any], expected: bool) -> None:
    assert hr(upgrade={"remediation": remediation}).spec.upgrade.remediate_last_failure is expected


def test_install_remediates_last_failure_only_when_told() -> None:
    assert hr(install={"remediation": {"retries": 3}}).spec.install.remediate_last_failure is False


@pytest.mark.parametrize(("retries", "failures", "exhausted"), [
    (0, 0, False), (0, 1, True), (3, 3, False), (3, 4, True), (-1, 100, False),
])
def test_retries_are_exhausted_past_the_limit_and_never_when_negative(
        retries: int, failures: int, exhausted: bool) -> None:
    assert Remediation(retries=retries).retries_exhausted(failures) is exhausted


def test_server_side_apply_accepts_booleans_and_words() -> None:
    assert hr(upgrade={"serverSideApply": "auto"}).spec.upgrade.server_side_apply == "auto"
    assert hr(install={"serverSideApply": True}).spec.install.server_side_apply == "enabled"
    assert Upgrade().server_side_apply is None


def test_values_are_kept_verbatim_and_values_from_defaults_key() -> None:
    r = hr(values={"a": {"b": [1, 2]}}, valuesFrom=[{"kind": "Secret", "name": "s"}])
    assert r.spec.values == {"a": {"b": [1, 2]}}
    assert r.spec.values_from[0].values_key == "values.yaml"


def test_revision_prefers_history_chart_version() -> None:
    base: dict[str, Any] = {"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
            "metadata": {"name": "p", "namespace": "a"},
            "spec": {"interval": "5m", "chart": CHART},
            "status": {"lastAttemptedRevision": "1.1.0"}}
    assert HelmRelease.from_dict(base).revision == "1.1.0"
    base["status"]["history"] = [{"name": "p", "namespace": "a", "version": 2,
                                  "status": "deployed", "chartName": "p",
                                  "chartVersion": "1.0.0"}]
    r = HelmRelease.from_dict(base)
    assert r.revision == "1.0.0"
    assert r.status.history[0].full_release_name == "a/p.v2"
