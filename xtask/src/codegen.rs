//! `cargo xtask codegen`: spec -> generated crate, all in memory, then
//! written all or nothing, touching only files the generator wrote.

mod ownership;
mod swap;

use anyhow::{Context, Result, bail};
use ownership::{Existing, Targets};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use vapigen::release::Release;
use vapigen::{Files, FormatCache, Options};

pub use ownership::GENERATED_MARK;
pub use swap::SCRATCH_SUFFIX;

/// The repository root (the workspace that holds `xtask/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// One generation request.
#[derive(Clone, Debug)]
pub struct Request {
    /// The spec to read.
    pub spec: PathBuf,
    /// The crate directory to write.
    pub out: PathBuf,
    /// The package name of the output crate.
    pub crate_name: String,
    /// Degrade unresolvable references to free-form JSON instead of failing.
    pub lenient: bool,
    /// Generate only what this release has; `None` for the whole spec.
    pub api_version: Option<Release>,
    /// Take items formatted by earlier runs from the format cache (and keep
    /// this run's there). The output is the same either way.
    pub format_cache: bool,
}

impl Request {
    /// The checked-in crate: `spec/vsphere.yaml` -> `generated/`.
    pub fn checked_in() -> Self {
        let root = workspace_root();
        Request {
            spec: root.join("spec/vsphere.yaml"),
            out: root.join("generated"),
            crate_name: "vsphere-api".into(),
            lenient: false,
            api_version: None,
            format_cache: true,
        }
    }
}

/// What generation would change on disk. Made only when every file it
/// writes or removes is absent or carries the generator's mark.
#[derive(Debug, Default)]
pub struct Plan {
    /// The output directory, absolute.
    pub out: PathBuf,
    /// Files to create or overwrite, with their new contents.
    pub writes: BTreeMap<PathBuf, String>,
    /// Files whose contents already match.
    pub unchanged: Vec<PathBuf>,
    /// Generator-owned files that are no longer produced.
    pub removals: Vec<PathBuf>,
    /// Warnings from the generator.
    pub warnings: Vec<String>,
}

/// Renders everything in memory and compares it with what is on disk.
pub fn plan(request: &Request) -> Result<Plan> {
    let text = fs::read_to_string(&request.spec)
        .with_context(|| format!("reading {}", request.spec.display()))?;
    let root = workspace_root();
    let spec_name = relative_display(&request.spec, &root);
    let out = absolute(&request.out);
    let standalone = !out.starts_with(absolute(&root));
    let options = Options {
        crate_name: request.crate_name.clone(),
        spec_name,
        standalone,
        lenient: request.lenient,
        release: request.api_version.clone(),
    };
    let cache = if request.format_cache {
        load_format_cache()
    } else {
        FormatCache::new()
    };
    let generated = vapigen::generate_with_cache(&text, &options, &cache)?;
    if request.format_cache && cache.changed() {
        save_format_cache(&cache);
    }
    let mut plan = Plan {
        out,
        warnings: generated.warnings.iter().map(ToString::to_string).collect(),
        ..Plan::default()
    };
    compare(generated.files, &mut plan)?;
    Ok(plan)
}

/// Where the format cache lives: the build directory, which `cargo clean`
/// empties and git ignores.
fn format_cache_path() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    target.join("vapigen").join("format-cache")
}

/// What made the cached text: this very generator binary (any change to the
/// generator or its formatter rebuilds it, and so starts a new cache).
fn formatter_identity() -> String {
    let exe = std::env::current_exe().ok();
    let metadata = exe.as_ref().and_then(|exe| fs::metadata(exe).ok());
    let modified = metadata
        .as_ref()
        .and_then(|metadata| metadata.modified().ok())
        .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |since| since.as_nanos());
    format!(
        "{} {} {modified}",
        exe.map(|exe| exe.display().to_string()).unwrap_or_default(),
        metadata.map_or(0, |metadata| metadata.len())
    )
}

/// The cache an earlier run left; empty when there is none or it is stale.
fn load_format_cache() -> FormatCache {
    match fs::read(format_cache_path()) {
        Ok(bytes) => FormatCache::from_bytes(&bytes, &formatter_identity()),
        Err(_) => FormatCache::new(),
    }
}

/// Keeps this run's cache for the next (best effort: a cache that cannot be
/// written only makes the next run slower).
fn save_format_cache(cache: &FormatCache) {
    let path = format_cache_path();
    let write = || -> std::io::Result<()> {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        let temporary = path.with_extension("tmp");
        fs::write(&temporary, cache.to_bytes(&formatter_identity()))?;
        fs::rename(&temporary, &path)
    };
    if let Err(error) = write() {
        eprintln!(
            "note: the format cache {} was not written: {error}",
            path.display()
        );
    }
}

/// Sorts the rendered files into writes and unchanged ones, finds the stale
/// ones, and refuses any path that is not the generator's.
fn compare(files: Files, plan: &mut Plan) -> Result<()> {
    ownership::check_rendered(&files)?;
    ownership::check_directory(&plan.out)?;
    plan.removals = ownership::stale_files(&plan.out, &files)?;
    let mut targets = Targets::new(&plan.out);
    for (relative, contents) in files {
        let path = plan.out.join(&relative);
        match targets.check(&relative) {
            Some(Existing::Generated(current)) if current == contents.as_bytes() => {
                plan.unchanged.push(path);
            }
            Some(_) => {
                plan.writes.insert(path, contents);
            }
            None => {}
        }
    }
    targets.finish()
}

impl Plan {
    /// Whether the files on disk already match.
    pub fn is_fresh(&self) -> bool {
        self.writes.is_empty() && self.removals.is_empty()
    }

    /// A unified diff of every stale file (disk -> what generation produces).
    pub fn diff(&self) -> String {
        let mut out = String::new();
        for (path, new) in &self.writes {
            let old = fs::read_to_string(path).unwrap_or_default();
            let name = path.display().to_string();
            let diff = similar::TextDiff::from_lines(&old, new);
            out.push_str(
                &diff
                    .unified_diff()
                    .context_radius(3)
                    .header(&name, &name)
                    .to_string(),
            );
        }
        for path in &self.removals {
            let old = fs::read_to_string(path).unwrap_or_default();
            let name = path.display().to_string();
            let diff = similar::TextDiff::from_lines(&old, "");
            out.push_str(&diff.unified_diff().header(&name, "/dev/null").to_string());
        }
        out
    }

    /// Writes the changes all or nothing (staged, then swapped in): on an error the
    /// output directory is as it was.
    pub fn apply(&self) -> Result<()> {
        let writes = self
            .writes
            .iter()
            .map(|(path, contents)| (ownership::relative(&self.out, path), contents.as_str()))
            .collect();
        let removals: Vec<String> = self
            .removals
            .iter()
            .map(|path| ownership::relative(&self.out, path))
            .collect();
        swap::apply(&self.out, &writes, &removals)
    }
}

/// Runs `codegen`: writes, or with `check` only reports. Returns an error when
/// the check finds stale files.
pub fn run(request: &Request, check: bool) -> Result<()> {
    let plan = plan(request)?;
    for warning in &plan.warnings {
        eprintln!("{warning}");
    }
    if check {
        if plan.is_fresh() {
            eprintln!(
                "{} is up to date with {}",
                request.out.display(),
                request.spec.display()
            );
            return Ok(());
        }
        print!("{}", plan.diff());
        bail!(
            "{} is stale ({} to write, {} to remove): run `cargo xtask codegen`",
            request.out.display(),
            plan.writes.len(),
            plan.removals.len()
        );
    }
    plan.apply()?;
    eprintln!(
        "generated {}: {} written, {} unchanged, {} removed, {} warnings",
        request.out.display(),
        plan.writes.len(),
        plan.unchanged.len(),
        plan.removals.len(),
        plan.warnings.len()
    );
    Ok(())
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// `spec/vsphere.yaml` for files in the repository, the path as given otherwise.
fn relative_display(path: &Path, root: &Path) -> String {
    let absolute_path = absolute(path);
    match absolute_path.strip_prefix(absolute(root)) {
        Ok(relative) => relative.to_string_lossy().replace('\\', "/"),
        Err(_) => path.display().to_string(),
    }
}
