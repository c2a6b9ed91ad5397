//! Basemaps a deployment names instead of a URL: the official and open maps of the
//! reference territory, each with the credit its owner asks for, where its usage terms
//! are, and whether those terms let Balade fetch its tiles ahead into offline packages.

/// One named basemap served by someone else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    pub name: &'static str,
    /// XYZ template (`{z}`, `{x}`, `{y}`), WMTS keys spelt out for IGN.
    pub template: &'static str,
    pub max_zoom: u8,
    pub attribution: &'static str,
    pub terms: &'static str,
    /// Whether its terms allow fetching tiles ahead for offline use. A provider whose
    /// terms forbid bulk prefetch is never put in packages, whatever the deployment says.
    pub prefetch: bool,
}

/// IGN's Géoplateforme serves its maps by WMTS in the Web Mercator matrix set (`PM`),
/// whose `TILEMATRIX`/`TILECOL`/`TILEROW` are XYZ's z/x/y. The data are under the
/// Licence Ouverte 2.0 and the service needs no key: fetching the tiles of a circuit
/// ahead, within the territory and the offline zooms, is the use it is open for.
const IGN_PLAN: Preset = Preset {
    name: "ign-plan",
    template: "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0\
               &LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&FORMAT=image/png\
               &TILEMATRIXSET=PM&TILEMATRIX={z}&TILECOL={x}&TILEROW={y}",
    max_zoom: 19,
    attribution: "© IGN – Plan IGN v2",
    terms: "https://geoservices.ign.fr/cgu-licences",
    prefetch: true,
};

const IGN_ORTHO: Preset = Preset {
    name: "ign-ortho",
    template: "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0\
               &LAYER=ORTHOIMAGERY.ORTHOPHOTOS&STYLE=normal&FORMAT=image/jpeg\
               &TILEMATRIXSET=PM&TILEMATRIX={z}&TILECOL={x}&TILEROW={y}",
    max_zoom: 19,
    attribution: "© IGN – BD ORTHO®",
    terms: "https://geoservices.ign.fr/cgu-licences",
    prefetch: true,
};

/// The OpenStreetMap Foundation's tile servers: their policy forbids bulk downloading
/// and prefetching tiles for offline use, so they only ever draw online maps.
const OSM: Preset = Preset {
    name: "osm",
    template: "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    max_zoom: 19,
    attribution: "© les contributeurs d'OpenStreetMap",
    terms: "https://operations.osmfoundation.org/policies/tiles/",
    prefetch: false,
};

/// Every preset; the first is the one advised for a deployment in France.
pub const PRESETS: [Preset; 3] = [IGN_PLAN, IGN_ORTHO, OSM];

/// The preset called `name`.
pub fn preset(name: &str) -> Option<Preset> {
    PRESETS.into_iter().find(|p| p.name == name)
}

/// The preset whose template is `template`, when a deployment spelt one out.
pub fn preset_of_template(template: &str) -> Option<Preset> {
    PRESETS.into_iter().find(|p| p.template == template)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_a_usable_template_with_its_credit_and_terms() {
        for p in PRESETS {
            for key in ["{z}", "{x}", "{y}"] {
                assert_eq!(p.template.matches(key).count(), 1, "{} {key}", p.name);
            }
            assert!(p.template.starts_with("https://"), "{}", p.name);
            assert!(!p.template.contains(' '), "{}", p.name);
            assert!(p.terms.starts_with("https://"), "{}", p.name);
            assert!(p.attribution.starts_with('©'), "{}", p.name);
            assert_eq!(preset(p.name), Some(p));
            assert_eq!(preset_of_template(p.template), Some(p));
        }
        assert_eq!(PRESETS[0].name, "ign-plan");
        assert!(PRESETS[0].template.contains("PLANIGNV2"));
        assert!(!preset("osm").is_some_and(|p| p.prefetch));
        assert!(preset("none").is_none());
    }
}
