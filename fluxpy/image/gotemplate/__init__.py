"""Go's `text/template`, as far as Flux's commit message templates need it.

image-automation-controller renders `spec.git.commit.messageTemplate` with Go's
`text/template` and Sprig's hermetic functions. A message that differs from
Flux's by one byte changes a commit hash and, for Gerrit users, a Change-Id,
so this module follows Go's lexer, parser and executor closely rather than
mapping templates onto a Python engine:

* **Syntax:** `{{ }}` actions with `{{-`/`-}}` trimming, `{{/* */}}` comments,
  `.A.B` field chains, `$` and variables (`$x := `, `$x = `), parenthesised
  pipelines and `(pipe).Field`, `|` pipelines, `if`/`else if`/`else`,
  `with`/`else with`/`else`, `range` (slices, maps in sorted key order, ints,
  one or two variables, `else`, `break`, `continue`), `define`, `template`,
  `block`, string, raw string, char, number, bool and nil literals.
* **Values:** Python data stands in for Go values: `None` is nil (an absent
  value, printed `<no value>`), `str`/`int`/`float`/`bool` the basic kinds,
  mappings and sequences maps and slices, dataclasses structs (fields in
  order, embedded fields marked with `go_field(embedded=True)`), and public
  methods of data objects Go methods: `.Changed.Changes` calls
  `Changed.Changes()` just as Go calls a niladic method. `GoMap` and `GoSlice`
  carry a Go type name where errors or `%T` show it, and a class attribute
  `__go_type__` names a struct type (`source.TemplateData`).
* **Printing:** `fmt`'s rules for `%v` and the common verbs: `map[a:1]` with
  sorted keys, `[a b]`, `{f1 f2}`, `String()` methods (Stringers), `<nil>`,
  `%!d(string=x)` for a verb that does not fit, `%!v(MISSING)`, `%!(EXTRA ...)`.
* **Errors:** Go's wording and location prefix, e.g.
  `template: msg:1: function "foo" not defined` and
  `template: msg:1:3: executing "msg" at <.Updated>: can't evaluate field
  Updated in type source.TemplateData`, raised as `TemplateParseError` or
  `TemplateExecError`.

Functions are `GoFunc`s that declare their Go parameter types, so argument
checks and number-literal conversions fail the way Go's reflection-based calls
do (`wrong type for value; expected string; got int`). Sprig lives in
`fluxpy.image.sprig`.

Not modelled: custom delimiters and `missingkey` options (Flux sets neither),
complex numbers, range over channels and iterator functions, `%#g`-style
`#` on floats and `%x` on floats, and Go's integer widths (every Python int is
a Go `int`, so `add`'s `int64` result passes where Go would want an `int`).
Python `None` stands for both an absent value and a nil interface, so
`.a.b` on a nil `a` yields `<no value>` where Go reports a nil pointer.
`{{template}}` nesting stops at `MAX_EXEC_DEPTH` (or earlier, at Python's
stack limit) with `exceeded maximum template depth`.

The engine is split by stage, and each module imports only modules listed
before it: `errors`, `values` (the Go value model), `strconv` (quoting and
number syntax), `gofmt` (fmt's printing), `lex` and `nodes` (tokens and parse
trees), `builtins` (`GoFunc` and Go's predefined functions, whose names the
parser must know), `parser`, `execute` (the executor and `Template`) and
`template` (`parse` and `render`). This package re-exports the public names,
so callers keep writing `gotemplate.render(...)`.
"""

from __future__ import annotations

from fluxpy.image.gotemplate.builtins import BUILTINS, GoFunc
from fluxpy.image.gotemplate.errors import GoError, TemplateError, TemplateExecError, TemplateParseError
from fluxpy.image.gotemplate.execute import MAX_EXEC_DEPTH as MAX_EXEC_DEPTH
from fluxpy.image.gotemplate.execute import Template
from fluxpy.image.gotemplate.gofmt import format_value, sprint, sprintf, sprintln
from fluxpy.image.gotemplate.strconv import _GO_SPACES as _GO_SPACES  # sprig: trim, nospace
from fluxpy.image.gotemplate.strconv import _can_backquote as _can_backquote  # sprig: regexp errors
from fluxpy.image.gotemplate.strconv import format_float, quote
from fluxpy.image.gotemplate.template import parse, render
from fluxpy.image.gotemplate.values import ANY as ANY
from fluxpy.image.gotemplate.values import VALUE as VALUE
from fluxpy.image.gotemplate.values import (
    GoMap,
    GoSlice,
    compare,
    go_field,
    go_type_name,
    sorted_keys,
    stringer,
    struct_fields,
    truth,
)

__all__ = [
    "BUILTINS",
    "GoError",
    "GoFunc",
    "GoMap",
    "GoSlice",
    "Template",
    "TemplateError",
    "TemplateExecError",
    "TemplateParseError",
    "compare",
    "format_float",
    "format_value",
    "go_field",
    "go_type_name",
    "parse",
    "quote",
    "render",
    "sorted_keys",
    "sprint",
    "sprintf",
    "sprintln",
    "stringer",
    "struct_fields",
    "truth",
]
