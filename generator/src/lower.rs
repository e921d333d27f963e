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
    /// infinitely large. Since the owner holds the target, that is when both are
    /// in one strongly connected component of direct containment. Aliases that
    /// refer to themselves become free-form JSON.
    fn break_cycles(&mut self) {
        let components = strongly_connected(&direct_edges(&self.types));
        let same_component = |a: &str, b: &str| {
            a == b || matches!((components.get(a), components.get(b)), (Some(x), Some(y)) if x == y)
        };
        for (owner, def) in &mut self.types {
            if let TypeKind::Struct(strukt) = &mut def.kind {
                for field in &mut strukt.fields {
                    field.boxed = matches!(&field.ty, TypeRef::Named(target) if same_component(target, owner));
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
        let components = strongly_connected(&alias_edges);
        let mut sizes: BTreeMap<usize, usize> = BTreeMap::new();
        for component in components.values() {
            *sizes.entry(*component).or_default() += 1;
        }
        for (name, targets) in &alias_edges {
            let cyclic = targets.contains(name)
                || components
                    .get(name)
                    .is_some_and(|component| sizes[component] > 1);
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

/// The strongly connected components of a graph (Tarjan's algorithm with
/// an explicit stack, so a long chain of types cannot overflow the call
/// stack, in time linear in the graph): node -> component number.
fn strongly_connected(edges: &BTreeMap<String, BTreeSet<String>>) -> BTreeMap<String, usize> {
    #[derive(Clone, Copy)]
    struct Visit {
        index: usize,
        low: usize,
        on_stack: bool,
    }
    let mut visits: BTreeMap<&str, Visit> = BTreeMap::new();
    let mut components: BTreeMap<String, usize> = BTreeMap::new();
    let mut stack: Vec<&str> = Vec::new();
    let mut next_index = 0;
    let mut component_count = 0;
    let successors = |node: &str| -> Vec<&str> {
        edges
            .get(node)
            .map(|targets| targets.iter().map(String::as_str).collect())
            .unwrap_or_default()
    };
    for root in edges.keys() {
        if visits.contains_key(root.as_str()) {
            continue;
        }
        // Each frame: a node and the successors it has yet to look at.
        let mut frames: Vec<(&str, std::vec::IntoIter<&str>)> = Vec::new();
        visits.insert(
            root,
            Visit {
                index: next_index,
                low: next_index,
                on_stack: true,
            },
        );
        next_index += 1;
        stack.push(root);
        frames.push((root, successors(root).into_iter()));
        while let Some((node, pending)) = frames.last_mut() {
            let node = *node;
            if let Some(next) = pending.next() {
                match visits.get(next).copied() {
                    None => {
                        visits.insert(
                            next,
                            Visit {
                                index: next_index,
                                low: next_index,
                                on_stack: true,
                            },
                        );
                        next_index += 1;
                        stack.push(next);
                        frames.push((next, successors(next).into_iter()));
                    }
                    Some(target) if target.on_stack => {
                        if let Some(visit) = visits.get_mut(node) {
                            visit.low = visit.low.min(target.index);
                        }
                    }
                    Some(_) => {}
                }
                continue;
            }
            frames.pop();
            let Some(visit) = visits.get(node).copied() else {
                continue;
            };
            if let Some((parent, _)) = frames.last()
                && let Some(parent_visit) = visits.get_mut(*parent)
            {
                parent_visit.low = parent_visit.low.min(visit.low);
            }
            if visit.low == visit.index {
                let component = component_count;
                component_count += 1;
                while let Some(member) = stack.pop() {
                    if let Some(member_visit) = visits.get_mut(member) {
                        member_visit.on_stack = false;
                    }
                    components.insert(member.to_owned(), component);
                    if member == node {
                        break;
                    }
                }
            }
        }
    }
    components
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

/// Refuses a dotted name with more parts than any real API nests packages
/// (each part but the last is a module, a directory and a docs page level).
fn check_name_depth(lowering: &Lowering, name: &str, location: &Location) -> Result<(), Error> {
    let parts = name.split('.').filter(|part| !part.is_empty()).count();
    if parts > crate::naming::MAX_NAME_PARTS {
        return Err(lowering.unsupported(
            location,
            format!(
                "a name of {parts} dotted parts; at most {} are supported (one module per part)",
                crate::naming::MAX_NAME_PARTS
            ),
        ));
    }
    Ok(())
}

fn schema_pointer(key: &str) -> String {
    format!("/components/schemas/{}", escape_pointer_segment(key))
}
