//! The generators being compared, and how to run each on a spec.

use anyhow::Result;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A code generator under measurement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    /// This project: the release `xtask codegen`.
    Vapigen,
    /// openapi-generator's `rust` generator (reqwest client).
    OpenApiRust,
    /// openapi-generator's `rust-axum` generator (axum server).
    OpenApiRustAxum,
    /// progenitor's `cargo progenitor` (reqwest client).
    Progenitor,
}

/// Every tool, vapigen first.
pub const ALL: [Tool; 4] = [
    Tool::Vapigen,
    Tool::OpenApiRust,
    Tool::OpenApiRustAxum,
    Tool::Progenitor,
];

/// How to start a tool that is installed.
#[derive(Clone, Debug)]
pub enum Located {
    /// A binary to run directly.
    Binary(PathBuf),
    /// `java -jar <jar>`.
    Jar(PathBuf),
}

impl Tool {
    /// The name used in tables and in `--tools`.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Vapigen => "vapigen",
            Tool::OpenApiRust => "openapi-generator rust",
            Tool::OpenApiRustAxum => "openapi-generator rust-axum",
            Tool::Progenitor => "progenitor",
        }
    }

    /// The command that installs it.
    pub fn install_hint(self) -> &'static str {
        match self {
            Tool::Vapigen => "cargo build --release -p xtask",
            Tool::OpenApiRust | Tool::OpenApiRustAxum => {
                "pip install openapi-generator-cli==7.26.0 (and Java 17+)"
            }
            Tool::Progenitor => "cargo install --locked cargo-progenitor",
        }
    }

    /// Finds the tool, or says why it cannot be run.
    pub fn locate(self, vapigen: &Path) -> Result<Located, String> {
        match self {
            Tool::Vapigen => Ok(Located::Binary(vapigen.to_path_buf())),
            Tool::OpenApiRust | Tool::OpenApiRustAxum => {
                if which("java").is_none() {
                    return Err("`java` is not on PATH".into());
                }
                openapi_generator_jar().map(Located::Jar)
            }
            Tool::Progenitor => which("cargo-progenitor")
                .map(Located::Binary)
                .ok_or_else(|| "`cargo-progenitor` is not on PATH".into()),
        }
    }

    /// The command that generates a crate from `spec` into `out` (an empty
    /// directory). Every tool is told to accept VMware's imperfect files the
    /// way it can: `--lenient` for vapigen, `--skip-validate-spec` for
    /// openapi-generator; progenitor has no such switch.
    pub fn command(self, located: &Located, spec: &Path, out: &Path) -> Command {
        let mut command = match located {
            Located::Binary(path) => Command::new(path),
            Located::Jar(jar) => {
                let mut command = Command::new("java");
                command.arg("-jar").arg(jar);
                command
            }
        };
        match self {
            Tool::Vapigen => {
                command
                    .args(["codegen", "--lenient", "--spec"])
                    .arg(spec)
                    .arg("--out")
                    .arg(out);
            }
            Tool::OpenApiRust | Tool::OpenApiRustAxum => {
                let generator = if self == Tool::OpenApiRust {
                    "rust"
                } else {
                    "rust-axum"
                };
                command
                    .args(["generate", "--skip-validate-spec", "-g", generator])
                    // The crate version would otherwise be the spec's
                    // `info.version` (`9.1.0.0` is not semver: cargo refuses it).
                    .args(["--package-name", "bench_api"])
                    .args(["--additional-properties", "packageVersion=0.1.0", "-i"])
                    .arg(spec)
                    .arg("-o")
                    .arg(out);
            }
            Tool::Progenitor => {
                command
                    .args(["progenitor", "-n", "bench-api", "-v", "0.1.0", "-i"])
                    .arg(spec)
                    .arg("-o")
                    .arg(out);
            }
        }
        command
    }

    /// The tool's version, for the report.
    pub fn version(self, located: &Located) -> String {
        let mut command = match (self, located) {
            (Tool::Vapigen, _) => return format!("{} (this tree)", git_head()),
            (_, Located::Jar(jar)) => {
                let mut command = Command::new("java");
                command.arg("-jar").arg(jar).arg("version");
                command
            }
            // cargo-progenitor has no --version: ask cargo what it installed.
            (_, Located::Binary(_)) => {
                let mut command = Command::new(super::cargo());
                command.args(["install", "--list"]);
                return command_output(&mut command)
                    .and_then(|text| {
                        text.lines()
                            .find(|line| line.starts_with("cargo-progenitor "))
                            .map(|line| line.trim_end_matches(':').to_owned())
                    })
                    .unwrap_or_else(|| "unknown version".into());
            }
        };
        command_output(&mut command)
            .and_then(|text| text.lines().last().map(str::trim).map(str::to_owned))
            .filter(|text| !text.is_empty())
            .unwrap_or_else(|| "unknown version".into())
    }
}

fn command_output(command: &mut Command) -> Option<String> {
    command
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
}

/// The jar that `pip install openapi-generator-cli` ships, or `$OPENAPI_GENERATOR_JAR`.
fn openapi_generator_jar() -> Result<PathBuf, String> {
    if let Some(jar) = std::env::var_os("OPENAPI_GENERATOR_JAR") {
        return Ok(PathBuf::from(jar));
    }
    let script = "import os, openapi_generator_cli as m; print(os.path.join(os.path.dirname(m.__file__), 'openapi-generator.jar'))";
    let output = Command::new("python3")
        .args(["-c", script])
        .output()
        .map_err(|error| format!("cannot run python3: {error}"))?;
    let path = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    if output.status.success() && path.is_file() {
        Ok(path)
    } else {
        Err("python package `openapi_generator_cli` not found".into())
    }
}

/// The first executable `name` on `PATH`.
pub fn which(name: &str) -> Option<PathBuf> {
    which::which(name).ok()
}

fn git_head() -> String {
    Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(crate::codegen::workspace_root())
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty())
        .unwrap_or_else(|| "unknown commit".into())
}
