//! IR -> Markdown reference pages (`docs/`), rendered with askama templates.
//!
//! This module builds small view structs from the IR (tables as rows of
//! ready-made cells, JSON examples as text); the templates in `templates/docs/`
//! only lay them out.

use super::operations::request_field_docs;
use super::types::setter_names;
use crate::Options;
use crate::diagnostics::Error;
use crate::ir::{
    Api, Docs, Operation, ParameterLocation, StringFormat, TypeDef, TypeKind, TypeRef, Wire,
};
use crate::naming::{last_segment, module_of};
use crate::shape::{ErrorVariant, REQUEST_REQUIRED, RequestField, required_struct};
use askama::Template;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Where a type's page lives: `schemas/` for data, `errors/` for vapi errors.
fn type_page(api: &Api, path: &str) -> String {
    let dotted = path.replace("::", ".");
    match api.types.get(path).map(|def| &def.kind) {
        Some(TypeKind::Struct(strukt)) if strukt.error_type.is_some() => {
            format!("errors/{dotted}.md")
        }
        _ => format!("schemas/{dotted}.md"),
    }
}

/// A link from a page in `from_dir` (`""` for the index) to `target`.
fn link(from_dir: &str, target: &str) -> String {
    if from_dir.is_empty() {
        target.to_owned()
    } else {
        format!("../{target}")
    }
}

/// One line of Markdown table cell: no newlines, no bare pipes.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// Text inside a Markdown list item: paragraphs kept, every line after the
/// first indented to stay in the item.
fn list_text(text: &str) -> String {
    text.trim()
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n  ")
        .replace("\n  \n", "\n\n")
}

/// How a type reads in a table, with links to named types.
fn type_text(api: &Api, ty: &TypeRef, from_dir: &str) -> String {
    match ty {
        TypeRef::Named(path) => {
            let name = crate::naming::last_segment(path);
            format!("[{name}]({})", link(from_dir, &type_page(api, path)))
        }
        TypeRef::String(format) => match format.openapi_name() {
            Some(format) => format!("string ({format})"),
            None => "string".to_owned(),
        },
        TypeRef::Boolean => "boolean".into(),
        TypeRef::Int32 => "integer (int32)".into(),
        TypeRef::Int64 => "integer (int64)".into(),
        TypeRef::Float => "number (float)".into(),
        TypeRef::Double => "number (double)".into(),
        TypeRef::List(inner) => format!("array of {}", type_text(api, inner, from_dir)),
        TypeRef::Map(inner) => format!("map of string to {}", type_text(api, inner, from_dir)),
        TypeRef::Json => "any JSON".into(),
    }
}

/// The known values of an enum type, for the description column.
fn enum_values(api: &Api, ty: &TypeRef) -> Option<String> {
    let TypeRef::Named(path) = ty else {
        return None;
    };
    match api.types.get(path).map(|def| &def.kind) {
        // A long list is left to the enum's own page.
        Some(TypeKind::Enum(enumeration)) if enumeration.values.len() <= 12 => {
            let values: Vec<String> = enumeration
                .values
                .iter()
                .map(|v| format!("`{}`", v.wire_name))
                .collect();
            Some(values.join(", "))
        }
        _ => None,
    }
}

/// One property of an object: its name, type, whether it is required and
/// since when, on one short line; its description below it (a description
/// in a table cell would make the table scroll).
pub struct PropertyRow {
    name: String,
    ty: String,
    required: &'static str,
    since: String,
    description: String,
}

/// The properties of `def`; a property without its own since-version came
/// with the schema (`since` of the schema).
fn property_rows(
    api: &Api,
    def: &TypeDef,
    since: Option<&str>,
    from_dir: &str,
) -> Vec<PropertyRow> {
    let TypeKind::Struct(strukt) = &def.kind else {
        return Vec::new();
    };
    strukt
        .fields
        .iter()
        .map(|field| {
            let mut description = list_text(field.docs.description.as_deref().unwrap_or(""));
            if let Some(values) = enum_values(api, &field.ty) {
                description.push_str(&format!(" One of: {values}."));
            }
            if field.docs.deprecated {
                description.insert_str(0, "**Deprecated.** ");
            }
            PropertyRow {
                name: format!("`{}`", field.wire_name),
                ty: type_text(api, &field.ty, from_dir),
                required: if field.required {
                    "required"
                } else {
                    "optional"
                },
                since: field
                    .docs
                    .since
                    .as_deref()
                    .or(since)
                    .map(|since| format!(", since {since}"))
                    .unwrap_or_default(),
                description: description.trim().to_owned(),
            }
        })
        .collect()
}

/// A JSON example of a type, with the type it documents (checked by a test).
pub struct Example {
    title: String,
    rust_path: String,
    /// Written in the legacy `/rest` form (maps as key/value lists).
    legacy: bool,
    json: String,
}

/// The most JSON values one example may hold. Types nest as a tree of
/// references, so an example can grow exponentially with the depth (six
/// required properties of the next type on each of nine levels are ten
/// million values); past this the example is left out of the page.
const EXAMPLE_BUDGET: usize = 2_000;

/// Builds JSON examples from the type graph: required properties only
/// (minimal), or all of them (full). A type already being built is not
/// entered again, so recursive types give finite examples.
struct Examples<'a> {
    api: &'a Api,
    full: bool,
    /// Maps are written as the legacy `/rest` form sends them.
    legacy: bool,
    stack: Vec<String>,
    /// How many more values the example may hold.
    budget: usize,
    /// Whether a value was left out for want of budget.
    exhausted: bool,
}

impl Examples<'_> {
    fn value(&mut self, ty: &TypeRef) -> Value {
        if self.budget == 0 {
            self.exhausted = true;
            return Value::Null;
        }
        self.budget -= 1;
        match ty {
            TypeRef::Named(path) => self.named(path),
            TypeRef::String(format) => Value::String(
                match format {
                    StringFormat::Uri => "https://example.com/resource",
                    StringFormat::DateTime => "2026-01-01T00:00:00Z",
                    StringFormat::Date => "2026-01-01",
                    StringFormat::Uuid => "123e4567-e89b-42d3-a456-426614174000",
                    StringFormat::Secret => "secret",
                    StringFormat::Byte => "ZXhhbXBsZQ==",
                    StringFormat::Plain | StringFormat::Binary => "string",
                }
                .to_owned(),
            ),
            TypeRef::Boolean => Value::Bool(true),
            TypeRef::Int32 | TypeRef::Int64 => json!(1),
            TypeRef::Float | TypeRef::Double => json!(1.5),
            TypeRef::List(inner) => {
                if self.enters_cycle(inner) {
                    json!([])
                } else {
                    Value::Array(vec![self.value(inner)])
                }
            }
            TypeRef::Map(inner) => match (self.enters_cycle(inner), self.legacy) {
                (true, false) => json!({}),
                (true, true) => json!([]),
                (false, false) => json!({ "key": self.value(inner) }),
                (false, true) => json!([{ "key": "key", "value": self.value(inner) }]),
            },
            TypeRef::Json => json!({}),
        }
    }

    fn enters_cycle(&self, ty: &TypeRef) -> bool {
        matches!(ty, TypeRef::Named(path) if self.stack.contains(path))
    }

    /// Whether an optional property is left out to end a recursion: it
    /// enters a type being built; in the legacy form also through a map,
    /// whose empty form (`[]`) would read back as an empty object.
    fn closes_cycle(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::Map(inner) if self.legacy => self.enters_cycle(inner),
            _ => self.enters_cycle(ty),
        }
    }

    fn named(&mut self, path: &str) -> Value {
        let Some(def) = self.api.types.get(path) else {
            return json!({});
        };
        if self.stack.len() > 8 {
            return json!({});
        }
        self.stack.push(path.to_owned());
        let value = match &def.kind {
            TypeKind::Enum(enumeration) => enumeration
                .values
                .first()
                .map_or(json!("string"), |v| Value::String(v.wire_name.clone())),
            TypeKind::Alias(target) => self.value(target),
            TypeKind::Struct(strukt) => {
                let mut object = Map::new();
                for field in &strukt.fields {
                    if !field.required && (!self.full || self.closes_cycle(&field.ty)) {
                        continue;
                    }
                    // An error's discriminator names that error, not the enum's first value.
                    let value = match (&strukt.error_type, field.wire_name.as_str()) {
                        (Some(error_type), "error_type") => Value::String(error_type.clone()),
                        _ => match &field.docs.example {
                            Some(example) => example.clone(),
                            None => self.value(&field.ty),
                        },
                    };
                    object.insert(field.wire_name.clone(), value);
                }
                Value::Object(object)
            }
        };
        self.stack.pop();
        value
    }
}

/// An example of `ty`, or `None` when it would be larger than [`EXAMPLE_BUDGET`].
fn example(api: &Api, ty: &TypeRef, full: bool, wire: Wire) -> Option<Value> {
    let mut examples = Examples {
        api,
        full,
        legacy: wire == Wire::LegacyRest,
        stack: Vec::new(),
        budget: EXAMPLE_BUDGET,
        exhausted: false,
    };
    let value = examples.value(ty);
    (!examples.exhausted).then_some(value)
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

/// Minimal and (when it differs) full examples of a named type, in the
/// wire form `wire` writes.
fn examples_of(api: &Api, ty: &TypeRef, wire: Wire) -> Vec<Example> {
    let TypeRef::Named(path) = ty else {
        return Vec::new();
    };
    let legacy = wire == Wire::LegacyRest;
    let Some(minimal) = example(api, ty, false, wire) else {
        return Vec::new();
    };
    let mut examples = vec![Example {
        title: "Minimal example (required properties)".into(),
        rust_path: path.clone(),
        legacy,
        json: pretty(&minimal),
    }];
    if let Some(full) = example(api, ty, true, wire)
        && full != minimal
    {
        examples.push(Example {
            title: if legacy {
                "Full example (all properties; maps as key/value lists)".into()
            } else {
                "Full example (all properties)".into()
            },
            rust_path: path.clone(),
            legacy,
            json: pretty(&full),
        });
    }
    examples
}

fn since_text(docs: &Docs) -> String {
    docs.since.as_ref().map_or_else(
        || "not stated in the spec".into(),
        |since| format!("vSphere API {since}"),
    )
}

fn privileges_text(docs: &Docs) -> String {
    if docs.privileges.is_empty() {
        "none".into()
    } else {
        docs.privileges
            .iter()
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[derive(Template)]
#[template(path = "docs/operation.md", escape = "none")]
struct OperationPage {
    preamble: String,
    /// The generated crate's package name.
    crate_name: String,
    title: String,
    description: String,
    http: String,
    operation_id: String,
    since: String,
    privileges: String,
    privilege_scope: String,
    security: String,
    legacy: bool,
    deprecated: bool,
    parameters: Vec<ParameterRow>,
    body_type: String,
    /// What the request body is, in the spec's words.
    body_description: String,
    body_required: bool,
    body_properties: Vec<PropertyRow>,
    body_examples: Vec<Example>,
    responses: Vec<ResponseRow>,
    /// Legacy form: a success body as it travels, `{"value": ...}`.
    response_example: String,
    errors: Vec<ErrorRow>,
    /// Legacy form: an error as it travels, `{"type": ..., "value": ...}`.
    error_example: String,
    curl: String,
    rust: String,
}

/// One parameter: name, where it travels, type, whether required; its
/// description below.
pub struct ParameterRow {
    name: String,
    location: &'static str,
    ty: String,
    required: &'static str,
    description: String,
}

/// One success response: status and body type; its description below.
pub struct ResponseRow {
    status: String,
    ty: String,
    description: String,
}

/// A row of the errors table; when the error happens goes below the table.
pub struct ErrorRow {
    status: u16,
    /// The error's name, linked to its page (for the legacy form, the page
    /// of its `{type, value}` envelope).
    name: String,
    /// The plain name, for the list of conditions.
    plain_name: String,
    /// What tells it apart on the wire: `error_type`, or the legacy `type`.
    error_type: String,
    data: String,
    description: String,
}

fn operation_page(api: &Api, operation: &Operation, options: &Options) -> Result<String, Error> {
    let dir = "operations";
    let fields = &operation.shape.request_fields;
    let parameters: Vec<ParameterRow> = fields
        .iter()
        .filter_map(|field| {
            let location = field.location()?.as_str();
            Some(ParameterRow {
                name: format!("`{}`", field.wire_name),
                location,
                ty: type_text(api, &field.ty, dir),
                required: if field.required {
                    "required"
                } else {
                    "optional"
                },
                description: list_text(&request_field_docs(field)),
            })
        })
        .collect();
    let body_ty = operation.body.as_ref().map(|body| body.ty.clone());
    let body_def = match &body_ty {
        Some(TypeRef::Named(path)) => api.types.get(path),
        _ => None,
    };
    let body_properties = body_def
        .map(|def| {
            let since = def
                .docs
                .since
                .as_deref()
                .or(operation.docs.since.as_deref());
            property_rows(api, def, since, dir)
        })
        .unwrap_or_default();
    let mut body_examples = body_ty
        .as_ref()
        .map(|ty| examples_of(api, ty, operation.wire))
        .unwrap_or_default();
    if let (Some(TypeRef::Named(path)), Some(spec_example)) = (
        &body_ty,
        operation
            .body
            .as_ref()
            .and_then(|body| body.docs.example.as_ref()),
    ) {
        body_examples.insert(
            0,
            Example {
                title: "Example".into(),
                rust_path: path.clone(),
                // The spec's example is written as the operation's wire sends it.
                legacy: operation.wire == Wire::LegacyRest,
                json: pretty(spec_example),
            },
        );
    }
    let responses = operation
        .shape
        .successes
        .iter()
        .map(|success| {
            let (status, body) = (success.label(), &success.body);
            let description = operation
                .responses
                .iter()
                .find(|r| r.status == success.spec_status())
                .map(|r| list_text(&r.description))
                .unwrap_or_default();
            let mut ty = body
                .as_ref()
                .map_or("no body".into(), |ty| type_text(api, ty, dir));
            if operation.is_task {
                match &operation.task_result {
                    Some(result) => ty.push_str(&format!(
                        " (a task id; the task's result is {})",
                        type_text(api, result, dir)
                    )),
                    None => ty.push_str(" (a task id)"),
                }
            }
            if operation.wire == Wire::LegacyRest && body.is_some() {
                ty = format!("`{{\"value\": ...}}` holding {ty}");
            }
            ResponseRow {
                status,
                ty,
                description,
            }
        })
        .collect();
    let errors = operation
        .shape
        .errors
        .iter()
        .map(|variant| error_row(api, variant, operation.wire, dir))
        .collect();
    let legacy = operation.wire == Wire::LegacyRest;
    let response_example = match operation.shape.successes.first() {
        Some(success) if legacy => success
            .body
            .as_ref()
            .and_then(|body| example(api, body, false, operation.wire))
            .map_or_else(String::new, |value| pretty(&json!({ "value": value }))),
        _ => String::new(),
    };
    let error_example = match operation.shape.errors.first() {
        Some(variant) if legacy => legacy_error_example(api, variant),
        _ => String::new(),
    };
    // The spec's own example of the body (realistic values) when it has one.
    let spec_body = operation
        .body
        .as_ref()
        .and_then(|body| body.docs.example.clone());
    let minimal_body = spec_body.clone().or_else(|| {
        body_ty
            .as_ref()
            .and_then(|ty| example(api, ty, false, operation.wire))
    });
    let page = OperationPage {
        preamble: super::preamble_markdown(options),
        crate_name: options.crate_name.clone(),
        title: operation
            .docs
            .summary
            .clone()
            .unwrap_or_else(|| operation.operation_id.clone()),
        description: operation.docs.description.clone().unwrap_or_default(),
        http: http_line(operation),
        operation_id: operation.operation_id.clone(),
        since: since_text(&operation.docs),
        privileges: privileges_text(&operation.docs),
        privilege_scope: operation.privilege_scope.clone().unwrap_or_default(),
        security: if operation.security.is_empty() {
            "none".into()
        } else {
            operation
                .security
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        },
        legacy,
        deprecated: operation.docs.deprecated,
        parameters,
        body_type: body_ty
            .as_ref()
            .map(|ty| type_text(api, ty, dir))
            .unwrap_or_default(),
        body_description: operation
            .body
            .as_ref()
            .and_then(|body| body.docs.description.clone())
            .unwrap_or_default(),
        body_required: operation.body.as_ref().is_some_and(|body| body.required),
        body_properties,
        body_examples,
        responses,
        response_example,
        errors,
        error_example,
        curl: curl_sample(operation, fields, minimal_body.as_ref()),
        rust: rust_sample(
            api,
            &options.crate_name.replace('-', "_"),
            operation,
            fields,
            minimal_body.as_ref(),
        ),
    };
    render(
        &format!("docs/operations/{}.md", operation.rust_name),
        page.render(),
    )
}

/// The legacy `{"type", "value"}` envelope of an error: a schema with a
/// `type` property and a `value` of the error's own type.
fn legacy_envelope<'a>(api: &'a Api, error: &TypeRef) -> Option<&'a TypeDef> {
    api.types.values().find(|def| match &def.kind {
        TypeKind::Struct(strukt) => {
            strukt.fields.len() == 2
                && strukt.fields.iter().any(|f| f.wire_name == "type")
                && strukt
                    .fields
                    .iter()
                    .any(|f| f.wire_name == "value" && &f.ty == error)
        }
        _ => false,
    })
}

/// The legacy `type` of an error: `com.vmware.vapi.std.errors.<snake_name>`.
fn legacy_error_type(error_type: &str) -> String {
    format!(
        "com.vmware.vapi.std.errors.{}",
        error_type.to_ascii_lowercase()
    )
}

/// An error as the legacy form sends it: the `type` outside, the fields
/// (without `error_type`) in `value`.
fn legacy_error_example(api: &Api, variant: &ErrorVariant) -> String {
    let Some(error_type) = &variant.error_type else {
        return String::new();
    };
    let Some(mut value) = example(api, &variant.ty, false, Wire::LegacyRest) else {
        return String::new();
    };
    if let Some(fields) = value.as_object_mut() {
        fields.remove("error_type");
    }
    pretty(&json!({ "type": legacy_error_type(error_type), "value": value }))
}

fn error_row(api: &Api, variant: &ErrorVariant, wire: Wire, dir: &str) -> ErrorRow {
    let data = match &variant.ty {
        TypeRef::Named(path) => match api.types.get(path).map(|def| &def.kind) {
            Some(TypeKind::Struct(strukt)) => strukt
                .fields
                .iter()
                .find(|f| f.wire_name == "data")
                .filter(|f| f.ty != TypeRef::Json)
                .map(|f| type_text(api, &f.ty, dir))
                .unwrap_or_default(),
            _ => String::new(),
        },
        _ => String::new(),
    };
    let legacy = wire == Wire::LegacyRest;
    // The legacy form links the page of the envelope the error travels in.
    let page_type = match legacy_envelope(api, &variant.ty) {
        Some(envelope) if legacy => TypeRef::Named(envelope.rust_name.clone()),
        _ => variant.ty.clone(),
    };
    ErrorRow {
        status: variant.status,
        name: type_text(api, &page_type, dir).replacen(
            &format!("[{}]", crate::naming::last_segment(&type_path(&page_type))),
            &format!("[{}]", variant.name),
            1,
        ),
        plain_name: variant.name.clone(),
        error_type: variant
            .error_type
            .as_deref()
            .map(|t| {
                if legacy {
                    format!("`{}`", legacy_error_type(t))
                } else {
                    format!("`{t}`")
                }
            })
            .unwrap_or_else(|| "not stated".into()),
        data: if data.is_empty() {
            "untyped".into()
        } else {
            data
        },
        description: list_text(&variant.description),
    }
}

fn type_path(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Named(path) => path.clone(),
        _ => String::new(),
    }
}

fn http_line(operation: &Operation) -> String {
    let mut uri = operation.path.to_string();
    if !operation.fixed_query.is_empty() {
        let query: Vec<String> = operation
            .fixed_query
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        uri.push('?');
        uri.push_str(&query.join("&"));
    }
    format!("{} {uri}", operation.method)
}

/// An example value for a parameter: the spec's `example`, or a placeholder
/// made from its name.
fn sample_parameter(field: &RequestField) -> String {
    match &field.docs.example {
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
        None => format!("{}-1", field.rust_name),
    }
}

fn curl_sample(operation: &Operation, fields: &[RequestField], body: Option<&Value>) -> String {
    let mut uri = operation.path.to_string();
    let mut query: Vec<String> = operation
        .fixed_query
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let mut lines = Vec::new();
    for field in fields {
        match field.location() {
            Some(ParameterLocation::Path) => {
                uri = uri.replace(
                    &format!("{{{}}}", field.wire_name),
                    &sample_parameter(field),
                )
            }
            Some(ParameterLocation::Query) if field.required => {
                query.push(format!("{}={}", field.wire_name, sample_parameter(field)))
            }
            Some(ParameterLocation::Header) if field.required => lines.push(format!(
                "  -H '{}: {}'",
                field.wire_name,
                sample_parameter(field)
            )),
            _ => {}
        }
    }
    if !query.is_empty() {
        uri.push('?');
        uri.push_str(&query.join("&"));
    }
    let mut command = vec![format!(
        "curl -X {} 'https://vcenter.example.com{uri}'",
        operation.method
    )];
    let uses_session = operation.security.iter().any(|s| s == "session_id");
    if uses_session {
        command.push("  -H \"vmware-api-session-id: $SESSION\"".into());
    } else if operation.security.iter().any(|s| s == "basic_auth") {
        command.push("  -u \"$USER:$PASSWORD\"".into());
    }
    command.extend(lines);
    if let Some(body) = body {
        command.push("  -H 'Content-Type: application/json'".into());
        command.push(format!(
            "  -d '{}'",
            body.to_string().replace('\'', "'\\''")
        ));
    }
    command.join(" \\\n")
}

/// A Rust call of the operation, for the crate named `krate` (as code names
/// it): the request built with the generated constructors, with the values
/// of the page's minimal JSON example.
fn rust_sample(
    api: &Api,
    krate: &str,
    operation: &Operation,
    fields: &[RequestField],
    body: Option<&Value>,
) -> String {
    let module = &operation.rust_name;
    let method = &operation.shape.client_method;
    let mut builder = RustValues {
        api,
        krate,
        stack: Vec::new(),
        used: BTreeSet::new(),
        budget: usize::MAX,
        exhausted: false,
    };
    let legacy_body = operation.wire == Wire::LegacyRest && operation.body.is_some();
    let mut arguments = Vec::new();
    for field in fields.iter().filter(|field| field.required) {
        let value = match field.location() {
            Some(_) if field.ty == TypeRef::String(StringFormat::Plain) => {
                format!("{:?}.to_owned()", sample_parameter(field))
            }
            Some(_) => builder.expression(&field.ty, 1),
            None => {
                let json = if legacy_body {
                    body.and_then(|b| b.get(&field.wire_name)).cloned()
                } else {
                    body.cloned()
                };
                let from_json = |builder: &mut RustValues, path: &str, json: Option<Value>| {
                    let json = json.map_or_else(|| "{}".to_owned(), |json| json.to_string());
                    format!(
                        "serde_json::from_value::<{}>(serde_json::json!({json}))?",
                        builder.type_name(path)
                    )
                };
                match (&field.ty, json) {
                    // A type that contains itself: no finite constructor call.
                    (TypeRef::Named(path), Some(json)) if builder.is_recursive(path) => {
                        from_json(&mut builder, path, Some(json))
                    }
                    // Too large to spell out: read from JSON, as the page's example is.
                    (TypeRef::Named(path), json) => builder
                        .bounded_expression(&field.ty, 1)
                        .unwrap_or_else(|| from_json(&mut builder, path, json)),
                    (ty, _) => builder.expression(ty, 1),
                }
            }
        };
        arguments.push(format!("    {}: {value},", field.rust_name));
    }
    let mut lines = vec![format!("use {krate}::operations::{module} as op;")];
    let (imports, names) = builder.imports();
    lines.extend(imports);
    for argument in &mut arguments {
        for (placeholder, name) in &names {
            *argument = argument.replace(placeholder, name);
        }
    }
    lines.push(String::new());
    if arguments.is_empty() {
        lines.push("let request = op::Request::new();".into());
    } else {
        lines.push(format!(
            "let request = op::Request::new(op::{REQUEST_REQUIRED} {{"
        ));
        lines.extend(arguments);
        lines.push("});".into());
    }
    lines.push(format!("match client.{method}(request).await {{"));
    lines.push("    Ok(response) => println!(\"{response:?}\"),".into());
    if let Some(first) = operation.shape.errors.first() {
        lines.push(format!(
            "    Err(op::Error::{}(error)) => eprintln!(\"{}: {{error:?}}\"),",
            first.name, first.name
        ));
    }
    lines.push("    Err(error) => eprintln!(\"{error}\"),".into());
    lines.push("}".into());
    lines.join("\n")
}

/// Rust expressions that build the minimal example of a type with the
/// generated constructors (`T::new(TRequired { .. })`), so the reference
/// pages show, and the compiled samples check, how a user builds a value.
struct RustValues<'a> {
    api: &'a Api,
    krate: &'a str,
    stack: Vec<String>,
    /// The types the expressions name (as placeholders, see `type_name`).
    used: BTreeSet<String>,
    /// How many more values the expression being built may hold (see
    /// [`EXAMPLE_BUDGET`]: nested required properties grow exponentially).
    budget: usize,
    /// Whether the expression being built ran out of budget.
    exhausted: bool,
}

impl RustValues<'_> {
    /// A placeholder for the type at `path`, replaced once every type used
    /// is known (see `imports`).
    fn type_name(&mut self, path: &str) -> String {
        self.used.insert(path.to_owned());
        format!("\u{1}{path}\u{2}")
    }

    /// The `use` lines of the modules of the types used, and what each
    /// placeholder becomes: `module::Type` where the module's last name is
    /// unique among them, else `types::full::path::Type`.
    fn imports(&self) -> (Vec<String>, Vec<(String, String)>) {
        let modules: BTreeSet<&str> = self.used.iter().map(|path| module_of(path)).collect();
        let alias = |module: &str| -> Option<String> {
            let last = last_segment(module);
            let unique = modules.iter().filter(|m| last_segment(m) == last).count() == 1;
            (!module.is_empty() && unique && last != "op" && last != "types")
                .then(|| last.to_owned())
        };
        let mut imports = BTreeSet::new();
        let names = self
            .used
            .iter()
            .map(|path| {
                let module = module_of(path);
                let name = match alias(module) {
                    Some(alias) => {
                        imports.insert(format!("use {}::types::{module};", self.krate));
                        format!("{alias}::{}", last_segment(path))
                    }
                    None => {
                        imports.insert(format!("use {}::types;", self.krate));
                        format!("types::{path}")
                    }
                };
                (format!("\u{1}{path}\u{2}"), name)
            })
            .collect();
        (imports.into_iter().collect(), names)
    }

    /// Whether a value of `path` must contain another one (no finite example).
    fn is_recursive(&mut self, path: &str) -> bool {
        self.required_cycle(path, &mut Vec::new())
    }

    fn required_cycle(&self, path: &str, seen: &mut Vec<String>) -> bool {
        if seen.iter().any(|p| p == path) {
            return true;
        }
        let Some(def) = self.api.types.get(path) else {
            return false;
        };
        seen.push(path.to_owned());
        let found = match &def.kind {
            TypeKind::Struct(strukt) => strukt
                .fields
                .iter()
                .any(|field| field.is_constructor_argument() && self.named_cycle(&field.ty, seen)),
            TypeKind::Alias(target) => self.named_cycle(target, seen),
            TypeKind::Enum(_) => false,
        };
        seen.pop();
        found
    }

    fn named_cycle(&self, ty: &TypeRef, seen: &mut Vec<String>) -> bool {
        match ty {
            TypeRef::Named(path) => self.required_cycle(path, seen),
            _ => false,
        }
    }

    /// [`Self::expression`], or `None` when it would hold more than
    /// [`EXAMPLE_BUDGET`] values (then no type it named is kept).
    fn bounded_expression(&mut self, ty: &TypeRef, depth: usize) -> Option<String> {
        let used = self.used.clone();
        self.budget = EXAMPLE_BUDGET;
        self.exhausted = false;
        let expression = self.expression(ty, depth);
        self.budget = usize::MAX;
        if self.exhausted {
            self.used = used;
            return None;
        }
        Some(expression)
    }

    /// The expression for the minimal example of `ty`, its continuation
    /// lines indented by `depth` levels. Within [`Self::bounded_expression`]
    /// it stops once the budget is spent (the caller discards the result).
    fn expression(&mut self, ty: &TypeRef, depth: usize) -> String {
        if self.budget == 0 {
            self.exhausted = true;
            return String::new();
        }
        self.budget -= 1;
        match ty {
            TypeRef::Named(path) => self.named(path, depth),
            TypeRef::String(StringFormat::Secret) => {
                format!("{}::SecretString::new(\"secret\")", self.krate)
            }
            TypeRef::String(_) => match example(self.api, ty, false, Wire::Api) {
                Some(Value::String(text)) => format!("{text:?}.to_owned()"),
                _ => "String::new()".to_owned(),
            },
            TypeRef::Boolean => "true".to_owned(),
            TypeRef::Int32 | TypeRef::Int64 => "1".to_owned(),
            TypeRef::Float | TypeRef::Double => "1.5".to_owned(),
            TypeRef::List(inner) => format!("vec![{}]", self.expression(inner, depth)),
            TypeRef::Map(inner) => format!(
                "::std::collections::BTreeMap::from([(\"key\".to_owned(), {})])",
                self.expression(inner, depth)
            ),
            TypeRef::Json => "serde_json::json!({})".to_owned(),
        }
    }

    fn named(&mut self, path: &str, depth: usize) -> String {
        let Some(def) = self.api.types.get(path) else {
            return "serde_json::json!({})".to_owned();
        };
        if self.stack.iter().any(|p| p == path) {
            return format!("{}::default()", self.type_name(path));
        }
        self.stack.push(path.to_owned());
        let value = match &def.kind {
            TypeKind::Enum(enumeration) => match enumeration.values.first() {
                Some(value) => format!("{}::{}", self.type_name(path), value.rust_name),
                None => format!(
                    "{}::{}(\"string\".to_owned())",
                    self.type_name(path),
                    enumeration.unknown_variant
                ),
            },
            TypeKind::Alias(target) => self.expression(target, depth),
            TypeKind::Struct(strukt) => {
                let indent = "    ".repeat(depth + 1);
                let mut text = match required_struct(self.api, def) {
                    Some(required) => {
                        let mut text = format!(
                            "{}::new({} {{\n",
                            self.type_name(path),
                            self.type_name(&required)
                        );
                        for field in strukt.fields.iter().filter(|f| f.is_constructor_argument()) {
                            let value = self.expression(&field.ty, depth + 1);
                            text.push_str(&format!("{indent}{}: {value},\n", field.rust_name));
                        }
                        text.push_str(&format!("{}}})", "    ".repeat(depth)));
                        text
                    }
                    None => format!("{}::new()", self.type_name(path)),
                };
                // A required property that may be `null` is in the JSON example too.
                let setters = strukt
                    .fields
                    .iter()
                    .filter(|f| !f.is_constructor_argument());
                let names = setter_names(setters.clone().map(|f| f.rust_name.as_str()));
                for (field, setter) in setters.zip(names) {
                    let enters_cycle =
                        matches!(&field.ty, TypeRef::Named(p) if self.stack.contains(p));
                    if field.required && !enters_cycle {
                        let value = self.expression(&field.ty, depth);
                        text.push_str(&format!(".{setter}({value})"));
                    }
                }
                text
            }
        };
        self.stack.pop();
        value
    }
}

#[derive(Template)]
#[template(path = "docs/schema.md", escape = "none")]
struct SchemaPage {
    preamble: String,
    name: String,
    source_name: String,
    rust_path: String,
    /// How Rust code builds a value (structs only).
    build: String,
    description: String,
    since: String,
    deprecated: bool,
    kind: &'static str,
    properties: Vec<PropertyRow>,
    values: Vec<(String, String)>,
    alias_of: String,
    error_type: String,
    examples: Vec<Example>,
    used_by: Vec<String>,
}

/// Where an inline schema is written, in words: "the request body of
/// `Op_id`", "property `type` of `Rest.Vapi.Std.Errors.NotFound`"; and the
/// since-version of the operation or schema that holds it.
fn inline_origin(api: &Api, location: &str) -> (String, Option<String>) {
    let (holder, since, rest) = if let Some(operation) = api
        .operations
        .values()
        .find(|op| location.starts_with(&format!("{}/", op.pointer)))
    {
        (
            format!("`{}`", operation.operation_id),
            operation.docs.since.clone(),
            &location[operation.pointer.len()..],
        )
    } else if let Some(rest) = location.strip_prefix("/components/schemas/") {
        let (name, rest) = rest.split_once('/').unwrap_or((rest, ""));
        let name = name.replace("~1", "/").replace("~0", "~");
        let since = api
            .types
            .values()
            .find(|def| matches!(&def.origin, crate::ir::TypeOrigin::Component { name: n } if *n == name))
            .and_then(|def| def.docs.since.clone());
        (format!("`{name}`"), since, rest)
    } else {
        return (format!("a schema written in place (`{location}`)"), None);
    };
    let segments: Vec<String> = rest
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    let mut parts = Vec::new();
    let mut index = 0;
    while index < segments.len() {
        let next = segments.get(index + 1);
        match (segments[index].as_str(), next) {
            ("requestBody", _) => parts.push("the request body".to_owned()),
            ("responses", Some(status)) => {
                parts.push(format!("the response {status}"));
                index += 1;
            }
            ("properties", Some(name)) => {
                parts.push(format!("property `{name}`"));
                index += 1;
            }
            ("parameters", Some(_)) => {
                parts.push("a parameter".to_owned());
                index += 1;
            }
            ("items", _) => parts.push("the items".to_owned()),
            ("additionalProperties", _) => parts.push("the map values".to_owned()),
            // `content/<media type>/schema`, `allOf/0`, ...: no place of their own.
            _ => {}
        }
        index += 1;
    }
    parts.reverse();
    parts.push(holder);
    (parts.join(" of "), since)
}

fn type_page_content(
    api: &Api,
    def: &TypeDef,
    used_by: Vec<String>,
    options: &Options,
) -> Result<String, Error> {
    let page_path = type_page(api, &def.rust_name);
    let dir = page_path.split('/').next().unwrap_or("schemas");
    // An inline schema is named by where it is written, and came with its holder.
    let mut description = def.docs.description.clone().unwrap_or_default();
    let (source_name, since) = match &def.origin {
        crate::ir::TypeOrigin::Inline { location } => {
            let (place, holder_since) = inline_origin(api, location);
            if description.is_empty() {
                description = format!("The schema of {place}.");
            }
            (
                format!("written in place: {place}"),
                def.docs.since.clone().or(holder_since),
            )
        }
        origin => (format!("`{origin}`"), def.docs.since.clone()),
    };
    // A legacy operation's body is shown as that form writes it.
    let wire = if api.operations.values().any(|op| {
        op.wire == Wire::LegacyRest
            && op
                .body
                .as_ref()
                .is_some_and(|body| body.ty == TypeRef::Named(def.rust_name.clone()))
    }) {
        Wire::LegacyRest
    } else {
        Wire::Api
    };
    let (kind, values, alias_of, error_type) = match &def.kind {
        TypeKind::Struct(strukt) => (
            "object",
            Vec::new(),
            String::new(),
            strukt.error_type.clone().unwrap_or_default(),
        ),
        TypeKind::Enum(enumeration) => (
            "enumeration (open: values added later are kept)",
            enumeration
                .values
                .iter()
                .map(|v| {
                    (
                        format!("`{}`", v.wire_name),
                        v.since
                            .clone()
                            .or_else(|| since.clone())
                            .unwrap_or_else(|| "not stated in the spec".into()),
                    )
                })
                .collect(),
            String::new(),
            String::new(),
        ),
        TypeKind::Alias(target) => (
            "alias",
            Vec::new(),
            type_text(api, target, dir),
            String::new(),
        ),
    };
    let page = SchemaPage {
        preamble: super::preamble_markdown(options),
        name: crate::naming::last_segment(&def.rust_name).to_owned(),
        source_name,
        rust_path: format!(
            "{}::types::{}",
            options.crate_name.replace('-', "_"),
            def.rust_name
        ),
        build: build_text(api, def),
        description,
        since: since.as_deref().map_or_else(
            || "not stated in the spec".into(),
            |since| format!("vSphere API {since}"),
        ),
        deprecated: def.docs.deprecated,
        kind,
        properties: property_rows(api, def, since.as_deref(), dir),
        values,
        alias_of,
        error_type,
        examples: if matches!(def.kind, TypeKind::Struct(_)) {
            examples_of(api, &TypeRef::Named(def.rust_name.clone()), wire)
        } else {
            Vec::new()
        },
        used_by,
    };
    render(&format!("docs/{page_path}"), page.render())
}

/// How Rust code builds a value of a struct: its constructor, with the
/// required properties by name, then setters. Empty for other kinds.
fn build_text(api: &Api, def: &TypeDef) -> String {
    let TypeKind::Struct(strukt) = &def.kind else {
        return String::new();
    };
    let name = crate::naming::last_segment(&def.rust_name);
    let new = match required_struct(api, def) {
        Some(required) => format!("`{name}::new({} {{ .. }})`", last_segment(&required)),
        None => format!("`{name}::new()` (or `Default`)"),
    };
    let optional = strukt
        .fields
        .iter()
        .filter(|f| !f.is_constructor_argument());
    match setter_names(optional.map(|f| f.rust_name.as_str())).first() {
        Some(setter) => format!("{new}, then `.{setter}(..)` and the other `with_*` setters"),
        None => new,
    }
}

/// Operations of one vAPI package, for the index.
pub struct Package {
    name: String,
    operations: Vec<IndexEntry>,
}

/// One operation in the index.
pub struct IndexEntry {
    http: String,
    page: String,
    summary: String,
}

#[derive(Template)]
#[template(path = "docs/index.md", escape = "none")]
struct IndexPage {
    preamble: String,
    /// The generated crate's package name.
    crate_name: String,
    title: String,
    version: String,
    /// Whether `--api-version` left out what later releases added.
    restricted: bool,
    spec_version: String,
    packages: Vec<Package>,
    schemas: Vec<(String, Vec<(String, String)>)>,
    errors: Vec<(String, String, String)>,
}

fn render(file: &str, result: askama::Result<String>) -> Result<String, Error> {
    result
        .map(|mut text| {
            text.push('\n');
            text
        })
        .map_err(|error| Error::Template {
            file: file.to_owned(),
            message: error.to_string(),
        })
}

/// Every docs page, by path relative to the crate root.
pub fn docs_files(api: &Api, options: &Options) -> Result<BTreeMap<String, String>, Error> {
    let mut files = BTreeMap::new();
    for operation in api.operations.values() {
        files.insert(
            format!("docs/operations/{}.md", operation.rust_name),
            operation_page(api, operation, options)?,
        );
    }
    let used_by = references(api);
    for def in api.types.values() {
        let users = used_by.get(&def.rust_name).cloned().unwrap_or_default();
        let page = type_page(api, &def.rust_name);
        let dir = page.split('/').next().unwrap_or("schemas");
        let users = users
            .into_iter()
            .map(|(label, target)| format!("[{label}]({})", link(dir, &target)))
            .collect();
        files.insert(
            format!("docs/{page}"),
            type_page_content(api, def, users, options)?,
        );
    }
    files.insert("docs/README.md".into(), index_page(api, options)?);
    Ok(files)
}

/// For each type, the operations and types that use it directly: (label, page).
fn references(api: &Api) -> BTreeMap<String, BTreeSet<(String, String)>> {
    fn named(ty: &TypeRef, out: &mut BTreeSet<String>) {
        match ty {
            TypeRef::Named(path) => {
                out.insert(path.clone());
            }
            TypeRef::List(inner) | TypeRef::Map(inner) => named(inner, out),
            _ => {}
        }
    }
    let mut references: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    for def in api.types.values() {
        let mut used = BTreeSet::new();
        match &def.kind {
            TypeKind::Struct(strukt) => strukt.fields.iter().for_each(|f| named(&f.ty, &mut used)),
            TypeKind::Alias(target) => named(target, &mut used),
            TypeKind::Enum(_) => {}
        }
        for target in used {
            let label = crate::naming::last_segment(&def.rust_name).to_owned();
            references
                .entry(target)
                .or_default()
                .insert((label, type_page(api, &def.rust_name)));
        }
    }
    for operation in api.operations.values() {
        let mut used = BTreeSet::new();
        for field in &operation.shape.request_fields {
            named(&field.ty, &mut used);
        }
        if let Some(body) = &operation.body {
            named(&body.ty, &mut used);
        }
        for success in &operation.shape.successes {
            if let Some(body) = &success.body {
                named(body, &mut used);
            }
        }
        for variant in &operation.shape.errors {
            named(&variant.ty, &mut used);
        }
        for target in used {
            let label = format!("`{}`", operation.operation_id);
            references
                .entry(target)
                .or_default()
                .insert((label, format!("operations/{}.md", operation.rust_name)));
        }
    }
    references
}

fn index_page(api: &Api, options: &Options) -> Result<String, Error> {
    let mut packages: BTreeMap<String, Vec<IndexEntry>> = BTreeMap::new();
    for operation in api.operations.values() {
        let package = operation
            .tags
            .first()
            .cloned()
            .unwrap_or_else(|| "other".into());
        packages.entry(package).or_default().push(IndexEntry {
            http: format!("`{}`", http_line(operation)),
            page: format!("operations/{}.md", operation.rust_name),
            summary: cell(
                operation
                    .docs
                    .summary
                    .as_deref()
                    .unwrap_or(&operation.operation_id),
            ),
        });
    }
    let mut schemas: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut errors = Vec::new();
    for def in api.types.values() {
        let page = type_page(api, &def.rust_name);
        let name = crate::naming::last_segment(&def.rust_name).to_owned();
        if page.starts_with("errors/") {
            errors.push((
                def.origin.to_string(),
                page,
                cell(def.docs.description.as_deref().unwrap_or("")),
            ));
        } else {
            let module = crate::naming::module_of(&def.rust_name).replace("::", ".");
            schemas
                .entry(if module.is_empty() {
                    "(root)".into()
                } else {
                    module
                })
                .or_default()
                .push((name, page));
        }
    }
    IndexPage {
        preamble: super::preamble_markdown(options),
        crate_name: options.crate_name.clone(),
        title: api.title.clone(),
        version: api.api_version().to_owned(),
        restricted: api.release.is_some(),
        spec_version: api.version.clone(),
        packages: packages
            .into_iter()
            .map(|(name, operations)| Package { name, operations })
            .collect(),
        schemas: schemas.into_iter().collect(),
        errors,
    }
    .render()
    .map(|mut text| {
        text.push('\n');
        text
    })
    .map_err(|error| Error::Template {
        file: "docs/README.md".into(),
        message: error.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_one_line_without_bare_pipes() {
        assert_eq!(cell("a |\n b"), "a \\| b");
    }

    #[test]
    fn list_text_stays_in_its_item() {
        assert_eq!(list_text("a\nb\n\nc\n"), "a\n  b\n\n  c");
    }
}
