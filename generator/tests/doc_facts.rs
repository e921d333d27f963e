//! The reference pages keep every fact of VMware's own pages for the five
//! operations: `tests/doc_facts/*.yaml` lists, per operation, each fact of
//! VMware's page (the seed excerpt it comes from, kept in the file so that a
//! fresh clone needs nothing else) and the words it must have on the
//! rendered page or a schema or error page it links to. A fact the pages
//! deliberately do not carry says why instead. A spec edit that drops one of
//! them fails here.

use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One operation's facts.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Facts {
    /// The operation page, relative to `generated/docs/`.
    page: String,
    /// Which of VMware's pages the facts come from.
    seed: String,
    facts: Vec<Fact>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fact {
    /// The excerpt of VMware's page the fact comes from.
    seed: String,
    /// What the pages must say (case and whitespace aside; Markdown
    /// emphasis, code marks and link targets are ignored).
    #[serde(default)]
    text: Option<String>,
    /// The page that must say it, relative to `generated/docs/`: by default
    /// the operation page; `any` for the operation page or any schema or
    /// error page reachable from it.
    #[serde(default, rename = "where")]
    page: Option<String>,
    /// Match the page's Markdown as written (links and code marks kept).
    #[serde(default)]
    raw: bool,
    /// Why the pages do not carry the fact.
    #[serde(default)]
    reason: Option<String>,
}

fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated/docs")
}

fn facts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/doc_facts")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// Lower case, one space for any run of whitespace.
fn squash(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Text as a reader sees it: `[label](target)` becomes `label`, and code
/// marks, emphasis and table escapes go.
fn plain(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut rest = markdown;
    while let Some(start) = rest.find("](") {
        let Some(end) = rest[start..].find(')') else {
            break;
        };
        out.push_str(&rest[..start]);
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out.replace(['`', '*', '['], "").replace("\\|", "|")
}

/// Relative links of a page to schema and error pages, resolved against
/// `docs_dir()` (operation pages are not followed: they are other
/// operations' facts).
fn linked_pages(page: &str, markdown: &str) -> Vec<String> {
    let dir = Path::new(page).parent().unwrap_or(Path::new(""));
    let mut pages = Vec::new();
    let mut rest = markdown;
    while let Some(start) = rest.find("](") {
        rest = &rest[start + 2..];
        let Some(end) = rest.find(')') else { break };
        let target = rest[..end].split('#').next().unwrap_or_default();
        rest = &rest[end..];
        if target.contains("://") || !target.ends_with(".md") {
            continue;
        }
        let mut parts: Vec<&str> = dir.iter().filter_map(|p| p.to_str()).collect();
        for segment in target.split('/') {
            match segment {
                ".." => {
                    parts.pop();
                }
                "." | "" => {}
                other => parts.push(other),
            }
        }
        let resolved = parts.join("/");
        if resolved.starts_with("schemas/") || resolved.starts_with("errors/") {
            pages.push(resolved);
        }
    }
    pages
}

/// The operation page and every schema or error page reachable from it,
/// by path relative to `generated/docs/`, with their Markdown.
fn reachable(page: &str) -> BTreeMap<String, String> {
    let mut pages = BTreeMap::new();
    let mut queue = vec![page.to_owned()];
    let mut seen = BTreeSet::new();
    while let Some(next) = queue.pop() {
        if !seen.insert(next.clone()) {
            continue;
        }
        let markdown = read(&docs_dir().join(&next));
        queue.extend(linked_pages(&next, &markdown));
        pages.insert(next, markdown);
    }
    pages
}

fn fact_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(facts_dir())
        .expect("tests/doc_facts")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

fn load(file: &Path) -> Facts {
    serde_yaml::from_str(&read(file)).unwrap_or_else(|error| panic!("{}: {error}", file.display()))
}

/// Checks the facts of `tests/doc_facts/<file>`; returns how many were
/// looked for on the pages.
fn check_facts(file: &str) -> usize {
    let facts = load(&facts_dir().join(file));
    assert!(!facts.seed.is_empty(), "{file}: which page of VMware's?");
    let pages = reachable(&facts.page);
    let mut missing = Vec::new();
    let mut checked = 0;
    for fact in &facts.facts {
        match (&fact.text, &fact.reason) {
            (Some(text), None) => {
                let candidates: Vec<&String> = match fact.page.as_deref() {
                    Some("any") => pages.values().collect(),
                    page => {
                        let page = page.unwrap_or(&facts.page);
                        let markdown = pages.get(page).unwrap_or_else(|| {
                            panic!("{file}: `{page}` is not reachable from {}", facts.page)
                        });
                        vec![markdown]
                    }
                };
                let reading = |markdown: &str| {
                    if fact.raw {
                        squash(markdown)
                    } else {
                        squash(&plain(markdown))
                    }
                };
                let wanted = reading(text);
                if !candidates
                    .iter()
                    .any(|markdown| reading(markdown).contains(&wanted))
                {
                    missing.push(format!("\"{text}\" (VMware: \"{}\")", fact.seed.trim()));
                }
                checked += 1;
            }
            (None, Some(reason)) => assert!(
                !reason.trim().is_empty(),
                "{file}: an empty reason for \"{}\"",
                fact.seed
            ),
            _ => panic!(
                "{file}: a fact needs exactly one of `text` and `reason`: \"{}\"",
                fact.seed
            ),
        }
    }
    assert!(
        missing.is_empty(),
        "{file}: {} facts of VMware's page are missing from ours:\n{}",
        missing.len(),
        missing.join("\n")
    );
    checked
}

/// The facts file of each operation, each checked by its own test below.
const FACT_FILES: [&str; 5] = [
    "000_esx_settings_depots_offline_create_task.yaml",
    "001_esx_settings_repository_software_drafts_create.yaml",
    "002_content_library_item_update_session_create_rest.yaml",
    "003_content_library_subscriptions_create.yaml",
    "004_vcenter_vm_guest_filesystem_transfers_create.yaml",
];

#[test]
fn depot_import_page_keeps_vmwares_facts() {
    assert!(check_facts(FACT_FILES[0]) > 40);
}

#[test]
fn software_draft_page_keeps_vmwares_facts() {
    assert!(check_facts(FACT_FILES[1]) > 15);
}

#[test]
fn legacy_update_session_page_keeps_vmwares_facts() {
    assert!(check_facts(FACT_FILES[2]) > 40);
}

#[test]
fn subscription_page_keeps_vmwares_facts() {
    assert!(check_facts(FACT_FILES[3]) > 40);
}

#[test]
fn guest_transfer_page_keeps_vmwares_facts() {
    assert!(check_facts(FACT_FILES[4]) > 40);
}

#[test]
fn every_facts_file_is_checked() {
    let on_disk: Vec<String> = fact_files()
        .iter()
        .filter_map(|path| path.file_name()?.to_str().map(str::to_owned))
        .collect();
    assert_eq!(
        on_disk, FACT_FILES,
        "a facts file without its test, or the reverse"
    );
}

#[test]
fn a_fact_the_page_lacks_is_reported() {
    // The matching itself must be able to fail: a phrase that is on no page.
    let pages = reachable("operations/esx_settings_depots_offline_create_task.md");
    let absent = squash("the depot is imported by carrier pigeon");
    assert!(
        pages
            .values()
            .all(|markdown| !squash(&plain(markdown)).contains(&absent))
    );
    // And links are followed: the error schema's own words are reachable.
    assert!(pages.keys().any(|page| page.starts_with("errors/")));
}

#[test]
fn plain_text_drops_markdown_marks_and_link_targets() {
    assert_eq!(
        plain("**`source_type`**: [SourceType](../schemas/x.md), required"),
        "source_type: SourceType, required"
    );
    assert_eq!(squash("A\n  b\tC"), "a b c");
}
