"""Image update to Git: every step, in order, with a cluster or without one.

list tags in the image registry (`fluxpy/image/registry.py`) -> pick tags by
policy (`policy.py`) -> status and events of the ImageRepository and
ImagePolicy (`status.py`, `events.py`) -> clone the Git repo
(`checkout.py`) -> patch manifests at their policy markers (`setters.py`)
-> commit and push (`push.py`, message from `message.py`) -> status and
events of the ImageUpdateAutomation.

`Run` holds one run's state: tags are listed once per ImageRepository and
policies are resolved once, however many automations use them. Where the
objects come from and where outcomes go is the `Store`'s business
(`fluxpy/image/store.py`): the cluster, or YAML files for CI.

A failed step is recorded on its object (Ready=False with the controller's
reason, a Warning event) before it is raised. An automation is not updated
while one of its policies has failed in this run: a commit must not mix new
tags with tags the run could not check. Nothing is committed in a dry run;
the report then carries the unified diff.
"""

from __future__ import annotations

import difflib
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fluxpy.errors import FluxpyError
from fluxpy.pipelines.progress import Progress, Silent, step

if TYPE_CHECKING:
    from fluxpy.image.dockerconfig import DockerConfig
    from fluxpy.image.push import PushResult
    from fluxpy.image.registry import RegistryClient
    from fluxpy.image.setters import TreeResult
    from fluxpy.image.store import Store
    from fluxpy.models.image import ImageRef, ImageUpdateAutomation
    from fluxpy.source.types import GitAuth

DEFAULT_AUTHOR_EMAIL = "fluxcdbot@users.noreply.fluxcd.io"


class ImageUpdateError(FluxpyError):
    """A step failed for one object; `reason` is the Ready reason recorded on it."""

    def __init__(self, message: str, *, reason: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Options:
    """How to run.

    Args:
        dry_run: pick tags and show the diff; commit nothing, write no status.
        no_push: commit locally, do not push.
        insecure: allow plain-HTTP registries (`--insecure`; also per ImageRepository `spec.insecure`).
        docker_config: registry credentials when no Secret applies (the local docker config).
        git_auth: Git credentials in cluster-free mode (flags/environment).
        repo_dir: cluster-free mode: the work tree being updated (committed in place).
        timeout: seconds per registry or Git operation.
    """

    dry_run: bool = False
    no_push: bool = False
    insecure: bool = False
    docker_config: DockerConfig | None = None
    git_auth: GitAuth | None = None
    repo_dir: Path | None = None
    timeout: float = 60.0


@dataclass
class PolicyReport:
    """What one ImagePolicy resolved to."""

    policy: str
    image: str = ""
    tag: str | None = None
    digest: str | None = None
    previous: str | None = None
    error: str | None = None


@dataclass
class AutomationReport:
    """What one ImageUpdateAutomation did."""

    automation: str
    files: list[str] = field(default_factory=list)
    changes: list[dict[str, str]] = field(default_factory=list)
    unknown_markers: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    commit: str | None = None
    branch: str | None = None
    pushed: bool = False
    message: str | None = None
    diff: str = ""
    error: str | None = None


@dataclass
class Report:
    """The whole run, for the final lines and `-o json`."""

    dry_run: bool = False
    policies: list[PolicyReport] = field(default_factory=list)
    automations: list[AutomationReport] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        """Every failure and every problem worth an exit code 1, one line each."""
        told = " ".join(a.error for a in self.automations if a.error)
        # A policy failure is told once: in the error of the automation it stopped, if any.
        out = [f"ImagePolicy {p.policy}: {p.error}" for p in self.policies if p.error and p.policy not in told]
        for a in self.automations:
            if a.error:
                out.append(f"ImageUpdateAutomation {a.automation}: {a.error}")
            out.extend(f"ImageUpdateAutomation {a.automation}: {m}" for m in a.unknown_markers)
            out.extend(f"ImageUpdateAutomation {a.automation}: {p}" for p in a.problems)
        return out


class Run:
    """One run over a store: scans, policies and automations, each done at most once."""

    def __init__(self, store: Store, *, options: Options | None = None, progress: Progress | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.store = store
        self.options = options or Options()
        self.progress = progress or Silent()
        self.now = now
        self.report = Report(dry_run=self.options.dry_run)
        self._tags: dict[tuple[str, str], list[str] | ImageUpdateError] = {}
        self._policies: dict[tuple[str, str], ImageRef | ImageUpdateError] = {}
        self._last_result: TreeResult | None = None

    # -- recording ---------------------------------------------------------------------------------

    def _save(self, obj: dict[str, Any], new_status: Any, notice: Any) -> None:
        if self.options.dry_run:
            return
        self.store.write_status(obj, new_status.to_dict())
        self.store.record(obj, notice)

    def _fail(self, obj: dict[str, Any], model: Any, err: FluxpyError, reason: str, *,
              stalled: bool = False) -> ImageUpdateError:
        from fluxpy.image import events, status

        mark = status.stalled if stalled else status.failed
        new = mark(model, reason=reason, message=err.message, now=self.now())
        kind = obj["kind"]
        notice = (events.automation_notice(model.status, new, push=None) if kind == "ImageUpdateAutomation"
                  else events.policy_notice(model.status, new) if kind == "ImagePolicy"
                  else events.repository_notice(model.status, new, next_scan=""))
        try:
            self._save(obj, new, notice)
        except FluxpyError:
            pass  # the failure itself is what the user needs to see
        out = ImageUpdateError(err.message, reason=reason, hint=err.hint)
        out.__cause__ = err
        return out

    # -- step: list tags in the image registry -----------------------------------------------------

    def _client(self, *, insecure: bool, ca_data: bytes | None, auth: Any) -> RegistryClient:
        from fluxpy.image.registry import RegistryClient

        return RegistryClient(auth=auth, ca_data=ca_data, insecure=insecure, timeout=self.options.timeout)

    def tags(self, namespace: str, name: str) -> list[str]:
        """The tags of an ImageRepository after its exclusion list, scanned once per run.

        Raises:
            ImageUpdateError: the object is missing, or the scan failed (recorded on it).
        """
        cached = self._tags.get((namespace, name))
        if isinstance(cached, ImageUpdateError):
            raise cached
        if cached is not None:
            return cached
        try:
            tags = self._scan(namespace, name)
        except ImageUpdateError as err:
            self._tags[(namespace, name)] = err
            raise
        self._tags[(namespace, name)] = tags
        return tags

    def _scan(self, namespace: str, name: str) -> list[str]:
        from fluxpy.image import events, registry, status
        from fluxpy.image.dockerconfig import DockerConfig
        from fluxpy.models.image import ImageRepository

        obj = self.store.get("ImageRepository", namespace, name)
        if obj is None:
            raise ImageUpdateError(f"ImageRepository {namespace}/{name} not found", reason="DependencyNotReady",
                                   hint="create it, or fix the ImagePolicy's imageRepositoryRef")
        repo = ImageRepository.from_dict(obj)
        with step(self.progress, f"scan {namespace}/{name}") as s:
            try:
                auth: Any = self.options.docker_config
                if repo.spec.secret_ref is not None:
                    secret = self.store.secret(namespace, repo.spec.secret_ref.name)
                    if secret is None and self.store.cluster:
                        raise registry.CredentialsError(
                            f"secret '{namespace}/{repo.spec.secret_ref.name}' not found",
                            image=repo.spec.image, reason="AuthenticationFailed")
                    if secret is not None:
                        auth = DockerConfig.from_secret(secret)
                ca_data = self._ca(namespace, repo)
                client = self._client(insecure=repo.spec.insecure or self.options.insecure, ca_data=ca_data,
                                      auth=auth)
                with client:
                    listed = client.list_tags(repo.spec.image)
                exclusion = list(repo.spec.exclusion_list)
                kept = registry.exclude(listed, exclusion)
                scan = registry.scan_result(kept, scan_time=self.now())
                canonical = registry.canonical_name(repo.spec.image)
            except registry.RegistryError as err:
                raise self._fail(obj, repo, err, err.reason or "ReadOperationFailed") from err
            new = status.repository_scanned(repo, scan=scan, canonical_name=canonical, exclusion_list=exclusion,
                                            now=self.now())
            self._save(obj, new, events.repository_notice(repo.status, new, next_scan=status.scan_message(
                scan.tag_count, scan.revision)))
            excluded = len(listed) - len(kept)
            s.detail = f"{repo.spec.image}: {len(kept)} tags" + (f" ({excluded} excluded)" if excluded else "")
        return kept

    def _ca(self, namespace: str, repo: Any) -> bytes | None:
        import base64

        ref = repo.spec.cert_secret_ref
        if ref is None:
            return None
        secret = self.store.secret(namespace, ref.name)
        data = (secret or {}).get("data") or {}
        value = data.get("ca.crt")
        return base64.b64decode(value) if value else None

    # -- step: pick tags by policy -----------------------------------------------------------------

    def policy(self, namespace: str, name: str) -> ImageRef:
        """The latest ref an ImagePolicy resolves to now (resolved once per run).

        Raises:
            ImageUpdateError: it failed (recorded on it).
        """
        cached = self._policies.get((namespace, name))
        if isinstance(cached, ImageUpdateError):
            raise cached
        if cached is not None:
            return cached
        report = PolicyReport(f"{namespace}/{name}")
        self.report.policies.append(report)
        try:
            ref = self._resolve(namespace, name, report)
        except ImageUpdateError as err:
            report.error = err.message
            self._policies[(namespace, name)] = err
            raise
        self._policies[(namespace, name)] = ref
        return ref

    def _resolve(self, namespace: str, name: str, report: PolicyReport) -> ImageRef:
        from fluxpy.image import events, policy, registry, status
        from fluxpy.models.image import ImagePolicy

        obj = self.store.get("ImagePolicy", namespace, name)
        if obj is None:
            raise ImageUpdateError(f"ImagePolicy {namespace}/{name} not found", reason="DependencyNotReady")
        pol = ImagePolicy.from_dict(obj)
        repo_ref = pol.spec.image_repository_ref
        repo_ns = repo_ref.namespace or namespace
        repo_obj = self.store.get("ImageRepository", repo_ns, repo_ref.name)
        repo_suspended = bool(((repo_obj or {}).get("spec") or {}).get("suspend"))
        if pol.suspended or repo_suspended:
            # Suspended objects are left alone: the policy keeps the ref it recorded last.
            what = f"ImagePolicy {namespace}/{name}" if pol.suspended else f"ImageRepository {repo_ns}/{repo_ref.name}"
            if pol.status.latest_ref is None:
                raise ImageUpdateError(f"{what} is suspended and the policy has no latest ref yet",
                                       reason="DependencyNotReady", hint="resume it, or run once before suspending")
            report.image, report.tag = pol.status.latest_ref.name, pol.status.latest_ref.tag
            report.digest = pol.status.latest_ref.digest
            with step(self.progress, f"policy {namespace}/{name}") as s:
                s.detail = f"{pol.status.latest_ref} (recorded; {what} is suspended)"
            return pol.status.latest_ref
        try:
            tags = self.tags(repo_ns, repo_ref.name)
        except ImageUpdateError as err:
            raise self._fail(obj, pol, err, "DependencyNotReady") from err
        assert repo_obj is not None
        image = str((repo_obj.get("spec") or {}).get("image") or "")
        report.image = image
        with step(self.progress, f"policy {namespace}/{name}") as s:
            try:
                chosen = policy.select(tags, pol.spec.policy, pol.spec.filter_tags)
            except policy.PolicyError as err:
                raise self._fail(obj, pol, err, err.reason) from err
            digest = None
            if status.needs_digest(pol, name=image, tag=chosen.tag):
                try:
                    with self._client(insecure=self.options.insecure, ca_data=None,
                                      auth=self.options.docker_config) as client:
                        digest = client.digest(image, chosen.tag)
                except registry.RegistryError as err:
                    raise self._fail(obj, pol, err, err.reason or "ReadOperationFailed") from err
            new = status.policy_resolved(pol, name=image, tag=chosen.tag, digest=digest, now=self.now())
            self._save(obj, new, events.policy_notice(pol.status, new))
            assert new.latest_ref is not None
            report.tag, report.digest = chosen.tag, digest
            previous = new.observed_previous_ref
            report.previous = str(previous) if previous is not None and previous != new.latest_ref else None
            s.detail = f"{image}:{chosen.tag}" + (f" (was {previous.tag})" if report.previous and previous else "")
            return new.latest_ref

    # -- steps: clone, patch, commit and push ------------------------------------------------------

    def automation(self, namespace: str, name: str) -> AutomationReport:
        """Update one ImageUpdateAutomation's repository.

        Raises:
            ImageUpdateError: a policy, the clone, the update or the push failed (recorded).
        """
        from fluxpy.models.image import ImageUpdateAutomation

        report = AutomationReport(f"{namespace}/{name}")
        self.report.automations.append(report)
        obj = self.store.get("ImageUpdateAutomation", namespace, name)
        if obj is None:
            report.error = f"ImageUpdateAutomation {namespace}/{name} not found"
            raise ImageUpdateError(report.error, reason="NotFound")
        auto = ImageUpdateAutomation.from_dict(obj)
        if auto.suspended:
            self.report.automations.remove(report)
            raise ImageUpdateError(f"ImageUpdateAutomation {namespace}/{name}: resource is suspended",
                                   reason="Suspended", hint=f"resume it: fluxpy resume image update {name}")
        try:
            policies = self._policies_of(auto)
        except ImageUpdateError as err:
            report.error = err.message
            raise self._fail(obj, auto, err, "DependencyNotReady") from err
        try:
            self._update(obj, auto, policies, report)
        except ImageUpdateError as err:
            report.error = err.message
            raise
        return report

    def _policies_of(self, auto: ImageUpdateAutomation) -> dict[str, ImageRef]:
        """`namespace:name` -> latest ref of every policy the automation selects (resolved now)."""
        from fluxpy.image.store import labels_match

        namespace = auto.namespace or ""
        selected = [o for o in self.store.list("ImagePolicy", namespace)
                    if labels_match((o.get("metadata") or {}).get("labels") or {}, auto.spec.policy_selector)]
        out: dict[str, ImageRef] = {}
        failures: list[str] = []
        for obj in selected:
            pname = obj["metadata"]["name"]
            try:
                out[f"{namespace}:{pname}"] = self.policy(namespace, pname)
            except ImageUpdateError as err:
                failures.append(f"{namespace}/{pname}: {err.message}")
        if failures:
            raise ImageUpdateError(f"{len(failures)} of {len(selected)} ImagePolicies failed, nothing updated: "
                                   + "; ".join(failures), reason="DependencyNotReady",
                                   hint="fix the policies (or their ImageRepositories), then run again")
        return out

    def _update(self, obj: dict[str, Any], auto: ImageUpdateAutomation, policies: dict[str, ImageRef],
                report: AutomationReport) -> None:
        from fluxpy.image import message as msg_mod
        from fluxpy.image import push as push_mod

        if self.options.dry_run:
            with tempfile.TemporaryDirectory(prefix="fluxpy-image-") as tmp:
                co = self._clone(obj, auto, Path(tmp) / "repo") if self.options.repo_dir is None else None
                root = co.workdir if co is not None else self._copy_local(Path(tmp) / "repo")
                original = Path(tmp) / "original"
                shutil.copytree(root, original, ignore=shutil.ignore_patterns(".git"), symlinks=True)
                result = self._patch(root, auto, policies, report)
                report.diff = _unified_diff(original, root, result)
            return
        with tempfile.TemporaryDirectory(prefix="fluxpy-image-") as tmp:
            co = self._clone(obj, auto, Path(tmp) / "repo") if self.options.repo_dir is None else self._local(auto)
            result = self._patch(co.workdir, auto, policies, report)

            def redo(workdir: Path) -> bool:
                return bool(self._patch(workdir, auto, policies, report).written)

            def message() -> str:
                from fluxpy.image.message import render

                commit = auto.spec.git.commit if auto.spec.git else None
                return render(commit.message_template if commit else None,
                              automation=(auto.name, auto.namespace or ""),
                              values=dict(commit.message_template_values) if commit else None,
                              changed=self._last_result or result)

            pushed: PushResult | None = None
            if result.written:
                with step(self.progress, "commit and push" if not self.options.no_push else "commit") as s:
                    try:
                        pushed = self._commit(co, auto, message, redo)
                    except (push_mod.PushError, push_mod.SigningError) as err:
                        raise self._fail(obj, auto, err, err.reason) from err
                    except msg_mod.RemovedFieldError as err:
                        # Flux stalls the object: retrying cannot help until the template changes.
                        raise self._fail(obj, auto, err, "RemovedTemplateField", stalled=True) from err
                    except msg_mod.CommitMessageError as err:
                        raise self._fail(obj, auto, err, "UpdateFailed") from err
                    except FluxpyError as err:
                        raise self._fail(obj, auto, err, "GitOperationFailed") from err
                    if pushed is not None:
                        report.commit, report.branch, report.pushed = pushed.commit, pushed.branch, pushed.pushed
                        report.message = pushed.message
                        s.detail = (f"{pushed.commit[:7]} to branch '{pushed.branch}'" if pushed.pushed
                                    else f"{pushed.commit[:7]} committed locally on '{pushed.branch}'")
                    else:
                        s.detail = "nothing to commit after the branch moved"
            self._done(obj, auto, pushed, policies, co.revision)

    def _done(self, obj: dict[str, Any], auto: ImageUpdateAutomation, pushed: PushResult | None,
              policies: Mapping[str, ImageRef], revision: str) -> None:
        from fluxpy.image import events, status

        observed = {k.split(":", 1)[1]: v for k, v in policies.items()}
        new = status.automation_done(auto, push=pushed if pushed is not None and pushed.pushed else None,
                                     observed_policies=observed, source_revision=revision, now=self.now())
        with step(self.progress, "status") as s:
            self._save(obj, new, events.automation_notice(auto.status, new, push=pushed if pushed and pushed.pushed
                                                          else None))
            s.detail = ("Ready: repository up-to-date" if self.store.cluster
                        else "not recorded (no cluster)")

    def _patch(self, root: Path, auto: ImageUpdateAutomation, policies: Mapping[str, ImageRef],
               report: AutomationReport) -> TreeResult:
        from fluxpy.image import setters

        path = auto.spec.update_path or "./"
        with step(self.progress, "update") as s:
            try:
                result = setters.update_tree(root, path or "./", policies)
            except setters.SetterError as err:
                raise ImageUpdateError(err.message, reason="UpdateFailed", hint=err.hint) from err
            self._last_result = result
            report.files = sorted({str(p.relative_to(root)) for p in result.written})
            report.changes = [{"file": file, "object": str(obj_id), "old": c.old_value, "new": c.new_value,
                               "setter": c.setter}
                              for file, objects in result.file_changes.items()
                              for obj_id, changes in objects.items() for c in changes]
            report.unknown_markers = [f"{u.file}:{u.line}: marker {u.setter!r}: {u.reason}" for u in result.unknown]
            report.problems = [f"{p.file}:{p.line}: {p.message} (file left unchanged)" for p in result.problems]
            values = sum(len(c) for o in result.file_changes.values() for c in o.values())
            s.detail = f"{len(result.written)} files changed, {values} values" if result.written else "no change"
        return result

    # -- Git ---------------------------------------------------------------------------------------

    def _source(self, auto: ImageUpdateAutomation) -> tuple[dict[str, Any], Any]:
        from fluxpy.models.source import GitRepository

        ref = auto.spec.source_ref
        ns = ref.namespace or auto.namespace or ""
        obj = self.store.get("GitRepository", ns, ref.name)
        if obj is None:
            raise ImageUpdateError(f"GitRepository {ns}/{ref.name} not found", reason="SourceManagerFailed",
                                   hint="create it, or fix spec.sourceRef")
        return obj, GitRepository.from_dict(obj)

    def _clone(self, obj: dict[str, Any], auto: ImageUpdateAutomation, workdir: Path) -> Any:
        from fluxpy.image import checkout
        from fluxpy.image.store import ClusterStore
        from fluxpy.pipelines import source as source_pipeline
        from fluxpy.source.errors import SourceError

        _, src = self._source(auto)
        gauth = self.options.git_auth
        if isinstance(self.store, ClusterStore):
            try:
                gauth = source_pipeline.read_auth(self.store.kube, src) or gauth
            except SourceError as err:
                raise self._fail(obj, auto, err, getattr(err, "reason", "AuthenticationFailed")) from err
        git = auto.spec.git
        r = git.checkout_ref if git and git.checkout_ref else src.spec.ref
        ref = source_pipeline.git_ref(r) if r else None  # None: checkout's default branch, as Flux
        push_branch = git.push_branch if git else None
        with step(self.progress, "clone") as s:
            try:
                co = checkout.checkout(src.spec.url, ref, gauth, workdir, timeout=self.options.timeout,
                                       push_branch=push_branch)
            except SourceError as err:
                raise self._fail(obj, auto, err, getattr(err, "reason", "GitOperationFailed")) from err
            s.detail = f"{co.revision}" + (f" -> branch '{co.branch}'" if co.switched else "")
        return co

    def _copy_local(self, dest: Path) -> Path:
        assert self.options.repo_dir is not None
        shutil.copytree(self.options.repo_dir, dest, ignore=shutil.ignore_patterns(".git"), symlinks=True)
        return dest

    def _local(self, auto: ImageUpdateAutomation) -> Any:
        from fluxpy.image import local

        git = auto.spec.git
        push_branch = git.push_branch if git else None
        assert self.options.repo_dir is not None
        with step(self.progress, "work tree") as s:
            co = local.work_tree(self.options.repo_dir, auth=self.options.git_auth, push_branch=push_branch,
                                 need_remote=not self.options.no_push, timeout=self.options.timeout)
            s.detail = f"{co.workdir} on {co.revision}"
        return co

    def _commit(self, co: Any, auto: ImageUpdateAutomation, message: Callable[[], str],
                redo: Callable[[Path], bool]) -> PushResult | None:
        from fluxpy.image import push as push_mod

        git = auto.spec.git
        commit = git.commit if git else None
        signing = None
        if commit is not None and commit.signing_key_secret is not None:
            ref = f"{auto.namespace}/{commit.signing_key_secret.name}"
            secret = self.store.secret(auto.namespace or "", commit.signing_key_secret.name)
            if secret is None:
                raise ImageUpdateError(f"signing key Secret {ref} not found", reason="SourceManagerFailed",
                                       hint="create it (git.asc and passphrase for gpg; identity for ssh)")
            signing = push_mod.signing_key_from_secret(secret, key_type=commit.signing_key_type, name=ref)
        return push_mod.commit_and_push(
            co, author_name=(commit.author_name if commit else None) or "",
            author_email=(commit.author_email if commit else None) or DEFAULT_AUTHOR_EMAIL,
            message=message, redo=redo, signing=signing,
            push_branch=git.push_branch if git else None, refspec=git.push_refspec if git else None,
            push_options=dict(git.push_options) if git and git.push_options else None,
            no_push=self.options.no_push)


def _unified_diff(before: Path, after: Path, result: TreeResult) -> str:
    """The unified diff of the files the update rewrote (paths relative to the work tree)."""
    out: list[str] = []
    for path in sorted(result.written):
        rel = path.relative_to(after)
        old = (before / rel).read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
        new = path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
        out.extend(difflib.unified_diff(old, new, f"a/{rel}", f"b/{rel}"))
    return "".join(line if line.endswith("\n") else line + "\n" for line in out)


def automations(store: Store, names: Sequence[str], *, namespace: str | None,
                every: bool) -> list[tuple[str, str]]:
    """`(namespace, name)` of the ImageUpdateAutomations to run."""
    if not every:
        assert namespace is not None
        return [(namespace, n) for n in names]
    found = store.list("ImageUpdateAutomation", namespace)
    if not found:
        raise FluxpyError(f"no ImageUpdateAutomation objects found in {namespace or 'any'} namespace",
                          hint="create one, or give the files that hold them with -f")
    return [(o["metadata"].get("namespace", ""), o["metadata"]["name"]) for o in found]


def with_defaults(options: Options, **changes: Any) -> Options:
    """`options` with some fields changed."""
    return replace(options, **changes)
