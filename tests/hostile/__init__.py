"""Hostile input and untrusted repositories: survive everything, run nothing, lose nothing."""
