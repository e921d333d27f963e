//! Fuzzing the whole library path (load -> lower -> emit) with proptest:
//! mutated copies of the curated spec and of the fixture specs (nodes
//! deleted, replaced, retyped, keys renamed, `$ref`s broken; then bytes
//! truncated, flipped, inserted) and small random documents. Every input
//! must give either files or an error that names a location in the spec;
//! a panic or an internal error is a bug.
//!
//! CI runs a short fixed-seed budget; for a longer local run:
//! `PROPTEST_CASES=2000 PROPTEST_RNG_SEED=$RANDOM cargo test -p vapigen --test fuzz`;
//! with `FUZZ_VERBOSE=1 ... -- --nocapture` each outcome is printed, to see how
//! far into the pipeline the inputs get.

mod common;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use vapigen::{Error, Location, Options};

/// Cases per test unless `PROPTEST_CASES` says otherwise; with the fixed seed
/// below this keeps the whole file to a few seconds in a debug build.
const DEFAULT_CASES: u32 = 32;

fn config() -> Config {
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = DEFAULT_CASES;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        // Deterministic in CI: a failure reproduces on every run.
        config.rng_seed = RngSeed::Fixed(0x7661_7069);
    }
    // Shrinking re-runs the pipeline many times; a failure's first case is
    // printed anyway.
    config.max_shrink_iters = 64;
    config.failure_persistence = None;
    config
}

/// The base documents: the curated spec and every fixture, parsed.
fn bases() -> &'static [(String, Value)] {
    static BASES: OnceLock<Vec<(String, Value)>> = OnceLock::new();
    BASES.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths: Vec<PathBuf> = vec![root.join("../spec/vsphere.yaml")];
        for kind in ["good", "bad"] {
            let dir = root.join("tests/fixtures").join(kind);
            let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
                .expect("fixtures")
                .map(|entry| entry.expect("entry").path())
                .collect();
            files.sort();
            paths.extend(files);
        }
        paths
            .into_iter()
            .filter_map(|path| {
                let text = std::fs::read_to_string(&path).expect("read base");
                // The fixture with a YAML syntax error has no tree to mutate.
                let value = serde_yaml::from_str::<Value>(&text).ok()?;
                Some((path.display().to_string(), value))
            })
            .collect()
    })
}

/// Runs the library on `text` and checks the outcome; `Err` describes a bug.
fn check(text: &str) -> Result<(), String> {
    let options = Options {
        crate_name: "fuzzed".into(),
        spec_name: "fuzz.yaml".into(),
        standalone: true,
        lenient: false,
        release: None,
    };
    let strict = run(text, &options)?;
    if strict.is_ok() {
        // `--api-version` takes the since-versions (maybe mangled) at their word.
        let _older = run(
            text,
            &Options {
                release: vapigen::release::Release::parse("7.0.0.0"),
                ..options.clone()
            },
        )?;
    }
    // Lenient mode takes other paths through lowering (fallbacks instead of errors).
    if strict.is_err() {
        let _lenient = run(
            text,
            &Options {
                lenient: true,
                ..options
            },
        )?;
    }
    Ok(())
}

/// One generation: `Err` when it panicked or failed without naming a place.
fn run(text: &str, options: &Options) -> Result<Result<(), Error>, String> {
    let outcome = std::panic::catch_unwind(|| vapigen::generate(text, options));
    if std::env::var_os("FUZZ_VERBOSE").is_some() {
        match &outcome {
            Ok(Ok(_)) => eprintln!("OUTCOME ok"),
            Ok(Err(e)) => eprintln!(
                "OUTCOME {}",
                e.to_string()
                    .chars()
                    .take(150)
                    .collect::<String>()
                    .replace('\n', " ")
            ),
            Err(_) => eprintln!("OUTCOME panic"),
        }
    }
    match outcome {
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            Err(format!("panicked: {message}"))
        }
        Ok(Ok(_)) => Ok(Ok(())),
        Ok(Err(error)) => {
            located(&error).map_err(|why| format!("{why}: {error}"))?;
            Ok(Err(error))
        }
    }
}

/// Whether an error names where in the spec the problem is.
fn located(error: &Error) -> Result<(), &'static str> {
    // The root ("/") names no place: every check below the version check
    // concerns some member of the document.
    let location_ok =
        |location: &Location| !location.pointer.is_empty() || location.line_column.is_some();
    match error {
        Error::Syntax { location, .. } => {
            if location.line_column.is_some() {
                Ok(())
            } else {
                Err("syntax error without a line")
            }
        }
        Error::Invalid { location, .. } | Error::Unsupported { location, .. } => {
            if location_ok(location) {
                Ok(())
            } else {
                Err("error without a location")
            }
        }
        Error::DuplicateKey { second, .. } => {
            if location_ok(second) {
                Ok(())
            } else {
                Err("duplicate key without a location")
            }
        }
        // The options are fixed here, and valid.
        Error::InvalidOption { .. } => Err("options refused"),
        Error::NameCollision { first, second, .. } => {
            if location_ok(first) && location_ok(second) {
                Ok(())
            } else {
                Err("name collision without locations")
            }
        }
        // These are the generator's own failures: any input that provokes
        // one has found a bug.
        Error::Emit { .. } | Error::Format { .. } | Error::Template { .. } => Err("internal error"),
    }
}

/// Every node of a tree as a JSON pointer, the root first.
fn pointers(value: &Value) -> Vec<String> {
    fn walk(value: &Value, at: &mut String, out: &mut Vec<String>) {
        out.push(at.clone());
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    let before = at.len();
                    at.push('/');
                    at.push_str(&vapigen::diagnostics::escape_pointer_segment(key));
                    walk(child, at, out);
                    at.truncate(before);
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    let before = at.len();
                    at.push_str(&format!("/{index}"));
                    walk(child, at, out);
                    at.truncate(before);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut String::new(), &mut out);
    out
}

/// Strings with a meaning somewhere in an OpenAPI document or in Rust.
const WORDS: &[&str] = &[
    "",
    "type",
    "object",
    "string",
    "array",
    "integer",
    "number",
    "boolean",
    "null",
    "$ref",
    "properties",
    "items",
    "allOf",
    "oneOf",
    "anyOf",
    "not",
    "enum",
    "required",
    "additionalProperties",
    "discriminator",
    "format",
    "password",
    "date-time",
    "uri",
    "uuid",
    "nullable",
    "error_type",
    "data",
    "value",
    "x-vapi-wire",
    "rest",
    "x-vapi-since",
    "x-vapi-enum-since",
    "x-vapi-privileges",
    "x-vapi-privilege-scope",
    "application/json",
    "text/plain",
    "default",
    "200",
    "2XX",
    "404",
    "#",
    "#/",
    "#/components/schemas/",
    "#/components/schemas/Missing",
    "#/components/schemas/Vapi.Std.Errors.Error",
    "#/components/schemas/Vapi.Std.Errors.Error/properties/messages",
    "#/components/parameters/Missing",
    "#/components/responses/Missing",
    "#/components/requestBodies/Missing",
    "#/paths/~1api~1session",
    "other.yaml#/components/schemas/B",
    "https://example.com/x.json",
    "self",
    "Self",
    "crate",
    "super",
    "type_",
    "r#type",
    "0abc",
    "_",
    "__",
    "-",
    ".",
    "..",
    "a.b.",
    ".a..b",
    "Unknown",
    "unknown",
    "UNKNOWN",
    "A::B",
    "a b",
    "ünïcödé",
    "日本",
    "{}",
    "}{",
    "{vm}",
    "/api/{x}",
    "/api?action=create&x",
    "/",
    "in",
    "path",
    "query",
    "header",
    "cookie",
    "\"",
    "\\",
    "'",
    "`",
    "*/",
    "/*",
    "\n",
    "#[doc]",
    "<!--",
    "{{ x }}",
    "{% if %}",
];

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(WORDS).prop_map(str::to_owned),
        1 => "[ -~]{0,12}",
        1 => any::<String>().prop_map(|s| s.chars().take(12).collect()),
    ]
}

/// Small random JSON values, biased to OpenAPI's vocabulary.
fn small_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        word().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec((word(), inner), 0..5)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Small schemas, to put where a schema goes: mostly well-formed, so that a
/// mutation gets past parsing into lowering and emitting.
fn schema_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        proptest::sample::select(&["string", "integer", "number", "boolean", "object", "array"][..])
            .prop_map(|t| json!({ "type": t })),
        (word(), proptest::sample::select(&["int32", "int64", "float", "password", "date-time", "uri", "uuid", "binary", "byte", "weird"][..]))
            .prop_map(|(t, f)| json!({ "type": if t.len() % 2 == 0 { "string" } else { "integer" }, "format": f })),
        proptest::collection::vec(word(), 0..4).prop_map(|values| json!({ "type": "string", "enum": values })),
        word().prop_map(|target| json!({ "$ref": format!("#/components/schemas/{target}") })),
        Just(json!({ "$ref": "#/components/schemas/Vapi.Std.Errors.Error" })),
        Just(json!({})),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            (
                proptest::collection::vec((word(), inner.clone()), 0..4),
                proptest::collection::vec(word(), 0..2)
            )
                .prop_map(|(properties, required)| json!({
                    "type": "object",
                    "properties": properties.into_iter().collect::<Map<_, _>>(),
                    "required": required,
                })),
            inner
                .clone()
                .prop_map(|items| json!({ "type": "array", "items": items })),
            inner
                .clone()
                .prop_map(|values| json!({ "type": "object", "additionalProperties": values })),
            proptest::collection::vec(inner.clone(), 0..3)
                .prop_map(|parts| json!({ "allOf": parts })),
            proptest::collection::vec(inner.clone(), 0..3)
                .prop_map(|parts| json!({ "anyOf": parts })),
            (inner, any::<bool>()).prop_map(|(mut schema, flag)| {
                if let Some(object) = schema.as_object_mut() {
                    object.insert("nullable".into(), Value::Bool(flag));
                    object.insert(
                        "description".into(),
                        json!("*/ \"quoted\" `code` {{x}} <b>"),
                    );
                }
                schema
            }),
        ]
    })
}

/// One change to a document tree.
#[derive(Clone, Debug)]
enum TreeMutation {
    /// Removes the node.
    Delete(Index),
    /// Puts another value in its place.
    Replace(Index, Value),
    /// Changes its JSON type, keeping what can be kept.
    Retype(Index, u8),
    /// Renames the key it has in its parent object.
    Rename(Index, String),
    /// Points a `$ref` somewhere else.
    BreakRef(Index, String),
    /// Copies one node over another (self-reference, shared subtrees).
    Copy(Index, Index),
    /// Adds a member to an object node.
    Insert(Index, String, Value),
}

fn tree_mutation() -> impl Strategy<Value = TreeMutation> {
    prop_oneof![
        2 => any::<Index>().prop_map(TreeMutation::Delete),
        1 => (any::<Index>(), small_value()).prop_map(|(i, v)| TreeMutation::Replace(i, v)),
        2 => (any::<Index>(), schema_value()).prop_map(|(i, v)| TreeMutation::Replace(i, v)),
        2 => (any::<Index>(), word(), schema_value()).prop_map(|(i, w, v)| TreeMutation::Insert(i, w, v)),
        2 => (any::<Index>(), any::<u8>()).prop_map(|(i, k)| TreeMutation::Retype(i, k)),
        2 => (any::<Index>(), word()).prop_map(|(i, w)| TreeMutation::Rename(i, w)),
        3 => (any::<Index>(), word()).prop_map(|(i, w)| TreeMutation::BreakRef(i, w)),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| TreeMutation::Copy(a, b)),
    ]
}

fn pick<'a>(index: &Index, pointers: &'a [String]) -> &'a str {
    index.get(pointers).as_str()
}

fn split_parent(pointer: &str) -> Option<(&str, String)> {
    let (parent, last) = pointer.rsplit_once('/')?;
    Some((parent, last.replace("~1", "/").replace("~0", "~")))
}

fn apply(document: &mut Value, mutation: &TreeMutation) {
    let all = pointers(document);
    match mutation {
        TreeMutation::Delete(index) => {
            let pointer = pick(index, &all);
            if let Some((parent, key)) = split_parent(pointer) {
                match document.pointer_mut(parent) {
                    Some(Value::Object(map)) => {
                        map.shift_remove(&key);
                    }
                    Some(Value::Array(items)) => {
                        if let Ok(i) = key.parse::<usize>()
                            && i < items.len()
                        {
                            items.remove(i);
                        }
                    }
                    _ => {}
                }
            }
        }
        TreeMutation::Replace(index, value) => {
            if let Some(node) = document.pointer_mut(pick(index, &all)) {
                *node = value.clone();
            }
        }
        TreeMutation::Retype(index, kind) => {
            if let Some(node) = document.pointer_mut(pick(index, &all)) {
                *node = retype(node.take(), *kind);
            }
        }
        TreeMutation::Rename(index, name) => {
            let pointer = pick(index, &all);
            if let Some((parent, key)) = split_parent(pointer)
                && let Some(Value::Object(map)) = document.pointer_mut(parent)
                && let Some(value) = map.shift_remove(&key)
            {
                map.insert(name.clone(), value);
            }
        }
        TreeMutation::BreakRef(index, target) => {
            let refs: Vec<&String> = all.iter().filter(|p| p.ends_with("/$ref")).collect();
            if !refs.is_empty() {
                let pointer = index.get(&refs).as_str();
                if let Some(node) = document.pointer_mut(pointer) {
                    // Half the time a near miss of the old target, else anything.
                    *node = match node.as_str() {
                        Some(old) if target.len().is_multiple_of(2) => {
                            Value::String(format!("{old}{target}"))
                        }
                        _ => Value::String(target.clone()),
                    };
                }
            }
        }
        TreeMutation::Insert(index, key, value) => {
            if let Some(Value::Object(map)) = document.pointer_mut(pick(index, &all)) {
                map.insert(key.clone(), value.clone());
            }
        }
        TreeMutation::Copy(from, to) => {
            let source = document.pointer(pick(from, &all)).cloned();
            if let (Some(source), Some(node)) = (source, document.pointer_mut(pick(to, &all))) {
                *node = source;
            }
        }
    }
}

fn retype(value: Value, kind: u8) -> Value {
    match kind % 6 {
        0 => Value::Null,
        1 => Value::String(match &value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }),
        2 => Value::Array(match value {
            Value::Object(map) => map.into_iter().map(|(_, v)| v).collect(),
            Value::Array(items) => items,
            other => vec![other],
        }),
        3 => Value::Object(match value {
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect(),
            Value::Object(map) => map,
            other => [("value".to_owned(), other)].into_iter().collect(),
        }),
        4 => json!(kind as i64 - 3),
        _ => Value::Bool(kind.is_multiple_of(2)),
    }
}

/// A change to the text of a document.
#[derive(Clone, Debug)]
enum TextMutation {
    Truncate(Index),
    Flip(Index, u8),
    Insert(Index, String),
    Delete(Index, u8),
    DuplicateLine(Index),
}

fn text_mutation() -> impl Strategy<Value = TextMutation> {
    prop_oneof![
        (any::<Index>()).prop_map(TextMutation::Truncate),
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| TextMutation::Flip(i, b)),
        (
            any::<Index>(),
            prop_oneof![
                word(),
                proptest::sample::select(
                    &[
                        ":",
                        "- ",
                        "\n",
                        "\n  ",
                        "\t",
                        "{",
                        "}",
                        "[",
                        "]",
                        "&a",
                        "*a",
                        "!!binary",
                        "? ",
                        "|",
                        ">",
                        "%YAML 1.2\n",
                        "---\n",
                        "...\n",
                        "<<: *a\n",
                        "\u{feff}",
                        "\0"
                    ][..]
                )
                .prop_map(str::to_owned),
            ]
        )
            .prop_map(|(i, s)| TextMutation::Insert(i, s)),
        (any::<Index>(), any::<u8>()).prop_map(|(i, n)| TextMutation::Delete(i, n)),
        any::<Index>().prop_map(TextMutation::DuplicateLine),
    ]
}

fn apply_text(text: &str, mutation: &TextMutation) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let at = |index: &Index, len: usize| if len == 0 { 0 } else { index.index(len + 1) };
    match mutation {
        TextMutation::Truncate(index) => bytes.truncate(at(index, bytes.len())),
        TextMutation::Flip(index, bits) => {
            if !bytes.is_empty() {
                let i = index.index(bytes.len());
                bytes[i] ^= bits | 1;
            }
        }
        TextMutation::Insert(index, snippet) => {
            let i = at(index, bytes.len());
            bytes.splice(i..i, snippet.bytes());
        }
        TextMutation::Delete(index, count) => {
            let i = at(index, bytes.len());
            let end = (i + usize::from(*count)).min(bytes.len());
            bytes.drain(i..end);
        }
        TextMutation::DuplicateLine(index) => {
            let lines: Vec<&str> = text.lines().collect();
            if !lines.is_empty() {
                let i = index.index(lines.len());
                let mut out = lines[..=i].join("\n");
                out.push('\n');
                out.push_str(&lines[i..].join("\n"));
                return out;
            }
        }
    }
    // The library takes text; a byte flip may leave invalid UTF-8, which the
    // caller (reading a file) would have rejected, so it is made valid here.
    String::from_utf8_lossy(&bytes).into_owned()
}

fn to_text(document: &Value, as_json: bool) -> String {
    if as_json {
        serde_json::to_string_pretty(document).expect("JSON")
    } else {
        serde_yaml::to_string(document).expect("YAML")
    }
}

/// A document around random parts, so that most get past the version check.
fn random_document() -> impl Strategy<Value = Value> {
    (
        small_value(),
        proptest::collection::vec((word(), prop_oneof![small_value(), schema_value()]), 0..4),
        proptest::collection::vec(
            (
                word(),
                proptest::sample::select(&["get", "post", "put", "delete", "patch", "trace"][..]),
                prop_oneof![1 => small_value(), 4 => operation_value()],
            ),
            0..3,
        ),
    )
        .prop_map(|(info, schemas, paths)| {
            let schemas: Map<String, Value> = schemas.into_iter().collect();
            let paths: Map<String, Value> = paths
                .into_iter()
                .map(|(path, method, operation)| {
                    (format!("/{path}/{{{path}}}"), json!({ method: operation }))
                })
                .collect();
            json!({
                "openapi": "3.0.3",
                "info": match info {
                    // Random members beside the two required ones.
                    Value::Object(mut info) => {
                        info.insert("title".into(), json!("t"));
                        info.insert("version".into(), json!("1"));
                        Value::Object(info)
                    }
                    _ => json!({"title": "t", "version": "1"}),
                },
                "paths": paths,
                "components": {"schemas": schemas},
            })
        })
}

/// Plausible operations, with odd names in every place a name goes.
fn operation_value() -> impl Strategy<Value = Value> {
    let parameter = (
        word(),
        proptest::sample::select(&["path", "query", "header", "cookie"][..]),
        schema_value(),
        any::<bool>(),
    )
        .prop_map(|(name, place, schema, required)| {
            json!({ "name": name, "in": place, "schema": schema, "required": required })
        });
    let response = (
        proptest::sample::select(&["200", "201", "204", "2XX", "400", "404", "500", "default"][..]),
        proptest::option::of(schema_value()),
    )
        .prop_map(|(status, schema)| {
            let mut response = json!({ "description": "r" });
            if let Some(schema) = schema {
                response["content"] = json!({ "application/json": { "schema": schema } });
            }
            (status.to_owned(), response)
        });
    (
        proptest::option::of(word()),
        proptest::collection::vec(parameter, 0..3),
        proptest::option::of(schema_value()),
        proptest::collection::vec(response, 0..4),
        any::<u8>(),
    )
        .prop_map(|(id, parameters, body, responses, flags)| {
            let mut operation = json!({
                "parameters": parameters,
                "responses": responses.into_iter().collect::<Map<_, _>>(),
            });
            if let Some(id) = id {
                operation["operationId"] = Value::String(id);
            }
            if let Some(body) = body {
                operation["requestBody"] = json!({
                    "required": flags.is_multiple_of(2),
                    "content": { "application/json": { "schema": body } },
                });
            }
            if flags.is_multiple_of(5) {
                operation["x-vapi-wire"] = json!("rest");
            }
            if flags.is_multiple_of(3) {
                operation["x-vapi-privileges"] = json!(["A.B", ""]);
                operation["x-vapi-since"] = json!(7.0);
            }
            operation
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_specs_never_panic(
        base in any::<Index>(),
        mutations in proptest::collection::vec(tree_mutation(), 1..5),
        as_json in any::<bool>(),
    ) {
        let bases = bases();
        let mut document = base.get(bases).1.clone();
        for mutation in &mutations {
            apply(&mut document, mutation);
        }
        let text = to_text(&document, as_json);
        if let Err(bug) = check(&text) {
            prop_assert!(false, "{bug}\n--- input ---\n{text}");
        }
    }

    #[test]
    fn mangled_spec_text_never_panics(
        base in any::<Index>(),
        as_json in any::<bool>(),
        mutations in proptest::collection::vec(text_mutation(), 1..4),
    ) {
        let bases = bases();
        let mut text = to_text(&base.get(bases).1, as_json);
        for mutation in &mutations {
            text = apply_text(&text, mutation);
        }
        if let Err(bug) = check(&text) {
            prop_assert!(false, "{bug}\n--- input ---\n{text}");
        }
    }

    #[test]
    fn random_documents_never_panic(document in random_document(), as_json in any::<bool>()) {
        let text = to_text(&document, as_json);
        if let Err(bug) = check(&text) {
            prop_assert!(false, "{bug}\n--- input ---\n{text}");
        }
    }

    #[test]
    fn random_text_never_panics(text in any::<String>()) {
        if let Err(bug) = check(&text) {
            prop_assert!(false, "{bug}\n--- input ---\n{text}");
        }
    }
}

/// The unmutated bases are handled (the pipeline above starts from working input).
#[test]
fn the_bases_generate_or_fail_with_a_location() {
    for (name, document) in bases() {
        check(&to_text(document, false)).unwrap_or_else(|bug| panic!("{name}: {bug}"));
    }
    assert!(bases().len() >= 10, "bases: {}", bases().len());
}

/// How many accepted inputs [`a_sample_of_accepted_inputs_compiles`] compiles.
const COMPILED_SAMPLE: usize = 4;

/// Accepting a spec promises a crate that compiles: a fixed-seed sample of
/// the inputs above that generate (mutated bases and random documents,
/// alternately) is compiled in one scratch workspace with clippy and
/// `-D warnings`, client and server included.
#[test]
fn a_sample_of_accepted_inputs_compiles() {
    let mut runner = TestRunner::new(config());
    let mutated = (
        any::<Index>(),
        proptest::collection::vec(tree_mutation(), 1..4),
    )
        .prop_map(|(base, mutations)| {
            let mut document = base.get(bases()).1.clone();
            for mutation in &mutations {
                apply(&mut document, mutation);
            }
            document
        });
    let random = random_document();
    let mut scratch = common::Scratch::sharing_target("fuzz-compile", "compile-check");
    let mut accepted = Vec::new();
    for attempt in 0..400 {
        if accepted.len() == COMPILED_SAMPLE {
            break;
        }
        let drawn = if attempt % 2 == 0 {
            mutated.new_tree(&mut runner).map(|tree| tree.current())
        } else {
            random.new_tree(&mut runner).map(|tree| tree.current())
        };
        let document = drawn.expect("a value");
        let text = to_text(&document, false);
        let name = format!("fuzzed-{}", accepted.len());
        let options = Options {
            crate_name: name.clone(),
            spec_name: "fuzz.yaml".into(),
            standalone: true,
            lenient: false,
            release: None,
        };
        if let Ok(generated) = vapigen::generate(&text, &options) {
            scratch.add_generated(&name, &generated.files);
            accepted.push((name, text));
        }
    }
    assert_eq!(accepted.len(), COMPILED_SAMPLE, "too few inputs generate");
    scratch.finish();
    let (success, output) = scratch.clippy_all();
    let inputs: String = accepted
        .iter()
        .map(|(name, text)| format!("--- {name} ---\n{text}\n"))
        .collect();
    assert!(
        success,
        "accepted inputs give crates that do not compile:\n{output}\n{inputs}"
    );
}
