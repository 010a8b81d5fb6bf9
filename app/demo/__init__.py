"""The demo company: deterministic seed data for the sql/demo database."""
