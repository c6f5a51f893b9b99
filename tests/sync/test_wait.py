"""The wait step (`fluxpy.sync.wait`) against the API emulator.

Covers: objects already Current (one poll); readiness after a delay;
the timeout, naming every object not Current in Flux's words
(`timeout waiting for: [Kind/ns/name status: 'InProgress']`) with the kstatus
messages in the hint; fail-fast on a Failed Deployment
(`failed early due to stalled resources`), naming only the Failed objects;
a missing object, a kind the server does not serve, and a kind named without
apiVersion outside the core group (NotFound, as in Flux); Flux CRs
judged by their Ready condition; cluster-scoped names; duplicates waited for
once; progress callbacks; request counts (one LIST per crowded
(resource, namespace) group, GETs for small groups, Current objects never
polled again, at most one request per object per poll); and the Ready
condition wording `health check failed after <d>: ...`.

Time is injected (`FakeTime`) wherever the emulator's own clock does not
matter, so no test sleeps through an interval or asserts on wall-clock time.
"""

from __future__ import annotations

from typing import Any

import pytest

from fluxpy.health import Status
from fluxpy.kube.client import Kube
from fluxpy.kube.errors import KubeError
from fluxpy.models.meta import ObjectRef
from fluxpy.sync import wait
from fluxpy.sync.wait import HealthCheckError, WaitResult, wait_for
from tests.apiserver import ApiServer


class FakeTime:
    """A monotonic clock that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


def deployment(name: str, namespace: str = "default") -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}},
    }


def statefulset(name: str, namespace: str = "default") -> dict[str, Any]:
    obj = deployment(name, namespace)
    obj["kind"] = "StatefulSet"
    obj["spec"]["serviceName"] = name
    return obj


def configmap(name: str, namespace: str = "default") -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": namespace},
            "data": {"k": "v"}}


def kustomization(name: str, ready: str, message: str) -> dict[str, Any]:
    return {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": {"name": name, "namespace": "flux-system", "generation": 1},
        "spec": {"interval": "10m", "prune": True, "path": "./apps",
                 "sourceRef": {"kind": "GitRepository", "name": "flux-system"}},
        "status": {"observedGeneration": 1, "conditions": [{
            "type": "Ready", "status": ready, "reason": "Progressing", "message": message,
            "lastTransitionTime": "2024-05-01T12:00:00Z", "observedGeneration": 1}]},
    }


def ref(obj: dict[str, Any]) -> dict[str, Any]:
    """A minimal manifest naming `obj`, as the pipeline builds from healthChecks."""
    meta = {"name": obj["metadata"]["name"]}
    if obj["metadata"].get("namespace"):
        meta["namespace"] = obj["metadata"]["namespace"]
    return {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "metadata": meta}


def test_objects_already_current_need_one_poll(apiserver: ApiServer, kube: Kube, fake: FakeTime) -> None:
    objs = [apiserver.seed(deployment("web")), apiserver.seed(configmap("settings")),
            apiserver.seed(deployment("api", "flux-system"))]
    polls: list[tuple[int, int]] = []
    result = wait_for(kube, objs, timeout=30, clock=fake.clock, sleep=fake.sleep,
                      on_poll=lambda current, total: polls.append((current, total)))
    assert result == WaitResult(seconds=0.0, checked=3)
    assert polls == [(3, 3)]
    assert fake.sleeps == []


def test_no_objects_means_no_requests(apiserver: ApiServer, kube: Kube) -> None:
    apiserver.clear_requests()
    assert wait_for(kube, [], timeout=5).checked == 0
    assert apiserver.count() == 0


def test_objects_becoming_ready_after_a_delay_end_the_wait(apiserver: ApiServer, kube: Kube) -> None:
    # The emulator's readiness delay runs on the real clock, so this test sleeps for real (briefly).
    apiserver.ready_after(kind="Deployment", seconds=0.3)
    objs = [apiserver.seed(deployment("web")), apiserver.seed(deployment("api"))]
    polls: list[tuple[int, int]] = []
    result = wait_for(kube, [ref(o) for o in objs], timeout=60, interval=0.05,
                      on_poll=lambda current, total: polls.append((current, total)))
    assert result.checked == 2
    assert len(polls) > 1
    assert polls[0] == (0, 2)
    assert polls[-1] == (2, 2)


def test_timeout_names_every_object_not_current(apiserver: ApiServer, kube: Kube, fake: FakeTime) -> None:
    apiserver.ready_after(kind="Deployment", seconds=None)
    objs = [apiserver.seed(deployment("web")),
            apiserver.seed(configmap("settings")),
            apiserver.seed(deployment("api", "flux-system"))]
    with pytest.raises(HealthCheckError) as info:
        wait_for(kube, objs, timeout=10, interval=2, clock=fake.clock, sleep=fake.sleep)
    err = info.value
    assert str(err) == ("timeout waiting for: [Deployment/default/web status: 'InProgress', "
                        "Deployment/flux-system/api status: 'InProgress']")
    assert err.reason == "HealthCheckFailed"
    assert err.timed_out
    assert err.seconds == 10
    assert err.not_ready == [
        (ObjectRef("Deployment", "default", "web"), Status.IN_PROGRESS, "Available: 0/1"),
        (ObjectRef("Deployment", "flux-system", "api"), Status.IN_PROGRESS, "Available: 0/1"),
    ]
    assert err.hint is not None
    assert "Deployment/default/web: Available: 0/1" in err.hint
    assert "--timeout" in err.hint
    assert fake.sleeps == [2, 2, 2, 2, 2]


def test_last_sleep_is_cut_to_the_deadline(apiserver: ApiServer, kube: Kube, fake: FakeTime) -> None:
    apiserver.ready_after(kind="Deployment", seconds=None)
    objs = [apiserver.seed(deployment("web"))]
    with pytest.raises(HealthCheckError):
        wait_for(kube, objs, timeout=5, interval=2, clock=fake.clock, sleep=fake.sleep)
    assert fake.sleeps == [2, 2, 1]


def test_zero_timeout_polls_once(apiserver: ApiServer, kube: Kube, fake: FakeTime) -> None:
    apiserver.ready_after(kind="Deployment", seconds=None)
    with pytest.raises(HealthCheckError, match="timeout waiting for"):
        wait_for(kube, [apiserver.seed(deployment("web"))], timeout=0, clock=fake.clock, sleep=fake.sleep)
    assert fake.sleeps == []


def test_failed_deployment_fails_fast_naming_only_failed_objects(
        apiserver: ApiServer, kube: Kube, fake: FakeTime) -> None:
    apiserver.ready_after(kind="Deployment", seconds=0, fail=True)
    apiserver.ready_after(kind="StatefulSet", seconds=None)
    objs = [apiserver.seed(statefulset("db")), apiserver.seed(deployment("web"))]
    with pytest.raises(HealthCheckError) as info:
        wait_for(kube, objs, timeout=300, interval=5, clock=fake.clock, sleep=fake.sleep)
    err = info.value
    assert str(err) == "failed early due to stalled resources: [Deployment/default/web status: 'Failed']"
    assert not err.timed_out
    assert err.not_ready == [(ObjectRef("Deployment", "default", "web"), Status.FAILED,
                              "Progress deadline exceeded")]
    assert err.hint is not None and "Progress deadline exceeded" in err.hint
    assert fake.sleeps == []


def test_missing_object_is_not_found(apiserver: ApiServer, kube: Kube, fake: FakeTime) -> None:
    objs = [ref(deployment("ghost")), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "nowhere"}}]
    with pytest.raises(HealthCheckError) as info:
        wait_for(kube, objs, timeout=4, interval=2, clock=fake.clock, sleep=fake.sleep)
    assert str(info.value) == ("timeout waiting for: [Deployment/default/ghost status: 'NotFound', "
                               "Namespace/nowhere status: 'NotFound']")


def test_object_created_during_the_wait_is_found(apiserver: ApiServer, kube: Kube, fake: FakeTime) -> None:
    def create_then_sleep(seconds: float) -> None:
        apiserver.seed(configmap("late"))
        fake.sleep(seconds)

    result = wait_for(kube, [ref(configmap("late"))], timeout=10, interval=2, clock=fake.clock,
                      sleep=create_then_sleep)
    assert result == WaitResult(seconds=2.0, checked=1)


def test_kind_not_served_is_not_found_not_a_crash(apiserver: ApiServer, kube: Kube, fake: FakeTime) -> None:
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "default"}}
    with pytest.raises(HealthCheckError) as info:
        wait_for(kube, [widget], timeout=2, interval=1, clock=fake.clock, sleep=fake.sleep)
    err = info.value
    assert str(err) == "timeout waiting for: [Widget/default/w status: 'NotFound']"
    assert err.not_ready[0][2] == "the server does not serve Widget in example.com/v1"


def test_flux_object_with_ready_false_is_not_current(apiserver: ApiServer, kube: Kube, fake: FakeTime) -> None:
    apiserver.seed(kustomization("apps", "False", "kustomization path not found"))
    apiserver.seed(kustomization("infra", "True", "Applied revision: main@sha1:abc"))
    objs = [ref(kustomization("apps", "False", "")), ref(kustomization("infra", "True", ""))]
    with pytest.raises(HealthCheckError) as info:
        wait_for(kube, objs, timeout=4, interval=2, clock=fake.clock, sleep=fake.sleep)
    err = info.value
    assert str(err) == "timeout waiting for: [Kustomization/flux-system/apps status: 'InProgress']"
    assert err.not_ready[0][2] == "kustomization path not found"


def test_duplicates_are_waited_for_once(apiserver: ApiServer, kube: Kube, fake: FakeTime) -> None:
    cm = apiserver.seed(configmap("settings"))
    assert wait_for(kube, [cm, ref(cm), cm], timeout=1, clock=fake.clock, sleep=fake.sleep).checked == 1


def test_namespaced_object_without_namespace_uses_the_context_namespace(
        apiserver: ApiServer, kube: Kube, fake: FakeTime) -> None:
    apiserver.seed(configmap("settings"))
    bare = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}}
    assert wait_for(kube, [bare], timeout=1, clock=fake.clock, sleep=fake.sleep).checked == 1


def test_object_without_name_is_rejected(kube: Kube) -> None:
    with pytest.raises(KubeError, match="ConfigMap/[?]: cannot wait for an object without kind or metadata.name"):
        wait_for(kube, [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}], timeout=1)


def test_missing_api_version_means_the_core_group_as_in_flux(
        apiserver: ApiServer, kube: Kube, fake: FakeTime) -> None:
    apiserver.seed(configmap("settings"))
    apiserver.seed(deployment("web"))
    objs: list[dict[str, Any]] = [
        {"apiVersion": None, "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "default"}},
        {"kind": "Deployment", "metadata": {"name": "web", "namespace": "default"}},
    ]
    with pytest.raises(HealthCheckError) as info:
        wait_for(kube, objs, timeout=0, clock=fake.clock, sleep=fake.sleep)
    err = info.value
    assert str(err) == "timeout waiting for: [Deployment/default/web status: 'NotFound']"
    assert err.not_ready[0][2] == ("the server does not serve Deployment in v1 "
                                   "(a health check without apiVersion names the core group)")


def test_polls_list_crowded_groups_get_small_ones_and_skip_current_objects(
        apiserver: ApiServer, kube: Kube, fake: FakeTime) -> None:
    apiserver.ready_after(kind="Deployment", seconds=None)
    objs = [apiserver.seed(configmap(f"cm{i}")) for i in range(4)]
    objs += [apiserver.seed(deployment(f"web{i}")) for i in range(4)]
    objs += [apiserver.seed(deployment(f"api{i}", "flux-system")) for i in range(2)]
    objs.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "nowhere"}})
    apiserver.clear_requests()
    polls: list[tuple[int, int]] = []
    with pytest.raises(HealthCheckError):
        wait_for(kube, objs, timeout=4, interval=2, clock=fake.clock, sleep=fake.sleep,
                 on_poll=lambda current, total: polls.append((current, total)))
    assert polls == [(4, 11), (4, 11), (4, 11)]
    # ConfigMaps: one LIST, in the first poll only (Current is final).
    assert apiserver.count(verb="list", path=r"^/api/v1/namespaces/default/configmaps$") == 1
    assert apiserver.count(verb="get", path=r"/configmaps/") == 0
    # Four Deployments in one namespace: one LIST per poll, never a GET each.
    assert apiserver.count(verb="list", path=r"^/apis/apps/v1/namespaces/default/deployments$") == 3
    assert apiserver.count(verb="get", path=r"^/apis/apps/v1/namespaces/default/deployments/") == 0
    # Two in another namespace, and a lone Namespace: a GET each, per poll.
    assert apiserver.count(verb="get", path=r"^/apis/apps/v1/namespaces/flux-system/deployments/") == 6
    assert apiserver.count(verb="get", path=r"^/api/v1/namespaces/nowhere$") == 3
    # Nothing else was read (discovery aside): 5 requests, then 4 per poll, for 11 objects.
    reads = [r for r in apiserver.requests if r.verb in ("get", "list") and r.resource]
    assert len(reads) == 5 + 4 + 4


def test_many_objects_cost_one_list_per_poll(apiserver: ApiServer, kube: Kube, fake: FakeTime) -> None:
    apiserver.ready_after(kind="Deployment", seconds=None)
    objs = [apiserver.seed(deployment(f"web{i:03}")) for i in range(120)]
    apiserver.clear_requests()
    with pytest.raises(HealthCheckError) as info:
        wait_for(kube, objs, timeout=2, interval=2, clock=fake.clock, sleep=fake.sleep)
    assert len(info.value.not_ready) == 120
    assert apiserver.count(verb="list", path="/deployments$") == 2
    assert apiserver.count(verb="get", path="/deployments/") == 0
    assert info.value.hint is not None and "and 115 more" in info.value.hint


def test_ready_message_wraps_like_kustomize_controller() -> None:
    not_ready = [(ObjectRef("Job", "observability", "seed"), Status.FAILED, "Job Failed. failed: 1/1")]
    err = HealthCheckError(wait.failure_message(not_ready, timed_out=False), not_ready=not_ready,
                           seconds=0.157881092, timed_out=False)
    assert err.ready_message == ("health check failed after 157.881092ms: failed early due to stalled "
                                 "resources: [Job/observability/seed status: 'Failed']")
    assert HealthCheckError("timeout waiting for: []", not_ready=[], seconds=600.038239667,
                            timed_out=True).ready_message.startswith("health check failed after 10m0.038239667s:")
