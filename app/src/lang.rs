//! The language of content answers: `?lang=` when given, else the first supported
//! language of `Accept-Language`, else French, the language every text exists in.
//! Texts missing in the chosen language fall back to French one by one.

use crate::{AppError, AppResult};
use balade_core::{Practical, Translations};

/// Languages content can be asked in; the first is the fallback.
pub const LANGUAGES: &[&str] = &["fr", "en"];

/// The language to answer in, from a `lang` parameter and an `Accept-Language` value.
pub fn pick(param: Option<&str>, accept_language: Option<&str>) -> AppResult<&'static str> {
    if let Some(asked) = param {
        return LANGUAGES
            .iter()
            .find(|l| l.eq_ignore_ascii_case(asked.trim()))
            .copied()
            .ok_or_else(|| {
                AppError::Invalid(format!(
                    "`lang`: `{asked}` (expected one of: {})",
                    LANGUAGES.join(", ")
                ))
            });
    }
    let accept = accept_language.unwrap_or("");
    // Ranges in order of quality, as the header weighs them.
    let mut ranges: Vec<(f32, usize, &str)> = accept
        .split(',')
        .enumerate()
        .filter_map(|(i, part)| {
            let mut bits = part.split(';');
            let tag = bits.next()?.trim();
            let q = bits
                .find_map(|b| b.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            (q > 0.0 && !tag.is_empty()).then_some((q, i, tag))
        })
        .collect();
    ranges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    Ok(ranges
        .iter()
        .find_map(|(_, _, tag)| {
            let primary = tag.split('-').next().unwrap_or(tag);
            LANGUAGES
                .iter()
                .find(|l| l.eq_ignore_ascii_case(primary))
                .copied()
        })
        .unwrap_or(LANGUAGES[0]))
}

/// A circuit's texts in `lang`: (name, summary, description), each falling back to
/// the French given.
pub fn texts<'a>(
    translations: &'a Translations,
    lang: &str,
    name: &'a str,
    summary: &'a str,
    description: &'a str,
) -> (&'a str, &'a str, &'a str) {
    match translations.get(lang) {
        Some(t) => (
            t.name.as_deref().unwrap_or(name),
            t.summary.as_deref().unwrap_or(summary),
            t.description.as_deref().unwrap_or(description),
        ),
        None => (name, summary, description),
    }
}

/// A circuit's practical information in `lang`, each missing text in French.
pub fn practical(french: &Practical, translations: &Translations, lang: &str) -> Practical {
    match translations.get(lang) {
        Some(t) => t.practical.or(french),
        None => french.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(accept: &str) -> Option<&str> {
        Some(accept)
    }

    #[test]
    fn the_parameter_wins_then_the_header_then_french() {
        assert_eq!(pick(Some("en"), headers("fr")).expect("en"), "en");
        assert!(pick(Some("de"), None).is_err());
        assert_eq!(
            pick(None, headers("en-GB,en;q=0.9,fr;q=0.8")).expect("en"),
            "en"
        );
        assert_eq!(
            pick(None, headers("de-DE, fr;q=0.5, en;q=0.7")).expect("en"),
            "en"
        );
        assert_eq!(pick(None, headers("de, it")).expect("fr"), "fr");
        assert_eq!(pick(None, headers("en;q=0, fr")).expect("fr"), "fr");
        assert_eq!(pick(None, None).expect("fr"), "fr");
    }

    #[test]
    fn missing_texts_fall_back_one_by_one() {
        let mut t = Translations::new();
        t.insert(
            "en".into(),
            balade_core::Translation {
                name: Some("Ramparts".into()),
                ..Default::default()
            },
        );
        assert_eq!(
            texts(&t, "en", "Remparts", "Résumé", "Texte"),
            ("Ramparts", "Résumé", "Texte")
        );
        assert_eq!(
            texts(&t, "fr", "Remparts", "Résumé", "Texte"),
            ("Remparts", "Résumé", "Texte")
        );
    }
}
