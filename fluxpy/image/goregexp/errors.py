"""Go's `regexp/syntax` error codes and the `PatternError` that carries them.

Flux reports a bad ImagePolicy pattern with Go's own parser text, so the
codes are kept verbatim and `PatternError` builds Flux's message around them
(`invalid regular expression pattern '<pattern>': error parsing regexp: ...`).
Every other module of the package raises through here.
"""

from __future__ import annotations

from typing import Final

from fluxpy.errors import FluxpyError

# Go's regexp/syntax error codes, verbatim.
ERR_INVALID_CHAR_RANGE: Final = "invalid character class range"
ERR_INVALID_ESCAPE: Final = "invalid escape sequence"
ERR_INVALID_NAMED_CAPTURE: Final = "invalid named capture"
ERR_INVALID_PERL_OP: Final = "invalid or unsupported Perl syntax"
ERR_INVALID_REPEAT_OP: Final = "invalid nested repetition operator"
ERR_INVALID_REPEAT_SIZE: Final = "invalid repeat count"
ERR_INVALID_UTF8: Final = "invalid UTF-8"
ERR_MISSING_BRACKET: Final = "missing closing ]"
ERR_MISSING_PAREN: Final = "missing closing )"
ERR_MISSING_REPEAT_ARGUMENT: Final = "missing argument to repetition operator"
ERR_TRAILING_BACKSLASH: Final = "trailing backslash at end of expression"
ERR_UNEXPECTED_PAREN: Final = "unexpected )"
ERR_NESTING_DEPTH: Final = "expression nests too deeply"


def _one_line(text: str) -> str:
    """Control characters made visible, so a message stays on one line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


class PatternError(FluxpyError):
    """A pattern Go's `regexp.Compile` rejects, or one fluxpy cannot run.

    The message is Flux's (`internal/policy/filter.go`): `invalid regular
    expression pattern '<pattern>': error parsing regexp: <code>: `<expr>``.
    For the few constructs Go accepts but fluxpy cannot run (Unicode script
    classes), `go_error` is None and the message says so.

    Args:
        pattern: the pattern as written.
        code: Go's error code text (e.g. `invalid escape sequence`), or the
            reason fluxpy cannot run the pattern.
        expr: the offending part of the pattern, as Go reports it.
        supported: False when Go would accept the pattern.
    """

    def __init__(self, pattern: str, code: str, expr: str, *, supported: bool = True) -> None:
        self.pattern = pattern
        self.code = code
        self.expr = expr
        self.go_error: str | None = f"error parsing regexp: {code}: `{expr}`" if supported else None
        if self.go_error is not None:
            message = f"invalid regular expression pattern '{pattern}': {self.go_error}"
            hint = "Go regexps (RE2) have no lookaround or backreferences; see https://github.com/google/re2/wiki/Syntax"
        else:
            message = (f"regular expression pattern '{pattern}' uses `{expr}`, "
                       f"which Go accepts but fluxpy cannot run: {code}")
            hint = "spell the characters out as a class, e.g. [α-ω]"
        super().__init__(_one_line(message), hint=hint)
