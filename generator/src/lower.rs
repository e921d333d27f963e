//! OpenAPI document -> [`crate::ir::Api`].
//!
//! Lowering resolves references, names every type (inline schemas get names
//! made from where they are used), decides which fields must be boxed, and
//! records errors, since-versions and privileges. It is the only module that
//! reads `openapiv3` types besides `load`.

mod operations;
mod schemas;

use crate::diagnostics::{Error, Location, Warning, escape_pointer_segment};
use crate::ir::{Api, Docs, TypeDef, TypeKind, TypeRef};
use openapiv3::OpenAPI;
use std::collections::{BTreeMap, BTreeSet};

/// Vendor extension: the API release that added an item.
pub const EXT_SINCE: &str = "x-vapi-since";
/// Vendor extension: privileges required to call an operation.
pub const EXT_PRIVILEGES: &str = "x-vapi-privileges";
/// Vendor extension: the wire form of an operation (`rest` for the legacy form).
pub const EXT_WIRE: &str = "x-vapi-wire";
/// Vendor extension: the parameter or body property naming the object privileges apply to.
pub const EXT_PRIVILEGE_SCOPE: &str = "x-vapi-privilege-scope";
/// Vendor extension on a task operation: the schema (a `$ref`) of the task's result.
pub const EXT_TASK_RESULT: &str = "x-vapi-task-result";
/// Vendor extension on an enum schema: since-versions of values added later.
pub const EXT_ENUM_SINCE: &str = "x-vapi-enum-since";

/// The result of lowering.
pub struct Lowered {
    /// The API.
    pub api: Api,
    /// Constructs generated in a degraded form.
    pub warnings: Vec<Warning>,
}

/// Lowers a loaded document.
pub fn lower(source_name: &str, openapi: &OpenAPI, lenient: bool) -> Result<Lowered, Error> {
    match lower_once(source_name, openapi, lenient) {
        Err(error) if !lenient => Err(explain_strictness(error, source_name, openapi)),
        result => result,
    }
}

/// A strict run stops at the first unresolvable reference. When lenient mode
/// would have degraded it, say so, and how many such references the document
/// has (VMware's published files have dozens), so the user learns the whole
/// picture and the way out from one error.
fn explain_strictness(error: Error, source_name: &str, openapi: &OpenAPI) -> Error {
    let Error::Invalid {
        source_name: name,
        location,
        message,
    } = error
    else {
        return error;
    };
    let degraded = lower_once(source_name, openapi, true)
        .map(|lowered| {
            lowered
                .warnings
                .iter()
                .filter(|warning| warning.message.ends_with(LENIENT_SUFFIX))
                .count()
        })
        .unwrap_or(0);
    let message = match degraded {
        0 => message,
        1 => format!(
            "{message} (the only unresolvable reference in this document; \
             `--lenient` generates it as free-form JSON with a warning)"
        ),
        n => format!(
            "{message} ({} more unresolvable reference{} in this document; \
             `--lenient` generates each as free-form JSON with a warning)",
            n - 1,
            if n == 2 { "" } else { "s" }
        ),
    };
    Error::Invalid {
        source_name: name,
        location,
        message,
    }
}

/// What a warning for a reference degraded in lenient mode ends with.
const LENIENT_SUFFIX: &str = "; generated as free-form JSON (lenient mode)";

fn lower_once(source_name: &str, openapi: &OpenAPI, lenient: bool) -> Result<Lowered, Error> {
    let mut lowering = Lowering {
        source_name,
        openapi,
        lenient,
        types: BTreeMap::new(),
        type_origins: BTreeMap::new(),
        component_names: BTreeMap::new(),
        discriminator_values: BTreeMap::new(),
        warnings: Vec::new(),
    };
    lowering.lower_components()?;
    let operations = lowering.lower_operations()?;
    lowering.break_cycles();
    lowering.inherit_field_docs();
    Ok(Lowered {
        api: Api {
            title: openapi.info.title.clone(),
            version: openapi.info.version.clone(),
            description: openapi.info.description.clone(),
            release: None,
            types: lowering.types,
            operations,
        },
        warnings: lowering.warnings,
    })
}

struct Lowering<'a> {
    source_name: &'a str,
    openapi: &'a OpenAPI,
    /// Unresolvable references degrade to free-form JSON instead of failing.
    lenient: bool,
    types: BTreeMap<String, TypeDef>,
    /// Where each Rust type name came from, to report collisions.
    type_origins: BTreeMap<String, Location>,
    /// Component schema key -> Rust name.
    component_names: BTreeMap<String, String>,
    /// Schema pointer -> discriminator value naming it (from `discriminator.mapping`).
    discriminator_values: BTreeMap<String, String>,
    warnings: Vec<Warning>,
}

impl Lowering<'_> {
    fn warn(&mut self, location: &Location, message: impl Into<String>) {
        self.warnings.push(Warning {
            location: location.clone(),
            message: message.into(),
        });
    }

    fn unsupported(&self, location: &Location, message: impl Into<String>) -> Error {
        Error::Unsupported {
            source_name: self.source_name.to_owned(),
            location: location.clone(),
            message: message.into(),
        }
    }

    fn invalid(&self, location: &Location, message: impl Into<String>) -> Error {
        Error::Invalid {
            source_name: self.source_name.to_owned(),
            location: location.clone(),
            message: message.into(),
        }
    }

    /// In lenient mode, turns an unresolvable reference (an `Invalid` error) into
    /// `fallback` and a warning; otherwise passes the result through.
    fn tolerate<T>(&mut self, result: Result<T, Error>, fallback: T) -> Result<T, Error> {
        match result {
            Err(Error::Invalid {
                location, message, ..
            }) if self.lenient => {
                self.warn(&location, format!("{message}{LENIENT_SUFFIX}"));
                Ok(fallback)
            }
            other => other,
        }
    }

    /// Claims a Rust type name for a name that the spec gives; a second claim is an error.
    fn claim_spec_name(&mut self, rust_name: &str, origin: &Location) -> Result<(), Error> {
        if let Some(first) = self.type_origins.get(rust_name) {
            return Err(Error::NameCollision {
                source_name: self.source_name.to_owned(),
                rust_name: rust_name.to_owned(),
                first: Box::new(first.clone()),
                second: Box::new(origin.clone()),
            });
        }
        self.type_origins
            .insert(rust_name.to_owned(), origin.clone());
        Ok(())
    }

    /// Claims a name for an inline schema: the generator made it up, so a clash is
    /// resolved by numbering (`Name2`, `Name3`, ...) and reported as a warning.
    fn claim_made_up_name(&mut self, wanted: &str, origin: &Location) -> String {
        let mut name = wanted.to_owned();
        let mut counter = 2;
        while self.type_origins.contains_key(&name) {
            name = format!("{wanted}{counter}");
            counter += 1;
        }
        if name != wanted {
            let first = self.type_origins[wanted].clone();
            self.warn(
                origin,
                format!("inline type named `{name}` because `{wanted}` is taken by {first}"),
            );
        }
        self.type_origins.insert(name.clone(), origin.clone());
        name
    }

    fn define(&mut self, def: TypeDef) {
        self.types.insert(def.rust_name.clone(), def);
    }

    /// Replaces boxing flags: a field is boxed when it holds its target directly
    /// (not through a list or map) and the target can reach the field's owner
    /// through direct containment, i.e. exactly where a cycle would make the type
    /// infinitely large. Aliases that refer to themselves become free-form JSON.
    fn break_cycles(&mut self) {
        let direct = direct_edges(&self.types);
        let owners: Vec<String> = self.types.keys().cloned().collect();
        for owner in owners {
            let Some(TypeDef {
                kind: TypeKind::Struct(strukt),
                ..
            }) = self.types.get(&owner)
            else {
                continue;
            };
            let boxed: Vec<bool> = strukt
                .fields
                .iter()
                .map(|field| match &field.ty {
                    TypeRef::Named(target) => reaches(&direct, target, &owner),
                    _ => false,
                })
                .collect();
            if let Some(TypeDef {
                kind: TypeKind::Struct(strukt),
                ..
            }) = self.types.get_mut(&owner)
            {
                for (field, boxed) in strukt.fields.iter_mut().zip(boxed) {
                    field.boxed = boxed;
                }
            }
        }
        self.break_alias_cycles();
    }

    /// A property given only as a `$ref` has no description of its own; it
    /// takes the description of the type it refers to.
    fn inherit_field_docs(&mut self) {
        let descriptions: BTreeMap<String, String> = self
            .types
            .iter()
            .filter_map(|(name, def)| def.docs.description.clone().map(|d| (name.clone(), d)))
            .collect();
        for def in self.types.values_mut() {
            if let TypeKind::Struct(strukt) = &mut def.kind {
                for field in &mut strukt.fields {
                    if field.docs.description.is_none()
                        && let TypeRef::Named(target) = &field.ty
                    {
                        field.docs.description = descriptions.get(target).cloned();
                    }
                }
            }
        }
    }

    fn break_alias_cycles(&mut self) {
        let alias_edges: BTreeMap<String, BTreeSet<String>> = self
            .types
            .iter()
            .filter_map(|(name, def)| match &def.kind {
                TypeKind::Alias(target) => {
                    let mut named = BTreeSet::new();
                    collect_named(target, &mut named);
                    named.retain(|n| {
                        matches!(self.types.get(n).map(|d| &d.kind), Some(TypeKind::Alias(_)))
                    });
                    Some((name.clone(), named))
                }
                _ => None,
            })
            .collect();
        for name in alias_edges.keys() {
            let cyclic = alias_edges[name]
                .iter()
                .any(|next| reaches(&alias_edges, next, name));
            if cyclic {
                let location = Location::pointer(self.types[name].pointer.clone());
                self.warn(
                    &location,
                    format!("`{name}` is defined in terms of itself; generated as free-form JSON"),
                );
                if let Some(def) = self.types.get_mut(name) {
                    def.kind = TypeKind::Alias(TypeRef::Json);
                }
            }
        }
    }
}

/// For each type, the named types it holds directly (so that a cycle among them
/// would make a Rust type infinitely large).
fn direct_edges(types: &BTreeMap<String, TypeDef>) -> BTreeMap<String, BTreeSet<String>> {
    types
        .iter()
        .map(|(name, def)| {
            let targets = match &def.kind {
                TypeKind::Struct(strukt) => strukt
                    .fields
                    .iter()
                    .filter_map(|field| match &field.ty {
                        TypeRef::Named(target) => Some(target.clone()),
                        _ => None,
                    })
                    .collect(),
                TypeKind::Alias(TypeRef::Named(target)) => BTreeSet::from([target.clone()]),
                TypeKind::Alias(_) | TypeKind::Enum(_) => BTreeSet::new(),
            };
            (name.clone(), targets)
        })
        .collect()
}

/// Whether `to` is reachable from `from` (a path of length zero counts).
fn reaches(edges: &BTreeMap<String, BTreeSet<String>>, from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_owned()];
    while let Some(node) = stack.pop() {
        if node == to {
            return true;
        }
        if seen.insert(node.clone())
            && let Some(next) = edges.get(&node)
        {
            stack.extend(next.iter().cloned());
        }
    }
    false
}

fn collect_named(ty: &TypeRef, out: &mut BTreeSet<String>) {
    match ty {
        TypeRef::Named(name) => {
            out.insert(name.clone());
        }
        TypeRef::List(inner) | TypeRef::Map(inner) => collect_named(inner, out),
        _ => {}
    }
}

/// Reads the vendor extensions and standard fields that make up [`Docs`].
fn docs_from(
    description: Option<&String>,
    deprecated: bool,
    extensions: &indexmap::IndexMap<String, serde_json::Value>,
) -> Docs {
    Docs {
        summary: None,
        description: description
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty()),
        since: extensions.get(EXT_SINCE).and_then(version_string),
        privileges: extensions
            .get(EXT_PRIVILEGES)
            .and_then(serde_json::Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|p| p.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        deprecated,
        published: extensions
            .get(crate::audit::EXT_PUBLISHED)
            .and_then(serde_json::Value::as_object)
            .map(|declared| {
                declared
                    .iter()
                    .map(|(key, value)| {
                        let value = match value {
                            serde_json::Value::String(text) => text.clone(),
                            other => other.to_string(),
                        };
                        (key.clone(), value)
                    })
                    .collect()
            })
            .unwrap_or_default(),
        example: None,
    }
}

/// A since-version may be written as a string or (unquoted in YAML) a number.
fn version_string(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn schema_pointer(key: &str) -> String {
    format!("/components/schemas/{}", escape_pointer_segment(key))
}
