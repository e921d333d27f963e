//! `cargo xtask bench`: measured speed of generation, of compiling what we
//! emit, and of the generated server stubs, against openapi-generator and
//! progenitor where they apply. Prints Markdown tables (BENCHMARKS.md shows
//! how they were taken), each target as a ratio measured in the same run and
//! whether it is met. Not a test: only the arithmetic is unit-tested, no
//! measured figure is compared with a threshold under `cargo test`.

mod compile;
mod generate;
mod measure;
mod server;
mod synthetic;
mod tools;

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;
use tools::{Tool, Vapigen};

/// Which part of the benchmark to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Section {
    /// Wall time and peak memory of generating each input with each tool.
    Generate,
    /// Clean and crate-only build times of the generated crates.
    Compile,
    /// Latency and throughput of the generated server stub vs a hand-written handler.
    Server,
}

/// What to measure and how often.
#[derive(Clone, Debug, clap::Args)]
pub struct Options {
    /// Sections to run [default: all].
    #[arg(value_enum)]
    pub sections: Vec<Section>,
    /// Timed runs of vapigen per input (the median is reported).
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// Timed runs of each baseline per input (they take seconds each).
    #[arg(long, default_value_t = 3)]
    pub baseline_runs: usize,
    /// Operation counts of the synthetic specs.
    #[arg(long, value_delimiter = ',', default_value = "10,100,1000,5000")]
    pub sizes: Vec<usize>,
    /// A fast smoke run: one run each, synthetic sizes 10 and 100, short load.
    #[arg(long)]
    pub quick: bool,
    /// Only these inputs (`curated`, `vcenter`, `synthetic-N`), comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Only these tools (`vapigen` = `cargo xtask codegen`, `vapigen-release`
    /// = the release binary, `rust`, `rust-axum`, `progenitor`), comma-separated
    /// [default: all; `--quick` leaves out `vapigen-release`].
    #[arg(long, value_delimiter = ',')]
    pub tools: Vec<String>,
    /// Also print where vapigen's time goes, per phase (`VAPIGEN_TIMINGS`).
    #[arg(long)]
    pub phases: bool,
    /// The inputs whose generated crates are compiled (section `compile`).
    #[arg(long, value_delimiter = ',', default_value = "curated")]
    pub compile_inputs: Vec<String>,
    /// Seconds of load per server run (section `server`).
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Alternating generated/baseline rounds of load (section `server`).
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
}

/// A spec to generate from.
#[derive(Clone, Debug)]
pub struct Input {
    /// `curated`, `vcenter` or `synthetic-N`.
    pub name: String,
    /// The file.
    pub path: PathBuf,
    /// Operations in it.
    pub operations: usize,
    /// Schemas under `components`.
    pub schemas: usize,
}

/// Runs the selected sections and prints their tables on stdout.
pub fn run(mut options: Options) -> Result<()> {
    if options.quick {
        options.runs = 1;
        options.baseline_runs = 1;
        options.sizes.retain(|size| *size <= 100);
        options.duration = options.duration.min(2);
        options.rounds = 1;
    }
    if options.runs == 0 || options.baseline_runs == 0 {
        bail!("--runs and --baseline-runs must be at least 1");
    }
    let sections = if options.sections.is_empty() {
        vec![Section::Generate, Section::Compile, Section::Server]
    } else {
        options.sections.clone()
    };
    let scratch = tempfile::Builder::new()
        .prefix("vapigen-bench-")
        .tempdir()?;
    println!("{}", machine_report());
    let mut targets = Vec::new();
    if sections.contains(&Section::Generate) || sections.contains(&Section::Compile) {
        let tools = selected_tools(&options);
        let vapigen = prepare_vapigen(&tools)?;
        let inputs = inputs(&options, scratch.path())?;
        if sections.contains(&Section::Generate) {
            targets.extend(generate::run(
                &options,
                &inputs,
                &tools,
                &vapigen,
                scratch.path(),
            )?);
        }
        if sections.contains(&Section::Compile) {
            let wanted: Vec<&Input> = inputs
                .iter()
                .filter(|input| options.compile_inputs.contains(&input.name))
                .collect();
            compile::run(&options, &wanted, &tools, &vapigen, scratch.path())?;
        }
    }
    if sections.contains(&Section::Server) {
        targets.extend(server::run(&options)?);
    }
    print_targets(&targets);
    Ok(())
}

/// Builds what `cargo xtask` runs (the dev profile: normally a no-op, since
/// that is the binary running this bench) so that the untimed warm-up does
/// not compile, and the release binary when its row is wanted.
fn prepare_vapigen(tools: &[Tool]) -> Result<Vapigen> {
    let root = crate::codegen::workspace_root();
    let cargo = tools::which("cargo").unwrap_or_else(|| PathBuf::from(cargo()));
    let build = |args: &[&str]| -> Result<()> {
        eprintln!("bench: cargo {}", args.join(" "));
        let status = Command::new(&cargo)
            .args(args)
            .current_dir(&root)
            .status()
            .context("running cargo build")?;
        if !status.success() {
            bail!("cargo {} failed", args.join(" "));
        }
        Ok(())
    };
    if tools.contains(&Tool::Vapigen) {
        build(&["build", "--quiet", "-p", "xtask"])?;
    }
    let release = if tools.contains(&Tool::VapigenRelease) {
        build(&["build", "--release", "--quiet", "-p", "xtask"])?;
        Some(target_dir().join("release").join("xtask"))
    } else {
        None
    };
    Ok(Vapigen {
        root,
        cargo,
        release,
    })
}

/// One of the goals the bench reports on, as measured in this run.
#[derive(Clone, Debug)]
pub struct Target {
    /// What is wanted, e.g. `vcenter.json end to end <= 0.5 s`.
    pub goal: String,
    /// The figures and the ratio the verdict is taken on.
    pub measured: String,
    /// Met or not.
    pub verdict: Verdict,
}

/// Whether a target is met.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The ratio is on the right side of the limit.
    Met,
    /// It is not.
    Missed,
    /// This run did not measure what the target needs.
    NotMeasured,
}

impl Verdict {
    /// `ratio <= limit`.
    pub fn at_most(ratio: f64, limit: f64) -> Verdict {
        if ratio <= limit {
            Verdict::Met
        } else {
            Verdict::Missed
        }
    }

    /// `ratio >= limit`.
    pub fn at_least(ratio: f64, limit: f64) -> Verdict {
        if ratio >= limit {
            Verdict::Met
        } else {
            Verdict::Missed
        }
    }

    fn word(self) -> &'static str {
        match self {
            Verdict::Met => "**met**",
            Verdict::Missed => "**missed**",
            Verdict::NotMeasured => "not measured",
        }
    }
}

impl Target {
    /// `Target: GOAL: MEASURED: met`, for under a section's table.
    pub fn line(&self) -> String {
        format!(
            "Target: {}: {} → {}",
            self.goal,
            self.measured,
            self.verdict.word()
        )
    }
}

/// The targets of every section that ran, as one table.
fn print_targets(targets: &[Target]) {
    if targets.is_empty() {
        return;
    }
    println!("## Targets\n");
    println!("| target | measured (ratio) | result |");
    println!("|---|---|---|");
    for target in targets {
        println!(
            "| {} | {} | {} |",
            target.goal,
            target.measured,
            target.verdict.word()
        );
    }
    println!();
}

/// The cargo that runs us.
fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// The workspace's target directory.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::codegen::workspace_root().join("target"))
}

/// The specs to measure: the curated one, VMware's vCenter file (kept in
/// `testdata/vmware/`), and the synthetic series.
fn inputs(options: &Options, scratch: &Path) -> Result<Vec<Input>> {
    let root = crate::codegen::workspace_root();
    let mut candidates = vec![
        ("curated".to_owned(), root.join("spec/vsphere.yaml")),
        (
            "vcenter".to_owned(),
            root.join("testdata/vmware/vsphere-7.0.3-vcenter.json"),
        ),
    ];
    for size in &options.sizes {
        let name = format!("synthetic-{size}");
        if !options.only.is_empty() && !options.only.contains(&name) {
            continue;
        }
        let path = scratch.join(format!("{name}.json"));
        std::fs::write(&path, serde_json::to_string(&synthetic::spec(*size))?)?;
        candidates.push((name, path));
    }
    let mut inputs = Vec::new();
    for (name, path) in candidates {
        if !options.only.is_empty() && !options.only.contains(&name) {
            continue;
        }
        if !path.is_file() {
            eprintln!("bench: skipping {name}: {} not found", path.display());
            continue;
        }
        let text = std::fs::read_to_string(&path)?;
        let loaded = vapigen::load::load(&name, &text)?;
        let operations = loaded.openapi.operations().count();
        let schemas = loaded
            .openapi
            .components
            .as_ref()
            .map_or(0, |components| components.schemas.len());
        inputs.push(Input {
            name,
            path,
            operations,
            schemas,
        });
    }
    Ok(inputs)
}

fn selected_tools(options: &Options) -> Vec<Tool> {
    tools::ALL
        .into_iter()
        .filter(|tool| {
            if options.tools.is_empty() {
                return !(options.quick && *tool == Tool::VapigenRelease);
            }
            options
                .tools
                .iter()
                .any(|wanted| wanted == tool.key() || wanted == tool.name())
        })
        .collect()
}

/// CPU, cores, memory, OS and toolchain, as a Markdown list.
fn machine_report() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split(':').nth(1))
                .map(|model| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .next()
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<u64>().ok())
        })
        .map_or_else(
            || "unknown".into(),
            |kib| format!("{} GiB", kib / 1024 / 1024),
        );
    let rustc = command_line(Command::new("rustc").arg("--version"));
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    format!(
        "## Machine\n\n- CPU: {cpu}, {cores} cores available\n- memory: {memory}\n- {rustc}\n- load average at start: {}\n",
        load.join(" ")
    )
}

/// The first line a command prints, or `unknown`.
fn command_line(command: &mut Command) -> String {
    command
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .and_then(|text| text.lines().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_compare_ratios_with_limits() {
        assert_eq!(Verdict::at_most(1.5, 1.5), Verdict::Met);
        assert_eq!(Verdict::at_most(1.51, 1.5), Verdict::Missed);
        assert_eq!(Verdict::at_least(10.0, 10.0), Verdict::Met);
        assert_eq!(Verdict::at_least(2.9, 10.0), Verdict::Missed);
    }

    #[test]
    fn tools_are_chosen_by_key_and_quick_leaves_out_the_release_build() {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            options: Options,
        }
        let keys = |args: &[&str]| -> Vec<&'static str> {
            let cli = Cli::parse_from(std::iter::once("bench").chain(args.iter().copied()));
            selected_tools(&cli.options)
                .into_iter()
                .map(Tool::key)
                .collect()
        };
        assert_eq!(keys(&["--tools", "vapigen,rust"]), ["vapigen", "rust"]);
        assert_eq!(keys(&["--tools", "vapigen-release"]), ["vapigen-release"]);
        assert!(keys(&[]).contains(&"vapigen-release"));
        assert!(!keys(&["--quick"]).contains(&"vapigen-release"));
    }
}
