//! The last formatting step: `rustfmt`, so generated files pass `cargo fmt --check`.
//!
//! prettyplease lays out code close to rustfmt but not identically (long types,
//! method chains); piping through rustfmt, as rust-analyzer's codegen does,
//! makes the checked-in crate rustfmt-clean by construction.

use crate::diagnostics::Error;
use std::io::Write;
use std::process::{Command, Stdio};

/// Formats one Rust source file with the toolchain's rustfmt (or `$RUSTFMT`).
pub fn rustfmt(path: &str, code: &str) -> Result<String, Error> {
    let program = std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".to_owned());
    let failed = |message: String| Error::Format {
        file: path.to_owned(),
        message,
    };
    let mut child = Command::new(&program)
        .args(["--edition", "2024", "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| {
            failed(format!(
                "cannot run `{program}` (install it with `rustup component add rustfmt`): {error}"
            ))
        })?;
    // Write on another thread: rustfmt may fill its stdout pipe before reading all input.
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| failed("no stdin".into()))?;
    let input = code.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|error| failed(error.to_string()))?;
    writer
        .join()
        .map_err(|_| failed("writer thread panicked".into()))?
        .map_err(|error| failed(error.to_string()))?;
    if !output.status.success() {
        return Err(failed(String::from_utf8_lossy(&output.stderr).into_owned()));
    }
    String::from_utf8(output.stdout).map_err(|error| failed(error.to_string()))
}
