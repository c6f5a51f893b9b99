"""The Setters update strategy: rewrite the scalars marked with `$imagepolicy` under `update.path`.

This is the step between policy selection and the commit in the image pipeline:
each ImagePolicy's ``latestRef`` becomes four setter values, and every YAML file
under the automation's ``spec.update.path`` that carries a marker for one of
them gets the marked scalars rewritten. The result has the shape Flux's
commit-message template reads (``.Changed.FileChanges``, ``.Changed.Changes()``,
``.Changed.Objects()``) so the commit step can render it without knowing YAML.

What matches Flux's image-automation-controller (``internal/update``):

* Setter names and values. A policy ``NAMESPACE/NAME`` with ``latestRef
  {name, tag, digest}`` defines ``NAMESPACE:NAME`` (``name:tag``, plus ``@digest``
  when there is one), ``NAMESPACE:NAME:tag``, ``NAMESPACE:NAME:name`` and
  ``NAMESPACE:NAME:digest`` (``""`` without digest reflection, so the field
  becomes ``digest: ""``). A change is recorded, with the marker's name as its
  ``Setter``, only when the value differs. A marker naming anything else (no
  namespace, another field, an unknown policy, a policy without ``latestRef``)
  leaves the value alone; fluxpy also reports it, where Flux is silent.
* Which files. ``update.path`` is walked recursively in lexical order without
  following symlinked directories; only ``*.yaml``, ``*.yml`` and files named
  ``Kustomization`` are read, and only those containing the literal
  ``"$imagepolicy"`` are parsed. A file that does not parse is left alone and
  reported (Flux's "problem files"); the other files are still updated. File
  names in the result are relative to ``update.path``, with ``/`` separators.
* Objects. Each change is filed under the document's ``apiVersion``, ``kind``,
  ``metadata.name`` and ``metadata.namespace`` (empty when missing, as for a
  ``kustomization.yaml``).

Where fluxpy differs on purpose: Flux re-serialises every file it changes
(re-indenting, dropping blank lines and ``---``, turning CRLF into LF); fluxpy
changes only the marked scalars' characters (see `fluxpy.image.markers` for how
they are quoted). It skips ``.git``, never reads through a symlink that leads
outside the repository root, and writes each changed file atomically (a
temporary file renamed over it, keeping its mode) only after every file was
computed, so a failure leaves each file either as it was or fully updated.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import yaml

from fluxpy.errors import FluxpyError
from fluxpy.image import markers

__all__ = ["Change", "FileUpdate", "LatestRef", "ObjectId", "ParseProblem", "SetterError",
           "TreeResult", "UnknownMarker", "setter_values", "update_text", "update_tree"]

_FIELDS = ("tag", "name", "digest")
_KUSTOMIZATION = "Kustomization"


class SetterError(FluxpyError):
    """The update could not run at all (bad update path, a file that cannot be written)."""


class LatestRef(Protocol):
    """An ImagePolicy's ``status.latestRef`` (`fluxpy.models.image.ImageRef` is one)."""

    @property
    def name(self) -> str: ...

    @property
    def tag(self) -> str: ...

    @property
    def digest(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class ObjectId:
    """The object a change was made in: Flux's ``ObjectIdentifier`` (kyaml ``ResourceIdentifier``)."""

    api_version: str = ""
    kind: str = ""
    name: str = ""
    namespace: str = ""

    def __str__(self) -> str:
        return "/".join(p for p in (self.kind, self.namespace, self.name) if p) or "(unnamed document)"


@dataclass(frozen=True, slots=True)
class Change:
    """One marked value that changed: Flux's ``update.Change`` plus the object it is in.

    Attributes:
        object: the document the scalar is in.
        old_value: the value before.
        new_value: the value written.
        setter: the marker's name as Flux's template sees it, e.g. ``flux-system:app:tag``.
    """

    object: ObjectId
    old_value: str
    new_value: str
    setter: str


@dataclass(frozen=True, slots=True)
class UnknownMarker:
    """A well-formed marker whose setter no policy defines; its value was left alone."""

    file: str
    line: int
    setter: str
    reason: str
    object: ObjectId

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: marker {self.setter!r} ignored: {self.reason}"


@dataclass(frozen=True, slots=True)
class ParseProblem:
    """A screened file that was left unchanged because it could not be read or parsed."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class FileUpdate:
    """`update_text`'s result for one file.

    Attributes:
        path: the name the file was given.
        text: the new text; the original when nothing changed or on a problem.
        changes: the changed values, in file order.
        unknown: the markers for setters no policy defines.
        problem: why the file was left alone, or None.
    """

    path: str
    text: str
    changes: tuple[Change, ...] = ()
    unknown: tuple[UnknownMarker, ...] = ()
    problem: ParseProblem | None = None

    @property
    def changed(self) -> bool:
        """Whether `text` differs from the input."""
        return bool(self.changes)


@dataclass(frozen=True, slots=True)
class TreeResult:
    """`update_tree`'s result, shaped like Flux's ``update.Result``.

    Attributes:
        base: the directory file names are relative to (``update.path``, resolved).
        file_changes: file -> object -> changes, in walk and file order
            (``.Changed.FileChanges`` in a commit template).
        written: the files rewritten (resolved paths, each once).
        unknown: markers no policy defines, in walk order.
        problems: files left unchanged because they could not be read or parsed.
        skipped_links: symlinks not followed because they lead outside the root.
        screened: how many files contained the marker token and were parsed.
    """

    base: Path
    file_changes: Mapping[str, Mapping[ObjectId, list[Change]]]
    written: tuple[Path, ...] = ()
    unknown: tuple[UnknownMarker, ...] = ()
    problems: tuple[ParseProblem, ...] = ()
    skipped_links: tuple[str, ...] = ()
    screened: int = 0

    def changes(self) -> list[Change]:
        """Every change once, as Flux's ``Result.Changes()`` (distinct old, new and setter)."""
        seen: set[tuple[str, str, str]] = set()
        out: list[Change] = []
        for objects in self.file_changes.values():
            for changes in objects.values():
                for c in changes:
                    key = (c.old_value, c.new_value, c.setter)
                    if key not in seen:
                        seen.add(key)
                        out.append(c)
        return out

    def objects(self) -> dict[ObjectId, list[Change]]:
        """Changes per object across files, as Flux's ``Result.Objects()``.

        Flux assigns rather than appends, so when one object appears in several
        files only one file's list survives; here it is the last file in walk order.
        """
        out: dict[ObjectId, list[Change]] = {}
        for objects in self.file_changes.values():
            for obj, changes in objects.items():
                out[obj] = changes
        return out


@dataclass(frozen=True, slots=True)
class _Table:
    values: Mapping[str, str]
    pending: frozenset[str]  # policies that have no latestRef yet

    def reason(self, setter: str) -> str:
        parts = setter.split(":")
        if len(parts) == 1:
            return "no namespace; a marker names NAMESPACE:NAME"
        base = ":".join(parts[:2])
        policy = "/".join(parts[:2])
        if len(parts) > 3 or (len(parts) == 3 and parts[2] not in _FIELDS):
            return f"unknown field {':'.join(parts[2:])!r}; use :tag, :name or :digest"
        if base in self.pending:
            return f"ImagePolicy {policy} has no latest image yet"
        if len(parts) == 2 and parts[1] in _FIELDS:
            return (f"no ImagePolicy {policy} among the automation's policies "
                    f"(the namespace comes first: NAMESPACE:NAME:{parts[1]})")
        return f"no ImagePolicy {policy} among the automation's policies"


def setter_values(policies: Mapping[str, LatestRef | None]) -> dict[str, str]:
    """The setters Flux defines for each policy's latest ref.

    Args:
        policies: ``"namespace:name"`` -> the policy's ``latestRef`` (None: not resolved yet,
            no setters, as Flux skips such policies).

    Returns:
        Setter name -> value, four per policy: the ref, ``:tag``, ``:name`` and ``:digest``.
    """
    out: dict[str, str] = {}
    for key, ref in policies.items():
        if ref is None:
            continue
        digest = ref.digest or ""
        out[key] = f"{ref.name}:{ref.tag}" + (f"@{digest}" if digest else "")
        out[f"{key}:tag"] = ref.tag
        out[f"{key}:name"] = ref.name
        out[f"{key}:digest"] = digest
    return out


def _table(policies: Mapping[str, LatestRef | None]) -> _Table:
    return _Table(setter_values(policies), frozenset(k for k, v in policies.items() if v is None))


def update_text(text: str, policies: Mapping[str, LatestRef | None], *, path: str) -> FileUpdate:
    """Rewrite the marked scalars of one file's text, changing nothing else.

    Args:
        text: the file's content (a leading BOM and CRLF line ends are kept).
        policies: ``"namespace:name"`` -> ``latestRef`` (or None when there is none yet).
        path: the file's name, used in what is reported.

    Returns:
        The `FileUpdate`: new text and changes, or the original text and the problem.
    """
    return _update(text, _table(policies), path)


def _update(text: str, table: _Table, path: str) -> FileUpdate:
    try:
        found = markers.scan(text)
    except yaml.YAMLError as exc:
        return FileUpdate(path, text, problem=_yaml_problem(path, exc))
    except markers.UnlocatableScalar as exc:
        return FileUpdate(path, text, problem=ParseProblem(path, exc.line,
                                                           "cannot locate the marked scalar's text"))
    changes: list[Change] = []
    unknown: list[UnknownMarker] = []
    edits: list[tuple[int, int, str]] = []
    expected = list(found.signature)
    for site in found.sites:
        obj = ObjectId(*found.documents[site.document])
        new = table.values.get(site.setter)
        if new is None:
            unknown.append(UnknownMarker(path, site.line, site.setter, table.reason(site.setter), obj))
            continue
        if new == site.value:
            continue
        edits.append((site.start, site.end, markers.render(new, site.style, in_flow=site.in_flow)))
        expected[site.ordinal] = new
        changes.append(Change(obj, site.value, new, site.setter))
    if not edits:
        return FileUpdate(path, text, unknown=tuple(unknown))
    new_text = markers.splice(text, edits)
    if not markers.same_structure(new_text, expected):
        # A safety net: never write a file that would read back differently.
        return FileUpdate(path, text, unknown=tuple(unknown), problem=ParseProblem(
            path, None, "rewriting the marked values would change how the file reads; left unchanged"))
    return FileUpdate(path, new_text, tuple(changes), tuple(unknown))


def _yaml_problem(path: str, exc: yaml.YAMLError) -> ParseProblem:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    if problem:
        message = f"invalid YAML: {problem}" + (f" ({context})" if context else "")
    else:
        message = f"invalid YAML: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
    return ParseProblem(path, mark.line + 1 if mark is not None else None, message)


# --- the tree -----------------------------------------------------------------------------

def update_tree(root: Path, subpath: str, policies: Mapping[str, LatestRef | None]) -> TreeResult:
    """Run the Setters strategy over ``root/subpath`` and write the changed files.

    Every file is computed first; the changed ones are then written, each through a
    temporary file renamed over it (mode kept). Unchanged files are not touched.

    Args:
        root: the repository's working tree; nothing outside it is read or written.
        subpath: ``spec.update.path`` (``""``, ``.`` or ``./dir`` style, or a single file).
        policies: ``"namespace:name"`` -> ``latestRef`` (or None when there is none yet).

    Returns:
        The `TreeResult`.

    Raises:
        SetterError: the update path is missing or outside the root, or a changed
            file cannot be written (then no file was changed).
    """
    table = _table(policies)
    root_real = Path(os.path.realpath(root))
    if not root_real.is_dir():
        raise SetterError(f"repository root {root} is not a directory")
    target = Path(os.path.realpath(root_real / subpath))
    if not target.is_relative_to(root_real):
        raise SetterError(f"update path {subpath!r} is outside the repository",
                          hint="set spec.update.path to a directory inside the repository")
    if not target.exists():
        raise SetterError(f"update path {subpath!r} does not exist in the repository",
                          hint="check spec.update.path of the ImageUpdateAutomation")
    if target.is_dir():
        base = target
        candidates = list(_walk(str(target), ""))
    else:
        base = target.parent
        candidates = [(target.name, str(target), False)] if _wanted(target.name) else []

    file_changes: dict[str, dict[ObjectId, list[Change]]] = {}
    unknown: list[UnknownMarker] = []
    problems: list[ParseProblem] = []
    skipped: list[str] = []
    writes: dict[Path, str] = {}
    screened = 0
    for key, path, is_link in candidates:
        real = path
        if is_link:
            real = os.path.realpath(path)
            if not Path(real).is_relative_to(root_real):
                skipped.append(key)
                continue
            if not os.path.isfile(real):
                continue  # as Flux: a symlink that cannot be read (dangling, a directory) is skipped
        try:
            with open(real, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            problems.append(ParseProblem(key, None, f"cannot read the file: {exc.strerror or exc}"))
            continue
        if markers.MARKER_TOKEN not in data:
            continue
        screened += 1
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(ParseProblem(key, data.count(b"\n", 0, exc.start) + 1, "not valid UTF-8"))
            continue
        result = _update(text, table, key)
        unknown.extend(result.unknown)
        if result.problem is not None:
            problems.append(result.problem)
        if result.changes:
            objects: dict[ObjectId, list[Change]] = {}
            for change in result.changes:
                objects.setdefault(change.object, []).append(change)
            file_changes[key] = objects
            writes.setdefault(Path(real), result.text)
    _write_all(writes)
    return TreeResult(base=base, file_changes=file_changes, written=tuple(writes),
                      unknown=tuple(unknown), problems=tuple(problems),
                      skipped_links=tuple(skipped), screened=screened)


def _wanted(name: str) -> bool:
    return name.endswith((".yaml", ".yml")) or name == _KUSTOMIZATION


def _walk(directory: str, prefix: str) -> Iterator[tuple[str, str, bool]]:
    """(name relative to the update path, path, is a symlink) for each candidate file, in
    lexical order like Go's filepath.Walk; symlinked directories are not entered, and
    only regular files and symlinks are candidates (a FIFO would block the read)."""
    with os.scandir(directory) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if entry.name != ".git":
                yield from _walk(entry.path, f"{prefix}{entry.name}/")
        elif _wanted(entry.name) and (entry.is_symlink() or entry.is_file(follow_symlinks=False)):
            yield f"{prefix}{entry.name}", entry.path, entry.is_symlink()


def _write_all(writes: Mapping[Path, str]) -> None:
    staged: list[tuple[str, Path]] = []
    try:
        for real, text in writes.items():
            mode = stat.S_IMODE(os.stat(real).st_mode)
            fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".fluxpy", dir=real.parent)
            staged.append((tmp, real))
            with os.fdopen(fd, "wb") as fh:
                fh.write(text.encode("utf-8"))
            os.chmod(tmp, mode)
    except OSError as exc:
        for tmp, _ in staged:
            with suppress(OSError):
                os.unlink(tmp)
        failed = staged[-1][1] if staged else next(iter(writes))
        raise SetterError(f"cannot write {failed}: {exc.strerror or exc}; no file was changed",
                          hint="check the working tree's permissions and free space") from exc
    done = 0
    try:
        for tmp, real in staged:
            os.replace(tmp, real)
            done += 1
    except OSError as exc:
        for tmp, _ in staged[done:]:
            with suppress(OSError):
                os.unlink(tmp)
        raise SetterError(f"cannot replace {staged[done][1]}: {exc.strerror or exc}; "
                          f"{done} of {len(staged)} files were updated") from exc
