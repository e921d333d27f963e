//! IR types -> Rust items: structs, open enums and aliases with serde.

use super::Piece;
use super::rustdoc::{doc_attrs, doc_lines, sanitize};
use super::scope::Scope;
use crate::ir::{Api, Enum, Field, StringFormat, Struct, TypeDef, TypeKind, TypeRef};
use crate::naming::{last_segment, module_of};
use crate::shape::{RustType, required_struct};
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;
use std::collections::BTreeMap;

/// The name of the field that keeps properties a struct does not list.
const ADDITIONAL_FIELD: &str = "additional_properties";

/// One file of the `types` module: a vAPI package (`types::esx::settings`
/// is `src/types/esx/settings.rs`), so a spec change shows up in the files of
/// the packages it touched.
pub struct TypesFile<'a> {
    /// Module path below `types` (`""` for `types` itself).
    pub module: String,
    /// The file's path in the crate.
    pub path: String,
    /// The types it defines.
    defs: Vec<&'a TypeDef>,
    /// Its child modules.
    children: Vec<String>,
}

/// The files of the `types` module: every package that holds a type, and
/// every package above one.
pub fn types_files(api: &Api) -> Vec<TypesFile<'_>> {
    let mut modules: BTreeMap<String, Vec<&TypeDef>> = BTreeMap::new();
    modules.entry(String::new()).or_default();
    for def in api.types.values() {
        let module = module_of(&def.rust_name);
        let mut prefix = String::new();
        for segment in module.split("::").filter(|segment| !segment.is_empty()) {
            if !prefix.is_empty() {
                prefix.push_str("::");
            }
            prefix.push_str(segment);
            modules.entry(prefix.clone()).or_default();
        }
        modules.entry(module.to_owned()).or_default().push(def);
    }
    let children = |module: &str| -> Vec<String> {
        modules
            .keys()
            .filter_map(|other| {
                let rest = if module.is_empty() {
                    Some(other.as_str()).filter(|rest| !rest.is_empty())
                } else {
                    other
                        .strip_prefix(module)
                        .and_then(|rest| rest.strip_prefix("::"))
                };
                rest.filter(|rest| !rest.contains("::")).map(str::to_owned)
            })
            .collect()
    };
    modules
        .iter()
        .map(|(module, defs)| TypesFile {
            module: module.clone(),
            path: if module.is_empty() {
                "src/types.rs".to_owned()
            } else {
                format!("src/types/{}.rs", module.replace("::", "/"))
            },
            defs: defs.clone(),
            children: children(module),
        })
        .collect()
}

/// The items of one file of the `types` module.
pub fn types_file_items(api: &Api, file: &TypesFile) -> Vec<Piece> {
    let scope = Scope::types_module(api, &file.module);
    let doc = if file.module.is_empty() {
        " Data types: one per schema of the spec, in one module per vAPI package.".to_owned()
    } else {
        format!(
            " Types of the `{}` package.",
            file.module.replace("::", ".")
        )
    };
    let mut items: Vec<Piece> = vec![quote! { #![doc = #doc] }.into()];
    items.extend(file.defs.iter().flat_map(|def| type_item(api, def, &scope)));
    // What the server checks beyond the types (feature `server`).
    items.extend(
        file.defs
            .iter()
            .filter_map(|def| validate_impl(def))
            .map(Piece::from),
    );
    if file.module.is_empty() {
        items.push(round_trip_fn(api).into());
    }
    let children = file.children.iter().map(|child| ident(child));
    items.push(quote! { #(pub mod #children;)* }.into());
    items
}

fn type_item(api: &Api, def: &TypeDef, scope: &Scope) -> Vec<Piece> {
    let fallback = format!("The `{}` schema.", def.origin);
    let mut docs = doc_attrs(&def.docs, &fallback);
    if !def.origin.is_inline() {
        let origin = format!(" Spec name: `{}`.", def.origin);
        docs.extend(quote! { #[doc = ""] #[doc = #origin] });
    }
    let deprecated = def.docs.deprecated.then(|| quote! { #[deprecated] });
    let name = ident(last_segment(&def.rust_name));
    match &def.kind {
        TypeKind::Struct(strukt) => {
            let required = required_struct(api, def).map(|path| ident(last_segment(&path)));
            vec![struct_item(&name, &docs, deprecated, strukt, required.as_ref(), scope).into()]
        }
        TypeKind::Enum(enumeration) => {
            let (declaration, impls) = enum_item(&name, &docs, deprecated, enumeration, scope);
            vec![declaration.into(), Piece::Text(impls)]
        }
        TypeKind::Alias(target) => {
            let target = scope.ty(target);
            vec![quote! { #docs #deprecated pub type #name = #target; }.into()]
        }
    }
}

/// A struct, the struct of its required properties (when it has any), its
/// constructor and the setters of its optional properties.
fn struct_item(
    name: &Ident,
    docs: &TokenStream,
    deprecated: Option<TokenStream>,
    strukt: &Struct,
    required: Option<&Ident>,
    scope: &Scope,
) -> TokenStream {
    // Only a struct without required properties has a value to start from.
    let default = required.is_none().then(|| quote! { Default, });
    let fields = strukt.fields.iter().map(|field| field_tokens(field, scope));
    let additional = strukt.additional.as_ref().map(|values| {
        let field_name = additional_field_name(strukt);
        let map = scope.map(scope.ty(values));
        quote! {
            /// Properties the spec does not list (for instance, added by a newer
            /// server); kept so that they survive a round trip.
            #[serde(flatten)]
            pub #field_name: #map,
        }
    });
    let how_to_build = match required {
        Some(required) => doc_lines(&format!(
            "\nBuild it with `{name}::new({required} {{ .. }})`, which names every\n\
             required property, then set optional ones with its `with_*` methods. It is\n\
             `#[non_exhaustive]`: a property added by a later release is not a breaking\n\
             change unless it is required."
        )),
        None => doc_lines(
            "\nBuild it with `new()` (every property unset), then set properties with its\n\
             `with_*` methods. It is `#[non_exhaustive]`: a property added by a later\n\
             release is not a breaking change unless it is required.",
        ),
    };
    let required_item =
        required.map(|required| required_struct_item(name, required, strukt, scope));
    let constructor = constructor(name, strukt, required, scope);
    quote! {
        #docs
        #deprecated
        #how_to_build
        #[derive(Clone, Debug, #default PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            #additional
        }

        #required_item

        #constructor
    }
}

/// `<Name>Required`: the required properties, each given by name. It is
/// exhaustive on purpose: a property that becomes required must be given.
fn required_struct_item(
    name: &Ident,
    required: &Ident,
    strukt: &Struct,
    scope: &Scope,
) -> TokenStream {
    let doc = doc_lines(&format!(
        "The required properties of [`{name}`], for [`{name}::new`]: each is given\n\
         by name, so none can be left out or swapped with another."
    ));
    let fields = strukt
        .fields
        .iter()
        .filter(|field| field.is_constructor_argument())
        .map(|field| {
            let docs = doc_attrs(&field.docs, &format!("The `{}` property.", field.wire_name));
            let name = ident(&field.rust_name);
            let ty = scope.ty(&field.ty);
            quote! { #docs pub #name: #ty, }
        });
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq)]
        pub struct #required {
            #(#fields)*
        }
    }
}

/// `new`: from the required properties (or none), every optional one unset;
/// and a `with_<property>` setter per optional property.
fn constructor(
    name: &Ident,
    strukt: &Struct,
    required: Option<&Ident>,
    scope: &Scope,
) -> TokenStream {
    let takes = |field: &&Field| field.is_constructor_argument();
    let initializers = strukt.fields.iter().map(|field| {
        let name = ident(&field.rust_name);
        match (takes(&field), field.boxed) {
            (true, true) => quote! { #name: ::std::boxed::Box::new(#name), },
            (true, false) => quote! { #name, },
            (false, _) => quote! { #name: None, },
        }
    });
    let additional = strukt.additional.as_ref().map(|_| {
        let field_name = additional_field_name(strukt);
        quote! { #field_name: ::std::default::Default::default(), }
    });
    // Setting a deprecated property to `None` is not a use worth warning about.
    let deprecated = strukt
        .fields
        .iter()
        .any(|field| field.docs.deprecated)
        .then(|| quote! { #[allow(deprecated)] });
    let new = match required {
        Some(required) => {
            let names = strukt
                .fields
                .iter()
                .filter(takes)
                .map(|field| ident(&field.rust_name));
            quote! {
                /// A value with the required properties and every optional one unset.
                #deprecated
                pub fn new(required: #required) -> Self {
                    let #required { #(#names),* } = required;
                    #name { #(#initializers)* #additional }
                }
            }
        }
        None => quote! {
            /// A value with every property unset.
            pub fn new() -> Self {
                Self::default()
            }
        },
    };
    let optional: Vec<&Field> = strukt.fields.iter().filter(|field| !takes(field)).collect();
    let setters = setter_names(optional.iter().map(|field| field.rust_name.as_str()))
        .into_iter()
        .zip(&optional)
        .map(|(setter, field)| {
            let doc = format!(" Sets the optional property `{}`.", field.wire_name);
            let deprecated = field
                .docs
                .deprecated
                .then(|| quote! { #[deprecated] #[allow(deprecated)] });
            let name = ident(&field.rust_name);
            let ty = scope.ty(&field.ty);
            let value = if field.boxed {
                quote! { ::std::boxed::Box::new(#name) }
            } else {
                quote! { #name }
            };
            quote! {
                #[doc = #doc]
                #deprecated
                pub fn #setter(mut self, #name: #ty) -> Self {
                    self.#name = Some(#value);
                    self
                }
            }
        });
    quote! {
        impl #name {
            #new
            #(#setters)*
        }
    }
}

/// The setters' names: `with_<field>` (without the `_` that escapes a
/// keyword or a leading digit: `with_type`), unless two would be the same.
pub fn setter_names<'a>(fields: impl Iterator<Item = &'a str> + Clone) -> Vec<Ident> {
    let short = |field: &str| format!("with_{}", field.trim_matches('_'));
    fields
        .clone()
        .map(|field| {
            let clashes = fields
                .clone()
                .filter(|other| short(other) == short(field))
                .count()
                > 1;
            if clashes || field.trim_matches('_').is_empty() {
                ident(&format!("with_{field}"))
            } else {
                ident(&short(field))
            }
        })
        .collect()
}

/// `round_trip(path, json)`: reads JSON as the type named by its path and writes
/// it back, so tools and tests can check JSON against any schema by name.
fn round_trip_fn(api: &Api) -> TokenStream {
    let arms = api.types.keys().map(|path| {
        let segments = path.split("::").map(ident);
        quote! { #path => through::<#(#segments)::*>(value), }
    });
    let docs = quote! {
        /// Reads `value` as the type at `path` (relative to this module, e.g.
        /// `vapi::std::LocalizableMessage`) and writes it back to JSON. `None` when
        /// no type has that path. Lets tools and tests check JSON against any
        /// schema by name, as the documentation's examples are checked.
    };
    // Full paths: the module may define types called `Option`, `Result` or `String`.
    let signature = quote! {
        pub fn round_trip(
            path: &str,
            value: ::serde_json::Value,
        ) -> ::std::option::Option<::std::result::Result<::serde_json::Value, ::std::string::String>>
    };
    if api.types.is_empty() {
        // Without types there is nothing to read: no unused helper, no unreachable code.
        return quote! {
            #docs
            #signature {
                let _ = (path, value);
                None
            }
        };
    }
    quote! {
        #docs
        #signature {
            fn through<T: ::serde::de::DeserializeOwned + ::serde::Serialize>(
                value: ::serde_json::Value,
            ) -> ::std::result::Result<::serde_json::Value, ::std::string::String> {
                let typed: T = ::serde_json::from_value(value).map_err(|error| error.to_string())?;
                ::serde_json::to_value(&typed).map_err(|error| error.to_string())
            }
            Some(match path {
                #(#arms)*
                _ => return None,
            })
        }
    }
}

/// `additional_properties`, or with underscores added while a property has that name.
fn additional_field_name(strukt: &Struct) -> Ident {
    let mut name = ADDITIONAL_FIELD.to_owned();
    while strukt.fields.iter().any(|f| f.rust_name == name) {
        name.push('_');
    }
    ident(&name)
}

fn field_tokens(field: &Field, scope: &Scope) -> TokenStream {
    let fallback = format!("The `{}` property.", field.wire_name);
    let docs = doc_attrs(&field.docs, &fallback);
    let deprecated = field.docs.deprecated.then(|| quote! { #[deprecated] });
    let name = ident(&field.rust_name);
    let ty = scope.rust_type(&RustType::of_field(field));
    let mut serde_args = Vec::new();
    if field.rust_name != field.wire_name {
        let wire = &field.wire_name;
        serde_args.push(quote! { rename = #wire });
    }
    let is_map = matches!(field.ty, TypeRef::Map(_)) && !field.boxed;
    if !field.required {
        // Absent stays absent on the way back out.
        let is_none = scope.option_is_none();
        serde_args.push(quote! { default, skip_serializing_if = #is_none });
    }
    if is_map {
        // Maps travel as objects (`/api`) or key/value lists (legacy `/rest`).
        let (read, write) = if !field.is_option() {
            (
                "crate::runtime::wire::deserialize_map",
                "crate::runtime::wire::serialize_map",
            )
        } else {
            (
                "crate::runtime::wire::deserialize_optional_map",
                "crate::runtime::wire::serialize_optional_map",
            )
        };
        serde_args.push(quote! { deserialize_with = #read, serialize_with = #write });
    }
    let serde = (!serde_args.is_empty()).then(|| quote! { #[serde(#(#serde_args),*)] });
    quote! { #docs #deprecated #serde pub #name: #ty, }
}

/// An open enum's declaration, and its impls (`open_enum!`) as text with one
/// value per line.
fn enum_item(
    name: &Ident,
    docs: &TokenStream,
    deprecated: Option<TokenStream>,
    enumeration: &Enum,
    scope: &Scope,
) -> (TokenStream, String) {
    let string = scope.string();
    let unknown = ident(&enumeration.unknown_variant);
    let variants: Vec<Ident> = enumeration
        .values
        .iter()
        .map(|v| ident(&v.rust_name))
        .collect();
    let wire_names: Vec<&str> = enumeration
        .values
        .iter()
        .map(|v| v.wire_name.as_str())
        .collect();
    let variant_docs = enumeration.values.iter().map(|v| {
        // On one line, so that a value cannot open a code block (a doc test).
        let mut text = sanitize(&format!("`{}`", v.wire_name.replace(['\n', '\r'], " ")));
        if let Some(since) = &v.since {
            text.push_str(&format!("\n\nAdded in vSphere API {since}."));
        }
        doc_lines(&text)
    });
    let open_note = doc_lines(&format!(
        "\nThe enumeration is open: a value this version does not know is kept in\n`{}` and serialized back unchanged.",
        enumeration.unknown_variant
    ));
    let declaration = quote! {
        #docs
        #open_note
        #deprecated
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #( #variant_docs #variants, )*
            /// A value not known to this version of the bindings, as sent.
            #unknown(#string),
        }
    };
    let mut impls = format!("crate::runtime::wire::open_enum!({name}, {unknown}");
    for (variant, wire_name) in variants.iter().zip(&wire_names) {
        impls.push_str(&format!(
            ",\n    {variant} = {}",
            Literal::string(wire_name)
        ));
    }
    impls.push_str(",\n);\n");
    (declaration, impls)
}

/// `impl Validate` for a struct (feature `server`): each property that can
/// hold an enum value or a formatted string is checked, at its property path.
/// Enums get theirs from `open_enum!`; aliases are their target type.
fn validate_impl(def: &TypeDef) -> Option<TokenStream> {
    let TypeKind::Struct(strukt) = &def.kind else {
        return None;
    };
    let path = def.rust_name.split("::").map(ident);
    let ty = quote! { crate::types #(::#path)* };
    let checks: Vec<TokenStream> = strukt
        .fields
        .iter()
        .filter_map(|field| {
            let name = ident(&field.rust_name);
            let wire = &field.wire_name;
            match &field.ty {
                TypeRef::String(format) => {
                    let format = server_format(*format)?;
                    Some(quote! { violations.format(&self.#name, at.field(#wire), crate::runtime::server::Format::#format); })
                }
                ty if may_need_validation(ty) => {
                    Some(quote! { crate::runtime::server::Validate::validate(&self.#name, at.field(#wire), violations); })
                }
                _ => None,
            }
        })
        .collect();
    if checks.is_empty() {
        return Some(quote! {
            #[cfg(feature = "server")]
            impl crate::runtime::server::Validate for #ty {}
        });
    }
    // Deprecated fields are still sent by older callers, so still checked.
    let allow = strukt
        .fields
        .iter()
        .any(|f| f.docs.deprecated)
        .then(|| quote! { #[allow(deprecated)] });
    Some(quote! {
        #[cfg(feature = "server")]
        #allow
        impl crate::runtime::server::Validate for #ty {
            fn validate(&self, at: crate::runtime::server::At<'_>, violations: &mut crate::runtime::server::Violations) {
                #(#checks)*
            }
        }
    })
}

/// Whether a value of `ty` may hold something the server checks: a named
/// type (an enum, or a struct with such properties), or a list or map of one.
fn may_need_validation(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Named(_) => true,
        TypeRef::List(inner) | TypeRef::Map(inner) => may_need_validation(inner),
        _ => false,
    }
}

/// The runtime's name for a string format the server checks; `None` for
/// formats it does not.
pub fn server_format(format: StringFormat) -> Option<Ident> {
    let name = match format {
        StringFormat::Uri => "Uri",
        StringFormat::DateTime => "DateTime",
        StringFormat::Uuid => "Uuid",
        _ => return None,
    };
    Some(ident(name))
}

/// An identifier; names in the IR are already valid and never keywords.
pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}
