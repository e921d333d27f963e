//! IR -> the `server` module (feature `server`): a trait with one method per
//! operation (also implemented for `Arc<T>`), and an axum router with a
//! session store that hands each request to its operation's handler, which
//! authenticates, authorizes, parses and validates it before the trait sees it.

use super::operations::{method_docs, naming_convention_allowance};
use super::rustdoc::doc_lines;
use super::types::ident;
use crate::ir::{Api, Operation, PathTemplate, TypeRef};
use crate::shape::Success;
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeMap;

/// The operationId of vSphere's session create, whose default body issues a
/// session of the router's store.
const SESSION_CREATE: &str = "Cis.Session_create";

/// Items of `src/server.rs`. Each operation's handler is in its own file
/// (`operations::<op>::serve`); the support code is the runtime's.
/// `crate_name` is the generated crate's package name (for the doc example).
pub fn server_module(api: &Api, crate_name: &str) -> Vec<TokenStream> {
    let docs = module_docs(api, crate_name);
    vec![
        quote! {
            #(#![doc = #docs])*
            // Deprecated operations are still served.
            #![allow(deprecated)]

            pub use crate::runtime::server::{
                BODY_LIMIT, DEFAULT_BODY_TIMEOUT, DEFAULT_HEADER_TIMEOUT, DEFAULT_MAX_CONNECTIONS,
                MAX_VIOLATIONS, MemorySessions, RequestContext, Server, SessionStore, Violation,
                Violations,
            };

            use crate::operations as ops;
            use crate::runtime::server::{Incoming, PathParameters, Served, operation_not_found, serve};
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
                    credentials: &crate::wire::Auth,
                    operation: &crate::wire::OperationInfo,
                ) -> impl Future<Output = Option<A::Principal>> + Send {
                    Api::authenticate(self, credentials, operation)
                }

                fn authenticate_request(
                    &self,
                    request: &RequestContext<'_>,
                    operation: &crate::wire::OperationInfo,
                ) -> impl Future<Output = Option<A::Principal>> + Send {
                    Api::authenticate_request(self, request, operation)
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
        arc_impl(api),
        router(api),
    ]
}

/// The server module's docs: how a request is handled, how credentials flow,
/// and an example (a doctest, compiled with the crate's doc tests).
fn module_docs(api: &Api, crate_name: &str) -> Vec<String> {
    let krate = crate_name.replace('-', "_");
    let session_create = session_create(api).map(|operation| {
        format!(
            "On `{} {}` ([`Api::{}`]), unless your `Api` overrides that method, the\n\
             router issues a random 128-bit session id for the authenticated caller\n\
             and keeps it in its session store ([`MemorySessions`] by default; another\n\
             [`SessionStore`] with [`router_with_sessions`]).",
            operation.method, operation.path, operation.shape.server_method
        )
    });
    let mut text = vec![
        "Server stubs (feature `server`): implement [`Api`] and serve [`router`].".to_owned(),
        String::new(),
        "Each request is handled in this order, and every failure on the way is".to_owned(),
        "answered with a vapi error body: the caller is authenticated (401), then".to_owned(),
        "authorized for the operation and the object it names (403; the object is".to_owned(),
        "read from the raw request), then the request is parsed and validated".to_owned(),
        "(400 InvalidArgument listing at most [`MAX_VIOLATIONS`] problems; bodies up to".to_owned(),
        "[`BODY_LIMIT`] bytes), and only then is your method called.".to_owned(),
        String::new(),
        "# Credentials".to_owned(),
        String::new(),
        "A request's `vmware-api-session-id` header, `Authorization: Basic` or".to_owned(),
        "`Authorization: Bearer` arrive as a [`crate::wire::Auth`]. A session id".to_owned(),
        "the router itself issued is accepted without calling [`Api::authenticate`];".to_owned(),
        "anything else goes to [`Api::authenticate_request`], which by default calls".to_owned(),
        "[`Api::authenticate`] with the credentials (override it to read other headers".to_owned(),
        "or axum extensions). So a fake vCenter only checks passwords.".to_owned(),
    ];
    if let Some(session_create) = session_create {
        text.push(String::new());
        text.extend(session_create.lines().map(str::to_owned));
    }
    text.extend(
        [
            "",
            "[`Server`] serves a router with a time limit on each request's headers and",
            "body and a bound on open connections (`axum::serve` has none of them).",
            "Operation methods you do not implement answer a vapi internal error.",
            "",
            "# Example",
            "",
            "```no_run",
            "use std::sync::Arc;",
            "use std::time::Duration;",
            &format!("use {krate}::server::{{Api, Server, router}};"),
            &format!("use {krate}::wire::{{Auth, OperationInfo}};"),
            "",
            "/// A fake vCenter: one password, every privilege.",
            "struct Fake;",
            "",
            "impl Api for Fake {",
            "    type Principal = String;",
            "",
            "    async fn authenticate(&self, credentials: &Auth, _: &OperationInfo) -> Option<String> {",
            "        match credentials {",
            "            Auth::Basic { user, password } if password.expose_secret() == \"VMware1!\" => {",
            "                Some(user.clone())",
            "            }",
            "            _ => None,",
            "        }",
            "    }",
            "",
            "    async fn authorize(&self, _: &String, _: &OperationInfo, _: Option<&str>) -> bool {",
            "        true",
            "    }",
            "}",
            "",
            "# async fn example() -> std::io::Result<()> {",
            "// An `Arc` is an `Api` too: keep a handle on the state while it serves.",
            "let fake = Arc::new(Fake);",
            "let server = Server::bind(\"127.0.0.1:0\")",
            "    .await?",
            "    .header_timeout(Duration::from_secs(5))",
            "    .max_connections(64);",
            "println!(\"listening on {}\", server.local_addr()?);",
            "server.serve(router(Arc::clone(&fake))).await;",
            "# Ok(()) }",
            "```",
        ]
        .map(str::to_owned),
    );
    text.into_iter()
        .map(|line| {
            if line.is_empty() {
                line
            } else {
                format!(" {line}")
            }
        })
        .collect()
}

/// vSphere's session create as the generator knows it: no arguments, a
/// string (the session id) back.
fn session_create(api: &Api) -> Option<&Operation> {
    api.operations
        .values()
        .find(|operation| operation.operation_id == SESSION_CREATE)
        .filter(|operation| operation.shape.request_fields.is_empty())
        .filter(|operation| {
            matches!(
                operation.shape.successes.as_slice(),
                [Success {
                    body: Some(TypeRef::String(_)),
                    ..
                }]
            )
        })
}

fn api_trait(api: &Api) -> TokenStream {
    let issues_sessions = session_create(api).map(|operation| operation.operation_id.as_str());
    let methods = api.operations.values().map(|operation| {
        let name = ident(&operation.shape.server_method);
        let docs = doc_lines(&method_docs(operation));
        let module = ident(&operation.rust_name);
        let allowance = naming_convention_allowance(&operation.shape.server_method);
        let (default_docs, body) = if issues_sessions == Some(operation.operation_id.as_str()) {
            (
                quote! { #[doc = " By default, a new session of the router's session store for `principal`."] },
                quote! { crate::runtime::server::issue_session() },
            )
        } else {
            (quote! {}, quote! { crate::runtime::server::not_implemented() })
        };
        quote! {
            #docs
            ///
            #default_docs
            #allowance
            fn #name(
                &self,
                principal: &Self::Principal,
                request: ops::#module::Request,
            ) -> impl Future<Output = Result<ops::#module::Response, ops::#module::Error>> + Send {
                let _ = (principal, request);
                #body
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
                credentials: &crate::wire::Auth,
                operation: &crate::wire::OperationInfo,
            ) -> impl Future<Output = Option<Self::Principal>> + Send;

            /// Authenticates a request seen whole: its credentials, every header
            /// (also those the spec does not name) and axum's extensions. By
            /// default [`Api::authenticate`] with its credentials. Not called for a
            /// session id the router issued.
            fn authenticate_request(
                &self,
                request: &RequestContext<'_>,
                operation: &crate::wire::OperationInfo,
            ) -> impl Future<Output = Option<Self::Principal>> + Send {
                self.authenticate(request.credentials(), operation)
            }

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

/// `Api` for `Arc<T>`: a test keeps a handle on the state it serves.
fn arc_impl(api: &Api) -> TokenStream {
    let methods = api.operations.values().map(|operation| {
        let name = ident(&operation.shape.server_method);
        let module = ident(&operation.rust_name);
        quote! {
            fn #name(
                &self,
                principal: &Self::Principal,
                request: ops::#module::Request,
            ) -> impl Future<Output = Result<ops::#module::Response, ops::#module::Error>> + Send {
                T::#name(self, principal, request)
            }
        }
    });
    quote! {
        /// A shared `Api` serves as the `Api` it points to.
        impl<T: Api> Api for Arc<T> {
            type Principal = T::Principal;

            fn authenticate(
                &self,
                credentials: &crate::wire::Auth,
                operation: &crate::wire::OperationInfo,
            ) -> impl Future<Output = Option<Self::Principal>> + Send {
                T::authenticate(self, credentials, operation)
            }

            fn authenticate_request(
                &self,
                request: &RequestContext<'_>,
                operation: &crate::wire::OperationInfo,
            ) -> impl Future<Output = Option<Self::Principal>> + Send {
                T::authenticate_request(self, request, operation)
            }

            fn authorize(
                &self,
                principal: &Self::Principal,
                operation: &crate::wire::OperationInfo,
                object: Option<&str>,
            ) -> impl Future<Output = bool> + Send {
                T::authorize(self, principal, operation, object)
            }

            fn challenge(&self) -> String {
                T::challenge(self)
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
                    return serve::<A, ops::#op::Endpoint>(&served, incoming).await;
                }
            }
        });
        route_fns.push(quote! {
            async fn #route_fn<A: Api>(State(served): State<Arc<Served<A>>>, path: PathParameters, request: Request) -> Response {
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
        /// paths and methods answered by a vapi `OPERATION_NOT_FOUND` error, and
        /// sessions kept in memory ([`MemorySessions`]).
        pub fn router<A: Api>(api: A) -> ::axum::Router {
            router_with_sessions(api, Arc::new(MemorySessions::new()))
        }

        /// [`router`] with the sessions it issues and accepts kept in `sessions`.
        pub fn router_with_sessions<A: Api>(
            api: A,
            sessions: Arc<dyn SessionStore<A::Principal>>,
        ) -> ::axum::Router {
            ::axum::Router::new()
                #(#routes)*
                .fallback(operation_not_found)
                .method_not_allowed_fallback(operation_not_found)
                .with_state(Arc::new(Served { api, sessions }))
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
