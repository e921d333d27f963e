//! Section `server`: what the generated router and validation cost per
//! request, against a hand-written axum handler doing the same work
//! (`simulator/examples/bench_server.rs`). The load comes from `wrk`, a
//! second process, over loopback, for a bounded time.

use super::{Options, Target, Verdict, cargo, target_dir};
use anyhow::{Context, Result, bail};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const PATH: &str = "/api/content/library/lib-1/subscriptions";
const SESSION: &str = "bench-session";
/// The full example body of the operation's reference page.
const BODY: &str = r#"{"subscribed_library":{"target":"CREATE_NEW","new_subscribed_library":{"name":"string","description":"string","storage_backings":[{"type":"DATASTORE","datastore_id":"string","storage_uri":"https://example.com/resource"}],"automatic_sync_enabled":true,"on_demand":true},"subscribed_library":"string","location":"LOCAL","vcenter":{"hostname":"string","https_port":1},"placement":{"folder":"string","cluster":"string","resource_pool":"string","host":"string","network":"string"}}}"#;
/// Concurrent connections per load level: one (pure per-request latency)
/// and sixteen (a saturated single-threaded server).
const CONNECTIONS: &[u32] = &[1, 16];

/// One `wrk` run.
#[derive(Clone, Copy, Debug)]
struct Load {
    requests_per_second: f64,
    p50_us: f64,
    p99_us: f64,
}

/// Target 4: the generated server's p50 latency at most this much above the
/// hand-written handler's, at every load level.
const P50_LIMIT: f64 = 1.10;

/// Runs the load rounds, prints the table and returns target 4 per load level.
pub fn run(options: &Options) -> Result<Vec<Target>> {
    println!("## Server stub overhead\n");
    let Some(wrk) = super::tools::which("wrk") else {
        let why = "wrk not installed: `apt-get update && apt-get install -y wrk`";
        println!("{why}\n");
        return Ok(CONNECTIONS
            .iter()
            .map(|connections| Target {
                goal: goal(*connections),
                measured: why.into(),
                verdict: Verdict::NotMeasured,
            })
            .collect());
    };
    let server = build_server()?;
    let script = tempfile::Builder::new().suffix(".lua").tempfile()?;
    std::fs::write(script.path(), lua_script())?;
    let mut generated = Server::start(&server, "generated")?;
    let mut baseline = Server::start(&server, "baseline")?;
    let checked = same_answers(generated.address.as_str(), baseline.address.as_str());
    let mut results: Vec<(u32, Vec<Load>, Vec<Load>)> = Vec::new();
    if let Err(error) = checked {
        generated.stop();
        baseline.stop();
        return Err(error);
    }
    for connections in CONNECTIONS {
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        for round in 1..=options.rounds {
            for (server, into) in [(&generated, &mut ours), (&baseline, &mut theirs)] {
                eprintln!(
                    "bench: wrk {connections} connection(s), {}, round {round}/{}",
                    server.mode, options.rounds
                );
                into.push(load(
                    &wrk,
                    script.path(),
                    &server.address,
                    *connections,
                    options.duration,
                )?);
            }
        }
        results.push((*connections, ours, theirs));
    }
    generated.stop();
    baseline.stop();
    println!(
        "`POST {PATH}` with the operation's full example body (valid: parsed, validated, answered 201), `wrk -t1 -c<connections> -d{}s --latency`, server on one thread; median of {} alternating rounds.\n",
        options.duration, options.rounds
    );
    println!(
        "| connections | server | requests/s | p50 latency | p99 latency | p50 generated / hand-written |"
    );
    println!("|---:|---|---:|---:|---:|---:|");
    let mut targets = Vec::new();
    for (connections, ours, theirs) in results {
        let ours = median_load(&ours);
        let theirs = median_load(&theirs);
        let ratio = ours.p50_us / theirs.p50_us;
        println!(
            "| {connections} | hand-written axum | {:.0} | {:.0} µs | {:.0} µs | |",
            theirs.requests_per_second, theirs.p50_us, theirs.p99_us
        );
        println!(
            "| {connections} | generated router | {:.0} | {:.0} µs | {:.0} µs | {ratio:.2}x ({:+.1}%) |",
            ours.requests_per_second,
            ours.p50_us,
            ours.p99_us,
            (ratio - 1.0) * 100.0
        );
        targets.push(Target {
            goal: goal(connections),
            measured: format!(
                "{:.0} µs / {:.0} µs = {ratio:.2}x",
                ours.p50_us, theirs.p50_us
            ),
            verdict: Verdict::at_most(ratio, P50_LIMIT),
        });
    }
    println!();
    for target in &targets {
        println!("{}\n", target.line());
    }
    Ok(targets)
}

fn goal(connections: u32) -> String {
    format!(
        "server p50 at {connections} connection(s) within {:.0}% of hand-written axum (generated / hand-written ≤ {P50_LIMIT:.2})",
        (P50_LIMIT - 1.0) * 100.0
    )
}

fn build_server() -> Result<PathBuf> {
    eprintln!("bench: cargo build --release -p vsphere-simulator --example bench_server");
    let status = Command::new(cargo())
        .args(["build", "--release", "--quiet", "-p", "vsphere-simulator"])
        .args(["--example", "bench_server"])
        .current_dir(crate::codegen::workspace_root())
        .status()?;
    if !status.success() {
        bail!("building the bench_server example failed");
    }
    Ok(target_dir().join("release/examples/bench_server"))
}

fn lua_script() -> String {
    let body = BODY.replace('\\', "\\\\").replace('"', "\\\"");
    format!(
        "wrk.method = \"POST\"\nwrk.body = \"{body}\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.headers[\"vmware-api-session-id\"] = \"{SESSION}\"\n"
    )
}

/// A running `bench_server`, killed when stopped or dropped.
struct Server {
    mode: &'static str,
    address: String,
    child: Child,
}

impl Server {
    fn start(binary: &Path, mode: &'static str) -> Result<Server> {
        let mut child = Command::new(binary)
            .args(["--mode", mode, "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stdin(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            BufReader::new(stdout).read_line(&mut line)?;
        }
        let Some(address) = line.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            let _ = child.wait();
            bail!("bench_server --mode {mode} printed {line:?}");
        };
        Ok(Server {
            mode,
            address: address.to_owned(),
            child,
        })
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Both servers accept the valid body with the same answer and reject an
/// unknown enum value, a non-URI and a missing session with the same status:
/// the baseline does the same work.
fn same_answers(generated: &str, baseline: &str) -> Result<()> {
    let bad_enum = BODY.replace("CREATE_NEW", "BOGUS");
    let bad_uri = BODY.replace("https://example.com/resource", "not a uri");
    let cases: [(&str, &str, bool); 4] = [
        ("valid", BODY, true),
        ("unknown enum value", &bad_enum, true),
        ("not a URI", &bad_uri, true),
        ("no session", BODY, false),
    ];
    for (case, body, session) in cases {
        let ours = post(generated, body, session)?;
        let theirs = post(baseline, body, session)?;
        if ours.0 != theirs.0 || (ours.0 == 201 && ours.1 != theirs.1) {
            bail!("{case}: generated answered {ours:?}, baseline {theirs:?}");
        }
    }
    Ok(())
}

/// One HTTP/1.1 request: (status, body).
fn post(address: &str, body: &str, session: bool) -> Result<(u16, String)> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let session = if session {
        format!("vmware-api-session-id: {SESSION}\r\n")
    } else {
        String::new()
    };
    write!(
        stream,
        "POST {PATH} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n{session}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .context("no status line")?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

fn load(wrk: &Path, script: &Path, address: &str, connections: u32, seconds: u64) -> Result<Load> {
    let output = Command::new(wrk)
        .args(["-t1", &format!("-c{connections}"), &format!("-d{seconds}s")])
        .args(["--latency", "--timeout", "5s", "-s"])
        .arg(script)
        .arg(format!("http://{address}{PATH}"))
        .output()?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!("wrk failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    if let Some(line) = text.lines().find(|line| line.contains("Non-2xx")) {
        bail!("wrk saw errors: {}", line.trim());
    }
    let field = |label: &str| {
        text.lines()
            .map(str::trim)
            .find_map(|line| line.strip_prefix(label))
            .map(str::trim)
            .with_context(|| format!("no `{label}` in wrk output:\n{text}"))
    };
    Ok(Load {
        requests_per_second: field("Requests/sec:")?.parse()?,
        p50_us: micros(field("50%")?)?,
        p99_us: micros(field("99%")?)?,
    })
}

/// wrk's `123.45us`, `1.20ms`, `2.00s`.
fn micros(text: &str) -> Result<f64> {
    let (number, scale) = if let Some(number) = text.strip_suffix("us") {
        (number, 1.0)
    } else if let Some(number) = text.strip_suffix("ms") {
        (number, 1_000.0)
    } else if let Some(number) = text.strip_suffix('s') {
        (number, 1_000_000.0)
    } else {
        bail!("unknown latency `{text}`");
    };
    Ok(number.parse::<f64>()? * scale)
}

/// The round with the median p50 latency.
fn median_load(loads: &[Load]) -> Load {
    let mut sorted = loads.to_vec();
    sorted.sort_by(|a, b| a.p50_us.total_cmp(&b.p50_us));
    sorted[(sorted.len().max(1) - 1) / 2]
}
