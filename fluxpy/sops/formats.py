"""SOPS's file formats: telling them apart, loading encrypted documents, emitting plaintext as sops does.

Flux decrypts whole documents in two places: Secret ``data`` values whose
content is a sops document, and secretGenerator ``files``/``envs`` sources.
The input format is detected from sops's marker bytes (`detect_format`: the
``mac`` line each store writes), the output format chosen from the data key or
file name (`format_for_path`: ``.env`` dotenv, ``.json`` JSON, ``.yaml``/``.yml``
YAML, ``.ini`` INI, anything else binary; ``.dockerconfigjson`` is JSON).

Loading (`load_encrypted`) returns the trees (one per YAML document, one for
the other formats) and the ``sops`` metadata. JSON (and binary, which is a
JSON envelope ``{"data": "ENC[...]", "sops": {...}}``) keeps key order and
repeated keys in a `Branch` and reads every number as a 64-bit float, as Go's
decoder does; dotenv reads ``KEY=value`` lines, ``#`` comments and the
flattened ``sops_*`` metadata lines; YAML keeps key order, go-yaml v3's typing
and every comment (`fluxpy.sops.yaml_in`). Emitting (`emit_plain`) reproduces
sops byte for byte: tab-indented JSON with Go's escaping and number
formatting, ``KEY=value`` lines with newlines as ``\\n``, binary's raw
``data``, and YAML as go-yaml v3 writes it with sops's indent of 4
(`fluxpy.sops.yaml_out`). INI documents are refused: sops writes them with
go-ini, whose layout is not reproduced.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum
from typing import Any

from fluxpy.sops import values, yaml_in, yaml_out
from fluxpy.sops.errors import DecryptionError
from fluxpy.sops.tree import Branch, Comment

__all__ = ["Format", "detect_format", "emit_plain", "format_for_path", "load_encrypted"]

Fail = Callable[[str], DecryptionError]


class Format(StrEnum):
    """A sops store."""

    BINARY = "binary"
    DOTENV = "dotenv"
    INI = "INI"
    JSON = "JSON"
    YAML = "YAML"


# kustomize-controller's sopsFormatToMarkerBytes; binary and JSON share a marker (and a loader).
_MARKERS = ((Format.JSON, b'"mac": "ENC['), (Format.DOTENV, b"sops_mac=ENC["),
            (Format.YAML, b"mac: ENC["), (Format.INI, b"[sops]"))
_SUPPORTED = (Format.BINARY, Format.DOTENV, Format.JSON, Format.YAML)


def format_for_path(path: str) -> Format:
    """The store sops (and Flux's ``formatForPath``) picks for a file or data key name."""
    if path.endswith(".dockerconfigjson"):
        return Format.JSON
    if path.endswith((".yaml", ".yml")):
        return Format.YAML
    if path.endswith(".json"):
        return Format.JSON
    if path.endswith(".ini"):
        return Format.INI
    if path.endswith(".env"):
        return Format.DOTENV
    return Format.BINARY


def detect_format(data: bytes) -> Format | None:
    """The format of a sops-encrypted document, from the ``mac`` line its store writes; None if not one."""
    for fmt, marker in _MARKERS:
        if marker in data:
            return fmt
    return None


def _unsupported(fmt: Format, fail: Fail) -> DecryptionError:
    return fail(f"is a sops {fmt} document; fluxpy decrypts {', '.join(_SUPPORTED)} documents")


# --- loading --------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A metadata `Branch` as plain dicts (later keys win, as Go's json.Unmarshal does)."""
    if isinstance(value, Branch):
        return {k: _plain(v) for k, v in value if not isinstance(k, Comment)}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _load_json(text: str, fail: Fail) -> tuple[Branch, dict[str, Any]]:
    try:
        # Go's json.Decoder.Token reads every number as a float64.
        doc = json.loads(text, object_pairs_hook=Branch, parse_int=float)
    except ValueError as exc:
        raise fail(f"is not valid JSON (line {getattr(exc, 'lineno', '?')})") from None
    if not isinstance(doc, Branch):
        raise fail("is not a JSON object")
    meta = [v for k, v in doc if k == "sops"]
    if not meta or not isinstance(meta[-1], Branch):
        raise fail("has no sops metadata")
    return Branch((k, v) for k, v in doc if k != "sops"), _plain(meta[-1])


def _unflatten(flat: dict[str, str]) -> dict[str, Any]:
    """sops ``stores.Unflatten``: ``age__list_0__map_enc`` -> ``{"age": [{"enc": ...}]}``."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        tokens: list[str | int] = []
        rest = key
        head, sep, rest = rest.partition("__")
        tokens.append(head)
        while sep:
            part, sep, rest = rest.partition("__")
            if part.startswith("map_"):
                tokens.append(part[4:])
            elif part.startswith("list_") and part[5:].isdigit():
                tokens.append(int(part[5:]))
            else:  # a key that merely contains "__"
                last = tokens.pop()
                tokens.append(f"{last}__{part}")
        node: Any = out
        for token, following in zip(tokens, [*tokens[1:], None], strict=True):
            if following is None:
                if isinstance(node, list) and isinstance(token, int):
                    node.extend([None] * (token + 1 - len(node)))
                    node[token] = value
                elif isinstance(node, dict) and isinstance(token, str):
                    node[token] = value
                break
            child: Any = [] if isinstance(following, int) else {}
            if isinstance(node, list) and isinstance(token, int):
                node.extend([None] * (token + 1 - len(node)))
                if node[token] is None:
                    node[token] = child
                node = node[token]
            elif isinstance(node, dict) and isinstance(token, str):
                node = node.setdefault(token, child)
            else:
                break
    return out


def _load_dotenv(text: str, fail: Fail) -> tuple[Branch, dict[str, Any]]:
    branch = Branch()
    flat: dict[str, str] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if not line:
            continue
        if line.startswith("#"):
            branch.append((Comment(line[1:]), None))
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise fail(f"has a line {number} that is not KEY=VALUE")
        value = value.replace("\\n", "\n")
        if key.startswith("sops_"):
            flat[key[5:]] = value
        else:
            branch.append((key, value))
    if "mac" not in flat:
        raise fail("has no sops metadata")
    meta = _unflatten(flat)
    meta["mac_only_encrypted"] = meta.get("mac_only_encrypted") == "true"
    return branch, meta


def load_encrypted(data: bytes, fmt: Format, fail: Fail) -> tuple[list[Branch], dict[str, Any]]:
    """Load a sops-encrypted document.

    Args:
        data: the document.
        fmt: its format (binary documents are JSON envelopes).
        fail: makes the error for a reason (the caller names the object and file).

    Returns:
        The encrypted trees without their metadata (one per YAML document; one
        for the other formats), and the ``sops`` metadata.

    Raises:
        DecryptionError: not UTF-8, not parseable, no metadata, or an INI document.
    """
    if fmt not in _SUPPORTED:
        raise _unsupported(fmt, fail)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise fail("is not UTF-8 text") from None
    if fmt is Format.YAML:
        return yaml_in.load_yaml(text, fail)
    branch, meta = _load_dotenv(text, fail) if fmt is Format.DOTENV else _load_json(text, fail)
    return [branch], meta


# --- emitting -------------------------------------------------------------------------------------


_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f",
                 "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _json_string(s: str) -> str:
    """encoding/json's string encoding (HTML-safe; an invalid UTF-8 byte becomes U+FFFD)."""
    out = ['"']
    for ch in s:
        if ch in _JSON_ESCAPES:
            out.append(_JSON_ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        elif "\udc80" <= ch <= "\udcff":  # a byte surrogateescape kept from invalid UTF-8
            out.append("\\ufffd")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _json_float(f: float, fail: Fail) -> str:
    """encoding/json's float64: %f-style between 1e-6 and 1e21, else exponent form without a padded exponent."""
    if math.isnan(f) or math.isinf(f):
        raise fail("has a value JSON cannot represent (NaN or infinity)")
    if f == 0 or 1e-6 <= abs(f) < 1e21:
        return values.go_float(f)
    sign, digits_t, exponent = Decimal(repr(f)).as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digits_t)).rstrip("0") or "0"
    exp = len(digits_t) + exponent - 1
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    # strconv's 'e' pads the exponent to two digits; encoding/json then drops the pad of e-0X.
    exponent_text = f"-{-exp}" if exp < 0 else f"+{exp:02d}"
    return f"{'-' if sign else ''}{mantissa}e{exponent_text}"


def _json_value(value: Any, depth: int, fail: Fail) -> str:
    pad, inner = "\t" * depth, "\t" * (depth + 1)
    if isinstance(value, (Branch, dict)):
        pairs = value if isinstance(value, Branch) else list(value.items())
        items = [f"{inner}{_json_string(k)}: {_json_value(v, depth + 1, fail)}"
                 for k, v in pairs if not isinstance(k, Comment)]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}" if items else "{}"
    if isinstance(value, list):
        elems = [inner + _json_value(v, depth + 1, fail) for v in value if not isinstance(v, Comment)]
        return "[\n" + ",\n".join(elems) + "\n" + pad + "]" if elems else "[]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _json_float(value, fail)
    if isinstance(value, bytes):
        return _json_string(base64.b64encode(value).decode("ascii"))
    return _json_string(str(value))


def _dotenv_value(value: Any) -> str:
    """sops ``ValueToString``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return values.go_float(value)
    if value is None:
        return "<nil>"
    if isinstance(value, bytes):
        return "[" + " ".join(str(b) for b in value) + "]"
    return str(value)


def _emit_dotenv(tree: Branch, fail: Fail) -> bytes:
    out: list[str] = []
    for key, value in tree:
        if isinstance(value, (Branch, dict, list)):
            raise fail(f"has a nested value at {key} that a dotenv file cannot hold")
        if isinstance(key, Comment):
            out.append(f"#{key}\n")
        else:
            out.append(f"{key}={_dotenv_value(value).replace(chr(10), chr(92) + 'n')}\n")
    return "".join(out).encode("utf-8", errors="surrogateescape")


def _emit_binary(tree: Branch, fail: Fail) -> bytes:
    for key, value in tree:
        if key == "data":
            if not isinstance(value, str):
                raise fail("has a binary 'data' value that is not a string")
            return value.encode("utf-8", errors="surrogateescape")
    raise fail("has no binary data (no 'data' key) to emit as a binary file")


def emit_plain(documents: list[Branch], fmt: Format, fail: Fail) -> bytes:
    """The decrypted document, byte for byte as ``sops --decrypt --output-type <fmt>`` prints it.

    YAML writes every document (`fluxpy.sops.yaml_out`); the other stores, as
    sops's do, write the first one only.

    Raises:
        DecryptionError: the tree does not fit the format (nested values in
            dotenv, no ``data`` for binary) or the format is INI.
    """
    if fmt is Format.YAML:
        return yaml_out.emit_yaml(documents, fail)
    if fmt in (Format.JSON, Format.DOTENV, Format.BINARY) and not documents:
        raise fail("has no document to emit")
    tree = documents[0] if documents else Branch()
    if fmt is Format.JSON:
        return (_json_value(tree, 0, fail) + "\n").encode("utf-8")
    if fmt is Format.DOTENV:
        return _emit_dotenv(tree, fail)
    if fmt is Format.BINARY:
        return _emit_binary(tree, fail)
    raise _unsupported(fmt, fail)
