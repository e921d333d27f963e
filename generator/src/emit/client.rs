//! IR operations -> the `client` module (feature `client`): the runtime's
//! client re-exported where users look for it, its docs, and the `login`
//! helper. Each operation's method is in the operation's own file.

use super::scope::Scope;
use super::types::ident;
use crate::ir::{Api, Operation, TypeRef};
use proc_macro2::TokenStream;
use quote::quote;

/// The operationId of vSphere's session login, which gets a `login` helper.
const SESSION_CREATE: &str = "Cis.Session_create";
/// Its legacy `/rest` form, the only one before vSphere 7.
const SESSION_CREATE_LEGACY: &str = "Cis.Session_create_rest";
/// vSphere's logout, which gets a `logout` helper.
const SESSION_DELETE: &str = "Cis.Session_delete";
/// Its legacy `/rest` form.
const SESSION_DELETE_LEGACY: &str = "Cis.Session_delete_rest";

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
                MAX_RESPONSE_BYTES, RawRequest, RawResponse, RetryPolicy,
            };
            pub use crate::runtime::task::{TaskError, TaskOperation, WaitOptions};
        },
        login(api).unwrap_or_default(),
        task_results(api),
    ]
}

/// `TaskOperation` for every task operation whose spec names its result type
/// (`x-vapi-task-result`), so that `Client::wait` returns that type.
fn task_results(api: &Api) -> TokenStream {
    let scope = Scope::outside_types(Vec::new());
    let impls = api.operations.values().filter_map(|operation| {
        let output = operation.task_result.as_ref()?;
        // A result type left out of this release (or the id not a `TaskId`) gets no impl.
        let known = match output {
            TypeRef::Named(path) => api.types.contains_key(path),
            _ => true,
        };
        if !(known && operation.shape.successes.iter().all(|s| s.is_task_id)) {
            return None;
        }
        let op = ident(&operation.rust_name);
        let output = scope.ty(output);
        Some(quote! {
            impl crate::runtime::task::TaskOperation for crate::operations::#op::Endpoint {
                type Output = #output;
            }
        })
    });
    quote! { #(#impls)* }
}

/// The operation with `operation_id` that takes no arguments, if the spec has it.
fn session_operation<'a>(api: &'a Api, operation_id: &str) -> Option<&'a Operation> {
    api.operations
        .values()
        .find(|operation| operation.operation_id == operation_id)
        .filter(|operation| operation.shape.request_fields.is_empty())
}

/// Whether `operation` answers with a string (the session id), secret or not.
fn returns_string(operation: &Operation) -> bool {
    matches!(
        operation.shape.successes.as_slice(),
        [success] if matches!(success.body, Some(TypeRef::String(_)))
    )
}

/// `Client::login`, when the spec has vSphere's session create as this
/// generator knows it: no arguments, a string (the session id) back. With the
/// legacy form in the spec too, login falls back to it where the server has
/// no `/api/session` (vCenter 6.5 and 6.7, govmomi's vcsim).
fn login(api: &Api) -> Option<TokenStream> {
    let operation = session_operation(api, SESSION_CREATE).filter(|op| returns_string(op))?;
    let op = ident(&operation.rust_name);
    let method = ident(&operation.shape.client_method);
    let legacy = session_operation(api, SESSION_CREATE_LEGACY).filter(|op| returns_string(op));
    let (fallback, doc) = match legacy {
        Some(legacy) => {
            let legacy_op = ident(&legacy.rust_name);
            let legacy_method = ident(&legacy.shape.client_method);
            (
                quote! {
                    // No `/api` here (404): an older vCenter, which has only the legacy form.
                    Err(error) if crate::runtime::wire::error_status(&error) == 404 => {
                        let session = basic
                            .#legacy_method(crate::operations::#legacy_op::Request::new())
                            .await
                            .map_err(crate::runtime::client::convert_error::<_, crate::operations::#op::Error>)?;
                        basic.with_checked_session(session, crate::wire::WireForm::LegacyRest)
                            .map_err(<crate::operations::#op::Error as crate::wire::OperationError>::unexpected)
                    }
                },
                &[
                    "",
                    " When the server has no `/api/session` (it answers 404, as vCenter",
                    " 6.5 and 6.7 and govmomi's vcsim do), the legacy",
                    " `POST /rest/com/vmware/cis/session` is used instead, and its errors",
                    " are reported as this operation's. The client remembers which form",
                    " worked: [`Client::session_form`], which `logout` uses too.",
                ][..],
            )
        }
        None => (quote! {}, &[][..]),
    };
    let docs = [
        " Logs in with a user name and password (`POST /api/session` with basic",
        " authentication) and returns a client that sends the new session id in",
        " `vmware-api-session-id`. A session id that cannot be sent in that header",
        " is an `Unexpected` error.",
        "",
        " A client built with [`ClientBuilder::renew_session`] keeps the password",
        " (as a `SecretString`) and logs in again, once per call, when the",
        " session has expired (401 UNAUTHENTICATED).",
    ]
    .iter()
    .chain(doc);
    let logout = logout(api);
    Some(quote! {
        impl Client {
            #( #[doc = #docs] )*
            pub async fn login(
                &self,
                user: impl Into<String>,
                password: impl Into<crate::SecretString>,
            ) -> Result<Client, crate::operations::#op::Error> {
                let basic = self.with_credentials(crate::wire::Auth::Basic { user: user.into(), password: password.into() });
                match basic.#method(crate::operations::#op::Request::new()).await {
                    // A session id that cannot travel in a header is refused here, not on every later call.
                    // From `basic`: a client built with `renew_session` keeps the password to log in again.
                    Ok(session) => basic
                        .with_checked_session(session, crate::wire::WireForm::Api)
                        .map_err(<crate::operations::#op::Error as crate::wire::OperationError>::unexpected),
                    #fallback
                    Err(error) => Err(error),
                }
            }

            #logout
        }
    })
}

/// `Client::logout`, when the spec has vSphere's session delete: through the
/// form of the login that issued the session (the legacy one when the spec
/// has it and the session came from it).
fn logout(api: &Api) -> Option<TokenStream> {
    let operation = session_operation(api, SESSION_DELETE)?;
    let op = ident(&operation.rust_name);
    let method = ident(&operation.shape.client_method);
    let call = quote! { self.#method(crate::operations::#op::Request::new()).await };
    let body = match session_operation(api, SESSION_DELETE_LEGACY) {
        Some(legacy) => {
            let legacy_op = ident(&legacy.rust_name);
            let legacy_method = ident(&legacy.shape.client_method);
            quote! {
                if self.session_form() == crate::wire::WireForm::LegacyRest {
                    self.#legacy_method(crate::operations::#legacy_op::Request::new())
                        .await
                        .map_err(crate::runtime::client::convert_error)
                } else {
                    #call
                }
            }
        }
        None => call,
    };
    Some(quote! {
        /// Logs out: ends this client's session (`DELETE /api/session`, or
        /// its legacy `/rest` form for a session the legacy login issued), so
        /// that its session id is no longer accepted.
        pub async fn logout(&self) -> Result<(), crate::operations::#op::Error> {
            #body
        }
    })
}
