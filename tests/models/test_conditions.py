"""Condition semantics (`fluxpy.models.conditions`), as Flux's runtime sets them.

Covers: API round trip and key order of `Condition`; malformed conditions;
`set_condition` keeping `lastTransitionTime` when status, reason and message
are unchanged (even across generations) and moving it otherwise; second
precision and UTC; message truncation at 32768 chars ending in `...`;
ordering Stalled, Reconciling, Ready, then by type; the working, failed,
stalled and success transitions (`mark_*`), `remove`, `get`, `is_ready`.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from fluxpy.models import conditions as c
from fluxpy.models.conditions import Condition, ConditionFormatError, ConditionStatus

T0 = datetime(2026, 1, 1, 10, 0, 0, 123456, tzinfo=timezone.utc)
T1 = T0 + timedelta(minutes=5)


def ready(status: str = "True", reason: str = "Succeeded", message: str = "ok",
          gen: int = 1) -> Condition:
    return Condition(c.READY, ConditionStatus(status), reason, message, gen)


def test_condition_to_dict_uses_api_keys_in_metav1_order() -> None:
    cond = Condition("Ready", ConditionStatus.TRUE, "Succeeded", "done", 3,
                     datetime(2026, 1, 1, 10, 0, tzinfo=timezone.utc))
    data = cond.to_dict()
    assert list(data) == ["type", "status", "observedGeneration", "lastTransitionTime",
                          "reason", "message"]
    assert data == {"type": "Ready", "status": "True", "observedGeneration": 3,
                    "lastTransitionTime": "2026-01-01T10:00:00Z", "reason": "Succeeded",
                    "message": "done"}


def test_condition_round_trips_through_dict() -> None:
    data = {"type": "Healthy", "status": "Unknown", "observedGeneration": 2,
            "lastTransitionTime": "2026-01-01T10:00:00Z", "reason": "Progressing",
            "message": "Running health checks"}
    assert Condition.from_dict(data).to_dict() == data


def test_condition_to_dict_omits_zero_generation_but_keeps_empty_message() -> None:
    data = Condition("Ready", ConditionStatus.FALSE, "Failed").to_dict()
    assert "observedGeneration" not in data
    assert data["message"] == ""


@pytest.mark.parametrize(("data", "key"), [
    ({"status": "True"}, "type"),
    ({"type": "Ready", "status": "Yes"}, "status"),
    ({"type": "Ready", "status": "True", "observedGeneration": "1"}, "observedGeneration"),
    ({"type": "Ready", "status": "True", "lastTransitionTime": "yesterday"},
     "lastTransitionTime"),
    ({"type": "Ready", "status": "True", "reason": 5}, "reason"),
])
def test_malformed_condition_names_the_key(data: dict[str, object], key: str) -> None:
    with pytest.raises(ConditionFormatError) as info:
        Condition.from_dict(data)
    assert info.value.key == key


def test_set_condition_stamps_new_condition_with_now_truncated_to_seconds() -> None:
    (cond,) = c.set_condition((), ready(), now=T0)
    assert cond.last_transition_time == datetime(2026, 1, 1, 10, 0, 0, tzinfo=timezone.utc)
    assert cond.to_dict()["lastTransitionTime"] == "2026-01-01T10:00:00Z"


def test_set_condition_converts_now_to_utc() -> None:
    local = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone(timedelta(hours=2)))
    (cond,) = c.set_condition((), ready(), now=local)
    assert cond.to_dict()["lastTransitionTime"] == "2026-01-01T10:00:00Z"


@pytest.mark.parametrize(("change", "moves"), [
    ({}, False),
    ({"gen": 2}, False),
    ({"status": "False"}, True),
    ({"reason": "Other"}, True),
    ({"message": "different"}, True),
])
def test_last_transition_time_moves_only_when_status_reason_or_message_change(
        change: dict[str, object], moves: bool) -> None:
    first = c.set_condition((), ready(), now=T0)
    second = c.set_condition(first, ready(**change), now=T1)  # type: ignore[arg-type]
    (cond,) = second
    expected = T1 if moves else T0
    assert cond.last_transition_time == expected.replace(microsecond=0)
    assert cond.observed_generation == change.get("gen", 1)


def test_set_condition_truncates_long_messages_to_32768_chars_with_ellipsis() -> None:
    (cond,) = c.set_condition((), ready(message="x" * 40000), now=T0)
    assert len(cond.message) == 32768
    assert cond.message.endswith("x...")


def test_message_of_exactly_the_limit_is_kept() -> None:
    assert c.truncate_message("y" * 32768) == "y" * 32768


def test_conditions_are_ordered_stalled_reconciling_ready_then_by_type() -> None:
    out: tuple[Condition, ...] = ()
    for ctype in ["Healthy", "Ready", "ArtifactInStorage", "Reconciling", "Stalled", "Drifted"]:
        out = c.set_condition(out, Condition(ctype, ConditionStatus.TRUE, "R", "m", 1), now=T0)
    assert [x.type for x in out] == ["Stalled", "Reconciling", "Ready", "ArtifactInStorage",
                                     "Drifted", "Healthy"]


def test_mark_reconciling_sets_ready_unknown_and_reconciling_true_with_progressing() -> None:
    out = c.mark_reconciling((), "Fetching manifests", generation=4, now=T0)
    assert [(x.type, x.status, x.reason, x.message, x.observed_generation) for x in out] == [
        ("Reconciling", "True", "Progressing", "Fetching manifests", 4),
        ("Ready", "Unknown", "Progressing", "Fetching manifests", 4),
    ]


def test_mark_reconciling_removes_stalled() -> None:
    out = c.mark_stalled((), "InvalidCELExpression", "bad expr", generation=1, now=T0)
    out = c.mark_reconciling(out, "Building manifests", generation=2, now=T1)
    assert not c.has(out, c.STALLED)


def test_mark_failed_sets_ready_false_and_keeps_reconciling_as_progressing_with_retry() -> None:
    out = c.mark_reconciling((), "Building manifests", generation=2, now=T0)
    out = c.mark_failed(out, "BuildFailed", "kustomize build failed", generation=2, now=T1)
    rec = c.get(out, c.RECONCILING)
    rdy = c.get(out, c.READY)
    assert rec is not None and rdy is not None
    assert (rec.status, rec.reason, rec.message) == ("True", "ProgressingWithRetry",
                                                     "Building manifests")
    assert rec.last_transition_time == T1.replace(microsecond=0)
    assert (rdy.status, rdy.reason, rdy.message) == ("False", "BuildFailed",
                                                     "kustomize build failed")


def test_mark_failed_without_reconciling_does_not_add_it() -> None:
    out = c.mark_failed((), "ArtifactFailed", "no artifact", generation=1, now=T0)
    assert [x.type for x in out] == ["Ready"]


def test_mark_ready_sets_ready_true_and_removes_reconciling_and_stalled() -> None:
    out = c.mark_reconciling((), "Detecting drift", generation=3, now=T0)
    out = c.set_condition(out, Condition("Stalled", ConditionStatus.TRUE, "X", "", 3), now=T0)
    out = c.set_condition(out, Condition("Healthy", ConditionStatus.TRUE, "Succeeded", "", 3),
                          now=T0)
    out = c.mark_ready(out, "ReconciliationSucceeded", "Applied revision: main@sha1:abc",
                       generation=3, now=T1)
    assert [x.type for x in out] == ["Ready", "Healthy"]
    assert c.is_ready(out, generation=3)


def test_mark_stalled_sets_stalled_and_ready_false_and_drops_reconciling() -> None:
    out = c.mark_reconciling((), "Building", generation=1, now=T0)
    out = c.mark_stalled(out, "AccessDenied", "cross-namespace refs are disabled",
                         generation=1, now=T1)
    assert [(x.type, x.status, x.reason) for x in out] == [
        ("Stalled", "True", "AccessDenied"), ("Ready", "False", "AccessDenied")]


def test_success_after_failure_moves_ready_transition_time() -> None:
    out = c.mark_failed((), "BuildFailed", "boom", generation=1, now=T0)
    out = c.mark_ready(out, "ReconciliationSucceeded", "ok", generation=1, now=T1)
    cond = c.get(out, c.READY)
    assert cond is not None and cond.last_transition_time == T1.replace(microsecond=0)


@pytest.mark.parametrize(("conds", "generation", "expected"), [
    ((), None, False),
    ((ready(),), None, True),
    ((ready(),), 1, True),
    ((ready(),), 2, False),
    ((ready(status="False"),), None, False),
    ((ready(status="Unknown"),), None, False),
])
def test_is_ready_needs_ready_true_for_the_current_generation(
        conds: tuple[Condition, ...], generation: int | None, expected: bool) -> None:
    assert c.is_ready(conds, generation=generation) is expected


def test_remove_and_get_by_type() -> None:
    out = c.mark_reconciling((), "m", generation=1, now=T0)
    assert c.get(out, "Reconciling") is not None
    assert c.get(c.remove(out, "Reconciling"), "Reconciling") is None
    assert c.get(out, "Nope") is None


def test_helpers_do_not_mutate_their_input() -> None:
    before = c.mark_reconciling((), "m", generation=1, now=T0)
    snapshot = list(before)
    c.mark_ready(before, "Succeeded", "ok", generation=1, now=T1)
    assert list(before) == snapshot
