//! The project's own intermediate representation.
//!
//! Lowering (`crate::lower`) turns an OpenAPI document into an [`Api`]; every
//! emitter reads only this. Names here are already Rust names, collisions are
//! already resolved, and recursion is already broken (`Field::boxed`).
//! All collections are ordered so output is deterministic.
//!
//! What the generated crate makes of each operation (its `Request` fields,
//! successes, errors, method names) and which types implement `Default` are
//! computed once, after lowering and release restriction, by [`crate::shape`].

use crate::shape::OperationShape;
use std::collections::BTreeMap;
use std::fmt;

/// A whole API, ready to emit.
#[derive(Clone, Debug, PartialEq)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.version`: the API release the spec describes.
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// The release the API was restricted to (`--api-version`), when it was:
    /// the bindings then hold only what that release has.
    pub release: Option<String>,
    /// Named types by Rust name (sorted, so output order never depends on the file's).
    pub types: BTreeMap<String, TypeDef>,
    /// Operations by Rust (snake_case) name.
    pub operations: BTreeMap<String, Operation>,
}

impl Api {
    /// The release the bindings are for: the target release when restricted,
    /// else the one the spec describes.
    pub fn api_version(&self) -> &str {
        self.release.as_deref().unwrap_or(&self.version)
    }
}

/// Documentation and metadata shared by types, fields, values and operations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Docs {
    /// A short summary line (operations).
    pub summary: Option<String>,
    /// Description, Markdown.
    pub description: Option<String>,
    /// The API release that added it (`x-vapi-since`).
    pub since: Option<String>,
    /// Privileges required to call it (`x-vapi-privileges`).
    pub privileges: Vec<String>,
    /// Whether the spec deprecates it.
    pub deprecated: bool,
    /// Where the curated spec differs from VMware's published file on
    /// purpose (`x-vapi-published`): key (a property, enum value, or an
    /// operation's `path parameter vm`, `body`, `success`, `error 404
    /// NOT_FOUND [data]`) -> what the published file says there. Read by
    /// [`crate::audit`] only.
    pub published: BTreeMap<String, String>,
    /// A realistic value from the spec's `example` (parameters and request
    /// bodies), which the reference pages show instead of placeholders.
    pub example: Option<serde_json::Value>,
}

/// A named type.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeDef {
    /// Rust name (CamelCase).
    pub rust_name: String,
    /// Where the spec declares it: a component schema or an inline one.
    pub origin: TypeOrigin,
    /// JSON pointer of the schema.
    pub pointer: String,
    /// Documentation.
    pub docs: Docs,
    /// What it is.
    pub kind: TypeKind,
    /// Whether the Rust type implements `Default`: a struct derives it when
    /// every field can start empty, an alias has it when its target does, an
    /// enum never. Set by [`crate::shape::compute`]; `false` before it runs.
    pub has_default: bool,
}

/// Where the spec declares a named type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeOrigin {
    /// A schema of `components/schemas`.
    Component {
        /// Its key (the vAPI dotted name, e.g. `Vapi.Std.LocalizableMessage`).
        name: String,
    },
    /// A schema written in place (a property, item, parameter or body), named
    /// by the generator after where it is used.
    Inline {
        /// JSON pointer of the schema.
        location: String,
    },
}

impl TypeOrigin {
    /// Whether the schema is written in place rather than a component.
    pub fn is_inline(&self) -> bool {
        matches!(self, TypeOrigin::Inline { .. })
    }
}

/// How docs and messages name the schema: the component key, or
/// `inline schema at <pointer>`.
impl fmt::Display for TypeOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeOrigin::Component { name } => f.write_str(name),
            TypeOrigin::Inline { location } => write!(f, "inline schema at {location}"),
        }
    }
}

/// The shape of a named type.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeKind {
    /// An object with known properties.
    Struct(Struct),
    /// A string with a known set of values; open (unknown values are kept).
    Enum(Enum),
    /// Another name for a type expression.
    Alias(TypeRef),
}

/// An object type.
#[derive(Clone, Debug, PartialEq)]
pub struct Struct {
    /// Properties in spec order.
    pub fields: Vec<Field>,
    /// What properties not listed in `fields` hold: `None` when the spec forbids
    /// them, otherwise their type (free-form JSON when the spec says nothing, so
    /// unknown fields from newer servers survive a round trip).
    pub additional: Option<TypeRef>,
    /// The error discriminator value (`error_type`) this type stands for, when it
    /// is (or extends) a vapi standard error.
    pub error_type: Option<String>,
}

/// A property of an object type.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Name on the wire.
    pub wire_name: String,
    /// Rust field name (snake_case, never a keyword).
    pub rust_name: String,
    /// Type of the value (without the `Option` that `required == false` adds).
    pub ty: TypeRef,
    /// Whether the property must be present.
    pub required: bool,
    /// Whether the value may be `null` on the wire.
    pub nullable: bool,
    /// Whether the field must be boxed because it closes a cycle of direct containment.
    pub boxed: bool,
    /// Documentation.
    pub docs: Docs,
}

impl Field {
    /// Whether the Rust field is an `Option`: the property may be absent or `null`.
    pub fn is_option(&self) -> bool {
        !self.required || self.nullable
    }

    /// Whether the struct's `new` takes the field as an argument (else it
    /// starts `None`): the property must be present and non-null.
    pub fn is_constructor_argument(&self) -> bool {
        !self.is_option()
    }
}

/// A string enumeration.
#[derive(Clone, Debug, PartialEq)]
pub struct Enum {
    /// Known values in spec order.
    pub values: Vec<EnumValue>,
    /// Name of the variant that keeps values not in `values`.
    pub unknown_variant: String,
}

/// One known value of an enumeration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnumValue {
    /// Value on the wire.
    pub wire_name: String,
    /// Rust variant name (CamelCase).
    pub rust_name: String,
    /// The API release that added the value, when later than its enum.
    pub since: Option<String>,
}

/// A type expression.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TypeRef {
    /// A named type from [`Api::types`], by Rust name.
    Named(String),
    /// A string, with its declared format.
    String(StringFormat),
    /// `true` / `false`.
    Boolean,
    /// 32-bit integer.
    Int32,
    /// 64-bit integer (also integers without a format).
    Int64,
    /// 32-bit float.
    Float,
    /// 64-bit float (also numbers without a format).
    Double,
    /// An array.
    List(Box<TypeRef>),
    /// An object with string keys and values of one type.
    Map(Box<TypeRef>),
    /// Any JSON value (free-form, or a construct that cannot be typed).
    Json,
}

/// What a string holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum StringFormat {
    /// No (or an unknown) format.
    Plain,
    /// `format: password`: a secret, never shown in Debug output.
    Secret,
    /// `format: uri`.
    Uri,
    /// `format: date-time` (RFC 3339).
    DateTime,
    /// `format: date`.
    Date,
    /// `format: uuid`.
    Uuid,
    /// `format: byte` (base64).
    Byte,
    /// `format: binary`.
    Binary,
}

impl StringFormat {
    /// The OpenAPI name of the format, if any.
    pub fn openapi_name(self) -> Option<&'static str> {
        match self {
            StringFormat::Plain => None,
            StringFormat::Secret => Some("password"),
            StringFormat::Uri => Some("uri"),
            StringFormat::DateTime => Some("date-time"),
            StringFormat::Date => Some("date"),
            StringFormat::Uuid => Some("uuid"),
            StringFormat::Byte => Some("byte"),
            StringFormat::Binary => Some("binary"),
        }
    }
}

/// An HTTP operation.
#[derive(Clone, Debug, PartialEq)]
pub struct Operation {
    /// Rust method name (snake_case), unique in the API.
    pub rust_name: String,
    /// The `operationId` (or a name made from method and path when missing).
    pub operation_id: String,
    /// JSON pointer of the operation.
    pub pointer: String,
    /// HTTP method.
    pub method: Method,
    /// Path template without query, e.g. `/api/content/library/{library}/subscriptions`.
    pub path: PathTemplate,
    /// Query pairs that are part of the operation's identity (`?action=create`).
    pub fixed_query: Vec<(String, String)>,
    /// Parameters (path, query, header, cookie), in spec order.
    pub parameters: Vec<Parameter>,
    /// Request body, if any.
    pub body: Option<Body>,
    /// Responses by status, ascending; `default` last.
    pub responses: Vec<Response>,
    /// The wire form.
    pub wire: Wire,
    /// Whether the operation starts a task and answers with its id (`vmw-task=true`).
    pub is_task: bool,
    /// The type of the task's result, for a task operation that names it
    /// (`x-vapi-task-result`).
    pub task_result: Option<TypeRef>,
    /// The parameter, or the body property path (`create_spec.library_item_id`),
    /// naming the object the privileges are checked on (`x-vapi-privilege-scope`).
    pub privilege_scope: Option<String>,
    /// vAPI package (first tag), for grouping.
    pub tags: Vec<String>,
    /// Accepted security schemes (any one of them).
    pub security: Vec<String>,
    /// Documentation.
    pub docs: Docs,
    /// What the generated crate makes of it. Set by [`crate::shape::compute`];
    /// empty before it runs.
    pub shape: OperationShape,
}

/// An HTTP method (those OpenAPI 3.0 path items have).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`.
    Get,
    /// `PUT`.
    Put,
    /// `POST`.
    Post,
    /// `DELETE`.
    Delete,
    /// `PATCH`.
    Patch,
    /// `HEAD`.
    Head,
    /// `OPTIONS`.
    Options,
    /// `TRACE`.
    Trace,
}

impl Method {
    /// Every method, in declaration order.
    pub const ALL: [Method; 8] = [
        Method::Get,
        Method::Put,
        Method::Post,
        Method::Delete,
        Method::Patch,
        Method::Head,
        Method::Options,
        Method::Trace,
    ];

    /// The method as HTTP spells it (upper case).
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Patch => "PATCH",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
            Method::Trace => "TRACE",
        }
    }

    /// The method named `name`, in any case (OpenAPI keys are lower case).
    pub fn parse(name: &str) -> Option<Method> {
        Method::ALL
            .into_iter()
            .find(|method| method.as_str().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A path template such as `/api/vcenter/vm/{vm}/power`, parsed into literal
/// text and parameters. [`Display`](fmt::Display) gives the template back as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathTemplate {
    segments: Vec<PathSegment>,
}

/// A piece of a [`PathTemplate`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathSegment {
    /// Text matched as written (slashes included).
    Literal(String),
    /// `{name}`: a path parameter, by its wire name.
    Parameter(String),
}

impl PathTemplate {
    /// Parses a template: `{name}` (no braces inside) is a parameter, anything
    /// else, including an unbalanced brace, is literal text.
    pub fn parse(template: &str) -> PathTemplate {
        let mut segments = Vec::new();
        let mut literal = String::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            match after.find(['{', '}']) {
                Some(close) if after[close..].starts_with('}') => {
                    literal.push_str(&rest[..open]);
                    if !literal.is_empty() {
                        segments.push(PathSegment::Literal(std::mem::take(&mut literal)));
                    }
                    segments.push(PathSegment::Parameter(after[..close].to_owned()));
                    rest = &after[close + 1..];
                }
                _ => {
                    literal.push_str(&rest[..=open]);
                    rest = after;
                }
            }
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            segments.push(PathSegment::Literal(literal));
        }
        PathTemplate { segments }
    }

    /// The literal and parameter pieces, in order.
    pub fn segments(&self) -> &[PathSegment] {
        &self.segments
    }

    /// The names of the path parameters, in the order they appear.
    pub fn parameter_names(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|segment| match segment {
            PathSegment::Parameter(name) => Some(name.as_str()),
            PathSegment::Literal(_) => None,
        })
    }

    /// Where the parameter `name` comes among the path parameters (0 for the first).
    pub fn parameter_position(&self, name: &str) -> Option<usize> {
        self.parameter_names()
            .position(|candidate| candidate == name)
    }

    /// The template with each parameter replaced by `replace(position, name)`.
    pub fn with_parameters(&self, mut replace: impl FnMut(usize, &str) -> String) -> String {
        let mut out = String::new();
        let mut position = 0;
        for segment in &self.segments {
            match segment {
                PathSegment::Literal(text) => out.push_str(text),
                PathSegment::Parameter(name) => {
                    out.push_str(&replace(position, name));
                    position += 1;
                }
            }
        }
        out
    }
}

impl fmt::Display for PathTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.with_parameters(|_, name| format!("{{{name}}}")))
    }
}

/// How an operation's bodies travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wire {
    /// The current `/api` form: plain JSON bodies.
    Api,
    /// The legacy `/rest` form (`x-vapi-wire: rest`): success wrapped in
    /// `{"value": ...}`, errors as `{"type", "value"}`, maps as key/value lists.
    LegacyRest,
}

/// Where a parameter travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ParameterLocation {
    /// In the path template.
    Path,
    /// In the query string.
    Query,
    /// In a header.
    Header,
    /// In a cookie.
    Cookie,
}

impl ParameterLocation {
    /// How the location is named in OpenAPI, docs and reports (`query`).
    pub fn as_str(self) -> &'static str {
        match self {
            ParameterLocation::Path => "path",
            ParameterLocation::Query => "query",
            ParameterLocation::Header => "header",
            ParameterLocation::Cookie => "cookie",
        }
    }
}

/// An operation parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    /// Name on the wire.
    pub wire_name: String,
    /// Rust name (snake_case).
    pub rust_name: String,
    /// Where it travels.
    pub location: ParameterLocation,
    /// Its type.
    pub ty: TypeRef,
    /// Whether it must be given.
    pub required: bool,
    /// Documentation.
    pub docs: Docs,
}

/// A request body.
#[derive(Clone, Debug, PartialEq)]
pub struct Body {
    /// Media type, e.g. `application/json`.
    pub content_type: String,
    /// Type of the body.
    pub ty: TypeRef,
    /// Whether the body must be sent.
    pub required: bool,
    /// Documentation.
    pub docs: Docs,
}

/// A response status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// One exact code.
    Code(u16),
    /// A class such as `4XX` (the leading digit).
    Range(u16),
    /// `default`: any status not listed.
    Default,
}

/// One documented response.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    /// Status it answers with.
    pub status: Status,
    /// When it happens.
    pub description: String,
    /// Success or error, with what the body holds.
    pub kind: ResponseKind,
}

/// What a response body holds.
#[derive(Clone, Debug, PartialEq)]
pub enum ResponseKind {
    /// A successful answer (2xx), with its body type (already unwrapped from the
    /// legacy `value` envelope).
    Success(Option<TypeRef>),
    /// An error answer: one case per error schema documented for the status.
    Error(Vec<ErrorCase>),
}

/// One documented error.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorCase {
    /// The vapi `error_type` value that identifies it (e.g. `ALREADY_EXISTS`), when known.
    pub error_type: Option<String>,
    /// Its body type (already unwrapped from the legacy `{type, value}` envelope).
    pub ty: TypeRef,
    /// The type of its `data` property, when the spec types it.
    pub data: Option<TypeRef>,
    /// When it happens, when the spec says so for this error alone (a `oneOf`
    /// member's description); otherwise the response's description applies.
    pub description: Option<String>,
}
