//! Helpers shared by the generator's integration tests.

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

/// Generates a standalone crate named after the fixture, in memory.
pub fn generate(path: &Path, lenient: bool) -> Result<Generated, vapigen::Error> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
    let options = Options {
        crate_name: format!("fixture-{}", stem(path).replace(['_', '.'], "-")),
        spec_name: format!(
            "fixtures/{}",
            path.file_name().expect("file name").to_string_lossy()
        ),
        standalone: true,
        lenient,
        release: None,
    };
    vapigen::generate(&text, &options)
}
