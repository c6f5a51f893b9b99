"""Label and field selectors, parsed from the `labelSelector` / `fieldSelector` queries.

Label selectors follow `k8s.io/apimachinery/pkg/labels`: comma-separated
requirements, each `key`, `!key`, `key=v`, `key==v`, `key!=v`, `key in (a,b)`
or `key notin (a,b)`, all ANDed. Field selectors support `=`, `==` and `!=` on
`metadata.name`, `metadata.namespace` and the few extra fields a kind registers
(see `builtin.FIELD_LABELS`); anything else is a 400 like on a real server.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from tests.apiserver import errors

Matcher = Callable[[Mapping[str, Any]], bool]

_SET_OP = re.compile(r"^\s*(!?)\s*([^\s!=(),]+)\s+(in|notin)\s*\((.*)\)\s*$")
_EQ_OP = re.compile(r"^\s*([^\s!=(),]+)\s*(==|=|!=)\s*([^\s,]*)\s*$")
_EXISTS = re.compile(r"^\s*(!?)\s*([^\s!=(),]+)\s*$")


def _split(selector: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    parts: list[str] = []
    depth = 0
    current = ""
    for ch in selector:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p for p in parts if p.strip()]


def _requirement(text: str) -> Callable[[Mapping[str, str]], bool]:
    m = _SET_OP.match(text)
    if m and not m.group(1):
        key, op = m.group(2), m.group(3)
        values = {v.strip() for v in m.group(4).split(",") if v.strip()}
        if op == "in":
            return lambda labels: labels.get(key) in values
        return lambda labels: labels.get(key) not in values
    m = _EQ_OP.match(text)
    if m:
        key, op, value = m.group(1), m.group(2), m.group(3)
        if op == "!=":
            return lambda labels: labels.get(key) != value
        return lambda labels: labels.get(key) == value
    m = _EXISTS.match(text)
    if m:
        negate, key = bool(m.group(1)), m.group(2)
        if negate:
            return lambda labels: key not in labels
        return lambda labels: key in labels
    raise errors.bad_request(f"unable to parse requirement: found '{text.strip()}', expected: valid selector")


def label_matcher(selector: str | None) -> Matcher:
    """Compile a label selector into a predicate over objects.

    Raises:
        errors.ApiError: 400 when the selector does not parse.
    """
    if not selector:
        return lambda obj: True
    reqs = [_requirement(part) for part in _split(selector)]

    def match(obj: Mapping[str, Any]) -> bool:
        labels = (obj.get("metadata") or {}).get("labels") or {}
        return all(req(labels) for req in reqs)

    return match


def _field_value(obj: Mapping[str, Any], path: str) -> str:
    value: Any = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
        if value is None:
            return ""
    if isinstance(value, Mapping) and path == "source":
        return str(value.get("component", ""))
    return str(value)


def field_matcher(selector: str | None, allowed: tuple[str, ...]) -> Matcher:
    """Compile a field selector into a predicate over objects.

    Args:
        selector: the raw `fieldSelector` value.
        allowed: field labels the kind supports besides metadata.name/namespace.

    Raises:
        errors.ApiError: 400 for a syntax error or an unsupported field label.
    """
    if not selector:
        return lambda obj: True
    checks: list[tuple[str, bool, str]] = []
    for part in _split(selector):
        m = _EQ_OP.match(part)
        if not m:
            raise errors.bad_request(f"invalid selector: '{selector}'; can't understand '{part}'")
        field, op, value = m.group(1), m.group(2), m.group(3)
        if field not in ("metadata.name", "metadata.namespace") and field not in allowed:
            raise errors.bad_request(f'field label not supported: {field}')
        checks.append((field, op == "!=", value))

    def match(obj: Mapping[str, Any]) -> bool:
        return all((_field_value(obj, f) == v) != neg for f, neg, v in checks)

    return match
