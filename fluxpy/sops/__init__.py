"""SOPS decryption, pure and in memory: keys and objects in, plaintext objects out.

The kustomization pipeline calls `decrypt` on each built object that
`has_sops_metadata` (and is not opted out with `decryption_disabled`), with
the age identities parsed by `parse_age_identities` from the decryption
Secret's ``*.agekey`` values, ``SOPS_AGE_KEY``/``SOPS_AGE_KEY_FILE`` or
``--decryption-key-file``. Nothing is written to disk and no error message
contains a secret. Only age X25519 recipients are supported; PGP, cloud KMS,
Vault and Shamir key groups raise a `DecryptionError` saying so.
"""

from __future__ import annotations

from fluxpy.sops.age import AgeError, AgeIdentity, parse_age_identities
from fluxpy.sops.decrypt import decrypt, decryption_disabled, has_sops_metadata
from fluxpy.sops.errors import DecryptionError

__all__ = ["AgeError", "AgeIdentity", "DecryptionError", "decrypt", "decryption_disabled",
           "has_sops_metadata", "parse_age_identities"]
