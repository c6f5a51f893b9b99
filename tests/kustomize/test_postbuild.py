"""Flux's postBuild substitution over built objects.

Covers: variable precedence (substituteFrom in order, inline on top) and
newline removal; invalid names fail; WithVariables skips when nothing is
defined while Always applies defaults; values are re-read with YAML 1.1
rules (numbers, booleans); the opt-out label/annotation (value
case-sensitive); errors name the object; strict mode.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from fluxpy.kustomize import postbuild
from fluxpy.kustomize.errors import BuildError


def render(obj: dict[str, Any]) -> str:
    return str(yaml.safe_dump(obj, sort_keys=True))


def deploy(**meta: Any) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "apps", **meta},
            "spec": {"replicas": "${REPLICAS:=1}", "paused": "${PAUSED:=false}",
                     "template": {"spec": {"containers": [{"name": "web", "image": "web:${TAG}"}]}}}}


def unquoted(obj: dict[str, Any]) -> str:
    # Real manifests write `replicas: ${REPLICAS}` unquoted; mimic kustomize output, which
    # prints the placeholder as a plain scalar.
    return render(obj).replace("'${REPLICAS:=1}'", "${REPLICAS:=1}").replace("'${PAUSED:=false}'", "${PAUSED:=false}")


def test_sources_in_order_then_inline_and_newlines_removed() -> None:
    got = postbuild.collect(sources=[{"A": "1", "B": "x"}, {"B": "y\n"}], inline={"C": "multi\nline"})
    assert got == {"A": "1", "B": "y", "C": "multiline"}
    assert postbuild.collect(sources=[{"A": "1"}], inline={"A": "2"}) == {"A": "2"}


@pytest.mark.parametrize("name", ["1ABC", "A-B", "A.B", ""])
def test_invalid_variable_names_fail_the_build(name: str) -> None:
    with pytest.raises(BuildError, match="var name is invalid"):
        postbuild.collect(inline={name: "x"})


def test_values_are_read_back_with_yaml_rules() -> None:
    (out,) = postbuild.substitute([deploy()], {"REPLICAS": "3", "PAUSED": "yes", "TAG": "1.2.0"}, render=unquoted)
    assert out["spec"]["replicas"] == 3
    assert out["spec"]["paused"] is True
    assert out["spec"]["template"]["spec"]["containers"][0]["image"] == "web:1.2.0"


def test_with_variables_strategy_skips_when_nothing_is_defined() -> None:
    obj = deploy()
    obj["spec"]["template"]["spec"]["containers"][0]["image"] = "web:${TAG:=latest}"
    assert postbuild.substitute([obj], {}, render=unquoted) == [obj]
    (out,) = postbuild.substitute([obj], {}, strategy="Always", render=unquoted)
    assert out["spec"]["replicas"] == 1 and out["spec"]["paused"] is False


@pytest.mark.parametrize(("where", "value", "skipped"), [
    ("labels", "disabled", True), ("annotations", "disabled", True), ("annotations", "Disabled", False)])
def test_opt_out_label_or_annotation(where: str, value: str, skipped: bool) -> None:
    obj = deploy(**{where: {postbuild.DISABLE_KEY: value}})
    (out,) = postbuild.substitute([obj], {"TAG": "9"}, render=unquoted)
    image = out["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == ("web:${TAG}" if skipped else "web:9")


def test_errors_name_the_object() -> None:
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "apps"},
           "data": {"x": "${broken"}}
    with pytest.raises(BuildError, match="ConfigMap/apps/c: variable substitution failed: missing closing brace"):
        postbuild.substitute([obj], {"A": "1"}, render=render)


def test_strict_mode_names_the_unset_variable() -> None:
    with pytest.raises(BuildError, match='variable not set \\(strict mode\\): "TAG"'):
        postbuild.substitute([deploy()], {"REPLICAS": "2"}, strict=True, render=unquoted)


def test_unknown_strategy_is_an_error() -> None:
    with pytest.raises(BuildError, match="substituteStrategy"):
        postbuild.substitute([deploy()], {"A": "1"}, strategy="Sometimes")
