//! `eventDate` as Darwin Core writes it: ISO 8601 dates of any precision, with or without
//! a time, ordinal dates, ranges (also with an abbreviated end), and the Java
//! `Date.toString()` form (`Tue Apr 01 00:00:00 CET 1930`) found in old GBIF downloads.
//!
//! A date that cannot be read, or that does not exist (month 13, 30 February, an end
//! before its start) gives `None`: a date is optional, so the observation is still
//! imported, only undated. Times and offsets are dropped: the date is kept as written,
//! in the observer's local calendar.

use super::{EventDate, PartialDate};

/// Reads an `eventDate` value; `None` when it is empty, unreadable or impossible.
pub fn parse(s: &str) -> Option<EventDate> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.as_bytes()[0].is_ascii_alphabetic() {
        return java_date(s).map(|d| EventDate { start: d, end: d });
    }
    let (first, second) = match s.split_once('/') {
        Some((a, b)) => (a.trim(), Some(b.trim())),
        None => (s, None),
    };
    let start = point(first)?;
    let end = match second {
        None => start,
        Some(b) => point(b).or_else(|| abbreviated_end(&start, b))?,
    };
    checked(start, end)
}

/// An event from separate `year`, `month` and `day` columns (each possibly empty).
pub fn from_parts(year: &str, month: &str, day: &str) -> Option<EventDate> {
    let year = digits(year.trim())?;
    let month = match month.trim() {
        "" => None,
        m => Some(u8::try_from(digits(m)?).ok()?),
    };
    let day = match (month, day.trim()) {
        (_, "") => None,
        (Some(_), d) => Some(u8::try_from(digits(d)?).ok()?),
        // A day without its month says nothing usable.
        (None, _) => None,
    };
    let d = PartialDate { year, month, day };
    checked(d, d)
}

/// Checks that both ends exist and are in order.
fn checked(start: PartialDate, end: PartialDate) -> Option<EventDate> {
    if !valid(start) || !valid(end) {
        return None;
    }
    let first = (start.year, start.month.unwrap_or(1), start.day.unwrap_or(1));
    let end_month = end.month.unwrap_or(12);
    let last = (
        end.year,
        end_month,
        end.day.unwrap_or(days_in_month(end.year, end_month)),
    );
    (first <= last).then_some(EventDate { start, end })
}

fn valid(d: PartialDate) -> bool {
    match (d.month, d.day) {
        (None, None) => true,
        (Some(m), None) => (1..=12).contains(&m),
        (Some(m), Some(day)) => {
            (1..=12).contains(&m) && day >= 1 && day <= days_in_month(d.year, m)
        }
        (None, Some(_)) => false,
    }
}

fn leap(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// An unsigned decimal number made of ASCII digits only.
fn digits(s: &str) -> Option<i32> {
    if s.is_empty() || s.len() > 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// One ISO 8601 date with a four-digit year, the time (if any) dropped.
fn point(s: &str) -> Option<PartialDate> {
    // The time starts at `T` or at a space after the date.
    let date = match s.find(['T', ' ']) {
        Some(i) => &s[..i],
        None => s,
    };
    // Split without allocating: this runs once per row.
    let mut parts = date.split('-');
    let (first, second, third) = (parts.next()?, parts.next(), parts.next());
    if parts.next().is_some() {
        return None;
    }
    let year = |y: &str| (y.len() == 4).then(|| digits(y)).flatten();
    let two = |v: &str| {
        (v.len() == 2)
            .then(|| digits(v))
            .flatten()
            .and_then(|v| u8::try_from(v).ok())
    };
    match (second, third) {
        (None, None) if first.len() == 8 && first.bytes().all(|b| b.is_ascii_digit()) => {
            // Basic format, YYYYMMDD.
            let (y, rest) = first.split_at(4);
            let (m, d) = rest.split_at(2);
            Some(PartialDate {
                year: year(y)?,
                month: Some(two(m)?),
                day: Some(two(d)?),
            })
        }
        (None, _) => Some(PartialDate {
            year: year(first)?,
            month: None,
            day: None,
        }),
        (Some(ordinal), None) if ordinal.len() == 3 => ordinal_date(year(first)?, digits(ordinal)?),
        (Some(m), None) => Some(PartialDate {
            year: year(first)?,
            month: Some(two(m)?),
            day: None,
        }),
        (Some(m), Some(d)) => Some(PartialDate {
            year: year(first)?,
            month: Some(two(m)?),
            day: Some(two(d)?),
        }),
    }
}

/// Day `n` of `year` (1 = 1 January).
fn ordinal_date(year: i32, n: i32) -> Option<PartialDate> {
    let mut left = n;
    if left < 1 {
        return None;
    }
    for month in 1..=12u8 {
        let len = i32::from(days_in_month(year, month));
        if left <= len {
            return Some(PartialDate {
                year,
                month: Some(month),
                day: Some(u8::try_from(left).ok()?),
            });
        }
        left -= len;
    }
    None
}

/// A range end that leaves out what it shares with the start: `2009-02-20/28`,
/// `2009-02-20/03-05`, `2009-02/04`; or a time only (`…T08:00/10:00`): same day.
fn abbreviated_end(start: &PartialDate, end: &str) -> Option<PartialDate> {
    let date = match end.find('T') {
        Some(i) => &end[..i],
        None if end.contains(':') => "",
        None => end,
    };
    if date.is_empty() {
        return Some(*start);
    }
    let two = |p: &str| {
        (p.len() == 2)
            .then(|| digits(p))
            .flatten()
            .and_then(|v| u8::try_from(v).ok())
    };
    let mut it = date.split('-');
    let (first, second) = (two(it.next()?)?, it.next().map(two));
    if it.next().is_some() {
        return None;
    }
    let parts: ([u8; 2], usize) = match second {
        None => ([first, 0], 1),
        Some(Some(d)) => ([first, d], 2),
        Some(None) => return None,
    };
    match (&parts.0[..parts.1], start.month, start.day) {
        ([d], Some(_), Some(_)) => Some(PartialDate {
            day: Some(*d),
            ..*start
        }),
        ([m], Some(_), None) => Some(PartialDate {
            month: Some(*m),
            ..*start
        }),
        ([m, d], Some(_), Some(_)) => Some(PartialDate {
            month: Some(*m),
            day: Some(*d),
            ..*start
        }),
        _ => None,
    }
}

/// Java's `Date.toString()`: `EEE MMM dd HH:mm:ss zzz yyyy` (the zone may be missing).
fn java_date(s: &str) -> Option<PartialDate> {
    let mut tokens = [""; 6];
    let mut n = 0;
    for token in s.split_ascii_whitespace() {
        *tokens.get_mut(n)? = token;
        n += 1;
    }
    if n < 5 {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let name = tokens[1];
    let month = MONTHS
        .iter()
        .position(|m| name.get(..3).is_some_and(|n| n.eq_ignore_ascii_case(m)))?;
    let day = digits(tokens[2]).filter(|_| tokens[2].len() <= 2)?;
    let year = tokens[n - 1];
    let d = PartialDate {
        year: digits(year).filter(|_| year.len() == 4)?,
        month: Some(u8::try_from(month + 1).ok()?),
        day: Some(u8::try_from(day).ok()?),
    };
    valid(d).then_some(d)
}

impl EventDate {
    /// Months of the year the observation may fall in, bit 0 = January; 0 when unknown
    /// (no month) or when the range covers a whole year or more.
    pub fn months(&self) -> u16 {
        let (Some(m0), Some(m1)) = (self.start.month, self.end.month) else {
            return 0;
        };
        if !(1..=12).contains(&m0) || !(1..=12).contains(&m1) {
            return 0;
        }
        let first = i64::from(self.start.year) * 12 + i64::from(m0) - 1;
        let last = i64::from(self.end.year) * 12 + i64::from(m1) - 1;
        let span = last - first + 1;
        if !(1..12).contains(&span) {
            return 0;
        }
        (0..span).fold(0u16, |bits, k| bits | 1 << ((i64::from(m0) - 1 + k) % 12))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(year: i32, month: Option<u8>, day: Option<u8>) -> PartialDate {
        PartialDate { year, month, day }
    }
    fn one(year: i32, month: Option<u8>, day: Option<u8>) -> Option<EventDate> {
        Some(EventDate {
            start: d(year, month, day),
            end: d(year, month, day),
        })
    }
    fn range(a: PartialDate, b: PartialDate) -> Option<EventDate> {
        Some(EventDate { start: a, end: b })
    }

    #[test]
    fn iso_dates_of_any_precision() {
        assert_eq!(parse("2009"), one(2009, None, None));
        assert_eq!(parse("2009-02"), one(2009, Some(2), None));
        assert_eq!(parse("2009-02-20"), one(2009, Some(2), Some(20)));
        assert_eq!(parse(" 20090220 "), one(2009, Some(2), Some(20)));
    }

    #[test]
    fn times_and_offsets_keep_the_written_date() {
        let expected = one(2009, Some(2), Some(20));
        for s in [
            "2009-02-20T08:40Z",
            "2009-02-20T08:40:00+01:00",
            "2009-02-20T23:40:00-05:00",
            "2009-02-20 08:40:00",
        ] {
            assert_eq!(parse(s), expected, "{s}");
        }
        assert_eq!(parse("2011-10-22T00:00Z"), one(2011, Some(10), Some(22)));
    }

    #[test]
    fn ordinal_dates() {
        assert_eq!(parse("2009-051"), one(2009, Some(2), Some(20)));
        assert_eq!(parse("2008-366"), one(2008, Some(12), Some(31)));
        assert_eq!(parse("2009-060"), one(2009, Some(3), Some(1)));
        assert_eq!(parse("2009-366"), None);
        assert_eq!(parse("2009-000"), None);
    }

    #[test]
    fn ranges_and_abbreviated_ends() {
        assert_eq!(
            parse("2009-02-20/2009-02-28"),
            range(d(2009, Some(2), Some(20)), d(2009, Some(2), Some(28)))
        );
        assert_eq!(
            parse("2009-02/2009-04"),
            range(d(2009, Some(2), None), d(2009, Some(4), None))
        );
        assert_eq!(
            parse("2009-02-20/28"),
            range(d(2009, Some(2), Some(20)), d(2009, Some(2), Some(28)))
        );
        assert_eq!(
            parse("2009-02-20/03-05"),
            range(d(2009, Some(2), Some(20)), d(2009, Some(3), Some(5)))
        );
        assert_eq!(
            parse("2009-02/04"),
            range(d(2009, Some(2), None), d(2009, Some(4), None))
        );
        assert_eq!(
            parse("2009-02-20T08:00/10:00"),
            one(2009, Some(2), Some(20))
        );
        assert_eq!(
            parse("2008-11-20T10:00Z/2009-01-05T08:00Z"),
            range(d(2008, Some(11), Some(20)), d(2009, Some(1), Some(5)))
        );
    }

    #[test]
    fn java_date_to_string() {
        assert_eq!(
            parse("Tue Apr 01 00:00:00 CET 1930"),
            one(1930, Some(4), Some(1))
        );
        assert_eq!(
            parse("Mon Jan 12 00:00:00 CET 2015"),
            one(2015, Some(1), Some(12))
        );
        assert_eq!(
            parse("Tue Jan 14 00:00:00 CEST 1941"),
            one(1941, Some(1), Some(14))
        );
        assert_eq!(parse("Sat Feb 30 00:00:00 CET 1976"), None);
        assert_eq!(parse("Sat Foo 03 00:00:00 CET 1976"), None);
    }

    #[test]
    fn impossible_or_unreadable_dates_are_none() {
        for s in [
            "",
            "  ",
            "2009-13",
            "2009-02-29",
            "2009-04-31",
            "2009-02-32",
            "2009-00-10",
            "2009-02-28/2009-02-20",
            "2010/2009",
            "09-02-20",
            "20/02/2009",
            "2009-2-20",
            "février 2009",
            "2009-02-20/32",
            "2009/02",
            "////",
            "2009-02-20/2009-02-20/2009",
            "Sat Jéu 03 00:00:00 CET 1976",
            "Sa Jéu 03 00:00:00 CET 1976",
            "20é90220",
            "2009-0é",
            "2009-02-20/é",
        ] {
            assert_eq!(parse(s), None, "{s:?}");
        }
        assert_eq!(parse("2008-02-29"), one(2008, Some(2), Some(29)));
        assert_eq!(parse("2000-02-29"), one(2000, Some(2), Some(29)));
        assert_eq!(parse("1900-02-29"), None);
    }

    #[test]
    fn year_month_day_columns() {
        assert_eq!(from_parts("1980", "2", ""), one(1980, Some(2), None));
        assert_eq!(from_parts("1985", "12", "02"), one(1985, Some(12), Some(2)));
        assert_eq!(from_parts("1999", "", ""), one(1999, None, None));
        assert_eq!(from_parts("1999", "", "5"), one(1999, None, None));
        assert_eq!(from_parts("", "2", "3"), None);
        assert_eq!(from_parts("1999", "13", ""), None);
        assert_eq!(from_parts("1999", "2", "30"), None);
        assert_eq!(from_parts("19x9", "2", "3"), None);
    }

    #[test]
    fn months_of_a_date_or_range() {
        let m = |s: &str| parse(s).map(|e| e.months());
        assert_eq!(m("2009-02-20"), Some(0b10));
        assert_eq!(m("2009-01"), Some(0b1));
        assert_eq!(m("2009-12-31"), Some(1 << 11));
        assert_eq!(m("2009-02/2009-04"), Some(0b1110));
        // November to February, across New Year.
        assert_eq!(
            m("2008-11-20/2009-02-03"),
            Some(1 << 10 | 1 << 11 | 1 | 1 << 1)
        );
        assert_eq!(m("2009"), Some(0));
        assert_eq!(m("2009-01/2009-12"), Some(0));
        assert_eq!(m("2009-03-01/2010-02-28"), Some(0));
        assert_eq!(m("2009-03-01/2010-03-01"), Some(0));
        assert_eq!(m("2009-02/2010"), Some(0));
        assert_eq!(m("2009-04-01/2010-02-28"), Some(0b1111_1111_1011));
    }
}
