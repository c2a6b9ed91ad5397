//! Staff curation of circuits and POIs: a record read for editing with its version, an
//! edit saved (checked against the version it started from, the staff member's role and
//! territory), the record's audit log, and a revert to an earlier version. An edit is a
//! JSON merge patch of the record's editable view ([`balade_core::edit`]); the fields it
//! sets become the record's overrides, which every later import of its source keeps.

use crate::now_s;
use crate::staff::Staff;
use crate::{AppError, AppResult};
use balade_core::accounts::Role;
use balade_core::contributions::LogEntry;
use balade_core::edit::{self, EditError, View};
use balade_core::hash::sha256_hex;
use balade_core::record::RecordKind;
use balade_core::store::PoiListed;
use balade_core::store::{AuditEntry, Store, StoreError};
use balade_core::{Area, Circuit, CircuitId, MediaOwner, Poi, PoiId, PoiKind};
pub use balade_import::media::Credits;
use balade_import::media::{AttachError, MediaSource};
use serde_json::{Value, json};
use std::path::Path;

/// The record an edit is about.
#[derive(Debug, Clone)]
pub enum Target {
    Circuit(CircuitId),
    Poi(PoiId),
}

impl Target {
    pub fn kind(&self) -> RecordKind {
        match self {
            Target::Circuit(_) => RecordKind::Circuit,
            Target::Poi(_) => RecordKind::Poi,
        }
    }

    fn id(&self) -> &str {
        match self {
            Target::Circuit(id) => id.as_str(),
            Target::Poi(id) => id.as_str(),
        }
    }
}

/// A record as the back-office edits it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Editable {
    pub id: String,
    /// `circuit` or `poi`.
    pub kind: &'static str,
    /// The key the record's source gives it.
    pub source: String,
    /// The editable fields, as they are now.
    pub fields: View,
    /// The fields a person set, which imports keep.
    pub edited: View,
    /// Edits saved so far (0: never edited).
    pub version: i64,
    /// What a save sends back in `If-Match`.
    pub etag: String,
    /// Where the record lies: the INSEE codes of the communes its position or trace is
    /// in, then their intercommunalities' SIRENs when known.
    pub communes: Vec<String>,
    /// Its photos, videos and audio items, as the public API shows them.
    pub media: Vec<crate::views::media::MediaItem>,
}

/// Why an edit was not saved.
#[derive(Debug, thiserror::Error)]
pub enum CurationError {
    /// The record changed since the version the edit started from: here it is now.
    #[error("the record changed since you opened it")]
    Stale(Box<Editable>),
    #[error("{0}")]
    Forbidden(String),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<EditError> for CurationError {
    fn from(e: EditError) -> Self {
        CurationError::App(AppError::Invalid(e.to_string()))
    }
}

impl From<StoreError> for CurationError {
    fn from(e: StoreError) -> Self {
        CurationError::App(e.into())
    }
}

enum Loaded {
    Circuit(Box<Circuit>),
    Poi(Box<Poi>),
}

impl Loaded {
    fn view(&self) -> View {
        match self {
            Loaded::Circuit(c) => edit::circuit_view(c),
            Loaded::Poi(p) => edit::poi_view(p),
        }
    }

    /// The editable view with what lives in the overrides alone (a POI's publication).
    fn view_with(&self, overrides: &View) -> View {
        let mut view = self.view();
        if let Loaded::Poi(_) = self {
            view.insert(
                "published".into(),
                Value::Bool(edit::poi_published(overrides)),
            );
        }
        view
    }

    fn source(&self) -> &str {
        match self {
            Loaded::Circuit(c) => &c.source,
            Loaded::Poi(p) => &p.source,
        }
    }

    fn apply(&mut self, patch: &View) -> Result<(), EditError> {
        match self {
            Loaded::Circuit(c) => edit::apply_to_circuit(c, patch),
            Loaded::Poi(p) => edit::apply_to_poi(p, patch),
        }
    }
}

fn owner(target: &Target) -> MediaOwner {
    match target {
        Target::Circuit(id) => MediaOwner::Circuit(id.clone()),
        Target::Poi(id) => MediaOwner::Poi(id.clone()),
    }
}

async fn load(store: &dyn Store, target: &Target) -> AppResult<Loaded> {
    let missing = || AppError::NotFound(format!("no {} `{}`", target.kind(), target.id()));
    Ok(match target {
        Target::Circuit(id) => {
            Loaded::Circuit(Box::new(store.circuit(id).await?.ok_or_else(missing)?))
        }
        Target::Poi(id) => Loaded::Poi(Box::new(store.poi(id).await?.ok_or_else(missing)?)),
    })
}

/// The territory codes of the communes a record lies in: each commune's INSEE code
/// and its intercommunality's SIREN when known. A POI lies in its commune (as its
/// source gives it, else the one its position is in), a circuit in the communes its
/// trace crosses.
async fn communes_of(store: &dyn Store, record: &Loaded) -> AppResult<Vec<String>> {
    let communes = store.communes().await?;
    let found: Vec<&balade_core::Commune> = match record {
        Loaded::Poi(p) => match (&p.insee, p.pos) {
            (Some(code), _) => communes.iter().filter(|c| &c.code == code).collect(),
            (None, Some(pos)) => communes.iter().filter(|c| c.contains(pos)).collect(),
            (None, None) => Vec::new(),
        },
        Loaded::Circuit(c) => communes
            .iter()
            .filter(|commune| c.communes.contains(&commune.name))
            .collect(),
    };
    let mut codes = territory_codes(&found);
    if let (Loaded::Poi(p), true) = (record, codes.is_empty()) {
        // A commune named by the source but whose boundary is not loaded.
        codes.extend(p.insee.iter().map(|c| c.as_str().to_owned()));
    }
    Ok(codes)
}

/// The codes a staff territory may name for these communes: INSEE codes, then the
/// SIRENs of their intercommunalities, without repeats.
pub(crate) fn territory_codes(communes: &[&balade_core::Commune]) -> Vec<String> {
    let mut codes: Vec<String> = communes
        .iter()
        .map(|c| c.code.as_str().to_owned())
        .collect();
    for siren in communes
        .iter()
        .filter_map(|c| c.intercommunality_code.as_ref())
    {
        if !codes.contains(siren) {
            codes.push(siren.clone());
        }
    }
    codes
}

fn etag(version: i64, view: &View) -> String {
    let digest = sha256_hex(Value::Object(view.clone()).to_string().as_bytes());
    format!("\"{version}-{}\"", &digest[..16])
}

async fn editable(store: &dyn Store, target: &Target, record: &Loaded) -> AppResult<Editable> {
    let history = store.history(target.kind(), record.source()).await?;
    let (version, edited) = history.last().map_or((0, View::new()), |e| {
        (
            e.version,
            e.overrides.as_object().cloned().unwrap_or_default(),
        )
    });
    let fields = record.view_with(&edited);
    Ok(Editable {
        id: target.id().to_owned(),
        kind: target.kind().as_str(),
        source: record.source().to_owned(),
        etag: etag(version, &fields),
        fields,
        edited,
        version,
        communes: communes_of(store, record).await?,
        media: store
            .media_of(&owner(target))
            .await?
            .iter()
            .map(crate::views::media::item)
            .collect(),
    })
}

/// A circuit in the back-office's list.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CircuitItem {
    pub id: String,
    pub name: String,
    pub published: bool,
    pub communes: Vec<String>,
}

/// Every circuit, published or not, whose name, id or communes hold every word of `q`
/// (case-insensitive), by name.
pub async fn circuits(store: &dyn Store, q: Option<&str>) -> AppResult<Vec<CircuitItem>> {
    let words: Vec<String> = q
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let mut out: Vec<CircuitItem> = store
        .all_circuits()
        .await?
        .into_iter()
        .filter(|c| {
            let text =
                format!("{} {} {}", c.name, c.id.as_str(), c.communes.join(" ")).to_lowercase();
            words.iter().all(|w| text.contains(w.as_str()))
        })
        .map(|c| CircuitItem {
            id: c.id.as_str().to_owned(),
            name: c.name,
            published: c.published,
            communes: c.communes,
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// A POI in the back-office's list of a circuit's POIs.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PoiItem {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
}

/// The POIs a circuit's own file brought, published circuit or not.
pub async fn circuit_pois(store: &dyn Store, id: &CircuitId) -> AppResult<Vec<PoiItem>> {
    if store.circuit(id).await?.is_none() {
        return Err(AppError::NotFound(format!("no circuit `{}`", id.as_str())));
    }
    Ok(store
        .circuit_pois(id)
        .await?
        .into_iter()
        .map(|p| PoiItem {
            id: p.id.as_str().to_owned(),
            name: p.name,
            kind: p.kind.as_str(),
        })
        .collect())
}

/// POIs whose name holds every word of `q`, of `kind` when given, by name, paged.
pub async fn pois(
    store: &dyn Store,
    q: Option<&str>,
    kind: Option<PoiKind>,
    limit: u32,
    offset: u32,
) -> AppResult<(u64, Vec<PoiListed>)> {
    let words: Vec<String> = q
        .unwrap_or_default()
        .split_whitespace()
        .take(12)
        .map(str::to_lowercase)
        .collect();
    Ok(store.search_pois(&words, kind, limit, offset).await?)
}

/// Adds a photo to a record (decoded under limits, turned upright, stripped, stored in
/// three sizes by the media pipeline), by whom its territory allows, and audits it.
pub async fn add_photo(
    store: &dyn Store,
    staff: &Staff,
    target: &Target,
    photo: &Path,
    credits: Credits,
) -> Result<Editable, CurationError> {
    let record = load(store, target).await?;
    let before = editable(store, target, &record).await?;
    may_edit(staff, &before.communes)?;
    if credits.alt.as_deref().is_none_or(|a| a.trim().is_empty()) {
        return Err(AppError::Invalid("a photo needs its alternative text (`alt`)".into()).into());
    }
    let media = balade_import::media::attach(
        store,
        owner(target),
        &MediaSource::Photo(photo.to_owned()),
        credits,
    )
    .await
    .map_err(|e| match e {
        AttachError::Store(e) => CurationError::from(e),
        AttachError::Refused { reason, .. } => AppError::Invalid(reason).into(),
        AttachError::Invalid(reason) => AppError::Invalid(reason).into(),
    })?;
    let entry = AuditEntry {
        version: before.version + 1,
        at: now_s(),
        actor: staff.email.clone(),
        origin: "edit".into(),
        changes: json!([{ "field": "media", "before": null, "after": format!("photo {}", media.id) }]),
        view: Value::Object(before.fields.clone()),
        overrides: Value::Object(before.edited.clone()),
    };
    let mut tx = store.begin_import().await?;
    match tx
        .save_edit(target.kind(), record.source(), before.version, &entry)
        .await
    {
        Ok(_) => tx.commit().await?,
        // The photo is kept: a concurrent edit took the version; the log says so.
        Err(StoreError::Conflict(_)) => {
            tracing::warn!(media = %media.id, "photo added while the record was edited: not audited");
        }
        Err(e) => return Err(e.into()),
    }
    Ok(read(store, target).await?)
}

/// A record as the back-office edits it.
pub async fn read(store: &dyn Store, target: &Target) -> AppResult<Editable> {
    let record = load(store, target).await?;
    editable(store, target, &record).await
}

/// Whether `staff` may edit a record lying in `communes`: admins anywhere, editors
/// within their territory's communes, moderators not by hand.
fn may_edit(staff: &Staff, communes: &[String]) -> Result<(), CurationError> {
    match staff.role {
        Role::Admin => Ok(()),
        Role::Moderator => Err(CurationError::Forbidden(
            "moderators handle contributions; editing records needs an editor or an admin".into(),
        )),
        Role::Editor => {
            if communes
                .iter()
                .any(|c| staff.territory.iter().any(|t| t.as_str() == c))
            {
                Ok(())
            } else {
                Err(CurationError::Forbidden(format!(
                    "this record lies outside your territory ({})",
                    if communes.is_empty() {
                        "no commune known".to_owned()
                    } else {
                        communes.join(", ")
                    }
                )))
            }
        }
    }
}

/// The overrides after `patch`: its members set (nulls kept, so that a cleared field
/// stays cleared over imports), deep in objects.
fn accumulate(overrides: &mut View, patch: &View) {
    for (k, v) in patch {
        match (overrides.get_mut(k), v) {
            (Some(Value::Object(o)), Value::Object(p)) => accumulate(o, p),
            _ => {
                overrides.insert(k.clone(), v.clone());
            }
        }
    }
}

/// Who makes a change and from what: the audit entry's actor and origin, and the
/// walker's correction it accepts, if any (moved in the same transaction).
struct Author<'a> {
    actor: &'a str,
    origin: &'a str,
    contribution: Option<(&'a str, &'a LogEntry)>,
}

/// Writes `record` with its new overrides and an audit entry, in one transaction.
async fn save(
    store: &dyn Store,
    target: &Target,
    record: &Loaded,
    before: &Editable,
    overrides: View,
    author: Author<'_>,
) -> Result<Editable, CurationError> {
    let Author {
        actor,
        origin,
        contribution,
    } = author;
    let after = record.view_with(&overrides);
    let changes: Vec<Value> = edit::changes(&before.fields, &after)
        .into_iter()
        .map(|(field, before, after)| json!({ "field": field, "before": before, "after": after }))
        .collect();
    let entry = AuditEntry {
        version: before.version + 1,
        at: now_s(),
        actor: actor.to_owned(),
        origin: origin.to_owned(),
        changes: Value::Array(changes),
        view: Value::Object(after),
        overrides: Value::Object(overrides),
    };
    let mut tx = store.begin_import().await?;
    match record {
        Loaded::Circuit(c) => drop(tx.upsert_circuit(c).await?),
        Loaded::Poi(p) => drop(tx.upsert_poi(p).await?),
    }
    match tx
        .save_edit(target.kind(), record.source(), before.version, &entry)
        .await
    {
        Ok(_) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(CurationError::Stale(Box::new(read(store, target).await?)));
        }
        Err(e) => return Err(e.into()),
    }
    if let Some((id, entry)) = contribution
        && !tx.move_contribution(id, entry, None).await?
    {
        return Err(
            AppError::Conflict(format!("contribution `{id}` was decided meanwhile")).into(),
        );
    }
    tx.commit().await?;
    Ok(read(store, target).await?)
}

/// Saves a staff edit: `patch` (a JSON merge patch of the editable view) applied to the
/// record as of `if_match` (its ETag when the edit started).
pub async fn patch(
    store: &dyn Store,
    staff: &Staff,
    target: &Target,
    if_match: &str,
    patch: &Value,
) -> Result<Editable, CurationError> {
    let Value::Object(patch) = patch else {
        return Err(EditError::NotAnObject.into());
    };
    let record = load(store, target).await?;
    let before = editable(store, target, &record).await?;
    may_edit(staff, &before.communes)?;
    if if_match.trim() != before.etag {
        return Err(CurationError::Stale(Box::new(before)));
    }
    save_patch(
        store,
        target,
        record,
        &before,
        patch,
        Author {
            actor: &staff.email,
            origin: "edit",
            contribution: None,
        },
    )
    .await
}

/// Applies `patch` to `record`, adds its fields to the overrides, and saves it as
/// `author`'s change.
async fn save_patch(
    store: &dyn Store,
    target: &Target,
    mut record: Loaded,
    before: &Editable,
    patch: &View,
    author: Author<'_>,
) -> Result<Editable, CurationError> {
    record.apply(patch)?;
    let mut overrides = before.edited.clone();
    accumulate(&mut overrides, patch);
    save(store, target, &record, before, overrides, author).await
}

/// Makes a walker's correction (`text` for `field`) an edit of its record, by
/// `actor` (a moderator need not be an editor: the moderation is the check), audited
/// with the origin `contribution`, and moves the correction as `entry` says, in one
/// transaction.
pub async fn accept_correction(
    store: &dyn Store,
    actor: &str,
    target: &Target,
    field: &str,
    text: &str,
    correction: &str,
    entry: &LogEntry,
) -> Result<Editable, CurationError> {
    let mut patch = View::new();
    patch.insert(field.to_owned(), Value::String(text.to_owned()));
    let record = load(store, target).await?;
    let before = editable(store, target, &record).await?;
    save_patch(
        store,
        target,
        record,
        &before,
        &patch,
        Author {
            actor,
            origin: "contribution",
            contribution: Some((correction, entry)),
        },
    )
    .await
}

/// The record's audit log, oldest first.
pub async fn history(store: &dyn Store, target: &Target) -> AppResult<Vec<AuditEntry>> {
    let record = load(store, target).await?;
    Ok(store.history(target.kind(), record.source()).await?)
}

/// Brings the record back to the fields of an earlier `version` (and the overrides it
/// had then; version 0 is the record as its source gave it before the first edit); the
/// revert is itself an entry of the log.
pub async fn revert(
    store: &dyn Store,
    staff: &Staff,
    target: &Target,
    version: i64,
) -> Result<Editable, CurationError> {
    let mut record = load(store, target).await?;
    let before = editable(store, target, &record).await?;
    may_edit(staff, &before.communes)?;
    let log = store.history(target.kind(), record.source()).await?;
    let first_edit = log.iter().find(|e| e.origin == "edit");
    let (view, overrides) = match (version, first_edit) {
        // Version 0: the record as its source gave it before the first edit.
        (0, Some(first)) => {
            let mut view = first.view.as_object().cloned().unwrap_or_default();
            for c in first.changes.as_array().into_iter().flatten() {
                if let Some(field) = c["field"].as_str() {
                    view.insert(field.to_owned(), c["before"].clone());
                }
            }
            (view, View::new())
        }
        _ => match log.iter().find(|e| e.version == version) {
            Some(then) => (
                then.view.as_object().cloned().unwrap_or_default(),
                then.overrides.as_object().cloned().unwrap_or_default(),
            ),
            None => {
                return Err(AppError::NotFound(format!(
                    "no version {version} of {} `{}` (versions 0 to {})",
                    target.kind(),
                    target.id(),
                    before.version
                ))
                .into());
            }
        },
    };
    record.apply(&view)?;
    save(
        store,
        target,
        &record,
        &before,
        overrides,
        Author {
            actor: &staff.email,
            origin: "revert",
            contribution: None,
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_keep_every_member_a_patch_sets_nulls_included() {
        let mut o = json!({ "name": "A", "details": { "history": "h" } })
            .as_object()
            .cloned()
            .expect("object");
        let p = json!({ "description": null, "details": { "period": "12e" } });
        accumulate(&mut o, p.as_object().expect("object"));
        assert_eq!(
            Value::Object(o),
            json!({ "name": "A", "description": null, "details": { "history": "h", "period": "12e" } })
        );
    }

    #[test]
    fn etags_change_with_the_content_and_the_version() {
        let a = json!({ "name": "A" }).as_object().cloned().expect("object");
        let b = json!({ "name": "B" }).as_object().cloned().expect("object");
        assert_ne!(etag(1, &a), etag(1, &b));
        assert_ne!(etag(1, &a), etag(2, &a));
        assert_eq!(etag(1, &a), etag(1, &a.clone()));
    }
}
