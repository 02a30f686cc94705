"""Renderings of a `Plan`: text for terminals, JSON for machines, Markdown for PR comments.

All three work from the same Plan, so they never disagree.
"""

from __future__ import annotations

from assistform.plan.model import Plan


def render(plan: Plan, output_format: str, *, color: bool = False) -> str:
    if output_format == "json":
        from assistform.render.json import render_json

        return render_json(plan)
    if output_format == "markdown":
        from assistform.render.markdown import render_markdown

        return render_markdown(plan)
    from assistform.render.text import render_text

    return render_text(plan, color=color)
