//! The crate's manifest and root module.

use super::rustdoc::sanitize;
use crate::Options;
use crate::diagnostics::Error;
use crate::ir::Api;
use askama::Template;
use proc_macro2::TokenStream;
use quote::quote;

#[derive(Template)]
#[template(path = "Cargo.toml.txt", escape = "none")]
struct CargoToml<'a> {
    preamble: String,
    crate_name: &'a str,
    standalone: bool,
}

pub fn cargo_toml(options: &Options) -> Result<String, Error> {
    CargoToml {
        preamble: super::preamble("#", options),
        crate_name: &options.crate_name,
        standalone: options.standalone,
    }
    .render()
    .map_err(|error| Error::Template {
        file: "Cargo.toml".into(),
        message: error.to_string(),
    })
}

#[derive(Template)]
#[template(path = "crate_doc.md", escape = "none")]
struct CrateDoc<'a> {
    title: String,
    version: &'a str,
    /// The release the spec describes, when the crate is restricted to an older one.
    restricted_from: Option<&'a str>,
    first_paragraph: String,
    has_operations: bool,
    spec_name: &'a str,
}

/// Items of `src/lib.rs`.
pub fn lib_items(api: &Api, options: &Options) -> Result<Vec<TokenStream>, Error> {
    let first_paragraph = api
        .description
        .as_deref()
        .map(sanitize)
        .and_then(|d| d.split("\n\n").next().map(str::to_owned))
        .unwrap_or_default();
    let crate_doc = CrateDoc {
        title: sanitize(&api.title),
        version: api.api_version(),
        restricted_from: api.release.as_ref().map(|_| api.version.as_str()),
        first_paragraph,
        has_operations: !api.operations.is_empty(),
        spec_name: &options.spec_name,
    }
    .render()
    .map_err(|error| Error::Template {
        file: "src/lib.rs".into(),
        message: error.to_string(),
    })?;
    let crate_doc = crate_doc.lines().map(|line| {
        if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        }
    });
    let version = api.api_version();
    let has_operations = !api.operations.is_empty();
    let client = has_operations.then(|| quote! { #[cfg(feature = "client")] pub mod client; });
    let server = has_operations.then(|| quote! { #[cfg(feature = "server")] pub mod server; });
    Ok(vec![
        quote! {
            #( #![doc = #crate_doc] )*
            #![deny(missing_docs)]

            #client
            pub mod operations;
            mod secret;
            #server
            pub mod types;
            pub mod wire;
        },
        quote! { pub use secret::SecretString; },
        quote! {
            /// The vSphere API release this crate was generated for: the spec's
            /// `info.version`, or the older release chosen with `--api-version`.
            pub const API_VERSION: &str = #version;
        },
    ])
}
