//! Species observations for the store: Darwin Core occurrences ([`crate::dwc`]) become
//! [`Observation`]s, and the sensitivity list is read here.
//!
//! - **Keys**: `dwc:` and the occurrence's key (its `occurrenceID`, else the archive's
//!   row id, else file and line): re-importing a file updates its observations.
//! - **Taxon**: as the reader gives it ([`Occurrence::taxon`]): its key is the
//!   `taxonID`/`taxonKey` when given, else the scientific name; every identifier the row
//!   gives is kept for matching the sensitivity list.
//! - **Sensitivity list**: a CSV (`,` `;` or tab) with a header naming a taxon column
//!   (`taxonID`, `taxonKey`, `speciesKey`, `CD_NOM`, `CD_REF`, `taxon`, `key` or
//!   `scientificName`) and a level column (`level` or `sensitivity`): 0 none,
//!   1 sensitive (10 km, no cell named), 2 strict (hidden); the matching and the
//!   precision rule are [`balade_core::sensitivity`]'s. A bad line refuses the list.

use crate::dwc::{EventDate, Occurrence, PartialDate};
use crate::report::Rejection;
use balade_core::{Observation, Sensitivity};
use std::path::Path;

/// A partial date as ISO 8601 text (`2009-02-20`, `2009-02`, `2009`), digits pushed by
/// hand: two per row, `format!` was a tenth of the reader's time.
fn iso(d: PartialDate) -> String {
    let mut out = String::with_capacity(10);
    let two = |out: &mut String, n: u8| {
        out.push(char::from(b'0' + n / 10 % 10));
        out.push(char::from(b'0' + n % 10));
    };
    match u16::try_from(d.year) {
        Ok(y) if y <= 9999 => {
            two(&mut out, (y / 100) as u8);
            two(&mut out, (y % 100) as u8);
        }
        _ => out.push_str(&format!("{:04}", d.year)),
    }
    for part in [d.month, d.day.filter(|_| d.month.is_some())] {
        match part {
            Some(n) if n < 100 => {
                out.push('-');
                two(&mut out, n);
            }
            Some(n) => out.push_str(&format!("-{n}")),
            None => break,
        }
    }
    out
}

/// An occurrence as the store keeps it.
pub fn observation(o: Occurrence) -> Observation {
    let months = o.event.as_ref().map_or(0, EventDate::months);
    Observation {
        source: ["dwc:", &o.key].concat(),
        taxon: o.taxon,
        event_start: o.event.map(|e| iso(e.start)),
        event_end: o.event.map(|e| iso(e.end)),
        months,
        pos: o.pos,
        uncertainty_m: o.uncertainty_m,
        count: o.count,
        basis_of_record: o.basis_of_record,
        license: o.license,
    }
}

/// Reads a sensitivity list; every fault is a located rejection and refuses the list.
pub fn read_sensitivity_list(path: &Path) -> Result<Vec<(String, Sensitivity)>, Vec<Rejection>> {
    let text = std::fs::read(path)
        .map_err(|e| vec![Rejection::file(path, format!("cannot read: {e}"))])?;
    let text =
        String::from_utf8_lossy(text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&text)).into_owned();
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err(vec![Rejection::file(path, "empty sensitivity list")]);
    };
    let delimiter = [',', ';', '\t']
        .into_iter()
        .max_by_key(|d| header.matches(*d).count())
        .unwrap_or(',');
    let names: Vec<String> = header
        .split(delimiter)
        .map(|h| h.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    let find = |options: &[&str]| names.iter().position(|n| options.contains(&n.as_str()));
    let (Some(taxon), Some(level)) = (
        find(&[
            "taxonid",
            "taxonkey",
            "specieskey",
            "cd_nom",
            "cd_ref",
            "taxon",
            "key",
            "scientificname",
        ]),
        find(&["level", "sensitivity"]),
    ) else {
        return Err(vec![Rejection::file(
            path,
            "the header needs a taxon column (taxonID, taxonKey, speciesKey, CD_NOM, CD_REF, taxon or scientificName) and a level column (level or sensitivity)",
        )]);
    };
    let (mut list, mut bad) = (Vec::new(), Vec::new());
    for (i, line) in lines {
        let cells: Vec<&str> = line
            .split(delimiter)
            .map(|c| c.trim().trim_matches('"'))
            .collect();
        let reject = |field: &str, reason: String| Rejection {
            path: path.to_owned(),
            position: Some((i as u64 + 1, 1)),
            field: Some(field.to_owned()),
            reason,
        };
        let key = cells.get(taxon).copied().unwrap_or_default();
        let raw = cells.get(level).copied().unwrap_or_default();
        if key.is_empty() {
            bad.push(reject(&names[taxon], "empty taxon".into()));
            continue;
        }
        match raw.parse::<u8>().ok().and_then(Sensitivity::from_level) {
            Some(s) => list.push((key.to_owned(), s)),
            None => bad.push(reject(
                &names[level],
                format!("`{raw}` is not a level (0, 1 or 2)"),
            )),
        }
    }
    if bad.is_empty() { Ok(list) } else { Err(bad) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn sensitivity_lists_are_read_or_refused_with_the_line() {
        let mut f = tempfile::NamedTempFile::new().expect("temp");
        f.write_all(b"scientificName;level\nBubo bubo;2\n\nLucanus cervus;1\n")
            .expect("write");
        let list = read_sensitivity_list(f.path()).expect("list");
        assert_eq!(
            list,
            vec![
                ("Bubo bubo".into(), Sensitivity::Strict),
                ("Lucanus cervus".into(), Sensitivity::Sensitive)
            ]
        );
        let mut f = tempfile::NamedTempFile::new().expect("temp");
        f.write_all(b"taxonID,level\n2480637,3\n,1\n")
            .expect("write");
        let bad = read_sensitivity_list(f.path()).expect_err("refused");
        assert_eq!(bad.len(), 2);
        assert!(
            bad[0]
                .to_string()
                .contains(":2:1: level: `3` is not a level"),
            "{}",
            bad[0]
        );
        assert!(
            bad[1].to_string().contains(":3:1: taxonid: empty taxon"),
            "{}",
            bad[1]
        );
    }

    #[test]
    fn partial_dates_become_iso_text() {
        let d = |year, month, day| PartialDate { year, month, day };
        assert_eq!(iso(d(2009, Some(2), Some(20))), "2009-02-20");
        assert_eq!(iso(d(2009, Some(2), None)), "2009-02");
        assert_eq!(iso(d(2009, None, None)), "2009");
        assert_eq!(
            iso(d(2009, None, Some(3))),
            "2009",
            "no day without a month"
        );
        // What `format!` gives, whatever the year.
        let reference = |d: PartialDate| match (d.month, d.day) {
            (Some(m), Some(day)) => format!("{:04}-{m:02}-{day:02}", d.year),
            (Some(m), None) => format!("{:04}-{m:02}", d.year),
            _ => format!("{:04}", d.year),
        };
        for year in [
            -12, -1, 0, 7, 99, 100, 999, 1000, 1999, 2026, 9999, 10_000, 123_456,
        ] {
            for (month, day) in [
                (None, None),
                (Some(1), None),
                (Some(12), Some(31)),
                (Some(9), Some(5)),
            ] {
                let date = d(year, month, day);
                assert_eq!(iso(date), reference(date), "{year} {month:?} {day:?}");
            }
        }
    }
}
