//! IR operations -> the `operations` module: one file per operation with its
//! metadata, `Request`, `Response` and closed set of `Error`s, the tables the
//! runtime reads to send, decode, encode and parse it, its client method
//! (feature `client`) and its server handler (feature `server`).
//!
//! Behaviour that is the same for every operation lives once in the runtime
//! (`runtime/src/`); what is generated here is the types, names, docs and
//! per-operation tables.

use super::Piece;
use super::rustdoc::{doc_lines, doc_text, sanitize};
use super::scope::Scope;
use super::types::{ident, server_format, setter_names};
use crate::ir::{Api, Operation, ParameterLocation, StringFormat, TypeKind, TypeRef, Wire};
use crate::shape::{REQUEST_REQUIRED, RequestField, RequestFieldSource, Success};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// Names every operation module defines (so prelude names stay usable).
const OPERATION_ITEMS: &[&str] = &[
    "OPERATION",
    "Request",
    "RequestRequired",
    "Response",
    "Error",
    "Endpoint",
    "serve",
    "wire",
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

/// The crate's vAPI error vocabulary, read from the base error's fields:
/// the type of its `error_type` (the `ErrorType` enumeration; else `String`)
/// and of one of its `messages` (`LocalizableMessage`; else JSON).
pub fn error_vocabulary(api: &Api) -> (TypeRef, TypeRef) {
    let fields = match base_error_type(api) {
        TypeRef::Named(name) => api
            .types
            .values()
            .find(|def| def.rust_name == name)
            .and_then(|def| match &def.kind {
                TypeKind::Struct(s) => Some(&s.fields),
                _ => None,
            }),
        _ => None,
    };
    let field = |name: &str| {
        fields
            .into_iter()
            .flatten()
            .find(|field| field.wire_name == name)
    };
    let error_type = match field("error_type").map(|field| &field.ty) {
        Some(ty @ TypeRef::Named(_)) => ty.clone(),
        _ => TypeRef::String(StringFormat::Plain),
    };
    let message = match field("messages").map(|field| &field.ty) {
        Some(TypeRef::List(item)) => (**item).clone(),
        _ => TypeRef::Json,
    };
    (error_type, message)
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

/// The docs of an operation's client and server methods: its summary (or
/// first paragraph) and where the rest is, so the operation's full text is
/// written once, on its module.
pub fn method_docs(operation: &Operation) -> String {
    let text = doc_text(
        &operation.docs,
        &format!("The `{}` operation.", operation.operation_id),
    );
    let first = text.split("\n\n").next().unwrap_or_default();
    format!(
        "{first}\n\n`{} {}`: see [`operations::{module}`](crate::operations::{module}) for its \
         description, privileges, request, response and errors.",
        operation.method,
        operation.path,
        module = operation.rust_name
    )
}

/// `src/operations.rs`: the module's docs and one `mod` per operation.
pub fn operations_index(api: &Api) -> Vec<TokenStream> {
    let modules = api.operations.values().map(|operation| {
        let module = ident(&operation.rust_name);
        let deprecated = operation.docs.deprecated.then(|| quote! { #[deprecated] });
        quote! { #deprecated pub mod #module; }
    });
    vec![
        quote! {
            //! One module per operation: its metadata (`OPERATION`), its `Request`,
            //! its `Response`, and its closed set of `Error`s, with how each travels.
        },
        quote! { #(#modules)* },
    ]
}

/// The items of `src/operations/<operation>.rs`.
pub fn operation_file(api: &Api, operation: &Operation) -> Vec<Piece> {
    let scope = operation_scope();
    let docs = operation_docs(operation);
    let module_docs = docs.lines().map(|line| {
        if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        }
    });
    let info = operation_info(operation);
    let (error_enum, error_table) = error_items(api, operation, &scope);
    // The module is deprecated, and so each of its items; the file itself
    // uses them without a warning (users get theirs).
    let allow_deprecated = operation
        .docs
        .deprecated
        .then(|| quote! { #![allow(deprecated)] });
    vec![
        quote! {
            #( #![doc = #module_docs] )*
            #allow_deprecated
            use crate::runtime::wire;

            /// Where the operation lives and what it needs.
            pub const OPERATION: wire::OperationInfo = #info;
        }
        .into(),
        request_items(operation, &scope).into(),
        response_item(operation, &scope).into(),
        error_enum.into(),
        Piece::Text(error_table),
        endpoint_items(operation).into(),
        client_method(operation).into(),
        server_items(operation).into(),
    ]
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
    let wire = wire_form(operation);
    let client_token = match client_token_field(operation) {
        Some(field) => {
            let name = &field.wire_name;
            match field.source {
                RequestFieldSource::BodyArgument => {
                    quote! { Some(wire::ClientTokenField::Argument(#name)) }
                }
                _ => quote! { Some(wire::ClientTokenField::Header(#name)) },
            }
        }
        None => quote! { None },
    };
    quote! {
        wire::OperationInfo {
            operation_id: #operation_id,
            method: #method,
            path: #path,
            fixed_query: &[#(#query),*],
            privileges: &[#(#privileges),*],
            privilege_scope: #scope,
            security: &[#(#security),*],
            wire: #wire,
            client_token: #client_token,
        }
    }
}

/// The request field that is the operation's idempotency key: the
/// `Client-Token` header, or the legacy `/rest` body argument `client_token`.
fn client_token_field(operation: &Operation) -> Option<&RequestField> {
    operation
        .shape
        .request_fields
        .iter()
        .find(|field| match field.source {
            RequestFieldSource::Parameter(ParameterLocation::Header) => {
                field.wire_name.eq_ignore_ascii_case("Client-Token")
            }
            RequestFieldSource::BodyArgument => field.wire_name == "client_token",
            _ => false,
        })
}

fn wire_form(operation: &Operation) -> TokenStream {
    match operation.wire {
        Wire::Api => quote! { wire::WireForm::Api },
        Wire::LegacyRest => quote! { wire::WireForm::LegacyRest },
    }
}

/// `Request`, the struct of its required arguments (when it has any), its
/// constructor and the setters of its optional arguments.
fn request_items(operation: &Operation, scope: &Scope) -> TokenStream {
    let request_fields = &operation.shape.request_fields;
    let fields = request_fields.iter().map(|field| {
        let name = ident(&field.rust_name);
        let docs = doc_lines(&request_field_docs(field));
        let ty = scope.rust_type(&field.rust_type());
        quote! { #docs pub #name: #ty, }
    });
    let required: Vec<&RequestField> = request_fields.iter().filter(|f| f.required).collect();
    let optional: Vec<&RequestField> = request_fields.iter().filter(|f| !f.required).collect();
    let initializers = request_fields.iter().map(|field| {
        let name = ident(&field.rust_name);
        if field.required {
            quote! { #name, }
        } else {
            quote! { #name: None, }
        }
    });
    let setters = setter_names(optional.iter().map(|field| field.rust_name.as_str()))
        .into_iter()
        .zip(&optional)
        .map(|(setter, field)| {
            let name = ident(&field.rust_name);
            let ty = scope.ty(&field.ty);
            let doc = format!(" Sets the optional argument `{}`.", field.rust_name);
            quote! {
                #[doc = #doc]
                pub fn #setter(mut self, #name: #ty) -> Self {
                    self.#name = Some(#name);
                    self
                }
            }
        });
    let required_struct = ident(REQUEST_REQUIRED);
    let (how_to_build, default, required_item, new) = if required.is_empty() {
        (
            quote! {
                /// The arguments of a call. Build it with `new()` (every argument
                /// unset), then set arguments with its `with_*` methods. It is
                /// `#[non_exhaustive]`: an optional argument added by a later
                /// release is not a breaking change.
            },
            Some(quote! { Default, }),
            None,
            quote! {
                /// A request with every argument unset.
                pub fn new() -> Self {
                    Self::default()
                }
            },
        )
    } else {
        let required_fields = required.iter().map(|field| {
            let name = ident(&field.rust_name);
            let docs = doc_lines(&request_field_docs(field));
            let ty = scope.ty(&field.ty);
            quote! { #docs pub #name: #ty, }
        });
        let names = required.iter().map(|field| ident(&field.rust_name));
        (
            quote! {
                /// The arguments of a call. Build it with
                /// `Request::new(RequestRequired { .. })`, which names every required
                /// argument, then set optional ones with its `with_*` methods. It is
                /// `#[non_exhaustive]`: an optional argument added by a later release
                /// is not a breaking change.
            },
            None,
            Some(quote! {
                /// The required arguments of a [`Request`], for [`Request::new`]: each
                /// is given by name, so none can be left out or swapped with another.
                #[derive(Clone, Debug, PartialEq)]
                pub struct #required_struct {
                    #(#required_fields)*
                }
            }),
            quote! {
                /// A request with the required arguments and every optional one unset.
                pub fn new(required: #required_struct) -> Self {
                    let #required_struct { #(#names),* } = required;
                    Request { #(#initializers)* }
                }
            },
        )
    };
    quote! {
        #how_to_build
        #[derive(Clone, Debug, #default PartialEq)]
        #[non_exhaustive]
        pub struct Request {
            #(#fields)*
        }

        #required_item

        impl Request {
            #new
            #(#setters)*
        }
    }
}

/// The description of the response documented for `success`.
fn describe(operation: &Operation, success: &Success) -> String {
    operation
        .responses
        .iter()
        .find(|r| r.status == success.spec_status())
        .map(|r| sanitize(&r.description))
        .unwrap_or_default()
}

/// `Response`: the success type itself, or one variant per documented status.
fn response_item(operation: &Operation, scope: &Scope) -> TokenStream {
    if let [success] = operation.shape.successes.as_slice() {
        let ty = scope.rust_type(&success.rust_type());
        let docs = doc_lines(&format!(
            "What a successful call returns (HTTP {}).\n\n{}",
            success.label(),
            describe(operation, success)
        ));
        return quote! { #docs pub type Response = #ty; };
    }
    let variants = operation.shape.successes.iter().map(|success| {
        let name = ident(&success.variant_name());
        let docs = doc_lines(&format!(
            "HTTP {}: {}",
            success.label(),
            describe(operation, success)
        ));
        match &success.body {
            Some(_) => {
                let ty = scope.rust_type(&success.rust_type());
                quote! { #docs #name(#ty), }
            }
            None => quote! { #docs #name, },
        }
    });
    quote! {
        /// What a successful call returns, by status.
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum Response { #(#variants)* }
    }
}

/// `Error`, and its table for the runtime (`operation_error!`, which writes
/// its impls), as text with one documented error per line.
fn error_items(api: &Api, operation: &Operation, scope: &Scope) -> (TokenStream, String) {
    let variants = &operation.shape.errors;
    let base = scope.ty(&base_error_type(api));
    let declarations = variants.iter().map(|variant| {
        let name = ident(&variant.name);
        let ty = scope.ty(&variant.ty);
        let what = match &variant.error_type {
            Some(error_type) => format!("HTTP {} `{error_type}`", variant.status),
            None => format!("HTTP {}", variant.status),
        };
        let docs = doc_lines(&format!("{what}: {}", sanitize(&variant.description)));
        quote! { #docs #name(#ty), }
    });
    let declaration = quote! {
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
            Unexpected(wire::Unexpected),
        }
    };
    let wire = match operation.wire {
        Wire::Api => "Api",
        Wire::LegacyRest => "LegacyRest",
    };
    let (error_type, message) = error_vocabulary(api);
    let mut table = format!(
        "// How each documented error is recognised and sent: (error_type, status).\nwire::operation_error!(Error, {}, {wire}, {}, {}, [\n",
        super::path_text(&base),
        super::path_text(&scope.ty(&error_type)),
        super::path_text(&scope.ty(&message)),
    );
    for variant in variants {
        let error_type = match &variant.error_type {
            Some(error_type) => format!("Some({})", Literal::string(error_type)),
            None => "None".to_owned(),
        };
        table.push_str(&format!(
            "    {}({error_type}, {}),\n",
            variant.name, variant.status
        ));
    }
    table.push_str("]);\n");
    (declaration, table)
}

/// `Endpoint`: the operation as a type, with how its request and responses travel.
fn endpoint_items(operation: &Operation) -> TokenStream {
    let fields = &operation.shape.request_fields;
    let encode_fields: Vec<TokenStream> = fields.iter().map(encode_field).collect();
    let (request, outgoing) = if encode_fields.is_empty() {
        (quote! { _request }, quote! { _outgoing })
    } else {
        (quote! { request }, quote! { outgoing })
    };
    let returns_secret = operation
        .shape
        .returns_secret
        .then(|| quote! { const RETURNS_SECRET: bool = true; });
    let (decode, encode) = success_coding(&operation.shape.successes);
    quote! {
        /// The operation as a type: what the client and the server are generic over.
        #[derive(Clone, Copy, Debug)]
        pub struct Endpoint;

        impl wire::Operation for Endpoint {
            type Request = Request;
            type Response = Response;
            type Error = Error;
            const INFO: wire::OperationInfo = OPERATION;
            #returns_secret

            fn encode_request(#request: &Request, #outgoing: &mut wire::Outgoing) {
                #(#encode_fields)*
            }

            #decode
            #encode
        }
    }
}

/// How the client puts one `Request` field on the wire.
fn encode_field(field: &RequestField) -> TokenStream {
    let name = ident(&field.rust_name);
    let wire_name = &field.wire_name;
    match field.source {
        RequestFieldSource::Parameter(ParameterLocation::Path) => {
            quote! { outgoing.path(#wire_name, &request.#name); }
        }
        RequestFieldSource::Parameter(ParameterLocation::Query) => {
            quote! { outgoing.query(#wire_name, &request.#name); }
        }
        RequestFieldSource::Parameter(ParameterLocation::Header) => {
            quote! { outgoing.header(#wire_name, &request.#name, false); }
        }
        RequestFieldSource::Parameter(ParameterLocation::Cookie) => {
            quote! { outgoing.header(#wire_name, &request.#name, true); }
        }
        RequestFieldSource::BodyArgument => {
            quote! { outgoing.argument(#wire_name, &request.#name); }
        }
        RequestFieldSource::Body => quote! { outgoing.body(&request.#name); },
    }
}

/// The statuses a success is decoded from: its own, or (for a class such as
/// `2XX`) those of the class that no exact success in `successes` claims
/// (`200..=203 | 205..=299` beside a `204`).
fn status_pattern(success: &Success, successes: &[Success]) -> TokenStream {
    if !success.whole_class {
        let status = Literal::u16_unsuffixed(success.status);
        return quote! { #status };
    }
    let claimed = |status: u16| {
        successes
            .iter()
            .any(|other| !other.whole_class && other.status == status)
    };
    let mut ranges: Vec<(u16, u16)> = Vec::new();
    for status in (success.status..success.status + 100).filter(|status| !claimed(*status)) {
        match ranges.last_mut() {
            Some((_, last)) if *last + 1 == status => *last = status,
            _ => ranges.push((status, status)),
        }
    }
    let alternatives = ranges.into_iter().map(|(first, last)| {
        let (first_literal, last_literal) = (
            Literal::u16_unsuffixed(first),
            Literal::u16_unsuffixed(last),
        );
        if first == last {
            quote! { #first_literal }
        } else {
            quote! { #first_literal..=#last_literal }
        }
    });
    quote! { #(#alternatives)|* }
}

/// `decode_response` and `encode_response`.
fn success_coding(successes: &[Success]) -> (TokenStream, TokenStream) {
    if let [success] = successes {
        let status = Literal::u16_unsuffixed(success.status);
        let pattern = status_pattern(success, successes);
        return match success.body {
            Some(_) if !success.whole_class => (
                quote! {
                    fn decode_response(status: u16, body: &[u8]) -> Option<Result<Response, String>> {
                        wire::decode_success(status, #status, body, OPERATION.wire)
                    }
                },
                quote! {
                    fn encode_response(response: &Response) -> (u16, Option<::serde_json::Value>) {
                        (#status, Some(wire::encode_success(response, OPERATION.wire)))
                    }
                },
            ),
            Some(_) => (
                quote! {
                    fn decode_response(status: u16, body: &[u8]) -> Option<Result<Response, String>> {
                        matches!(status, #pattern).then(|| wire::success_body(body, OPERATION.wire))
                    }
                },
                quote! {
                    fn encode_response(response: &Response) -> (u16, Option<::serde_json::Value>) {
                        (#status, Some(wire::encode_success(response, OPERATION.wire)))
                    }
                },
            ),
            None => (
                quote! {
                    fn decode_response(status: u16, _body: &[u8]) -> Option<Result<Response, String>> {
                        matches!(status, #pattern).then_some(Ok(()))
                    }
                },
                quote! {
                    fn encode_response(_response: &Response) -> (u16, Option<::serde_json::Value>) {
                        (#status, None)
                    }
                },
            ),
        };
    }
    let decode_arms = successes.iter().map(|success| {
        let name = ident(&success.variant_name());
        let pattern = status_pattern(success, successes);
        match success.body {
            Some(_) => quote! { #pattern => Some(wire::success_body(body, OPERATION.wire).map(Response::#name)), },
            None => quote! { #pattern => Some(Ok(Response::#name)), },
        }
    });
    let encode_arms = successes.iter().map(|success| {
        let name = ident(&success.variant_name());
        let status = Literal::u16_unsuffixed(success.status);
        match success.body {
            Some(_) => quote! { Response::#name(value) => (#status, Some(wire::encode_success(value, OPERATION.wire))), },
            None => quote! { Response::#name => (#status, None), },
        }
    });
    let body = if successes.iter().any(|success| success.body.is_some()) {
        quote! { body }
    } else {
        quote! { _body }
    };
    // An operation without documented successes has an empty `Response`.
    let matched = if successes.is_empty() {
        quote! { *response }
    } else {
        quote! { response }
    };
    (
        quote! {
            fn decode_response(status: u16, #body: &[u8]) -> Option<Result<Response, String>> {
                match status {
                    #(#decode_arms)*
                    _ => None,
                }
            }
        },
        quote! {
            fn encode_response(response: &Response) -> (u16, Option<::serde_json::Value>) {
                match #matched { #(#encode_arms)* }
            }
        },
    )
}

/// Clippy expects methods called `new`, `from_*` and `into_*` not to take
/// `&self`; an operation may well be called so, and keeps its name.
pub fn naming_convention_allowance(method: &str) -> Option<TokenStream> {
    (method == "new" || method.starts_with("from_") || method.starts_with("into_"))
        .then(|| quote! { #[allow(clippy::wrong_self_convention, clippy::new_ret_no_self)] })
}

/// The operation's `Client` method (feature `client`).
fn client_method(operation: &Operation) -> TokenStream {
    let allowance = naming_convention_allowance(&operation.shape.client_method);
    let name = ident(&operation.shape.client_method);
    let docs = doc_lines(&method_docs(operation));
    let deprecated = operation.docs.deprecated.then(|| quote! { #[deprecated] });
    // vCenter answers some URLs with a `*` host (guest transfers).
    let call = match operation.shape.successes.as_slice() {
        [
            Success {
                body: Some(TypeRef::String(StringFormat::Uri)),
                ..
            },
        ] => {
            quote! { self.call::<Endpoint>(&request).await.map(|url| self.replace_star_host(url)) }
        }
        _ => quote! { self.call::<Endpoint>(&request).await },
    };
    quote! {
        #[cfg(feature = "client")]
        impl crate::client::Client {
            #docs
            #deprecated
            #allowance
            pub async fn #name(&self, request: Request) -> Result<Response, Error> {
                #call
            }
        }
    }
}

/// How the server parses the request (`ParseRequest`) and serves the
/// operation (`serve`), feature `server`.
fn server_items(operation: &Operation) -> TokenStream {
    let fields = &operation.shape.request_fields;
    let mut parse = Vec::new();
    if let (Wire::LegacyRest, Some(body)) = (operation.wire, &operation.body)
        && fields
            .iter()
            .any(|f| f.source == RequestFieldSource::BodyArgument)
    {
        let required = body.required;
        parse.push(quote! { parser.envelope(#required); });
    }
    // Numbered bindings: a field's own name could be `parser`.
    let binding = |index: usize| ident(&format!("value{index}"));
    for (index, field) in fields.iter().enumerate() {
        let name = binding(index);
        let wire_name = &field.wire_name;
        let required = field.required;
        let format = match &field.ty {
            TypeRef::String(format) => server_format(*format).unwrap_or_else(|| ident("Plain")),
            _ => ident("Plain"),
        };
        let read = match field.source {
            RequestFieldSource::Parameter(ParameterLocation::Path) => {
                let position = Literal::usize_unsuffixed(
                    operation.path.parameter_position(wire_name).unwrap_or(0),
                );
                quote! { parser.path(#position, #wire_name, Format::#format) }
            }
            RequestFieldSource::Parameter(ParameterLocation::Query) => {
                quote! { parser.query(#wire_name, #required, Format::#format) }
            }
            RequestFieldSource::Parameter(ParameterLocation::Header) => {
                quote! { parser.header(#wire_name, #required, Format::#format) }
            }
            RequestFieldSource::Parameter(ParameterLocation::Cookie) => {
                quote! { parser.cookie(#wire_name, #required, Format::#format) }
            }
            RequestFieldSource::BodyArgument => {
                quote! { parser.argument(#wire_name, #required, Format::#format) }
            }
            RequestFieldSource::Body => quote! { parser.body(#required) },
        };
        parse.push(quote! { let #name = #read; });
    }
    let initializers = fields.iter().enumerate().map(|(index, field)| {
        let name = ident(&field.rust_name);
        let value = binding(index);
        if field.required {
            quote! { #name: #value?, }
        } else {
            quote! { #name: #value, }
        }
    });
    let parser = if fields.is_empty() {
        quote! { _parser }
    } else {
        quote! { parser }
    };
    let uses_format = fields.iter().any(|f| f.source != RequestFieldSource::Body);
    let format_import = uses_format.then(|| quote! { use crate::runtime::server::Format; });
    let method = ident(&operation.shape.server_method);
    quote! {
        #[cfg(feature = "server")]
        impl crate::runtime::server::ParseRequest for Endpoint {
            fn parse(#parser: &mut crate::runtime::server::Parser<'_>) -> Option<Request> {
                #format_import
                #(#parse)*
                Some(Request { #(#initializers)* })
            }
        }

        /// A server's `Api` carries out this operation with its own method.
        #[cfg(feature = "server")]
        impl<A: crate::server::Api> crate::runtime::server::Handle<A> for Endpoint {
            fn handle(
                api: &A,
                principal: &A::Principal,
                request: Request,
            ) -> impl ::std::future::Future<Output = Result<Response, Error>> + Send {
                api.#method(principal, request)
            }
        }
    }
}
