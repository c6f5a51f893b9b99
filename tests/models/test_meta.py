"""Object identity and metadata (`fluxpy.models.meta`).

Covers: `ObjectRef` printing `Kind/namespace/name` and `Kind/name` for
cluster-scoped objects; `ObjectMeta` from/to dict with every field; metadata
type errors naming the field; `metav1.Time` formatting (UTC, seconds, `Z`)
and RFC3339/RFC3339Nano parsing.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from fluxpy.models.errors import ModelError
from fluxpy.models.meta import ObjectMeta, ObjectRef, format_time, parse_time


@pytest.mark.parametrize(("ref", "text"), [
    (ObjectRef("Kustomization", "flux-system", "apps"), "Kustomization/flux-system/apps"),
    (ObjectRef("Namespace", None, "apps"), "Namespace/apps"),
    (ObjectRef("ClusterRole", "", "view"), "ClusterRole/view"),
])
def test_object_ref_prints_like_flux(ref: ObjectRef, text: str) -> None:
    assert str(ref) == text


def test_object_ref_is_hashable_and_frozen() -> None:
    ref = ObjectRef("Secret", "a", "b")
    assert {ref: 1}[ObjectRef("Secret", "a", "b")] == 1
    with pytest.raises(AttributeError):
        ref.name = "c"  # type: ignore[misc]


FULL_META = {
    "name": "apps", "namespace": "flux-system", "uid": "u-1", "resourceVersion": "42",
    "generation": 7, "creationTimestamp": "2026-01-01T10:00:00Z",
    "deletionTimestamp": "2026-01-02T10:00:00Z",
    "labels": {"a": "b"}, "annotations": {"reconcile.fluxcd.io/requestedAt": "now"},
    "finalizers": ["finalizers.fluxcd.io"],
}


def test_object_meta_reads_every_field() -> None:
    meta = ObjectMeta.from_dict(FULL_META)
    assert meta.generation == 7 and meta.finalizers == ("finalizers.fluxcd.io",)
    assert meta.creation_timestamp == datetime(2026, 1, 1, 10, tzinfo=timezone.utc)
    assert meta.ref("Kustomization") == ObjectRef("Kustomization", "flux-system", "apps")


def test_object_meta_round_trips() -> None:
    assert ObjectMeta.from_dict(FULL_META).to_dict() == FULL_META


def test_object_meta_to_dict_omits_empty_fields() -> None:
    assert ObjectMeta("x").to_dict() == {"name": "x"}


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "a", "generation": "1"}, 'obj: metadata.generation: expected an integer, got string "1"'),
    ({"name": "a", "labels": {"x": 1}}, "obj: metadata.labels.x: expected a string, got integer 1"),
    ({"name": "a", "finalizers": "f"}, 'obj: metadata.finalizers: expected a list of strings, got string "f"'),
    ({"name": "a", "creationTimestamp": "today"}, 'obj: metadata.creationTimestamp: invalid RFC3339 time "today"'),
])
def test_object_meta_errors_name_the_field(data: dict[str, object], message: str) -> None:
    with pytest.raises(ModelError) as info:
        ObjectMeta.from_dict(data, subject="obj")
    assert str(info.value) == message


@pytest.mark.parametrize(("value", "text"), [
    (datetime(2026, 1, 1, 10, 0, 0, 999999, tzinfo=timezone.utc), "2026-01-01T10:00:00Z"),
    (datetime(2026, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=2))), "2026-01-01T10:00:00Z"),
    (datetime(2026, 1, 1, 10, 0), "2026-01-01T10:00:00Z"),
])
def test_format_time_is_utc_seconds_with_z(value: datetime, text: str) -> None:
    assert format_time(value) == text


@pytest.mark.parametrize("text", ["2026-01-01T10:00:00Z", "2026-01-01T10:00:00.123456789Z",
                                  "2026-01-01T12:00:00+02:00"])
def test_parse_time_accepts_rfc3339_and_rfc3339nano(text: str) -> None:
    assert parse_time(text).replace(microsecond=0) == datetime(2026, 1, 1, 10,
                                                               tzinfo=timezone.utc)


@pytest.mark.parametrize("text", ["2026-01-01", "2026-01-01T10:00:00", "soon"])
def test_parse_time_rejects_dates_and_naive_times(text: str) -> None:
    with pytest.raises(ValueError):
        parse_time(text)
