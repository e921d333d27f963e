//! Collects the Rust examples of the generated reference pages
//! (`generated/docs/operations/*.md`) into one file of functions, which
//! `tests/doc_samples.rs` includes: every example a reader may copy is
//! compiled against the crate it documents.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let pages = Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated/docs/operations");
    println!("cargo:rerun-if-changed={}", pages.display());
    let mut names: Vec<_> = std::fs::read_dir(&pages)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut out = String::new();
    // Each example's page, in the order of the functions.
    let mut samples: Vec<String> = Vec::new();
    for page in &names {
        println!("cargo:rerun-if-changed={}", page.display());
        let text = std::fs::read_to_string(page).unwrap_or_default();
        let name = page
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or_default();
        for sample in rust_blocks(&text) {
            let index = samples.len();
            let _ = writeln!(
                out,
                "/// From `{name}`.\n#[allow(dead_code, unused_variables)]\nasync fn sample_{index}(client: &vsphere_api::client::Client) -> Result<(), Box<dyn std::error::Error>> {{\n{sample}\nOk(())\n}}\n"
            );
            samples.push(name.to_owned());
        }
    }
    let count = samples.len();
    let _ = writeln!(
        out,
        "/// How many examples the pages hold.\nconst SAMPLES: usize = {count};"
    );
    // Every example run in turn with one client: its page and what it returned.
    let _ = writeln!(
        out,
        "/// Runs every example with `client`: each one's page and result.\n#[allow(dead_code)]\nasync fn run_samples(client: &vsphere_api::client::Client) -> Vec<(&'static str, Result<(), String>)> {{\nvec!["
    );
    for (index, name) in samples.iter().enumerate() {
        let _ = writeln!(
            out,
            "({name:?}, sample_{index}(client).await.map_err(|error| error.to_string())),"
        );
    }
    let _ = writeln!(out, "]\n}}");
    let out_dir = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    if let Err(error) = std::fs::write(Path::new(&out_dir).join("doc_samples.rs"), out) {
        panic!("writing the doc samples: {error}");
    }
}

/// The bodies of the page's ```` ```rust ```` blocks.
fn rust_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in text.lines() {
        match (&mut current, line.trim_start()) {
            (None, fence) if fence.starts_with("```rust") => current = Some(Vec::new()),
            (Some(lines), "```") => {
                blocks.push(lines.join("\n"));
                current = None;
            }
            (Some(lines), _) => lines.push(line),
            (None, _) => {}
        }
    }
    blocks
}
