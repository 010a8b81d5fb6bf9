"""The one signer of tokens: page links, form originals, pending uploads, API ETags.

Every token is URL-safe JSON signed with the app's SECRET_KEY (itsdangerous: HMAC-SHA1
over a key derived from the secret and the purpose's salt), so a token made for one
purpose never verifies as another. Tokens are signed, not encrypted: they carry only
what the caller was already shown.

Payloads are written without zlib (a token is about a hundred bytes; compressing
saves a character or two for a compressor per token); a compressed token, as
itsdangerous' ``URLSafeSerializer`` writes it, still verifies, so tokens issued
before this module keep working.
"""

from __future__ import annotations

import hmac
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, Serializer, Signer, URLSafeSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.signer import HMACAlgorithm

# The salt of each purpose: the key is derived per salt, so purposes never mix.
SALTS = {
    "page": "tablefront.page",
    "edit": "tablefront.edit.original",
    "import": "tablefront.import",
    "columns": "tablefront.list.columns",
    "etag": "tablefront.api.etag",
}
_EXTENSION_KEY = "tablefront.signing"

BadToken = BadSignature  # raised by ``unsign`` for a tampered or foreign token


class _HMACSHA1(HMACAlgorithm):
    """itsdangerous' default HMAC-SHA1, computed by one C call (hmac.digest)."""

    def get_signature(self, key: bytes, value: bytes) -> bytes:
        return hmac.digest(key, value, "sha1")


class _KeyOnceSigner(Signer):
    """itsdangerous' Signer (same signatures), deriving its key once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._derived: dict[Any, bytes] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        key = self._derived.get(secret_key)
        if key is None:
            key = self._derived[secret_key] = super().derive_key(secret_key)
        return key


class TokenSerializer(URLSafeSerializer):
    """URL-safe signed JSON for one purpose, with one signer made once."""

    def __init__(self, secret_key: str, salt: str) -> None:
        super().__init__(
            secret_key,
            salt=salt,
            signer=_KeyOnceSigner,
            signer_kwargs={"algorithm": _HMACSHA1()},
        )
        self._signer = super().make_signer(salt)

    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        if salt is None or salt == self.salt:
            return self._signer
        return super().make_signer(salt)

    def dump_payload(self, obj: Any) -> bytes:
        return base64_encode(Serializer.dump_payload(self, obj))


def serializer(purpose: str) -> TokenSerializer:
    """This app's serializer for ``purpose`` (one per secret key and purpose)."""
    salt = SALTS[purpose]
    secret = current_app.config["SECRET_KEY"]
    made = current_app.extensions.setdefault(_EXTENSION_KEY, {})
    found = made.get(purpose)
    if found is None or found[0] != secret:
        found = made[purpose] = (secret, TokenSerializer(secret, salt))
    return found[1]


def sign(purpose: str, payload: Any) -> str:
    """``payload`` as a token signed for ``purpose``."""
    return serializer(purpose).dumps(payload)


def unsign(purpose: str, token: str) -> Any:
    """The payload of a token signed for ``purpose``; BadToken otherwise."""
    return serializer(purpose).loads(token)
