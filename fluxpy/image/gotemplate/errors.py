"""The exceptions of the template engine: what callers catch and what functions raise.

`TemplateParseError` and `TemplateExecError` carry Go's message text verbatim
(`template: msg:1: ...`), so a Flux user sees the error Flux would show; both
are `TemplateError`s and so `FluxpyError`s. `GoError` is the other direction:
template functions raise it for the `error` a Go function returns, and the
executor wraps it as `error calling <name>: ...`. They live apart so that every
other module can import them without importing the engine.
"""

from __future__ import annotations

from fluxpy.errors import FluxpyError


class TemplateError(FluxpyError):
    """A Go template failed to parse or to execute; the message is Go's text."""


class TemplateParseError(TemplateError):
    """The template text is not a valid Go template (`template: name:line: ...`)."""


class TemplateExecError(TemplateError):
    """Executing the template failed (`template: name:line:col: executing ...`)."""


class GoError(Exception):
    """Raised by a template function for the `error` a Go function returns (or its panic)."""
