"""Read the audit trail: a row's history and the admin's audit page."""
