"""`fluxpy reconcile source git NAME`: run the Git source pipeline for one GitRepository.

Unlike flux, which annotates the object and waits for a controller, fluxpy
runs the steps itself (pull -> artifact -> status -> events) and reports
each one; the last line is flux's `✔ fetched revision <rev>`.
"""

from pathlib import Path
from typing import Annotated

import typer

from fluxpy.cli import image, sync
from fluxpy.cli.kinds_group import KindGroup
from fluxpy.cli.options import GlobalOptions, with_globals

NameArg = Annotated[str, typer.Argument(metavar="NAME", help="The GitRepository's name.", show_default=False)]
ArtifactsDirOpt = Annotated[Path | None, typer.Option(
    "--artifacts-dir", metavar="DIR", help="Where artifacts are stored (default: $XDG_CACHE_HOME/fluxpy/artifacts).")]

reconcile_app = typer.Typer(cls=KindGroup, rich_markup_mode=None, no_args_is_help=True,
                            help="Run a Flux object's pipeline now, in this process.")
sources_app = typer.Typer(cls=KindGroup, rich_markup_mode=None, no_args_is_help=True, help="Reconcile sources.")
reconcile_app.add_typer(sources_app, name="source", help="Reconcile sources. Also: sources.")
reconcile_app.command("kustomization")(sync.kustomization)
reconcile_app.add_typer(image.reconcile_images, name="image",
                        help="Reconcile image automation objects. Also: images.")


@sources_app.command("git")
@with_globals(output=True)
def git(g: GlobalOptions, name: NameArg, artifacts_dir: ArtifactsDirOpt = None) -> None:
    """Pull a GitRepository, store its artifact, and update its status and events."""
    from fluxpy.cli.session import connect, terminal
    from fluxpy.pipelines import source
    from fluxpy.render import output, reports
    from fluxpy.render.log import Log
    from fluxpy.render.steps import StepView
    from fluxpy.source.storage import Storage, default_dir

    term = terminal(g)
    log = Log(term)
    kube = connect(g)
    storage = Storage(artifacts_dir)
    log.action(f"reconciling GitRepository {name} in {g.namespace} namespace")
    outcome = source.reconcile_git_repository(kube, namespace=g.namespace, name=name, storage=storage,
                                              cache_dir=default_dir().parent, progress=StepView(term))
    log.success(f"fetched revision {outcome.revision}")
    if g.output.value != "table":
        report = reports.source(revision=outcome.revision, artifact=outcome.artifact, unchanged=outcome.unchanged)
        output.show(term, report, g.output.value)
