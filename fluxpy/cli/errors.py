"""The one place where errors become exit codes and one-line messages.

Every expected failure is a `FluxpyError` (or a usage error from typer); it
prints as `✗ <what failed>: <why>` on stderr, with the hint after a semicolon,
and no traceback unless `-v`. Anything else is a bug: it prints one line too,
asking for `-v` to see the traceback.
"""

from __future__ import annotations

import traceback
from typing import TextIO

import typer

from fluxpy.cli.exitcodes import ExitCode
from fluxpy.errors import FluxpyError, UsageError
from fluxpy.render.log import line


def message(err: BaseException) -> str:
    """The one-line message for an error."""
    if isinstance(err, FluxpyError):
        text = err.message
        if err.hint:
            text += f"; {err.hint}"
        return text
    if isinstance(err, typer.TyperException):
        text = err.format_message().rstrip(".")
        ctx = getattr(err, "ctx", None)
        # Command-line mistakes carry exit code 2 and the command they were made in.
        if ctx is not None and getattr(err, "exit_code", 1) == ExitCode.USAGE:
            text += f"; see '{ctx.command_path} --help'"
        return text
    return f"unexpected error: {type(err).__name__}: {err}; re-run with -v for the traceback and report it"


def exit_code(err: BaseException) -> ExitCode:
    """The exit code for an error."""
    if isinstance(err, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    if isinstance(err, UsageError):
        return ExitCode.USAGE
    if isinstance(err, FluxpyError) and isinstance(getattr(err, "exit_code", None), ExitCode):
        return ExitCode(err.exit_code)  # type: ignore[attr-defined]
    if isinstance(err, typer.TyperException):
        return ExitCode.USAGE if getattr(err, "exit_code", 1) == ExitCode.USAGE else ExitCode.FAILED
    return ExitCode.FAILED


def report(err: BaseException, stream: TextIO, *, verbose: bool) -> ExitCode:
    """Print the error to `stream` and return its exit code."""
    if verbose and not isinstance(err, typer.TyperException):
        traceback.print_exception(err, file=stream)
    if isinstance(err, KeyboardInterrupt):
        stream.write(line("failure", "interrupted") + "\n")
    else:
        stream.write(line("failure", message(err)) + "\n")
    stream.flush()
    return exit_code(err)
