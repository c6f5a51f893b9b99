"""`fluxpy diff kustomization NAME --path DIR`: what a reconcile would change, as `flux diff` shows it.

The local directory is built as `fluxpy build kustomization` builds it (the
Kustomization from the cluster, or its spec from `--kustomization-file` with
the cluster's status), decrypted, then dry-run applied on the cluster exactly
as reconcile's validation step sends it (field manager
`kustomize-controller`, ownership forced, `dryRun=All`). Each object the
server would create prints `► Kind/ns/name created`; each one it would
change prints `► Kind/ns/name drifted` and a unified diff of the live object
against the dry-run answer; with `spec.prune`, each object of the inventory
the build no longer has, and that prune would delete, prints
`► Kind/ns/name deleted`. Nothing is written to the cluster.

The output goes to stdout. Differences make the exit code 1, with flux's
warning line on stderr; errors print one `✗` line and exit 1 as every other
command (`flux diff` exits 2 on errors). The comparison and the text are
`fluxpy.sync.diff`'s; this module sequences the steps.

SOPS: with keys (spec.decryption's Secret, `SOPS_AGE_KEY`/`SOPS_AGE_KEY_FILE`,
`--decryption-key-file`) encrypted objects are decrypted as reconcile does
and their real values compared (and shown masked). Without any key an
encrypted Secret is masked as `flux build` masks it and compared by its keys
only, as `flux diff` does, with a warning. A decryption Secret that cannot be
read falls back to the local keys, with a warning.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from fluxpy.cli.kinds_group import KindGroup
from fluxpy.cli.options import GlobalOptions, with_globals

if TYPE_CHECKING:
    from fluxpy.kube.client import Kube
    from fluxpy.models.kustomize import Kustomization
    from fluxpy.pipelines.progress import Progress, StepResult
    from fluxpy.render.terminal import Terminal
    from fluxpy.sync.diff import Entry
    from fluxpy.sync.live import Key, LiveIndex
    from fluxpy.sync.validate import Checked

diff_app = typer.Typer(cls=KindGroup, rich_markup_mode=None, no_args_is_help=True,
                       help="Show what a reconcile would change, as flux diff does.")

CHANGED = "identified at least one change, exiting with non-zero exit code"
"""flux's closing warning when there are differences."""

NameArg = Annotated[str, typer.Argument(metavar="NAME", help="The Kustomization's name.", show_default=False)]
PathOpt = Annotated[Path, typer.Option("--path", metavar="DIR",
                                       help="The local directory that matches the Kustomization's spec.path.")]
FileOpt = Annotated[Path | None, typer.Option("--kustomization-file", metavar="FILE",
                                              help="Read the Kustomization's spec from this file, not the cluster.")]
ProgressOpt = Annotated[bool, typer.Option("--progress-bar/--no-progress-bar", show_default=False,
                                           help="Show a spinner on a terminal (default on).")]
RecursiveOpt = Annotated[bool, typer.Option("-r", "--recursive",
                                            help="Also diff the Kustomizations the build contains (needs "
                                                 "--local-sources for their sources).")]
LocalSourcesOpt = Annotated[list[str] | None, typer.Option(
    "--local-sources", metavar="KIND/NS/NAME=DIR",
    help="A local checkout of a source, for --recursive (comma-separated or repeated).")]
KeyFileOpt = Annotated[list[Path] | None, typer.Option(
    "--decryption-key-file", metavar="FILE", help="An age identity or armored PGP key file for SOPS, "
                                                  "in addition to spec.decryption (repeatable).")]
StrictOpt = Annotated[bool, typer.Option("--strict-substitute", help="Fail when a variable is not set.")]


@dataclass(frozen=True, slots=True)
class Options:
    """How to diff.

    Args:
        key_files: extra decryption keys (`--decryption-key-file`).
        environ: where SOPS_AGE_KEY / SOPS_AGE_KEY_FILE are read.
        strict: fail on unset variables (`--strict-substitute`).
        recursive: diff the Kustomizations found in the build too.
        local_sources: `Kind/namespace/name` of a source -> its local checkout.
    """

    key_files: tuple[Path, ...] = ()
    environ: Mapping[str, str] = field(default_factory=dict)
    strict: bool = False
    recursive: bool = False
    local_sources: Mapping[str, Path] = field(default_factory=dict)


@diff_app.command("kustomization")
@with_globals()
def kustomization(g: GlobalOptions, name: NameArg, path: PathOpt, kustomization_file: FileOpt = None,
                  progress_bar: ProgressOpt = True, recursive: RecursiveOpt = False,
                  local_sources: LocalSourcesOpt = None, decryption_key_file: KeyFileOpt = None,
                  strict_substitute: StrictOpt = False) -> None:
    """Show what reconciling a Kustomization from DIR would change; exit 1 if anything.

    Builds DIR, dry-runs the objects on the cluster (nothing is written) and
    prints each object that would be created, drifted (with a unified diff,
    Secret values masked) or deleted by prune. Also: ks, kustomizations."""
    from fluxpy.cli import build as build_cmd
    from fluxpy.cli.exitcodes import ExitCode
    from fluxpy.cli.session import terminal
    from fluxpy.errors import FluxpyError, UsageError
    from fluxpy.pipelines.progress import Silent
    from fluxpy.render.log import Log
    from fluxpy.sync import diff

    directory = path.resolve()
    if not directory.is_dir():
        raise UsageError(f"--path {path}: not a directory")
    options = Options(key_files=tuple(decryption_key_file or ()), environ=os.environ, strict=strict_substitute,
                      recursive=recursive, local_sources=parse_local_sources(local_sources or ()))
    term = terminal(g)
    log = Log(term)
    warnings: list[str] = []
    spinner: _Spinner | None = None
    try:
        ks, kube = build_cmd._kustomization(g, name, kustomization_file, dry_run=False)
        assert kube is not None
        if kustomization_file is not None:
            ks = _with_live_status(kube, ks)
        spinner = _Spinner(term, f"diffing Kustomization {ks.namespace}/{ks.name}") if progress_bar else None
        entries = run(kube, ks, root=build_cmd._source_root(directory), path=directory, options=options,
                      progress=spinner or Silent(), warn=warnings.append)
    except FluxpyError as err:
        # As flux diff: 1 means "differences", so a failure exits 2.
        if not isinstance(err, UsageError):
            err.exit_code = ExitCode.USAGE  # type: ignore[attr-defined]
        raise
    finally:
        # After the spinner, and before an error line, which they may explain.
        if spinner is not None:
            spinner.stop()
        for text in warnings:
            log.warning(text)
    _show(term, diff.render(entries))
    if diff.changed(entries):
        log.warning(CHANGED)
        raise typer.Exit(int(ExitCode.FAILED))


def parse_local_sources(values: Sequence[str]) -> dict[str, Path]:
    """`Kind/namespace/name=DIR` pairs (each value may hold several, comma-separated).

    Raises:
        UsageError: a pair is malformed.
    """
    from fluxpy.errors import UsageError

    out: dict[str, Path] = {}
    for value in values:
        for pair in filter(None, (p.strip() for p in value.split(","))):
            key, sep, directory = pair.partition("=")
            if not sep or key.count("/") != 2 or not all(key.split("/")) or not directory:
                raise UsageError(f"--local-sources {pair!r}: expected KIND/NAMESPACE/NAME=DIR",
                                 hint="e.g. --local-sources GitRepository/flux-system/repo=./")
            out[key] = Path(directory)
    return out


def run(kube: Kube, ks: Kustomization, *, root: Path, path: Path, options: Options, progress: Progress,
        warn: Callable[[str], None], visited: set[tuple[str, str]] | None = None) -> list[Entry]:
    """The differences a reconcile of `ks` from the tree at `path` would make, in build order, then prune's.

    Args:
        kube: the cluster (only read from; writes are dry runs).
        ks: the Kustomization (spec to build with, status for the inventory).
        root: the source root (nothing outside it is read).
        path: the directory to build.
        options: see `Options`.
        progress: told about each step.
        warn: receives warnings (shown on stderr after the run).
        visited: Kustomizations already diffed in this run (`--recursive`).

    Raises:
        FluxpyError: the build, decryption, dry-run or a cluster read failed.
    """
    from fluxpy.pipelines import build
    from fluxpy.pipelines.progress import step
    from fluxpy.sync import decrypt, validate
    from fluxpy.sync.live import LiveIndex

    owner = (ks.name, ks.namespace or "")
    visited = visited if visited is not None else set()
    visited.add((owner[1], owner[0]))
    # As reconcile: build, decrypt (no MAC check on whole objects, which the
    # build changes), then substitution and the ownership labels.
    keyring = decrypt.read_keyring(kube, ks, environ=options.environ, key_files=options.key_files,
                                   secret_optional=True, warn=warn)
    with step(progress, "build") as s:
        objs = build.build_manifests(ks, root=root, path=path, keyring=keyring)
        s.detail = f"{len(objs)} objects"
    with step(progress, "decrypt"):
        masked = _mask_encrypted_secrets(objs, warn) if keyring is None else set()
        objs, _ = decrypt.decrypt_objects(objs, keyring, owner=f"{owner[1]}/{owner[0]}", verify_mac=False)
    with step(progress, "substitute"):
        objs = build.post_build(ks, objs, sources=build.substitution_sources(kube, ks), strict=options.strict)
    with step(progress, "dry-run"):
        index = LiveIndex.for_objects(kube, objs, owner=owner)
        checked = validate.validate(kube, objs, index=index, force=ks.spec.force)
    entries: list[Entry] = []
    for item in checked:
        found = _entry(kube, item, index, masked)
        if found is not None:
            entries.append(found)
        if options.recursive and _is_kustomization(item.obj) and (item.exists or item.recreate):
            nested = _nested(kube, item, index, parent=ks, options=options, progress=progress, warn=warn,
                             visited=visited)
            if nested is not None:
                entries.append(nested)
    if ks.spec.prune and ks.status.inventory is not None:
        with step(progress, "prune"):
            entries.extend(_deleted(kube, ks, [c.obj for c in checked]))
    return entries


def _entry(kube: Kube, item: Checked, index: LiveIndex, masked: set[Key]) -> Entry | None:
    """The difference for one validated object, or None (unchanged, or skipped as apply would skip it)."""
    from fluxpy.apply.actions import Decision
    from fluxpy.sync import diff
    from fluxpy.sync.live import key_of

    if item.policy.decision is Decision.SKIP:
        return None
    if item.recreate:
        return diff.ObjectDiff(item.subject, diff.Change.DRIFTED,
                               note="immutable fields changed: reconcile deletes and re-creates it")
    if item.deferred or not item.exists or item.dry is None:
        return diff.ObjectDiff(item.subject, diff.Change.CREATED)
    live = _live(kube, item, index)
    if live is None:
        return diff.ObjectDiff(item.subject, diff.Change.CREATED)
    return diff.compare(item.subject, live, item.dry, sops_masked=key_of(item.obj) in masked)


def _live(kube: Kube, item: Checked, index: LiveIndex) -> dict[str, Any] | None:
    """The live object: listed (owned by the Kustomization), else read (not owned yet)."""
    live = index.get(item.obj)
    if live is None and item.resource is not None:
        live = index.fetch(kube, item.resource, item.obj)
    return live


def _is_kustomization(obj: Mapping[str, Any]) -> bool:
    return obj.get("kind") == "Kustomization" and str(obj.get("apiVersion") or "").startswith(
        "kustomize.toolkit.fluxcd.io/")


def _nested(kube: Kube, item: Checked, index: LiveIndex, *, parent: Kustomization, options: Options,
            progress: Progress, warn: Callable[[str], None], visited: set[tuple[str, str]]) -> Entry | None:
    """`--recursive`: the differences of a Kustomization of the build, from its local source.

    It is built with the spec the build gives it (what reconcile would
    apply) and the status the cluster has (its inventory, for prune), from
    `--local-sources`' checkout of its source.
    """
    from fluxpy.errors import FluxpyError
    from fluxpy.models.kustomize import Kustomization
    from fluxpy.sync import diff

    live = _live(kube, item, index)
    if live is None:
        return None
    raw = dict(item.obj)
    raw["metadata"] = {**(item.obj.get("metadata") or {}),
                       "namespace": (live.get("metadata") or {}).get("namespace") or parent.namespace}
    child = replace(Kustomization.from_dict(raw), status=Kustomization.from_dict(live).status)
    namespace = child.namespace or ""
    if (namespace, child.name) in visited:
        return None
    if child.spec.kube_config is not None:
        return diff.Skipped(item.subject, "diff not supported for remote clusters")
    ref = child.spec.source_ref
    key = f"{ref.kind}/{ref.namespace or namespace}/{ref.name}"
    local = options.local_sources.get(key)
    if local is None:
        raise FluxpyError(f"cannot get local path for {key} of Kustomization {namespace}/{child.name}",
                          hint=f"pass --local-sources {key}=DIR (a checkout of that source)")
    root = local.resolve()
    rel = (child.spec.path or "./").strip()
    path = (root / rel.lstrip("/")).resolve()
    if not path.is_relative_to(root) or not path.is_dir():
        raise FluxpyError(f"Kustomization {namespace}/{child.name}: path {rel} not found in {local}",
                          hint=f"check --local-sources {key}=DIR and the Kustomization's spec.path")
    entries = run(kube, child, root=root, path=path, options=options, progress=progress, warn=warn,
                  visited=visited)
    return diff.Nested(item.subject, tuple(entries))


def _deleted(kube: Kube, ks: Kustomization, managed: Sequence[dict[str, Any]]) -> list[Entry]:
    """What prune would delete (`prune(dry_run=True)`: only reads), in apply order."""
    from fluxpy.apply import order
    from fluxpy.models.inventory import Inventory
    from fluxpy.prune.plan import inventory_for
    from fluxpy.sync import diff
    from fluxpy.sync import prune as prune_mod

    pruned = prune_mod.prune(kube, ks.status.inventory or Inventory(), inventory_for(managed),
                             owner=(ks.name, ks.namespace or ""), dry_run=True)
    manifests = [{"apiVersion": e.api_version, "kind": e.kind,
                  "metadata": {"name": e.name, **({"namespace": e.namespace} if e.namespace else {})}}
                 for e in pruned.plan.deletions]
    by_id = {id(m): e for m, e in zip(manifests, pruned.plan.deletions, strict=True)}
    return [diff.ObjectDiff(by_id[id(m)].object_ref, diff.Change.DELETED) for m in order.apply_order(manifests)]


def _mask_encrypted_secrets(objs: list[dict[str, Any]], warn: Callable[[str], None]) -> set[Key]:
    """Without keys: mask SOPS-encrypted Secrets as flux does (in place); their identities.

    A Secret with a `sops` block loses it and every value becomes `**SOPS**`;
    in another Secret, each `data` value that holds a sops document (from an
    encrypted secretGenerator source) is masked the same way.
    """
    import base64
    import binascii

    from fluxpy import sops
    from fluxpy.apply.actions import ref_of
    from fluxpy.kustomize import ownership
    from fluxpy.sync import diff as diff_mod
    from fluxpy.sync.live import key_of

    masked: set[Key] = set()
    for obj in objs:
        if ownership.is_sops_encrypted(obj):
            masked.add(key_of(obj))
            continue
        data = obj.get("data")
        if not isinstance(data, dict) or not diff_mod.is_secret(obj) or sops.decryption_disabled(obj):
            continue
        for key, value in data.items():
            try:
                raw = base64.b64decode(str(value).replace("\n", ""), validate=True)
            except (binascii.Error, ValueError):
                continue
            if sops.detect_format(raw) is not None:
                data[key] = ownership.MASK_B64
                masked.add(key_of(obj))
    for obj in objs:
        if key_of(obj) in masked:
            warn(f"{ref_of(obj)} is SOPS-encrypted and no decryption key is available: only its keys are "
                 "compared (set spec.decryption, SOPS_AGE_KEY_FILE or --decryption-key-file to compare values)")
    ownership.mask_sops_secrets(objs)
    return masked


def _with_live_status(kube: Kube, ks: Kustomization) -> Kustomization:
    """A Kustomization read from a file, with the cluster's status (its inventory) when it has one, as flux does."""
    from fluxpy.kube import errors as kerr
    from fluxpy.models import kinds
    from fluxpy.models.kustomize import Kustomization

    try:
        live = Kustomization.from_dict(kube.get(kinds.KUSTOMIZATION.resource(), ks.name, namespace=ks.namespace))
    except kerr.NotFoundError:
        return ks
    return replace(ks, status=live.status) if live.status.inventory is not None else ks


def _show(term: Terminal, text: str) -> None:
    """The report on stdout; coloured on a colour terminal (created green, deleted red, diff lines)."""
    if not term.color:
        term.out.write(text)
        term.out.flush()
        return
    from rich.text import Text

    console = term.console("out")
    for line in text.splitlines():
        console.print(Text(line, style=_style(line)))


def _style(line: str) -> str:
    if line.startswith("► "):
        return {"created": "green", "deleted": "red"}.get(line.rsplit(" ", 1)[-1], "bold")
    if line.startswith(("+++", "---")):
        return "bold"
    if line.startswith("+"):
        return "green"
    if line.startswith("-"):
        return "red"
    if line.startswith("@@"):
        return "cyan"
    if line.startswith("⚠️"):
        return "yellow"
    return "bold" if line.startswith("📁") else ""


class _Spinner:
    """A `Progress` that shows the running step in a spinner on a terminal, and nothing otherwise."""

    def __init__(self, term: Terminal, label: str) -> None:
        self.term = term
        self.label = label
        self._status: Any = None

    def started(self, step: str) -> None:
        if not self.term.tty:
            return
        text = f"{self.label}: {step}"
        if self._status is None:
            self._status = self.term.console("err").status(text)
            self._status.start()
        else:
            self._status.update(text)

    def update(self, step: str, detail: str) -> None:
        """Nothing: the step name is enough."""

    def finished(self, result: StepResult) -> None:
        """Nothing: the spinner moves on with the next step."""

    def stop(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None
