"""Parity of our kustomize engine with real kustomize v5.8.1, case by case.

Each directory under corpus/ is a kustomization tree (the build root is the
case directory) with `case.yaml` (a one-line description and the features it
exercises) and the oracle's verdict, written by regen_corpus.py, never by hand:
`expected.yaml` (the exact bytes `kubectl kustomize` printed) or
`expected-error.txt` (its error) plus `expected-error-key.txt` (one or more
hand-picked substrings of that error, one per line, that our message must
contain).

Covered:
- every building case: `build_text(case)` returns exactly the bytes of expected.yaml;
- every refused case: `build_text(case)` raises BuildError with a one-line
  message holding each key phrase;
- a case needing a feature that corpus/SUPPORT.yaml marks unsupported is
  SKIPPED with "not yet supported: <features>", and every case is skipped
  while fluxpy.kustomize.build does not exist; nothing is ever xfailed;
- the corpus is complete and consistent (counts, files, known features, key
  phrases present in the oracle's text);
- the stored expectations are what the oracle prints today, for three random
  cases per run (KUSTOMIZE_ORACLE_CASES=all checks every case).
"""

from __future__ import annotations

import difflib
import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from fluxpy.kustomize.errors import BuildError
from tests.kustomize import regen_corpus

CORPUS = regen_corpus.CORPUS
CASES = regen_corpus.cases()
SUPPORT_FILE = CORPUS / "SUPPORT.yaml"
MIN_CASES = 70
MIN_ERROR_CASES = 12
DIFF_LINES = 80

BuildText = Callable[[Path], str]


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def support() -> dict[str, bool]:
    data = load_yaml(SUPPORT_FILE)
    assert isinstance(data, dict) and all(isinstance(v, bool) for v in data.values()), \
        f"{SUPPORT_FILE} must map feature names to true/false"
    return data


def case_features(case: Path) -> list[str]:
    meta = load_yaml(case / "case.yaml")
    return list(meta.get("features") or [])


def key_phrases(case: Path) -> list[str]:
    lines = (case / "expected-error-key.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip()]


def skip_unsupported(case: Path) -> None:
    supported = support()
    missing = [f for f in case_features(case) if not supported.get(f, False)]
    if missing:
        pytest.skip(f"not yet supported: {', '.join(missing)}")
    gap = load_yaml(case / "case.yaml").get("gap")
    if gap:
        # A known engine bug, named in case.yaml, so that one bug does not
        # switch off every other case of its feature.
        pytest.skip(f"known gap: {gap}")


def byte_diff(expected: str, actual: str) -> str:
    diff = list(difflib.unified_diff(expected.splitlines(keepends=True), actual.splitlines(keepends=True),
                                     "expected.yaml (kustomize)", "fluxpy", n=2))
    if not diff and expected != actual:
        return f"same lines, different bytes (line endings or final newline): {expected[-20:]!r} vs {actual[-20:]!r}"
    shown = "".join(diff[:DIFF_LINES])
    return shown + (f"\n... {len(diff) - DIFF_LINES} more diff lines" if len(diff) > DIFF_LINES else "")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_build_output_is_byte_identical_to_kustomize(case: Path, engine: BuildText) -> None:
    skip_unsupported(case)
    expected_file = case / regen_corpus.EXPECTED
    if expected_file.exists():
        expected = expected_file.read_bytes().decode("utf-8")
        actual = engine(case)
        assert actual.encode("utf-8") == expected.encode("utf-8"), \
            f"{case.name}: output differs from kustomize\n{byte_diff(expected, actual)}"
        return
    phrases = key_phrases(case)
    try:
        out = engine(case)
    except BuildError as err:
        message = str(err)
        assert "\n" not in message, f"{case.name}: the error is not one line: {message!r}"
        absent = [p for p in phrases if p not in message]
        assert not absent, f"{case.name}: error {message!r} lacks {absent!r} (kustomize: " \
                           f"{(case / regen_corpus.EXPECTED_ERROR).read_text(encoding='utf-8').strip()!r})"
        return
    pytest.fail(f"{case.name}: kustomize refuses this tree but the engine built {len(out)} characters")


def test_corpus_has_enough_building_and_refused_cases() -> None:
    refused = [c for c in CASES if (c / regen_corpus.EXPECTED_ERROR).exists()]
    assert len(CASES) >= MIN_CASES, f"only {len(CASES)} cases"
    assert len(refused) >= MIN_ERROR_CASES, f"only {len(refused)} refused cases"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_is_complete(case: Path) -> None:
    meta = load_yaml(case / "case.yaml")
    assert isinstance(meta, dict) and {"description", "features"} <= set(meta) <= {"description", "features", "gap"}, \
        f"{case.name}/case.yaml must hold description and features (and optionally gap)"
    assert isinstance(meta["description"], str) and meta["description"].strip()
    assert meta["features"], f"{case.name}/case.yaml lists no features"
    unknown = set(meta["features"]) - set(support())
    assert not unknown, f"{case.name} uses features missing from SUPPORT.yaml: {sorted(unknown)}"
    assert any((case / name).exists() for name in ("kustomization.yaml", "kustomization.yml", "Kustomization"))
    has_output = (case / regen_corpus.EXPECTED).exists()
    has_error = (case / regen_corpus.EXPECTED_ERROR).exists()
    assert has_output != has_error, f"{case.name} needs exactly one of expected.yaml / expected-error.txt " \
                                    "(run tests/kustomize/regen_corpus.py)"
    if has_error:
        assert "errors" in meta["features"], f"{case.name} is refused by kustomize but lacks the errors feature"
        error = (case / regen_corpus.EXPECTED_ERROR).read_text(encoding="utf-8")
        phrases = key_phrases(case)
        assert phrases, f"{case.name}/expected-error-key.txt is empty"
        assert all(p in error for p in phrases), f"{case.name}: a key phrase is not in the oracle's error"
    else:
        assert not (case / "expected-error-key.txt").exists(), f"{case.name} builds but has an error key"


def test_every_supported_feature_is_exercised_by_a_case() -> None:
    used = {f for case in CASES for f in case_features(case)}
    assert set(support()) <= used, f"features with no case: {sorted(set(support()) - used)}"


def test_stored_expectations_match_the_oracle_for_random_cases(
        oracle: Callable[[Path], regen_corpus.Outcome]) -> None:
    chosen = CASES if os.environ.get("KUSTOMIZE_ORACLE_CASES") == "all" else random.sample(CASES, 3)
    stale = [case.name for case in chosen if oracle(case) != regen_corpus.stored(case)]
    assert not stale, f"stale expectations (run tests/kustomize/regen_corpus.py): {stale}"
