//! Paths -> operations: parameters by location, body, responses by status,
//! and the error cases of each error status.

use super::{EXT_PRIVILEGE_SCOPE, EXT_TASK_RESULT, EXT_WIRE, Lowering, docs_from};
use crate::diagnostics::{Error, Location, escape_pointer_segment, ref_pointer};
use crate::ir::{
    Body, Docs, ErrorCase, Method, Operation, Parameter, ParameterLocation, PathSegment,
    PathTemplate, Response, ResponseKind, Status, TypeKind, TypeRef, Wire,
};
use crate::naming::{camel_case, module_of, operation_type_prefix, snake_case};
use indexmap::IndexMap;
use openapiv3::{
    Components, MediaType, Parameter as OpenApiParameter, ParameterSchemaOrContent, ReferenceOr,
    RequestBody, Response as OpenApiResponse, Schema, SchemaKind, StatusCode, Type,
};
use std::collections::BTreeMap;

impl<'a> Lowering<'a> {
    pub(super) fn lower_operations(&mut self) -> Result<BTreeMap<String, Operation>, Error> {
        let openapi = self.openapi;
        let mut operations: BTreeMap<String, Operation> = BTreeMap::new();
        // Each route (method, path shape, fixed query) -> the operation that has it.
        let mut routes: BTreeMap<Route, Location> = BTreeMap::new();
        for (path_key, item) in &openapi.paths.paths {
            let path_location =
                Location::pointer(format!("/paths/{}", escape_pointer_segment(path_key)));
            let item = match item {
                ReferenceOr::Item(item) => item,
                ReferenceOr::Reference { .. } => {
                    return Err(self.unsupported(
                        &path_location,
                        "path items given by $ref are not supported",
                    ));
                }
            };
            for (method, operation) in item.iter() {
                let location = path_location.child(method);
                let lowered =
                    self.lower_operation(path_key, method, &item.parameters, operation, &location)?;
                let mut fixed_query = lowered.fixed_query.clone();
                fixed_query.sort();
                let route = (
                    lowered.method.as_str(),
                    lowered.path.with_parameters(|_, _| "{}".to_owned()),
                    fixed_query,
                );
                if let Some(first) = routes.get(&route) {
                    return Err(self.invalid(
                        &location,
                        format!(
                            "`{} {path_key}` matches the same requests as the operation at {first} \
                             (paths that differ only in parameter names are one route)",
                            lowered.method
                        ),
                    ));
                }
                routes.insert(route, location.clone());
                let rust_name = self.unique_operation_name(&operations, &lowered, &location);
                operations.insert(
                    rust_name.clone(),
                    Operation {
                        rust_name,
                        ..lowered
                    },
                );
            }
        }
        Ok(operations)
    }

    /// Real specs repeat operationIds; the second and later get a numbered name.
    fn unique_operation_name(
        &mut self,
        operations: &BTreeMap<String, Operation>,
        operation: &Operation,
        location: &Location,
    ) -> String {
        let wanted = operation.rust_name.clone();
        let mut name = wanted.clone();
        let mut counter = 2;
        while operations.contains_key(&name) {
            // `move_` (a keyword escaped) becomes `move_2`, not `move__2`.
            name = format!("{}_{counter}", wanted.trim_end_matches('_'));
            counter += 1;
        }
        if name != wanted {
            let first = operations[&wanted].pointer.clone();
            self.warn(
                location,
                format!("operationId repeats the one at {first}; this operation is named `{name}`"),
            );
        }
        name
    }

    fn lower_operation(
        &mut self,
        path_key: &str,
        method: &str,
        path_parameters: &'a [ReferenceOr<OpenApiParameter>],
        operation: &'a openapiv3::Operation,
        location: &Location,
    ) -> Result<Operation, Error> {
        let (path, fixed_query) = split_fixed_query(path_key);
        let http_method = Method::parse(method)
            .ok_or_else(|| self.unsupported(location, format!("unknown HTTP method `{method}`")))?;
        let operation_id = operation
            .operation_id
            .clone()
            .unwrap_or_else(|| format!("{method}_{path}"));
        let id_location = match &operation.operation_id {
            Some(_) => location.child("operationId"),
            None => path_item_location(location),
        };
        super::check_name_depth(self, &operation_id, &id_location)?;
        let type_prefix = operation_type_prefix(&operation_id, |module| {
            self.types
                .keys()
                .map(|path| module_of(path))
                .any(|owner| owner == module || owner.starts_with(&format!("{module}::")))
        });
        let template = self.path_template(path, &path_item_location(location))?;
        let wire = match operation
            .extensions
            .get(EXT_WIRE)
            .and_then(serde_json::Value::as_str)
        {
            Some("rest") => Wire::LegacyRest,
            Some(other) => {
                return Err(self.unsupported(
                    &location.child(EXT_WIRE),
                    format!("unknown wire form `{other}` (known: `rest`)"),
                ));
            }
            None => Wire::Api,
        };
        let mut docs = docs_from(
            operation.description.as_ref(),
            operation.deprecated,
            &operation.extensions,
        );
        docs.summary = operation.summary.clone();

        let parameters = self.lower_parameters(
            path_parameters,
            &operation.parameters,
            location,
            &type_prefix,
            &template,
        )?;
        let body = match &operation.request_body {
            Some(body) => {
                let lowered = self
                    .lower_body(body, &location.child("requestBody"), &type_prefix)
                    .map(Some);
                let fallback = Body {
                    content_type: "application/json".into(),
                    ty: TypeRef::Json,
                    required: true,
                    docs: Default::default(),
                };
                self.tolerate(lowered, Some(fallback))?
            }
            None => None,
        };
        let mut responses = Vec::new();
        let mut ordered: Vec<(Status, &'a ReferenceOr<OpenApiResponse>, Location)> = operation
            .responses
            .responses
            .iter()
            .map(|(code, response)| {
                let status = match code {
                    StatusCode::Code(code) => Status::Code(*code),
                    StatusCode::Range(class) => Status::Range(*class),
                };
                (
                    status,
                    response,
                    location.child("responses").child(&code.to_string()),
                )
            })
            .collect();
        if let Some(default) = &operation.responses.default {
            ordered.push((
                Status::Default,
                default,
                location.child("responses").child("default"),
            ));
        }
        ordered.sort_by_key(|(status, _, _)| *status);
        for (status, response, response_location) in ordered {
            let lowered = self
                .lower_response(status, response, &response_location, wire, &type_prefix)
                .map(Some);
            if let Some(response) = self.tolerate(lowered, None)? {
                responses.push(response);
            }
        }
        let security = operation
            .security
            .as_ref()
            .or(self.openapi.security.as_ref())
            .map(|requirements| {
                let mut schemes: Vec<String> = requirements
                    .iter()
                    .flat_map(|r| r.keys().cloned())
                    .collect();
                schemes.dedup();
                schemes
            })
            .unwrap_or_default();
        let is_task = fixed_query
            .iter()
            .any(|(name, value)| name == "vmw-task" && value == "true");
        let task_result = match operation.extensions.get(EXT_TASK_RESULT) {
            Some(value) => {
                let here = location.child(EXT_TASK_RESULT);
                let resolved = match value.get("$ref").and_then(serde_json::Value::as_str) {
                    Some(reference) => self.resolve_schema_ref(reference, &here),
                    None => Err(self.unsupported(&here, "expected `{$ref: ...}` naming a schema")),
                };
                Some(self.tolerate(resolved, TypeRef::Json)?)
            }
            None => None,
        };
        let privilege_scope = operation
            .extensions
            .get(EXT_PRIVILEGE_SCOPE)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned);
        Ok(Operation {
            rust_name: snake_case(&operation_id),
            is_task,
            task_result,
            privilege_scope,
            operation_id,
            pointer: location.pointer.clone(),
            method: http_method,
            path: template,
            fixed_query,
            parameters,
            body,
            responses,
            wire,
            tags: operation.tags.clone(),
            security,
            docs,
            shape: Default::default(),
        })
    }

    fn lower_parameters(
        &mut self,
        path_level: &'a [ReferenceOr<OpenApiParameter>],
        operation_level: &'a [ReferenceOr<OpenApiParameter>],
        location: &Location,
        type_prefix: &str,
        template: &PathTemplate,
    ) -> Result<Vec<Parameter>, Error> {
        // Each parameter with where it is declared.
        let mut lowered: Vec<(Parameter, Location)> = Vec::new();
        // Whether lenient mode left out a parameter it could not resolve.
        let mut dropped = false;
        let path_item = path_item_location(location);
        let parameter_lists = [
            (path_level, path_item.child("parameters")),
            (operation_level, location.child("parameters")),
        ];
        for (list, list_location) in parameter_lists {
            let level_start = lowered.len();
            for (index, parameter) in list.iter().enumerate() {
                let parameter_location = list_location.child(&index.to_string());
                let resolved = self
                    .resolve_component(parameter, &parameter_location, "parameters", |c| {
                        &c.parameters
                    })
                    .map(Some);
                let Some(parameter) = self.tolerate(resolved, None)? else {
                    dropped = true;
                    continue;
                };
                let (data, where_) = match parameter {
                    OpenApiParameter::Path { parameter_data, .. } => {
                        (parameter_data, ParameterLocation::Path)
                    }
                    OpenApiParameter::Query { parameter_data, .. } => {
                        (parameter_data, ParameterLocation::Query)
                    }
                    OpenApiParameter::Header { parameter_data, .. } => {
                        (parameter_data, ParameterLocation::Header)
                    }
                    OpenApiParameter::Cookie { parameter_data, .. } => {
                        (parameter_data, ParameterLocation::Cookie)
                    }
                };
                let ty = match &data.format {
                    ParameterSchemaOrContent::Schema(schema) => {
                        let hint = format!("{type_prefix}{}", camel_case(&data.name));
                        self.lower_expr(schema, &parameter_location.child("schema"), &hint)?
                    }
                    ParameterSchemaOrContent::Content(_) => {
                        self.warn(
                            &parameter_location,
                            "parameter with `content` generated as free-form JSON",
                        );
                        TypeRef::Json
                    }
                };
                if matches!(
                    where_,
                    ParameterLocation::Header | ParameterLocation::Cookie
                ) && !is_http_token(&data.name)
                {
                    return Err(self.unsupported(
                        &parameter_location.child("name"),
                        format!(
                            "{} name `{}` is not a valid HTTP token (letters, digits and !#$%&'*+-.^_`|~)",
                            where_.as_str(),
                            data.name
                        ),
                    ));
                }
                if let Some((_, first)) = lowered[level_start..]
                    .iter()
                    .find(|(p, _)| p.wire_name == data.name && p.location == where_)
                {
                    return Err(self.invalid(
                        &parameter_location,
                        format!(
                            "{} parameter `{}` is declared twice (first at {first})",
                            where_.as_str(),
                            data.name
                        ),
                    ));
                }
                let lowered_parameter = Parameter {
                    rust_name: snake_case(&data.name),
                    wire_name: data.name.clone(),
                    location: where_,
                    ty,
                    required: data.required || where_ == ParameterLocation::Path,
                    docs: Docs {
                        example: data.example.clone(),
                        ..docs_from(
                            data.description.as_ref(),
                            data.deprecated.unwrap_or(false),
                            &data.extensions,
                        )
                    },
                };
                // An operation-level parameter overrides a path-level one of the same name and place.
                lowered.retain(|(p, _)| {
                    !(p.wire_name == lowered_parameter.wire_name && p.location == where_)
                });
                lowered.push((lowered_parameter, parameter_location));
            }
        }
        // The client fills the template from the path parameters and the
        // server reads them from it: each must have the other.
        for (parameter, at) in &lowered {
            if parameter.location == ParameterLocation::Path
                && template.parameter_position(&parameter.wire_name).is_none()
            {
                return Err(self.invalid(
                    at,
                    format!(
                        "path parameter `{}` does not appear in the path `{template}`",
                        parameter.wire_name
                    ),
                ));
            }
        }
        for name in template.parameter_names().filter(|_| !dropped) {
            let declared = lowered
                .iter()
                .any(|(p, _)| p.location == ParameterLocation::Path && p.wire_name == name);
            if !declared {
                return Err(self.invalid(
                    location,
                    format!(
                        "the path `{template}` has `{{{name}}}` but no path parameter `{name}`"
                    ),
                ));
            }
        }
        Ok(lowered
            .into_iter()
            .map(|(parameter, _)| parameter)
            .collect())
    }

    /// The path template, when axum can route it: it starts with `/`, each
    /// `{parameter}` has a name and ends its segment (a literal prefix such as
    /// `id:{vm}` is fine, a suffix such as `{name}.{ext}` is not), no other
    /// brace, and no segment starts with `:` or `*` (axum's old syntax).
    fn path_template(&self, path: &str, location: &Location) -> Result<PathTemplate, Error> {
        let template = PathTemplate::parse(path);
        let refuse = |why: &str| {
            Err(self.unsupported(location, format!("path `{path}` cannot be routed: {why}")))
        };
        if !path.starts_with('/') {
            return refuse("it must start with `/`");
        }
        let segments = template.segments();
        for (index, segment) in segments.iter().enumerate() {
            match segment {
                PathSegment::Literal(text) => {
                    if text.contains(['{', '}']) {
                        return refuse("a brace that does not delimit a parameter");
                    }
                    if text
                        .split('/')
                        .skip(1)
                        .any(|part| part.starts_with([':', '*']))
                    {
                        return refuse("a segment starts with `:` or `*`");
                    }
                }
                PathSegment::Parameter(name) => {
                    if name.is_empty() {
                        return refuse("a parameter without a name (`{}`)");
                    }
                    let ends_segment = match segments.get(index + 1) {
                        None => true,
                        Some(PathSegment::Literal(next)) => next.starts_with('/'),
                        Some(PathSegment::Parameter(_)) => false,
                    };
                    if !ends_segment {
                        return refuse(&format!(
                            "`{{{name}}}` is followed by more text in its segment (a parameter must end its segment)"
                        ));
                    }
                }
            }
        }
        Ok(template)
    }

    /// Resolves a `$ref` into one section of `components` (`parameters`,
    /// `requestBodies`, `responses`); chains of references are not followed.
    fn resolve_component<T>(
        &self,
        item: &'a ReferenceOr<T>,
        location: &Location,
        section: &str,
        pick: fn(&'a Components) -> &'a IndexMap<String, ReferenceOr<T>>,
    ) -> Result<&'a T, Error> {
        let reference = match item {
            ReferenceOr::Item(item) => return Ok(item),
            ReferenceOr::Reference { reference } => reference,
        };
        let prefix = format!("/components/{section}/");
        let key = component_key(reference, &prefix).ok_or_else(|| {
            self.unsupported(
                location,
                format!("$ref `{reference}` must point into /components/{section}"),
            )
        })?;
        match self
            .openapi
            .components
            .as_ref()
            .and_then(|c| pick(c).get(&key))
        {
            Some(ReferenceOr::Item(item)) => Ok(item),
            Some(ReferenceOr::Reference { .. }) => Err(self.unsupported(
                location,
                format!("$ref `{reference}` leads to another $ref"),
            )),
            None => Err(self.invalid(
                location,
                format!("dangling $ref `{reference}`: no such entry in /components/{section}"),
            )),
        }
    }

    fn lower_body(
        &mut self,
        body: &'a ReferenceOr<RequestBody>,
        location: &Location,
        type_prefix: &str,
    ) -> Result<Body, Error> {
        let body =
            self.resolve_component(body, location, "requestBodies", |c| &c.request_bodies)?;
        let (content_type, media) = pick_json(&body.content).ok_or_else(|| {
            self.unsupported(
                &location.child("content"),
                "request body without a media type",
            )
        })?;
        self.require_json(content_type, &location.child("content").child(content_type))?;
        let ty = self.media_type(
            media,
            &location.child("content").child(content_type),
            &format!("{type_prefix}Body"),
        )?;
        Ok(Body {
            content_type: content_type.to_owned(),
            ty: ty.unwrap_or(TypeRef::Json),
            required: body.required,
            docs: Docs {
                example: media.example.clone(),
                ..docs_from(body.description.as_ref(), false, &body.extensions)
            },
        })
    }

    /// Bodies travel as JSON: another media type would be sent and read as
    /// JSON all the same, so it is refused.
    fn require_json(&self, content_type: &str, location: &Location) -> Result<(), Error> {
        if is_json(content_type) {
            return Ok(());
        }
        Err(self.unsupported(
            location,
            format!(
                "media type `{content_type}`: only JSON bodies (`application/json`, `*+json`) are supported"
            ),
        ))
    }

    fn media_type(
        &mut self,
        media: &'a MediaType,
        location: &Location,
        name_hint: &str,
    ) -> Result<Option<TypeRef>, Error> {
        match &media.schema {
            Some(schema) => Ok(Some(self.lower_expr(
                schema,
                &location.child("schema"),
                name_hint,
            )?)),
            None => Ok(None),
        }
    }

    fn lower_response(
        &mut self,
        status: Status,
        response: &'a ReferenceOr<OpenApiResponse>,
        location: &Location,
        wire: Wire,
        type_prefix: &str,
    ) -> Result<Response, Error> {
        let response = self.resolve_component(response, location, "responses", |c| &c.responses)?;
        let is_error = match status {
            Status::Code(code) => code >= 400,
            Status::Range(class) => class >= 4,
            Status::Default => true,
        };
        let status_name = match status {
            Status::Code(code) => code.to_string(),
            Status::Range(class) => format!("{class}xx"),
            Status::Default => "Default".to_owned(),
        };
        let media = pick_json(&response.content);
        let kind = if is_error {
            let cases = match media
                .and_then(|(content_type, m)| m.schema.as_ref().map(|s| (content_type, s)))
            {
                Some((content_type, schema)) => {
                    let schema_location = location
                        .child("content")
                        .child(content_type)
                        .child("schema");
                    self.error_cases(
                        schema,
                        &schema_location,
                        wire,
                        &format!("{type_prefix}Error{status_name}"),
                    )?
                }
                None => Vec::new(),
            };
            ResponseKind::Error(cases)
        } else {
            let body = match media
                .and_then(|(content_type, m)| m.schema.as_ref().map(|s| (content_type, s)))
            {
                Some((content_type, schema)) => {
                    self.require_json(
                        content_type,
                        &location.child("content").child(content_type),
                    )?;
                    let schema_location = location
                        .child("content")
                        .child(content_type)
                        .child("schema");
                    let hint = format!("{type_prefix}Response{status_name}");
                    Some(match wire {
                        Wire::Api => self.lower_expr(schema, &schema_location, &hint)?,
                        Wire::LegacyRest => {
                            self.unwrap_value_envelope(schema, &schema_location, &hint)?
                        }
                    })
                }
                None => None,
            };
            ResponseKind::Success(body)
        };
        Ok(Response {
            status,
            description: response.description.trim().to_owned(),
            kind,
        })
    }

    /// The error cases of one status: one per `oneOf` or `anyOf` member, or
    /// the single schema. (vapi errors overlap as JSON Schemas, since only the
    /// discriminator tells them apart, so `anyOf` is the form a validator
    /// accepts; `oneOf` is read the same way.)
    fn error_cases(
        &mut self,
        schema: &'a ReferenceOr<Schema>,
        location: &Location,
        wire: Wire,
        name_hint: &str,
    ) -> Result<Vec<ErrorCase>, Error> {
        let union = match schema {
            ReferenceOr::Item(Schema {
                schema_kind: SchemaKind::OneOf { one_of },
                schema_data,
            }) => Some((one_of, "oneOf", schema_data)),
            ReferenceOr::Item(Schema {
                schema_kind: SchemaKind::AnyOf { any_of },
                schema_data,
            }) => Some((any_of, "anyOf", schema_data)),
            _ => None,
        };
        let members: Vec<(&'a ReferenceOr<Schema>, Location)> = match union {
            Some((members, keyword, schema_data)) => {
                if let Some(discriminator) = &schema_data.discriminator {
                    for (value, target) in &discriminator.mapping {
                        if let Some(pointer) = ref_pointer(target) {
                            self.discriminator_values
                                .entry(pointer.to_owned())
                                .or_insert_with(|| value.clone());
                        }
                    }
                }
                members
                    .iter()
                    .enumerate()
                    .map(|(index, member)| {
                        (member, location.child(keyword).child(&index.to_string()))
                    })
                    .collect()
            }
            None => vec![(schema, location.clone())],
        };
        let mut cases = Vec::new();
        for (index, (member, member_location)) in members.into_iter().enumerate() {
            let hint = if index == 0 {
                name_hint.to_owned()
            } else {
                format!("{name_hint}Case{}", index + 1)
            };
            let ty = match wire {
                Wire::Api => self.lower_expr(member, &member_location, &hint)?,
                Wire::LegacyRest => self.unwrap_value_envelope(member, &member_location, &hint)?,
            };
            let description = match member {
                ReferenceOr::Item(schema) => super::schemas::schema_docs(schema).description,
                ReferenceOr::Reference { .. } => None,
            };
            cases.push(ErrorCase {
                description,
                ..self.error_case(ty)
            });
        }
        Ok(cases)
    }

    /// What an error body type says about itself: its `error_type` and typed `data`.
    fn error_case(&self, ty: TypeRef) -> ErrorCase {
        let strukt = match &ty {
            TypeRef::Named(name) => match self.types.get(name).map(|def| &def.kind) {
                Some(TypeKind::Struct(strukt)) => Some(strukt),
                _ => None,
            },
            _ => None,
        };
        let error_type = strukt.and_then(|s| s.error_type.clone());
        let data = strukt
            .and_then(|s| s.fields.iter().find(|f| f.wire_name == "data"))
            .map(|f| f.ty.clone())
            .filter(|ty| *ty != TypeRef::Json);
        ErrorCase {
            error_type,
            ty,
            data,
            description: None,
        }
    }

    /// Legacy `/rest` bodies wrap the payload in an object's `value` property.
    fn unwrap_value_envelope(
        &mut self,
        schema: &'a ReferenceOr<Schema>,
        location: &Location,
        name_hint: &str,
    ) -> Result<TypeRef, Error> {
        let (envelope, envelope_location) = match schema {
            ReferenceOr::Reference { reference } => self.component_schema(reference, location)?,
            // `{description, allOf: [$ref]}`: a reference with a description beside it.
            ReferenceOr::Item(Schema {
                schema_kind: SchemaKind::AllOf { all_of },
                ..
            }) if all_of.len() == 1 => {
                return self.unwrap_value_envelope(
                    &all_of[0],
                    &location.child("allOf").child("0"),
                    name_hint,
                );
            }
            ReferenceOr::Item(schema) => (schema, location.clone()),
        };
        let value = match &envelope.schema_kind {
            SchemaKind::Type(Type::Object(object)) => object.properties.get("value"),
            _ => None,
        };
        match value {
            Some(value) => self.lower_expr(value, &envelope_location.child("properties").child("value"), name_hint),
            None => Err(self.unsupported(
                &envelope_location,
                "a body of an `x-vapi-wire: rest` operation must be an object with a `value` property",
            )),
        }
    }
}

/// What tells operations apart on the server: method, path with its
/// parameters unnamed (`/a/{}`), and fixed query pairs (sorted).
type Route = (&'static str, String, Vec<(String, String)>);

/// `/api/vcenter/vm/{vm}/guest/filesystem?action=create` -> the path and `[("action", "create")]`.
fn split_fixed_query(path_key: &str) -> (&str, Vec<(String, String)>) {
    match path_key.split_once('?') {
        None => (path_key, Vec::new()),
        Some((path, query)) => {
            let pairs = query
                .split('&')
                .filter(|pair| !pair.is_empty())
                .map(|pair| match pair.split_once('=') {
                    Some((name, value)) => (name.to_owned(), value.to_owned()),
                    None => (pair.to_owned(), String::new()),
                })
                .collect();
            (path, pairs)
        }
    }
}

/// The JSON media type of a content map (`application/json`, or any `*+json`),
/// else the first one.
fn pick_json(content: &indexmap::IndexMap<String, MediaType>) -> Option<(&str, &MediaType)> {
    content
        .iter()
        .find(|(content_type, _)| content_type.as_str() == "application/json")
        .or_else(|| {
            content
                .iter()
                .find(|(content_type, _)| is_json(content_type))
        })
        .or_else(|| content.iter().next())
        .map(|(content_type, media)| (content_type.as_str(), media))
}

/// Whether a media type is JSON: `application/json` or a `+json` type, with
/// or without parameters (`; charset=utf-8`).
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || (essence.contains('/') && essence.ends_with("+json"))
}

/// Whether `name` is an HTTP token (RFC 9110), as header and cookie names must be.
fn is_http_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// `/paths/~1a/get` -> `/paths/~1a`.
fn path_item_location(operation: &Location) -> Location {
    Location::pointer(
        operation
            .pointer
            .rsplit_once('/')
            .map_or("", |(item, _)| item),
    )
}

fn component_key(reference: &str, prefix: &str) -> Option<String> {
    ref_pointer(reference)?
        .strip_prefix(prefix)
        .map(|key| key.replace("~1", "/").replace("~0", "~"))
}
