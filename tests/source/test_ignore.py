"""Ignore rules for artifacts (fluxpy.source.ignore).

Covers:
- single patterns against go-git's own pinned behaviour (data/gogit_patterns.yaml);
- gitignore syntax checked against real `git check-ignore --no-index` where git and
  go-git agree: `*`, `?`, `[...]`, `[^...]`, `**`, leading `/`, trailing `/`, `!`,
  escaped `\\#` `\\!`, trailing spaces, comments and blank lines, nested ignore files;
- the places where go-git (so Flux) differs from git, pinned to go-git's answer,
  with git's opposite answer asserted alongside;
- Go's `filepath.Match` details (malformed globs never match), and the fast paths
  (regular expressions, folded pattern runs) agreeing with the step-by-step port;
- Flux's groups: VCS always, defaults only without custom patterns;
- `.sourceignore` files: read recursively, scoped to their directory, deeper and
  `spec.ignore` lines win, `.git` and symlinked directories not read.
"""

from __future__ import annotations

import itertools
import os
import random
import subprocess
from pathlib import Path

import pytest
import yaml

from fluxpy.source import ignore
from fluxpy.source.errors import ArtifactError

DATA = Path(__file__).parent / "data"


def _case_id(case: dict[str, object]) -> str:
    return f"{case['pattern']}@{'/'.join(case['path'])}"  # type: ignore[arg-type]


GOGIT_CASES = yaml.safe_load((DATA / "gogit_patterns.yaml").read_text())


@pytest.mark.parametrize("case", GOGIT_CASES, ids=_case_id)
def test_pattern_matches_as_gogit(case: dict[str, object]) -> None:
    pattern = ignore.parse_pattern(str(case["pattern"]), case.get("domain", ()))  # type: ignore[arg-type]
    verdict = pattern.match(case["path"], bool(case.get("dir", False)))  # type: ignore[arg-type]
    expected = {"exclude": True, "include": False, "none": None}[str(case["expect"])]
    assert verdict is expected


# --- git as an oracle --------------------------------------------------------------


def _make_tree(root: Path, paths: list[tuple[str, bool]]) -> None:
    for rel, is_dir in paths:
        target = root / rel
        if is_dir:
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.touch()


def _git_ignored(root: Path, paths: list[str]) -> dict[str, bool]:
    """Ask git which paths its ignore files exclude (`-v -n` shows the deciding line)."""
    if not (root / ".git").exists():
        subprocess.run(["git", "init", "-q", str(root)], check=True)
    out = subprocess.run(
        ["git", "-C", str(root), "-c", "core.ignorecase=false", "check-ignore", "--no-index", "-v", "-n", "--stdin"],
        input="\n".join(paths) + "\n",
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    result = {}
    for line in out.splitlines():
        source, _, path = line.partition("\t")
        pattern = source.split(":", 2)[2]
        result[path] = bool(pattern) and not pattern.startswith("!")
    return result


# (gitignore text, [(path, is_dir, ignored)]) where git and go-git give the same answer.
AGREEING: list[tuple[str, list[tuple[str, bool, bool]]]] = [
    ("*.log", [("app.log", False, True), ("a/b/c.log", False, True), ("log", False, False), ("a.log.txt", False, False)]),
    ("/build", [("build", True, True), ("build/out.bin", False, True), ("src/build", True, False)]),
    ("build/", [("build", True, True), ("src/build", True, True), ("x/build", False, False), ("build/o.bin", False, True)]),
    ("doc/*.txt", [("doc/a.txt", False, True), ("doc/sub/b.txt", False, False), ("x/doc/a.txt", False, False)]),
    ("**/foo", [("foo", False, True), ("a/foo", False, True), ("a/b/foo", True, True), ("a/foox", False, False)]),
    ("**/foo/bar", [("foo/bar", False, True), ("a/foo/bar", False, True), ("a/bar", False, False)]),
    ("a/**/b", [("a/b", False, True), ("a/x/b", False, True), ("a/x/y/b", False, True), ("x/a/b", False, False)]),
    ("abc/**", [("abc/x", False, True), ("abc/y/z", False, True), ("abcd/x", False, False)]),
    ("?.md", [("a.md", False, True), ("ab.md", False, False), ("d/b.md", False, True)]),
    ("[abc].txt", [("b.txt", False, True), ("d.txt", False, False)]),
    ("[a-c]x", [("bx", False, True), ("dx", False, False)]),
    ("[^a].txt", [("b.txt", False, True), ("a.txt", False, False)]),
    ("\\#notes", [("#notes", False, True), ("notes", False, False)]),
    ("\\!bang", [("!bang", False, True), ("bang", False, False)]),
    ("*.txt\n!keep.txt", [("keep.txt", False, False), ("other.txt", False, True), ("d/keep.txt", False, False)]),
    ("foo bar", [("foo bar", False, True), ("foo", False, False)]),
    ("trail   ", [("trail", False, True)]),
    ("trail\\ ", [("trail ", False, True), ("trail", False, False)]),
    ("/*\n!/deploy/", [("deploy", True, False), ("deploy/x.yaml", False, False), ("other/x.yaml", False, True), ("top.md", False, True)]),
    ("*.yaml\n!important/*.yaml", [("important/a.yaml", False, False), ("b.yaml", False, True)]),
    ("# comment\n\n   \nfoo\n#bar", [("foo", False, True), ("#bar", False, False), ("# comment", False, False)]),
    ("a/b", [("a/b", False, True), ("x/a/b", False, False)]),
    ("a/b\n", [("a/b/c", False, True), ("a/bc", False, False)]),
    ("*", [("anything", False, True), ("d/e", False, True)]),
    ("foo/", [("a/foo/bar", False, True), ("a/foo", True, True), ("b/foo", False, False)]),
    ("foo**", [("foobar", False, True), ("xfoo", False, False)]),
    ("README", [("readme", False, False), ("README", False, True)]),
    ("a\\*b", [("a*b", False, True), ("axb", False, False)]),
]


@pytest.mark.parametrize(("text", "cases"), AGREEING, ids=[t for t, _ in AGREEING])
def test_pattern_agrees_with_git_check_ignore(tmp_path: Path, text: str, cases: list[tuple[str, bool, bool]]) -> None:
    _make_tree(tmp_path, [(p, d) for p, d, _ in cases])
    (tmp_path / ".gitignore").write_text(text + "\n")
    matcher = ignore.Matcher(ignore.read_patterns(text))
    git = _git_ignored(tmp_path, [p for p, _, _ in cases])
    ours = {p: matcher.ignored(p, d) for p, d, _ in cases}
    assert ours == git
    assert ours == {p: want for p, _, want in cases}


def test_nested_ignore_file_scoping_agrees_with_git(tmp_path: Path) -> None:
    paths = [("sub/a.tmp", False), ("a.tmp", False), ("sub/x/a.tmp", False), ("sub/only", False), ("only", False)]
    _make_tree(tmp_path, paths)
    (tmp_path / "sub/.gitignore").write_text("*.tmp\n/only\n")
    (tmp_path / "sub/.sourceignore").write_text("*.tmp\n/only\n")
    git = _git_ignored(tmp_path, [p for p, _ in paths])
    matcher = ignore.matcher_for(tmp_path, spec_ignore=None)
    assert {p: matcher.ignored(p, d) for p, d in paths} == git
    assert git == {"sub/a.tmp": True, "a.tmp": False, "sub/x/a.tmp": True, "sub/only": True, "only": False}


# (gitignore text, path, is_dir, go-git's answer); git answers the opposite.
DIVERGING = [
    # go-git matches each path alone: `!` re-includes a file under an excluded dir.
    ("dir/\n!dir/keep", "dir/keep", False, False),
    ("foo\n!bar", "foo/bar", False, False),
    # go-git: `foo/**` also matches `foo` itself.
    ("foo/**", "foo", True, True),
    # go-git: in a pattern with a `/`, `**` inside a segment never matches; git reads it as `*`.
    ("a/foo**", "a/foobar", False, False),
    # Go's filepath.Match negates classes with `^` only: `[!a]` is the class {!, a}.
    ("[!a].txt", "b.txt", False, False),
]


@pytest.mark.parametrize(("text", "path", "is_dir", "gogit"), DIVERGING, ids=[d[0] + "@" + d[1] for d in DIVERGING])
def test_matcher_follows_gogit_where_git_differs(tmp_path: Path, text: str, path: str, is_dir: bool, gogit: bool) -> None:
    _make_tree(tmp_path, [(path, is_dir)])
    (tmp_path / ".gitignore").write_text(text + "\n")
    assert ignore.Matcher(ignore.read_patterns(text)).ignored(path, is_dir) is gogit
    assert _git_ignored(tmp_path, [path]) == {path: not gogit}


# --- Go's filepath.Match -------------------------------------------------------------


@pytest.mark.parametrize(
    ("glob", "name", "matches"),
    [
        ("*", "", True),
        ("a*", "a", True),
        ("*c", "abc", True),
        ("a*b*c", "axxbyyc", True),
        ("a*b", "a", False),
        ("a?c", "abc", True),
        ("a?c", "ac", False),
        ("[a-c]", "b", True),
        ("[^a-c]", "d", True),
        ("[^a-c]", "b", False),
        ("[!a]", "!", True),
        ("[\\]]", "]", True),
        ("\\*", "*", True),
        ("\\*", "x", False),
        ("[", "[", False),  # malformed: never matches
        ("a[", "a[", False),
        ("[]a]", "]", False),  # Go: `]` cannot open a class
        ("[a-]", "a", False),
        ("abc\\", "abc", False),  # trailing backslash is malformed
        ("x*[", "xyz", False),  # malformed after a failing match is still malformed
        ("é?", "éa", True),
        ("[à-ü]", "é", True),
    ],
)
def test_segment_glob_is_go_filepath_match(glob: str, name: str, matches: bool) -> None:
    assert ignore._go_match(glob, name) is matches


# --- reading ignore text ---------------------------------------------------------------


def test_read_patterns_skips_comments_and_blank_lines_and_strips_cr() -> None:
    patterns = ignore.read_patterns("# c\n\n  \t\nfoo\r\n\\#bar\n !x\n")
    assert [p.segments for p in patterns] == [("foo",), ("\\#bar",), (" !x",)]
    assert [p.inclusion for p in patterns] == [False, False, False]


def test_parse_pattern_marks_negation_dir_only_and_anchoring() -> None:
    p = ignore.parse_pattern("!/deploy/", ("sub",))
    assert (p.inclusion, p.dir_only, p.is_glob, p.segments, p.domain) == (True, True, True, ("", "deploy"), ("sub",))
    q = ignore.parse_pattern("name/")
    assert (q.dir_only, q.is_glob, q.segments) == (True, False, ("name",))


def test_root_is_never_ignored() -> None:
    matcher = ignore.Matcher(ignore.read_patterns("*"))
    assert not matcher.ignored(".", True)
    assert not matcher.ignored("", True)


# --- Flux's groups ------------------------------------------------------------------


def test_group_constants_are_fluxs_lists() -> None:
    assert ignore.VCS_PATTERNS == (".git/", ".gitignore", ".gitmodules", ".gitattributes")
    assert ignore.DEFAULT_PATTERNS == (
        "*.jpg", "*.jpeg", "*.gif", "*.png", "*.wmv", "*.flv", "*.tar.gz", "*.zip",
        ".github/", ".circleci/", ".travis.yml", ".gitlab-ci.yml", "appveyor.yml", ".drone.yml",
        "cloudbuild.yaml", "codeship-services.yml", "codeship-steps.yml",
        "**/.goreleaser.yml", "**/.sops.yaml", "**/.flux.yaml",
    )  # fmt: skip


DEFAULT_EXCLUDED = [
    (".git", True), (".git/HEAD", False), (".gitignore", False), ("a/.gitmodules", False), (".gitattributes", False),
    ("logo.png", False), ("img/a.jpg", False), ("x.tar.gz", False), ("b.zip", False), ("c.gif", False),
    (".github", True), (".github/workflows/ci.yaml", False), (".circleci/config.yml", False),
    (".travis.yml", False), (".gitlab-ci.yml", False), ("appveyor.yml", False), (".drone.yml", False),
    ("cloudbuild.yaml", False), ("codeship-services.yml", False), ("codeship-steps.yml", False),
    ("deep/.goreleaser.yml", False), (".sops.yaml", False), ("apps/.sops.yaml", False), ("a/b/.flux.yaml", False),
]  # fmt: skip


def test_defaults_apply_without_custom_patterns(tmp_path: Path) -> None:
    matcher = ignore.matcher_for(tmp_path, spec_ignore=None)
    assert [p for p, d in DEFAULT_EXCLUDED if not matcher.ignored(p, d)] == []
    assert not matcher.ignored("apps/deploy.yaml", False)
    assert not matcher.ignored(".sourceignore", False)


def test_any_custom_pattern_leaves_only_the_vcs_group(tmp_path: Path) -> None:
    matcher = ignore.matcher_for(tmp_path, spec_ignore="*.md\n")
    assert matcher.ignored("README.md", False)
    assert matcher.ignored(".git/HEAD", False)
    assert matcher.ignored(".gitignore", False)
    assert not matcher.ignored("logo.png", False)
    assert not matcher.ignored(".github/workflows/ci.yaml", False)
    assert not matcher.ignored(".sops.yaml", False)


def test_sourceignore_pattern_also_drops_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "apps").mkdir()
    (tmp_path / "apps/.sourceignore").write_text("*.md\n")
    matcher = ignore.matcher_for(tmp_path, spec_ignore=None)
    assert not matcher.ignored("logo.png", False)
    assert matcher.ignored("apps/x.md", False)
    assert not matcher.ignored("x.md", False)


@pytest.mark.parametrize("spec_ignore", ["", "# only a comment\n\n"])
def test_spec_ignore_without_pattern_lines_keeps_the_defaults(tmp_path: Path, spec_ignore: str) -> None:
    (tmp_path / ".sourceignore").write_text("# nothing\n")
    matcher = ignore.matcher_for(tmp_path, spec_ignore=spec_ignore)
    assert matcher.ignored("logo.png", False)


def test_vcs_group_can_be_overridden_by_a_negation(tmp_path: Path) -> None:
    # The VCS patterns come first, so later custom lines outrank them (go-git order).
    matcher = ignore.matcher_for(tmp_path, spec_ignore="!.gitignore\n")
    assert not matcher.ignored(".gitignore", False)


# --- .sourceignore files ----------------------------------------------------------------


def test_deeper_sourceignore_outranks_the_root_one(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / ".sourceignore").write_text("*.yaml\n")
    (tmp_path / "a/.sourceignore").write_text("!keep.yaml\n")
    matcher = ignore.matcher_for(tmp_path, spec_ignore=None)
    assert matcher.ignored("x.yaml", False)
    assert matcher.ignored("a/x.yaml", False)
    assert not matcher.ignored("a/keep.yaml", False)
    assert matcher.ignored("keep.yaml", False)


def test_spec_ignore_outranks_sourceignore_and_is_scoped_to_the_root(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a/.sourceignore").write_text("!/x.yaml\n")
    matcher = ignore.matcher_for(tmp_path, spec_ignore="/x.yaml\n**/x.yaml\n")
    assert matcher.ignored("x.yaml", False)
    assert matcher.ignored("a/x.yaml", False)


def test_sourceignore_files_are_loaded_root_first_then_subdirs_in_byte_order(tmp_path: Path) -> None:
    for d in ("b", "B", "a/c"):
        (tmp_path / d).mkdir(parents=True)
        (tmp_path / d / ".sourceignore").write_text(f"{d.replace('/', '-')}\n")
    (tmp_path / ".sourceignore").write_text("root\n")
    patterns = ignore.load_ignore_files(tmp_path)
    assert [(p.domain, p.segments) for p in patterns] == [
        ((), ("root",)),
        (("B",), ("B",)),
        (("a", "c"), ("a-c",)),
        (("b",), ("b",)),
    ]


def test_sourceignore_in_git_dir_and_behind_symlinks_is_not_read(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git/.sourceignore").write_text("*.yaml\n")
    outside = tmp_path.parent / (tmp_path.name + "-outside")
    outside.mkdir()
    (outside / ".sourceignore").write_text("*.yaml\n")
    os.symlink(outside, tmp_path / "link")
    assert ignore.load_ignore_files(tmp_path) == []


def test_unreadable_sourceignore_is_an_artifact_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / ".sourceignore").mkdir()  # a directory cannot be read as a file
    with pytest.raises(ArtifactError, match=r"\.sourceignore"):
        ignore.matcher_for(tmp_path, spec_ignore=None)


def test_hides_subtree_only_without_negations() -> None:
    assert ignore.Matcher(ignore.read_patterns("dir/")).hides_subtree(("dir",))
    assert not ignore.Matcher(ignore.read_patterns("dir/\n!dir/keep")).hides_subtree(("dir",))


def test_compiled_globs_agree_with_the_step_by_step_port_of_go() -> None:
    # The matcher uses regular expressions for speed; the port of Go's algorithm
    # is the reference. Exhaustive over short patterns of the tricky characters.
    rng = random.Random(7)
    alphabet = "ab*?[]^-\\!"
    names = ["", "a", "b", "ab", "ba", "aab", "!", "-", "^", "]", "[", "\\", "*", "?", "a-b", "é", "a]b"]
    names += ["".join(rng.choice("ab!-^[]\\*?") for _ in range(rng.randint(0, 5))) for _ in range(25)]
    patterns = ["".join(p) for k in range(1, 4) for p in itertools.product(alphabet, repeat=k)]
    patterns += ["".join(rng.choice(alphabet) for _ in range(rng.randint(4, 9))) for _ in range(1500)]
    mismatches = [
        (p, n) for p in patterns for n in names if ignore._go_match(p, n) is not ignore._go_match_slow(p, n)
    ]
    assert mismatches == []


def test_grouped_matcher_agrees_with_pattern_by_pattern_matching() -> None:
    # Matcher folds runs of patterns into regular expressions; go-git's plain
    # last-match-wins loop over Pattern.match is the reference.
    rng = random.Random(11)
    globs = ["a", "b*", "*.y", "**", "[ab]", "a**", "?", "c[", "x"]
    pieces = [*globs, "**", ""]
    segments = ["a", "b", "bb", "c.y", "x", "ab", "c["]
    for _ in range(400):
        patterns = []
        for _ in range(rng.randint(1, 6)):
            body = "/".join(rng.choice(pieces) for _ in range(rng.randint(1, 3)))
            line = ("!" if rng.random() < 0.3 else "") + body + ("/" if rng.random() < 0.3 else "")
            domain = rng.choice([(), (), ("a",), ("a", "b")])
            patterns.append(ignore.parse_pattern(line, domain))
        matcher = ignore.Matcher(patterns)
        for _ in range(30):
            path = [rng.choice(segments) for _ in range(rng.randint(1, 4))]
            is_dir = rng.random() < 0.5
            reference = next(
                (v for p in reversed(patterns) if (v := p.match(path, is_dir)) is not None), False
            )
            assert matcher.ignored_segments(path, is_dir) is reference, (patterns, path, is_dir)
