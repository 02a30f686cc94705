"""Live assistants: defined beside the planner (`assistform.plan.live`), whose input they
are; re-exported here for the code that imports them from the client's side."""

from __future__ import annotations

from assistform.plan.live import LiveAssistant, LiveSet

__all__ = ["LiveAssistant", "LiveSet"]
