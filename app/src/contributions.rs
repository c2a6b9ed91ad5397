//! Walkers' contributions, the public side: a review of a circuit, a trail report, a
//! correction of a record's text, a flag on a published review; the published reviews
//! of a circuit; a report followed by its private link; a contribution's photo.
//!
//! Every write may carry an idempotency key: the first answer is stored with what it
//! created, in one transaction, and a repeat of the key gets that answer and creates
//! nothing. Photos go through the media pipeline (decoded under limits, turned upright,
//! re-encoded without any metadata) before they are stored.

use crate::staff::Staff;
use crate::{App, AppError, AppResult, parse_id};
use crate::{now_s, random_hex};
use balade_core::accounts::{Role, normalise_email};
use balade_core::contributions::{
    self as c, Contribution, Filter, Kind, LogEntry, Remembered, Status, clean_text, rfc3339,
};
use balade_core::hash::sha256_hex;
use balade_core::store::Store;
use balade_core::{Area, CircuitId, LonLat, PoiId};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

/// The answer to a public write, as it was first given.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: u16,
    /// JSON.
    pub body: String,
}

impl From<Remembered> for Answer {
    fn from(r: Remembered) -> Self {
        Answer {
            status: r.status,
            body: r.body,
        }
    }
}

/// A review as sent: JSON, or a form's fields.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ReviewInput {
    /// 1 to 5 stars.
    #[schema(value_type = Option<i64>)]
    pub rating: Option<serde_json::Value>,
    /// Up to 2,000 characters, shown as plain text.
    pub text: Option<String>,
    /// The name shown with the review, 1 to 60 characters.
    pub name: Option<String>,
    /// Left empty by people (a field hidden from them).
    pub website: Option<String>,
}

/// A trail report as sent.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ReportInput {
    #[schema(value_type = Option<f64>)]
    pub lon: Option<serde_json::Value>,
    #[schema(value_type = Option<f64>)]
    pub lat: Option<serde_json::Value>,
    /// `fallen_tree`, `signage`, `path_damage`, `flooding`, `danger`, `litter`, `other`.
    pub category: Option<String>,
    /// Up to 2,000 characters.
    pub message: Option<String>,
    /// To be told when the report is handled; never shown to anyone.
    pub email: Option<String>,
    /// The circuit the walker was on.
    pub circuit: Option<String>,
    pub website: Option<String>,
}

/// A proposed correction as sent.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CorrectionInput {
    /// `poi:ID` or `circuit:ID`.
    pub target: Option<String>,
    /// `name` or `description`.
    pub field: Option<String>,
    /// The proposed text, up to 5,000 characters.
    pub text: Option<String>,
    pub website: Option<String>,
}

/// A flag on a published review.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct FlagInput {
    /// Why, up to 500 characters.
    pub reason: Option<String>,
    pub website: Option<String>,
}

/// A published review as the public sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewView {
    pub id: String,
    pub rating: u8,
    pub text: String,
    pub name: String,
    /// RFC 3339.
    pub created_at: String,
    /// URLs of its photos.
    pub photos: Vec<String>,
}

/// A circuit's published reviews, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewList {
    pub rating: crate::search::RatingView,
    /// Published reviews in all.
    pub total: u64,
    pub reviews: Vec<ReviewView>,
}

/// A report as its private link shows it to the walker who made it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowedReport {
    pub id: String,
    /// `new`, `in_progress`, `resolved` or `rejected`.
    pub status: String,
    pub category: String,
    pub message: String,
    pub lon: f64,
    pub lat: f64,
    #[schema(required = true)]
    pub circuit: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// A new contribution's id: 96 random bits in hex.
fn new_id() -> AppResult<String> {
    random_hex::<12>()
}

/// The URL of a contribution's `n`th photo.
pub fn photo_url(id: &str, n: u32) -> String {
    format!("/api/v1/contributions/{id}/photos/{n}")
}

fn photo_urls(item: &Contribution) -> Vec<String> {
    (0..item.photos).map(|n| photo_url(&item.id, n)).collect()
}

/// What a key remembers an answer under: the action and the key.
fn scoped(action: &str, key: Option<&str>) -> AppResult<Option<String>> {
    match key {
        None => Ok(None),
        Some(k) if c::valid_key(k) => Ok(Some(format!("{action} {k}"))),
        Some(_) => Err(AppError::Invalid(
            "`Idempotency-Key` must be 1 to 128 letters, digits, `.`, `_`, `:` or `-`".into(),
        )),
    }
}

fn required(value: Option<String>, field: &str, max: usize) -> AppResult<String> {
    let text = optional(value, field, max)?;
    if text.is_empty() {
        return Err(AppError::Invalid(format!("`{field}` is required")));
    }
    Ok(text)
}

fn optional(value: Option<String>, field: &str, max: usize) -> AppResult<String> {
    clean_text(value.as_deref().unwrap_or(""), max)
        .ok_or_else(|| AppError::Invalid(format!("`{field}` is longer than {max} characters")))
}

/// Photos through the media pipeline, in order: the phone-size JPEG of each (no
/// metadata survives re-encoding). A photo that cannot be read refuses the whole
/// contribution, with which one and why.
async fn photos_of(uploads: Vec<Vec<u8>>) -> AppResult<Vec<Vec<u8>>> {
    if uploads.len() > c::MAX_PHOTOS {
        return Err(AppError::Invalid(format!(
            "at most {} photos per contribution",
            c::MAX_PHOTOS
        )));
    }
    let mut out = Vec::with_capacity(uploads.len());
    for (n, bytes) in uploads.into_iter().enumerate() {
        if bytes.len() > c::MAX_PHOTO_BYTES {
            return Err(AppError::Invalid(format!(
                "photo {}: over {} MiB",
                n + 1,
                c::MAX_PHOTO_BYTES >> 20
            )));
        }
        let derived = tokio::task::spawn_blocking(move || balade_import::media::derive(&bytes))
            .await
            .map_err(|e| AppError::Encode(format!("photo task: {e}")))?
            .map_err(|e| AppError::Invalid(format!("photo {}: {e}", n + 1)))?;
        // The largest file not wider than a phone's, else the smallest.
        let file = derived
            .files
            .iter()
            .rev()
            .find(|(w, _)| *w <= balade_import::media::PHONE_WIDTH)
            .or(derived.files.first())
            .map(|(_, bytes)| bytes.clone())
            .ok_or_else(|| AppError::Invalid(format!("photo {}: no image", n + 1)))?;
        out.push(file);
    }
    Ok(out)
}

/// Whether a honeypot field was filled: a robot, answered as if accepted.
fn robot(website: &Option<String>) -> bool {
    website.as_deref().is_some_and(|w| !w.trim().is_empty())
}

impl App {
    /// The first answer to `key` under `action`, when the key was seen.
    async fn repeat(&self, key: &Option<String>) -> AppResult<Option<Answer>> {
        Ok(match key {
            Some(k) => self.store.remembered(k).await?.map(Answer::from),
            None => None,
        })
    }

    /// Stores a new contribution and answers `body` (202), or the first answer of its
    /// key.
    async fn accept(
        &self,
        item: Contribution,
        photos: Vec<Vec<u8>>,
        key: Option<String>,
        body: serde_json::Value,
    ) -> AppResult<Answer> {
        let body = body.to_string();
        let remember = key.map(|key| Remembered {
            key,
            status: 202,
            body: body.clone(),
        });
        match self
            .store
            .add_contribution(&item, &photos, remember.as_ref())
            .await?
        {
            Some(first) => Ok(first.into()),
            None => Ok(Answer { status: 202, body }),
        }
    }

    /// A walker's review of circuit `id`: pending until a moderator publishes it.
    pub async fn review(
        &self,
        id: &str,
        input: ReviewInput,
        photos: Vec<Vec<u8>>,
        key: Option<&str>,
    ) -> AppResult<Answer> {
        let key = scoped(&format!("review {id}"), key)?;
        if let Some(first) = self.repeat(&key).await? {
            return Ok(first);
        }
        let circuit = self.known(id).await?;
        let rating = input
            .rating
            .as_ref()
            .and_then(serde_json::Value::as_i64)
            .filter(|r| (1..=5).contains(r))
            .ok_or_else(|| {
                AppError::Invalid("`rating` must be a whole number from 1 to 5".into())
            })?;
        let text = optional(input.text, "text", c::MAX_TEXT)?;
        let name = required(input.name, "name", c::MAX_NAME)?;
        if robot(&input.website) {
            return decoy(Status::Pending);
        }
        let photos = photos_of(photos).await?;
        let mut item = Contribution::new(new_id()?, Kind::Review, now_s());
        item.circuit = Some(circuit.to_string());
        item.rating = Some(rating as u8);
        item.text = text;
        item.name = Some(name);
        let body = json!({ "id": item.id, "status": item.status.as_str() });
        self.accept(item, photos, key, body).await
    }

    /// A trail report: new until staff handle it; the answer holds the private link
    /// to follow it.
    pub async fn report(
        &self,
        input: ReportInput,
        photos: Vec<Vec<u8>>,
        key: Option<&str>,
    ) -> AppResult<Answer> {
        let key = scoped("report", key)?;
        if let Some(first) = self.repeat(&key).await? {
            return Ok(first);
        }
        let number = |v: &Option<serde_json::Value>, name: &str| {
            v.as_ref()
                .and_then(serde_json::Value::as_f64)
                .ok_or_else(|| {
                    AppError::Invalid(format!("`{name}` must be a number (WGS84 degrees)"))
                })
        };
        let (lon, lat) = (number(&input.lon, "lon")?, number(&input.lat, "lat")?);
        let pos = LonLat::new(lon, lat).map_err(|e| AppError::Invalid(format!("position: {e}")))?;
        let category = input.category.unwrap_or_default();
        if !c::CATEGORIES.contains(&category.as_str()) {
            return Err(AppError::Invalid(format!(
                "`category` must be one of {}",
                c::CATEGORIES.join(", ")
            )));
        }
        let message = required(input.message, "message", c::MAX_TEXT)?;
        let email = match input.email.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(e) => Some(
                normalise_email(e)
                    .map_err(|_| AppError::Invalid("`email` is not an e-mail address".into()))?,
            ),
        };
        let circuit = match input.circuit.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(id) => Some(self.known(id).await?.to_string()),
        };
        if robot(&input.website) {
            return decoy(Status::New);
        }
        let photos = photos_of(photos).await?;
        let communes = self.store.communes().await?;
        let token = random_hex::<24>()?;
        let mut item = Contribution::new(new_id()?, Kind::Report, now_s());
        item.lon = Some(pos.lon());
        item.lat = Some(pos.lat());
        item.category = Some(category);
        item.text = message;
        item.email = email;
        item.circuit = circuit;
        item.commune = communes
            .iter()
            .find(|c| c.contains(pos))
            .map(|c| c.code.as_str().to_owned());
        item.token_hash = Some(sha256_hex(token.as_bytes()));
        let body = json!({
            "id": item.id,
            "status": item.status.as_str(),
            "follow": format!("/api/v1/reports/{}?token={token}", item.id),
        });
        self.accept(item, photos, key, body).await
    }

    /// A proposed text for a field of a circuit or a POI: pending until a moderator
    /// accepts it (it becomes an edit) or rejects it.
    pub async fn correction(&self, input: CorrectionInput, key: Option<&str>) -> AppResult<Answer> {
        let key = scoped("correction", key)?;
        if let Some(first) = self.repeat(&key).await? {
            return Ok(first);
        }
        let target = input.target.unwrap_or_default();
        let target = match target.split_once(':') {
            Some(("circuit", id)) => format!("circuit:{}", self.known(id).await?),
            Some(("poi", id)) => {
                let poi = parse_id::<PoiId>(id)?;
                let public = match self.store.poi(&poi).await? {
                    Some(p) => self.catalog.current().protect(p).is_some(),
                    None => false,
                };
                if !public {
                    return Err(AppError::NotFound(format!("no POI `{poi}`")));
                }
                format!("poi:{poi}")
            }
            _ => {
                return Err(AppError::Invalid(
                    "`target` must be `circuit:ID` or `poi:ID`".into(),
                ));
            }
        };
        let field = input.field.unwrap_or_default();
        if !c::CORRECTABLE.contains(&field.as_str()) {
            return Err(AppError::Invalid(format!(
                "`field` must be one of {}",
                c::CORRECTABLE.join(", ")
            )));
        }
        let text = required(input.text, "text", c::MAX_CORRECTION)?;
        if robot(&input.website) {
            return decoy(Status::Pending);
        }
        let mut item = Contribution::new(new_id()?, Kind::Correction, now_s());
        item.circuit = target.strip_prefix("circuit:").map(str::to_owned);
        item.target = Some(target);
        item.field = Some(field);
        item.text = text;
        let body = json!({ "id": item.id, "status": item.status.as_str() });
        self.accept(item, Vec::new(), key, body).await
    }

    /// Sends a published review back to the moderators, out of public answers.
    pub async fn flag(&self, id: &str, input: FlagInput, key: Option<&str>) -> AppResult<Answer> {
        let key = scoped(&format!("flag {id}"), key)?;
        if let Some(first) = self.repeat(&key).await? {
            return Ok(first);
        }
        let reason = optional(input.reason, "reason", c::MAX_REASON)?;
        let missing = || AppError::NotFound(format!("no published review `{id}`"));
        let item = self.store.contribution(id).await?.ok_or_else(missing)?;
        if item.kind != Kind::Review || item.status != Status::Published {
            return Err(missing());
        }
        if robot(&input.website) {
            return decoy(Status::Flagged);
        }
        let body = json!({ "id": id, "status": Status::Flagged.as_str() }).to_string();
        let at = now_s();
        let mut tx = self.store.begin_import().await?;
        if let Some(k) = &key {
            let answer = Remembered {
                key: k.clone(),
                status: 202,
                body: body.clone(),
            };
            if !tx.remember(&answer, at).await? {
                drop(tx);
                return Ok(self
                    .repeat(&key)
                    .await?
                    .unwrap_or(Answer { status: 202, body }));
            }
        }
        let entry = LogEntry {
            at,
            actor: "public".into(),
            decision: "flag".into(),
            from: Status::Published,
            to: Status::Flagged,
        };
        // Every flag counts, with its reason or an empty one.
        if !tx.move_contribution(id, &entry, Some(&reason)).await? {
            // Flagged or unpublished meanwhile: out of public answers already.
            return Err(missing());
        }
        tx.commit().await?;
        Ok(Answer { status: 202, body })
    }

    /// The published reviews of circuit `id`, newest first.
    pub async fn reviews(&self, id: &str, limit: u32, offset: u32) -> AppResult<ReviewList> {
        let circuit: CircuitId = self.known(id).await?;
        let (total, items) = self
            .store
            .contributions(&Filter {
                kind: Some(Kind::Review),
                statuses: vec![Status::Published],
                circuit: Some(circuit.to_string()),
                limit,
                offset,
                ..Filter::default()
            })
            .await?;
        let rating = self.catalog.current().rating(&circuit);
        Ok(ReviewList {
            rating: crate::search::RatingView::of(rating),
            total,
            reviews: items
                .into_iter()
                .map(|r| ReviewView {
                    photos: photo_urls(&r),
                    id: r.id,
                    rating: r.rating.unwrap_or_default(),
                    text: r.text,
                    name: r.name.unwrap_or_default(),
                    created_at: rfc3339(r.created_at),
                })
                .collect(),
        })
    }

    /// Report `id` for the holder of its private link.
    pub async fn followed_report(&self, id: &str, token: &str) -> AppResult<FollowedReport> {
        let missing = || AppError::NotFound(format!("no report `{id}` with this link"));
        let item = self.store.contribution(id).await?.ok_or_else(missing)?;
        let expected = item.token_hash.as_deref().ok_or_else(missing)?;
        if item.kind != Kind::Report || !same(expected, &sha256_hex(token.as_bytes())) {
            return Err(missing());
        }
        Ok(FollowedReport {
            id: item.id,
            status: item.status.as_str().to_owned(),
            category: item.category.unwrap_or_default(),
            message: item.text,
            lon: item.lon.map(round7).unwrap_or_default(),
            lat: item.lat.map(round7).unwrap_or_default(),
            circuit: item.circuit,
            created_at: rfc3339(item.created_at),
            updated_at: rfc3339(item.updated_at),
        })
    }

    /// A contribution's `n`th photo: anyone's once the review is published, else only
    /// staff who moderate.
    pub async fn contribution_photo(
        &self,
        id: &str,
        n: u32,
        staff: Option<&Staff>,
    ) -> AppResult<Vec<u8>> {
        let missing = || AppError::NotFound(format!("no photo {n} of `{id}`"));
        let item = self.store.contribution(id).await?.ok_or_else(missing)?;
        let public = item.kind == Kind::Review && item.status == Status::Published;
        if !public && !staff.is_some_and(moderates) {
            return Err(missing());
        }
        self.store
            .contribution_photo(id, n)
            .await?
            .ok_or_else(missing)
    }
}

/// Whether `staff` may moderate contributions.
pub fn moderates(staff: &Staff) -> bool {
    matches!(staff.role, Role::Admin | Role::Moderator)
}

/// What a robot is told: accepted, with an id that names nothing.
fn decoy(status: Status) -> AppResult<Answer> {
    Ok(Answer {
        status: 202,
        body: json!({ "id": new_id()?, "status": status.as_str() }).to_string(),
    })
}

/// Compares two hashes in a time that does not depend on where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

fn round7(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}

/// The report's position as an answer shows it.
pub(crate) fn position(item: &Contribution) -> Option<[f64; 2]> {
    Some([round7(item.lon?), round7(item.lat?)])
}

/// Erases an e-mail address from every contribution; returns how many held it.
pub async fn erase_email(store: &dyn Store, email: &str) -> AppResult<u64> {
    let email = normalise_email(email)
        .map_err(|_| AppError::Invalid(format!("`{email}` is not an e-mail address")))?;
    Ok(store.erase_email(&email).await?)
}

/// How long a phone may repeat a request and get its first answer.
pub const KEYS_KEPT_DAYS: i64 = 30;

/// Erases the e-mails of contributions older than `days` days, and forgets the
/// idempotency answers older than [`KEYS_KEPT_DAYS`]; returns (e-mails, answers).
pub async fn purge(store: &dyn Store, days: u32) -> AppResult<(u64, u64)> {
    let now = now_s();
    Ok(store
        .purge(
            now - i64::from(days) * 86_400,
            now - KEYS_KEPT_DAYS * 86_400,
        )
        .await?)
}
