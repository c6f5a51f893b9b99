"""Decryption errors: one line naming the object and the file, never a secret.

A `DecryptionError` says which object (``Secret/ns/name``) in which file could
not be decrypted and why: no identity matches its recipients, the key is
wrong, the MAC does not match (a tampered value or metadata), or a value is
not in SOPS's ``ENC[...]`` form. Plaintext, ciphertext and key material never
appear in the message, so it is safe to print and log.
"""

from __future__ import annotations

from fluxpy.errors import FluxpyError


class DecryptionError(FluxpyError):
    """A SOPS-encrypted object cannot be decrypted.

    Args:
        message: what failed and why, naming the object and the file.
        hint: what the user can do about it, or None.
    """
