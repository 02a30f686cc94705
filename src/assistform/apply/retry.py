"""Kept for imports of old: the retry policy lives in `assistform.api.retry`, where the
client applies it to every request (plan and apply alike)."""

from assistform.api.retry import Budget, Clock, RetryPolicy

__all__ = ["Budget", "Clock", "RetryPolicy"]
