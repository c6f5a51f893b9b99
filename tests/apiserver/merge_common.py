"""Errors and small JSON helpers shared by the emulator's patch/apply modules.

Kept apart from :mod:`tests.apiserver.merge` so the submodules
(``merge_smp``, ``merge_fields``, ``merge_ssa``) can import them without an
import cycle; :mod:`tests.apiserver.merge` re-exports everything public.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["ApplyConflict", "PatchError", "json_equal"]


class PatchError(Exception):
    """A patch or apply request that cannot be applied.

    The message is worded like the real API server's (evanphx/json-patch for
    JSON patch, apimachinery's strategicpatch for SMP, structured-merge-diff for
    apply). For a failed JSON patch the real server answers 422 Invalid with
    the status message "the server rejected our request due to an error in our
    request" and this text as the cause; most SMP format errors are 400.

    Attributes:
        message: The error text.
        code: The HTTP status the real server would answer with.
    """

    def __init__(self, message: str, code: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class ApplyConflict(Exception):
    """Server-side apply conflicts: fields another manager owns with another value.

    Attributes:
        conflicts: ``(manager, path)`` pairs, e.g. ``("kubectl", ".spec.replicas")``,
            in a stable order (by manager, then path).
        entries: For each conflict, the managedFields entry of the owner (used to
            print ``"name" using apps/v1`` for Update managers).
    """

    def __init__(self, conflicts: Sequence[tuple[str, str]],
                 entries: Sequence[Mapping[str, Any]] | None = None) -> None:
        self.conflicts = [(m, p) for m, p in conflicts]
        self.entries = list(entries) if entries is not None else [
            {"manager": m, "operation": "Apply"} for m, _ in self.conflicts]
        super().__init__(self.message())

    @staticmethod
    def describe_manager(entry: Mapping[str, Any]) -> str:
        """How the real server prints a manager: ``"kubectl"``, or with ``using <apiVersion>``
        for Update managers and ``with subresource "status"`` when there is one."""
        text = f'"{entry.get("manager", "")}"'
        if entry.get("subresource"):
            text += f' with subresource "{entry["subresource"]}"'
        if entry.get("operation") == "Update":
            text += f" using {entry.get('apiVersion', '')}"
        return text

    def message(self, kind_description: str = "") -> str:
        """The Status message of the 409 Conflict, as the real server words it.

        Args:
            kind_description: Accepted for the server's convenience and ignored:
                the real message names neither the kind nor the object.

        Returns:
            ``Apply failed with 1 conflict: conflict with "m" using v1: .a.b``, or for
            several: ``Apply failed with N conflicts: conflicts with "m":\\n- .a\\n- .b``.
        """
        del kind_description
        described = [self.describe_manager(e) for e in self.entries]
        if len(self.conflicts) == 1:
            return f"Apply failed with 1 conflict: conflict with {described[0]}: {self.conflicts[0][1]}"
        by_manager: dict[str, list[str]] = {}
        for who, (_, path) in zip(described, self.conflicts):
            by_manager.setdefault(who, []).append(path)
        lines: list[str] = []
        for who in sorted(by_manager):
            lines.append(f"conflicts with {who}:")
            lines.extend(f"- {path}" for path in by_manager[who])
        return f"Apply failed with {len(self.conflicts)} conflicts: " + "\n".join(lines)

    def causes(self) -> list[dict[str, str]]:
        """``details.causes`` of the 409 Status (reason FieldManagerConflict)."""
        return [{"reason": "FieldManagerConflict", "message": f"conflict with {self.describe_manager(e)}",
                 "field": path} for e, (_, path) in zip(self.entries, self.conflicts)]


def json_equal(a: Any, b: Any) -> bool:
    """JSON value equality: ``True`` is not ``1``, ``1`` equals ``1.0``, maps ignore order."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b
