//! vapigen: an OpenAPI 3.0 -> Rust generator for the vSphere Automation REST API.
//!
//! One pipeline, one direction:
//! [`load`] (YAML/JSON -> `openapiv3`) -> [`lower`] (-> [`ir::Api`]) ->
//! [`release::restrict`] (optional) -> [`shape`] (what the crate makes of each
//! operation, computed once) -> [`emit`] (IR -> formatted files in memory).
//! Writing files is the caller's job (see the `xtask` crate), so a failure
//! anywhere writes nothing.

pub mod audit;
pub mod diagnostics;
pub mod diff;
pub mod emit;
pub mod ir;
pub mod load;
pub mod lower;
pub mod naming;
pub mod release;
pub mod shape;
pub mod timings;

pub use diagnostics::{Error, Location, Warning};
pub use emit::Files;
pub use emit::cache::FormatCache;

/// How to generate.
#[derive(Clone, Debug)]
pub struct Options {
    /// The package name of the generated crate.
    pub crate_name: String,
    /// The spec path as written in the "do not edit" preamble and in messages.
    pub spec_name: String,
    /// Whether the crate is its own workspace (true outside this repository).
    pub standalone: bool,
    /// Whether a reference that resolves to nothing degrades to free-form JSON
    /// with a warning instead of failing (for vendor files with broken `$ref`s).
    pub lenient: bool,
    /// Generate only what this release has (see [`release::restrict`]);
    /// `None` for everything the spec describes.
    pub release: Option<release::Release>,
}

/// Everything a generation run produced.
pub struct Generated {
    /// Files by path relative to the crate root.
    pub files: Files,
    /// Constructs generated in a degraded form, and repairs made to the spec.
    pub warnings: Vec<Warning>,
}

/// Runs the whole pipeline on the text of a spec.
pub fn generate(spec_text: &str, options: &Options) -> Result<Generated, Error> {
    generate_with_cache(spec_text, options, &FormatCache::new())
}

/// [`generate`], taking items formatted by an earlier run from `cache` (and
/// adding this run's): the same files, faster when little changed.
pub fn generate_with_cache(
    spec_text: &str,
    options: &Options,
    cache: &FormatCache,
) -> Result<Generated, Error> {
    emit::check_options(options)?;
    let (api, warnings) = lower_spec(spec_text, options)?;
    let files = timings::time("emit", || emit::emit(&api, options, cache))?;
    Ok(Generated { files, warnings })
}

/// The first half of the pipeline: the spec's text as the IR that would be
/// emitted (restricted to `options.release` when set, with its shape computed),
/// with warnings.
pub fn lower_spec(spec_text: &str, options: &Options) -> Result<(ir::Api, Vec<Warning>), Error> {
    let loaded = timings::time("load", || load::load(&options.spec_name, spec_text))?;
    let lowered = timings::time("lower", || {
        lower::lower(&options.spec_name, &loaded.openapi, options.lenient)
    })?;
    let mut warnings = loaded.warnings;
    warnings.extend(lowered.warnings);
    let mut api = match &options.release {
        Some(target) => {
            let (api, left_out) = release::restrict(&options.spec_name, lowered.api, target)?;
            warnings.extend(left_out);
            api
        }
        None => lowered.api,
    };
    timings::time("shape", || shape::compute(&mut api));
    Ok((api, warnings))
}
