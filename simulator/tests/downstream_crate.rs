//! The simulator can be used by a crate outside this workspace, as a test
//! double: `tests/downstream/` is such a crate (its own workspace, depending
//! on `vsphere-simulator` by path); its tests are run here with `cargo test`,
//! sharing this workspace's target directory so that only the small crate
//! itself is compiled.

use std::path::Path;
use std::process::Command;

#[test]
fn a_downstream_crate_starts_seeds_and_faults_the_simulator() {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let downstream = manifest_dir.join("tests/downstream");
    let workspace = manifest_dir.parent().expect("the workspace");
    // The workspace's versions of every dependency, so nothing is fetched
    // or rebuilt for a newer one.
    let lock = downstream.join("Cargo.lock");
    if !lock.exists() {
        std::fs::copy(workspace.join("Cargo.lock"), &lock).expect("copy Cargo.lock");
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| workspace.join("target"), Into::into);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["test", "--offline", "--manifest-path"])
        .arg(downstream.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target)
        .output()
        .expect("run cargo");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the downstream crate's tests failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("opens_a_session_on_a_seeded_item_and_sees_an_injected_fault ... ok"),
        "{stdout}"
    );
}
