"""`fluxpy suspend` and `fluxpy resume` against the API emulator.

Covers: suspend sets spec.suspend and resume removes it, with flux's progress
lines; nothing else in the object changes (labels, annotations, status, the
rest of the spec); several names; --all within the namespace only; a missing
object is an error naming it; `get` shows SUSPENDED flipping.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from tests.apiserver import ApiServer
from tests.cli.flux_objects import git_repository, kustomization
from tests.cli.helpers import Result

Run = Callable[..., Result]
KS = "kustomize.toolkit.fluxcd.io/v1"


def _without_server_fields(obj: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    for key in ("resourceVersion", "generation", "managedFields"):
        out["metadata"].pop(key, None)
    out["spec"].pop("suspend", None)
    return out


def test_suspend_then_resume_touches_only_spec_suspend(apiserver: ApiServer, fluxpy: Run) -> None:
    seeded = kustomization("apps", labels={"team": "a"})
    seeded["metadata"]["annotations"] = {"note": "keep"}
    apiserver.seed(seeded)
    before = apiserver.object(KS, "Kustomization", "flux-system", "apps")
    assert before is not None

    result = fluxpy("suspend", "ks", "apps")
    assert result.code == 0, result.err
    assert result.err == ("► suspending kustomization apps in flux-system namespace\n"
                          "✔ kustomization suspended\n")
    suspended = apiserver.object(KS, "Kustomization", "flux-system", "apps")
    assert suspended is not None and suspended["spec"]["suspend"] is True
    assert _without_server_fields(suspended) == _without_server_fields(before)
    assert fluxpy("get", "ks", "apps", "--no-header").out.split("\t")[2].strip() == "True"

    result = fluxpy("resume", "ks", "apps", "--no-wait")
    assert result.code == 0, result.err
    assert result.err == ("► resuming kustomization apps in flux-system namespace\n"
                          "✔ kustomization resumed\n")
    resumed = apiserver.object(KS, "Kustomization", "flux-system", "apps")
    assert resumed is not None and "suspend" not in resumed["spec"]
    assert _without_server_fields(resumed) == _without_server_fields(before)
    assert fluxpy("get", "ks", "apps", "--no-header").out.split("\t")[2].strip() == "False"


def test_suspend_uses_one_merge_patch_per_object(apiserver: ApiServer, fluxpy: Run) -> None:
    apiserver.seed(kustomization("a"))
    apiserver.seed(kustomization("b"))
    before = len(apiserver.requests)
    assert fluxpy("suspend", "ks", "a", "b").code == 0
    made = apiserver.requests[before:]
    assert [(r.method, r.path) for r in made] == [
        ("PATCH", "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/a"),
        ("PATCH", "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/b"),
    ]


def test_suspend_all_stays_in_the_namespace(apiserver: ApiServer, fluxpy: Run) -> None:
    apiserver.seed({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}})
    apiserver.seed(kustomization("a"))
    apiserver.seed(kustomization("b"))
    apiserver.seed(kustomization("c", "other"))
    assert fluxpy("suspend", "ks", "--all").code == 0
    for ns, name, expected in (("flux-system", "a", True), ("flux-system", "b", True), ("other", "c", None)):
        obj = apiserver.object(KS, "Kustomization", ns, name)
        assert obj is not None and obj["spec"].get("suspend") is expected


def test_suspend_source_git(apiserver: ApiServer, fluxpy: Run) -> None:
    apiserver.seed(git_repository("flux-system"))
    result = fluxpy("suspend", "source", "git", "flux-system")
    assert result.code == 0, result.err
    obj = apiserver.object("source.toolkit.fluxcd.io/v1", "GitRepository", "flux-system", "flux-system")
    assert obj is not None and obj["spec"]["suspend"] is True


def test_suspend_missing_object_fails_naming_it(apiserver: ApiServer, fluxpy: Run) -> None:
    result = fluxpy("suspend", "ks", "ghost")
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[0] == "► suspending kustomization ghost in flux-system namespace"
    assert lines[1].startswith("✗ ") and "Kustomization/flux-system/ghost" in lines[1] and "not found" in lines[1]
    assert len(lines) == 2
