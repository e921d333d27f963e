//! Opt-in phase timings for profiling: with `VAPIGEN_TIMINGS=1` in the
//! environment every phase prints `timing: <phase> <ms>` to stderr
//! (`cargo xtask bench --phases` reads them). Off by default; costs one cached
//! environment lookup.

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var_os("VAPIGEN_TIMINGS").is_some_and(|value| value != "0"))
}

/// Runs `work`, and when timings are on prints how long it took as `phase`.
pub fn time<T>(phase: &str, work: impl FnOnce() -> T) -> T {
    if !enabled() {
        return work();
    }
    let start = Instant::now();
    let result = work();
    eprintln!(
        "timing: {phase} {:.1}",
        start.elapsed().as_secs_f64() * 1000.0
    );
    result
}
