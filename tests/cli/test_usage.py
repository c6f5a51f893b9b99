"""Command-line mistakes: one line on stderr, the right exit code, no traceback.

Covers: unknown option and command (exit 2); unknown kind under get, suspend
and resume (exit 1, like kubectl); bad --timeout; suspend with both names and
--all or with neither; bad --status-selector.
"""

from __future__ import annotations

import pytest

from tests.cli.helpers import run_cli


@pytest.mark.parametrize(("args", "code", "fragment"), [
    (["get", "ks", "--bogus"], 2, "No such option: --bogus"),
    (["frobnicate"], 2, "No such command 'frobnicate'"),
    (["get", "foo"], 1, 'unknown kind "foo"'),
    (["get", "sources", "tarball"], 1, 'unknown kind "tarball"'),
    (["suspend", "foo", "x"], 1, 'unknown kind "foo"'),
    (["resume", "image", "foo"], 1, 'unknown kind "foo"'),
    (["get", "ks", "--timeout", "5x"], 2, "--timeout"),
    (["suspend", "ks"], 2, "name the Kustomization objects to suspend"),
    (["resume", "ks", "a", "--all"], 2, "not both"),
    (["get", "ks", "--status-selector", "ready"], 2, "TYPE=STATUS"),
])
def test_mistake_gives_one_line_and_exit_code(args: list[str], code: int, fragment: str) -> None:
    result = run_cli([*args, "--kubeconfig", "/nonexistent/kubeconfig"])
    assert result.code == code, result.err
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("✗ ")
    assert fragment in lines[0]
