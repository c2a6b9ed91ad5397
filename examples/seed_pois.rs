//! Fills a database with synthetic POIs over Seine-et-Marne, for load tests:
//! `cargo run --release --example seed_pois -- DB_URL COUNT`.

use balade_core::store::{self, testing};
use std::time::Instant;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(count)) = (args.next(), args.next()) else {
        return Err("usage: seed_pois DB_URL COUNT".into());
    };
    let count: usize = count.parse()?;
    let store = store::open(&url).await?;
    let started = Instant::now();
    let pois = testing::synthetic_pois(count, 77);
    let mut tx = store.begin_import().await?;
    let (inserted, updated) = tx.upsert_pois(&pois).await?;
    tx.commit().await?;
    testing::analyze(&url).await?;
    println!(
        "{inserted} inserted, {updated} updated in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
