"""Masterminds semver v3.4 semantics as Flux uses them (`fluxpy.semver`).

Covers: lenient (`NewVersion`) and strict (`StrictNewVersion`) parsing, ported
from Masterminds' version_test.go; canonical strings and `original`; ordering
(`Compare`, `GreaterThan`), prerelease precedence and ignored build metadata;
Flux's tag parsing (`fluxcd/pkg/version.ParseVersion`: two dots needed);
comparator and range checks ported from constraints_test.go (single
comparators, AND/OR groups, wildcards, tilde, caret, hyphen ranges,
`IncludePrerelease`), range rewriting, the normalised range string and
rejected ranges; the FLUX-COMPAT §12 ImagePolicy facts; `latest` tie-breaking
for ImagePolicy (first wins) and GitRepository (newest commit wins); the
range-validation regex agreeing with Go's original on random input; and the
cost of picking the latest of 100,000 tags.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

import pytest

from fluxpy import semver
from fluxpy.semver import (
    Constraint,
    SemverError,
    Version,
    latest,
    parse,
    parse_image_tag,
)
from tests.semver.tagsets import mixed_tags

# --- version_test.go: TestStrictNewVersion ------------------------------------
STRICT_CASES = [
    ("1.2.3", True),
    ("1.2.3-alpha.01", False),
    ("1.2.3+test.01", True),
    ("1.2.3-alpha.-1", True),
    ("v1.2.3", False),
    ("1.0", False),
    ("v1.0", False),
    ("1", False),
    ("v1", False),
    ("1.2", False),
    ("1.2.beta", False),
    ("v1.2.beta", False),
    ("foo", False),
    ("1.2-5", False),
    ("v1.2-5", False),
    ("1.2-beta.5", False),
    ("v1.2-beta.5", False),
    ("\n1.2", False),
    ("\nv1.2", False),
    ("1.2.0-x.Y.0+metadata", True),
    ("v1.2.0-x.Y.0+metadata", False),
    ("1.2.0-x.Y.0+metadata-width-hypen", True),
    ("v1.2.0-x.Y.0+metadata-width-hypen", False),
    ("1.2.3-rc1-with-hypen", True),
    ("v1.2.3-rc1-with-hypen", False),
    ("1.2.3.4", False),
    ("v1.2.3.4", False),
    ("1.2.2147483648", True),
    ("1.2147483648.3", True),
    ("2147483648.3.0", True),
    ("20221209-update-renovatejson-v4", False),
    ("1.1.2+.123", False),
    ("1.0.0-alpha_beta", False),
    ("1.0.0-alpha..", False),
    ("1.0.0-alpha..1", False),
    ("01.1.1", False),
    ("1.01.1", False),
    ("1.1.01", False),
    ("9.8.7+meta+meta", False),
    ("1.2.31----RC-SNAPSHOT.12.09.1--.12+788", False),
    ("1.2.3-0123", False),
    ("1.2.3-0123.0123", False),
    ("+invalid", False),
    ("-invalid", False),
    ("-invalid.01", False),
    ("alpha+beta", False),
    ("1.2.3-alpha_beta+foo", False),
    # Beyond the Go table: empty text, uint64 bounds, empty metadata.
    ("", False),
    ("18446744073709551615.0.0", True),
    ("18446744073709551616.0.0", False),
    ("1.2.3+", False),
    ("1.2.3-", False),
]

# --- version_test.go: TestNewVersion "With loose NewVersion" ------------------
LENIENT_CASES = [
    ("1.2.3", True),
    ("1.2.3-alpha.01", False),
    ("1.2.3+test.01", True),
    ("1.2.3-alpha.-1", True),
    ("v1.2.3", True),
    ("1.0", True),
    ("v1.0", True),
    ("1", True),
    ("v1", True),
    ("1.2.beta", False),
    ("v1.2.beta", False),
    ("foo", False),
    ("1.2-5", True),
    ("v1.2-5", True),
    ("1.2-beta.5", True),
    ("v1.2-beta.5", True),
    ("\n1.2", False),
    ("\nv1.2", False),
    ("1.2.0-x.Y.0+metadata", True),
    ("v1.2.0-x.Y.0+metadata", True),
    ("1.2.0-x.Y.0+metadata-width-hypen", True),
    ("v1.2.0-x.Y.0+metadata-width-hypen", True),
    ("1.2.3-rc1-with-hypen", True),
    ("v1.2.3-rc1-with-hypen", True),
    ("1.2.3.4", False),
    ("v1.2.3.4", False),
    ("1.2.2147483648", True),
    ("1.2147483648.3", True),
    ("2147483648.3.0", True),
    ("12.3.4.1234", False),
    ("12.23.4.1234", False),
    ("12.3.34.1234", False),
    ("20221209-update-renovatejson-v4", True),
    ("1.1.2+.123", False),
    ("1.0.0-alpha_beta", False),
    ("1.0.0-alpha..", False),
    ("1.0.0-alpha..1", False),
    ("9.8.7+meta+meta", False),
    ("1.2.31----RC-SNAPSHOT.12.09.1--.12+788", False),
    ("01.1.1", True),
    ("1.01.1", True),
    ("1.1.01", True),
    # Beyond the Go table: Go's `$` does not match before a trailing newline,
    # upper-case V is no prefix, uint64 overflow.
    ("1.2.3\n", False),
    ("V1.2.3", False),
    ("", False),
    ("99999999999999999999.0.0", False),
    ("00000000000000000000000001.0.0", True),
]

# --- version_test.go: TestCoerceString ----------------------------------------
CANONICAL_CASES = [
    ("1.2.3", "1.2.3"),
    ("v1.2.3", "1.2.3"),
    ("1.0", "1.0.0"),
    ("v1.0", "1.0.0"),
    ("1", "1.0.0"),
    ("v1", "1.0.0"),
    ("1.2-5", "1.2.0-5"),
    ("v1.2-5", "1.2.0-5"),
    ("1.2-beta.5", "1.2.0-beta.5"),
    ("v1.2-beta.5", "1.2.0-beta.5"),
    ("1.2.0-x.Y.0+metadata", "1.2.0-x.Y.0+metadata"),
    ("v1.2.0-x.Y.0+metadata", "1.2.0-x.Y.0+metadata"),
    ("1.2.0-x.Y.0+metadata-width-hypen", "1.2.0-x.Y.0+metadata-width-hypen"),
    ("v1.2.0-x.Y.0+metadata-width-hypen", "1.2.0-x.Y.0+metadata-width-hypen"),
    ("1.2.3-rc1-with-hypen", "1.2.3-rc1-with-hypen"),
    ("v1.2.3-rc1-with-hypen", "1.2.3-rc1-with-hypen"),
    ("v2025.02.03-rc.1", "2025.2.3-rc.1"),
    ("20221209-update-renovatejson-v4", "20221209.0.0-update-renovatejson-v4"),
]

# --- version_test.go: TestCompare, TestGreaterThan ----------------------------
COMPARE_CASES = [
    ("1.2.3", "1.5.1", -1),
    ("2.2.3", "1.5.1", 1),
    ("2.2.3", "2.2.2", 1),
    ("3.2-beta", "3.2-beta", 0),
    ("1.3", "1.1.4", 1),
    ("4.2", "4.2-beta", 1),
    ("4.2-beta", "4.2", -1),
    ("4.2-alpha", "4.2-beta", -1),
    ("4.2-alpha", "4.2-alpha", 0),
    ("4.2-beta.2", "4.2-beta.1", 1),
    ("4.2-beta2", "4.2-beta1", 1),
    ("4.2-beta", "4.2-beta.2", -1),
    ("4.2-beta", "4.2-beta.foo", -1),
    ("4.2-beta.2", "4.2-beta", 1),
    ("4.2-beta.foo", "4.2-beta", 1),
    ("1.2+bar", "1.2+baz", 0),
    ("1.0.0-beta.4", "1.0.0-beta.-2", -1),
    ("1.0.0-beta.-2", "1.0.0-beta.-3", -1),
    ("1.0.0-beta.-3", "1.0.0-beta.5", 1),
    ("3.2.0-beta.1", "3.2.0-beta.5", -1),
    ("3.2-beta.4", "3.2-beta.2", 1),
    ("7.43.0-SNAPSHOT.99", "7.43.0-SNAPSHOT.103", -1),
    ("7.43.0-SNAPSHOT.FOO", "7.43.0-SNAPSHOT.103", 1),
    ("7.43.0-SNAPSHOT.99", "7.43.0-SNAPSHOT.BAR", -1),
    # Beyond the Go table: SemVer 2.0 §11's example chain, leading zeros,
    # a `v` prefix, and an identifier too big for uint64 comparing as text.
    ("1.0.0-alpha", "1.0.0-alpha.1", -1),
    ("1.0.0-alpha.1", "1.0.0-alpha.beta", -1),
    ("1.0.0-alpha.beta", "1.0.0-beta", -1),
    ("1.0.0-beta", "1.0.0-beta.2", -1),
    ("1.0.0-beta.2", "1.0.0-beta.11", -1),
    ("1.0.0-beta.11", "1.0.0-rc.1", -1),
    ("1.0.0-rc.1", "1.0.0", -1),
    ("1.0.0-RC", "1.0.0-rc", -1),
    ("01.02.03", "1.2.3", 0),
    ("v1.0.0", "1.0.0+build.7", 0),
    ("1.0.0-99999999999999999999", "1.0.0-a", -1),
    ("1.0.0-99999999999999999999", "1.0.0-18446744073709551615", 1),
]

# --- constraints_test.go: TestConstraintCheck (single comparators) -------------
# Go checks these through parseConstraint with prereleases admitted exactly
# when the comparator names one, which is what a one-comparator range does.
COMPARATOR_CASES = [
    ("=2.0.0", "1.2.3", False),
    ("=2.0.0", "2.0.0", True),
    ("=2.0", "1.2.3", False),
    ("=2.0", "2.0.0", True),
    ("=2.0", "2.0.1", True),
    ("4.1", "4.1.0", True),
    ("!=4.1.0", "4.1.0", False),
    ("!=4.1.0", "4.1.1", True),
    ("!=4.1", "4.1.0", False),
    ("!=4.1", "4.1.1", False),
    ("!=4.1", "5.1.0-alpha.1", False),
    ("!=4.1.0", "5.1.0-alpha.1", False),
    ("!=4.1-alpha", "4.1.0", True),
    ("!=4.1", "5.1.0", True),
    ("<11", "0.1.0", True),
    ("<11", "11.1.0", False),
    ("<1.1", "0.1.0", True),
    ("<1.1", "1.1.0", False),
    ("<1.1", "1.1.1", False),
    ("<=11", "1.2.3", True),
    ("<=11", "12.2.3", False),
    ("<=11", "11.2.3", True),
    ("<=1.1", "1.2.3", False),
    ("<=1.1", "0.1.0", True),
    ("<=1.1", "1.1.0", True),
    ("<=1.1", "1.1.1", True),
    (">1.1", "4.1.0", True),
    (">1.1", "1.1.0", False),
    (">0", "0", False),
    (">0", "1", True),
    (">0", "0.0.1-alpha", False),
    (">0.0", "0.0.1-alpha", False),
    (">0-0", "0.0.1-alpha", False),
    (">0.0-0", "0.0.1-alpha", False),
    (">0", "0.0.0-alpha", False),
    (">0-0", "0.0.0-alpha", False),
    (">0.0.0-0", "0.0.0-alpha", True),
    (">1.2.3-alpha.1", "1.2.3-alpha.2", True),
    (">1.2.3-alpha.1", "1.3.3-alpha.2", True),
    (">11", "11.1.0", False),
    (">11.1", "11.1.0", False),
    (">11.1", "11.1.1", False),
    (">11.1", "11.2.1", True),
    (">=11", "11.1.2", True),
    (">=11.1", "11.1.2", True),
    (">=11.1", "11.0.2", False),
    (">=1.1", "4.1.0", True),
    (">=1.1", "1.1.0", True),
    (">=1.1", "0.0.9", False),
    (">=0", "0.0.1-alpha", False),
    (">=0.0", "0.0.1-alpha", False),
    (">=0-0", "0.0.1-alpha", True),
    (">=0.0-0", "0.0.1-alpha", True),
    (">=0", "0.0.0-alpha", False),
    (">=0-0", "0.0.0-alpha", True),
    (">=0.0.0-0", "0.0.0-alpha", True),
    (">=0.0.0-0", "1.2.3", True),
    (">=0.0.0-0", "3.4.5-beta.1", True),
    ("<0", "0.0.0-alpha", False),
    ("<0-z", "0.0.0-alpha", True),
    (">=0", "0", True),
    ("=0", "1", False),
    ("*", "1", True),
    ("*", "4.5.6", True),
    ("*", "1.2.3-alpha.1", False),
    ("*-0", "1.2.3-alpha.1", True),
    ("2.*", "1", False),
    ("2.*", "3.4.5", False),
    ("2.*", "2.1.1", True),
    ("2.1.*", "2.1.1", True),
    ("2.1.*", "2.2.1", False),
    ("2", "1", False),
    ("2", "3.4.5", False),
    ("2", "2.1.1", True),
    ("2.1", "2.1.1", True),
    ("2.1", "2.2.1", False),
    ("~1.2.3", "1.2.4", True),
    ("~1.2.3", "1.3.4", False),
    ("~1.2", "1.2.4", True),
    ("~1.2", "1.3.4", False),
    ("~1", "1.2.4", True),
    ("~1", "2.3.4", False),
    ("~0.2.3", "0.2.5", True),
    ("~0.2.3", "0.3.5", False),
    ("~1.2.3-beta.2", "1.2.3-beta.4", True),
    ("~1.2.3-beta.2", "1.2.4-beta.2", True),
    ("~1.2.3-beta.2", "1.3.4-beta.2", False),
    ("^1.2.3", "1.8.9", True),
    ("^1.2.3", "2.8.9", False),
    ("^1.2.3", "1.2.1", False),
    ("^1.1.0", "2.1.0", False),
    ("^1.2.0", "2.2.1", False),
    ("^1.2.0", "1.2.1-alpha.1", False),
    ("^1.2.0-alpha.0", "1.2.1-alpha.1", True),
    ("^1.2.0-alpha.0", "1.2.1-alpha.0", True),
    ("^1.2.0-alpha.2", "1.2.0-alpha.1", False),
    ("^1.2", "1.8.9", True),
    ("^1.2", "2.8.9", False),
    ("^1", "1.8.9", True),
    ("^1", "2.8.9", False),
    ("^0.2.3", "0.2.5", True),
    ("^0.2.3", "0.5.6", False),
    ("^0.2", "0.2.5", True),
    ("^0.2", "0.5.6", False),
    ("^0.0.3", "0.0.3", True),
    ("^0.0.3", "0.0.4", False),
    ("^0.0", "0.0.3", True),
    ("^0.0", "0.1.4", False),
    ("^0.0", "1.0.4", False),
    ("^0", "0.2.3", True),
    ("^0", "1.1.4", False),
    ("^0.2.3-beta.2", "0.2.3-beta.4", True),
    ("^0.2.3-beta.2", "0.2.4-beta.2", True),
    ("^0.2.3-beta.2", "0.3.4-beta.2", False),
    ("^0.2.3-beta.2", "0.2.3-beta.2", True),
]

# --- constraints_test.go: TestConstraintsCheck (whole ranges) -----------------
RANGE_CASES = [
    ("*", "1.2.3", True),
    ("~0.0.0", "1.2.3", True),
    ("0.x.x", "1.2.3", False),
    ("0.0.x", "1.2.3", False),
    ("0.0.0", "1.2.3", False),
    ("^0.0.0", "1.2.3", False),
    ("= 2.0", "1.2.3", False),
    ("= 2.0", "2.0.0", True),
    ("4.1", "4.1.0", True),
    ("4.1.x", "4.1.3", True),
    ("1.x", "1.4", True),
    ("!=4.1", "4.1.0", False),
    ("!=4.1-alpha", "4.1.0-alpha", False),
    ("!=4.1-alpha", "4.1.1-alpha", False),
    ("!=4.1-alpha", "4.1.0", True),
    ("!=4.1", "5.1.0", True),
    ("!=4.x", "5.1.0", True),
    ("!=4.x", "4.1.0", False),
    ("!=4.1.x", "4.2.0", True),
    ("!=4.2.x", "4.2.3", False),
    (">1.1", "4.1.0", True),
    (">1.1", "1.1.0", False),
    ("<1.1", "0.1.0", True),
    ("<1.1", "1.1.0", False),
    ("<1.1", "1.1.1", False),
    ("<1.x", "1.1.1", False),
    ("<1.x", "0.1.1", True),
    ("<1.x", "2.0.0", False),
    ("<1.1.x", "1.2.1", False),
    ("<1.1.x", "1.1.500", False),
    ("<1.1.x", "1.0.500", True),
    ("<1.2.x", "1.1.1", True),
    (">=1.1", "4.1.0", True),
    (">=1.1", "4.1.0-beta", False),
    (">=1.1", "1.1.0", True),
    (">=1.1", "0.0.9", False),
    ("<=1.1", "0.1.0", True),
    ("<=1.1", "0.1.0-alpha", False),
    ("<=1.1-a", "0.1.0-alpha", True),
    ("<=1.1", "1.1.0", True),
    ("<=1.x", "1.1.0", True),
    ("<=2.x", "3.0.0", False),
    ("<=1.1", "1.1.1", True),
    ("<=1.1.x", "1.2.500", False),
    ("<=4.5", "3.4.0", True),
    ("<=4.5", "3.7.0", True),
    ("<=4.5", "4.6.3", False),
    (">1.1, <2", "1.1.1", False),
    (">1.1, <2", "1.2.1", True),
    (">1.1, <3", "4.3.2", False),
    (">=1.1, <2, !=1.2.3", "1.2.3", False),
    (">1.1 <2", "1.1.1", False),
    (">1.1 <2", "1.2.1", True),
    (">1.1    <3", "4.3.2", False),
    (">=1.1    <2    !=1.2.3", "1.2.3", False),
    (">=1.1, <2, !=1.2.3 || > 3", "4.1.2", True),
    (">=1.1, <2, !=1.2.3 || > 3", "3.1.2", False),
    (">=1.1, <2, !=1.2.3 || >= 3", "3.0.0", True),
    (">=1.1, <2, !=1.2.3 || > 3", "3.0.0", False),
    (">=1.1, <2, !=1.2.3 || > 3", "1.2.3", False),
    (">=1.1 <2 !=1.2.3", "1.2.3", False),
    (">=1.1 <2 !=1.2.3 || > 3", "4.1.2", True),
    (">=1.1 <2 !=1.2.3 || > 3", "3.1.2", False),
    (">=1.1 <2 !=1.2.3 || >= 3", "3.0.0", True),
    (">=1.1 <2 !=1.2.3 || > 3", "3.0.0", False),
    (">=1.1 <2 !=1.2.3 || > 3", "1.2.3", False),
    ("> 1.1, <     2", "1.1.1", False),
    (">   1.1, <2", "1.2.1", True),
    (">1.1, <  3", "4.3.2", False),
    (">= 1.1, <     2, !=1.2.3", "1.2.3", False),
    ("> 1.1 < 2", "1.1.1", False),
    (">1.1 < 2", "1.2.1", True),
    ("> 1.1    <3", "4.3.2", False),
    (">=1.1    < 2    != 1.2.3", "1.2.3", False),
    (">= 1.1, <2, !=1.2.3 || > 3", "4.1.2", True),
    (">= 1.1, <2, != 1.2.3 || > 3", "3.1.2", False),
    (">= 1.1, <2, != 1.2.3 || >= 3", "3.0.0", True),
    (">= 1.1, <2, !=1.2.3 || > 3", "3.0.0", False),
    (">= 1.1, <2, !=1.2.3 || > 3", "1.2.3", False),
    (">= 1.1 <2 != 1.2.3", "1.2.3", False),
    (">= 1.1 <2 != 1.2.3 || > 3", "4.1.2", True),
    (">= 1.1 <2 != 1.2.3 || > 3", "3.1.2", False),
    (">= 1.1 <2 != 1.2.3 || >= 3", "3.0.0", True),
    (">= 1.1 < 2 !=1.2.3 || > 3", "3.0.0", False),
    (">=1.1 < 2 !=1.2.3 || > 3", "1.2.3", False),
    (">= 1.0.0  <= 2.0.0-beta", "1.0.1-beta", True),
    (">= 1.0.0  <= 2.0.0-beta", "1.0.1", True),
    (">= 1.0.0  <= 2.0.0-beta", "3.0.0", False),
    (">= 1.0.0  <= 2.0.0-beta || > 3", "1.0.1-beta", True),
    (">= 1.0.0  <= 2.0.0-beta || > 3", "3.0.1-beta", False),
    (">= 1.0.0  <= 2.0.0-beta != 1.0.1 || > 3", "1.0.1-beta", True),
    (">= 1.0.0  <= 2.0.0-beta != 1.0.1-beta || > 3", "1.0.1-beta", False),
    (">= 1.0.0-0  <= 2.0.0", "1.0.1-beta", True),
    ("1.1 - 2", "1.1.1", True),
    ("1.5.0 - 4.5", "3.7.0", True),
    ("1.1-3", "4.3.2", False),
    ("^1.1", "1.1.1", True),
    ("^1.1", "4.3.2", False),
    ("^1.x", "1.1.1", True),
    ("^2.x", "1.1.1", False),
    ("^1.x", "2.1.1", False),
    ("^1.x", "1.1.1-beta1", False),
    ("^1.1.2-alpha", "1.2.1-beta1", True),
    ("^1.2.x-alpha", "1.1.1-beta1", False),
    ("^0.0.1", "0.0.1", True),
    ("^0.0.1", "0.3.1", False),
    ("~*", "2.1.1", True),
    ("~1", "2.1.1", False),
    ("~1", "1.3.5", True),
    ("~1", "1.4", True),
    ("~1.x", "2.1.1", False),
    ("~1.x", "1.3.5", True),
    ("~1.x", "1.4", True),
    ("~1.1", "1.1.1", True),
    ("~1.1", "1.1.1-alpha", False),
    ("~1.1-alpha", "1.1.1-beta", True),
    ("~1.1.1-beta", "1.1.1-alpha", False),
    ("~1.1.1-beta", "1.1.1", True),
    ("~1.2.3", "1.2.5", True),
    ("~1.2.3", "1.2.2", False),
    ("~1.2.3", "1.3.2", False),
    ("~1.1", "1.2.3", False),
    ("~1.3", "2.4.5", False),
    ("1.0.0 - 2.0.0 <=2.0.0", "1.5.0", True),
    ("1.0.0 - 2.0.0, <=2.0.0", "1.5.0", True),
    # From TestConstraintsValidate (the same verdicts through Check).
    ("<2.x", "1.1.1", True),
    ("^1.1", "1.1.1-alpha", False),
    ("^1.1.1-alpha", "1.1.1-beta", True),
    ("^1.1.1-beta", "1.1.1-alpha", False),
    ("^0.0.1", "0.1.3", False),
    ("~1", "1.3.5-beta", False),
    ("~1.x", "1.3.5-beta", False),
    ("~1.3.6-alpha", "1.3.5-beta", False),
    ("~1.3.5-alpha", "1.3.5-beta", True),
    ("~1.3.5-beta", "1.3.5-alpha", False),
    ("1.1 - 3", "4.3.2", False),
    ("^1.12.7", "1.6.6", False),
    ("^0.2", "0.3.0", False),
    ("^0.2", "0.1.1", False),
    ("^0.0.3", "0.1.1", False),
    ("^0.0.3", "0.0.2", False),
    ("> 1.2.3", "1.2.3-beta.1", False),
    # Masterminds quirks kept on purpose: `*` is read as 0.0.0 without a
    # minor or patch wildcard, so `<=*` only reaches 0.0.x, `^*` only 0.0.0,
    # and `!=*` only excludes 0.0.0.
    ("<=*", "0.0.9", True),
    ("<=*", "0.1.0", False),
    ("<=*", "1.0.0", False),
    ("^*", "0.0.0", True),
    ("^*", "1.2.3", False),
    ("!=*", "1.2.3", True),
    ("!=*", "0.0.0", False),
    ("X.x.X", "7.8.9", True),
    ("v1.2.3", "1.2.3", True),
    (">=v1.2.x", "1.2.0", True),
    ("=>1.2, =<1.4", "1.4.9", True),
    ("~>1.2", "1.2.9", True),
    ("~>1.2", "1.3.0", False),
]

# --- constraints_test.go: TestConstraintsCheckIncludePrerelease ---------------
INCLUDE_PRERELEASE_CASES = [
    (">=1.1", "4.1.0-beta", True),
    (">1.1", "4.1.0-beta", True),
    ("<=1.1", "0.1.0-alpha", True),
    ("<1.1", "0.1.0-alpha", True),
    ("^1.x", "1.1.1-beta1", True),
    ("~1.1", "1.1.1-alpha", True),
    ("*", "1.2.3-alpha", True),
    ("= 2.0", "2.0.1-beta", True),
    ("^1.1", "1.1.1-alpha", True),
    ("~1", "1.3.5-beta", True),
    ("~1.x", "1.3.5-beta", True),
    ("*", "1.2.3", True),
    ("~0.0.0", "1.2.3", True),
    ("0.x.x", "1.2.3", False),
    ("!=4.1-alpha", "4.1.0-alpha", False),
    ("!=4.1-alpha", "4.1.1-alpha", False),
    ("^1.x", "1.1.1-beta1", True),
    ("^1.2.x-alpha", "1.1.1-beta1", False),
    ("~1.1.1-beta", "1.1.1-alpha", False),
    ("~1.3.6-alpha", "1.3.5-beta", False),
    (">= 1.2.3", "1.2.3-beta.1", False),
    ("> 1.2.3", "1.2.3-beta.1", False),
    ("< 1.2.3", "1.2.4-beta.1", False),
    ("<= 1.2.3", "1.2.4-beta.1", False),
]

# --- constraints_test.go: TestNewConstraint ------------------------------------
NEW_CONSTRAINT_CASES = [
    (">= 1.1", 1, 1),
    (">40.50.60, < 50.70", 1, 2),
    ("2.0", 1, 1),
    ("v2.3.5-20161202202307-sha.e8fc5e5", 1, 1),
    (">= 1.2.3 < 2.0", 1, 2),
    (">= 1.2.3 < 2.0 || => 3.0 < 4", 2, 2),
    (">= 1.2.3, < 2.0", 1, 2),
    (">= 1.2.3, < 2.0 || => 3.0, < 4", 2, 2),
    ("3 - 4 || => 3.0, < 4", 2, 2),
    ("12.3.34 ~1.2.3", 1, 2),
    ("1.0.0 - 2.0.0, <=2.0.0", 1, 3),
]

BAD_CONSTRAINTS = [
    ">= bar",
    "BAR >= 1.2.3",
    "12.3.4.1234",
    "12.23.4.1234",
    "12.3.34.1234",
    "12.3.34~ 1.2.3",
    "foo",
    "",
    "   ",
    "1.2 ||",
    "==1.2",
    "> = 1.2",
    ">=1.2.3-01",
    "1.2.3x",
    "1|2",
    "99999999999999999999",
    ">=1.0 <2.0 \x0b",
]

# --- constraints_test.go: TestRewriteRange -------------------------------------
REWRITE_CASES = [
    ("2 - 3", ">= 2, <= 3 "),
    ("2 - 3, 2 - 3", ">= 2, <= 3 ,>= 2, <= 3 "),
    ("2 - 3, 4.0.0 - 5.1", ">= 2, <= 3 ,>= 4.0.0, <= 5.1 "),
    ("2 - 3 4.0.0 - 5.1", ">= 2, <= 3 >= 4.0.0, <= 5.1 "),
    ("1.0.0 - 2.0.0 <=2.0.0", ">= 1.0.0, <= 2.0.0 <=2.0.0"),
]

# --- constraints_test.go: TestConstraintString, TestTextMarshalConstraints ----
STRING_CASES = [
    ("*", "*"),
    (">=1.2.3", ">=1.2.3"),
    (">= 1.2.3", ">=1.2.3"),
    ("2.x,   >=1.2.3 || >4.5.6, < 5.7", "2.x >=1.2.3 || >4.5.6 <5.7"),
    (
        "2.x,   >=1.2.3 || >4.5.6, < 5.7 || >40.50.60, < 50.70",
        "2.x >=1.2.3 || >4.5.6 <5.7 || >40.50.60 <50.70",
    ),
    ("1.2", "1.2"),
    ("1 <=1.2.3", "1 <=1.2.3"),
    ("1, <=1.2.3", "1 <=1.2.3"),
    (">1, <=1.2.3", ">1 <=1.2.3"),
    ("> 1 , <=1.2.3", ">1 <=1.2.3"),
    ("1.1 - 3", ">=1.1 <=3"),
]

# --- Flux's tag reading: fluxcd/pkg/version.ParseVersion -----------------------
IMAGE_TAG_CASES = [
    ("1.2.3", "1.2.3"),
    ("v1.2.3", "1.2.3"),
    ("1.1", None),
    ("v1.0", None),
    ("1", None),
    ("1.2-rc.1", "1.2.0-rc.1"),
    ("1.2+build.5", "1.2.0+build.5"),
    ("v2025.02.03-rc.1", "2025.2.3-rc.1"),
    ("01.02.03", "1.2.3"),
    ("1.2.3.4", None),
    ("v1.2.beta", None),
    ("1.2.3-rc.01", None),
    ("latest", None),
    ("sha-1a2b3c.4d.5e", None),
    ("1.2.3.sig", None),
    ("v1.2.0-x.Y.0+metadata-width-hypen", "1.2.0-x.Y.0+metadata-width-hypen"),
]


def _ids(rows: Sequence[tuple[object, ...]]) -> list[str]:
    return [" | ".join(repr(v) for v in row) for row in rows]


@pytest.mark.parametrize(("text", "ok"), STRICT_CASES, ids=_ids(STRICT_CASES))
def test_strict_parse_accepts_only_semver_2(text: str, ok: bool) -> None:
    if ok:
        assert parse(text, strict=True).original == text
    else:
        with pytest.raises(SemverError):
            parse(text, strict=True)


@pytest.mark.parametrize(("text", "ok"), LENIENT_CASES, ids=_ids(LENIENT_CASES))
def test_lenient_parse_coerces_like_new_version(text: str, ok: bool) -> None:
    if ok:
        assert parse(text).original == text
    else:
        with pytest.raises(SemverError):
            parse(text)


@pytest.mark.parametrize(("text", "canonical"), CANONICAL_CASES, ids=_ids(CANONICAL_CASES))
def test_str_is_canonical_and_original_keeps_the_input(text: str, canonical: str) -> None:
    v = parse(text)
    assert str(v) == canonical
    assert v.original == text


def test_parts_are_exposed() -> None:
    v = parse("1.2.3-beta.1+build.123")
    assert (v.major, v.minor, v.patch, v.prerelease, v.metadata) == (1, 2, 3, "beta.1", "build.123")


def test_constructed_version_defaults_original_to_canonical_text() -> None:
    assert Version(1, 2, 3, "alpha.1", "foo.bar").original == "1.2.3-alpha.1+foo.bar"
    assert Version(0, 1, 2) == parse("v0.1.2")


def test_errors_name_the_input_and_the_reason() -> None:
    with pytest.raises(SemverError, match=r'^invalid semantic version "1\.2\.3-rc\.01": .* starts with 0'):
        parse("1.2.3-rc.01")
    with pytest.raises(SemverError, match=r'^invalid strict semantic version "v1\.2\.3": invalid characters'):
        parse("v1.2.3", strict=True)
    with pytest.raises(SemverError, match=r'"\\n1\.2"'):
        parse("\n1.2")
    with pytest.raises(ValueError):
        parse("nope")


@pytest.mark.parametrize(("a", "b", "expected"), COMPARE_CASES, ids=_ids(COMPARE_CASES))
def test_compare_orders_like_masterminds(a: str, b: str, expected: int) -> None:
    va, vb = parse(a), parse(b)
    assert va.compare(vb) == expected
    assert vb.compare(va) == -expected
    assert (va < vb, va == vb, va > vb) == (expected < 0, expected == 0, expected > 0)
    assert (va <= vb, va >= vb) == (expected <= 0, expected >= 0)


def test_equal_versions_hash_alike_whatever_their_metadata_or_prefix() -> None:
    assert len({parse("1.0.0"), parse("v1.0.0"), parse("1.0.0+a"), parse("1.0")}) == 1
    assert parse("1.0.0") != "1.0.0"


@pytest.mark.parametrize(("rng", "version", "ok"), COMPARATOR_CASES, ids=_ids(COMPARATOR_CASES))
def test_single_comparator_matches_masterminds(rng: str, version: str, ok: bool) -> None:
    assert Constraint.parse(rng).check(parse(version)) is ok


@pytest.mark.parametrize(("rng", "version", "ok"), RANGE_CASES, ids=_ids(RANGE_CASES))
def test_range_matches_masterminds(rng: str, version: str, ok: bool) -> None:
    assert Constraint.parse(rng).check(parse(version)) is ok


@pytest.mark.parametrize(
    ("rng", "version", "ok"), INCLUDE_PRERELEASE_CASES, ids=_ids(INCLUDE_PRERELEASE_CASES)
)
def test_include_prerelease_admits_prereleases_in_every_group(rng: str, version: str, ok: bool) -> None:
    assert Constraint.parse(rng, include_prerelease=True).check(parse(version)) is ok


@pytest.mark.parametrize(("rng", "ors", "count"), NEW_CONSTRAINT_CASES, ids=_ids(NEW_CONSTRAINT_CASES))
def test_range_splits_into_or_groups_of_and_comparators(rng: str, ors: int, count: int) -> None:
    c = Constraint.parse(rng)
    assert len(c.groups) == ors
    assert len(c.groups[0]) == count


@pytest.mark.parametrize("rng", BAD_CONSTRAINTS, ids=[repr(b) for b in BAD_CONSTRAINTS])
def test_improper_range_is_rejected_naming_it(rng: str) -> None:
    with pytest.raises(SemverError, match=r"^improper constraint "):
        Constraint.parse(rng)


@pytest.mark.parametrize(("rng", "rewritten"), REWRITE_CASES, ids=_ids(REWRITE_CASES))
def test_hyphen_ranges_are_rewritten_as_masterminds_does(rng: str, rewritten: str) -> None:
    assert semver._rewrite_ranges(rng) == rewritten


@pytest.mark.parametrize(("rng", "text"), STRING_CASES, ids=_ids(STRING_CASES))
def test_str_gives_the_normalised_range_that_parses_again(rng: str, text: str) -> None:
    assert str(Constraint.parse(rng)) == text
    Constraint.parse(text)


@pytest.mark.parametrize(("tag", "canonical"), IMAGE_TAG_CASES, ids=_ids(IMAGE_TAG_CASES))
def test_image_tag_needs_two_dots_then_parses_leniently(tag: str, canonical: str | None) -> None:
    v = parse_image_tag(tag)
    assert (None if v is None else str(v)) == canonical
    if v is not None:
        assert v.original == tag


# --- FLUX-COMPAT §12: ImagePolicy selection ------------------------------------
FLUX_SELECTION_CASES = [
    # (tags, range, winner)
    (["1.0.0", "v1.0.0"], "*", "1.0.0"),
    (["v1.0.0", "1.0.0"], "*", "v1.0.0"),
    (["1.0.0+b", "1.0.0+a"], ">=1.0.0", "1.0.0+b"),
    (["1.9.0", "2.0.0-rc.1"], ">=1.0.0-0 <2.0.0", "2.0.0-rc.1"),
    (["1.9.0", "2.0.0-rc.1"], ">=1.0.0 <2.0.0", "1.9.0"),
    (["1.2.3-beta.2", "1.2.10-rc.1", "1.3.0-rc.1"], "~1.2.3-beta.2", "1.2.10-rc.1"),
    (["1.4.0", "1.4.5"], ">1.4", None),
    (["1.4.5", "1.5.0"], ">1.4", "1.5.0"),
    (["1.1", "v1.0", "0.9.0"], "*", "0.9.0"),
    (["1.2-rc.1", "1.1.0"], ">=1.2.0-0", "1.2-rc.1"),
    (["v2025.02.03", "2025.2.2"], ">=2025.0.0", "v2025.02.03"),
    (["latest", "sha-abc"], "*", None),
    ([], "*", None),
    (["1.0.0-rc.1", "1.0.0"], ">=0.0.0-0", "1.0.0"),
    (["2.0.0", "1.5.0", "3.0.0-alpha"], "^1 || ^2", "2.0.0"),
    (["1.2.3-rc.01", "1.2.2"], ">=1.0.0-0", "1.2.2"),
]


@pytest.mark.parametrize(("tags", "rng", "winner"), FLUX_SELECTION_CASES, ids=_ids(FLUX_SELECTION_CASES))
def test_image_policy_picks_what_flux_picks(tags: list[str], rng: str, winner: str | None) -> None:
    assert latest(tags, rng, strict=False) == winner
    assert latest(iter(tags), Constraint.parse(rng), strict=False) == winner


def test_strict_selection_skips_tags_that_are_not_exact_semver() -> None:
    tags = ["v1.9.0", "01.2.3", "1.2-rc.1", "1.0.0"]
    assert latest(tags, "*", strict=True) == "1.0.0"
    assert latest(tags, "*", strict=False) == "v1.9.0"


def test_git_repository_ties_go_to_the_tag_on_the_newest_commit() -> None:
    tags = ["v1.0.0+a", "1.0.0", "v1.0.0+b", "0.9.0"]
    times = {"v1.0.0+a": 30.0, "1.0.0": 10.0, "v1.0.0+b": 20.0, "0.9.0": 99.0}
    assert latest(tags, ">=0.1.0", strict=False, commit_times=times) == "v1.0.0+a"


def test_git_repository_equal_times_favour_the_later_tag_and_missing_times_count_as_oldest() -> None:
    same_time = {"1.0.0": 5.0, "v1.0.0": 5.0}
    assert latest(["1.0.0", "v1.0.0"], "*", strict=False, commit_times=same_time) == "v1.0.0"
    assert latest(["1.0.0", "v1.0.0"], "*", strict=False, commit_times={"1.0.0": 5.0}) == "1.0.0"
    assert latest(["0.1.0", "0.2.0", "1.0.0"], ">=0.1.0 <1.0.0", strict=False, commit_times={}) == "0.2.0"


def test_latest_rejects_an_improper_range() -> None:
    with pytest.raises(SemverError, match="improper constraint"):
        latest(["1.0.0"], "1.2.3.4", strict=False)


def test_fast_tag_path_agrees_with_the_general_parser() -> None:
    rnd = random.Random(7)
    alphabet = "0123456789.-+vVaZx"
    for _ in range(20000):
        tag = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 12)))
        v = parse_image_tag(tag)
        assert semver._tag_key(tag) == (None if v is None else v.key), tag
        assert latest([tag], ">=0.0.0-0", strict=False) == (None if v is None else tag), tag


# Go's validConstraintRegex, verbatim, which a backtracking engine can take
# exponential time on; only ever fed short strings here.
_GO_VALID = re.compile(
    r"^({ws}*({ops}){ws}*({cv}){ws}*)((?:{ws}+|,{ws}*)({ops}){ws}*({cv}){ws}*)*\Z".format(
        ws=semver._WS, ops=semver._OPS, cv=semver._CV
    )
)


def test_range_validation_accepts_exactly_what_go_accepts() -> None:
    rnd = random.Random(11)
    alphabet = list("12.x*-a+ ,><=!~^v|\t")
    for _ in range(30000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 14)))
        assert (semver._VALID(text) is not None) == (_GO_VALID.match(text) is not None), repr(text)


def test_range_validation_rejects_long_failing_input() -> None:
    # A backtracking regex would take exponential time here; ours is linear
    # (no timing is asserted: a regression shows as a test that hangs).
    text = "1 " * 2000 + "!"
    with pytest.raises(SemverError):
        Constraint.parse(text)


def test_latest_of_100000_tags_is_the_highest_match() -> None:
    # Its speed (target 0.3 s) is measured in bench/micro.py, not asserted here.
    tags = mixed_tags(100_000)
    winner = latest(tags, ">=1.0.0 <20.0.0", strict=False)
    expected = max(
        (v for v in map(parse_image_tag, tags) if v is not None and 1 <= v.major < 20 and not v.prerelease),
        key=lambda v: v.key,
    )
    assert winner is not None and parse(winner) == expected
