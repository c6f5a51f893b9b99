"""Image automation and notification models (`fluxpy.models.image`,
`fluxpy.models.notification`).

Covers: ImageRepository timeout and exclusion-list defaults and the 25-entry
limit; ImagePolicy requiring exactly one policy, `asc` order, digest
reflection interval; `ImageRef` printing; ImageUpdateAutomation git settings
and defaults; Alert severity and `matchLabels` rule; Provider timeout
default; Receiver interval default; Alert/Provider writing no status.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from fluxpy.models.errors import ModelError
from fluxpy.models.image import ImagePolicy, ImageRef, ImageRepository, ImageUpdateAutomation
from fluxpy.models.notification import Alert, Provider, Receiver


def obj(kind: str, group: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": f"{group}.toolkit.fluxcd.io/v1", "kind": kind,
            "metadata": {"name": "n", "namespace": "flux-system"}, "spec": spec}


def test_image_repository_defaults_timeout_to_interval_and_excludes_signatures() -> None:
    r = ImageRepository.from_dict(obj("ImageRepository", "image",
                                      {"image": "ghcr.io/x/y", "interval": "5m"}))
    assert r.spec.effective_timeout == timedelta(minutes=5)
    assert r.spec.exclusion_list == ("^.*\\.sig$",)
    explicit = ImageRepository.from_dict(obj("ImageRepository", "image", {
        "image": "x", "interval": "5m", "exclusionList": []}))
    assert explicit.spec.exclusion_list == ()


def test_image_repository_allows_at_most_25_exclusions() -> None:
    with pytest.raises(ModelError, match="spec.exclusionList: has 26 entries"):
        ImageRepository.from_dict(obj("ImageRepository", "image", {
            "image": "x", "interval": "5m", "exclusionList": ["a"] * 26}))


@pytest.mark.parametrize(("policy", "kind", "order", "rng"), [
    ({"semver": {"range": ">=1.0.0"}}, "semver", "asc", ">=1.0.0"),
    ({"alphabetical": {}}, "alphabetical", "asc", None),
    ({"numerical": {"order": "desc"}}, "numerical", "desc", None),
])
def test_image_policy_reads_one_policy(policy: dict[str, Any], kind: str, order: str,
                                       rng: str | None) -> None:
    p = ImagePolicy.from_dict(obj("ImagePolicy", "image", {
        "imageRepositoryRef": {"name": "r"}, "policy": policy}))
    assert (p.spec.policy.kind, p.spec.policy.order, p.spec.policy.range) == (kind, order, rng)
    assert p.spec.digest_reflection_policy == "Never" and p.spec.effective_interval is None


@pytest.mark.parametrize("policy", [{}, {"semver": {"range": "1.x"}, "alphabetical": {}}])
def test_image_policy_needs_exactly_one_policy(policy: dict[str, Any]) -> None:
    with pytest.raises(ModelError) as info:
        ImagePolicy.from_dict(obj("ImagePolicy", "image", {
            "imageRepositoryRef": {"name": "r"}, "policy": policy}))
    assert str(info.value) == ("ImagePolicy/flux-system/n: spec.policy: exactly one of semver, "
                               "alphabetical or numerical must be set")


def test_digest_reflection_always_defaults_interval_to_10m() -> None:
    p = ImagePolicy.from_dict(obj("ImagePolicy", "image", {
        "imageRepositoryRef": {"name": "r"}, "policy": {"alphabetical": {}},
        "digestReflectionPolicy": "Always"}))
    assert p.spec.effective_interval == timedelta(minutes=10)


@pytest.mark.parametrize(("ref", "text"), [
    (ImageRef("ghcr.io/x/y", "1.0.0"), "ghcr.io/x/y:1.0.0"),
    (ImageRef("ghcr.io/x/y", "1.0.0", "sha256:ab"), "ghcr.io/x/y:1.0.0@sha256:ab"),
])
def test_image_ref_prints_name_tag_and_digest(ref: ImageRef, text: str) -> None:
    assert str(ref) == text


def test_image_update_automation_reads_git_settings() -> None:
    a = ImageUpdateAutomation.from_dict(obj("ImageUpdateAutomation", "image", {
        "interval": "30m", "sourceRef": {"name": "flux-system"},
        "git": {"commit": {"author": {"email": "bot@example.com"},
                           "signingKey": {"secretRef": {"name": "gpg"}}},
                "push": {"branch": "auto", "options": {"merge_request.create": ""}}}}))
    assert a.spec.source_ref.kind == "GitRepository"
    assert a.spec.update_strategy == "Setters" and a.spec.update_path is None
    git = a.spec.git
    assert git is not None and git.commit.signing_key_type == "gpg"
    assert git.push_branch == "auto" and git.checkout_ref is None


def test_alert_defaults_severity_info_and_requires_wildcard_for_match_labels() -> None:
    alert = Alert.from_dict(obj("Alert", "notification", {
        "providerRef": {"name": "slack"}, "eventSources": [{"kind": "Kustomization",
                                                            "name": "*"}]}))
    assert alert.spec.event_severity == "info"
    assert alert.status_dict() == {}
    with pytest.raises(ModelError, match=r'spec.eventSources\[0\].matchLabels: requires name'):
        Alert.from_dict(obj("Alert", "notification", {
            "providerRef": {"name": "slack"},
            "eventSources": [{"kind": "Kustomization", "name": "apps",
                              "matchLabels": {"a": "b"}}]}))


def test_provider_timeout_defaults_to_15s_and_unknown_types_are_kept() -> None:
    p = Provider.from_dict(obj("Provider", "notification", {"type": "future-chat"}))
    assert p.spec.effective_timeout == timedelta(seconds=15) and p.spec.type == "future-chat"
    assert p.status_dict() == {}


def test_receiver_interval_defaults_to_10m() -> None:
    r = Receiver.from_dict(obj("Receiver", "notification", {
        "type": "github", "resources": [{"kind": "GitRepository", "name": "x"}],
        "secretRef": {"name": "token"}}))
    assert r.spec.interval == timedelta(minutes=10)
