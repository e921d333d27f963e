//! A cache of formatted items, keyed by a hash of their tokens.
//!
//! Laying out Rust (syn parsing, then prettyplease) is most of emission's
//! time, and after a spec change most items are token for token what they
//! were: their text is taken from the cache instead. The output is the same
//! with or without it (a hit is text the same formatter made from the same
//! tokens). The caller keeps the cache between runs ([`FormatCache::to_bytes`],
//! [`FormatCache::from_bytes`]) and names the formatter it was made with, so a
//! rebuilt generator starts afresh.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};

const MAGIC: &[u8] = b"vapigen format cache 1\n";

/// Formatted items by token hash: what an earlier run left, and what this run used.
#[derive(Default)]
pub struct FormatCache {
    /// What the cache held when loaded.
    earlier: HashMap<u64, Arc<str>>,
    /// The entries this run used or made, and whether any was new.
    used: Mutex<(HashMap<u64, Arc<str>>, bool)>,
}

impl std::fmt::Debug for FormatCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormatCache")
            .field("earlier", &self.earlier.len())
            .finish_non_exhaustive()
    }
}

impl FormatCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The cache written by [`FormatCache::to_bytes`] with the same
    /// `formatter` identity; empty when it was made by another formatter or
    /// cannot be read (a cache is never a reason to fail).
    pub fn from_bytes(bytes: &[u8], formatter: &str) -> Self {
        Self {
            earlier: parse(bytes, formatter).unwrap_or_default(),
            used: Mutex::default(),
        }
    }

    /// The entries this run used or made, for the next run.
    pub fn to_bytes(&self, formatter: &str) -> Vec<u8> {
        let used = self
            .used
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut entries: Vec<(&u64, &Arc<str>)> = used.0.iter().collect();
        entries.sort_by_key(|(key, _)| **key);
        let mut out = Vec::with_capacity(entries.iter().map(|(_, text)| text.len() + 12).sum());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(formatter.replace('\n', " ").as_bytes());
        out.push(b'\n');
        for (key, text) in entries {
            out.extend_from_slice(&key.to_le_bytes());
            out.extend_from_slice(&(text.len() as u64).to_le_bytes());
            out.extend_from_slice(text.as_bytes());
        }
        out
    }

    /// Whether this run made entries the loaded cache did not have, or left
    /// some unused: then it is worth writing back.
    pub fn changed(&self) -> bool {
        let used = self
            .used
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        used.1 || used.0.len() != self.earlier.len()
    }

    /// The formatted text of `tokens`: from the cache, or made by `format` and kept.
    pub fn format<E>(
        &self,
        tokens: &TokenStream,
        format: impl FnOnce() -> Result<String, E>,
    ) -> Result<String, E> {
        let key = token_hash(tokens);
        if let Some(text) = self.earlier.get(&key) {
            self.keep(key, text.clone(), false);
            return Ok(text.to_string());
        }
        let text = format()?;
        self.keep(key, Arc::from(text.as_str()), true);
        Ok(text)
    }

    fn keep(&self, key: u64, text: Arc<str>, new: bool) {
        let mut used = self
            .used
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        used.0.insert(key, text);
        used.1 |= new;
    }
}

fn parse(bytes: &[u8], formatter: &str) -> Option<HashMap<u64, Arc<str>>> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let newline = rest.iter().position(|byte| *byte == b'\n')?;
    if rest[..newline] != *formatter.replace('\n', " ").as_bytes() {
        return None;
    }
    let mut rest = &rest[newline + 1..];
    let mut entries = HashMap::new();
    while !rest.is_empty() {
        let key = u64::from_le_bytes(rest.get(..8)?.try_into().ok()?);
        let length = u64::from_le_bytes(rest.get(8..16)?.try_into().ok()?);
        let end = 16usize.checked_add(usize::try_from(length).ok()?)?;
        let text = std::str::from_utf8(rest.get(16..end)?).ok()?;
        entries.insert(key, Arc::from(text));
        rest = &rest[end..];
    }
    Some(entries)
}

/// A hash of every token, with its kind, spacing and grouping.
fn token_hash(tokens: &TokenStream) -> u64 {
    let mut hasher = DefaultHasher::new();
    hash_stream(tokens, &mut hasher);
    hasher.finish()
}

fn hash_stream(tokens: &TokenStream, hasher: &mut DefaultHasher) {
    let mut text = String::new();
    for token in tokens.clone() {
        match token {
            TokenTree::Group(group) => {
                let delimiter: u8 = match group.delimiter() {
                    Delimiter::Parenthesis => 1,
                    Delimiter::Brace => 2,
                    Delimiter::Bracket => 3,
                    Delimiter::None => 4,
                };
                delimiter.hash(hasher);
                hash_stream(&group.stream(), hasher);
                0u8.hash(hasher);
            }
            TokenTree::Ident(ident) => {
                text.clear();
                let _ = write!(text, "{ident}");
                5u8.hash(hasher);
                text.hash(hasher);
            }
            TokenTree::Punct(punct) => {
                6u8.hash(hasher);
                punct.as_char().hash(hasher);
                (punct.spacing() == Spacing::Joint).hash(hasher);
            }
            TokenTree::Literal(literal) => {
                text.clear();
                let _ = write!(text, "{literal}");
                7u8.hash(hasher);
                text.hash(hasher);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn formatted(tokens: &TokenStream) -> Result<String, ()> {
        Ok(tokens.to_string())
    }

    #[test]
    fn a_hit_is_what_the_formatter_made_and_a_round_trip_keeps_it() {
        let cache = FormatCache::new();
        let item = quote! { pub struct A { x: u8 } };
        let made = cache.format(&item, || formatted(&item)).unwrap();
        assert!(cache.changed());
        let bytes = cache.to_bytes("formatter 1");

        let loaded = FormatCache::from_bytes(&bytes, "formatter 1");
        let again = loaded
            .format(&item, || -> Result<String, ()> { panic!("not a hit") })
            .unwrap();
        assert_eq!(again, made);
        assert!(!loaded.changed(), "same entries used: nothing to write");
    }

    #[test]
    fn different_tokens_or_another_formatter_miss() {
        let cache = FormatCache::new();
        let a = quote! { pub struct A; };
        cache.format(&a, || formatted(&a)).unwrap();
        let bytes = cache.to_bytes("formatter 1");
        let b = quote! { pub struct B; };
        let loaded = FormatCache::from_bytes(&bytes, "formatter 1");
        let mut made = false;
        loaded
            .format(&b, || {
                made = true;
                formatted(&b)
            })
            .unwrap();
        assert!(made, "other tokens are formatted anew");
        // Joint and alone punctuation differ (`::` against `: :`).
        assert_ne!(token_hash(&quote! { a::b }), token_hash(&quote! { a: :b }));
        let other = FormatCache::from_bytes(&bytes, "formatter 2");
        assert!(other.earlier.is_empty());
    }

    #[test]
    fn damaged_caches_are_empty_not_errors() {
        assert!(FormatCache::from_bytes(b"garbage", "f").earlier.is_empty());
        let cache = FormatCache::new();
        let a = quote! { pub struct A; };
        cache.format(&a, || formatted(&a)).unwrap();
        let bytes = cache.to_bytes("f");
        let cut = FormatCache::from_bytes(&bytes[..bytes.len() - 3], "f");
        assert!(cut.earlier.is_empty());
    }
}
