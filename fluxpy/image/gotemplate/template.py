"""The entry points: `parse` template text into a `Template`, or `render` it in one step.

They wire the stages together (lexer, parser, executor) and turn plain Python
callables into untyped `GoFunc`s, so callers need only this module's two
functions and the `Template` they return.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from fluxpy.image.gotemplate.builtins import GoFunc, _untyped
from fluxpy.image.gotemplate.errors import TemplateParseError
from fluxpy.image.gotemplate.execute import Template
from fluxpy.image.gotemplate.lex import _Lexer
from fluxpy.image.gotemplate.parser import _Parser


def parse(
    text: str,
    *,
    name: str = "template",
    funcs: Mapping[str, GoFunc | Callable[..., object]] | None = None,
) -> Template:
    """Parse Go template text.

    Args:
        text: the template source.
        name: the template's name, used in error messages (`template: <name>:1: ...`).
        funcs: extra functions by name (they override builtins, as `Funcs` does in Go);
            plain callables get untyped parameters.

    Returns:
        The parsed `Template`.

    Raises:
        TemplateParseError: with Go's message, e.g. `template: msg:1: function "foo" not defined`.
    """
    table: dict[str, GoFunc] = {}
    for fname, fn in (funcs or {}).items():
        table[fname] = fn if isinstance(fn, GoFunc) else _untyped(fn)
    items = _Lexer(text).run()
    try:
        trees = _Parser(name, items, table).parse()
    except RecursionError:
        raise TemplateParseError(f"template: {name}: template nests too deeply") from None
    return Template(name, text, trees, table)


def render(
    text: str,
    data: object,
    *,
    name: str = "template",
    funcs: Mapping[str, GoFunc | Callable[..., object]] | None = None,
) -> str:
    """Parse and execute in one step; see `parse` and `Template.execute`."""
    return parse(text, name=name, funcs=funcs).execute(data)
