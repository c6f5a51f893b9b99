"""Command groups whose subcommands are kinds (`get`, `suspend`, `resume`).

Two jobs. Aliases (`ks`, `kustomization`, `source`, ...) are resolved here
rather than registered as hidden copies of each command: typer builds every
registered command at start-up, so copies would cost start-up time. And an
unknown kind is not a malformed command line but a request for something
fluxpy does not know, like `kubectl get foo`: it is reported as
`unknown kind "foo"` with the kinds that exist, and exits 1 (not the usage
code 2).
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperGroup

from fluxpy.kube.errors import UnknownKindError

# Words that name the same kind; a group registers one of them.
ALIAS_SETS: tuple[frozenset[str], ...] = (
    frozenset({"kustomizations", "kustomization", "ks"}),
    frozenset({"helmreleases", "helmrelease", "hr"}),
    frozenset({"alerts", "alert"}),
    frozenset({"alert-providers", "alert-provider"}),
    frozenset({"receivers", "receiver"}),
    frozenset({"sources", "source"}),
    frozenset({"images", "image"}),
)


def aliases_of(name: str) -> list[str]:
    """The other words for a registered command name, sorted."""
    for words in ALIAS_SETS:
        if name in words:
            return sorted(words - {name})
    return []


class KindGroup(TyperGroup):
    """A typer group that resolves kind aliases and reports unknown kinds."""

    def aliases(self) -> dict[str, str]:
        """Alias -> registered command name, for this group's commands."""
        return {alias: name for name in self.commands for alias in aliases_of(name)}

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in self.aliases():
            command = super().get_command(ctx, self.aliases()[cmd_name])
        return command

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            known = ", ".join(self.commands)
            raise UnknownKindError(f'{ctx.command_path}: unknown kind "{name}"', hint=f"use one of: {known}")
        return super().resolve_command(ctx, args)
