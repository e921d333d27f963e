//! Helpers shared by the tests that run `cargo xtask` as a user does.

#![allow(dead_code)] // each test file uses its own share

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};
use xtask::codegen;

/// A spec among the generator's test fixtures.
pub fn fixture(kind: &str, name: &str) -> PathBuf {
    codegen::workspace_root()
        .join("generator/tests/fixtures")
        .join(kind)
        .join(format!("{name}.yaml"))
}

/// Runs the real `xtask` binary, failing the test if it runs for more than
/// a minute (a walk that follows a link loop would never end).
pub fn xtask(args: &[&str]) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run xtask");
    let id = child.id();
    let deadline = Instant::now() + Duration::from_secs(60);
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(child.wait_with_output());
    });
    loop {
        match receiver.recv_timeout(Duration::from_millis(100)) {
            Ok(output) => return output.expect("xtask output"),
            Err(_) if Instant::now() < deadline => {}
            Err(_) => {
                // Only the child this helper started, by its id.
                let _ = Command::new("kill").args(["-9", &id.to_string()]).status();
                panic!("xtask {args:?} did not finish within a minute");
            }
        }
    }
}

/// `cargo xtask codegen --spec SPEC --out OUT EXTRA...`.
pub fn codegen(spec: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "codegen",
        "--spec",
        spec.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ];
    args.extend_from_slice(extra);
    xtask(&args)
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// What is at one path, as the snapshot records it.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Entry {
    /// A regular file: its bytes and modification time.
    File(Vec<u8>, SystemTime),
    /// A symbolic link (never followed): where it points.
    Link(PathBuf),
    /// A directory.
    Dir,
}

/// Everything below `dir` (files with contents and modification times, links,
/// directories), sorted. Links are recorded, not followed.
pub fn snapshot_dir(dir: &Path) -> Vec<(PathBuf, Entry)> {
    let mut entries = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        let Ok(listing) = std::fs::read_dir(&next) else {
            continue;
        };
        for entry in listing {
            let path = entry.expect("entry").path();
            let metadata = std::fs::symlink_metadata(&path).expect("metadata");
            let recorded = if metadata.is_symlink() {
                Entry::Link(std::fs::read_link(&path).expect("read link"))
            } else if metadata.is_dir() {
                pending.push(path.clone());
                Entry::Dir
            } else {
                Entry::File(
                    std::fs::read(&path).expect("read"),
                    metadata.modified().expect("mtime"),
                )
            };
            entries.push((path, recorded));
        }
    }
    entries.sort();
    entries
}

/// A copy of the spec at a new path (so every generated file's preamble,
/// which names the spec, changes), with `replacements` applied.
pub fn spec_variant(spec: &Path, into: &Path, replacements: &[(&str, &str)]) -> PathBuf {
    let mut text = std::fs::read_to_string(spec).expect("read spec");
    for (from, to) in replacements {
        assert!(text.contains(from), "{from} not in {}", spec.display());
        text = text.replace(from, to);
    }
    let path = into.join("variant.yaml");
    std::fs::write(&path, text).expect("write spec");
    path
}

/// Files staged or set aside by a run and left below `dir`.
pub fn scratch_files(dir: &Path) -> Vec<PathBuf> {
    snapshot_dir(dir)
        .into_iter()
        .map(|(path, _)| path)
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.contains(codegen::SCRATCH_SUFFIX))
        })
        .collect()
}
