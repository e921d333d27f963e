//! The report as Markdown, for a pull request.

use super::{Impact, Report};
use crate::diagnostics::Error;
use askama::Template;

#[derive(Template)]
#[template(path = "diff.md", escape = "none")]
struct Page<'a> {
    old_version: &'a str,
    new_version: &'a str,
    breaking: usize,
    additive: usize,
    none: usize,
    verdict: &'static str,
    sections: Vec<Section>,
}

struct Section {
    title: &'static str,
    rows: Vec<Row>,
}

/// One table row, each cell ready (pipes escaped).
struct Row {
    change: String,
    subject: String,
    reason: String,
}

/// Renders the report: a summary with the semver verdict, then one table per impact.
pub fn markdown(report: &Report) -> Result<String, Error> {
    let sections = [
        (Impact::Breaking, "Breaking"),
        (Impact::Additive, "Additive"),
        (Impact::None, "No effect on the Rust API"),
    ]
    .into_iter()
    .map(|(impact, title)| Section {
        title,
        rows: report
            .changes
            .iter()
            .filter(|change| change.impact == impact)
            .map(|change| Row {
                change: cell(&match &change.detail {
                    Some(detail) => format!("{}: {detail}", change.kind),
                    None => change.kind.clone(),
                }),
                subject: cell(&change.subject),
                reason: cell(&change.reason),
            })
            .collect(),
    })
    .filter(|section| !section.rows.is_empty())
    .collect();
    let verdict = if report.is_breaking() {
        "the generated crate needs a new major version."
    } else if report.count(Impact::Additive) > 0 {
        "a new minor version of the generated crate."
    } else {
        "a patch release of the generated crate."
    };
    let mut text = Page {
        old_version: &report.old_version,
        new_version: &report.new_version,
        breaking: report.count(Impact::Breaking),
        additive: report.count(Impact::Additive),
        none: report.count(Impact::None),
        verdict,
        sections,
    }
    .render()
    .map_err(|error| Error::Template {
        file: "diff report".into(),
        message: error.to_string(),
    })?;
    text.push('\n');
    Ok(text)
}

/// A table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
