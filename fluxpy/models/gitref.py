"""Git refs: which ref wins, and the revision string Flux records for it.

A GitRepository's `spec.ref` may set several fields at once; Flux checks out
by `commit` > `name` > `semver` > `tag` > `branch`, and with no ref at all
clones branch `master`. The artifact revision then names what won:
`main@sha1:<hex>`, `v1.2.0@sha1:<hex>`, `refs/heads/main@sha1:<hex>`,
`sha1:<hex>`. The source stage and the image automation's checkout both use
these rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from fluxpy.models._fields import Fields

DEFAULT_BRANCH = "master"


@dataclass(frozen=True, slots=True)
class GitRepositoryRef:
    """`spec.ref`; several may be set, `resolve_ref` picks the winner."""

    branch: str | None = None
    tag: str | None = None
    semver: str | None = None
    name: str | None = None
    commit: str | None = None

    @classmethod
    def optional(cls, f: Fields, key: str = "ref") -> GitRepositoryRef | None:
        """The ref under `key`, or None."""
        sub = f.obj(key)
        if sub is None:
            return None
        return cls(sub.opt_text("branch"), sub.opt_text("tag"), sub.opt_text("semver"),
                   sub.opt_text("name"), sub.opt_text("commit"))


@dataclass(frozen=True, slots=True)
class ResolvedRef:
    """The ref that wins, after precedence.

    Args:
        kind: "commit", "name", "semver", "tag" or "branch".
        value: the commit hash, full ref name, semver range, tag or branch.
        branch: for a commit, the branch to clone shallowly, if one was given.
    """

    kind: str
    value: str
    branch: str | None = None


def resolve_ref(ref: GitRepositoryRef | None) -> ResolvedRef:
    """Apply Flux's precedence: commit > name > semver > tag > branch.

    No ref (or an empty one) means branch `master`.
    """
    if ref is None:
        return ResolvedRef("branch", DEFAULT_BRANCH)
    if ref.commit:
        return ResolvedRef("commit", ref.commit, ref.branch)
    for kind in ("name", "semver", "tag", "branch"):
        value = getattr(ref, kind)
        if value:
            return ResolvedRef(kind, value)
    return ResolvedRef("branch", DEFAULT_BRANCH)


def hash_revision(commit: str) -> str:
    """`sha1:<hex>` for a 40-hex commit, `sha256:<hex>` for a 64-hex one."""
    algo = "sha256" if len(commit) == 64 else "sha1"
    return f"{algo}:{commit}"


def artifact_revision(ref: ResolvedRef, commit: str, *, tag: str | None = None) -> str:
    """The artifact revision Flux records for a fetched commit.

    Args:
        ref: the resolved ref.
        commit: the commit hash checked out.
        tag: for a semver ref, the tag that matched the range.

    Returns:
        `main@sha1:<hex>` (branch), `v1.2.0@sha1:<hex>` (tag, semver),
        `refs/heads/main@sha1:<hex>` (name), `sha1:<hex>` (commit), or
        `<branch>@sha1:<hex>` (commit with branch).
    """
    digest = hash_revision(commit)
    if ref.kind == "commit":
        return f"{ref.branch}@{digest}" if ref.branch else digest
    if ref.kind == "semver":
        if not tag:
            raise ValueError("a semver ref needs the matched tag to form a revision")
        return f"{tag}@{digest}"
    return f"{ref.value}@{digest}"
