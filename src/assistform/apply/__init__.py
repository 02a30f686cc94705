"""Apply: carry a Plan out against the API, recording every finished change in the state.

Read top to bottom: `run.apply_plan` hands the plan's changes to `executor` (a thread
pool), which runs each through `steps.carry_out` (the API calls of one change, creates via
`creates.safe_create`, retries per `retry`), records it through `recorder` (the state
journal) and reports it to `progress`; `summary` says how it ended. Around that, the CLI
holds `lock` and, for a saved plan, checks `stale` first. `rebuild` recovers a lost state.
"""
