"""Edit rows safely: forms from column metadata, conflicts, delete, CSV import."""
