//! The web app is built into the server from `pwa/dist` (see `src/web_app.rs`): rebuild
//! when it changes, and say so loudly when it is not there, rather than ship a binary
//! that silently serves no app.

fn main() {
    let dist = std::path::Path::new("../pwa/dist");
    println!("cargo::rerun-if-changed=../pwa/dist");
    if !dist.join("index.html").is_file() {
        println!(
            "cargo::warning=pwa/dist is not built: this binary will serve no web app. \
             Build it first with `make pwa` (Node.js ≥ 20.19 and npm), then build again."
        );
    }
}
