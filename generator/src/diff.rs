//! What a spec change does to the generated crate: two IRs in, a list of
//! changes out, each classified by its semver impact on the emitted Rust API.
//!
//! The classes follow from how the crate is emitted, and this module reads the
//! same facts the emitters do (each operation's [`crate::shape::OperationShape`],
//! [`RustType`], [`crate::ir::TypeDef::has_default`]) so that it cannot drift
//! from them:
//!
//! - structs and `Request`s are `#[non_exhaustive]` and built with
//!   `new(<Name>Required { .. })`, a struct literal of the required properties
//!   (or arguments), then `with_*` setters: a new optional property or
//!   parameter is additive (one more setter), a new required one is one more
//!   field that every literal must give (breaking);
//! - enums, operation `Error`s and multi-status `Response`s are
//!   `#[non_exhaustive]`: a new value, error or status is additive;
//! - the server trait's methods have default bodies: a new operation is additive;
//! - anything removed, retyped or changing between `T` and `Option<T>` breaks;
//! - paths, statuses, privileges, since-versions, deprecation and
//!   descriptions change behaviour or docs, not the Rust API (impact none).

mod markdown;

pub use markdown::markdown;

use crate::ir::{Api, Docs, Enum, Field, Operation, Struct, TypeDef, TypeKind, TypeOrigin};
use crate::shape::{REQUEST_REQUIRED, RequestField, RequestFieldSource, RustType, required_struct};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The semver impact of a change on the generated crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Impact {
    /// Code written against the old crate may no longer compile: a major version.
    Breaking,
    /// New API only; code written against the old crate still compiles: a minor version.
    Additive,
    /// The Rust API is unchanged (wire, behaviour or docs only).
    None,
}

/// One change between two specs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Its impact on the generated crate.
    pub impact: Impact,
    /// What changed, e.g. `property added`.
    pub kind: String,
    /// Where, in the spec's terms, e.g. ``schema `Content.Library.Subscriptions.CreateSpec` property `vcenter` ``.
    pub subject: String,
    /// Old and new value, when something changed in place.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Why it has that impact, in one line.
    pub reason: String,
}

/// The releases compared and what changed between them, in a stable order
/// (operations, then schemas, each by Rust name).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The old spec's API version.
    pub old_version: String,
    /// The new spec's API version.
    pub new_version: String,
    /// Every change found.
    pub changes: Vec<Change>,
}

impl Report {
    /// How many changes have this impact.
    pub fn count(&self, impact: Impact) -> usize {
        self.changes.iter().filter(|c| c.impact == impact).count()
    }

    /// Whether code written against the old crate may break.
    pub fn is_breaking(&self) -> bool {
        self.count(Impact::Breaking) > 0
    }
}

/// Compares two APIs.
pub fn diff(old: &Api, new: &Api) -> Report {
    let mut differ = Differ {
        new_api: new,
        changes: Vec::new(),
    };
    if old.api_version() != new.api_version() {
        differ.push(
            Impact::None,
            "API version changed",
            "`API_VERSION`".into(),
            Some(arrow(old.api_version(), new.api_version())),
            "a constant's value, not its type",
        );
    }
    for name in union(old.operations.keys(), new.operations.keys()) {
        match (old.operations.get(name), new.operations.get(name)) {
            (Some(before), None) => differ.push(
                Impact::Breaking,
                "operation removed",
                operation_subject(before),
                None,
                "its `operations` module, client method and server trait method go away",
            ),
            (None, Some(after)) => differ.push(
                Impact::Additive,
                "operation added",
                operation_subject(after),
                None,
                "a new module and client method; the server trait method has a default body",
            ),
            (Some(before), Some(after)) => differ.operation(before, after),
            (None, None) => {}
        }
    }
    for name in union(old.types.keys(), new.types.keys()) {
        match (old.types.get(name), new.types.get(name)) {
            (Some(before), None) => differ.push(
                Impact::Breaking,
                "schema removed",
                type_subject(before),
                None,
                &format!("the type `types::{name}` goes away"),
            ),
            (None, Some(after)) => differ.push(
                Impact::Additive,
                "schema added",
                type_subject(after),
                None,
                &format!("a new type `types::{name}`"),
            ),
            (Some(before), Some(after)) => {
                differ.type_def(before, after);
                match (before.has_default, after.has_default) {
                    (true, false) => differ.push(
                        Impact::Breaking,
                        "Default lost",
                        type_subject(after),
                        None,
                        &format!("`types::{name}` no longer implements `Default`"),
                    ),
                    (false, true) => differ.push(
                        Impact::Additive,
                        "Default gained",
                        type_subject(after),
                        None,
                        &format!("`types::{name}` now implements `Default`"),
                    ),
                    _ => {}
                }
            }
            (None, None) => {}
        }
    }
    Report {
        old_version: old.api_version().to_owned(),
        new_version: new.api_version().to_owned(),
        changes: differ.changes,
    }
}

struct Differ<'a> {
    /// The new API: what the reasons name (its `Required` structs).
    new_api: &'a Api,
    changes: Vec<Change>,
}

impl Differ<'_> {
    fn push(
        &mut self,
        impact: Impact,
        kind: &str,
        subject: String,
        detail: Option<String>,
        reason: &str,
    ) {
        self.changes.push(Change {
            impact,
            kind: kind.to_owned(),
            subject,
            detail,
            reason: reason.to_owned(),
        });
    }

    fn operation(&mut self, before: &Operation, after: &Operation) {
        let subject = operation_subject(after);
        let route = |op: &Operation| {
            let query: Vec<String> = op
                .fixed_query
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            match query.is_empty() {
                true => format!("{} {}", op.method, op.path),
                false => format!("{} {}?{}", op.method, op.path, query.join("&")),
            }
        };
        if route(before) != route(after) {
            self.push(
                Impact::None,
                "operation moved",
                subject.clone(),
                Some(arrow(&route(before), &route(after))),
                "wire only: `OPERATION`, the client and the router follow the new route",
            );
        }
        if before.wire != after.wire {
            self.push(
                Impact::None,
                "wire form changed",
                subject.clone(),
                Some(arrow(
                    &format!("{:?}", before.wire),
                    &format!("{:?}", after.wire),
                )),
                "the client and server switch envelopes; `Request` changes are listed on their own",
            );
        }
        self.docs(&subject, &before.docs, &after.docs);
        if before.security != after.security || before.privilege_scope != after.privilege_scope {
            self.push(
                Impact::None,
                "authentication or privilege scope changed",
                subject.clone(),
                None,
                "checked at run time by the server stubs; no Rust type changes",
            );
        }
        self.request(before, after, &subject);
        self.responses(before, after, &subject);
        self.errors(before, after, &subject);
    }

    fn request(&mut self, before: &Operation, after: &Operation, subject: &str) {
        let fields = |op: &Operation| {
            op.shape
                .request_fields
                .iter()
                .map(|field| (field.rust_name.clone(), field.clone()))
                .collect::<BTreeMap<_, _>>()
        };
        let (old_fields, new_fields) = (fields(before), fields(after));
        for name in union(old_fields.keys(), new_fields.keys()) {
            let what = |field: &RequestField| match field.source {
                RequestFieldSource::Parameter(location) => format!(
                    "{subject} {} parameter `{}`",
                    location.as_str(),
                    field.wire_name
                ),
                RequestFieldSource::Body => format!("{subject} request body"),
                RequestFieldSource::BodyArgument => {
                    format!("{subject} body argument `{}`", field.wire_name)
                }
            };
            match (old_fields.get(name), new_fields.get(name)) {
                (Some(field), None) => self.push(
                    Impact::Breaking,
                    "parameter removed",
                    what(field),
                    None,
                    &format!("the field `Request::{name}` goes away"),
                ),
                (None, Some(field)) if field.required => self.push(
                    Impact::Breaking,
                    "required parameter added",
                    what(field),
                    None,
                    &format!("`{REQUEST_REQUIRED}` has one more field, which every call must give"),
                ),
                (None, Some(field)) => self.push(
                    Impact::Additive,
                    "optional parameter added",
                    what(field),
                    None,
                    "`Request` is `#[non_exhaustive]`, `Request::new` leaves it unset, and it gets a `with_` setter",
                ),
                (Some(a), Some(b)) => {
                    let (old_type, new_type) =
                        (a.rust_type().to_string(), b.rust_type().to_string());
                    if a.required != b.required {
                        self.push(
                            Impact::Breaking,
                            if b.required {
                                "parameter made required"
                            } else {
                                "parameter made optional"
                            },
                            what(b),
                            Some(arrow(&old_type, &new_type)),
                            &format!("the field's type changes and it moves into or out of `{REQUEST_REQUIRED}`"),
                        );
                    } else if old_type != new_type {
                        self.push(
                            Impact::Breaking,
                            "parameter type changed",
                            what(b),
                            Some(arrow(&old_type, &new_type)),
                            &format!("the field `Request::{name}` changes type"),
                        );
                    }
                    if a.location() != b.location() {
                        self.push(
                            Impact::None,
                            "parameter moved",
                            what(b),
                            Some(arrow(&moved_from(a), &moved_from(b))),
                            "wire only: the client and the router follow it",
                        );
                    }
                }
                (None, None) => {}
            }
        }
    }

    fn responses(&mut self, before: &Operation, after: &Operation, subject: &str) {
        let variants = |op: &Operation| {
            op.shape
                .successes
                .iter()
                .map(|success| (success.label(), success.rust_type().to_string()))
                .collect::<BTreeMap<String, String>>()
        };
        let (old_successes, new_successes) = (variants(before), variants(after));
        // One success is a type alias `Response = T`; several are an enum by status.
        let is_enum = |successes: &BTreeMap<String, String>| successes.len() > 1;
        let only = |successes: &BTreeMap<String, String>| {
            successes
                .values()
                .next()
                .cloned()
                .unwrap_or_else(|| "()".into())
        };
        if is_enum(&old_successes) != is_enum(&new_successes) {
            self.push(
                Impact::Breaking,
                "success responses changed",
                format!("{subject} result"),
                Some(arrow(&statuses(&old_successes), &statuses(&new_successes))),
                "`Response` changes between a type alias (one success) and an enum by status",
            );
        } else if !is_enum(&new_successes) {
            let (old_type, new_type) = (only(&old_successes), only(&new_successes));
            if old_type != new_type {
                self.push(
                    Impact::Breaking,
                    "result type changed",
                    format!("{subject} result"),
                    Some(arrow(&old_type, &new_type)),
                    "`Response` is another type",
                );
            } else if old_successes.keys().ne(new_successes.keys()) {
                self.push(
                    Impact::None,
                    "success status changed",
                    format!("{subject} result"),
                    Some(arrow(&statuses(&old_successes), &statuses(&new_successes))),
                    "wire only: the client and server follow the new status",
                );
            }
        } else {
            for status in union(old_successes.keys(), new_successes.keys()) {
                let where_ = format!("{subject} response {status}");
                match (old_successes.get(status), new_successes.get(status)) {
                    (Some(_), None) => self.push(
                        Impact::Breaking,
                        "success response removed",
                        where_,
                        None,
                        &format!("the variant `Response::Status{status}` goes away"),
                    ),
                    (None, Some(_)) => self.push(
                        Impact::Additive,
                        "success response added",
                        where_,
                        None,
                        "`Response` is `#[non_exhaustive]`",
                    ),
                    (Some(a), Some(b)) if a != b => self.push(
                        Impact::Breaking,
                        "success response type changed",
                        where_,
                        Some(arrow(a, b)),
                        &format!("the variant `Response::Status{status}` holds another type"),
                    ),
                    _ => {}
                }
            }
        }
    }

    fn errors(&mut self, before: &Operation, after: &Operation, subject: &str) {
        let variants = |op: &Operation| {
            op.shape
                .errors
                .iter()
                .map(|variant| {
                    let ty = RustType::of(&variant.ty).to_string();
                    let description = variant.description.clone();
                    (variant.name.clone(), (variant.status, ty, description))
                })
                .collect::<BTreeMap<_, _>>()
        };
        let (old_errors, new_errors) = (variants(before), variants(after));
        for name in union(old_errors.keys(), new_errors.keys()) {
            let where_ = format!("{subject} error `{name}`");
            match (old_errors.get(name), new_errors.get(name)) {
                (Some(_), None) => self.push(
                    Impact::Breaking,
                    "error removed",
                    where_,
                    None,
                    &format!("the variant `Error::{name}` goes away"),
                ),
                (None, Some(_)) => self.push(
                    Impact::Additive,
                    "error added",
                    where_,
                    None,
                    "`Error` is `#[non_exhaustive]`: matches on it already have a wildcard arm",
                ),
                (
                    Some((old_status, old_type, old_text)),
                    Some((new_status, new_type, new_text)),
                ) => {
                    if old_text != new_text {
                        self.push(
                            Impact::None,
                            "description changed",
                            where_.clone(),
                            None,
                            "documentation only",
                        );
                    }
                    if old_type != new_type {
                        self.push(
                            Impact::Breaking,
                            "error type changed",
                            where_.clone(),
                            Some(arrow(old_type, new_type)),
                            &format!("the variant `Error::{name}` holds another type"),
                        );
                    }
                    if old_status != new_status {
                        self.push(
                            Impact::None,
                            "error status changed",
                            where_,
                            Some(arrow(&old_status.to_string(), &new_status.to_string())),
                            "wire only: errors are told apart by `error_type`",
                        );
                    }
                }
                (None, None) => {}
            }
        }
    }

    fn type_def(&mut self, before: &TypeDef, after: &TypeDef) {
        let subject = type_subject(after);
        self.docs(&subject, &before.docs, &after.docs);
        match (&before.kind, &after.kind) {
            (TypeKind::Struct(a), TypeKind::Struct(b)) => {
                let by_wire = |fields: &[Field]| {
                    fields
                        .iter()
                        .map(|field| (field.wire_name.clone(), field.clone()))
                        .collect::<BTreeMap<_, _>>()
                };
                let (old_fields, new_fields) = (by_wire(&a.fields), by_wire(&b.fields));
                let rust = &format!("types::{}", after.rust_name);
                for wire in union(old_fields.keys(), new_fields.keys()) {
                    let where_ = format!("{subject} property `{wire}`");
                    match (old_fields.get(wire), new_fields.get(wire)) {
                        (Some(field), None) => self.push(
                            Impact::Breaking,
                            "property removed",
                            where_,
                            None,
                            &format!("the field `{rust}::{}` goes away", field.rust_name),
                        ),
                        (None, Some(field)) if field.is_constructor_argument() => self.push(
                            Impact::Breaking,
                            "required property added",
                            where_,
                            None,
                            &self.required_reason(before, after, "has one more field, which every literal must give"),
                        ),
                        (None, Some(field)) => self.push(
                            Impact::Additive,
                            if field.required {
                                "nullable required property added"
                            } else {
                                "optional property added"
                            },
                            where_,
                            None,
                            &format!("`{rust}` is `#[non_exhaustive]`, `new` leaves it `None`, and it gets a `with_` setter"),
                        ),
                        (Some(old_field), Some(new_field)) => {
                            let required = self.required_reason(before, after, "gains or loses the field");
                            self.field(&where_, rust, &required, old_field, new_field)
                        }
                        (None, None) => {}
                    }
                }
                let additional =
                    |s: &Struct| s.additional.as_ref().map(|ty| RustType::of(ty).to_string());
                match (additional(a), additional(b)) {
                    (Some(_), None) => self.push(
                        Impact::Breaking,
                        "additional properties forbidden",
                        subject.clone(),
                        None,
                        &format!("the field `{rust}::additional_properties` goes away"),
                    ),
                    (None, Some(_)) => self.push(
                        Impact::Additive,
                        "additional properties allowed",
                        subject.clone(),
                        None,
                        &format!("`{rust}` gains an `additional_properties` field; it is `#[non_exhaustive]`"),
                    ),
                    (Some(x), Some(y)) if x != y => self.push(
                        Impact::Breaking,
                        "additional properties type changed",
                        subject.clone(),
                        Some(arrow(&x, &y)),
                        &format!("the field `{rust}::additional_properties` changes type"),
                    ),
                    _ => {}
                }
            }
            (TypeKind::Enum(a), TypeKind::Enum(b)) => {
                let by_wire = |e: &Enum| {
                    e.values
                        .iter()
                        .map(|v| (v.wire_name.clone(), v.rust_name.clone()))
                        .collect::<BTreeMap<_, _>>()
                };
                let (old_values, new_values) = (by_wire(a), by_wire(b));
                let rust = &format!("types::{}", after.rust_name);
                for wire in union(old_values.keys(), new_values.keys()) {
                    let where_ = format!("{subject} value `{wire}`");
                    match (old_values.get(wire), new_values.get(wire)) {
                        (Some(variant), None) => self.push(
                            Impact::Breaking,
                            "enum value removed",
                            where_,
                            None,
                            &format!("the variant `{rust}::{variant}` goes away"),
                        ),
                        (None, Some(_)) => self.push(
                            Impact::Additive,
                            "enum value added",
                            where_,
                            None,
                            &format!("`{rust}` is `#[non_exhaustive]`: matches on it already have a wildcard arm"),
                        ),
                        (Some(x), Some(y)) if x != y => self.push(
                            Impact::Breaking,
                            "enum variant renamed",
                            where_,
                            Some(arrow(x, y)),
                            "the Rust variant has another name",
                        ),
                        _ => {}
                    }
                }
            }
            (TypeKind::Alias(a), TypeKind::Alias(b)) => {
                let (x, y) = (RustType::of(a).to_string(), RustType::of(b).to_string());
                if x != y {
                    self.push(
                        Impact::Breaking,
                        "schema type changed",
                        subject,
                        Some(arrow(&x, &y)),
                        &format!("`types::{}` names another type", after.rust_name),
                    );
                }
            }
            (a, b) => self.push(
                Impact::Breaking,
                "schema kind changed",
                subject,
                Some(arrow(kind_name(a), kind_name(b))),
                &format!("`types::{}` is another kind of type", after.rust_name),
            ),
        }
    }

    /// Why a change to the required properties of `after` breaks: how its
    /// `Required` struct `changes` (or that `new` takes a new one).
    fn required_reason(&self, before: &TypeDef, after: &TypeDef, changes: &str) -> String {
        let rust = format!("types::{}", after.rust_name);
        match (
            required_struct(self.new_api, before),
            required_struct(self.new_api, after),
        ) {
            (Some(_), Some(required)) => {
                format!("`types::{required}` (what `{rust}::new` takes) {changes}")
            }
            (None, Some(required)) => {
                format!(
                    "`{rust}::new()` now takes the required properties in a new `types::{required}`"
                )
            }
            (_, None) => format!("`{rust}::new` now takes no arguments"),
        }
    }

    fn field(&mut self, where_: &str, rust: &str, required: &str, a: &Field, b: &Field) {
        let (old_type, new_type) = (
            RustType::of_field(a).to_string(),
            RustType::of_field(b).to_string(),
        );
        if a.is_constructor_argument() != b.is_constructor_argument() {
            let kind = if b.is_constructor_argument() {
                "property made required"
            } else {
                "property made optional"
            };
            self.push(
                Impact::Breaking,
                kind,
                where_.to_owned(),
                Some(arrow(&old_type, &new_type)),
                &format!("the field changes between `T` and `Option<T>`; {required}"),
            );
        } else if old_type != new_type {
            self.push(
                Impact::Breaking,
                "property type changed",
                where_.to_owned(),
                Some(arrow(&old_type, &new_type)),
                &format!("the field `{rust}::{}` changes type", b.rust_name),
            );
        } else if a.required != b.required {
            // Required-and-nullable and optional are both `Option` and unset by `new`.
            self.push(
                Impact::None,
                if b.required {
                    "property made required"
                } else {
                    "property made optional"
                },
                where_.to_owned(),
                None,
                "nullable either way: the field stays `Option<T>` and `new` leaves it unset",
            );
        }
        if a.rust_name != b.rust_name {
            self.push(
                Impact::Breaking,
                "field renamed",
                where_.to_owned(),
                Some(arrow(&a.rust_name, &b.rust_name)),
                "the Rust field has another name",
            );
        }
        self.docs(where_, &a.docs, &b.docs);
    }

    /// Deprecation, since-version, privileges and text: never a Rust API change.
    fn docs(&mut self, subject: &str, before: &Docs, after: &Docs) {
        if before.deprecated != after.deprecated {
            let (kind, reason) = if after.deprecated {
                (
                    "deprecated",
                    "adds `#[deprecated]`: a warning, not an error",
                )
            } else {
                ("no longer deprecated", "removes `#[deprecated]`")
            };
            self.push(Impact::None, kind, subject.to_owned(), None, reason);
        }
        if before.since != after.since {
            self.push(
                Impact::None,
                "since-version changed",
                subject.to_owned(),
                Some(arrow(
                    before.since.as_deref().unwrap_or("unset"),
                    after.since.as_deref().unwrap_or("unset"),
                )),
                "documentation, and what `--api-version` keeps",
            );
        }
        if before.privileges != after.privileges {
            self.push(
                Impact::None,
                "privileges changed",
                subject.to_owned(),
                Some(arrow(
                    &before.privileges.join(", "),
                    &after.privileges.join(", "),
                )),
                "checked at run time by the server stubs; no Rust type changes",
            );
        }
        if before.summary != after.summary || before.description != after.description {
            self.push(
                Impact::None,
                "description changed",
                subject.to_owned(),
                None,
                "documentation only",
            );
        }
    }
}

/// Where a `Request` field travels, for a "moved" line.
fn moved_from(field: &RequestField) -> String {
    field
        .location()
        .map_or("body", |location| location.as_str())
        .to_owned()
}

fn operation_subject(operation: &Operation) -> String {
    format!("operation `{}`", operation.operation_id)
}

fn type_subject(def: &TypeDef) -> String {
    match &def.origin {
        TypeOrigin::Inline { .. } => format!("schema `types::{}`", def.rust_name),
        TypeOrigin::Component { name } => format!("schema `{name}`"),
    }
}

fn kind_name(kind: &TypeKind) -> &'static str {
    match kind {
        TypeKind::Struct(_) => "struct",
        TypeKind::Enum(_) => "enum",
        TypeKind::Alias(_) => "type alias",
    }
}

fn statuses(successes: &BTreeMap<String, String>) -> String {
    let list: Vec<String> = successes.keys().cloned().collect();
    if list.is_empty() {
        "none".into()
    } else {
        list.join(", ")
    }
}

fn arrow(before: &str, after: &str) -> String {
    format!("`{before}` → `{after}`")
}

fn union<'a, K: Ord + 'a>(
    a: impl Iterator<Item = &'a K>,
    b: impl Iterator<Item = &'a K>,
) -> BTreeSet<&'a K> {
    a.chain(b).collect()
}
