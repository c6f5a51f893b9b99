"""The typer application: the command tree and the error boundary.

Commands are registered here from one module per verb. `run` invokes the tree
without typer's standalone mode so that `cli.errors` alone decides how a
failure is shown and which exit code it gets.
"""

from collections.abc import Sequence
from typing import Any

import typer

from fluxpy.cli import build as build_cmd
from fluxpy.cli import completion, get, pull, reconcile, suspend, version
from fluxpy.cli import diff as diff_cmd
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


# Top-level commands: name -> how to add it to the app. Only the one being run
# is built (typer builds every registered command before parsing).
def _add_get(app: typer.Typer) -> None:
    app.add_typer(get.app, name="get")


def _add_suspend(app: typer.Typer) -> None:
    app.add_typer(suspend.suspend_app, name="suspend")


def _add_resume(app: typer.Typer) -> None:
    app.add_typer(suspend.resume_app, name="resume")


def _add_build(app: typer.Typer) -> None:
    app.add_typer(build_cmd.build_app, name="build")


def _add_diff(app: typer.Typer) -> None:
    app.add_typer(diff_cmd.diff_app, name="diff")


def _add_image(app: typer.Typer) -> None:
    from fluxpy.cli import image

    app.add_typer(image.image_app, name="image")


def _add_reconcile(app: typer.Typer) -> None:
    app.add_typer(reconcile.reconcile_app, name="reconcile")


def _add_pull(app: typer.Typer) -> None:
    app.add_typer(pull.pull_app, name="pull")


def _add_version(app: typer.Typer) -> None:
    app.command("version")(version.version)


def _add_completion(app: typer.Typer) -> None:
    app.command("completion")(completion.completion)


COMMANDS = {"get": _add_get, "build": _add_build, "diff": _add_diff, "image": _add_image, "reconcile": _add_reconcile, "pull": _add_pull,
            "suspend": _add_suspend, "resume": _add_resume, "version": _add_version, "completion": _add_completion}

# Root options that take a value, to find the command word after them.
_VALUED = {"--kubeconfig", "--context", "-n", "--namespace", "--timeout"}


def command_word(args: Sequence[str]) -> str | None:
    """The top-level command in `args`, or None (no command, or root --help)."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--":
            return None
        elif arg in _VALUED:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def build(only: str | None = None) -> typer.Typer:
    """The fluxpy command tree; with `only`, just that top-level command."""
    app = typer.Typer(
        name="fluxpy",
        help=HELP,
        add_completion=False,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        # Plain help: stable text, and it spares importing typer's rich help
        # renderer (~200 ms on every --help).
        rich_markup_mode=None,
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

    for name, add in COMMANDS.items():
        if only is None or only == name:
            add(app)
    return app


def command(only: str | None = None) -> Any:
    """The click command behind the typer app; the whole tree unless `only`."""
    return typer.main.get_command(build(only if only in COMMANDS else None))


def run(args: Sequence[str]) -> int:
    """Run the CLI with `args`; return the exit code. Never raises."""
    from fluxpy.cli import errors
    from fluxpy.render.terminal import Terminal

    verbose = any(a in ("-v", "--verbose") for a in args[: args.index("--") if "--" in args else None])
    try:
        result = command(command_word(args)).main(args=list(args), prog_name="fluxpy", standalone_mode=False)
    except (Exception, KeyboardInterrupt) as err:  # the error boundary: one line, an exit code
        return int(errors.report(err, Terminal.detect().err, verbose=verbose))
    return result if isinstance(result, int) else 0
