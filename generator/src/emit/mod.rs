//! IR -> files of a Rust crate. Each emitter reads only the IR.
//!
//! The crate is laid out like the API: one file per vAPI package of types
//! (`src/types/esx/settings.rs`), one per operation (`src/operations/<op>.rs`),
//! so a spec change shows up in a pull request in the files it touched. The
//! fixed runtime is embedded from the `vapigen-runtime` crate
//! ([`runtime`]). Files are rendered side by side; Rust goes through syn and
//! prettyplease only, and the generated modules are marked
//! `#[rustfmt::skip]` so `cargo fmt` leaves the generator's layout alone.

pub mod cache;
mod client;
mod crate_files;
mod docs;
pub mod operations;
pub mod runtime;
pub mod rustdoc;
pub mod scope;
mod server;
pub mod types;

use crate::Options;
use crate::diagnostics::Error;
use crate::ir::Api;
use cache::FormatCache;
use proc_macro2::TokenStream;
use rayon::iter::{IntoParallelIterator, ParallelIterator};
use std::collections::BTreeMap;

/// Files of the generated crate by path relative to its root, in memory.
pub type Files = BTreeMap<String, String>;

/// A piece of a generated Rust file: items laid out by prettyplease, or a
/// table the generator lays out itself (a macro call with one row per line,
/// which prettyplease would fill like prose).
pub enum Piece {
    /// Items, formatted by syn and prettyplease.
    Tokens(TokenStream),
    /// Text written as it is.
    Text(String),
}

impl From<TokenStream> for Piece {
    fn from(tokens: TokenStream) -> Self {
        Piece::Tokens(tokens)
    }
}

/// A type or path as compact text (`crate::types::a::B`), for tables written as text.
pub fn path_text(tokens: &TokenStream) -> String {
    tokens.to_string().split_whitespace().collect()
}

/// One unit of emission work: renders one or more files.
type Job<'a> = Box<dyn FnOnce() -> Result<Vec<(String, String)>, Error> + Send + 'a>;

/// A job that renders one Rust source file from its items.
fn rust_job<'a>(
    path: String,
    options: &'a Options,
    cache: &'a FormatCache,
    items: impl FnOnce() -> Vec<Piece> + Send + 'a,
) -> Job<'a> {
    Box::new(move || {
        let text = rust_file(&path, options, cache, items())?;
        Ok(vec![(path, text)])
    })
}

/// Refuses options the crate cannot be emitted with (a crate name Cargo rejects).
pub fn check_options(options: &Options) -> Result<(), Error> {
    crate_files::check_crate_name(&options.crate_name)
}

/// Emits every file of the crate; items formatted before are taken from `cache`.
pub fn emit(api: &Api, options: &Options, cache: &FormatCache) -> Result<Files, Error> {
    let has_operations = !api.operations.is_empty();
    // The docs first: they are one job, and the largest.
    let mut jobs: Vec<Job> = vec![Box::new(|| {
        crate::timings::time("emit/docs", || docs::docs_files(api, options))
            .map(|files| files.into_iter().collect())
    })];
    jobs.push(rust_job("src/operations.rs".into(), options, cache, || {
        pieces(operations::operations_index(api))
    }));
    for operation in api.operations.values() {
        let path = format!("src/operations/{}.rs", operation.rust_name);
        jobs.push(rust_job(path, options, cache, || {
            operations::operation_file(api, operation)
        }));
    }
    for file in types::types_files(api) {
        jobs.push(rust_job(file.path.clone(), options, cache, move || {
            types::types_file_items(api, &file)
        }));
    }
    if has_operations {
        jobs.push(rust_job("src/server.rs".into(), options, cache, || {
            pieces(server::server_module(api, &options.crate_name))
        }));
        jobs.push(rust_job("src/client.rs".into(), options, cache, || {
            pieces(client::client_module(api, &options.crate_name))
        }));
    }
    jobs.push(rust_job("src/wire.rs".into(), options, cache, || {
        pieces(crate_files::wire_items())
    }));
    jobs.push(Box::new(|| {
        let preamble = preamble("//", options);
        Ok(runtime::runtime_files(&preamble).into_iter().collect())
    }));
    jobs.push(Box::new(|| {
        Ok(vec![(
            "src/lib.rs".into(),
            crate_files::lib_rs(api, options)?,
        )])
    }));
    jobs.push(Box::new(|| {
        Ok(vec![(
            "Cargo.toml".into(),
            crate_files::cargo_toml(options)?,
        )])
    }));
    // Files are independent: render them side by side. `collect` keeps job
    // order, so the first error reported does not depend on scheduling, and
    // the output is the same.
    let rendered: Vec<Result<Vec<(String, String)>, Error>> =
        crate::timings::time("emit/files", || {
            jobs.into_par_iter().map(|job| job()).collect()
        });
    let mut files = Files::new();
    for result in rendered {
        files.extend(result?);
    }
    Ok(files)
}

fn pieces(items: Vec<TokenStream>) -> Vec<Piece> {
    items.into_iter().map(Piece::Tokens).collect()
}

/// The "do not edit" comment that opens every generated Markdown page.
pub fn preamble_markdown(options: &Options) -> String {
    format!(
        "<!-- @generated by `cargo xtask codegen` from {} (vapigen {}). Do not edit: change the spec or the generator, then regenerate. -->",
        options.spec_name,
        env!("CARGO_PKG_VERSION")
    )
}

/// The "do not edit" line that opens every generated file.
pub fn preamble(comment: &str, options: &Options) -> String {
    format!(
        "{comment} @generated by `cargo xtask codegen` from {} (vapigen {}).\n{comment} Do not edit: change the spec or the generator, then regenerate.\n",
        options.spec_name,
        env!("CARGO_PKG_VERSION")
    )
}

/// Formats items into a Rust source file: each item through syn and
/// prettyplease, with a blank line between items (prettyplease drops them),
/// after the preamble. The first item may hold the file's inner attributes
/// and docs.
fn rust_file(
    path: &str,
    options: &Options,
    cache: &FormatCache,
    pieces: Vec<Piece>,
) -> Result<String, Error> {
    let mut out = preamble("//", options);
    out.push('\n');
    let mut first = true;
    for (index, piece) in pieces.into_iter().enumerate() {
        let text = match piece {
            Piece::Tokens(tokens) if tokens.is_empty() => continue,
            Piece::Tokens(tokens) => cache.format(&tokens, || {
                let file: syn::File = syn::parse2(tokens.clone()).map_err(|error| Error::Emit {
                    file: path.to_owned(),
                    message: format!("item {index}: {error}"),
                })?;
                Ok(separate_items(&prettyplease::unparse(&file)))
            })?,
            Piece::Text(text) => text,
        };
        if !first {
            out.push('\n');
        }
        first = false;
        out.push_str(&text);
    }
    Ok(out)
}

/// Puts a blank line between items that follow a closing brace inside modules
/// and impls, which prettyplease packs together.
fn separate_items(code: &str) -> String {
    const ITEM_STARTS: &[&str] = &[
        "///", "#[", "pub ", "impl", "mod ", "fn ", "const ", "type ", "struct ", "enum ",
    ];
    let mut out = String::with_capacity(code.len() + code.len() / 16);
    let mut previous = "";
    let mut previous_top_level = false;
    for line in code.lines() {
        let trimmed = line.trim_start();
        let top_level = trimmed.len() == line.len();
        let after_item = previous == "}"
            || previous == "};"
            || (previous.ends_with(';')
                && !previous.starts_with("//")
                && trimmed.starts_with("///"))
            // `pub struct Endpoint;` then its `impl`, at the top of a file.
            || (previous_top_level
                && top_level
                && previous.ends_with(';')
                && !previous.starts_with("//")
                && (trimmed.starts_with("impl") || trimmed.starts_with("#[")));
        let after_module_docs = previous.starts_with("//!") && !trimmed.starts_with("//!");
        if (after_item && ITEM_STARTS.iter().any(|start| trimmed.starts_with(start)))
            || after_module_docs
        {
            out.push('\n');
        }
        out.push_str(line);
        out.push('\n');
        previous = trimmed;
        previous_top_level = top_level;
    }
    out
}
