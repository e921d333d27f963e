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
pub fn client_support() -> TokenStream {
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
                Client { credentials, ..self.clone() }
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

            fn json_body(&self, builder: reqwest::RequestBuilder, body: &serde_json::Value) -> reqwest::RequestBuilder {
                builder.header("Content-Type", "application/json").body(body.to_string())
            }

            /// Sends a request; any failure to get a whole response is an [`Unexpected`].
            async fn send(&self, builder: reqwest::RequestBuilder) -> Result<(u16, Vec<(String, String)>, Vec<u8>), Unexpected> {
                let mut response = builder.send().await.map_err(|error| Unexpected::transport(error.to_string()))?;
                let status = response.status().as_u16();
                let headers: Vec<(String, String)> = response
                    .headers()
                    .iter()
                    .map(|(name, value)| (name.to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
                    .collect();
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
                            return Err(Unexpected { status: Some(status), headers, body, message: error.to_string() });
                        }
                    }
                }
            }

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

        /// Characters escaped in a path segment: everything but unreserved ones.
        const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
            .remove(b'-')
            .remove(b'.')
            .remove(b'_')
            .remove(b'~');
    }
}
