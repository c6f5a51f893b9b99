"""Flux's envsubst language, ported from fluxcd/pkg/envsubst.

Covers: plain and braced references, `$$` escapes, every default operator
(and the unparseable `-`/`+`/`?` forms), nested defaults, length, substring
with negative offsets and lengths, case changes, the four replacements, glob
trims with Go's `path.Match` (no `*` across `/`), escaped slashes, strict
mode, and parse errors.
"""

from __future__ import annotations

import pytest

from fluxpy.kustomize.envsubst import SubstitutionError, evaluate

VARS = {"a": "hello", "n": "3", "p": "a/b/c.tar.gz", "empty": "", "url": "http://x/y"}


@pytest.mark.parametrize(("text", "expected"), [
    ("x ${a} y", "x hello y"),
    ("$a stays", "$a stays"),
    ("$${a}", "${a}"),
    ("$$a", "$a"),
    ("cost: $5", "cost: $5"),
    ("${missing}", ""),
    ("${b:=dflt}", "dflt"),
    ("${b:-dflt}", "dflt"),
    ("${b=dflt}", "dflt"),
    ("${empty:=dflt}", "dflt"),
    ("${a:=dflt}", "hello"),
    ("${b:+alt}", "alt"),
    ("${b:?oops}", "oops"),
    ("${b:-${a}-${n}}", "hello-3"),
    ("${b:=a:b}", "a:b"),
    ("${#a}", "5"),
    ("${a:1}", "ello"),
    ("${a:1:2}", "el"),
    ("${a:1:-1}", "ell"),
    ("${a:10}", ""),
    ("${a:x}", "hello"),
    ("${a^}", "Hello"),
    ("${a^^}", "HELLO"),
    ("${a,}", "hello"),
    ("${a,,}", "hello"),
    ("${a/l/L}", "heLlo"),
    ("${a//l/L}", "heLLo"),
    ("${a/#he/HE}", "HEllo"),
    ("${a/%lo/LO}", "helLO"),
    ("${url//\\//_}", "http:__x_y"),
    ("${p#*/}", "b/c.tar.gz"),
    ("${p##*/}", "b/c.tar.gz"),
    ("${p%.*}", "a/b/c.tar"),
    ("${p%%.*}", "a/b/c"),
    ("${n}${n}", "33"),
    ("a: ${a}\nb: '${n}'\n", "a: hello\nb: '3'\n"),
])
def test_expands_like_flux(text: str, expected: str) -> None:
    assert evaluate(text, lambda k: VARS.get(k, "")) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("${b-dflt}", "missing closing brace"),
    ("${b+alt}", "missing closing brace"),
    ("${a", "missing closing brace"),
    ("${}", "unable to parse variable name"),
    ("${a:1:2", "bad substitution"),
    ("${a//l}", "bad substitution"),
])
def test_malformed_expressions_fail(text: str, message: str) -> None:
    with pytest.raises(SubstitutionError, match=message):
        evaluate(text, lambda k: VARS.get(k, ""))


def test_strict_mode_fails_on_unset_but_allows_defaults() -> None:
    assert evaluate("${b:=x}", VARS.get, strict=True) == "x"
    with pytest.raises(SubstitutionError, match='variable not set \\(strict mode\\): "b"'):
        evaluate("${b}", VARS.get, strict=True)
    with pytest.raises(SubstitutionError, match="strict"):
        evaluate("${b^^}", VARS.get, strict=True)
