//! IR types -> Rust items: structs, open enums and aliases with serde.

use super::rustdoc::{doc_attrs, doc_lines};
use super::scope::Scope;
use crate::ir::{Api, Enum, Field, Struct, TypeDef, TypeKind, TypeRef};
use crate::naming::{last_segment, module_of};
use crate::shape::RustType;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use std::collections::BTreeMap;

/// The name of the field that keeps properties a struct does not list.
const ADDITIONAL_FIELD: &str = "additional_properties";

/// All named types of `api`, as the items of the `types` module: one nested
/// module per vAPI package.
pub fn types_module(api: &Api) -> Vec<TokenStream> {
    let mut root = ModuleTree::default();
    let mut scopes: BTreeMap<String, Scope> = BTreeMap::new();
    for def in api.types.values() {
        let mut node = &mut root;
        let module = module_of(&def.rust_name);
        if !module.is_empty() {
            for segment in module.split("::") {
                node = node.children.entry(segment.to_owned()).or_default();
            }
        }
        node.items.push(type_item(
            def,
            scopes
                .entry(module.to_owned())
                .or_insert_with(|| Scope::types_module(api, module)),
        ));
    }
    let mut items = vec![quote! {
        //! Data types: one per schema of the spec, in one module per vAPI package.
    }];
    items.extend(root.items);
    items.push(round_trip_fn(api));
    items.extend(
        root.children
            .iter()
            .map(|(name, child)| child.to_tokens(name, name)),
    );
    items
}

#[derive(Default)]
struct ModuleTree {
    items: Vec<TokenStream>,
    children: BTreeMap<String, ModuleTree>,
}

impl ModuleTree {
    fn to_tokens(&self, name: &str, package: &str) -> TokenStream {
        let doc = format!(" Types of the `{package}` package.");
        let name = ident(name);
        let items = &self.items;
        let children = self
            .children
            .iter()
            .map(|(child, tree)| tree.to_tokens(child, &format!("{package}.{child}")));
        quote! {
            #[doc = #doc]
            pub mod #name {
                #(#items)*
                #(#children)*
            }
        }
    }
}

fn type_item(def: &TypeDef, scope: &Scope) -> TokenStream {
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
            struct_item(&name, &docs, deprecated, strukt, def.has_default, scope)
        }
        TypeKind::Enum(enumeration) => enum_item(&name, &docs, deprecated, enumeration, scope),
        TypeKind::Alias(target) => {
            let target = scope.ty(target);
            quote! { #docs #deprecated pub type #name = #target; }
        }
    }
}

fn struct_item(
    name: &Ident,
    docs: &TokenStream,
    deprecated: Option<TokenStream>,
    strukt: &Struct,
    has_default: bool,
    scope: &Scope,
) -> TokenStream {
    let default = has_default.then(|| quote! { Default, });
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
    let constructor = constructor(name, strukt, scope);
    quote! {
        #docs
        #deprecated
        ///
        /// Build it with `new` (the required properties), then set optional ones:
        /// it is `#[non_exhaustive]`, so a property added by a later release is
        /// not a breaking change.
        #[derive(Clone, Debug, #default PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            #additional
        }

        #constructor
    }
}

/// `new(required properties...)`: every optional property starts unset.
fn constructor(name: &Ident, strukt: &Struct, scope: &Scope) -> TokenStream {
    let takes = |field: &&Field| field.is_constructor_argument();
    let parameters = strukt.fields.iter().filter(takes).map(|field| {
        let name = ident(&field.rust_name);
        let ty = scope.ty(&field.ty);
        quote! { #name: impl ::std::convert::Into<#ty> }
    });
    let initializers = strukt.fields.iter().map(|field| {
        let name = ident(&field.rust_name);
        match (takes(&field), field.boxed) {
            (true, true) => quote! { #name: ::std::boxed::Box::new(#name.into()), },
            (true, false) => quote! { #name: #name.into(), },
            (false, _) => quote! { #name: None, },
        }
    });
    let additional = strukt.additional.as_ref().map(|_| {
        let field_name = additional_field_name(strukt);
        quote! { #field_name: ::std::default::Default::default(), }
    });
    let required: Vec<String> = strukt
        .fields
        .iter()
        .filter(takes)
        .map(|f| format!("`{}`", f.wire_name))
        .collect();
    let doc = if required.is_empty() {
        " A value with every property unset.".to_owned()
    } else {
        format!(
            " A value with the required properties ({}) and every optional one unset.",
            required.join(", ")
        )
    };
    let many = (required.len() > 7).then(|| quote! { #[allow(clippy::too_many_arguments)] });
    // Setting a deprecated property to `None` is not a use worth warning about.
    let deprecated = strukt
        .fields
        .iter()
        .any(|field| field.docs.deprecated)
        .then(|| quote! { #[allow(deprecated)] });
    quote! {
        impl #name {
            #[doc = #doc]
            #many
            #deprecated
            pub fn new(#(#parameters),*) -> Self {
                #name { #(#initializers)* #additional }
            }
        }
    }
}

/// `round_trip(path, json)`: reads JSON as the type named by its path and writes
/// it back, so tools and tests can check JSON against any schema by name.
fn round_trip_fn(api: &Api) -> TokenStream {
    let arms = api.types.keys().map(|path| {
        let segments = path.split("::").map(ident);
        quote! { #path => through::<#(#segments)::*>(value), }
    });
    quote! {
        /// Reads `value` as the type at `path` (relative to this module, e.g.
        /// `vapi::std::LocalizableMessage`) and writes it back to JSON. `None` when
        /// no type has that path. Lets tools and tests check JSON against any
        /// schema by name, as the documentation's examples are checked.
        pub fn round_trip(path: &str, value: ::serde_json::Value) -> Option<Result<::serde_json::Value, String>> {
            fn through<T: ::serde::de::DeserializeOwned + ::serde::Serialize>(
                value: ::serde_json::Value,
            ) -> Result<::serde_json::Value, String> {
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
            ("crate::wire::deserialize_map", "crate::wire::serialize_map")
        } else {
            (
                "crate::wire::deserialize_optional_map",
                "crate::wire::serialize_optional_map",
            )
        };
        serde_args.push(quote! { deserialize_with = #read, serialize_with = #write });
    }
    let serde = (!serde_args.is_empty()).then(|| quote! { #[serde(#(#serde_args),*)] });
    quote! { #docs #deprecated #serde pub #name: #ty, }
}

fn enum_item(
    name: &Ident,
    docs: &TokenStream,
    deprecated: Option<TokenStream>,
    enumeration: &Enum,
    scope: &Scope,
) -> TokenStream {
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
        let mut text = format!("`{}`", v.wire_name);
        if let Some(since) = &v.since {
            text.push_str(&format!("\n\nAdded in vSphere API {since}."));
        }
        doc_lines(&text)
    });
    let open_note = doc_lines(&format!(
        "\nThe enumeration is open: a value this version does not know is kept in\n`{}` and serialized back unchanged.",
        enumeration.unknown_variant
    ));
    quote! {
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

        impl #name {
            /// The value as it travels on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#variants => #wire_names, )*
                    Self::#unknown(value) => value,
                }
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #( #wire_names => Self::#variants, )*
                    other => Self::#unknown(other.to_owned()),
                }
            }
        }

        impl ::std::convert::From<#string> for #name {
            fn from(value: #string) -> Self {
                match Self::from(value.as_str()) {
                    Self::#unknown(_) => Self::#unknown(value),
                    known => known,
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                <#string as ::serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }
    }
}

/// An identifier; names in the IR are already valid and never keywords.
pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}
