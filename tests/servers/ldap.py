"""Placeholder: the throwaway slapd fixture is being written."""
