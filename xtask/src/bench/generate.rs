//! Section `generate`: whole-process wall time and peak memory of turning
//! each input into a crate, per tool, with ratios against vapigen, and the
//! generation targets: the vCenter spec's time and speed-up over
//! openapi-generator, linear growth and peak memory on the synthetic series.

use super::measure::{self, Outcome, Stats};
use super::tools::{Located, Tool, Vapigen};
use super::{Input, Options, Target, Verdict};
use anyhow::Result;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// What one tool did on one input.
pub enum Finding {
    /// Not installed: why, and how to install it.
    Missing(String),
    /// Failed on this input (first error line).
    Failed(String),
    /// Ran every time.
    Measured(Stats),
}

/// The spec of target 1, and its limits.
const VCENTER: &str = "vcenter";
const VCENTER_BUDGET_SECS: f64 = 0.5;
const SPEEDUP_WANTED: f64 = 10.0;
/// The sizes of targets 2 and 3, and their limits.
const GROWTH_FROM: usize = 100;
const GROWTH_TO: usize = 5000;
const GROWTH_LIMIT: f64 = 1.5;
const MEMORY_BUDGET_KIB: u64 = 1024 * 1024;

type Results = BTreeMap<(String, &'static str), Finding>;

/// Runs every tool on every input, prints the tables and returns the
/// generation targets.
pub fn run(
    options: &Options,
    inputs: &[Input],
    tools: &[Tool],
    vapigen: &Vapigen,
    scratch: &Path,
) -> Result<Vec<Target>> {
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
        "\nEach tool: one untimed warm-up run per input, then timed runs ({} of each vapigen row, {} of each baseline), each into an empty directory (`vapigen (regenerating its output)`: into what the warm-up wrote); wall time of the whole process, median (min–max). `vapigen` is `cargo xtask codegen --lenient --spec SPEC --out DIR` as a user runs it (dev profile, through cargo: its freshness check is in the time). Peak memory: the highest, over the runs, of the summed resident memory of the tool and its children (sampled from /proc every {} ms; for `cargo xtask` the generator's process and any children, not cargo); largest process: the highest VmHWM of one of them.\n",
        options.runs,
        options.baseline_runs,
        measure::INTERVAL.as_millis()
    );
    let mut results: Results = BTreeMap::new();
    for input in inputs {
        for (tool, location) in &located {
            let result = match location {
                Err(why) => {
                    Finding::Missing(format!("not installed ({why}): `{}`", tool.install_hint()))
                }
                Ok(found) => {
                    let runs = if tool.is_vapigen() {
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
    let mut targets = speed_targets(inputs, &results);
    for tool in [
        Tool::Vapigen,
        Tool::VapigenRegenerate,
        Tool::VapigenCold,
        Tool::VapigenRelease,
    ] {
        if tools.contains(&tool) {
            targets.extend(print_growth(inputs, tool, &results));
        }
    }
    if tools.contains(&Tool::Vapigen) {
        targets.push(memory_target(inputs, &results));
    }
    for target in &targets {
        println!("{}\n", target.line());
    }
    if options.phases && tools.contains(&Tool::Vapigen) {
        print_phases(inputs, vapigen, scratch)?;
    }
    Ok(targets)
}

/// One untimed warm-up run (page cache, cargo's fingerprints; the JVM's start
/// is still counted in the timed ones), then `runs` timed runs, each into an
/// empty directory (`vapigen-regenerate`: into what the warm-up wrote).
fn measure_tool(
    tool: Tool,
    located: &Located,
    input: &Input,
    runs: usize,
    scratch: &Path,
) -> Result<Finding> {
    let out = scratch.join("out");
    let mut samples = Vec::new();
    let _ = std::fs::remove_dir_all(&out);
    for run in 0..=runs {
        // Regenerating measures runs into what the warm-up wrote.
        if tool != Tool::VapigenRegenerate {
            let _ = std::fs::remove_dir_all(&out);
        }
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
        match measure::run(
            &mut tool.command(located, &input.path, &out),
            tool.subject(),
        )? {
            Outcome::Ok(sample) if run > 0 => samples.push(sample),
            Outcome::Ok(_) => {}
            Outcome::Failed(line) => return Ok(Finding::Failed(line)),
        }
    }
    let _ = std::fs::remove_dir_all(&out);
    Ok(Stats::of(&samples).map_or_else(|| Finding::Failed("no runs".into()), Finding::Measured))
}

fn stats(results: &Results, input: &str, tool: Tool) -> Option<Stats> {
    match results.get(&(input.to_owned(), tool.name())) {
        Some(Finding::Measured(stats)) => Some(*stats),
        _ => None,
    }
}

/// `3.2x slower` / `1.5x faster`: `theirs` against `ours`.
fn relative(theirs: Duration, ours: Duration) -> String {
    let ratio = theirs.as_secs_f64() / ours.as_secs_f64();
    if ratio >= 1.0 {
        format!("{ratio:.1}x slower")
    } else {
        format!("{:.1}x faster", 1.0 / ratio)
    }
}

fn print_table(inputs: &[Input], tools: &[Tool], results: &Results) {
    println!(
        "| input | operations | schemas | tool | wall time | peak memory (with children) | largest process | time vs vapigen |"
    );
    println!("|---|---:|---:|---|---:|---:|---:|---:|");
    for input in inputs {
        let ours = stats(results, &input.name, Tool::Vapigen).map(|stats| stats.median);
        for tool in tools {
            let Some(result) = results.get(&(input.name.clone(), tool.name())) else {
                continue;
            };
            let cells = match result {
                Finding::Missing(why) => [why.clone(), String::new(), String::new(), String::new()],
                Finding::Failed(line) => [
                    format!("**failed**: {line}"),
                    String::new(),
                    String::new(),
                    String::new(),
                ],
                Finding::Measured(stats) => [
                    stats.time_cell(),
                    measure::mib(stats.tree_kib),
                    measure::mib(stats.largest_kib),
                    match ours {
                        Some(ours) if *tool != Tool::Vapigen => relative(stats.median, ours),
                        _ => String::new(),
                    },
                ],
            };
            println!(
                "| {} | {} | {} | {} | {} |",
                input.name,
                input.operations,
                input.schemas,
                tool.name(),
                cells.join(" | ")
            );
        }
    }
    println!();
}

/// Target 1: the vCenter spec, as users run it, within the budget and
/// [`SPEEDUP_WANTED`] times faster than openapi-generator `rust`.
fn speed_targets(inputs: &[Input], results: &Results) -> Vec<Target> {
    let budget_goal = format!(
        "{VCENTER}.json with `cargo xtask codegen` ≤ {VCENTER_BUDGET_SECS} s (median / budget ≤ 1)"
    );
    let speedup_goal = format!(
        "{VCENTER}.json ≥ {SPEEDUP_WANTED:.0}x faster than openapi-generator rust (their median / ours ≥ {SPEEDUP_WANTED:.0})"
    );
    let not_measured = |goal: String, why: String| Target {
        goal,
        measured: why,
        verdict: Verdict::NotMeasured,
    };
    if !inputs.iter().any(|input| input.name == VCENTER) {
        let why = format!("{VCENTER} not in this run (`--only`, or testdata/vmware missing)");
        return vec![
            not_measured(budget_goal, why.clone()),
            not_measured(speedup_goal, why),
        ];
    }
    let Some(ours) = stats(results, VCENTER, Tool::Vapigen) else {
        let why = "vapigen did not run or failed on it".to_owned();
        return vec![
            not_measured(budget_goal, why.clone()),
            not_measured(speedup_goal, why),
        ];
    };
    let budget_ratio = ours.median.as_secs_f64() / VCENTER_BUDGET_SECS;
    let budget = Target {
        goal: budget_goal,
        measured: format!("{} = {budget_ratio:.2}x the budget", ours.time_cell()),
        verdict: Verdict::at_most(budget_ratio, 1.0),
    };
    let speedup = match results.get(&(VCENTER.to_owned(), Tool::OpenApiRust.name())) {
        Some(Finding::Measured(theirs)) => {
            let ratio = theirs.median.as_secs_f64() / ours.median.as_secs_f64();
            Target {
                goal: speedup_goal,
                measured: format!(
                    "openapi-generator {} / vapigen {} = {ratio:.1}x",
                    theirs.time_cell(),
                    ours.time_cell()
                ),
                verdict: Verdict::at_least(ratio, SPEEDUP_WANTED),
            }
        }
        Some(Finding::Missing(why) | Finding::Failed(why)) => {
            not_measured(speedup_goal, why.clone())
        }
        None => not_measured(
            speedup_goal,
            "openapi-generator rust not selected (`--tools`)".into(),
        ),
    };
    let mut targets = vec![budget, speedup];
    // The same budget for regenerating the checked-in crate, when measured.
    if let Some(again) = stats(results, VCENTER, Tool::VapigenRegenerate) {
        let ratio = again.median.as_secs_f64() / VCENTER_BUDGET_SECS;
        targets.push(Target {
            goal: format!(
                "{VCENTER}.json with `cargo xtask codegen` into its previous output ≤ {VCENTER_BUDGET_SECS} s (median / budget ≤ 1)"
            ),
            measured: format!("{} = {ratio:.2}x the budget", again.time_cell()),
            verdict: Verdict::at_most(ratio, 1.0),
        });
    }
    targets
}

/// ms per operation.
fn per_operation(stats: &Stats, input: &Input) -> f64 {
    stats.median.as_secs_f64() * 1000.0 / input.operations.max(1) as f64
}

/// The synthetic inputs `tool` was measured on, smallest first.
fn series<'a>(inputs: &'a [Input], tool: Tool, results: &Results) -> Vec<(&'a Input, Stats)> {
    let mut series: Vec<(&Input, Stats)> = inputs
        .iter()
        .filter(|input| input.name.starts_with("synthetic-"))
        .filter_map(|input| Some((input, stats(results, &input.name, tool)?)))
        .collect();
    series.sort_by_key(|(input, _)| input.operations);
    series
}

/// vapigen's cost per operation across the synthetic series (flat means
/// linear), and target 2 on it.
fn print_growth(inputs: &[Input], tool: Tool, results: &Results) -> Option<Target> {
    let series = series(inputs, tool, results);
    if series.is_empty() {
        return (tool == Tool::Vapigen).then(|| growth_target(tool, &series));
    }
    let base = series
        .iter()
        .find(|(input, _)| input.name == format!("synthetic-{GROWTH_FROM}"))
        .map(|(input, stats)| per_operation(stats, input));
    println!(
        "Growth of {} with spec size (synthetic series):\n",
        tool.name()
    );
    println!(
        "| operations | wall time | ms per operation | vs {GROWTH_FROM} operations | peak memory (with children) |"
    );
    println!("|---:|---:|---:|---:|---:|");
    for (input, stats) in &series {
        let ms = per_operation(stats, input);
        println!(
            "| {} | {} | {ms:.2} | {} | {} |",
            input.operations,
            stats.time_cell(),
            base.map_or(String::new(), |base| format!("{:.2}x", ms / base)),
            measure::mib(stats.tree_kib)
        );
    }
    println!();
    Some(growth_target(tool, &series))
}

fn growth_target(tool: Tool, series: &[(&Input, Stats)]) -> Target {
    let goal = format!(
        "linear growth, {}: ms per operation at {GROWTH_TO} operations ≤ {GROWTH_LIMIT}x that at {GROWTH_FROM}",
        tool.name()
    );
    let at = |size: usize| {
        series
            .iter()
            .find(|(input, _)| input.name == format!("synthetic-{size}"))
            .map(|(input, stats)| per_operation(stats, input))
    };
    let Some(from) = at(GROWTH_FROM) else {
        return Target {
            goal,
            measured: format!("synthetic-{GROWTH_FROM} not in this run (`--sizes`, `--only`)"),
            verdict: Verdict::NotMeasured,
        };
    };
    if let Some(to) = at(GROWTH_TO) {
        let ratio = to / from;
        return Target {
            goal,
            measured: format!("{to:.2} ms / {from:.2} ms = {ratio:.2}x"),
            verdict: Verdict::at_most(ratio, GROWTH_LIMIT),
        };
    }
    let largest = series
        .last()
        .map(|(input, stats)| (input, per_operation(stats, input)));
    Target {
        goal,
        measured: match largest {
            Some((input, to)) if input.operations > GROWTH_FROM => format!(
                "synthetic-{GROWTH_TO} not in this run; largest here: {to:.2} ms at {} / {from:.2} ms = {:.2}x",
                input.operations,
                to / from
            ),
            _ => format!("synthetic-{GROWTH_TO} not in this run (`--sizes`, `--only`)"),
        },
        verdict: Verdict::NotMeasured,
    }
}

/// Target 3: peak memory of the generator and its children at 5,000
/// operations within 1 GiB.
fn memory_target(inputs: &[Input], results: &Results) -> Target {
    let goal = format!(
        "peak memory at {GROWTH_TO} operations ≤ 1 GiB (generator and its children, not cargo; peak / 1 GiB ≤ 1)"
    );
    let series = series(inputs, Tool::Vapigen, results);
    let cell = |stats: &Stats| {
        let ratio = stats.tree_kib as f64 / MEMORY_BUDGET_KIB as f64;
        (
            ratio,
            format!(
                "{} (largest process {}) = {ratio:.2}x the budget",
                measure::mib(stats.tree_kib),
                measure::mib(stats.largest_kib)
            ),
        )
    };
    if let Some((_, stats)) = series
        .iter()
        .find(|(input, _)| input.name == format!("synthetic-{GROWTH_TO}"))
    {
        let (ratio, measured) = cell(stats);
        return Target {
            goal,
            measured,
            verdict: Verdict::at_most(ratio, 1.0),
        };
    }
    Target {
        goal,
        measured: match series.last() {
            Some((input, stats)) => format!(
                "synthetic-{GROWTH_TO} not in this run; largest here, {}: {}",
                input.name,
                cell(stats).1
            ),
            None => format!("synthetic-{GROWTH_TO} not in this run (`--sizes`, `--only`)"),
        },
        verdict: Verdict::NotMeasured,
    }
}

/// Where vapigen's time goes: one run per input with `VAPIGEN_TIMINGS=1`.
fn print_phases(inputs: &[Input], vapigen: &Vapigen, scratch: &Path) -> Result<()> {
    let out = scratch.join("phases");
    let mut columns: Vec<(String, BTreeMap<String, f64>)> = Vec::new();
    let mut order: Vec<String> = Vec::new();
    for input in inputs {
        let _ = std::fs::remove_dir_all(&out);
        let output = vapigen
            .cargo_xtask()
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
        "Where vapigen's time goes (ms, one run each of `cargo xtask codegen` with `VAPIGEN_TIMINGS=1`; the emit jobs run side by side on all cores, so per-file times overlap):\n"
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn input(operations: usize) -> Input {
        Input {
            name: format!("synthetic-{operations}"),
            path: PathBuf::new(),
            operations,
            schemas: 0,
        }
    }

    fn measured(ms: u64, tree_kib: u64) -> Finding {
        let sample = measure::Sample {
            wall: Duration::from_millis(ms),
            tree_kib,
            largest_kib: tree_kib,
        };
        Finding::Measured(Stats::of(&[sample]).unwrap())
    }

    #[test]
    fn growth_and_memory_targets_are_ratios_at_the_named_sizes() {
        let inputs = [input(100), input(1000), input(5000)];
        let mut results = Results::new();
        for (size, ms, kib) in [(100, 1000, 1), (1000, 12_000, 2), (5000, 80_000, 2 << 20)] {
            results.insert(
                (format!("synthetic-{size}"), Tool::Vapigen.name()),
                measured(ms, kib),
            );
        }
        let series = series(&inputs, Tool::Vapigen, &results);
        let growth = growth_target(Tool::Vapigen, &series);
        assert_eq!(growth.verdict, Verdict::Missed, "{}", growth.measured);
        assert!(growth.measured.contains("= 1.60x"), "{}", growth.measured);
        let memory = memory_target(&inputs, &results);
        assert_eq!(memory.verdict, Verdict::Missed);
        assert!(memory.measured.contains("2.00x"), "{}", memory.measured);

        let partial = &inputs[..2];
        let growth = growth_target(
            Tool::Vapigen,
            &super::series(partial, Tool::Vapigen, &results),
        );
        assert_eq!(growth.verdict, Verdict::NotMeasured);
        assert!(growth.measured.contains("= 1.20x"), "{}", growth.measured);
        assert_eq!(
            memory_target(partial, &results).verdict,
            Verdict::NotMeasured
        );
    }

    #[test]
    fn speed_targets_compare_with_openapi_generator_in_the_same_run() {
        let vcenter = Input {
            name: VCENTER.into(),
            path: PathBuf::new(),
            operations: 441,
            schemas: 0,
        };
        let mut results = Results::new();
        results.insert((VCENTER.into(), Tool::Vapigen.name()), measured(400, 1));
        results.insert(
            (VCENTER.into(), Tool::OpenApiRust.name()),
            measured(3000, 1),
        );
        let targets = speed_targets(std::slice::from_ref(&vcenter), &results);
        assert_eq!(targets[0].verdict, Verdict::Met);
        assert!(
            targets[0].measured.contains("0.80x the budget"),
            "{}",
            targets[0].measured
        );
        assert_eq!(targets[1].verdict, Verdict::Missed);
        assert!(
            targets[1].measured.contains("= 7.5x"),
            "{}",
            targets[1].measured
        );
        assert_eq!(
            relative(Duration::from_secs(3), Duration::from_secs(1)),
            "3.0x slower"
        );
        assert_eq!(
            relative(Duration::from_secs(1), Duration::from_secs(4)),
            "4.0x faster"
        );
        assert!(
            speed_targets(&[], &results)
                .iter()
                .all(|target| target.verdict == Verdict::NotMeasured)
        );
    }
}
