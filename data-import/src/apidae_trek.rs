//! APIDAE itineraries (`objetsTouristiques` of an export of treks) as circuits, with
//! their French and English texts and practical information.
//!
//! APIDAE links the trace as a file (`multimedias` of type `PLAN`); Balade reads it from
//! the export's folder by its file name, as exports are downloaded with their files.
//! GPX only: a KML or KMZ plan is refused with its reason.
//!
//! | APIDAE | Balade |
//! |---|---|
//! | `nom`, `presentation.descriptifCourt`, `presentation.descriptifDetaille` | name, summary, description (and English) |
//! | `presentation.descriptifsThematises` of theme 6527 | step-by-step directions |
//! | `ouverture.periodeEnClair` | best season |
//! | `itineraire.passagesDelicats` | recommendations |
//! | `localisation.geolocalisation.complement` | access |
//! | `localisation.adresse.adresse1`, `…commune.nom` | parking, commune |
//! | `itineraire.itineraireType` | type (`BOUCLE`, `ALLER_RETOUR`, `ALLER_ITINERANCE`) |
//! | `itineraire.dureeJournaliere`, else `ouverture.dureeSeance` | duration (minutes) |

use crate::features::Fault;
use crate::gpx;
use crate::tourism::apidae::at;
use balade_core::geometry::{Figures, GivenFigures};
use balade_core::text::{fold, plain_text};
use balade_core::{
    Circuit, CircuitId, CircuitType, Practical, Practice, Translation, Translations,
};
use serde_json::Value;
use std::path::Path;

/// APIDAE's theme of the "directions" themed description.
const DIRECTIONS_THEME: i64 = 6527;
/// A plan file larger than this is refused (a trace is kilobytes to a few megabytes).
const MAX_PLAN_BYTES: u64 = 64 * 1024 * 1024;

/// The text of a multilingual APIDAE field (`{"libelleFr": …}`) in `suffix` (`Fr`, `En`).
fn text_in(v: &Value, path: &str, suffix: &str) -> Option<String> {
    at(v, path)?
        .get(format!("libelle{suffix}"))
        .and_then(Value::as_str)
        .map(plain_text)
        .filter(|t| !t.is_empty())
}

fn plain_at(v: &Value, path: &str) -> Option<String> {
    at(v, path)
        .and_then(Value::as_str)
        .map(plain_text)
        .filter(|t| !t.is_empty())
}

/// One APIDAE object as a circuit; `dir` holds the export and its plan files.
pub fn trek(o: &Value, dir: &Path) -> Result<Circuit, Fault> {
    let id = match o.get("id") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        _ => return Err(("id", "missing".to_owned())),
    };
    // Exports made for treks do not always fill the itinerary block.
    let itinerary = at(o, "informationsEquipement.itineraire").unwrap_or(&Value::Null);
    let circuit_id = CircuitId::new(format!("apidae-{id}")).map_err(|e| ("id", e.to_string()))?;
    let name = text_in(o, "nom", "Fr")
        .or_else(|| text_in(o, "nom", "En"))
        .ok_or(("nom", "missing".to_owned()))?;
    let trace = plan(o, dir)?;
    let practice = practice_of(o);
    let minutes = |v: Option<&Value>| v.and_then(Value::as_f64).filter(|m| *m > 0.0);
    let figures = Figures::of(
        &trace,
        practice,
        &GivenFigures {
            duration_min: minutes(itinerary.get("dureeJournaliere"))
                .or_else(|| minutes(at(o, "ouverture.dureeSeance")))
                .map(|m| m.round() as u32),
            circuit_type: match itinerary.get("itineraireType").and_then(Value::as_str) {
                Some("BOUCLE") => Some(CircuitType::Loop),
                Some("ALLER_RETOUR") => Some(CircuitType::Return),
                Some("ALLER_ITINERANCE") => Some(CircuitType::OneWay),
                _ => None,
            },
            ..GivenFigures::default()
        },
    );
    let practical = |suffix: &str| Practical {
        access: text_in(o, "localisation.geolocalisation.complement", suffix),
        // The address is the same in every language.
        parking: (suffix == "Fr")
            .then(|| plain_at(o, "localisation.adresse.adresse1"))
            .flatten(),
        public_transport: None,
        best_season: text_in(o, "ouverture.periodeEnClair", suffix),
        recommendations: text_in(itinerary, "passagesDelicats", suffix),
        accessibility: None,
        steps: at(o, "presentation.descriptifsThematises")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|d| at(d, "theme.id").and_then(Value::as_i64) == Some(DIRECTIONS_THEME))
            .and_then(|d| text_in(d, "description", suffix))
            .map(|t| super::circuits::steps_of(&t))
            .unwrap_or_default(),
    };
    let mut translations = Translations::new();
    let english = Translation {
        name: text_in(o, "nom", "En"),
        summary: text_in(o, "presentation.descriptifCourt", "En"),
        description: text_in(o, "presentation.descriptifDetaille", "En"),
        practical: practical("En"),
    };
    if english != Translation::default() {
        translations.insert("en".to_owned(), english);
    }
    Ok(Circuit {
        id: circuit_id,
        source: format!("apidae:{id}"),
        name,
        summary: text_in(o, "presentation.descriptifCourt", "Fr").unwrap_or_default(),
        description: text_in(o, "presentation.descriptifDetaille", "Fr").unwrap_or_default(),
        practice,
        themes: Vec::new(),
        communes: plain_at(o, "localisation.adresse.commune.nom")
            .into_iter()
            .collect(),
        intercommunalities: Vec::new(),
        duration_min: figures.duration_min,
        difficulty: figures.difficulty,
        circuit_type: figures.circuit_type,
        published: true,
        practical: practical("Fr"),
        translations,
        stats: figures.stats,
        trace,
    })
}

/// What the object's activities say it is walked, ridden or cycled on.
fn practice_of(o: &Value) -> Practice {
    let labels: Vec<String> = at(o, "informationsEquipement.activites")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| a.get("libelleFr").and_then(Value::as_str))
        .map(fold)
        .collect();
    let has = |word: &str| labels.iter().any(|l| l.contains(word));
    if has("pedestre") {
        Practice::Walk
    } else if has("vtt") {
        Practice::Mtb
    } else if has("equestre") {
        Practice::Horse
    } else if has("cyclo") || has("velo") {
        Practice::Bike
    } else {
        Practice::Walk
    }
}

/// The trace from the object's plan file, found beside the export by its name.
fn plan(o: &Value, dir: &Path) -> Result<balade_core::Trace, Fault> {
    const FIELD: &str = "multimedias.PLAN";
    let urls: Vec<&str> = o
        .get("multimedias")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|m| m.get("type").and_then(Value::as_str) == Some("PLAN"))
        .filter_map(|m| m.get("traductionFichiers").and_then(Value::as_array))
        .flatten()
        .filter_map(|f| f.get("url").and_then(Value::as_str))
        .collect();
    let Some(url) = urls.first() else {
        return Err((
            FIELD,
            "no plan: APIDAE gives the trace as a PLAN file".to_owned(),
        ));
    };
    let name = url.rsplit('/').next().unwrap_or(url);
    if !name.to_ascii_lowercase().ends_with(".gpx") {
        return Err((FIELD, format!("plan `{name}` is not a GPX file")));
    }
    // A bare file name only: a URL cannot reach outside the export's folder.
    if name.is_empty() || name.contains(['\\', '\0']) || name.starts_with('.') {
        return Err((FIELD, format!("plan `{name}` is not a file name")));
    }
    let path = dir.join(name);
    let meta = std::fs::metadata(&path).map_err(|_| {
        (
            FIELD,
            format!("plan `{name}` not found beside the export (download it with the export)"),
        )
    })?;
    if meta.len() > MAX_PLAN_BYTES {
        return Err((
            FIELD,
            format!("plan `{name}` is over {} MiB", MAX_PLAN_BYTES >> 20),
        ));
    }
    let bytes = std::fs::read(&path).map_err(|e| (FIELD, format!("plan `{name}`: {e}")))?;
    let parsed = gpx::parse(&path, &bytes, false).map_err(|rejections| {
        let reason = rejections
            .first()
            .map_or_else(String::new, |r| r.reason.clone());
        (FIELD, format!("plan `{name}`: {reason}"))
    })?;
    Ok(parsed.circuit.trace)
}

#[cfg(test)]
mod tests {
    use crate::circuits::parse;
    use balade_core::CircuitType;

    fn data(rel: &str) -> std::path::PathBuf {
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/data/trails/geotrek-admin/trekking/apidae_trek_parser")
            .join(rel)
    }

    #[test]
    fn an_apidae_trek_with_its_plan_beside_it() {
        let path = data("a_trek.json");
        let bytes = std::fs::read(&path).unwrap();
        let parsed = parse(&path, &bytes, false).unwrap();
        let c = &parsed.records[0];
        assert_eq!(c.name, "Une belle randonnée de test");
        assert_eq!(c.summary, "La description courte en français.");
        assert_eq!(c.description, "La description détaillée en français.");
        assert_eq!(c.circuit_type, CircuitType::Loop);
        assert_eq!(c.duration_min, 150);
        assert_eq!(c.communes, ["Sallanches"]);
        let p = &c.practical;
        assert!(
            p.best_season
                .as_deref()
                .is_some_and(|s| s.starts_with("Ouvert toute l'année")),
            "{p:?}"
        );
        assert_eq!(
            p.recommendations.as_deref(),
            Some("À éviter après de grosses pluies.")
        );
        assert_eq!(
            p.access.as_deref(),
            Some("En voiture, rejoindre le village de Salanches.")
        );
        assert_eq!(
            p.parking.as_deref(),
            Some("Parking sur la place du village")
        );
        assert!(p.steps.len() >= 3, "{:?}", p.steps);
        let en = &c.translations["en"];
        assert_eq!(en.name.as_deref(), Some("A great hike to test"));
        assert_eq!(
            en.description.as_deref(),
            Some("The longer description in english.")
        );
        assert!(
            en.practical
                .best_season
                .as_deref()
                .is_some_and(|s| s.starts_with("Open all year long")),
            "{:?}",
            en.practical
        );
        assert_eq!(
            en.practical.recommendations.as_deref(),
            Some("Avoid after heavy rain.")
        );
        assert!(
            en.practical.steps[0].starts_with("Start"),
            "{:?}",
            en.practical.steps
        );
        assert_eq!(en.practical.parking, None, "the address is not translated");
        // The trace is the GPX beside the export.
        let start = c.trace.start().unwrap();
        assert!((start.lon() - 6.5884).abs() < 0.001 && (start.lat() - 45.9691).abs() < 0.001);
    }

    #[test]
    fn plans_missing_or_not_gpx_are_refused_with_their_reason() {
        for (file, reason) in [
            ("trek_with_kml_trace.json", "not a GPX file"),
            ("trek_no_plan_error.json", "no plan"),
        ] {
            let path = data(file);
            let bytes = std::fs::read(&path).unwrap();
            let refused = parse(&path, &bytes, false).unwrap_err();
            assert!(
                refused.iter().any(|r| r.reason.contains(reason)),
                "{file}: {refused:?}"
            );
        }
        // The plan named but not downloaded with the export.
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("a_trek.json");
        std::fs::copy(data("a_trek.json"), &copy).unwrap();
        let bytes = std::fs::read(&copy).unwrap();
        let refused = parse(&copy, &bytes, false).unwrap_err();
        assert!(
            refused[0].reason.contains("not found beside the export"),
            "{refused:?}"
        );
        assert_eq!(
            refused[0].field.as_deref(),
            Some("feature 1: multimedias.PLAN")
        );
    }
}
