"""Trains the fraud scorer (example code covered by model.yaml's paths)."""
