"""The cheaper per-request paths of app/security.py behave as Flask's own would:
a view's own header wins, a session cookie still round-trips and is still checked."""

from __future__ import annotations

from flask import Response, session

from app.identity import public


def _app_with_routes(make_app):
    app = make_app()

    @app.get("/_test/own-headers")
    @public
    def own_headers():
        response = Response("<p>x</p>", mimetype="text/html")
        response.headers["Cache-Control"] = "private, max-age=5"
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        return response

    @app.get("/_test/session/set")
    @public
    def set_session():
        session["n"] = 41
        return "set"

    @app.get("/_test/session/get")
    @public
    def get_session():
        return str(session.get("n", "none"))

    return app


def test_view_headers_win_and_missing_ones_are_added_once(make_app):
    """GIVEN a view that sets its own Cache-Control and X-Frame-Options
    WHEN it is served
    THEN those values stay (one header each) and the other security headers come."""
    response = _app_with_routes(make_app).test_client().get("/_test/own-headers")
    assert response.headers.getlist("Cache-Control") == ["private, max-age=5"]
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert response.headers.getlist("X-Content-Type-Options") == ["nosniff"]
    assert len(response.headers.getlist("Content-Security-Policy")) == 1


def test_session_cookie_round_trips_and_a_forged_one_is_ignored(make_app):
    """GIVEN a request that stores a value in the session
    WHEN the next request sends the cookie back, and another sends a forged cookie
    THEN the first reads the value, the second gets an empty session."""
    app = _app_with_routes(make_app)
    client = app.test_client()
    assert client.get("/_test/session/get").get_data(as_text=True) == "none"
    client.get("/_test/session/set")
    assert client.get("/_test/session/get").get_data(as_text=True) == "41"
    forged = app.test_client()
    forged.set_cookie(app.config["SESSION_COOKIE_NAME"], "eyJuIjo0MX0.forged.sig")
    assert forged.get("/_test/session/get").get_data(as_text=True) == "none"
