//! `cargo xtask`: the project's tasks.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use vapigen::release::Release;
use xtask::codegen::{self, Request};
use xtask::diff;

// Generation allocates millions of small token trees and syn nodes; mimalloc
// takes about a quarter off the generator's own CPU time against glibc
// malloc (vCenter spec, rustfmt stubbed out: 2.4 s -> 1.8 s user).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "vapigen project tasks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate the `generated` crate from `spec/` (or any spec into any directory).
    Codegen {
        /// Write nothing; fail with a diff if the output is stale.
        #[arg(long)]
        check: bool,
        /// The spec to read (YAML or JSON) [default: spec/vsphere.yaml].
        #[arg(long)]
        spec: Option<PathBuf>,
        /// The crate directory to write [default: generated/].
        #[arg(long)]
        out: Option<PathBuf>,
        /// The package name of the generated crate.
        #[arg(long, default_value = "vsphere-api")]
        crate_name: String,
        /// Turn references that resolve to nothing into free-form JSON with a
        /// warning, instead of failing (VMware's own files have such references).
        #[arg(long)]
        lenient: bool,
        /// Generate only what this vSphere release has (e.g. 7.0.3.0), by the
        /// spec's since-versions [default: everything the spec describes].
        #[arg(long, value_parser = parse_release)]
        api_version: Option<Release>,
        /// Format every item anew instead of taking unchanged ones from the
        /// cache in `target/vapigen/` (the output is the same either way).
        #[arg(long)]
        no_format_cache: bool,
    },
    /// Report what changed between two specs and what it does to the generated
    /// crate (breaking, additive or none, with the reason).
    Diff {
        /// The old spec: a path, or `REV:PATH` as git has it (`origin/main:spec/vsphere.yaml`).
        old: String,
        /// The new spec, likewise.
        new: String,
        /// How to print the report.
        #[arg(long, value_enum, default_value = "markdown")]
        format: diff::Format,
        /// Exit non-zero when any change is breaking (for CI).
        #[arg(long)]
        deny_breaking: bool,
        /// Turn references that resolve to nothing into free-form JSON.
        #[arg(long)]
        lenient: bool,
    },
    /// Hold the curated spec against a file VMware publishes: every fact of the
    /// operations both describe, classified as drift or declared refinement.
    Audit {
        /// VMware's published OpenAPI file (JSON or YAML).
        #[arg(long)]
        against: PathBuf,
        /// The curated spec [default: spec/vsphere.yaml].
        #[arg(long)]
        spec: Option<PathBuf>,
        /// The release the published file describes [default: its info.version,
        /// when that is a vSphere release].
        #[arg(long, value_parser = parse_release)]
        api_version: Option<Release>,
        /// How to print the audit.
        #[arg(long, value_enum, default_value = "markdown")]
        format: xtask::audit::Format,
        /// Exit non-zero when there is any drift (for CI).
        #[arg(long)]
        deny_drift: bool,
    },
    /// Measure generation, compile and server-stub speed against baselines (see BENCHMARKS.md).
    Bench(xtask::bench::Options),
}

fn parse_release(text: &str) -> Result<Release, String> {
    Release::parse(text).ok_or_else(|| format!("`{text}` is not a release number like 7.0.3.0"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Codegen {
            check,
            spec,
            out,
            crate_name,
            lenient,
            api_version,
            no_format_cache,
        } => {
            let default = Request::checked_in();
            let request = Request {
                spec: spec.unwrap_or(default.spec),
                out: out.unwrap_or(default.out),
                crate_name,
                lenient,
                api_version,
                format_cache: !no_format_cache,
            };
            codegen::run(&request, check)
        }
        Command::Diff {
            old,
            new,
            format,
            deny_breaking,
            lenient,
        } => diff::run(&old, &new, lenient).and_then(|report| {
            print!("{}", diff::render(&report, format)?);
            if deny_breaking && report.is_breaking() {
                anyhow::bail!(
                    "{} breaking change(s)",
                    report.count(vapigen::diff::Impact::Breaking)
                );
            }
            Ok(())
        }),
        Command::Audit {
            against,
            spec,
            api_version,
            format,
            deny_drift,
        } => {
            let spec = spec.unwrap_or(Request::checked_in().spec);
            xtask::audit::run(&spec, &against, api_version).and_then(|audit| {
                print!("{}", xtask::audit::render(&audit, &against, format)?);
                let drift = audit.count(vapigen::audit::Class::Drift);
                if deny_drift && drift > 0 {
                    anyhow::bail!(
                        "{drift} undeclared difference(s) from {}",
                        against.display()
                    );
                }
                Ok(())
            })
        }
        Command::Bench(options) => xtask::bench::run(options),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
