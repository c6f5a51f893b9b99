"""Status conditions, set exactly as Flux's `runtime/conditions` sets them.

`flux get`, `flux reconcile` and kstatus read nothing but these conditions, so
fluxpy must produce the same sequences Flux does (FLUX-COMPAT section 1):

- a condition's `lastTransitionTime` moves only when its status, reason or
  message changes; its `observedGeneration` is the object's generation when
  it was set;
- messages are cut to 32768 characters, ending in `...`;
- the list is ordered `Stalled`, `Reconciling`, `Ready`, then by type;
- working is `Ready=Unknown` + `Reconciling=True` (reason `Progressing`);
  failure is `Ready=False` with `Reconciling` kept as `ProgressingWithRetry`;
  success is `Ready=True` without `Reconciling` or `Stalled`.

Everything here is pure: helpers take a sequence of `Condition` and return a
new tuple; the caller passes `now` and the object's generation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from fluxpy.models.meta import format_time, parse_time, truncate_time

READY = "Ready"
RECONCILING = "Reconciling"
STALLED = "Stalled"
HEALTHY = "Healthy"
ARTIFACT_IN_STORAGE = "ArtifactInStorage"
ARTIFACT_OUTDATED = "ArtifactOutdated"
FETCH_FAILED = "FetchFailed"
SOURCE_VERIFIED = "SourceVerified"
RELEASED = "Released"
TEST_SUCCESS = "TestSuccess"
REMEDIATED = "Remediated"
DRIFTED = "Drifted"

PROGRESSING = "Progressing"
PROGRESSING_WITH_RETRY = "ProgressingWithRetry"
SUCCEEDED = "Succeeded"
FAILED = "Failed"
DEPENDENCY_NOT_READY = "DependencyNotReady"
ARTIFACT_FAILED = "ArtifactFailed"
RECONCILIATION_SUCCEEDED = "ReconciliationSucceeded"
RECONCILIATION_FAILED = "ReconciliationFailed"

MAX_MESSAGE_LENGTH = 32768
_TRUNCATION_SUFFIX = "..."
# Polarity types first, in this order; every other type sorts after, by name.
_ORDER = {STALLED: 0, RECONCILING: 1, READY: 2}


class ConditionFormatError(ValueError):
    """A condition in API form is malformed.

    Args:
        key: the offending key ("" for the whole entry).
        problem: what is wrong with it.
    """

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}" if key else problem)
        self.key = key
        self.problem = problem


class ConditionStatus(StrEnum):
    """The three values of `condition.status`."""

    TRUE = "True"
    FALSE = "False"
    UNKNOWN = "Unknown"


@dataclass(frozen=True, slots=True)
class Condition:
    """One `metav1.Condition`.

    Args:
        type: the condition type, e.g. "Ready".
        status: True, False or Unknown.
        reason: a CamelCase reason, e.g. "ReconciliationSucceeded".
        message: human-readable detail (may be "").
        observed_generation: the object's generation when this was set.
        last_transition_time: when status, reason or message last changed;
            None until `set_condition` stamps it.
    """

    type: str
    status: ConditionStatus
    reason: str
    message: str = ""
    observed_generation: int = 0
    last_transition_time: datetime | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Condition:
        """Read one condition from its API form.

        Raises:
            ConditionFormatError: a key is missing or has the wrong type.
        """
        if not isinstance(data, Mapping):
            raise ConditionFormatError("", "expected an object")
        ctype = data.get("type")
        if not isinstance(ctype, str) or not ctype:
            raise ConditionFormatError("type", "required field is missing")
        try:
            status = ConditionStatus(str(data.get("status")))
        except ValueError:
            raise ConditionFormatError("status", f'unsupported value "{data.get("status")}"'
                                       " (use True, False or Unknown)") from None
        reason = data.get("reason") or ""
        message = data.get("message") or ""
        gen = data.get("observedGeneration") or 0
        if not isinstance(reason, str):
            raise ConditionFormatError("reason", "expected a string")
        if not isinstance(message, str):
            raise ConditionFormatError("message", "expected a string")
        if not isinstance(gen, int) or isinstance(gen, bool):
            raise ConditionFormatError("observedGeneration", "expected an integer")
        ltt = data.get("lastTransitionTime")
        try:
            when = parse_time(ltt) if ltt else None
        except ValueError:
            raise ConditionFormatError("lastTransitionTime",
                                       f'invalid RFC3339 time "{ltt}"') from None
        return cls(ctype, status, reason, message, gen, when)

    def to_dict(self) -> dict[str, Any]:
        """The API form, keys in `metav1.Condition` order.

        `observedGeneration` is omitted when 0 (omitempty); `reason` and
        `message` are always written, as the API requires them.
        """
        out: dict[str, Any] = {"type": self.type, "status": str(self.status)}
        if self.observed_generation:
            out["observedGeneration"] = self.observed_generation
        if self.last_transition_time is not None:
            out["lastTransitionTime"] = format_time(self.last_transition_time)
        out["reason"] = self.reason
        out["message"] = self.message
        return out

    @property
    def is_true(self) -> bool:
        """Whether status is True."""
        return self.status is ConditionStatus.TRUE


def truncate_message(message: str) -> str:
    """Cut a message to `MAX_MESSAGE_LENGTH` characters, ending in `...`."""
    if len(message) <= MAX_MESSAGE_LENGTH:
        return message
    return message[: MAX_MESSAGE_LENGTH - len(_TRUNCATION_SUFFIX)] + _TRUNCATION_SUFFIX


def _sort_key(cond: Condition) -> tuple[int, str]:
    return (_ORDER.get(cond.type, len(_ORDER)), cond.type)


def sort_conditions(conditions: Sequence[Condition]) -> tuple[Condition, ...]:
    """Order as Flux does: Stalled, Reconciling, Ready, then by type."""
    return tuple(sorted(conditions, key=_sort_key))


def get(conditions: Sequence[Condition], type: str) -> Condition | None:  # noqa: A002
    """The condition of this type, or None."""
    for cond in conditions:
        if cond.type == type:
            return cond
    return None


def has(conditions: Sequence[Condition], type: str) -> bool:  # noqa: A002
    """Whether a condition of this type is present."""
    return get(conditions, type) is not None


def is_true(conditions: Sequence[Condition], type: str) -> bool:  # noqa: A002
    """Whether the condition of this type is present and True."""
    cond = get(conditions, type)
    return cond is not None and cond.status is ConditionStatus.TRUE


def is_false(conditions: Sequence[Condition], type: str) -> bool:  # noqa: A002
    """Whether the condition of this type is present and False."""
    cond = get(conditions, type)
    return cond is not None and cond.status is ConditionStatus.FALSE


def is_ready(conditions: Sequence[Condition], *, generation: int | None = None) -> bool:
    """Whether Ready is True (and, if `generation` is given, set for it).

    Args:
        conditions: the object's conditions.
        generation: the object's current generation; when given, a Ready
            condition observed for an older generation does not count.
    """
    cond = get(conditions, READY)
    if cond is None or cond.status is not ConditionStatus.TRUE:
        return False
    return generation is None or cond.observed_generation == generation


def set_condition(conditions: Sequence[Condition], cond: Condition, *,
                  now: datetime) -> tuple[Condition, ...]:
    """Add or replace the condition of `cond.type`, as `conditions.Set` does.

    The message is truncated. If a condition of that type exists with the same
    status, reason and message, its `lastTransitionTime` is kept (the new
    `observedGeneration` is still recorded); otherwise the time is `now`
    truncated to the second, unless `cond` already carries one and is new.

    Args:
        conditions: the current conditions.
        cond: the condition to set.
        now: the current time.

    Returns:
        The new, sorted conditions.
    """
    cond = replace(cond, message=truncate_message(cond.message))
    out: list[Condition] = []
    found = False
    for existing in conditions:
        if existing.type != cond.type:
            out.append(existing)
            continue
        found = True
        same = (existing.status == cond.status and existing.reason == cond.reason
                and existing.message == cond.message)
        if same and existing.last_transition_time is not None:
            out.append(replace(cond, last_transition_time=existing.last_transition_time))
        else:
            out.append(replace(cond, last_transition_time=truncate_time(now)))
    if not found:
        when = cond.last_transition_time or now
        out.append(replace(cond, last_transition_time=truncate_time(when)))
    return sort_conditions(out)


def remove(conditions: Sequence[Condition], type: str) -> tuple[Condition, ...]:  # noqa: A002
    """The conditions without the one of this type."""
    return tuple(c for c in conditions if c.type != type)


def mark(conditions: Sequence[Condition], type: str, status: ConditionStatus | str,  # noqa: A002
         reason: str, message: str, *, generation: int, now: datetime) -> tuple[Condition, ...]:
    """Set one condition built from its parts (`MarkTrue`/`MarkFalse`/`MarkUnknown`)."""
    cond = Condition(type, ConditionStatus(status), reason, message, generation)
    return set_condition(conditions, cond, now=now)


def mark_reconciling(conditions: Sequence[Condition], message: str, *, generation: int,
                     now: datetime, reason: str = PROGRESSING) -> tuple[Condition, ...]:
    """Mark work in progress: `Reconciling=True` and `Ready=Unknown`.

    Both carry `reason` and `message` (kustomize-controller uses the same
    text, e.g. `Fetching manifests for revision main@sha1:...`). `Stalled` is
    removed, as `conditions.MarkReconciling` does.
    """
    out = remove(conditions, STALLED)
    out = mark(out, RECONCILING, ConditionStatus.TRUE, reason, message,
               generation=generation, now=now)
    return mark(out, READY, ConditionStatus.UNKNOWN, reason, message,
                generation=generation, now=now)


def mark_ready(conditions: Sequence[Condition], reason: str, message: str, *,
               generation: int, now: datetime) -> tuple[Condition, ...]:
    """Mark success: `Ready=True`; `Reconciling` and `Stalled` are removed."""
    out = remove(remove(conditions, RECONCILING), STALLED)
    return mark(out, READY, ConditionStatus.TRUE, reason, message,
                generation=generation, now=now)


def mark_failed(conditions: Sequence[Condition], reason: str, message: str, *,
                generation: int, now: datetime) -> tuple[Condition, ...]:
    """Mark a failed attempt that will be retried.

    `Ready=False` with `reason`; an existing `Reconciling` condition is kept
    with its message but its reason becomes `ProgressingWithRetry` (keeping
    its generation), as the Flux controllers do before they requeue.
    """
    out = mark(conditions, READY, ConditionStatus.FALSE, reason, message,
               generation=generation, now=now)
    rec = get(out, RECONCILING)
    if rec is not None and rec.reason != PROGRESSING_WITH_RETRY:
        out = set_condition(out, replace(rec, reason=PROGRESSING_WITH_RETRY), now=now)
    return out


def mark_stalled(conditions: Sequence[Condition], reason: str, message: str, *,
                 generation: int, now: datetime) -> tuple[Condition, ...]:
    """Mark a terminal failure that retrying cannot fix.

    `Stalled=True` and `Ready=False`, both with `reason` and `message`;
    `Reconciling` is removed (`conditions.MarkStalled`).
    """
    out = remove(conditions, RECONCILING)
    out = mark(out, STALLED, ConditionStatus.TRUE, reason, message,
               generation=generation, now=now)
    return mark(out, READY, ConditionStatus.FALSE, reason, message,
                generation=generation, now=now)


def to_list(conditions: Sequence[Condition]) -> list[dict[str, Any]]:
    """`status.conditions` in API form."""
    return [c.to_dict() for c in conditions]
