"""Placeholder: the throwaway PostgreSQL cluster fixture (pg_url) is being written."""
