//! The vAPI wire forms: what every operation shares, whichever side of the
//! connection it is on. Types-only users get this module too; it needs only
//! serde and serde_json.
//!
//! Generated code keeps the types, names, docs and per-operation tables; the
//! behaviour that is the same for every operation (decoding a response by
//! status and `error_type`, encoding an error, the legacy envelope, maps as
//! key/value lists) lives here once.

use serde::de::{Deserialize, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeSeq, Serializer};
use serde_json::Value;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use crate::runtime::secret::SecretString;

/// How an operation's bodies travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WireForm {
    /// The current `/api` form: plain JSON bodies, errors carry `error_type`.
    Api,
    /// The legacy `/rest` form: successes wrapped in `{"value": ...}`, errors
    /// as `{"type", "value"}`, request arguments in an envelope, maps as
    /// key/value lists.
    LegacyRest,
}

/// Where an operation lives and what it needs, from the spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OperationInfo {
    /// The spec's `operationId`.
    pub operation_id: &'static str,
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path template, e.g. `/api/content/library/{library}/subscriptions`.
    pub path: &'static str,
    /// Query pairs that are part of the operation (`?action=create`).
    pub fixed_query: &'static [(&'static str, &'static str)],
    /// Privileges required to call it.
    pub privileges: &'static [&'static str],
    /// The parameter or body property naming the object privileges apply to.
    pub privilege_scope: Option<&'static str>,
    /// Accepted security schemes (any one of them).
    pub security: &'static [&'static str],
    /// How its bodies travel.
    pub wire: WireForm,
    /// Where it takes a `Client-Token` (an idempotency key), if it does: a
    /// call the client retries carries the same token on every attempt.
    pub client_token: Option<ClientTokenField>,
}

/// Where an operation takes its `Client-Token`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientTokenField {
    /// A header (`Client-Token`), in the `/api` form.
    Header(&'static str),
    /// A named argument of the legacy `/rest` body (`client_token`).
    Argument(&'static str),
}

/// How a call authenticates: what a client sends, what a server received.
/// Secrets are [`SecretString`]s, so `Debug` never shows them. (Named `Auth`,
/// not `Credentials`, to stay apart from the guest operations' `Credentials`
/// type of the API itself.)
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Auth {
    /// No credentials.
    #[default]
    None,
    /// A session id from `POST /api/session`, sent as `vmware-api-session-id`.
    SessionId(SecretString),
    /// HTTP basic authentication.
    Basic {
        /// The user name.
        user: String,
        /// The password.
        password: SecretString,
    },
    /// An `Authorization: Bearer` token.
    Bearer(SecretString),
}

/// The identifier of a task started by an operation (resource type
/// `com.vmware.cis.task`); read its result with `GET /api/cis/tasks/{task}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct TaskId(pub String);

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A response that is not what the spec documents (or no response at all):
/// what was received is kept for diagnosis.
#[derive(Clone, PartialEq, Eq)]
pub struct Unexpected {
    /// The HTTP status, if a response arrived.
    pub status: Option<u16>,
    /// The response headers.
    pub headers: Vec<(String, String)>,
    /// The raw response body.
    pub body: Vec<u8>,
    /// What went wrong.
    pub message: String,
}

impl Unexpected {
    /// A failure before any response arrived (connection, timeout, ...).
    pub fn transport(message: impl Into<String>) -> Self {
        Unexpected {
            status: None,
            headers: Vec::new(),
            body: Vec::new(),
            message: message.into(),
        }
    }
}

/// Headers that may carry credentials; their values are never printed.
const SENSITIVE_HEADERS: &[&str] = &[
    "authorization",
    "cookie",
    "set-cookie",
    "vmware-api-session-id",
    "proxy-authorization",
];

impl fmt::Debug for Unexpected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                let sensitive = SENSITIVE_HEADERS.contains(&name.to_ascii_lowercase().as_str());
                (
                    name.as_str(),
                    if sensitive { "***" } else { value.as_str() },
                )
            })
            .collect();
        f.debug_struct("Unexpected")
            .field("status", &self.status)
            .field("headers", &headers)
            .field("body", &String::from_utf8_lossy(&self.body))
            .field("message", &self.message)
            .finish()
    }
}

impl fmt::Display for Unexpected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(f, "unexpected response (HTTP {status}): {}", self.message),
            None => write!(f, "request failed: {}", self.message),
        }
    }
}

// ---------------------------------------------------------------------------
// Operations: the traits generated code implements, once per operation.

/// One operation as a type: what the client and the server are generic over.
/// Generated code implements it on each operation module's `Endpoint`.
pub trait Operation {
    /// The arguments of a call.
    type Request;
    /// What a successful call returns.
    type Response;
    /// The operation's closed set of errors.
    type Error: OperationError;
    /// Where the operation lives and what it needs.
    const INFO: OperationInfo;
    /// Whether a success body is a secret (a session id): it is then never
    /// kept in an error when it fails to decode.
    const RETURNS_SECRET: bool = false;

    /// Puts the request's parameters and body where they travel.
    fn encode_request(request: &Self::Request, outgoing: &mut Outgoing);

    /// Decodes a success response; `None` when `status` is not a documented success.
    fn decode_response(status: u16, body: &[u8]) -> Option<Result<Self::Response, String>>;

    /// The status and JSON body (if any) a success is sent with.
    fn encode_response(response: &Self::Response) -> (u16, Option<Value>);
}

/// One documented error of an operation: how it is recognised and sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorCase {
    /// The variant's name, shown when the error has no `error_type`.
    pub name: &'static str,
    /// The `error_type` that selects it, when the spec says.
    pub error_type: Option<&'static str>,
    /// The HTTP status it is sent with.
    pub status: u16,
}

impl ErrorCase {
    /// A row of an operation's error table.
    pub const fn new(name: &'static str, error_type: Option<&'static str>, status: u16) -> Self {
        ErrorCase {
            name,
            error_type,
            status,
        }
    }
}

/// What an operation error holds, seen without its variant names.
pub enum ErrorView<'a, O> {
    /// A documented error: the name of its case in [`OperationError::CASES`].
    Documented(&'static str, &'a dyn ToJson),
    /// A vapi error the spec does not document for the operation, with its status.
    Other(u16, &'a O),
    /// A response that was not a vapi error at all.
    Unexpected(&'a Unexpected),
}

/// An operation's `Error` enum: its documented cases as a table, so decoding,
/// encoding, status and display are written once, here.
pub trait OperationError: Sized + 'static {
    /// The type that holds any vapi error (`Other`).
    type Other: Serialize + DeserializeOwned;
    /// The vAPI error type as the crate has it: its `ErrorType` enumeration
    /// (so callers can compare with `ErrorType::AlreadyExists`), or `String`
    /// for a spec without one. Read with `FromStr`, which never fails (an
    /// unknown type is the enumeration's `Unknown`).
    type ErrorType: std::str::FromStr<Err = std::convert::Infallible> + fmt::Display;
    /// A message as the crate has it: its `LocalizableMessage`, or JSON.
    type Message: DeserializeOwned;
    /// How the operation's errors travel.
    const WIRE: WireForm;
    /// The documented errors, in variant order.
    const CASES: &'static [ErrorCase];
    /// Reads the body of the documented error named `case` (with its
    /// `error_type` filled in) into its variant.
    fn decode_case(case: &str, value: Value) -> Result<Self, String>;
    /// A vapi error the spec does not document for the operation.
    fn other(status: u16, error: Self::Other) -> Self;
    /// A response that is not a documented success or a vapi error.
    fn unexpected(unexpected: Unexpected) -> Self;
    /// The error, as its case and value.
    fn view(&self) -> ErrorView<'_, Self::Other>;

    /// Decodes an error response: by the body's `error_type`, falling back to
    /// the status only when that is missing (older servers) and unambiguous.
    fn decode(status: u16, headers: Vec<(String, String)>, body: Vec<u8>) -> Self {
        decode_error(status, headers, body)
    }

    /// The JSON body the error is sent with (see [`error_status`] for the status).
    fn encode(&self) -> Value {
        encode_operation_error(self)
    }

    /// An error of `error_type` with one message, as a server answers it: the
    /// documented variant for that type, else `Other` with the status the
    /// vAPI REST mapping gives the type (`Error::with_message(ErrorType::AlreadyExists,
    /// "com.example.exists", "The library already exists")`).
    fn with_message(error_type: Self::ErrorType, id: &str, message: impl Into<String>) -> Self {
        let error_type = error_type.to_string();
        let status = Self::CASES
            .iter()
            .find(|case| case.error_type == Some(error_type.as_str()))
            .map_or_else(|| error_type_status(&error_type), |case| case.status);
        let body = serde_json::json!({
            "error_type": error_type,
            "messages": [{ "id": id, "default_message": message.into(), "args": [] }],
        });
        decode_error(status, Vec::new(), body.to_string().into_bytes())
    }

    /// The vAPI error type, whichever variant holds it (a documented error,
    /// `Other`); `None` for an [`Unexpected`] response. Lets code handle
    /// "any ALREADY_EXISTS" across operations.
    fn error_type(&self) -> Option<Self::ErrorType> {
        error_type_name(self).and_then(|name| name.parse().ok())
    }

    /// The error's messages (none for an [`Unexpected`] response).
    fn messages(&self) -> Vec<Self::Message> {
        error_field(self, "messages")
            .and_then(|messages| serde_json::from_value(messages).ok())
            .unwrap_or_default()
    }

    /// The error's `data` as JSON, when it has some (the typed value is in
    /// the documented variant).
    fn data(&self) -> Option<Value> {
        error_field(self, "data").filter(|data| !data.is_null())
    }
}

/// The `error_type` of an operation error: its documented case's, else the
/// one its body carried.
pub fn error_type_name<E: OperationError>(error: &E) -> Option<String> {
    if let ErrorView::Documented(case, _) = error.view()
        && let Some(error_type) = find_case::<E>(case).and_then(|case| case.error_type)
    {
        return Some(error_type.to_owned());
    }
    error_field(error, "error_type").and_then(|value| value.as_str().map(str::to_owned))
}

/// One field of an operation error's JSON (`/api` form). Errors are rare and
/// small, so reading them through JSON keeps this the same for every
/// operation and every spec.
fn error_field<E: OperationError>(error: &E, field: &str) -> Option<Value> {
    let mut json = match error.view() {
        ErrorView::Documented(_, value) => value.to_json(WireForm::Api),
        ErrorView::Other(_, value) => to_json(value, WireForm::Api),
        ErrorView::Unexpected(_) => return None,
    };
    json.as_object_mut()?.remove(field)
}

/// An error the server itself raises (not one the operation's code chose):
/// a vapi error of `error_type` with one message, held in `Other`.
pub fn server_error<E: OperationError>(
    status: u16,
    error_type: &str,
    id: &str,
    message: &str,
) -> E {
    let error = serde_json::json!({
        "error_type": error_type,
        "messages": [{ "id": id, "default_message": message, "args": [] }],
    });
    match from_error_value(error) {
        Ok(other) => E::other(status, other),
        // A spec whose error type cannot hold this: still an answer with the status.
        Err(_) => E::unexpected(Unexpected {
            status: Some(status),
            headers: Vec::new(),
            body: Vec::new(),
            message: format!("{error_type}: {message}"),
        }),
    }
}

/// A value that can be written as JSON for a wire form; lets an error's
/// payload be handled without knowing its type.
pub trait ToJson {
    /// The value as JSON in `wire`'s form.
    fn to_json(&self, wire: WireForm) -> Value;
}

impl<T: Serialize> ToJson for T {
    fn to_json(&self, wire: WireForm) -> Value {
        to_json(self, wire)
    }
}

/// The HTTP status an operation error is (or was) sent with.
pub fn error_status<E: OperationError>(error: &E) -> u16 {
    match error.view() {
        ErrorView::Documented(case, _) => find_case::<E>(case).map_or(500, |case| case.status),
        ErrorView::Other(status, _) => status,
        ErrorView::Unexpected(unexpected) => unexpected.status.unwrap_or(500),
    }
}

/// The documented error case named `name`.
fn find_case<E: OperationError>(name: &str) -> Option<&'static ErrorCase> {
    E::CASES.iter().find(|case| case.name == name)
}

/// Decodes an error response: by the body's `error_type`, falling back to the
/// status only when that is missing (older servers) and unambiguous.
///
/// A tolerant reader: either wire form is read whatever the operation's own
/// (vcsim answers `/api` calls with the legacy `{"type", "value"}` form),
/// missing or `null` standard fields are empty, and a bodyless error status
/// that names one vAPI error (401, 403, 404, 409, 500, 503, 504) is that error.
/// Only a body that is not a vapi error at all is [`Unexpected`].
pub fn decode_error<E: OperationError>(
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
) -> E {
    let unexpected = |headers, body, message: String| {
        E::unexpected(Unexpected {
            status: Some(status),
            headers,
            body,
            message,
        })
    };
    let split = if body.iter().all(u8::is_ascii_whitespace) {
        status_error_type(status).map(|error_type| {
            (
                Some(error_type.to_owned()),
                Value::Object(Default::default()),
            )
        })
    } else {
        split_error_body(&body, E::WIRE)
    };
    let Some((error_type, mut value)) = split else {
        return unexpected(headers, body, "the body is not a vapi error".into());
    };
    if let (Some(error_type), Some(object)) = (&error_type, value.as_object_mut()) {
        // The legacy form carries the type outside the fields: put it in, so
        // both forms read alike.
        object
            .entry("error_type")
            .or_insert_with(|| Value::String(error_type.clone()));
        fill_standard_fields(object);
    }
    let by_type = error_type.as_deref().and_then(|error_type| {
        E::CASES
            .iter()
            .find(|case| case.error_type == Some(error_type))
    });
    // The status alone identifies a case when it is the only one documented
    // for that status: for bodies without an `error_type` (older servers),
    // and for cases the spec does not discriminate.
    let by_status = || {
        let mut at_status = E::CASES.iter().filter(|case| case.status == status);
        match (at_status.next(), at_status.next()) {
            (Some(only), None) if only.error_type.is_none() || error_type.is_none() => Some(only),
            _ => None,
        }
    };
    let case = by_type.or_else(by_status);
    match case {
        Some(case) => E::decode_case(case.name, value),
        None => from_error_value(value).map(|error| E::other(status, error)),
    }
    .unwrap_or_else(|message| unexpected(headers, body, message))
}

/// The one vAPI error an HTTP status stands for in the vAPI REST mapping,
/// for error responses without a body. (400 stands for many.)
pub fn status_error_type(status: u16) -> Option<&'static str> {
    Some(match status {
        401 => "UNAUTHENTICATED",
        403 => "UNAUTHORIZED",
        404 => "NOT_FOUND",
        409 => "CONCURRENT_CHANGE",
        500 => "INTERNAL_SERVER_ERROR",
        503 => "SERVICE_UNAVAILABLE",
        504 => "TIMED_OUT",
        _ => return None,
    })
}

/// The HTTP status of a vAPI error type in the vAPI REST mapping (500 for
/// types it does not list).
pub fn error_type_status(error_type: &str) -> u16 {
    match error_type {
        "ALREADY_EXISTS"
        | "ALREADY_IN_DESIRED_STATE"
        | "FEATURE_IN_USE"
        | "INVALID_ARGUMENT"
        | "INVALID_ELEMENT_CONFIGURATION"
        | "INVALID_ELEMENT_TYPE"
        | "INVALID_REQUEST"
        | "NOT_ALLOWED_IN_CURRENT_STATE"
        | "RESOURCE_BUSY"
        | "RESOURCE_IN_USE"
        | "RESOURCE_INACCESSIBLE"
        | "UNABLE_TO_ALLOCATE_RESOURCE"
        | "UNSUPPORTED" => 400,
        "UNAUTHENTICATED" => 401,
        "UNAUTHORIZED" => 403,
        "NOT_FOUND" | "OPERATION_NOT_FOUND" => 404,
        "CONCURRENT_CHANGE" => 409,
        "SERVICE_UNAVAILABLE" => 503,
        "TIMED_OUT" => 504,
        _ => 500,
    }
}

/// Gives a vapi error the standard fields it may lack: `messages` (missing or
/// `null` from vcsim and older servers) and each message's `args`.
fn fill_standard_fields(error: &mut serde_json::Map<String, Value>) {
    let messages = error
        .entry("messages")
        .or_insert_with(|| Value::Array(Vec::new()));
    if messages.is_null() {
        *messages = Value::Array(Vec::new());
    }
    for message in messages.as_array_mut().into_iter().flatten() {
        if let Some(message) = message.as_object_mut() {
            for field in ["id", "default_message"] {
                message
                    .entry(field)
                    .or_insert_with(|| Value::String(String::new()));
            }
            let args = message
                .entry("args")
                .or_insert_with(|| Value::Array(Vec::new()));
            if args.is_null() {
                *args = Value::Array(Vec::new());
            }
        }
    }
}

/// The answer of [`OperationError::decode_case`] for a case it does not have.
pub fn no_such_case<T>(case: &str) -> Result<T, String> {
    Err(format!("no documented error case `{case}`"))
}

/// Reads an error's fields into its type.
pub fn from_error_value<T: DeserializeOwned>(value: Value) -> Result<T, String> {
    serde_json::from_value(value)
        .map_err(|error| format!("the error body does not match its schema: {error}"))
}

/// The JSON body an operation error is sent with (see [`error_status`] for the status).
pub fn encode_operation_error<E: OperationError>(error: &E) -> Value {
    match error.view() {
        ErrorView::Documented(case, value) => {
            let error_type = find_case::<E>(case).and_then(|case| case.error_type);
            encode_error(error_type, value.to_json(E::WIRE), E::WIRE)
        }
        ErrorView::Other(_, value) => encode_error(None, to_json(value, E::WIRE), E::WIRE),
        ErrorView::Unexpected(unexpected) => internal_error(&unexpected.message, E::WIRE),
    }
}

/// Writes an operation error for people: its `error_type` (or variant), status
/// and first message.
pub fn fmt_operation_error<E: OperationError>(
    error: &E,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    let status = error_status(error);
    match error.view() {
        ErrorView::Documented(case, value) => {
            let label =
                find_case::<E>(case).map_or(case, |case| case.error_type.unwrap_or(case.name));
            let json = value.to_json(WireForm::Api);
            let message = first_message(&json);
            write!(f, "{label} (HTTP {status}): {message}")
        }
        ErrorView::Other(status, value) => {
            let json = to_json(value, WireForm::Api);
            let message = first_message(&json);
            let label = json
                .get("error_type")
                .and_then(Value::as_str)
                .unwrap_or("vapi error");
            write!(f, "{label} (HTTP {status}): {message}")
        }
        ErrorView::Unexpected(unexpected) => fmt::Display::fmt(unexpected, f),
    }
}

/// The first message of an error, for display.
fn first_message(error: &Value) -> &str {
    error
        .pointer("/messages/0/default_message")
        .and_then(Value::as_str)
        .unwrap_or("(no message)")
}

/// The prefix of legacy `/rest` error type names.
const LEGACY_ERROR_PREFIX: &str = "com.vmware.vapi.std.errors.";

/// An error body split into its `error_type` and its fields, from either
/// wire form: `{"error_type": ..., ...}` or `{"type": "com.vmware.vapi.std.errors.x", "value": {...}}`.
/// Both are read whatever the operation's form (`wire` says which is tried
/// first); an object in neither form is returned whole, without a type.
pub fn split_error_body(body: &[u8], wire: WireForm) -> Option<(Option<String>, Value)> {
    let Value::Object(mut object) = serde_json::from_slice(body).ok()? else {
        return None;
    };
    let api_type = object
        .get("error_type")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let legacy_type = object.get("type").and_then(Value::as_str).map(|name| {
        name.strip_prefix(LEGACY_ERROR_PREFIX)
            .unwrap_or(name)
            .to_ascii_uppercase()
    });
    if legacy_type.is_some() && (api_type.is_none() || wire == WireForm::LegacyRest) {
        let fields = match object.remove("value") {
            Some(Value::Object(fields)) => fields,
            // vcsim sends no value, or `null`, for an error without fields.
            None | Some(Value::Null) => serde_json::Map::new(),
            // `{"type", "value": "text"}` is no vapi error.
            Some(_) => return None,
        };
        return Some((legacy_type, Value::Object(fields)));
    }
    match (wire, api_type) {
        (WireForm::Api, error_type) | (WireForm::LegacyRest, error_type @ Some(_)) => {
            Some((error_type, Value::Object(object)))
        }
        // A legacy error without a type: its envelope's value, if it has one.
        (WireForm::LegacyRest, None) => match object.remove("value") {
            Some(Value::Object(fields)) => Some((None, Value::Object(fields))),
            _ => None,
        },
    }
}

/// The body of an internal server error.
pub fn internal_error(message: &str, wire: WireForm) -> Value {
    let error = serde_json::json!({
        "messages": [{
            "id": "vapi.server.internal_error",
            "default_message": format!("Internal server error: {message}"),
            "args": [message],
        }],
    });
    encode_error(Some("INTERNAL_SERVER_ERROR"), error, wire)
}

/// An error's JSON as it goes on the wire: with its `error_type` set, or in
/// the legacy `{type, value}` envelope. Without an `error_type` argument, the
/// error's own (or `ERROR`) is used.
pub fn encode_error(error_type: Option<&str>, mut value: Value, wire: WireForm) -> Value {
    let error_type = error_type
        .map(str::to_owned)
        .or_else(|| {
            value
                .get("error_type")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "ERROR".to_owned());
    match wire {
        WireForm::LegacyRest => {
            if let Some(object) = value.as_object_mut() {
                object.remove("error_type");
            }
            serde_json::json!({
                "type": format!("{LEGACY_ERROR_PREFIX}{}", error_type.to_ascii_lowercase()),
                "value": value,
            })
        }
        WireForm::Api => {
            if let Some(object) = value.as_object_mut() {
                object.insert("error_type".into(), Value::String(error_type));
            }
            value
        }
    }
}

/// Decodes the body of a documented success with `success_status`; `None`
/// for any other status.
pub fn decode_success<T: DeserializeOwned>(
    status: u16,
    success_status: u16,
    body: &[u8],
    wire: WireForm,
) -> Option<Result<T, String>> {
    (status == success_status).then(|| success_body(body, wire))
}

/// A success body from the wire (legacy: unwrapped from `{"value": ...}`).
pub fn success_body<T: DeserializeOwned>(body: &[u8], wire: WireForm) -> Result<T, String> {
    match wire {
        WireForm::LegacyRest => {
            #[derive(serde::Deserialize)]
            struct Envelope<T> {
                value: T,
            }
            serde_json::from_slice::<Envelope<T>>(body)
                .map(|envelope| envelope.value)
                .map_err(|error| error.to_string())
        }
        WireForm::Api => serde_json::from_slice(body).map_err(|error| error.to_string()),
    }
}

/// A success body as it goes on the wire (legacy: wrapped in `{"value": ...}`).
pub fn encode_success<T: Serialize>(value: &T, wire: WireForm) -> Value {
    let value = to_json(value, wire);
    match wire {
        WireForm::LegacyRest => serde_json::json!({ "value": value }),
        WireForm::Api => value,
    }
}

// ---------------------------------------------------------------------------
// Requests as a client sends them.

/// A request before it becomes HTTP: what [`Operation::encode_request`] fills in.
pub struct Outgoing {
    wire: WireForm,
    /// Path parameters by name, as text.
    pub path: Vec<(&'static str, String)>,
    /// Query pairs (lists repeat their name), after the fixed query.
    pub query: Vec<(&'static str, String)>,
    /// Headers and cookies: `(name, value, is_cookie)`.
    pub headers: Vec<(&'static str, String, bool)>,
    /// The JSON body, if any.
    pub body: Option<Value>,
}

impl Outgoing {
    /// An empty request of an operation with the given wire form.
    pub fn new(wire: WireForm) -> Self {
        Outgoing {
            wire,
            path: Vec::new(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// A path parameter.
    pub fn path<T: Serialize>(&mut self, name: &'static str, value: &T) {
        self.path.push((name, parameter_text(value)));
    }

    /// A query parameter: unset ones are left out, lists repeat the name.
    pub fn query<T: Serialize>(&mut self, name: &'static str, value: &T) {
        match to_json(value, WireForm::Api) {
            Value::Null => {}
            Value::Array(values) => self
                .query
                .extend(values.iter().map(|value| (name, value_text(value)))),
            value => self.query.push((name, value_text(&value))),
        }
    }

    /// A header (or, with `cookie`, a cookie); unset ones are left out.
    pub fn header<T: Serialize>(&mut self, name: &'static str, value: &T, cookie: bool) {
        match to_json(value, WireForm::Api) {
            Value::Null => {}
            value => self.headers.push((name, value_text(&value), cookie)),
        }
    }

    /// The request body; an unset optional body sends none.
    pub fn body<T: Serialize>(&mut self, value: &T) {
        match to_json(value, self.wire) {
            Value::Null => {}
            value => self.body = Some(value),
        }
    }

    /// One named argument of a legacy `/rest` envelope; unset ones are left out.
    pub fn argument<T: Serialize>(&mut self, name: &'static str, value: &T) {
        let value = to_json(value, self.wire);
        let envelope = self
            .body
            .get_or_insert_with(|| Value::Object(serde_json::Map::new()));
        if let (false, Value::Object(envelope)) = (value.is_null(), envelope) {
            envelope.insert(name.to_owned(), value);
        }
    }
}

/// A parameter value as text for a path, query or header: strings as they
/// are, anything else as its JSON text.
pub fn parameter_text<T: Serialize>(value: &T) -> String {
    value_text(&to_json(value, WireForm::Api))
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

// ---------------------------------------------------------------------------
// JSON and maps in both wire forms.

thread_local! {
    /// Set while serializing for the legacy wire form: serde gives a
    /// `serialize_with` function no other way to know the form it writes.
    static LEGACY_MAPS: Cell<bool> = const { Cell::new(false) };
}

/// Serializes `value` to JSON; for the legacy form, maps become key/value lists.
pub fn to_json<T: Serialize + ?Sized>(value: &T, wire: WireForm) -> Value {
    let previous = LEGACY_MAPS.with(|flag| flag.replace(wire == WireForm::LegacyRest));
    let result = serde_json::to_value(value);
    LEGACY_MAPS.with(|flag| flag.set(previous));
    // Generated types serialize to JSON without fail: string keys, no non-finite
    // floats from the wire; anything else is reported as null rather than a panic.
    result.unwrap_or(Value::Null)
}

/// Writes a map as a JSON object, or as a key/value list inside [`to_json`] for the legacy form.
pub fn serialize_map<S, V>(map: &BTreeMap<String, V>, serializer: S) -> Result<S::Ok, S::Error>
where
    S: Serializer,
    V: Serialize,
{
    if LEGACY_MAPS.with(Cell::get) {
        let mut list = serializer.serialize_seq(Some(map.len()))?;
        for (key, value) in map {
            list.serialize_element(&Entry { key, value })?;
        }
        list.end()
    } else {
        map.serialize(serializer)
    }
}

/// [`serialize_map`] for an optional property.
pub fn serialize_optional_map<S, V>(
    map: &Option<BTreeMap<String, V>>,
    serializer: S,
) -> Result<S::Ok, S::Error>
where
    S: Serializer,
    V: Serialize,
{
    match map {
        Some(map) => serialize_map(map, serializer),
        None => serializer.serialize_none(),
    }
}

/// Reads a map from either vAPI wire form: a JSON object (the `/api` form) or a
/// list of `{"key": k, "value": v}` entries (the legacy `/rest` form).
pub fn deserialize_map<'de, D, V>(deserializer: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
{
    deserializer.deserialize_any(MapVisitor(PhantomData))
}

/// [`deserialize_map`] for an optional property (`null` reads as absent).
pub fn deserialize_optional_map<'de, D, V>(
    deserializer: D,
) -> Result<Option<BTreeMap<String, V>>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
{
    deserializer.deserialize_any(OptionalMapVisitor(PhantomData))
}

/// One entry of a legacy key/value list.
#[derive(serde::Serialize, serde::Deserialize)]
struct Entry<K, V> {
    key: K,
    value: V,
}

struct MapVisitor<V>(PhantomData<V>);

impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
    type Value = BTreeMap<String, V>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object or a list of {\"key\", \"value\"} entries")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut map = BTreeMap::new();
        while let Some((key, value)) = access.next_entry::<String, V>()? {
            map.insert(key, value);
        }
        Ok(map)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut map = BTreeMap::new();
        while let Some(entry) = access.next_element::<Entry<String, V>>()? {
            map.insert(entry.key, entry.value);
        }
        Ok(map)
    }
}

struct OptionalMapVisitor<V>(PhantomData<V>);

impl<'de, V: Deserialize<'de>> Visitor<'de> for OptionalMapVisitor<V> {
    type Value = Option<BTreeMap<String, V>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        MapVisitor::<V>(PhantomData).expecting(f)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, access: A) -> Result<Self::Value, A::Error> {
        MapVisitor(PhantomData).visit_map(access).map(Some)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, access: A) -> Result<Self::Value, A::Error> {
        MapVisitor(PhantomData).visit_seq(access).map(Some)
    }
}

// ---------------------------------------------------------------------------
// Open enumerations.

/// The impls of an open enumeration (a string enum whose unknown values are
/// kept in a catch-all variant and written back unchanged): `as_str`,
/// `FromStr`, `Display`, serde, and (feature `server`) validation that rejects
/// values this version does not know. There is no `From<&str>`: a string
/// would silently become the catch-all variant where a known value was meant.
///
/// `open_enum!(Name, Unknown, Variant = "WIRE", ...)`.
// A spec without enumerations does not use it.
#[allow(unused_macros)]
macro_rules! open_enum {
    ($name:ident, $unknown:ident $(, $variant:ident = $wire:literal)* $(,)?) => {
        impl $name {
            /// The values this version knows, as they travel on the wire.
            pub const KNOWN_VALUES: &'static [&'static str] = &[$($wire),*];

            /// The value as it travels on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::$unknown(value) => value,
                }
            }
        }

        /// Any string: a value this version does not know becomes `Unknown`
        /// (what a server sends is read, never refused). To send such a value
        /// on purpose, write the `Unknown` variant.
        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(match value {
                    $($wire => Self::$variant,)*
                    other => Self::$unknown(other.to_owned()),
                })
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(match value.as_str() {
                    $($wire => Self::$variant,)*
                    _ => Self::$unknown(value),
                })
            }
        }

        #[cfg(feature = "server")]
        impl crate::runtime::server::Validate for $name {
            fn validate(&self, at: crate::runtime::server::At<'_>, violations: &mut crate::runtime::server::Violations) {
                if let Self::$unknown(value) = self {
                    violations.unknown_value(at, value, Self::KNOWN_VALUES);
                }
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use open_enum;

/// The impls of an operation's `Error` enum (declared with its docs by the
/// generated code): `status()`, `error_type()`, `messages()`, `data()`,
/// [`OperationError`] from a table of its documented cases, `Display` and
/// `std::error::Error`.
///
/// `operation_error!(Error, OtherType, Api, ErrorTypeType, MessageType, [Variant(error_type, status), ...]);`
#[allow(unused_macros)]
macro_rules! operation_error {
    ($error:ident, $other:ty, $wire:ident, $error_type_ty:ty, $message:ty, [$($variant:ident($error_type:expr, $status:literal)),* $(,)?]) => {
        impl $error {
            /// The HTTP status the error is (or was) sent with.
            pub fn status(&self) -> u16 {
                crate::runtime::wire::error_status(self)
            }

            /// The vAPI error type, whichever variant holds it (`None` for an
            /// `Unexpected` response): `error.error_type() == Some(ErrorType::AlreadyExists)`.
            pub fn error_type(&self) -> ::std::option::Option<$error_type_ty> {
                crate::runtime::wire::OperationError::error_type(self)
            }

            /// The error's messages (none for an `Unexpected` response).
            pub fn messages(&self) -> ::std::vec::Vec<$message> {
                crate::runtime::wire::OperationError::messages(self)
            }

            /// The error's `data` as JSON, if any (the documented variant holds it typed).
            pub fn data(&self) -> ::std::option::Option<::serde_json::Value> {
                crate::runtime::wire::OperationError::data(self)
            }

            /// An error of `error_type` with one message: the documented variant
            /// for that type, else `Other` with the status vAPI gives the type.
            pub fn with_message(
                error_type: $error_type_ty,
                id: &str,
                message: impl ::std::convert::Into<::std::string::String>,
            ) -> Self {
                crate::runtime::wire::OperationError::with_message(error_type, id, message)
            }
        }

        impl crate::runtime::wire::OperationError for $error {
            type Other = $other;
            type ErrorType = $error_type_ty;
            type Message = $message;
            const WIRE: crate::runtime::wire::WireForm = crate::runtime::wire::WireForm::$wire;
            const CASES: &'static [crate::runtime::wire::ErrorCase] = &[
                $(crate::runtime::wire::ErrorCase::new(stringify!($variant), $error_type, $status),)*
            ];

            fn decode_case(case: &str, value: ::serde_json::Value) -> ::std::result::Result<Self, ::std::string::String> {
                match case {
                    $(stringify!($variant) => crate::runtime::wire::from_error_value(value).map(Self::$variant),)*
                    _ => {
                        // Also what an operation without documented errors does.
                        drop(value);
                        crate::runtime::wire::no_such_case(case)
                    }
                }
            }

            fn other(status: u16, error: $other) -> Self {
                Self::Other { status, error }
            }

            fn unexpected(unexpected: crate::runtime::wire::Unexpected) -> Self {
                Self::Unexpected(unexpected)
            }

            fn view(&self) -> crate::runtime::wire::ErrorView<'_, $other> {
                match self {
                    $(Self::$variant(error) => crate::runtime::wire::ErrorView::Documented(stringify!($variant), error),)*
                    Self::Other { status, error } => crate::runtime::wire::ErrorView::Other(*status, error),
                    Self::Unexpected(unexpected) => crate::runtime::wire::ErrorView::Unexpected(unexpected),
                }
            }
        }

        impl ::std::fmt::Display for $error {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                crate::runtime::wire::fmt_operation_error(self, f)
            }
        }

        impl ::std::error::Error for $error {}
    };
}
// A spec without operations does not use it.
#[allow(unused_imports)]
pub(crate) use operation_error;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq)]
    enum Colour {
        Red,
        Unknown(String),
    }
    open_enum!(Colour, Unknown, Red = "RED");

    #[test]
    fn open_enums_keep_unknown_values() {
        assert_eq!(
            serde_json::from_str::<Colour>("\"RED\"").unwrap(),
            Colour::Red
        );
        let blue: Colour = serde_json::from_str("\"BLUE\"").unwrap();
        assert_eq!(blue, Colour::Unknown("BLUE".into()));
        assert_eq!(serde_json::to_string(&blue).unwrap(), "\"BLUE\"");
        assert_eq!(Colour::KNOWN_VALUES, ["RED"]);
        assert_eq!("RED".parse::<Colour>(), Ok(Colour::Red));
        assert_eq!("BLUE".parse::<Colour>(), Ok(blue));
    }

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Holder {
        #[serde(deserialize_with = "deserialize_map", serialize_with = "serialize_map")]
        map: BTreeMap<String, i64>,
    }

    #[test]
    fn maps_read_both_forms_and_write_the_asked_one() {
        let from_object: Holder = serde_json::from_str(r#"{"map": {"a": 1}}"#).unwrap();
        let from_list: Holder =
            serde_json::from_str(r#"{"map": [{"key": "a", "value": 1}]}"#).unwrap();
        assert_eq!(from_object, from_list);
        assert_eq!(
            to_json(&from_object, WireForm::Api),
            serde_json::json!({"map": {"a": 1}})
        );
        assert_eq!(
            to_json(&from_object, WireForm::LegacyRest),
            serde_json::json!({"map": [{"key": "a", "value": 1}]})
        );
        // The legacy switch does not leak into later serializations.
        assert_eq!(
            to_json(&from_object, WireForm::Api),
            serde_json::json!({"map": {"a": 1}})
        );
    }

    #[test]
    fn errors_encode_in_both_forms() {
        let error = serde_json::json!({"messages": [], "error_type": "NOT_FOUND"});
        assert_eq!(
            encode_error(None, error.clone(), WireForm::Api)["error_type"],
            "NOT_FOUND"
        );
        let legacy = encode_error(Some("NOT_FOUND"), error, WireForm::LegacyRest);
        assert_eq!(legacy["type"], "com.vmware.vapi.std.errors.not_found");
        assert!(legacy["value"].get("error_type").is_none());
        let (error_type, value) =
            split_error_body(legacy.to_string().as_bytes(), WireForm::LegacyRest).unwrap();
        assert_eq!(error_type.as_deref(), Some("NOT_FOUND"));
        assert_eq!(value, serde_json::json!({"messages": []}));
    }

    #[test]
    fn outgoing_leaves_out_unset_values_and_repeats_lists() {
        let mut outgoing = Outgoing::new(WireForm::Api);
        outgoing.query("a", &None::<String>);
        outgoing.query("b", &vec!["x", "y"]);
        outgoing.query("c", &3);
        outgoing.header("h", &Some("v"), false);
        outgoing.header("g", &None::<String>, false);
        assert_eq!(
            outgoing.query,
            [
                ("b", "x".to_owned()),
                ("b", "y".to_owned()),
                ("c", "3".to_owned())
            ]
        );
        assert_eq!(outgoing.headers, [("h", "v".to_owned(), false)]);
        let mut legacy = Outgoing::new(WireForm::LegacyRest);
        legacy.argument("spec", &BTreeMap::from([("k".to_owned(), 1)]));
        legacy.argument("unset", &None::<i64>);
        assert_eq!(legacy.body, Some(serde_json::json!({"spec": {"k": 1}})));
    }
}

#[cfg(test)]
mod operation_tests {
    //! A hand-written operation, shaped as generated code shapes one.
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Problem {
        messages: Vec<Value>,
        #[serde(default)]
        error_type: Option<String>,
    }

    #[derive(Debug, PartialEq)]
    enum Failure {
        NotFound(Problem),
        Busy(Problem),
        Invalid(Problem),
        Exists(Problem),
        Other { status: u16, error: Value },
        Unexpected(Unexpected),
    }

    operation_error!(
        Failure,
        Value,
        Api,
        String,
        Value,
        [
            NotFound(Some("NOT_FOUND"), 404),
            Busy(None, 500),
            Invalid(Some("INVALID_ARGUMENT"), 400),
            Exists(Some("ALREADY_EXISTS"), 400)
        ]
    );

    fn decode(status: u16, body: &str) -> Failure {
        decode_error(status, Vec::new(), body.as_bytes().to_vec())
    }

    #[test]
    fn by_error_type_before_status() {
        // NOT_FOUND at an undocumented status is still NotFound.
        let error = decode(400, r#"{"error_type": "NOT_FOUND", "messages": []}"#);
        assert!(matches!(error, Failure::NotFound(_)), "{error:?}");
        assert_eq!(error_status(&error), 404);
    }

    #[test]
    fn by_status_when_the_type_is_missing_or_undiscriminated() {
        assert!(matches!(
            decode(404, r#"{"messages": []}"#),
            Failure::NotFound(_)
        ));
        assert!(matches!(
            decode(500, r#"{"error_type": "X", "messages": []}"#),
            Failure::Busy(_)
        ));
        // Two cases share 400: without an `error_type` neither is guessed.
        let shared = decode(400, r#"{"messages": []}"#);
        assert!(
            matches!(shared, Failure::Other { status: 400, .. }),
            "{shared:?}"
        );
        assert!(matches!(
            decode(400, r#"{"error_type": "ALREADY_EXISTS", "messages": []}"#),
            Failure::Exists(_)
        ));
        let other = decode(409, r#"{"error_type": "X", "messages": []}"#);
        assert!(
            matches!(other, Failure::Other { status: 409, .. }),
            "{other:?}"
        );
    }

    #[test]
    fn bodies_that_are_not_vapi_errors_are_unexpected_and_kept() {
        let Failure::Unexpected(unexpected) = decode(502, "<html>") else {
            panic!("not unexpected");
        };
        assert_eq!(unexpected.body, b"<html>");
        assert_eq!(unexpected.status, Some(502));
    }

    #[test]
    fn encode_and_display_use_the_table() {
        let error = Failure::NotFound(Problem {
            messages: vec![serde_json::json!({"default_message": "gone"})],
            error_type: None,
        });
        assert_eq!(encode_operation_error(&error)["error_type"], "NOT_FOUND");
        assert_eq!(error.to_string(), "NOT_FOUND (HTTP 404): gone");
        let busy = Failure::Busy(Problem {
            messages: vec![],
            error_type: None,
        });
        assert_eq!(busy.to_string(), "Busy (HTTP 500): (no message)");
        assert_eq!(busy.status(), 500);
    }

    #[test]
    fn vcsim_bodies_without_messages_decode_by_their_type() {
        for body in [
            r#"{"type": "com.vmware.vapi.std.errors.already_exists", "value": {}}"#,
            r#"{"type": "com.vmware.vapi.std.errors.already_exists"}"#,
            r#"{"type": "com.vmware.vapi.std.errors.already_exists", "value": null}"#,
            r#"{"error_type": "ALREADY_EXISTS"}"#,
            r#"{"error_type": "ALREADY_EXISTS", "messages": null}"#,
            r#"{"error_type": "ALREADY_EXISTS", "messages": [{"default_message": "m"}], "extra": 1}"#,
        ] {
            let error = decode(400, body);
            assert!(matches!(error, Failure::Exists(_)), "{body}: {error:?}");
            assert_eq!(error.error_type().as_deref(), Some("ALREADY_EXISTS"));
        }
    }

    #[test]
    fn bodyless_error_statuses_decode_by_the_status_mapping() {
        assert!(matches!(decode(404, ""), Failure::NotFound(_)));
        for (status, error_type) in [
            (401, "UNAUTHENTICATED"),
            (403, "UNAUTHORIZED"),
            (409, "CONCURRENT_CHANGE"),
            (503, "SERVICE_UNAVAILABLE"),
        ] {
            let error = decode(status, "  ");
            assert!(
                matches!(&error, Failure::Other { status: s, .. } if *s == status),
                "{status}: {error:?}"
            );
            assert_eq!(error.error_type().as_deref(), Some(error_type));
            assert_eq!(error.status(), status);
            assert!(error.to_string().starts_with(error_type), "{error}");
        }
        // 500 is documented here without a type: the status picks it.
        assert!(matches!(decode(500, ""), Failure::Busy(_)));
        // 400 stands for many errors, 502 for none.
        assert!(matches!(decode(400, ""), Failure::Unexpected(_)));
        assert!(matches!(decode(502, ""), Failure::Unexpected(_)));
    }

    #[test]
    fn error_type_messages_and_data_whatever_the_variant() {
        let error = decode(
            403,
            r#"{"error_type": "UNAUTHORIZED", "messages": [{"id": "a", "default_message": "no", "args": []}], "data": {"k": 1}}"#,
        );
        assert!(matches!(error, Failure::Other { status: 403, .. }));
        assert_eq!(error.error_type().as_deref(), Some("UNAUTHORIZED"));
        assert_eq!(error.messages().len(), 1);
        assert_eq!(error.data(), Some(serde_json::json!({"k": 1})));
        assert_eq!(error.to_string(), "UNAUTHORIZED (HTTP 403): no");
        let documented = decode(404, r#"{"messages": []}"#);
        assert_eq!(documented.error_type().as_deref(), Some("NOT_FOUND"));
        assert!(documented.messages().is_empty());
        let unexpected = decode(502, "<html>");
        assert_eq!(unexpected.error_type(), None);
        assert!(unexpected.messages().is_empty());
    }

    #[test]
    fn fields_present_but_of_the_wrong_shape_are_unexpected() {
        for body in [
            r#"{"error_type": "ALREADY_EXISTS", "messages": "not a list"}"#,
            r#"{"type": "com.vmware.vapi.std.errors.already_exists", "value": "text"}"#,
        ] {
            let error = decode(400, body);
            assert!(matches!(error, Failure::Unexpected(_)), "{body}: {error:?}");
        }
    }

    #[test]
    fn errors_with_one_message_are_one_call() {
        let exists = Failure::with_message("ALREADY_EXISTS".into(), "x.exists", "it is there");
        let Failure::Exists(problem) = &exists else {
            panic!("{exists:?}");
        };
        assert_eq!(problem.messages[0]["default_message"], "it is there");
        assert_eq!(exists.status(), 400);
        let busy = Failure::with_message("CONCURRENT_CHANGE".into(), "x.busy", "try again");
        assert!(
            matches!(busy, Failure::Other { status: 409, .. }),
            "{busy:?}"
        );
        assert_eq!(busy.to_string(), "CONCURRENT_CHANGE (HTTP 409): try again");
        let late = Failure::with_message("TIMED_OUT".into(), "x", "y");
        assert!(
            matches!(late, Failure::Other { status: 504, .. }),
            "{late:?}"
        );
    }

    #[test]
    fn server_errors_are_vapi_errors_held_in_other() {
        let error: Failure = server_error(500, "INTERNAL_SERVER_ERROR", "x.y", "not here");
        assert!(matches!(error, Failure::Other { status: 500, .. }));
        assert_eq!(
            error.to_string(),
            "INTERNAL_SERVER_ERROR (HTTP 500): not here"
        );
    }
}
