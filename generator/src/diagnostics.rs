//! Errors and warnings, each tied to a place in the spec.
//!
//! A location is a JSON pointer into the document (RFC 6901), plus a line and
//! column when the YAML parser reported one.

use std::fmt;

/// Where in the spec a problem was found.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// JSON pointer into the document, e.g. `/components/schemas/Foo`.
    pub pointer: String,
    /// 1-based line and column, when known.
    pub line_column: Option<(usize, usize)>,
}

impl Location {
    /// A location known only by its JSON pointer.
    pub fn pointer(pointer: impl Into<String>) -> Self {
        Location {
            pointer: pointer.into(),
            line_column: None,
        }
    }

    /// The pointer of a child of this location (`segment` is escaped).
    pub fn child(&self, segment: &str) -> Self {
        Location::pointer(format!(
            "{}/{}",
            self.pointer,
            escape_pointer_segment(segment)
        ))
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        match self.line_column {
            Some((line, column)) if self.pointer.is_empty() => {
                write!(f, "line {line} column {column}")
            }
            Some((line, column)) => write!(f, "line {line} column {column} ({pointer})"),
            None => write!(f, "{pointer}"),
        }
    }
}

/// Escapes one JSON pointer segment (`~` -> `~0`, `/` -> `~1`).
pub fn escape_pointer_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The pointer that a local `$ref` such as `#/components/schemas/A` names.
pub fn ref_pointer(reference: &str) -> Option<&str> {
    reference.strip_prefix('#')
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The document is not valid YAML or JSON.
    #[error("{source_name}: syntax error at {location}: {message}")]
    Syntax {
        source_name: String,
        location: Location,
        message: String,
    },
    /// The document parses, but is not a valid OpenAPI 3.0 document.
    #[error("{source_name}: invalid OpenAPI at {location}: {message}")]
    Invalid {
        source_name: String,
        location: Location,
        message: String,
    },
    /// The document is valid, but uses something this generator cannot handle.
    #[error("{source_name}: unsupported at {location}: {message}")]
    Unsupported {
        source_name: String,
        location: Location,
        message: String,
    },
    /// Two spec items would become the same Rust name.
    #[error("{source_name}: name collision: {first} and {second} both become `{rust_name}`")]
    NameCollision {
        source_name: String,
        rust_name: String,
        // Boxed to keep `Error` small: it travels in every `Result` of the pipeline.
        first: Box<Location>,
        second: Box<Location>,
    },
    /// A key given twice in one object of the document (the second would
    /// silently replace the first).
    #[error("{source_name}: duplicate key `{key}` at {second} (first at {first})")]
    DuplicateKey {
        source_name: String,
        key: String,
        first: Box<Location>,
        second: Box<Location>,
    },
    /// A generation option is not usable (the spec is not at fault).
    #[error("invalid {option}: {message}")]
    InvalidOption {
        option: &'static str,
        message: String,
    },
    /// Generated code did not parse back (a bug in the generator).
    #[error("internal error: emitted code for {file} does not parse: {message}")]
    Emit { file: String, message: String },
    /// rustfmt could not be run or rejected the code.
    #[error("formatting {file} with rustfmt failed: {message}")]
    Format { file: String, message: String },
    /// A text template failed to render.
    #[error("internal error: template for {file} failed: {message}")]
    Template { file: String, message: String },
}

/// A construct that was generated in a degraded form (e.g. as free-form JSON).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Warning {
    /// Where the construct is.
    pub location: Location,
    /// What was done about it.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "warning at {}: {}", self.location, self.message)
    }
}
