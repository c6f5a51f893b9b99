"""Patch targets: kustomize's `Selector` and the ids it prints.

A target selects resources by group, version, kind, name and namespace (each a
Go regular expression, anchored at both ends as kustomize's ``anchorRegex``
does: ``Deployment|StatefulSet`` selects both kinds), a Kubernetes label
selector and an annotation selector (``a=b``, ``a!=b``, ``a in (x,y)``,
``a notin (x)``, ``a``, ``!a``, joined by commas). A resource matches by name or namespace if either its original or its
current one matches, as kustomize's ``resWrangler.Select`` does, so a patch
still finds a resource that namePrefix has renamed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fluxpy.kustomize.errors import BuildError
from fluxpy.kustomize.resource import ResId, Resource

__all__ = ["Target", "LabelSelector", "kustomize_id", "effective_namespace", "CLUSTER_SCOPED"]

#: Built-in kinds that have no namespace (kustomize asks its embedded v1.21 schema).
CLUSTER_SCOPED = frozenset({
    "APIService", "CertificateSigningRequest", "ClusterRole", "ClusterRoleBinding", "ComponentStatus",
    "CSIDriver", "CSINode", "CustomResourceDefinition", "FlowSchema", "IngressClass",
    "MutatingWebhookConfiguration", "Namespace", "Node", "PersistentVolume", "PodSecurityPolicy",
    "PriorityClass", "PriorityLevelConfiguration", "RuntimeClass", "SelfSubjectAccessReview",
    "SelfSubjectRulesReview", "StorageClass", "StorageVersion", "SubjectAccessReview", "TokenReview",
    "ValidatingWebhookConfiguration", "VolumeAttachment",
})


def kustomize_id(rid: ResId) -> str:
    """An id as kustomize prints it in errors: ``Deployment.v1.apps/web.[noNs]``."""
    gvk = ".".join((rid.kind or "[noKind]", rid.version or "[noVer]", rid.group or "[noGrp]"))
    return f"{gvk}/{rid.name or '[noName]'}.{rid.namespace or '[noNs]'}"


def effective_namespace(rid: ResId) -> str:
    """kustomize's EffectiveNamespace: "" and "default" are one namespace."""
    if rid.kind in CLUSTER_SCOPED:
        return "_non_namespaceable_"
    return rid.namespace or "default"


_POSIX_CLASSES = {
    "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7f", "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f", "digit": "0-9", "graph": "!-~", "lower": "a-z", "print": " -~",
    "punct": "!-/:-@[-`{-~", "space": "\\t\\n\\v\\f\\r ", "upper": "A-Z", "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}
_GO_ONLY = re.compile(r"\\Q(.*?)(?:\\E|\Z)|\\z|\(\?<(?![=!])|\[:(\^?)([a-z]+):\]", re.DOTALL)
_PERL_UNSUPPORTED = re.compile(r"\(\?(?:[=!>]|<[=!])")
_BACKREF = re.compile(r"(?<!\\)(?:\\\\)*(\\[1-9])")


def _go_syntax(m: re.Match[str]) -> str:
    text = m.group()
    if text.startswith("\\Q"):
        return re.escape(m.group(1))
    if text == "\\z":
        return "\\Z"
    if text == "(?<":
        return "(?P<"
    chars = _POSIX_CLASSES.get(m.group(3))
    if chars is None:
        return text
    return chars if not m.group(2) else text  # a negated class inside a set has no Python spelling


@functools.lru_cache(maxsize=256)
def _anchored(pattern: str | None) -> re.Pattern[str] | None:
    """kustomize's anchored selector regex, compiled with Go's RE2 meaning where Python's differs.

    ``$`` is the end of the text (Python's also matches before a final newline),
    ``\\d``, ``\\w``, ``\\s`` and ``\\b`` are ASCII, and Go's ``\\z``, ``\\Q...\\E``,
    ``(?<name>...)`` and ``[[:alpha:]]`` are understood; lookarounds and
    backreferences are refused as Go refuses them.
    """
    if not pattern:
        return None
    anchored = f"^(?:{pattern})$"
    perl = _PERL_UNSUPPORTED.search(pattern)
    if perl:
        raise BuildError(f"error parsing regexp: invalid or unsupported Perl syntax: `{perl.group()}`")
    backref = _BACKREF.search(pattern)
    if backref:
        raise BuildError(f"error parsing regexp: invalid escape sequence: `{backref.group(1)}`")
    try:
        return re.compile(f"^(?:{_GO_ONLY.sub(_go_syntax, pattern)})\\Z", re.ASCII)
    except re.error as err:
        if "missing )" in err.msg:
            raise BuildError(f"error parsing regexp: missing closing ): `{anchored}`") from err
        if "unbalanced parenthesis" in err.msg:
            raise BuildError(f"error parsing regexp: unexpected ): `{anchored}`") from err
        raise BuildError(f"error parsing regexp: {err.msg}: `{anchored}`") from err


_TOKEN = re.compile(r"\s*(\(|\)|,|!=|==|=|!|[^\s(),!=]+)")


@dataclass(frozen=True, slots=True)
class _Requirement:
    key: str
    op: str  # "in", "notin", "exists", "!"
    values: frozenset[str]

    def matches(self, labels: Mapping[str, Any]) -> bool:
        has = self.key in labels
        value = str(labels.get(self.key, ""))
        if self.op == "exists":
            return has
        if self.op == "!":
            return not has
        if self.op == "in":
            return has and value in self.values
        return not has or value not in self.values


class LabelSelector:
    """A parsed Kubernetes label selector (apimachinery's ``labels.Parse`` syntax)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._reqs = self._parse(text)

    def matches(self, labels: Mapping[str, Any]) -> bool:
        return all(req.matches(labels) for req in self._reqs)

    def _parse(self, text: str) -> list[_Requirement]:
        tokens = _TOKEN.findall(text.strip())
        reqs: list[_Requirement] = []
        pos = 0

        def take() -> str:
            nonlocal pos
            if pos >= len(tokens):
                raise BuildError(f"unable to parse requirement: found '', expected: identifier in {text!r}")
            pos += 1
            return str(tokens[pos - 1])

        while pos < len(tokens):
            tok = take()
            if tok == "!":
                reqs.append(_Requirement(take(), "!", frozenset()))
            else:
                key, op = tok, tokens[pos] if pos < len(tokens) else ","
                if op == ",":
                    reqs.append(_Requirement(key, "exists", frozenset()))
                elif op in ("=", "==", "!="):
                    take()
                    reqs.append(_Requirement(key, "notin" if op == "!=" else "in", frozenset({take()})))
                elif op in ("in", "notin"):
                    take()
                    if take() != "(":
                        raise BuildError(f"unable to parse requirement: expected '(' in {text!r}")
                    values: set[str] = set()
                    while (tok := take()) != ")":
                        if tok != ",":
                            values.add(tok)
                    reqs.append(_Requirement(key, op, frozenset(values)))
                else:
                    raise BuildError(f"unable to parse requirement: found '{op}' in selector {text!r}")
            if pos < len(tokens):
                if take() != ",":
                    raise BuildError(f"unable to parse requirement: expected ',' in selector {text!r}")
        return reqs


@dataclass(frozen=True, slots=True)
class Target:
    """A patch target (kustomize's ``types.Selector``); empty fields match anything."""

    group: str | None = None
    version: str | None = None
    kind: str | None = None
    name: str | None = None
    namespace: str | None = None
    labelSelector: str | None = None  # noqa: N815 - the kustomization field name
    annotationSelector: str | None = None  # noqa: N815

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Target:
        """Build from a kustomization's ``target:`` mapping.

        Raises:
            BuildError: an unknown field.
        """
        fields = {"group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector"}
        unknown = sorted(set(raw) - fields)
        if unknown:
            raise BuildError(f"invalid patch target: unknown field {unknown[0]!r}")
        return cls(**{k: None if v is None else str(v) for k, v in raw.items()})

    def matches(self, res: Resource) -> bool:
        """Whether the selector selects ``res`` (by its original or its current name/namespace).

        Raises:
            BuildError: a malformed regex or label selector.
        """
        cur, org = res.id(), res.original_id()
        ns = _anchored(self.namespace)
        if ns is not None and not (ns.match(effective_namespace(org)) or ns.match(effective_namespace(cur))):
            return False
        name = _anchored(self.name)
        if name is not None and not (name.match(org.name) or name.match(cur.name)):
            return False
        for want, have in ((self.group, cur.group), (self.version, cur.version), (self.kind, cur.kind)):
            regex = _anchored(want)
            if regex is not None and not regex.match(have):
                return False
        if self.labelSelector and not LabelSelector(self.labelSelector).matches(
                res.meta.get("labels") or {}):
            return False
        if self.annotationSelector and not LabelSelector(self.annotationSelector).matches(
                res.meta.get("annotations") or {}):
            return False
        return True

    def __str__(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in (
            ("group", self.group), ("version", self.version), ("kind", self.kind), ("name", self.name),
            ("namespace", self.namespace), ("labelSelector", self.labelSelector),
            ("annotationSelector", self.annotationSelector)) if v)
