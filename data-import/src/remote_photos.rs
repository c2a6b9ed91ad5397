//! Photos fetched from the URLs a source names ([`crate::photo_refs`]) and attached to
//! the records just imported, through the photo pipeline of [`crate::media`] (decoded
//! under its limits, upright, stripped of metadata, derived).
//!
//! - **Once**: a remote photo's id is the hash of its URL, so a photo already attached
//!   to its record is not fetched again; only its credits are refreshed.
//! - **Under limits** ([`PhotoLimits`]): http(s) only, a timeout for the whole request,
//!   a size cap read as the body streams (not trusted from `Content-Length`), bounded
//!   redirects, at most a few photos per record; the content is checked by decoding it,
//!   whatever its `Content-Type` says.
//! - **Never fatal**: a photo that cannot be fetched or decoded is a warning in the
//!   report (file, record, URL, reason); the records stay imported.

use crate::media::{MAX_BYTES, PhotoError, media_id, photo_media};
use crate::photo_refs::PhotoRef;
use crate::plan::{ImportEvent, Observer};
use crate::report::{ImportReport, Rejection};
use balade_core::record::RecordKind;
use balade_core::store::{Store, StoreError};
use balade_core::{Media, MediaOwner};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

/// The limits remote photos are fetched under.
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoLimits {
    /// The largest body read; beyond, the fetch stops. At most [`MAX_BYTES`].
    pub max_bytes: u64,
    /// For the whole request, body included.
    pub timeout: Duration,
    pub max_redirects: usize,
    /// Photos fetched per record; the rest are left out with a warning.
    pub per_record: usize,
}

impl Default for PhotoLimits {
    fn default() -> Self {
        Self {
            // A source's photo is a few megabytes; 20 MiB leaves room for a raw original.
            max_bytes: 20 << 20,
            timeout: Duration::from_secs(30),
            max_redirects: 5,
            per_record: 10,
        }
    }
}

/// Why a photo was not fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("not an http(s) URL")]
    NotHttp,
    #[error("the server answered {0}")]
    Status(u16),
    #[error("over the {} MiB limit", .0 >> 20)]
    TooLarge(u64),
    #[error("no answer within {0} s")]
    Timeout(u64),
    #[error("cannot fetch: {0}")]
    Network(String),
    #[error("{0}")]
    Photo(#[from] PhotoError),
}

/// An HTTP client set to the limits.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    limits: PhotoLimits,
}

impl Fetcher {
    pub fn new(limits: PhotoLimits) -> Result<Self, FetchError> {
        let client = reqwest::Client::builder()
            .timeout(limits.timeout)
            .connect_timeout(limits.timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::limited(limits.max_redirects))
            .user_agent(concat!("balade-import/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| FetchError::Network(e.to_string()))?;
        Ok(Self { client, limits })
    }

    /// The body at `url`, at most `max_bytes` of it.
    pub async fn get(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        let parsed = reqwest::Url::parse(url).map_err(|_| FetchError::NotHttp)?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(FetchError::NotHttp);
        }
        let max = self.limits.max_bytes.min(MAX_BYTES);
        let timeout = self.limits.timeout.as_secs();
        let network = |e: reqwest::Error| {
            if e.is_timeout() {
                FetchError::Timeout(timeout)
            } else if e.is_redirect() {
                FetchError::Network(format!(
                    "too many redirects (at most {})",
                    self.limits.max_redirects
                ))
            } else {
                // reqwest's own text is vague ("error sending request"): the cause
                // (DNS, refused connection, TLS) is in its sources.
                let e = e.without_url();
                let mut text = e.to_string();
                let mut source = std::error::Error::source(&e);
                while let Some(cause) = source {
                    text = format!("{text}: {cause}");
                    source = cause.source();
                }
                FetchError::Network(text)
            }
        };
        let mut response = self.client.get(parsed).send().await.map_err(network)?;
        if !response.status().is_success() {
            return Err(FetchError::Status(response.status().as_u16()));
        }
        if response.content_length().is_some_and(|n| n > max) {
            return Err(FetchError::TooLarge(max));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(network)? {
            if (body.len() + chunk.len()) as u64 > max {
                return Err(FetchError::TooLarge(max));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

/// What attaching a file's photos did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PhotoCounts {
    /// Fetched (or read, for the demo) and attached.
    pub attached: u64,
    /// Already attached: not fetched again.
    pub kept: u64,
    pub failed: u64,
}

impl PhotoCounts {
    pub fn absorb(&mut self, other: PhotoCounts) {
        self.attached += other.attached;
        self.kept += other.kept;
        self.failed += other.failed;
    }
}

/// Fetches and attaches the photos `refs` name, for the records of `path` that the
/// store holds; failures become warnings of `report`.
pub async fn attach_all(
    store: &dyn Store,
    fetcher: &Fetcher,
    path: &Path,
    refs: Vec<PhotoRef>,
    report: &mut ImportReport,
    observer: &mut dyn Observer,
) -> Result<(), StoreError> {
    if refs.is_empty() {
        return Ok(());
    }
    let present = owners_stored(store, &refs).await?;
    let mut counts = PhotoCounts::default();
    let mut per_owner: HashMap<MediaOwner, (usize, HashSet<String>)> = HashMap::new();
    let mut known: HashMap<MediaOwner, Vec<Media>> = HashMap::new();
    for r in refs {
        // A record refused, excluded or not imported: nothing to attach to.
        if !present.contains(&r.owner) {
            continue;
        }
        let id = media_id(r.url.as_bytes());
        let (count, ids) = per_owner.entry(r.owner.clone()).or_default();
        if !ids.insert(id.clone()) {
            continue;
        }
        *count += 1;
        let warn = |report: &mut ImportReport, observer: &mut dyn Observer, reason: String| {
            let w = Rejection {
                path: path.to_owned(),
                position: None,
                field: Some(format!("{}: photo {}", r.record, r.url)),
                reason,
            };
            observer.event(ImportEvent::Note(&format!("warning: {w}")));
            report.warnings.push(w);
        };
        if *count > fetcher.limits.per_record {
            if *count == fetcher.limits.per_record + 1 {
                let reason = format!(
                    "left out with the next ones: at most {} photos per record",
                    fetcher.limits.per_record
                );
                warn(report, observer, reason);
            }
            continue;
        }
        if !known.contains_key(&r.owner) {
            known.insert(r.owner.clone(), store.media_of(&r.owner).await?);
        }
        let credits = r.credits().cleaned();
        let stored = known
            .get(&r.owner)
            .and_then(|m| m.iter().find(|m| m.id == id));
        if let Some(old) = stored {
            counts.kept += 1;
            let mut fresh = old.clone();
            (fresh.title, fresh.author, fresh.license, fresh.alt) = (
                credits.title,
                credits.author,
                credits.license,
                credits.alt.or_else(|| old.alt.clone()),
            );
            if fresh != *old {
                let mut tx = store.begin_import().await?;
                tx.upsert_media(&fresh, &[]).await?;
                tx.commit().await?;
            }
            continue;
        }
        let fetched = match fetcher.get(&r.url).await {
            Ok(bytes) => photo_media(r.owner.clone(), id, bytes, credits)
                .await
                .map_err(FetchError::from),
            Err(e) => Err(e),
        };
        match fetched {
            Ok((media, files)) => {
                let mut tx = store.begin_import().await?;
                match tx.upsert_media(&media, &files).await {
                    Ok(_) => {
                        tx.commit().await?;
                        counts.attached += 1;
                    }
                    // The owner went between the check and now: nothing to attach to.
                    Err(StoreError::Conflict(reason)) => {
                        counts.failed += 1;
                        warn(report, observer, reason);
                    }
                    Err(e) => return Err(e),
                }
            }
            Err(e) => {
                counts.failed += 1;
                warn(report, observer, e.to_string());
            }
        }
    }
    if counts != PhotoCounts::default() {
        let note = format!(
            "{}: photos fetched {}, already attached {}, failed {}",
            path.display(),
            counts.attached,
            counts.kept,
            counts.failed
        );
        observer.event(ImportEvent::Note(&note));
    }
    report.photos.absorb(counts);
    Ok(())
}

/// The owners of `refs` the store holds.
async fn owners_stored(
    store: &dyn Store,
    refs: &[PhotoRef],
) -> Result<HashSet<MediaOwner>, StoreError> {
    let mut present = HashSet::new();
    for kind in [RecordKind::Circuit, RecordKind::Poi] {
        let mut ids: Vec<&str> = refs
            .iter()
            .filter(|r| {
                matches!(
                    (&r.owner, kind),
                    (MediaOwner::Circuit(_), RecordKind::Circuit)
                        | (MediaOwner::Poi(_), RecordKind::Poi)
                )
            })
            .map(|r| r.owner.id())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            continue;
        }
        for (id, _) in store.id_keys(kind, &ids).await? {
            let owner = match kind {
                RecordKind::Circuit => balade_core::CircuitId::new(id)
                    .ok()
                    .map(MediaOwner::Circuit),
                _ => balade_core::PoiId::new(id).ok().map(MediaOwner::Poi),
            };
            present.extend(owner);
        }
    }
    Ok(present)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_http_urls_are_fetched() {
        let fetcher = Fetcher::new(PhotoLimits::default()).unwrap();
        // A relative URL (as some exports write them), a local file, another scheme.
        for url in [
            "paperclip/trek/1.jpg",
            "file:///etc/passwd",
            "ftp://host/a.jpg",
        ] {
            assert!(
                matches!(fetcher.get(url).await, Err(FetchError::NotHttp)),
                "{url}"
            );
        }
    }

    #[test]
    fn limits_stay_within_the_photo_pipeline() {
        let limits = PhotoLimits::default();
        assert!(limits.max_bytes <= MAX_BYTES);
        assert!(limits.per_record > 0 && limits.max_redirects > 0);
    }
}
