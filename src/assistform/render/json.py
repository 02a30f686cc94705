"""The plan as JSON: the model itself, a stable public format (see `plan.model`)."""

from __future__ import annotations

from assistform.plan.model import Plan


def render_json(plan: Plan) -> str:
    return plan.model_dump_json(indent=2) + "\n"
