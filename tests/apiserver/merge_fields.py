"""Field sets and the managedFields ``fieldsV1`` format (structured-merge-diff).

A field set is a set of paths; a path is a tuple of path elements:

* ``("f", name)`` -- a map or struct field, serialized ``f:<name>``;
* ``("k", json)`` -- a list-map item, by the JSON of its key fields sorted by
  name, serialized ``k:{"containerPort":80,"protocol":"TCP"}``;
* ``("v", json)`` -- a set-list item, by its JSON value, ``v:"foo"``;
* ``("i", n)`` -- an item by index, ``i:0`` (lists without keys, rare).

``fieldsV1`` is the set as a trie: every member that is a leaf is ``{}``; a
member that also has children carries ``".": {}`` (list-map items always do).
As in structured-merge-diff's ``ToFieldSet``, the members of an object's set
are its scalar fields, atomic lists and maps (owned whole), and list items;
granular maps are only path prefixes. The server-owned fields are never
tracked (k8s.io/apiserver ``stripmeta``): ``apiVersion``, ``kind``,
``metadata.name``, ``namespace``, ``uid``, ``resourceVersion``,
``generation``, ``creationTimestamp``, ``selfLink``, ``managedFields``, plus
``deletionTimestamp``/``deletionGracePeriodSeconds``, and ``status`` for kinds
with a status subresource (``ignore_status``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from tests.apiserver.merge_common import PatchError, json_equal
from tests.apiserver.schema import Schema

__all__ = [
    "MISSING", "PE", "FieldPath", "field_paths", "fields_set", "from_fields_v1", "item_element",
    "path_set", "path_string", "resolve", "schema_path", "to_fields_v1", "values_equal",
]

PE = tuple[str, Any]
FieldPath = tuple[PE, ...]
MISSING: Any = object()

_STRIPPED_META = frozenset({
    "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "selfLink",
    "managedFields", "deletionTimestamp", "deletionGracePeriodSeconds", "clusterName",
})


def _canon(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _canon(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canon(v) for v in value]
    return value


def _dumps(value: Any) -> str:
    return json.dumps(_canon(value), separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def item_element(item: Any, index: int, schema: Schema, spath: tuple[str, ...], *,
                 strict: bool = False) -> PE:
    """The path element of a list item.

    Args:
        item: The list item.
        index: Its position (used for lists without keys or for unkeyable items).
        schema: Merge rules.
        spath: Field-name path of the list.
        strict: Raise (as for an applied configuration) when a key field is
            missing and has no default.

    Returns:
        ``("k", json)`` for map lists, ``("v", json)`` for set lists, else ``("i", index)``.
    """
    list_type = schema.list_type(spath)
    if list_type == "set":
        return ("v", _dumps(item))
    if list_type == "map" and isinstance(item, dict):
        defaults = schema.key_defaults(spath)
        key: dict[str, Any] = {}
        for name in schema.list_keys(spath):
            if name in item and item[name] is not None:
                key[name] = item[name]
            elif name in defaults:
                key[name] = defaults[name]
            elif strict:
                raise PatchError(f"{_dotted(spath)}: element {index}: associative list with keys has an "
                                 f'element that omits key field "{name}" (and doesn\'t have default value)')
        return ("k", _dumps(key))
    return ("i", index)


def _dotted(spath: Iterable[str]) -> str:
    return "".join("." + s for s in spath)


def schema_path(path: FieldPath) -> tuple[str, ...]:
    """The field-name path (as :class:`Schema` addresses fields) of a field path."""
    return tuple(name for kind, name in path if kind == "f")


def _go_value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return _dumps(value)


def path_string(path: FieldPath) -> str:
    """A path as structured-merge-diff prints it: ``.spec.containers[name="app"].image``."""
    out = []
    for kind, value in path:
        if kind == "f":
            out.append("." + value)
        elif kind == "k":
            key = json.loads(value)
            out.append("[" + ",".join(f"{k}={_go_value(key[k])}" for k in sorted(key)) + "]")
        elif kind == "v":
            out.append(f"[={_go_value(json.loads(value))}]")
        else:
            out.append(f"[{value}]")
    return "".join(out)


def path_set(obj: Any, schema: Schema, *, ignore_status: bool = False, strict: bool = False) -> set[FieldPath]:
    """The members of an object's field set (see the module docstring)."""
    out: set[FieldPath] = set()
    if not isinstance(obj, dict):
        return out
    for key, value in obj.items():
        if key in ("apiVersion", "kind") or value is None or (key == "status" and ignore_status):
            continue
        if key == "metadata" and isinstance(value, dict):
            for mkey, mvalue in value.items():
                if mkey not in _STRIPPED_META and mvalue is not None:
                    _walk(mvalue, (("f", "metadata"), ("f", mkey)), ("metadata", mkey), schema, out, strict)
            continue
        _walk(value, (("f", key),), (key,), schema, out, strict)
    return out


def _walk(value: Any, path: FieldPath, spath: tuple[str, ...], schema: Schema,
          out: set[FieldPath], strict: bool) -> None:
    if isinstance(value, dict):
        if schema.map_atomic(spath):
            out.add(path)
            return
        for key, child in value.items():
            if child is not None:
                _walk(child, path + (("f", key),), spath + (key,), schema, out, strict)
        return
    if isinstance(value, list):
        if schema.list_type(spath) == "atomic":
            out.add(path)
            return
        seen: set[PE] = set()
        for index, item in enumerate(value):
            pe = item_element(item, index, schema, spath, strict=strict)
            if pe in seen:
                if strict:
                    raise PatchError(f"{_dotted(spath)}: duplicate entries for key {path_string((pe,))}")
                continue
            seen.add(pe)
            out.add(path + (pe,))
            if isinstance(item, dict) and not schema.item_atomic(spath):
                for key, child in item.items():
                    if child is not None:
                        _walk(child, path + (pe, ("f", key)), spath + (key,), schema, out, strict)
        return
    out.add(path)


def to_fields_v1(paths: Iterable[FieldPath]) -> dict[str, Any]:
    """Serialize a set of member paths to the fieldsV1 trie."""
    trie: dict[PE, Any] = {}
    members: set[FieldPath] = set(paths)
    for path in members:
        node = trie
        for pe in path:
            node = node.setdefault(pe, {})

    def order(pe: PE) -> tuple[int, str]:
        return ("fkvi".index(pe[0]), str(pe[1]) if pe[0] != "i" else f"{pe[1]:012d}")

    def render(node: dict[PE, Any], prefix: FieldPath) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if prefix in members and node:
            out["."] = {}
        for pe in sorted(node, key=order):
            out[f"{pe[0]}:{pe[1]}"] = render(node[pe], prefix + (pe,))
        return out

    return render(trie, ())


def from_fields_v1(fields: Mapping[str, Any] | None) -> set[FieldPath]:
    """Parse a fieldsV1 trie into its set of member paths."""
    out: set[FieldPath] = set()

    def visit(node: Mapping[str, Any], prefix: FieldPath) -> None:
        if prefix and (not node or "." in node):
            out.add(prefix)
        for key, child in node.items():
            if key == "." or ":" not in key:
                continue
            kind, _, value = key.partition(":")
            pe: PE = (kind, _canonical_element(kind, value))
            visit(child if isinstance(child, Mapping) else {}, prefix + (pe,))

    visit(fields or {}, ())
    return out


def _canonical_element(kind: str, value: str) -> Any:
    """``i:`` as an int; ``k:``/``v:`` JSON re-serialized canonically (sorted keys, compact)."""
    if kind == "i":
        return int(value)
    if kind in ("k", "v"):
        try:
            return _dumps(json.loads(value))
        except ValueError:
            return value
    return value


def fields_set(obj: Any, schema: Schema, *, ignore_status: bool = False) -> dict[str, Any]:
    """The fieldsV1 of an object: what an applier of exactly ``obj`` would own.

    Args:
        obj: An object (or an apply configuration).
        schema: Merge rules of its kind.
        ignore_status: Leave out ``status`` (kinds with a status subresource).

    Returns:
        The fieldsV1 trie, e.g. ``{"f:spec": {"f:replicas": {}}}``.
    """
    return to_fields_v1(path_set(obj, schema, ignore_status=ignore_status))


def field_paths(fields_v1: Mapping[str, Any] | None) -> list[str]:
    """The member paths of a fieldsV1 trie as readable strings, sorted (``.spec.replicas``)."""
    return sorted(path_string(p) for p in from_fields_v1(fields_v1))


def resolve(obj: Any, path: FieldPath, schema: Schema) -> Any:
    """The value at ``path`` in ``obj``, or :data:`MISSING`."""
    node = obj
    spath: tuple[str, ...] = ()
    for kind, value in path:
        if kind == "f":
            if not isinstance(node, dict) or value not in node or node[value] is None:
                return MISSING
            node = node[value]
            spath += (value,)
            continue
        if not isinstance(node, list):
            return MISSING
        if kind == "i":
            if not 0 <= value < len(node):
                return MISSING
            node = node[value]
            continue
        for index, item in enumerate(node):
            if item_element(item, index, schema, spath) == (kind, value):
                node = item
                break
        else:
            return MISSING
    return node


def values_equal(a: Any, b: Any) -> bool:
    """JSON equality where :data:`MISSING` equals only itself."""
    if a is MISSING or b is MISSING:
        return a is b
    return json_equal(a, b)
