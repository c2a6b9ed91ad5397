//! Walkers' contributions, the staff side: one queue of what waits for a decision
//! (pending and flagged reviews, pending corrections, new and in-progress reports), a
//! decision on one item or many, each logged, and the reports as files. Moderators and
//! admins only. A decision moves the store's revision, so that ratings in every public
//! answer follow it; an accepted correction is an edit of its record, made in the same
//! transaction.

use crate::contributions::{photo_url, position};
use crate::curation::{self, CurationError, Target};
use crate::export::push_row;
use crate::now_s;
use crate::staff::Staff;
use crate::{AppError, AppResult, parse_id};
use balade_core::contributions::{Contribution, Decision, Filter, Kind, LogEntry, Status, rfc3339};
use balade_core::store::Store;
use balade_core::{CircuitId, PoiId};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use utoipa::ToSchema;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;
/// Items one bulk decision takes at most.
pub const MAX_BULK: usize = 500;

/// An item of the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct Item {
    pub id: String,
    /// `review`, `report` or `correction`.
    pub kind: String,
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
    #[schema(required = true)]
    pub circuit: Option<String>,
    #[schema(required = true)]
    pub circuit_name: Option<String>,
    /// URLs of its photos (staff sessions see them before publication).
    pub photos: Vec<String>,
    /// Whether the walker left an address to be told (the address is never shown).
    pub contact: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A review's text or a correction's proposed text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// How many times the review was flagged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<usize>,
    /// The reasons given with those flags (a flag may give none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flag_reasons: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commune: Option<String>,
    /// A correction's record: `poi:ID` or `circuit:ID`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The field's value now, beside the proposed text.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    pub current: Option<Value>,
    /// The decisions taken on it, oldest first (one item's answer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log: Option<Vec<LogView>>,
}

/// One decision as the log shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogView {
    pub at: String,
    /// A staff member's e-mail, or `public` for a walker's flag.
    pub actor: String,
    pub decision: String,
    pub from: String,
    pub to: String,
}

/// The queue: a page of items and the counts of every kind and status.
#[derive(Debug, Serialize, ToSchema)]
pub struct Queue {
    /// Items matching, before `limit` and `offset`.
    pub total: u64,
    /// Per kind, per status.
    #[schema(value_type = Object)]
    pub counts: BTreeMap<&'static str, BTreeMap<&'static str, u64>>,
    pub items: Vec<Item>,
}

/// What the queue shows: by kind, status (`all`, or none for the open ones), circuit,
/// commune and category.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub kind: Option<String>,
    pub status: Option<String>,
    pub circuit: Option<String>,
    pub commune: Option<String>,
    pub category: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

fn may_moderate(staff: &Staff) -> AppResult<()> {
    if crate::contributions::moderates(staff) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "moderating contributions needs a moderator or an admin".into(),
        ))
    }
}

impl QueueFilter {
    fn checked(&self) -> AppResult<Filter> {
        let kind = match self.kind.as_deref() {
            None | Some("") => None,
            Some(k) => Some(Kind::parse(k).ok_or_else(|| {
                AppError::Invalid("`kind` must be review, report or correction".into())
            })?),
        };
        let kinds: Vec<Kind> = kind.map_or(Kind::ALL.to_vec(), |k| vec![k]);
        let statuses = match self.status.as_deref() {
            Some("all") => Vec::new(),
            None | Some("") | Some("open") => {
                // `pending` is open for reviews and corrections alike: once in the list.
                let mut open: Vec<Status> = Vec::new();
                for s in kinds.iter().flat_map(|k| k.open()) {
                    if !open.contains(s) {
                        open.push(*s);
                    }
                }
                open
            }
            Some(s) => {
                let status = Status::parse(s)
                    .filter(|s| kinds.iter().any(|k| k.statuses().contains(s)))
                    .ok_or_else(|| {
                        AppError::Invalid(format!("`status` `{s}` is not one of this kind's"))
                    })?;
                vec![status]
            }
        };
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::Invalid(format!(
                "`limit` must be between 1 and {MAX_LIMIT}"
            )));
        }
        let text = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        Ok(Filter {
            kind,
            statuses,
            circuit: text(&self.circuit),
            commune: text(&self.commune),
            category: text(&self.category),
            limit,
            offset: self.offset.unwrap_or(0),
        })
    }
}

/// The page of the queue `filter` asks for.
pub async fn queue(store: &dyn Store, staff: &Staff, filter: &QueueFilter) -> AppResult<Queue> {
    may_moderate(staff)?;
    let filter = filter.checked()?;
    let (total, found) = store.contributions(&filter).await?;
    let mut counts: BTreeMap<&'static str, BTreeMap<&'static str, u64>> = Kind::ALL
        .iter()
        .map(|k| {
            (
                k.as_str(),
                k.statuses().iter().map(|s| (s.as_str(), 0)).collect(),
            )
        })
        .collect();
    for (kind, status, n) in store.contribution_counts().await? {
        if let Some(by_status) = counts.get_mut(kind.as_str()) {
            by_status.insert(status.as_str(), n);
        }
    }
    let mut items = Vec::with_capacity(found.len());
    for c in found {
        items.push(item_of(store, c).await?);
    }
    Ok(Queue {
        total,
        counts,
        items,
    })
}

/// One item with its log.
pub async fn item(store: &dyn Store, staff: &Staff, id: &str) -> AppResult<Item> {
    may_moderate(staff)?;
    let found = store
        .contribution(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no contribution `{id}`")))?;
    with_log(store, found).await
}

async fn with_log(store: &dyn Store, c: Contribution) -> AppResult<Item> {
    let log = store.contribution_log(&c.id).await?;
    let mut item = item_of(store, c).await?;
    item.log = Some(
        log.into_iter()
            .map(|e| LogView {
                at: rfc3339(e.at),
                actor: e.actor,
                decision: e.decision,
                from: e.from.as_str().to_owned(),
                to: e.to.as_str().to_owned(),
            })
            .collect(),
    );
    Ok(item)
}

/// The name of circuit `id`, if it still exists.
async fn circuit_name(store: &dyn Store, id: &str) -> AppResult<Option<String>> {
    let Ok(id) = parse_id::<CircuitId>(id) else {
        return Ok(None);
    };
    Ok(store.circuit(&id).await?.map(|c| c.name))
}

/// A correction's record as curation knows it.
fn target_of(target: &str) -> AppResult<Target> {
    match target.split_once(':') {
        Some(("circuit", id)) => Ok(Target::Circuit(parse_id(id)?)),
        Some(("poi", id)) => Ok(Target::Poi(parse_id::<PoiId>(id)?)),
        _ => Err(AppError::Invalid(format!("target `{target}`"))),
    }
}

async fn item_of(store: &dyn Store, c: Contribution) -> AppResult<Item> {
    let circuit_name = match &c.circuit {
        Some(id) => circuit_name(store, id).await?,
        None => None,
    };
    let photos = (0..c.photos).map(|n| photo_url(&c.id, n)).collect();
    let pos = position(&c);
    let mut item = Item {
        id: c.id.clone(),
        kind: c.kind.as_str().to_owned(),
        status: c.status.as_str().to_owned(),
        created_at: rfc3339(c.created_at),
        updated_at: rfc3339(c.updated_at),
        circuit: c.circuit.clone(),
        circuit_name,
        photos,
        contact: c.email.is_some(),
        rating: None,
        name: None,
        text: None,
        flags: None,
        flag_reasons: None,
        category: None,
        message: None,
        lon: pos.map(|p| p[0]),
        lat: pos.map(|p| p[1]),
        commune: None,
        target: None,
        target_name: None,
        field: None,
        current: None,
        log: None,
    };
    match c.kind {
        Kind::Review => {
            item.rating = c.rating;
            item.name = c.name;
            item.text = Some(c.text);
            item.flags = Some(c.flag_reasons.len());
            item.flag_reasons = Some(
                c.flag_reasons
                    .into_iter()
                    .filter(|r| !r.is_empty())
                    .collect(),
            );
        }
        Kind::Report => {
            item.category = c.category;
            item.message = Some(c.text);
            item.commune = c.commune;
        }
        Kind::Correction => {
            if let (Some(target), Some(field)) = (&c.target, &c.field) {
                // A record deleted since still shows the proposal.
                if let Ok(record) = curation::read(store, &target_of(target)?).await {
                    item.target_name = record
                        .fields
                        .get("name")
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    item.current = Some(record.fields.get(field).cloned().unwrap_or(Value::Null));
                }
            }
            item.target = c.target;
            item.field = c.field;
            item.text = Some(c.text);
        }
    }
    Ok(item)
}

/// Takes `decision` on item `id`: logged with who took it; an accepted correction
/// becomes an edit of its record; the author of a report resolved or rejected is told
/// by `mail_command` when they left an address. `Conflict` when the decision does not apply to the
/// item as it is.
pub async fn decide(
    store: &dyn Store,
    mail_command: Option<&str>,
    staff: &Staff,
    id: &str,
    decision: &str,
) -> AppResult<Item> {
    may_moderate(staff)?;
    let decision = Decision::parse(decision).ok_or_else(|| {
        AppError::Invalid("`decision` must be publish, reject, in_progress, resolved or new".into())
    })?;
    let found = store
        .contribution(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no contribution `{id}`")))?;
    let to = decision
        .outcome(found.kind, found.status)
        .map_err(AppError::Conflict)?;
    let entry = LogEntry {
        at: now_s(),
        actor: staff.email.clone(),
        decision: decision.as_str().to_owned(),
        from: found.status,
        to,
    };
    let decided_meanwhile = || AppError::Conflict(format!("`{id}` was decided meanwhile"));
    if found.kind == Kind::Correction && to == Status::Accepted {
        let (Some(target), Some(field)) = (&found.target, &found.field) else {
            return Err(AppError::Conflict(format!("`{id}` names no record")));
        };
        curation::accept_correction(
            store,
            &staff.email,
            &target_of(target)?,
            field,
            &found.text,
            id,
            &entry,
        )
        .await
        .map_err(|e| match e {
            CurationError::App(e) => e,
            CurationError::Stale(_) => decided_meanwhile(),
            CurationError::Forbidden(m) => AppError::Forbidden(m),
        })?;
    } else {
        let mut tx = store.begin_import().await?;
        if !tx.move_contribution(id, &entry, None).await? {
            return Err(decided_meanwhile());
        }
        tx.commit().await?;
    }
    let after = store
        .contribution(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no contribution `{id}`")))?;
    tell_reporter(store, mail_command, &after).await?;
    with_log(store, after).await
}

/// Tells the author of a handled report, when they left an address; a failure to send
/// is logged, the decision stands.
async fn tell_reporter(
    store: &dyn Store,
    mail_command: Option<&str>,
    report: &Contribution,
) -> AppResult<()> {
    if report.kind != Kind::Report || report.email.is_none() {
        return Ok(());
    }
    let name = match &report.circuit {
        Some(id) => circuit_name(store, id).await?,
        None => None,
    };
    let Some(message) = crate::notify::message(report, name.as_deref()) else {
        return Ok(());
    };
    match mail_command {
        Some(command) => {
            if let Err(e) = crate::notify::send(command, &message).await {
                tracing::warn!(report = %report.id, error = %e, "the reporter could not be told");
            }
        }
        None => tracing::info!(
            report = %report.id,
            "a reporter waits to be told, but no --mail-command is set"
        ),
    }
    Ok(())
}

/// One decision on many items, each on its own: what was done and what failed, why.
#[derive(Debug, Serialize, ToSchema)]
pub struct Bulk {
    pub done: Vec<String>,
    pub failed: Vec<BulkFailure>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkFailure {
    pub id: String,
    pub error: String,
}

pub async fn decide_many(
    store: &dyn Store,
    mail_command: Option<&str>,
    staff: &Staff,
    ids: &[String],
    decision: &str,
) -> AppResult<Bulk> {
    may_moderate(staff)?;
    if ids.len() > MAX_BULK {
        return Err(AppError::Invalid(format!(
            "at most {MAX_BULK} items per decision"
        )));
    }
    let mut bulk = Bulk {
        done: Vec::new(),
        failed: Vec::new(),
    };
    for id in ids {
        match decide(store, mail_command, staff, id, decision).await {
            Ok(_) => bulk.done.push(id.clone()),
            Err(
                e @ (AppError::Invalid(_)
                | AppError::NotFound(_)
                | AppError::Conflict(_)
                | AppError::Forbidden(_)),
            ) => bulk.failed.push(BulkFailure {
                id: id.clone(),
                error: e.to_string(),
            }),
            Err(e) => return Err(e),
        }
    }
    Ok(bulk)
}

/// The reports matching `filter` (every status unless it names one), as `geojson` or
/// `csv`: with their position, category, message and status, never an e-mail.
pub async fn reports_file(
    store: &dyn Store,
    staff: &Staff,
    filter: &QueueFilter,
    format: &str,
) -> AppResult<(&'static str, Vec<u8>)> {
    may_moderate(staff)?;
    let mut filter = QueueFilter {
        kind: Some("report".into()),
        status: Some(filter.status.clone().unwrap_or_else(|| "all".into())),
        limit: Some(MAX_LIMIT),
        offset: Some(0),
        ..filter.clone()
    }
    .checked()?;
    let mut reports = Vec::new();
    loop {
        let (total, page) = store.contributions(&filter).await?;
        let got = page.len() as u32;
        reports.extend(page);
        filter.offset += got;
        if got == 0 || u64::from(filter.offset) >= total {
            break;
        }
    }
    match format {
        "geojson" => {
            let features: Vec<Value> = reports
                .iter()
                .map(|r| {
                    let pos = position(r).unwrap_or_default();
                    json!({
                        "type": "Feature",
                        "id": r.id,
                        "geometry": { "type": "Point", "coordinates": pos },
                        "properties": {
                            "id": r.id,
                            "status": r.status.as_str(),
                            "category": r.category,
                            "message": r.text,
                            "circuit": r.circuit,
                            "commune": r.commune,
                            "photos": r.photos,
                            "created_at": rfc3339(r.created_at),
                            "updated_at": rfc3339(r.updated_at),
                        }
                    })
                })
                .collect();
            let doc = json!({ "type": "FeatureCollection", "features": features });
            Ok((
                "application/geo+json",
                serde_json::to_vec(&doc).map_err(|e| AppError::Encode(e.to_string()))?,
            ))
        }
        "csv" => {
            let mut out = String::from(
                "id,status,category,lon,lat,circuit,commune,photos,created_at,updated_at,message\r\n",
            );
            for r in &reports {
                let pos = position(r).unwrap_or_default();
                push_row(
                    &mut out,
                    &[
                        r.id.clone(),
                        r.status.as_str().to_owned(),
                        r.category.clone().unwrap_or_default(),
                        pos[0].to_string(),
                        pos[1].to_string(),
                        r.circuit.clone().unwrap_or_default(),
                        r.commune.clone().unwrap_or_default(),
                        r.photos.to_string(),
                        rfc3339(r.created_at),
                        rfc3339(r.updated_at),
                        r.text.clone(),
                    ],
                );
            }
            Ok(("text/csv; charset=utf-8", out.into_bytes()))
        }
        other => Err(AppError::Invalid(format!(
            "`format` `{other}`: geojson or csv"
        ))),
    }
}
