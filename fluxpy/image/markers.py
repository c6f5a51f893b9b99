"""Finding `$imagepolicy` setter markers in YAML text, and writing one scalar back in place.

This is the text layer under `fluxpy.image.setters`. Flux's image-automation-controller
parses each screened file with go-yaml v3 (through kyaml), sets the marked scalar
nodes and re-serialises the whole file. fluxpy never re-serialises: it finds the
exact character span of each marked scalar with PyYAML's event stream (libyaml's
parser when available) and splices a new scalar text into the original, so every
other character (comments, indentation, quoting, anchors, ``---``/``...``, CRLF,
a BOM) stays as it was.

Which scalar a comment marks follows go-yaml v3's comment attachment as kyaml's
``fieldmeta.FieldMeta.Read`` reads it:

* the *line comment* is the comment right after the scalar on its line (in a flow
  collection a ``,`` may come between: ``{tag: v1, # marker``); a comment after a
  closing ``]``/``}`` belongs to the collection, not to its last scalar;
* the *head comment* is read only when there is no line comment, and only for a
  sequence item: a single comment line directly above the item's line (no blank
  line in between). Two comment lines make a multi-line head comment that is not
  valid JSON. A comment above a mapping key belongs to the key, which Flux never
  sets, so it marks nothing;
* the comment, with its leading ``#`` characters removed, must be a JSON object of
  strings whose ``"$imagepolicy"`` value is non-empty; text after the JSON makes
  it invalid.

Mapping keys, aliases, block scalars (go-yaml drops comments after ``|``/``>``)
and empty values (``tag: # marker`` puts the comment on the key) are never marked.

Scalar texts are written as go-yaml would emit them for the node kyaml set: a
quoted scalar keeps its quote style; a plain scalar gets double quotes when the
new value would read as something other than a string under YAML 1.1 (kyaml's
``FormatNonStringStyle``: ``123``, ``1.0``, ``y``, ``on``, ``null``) or YAML 1.2
(go-yaml's encoder: also ``""`` and dates such as ``2024-01-15``), and single
quotes when it cannot be written plain at all (libyaml's emitter falls back to them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from fluxpy.kustomize import yaml_read

__all__ = ["MARKER_TOKEN", "Scan", "Site", "UnlocatableScalar", "reads_as_non_string", "render",
           "same_structure", "scan", "setter_name", "splice"]

MARKER_TOKEN = b'"$imagepolicy"'
"""Flux screens files for this literal (the key in quotes) before parsing them."""

_SHORTHAND = "$imagepolicy"

try:
    import yaml.cyaml

    _Parser: Any = getattr(yaml.cyaml, "CParser", None)
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _Parser = None
if _Parser is None:  # pragma: no cover
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _PyParser(Reader, Scanner, Parser):
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)

    _Parser = _PyParser

_BREAKS = ("\n", "\r", "\x85", "\u2028", "\u2029")
_SCALAR = yaml.ScalarEvent
_BLOCK_ITEM_PREFIX = re.compile(r"[ \t]*-[ \t]+\Z")


class UnlocatableScalar(Exception):
    """A marked scalar's own text could not be told apart from its anchor or tag."""

    def __init__(self, line: int) -> None:
        super().__init__(f"line {line}: cannot locate the marked scalar's text")
        self.line = line


@dataclass(frozen=True, slots=True)
class Site:
    """One scalar carrying a well-formed marker (known policy or not).

    Attributes:
        setter: the marker's ``"$imagepolicy"`` value, e.g. ``flux-system:app:tag``.
        value: the scalar's current value.
        start: offset of the scalar's own text in the file's text (after any anchor/tag).
        end: offset just past it.
        style: ``""`` (plain), ``"'"`` or ``'"'``.
        in_flow: whether the scalar sits in a flow collection.
        line: 1-based line of the node.
        document: 0-based index of the YAML document in the file.
        ordinal: index of the scalar's event in `Scan.signature`.
    """

    setter: str
    value: str
    start: int
    end: int
    style: str
    in_flow: bool
    line: int
    document: int
    ordinal: int


@dataclass(frozen=True, slots=True)
class Scan:
    """What `scan` found in one file.

    Attributes:
        sites: the marked scalars, in file order.
        documents: per document, ``(apiVersion, kind, metadata.name, metadata.namespace)``
            as kyaml's ``GetMeta`` reads them (missing or null fields are ``""``).
        signature: per parser event, the scalar's value or the event's class, to check
            that a rewritten text reads the same apart from the values set.
    """

    sites: tuple[Site, ...]
    documents: tuple[tuple[str, str, str, str], ...]
    signature: tuple[object, ...]


@dataclass(slots=True)
class _Frame:
    kind: str  # "map" or "seq"
    flow: bool
    in_key: bool  # inside a complex mapping key: nothing here is set
    meta: str  # "root" (the document's root mapping), "metadata" (its metadata), or ""
    expect_key: bool = True
    key: str | None = None


_META_KEYS = {"root": ("apiVersion", "kind"), "metadata": ("name", "namespace")}
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))


def setter_name(comment: str) -> str | None:
    """The setter a comment names, as kyaml's shorthand reader accepts it, or None.

    Args:
        comment: the comment text from its first ``#`` to the end of the line.

    Returns:
        The non-empty ``"$imagepolicy"`` value, or None when the comment is not
        a JSON object of strings (after stripping leading ``#``) naming one.
    """
    body = comment.lstrip("#")
    if _SHORTHAND not in body:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    # Go decodes into map[string]string: any non-string value fails the whole object.
    if any(v is not None and not isinstance(v, str) for v in data.values()):
        return None
    name = data.get(_SHORTHAND)
    return name if isinstance(name, str) and name else None


def scan(text: str) -> Scan:
    """Find the marked scalars and each document's identity in one YAML file.

    Args:
        text: the whole file, as decoded (a leading BOM is allowed).

    Returns:
        The `Scan`.

    Raises:
        yaml.YAMLError: the text is not valid YAML.
        UnlocatableScalar: a marked scalar's span could not be found.
    """
    bom = 1 if text.startswith("\ufeff") else 0
    body = text[bom:] if bom else text
    # Only lines holding the shorthand can carry a marker: most scalars are ruled out by line number.
    marked = _marker_lines(body)
    parser = _Parser(body)
    sites: list[Site] = []
    documents: list[tuple[str, str, str, str]] = []
    signature: list[object] = []
    frames: list[_Frame] = []
    meta: dict[str, str] = {}
    barrier = 0  # end of the last scalar: head comments must start after it
    doc = -1
    try:
        while parser.check_event():
            ev: Any = parser.get_event()
            cls = type(ev)
            if cls is _SCALAR:  # the hot path: most events are scalars
                value = ev.value
                signature.append(value)
                end_mark = ev.end_mark
                before = barrier
                if end_mark.index > barrier:
                    barrier = end_mark.index
                parent = frames[-1] if frames else None
                if parent is None:
                    role = "root"
                elif parent.kind == "seq":
                    role = "item"
                elif parent.expect_key:
                    parent.key = value
                    parent.expect_key = False
                    continue
                else:
                    parent.expect_key = True
                    role = "value"
                if parent is not None:
                    if parent.in_key:
                        continue
                    if parent.meta:
                        _record_meta(meta, parent, ev)
                if end_mark.line in marked or (role == "item" and ev.start_mark.line - 1 in marked):
                    site = _site(body, ev, parent, role, before, doc, len(signature) - 1)
                    if site is not None:
                        sites.append(_shift(site, bom))
                continue
            signature.append(cls)
            if cls is yaml.MappingStartEvent or cls is yaml.SequenceStartEvent:
                parent = frames[-1] if frames else None
                role = _role(parent)
                frames.append(_Frame(
                    kind="map" if cls is yaml.MappingStartEvent else "seq",
                    flow=bool(ev.flow_style),
                    in_key=parent is not None and (parent.in_key or role == "key"),
                    meta=_child_meta(parent, role, ev)))
            elif cls is yaml.MappingEndEvent or cls is yaml.SequenceEndEvent:
                if frames.pop().flow:
                    barrier = max(barrier, ev.end_mark.index)
                _completed(frames, None)
            elif cls is yaml.AliasEvent:
                barrier = max(barrier, ev.end_mark.index)
                _completed(frames, None)
            elif cls is yaml.DocumentStartEvent:
                doc += 1
                meta = {}
            elif cls is yaml.DocumentEndEvent:
                documents.append((meta.get("apiVersion", ""), meta.get("kind", ""),
                                  meta.get("name", ""), meta.get("namespace", "")))
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose is not None:
            dispose()
    return Scan(tuple(sites), tuple(documents), tuple(signature))


_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


def _marker_lines(body: str) -> frozenset[int]:
    """0-based numbers (as the parser counts them) of the lines containing the shorthand."""
    lines: set[int] = set()
    line = last = 0
    pos = body.find(_SHORTHAND)
    while pos >= 0:
        line += len(_LINE_BREAK.findall(body, last, pos))
        lines.add(line)
        last = pos
        pos = body.find(_SHORTHAND, pos + 1)
    return frozenset(lines)


def _at(mark: Any) -> int:
    """A parser mark's character offset (marks are always set on parsed events)."""
    return int(mark.index)


def _line(mark: Any) -> int:
    """A parser mark's 1-based line."""
    return int(mark.line) + 1


def _role(parent: _Frame | None) -> str:
    if parent is None:
        return "root"
    if parent.kind == "seq":
        return "item"
    return "key" if parent.expect_key else "value"


def _completed(frames: list[_Frame], key: str | None) -> None:
    """A node under the innermost frame is complete: a mapping now waits for the other half."""
    if frames and frames[-1].kind == "map":
        top = frames[-1]
        if top.expect_key:
            top.key = key
        top.expect_key = not top.expect_key


def _child_meta(parent: _Frame | None, role: str, ev: Any) -> str:
    if not isinstance(ev, yaml.MappingStartEvent):
        return ""
    if parent is None:
        return "root"
    if parent.meta == "root" and role == "value" and parent.key == "metadata" and not parent.in_key:
        return "metadata"
    return ""


def _record_meta(meta: dict[str, str], parent: _Frame, ev: yaml.ScalarEvent) -> None:
    # kyaml's GetMeta reads the first field of each name; a null value counts as missing.
    if parent.kind != "map" or not parent.meta or parent.key not in _META_KEYS[parent.meta]:
        return
    value = ev.value
    if not ev.style and value in _NULLS:
        value = ""
    meta.setdefault(parent.key, value)


def _site(body: str, ev: yaml.ScalarEvent, parent: _Frame | None, role: str, barrier: int,
          doc: int, ordinal: int) -> Site | None:
    style = ev.style or ""
    if style in ("|", ">"):
        return None
    if not style and ev.value == "":
        return None  # `key:` with nothing: go-yaml gives the comment to the key
    in_flow = parent.flow if parent is not None else False
    comment = _line_comment(body, _at(ev.end_mark), in_flow)
    if comment is None and role == "item" and parent is not None:
        comment = _head_comment(body, _at(ev.start_mark), barrier, parent.flow)
    if comment is None:
        return None
    setter = setter_name(comment)
    if setter is None:
        return None
    start, end = _span(body, ev)
    return Site(setter=setter, value=ev.value, start=start, end=end, style=style, in_flow=in_flow,
                line=_line(ev.start_mark), document=doc, ordinal=ordinal)


def _shift(site: Site, by: int) -> Site:
    if not by:
        return site
    return Site(site.setter, site.value, site.start + by, site.end + by, site.style, site.in_flow,
                site.line, site.document, site.ordinal)


def _line_end(body: str, i: int) -> int:
    ends = [j for j in (body.find(b, i) for b in _BREAKS) if j >= 0]
    return min(ends) if ends else len(body)


def _line_start(body: str, i: int) -> int:
    return max(body.rfind(b, 0, i) for b in _BREAKS) + 1


def _line_comment(body: str, end: int, in_flow: bool) -> str | None:
    n = len(body)
    i = end
    while i < n and body[i] in " \t":
        i += 1
    if in_flow and i < n and body[i] == ",":
        i += 1
        while i < n and body[i] in " \t":
            i += 1
    if i < n and body[i] == "#":
        return body[i:_line_end(body, i)]
    return None


def _comment_line_above(body: str, line_start: int, barrier: int) -> tuple[str, int] | None:
    """The comment-only line just above the line starting at `line_start`, and its start."""
    if line_start == 0:
        return None
    end = line_start - 1
    if body[end] == "\n" and end > 0 and body[end - 1] == "\r":
        end -= 1
    start = _line_start(body, end)
    if start < barrier:
        return None
    text = body[start:end].lstrip(" \t")
    if not text.startswith("#"):
        return None
    return text, start


def _head_comment(body: str, start: int, barrier: int, flow: bool) -> str | None:
    ls = _line_start(body, start)
    prefix = body[ls:start]
    if flow:
        if prefix.strip(" \t"):
            return None
    elif not _BLOCK_ITEM_PREFIX.match(prefix):
        return None  # e.g. `- - x`: the comment belongs to the outer item
    above = _comment_line_above(body, ls, barrier)
    if above is None:
        return None
    text, above_start = above
    if _comment_line_above(body, above_start, barrier) is not None:
        return None  # a multi-line head comment is not one JSON object
    return text


def _span(body: str, ev: yaml.ScalarEvent) -> tuple[int, int]:
    start, end = _at(ev.start_mark), _at(ev.end_mark)
    if ev.anchor is not None or ev.tag is not None:
        start = _skip_properties(body, start, end)
    frag = body[start:end]
    style = ev.style or ""
    if style:
        ok = len(frag) >= 2 and frag[0] == style and frag[-1] == style
    else:
        ok = frag == ev.value or (frag[:1] not in ("&", "!")
                                  and " ".join(frag.split()) == " ".join(ev.value.split()))
    if not ok:
        raise UnlocatableScalar(_line(ev.start_mark))
    return start, end


def _skip_properties(body: str, i: int, end: int) -> int:
    """Skip an anchor (``&a``) and a tag (``!t``, ``!!str``, ``!<uri>``) before a scalar."""
    while i < end:
        c = body[i]
        if c in " \t\r\n":
            i += 1
        elif c == "#":
            i = _line_end(body, i)
        elif body.startswith("!<", i):
            close = body.find(">", i)
            i = end if close < 0 else close + 1
        elif c in "&!":
            while i < end and body[i] not in " \t\r\n":
                i += 1
        else:
            break
    return i


# --- writing a scalar ---------------------------------------------------------------------

# go-yaml v2 (YAML 1.1) booleans that v3 reads as strings; kyaml quotes them.
_YAML11_WORDS = frozenset("y Y yes Yes YES n N no No NO on On ON off Off OFF".split())


def reads_as_non_string(value: str) -> bool:
    """Whether a plain scalar with this text would not read back as the string.

    True when go-yaml v2 (YAML 1.1, as kyaml's ``IsValueNonString`` checks) or
    go-yaml v3 (as its encoder checks before dropping the ``!!str`` tag) resolves
    it to null, a bool, a number or a timestamp: ``""``, ``123``, ``1.0``, ``1e3``,
    ``0x1F``, ``08``, ``y``, ``on``, ``null``, ``.inf``, ``2024-01-15``.
    """
    if value in _YAML11_WORDS:
        return True
    if not isinstance(yaml_read.resolve_plain(value), str):
        return True
    return value[:1].isdigit() and yaml_read.parse_timestamp(value) is not None


def _printable(ch: str) -> bool:
    o = ord(ch)
    return (o == 0x0A or 0x20 <= o <= 0x7E or o == 0x85 or 0xA0 <= o <= 0xD7FF
            or (0xE000 <= o <= 0xFFFD and o != 0xFEFF) or 0x10000 <= o <= 0x10FFFF)


def _single_ok(value: str) -> bool:
    return all(_printable(ch) and ch not in _BREAKS for ch in value)


_FLOW_INDICATORS = frozenset(",[]{}")
_LEADING_INDICATORS = frozenset("#,[]{}&*!|>'\"%@`")


def _plain_ok(value: str, in_flow: bool) -> bool:
    """Whether the text reads back as this one plain scalar (libyaml's analysis, but
    a ``:`` not followed by a space is accepted in flow context, as parsers do)."""
    if not value or value[0] in " \t" or value[-1] in " \t":
        return False
    if value.startswith(("---", "...")) or value[0] in _LEADING_INDICATORS:
        return False
    if value[0] in "-?:" and (len(value) == 1 or value[1] in " \t"):
        return False
    for i, ch in enumerate(value):
        if not _printable(ch) or ch in _BREAKS:
            return False
        if in_flow and ch in _FLOW_INDICATORS:
            return False
        if ch == ":" and (i + 1 == len(value) or value[i + 1] in " \t"):
            return False
        if ch == "#" and value[i - 1] in " \t":
            return False
    return True


def _single(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


_ESCAPES = {"\0": "0", "\a": "a", "\b": "b", "\t": "t", "\n": "n", "\v": "v", "\f": "f", "\r": "r",
            "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N", "\u2028": "L", "\u2029": "P"}


def _double(value: str) -> str:
    out = ['"']
    for ch in value:
        if ch in _ESCAPES and (ch in '"\\' or not _printable(ch) or ch in _BREAKS):
            out.append("\\" + _ESCAPES[ch])
        elif not _printable(ch) or ch == "\ufeff":
            o = ord(ch)
            out.append(f"\\x{o:02X}" if o <= 0xFF else f"\\u{o:04X}" if o <= 0xFFFF else f"\\U{o:08X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _structural(value: str) -> bool:
    """Whether YAML 1.1 reads the text as something other than a string (``a: b``, ``[a]``)."""
    try:
        return not isinstance(yaml.safe_load(value), str)
    except yaml.YAMLError:
        return False


def render(value: str, style: str, *, in_flow: bool) -> str:
    """The scalar text to write for `value` in place of a scalar of `style`.

    Args:
        value: the new value.
        style: the original scalar's style: ``""`` (plain), ``"'"`` or ``'"'``.
        in_flow: whether the scalar is inside a flow collection.

    Returns:
        The text, quoted as go-yaml would emit the node kyaml set (see the module docstring).
    """
    if style == '"':
        return _double(value)
    if style == "'":
        return _single(value) if _single_ok(value) else _double(value)
    if reads_as_non_string(value):
        return _double(value)
    if _plain_ok(value, in_flow):
        return value
    if _structural(value) or not _single_ok(value):
        return _double(value)
    return _single(value)


def splice(text: str, edits: Iterable[tuple[int, int, str]]) -> str:
    """`text` with each ``(start, end, replacement)`` span replaced (spans must not overlap)."""
    parts: list[str] = []
    pos = 0
    for start, end, new in sorted(edits):
        parts.append(text[pos:start])
        parts.append(new)
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def same_structure(text: str, expected: Sequence[object]) -> bool:
    """Whether `text` parses to exactly the `expected` signature (see `Scan.signature`)."""
    body = text[1:] if text.startswith("\ufeff") else text
    parser = _Parser(body)
    got: list[object] = []
    try:
        while parser.check_event():
            ev: Any = parser.get_event()
            got.append(ev.value if type(ev) is yaml.ScalarEvent else type(ev))
    except yaml.YAMLError:
        return False
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose is not None:
            dispose()
    return got == list(expected)
