"""Cluster sync from Git, for one Kustomization: every step, in order.

source (with `--with-source`: pull -> artifact -> source status -> events)
-> dependencies -> build (kustomize) -> decrypt (SOPS) -> validate (server-side
dry-run) -> apply (server-side apply, staged) -> prune -> wait (kstatus)
-> status -> events.

Each step is a module: `fluxpy/pipelines/source.py`, `build.py`, and
`fluxpy/sync/` (`dependencies`, `decrypt`, `live`, `validate`, `apply`,
`prune`, `wait`, `status`, `events`). This module only sequences them and
records every outcome the way kustomize-controller does: a failure is written
to the Kustomization's status (Ready=False with the step's reason) and as a
Warning Event before it is raised; the inventory always lists what exists,
even after a partial apply or Ctrl-C (the previous inventory plus what was
written), and nothing is pruned unless the whole apply succeeded.

With `dry_run`, the same steps run up to validation; apply and prune only
say what they would do, and nothing is written to the cluster.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fluxpy.apply.actions import Action, ChangeSetEntry
from fluxpy.errors import FluxpyError
from fluxpy.pipelines.progress import Progress, Silent, StepResult, step
from fluxpy.pipelines.source import SuspendedError

if TYPE_CHECKING:
    from fluxpy.kube.client import Kube
    from fluxpy.models.inventory import Inventory
    from fluxpy.models.kustomize import Kustomization, KustomizationStatus
    from fluxpy.sops.keys import Keyring
    from fluxpy.source.events import EventSpec
    from fluxpy.source.storage import Storage
    from fluxpy.source.types import StoredArtifact
    from fluxpy.sync.apply import Applier
    from fluxpy.sync.live import LiveIndex
    from fluxpy.sync.validate import Checked


class SyncError(FluxpyError):
    """A step failed; `reason` is the Ready reason recorded on the Kustomization."""

    def __init__(self, message: str, *, reason: str, hint: str | None = None,
                 report: Report | None = None) -> None:
        super().__init__(message, hint=hint)
        self.reason = reason
        self.report = report


@dataclass(frozen=True, slots=True)
class Options:
    """How to run.

    Args:
        with_source: reconcile the GitRepository first.
        dry_run: stop after validation; write nothing.
        key_files: extra decryption keys (`--decryption-key-file`).
        environ: where SOPS_AGE_KEY / SOPS_AGE_KEY_FILE are read (None: not read).
        workers: requests in flight at once.
        flux_namespace: for artifact URLs.
        check_dependencies: check `dependsOn` before running.
        timeout: an upper bound for the health checks (`--timeout`), below `spec.timeout`.
    """

    with_source: bool = False
    dry_run: bool = False
    key_files: tuple[Path, ...] = ()
    environ: Mapping[str, str] | None = None
    workers: int = 8
    flux_namespace: str = "flux-system"
    check_dependencies: bool = True
    timeout: float = 300.0


@dataclass
class Report:
    """What a run did, for the final line and `-o json`.

    Args:
        namespace, name: the Kustomization.
        revision: the source revision built.
        dry_run: nothing was written.
        changes: apply then prune entries (`unchanged` included).
        kept: stale inventory entries not pruned, with why.
        health: "passed", "none" (no checks configured) or "skipped" (dry run).
        seconds: the whole run.
        error: the failure's message, if the run failed.
        reason: the Ready reason recorded.
    """

    namespace: str
    name: str
    revision: str | None = None
    dry_run: bool = False
    changes: list[ChangeSetEntry] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)
    health: str = "none"
    seconds: float = 0.0
    error: str | None = None
    reason: str | None = None
    steps: list[StepResult] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many objects got each action."""
        out = {a.value: 0 for a in Action}
        for entry in self.changes:
            out[entry.action.value] += 1
        return out


def counts_line(entries: Sequence[ChangeSetEntry]) -> str:
    """`2 created, 1 configured, 7 unchanged` (zero counts left out)."""
    counts: dict[Action, int] = {}
    for e in entries:
        counts[e.action] = counts.get(e.action, 0) + 1
    parts = [f"{counts[a]} {a.value}" for a in Action if counts.get(a)]
    return ", ".join(parts) or "no objects"


class _Recorder:
    """Forwards step notifications and keeps the results for the report."""

    def __init__(self, inner: Progress, results: list[StepResult]) -> None:
        self.inner = inner
        self.results = results

    def started(self, step: str) -> None:
        self.inner.started(step)

    def update(self, step: str, detail: str) -> None:
        self.inner.update(step, detail)

    def finished(self, result: StepResult) -> None:
        self.results.append(result)
        self.inner.finished(result)


class _Run:
    """One reconcile: the object, its state as the steps go, and the recording of outcomes."""

    def __init__(self, kube: Kube, obj: dict[str, Any], ks: Kustomization, *, options: Options,
                 progress: Progress, now: Callable[[], datetime]) -> None:
        from fluxpy.models import kinds

        self.kube = kube
        self.obj = obj
        self.ks = ks
        self.options = options
        self.now = now
        self.resource = kinds.KUSTOMIZATION.resource()
        self.started = time.monotonic()
        self.report = Report(ks.namespace or "", ks.name, dry_run=options.dry_run)
        self.progress: Progress = _Recorder(progress, self.report.steps)
        self.digest: str | None = None
        self.old_inventory = ks.status.inventory
        self.previous = ks.status
        self.health_seconds = 0.0

    @property
    def owner(self) -> tuple[str, str]:
        return self.ks.name, self.ks.namespace or ""

    def elapsed(self) -> timedelta:
        return timedelta(seconds=time.monotonic() - self.started)

    def write(self, new: KustomizationStatus) -> None:
        """Write a new status and carry on from it."""
        from dataclasses import replace

        from fluxpy.pipelines.record import write_status

        write_status(self.kube, self.resource, self.obj, new.to_dict())
        self.ks = replace(self.ks, status=new)

    def event(self, spec: EventSpec | None) -> str | None:
        from fluxpy.pipelines.record import record_event
        from fluxpy.sync.events import CONTROLLER

        return None if spec is None else record_event(self.kube, self.obj, spec, controller=CONTROLLER)

    def fail(self, err: FluxpyError, reason: str, *, inventory: Inventory | None = None,
             message: str | None = None) -> SyncError:
        """Record a failure (status, Warning event) and return the error to raise.

        Args:
            err: the step's error.
            reason: the Ready reason.
            inventory: the inventory to record (None keeps the current one).
            message: the Ready message when it is not the error's own.
        """
        from fluxpy.sync import events, status

        text = message or err.message
        self.report.error, self.report.reason = text, reason
        self.report.seconds = self.elapsed().total_seconds()
        if not self.options.dry_run:
            new = status.failed(self.ks, reason=reason, message=text, revision=self.report.revision,
                                inventory=inventory, digest=self.digest, duration=self.elapsed(), now=self.now(),
                                health_message=err.message if reason == "HealthCheckFailed" else None)
            try:
                self.write(new)
                if reason == "DependencyNotReady":
                    self.event(events.dependency_not_ready(new, revision=self.report.revision or ""))
                else:
                    self.event(events.failure(new, text, revision=self.report.revision))
            except FluxpyError:
                pass  # the original failure is what the user needs to see
        out = SyncError(text, reason=reason, hint=err.hint, report=self.report)
        out.__cause__ = err
        return out


def _get_kustomization(kube: Kube, *, namespace: str, name: str) -> tuple[dict[str, Any], Kustomization]:
    from fluxpy.models import kinds
    from fluxpy.models.kustomize import Kustomization

    obj = kube.get(kinds.KUSTOMIZATION.resource(), name, namespace=namespace)
    return obj, Kustomization.from_dict(obj)


def reconcile_kustomization(kube: Kube, *, namespace: str, name: str, storage: Storage, cache_dir: Path,
                            options: Options | None = None, progress: Progress | None = None,
                            now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> Report:
    """Run cluster sync for one Kustomization.

    Raises:
        SuspendedError: the Kustomization is suspended (nothing done).
        SyncError: a step failed; already recorded in its status and events.
        fluxpy.kube.errors.KubeError: the cluster failed before anything could be recorded.
        KeyboardInterrupt: interrupted; what was applied is in the inventory.
    """
    options = options or Options()
    progress = progress or Silent()
    obj, ks = _get_kustomization(kube, namespace=namespace, name=name)
    if ks.suspended:
        raise SuspendedError(f"Kustomization {namespace}/{name}: resource is suspended",
                             hint=f"resume it: fluxpy resume ks {name} -n {namespace}")
    run = _Run(kube, obj, ks, options=options, progress=progress, now=now)
    fetch = _source(run, storage=storage, cache_dir=cache_dir)
    if options.check_dependencies:
        _dependencies(run)
    artifact = fetch()
    with tempfile.TemporaryDirectory(prefix="fluxpy-build-") as tmp:
        objs = _build(run, artifact, Path(tmp))
    _sync(run, objs)
    run.report.seconds = run.elapsed().total_seconds()
    return run.report


def _source(run: _Run, *, storage: Storage, cache_dir: Path) -> Callable[[], StoredArtifact]:
    """The source artifact: reconciled now (`with_source`), from the cache, or pulled at the recorded revision.

    Returns a function that gives the artifact: as in kustomize-controller, the
    source's revision is known (and dependencies are checked) before anything
    is downloaded.
    """
    from fluxpy.kube import errors as kerr
    from fluxpy.models import kinds
    from fluxpy.models.source import GitRepository
    from fluxpy.pipelines import source
    from fluxpy.source import errors as serr

    ref = run.ks.spec.source_ref
    src_ns = ref.namespace or run.ks.namespace or ""
    if ref.kind != "GitRepository":
        raise run.fail(FluxpyError(f"source kind {ref.kind} is not supported by fluxpy yet",
                                   hint="use a GitRepository source"), "ArtifactFailed")
    if run.options.with_source and not run.options.dry_run:
        try:
            outcome = source.reconcile_git_repository(
                run.kube, namespace=src_ns, name=ref.name, storage=storage, cache_dir=cache_dir,
                progress=run.progress, flux_namespace=run.options.flux_namespace, now=run.now)
        except serr.SourceError as err:
            raise run.fail(err, "ArtifactFailed") from err
        run.report.revision = outcome.revision
        return lambda: outcome.artifact
    with step(run.progress, "source") as s:
        try:
            repo_obj = run.kube.get(kinds.GIT_REPOSITORY.resource(), ref.name, namespace=src_ns)
        except kerr.NotFoundError as err:
            raise run.fail(FluxpyError(f"Source '{ref.kind}/{src_ns}/{ref.name}' not found",
                                       hint="create the source, or fix spec.sourceRef"), "ArtifactFailed") from err
        repo = GitRepository.from_dict(repo_obj)
        if run.options.with_source:
            # A dry run pulls what the remote has now, without recording anything on the source.
            try:
                fetched = source.pull_artifact(source.fetch_spec(repo), source.read_auth(run.kube, repo),
                                               storage=storage, cache_dir=cache_dir, kind="gitrepository",
                                               namespace=src_ns, name=ref.name)
            except serr.SourceError as err:
                raise run.fail(err, "ArtifactFailed") from err
            run.report.revision = fetched.revision
            s.detail = f"{fetched.revision} (pulled, source status not written)"
            return lambda: fetched.artifact
        stored_artifact = repo.status.artifact
        if stored_artifact is None:
            raise run.fail(FluxpyError(f"Source artifact not found in GitRepository {src_ns}/{ref.name}",
                                       hint=f"reconcile it: fluxpy reconcile source git {ref.name} -n {src_ns}, "
                                            "or pass --with-source"), "ArtifactFailed")
        run.report.revision = stored_artifact.revision
        found = storage.lookup(stored_artifact.path)
        if found is not None and found.digest == stored_artifact.digest:
            s.detail = f"{stored_artifact.revision} (cached)"
            return lambda: found
        s.detail = f"{stored_artifact.revision} (not in the local cache)"
        revision = stored_artifact.revision

    def pull() -> StoredArtifact:
        with step(run.progress, "fetch") as s:
            try:
                pulled = source.pull_pinned(run.kube, repo, revision=revision, storage=storage, cache_dir=cache_dir)
            except serr.SourceError as err:
                raise run.fail(err, "ArtifactFailed") from err
            s.detail = f"{revision} ({pulled.size} bytes)"
            return pulled

    return pull


def _dependencies(run: _Run) -> None:
    from fluxpy.kube import errors as kerr
    from fluxpy.models import kinds
    from fluxpy.sync import dependencies

    deps = run.ks.spec.depends_on
    if not deps:
        return
    with step(run.progress, "dependencies") as s:
        for dep in deps:
            dep_ns = dep.namespace or run.ks.namespace or ""
            try:
                dep_obj: dict[str, Any] | None = run.kube.get(kinds.KUSTOMIZATION.resource(), dep.name,
                                                              namespace=dep_ns)
            except kerr.NotFoundError:
                dep_obj = None
            why = dependencies.not_ready(dep_obj, dependent=run.ks, dep_ref=f"{dep_ns}/{dep.name}",
                                         source_revision=run.report.revision)
            if why is not None:
                raise run.fail(FluxpyError(why, hint=f"reconcile {dep_ns}/{dep.name} first, or run "
                                                      "fluxpy reconcile ks --all"), "DependencyNotReady")
        s.detail = f"{len(deps)} ready"


def _keyring(run: _Run) -> Keyring | None:
    """The decryption keys: spec.decryption's Secret plus local keys; None when there are none at all."""
    from fluxpy.sync import decrypt

    try:
        return decrypt.read_keyring(run.kube, run.ks, environ=run.options.environ or {},
                                    key_files=run.options.key_files)
    except FluxpyError as err:
        raise run.fail(err, "BuildFailed") from err


def _build(run: _Run, artifact: StoredArtifact, tmp: Path) -> list[dict[str, Any]]:
    from fluxpy.kustomize import yamlio
    from fluxpy.kustomize.errors import BuildError
    from fluxpy.pipelines import build
    from fluxpy.sops.errors import DecryptionError
    from fluxpy.source.unpack import unpack
    from fluxpy.sync import decrypt, status

    _progressing(run, status.building_message(run.report.revision or "", timeout=run.ks.spec.effective_timeout))
    with step(run.progress, "build") as s:
        root = tmp / "source"
        root.mkdir()
        try:
            unpack(artifact.path, root)
        except FluxpyError as err:
            raise run.fail(err, "ArtifactFailed") from err
        rel = (run.ks.spec.path or "./").strip()
        path = (root / rel.lstrip("/")).resolve()
        if not path.is_relative_to(root.resolve()) or not path.is_dir():
            raise run.fail(FluxpyError(f"kustomization path not found: {rel} in revision {run.report.revision}",
                                       hint="fix spec.path (relative to the source root)"), "BuildFailed")
        keyring = _keyring(run)
        try:
            objs = build.build_manifests(run.ks, root=root, path=path, keyring=keyring)
        except (BuildError, DecryptionError) as err:
            raise run.fail(err, "BuildFailed") from err
        s.detail = f"{len(objs)} objects"
    with step(run.progress, "decrypt") as s:
        # Flux checks no MAC on whole objects: targetNamespace, prefixes and the overlay change
        # covered fields before decryption; each value's own GCM tag still catches tampering.
        try:
            objs, decrypted = decrypt.decrypt_objects(objs, keyring, owner=f"{run.ks.namespace}/{run.ks.name}",
                                                      verify_mac=False)
        except DecryptionError as err:
            raise run.fail(err, "BuildFailed") from err
        s.detail = f"{decrypted} decrypted" if decrypted else "nothing encrypted"
    with step(run.progress, "substitute") as s:
        try:
            sources = build.substitution_sources(run.kube, run.ks)
            objs = build.substitute(run.ks, objs, sources=sources)
        except BuildError as err:
            raise run.fail(err, "BuildFailed") from err
        # Flux's history digest: the build as substituted, before commonMetadata and ownership labels.
        run.digest = status.digest(yamlio.dump_resources(objs))
        objs = build.set_metadata(run.ks, objs)
        post = run.ks.spec.post_build
        s.detail = (f"{len(sources)} sources, {len(post.substitute)} inline variables" if post
                    else "no postBuild") + ", ownership labels set"
    return objs


def _progressing(run: _Run, message: str) -> None:
    """Show observers a reconcile is under way (Reconciling=True), when there is something new to apply.

    A routine run of a Ready object at the revision it already applied writes
    nothing here, so a no-op run costs one status write, at the end.
    """
    from fluxpy.models import conditions as conds
    from fluxpy.sync import status

    ks = run.ks
    routine = (conds.is_true(ks.status.conditions, conds.READY) and ks.generation == ks.status.observed_generation
               and run.report.revision == ks.status.last_applied_revision)
    if run.options.dry_run or routine:
        return
    run.write(status.progressing(ks, message=message, revision=run.report.revision, now=run.now()))


def _sync(run: _Run, objs: list[dict[str, Any]]) -> None:
    """Validate, apply, prune, wait, then record success."""
    from fluxpy.models.inventory import Inventory
    from fluxpy.prune.plan import inventory_for
    from fluxpy.sync import validate
    from fluxpy.sync.live import LiveIndex

    ks, progress = run.ks, run.progress
    with step(progress, "validate") as s:
        index = LiveIndex.for_objects(run.kube, objs, owner=run.owner)
        try:
            checked = validate.validate(run.kube, objs, index=index, force=ks.spec.force,
                                        workers=run.options.workers)
        except validate.ValidationError as err:
            raise run.fail(err, "ReconciliationFailed") from err
        deferred = sum(1 for c in checked if c.deferred)
        s.detail = f"{len(checked)} objects" + (f" ({deferred} after their Namespace/CRD)" if deferred else "")
    if run.options.dry_run:
        _dry_run(run, checked, index)
        return
    old = run.old_inventory or Inventory()
    applier = _apply(run, checked, index, old)
    inventory = inventory_for(applier.managed())
    if ks.spec.prune:
        inventory = _prune(run, old, inventory)
    _wait(run, applier.written, inventory)
    _succeed(run, inventory)


def _dry_run(run: _Run, checked: Sequence[Checked], index: LiveIndex) -> None:
    """What apply and prune would do, from the dry-run answers; nothing is written."""
    from fluxpy.apply.actions import Decision
    from fluxpy.models.inventory import Inventory
    from fluxpy.prune.plan import inventory_for
    from fluxpy.sync import apply as apply_mod
    from fluxpy.sync import prune as prune_mod

    with step(run.progress, "apply") as s:
        for item in checked:
            live = index.get(item.obj)
            if item.policy.decision is Decision.SKIP:
                action = Action.SKIPPED
            elif item.deferred or item.recreate or not item.exists:
                action = Action.CREATED
            elif live is not None and item.dry is not None and not apply_mod.drifted(item.dry, live):
                action = Action.UNCHANGED
            else:
                action = Action.CONFIGURED
            run.report.changes.append(ChangeSetEntry(item.subject, action))
        s.detail = counts_line(run.report.changes) + " (dry run)"
    if run.ks.spec.prune:
        with step(run.progress, "prune") as s:
            managed = [c.obj for c in checked]  # skipped objects stay in the inventory too
            pruned = prune_mod.prune(run.kube, run.old_inventory or Inventory(), inventory_for(managed),
                                     owner=run.owner, dry_run=True)
            run.report.changes.extend(pruned.changes.entries)
            run.report.kept = [(str(e.object_ref), why) for e, why in pruned.plan.kept if why != "not found"]
            s.detail = f"{len(pruned.changes.entries)} to delete (dry run)"
    run.report.health = "skipped"


def _apply(run: _Run, checked: Sequence[Checked], index: LiveIndex, old: Inventory) -> Applier:
    """Apply; on any failure (or Ctrl-C) record old inventory + what was written, then raise."""
    from fluxpy.kube import errors as kerr
    from fluxpy.models.inventory import Inventory
    from fluxpy.prune.plan import inventory_for
    from fluxpy.sync import apply as apply_mod

    def counted(entry: ChangeSetEntry) -> None:
        counts[entry.action] = counts.get(entry.action, 0) + 1
        run.progress.update("apply", ", ".join(f"{counts[a]} {a.value}" for a in Action if counts.get(a)))

    counts: dict[Action, int] = {}
    applier = apply_mod.Applier(run.kube, index=index, force=run.ks.spec.force, workers=run.options.workers,
                                on_entry=counted)
    with step(run.progress, "apply") as s:
        try:
            changes = applier.run(checked)
        except (apply_mod.ApplyError, kerr.KubeError, KeyboardInterrupt) as err:
            partial = inventory_for(applier.managed())
            union = Inventory.of([*old.entries, *(e for e in partial.entries if e.id not in set(old.ids()))])
            run.report.changes = list(applier.entries.entries)
            if isinstance(err, KeyboardInterrupt):
                run.fail(FluxpyError("interrupted during apply"), "ReconciliationFailed", inventory=union)
                raise
            raise run.fail(err, "ReconciliationFailed", inventory=union) from err
        run.report.changes = list(changes.entries)
        s.detail = counts_line(changes.entries)
    return applier


def _prune(run: _Run, old: Inventory, new: Inventory) -> Inventory:
    from fluxpy.sync import prune as prune_mod

    with step(run.progress, "prune") as s:
        try:
            pruned = prune_mod.prune(run.kube, old, new, owner=run.owner)
        except prune_mod.PruneError as err:
            if err.outcome is not None:
                run.report.changes.extend(err.outcome.changes.entries)
            raise run.fail(err, "PruneFailed",
                           inventory=err.outcome.inventory if err.outcome else None) from err
        run.report.changes.extend(pruned.changes.entries)
        run.report.kept = [(str(e.object_ref), why) for e, why in pruned.plan.kept if why != "not found"]
        n = len(pruned.changes.entries)
        s.detail = f"{n} deleted" if n else "nothing to delete"
        return pruned.inventory


def _health_targets(run: _Run, written: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """What to wait for: every applied object with spec.wait, else spec.healthChecks; never the Kustomization itself."""
    ks = run.ks

    def is_self(obj: Mapping[str, Any]) -> bool:
        meta = obj.get("metadata") or {}
        return (obj.get("kind") == "Kustomization" and str(obj.get("apiVersion", "")).startswith(
            "kustomize.toolkit.fluxcd.io/") and meta.get("name") == ks.name
            and (meta.get("namespace") or ks.namespace) == ks.namespace)

    if ks.spec.wait:
        return [o for o in written if not is_self(o)]
    out = []
    for hc in ks.spec.health_checks:
        meta = {"name": hc.name, **({"namespace": hc.namespace} if hc.namespace else {})}
        manifest = {"apiVersion": hc.api_version, "kind": hc.kind, "metadata": meta}
        if not is_self(manifest):
            out.append(manifest)
    return out


def _wait(run: _Run, written: Sequence[dict[str, Any]], inventory: Inventory) -> None:
    from fluxpy.sync import status, wait

    targets = _health_targets(run, written)
    if not targets:
        run.report.health = "none"
        return
    timeout = min(run.ks.spec.effective_timeout, timedelta(seconds=run.options.timeout))
    if not run.options.dry_run:
        run.write(status.checking_health(run.ks, revision=run.report.revision or "", timeout=timeout, now=run.now()))
    with step(run.progress, "wait") as s:
        try:
            result = wait.wait_for(run.kube, targets, timeout=timeout.total_seconds(),
                                   on_poll=lambda ready, total: run.progress.update("wait", f"{ready}/{total} ready"))
        except wait.HealthCheckError as err:
            run.report.health = "failed"
            raise run.fail(err, "HealthCheckFailed", inventory=inventory, message=err.ready_message) from err
        run.report.health = "passed"
        run.health_seconds = result.seconds
        s.detail = f"{len(targets)} ready"


def _succeed(run: _Run, inventory: Inventory) -> None:
    from fluxpy.apply.actions import ChangeSet
    from fluxpy.sync import events, status

    revision = run.report.revision or ""
    working = run.ks.status  # the status while the run worked: the events' reason comes from it
    applied = ChangeSet(tuple(e for e in run.report.changes if e.action is not Action.DELETED))
    deleted = ChangeSet(tuple(e for e in run.report.changes if e.action is Action.DELETED))
    with step(run.progress, "status") as s:
        passed = run.report.health == "passed"
        new = status.succeeded(run.ks, revision=revision, origin_revision=None, inventory=inventory,
                               digest=run.digest or "", duration=run.elapsed(), health="passed" if passed else "none",
                               health_duration=timedelta(seconds=run.health_seconds) if passed else None,
                               now=run.now())
        run.write(new)
        s.detail = f"Ready: {status.applied_message(revision)}"
    with step(run.progress, "events") as s:
        specs = [events.applied(working, applied, revision=revision),
                 events.pruned(working, deleted, revision=revision)]
        if passed:
            drifted = any(e.action in (Action.CREATED, Action.CONFIGURED) for e in applied.entries)
            specs.append(events.health_passed(working, previous=run.previous, elapsed=timedelta(
                seconds=run.health_seconds), revision=revision, drifted=drifted))
        specs.append(events.finished(new, elapsed=run.elapsed(), interval=run.ks.spec.interval))
        recorded = [line for line in (run.event(spec) for spec in specs) if line is not None]
        s.detail = f"{len(recorded)} recorded"
