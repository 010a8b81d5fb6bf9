"""Edit forms are freed when their request ends, not left to the cyclic collector."""

from __future__ import annotations

import gc

import pytest

from app.edit.forms import EditForm
from tests.edit.world import ALEX

EMP = "/t/corp/employees"


def _forms_left_as_cyclic_garbage(request_once) -> int:
    """How many EditForm objects the cyclic collector finds after one request."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        request_once()
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        return sum(isinstance(o, EditForm) for o in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()


@pytest.mark.parametrize("method", ["get", "post"])
def test_edit_form_leaves_no_cyclic_garbage(as_user, method):
    """GIVEN an edit form opened (GET) or saved with bad input (POST, 422)
    WHEN the request has ended
    THEN no form object is left for the cyclic garbage collector (the form and
    its fields were freed by reference counting at teardown)."""
    client = as_user(ALEX)

    def request_once():
        if method == "get":
            assert client.get(f"{EMP}/1/edit").status_code == 200
        else:
            response = client.post(f"{EMP}/-/new", data={"f_login": ""})
            assert response.status_code == 422

    request_once()  # warm caches (form classes, templates)
    assert _forms_left_as_cyclic_garbage(request_once) == 0
