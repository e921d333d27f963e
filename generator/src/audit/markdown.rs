//! The audit as Markdown, for a pull request or a reviewer.

use super::{Audit, Class};
use crate::diagnostics::Error;
use askama::Template;

#[derive(Template)]
#[template(path = "audit.md", escape = "none")]
struct Page<'a> {
    release: &'a str,
    published_name: &'a str,
    drift: usize,
    refinements: usize,
    curated_only: usize,
    published_only: usize,
    operations: Vec<Operation<'a>>,
}

struct Operation<'a> {
    route: &'a str,
    operation_id: &'a str,
    published_id: &'a str,
    rows: Vec<Row>,
}

/// One table row, each cell ready (pipes escaped). Drift comes first.
struct Row {
    class: &'static str,
    place: String,
    curated: String,
    published: String,
    declare_at: String,
}

/// Renders the audit: a summary line, then one table per shared operation.
pub fn markdown(audit: &Audit, published_name: &str) -> Result<String, Error> {
    let operations = audit
        .operations
        .iter()
        .map(|operation| {
            let mut findings: Vec<_> = operation.findings.iter().collect();
            findings.sort_by_key(|finding| finding.class);
            Operation {
                route: &operation.route,
                operation_id: &operation.operation_id,
                published_id: &operation.published_id,
                rows: findings
                    .into_iter()
                    .map(|finding| Row {
                        class: match finding.class {
                            Class::Drift => "**drift**",
                            Class::Refinement => "refinement",
                        },
                        place: cell(&finding.place),
                        curated: cell(&finding.curated),
                        published: cell(&finding.published),
                        declare_at: cell(&finding.declare_at),
                    })
                    .collect(),
            }
        })
        .collect();
    let mut text = Page {
        release: &audit.release,
        published_name,
        drift: audit.count(Class::Drift),
        refinements: audit.count(Class::Refinement),
        curated_only: audit.curated_only,
        published_only: audit.published_only,
        operations,
    }
    .render()
    .map_err(|error| Error::Template {
        file: "audit report".into(),
        message: error.to_string(),
    })?;
    text.push('\n');
    Ok(text)
}

/// A table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
