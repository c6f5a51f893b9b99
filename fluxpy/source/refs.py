"""Step "pull the Git source", pure part: which commit a `spec.ref` names on the remote.

The pull step (`fetch.py`) runs one `git ls-remote` and hands its output
here; `resolve` applies Flux's precedence (commit > name > semver > tag >
branch, no ref = branch `master`) and returns the ref, the commit and the
revision string source-controller records. No I/O: the git processes, the
mirror and the credentials live in `fetch.py` and `auth.py`.

Flux facts encoded here (fluxcd/pkg `git/gogit/clone.go` and
`version/version.go`):

- Annotated tags resolve to the commit they point at (`refs/tags/v1^{}` in
  the advertisement), and the revision carries the commit, not the tag object.
- A `semver` range is parsed before anything is fetched; an invalid range
  fails without network traffic.
- Only tags that Flux's `version.ParseVersion` reads are candidates (see
  `is_flux_version`): `1.2` and `v1.2` are skipped; `01.2.3` and
  `1.2-rc.1` count.
- Among tags with equal versions (`1.0.0` and `v1.0.0`, or different build
  metadata) the one whose commit has the latest committer date wins. Flux
  breaks remaining ties by Go map order (random); fluxpy takes the tag
  name that sorts last, so the choice is stable.
- `name` must match an advertised ref exactly (e.g. `refs/pull/1/head`) and
  the revision keeps the full ref.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from fluxpy.models.gitref import GitRepositoryRef, ResolvedRef, artifact_revision, resolve_ref
from fluxpy.source.errors import GitError
from fluxpy.source.types import GitRef

PEELED_SUFFIX = "^{}"
TAGS_PREFIX = "refs/tags/"
HEADS_PREFIX = "refs/heads/"
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True, slots=True)
class RemoteRefs:
    """The refs a remote advertises, as `git ls-remote` prints them.

    Args:
        objects: ref name -> the object it points at (a tag object for
            annotated tags).
        peeled: ref name -> the commit an annotated tag points at (from the
            `^{}` lines).
        symrefs: symbolic ref -> its target (`HEAD` -> `refs/heads/main`),
            when `--symref` was used.
    """

    objects: Mapping[str, str]
    peeled: Mapping[str, str]
    symrefs: Mapping[str, str]

    def commit(self, name: str) -> str | None:
        """The commit `name` resolves to (annotated tags peeled), or None."""
        return self.peeled.get(name) or self.objects.get(name)

    def tags(self) -> dict[str, str]:
        """Short tag name -> commit, for every tag the remote advertised."""
        return {name[len(TAGS_PREFIX):]: self.commit(name) or oid
                for name, oid in self.objects.items() if name.startswith(TAGS_PREFIX)}


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a `spec.ref` names on the remote.

    Args:
        kind: the winning ref kind: "branch", "tag", "semver", "name" or "commit".
        ref_name: the full ref fetched (`refs/heads/main`, `refs/tags/v1.2.0`,
            `refs/pull/1/head`), or None for a bare commit.
        commit: the full commit hash to check out.
        revision: Flux's revision string for it.
        branch: for a commit with a branch, the branch the commit must be on.
    """

    kind: str
    ref_name: str | None
    commit: str
    revision: str
    branch: str | None = None


def parse_ls_remote(text: str) -> RemoteRefs:
    """Parse `git ls-remote [--symref]` output.

    Args:
        text: the command's stdout: `<oid>\\t<ref>` lines, `<oid>\\t<tag>^{}`
            lines for peeled annotated tags, and `ref: <target>\\t<name>`
            lines for symbolic refs.

    Returns:
        The advertised refs.

    Raises:
        ValueError: a line is neither of those forms.
    """
    objects: dict[str, str] = {}
    peeled: dict[str, str] = {}
    symrefs: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        left, sep, name = line.partition("\t")
        if not sep or not name:
            raise ValueError(f"unexpected ls-remote line: {line!r}")
        if left.startswith("ref: "):
            symrefs[name] = left[len("ref: "):]
            continue
        oid = left.strip().lower()
        if not _is_hash(oid):
            raise ValueError(f"unexpected object id in ls-remote line: {line!r}")
        if name.endswith(PEELED_SUFFIX):
            peeled[name[:-len(PEELED_SUFFIX)]] = oid
        else:
            objects[name] = oid
    return RemoteRefs(objects, peeled, symrefs)


def winning_ref(ref: GitRef | None) -> ResolvedRef:
    """Flux's precedence commit > name > semver > tag > branch; no ref = branch `master`."""
    if ref is None:
        return resolve_ref(None)
    return resolve_ref(GitRepositoryRef(ref.branch, ref.tag, ref.semver, ref.name, ref.commit))


def ls_remote_args(ref: ResolvedRef, url: str) -> list[str]:
    """`git ls-remote` arguments that list just what `ref` needs from `url`.

    `--heads`/`--tags` become protocol-v2 ref prefixes, so the server sends
    only those refs; a `name` lists everything (it may be anywhere), a bare
    commit only `HEAD` (the listing just proves access).
    """
    if ref.kind == "branch":
        return ["--heads", url, HEADS_PREFIX + ref.value]
    if ref.kind == "tag":
        # A pattern matches the peeled `^{}` line of an annotated tag only when named.
        return ["--tags", url, TAGS_PREFIX + ref.value, TAGS_PREFIX + ref.value + PEELED_SUFFIX]
    if ref.kind == "semver":
        return ["--tags", url]
    if ref.kind == "commit" and ref.branch:
        return ["--heads", url, HEADS_PREFIX + ref.branch]
    if ref.kind == "commit":
        return ["--symref", url, "HEAD"]
    return [url]


def check_range(constraint: str, *, url: str) -> None:
    """Fail early on a semver range that does not parse (Flux does, before cloning).

    Raises:
        GitError: the range is invalid.
    """
    from fluxpy import semver  # imported on first use: branches and tags never need it

    try:
        semver.latest([], constraint, strict=False)
    except semver.SemverError as err:
        raise GitError(f"invalid semver range '{constraint}' for {url}: {err}", url=url,
                       hint="fix spec.ref.semver (e.g. '>=1.0.0 <2.0.0')") from err


def is_flux_version(tag: str) -> bool:
    """Whether Flux considers `tag` for a semver ref.

    Flux reads tags with `fluxcd/pkg/version.ParseVersion`, the same parser
    ImagePolicy uses (`fluxpy.semver.parse_image_tag`): at least two dots, then
    Masterminds' lenient parse, so `v1.2.3`, `01.2.3` and `1.2-rc.1` count and
    `1.5` does not. (Older fluxcd/pkg releases parsed strictly instead;
    FLUX-COMPAT section 12 records the Flux 2.8 behaviour followed here.)
    """
    from fluxpy import semver

    return semver.parse_image_tag(tag) is not None


def semver_candidates(tags: Mapping[str, str], constraint: str, *, url: str) -> list[str]:
    """The tags tied for the highest version matching `constraint`.

    Usually one tag. Several when versions compare equal (`1.0.0` and
    `v1.0.0`, or different build metadata); `pick_semver` then breaks the tie.

    Raises:
        GitError: the range is invalid, or no tag matches it.
    """
    from fluxpy import semver  # imported on first use: branches and tags never need it

    eligible = sorted(t for t in tags if is_flux_version(t))
    try:
        best = semver.latest(eligible, constraint, strict=False)
    except semver.SemverError as err:
        raise GitError(f"invalid semver range '{constraint}' for {url}: {err}", url=url,
                       hint="fix spec.ref.semver (e.g. '>=1.0.0 <2.0.0')") from err
    if best is None:
        shown = ", ".join(eligible[-5:]) or "none"
        raise GitError(f"no tag of {url} matches semver range '{constraint}' "
                       f"(semver tags: {shown}{', ...' if len(eligible) > 5 else ''})",
                       url=url, hint="push a matching tag or widen spec.ref.semver")
    # Two tags tie when `latest` answers differently depending on their order
    # (it keeps the first or the last of equals, never the lower one).
    tied = [t for t in eligible if t == best or
            semver.latest([t, best], constraint, strict=False) != semver.latest([best, t], constraint, strict=False)]
    return tied


def pick_semver(candidates: Sequence[str], tags: Mapping[str, str], constraint: str,
                commit_time: Callable[[str], int] | None) -> str:
    """Break a tie between equal versions as Flux does: the latest committer date wins.

    Args:
        candidates: tags of equal version (from `semver_candidates`), sorted by name.
        tags: tag -> commit.
        constraint: the range they matched.
        commit_time: commit -> committer time (seconds); only called when the
            tied tags point at different commits.

    Returns:
        The winning tag; among equal dates, the name that sorts last.
    """
    if len(candidates) == 1:
        return candidates[0]
    if len({tags[t] for t in candidates}) <= 1 or commit_time is None:
        return max(candidates)
    times = {t: float(commit_time(tags[t])) for t in candidates}
    from fluxpy import semver

    best = semver.latest(sorted(candidates), constraint, strict=False, commit_times=times)
    return str(best) if best is not None else max(candidates)


def resolve(ref: GitRef | None, remote: RemoteRefs, *, url: str,
            commit_time: Callable[[str], int] | None = None) -> Resolution:
    """Resolve `spec.ref` against the advertised refs.

    Args:
        ref: `spec.ref`, or None for the default branch `master`.
        remote: what `git ls-remote` returned (with the options from `ls_remote_args`).
        url: the repository URL without credentials, for error messages.
        commit_time: commit -> committer time, for semver ties between tags
            on different commits (see `pick_semver`).

    Returns:
        The ref name, the commit and Flux's revision string.

    Raises:
        GitError: the branch, tag or ref does not exist, the commit is not a
            full hash, no tag matches the semver range, or the range is invalid.
    """
    won = winning_ref(ref)
    if won.kind == "commit":
        commit = won.value.strip().lower()
        if not _is_hash(commit):
            raise GitError(f"commit '{won.value}' for {url} is not a full 40-character hash", url=url,
                           hint="set spec.ref.commit to the full commit hash")
        if won.branch and remote.commit(HEADS_PREFIX + won.branch) is None:
            raise _missing("branch", won.branch, url)
        resolved = ResolvedRef("commit", commit, won.branch)
        return Resolution("commit", HEADS_PREFIX + won.branch if won.branch else None, commit,
                          artifact_revision(resolved, commit), won.branch)
    if won.kind == "semver":
        tags = remote.tags()
        tag = pick_semver(semver_candidates(tags, won.value, url=url), tags, won.value, commit_time)
        commit = tags[tag]
        return Resolution("semver", TAGS_PREFIX + tag, commit, artifact_revision(won, commit, tag=tag))
    if won.kind == "name":
        name = won.value
        if name.startswith("/") or name.endswith("/"):
            raise GitError(f"ref '{name}' for {url} is invalid: Git refs cannot begin or end with '/'",
                           url=url, hint="set spec.ref.name to a full ref such as refs/heads/main")
        found = remote.commit(name)
        if found is None:
            raise _missing("ref", name, url)
        return Resolution("name", name, found, artifact_revision(won, found))
    prefix = TAGS_PREFIX if won.kind == "tag" else HEADS_PREFIX
    found = remote.commit(prefix + won.value)
    if found is None:
        raise _missing(won.kind, won.value, url)
    return Resolution(won.kind, prefix + won.value, found, artifact_revision(won, found))


def _missing(kind: str, value: str, url: str) -> GitError:
    field = {"ref": "name"}.get(kind, kind)
    hint = f"check spec.ref.{field}"
    if kind == "branch" and value == "master":
        hint += " (no ref means branch 'master'; set spec.ref.branch, e.g. to 'main')"
    return GitError(f"{kind} '{value}' not found in {url}", url=url, hint=hint)


def _is_hash(value: str) -> bool:
    return len(value) in (40, 64) and set(value) <= _HEX
