"""Sprig's `semverCompare`, on `fluxpy.semver` constraints.

The other semver functions (`semver`, and methods on its result) are not ported.
"""

from __future__ import annotations

from collections.abc import Mapping

from fluxpy.image.gotemplate import GoError, GoFunc
from fluxpy.image.sprig.values import STR, gofunc


def _semver_compare(constraint: str, version: str) -> bool:
    from fluxpy import semver

    try:
        c = semver.Constraint.parse(constraint)
        v = semver.parse(version)
    except semver.SemverError as e:
        raise GoError(str(e)) from None
    return c.check(v)


FUNCS: Mapping[str, GoFunc] = {
    "semverCompare": gofunc(_semver_compare, STR, STR),
}
"""Sprig's semver functions."""
