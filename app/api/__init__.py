"""The JSON API (/api): row writes with ETags over the same access policy."""
