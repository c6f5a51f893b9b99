"""Flux's `spec.postBuild` variable substitution over built objects.

As kustomize-controller does it (fluxcd/pkg/kustomize, varsub): variables
come from `substituteFrom` ConfigMaps and Secrets in order (later wins;
Secret data already decoded), then inline `substitute` on top; newlines are
removed from every value; every name must match
`^[_[:alpha:]][_[:alpha:][:digit:]]*$` or the build fails. Each object is
rendered to YAML, substituted as text with Flux's envsubst (`envsubst.py`),
and read back with YAML 1.1 rules (so `${ENABLED}` set to `yes` becomes
true, as sigs.k8s.io/yaml reads it). Objects labelled or annotated
`kustomize.toolkit.fluxcd.io/substitute: disabled` (value case-sensitive)
are left alone. With the default strategy `WithVariables`, nothing is
substituted when no variable is defined; `Always` substitutes anyway, so
defaults such as `${X:=1}` apply.

Pure: the ConfigMap/Secret data is passed in; reading it from the cluster is
the caller's job.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fluxpy.kustomize import envsubst
from fluxpy.kustomize.errors import BuildError

NAME_PATTERN = "^[_[:alpha:]][_[:alpha:][:digit:]]*$"
_NAME = re.compile(r"^[_A-Za-z][_A-Za-z0-9]*$")
DISABLE_KEY = "kustomize.toolkit.fluxcd.io/substitute"
STRATEGIES = ("WithVariables", "Always")


def collect(*, sources: Sequence[Mapping[str, str]] = (), inline: Mapping[str, str] | None = None) -> dict[str, str]:
    """The variables: each source's data in order, then `inline`; newlines removed.

    Raises:
        BuildError: a name does not match NAME_PATTERN.
    """
    values: dict[str, str] = {}
    for data in [*sources, inline or {}]:
        for key, value in data.items():
            values[key] = str(value).replace("\n", "")
    for key in values:
        if not _NAME.match(key):
            raise BuildError(f"'{key}' var name is invalid, must match '{NAME_PATTERN}'",
                             hint="rename the variable in postBuild.substitute or its ConfigMap/Secret")
    return values


def _disabled(obj: Mapping[str, Any]) -> bool:
    meta = obj.get("metadata") or {}
    return ((meta.get("labels") or {}).get(DISABLE_KEY) == "disabled"
            or (meta.get("annotations") or {}).get(DISABLE_KEY) == "disabled")


def _subject(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    ns = meta.get("namespace")
    return f"{obj.get('kind')}/{ns}/{meta.get('name')}" if ns else f"{obj.get('kind')}/{meta.get('name')}"


def substitute(objs: Sequence[dict[str, Any]], variables: Mapping[str, str], *, strategy: str = "WithVariables",
               strict: bool = False, render: Callable[[dict[str, Any]], str] | None = None) -> list[dict[str, Any]]:
    """Substitute `variables` in each object.

    Args:
        objs: the built objects.
        variables: from `collect`.
        strategy: `WithVariables` (skip when there are no variables) or `Always`.
        strict: an unset variable outside a default is an error (Flux's
            StrictPostBuildSubstitutions feature gate).
        render: an object's YAML text (default: kustomize's printer).

    Raises:
        BuildError: naming the object, when substitution or re-reading fails.
    """
    if strategy not in STRATEGIES:
        raise BuildError(f"postBuild.substituteStrategy '{strategy}' is not one of {', '.join(STRATEGIES)}")
    if strategy == "WithVariables" and not variables:
        return list(objs)
    if render is None:
        from fluxpy.kustomize.yamlio import dump_resources

        def render(obj: dict[str, Any]) -> str:
            return dump_resources([obj])

    lookup = variables.get
    out = []
    for obj in objs:
        if _disabled(obj):
            out.append(obj)
            continue
        try:
            text = envsubst.evaluate(render(obj), lookup if strict else (lambda k: variables.get(k, "")),
                                     strict=strict)
        except envsubst.SubstitutionError as err:
            raise BuildError(f"{_subject(obj)}: variable substitution failed: {err}",
                             hint="check the ${...} expressions, or escape a literal one as $${...}") from err
        out.append(_read_back(text, obj))
    return out


def _read_back(text: str, obj: Mapping[str, Any]) -> dict[str, Any]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        value = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as err:
        raise BuildError(f"{_subject(obj)}: the substituted YAML is invalid: {' '.join(str(err).split())}",
                         hint="a substituted value probably needs quoting in the manifest") from err
    if not isinstance(value, dict):
        raise BuildError(f"{_subject(obj)}: the substituted YAML is not an object")
    # As JSON: dates and other YAML-only types become strings, like YAMLToJSON.
    return dict(json.loads(json.dumps(value, default=str)))
