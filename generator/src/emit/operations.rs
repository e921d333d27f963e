//! IR operations -> the `operations` module: per operation its metadata, its
//! request, its success response and its closed set of errors, with the
//! decoding (client) and encoding (server) of each. Needs no extra crates, so
//! types-only users get them too.

use super::rustdoc::{doc_lines, doc_text};
use super::scope::Scope;
use super::types::ident;
use crate::ir::{Api, Operation, Status, TypeKind, TypeRef, Wire};
use crate::shape::{ErrorVariant, RequestField, Success};
use proc_macro2::{Literal, TokenStream};
use quote::quote;
use std::collections::BTreeMap;

/// Names every operation module defines (so prelude names stay usable).
const OPERATION_ITEMS: &[&str] = &[
    "OPERATION",
    "Request",
    "Response",
    "Error",
    "decode_response",
    "encode_response",
];

/// The scope of an operation module.
pub fn operation_scope() -> Scope {
    Scope::outside_types(OPERATION_ITEMS.iter().map(|name| (*name).to_owned()))
}

/// The documentation of a `Request` field (also the docs pages' description).
pub fn request_field_docs(field: &RequestField) -> String {
    doc_text(&field.docs, &field.fallback_description())
}

/// The type that holds any vapi error: the error schema the discriminator
/// maps `ERROR` to, else free-form JSON.
pub fn base_error_type(api: &Api) -> TypeRef {
    api.types
        .values()
        .find(|def| matches!(&def.kind, TypeKind::Struct(s) if s.error_type.as_deref() == Some("ERROR")))
        .map_or(TypeRef::Json, |def| TypeRef::Named(def.rust_name.clone()))
}

/// The `operations` module.
pub fn operations_module(api: &Api) -> Vec<TokenStream> {
    let mut items = vec![quote! {
        //! One module per operation: its metadata (`OPERATION`), its `Request`,
        //! its `Response`, and its closed set of `Error`s, with how each travels.
    }];
    items.extend(
        api.operations
            .values()
            .map(|operation| operation_module(api, operation)),
    );
    items
}

/// The documentation of an operation: summary, description, since, privileges, HTTP call.
pub fn operation_docs(operation: &Operation) -> String {
    let mut text = doc_text(
        &operation.docs,
        &format!("The `{}` operation.", operation.operation_id),
    );
    let mut call = format!("`{} {}", operation.method, operation.path);
    if !operation.fixed_query.is_empty() {
        let query: Vec<String> = operation
            .fixed_query
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        call.push('?');
        call.push_str(&query.join("&"));
    }
    call.push('`');
    text.push_str(&format!(
        "\n\nHTTP: {call} (operation `{}`",
        operation.operation_id
    ));
    if operation.wire == Wire::LegacyRest {
        text.push_str(", legacy `/rest` wire form");
    }
    text.push_str(").");
    text
}

fn operation_module(api: &Api, operation: &Operation) -> TokenStream {
    let scope = operation_scope();
    let module = ident(&operation.rust_name);
    let docs = doc_lines(&operation_docs(operation));
    let legacy = operation.wire == Wire::LegacyRest;
    let info = operation_info(operation);

    let request_fields = &operation.shape.request_fields;
    let fields = request_fields.iter().map(|field| {
        let name = ident(&field.rust_name);
        let docs = doc_lines(&request_field_docs(field));
        let ty = scope.rust_type(&field.rust_type());
        quote! { #docs pub #name: #ty, }
    });
    let parameters = request_fields.iter().filter(|f| f.required).map(|field| {
        let name = ident(&field.rust_name);
        let ty = scope.ty(&field.ty);
        quote! { #name: impl Into<#ty> }
    });
    let initializers = request_fields.iter().map(|field| {
        let name = ident(&field.rust_name);
        if field.required {
            quote! { #name: #name.into(), }
        } else {
            quote! { #name: None, }
        }
    });
    let required_count = request_fields.iter().filter(|f| f.required).count();
    // Without required arguments, `new()` and `default()` are the same call.
    let default = (required_count == 0).then(|| quote! { Default, });
    let many = (required_count > 7).then(|| quote! { #[allow(clippy::too_many_arguments)] });

    let (response_item, decode_response, encode_response) =
        response_items(operation, &operation.shape.successes, &scope, legacy);
    let error_items = error_items(api, operation, &scope, legacy);

    let deprecated = operation.docs.deprecated.then(|| quote! { #[deprecated] });
    quote! {
        #docs
        #deprecated
        pub mod #module {
            /// Where the operation lives and what it needs.
            pub const OPERATION: crate::wire::OperationInfo = #info;

            /// The arguments of a call. Build it with `new` (the required
            /// arguments), then set optional ones; it is `#[non_exhaustive]`, so an
            /// optional argument added by a later release is not a breaking change.
            #[derive(Clone, Debug, #default PartialEq)]
            #[non_exhaustive]
            pub struct Request {
                #(#fields)*
            }

            impl Request {
                /// A request with the required arguments and every optional one unset.
                #many
                pub fn new(#(#parameters),*) -> Self {
                    Request { #(#initializers)* }
                }
            }

            #response_item
            #decode_response
            #encode_response
            #error_items
        }
    }
}

fn operation_info(operation: &Operation) -> TokenStream {
    let operation_id = &operation.operation_id;
    let method = operation.method.as_str();
    let path = operation.path.to_string();
    let query = operation
        .fixed_query
        .iter()
        .map(|(name, value)| quote! { (#name, #value) });
    let privileges = &operation.docs.privileges;
    let scope = match &operation.privilege_scope {
        Some(scope) => quote! { Some(#scope) },
        None => quote! { None },
    };
    let security = &operation.security;
    let legacy = operation.wire == Wire::LegacyRest;
    quote! {
        crate::wire::OperationInfo {
            operation_id: #operation_id,
            method: #method,
            path: #path,
            fixed_query: &[#(#query),*],
            privileges: &[#(#privileges),*],
            privilege_scope: #scope,
            security: &[#(#security),*],
            legacy_rest: #legacy,
        }
    }
}

/// `Response`, `decode_response` and `encode_response`.
fn response_items(
    operation: &Operation,
    successes: &[Success],
    scope: &Scope,
    legacy: bool,
) -> (TokenStream, TokenStream, TokenStream) {
    let describe = |status: u16| {
        operation
            .responses
            .iter()
            .find(|r| r.status == Status::Code(status))
            .map(|r| r.description.clone())
            .unwrap_or_default()
    };
    if let [success] = successes {
        let (status, body) = (success.status, &success.body);
        let status_literal = Literal::u16_unsuffixed(status);
        let ty = scope.rust_type(&success.rust_type());
        let docs = doc_lines(&format!(
            "What a successful call returns (HTTP {status}).\n\n{}",
            super::rustdoc::sanitize(&describe(status))
        ));
        let decode = match body {
            Some(_) => quote! { crate::wire::decode_success(body, #legacy) },
            None => quote! { { let _ = body; Ok(()) } },
        };
        let encode = match body {
            Some(_) => quote! { Some(crate::wire::encode_success(response, #legacy)) },
            None => quote! { { let _ = response; None } },
        };
        (
            quote! { #docs pub type Response = #ty; },
            quote! {
                /// Decodes a success response; `None` when `status` is not a documented success.
                pub fn decode_response(status: u16, body: &[u8]) -> Option<Result<Response, String>> {
                    (status == #status_literal).then(|| #decode)
                }
            },
            quote! {
                /// The status and JSON body (if any) a success is sent with.
                pub fn encode_response(response: &Response) -> (u16, Option<serde_json::Value>) {
                    (#status_literal, #encode)
                }
            },
        )
    } else {
        // Several documented successes: one variant per status.
        let variants: Vec<TokenStream> = successes
            .iter()
            .map(|success| {
                let status = success.status;
                let name = ident(&format!("Status{status}"));
                let docs = doc_lines(&format!(
                    "HTTP {status}: {}",
                    super::rustdoc::sanitize(&describe(status))
                ));
                match &success.body {
                    Some(_) => {
                        let ty = scope.rust_type(&success.rust_type());
                        quote! { #docs #name(#ty), }
                    }
                    None => quote! { #docs #name, },
                }
            })
            .collect();
        let decode_arms = successes.iter().map(|success| {
            let name = ident(&format!("Status{}", success.status));
            let status = Literal::u16_unsuffixed(success.status);
            match &success.body {
                Some(_) => quote! { #status => Some(crate::wire::decode_success(body, #legacy).map(Response::#name)), },
                None => quote! { #status => Some(Ok(Response::#name)), },
            }
        });
        let encode_arms = successes.iter().map(|success| {
            let name = ident(&format!("Status{}", success.status));
            let status = Literal::u16_unsuffixed(success.status);
            match &success.body {
                Some(_) => quote! { Response::#name(value) => (#status, Some(crate::wire::encode_success(value, #legacy))), },
                None => quote! { Response::#name => (#status, None), },
            }
        });
        (
            quote! {
                /// What a successful call returns, by status.
                #[derive(Clone, Debug, PartialEq)]
                #[non_exhaustive]
                pub enum Response { #(#variants)* }
            },
            quote! {
                /// Decodes a success response; `None` when `status` is not a documented success.
                pub fn decode_response(status: u16, body: &[u8]) -> Option<Result<Response, String>> {
                    match status {
                        #(#decode_arms)*
                        _ => None,
                    }
                }
            },
            quote! {
                /// The status and JSON body (if any) a success is sent with.
                pub fn encode_response(response: &Response) -> (u16, Option<serde_json::Value>) {
                    match response { #(#encode_arms)* }
                }
            },
        )
    }
}

/// `Error` and its impls.
fn error_items(api: &Api, operation: &Operation, scope: &Scope, legacy: bool) -> TokenStream {
    let variants = &operation.shape.errors;
    let base = scope.ty(&base_error_type(api));

    let declarations = variants.iter().map(|variant| {
        let name = ident(&variant.name);
        let ty = scope.ty(&variant.ty);
        let what = match &variant.error_type {
            Some(error_type) => format!("HTTP {} `{error_type}`", variant.status),
            None => format!("HTTP {}", variant.status),
        };
        let docs = doc_lines(&format!(
            "{what}: {}",
            super::rustdoc::sanitize(&variant.description)
        ));
        quote! { #docs #name(#ty), }
    });

    // By `error_type` first: two errors may share a status.
    let by_type = variants.iter().filter_map(|variant| {
        let error_type = variant.error_type.as_ref()?;
        let name = ident(&variant.name);
        Some(quote! { (Some(#error_type), _) => crate::wire::decode_error_value(error_type.as_deref(), value).map(Self::#name), })
    });
    // By status only where exactly one error is documented for it: always for an
    // error the spec does not discriminate, else only when `error_type` is missing.
    let mut by_status: BTreeMap<u16, Vec<&ErrorVariant>> = BTreeMap::new();
    for variant in variants {
        by_status.entry(variant.status).or_default().push(variant);
    }
    let status_arms = by_status.iter().filter_map(|(status, at_status)| {
        let [only] = at_status.as_slice() else { return None };
        let name = ident(&only.name);
        let status = Literal::u16_unsuffixed(*status);
        let pattern = if only.error_type.is_some() { quote! { (None, #status) } } else { quote! { (_, #status) } };
        Some(quote! { #pattern => crate::wire::decode_error_value(error_type.as_deref(), value).map(Self::#name), })
    });

    let status_of = variants.iter().map(|variant| {
        let name = ident(&variant.name);
        let status = Literal::u16_unsuffixed(variant.status);
        quote! { Self::#name(_) => #status, }
    });
    let encode_arms = variants.iter().map(|variant| {
        let name = ident(&variant.name);
        let error_type = match &variant.error_type {
            Some(error_type) => quote! { Some(#error_type) },
            None => quote! { None },
        };
        quote! { Self::#name(error) => crate::wire::encode_error(#error_type, error, #legacy), }
    });
    let display_arms = variants.iter().map(|variant| {
        let name = ident(&variant.name);
        let label = variant.error_type.clone().unwrap_or_else(|| variant.name.clone());
        let format = format!("{label} (HTTP {{}}): {{}}");
        quote! { Self::#name(error) => write!(f, #format, self.status(), crate::wire::first_message(error)), }
    });

    quote! {
        /// The errors the spec documents for this operation, any other vapi
        /// error, and responses that are not vapi errors at all. It is
        /// `#[non_exhaustive]`: an error documented by a later release is not a
        /// breaking change (until then it arrives as `Other`).
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum Error {
            #(#declarations)*
            /// A vapi error the spec does not document for this operation.
            Other {
                /// The HTTP status it came with.
                status: u16,
                /// The error.
                error: #base,
            },
            /// No response, or one that is not a documented success or a vapi error.
            Unexpected(crate::wire::Unexpected),
        }

        impl Error {
            /// The HTTP status the error is (or was) sent with.
            pub fn status(&self) -> u16 {
                match self {
                    #(#status_of)*
                    Self::Other { status, .. } => *status,
                    Self::Unexpected(unexpected) => unexpected.status.unwrap_or(500),
                }
            }

            /// Decodes an error response: by the body's `error_type`, falling back to
            /// the status only when that is missing (older servers) and unambiguous.
            pub fn decode(status: u16, headers: Vec<(String, String)>, body: Vec<u8>) -> Self {
                let Some((error_type, value)) = crate::wire::split_error_body(&body, #legacy) else {
                    return Self::Unexpected(crate::wire::Unexpected {
                        status: Some(status),
                        headers,
                        body,
                        message: "the body is not a vapi error".into(),
                    });
                };
                let decoded = match (error_type.as_deref(), status) {
                    #(#by_type)*
                    #(#status_arms)*
                    _ => crate::wire::decode_error_value(error_type.as_deref(), value).map(|error| Self::Other { status, error }),
                };
                decoded.unwrap_or_else(|message| Self::Unexpected(crate::wire::Unexpected { status: Some(status), headers, body, message }))
            }

            /// The JSON body the error is sent with (see [`Error::status`] for the status).
            pub fn encode(&self) -> serde_json::Value {
                match self {
                    #(#encode_arms)*
                    Self::Other { error, .. } => crate::wire::encode_error(None, error, #legacy),
                    Self::Unexpected(unexpected) => crate::wire::internal_error(&unexpected.message, #legacy),
                }
            }
        }

        impl ::std::fmt::Display for Error {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    #(#display_arms)*
                    Self::Other { status, error } => write!(f, "vapi error (HTTP {status}): {}", crate::wire::first_message(error)),
                    Self::Unexpected(unexpected) => unexpected.fmt(f),
                }
            }
        }

        impl ::std::error::Error for Error {}
    }
}
