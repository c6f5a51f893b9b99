"""`fluxpy completion bash|zsh|fish`: print a shell completion script.

Load it with `source <(fluxpy completion bash)`, or install the copies kept
in the repository's completions/ folder.
"""

from enum import Enum
from typing import Annotated

import typer


class Shell(str, Enum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


def completion(shell: Annotated[Shell, typer.Argument(help="The shell: bash, zsh or fish.")]) -> None:
    """Print the shell completion script for bash, zsh or fish."""
    import sys

    from fluxpy.cli.app import command
    from fluxpy.cli.completion_scripts import generate

    sys.stdout.write(generate(shell.value, command()))
