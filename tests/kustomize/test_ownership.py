"""Flux's metadata stamps and `flux build`'s SOPS masking.

Covers: commonMetadata overrides existing keys and creates missing maps;
ownership labels win over commonMetadata when applied after it; only core v1
Secrets with a top-level `sops` field are masked, `data` with base64 of
`**SOPS**` and `stringData` with `**SOPS**`, and the `sops` block is dropped.
"""

from __future__ import annotations

from typing import Any

from fluxpy.kustomize import ownership


def cm(**meta: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", **meta}, "data": {"k": "v"}}


def test_common_metadata_overrides_keys_and_creates_maps() -> None:
    objs = [cm(labels={"team": "old", "keep": "x"}), cm()]
    ownership.set_common_metadata(objs, labels={"team": "new"}, annotations={"owner": "ops"})
    assert objs[0]["metadata"]["labels"] == {"team": "new", "keep": "x"}
    assert objs[1]["metadata"] == {"name": "c", "labels": {"team": "new"}, "annotations": {"owner": "ops"}}


def test_ownership_labels_are_applied_last_and_win() -> None:
    objs = [cm()]
    ownership.set_common_metadata(objs, labels={ownership.NAME_LABEL: "spoof"})
    ownership.set_ownership(objs, name="apps", namespace="flux-system")
    assert objs[0]["metadata"]["labels"] == {ownership.NAME_LABEL: "apps", ownership.NAMESPACE_LABEL: "flux-system"}


def test_sops_secrets_are_masked_and_others_untouched() -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"a": "ENC[AES256_GCM,x]"},
              "stringData": {"b": "ENC[AES256_GCM,y]"}, "sops": {"mac": "ENC[...]", "version": "3.9.0"}}
    plain = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "p"}, "data": {"a": "dmFsdWU="}}
    custom = {"apiVersion": "example.com/v1", "kind": "Secret", "metadata": {"name": "x"}, "sops": {}}
    ownership.mask_sops_secrets([secret, plain, custom])
    assert secret == {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                      "data": {"a": "KipTT1BTKio="}, "stringData": {"b": "**SOPS**"}}
    assert plain["data"] == {"a": "dmFsdWU="}
    assert "sops" in custom
