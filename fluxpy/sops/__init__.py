"""SOPS decryption, pure and in memory: keys and objects in, plaintext objects out.

The kustomization pipeline (`fluxpy.sync.decrypt`) calls `decrypt` on each
built object that `has_sops_metadata` (and is not opted out with
`decryption_disabled`), and `decrypt_document` on Secret data values and
secretGenerator sources that hold a whole sops document (dotenv, JSON,
binary, YAML). Keys come as a `Keyring`: age identities and armored PGP
private keys from the decryption Secret
(`Keyring.from_secret`) or, for cluster-free builds, from ``SOPS_AGE_KEY``,
``SOPS_AGE_KEY_FILE`` and ``--decryption-key-file``
(`Keyring.from_environment`). PGP data keys are unwrapped by the ``gpg``
binary in a throwaway home under /dev/shm (`GnuPG`). Nothing is written to
disk and no error message contains a secret. Cloud KMS, Vault and Shamir key
groups raise a `DecryptionError` saying so, and so do INI documents. YAML
documents are read and written as sops's go-yaml v3 store does them
(`yaml_parse`, `yaml_in`, `yaml_out`), comments included.
"""

from __future__ import annotations

from fluxpy.sops.age import AgeError, AgeIdentity, parse_age_identities
from fluxpy.sops.decrypt import (
    decrypt,
    decrypt_document,
    decryption_disabled,
    has_sops_metadata,
    object_ref,
)
from fluxpy.sops.errors import DecryptionError
from fluxpy.sops.formats import Format, detect_format, format_for_path
from fluxpy.sops.keys import Keyring, PgpKey, from_environment, from_secret
from fluxpy.sops.pgp import GnuPG

__all__ = ["AgeError", "AgeIdentity", "DecryptionError", "Format", "GnuPG", "Keyring", "PgpKey", "decrypt",
           "decrypt_document", "decryption_disabled", "detect_format", "format_for_path", "from_environment",
           "from_secret", "has_sops_metadata", "object_ref", "parse_age_identities"]
