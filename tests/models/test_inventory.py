"""Inventory ids (`fluxpy.models.inventory`), as Flux's cli-utils writes them.

Covers: `<ns>_<name>_<group>_<kind>` for namespaced, cluster-scoped and core
objects; the RBAC rule turning `:` into `__` only for Role, ClusterRole,
RoleBinding and ClusterRoleBinding of `rbac.authorization.k8s.io`; parsing
ids back (round trip); malformed ids; entries built from apiVersion (`v` is
the version only); the `ObjectRef` of an entry; reading a status inventory.
"""

from __future__ import annotations

import pytest

from fluxpy.models._fields import Fields
from fluxpy.models.errors import ModelError
from fluxpy.models.inventory import Inventory, InventoryEntry, entry_id, parse_id
from fluxpy.models.meta import ObjectRef

CASES = [
    # namespace, name, group, kind, id
    ("default", "web", "", "Service", "default_web__Service"),
    ("", "apps", "", "Namespace", "_apps__Namespace"),
    ("apps", "web", "apps", "Deployment", "apps_web_apps_Deployment"),
    ("", "system:auth-delegator", "rbac.authorization.k8s.io", "ClusterRoleBinding",
     "_system__auth-delegator_rbac.authorization.k8s.io_ClusterRoleBinding"),
    ("kube-system", "system:controller:bootstrap", "rbac.authorization.k8s.io", "Role",
     "kube-system_system__controller__bootstrap_rbac.authorization.k8s.io_Role"),
    ("", "podinfos.example.com", "apiextensions.k8s.io", "CustomResourceDefinition",
     "_podinfos.example.com_apiextensions.k8s.io_CustomResourceDefinition"),
]


@pytest.mark.parametrize(("ns", "name", "group", "kind", "ident"), CASES)
def test_entry_id_formats_like_flux(ns: str, name: str, group: str, kind: str,
                                   ident: str) -> None:
    assert entry_id(namespace=ns or None, name=name, group=group, kind=kind) == ident


@pytest.mark.parametrize(("ns", "name", "group", "kind", "ident"), CASES)
def test_parse_id_reverses_entry_id(ns: str, name: str, group: str, kind: str,
                                    ident: str) -> None:
    assert parse_id(ident) == (ns, name, group, kind)


def test_colon_is_kept_outside_rbac_kinds() -> None:
    assert entry_id(namespace="a", name="x:y", group="example.com", kind="Role") == \
        "a_x:y_example.com_Role"


@pytest.mark.parametrize("ident", ["", "web", "default_web", "default__Service", "_web_apps_"])
def test_parse_id_rejects_malformed_ids(ident: str) -> None:
    with pytest.raises(ValueError, match="invalid inventory id"):
        parse_id(ident)


def test_entry_for_object_keeps_only_the_version() -> None:
    entry = InventoryEntry.for_object(api_version="apps/v1", kind="Deployment", name="web",
                                      namespace="apps")
    assert entry.to_dict() == {"id": "apps_web_apps_Deployment", "v": "v1"}
    assert entry.api_version == "apps/v1"
    core = InventoryEntry.for_object(api_version="v1", kind="Namespace", name="apps")
    assert core.to_dict() == {"id": "_apps__Namespace", "v": "v1"} and core.api_version == "v1"


def test_entry_object_ref_prints_flux_subjects() -> None:
    assert str(InventoryEntry("_apps__Namespace", "v1").object_ref) == "Namespace/apps"
    assert InventoryEntry("default_web__Service", "v1").object_ref == \
        ObjectRef("Service", "default", "web")
    rbac = InventoryEntry("_system__a_rbac.authorization.k8s.io_ClusterRole", "v1")
    assert rbac.name == "system:a" and rbac.namespace == "" and rbac.group == \
        "rbac.authorization.k8s.io"


def test_inventory_reads_entries_in_order_and_writes_them_back() -> None:
    data = {"inventory": {"entries": [{"id": "_apps__Namespace", "v": "v1"},
                                      {"id": "apps_web_apps_Deployment", "v": "v1"}]}}
    inv = Inventory.optional(Fields(data, subject="Kustomization/a/b", path="status"))
    assert inv is not None and inv.ids() == ["_apps__Namespace", "apps_web_apps_Deployment"]
    assert inv.to_dict() == data["inventory"]
    assert Inventory().to_dict() == {"entries": []}


def test_inventory_rejects_a_bad_id_naming_the_entry() -> None:
    data = {"inventory": {"entries": [{"id": "nonsense", "v": "v1"}]}}
    with pytest.raises(ModelError) as info:
        Inventory.optional(Fields(data, subject="Kustomization/a/b", path="status"))
    assert str(info.value).startswith(
        'Kustomization/a/b: status.inventory.entries[0].id: invalid inventory id "nonsense"')
