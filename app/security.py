"""Security headers, cookie flags and CSRF, applied to every response."""

from __future__ import annotations

from flask import Flask, Request, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

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
_SECURITY_HEADERS = [
    (name.lower(), name, value) for name, value in SECURITY_HEADERS.items()
]


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """As Flask's, without building a signing serializer when the request has
        no session cookie (most requests: nothing to verify)."""
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def _add_security_headers(response):
    # Added where the view has not set them (a view's own value wins): one pass over
    # the response's headers instead of a search per header.
    headers = response.headers
    present = {name.lower() for name, _ in headers.items()}
    missing = [(n, v) for low, n, v in _SECURITY_HEADERS if low not in present]
    if request.is_secure and "strict-transport-security" not in present:
        missing.append(("Strict-Transport-Security", "max-age=31536000"))
    if response.mimetype == "text/html" and "cache-control" not in present:
        # Pages show company data: keep them out of shared caches and the back-forward
        # cache of a shared machine.
        missing.append(("Cache-Control", "no-store"))
    if missing:
        headers.extend(missing)
    return response


def register_security(app: Flask) -> None:
    """CSRF on every form, secure cookies, and the security headers."""
    csrf.init_app(app)  # Flask-WTF's CSRFProtect, as documented
    app.session_interface = HttpsAwareSessionInterface()
    app.after_request(_add_security_headers)
