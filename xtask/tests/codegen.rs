//! `cargo xtask codegen` as a user runs it: the real binary, real files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use xtask::codegen::{self, Request};

fn fixture(kind: &str, name: &str) -> PathBuf {
    codegen::workspace_root()
        .join("generator/tests/fixtures")
        .join(kind)
        .join(format!("{name}.yaml"))
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("run xtask")
}

fn codegen(spec: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "codegen",
        "--spec",
        spec.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ];
    args.extend_from_slice(extra);
    xtask(&args)
}

/// Every file below `dir` with its contents, sorted.
fn snapshot_dir(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(&next).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let contents = std::fs::read(&path).expect("read");
                files.push((path, contents));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn checked_in_crate_is_fresh() {
    let plan = codegen::plan(&Request::checked_in()).expect("spec/ generates");
    assert!(
        plan.is_fresh(),
        "generated/ is stale; run `cargo xtask codegen`:\n{}",
        plan.diff()
    );
}

#[test]
fn bad_specs_exit_non_zero_name_the_location_and_write_nothing() {
    let expectations = [
        ("dangling_ref", "/components/schemas/A/properties/b"),
        ("yaml_syntax", "line 9 column 1"),
        ("unsupported", "external $ref"),
        ("name_collision", "/components/schemas/Lib.Create_Spec"),
        ("openapi_31", "/openapi"),
    ];
    for (name, location) in expectations {
        let out = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(out.path().join("src")).expect("mkdir");
        std::fs::write(
            out.path().join("src/types.rs"),
            "// hand-written sentinel\n",
        )
        .expect("write");
        let before = snapshot_dir(out.path());
        let output = codegen(&fixture("bad", name), out.path(), &[]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{name}: should fail");
        assert!(
            stderr.contains(location),
            "{name}: error should name `{location}`:\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{name}: panicked:\n{stderr}");
        assert_eq!(
            snapshot_dir(out.path()),
            before,
            "{name}: output directory was touched"
        );
    }
}

#[test]
fn check_prints_a_diff_of_stale_files_and_codegen_repairs_them() {
    let out = tempfile::tempdir().expect("tempdir");
    let spec = fixture("good", "open_enums");
    assert!(codegen(&spec, out.path(), &[]).status.success());
    assert!(
        codegen(&spec, out.path(), &["--check"]).status.success(),
        "fresh output passes --check"
    );

    let types = out.path().join("src/types.rs");
    let original = std::fs::read_to_string(&types).expect("read");
    std::fs::write(&types, original.replace("Pull,", "Pulled,")).expect("edit");
    std::fs::write(
        out.path().join("src/leftover.rs"),
        "// no longer generated\n",
    )
    .expect("write");

    let output = codegen(&spec, out.path(), &["--check"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "stale output fails --check");
    assert!(
        stdout.contains("-        Pulled,") && stdout.contains("+        Pull,"),
        "unified diff expected:\n{stdout}"
    );
    assert!(
        stdout.contains("leftover.rs") && stdout.contains("/dev/null"),
        "stale file reported:\n{stdout}"
    );
    assert!(
        std::fs::read_to_string(&types)
            .expect("read")
            .contains("Pulled,"),
        "--check wrote nothing"
    );

    assert!(codegen(&spec, out.path(), &[]).status.success());
    assert_eq!(std::fs::read_to_string(&types).expect("read"), original);
    assert!(!out.path().join("src/leftover.rs").exists());
    assert!(codegen(&spec, out.path(), &["--check"]).status.success());
}

#[test]
fn out_dir_gets_a_complete_standalone_crate() {
    let out = tempfile::tempdir().expect("tempdir");
    assert!(
        codegen(
            &fixture("good", "formats"),
            out.path(),
            &["--crate-name", "formats-api"]
        )
        .status
        .success()
    );
    let manifest = std::fs::read_to_string(out.path().join("Cargo.toml")).expect("Cargo.toml");
    assert!(
        manifest.contains("name = \"formats-api\"") && manifest.contains("[workspace]"),
        "{manifest}"
    );
    for file in ["src/lib.rs", "src/types.rs", "src/secret.rs"] {
        let text = std::fs::read_to_string(out.path().join(file)).expect(file);
        assert!(
            text.starts_with("// @generated by `cargo xtask codegen` from "),
            "{file} lacks the preamble"
        );
        assert!(text.contains("Do not edit"), "{file}");
    }
}
