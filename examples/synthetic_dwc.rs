//! Writes a synthetic Darwin Core occurrence table for import benchmarks:
//! `cargo run --release --example synthetic_dwc -- ROWS OUT.csv [FIRST]`. Observations
//! of 500 taxa spread over Seine-et-Marne, one row in fifty without a date, their ids
//! numbered from FIRST (0): a later file with another FIRST adds new observations.
use std::io::Write;

fn main() {
    let mut args = std::env::args().skip(1);
    let rows: u64 = args.next().and_then(|a| a.parse().ok()).expect("ROWS");
    let out = args.next().expect("OUT.csv");
    let first: u64 = args.next().map_or(0, |a| a.parse().expect("FIRST"));
    let mut w = std::io::BufWriter::new(std::fs::File::create(out).expect("create"));
    writeln!(
        w,
        "occurrenceID\tscientificName\tvernacularName\ttaxonRank\tkingdom\tclass\tfamily\ttaxonID\teventDate\tdecimalLatitude\tdecimalLongitude\tcoordinateUncertaintyInMeters\tindividualCount\tbasisOfRecord"
    )
    .expect("write");
    let mut rng = balade_core::store::testing::Lcg::new(0x2545_f491_4f6c_dd1d);
    let mut next = move |n: u64| (rng.next_f64() * n as f64) as u64;
    for i in 0..rows {
        let taxon = next(500);
        let date = if i % 50 == 0 {
            String::new()
        } else {
            format!(
                "{}-{:02}-{:02}",
                2000 + next(25),
                1 + next(12),
                1 + next(28)
            )
        };
        writeln!(
            w,
            "synth-{}\tSpecies number{taxon}\tEspèce {taxon}\tspecies\t{}\t{}\tFamily{}\t{}\t{date}\t{:.6}\t{:.6}\t{}\t{}\tHumanObservation",
            first + i,
            if taxon % 3 == 0 { "Plantae" } else { "Animalia" },
            if taxon % 3 == 0 { "Magnoliopsida" } else { "Aves" },
            taxon / 10,
            100_000 + taxon,
            48.12 + next(100_000) as f64 * 1e-5,
            2.39 + next(117_000) as f64 * 1e-5,
            10 + next(100),
            1 + next(5),
        )
        .expect("write");
    }
}
