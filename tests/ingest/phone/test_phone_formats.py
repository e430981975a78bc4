"""Reading real-shaped exports: encodings, delimiters, sep= lines, totals, XLSX, profiles,
number formats, and the DST nights."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

import pytest

from ingest.phone.importer import PhoneImportError, read_and_parse
from ingest.phone.profiles import ProfileError
from ingest.phone.sniff import FileFormatError
from ingest.phone.values import RowError, parse_duration
from tests.ingest.phone.samples import (
    ADVISOR_EXT,
    ADVISOR_NUMBER,
    ADVISOR_UPN,
    COLLEAGUE_UPN,
    CUCM_HEADER,
    CUCM_TYPES,
    DK_HEADER,
    TEAMS_HEADER,
    VOICEMAIL_PILOT,
    csv_bytes,
    cucm_row,
    dk_rows,
    epoch,
    make_config,
    teams_row,
    xlsx_bytes,
)

CONFIG = make_config()
UTC = dt.UTC


def parse(data: bytes, name: str = "x.csv", profile: str | None = None, config=CONFIG):
    return read_and_parse(data, name, config, profile)


def utc(*a: int) -> dt.datetime:
    return dt.datetime(*a, tzinfo=UTC)


EXPECTED_DK = [
    # Copenhagen is UTC+2 in early October.
    (utc(2024, 10, 1, 7, 15), "in", "+4522334455", "answered", 125),
    (utc(2024, 10, 1, 7, 40), "in", "+4522334455", "missed", 0),
    (utc(2024, 10, 1, 8, 5, 10), "out", "+4522334455", "answered", 125),
    (utc(2024, 10, 2, 6, 1), "in", None, "voicemail", 0),
    (utc(2024, 10, 2, 11, 30), "in", "+4533445566", "answered", 3725),
    (utc(2024, 10, 3, 9, 0), "out", "+46812345678", "missed", 61),
]


def _calls(result):
    return [(r.start, r.direction, r.number, r.status, r.duration_s) for r in result.rows]


@pytest.mark.parametrize(
    ("label", "kwargs", "encoding", "delimiter"),
    [
        ("cp1252 with sep= line", dict(encoding="cp1252", sep_line=True), "cp1252", ";"),
        ("cp1252 plain", dict(encoding="cp1252"), "cp1252", ";"),
        ("utf-8 BOM", dict(encoding="utf-8", bom=True), "utf-8-sig", ";"),
        ("utf-8 no BOM, LF", dict(encoding="utf-8", newline="\n"), "utf-8", ";"),
        ("utf-16 BOM, tab", dict(encoding="utf-16", delimiter="\t"), "utf-16", "\t"),
        ("utf-8 comma", dict(encoding="utf-8", delimiter=","), "utf-8", ","),
        (
            "tab with sep= line",
            dict(encoding="cp1252", delimiter="\t", sep_line=True),
            "cp1252",
            "\t",
        ),
    ],
)
def test_dk_generic_in_every_encoding_and_delimiter(label, kwargs, encoding, delimiter):
    data = csv_bytes(DK_HEADER, dk_rows(), **kwargs)
    table, result, profile = parse(data)
    assert profile == "dk-generic"
    assert (table.encoding, table.delimiter) == (encoding, delimiter)
    assert not result.problems
    assert _calls(result) == EXPECTED_DK
    # Raw numbers are kept as written.
    assert [r.raw_number for r in result.rows][:3] == [
        "22 33 44 55",
        "+45 22334455",
        "004522334455",
    ]


def test_cp1252_really_is_cp1252():
    data = csv_bytes(DK_HEADER, dk_rows(), encoding="cp1252")
    assert "Indgående".encode("cp1252") in data and b"\xc3\xa5" not in data


def test_trailing_totals_are_dropped_but_count():
    trailer = [
        ["I alt", "", "", "", "3791", ""],
        ["", "", "", "", "3791", ""],
        ["", "", "", "", "", ""],
    ]
    data = csv_bytes(DK_HEADER, dk_rows(), sep_line=True, trailer=trailer)
    _table, result, _ = parse(data)
    assert not result.problems
    assert len(result.rows) == 6
    assert result.summary_rows == 2  # the all-empty row is a blank, not a total
    assert result.blank_rows == 1


def test_bad_cells_leave_no_reference_cycle():
    """A bad cell's error is memoised per file; it must not keep the parser's frames (and
    so the whole table and its rows) alive in a cycle only the cyclic collector frees:
    the importer runs with that collector paused."""
    rows = dk_rows()
    rows[1][4] = "abc"
    rows[3][0] = "31-02-2024"
    rows[4][3] = "ring mig"
    rows[2][2] = "Viderestillet"
    trailer = [["I alt", "", "", "", "3791", ""]]
    data = csv_bytes(DK_HEADER, rows, sep_line=True, trailer=trailer)
    parse(data)  # warm: first-use caches and imports
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        _table, result, _ = parse(data)
        assert len(result.problems) == 4 and result.summary_rows == 1
        del _table, result
        assert gc.collect() == 0
    finally:
        if was:
            gc.enable()


def test_a_total_in_the_middle_is_a_bad_row():
    rows = dk_rows()
    rows.insert(2, ["I alt", "", "", "", "125", ""])
    _table, result, _ = parse(csv_bytes(DK_HEADER, rows))
    assert [p.line for p in result.problems] == [4]


def test_bad_rows_name_line_column_value_reason():
    rows = dk_rows()
    rows[1][4] = "abc"  # line 3 (header is line 1)
    rows[3][0] = "31-02-2024"
    rows[4][3] = "ring mig"
    rows[5][2] = "Viderestillet"
    _table, result, _ = parse(csv_bytes(DK_HEADER, rows, sep_line=True))
    got = [(p.line, p.column, p.value) for p in result.problems]
    assert got == [
        (4, "Varighed", "abc"),
        (6, "Dato", "31-02-2024"),
        (7, "Nummer", "ring mig"),
        (8, "Retning", "Viderestillet"),
    ]
    assert "no such date" in result.problems[1].reason
    assert "not a phone number" in result.problems[2].reason
    assert str(result.problems[0]).startswith("line 4, column 'Varighed', value 'abc': ")


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("0", 0),
        ("125", 125),
        ("02:05", 125),
        ("2:05", 125),
        ("1:02:05", 3725),
        ("125,0", 125),
        ("12,6", 13),
        (61, 61),
        (61.0, 61),
        (dt.time(0, 2, 5), 125),
    ],
)
def test_durations(value, seconds):
    assert parse_duration(value, "Varighed") == seconds


@pytest.mark.parametrize("value", ["", "abc", "1:99", "-5", "1:2:3:4", "1,2,3", "²"])
def test_bad_durations(value):
    with pytest.raises(RowError):
        parse_duration(value, "Varighed")


def test_hidden_numbers_in_every_spelling():
    rows = [
        ["01-10-2024", "09:00", "Indgående", raw, "0", "Ubesvaret"]
        for raw in ["Skjult nummer", "skjult", "anonymous", "Anonym", "", "Unknown"]
    ]
    _table, result, _ = parse(csv_bytes(DK_HEADER, rows))
    assert not result.problems
    assert [r.number for r in result.rows] == [None] * 6


def test_xlsx_with_typed_cells_and_a_title_row(tmp_path: Path):
    rows = [
        [dt.datetime(2024, 10, 1), dt.time(9, 15), "Indgående", "22 33 44 55", 125, "Besvaret"],
        ["01-10-2024", "09:40", "Indgående", 4522334455, "0", "Ubesvaret"],
        [
            dt.datetime(2024, 10, 1),
            "10:05:10",
            "Udgående",
            "004522334455",
            dt.time(0, 2, 5),
            "Besvaret",
        ],
        [None, None, None, None, 250, None],  # totals row an Excel user added
    ]
    data = xlsx_bytes(DK_HEADER, rows, tmp_path / "opkald.xlsx", title="Opkaldsliste uge 40")
    table, result, profile = parse(data, "opkald.xlsx")
    assert (table.kind, profile) == ("xlsx", "dk-generic")
    assert not result.problems and result.summary_rows == 1
    assert _calls(result) == EXPECTED_DK[:3]


def test_teams_takes_only_the_advisors_line_and_utc_times():
    rows = [
        teams_row(
            ADVISOR_UPN, "user_in", "+4522334455", ADVISOR_NUMBER, "2024-10-01T07:15:00Z", 125
        ),
        teams_row(
            COLLEAGUE_UPN, "user_in", "+4599887766", "+4559660000", "2024-10-01T07:16:00Z", 30
        ),
        teams_row(ADVISOR_UPN, "user_out", ADVISOR_NUMBER, "+4533445566", "2024-10-01 08:00:00", 0),
        teams_row(ADVISOR_UPN, "dr_in", "anonymous", ADVISOR_NUMBER, "2024-10-01T09:00:00.000Z", 0),
    ]
    _table, result, profile = parse(
        csv_bytes(TEAMS_HEADER, rows, delimiter=",", encoding="utf-8", bom=True)
    )
    assert profile == "teams"
    assert result.other_lines == 1
    assert _calls(result) == [
        (utc(2024, 10, 1, 7, 15), "in", "+4522334455", "answered", 125),
        (utc(2024, 10, 1, 8, 0), "out", "+4533445566", "missed", 0),
        (utc(2024, 10, 1, 9, 0), "in", None, "missed", 0),
    ]
    assert {r.line for r in result.rows} == {ADVISOR_UPN}


def test_teams_without_own_line_configured_is_refused():
    cfg = make_config().model_copy(
        update={
            "phone": make_config().phone.model_copy(
                update={"own_upns": [], "own_numbers": [], "own_extensions": []}
            )
        }
    )
    rows = [
        teams_row(
            ADVISOR_UPN, "user_in", "+4522334455", ADVISOR_NUMBER, "2024-10-01T07:15:00Z", 125
        )
    ]
    with pytest.raises(Exception, match="own_upns"):
        parse(csv_bytes(TEAMS_HEADER, rows, delimiter=","), config=cfg)


def test_cucm_type_line_epoch_times_direction_and_voicemail():
    rows = [
        cucm_row(
            epoch(2024, 10, 1, 7, 15),
            "22334455",
            ADVISOR_EXT,
            ADVISOR_EXT,
            epoch(2024, 10, 1, 7, 15, 5),
            125,
        ),
        cucm_row(epoch(2024, 10, 1, 7, 30), ADVISOR_EXT, "33445566", "33445566", 0, 0),
        cucm_row(
            epoch(2024, 10, 1, 7, 45),
            "+4522334455",
            ADVISOR_EXT,
            VOICEMAIL_PILOT,
            epoch(2024, 10, 1, 7, 45, 20),
            40,
        ),
        cucm_row(epoch(2024, 10, 1, 8, 0), "22334455", "4712", "4712", 0, 0),  # colleague
        cucm_row(epoch(2024, 10, 1, 8, 5), "22334455", ADVISOR_EXT, ADVISOR_EXT, 0, 0),
    ]
    data = csv_bytes(
        CUCM_HEADER, [CUCM_TYPES, *rows], delimiter=",", encoding="utf-8", newline="\n"
    )
    _table, result, profile = parse(data)
    assert profile == "cucm" and not result.problems
    assert result.other_lines == 1
    assert _calls(result) == [
        (utc(2024, 10, 1, 7, 15), "in", "+4522334455", "answered", 125),
        (utc(2024, 10, 1, 7, 30), "out", "+4533445566", "missed", 0),
        (utc(2024, 10, 1, 7, 45), "in", "+4522334455", "voicemail", 40),
        (utc(2024, 10, 1, 8, 5), "in", "+4522334455", "missed", 0),
    ]


def test_user_defined_profile_from_config():
    cfg = make_config("""
[[phone.profiles]]
name = "kommune-pbx"
datetime_format = "%Y.%m.%d %H.%M"
[phone.profiles.columns]
start = "Tid"
direction = "Type"
caller = "Fra"
callee = "Til"
duration = "Sek"
status = "Udfald"
line = "Lokal"
[phone.profiles.values]
direction = {"IND" = "in", "UD" = "out"}
status = {"OK" = "answered", "TABT" = "missed", "VM" = "voicemail"}
""")
    header = ["Tid", "Type", "Fra", "Til", "Sek", "Udfald", "Lokal"]
    rows = [
        ["2024.10.01 09.15", "IND", "22334455", ADVISOR_EXT, "125", "OK", ADVISOR_EXT],
        ["2024.10.01 09.20", "UD", ADVISOR_EXT, "33445566", "0", "TABT", ADVISOR_EXT],
        ["2024.10.01 09.25", "IND", "44556677", "4712", "0", "VM", "4712"],
    ]
    _table, result, profile = parse(csv_bytes(header, rows), config=cfg)
    assert profile == "kommune-pbx" and result.other_lines == 1
    assert _calls(result) == [
        (utc(2024, 10, 1, 7, 15), "in", "+4522334455", "answered", 125),
        (utc(2024, 10, 1, 7, 20), "out", "+4533445566", "missed", 0),
    ]


# --------------------------------------------------------------------------- profiles


def test_unknown_header_lists_profiles_and_nearest_match():
    header = ["Dato", "Tidpunkt", "Retning", "Nummer", "Varighed", "Resultat"]
    with pytest.raises(ProfileError) as e:
        parse(csv_bytes(header, dk_rows()))
    msg = str(e.value)
    assert "\n" not in msg
    assert "tried profiles teams, cucm, dk-generic" in msg
    assert "nearest is 'dk-generic'" in msg
    assert "'Tidspunkt' (found 'Tidpunkt')" in msg and "'Status'" in msg


def test_wrong_forced_profile_says_which_fits():
    with pytest.raises(ProfileError) as e:
        parse(csv_bytes(DK_HEADER, dk_rows()), profile="teams")
    msg = str(e.value)
    assert "--profile teams: the header lacks" in msg and "fits profile 'dk-generic'" in msg


def test_unknown_forced_profile():
    with pytest.raises(ProfileError, match="no such profile; choose one of: teams, cucm"):
        parse(csv_bytes(DK_HEADER, dk_rows()), profile="avaya")


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"", "the file is empty"),
        (b"\r\n\r\n", "the file is empty"),
        (b"\xef\xbb\xbf", "the file is empty"),
        (b"Dato;Tidspunkt;Retning;Nummer;Varighed;Status\r\n", "only a header"),
        (b"sep=;\r\nDato;Tidspunkt;Retning;Nummer;Varighed;Status\r\n;;;;;\r\n", "only a header"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Excel .xls"),
        (b"PK\x03\x04garbage", "not a readable XLSX"),
    ],
)
def test_unreadable_or_empty_files(data, needle):
    with pytest.raises((FileFormatError, PhoneImportError)) as e:
        parse(data)
    assert needle in str(e.value) and "\n" not in str(e.value)


# --------------------------------------------------------------------------- DST


def _dk_times(times: list[tuple[str, str]]):
    rows = [[d, t, "Indgående", "22334455", "10", "Besvaret"] for d, t in times]
    _table, result, _ = parse(csv_bytes(DK_HEADER, rows))
    assert not result.problems
    return [r.start for r in result.rows]


def test_autumn_night_in_file_order():
    """27 Oct 2024: 03:00 summer time -> 02:00 winter time; 02:00-02:59 happens twice.
    An ascending export walks the hour twice: 02:10, 02:40 (summer), 02:05, 02:35 (winter)."""
    times = [("27-10-2024", t) for t in ["01:50", "02:10", "02:40", "02:05", "02:35", "03:10"]]
    assert _dk_times(times) == [
        utc(2024, 10, 26, 23, 50),
        utc(2024, 10, 27, 0, 10),
        utc(2024, 10, 27, 0, 40),  # +02:00
        utc(2024, 10, 27, 1, 5),
        utc(2024, 10, 27, 1, 35),  # +01:00
        utc(2024, 10, 27, 2, 10),
    ]


def test_autumn_night_newest_first():
    times = [("27-10-2024", t) for t in ["03:10", "02:35", "02:05", "02:40", "02:10", "01:50"]]
    assert _dk_times(times) == [
        utc(2024, 10, 27, 2, 10),
        utc(2024, 10, 27, 1, 35),
        utc(2024, 10, 27, 1, 5),
        utc(2024, 10, 27, 0, 40),
        utc(2024, 10, 27, 0, 10),
        utc(2024, 10, 26, 23, 50),
    ]


def test_lone_ambiguous_time_is_the_first_occurrence():
    assert _dk_times([("27-10-2024", "02:30")]) == [utc(2024, 10, 27, 0, 30)]


def test_spring_gap_time_uses_the_offset_before_the_change():
    """31 Mar 2024: 02:00 winter -> 03:00 summer; 02:30 never happened on the wall."""
    assert _dk_times(
        [("31-03-2024", "01:30"), ("31-03-2024", "02:30"), ("31-03-2024", "03:30")]
    ) == [
        utc(2024, 3, 31, 0, 30),
        utc(2024, 3, 31, 1, 30),
        utc(2024, 3, 31, 1, 30),
    ]


def test_teams_utc_times_cross_the_autumn_night_without_ambiguity():
    """The same two calls Teams writes in UTC are distinct, 1 h apart, though both show
    as 02:30 on a Copenhagen clock."""
    rows = [
        teams_row(
            ADVISOR_UPN, "user_in", "+4522334455", ADVISOR_NUMBER, "2024-10-27T00:30:00Z", 10
        ),
        teams_row(
            ADVISOR_UPN, "user_in", "+4522334455", ADVISOR_NUMBER, "2024-10-27T01:30:00Z", 10
        ),
    ]
    _table, result, _ = parse(csv_bytes(TEAMS_HEADER, rows, delimiter=","))
    starts = [r.start for r in result.rows]
    assert starts == [utc(2024, 10, 27, 0, 30), utc(2024, 10, 27, 1, 30)]
    from store.timeutil import show

    assert [show(s, "%H:%M") for s in starts] == ["02:30", "02:30"]


def test_internal_and_short_numbers_are_set_aside_and_counted():
    """A colleague's extension or 1813 is not a citizen's call; it neither imports nor
    fails the file. Garbage still does."""
    rows = dk_rows()
    rows.append(["03-10-2024", "12:00:00", "Indgående", "4712", "30", "Besvaret"])
    rows.append(["03-10-2024", "12:05:00", "Udgående", "1813", "300", "Besvaret"])
    _table, result, _ = parse(csv_bytes(DK_HEADER, rows))
    assert (len(result.rows), result.internal, result.problems) == (6, 2, [])
    rows.append(["03-10-2024", "12:06:00", "Udgående", "12-34", "300", "Besvaret"])
    _table, result, _ = parse(csv_bytes(DK_HEADER, rows))
    assert [(p.line, p.column) for p in result.problems] == [(10, "Nummer")]


def test_short_row_names_the_first_missing_column():
    rows = dk_rows()
    rows[0] = rows[0][:3]
    _table, result, _ = parse(csv_bytes(DK_HEADER, rows))
    p = result.problems[0]
    assert (p.line, p.column, p.reason) == (2, "Nummer", "the row has 3 fields, not 6")


def test_teams_export_resaved_by_danish_excel():
    """Opened in Excel and saved again: semicolons, cp1252, "dd-mm-yyyy hh:mm" — still UTC."""
    rows = [
        teams_row(ADVISOR_UPN, "user_in", "+4522334455", ADVISOR_NUMBER, "01-10-2024 07:15", 125),
        teams_row(ADVISOR_UPN, "user_out", ADVISOR_NUMBER, "22334455", "27.10.2024 01:30:10", 10),
        teams_row(ADVISOR_UPN, "user_out", ADVISOR_NUMBER, "22334455", "10/1/2024 7:15 AM", 10),
    ]
    _table, result, profile = parse(csv_bytes(TEAMS_HEADER, rows, sep_line=True))
    assert profile == "teams"
    assert [r.start for r in result.rows] == [utc(2024, 10, 1, 7, 15), utc(2024, 10, 27, 1, 30, 10)]
    assert [(p.line, p.column) for p in result.problems] == [(5, "Start Time")]


def test_line_numbers_count_line_breaks_inside_quoted_fields():
    data = (
        "Dato;Tidspunkt;Retning;Nummer;Varighed;Status\r\n"
        '01-10-2024;09:00;Indgående;"22 33\r\n44 55";10;Besvaret\r\n'
        "01-10-2024;09:05;Indgående;22334455;x;Besvaret\r\n"
    ).encode("cp1252")
    table, result, _ = parse(data)
    assert table.lines == [2, 4]
    assert [(p.line, p.column) for p in result.problems] == [(2, "Nummer"), (4, "Varighed")]


def test_dk_utc_text_and_row_keys_equal_the_datetime_forms():
    """The dk-generic parser cuts each call's UTC text and row key from the cells
    (per-hour prefixes) instead of formatting the datetime: the same strings, on ordinary
    days, both change days, around midnight and at New Year."""
    from ingest.phone.bulk import key_of, row_key

    days = [
        "30-03-2024",
        "31-03-2024",
        "01-04-2024",
        "26-10-2024",
        "27-10-2024",
        "28-10-2024",
        "31-12-2023",
        "01-01-2024",
        "15-07-2024",
    ]
    clock = [
        "00:00:00",
        "00:59:59",
        "01:00",
        "01:30:15",
        "02:00:00",
        "02:30:00",
        "03:00:00",
        "12:34:56",
        "23:00:00",
        "23:59:59",
    ]
    rows = [[d, t, "Indgående", "22334455", "10", "Besvaret"] for d in days for t in clock]
    _table, result, _ = parse(csv_bytes(DK_HEADER, rows))
    assert not result.problems and len(result.rows) == len(rows)
    texts = [r.utc_text for r in result.rows]
    assert sum(t is not None for t in texts) == 7 * len(clock)  # all but the change days
    for r in result.rows:
        assert r.start.tzinfo is dt.UTC
        if r.utc_text is not None:
            assert r.utc_text == r.start.isoformat()[:19]
        assert key_of(r) == row_key(r.start, r.number, r.direction, r.duration_s)
