//! IR operations -> the `client` module (feature `client`): the runtime's
//! client re-exported where users look for it, its docs, and the `login`
//! helper. Each operation's method is in the operation's own file.

use super::types::ident;
use crate::ir::{Api, TypeRef};
use proc_macro2::TokenStream;
use quote::quote;

/// The operationId of vSphere's session login, which gets a `login` helper.
const SESSION_CREATE: &str = "Cis.Session_create";

/// Items of `src/client.rs`; `crate_name` is the generated crate's package name.
pub fn client_module(api: &Api, crate_name: &str) -> Vec<TokenStream> {
    let krate = crate_name.replace('-', "_");
    let example = [
        "```no_run".to_owned(),
        "# async fn example() -> Result<(), Box<dyn std::error::Error>> {".to_owned(),
        format!("let client = {krate}::client::Client::new(\"https://vcenter.example.com\")?;"),
        "let client = client.login(\"administrator@vsphere.local\", \"secret\").await?;".to_owned(),
        "# let _ = client; Ok(()) }".to_owned(),
        "```".to_owned(),
    ];
    let has_login = login(api).is_some();
    let example = has_login.then(|| {
        let lines = example.iter().map(|line| format!(" {line}"));
        quote! { #![doc = ""] #( #![doc = #lines] )* }
    });
    vec![
        quote! {
            //! An async client (feature `client`): one method per operation, each
            //! returning the operation's response or its closed set of errors.
            #example
            // Deprecated operations are still callable; their methods carry the warning.
            #![allow(deprecated)]

            pub use crate::runtime::client::{
                BuildError, Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT,
                MAX_RESPONSE_BYTES,
            };
        },
        login(api).unwrap_or_default(),
    ]
}

/// `Client::login`, when the spec has vSphere's session create as this
/// generator knows it: no arguments, a string (the session id) back.
fn login(api: &Api) -> Option<TokenStream> {
    let operation = api
        .operations
        .values()
        .find(|operation| operation.operation_id == SESSION_CREATE)
        .filter(|operation| operation.shape.request_fields.is_empty())?;
    // A string session id, secret or not: `with_session` takes either.
    let [success] = operation.shape.successes.as_slice() else {
        return None;
    };
    let Some(TypeRef::String(_)) = &success.body else {
        return None;
    };
    let op = ident(&operation.rust_name);
    let method = ident(&operation.shape.client_method);
    Some(quote! {
        impl Client {
            /// Logs in with a user name and password (`POST /api/session` with
            /// basic authentication) and returns a client that sends the new
            /// session id in `vmware-api-session-id`. A session id that cannot be
            /// sent in that header is an `Unexpected` error.
            pub async fn login(
                &self,
                user: impl Into<String>,
                password: impl Into<crate::SecretString>,
            ) -> Result<Client, crate::operations::#op::Error> {
                let basic = self.with_credentials(crate::wire::Credentials::Basic { user: user.into(), password: password.into() });
                let session = basic.#method(crate::operations::#op::Request::new()).await?;
                // A session id that cannot travel in a header is refused here, not on every later call.
                self.with_checked_session(session)
                    .map_err(<crate::operations::#op::Error as crate::wire::OperationError>::unexpected)
            }
        }
    })
}
