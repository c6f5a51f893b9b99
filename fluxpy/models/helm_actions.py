"""The Helm action settings of a HelmRelease: install, upgrade, test,
rollback and uninstall (`helm.toolkit.fluxcd.io/v2`).

Split from `fluxpy.models.helm` to keep each module short. The Helm pipeline
reads these to drive Helm; the defaults Flux applies are encoded here (CRDs
`Create` on install but `Skip` on upgrade, rollback as the default upgrade
remediation, `remediateLastFailure` defaulting to true only for upgrades
with retries, background deletion propagation on uninstall).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from fluxpy.models._fields import Fields

DEFAULT_RETRY_INTERVAL = timedelta(minutes=5)


def _ssa(f: Fields) -> str | None:
    """`serverSideApply`: a boolean on some fields, `enabled|disabled|auto` on others."""
    value = f.raw("serverSideApply")
    if value is None:
        return None
    if isinstance(value, bool):
        return "enabled" if value else "disabled"
    return f.text("serverSideApply")


@dataclass(frozen=True, slots=True)
class Strategy:
    """`install.strategy` / `upgrade.strategy`."""

    name: str = "RemediateOnFailure"
    retry_interval: timedelta = DEFAULT_RETRY_INTERVAL

    @classmethod
    def optional(cls, f: Fields) -> Strategy | None:
        """The strategy under `strategy`, or None."""
        sub = f.obj("strategy")
        if sub is None:
            return None
        return cls(sub.one_of("name", ("RemediateOnFailure", "RetryOnFailure"),
                              "RemediateOnFailure"),
                   sub.duration("retryInterval", DEFAULT_RETRY_INTERVAL))


@dataclass(frozen=True, slots=True)
class Remediation:
    """`install.remediation` / `upgrade.remediation`.

    Args:
        retries: attempts before giving up; 0 none, negative unlimited.
        ignore_test_failures: None inherits `test.ignoreFailures`.
        remediate_last_failure: None means the per-action default.
        strategy: upgrade only: `rollback` (default) or `uninstall`.
    """

    retries: int = 0
    ignore_test_failures: bool | None = None
    remediate_last_failure: bool | None = None
    strategy: str = "rollback"

    @classmethod
    def from_fields(cls, f: Fields | None) -> Remediation:
        """Read from the `remediation` view (defaults when None)."""
        if f is None:
            return cls()
        return cls(f.integer("retries"), f.opt_flag("ignoreTestFailures"),
                   f.opt_flag("remediateLastFailure"),
                   f.one_of("strategy", ("rollback", "uninstall"), "rollback"))

    @property
    def unlimited(self) -> bool:
        """Retries without limit."""
        return self.retries < 0

    def retries_exhausted(self, failures: int) -> bool:
        """Whether `failures` used up the retries."""
        return not self.unlimited and failures > self.retries


@dataclass(frozen=True, slots=True)
class Install:
    """`spec.install`."""

    timeout: timedelta | None = None
    strategy: Strategy | None = None
    remediation: Remediation = Remediation()
    disable_take_ownership: bool = False
    disable_wait: bool = False
    disable_wait_for_jobs: bool = False
    disable_hooks: bool = False
    disable_open_api_validation: bool = False
    disable_schema_validation: bool = False
    replace: bool = False
    crds: str = "Create"
    create_namespace: bool = False
    server_side_apply: str | None = None

    @classmethod
    def from_fields(cls, f: Fields | None) -> Install:
        """Read from the `install` view (defaults when None)."""
        if f is None:
            return cls()
        return cls(f.opt_duration("timeout"), Strategy.optional(f),
                   Remediation.from_fields(f.obj("remediation")),
                   f.flag("disableTakeOwnership"), f.flag("disableWait"),
                   f.flag("disableWaitForJobs"), f.flag("disableHooks"),
                   f.flag("disableOpenAPIValidation"), f.flag("disableSchemaValidation"),
                   f.flag("replace"), f.one_of("crds", ("Skip", "Create", "CreateReplace"), "Create"),
                   f.flag("createNamespace"), _ssa(f))

    @property
    def remediate_last_failure(self) -> bool:
        """Install remediates its last failure only when told to."""
        return bool(self.remediation.remediate_last_failure)


@dataclass(frozen=True, slots=True)
class Upgrade:
    """`spec.upgrade`."""

    timeout: timedelta | None = None
    strategy: Strategy | None = None
    remediation: Remediation = Remediation()
    disable_take_ownership: bool = False
    disable_wait: bool = False
    disable_wait_for_jobs: bool = False
    disable_hooks: bool = False
    disable_open_api_validation: bool = False
    disable_schema_validation: bool = False
    force: bool = False
    preserve_values: bool = False
    cleanup_on_fail: bool = False
    crds: str = "Skip"
    chart_name_change_strategy: str | None = None
    server_side_apply: str | None = None

    @classmethod
    def from_fields(cls, f: Fields | None) -> Upgrade:
        """Read from the `upgrade` view (defaults when None)."""
        if f is None:
            return cls()
        return cls(f.opt_duration("timeout"), Strategy.optional(f),
                   Remediation.from_fields(f.obj("remediation")),
                   f.flag("disableTakeOwnership"), f.flag("disableWait"),
                   f.flag("disableWaitForJobs"), f.flag("disableHooks"),
                   f.flag("disableOpenAPIValidation"), f.flag("disableSchemaValidation"),
                   f.flag("force"), f.flag("preserveValues"), f.flag("cleanupOnFail"),
                   f.one_of("crds", ("Skip", "Create", "CreateReplace"), "Skip"),
                   f.opt_text("chartNameChangeStrategy"), _ssa(f))

    @property
    def remediate_last_failure(self) -> bool:
        """Explicit setting, else true when retries > 0 (not when unlimited)."""
        value = self.remediation.remediate_last_failure
        return value if value is not None else self.remediation.retries > 0


@dataclass(frozen=True, slots=True)
class TestFilter:
    """`test.filters[]`: select or exclude test hooks by name."""

    __test__ = False  # not a pytest test class

    name: str
    exclude: bool = False


@dataclass(frozen=True, slots=True)
class Test:
    """`spec.test`."""

    __test__ = False  # not a pytest test class

    enable: bool = False
    timeout: timedelta | None = None
    ignore_failures: bool = False
    filters: tuple[TestFilter, ...] = ()

    @classmethod
    def from_fields(cls, f: Fields | None) -> Test:
        """Read from the `test` view (defaults when None)."""
        if f is None:
            return cls()
        return cls(f.flag("enable"), f.opt_duration("timeout"), f.flag("ignoreFailures"),
                   f.each("filters", lambda x: TestFilter(x.req_text("name"), x.flag("exclude"))))


@dataclass(frozen=True, slots=True)
class Rollback:
    """`spec.rollback`."""

    timeout: timedelta | None = None
    disable_wait: bool = False
    disable_wait_for_jobs: bool = False
    disable_hooks: bool = False
    recreate: bool = False
    force: bool = False
    cleanup_on_fail: bool = False
    server_side_apply: str | None = None

    @classmethod
    def from_fields(cls, f: Fields | None) -> Rollback:
        """Read from the `rollback` view (defaults when None)."""
        if f is None:
            return cls()
        return cls(f.opt_duration("timeout"), f.flag("disableWait"),
                   f.flag("disableWaitForJobs"), f.flag("disableHooks"), f.flag("recreate"),
                   f.flag("force"), f.flag("cleanupOnFail"), _ssa(f))


@dataclass(frozen=True, slots=True)
class Uninstall:
    """`spec.uninstall`."""

    timeout: timedelta | None = None
    disable_hooks: bool = False
    keep_history: bool = False
    disable_wait: bool = False
    deletion_propagation: str = "background"

    @classmethod
    def from_fields(cls, f: Fields | None) -> Uninstall:
        """Read from the `uninstall` view (defaults when None)."""
        if f is None:
            return cls()
        return cls(f.opt_duration("timeout"), f.flag("disableHooks"), f.flag("keepHistory"),
                   f.flag("disableWait"),
                   f.one_of("deletionPropagation", ("background", "foreground", "orphan"),
                            "background"))
