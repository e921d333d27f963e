//! `cargo xtask diff` as a user runs it: the binary, its output and exit code.

use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    xtask::codegen::workspace_root()
}

fn fixture(relative: &str) -> String {
    root()
        .join("generator/tests/fixtures/evolution")
        .join(relative)
        .to_string_lossy()
        .into_owned()
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run xtask")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn deny_breaking_fails_only_on_a_breaking_change() {
    let base = fixture("base.yaml");
    let breaking = xtask(&[
        "diff",
        &base,
        &fixture("required_property/changed.yaml"),
        "--deny-breaking",
    ]);
    assert!(!breaking.status.success());
    assert!(stdout(&breaking).contains("| required property added |"));
    assert!(String::from_utf8_lossy(&breaking.stderr).contains("1 breaking change(s)"));

    let additive = xtask(&[
        "diff",
        &base,
        &fixture("optional_property/changed.yaml"),
        "--deny-breaking",
    ]);
    assert!(additive.status.success(), "{additive:?}");
    assert!(stdout(&additive).contains("| optional property added |"));
}

#[test]
fn json_format_is_the_report_for_tools() {
    let output = xtask(&[
        "diff",
        &fixture("base.yaml"),
        &fixture("enum_value/changed.yaml"),
        "--format",
        "json",
    ]);
    assert!(output.status.success());
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    let additive: Vec<&serde_json::Value> = report["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|change| change["impact"] == "additive")
        .collect();
    assert_eq!(additive.len(), 1);
    assert_eq!(additive[0]["kind"], "enum value added");
    assert_eq!(
        additive[0]["subject"],
        "schema `Widgets.Color` value `BLUE`"
    );
}

#[test]
fn a_spec_can_be_read_from_git() {
    // The spec as committed, against the working copy's.
    let output = xtask(&["diff", "HEAD:spec/vsphere.yaml", "spec/vsphere.yaml"]);
    assert!(output.status.success(), "{output:?}");
    assert!(stdout(&output).starts_with("# API changes: "));

    let missing = xtask(&["diff", "HEAD:spec/no-such.yaml", "spec/vsphere.yaml"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("git cannot show it"));
}

#[test]
fn a_revision_is_never_read_as_an_option() {
    let dir = tempfile::tempdir().expect("tempdir");
    let written = dir.path().join("x");
    let injected = format!("--output={}:spec.yaml", written.display());
    for args in [
        vec!["diff", "--", &injected, "spec/vsphere.yaml"],
        vec!["diff", "spec/vsphere.yaml", "--", &injected],
    ] {
        let output = xtask(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("read dir").count(),
            0,
            "git wrote a file"
        );
        assert!(!output.status.success(), "{args:?}");
        assert!(stderr.contains("is not a git revision"), "{stderr}");
    }
}
