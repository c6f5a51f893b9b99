"""What a command needs from its global options: a terminal and a cluster.

Kept apart so commands stay thin and the cluster layer is imported only by
commands that use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fluxpy.cli.options import GlobalOptions
from fluxpy.render.terminal import Terminal

if TYPE_CHECKING:
    from fluxpy.kube.client import Kube


def terminal(g: GlobalOptions) -> Terminal:
    """The process's terminal, honouring --no-color and NO_COLOR."""
    return Terminal.detect(no_color=g.no_color)


def connect(g: GlobalOptions) -> Kube:
    """A cluster client from --kubeconfig / --context, with --timeout bounding each request."""
    from fluxpy.kube.client import Kube

    return Kube.connect(kubeconfig=g.kubeconfig, context=g.context, timeout=min(g.timeout, 30.0))
