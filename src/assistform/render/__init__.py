"""Renderings of a `Plan`: text for terminals, JSON for machines, Markdown for PR comments.

All three work from the same Plan, so they never disagree. Pure: none of them writes to a
terminal or knows one; colour is a parameter (`render.text.Colorizer`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistform.plan.model import Plan

if TYPE_CHECKING:
    from assistform.render.text import Colorizer


def render(plan: Plan, output_format: str, *, color: Colorizer | None = None) -> str:
    """`plan` in `output_format`; `color` colours the text rendering (the others ignore it)."""
    if output_format == "json":
        from assistform.render.json import render_json

        return render_json(plan)
    if output_format == "markdown":
        from assistform.render.markdown import render_markdown

        return render_markdown(plan)
    from assistform.render.text import render_text

    return render_text(plan, color=color)
