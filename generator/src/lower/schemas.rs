//! Schemas -> named types and type expressions.

use super::{EXT_ENUM_SINCE, Lowering, docs_from, schema_pointer};
use crate::diagnostics::{Error, Location, ref_pointer};
use crate::ir::{
    Docs, Enum, EnumValue, Field, StringFormat, Struct, TypeDef, TypeKind, TypeOrigin, TypeRef,
};
use crate::naming::{camel_case, distinct_names, numbered, snake_case, type_path};
use openapiv3::{
    AdditionalProperties, IntegerFormat, NumberFormat, ReferenceOr, Schema, SchemaKind,
    StringFormat as OpenApiStringFormat, Type, VariantOrUnknownOrEmpty,
};

/// A schema's object-shaped content, gathered from `properties` or an `allOf` merge.
struct ObjectParts<'s> {
    properties: Vec<(String, &'s ReferenceOr<Box<Schema>>, Location)>,
    required: Vec<String>,
    additional: Option<(&'s AdditionalProperties, Location)>,
    forbids_additional: bool,
    error_type: Option<String>,
}

impl<'a> Lowering<'a> {
    pub(super) fn lower_components(&mut self) -> Result<(), Error> {
        let openapi = self.openapi;
        let Some(components) = &openapi.components else {
            return Ok(());
        };
        for (key, schema) in &components.schemas {
            let location = Location::pointer(schema_pointer(key));
            super::check_name_depth(self, key, &location)?;
            let rust_name = type_path(key);
            self.claim_spec_name(&rust_name, &location)?;
            self.component_names.insert(key.clone(), rust_name);
            if let ReferenceOr::Item(schema) = schema {
                self.record_discriminator(schema);
            }
        }
        for (key, schema) in &components.schemas {
            let location = Location::pointer(schema_pointer(key));
            let rust_name = self.component_names[key].clone();
            match schema {
                ReferenceOr::Reference { reference } => {
                    let resolved = self.resolve_schema_ref(reference, &location);
                    let target = self.tolerate(resolved, TypeRef::Json)?;
                    self.define(TypeDef {
                        rust_name,
                        origin: TypeOrigin::Component { name: key.clone() },
                        pointer: location.pointer.clone(),
                        docs: Docs::default(),
                        kind: TypeKind::Alias(target),
                        has_default: false,
                    });
                }
                ReferenceOr::Item(schema) => {
                    let origin = TypeOrigin::Component { name: key.clone() };
                    self.define_named(&rust_name, origin, schema, &location)?
                }
            }
        }
        Ok(())
    }

    /// Remembers which discriminator value names which schema (`error_type`
    /// values of the vapi standard errors, for instance).
    pub(super) fn record_discriminator(&mut self, schema: &Schema) {
        if let Some(discriminator) = &schema.schema_data.discriminator {
            for (value, target) in &discriminator.mapping {
                if let Some(pointer) = ref_pointer(target) {
                    self.discriminator_values
                        .insert(pointer.to_owned(), value.clone());
                }
            }
        }
    }

    /// The Rust type a local `$ref` to a component schema names.
    pub(super) fn resolve_schema_ref(
        &self,
        reference: &str,
        location: &Location,
    ) -> Result<TypeRef, Error> {
        let key = self.component_key(reference, location)?;
        self.component_names
            .get(&key)
            .map(|name| TypeRef::Named(name.clone()))
            .ok_or_else(|| {
                self.invalid(
                    location,
                    format!("dangling $ref `{reference}`: no such schema"),
                )
            })
    }

    fn component_key(&self, reference: &str, location: &Location) -> Result<String, Error> {
        let Some(pointer) = ref_pointer(reference) else {
            return Err(self.unsupported(
                location,
                format!(
                    "external $ref `{reference}`: only local references (`#/...`) are supported"
                ),
            ));
        };
        let Some(key) = pointer.strip_prefix("/components/schemas/") else {
            return Err(self.unsupported(
                location,
                format!("$ref `{reference}` to a schema outside /components/schemas"),
            ));
        };
        Ok(key.replace("~1", "/").replace("~0", "~"))
    }

    /// The component schema a reference names (following references), with its location.
    pub(super) fn component_schema(
        &self,
        reference: &str,
        location: &Location,
    ) -> Result<(&'a Schema, Location), Error> {
        let mut reference = reference.to_owned();
        let mut location = location.clone();
        // A chain longer than the number of components must be a cycle.
        let limit = self.component_names.len() + 1;
        for _ in 0..limit {
            let key = self.component_key(&reference, &location)?;
            let openapi = self.openapi;
            let found = openapi
                .components
                .as_ref()
                .and_then(|c| c.schemas.get(&key));
            let here = Location::pointer(schema_pointer(&key));
            match found {
                Some(ReferenceOr::Item(schema)) => return Ok((schema, here)),
                Some(ReferenceOr::Reference { reference: next }) => {
                    reference = next.clone();
                    location = here;
                }
                None => {
                    return Err(self.invalid(
                        &location,
                        format!("dangling $ref `{reference}`: no such schema"),
                    ));
                }
            }
        }
        Err(self.invalid(
            &location,
            format!("$ref `{reference}` is part of a cycle of references"),
        ))
    }

    /// Defines a named type for `schema`. Objects become structs, string enums
    /// become open enums, anything else an alias.
    fn define_named(
        &mut self,
        rust_name: &str,
        origin: TypeOrigin,
        schema: &'a Schema,
        location: &Location,
    ) -> Result<(), Error> {
        let docs = schema_docs(schema);
        let kind = if let Some(values) = string_enum(schema) {
            TypeKind::Enum(self.lower_enum(values, schema, location)?)
        } else if let Some(parts) = self.object_parts(schema, location)? {
            TypeKind::Struct(self.lower_struct(rust_name, parts)?)
        } else {
            TypeKind::Alias(self.lower_expr_item(schema, location, &format!("{rust_name}Item"))?)
        };
        self.define(TypeDef {
            rust_name: rust_name.to_owned(),
            origin,
            pointer: location.pointer.clone(),
            docs,
            kind,
            has_default: false,
        });
        Ok(())
    }

    /// The type of a schema used in place (a property, item, parameter or body).
    /// Objects and enums declared inline get a named type called `name_hint`.
    pub(super) fn lower_expr<S: AsSchema>(
        &mut self,
        schema: &'a ReferenceOr<S>,
        location: &Location,
        name_hint: &str,
    ) -> Result<TypeRef, Error> {
        match schema {
            ReferenceOr::Reference { reference } => {
                let resolved = self.resolve_schema_ref(reference, location);
                self.tolerate(resolved, TypeRef::Json)
            }
            ReferenceOr::Item(schema) => {
                self.lower_expr_item(schema.as_schema(), location, name_hint)
            }
        }
    }

    fn lower_expr_item(
        &mut self,
        schema: &'a Schema,
        location: &Location,
        name_hint: &str,
    ) -> Result<TypeRef, Error> {
        if string_enum(schema).is_some() || self.object_parts(schema, location)?.is_some() {
            let rust_name = self.claim_made_up_name(name_hint, location);
            self.define_named(
                &rust_name,
                TypeOrigin::Inline {
                    location: location.pointer.clone(),
                },
                schema,
                location,
            )?;
            return Ok(TypeRef::Named(rust_name));
        }
        Ok(match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) => {
                TypeRef::String(string_format(&string.format))
            }
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Boolean,
            SchemaKind::Type(Type::Integer(integer)) => match integer.format {
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => TypeRef::Int32,
                _ => TypeRef::Int64,
            },
            SchemaKind::Type(Type::Number(number)) => match number.format {
                VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => TypeRef::Float,
                _ => TypeRef::Double,
            },
            SchemaKind::Type(Type::Array(array)) => {
                self.list_type(array.items.as_ref(), location, name_hint)?
            }
            SchemaKind::Type(Type::Object(object)) => {
                self.map_type(object.additional_properties.as_ref(), location, name_hint)?
            }
            SchemaKind::AllOf { all_of } if all_of.len() == 1 => {
                self.lower_expr(&all_of[0], &location.child("allOf").child("0"), name_hint)?
            }
            SchemaKind::AllOf { .. } => {
                self.warn(
                    location,
                    "allOf that is not a merge of objects; generated as free-form JSON",
                );
                TypeRef::Json
            }
            SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } | SchemaKind::Not { .. } => {
                self.warn(
                    location,
                    "oneOf/anyOf/not is not represented; generated as free-form JSON",
                );
                TypeRef::Json
            }
            SchemaKind::Any(any) => {
                if any.items.is_some() {
                    self.list_type(any.items.as_ref(), location, name_hint)?
                } else if any.additional_properties.is_some() {
                    self.map_type(any.additional_properties.as_ref(), location, name_hint)?
                } else if any.typ.is_some() || !any.one_of.is_empty() || !any.any_of.is_empty() {
                    self.warn(
                        location,
                        "schema mixes keywords of several types; generated as free-form JSON",
                    );
                    TypeRef::Json
                } else {
                    // `{}`, or a schema with only a description: free-form by definition.
                    TypeRef::Json
                }
            }
        })
    }

    fn list_type(
        &mut self,
        items: Option<&'a ReferenceOr<Box<Schema>>>,
        location: &Location,
        name_hint: &str,
    ) -> Result<TypeRef, Error> {
        let items = match items {
            Some(items) => {
                self.lower_expr(items, &location.child("items"), &format!("{name_hint}Item"))?
            }
            None => TypeRef::Json,
        };
        Ok(TypeRef::List(Box::new(items)))
    }

    /// `type: object` without properties: a map, or free-form JSON.
    fn map_type(
        &mut self,
        additional: Option<&'a AdditionalProperties>,
        location: &Location,
        name_hint: &str,
    ) -> Result<TypeRef, Error> {
        Ok(match additional {
            Some(AdditionalProperties::Schema(values)) => {
                let location = location.child("additionalProperties");
                TypeRef::Map(Box::new(self.lower_expr(
                    values.as_ref(),
                    &location,
                    &format!("{name_hint}Value"),
                )?))
            }
            _ => TypeRef::Json,
        })
    }

    /// The object content of a schema, or `None` when it is not an object with
    /// properties (or an `allOf` of such objects).
    fn object_parts(
        &self,
        schema: &'a Schema,
        location: &Location,
    ) -> Result<Option<ObjectParts<'a>>, Error> {
        self.object_parts_within(schema, location, &mut Vec::new())
    }

    /// [`Self::object_parts`] inside the `allOf` merges of the component
    /// schemas `merging` (their pointers): a part that refers back to one of
    /// them would merge forever.
    fn object_parts_within(
        &self,
        schema: &'a Schema,
        location: &Location,
        merging: &mut Vec<String>,
    ) -> Result<Option<ObjectParts<'a>>, Error> {
        let error_type = self.discriminator_values.get(&location.pointer).cloned();
        let (properties, required, additional) = match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) if !object.properties.is_empty() => (
                &object.properties,
                &object.required,
                object.additional_properties.as_ref(),
            ),
            SchemaKind::Any(any) if !any.properties.is_empty() => (
                &any.properties,
                &any.required,
                any.additional_properties.as_ref(),
            ),
            SchemaKind::AllOf { all_of } if all_of.len() > 1 => {
                return self.merge_all_of(all_of, location, error_type, merging);
            }
            _ => return Ok(None),
        };
        Ok(Some(ObjectParts {
            properties: properties
                .iter()
                .map(|(name, schema)| {
                    (
                        name.clone(),
                        schema,
                        location.child("properties").child(name),
                    )
                })
                .collect(),
            required: required.clone(),
            additional: additional.map(|a| (a, location.child("additionalProperties"))),
            forbids_additional: matches!(additional, Some(AdditionalProperties::Any(false))),
            error_type,
        }))
    }

    /// Merges `allOf` parts that are all objects: later parts refine earlier
    /// ones (a property redeclared later replaces the earlier declaration, as an
    /// operation-specific error narrows the standard error's `data`).
    fn merge_all_of(
        &self,
        all_of: &'a [ReferenceOr<Schema>],
        location: &Location,
        own_error_type: Option<String>,
        merging: &mut Vec<String>,
    ) -> Result<Option<ObjectParts<'a>>, Error> {
        let mut merged = ObjectParts {
            properties: Vec::new(),
            required: Vec::new(),
            additional: None,
            forbids_additional: false,
            error_type: own_error_type,
        };
        for (index, part) in all_of.iter().enumerate() {
            let part_location = location.child("allOf").child(&index.to_string());
            let (schema, schema_location) = match part {
                ReferenceOr::Reference { reference } => {
                    match self.component_schema(reference, &part_location) {
                        Ok(found) => found,
                        // Left to `lower_expr_item`, which degrades the whole allOf with a warning.
                        Err(Error::Invalid { .. }) if self.lenient => return Ok(None),
                        Err(error) => return Err(error),
                    }
                }
                ReferenceOr::Item(schema) => (schema, part_location.clone()),
            };
            if merging.contains(&schema_location.pointer) || schema_location == *location {
                return Err(self.invalid(
                    &part_location,
                    format!(
                        "allOf includes {}, which includes this schema: a schema cannot extend itself",
                        schema_location.pointer
                    ),
                ));
            }
            merging.push(location.pointer.clone());
            let parts = self.object_parts_within(schema, &schema_location, merging);
            merging.pop();
            let Some(parts) = parts? else {
                return Ok(None);
            };
            for (name, property, property_location) in parts.properties {
                merged
                    .properties
                    .retain(|(existing, _, _)| *existing != name);
                merged.properties.push((name, property, property_location));
            }
            for name in parts.required {
                if !merged.required.contains(&name) {
                    merged.required.push(name);
                }
            }
            merged.additional = parts.additional.or(merged.additional);
            merged.forbids_additional |= parts.forbids_additional;
            if merged.error_type.is_none() {
                merged.error_type = parts.error_type;
            }
        }
        Ok(Some(merged))
    }

    fn lower_struct(&mut self, owner: &str, parts: ObjectParts<'a>) -> Result<Struct, Error> {
        let mut fields: Vec<Field> = Vec::new();
        let wire_names: Vec<&str> = parts
            .properties
            .iter()
            .map(|(name, _, _)| name.as_str())
            .collect();
        let rust_names = distinct_names(&wire_names, snake_case).map_err(|(first, second)| {
            Error::NameCollision {
                source_name: self.source_name.to_owned(),
                rust_name: format!("{owner}::{}", snake_case(wire_names[second])),
                first: Box::new(parts.properties[first].2.clone()),
                second: Box::new(parts.properties[second].2.clone()),
            }
        })?;
        for ((wire_name, property, location), rust_name) in
            parts.properties.into_iter().zip(rust_names)
        {
            let hint = format!("{owner}{}", camel_case(&wire_name));
            let ty = self.lower_expr(property, &location, &hint)?;
            let (docs, nullable) = match property {
                ReferenceOr::Item(schema) => (schema_docs(schema), schema.schema_data.nullable),
                ReferenceOr::Reference { .. } => (Docs::default(), false),
            };
            fields.push(Field {
                required: parts.required.contains(&wire_name),
                wire_name,
                rust_name,
                ty,
                nullable,
                boxed: false,
                docs,
            });
        }
        let additional = match parts.additional {
            _ if parts.forbids_additional => None,
            Some((AdditionalProperties::Schema(values), location)) => {
                Some(self.lower_expr(values.as_ref(), &location, &format!("{owner}Value"))?)
            }
            _ => Some(TypeRef::Json),
        };
        Ok(Struct {
            fields,
            additional,
            error_type: parts.error_type,
        })
    }

    fn lower_enum(
        &mut self,
        values: Vec<String>,
        schema: &Schema,
        location: &Location,
    ) -> Result<Enum, Error> {
        let since_by_value = schema
            .schema_data
            .extensions
            .get(EXT_ENUM_SINCE)
            .and_then(serde_json::Value::as_object);
        // A repeated value means nothing more.
        let mut unique: Vec<(usize, String)> = Vec::new();
        for (index, wire_name) in values.into_iter().enumerate() {
            if unique.iter().all(|(_, seen)| *seen != wire_name) {
                unique.push((index, wire_name));
            }
        }
        let wire_names: Vec<&str> = unique.iter().map(|(_, name)| name.as_str()).collect();
        let rust_names = distinct_names(&wire_names, camel_case).map_err(|(first, second)| {
            Error::NameCollision {
                source_name: self.source_name.to_owned(),
                rust_name: camel_case(wire_names[second]),
                first: Box::new(location.child("enum").child(&unique[first].0.to_string())),
                second: Box::new(location.child("enum").child(&unique[second].0.to_string())),
            }
        })?;
        let mut lowered: Vec<EnumValue> = Vec::new();
        for ((_, wire_name), rust_name) in unique.into_iter().zip(rust_names) {
            let since = since_by_value
                .and_then(|m| m.get(&wire_name))
                .and_then(super::version_string);
            lowered.push(EnumValue {
                wire_name,
                rust_name,
                since,
            });
        }
        let taken = |name: &str| lowered.iter().any(|v| v.rust_name == name);
        let unknown_variant = ["Unknown", "UnknownValue", "Unrecognized"]
            .into_iter()
            .find(|candidate| !taken(candidate))
            .map_or_else(|| numbered("UnrecognizedValue", "", taken), str::to_owned);
        Ok(Enum {
            values: lowered,
            unknown_variant,
        })
    }
}

/// Lets [`Lowering::lower_expr`] take both `ReferenceOr<Schema>` and `ReferenceOr<Box<Schema>>`.
pub(super) trait AsSchema {
    fn as_schema(&self) -> &Schema;
}

impl AsSchema for Schema {
    fn as_schema(&self) -> &Schema {
        self
    }
}

impl AsSchema for Box<Schema> {
    fn as_schema(&self) -> &Schema {
        self
    }
}

pub(super) fn schema_docs(schema: &Schema) -> Docs {
    let data = &schema.schema_data;
    let mut docs = docs_from(data.description.as_ref(), data.deprecated, &data.extensions);
    if docs.description.is_none() {
        docs.description = data.title.clone();
    }
    docs.example = data.example.clone();
    docs
}

/// The values of a string enumeration schema (`null` entries dropped).
fn string_enum(schema: &Schema) -> Option<Vec<String>> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(string)) if !string.enumeration.is_empty() => {
            Some(string.enumeration.iter().flatten().cloned().collect())
        }
        _ => None,
    }
}

fn string_format(format: &VariantOrUnknownOrEmpty<OpenApiStringFormat>) -> StringFormat {
    match format {
        VariantOrUnknownOrEmpty::Item(OpenApiStringFormat::Password) => StringFormat::Secret,
        VariantOrUnknownOrEmpty::Item(OpenApiStringFormat::DateTime) => StringFormat::DateTime,
        VariantOrUnknownOrEmpty::Item(OpenApiStringFormat::Date) => StringFormat::Date,
        VariantOrUnknownOrEmpty::Item(OpenApiStringFormat::Byte) => StringFormat::Byte,
        VariantOrUnknownOrEmpty::Item(OpenApiStringFormat::Binary) => StringFormat::Binary,
        VariantOrUnknownOrEmpty::Unknown(other) => match other.as_str() {
            "uri" | "url" => StringFormat::Uri,
            "uuid" => StringFormat::Uuid,
            _ => StringFormat::Plain,
        },
        VariantOrUnknownOrEmpty::Empty => StringFormat::Plain,
    }
}
