"""One signer for every token: a salt per purpose, one key derivation."""

from __future__ import annotations

import pytest
from itsdangerous import URLSafeSerializer

from app import signing

PAYLOAD = {"t": "corp.employees", "k": [1], "o": {"row_version": "0x00"}}
PURPOSES = ("page", "edit", "import", "etag", "columns")
OTHER_PURPOSE_PAIRS = [(a, b) for a in PURPOSES for b in PURPOSES if a != b]


@pytest.mark.parametrize("purpose", PURPOSES)
def test_signing_token_of_each_kind_round_trips(app, purpose):
    """GIVEN a payload signed for one kind of token
    WHEN it is unsigned as the same kind
    THEN the payload comes back unchanged."""
    with app.app_context():
        assert signing.unsign(purpose, signing.sign(purpose, PAYLOAD)) == PAYLOAD


@pytest.mark.parametrize(("signed_as", "read_as"), OTHER_PURPOSE_PAIRS)
def test_signing_token_of_one_kind_read_as_another_refused(app, signed_as, read_as):
    """GIVEN a token signed for one kind (page, edit, import, etag)
    WHEN it is presented as any other kind
    THEN it does not verify (each kind has its own salt)."""
    with app.app_context():
        token = signing.sign(signed_as, PAYLOAD)
        with pytest.raises(signing.BadToken):
            signing.unsign(read_as, token)


def test_signing_salts_one_per_kind():
    """GIVEN the signer's salts
    WHEN they are compared
    THEN every kind has its own (no two kinds share a key)."""
    assert set(signing.SALTS) == set(PURPOSES)
    assert len(set(signing.SALTS.values())) == len(PURPOSES)


def test_signing_token_for_one_purpose_is_refused_for_another(app):
    """GIVEN a token signed for the edit form's originals
    WHEN it is presented as an import token
    THEN it does not verify (each purpose has its own salt)."""
    with app.app_context():
        token = signing.sign("edit", PAYLOAD)
        with pytest.raises(signing.BadToken):
            signing.unsign("import", token)


@pytest.mark.parametrize(
    ("purpose", "salt"),
    [
        ("page", "tablefront.page"),
        ("edit", "tablefront.edit.original"),
        ("import", "tablefront.import"),
        ("etag", "tablefront.api.etag"),
    ],
)
def test_signing_token_verifies_as_the_stock_serializer_of_its_salt(app, purpose, salt):
    """GIVEN a token signed for a purpose
    WHEN itsdangerous' own URLSafeSerializer with the app's secret and the salt the
    purpose had before this module reads it
    THEN it verifies: links and forms issued before keep working."""
    with app.app_context():
        token = signing.sign(purpose, PAYLOAD)
    stock = URLSafeSerializer(app.config["SECRET_KEY"], salt=salt)
    assert stock.loads(token) == PAYLOAD


def test_signing_compressed_stock_token_still_unsigns(app):
    """GIVEN a long payload signed (zlib-compressed) by the stock serializer
    WHEN the signer reads it
    THEN it gives the payload back."""
    payload = {"v": ["a" * 80]}
    old = URLSafeSerializer(app.config["SECRET_KEY"], salt="tablefront.import")
    token = old.dumps(payload)
    assert token.startswith(".")
    with app.app_context():
        assert signing.unsign("import", token) == payload


def test_signing_after_secret_change_refuses_old_tokens(app):
    """GIVEN a token signed with the app's secret
    WHEN the secret changes (a key rotation)
    THEN the old token no longer verifies."""
    with app.app_context():
        token = signing.sign("page", PAYLOAD)
        app.config["SECRET_KEY"] = "another secret of enough length, rotated"
        with pytest.raises(signing.BadToken):
            signing.unsign("page", token)
