//! Fixed support code every generated crate carries.

use proc_macro2::TokenStream;
use quote::quote;

/// `SecretString`: a string whose `Debug` and `Display` never show it.
pub fn secret_module() -> TokenStream {
    quote! {
        //! Secrets: values the spec marks `format: password`.

        use std::fmt;

        /// A secret string (a password, token or session id). It serializes as
        /// the plain string, but `Debug` prints a mask, so secrets do not leak
        /// into logs or error messages. Read it with [`SecretString::expose_secret`].
        #[derive(Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct SecretString(String);

        impl SecretString {
            /// Wraps a secret.
            pub fn new(secret: impl Into<String>) -> Self {
                SecretString(secret.into())
            }

            /// The secret itself; call only where it must be sent.
            pub fn expose_secret(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for SecretString {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("SecretString(***)")
            }
        }

        impl From<String> for SecretString {
            fn from(secret: String) -> Self {
                SecretString(secret)
            }
        }

        impl From<&str> for SecretString {
            fn from(secret: &str) -> Self {
                SecretString(secret.to_owned())
            }
        }
    }
}

/// `wire`: how maps are read from both vAPI wire forms.
pub fn wire_module() -> TokenStream {
    quote! {
        //! Wire-form helpers shared by the generated types.

        use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
        use serde::ser::{Serialize, SerializeSeq, Serializer};
        use serde_json::Value;
        use std::cell::Cell;
        use std::collections::BTreeMap;
        use std::fmt;
        use std::marker::PhantomData;

        /// The credentials of a call: what a client sends, what a server received.
        /// Secrets are [`crate::SecretString`]s, so `Debug` never shows them.
        #[derive(Clone, Debug, Default, PartialEq, Eq)]
        pub enum Credentials {
            /// No credentials.
            #[default]
            None,
            /// A session id from `POST /api/session`, sent as `vmware-api-session-id`.
            SessionId(crate::SecretString),
            /// HTTP basic authentication.
            Basic {
                /// The user name.
                user: String,
                /// The password.
                password: crate::SecretString,
            },
            /// An `Authorization: Bearer` token.
            Bearer(crate::SecretString),
        }

        /// A parameter value as text for a path, query or header: strings as they
        /// are, anything else as its JSON text.
        pub fn parameter_text<T: Serialize>(value: &T) -> String {
            match to_json(value, false) {
                Value::String(text) => text,
                other => other.to_string(),
            }
        }

        /// Where an operation lives and what it needs, from the spec.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct OperationInfo {
            /// The spec's `operationId`.
            pub operation_id: &'static str,
            /// HTTP method.
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
            /// Whether it uses the legacy `/rest` wire form.
            pub legacy_rest: bool,
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
                Unexpected { status: None, headers: Vec::new(), body: Vec::new(), message: message.into() }
            }
        }

        /// Headers that may carry credentials; their values are never printed.
        const SENSITIVE_HEADERS: &[&str] =
            &["authorization", "cookie", "set-cookie", "vmware-api-session-id", "proxy-authorization"];

        impl fmt::Debug for Unexpected {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let headers: Vec<(&str, &str)> = self
                    .headers
                    .iter()
                    .map(|(name, value)| {
                        let sensitive = SENSITIVE_HEADERS.contains(&name.to_ascii_lowercase().as_str());
                        (name.as_str(), if sensitive { "***" } else { value.as_str() })
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

        /// The prefix of legacy `/rest` error type names.
        const LEGACY_ERROR_PREFIX: &str = "com.vmware.vapi.std.errors.";

        /// An error body split into its `error_type` and its fields, from either
        /// wire form: `{"error_type": ..., ...}` or `{"type": "com.vmware.vapi.std.errors.x", "value": {...}}`.
        pub fn split_error_body(body: &[u8], legacy_rest: bool) -> Option<(Option<String>, Value)> {
            let value: Value = serde_json::from_slice(body).ok()?;
            if legacy_rest {
                let object = value.as_object()?;
                let error_type = object
                    .get("type")
                    .and_then(Value::as_str)
                    .map(|name| name.strip_prefix(LEGACY_ERROR_PREFIX).unwrap_or(name).to_ascii_uppercase());
                let inner = object.get("value")?.clone();
                inner.is_object().then_some((error_type, inner))
            } else {
                let error_type = value.get("error_type").and_then(Value::as_str).map(str::to_owned);
                value.is_object().then_some((error_type, value))
            }
        }

        /// Reads an error's fields into its type; the `error_type` (which the legacy
        /// form carries outside the fields) is put in, so both forms read alike.
        pub fn decode_error_value<T: serde::de::DeserializeOwned>(error_type: Option<&str>, mut value: Value) -> Result<T, String> {
            if let (Some(error_type), Some(object)) = (error_type, value.as_object_mut()) {
                object.entry("error_type").or_insert_with(|| Value::String(error_type.to_owned()));
            }
            serde_json::from_value(value).map_err(|error| format!("the error body does not match its schema: {error}"))
        }

        /// The first message of an error, for display.
        pub fn first_message<T: Serialize>(error: &T) -> String {
            let value = to_json(error, false);
            value
                .pointer("/messages/0/default_message")
                .and_then(Value::as_str)
                .unwrap_or("(no message)")
                .to_owned()
        }

        /// The body of an internal server error.
        pub fn internal_error(message: &str, legacy_rest: bool) -> Value {
            let error = serde_json::json!({
                "messages": [{
                    "id": "vapi.server.internal_error",
                    "default_message": format!("Internal server error: {message}"),
                    "args": [message],
                }],
            });
            encode_error(Some("INTERNAL_SERVER_ERROR"), &error, legacy_rest)
        }

        /// An error as it goes on the wire: with its `error_type` set, or in the
        /// legacy `{type, value}` envelope with maps as key/value lists. Without an
        /// `error_type` argument, the error's own (or `ERROR`) is used.
        pub fn encode_error<T: Serialize>(error_type: Option<&str>, error: &T, legacy_rest: bool) -> Value {
            let mut value = to_json(error, legacy_rest);
            let error_type = error_type
                .map(str::to_owned)
                .or_else(|| value.get("error_type").and_then(Value::as_str).map(str::to_owned))
                .unwrap_or_else(|| "ERROR".to_owned());
            let error_type = error_type.as_str();
            if legacy_rest {
                if let Some(object) = value.as_object_mut() {
                    object.remove("error_type");
                }
                serde_json::json!({
                    "type": format!("{LEGACY_ERROR_PREFIX}{}", error_type.to_ascii_lowercase()),
                    "value": value,
                })
            } else {
                if let Some(object) = value.as_object_mut() {
                    object.insert("error_type".into(), Value::String(error_type.to_owned()));
                }
                value
            }
        }

        /// A success body as it goes on the wire (legacy: wrapped in `{"value": ...}`).
        pub fn encode_success<T: Serialize>(value: &T, legacy_rest: bool) -> Value {
            let value = to_json(value, legacy_rest);
            if legacy_rest { serde_json::json!({ "value": value }) } else { value }
        }

        /// A success body from the wire (legacy: unwrapped from `{"value": ...}`).
        pub fn decode_success<T: serde::de::DeserializeOwned>(body: &[u8], legacy_rest: bool) -> Result<T, String> {
            if legacy_rest {
                #[derive(serde::Deserialize)]
                struct Envelope<T> {
                    value: T,
                }
                serde_json::from_slice::<Envelope<T>>(body).map(|e| e.value).map_err(|e| e.to_string())
            } else {
                serde_json::from_slice(body).map_err(|e| e.to_string())
            }
        }

        thread_local! {
            /// Set while serializing for the legacy wire form.
            static LEGACY_MAPS: Cell<bool> = const { Cell::new(false) };
        }

        /// Serializes `value` to JSON; for the legacy form, maps become key/value lists.
        pub fn to_json<T: Serialize>(value: &T, legacy_rest: bool) -> Value {
            let previous = LEGACY_MAPS.with(|flag| flag.replace(legacy_rest));
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
                    list.serialize_element(&serde_json::json!({ "key": key, "value": to_json(value, true) }))?;
                }
                list.end()
            } else {
                map.serialize(serializer)
            }
        }

        /// [`serialize_map`] for an optional property.
        pub fn serialize_optional_map<S, V>(map: &Option<BTreeMap<String, V>>, serializer: S) -> Result<S::Ok, S::Error>
        where
            S: Serializer,
            V: Serialize,
        {
            match map {
                Some(map) => serialize_map(map, serializer),
                None => serializer.serialize_none(),
            }
        }

        /// Reads a map from either vAPI wire form: a JSON object (the `/api`
        /// form) or a list of `{"key": k, "value": v}` entries (the legacy
        /// `/rest` form). Maps are always written as JSON objects.
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

        #[derive(serde::Deserialize)]
        struct Entry<V> {
            key: String,
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
                while let Some(entry) = access.next_element::<Entry<V>>()? {
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
    }
}

/// The fixed part of `src/client.rs`: the client type, its builder, and sending.
pub fn client_support(replaces_star_hosts: bool) -> TokenStream {
    let replace_star_host = replaces_star_hosts.then(|| {
        quote! {
            impl Client {
                /// A URL whose host is `*` (as vCenter answers for guest transfers)
                /// gets the host this client called.
                fn replace_star_host(&self, url: String) -> String {
                    let host = match (self.base.host_str(), self.base.port()) {
                        (Some(host), Some(port)) => format!("{host}:{port}"),
                        (Some(host), None) => host.to_owned(),
                        (None, _) => return url,
                    };
                    for scheme in ["https://", "http://"] {
                        if let Some(rest) = url.strip_prefix(scheme).and_then(|rest| rest.strip_prefix('*')) {
                            // Keep a port the server gave; otherwise use ours.
                            let host = if rest.starts_with(':') { host.split(':').next().unwrap_or_default().to_owned() } else { host };
                            return format!("{scheme}{host}{rest}");
                        }
                    }
                    url
                }
            }
        }
    });
    quote! {
        //! An async client (feature `client`): one method per operation, each
        //! returning the operation's response or its closed set of errors.
        //!
        //! ```no_run
        //! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
        //! let client = vsphere_api::client::Client::new("https://vcenter.example.com")?;
        //! let client = client.login("administrator@vsphere.local", "secret").await?;
        //! # let _ = client; Ok(()) }
        //! ```
        // Deprecated operations are still callable; their methods carry the warning.
        #![allow(deprecated)]

        use crate::wire::{Credentials, Unexpected};
        use std::fmt;
        use std::time::Duration;

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
        #[derive(Debug)]
        pub struct ClientBuilder {
            base_url: String,
            timeout: Duration,
            connect_timeout: Duration,
            credentials: Credentials,
            accept_invalid_certs: bool,
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
            pub fn credentials(mut self, credentials: Credentials) -> Self {
                self.credentials = credentials;
                self
            }

            /// Accepts any server certificate (vCenter's self-signed one, in a lab).
            /// This disables the protection TLS gives; never use it in production.
            pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Self {
                self.accept_invalid_certs = accept;
                self
            }

            /// Builds the client.
            pub fn build(self) -> Result<Client, BuildError> {
                let base = reqwest::Url::parse(&self.base_url)
                    .map_err(|error| BuildError(format!("base URL `{}`: {error}", self.base_url)))?;
                if base.cannot_be_a_base() || base.host_str().is_none() {
                    return Err(BuildError(format!("base URL `{}` has no host", self.base_url)));
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
                Ok(Client { http, base, credentials: self.credentials })
            }
        }

        /// A connection to one vCenter Server. Cloning is cheap and shares the
        /// connection pool.
        #[derive(Clone)]
        pub struct Client {
            http: reqwest::Client,
            base: reqwest::Url,
            credentials: Credentials,
        }

        impl fmt::Debug for Client {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct("Client")
                    .field("base", &self.base.as_str())
                    .field("credentials", &self.credentials)
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
                    credentials: Credentials::None,
                    accept_invalid_certs: false,
                }
            }

            /// A client of the server at `base_url` with default settings and no credentials.
            pub fn new(base_url: impl Into<String>) -> Result<Self, BuildError> {
                Self::builder(base_url).build()
            }

            /// The same client (sharing its connections) with other credentials.
            pub fn with_credentials(&self, credentials: Credentials) -> Self {
                Client { credentials, ..Clone::clone(self) }
            }

            /// The server's base URL.
            pub fn base_url(&self) -> &str {
                self.base.as_str()
            }

            /// Generates a `Client-Token`: a fresh UUID, so that a retried creation
            /// request is carried out once.
            pub fn new_client_token() -> String {
                uuid::Uuid::new_v4().to_string()
            }

            fn url(&self, template: &str, path_parameters: &[(&str, String)]) -> reqwest::Url {
                let mut path = template.to_owned();
                for (name, value) in path_parameters {
                    let encoded = percent_encoding::utf8_percent_encode(value, PATH_SEGMENT).to_string();
                    path = path.replace(&format!("{{{name}}}"), &encoded);
                }
                let mut url = self.base.clone();
                let base_path = url.path().trim_end_matches('/').to_owned();
                url.set_path(&format!("{base_path}{path}"));
                url.set_query(None);
                url
            }

            fn request(&self, method: &str, url: reqwest::Url) -> reqwest::RequestBuilder {
                let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
                let builder = self.http.request(method, url).header("Accept", "application/json");
                match &self.credentials {
                    Credentials::None => builder,
                    Credentials::SessionId(session) => builder.header("vmware-api-session-id", session.expose_secret()),
                    Credentials::Basic { user, password } => builder.basic_auth(user, Some(password.expose_secret())),
                    Credentials::Bearer(token) => builder.bearer_auth(token.expose_secret()),
                }
            }

            /// Sends a request; any failure to get a whole response is an [`Unexpected`].
            async fn send(&self, builder: reqwest::RequestBuilder) -> Result<(u16, Vec<(String, String)>, Vec<u8>), Unexpected> {
                let mut response = builder.send().await.map_err(|error| Unexpected::transport(error_chain(&error)))?;
                let status = response.status().as_u16();
                let headers: Vec<(String, String)> = response
                    .headers()
                    .iter()
                    .map(|(name, value)| (name.to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
                    .collect();
                // A body announced larger than the cap is refused before any of it is read.
                if let Some(length) = response.content_length().filter(|length| *length > MAX_RESPONSE_BYTES as u64) {
                    return Err(Unexpected {
                        status: Some(status),
                        headers,
                        body: Vec::new(),
                        message: format!("response body larger than {MAX_RESPONSE_BYTES} bytes (Content-Length {length})"),
                    });
                }
                let mut body = Vec::new();
                loop {
                    match response.chunk().await {
                        Ok(Some(chunk)) if body.len() + chunk.len() > MAX_RESPONSE_BYTES => {
                            return Err(Unexpected {
                                status: Some(status),
                                headers,
                                body,
                                message: format!("response body larger than {MAX_RESPONSE_BYTES} bytes"),
                            });
                        }
                        Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                        Ok(None) => return Ok((status, headers, body)),
                        Err(error) => {
                            return Err(Unexpected { status: Some(status), headers, body, message: error_chain(&error) });
                        }
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

        /// Characters escaped in a path segment: everything but unreserved ones.
        const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
            .remove(b'-')
            .remove(b'.')
            .remove(b'_')
            .remove(b'~');

        #replace_star_host
    }
}

/// The fixed part of `src/server.rs`: reading, parsing and validating requests,
/// and answering with vapi errors.
pub fn server_support() -> TokenStream {
    quote! {
        //! Server stubs (feature `server`): implement [`Api`] and serve
        //! [`router`]. Requests are authenticated, parsed and validated before
        //! [`Api`] sees them; every failure is answered with a vapi error body.
        // Deprecated operations are still served.
        #![allow(deprecated)]

        use crate::wire::{Credentials, OperationInfo};
        use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
        use axum::response::{IntoResponse, Response};
        use serde_json::{Value, json};
        use std::collections::BTreeMap;

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
            /// Records a problem.
            pub fn push(&mut self, location: &str, message: impl Into<String>) {
                self.0.push(Violation { location: location.to_owned(), message: message.into() });
            }

            /// Whether nothing is wrong.
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }

            /// The 400 InvalidArgument answer, with `ArgumentLocations` naming the fields.
            pub fn into_response(self, legacy_rest: bool) -> Response {
                let mut violations = self.0;
                if violations.is_empty() {
                    violations.push(Violation { location: String::new(), message: "the request is not valid".into() });
                }
                let messages: Vec<Value> = violations
                    .iter()
                    .map(|v| {
                        let text = if v.location.is_empty() { v.message.clone() } else { format!("{}: {}", v.location, v.message) };
                        json!({ "id": "vapi.invalid_argument", "default_message": text, "args": [v.location, v.message] })
                    })
                    .collect();
                let secondary: Vec<&str> = violations.iter().skip(1).map(|v| v.location.as_str()).collect();
                let error = json!({
                    "messages": messages,
                    "data": { "primary": violations.first().map(|v| v.location.as_str()), "secondary": secondary },
                });
                respond(400, Some(crate::wire::encode_error(Some("INVALID_ARGUMENT"), &error, legacy_rest)))
            }
        }

        /// Checks what the spec constrains beyond a value's Rust type: enum
        /// values this version knows, and string formats.
        pub trait Validate {
            /// Records each problem of `self`, found at `location`.
            fn validate(&self, location: &str, violations: &mut Violations);
        }

        macro_rules! no_constraints {
            ($($ty:ty),*) => { $(impl Validate for $ty { fn validate(&self, _: &str, _: &mut Violations) {} })* };
        }
        no_constraints!(String, bool, i32, i64, f32, f64, Value, crate::SecretString);

        impl<T: Validate> Validate for Option<T> {
            fn validate(&self, location: &str, violations: &mut Violations) {
                if let Some(value) = self {
                    value.validate(location, violations);
                }
            }
        }

        impl<T: Validate> Validate for Box<T> {
            fn validate(&self, location: &str, violations: &mut Violations) {
                (**self).validate(location, violations);
            }
        }

        impl<T: Validate> Validate for Vec<T> {
            fn validate(&self, location: &str, violations: &mut Violations) {
                for (index, value) in self.iter().enumerate() {
                    value.validate(&format!("{location}[{index}]"), violations);
                }
            }
        }

        impl<T: Validate> Validate for BTreeMap<String, T> {
            fn validate(&self, location: &str, violations: &mut Violations) {
                for (key, value) in self {
                    value.validate(&child(location, key), violations);
                }
            }
        }

        /// `location.name`, or `name` at the top.
        pub fn child(location: &str, name: &str) -> String {
            if location.is_empty() { name.to_owned() } else { format!("{location}.{name}") }
        }

        /// A `format: uri` string must be an absolute URI.
        pub fn check_uri(value: &str, location: &str, violations: &mut Violations) {
            if let Err(error) = url::Url::parse(value) {
                violations.push(location, format!("`{value}` is not a URI: {error}"));
            }
        }

        /// A `format: date-time` string must be RFC 3339.
        pub fn check_date_time(value: &str, location: &str, violations: &mut Violations) {
            let format = time::format_description::well_known::Rfc3339;
            if let Err(error) = time::OffsetDateTime::parse(value, &format) {
                violations.push(location, format!("`{value}` is not an RFC 3339 date-time: {error}"));
            }
        }

        /// A `format: uuid` string (such as a `Client-Token`) must be a UUID.
        pub fn check_uuid(value: &str, location: &str, violations: &mut Violations) {
            if let Err(error) = uuid::Uuid::parse_str(value) {
                violations.push(location, format!("`{value}` is not a UUID: {error}"));
            }
        }

        /// Parses a parameter's text: as a string first (strings, enums), then as
        /// JSON (numbers, booleans). A missing required parameter is a violation.
        pub fn parse_parameter<T: serde::de::DeserializeOwned>(
            raw: Option<&str>,
            location: &str,
            required: bool,
            violations: &mut Violations,
        ) -> Option<T> {
            let Some(raw) = raw else {
                if required {
                    violations.push(location, "the parameter is required");
                }
                return None;
            };
            if let Ok(value) = serde_json::from_value(Value::String(raw.to_owned())) {
                return Some(value);
            }
            match serde_json::from_str(raw) {
                Ok(value) => Some(value),
                Err(error) => {
                    violations.push(location, format!("`{raw}` is not a valid value: {error}"));
                    None
                }
            }
        }

        /// Reads JSON into a type, recording where it does not fit (e.g. `spec.location: invalid type`).
        pub fn parse_value<T: serde::de::DeserializeOwned>(value: Value, location: &str, violations: &mut Violations) -> Option<T> {
            match serde_path_to_error::deserialize::<_, T>(value) {
                Ok(value) => Some(value),
                Err(error) => {
                    let path = error.path().to_string();
                    let at = match (location.is_empty(), path.as_str()) {
                        (_, ".") => location.to_owned(),
                        (true, path) => path.to_owned(),
                        (false, path) => child(location, path),
                    };
                    violations.push(&at, error.into_inner().to_string());
                    None
                }
            }
        }

        /// One named argument of a legacy `/rest` body envelope.
        pub fn argument<T: serde::de::DeserializeOwned>(
            body: Option<&Value>,
            name: &str,
            required: bool,
            violations: &mut Violations,
        ) -> Option<T> {
            match body.and_then(|body| body.get(name)).filter(|value| !value.is_null()) {
                Some(value) => parse_value(value.clone(), name, violations),
                None => {
                    if required && body.is_some() {
                        violations.push(name, "the argument is required");
                    }
                    None
                }
            }
        }

        /// The value at a dotted property path of the body, as text (for the privilege scope).
        pub fn scope_in_body(body: Option<&Value>, path: &str) -> Option<String> {
            let mut value = body?;
            for segment in path.split('.') {
                value = value.get(segment)?;
            }
            match value {
                Value::String(text) => Some(text.clone()),
                Value::Null => None,
                other => Some(other.to_string()),
            }
        }

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
                path: Result<axum::extract::RawPathParams, axum::extract::rejection::RawPathParamsRejection>,
                request: axum::extract::Request,
            ) -> Result<Self, Response> {
                let path = match path {
                    Ok(params) => params.iter().map(|(_, value)| value.to_owned()).collect(),
                    Err(rejection) => {
                        let mut violations = Violations::default();
                        violations.push("path", rejection.body_text());
                        return Err(violations.into_response(false));
                    }
                };
                let (parts, body) = request.into_parts();
                let query = parts
                    .uri
                    .query()
                    .map(|query| url::form_urlencoded::parse(query.as_bytes()).into_owned().collect())
                    .unwrap_or_default();
                let body = match axum::body::to_bytes(body, BODY_LIMIT).await {
                    Ok(body) => body,
                    Err(_) => {
                        let mut violations = Violations::default();
                        violations.push("body", format!("the request body is larger than {BODY_LIMIT} bytes or could not be read"));
                        return Err(violations.into_response(false));
                    }
                };
                Ok(Incoming { path, query, headers: parts.headers, body })
            }

            /// Whether the query holds every pair of an operation's fixed query.
            pub fn matches(&self, fixed_query: &[(&str, &str)]) -> bool {
                fixed_query.iter().all(|(name, value)| self.query.iter().any(|(n, v)| n == name && v == value))
            }

            /// The path parameter at `position` in the template.
            pub fn path_value(&self, position: usize) -> Option<&str> {
                self.path.get(position).map(String::as_str)
            }

            /// The first query value named `name`.
            pub fn query_value(&self, name: &str) -> Option<&str> {
                self.query.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
            }

            /// A header's value, if it is text.
            pub fn header_value(&self, name: &str) -> Option<&str> {
                self.headers.get(name).and_then(|value| value.to_str().ok())
            }

            /// A cookie's value.
            pub fn cookie_value(&self, name: &str) -> Option<&str> {
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
                let Some(authorization) = self.header_value("authorization") else { return Credentials::None };
                let (scheme, value) = authorization.split_once(' ').unwrap_or((authorization, ""));
                if scheme.eq_ignore_ascii_case("bearer") {
                    return Credentials::Bearer(value.trim().into());
                }
                if scheme.eq_ignore_ascii_case("basic") {
                    use base64::Engine;
                    let decoded = base64::engine::general_purpose::STANDARD.decode(value.trim()).ok();
                    let text = decoded.and_then(|bytes| String::from_utf8(bytes).ok());
                    if let Some((user, password)) = text.as_deref().and_then(|t| t.split_once(':')) {
                        return Credentials::Basic { user: user.to_owned(), password: password.into() };
                    }
                }
                Credentials::None
            }

            /// The body as JSON; a missing required body or bad JSON is a violation.
            pub fn json_body(&self, required: bool, violations: &mut Violations) -> Option<Value> {
                if self.body.iter().all(u8::is_ascii_whitespace) {
                    if required {
                        violations.push("body", "a request body is required");
                    }
                    return None;
                }
                match serde_json::from_slice(&self.body) {
                    Ok(value) => Some(value),
                    Err(error) => {
                        violations.push("body", format!("malformed JSON: {error}"));
                        None
                    }
                }
            }
        }

        /// A JSON answer with `status`.
        pub fn respond(status: u16, body: Option<Value>) -> Response {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            match body {
                Some(body) => (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response(),
                None => status.into_response(),
            }
        }

        /// 401 Unauthenticated, with the challenge in the body and in `WWW-Authenticate`.
        pub fn unauthenticated(challenge: &str, legacy_rest: bool) -> Response {
            let error = json!({
                "messages": [{
                    "id": "vapi.security.authentication.invalid",
                    "default_message": "Unable to authenticate user",
                    "args": [],
                }],
                "challenge": challenge,
            });
            let mut response = respond(401, Some(crate::wire::encode_error(Some("UNAUTHENTICATED"), &error, legacy_rest)));
            if let Ok(value) = HeaderValue::from_str(challenge) {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
            }
            response
        }

        /// 403 Unauthorized: the caller lacks a privilege the operation requires.
        pub fn unauthorized(operation: &OperationInfo, object: Option<&str>, legacy_rest: bool) -> Response {
            let privileges = operation.privileges.join(", ");
            let on = object.map(|object| format!(" on {object}")).unwrap_or_default();
            let error = json!({
                "messages": [{
                    "id": "vapi.security.authorization.invalid",
                    "default_message": format!("Permission denied: {} requires {privileges}{on}", operation.operation_id),
                    "args": [operation.operation_id, privileges],
                }],
            });
            respond(403, Some(crate::wire::encode_error(Some("UNAUTHORIZED"), &error, legacy_rest)))
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
            respond(404, Some(crate::wire::encode_error(Some("OPERATION_NOT_FOUND"), &error, false)))
        }
    }
}
