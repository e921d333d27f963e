//! `diff`'s semver classes, proven by compiling.
//!
//! `fixtures/evolution/base.yaml` is a small spec; each case directory holds a
//! `changed.yaml` with one kind of change. Each case is diffed both ways
//! (base -> changed and changed -> base; the report is a snapshot), and code
//! written against the old crate is compiled against the new one: it must
//! compile exactly when the report has nothing breaking. The code is
//! `uses_base.rs` (shared), or the case's `uses_changed.rs` going backwards.

mod common;

use std::path::{Path, PathBuf};
use vapigen::Options;
use vapigen::diff::{self, Impact, Report};
use vapigen::ir::Api;

fn evolution_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/evolution")
}

fn options(crate_name: &str) -> Options {
    Options {
        crate_name: crate_name.to_owned(),
        spec_name: format!("fixtures/evolution/{crate_name}"),
        standalone: true,
        lenient: false,
        release: None,
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn lower(text: &str) -> Api {
    vapigen::lower_spec(text, &options("evolution"))
        .expect("spec lowers")
        .0
}

/// One kind of change.
struct Case {
    name: String,
    changed_spec: String,
    /// Code written against the changed crate (the shared base code when the
    /// change leaves the Rust API as it was).
    uses_changed: String,
}

fn cases() -> Vec<Case> {
    let mut cases: Vec<Case> = std::fs::read_dir(evolution_dir())
        .expect("fixtures/evolution")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_dir())
        .map(|dir| {
            let uses_changed = dir.join("uses_changed.rs");
            Case {
                name: dir
                    .file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned(),
                changed_spec: read(&dir.join("changed.yaml")),
                uses_changed: if uses_changed.exists() {
                    read(&uses_changed)
                } else {
                    read(&evolution_dir().join("uses_base.rs"))
                },
            }
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(cases.len() >= 14, "expected the evolution cases");
    cases
}

fn reports(case: &Case, base: &Api) -> (Report, Report) {
    let changed = lower(&case.changed_spec);
    (diff::diff(base, &changed), diff::diff(&changed, base))
}

#[test]
fn reports_match_snapshots() {
    let base = lower(&read(&evolution_dir().join("base.yaml")));
    for case in cases() {
        let (forward, backward) = reports(&case, &base);
        assert!(
            !forward.changes.is_empty(),
            "{}: no change found",
            case.name
        );
        let text = format!(
            "{}\n---- and back ----\n\n{}",
            diff::markdown(&forward).expect("renders"),
            diff::markdown(&backward).expect("renders")
        );
        insta::assert_snapshot!(format!("evolution_{}", case.name), text);
    }
}

#[test]
fn classification_matches_what_compiles() {
    let base_text = read(&evolution_dir().join("base.yaml"));
    let base = lower(&base_text);
    let uses_base = read(&evolution_dir().join("uses_base.rs"));
    let mut scratch = common::Scratch::new("evolution-check");
    let generate = |text: &str, name: &str| {
        vapigen::generate(text, &options(name))
            .unwrap_or_else(|error| panic!("{name}: {error}"))
            .files
    };
    scratch.add_generated("evo-base", &generate(&base_text, "evo-base"));
    // Code that must compile: each piece against the crate it was written for.
    let mut must_compile = vec!["base-code-on-base".to_owned()];
    scratch.add_user("base-code-on-base", "evo-base", "evo-base", &uses_base);
    // (crate, case, whether the report says it breaks)
    let mut predictions: Vec<(String, String, bool)> = Vec::new();
    for case in cases() {
        let (forward, backward) = reports(&case, &base);
        let changed = format!("evo-{}", case.name.replace('_', "-"));
        scratch.add_generated(&changed, &generate(&case.changed_spec, &changed));
        let own = format!("{}-changed-code-on-changed", case.name);
        scratch.add_user(&own, &changed, &changed, &case.uses_changed);
        must_compile.push(own);
        let forward_crate = format!("{}-base-code-on-changed", case.name);
        scratch.add_user(&forward_crate, &changed, &changed, &uses_base);
        predictions.push((forward_crate, case.name.clone(), forward.is_breaking()));
        let backward_crate = format!("{}-changed-code-on-base", case.name);
        scratch.add_user(&backward_crate, "evo-base", "evo-base", &case.uses_changed);
        predictions.push((backward_crate, case.name.clone(), backward.is_breaking()));
    }
    scratch.finish();

    for (krate, _, breaking) in &predictions {
        if !breaking {
            must_compile.push(krate.clone());
        }
    }
    let mut args: Vec<&str> = Vec::new();
    for krate in &must_compile {
        args.extend(["-p", krate]);
    }
    let (success, stderr) = scratch.check(&args, "");
    assert!(
        success,
        "code that must compile (written for its crate, or reported non-breaking) does not:\n{stderr}"
    );

    let mut wrong = Vec::new();
    let mut broken = 0;
    for (krate, case, breaking) in &predictions {
        if !breaking {
            continue;
        }
        let (success, stderr) = scratch.check(&["-p", krate], "");
        // It must fail, and in the code that uses the crate, not in the crate.
        if success || !stderr.contains(&format!("{krate}/src/lib.rs")) {
            wrong.push(format!(
                "{case}: `{krate}` was reported breaking but compiles:\n{stderr}"
            ));
        }
        broken += 1;
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Both outcomes are exercised: a check that only ever passes proves nothing.
    assert!(broken >= 10 && predictions.len() - broken >= 8);
}

#[test]
fn the_curated_spec_against_itself_reports_nothing() {
    let text = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/vsphere.yaml"));
    let api = lower(&text);
    let report = diff::diff(&api, &api);
    assert_eq!(report.changes, Vec::new());
    assert!(
        diff::markdown(&report)
            .expect("renders")
            .contains("No changes")
    );
}

#[test]
fn one_new_required_property_is_exactly_one_breaking_change() {
    let text = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/vsphere.yaml"));
    let mut spec: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML");
    let schema = &mut spec["components"]["schemas"]["Content.Library.Subscriptions.CreateSpec"];
    let properties = schema["properties"].as_mapping_mut().expect("properties");
    properties.insert(
        "owner".into(),
        serde_yaml::from_str("{type: string, description: Who owns the subscription.}")
            .expect("property"),
    );
    schema["required"]
        .as_sequence_mut()
        .expect("required list")
        .push("owner".into());
    let changed = serde_yaml::to_string(&spec).expect("YAML out");

    let report = diff::diff(&lower(&text), &lower(&changed));
    assert_eq!(report.changes.len(), 1, "{:#?}", report.changes);
    let change = &report.changes[0];
    assert_eq!(change.impact, Impact::Breaking);
    assert_eq!(change.kind, "required property added");
    assert_eq!(
        change.subject,
        "schema `Content.Library.Subscriptions.CreateSpec` property `owner`"
    );
}
