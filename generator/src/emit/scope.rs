//! How to spell a type inside a given generated module.
//!
//! Generated code reads best with prelude names (`Option`, `String`, `Vec`) and
//! bare names for types of the same module. That is only correct while the
//! module defines nothing with those names (a vAPI type may well be called
//! `Option`, and a package `std`), so each module's scope knows what it defines
//! and falls back to full paths where a name is taken.

use crate::ir::{Api, TypeRef};
use crate::naming::{last_segment, module_of};
use crate::shape::{RustType, required_struct};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeSet;

/// The names visible in one module of the generated crate.
pub struct Scope {
    /// Module path relative to `types` (`""` for `types` itself); `None` for
    /// modules outside `types`, which name every type by its full path.
    types_module: Option<String>,
    /// Types and child modules this module defines.
    taken: BTreeSet<String>,
}

impl Scope {
    /// The scope of `types::<module>`.
    pub fn types_module(api: &Api, module: &str) -> Scope {
        let mut taken = BTreeSet::new();
        for (path, def) in &api.types {
            if module_of(path) == module {
                taken.insert(last_segment(path).to_owned());
                if let Some(required) = required_struct(api, def) {
                    taken.insert(last_segment(&required).to_owned());
                }
            }
            let below = if module.is_empty() {
                Some(path.as_str())
            } else {
                path.strip_prefix(&format!("{module}::"))
            };
            if let Some((child, _)) = below.and_then(|rest| rest.split_once("::")) {
                taken.insert(child.to_owned());
            }
        }
        Scope {
            types_module: Some(module.to_owned()),
            taken,
        }
    }

    /// A module outside `types` that defines the given names.
    pub fn outside_types(taken: impl IntoIterator<Item = String>) -> Scope {
        Scope {
            types_module: None,
            taken: taken.into_iter().collect(),
        }
    }

    fn free(&self, name: &str) -> bool {
        !self.taken.contains(name)
    }

    fn prelude(&self, name: &str, full: TokenStream) -> TokenStream {
        if self.free(name) {
            let name = super::types::ident(name);
            quote! { #name }
        } else {
            full
        }
    }

    /// `Option<inner>`.
    pub fn option(&self, inner: TokenStream) -> TokenStream {
        let option = self.prelude("Option", quote! { ::std::option::Option });
        quote! { #option<#inner> }
    }

    /// The path of `Option::is_none`, as a string for `skip_serializing_if`.
    pub fn option_is_none(&self) -> String {
        if self.free("Option") {
            "Option::is_none".into()
        } else {
            "::std::option::Option::is_none".into()
        }
    }

    /// `Box<inner>`.
    pub fn boxed(&self, inner: TokenStream) -> TokenStream {
        let boxed = self.prelude("Box", quote! { ::std::boxed::Box });
        quote! { #boxed<#inner> }
    }

    /// `String`.
    pub fn string(&self) -> TokenStream {
        self.prelude("String", quote! { ::std::string::String })
    }

    /// A map from strings to `values`.
    pub fn map(&self, values: TokenStream) -> TokenStream {
        let string = self.string();
        quote! { ::std::collections::BTreeMap<#string, #values> }
    }

    /// The Rust type for a type expression.
    pub fn ty(&self, ty: &TypeRef) -> TokenStream {
        self.rust_type(&RustType::of(ty))
    }

    /// How this module spells a Rust type.
    pub fn rust_type(&self, ty: &RustType) -> TokenStream {
        match ty {
            RustType::Named(path) => self.named(path),
            RustType::SecretString => quote! { crate::SecretString },
            RustType::String => self.string(),
            RustType::Bool => quote! { bool },
            RustType::I32 => quote! { i32 },
            RustType::I64 => quote! { i64 },
            RustType::F32 => quote! { f32 },
            RustType::F64 => quote! { f64 },
            RustType::Vec(inner) => {
                let vec = self.prelude("Vec", quote! { ::std::vec::Vec });
                let inner = self.rust_type(inner);
                quote! { #vec<#inner> }
            }
            RustType::Map(inner) => self.map(self.rust_type(inner)),
            RustType::Json => {
                if self.free("serde_json") {
                    quote! { serde_json::Value }
                } else {
                    quote! { ::serde_json::Value }
                }
            }
            RustType::Option(inner) => self.option(self.rust_type(inner)),
            RustType::Boxed(inner) => self.boxed(self.rust_type(inner)),
            RustType::TaskId => quote! { crate::wire::TaskId },
            RustType::Unit => quote! { () },
        }
    }

    /// A sibling by its bare name, a type below this module by a relative path,
    /// anything else by its full path.
    fn named(&self, path: &str) -> TokenStream {
        let relative = match self.types_module.as_deref() {
            Some("") => Some(path),
            Some(module) => path
                .strip_prefix(module)
                .and_then(|rest| rest.strip_prefix("::")),
            None => None,
        };
        match relative {
            Some(relative) => {
                let segments = relative.split("::").map(super::types::ident);
                quote! { #(#segments)::* }
            }
            None => {
                let segments = path.split("::").map(super::types::ident);
                quote! { crate::types #(::#segments)* }
            }
        }
    }
}
