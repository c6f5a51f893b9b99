"""`fluxpy reconcile kustomization NAME|--all`: run cluster sync now, in this process.

flux annotates the object and waits for kustomize-controller; fluxpy runs the
pipeline itself (`fluxpy.pipelines.cluster_sync`) and shows each step. With
`--all`, every Kustomization of the namespace (or of all namespaces, `-A`)
runs in dependency order; a suspended one is skipped with a warning, and a
failure does not stop the others (the exit code is 1 if any failed).
`fluxpy resume ks NAME` reuses `run` after clearing `spec.suspend`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from fluxpy.cli.options import GlobalOptions, with_globals
from fluxpy.errors import FluxpyError, UsageError

if TYPE_CHECKING:
    from fluxpy.kube.client import Kube
    from fluxpy.pipelines.cluster_sync import Report
    from fluxpy.render.log import Log

NameArg = Annotated[str | None, typer.Argument(metavar="NAME", help="The Kustomization's name.", show_default=False)]
AllOpt = Annotated[bool, typer.Option("--all", help="Every Kustomization in the namespace (-A: everywhere), "
                                                    "in dependency order.")]
WithSourceOpt = Annotated[bool, typer.Option("--with-source", help="Reconcile the GitRepository first.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Build, decrypt and validate (server-side dry-run); "
                                                           "show what would change; write nothing.")]
KeyFileOpt = Annotated[list[Path] | None, typer.Option(
    "--decryption-key-file", metavar="FILE", help="An age identity or armored PGP key file for SOPS, "
                                                  "in addition to spec.decryption (repeatable).")]
ArtifactsDirOpt = Annotated[Path | None, typer.Option(
    "--artifacts-dir", metavar="DIR", help="Where artifacts are stored (default: $XDG_CACHE_HOME/fluxpy/artifacts).")]


class SyncFailed(FluxpyError):
    """Some Kustomizations of an `--all` run failed (each was reported already)."""


@with_globals(all_namespaces=True, output=True)
def kustomization(g: GlobalOptions, name: NameArg = None, all_: AllOpt = False, with_source: WithSourceOpt = False,
                  dry_run: DryRunOpt = False, decryption_key_file: KeyFileOpt = None,
                  artifacts_dir: ArtifactsDirOpt = None) -> None:
    """Build, decrypt, validate, apply, prune and health-check a Kustomization, then record its status.
    Also: ks, kustomizations."""
    if all_ and name:
        raise UsageError("give a Kustomization name or --all, not both")
    if not all_ and not name:
        raise UsageError("name the Kustomization to reconcile, or pass --all")
    run(g, [name] if name else [], every=all_, with_source=with_source, dry_run=dry_run,
        key_files=tuple(decryption_key_file or ()), artifacts_dir=artifacts_dir)


def run(g: GlobalOptions, names: Sequence[str], *, every: bool, with_source: bool = False, dry_run: bool = False,
        key_files: tuple[Path, ...] = (), artifacts_dir: Path | None = None, kube: Kube | None = None,
        targets: Sequence[tuple[str, str]] | None = None) -> None:
    """Reconcile the named Kustomizations (or all of them, or exactly `targets`), print progress and the report."""
    from fluxpy.cli.session import connect, terminal
    from fluxpy.pipelines import cluster_sync
    from fluxpy.pipelines.source import SuspendedError
    from fluxpy.render import output, reports
    from fluxpy.render.log import Log
    from fluxpy.render.steps import StepView
    from fluxpy.source.storage import Storage, default_dir

    term = terminal(g)
    log = Log(term)
    kube = kube or connect(g)
    options = cluster_sync.Options(with_source=with_source, dry_run=dry_run, key_files=key_files,
                                   environ=os.environ, check_dependencies=True, timeout=g.timeout)
    storage = Storage(artifacts_dir)
    targets = list(targets) if targets is not None else _targets(kube, g, names, every=every)
    done: list[Report] = []
    failed: list[tuple[str, str | None]] = []
    for namespace, ks_name in targets:
        log.action(f"reconciling Kustomization {ks_name} in {namespace} namespace"
                   + (" (dry run)" if dry_run else ""))
        try:
            report = cluster_sync.reconcile_kustomization(
                kube, namespace=namespace, name=ks_name, storage=storage, cache_dir=default_dir().parent,
                options=options, progress=StepView(term))
        except SuspendedError as err:
            if not every:
                raise
            log.warning(f"skipping Kustomization {namespace}/{ks_name}: {err.message}")
            continue
        except cluster_sync.SyncError as err:
            message = f"Kustomization {namespace}/{ks_name} reconciliation failed: {err.message}"
            failed.append((message, err.hint))
            done.append(err.report or cluster_sync.Report(namespace, ks_name, error=err.message,
                                                          reason=err.reason, dry_run=dry_run))
            if every:
                log.failure(message)
            continue
        done.append(report)
        _final_line(log, report)
    if g.output.value != "table":
        data = [reports.kustomization(r) for r in done]
        output.show(term, data[0] if not every and data else data, g.output.value)
    if failed and every:
        raise SyncFailed(f"{len(failed)} of {len(targets)} Kustomizations failed")
    if failed:
        raise SyncFailed(failed[0][0], hint=failed[0][1])


def _final_line(log: Log, report: Report) -> None:
    from fluxpy.pipelines.cluster_sync import counts_line

    if report.dry_run:
        log.success(f"dry run of revision {report.revision}, nothing written; it would leave: "
                    f"{counts_line(report.changes)}")
    else:
        log.success(f"applied revision {report.revision}")


def _targets(kube: Kube, g: GlobalOptions, names: Sequence[str], *, every: bool) -> list[tuple[str, str]]:
    """`(namespace, name)` to reconcile, dependencies first when `every`."""
    from fluxpy.models import kinds
    from fluxpy.models.kustomize import Kustomization
    from fluxpy.sync import dependencies

    if not every:
        return [(g.namespace, n) for n in names]
    namespace = None if g.all_namespaces else g.namespace
    objs = kube.list(kinds.KUSTOMIZATION.resource(), namespace=namespace)
    if not objs:
        raise FluxpyError(f"no Kustomization objects found in {namespace or 'any'} namespace")
    ordered = dependencies.order([Kustomization.from_dict(o) for o in objs])
    return [(k.namespace or "", k.name) for k in ordered]

