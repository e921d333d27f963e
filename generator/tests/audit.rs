//! `vapigen::audit`: the curated spec against a published file. The fixture
//! pair (`fixtures/audit/`) differs only in declared refinements; each test
//! edits the curated copy to make one kind of drift and checks that the audit
//! finds exactly it.

use vapigen::audit::{self, Audit, Class, Finding};
use vapigen::release::Release;

const CURATED: &str = include_str!("fixtures/audit/curated.yaml");
const PUBLISHED: &str = include_str!("fixtures/audit/published.yaml");

fn lower(text: &str, release: Option<&str>) -> vapigen::ir::Api {
    let options = vapigen::Options {
        crate_name: "audit".into(),
        spec_name: "fixture.yaml".into(),
        standalone: false,
        lenient: false,
        release: release.and_then(Release::parse),
    };
    vapigen::lower_spec(text, &options)
        .unwrap_or_else(|error| panic!("{error}"))
        .0
}

fn run(curated: &str) -> Audit {
    audit::audit(
        &lower(curated, Some("7.0.3.0")),
        &lower(PUBLISHED, None),
        "7.0.3.0",
    )
}

/// The curated fixture with `from` replaced by `to` (which must occur once).
fn edited(from: &str, to: &str) -> String {
    assert_eq!(CURATED.matches(from).count(), 1, "{from:?} must occur once");
    CURATED.replacen(from, to, 1)
}

fn drift(audit: &Audit) -> Vec<&Finding> {
    audit
        .operations
        .iter()
        .flat_map(|operation| &operation.findings)
        .filter(|finding| finding.class == Class::Drift)
        .collect()
}

fn only_drift(audit: &Audit) -> Finding {
    let drift = drift(audit);
    assert_eq!(drift.len(), 1, "{drift:#?}");
    drift[0].clone()
}

#[test]
fn declared_refinements_are_not_drift() {
    let audit = run(CURATED);
    assert_eq!((audit.curated_only, audit.published_only), (0, 1));
    assert_eq!(audit.operations.len(), 1);
    assert_eq!(audit.operations[0].published_id, "create");
    assert!(drift(&audit).is_empty(), "{:#?}", drift(&audit));
    let refinements: Vec<(&str, &str, &str)> = audit.operations[0]
        .findings
        .iter()
        .map(|f| (f.place.as_str(), f.curated.as_str(), f.published.as_str()))
        .collect();
    assert_eq!(
        refinements,
        [
            ("body", "required object", "optional object"),
            (
                "body property `password`",
                "optional string (password)",
                "optional string"
            ),
            ("error 400 ALREADY_EXISTS data", "object", "untyped"),
        ]
    );
}

#[test]
fn a_property_the_curated_spec_lacks_is_drift() {
    let audit = run(&edited(
        "        size: {type: integer, format: int64}\n",
        "",
    ));
    let finding = only_drift(&audit);
    assert_eq!(finding.place, "body property `size`");
    assert_eq!(
        (finding.curated.as_str(), finding.published.as_str()),
        ("absent", "optional integer (int64)")
    );
    assert!(
        finding
            .declare_at
            .contains("schema `Things.Widgets.CreateSpec`")
    );
}

#[test]
fn a_property_retyped_or_made_optional_is_drift() {
    let audit = run(&edited(
        "        name: {type: string}",
        "        name: {type: boolean}",
    ));
    assert_eq!(only_drift(&audit).published, "required string");
    let audit = run(&edited("required: [name, color]", "required: [color]"));
    let finding = only_drift(&audit);
    assert_eq!(
        (finding.curated.as_str(), finding.published.as_str()),
        ("optional string", "required string")
    );
}

#[test]
fn an_enum_value_is_drift_in_either_direction() {
    let audit = run(&edited(
        "enum: [RED, GREEN, BLUE, PURPLE]",
        "enum: [RED, GREEN, PURPLE]",
    ));
    let finding = only_drift(&audit);
    assert_eq!(finding.place, "body property `color` enum value `BLUE`");
    assert_eq!(
        (finding.curated.as_str(), finding.published.as_str()),
        ("absent", "documented")
    );
    // PURPLE came in 8.0.0.0; said to come in 7.0.0.0, the 7.0.3.0 view has
    // a value VMware's 7.0.3 file does not.
    let audit = run(&edited("{PURPLE: \"8.0.0.0\"}", "{PURPLE: \"7.0.0.0\"}"));
    let finding = only_drift(&audit);
    assert_eq!(finding.place, "body property `color` enum value `PURPLE`");
    assert_eq!(
        (finding.curated.as_str(), finding.published.as_str()),
        ("documented", "absent")
    );
}

#[test]
fn an_error_is_drift_in_either_direction() {
    let without_not_found = edited(
        "        '404':
          description: if the owner is not found.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Vapi.Std.Errors.NotFound'}
",
        "",
    );
    let finding = only_drift(&run(&without_not_found));
    assert_eq!(finding.place, "error 404 NOT_FOUND");
    assert_eq!(
        (finding.curated.as_str(), finding.published.as_str()),
        ("absent", "documented")
    );
    // The same error at another status: one missing, one extra.
    let moved = edited(
        "        '404':\n          description: if the owner",
        "        '410':\n          description: if the owner",
    );
    let places: Vec<String> = drift(&run(&moved))
        .iter()
        .map(|f| f.place.clone())
        .collect();
    assert_eq!(places, ["error 410 NOT_FOUND", "error 404 NOT_FOUND"]);
}

#[test]
fn since_versions_too_late_or_too_early_are_drift() {
    // `size` is in VMware's 7.0.3 file: saying it came in 8.0 is too late.
    let late = edited(
        "        size: {type: integer, format: int64}\n",
        "        size: {type: integer, format: int64, x-vapi-since: \"8.0.0.0\"}\n",
    );
    let finding = only_drift(&run(&late));
    assert_eq!(
        (finding.place.as_str(), finding.curated.as_str()),
        ("body property `size`", "absent")
    );
    // `label` is not in it: saying it came in 7.0 is too early.
    let early = edited(
        "          x-vapi-since: \"8.0.0.0\"\n    Things.Widgets.Color",
        "          x-vapi-since: \"7.0.0.0\"\n    Things.Widgets.Color",
    );
    let finding = only_drift(&run(&early));
    assert_eq!(finding.place, "body property `label`");
    assert_eq!(
        (finding.curated.as_str(), finding.published.as_str()),
        ("optional string", "absent")
    );
}

#[test]
fn parameters_are_compared_by_location_and_name() {
    let audit = run(&edited(
        "        - {name: dry_run, in: query, required: false, schema: {type: boolean}}\n",
        "        - {name: dry_run, in: header, required: false, schema: {type: boolean}}\n",
    ));
    let places: Vec<String> = drift(&audit).iter().map(|f| f.place.clone()).collect();
    assert_eq!(
        places,
        ["header parameter dry_run", "query parameter dry_run"]
    );
}

#[test]
fn a_declaration_that_no_longer_matches_the_file_is_drift() {
    let audit = run(&edited(
        "password: optional string",
        "password: optional integer",
    ));
    let finding = only_drift(&audit);
    assert_eq!(finding.place, "body property `password`");
    assert_eq!(finding.published, "optional string");
}

#[test]
fn operations_match_by_route_whatever_their_names_and_parameter_names() {
    let renamed = CURATED
        .replace(
            "/api/things/{owner}/widgets",
            "/api/things/{parent}/widgets",
        )
        .replace("{name: owner, in: path", "{name: parent, in: path");
    let audit = run(&renamed);
    assert_eq!(audit.operations.len(), 1);
    // The parameter itself is now named differently: that is a fact to report.
    let places: Vec<String> = drift(&audit).iter().map(|f| f.place.clone()).collect();
    assert_eq!(places, ["path parameter parent", "path parameter owner"]);
    // Another fixed query is another operation.
    let other = CURATED.replace(
        "/api/things/{owner}/widgets:",
        "/api/things/{owner}/widgets?action=clone:",
    );
    let audit = run(&other);
    assert!(audit.operations.is_empty());
    assert_eq!((audit.curated_only, audit.published_only), (1, 2));
}

#[test]
fn the_markdown_report_leads_with_drift() {
    let audit = run(&edited(
        "        size: {type: integer, format: int64}\n",
        "",
    ));
    let text = audit::markdown(&audit, "published.yaml").expect("renders");
    assert!(text.contains("1 drift, 3 declared refinements"), "{text}");
    let drift_row = text
        .find("| **drift** | body property `size`")
        .expect("drift row");
    let refinement_row = text.find("| refinement |").expect("refinement row");
    assert!(drift_row < refinement_row, "{text}");
}
