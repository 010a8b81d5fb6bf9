"""Security headers, cookie flags and CSRF, applied to every response."""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

from app.extensions import csrf

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def _add_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if response.mimetype == "text/html":
        # Pages show company data: keep them out of shared caches and the back-forward
        # cache of a shared machine.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def register_security(app: Flask) -> None:
    """CSRF on every form, secure cookies, and the security headers."""
    csrf.init_app(app)
    app.session_interface = HttpsAwareSessionInterface()
    app.after_request(_add_security_headers)
