"""The typer application: the command tree and the error boundary.

Commands are registered here from one module per verb. `run` invokes the tree
without typer's standalone mode so that `cli.errors` alone decides how a
failure is shown and which exit code it gets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import typer

from fluxpy.cli import completion, get, suspend, version
from fluxpy.cli.options import (
    ContextOpt,
    KubeconfigOpt,
    NamespaceOpt,
    NoColorOpt,
    TimeoutOpt,
    VerboseOpt,
    root_options,
)

HELP = """Run Flux's GitOps pipelines one shot, from the command line.

fluxpy reads and writes Flux's own API objects, so a cluster it drives looks
like a Flux cluster to flux, kubectl and helm."""


def build() -> typer.Typer:
    """The fluxpy command tree."""
    app = typer.Typer(
        name="fluxpy",
        help=HELP,
        add_completion=False,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback()
    def root(
        ctx: typer.Context,
        kubeconfig: KubeconfigOpt = None,
        context: ContextOpt = None,
        namespace: NamespaceOpt = None,
        timeout: TimeoutOpt = None,
        verbose: VerboseOpt = False,
        no_color: NoColorOpt = False,
    ) -> None:
        ctx.obj = root_options(kubeconfig=kubeconfig, context=context, namespace=namespace,
                               timeout=timeout, verbose=verbose, no_color=no_color)

    app.add_typer(get.app, name="get")
    app.add_typer(suspend.suspend_app, name="suspend")
    app.add_typer(suspend.resume_app, name="resume")
    app.command("version")(version.version)
    app.command("completion")(completion.completion)
    return app


def command() -> Any:
    """The click command behind the typer app (used by completion generation)."""
    return typer.main.get_command(build())


def run(args: Sequence[str]) -> int:
    """Run the CLI with `args`; return the exit code. Never raises."""
    from fluxpy.cli import errors
    from fluxpy.render.terminal import Terminal

    verbose = any(a in ("-v", "--verbose") for a in args[: args.index("--") if "--" in args else None])
    try:
        result = command().main(args=list(args), prog_name="fluxpy", standalone_mode=False)
    except (Exception, KeyboardInterrupt) as err:  # the error boundary: one line, an exit code
        return int(errors.report(err, Terminal.detect().err, verbose=verbose))
    return result if isinstance(result, int) else 0
