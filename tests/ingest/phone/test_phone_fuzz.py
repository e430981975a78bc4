"""Hypothesis-fuzzed exports: never a crash; always a clean import or a clear one-line
report with nothing written."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.phone.importer import import_bytes
from store.errors import UserError
from tests.ingest.phone.samples import DK_HEADER, TEAMS_HEADER, make_config, table_counts

CONFIG = make_config()
NOW = dt.datetime(2024, 11, 1, 12, tzinfo=dt.UTC)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

text = st.text(alphabet=st.characters(codec="cp1252", exclude_categories=("Cs",)), max_size=12)
dates = st.builds(
    lambda d: d.strftime("%d-%m-%Y"), st.dates(dt.date(2020, 1, 1), dt.date(2026, 12, 31))
)
times = st.builds(
    lambda h, m, s: f"{h:02d}:{m:02d}:{s:02d}",
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(0, 59),
)
numbers = st.sampled_from(
    [
        "22 33 44 55",
        "+45 22334455",
        "004522334455",
        "Skjult nummer",
        "33445566",
        "+46 8 123 456 78",
        "",
        "anonymous",
    ]
)
# Values a real export might hold that are not valid calls.
bad = st.one_of(
    text, st.sampled_from(["12", "abc", "?", "Optaget", "31-02-2024", "24:00", "-5", "1:99"])
)
durations = st.one_of(
    st.integers(0, 5000).map(str),
    st.builds(lambda m, s: f"{m:02d}:{s:02d}", st.integers(0, 99), st.integers(0, 59)),
    st.just("12,5"),
)
CELLS = [
    dates,
    times,
    st.sampled_from(["Indgående", "Udgående", "Ind", "udgående"]),
    numbers,
    durations,
    st.sampled_from(["Besvaret", "Ubesvaret", "Telefonsvarer", "besvaret"]),
]


@st.composite
def dk_rows(draw):
    row = []
    for cell in CELLS:
        # Mostly valid cells, sometimes not: bad rows must be reported, never crash.
        row.append(draw(bad if draw(st.integers(0, 29)) == 0 else cell))
    if draw(st.integers(0, 29)) == 0:
        row = row[: draw(st.integers(0, 5))]
    return row


@st.composite
def csv_files(draw):
    delim = draw(st.sampled_from([";", ",", "\t"]))
    header = draw(
        st.sampled_from(
            [
                DK_HEADER,
                DK_HEADER,
                DK_HEADER,
                DK_HEADER,
                TEAMS_HEADER,
                ["Dato", "Tid", "Retning"],
                DK_HEADER[::-1],
                [h.upper() for h in DK_HEADER],
            ]
        )
    )
    rows = draw(st.lists(dk_rows(), max_size=8))
    lines = [header, *rows]
    if draw(st.booleans()):
        lines.append(["I alt", "", "", "", "123", ""])
    body = (
        "\r\n".join(
            delim.join(
                c.replace(delim, " ").replace('"', "").replace("\r", " ").replace("\n", " ")
                for c in line
            )
            for line in lines
        )
        + "\r\n"
    )
    if draw(st.booleans()):
        body = f"sep={delim}\r\n" + body
    enc = draw(st.sampled_from(["cp1252", "utf-8", "utf-8-sig", "utf-16"]))
    return body.encode(enc)


def _check(engine, data: bytes, **kw) -> None:
    before = table_counts(engine)
    try:
        rep = import_bytes(data, "fuzz.csv", engine=engine, config=CONFIG, now=NOW, **kw)
    except UserError as e:
        msg = str(e)
        assert msg and "\n" not in msg and msg.startswith("fuzz.csv")
        assert table_counts(engine) == before
        return
    after = table_counts(engine)
    if rep.status == "already-imported":
        assert after == before
        return
    assert rep.status == "imported"
    assert after["contact"] - before["contact"] == rep.imported
    assert after["imported_file"] - before["imported_file"] == 1


@FUZZ
@given(data=csv_files(), skip=st.booleans())
def test_fuzzed_csv_imports_cleanly_or_reports(engine, data, skip):
    _check(engine, data, skip_bad_rows=skip)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.builds(lambda b: ";".join(DK_HEADER).encode() + b"\r\n" + b, st.binary(max_size=200)),
    )
)
def test_fuzzed_bytes_never_crash(engine, data):
    _check(engine, data)
