//! IR -> the `server` module (feature `server`): a trait with one method per
//! operation, an axum router that authenticates, parses and validates a request
//! before the trait sees it, and the validation of every type.

use super::operations::operation_docs;
use super::rustdoc::doc_lines;
use super::scope::Scope;
use super::types::ident;
use crate::ir::{
    Api, Field, Operation, ParameterLocation, PathTemplate, StringFormat, TypeDef, TypeKind,
    TypeRef, Wire,
};
use crate::naming::snake_case;
use crate::shape::RequestField;
use proc_macro2::{Literal, TokenStream};
use quote::quote;
use std::collections::BTreeMap;

/// Items of `src/server.rs`.
pub fn server_module(api: &Api) -> Vec<TokenStream> {
    let mut items = vec![
        super::support::server_support(),
        api_trait(api),
        router(api),
    ];
    items.extend(api.operations.values().map(handler));
    items.extend(api.types.values().map(validate_impl));
    items
}

fn api_trait(api: &Api) -> TokenStream {
    let methods = api.operations.values().map(|operation| {
        let name = ident(&operation.shape.server_method);
        let docs = doc_lines(&operation_docs(operation));
        let module = ident(&operation.rust_name);
        quote! {
            #docs
            ///
            /// Without an implementation it answers 500 (a vapi internal error):
            /// an operation added to the spec does not break existing servers.
            fn #name(
                &self,
                principal: &Self::Principal,
                request: crate::operations::#module::Request,
            ) -> impl ::std::future::Future<
                Output = Result<crate::operations::#module::Response, crate::operations::#module::Error>,
            > + Send {
                let _ = (principal, request);
                async {
                    Err(crate::operations::#module::Error::Unexpected(crate::wire::Unexpected::transport(
                        "the operation is not implemented by this server",
                    )))
                }
            }
        }
    });
    quote! {
        /// What a server implements: authentication, authorization, and one
        /// method per operation. The generated [`router`] calls a method only with
        /// a request that parsed and validated, from a caller who authenticated
        /// and holds the operation's privileges; each method answers with the
        /// operation's response or one of its documented errors.
        pub trait Api: Send + Sync + 'static {
            /// Who a caller is, once authenticated.
            type Principal: Send + Sync + 'static;

            /// Checks a caller's credentials for `operation` (whose `security` lists
            /// the schemes it accepts). `None` answers 401 Unauthenticated.
            fn authenticate(
                &self,
                credentials: &crate::wire::Credentials,
                operation: &crate::wire::OperationInfo,
            ) -> impl ::std::future::Future<Output = Option<Self::Principal>> + Send;

            /// Whether `principal` holds `operation.privileges` on `object` (the
            /// value of the operation's privilege scope, when it has one). `false`
            /// answers 403 Unauthorized.
            fn authorize(
                &self,
                principal: &Self::Principal,
                operation: &crate::wire::OperationInfo,
                object: Option<&str>,
            ) -> impl ::std::future::Future<Output = bool> + Send;

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
            let handle = ident(&format!("handle_{}", operation.rust_name));
            quote! {
                if incoming.matches(crate::operations::#op::OPERATION.fixed_query) {
                    return #handle(&*api, incoming).await;
                }
            }
        });
        route_fns.push(quote! {
            async fn #route_fn<A: Api>(
                ::axum::extract::State(api): ::axum::extract::State<::std::sync::Arc<A>>,
                path: Result<::axum::extract::RawPathParams, ::axum::extract::rejection::RawPathParamsRejection>,
                request: ::axum::extract::Request,
            ) -> ::axum::response::Response {
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
                .with_state(::std::sync::Arc::new(api))
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

fn handler(operation: &Operation) -> TokenStream {
    let op = ident(&operation.rust_name);
    let method = ident(&operation.shape.server_method);
    let handle = ident(&format!("handle_{}", operation.rust_name));
    let legacy = operation.wire == Wire::LegacyRest;
    let fields = &operation.shape.request_fields;

    let mut parse = Vec::new();
    let mut names = Vec::new();
    let body_fields: Vec<&RequestField> =
        fields.iter().filter(|f| f.location().is_none()).collect();
    for field in fields.iter().filter(|f| f.location().is_some()) {
        let name = ident(&field.rust_name);
        let wire = &field.wire_name;
        let raw = match field.location() {
            Some(ParameterLocation::Path) => {
                let position = operation.path.parameter_position(wire).unwrap_or(0);
                quote! { incoming.path_value(#position) }
            }
            Some(ParameterLocation::Query) => quote! { incoming.query_value(#wire) },
            Some(ParameterLocation::Header) => quote! { incoming.header_value(#wire) },
            _ => quote! { incoming.cookie_value(#wire) },
        };
        let required = field.required;
        let ty = Scope::outside_types([]).ty(&field.ty);
        let checks = format_checks(
            &field.ty,
            quote! { value },
            quote! { #wire },
            quote! { &mut violations },
        );
        parse.push(quote! {
            let #name: Option<#ty> = parse_parameter(#raw, #wire, #required, &mut violations);
            if let Some(value) = &#name {
                Validate::validate(value, #wire, &mut violations);
                #checks
            }
        });
        names.push((field, name));
    }

    // The body: one value, or (legacy) an envelope of named arguments.
    let scope_lookup = privilege_object(operation, fields);
    if let Some(body) = &operation.body {
        let required = body.required;
        parse.push(quote! { let body_json = incoming.json_body(#required, &mut violations); });
        parse.push(quote! { let object: Option<String> = #scope_lookup; });
        if legacy {
            for field in &body_fields {
                let name = ident(&field.rust_name);
                let wire = &field.wire_name;
                let required = field.required;
                let ty = Scope::outside_types([]).ty(&field.ty);
                let checks = format_checks(
                    &field.ty,
                    quote! { value },
                    quote! { #wire },
                    quote! { &mut violations },
                );
                parse.push(quote! {
                    let #name: Option<#ty> = argument(body_json.as_ref(), #wire, #required, &mut violations);
                    if let Some(value) = &#name {
                        Validate::validate(value, #wire, &mut violations);
                        #checks
                    }
                });
                names.push((*field, name));
            }
        } else if let Some(field) = body_fields.first() {
            let name = ident(&field.rust_name);
            let ty = Scope::outside_types([]).ty(&field.ty);
            parse.push(quote! {
                let #name: Option<#ty> = body_json.and_then(|json| parse_value(json, "", &mut violations));
                if let Some(value) = &#name {
                    Validate::validate(value, "", &mut violations);
                }
            });
            names.push((*field, name));
        }
    } else if !fields.is_empty() {
        parse.push(quote! { let object: Option<String> = #scope_lookup; });
    }

    let unwrap_required = names
        .iter()
        .filter(|(field, _)| field.required)
        .map(|(_, name)| {
            quote! { let Some(#name) = #name else { return violations.into_response(#legacy) }; }
        });
    let request_fields = names.iter().map(|(_, name)| quote! { #name, });
    let uses_incoming = !fields.is_empty() || operation.body.is_some();
    // An operation without arguments has nothing to parse or validate.
    let checks = uses_incoming.then(|| {
        quote! {
            let mut violations = Violations::default();
            #(#parse)*
            if !violations.is_empty() {
                return violations.into_response(#legacy);
            }
            #(#unwrap_required)*
        }
    });
    let object = if uses_incoming {
        quote! {}
    } else {
        quote! { let object: Option<String> = None; }
    };
    let incoming_binding = if uses_incoming {
        quote! { incoming }
    } else {
        quote! { _incoming }
    };

    quote! {
        async fn #handle<A: Api>(api: &A, #incoming_binding: Incoming) -> ::axum::response::Response {
            use crate::operations::#op as op;
            let Some(principal) = api.authenticate(&#incoming_binding.credentials(), &op::OPERATION).await else {
                return unauthenticated(&api.challenge(), #legacy);
            };
            #checks
            #object
            if !api.authorize(&principal, &op::OPERATION, object.as_deref()).await {
                return unauthorized(&op::OPERATION, object.as_deref(), #legacy);
            }
            let request = op::Request { #(#request_fields)* };
            match api.#method(&principal, request).await {
                Ok(response) => {
                    let (status, body) = op::encode_response(&response);
                    respond(status, body)
                }
                Err(error) => respond(error.status(), Some(error.encode())),
            }
        }
    }
}

/// Where the object named by the privilege scope comes from: a parameter, or a
/// property path in the JSON body.
fn privilege_object(operation: &Operation, fields: &[RequestField]) -> TokenStream {
    let Some(scope) = &operation.privilege_scope else {
        return quote! { None };
    };
    let parameter = fields.iter().find(|f| {
        f.location().is_some() && (f.wire_name == *scope || f.rust_name == snake_case(scope))
    });
    match parameter {
        Some(field) => {
            let name = ident(&field.rust_name);
            quote! { #name.as_ref().map(crate::wire::parameter_text) }
        }
        None => quote! { scope_in_body(body_json.as_ref(), #scope) },
    }
}

/// Format checks for a value of type `ty` held in `value` (a reference).
fn format_checks(
    ty: &TypeRef,
    value: TokenStream,
    location: TokenStream,
    violations: TokenStream,
) -> TokenStream {
    let check = match ty {
        TypeRef::String(StringFormat::Uri) => quote! { check_uri },
        TypeRef::String(StringFormat::DateTime) => quote! { check_date_time },
        TypeRef::String(StringFormat::Uuid) => quote! { check_uuid },
        _ => return quote! {},
    };
    quote! { #check(#value, #location, #violations); }
}

/// `impl Validate` for one type: unknown enum values and malformed formats are
/// violations; structs check every field.
fn validate_impl(def: &TypeDef) -> TokenStream {
    let path = def.rust_name.split("::").map(ident);
    let ty = quote! { crate::types #(::#path)* };
    match &def.kind {
        TypeKind::Enum(enumeration) => {
            let unknown = ident(&enumeration.unknown_variant);
            let expected: Vec<&str> = enumeration
                .values
                .iter()
                .map(|v| v.wire_name.as_str())
                .collect();
            let expected = expected.join(", ");
            quote! {
                impl Validate for #ty {
                    fn validate(&self, location: &str, violations: &mut Violations) {
                        if let Self::#unknown(value) = self {
                            violations.push(location, format!("unknown value `{value}`; expected one of: {}", #expected));
                        }
                    }
                }
            }
        }
        TypeKind::Struct(strukt) => {
            let checks = strukt.fields.iter().map(field_checks);
            let binding = if strukt.fields.is_empty() {
                quote! { _location }
            } else {
                quote! { location }
            };
            let self_binding = if strukt.fields.is_empty() {
                quote! { _violations }
            } else {
                quote! { violations }
            };
            // Deprecated fields are still sent by older callers, so still checked.
            let allow = strukt
                .fields
                .iter()
                .any(|f| f.docs.deprecated)
                .then(|| quote! { #[allow(deprecated)] });
            quote! {
                #allow
                impl Validate for #ty {
                    fn validate(&self, #binding: &str, #self_binding: &mut Violations) {
                        #(#checks)*
                    }
                }
            }
        }
        TypeKind::Alias(_) => quote! {},
    }
}

fn field_checks(field: &Field) -> TokenStream {
    let name = ident(&field.rust_name);
    let wire = Literal::string(&field.wire_name);
    let location = quote! { child(location, #wire) };
    let format = format_checks(
        &field.ty,
        quote! { value },
        quote! { &#location },
        quote! { violations },
    );
    let optional = !field.required || field.nullable;
    if optional {
        quote! {
            if let Some(value) = &self.#name {
                Validate::validate(value, &#location, violations);
                #format
            }
        }
    } else {
        quote! {
            {
                let value = &self.#name;
                Validate::validate(value, &#location, violations);
                #format
            }
        }
    }
}
