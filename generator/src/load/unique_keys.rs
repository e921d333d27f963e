//! Reading a document into a `serde_json::Value` while refusing duplicate
//! keys: both serde_json and serde_yaml keep the last of two equal keys,
//! which would make a path item or a schema defined twice disappear silently.
//!
//! [`UniqueKeys`] is a `DeserializeSeed` for either parser. On a duplicate
//! it fails with a custom error (the parser adds the line and column) and
//! records the key; as the error travels up, every enclosing object and
//! array adds its own key or index, so the pointer is known without keeping
//! a path for every value read.

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::fmt;

/// Where the first duplicate key is: the key and the pointer segments of
/// the objects around it, innermost first.
#[derive(Debug, Default)]
pub struct Duplicate {
    /// The repeated key.
    pub key: String,
    /// Pointer segments from the duplicate's object up to the root (reversed).
    reversed_path: Vec<String>,
}

impl Duplicate {
    /// The JSON pointer of the repeated key.
    pub fn pointer(&self) -> String {
        let mut pointer = String::new();
        for segment in self.reversed_path.iter().rev().chain([&self.key]) {
            pointer.push('/');
            pointer.push_str(&crate::diagnostics::escape_pointer_segment(segment));
        }
        pointer
    }
}

/// The seed: deserializes any value, and fills `found` on a duplicate key.
#[derive(Clone, Copy)]
pub struct UniqueKeys<'a> {
    pub found: &'a RefCell<Option<Duplicate>>,
}

impl UniqueKeys<'_> {
    /// Adds `segment` to the recorded path, when the error being passed up is
    /// a duplicate.
    fn enclose(&self, segment: impl FnOnce() -> String) {
        if let Some(duplicate) = self.found.borrow_mut().as_mut() {
            duplicate.reversed_path.push(segment());
        }
    }
}

impl<'de> DeserializeSeed<'de> for UniqueKeys<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for UniqueKeys<'_> {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        loop {
            match seq.next_element_seed(self) {
                Ok(Some(item)) => items.push(item),
                Ok(None) => return Ok(Value::Array(items)),
                Err(error) => {
                    let index = items.len();
                    self.enclose(|| index.to_string());
                    return Err(error);
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                let message = format!("duplicate key `{key}`");
                *self.found.borrow_mut() = Some(Duplicate {
                    key,
                    reversed_path: Vec::new(),
                });
                return Err(de::Error::custom(message));
            }
            match map.next_value_seed(self) {
                Ok(value) => {
                    object.insert(key, value);
                }
                Err(error) => {
                    self.enclose(|| key);
                    return Err(error);
                }
            }
        }
        Ok(Value::Object(object))
    }
}
