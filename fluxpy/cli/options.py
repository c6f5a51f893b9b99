"""Global options, accepted before or after the command like kubectl's and flux's.

Typer has no persistent flags, so the global options are declared twice: on
the root callback (`fluxpy -n apps get ks`) and, through `with_globals`, on
every command that uses them (`fluxpy get ks -n apps`). A value given after the
command wins over one given before it; defaults apply last. Commands receive
the merged, frozen `GlobalOptions` as their first argument.
"""

import functools
import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Annotated, Any

import typer

DEFAULT_NAMESPACE = "flux-system"
DEFAULT_TIMEOUT = "5m0s"


class Output(str, Enum):
    """Values of `-o/--output`."""

    table = "table"
    json = "json"
    yaml = "yaml"


@dataclass(frozen=True, slots=True)
class GlobalOptions:
    """The merged global options a command runs with.

    Args:
        kubeconfig: kubeconfig path, or None for KUBECONFIG / ~/.kube/config.
        context: kubeconfig context, or None for the current one.
        namespace: the namespace to act in.
        all_namespaces: act across all namespaces (commands that list).
        output: table, json or yaml.
        timeout: seconds to wait for the cluster and for operations.
        verbose: show tracebacks and debug detail.
        no_color: never use colour.
    """

    kubeconfig: str | None = None
    context: str | None = None
    namespace: str = DEFAULT_NAMESPACE
    all_namespaces: bool = False
    output: Output = Output.table
    timeout: float = 300.0
    verbose: bool = False
    no_color: bool = False


KubeconfigOpt = Annotated[str | None, typer.Option(
    "--kubeconfig", metavar="PATH", help="Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config).")]
ContextOpt = Annotated[str | None, typer.Option(
    "--context", metavar="NAME", help="The kubeconfig context to use.")]
NamespaceOpt = Annotated[str | None, typer.Option(
    "-n", "--namespace", metavar="NS", help=f"The namespace scope (default {DEFAULT_NAMESPACE}).")]
AllNamespacesOpt = Annotated[bool, typer.Option(
    "-A", "--all-namespaces", help="Act across all namespaces.")]
OutputOpt = Annotated[Output | None, typer.Option(
    "-o", "--output", case_sensitive=False, help="Output format: table, json or yaml (default table).")]
TimeoutOpt = Annotated[str | None, typer.Option(
    "--timeout", metavar="DURATION", help=f"Timeout for cluster operations, e.g. 30s, 5m (default {DEFAULT_TIMEOUT}).")]
VerboseOpt = Annotated[bool, typer.Option("-v", "--verbose", help="Show debug detail and tracebacks.")]
NoColorOpt = Annotated[bool, typer.Option("--no-color", help="Never use colour (also: the NO_COLOR variable).")]

# Options the root callback declares, in help order.
ROOT_PARAMS: dict[str, Any] = {
    "kubeconfig": (KubeconfigOpt, None),
    "context": (ContextOpt, None),
    "namespace": (NamespaceOpt, None),
    "timeout": (TimeoutOpt, None),
    "verbose": (VerboseOpt, False),
    "no_color": (NoColorOpt, False),
}
EXTRA_PARAMS: dict[str, Any] = {
    "all_namespaces": (AllNamespacesOpt, False),
    "output": (OutputOpt, None),
}


def parse_timeout(text: str) -> float:
    """Seconds from a Go duration such as `30s`, `5m`, `1m30s`.

    Raises:
        typer.BadParameter: the text is not a positive Go duration.
    """
    from fluxpy.models.duration import seconds as parse_seconds

    try:
        seconds = parse_seconds(text)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint="'--timeout'") from err
    if seconds <= 0:
        raise typer.BadParameter(f"must be positive, got {text!r}", param_hint="'--timeout'")
    return seconds


def merge(root: GlobalOptions | None, values: dict[str, Any]) -> GlobalOptions:
    """Combine root-level options with the command's own (the command's win)."""
    base = root or GlobalOptions()
    changes: dict[str, Any] = {}
    for key, value in values.items():
        if key in ("verbose", "no_color", "all_namespaces"):
            if value:
                changes[key] = True
        elif value is not None:
            changes[key] = parse_timeout(value) if key == "timeout" else value
    return replace(base, **changes)


def root_options(**values: Any) -> GlobalOptions:
    """GlobalOptions from the root callback's parameters."""
    return merge(None, values)


def with_globals(*, all_namespaces: bool = False, output: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a command the global options and pass it the merged `GlobalOptions`.

    The decorated function's first parameter receives the `GlobalOptions`; its
    other parameters stay typer parameters.

    Args:
        all_namespaces: also accept `-A/--all-namespaces`.
        output: also accept `-o/--output`.
    """
    extra = {k: v for k, v in EXTRA_PARAMS.items()
             if (k == "all_namespaces" and all_namespaces) or (k == "output" and output)}
    declared = {**ROOT_PARAMS, **extra}

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        sig = inspect.signature(fn)
        # Resolve string annotations (`from __future__ import annotations`) in
        # the command's own module: typer reads them from the new signature.
        hints = typing.get_type_hints(fn, include_extras=True)
        own = list(sig.parameters.values())[1:]
        params = [inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)]
        params += [p.replace(kind=inspect.Parameter.KEYWORD_ONLY, annotation=hints.get(p.name, p.annotation))
                   for p in own]
        params += [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=ann, default=default)
                   for name, (ann, default) in declared.items()]

        @functools.wraps(fn)
        def wrapper(**kwargs: Any) -> Any:
            ctx: typer.Context = kwargs.pop("ctx")
            globals_ = {name: kwargs.pop(name) for name in declared}
            root = ctx.find_root().obj if isinstance(ctx.find_root().obj, GlobalOptions) else None
            return fn(merge(root, globals_), **kwargs)

        wrapper.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in params}
        return wrapper

    return decorate
