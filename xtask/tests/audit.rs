//! `cargo xtask audit` as a user and CI run it: the binary, its output and
//! exit code, on the fixture pair and on VMware's published files.

use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    xtask::codegen::workspace_root()
}

fn path(relative: &str) -> String {
    root().join(relative).to_string_lossy().into_owned()
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run xtask")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const CURATED: &str = "generator/tests/fixtures/audit/curated.yaml";
const PUBLISHED: &str = "generator/tests/fixtures/audit/published.yaml";

#[test]
fn deny_drift_fails_only_on_drift() {
    let clean = xtask(&[
        "audit",
        "--spec",
        &path(CURATED),
        "--against",
        &path(PUBLISHED),
        "--api-version",
        "7.0.3.0",
        "--deny-drift",
    ]);
    assert!(clean.status.success(), "{}", text(&clean.stderr));
    assert!(text(&clean.stdout).contains("0 drift, 3 declared refinements"));

    let scratch = tempfile::tempdir().expect("temp dir");
    let drifted = scratch.path().join("curated.yaml");
    let curated = std::fs::read_to_string(path(CURATED)).expect("fixture");
    std::fs::write(
        &drifted,
        curated.replace("enum: [RED, GREEN, BLUE, PURPLE]", "enum: [RED, PURPLE]"),
    )
    .expect("write");
    let output = xtask(&[
        "audit",
        "--spec",
        &drifted.to_string_lossy(),
        "--against",
        &path(PUBLISHED),
        "--api-version",
        "7.0.3.0",
        "--deny-drift",
    ]);
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("2 undeclared difference(s)"),
        "{}",
        text(&output.stderr)
    );
    assert!(text(&output.stdout).contains("| **drift** | body property `color` enum value `BLUE`"));
}

#[test]
fn json_output_is_for_tools() {
    let output = xtask(&[
        "audit",
        "--spec",
        &path(CURATED),
        "--against",
        &path(PUBLISHED),
        "--api-version",
        "7.0.3.0",
        "--format",
        "json",
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let audit: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(audit["release"], "7.0.3.0");
    assert_eq!(audit["operations"][0]["findings"][0]["class"], "refinement");
}

#[test]
fn a_document_version_is_not_taken_for_a_release() {
    // VMware's files say `info.version: 2.0.0`.
    let output = xtask(&[
        "audit",
        "--spec",
        &path(CURATED),
        "--against",
        &path(PUBLISHED),
    ]);
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("is not a vSphere release; pass --api-version"));
}

/// What CI runs: the curated spec has no undeclared difference from VMware's
/// 7.0.3 files (the guest transfer is in vcenter.json, the depot import in
/// esx.json).
#[test]
fn the_curated_spec_has_no_drift_from_vmware_7_0_3() {
    for (file, operation) in [
        (
            "testdata/vmware/vsphere-7.0.3-vcenter.json",
            "Vcenter.Vm.Guest.Filesystem.Transfers_create",
        ),
        (
            "testdata/vmware/vsphere-7.0.3-esx.json",
            "Esx.Settings.Depots.Offline_create$Task",
        ),
    ] {
        let output = xtask(&[
            "audit",
            "--against",
            &path(file),
            "--api-version",
            "7.0.3.0",
            "--deny-drift",
            "--format",
            "json",
        ]);
        assert!(
            output.status.success(),
            "{file}: {}\n{}",
            text(&output.stderr),
            text(&output.stdout)
        );
        let audit: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let operations = audit["operations"].as_array().expect("operations");
        assert_eq!(operations.len(), 1, "{file}");
        assert_eq!(operations[0]["operation_id"], operation);
    }
}
