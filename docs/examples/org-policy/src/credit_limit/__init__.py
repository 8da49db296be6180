"""Scores new card accounts for their initial credit limit."""
