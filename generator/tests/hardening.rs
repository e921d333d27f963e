//! The generator never crashes or blows up, and every spec it accepts yields
//! a crate that compiles: each hostile or unusual spec below either fails
//! with an error that names where the problem is, or generates a crate that
//! is then checked with clippy, rustdoc and its doc tests (all with
//! `-D warnings`), together in one scratch workspace.
//!
//! Inputs that used to overflow the stack run on a thread with the default
//! 2 MiB stack of a spawned thread, so an overflow would fail the test
//! instead of passing on a larger main-thread stack. Time is not asserted
//! (machines differ); sizes are.

mod common;

use serde_json::{Value, json};
use vapigen::{Error, Generated, Options};

fn options(crate_name: &str) -> Options {
    Options {
        crate_name: crate_name.to_owned(),
        spec_name: "hardening.yaml".into(),
        standalone: true,
        lenient: false,
        release: None,
    }
}

fn generate(text: &str) -> Result<Generated, Error> {
    vapigen::generate(text, &options("hardening"))
}

/// Runs `work` on a thread with the default 2 MiB stack.
fn on_small_stack<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(work)
        .expect("spawn")
        .join()
        .expect("the generator must not overflow its stack or panic")
}

/// A document with `paths` and `schemas`, as JSON text.
fn spec(paths: Value, schemas: Value) -> String {
    let document = json!({
        "openapi": "3.0.3",
        "info": {"title": "Hardening", "version": "1.0.0"},
        "paths": paths,
        "components": {"schemas": schemas},
    });
    serde_json::to_string_pretty(&document).expect("JSON")
}

/// An operation answering 200 with `schema`, with `parameters`.
fn operation(id: &str, parameters: Value) -> Value {
    json!({
        "operationId": id,
        "parameters": parameters,
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "string"}}}}},
    })
}

fn parameter(name: &str, place: &str) -> Value {
    json!({"name": name, "in": place, "required": place == "path", "schema": {"type": "string"}})
}

/// The error, which must be one that names a place: its message, checked
/// to hold every one of `expected`.
fn refused(text: &str, expected: &[&str]) -> String {
    let error = match generate(text) {
        Ok(_) => panic!("generated, but should fail with {expected:?}"),
        Err(error) => error.to_string(),
    };
    for part in expected {
        assert!(error.contains(part), "{error}\n  lacks: {part}");
    }
    error
}

// ---- §2: never crashes, never blows up --------------------------------

#[test]
fn an_all_of_that_includes_itself_is_an_error() {
    let direct = spec(
        json!({}),
        json!({"A": {"allOf": [
            {"$ref": "#/components/schemas/A"},
            {"type": "object", "properties": {"x": {"type": "string"}}},
        ]}}),
    );
    let error = on_small_stack(move || generate(&direct).map(|_| ()));
    let message = error.expect_err("refused").to_string();
    assert!(
        message.contains("/components/schemas/A/allOf/0")
            && message.contains("cannot extend itself"),
        "{message}"
    );
    let through_another = spec(
        json!({}),
        json!({
            "A": {"allOf": [{"$ref": "#/components/schemas/B"}, {"type": "object", "properties": {"x": {"type": "string"}}}]},
            "B": {"allOf": [{"$ref": "#/components/schemas/A"}, {"type": "object", "properties": {"y": {"type": "string"}}}]},
        }),
    );
    let error = on_small_stack(move || generate(&through_another).map(|_| ()));
    let message = error.expect_err("refused").to_string();
    assert!(
        message.contains("/allOf/0") && message.contains("cannot extend itself"),
        "{message}"
    );
}

#[test]
fn examples_stay_small_however_wide_the_types() {
    // Nine levels of objects with six required properties of the next level:
    // written out, an example would hold 6^9 (ten million) objects.
    let mut schemas = serde_json::Map::new();
    for level in 0..9 {
        let next = if level == 8 {
            json!({"type": "string"})
        } else {
            json!({"$ref": format!("#/components/schemas/L{}", level + 1)})
        };
        let names: Vec<String> = (0..6).map(|i| format!("p{i}")).collect();
        let properties: serde_json::Map<String, Value> = names
            .iter()
            .map(|name| (name.clone(), next.clone()))
            .collect();
        schemas.insert(
            format!("L{level}"),
            json!({"type": "object", "properties": properties, "required": names}),
        );
    }
    let text = spec(
        json!({"/a": {"post": {
            "operationId": "wide",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/L0"}}}},
            "responses": {"204": {"description": "done"}},
        }}}),
        Value::Object(schemas),
    );
    let generated =
        on_small_stack(move || generate(&text).map_err(|e| e.to_string())).expect("generates");
    let largest = generated
        .files
        .iter()
        .max_by_key(|(_, text)| text.len())
        .expect("files");
    assert!(
        largest.1.len() < 200_000,
        "{} is {} bytes",
        largest.0,
        largest.1.len()
    );
    // The top level's example is left out; a small level keeps its example.
    let page = |name: &str| {
        generated
            .files
            .iter()
            .find(|(path, _)| path.ends_with(&format!("/{name}.md")))
            .map(|(_, text)| text.clone())
            .unwrap_or_else(|| panic!("no page for {name}"))
    };
    assert!(!page("L0").contains("Minimal example"));
    assert!(page("L7").contains("Minimal example"));
}

#[test]
fn deep_nesting_is_a_syntax_error_with_a_line() {
    for text in [
        "[".repeat(100_000),
        format!("{{\"openapi\": {}", "[".repeat(100_000)),
        format!("openapi: 3.0.3\ninfo: {}", "{a: ".repeat(100_000)),
    ] {
        let outcome = on_small_stack(move || generate(&text).map(|_| ()));
        match outcome {
            Err(Error::Syntax {
                location, message, ..
            }) => {
                assert!(location.line_column.is_some(), "{message}");
                assert!(message.contains("recursion limit"), "{message}");
            }
            other => panic!("expected a syntax error, got {:?}", other.err()),
        }
    }
}

#[test]
fn a_name_with_hundreds_of_dotted_parts_is_refused() {
    let name = vec!["a"; 500].join(".");
    let text = spec(json!({}), json!({ name.clone(): {"type": "string"} }));
    let outcome = on_small_stack(move || generate(&text).map(|_| ()));
    let message = outcome.expect_err("refused").to_string();
    assert!(
        message.contains("/components/schemas/a.a.a") && message.contains("500 dotted parts"),
        "{message}"
    );
    // As many parts as allowed still generate.
    let name = vec!["a"; vapigen::naming::MAX_NAME_PARTS].join(".");
    let text = spec(
        json!({}),
        json!({ name: {"type": "object", "properties": {"x": {"type": "string"}}} }),
    );
    on_small_stack(move || generate(&text).map(|_| ()).map_err(|e| e.to_string()))
        .expect("the deepest allowed name generates");
    let id = vec!["op"; 500].join(".");
    let text = spec(json!({"/a": {"get": operation(&id, json!([]))}}), json!({}));
    let outcome = on_small_stack(move || generate(&text).map(|_| ()));
    let message = outcome.expect_err("refused").to_string();
    assert!(message.contains("/paths/~1a/get/operationId"), "{message}");
}

#[test]
fn deeply_nested_arrays_generate() {
    // As deep as the parsers allow (128 levels of JSON, two per array).
    let mut schema = json!({"type": "string"});
    for _ in 0..60 {
        schema = json!({"type": "array", "items": schema});
    }
    let text = spec(
        json!({}),
        json!({"Deep": {"type": "object", "properties": {"x": schema}}}),
    );
    let outcome = on_small_stack(move || generate(&text).map(|_| ()).map_err(|e| e.to_string()));
    outcome.expect("generates");
}

#[test]
fn a_long_chain_of_references_generates() {
    // A0 -> A1 -> ... -> A9999 -> a struct: every walk over it must be
    // iterative (and, not asserted here, linear).
    let mut schemas = serde_json::Map::new();
    for index in 0..10_000 {
        schemas.insert(
            format!("A{index}"),
            json!({"$ref": format!("#/components/schemas/A{}", index + 1)}),
        );
    }
    schemas.insert(
        "A10000".into(),
        json!({"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A0"}}}),
    );
    let text = spec(json!({}), Value::Object(schemas));
    let outcome = on_small_stack(move || generate(&text).map(|g| g.files.len()));
    assert!(outcome.expect("generates") > 10_000);
}

#[test]
fn duplicate_keys_are_errors_with_both_lines() {
    let yaml = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {'200': {description: first}}\n  /b: {}\n  /a:\n    post:\n      responses: {'200': {description: second}}\n";
    let message = refused(yaml, &["duplicate key `/a`", "/paths/~1a"]);
    assert!(
        message.contains("line 8") && message.contains("line 4"),
        "{message}"
    );
    let json_text = "{\n  \"openapi\": \"3.0.3\",\n  \"info\": {\"title\": \"t\", \"version\": \"1\"},\n  \"paths\": {},\n  \"components\": {\n    \"schemas\": {\n      \"A\": {\"type\": \"string\"},\n      \"A\": {\"type\": \"integer\"}\n    }\n  }\n}\n";
    let message = refused(json_text, &["duplicate key `A`", "/components/schemas/A"]);
    assert!(
        message.contains("line 8") && message.contains("line 7"),
        "{message}"
    );
}

#[test]
fn json_that_fails_is_reported_as_json() {
    // A JSON document with a syntax error deep inside: serde_json's line,
    // not the YAML parser's view of it.
    let text =
        "{\n  \"openapi\": \"3.0.3\",\n  \"info\": {\"title\": \"t\" \"version\": \"1\"}\n}\n";
    match generate(text) {
        Err(Error::Syntax { location, .. }) => {
            assert_eq!(location.line_column.map(|l| l.0), Some(3))
        }
        other => panic!("expected a syntax error, got {:?}", other.err()),
    }
    // A YAML flow mapping is not JSON, and still reads.
    let flow = "{openapi: 3.0.3, info: {title: t, version: '1'}, paths: {}}";
    generate(flow).expect("a YAML flow mapping generates");
}

// ---- §3: refused with a location ----------------------------------------

#[test]
fn routes_axum_cannot_serve_are_refused() {
    let path = "/files/{name}.{ext}";
    let text = spec(
        json!({ path: {"get": operation("get_file", json!([parameter("name", "path"), parameter("ext", "path")]))} }),
        json!({}),
    );
    refused(
        &text,
        &["/paths/~1files~1{name}.{ext}", "must end its segment"],
    );
    let text = spec(
        json!({"/a/:b": {"get": operation("colon", json!([]))}}),
        json!({}),
    );
    refused(&text, &["/paths/~1a~1:b", "starts with `:`"]);
    let text = spec(
        json!({"/a/{b": {"get": operation("brace", json!([]))}}),
        json!({}),
    );
    refused(&text, &["/paths/~1a~1{b", "brace"]);
}

#[test]
fn path_parameters_and_templates_must_match() {
    let text = spec(
        json!({"/a": {"get": operation("missing_from_template", json!([parameter("id", "path")]))}}),
        json!({}),
    );
    refused(
        &text,
        &["/paths/~1a/get/parameters/0", "does not appear in the path"],
    );
    let text = spec(
        json!({"/a/{id}": {"get": operation("no_parameter", json!([]))}}),
        json!({}),
    );
    refused(&text, &["/paths/~1a~1{id}/get", "no path parameter `id`"]);
}

#[test]
fn templates_that_differ_only_in_names_are_refused() {
    let text = spec(
        json!({
            "/a/{x}": {"get": operation("by_x", json!([parameter("x", "path")]))},
            "/a/{y}": {"get": operation("by_y", json!([parameter("y", "path")]))},
        }),
        json!({}),
    );
    refused(
        &text,
        &[
            "/paths/~1a~1{y}/get",
            "same requests",
            "/paths/~1a~1{x}/get",
        ],
    );
}

#[test]
fn header_names_must_be_http_tokens() {
    let text = spec(
        json!({"/a": {"get": operation("bad_header", json!([parameter("Bad Header", "header")]))}}),
        json!({}),
    );
    refused(
        &text,
        &["/paths/~1a/get/parameters/0/name", "not a valid HTTP token"],
    );
}

#[test]
fn non_json_bodies_are_refused() {
    let text = spec(
        json!({"/a": {"post": {
            "operationId": "upload",
            "requestBody": {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
            "responses": {"204": {"description": "done"}},
        }}}),
        json!({}),
    );
    refused(
        &text,
        &[
            "/paths/~1a/post/requestBody/content/application~1octet-stream",
            "only JSON bodies",
        ],
    );
}

#[test]
fn crate_names_cargo_rejects_are_refused() {
    let text = spec(json!({}), json!({"A": {"type": "string"}}));
    for name in ["my crate\"", "", "1abc", "self", "test", "a.b"] {
        match vapigen::generate(&text, &options(name)) {
            Err(Error::InvalidOption { option, .. }) => assert_eq!(option, "crate name"),
            other => panic!(
                "{name:?}: expected an invalid option, got {:?}",
                other.err()
            ),
        }
    }
    for name in ["my-crate", "_private", "vsphere_api2"] {
        vapigen::generate(&text, &options(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn property_names_equal_but_for_case_are_still_a_collision() {
    let text = spec(
        json!({}),
        json!({"A": {"type": "object", "properties": {"fooBar": {"type": "string"}, "foo_bar": {"type": "string"}}}}),
    );
    refused(
        &text,
        &[
            "/components/schemas/A/properties/fooBar",
            "/components/schemas/A/properties/foo_bar",
        ],
    );
}

// ---- §3: accepted, and the crate compiles --------------------------------

/// Specs the generator accepts, each of which once gave a crate that did not
/// compile (or panicked): (crate name, spec).
fn accepted_specs() -> Vec<(&'static str, String)> {
    let string_200 = |id: &str| operation(id, json!([]));
    let error_schema = |name: &str| json!({"type": "object", "properties": {"messages": {"type": "array", "items": {"type": "string"}}, "code": {"type": "string"}}, "description": name});
    vec![
        (
            "same-parameter-names",
            spec(
                json!({"/a/{id}": {"get": operation("both_ids", json!([
                    parameter("id", "path"),
                    parameter("id", "query"),
                    parameter("foo-bar", "query"),
                    parameter("foo_bar", "query"),
                    parameter("Foo-Bar", "header"),
                ]))}}),
                json!({}),
            ),
        ),
        (
            "body-parameters",
            spec(
                json!({"/a": {"post": {
                    "operationId": "with_body",
                    "parameters": [parameter("body", "query"), parameter("request_body", "query")],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "string"}}}},
                    "responses": {"204": {"description": "done"}},
                }}}),
                json!({}),
            ),
        ),
        (
            "status-classes",
            spec(
                json!({
                    "/both": {"get": {
                        "operationId": "exact_and_class",
                        "responses": {
                            "200": {"description": "exactly 200", "content": {"application/json": {"schema": {"type": "string"}}}},
                            "2XX": {"description": "any other 2xx", "content": {"application/json": {"schema": {"type": "integer"}}}},
                        },
                    }},
                    "/class": {"get": {
                        "operationId": "class_only",
                        "responses": {"2XX": {"description": "any 2xx", "content": {"application/json": {"schema": {"type": "string"}}}}},
                    }},
                    "/class-empty": {"delete": {
                        "operationId": "class_no_body",
                        "responses": {"2XX": {"description": "any 2xx"}},
                    }},
                }),
                json!({}),
            ),
        ),
        (
            "errors-sharing-a-name",
            spec(
                json!({"/a": {"get": {
                    "operationId": "three_errors",
                    "responses": {
                        "200": {"description": "OK"},
                        "400": {"description": "bad", "content": {"application/json": {"schema": {"anyOf": [
                            {"$ref": "#/components/schemas/a.Error"},
                            {"$ref": "#/components/schemas/b.Error"},
                            {"$ref": "#/components/schemas/c.Error"},
                        ]}}}},
                        "404": {"description": "not found", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Other"}}}},
                    },
                }}}),
                json!({
                    "a.Error": error_schema("a"),
                    "b.Error": error_schema("b"),
                    "c.Error": error_schema("c"),
                    "Other": error_schema("the name of a reserved variant"),
                }),
            ),
        ),
        (
            "method-names",
            spec(
                json!({
                    "/login": {"post": string_200("login")},
                    "/login-operation": {"post": string_200("login_operation")},
                    "/new": {"get": string_200("new")},
                    "/authenticate": {"get": string_200("authenticate")},
                    "/authenticate-operation": {"get": string_200("authenticate_operation")},
                    "/from": {"get": string_200("from_parts")},
                    "/into": {"get": string_200("into_parts")},
                }),
                json!({}),
            ),
        ),
        (
            "catch-all-variant",
            spec(
                json!({}),
                json!({
                    "Taken": {"type": "string", "enum": ["Unknown", "UnknownValue", "Unrecognized", "UnrecognizedValue"]},
                    "Signs": {"type": "string", "enum": ["+1", "-1", "a-b", "a_b"]},
                }),
            ),
        ),
        (
            "prelude-names",
            spec(
                json!({"/a": {"get": {
                    "operationId": "prelude",
                    "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Result"}}}}},
                }}}),
                json!({
                    "Option": {"type": "object", "properties": {"value": {"type": "string"}}},
                    "Result": {"type": "object", "properties": {
                        "option": {"$ref": "#/components/schemas/Option"},
                        "text": {"$ref": "#/components/schemas/String"},
                        "list": {"type": "array", "items": {"type": "string"}},
                        "boxed": {"$ref": "#/components/schemas/Box"},
                    }},
                    "String": {"type": "string", "enum": ["A", "B"]},
                    "Vec": {"type": "array", "items": {"type": "string"}},
                    "Box": {"type": "object", "properties": {"inner": {"$ref": "#/components/schemas/Box"}}},
                    "Default": {"type": "object", "properties": {"x": {"type": "string"}}},
                    "Some": {"type": "object", "properties": {"x": {"type": "string"}}},
                }),
            ),
        ),
        (
            "code-fences",
            spec(
                json!({"/a": {"get": {
                    "operationId": "fenced",
                    "description": "Tilde fence:\n~~~\nthis is not Rust\n~~~\nLong fence:\n````rust\nnot Rust either\n```\n````\nUnclosed:\n```\nnot closed",
                    "responses": {"200": {"description": "OK"}},
                }}}),
                json!({
                    "A": {"type": "object", "description": "~~~\nlet x = ;\n~~~", "properties": {"x": {"type": "string", "description": "~~~~\nnope\n~~~~"}}},
                    "Odd": {"type": "string", "enum": ["line\n    panic!(\"a doc test\")", "~~~", "```"]},
                }),
            ),
        ),
        (
            "no-schemas",
            spec(
                json!({"/a/{id}": {"get": operation("no_types", json!([parameter("id", "path")]))}}),
                json!({}),
            ),
        ),
        (
            "reactions",
            spec(
                json!({"/r": {"get": {
                    "operationId": "reactions",
                    "parameters": [parameter("+1", "query"), parameter("-1", "query")],
                    "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Reactions"}}}}},
                }}}),
                json!({"Reactions": {"type": "object", "required": ["+1", "-1"], "properties": {
                    "+1": {"type": "integer"},
                    "-1": {"type": "integer"},
                    "laugh": {"type": "integer"},
                }}}),
            ),
        ),
        (
            "route-prefixes",
            spec(
                json!({
                    "/items/id:{item}": {"get": operation("by_prefixed_id", json!([parameter("item", "path")]))},
                    "/items/{item}/parts/{part}": {"get": operation("part", json!([parameter("item", "path"), parameter("part", "path")]))},
                }),
                json!({}),
            ),
        ),
    ]
}

#[test]
fn accepted_specs_give_crates_that_compile() {
    let mut scratch = common::Scratch::sharing_target("hardening", "compile-check");
    for (name, text) in accepted_specs() {
        let crate_name = format!("hardening-{name}");
        let generated = vapigen::generate(&text, &options(&crate_name))
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        scratch.add_generated(&crate_name, &generated.files);
    }
    let member = |alias: &str, case: &str| {
        format!(
            "{alias} = {{ package = \"hardening-{case}\", path = \"../hardening-{case}\", features = [\"client\", \"server\"] }}\n"
        )
    };
    let dependencies = [
        member("classes", "status-classes"),
        member("same", "same-parameter-names"),
        member("prefixes", "route-prefixes"),
        "axum = { version = \"0.8\", default-features = false, features = [\"tokio\", \"http1\"] }\n".into(),
        "tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\", \"net\", \"io-util\"] }\n".into(),
    ]
    .concat();
    scratch.add_crate(
        "hardening-behaviour",
        &dependencies,
        include_str!("fixtures/hardening/behaviour.rs"),
    );
    scratch.finish();
    let (success, output) = scratch.clippy_all();
    assert!(success, "generated crates do not pass clippy:\n{output}");
    let (success, output) = scratch.cargo(
        "doc",
        &["--workspace", "--all-features", "--no-deps", "--quiet"],
        "-D warnings",
    );
    assert!(success, "generated crates do not pass rustdoc:\n{output}");
    // Descriptions with code fences must not become doc tests.
    let (success, output) = scratch.cargo(
        "test",
        &[
            "--doc",
            "-p",
            "hardening-code-fences",
            "--all-features",
            "--quiet",
        ],
        "-D warnings",
    );
    assert!(success, "doc tests fail:\n{output}");
    // And they behave: over loopback sockets (tests/fixtures/hardening/behaviour.rs).
    let (success, output) = scratch.cargo(
        "test",
        &["-p", "hardening-behaviour", "--quiet"],
        "-D warnings",
    );
    assert!(success, "generated crates misbehave:\n{output}");
    assert!(output.contains("3 passed"), "{output}");
}

#[test]
fn accepted_specs_name_things_as_expected() {
    let files = |name: &str| {
        let (_, text) = accepted_specs()
            .into_iter()
            .find(|(case, _)| *case == name)
            .expect("case");
        generate(&text)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .files
    };
    let both_ids = &files("same-parameter-names")["src/operations/both_ids.rs"];
    for field in [
        "pub id_path:",
        "pub id_query:",
        "pub foo_minus_bar_query:",
        "pub foo_bar:",
        "pub foo_minus_bar_header:",
    ] {
        assert!(both_ids.contains(field), "{field} in\n{both_ids}");
    }
    let reactions = common::types_source(&files("reactions"));
    for field in ["pub plus_1:", "pub minus_1:", "pub laugh:"] {
        assert!(reactions.contains(field), "{field} in\n{reactions}");
    }
    let classes = &files("status-classes")["src/operations/exact_and_class.rs"];
    assert!(
        classes.contains("Status200(") && classes.contains("Status2xx("),
        "{classes}"
    );
    assert!(classes.contains("201..=299 =>"), "{classes}");
    let taken = common::types_source(&files("catch-all-variant"));
    assert!(
        taken.contains("UnrecognizedValue2(")
            && taken.contains("Plus1")
            && taken.contains("Minus1"),
        "{taken}"
    );
    let method_names = files("method-names");
    let client_methods: Vec<&str> = ["login_operation_2", "login_operation", "new_operation"]
        .into_iter()
        .filter(|method| {
            !method_names.iter().any(|(path, text)| {
                path.starts_with("src/operations/")
                    && text.contains(&format!("pub async fn {method}("))
            })
        })
        .collect();
    assert!(
        client_methods.is_empty(),
        "missing client methods {client_methods:?}"
    );
}
