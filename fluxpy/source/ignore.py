"""Which files of a checked-out tree stay out of its artifact.

Part of the "build an artifact for the revision" step: pull -> **ignore** ->
archive (`artifact.py`) -> store (`storage.py`). This module is pure apart
from reading `.sourceignore` files.

It reproduces what source-controller does, not what `git` does: Flux matches
with `github.com/fluxcd/pkg/sourceignore`, built on go-git's
`plumbing/format/gitignore` (`ParsePattern`, `Matcher`), whose glob is Go's
`path/filepath.Match`. Each pattern has a *domain* (the directory holding the
ignore file); a path is tested against every pattern from last to first, and
the first pattern that matches decides (`!` re-includes).

Where go-git and git disagree we follow go-git, because that is what decides
what lands in a Flux artifact:

* Every path is matched on its own. An ignored directory does not hide its
  contents from later `!` patterns (`dir/` then `!dir/keep` keeps
  `dir/keep`; git would not re-include it).
* `foo/**` also matches the directory `foo` itself.
* In a pattern with a `/`, `**` only counts as a whole segment (`a/foo**`
  never matches); in a plain name it is just a `*`.
* Character classes negate with `^` only; `[!a]` is a class of `!` and `a`.
* A malformed glob (`[a`, a trailing backslash) never matches.

Flux's rule for defaults (`storage.SourceIgnoreFilter`): the VCS group
(`.git/ .gitignore .gitmodules .gitattributes`) always applies; the default
group (images, archives, CI files, `.goreleaser.yml`, `.sops.yaml`,
`.flux.yaml`) applies only if no custom pattern exists, i.e. if the
`.sourceignore` files and `spec.ignore` together yield no pattern line.

For speed, segment globs are compiled to regular expressions and runs of
patterns with the same domain and verdict are tested together; the tests
check both against the step-by-step port of go-git and Go kept here
(`Pattern.match`, `_go_match_slow`).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fluxpy.source.errors import ArtifactError

IGNORE_FILE = ".sourceignore"
"""Name of the per-directory ignore file (`sourceignore.IgnoreFile`)."""

VCS_PATTERNS: tuple[str, ...] = (".git/", ".gitignore", ".gitmodules", ".gitattributes")
"""`sourceignore.ExcludeVCS`: always excluded."""

DEFAULT_PATTERNS: tuple[str, ...] = (
    # sourceignore.ExcludeExt
    "*.jpg", "*.jpeg", "*.gif", "*.png", "*.wmv", "*.flv", "*.tar.gz", "*.zip",
    # sourceignore.ExcludeCI
    ".github/", ".circleci/", ".travis.yml", ".gitlab-ci.yml", "appveyor.yml", ".drone.yml",
    "cloudbuild.yaml", "codeship-services.yml", "codeship-steps.yml",
    # sourceignore.ExcludeExtra
    "**/.goreleaser.yml", "**/.sops.yaml", "**/.flux.yaml",
)  # fmt: skip
"""`sourceignore.DefaultPatterns`: excluded only when no custom pattern exists."""


class _BadPattern(Exception):
    """Go's `filepath.ErrBadPattern`: go-git treats it as "no match"."""


@dataclass(frozen=True, slots=True)
class Pattern:
    """One parsed gitignore line, as go-git's `pattern` struct.

    Args:
        domain: the path segments of the directory the line applies to
            (empty for the root).
        segments: the pattern split on `/` (a leading `/` gives a first
            empty segment, which anchors it).
        inclusion: the line started with `!`.
        dir_only: the line ended with `/`.
        is_glob: the pattern (after removing a trailing `/`) contains a `/`,
            so it is matched segment by segment from the domain; otherwise
            it is matched against every segment of the path.
    """

    domain: tuple[str, ...]
    segments: tuple[str, ...]
    inclusion: bool
    dir_only: bool
    is_glob: bool

    def match(self, path: Sequence[str], is_dir: bool) -> bool | None:
        """Match a path given as segments from the root.

        Args:
            path: the path's segments, relative to the tree's root.
            is_dir: the path is a directory.

        Returns:
            None if the pattern does not match; otherwise True if it
            excludes the path and False if it re-includes it.
        """
        depth = len(self.domain)
        if len(path) <= depth or tuple(path[:depth]) != self.domain:
            return None
        if not self.match_in_domain(path[depth:], is_dir):
            return None
        return not self.inclusion

    def match_in_domain(self, path: Sequence[str], is_dir: bool) -> bool:
        """Whether the pattern matches a non-empty path given relative to its domain."""
        if self.is_glob:
            return self._glob_match(path, is_dir)
        return self._name_match(path, is_dir)

    def _name_match(self, path: Sequence[str], is_dir: bool) -> bool:
        # go-git simpleNameMatch: the first segment (at any depth) that
        # matches decides; a dir-only pattern fails only on the last segment.
        for i, name in enumerate(path):
            if not _go_match(self.segments[0], name):
                continue
            return not (self.dir_only and not is_dir and i == len(path) - 1)
        return False

    def _glob_match(self, path: Sequence[str], is_dir: bool) -> bool:
        # go-git globMatch, step for step (including its greedy `**`).
        matched = False
        can_traverse = False
        last = len(self.segments) - 1
        for i, segment in enumerate(self.segments):
            if segment == "":
                can_traverse = False
                continue
            if segment == "**":
                if i == last:
                    break
                can_traverse = True
                continue
            if "**" in segment:
                return False
            if not path:
                return False
            if can_traverse:
                can_traverse = False
                while path:
                    name, path = path[0], path[1:]
                    if _go_match(segment, name):
                        matched = True
                        break
                    if not path:
                        matched = False
            else:
                if not _go_match(segment, path[0]):
                    return False
                matched = True
                path = path[1:]
        if matched and self.dir_only and not is_dir and not path:
            matched = False
        return matched


def parse_pattern(line: str, domain: Sequence[str] = ()) -> Pattern:
    """Parse one gitignore line the way go-git's `ParsePattern` does.

    The caller has already dropped blank and `#` lines (see `read_patterns`).

    Args:
        line: the pattern text.
        domain: path segments of the directory the line applies to.

    Returns:
        The parsed pattern.
    """
    inclusion = line.startswith("!")
    if inclusion:
        line = line[1:]
    if not line.endswith("\\ "):
        line = line.rstrip(" ")
    dir_only = line.endswith("/")
    if dir_only:
        line = line[:-1]
    return Pattern(
        domain=tuple(domain),
        segments=tuple(line.split("/")),
        inclusion=inclusion,
        dir_only=dir_only,
        is_glob="/" in line,
    )


def read_patterns(text: str, domain: Sequence[str] = ()) -> list[Pattern]:
    """Parse an ignore file's text as `sourceignore.ReadPatterns` does.

    Lines are split like Go's `bufio.ScanLines` (a trailing `\\r` is dropped);
    lines starting with `#` and lines of only whitespace are skipped.
    Nothing else is stripped: leading spaces are part of the pattern.

    Args:
        text: the file's content or `spec.ignore`.
        domain: path segments of the directory the lines apply to.

    Returns:
        The patterns in file order.
    """
    patterns = []
    for raw in text.split("\n"):
        line = raw.removesuffix("\r")
        if line.startswith("#") or not line.strip():
            continue
        patterns.append(parse_pattern(line, domain))
    return patterns


class Matcher:
    """Decides whether a path of the tree is left out of the artifact.

    Patterns are given lowest priority first; the last one that matches a
    path decides, as go-git's `Matcher`.

    Args:
        patterns: the patterns, in increasing priority.
    """

    __slots__ = ("_groups", "_negates", "patterns")

    def __init__(self, patterns: Iterable[Pattern]) -> None:
        self.patterns: tuple[Pattern, ...] = tuple(patterns)
        self._negates = any(p.inclusion for p in self.patterns)
        self._groups = _group(self.patterns)

    def ignored(self, rel_path: str, is_dir: bool) -> bool:
        """Whether a path is excluded from the artifact.

        Args:
            rel_path: the path relative to the tree's root, `/`-separated
                (`""` or `"."` is the root, which is never ignored).
            is_dir: the path is a directory.

        Returns:
            True if the path is excluded.
        """
        if rel_path in ("", "."):
            return False
        return self.ignored_segments(rel_path.split("/"), is_dir)

    def ignored_segments(self, path: Sequence[str], is_dir: bool) -> bool:
        """`ignored` for a path already split into segments."""
        for group in self._groups:
            if group.matches(path, is_dir):
                return group.verdict
        return False

    def hides_subtree(self, path: Sequence[str]) -> bool:
        """Whether an ignored directory's contents are all ignored too.

        Without `!` patterns, whatever excludes a directory also excludes
        everything under it (go-git matches any segment of the path), so the
        archiver need not walk it. With `!` patterns go-git may re-include a
        file under an ignored directory, so nothing can be skipped.

        Args:
            path: segments of a directory that `ignored_segments` excludes.

        Returns:
            True if no path under it can be included.
        """
        return not self._negates


@dataclass(frozen=True, slots=True)
class _Group:
    """Consecutive patterns with the same domain and verdict, checked as one.

    Which of them matches does not matter, only whether one does, so the
    patterns that only test single segments (`*.png`, `.git/`, `**/.sops.yaml`)
    are folded into two regular expressions: `names` (any segment matches)
    and `dirs` (a directory-only name: any segment but the last matches, or
    the last one does and the path is a directory).
    """

    verdict: bool
    domain: tuple[str, ...]
    names: Callable[[str], object] | None
    dirs: Callable[[str], object] | None
    rest: tuple[Pattern, ...]

    def matches(self, path: Sequence[str], is_dir: bool) -> bool:
        depth = len(self.domain)
        if depth:
            if len(path) <= depth or tuple(path[:depth]) != self.domain:
                return False
            path = path[depth:]
        elif not path:
            return False
        if self.names is not None and any(map(self.names, path)):
            return True
        if self.dirs is not None and (
            any(map(self.dirs, path[:-1])) or (is_dir and self.dirs(path[-1]))
        ):
            return True
        return any(p.match_in_domain(path, is_dir) for p in self.rest)


def _segment_glob(p: Pattern) -> str | None:
    """The glob if the pattern only tests single segments, else None.

    True of plain names and of `**/<name>` (go-git's traversal stops at the
    first matching segment, the same test as for a plain name), unless
    `<name>` itself holds a `**`, which go-git never matches.
    """
    if not p.is_glob:
        return p.segments[0]
    if len(p.segments) == 2 and p.segments[0] == "**" and p.segments[1] and "**" not in p.segments[1]:
        return p.segments[1]
    return None


def _union(globs: list[str]) -> Callable[[str], object] | None:
    regexes = []
    for glob in globs:
        try:
            regexes.append(_translate(glob))
        except _BadPattern:
            pass  # never matches
    return re.compile("|".join(regexes), re.DOTALL).fullmatch if regexes else None


def _group(patterns: Sequence[Pattern]) -> tuple[_Group, ...]:
    groups: list[_Group] = []
    run: list[Pattern] = []

    def close() -> None:
        if not run:
            return
        names: list[str] = []
        dirs: list[str] = []
        rest: list[Pattern] = []
        for p in run:
            glob = _segment_glob(p)
            if glob is None:
                rest.append(p)
            else:
                (dirs if p.dir_only else names).append(glob)
        groups.append(_Group(not run[0].inclusion, run[0].domain, _union(names), _union(dirs), tuple(rest)))
        run.clear()

    for pattern in reversed(patterns):
        if run and (pattern.inclusion, pattern.domain) != (run[0].inclusion, run[0].domain):
            close()
        run.append(pattern)
    close()
    return tuple(groups)


def load_ignore_files(root: Path) -> list[Pattern]:
    """Read every `.sourceignore` under `root`, as `sourceignore.LoadIgnorePatterns`.

    A directory's own file comes before its subdirectories' files, and
    subdirectories are visited in byte order of their names; each file's
    patterns are scoped to its directory. `.git` directories and symbolic
    links to directories are not entered.

    Args:
        root: the checked-out tree.

    Returns:
        All patterns, lowest priority first.

    Raises:
        ArtifactError: an ignore file or directory could not be read.
    """
    patterns: list[Pattern] = []
    _load_dir(root, (), patterns)
    return patterns


def _load_dir(directory: Path, domain: tuple[str, ...], out: list[Pattern]) -> None:
    ignore_file = directory / IGNORE_FILE
    try:
        data = ignore_file.read_bytes()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise ArtifactError(f"cannot read ignore file {ignore_file}: {exc.strerror}") from exc
    else:
        out.extend(read_patterns(data.decode("utf-8", "surrogateescape"), domain))
    try:
        with os.scandir(directory) as it:
            subdirs = sorted(
                (e.name for e in it if e.name != ".git" and e.is_dir(follow_symlinks=False)),
                key=os.fsencode,
            )
    except OSError as exc:
        raise ArtifactError(f"cannot list directory {directory}: {exc.strerror}") from exc
    for name in subdirs:
        _load_dir(directory / name, (*domain, name), out)


def matcher_for(root: Path, *, spec_ignore: str | None) -> Matcher:
    """Build the matcher source-controller would use for a checked-out tree.

    Custom patterns are the `.sourceignore` files' lines followed by
    `spec.ignore`'s (both scoped as described above). If there is at least
    one, the matcher is the VCS group plus them; if there is none, it is the
    VCS group plus Flux's default group.

    Args:
        root: the checked-out tree.
        spec_ignore: the GitRepository's `spec.ignore`, or None.

    Returns:
        The matcher.

    Raises:
        ArtifactError: an ignore file could not be read.
    """
    custom = load_ignore_files(root)
    if spec_ignore is not None:
        custom.extend(read_patterns(spec_ignore))
    vcs = [parse_pattern(p) for p in VCS_PATTERNS]
    if custom:
        return Matcher([*vcs, *custom])
    return Matcher([*vcs, *(parse_pattern(p) for p in DEFAULT_PATTERNS)])


# --- Go's path/filepath.Match (Unix), which go-git uses for every segment ---


def _go_match(pattern: str, name: str) -> bool:
    return _compiled(pattern)(name)


def _go_match_slow(pattern: str, name: str) -> bool:
    """Go's algorithm step for step: the reference `_compiled` is tested against."""
    try:
        return _match(pattern, name)
    except _BadPattern:
        return False


@functools.lru_cache(maxsize=4096)
def _compiled(pattern: str) -> Callable[[str], bool]:
    # A segment has no `/`, and Go's leftmost-first search for each `*` chunk
    # finds a match whenever one exists (chunks have a fixed length), so a
    # regular expression gives the same answers, much faster.
    if not any(c in pattern for c in "*?[\\"):
        return pattern.__eq__
    try:
        regex = re.compile(_translate(pattern), re.DOTALL)
    except _BadPattern:
        return _never
    return lambda name: regex.fullmatch(name) is not None


def _never(name: str) -> bool:
    return False


def _translate(pattern: str) -> str:
    out: list[str] = []
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            while i < n and pattern[i] == "*":
                i += 1
            out.append("[^/]*")
            continue
        if c == "?":
            out.append("[^/]")
        elif c == "\\":
            i += 1
            if i == n:
                raise _BadPattern
            out.append(re.escape(pattern[i]))
        elif c == "[":
            i, cls = _translate_class(pattern, i + 1)
            out.append(cls)
            continue
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def _translate_class(pattern: str, i: int) -> tuple[int, str]:
    negated = pattern.startswith("^", i)
    if negated:
        i += 1
    ranges: list[str] = []
    nrange = 0
    while True:
        if pattern.startswith("]", i) and nrange > 0:
            i += 1
            break
        lo, rest = _get_esc(pattern[i:])
        i = len(pattern) - len(rest)
        hi = lo
        if rest[0] == "-":
            hi, rest = _get_esc(rest[1:])
            i = len(pattern) - len(rest)
        if lo <= hi:  # Go accepts an empty range; it just never matches
            ranges.append(f"{re.escape(lo)}-{re.escape(hi)}")
        nrange += 1
    body = "".join(ranges)
    if negated:
        return i, f"[^{body}]" if body else "."
    return i, f"[{body}]" if body else "(?!)"


def _match(pattern: str, name: str) -> bool:
    while pattern:
        star, chunk, pattern = _scan_chunk(pattern)
        if star and not chunk:
            # A trailing `*` matches the rest (names hold no `/`).
            return "/" not in name
        rest = _match_chunk(chunk, name)
        if rest is not None and (not rest or pattern):
            name = rest
            continue
        if star:
            # Try skipping i+1 characters of the name (never a `/`).
            found = False
            for i in range(len(name)):
                if name[i] == "/":
                    break
                rest = _match_chunk(chunk, name[i + 1 :])
                if rest is not None:
                    if not pattern and rest:
                        continue
                    name = rest
                    found = True
                    break
            if found:
                continue
        # Go checks the rest of the pattern is well formed before saying no.
        while pattern:
            _, chunk, pattern = _scan_chunk(pattern)
            _match_chunk(chunk, "")
        return False
    return not name


def _scan_chunk(pattern: str) -> tuple[bool, str, str]:
    star = False
    while pattern.startswith("*"):
        pattern = pattern[1:]
        star = True
    in_range = False
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            if i + 1 < len(pattern):
                i += 1
        elif c == "[":
            in_range = True
        elif c == "]":
            in_range = False
        elif c == "*" and not in_range:
            break
        i += 1
    return star, pattern[:i], pattern[i:]


def _match_chunk(chunk: str, s: str) -> str | None:
    """Match `chunk` (no `*`) at the start of `s`; the rest of `s`, or None.

    Like Go, keeps parsing the chunk after a mismatch so that a malformed
    chunk always raises `_BadPattern`.
    """
    failed = False
    while chunk:
        if not failed and not s:
            failed = True
        c = chunk[0]
        if c == "[":
            r = ""
            if not failed:
                r, s = s[0], s[1:]
            chunk = chunk[1:]
            negated = chunk.startswith("^")
            if negated:
                chunk = chunk[1:]
            matched = False
            nrange = 0
            while True:
                if chunk.startswith("]") and nrange > 0:
                    chunk = chunk[1:]
                    break
                lo, chunk = _get_esc(chunk)
                hi = lo
                if chunk[0] == "-":
                    hi, chunk = _get_esc(chunk[1:])
                if lo <= r <= hi:
                    matched = True
                nrange += 1
            if matched == negated:
                failed = True
        elif c == "?":
            if not failed:
                if s[0] == "/":
                    failed = True
                s = s[1:]
            chunk = chunk[1:]
        else:
            if c == "\\":
                chunk = chunk[1:]
                if not chunk:
                    raise _BadPattern
            if not failed:
                if chunk[0] != s[0]:
                    failed = True
                s = s[1:]
            chunk = chunk[1:]
    return None if failed else s


def _get_esc(chunk: str) -> tuple[str, str]:
    if not chunk or chunk[0] in "-]":
        raise _BadPattern
    if chunk[0] == "\\":
        chunk = chunk[1:]
        if not chunk:
            raise _BadPattern
    r = chunk[0]
    if "\udc80" <= r <= "\udcff":  # an undecodable byte: Go's RuneError
        raise _BadPattern
    rest = chunk[1:]
    if not rest:
        raise _BadPattern
    return r, rest
