//! How users build values of the generated crate, proven by compiling user
//! code against it (the evolution fixture's `base.yaml`): required properties
//! and arguments are given by name in an exhaustive `<Name>Required` literal,
//! optional ones with `with_*` setters; a struct with required properties has
//! no `Default`; an enum value the bindings do not know is written on purpose
//! (`Unknown`), never converted from a string by accident.

mod common;

use std::path::Path;
use vapigen::Options;

const BUILDS: &str = r#"
use api::operations::widgets_create::{Request, RequestRequired};
use api::types::widgets::{Color, CreateSpec, CreateSpecRequired};

pub fn request() -> Request {
    let spec = CreateSpec::new(CreateSpecRequired {
        color: Color::Green,
        name: "w1".to_owned(),
    })
    .with_size(3);
    Request::new(RequestRequired { body: spec }).with_zone("z1".to_owned())
}

pub fn unknown_on_purpose() -> Color {
    Color::Unknown("PURPLE".to_owned())
}

pub fn parsed(value: &str) -> Color {
    match value.parse::<Color>() {
        Ok(color) => color,
        Err(never) => match never {},
    }
}
"#;

/// Code that must not compile, and the error that says why.
const MISTAKES: &[(&str, &str, &str)] = &[
    (
        "missing-required",
        "pub fn f() -> api::types::widgets::CreateSpec {
            api::types::widgets::CreateSpec::new(api::types::widgets::CreateSpecRequired {
                name: \"w1\".to_owned(),
            })
        }",
        "missing field `color`",
    ),
    (
        "struct-literal",
        "pub fn f() -> api::types::widgets::CreateSpec {
            api::types::widgets::CreateSpec {
                name: \"w1\".to_owned(),
                color: api::types::widgets::Color::Red,
                size: None,
                additional_properties: Default::default(),
            }
        }",
        "non-exhaustive",
    ),
    (
        "default-with-required",
        "pub fn f() -> api::types::widgets::CreateSpec {
            api::types::widgets::CreateSpec::default()
        }",
        "E0599",
    ),
    (
        "enum-from-str",
        "pub fn f() -> api::types::widgets::Color {
            \"PULL\".into()
        }",
        "E0277",
    ),
];

fn options(crate_name: &str) -> Options {
    Options {
        crate_name: crate_name.to_owned(),
        spec_name: "fixtures/evolution/base.yaml".to_owned(),
        standalone: true,
        lenient: false,
        release: None,
    }
}

#[test]
fn required_fields_are_named_and_mistakes_do_not_compile() {
    let spec = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/evolution/base.yaml"),
    )
    .expect("base.yaml");
    let generated = vapigen::generate(&spec, &options("construct-api"))
        .expect("generates")
        .files;
    let mut scratch = common::Scratch::new("construction-check");
    scratch.add_generated("construct-api", &generated);
    scratch.add_user("construct-builds", "construct-api", "construct-api", BUILDS);
    for (name, source, _) in MISTAKES {
        scratch.add_user(name, "construct-api", "construct-api", source);
    }
    scratch.finish();

    let (success, stderr) = scratch.check(&["-p", "construct-builds"], "");
    assert!(
        success,
        "the documented way to build values does not compile:\n{stderr}"
    );
    for (name, _, expected) in MISTAKES {
        let (success, stderr) = scratch.check(&["-p", name], "");
        assert!(!success, "{name}: compiles, but must not");
        assert!(
            stderr.contains(&format!("{name}/src/lib.rs")) && stderr.contains(expected),
            "{name}: fails, but not with `{expected}` in its own code:\n{stderr}"
        );
    }
}

#[test]
fn only_structs_without_required_properties_have_default() {
    let spec =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/vsphere.yaml"))
            .expect("spec");
    let (api, _) = vapigen::lower_spec(&spec, &options("vsphere-api")).expect("lowers");
    let mut with_required = 0;
    for def in api.types.values() {
        if let vapigen::ir::TypeKind::Struct(strukt) = &def.kind {
            let required = strukt.fields.iter().any(|f| f.is_constructor_argument());
            assert_eq!(def.has_default, !required, "{}", def.rust_name);
            with_required += usize::from(required);
        }
    }
    assert!(
        with_required > 10,
        "the curated spec has structs with required properties"
    );
}

#[test]
fn names_a_user_would_guess() {
    let spec =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/vsphere.yaml"))
            .expect("spec");
    let (api, _) = vapigen::lower_spec(&spec, &options("vsphere-api")).expect("lowers");
    // The vapi standard error `ERROR` (schema `Vapi.Std.Errors.Error`) is `Error::Generic`.
    let mut generic = 0;
    for operation in api.operations.values() {
        for variant in &operation.shape.errors {
            assert_ne!(variant.name, "Error", "{}", operation.rust_name);
            if variant.error_type.as_deref() == Some("ERROR") {
                assert_eq!(variant.name, "Generic", "{}", operation.rust_name);
                generic += 1;
            }
        }
    }
    assert!(generic > 0, "the curated spec documents ERROR somewhere");
    // An operation's inline body lives in its service's module, beside the
    // service's other types (`transfers::CreateSpec`).
    let transfer = &api.operations["vcenter_vm_guest_filesystem_transfers_create"];
    let body = transfer.body.as_ref().expect("a body");
    assert_eq!(
        body.ty,
        vapigen::ir::TypeRef::Named("vcenter::vm::guest::filesystem::transfers::CreateBody".into())
    );
    assert!(
        api.types
            .contains_key("vcenter::vm::guest::filesystem::transfers::CreateSpec")
    );
}
