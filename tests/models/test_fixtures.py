"""Realistic Flux objects (`data/objects.yaml`, as `kubectl get -o yaml` shows
them after Flux reconciled them) through the models.

Covers: every kind in the fixture loads through `kinds.load` into its model;
`status_dict()` writes back exactly the status Flux wrote (omitempty, time
and duration formats, inventory, history, scan results, observed policies);
the facts `flux get` shows (ready condition, suspended, revision);
reconcile-request bookkeeping.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from fluxpy.models import kinds
from fluxpy.models.helm import HelmRelease
from fluxpy.models.kustomize import Kustomization
from fluxpy.models.source import GitRepository

DOCS: list[dict[str, Any]] = list(yaml.safe_load_all(
    (Path(__file__).parent / "data" / "objects.yaml").read_text()))
IDS = [f"{d['kind']}/{d['metadata']['name']}" for d in DOCS]


def by_kind(kind: str) -> dict[str, Any]:
    return next(d for d in DOCS if d["kind"] == kind)


def test_fixture_covers_every_registered_kind() -> None:
    assert sorted(d["kind"] for d in DOCS) == sorted(k.kind for k in kinds.ALL)


@pytest.mark.parametrize("doc", DOCS, ids=IDS)
def test_every_fixture_loads_into_its_model(doc: dict[str, Any]) -> None:
    model = kinds.load(doc)
    assert type(model).__name__ == doc["kind"]
    assert str(model.ref) == f"{doc['kind']}/{doc['metadata']['namespace']}/{doc['metadata']['name']}"
    assert model.raw is doc


@pytest.mark.parametrize("doc", DOCS, ids=IDS)
def test_status_is_written_back_exactly_as_flux_wrote_it(doc: dict[str, Any]) -> None:
    assert kinds.load(doc).status_dict() == doc.get("status", {})


@pytest.mark.parametrize(("kind", "ready", "message"), [
    ("GitRepository", True,
     "stored artifact for revision 'main@sha1:1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b'"),
    ("Kustomization", True, "Applied revision: main@sha1:1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"),
    ("HelmRelease", True,
     "Helm install succeeded for release web/web-podinfo.v1 with chart podinfo@6.7.1"),
    ("Bucket", False, None),
])
def test_ready_condition_is_what_flux_get_shows(kind: str, ready: bool,
                                                message: str | None) -> None:
    model = kinds.load(by_kind(kind))
    cond = model.ready_condition
    assert model.is_ready is ready and not model.suspended
    assert (cond.message if cond else None) == message


def test_kustomization_fixture_exposes_revision_inventory_and_history() -> None:
    k = Kustomization.from_dict(by_kind("Kustomization"))
    assert k.revision == "main@sha1:1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"
    inv = k.status.inventory
    assert inv is not None
    assert [str(e.object_ref) for e in inv.entries] == [
        "Namespace/apps", "ClusterRole/system:web-reader", "Service/apps/web",
        "Deployment/apps/web"]
    assert k.status.history[0].total_reconciliations == 2
    assert k.spec.depends_on[0].ref("Kustomization", k.namespace).__str__() == \
        "Kustomization/flux-system/infra"


def test_helm_release_fixture_derives_names_from_spec() -> None:
    r = HelmRelease.from_dict(by_kind("HelmRelease"))
    assert r.release_name == "web-podinfo" and r.revision == "6.7.1"
    assert r.helm_chart_ref == ("flux-system", "apps-podinfo")
    assert r.status.helm_chart == "flux-system/apps-podinfo"


def test_reconcile_request_is_pending_until_handled() -> None:
    doc = by_kind("GitRepository")
    repo = GitRepository.from_dict(doc)
    assert repo.reconcile_requested_at == "2026-01-01T10:05:00.123456789Z"
    assert not repo.reconcile_pending
    doc2 = {**doc, "metadata": {**doc["metadata"], "annotations": {
        "reconcile.fluxcd.io/requestedAt": "later"}}}
    assert GitRepository.from_dict(doc2).reconcile_pending
