//! `cargo xtask diff OLD NEW`: what a spec change does to the generated crate.

use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;
use vapigen::Options;
use vapigen::diff::{self, Report};

/// How to print the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Markdown, for a pull request.
    Markdown,
    /// JSON, for tools.
    Json,
}

/// Compares two specs; each is a file path or `REV:PATH` (a file as git has it
/// at a revision, e.g. `origin/main:spec/vsphere.yaml`).
pub fn run(old: &str, new: &str, lenient: bool) -> Result<Report> {
    let old_api = lower(old, lenient)?;
    let new_api = lower(new, lenient)?;
    Ok(diff::diff(&old_api, &new_api))
}

/// The report as text in the given format.
pub fn render(report: &Report, format: Format) -> Result<String> {
    Ok(match format {
        Format::Markdown => diff::markdown(report)?,
        Format::Json => serde_json::to_string_pretty(report)? + "\n",
    })
}

fn lower(spec: &str, lenient: bool) -> Result<vapigen::ir::Api> {
    let text = read_spec(spec)?;
    let options = Options {
        crate_name: "vsphere-api".into(),
        spec_name: spec.to_owned(),
        standalone: false,
        lenient,
        release: None,
    };
    let (api, warnings) = vapigen::lower_spec(&text, &options)?;
    for warning in warnings {
        eprintln!("{spec}: {warning}");
    }
    Ok(api)
}

fn read_spec(spec: &str) -> Result<String> {
    if Path::new(spec).exists() {
        return std::fs::read_to_string(spec).with_context(|| format!("reading {spec}"));
    }
    let Some((revision, _path)) = spec.split_once(':') else {
        bail!("{spec}: no such file");
    };
    // `REV:PATH` is one argument to git: it must never be read as an option
    // (`--output=FILE:...` would make git write a file).
    if revision.is_empty() || revision.starts_with('-') {
        bail!("{spec}: no such file, and `{revision}` is not a git revision");
    }
    let output = Command::new("git")
        .args(["show", "--end-of-options", spec])
        .output()
        .context("running git")?;
    if !output.status.success() {
        bail!(
            "{spec}: no such file, and git cannot show it: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    String::from_utf8(output.stdout).with_context(|| format!("{spec} is not UTF-8"))
}
