//! Timing one child process: wall time and peak resident memory.

use anyhow::{Context, Result};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One successful run.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    /// Wall time from spawn to exit.
    pub wall: Duration,
    /// Peak resident set of the process tree's largest process, in KiB
    /// (`ru_maxrss` from `wait4`, which covers the child and the children it waited for).
    pub max_rss_kib: u64,
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
/// the failure message.
pub fn run(command: &mut Command) -> Result<Outcome> {
    let stderr = tempfile::NamedTempFile::new()?;
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr.reopen()?);
    let start = Instant::now();
    let child = command
        .spawn()
        .with_context(|| format!("starting {command:?}"))?;
    let (status, max_rss_kib) = wait(child.id())?;
    let wall = start.elapsed();
    if status == 0 {
        return Ok(Outcome::Ok(Sample { wall, max_rss_kib }));
    }
    let text = std::fs::read_to_string(stderr.path()).unwrap_or_default();
    Ok(Outcome::Failed(first_error_line(&text, status)))
}

/// Waits for `pid` with `wait4`, which (unlike `std::process::Child::wait`)
/// also returns the child's resource usage. Returns the exit code (or 128 +
/// signal) and the peak RSS in KiB.
fn wait(pid: u32) -> Result<(i32, u64)> {
    let pid = libc::pid_t::try_from(pid).context("pid out of range")?;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data; wait4 fills it and `status` for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: valid pointers to locals; `pid` is a child we spawned and have not reaped.
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if reaped == pid {
            break;
        }
        let error = std::io::Error::last_os_error();
        if error.kind() != std::io::ErrorKind::Interrupted {
            return Err(error).context("wait4");
        }
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    Ok((code, u64::try_from(usage.ru_maxrss).unwrap_or(0)))
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
    /// Median peak RSS, KiB.
    pub rss_kib: u64,
}

impl Stats {
    /// Summarises samples (at least one).
    pub fn of(samples: &[Sample]) -> Option<Stats> {
        let mut walls: Vec<Duration> = samples.iter().map(|sample| sample.wall).collect();
        let mut rss: Vec<u64> = samples.iter().map(|sample| sample.max_rss_kib).collect();
        walls.sort();
        rss.sort_unstable();
        Some(Stats {
            median: median(&walls)?,
            min: *walls.first()?,
            max: *walls.last()?,
            rss_kib: median(&rss)?,
        })
    }

    /// `1.23 s (1.20–1.31)`.
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
