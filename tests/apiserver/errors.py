"""`kind: Status` error bodies, worded the way a real API server words them.

Clients (fluxpy's `kube/` layer, kubectl, the official Python client) parse the
`reason`, `code` and `details` of a failure and often show `message` verbatim,
so every constructor here copies the apiserver's phrasing from
`k8s.io/apimachinery/pkg/api/errors`. Handlers raise `ApiError`; the HTTP layer
turns it into a JSON body with the matching status code.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from tests.apiserver.builtin import ResourceType


class ApiError(Exception):
    """An API failure that the server answers with a `kind: Status` body.

    Args:
        code: HTTP status code.
        reason: the `StatusReason` (`NotFound`, `Conflict`, ...).
        message: the human readable message.
        details: the optional `details` object.
        headers: extra response headers (e.g. `Retry-After`).
    """

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        details: Mapping[str, Any] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = dict(details) if details else None
        self.headers = dict(headers or {})

    def status(self) -> dict[str, Any]:
        """Return the `kind: Status` body for this error."""
        body: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details is not None:
            body["details"] = self.details
        return body


def _details(rt: ResourceType, name: str, *, kind: str | None = None) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if name:
        details["name"] = name
    if rt.group:
        details["group"] = rt.group
    details["kind"] = kind or rt.plural
    return details


def _named(rt: ResourceType, name: str) -> str:
    return f'{rt.group_resource} "{name}"' if name else rt.group_resource


def not_found(rt: ResourceType, name: str) -> ApiError:
    """`<plural>.<group> "<name>" not found` (404)."""
    return ApiError(404, "NotFound", f"{_named(rt, name)} not found", _details(rt, name))


def already_exists(rt: ResourceType, name: str) -> ApiError:
    """`<plural>.<group> "<name>" already exists` (409)."""
    return ApiError(
        409, "AlreadyExists", f"{_named(rt, name)} already exists", _details(rt, name)
    )


def conflict(rt: ResourceType, name: str, why: str) -> ApiError:
    """`Operation cannot be fulfilled on <plural> "<name>": <why>` (409)."""
    return ApiError(
        409,
        "Conflict",
        f"Operation cannot be fulfilled on {_named(rt, name)}: {why}",
        _details(rt, name),
    )


STALE = "the object has been modified; please apply your changes to the latest version and try again"


def stale(rt: ResourceType, name: str) -> ApiError:
    """The optimistic-concurrency conflict for a stale resourceVersion."""
    return conflict(rt, name, STALE)


def cause(reason: str, field: str, message: str) -> dict[str, str]:
    """One entry of `details.causes[]`."""
    return {"reason": reason, "message": message, "field": field}


def invalid(rt: ResourceType, name: str, causes: Sequence[Mapping[str, str]]) -> ApiError:
    """`<Kind>.<group> "<name>" is invalid: <field>: <message>` (422).

    Several causes are joined the way `ErrorList.ToAggregate()` does: in
    brackets, separated by ", ".
    """
    parts = [f"{c['field']}: {c['message']}" if c.get("field") else c["message"] for c in causes]
    text = parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]"
    qualified = f"{rt.kind}.{rt.group}" if rt.group else rt.kind
    details = _details(rt, name, kind=rt.kind)
    details["causes"] = [dict(c) for c in causes]
    return ApiError(422, "Invalid", f'{qualified} "{name}" is invalid: {text}', details)


def invalid_value(field: str, value: Any, detail: str) -> dict[str, str]:
    """A `FieldValueInvalid` cause, rendering the value like Go's `%#v` would for
    scalars (quoted strings) and as compact JSON for structures."""
    shown = json.dumps(value, separators=(",", ":"), sort_keys=True)
    return cause("FieldValueInvalid", field, f"Invalid value: {shown}: {detail}")


def forbidden_field(field: str, detail: str) -> dict[str, str]:
    """A `FieldValueForbidden` cause."""
    return cause("FieldValueForbidden", field, f"Forbidden: {detail}")


def required(field: str, detail: str) -> dict[str, str]:
    """A `FieldValueRequired` cause."""
    return cause("FieldValueRequired", field, f"Required value: {detail}")


def forbidden(
    rt: ResourceType, verb: str, namespace: str | None, name: str = "", *, user: str = "emulator"
) -> ApiError:
    """The RBAC denial: `... is forbidden: User "u" cannot <verb> resource ...` (403)."""
    scope = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
    message = (
        f"{_named(rt, name)} is forbidden: User \"{user}\" cannot {verb} resource "
        f'"{rt.plural}" in API group "{rt.group}" {scope}'
    )
    return ApiError(403, "Forbidden", message, _details(rt, name))


def namespace_terminating(rt: ResourceType, name: str, namespace: str) -> ApiError:
    """Creating content in a namespace that is being deleted (403)."""
    message = (
        f"{_named(rt, name)} is forbidden: unable to create new content in namespace "
        f"{namespace} because it is being terminated"
    )
    return ApiError(403, "Forbidden", message, _details(rt, name))


def bad_request(message: str) -> ApiError:
    """A 400 `BadRequest`."""
    return ApiError(400, "BadRequest", message)


def method_not_allowed(message: str = "the server does not allow this method on the requested resource") -> ApiError:
    """A 405 `MethodNotAllowed`."""
    return ApiError(405, "MethodNotAllowed", message)


def unsupported_media_type(content_type: str, accepted: Sequence[str]) -> ApiError:
    """A 415 for a patch type the resource does not support (e.g. strategic merge on a CR)."""
    message = (
        f"the body of the request was in an unknown format - accepted media types include: "
        f"{', '.join(accepted)}"
    )
    return ApiError(415, "UnsupportedMediaType", message)


def unauthorized() -> ApiError:
    """A 401 for a missing or wrong bearer token."""
    return ApiError(401, "Unauthorized", "Unauthorized")


def expired(requested: int, oldest: int) -> ApiError:
    """A 410 for a watch from a resourceVersion older than the kept history."""
    return ApiError(410, "Expired", f"too old resource version: {requested} ({oldest})")


def injected(code: int, retry_after: float | None = None) -> ApiError:
    """The body of an injected fault with the reason real servers use for `code`."""
    reasons = {
        400: ("BadRequest", "injected bad request"),
        404: ("NotFound", "the server could not find the requested resource"),
        409: ("Conflict", "injected conflict"),
        429: ("TooManyRequests", "Too many requests, please try again later."),
        500: ("InternalError", "Internal error occurred: injected fault"),
        503: ("ServiceUnavailable", "the server is currently unable to handle the request"),
        504: ("Timeout", "the server was unable to return a response in the time allotted"),
    }
    reason, message = reasons.get(code, ("InternalError", f"injected fault {code}"))
    details: dict[str, Any] | None = None
    headers: dict[str, str] = {}
    if retry_after is not None:
        # Retry-After is whole seconds on the wire; 0 lets tests stay fast.
        seconds = max(0, math.ceil(retry_after))
        details = {"retryAfterSeconds": seconds}
        headers["Retry-After"] = str(seconds)
    return ApiError(code, reason, message, details, headers=headers)
