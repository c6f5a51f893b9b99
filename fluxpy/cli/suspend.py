"""`fluxpy suspend KIND NAME...` and `fluxpy resume KIND NAME...`.

Both set or clear `spec.suspend` with a patch that touches nothing else and
print flux's progress lines. Resuming a Kustomization also reconciles it,
as `flux resume ks` does; other kinds get their pipelines in later issues.
"""

from collections.abc import Callable, Sequence
from typing import Annotated

import typer

from fluxpy.cli.kinds_group import KindGroup, aliases_of
from fluxpy.cli.options import GlobalOptions, with_globals
from fluxpy.errors import UsageError

NamesArg = Annotated[list[str] | None, typer.Argument(metavar="NAME...", help="The objects' names.", show_default=False)]
AllOpt = Annotated[bool, typer.Option("--all", help="All objects of this kind in the namespace.")]
NoWaitOpt = Annotated[bool, typer.Option("--no-wait", help="Only clear spec.suspend; do not reconcile now "
                                                           "(flux: --wait=false).")]

suspend_app = typer.Typer(cls=KindGroup, rich_markup_mode=None, help="Suspend the reconciliation of Flux objects.", no_args_is_help=True)
resume_app = typer.Typer(cls=KindGroup, rich_markup_mode=None, help="Resume the reconciliation of suspended Flux objects.", no_args_is_help=True)
suspend_sources = typer.Typer(cls=KindGroup, rich_markup_mode=None, help="Suspend sources.", no_args_is_help=True)
resume_sources = typer.Typer(cls=KindGroup, rich_markup_mode=None, help="Resume sources.", no_args_is_help=True)
suspend_images = typer.Typer(cls=KindGroup, rich_markup_mode=None, help="Suspend image automation objects.", no_args_is_help=True)
resume_images = typer.Typer(cls=KindGroup, rich_markup_mode=None, help="Resume image automation objects.", no_args_is_help=True)


def run(g: GlobalOptions, kind_name: str, names: Sequence[str], *, every: bool, suspend: bool,
        reconcile: bool = True) -> None:
    """Suspend or resume the named objects (or all of them) of one kind."""
    from fluxpy import listing, suspension
    from fluxpy.cli.session import connect, terminal
    from fluxpy.models import kinds
    from fluxpy.render.log import Log

    if every and names:
        raise UsageError("give object names or --all, not both")
    if not every and not names:
        raise UsageError(f"name the {kind_name} objects to {'suspend' if suspend else 'resume'}, or pass --all")
    kind = kinds.by_kind(kind_name)
    log = Log(terminal(g))
    kube = connect(g)
    namespace = None if (every and g.all_namespaces) else g.namespace
    items = suspension.targets(kube, kind, names, namespace=namespace, every=every)
    if not items:
        log.failure(f"no {kind.kind} objects found in {listing.where(namespace)}")
        return
    verb, done = ("suspending", "suspended") if suspend else ("resuming", "resumed")
    word = kind.kind.lower()
    for item in items:
        log.action(f"{verb} {word} {item.name} in {item.namespace} namespace")
        suspension.set_suspended(kube, kind, item, suspend=suspend)
        log.success(f"{word} {done}")
    if not suspend and reconcile and kind.kind == "Kustomization":
        # As flux: a resumed Kustomization is reconciled at once.
        from fluxpy.cli import sync

        sync.run(g, [], every=len(items) > 1, kube=kube, targets=[(i.namespace, i.name) for i in items])


def _command(kind: str, *, suspend: bool) -> Callable[..., None]:
    if not suspend and kind == "Kustomization":
        @with_globals(all_namespaces=True)
        def resume_and_reconcile(g: GlobalOptions, names: NamesArg = None, all_: AllOpt = False,
                                 no_wait: NoWaitOpt = False) -> None:
            run(g, kind, names or [], every=all_, suspend=False, reconcile=not no_wait)

        resume_and_reconcile.__doc__ = "Resume Kustomization objects and reconcile them now."
        return resume_and_reconcile

    @with_globals(all_namespaces=True)
    def command(g: GlobalOptions, names: NamesArg = None, all_: AllOpt = False) -> None:
        run(g, kind, names or [], every=all_, suspend=suspend)

    command.__doc__ = f"{'Suspend' if suspend else 'Resume'} {kind} objects."
    return command


def _register(target: typer.Typer, name: str, kind: str, *, suspend: bool) -> None:
    fn = _command(kind, suspend=suspend)
    others = aliases_of(name)
    if others:
        fn.__doc__ = f"{fn.__doc__} Also: {', '.join(others)}."
    target.command(name)(fn)


for _app, _sources, _images, _suspend in ((suspend_app, suspend_sources, suspend_images, True),
                                          (resume_app, resume_sources, resume_images, False)):
    _register(_sources, "git", "GitRepository", suspend=_suspend)
    _register(_sources, "oci", "OCIRepository", suspend=_suspend)
    _register(_sources, "helm", "HelmRepository", suspend=_suspend)
    _register(_sources, "chart", "HelmChart", suspend=_suspend)
    _register(_sources, "bucket", "Bucket", suspend=_suspend)
    _register(_images, "repository", "ImageRepository", suspend=_suspend)
    _register(_images, "policy", "ImagePolicy", suspend=_suspend)
    _register(_images, "update", "ImageUpdateAutomation", suspend=_suspend)
    _register(_app, "kustomization", "Kustomization", suspend=_suspend)
    _register(_app, "helmrelease", "HelmRelease", suspend=_suspend)
    _register(_app, "alert", "Alert", suspend=_suspend)
    _register(_app, "alert-provider", "Provider", suspend=_suspend)
    _register(_app, "receiver", "Receiver", suspend=_suspend)
    _app.add_typer(_sources, name="source")
    _app.add_typer(_images, name="image")
