#!/usr/bin/env python3
"""Keep ONE open issue per environment while its plan shows drift; close it once it is clean.

The scheduled drift workflow runs `assistform plan --detailed-exitcode` for each environment
and hands the exit code and the Markdown plan to this script:

- exit 2 (the plan has changes): the open issue of that environment gets the plan as its
  body, edited in place; only when there is none is one opened;
- exit 0 (no changes): that issue, if any, gets a short comment and is closed;
- anything else (the plan failed): nothing is opened, edited or closed, and this script
  fails, so that an error never passes for "no drift" (nor opens an issue of its own).

The issue is found again by a hidden marker on its body's first line,
`<!-- assistform-drift:ENV -->` (`<!-- assistform-drift -->` without environments), among
the repository's open issues. GitHub is reached through the `gh` CLI alone, as
`sticky_comment.py` does.

    python scripts/drift_issue.py --repo OWNER/NAME --env prod --exitcode 2 \\
        --body-file plan.md --run-url https://github.com/OWNER/NAME/actions/runs/1

    python scripts/drift_issue.py matrix envs.json   # `assistform envs --format json` ->
                                                     # the workflow's matrix, as JSON
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sticky_comment import BODY_MAX, TRUNCATED, GhError, gh, json_values

PLAN_MARKER = "<!-- assistform-plan -->"
NO_CHANGES, ERROR, CHANGES = 0, 1, 2


def marker(env: str) -> str:
    return f"<!-- assistform-drift:{env} -->" if env else "<!-- assistform-drift -->"


def title(env: str) -> str:
    return f"assistform: drift in {env}" if env else "assistform: drift detected"


def open_issues(repo: str) -> list[dict[str, Any]]:
    """Every open issue, all pages; the endpoint lists pull requests too, left out here."""
    out = gh("api", "--paginate", f"repos/{repo}/issues?state=open&per_page=100")
    found: list[dict[str, Any]] = []
    for page in json_values(out):
        found.extend(page if isinstance(page, list) else [page])
    return [issue for issue in found if "pull_request" not in issue]


def drift_issue(found: Sequence[dict[str, Any]], env: str) -> int | None:
    """The number of the environment's issue: the first whose first line is its marker."""
    wanted = marker(env)
    for issue in found:
        first_line = str(issue.get("body") or "").split("\n", 1)[0].strip()
        if first_line == wanted:
            return int(issue["number"])
    return None


def issue_body(plan: str, env: str, run_url: str) -> str:
    """The marker, the plan (without the pull request comment's marker), where it came from."""
    lines = plan.splitlines()
    if lines and lines[0].strip() == PLAN_MARKER:
        plan = "\n".join(lines[1:]).strip("\n") + "\n"
    where = f"`{env}`" if env else "the repository's server"
    footer = (
        f"\n---\nFound by the scheduled drift check ([run]({run_url})): the live assistants of "
        f"{where} differ from what the specs and the state say. Apply the specs, or change "
        "them to match, and this issue closes itself after the next clean check.\n"
    )
    head = marker(env) + "\n"
    room = BODY_MAX - len(head) - len(footer)
    if len(plan) > room:
        plan = plan[: room - len(TRUNCATED)] + TRUNCATED
    return head + plan + footer


def sync(repo: str, env: str, exitcode: int, plan: str, run_url: str) -> str:
    """Open, update or close the environment's issue; what was done, for the log."""
    shown = f"'{env}'" if env else "(no environment)"
    if exitcode not in (NO_CHANGES, CHANGES):
        # Checked before any call to GitHub: an error must leave every issue as it is.
        raise ValueError(
            f"the plan of {shown} failed (exit {exitcode}): no issue opened, updated or closed"
        )
    existing = drift_issue(open_issues(repo), env)
    if exitcode == NO_CHANGES:
        if existing is None:
            return f"no drift in {shown}"
        comment = json.dumps(
            {"body": f"The plan of {shown} is clean again ([run]({run_url})): closing."}
        )
        gh(
            "api",
            "--method",
            "POST",
            f"repos/{repo}/issues/{existing}/comments",
            "--input",
            "-",
            stdin=comment,
        )
        closed = json.dumps({"state": "closed", "state_reason": "completed"})
        gh(
            "api",
            "--method",
            "PATCH",
            f"repos/{repo}/issues/{existing}",
            "--input",
            "-",
            stdin=closed,
        )
        return f"no drift in {shown}: closed #{existing}"
    payload = json.dumps({"title": title(env), "body": issue_body(plan, env, run_url)})
    if existing is None:
        out = gh("api", "--method", "POST", f"repos/{repo}/issues", "--input", "-", stdin=payload)
        number = json.loads(out)["number"]
        return f"drift in {shown}: opened #{number}"
    gh("api", "--method", "PATCH", f"repos/{repo}/issues/{existing}", "--input", "-", stdin=payload)
    return f"drift in {shown}: updated #{existing}"


def matrix(envs: dict[str, Any]) -> list[dict[str, str]]:
    """The workflow's matrix from `assistform envs --format json`: one entry per environment
    (its name and the variable its key is read from), or one without environments."""
    rows = envs.get("environments") or []
    if not rows:
        return [{"env": "", "label": "none", "api_key_env": "OPENAI_API_KEY"}]
    return [
        {"env": row["name"], "label": row["name"], "api_key_env": row["api_key_env"]}
        for row in rows
    ]


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        if args_list[:1] == ["matrix"]:
            (path,) = args_list[1:]
            print(json.dumps(matrix(json.loads(Path(path).read_text(encoding="utf-8")))))
            return 0
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
        parser.add_argument("--repo", required=True, help="OWNER/NAME")
        parser.add_argument("--env", default="", help="the environment (none: empty)")
        parser.add_argument("--exitcode", required=True, type=int, help="of plan")
        parser.add_argument("--body-file", required=True, type=Path, help="the Markdown plan")
        parser.add_argument("--run-url", default="", help="the workflow run, for the issue")
        args = parser.parse_args(args_list)
        plan = args.body_file.read_text(encoding="utf-8") if args.exitcode == CHANGES else ""
        print(sync(args.repo, args.env, args.exitcode, plan, args.run_url))
    except (OSError, GhError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
