"""Rows of `get` tables per kind, as flux derives them.

Covers: READY/MESSAGE from the Ready condition or `False`/`waiting to be
reconciled`; SUSPENDED; hex runs cut to 8 (not for HelmChart); REVISION per
kind; OCI HelmRepository, Alert and Provider constants; NAMESPACE with -A and
kind-prefixed names for `get all`; status selectors.
"""

from __future__ import annotations

from typing import Any

import pytest

from fluxpy.errors import UsageError
from fluxpy.render import rows

SHA = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"


def obj(kind: str, name: str = "apps", ns: str = "flux-system", *, spec: dict[str, Any] | None = None,
        status: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"kind": kind, "metadata": {"name": name, "namespace": ns}, "spec": spec or {}, "status": status or {}}


def ready(status: str = "True", message: str = "ok") -> dict[str, Any]:
    return {"conditions": [{"type": "Ready", "status": status, "reason": "Succeeded", "message": message}]}


def test_kustomization_row_uses_last_applied_revision_cut_to_8_hex() -> None:
    status = {**ready(message=f"Applied revision: main@sha1:{SHA}"), "lastAppliedRevision": f"main@sha1:{SHA}"}
    headers, body = rows.table("Kustomization", [obj("Kustomization", status=status)], namespaced=False,
                               prefix_kind=False)
    assert headers == ["Name", "Revision", "Suspended", "Ready", "Message"]
    assert body == [["apps", "main@sha1:1a2b3c4d", "False", "True", "Applied revision: main@sha1:1a2b3c4d"]]


def test_object_without_ready_condition_is_waiting_to_be_reconciled() -> None:
    _, body = rows.table("GitRepository", [obj("GitRepository", spec={"suspend": True})], namespaced=False,
                         prefix_kind=False)
    assert body == [["apps", "", "True", "False", "waiting to be reconciled"]]


def test_helm_chart_revision_is_not_cut() -> None:
    long_version = "1.0.0+" + SHA
    status = {**ready(), "artifact": {"revision": long_version}}
    _, body = rows.table("HelmChart", [obj("HelmChart", status=status)], namespaced=False, prefix_kind=False)
    assert body[0][1] == long_version


def test_helm_release_revision_prefers_history_chart_version() -> None:
    status = {**ready(), "history": [{"chartVersion": "6.5.0"}], "lastAttemptedRevision": "6.6.0"}
    _, body = rows.table("HelmRelease", [obj("HelmRelease", status=status)], namespaced=False, prefix_kind=False)
    assert body[0][1] == "6.5.0"
    _, body = rows.table("HelmRelease", [obj("HelmRelease", status={"lastAttemptedRevision": "6.6.0"})],
                         namespaced=False, prefix_kind=False)
    assert body[0][1] == "6.6.0"


def test_oci_helm_repository_alert_and_provider_are_always_ready() -> None:
    _, body = rows.table("HelmRepository", [obj("HelmRepository", spec={"type": "oci"})], namespaced=False,
                         prefix_kind=False)
    assert body[0][3:] == ["True", "Helm repository is Ready"]
    _, body = rows.table("Alert", [obj("Alert")], namespaced=False, prefix_kind=False)
    assert body == [["apps", "False", "True", "Alert is Ready"]]
    headers, body = rows.table("Provider", [obj("Provider")], namespaced=False, prefix_kind=False)
    assert headers == ["Name", "Ready", "Message"] and body == [["apps", "True", "Provider is Ready"]]


def test_image_policy_shows_latest_ref() -> None:
    status = {**ready(), "latestRef": {"name": "ghcr.io/org/app", "tag": "1.2.3"}}
    headers, body = rows.table("ImagePolicy", [obj("ImagePolicy", status=status)], namespaced=False, prefix_kind=False)
    assert headers == ["Name", "Image", "Tag", "Ready", "Message"]
    assert body[0][:3] == ["apps", "ghcr.io/org/app", "1.2.3"]


def test_all_namespaces_prepends_namespace_and_get_all_prefixes_kind() -> None:
    headers, body = rows.table("Kustomization", [obj("Kustomization", ns="apps")], namespaced=True, prefix_kind=True)
    assert headers[:2] == ["Namespace", "Name"]
    assert body[0][:2] == ["apps", "kustomization/apps"]


@pytest.mark.parametrize(("selector", "matches"), [(("ready", "false"), True), (("READY", "False"), True),
                                                   (("ready", "true"), False), (("healthy", "false"), False)])
def test_status_selector_compares_type_and_status_case_insensitively(selector: tuple[str, str], matches: bool) -> None:
    assert rows.status_matches(obj("Kustomization", status=ready("False")), *selector) is matches


def test_status_selector_needs_type_equals_status() -> None:
    assert rows.parse_status_selector("ready=false") == ("ready", "false")
    with pytest.raises(UsageError):
        rows.parse_status_selector("ready")


def test_truncate_hex_leaves_short_runs() -> None:
    assert rows.truncate_hex("sha1:abc123") == "sha1:abc123"
    assert rows.truncate_hex(f"a {SHA} b") == "a 1a2b3c4d b"
