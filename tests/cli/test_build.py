"""`fluxpy build kustomize` and `fluxpy build kustomization`.

Covers: `build kustomize` prints the oracle's bytes for corpus cases and
fails like kustomize (one line, exit 1); `build kustomization` from a file
with --dry-run generates a kustomization for a plain directory, applies
targetNamespace/namePrefix, inline postBuild variables, commonMetadata and the
ownership labels, and masks SOPS Secrets; against the API emulator it reads
the Kustomization and its substituteFrom ConfigMap and Secret (an optional
missing one is skipped, a required one fails); a symlink out of the source
root and an invalid variable name fail with one line.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.apiserver import ApiServer
from tests.cli.helpers import Result, run_cli

CORPUS = Path(__file__).resolve().parents[1] / "kustomize" / "corpus"
Run = Callable[..., Result]


@pytest.mark.parametrize("case", ["12-nameprefix-configmap-references", "01-resources-single-file"])
def test_build_kustomize_prints_what_kustomize_prints(case: str) -> None:
    (directory,) = CORPUS.glob(f"{case}*")
    result = run_cli(["build", "kustomize", str(directory)])
    assert result.code == 0, result.err
    assert result.out == (directory / "expected.yaml").read_text(encoding="utf-8")


def test_build_kustomize_refusal_is_one_line() -> None:
    (directory,) = CORPUS.glob("83-*")
    result = run_cli(["build", "kustomize", str(directory)])
    assert result.code == 1
    assert result.out == ""
    assert len(result.err.splitlines()) == 1 and 'unknown field "namePrefx"' in result.err


def ks_doc(**spec: Any) -> dict[str, Any]:
    return {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": "apps", "namespace": "flux-system"},
            "spec": {"interval": "10m", "prune": True, "path": "./apps",
                     "sourceRef": {"kind": "GitRepository", "name": "repo"}, **spec}}


CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  tag: ${TAG}\n  env: ${ENV:=dev}\n"
SOPS_SECRET = ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\ndata:\n  token: RU5DW0FFUzI1Nl0=\n"
               "sops:\n  version: 3.9.0\n  mac: ENC[x]\n")


def tree(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir(parents=True)
    apps = tmp_path / "apps"
    apps.mkdir()
    (apps / "settings.yaml").write_text(CM)
    (apps / "creds.yaml").write_text(SOPS_SECRET)
    return apps


def docs(text: str) -> dict[str, dict[str, Any]]:
    return {d["kind"]: d for d in yaml.safe_load_all(text)}


def test_build_kustomization_from_file_applies_flux_settings(tmp_path: Path) -> None:
    apps = tree(tmp_path)
    ks_file = tmp_path / "ks.yaml"
    ks_file.write_text(yaml.safe_dump(ks_doc(
        targetNamespace="prod", namePrefix="p-", postBuild={"substitute": {"TAG": "1.2.3"}},
        commonMetadata={"labels": {"team": "shop"}, "annotations": {"owner": "ops"}})))
    result = run_cli(["build", "kustomization", "apps", "--path", str(apps), "--kustomization-file", str(ks_file),
                      "--dry-run"])
    assert result.code == 0, result.err
    out = docs(result.out)
    cm = out["ConfigMap"]
    assert cm["metadata"]["name"] == "p-settings" and cm["metadata"]["namespace"] == "prod"
    assert cm["data"] == {"tag": "1.2.3", "env": "dev"}
    assert cm["metadata"]["labels"] == {"team": "shop", "kustomize.toolkit.fluxcd.io/name": "apps",
                                        "kustomize.toolkit.fluxcd.io/namespace": "flux-system"}
    assert cm["metadata"]["annotations"] == {"owner": "ops"}
    secret = out["Secret"]
    assert "sops" not in secret
    assert secret["data"] == {"token": base64.b64encode(b"**SOPS**").decode()}


def test_build_kustomization_reads_object_and_variables_from_the_cluster(
        apiserver: ApiServer, fluxpy: Run, tmp_path: Path) -> None:
    apps = tree(tmp_path)
    apiserver.seed(ks_doc(postBuild={"substituteFrom": [
        {"kind": "ConfigMap", "name": "vars"}, {"kind": "Secret", "name": "secret-vars"},
        {"kind": "ConfigMap", "name": "absent", "optional": True}]}))
    apiserver.seed({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "vars", "namespace": "flux-system"},
                    "data": {"TAG": "from-configmap", "ENV": "staging"}})
    apiserver.seed({"apiVersion": "v1", "kind": "Secret",
                    "metadata": {"name": "secret-vars", "namespace": "flux-system"},
                    "data": {"TAG": base64.b64encode(b"from-secret").decode()}})
    result = fluxpy("build", "kustomization", "apps", "--path", str(apps))
    assert result.code == 0, result.err
    assert docs(result.out)["ConfigMap"]["data"] == {"tag": "from-secret", "env": "staging"}


def test_missing_required_substitution_source_fails(apiserver: ApiServer, fluxpy: Run, tmp_path: Path) -> None:
    apps = tree(tmp_path)
    apiserver.seed(ks_doc(postBuild={"substituteFrom": [{"kind": "ConfigMap", "name": "absent"}]}))
    result = fluxpy("build", "kustomization", "apps", "--path", str(apps))
    assert result.code == 1
    assert "substitute from 'ConfigMap/absent' error" in result.err


def test_symlink_out_of_the_source_root_fails(tmp_path: Path) -> None:
    apps = tree(tmp_path / "repo")
    outside = tmp_path / "outside.yaml"
    outside.write_text(CM)
    os.symlink(outside, apps / "leak.yaml")
    ks_file = tmp_path / "ks.yaml"
    ks_file.write_text(yaml.safe_dump(ks_doc()))
    result = run_cli(["build", "kustomization", "apps", "--path", str(apps), "--kustomization-file", str(ks_file),
                      "--dry-run"])
    assert result.code == 1
    assert len(result.err.splitlines()) == 1 and "is not in or below" in result.err


def test_invalid_variable_name_fails(tmp_path: Path) -> None:
    apps = tree(tmp_path)
    ks_file = tmp_path / "ks.yaml"
    ks_file.write_text(yaml.safe_dump(ks_doc(postBuild={"substitute": {"BAD-NAME": "x"}})))
    result = run_cli(["build", "kustomization", "apps", "--path", str(apps), "--kustomization-file", str(ks_file),
                      "--dry-run"])
    assert result.code == 1
    assert "'BAD-NAME' var name is invalid" in result.err
