//! Text helpers shared by the importers and the search: folding for comparisons, slugs for ids.

/// Lower-cases and strips the diacritics of Latin letters, so that "Église" and "eglise"
/// compare equal. Characters outside the Latin-1 and Latin Extended-A ranges are kept.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        for l in c.to_lowercase() {
            match base_letter(l) {
                Some(b) => out.push_str(b),
                None => out.push(l),
            }
        }
    }
    out
}

fn base_letter(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

/// An id-safe slug: folded, ASCII letters and digits, words joined by one dash.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in fold(s).chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    }
    out.truncate(96);
    out.trim_end_matches('-').to_owned()
}

/// The first sentence of a text, at most 200 characters, for list cards. A sentence
/// ends at a line break, or at `.`, `!` or `?` followed by a space or the end: "10.5 km"
/// and "www.example.fr" do not end one.
pub fn first_sentence(text: &str) -> String {
    let text = text.trim();
    let ends = |(i, c): &(usize, char)| {
        *c == '\n'
            || (matches!(c, '.' | '!' | '?')
                && text[i + 1..].chars().next().is_none_or(char::is_whitespace))
    };
    let end = (text.char_indices().find(ends)).map_or(text.len(), |(i, c)| i + c.len_utf8());
    let s = text[..end].trim();
    if s.chars().count() <= 200 {
        return s.to_owned();
    }
    let cut: String = s.chars().take(199).collect();
    format!("{}…", cut.trim_end())
}

/// Plain text from a description that may hold HTML: tags are dropped (block tags become
/// line breaks), character references decoded, runs of blank space collapsed. The result
/// is text, to be shown as text: nothing in it is ever interpreted as markup.
pub fn plain_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(lt) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..lt]));
        let tag = &rest[lt..];
        // A `<` not starting a tag (e.g. "a < b") is text.
        if !tag[1..]
            .starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!' || c == '?')
        {
            out.push('<');
            rest = &tag[1..];
            continue;
        }
        let end = tag.find('>').map_or(tag.len(), |e| e + 1);
        let name = tag[1..end]
            .trim_start_matches('/')
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap_or("");
        let lower = name.to_ascii_lowercase();
        if matches!(lower.as_str(), "script" | "style") && !tag.starts_with("</") {
            // Drop the element's content too.
            let close = format!("</{lower}");
            let skip = tag
                .to_ascii_lowercase()
                .find(&close)
                .map_or(tag.len(), |c| {
                    c + tag[c..].find('>').map_or(tag.len() - c, |e| e + 1)
                });
            rest = &tag[skip..];
            continue;
        }
        if matches!(
            lower.as_str(),
            "br" | "p" | "div" | "li" | "ul" | "ol" | "h1" | "h2" | "h3" | "h4" | "tr"
        ) {
            out.push('\n');
        }
        rest = &tag[end..];
    }
    out.push_str(&decode_entities(rest));
    tidy_spaces(&out)
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        let decoded = tail[1..].find(';').filter(|&e| e <= 10).and_then(|e| {
            let name = &tail[1..=e];
            let c = named_entity(name).or_else(|| {
                name.strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32)
            });
            c.map(|c| (c, e + 2))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The HTML named entities that French texts use: punctuation, and the accented
/// letters by their `{letter}{accent}` names (`eacute`, `Agrave`, `ccedil`…).
fn named_entity(name: &str) -> Option<char> {
    let plain = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "rsquo" => '’',
        "lsquo" => '‘',
        "rdquo" => '”',
        "ldquo" => '“',
        "laquo" => '«',
        "raquo" => '»',
        "bull" => '•',
        "middot" => '·',
        "hellip" => '…',
        "ndash" => '–',
        "mdash" => '—',
        "deg" => '°',
        "euro" => '€',
        "copy" => '©',
        "reg" => '®',
        "times" => '×',
        "oelig" => 'œ',
        "OElig" => 'Œ',
        "aelig" => 'æ',
        "AElig" => 'Æ',
        "szlig" => 'ß',
        _ => {
            let mut chars = name.chars();
            let base = chars.next()?;
            let accent = chars.as_str();
            let (lower, upper) = match accent {
                "grave" => ("aeiou", "àèìòù"),
                "acute" => ("aeiouy", "áéíóúý"),
                "circ" => ("aeiou", "âêîôû"),
                "uml" => ("aeiouy", "äëïöüÿ"),
                "cedil" => ("c", "ç"),
                "tilde" => ("ano", "ãñõ"),
                _ => return None,
            };
            let i = lower.find(base.to_ascii_lowercase())?;
            let c = upper.chars().nth(lower[..i].chars().count())?;
            return Some(if base.is_uppercase() {
                c.to_uppercase().next().unwrap_or(c)
            } else {
                c
            });
        }
    };
    Some(plain)
}

/// Collapses spaces within lines and keeps at most one blank line between paragraphs.
fn tidy_spaces(s: &str) -> String {
    let lines: Vec<String> = s
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let mut out = String::new();
    let mut blank = 0;
    for line in lines {
        if line.is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(&line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_sentence_ends_at_a_sentence_end() {
        assert_eq!(first_sentence("Un. Deux."), "Un.");
        assert_eq!(first_sentence("Vue ! Puis"), "Vue !");
        assert_eq!(first_sentence(" Haut?\nBas"), "Haut?");
        assert_eq!(first_sentence("Ligne\nDeux. Trois"), "Ligne");
        assert_eq!(first_sentence(""), "");
        // Decimals, abbreviations without a space and addresses go on.
        assert_eq!(
            first_sentence("Une boucle de 10.5 km par www.seine-et-marne.fr. Ensuite"),
            "Une boucle de 10.5 km par www.seine-et-marne.fr."
        );
        assert_eq!(first_sentence("Fin à l'église…"), "Fin à l'église…");
        let long = first_sentence(&"é".repeat(500));
        assert_eq!(long.chars().count(), 200);
        assert!(long.ends_with('…'));
    }

    #[test]
    fn fold_removes_case_and_accents() {
        assert_eq!(fold("Église Saint-Étienne"), "eglise saint-etienne");
        assert_eq!(fold("Cœur de Forêt"), "coeur de foret");
        assert_eq!(fold("ÇA"), "ca");
    }

    #[test]
    fn slug_is_ascii_and_dashed() {
        assert_eq!(
            slug("Les remparts de Provins (6 km)"),
            "les-remparts-de-provins-6-km"
        );
        assert_eq!(slug("  --Moret__sur Loing "), "moret-sur-loing");
        assert_eq!(slug("!!!"), "");
    }

    #[test]
    fn plain_text_strips_hostile_html() {
        let s = plain_text(
            "<p>Vue sur <b>Provins</b></p><script>alert('x')</script><img src=x onerror=alert(1)>Fin",
        );
        assert_eq!(s, "Vue sur Provins\nFin");
        assert_eq!(
            plain_text("a &lt; b &amp;&amp; c &#233;t&eacute; &#x2019;"),
            "a < b && c été ’"
        );
        assert_eq!(plain_text("1 < 2 et 3 > 2"), "1 < 2 et 3 > 2");
        assert_eq!(
            plain_text("<STYLE>p{}</STYLE>  deux   espaces\n\n\n\nfin"),
            "deux espaces\n\nfin"
        );
        assert_eq!(plain_text("&unknown; &"), "&unknown; &");
        assert_eq!(
            plain_text(
                "pr&eacute;cisions&nbsp;: &Agrave; &bull; c&oelig;ur &ccedil;a &Eacute;T&Eacute;"
            ),
            "précisions : À • cœur ça ÉTÉ"
        );
    }
}
