"""The Setters update rewrites only the marked scalars, byte for byte, picking them as Flux does.

Covers: the four marker kinds (the whole ref with and without a digest,
``:tag``, ``:name``, ``:digest`` with and without a digest); markers on list
items (line comment, single comment line above) and not above mapping keys;
flow mappings and sequences; comments, anchors and aliases, ``---``/``...``,
several documents, CRLF, a BOM and tabs kept; quoting (quote styles kept,
all-digit and other non-string values double-quoted in plain fields); markers
without a namespace, with text after the JSON, or naming unknown policies or
fields left alone and reported; the setter names and object identities Flux's
commit template sees, and ``Changes()``/``Objects()``; the tree walk (which
names are read, the ``"$imagepolicy"`` screen, ``Kustomization`` files,
``.git`` skipped, symlinks leaving the root not followed, symlinks inside it
followed); malformed YAML reported while the other files are updated; only
changed files rewritten, modes kept, and a failed write changing no file.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest

from fluxpy.image import markers, setters
from fluxpy.image.setters import Change, ObjectId, SetterError, update_text, update_tree
from fluxpy.models.image import ImageRef

DIGEST = "sha256:" + "ab" * 32
POLICIES: dict[str, ImageRef | None] = {
    "flux-system:app": ImageRef("ghcr.io/acme/app", "v1.2.3"),
    "flux-system:pinned": ImageRef("ghcr.io/acme/pinned", "v2.0.0", DIGEST),
    "flux-system:build": ImageRef("registry.local/build", "20240115"),
    "apps:web": ImageRef("docker.io/acme/web", "1.0"),
    "apps:waiting": None,
}


def updated(text: str) -> str:
    result = update_text(text, POLICIES, path="f.yaml")
    assert result.problem is None
    return result.text


# --- each case: file before -> file after, compared as exact text -----------------------

CASES = {
    "whole ref": (
        'image: ghcr.io/acme/app:v1.0.0 # {"$imagepolicy": "flux-system:app"}\n',
        'image: ghcr.io/acme/app:v1.2.3 # {"$imagepolicy": "flux-system:app"}\n'),
    "whole ref with digest": (
        'image: ghcr.io/acme/pinned:v1 # {"$imagepolicy": "flux-system:pinned"}\n',
        f'image: ghcr.io/acme/pinned:v2.0.0@{DIGEST} # {{"$imagepolicy": "flux-system:pinned"}}\n'),
    "tag and name": (
        "images:\n"
        "  - name: app\n"
        '    newName: old/app # {"$imagepolicy": "flux-system:app:name"}\n'
        '    newTag: v1.0.0 # {"$imagepolicy": "flux-system:app:tag"}\n',
        "images:\n"
        "  - name: app\n"
        '    newName: ghcr.io/acme/app # {"$imagepolicy": "flux-system:app:name"}\n'
        '    newTag: v1.2.3 # {"$imagepolicy": "flux-system:app:tag"}\n'),
    "kustomization with a patch and a patch target": (
        "# not a working kustomization\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        "images:\n  - name: app\n"
        '    newName: old # {"$imagepolicy": "flux-system:pinned:name"}\n'
        '    digest: sha256:1 # {"$imagepolicy": "flux-system:pinned:digest"}\n'
        "patches:\n  - patch: |\n      - op: replace\n        path: /spec/x\n"
        '        value: old # {"$imagepolicy": "flux-system:app"}\n'
        "    target:\n      kind: Deployment\n"
        '      image: old # {"$imagepolicy": "flux-system:app"}\n',
        "# not a working kustomization\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        "images:\n  - name: app\n"
        '    newName: ghcr.io/acme/pinned # {"$imagepolicy": "flux-system:pinned:name"}\n'
        f'    digest: {DIGEST} # {{"$imagepolicy": "flux-system:pinned:digest"}}\n'
        "patches:\n  - patch: |\n      - op: replace\n        path: /spec/x\n"
        '        value: old # {"$imagepolicy": "flux-system:app"}\n'
        "    target:\n      kind: Deployment\n"
        '      image: ghcr.io/acme/app:v1.2.3 # {"$imagepolicy": "flux-system:app"}\n'),
    "digest": (
        'digest: sha256:0000 # {"$imagepolicy": "flux-system:pinned:digest"}\n',
        f'digest: {DIGEST} # {{"$imagepolicy": "flux-system:pinned:digest"}}\n'),
    "digest without one becomes an empty string": (
        'digest: sha256:0000 # {"$imagepolicy": "flux-system:app:digest"}\n',
        'digest: "" # {"$imagepolicy": "flux-system:app:digest"}\n'),
    "list item with a line comment": (
        'args:\n  - --image=x\n  - old:1 # {"$imagepolicy": "flux-system:app"}\n',
        'args:\n  - --image=x\n  - ghcr.io/acme/app:v1.2.3 # {"$imagepolicy": "flux-system:app"}\n'),
    "list item with the marker on the line above": (
        'args:\n# {"$imagepolicy": "flux-system:app:tag"}\n- v1.0.0\n- v1.0.0\n',
        'args:\n# {"$imagepolicy": "flux-system:app:tag"}\n- v1.2.3\n- v1.0.0\n'),
    "marker above a mapping key marks nothing": (
        'spec:\n  # {"$imagepolicy": "flux-system:app"}\n  image: old:1\n',
        'spec:\n  # {"$imagepolicy": "flux-system:app"}\n  image: old:1\n'),
    "marker above a list of mappings marks nothing": (
        'c:\n  # {"$imagepolicy": "flux-system:app"}\n  - image: old:1\n',
        'c:\n  # {"$imagepolicy": "flux-system:app"}\n  - image: old:1\n'),
    "two comment lines above a list item are not a marker": (
        'a:\n# note\n# {"$imagepolicy": "flux-system:app:tag"}\n- v1\n',
        'a:\n# note\n# {"$imagepolicy": "flux-system:app:tag"}\n- v1\n'),
    "a blank line between the marker and the item breaks it": (
        'a:\n# {"$imagepolicy": "flux-system:app:tag"}\n\n- v1\n',
        'a:\n# {"$imagepolicy": "flux-system:app:tag"}\n\n- v1\n'),
    "a line comment that is not a marker hides the one above": (
        'a:\n# {"$imagepolicy": "flux-system:app:tag"}\n- v1 # pinned\n',
        'a:\n# {"$imagepolicy": "flux-system:app:tag"}\n- v1 # pinned\n'),
    "comment lines inside a block scalar are not markers": (
        'a:\n- |\n  text\n  # {"$imagepolicy": "flux-system:app:tag"}\n- v1\n',
        'a:\n- |\n  text\n  # {"$imagepolicy": "flux-system:app:tag"}\n- v1\n'),
    "multi-line flow mapping": (
        "image: {\n"
        '  repository: old, # {"$imagepolicy": "flux-system:app:name"}\n'
        '  tag: v1 # {"$imagepolicy": "flux-system:app:tag"}\n'
        "}\n",
        "image: {\n"
        '  repository: ghcr.io/acme/app, # {"$imagepolicy": "flux-system:app:name"}\n'
        '  tag: v1.2.3 # {"$imagepolicy": "flux-system:app:tag"}\n'
        "}\n"),
    "comment after a one-line flow mapping belongs to the mapping": (
        'image: {repository: old, tag: v1} # {"$imagepolicy": "flux-system:app:tag"}\n',
        'image: {repository: old, tag: v1} # {"$imagepolicy": "flux-system:app:tag"}\n'),
    "flow sequence items": (
        'args: [\n  # {"$imagepolicy": "flux-system:app:tag"}\n  v1,\n  old:1, # {"$imagepolicy": "flux-system:app"}\n]\n',
        'args: [\n  # {"$imagepolicy": "flux-system:app:tag"}\n  v1.2.3,\n'
        '  ghcr.io/acme/app:v1.2.3, # {"$imagepolicy": "flux-system:app"}\n]\n'),
    "anchors, aliases, separators and comments are kept": (
        "# leading comment\n\n---\n"
        'base: &img old:1   # {"$imagepolicy": "flux-system:app"}\n'
        "copy: *img\n"
        "other: &o  keep   # not a marker\n"
        "...\n---\n# second\n"
        "x:    [a,  b]    # spacing kept\n",
        "# leading comment\n\n---\n"
        'base: &img ghcr.io/acme/app:v1.2.3   # {"$imagepolicy": "flux-system:app"}\n'
        "copy: *img\n"
        "other: &o  keep   # not a marker\n"
        "...\n---\n# second\n"
        "x:    [a,  b]    # spacing kept\n"),
    "CRLF, BOM and tabs": (
        '\ufeffa: 1\r\n#\tnote\r\nimage: old:1\t# {"$imagepolicy":\t"flux-system:app"}\r\nb: 2\r\n',
        '\ufeffa: 1\r\n#\tnote\r\nimage: ghcr.io/acme/app:v1.2.3\t# {"$imagepolicy":\t"flux-system:app"}\r\nb: 2\r\n'),
    "indentless sequence, odd indentation and a tag": (
        "a:\n-    name: c\n     image:   !!str old:1 # {\"$imagepolicy\": \"flux-system:app\"}\n",
        "a:\n-    name: c\n     image:   !!str ghcr.io/acme/app:v1.2.3 # {\"$imagepolicy\": \"flux-system:app\"}\n"),
    "all-digit tag into a plain field is double-quoted": (
        'tag: v1 # {"$imagepolicy": "flux-system:build:tag"}\n',
        'tag: "20240115" # {"$imagepolicy": "flux-system:build:tag"}\n'),
    "a number-like tag is double-quoted": (
        'tag: v1 # {"$imagepolicy": "apps:web:tag"}\n',
        'tag: "1.0" # {"$imagepolicy": "apps:web:tag"}\n'),
    "single quotes are kept": (
        "tag: 'v1' # {\"$imagepolicy\": \"flux-system:build:tag\"}\n",
        "tag: '20240115' # {\"$imagepolicy\": \"flux-system:build:tag\"}\n"),
    "double quotes are kept": (
        'image: "old:1" # {"$imagepolicy": "flux-system:app"}\n',
        'image: "ghcr.io/acme/app:v1.2.3" # {"$imagepolicy": "flux-system:app"}\n'),
    "extra string keys in the marker are fine and ## works": (
        'tag: v1 ## {"$imagepolicy": "flux-system:app:tag", "by": "ops"}\n',
        'tag: v1.2.3 ## {"$imagepolicy": "flux-system:app:tag", "by": "ops"}\n'),
    "text after the JSON disables the marker": (
        'tag: v1 # {"$imagepolicy": "flux-system:app:tag"} # pinned\n',
        'tag: v1 # {"$imagepolicy": "flux-system:app:tag"} # pinned\n'),
    "a non-string value in the marker disables it": (
        'tag: v1 # {"$imagepolicy": "flux-system:app:tag", "n": 1}\n',
        'tag: v1 # {"$imagepolicy": "flux-system:app:tag", "n": 1}\n'),
    "an empty value takes no marker": (
        'tag: # {"$imagepolicy": "flux-system:app:tag"}\n',
        'tag: # {"$imagepolicy": "flux-system:app:tag"}\n'),
    "a marker without namespace never matches": (
        'tag: v1 # {"$imagepolicy": "app"}\n',
        'tag: v1 # {"$imagepolicy": "app"}\n'),
    "an up-to-date value stays as written": (
        "tag: 'v1.2.3' # {\"$imagepolicy\": \"flux-system:app:tag\"}\n",
        "tag: 'v1.2.3' # {\"$imagepolicy\": \"flux-system:app:tag\"}\n"),
}


@pytest.mark.parametrize(("before", "after"), CASES.values(), ids=CASES.keys())
def test_marked_scalars_are_rewritten_byte_for_byte(before: str, after: str) -> None:
    assert updated(before) == after


@pytest.mark.parametrize(("tag", "written"), [
    ("20240115", '"20240115"'), ("1.0", '"1.0"'), ("1e3", '"1e3"'), ("0x1F", '"0x1F"'),
    ("08", '"08"'), ("y", '"y"'), ("on", '"on"'), ("no", '"no"'), ("null", '"null"'),
    ("true", '"true"'), ("2024-01-15", '"2024-01-15"'), ("v1.0", "v1.0"), ("1.2.3", "1.2.3"),
    ("latest", "latest"), ("1.0-rc.1", "1.0-rc.1"),
])
def test_a_tag_that_would_not_read_as_a_string_is_double_quoted(tag: str, written: str) -> None:
    pol = {"ns:p": ImageRef("r/app", tag)}
    result = update_text('t: v0 # {"$imagepolicy": "ns:p:tag"}\n', pol, path="f.yaml")
    assert result.text == f't: {written} # {{"$imagepolicy": "ns:p:tag"}}\n'


# --- what is reported ---------------------------------------------------------------------

def test_changes_carry_flux_setter_names_and_the_document_identity() -> None:
    text = (
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nimages:\n"
        '- newName: old # {"$imagepolicy": "flux-system:app:name"}\n'
        '  newTag: v1 # {"$imagepolicy": "flux-system:app:tag"}\n'
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: prod\n"
        "spec:\n  image: ghcr.io/acme/app:v1.2.3 # {\"$imagepolicy\": \"flux-system:app\"}\n"
        "  sidecar: old:1 # {\"$imagepolicy\": \"flux-system:pinned\"}\n")
    result = update_text(text, POLICIES, path="k.yaml")
    kustomization = ObjectId("kustomize.config.k8s.io/v1beta1", "Kustomization")
    web = ObjectId("apps/v1", "Deployment", "web", "prod")
    assert result.changes == (
        Change(kustomization, "old", "ghcr.io/acme/app", "flux-system:app:name"),
        Change(kustomization, "v1", "v1.2.3", "flux-system:app:tag"),
        Change(web, "old:1", f"ghcr.io/acme/pinned:v2.0.0@{DIGEST}", "flux-system:pinned"),
    )
    assert str(web) == "Deployment/prod/web"


def test_unknown_markers_are_reported_with_a_reason_and_left_alone() -> None:
    text = (
        'a: v1 # {"$imagepolicy": "app"}\n'
        'b: v1 # {"$imagepolicy": "flux-system:missing"}\n'
        'c: v1 # {"$imagepolicy": "apps:waiting:tag"}\n'
        'd: v1 # {"$imagepolicy": "flux-system:app:version"}\n'
        'e: v1 # {"$imagepolicy": "app:tag"}\n')
    result = update_text(text, POLICIES, path="f.yaml")
    assert result.text == text and not result.changes
    assert [(u.line, u.setter) for u in result.unknown] == [
        (1, "app"), (2, "flux-system:missing"), (3, "apps:waiting:tag"),
        (4, "flux-system:app:version"), (5, "app:tag")]
    assert [u.reason for u in result.unknown] == [
        "no namespace; a marker names NAMESPACE:NAME",
        "no ImagePolicy flux-system/missing among the automation's policies",
        "ImagePolicy apps/waiting has no latest image yet",
        "unknown field 'version'; use :tag, :name or :digest",
        "no ImagePolicy app/tag among the automation's policies "
        "(the namespace comes first: NAMESPACE:NAME:tag)",
    ]
    assert str(result.unknown[0]) == "f.yaml:1: marker 'app' ignored: no namespace; a marker names NAMESPACE:NAME"


def test_malformed_yaml_is_reported_with_its_line_and_left_unchanged() -> None:
    text = 'a: 1\nb: [x\nc: v1 # {"$imagepolicy": "flux-system:app:tag"}\n'
    result = update_text(text, POLICIES, path="bad.yaml")
    assert result.text == text and not result.changed
    assert result.problem is not None
    assert result.problem.file == "bad.yaml" and result.problem.line == 3
    assert str(result.problem).startswith("bad.yaml:3: invalid YAML: ")


def test_a_rewrite_that_would_read_differently_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markers, "render", lambda value, style, *, in_flow: "[oops")
    text = 'tag: v1 # {"$imagepolicy": "flux-system:app:tag"}\n'
    result = update_text(text, POLICIES, path="f.yaml")
    assert result.text == text and not result.changes
    assert result.problem is not None and "left unchanged" in result.problem.message


def test_setter_values_follow_flux_for_each_policy() -> None:
    assert setters.setter_values({"ns:a": ImageRef("r/a", "1"), "ns:b": None,
                                  "ns:c": ImageRef("r/c", "2", DIGEST)}) == {
        "ns:a": "r/a:1", "ns:a:tag": "1", "ns:a:name": "r/a", "ns:a:digest": "",
        "ns:c": f"r/c:2@{DIGEST}", "ns:c:tag": "2", "ns:c:name": "r/c", "ns:c:digest": DIGEST,
    }


# --- the tree -----------------------------------------------------------------------------

APP = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n  namespace: apps\nspec:\n"
       "  image: ghcr.io/acme/app:v1.0.0 # {\"$imagepolicy\": \"flux-system:app\"}\n")
KUSTOMIZATION = ("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nimages:\n"
                 "- name: app\n  newTag: v1.0.0 # {\"$imagepolicy\": \"flux-system:app:tag\"}\n")
CURRENT = "tag: v1.2.3 # {\"$imagepolicy\": \"flux-system:app:tag\"}\n"
BROKEN = "a: b\n  c: d\nimage: x # {\"$imagepolicy\": \"flux-system:app\"}\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode())
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    write(root / "clusters/prod/app.yaml", APP)
    write(root / "clusters/prod/nested/Kustomization", KUSTOMIZATION)
    write(root / "clusters/prod/current.yml", CURRENT)
    write(root / "clusters/prod/broken.yaml", BROKEN)
    write(root / "clusters/prod/values.json", APP)
    write(root / "clusters/prod/notes.txt", APP)
    write(root / "clusters/prod/unscreened.yaml", "a: [\nimage: x # {$imagepolicy: flux-system:app}\n")
    write(root / "clusters/prod/.git/hooks.yaml", APP)
    write(root / "clusters/staging/app.yaml", APP)
    write(root / "shared/tag.yaml", CURRENT.replace("v1.2.3", "v0"))
    write(tmp_path / "outside.yaml", APP)
    (root / "clusters/prod/out.yaml").symlink_to(tmp_path / "outside.yaml")
    (root / "clusters/prod/shared.yaml").symlink_to(root / "shared/tag.yaml")
    (root / "clusters/prod/dangling.yaml").symlink_to(root / "nowhere.yaml")
    (root / "clusters/prod/linkdir").symlink_to(root / "clusters/staging", target_is_directory=True)
    return root


def test_tree_updates_screened_files_and_reports_the_rest(repo: Path, tmp_path: Path) -> None:
    result = update_tree(repo, "./clusters/prod", POLICIES)
    prod = repo / "clusters/prod"
    assert result.base == prod
    assert list(result.file_changes) == ["app.yaml", "nested/Kustomization", "shared.yaml"]
    assert result.file_changes["app.yaml"] == {ObjectId("apps/v1", "Deployment", "app", "apps"): [
        Change(ObjectId("apps/v1", "Deployment", "app", "apps"), "ghcr.io/acme/app:v1.0.0",
               "ghcr.io/acme/app:v1.2.3", "flux-system:app")]}
    assert set(result.written) == {prod / "app.yaml", prod / "nested/Kustomization", repo / "shared/tag.yaml"}
    assert (prod / "app.yaml").read_text() == APP.replace("v1.0.0", "v1.2.3")
    assert (prod / "nested/Kustomization").read_text() == KUSTOMIZATION.replace("v1.0.0", "v1.2.3")
    assert (repo / "shared/tag.yaml").read_text() == CURRENT
    assert (prod / "shared.yaml").is_symlink()
    # Not read: other names, .git, a symlinked directory; not followed: a link leaving the root.
    assert (prod / "values.json").read_text() == APP and (prod / ".git/hooks.yaml").read_text() == APP
    assert (repo / "clusters/staging/app.yaml").read_text() == APP
    assert (tmp_path / "outside.yaml").read_text() == APP
    assert result.skipped_links == ("out.yaml",)
    # The malformed file is reported and untouched; the one without the token is never parsed.
    assert [(p.file, p.line) for p in result.problems] == [("broken.yaml", 2)]
    assert (prod / "broken.yaml").read_text() == BROKEN
    assert result.screened == 5  # app, broken, current, nested/Kustomization, shared


def test_only_changed_files_are_rewritten_and_modes_are_kept(repo: Path) -> None:
    prod = repo / "clusters/prod"
    os.chmod(prod / "app.yaml", 0o640)
    os.chmod(prod / "nested/Kustomization", 0o755)
    before = {p: os.stat(p) for p in (prod / "current.yml", prod / "broken.yaml", prod / "app.yaml")}
    update_tree(repo, "clusters/prod", POLICIES)
    for path in (prod / "current.yml", prod / "broken.yaml"):
        after = os.stat(path)
        assert (after.st_ino, after.st_mtime_ns) == (before[path].st_ino, before[path].st_mtime_ns)
    assert os.stat(prod / "app.yaml").st_ino != before[prod / "app.yaml"].st_ino
    assert stat.S_IMODE(os.stat(prod / "app.yaml").st_mode) == 0o640
    assert stat.S_IMODE(os.stat(prod / "nested/Kustomization").st_mode) == 0o755
    assert not [p for p in prod.rglob("*.fluxpy")]
    # A second run finds everything current and writes nothing.
    again = update_tree(repo, "clusters/prod", POLICIES)
    assert again.written == () and dict(again.file_changes) == {}


def test_changes_and_objects_match_flux_projections(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", APP)
    write(tmp_path / "b.yaml", APP)
    write(tmp_path / "c.yaml", KUSTOMIZATION)
    result = update_tree(tmp_path, "", POLICIES)
    app = ObjectId("apps/v1", "Deployment", "app", "apps")
    kus = ObjectId("kustomize.config.k8s.io/v1beta1", "Kustomization")
    assert result.changes() == [
        Change(app, "ghcr.io/acme/app:v1.0.0", "ghcr.io/acme/app:v1.2.3", "flux-system:app"),
        Change(kus, "v1.0.0", "v1.2.3", "flux-system:app:tag")]
    assert result.objects() == {app: result.file_changes["b.yaml"][app], kus: result.file_changes["c.yaml"][kus]}


def test_unknown_markers_in_the_tree_name_file_and_line(tmp_path: Path) -> None:
    write(tmp_path / "d/x.yaml", 'a: 1\nb: v1 # {"$imagepolicy": "flux-system:gone:tag"}\n')
    result = update_tree(tmp_path, "d", POLICIES)
    assert [str(u) for u in result.unknown] == [
        "x.yaml:2: marker 'flux-system:gone:tag' ignored: "
        "no ImagePolicy flux-system/gone among the automation's policies"]
    assert result.written == ()


def test_update_path_may_be_a_single_file(repo: Path) -> None:
    result = update_tree(repo, "clusters/staging/app.yaml", POLICIES)
    assert list(result.file_changes) == ["app.yaml"]
    assert (repo / "clusters/staging/app.yaml").read_text() == APP.replace("v1.0.0", "v1.2.3")


@pytest.mark.parametrize("subpath", ["..", "../outside.yaml", "/etc", "clusters/../../"])
def test_an_update_path_outside_the_root_is_refused(repo: Path, subpath: str) -> None:
    with pytest.raises(SetterError, match="outside the repository"):
        update_tree(repo, subpath, POLICIES)


def test_a_missing_update_path_is_an_error(repo: Path) -> None:
    with pytest.raises(SetterError, match="'clusters/dev' does not exist") as info:
        update_tree(repo, "clusters/dev", POLICIES)
    assert info.value.hint == "check spec.update.path of the ImageUpdateAutomation"


def test_a_failed_write_changes_no_file(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_mkstemp = tempfile.mkstemp
    calls = []

    def flaky(*, prefix: str, suffix: str, dir: Path) -> tuple[int, str]:
        calls.append(1)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_mkstemp(prefix=prefix, suffix=suffix, dir=dir)

    monkeypatch.setattr(tempfile, "mkstemp", flaky)
    with pytest.raises(SetterError, match="no file was changed"):
        update_tree(repo, "clusters/prod", POLICIES)
    prod = repo / "clusters/prod"
    assert (prod / "app.yaml").read_text() == APP
    assert (prod / "nested/Kustomization").read_text() == KUSTOMIZATION
    assert not [p for p in repo.rglob("*.fluxpy")]
