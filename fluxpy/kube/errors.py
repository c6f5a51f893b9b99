"""The cluster layer's own error types, not the transport's.

`fluxpy.kube.transport` maps HTTP statuses and connection failures to these
classes and chains the original error as the cause. Messages name the object
(`Kustomization/flux-system/apps`) and carry the API server's own `Status`
message, cut short so a large body never floods the terminal. Tokens and
other credentials never appear in them.
"""

from __future__ import annotations

from fluxpy.errors import FluxpyError

MAX_SERVER_MESSAGE = 300


def trim(text: str, limit: int = MAX_SERVER_MESSAGE) -> str:
    """One line of at most `limit` characters."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


class KubeError(FluxpyError):
    """Anything that went wrong talking to the cluster."""


class ConfigError(KubeError):
    """The kubeconfig or in-cluster configuration cannot be used."""


class UnreachableError(KubeError):
    """The API server could not be reached (refused, DNS, TLS, timeout)."""


class UnknownKindError(KubeError):
    """Discovery does not know the kind, plural or short name asked for."""


class ApiError(KubeError):
    """The API server answered with an error status.

    Args:
        message: the full one-line message, naming the object.
        status: the HTTP status code.
        reason: the `Status.reason` from the server (e.g. "NotFound").
        hint: what to do about it.
    """

    def __init__(self, message: str, *, status: int, reason: str = "",
                 hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.reason = reason


class BadRequestError(ApiError):
    """400."""


class UnauthorizedError(ApiError):
    """401: the credentials were refused."""


class ForbiddenError(ApiError):
    """403: authenticated, but RBAC denies the verb."""


class NotFoundError(ApiError):
    """404: the object, its namespace or the resource does not exist."""


class AlreadyExistsError(ApiError):
    """409 with reason AlreadyExists."""


class ConflictError(ApiError):
    """409: stale resourceVersion or a server-side apply field conflict."""


class InvalidError(ApiError):
    """422: the object is malformed or changes an immutable field."""


class TooManyRequestsError(ApiError):
    """429 after the retries ran out."""


class ServerError(ApiError):
    """5xx after the retries ran out."""


class ResourceNotServedError(NotFoundError, UnknownKindError):
    """404 with the API server's plain-text `404 page not found`.

    The URL itself is unknown: the group, version or resource is not served
    (typically a CRD that is not installed), as opposed to a missing object,
    which comes with a `Status` body. It is both a `NotFoundError` (nothing
    is there) and an `UnknownKindError` (the kind is not served); its
    `reason` is "" because the server sent no `Status`.
    """


class GoneError(ApiError):
    """410: a watch or list `resourceVersion` is too old; start over."""
