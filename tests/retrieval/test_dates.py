"""Dates as a page states them: stamps parsed exactly, read on the page's own calendar."""

import datetime as dt

from retrieval.dates import line_dates, local_day, parse_stamp

D = dt.date


def test_stamps_in_the_forms_pages_use():
    assert parse_stamp("2019-11-19T01:19:34.819Z").is_utc
    assert parse_stamp("Mon, 18 Nov 2019 16:07:38 -0600").offset == dt.timedelta(hours=-6)
    assert parse_stamp("Tue Nov 19 2019 03:05:46 GMT-0500 (EST)").offset == dt.timedelta(hours=-5)
    assert parse_stamp("20191119").day == D(2019, 11, 19)
    assert parse_stamp("November 19, 2019").moment is None  # a date, no time of day
    for not_a_date in ("0001-01-01T00:00:00Z", "2019", "November 2019", "soon", "", None):
        assert parse_stamp(not_a_date) is None


def test_a_utc_stamp_takes_the_pages_own_offset():
    utc = parse_stamp("2019-11-19T01:19:34Z")  # 8:19 pm on the 18th in New York
    assert local_day(utc, [parse_stamp("2019-11-19T09:41:00-05:00")], None) == D(2019, 11, 18)
    # A local stamp of the same instant, without an offset, gives it too.
    assert local_day(utc, [parse_stamp("Monday, November 18, 2019, 08:19 PM")], None) == D(2019, 11, 18)
    # Failing that, the visible date line a day away decides; one further off does not.
    assert local_day(utc, [], D(2019, 11, 18)) == D(2019, 11, 18)
    assert local_day(utc, [], D(2019, 11, 13)) == D(2019, 11, 19)
    # A stamp with its own offset is read as written.
    assert local_day(parse_stamp("2019-11-19T00:51:04-05:00"), [], D(2019, 11, 18)) == D(2019, 11, 19)


def test_date_lines_in_several_languages_and_updates_marked():
    assert line_dates("Published 4:00 am CST, Wednesday, November 20, 2019") == [(D(2019, 11, 20), False)]
    assert line_dates("Updated Nov. 19, 2019 8:21 am ET / Original Nov. 18, 2019 8:02 am ET") == [
        (D(2019, 11, 19), True),
        (D(2019, 11, 18), False),
    ]
    assert line_dates("sexta-feira, 22 de outubro de 2010 às 20:13", "pt") == [(D(2010, 10, 22), False)]
    assert line_dates("Текст: Венера Ерофеева·24 сентября 2018", "ru") == [(D(2018, 9, 24), False)]
    assert line_dates("Von Moritz Bachmann publiziert am 25. September 2018", "de") == [(D(2018, 9, 25), False)]
    assert line_dates("2018年8月16日") == [(D(2018, 8, 16), False)]
    assert line_dates("05/10/2018 - Publicado por: Clarissa Borba", "pt") == [(D(2018, 10, 5), False)]
    assert line_dates("By Tess Bonn - 11/19/19 06:56 AM EST", "en") == [(D(2019, 11, 19), False)]


def test_no_date_without_a_year_unless_the_page_gives_it():
    assert line_dates("Posted Nov 18, 8:19 PM") == []
    assert line_dates("Posted Nov 18, 8:19 PM", year=2019) == [(D(2019, 11, 18), False)]
    for relative in ("22 hours ago", "Today 12:01 AM", "Ed Cara Monday 6:30PM", "Catherine Shu / 2 days"):
        assert line_dates(relative, year=2019) == []


def test_an_update_after_a_dash_does_not_hide_the_date_before_it():
    line = "By HNN Staff | November 18, 2019 at 2:26 PM HST - Updated November 18 at 4:46 PM"
    assert line_dates(line, "en", 2019)[0] == (D(2019, 11, 18), False)
