"""Command groups whose subcommands are kinds (`get`, `suspend`, `resume`).

An unknown kind there is not a typo in the command line's shape but a request
for something fluxpy does not know, like `kubectl get foo`: it is reported as
`unknown kind "foo"` with the kinds that exist, and exits 1 (not the usage
code 2).
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperGroup

from fluxpy.kube.errors import UnknownKindError


class KindGroup(TyperGroup):
    """A typer group that reports unknown subcommands as unknown kinds."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            known = ", ".join(n for n, c in self.commands.items() if not getattr(c, "hidden", False))
            raise UnknownKindError(f'{ctx.command_path}: unknown kind "{name}"',
                                   hint=f"use one of: {known}")
        return super().resolve_command(ctx, args)
