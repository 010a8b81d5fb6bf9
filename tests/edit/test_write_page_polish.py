"""Presentation of the write pages: flash messages, typed values on the conflict and
delete pages, CSV line numbers in the import preview."""

from __future__ import annotations

from tests.edit.world import ALEX
from tests.html import by_testid, soup


def test_flash_after_delete_is_marked_for_tests_and_names_the_row(world, as_user):
    """GIVEN asset 1
    WHEN Alex deletes it and follows the redirect
    THEN the page shows exactly one flash message, data-testid="flash", saying so."""
    client = as_user(ALEX)
    token = by_testid(client.get("/t/corp/assets/1/delete"), "original-token")
    response = client.post(
        "/t/corp/assets/1/delete",
        data={"original_token": token["value"]},
        follow_redirects=True,
    )
    assert response.status_code == 200
    (flash,) = soup(response).select('[data-testid="flash"]')
    assert "deleted" in flash.get_text()
    assert flash["role"] == "alert"
