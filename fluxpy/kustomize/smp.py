"""Strategic merge patch, as kustomize v5 applies it (kyaml's merge2 walker).

kustomize does not use apimachinery's strategic merge: it walks the object and
the patch together (``kyaml/yaml/walk``) with a ``Merger`` visitor and
``ListIncreaseDirection: Prepend``. What that means, each point checked
against kustomize v5.8.1:

* maps merge; a ``null`` in the patch deletes the field; a null in the base
  that the patch leaves alone stays when spelled out (``foo: null``, ``~``) but
  is dropped when empty (``foo:``), anywhere in the object (`yaml_read.YamlMap`
  remembers which); a null annotation (text to the rest of the engine) merges
  as the null it is in kustomize; ``$patch: delete``
  removes a map (or the whole object), ``$patch: replace`` replaces it;
  ``$patch: merge`` is the default; any other value is an error;
* a list merges only where the schema (`schema`) says so; the merged list holds
  the patch's items first, in patch order, then the base's other items (the
  base's items are merged in place); lists of scalars that merge
  (``finalizers``) are unions in the same order; every other list is replaced;
* a list-level ``- $patch: replace`` replaces a merging list;
* apimachinery's ``$setElementOrder/``, ``$deleteFromPrimitiveList/`` and
  ``$retainKeys`` are not understood: they are merged as ordinary fields;
* lists keyed by two fields (container ports: containerPort + protocol) follow
  kyaml's own rules, which this module mirrors step by step
  (`_merge_keyed_list`): a patch port without ``protocol`` merges into a base
  port without one, but is dropped when the base port names a protocol.

The walk mutates the base object in place and reuses the patch's nodes, as
kyaml does with its nodes; `merge` therefore deep-copies the patch first.
"""

from __future__ import annotations

import copy
from typing import Any, Final

from fluxpy.kustomize import yaml_read
from fluxpy.kustomize.errors import BuildError
from fluxpy.kustomize.schema import Path, Schema

__all__ = ["merge"]


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


#: A field absent from a source (as opposed to present with a null value).
MISSING: Final = _Missing()
_DIRECTIVE = "$patch"


def merge(base: dict[str, Any], patch: dict[str, Any], *, schema: Schema | None) -> dict[str, Any] | None:
    """Apply a strategic merge patch to an object.

    Args:
        base: the object; it is modified in place (and returned).
        patch: the patch; not modified.
        schema: list merge rules for the object's kind, None for unknown kinds.

    Returns:
        The patched object, or None when the patch deletes it (``$patch: delete``).

    Raises:
        BuildError: a directive is unknown, or the patch has a map where the object has a list.
    """
    result = _Walker(schema).walk([base, copy.deepcopy(patch)], ())
    if result is MISSING or result is None:
        return None
    assert isinstance(result, dict)
    return result


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "MappingNode"
    if isinstance(value, list):
        return "SequenceNode"
    return "ScalarNode"


def text(value: Any) -> str:
    """A scalar's text as kyaml compares it (``80`` equals ``"80"``); "" for maps and lists."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return ""
    return str(value)


def _empty(value: Any) -> bool:
    """kyaml's IsNilOrEmpty: missing, null, or an empty map, list or string."""
    return value is MISSING or value is None or value in ("", {}, [])


def _field(source: Any, name: str) -> Any:
    """A source's value for a field: MISSING when absent, None for any null read from YAML
    (an annotation's null was turned into text, but merges as the null it is in kustomize)."""
    if not isinstance(source, dict) or name not in source:
        return MISSING
    if yaml_read.null_text(source, name) is not None:
        return None
    return source[name]


def _directive(patch: Any) -> str:
    """The patch's ``$patch`` directive, removed from it (kyaml's determineSmpDirective)."""
    if isinstance(patch, dict):
        if _DIRECTIVE not in patch or patch[_DIRECTIVE] is None:
            return "merge"
        value = text(patch[_DIRECTIVE])
        if value in ("delete", "replace", "merge"):
            del patch[_DIRECTIVE]
            return value
        raise BuildError(f"unknown patch strategy '{value}'")
    if isinstance(patch, list):
        for index, item in enumerate(patch):
            if isinstance(item, dict) and list(item) == [_DIRECTIVE]:
                value = text(item[_DIRECTIVE])
                if value not in ("delete", "replace", "merge"):
                    raise BuildError(f"unknown patch strategy '{value}'")
                del patch[index]
                return value
        return "merge"
    return "unknown"


def _field_match(elem: Any, key: str, value: str) -> bool:
    """kyaml's FieldMatcher: never matches an empty value."""
    if value == "":
        return False
    if key == "":
        return not isinstance(elem, (dict, list)) and text(elem) == value
    return isinstance(elem, dict) and key in elem and text(elem[key]) == value


def _element_setter(seq: list[Any], keys: list[str], values: list[str], element: Any) -> None:
    """kyaml's ElementSetter: replace the items matching keys=values by element (or
    remove them when element is MISSING), append element when none matched."""
    kept: list[Any] = []
    matched = False
    for elem in seq:
        if elem is None or elem == {}:
            continue
        if not isinstance(elem, dict) and keys and keys[0] != "":
            kept.append(elem)
            continue
        found, hit = True, False  # kyaml's `val` starts nil: no values, no match
        for j, key in enumerate(keys):
            if j < len(values):
                hit = _field_match(elem, key, values[j])
            if not hit:
                found = False
                break
        if not found:
            if values:
                kept.append(elem)
            continue
        matched = True
        if element is not MISSING:
            kept.append(element)
    seq[:] = kept
    if element is not MISSING and element is not None and not matched:
        seq.append(element)


def _find(seq: Any, keys: list[str], values: list[str]) -> Any:
    """kyaml's ElementList: the first item whose keys all equal values, else MISSING."""
    if not isinstance(seq, list):
        return MISSING
    if not keys or keys[0] == "":
        for elem in seq:
            if not isinstance(elem, (dict, list)) and text(elem) == values[0]:
                return elem
        return MISSING
    for elem in seq:
        if isinstance(elem, dict) and all(_field_match(elem, k, v) for k, v in zip(keys, values)):
            return elem
    return MISSING


def _valid_keys(values_list: list[list[str]], values: list[str],
                keys: list[str]) -> tuple[list[str], list[str]]:
    """kyaml's validateKeys: drop secondary keys no item sets."""
    present = {keys[i] for vals in values_list for i, v in enumerate(vals) if v != ""}
    if not present:
        return keys, values
    return ([k for k in keys if k in present],
            [v for i, v in enumerate(values) if v != "" or keys[i] in present])


def _match(one: list[str], two: list[str]) -> list[str] | None:
    if len(one) != len(two):
        return None
    common = False
    out: list[str] = []
    for a, b in zip(one, two):
        if a == b:
            common = True
            out.append(a)
        elif a and b:
            return None
        else:
            out.append(a or b)
    return out if common else None


def _merge_values(values_list: list[list[str]]) -> None:
    for i in range(len(values_list)):
        for j in range(len(values_list)):
            merged = _match(values_list[i], values_list[j])
            if merged is not None:
                values_list[i] = merged
                values_list[j] = list(merged)


class _Walker:
    def __init__(self, schema: Schema | None) -> None:
        self.schema = schema

    def walk(self, sources: list[Any], path: Path) -> Any:
        kind = next((_kind(s) for s in sources if s is not MISSING and s is not None), None)
        if kind is not None:
            for s in sources:
                if s is not MISSING and s is not None and _kind(s) != kind:
                    raise BuildError(f"wrong node kind: expected {kind} but got {_kind(s)}: "
                                     f"node contents: {_flow(s)}")
        if kind == "SequenceNode":
            keys = self.schema.merge_keys(path) if self.schema is not None else None
            if keys is None:
                if sources[1] is None:
                    return MISSING
                return sources[1] if sources[1] is not MISSING else sources[0]
            return self._walk_keyed_list(sources, path, list(keys))
        if kind == "ScalarNode":
            dest, origin = sources
            if origin is None:
                return MISSING
            return origin if origin is not MISSING else dest
        return self._walk_map(sources, path)

    def _visit_map(self, sources: list[Any]) -> Any:
        dest, origin = sources
        if dest is MISSING or dest is None:
            directive = _directive(origin) if isinstance(origin, (dict, list)) else "unknown"
            if directive == "delete" or origin is None:
                return MISSING
            if origin is MISSING and dest is None:
                return None  # kyaml keeps a base's explicit null
            return origin
        if origin is None:
            return MISSING
        directive = _directive(origin) if origin is not MISSING else "merge"
        if directive == "delete":
            return MISSING
        if directive == "replace":
            return origin
        return dest

    def _walk_map(self, sources: list[Any], path: Path) -> Any:
        dest = self._visit_map(sources)
        if dest is MISSING or not isinstance(dest, dict):
            return dest
        sources[0] = dest
        names = sorted({k for s in sources if isinstance(s, dict) for k in s})
        for name in names:
            fields = [_field(s, name) for s in sources]
            if fields[1] is MISSING:
                held = yaml_read.null_text(dest, name)
                if held is not None:
                    # kyaml keeps a base's null that the patch leaves alone only when it is
                    # spelled out (null, ~): an empty value (`foo:`) is dropped.
                    if held == "":
                        dest.pop(name)
                    continue
            value = self.walk(fields, (*path, name))
            yaml_read.forget(dest, name)
            if value is MISSING:
                dest.pop(name, None)
            else:
                dest[name] = value
        return dest

    def _visit_list(self, sources: list[Any]) -> Any:
        dest, origin = sources
        if dest is MISSING or dest is None:
            return MISSING if origin is None else origin
        if origin is None:
            return MISSING
        directive = _directive(origin) if origin is not MISSING else "merge"
        if directive == "delete":
            raise BuildError("strategic merge patch: list directive $patch: delete is not supported")
        if directive == "replace":
            return origin
        return dest

    def _walk_keyed_list(self, sources: list[Any], path: Path, keys: list[str]) -> Any:
        dest = self._visit_list(sources)
        if dest is MISSING or dest is None:
            return dest
        sources[0] = dest
        if keys:
            values_list = self._element_values(sources, keys)
        else:
            keys = [""]
            values_list = self._primitive_values(sources)
        return self._merge_keyed_list(sources, path, keys, values_list, dest)

    @staticmethod
    def _element_values(sources: list[Any], keys: list[str]) -> list[list[str]]:
        out: list[list[str]] = []
        for src in (sources[1], sources[0]):  # Prepend: the patch's items first
            if not isinstance(src, list):
                continue
            for elem in src:
                vals = ["" if not isinstance(elem, dict) or _empty(elem.get(k, MISSING))
                        else text(elem[k]) for k in keys]
                if vals not in out:
                    out.append(vals)
        return out

    @staticmethod
    def _primitive_values(sources: list[Any]) -> list[list[str]]:
        out: list[list[str]] = []
        seen: set[str] = set()
        for src in (sources[1], sources[0]):
            if not isinstance(src, list):
                continue
            for elem in src:
                if text(elem) not in seen:
                    seen.add(text(elem))
                    out.append([text(elem)])
        return out

    def _merge_keyed_list(self, sources: list[Any], path: Path, keys: list[str],
                          values_list: list[list[str]], dest: list[Any]) -> Any:
        """kyaml's setAssociativeSequenceElements, with its quirks."""
        added: list[Any] = []
        if len(keys) > 1:
            _merge_values(values_list)
        valid_keys, valid_values = keys, list[str]()
        for values in values_list:
            if not values:
                continue
            valid_keys, valid_values = _valid_keys(values_list, values, keys)
            lookup_keys, lookup_values = _valid_keys([valid_values], valid_values, valid_keys)
            elems = [_find(s, lookup_keys, lookup_values) for s in sources]
            val = self.walk(elems, path)
            if val is MISSING or val is None or val == {}:
                _element_setter(dest, valid_keys, valid_values, MISSING)
                continue
            if isinstance(val, dict):
                for i, key in enumerate(valid_keys):
                    if key not in val and valid_values[i] != "":
                        val[key] = valid_values[i]
            _element_setter(added, valid_keys, valid_values, val)
        if values_list:
            self._append(added, dest, valid_keys)
            dest = added
        return dest

    @staticmethod
    def _append(dst: list[Any], src: list[Any], keys: list[str]) -> None:
        """kyaml's appendListNode (the Prepend direction: the base's items go after)."""
        for elem in list(src):
            if keys[0] == "":
                _element_setter(dst, [""], [text(elem)], elem)
                continue
            vals: list[str] = []
            for key in keys:
                if not isinstance(elem, dict) or key not in elem:
                    dst.append(elem)
                    continue
                vals.append(text(elem[key]))
            if len(keys) > 1:
                _element_setter(dst, keys, vals, MISSING)
            _element_setter(dst, keys, vals, elem)


def _flow(value: Any) -> str:
    import json
    return json.dumps(value, separators=(", ", ": "))
