//! Several errors under one status: `anyOf` and `oneOf` give the same cases,
//! and the curated spec uses `anyOf` (schemathesis found that a `oneOf` of
//! vapi errors rejects every real body: the members overlap as JSON Schemas).

use serde_json::Value;
use vapigen::ir::{ErrorCase, ResponseKind};

const SPEC: &str = r##"
openapi: 3.0.3
info: {title: Unions, version: 1.0.0}
paths:
  /a:
    post:
      operationId: a_create
      responses:
        '204': {description: done}
        '400':
          description: bad
          content:
            application/json:
              schema:
                KEYWORD:
                  - description: The argument is wrong.
                    allOf: [{$ref: '#/components/schemas/Errors.InvalidArgument'}]
                  - description: It exists.
                    allOf: [{$ref: '#/components/schemas/Errors.AlreadyExists'}]
components:
  schemas:
    Errors.Error:
      type: object
      required: [messages]
      properties:
        error_type: {type: string}
        messages: {type: array, items: {type: string}}
      discriminator:
        propertyName: error_type
        mapping:
          INVALID_ARGUMENT: '#/components/schemas/Errors.InvalidArgument'
          ALREADY_EXISTS: '#/components/schemas/Errors.AlreadyExists'
    Errors.InvalidArgument:
      type: object
      properties:
        error_type: {type: string}
        messages: {type: array, items: {type: string}}
    Errors.AlreadyExists:
      type: object
      properties:
        error_type: {type: string}
        messages: {type: array, items: {type: string}}
"##;

fn cases(keyword: &str) -> Vec<ErrorCase> {
    let text = SPEC.replace("KEYWORD", keyword);
    let loaded = vapigen::load::load("unions.yaml", &text).expect("loads");
    let lowered = vapigen::lower::lower("unions.yaml", &loaded.openapi, false).expect("lowers");
    assert!(lowered.warnings.is_empty(), "{:?}", lowered.warnings);
    let operation = &lowered.api.operations["a_create"];
    operation
        .responses
        .iter()
        .find_map(|response| match &response.kind {
            ResponseKind::Error(cases) => Some(cases.clone()),
            ResponseKind::Success(_) => None,
        })
        .expect("an error response")
}

#[test]
fn any_of_and_one_of_error_unions_give_one_case_per_member() {
    let any_of = cases("anyOf");
    let error_types: Vec<Option<&str>> = any_of.iter().map(|c| c.error_type.as_deref()).collect();
    assert_eq!(
        error_types,
        [Some("INVALID_ARGUMENT"), Some("ALREADY_EXISTS")]
    );
    assert_eq!(
        any_of[1].description.as_deref(),
        Some("It exists."),
        "{any_of:?}"
    );
    assert_eq!(any_of, cases("oneOf"));
}

#[test]
fn the_curated_spec_has_no_one_of_error_unions() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/vsphere.yaml");
    let text = std::fs::read_to_string(path).expect("spec");
    let spec: Value = serde_yaml::from_str(&text).expect("YAML");
    let mut found = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let Some(responses) = operation.get("responses").and_then(Value::as_object) else {
                continue;
            };
            for (status, response) in responses {
                for (media, content) in response["content"].as_object().into_iter().flatten() {
                    if content["schema"].get("oneOf").is_some() {
                        found.push(format!("{path} {method} {status} {media}"));
                    }
                }
            }
        }
    }
    assert!(found.is_empty(), "oneOf error unions: {found:?}");
}
