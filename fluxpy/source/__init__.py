"""Git sources: the first steps of the cluster-sync pipeline.

pull the Git source (`fetch.py`, with `auth.py` and `refs.py`) -> build an
artifact for the revision (`ignore.py`, `artifact.py`, `storage.py`) ->
update the source's status (`status.py`) -> emit events. The shared value
types are in `types.py`. Nothing here is imported at CLI start-up.
"""
