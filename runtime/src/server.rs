//! Server support (feature `server`): reading a request, parsing and
//! validating its parameters and body, and answering with vapi errors. Each
//! operation's parser is a few lines of calls on [`Parser`]; the handler of
//! each operation is generic code here plus its own method call.

use crate::runtime::wire::{self, Credentials, Operation, OperationInfo, WireForm};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::fmt;

/// The largest request body accepted; a larger one is an InvalidArgument.
pub const BODY_LIMIT: usize = 1 << 20;

/// One problem found in a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Where: a parameter name or a property path such as `spec.location`.
    pub location: String,
    /// What is wrong.
    pub message: String,
}

/// The problems found in a request; any makes it an InvalidArgument.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Violations(pub Vec<Violation>);

impl Violations {
    /// Records a problem at `location`.
    pub fn push(&mut self, location: impl fmt::Display, message: impl Into<String>) {
        self.0.push(Violation {
            location: location.to_string(),
            message: message.into(),
        });
    }

    /// Whether nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Records a value of an open enumeration that this version does not know.
    pub fn unknown_value(&mut self, at: At<'_>, value: &str, known: &[&str]) {
        self.push(
            at,
            format!(
                "unknown value `{value}`; expected one of: {}",
                known.join(", ")
            ),
        );
    }

    /// Checks a string against its declared format.
    pub fn format(&mut self, value: &impl AsText, at: At<'_>, format: Format) {
        if let Some(text) = value.as_text()
            && let Err(message) = format.check(text)
        {
            self.push(at, message);
        }
    }

    /// The 400 InvalidArgument answer, with `ArgumentLocations` naming the fields.
    pub fn into_response(self, wire: WireForm) -> Response {
        let mut violations = self.0;
        if violations.is_empty() {
            violations.push(Violation {
                location: String::new(),
                message: "the request is not valid".into(),
            });
        }
        let messages: Vec<Value> = violations
            .iter()
            .map(|v| {
                let text = if v.location.is_empty() {
                    v.message.clone()
                } else {
                    format!("{}: {}", v.location, v.message)
                };
                json!({ "id": "vapi.invalid_argument", "default_message": text, "args": [v.location, v.message] })
            })
            .collect();
        let secondary: Vec<&str> = violations
            .iter()
            .skip(1)
            .map(|v| v.location.as_str())
            .collect();
        let error = json!({
            "messages": messages,
            "data": { "primary": violations.first().map(|v| v.location.as_str()), "secondary": secondary },
        });
        respond(
            400,
            Some(wire::encode_error(Some("INVALID_ARGUMENT"), error, wire)),
        )
    }
}

/// Where a value sits in a request: a parameter, a property path, a list
/// index. Built as a chain on the stack and written out only when a problem
/// is recorded, so a valid request costs no strings.
#[derive(Clone, Copy, Debug)]
pub enum At<'a> {
    /// The top: a parameter or argument name, or `""` for the body itself.
    Root(&'a str),
    /// A property (or map key) of the value at the parent location.
    Field(&'a At<'a>, &'a str),
    /// An element of the list at the parent location.
    Index(&'a At<'a>, usize),
}

impl<'a> At<'a> {
    /// The property `name` of this value.
    pub fn field(&'a self, name: &'a str) -> At<'a> {
        At::Field(self, name)
    }
}

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::Root(name) => f.write_str(name),
            At::Field(parent, name) => {
                let before = parent.to_string();
                if before.is_empty() {
                    f.write_str(name)
                } else {
                    write!(f, "{before}.{name}")
                }
            }
            At::Index(parent, index) => write!(f, "{parent}[{index}]"),
        }
    }
}

/// What the spec constrains beyond a value's Rust type: enum values this
/// version knows (open enums keep unknown ones), and string formats.
pub trait Validate {
    /// Records each problem of `self`, found at `at`. Nothing by default.
    fn validate(&self, at: At<'_>, violations: &mut Violations) {
        let _ = (at, violations);
    }
}

macro_rules! no_constraints {
    ($($ty:ty),*) => { $(impl Validate for $ty {})* };
}
no_constraints!(
    String,
    bool,
    i32,
    i64,
    f32,
    f64,
    Value,
    crate::runtime::secret::SecretString,
    ()
);

impl<T: Validate> Validate for Option<T> {
    fn validate(&self, at: At<'_>, violations: &mut Violations) {
        if let Some(value) = self {
            value.validate(at, violations);
        }
    }
}

impl<T: Validate> Validate for Box<T> {
    fn validate(&self, at: At<'_>, violations: &mut Violations) {
        (**self).validate(at, violations);
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate(&self, at: At<'_>, violations: &mut Violations) {
        for (index, value) in self.iter().enumerate() {
            value.validate(At::Index(&at, index), violations);
        }
    }
}

impl<T: Validate> Validate for BTreeMap<String, T> {
    fn validate(&self, at: At<'_>, violations: &mut Violations) {
        for (key, value) in self {
            value.validate(At::Field(&at, key), violations);
        }
    }
}

/// A value whose format can be checked: a string property, possibly optional.
pub trait AsText {
    /// The text, when there is one.
    fn as_text(&self) -> Option<&str>;
}

impl AsText for String {
    fn as_text(&self) -> Option<&str> {
        Some(self)
    }
}

impl<T: AsText> AsText for Option<T> {
    fn as_text(&self) -> Option<&str> {
        self.as_ref().and_then(AsText::as_text)
    }
}

/// A string format the server checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// No check.
    Plain,
    /// An absolute URI.
    Uri,
    /// An RFC 3339 date-time.
    DateTime,
    /// A UUID (such as a `Client-Token`).
    Uuid,
}

impl Format {
    /// `Err` with the problem when `value` is not in this format.
    pub fn check(self, value: &str) -> Result<(), String> {
        match self {
            Format::Plain => Ok(()),
            Format::Uri => url::Url::parse(value)
                .map(drop)
                .map_err(|error| format!("`{value}` is not a URI: {error}")),
            Format::DateTime => {
                let format = time::format_description::well_known::Rfc3339;
                time::OffsetDateTime::parse(value, &format)
                    .map(drop)
                    .map_err(|error| format!("`{value}` is not an RFC 3339 date-time: {error}"))
            }
            Format::Uuid => uuid::Uuid::parse_str(value)
                .map(drop)
                .map_err(|error| format!("`{value}` is not a UUID: {error}")),
        }
    }
}

/// An operation the server can parse: generated for every operation's `Endpoint`.
pub trait ParseRequest: Operation {
    /// Reads the request's parameters and body; `None` (with violations
    /// recorded) when it does not parse.
    fn parse(parser: &mut Parser<'_>) -> Option<Self::Request>;

    /// The object the privileges are checked on (the value of the operation's
    /// privilege scope), when it has one.
    fn privilege_object(request: &Self::Request) -> Option<String> {
        let _ = request;
        None
    }
}

/// Who may call what: the authentication and authorization half of a
/// server. The generated `Api` trait has these methods; every `Api` is a `Gate`.
pub trait Gate: Send + Sync + 'static {
    /// Who a caller is, once authenticated.
    type Principal: Send + Sync + 'static;

    /// Checks a caller's credentials for `operation`; `None` answers 401.
    fn authenticate(
        &self,
        credentials: &Credentials,
        operation: &OperationInfo,
    ) -> impl Future<Output = Option<Self::Principal>> + Send;

    /// Whether `principal` holds `operation.privileges` on `object`; `false` answers 403.
    fn authorize(
        &self,
        principal: &Self::Principal,
        operation: &OperationInfo,
        object: Option<&str>,
    ) -> impl Future<Output = bool> + Send;

    /// The challenge sent with 401 answers (`WWW-Authenticate`).
    fn challenge(&self) -> String;
}

/// How a server carries out an operation: implemented by each operation's
/// `Endpoint` for every server (`S`), by calling the server's method for it.
/// (Keyed on the operation, not the server: one impl per operation type is
/// cheap for the compiler, where blanket impls over every server would make
/// it compare each pair.)
pub trait Handle<S: Gate>: ParseRequest {
    /// Carries out the operation for an authenticated, authorized caller.
    fn handle(
        server: &S,
        principal: &S::Principal,
        request: Self::Request,
    ) -> impl Future<Output = Result<Self::Response, Self::Error>> + Send;
}

/// Serves one request as operation `O`: authenticates the caller, parses and
/// validates the request, checks the caller's privileges, then hands it to
/// the operation's [`Handle`] and answers with its result. Every failure on
/// the way is answered with a vapi error.
pub async fn serve<S: Gate, O: Handle<S>>(server: &S, incoming: Incoming) -> Response {
    let Some(principal) = server.authenticate(&incoming.credentials(), &O::INFO).await else {
        return unauthenticated(&server.challenge(), O::INFO.wire);
    };
    let request = match incoming.parse::<O>() {
        Ok(request) => request,
        Err(response) => return response,
    };
    let object = O::privilege_object(&request);
    if !server
        .authorize(&principal, &O::INFO, object.as_deref())
        .await
    {
        return unauthorized(&O::INFO, object.as_deref());
    }
    respond_with::<O>(O::handle(server, &principal, request).await)
}

/// What an operation the server does not implement answers: a vapi internal
/// error saying so. The generated `Api` methods' default bodies.
pub fn not_implemented<R: Send, E: wire::OperationError + Send>()
-> impl Future<Output = Result<R, E>> + Send {
    std::future::ready(Err(E::unexpected(wire::Unexpected::transport(
        "the operation is not implemented by this server",
    ))))
}

/// The path parameters of a route, as axum extracts them (read by position).
pub type PathParameters =
    Result<axum::extract::RawPathParams, axum::extract::rejection::RawPathParamsRejection>;

/// A request as the generated layer reads it: all of it, before any checks.
pub struct Incoming {
    path: Vec<String>,
    query: Vec<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
}

impl Incoming {
    /// Reads the path parameters, query, headers and body (up to [`BODY_LIMIT`]).
    pub async fn read(
        path: PathParameters,
        request: axum::extract::Request,
    ) -> Result<Self, Response> {
        let path = match path {
            Ok(params) => params.iter().map(|(_, value)| value.to_owned()).collect(),
            Err(rejection) => {
                let mut violations = Violations::default();
                violations.push("path", rejection.body_text());
                return Err(violations.into_response(WireForm::Api));
            }
        };
        let (parts, body) = request.into_parts();
        let query = parts
            .uri
            .query()
            .map(|query| {
                url::form_urlencoded::parse(query.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        let body = match axum::body::to_bytes(body, BODY_LIMIT).await {
            Ok(body) => body,
            Err(_) => {
                let mut violations = Violations::default();
                violations.push(
                    "body",
                    format!(
                        "the request body is larger than {BODY_LIMIT} bytes or could not be read"
                    ),
                );
                return Err(violations.into_response(WireForm::Api));
            }
        };
        Ok(Incoming {
            path,
            query,
            headers: parts.headers,
            body,
        })
    }

    /// Whether the query holds every pair of an operation's fixed query.
    pub fn matches(&self, fixed_query: &[(&str, &str)]) -> bool {
        fixed_query
            .iter()
            .all(|(name, value)| self.query.iter().any(|(n, v)| n == name && v == value))
    }

    fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn header_value(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    fn cookie_value(&self, name: &str) -> Option<&str> {
        self.headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|cookies| cookies.split(';'))
            .filter_map(|cookie| cookie.trim().split_once('='))
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }

    /// The credentials the request carries.
    pub fn credentials(&self) -> Credentials {
        if let Some(session) = self.header_value("vmware-api-session-id") {
            return Credentials::SessionId(session.into());
        }
        let Some(authorization) = self.header_value("authorization") else {
            return Credentials::None;
        };
        let (scheme, value) = authorization.split_once(' ').unwrap_or((authorization, ""));
        if scheme.eq_ignore_ascii_case("bearer") {
            return Credentials::Bearer(value.trim().into());
        }
        if scheme.eq_ignore_ascii_case("basic") {
            use base64::Engine;
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(value.trim())
                .ok();
            let text = decoded.and_then(|bytes| String::from_utf8(bytes).ok());
            if let Some((user, password)) = text.as_deref().and_then(|t| t.split_once(':')) {
                return Credentials::Basic {
                    user: user.to_owned(),
                    password: password.into(),
                };
            }
        }
        Credentials::None
    }

    /// Parses and validates the request as operation `O`; a request that does
    /// not fit is answered with a 400 InvalidArgument naming every problem.
    // The error is the finished answer, built once per bad request.
    #[allow(clippy::result_large_err)]
    pub fn parse<O: ParseRequest>(&self) -> Result<O::Request, Response> {
        let mut parser = Parser {
            incoming: self,
            violations: Violations::default(),
            envelope: None,
        };
        let request = O::parse(&mut parser);
        match request {
            Some(request) if parser.violations.is_empty() => Ok(request),
            _ => Err(parser.violations.into_response(O::INFO.wire)),
        }
    }
}

/// Reads one request's parameters and body, recording every problem.
pub struct Parser<'a> {
    incoming: &'a Incoming,
    violations: Violations,
    /// The legacy `/rest` body: its named arguments, read once.
    envelope: Option<Map<String, Value>>,
}

impl Parser<'_> {
    /// The path parameter at `position` in the template (path parameters are
    /// always required).
    pub fn path<T: DeserializeOwned + Validate>(
        &mut self,
        position: usize,
        name: &str,
        format: Format,
    ) -> Option<T> {
        let raw = self.incoming.path.get(position).map(String::as_str);
        self.parameter(raw, name, true, format)
    }

    /// The first query value named `name`.
    pub fn query<T: DeserializeOwned + Validate>(
        &mut self,
        name: &str,
        required: bool,
        format: Format,
    ) -> Option<T> {
        let raw = self.incoming.query_value(name);
        self.parameter(raw, name, required, format)
    }

    /// A header's value (if it is text).
    pub fn header<T: DeserializeOwned + Validate>(
        &mut self,
        name: &str,
        required: bool,
        format: Format,
    ) -> Option<T> {
        let raw = self.incoming.header_value(name);
        self.parameter(raw, name, required, format)
    }

    /// A cookie's value.
    pub fn cookie<T: DeserializeOwned + Validate>(
        &mut self,
        name: &str,
        required: bool,
        format: Format,
    ) -> Option<T> {
        let raw = self.incoming.cookie_value(name);
        self.parameter(raw, name, required, format)
    }

    /// Parses a parameter's text: as a string first (strings, enums), then as
    /// JSON (numbers, booleans). A missing required parameter is a violation.
    fn parameter<T: DeserializeOwned + Validate>(
        &mut self,
        raw: Option<&str>,
        name: &str,
        required: bool,
        format: Format,
    ) -> Option<T> {
        let Some(raw) = raw else {
            if required {
                self.violations.push(name, "the parameter is required");
            }
            return None;
        };
        let value = match T::deserialize(
            serde::de::value::StrDeserializer::<serde::de::value::Error>::new(raw),
        ) {
            Ok(value) => value,
            Err(_) => match serde_json::from_str(raw) {
                Ok(value) => value,
                Err(error) => {
                    self.violations
                        .push(name, format!("`{raw}` is not a valid value: {error}"));
                    return None;
                }
            },
        };
        if let Err(message) = format.check(raw) {
            self.violations.push(name, message);
        }
        value.validate(At::Root(name), &mut self.violations);
        Some(value)
    }

    /// The JSON body, read once straight into its type; a missing required
    /// body, malformed JSON or a value that does not fit is a violation.
    pub fn body<T: DeserializeOwned + Validate>(&mut self, required: bool) -> Option<T> {
        let bytes: &[u8] = &self.incoming.body;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            if required {
                self.violations.push("body", "a request body is required");
            }
            return None;
        }
        match serde_json::from_slice::<T>(bytes) {
            Ok(value) => {
                value.validate(At::Root(""), &mut self.violations);
                Some(value)
            }
            Err(error) => {
                self.explain_body_error::<T>(error, bytes);
                None
            }
        }
    }

    /// Why a body did not parse, worked out only on failure: malformed JSON,
    /// or where the value does not fit (`spec.location: invalid type`).
    fn explain_body_error<T: DeserializeOwned>(&mut self, error: serde_json::Error, bytes: &[u8]) {
        if let Err(syntax) = serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
            self.violations
                .push("body", format!("malformed JSON: {syntax}"));
            return;
        }
        let mut deserializer = serde_json::Deserializer::from_slice(bytes);
        match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
            Err(located) => {
                let path = located.path().to_string();
                let at = if path == "." { String::new() } else { path };
                self.violations
                    .push(at, without_position(&located.into_inner()));
            }
            // Not expected: the same bytes failed a moment ago.
            Ok(_) => self.violations.push("body", without_position(&error)),
        }
    }

    /// Reads the legacy `/rest` envelope (a JSON object of named arguments).
    pub fn envelope(&mut self, required: bool) {
        let bytes: &[u8] = &self.incoming.body;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            if required {
                self.violations.push("body", "a request body is required");
            }
            return;
        }
        match serde_json::from_slice::<Map<String, Value>>(bytes) {
            Ok(envelope) => self.envelope = Some(envelope),
            Err(error) => self
                .violations
                .push("body", format!("malformed JSON: {error}")),
        }
    }

    /// One named argument of the legacy envelope read by [`Parser::envelope`].
    pub fn argument<T: DeserializeOwned + Validate>(
        &mut self,
        name: &str,
        required: bool,
        format: Format,
    ) -> Option<T> {
        let envelope = self.envelope.as_mut()?;
        let Some(value) = envelope.remove(name).filter(|value| !value.is_null()) else {
            if required {
                self.violations.push(name, "the argument is required");
            }
            return None;
        };
        if let Some(Err(message)) = value.as_str().map(|text| format.check(text)) {
            self.violations.push(name, message);
        }
        let value: T = parse_value(value, At::Root(name), &mut self.violations)?;
        value.validate(At::Root(name), &mut self.violations);
        Some(value)
    }
}

/// Reads JSON into a type, recording where it does not fit.
fn parse_value<T: DeserializeOwned>(
    value: Value,
    at: At<'_>,
    violations: &mut Violations,
) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(value) => Some(value),
        Err(error) => {
            let path = error.path().to_string();
            if path == "." {
                violations.push(at, error.into_inner().to_string());
            } else {
                let path: Vec<&str> = path.split('.').collect();
                violations.push(located(at, &path), error.into_inner().to_string());
            }
            None
        }
    }
}

/// `at` followed by a serde path's segments, written out.
fn located(at: At<'_>, path: &[&str]) -> String {
    let base = at.to_string();
    let rest = path.join(".");
    if base.is_empty() {
        rest
    } else {
        format!("{base}.{rest}")
    }
}

/// A serde_json error's message without its " at line L column C" suffix
/// (the location is given as a property path instead).
fn without_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rsplit_once(" at line ") {
        Some((message, _)) if error.line() > 0 => message.to_owned(),
        _ => text,
    }
}

/// A JSON answer with `status`.
pub fn respond(status: u16, body: Option<Value>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match body {
        Some(body) => (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response(),
        None => status.into_response(),
    }
}

/// The answer to an operation's result: its success, or its error.
pub fn respond_with<O: Operation>(result: Result<O::Response, O::Error>) -> Response {
    match result {
        Ok(response) => {
            let (status, body) = O::encode_response(&response);
            respond(status, body)
        }
        Err(error) => respond(
            wire::error_status(&error),
            Some(wire::encode_operation_error(&error)),
        ),
    }
}

/// 401 Unauthenticated, with the challenge in the body and in `WWW-Authenticate`.
pub fn unauthenticated(challenge: &str, wire: WireForm) -> Response {
    let error = json!({
        "messages": [{
            "id": "vapi.security.authentication.invalid",
            "default_message": "Unable to authenticate user",
            "args": [],
        }],
        "challenge": challenge,
    });
    let mut response = respond(
        401,
        Some(wire::encode_error(Some("UNAUTHENTICATED"), error, wire)),
    );
    if let Ok(value) = HeaderValue::from_str(challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// 403 Unauthorized: the caller lacks a privilege the operation requires.
pub fn unauthorized(operation: &OperationInfo, object: Option<&str>) -> Response {
    let privileges = operation.privileges.join(", ");
    let on = object
        .map(|object| format!(" on {object}"))
        .unwrap_or_default();
    let error = json!({
        "messages": [{
            "id": "vapi.security.authorization.invalid",
            "default_message": format!("Permission denied: {} requires {privileges}{on}", operation.operation_id),
            "args": [operation.operation_id, privileges],
        }],
    });
    respond(
        403,
        Some(wire::encode_error(
            Some("UNAUTHORIZED"),
            error,
            operation.wire,
        )),
    )
}

/// 404 OperationNotFound: no operation at this method, path and query.
pub async fn operation_not_found() -> Response {
    let error = json!({
        "messages": [{
            "id": "vapi.method.input.operation_not_found",
            "default_message": "No operation at this method, path and query",
            "args": [],
        }],
    });
    respond(
        404,
        Some(wire::encode_error(
            Some("OPERATION_NOT_FOUND"),
            error,
            WireForm::Api,
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Spec {
        #[allow(dead_code)]
        count: u32,
    }

    impl Validate for Spec {}

    fn incoming(query: &[(&str, &str)], body: &str) -> Incoming {
        Incoming {
            path: vec!["lib-1".into()],
            query: query
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
                .collect(),
            headers: HeaderMap::new(),
            body: axum::body::Bytes::from(body.to_owned()),
        }
    }

    fn parser(incoming: &Incoming) -> Parser<'_> {
        Parser {
            incoming,
            violations: Violations::default(),
            envelope: None,
        }
    }

    #[test]
    fn locations_are_written_as_property_paths() {
        let body = At::Root("");
        let spec = body.field("spec");
        assert_eq!(spec.to_string(), "spec");
        let hosts = spec.field("hosts");
        assert_eq!(
            At::Index(&hosts, 2).field("name").to_string(),
            "spec.hosts[2].name"
        );
        assert_eq!(At::Root("library").to_string(), "library");
    }

    #[test]
    fn formats_are_checked() {
        assert!(
            Format::Uri
                .check("https://depot.example.com/index.xml")
                .is_ok()
        );
        assert!(Format::Uri.check("not a uri").is_err());
        assert!(Format::DateTime.check("2026-11-28T10:00:00Z").is_ok());
        assert!(Format::DateTime.check("yesterday").is_err());
        assert!(
            Format::Uuid
                .check("9f1c1c52-6b0e-4c62-a1f6-0b9a3e1c7a10")
                .is_ok()
        );
        assert!(Format::Uuid.check("token-1").is_err());
        assert!(Format::Plain.check("anything").is_ok());
    }

    #[test]
    fn a_body_that_does_not_fit_names_the_field_without_a_line_number() {
        let request = incoming(&[], r#"{"count": "many"}"#);
        let mut parser = parser(&request);
        assert!(parser.body::<Spec>(true).is_none());
        let [violation] = parser.violations.0.as_slice() else {
            panic!("{:?}", parser.violations);
        };
        assert_eq!(violation.location, "count");
        assert!(
            violation.message.starts_with("invalid type"),
            "{violation:?}"
        );
        assert!(!violation.message.contains("line"), "{violation:?}");
    }

    #[test]
    fn malformed_and_missing_bodies_are_violations_of_the_body() {
        let request = incoming(&[], r#"{"count": 1"#);
        let mut parser = parser(&request);
        assert!(parser.body::<Spec>(true).is_none());
        assert_eq!(parser.violations.0[0].location, "body");
        assert!(parser.violations.0[0].message.starts_with("malformed JSON"));

        let empty = incoming(&[], "  ");
        let mut parser = super::tests::parser(&empty);
        assert!(parser.body::<Spec>(false).is_none());
        assert!(
            parser.violations.is_empty(),
            "an optional body may be absent"
        );
        assert!(parser.body::<Spec>(true).is_none());
        assert_eq!(parser.violations.0[0].message, "a request body is required");
    }

    #[test]
    fn parameters_parse_as_text_then_json_and_check_their_format() {
        let request = incoming(&[("count", "3"), ("bad", "abc"), ("token", "t-1")], "");
        let mut parser = parser(&request);
        assert_eq!(parser.query::<i64>("count", true, Format::Plain), Some(3));
        assert_eq!(
            parser
                .path::<String>(0, "library", Format::Plain)
                .as_deref(),
            Some("lib-1")
        );
        assert!(parser.violations.is_empty());
        assert_eq!(parser.query::<i64>("bad", true, Format::Plain), None);
        assert_eq!(parser.query::<String>("missing", true, Format::Plain), None);
        parser.query::<String>("token", false, Format::Uuid);
        let locations: Vec<&str> = parser
            .violations
            .0
            .iter()
            .map(|v| v.location.as_str())
            .collect();
        assert_eq!(locations, ["bad", "missing", "token"]);
    }
}
