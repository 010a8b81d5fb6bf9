"""Browse: list, detail and export pages for every table the caller may read."""
