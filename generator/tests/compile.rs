//! Generated crates must compile, not only match snapshots: every good fixture,
//! the curated spec restricted to older releases, and VMware's real vCenter and
//! ESX specs (generality and scale), are generated
//! into one scratch workspace and `cargo check`ed together, with the client and
//! server features on.

mod common;

use std::path::{Path, PathBuf};

fn real_specs() -> Vec<PathBuf> {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/vmware");
    ["vsphere-7.0.3-vcenter.json", "vsphere-7.0.3-esx.json"]
        .iter()
        .map(|name| shared.join(name))
        .collect()
}

#[test]
fn fixture_and_real_spec_crates_compile() {
    let mut scratch = common::Scratch::new("compile-check");
    for path in common::fixtures("good") {
        let generated = common::generate(&path, false).expect("fixture generates");
        scratch.add_generated(&common::stem(&path), &generated.files);
    }
    // The curated spec as older releases have it (`--api-version`).
    let curated = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/vsphere.yaml");
    for release in ["6.7.2", "7.0.3.0"] {
        let text = std::fs::read_to_string(&curated).expect("read spec/vsphere.yaml");
        let options = vapigen::Options {
            crate_name: format!("curated-{}", release.replace('.', "-")),
            spec_name: "spec/vsphere.yaml".into(),
            standalone: true,
            lenient: false,
            release: vapigen::release::Release::parse(release),
        };
        let generated = vapigen::generate(&text, &options).expect("curated spec restricts");
        scratch.add_generated(&options.crate_name, &generated.files);
    }
    for path in real_specs() {
        assert!(
            path.exists(),
            "{} is missing (VMware's files are kept in testdata/vmware/)",
            path.display()
        );
        let generated = common::generate(&path, true).expect("real spec generates in lenient mode");
        let types = common::types_source(&generated.files);
        assert!(
            types.len() > 100_000,
            "{}: suspiciously small output",
            path.display()
        );
        scratch.add_generated(&common::stem(&path), &generated.files);
    }
    scratch.finish();
    let (success, stderr) = scratch.check(&["--workspace", "--all-features"], "-D warnings");
    assert!(success, "generated crates do not compile:\n{stderr}");
    // A crate named other than `vsphere-api`: its doc examples name it, and
    // its `lib.rs` is rustfmt-clean as written (the other modules are
    // `#[rustfmt::skip]`).
    let (success, output) = scratch.cargo(
        "test",
        &[
            "--doc",
            "-p",
            "curated-7-0-3-0",
            "--all-features",
            "--quiet",
        ],
        "-D warnings",
    );
    assert!(success, "doc tests of curated-7-0-3-0 fail:\n{output}");
    assert!(
        output.contains("test result: ok. 2 passed"),
        "the client's and the server's doc examples ran:\n{output}"
    );
    let (success, output) = scratch.cargo("fmt", &["--all", "--check"], "");
    assert!(success, "generated crates are not rustfmt-clean:\n{output}");
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
