"""`doctor`: probe a server of the /v1/assistants contract once, and say what it keeps.

Since OpenAI's shutdown the servers users run are re-implementations, and none is exactly
OpenAI: ids of another form, `null` for every field not sent, fields dropped or added,
errors of other shapes and statuses, pagination that repeats items. assistform copes with
each (see `normalize`, `api.client`); the doctor shows a user which ones their server has
before the first apply, and whether it can be used at all.

The probe creates throwaway assistants named `assistform-doctor-probe-<run>-<role>` with
metadata `{"assistform-doctor": "probe"}`, never an ownership tag, so no plan takes one for
its own. It reads them back, modifies them (does an update replace metadata or merge it?
does it take falsy values such as `temperature: 0` and `""`, or ignore them?), pages over
them newest first two a page (what repeats, what is skipped, does `after` advance, does the
list body say `has_more`?), lists them as plan does, deletes them, sends a few requests
meant to be refused, and always deletes every probe it made, whatever failed. Classifying
what came back is pure (the `classify_*` and `describe_*` functions); `diagnose` is the shell.

A server is usable when plan and apply can work there: it creates, reads, modifies and
deletes, and plan's own listing (`AssistantsApi.list_all`) shows every probe. A list that
repeats or skips two a page is a difference, not a problem, when plan's listing copes.

Four modules: `report` (the report model, its problems, differences and JSON), `classify`
(pure classifiers of what came back), `paging` (pure: what a walk over the list showed, and
its likely cause) and `probe` (the I/O shell, `diagnose`).
"""

from __future__ import annotations

from assistform.doctor.classify import (
    classify_error,
    classify_sent,
    classify_unsent,
    describe_id,
    describe_type,
    extra_headers,
)
from assistform.doctor.probe import DEFAULT_MODEL, diagnose, full_body
from assistform.doctor.report import (
    OPERATIONS,
    ErrorAnswer,
    FieldResult,
    Pagination,
    Report,
    describe_answer,
)

__all__ = [
    "DEFAULT_MODEL",
    "OPERATIONS",
    "ErrorAnswer",
    "FieldResult",
    "Pagination",
    "Report",
    "classify_error",
    "classify_sent",
    "classify_unsent",
    "describe_answer",
    "describe_id",
    "describe_type",
    "diagnose",
    "extra_headers",
    "full_body",
]
