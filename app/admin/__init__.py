"""Administration pages: the access matrix and "check a user" (admin role only)."""
