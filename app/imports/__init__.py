"""CSV import screens: upload, map and review, apply."""
