//! Release targeting: the part of an API that a given vSphere release has.
//!
//! The spec describes the newest release and marks what came later than the
//! rest with since-versions (`x-vapi-since` on operations, parameters, schemas
//! and properties; `x-vapi-enum-since` on enum values). [`restrict`] works on
//! the IR, between lowering and emitting, so every emitter sees the smaller API:
//!
//! - an operation, schema, parameter, optional property or enum value added
//!   after the target release is left out;
//! - a schema with a *required* property added later cannot describe what the
//!   older release sends or accepts, so it is left out too (with a warning), and
//!   so is everything that needs it: schemas that require it, operations whose
//!   parameters, body or success responses use it (each with a warning). An
//!   optional property of such a type is dropped; an error case is dropped.

use crate::diagnostics::{Error, Location, Warning};
use crate::ir::{Api, Operation, ResponseKind, TypeKind, TypeRef};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

/// A vSphere API release number such as `7.0.3.0` (or `6.7.2`: missing
/// trailing components are zeros).
#[derive(Clone, Debug)]
pub struct Release {
    parts: Vec<u64>,
    text: String,
}

impl Release {
    /// Parses dot-separated decimal numbers; `None` for anything else.
    pub fn parse(text: &str) -> Option<Release> {
        let parts = text
            .trim()
            .split('.')
            .map(|part| part.parse::<u64>().ok())
            .collect::<Option<Vec<u64>>>()?;
        Some(Release {
            parts,
            text: text.trim().to_owned(),
        })
    }

    fn part(&self, index: usize) -> u64 {
        self.parts.get(index).copied().unwrap_or(0)
    }
}

impl Ord for Release {
    fn cmp(&self, other: &Self) -> Ordering {
        let len = self.parts.len().max(other.parts.len());
        (0..len)
            .map(|index| self.part(index).cmp(&other.part(index)))
            .find(|ordering| ordering.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

impl PartialOrd for Release {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Release {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Release {}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The API as release `target` has it, with a warning for each operation or
/// schema left out for a reason other than its own since-version.
pub fn restrict(
    source_name: &str,
    mut api: Api,
    target: &Release,
) -> Result<(Api, Vec<Warning>), Error> {
    let later = |since: &Option<String>, location: Location| -> Result<Option<String>, Error> {
        let Some(since) = since else {
            return Ok(None);
        };
        match Release::parse(since) {
            Some(release) if release > *target => Ok(Some(since.clone())),
            Some(_) => Ok(None),
            None => Err(Error::Invalid {
                source_name: source_name.to_owned(),
                location,
                message: format!("since-version `{since}` is not a release number like 7.0.3.0"),
            }),
        }
    };
    let mut warnings = Vec::new();

    // Schemas: left out when added later; why, for the warnings of what needs them.
    let mut missing: BTreeMap<String, String> = BTreeMap::new();
    for (name, def) in &api.types {
        let location = Location::pointer(&def.pointer).child(crate::lower::EXT_SINCE);
        if let Some(since) = later(&def.docs.since, location)? {
            missing.insert(
                name.clone(),
                format!("`{}` was added in {since}", def.origin),
            );
        }
    }
    for (name, def) in api.types.iter_mut() {
        if missing.contains_key(name) {
            continue;
        }
        let schema = Location::pointer(&def.pointer);
        match &mut def.kind {
            TypeKind::Struct(strukt) => {
                let mut kept = Vec::new();
                for field in strukt.fields.drain(..) {
                    let location = schema
                        .child("properties")
                        .child(&field.wire_name)
                        .child(crate::lower::EXT_SINCE);
                    match later(&field.docs.since, location)? {
                        None => kept.push(field),
                        Some(since) if field.required => {
                            let reason = format!(
                                "`{}` requires property `{}`, added in {since}",
                                def.origin, field.wire_name
                            );
                            warnings.push(Warning {
                                location: schema.clone(),
                                message: format!(
                                    "left out of release {target}: its required property `{}` was added in {since}",
                                    field.wire_name
                                ),
                            });
                            missing.insert(name.clone(), reason);
                            kept.push(field);
                        }
                        Some(_) => {}
                    }
                }
                strukt.fields = kept;
            }
            TypeKind::Enum(enumeration) => {
                let mut kept = Vec::new();
                for value in enumeration.values.drain(..) {
                    let location = schema
                        .child(crate::lower::EXT_ENUM_SINCE)
                        .child(&value.wire_name);
                    if later(&value.since, location)?.is_none() {
                        kept.push(value);
                    }
                }
                enumeration.values = kept;
            }
            TypeKind::Alias(_) => {}
        }
    }

    // What needs a missing schema goes too: a fixed point, since schemas nest.
    loop {
        let before = missing.len();
        for (name, def) in api.types.iter_mut() {
            if missing.contains_key(name) {
                continue;
            }
            let needs = match &mut def.kind {
                TypeKind::Struct(strukt) => {
                    // An optional property of a missing type just goes.
                    strukt.fields.retain(|field| {
                        field.required || first_missing(&field.ty, &missing).is_none()
                    });
                    strukt
                        .fields
                        .iter()
                        .find_map(|field| first_missing(&field.ty, &missing))
                }
                TypeKind::Alias(target) => first_missing(target, &missing),
                TypeKind::Enum(_) => None,
            };
            if let Some(needed) = needs {
                // An inline schema belongs to its operation, which warns for it.
                if !def.origin.is_inline() {
                    warnings.push(Warning {
                        location: Location::pointer(&def.pointer),
                        message: format!(
                            "left out of release {target}: it needs `{needed}` ({})",
                            missing[&needed]
                        ),
                    });
                }
                missing.insert(name.clone(), format!("`{}` needs `{needed}`", def.origin));
            }
        }
        if missing.len() == before {
            break;
        }
    }
    api.types.retain(|name, _| !missing.contains_key(name));

    // Operations.
    let mut operations = BTreeMap::new();
    for (name, mut operation) in std::mem::take(&mut api.operations) {
        let pointer = Location::pointer(&operation.pointer);
        if later(
            &operation.docs.since,
            pointer.child(crate::lower::EXT_SINCE),
        )?
        .is_some()
        {
            continue;
        }
        match restrict_operation(&mut operation, &missing, &later)? {
            None => {
                operations.insert(name, operation);
            }
            Some(reason) => warnings.push(Warning {
                location: pointer,
                message: format!(
                    "operation `{}` left out of release {target}: {reason}",
                    operation.operation_id
                ),
            }),
        }
    }
    api.operations = operations;
    api.release = Some(target.to_string());
    Ok((api, warnings))
}

/// Drops what the release lacks from one operation; `Some(reason)` when the
/// operation itself cannot be offered.
fn restrict_operation(
    operation: &mut Operation,
    missing: &BTreeMap<String, String>,
    later: &impl Fn(&Option<String>, Location) -> Result<Option<String>, Error>,
) -> Result<Option<String>, Error> {
    let pointer = Location::pointer(&operation.pointer);
    let mut kept = Vec::new();
    for parameter in operation.parameters.drain(..) {
        let location = pointer.child("parameters");
        if let Some(since) = later(&parameter.docs.since, location)? {
            if parameter.required {
                return Ok(Some(format!(
                    "its required parameter `{}` was added in {since}",
                    parameter.wire_name
                )));
            }
            continue;
        }
        if let Some(needed) = first_missing(&parameter.ty, missing) {
            if parameter.required {
                return Ok(Some(format!(
                    "parameter `{}` needs `{needed}` ({})",
                    parameter.wire_name, missing[&needed]
                )));
            }
            continue;
        }
        kept.push(parameter);
    }
    operation.parameters = kept;
    let body_needs = (operation.body.as_ref()).and_then(|body| first_missing(&body.ty, missing));
    if let Some(needed) = body_needs {
        return Ok(Some(format!(
            "its request body needs `{needed}` ({})",
            missing[&needed]
        )));
    }
    for response in &mut operation.responses {
        match &mut response.kind {
            ResponseKind::Success(Some(ty)) => {
                if let Some(needed) = first_missing(ty, missing) {
                    return Ok(Some(format!(
                        "its result needs `{needed}` ({})",
                        missing[&needed]
                    )));
                }
            }
            ResponseKind::Success(None) => {}
            ResponseKind::Error(cases) => cases.retain(|case| {
                first_missing(&case.ty, missing).is_none()
                    && case
                        .data
                        .as_ref()
                        .is_none_or(|data| first_missing(data, missing).is_none())
            }),
        }
    }
    operation.responses.retain(
        |response| !matches!(&response.kind, ResponseKind::Error(cases) if cases.is_empty()),
    );
    Ok(None)
}

/// The first named type in `ty` that the release lacks.
fn first_missing(ty: &TypeRef, missing: &BTreeMap<String, String>) -> Option<String> {
    match ty {
        TypeRef::Named(name) => missing.contains_key(name).then(|| name.clone()),
        TypeRef::List(inner) | TypeRef::Map(inner) => first_missing(inner, missing),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::Release;

    fn release(text: &str) -> Release {
        Release::parse(text).expect("a release number")
    }

    #[test]
    fn releases_compare_by_number_with_missing_parts_as_zero() {
        assert!(release("6.7.2") < release("7.0.0.0"));
        assert!(release("7.0.10.0") > release("7.0.9.0"));
        assert_eq!(release("6.7.2"), release("6.7.2.0"));
        assert!(release("9.0.0.0") > release("8.0.3.0"));
    }

    #[test]
    fn only_dotted_numbers_are_releases() {
        assert!(Release::parse("7.0.U3").is_none());
        assert!(Release::parse("").is_none());
        assert!(Release::parse("7..0").is_none());
    }
}
