"""`fluxpy version`: the fluxpy release, the Flux API it speaks, the Python it runs on.

The plain forms are answered by `version_info.fast_path` before typer loads;
this command serves the rest (e.g. `fluxpy -v version`) with the same text.
"""

from fluxpy.cli import version_info
from fluxpy.cli.options import GlobalOptions, with_globals
from fluxpy.render.terminal import Terminal


@with_globals(output=True)
def version(g: GlobalOptions) -> None:
    """Print the fluxpy version."""
    term = Terminal.detect(no_color=g.no_color)
    term.out.write(version_info.render(g.output.value))
