//! Secrets: values the spec marks `format: password`.

use std::fmt;

/// A secret string (a password, token or session id). It serializes as
/// the plain string, but `Debug` prints a mask, and a value that does not
/// deserialize (`12345678` where a string belongs) is not quoted in the
/// error, so secrets do not leak into logs or error messages. Read it with
/// [`SecretString::expose_secret`].
#[derive(Clone, PartialEq, Eq, Default, serde::Serialize)]
#[serde(transparent)]
pub struct SecretString(String);

impl<'de> serde::Deserialize<'de> for SecretString {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // `deserialize_any`: with `deserialize_string`, serde_json writes its own
        // message (quoting the value) without asking the visitor.
        deserializer.deserialize_any(SecretVisitor)
    }
}

/// Reads a string; anything else is refused without quoting it (serde's own
/// message would: `invalid type: integer `12345678``). Malformed JSON is
/// still reported as such.
struct SecretVisitor;

impl SecretVisitor {
    fn refuse<E: serde::de::Error>(what: &str) -> Result<SecretString, E> {
        Err(E::custom(format!(
            "invalid type: {what}, expected a string (the value is secret, not shown)"
        )))
    }
}

impl<'de> serde::de::Visitor<'de> for SecretVisitor {
    type Value = SecretString;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<SecretString, E> {
        Ok(SecretString::new(value))
    }

    fn visit_string<E: serde::de::Error>(self, value: String) -> Result<SecretString, E> {
        Ok(SecretString(value))
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<SecretString, E> {
        Self::refuse("boolean")
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<SecretString, E> {
        Self::refuse("integer")
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<SecretString, E> {
        Self::refuse("integer")
    }

    fn visit_i128<E: serde::de::Error>(self, _: i128) -> Result<SecretString, E> {
        Self::refuse("integer")
    }

    fn visit_u128<E: serde::de::Error>(self, _: u128) -> Result<SecretString, E> {
        Self::refuse("integer")
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<SecretString, E> {
        Self::refuse("number")
    }

    fn visit_bytes<E: serde::de::Error>(self, _: &[u8]) -> Result<SecretString, E> {
        Self::refuse("bytes")
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<SecretString, E> {
        Self::refuse("null")
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<SecretString, E> {
        Self::refuse("null")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, _: A) -> Result<SecretString, A::Error> {
        Self::refuse("list")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, _: A) -> Result<SecretString, A::Error> {
        Self::refuse("object")
    }
}

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

#[cfg(test)]
mod tests {
    use super::SecretString;

    #[test]
    fn debug_masks_and_serde_is_transparent() {
        let secret = SecretString::new("hunter2");
        assert_eq!(format!("{secret:?}"), "SecretString(***)");
        assert_eq!(serde_json::to_string(&secret).unwrap(), "\"hunter2\"");
        let back: SecretString = serde_json::from_str("\"hunter2\"").unwrap();
        assert_eq!(back.expose_secret(), "hunter2");
    }

    #[test]
    fn malformed_json_is_still_reported_as_such() {
        let error = serde_json::from_str::<SecretString>("").unwrap_err();
        assert!(error.to_string().contains("EOF"), "{error}");
    }

    #[test]
    fn a_value_that_does_not_fit_is_not_quoted() {
        for wrong in ["12345678", "[\"hunter2\"]", "{\"p\": \"hunter2\"}", "true"] {
            let error = serde_json::from_str::<SecretString>(wrong).unwrap_err();
            let text = error.to_string();
            assert!(
                !text.contains("12345678") && !text.contains("hunter2"),
                "{text}"
            );
            assert!(text.contains("secret"), "{text}");
        }
    }
}
