"""Serve the API emulator for a command, seeded with objects from YAML files.

    python -m tests.apiserver.serve [--seed DIR_OR_FILE]... -- COMMAND [ARGS]...

Starts the emulator with the Flux CRDs installed, stores every object found in
the seed files (status included, as a recording of a cluster), runs COMMAND
with KUBECONFIG pointing at the emulator, then stops. Each `--` separates
another command run against the same emulator. The exit code is the first
non-zero one. Used by examples/demo.sh and bench/.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from tests.apiserver import ApiServer


def seed_objects(paths: Sequence[str]) -> Iterator[dict[str, Any]]:
    """Every object in the YAML files at `paths` (files, or folders read in name order)."""
    for entry in paths:
        path = Path(entry)
        files = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")) if path.is_dir() else [path]
        for file in files:
            for doc in yaml.safe_load_all(file.read_text()):
                if isinstance(doc, dict) and doc.get("kind"):
                    yield doc


def split_commands(argv: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    """Options before the first `--`, then one argument list per command."""
    parts: list[list[str]] = [[]]
    for arg in argv:
        if arg == "--":
            parts.append([])
        else:
            parts[-1].append(arg)
    return parts[0], [p for p in parts[1:] if p]


def main(argv: Sequence[str] | None = None) -> int:
    opts, commands = split_commands(list(sys.argv[1:] if argv is None else argv))
    parser = argparse.ArgumentParser(prog="python -m tests.apiserver.serve")
    parser.add_argument("--seed", action="append", default=[], help="YAML file or folder of objects to store")
    parser.add_argument("--echo", action="store_true", help="print each command before running it")
    args = parser.parse_args(opts)
    with tempfile.TemporaryDirectory(prefix="fluxpy-emulator-") as tmp:
        srv = ApiServer(tmp)
        srv.start()
        try:
            srv.install_flux_crds()
            for ns in ("default", "kube-system", "flux-system"):
                if srv.object("v1", "Namespace", None, ns) is None:
                    srv.seed({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
            for obj in seed_objects(args.seed):
                srv.seed(obj)
            env = {**os.environ, "KUBECONFIG": str(srv.kubeconfig)}
            code = 0
            for command in commands:
                if args.echo:
                    print(f"$ {' '.join(command)}", flush=True)
                result = subprocess.run(command, env=env, check=False).returncode
                code = code or result
                if args.echo:
                    print(flush=True)
            return code
        finally:
            srv.stop()


if __name__ == "__main__":
    raise SystemExit(main())
