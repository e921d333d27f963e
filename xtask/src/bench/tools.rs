//! The generators being compared, and how to run each on a spec.

use super::measure::Subject;
use anyhow::Result;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A code generator under measurement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    /// This project as users run it: `cargo xtask codegen` (the dev-profile
    /// build, started through cargo, whose freshness check is included).
    Vapigen,
    /// This project's generator alone: the release binary `xtask codegen`.
    /// `cargo xtask codegen` into the directory its previous run wrote: what
    /// regenerating a checked-in crate costs (files that did not change are
    /// compared, not written).
    VapigenRegenerate,
    /// `cargo xtask codegen --no-format-cache`: every item formatted anew
    /// (what a first run, or a run after the generator changed, costs).
    VapigenCold,
    VapigenRelease,
    /// openapi-generator's `rust` generator (reqwest client).
    OpenApiRust,
    /// openapi-generator's `rust-axum` generator (axum server).
    OpenApiRustAxum,
    /// progenitor's `cargo progenitor` (reqwest client).
    Progenitor,
}

/// Every tool, vapigen first.
pub const ALL: [Tool; 7] = [
    Tool::Vapigen,
    Tool::VapigenRegenerate,
    Tool::VapigenCold,
    Tool::VapigenRelease,
    Tool::OpenApiRust,
    Tool::OpenApiRustAxum,
    Tool::Progenitor,
];

/// Where vapigen is: the workspace whose `cargo xtask` is timed, and the
/// release binary when it was built.
#[derive(Clone, Debug)]
pub struct Vapigen {
    /// The workspace root (`cargo xtask` is an alias of its `.cargo/config.toml`).
    pub root: PathBuf,
    /// `cargo` as a user's shell finds it (the rustup proxy, usually).
    pub cargo: PathBuf,
    /// `target/release/xtask`, if built.
    pub release: Option<PathBuf>,
}

/// How to start a tool that is installed.
#[derive(Clone, Debug)]
pub enum Located {
    /// `cargo xtask ...` in this workspace.
    CargoXtask(Vapigen),
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
            Tool::VapigenRegenerate => "vapigen (regenerating its output)",
            Tool::VapigenCold => "vapigen (no format cache)",
            Tool::VapigenRelease => "vapigen (release binary)",
            Tool::OpenApiRust => "openapi-generator rust",
            Tool::OpenApiRustAxum => "openapi-generator rust-axum",
            Tool::Progenitor => "progenitor",
        }
    }

    /// The short name `--tools` takes.
    pub fn key(self) -> &'static str {
        match self {
            Tool::Vapigen => "vapigen",
            Tool::VapigenRegenerate => "vapigen-regenerate",
            Tool::VapigenCold => "vapigen-cold",
            Tool::VapigenRelease => "vapigen-release",
            Tool::OpenApiRust => "rust",
            Tool::OpenApiRustAxum => "rust-axum",
            Tool::Progenitor => "progenitor",
        }
    }

    /// Whether this is one of ours (measured `--runs` times, not `--baseline-runs`).
    pub fn is_vapigen(self) -> bool {
        matches!(
            self,
            Tool::Vapigen | Tool::VapigenRegenerate | Tool::VapigenCold | Tool::VapigenRelease
        )
    }

    /// The command that installs it.
    pub fn install_hint(self) -> &'static str {
        match self {
            Tool::Vapigen | Tool::VapigenRegenerate | Tool::VapigenCold => "cargo build -p xtask",
            Tool::VapigenRelease => "cargo build --release -p xtask",
            Tool::OpenApiRust | Tool::OpenApiRustAxum => {
                "apt-get install -y default-jre-headless && pip install openapi-generator-cli==7.26.0"
            }
            Tool::Progenitor => "cargo install --locked cargo-progenitor@0.15.1",
        }
    }

    /// Which process of the tool's tree its memory figure is about: for
    /// `cargo xtask` the generator, not cargo.
    pub fn subject(self) -> Subject {
        match self {
            Tool::Vapigen | Tool::VapigenRegenerate | Tool::VapigenCold => Subject::Named("xtask"),
            _ => Subject::Root,
        }
    }

    /// Finds the tool, or says why it cannot be run.
    pub fn locate(self, vapigen: &Vapigen) -> Result<Located, String> {
        match self {
            Tool::Vapigen | Tool::VapigenRegenerate | Tool::VapigenCold => {
                Ok(Located::CargoXtask(vapigen.clone()))
            }
            Tool::VapigenRelease => vapigen
                .release
                .clone()
                .map(Located::Binary)
                .ok_or_else(|| "not built in this run".into()),
            Tool::OpenApiRust | Tool::OpenApiRustAxum => {
                if which("java").is_none() {
                    return Err("`java` (11 or later) is not on PATH".into());
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
            Located::CargoXtask(vapigen) => vapigen.cargo_xtask(),
            Located::Binary(path) => Command::new(path),
            Located::Jar(jar) => {
                let mut command = Command::new("java");
                command.arg("-jar").arg(jar);
                command
            }
        };
        match self {
            Tool::Vapigen | Tool::VapigenRegenerate | Tool::VapigenCold | Tool::VapigenRelease => {
                command
                    .args(["codegen", "--lenient", "--spec"])
                    .arg(spec)
                    .arg("--out")
                    .arg(out);
                if self == Tool::VapigenCold {
                    command.arg("--no-format-cache");
                }
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
            (Tool::Vapigen, _) => {
                return format!(
                    "{} (this tree): `cargo xtask codegen`, dev profile",
                    git_head()
                );
            }
            (Tool::VapigenRegenerate, _) => {
                return format!(
                    "{} (this tree): `cargo xtask codegen` into its previous output, dev profile",
                    git_head()
                );
            }
            (Tool::VapigenCold, _) => {
                return format!(
                    "{} (this tree): `cargo xtask codegen --no-format-cache`, dev profile",
                    git_head()
                );
            }
            (Tool::VapigenRelease, _) => {
                return format!("{} (this tree): `target/release/xtask codegen`", git_head());
            }
            (_, Located::CargoXtask(_)) => return "unknown version".into(),
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

impl Vapigen {
    /// `cargo xtask` as a user types it in the workspace: the `cargo` on
    /// `PATH`, without the variables the outer `cargo run` of the bench set
    /// for its own binary (they would not be in a user's shell).
    pub fn cargo_xtask(&self) -> Command {
        let mut command = Command::new(&self.cargo);
        command.arg("xtask").current_dir(&self.root);
        for (name, _) in std::env::vars_os() {
            let Some(name) = name.to_str() else { continue };
            if is_cargo_run_variable(name) {
                command.env_remove(name);
            }
        }
        if let Some(paths) = std::env::var_os("LD_LIBRARY_PATH") {
            command.env("LD_LIBRARY_PATH", without_cargo_run_paths(&paths));
        }
        command
    }
}

/// Variables cargo sets for the binary it runs (`CARGO`, `CARGO_PKG_*`, ...),
/// as opposed to configuration a user may have set (`CARGO_HOME`,
/// `CARGO_TARGET_DIR`, `CARGO_BUILD_*`, ...).
fn is_cargo_run_variable(name: &str) -> bool {
    name == "CARGO"
        || name == "CARGO_CRATE_NAME"
        || name == "CARGO_PRIMARY_PACKAGE"
        || name.starts_with("CARGO_MANIFEST_")
        || name.starts_with("CARGO_PKG_")
        || name.starts_with("CARGO_BIN_")
}

/// `LD_LIBRARY_PATH` without the directories `cargo run` prepends (the
/// target directory's `deps` and the toolchain's `lib`).
fn without_cargo_run_paths(paths: &std::ffi::OsStr) -> OsString {
    let kept: Vec<PathBuf> = std::env::split_paths(paths)
        .filter(|path| {
            let text = path.to_string_lossy();
            !(text.contains("/target/") || text.contains("/.rustup/toolchains/"))
        })
        .collect();
    std::env::join_paths(kept).unwrap_or_default()
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
        let jar = PathBuf::from(jar);
        return if jar.is_file() {
            Ok(jar)
        } else {
            Err(format!(
                "OPENAPI_GENERATOR_JAR={} is not a file",
                jar.display()
            ))
        };
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
        Err(
            "python package `openapi_generator_cli` not found, and OPENAPI_GENERATOR_JAR not set"
                .into(),
        )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_variables_of_cargo_run_are_dropped() {
        for name in [
            "CARGO",
            "CARGO_PKG_NAME",
            "CARGO_MANIFEST_DIR",
            "CARGO_BIN_NAME",
        ] {
            assert!(is_cargo_run_variable(name), "{name}");
        }
        for name in ["CARGO_HOME", "CARGO_TARGET_DIR", "CARGO_BUILD_JOBS", "PATH"] {
            assert!(!is_cargo_run_variable(name), "{name}");
        }
        let paths = std::ffi::OsStr::new(
            "/work/main/target/debug/deps:/root/.rustup/toolchains/stable/lib:/opt/lib",
        );
        assert_eq!(without_cargo_run_paths(paths), OsString::from("/opt/lib"));
    }

    #[test]
    fn vapigen_is_measured_without_cargo() {
        assert_eq!(Tool::Vapigen.subject(), Subject::Named("xtask"));
        assert_eq!(Tool::OpenApiRust.subject(), Subject::Root);
    }
}
