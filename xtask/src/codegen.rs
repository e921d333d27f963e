//! `cargo xtask codegen`: spec -> generated crate, all in memory, then written.

use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use vapigen::release::Release;
use vapigen::{Files, Options};

/// Directories of the output crate that belong to the generator: a file there
/// that the generator no longer produces is stale. Everything else in the crate
/// (its `tests/`, for instance) is hand-written and left alone.
const OWNED_DIRS: &[&str] = &["src", "docs"];

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
        }
    }
}

/// What generation would change on disk.
#[derive(Debug, Default)]
pub struct Plan {
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
    let generated = vapigen::generate(&text, &options)?;
    let mut plan = Plan {
        warnings: generated.warnings.iter().map(ToString::to_string).collect(),
        ..Plan::default()
    };
    compare(&request.out, generated.files, &mut plan)?;
    Ok(plan)
}

fn compare(out: &Path, files: Files, plan: &mut Plan) -> Result<()> {
    for owned in OWNED_DIRS {
        for existing in list_files(&out.join(owned))? {
            let relative = existing
                .strip_prefix(out)
                .unwrap_or(&existing)
                .to_string_lossy()
                .replace('\\', "/");
            if !files.contains_key(&relative) {
                plan.removals.push(existing);
            }
        }
    }
    for (relative, contents) in files {
        let path = out.join(&relative);
        match fs::read_to_string(&path) {
            Ok(current) if current == contents => plan.unchanged.push(path),
            _ => {
                plan.writes.insert(path, contents);
            }
        }
    }
    Ok(())
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

    /// Writes the changes: each file goes to a temporary name first and is
    /// renamed into place, so no file is ever half-written.
    pub fn apply(&self) -> Result<()> {
        for (path, contents) in &self.writes {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)
                    .with_context(|| format!("creating {}", parent.display()))?;
            }
            let temporary = path.with_extension("vapigen-tmp");
            fs::write(&temporary, contents)
                .with_context(|| format!("writing {}", temporary.display()))?;
            fs::rename(&temporary, path)
                .with_context(|| format!("renaming into {}", path.display()))?;
        }
        for path in &self.removals {
            fs::remove_file(path).with_context(|| format!("removing stale {}", path.display()))?;
        }
        Ok(())
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

fn list_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(files);
    };
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            files.extend(list_files(&path)?);
        } else {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
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
