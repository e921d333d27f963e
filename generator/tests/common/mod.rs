//! Helpers shared by the generator's integration tests.

// Each test binary compiles this module and uses only a part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use vapigen::{Generated, Options};

/// `tests/fixtures/<kind>/`.
pub fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("reading {}: {error}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml" || e == "json"))
        .collect();
    files.sort();
    files
}

/// The file's stem, e.g. `formats`.
pub fn stem(path: &Path) -> String {
    path.file_stem()
        .expect("file name")
        .to_string_lossy()
        .into_owned()
}

/// [`generate`] (lenient) with a format cache.
pub fn generate_cached(path: &Path, cache: &vapigen::FormatCache) -> Generated {
    let text = std::fs::read_to_string(path).expect("read spec");
    vapigen::generate_with_cache(&text, &fixture_options(path, true), cache).expect("generates")
}

/// The options the tests generate a fixture with.
fn fixture_options(path: &Path, lenient: bool) -> Options {
    Options {
        crate_name: format!("fixture-{}", stem(path).replace(['_', '.'], "-")),
        spec_name: format!(
            "fixtures/{}",
            path.file_name().expect("file name").to_string_lossy()
        ),
        standalone: true,
        lenient,
        release: None,
    }
}

/// Generates a standalone crate named after the fixture, in memory.
pub fn generate(path: &Path, lenient: bool) -> Result<Generated, vapigen::Error> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
    vapigen::generate(&text, &fixture_options(path, lenient))
}

/// The generated `types` module as one text: `src/types.rs` and every file
/// under `src/types/`, in path order, each after a `// --- path` line.
pub fn types_source(files: &vapigen::Files) -> String {
    files
        .iter()
        .filter(|(path, _)| *path == "src/types.rs" || path.starts_with("src/types/"))
        .map(|(path, text)| format!("// --- {path}\n{text}"))
        .collect()
}

/// A scratch cargo workspace of generated and hand-written crates under the
/// test target directory. Its own target directory sits beside it and survives
/// between runs, so only changed crates rebuild.
pub struct Scratch {
    root: PathBuf,
    target: PathBuf,
    members: Vec<String>,
}

impl Scratch {
    /// An empty workspace named `name` (what a previous run left is removed).
    pub fn new(name: &str) -> Scratch {
        let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let root = base.join(name);
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).expect("scratch dir");
        Scratch {
            root,
            target: base.join(format!("{name}-target")),
            members: Vec::new(),
        }
    }

    /// An empty workspace named `name` that builds into the target directory
    /// of the workspace `target_of` (dependencies compiled once serve both;
    /// cargo locks the directory, so the two never build at the same time).
    pub fn sharing_target(name: &str, target_of: &str) -> Scratch {
        let mut scratch = Scratch::new(name);
        scratch.target = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{target_of}-target"));
        scratch
    }

    /// Adds a generated crate as member `name`.
    pub fn add_generated(&mut self, name: &str, files: &vapigen::Files) {
        for (relative, contents) in files {
            // Members of the scratch workspace, so drop each crate's own `[workspace]`.
            let contents = if relative == "Cargo.toml" {
                contents.replace("\n[workspace]", "\n")
            } else {
                contents.clone()
            };
            self.write(&format!("{name}/{relative}"), &contents);
        }
        self.members.push(name.to_owned());
    }

    /// Adds a library crate `name` whose `lib.rs` is `source`, depending on
    /// the member `api_crate` under the name `api`.
    pub fn add_user(&mut self, name: &str, api_crate: &str, package: &str, source: &str) {
        let manifest = format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\napi = {{ package = \"{package}\", path = \"../{api_crate}\" }}\n"
        );
        self.write(&format!("{name}/Cargo.toml"), &manifest);
        self.write(&format!("{name}/src/lib.rs"), source);
        self.members.push(name.to_owned());
    }

    /// Adds a library crate `name` whose `lib.rs` is `source`, with the
    /// `[dependencies]` lines `dependencies` (other members by `path =
    /// "../member"`; anything else must be in the repository's `Cargo.lock`).
    pub fn add_crate(&mut self, name: &str, dependencies: &str, source: &str) {
        let manifest = format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\n{dependencies}\n"
        );
        self.write(&format!("{name}/Cargo.toml"), &manifest);
        self.write(&format!("{name}/src/lib.rs"), source);
        self.members.push(name.to_owned());
    }

    fn write(&self, relative: &str, contents: &str) {
        let path = self.root.join(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("create dir");
        std::fs::write(&path, contents).expect("write");
    }

    /// Writes the workspace manifest and the repository's `Cargo.lock` (to
    /// pin the dependency versions this repository already uses).
    pub fn finish(&self) {
        let manifest = format!(
            "[workspace]\nresolver = \"3\"\nmembers = [{}]\n",
            self.members
                .iter()
                .map(|m| format!("\"{m}\""))
                .collect::<Vec<_>>()
                .join(", ")
        );
        self.write("Cargo.toml", &manifest);
        let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock");
        std::fs::copy(&lock, self.root.join("Cargo.lock")).expect("copy Cargo.lock");
    }

    /// `cargo check` with the given arguments: success and stderr.
    pub fn check(&self, args: &[&str], rustflags: &str) -> (bool, String) {
        let mut args = args.to_vec();
        args.extend(["--quiet", "--message-format", "short"]);
        self.cargo("check", &args, rustflags)
    }

    /// `cargo clippy` on every crate, target and feature with `-D warnings`,
    /// going on past a failing crate: success and output.
    pub fn clippy_all(&self) -> (bool, String) {
        self.cargo(
            "clippy",
            &[
                "--workspace",
                "--all-features",
                "--all-targets",
                "--keep-going",
                "--quiet",
                "--message-format",
                "short",
            ],
            "-D warnings",
        )
    }

    /// `cargo <subcommand>` with the given arguments in the workspace: success
    /// and stderr (with stdout after it).
    pub fn cargo(&self, subcommand: &str, args: &[&str], rustflags: &str) -> (bool, String) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let output = std::process::Command::new(cargo)
            .arg(subcommand)
            .args(args)
            .current_dir(&self.root)
            // A target directory of its own: the outer cargo holds the lock on ours.
            .env("CARGO_TARGET_DIR", &self.target)
            .env("RUSTFLAGS", rustflags)
            .env("RUSTDOCFLAGS", rustflags)
            .output()
            .unwrap_or_else(|error| panic!("run cargo {subcommand}: {error}"));
        let mut text = String::from_utf8_lossy(&output.stderr).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stdout));
        (output.status.success(), text)
    }
}
