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

#[test]
fn every_fact_of_vmwares_pages_is_on_ours() {
    let files = fact_files();
    assert_eq!(files.len(), 5, "one facts file per operation of the seeds");
    let mut missing = Vec::new();
    let mut checked = 0;
    for file in &files {
        let facts = load(file);
        let pages = reachable(&facts.page);
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        for fact in &facts.facts {
            match (&fact.text, &fact.reason) {
                (Some(text), None) => {
                    let candidates: Vec<(&String, &String)> = match fact.page.as_deref() {
                        Some("any") => pages.iter().collect(),
                        on => {
                            let on = on.unwrap_or(&facts.page);
                            let page = pages.get_key_value(on).unwrap_or_else(|| {
                                panic!("{name}: `{on}` is not reachable from {}", facts.page)
                            });
                            vec![page]
                        }
                    };
                    let wanted = if fact.raw {
                        squash(text)
                    } else {
                        squash(&plain(text))
                    };
                    let found = candidates.iter().any(|(_, markdown)| {
                        let seen = if fact.raw {
                            squash(markdown)
                        } else {
                            squash(&plain(markdown))
                        };
                        seen.contains(&wanted)
                    });
                    if !found {
                        missing.push(format!(
                            "{name}: \"{text}\" (VMware: \"{}\")",
                            fact.seed.trim()
                        ));
                    }
                    checked += 1;
                }
                (None, Some(reason)) => assert!(
                    !reason.trim().is_empty(),
                    "{name}: an empty reason for \"{}\"",
                    fact.seed
                ),
                _ => panic!(
                    "{name}: a fact needs exactly one of `text` and `reason`: \"{}\"",
                    fact.seed
                ),
            }
        }
        assert!(!facts.seed.is_empty(), "{name}: which page of VMware's?");
    }
    assert!(
        missing.is_empty(),
        "{} facts of VMware's pages are missing from ours:\n{}",
        missing.len(),
        missing.join("\n")
    );
    assert!(
        checked > 150,
        "expected the facts of five pages, checked {checked}"
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
