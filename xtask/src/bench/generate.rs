//! Section `generate`: whole-process wall time and peak memory of turning
//! each input into a crate, per tool, with ratios against vapigen.

use super::measure::{self, Outcome, Stats};
use super::tools::{Located, Tool};
use super::{Input, Options};
use anyhow::Result;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// What one tool did on one input.
pub enum Finding {
    /// Not installed: why, and how to install it.
    Missing(String),
    /// Failed on this input (first error line).
    Failed(String),
    /// Ran every time.
    Measured(Stats),
}

/// Runs every tool on every input and prints the tables.
pub fn run(
    options: &Options,
    inputs: &[Input],
    tools: &[Tool],
    vapigen: &Path,
    scratch: &Path,
) -> Result<()> {
    let located: Vec<(Tool, Result<Located, String>)> = tools
        .iter()
        .map(|tool| (*tool, tool.locate(vapigen)))
        .collect();
    println!("## Generation\n");
    for (tool, location) in &located {
        match location {
            Ok(found) => println!("- {}: {}", tool.name(), tool.version(found)),
            Err(why) => println!(
                "- {}: not installed ({why}; install: `{}`)",
                tool.name(),
                tool.install_hint()
            ),
        }
    }
    println!(
        "\nRuns: {} of vapigen, {} of each baseline, per input; median (min–max) wall time of the whole process; peak RSS of its largest process.\n",
        options.runs, options.baseline_runs
    );
    let mut results: BTreeMap<(String, &'static str), Finding> = BTreeMap::new();
    for input in inputs {
        for (tool, location) in &located {
            let result = match location {
                Err(why) => {
                    Finding::Missing(format!("not installed ({why}): `{}`", tool.install_hint()))
                }
                Ok(found) => {
                    let runs = if *tool == Tool::Vapigen {
                        options.runs
                    } else {
                        options.baseline_runs
                    };
                    measure_tool(*tool, found, input, runs, scratch)?
                }
            };
            results.insert((input.name.clone(), tool.name()), result);
        }
    }
    print_table(inputs, tools, &results);
    print_growth(inputs, &results);
    if options.phases && tools.contains(&Tool::Vapigen) {
        print_phases(inputs, vapigen, scratch)?;
    }
    Ok(())
}

/// One untimed warm-up run (page cache, JIT-less JVM start is still counted
/// in the timed ones), then `runs` timed runs, each into an empty directory.
fn measure_tool(
    tool: Tool,
    located: &Located,
    input: &Input,
    runs: usize,
    scratch: &Path,
) -> Result<Finding> {
    let out = scratch.join("out");
    let mut samples = Vec::new();
    for run in 0..=runs {
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(&out)?;
        eprintln!(
            "bench: {} on {} ({})",
            tool.name(),
            input.name,
            if run == 0 {
                "warm-up".to_owned()
            } else {
                format!("run {run}/{runs}")
            }
        );
        match measure::run(&mut tool.command(located, &input.path, &out))? {
            Outcome::Ok(sample) if run > 0 => samples.push(sample),
            Outcome::Ok(_) => {}
            Outcome::Failed(line) => return Ok(Finding::Failed(line)),
        }
    }
    let _ = std::fs::remove_dir_all(&out);
    Ok(Stats::of(&samples).map_or_else(|| Finding::Failed("no runs".into()), Finding::Measured))
}

fn print_table(
    inputs: &[Input],
    tools: &[Tool],
    results: &BTreeMap<(String, &'static str), Finding>,
) {
    println!("| input | operations | schemas | tool | wall time | peak RSS | time vs vapigen |");
    println!("|---|---:|---:|---|---:|---:|---:|");
    for input in inputs {
        let ours = match results.get(&(input.name.clone(), Tool::Vapigen.name())) {
            Some(Finding::Measured(stats)) => Some(stats.median),
            _ => None,
        };
        for tool in tools {
            let Some(result) = results.get(&(input.name.clone(), tool.name())) else {
                continue;
            };
            let (time, rss, ratio) = match result {
                Finding::Missing(why) => (why.clone(), String::new(), String::new()),
                Finding::Failed(line) => {
                    (format!("**failed**: {line}"), String::new(), String::new())
                }
                Finding::Measured(stats) => {
                    let ratio = match ours {
                        Some(ours) if *tool != Tool::Vapigen => format!(
                            "{:.1}x slower",
                            stats.median.as_secs_f64() / ours.as_secs_f64()
                        ),
                        _ => String::new(),
                    };
                    (stats.time_cell(), measure::mib(stats.rss_kib), ratio)
                }
            };
            println!(
                "| {} | {} | {} | {} | {time} | {rss} | {ratio} |",
                input.name,
                input.operations,
                input.schemas,
                tool.name()
            );
        }
    }
    println!();
}

/// vapigen's cost per operation across the synthetic series: flat means linear.
fn print_growth(inputs: &[Input], results: &BTreeMap<(String, &'static str), Finding>) {
    let series: Vec<(&Input, Stats)> = inputs
        .iter()
        .filter(|input| input.name.starts_with("synthetic-"))
        .filter_map(
            |input| match results.get(&(input.name.clone(), Tool::Vapigen.name())) {
                Some(Finding::Measured(stats)) => Some((input, *stats)),
                _ => None,
            },
        )
        .collect();
    if series.len() < 2 {
        return;
    }
    println!("Growth of vapigen with spec size (synthetic series):\n");
    println!("| operations | wall time | ms per operation | peak RSS |");
    println!("|---:|---:|---:|---:|");
    for (input, stats) in series {
        println!(
            "| {} | {} | {:.2} | {} |",
            input.operations,
            measure::seconds(stats.median),
            stats.median.as_secs_f64() * 1000.0 / input.operations.max(1) as f64,
            measure::mib(stats.rss_kib)
        );
    }
    println!();
}

/// Where vapigen's time goes: one run per input with `VAPIGEN_TIMINGS=1`.
fn print_phases(inputs: &[Input], vapigen: &Path, scratch: &Path) -> Result<()> {
    let out = scratch.join("phases");
    let mut columns: Vec<(String, BTreeMap<String, f64>)> = Vec::new();
    let mut order: Vec<String> = Vec::new();
    for input in inputs {
        let _ = std::fs::remove_dir_all(&out);
        let output = Command::new(vapigen)
            .env("VAPIGEN_TIMINGS", "1")
            .args(["codegen", "--lenient", "--spec"])
            .arg(&input.path)
            .arg("--out")
            .arg(&out)
            .output()?;
        let mut phases = BTreeMap::new();
        for line in String::from_utf8_lossy(&output.stderr).lines() {
            let mut words = line.split_whitespace();
            if let (Some("timing:"), Some(phase), Some(ms)) =
                (words.next(), words.next(), words.next())
            {
                if !order.iter().any(|known| known == phase) {
                    order.push(phase.to_owned());
                }
                phases.insert(phase.to_owned(), ms.parse().unwrap_or(0.0));
            }
        }
        columns.push((input.name.clone(), phases));
    }
    let _ = std::fs::remove_dir_all(&out);
    order.sort_by_key(|phase| phase_rank(phase));
    println!(
        "Where vapigen's time goes (ms, one run each; the emit jobs run side by side on all cores, so per-file times overlap):\n"
    );
    let names: Vec<&str> = columns.iter().map(|(name, _)| name.as_str()).collect();
    println!("| phase | {} |", names.join(" | "));
    println!("|---|{}", "---:|".repeat(names.len()));
    for phase in &order {
        let cells: Vec<String> = columns
            .iter()
            .map(|(_, phases)| {
                phases
                    .get(phase)
                    .map_or(String::new(), |ms| format!("{ms:.0}"))
            })
            .collect();
        println!("| {phase} | {} |", cells.join(" | "));
    }
    println!();
    Ok(())
}

/// Pipeline order: load, lower, then emit per file, emit total last.
fn phase_rank(phase: &str) -> (u8, String) {
    let rank = match phase {
        "load/parse" => 0,
        "load/openapiv3" => 1,
        "load" => 2,
        "lower" => 3,
        "emit" => 9,
        _ => 5,
    };
    (rank, phase.to_owned())
}
