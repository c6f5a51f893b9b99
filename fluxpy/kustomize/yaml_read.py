"""Reading manifest files the way kustomize v5 reads them.

kustomize (through kyaml) first splits a file into documents on every line
that starts with ``---`` (only a comment may follow the marker on that line),
parses each piece with go-yaml v3, and later round-trips every object through
``encoding/json`` before printing it. The visible effects, which this module
reproduces so the rest of the engine works on the values kustomize works on:

* YAML 1.2-ish scalars as go-yaml v3 resolves them: only ``true``/``false``
  (three spellings each) are booleans (``yes``/``on``/``y`` stay strings);
  ``~``/``null``/empty are null; integers take Go's base prefixes
  (``0x1F``, ``0o17``, ``0b101``) and a leading ``0`` means octal
  (``0755`` is 493, ``08`` falls through to the float 8); underscores are
  ignored in numbers; integers beyond uint64 become floats.
* Unquoted timestamps (``2024-01-15``, ``2001-12-14 21:59:43.10``, RFC 3339
  with short fields) become the RFC 3339 string Go's ``time.Time`` marshals
  to (``"2024-01-15T00:00:00Z"``).
* ``.inf``/``.nan`` cannot be marshalled to JSON: kustomize fails, so do we.
* Mapping keys must be strings (JSON objects); duplicate keys are an error;
  merge keys ``<<`` follow go-yaml v3 (explicit keys win, then the merged
  maps in order); aliases are expanded into independent copies.
* ``metadata.annotations`` values become the scalar's source text (``1.0``
  stays ``"1.0"``), because kyaml reads annotations as ``map[string]string``
  and writes them back; non-scalar values become ``""``.
* Empty documents, ``null`` documents and ``{}`` are skipped; a document
  whose kind ends in ``List`` and has an ``items`` field is replaced by its
  items; every other document must be a mapping with ``kind`` and
  ``metadata.name`` (``apiVersion`` may be missing, kustomize accepts that).

Parsing uses PyYAML's libyaml parser (``CParser``) when available, with our
own resolver, since PyYAML's YAML 1.1 typing differs from go-yaml's.
Malformed input raises `BuildError` naming the file and the 1-based line in
the whole file, with go-yaml's message (``yaml: line N: ...``, N counted
within the document as kustomize reports it) and wording where PyYAML's differs.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Any

import yaml
import yaml.scanner
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from fluxpy import gostrconv
from fluxpy.kustomize.errors import BuildError

__all__ = ["YamlMap", "forget", "load_documents", "null_text", "parse_timestamp", "resolve_plain",
           "source_value"]

_PLAIN = "!fluxpy/plain"
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_TAG_PREFIX = "tag:yaml.org,2002:"


class _Resolver:
    """Marks plain scalars instead of typing them; `_resolve_plain` types them later."""

    def resolve(self, kind: type[Node], value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _SEQ if kind is SequenceNode else _MAP

    # The pure-Python composer calls these; the libyaml one does not.
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


try:
    import yaml.cyaml

    _Parser: Any = getattr(yaml.cyaml, "CParser", None)  # libyaml's parser and composer
except ImportError:  # pragma: no cover
    _Parser = None
if _Parser is None:  # pragma: no cover - PyYAML built without libyaml
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _PyParser(Reader, Scanner, Parser, Composer):
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)

    _Parser = _PyParser


class _Loader(_Parser, _Resolver):  # type: ignore[misc]
    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)


class YamlMap(dict[str, Any]):
    """A mapping read from YAML that remembers some of its scalars' source.

    kustomize keeps every object as YAML nodes until it prints it, and two of
    its steps look at a scalar's text rather than its value: a strategic merge
    keeps a base's ``foo: null`` (or ``~``) that the patch leaves alone but drops
    an empty ``foo:``, and a JSON patch re-reads the object from JSON, so an
    annotation's text (``1.0``, kept as ``"1.0"`` by `load_documents`) becomes
    the text of its value (``"1"``). Everything else sees an ordinary dict.

    Attributes:
        scalars: key -> (source text, value as read) for each null value and,
            in ``metadata.annotations``, each value turned into text.
    """

    scalars: dict[str, tuple[str, Any]]

    def __init__(self, items: dict[str, Any], scalars: dict[str, tuple[str, Any]]) -> None:
        super().__init__(items)
        self.scalars = scalars


def source_value(mapping: dict[str, Any], key: str) -> tuple[str, Any] | None:
    """(source text, value as read) of ``mapping[key]`` if the loader recorded it and it is unchanged."""
    scalars = getattr(mapping, "scalars", None)
    if not scalars or key not in scalars or key not in mapping:
        return None
    text, read = scalars[key]
    value = mapping[key]
    return (text, read) if value == text or (value is None and read is None) else None


def null_text(mapping: dict[str, Any], key: str) -> str | None:
    """The source text ("", "null", "~", ...) of the null still at ``mapping[key]``, if read from YAML."""
    found = source_value(mapping, key)
    return found[0] if found is not None and found[1] is None else None


def forget(mapping: dict[str, Any], key: str) -> None:
    """Drop what the loader recorded about ``mapping[key]`` (its value was replaced)."""
    scalars = getattr(mapping, "scalars", None)
    if scalars:
        scalars.pop(key, None)


# --- scalar resolution (go-yaml v3 resolve.go) ---------------------------------------------

_INF = float("inf")
_NAN = float("nan")
_RESOLVE_MAP: dict[str, Any] = {}
for _v, _words in ((True, "true True TRUE"), (False, "false False FALSE"),
                   (None, "~ null Null NULL"), (_NAN, ".nan .NaN .NAN"),
                   (_INF, ".inf .Inf .INF +.inf +.Inf +.INF"), (-_INF, "-.inf -.Inf -.INF")):
    for _w in _words.split():
        _RESOLVE_MAP[_w] = _v
_RESOLVE_MAP[""] = None
_HINT_CHARS = frozenset("+-0123456789yYnNtTfFoO~.")
_NUM_HINT = frozenset("+-0123456789")
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_DOT_FLOAT = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?\Z")

_TS = re.compile(
    r"(\d{4})-(\d\d?)-(\d\d?)"
    r"(?:(?:([Tt])|( ))(\d\d?):(\d\d?):(\d\d?)(?:[.,](\d+))?(Z|[+-]\d\d:\d\d)?)?\Z")
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def parse_timestamp(s: str) -> str | None:
    """go-yaml's timestamp formats, rendered as Go's time.Time marshals to JSON (RFC 3339)."""
    m = _TS.match(s)
    if not m:
        return None
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    if not 1 <= month <= 12:
        return None
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if day < 1 or day > _MONTH_DAYS[month - 1] + (1 if month == 2 and leap else 0):
        return None
    date = f"{year:04d}-{month:02d}-{day:02d}"
    if m[6] is None:
        return date + "T00:00:00Z"
    if m[5] and m[10]:  # "2006-1-2 15:4:5" takes no zone
        return None
    if not m[5] and not m[10]:  # the T forms need one
        return None
    hour, minute, sec = int(m[6]), int(m[7]), int(m[8])
    if hour > 23 or minute > 59 or sec > 59:
        return None
    frac = (m[9] or "")[:9].rstrip("0")
    zone = m[10] or "Z"
    if zone[1:] in ("00:00",):
        zone = "Z"
    elif zone != "Z" and (int(zone[1:3]) > 23 or int(zone[4:6]) > 59):
        return None
    return f"{date}T{hour:02d}:{minute:02d}:{sec:02d}{'.' + frac if frac else ''}{zone}"


def resolve_plain(s: str) -> Any:
    """The value go-yaml v3 gives an untagged plain scalar, after kustomize's JSON round trip.

    Args:
        s: the scalar's text.

    Returns:
        None, bool, int, float or str (timestamps as their RFC 3339 text).
    """
    if not s:
        return None
    c = s[0]
    if c not in _HINT_CHARS:
        return s
    if s in _RESOLVE_MAP:
        return _RESOLVE_MAP[s]
    if c == ".":
        if _DOT_FLOAT.match(s):
            return float(s)
        return s
    if c not in _NUM_HINT:
        return s
    if len(s) >= 8 and s[4] == "-":
        ts = parse_timestamp(s)
        if ts is not None:
            return ts
    plain = s.replace("_", "")
    if not plain:
        return s
    v = gostrconv.parse_int(plain, signed=True)
    if v is None:
        v = gostrconv.parse_int(plain, signed=False)
    if v is not None:
        return v
    if _YAML_FLOAT.match(plain):
        f = float(plain)
        if f not in (_INF, -_INF):
            return f
    return s


# --- documents ---------------------------------------------------------------------------

_SEPARATOR = re.compile(r"\n---.*\n")

_GO_WORDING = (
    ("mapping values are not allowed here", "mapping values are not allowed in this context"),
    ("expected <block end>, but found", "did not find expected key"),
    ("expected ',' or ']'", "did not find expected ',' or ']'"),
    ("expected ',' or '}'", "did not find expected ',' or '}'"),
    ("expected the node content", "did not find expected node content"),
    ("found undefined alias", "unknown anchor {} referenced"),
    ("could not find expected ':'", "could not find expected ':'"),
    ("found unexpected end of stream", "found unexpected end of stream"),
    ("found character that cannot start any token", "found character that cannot start any token"),
)


def _yaml_error(exc: yaml.YAMLError, path: str, line0: int, chunk: str) -> BuildError:
    """go-yaml's message for a parse error, as kustomize shows it.

    go-yaml (a port of libyaml, whose marks PyYAML's CParser reports) numbers
    lines within the document kyaml handed it, not the file: it takes the
    context mark (where the broken construct starts) unless that is on the
    document's first line, else the problem mark, and counts from 1 only for
    scanner errors (from 0 for parser errors). A mark on line 0 gives no line.
    The BuildError's own line is the mark's 1-based line in the whole file.
    """
    problem = str(getattr(exc, "problem", None) or exc)
    context_mark = getattr(exc, "context_mark", None)
    problem_mark = getattr(exc, "problem_mark", None)
    mark = context_mark if context_mark is not None and context_mark.line != 0 else problem_mark
    if mark is not None and mark.line == 0:
        mark = None
    where = mark
    if problem.startswith("found undefined alias"):
        where = None  # go-yaml's decoder, not its parser, finds this: no line
    message = problem
    for pyyaml, go in _GO_WORDING:
        if problem.startswith(pyyaml):
            if "{}" in go:
                at = problem_mark or context_mark
                alias = re.match(r"\*([^\s,\[\]{}]*)", chunk[at.index:]) if at else None
                message = go.format(repr(alias[1]) if alias else "''")
            else:
                message = go
            break
    if problem.startswith("unacceptable character") or "special characters are not allowed" in problem:
        message = "control characters are not allowed"
    if where is None:
        line = line0 + (mark.line if mark is not None else 0) + 1
        return BuildError(f"MalformedYAMLError: yaml: {message}", path=path, line=line)
    shown = where.line + 1 if isinstance(exc, yaml.scanner.ScannerError) else where.line
    return BuildError(f"MalformedYAMLError: yaml: line {shown}: {message}", path=path,
                      line=line0 + where.line + 1)


class _Builder:
    """Turns composed nodes into JSON-compatible values, go-yaml v3 style."""

    def __init__(self, path: str, line0: int) -> None:
        self.path = path
        self.line0 = line0

    def fail(self, message: str, node: Node) -> BuildError:
        return BuildError(message, path=self.path, line=self.line0 + node.start_mark.line + 1)

    def scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        value: str = node.value
        if tag == _PLAIN:
            v = resolve_plain(value)
        elif tag == _STR or tag == "!":
            return value
        elif tag.startswith(_TAG_PREFIX):
            v = self.tagged(tag[len(_TAG_PREFIX):], value, node)
        else:
            return value  # an application tag: go-yaml keeps the text
        if isinstance(v, float) and (v != v or v in (_INF, -_INF)):
            shown = "NaN" if v != v else ("+Inf" if v > 0 else "-Inf")
            raise self.fail(f"json: unsupported value: {shown}", node)
        return v

    def tagged(self, short: str, value: str, node: ScalarNode) -> Any:
        if short == "str":
            return value
        if short == "binary":
            try:
                raw = base64.b64decode("".join(value.split()), validate=True)
            except (binascii.Error, ValueError):
                raise self.fail("yaml: !!binary value contains invalid base64 data", node) from None
            return raw.decode("utf-8", errors="replace")
        v = resolve_plain(value)
        kind = {bool: "bool", int: "int", float: "float", type(None): "null"}.get(type(v), "str")
        if kind == "str" and value[:1].isdigit() and parse_timestamp(value) is not None:
            kind = "timestamp"
        if short == kind or (short == "float" and kind == "int"):
            return float(v) if short == "float" else v
        if short in ("int", "float", "bool", "null", "timestamp"):
            raise self.fail(f"yaml: cannot decode !!{kind} `{value}` as a !!{short}", node)
        return v

    def value(self, node: Node) -> Any:
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if isinstance(node, SequenceNode):
            return [self.value(n) for n in node.value]
        if isinstance(node, MappingNode):
            if node.tag == "tag:yaml.org,2002:set":
                return {self.key(k): "" for k, _ in node.value}
            return self.mapping(node)
        raise self.fail("yaml: unknown node", node)  # pragma: no cover

    def key(self, node: Node) -> str:
        k = self.scalar(node) if isinstance(node, ScalarNode) else node
        if not isinstance(k, str):
            raise self.fail("json: unsupported type: map[interface {}]interface {}", node)
        return k

    def mapping(self, node: MappingNode, out: dict[str, Any] | None = None,
                seen: dict[str, int] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = {} if out is None else out
        merge: Node | None = None
        lines: dict[str, int] = {}
        nulls: dict[str, tuple[str, Any]] = {}
        for knode, vnode in node.value:
            if isinstance(knode, ScalarNode) and knode.value == "<<" and knode.tag in (
                    _PLAIN, "tag:yaml.org,2002:merge"):
                merge = vnode
                continue
            k = self.key(knode)
            if k in lines:
                raise self.fail(f'yaml: unmarshal errors: mapping key "{k}" already defined at line '
                                f"{self.line0 + lines[k] + 1}", knode)
            lines[k] = knode.start_mark.line
            if seen is not None:
                if k in seen:
                    continue
                seen[k] = 1
            result[k] = v = self.value(vnode)
            if v is None and isinstance(vnode, ScalarNode):
                nulls[k] = (vnode.value, None)
        if merge is not None:
            if seen is None:
                seen = dict.fromkeys(result, 1)
            sources = merge.value if isinstance(merge, SequenceNode) else [merge]
            for src in sources:
                if not isinstance(src, MappingNode):
                    raise self.fail("map merge requires map or sequence of maps as the value", merge)
                self.mapping(src, result, seen)
        if nulls and out is None:
            return YamlMap(result, nulls)
        return result

    def document(self, node: Node) -> Any:
        obj = self.value(node)
        if isinstance(obj, dict) and isinstance(node, MappingNode):
            self.stringify_annotations(obj, node)
        return obj

    def stringify_annotations(self, obj: dict[str, Any], node: MappingNode) -> None:
        kind = obj.get("kind")
        items = obj.get("items")
        if isinstance(kind, str) and kind.endswith("List") and isinstance(items, list):
            inode = _child(node, "items")
            if isinstance(inode, SequenceNode) and len(inode.value) == len(items):
                for item, item_node in zip(items, inode.value):
                    if isinstance(item, dict) and isinstance(item_node, MappingNode):
                        self.stringify_annotations(item, item_node)
        meta = obj.get("metadata")
        if not isinstance(meta, dict) or not isinstance(meta.get("annotations"), dict):
            return
        mnode = _child(node, "metadata")
        anode = _child(mnode, "annotations") if isinstance(mnode, MappingNode) else None
        if not isinstance(anode, MappingNode):
            return
        texts: dict[str, str] = {}
        _annotation_texts(anode, texts, self)
        read = meta["annotations"]
        shown = {k: texts.get(k, "") for k in read}
        meta["annotations"] = YamlMap(shown, {k: (shown[k], v) for k, v in read.items()
                                              if not isinstance(v, (dict, list)) and v != shown[k]})


def _child(node: MappingNode, key: str) -> Node | None:
    found = None
    for k, v in node.value:
        if isinstance(k, ScalarNode) and k.value == key:
            found = v
    return found


def _annotation_texts(node: MappingNode, texts: dict[str, str], b: _Builder) -> None:
    merges: list[Node] = []
    for k, v in node.value:
        if isinstance(k, ScalarNode) and k.value == "<<" and k.tag == _PLAIN:
            merges.append(v)
            continue
        key = b.key(k)
        texts[key] = v.value if isinstance(v, ScalarNode) else ""
    for m in merges:
        for src in (m.value if isinstance(m, SequenceNode) else [m]):
            if isinstance(src, MappingNode):
                extra: dict[str, str] = {}
                _annotation_texts(src, extra, b)
                for key, text in extra.items():
                    texts.setdefault(key, text)


def _split(text: str, path: str) -> list[tuple[str, int]]:
    """kyaml's splitDocuments: (document text, line offset) pairs."""
    text = text.replace("\r\n", "\n")
    docs: list[tuple[str, int]] = []
    prev = 0
    line = 0
    for m in _SEPARATOR.finditer(text):
        after = m.group()[4:].strip()
        if after and not after.startswith("#"):
            raise BuildError(f"invalid document separator: {m.group().strip()}", path=path,
                             line=text.count("\n", 0, m.start()) + 2)
        chunk = text[prev:m.start()] + "\n"
        docs.append((chunk, line))
        line += chunk.count("\n") + 1
        prev = m.end()
    if text:
        docs.append((text[prev:], line))
    return docs


def _expand(obj: Any, path: str, out: list[dict[str, Any]],
            fail: Callable[[str], BuildError]) -> None:
    if obj is None or obj == {}:
        return
    if not isinstance(obj, dict):
        raise fail("missing Resource metadata")
    kind = obj.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and "items" in obj:
        items = obj["items"]
        if items is None:
            return
        if not isinstance(items, list):
            raise fail(f"expected array for items in {kind}, but got {_go_type(items)}")
        for i, item in enumerate(items):
            if item is None:
                raise fail(f"empty item at {i} in {kind}")
            _expand(item, path, out, fail)
        return
    meta = obj.get("metadata")
    if kind is None or kind == "":
        raise fail(f"missing kind in object {_describe(obj)}")
    name = meta.get("name") if isinstance(meta, dict) else None
    if name is None or name == "":
        raise fail(f"missing metadata.name in object {_describe(obj)}")
    out.append(obj)


def _go_type(v: Any) -> str:
    if isinstance(v, dict):
        return "map[string]interface {}"
    return {bool: "bool", int: "int", float: "float64", str: "string"}.get(type(v), type(v).__name__)


def _describe(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata")
    name = meta.get("name", "") if isinstance(meta, dict) else ""
    return f"apiVersion={obj.get('apiVersion', '')!s} kind={obj.get('kind', '')!s} name={name!s}"


def load_documents(text: str, *, path: str) -> list[dict[str, Any]]:
    """Parse a manifest file into its objects, as kustomize v5 reads them.

    Args:
        text: the file's content.
        path: the file's path relative to the build root, for error messages.

    Returns:
        One JSON-compatible dict per resource, in file order; ``*List`` objects
        with ``items`` are replaced by their items; empty documents are skipped.

    Raises:
        BuildError: malformed YAML (with the file's 1-based line), a non-string
            or duplicate key, ``.inf``/``.nan``, or a document that is not a
            resource (no ``kind`` or ``metadata.name``).
    """
    out: list[dict[str, Any]] = []
    for chunk, line0 in _split(text, path):
        loader = _Loader(chunk)
        try:
            if not loader.check_node():
                continue
            node = loader.get_node()
        except yaml.YAMLError as exc:
            raise _yaml_error(exc, path, line0, chunk) from None
        finally:
            loader.dispose()
        if node is None:
            continue
        builder = _Builder(path, line0)
        obj = builder.document(node)
        line = line0 + node.start_mark.line + 1

        def fail(message: str, line: int = line) -> BuildError:
            return BuildError(message, path=path, line=line)

        _expand(obj, path, out, fail)
    return out
