"""Page tokens are written uncompressed and read in either form."""

from __future__ import annotations

from itsdangerous import URLSafeSerializer

from app.data.tokens import SALT, make_token, read_token


def test_token_is_uncompressed_and_round_trips(app):
    """GIVEN a next-page token
    WHEN it is made and read back
    THEN it is not zlib-compressed (no leading ".") and carries its values and count."""
    with app.test_request_context():
        token = make_token("shop.items", "item_id", "next", [10], "s", (25, False))
        assert not token.startswith(".")
        page = read_token(token, "shop.items", "item_id", 1, "s")
    assert (page.direction, page.values, page.count) == ("next", (10,), (25, False))


def test_compressed_token_from_before_still_reads(app):
    """GIVEN a token written compressed, as earlier versions did (a bookmarked link)
    WHEN it is read
    THEN it gives the same page."""
    payload = {"t": "shop.items", "o": "name,item_id", "d": "prev", "v": ["a" * 60, 4]}
    old = URLSafeSerializer(app.config["SECRET_KEY"], salt=SALT).dumps(payload)
    assert old.startswith(".")
    with app.test_request_context():
        page = read_token(old, "shop.items", "name,item_id", 2, "s")
    assert (page.direction, page.values) == ("prev", ("a" * 60, 4))


def test_token_is_signed_as_itsdangerous_signs(app):
    """GIVEN a token made by the app
    WHEN itsdangerous' own URLSafeSerializer (same secret and salt) reads it
    THEN it verifies and gives the same payload (HMAC-SHA1, same key derivation)."""
    with app.test_request_context():
        token = make_token("shop.items", "item_id", "next", [10], "s", None)
    stock = URLSafeSerializer(app.config["SECRET_KEY"], salt=SALT)
    assert stock.loads(token) == {
        "t": "shop.items",
        "o": "item_id",
        "d": "next",
        "v": [10],
    }
