//! Timing one child process: wall time and peak resident memory of the
//! process that matters and of everything it starts.
//!
//! Memory is read from `/proc`, not from `wait4`'s `ru_maxrss`, because
//! `ru_maxrss` measures the wrong thing twice over:
//!
//! - it starts at the high-water mark of the *forking* process (the kernel
//!   carries the pre-`exec` peak over, `exec_mmap`), so every tool started by
//!   this bench showed at least the bench's own ~230 MiB;
//! - it is the peak of one process at a time (the largest of the child and the
//!   children it reaped), never the sum of processes running side by side, and
//!   for `cargo xtask codegen` it includes cargo itself (cargo `exec`s the
//!   generator, which keeps cargo's peak).
//!
//! Instead a sampler thread walks `/proc` every [`INTERVAL`] while the child
//! runs: it finds the *subject* (the child itself, or its first descendant
//! with a given name, e.g. `xtask` once cargo has `exec`ed it), and sums
//! `VmRSS` over the subject and all its descendants (the generator and its
//! `rustfmt` children); each process's `VmHWM` (its exact high-water mark,
//! which starts afresh at `exec`) gives the largest single process. Anything
//! outside the subject's subtree (cargo before the `exec`, the bench) is not
//! counted, nor is a child between `fork` and `exec` (it still shows its
//! parent's pages). The sum can miss a spike shorter than [`INTERVAL`], and
//! counts shared pages once per process (so it errs high).

use anyhow::{Context, Result};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How often the process tree's memory is read.
pub const INTERVAL: Duration = Duration::from_millis(10);

/// Which process of the tree a measurement is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// The spawned process and its descendants.
    Root,
    /// The first process (nearest the root) whose name (`comm`) is this, and
    /// its descendants: `xtask` under `cargo xtask ...`.
    Named(&'static str),
}

/// One successful run.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sample {
    /// Wall time from spawn to exit.
    pub wall: Duration,
    /// Peak of the summed resident memory of the subject and its descendants,
    /// in KiB (sampled; never below [`Sample::largest_kib`]).
    pub tree_kib: u64,
    /// Highest `VmHWM` of any single process in the subject's subtree, KiB.
    pub largest_kib: u64,
}

/// What one run of a tool gave.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// It exited 0.
    Ok(Sample),
    /// It exited non-zero or was killed: the first line of its error output.
    Failed(String),
}

/// Runs `command` to completion, with stdout discarded and stderr kept for
/// the failure message, sampling the memory of `subject`'s process tree.
pub fn run(command: &mut Command, subject: Subject) -> Result<Outcome> {
    let stderr = tempfile::NamedTempFile::new()?;
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr.reopen()?);
    let start = Instant::now();
    let mut child = command
        .spawn()
        .with_context(|| format!("starting {command:?}"))?;
    let root = i32::try_from(child.id()).context("pid out of range")?;
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || sample_tree(root, subject, &stop))
    };
    let status = child.wait();
    let wall = start.elapsed();
    stop.store(true, Ordering::Relaxed);
    let memory = sampler.join().unwrap_or_default();
    let status = status.context("waiting for the child")?;
    if status.success() {
        return Ok(Outcome::Ok(Sample {
            wall,
            tree_kib: memory.tree_kib.max(memory.largest_kib),
            largest_kib: memory.largest_kib,
        }));
    }
    let code = status.code().unwrap_or_else(|| {
        use std::os::unix::process::ExitStatusExt;
        128 + status.signal().unwrap_or(0)
    });
    let text = std::fs::read_to_string(stderr.path()).unwrap_or_default();
    Ok(Outcome::Failed(first_error_line(&text, code)))
}

/// The memory peaks seen by the sampler.
#[derive(Clone, Copy, Debug, Default)]
struct Peaks {
    tree_kib: u64,
    largest_kib: u64,
}

/// One process as `/proc/PID/stat` describes it (read once per pid).
#[derive(Clone, Copy, Debug)]
struct Entry {
    parent: i32,
}

/// Samples the tree under `root` until `stop` is set.
fn sample_tree(root: i32, subject: Subject, stop: &AtomicBool) -> Peaks {
    let mut known: HashMap<i32, Entry> = HashMap::new();
    let mut peaks = Peaks::default();
    while !stop.load(Ordering::Relaxed) {
        let tree = descendants(root, &mut known);
        let parents: HashMap<i32, i32> = known
            .iter()
            .map(|(pid, entry)| (*pid, entry.parent))
            .collect();
        let processes: Vec<Process> = tree.into_iter().filter_map(Process::read).collect();
        let top = match subject {
            Subject::Root => Some(root),
            Subject::Named(wanted) => processes
                .iter()
                .filter(|process| process.name == wanted)
                .min_by_key(|process| depth(process.pid, root, &parents))
                .map(|process| process.pid),
        };
        if let Some(top) = top {
            let exes: HashMap<i32, &Path> = processes
                .iter()
                .filter_map(|process| Some((process.pid, process.exe.as_deref()?)))
                .collect();
            let mut sum = 0;
            for process in &processes {
                // A child between fork and exec still shows its parent's
                // memory (the same pages, or the very same mm after vfork):
                // counting it would count the parent twice.
                let unexeced = process.pid != top
                    && process.exe.is_some()
                    && parents
                        .get(&process.pid)
                        .and_then(|parent| exes.get(parent))
                        .is_some_and(|exe| Some(*exe) == process.exe.as_deref());
                if !unexeced && is_under(process.pid, top, &parents) {
                    sum += process.memory.rss_kib;
                    peaks.largest_kib = peaks.largest_kib.max(process.memory.hwm_kib);
                }
            }
            peaks.tree_kib = peaks.tree_kib.max(sum);
        }
        std::thread::sleep(INTERVAL);
    }
    peaks
}

/// One live process of the tree at one sample.
struct Process {
    pid: i32,
    name: String,
    exe: Option<PathBuf>,
    memory: Memory,
}

impl Process {
    fn read(pid: i32) -> Option<Process> {
        let (name, memory) = read_status(pid)?;
        Some(Process {
            pid,
            name,
            exe: std::fs::read_link(format!("/proc/{pid}/exe")).ok(),
            memory,
        })
    }
}

/// The pids under `root` (itself included), from the cached parent links;
/// new pids are read once, vanished ones forgotten.
fn descendants(root: i32, known: &mut HashMap<i32, Entry>) -> Vec<i32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let listed: HashSet<i32> = dir
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    known.retain(|pid, _| listed.contains(pid));
    for pid in &listed {
        if !known.contains_key(pid)
            && let Some(parent) = read_parent(*pid)
        {
            known.insert(*pid, Entry { parent });
        }
    }
    let parents: HashMap<i32, i32> = known
        .iter()
        .map(|(pid, entry)| (*pid, entry.parent))
        .collect();
    listed
        .into_iter()
        .filter(|pid| is_under(*pid, root, &parents))
        .collect()
}

/// Whether `pid` is `top` or one of its descendants.
fn is_under(pid: i32, top: i32, parents: &HashMap<i32, i32>) -> bool {
    let mut current = pid;
    for _ in 0..64 {
        if current == top {
            return true;
        }
        match parents.get(&current) {
            Some(parent) if *parent > 0 => current = *parent,
            _ => return false,
        }
    }
    false
}

/// Generations between `pid` and `root`.
fn depth(pid: i32, root: i32, parents: &HashMap<i32, i32>) -> usize {
    let mut current = pid;
    let mut steps = 0;
    while current != root && steps < 64 {
        match parents.get(&current) {
            Some(parent) => current = *parent,
            None => break,
        }
        steps += 1;
    }
    steps
}

/// The parent pid from `/proc/PID/stat` (`pid (comm) state ppid ...`; the
/// name may contain spaces and parentheses, so parse after the last `)`).
fn read_parent(pid: i32) -> Option<i32> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_parent(&text)
}

fn parse_parent(stat: &str) -> Option<i32> {
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// Resident memory of one process, KiB.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Memory {
    rss_kib: u64,
    hwm_kib: u64,
}

/// Name, `VmRSS` and `VmHWM` from `/proc/PID/status`; `None` for a process
/// without memory (a zombie) or one that is gone.
fn read_status(pid: i32) -> Option<(String, Memory)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_status(&text)
}

fn parse_status(text: &str) -> Option<(String, Memory)> {
    let mut name = None;
    let mut memory = Memory::default();
    let mut has_memory = false;
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let kib = || {
            value
                .split_whitespace()
                .next()
                .and_then(|n| n.parse::<u64>().ok())
        };
        match key {
            "Name" => name = Some(value.trim().to_owned()),
            "VmRSS" => {
                memory.rss_kib = kib()?;
                has_memory = true;
            }
            "VmHWM" => memory.hwm_kib = kib()?,
            _ => {}
        }
    }
    has_memory.then_some((name?, memory))
}

/// The line that best says why a tool failed: the first that mentions an
/// error, panic or exception, else the last non-empty one.
fn first_error_line(stderr: &str, code: i32) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    let keywords = ["panicked", "error", "exception", "failed"];
    let line = lines
        .iter()
        .find(|line| {
            let lower = line.to_lowercase();
            keywords.iter().any(|keyword| lower.contains(keyword))
        })
        .or(lines.last())
        .copied()
        .unwrap_or("(no error output)");
    let mut line: String = line.chars().take(160).collect();
    line = line.replace('|', "\\|");
    format!("exit {code}: {line}")
}

/// Median and range of several runs.
#[derive(Clone, Copy, Debug)]
pub struct Stats {
    /// Median wall time.
    pub median: Duration,
    /// Fastest run.
    pub min: Duration,
    /// Slowest run.
    pub max: Duration,
    /// Highest tree peak of any run, KiB (a peak is a peak: the worst run counts).
    pub tree_kib: u64,
    /// Highest single-process peak of any run, KiB.
    pub largest_kib: u64,
}

impl Stats {
    /// Summarises samples (at least one).
    pub fn of(samples: &[Sample]) -> Option<Stats> {
        let mut walls: Vec<Duration> = samples.iter().map(|sample| sample.wall).collect();
        walls.sort();
        Some(Stats {
            median: median(&walls)?,
            min: *walls.first()?,
            max: *walls.last()?,
            tree_kib: samples.iter().map(|sample| sample.tree_kib).max()?,
            largest_kib: samples.iter().map(|sample| sample.largest_kib).max()?,
        })
    }

    /// `1.23 s (1.20 s–1.31 s)`.
    pub fn time_cell(&self) -> String {
        format!(
            "{} ({}–{})",
            seconds(self.median),
            seconds(self.min),
            seconds(self.max)
        )
    }
}

fn median<T: Copy>(sorted: &[T]) -> Option<T> {
    // The lower middle for an even count: a value that was measured.
    sorted.get((sorted.len().max(1) - 1) / 2).copied()
}

/// Seconds with a precision that suits the size.
pub fn seconds(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs < 10.0 {
        format!("{secs:.2} s")
    } else {
        format!("{secs:.1} s")
    }
}

/// MiB from KiB.
pub fn mib(kib: u64) -> String {
    format!("{} MiB", kib.div_ceil(1024))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_parent_after_a_name_with_spaces_and_parentheses() {
        assert_eq!(parse_parent("42 (a (b) c) S 7 42 42 0"), Some(7));
        assert_eq!(parse_parent("garbage"), None);
    }

    #[test]
    fn parses_name_and_memory_and_skips_zombies() {
        let status = "Name:\txtask\nState:\tR\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n";
        assert_eq!(
            parse_status(status),
            Some((
                "xtask".to_owned(),
                Memory {
                    rss_kib: 1024,
                    hwm_kib: 2048
                }
            ))
        );
        assert_eq!(parse_status("Name:\tzombie\nState:\tZ\n"), None);
    }

    #[test]
    fn walks_parent_links() {
        let parents: HashMap<i32, i32> = [(2, 1), (3, 2), (4, 1), (9, 8)].into_iter().collect();
        assert!(is_under(3, 1, &parents));
        assert!(is_under(3, 2, &parents));
        assert!(!is_under(4, 2, &parents));
        assert!(!is_under(9, 1, &parents));
        assert_eq!(depth(3, 1, &parents), 2);
        assert_eq!(depth(1, 1, &parents), 0);
    }

    #[test]
    fn stats_take_the_median_time_and_the_worst_memory() {
        let sample = |ms, tree_kib| Sample {
            wall: Duration::from_millis(ms),
            tree_kib,
            largest_kib: tree_kib / 2,
        };
        let stats = Stats::of(&[sample(30, 10), sample(10, 50), sample(20, 20)]).unwrap();
        assert_eq!(stats.median, Duration::from_millis(20));
        assert_eq!(stats.min, Duration::from_millis(10));
        assert_eq!(stats.max, Duration::from_millis(30));
        assert_eq!(stats.tree_kib, 50);
        assert_eq!(stats.largest_kib, 25);
        assert!(Stats::of(&[]).is_none());
    }

    /// The sampler sees a child's memory, and a shell's children's.
    #[test]
    fn samples_a_real_process_tree() {
        let mut command = Command::new("sh");
        command.args(["-c", "sleep 0.3 & sleep 0.3; wait"]);
        let Outcome::Ok(sample) = run(&mut command, Subject::Root).unwrap() else {
            panic!("sh failed");
        };
        assert!(sample.wall >= Duration::from_millis(300));
        assert!(sample.largest_kib > 0);
        assert!(sample.tree_kib >= sample.largest_kib);
        let mut command = Command::new("sh");
        command.args(["-c", "sleep 0.3; exit 3"]);
        let Outcome::Failed(line) = run(&mut command, Subject::Named("sleep")).unwrap() else {
            panic!("exit 3 is a failure");
        };
        assert!(line.starts_with("exit 3"), "{line}");
    }
}
