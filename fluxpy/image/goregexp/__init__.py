"""Go regular expressions run on Python's `re`, exactly as Flux's controllers read them.

Flux compiles two user-written patterns with Go's `regexp.Compile`: an
ImagePolicy's `filterTags.pattern` (image-reflector-controller
`internal/policy/filter.go`, then `Regexp.ExpandString` for `extract`) and each
entry of an ImageRepository's `exclusionList`. Both are RE2 syntax as Go's
`regexp/syntax` parses it with its `Perl` flags, which differs from Python's
`re` in ways that change which tags match:

* Python accepts what Go refuses: lookahead and lookbehind, backreferences
  (`\\1`, `(?P=n)`), possessive and stacked quantifiers (`a*+`, `a**`),
  atomic groups, conditionals, comments, `(?x)`, `\\Z`, `\\u0041`. Go's
  refusal makes the ImagePolicy invalid, so `compile` refuses them too, with
  Go's own error text (`error parsing regexp: invalid or unsupported Perl
  syntax: `(?=``).
* Go accepts what Python refuses or reads differently: `(?<name>..)` and
  group names that start with a digit or repeat, flags anywhere (`a(?i)b`),
  `[[:alpha:]]`, `\\pL`, `\\Q..\\E`, `\\z`, `x{,3}` (a literal), `\\12` (octal,
  not a backreference), `(?U)` (ungreedy).
* The same text means different things: Go's `$` is end of text (Python's
  also matches before a final newline), `\\d \\w \\s \\b` are ASCII-only in Go
  (Unicode in Python), Go's `\\s` leaves out `\\v`.

So `compile` parses the pattern with a port of Go's parser (same checks in
the same order, same error codes and offending text) into a small tree, and
writes that tree back out as a Python pattern that spells every construct
explicitly, with no pattern-wide flags: anchors as `^`/`\\Z`/`(?m:^)`,
classes as code-point ranges, flags as scoped groups, named groups renamed
(`_<index>_<name>`, since Go names may start with a digit or repeat). Matching semantics then agree: both
engines are leftmost-first with the same greedy/lazy preferences and
capture numbering. `expand` ports `Regexp.ExpandString`.

The parser follows Go 1.25's `regexp/syntax`: `(?<name>..)` (Go 1.22) and
Unicode class names matched loosely, with aliases (`\\p{letter}`,
`\\p{Uppercase_Letter}`, `\\p{LC}`, `\\p{Cn}`; Go 1.25) are accepted, as by
a current Flux; older controllers reject them.

Known differences, none of which a tag pattern is likely to meet: Unicode
script classes (`\\p{Greek}`) are refused as unsupported because Python has
no script data (general categories work, from Python's Unicode 14 tables
where Go has 15); case folding under `(?i)` is Python's, which agrees with
Go's simple folding for ASCII and nearly everywhere else; Go's size limits
(`expression too large`) are not enforced, and nesting deeper than Python's
recursion allows (a few hundred groups) is refused with Go's `expression
nests too deeply`; and Python's backtracking engine can be slow on nested
quantifiers (`(a+)+$`) where Go's is linear.
"""

from fluxpy.image.goregexp.compiler import compile, group_names, translate
from fluxpy.image.goregexp.errors import (
    ERR_INVALID_CHAR_RANGE as ERR_INVALID_CHAR_RANGE,
)
from fluxpy.image.goregexp.errors import (
    ERR_INVALID_ESCAPE as ERR_INVALID_ESCAPE,
)
from fluxpy.image.goregexp.errors import (
    ERR_INVALID_NAMED_CAPTURE as ERR_INVALID_NAMED_CAPTURE,
)
from fluxpy.image.goregexp.errors import (
    ERR_INVALID_PERL_OP as ERR_INVALID_PERL_OP,
)
from fluxpy.image.goregexp.errors import (
    ERR_INVALID_REPEAT_OP as ERR_INVALID_REPEAT_OP,
)
from fluxpy.image.goregexp.errors import (
    ERR_INVALID_REPEAT_SIZE as ERR_INVALID_REPEAT_SIZE,
)
from fluxpy.image.goregexp.errors import (
    ERR_INVALID_UTF8 as ERR_INVALID_UTF8,
)
from fluxpy.image.goregexp.errors import (
    ERR_MISSING_BRACKET as ERR_MISSING_BRACKET,
)
from fluxpy.image.goregexp.errors import (
    ERR_MISSING_PAREN as ERR_MISSING_PAREN,
)
from fluxpy.image.goregexp.errors import (
    ERR_MISSING_REPEAT_ARGUMENT as ERR_MISSING_REPEAT_ARGUMENT,
)
from fluxpy.image.goregexp.errors import (
    ERR_NESTING_DEPTH as ERR_NESTING_DEPTH,
)
from fluxpy.image.goregexp.errors import (
    ERR_TRAILING_BACKSLASH as ERR_TRAILING_BACKSLASH,
)
from fluxpy.image.goregexp.errors import (
    ERR_UNEXPECTED_PAREN as ERR_UNEXPECTED_PAREN,
)
from fluxpy.image.goregexp.errors import (
    PatternError,
)
from fluxpy.image.goregexp.expand import compile_template, expand, expand_parts

__all__ = ["PatternError", "compile", "compile_template", "expand", "expand_parts", "group_names", "translate"]
