"""Fixtures for CLI tests: run fluxpy in process with exact captured output."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from tests.cli.helpers import Result


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Keep discovery caches out of the developer's home.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def fluxpy(capsys: pytest.CaptureFixture[str], kubeconfig: Path) -> Callable[..., Result]:
    """Run fluxpy in this process against the test's API emulator; stdout is not a terminal."""
    from fluxpy.main import main

    def invoke(*args: str, kubeconfig_path: Path | None = None) -> Result:
        argv: Sequence[str] = [*args, "--kubeconfig", str(kubeconfig_path or kubeconfig)]
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke
