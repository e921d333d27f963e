//! The curated spec held against a file VMware publishes: both lowered the same
//! way, the curated one restricted to the file's release, and every operation
//! they share compared fact by fact (parameters, the request body property by
//! property, the success, the documented errors).
//!
//! A difference is **drift** (a fact missing on one side: a property, value,
//! parameter or error the curated spec lacks, or a since-version that is too
//! late or too early) unless the curated spec *declares* it as a refinement
//! where it makes it: `x-vapi-published` on the schema (keyed by property
//! name or enum value) or on the operation (keyed by `path parameter vm`,
//! `body`, `success`, `error 404 NOT_FOUND`, `error 404 NOT_FOUND data`), whose
//! value is what VMware's file says there, as this module renders it
//! (`optional string`, `absent`, `untyped`). A declaration that no longer
//! matches the file counts for nothing, so a refinement cannot hide a later
//! change of VMware's file.

mod markdown;

pub use markdown::markdown;

use crate::ir::{
    Api, Docs, Enum, Field, Operation, Parameter, ResponseKind, Status, StringFormat, Struct,
    TypeDef, TypeKind, TypeRef,
};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The vendor extension declaring what VMware's file says where the curated
/// spec deliberately differs.
pub const EXT_PUBLISHED: &str = "x-vapi-published";

/// What the audit found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Audit {
    /// The release the curated spec was restricted to.
    pub release: String,
    /// Every curated operation the file has too, in curated order.
    pub operations: Vec<OperationAudit>,
    /// How many curated operations the file does not have.
    pub curated_only: usize,
    /// How many of the file's operations the curated spec does not have.
    pub published_only: usize,
}

impl Audit {
    /// How many findings have this class.
    pub fn count(&self, class: Class) -> usize {
        self.operations
            .iter()
            .flat_map(|operation| &operation.findings)
            .filter(|finding| finding.class == class)
            .count()
    }
}

/// One operation both specs have.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OperationAudit {
    /// The curated `operationId`.
    pub operation_id: String,
    /// The file's `operationId`.
    pub published_id: String,
    /// `POST /api/...?action=create`.
    pub route: String,
    /// Every difference, in the order met.
    pub findings: Vec<Finding>,
}

/// Whether a difference is a missing or wrong fact, or one made on purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// Undeclared: a fact the curated spec lacks or has too early.
    Drift,
    /// Declared with `x-vapi-published` where the curated spec makes it.
    Refinement,
}

/// One difference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Drift or refinement.
    pub class: Class,
    /// Where, e.g. ``body property `spec.source_type` ``.
    pub place: String,
    /// What the curated spec says there (restricted to the release).
    pub curated: String,
    /// What VMware's file says there.
    pub published: String,
    /// Where a refinement is (or would be) declared: the schema or operation
    /// and the `x-vapi-published` key.
    pub declare_at: String,
}

/// Compares `curated` (already restricted to `release`) with `published`.
pub fn audit(curated: &Api, published: &Api, release: &str) -> Audit {
    let published_routes: BTreeMap<Route, &Operation> = published
        .operations
        .values()
        .map(|operation| (route(operation), operation))
        .collect();
    let mut matched = BTreeSet::new();
    let mut operations = Vec::new();
    let mut curated_only = 0;
    for operation in curated.operations.values() {
        let key = route(operation);
        let Some(theirs) = published_routes.get(&key) else {
            curated_only += 1;
            continue;
        };
        matched.insert(key);
        let mut comparison = Comparison {
            curated,
            published,
            findings: Vec::new(),
            seen: BTreeSet::new(),
        };
        comparison.operation(operation, theirs);
        operations.push(OperationAudit {
            operation_id: operation.operation_id.clone(),
            published_id: theirs.operation_id.clone(),
            route: shown_route(operation),
            findings: comparison.findings,
        });
    }
    operations.sort_by(|a, b| a.route.cmp(&b.route));
    Audit {
        release: release.to_owned(),
        operations,
        curated_only,
        published_only: published_routes.len() - matched.len(),
    }
}

/// How an operation is recognised across files that name it differently:
/// method, path with its parameters unnamed, and the fixed query (sorted).
type Route = (&'static str, String, Vec<(String, String)>);

fn route(operation: &Operation) -> Route {
    let mut query = operation.fixed_query.clone();
    query.sort();
    (
        operation.method.as_str(),
        operation.path.with_parameters(|_, _| "{}".to_owned()),
        query,
    )
}

/// `POST /api/vcenter/vm/{vm}/guest/filesystem?action=create`, as the curated spec writes it.
fn shown_route(operation: &Operation) -> String {
    let query: Vec<String> = operation
        .fixed_query
        .iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect();
    if query.is_empty() {
        format!("{} {}", operation.method, operation.path)
    } else {
        format!(
            "{} {}?{}",
            operation.method,
            operation.path,
            query.join("&")
        )
    }
}

/// Where a finding's refinement would be declared.
enum Owner<'a> {
    /// The operation, by its `operationId`.
    Operation(&'a Operation),
    /// A curated schema.
    Schema(&'a TypeDef),
}

impl Owner<'_> {
    fn docs(&self) -> &Docs {
        match self {
            Owner::Operation(operation) => &operation.docs,
            Owner::Schema(ty) => &ty.docs,
        }
    }

    fn name(&self) -> String {
        match self {
            Owner::Operation(operation) => format!("operation `{}`", operation.operation_id),
            Owner::Schema(ty) => format!("schema `{}`", ty.origin),
        }
    }
}

struct Comparison<'a> {
    curated: &'a Api,
    published: &'a Api,
    findings: Vec<Finding>,
    /// Pairs of named types already compared (cycles, shared schemas).
    seen: BTreeSet<(String, String)>,
}

impl<'a> Comparison<'a> {
    fn report(
        &mut self,
        owner: &Owner<'_>,
        key: &str,
        place: String,
        curated: String,
        published: String,
    ) {
        let declared = owner.docs().published.get(key);
        let class = if declared == Some(&published) {
            Class::Refinement
        } else {
            Class::Drift
        };
        self.findings.push(Finding {
            class,
            place,
            curated,
            published,
            declare_at: format!("{} `{EXT_PUBLISHED}` key `{key}`", owner.name()),
        });
    }

    fn operation(&mut self, ours: &'a Operation, theirs: &'a Operation) {
        let owner = Owner::Operation(ours);
        self.parameters(&owner, &ours.parameters, &theirs.parameters);
        match (&ours.body, &theirs.body) {
            (None, None) => {}
            (Some(mine), Some(other)) => self.value(
                &owner,
                "body",
                "body".to_owned(),
                (&mine.ty, mine.required),
                (&other.ty, other.required),
            ),
            (mine, other) => self.report(
                &owner,
                "body",
                "request body".to_owned(),
                presence(mine.is_some()),
                presence(other.is_some()),
            ),
        }
        self.successes(&owner, ours, theirs);
        self.errors(&owner, ours, theirs);
        self.schemas_by_name(ours);
    }

    /// Compares the curated schemas the operation uses that the walk above did
    /// not reach on both sides (where the two files disagree on the shape
    /// around them) with the published schema of the same name: the files
    /// spell names differently (`Vcenter.Vm.Guest.Filesystem.Transfers.CreateSpec`
    /// against `VcenterVmGuestFilesystemTransfersCreateSpec`).
    fn schemas_by_name(&mut self, operation: &'a Operation) {
        let compared: BTreeSet<String> = self.seen.iter().map(|(ours, _)| ours.clone()).collect();
        let published_names: BTreeMap<String, &'a String> = self
            .published
            .types
            .iter()
            .filter_map(|(rust_name, def)| match &def.origin {
                crate::ir::TypeOrigin::Component { name } => {
                    Some((name.replace('.', ""), rust_name))
                }
                crate::ir::TypeOrigin::Inline { .. } => None,
            })
            .collect();
        for name in used_types(self.curated, operation) {
            if compared.contains(&name) {
                continue;
            }
            let Some(def) = self.curated.types.get(&name) else {
                continue;
            };
            let crate::ir::TypeOrigin::Component { name: spec_name } = &def.origin else {
                continue;
            };
            if let Some(theirs) = published_names.get(&spec_name.replace('.', "")) {
                let ours = TypeRef::Named(name.clone());
                let theirs = TypeRef::Named((*theirs).clone());
                let place = format!("schema `{spec_name}`");
                self.contents(&place, &ours, &theirs);
            }
        }
    }

    fn parameters(&mut self, owner: &Owner<'_>, ours: &'a [Parameter], theirs: &'a [Parameter]) {
        let key = |parameter: &Parameter| {
            format!(
                "{} parameter {}",
                parameter.location.as_str(),
                parameter.wire_name
            )
        };
        let theirs: BTreeMap<String, &Parameter> = theirs
            .iter()
            .map(|parameter| (key(parameter), parameter))
            .collect();
        let mut met = BTreeSet::new();
        for parameter in ours {
            let name = key(parameter);
            match theirs.get(&name) {
                Some(other) => {
                    met.insert(name.clone());
                    self.value(
                        owner,
                        &name,
                        name.clone(),
                        (&parameter.ty, parameter.required),
                        (&other.ty, other.required),
                    );
                }
                None => self.report(
                    owner,
                    &name,
                    name.clone(),
                    self.curated_rendering(&parameter.ty, parameter.required),
                    "absent".to_owned(),
                ),
            }
        }
        for (name, other) in theirs {
            if !met.contains(&name) {
                let published = render(self.published, &other.ty, other.required);
                self.report(owner, &name, name.clone(), "absent".to_owned(), published);
            }
        }
    }

    fn successes(&mut self, owner: &Owner<'_>, ours: &'a Operation, theirs: &'a Operation) {
        let success = |operation: &'a Operation| {
            operation
                .responses
                .iter()
                .find_map(|response| match &response.kind {
                    ResponseKind::Success(body) => Some((response.status, body.as_ref())),
                    ResponseKind::Error(_) => None,
                })
        };
        match (success(ours), success(theirs)) {
            (Some((our_status, our_body)), Some((their_status, their_body))) => {
                if our_status != their_status {
                    self.report(
                        owner,
                        "success",
                        "success status".to_owned(),
                        status_text(our_status),
                        status_text(their_status),
                    );
                }
                match (our_body, their_body) {
                    (Some(mine), Some(other)) => self.value(
                        owner,
                        "success",
                        "success body".to_owned(),
                        (mine, true),
                        (other, true),
                    ),
                    (None, None) => {}
                    (mine, other) => self.report(
                        owner,
                        "success",
                        "success body".to_owned(),
                        presence(mine.is_some()),
                        presence(other.is_some()),
                    ),
                }
            }
            (None, None) => {}
            (mine, other) => self.report(
                owner,
                "success",
                "success response".to_owned(),
                presence(mine.is_some()),
                presence(other.is_some()),
            ),
        }
    }

    fn errors(&mut self, owner: &Owner<'_>, ours: &'a Operation, theirs: &'a Operation) {
        let ours = documented_errors(self.curated, ours);
        let theirs = documented_errors(self.published, theirs);
        for (key, data) in &ours {
            match theirs.get(key) {
                None => self.report(
                    owner,
                    key,
                    key.clone(),
                    "documented".to_owned(),
                    "absent".to_owned(),
                ),
                Some(their_data) => {
                    let mine = data_rendering(self.curated, data.as_ref());
                    let other = data_rendering(self.published, their_data.as_ref());
                    if mine != other {
                        self.report(
                            owner,
                            &format!("{key} data"),
                            format!("{key} data"),
                            mine,
                            other,
                        );
                    }
                }
            }
        }
        for key in theirs.keys() {
            if !ours.contains_key(key) {
                self.report(
                    owner,
                    key,
                    key.clone(),
                    "absent".to_owned(),
                    "documented".to_owned(),
                );
            }
        }
    }

    /// Compares two values (a parameter, body, property or success), each with
    /// whether it is required; descends into structs, enums, lists and maps.
    fn value(
        &mut self,
        owner: &Owner<'_>,
        key: &str,
        place: String,
        (ours, our_required): (&'a TypeRef, bool),
        (theirs, their_required): (&'a TypeRef, bool),
    ) {
        let mine = self.curated_rendering(ours, our_required);
        let other = render(self.published, theirs, their_required);
        if mine != other {
            self.report(owner, key, place.clone(), mine, other);
        }
        self.contents(&place, ours, theirs);
    }

    fn curated_rendering(&self, ty: &TypeRef, required: bool) -> String {
        render(self.curated, ty, required)
    }

    /// Compares what two types hold, when they are of the same kind.
    fn contents(&mut self, place: &str, ours: &TypeRef, theirs: &TypeRef) {
        let ours = resolve(self.curated, ours);
        let theirs = resolve(self.published, theirs);
        match (ours, theirs) {
            (TypeRef::List(mine), TypeRef::List(other)) => {
                self.contents(&format!("{place}[]"), mine, other)
            }
            (TypeRef::Map(mine), TypeRef::Map(other)) => {
                self.contents(&format!("{place}{{}}"), mine, other)
            }
            (TypeRef::Named(mine), TypeRef::Named(other)) => {
                if !self.seen.insert((mine.clone(), other.clone())) {
                    return;
                }
                let (Some(mine), Some(other)) = (
                    self.curated.types.get(mine),
                    self.published.types.get(other),
                ) else {
                    return;
                };
                match (&mine.kind, &other.kind) {
                    (TypeKind::Struct(a), TypeKind::Struct(b)) => self.fields(place, mine, a, b),
                    (TypeKind::Enum(a), TypeKind::Enum(b)) => self.values(place, mine, a, b),
                    _ => {}
                }
            }
            _ => {}
        }
    }

    fn fields(
        &mut self,
        place: &str,
        owner_type: &'a TypeDef,
        ours: &'a Struct,
        theirs: &'a Struct,
    ) {
        let owner = Owner::Schema(owner_type);
        let theirs: BTreeMap<&str, &Field> = theirs
            .fields
            .iter()
            .map(|field| (field.wire_name.as_str(), field))
            .collect();
        let mut met = BTreeSet::new();
        for field in &ours.fields {
            let name = field.wire_name.as_str();
            let field_place = format!("{place} property `{name}`");
            match theirs.get(name) {
                Some(other) => {
                    met.insert(name);
                    self.value(
                        &owner,
                        name,
                        field_place,
                        (&field.ty, field.required),
                        (&other.ty, other.required),
                    );
                }
                None => {
                    let mine = self.curated_rendering(&field.ty, field.required);
                    self.report(&owner, name, field_place, mine, "absent".to_owned());
                }
            }
        }
        for (name, other) in theirs {
            if !met.contains(name) {
                let published = render(self.published, &other.ty, other.required);
                self.report(
                    &owner,
                    name,
                    format!("{place} property `{name}`"),
                    "absent".to_owned(),
                    published,
                );
            }
        }
    }

    fn values(&mut self, place: &str, owner_type: &'a TypeDef, ours: &Enum, theirs: &Enum) {
        let owner = Owner::Schema(owner_type);
        let mine: BTreeSet<&str> = ours.values.iter().map(|v| v.wire_name.as_str()).collect();
        let other: BTreeSet<&str> = theirs.values.iter().map(|v| v.wire_name.as_str()).collect();
        for value in mine.union(&other) {
            let (a, b) = (mine.contains(value), other.contains(value));
            if a != b {
                self.report(
                    &owner,
                    value,
                    format!("{place} enum value `{value}`"),
                    presence(a),
                    presence(b),
                );
            }
        }
    }
}

/// The curated named types an operation uses, directly or through fields,
/// sorted.
fn used_types(api: &Api, operation: &Operation) -> BTreeSet<String> {
    let mut pending: Vec<&TypeRef> = Vec::new();
    pending.extend(operation.parameters.iter().map(|parameter| &parameter.ty));
    pending.extend(operation.body.iter().map(|body| &body.ty));
    for response in &operation.responses {
        match &response.kind {
            ResponseKind::Success(body) => pending.extend(body.iter()),
            ResponseKind::Error(cases) => {
                pending.extend(cases.iter().map(|case| &case.ty));
                pending.extend(cases.iter().filter_map(|case| case.data.as_ref()));
            }
        }
    }
    let mut used = BTreeSet::new();
    while let Some(ty) = pending.pop() {
        match ty {
            TypeRef::List(inner) | TypeRef::Map(inner) => pending.push(inner),
            TypeRef::Named(name) => {
                if !used.insert(name.clone()) {
                    continue;
                }
                match api.types.get(name).map(|def| &def.kind) {
                    Some(TypeKind::Struct(fields)) => {
                        pending.extend(fields.fields.iter().map(|field| &field.ty));
                    }
                    Some(TypeKind::Alias(target)) => pending.push(target),
                    Some(TypeKind::Enum(_)) | None => {}
                }
            }
            _ => {}
        }
    }
    used
}

/// `documented` or `absent`.
fn presence(present: bool) -> String {
    if present { "documented" } else { "absent" }.to_owned()
}

fn status_text(status: Status) -> String {
    match status {
        Status::Code(code) => code.to_string(),
        Status::Range(class) => format!("{class}XX"),
        Status::Default => "default".to_owned(),
    }
}

/// Each documented error as `error <status> <ERROR_TYPE>`, with its data type.
fn documented_errors(api: &Api, operation: &Operation) -> BTreeMap<String, Option<TypeRef>> {
    let mut errors = BTreeMap::new();
    for response in &operation.responses {
        let ResponseKind::Error(cases) = &response.kind else {
            continue;
        };
        for case in cases {
            let error_type = case
                .error_type
                .clone()
                .or_else(|| struct_error_type(api, &case.ty))
                .unwrap_or_else(|| "(untyped)".to_owned());
            errors.insert(
                format!("error {} {error_type}", status_text(response.status)),
                case.data.clone(),
            );
        }
    }
    errors
}

/// The `error_type` a standard error schema stands for: from its
/// discriminator when the spec maps one (the curated spec), else from its
/// name, as VMware's files give every standard error its own schema
/// (`VapiStdErrorsNotFound`, `Vapi.Std.Errors.NotFound`) but no mapping.
fn struct_error_type(api: &Api, ty: &TypeRef) -> Option<String> {
    let def = api.types.get(named(api, ty)?)?;
    if let TypeKind::Struct(fields) = &def.kind
        && fields.error_type.is_some()
    {
        return fields.error_type.clone();
    }
    let crate::ir::TypeOrigin::Component { name } = &def.origin else {
        return None;
    };
    let short = name
        .strip_prefix("VapiStdErrors")
        .or_else(|| name.strip_prefix("Vapi.Std.Errors."))?;
    let mut screaming = String::new();
    for (index, character) in short.chars().enumerate() {
        if character.is_ascii_uppercase() && index > 0 {
            screaming.push('_');
        }
        screaming.push(character.to_ascii_uppercase());
    }
    (!screaming.is_empty()).then_some(screaming)
}

/// `untyped`, or the rendering of the data's type.
fn data_rendering(api: &Api, data: Option<&TypeRef>) -> String {
    match data.map(|ty| resolve(api, ty)) {
        None | Some(TypeRef::Json) => "untyped".to_owned(),
        Some(ty) => render_type(api, ty, 0),
    }
}

/// The type an alias stands for, through any chain of aliases.
fn resolve<'t>(api: &'t Api, mut ty: &'t TypeRef) -> &'t TypeRef {
    // A chain of aliases is finite in a lowered API; the bound only guards
    // against a cycle lowering failed to reject.
    for _ in 0..64 {
        match ty {
            TypeRef::Named(name) => match api.types.get(name).map(|def| &def.kind) {
                Some(TypeKind::Alias(target)) => ty = target,
                _ => return ty,
            },
            _ => return ty,
        }
    }
    ty
}

fn named<'t>(api: &'t Api, ty: &'t TypeRef) -> Option<&'t str> {
    match resolve(api, ty) {
        TypeRef::Named(name) => Some(name),
        _ => None,
    }
}

/// How a value reads in a report and in a declaration: required-ness and
/// type, never a schema name (the two files name schemas differently).
pub fn render(api: &Api, ty: &TypeRef, required: bool) -> String {
    let requiredness = if required { "required" } else { "optional" };
    format!("{requiredness} {}", render_type(api, ty, 0))
}

fn render_type(api: &Api, ty: &TypeRef, depth: usize) -> String {
    let ty = resolve(api, ty);
    match ty {
        TypeRef::Named(name) => match api.types.get(name).map(|def| &def.kind) {
            Some(TypeKind::Struct(_)) => "object".to_owned(),
            Some(TypeKind::Enum(_)) => "enum".to_owned(),
            Some(TypeKind::Alias(_)) | None => "free-form JSON".to_owned(),
        },
        TypeRef::String(format) => match format {
            StringFormat::Plain => "string".to_owned(),
            other => format!(
                "string ({})",
                other.openapi_name().unwrap_or("unknown format")
            ),
        },
        TypeRef::Boolean => "boolean".to_owned(),
        TypeRef::Int32 => "integer (int32)".to_owned(),
        TypeRef::Int64 => "integer (int64)".to_owned(),
        TypeRef::Float => "number (float)".to_owned(),
        TypeRef::Double => "number (double)".to_owned(),
        TypeRef::List(inner) if depth < 8 => {
            format!("array of {}", render_type(api, inner, depth + 1))
        }
        TypeRef::Map(inner) if depth < 8 => {
            format!("map of {}", render_type(api, inner, depth + 1))
        }
        TypeRef::List(_) => "array".to_owned(),
        TypeRef::Map(_) => "map".to_owned(),
        TypeRef::Json => "free-form JSON".to_owned(),
    }
}
