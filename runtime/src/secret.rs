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
        // serde's own message quotes the value (`invalid type: integer `12345678``).
        String::deserialize(deserializer)
            .map(SecretString)
            .map_err(|_| {
                serde::de::Error::custom(
                    "invalid value: expected a string (the value is secret, not shown)",
                )
            })
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
