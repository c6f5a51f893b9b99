"""Build errors: one line naming the file (and line, where known) and the problem."""

from __future__ import annotations

from fluxpy.errors import FluxpyError


class BuildError(FluxpyError):
    """The kustomization cannot be built.

    Args:
        message: what failed and why, naming the file or object.
        path: the file involved, relative to the build root, if any.
        line: the 1-based line in that file, if known.
        hint: what to do about it.
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 hint: str | None = None) -> None:
        where = f"{path}:{line}: " if path and line else f"{path}: " if path else ""
        super().__init__(where + message, hint=hint)
        self.path = path
        self.line = line
