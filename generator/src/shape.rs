//! What the generated crate makes of the IR, computed once after lowering and
//! release restriction ([`compute`], called by [`crate::lower_spec`]): per
//! operation its `Request` fields, success responses, error variants and Rust
//! method names ([`OperationShape`]), which types implement `Default`
//! ([`crate::ir::TypeDef::has_default`]), and the name of the struct each
//! type's required properties are given in ([`required_struct`]).
//!
//! Every emitter and [`crate::diff`] read these facts instead of working them
//! out again, so the code, the docs and the semver report cannot disagree.
//! [`RustType`] is the Rust type a type expression becomes, which the emitters
//! spell as tokens and the diff compares.

use crate::ir::{
    Api, Docs, Field, Operation, ParameterLocation, ResponseKind, Status, StringFormat, TypeDef,
    TypeKind, TypeRef, Wire,
};
use crate::naming::{camel_case, last_segment, sibling};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Methods of the runtime's `Client` itself (`runtime/src/client.rs`) and the
/// generated `login`; an operation with one of these names gets the client
/// method `<name>_operation`.
const CLIENT_METHODS: &[&str] = &[
    "builder",
    "new",
    "with_credentials",
    "with_session",
    "call",
    "call_with_retries",
    "log_in_again",
    "send_classified",
    "base_url",
    "new_client_token",
    "url",
    "request",
    "send",
    "replace_star_host",
    "login",
    "clone",
    "fmt",
];

/// Methods of the generated server trait `Api` itself; an operation with one
/// of these names gets the trait method `<name>_operation`.
const SERVER_TRAIT_METHODS: &[&str] = &["authenticate", "authorize", "challenge"];

/// Variant names every operation's `Error` has besides the documented errors.
const RESERVED_ERROR_VARIANTS: &[&str] = &["Other", "Unexpected"];

/// The variant of the vapi standard error whose `error_type` is `ERROR`: a
/// failure the server does not classify further (its schema is called
/// `Error`, and `Error::Error` would tell a reader nothing).
const GENERIC_ERROR_VARIANT: &str = "Generic";

/// The struct in each operation module that holds the required arguments of
/// its `Request` (`Request::new(RequestRequired { .. })`).
pub const REQUEST_REQUIRED: &str = "RequestRequired";

/// The struct that holds the required properties of the struct type `def`,
/// by its path below `types`: `<Name>Required` beside it (numbered while a
/// type of the spec has that name). `None` when the type is not a struct or
/// has no required property: it then implements `Default` and `new()`.
///
/// Required properties are given by name in a struct literal, so two of the
/// same type cannot be swapped, a missing one is a compile error, and a new
/// one breaks exactly the code that must now give it.
pub fn required_struct(api: &Api, def: &TypeDef) -> Option<String> {
    let TypeKind::Struct(strukt) = &def.kind else {
        return None;
    };
    if !strukt.fields.iter().any(Field::is_constructor_argument) {
        return None;
    }
    let wanted = sibling(
        &def.rust_name,
        &format!("{}Required", last_segment(&def.rust_name)),
    );
    let mut name = wanted.clone();
    let mut counter = 2;
    while api.types.contains_key(&name) {
        name = format!("{wanted}{counter}");
        counter += 1;
    }
    Some(name)
}

/// What the generated crate makes of one operation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OperationShape {
    /// The `Client` method that calls it.
    pub client_method: String,
    /// The server trait (`Api`) method that serves it.
    pub server_method: String,
    /// The fields of its `Request`: parameters in spec order, then the body (or,
    /// in the legacy `/rest` form, each property of the body envelope).
    pub request_fields: Vec<RequestField>,
    /// Its documented successes, in response order.
    pub successes: Vec<Success>,
    /// The variants of its `Error`, one per distinct documented error.
    pub errors: Vec<ErrorVariant>,
    /// Whether a success body is a URL (the client replaces a `*` host in it).
    pub returns_uri: bool,
    /// Whether a success body is a secret (never kept in an error's body).
    pub returns_secret: bool,
}

/// Where a `Request` field travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestFieldSource {
    /// A parameter, in the path, query, a header or a cookie.
    Parameter(ParameterLocation),
    /// A property of a legacy `/rest` body envelope (a named argument).
    BodyArgument,
    /// The whole request body.
    Body,
}

/// One field of an operation's `Request`.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestField {
    /// Rust field name.
    pub rust_name: String,
    /// Name on the wire (empty for the whole body).
    pub wire_name: String,
    /// Where it travels.
    pub source: RequestFieldSource,
    /// Its type, without the `Option` of an optional field.
    pub ty: TypeRef,
    /// Whether it must be given (`Request::new` takes it then).
    pub required: bool,
    /// Its documentation in the spec.
    pub docs: Docs,
}

impl RequestField {
    /// Where the field travels when it is a parameter; `None` for the body or a
    /// body argument.
    pub fn location(&self) -> Option<ParameterLocation> {
        match self.source {
            RequestFieldSource::Parameter(location) => Some(location),
            RequestFieldSource::BodyArgument | RequestFieldSource::Body => None,
        }
    }

    /// What the docs say when the spec does not describe the field.
    pub fn fallback_description(&self) -> String {
        match self.source {
            RequestFieldSource::Parameter(location) => {
                format!("The `{}` {} parameter.", self.wire_name, location.as_str())
            }
            RequestFieldSource::BodyArgument => format!("The `{}` argument.", self.wire_name),
            RequestFieldSource::Body => "The request body.".to_owned(),
        }
    }

    /// Its Rust type in `Request`: `Option` unless required.
    pub fn rust_type(&self) -> RustType {
        let ty = RustType::of(&self.ty);
        if self.required {
            ty
        } else {
            RustType::Option(Box::new(ty))
        }
    }
}

/// One documented success response.
#[derive(Clone, Debug, PartialEq)]
pub struct Success {
    /// The status it is sent with (a class such as `2XX` is sent as `200`).
    pub status: u16,
    /// Whether it is documented for a class of statuses (`2XX`): any status
    /// of the class that no exact success claims is this one.
    pub whole_class: bool,
    /// Its body type (already unwrapped from the legacy `value` envelope).
    pub body: Option<TypeRef>,
    /// Whether the body is the id of the task the operation started (a string
    /// answer of a task operation): it is a `TaskId` in Rust.
    pub is_task_id: bool,
}

impl Success {
    /// The status as the spec writes it: `200`, or `2XX` for a class.
    pub fn label(&self) -> String {
        if self.whole_class {
            format!("{}XX", self.status / 100)
        } else {
            self.status.to_string()
        }
    }

    /// The response of the spec it stands for.
    pub fn spec_status(&self) -> Status {
        if self.whole_class {
            Status::Range(self.status / 100)
        } else {
            Status::Code(self.status)
        }
    }

    /// Its variant in a multi-status `Response`: `Status200`, `Status2xx`.
    pub fn variant_name(&self) -> String {
        format!("Status{}", self.label().to_ascii_lowercase())
    }

    /// Its Rust type: the task id, the body's type, or `()` without a body.
    pub fn rust_type(&self) -> RustType {
        match &self.body {
            Some(_) if self.is_task_id => RustType::TaskId,
            Some(ty) => RustType::of(ty),
            None => RustType::Unit,
        }
    }
}

/// One variant of an operation's `Error`.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorVariant {
    /// Variant name.
    pub name: String,
    /// The `error_type` that selects it, when the spec says.
    pub error_type: Option<String>,
    /// The HTTP status it is sent with (`default` counts as 500).
    pub status: u16,
    /// Its body type.
    pub ty: TypeRef,
    /// When it happens (the error's own description, else the response's).
    pub description: String,
}

/// The Rust type a type expression becomes in the generated crate, as its
/// users see it (whatever path spells it in a given module).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RustType {
    /// A generated type, by its path below `types`.
    Named(String),
    /// `String`: every string format but `password`.
    String,
    /// `SecretString`: `format: password`.
    SecretString,
    /// `bool`.
    Bool,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// `Vec<T>`.
    Vec(Box<RustType>),
    /// `BTreeMap<String, T>`.
    Map(Box<RustType>),
    /// `serde_json::Value`.
    Json,
    /// `Option<T>`.
    Option(Box<RustType>),
    /// `Box<T>`.
    Boxed(Box<RustType>),
    /// `wire::TaskId`: the id of a started task.
    TaskId,
    /// `()`: no body.
    Unit,
}

impl RustType {
    /// The Rust type of a type expression.
    pub fn of(ty: &TypeRef) -> RustType {
        match ty {
            TypeRef::Named(path) => RustType::Named(path.clone()),
            TypeRef::String(StringFormat::Secret) => RustType::SecretString,
            TypeRef::String(_) => RustType::String,
            TypeRef::Boolean => RustType::Bool,
            TypeRef::Int32 => RustType::I32,
            TypeRef::Int64 => RustType::I64,
            TypeRef::Float => RustType::F32,
            TypeRef::Double => RustType::F64,
            TypeRef::List(inner) => RustType::Vec(Box::new(RustType::of(inner))),
            TypeRef::Map(inner) => RustType::Map(Box::new(RustType::of(inner))),
            TypeRef::Json => RustType::Json,
        }
    }

    /// The Rust type of a struct field: boxed where it closes a cycle, and an
    /// `Option` unless it must be present and non-null.
    pub fn of_field(field: &Field) -> RustType {
        let mut ty = RustType::of(&field.ty);
        if field.boxed {
            ty = RustType::Boxed(Box::new(ty));
        }
        if field.is_option() {
            ty = RustType::Option(Box::new(ty));
        }
        ty
    }
}

/// The type as a reader writes it, relative to the crate root:
/// `Option<Vec<types::a::B>>`.
impl fmt::Display for RustType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RustType::Named(path) => write!(f, "types::{path}"),
            RustType::String => f.write_str("String"),
            RustType::SecretString => f.write_str("SecretString"),
            RustType::Bool => f.write_str("bool"),
            RustType::I32 => f.write_str("i32"),
            RustType::I64 => f.write_str("i64"),
            RustType::F32 => f.write_str("f32"),
            RustType::F64 => f.write_str("f64"),
            RustType::Vec(inner) => write!(f, "Vec<{inner}>"),
            RustType::Map(inner) => write!(f, "::std::collections::BTreeMap<String, {inner}>"),
            RustType::Json => f.write_str("serde_json::Value"),
            RustType::Option(inner) => write!(f, "Option<{inner}>"),
            RustType::Boxed(inner) => write!(f, "Box<{inner}>"),
            RustType::TaskId => f.write_str("wire::TaskId"),
            RustType::Unit => f.write_str("()"),
        }
    }
}

/// Computes the shape of every operation and which types implement `Default`.
/// Runs on the final IR (after release restriction), since both depend on
/// which types and properties are left.
pub fn compute(api: &mut Api) {
    let defaults = types_with_default(api);
    for (name, def) in &mut api.types {
        def.has_default = defaults.contains(name);
    }
    let names: Vec<&str> = api.operations.keys().map(String::as_str).collect();
    let client_methods = method_names(&names, CLIENT_METHODS);
    let server_methods = method_names(&names, SERVER_TRAIT_METHODS);
    let shapes: Vec<OperationShape> = api
        .operations
        .values()
        .zip(client_methods.into_iter().zip(server_methods))
        .map(
            |(operation, (client_method, server_method))| OperationShape {
                client_method,
                server_method,
                ..operation_shape(api, operation)
            },
        )
        .collect();
    for (operation, shape) in api.operations.values_mut().zip(shapes) {
        operation.shape = shape;
    }
}

/// The method names of operations (named `operations`, all distinct) on a
/// type that has methods `taken` of its own: each operation's name, or
/// `<name>_operation` (numbered if need be) where that is taken, by the type
/// or by another operation's own name.
fn method_names(operations: &[&str], taken: &[&str]) -> Vec<String> {
    let mut used: BTreeSet<String> = operations
        .iter()
        .filter(|name| !taken.contains(name))
        .map(|name| (*name).to_owned())
        .collect();
    operations
        .iter()
        .map(|name| {
            if !taken.contains(name) {
                return (*name).to_owned();
            }
            let method = crate::naming::numbered(&format!("{name}_operation"), "_", |candidate| {
                used.contains(candidate) || taken.contains(&candidate)
            });
            used.insert(method.clone());
            method
        })
        .collect()
}

fn operation_shape(api: &Api, operation: &Operation) -> OperationShape {
    let successes = successes(operation);
    let returns = |format: StringFormat| {
        successes
            .iter()
            .any(|success| success.body == Some(TypeRef::String(format)))
    };
    OperationShape {
        client_method: String::new(),
        server_method: String::new(),
        request_fields: request_fields(api, operation),
        returns_uri: returns(StringFormat::Uri),
        returns_secret: returns(StringFormat::Secret),
        successes,
        errors: error_variants(operation),
    }
}

/// The fields of an operation's `Request`: its parameters, then its body. A
/// legacy `/rest` body is an envelope of named arguments, so its properties
/// become fields of their own and callers see the same shape as the `/api` form.
fn request_fields(api: &Api, operation: &Operation) -> Vec<RequestField> {
    let mut fields: Vec<RequestField> = operation
        .parameters
        .iter()
        .map(|parameter| RequestField {
            rust_name: parameter.rust_name.clone(),
            wire_name: parameter.wire_name.clone(),
            source: RequestFieldSource::Parameter(parameter.location),
            ty: parameter.ty.clone(),
            required: parameter.required,
            docs: parameter.docs.clone(),
        })
        .collect();
    let Some(body) = &operation.body else {
        return distinct_fields(fields);
    };
    let envelope = match (&body.ty, operation.wire) {
        (TypeRef::Named(name), Wire::LegacyRest) => {
            match api.types.get(name).map(|def| &def.kind) {
                Some(TypeKind::Struct(strukt)) => Some(strukt),
                _ => None,
            }
        }
        _ => None,
    };
    match envelope {
        Some(strukt) => fields.extend(strukt.fields.iter().map(|field| RequestField {
            rust_name: field.rust_name.clone(),
            wire_name: field.wire_name.clone(),
            source: RequestFieldSource::BodyArgument,
            ty: field.ty.clone(),
            required: field.required,
            docs: field.docs.clone(),
        })),
        None => {
            fields.push(RequestField {
                rust_name: "body".to_owned(),
                wire_name: String::new(),
                source: RequestFieldSource::Body,
                ty: body.ty.clone(),
                required: body.required,
                docs: body.docs.clone(),
            });
        }
    }
    distinct_fields(fields)
}

/// The fields with distinct Rust names: a name several fields would have
/// spells their punctuation out (`foo-bar` and `foo_bar` become
/// `foo_minus_bar` and `foo_bar`); names still shared (a path and a query
/// parameter both called `id`) say where each field travels (`id_path`,
/// `id_query`, the body `request_body`), and anything left is numbered.
fn distinct_fields(mut fields: Vec<RequestField>) -> Vec<RequestField> {
    let spec_names: Vec<&str> = fields
        .iter()
        .map(|field| match field.source {
            RequestFieldSource::Body => "body",
            _ => field.wire_name.as_str(),
        })
        .collect();
    let names = crate::naming::spelled_names(&spec_names, crate::naming::snake_case);
    let shared = |name: &String| names.iter().filter(|other| *other == name).count() > 1;
    let mut qualified: Vec<String> = fields
        .iter()
        .zip(&names)
        .map(|(field, name)| {
            if !shared(name) {
                return name.clone();
            }
            let stem = name.trim_end_matches('_');
            match field.source {
                RequestFieldSource::Parameter(location) => format!("{stem}_{}", location.as_str()),
                RequestFieldSource::BodyArgument => format!("{stem}_argument"),
                RequestFieldSource::Body => "request_body".to_owned(),
            }
        })
        .collect();
    for index in 0..qualified.len() {
        let (before, rest) = qualified.split_at(index);
        let taken = |candidate: &str| {
            before.iter().any(|name| name == candidate)
                || rest[1..].iter().any(|name| name == candidate)
        };
        if before.contains(&rest[0]) {
            let name = crate::naming::numbered(&rest[0], "_", taken);
            qualified[index] = name;
        }
    }
    for (field, name) in fields.iter_mut().zip(qualified) {
        field.rust_name = name;
    }
    fields
}

/// The documented success responses: status and body type.
fn successes(operation: &Operation) -> Vec<Success> {
    operation
        .responses
        .iter()
        .filter_map(|response| {
            let ResponseKind::Success(body) = &response.kind else {
                return None;
            };
            let (status, whole_class) = match response.status {
                Status::Code(code) => (code, false),
                Status::Range(class) => (class * 100, true),
                Status::Default => return None,
            };
            Some(Success {
                status,
                whole_class,
                is_task_id: operation.is_task && matches!(body, Some(TypeRef::String(_))),
                body: body.clone(),
            })
        })
        .collect()
}

/// The documented errors of an operation, one variant per distinct error.
fn error_variants(operation: &Operation) -> Vec<ErrorVariant> {
    let mut variants: Vec<ErrorVariant> = Vec::new();
    for response in &operation.responses {
        let ResponseKind::Error(cases) = &response.kind else {
            continue;
        };
        let status = match response.status {
            Status::Code(code) => code,
            Status::Range(class) => class * 100,
            Status::Default => 500,
        };
        for case in cases {
            if variants
                .iter()
                .any(|v| v.ty == case.ty && v.error_type == case.error_type)
            {
                continue; // the same error documented under a second status
            }
            let base = match (&case.error_type, &case.ty) {
                (Some(error_type), _) if error_type == "ERROR" => GENERIC_ERROR_VARIANT.to_owned(),
                (Some(error_type), _) => camel_case(error_type),
                (None, TypeRef::Named(path)) => last_segment(path).to_owned(),
                (None, _) => format!("Status{status}"),
            };
            let taken = |name: &str| {
                variants.iter().any(|v| v.name == name) || RESERVED_ERROR_VARIANTS.contains(&name)
            };
            let name = if taken(&base) {
                crate::naming::numbered(&format!("{base}{status}"), "_", taken)
            } else {
                base
            };
            variants.push(ErrorVariant {
                name,
                error_type: case.error_type.clone(),
                status,
                ty: case.ty.clone(),
                description: case
                    .description
                    .clone()
                    .unwrap_or_else(|| response.description.clone()),
            });
        }
    }
    variants
}

/// The types that implement `Default`: structs whose every field is optional
/// (a required property has no default a server would accept: it is given
/// in the type's `Required` struct), and aliases of types with a default
/// (enums have none). The least fixed point, found with a worklist (each
/// alias waits for the type it names), so a long chain costs linear time.
fn types_with_default(api: &Api) -> BTreeSet<String> {
    // Per type, the named types it needs a default of; `None` when it can
    // never have one.
    fn needs(api: &Api, kind: &TypeKind) -> Option<BTreeSet<String>> {
        let mut needed = BTreeSet::new();
        let mut need = |ty: &TypeRef| match ty {
            TypeRef::Named(name) if api.types.contains_key(name) => {
                needed.insert(name.clone());
                true
            }
            TypeRef::Named(_) => false,
            _ => true,
        };
        let possible = match kind {
            TypeKind::Struct(strukt) => strukt.fields.iter().all(Field::is_option),
            TypeKind::Enum(_) => false,
            TypeKind::Alias(target) => need(target),
        };
        possible.then_some(needed)
    }
    let mut waiting: BTreeMap<&str, usize> = BTreeMap::new();
    let mut dependents: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut ready: Vec<&str> = Vec::new();
    for (name, def) in &api.types {
        let Some(needed) = needs(api, &def.kind) else {
            continue;
        };
        if needed.is_empty() {
            ready.push(name);
        }
        waiting.insert(name, needed.len());
        for target in needed {
            dependents.entry(target).or_default().push(name);
        }
    }
    let mut defaults = BTreeSet::new();
    while let Some(name) = ready.pop() {
        if !defaults.insert(name.to_owned()) {
            continue;
        }
        for dependent in dependents.get(name).into_iter().flatten() {
            if let Some(count) = waiting.get_mut(dependent) {
                *count -= 1;
                if *count == 0 {
                    ready.push(dependent);
                }
            }
        }
    }
    defaults
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::PathTemplate;

    #[test]
    fn rust_types_read_as_written() {
        let map = TypeRef::Map(Box::new(TypeRef::List(Box::new(TypeRef::Named(
            "a::B".into(),
        )))));
        assert_eq!(
            RustType::Option(Box::new(RustType::of(&map))).to_string(),
            "Option<::std::collections::BTreeMap<String, Vec<types::a::B>>>"
        );
        // Every string format but `password` is the same `String`.
        assert_eq!(
            RustType::of(&TypeRef::String(StringFormat::Uri)),
            RustType::of(&TypeRef::String(StringFormat::Plain))
        );
        assert_eq!(
            RustType::of(&TypeRef::String(StringFormat::Secret)).to_string(),
            "SecretString"
        );
    }

    #[test]
    fn path_templates_round_trip() {
        for template in [
            "/api/vcenter/vm/{vm}/hardware/disk/{disk}",
            "/api/session",
            "",
            "/a/{x{y}/b",
            "/a/{unclosed",
            "/a/}b/{}",
        ] {
            assert_eq!(PathTemplate::parse(template).to_string(), template);
        }
        let path = PathTemplate::parse("/api/vcenter/vm/{vm}/hardware/disk/{disk}");
        assert_eq!(path.parameter_names().collect::<Vec<_>>(), ["vm", "disk"]);
        assert_eq!(path.parameter_position("disk"), Some(1));
        assert_eq!(
            path.with_parameters(|position, _| format!("{{p{position}}}")),
            "/api/vcenter/vm/{p0}/hardware/disk/{p1}"
        );
    }

    #[test]
    fn client_method_names_avoid_the_clients_own() {
        assert_eq!(
            method_names(&["login"], CLIENT_METHODS),
            ["login_operation"]
        );
        assert_eq!(method_names(&["login"], SERVER_TRAIT_METHODS), ["login"]);
        // An operation already called `login_operation` keeps its name.
        assert_eq!(
            method_names(&["login", "login_operation"], CLIENT_METHODS),
            ["login_operation_2", "login_operation"]
        );
    }
}
