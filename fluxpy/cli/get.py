"""`fluxpy get ...`: the status of Flux objects, as `flux get` prints it.

Thin commands: options -> `listing.fetch` -> `render.rows` -> table or
`-o json|yaml`. The words and columns follow the flux CLI (`get sources git`,
`get ks`, `get images policy`, `get all`). An empty result prints Flux's
`no <Kind> objects found` line on stderr and exits 0 (as flux and kubectl do);
a named object that does not exist is an error (exit 1).
"""

from collections.abc import Callable, Sequence
from typing import Annotated, Any

import typer

from fluxpy.cli.kinds_group import KindGroup, aliases_of
from fluxpy.cli.options import GlobalOptions, with_globals

NameArg = Annotated[str | None, typer.Argument(metavar="NAME", help="Only the object with this name.", show_default=False)]
StatusSelectorOpt = Annotated[str | None, typer.Option(
    "--status-selector", metavar="TYPE=STATUS",
    help="Only objects whose condition TYPE has STATUS, e.g. ready=false.")]
LabelSelectorOpt = Annotated[str | None, typer.Option(
    "-l", "--selector", metavar="SELECTOR", help="Only objects matching this label selector, e.g. app=web.")]
NoHeaderOpt = Annotated[bool, typer.Option("--no-header", help="Skip the header line.")]

SOURCES = ("GitRepository", "OCIRepository", "HelmRepository", "HelmChart", "Bucket")
IMAGES = ("ImageRepository", "ImagePolicy", "ImageUpdateAutomation")
ALL = (*SOURCES, "Kustomization", "HelmRelease", *IMAGES, "Receiver", "Provider", "Alert")

app = typer.Typer(cls=KindGroup, rich_markup_mode=None, help="Get the status of Flux objects.", no_args_is_help=True)
sources_app = typer.Typer(cls=KindGroup, rich_markup_mode=None, help="Get the status of sources.", no_args_is_help=True)
images_app = typer.Typer(cls=KindGroup, rich_markup_mode=None, help="Get the status of image automation objects.", no_args_is_help=True)


def run(g: GlobalOptions, kinds: Sequence[str], *, name: str | None, status_selector: str | None,
        label_selector: str | None, no_header: bool, several: bool) -> None:
    """List `kinds` and print them; `several` is the `all` form (kind-prefixed names)."""
    from fluxpy import listing
    from fluxpy.cli.session import connect, terminal
    from fluxpy.models import kinds as registry
    from fluxpy.render import output, rows, table
    from fluxpy.render.log import Log

    selector = rows.parse_status_selector(status_selector) if status_selector else None
    term = terminal(g)
    kube = connect(g)
    namespace = None if g.all_namespaces else g.namespace
    listings = listing.fetch(kube, [registry.by_kind(k) for k in kinds], namespace=namespace, name=name,
                             label_selector=label_selector, skip_unserved=several)
    for item in listings:
        item.objects = [o for o in item.objects if selector is None or rows.status_matches(o, *selector)]
    found = [o for item in listings for o in item.objects]
    if name and not found:
        from fluxpy.kube.errors import NotFoundError

        kind = listings[0].kind.kind if len(listings) == 1 else "object"
        raise NotFoundError(f"{kind} '{name}' not found in {listing.where(namespace)}", status=404,
                            reason="NotFound", hint="list what exists with 'fluxpy get' without a name")
    if g.output.value != "table":
        shown = [output.without_managed_fields(o) for o in found]
        data: Any = shown[0] if name and len(shown) == 1 else output.as_list(shown)
        output.show(term, data, g.output.value)
        return
    if not found:
        what = listings[0].kind.kind if len(listings) == 1 else "Flux"
        Log(term).failure(f"no {what} objects found in {listing.where(namespace)}")
        return
    for item in listings:
        if not item.objects:
            continue
        headers, body = rows.table(item.kind.kind, item.objects, namespaced=namespace is None, prefix_kind=several)
        table.show(term, headers, body, header=not no_header)
        if several:
            term.out.write("\n")


def _command(kinds: Sequence[str], *, several: bool, doc: str) -> Callable[..., None]:
    """A `get` leaf command for `kinds`."""

    @with_globals(all_namespaces=True, output=True)
    def command(g: GlobalOptions, name: NameArg = None, status_selector: StatusSelectorOpt = None,
                selector: LabelSelectorOpt = None, no_header: NoHeaderOpt = False) -> None:
        run(g, kinds, name=name, status_selector=status_selector, label_selector=selector,
            no_header=no_header, several=several)

    command.__doc__ = doc
    return command


def _register(target: typer.Typer, name: str, kinds: Sequence[str], doc: str, *, several: bool = False) -> None:
    others = aliases_of(name)
    target.command(name)(_command(kinds, several=several, doc=doc + (f" Also: {', '.join(others)}." if others else "")))


_register(sources_app, "git", ["GitRepository"], "Get GitRepository statuses.")
_register(sources_app, "oci", ["OCIRepository"], "Get OCIRepository statuses.")
_register(sources_app, "helm", ["HelmRepository"], "Get HelmRepository statuses.")
_register(sources_app, "chart", ["HelmChart"], "Get HelmChart statuses.")
_register(sources_app, "bucket", ["Bucket"], "Get Bucket statuses.")
_register(sources_app, "all", SOURCES, "Get the statuses of all sources.", several=True)
_register(images_app, "repository", ["ImageRepository"], "Get ImageRepository statuses.")
_register(images_app, "policy", ["ImagePolicy"], "Get ImagePolicy statuses.")
_register(images_app, "update", ["ImageUpdateAutomation"], "Get ImageUpdateAutomation statuses.")
_register(images_app, "all", IMAGES, "Get the statuses of all image automation objects.", several=True)
_register(app, "kustomizations", ["Kustomization"], "Get Kustomization statuses.")
_register(app, "helmreleases", ["HelmRelease"], "Get HelmRelease statuses.")
_register(app, "alerts", ["Alert"], "Get Alert statuses.")
_register(app, "alert-providers", ["Provider"], "Get Provider statuses.")
_register(app, "receivers", ["Receiver"], "Get Receiver statuses.")
_register(app, "all", ALL, "Get the statuses of all Flux objects.", several=True)
app.add_typer(sources_app, name="sources", help="Get the status of sources. Also: source.")
app.add_typer(images_app, name="images", help="Get the status of image automation objects. Also: image.")
