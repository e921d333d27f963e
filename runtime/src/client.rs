//! The async client (feature `client`): the connection, its settings, and
//! sending any operation. Each operation's method is a one-line call of
//! [`Client::call`] with that operation's type.

pub use crate::runtime::retry::RetryPolicy;
use crate::runtime::retry::{self, Failure};
use crate::runtime::secret::SecretString;
use crate::runtime::wire::{
    self, Auth, ClientTokenField, ErrorView, Operation, OperationError, Outgoing, Unexpected,
    WireForm,
};
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;
use tracing::Instrument;

/// How long a call may take, unless [`ClientBuilder::timeout`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// How long connecting may take, unless [`ClientBuilder::connect_timeout`] says otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest response body read; a larger one is an [`Unexpected`] error.
pub const MAX_RESPONSE_BYTES: usize = 64 << 20;

/// Why a client could not be built.
#[derive(Debug)]
pub struct BuildError(String);

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot build the client: {}", self.0)
    }
}

impl std::error::Error for BuildError {}

/// Settings for a [`Client`].
pub struct ClientBuilder {
    base_url: String,
    timeout: Duration,
    connect_timeout: Duration,
    credentials: Auth,
    accept_invalid_certs: bool,
    retry: RetryPolicy,
    renew_session: bool,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &without_password(&self.base_url))
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("credentials", &self.credentials)
            .field("accept_invalid_certs", &self.accept_invalid_certs)
            .field("retry", &self.retry)
            .field("renew_session", &self.renew_session)
            .finish()
    }
}

impl ClientBuilder {
    /// How long a whole call may take.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long connecting may take.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The credentials sent with every call.
    pub fn credentials(mut self, credentials: Auth) -> Self {
        self.credentials = credentials;
        self
    }

    /// Accepts any server certificate (vCenter's self-signed one, in a lab).
    /// This disables the protection TLS gives; never use it in production.
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Self {
        self.accept_invalid_certs = accept;
        self
    }

    /// When to try a call again after a transient failure (by default
    /// [`RetryPolicy::none`]: never). See [`RetryPolicy`] for what is safe to retry.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Whether a client that logs in with a password keeps it (as a
    /// [`SecretString`]) to log in again, once per call, when a call is
    /// answered 401 UNAUTHENTICATED (its session expired), and then repeats
    /// the call. The new session is shared by all clones of the client.
    /// Off by default.
    pub fn renew_session(mut self, renew: bool) -> Self {
        self.renew_session = renew;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, BuildError> {
        let shown = without_password(&self.base_url);
        let base = reqwest::Url::parse(&self.base_url)
            .map_err(|error| BuildError(format!("base URL `{shown}`: {error}")))?;
        if base.cannot_be_a_base() || base.host_str().is_none() {
            return Err(BuildError(format!("base URL `{shown}` has no host")));
        }
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .danger_accept_invalid_certs(self.accept_invalid_certs)
            // The API does not redirect; following one would send the
            // `vmware-api-session-id` header (which reqwest does not know
            // to strip) to whatever host a proxy or attacker names.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| BuildError(error.to_string()))?;
        Ok(Client {
            http,
            base,
            credentials: self.credentials,
            session_form: WireForm::Api,
            retry: self.retry,
            renew_session: self.renew_session,
            login: None,
        })
    }
}

/// A connection to one vCenter Server, with one method per operation.
/// Cloning is cheap and shares the connection pool.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: reqwest::Url,
    credentials: Auth,
    /// Which login form issued the session id: logout uses the same one.
    session_form: WireForm,
    retry: RetryPolicy,
    renew_session: bool,
    /// The password login of a client that renews its session.
    login: Option<Arc<Login>>,
}

/// What a client that renews its session keeps: the password it logged in
/// with and the current session, shared by its clones so that one
/// re-login serves them all.
struct Login {
    user: String,
    password: SecretString,
    form: WireForm,
    session: RwLock<SecretString>,
    /// Held while logging in again, so that clones do it once.
    relogin: tokio::sync::Mutex<()>,
}

impl Login {
    fn session(&self) -> SecretString {
        self.session
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &without_password(self.base.as_str()))
            .field("credentials", &self.credentials)
            .field("retry", &self.retry)
            .field("renews_session", &self.login.is_some())
            .finish()
    }
}

impl Client {
    /// A builder for a client of the server at `base_url` (e.g. `https://vcenter.example.com`).
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            credentials: Auth::None,
            accept_invalid_certs: false,
            retry: RetryPolicy::none(),
            renew_session: false,
        }
    }

    /// A client of the server at `base_url` with default settings and no credentials.
    pub fn new(base_url: impl Into<String>) -> Result<Self, BuildError> {
        Self::builder(base_url).build()
    }

    /// The same client (sharing its connections) with other credentials.
    pub fn with_credentials(&self, credentials: Auth) -> Self {
        Client {
            credentials,
            login: None,
            ..Clone::clone(self)
        }
    }

    /// The same client, sending the session id `session` (from a login).
    pub fn with_session(&self, session: impl Into<SecretString>) -> Self {
        self.with_session_from(session, WireForm::Api)
    }

    /// The same client, sending the session id `session` that the login of
    /// wire form `form` issued (`/api/session` or the legacy
    /// `/rest/com/vmware/cis/session`), so that logout uses the same form.
    ///
    /// When this client has basic credentials (it is the one that logged in)
    /// and was built with [`ClientBuilder::renew_session`], the new client
    /// keeps them to log in again when the session expires.
    pub fn with_session_from(&self, session: impl Into<SecretString>, form: WireForm) -> Self {
        let session = session.into();
        let login = match &self.credentials {
            Auth::Basic { user, password } if self.renew_session => Some(Arc::new(Login {
                user: user.clone(),
                password: password.clone(),
                form,
                session: RwLock::new(session.clone()),
                relogin: tokio::sync::Mutex::new(()),
            })),
            _ => None,
        };
        Client {
            session_form: form,
            login,
            ..self.with_credentials(Auth::SessionId(session))
        }
    }

    /// The wire form of the login that issued this client's session id.
    pub fn session_form(&self) -> WireForm {
        self.session_form
    }

    /// A request the spec does not describe (an escape hatch), sent on this
    /// client's connections with its credentials: `method` (e.g. `"GET"`)
    /// and `path` below the base URL, with an optional query
    /// (`/api/vcenter/vm?names=db`).
    pub fn raw(&self, method: &str, path: &str) -> RawRequest {
        let (path, query) = match path.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (path, None),
        };
        let mut url = self.base.clone();
        let base_path = url.path().trim_end_matches('/').to_owned();
        url.set_path(&format!("{base_path}{path}"));
        url.set_query(query);
        let description = format!("{method} {}", url.path());
        // `request` falls back to GET for a method that is not a valid token:
        // right for the spec's fixed methods, wrong for a caller's string.
        let invalid_method = reqwest::Method::from_bytes(method.as_bytes()).is_err();
        RawRequest {
            client: self.clone(),
            builder: self.request(method, url),
            description,
            invalid_method,
        }
    }

    /// The same client, sending the session id a login returned: refused
    /// (before it breaks every later call) when it cannot travel in the
    /// `vmware-api-session-id` header (empty, or with CR, LF, NUL or another
    /// control character).
    // The error is as large as any call's.
    #[allow(clippy::result_large_err)]
    pub fn with_checked_session(
        &self,
        session: impl Into<SecretString>,
        form: WireForm,
    ) -> Result<Self, Unexpected> {
        let session = session.into();
        let text = session.expose_secret();
        if text.is_empty() || reqwest::header::HeaderValue::from_str(text).is_err() {
            // The value itself is a secret: it is not kept.
            return Err(Unexpected::transport(
                "the server sent a session id that cannot be sent back in a header \
                 (empty, or with control characters); it was not used",
            ));
        }
        Ok(self.with_session_from(session, form))
    }

    /// The server's base URL (a password in it shown as `***`).
    pub fn base_url(&self) -> String {
        without_password(self.base.as_str())
    }

    /// Generates a `Client-Token`: a fresh UUID, so that a retried creation
    /// request is carried out once.
    pub fn new_client_token() -> String {
        uuid::Uuid::new_v4().to_string()
    }

    /// Sends `request` as operation `O` and decodes the answer: the success,
    /// one of the operation's documented errors, another vapi error, or an
    /// [`Unexpected`] response. Each operation's method calls this.
    ///
    /// A transient failure is retried as the client's [`RetryPolicy`]
    /// allows; an expired session is renewed once when the client
    /// [renews sessions](ClientBuilder::renew_session). The call is traced
    /// as a `tracing` span `vsphere_call` (operation id, method, path
    /// template, attempt, status, error type), with an event per retry.
    pub async fn call<O: Operation>(&self, request: &O::Request) -> Result<O::Response, O::Error> {
        let info = O::INFO;
        let span = tracing::info_span!(
            "vsphere_call",
            operation_id = info.operation_id,
            method = info.method,
            path = info.path,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            error_type = tracing::field::Empty,
        );
        self.call_with_retries::<O>(request, &span)
            .instrument(span.clone())
            .await
    }

    async fn call_with_retries<O: Operation>(
        &self,
        request: &O::Request,
        span: &tracing::Span,
    ) -> Result<O::Response, O::Error> {
        let info = O::INFO;
        let mut outgoing = Outgoing::new(info.wire);
        O::encode_request(request, &mut outgoing);
        let may_retry = self.retry.max_attempts() > 1;
        if let (Some(field), true) = (info.client_token, may_retry) {
            // Made once: every attempt carries the same token, so the server creates once.
            give_client_token(&mut outgoing, field);
        }
        let repeatable = retry::idempotent(info.method) || info.client_token.is_some();
        let mut url = self
            .url(info.path, &outgoing.path)
            .map_err(|message| O::Error::unexpected(Unexpected::transport(message)))?;
        if !info.fixed_query.is_empty() || !outgoing.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in info.fixed_query {
                pairs.append_pair(name, value);
            }
            for (name, value) in &outgoing.query {
                pairs.append_pair(name, value);
            }
        }
        let body = outgoing.body.as_ref().map(ToString::to_string);
        let deadline = self
            .retry
            .deadline()
            .map(|limit| tokio::time::Instant::now() + limit);
        let mut attempts_allowed = self.retry.max_attempts();
        let mut renewed = false;
        let mut attempt = 0;
        let answer = loop {
            attempt += 1;
            let session = self.login.as_ref().map(|login| login.session());
            let mut builder = self.request(info.method, url.clone());
            for (name, value, cookie) in &outgoing.headers {
                builder = if *cookie {
                    builder.header("Cookie", format!("{name}={value}"))
                } else {
                    builder.header(*name, value)
                };
            }
            if let Some(body) = &body {
                builder = builder
                    .header("Content-Type", "application/json")
                    .body(body.clone());
            }
            let sent = match deadline {
                Some(deadline) => tokio::time::timeout_at(deadline, self.send_classified(builder))
                    .await
                    .unwrap_or_else(|_| {
                        Err((
                            Unexpected::transport("the retry policy's deadline passed"),
                            Failure::Timeout,
                        ))
                    }),
                None => self.send_classified(builder).await,
            };
            let failure = match &sent {
                Ok((status, _, _)) if (200..300).contains(status) => Failure::Final,
                Ok((status, _, body)) => Failure::of_answer(*status, body),
                Err((_, failure)) => *failure,
            };
            if let (Failure::Unauthenticated, false, Some(login)) = (failure, renewed, &self.login)
            {
                // The server did not carry out the call: repeating it is safe.
                renewed = true;
                match self.log_in_again(login, session).await {
                    Ok(()) => {
                        attempts_allowed = attempts_allowed.saturating_add(1);
                        continue;
                    }
                    Err(reason) => tracing::warn!(%reason, "could not log in again"),
                }
            }
            if failure.retryable(repeatable) && attempt < attempts_allowed {
                let delay = self.retry.backoff(attempt + 1);
                let in_time =
                    deadline.is_none_or(|deadline| tokio::time::Instant::now() + delay < deadline);
                if in_time {
                    tracing::warn!(
                        attempt,
                        failure = failure.name(),
                        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                        "retrying",
                    );
                    tokio::time::sleep(delay).await;
                    continue;
                }
            }
            break sent;
        };
        span.record("attempt", attempt);
        let (status, headers, body) = match answer {
            Ok(answer) => answer,
            Err((unexpected, failure)) => {
                span.record("error_type", failure.name());
                return Err(O::Error::unexpected(unexpected));
            }
        };
        span.record("status", status);
        if !(200..300).contains(&status)
            && let Some(error_type) = retry::error_type(&body)
        {
            span.record("error_type", error_type.as_str());
        }
        match O::decode_response(status, &body) {
            Some(Ok(response)) => Ok(response),
            Some(Err(message)) => Err(O::Error::unexpected(if O::RETURNS_SECRET {
                // `Unexpected` prints its body: a session id is not kept.
                Unexpected {
                    status: Some(status),
                    headers,
                    body: Vec::new(),
                    message: format!("{message} (body withheld: it may hold a secret)"),
                }
            } else {
                Unexpected {
                    status: Some(status),
                    headers,
                    body,
                    message,
                }
            })),
            None => Err(wire::decode_error(status, headers, body)),
        }
    }

    /// Logs in again with the kept password, unless a clone already did
    /// since `stale` was sent; the new session serves every clone.
    async fn log_in_again(
        &self,
        login: &Login,
        stale: Option<SecretString>,
    ) -> Result<(), Unexpected> {
        let _one_at_a_time = login.relogin.lock().await;
        if Some(login.session()) != stale {
            return Ok(());
        }
        let path = match login.form {
            WireForm::Api => "/api/session",
            WireForm::LegacyRest => "/rest/com/vmware/cis/session",
        };
        let mut url = self.base.clone();
        let base_path = url.path().trim_end_matches('/').to_owned();
        url.set_path(&format!("{base_path}{path}"));
        url.set_query(None);
        let builder = self
            .http
            .post(url)
            .header("Accept", "application/json")
            .basic_auth(&login.user, Some(login.password.expose_secret()));
        let (status, _, body) = self.send(builder).await?;
        if !(200..300).contains(&status) {
            return Err(Unexpected::transport(format!(
                "logging in again was answered {status}"
            )));
        }
        let answer: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|_| Unexpected::transport("logging in again: the answer is not JSON"))?;
        let session = match login.form {
            WireForm::Api => answer.as_str(),
            WireForm::LegacyRest => answer.get("value").and_then(serde_json::Value::as_str),
        };
        let session = session
            .filter(|session| {
                !session.is_empty() && reqwest::header::HeaderValue::from_str(session).is_ok()
            })
            .ok_or_else(|| {
                // The answer itself may be a secret: it is not kept.
                Unexpected::transport("logging in again: the answer holds no usable session id")
            })?;
        *login
            .session
            .write()
            .unwrap_or_else(PoisonError::into_inner) = SecretString::new(session);
        tracing::info!("logged in again: the session had expired");
        Ok(())
    }

    /// A URL whose host is exactly `*` (as vCenter answers for guest
    /// transfers) gets the host this client called; any other URL
    /// (`https://*.example.com`, `https://*@example.com`) is left as it is.
    pub fn replace_star_host(&self, url: String) -> String {
        let (Some(host), port) = (self.base.host_str(), self.base.port()) else {
            return url;
        };
        for scheme in ["https://", "http://"] {
            let Some(rest) = url
                .strip_prefix(scheme)
                .and_then(|rest| rest.strip_prefix('*'))
            else {
                continue;
            };
            let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let (after_star, path) = rest.split_at(authority_end);
            // Keep a port the server gave; otherwise use ours.
            let port = match after_star.strip_prefix(':') {
                None if after_star.is_empty() => port.map(|port| format!(":{port}")),
                Some(digits)
                    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    Some(after_star.to_owned())
                }
                // `*` is only part of the host (or user info): not ours to replace.
                _ => return url,
            };
            return format!("{scheme}{host}{}{path}", port.unwrap_or_default());
        }
        url
    }

    /// The URL of a call. Path parameters are escaped as one segment each;
    /// `.`, `..` and empty values are refused, because no escaping stops a
    /// URL parser (this client's, a proxy's or the server's) from resolving
    /// them as dot segments or collapsing them, which would call another
    /// operation.
    fn url(
        &self,
        template: &str,
        path_parameters: &[(&str, String)],
    ) -> Result<reqwest::Url, String> {
        let mut path = template.to_owned();
        for (name, value) in path_parameters {
            if matches!(value.as_str(), "" | "." | "..") {
                return Err(format!(
                    "not sent: the path parameter `{name}` is `{value}`, which would \
                     address another resource"
                ));
            }
            let encoded = percent_encoding::utf8_percent_encode(value, PATH_SEGMENT).to_string();
            path = path.replace(&format!("{{{name}}}"), &encoded);
        }
        let mut url = self.base.clone();
        let base_path = url.path().trim_end_matches('/').to_owned();
        url.set_path(&format!("{base_path}{path}"));
        url.set_query(None);
        Ok(url)
    }

    fn request(&self, method: &str, url: reqwest::Url) -> reqwest::RequestBuilder {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let builder = self
            .http
            .request(method, url)
            .header("Accept", "application/json");
        match &self.credentials {
            Auth::None => builder,
            Auth::SessionId(session) => match &self.login {
                // A renewing client sends the session its clones share.
                Some(login) => {
                    builder.header("vmware-api-session-id", login.session().expose_secret())
                }
                None => builder.header("vmware-api-session-id", session.expose_secret()),
            },
            Auth::Basic { user, password } => {
                builder.basic_auth(user, Some(password.expose_secret()))
            }
            Auth::Bearer(token) => builder.bearer_auth(token.expose_secret()),
        }
    }

    /// Sends a request; any failure to get a whole response is an [`Unexpected`].
    async fn send(
        &self,
        builder: reqwest::RequestBuilder,
    ) -> Result<(u16, Vec<(String, String)>, Vec<u8>), Unexpected> {
        self.send_classified(builder)
            .await
            .map_err(|(unexpected, _)| unexpected)
    }

    /// [`Client::send`], telling a failure to get an answer apart for retrying.
    async fn send_classified(
        &self,
        builder: reqwest::RequestBuilder,
    ) -> Result<(u16, Vec<(String, String)>, Vec<u8>), (Unexpected, Failure)> {
        let mut response = builder.send().await.map_err(|error| {
            let failure = if error.is_connect() {
                Failure::Connect
            } else if error.is_timeout() {
                Failure::Timeout
            } else {
                Failure::Transport
            };
            (Unexpected::transport(error_chain(&error)), failure)
        })?;
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.to_string(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        // A body announced larger than the cap is refused before any of it is read.
        if let Some(length) = response
            .content_length()
            .filter(|length| *length > MAX_RESPONSE_BYTES as u64)
        {
            return Err((
                Unexpected {
                    status: Some(status),
                    headers,
                    body: Vec::new(),
                    message: format!(
                        "response body larger than {MAX_RESPONSE_BYTES} bytes (Content-Length {length})"
                    ),
                },
                Failure::Final,
            ));
        }
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) if body.len() + chunk.len() > MAX_RESPONSE_BYTES => {
                    return Err((
                        Unexpected {
                            status: Some(status),
                            headers,
                            body,
                            message: format!(
                                "response body larger than {MAX_RESPONSE_BYTES} bytes"
                            ),
                        },
                        Failure::Final,
                    ));
                }
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) => return Ok((status, headers, body)),
                Err(error) => {
                    let failure = if error.is_timeout() {
                        Failure::Timeout
                    } else {
                        Failure::Transport
                    };
                    return Err((
                        Unexpected {
                            status: Some(status),
                            headers,
                            body,
                            message: error_chain(&error),
                        },
                        failure,
                    ));
                }
            }
        }
    }
}

/// Puts a fresh `Client-Token` where the operation takes it, unless the
/// caller gave one.
fn give_client_token(outgoing: &mut Outgoing, field: ClientTokenField) {
    match field {
        ClientTokenField::Header(name) => {
            if !outgoing
                .headers
                .iter()
                .any(|(given, _, _)| given.eq_ignore_ascii_case(name))
            {
                outgoing
                    .headers
                    .push((name, Client::new_client_token(), false));
            }
        }
        ClientTokenField::Argument(name) => {
            let envelope = outgoing
                .body
                .get_or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
            if let serde_json::Value::Object(arguments) = envelope {
                arguments
                    .entry(name)
                    .or_insert_with(|| serde_json::Value::String(Client::new_client_token()));
            }
        }
    }
}

/// An error with its causes, `: `-separated: reqwest's own message
/// ("error decoding response body") leaves out why (a timeout, a
/// connection reset, bad chunked encoding).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

/// A URL as text with the password of its user info (if any) shown as `***`;
/// works on text that does not parse as a URL too.
fn without_password(url: &str) -> String {
    let authority_start = url.find("://").map_or(0, |index| index + 3);
    let rest = &url[authority_start..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match authority.rfind('@') {
        Some(at) => {
            let user_info = &authority[..at];
            let user = user_info.split(':').next().unwrap_or_default();
            let masked = if user_info.contains(':') {
                format!("{user}:***")
            } else {
                user.to_owned()
            };
            format!(
                "{}{masked}{}",
                &url[..authority_start],
                &url[authority_start + at..]
            )
        }
        None => url.to_owned(),
    }
}

/// A request built by [`Client::raw`]. Its `Debug` shows the method and
/// path only, never the credentials it carries.
#[must_use = "a request does nothing until it is sent"]
pub struct RawRequest {
    client: Client,
    builder: reqwest::RequestBuilder,
    description: String,
    invalid_method: bool,
}

impl fmt::Debug for RawRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RawRequest")
            .field(&self.description)
            .finish()
    }
}

impl RawRequest {
    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.builder = self.builder.header(name, value);
        self
    }

    /// Sends `body` as JSON.
    pub fn json<T: serde::Serialize + ?Sized>(mut self, body: &T) -> Self {
        let text = serde_json::to_string(body).unwrap_or_else(|_| "null".to_owned());
        self.builder = self
            .builder
            .header("Content-Type", "application/json")
            .body(text);
        self
    }

    /// Sends the request and reads the whole response (at most
    /// [`MAX_RESPONSE_BYTES`]), whatever its status.
    pub async fn send(self) -> Result<RawResponse, Unexpected> {
        if self.invalid_method {
            return Err(Unexpected::transport(format!(
                "not an HTTP method: {}",
                self.description
            )));
        }
        let (status, headers, body) = self.client.send(self.builder).await?;
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }
}

/// The answer to a [`RawRequest`]. Its `Debug` hides credential headers.
#[derive(Clone, PartialEq, Eq)]
pub struct RawResponse {
    /// The HTTP status.
    pub status: u16,
    /// The response headers.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Vec<u8>,
}

impl RawResponse {
    /// The body read as JSON into `T`.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }
}

impl fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header names and the body's size only: a raw answer may carry a
        // secret (a session id, a cookie) in either.
        let header_names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("RawResponse")
            .field("status", &self.status)
            .field("headers", &header_names)
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

/// `error`, an error of one operation, as the error type `To` of another
/// that reports the same vapi errors: the legacy `/rest` form of an
/// operation's errors read as its `/api` form's (used by login and logout,
/// which fall back to the legacy form).
pub fn convert_error<From: OperationError, To: OperationError>(error: From) -> To {
    let status = wire::error_status(&error);
    let value = match error.view() {
        ErrorView::Documented(case, value) => {
            let error_type = From::CASES
                .iter()
                .find(|known| known.name == case)
                .and_then(|known| known.error_type);
            wire::encode_error(error_type, value.to_json(WireForm::Api), WireForm::Api)
        }
        ErrorView::Other(_, value) => {
            wire::encode_error(None, wire::to_json(value, WireForm::Api), WireForm::Api)
        }
        ErrorView::Unexpected(unexpected) => return To::unexpected(unexpected.clone()),
    };
    To::decode(status, Vec::new(), value.to_string().into_bytes())
}

/// Characters escaped in a path segment: everything but unreserved ones.
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

#[cfg(test)]
mod tests {
    use super::Client;

    #[test]
    fn star_hosts_become_the_called_host() {
        let client = Client::new("https://vc.example.com:8443").unwrap();
        assert_eq!(
            client.replace_star_host("https://*/guestFile?id=1".into()),
            "https://vc.example.com:8443/guestFile?id=1"
        );
        assert_eq!(
            client.replace_star_host("https://*:9000/x".into()),
            "https://vc.example.com:9000/x"
        );
        assert_eq!(
            client.replace_star_host("https://esx-1/x".into()),
            "https://esx-1/x"
        );
        assert_eq!(
            client.replace_star_host("https://*".into()),
            "https://vc.example.com:8443"
        );
        for foreign in [
            "https://*.evil.example/x",
            "https://*@evil.example/x",
            "https://*:pw@evil.example/x",
            "https://*:/x",
            "https://**/x",
        ] {
            assert_eq!(client.replace_star_host(foreign.into()), foreign);
        }
    }

    #[test]
    fn passwords_in_urls_are_masked() {
        use super::without_password;
        assert_eq!(
            without_password("http://admin:hunter2@host/x"),
            "http://admin:***@host/x"
        );
        assert_eq!(without_password("http://admin@host"), "http://admin@host");
        assert_eq!(without_password("http://host/a@b"), "http://host/a@b");
        assert_eq!(
            without_password("not a url admin:hunter2@host"),
            "not a url admin:***@host"
        );
        let client = Client::new("http://admin:hunter2@vc.example.com").unwrap();
        assert!(!format!("{client:?}").contains("hunter2"), "{client:?}");
        assert!(!client.base_url().contains("hunter2"));
        let builder = Client::builder("http://admin:hunter2@vc.example.com");
        assert!(!format!("{builder:?}").contains("hunter2"));
        let error = Client::new("http://admin:hunter2@[bad/").unwrap_err();
        assert!(!error.to_string().contains("hunter2"), "{error}");
    }

    #[test]
    fn session_ids_that_cannot_travel_in_a_header_are_refused() {
        let client = Client::new("https://vc.example.com").unwrap();
        for bad in ["", "abc\r\nX-Injected: 1", "a\nb", "a\0b", "a\x7fb"] {
            let error = client
                .with_checked_session(bad, crate::wire::WireForm::Api)
                .unwrap_err();
            assert_eq!(error.status, None);
            assert!(error.message.contains("session id"), "{error:?}");
        }
        assert!(
            client
                .with_checked_session("6a3e0c1b9f", crate::wire::WireForm::Api)
                .is_ok()
        );
    }

    #[test]
    fn dot_segment_path_parameters_are_refused() {
        let client = Client::new("https://vc.example.com/base/").unwrap();
        for bad in [".", "..", ""] {
            assert!(
                client
                    .url("/api/library/{library}/x", &[("library", bad.into())])
                    .is_err()
            );
        }
        let url = client
            .url(
                "/api/library/{library}/x",
                &[("library", "a/../.b%2E?#".into())],
            )
            .unwrap();
        assert_eq!(
            url.as_str(),
            "https://vc.example.com/base/api/library/a%2F..%2F.b%252E%3F%23/x"
        );
    }

    #[test]
    fn bad_base_urls_are_refused() {
        assert!(Client::new("not a url").is_err());
        assert!(Client::new("mailto:someone@example.com").is_err());
    }

    #[test]
    fn raw_requests_show_no_credentials_and_refuse_bad_methods() {
        let client = Client::new("https://vc.example.com/base/")
            .unwrap()
            .with_session("s3cr3t-session");
        let request = client.raw("GET", "/api/cis/tasks/t-1?return_all=true");
        let shown = format!("{request:?}");
        assert_eq!(shown, "RawRequest(\"GET /base/api/cis/tasks/t-1\")");
        let refused = block_on(client.raw("GE T", "/api").send());
        assert!(refused.unwrap_err().message.contains("not an HTTP method"));
    }

    /// Runs a future that completes without I/O.
    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn raw_responses_show_header_names_and_body_size_only() {
        let response = super::RawResponse {
            status: 201,
            headers: vec![("set-cookie".into(), "vmware-api-session-id=s3cr3t".into())],
            body: b"\"s3cr3t\"".to_vec(),
        };
        let shown = format!("{response:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(
            shown.contains("set-cookie") && shown.contains("body_bytes: 8"),
            "{shown}"
        );
    }

    #[test]
    fn debug_never_shows_credentials() {
        let client = Client::new("https://vc.example.com")
            .unwrap()
            .with_session("s3cr3t-session");
        assert!(!format!("{client:?}").contains("s3cr3t"));
    }
}
