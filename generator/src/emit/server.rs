//! IR -> the `server` module (feature `server`): a trait with one method per
//! operation, and an axum router that hands each request to its operation's
//! handler, which authenticates, parses and validates it before the trait
//! sees it.

use super::operations::{method_docs, naming_convention_allowance};
use super::rustdoc::doc_lines;
use super::types::ident;
use crate::ir::{Api, Operation, PathTemplate};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeMap;

/// Items of `src/server.rs`. Each operation's handler is in its own file
/// (`operations::<op>::serve`); the support code is the runtime's.
pub fn server_module(api: &Api) -> Vec<TokenStream> {
    vec![
        quote! {
            //! Server stubs (feature `server`): implement [`Api`] and serve
            //! [`router`]. Requests are authenticated, parsed and validated before
            //! [`Api`] sees them; every failure is answered with a vapi error body.
            // Deprecated operations are still served.
            #![allow(deprecated)]

            pub use crate::runtime::server::{BODY_LIMIT, Violation, Violations};

            use crate::operations as ops;
            use crate::runtime::server::{Incoming, PathParameters, operation_not_found, serve};
            use ::axum::extract::{Request, State};
            use ::axum::response::Response;
            use ::std::future::Future;
            use ::std::sync::Arc;
        },
        api_trait(api),
        quote! {
            /// Every `Api` is the runtime's `Gate`: how the generic request
            /// handling authenticates and authorizes.
            impl<A: Api> crate::runtime::server::Gate for A {
                type Principal = A::Principal;

                fn authenticate(
                    &self,
                    credentials: &crate::wire::Credentials,
                    operation: &crate::wire::OperationInfo,
                ) -> impl Future<Output = Option<A::Principal>> + Send {
                    Api::authenticate(self, credentials, operation)
                }

                fn authorize(
                    &self,
                    principal: &A::Principal,
                    operation: &crate::wire::OperationInfo,
                    object: Option<&str>,
                ) -> impl Future<Output = bool> + Send {
                    Api::authorize(self, principal, operation, object)
                }

                fn challenge(&self) -> String {
                    Api::challenge(self)
                }
            }
        },
        router(api),
    ]
}

fn api_trait(api: &Api) -> TokenStream {
    let methods = api.operations.values().map(|operation| {
        let name = ident(&operation.shape.server_method);
        let docs = doc_lines(&method_docs(operation));
        let module = ident(&operation.rust_name);
        let allowance = naming_convention_allowance(&operation.shape.server_method);
        quote! {
            #docs
            ///
            #allowance
            fn #name(
                &self,
                principal: &Self::Principal,
                request: ops::#module::Request,
            ) -> impl Future<Output = Result<ops::#module::Response, ops::#module::Error>> + Send {
                let _ = (principal, request);
                crate::runtime::server::not_implemented()
            }
        }
    });
    quote! {
        /// What a server implements: authentication, authorization, and one
        /// method per operation. The generated [`router`] calls a method only with
        /// a request that parsed and validated, from a caller who authenticated
        /// and holds the operation's privileges; each method answers with the
        /// operation's response or one of its documented errors.
        ///
        /// An operation method without an implementation answers 500 (a vapi
        /// internal error), so an operation added to the spec does not break
        /// existing servers.
        pub trait Api: Send + Sync + 'static {
            /// Who a caller is, once authenticated.
            type Principal: Send + Sync + 'static;

            /// Checks a caller's credentials for `operation` (whose `security` lists
            /// the schemes it accepts). `None` answers 401 Unauthenticated.
            fn authenticate(
                &self,
                credentials: &crate::wire::Credentials,
                operation: &crate::wire::OperationInfo,
            ) -> impl Future<Output = Option<Self::Principal>> + Send;

            /// Whether `principal` holds `operation.privileges` on `object` (the
            /// value of the operation's privilege scope, when it has one). `false`
            /// answers 403 Unauthorized.
            fn authorize(
                &self,
                principal: &Self::Principal,
                operation: &crate::wire::OperationInfo,
                object: Option<&str>,
            ) -> impl Future<Output = bool> + Send;

            /// The challenge sent with 401 answers (`WWW-Authenticate`).
            fn challenge(&self) -> String {
                "Basic realm=\"VMware vCenter\"".to_owned()
            }

            #(#methods)*
        }
    }
}

/// The router: one route per path, dispatching on the fixed query.
fn router(api: &Api) -> TokenStream {
    // Paths that differ only in parameter names are one axum route.
    let mut groups: BTreeMap<(String, &'static str), Vec<&Operation>> = BTreeMap::new();
    for operation in api.operations.values() {
        groups
            .entry((route_shape(&operation.path), operation.method.as_str()))
            .or_default()
            .push(operation);
    }
    let mut by_path: BTreeMap<String, Vec<(&'static str, usize)>> = BTreeMap::new();
    let mut route_fns = Vec::new();
    for (index, ((_, method), mut operations)) in groups.into_iter().enumerate() {
        // The most specific fixed query first.
        operations.sort_by_key(|operation| std::cmp::Reverse(operation.fixed_query.len()));
        let route_fn = ident(&format!("route_{index}"));
        let dispatch = operations.iter().map(|operation| {
            let op = ident(&operation.rust_name);
            quote! {
                if incoming.matches(ops::#op::OPERATION.fixed_query) {
                    return serve::<A, ops::#op::Endpoint>(&*api, incoming).await;
                }
            }
        });
        route_fns.push(quote! {
            async fn #route_fn<A: Api>(State(api): State<Arc<A>>, path: PathParameters, request: Request) -> Response {
                let incoming = match Incoming::read(path, request).await {
                    Ok(incoming) => incoming,
                    Err(response) => return response,
                };
                #(#dispatch)*
                operation_not_found().await
            }
        });
        // Every operation of the group has the same route.
        let axum_path = axum_route(&operations[0].path);
        by_path.entry(axum_path).or_default().push((method, index));
    }
    let routes = by_path.iter().map(|(path, methods)| {
        let handlers = methods.iter().map(|(method, index)| {
            let filter = ident(method);
            let route_fn = ident(&format!("route_{index}"));
            quote! { .on(::axum::routing::MethodFilter::#filter, #route_fn::<A>) }
        });
        quote! {
            .route(#path, ::axum::routing::MethodRouter::new()#(#handlers)*)
        }
    });
    quote! {
        /// An axum router that serves `api`: every documented path, with unknown
        /// paths and methods answered by a vapi `OPERATION_NOT_FOUND` error.
        pub fn router<A: Api>(api: A) -> ::axum::Router {
            ::axum::Router::new()
                #(#routes)*
                .fallback(operation_not_found)
                .method_not_allowed_fallback(operation_not_found)
                .with_state(Arc::new(api))
        }

        #(#route_fns)*
    }
}

/// `/a/{x}/b` -> `/a/{}/b`: the shape axum routes on.
fn route_shape(path: &PathTemplate) -> String {
    path.with_parameters(|_, _| "{}".to_owned())
}

/// The axum route for a path: parameters renamed `p0`, `p1`, ... (they are
/// read by position, so operations sharing a route may name them differently).
fn axum_route(path: &PathTemplate) -> String {
    path.with_parameters(|position, _| format!("{{p{position}}}"))
}
