//! `cargo xtask`: the project's tasks.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use xtask::codegen::{self, Request};

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
    },
    /// Measure generation, compile and server-stub speed against baselines (see BENCHMARKS.md).
    Bench(xtask::bench::Options),
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
        } => {
            let default = Request::checked_in();
            let request = Request {
                spec: spec.unwrap_or(default.spec),
                out: out.unwrap_or(default.out),
                crate_name,
                lenient,
            };
            codegen::run(&request, check)
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
