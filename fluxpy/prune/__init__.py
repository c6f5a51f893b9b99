"""Prune, the pure part: which objects that left the inventory may be deleted.

`plan.plan` compares the previous and the new inventory against what is in the
cluster and returns a `PrunePlan`; `kube/` performs the deletions. Planning
first means `--dry-run` and `fluxpy diff` list exactly what a real run deletes.
"""
