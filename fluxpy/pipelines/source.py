"""Cluster sync from Git, steps 1-4, for one GitRepository.

pull the Git source -> build an artifact for the revision -> update the
source's status -> emit events. Each step is a module of `fluxpy.source`;
this module only sequences them, reads the object and its Secret through the
cluster layer, and makes sure a failure is recorded the way source-controller
records it (Ready=False with the reason, a Warning event, the last artifact
kept) before it is raised to the caller.

`pull_artifact` is the cluster-free core (steps 1 and 2) shared with
`fluxpy pull git` and the later pipelines.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fluxpy.errors import FluxpyError
from fluxpy.pipelines.progress import Progress, Silent, step
from fluxpy.source.types import GitAuth, GitFetchSpec, GitRef, StoredArtifact

if TYPE_CHECKING:
    from fluxpy.kube.client import Kube
    from fluxpy.models.gitref import GitRepositoryRef
    from fluxpy.models.source import GitRepository
    from fluxpy.source.events import EventSpec
    from fluxpy.source.storage import Storage


class SuspendedError(FluxpyError):
    """The object is suspended; nothing was done."""


@dataclass(frozen=True, slots=True)
class Fetched:
    """Steps 1-2 done: the artifact for the remote's current revision.

    Args:
        revision: Flux's revision string.
        artifact: the tarball in the local cache.
        unchanged: the remote had not moved and the cached artifact was reused.
        subject: the commit subject (empty when unchanged).
    """

    revision: str
    artifact: StoredArtifact
    unchanged: bool
    subject: str = ""


def _commit_of(revision: str) -> str | None:
    _, sep, commit = revision.rpartition("sha1:")
    return commit if sep and len(commit) == 40 else None


def pull_artifact(spec: GitFetchSpec, auth: GitAuth | None, *, storage: Storage, cache_dir: Path,
                  kind: str, namespace: str, name: str, last: StoredArtifact | None = None,
                  progress: Progress | None = None) -> Fetched:
    """Pull the source and build (or reuse) its artifact.

    Args:
        spec: what to fetch.
        auth: credentials, or None.
        storage: the artifact cache.
        cache_dir: where Git mirrors are kept.
        kind, namespace, name: whose artifact it is (the storage path).
        last: the artifact built last time, if it is still in the cache; an
            unchanged remote reuses it without cloning.
        progress: step notifications.

    Raises:
        fluxpy.source.errors.SourceError: the pull or the artifact failed.
    """
    from fluxpy.source import fetch, ignore

    progress = progress or Silent()
    with tempfile.TemporaryDirectory(prefix="fluxpy-checkout-") as tmp:
        with step(progress, "pull") as s:
            pulled = fetch.pull(spec, auth, cache_dir=cache_dir, workdir=Path(tmp) / "tree",
                                last_commit=_commit_of(last.revision) if last else None,
                                last_revision=last.revision if last else None)
            s.detail = f"{pulled.revision} (unchanged)" if pulled.unchanged else pulled.revision
        if pulled.unchanged and last is not None:
            return Fetched(pulled.revision, last, unchanged=True)
        assert pulled.checkout is not None
        with step(progress, "artifact") as s:
            matcher = ignore.matcher_for(pulled.checkout.workdir, spec_ignore=spec.ignore)
            stored = storage.store(pulled.checkout.workdir, kind=kind, namespace=namespace, name=name,
                                   filename=f"{pulled.commit}.tar.gz", matcher=matcher, revision=pulled.revision)
            s.detail = f"{stored.rel_path} ({stored.size} bytes, {stored.digest[:15]}...)"
        return Fetched(pulled.revision, stored, unchanged=False, subject=pulled.checkout.subject)


def git_ref(ref: GitRepositoryRef | None) -> GitRef:
    """The fetch ref for a GitRepository-style `ref` (None: the remote's default, as Flux)."""
    return GitRef(ref.branch, ref.tag, ref.semver, ref.name, ref.commit) if ref else GitRef()


def fetch_spec(repo: GitRepository) -> GitFetchSpec:
    """What a GitRepository asks to fetch."""
    return GitFetchSpec(url=repo.spec.url, ref=git_ref(repo.spec.ref), recurse_submodules=repo.spec.recurse_submodules,
                        ignore=repo.spec.ignore, timeout=repo.spec.timeout.total_seconds())


def pull_pinned(kube: Kube, repo: GitRepository, *, revision: str, storage: Storage,
                cache_dir: Path) -> StoredArtifact:
    """The artifact of the revision a GitRepository's status names, when it is not in the local cache.

    Consumers (a Kustomization) build the revision the source recorded, not
    whatever the remote has now, as Flux's controllers do when they download
    the artifact; so the recorded commit is fetched (with the source's
    credentials) and stored under the status' artifact path. The
    GitRepository's status is not touched.

    Raises:
        fluxpy.source.errors.SourceError: the commit cannot be fetched.
    """
    from dataclasses import replace

    commit = _commit_of(revision)
    spec = fetch_spec(repo)
    if commit is not None:
        spec = replace(spec, ref=replace(spec.ref, tag=None, semver=None, commit=commit))
    fetched = pull_artifact(spec, read_auth(kube, repo), storage=storage, cache_dir=cache_dir,
                            kind="gitrepository", namespace=repo.namespace or "", name=repo.name)
    return fetched.artifact


@dataclass(frozen=True, slots=True)
class Outcome:
    """What `reconcile_git_repository` did."""

    revision: str
    artifact: StoredArtifact
    unchanged: bool


def reconcile_git_repository(kube: Kube, *, namespace: str, name: str, storage: Storage, cache_dir: Path,
                             progress: Progress | None = None, flux_namespace: str = "flux-system",
                             now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> Outcome:
    """Reconcile one GitRepository: pull, artifact, status, events.

    Raises:
        SuspendedError: the object is suspended.
        fluxpy.source.errors.SourceError: the pull or artifact failed (the
            failure is already recorded in the object's status and events).
        fluxpy.kube.errors.KubeError: the cluster failed.
        fluxpy.models.errors.ModelError: the object is malformed.
    """
    from fluxpy.models import kinds
    from fluxpy.models.common import Artifact
    from fluxpy.models.source import GitRepository
    from fluxpy.pipelines.record import write_status
    from fluxpy.source import errors, events
    from fluxpy.source import status as status_mod
    from fluxpy.source import storage as storage_mod

    progress = progress or Silent()
    resource = kinds.GIT_REPOSITORY.resource()
    obj = kube.get(resource, name, namespace=namespace)
    repo = GitRepository.from_dict(obj)
    if repo.suspended:
        raise SuspendedError(f"{repo.ref}: resource is suspended", hint=f"resume it: fluxpy resume source git {name}")
    last = storage.lookup(repo.status.artifact.path) if repo.status.artifact else None
    try:
        auth = read_auth(kube, repo)
        fetched = pull_artifact(fetch_spec(repo), auth, storage=storage, cache_dir=cache_dir, kind="gitrepository",
                                namespace=namespace, name=name, last=last, progress=progress)
    except errors.SourceError as err:
        reason = getattr(err, "reason", "GitOperationFailed")
        if isinstance(err, errors.StorageError | errors.ArtifactError):
            reason = "StorageOperationFailed"
        failed = status_mod.failed(repo, reason=reason, message=err.message, now=now())
        write_status(kube, resource, obj, failed.to_dict())
        _record(kube, obj, events.failure(reason, err.message))
        raise
    stored = fetched.artifact
    previous = repo.status.artifact
    kept_time = previous.last_update_time if previous and previous.digest == stored.digest else None
    artifact = Artifact(path=stored.rel_path, url=storage_mod.url_for(stored.rel_path, flux_namespace=flux_namespace),
                        revision=stored.revision, digest=stored.digest, last_update_time=kept_time or now(),
                        size=stored.size)
    new_status = status_mod.succeeded(repo, artifact, now=now())
    with step(progress, "status") as s:
        changed = write_status(kube, resource, obj, new_status.to_dict())
        s.detail = "Ready: " + status_mod.stored_message(fetched.revision) + ("" if changed else " (no change)")
    with step(progress, "events") as s:
        s.detail = _record(kube, obj, _success_event(repo, fetched))
    return Outcome(fetched.revision, stored, fetched.unchanged)


def read_auth(kube: Kube, repo: GitRepository) -> GitAuth | None:
    """Credentials from `spec.secretRef`, or None."""
    if repo.spec.secret_ref is None:
        return None
    from fluxpy.kube import errors as kerr
    from fluxpy.kube.resource import Resource
    from fluxpy.source import auth as auth_mod
    from fluxpy.source.errors import AUTHENTICATION_FAILED, GitError

    secret_name = f"{repo.namespace}/{repo.spec.secret_ref.name}"
    secrets = Resource("", "v1", "Secret", "secrets", namespaced=True)
    try:
        secret = kube.get(secrets, repo.spec.secret_ref.name, namespace=repo.namespace)
    except kerr.NotFoundError as err:
        raise GitError(f"failed to get secret '{secret_name}': not found", reason=AUTHENTICATION_FAILED,
                       hint=f"create the Secret {secret_name} with the credentials for {repo.spec.url}") from err
    return auth_mod.from_secret(secret, ref=f"Secret {secret_name}")


def _success_event(repo: GitRepository, fetched: Fetched) -> EventSpec:
    from fluxpy.models import conditions as conds
    from fluxpy.source import events
    from fluxpy.source.status import stored_message


    digest = fetched.artifact.digest
    if fetched.unchanged:
        if conds.is_false(repo.status.conditions, conds.READY):
            return events.recovered(stored_message(fetched.revision), revision=fetched.revision, digest=digest)
        return events.up_to_date(revision=fetched.revision, digest=digest)
    return events.new_artifact(fetched.subject, revision=fetched.revision, digest=digest)


def _record(kube: Kube, obj: dict[str, Any], event: EventSpec) -> str:
    from fluxpy.pipelines.record import record_event
    from fluxpy.source.events import CONTROLLER

    return record_event(kube, obj, event, controller=CONTROLLER)
