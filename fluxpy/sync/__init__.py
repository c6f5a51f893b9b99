"""Cluster sync steps 6-12 for a Kustomization: decrypt, validate, apply, prune, wait, status, events."""
