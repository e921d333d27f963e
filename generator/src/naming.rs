//! Rust names from spec names.
//!
//! The rule (written down in the README): one module per vAPI package. A
//! schema's dotted name is split at its dots; the last part is the type name in
//! CamelCase, the parts before it are modules in snake_case:
//! `Esx.Settings.Depots.Offline.CreateSpec` becomes
//! `esx::settings::depots::offline::CreateSpec` (inside the `types` module).
//! A name without dots stays at the root of `types`. Words are split at any
//! character that is not a letter or digit and at lower-to-upper case changes;
//! every word is capitalised (`HEADER_AUTH` -> `HeaderAuth`). Fields,
//! parameters and operations become snake_case. Keywords get a trailing
//! underscore (`type` -> `type_`). Two schemas that give one path are an
//! error; two properties (or enum values) that give one name spell their
//! punctuation out instead (`+1`, `-1` -> `plus_1`, `minus_1`), and are an
//! error only when they differ in case alone.

use std::collections::HashMap;

/// The most dotted parts a schema name or operationId may have: each part
/// but the last is a module (and a directory) of the generated crate.
pub const MAX_NAME_PARTS: usize = 32;

/// Splits a spec name into words.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (index, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let previous = index.checked_sub(1).map(|i| chars[i]);
        let next = chars.get(index + 1).copied();
        let boundary = match previous {
            // fooBar -> foo | Bar;  9a stays together
            Some(p) if p.is_ascii_lowercase() && c.is_ascii_uppercase() => true,
            // HTTPServer -> HTTP | Server
            Some(p) if p.is_ascii_uppercase() && c.is_ascii_uppercase() => {
                next.is_some_and(|n| n.is_ascii_lowercase())
            }
            _ => false,
        };
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `Esx.Settings.Depots.Offline_create$Task` -> `EsxSettingsDepotsOfflineCreateTask`.
pub fn camel_case(name: &str) -> String {
    let mut out = String::new();
    for word in words(name) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars.map(|c| c.to_ascii_lowercase()));
        }
    }
    if out.is_empty() {
        out.push_str("Empty");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    if is_reserved_type_name(&out) {
        out.push('_');
    }
    out
}

/// The Rust path (`::`-separated, relative to the `types` module) of a schema named `name`.
pub fn type_path(name: &str) -> String {
    let segments: Vec<&str> = name.split('.').filter(|s| !s.is_empty()).collect();
    match segments.split_last() {
        None => camel_case(name),
        Some((last, modules)) => {
            let mut path: Vec<String> = modules.iter().map(|m| snake_case(m)).collect();
            path.push(camel_case(last));
            path.join("::")
        }
    }
}

/// The path (below `types`) that an operation's inline types are named
/// after: its service's module and its method. A vAPI operationId is
/// `<Package>.<Service>_<method>`, so the inline body of
/// `Vcenter.Vm.Guest.Filesystem.Transfers_create` is
/// `vcenter::vm::guest::filesystem::transfers::CreateBody`, next to the
/// service's own types (`transfers::CreateSpec`). vAPI spells a service's
/// package in lower case (`UpdateSession` has `Updatesession.PreviewInfo`),
/// so the module is the one of `is_module` (the modules that hold types)
/// that the service names either way, else its snake_case name. Any other id
/// gives [`type_path`] of the whole id.
pub fn operation_type_prefix(operation_id: &str, is_module: impl Fn(&str) -> bool) -> String {
    let vapi = operation_id
        .rsplit_once('.')
        .and_then(|(package, last)| Some((package, last.split_once('_')?)))
        .filter(|(package, (service, method))| {
            !package.is_empty()
                && !method.is_empty()
                && service.starts_with(|c: char| c.is_ascii_uppercase())
        });
    let Some((package, (service, method))) = vapi else {
        return type_path(operation_id);
    };
    let package = module_of(&type_path(&format!("{package}.Type"))).to_owned();
    let in_package = |module: String| match package.as_str() {
        "" => module,
        package => format!("{package}::{module}"),
    };
    let snake = in_package(snake_case(service));
    let lower = in_package(snake_case(&service.to_ascii_lowercase()));
    let module = [&snake, &lower]
        .into_iter()
        .find(|module| is_module(module))
        .unwrap_or(&snake);
    format!("{module}::{}", camel_case(method))
}

/// The module part of a type path (`a::b::C` -> `a::b`), empty at the root.
pub fn module_of(path: &str) -> &str {
    path.rsplit_once("::").map_or("", |(module, _)| module)
}

/// The last part of a type path (`a::b::C` -> `C`).
pub fn last_segment(path: &str) -> &str {
    path.rsplit_once("::").map_or(path, |(_, name)| name)
}

/// A path in the same module as `sibling_of`, named `name`.
pub fn sibling(sibling_of: &str, name: &str) -> String {
    match module_of(sibling_of) {
        "" => name.to_owned(),
        module => format!("{module}::{name}"),
    }
}

/// `libraryItemId`, `library_item_id`, `Client-Token` -> `library_item_id`, `client_token`.
pub fn snake_case(name: &str) -> String {
    let mut out = words(name)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    if out.is_empty() {
        out.push_str("value");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    if is_keyword(&out) {
        out.push('_');
    }
    out
}

/// The word a punctuation character is spelled as when it alone tells two
/// names apart (`+1` and `-1` in many APIs' reaction objects).
fn spelled(c: char) -> Option<&'static str> {
    Some(match c {
        '+' => "plus",
        '-' => "minus",
        '*' => "star",
        '/' => "slash",
        '\\' => "backslash",
        '.' => "dot",
        ',' => "comma",
        ':' => "colon",
        ';' => "semicolon",
        '@' => "at",
        '#' => "hash",
        '$' => "dollar",
        '%' => "percent",
        '&' => "and",
        '|' => "or",
        '!' => "bang",
        '?' => "question",
        '~' => "tilde",
        '^' => "caret",
        '=' => "equals",
        '<' => "lt",
        '>' => "gt",
        '(' | ')' => "paren",
        '[' | ']' => "bracket",
        '{' | '}' => "brace",
        '\'' => "quote",
        '"' => "double_quote",
        '`' => "backtick",
        _ => return None,
    })
}

/// `name` with its punctuation spelled out as words (`+1` -> `plus 1`).
fn spell_punctuation(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        match spelled(c) {
            Some(word) => {
                out.push(' ');
                out.push_str(word);
                out.push(' ');
            }
            None => out.push(c),
        }
    }
    out
}

/// Rust names for spec names that share one namespace (the fields of a
/// struct, the variants of an enum), made by `convert` (`snake_case` or
/// `camel_case`). Names that `convert` would make equal spell their
/// punctuation out instead (`+1` and `-1` become `plus_1` and `minus_1`), so
/// each keeps a name that says what it is. Names may still be equal (they
/// differ only in case, say): see [`distinct_names`].
pub fn spelled_names(names: &[&str], convert: fn(&str) -> String) -> Vec<String> {
    let mut rust_names: Vec<String> = names.iter().map(|name| convert(name)).collect();
    let mut count: HashMap<&str, usize> = HashMap::new();
    for name in &rust_names {
        *count.entry(name.as_str()).or_default() += 1;
    }
    let clashing: Vec<bool> = rust_names
        .iter()
        .map(|name| count[name.as_str()] > 1)
        .collect();
    for (index, clashes) in clashing.into_iter().enumerate() {
        if clashes {
            rust_names[index] = convert(&spell_punctuation(names[index]));
        }
    }
    rust_names
}

/// [`spelled_names`], or the indices of two names that are still equal.
pub fn distinct_names(
    names: &[&str],
    convert: fn(&str) -> String,
) -> Result<Vec<String>, (usize, usize)> {
    let rust_names = spelled_names(names, convert);
    let mut first_of: HashMap<&str, usize> = HashMap::new();
    for (index, name) in rust_names.iter().enumerate() {
        if let Some(first) = first_of.insert(name.as_str(), index) {
            return Err((first, index));
        }
    }
    Ok(rust_names)
}

/// `wanted`, or `wanted2`, `wanted3`, ... (after `separator`): the first that
/// `taken` does not hold.
pub fn numbered(wanted: &str, separator: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(wanted) {
        return wanted.to_owned();
    }
    (2..)
        .map(|counter| format!("{wanted}{separator}{counter}"))
        .find(|candidate| !taken(candidate))
        .unwrap_or_else(|| wanted.to_owned())
}

/// Whether `name` is a Rust keyword (strict or reserved, edition 2024).
pub fn is_keyword(name: &str) -> bool {
    // Strict and reserved keywords of Rust 2024, plus names that cannot be raw.
    const KEYWORDS: &[&str] = &[
        "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
        "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
        "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub",
        "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type",
        "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
    ];
    KEYWORDS.contains(&name)
}

/// `Self` cannot name a type. Generated code refers to everything else by a
/// full path (`::std::...`, `crate::types::...`), so no other name is taken.
fn is_reserved_type_name(name: &str) -> bool {
    name == "Self"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_flattens_vapi_names() {
        assert_eq!(
            camel_case("Esx.Settings.Depots.Offline.CreateSpec"),
            "EsxSettingsDepotsOfflineCreateSpec"
        );
        assert_eq!(
            camel_case("Esx.Settings.Depots.Offline_create$Task"),
            "EsxSettingsDepotsOfflineCreateTask"
        );
        assert_eq!(camel_case("HEADER_AUTH"), "HeaderAuth");
        assert_eq!(
            camel_case("SELF_SIGNED_CERTIFICATE"),
            "SelfSignedCertificate"
        );
        assert_eq!(camel_case("Vapi.Std.Errors.Error"), "VapiStdErrorsError");
        assert_eq!(camel_case("HTTPServer"), "HttpServer");
        assert_eq!(camel_case("x509"), "X509");
        assert_eq!(camel_case("2xx"), "V2xx");
        assert_eq!(camel_case("self"), "Self_");
    }

    #[test]
    fn type_path_is_a_module_per_package() {
        assert_eq!(
            type_path("Esx.Settings.Depots.Offline.CreateSpec"),
            "esx::settings::depots::offline::CreateSpec"
        );
        assert_eq!(
            type_path("vapi.std.errors.not_found"),
            "vapi::std::errors::NotFound"
        );
        assert_eq!(type_path("VapiStdErrorsNotFound"), "VapiStdErrorsNotFound");
        assert_eq!(type_path("Foo.Type.Bar"), "foo::type_::Bar");
    }

    #[test]
    fn operation_types_live_in_their_service_module() {
        let none = |_: &str| false;
        assert_eq!(
            operation_type_prefix("Vcenter.Vm.Guest.Filesystem.Transfers_create", none),
            "vcenter::vm::guest::filesystem::transfers::Create"
        );
        assert_eq!(
            operation_type_prefix("Esx.Settings.Depots.Offline_create$Task", none),
            "esx::settings::depots::offline::CreateTask"
        );
        // vAPI's lower-case package of a service, when it holds types.
        assert_eq!(
            operation_type_prefix("Content.Library.Item.UpdateSession_create", |module| {
                module == "content::library::item::updatesession"
            }),
            "content::library::item::updatesession::Create"
        );
        assert_eq!(
            operation_type_prefix("Content.Library.Item.UpdateSession_create", none),
            "content::library::item::update_session::Create"
        );
        // Not the vAPI form: the whole id, as before.
        assert_eq!(operation_type_prefix("listVms", none), "ListVms");
        assert_eq!(operation_type_prefix("get_/api/vm", none), "GetApiVm");
        assert_eq!(
            operation_type_prefix("com.example.get_items", none),
            "com::example::GetItems"
        );
    }

    #[test]
    fn snake_case_handles_keywords_and_headers() {
        assert_eq!(snake_case("Client-Token"), "client_token");
        assert_eq!(snake_case("libraryItemId"), "library_item_id");
        assert_eq!(snake_case("type"), "type_");
        assert_eq!(snake_case("x509"), "x509");
        assert_eq!(
            snake_case("Content.Library.Subscriptions_create"),
            "content_library_subscriptions_create"
        );
        assert_eq!(snake_case("self"), "self_");
    }

    #[test]
    fn names_that_differ_in_punctuation_spell_it_out() {
        assert_eq!(
            distinct_names(&["+1", "-1", "laugh"], snake_case),
            Ok(vec![
                "plus_1".to_owned(),
                "minus_1".to_owned(),
                "laugh".to_owned()
            ])
        );
        assert_eq!(
            distinct_names(&["foo-bar", "foo_bar"], snake_case),
            Ok(vec!["foo_minus_bar".to_owned(), "foo_bar".to_owned()])
        );
        assert_eq!(
            distinct_names(&["+1", "-1"], camel_case),
            Ok(vec!["Plus1".to_owned(), "Minus1".to_owned()])
        );
        assert_eq!(
            distinct_names(&["fooBar", "foo_bar"], snake_case),
            Err((0, 1))
        );
        assert_eq!(
            numbered("a", "_", |name| name == "a" || name == "a_2"),
            "a_3"
        );
    }
}
