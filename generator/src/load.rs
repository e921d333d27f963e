//! Reading a spec: YAML or JSON text -> normalised JSON value -> `openapiv3::OpenAPI`.
//!
//! Parsing goes through `serde_json::Value` first so that known defects of real
//! VMware files can be repaired (each repair is a warning), and so that a
//! structural error can be reported with the JSON pointer where it happened.

mod unique_keys;

use crate::diagnostics::{Error, Location, Warning, escape_pointer_segment};
use serde::de::DeserializeSeed;
use serde_json::Value;
use std::cell::RefCell;
use unique_keys::{Duplicate, UniqueKeys};

/// A parsed spec and the warnings produced while reading it.
pub struct Loaded {
    /// The OpenAPI document.
    pub openapi: openapiv3::OpenAPI,
    /// Repairs made to the document.
    pub warnings: Vec<Warning>,
}

/// Parses `text` (YAML or JSON; JSON is a subset of YAML) named `source_name` in messages.
pub fn load(source_name: &str, text: &str) -> Result<Loaded, Error> {
    let mut document = crate::timings::time("load/parse", || parse_yaml(source_name, text))?;
    check_version(source_name, &document)?;
    let mut warnings = Vec::new();
    normalise(&mut document, &mut String::new(), &mut warnings);
    repair_refs(&mut document, &mut warnings);
    let parsed = crate::timings::time("load/openapiv3", || {
        deserialize_at::<openapiv3::OpenAPI>(&document, "")
    });
    let openapi = match parsed {
        Ok(openapi) => openapi,
        Err((pointer, message)) => {
            let (pointer, message) =
                refine_in_paths(&document, &pointer).unwrap_or((pointer, message));
            return Err(Error::Invalid {
                source_name: source_name.to_owned(),
                location: Location::pointer(pointer),
                message,
            });
        }
    };
    Ok(Loaded { openapi, warnings })
}

/// The single place that chooses the YAML crate.
fn parse_yaml(source_name: &str, text: &str) -> Result<Value, Error> {
    let duplicate = RefCell::new(None);
    let seed = UniqueKeys { found: &duplicate };
    // JSON is a subset of YAML, but serde_json reads VMware's 2.8 MB vCenter
    // file in a tenth of serde_yaml's time. A document that is plainly JSON
    // (an object whose first key is quoted) gets serde_json's error; anything
    // else it rejects (a YAML flow mapping) still goes through the YAML parser.
    if text.trim_start().starts_with('{') {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let parsed = seed
            .deserialize(&mut deserializer)
            .and_then(|value| deserializer.end().map(|()| value));
        match parsed {
            Ok(value) => return Ok(value),
            Err(error) if duplicate.borrow().is_some() || looks_like_json(text) => {
                let line_column = Some((error.line(), error.column()));
                let stopped = Stopped::AfterSecondKey(error.line(), error.column());
                return Err(duplicate_key(source_name, text, &duplicate, Some(stopped))
                    .unwrap_or_else(|| Error::Syntax {
                        source_name: source_name.to_owned(),
                        location: Location {
                            pointer: String::new(),
                            line_column,
                        },
                        message: error.to_string(),
                    }));
            }
            Err(_) => duplicate.replace(None),
        };
    }
    if let Some(line_column) = too_deep(text) {
        return Err(Error::Syntax {
            source_name: source_name.to_owned(),
            location: Location {
                pointer: String::new(),
                line_column: Some(line_column),
            },
            message: format!(
                "recursion limit exceeded: brackets nested more than {MAX_FLOW_DEPTH} deep"
            ),
        });
    }
    let mut documents = serde_yaml::Deserializer::from_str(text);
    let parsed = match documents.next() {
        Some(document) => seed.deserialize(document),
        None => Ok(Value::Null),
    };
    let value = parsed.map_err(|error| {
        let line_column = error.location().map(|at| (at.line(), at.column()));
        let stopped = line_column.map(|(line, column)| Stopped::AtMapping(line, column));
        duplicate_key(source_name, text, &duplicate, stopped).unwrap_or_else(|| Error::Syntax {
            source_name: source_name.to_owned(),
            location: Location {
                pointer: String::new(),
                line_column,
            },
            message: error.to_string(),
        })
    })?;
    if documents.next().is_some() {
        return Err(Error::Syntax {
            source_name: source_name.to_owned(),
            location: Location {
                pointer: String::new(),
                // Point at where the second document starts.
                line_column: second_document(text).map(|line| (line, 1)),
            },
            message: "deserializing from YAML containing more than one document is not supported"
                .into(),
        });
    }
    Ok(value)
}

/// Whether `text` is meant as JSON: an object whose first key is quoted (or
/// an empty object). YAML flow mappings (`{openapi: 3.0.0}`) are not.
fn looks_like_json(text: &str) -> bool {
    let rest = text.trim_start().trim_start_matches('{').trim_start();
    rest.starts_with('"') || rest.starts_with('}')
}

/// How deep `[` and `{` may nest before the YAML parser is asked: its
/// scanner takes time quadratic in the depth (a minute for 100,000), and the
/// document could not be read beyond 128 levels anyway.
const MAX_FLOW_DEPTH: usize = 1_000;

/// Where brackets first nest deeper than [`MAX_FLOW_DEPTH`] (line and
/// column), counting every bracket: quoted or not, no document nests a
/// thousand deep in earnest.
fn too_deep(text: &str) -> Option<(usize, usize)> {
    let mut depth: usize = 0;
    let (mut line, mut column) = (1, 0);
    for c in text.chars() {
        column += 1;
        match c {
            '\n' => (line, column) = (line + 1, 0),
            '[' | '{' => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Some((line, column));
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Where the parser was when it stopped at a duplicate key: serde_json is
/// just past the second key, serde_yaml at the start of the mapping.
#[derive(Clone, Copy)]
enum Stopped {
    AfterSecondKey(usize, usize),
    AtMapping(usize, usize),
}

/// The error for a duplicate key the parser stopped at, when that is why it
/// stopped. The lines of both keys are found in the text (parsers report one
/// place at most); where the layout does not tell (a whole object on one
/// line), the location has the pointer alone.
fn duplicate_key(
    source_name: &str,
    text: &str,
    duplicate: &RefCell<Option<Duplicate>>,
    stopped: Option<Stopped>,
) -> Option<Error> {
    let duplicate = duplicate.borrow_mut().take()?;
    let pointer = duplicate.pointer();
    let (first, second) = match stopped {
        Some(Stopped::AfterSecondKey(line, column)) => (
            earlier_key_line(text, &duplicate.key, line),
            Some((line, column)),
        ),
        Some(Stopped::AtMapping(line, column)) => {
            let mut found = key_lines(text, &duplicate.key, line, column);
            (found.next(), found.next())
        }
        None => (None, None),
    };
    let at = |line_column| {
        Box::new(Location {
            pointer: pointer.clone(),
            line_column,
        })
    };
    Some(Error::DuplicateKey {
        source_name: source_name.to_owned(),
        key: duplicate.key.clone(),
        first: at(first),
        second: at(second),
    })
}

/// Whether a line (from where a key would start) starts with `key` and a colon,
/// the key bare or quoted.
fn starts_with_key(line: &str, key: &str) -> bool {
    [format!("{key}:"), format!("\"{key}\""), format!("'{key}'")]
        .iter()
        .any(|form| line.starts_with(form.as_str()))
}

/// The lines and columns of the keys `key` of the block mapping that starts at
/// `line`, `column`: the lines that have it at that column, until a line
/// less indented ends the mapping.
fn key_lines<'t>(
    text: &'t str,
    key: &'t str,
    line: usize,
    column: usize,
) -> impl Iterator<Item = (usize, usize)> + 't {
    let indent = column.saturating_sub(1);
    text.lines()
        .enumerate()
        .skip(line.saturating_sub(1))
        .take_while(move |(index, text)| {
            let blank = text.trim().is_empty() || text.trim_start().starts_with('#');
            index + 1 == line || blank || text.len() - text.trim_start().len() >= indent
        })
        .filter(move |(index, text)| {
            let (before, rest) = text.split_at(indent.min(text.len()));
            (index + 1 == line || before.trim().is_empty()) && starts_with_key(rest, key)
        })
        .map(move |(index, _)| (index + 1, column))
}

/// The line and column of the first of two equal keys in JSON: the nearest
/// line before `second_line` that starts with the key at the same
/// indentation as the second.
fn earlier_key_line(text: &str, key: &str, second_line: usize) -> Option<(usize, usize)> {
    let lines: Vec<&str> = text.lines().take(second_line).collect();
    let (second, before) = lines.split_last()?;
    let indent = |line: &str| line.len() - line.trim_start().len();
    if !starts_with_key(second.trim_start(), key) {
        return None;
    }
    before
        .iter()
        .enumerate()
        .rev()
        .find(|(_, line)| indent(line) == indent(second) && starts_with_key(line.trim_start(), key))
        .map(|(index, line)| (index + 1, indent(line) + 1))
}

/// The line (1-based) where a second YAML document starts, when that is the
/// error: the shortest prefix of whole lines that already holds two documents,
/// found by bisection (only on this error path, so a few parses are cheap).
fn second_document(text: &str) -> Option<usize> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let two_documents = |count: usize| {
        matches!(
            serde_yaml::from_str::<Value>(&lines[..count].concat()),
            Err(error) if error.location().is_none() && error.to_string().contains("more than one document")
        )
    };
    if !two_documents(lines.len()) {
        return None;
    }
    // Invariant: `high` lines hold two documents, `low` lines do not.
    let (mut low, mut high) = (0, lines.len());
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        if two_documents(middle) {
            high = middle;
        } else {
            low = middle;
        }
    }
    Some(high)
}

fn check_version(source_name: &str, document: &Value) -> Result<(), Error> {
    let version = document.get("openapi").and_then(Value::as_str);
    match version {
        Some(version) if version.starts_with("3.0.") => Ok(()),
        Some(version) => Err(Error::Unsupported {
            source_name: source_name.to_owned(),
            location: Location::pointer("/openapi"),
            message: format!("OpenAPI version {version}; only 3.0.x is supported"),
        }),
        None => Err(Error::Invalid {
            source_name: source_name.to_owned(),
            location: Location::pointer("/openapi"),
            message: "missing `openapi` version string (is this an OpenAPI 3.0 document?)".into(),
        }),
    }
}

/// Repairs real-world deviations from OpenAPI 3.0 that carry no meaning.
fn normalise(value: &mut Value, pointer: &mut String, warnings: &mut Vec<Warning>) {
    match value {
        Value::Object(map) => {
            // `"required": true|false` inside a schema is OpenAPI 2 / JSON Schema draft 3
            // style; in 3.0 `required` is a list on the parent. VMware's files have it.
            if matches!(map.get("required"), Some(Value::Bool(_))) && looks_like_schema(map) {
                map.remove("required");
                warnings.push(Warning {
                    location: Location::pointer(format!("{pointer}/required")),
                    message: "boolean `required` inside a schema ignored (not OpenAPI 3.0)".into(),
                });
            }
            for (key, child) in map.iter_mut() {
                let before = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape_pointer_segment(key));
                normalise(child, pointer, warnings);
                pointer.truncate(before);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter_mut().enumerate() {
                let before = pointer.len();
                pointer.push_str(&format!("/{index}"));
                normalise(child, pointer, warnings);
                pointer.truncate(before);
            }
        }
        _ => {}
    }
}

fn looks_like_schema(map: &serde_json::Map<String, Value>) -> bool {
    // Parameters and request bodies legitimately carry a boolean `required`.
    [
        "type",
        "$ref",
        "properties",
        "items",
        "allOf",
        "format",
        "enum",
    ]
    .iter()
    .any(|key| map.contains_key(*key))
        && !map.contains_key("in")
        && !map.contains_key("content")
}

/// Reads `value` (found at `pointer`) as a `T`; an error comes with the
/// pointer where it happened and its message.
fn deserialize_at<T: serde::de::DeserializeOwned>(
    value: &Value,
    pointer: &str,
) -> Result<T, (String, String)> {
    // `&Value` is a deserializer itself: no copy of the document.
    serde_path_to_error::deserialize::<_, T>(value).map_err(|error| {
        let mut pointer = format!("{pointer}{}", path_to_pointer(error.path()));
        let message = error.into_inner().to_string();
        // serde names the object a required field is missing from; the
        // pointer names the field itself (`/info`, not the root).
        if let Some(field) = missing_field(&message) {
            pointer.push('/');
            pointer.push_str(&escape_pointer_segment(field));
        }
        (pointer, message)
    })
}

/// openapiv3 reads path items and operations through `#[serde(flatten)]`,
/// which hides where inside them a problem is (the error names only
/// `/paths`). This reads them piece by piece and returns the first failure
/// with its own, deeper pointer.
fn refine_in_paths(document: &Value, pointer: &str) -> Option<(String, String)> {
    use openapiv3::{Operation, Parameter, PathItem, ReferenceOr, RequestBody, Response};
    if pointer != "/paths" && !pointer.starts_with("/paths/") {
        return None;
    }
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let deeper = |found: (String, String)| (found.0.len() > pointer.len()).then_some(found);
    // `x-` members are extensions, read as free-form JSON.
    let extension = |key: &String| key.starts_with("x-");
    for (key, item) in document.get("paths")?.as_object()? {
        if extension(key) {
            continue;
        }
        let item_at = format!("/paths/{}", escape_pointer_segment(key));
        let Err(item_error) = deserialize_at::<ReferenceOr<PathItem>>(item, &item_at) else {
            continue;
        };
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let at = format!("{item_at}/{method}");
            let Err(operation_error) = deserialize_at::<Operation>(operation, &at) else {
                continue;
            };
            let parameters = operation.get("parameters").and_then(Value::as_array);
            for (index, parameter) in parameters.into_iter().flatten().enumerate() {
                let at = format!("{at}/parameters/{index}");
                if let Err(found) = deserialize_at::<ReferenceOr<Parameter>>(parameter, &at) {
                    return deeper(found);
                }
            }
            if let Some(body) = operation.get("requestBody") {
                let at = format!("{at}/requestBody");
                if let Err(found) = deserialize_at::<ReferenceOr<RequestBody>>(body, &at) {
                    return deeper(found);
                }
            }
            let responses = operation.get("responses").and_then(Value::as_object);
            for (status, response) in responses.into_iter().flatten() {
                if extension(status) {
                    continue;
                }
                let at = format!("{at}/responses/{}", escape_pointer_segment(status));
                if let Err(found) = deserialize_at::<ReferenceOr<Response>>(response, &at) {
                    return deeper(found);
                }
            }
            return deeper(operation_error);
        }
        return deeper(item_error);
    }
    None
}

/// The field of serde's "missing field `name`" message.
fn missing_field(message: &str) -> Option<&str> {
    message
        .strip_prefix("missing field `")?
        .split_once('`')
        .map(|(field, _)| field)
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                pointer.push('/');
                pointer.push_str(&escape_pointer_segment(key));
            }
            Segment::Unknown => pointer.push_str("/?"),
        }
    }
    pointer
}

/// Repairs a local `$ref` that names no component but matches exactly one
/// existing key once case and `_`/`-` are ignored (VMware's files name a
/// request body `..._task` and refer to it as `...Task`). Anything else is left
/// for lowering to report.
fn repair_refs(document: &mut Value, warnings: &mut Vec<Warning>) {
    let components = document.get("components").cloned().unwrap_or(Value::Null);
    let mut pointer = String::new();
    visit_refs(document, &mut pointer, &mut |reference, at| {
        let target = reference.strip_prefix("#/components/")?;
        let (section, key) = target.split_once('/')?;
        let keys = components.get(section)?.as_object()?;
        if keys.contains_key(key) {
            return None;
        }
        let wanted = loose(key);
        let mut candidates = keys.keys().filter(|candidate| loose(candidate) == wanted);
        let found = candidates.next()?;
        if candidates.next().is_some() {
            return None;
        }
        let repaired = format!("#/components/{section}/{found}");
        warnings.push(Warning {
            location: Location::pointer(format!("{at}/$ref")),
            message: format!("dangling $ref `{reference}` taken to mean `{repaired}`"),
        });
        Some(repaired)
    });
}

fn loose(key: &str) -> String {
    key.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

fn visit_refs(
    value: &mut Value,
    pointer: &mut String,
    repair: &mut dyn FnMut(&str, &str) -> Option<String>,
) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref")
                && let Some(repaired) = repair(reference, pointer)
            {
                map.insert("$ref".into(), Value::String(repaired));
            }
            for (key, child) in map.iter_mut() {
                let before = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape_pointer_segment(key));
                visit_refs(child, pointer, repair);
                pointer.truncate(before);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter_mut().enumerate() {
                let before = pointer.len();
                pointer.push_str(&format!("/{index}"));
                visit_refs(child, pointer, repair);
                pointer.truncate(before);
            }
        }
        _ => {}
    }
}
