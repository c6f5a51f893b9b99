"""Health assessment: kstatus rules applied to one live object, no I/O.

The wait step of the Kustomization pipeline polls objects through `kube/` and
asks `kstatus.assess` what each one's status is; this package never talks to
the cluster.
"""

from fluxpy.health.kstatus import Health, Status, assess

__all__ = ["Health", "Status", "assess"]
