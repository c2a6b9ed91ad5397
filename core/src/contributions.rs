//! What walkers contribute: reviews of circuits, trail reports and corrections of a
//! record's text, each waiting for a moderator (or, for reports, for staff to handle it).
//! The bounds of every public input and the moves a decision may make live here, one
//! rule for every backend and every transport.

use std::fmt;

/// The three kinds of contribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Review,
    Report,
    Correction,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Review, Kind::Report, Kind::Correction];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Review => "review",
            Kind::Report => "report",
            Kind::Correction => "correction",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Every status an item of this kind may have, the open ones first.
    pub fn statuses(self) -> &'static [Status] {
        match self {
            Kind::Review => &[
                Status::Pending,
                Status::Flagged,
                Status::Published,
                Status::Rejected,
            ],
            Kind::Report => &[
                Status::New,
                Status::InProgress,
                Status::Resolved,
                Status::Rejected,
            ],
            Kind::Correction => &[Status::Pending, Status::Accepted, Status::Rejected],
        }
    }

    /// The statuses that wait for someone: the moderators' queue.
    pub fn open(self) -> &'static [Status] {
        match self {
            Kind::Review => &[Status::Pending, Status::Flagged],
            Kind::Report => &[Status::New, Status::InProgress],
            Kind::Correction => &[Status::Pending],
        }
    }

    /// The status a new item of this kind starts in.
    pub fn first_status(self) -> Status {
        self.statuses()[0]
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// A review or correction no moderator has decided on.
    Pending,
    /// A published review someone flagged: out of public answers until published again.
    Flagged,
    Published,
    /// A correction made into an edit.
    Accepted,
    Rejected,
    /// A report nobody has handled yet.
    New,
    InProgress,
    Resolved,
}

impl Status {
    const ALL: [Status; 8] = [
        Status::Pending,
        Status::Flagged,
        Status::Published,
        Status::Accepted,
        Status::Rejected,
        Status::New,
        Status::InProgress,
        Status::Resolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Flagged => "flagged",
            Status::Published => "published",
            Status::Accepted => "accepted",
            Status::Rejected => "rejected",
            Status::New => "new",
            Status::InProgress => "in_progress",
            Status::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The category of a trail report.
pub const CATEGORIES: [&str; 7] = [
    "fallen_tree",
    "signage",
    "path_damage",
    "flooding",
    "danger",
    "litter",
    "other",
];

/// Bounds of public inputs, in characters.
pub const MAX_NAME: usize = 60;
pub const MAX_TEXT: usize = 2_000;
pub const MAX_CORRECTION: usize = 5_000;
pub const MAX_REASON: usize = 500;
/// Photos one contribution may carry.
pub const MAX_PHOTOS: usize = 3;
/// Bytes of one photo as uploaded.
pub const MAX_PHOTO_BYTES: usize = 10 << 20;

/// The fields of a record a correction may propose a text for.
pub const CORRECTABLE: [&str; 2] = ["name", "description"];

/// A contribution as the store keeps it. Which fields are set depends on the kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    pub id: String,
    pub kind: Kind,
    pub status: Status,
    /// Unix seconds.
    pub created_at: i64,
    pub updated_at: i64,
    /// The circuit reviewed, or the one a report was made on.
    pub circuit: Option<String>,
    /// A correction's record: `poi:ID` or `circuit:ID`.
    pub target: Option<String>,
    /// A correction's field.
    pub field: Option<String>,
    /// A review's stars, 1 to 5.
    pub rating: Option<u8>,
    /// A review's display name.
    pub name: Option<String>,
    /// A review's text, a report's message or a correction's proposed text.
    pub text: String,
    /// A report's category.
    pub category: Option<String>,
    /// A report's position, as the walker gave it.
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    /// The commune a report lies in.
    pub commune: Option<String>,
    /// A report's contact address: never in a public answer or an export.
    pub email: Option<String>,
    /// The SHA-256 (hex) of a report's follow token.
    pub token_hash: Option<String>,
    /// Reasons given by those who flagged a review, oldest first.
    pub flag_reasons: Vec<String>,
    /// Photos stored with it.
    pub photos: u32,
}

impl Contribution {
    /// An empty item of `kind`, in its first status, made at `now`.
    pub fn new(id: String, kind: Kind, now: i64) -> Self {
        Self {
            id,
            kind,
            status: kind.first_status(),
            created_at: now,
            updated_at: now,
            circuit: None,
            target: None,
            field: None,
            rating: None,
            name: None,
            text: String::new(),
            category: None,
            lon: None,
            lat: None,
            commune: None,
            email: None,
            token_hash: None,
            flag_reasons: Vec::new(),
            photos: 0,
        }
    }
}

/// What a decision asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Publish,
    Reject,
    /// Reports: someone is on it.
    InProgress,
    /// Reports: handled.
    Resolved,
    /// Reports: back to the start.
    New,
}

impl Decision {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "publish" | "accept" => Decision::Publish,
            "reject" => Decision::Reject,
            "in_progress" => Decision::InProgress,
            "resolved" | "resolve" => Decision::Resolved,
            "new" => Decision::New,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Publish => "publish",
            Decision::Reject => "reject",
            Decision::InProgress => "in_progress",
            Decision::Resolved => "resolved",
            Decision::New => "new",
        }
    }

    /// The status an item of `kind` now in `from` moves to, or why it cannot.
    pub fn outcome(self, kind: Kind, from: Status) -> Result<Status, String> {
        let to = match (kind, self) {
            (Kind::Review, Decision::Publish) => Status::Published,
            (Kind::Correction, Decision::Publish) => Status::Accepted,
            (Kind::Review | Kind::Correction | Kind::Report, Decision::Reject) => Status::Rejected,
            (Kind::Report, Decision::InProgress) => Status::InProgress,
            (Kind::Report, Decision::Resolved) => Status::Resolved,
            (Kind::Report, Decision::New) => Status::New,
            _ => {
                return Err(format!(
                    "a {kind} cannot take the decision `{}`",
                    self.as_str()
                ));
            }
        };
        // An accepted correction is an edit of its record: undoing it is a revert there.
        if kind == Kind::Correction && from == Status::Accepted {
            return Err("this correction is already an edit of its record".into());
        }
        if from == to {
            return Err(format!("this {kind} is already {to}"));
        }
        Ok(to)
    }
}

/// One decision in an item's log.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    pub at: i64,
    /// A staff member's e-mail, or `public` for a walker's flag.
    pub actor: String,
    pub decision: String,
    pub from: Status,
    pub to: Status,
}

/// Which items a list shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub kind: Option<Kind>,
    /// Empty: every status.
    pub statuses: Vec<Status>,
    pub circuit: Option<String>,
    pub commune: Option<String>,
    pub category: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

/// The average of a circuit's published ratings and how many there are.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Rating {
    pub sum: u64,
    pub count: u64,
}

impl Rating {
    /// The average to one decimal, none without ratings.
    pub fn average(&self) -> Option<f64> {
        (self.count > 0).then(|| (self.sum as f64 / self.count as f64 * 10.0).round() / 10.0)
    }
}

/// What a walker's request is remembered by: its `Idempotency-Key`, scoped by what it
/// asked, with the answer it got.
#[derive(Debug, Clone, PartialEq)]
pub struct Remembered {
    pub key: String,
    pub status: u16,
    pub body: String,
}

/// Whether `key` is an acceptable idempotency key.
pub fn valid_key(key: &str) -> bool {
    (1..=128).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._:-".contains(&b))
}

/// A walker's text as kept: trimmed, without control characters but line breaks and
/// tabs; `None` past `max` characters. Never markup: it is shown as text.
pub fn clean_text(s: &str, max: usize) -> Option<String> {
    let text: String = s
        .trim()
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect();
    (text.chars().count() <= max).then_some(text)
}

/// `YYYY-MM-DDTHH:MM:SSZ` of Unix seconds.
pub fn rfc3339(unix_s: i64) -> String {
    let days = unix_s.div_euclid(86_400);
    let secs = unix_s.rem_euclid(86_400);
    // Days since 1970-01-01 to a civil date (proleptic Gregorian), by 400-year eras.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3_600,
        secs % 3_600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_796_432_645), "2026-12-05T01:04:05Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn decisions_move_each_kind_its_own_way() {
        use Decision::*;
        assert_eq!(
            Publish.outcome(Kind::Review, Status::Flagged),
            Ok(Status::Published)
        );
        assert_eq!(
            Publish.outcome(Kind::Correction, Status::Pending),
            Ok(Status::Accepted)
        );
        assert!(Publish.outcome(Kind::Report, Status::New).is_err());
        assert!(Resolved.outcome(Kind::Review, Status::Pending).is_err());
        assert!(Reject.outcome(Kind::Correction, Status::Accepted).is_err());
        assert!(Reject.outcome(Kind::Review, Status::Rejected).is_err());
        assert_eq!(
            Reject.outcome(Kind::Review, Status::Published),
            Ok(Status::Rejected)
        );
    }

    #[test]
    fn texts_are_trimmed_bounded_and_without_controls() {
        assert_eq!(clean_text("  a\u{7}b\nc ", 10).as_deref(), Some("ab\nc"));
        assert_eq!(clean_text("é".repeat(3).as_str(), 2), None);
        assert_eq!(clean_text("<b>x</b>", 20).as_deref(), Some("<b>x</b>"));
    }

    #[test]
    fn idempotency_keys_are_short_and_plain() {
        assert!(valid_key("0b6d1c0e-4a7e-4bb1-9a55-1f0c3a2e9d11"));
        assert!(!valid_key(""));
        assert!(!valid_key("a b"));
        assert!(!valid_key(&"k".repeat(129)));
    }

    #[test]
    fn averages_to_one_decimal() {
        assert_eq!(Rating { sum: 9, count: 2 }.average(), Some(4.5));
        assert_eq!(Rating { sum: 13, count: 3 }.average(), Some(4.3));
        assert_eq!(Rating::default().average(), None);
    }
}
