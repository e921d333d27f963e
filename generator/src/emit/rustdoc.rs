//! Spec prose -> rustdoc text that renders as written and passes `rustdoc -D warnings`.

use crate::ir::Docs;
use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = "..."]` attributes for an item with `docs`; `fallback` is used when
/// the spec has no description, so every public item is documented.
pub fn doc_attrs(docs: &Docs, fallback: &str) -> TokenStream {
    doc_lines(&doc_text(docs, fallback))
}

/// The full Markdown text for `docs`.
pub fn doc_text(docs: &Docs, fallback: &str) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    if let Some(summary) = &docs.summary {
        paragraphs.push(sanitize(summary));
    }
    match &docs.description {
        Some(description) => paragraphs.push(sanitize(description)),
        None if docs.summary.is_none() => paragraphs.push(sanitize(fallback)),
        None => {}
    }
    let mut metadata = Vec::new();
    if let Some(since) = &docs.since {
        metadata.push(format!("Added in vSphere API {since}."));
    }
    if !docs.privileges.is_empty() {
        let list: Vec<String> = docs.privileges.iter().map(|p| format!("`{p}`")).collect();
        metadata.push(format!("Required privileges: {}.", list.join(", ")));
    }
    if !metadata.is_empty() {
        paragraphs.push(metadata.join("\n"));
    }
    paragraphs.join("\n\n")
}

/// One `#[doc]` attribute per line, so the output reads like `///` comments.
pub fn doc_lines(text: &str) -> TokenStream {
    let lines = text.lines().map(|line| {
        if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        }
    });
    quote! { #( #[doc = #lines] )* }
}

/// Makes spec prose safe for rustdoc:
/// - text outside code spans gets `[`, `]`, `<`, `>` escaped (they would be read
///   as intra-doc links or HTML), and bare URLs become autolinks;
/// - indentation is dropped (four spaces would start a doctest);
/// - fenced blocks become `text` blocks, so they are never compiled as doctests.
pub fn sanitize(text: &str) -> String {
    let mut out = Vec::new();
    // The run of backticks or tildes that opened the fence we are in.
    let mut fence: Option<String> = None;
    for line in text.trim().lines() {
        let trimmed = line.trim();
        match &fence {
            Some(opening) => {
                if closes(trimmed, opening) {
                    out.push(opening.clone());
                    fence = None;
                } else {
                    out.push(line.to_owned());
                }
            }
            None => match fence_marker(trimmed) {
                Some(marker) => {
                    out.push(format!("{marker}text"));
                    fence = Some(marker.to_owned());
                }
                None => out.push(escape_line(trimmed)),
            },
        }
    }
    if let Some(opening) = fence {
        out.push(opening);
    }
    out.join("\n")
}

/// The fence a line opens (CommonMark: three or more backticks or tildes),
/// whatever its info string says: rustdoc compiles ```` ``` ```` and `~~~`
/// blocks alike unless they are marked as not Rust.
fn fence_marker(line: &str) -> Option<&str> {
    let fence_char = line.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let length = line.len() - line.trim_start_matches(fence_char).len();
    let info = &line[length..];
    // A backtick fence's info string may not hold a backtick (that is a code span).
    (length >= 3 && !(fence_char == '`' && info.contains('`'))).then(|| &line[..length])
}

/// Whether a line closes a fence opened by `opening`: the same character, at
/// least as many, nothing after.
fn closes(line: &str, opening: &str) -> bool {
    let fence_char = opening.chars().next().unwrap_or('`');
    let run = line.len() - line.trim_start_matches(fence_char).len();
    run >= opening.len() && line[run..].trim().is_empty()
}

fn escape_line(line: &str) -> String {
    // Odd-numbered pieces are inside `code spans` (an unpaired backtick is escaped).
    let pieces: Vec<&str> = line.split('`').collect();
    let paired = pieces.len() % 2 == 1;
    let mut out = String::new();
    for (index, piece) in pieces.iter().enumerate() {
        let is_code = index % 2 == 1 && (paired || index + 1 < pieces.len());
        if index > 0 {
            out.push(if paired || index + 1 < pieces.len() {
                '`'
            } else {
                '\''
            });
        }
        if is_code {
            out.push_str(piece);
        } else {
            out.push_str(&escape_prose(piece));
        }
    }
    out
}

fn escape_prose(text: &str) -> String {
    let mut out = String::new();
    for (index, word) in text.split(' ').enumerate() {
        if index > 0 {
            out.push(' ');
        }
        let url_start = word.find("https://").or_else(|| word.find("http://"));
        match url_start {
            Some(start) => {
                let url_end = word[start..]
                    .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | ')' | ']'))
                    .map_or(word.len(), |end| start + end);
                let url = word[start..url_end].trim_end_matches(['.', ',', ';', ':']);
                let url_end = start + url.len();
                out.push_str(&escape_chars(&word[..start]));
                out.push('<');
                out.push_str(url);
                out.push('>');
                out.push_str(&escape_chars(&word[url_end..]));
            }
            None => out.push_str(&escape_chars(word)),
        }
    }
    out
}

fn escape_chars(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '[' | ']' | '<' | '>') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn escapes_links_html_and_urls_but_not_code() {
        assert_eq!(
            sanitize("See [Foo] and <bar>."),
            "See \\[Foo\\] and \\<bar\\>."
        );
        assert_eq!(sanitize("Use `a[0] <b>` here"), "Use `a[0] <b>` here");
        assert_eq!(
            sanitize("Go to https://example.com/x."),
            "Go to <https://example.com/x>."
        );
        assert_eq!(sanitize("    indented"), "indented");
        assert_eq!(sanitize("```\nlet x;\n```"), "```text\nlet x;\n```");
        assert_eq!(sanitize("snake_case"), "snake_case");
        // Tilde fences and longer fences are code blocks to rustdoc too.
        assert_eq!(sanitize("~~~\nfn x() {}\n~~~"), "~~~text\nfn x() {}\n~~~");
        assert_eq!(sanitize("````rust\n```\n````"), "````text\n```\n````");
        assert_eq!(sanitize("~~~\nnever closed"), "~~~text\nnever closed\n~~~");
    }
}
