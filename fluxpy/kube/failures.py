"""Turning a failed request into one of our errors, with a message a user can act on.

`fluxpy.kube.transport` calls `from_response()` when the API server answers
4xx/5xx after the retries, and `unreachable()` when no answer came at all.
Messages open with the subject of the request (`Kustomization/flux-system/apps`,
or `kustomizations.kustomize.toolkit.fluxcd.io in namespace flux-system` for a
collection) and carry the server's own `Status.message`, trimmed to one line.
Only `kind: Status` bodies are parsed; anything else is cut short. Every
message is scrubbed of the request's secrets as a last line of defence,
though none should ever get there.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import urllib3.exceptions as u3

from fluxpy.kube import errors

if TYPE_CHECKING:
    from fluxpy.kube.transport import Request

UNREACHABLE_HINT = "check the cluster is running and the kubeconfig context (--context)"


def _status(data: bytes) -> dict[str, Any] | None:
    try:
        doc = json.loads(data)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) and doc.get("kind") == "Status" else None


def _scrub(text: str, secrets: Iterable[str]) -> str:
    for s in secrets:
        if s:
            text = text.replace(s, "***")
    return text


def from_response(req: Request, status: int, data: bytes, *, context: str, server: str,
                  attempts: int, secrets: Iterable[str] = ()) -> errors.ApiError:
    """The error for an HTTP error answer.

    Args:
        req: the request that failed.
        status: the HTTP status code.
        data: the response body.
        context: the kubeconfig context, for the 401 hint.
        server: the API server URL.
        attempts: how many times the request was sent.
        secrets: strings that must not appear in the message.
    """
    body = _status(data)
    reason = str(body.get("reason", "")) if body else ""
    text = str(body.get("message", "")) if body else data.decode("utf-8", "replace")
    msg = errors.trim(_scrub(text, secrets)) or f"HTTP {status}"
    subject = req.subject or f"{req.method} {req.path}"
    err: errors.ApiError
    if status == 400:
        err = errors.BadRequestError(f"{subject}: bad request: {msg}", status=status, reason=reason)
    elif status == 401:
        err = errors.UnauthorizedError(
            f'{subject}: the API server at {server} refused the credentials of context "{context}" '
            "(401 Unauthorized)", status=status, reason=reason or "Unauthorized",
            hint=f'credentials for context "{context}" were refused; refresh them '
                 "(log in again or update the kubeconfig)")
    elif status == 403:
        verb = req.verb or req.method.lower()
        what = str(req.resource) if req.resource else req.path
        ns = f" -n {req.namespace}" if req.namespace else ""
        err = errors.ForbiddenError(
            f"{subject}: {msg}", status=status, reason=reason or "Forbidden",
            hint=f"RBAC does not allow this; ask a cluster admin for permission to {verb} {what} "
                 f"(check with: kubectl auth can-i {verb} {what}{ns})")
    elif status == 404 and body is None:
        what = str(req.resource) if req.resource else req.path
        err = errors.ResourceNotServedError(
            f"the server does not serve {what}; is the CRD installed?", status=status, reason="",
            hint="install the CRDs (e.g. `flux install`) or check the apiVersion")
    elif status == 404:
        err = errors.NotFoundError(f"{subject}: {msg}", status=status, reason=reason or "NotFound")
    elif status == 409 and reason == "AlreadyExists":
        err = errors.AlreadyExistsError(f"{subject}: {msg}", status=status, reason=reason)
    elif status == 409:
        apply = req.content_type == "application/apply-patch+yaml"
        err = errors.ConflictError(
            f"{subject}: {msg}", status=status, reason=reason or "Conflict",
            hint="re-run with --force to take over the conflicting fields" if apply
            else "the object changed meanwhile; read it again and retry")
    elif status == 410:
        err = errors.GoneError(f"{subject}: {msg}", status=status, reason=reason or "Expired")
    elif status == 422:
        err = errors.InvalidError(f"{subject} is invalid: {_causes(body, secrets) or msg}", status=status,
                                  reason=reason or "Invalid")
    elif status == 429:
        err = errors.TooManyRequestsError(
            f"{subject}: the API server is throttling requests (429 Too Many Requests, "
            f"{attempts} attempts)", status=status, reason=reason or "TooManyRequests",
            hint="wait a little and retry; the API server is overloaded")
    elif status >= 500:
        err = errors.ServerError(
            f"{subject}: the API server failed with HTTP {status} after {attempts} attempt"
            f"{'s' if attempts != 1 else ''}: {msg}", status=status, reason=reason or "InternalError",
            hint="retry later; if it persists, check the API server's health and logs")
    else:
        err = errors.ApiError(f"{subject}: HTTP {status}: {msg}", status=status, reason=reason)
    return err


def _causes(body: dict[str, Any] | None, secrets: Iterable[str]) -> str:
    details = body.get("details") if body else None
    causes = details.get("causes") if isinstance(details, dict) else None
    if not isinstance(causes, list):
        return ""
    parts = []
    for c in causes:
        if isinstance(c, dict) and (c.get("message") or c.get("field")):
            f, m = c.get("field"), c.get("message") or c.get("reason") or ""
            parts.append(f"{f}: {m}" if f else str(m))
    return errors.trim(_scrub("; ".join(parts), secrets))


def unreachable(req: Request, exc: BaseException, *, server: str, timeout: float,
                sent: bool) -> errors.UnreachableError:
    """The error for a request that got no answer.

    Args:
        req: the request.
        exc: the transport's exception.
        server: the API server URL.
        timeout: the read timeout in seconds, for the message.
        sent: the request may have reached the server (connection lost after sending).
    """
    why = describe(exc, timeout=timeout)
    hint = UNREACHABLE_HINT
    if isinstance(exc, u3.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(exc):
        hint = "check certificate-authority(-data) and tls-server-name for this cluster in the kubeconfig"
    elif isinstance(exc, u3.ReadTimeoutError):
        hint = "the API server is slow or overloaded; retry, or raise --timeout"
    msg = f"cannot reach the API server at {server}: {why}"
    if sent and not req.idempotent:
        msg = (f"{req.subject or req.method + ' ' + req.path}: connection to the API server at {server} "
               f"was lost after sending {req.method}: {why}; the change may have been applied")
        hint = "check the object's state, then re-run"
    return errors.UnreachableError(msg, hint=hint)


def describe(exc: BaseException, *, timeout: float) -> str:
    """A short reason for a connection failure (no URLs, no headers)."""
    if isinstance(exc, u3.NameResolutionError):
        return f"cannot resolve host {exc.conn.host!r}" if getattr(exc, "conn", None) else "cannot resolve host"
    if isinstance(exc, u3.ConnectTimeoutError) and not isinstance(exc, u3.NewConnectionError):
        return "connection timed out"
    if isinstance(exc, u3.ReadTimeoutError):
        return f"no answer within {timeout:g}s"
    if isinstance(exc, u3.SSLError):
        inner = exc.args[0] if exc.args else exc
        if isinstance(inner, ssl.SSLCertVerificationError):
            return f"TLS verification failed: {inner.verify_message or inner.reason}"
        if isinstance(inner, ssl.SSLError):
            return f"TLS handshake failed: {inner.reason or inner.strerror or 'SSL error'}"
        return f"TLS failed: {errors.trim(str(inner), 120)}"
    if isinstance(exc, u3.ProxyError):
        return "proxy failed: " + describe(exc.original_error, timeout=timeout) \
            if isinstance(exc.original_error, BaseException) else "proxy failed"
    text = str(exc).lower()
    for needle, short in (("connection refused", "connection refused"),
                          ("connection reset", "connection reset by peer"),
                          ("remote end closed", "connection closed by the server"),
                          ("remotedisconnected", "connection closed by the server"),
                          ("broken pipe", "connection closed by the server"),
                          ("no route to host", "no route to host"),
                          ("network is unreachable", "network is unreachable")):
        if needle in text:
            return short
    return errors.trim(type(exc).__name__, 80)
