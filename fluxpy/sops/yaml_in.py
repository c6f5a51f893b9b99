"""Loading a sops-encrypted YAML document into trees, as sops's YAML store does.

Each YAML document becomes a `Branch`: keys in file order, values typed as
go-yaml v3 decodes them into ``interface{}`` (timestamps stay text), and
every comment an entry of its own, where sops's ``appendYamlNodeToTreeBranch``
puts it: head and key-line comments before the key, a scalar value's line
comment as an `InlineComment` just before it, foot comments after it, and the
comments of a nested mapping or list at its start and end. Comment text keeps
everything after the ``#`` (``# note`` is ``" note"``), which is what sops
encrypts. The ``sops`` metadata comes from the first document and is removed
from every document (``stores.ExtractMetadata``). As sops does before it
reads the nodes, the first document is checked for repeated keys.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from fluxpy.sops import yaml_parse, yaml_resolve
from fluxpy.sops.errors import DecryptionError
from fluxpy.sops.tree import Branch
from fluxpy.sops.values import Comment, InlineComment
from fluxpy.sops.yaml_parse import Node

__all__ = ["load_yaml"]

Fail = Callable[[str], DecryptionError]


def _comments(text: str, *, inline: bool = False) -> list[Comment]:
    kind = InlineComment if inline else Comment
    return [kind(line[1:]) for line in text.split("\n") if line]


def _scalar(node: Node, fail: Fail) -> Any:
    """``node.Decode(&interface{})`` for a scalar."""
    tag = node.tag
    if tag == yaml_resolve.STR or (not node.tagged and node.style):
        return node.value
    if tag == "!!binary":
        try:
            raw = base64.b64decode("".join(node.value.split()), validate=True)
        except (binascii.Error, ValueError):
            raise fail(f"has an invalid !!binary value (line {node.line_number})") from None
        return raw.decode("utf-8", errors="surrogateescape")
    if not node.tagged:
        return yaml_resolve.decode_plain(node.value)
    if tag in (yaml_resolve.NULL, yaml_resolve.BOOL, yaml_resolve.INT, yaml_resolve.FLOAT, yaml_resolve.TIMESTAMP):
        found, value = yaml_resolve.resolve(node.value)
        if found == tag:
            return value
        if tag == yaml_resolve.FLOAT and found == yaml_resolve.INT:
            return float(value)
        raise fail(f"cannot decode {found} `{node.value}` as a {tag} (line {node.line_number})")
    return node.value  # !!merge and application tags: go-yaml keeps the text


def _value(node: Node, handled: bool, fail: Fail) -> Any:
    """sops's ``nodeToTreeValue``."""
    if node.kind == yaml_parse.SEQUENCE:
        items: list[Any] = []
        if not handled:
            items += _comments(node.head) + _comments(node.line)
        for item in node.content:
            items += _comments(item.head) + _comments(item.line, inline=True)
            items.append(_value(item, True, fail))
            items += _comments(item.foot)
        if not handled:
            items += _comments(node.foot)
        return items
    if node.kind == yaml_parse.MAPPING:
        return _append(node, Branch(), handled, fail)
    if node.kind == yaml_parse.ALIAS:
        assert node.alias is not None
        return _value(node.alias, False, fail)
    return _scalar(node, fail)


def _append(node: Node, branch: Branch, handled: bool, fail: Fail) -> Branch:
    """sops's ``appendYamlNodeToTreeBranch``."""
    if not handled:
        branch += [(c, None) for c in _comments(node.head) + _comments(node.line)]
    if node.kind == yaml_parse.DOCUMENT:
        for item in node.content:
            branch = _append(item, branch, False, fail)
    elif node.kind == yaml_parse.SEQUENCE:
        raise fail("is a YAML document that is a list; sops only reads mappings")
    elif node.kind == yaml_parse.MAPPING:
        for key, value in zip(node.content[::2], node.content[1::2], strict=True):
            branch += [(c, None) for c in _comments(key.head) + _comments(key.line)]
            scalar = value.kind in (yaml_parse.SCALAR, yaml_parse.ALIAS)
            if scalar:
                branch += [(c, None) for c in _comments(value.head) + _comments(value.line, inline=True)]
            name = _scalar(key, fail) if key.kind == yaml_parse.SCALAR else None
            if not isinstance(name, str):
                raise fail(f"has a key that is not a string (line {key.line_number}); sops only reads string keys")
            branch.append((name, _value(value, scalar, fail)))
            if scalar:
                branch += [(c, None) for c in _comments(value.foot)]
            branch += [(c, None) for c in _comments(key.foot)]
    elif node.kind == yaml_parse.SCALAR:
        if node.tag == yaml_resolve.NULL:
            return branch  # an empty document
        raise fail("is a YAML document that is a single value; sops only reads mappings")
    else:
        assert node.alias is not None
        branch = _append(node.alias, branch, False, fail)
    if not handled:
        branch += [(c, None) for c in _comments(node.foot)]
    return branch


def _check_unique_keys(node: Node, fail: Fail) -> None:
    """go-yaml's ``uniqueKeys`` check, which sops runs on the first document."""
    if node.kind == yaml_parse.MAPPING:
        seen: dict[tuple[str, str], int] = {}
        for key in node.content[::2]:
            ident = (key.kind, key.value)
            if ident in seen:
                raise fail(f"has the key {key.value!r} twice (lines {seen[ident]} and {key.line_number})")
            seen[ident] = key.line_number
    for child in node.content:
        _check_unique_keys(child, fail)


def _plain(value: Any) -> Any:
    if isinstance(value, Branch):
        return {k: _plain(v) for k, v in value if not isinstance(k, Comment)}
    if isinstance(value, list):
        return [_plain(v) for v in value if not isinstance(v, Comment)]
    return value


def load_yaml(text: str, fail: Fail) -> tuple[list[Branch], dict[str, Any]]:
    """Load an encrypted YAML file: one tree per document and the ``sops`` metadata.

    Args:
        text: the file.
        fail: makes the error for a reason (the caller names the object and file).

    Returns:
        The documents without their ``sops`` keys, and the metadata as plain dicts.

    Raises:
        DecryptionError: not YAML go-yaml reads, a repeated key, a document
            that is not a mapping, a non-string key, or no metadata.
    """
    try:
        documents = yaml_parse.parse(text)
    except yaml_parse.YamlSyntaxError as exc:
        raise fail(f"is not valid YAML ({exc})") from None
    if documents:
        root = documents[0].content[0] if documents[0].content else None
        if root is not None and root.kind not in (yaml_parse.MAPPING, yaml_parse.SCALAR):
            raise fail("is a YAML document that is not a mapping; sops only reads mappings")
        for document in documents[:1]:
            _check_unique_keys(document, fail)
    branches = [_append(document, Branch(), False, fail) for document in documents]
    meta: Any = None
    for i, branch in enumerate(branches):
        for key, value in branch:
            if key == "sops" and not isinstance(key, Comment) and i == 0:
                if meta is not None:
                    raise fail("has two sops metadata entries")
                if not isinstance(value, Branch):
                    raise fail("has a sops metadata entry that is not a mapping")
                meta = value
        branches[i] = Branch((k, v) for k, v in branch if k != "sops" or isinstance(k, Comment))
    if meta is None:
        raise fail("has no sops metadata")
    plain = _plain(meta)
    assert isinstance(plain, dict)
    return branches, plain
