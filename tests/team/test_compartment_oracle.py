"""No function a desk role may call tells it which rows are in the whistleblower
compartment. The policies once called SECURITY DEFINER functions returning the
compartment's ids, executable by every advisor: `SELECT borgerdesk_wb_cases()` from psql
listed the whistleblower cases. Here every function in schema public that the advisor may
EXECUTE is called (those without arguments, and those taking two dates), through psql and
through SQLAlchemy, and none may return a compartment id; only the anonymous counts
answer, with counts."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import make_url, text

from store.db import make_engine
from tests.team.test_compartment import _psql
from tests.team.world import build

CALLABLE = """
SELECT p.oid::regprocedure::text, pg_get_function_identity_arguments(p.oid),
       p.prokind, p.proretset
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'public' AND p.prorettype <> 'trigger'::regtype
  AND has_function_privilege(p.oid, 'EXECUTE')
ORDER BY 1"""

DATES = "'2000-01-01'::date, '2100-12-31'::date"
# The annual report's counts: dates, a receipt window, and the reply rules to count.
COUNT_ARGS = (
    f"{DATES}, '2000-01-01'::timestamp, '2100-12-31'::timestamp, "
    "ARRAY['whistleblower_ack']::text[], ARRAY['whistleblower_feedback']::text[]"
)
COUNTS = (
    "borgerdesk_whistleblower_counts(date,date,timestamp without time zone,"
    "timestamp without time zone,text[],text[])"
)
# The merge's completion: answers nothing, and refuses a sealed party as a missing one
# (tests/team/test_compartment_seal.py).
MERGE = "borgerdesk_merge_party(integer,integer)"


def _calls(rows: list[tuple[str, str, str, bool]]) -> dict[str, str]:
    """signature -> a statement calling it, for the functions the test can call."""
    out = {}
    for signature, args, kind, returns_set in rows:
        if signature == MERGE:
            continue
        if signature == COUNTS:
            call = f"{signature.split('(')[0]}({COUNT_ARGS})"
        elif kind != "f" or not (args == "" or re.fullmatch(r"\w+ date, \w+ date", args)):
            continue
        else:
            call = f"{signature.split('(')[0]}({'' if args == '' else DATES})"
        out[signature] = f"SELECT * FROM {call}" if returns_set else f"SELECT {call}"
    return out


def _ids(value: object) -> set[int]:
    return {int(n) for n in re.findall(r"\d+", str(value))}


def test_no_function_an_advisor_may_call_names_a_compartment_row(
    pg_url: str, person: Callable[[str], str]
) -> None:
    ids = build(pg_url)
    secret = {ids["wb"], ids["c_wb"], ids["reporter"]}
    url = person("advisor")
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(CALLABLE)).all()]
        calls = _calls(rows)  # type: ignore[arg-type]
        assert COUNTS in calls, rows
        answers = {}
        for signature, stmt in calls.items():
            with conn.begin_nested():
                answers[signature] = conn.execute(text(stmt)).all()
    engine.dispose()
    for signature, answer in answers.items():
        if signature == COUNTS:
            # Counts only: one row of numbers, and one report received.
            assert len(answer) == 1 and answer[0].received == 1, answer
            continue
        assert not _ids(answer) & secret, (signature, answer)
    # The same through psql, the tool the issue names.
    for signature, stmt in calls.items():
        if signature != COUNTS:
            out = _psql(url, stmt)
            assert not _ids(out) & secret, (signature, out)
    # Only the counts function is there to call for the advisor (and the merge's
    # completion, which answers nothing).
    assert set(calls) == {COUNTS}, sorted(calls)
    assert {r[0] for r in rows} == {COUNTS, MERGE, "borgerdesk_note_read(text,integer)"}, rows


def test_the_old_id_functions_are_gone(pg_url: str, person: Callable[[str], str]) -> None:
    build(pg_url)
    url = person("advisor")
    names = _psql(url, "SELECT proname FROM pg_proc WHERE proname LIKE 'borgerdesk_wb_%'")
    assert names == []
    assert make_url(url).username
