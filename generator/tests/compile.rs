//! Generated crates must compile, not only match snapshots: every good fixture,
//! and VMware's real vCenter and ESX specs (generality and scale), are generated
//! into one scratch workspace and `cargo check`ed together, with the client and
//! server features on.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn real_specs() -> Vec<PathBuf> {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/specs");
    ["vsphere-7.0.3-vcenter.json", "vsphere-7.0.3-esx.json"]
        .iter()
        .map(|name| shared.join(name))
        .collect()
}

fn write_crate(root: &Path, name: &str, files: &vapigen::Files) -> String {
    let dir = root.join(name);
    for (relative, contents) in files {
        let path = dir.join(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("create dir");
        // Members of the scratch workspace, so drop each crate's own `[workspace]`.
        let contents = if relative == "Cargo.toml" {
            contents.replace("\n[workspace]", "\n")
        } else {
            contents.clone()
        };
        std::fs::write(&path, contents).expect("write");
    }
    name.to_owned()
}

#[test]
fn fixture_and_real_spec_crates_compile() {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("compile-check");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).expect("scratch dir");
    let mut members = Vec::new();
    for path in common::fixtures("good") {
        let generated = common::generate(&path, false).expect("fixture generates");
        members.push(write_crate(&root, &common::stem(&path), &generated.files));
    }
    for path in real_specs() {
        assert!(
            path.exists(),
            "{} is missing (../shared beside the checkout)",
            path.display()
        );
        let generated = common::generate(&path, true).expect("real spec generates in lenient mode");
        let types = &generated.files["src/types.rs"];
        assert!(
            types.len() > 100_000,
            "{}: suspiciously small output",
            path.display()
        );
        members.push(write_crate(&root, &common::stem(&path), &generated.files));
    }
    let manifest = format!(
        "[workspace]\nresolver = \"3\"\nmembers = [{}]\n",
        members
            .iter()
            .map(|m| format!("\"{m}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    std::fs::write(root.join("Cargo.toml"), manifest).expect("workspace manifest");
    // Pin the dependency versions this repository already uses.
    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock");
    std::fs::copy(&lock, root.join("Cargo.lock")).expect("copy Cargo.lock");

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "check",
            "--workspace",
            "--all-features",
            "--quiet",
            "--message-format",
            "short",
        ])
        .current_dir(&root)
        // A target directory of its own: the outer cargo holds the lock on ours.
        .env("CARGO_TARGET_DIR", root.join("target"))
        .env("RUSTFLAGS", "-D warnings")
        .output()
        .expect("run cargo check");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "generated crates do not compile:\n{stderr}"
    );
}

#[test]
fn real_specs_lower_completely() {
    // The IR holds every operation of the real files (441 in vCenter, 103 in ESX);
    // repeated operationIds get distinct names instead of replacing each other.
    for (path, operations) in real_specs().into_iter().zip([441, 103]) {
        let text = std::fs::read_to_string(&path).expect("read spec");
        let loaded = vapigen::load::load("real", &text).expect("loads");
        let lowered = vapigen::lower::lower("real", &loaded.openapi, true).expect("lowers");
        assert_eq!(
            lowered.api.operations.len(),
            operations,
            "{}",
            path.display()
        );
        let schemas = loaded
            .openapi
            .components
            .as_ref()
            .map_or(0, |c| c.schemas.len());
        assert!(
            lowered.api.types.len() >= schemas,
            "every component schema is a type"
        );
    }
}
