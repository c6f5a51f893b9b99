"""Image update to Git: list tags, pick them by policy, patch manifests at their markers, commit and push."""
