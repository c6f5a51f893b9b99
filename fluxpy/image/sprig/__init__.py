"""Sprig's template functions, as image-automation-controller offers them to commit messages.

Flux parses `messageTemplate` with `sprig.HermeticTxtFuncMap()`: every Sprig v3
function except those that read the clock, the environment, the network or a
random source (`now`, `date*`, `env`, `expandenv`, `getHostByName`, `rand*`,
`uuidv4`). This package ports the string, list, dict, default, encoding, path,
math, regexp and reflection functions with Sprig's argument order (the subject
last, so `.Name | trimPrefix "v"` works), Go's types (`trunc` takes an `int`
and slices bytes, `join` stringifies with `%v`, `split` returns a
`map[string]string` keyed `_0`, `_1`...) and Go's failure modes (a bad regexp
in `regexReplaceAll` is an `error calling regexReplaceAll: ...`).

Three deliberate differences from Go, all about map iteration order: `keys`
and `values` return keys (and their values) sorted, and `omit`/`pick` keep
sorted order, where Go's order is random. The time, crypto (`bcrypt`,
`genPrivateKey`, `encryptAES`...), URL (`urlParse`, `urlJoin`), `semver`,
`merge*`, `dig`, `chunk`, `seq`, `wrap`, `*case` and float math (`addf`...)
functions are not ported; a template using them fails to parse with Go's
`function "x" not defined`.

The modules follow Sprig's documentation: `strings`, `lists`, `dicts`,
`defaults` (with flow control), `encoding` (JSON, base64/base32, hashes),
`math`, `regex`, `paths`, `semver` and `reflection` (with type conversion),
each with its own `FUNCS` table; `values` holds the conversions they share.
Regular expressions use `fluxpy.image.goregexp` (Go's RE2 syntax) when it is
present, else Python's `re`.
"""

from __future__ import annotations

from collections.abc import Mapping

from fluxpy.image.gotemplate import GoFunc
from fluxpy.image.sprig import defaults, dicts, encoding, lists, math, paths, reflection, regex, semver, strings
from fluxpy.image.sprig.encoding import to_json
from fluxpy.image.sprig.values import strval

__all__ = ["FUNCS", "strval", "to_json"]

FUNCS: Mapping[str, GoFunc] = {
    **strings.FUNCS,
    **reflection.FUNCS,
    **math.FUNCS,
    **defaults.FUNCS,
    **encoding.FUNCS,
    **paths.FUNCS,
    **lists.FUNCS,
    **dicts.FUNCS,
    **semver.FUNCS,
    **regex.FUNCS,
}
"""Sprig's hermetic function map (the ported subset), for `gotemplate.parse(..., funcs=FUNCS)`."""
