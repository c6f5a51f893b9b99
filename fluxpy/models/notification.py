"""Models of the notification kinds: Alert and Provider
(`notification.toolkit.fluxcd.io/v1beta3`) and Receiver (`.../v1`).

The notify stage matches each event fluxpy emits against the Alerts'
`eventSources`, severity and inclusion/exclusion lists, then posts it through
the Alert's Provider. Alert and Provider have no status in v1beta3 (`flux get`
always shows them Ready); their models carry an always-empty `NoStatus` so
that every model has the same shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fluxpy.models._fields import Fields
from fluxpy.models.common import (
    FluxObject,
    LocalObjectReference,
    StatusBase,
    put,
)

DEFAULT_PROVIDER_TIMEOUT = timedelta(seconds=15)
DEFAULT_RECEIVER_INTERVAL = timedelta(minutes=10)
MAX_ADDRESS_LENGTH = 2048
PROVIDER_TYPES = (
    "generic", "generic-hmac", "slack", "discord", "msteams", "rocket", "googlechat", "webex",
    "telegram", "lark", "matrix", "zulip", "sentry", "opsgenie", "alertmanager", "grafana",
    "pagerduty", "datadog", "otel", "azureeventhub", "googlepubsub", "nats", "github", "gitlab",
    "gitea", "bitbucket", "bitbucketserver", "azuredevops", "githubdispatch",
    "githubpullrequestcomment", "gitlabmergerequestcomment", "giteapullrequestcomment",
    "zoom", "incident.io",
)


@dataclass(frozen=True, slots=True)
class NoStatus(StatusBase):
    """The status of a kind that has none (Alert, Provider in v1beta3).

    It reads whatever an older API version left behind but writes nothing.
    """

    @classmethod
    def from_fields(cls, f: Fields) -> NoStatus:
        """Read from the `status` view (tolerant of leftovers)."""
        return cls(**cls.base_fields(f))

    def to_dict(self) -> dict[str, Any]:
        """Always `{}`: these kinds have no status to write."""
        return {}


@dataclass(frozen=True, slots=True)
class EventSource:
    """`eventSources[]` / `resources[]`: `{kind, name, namespace?, matchLabels?}`.

    `name` may be `*`; `matchLabels` needs `name: "*"`. The namespace
    defaults to the Alert's and is matched exactly.
    """

    kind: str
    name: str
    namespace: str | None = None
    match_labels: Mapping[str, str] = field(default_factory=dict)
    api_version: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> EventSource:
        """Read from a `Fields` view."""
        src = cls(f.req_text("kind"), f.req_text("name"), f.opt_text("namespace"),
                  f.mapping("matchLabels"), f.opt_text("apiVersion"))
        if src.match_labels and src.name != "*":
            raise f.error("matchLabels", 'requires name to be "*"')
        return src


@dataclass(frozen=True, slots=True)
class AlertSpec:
    """`Alert.spec`."""

    provider_ref: LocalObjectReference
    event_sources: tuple[EventSource, ...]
    event_severity: str = "info"
    inclusion_list: tuple[str, ...] = ()
    exclusion_list: tuple[str, ...] = ()
    event_metadata: Mapping[str, str] = field(default_factory=dict)
    summary: str | None = None
    suspend: bool = False

    @classmethod
    def from_fields(cls, f: Fields) -> AlertSpec:
        """Read from the `spec` view."""
        if f.raw("eventSources") is None:
            raise f.error("eventSources", "required field is missing")
        return cls(LocalObjectReference.from_fields(f.req_obj("providerRef")),
                   f.each("eventSources", EventSource.from_fields),
                   f.one_of("eventSeverity", ("info", "error"), "info"),
                   f.texts("inclusionList"), f.texts("exclusionList"),
                   f.mapping("eventMetadata"), f.opt_text("summary"), f.flag("suspend"))


@dataclass(frozen=True, slots=True)
class Alert(FluxObject[AlertSpec, NoStatus]):
    """An `Alert` object (no status in v1beta3)."""

    KIND = "Alert"

    SPEC = AlertSpec
    STATUS = NoStatus


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    """`Provider.spec`."""

    type: str
    address: str | None = None
    channel: str | None = None
    username: str | None = None
    timeout: timedelta | None = None
    secret_ref: LocalObjectReference | None = None
    cert_secret_ref: LocalObjectReference | None = None
    proxy_secret_ref: LocalObjectReference | None = None
    service_account_name: str | None = None
    commit_status_expr: str | None = None
    suspend: bool = False

    @classmethod
    def from_fields(cls, f: Fields) -> ProviderSpec:
        """Read from the `spec` view (unknown types are kept: newer Flux adds some)."""
        address = f.opt_text("address")
        if address is not None and len(address) > MAX_ADDRESS_LENGTH:
            raise f.error("address", f"is {len(address)} characters long, "
                                     f"at most {MAX_ADDRESS_LENGTH} are allowed")
        return cls(f.req_text("type"), address, f.opt_text("channel"), f.opt_text("username"),
                   f.opt_duration("timeout"), LocalObjectReference.optional(f, "secretRef"),
                   LocalObjectReference.optional(f, "certSecretRef"),
                   LocalObjectReference.optional(f, "proxySecretRef"),
                   f.opt_text("serviceAccountName"), f.opt_text("commitStatusExpr"),
                   f.flag("suspend"))

    @property
    def effective_timeout(self) -> timedelta:
        """`timeout`, default 15s."""
        return self.timeout if self.timeout is not None else DEFAULT_PROVIDER_TIMEOUT


@dataclass(frozen=True, slots=True)
class Provider(FluxObject[ProviderSpec, NoStatus]):
    """A `Provider` object (no status in v1beta3)."""

    KIND = "Provider"

    SPEC = ProviderSpec
    STATUS = NoStatus


@dataclass(frozen=True, slots=True)
class ReceiverSpec:
    """`Receiver.spec`."""

    type: str
    resources: tuple[EventSource, ...]
    secret_ref: LocalObjectReference
    interval: timedelta = DEFAULT_RECEIVER_INTERVAL
    events: tuple[str, ...] = ()
    resource_filter: str | None = None
    suspend: bool = False

    @classmethod
    def from_fields(cls, f: Fields) -> ReceiverSpec:
        """Read from the `spec` view."""
        return cls(f.req_text("type"), f.each("resources", EventSource.from_fields),
                   LocalObjectReference.from_fields(f.req_obj("secretRef")),
                   f.duration("interval", DEFAULT_RECEIVER_INTERVAL), f.texts("events"),
                   f.opt_text("resourceFilter"), f.flag("suspend"))


@dataclass(frozen=True, slots=True)
class ReceiverStatus(StatusBase):
    """`Receiver.status`."""

    webhook_path: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> ReceiverStatus:
        """Read from the `status` view."""
        return cls(**cls.base_fields(f), webhook_path=f.opt_text("webhookPath"))

    def to_dict(self) -> dict[str, Any]:
        """API form, omitting empty fields."""
        out = self.base_dict()
        put(out, "webhookPath", self.webhook_path)
        return out


@dataclass(frozen=True, slots=True)
class Receiver(FluxObject[ReceiverSpec, ReceiverStatus]):
    """A `Receiver` object."""

    KIND = "Receiver"

    SPEC = ReceiverSpec
    STATUS = ReceiverStatus
