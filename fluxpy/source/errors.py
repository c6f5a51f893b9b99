"""Errors of the Git source stage (pull -> artifact -> status).

Every failure of this stage is a `SourceError`, a `FluxpyError`, so the CLI
maps the whole stage to one exit code. Subclasses say which step failed:
`ArtifactError` while reading the checked-out tree or its ignore files,
`StorageError` while writing to or reading from the local artifact cache.
Messages name the file or directory involved. This module is additive: other
steps add their own subclasses here.
"""

from __future__ import annotations

from fluxpy.errors import FluxpyError


class SourceError(FluxpyError):
    """Base of every failure of the Git source stage."""


class ArtifactError(SourceError):
    """The artifact could not be built from the checked-out tree (unreadable file, bad ignore file)."""


class StorageError(SourceError):
    """The artifact cache could not be written or read (unwritable dir, bad path, full disk)."""


GIT_OPERATION_FAILED = "GitOperationFailed"
AUTHENTICATION_FAILED = "AuthenticationFailed"


class GitError(SourceError):
    """The pull step failed: a git command, a ref that does not resolve, or bad credentials.

    The message is one line naming the repository URL (never with
    credentials) and what to do. `reason` is the condition reason Flux's
    source-controller would record: `GitOperationFailed`, or
    `AuthenticationFailed` for rejected or unusable credentials and
    host keys.

    Args:
        message: what failed, naming the URL without credentials.
        reason: the condition reason.
        url: the repository URL without credentials, or None.
        hint: what the user can do, or None.
    """

    def __init__(self, message: str, *, reason: str = GIT_OPERATION_FAILED,
                 url: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.reason = reason
        self.url = url
