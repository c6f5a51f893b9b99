"""The error raised when a Flux object does not fit its model.

Every `from_dict` in `fluxpy.models` raises `ModelError` for a wrong type, a
missing required field or an unparsable value. The message names the object
and the field path the way Flux's own validation does, so a user can find the
line in their YAML: `Kustomization/flux-system/apps: spec.interval: invalid
duration "5x"`.
"""

from __future__ import annotations

from fluxpy.errors import FluxpyError


class ModelError(FluxpyError):
    """A Flux object is malformed.

    Args:
        subject: the object, `Kind/namespace/name`.
        field: the dotted field path, e.g. `spec.sourceRef.name`.
        problem: what is wrong with it.
        hint: what the user can do about it.
    """

    def __init__(self, subject: str, field: str, problem: str, *,
                 hint: str | None = None) -> None:
        where = f"{subject}: {field}" if field else subject
        super().__init__(f"{where}: {problem}", hint=hint)
        self.subject = subject
        self.field = field
        self.problem = problem
