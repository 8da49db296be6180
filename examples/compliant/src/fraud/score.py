"""Scores a transaction (example code covered by model.yaml's paths)."""


def score(amount: float) -> float:
    return min(1.0, amount / 10_000)
