//! Fixed support code every generated crate carries.

use proc_macro2::TokenStream;
use quote::quote;

/// `SecretString`: a string whose `Debug` and `Display` never show it.
pub fn secret_module() -> TokenStream {
    quote! {
        //! Secrets: values the spec marks `format: password`.

        use std::fmt;

        /// A secret string (a password, token or session id). It serializes as
        /// the plain string, but `Debug` prints a mask, so secrets do not leak
        /// into logs or error messages. Read it with [`SecretString::expose_secret`].
        #[derive(Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct SecretString(String);

        impl SecretString {
            /// Wraps a secret.
            pub fn new(secret: impl Into<String>) -> Self {
                SecretString(secret.into())
            }

            /// The secret itself; call only where it must be sent.
            pub fn expose_secret(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for SecretString {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("SecretString(***)")
            }
        }

        impl From<String> for SecretString {
            fn from(secret: String) -> Self {
                SecretString(secret)
            }
        }

        impl From<&str> for SecretString {
            fn from(secret: &str) -> Self {
                SecretString(secret.to_owned())
            }
        }
    }
}

/// `wire`: how maps are read from both vAPI wire forms.
pub fn wire_module() -> TokenStream {
    quote! {
        //! Wire-form helpers shared by the generated types.

        use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
        use std::collections::BTreeMap;
        use std::fmt;
        use std::marker::PhantomData;

        /// Reads a map from either vAPI wire form: a JSON object (the `/api`
        /// form) or a list of `{"key": k, "value": v}` entries (the legacy
        /// `/rest` form). Maps are always written as JSON objects.
        pub fn deserialize_map<'de, D, V>(deserializer: D) -> Result<BTreeMap<String, V>, D::Error>
        where
            D: Deserializer<'de>,
            V: Deserialize<'de>,
        {
            deserializer.deserialize_any(MapVisitor(PhantomData))
        }

        /// [`deserialize_map`] for an optional property (`null` reads as absent).
        pub fn deserialize_optional_map<'de, D, V>(
            deserializer: D,
        ) -> Result<Option<BTreeMap<String, V>>, D::Error>
        where
            D: Deserializer<'de>,
            V: Deserialize<'de>,
        {
            deserializer.deserialize_any(OptionalMapVisitor(PhantomData))
        }

        #[derive(serde::Deserialize)]
        struct Entry<V> {
            key: String,
            value: V,
        }

        struct MapVisitor<V>(PhantomData<V>);

        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = BTreeMap<String, V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object or a list of {\"key\", \"value\"} entries")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut map = BTreeMap::new();
                while let Some((key, value)) = access.next_entry::<String, V>()? {
                    map.insert(key, value);
                }
                Ok(map)
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut map = BTreeMap::new();
                while let Some(entry) = access.next_element::<Entry<V>>()? {
                    map.insert(entry.key, entry.value);
                }
                Ok(map)
            }
        }

        struct OptionalMapVisitor<V>(PhantomData<V>);

        impl<'de, V: Deserialize<'de>> Visitor<'de> for OptionalMapVisitor<V> {
            type Value = Option<BTreeMap<String, V>>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                MapVisitor::<V>(PhantomData).expecting(f)
            }

            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }

            fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }

            fn visit_map<A: MapAccess<'de>>(self, access: A) -> Result<Self::Value, A::Error> {
                MapVisitor(PhantomData).visit_map(access).map(Some)
            }

            fn visit_seq<A: SeqAccess<'de>>(self, access: A) -> Result<Self::Value, A::Error> {
                MapVisitor(PhantomData).visit_seq(access).map(Some)
            }
        }
    }
}
