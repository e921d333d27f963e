//! `cargo xtask audit --against FILE`: the curated spec held against a file
//! VMware publishes (see `vapigen::audit`).

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use vapigen::Options;
use vapigen::audit::{self, Audit};
use vapigen::release::Release;

/// How to print the audit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Markdown, for a pull request.
    Markdown,
    /// JSON, for tools.
    Json,
}

/// Audits `curated` against `published`, at `release` or the release the
/// published file states in `info.version`.
pub fn run(curated: &Path, published: &Path, release: Option<Release>) -> Result<Audit> {
    let published_text = read(published)?;
    let published_api = lower(published, &published_text, true, None)?;
    let release = match release {
        Some(release) => release,
        None => vsphere_release(&published_api.version).with_context(|| {
            format!(
                "{}: its info.version `{}` is not a vSphere release; pass --api-version (e.g. 7.0.3.0)",
                published.display(),
                published_api.version
            )
        })?,
    };
    let curated_text = read(curated)?;
    let curated_api = lower(curated, &curated_text, false, Some(release.clone()))?;
    Ok(audit::audit(
        &curated_api,
        &published_api,
        &release.to_string(),
    ))
}

/// The audit as text in the given format.
pub fn render(audit: &Audit, published: &Path, format: Format) -> Result<String> {
    Ok(match format {
        Format::Markdown => audit::markdown(audit, &file_name(published))?,
        Format::Json => serde_json::to_string_pretty(audit)? + "\n",
    })
}

/// The file's `info.version` when it names a vSphere release. VMware's files
/// state their document version there (`2.0.0`), which is no vSphere release:
/// the REST API begins with vSphere 6.5.
fn vsphere_release(version: &str) -> Option<Release> {
    let release = Release::parse(version)?;
    let first = Release::parse("6.5")?;
    (release >= first).then_some(release)
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Lowers a spec as `codegen` does. The published file is read leniently
/// (VMware's files have dangling references): its warnings are counted, not
/// listed, since they are VMware's and not the curated spec's.
fn lower(
    path: &Path,
    text: &str,
    lenient: bool,
    release: Option<Release>,
) -> Result<vapigen::ir::Api> {
    let options = Options {
        crate_name: "audit".into(),
        spec_name: PathBuf::from(path).display().to_string(),
        standalone: false,
        lenient,
        release,
    };
    let (api, warnings) = vapigen::lower_spec(text, &options)?;
    if lenient && !warnings.is_empty() {
        eprintln!(
            "{}: {} construct(s) read leniently (dangling references and the like)",
            path.display(),
            warnings.len()
        );
    } else {
        for warning in &warnings {
            eprintln!("{}: {warning}", path.display());
        }
    }
    if api.operations.is_empty() {
        bail!("{}: no operations", path.display());
    }
    Ok(api)
}
