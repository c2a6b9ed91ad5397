//! The `balade` command line: parses arguments and calls the crates. Nothing else.
#![forbid(unsafe_code)]

use balade_core::store::{self, OpenOptions, Store};
use balade_core::{CircuitId, MediaKind, MediaOwner, PoiId};
use balade_import::heritage::HeritageOptions;
use balade_import::media::{AttachError, Credits, MediaSource};
use balade_import::{Deletion, ImportOptions, Source};
use balade_server::ServerConfig;
use balade_server::web_app::WebApp;
use clap::{Args, Parser, Subcommand};
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

mod demo;
mod privacy;
mod terminal;
mod users;

/// Balade: heritage and nature walks of a territory. Import its data, plan a walk on
/// the web, be guided on the trail, offline.
#[derive(Debug, Parser)]
#[command(name = "balade", version, propagate_version = true)]
struct Cli {
    /// Database URL: `sqlite://PATH` (embedded, created if missing) or `postgres://…`.
    #[arg(
        long,
        global = true,
        env = "BALADE_DB",
        default_value = "sqlite://balade.db",
        hide_env_values = true
    )]
    db: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the API and the web app.
    Serve(ServeArgs),
    /// Import data files into the database (idempotent: re-importing updates).
    #[command(subcommand)]
    Import(ImportCommand),
    /// Database operations: migrations, copies between backends.
    #[command(subcommand)]
    Db(DbCommand),
    /// Photos, videos and audio of circuits and POIs.
    #[command(subcommand)]
    Media(MediaCommand),
    /// Staff accounts of the back-office.
    #[command(subcommand)]
    User(users::UserCommand),
    /// Personal data of contributors: erase on request, purge after retention.
    #[command(subcommand)]
    Privacy(privacy::PrivacyCommand),
    /// Basemaps drawn under the maps.
    #[command(subcommand)]
    Basemap(BasemapCommand),
    /// Write the whole published catalogue as open data: circuits and their POIs, and
    /// the POIs of no circuit, in WGS84 lon/lat (`schema-randonnee`: the circuits alone,
    /// as the national hiking-trail schema's itineraries).
    Export {
        /// `geojson`, `gpx`, `csv` or `schema-randonnee`.
        format: balade_app::export::ExportFormat,
        /// The file to write (replaced if it exists).
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum MediaCommand {
    /// Attach a photo (decoded under limits, turned upright, stripped of its metadata,
    /// stored as JPEG 320, 800 and 1600 px wide) or a link to a video or an audio file
    /// to a circuit or a POI. Attaching the same photo again updates its texts.
    #[command(group(clap::ArgGroup::new("owner").required(true).args(["circuit", "poi"])))]
    #[command(group(clap::ArgGroup::new("source").required(true).args(["photo", "video", "audio"])))]
    Add {
        /// The circuit the media illustrates.
        #[arg(long)]
        circuit: Option<String>,
        /// The POI the media illustrates.
        #[arg(long)]
        poi: Option<String>,
        /// A photo file: JPEG, PNG or WebP.
        photo: Option<PathBuf>,
        /// A link to a video.
        #[arg(long)]
        video: Option<String>,
        /// A link to an audio file.
        #[arg(long)]
        audio: Option<String>,
        /// What the photo shows, for screen readers (required for photos).
        #[arg(long)]
        alt: Option<String>,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        author: Option<String>,
        /// e.g. CC-BY-4.0.
        #[arg(long)]
        license: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum BasemapCommand {
    /// Write a vector basemap of the territory from the database's own data (commune
    /// limits and names, circuit paths) as a PMTiles file in the Protomaps basemap
    /// schema, for `serve --basemap FILE`.
    Build {
        /// The `.pmtiles` file to write (replaced if it exists).
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum DbCommand {
    /// Apply pending migrations to the database of --db, then exit.
    Migrate,
    /// Copy every circuit and POI from one database to another (e.g. SQLite to PostGIS),
    /// in one transaction, then check both hold the same: counts and checksums.
    Copy {
        /// Source database URL.
        #[arg(long)]
        from: String,
        /// Target database URL (created and migrated as needed).
        #[arg(long)]
        to: String,
    },
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (printed at start).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Load the demo circuits first if the database is empty (the demo built into the
    /// binary, or --fixtures).
    #[arg(long)]
    demo: bool,
    /// A folder of demo data to load instead of the one built into the binary.
    #[arg(long, env = "BALADE_FIXTURES")]
    fixtures: Option<PathBuf>,
    /// A folder of the built web app to serve instead of the one built into the binary
    /// (development).
    #[arg(long, env = "BALADE_PWA_DIR")]
    pwa_dir: Option<PathBuf>,
    /// Basemap tiles: a preset (`ign-plan`, the Plan IGN v2 advised in France;
    /// `ign-ortho`; `osm`, never put in offline packages), a .pmtiles or .mbtiles file
    /// (raster or vector), an upstream `https://…/{z}/{x}/{y}.png` template fetched once
    /// and cached on disk, or `none`. With --demo and no basemap, a vector basemap of
    /// the demo territory is built from its data.
    #[arg(long, env = "BALADE_BASEMAP")]
    basemap: Option<String>,
    /// The credit shown on maps for the basemap, e.g. "© OpenStreetMap contributors".
    #[arg(long, env = "BALADE_BASEMAP_ATTRIBUTION")]
    basemap_attribution: Option<String>,
    /// Where tiles fetched from an upstream basemap are kept.
    #[arg(long, env = "BALADE_TILE_CACHE", default_value = "tile-cache")]
    tile_cache: PathBuf,
    /// The licence of the open data served at /api/v1/exports, by name and URL.
    #[arg(
        long,
        env = "BALADE_DATA_LICENCE",
        default_value = "Licence Ouverte / Open Licence 2.0 (Etalab)"
    )]
    data_licence: String,
    #[arg(
        long,
        env = "BALADE_DATA_LICENCE_URL",
        default_value = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    )]
    data_licence_url: String,
    /// Where files uploaded for import jobs are kept (shared by every server of one
    /// database, or use sticky sessions: a job is committed from its file).
    #[arg(long, env = "BALADE_JOBS_DIR", default_value = "import-jobs")]
    jobs_dir: PathBuf,
    /// The largest file an import job takes, in MB.
    #[arg(long, default_value_t = 512)]
    max_upload_mb: u64,
    /// The most the tile cache may hold, in MiB; the tiles fetched longest ago go first.
    #[arg(long, env = "BALADE_TILE_CACHE_MB", default_value_t = 1024)]
    tile_cache_mb: u64,
    /// Requests come through a reverse proxy: the client is the last address of
    /// X-Forwarded-For (rate limits), the scheme X-Forwarded-Proto.
    #[arg(long, env = "BALADE_BEHIND_PROXY")]
    behind_proxy: bool,
    /// Connections served at once; beyond, a new one gets 503.
    #[arg(long, default_value_t = balade_server::limits::Limits::default().max_connections)]
    max_connections: usize,
    /// Requests handled at once; beyond, 503.
    #[arg(long, default_value_t = balade_server::limits::Limits::default().max_in_flight)]
    max_in_flight: usize,
    /// Seconds a client may take to send its request headers, or stay idle between two
    /// requests.
    #[arg(long, default_value_t = 10)]
    header_timeout: u64,
    /// Zooms of the basemap tiles put in offline packages, as `MIN-MAX`.
    #[arg(long, default_value = "12-16", value_parser = parse_zooms)]
    offline_zooms: std::ops::RangeInclusive<u8>,
    /// How far from the trace a kind of POI counts as along a circuit, as KIND=METRES
    /// (repeatable, e.g. `--corridor food=400`); 150 m for every kind otherwise.
    #[arg(long = "corridor", value_name = "KIND=METRES")]
    corridors: Vec<balade_core::corridor::CorridorSetting>,
    /// Do not apply migrations at start: for servers reading a read-only replica
    /// (run `balade db migrate` against the primary instead).
    #[arg(long, env = "BALADE_NO_MIGRATE")]
    no_migrate: bool,
    /// Days the e-mail address a walker leaves with a report is kept; erased after
    /// (checked at start and every hour).
    #[arg(long, env = "BALADE_RETENTION_DAYS", default_value_t = 365)]
    retention_days: u32,
    /// The command that sends e-mail, run through `sh -c` with the message (headers
    /// with `To:`, then the text) on its standard input, e.g. `/usr/sbin/sendmail -t`:
    /// walkers who left an address are told when their report is resolved or rejected.
    #[arg(long, env = "BALADE_MAIL_COMMAND")]
    mail_command: Option<String>,
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// Circuits from GPX 1.0/1.1 files or folders of them; waypoints become their POIs.
    ///
    /// Each file is one circuit, keyed by its file name. A file with an error is not
    /// imported at all unless --partial is given, in which case only its bad waypoints
    /// are left out. Ends with `imported N, updated M, rejected K`; exit code 2 when
    /// anything was rejected.
    Gpx {
        /// GPX files or folders (searched recursively for *.gpx).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        flags: ImportFlags,
    },
    /// Whole circuits from the national hiking-trail schema (schema_randonnee GeoJSON).
    ///
    /// Keyed by producer and `id_local`: re-importing an export updates its circuits.
    /// Given figures (duration, difficulty, type, practice, elevation) win; the rest is
    /// computed from the trace.
    ///
    /// The photos a circuit names by URL (Geotrek `attachments`, schema_randonnee
    /// `medias`, APIDAE `illustrations`) are fetched and attached with their credits,
    /// once: a photo already attached is not fetched again (see --no-photos).
    Circuits {
        /// GeoJSON files or folders (searched recursively for *.geojson and *.json).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        flags: ImportFlags,
        #[command(flatten)]
        photos: PhotoFlags,
    },
    /// Landscape units (Atlas des Paysages) from GeoJSON Polygon/MultiPolygon features.
    ///
    /// Names come from `name`/`nom`, texts from `description`/`texte`, keys from
    /// `id`/`code` (else the feature id, else the name). Coordinates in WGS84 lon/lat.
    Landscapes {
        /// GeoJSON files or folders (searched recursively for *.geojson and *.json).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        flags: ImportFlags,
    },
    /// Commune boundaries (GeoJSON Polygon/MultiPolygon), with their intercommunality.
    ///
    /// Codes from `code`/`insee`/`INSEE_COM`, names from `nom`/`NOM`, the
    /// intercommunality from `epci`/`NOM_EPCI` (else `SIREN_EPCI`/`codeEpci`). WGS84, or
    /// the projection a `crs` member names (Lambert 93…). Every circuit's communes and
    /// intercommunalities are then computed from its trace.
    Communes {
        /// GeoJSON files or folders (searched recursively for *.geojson and *.json).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        flags: ImportFlags,
    },
    /// Heritage inventory notices (Ariane / Mérimée / POP exports) as heritage POIs.
    ///
    /// Reads delimited text with a header of field codes (REF, TICO, DENO, COM, INSEE,
    /// ZONE, COOR, SCLE, HIST, PROT…; `|`, `;`, `,` or tab), POP JSON notices and GeoJSON
    /// exports (including the old `chp*` names). Coordinates in Lambert 93, CC zones,
    /// NTF Lambert zones or WGS84 are reprojected; a mislabelled system is recognised by
    /// the values. Notices without usable coordinates are imported without position
    /// (searchable, not on the map) and counted. Keys come from REF. Each file is
    /// streamed in one transaction, refused whole on any bad notice unless --partial.
    Ariane {
        /// Files or folders (searched recursively for *.csv, *.txt, *.tsv, *.json,
        /// *.geojson).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        flags: ImportFlags,
        /// Field separator of delimited files (detected from the header by default).
        #[arg(long, value_parser = parse_delimiter)]
        delimiter: Option<u8>,
        /// Text encoding: utf-8, windows-1252, iso-8859-1… (detected by default).
        #[arg(long, value_parser = parse_encoding)]
        encoding: Option<&'static encoding_rs::Encoding>,
    },
    /// Species observations: Darwin Core archives (zip, tgz or a folder with meta.xml)
    /// and occurrence tables (CSV/TSV with a header of Darwin Core terms).
    ///
    /// Observations are stored precisely; everything public (species around a place,
    /// along a circuit, in offline packages) is aggregated in 1 km Lambert 93 cells, and
    /// in 10 km cells for taxa of level 2 in the sensitivity list. Keys come from
    /// occurrenceID. Each file is streamed in one transaction, refused whole on any bad
    /// row unless --partial.
    Biodiversity {
        /// Archives, tables or folders (searched recursively for *.zip, *.tgz, *.csv,
        /// *.tsv, *.txt; a folder holding meta.xml is one archive).
        #[arg(required_unless_present = "sensitive")]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        flags: ImportFlags,
        /// Sensitivity list replacing the stored one: CSV with a taxon column (taxonID
        /// or scientificName) and a level column (0 none, 1 sensitive, 2 strict).
        #[arg(long)]
        sensitive: Option<PathBuf>,
    },
    /// Tourism and practical places: OSM XML or PBF extracts, Overpass JSON, APIDAE or
    /// DataTourisme JSON.
    ///
    /// OSM nodes and ways (placed at their centroid) whose tags name a lodging, food, a
    /// service, a viewpoint or a historic site become POIs with their opening hours,
    /// phone, website and wheelchair access; other objects are skipped. Keys come from
    /// the source (`osm:node/123`, `apidae:98765`). Each file is streamed in one
    /// transaction, refused whole on any bad element unless --partial.
    ///
    /// The photos an APIDAE or DataTourisme object names by URL are fetched and
    /// attached with their credits, once (see --no-photos).
    Tourism {
        /// Files or folders (searched recursively for *.osm, *.pbf, *.xml, *.json).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        flags: ImportFlags,
        #[command(flatten)]
        photos: PhotoFlags,
    },
}

/// What every import takes besides its files.
#[derive(Debug, Args)]
struct ImportFlags {
    /// Write the good records of a file that has bad ones (the bad ones are reported).
    #[arg(long)]
    partial: bool,
    /// Plan only: print what would be created, updated, left unchanged, deleted and
    /// rejected, and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// With the plan, print each changed record and its fields, before → after.
    #[arg(long)]
    diff: bool,
    /// Also delete the records of the source that vanished from it (the plan lists them
    /// first; without this flag they are kept).
    #[arg(long)]
    delete_missing: bool,
}

/// Photos the records name by URL.
#[derive(Debug, Args)]
struct PhotoFlags {
    /// Fetch no photo. Otherwise each photo a record names is fetched once (http or
    /// https, 30 s, 20 MiB, 5 redirects, 10 per record, checked by decoding it) and
    /// attached with its credits; a failed one is a warning, never a failed import.
    /// Dry runs fetch nothing.
    #[arg(long)]
    no_photos: bool,
}

impl PhotoFlags {
    fn fetcher(&self) -> Result<Option<balade_import::remote_photos::Fetcher>, String> {
        if self.no_photos {
            return Ok(None);
        }
        balade_import::remote_photos::Fetcher::new(Default::default())
            .map(Some)
            .map_err(|e| e.to_string())
    }
}

fn parse_delimiter(text: &str) -> Result<u8, String> {
    match text {
        "\\t" | "tab" | "\t" => Ok(b'\t'),
        t if t.len() == 1 && t.is_ascii() => Ok(t.as_bytes()[0]),
        _ => Err("one ASCII character, or `tab`".into()),
    }
}

fn parse_encoding(text: &str) -> Result<&'static encoding_rs::Encoding, String> {
    encoding_rs::Encoding::for_label(text.as_bytes())
        .ok_or_else(|| format!("unknown encoding `{text}` (e.g. utf-8, windows-1252, iso-8859-1)"))
}

/// `MIN-MAX` zooms, within the Web Mercator grid Balade serves.
fn parse_zooms(text: &str) -> Result<std::ops::RangeInclusive<u8>, String> {
    let (a, b) = text.split_once('-').ok_or("expected MIN-MAX, e.g. 12-16")?;
    let (a, b): (u8, u8) = (
        a.trim().parse().map_err(|_| "MIN is not a zoom")?,
        b.trim().parse().map_err(|_| "MAX is not a zoom")?,
    );
    if a > b || b > balade_app::basemap::MAX_ZOOM {
        return Err(format!(
            "zooms must satisfy MIN ≤ MAX ≤ {}",
            balade_app::basemap::MAX_ZOOM
        ));
    }
    Ok(a..=b)
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,balade=info,balade_server=info".into()),
        )
        .init();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(message) => {
            eprintln!("balade: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode, String> {
    if let Command::Db(DbCommand::Copy { from, to }) = &cli.command {
        return copy(from, to).await;
    }
    let migrate = !matches!(&cli.command, Command::Serve(args) if args.no_migrate);
    let store = store::open_with(&cli.db, OpenOptions { migrate })
        .await
        .map_err(|e| e.to_string())?;
    match cli.command {
        Command::Db(DbCommand::Migrate) => {
            println!(
                "{} database {}: migrations applied",
                store.backend(),
                store::redact(&cli.db)
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Db(DbCommand::Copy { .. }) => unreachable!("handled above"),
        Command::User(command) => users::run(store.as_ref(), command).await,
        Command::Privacy(command) => privacy::run(store.as_ref(), command).await,
        Command::Basemap(BasemapCommand::Build { out }) => {
            let built = balade_app::basemap::territory::build(store.as_ref(), &out)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "{}: {} vector tiles, {} bytes, zooms {}-{}",
                out.display(),
                built.tiles,
                built.bytes,
                balade_app::basemap::territory::ZOOMS.start(),
                balade_app::basemap::territory::ZOOMS.end()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Media(MediaCommand::Add {
            circuit,
            poi,
            photo,
            video,
            audio,
            alt,
            title,
            author,
            license,
        }) => {
            let owner = match (circuit, poi) {
                (Some(c), _) => MediaOwner::Circuit(CircuitId::new(c).map_err(|e| e.to_string())?),
                (None, Some(p)) => MediaOwner::Poi(PoiId::new(p).map_err(|e| e.to_string())?),
                (None, None) => return Err("give --circuit or --poi".into()),
            };
            let source = match (photo, video, audio) {
                (Some(path), _, _) => MediaSource::Photo(path),
                (None, Some(url), _) => MediaSource::Link(MediaKind::Video, url),
                (None, None, Some(url)) => MediaSource::Link(MediaKind::Audio, url),
                (None, None, None) => return Err("give a photo file, --video or --audio".into()),
            };
            let credits = Credits {
                title,
                author,
                license,
                alt,
            };
            match balade_import::media::attach(store.as_ref(), owner, &source, credits).await {
                Ok(m) => {
                    let sizes: Vec<String> = m
                        .files
                        .iter()
                        .map(|(w, b)| format!("{w} px ({} KB)", b.div_ceil(1024)))
                        .collect();
                    println!(
                        "{} {} attached to {} `{}`{}",
                        m.kind,
                        m.id,
                        m.owner.kind(),
                        m.owner.id(),
                        if sizes.is_empty() {
                            String::new()
                        } else {
                            format!(": {}", sizes.join(", "))
                        }
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(AttachError::Store(e)) => match e {
                    balade_core::store::StoreError::Conflict(reason) => {
                        eprintln!("refused: {reason}");
                        Ok(ExitCode::from(2))
                    }
                    other => Err(other.to_string()),
                },
                Err(e) => {
                    eprintln!("refused: {e}");
                    Ok(ExitCode::from(2))
                }
            }
        }
        Command::Export { format, out } => {
            let (bytes, exported) = balade_app::export::export(store.as_ref(), format)
                .await
                .map_err(|e| e.to_string())?;
            // Written aside then renamed: a failed export never leaves half a file.
            let aside = out.with_extension("partial");
            std::fs::write(&aside, &bytes)
                .and_then(|()| std::fs::rename(&aside, &out))
                .map_err(|e| {
                    let _ = std::fs::remove_file(&aside);
                    format!("cannot write {}: {e}", out.display())
                })?;
            println!(
                "{}: {} circuits, {} POIs",
                out.display(),
                exported.circuits,
                exported.pois
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve(args) => {
            if args.demo {
                demo::load(store.as_ref(), args.fixtures.as_deref()).await?;
            }
            let demo_basemap = (args.demo && args.basemap.is_none()).then(|| {
                std::env::temp_dir().join(format!(
                    "balade-demo-basemap-{}.pmtiles",
                    std::process::id()
                ))
            });
            // A demo whose data draws nothing (no commune, no circuit) runs without.
            let demo_basemap = match demo_basemap {
                Some(path) => {
                    match balade_app::basemap::territory::build(store.as_ref(), &path).await {
                        Ok(_) => Some(path),
                        Err(e) => {
                            tracing::warn!(error = %e, "no demo basemap");
                            None
                        }
                    }
                }
                None => None,
            };
            let basemap = match (args.basemap, &demo_basemap) {
                (Some(spec), _) if spec == "none" => None,
                (Some(spec), _) => Some(spec),
                (None, Some(path)) => Some(path.display().to_string()),
                (None, None) => {
                    tracing::info!("no --basemap: `--basemap ign-plan` draws the Plan IGN v2");
                    None
                }
            };
            let limits = balade_server::limits::Limits {
                max_connections: open_files_allow(args.max_connections),
                max_in_flight: args.max_in_flight,
                header_read: std::time::Duration::from_secs(args.header_timeout.max(1)),
                ..Default::default()
            };
            let config = ServerConfig {
                addr: args.addr,
                web_app: args.pwa_dir.map_or(WebApp::Embedded, WebApp::Folder),
                tile_cache_bytes: args.tile_cache_mb.saturating_mul(1 << 20),
                limits,
                behind_proxy: args.behind_proxy,
                retention_days: args.retention_days,
                jobs: balade_server::state::JobsConfig {
                    dir: args.jobs_dir,
                    max_upload_bytes: args.max_upload_mb.saturating_mul(1 << 20),
                },
                // The demo's basemap is made only when none is given.
                basemap_is_scratch: demo_basemap.is_some(),
                basemap,
                basemap_attribution: args.basemap_attribution,
                tile_cache: args.tile_cache,
                settings: balade_app::Settings {
                    licence: balade_app::export::Licence {
                        name: args.data_licence,
                        url: args.data_licence_url,
                    },
                    offline_zooms: args.offline_zooms,
                    mail_command: args.mail_command,
                    corridors: args
                        .corridors
                        .iter()
                        .fold(balade_core::corridor::Corridors::default(), |c, s| {
                            c.with(s.0, s.1)
                        }),
                },
            };
            let served = balade_server::serve(store, config).await;
            // Already gone once the server opened it; this covers a start that failed.
            if let Some(path) = demo_basemap {
                let _ = std::fs::remove_file(path);
            }
            served.map_err(|e| e.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(ImportCommand::Circuits {
            paths,
            flags,
            photos,
        }) => {
            let fetcher = photos.fetcher()?;
            import(store.as_ref(), paths, flags, Source::Circuits, fetcher).await
        }
        Command::Import(ImportCommand::Landscapes { paths, flags }) => {
            import(store.as_ref(), paths, flags, Source::Landscapes, None).await
        }
        Command::Import(ImportCommand::Communes { paths, flags }) => {
            import(store.as_ref(), paths, flags, Source::Communes, None).await
        }
        Command::Import(ImportCommand::Gpx { paths, flags }) => {
            import(store.as_ref(), paths, flags, Source::Gpx, None).await
        }
        Command::Import(ImportCommand::Biodiversity {
            paths,
            flags,
            sensitive,
        }) => {
            import(
                store.as_ref(),
                paths,
                flags,
                Source::Biodiversity { sensitive },
                None,
            )
            .await
        }
        Command::Import(ImportCommand::Tourism {
            paths,
            flags,
            photos,
        }) => {
            let fetcher = photos.fetcher()?;
            import(store.as_ref(), paths, flags, Source::Tourism, fetcher).await
        }
        Command::Import(ImportCommand::Ariane {
            paths,
            flags,
            delimiter,
            encoding,
        }) => {
            let heritage = HeritageOptions {
                delimiter,
                encoding,
            };
            import(
                store.as_ref(),
                paths,
                flags,
                Source::Heritage(heritage),
                None,
            )
            .await
        }
    }
}

async fn copy(from: &str, to: &str) -> Result<ExitCode, String> {
    let source = store::open(from)
        .await
        .map_err(|e| format!("{}: {e}", store::redact(from)))?;
    let target = store::open(to)
        .await
        .map_err(|e| format!("{}: {e}", store::redact(to)))?;
    let copied = store::copy::copy(source.as_ref(), target.as_ref())
        .await
        .map_err(|e| e.to_string())?;
    let landed = store::copy::fingerprint(target.as_ref())
        .await
        .map_err(|e| e.to_string())?;
    println!("source: {copied}");
    println!("target: {landed}");
    if landed == copied {
        println!("copy verified");
        Ok(ExitCode::SUCCESS)
    } else {
        Err("the target differs from the source (it held other records before the copy?)".into())
    }
}

async fn import(
    store: &dyn Store,
    paths: Vec<PathBuf>,
    flags: ImportFlags,
    source: Source,
    photos: Option<balade_import::remote_photos::Fetcher>,
) -> Result<ExitCode, String> {
    let actor = match std::env::var("USER") {
        Ok(user) if !user.is_empty() => format!("command line ({user})"),
        _ => "command line".to_owned(),
    };
    let options = ImportOptions {
        partial: flags.partial,
        dry_run: flags.dry_run,
        delete: if flags.delete_missing {
            Deletion::Missing
        } else {
            Deletion::None
        },
        exclude: Default::default(),
        // Circuits and POIs written from the command line are in their audit logs too.
        audit: Some(actor.clone()),
        photos,
    };
    let mut terminal = terminal::Terminal::new(std::io::stderr().is_terminal(), flags.diff);
    let run = balade_import::import(store, &source, &paths, &options, &mut terminal).await;
    terminal.finish();
    let report = run.map_err(|e| e.to_string())?;
    if !flags.dry_run {
        // The back-office's history shows command-line imports beside its own jobs.
        let kept = balade_app::jobs::record_command_line_run(
            store,
            source.name(),
            &paths,
            &actor,
            &report,
        )
        .await;
        if let Err(e) = kept {
            eprintln!("warning: the import is not in the jobs' history: {e}");
        }
    }
    // Each photo warning was told as it happened (`warning: …`).
    let p = report.photos;
    if p.attached + p.kept + p.failed > 0 {
        println!(
            "photos: fetched {}, already attached {}, failed {}",
            p.attached, p.kept, p.failed
        );
    }
    if report.unlocated > 0 {
        println!(
            "{} records without usable location (imported, not on the map)",
            report.unlocated
        );
    }
    println!("{}", report.plan_line());
    let vanished = report.plan.delete;
    if flags.dry_run {
        println!("dry run: nothing written");
    } else if report.deleted > 0 {
        println!("deleted {}", report.deleted);
    } else if vanished > 0 && !flags.delete_missing {
        println!(
            "{vanished} records vanished from the source: kept (--delete-missing deletes them)"
        );
    }
    if !flags.dry_run {
        println!("{}", report.summary_line());
    }
    Ok(ExitCode::from(report.exit_code()))
}

/// `wanted` connections, or fewer when the process may not open that many files (each
/// connection is one), with a word in the log.
fn open_files_allow(wanted: usize) -> usize {
    let soft = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3))
                .and_then(|n| n.parse::<usize>().ok())
        });
    match soft {
        Some(limit) if limit.saturating_sub(256) < wanted => {
            let allowed = limit.saturating_sub(256).max(64);
            tracing::warn!(
                wanted,
                allowed,
                "open files are limited to {limit}: fewer connections at once (raise `ulimit -n`)"
            );
            allowed
        }
        _ => wanted,
    }
}
