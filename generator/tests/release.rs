//! `--api-version`: what a release has, by the spec's since-versions.

use std::path::Path;
use vapigen::Options;
use vapigen::ir::{Api, TypeKind};
use vapigen::release::Release;

fn restricted(spec: &str, release: &str) -> (Api, Vec<String>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(spec);
    let text = std::fs::read_to_string(&path).expect("read spec");
    let options = Options {
        crate_name: "restricted".into(),
        spec_name: spec.into(),
        standalone: true,
        lenient: false,
        release: Some(Release::parse(release).expect("release")),
    };
    let (api, warnings) = vapigen::lower_spec(&text, &options).expect("restricts");
    (api, warnings.iter().map(ToString::to_string).collect())
}

fn field_names(api: &Api, ty: &str) -> Vec<String> {
    match &api.types[ty].kind {
        TypeKind::Struct(strukt) => strukt.fields.iter().map(|f| f.wire_name.clone()).collect(),
        other => panic!("{ty} is not a struct: {other:?}"),
    }
}

#[test]
fn an_older_release_leaves_out_what_came_later() {
    let (api, warnings) = restricted("tests/fixtures/release/layered.yaml", "7.0.3.0");
    assert_eq!(api.api_version(), "7.0.3.0");
    // Pools_create stays, without the 8.0 query parameter.
    let create = &api.operations["pools_create"];
    assert!(create.parameters.is_empty(), "{:?}", create.parameters);
    // Its spec loses the 8.0 optional property and the one whose type is 8.0.
    assert_eq!(field_names(&api, "pools::CreateSpec"), ["name", "tier"]);
    assert!(!api.types.contains_key("pools::Encryption"));
    match &api.types["pools::Tier"].kind {
        TypeKind::Enum(tier) => {
            let values: Vec<&str> = tier.values.iter().map(|v| v.wire_name.as_str()).collect();
            assert_eq!(values, ["GOLD", "SILVER"]);
        }
        other => panic!("Tier is not an enum: {other:?}"),
    }
    // An operation added later is left out silently; one whose body requires
    // a property added later is left out with a warning, as is every schema
    // that requires that schema.
    assert!(!api.operations.contains_key("pools_snapshots_create"));
    assert!(!api.operations.contains_key("pools_members_add"));
    assert!(!api.types.contains_key("pools::MemberSpec"));
    assert!(!api.types.contains_key("pools::MemberList"));
    assert_eq!(warnings.len(), 3, "{warnings:#?}");
    assert!(warnings[0].contains(
        "/components/schemas/Pools.MemberSpec: left out of release 7.0.3.0: its required property `weight` was added in 8.0.0.0"
    ));
    assert!(warnings.iter().any(|w| {
        w.contains("Pools.MemberList: left out of release 7.0.3.0: it needs `pools::MemberSpec`")
    }));
    assert!(warnings.iter().any(|w| w.contains(
        "operation `Pools.Members_add` left out of release 7.0.3.0: its request body needs `pools::MemberSpec` (`Pools.MemberSpec` requires property `weight`, added in 8.0.0.0)"
    )));
}

#[test]
fn the_release_the_spec_describes_keeps_everything() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/release/layered.yaml");
    let text = std::fs::read_to_string(path).expect("read spec");
    let mut options = Options {
        crate_name: "whole".into(),
        spec_name: "layered.yaml".into(),
        standalone: true,
        lenient: false,
        release: None,
    };
    let (whole, _) = vapigen::lower_spec(&text, &options).expect("lowers");
    options.release = Release::parse("8.0.0.0");
    let (same, warnings) = vapigen::lower_spec(&text, &options).expect("restricts");
    assert!(warnings.is_empty());
    assert_eq!(same.operations, whole.operations);
    assert_eq!(same.types, whole.types);
    assert_eq!(same.api_version(), "8.0.0.0");
}

#[test]
fn the_curated_spec_at_7_0_3_has_no_9_0_additions() {
    let (api, warnings) = restricted("../spec/vsphere.yaml", "7.0.3.0");
    assert!(warnings.is_empty(), "{warnings:#?}");
    assert!(
        !api.operations
            .contains_key("esx_settings_repository_software_drafts_create")
    );
    assert!(
        api.operations
            .contains_key("esx_settings_depots_offline_create_task")
    );
    let depot = field_names(&api, "esx::settings::depots::offline::CreateSpec");
    assert!(
        depot.contains(&"ownerdata".to_owned()),
        "7.0.3.0 has ownerdata"
    );
    assert!(
        !depot.contains(&"authentication".to_owned()),
        "9.0.0.0 added authentication"
    );
}

#[test]
fn the_generated_crate_says_which_release_it_is_for() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/vsphere.yaml");
    let text = std::fs::read_to_string(path).expect("read spec");
    let options = Options {
        crate_name: "old".into(),
        spec_name: "spec/vsphere.yaml".into(),
        standalone: true,
        lenient: false,
        release: Release::parse("7.0.3.0"),
    };
    let files = vapigen::generate(&text, &options).expect("generates").files;
    assert!(files["src/lib.rs"].contains("pub const API_VERSION: &str = \"7.0.3.0\";"));
    assert!(files["src/lib.rs"].contains("The spec describes release\n//! 9.1.0.0"));
    assert!(files["docs/README.md"].contains("Reference for API version 7.0.3.0"));
}

#[test]
fn a_since_version_that_is_not_a_release_is_an_error_with_its_location() {
    let spec = r#"
openapi: 3.0.3
info: {title: Bad since, version: "1.0"}
paths: {}
components:
  schemas:
    A:
      type: object
      x-vapi-since: "7.0.U3"
      properties: {}
"#;
    let options = Options {
        crate_name: "bad".into(),
        spec_name: "bad.yaml".into(),
        standalone: true,
        lenient: false,
        release: Release::parse("7.0.3.0"),
    };
    let error = vapigen::lower_spec(spec, &options)
        .expect_err("fails")
        .to_string();
    assert_eq!(
        error,
        "bad.yaml: invalid OpenAPI at /components/schemas/A/x-vapi-since: since-version `7.0.U3` is not a release number like 7.0.3.0"
    );
}
