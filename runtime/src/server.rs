//! Server support (feature `server`): reading a request, authenticating it
//! (with a built-in session store), parsing and validating its parameters
//! and body, answering with vapi errors, and a [`Server`] with timeouts and a
//! connection bound. Each operation's parser is a few lines of calls on
//! [`Parser`]; the handler of each operation is generic code here plus its
//! own method call.

use crate::runtime::secret::SecretString;
use crate::runtime::wire::{self, Auth, Operation, OperationInfo, WireForm};
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value, json};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

pub use crate::runtime::listener::{
    DEFAULT_BODY_TIMEOUT, DEFAULT_HEADER_TIMEOUT, DEFAULT_MAX_CONNECTIONS, Server,
};

/// The largest request body accepted; a larger one is an InvalidArgument.
pub const BODY_LIMIT: usize = 1 << 20;

/// The most problems an InvalidArgument answer lists; the others are counted
/// ("and N more"), so a huge bad body cannot make a huge answer.
pub const MAX_VIOLATIONS: usize = 20;

/// One problem found in a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Where: a parameter name or a property path such as `spec.location`.
    pub location: String,
    /// What is wrong.
    pub message: String,
}

/// The problems found in a request; any makes it an InvalidArgument. The
/// first [`MAX_VIOLATIONS`] are kept, the rest only counted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Violations {
    kept: Vec<Violation>,
    more: usize,
}

impl Violations {
    /// Records a problem at `location` (written out only while under the cap).
    pub fn push(&mut self, location: impl fmt::Display, message: impl Into<String>) {
        if self.is_full() {
            self.more += 1;
            return;
        }
        self.kept.push(Violation {
            location: location.to_string(),
            message: message.into(),
        });
    }

    /// Whether nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty() && self.more == 0
    }

    /// Whether the cap is reached: further problems are only counted.
    pub fn is_full(&self) -> bool {
        self.kept.len() >= MAX_VIOLATIONS
    }

    /// How many problems were found, kept or not.
    pub fn len(&self) -> usize {
        self.kept.len() + self.more
    }

    /// The problems kept (at most [`MAX_VIOLATIONS`]).
    pub fn kept(&self) -> &[Violation] {
        &self.kept
    }

    /// Records a value of an open enumeration that this version does not know.
    pub fn unknown_value(&mut self, at: At<'_>, value: &str, known: &[&str]) {
        if self.is_full() {
            self.more += 1;
            return;
        }
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
        let Violations {
            kept: mut violations,
            more,
        } = self;
        if violations.is_empty() {
            violations.push(Violation {
                location: String::new(),
                message: "the request is not valid".into(),
            });
        }
        let mut messages: Vec<Value> = violations
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
        if more > 0 {
            messages.push(json!({
                "id": "vapi.invalid_argument.more",
                "default_message": format!("and {more} more problems"),
                "args": [more.to_string()],
            }));
        }
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
}

/// Who may call what: the authentication and authorization half of a
/// server. The generated `Api` trait has these methods; every `Api` is a `Gate`.
pub trait Gate: Send + Sync + 'static {
    /// Who a caller is, once authenticated.
    type Principal: Send + Sync + 'static;

    /// Checks a caller's credentials for `operation`; `None` answers 401.
    fn authenticate(
        &self,
        credentials: &Auth,
        operation: &OperationInfo,
    ) -> impl Future<Output = Option<Self::Principal>> + Send;

    /// Authenticates a request seen whole (headers, axum extensions);
    /// by default [`Gate::authenticate`] with its credentials.
    fn authenticate_request(
        &self,
        request: &RequestContext<'_>,
        operation: &OperationInfo,
    ) -> impl Future<Output = Option<Self::Principal>> + Send {
        self.authenticate(request.credentials(), operation)
    }

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

/// A server as the router holds it: its `Api` and its session store.
pub struct Served<S: Gate> {
    /// The server's implementation.
    pub api: S,
    /// The sessions the router issues and accepts.
    pub sessions: Arc<dyn SessionStore<S::Principal>>,
}

impl<S: Gate> Served<S> {
    /// Who sent `incoming`: the holder of a session this router issued, or
    /// whoever the server's authentication says.
    async fn principal(
        &self,
        incoming: &Incoming,
        operation: &OperationInfo,
    ) -> Option<Arc<S::Principal>> {
        let credentials = incoming.credentials();
        if let Auth::SessionId(session) = &credentials
            && accepts_sessions(operation)
            && let Some(principal) = self.sessions.find(session.expose_secret())
        {
            return Some(principal);
        }
        let request = RequestContext {
            credentials,
            headers: &incoming.headers,
            extensions: &incoming.extensions,
        };
        self.api
            .authenticate_request(&request, operation)
            .await
            .map(Arc::new)
    }
}

/// Whether an operation accepts a session id: its security names the
/// `session_id` scheme (vSphere's name for `vmware-api-session-id`), or it
/// names none.
fn accepts_sessions(operation: &OperationInfo) -> bool {
    operation.security.is_empty() || operation.security.contains(&"session_id")
}

/// Serves one request as operation `O`: authenticates the caller, checks
/// the caller's privileges (on the object the request names, read from the
/// raw request, so a caller without them learns nothing about the body's
/// faults), parses and validates the request, then hands it to the
/// operation's [`Handle`] and answers with its result. Every failure on the
/// way is answered with a vapi error.
pub async fn serve<S: Gate, O: Handle<S>>(served: &Served<S>, incoming: Incoming) -> Response {
    let Some(principal) = served.principal(&incoming, &O::INFO).await else {
        return unauthenticated(&served.api.challenge(), O::INFO.wire);
    };
    let object = incoming.privilege_object(&O::INFO);
    if !served
        .api
        .authorize(&principal, &O::INFO, object.as_deref())
        .await
    {
        return unauthorized(&O::INFO, object.as_deref());
    }
    let request = match incoming.parse::<O>() {
        Ok(request) => request,
        Err(response) => return response,
    };
    let result = {
        // A session create left to its default body issues a session of
        // this store, for this caller (see `issue_session`).
        let _issuer = (O::INFO.operation_id == SESSION_CREATE)
            .then(|| SessionIssuer::install(&served.sessions, &principal));
        O::handle(&served.api, &principal, request)
    };
    respond_with::<O>(result.await)
}

/// What an operation the server does not implement answers: a vapi internal
/// error (500) saying so. The generated `Api` methods' default bodies.
pub fn not_implemented<R: Send, E: wire::OperationError + Send>()
-> impl Future<Output = Result<R, E>> + Send {
    std::future::ready(Err(wire::server_error(
        500,
        "INTERNAL_SERVER_ERROR",
        "vapi.server.not_implemented",
        "the operation is not implemented by this server",
    )))
}

// ---------------------------------------------------------------------------
// Sessions.

/// The operationId of vSphere's session create (`POST /api/session`).
pub const SESSION_CREATE: &str = "Cis.Session_create";

/// Where the router keeps the sessions it issues: on by default
/// ([`MemorySessions`]), replaceable (the generated `router_with_sessions`).
/// With it, a server only checks passwords (basic authentication); session
/// create issues a session id and later calls that send it are the same
/// principal, without calling `authenticate` again.
pub trait SessionStore<P>: Send + Sync + 'static {
    /// Issues a new session for `principal`; `Err` (with why) answers 500.
    fn create(&self, principal: Arc<P>) -> Result<SecretString, String>;
    /// The principal of a session, if it is one of this store's.
    fn find(&self, session: &str) -> Option<Arc<P>>;
    /// Ends a session; whether it existed.
    fn delete(&self, session: &str) -> bool;
}

/// The default [`SessionStore`]: in memory, with random 128-bit ids (32 hex
/// digits) from the operating system's generator.
pub struct MemorySessions<P> {
    sessions: Mutex<HashMap<String, Arc<P>>>,
}

impl<P> MemorySessions<P> {
    /// An empty store.
    pub fn new() -> Self {
        MemorySessions {
            sessions: Mutex::new(HashMap::new()),
        }
    }

    /// How many sessions are open.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no session is open.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<P>>> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<P> Default for MemorySessions<P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<P> fmt::Debug for MemorySessions<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The ids are secrets: only how many.
        f.debug_struct("MemorySessions")
            .field("sessions", &self.len())
            .finish()
    }
}

impl<P: Send + Sync + 'static> SessionStore<P> for MemorySessions<P> {
    fn create(&self, principal: Arc<P>) -> Result<SecretString, String> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|error| format!("no random session id: {error}"))?;
        let id: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
        self.lock().insert(id.clone(), principal);
        Ok(SecretString::new(id))
    }

    fn find(&self, session: &str) -> Option<Arc<P>> {
        self.lock().get(session).cloned()
    }

    fn delete(&self, session: &str) -> bool {
        self.lock().remove(session).is_some()
    }
}

/// How the default body of session create reaches the router's store and the
/// caller: it is a plain `Api` method (with no handle on either), called by
/// [`serve`] on this thread, and it computes its answer before returning its
/// future. So `serve` installs them here just around that call.
type IssueSession = Box<dyn FnOnce() -> Result<SecretString, String>>;

thread_local! {
    static SESSION_ISSUER: RefCell<Option<IssueSession>> = const { RefCell::new(None) };
}

/// Installed while session create's method is called; removed when dropped.
struct SessionIssuer;

impl SessionIssuer {
    fn install<P: Send + Sync + 'static>(
        sessions: &Arc<dyn SessionStore<P>>,
        principal: &Arc<P>,
    ) -> Self {
        let (sessions, principal) = (Arc::clone(sessions), Arc::clone(principal));
        let issue: IssueSession = Box::new(move || sessions.create(principal));
        SESSION_ISSUER.with(|slot| slot.replace(Some(issue)));
        SessionIssuer
    }
}

impl Drop for SessionIssuer {
    fn drop(&mut self) {
        SESSION_ISSUER.with(|slot| slot.take());
    }
}

/// The default body of session create: a new session of the router's store
/// for the caller. Outside the router (no store), a vapi internal error.
pub fn issue_session<R: From<String> + Send, E: wire::OperationError + Send>()
-> impl Future<Output = Result<R, E>> + Send {
    let issued = SESSION_ISSUER
        .with(|slot| slot.take())
        .ok_or_else(|| "session create was called outside the router".to_owned())
        .and_then(|issue| issue());
    std::future::ready(match issued {
        Ok(session) => Ok(R::from(session.expose_secret().to_owned())),
        Err(message) => Err(wire::server_error(
            500,
            "INTERNAL_SERVER_ERROR",
            "vapi.server.session",
            &message,
        )),
    })
}

// ---------------------------------------------------------------------------
// Requests.

/// A request as `authenticate_request` sees it: its credentials, all its
/// headers (also those the spec does not name) and axum's extensions (what
/// middleware put there, such as `ConnectInfo`).
pub struct RequestContext<'a> {
    credentials: Auth,
    headers: &'a HeaderMap,
    extensions: &'a Extensions,
}

impl<'a> RequestContext<'a> {
    /// A context of these parts (for tests of an `authenticate_request`).
    pub fn new(credentials: Auth, headers: &'a HeaderMap, extensions: &'a Extensions) -> Self {
        RequestContext {
            credentials,
            headers,
            extensions,
        }
    }

    /// The credentials the request carries.
    pub fn credentials(&self) -> &Auth {
        &self.credentials
    }

    /// All the request's headers.
    pub fn headers(&self) -> &HeaderMap {
        self.headers
    }

    /// A header's value, if it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// axum's request extensions.
    pub fn extensions(&self) -> &Extensions {
        self.extensions
    }
}

/// The path parameters of a route, as axum extracts them (read by position).
pub type PathParameters =
    Result<axum::extract::RawPathParams, axum::extract::rejection::RawPathParamsRejection>;

/// A request as the generated layer reads it: all of it, before any checks.
pub struct Incoming {
    path: Vec<String>,
    query: Vec<(String, String)>,
    headers: HeaderMap,
    extensions: Extensions,
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
                        "the request body is larger than {BODY_LIMIT} bytes, or was not \
                         received (in time)"
                    ),
                );
                return Err(violations.into_response(WireForm::Api));
            }
        };
        Ok(Incoming {
            path,
            query,
            headers: parts.headers,
            extensions: parts.extensions,
            body,
        })
    }

    /// Whether the query holds every pair of an operation's fixed query.
    pub fn matches(&self, fixed_query: &[(&str, &str)]) -> bool {
        fixed_query
            .iter()
            .all(|(name, value)| self.query.iter().any(|(n, v)| n == name && v == value))
    }

    fn query_value<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        self.query_values(name).next()
    }

    /// Every value of a query parameter, in order (`names=x&names=y`).
    fn query_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.query
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The object an operation's privileges are checked on: the value its
    /// privilege scope names, read from the raw request (a path, query or
    /// header parameter, else a dotted property path into the JSON body,
    /// through a legacy envelope's argument too) without parsing the rest.
    pub fn privilege_object(&self, operation: &OperationInfo) -> Option<String> {
        let scope = operation.privilege_scope?;
        if let Some(position) = path_parameter_position(operation.path, scope) {
            return self.path.get(position).cloned();
        }
        if let Some(value) = self.query_value(scope).or_else(|| self.header_value(scope)) {
            return Some(value.to_owned());
        }
        let path: Vec<&str> = scope.split('.').filter(|s| !s.is_empty()).collect();
        let mut deserializer = serde_json::Deserializer::from_slice(&self.body);
        ValueAt(&path).deserialize(&mut deserializer).ok().flatten()
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
    pub fn credentials(&self) -> Auth {
        if let Some(session) = self.header_value("vmware-api-session-id") {
            return Auth::SessionId(session.into());
        }
        let Some(authorization) = self.header_value("authorization") else {
            return Auth::None;
        };
        let (scheme, value) = authorization.split_once(' ').unwrap_or((authorization, ""));
        if scheme.eq_ignore_ascii_case("bearer") {
            return Auth::Bearer(value.trim().into());
        }
        if scheme.eq_ignore_ascii_case("basic") {
            use base64::Engine;
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(value.trim())
                .ok();
            let text = decoded.and_then(|bytes| String::from_utf8(bytes).ok());
            if let Some((user, password)) = text.as_deref().and_then(|t| t.split_once(':')) {
                return Auth::Basic {
                    user: user.to_owned(),
                    password: password.into(),
                };
            }
        }
        Auth::None
    }

    /// Parses and validates the request as operation `O`; a request that does
    /// not fit is answered with a 400 InvalidArgument naming every problem.
    // The error is the finished answer, built once per bad request.
    #[allow(clippy::result_large_err)]
    pub fn parse<O: ParseRequest>(&self) -> Result<O::Request, Response> {
        let mut parser = Parser::new(self);
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

impl<'a> Parser<'a> {
    fn new(incoming: &'a Incoming) -> Self {
        Parser {
            incoming,
            violations: Violations::default(),
            envelope: None,
        }
    }

    /// The path parameter at `position` in the template (path parameters are
    /// always required).
    pub fn path<T: DeserializeOwned + Validate>(
        &mut self,
        position: usize,
        name: &str,
        format: Format,
    ) -> Option<T> {
        let raw = self.incoming.path.get(position).map(String::as_str);
        self.parameter(raw.as_slice(), name, true, format)
    }

    /// A query parameter. A list is every value of its name, in order
    /// (`names=x&names=y`: OpenAPI's default `form` style, exploded, which
    /// vSphere and its clients use); anything else is its first value.
    pub fn query<T: DeserializeOwned + Validate>(
        &mut self,
        name: &str,
        required: bool,
        format: Format,
    ) -> Option<T> {
        let values: Vec<&str> = self.incoming.query_values(name).collect();
        self.parameter(&values, name, required, format)
    }

    /// A header's value (if it is text).
    pub fn header<T: DeserializeOwned + Validate>(
        &mut self,
        name: &str,
        required: bool,
        format: Format,
    ) -> Option<T> {
        let raw = self.incoming.header_value(name);
        self.parameter(raw.as_slice(), name, required, format)
    }

    /// A cookie's value.
    pub fn cookie<T: DeserializeOwned + Validate>(
        &mut self,
        name: &str,
        required: bool,
        format: Format,
    ) -> Option<T> {
        let raw = self.incoming.cookie_value(name);
        self.parameter(raw.as_slice(), name, required, format)
    }

    /// Parses a parameter's text (every value of its name, for a list): text
    /// as the type asks for it (a string, a number, a boolean). A missing
    /// required parameter is a violation.
    fn parameter<T: DeserializeOwned + Validate>(
        &mut self,
        values: &[&str],
        name: &str,
        required: bool,
        format: Format,
    ) -> Option<T> {
        if values.is_empty() {
            if required {
                self.violations.push(name, "the parameter is required");
            }
            return None;
        }
        let value = match T::deserialize(ParameterText(values)) {
            Ok(value) => value,
            Err(error) => {
                self.violations
                    .push(name, format!("not a valid value: {error}"));
                return None;
            }
        };
        for raw in values {
            if let Err(message) = format.check(raw) {
                self.violations.push(name, message);
            }
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

/// A parameter's values as a deserializer: a list takes them all, anything
/// else the first; each is text, read as the type asks (`"3"` as an integer
/// for an `i64`, as a string for a `String`).
struct ParameterText<'a>(&'a [&'a str]);

impl<'de> Deserializer<'de> for ParameterText<'_> {
    type Error = serde::de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.first().deserialize_any(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_some(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_seq(serde::de::value::SeqDeserializer::new(
            self.0.iter().map(|value| Text(value)),
        ))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.first().deserialize_bool(visitor)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.first().deserialize_i32(visitor)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.first().deserialize_i64(visitor)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.first().deserialize_f32(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.first().deserialize_f64(visitor)
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i128 u8 u16 u32 u64 u128 char str string bytes byte_buf unit
        unit_struct tuple tuple_struct map struct enum identifier ignored_any
    }
}

impl<'a> ParameterText<'a> {
    fn first(&self) -> Text<'a> {
        Text(self.0.first().copied().unwrap_or_default())
    }
}

/// One parameter value's text, read as the type asks.
struct Text<'a>(&'a str);

impl<'de> serde::de::IntoDeserializer<'de, serde::de::value::Error> for Text<'_> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl Text<'_> {
    fn parse<T: std::str::FromStr>(&self, what: &str) -> Result<T, serde::de::value::Error> {
        self.0
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("`{}` is not {what}", self.0)))
    }
}

impl<'de> Deserializer<'de> for Text<'_> {
    type Error = serde::de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_str(self.0)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_bool(self.parse("a boolean")?)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_i32(self.parse("an integer")?)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_i64(self.parse("an integer")?)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_f32(self.parse("a number")?)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_f64(self.parse("a number")?)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i128 u8 u16 u32 u64 u128 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

/// The position of `{name}` among a path template's parameters.
fn path_parameter_position(template: &str, name: &str) -> Option<usize> {
    template
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(parameter, _)| parameter))
        .position(|parameter| parameter == name)
}

/// Reads the value at a property path of a JSON document as text, skipping
/// everything else unparsed: `None` when the path is absent, `null`, an
/// object or a list.
struct ValueAt<'a>(&'a [&'a str]);

impl<'de> DeserializeSeed<'de> for ValueAt<'_> {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueAt<'_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Some((first, rest)) = self.0.split_first() else {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(None);
        };
        let mut found = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == *first && found.is_none() {
                found = map.next_value_seed(ValueAt(rest))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(self.0.is_empty().then(|| value.to_owned()))
    }

    fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Ok(self.0.is_empty().then(|| value.to_string()))
    }

    fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Ok(self.0.is_empty().then(|| value.to_string()))
    }

    fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Self::Value, E> {
        Ok(self.0.is_empty().then(|| value.to_string()))
    }

    fn visit_bool<E: serde::de::Error>(self, value: bool) -> Result<Self::Value, E> {
        Ok(self.0.is_empty().then(|| value.to_string()))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
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
            extensions: Extensions::new(),
            body: axum::body::Bytes::from(body.to_owned()),
        }
    }

    fn parser(incoming: &Incoming) -> Parser<'_> {
        Parser::new(incoming)
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
        let [violation] = parser.violations.kept() else {
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
        assert_eq!(parser.violations.kept()[0].location, "body");
        assert!(
            parser.violations.kept()[0]
                .message
                .starts_with("malformed JSON")
        );

        let empty = incoming(&[], "  ");
        let mut parser = super::tests::parser(&empty);
        assert!(parser.body::<Spec>(false).is_none());
        assert!(
            parser.violations.is_empty(),
            "an optional body may be absent"
        );
        assert!(parser.body::<Spec>(true).is_none());
        assert_eq!(
            parser.violations.kept()[0].message,
            "a request body is required"
        );
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
            .kept()
            .iter()
            .map(|v| v.location.as_str())
            .collect();
        assert_eq!(locations, ["bad", "missing", "token"]);
    }

    #[test]
    fn lists_in_the_query_take_every_value_of_their_name() {
        let request = incoming(
            &[
                ("names", "x"),
                ("other", "1"),
                ("names", "y"),
                ("n", "3"),
                ("n", "4"),
            ],
            "",
        );
        let mut parser = parser(&request);
        assert_eq!(
            parser.query::<Vec<String>>("names", true, Format::Plain),
            Some(vec!["x".to_owned(), "y".to_owned()])
        );
        assert_eq!(
            parser.query::<Option<Vec<i64>>>("n", false, Format::Plain),
            Some(Some(vec![3, 4]))
        );
        // One value is a list of one; a scalar takes the first value.
        assert_eq!(
            parser.query::<Vec<String>>("other", true, Format::Plain),
            Some(vec!["1".to_owned()])
        );
        assert_eq!(parser.query::<i64>("n", true, Format::Plain), Some(3));
        assert_eq!(parser.query::<bool>("other", true, Format::Plain), None);
        assert_eq!(parser.violations.len(), 1, "{:?}", parser.violations);
        assert_eq!(parser.query::<Vec<i64>>("names", true, Format::Plain), None);
        assert_eq!(parser.violations.kept()[1].location, "names");
    }

    #[test]
    fn violations_beyond_the_cap_are_only_counted() {
        let mut violations = Violations::default();
        for index in 0..37_000 {
            violations.push(format!("items[{index}]"), "bad");
        }
        assert_eq!(violations.kept().len(), MAX_VIOLATIONS);
        assert_eq!(violations.len(), 37_000);
        let response = violations.into_response(WireForm::Api);
        assert_eq!(response.status(), 400);
    }

    #[test]
    fn privilege_objects_are_read_from_the_raw_request() {
        let info = |path, scope| OperationInfo {
            operation_id: "x",
            method: "POST",
            path,
            fixed_query: &[],
            privileges: &[],
            privilege_scope: Some(scope),
            security: &[],
            wire: WireForm::Api,
            client_token: None,
        };
        let request = incoming(
            &[("q", "from-query")],
            r#"{"junk": [1, {"a": 2}], "spec": {"item": "item-7", "n": 3}, "x": null}"#,
        );
        assert_eq!(
            request.privilege_object(&info("/api/x/{a}/{library}", "library")),
            None,
            "position 1 is not there"
        );
        assert_eq!(
            request
                .privilege_object(&info("/api/x/{library}", "library"))
                .as_deref(),
            Some("lib-1")
        );
        assert_eq!(
            request.privilege_object(&info("/api/x", "q")).as_deref(),
            Some("from-query")
        );
        assert_eq!(
            request
                .privilege_object(&info("/api/x", "spec.item"))
                .as_deref(),
            Some("item-7")
        );
        assert_eq!(
            request
                .privilege_object(&info("/api/x", "spec.n"))
                .as_deref(),
            Some("3")
        );
        assert_eq!(request.privilege_object(&info("/api/x", "spec")), None);
        assert_eq!(request.privilege_object(&info("/api/x", "spec.none")), None);
        // A malformed body names no object (and is refused after authorization).
        let malformed = incoming(&[], r#"{"spec": {"item": "item-7"}, "bad": "#);
        assert_eq!(
            malformed.privilege_object(&info("/api/x", "spec.item")),
            None
        );
    }

    #[test]
    fn memory_sessions_issue_random_128_bit_ids() {
        let store = MemorySessions::new();
        let first = store.create(Arc::new("alice")).unwrap();
        let second = store.create(Arc::new("bob")).unwrap();
        assert_eq!(first.expose_secret().len(), 32);
        assert!(first.expose_secret().bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(first, second);
        assert_eq!(store.find(first.expose_secret()).as_deref(), Some(&"alice"));
        assert!(store.find("0123").is_none());
        assert!(store.delete(first.expose_secret()));
        assert!(store.find(first.expose_secret()).is_none());
        assert!(!format!("{store:?}").contains(second.expose_secret()));
    }
}
