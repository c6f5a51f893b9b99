"""The registry of Flux kinds: API coordinates, names and CLI words.

Everything that turns a word into a kind goes through here: the CLI
(`fluxpy get sources git`, `get ks`, `reconcile hr`), discovery-free API
addressing (`FluxKind.resource()` gives the `Resource` the kube layer
builds URLs from), and `load`, which parses a raw object into its model.
The API versions are Flux 2.8's (each CRD serves one version);
`short_names` are the CRDs' own (`gitrepo`, `ks`, `hr`, ...), and
`display_name` is the "human kind" the flux CLI prints in messages
(`► suspending source git podinfo in flux-system namespace`).

Importing this module does not import the model modules; `load` imports
the one it needs on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fluxpy.kube.resource import Resource
from fluxpy.models.errors import ModelError

if TYPE_CHECKING:
    from fluxpy.models.common import FluxObject

VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
SUBSTITUTE_ANNOTATION = "kustomize.toolkit.fluxcd.io/substitute"

SOURCE_GROUP = "source.toolkit.fluxcd.io"
KUSTOMIZE_GROUP = "kustomize.toolkit.fluxcd.io"
HELM_GROUP = "helm.toolkit.fluxcd.io"
IMAGE_GROUP = "image.toolkit.fluxcd.io"
NOTIFICATION_GROUP = "notification.toolkit.fluxcd.io"


@dataclass(frozen=True, slots=True)
class FluxKind:
    """One Flux kind.

    Args:
        kind: e.g. "GitRepository".
        group: the API group.
        version: the served (and storage) version.
        plural: the resource name in URLs.
        singular: the singular resource name.
        short_names: the CRD's short names, e.g. ("ks",).
        cli_names: the words the flux CLI accepts for it, canonical first;
            grouped kinds give the full phrase (`sources git`, `source git`,
            `images repository`), whose last word also resolves.
        has_status: whether the CRD has a status subresource.
        display_name: the "human kind" the flux CLI uses in messages.
        model: `module:Class` of the model, loaded on demand.
    """

    kind: str
    group: str
    version: str
    plural: str
    singular: str
    short_names: tuple[str, ...]
    cli_names: tuple[str, ...]
    has_status: bool
    display_name: str
    model: str

    @property
    def api_version(self) -> str:
        """`group/version`."""
        return f"{self.group}/{self.version}"

    @property
    def aliases(self) -> tuple[str, ...]:
        """Every lower-case word `by_name` resolves to this kind."""
        words = [self.kind.lower(), self.plural, self.singular, *self.short_names]
        for phrase in self.cli_names:
            words.append(phrase)
            words.append(phrase.split()[-1])
        return tuple(dict.fromkeys(w.lower() for w in words))

    def resource(self) -> Resource:
        """The `Resource` the kube layer addresses this kind with."""
        return Resource(group=self.group, version=self.version, kind=self.kind,
                        plural=self.plural, namespaced=True, short_names=self.short_names,
                        verbs=VERBS, subresources=("status",) if self.has_status else ())

    def model_class(self) -> type[FluxObject[Any, Any]]:
        """The model class, imported on first use."""
        module, _, name = self.model.partition(":")
        cls: type[FluxObject[Any, Any]] = getattr(importlib.import_module(module), name)
        return cls


def _k(kind: str, group: str, version: str, short: tuple[str, ...], cli: tuple[str, ...],
       display: str, module: str, *, has_status: bool = True) -> FluxKind:
    plural = kind.lower()[:-1] + "ies" if kind.endswith("y") else kind.lower() + "s"
    return FluxKind(kind, group, version, plural, kind.lower(), short, cli, has_status,
                    display, f"fluxpy.models.{module}:{kind}")


GIT_REPOSITORY = _k("GitRepository", SOURCE_GROUP, "v1", ("gitrepo",),
                    ("sources git", "source git"), "source git", "source")
OCI_REPOSITORY = _k("OCIRepository", SOURCE_GROUP, "v1", ("ocirepo",),
                    ("sources oci", "source oci"), "source oci", "source")
HELM_REPOSITORY = _k("HelmRepository", SOURCE_GROUP, "v1", ("helmrepo",),
                     ("sources helm", "source helm"), "source helm", "source")
HELM_CHART = _k("HelmChart", SOURCE_GROUP, "v1", ("hc",),
                ("sources chart", "source chart"), "source chart", "source")
BUCKET = _k("Bucket", SOURCE_GROUP, "v1", (),
            ("sources bucket", "source bucket"), "source bucket", "source")
KUSTOMIZATION = _k("Kustomization", KUSTOMIZE_GROUP, "v1", ("ks",),
                   ("kustomizations", "kustomization", "ks"), "kustomization", "kustomize")
HELM_RELEASE = _k("HelmRelease", HELM_GROUP, "v2", ("hr",),
                  ("helmreleases", "helmrelease", "hr"), "helmrelease", "helm")
IMAGE_REPOSITORY = _k("ImageRepository", IMAGE_GROUP, "v1", (),
                      ("images repository", "image repository"), "image repository", "image")
IMAGE_POLICY = _k("ImagePolicy", IMAGE_GROUP, "v1", (),
                  ("images policy", "image policy"), "image policy", "image")
IMAGE_UPDATE_AUTOMATION = _k("ImageUpdateAutomation", IMAGE_GROUP, "v1", (),
                             ("images update", "image update"), "image update automation",
                             "image")
ALERT = _k("Alert", NOTIFICATION_GROUP, "v1beta3", (), ("alerts", "alert"), "alert",
           "notification", has_status=False)
PROVIDER = _k("Provider", NOTIFICATION_GROUP, "v1beta3", (),
              ("alert-providers", "alert-provider"), "alert provider", "notification",
              has_status=False)
RECEIVER = _k("Receiver", NOTIFICATION_GROUP, "v1", (), ("receivers", "receiver"), "receiver",
              "notification")

ALL: tuple[FluxKind, ...] = (
    GIT_REPOSITORY, OCI_REPOSITORY, HELM_REPOSITORY, HELM_CHART, BUCKET, KUSTOMIZATION,
    HELM_RELEASE, IMAGE_REPOSITORY, IMAGE_POLICY, IMAGE_UPDATE_AUTOMATION, ALERT, PROVIDER,
    RECEIVER,
)
SOURCES: tuple[FluxKind, ...] = (GIT_REPOSITORY, OCI_REPOSITORY, HELM_REPOSITORY, HELM_CHART,
                                 BUCKET)

_BY_KIND = {k.kind: k for k in ALL}
_BY_ALIAS: dict[str, FluxKind] = {}
for _kind in ALL:
    for _alias in _kind.aliases:
        _BY_ALIAS.setdefault(_alias, _kind)


def _valid(words: tuple[str, ...]) -> str:
    return ", ".join(words)


def by_kind(kind: str) -> FluxKind:
    """The kind with this exact `kind` name.

    Raises:
        KeyError: not a Flux kind; the message lists the known kinds.
    """
    try:
        return _BY_KIND[kind]
    except KeyError:
        raise KeyError(f'unknown Flux kind "{kind}"; known kinds: '
                       f"{_valid(tuple(_BY_KIND))}") from None


def by_name(word: str) -> FluxKind:
    """Resolve any alias, case-insensitively: kind, plural, singular, short
    name or flux CLI word (`ks`, `hr`, `sources git`, `git`, `alert-providers`).

    Raises:
        KeyError: nothing matches; the message lists the CLI names.
    """
    key = " ".join(word.lower().split())
    found = _BY_ALIAS.get(key)
    if found is None:
        names = tuple(k.cli_names[0] for k in ALL)
        raise KeyError(f'unknown Flux kind "{word}"; use one of: {_valid(names)}')
    return found


def by_api_version_kind(api_version: str, kind: str) -> FluxKind | None:
    """The kind for an object's `apiVersion` and `kind`, or None if not Flux's.

    Any version of the right group matches (older objects may still say
    `v1beta2`); use `FluxKind.version` for what the cluster serves.
    """
    found = _BY_KIND.get(kind)
    group = api_version.rpartition("/")[0]
    if found is None or group != found.group:
        return None
    return found


def load(obj: Mapping[str, Any]) -> FluxObject[Any, Any]:
    """Parse a raw Flux object into its model.

    Raises:
        ModelError: not a Flux kind, or malformed.
    """
    kind = obj.get("kind") if isinstance(obj, Mapping) else None
    api_version = obj.get("apiVersion") if isinstance(obj, Mapping) else None
    found = (by_api_version_kind(api_version, kind)
             if isinstance(kind, str) and isinstance(api_version, str) else None)
    if found is None:
        from fluxpy.models.meta import subject_of

        subject = subject_of(kind if isinstance(kind, str) and kind else "<no kind>",
                             obj if isinstance(obj, Mapping) else {})
        raise ModelError(subject, "apiVersion",
                         f'"{api_version}" kind "{kind}" is not a Flux kind')
    return found.model_class().from_dict(obj)
