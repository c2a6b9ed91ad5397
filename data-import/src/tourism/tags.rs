//! OSM tags to a place: the one mapping from tags to a [`PoiKind`], a name and the
//! practical fields, shared by the XML, PBF and Overpass readers.
//!
//! Kinds, from the most specific to the widest (the first that applies wins):
//!
//! 1. **Lodging**: `tourism=hotel|guest_house|chalet|camp_site|alpine_hut|hostel|motel|apartment`
//! 2. **Food**: `amenity=restaurant|cafe|bar|fast_food|pub|ice_cream`, `shop=bakery`
//! 3. **Viewpoint**: `tourism=viewpoint`
//! 4. **Heritage**: `historic=*`
//! 5. **Practical**: `amenity=fuel|atm|bank|pharmacy|toilets|drinking_water|parking|post_office|charging_station`,
//!    any other `shop=*`, `tourism=information`
//!
//! What a place is used for today (sleeping, eating, looking out) beats `historic=*`,
//! which says what a building was and covers anything from a castle to a boundary stone;
//! services and shops are the widest net, so they come last. A hotel in a castle is
//! Lodging, a ruined tower with a viewpoint is a Viewpoint.
//!
//! Objects with none of these tags are not places: they are skipped, not rejected.

use super::Place;
use balade_core::text::plain_text;
use balade_core::{LonLat, PoiKind};
use std::collections::BTreeMap;

const LODGING: &[&str] = &[
    "hotel",
    "guest_house",
    "chalet",
    "camp_site",
    "alpine_hut",
    "hostel",
    "motel",
    "apartment",
];
const FOOD: &[&str] = &["restaurant", "cafe", "bar", "fast_food", "pub", "ice_cream"];
const PRACTICAL: &[&str] = &[
    "fuel",
    "atm",
    "bank",
    "pharmacy",
    "toilets",
    "drinking_water",
    "parking",
    "post_office",
    "charging_station",
];

/// The first value of a tag (`cafe;bar` is read as `cafe`), blank values ignored.
fn value<'a>(tags: &'a BTreeMap<String, String>, key: &str) -> Option<&'a str> {
    tags.get(key)
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// The tag that makes an object a place, and the kind it gives (see the module docs for
/// the precedence).
pub fn classify(tags: &BTreeMap<String, String>) -> Option<(PoiKind, &'static str, &str)> {
    let tourism = value(tags, "tourism");
    let amenity = value(tags, "amenity");
    let shop = value(tags, "shop");
    let historic = value(tags, "historic");
    if let Some(t) = tourism.filter(|t| LODGING.contains(t)) {
        return Some((PoiKind::Lodging, "tourism", t));
    }
    if let Some(a) = amenity.filter(|a| FOOD.contains(a)) {
        return Some((PoiKind::Food, "amenity", a));
    }
    if let Some(s) = shop.filter(|s| *s == "bakery") {
        return Some((PoiKind::Food, "shop", s));
    }
    if let Some(t) = tourism.filter(|t| *t == "viewpoint") {
        return Some((PoiKind::Viewpoint, "tourism", t));
    }
    if let Some(h) = historic.filter(|h| *h != "no") {
        return Some((PoiKind::Heritage, "historic", h));
    }
    if let Some(a) = amenity.filter(|a| PRACTICAL.contains(a)) {
        return Some((PoiKind::Practical, "amenity", a));
    }
    if let Some(s) = shop.filter(|s| *s != "no") {
        return Some((PoiKind::Practical, "shop", s));
    }
    if let Some(t) = tourism.filter(|t| *t == "information") {
        return Some((PoiKind::Practical, "tourism", t));
    }
    None
}

/// The kind of an object, or `None` when it is not a place.
pub fn kind(tags: &BTreeMap<String, String>) -> Option<PoiKind> {
    classify(tags).map(|(kind, _, _)| kind)
}

/// Short labels (French, English) for an unnamed place, from the tag that classified it.
pub fn label(key: &str, value: &str) -> (&'static str, &'static str) {
    match (key, value) {
        ("tourism", "hotel") => ("Hôtel", "Hotel"),
        ("tourism", "guest_house") => ("Chambre d'hôtes", "Guest house"),
        ("tourism", "chalet") => ("Chalet", "Chalet"),
        ("tourism", "camp_site") => ("Camping", "Campsite"),
        ("tourism", "alpine_hut") => ("Refuge", "Mountain hut"),
        ("tourism", "hostel") => ("Auberge de jeunesse", "Hostel"),
        ("tourism", "motel") => ("Motel", "Motel"),
        ("tourism", "apartment") => ("Meublé de tourisme", "Holiday apartment"),
        ("tourism", "viewpoint") => ("Point de vue", "Viewpoint"),
        ("tourism", "information") => ("Information touristique", "Tourist information"),
        ("amenity", "restaurant") => ("Restaurant", "Restaurant"),
        ("amenity", "cafe") => ("Café", "Café"),
        ("amenity", "bar") => ("Bar", "Bar"),
        ("amenity", "fast_food") => ("Restauration rapide", "Fast food"),
        ("amenity", "pub") => ("Pub", "Pub"),
        ("amenity", "ice_cream") => ("Glacier", "Ice cream"),
        ("amenity", "fuel") => ("Station-service", "Fuel station"),
        ("amenity", "atm") => ("Distributeur de billets", "Cash machine"),
        ("amenity", "bank") => ("Banque", "Bank"),
        ("amenity", "pharmacy") => ("Pharmacie", "Pharmacy"),
        ("amenity", "toilets") => ("Toilettes", "Toilets"),
        ("amenity", "drinking_water") => ("Point d'eau potable", "Drinking water"),
        ("amenity", "parking") => ("Parking", "Car park"),
        ("amenity", "post_office") => ("Bureau de poste", "Post office"),
        ("amenity", "charging_station") => ("Borne de recharge", "Charging station"),
        ("shop", "bakery") => ("Boulangerie", "Bakery"),
        ("shop", "supermarket") => ("Supermarché", "Supermarket"),
        ("shop", "convenience") => ("Épicerie", "Grocery"),
        ("shop", "butcher") => ("Boucherie", "Butcher"),
        ("shop", _) => ("Commerce", "Shop"),
        ("historic", "castle") => ("Château", "Castle"),
        ("historic", "ruins") => ("Ruines", "Ruins"),
        ("historic", "memorial") => ("Mémorial", "Memorial"),
        ("historic", "monument") => ("Monument", "Monument"),
        ("historic", "wayside_cross") => ("Croix", "Wayside cross"),
        ("historic", "wayside_shrine") => ("Oratoire", "Wayside shrine"),
        ("historic", "archaeological_site") => ("Site archéologique", "Archaeological site"),
        ("historic", "church" | "chapel") => ("Chapelle", "Chapel"),
        ("historic", _) => ("Site historique", "Historic site"),
        _ => ("Lieu", "Place"),
    }
}

/// A place from an OSM object's tags, or `None` when the tags make it no place.
pub fn place(key: &str, tags: &BTreeMap<String, String>, pos: LonLat) -> Option<Place> {
    let (kind, tag, val) = classify(tags)?;
    let text = |k: &str| tags.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let first = |keys: &[&str]| keys.iter().find_map(|k| text(k)).map(str::to_owned);
    let name = first(&["name", "name:fr"])
        .map(|n| plain_text(&n))
        .filter(|n| !n.is_empty());
    let (label_fr, label_en) = label(tag, val);
    // An unnamed place is named by its labels in both languages; a named one is
    // translated only when the tags say how.
    let name_en = first(&["name:en"]).or_else(|| name.is_none().then(|| label_en.to_owned()));
    Some(Place {
        key: key.to_owned(),
        kind,
        name: name.unwrap_or_else(|| label_fr.to_owned()),
        description: text("description").map(plain_text).unwrap_or_default(),
        pos,
        opening_hours: first(&["opening_hours"]),
        phone: first(&["phone", "contact:phone"]),
        website: first(&["website", "contact:website"]),
        wheelchair: first(&["wheelchair"]),
        commune: first(&["addr:city"]),
        provenance: tags.clone(),
        translations: super::english(name_en, first(&["description:en"])),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn at() -> LonLat {
        LonLat::new(2.7, 48.4).unwrap()
    }

    #[test]
    fn kinds_follow_the_documented_precedence() {
        type Case<'a> = (&'a [(&'a str, &'a str)], Option<PoiKind>);
        let cases: &[Case] = &[
            (
                &[("tourism", "hotel"), ("historic", "castle")],
                Some(PoiKind::Lodging),
            ),
            (
                &[("amenity", "restaurant"), ("tourism", "hotel")],
                Some(PoiKind::Lodging),
            ),
            (
                &[("amenity", "cafe"), ("historic", "building")],
                Some(PoiKind::Food),
            ),
            (&[("shop", "bakery")], Some(PoiKind::Food)),
            (&[("shop", "butcher")], Some(PoiKind::Practical)),
            (
                &[("historic", "ruins"), ("tourism", "viewpoint")],
                Some(PoiKind::Viewpoint),
            ),
            (
                &[("historic", "memorial"), ("amenity", "parking")],
                Some(PoiKind::Heritage),
            ),
            (
                &[("tourism", "information"), ("amenity", "toilets")],
                Some(PoiKind::Practical),
            ),
            (&[("amenity", "cafe;bar")], Some(PoiKind::Food)),
            (&[("amenity", "bench")], None),
            (&[("tourism", "artwork"), ("building", "yes")], None),
            (&[("historic", "no")], None),
            (&[("historic", "")], None),
        ];
        for (t, expected) in cases {
            assert_eq!(kind(&tags(t)), *expected, "{t:?}");
        }
    }

    #[test]
    fn an_unnamed_atm_gets_a_label_in_each_language() {
        let p = place("osm:node/1", &tags(&[("amenity", "atm")]), at()).unwrap();
        assert_eq!(
            (p.name.as_str(), p.kind),
            ("Distributeur de billets", PoiKind::Practical)
        );
        assert_eq!(p.translations["en"].name.as_deref(), Some("Cash machine"));
        let p = place(
            "osm:node/2",
            &tags(&[("amenity", "drinking_water"), ("name", " ")]),
            at(),
        )
        .unwrap();
        assert_eq!(p.name, "Point d'eau potable");
        let p = place("osm:node/3", &tags(&[("historic", "boundary_stone")]), at()).unwrap();
        assert_eq!(p.name, "Site historique");
    }

    #[test]
    fn practical_fields_and_their_fallbacks() {
        let t = tags(&[
            ("tourism", "hotel"),
            ("name:fr", "Hôtel du Loing"),
            ("contact:phone", "+33 1 60 00 00 00"),
            ("website", "https://example.org"),
            ("contact:website", "https://ignored.example.org"),
            ("opening_hours", "Mo-Su 08:00-20:00"),
            ("wheelchair", "limited"),
            ("addr:city", "Moret-Loing-et-Orvanne"),
            ("description", "Au <b>bord</b> du Loing"),
            ("name:en", "Loing <i>Hotel</i>"),
        ]);
        let p = place("osm:way/45", &t, at()).unwrap();
        assert_eq!(p.name, "Hôtel du Loing");
        assert_eq!(p.phone.as_deref(), Some("+33 1 60 00 00 00"));
        assert_eq!(p.website.as_deref(), Some("https://example.org"));
        assert_eq!(p.opening_hours.as_deref(), Some("Mo-Su 08:00-20:00"));
        assert_eq!(p.wheelchair.as_deref(), Some("limited"));
        assert_eq!(p.commune.as_deref(), Some("Moret-Loing-et-Orvanne"));
        assert_eq!(p.description, "Au bord du Loing");
        let en = &p.translations["en"];
        assert_eq!(
            (en.name.as_deref(), en.description.as_deref()),
            (Some("Loing Hotel"), None)
        );
        assert_eq!(p.provenance.len(), 10);
        let named = tags(&[("tourism", "hotel"), ("name", "A"), ("name:fr", "B")]);
        assert_eq!(place("k", &named, at()).unwrap().name, "A");
    }
}
