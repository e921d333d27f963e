//! IR operations -> the `client` module (feature `client`): an async reqwest
//! client with one method per operation.

use super::operations::operation_docs;
use super::rustdoc::doc_lines;
use super::types::ident;
use crate::ir::{Api, Operation, ParameterLocation, StringFormat, TypeRef, Wire};
use proc_macro2::TokenStream;
use quote::quote;

/// The operationId of vSphere's session login, which gets a `login` helper.
const SESSION_CREATE: &str = "Cis.Session_create";

/// Items of `src/client.rs`.
pub fn client_module(api: &Api) -> Vec<TokenStream> {
    let methods = api.operations.values().map(method);
    // `login` needs vSphere's session create as this spec has it: no arguments,
    // a string (the session id) back.
    let login = api
        .operations
        .values()
        .find(|operation| operation.operation_id == SESSION_CREATE)
        .filter(|operation| operation.shape.request_fields.is_empty())
        .and_then(|operation| match operation.shape.successes.as_slice() {
            [success] => match &success.body {
                Some(TypeRef::String(format)) => Some((operation, *format)),
                _ => None,
            },
            _ => None,
        })
        .map(|(operation, format)| {
            let op = ident(&operation.rust_name);
            let method = ident(&operation.shape.client_method);
            let session = if format == StringFormat::Secret {
                quote! { session }
            } else {
                quote! { crate::SecretString::new(session) }
            };
            quote! {
                impl Client {
                    /// Logs in with a user name and password (`POST /api/session` with
                    /// basic authentication) and returns a client that sends the new
                    /// session id in `vmware-api-session-id`.
                    pub async fn login(
                        &self,
                        user: impl Into<String>,
                        password: impl Into<crate::SecretString>,
                    ) -> Result<Client, crate::operations::#op::Error> {
                        let basic = self.with_credentials(Credentials::Basic { user: user.into(), password: password.into() });
                        let session = basic.#method(crate::operations::#op::Request::new()).await?;
                        Ok(self.with_credentials(Credentials::SessionId(#session)))
                    }
                }
            }
        });
    vec![
        super::support::client_support(
            api.operations
                .values()
                .any(|operation| operation.shape.returns_uri),
        ),
        quote! {
            impl Client {
                #(#methods)*
            }
        },
        login.unwrap_or_default(),
    ]
}

fn method(operation: &Operation) -> TokenStream {
    let module = ident(&operation.rust_name);
    let name = ident(&operation.shape.client_method);
    let docs = doc_lines(&operation_docs(operation));
    let legacy = operation.wire == Wire::LegacyRest;
    let fields = &operation.shape.request_fields;

    let path_params = fields
        .iter()
        .filter(|f| f.location() == Some(ParameterLocation::Path))
        .map(|field| {
            let wire = &field.wire_name;
            let rust = ident(&field.rust_name);
            quote! { (#wire, crate::wire::parameter_text(&request.#rust)) }
        });
    let query_params = fields
        .iter()
        .filter(|f| f.location() == Some(ParameterLocation::Query))
        .map(|field| {
            let wire = &field.wire_name;
            let rust = ident(&field.rust_name);
            let values = match (&field.ty, field.required) {
                (TypeRef::List(_), true) => quote! { request.#rust.iter() },
                (TypeRef::List(_), false) => quote! { request.#rust.iter().flatten() },
                (_, true) => quote! { ::std::iter::once(&request.#rust) },
                (_, false) => quote! { request.#rust.iter() },
            };
            quote! {
                for value in #values {
                    url.query_pairs_mut().append_pair(#wire, &crate::wire::parameter_text(value));
                }
            }
        });
    let headers = fields
        .iter()
        .filter(|f| matches!(f.location(), Some(ParameterLocation::Header | ParameterLocation::Cookie)))
        .map(|field| {
            let wire = &field.wire_name;
            let rust = ident(&field.rust_name);
            let send = if field.location() == Some(ParameterLocation::Cookie) {
                quote! { builder = builder.header("Cookie", format!("{}={}", #wire, crate::wire::parameter_text(value))); }
            } else {
                quote! { builder = builder.header(#wire, crate::wire::parameter_text(value)); }
            };
            if field.required {
                quote! { { let value = &request.#rust; #send } }
            } else {
                quote! { if let Some(value) = &request.#rust { #send } }
            }
        });
    let body_fields: Vec<_> = fields.iter().filter(|f| f.location().is_none()).collect();
    let body = if legacy && operation.body.is_some() {
        // The legacy body is an envelope of the named arguments.
        let inserts = body_fields.iter().map(|field| {
            let wire = &field.wire_name;
            let rust = ident(&field.rust_name);
            if field.required {
                quote! { envelope.insert(#wire.into(), crate::wire::to_json(&request.#rust, true)); }
            } else {
                quote! { if let Some(value) = &request.#rust { envelope.insert(#wire.into(), crate::wire::to_json(value, true)); } }
            }
        });
        quote! {
            let mut envelope = serde_json::Map::new();
            #(#inserts)*
            builder = builder.header("Content-Type", "application/json").body(serde_json::Value::Object(envelope).to_string());
        }
    } else if let Some(field) = body_fields.first() {
        let rust = ident(&field.rust_name);
        if field.required {
            quote! { builder = builder.header("Content-Type", "application/json").body(crate::wire::to_json(&request.#rust, false).to_string()); }
        } else {
            quote! { if let Some(body) = &request.#rust { builder = builder.header("Content-Type", "application/json").body(crate::wire::to_json(body, false).to_string()); } }
        }
    } else {
        quote! {}
    };
    let has_query = !operation.fixed_query.is_empty()
        || fields
            .iter()
            .any(|f| f.location() == Some(ParameterLocation::Query));
    let url_mut = has_query.then(|| quote! { mut });
    let fixed_query = (!operation.fixed_query.is_empty()).then(|| {
        quote! {
            for (name, value) in op::OPERATION.fixed_query {
                url.query_pairs_mut().append_pair(name, value);
            }
        }
    });
    let builder_mut = fields
        .iter()
        .any(|f| {
            f.location() != Some(ParameterLocation::Path)
                && f.location() != Some(ParameterLocation::Query)
        })
        .then(|| quote! { mut });
    let replace_star = operation
        .shape
        .returns_uri
        .then(|| quote! { let response = self.replace_star_host(response); });
    let uses_request = !fields.is_empty();
    let request_binding = if uses_request {
        quote! { request }
    } else {
        quote! { _request }
    };

    // A success that is a secret (the session id) is not kept in an error when
    // it fails to decode: `Unexpected` prints its body.
    let undecodable = if operation.shape.returns_secret {
        quote! {
            Some(Err(message)) => Err(op::Error::Unexpected(crate::wire::Unexpected {
                status: Some(status),
                headers,
                body: Vec::new(),
                message: format!("{message} (body withheld: it may hold a secret)"),
            })),
        }
    } else {
        quote! {
            Some(Err(message)) => Err(op::Error::Unexpected(crate::wire::Unexpected {
                status: Some(status),
                headers,
                body,
                message,
            })),
        }
    };
    let deprecated = operation.docs.deprecated.then(|| quote! { #[deprecated] });
    quote! {
        #docs
        #deprecated
        pub async fn #name(&self, #request_binding: crate::operations::#module::Request) -> Result<crate::operations::#module::Response, crate::operations::#module::Error> {
            use crate::operations::#module as op;
            let #url_mut url = self.url(op::OPERATION.path, &[#(#path_params),*]);
            #fixed_query
            #(#query_params)*
            let #builder_mut builder = self.request(op::OPERATION.method, url);
            #(#headers)*
            #body
            let (status, headers, body) = self.send(builder).await.map_err(op::Error::Unexpected)?;
            match op::decode_response(status, &body) {
                Some(Ok(response)) => {
                    #replace_star
                    Ok(response)
                }
                #undecodable
                None => Err(op::Error::decode(status, headers, body)),
            }
        }
    }
}
