//! Staff edits of circuits and POIs. A record shows staff an **editable view**, a JSON
//! object of the fields a person may change, named as in the public API; an edit is a
//! JSON merge patch (RFC 7396) of that view. The fields a person set are kept apart
//! (the record's **overrides**, a view of its own) and applied again over whatever the
//! next import of the record's source brings: a hand fix outlives re-imports.

use crate::domain::{
    Circuit, Difficulty, LonLat, Poi, PoiDetails, PoiKind, Practical, Practice, Translations,
};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

/// A record's editable fields, by name.
pub type View = Map<String, Value>;

/// The longest name, and the longest text, a person may give.
pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_TEXT_CHARS: usize = 20_000;

/// Why an edit was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("`{0}` cannot be edited (editable: {1})")]
    NotEditable(String, &'static str),
    #[error("`{field}`: {reason}")]
    Invalid { field: String, reason: String },
    #[error("an edit is a JSON object of fields")]
    NotAnObject,
}

const POI_FIELDS: &str = "name, description, kind, lon, lat, details, translations, published";
const CIRCUIT_FIELDS: &str =
    "name, summary, description, practice, themes, difficulty, published, practical, translations";

/// The editable view of a POI.
pub fn poi_view(p: &Poi) -> View {
    let mut v = json!({
        "name": p.name,
        "description": p.description,
        "kind": p.kind.as_str(),
        "lon": p.pos.map(LonLat::lon),
        "lat": p.pos.map(LonLat::lat),
        "translations": p.details.translations,
    });
    let mut details = serde_json::to_value(&p.details).unwrap_or_else(|_| json!({}));
    if let Some(d) = details.as_object_mut() {
        // Provenance is the source's own, translations are edited as their own field.
        d.remove("provenance");
        d.remove("translations");
    }
    v["details"] = details;
    into_map(v)
}

/// The editable view of a circuit.
pub fn circuit_view(c: &Circuit) -> View {
    into_map(json!({
        "name": c.name,
        "summary": c.summary,
        "description": c.description,
        "practice": c.practice.as_str(),
        "themes": c.themes,
        "difficulty": c.difficulty.as_str(),
        "published": c.published,
        "practical": c.practical,
        "translations": c.translations,
    }))
}

fn into_map(v: Value) -> View {
    match v {
        Value::Object(m) => m,
        _ => View::new(),
    }
}

/// RFC 7396: `patch` merged into `target` (a `null` removes a member).
pub fn merge(target: &mut View, patch: &View) {
    for (k, v) in patch {
        match v {
            Value::Null => {
                target.remove(k);
            }
            Value::Object(p) => {
                let slot = target
                    .entry(k.clone())
                    .or_insert_with(|| Value::Object(View::new()));
                if !slot.is_object() {
                    *slot = Value::Object(View::new());
                }
                if let Value::Object(t) = slot {
                    merge(t, p);
                }
            }
            other => {
                target.insert(k.clone(), other.clone());
            }
        }
    }
}

/// The fields whose values differ between two views: (field, before, after), by name.
pub fn changes(before: &View, after: &View) -> Vec<(String, Value, Value)> {
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter_map(|k| {
            let (b, a) = (
                before.get(k).cloned().unwrap_or(Value::Null),
                after.get(k).cloned().unwrap_or(Value::Null),
            );
            (b != a).then(|| (k.clone(), b, a))
        })
        .collect()
}

fn check_fields(patch: &View, editable: &'static str) -> Result<(), EditError> {
    for k in patch.keys() {
        if !editable.split(", ").any(|f| f == k) {
            return Err(EditError::NotEditable(k.clone(), editable));
        }
    }
    Ok(())
}

fn field<T: DeserializeOwned>(view: &View, name: &str) -> Result<T, EditError> {
    serde_json::from_value(view.get(name).cloned().unwrap_or(Value::Null)).map_err(|e| {
        EditError::Invalid {
            field: name.to_owned(),
            reason: e.to_string(),
        }
    })
}

fn text(view: &View, name: &str, max: usize, required: bool) -> Result<String, EditError> {
    let t: Option<String> = field(view, name)?;
    let t = t.unwrap_or_default().trim().to_owned();
    let invalid = |reason: String| EditError::Invalid {
        field: name.to_owned(),
        reason,
    };
    if required && t.is_empty() {
        return Err(invalid("must not be empty".into()));
    }
    if t.chars().count() > max {
        return Err(invalid(format!("longer than {max} characters")));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(invalid("holds control characters".into()));
    }
    Ok(t)
}

fn closed<T: std::str::FromStr>(view: &View, name: &str) -> Result<T, EditError>
where
    T::Err: std::fmt::Display,
{
    let s: String = field(view, name)?;
    s.parse().map_err(|e: T::Err| EditError::Invalid {
        field: name.to_owned(),
        reason: e.to_string(),
    })
}

/// Whether a POI is published, by its overrides: a person unpublishes a POI (a
/// restaurant that closed), no source does, so the flag lives in the overrides alone.
pub fn poi_published(overrides: &View) -> bool {
    overrides
        .get("published")
        .and_then(Value::as_bool)
        .unwrap_or(true)
}

/// Applies `patch` to a POI: every field checked, nothing changed on error.
/// (`published` is checked here and kept in the overrides, see [`poi_published`].)
pub fn apply_to_poi(p: &mut Poi, patch: &View) -> Result<(), EditError> {
    check_fields(patch, POI_FIELDS)?;
    if let Some(v) = patch.get("published")
        && !v.is_boolean()
        && !v.is_null()
    {
        return Err(EditError::Invalid {
            field: "published".into(),
            reason: "true or false".into(),
        });
    }
    let mut view = poi_view(p);
    merge(&mut view, patch);
    let name = text(&view, "name", MAX_NAME_CHARS, true)?;
    let description = text(&view, "description", MAX_TEXT_CHARS, false)?;
    let kind: PoiKind = closed(&view, "kind")?;
    let lon: Option<f64> = field(&view, "lon")?;
    let lat: Option<f64> = field(&view, "lat")?;
    let pos = match (lon, lat) {
        (Some(lon), Some(lat)) => Some(LonLat::new(lon, lat).map_err(|e| EditError::Invalid {
            field: "lon/lat".into(),
            reason: e.to_string(),
        })?),
        (None, None) => None,
        _ => {
            return Err(EditError::Invalid {
                field: "lon/lat".into(),
                reason: "give both or neither".into(),
            });
        }
    };
    let mut details: PoiDetails = field(&view, "details")?;
    details.translations =
        field::<Option<Translations>>(&view, "translations")?.unwrap_or_default();
    details.provenance = std::mem::take(&mut p.details.provenance);
    check_length(
        &serde_json::to_string(&details).unwrap_or_default(),
        "details",
    )?;
    *p = Poi {
        name,
        description,
        kind,
        pos,
        details,
        ..p.clone()
    };
    Ok(())
}

/// Applies `patch` to a circuit: every field checked, nothing changed on error.
pub fn apply_to_circuit(c: &mut Circuit, patch: &View) -> Result<(), EditError> {
    check_fields(patch, CIRCUIT_FIELDS)?;
    let mut view = circuit_view(c);
    merge(&mut view, patch);
    let name = text(&view, "name", MAX_NAME_CHARS, true)?;
    let summary = text(&view, "summary", MAX_TEXT_CHARS, false)?;
    let description = text(&view, "description", MAX_TEXT_CHARS, false)?;
    let practice: Practice = closed(&view, "practice")?;
    let difficulty: Difficulty = closed(&view, "difficulty")?;
    let themes: Vec<String> = field(&view, "themes")?;
    let published: bool = field(&view, "published")?;
    let practical: Practical = field(&view, "practical")?;
    let translations: Translations =
        field::<Option<Translations>>(&view, "translations")?.unwrap_or_default();
    check_length(
        &serde_json::to_string(&practical).unwrap_or_default(),
        "practical",
    )?;
    check_length(
        &serde_json::to_string(&translations).unwrap_or_default(),
        "translations",
    )?;
    if themes.len() > 20 || themes.iter().any(|t| t.trim().is_empty() || t.len() > 60) {
        return Err(EditError::Invalid {
            field: "themes".into(),
            reason: "at most 20 themes of 1 to 60 characters".into(),
        });
    }
    *c = Circuit {
        name,
        summary,
        description,
        practice,
        difficulty,
        themes,
        published,
        practical,
        translations,
        ..c.clone()
    };
    Ok(())
}

fn check_length(json: &str, field: &str) -> Result<(), EditError> {
    if json.len() > 4 * MAX_TEXT_CHARS {
        return Err(EditError::Invalid {
            field: field.to_owned(),
            reason: format!("longer than {} bytes in all", 4 * MAX_TEXT_CHARS),
        });
    }
    Ok(())
}
