"""The commit message of an image update: Flux's template data, rendered by Go's rules.

image-automation-controller (`internal/source/source.go`, `templateMsg`)
renders `spec.git.commit.messageTemplate`, or `Update from image update
automation` when it is empty, with Go's `text/template` plus Sprig's hermetic
functions, over this data:

```go
type TemplateData struct {
    AutomationObject types.NamespacedName // prints as "<namespace>/<name>"
    Changed          update.Result        // FileChanges, Changes(), Objects()
    Values           map[string]string    // spec.git.commit.messageTemplateValues
}
```

`render` builds the same shape out of fluxpy's setters result and runs
`fluxpy.image.gotemplate`, so the Go-printed forms that Flux users hash or
grep come out byte for byte: `{{ .AutomationObject }}` is `ns/name`,
`{{ .Changed.FileChanges | toString }}` is
`map[deploy.yaml:map[{{{apps/v1 Deployment} {app ns}}}:[{old new ns:policy}]]]`
(an object identifier is kyaml's `ResourceIdentifier{TypeMeta, NameMeta}`),
and `range` walks files and objects in Go's sorted key order.

Two things Go leaves to chance are fixed here: `Changes()` lists changes by
file path, then object (API version, kind, name, namespace), then marker
order; and `Objects()`, which keeps one file's list per object, keeps the one
from the last file in path order.

The setters side only has to offer `file_changes` (path -> object -> changes)
with snake_case attributes (`ResultLike`); `Result`, `ObjectId` and `Change`
are ready-made implementations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Generic, Protocol, TypeVar

from fluxpy.image import gotemplate, sprig
from fluxpy.image.gotemplate import GoMap, GoSlice, TemplateError, go_field

__all__ = [
    "DEFAULT_MESSAGE_TEMPLATE",
    "TEMPLATE_NAME",
    "Change",
    "ChangeLike",
    "CommitMessageError",
    "ObjectId",
    "ObjectIdLike",
    "RemovedFieldError",
    "Result",
    "ResultLike",
    "render",
    "template_data",
]

DEFAULT_MESSAGE_TEMPLATE = "Update from image update automation"
TEMPLATE_NAME = "commit message"
_DOCS = "https://fluxcd.io/flux/components/image/imageupdateautomations/#message-template"


# --------------------------------------------------------------------------- the setters result


class ObjectIdLike(Protocol):
    """What identifies a changed object: kyaml's ResourceIdentifier (name may be empty)."""

    @property
    def name(self) -> str: ...

    @property
    def namespace(self) -> str: ...

    @property
    def api_version(self) -> str: ...

    @property
    def kind(self) -> str: ...


class ChangeLike(Protocol):
    """One marker's edit: the scalar before and after, and the setter (`ns:policy[:field]`)."""

    @property
    def old_value(self) -> str: ...

    @property
    def new_value(self) -> str: ...

    @property
    def setter(self) -> str: ...


_O = TypeVar("_O", bound=ObjectIdLike)


class ResultLike(Protocol[_O]):
    """The setters result: file path -> object -> changes in marker order."""

    @property
    def file_changes(self) -> Mapping[str, Mapping[_O, Sequence[ChangeLike]]]: ...


@dataclass(frozen=True, slots=True)
class ObjectId:
    """An object in a changed file, as `ObjectIdLike`."""

    name: str
    namespace: str
    api_version: str
    kind: str


@dataclass(frozen=True, slots=True)
class Change:
    """A changed scalar, as `ChangeLike`."""

    old_value: str
    new_value: str
    setter: str


@dataclass
class Result:
    """A setters result (`ResultLike`) built with `add_change`, like Flux's `update.Result`."""

    file_changes: dict[str, dict[ObjectId, list[Change]]] = field(default_factory=dict)

    def add_change(self, file: str, obj: ObjectId, *changes: Change) -> None:
        """Record changes to one object in one file, after those already recorded."""
        self.file_changes.setdefault(file, {}).setdefault(obj, []).extend(changes)


# --------------------------------------------------------------------------- Flux's template data, Go-shaped


@dataclass(frozen=True)
class _NamespacedName:
    __go_type__: ClassVar[str] = "types.NamespacedName"
    Namespace: str
    Name: str

    def String(self) -> str:  # noqa: N802 - Go's method name, called by templates and fmt
        return f"{self.Namespace}/{self.Name}"


@dataclass(frozen=True)
class _TypeMeta:
    __go_type__: ClassVar[str] = "yaml.TypeMeta"
    APIVersion: str = field(metadata=go_field(json="apiVersion,omitempty"))
    Kind: str = field(metadata=go_field(json="kind,omitempty"))


@dataclass(frozen=True)
class _NameMeta:
    __go_type__: ClassVar[str] = "yaml.NameMeta"
    Name: str = field(metadata=go_field(json="name,omitempty"))
    Namespace: str = field(metadata=go_field(json="namespace,omitempty"))


@dataclass(frozen=True)
class _ResourceIdentifier:
    __go_type__: ClassVar[str] = "yaml.ResourceIdentifier"
    TypeMeta: _TypeMeta = field(metadata=go_field(embedded=True, json=",inline"))
    NameMeta: _NameMeta = field(metadata=go_field(embedded=True, json=",inline"))


@dataclass(frozen=True)
class _ObjectIdentifier:
    __go_type__: ClassVar[str] = "update.ObjectIdentifier"
    ResourceIdentifier: _ResourceIdentifier = field(metadata=go_field(embedded=True))


@dataclass(frozen=True)
class _Change:
    __go_type__: ClassVar[str] = "update.Change"
    OldValue: str
    NewValue: str
    Setter: str


_CHANGES = "[]update.Change"
_OBJECT_CHANGES = "update.ObjectChanges"


def _object_changes(data: Mapping[_ObjectIdentifier, GoSlice] | None) -> GoMap:
    return GoMap(data, go_type=_OBJECT_CHANGES, key_type="update.ObjectIdentifier", zero=GoSlice(None, go_type=_CHANGES))


@dataclass(frozen=True)
class _Result:
    __go_type__: ClassVar[str] = "update.Result"
    FileChanges: GoMap

    def _walk(self) -> list[tuple[_ObjectIdentifier, GoSlice]]:
        pairs: list[tuple[_ObjectIdentifier, GoSlice]] = []
        for path in gotemplate.sorted_keys(self.FileChanges):
            objects = self.FileChanges[path]
            pairs.extend((obj, objects[obj]) for obj in gotemplate.sorted_keys(objects))
        return pairs

    def Changes(self) -> GoSlice:  # noqa: N802 - Go's method name
        """Every distinct change, first occurrence first (Go's order is random)."""
        seen: set[_Change] = set()
        out: list[_Change] = []
        for _, changes in self._walk():
            for change in changes:
                if change not in seen:
                    seen.add(change)
                    out.append(change)
        return GoSlice(out or None, go_type=_CHANGES)

    def Objects(self) -> GoMap:  # noqa: N802 - Go's method name
        """Changes by object regardless of file; an object in several files keeps its last file's list."""
        result: dict[_ObjectIdentifier, GoSlice] = {}
        for obj, changes in self._walk():
            result[obj] = changes
        return _object_changes(result)


@dataclass(frozen=True)
class _TemplateData:
    __go_type__: ClassVar[str] = "source.TemplateData"
    AutomationObject: _NamespacedName
    Changed: _Result
    Values: GoMap


def _identifier(obj: ObjectIdLike) -> _ObjectIdentifier:
    return _ObjectIdentifier(
        _ResourceIdentifier(_TypeMeta(obj.api_version, obj.kind), _NameMeta(obj.name, obj.namespace))
    )


def template_data(
    *,
    automation: tuple[str, str],
    values: Mapping[str, str] | None,
    changed: ResultLike[_O],
) -> object:
    """Flux's `TemplateData` for a run, shaped for `gotemplate` (Go field names and types).

    Args:
        automation: the ImageUpdateAutomation's (name, namespace).
        values: `spec.git.commit.messageTemplateValues`; None is Go's nil map.
        changed: the setters result.

    Returns:
        The value templates see as `.`: `.AutomationObject`, `.Changed`, `.Values`.
    """
    name, namespace = automation
    files: dict[str, GoMap] = {}
    for path, objects in changed.file_changes.items():
        per_object: dict[_ObjectIdentifier, GoSlice] = {}
        for obj, changes in objects.items():
            ident = _identifier(obj)
            merged = list(per_object[ident]) if ident in per_object else []
            merged.extend(_Change(c.old_value, c.new_value, c.setter) for c in changes)
            per_object[ident] = GoSlice(merged, go_type=_CHANGES)
        files[path] = _object_changes(per_object)
    file_changes = GoMap(
        files or None,
        go_type="map[string]update.ObjectChanges",
        zero=_object_changes(None),
    )
    return _TemplateData(
        AutomationObject=_NamespacedName(Namespace=namespace, Name=name),
        Changed=_Result(FileChanges=file_changes),
        Values=GoMap(dict(values) if values is not None else None, go_type="map[string]string", zero=""),
    )


# --------------------------------------------------------------------------- rendering


class CommitMessageError(TemplateError):
    """`spec.git.commit.messageTemplate` does not parse or fails to run; the text is Flux's.

    Attributes:
        automation: the ImageUpdateAutomation's (name, namespace).
    """

    def __init__(self, message: str, *, automation: tuple[str, str], hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.automation = automation


class RemovedFieldError(CommitMessageError):
    """The template uses data removed in image.toolkit.fluxcd.io/v1; Flux marks the object Stalled.

    Attributes:
        field: the removed field as written in templates (`.Updated` or `.Changed.ImageResult`).
    """

    def __init__(self, removed: str, *, automation: tuple[str, str]) -> None:
        if removed == ".Updated":
            message = f"template uses removed '.Updated' field. Please use '.Changed' instead. See: {_DOCS}"
            hint = ".Updated was removed; use .Changed (.Changed.FileChanges, .Changed.Objects, .Changed.Changes)"
        else:
            message = (
                "template uses removed '.Changed.ImageResult' field. "
                f"Please use '.Changed.FileChanges' or '.Changed.Objects' instead. See: {_DOCS}"
            )
            hint = ".Changed.ImageResult was removed; use .Changed.FileChanges or .Changed.Objects"
        super().__init__(message, automation=automation, hint=hint)
        self.field = removed


_REMOVED_FIELDS = (
    (".Updated", "can't evaluate field Updated in type source.TemplateData"),
    (".Changed.ImageResult", "can't evaluate field ImageResult in type update.Result"),
)


def render(
    template: str | None,
    *,
    automation: tuple[str, str],
    values: Mapping[str, str] | None = None,
    changed: ResultLike[_O],
) -> str:
    """Render an ImageUpdateAutomation's commit message as image-automation-controller does.

    Args:
        template: `spec.git.commit.messageTemplate`; None or empty gives
            `Update from image update automation`.
        automation: the ImageUpdateAutomation's (name, namespace).
        values: `spec.git.commit.messageTemplateValues`.
        changed: the setters result (`ResultLike`).

    Returns:
        The commit message, exactly as the template produces it (no newline added or trimmed).

    Raises:
        RemovedFieldError: the template uses `.Updated` or `.Changed.ImageResult`.
        CommitMessageError: the template does not parse
            (`unable to create commit message template from spec: template: commit message:1: ...`)
            or fails to run (`failed to run template from spec: template: commit message:1:3: ...`).
    """
    name, namespace = automation
    where = f"ImageUpdateAutomation/{namespace}/{name}"
    text = template or DEFAULT_MESSAGE_TEMPLATE
    try:
        parsed = gotemplate.parse(text, name=TEMPLATE_NAME, funcs=sprig.FUNCS)
    except TemplateError as e:
        raise CommitMessageError(
            f"unable to create commit message template from spec: {e}",
            automation=automation,
            hint=f"fix spec.git.commit.messageTemplate of {where} (Go text/template syntax)",
        ) from e
    data = template_data(automation=automation, values=values, changed=changed)
    try:
        return parsed.execute(data)
    except TemplateError as e:
        for removed, pattern in _REMOVED_FIELDS:
            if pattern in str(e):
                raise RemovedFieldError(removed, automation=automation) from e
        raise CommitMessageError(
            f"failed to run template from spec: {e}",
            automation=automation,
            hint=f"fix spec.git.commit.messageTemplate of {where}; the data is .AutomationObject, .Changed, .Values",
        ) from e
