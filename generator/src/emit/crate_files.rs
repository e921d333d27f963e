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

/// Refuses a package name Cargo would reject (or that would break the
/// manifest it is written into): ASCII letters, digits, `-` and `_`, not
/// starting with a digit, not a Rust keyword or a name of Rust's own crates.
pub fn check_crate_name(name: &str) -> Result<(), Error> {
    let refuse = |why: &str| {
        Err(Error::InvalidOption {
            option: "crate name",
            message: format!("`{name}` {why}"),
        })
    };
    let Some(first) = name.chars().next() else {
        return refuse("is empty");
    };
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return refuse("may hold only ASCII letters, digits, `-` and `_`");
    }
    if !(first.is_ascii_alphabetic() || first == '_') {
        return refuse("must start with a letter or `_`");
    }
    let as_code = name.replace('-', "_");
    if crate::naming::is_keyword(&as_code) {
        return refuse("is a Rust keyword");
    }
    if ["test", "core", "std", "alloc", "proc_macro"].contains(&as_code.as_str()) {
        return refuse("is the name of one of Rust's own crates");
    }
    Ok(())
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

/// `src/lib.rs`, written as text so that it is `cargo fmt`-clean as it is:
/// every other module is declared `#[rustfmt::skip]` (the generator lays them
/// out with prettyplease, and reformatting them would only cost time).
pub fn lib_rs(api: &Api, options: &Options) -> Result<String, Error> {
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
    let mut out = super::preamble("//", options);
    out.push('\n');
    for line in crate_doc.lines() {
        if line.is_empty() {
            out.push_str("//!\n");
        } else {
            out.push_str(&format!("//! {line}\n"));
        }
    }
    out.push_str("#![deny(missing_docs)]\n\n");
    let has_operations = !api.operations.is_empty();
    let modules: [(&str, Option<&str>, bool); 6] = [
        ("client", Some("client"), has_operations),
        ("operations", None, true),
        ("runtime", None, true),
        ("server", Some("server"), has_operations),
        ("types", None, true),
        ("wire", None, true),
    ];
    for (name, feature, present) in modules {
        if !present {
            continue;
        }
        if let Some(feature) = feature {
            out.push_str(&format!("#[cfg(feature = \"{feature}\")]\n"));
        }
        if name == "runtime" {
            // Generated code calls it; users do not (the public parts are re-exported).
            out.push_str("#[doc(hidden)]\n");
        }
        out.push_str(&format!("#[rustfmt::skip]\npub mod {name};\n"));
    }
    let version = format!("{:?}", api.api_version());
    out.push_str(&format!(
        "\npub use runtime::secret::SecretString;\n\n/// The vSphere API release this crate was generated for: the spec's\n/// `info.version`, or the older release chosen with `--api-version`.\npub const API_VERSION: &str = {version};\n"
    ));
    Ok(out)
}

/// Items of `src/wire.rs`: the runtime's public wire types, where users find them.
pub fn wire_items() -> Vec<TokenStream> {
    vec![quote! {
        //! What every operation shares: credentials, operation metadata, task
        //! ids, responses that are not what the spec documents, and the traits
        //! the client and the server are generic over.

        pub use crate::runtime::wire::{
            Auth, ClientTokenField, Operation, OperationError, OperationInfo, TaskId, Unexpected,
            WireForm,
        };
    }]
}
