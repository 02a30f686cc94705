from __future__ import annotations

from collections.abc import Callable

from assistform.plan.model import Plan
from assistform.render.json import render_json

Golden = Callable[[str, str], None]


def test_json_matches_golden(full: Plan, golden: Golden) -> None:
    golden("full.json", render_json(full))


def test_json_of_blue_green_steps_matches_golden(blue_green: Plan, golden: Golden) -> None:
    golden("blue_green.json", render_json(blue_green))


def test_json_round_trips_unchanged(plan_case: tuple[str, Plan]) -> None:
    _, plan = plan_case
    text = render_json(plan)
    again = Plan.model_validate_json(text)
    assert again == plan
    assert render_json(again) == text


def test_json_of_files_and_vector_stores_matches_golden(knowledge: Plan, golden: Golden) -> None:
    golden("knowledge.json", render_json(knowledge))
