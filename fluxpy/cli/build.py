"""`fluxpy build kustomize DIR` and `fluxpy build kustomization NAME --path DIR`.

`build kustomize` prints exactly what `kustomize build DIR` prints (our own
engine; no kustomize binary). `build kustomization` behaves like `flux build
kustomization`: the Kustomization object comes from the cluster, or from
`--kustomization-file`; with `--dry-run` nothing is read from the cluster
(`substituteFrom` is skipped); SOPS-encrypted Secrets are printed masked.
"""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from fluxpy.kube.client import Kube
    from fluxpy.models.kustomize import Kustomization

from fluxpy.cli.kinds_group import KindGroup
from fluxpy.cli.options import GlobalOptions, with_globals

build_app = typer.Typer(cls=KindGroup, rich_markup_mode=None, no_args_is_help=True,
                        help="Build manifests locally, as kustomize and Flux do.")

DirArg = Annotated[Path, typer.Argument(metavar="DIR", help="The kustomization directory.", show_default=False)]
NameArg = Annotated[str, typer.Argument(metavar="NAME", help="The Kustomization's name.", show_default=False)]
PathOpt = Annotated[Path, typer.Option("--path", metavar="DIR", help="The local directory to build (spec.path).")]
FileOpt = Annotated[Path | None, typer.Option("--kustomization-file", metavar="FILE",
                                              help="Read the Kustomization object from this file, not the cluster.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Do not contact the cluster (substituteFrom is skipped).")]
StrictOpt = Annotated[bool, typer.Option("--strict-substitute", help="Fail when a variable is not set.")]


@build_app.command("kustomize")
@with_globals()
def kustomize(g: GlobalOptions, directory: DirArg) -> None:
    """Print what `kustomize build DIR` prints."""
    import sys

    from fluxpy.kustomize.build import build_text

    # kustomize's own rules apply (files under each kustomization's directory,
    # bases anywhere), so the filesystem root is the only outer bound.
    sys.stdout.write(build_text(Path("/"), directory.resolve()))


@build_app.command("kustomization")
@with_globals()
def kustomization(g: GlobalOptions, name: NameArg, path: PathOpt, kustomization_file: FileOpt = None,
                  dry_run: DryRunOpt = False, strict_substitute: StrictOpt = False) -> None:
    """Build a Flux Kustomization from a local directory, as `flux build kustomization` does."""
    import sys

    from fluxpy.errors import UsageError
    from fluxpy.kustomize import ownership, yamlio
    from fluxpy.pipelines import build

    if dry_run and kustomization_file is None:
        raise UsageError("--dry-run needs --kustomization-file: without the cluster there is no Kustomization to read")
    directory = path.resolve()
    if not directory.is_dir():
        raise UsageError(f"--path {path}: not a directory")
    ks, kube = _kustomization(g, name, kustomization_file, dry_run=dry_run)
    sources = build.substitution_sources(kube, ks) if kube is not None else []
    objs = build.build_kustomization(ks, root=_source_root(directory), path=directory, sources=sources,
                                     strict=strict_substitute)
    ownership.mask_sops_secrets(objs)
    sys.stdout.write(yamlio.dump_resources(objs))


def _kustomization(g: GlobalOptions, name: str, file: Path | None, *,
                   dry_run: bool) -> "tuple[Kustomization, Kube | None]":
    """The Kustomization object, and a cluster client unless --dry-run."""
    from fluxpy.errors import FluxpyError
    from fluxpy.models.kustomize import Kustomization

    kube = None
    if not dry_run:
        from fluxpy.cli.session import connect

        kube = connect(g)
    if file is None:
        from fluxpy.models import kinds

        assert kube is not None
        obj = kube.get(kinds.KUSTOMIZATION.resource(), name, namespace=g.namespace)
        return Kustomization.from_dict(obj), kube
    import yaml

    try:
        docs = [d for d in yaml.safe_load_all(file.read_text(encoding="utf-8")) if isinstance(d, dict)]
    except (OSError, yaml.YAMLError) as err:
        raise FluxpyError(f"--kustomization-file {file}: {' '.join(str(err).split())}") from err
    for doc in docs:
        if doc.get("kind") == "Kustomization" and (doc.get("metadata") or {}).get("name") == name:
            doc.setdefault("metadata", {}).setdefault("namespace", g.namespace)
            return Kustomization.from_dict(doc), kube
    raise FluxpyError(f"--kustomization-file {file}: no Kustomization named '{name}' in it",
                      hint="check NAME and the file's metadata.name")


def _source_root(directory: Path) -> Path:
    """The enclosing Git work tree (the source root, as an artifact would hold it), else the directory."""
    for candidate in (directory, *directory.parents):
        if (candidate / ".git").exists():
            return candidate
    return directory
