"""Error types shared by every layer of fluxpy.

Every failure a user can cause or meet is raised as a `FluxpyError`. Its text
is one line that says what failed and why, naming the object or file; `hint`
says what to do about it. Only `fluxpy.cli` turns these into exit codes and
prints them, so library code never prints and never exits.
"""

from __future__ import annotations


class FluxpyError(Exception):
    """Base of every expected fluxpy failure.

    Args:
        message: what failed and why, one line, naming the object or file.
        hint: what the user can do about it, or None.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(FluxpyError):
    """The command line itself is wrong (unknown kind, conflicting flags)."""
