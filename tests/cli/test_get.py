"""`fluxpy get` against the API emulator.

Covers: the exact plain table for Kustomizations; -A with a NAMESPACE column;
one object by name; a missing name (exit 1); an empty result (flux's line on
stderr, exit 0); -o json/yaml (a List, or the object itself, without
managedFields); --status-selector and -l; `get all` and `sources all`
skipping empty and unserved kinds; a kind whose CRD is missing (exit 1); and
that `get ks` costs one LIST request and no discovery.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import yaml

from tests.apiserver import ApiServer
from tests.cli.flux_objects import SHA, git_repository, kustomization
from tests.cli.helpers import Result

Run = Callable[..., Result]


def test_get_ks_prints_flux_table(apiserver: ApiServer, fluxpy: Run) -> None:
    apiserver.seed(kustomization("flux-system"))
    apiserver.seed(kustomization("apps", ready="False", message="dependency 'flux-system/infra' is not ready"))
    apiserver.seed(kustomization("monitoring", suspend=True, ready=None))
    result = fluxpy("get", "ks")
    assert result.code == 0, result.err
    assert result.err == ""
    assert result.out == (
        "NAME       \tREVISION          \tSUSPENDED\tREADY\tMESSAGE\n"
        "apps       \tmain@sha1:8f3c2a1b\tFalse    \tFalse\tdependency 'flux-system/infra' is not ready\n"
        "flux-system\tmain@sha1:8f3c2a1b\tFalse    \tTrue \tApplied revision: main@sha1:8f3c2a1b\n"
        "monitoring \tmain@sha1:8f3c2a1b\tTrue     \tFalse\twaiting to be reconciled\n")


def test_get_ks_all_namespaces_adds_namespace_column(apiserver: ApiServer, fluxpy: Run) -> None:
    apiserver.seed({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}})
    apiserver.seed(kustomization("apps", "team-a"))
    apiserver.seed(kustomization("flux-system"))
    result = fluxpy("get", "ks", "-A", "--no-header")
    assert [line.split("\t")[0].strip() for line in result.out.splitlines()] == ["flux-system", "team-a"]
    only_ns = fluxpy("get", "ks", "-n", "team-a", "--no-header")
    assert only_ns.out.split("\t")[0].strip() == "apps"


def test_get_by_name_shows_one_row(apiserver: ApiServer, fluxpy: Run) -> None:
    apiserver.seed(kustomization("apps"))
    apiserver.seed(kustomization("infra"))
    result = fluxpy("get", "ks", "apps", "--no-header")
    assert result.out.startswith("apps\t")
    assert len(result.out.splitlines()) == 1


def test_get_missing_name_fails_with_one_line(apiserver: ApiServer, fluxpy: Run) -> None:
    result = fluxpy("get", "ks", "nope")
    assert result.code == 1
    assert result.out == ""
    assert result.err.startswith("✗ Kustomization 'nope' not found in \"flux-system\" namespace")
    assert len(result.err.splitlines()) == 1


def test_get_empty_prints_flux_line_and_exits_zero(apiserver: ApiServer, fluxpy: Run) -> None:
    result = fluxpy("get", "hr")
    assert result.code == 0
    assert result.out == ""
    assert result.err == '✗ no HelmRelease objects found in "flux-system" namespace\n'
    assert fluxpy("get", "hr", "-A").err == "✗ no HelmRelease objects found in any namespace\n"


def test_get_json_prints_a_list_and_yaml_one_object(apiserver: ApiServer, fluxpy: Run) -> None:
    apiserver.seed(kustomization("apps"))
    assert fluxpy("suspend", "ks", "apps").code == 0  # a write gives the object managedFields
    apiserver.seed(kustomization("infra"))
    listed = json.loads(fluxpy("get", "ks", "-o", "json").out)
    assert listed["kind"] == "List"
    assert [i["metadata"]["name"] for i in listed["items"]] == ["apps", "infra"]
    assert listed["items"][0]["status"]["lastAppliedRevision"] == f"main@sha1:{SHA}"
    one = yaml.safe_load(fluxpy("get", "ks", "apps", "-o", "yaml").out)
    assert one["kind"] == "Kustomization" and one["metadata"]["name"] == "apps"
    assert "managedFields" not in one["metadata"]


def test_machine_output_on_empty_result_is_an_empty_list(apiserver: ApiServer, fluxpy: Run) -> None:
    result = fluxpy("get", "ks", "-o", "json")
    assert result.code == 0
    assert json.loads(result.out)["items"] == []


def test_status_and_label_selectors_filter(apiserver: ApiServer, fluxpy: Run) -> None:
    apiserver.seed(kustomization("good", labels={"tier": "infra"}))
    apiserver.seed(kustomization("bad", ready="False", message="boom", labels={"tier": "apps"}))
    failing = fluxpy("get", "ks", "--status-selector", "ready=false", "--no-header")
    assert [line.split("\t")[0].strip() for line in failing.out.splitlines()] == ["bad"]
    infra = fluxpy("get", "ks", "-l", "tier=infra", "--no-header")
    assert [line.split("\t")[0].strip() for line in infra.out.splitlines()] == ["good"]


def test_get_all_prefixes_kinds_and_skips_empty_ones(apiserver: ApiServer, fluxpy: Run) -> None:
    apiserver.seed(git_repository("flux-system"))
    apiserver.seed(kustomization("apps"))
    result = fluxpy("get", "all")
    assert result.code == 0, result.err
    tables = [t for t in result.out.split("\n\n") if t.strip()]
    assert len(tables) == 2
    assert "gitrepository/flux-system\t" in tables[0]
    assert "kustomization/apps" in tables[1]


def test_get_all_skips_kinds_the_cluster_does_not_serve(tmp_path: Path, fluxpy: Run) -> None:
    bare = ApiServer(tmp_path / "bare")
    bare.start()
    try:
        bare.seed({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "flux-system"}})
        empty = fluxpy("get", "all", kubeconfig_path=bare.kubeconfig)
        assert empty.code == 0
        assert empty.err == '✗ no Flux objects found in "flux-system" namespace\n'
        missing = fluxpy("get", "ks", kubeconfig_path=bare.kubeconfig)
        assert missing.code == 1
        assert missing.err.startswith(
            "✗ Kustomization: the cluster does not serve kustomizations.kustomize.toolkit.fluxcd.io")
        assert len(missing.err.splitlines()) == 1
    finally:
        bare.stop()


def test_get_ks_is_one_list_request_without_discovery(apiserver: ApiServer, fluxpy: Run) -> None:
    apiserver.seed(kustomization("apps"))
    before = len(apiserver.requests)
    assert fluxpy("get", "ks").code == 0
    made = apiserver.requests[before:]
    assert [r.verb for r in made] == ["list"]
