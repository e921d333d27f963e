//! Section `compile`: what the emitted crate costs to build. A clean build
//! (dependencies included, fresh target directory, dependencies already
//! downloaded) and a crate-only rebuild (the crate's own `src/lib.rs`
//! touched), for vapigen's crate with and without `client,server` and for the
//! crates the baselines emit from the same spec.

use super::measure::{self, Outcome, Stats, Subject};
use super::tools::{Located, Tool, Vapigen};
use super::{Input, Options, cargo};
use anyhow::Result;
use std::path::Path;
use std::process::Command;

/// One crate to build: which tool made it and with which features.
struct Variant {
    tool: Tool,
    label: &'static str,
    features: Option<&'static str>,
}

const VARIANTS: &[Variant] = &[
    Variant {
        tool: Tool::Vapigen,
        label: "types only",
        features: None,
    },
    Variant {
        tool: Tool::Vapigen,
        label: "client,server",
        features: Some("client,server"),
    },
    Variant {
        tool: Tool::OpenApiRust,
        label: "client",
        features: None,
    },
    Variant {
        tool: Tool::OpenApiRustAxum,
        label: "server",
        features: None,
    },
    Variant {
        tool: Tool::Progenitor,
        label: "client",
        features: None,
    },
];

/// Builds each tool's crate for each input and prints the table.
pub fn run(
    options: &Options,
    inputs: &[&Input],
    tools: &[Tool],
    vapigen: &Vapigen,
    scratch: &Path,
) -> Result<()> {
    println!("## Compile cost of the generated crate\n");
    println!(
        "`cargo build` (dev profile) of each generated crate: clean = fresh target directory, every dependency compiled (downloads done beforehand, 1 run); crate-only = `src/lib.rs` touched, median (min–max) of {} runs.\n",
        options.baseline_runs
    );
    println!(
        "| input | crate | clean build | crate-only rebuild | peak RSS of the largest process (crate-only) |"
    );
    println!("|---|---|---:|---:|---:|");
    for input in inputs {
        for tool in tools {
            if !VARIANTS.iter().any(|variant| variant.tool == *tool) {
                continue;
            }
            let crate_dir = scratch.join("compile").join(tool.name().replace(' ', "-"));
            let _ = std::fs::remove_dir_all(&crate_dir);
            std::fs::create_dir_all(&crate_dir)?;
            let generated = match tool.locate(vapigen) {
                Err(why) => Err(format!("{why}: `{}`", tool.install_hint())),
                Ok(located) => generate(*tool, &located, input, &crate_dir)?,
            };
            for variant in VARIANTS.iter().filter(|variant| variant.tool == *tool) {
                let crate_name = format!("{} ({})", tool.name(), variant.label);
                let cells = match &generated {
                    Err(why) => vec![
                        format!("not generated: {why}"),
                        String::new(),
                        String::new(),
                    ],
                    Ok(()) => build(variant, &crate_dir, options.baseline_runs)?,
                };
                println!("| {} | {crate_name} | {} |", input.name, cells.join(" | "));
            }
            let _ = std::fs::remove_dir_all(&crate_dir);
        }
    }
    println!();
    Ok(())
}

fn generate(
    tool: Tool,
    located: &Located,
    input: &Input,
    out: &Path,
) -> Result<Result<(), String>> {
    eprintln!(
        "bench: {} generates {} for compiling",
        tool.name(),
        input.name
    );
    Ok(
        match measure::run(&mut tool.command(located, &input.path, out), tool.subject())? {
            Outcome::Ok(_) => Ok(()),
            Outcome::Failed(line) => Err(format!("generation failed ({line})")),
        },
    )
}

/// Clean build, then crate-only rebuilds: three table cells.
fn build(variant: &Variant, crate_dir: &Path, runs: usize) -> Result<Vec<String>> {
    let target = crate_dir.join(format!("target-{}", variant.label.replace([' ', ','], "-")));
    let cargo_command = |subcommand: &str| {
        let mut command = Command::new(cargo());
        command
            .arg(subcommand)
            .current_dir(crate_dir)
            .env("CARGO_TARGET_DIR", &target);
        command
    };
    eprintln!("bench: fetching dependencies of {}", crate_dir.display());
    if let Outcome::Failed(line) = measure::run(&mut cargo_command("fetch"), Subject::Root)? {
        return Ok(vec![
            format!("**fetch failed**: {line}"),
            String::new(),
            String::new(),
        ]);
    }
    let build_command = || {
        let mut command = cargo_command("build");
        command.arg("--offline");
        if let Some(features) = variant.features {
            command.args(["--features", features]);
        }
        command
    };
    eprintln!(
        "bench: clean build of {} ({})",
        crate_dir.display(),
        variant.label
    );
    let clean = match measure::run(&mut build_command(), Subject::Root)? {
        Outcome::Ok(sample) => measure::seconds(sample.wall),
        Outcome::Failed(line) => {
            return Ok(vec![
                format!("**build failed**: {line}"),
                String::new(),
                String::new(),
            ]);
        }
    };
    let lib = crate_dir.join("src/lib.rs");
    let text = std::fs::read(&lib)?;
    let mut samples = Vec::new();
    for run in 1..=runs {
        eprintln!("bench: crate-only rebuild {run}/{runs}");
        // Rewriting the same bytes moves the mtime: cargo rebuilds the crate only.
        std::fs::write(&lib, &text)?;
        match measure::run(&mut build_command(), Subject::Root)? {
            Outcome::Ok(sample) => samples.push(sample),
            Outcome::Failed(line) => {
                return Ok(vec![clean, format!("**failed**: {line}"), String::new()]);
            }
        }
    }
    let _ = std::fs::remove_dir_all(&target);
    Ok(match Stats::of(&samples) {
        Some(stats) => vec![clean, stats.time_cell(), measure::mib(stats.largest_kib)],
        None => vec![clean, String::new(), String::new()],
    })
}
