#!/usr/bin/env python3
"""Post a pull request's plan as ONE comment, edited in place on every later push.

The comment is found again by the hidden marker that `assistform plan --format markdown`
writes on its first line (`<!-- assistform-plan -->`): the first comment whose body starts
with it is edited, and only when there is none is a new one made. GitHub is reached through
the `gh` CLI alone (on every hosted runner; it reads GH_TOKEN), never a client of our own.

    python scripts/sticky_comment.py --repo OWNER/NAME --pr 12 --body-file plan.md
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

MARKER = "<!-- assistform-plan -->"
#: GitHub refuses a comment body longer than this (characters).
BODY_MAX = 65_536
TRUNCATED = "\n\n*(truncated: the full plan is in the workflow run's artifacts)*\n"


class GhError(Exception):
    pass


def gh(*args: str, stdin: str | None = None) -> str:
    done = subprocess.run(["gh", *args], input=stdin, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise GhError(f"gh {' '.join(args)}: {done.stderr.strip() or f'exit {done.returncode}'}")
    return done.stdout


def json_values(text: str) -> Iterator[Any]:
    """Each JSON value in `text`: `gh api --paginate` prints one array per page, back to back."""
    decoder = json.JSONDecoder()
    index = 0
    while True:
        while index < len(text) and text[index].isspace():
            index += 1
        if index == len(text):
            return
        value, index = decoder.raw_decode(text, index)
        yield value


def comments(repo: str, pr: int) -> list[dict[str, Any]]:
    out = gh("api", "--paginate", f"repos/{repo}/issues/{pr}/comments?per_page=100")
    found: list[dict[str, Any]] = []
    for page in json_values(out):
        found.extend(page if isinstance(page, list) else [page])
    return found


def sticky_id(found: Sequence[dict[str, Any]], marker: str) -> int | None:
    for comment in found:
        if str(comment.get("body") or "").startswith(marker):
            return int(comment["id"])
    return None


def comment_body(text: str, marker: str) -> str:
    """The body to post: led by the marker, and short enough for GitHub."""
    body = text if text.startswith(marker) else f"{marker}\n{text}"
    if len(body) > BODY_MAX:
        body = body[: BODY_MAX - len(TRUNCATED)] + TRUNCATED
    return body


def post(repo: str, pr: int, body: str, marker: str = MARKER) -> str:
    """Create or update the sticky comment; what was done, for the log."""
    existing = sticky_id(comments(repo, pr), marker)
    payload = json.dumps({"body": comment_body(body, marker)})
    if existing is None:
        path = f"repos/{repo}/issues/{pr}/comments"
        gh("api", "--method", "POST", path, "--input", "-", stdin=payload)
        return f"created the plan comment on #{pr}"
    path = f"repos/{repo}/issues/comments/{existing}"
    gh("api", "--method", "PATCH", path, "--input", "-", stdin=payload)
    return f"updated the plan comment {existing} on #{pr}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repo", required=True, help="OWNER/NAME")
    parser.add_argument("--pr", required=True, type=int, help="pull request number")
    parser.add_argument("--body-file", required=True, type=Path, help="the Markdown plan")
    parser.add_argument("--marker", default=MARKER, help="hidden first line to find it by")
    args = parser.parse_args(argv)
    try:
        text = args.body_file.read_text(encoding="utf-8")
        print(post(args.repo, args.pr, text, args.marker))
    except (OSError, GhError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
