//! `cargo xtask codegen` never loses data: it overwrites or removes only files
//! that carry its `@generated` mark, refuses directories that are not its
//! own, never follows symbolic links, and writes all or nothing.

mod common;

use common::{codegen, fixture, scratch_files, snapshot_dir, spec_variant, stderr};
use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use xtask::codegen::{self as generator, Request};

fn enums() -> std::path::PathBuf {
    fixture("good", "open_enums")
}

/// A crate generated from the enums fixture, in a fresh temporary directory.
fn generated_crate() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = codegen(&enums(), dir.path(), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    dir
}

/// The enums fixture changed so that every generated file changes (the
/// preamble names the spec's path) and one enum gains a value.
fn changed_enums(into: &Path) -> std::path::PathBuf {
    spec_variant(
        &enums(),
        into,
        &[("enum: [PULL, PUSH]", "enum: [PULL, PUSH, SYNC]")],
    )
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    fs::write(path, text).expect("write");
}

/// Runs codegen (and `--check` first) into `out`, expecting both to fail
/// with every `expected` text in the error, and nothing below `out` changed.
fn assert_refused(spec: &Path, out: &Path, expected: &[&str]) -> String {
    let before = snapshot_dir(out);
    for extra in [&["--check"][..], &[][..]] {
        let output = codegen(spec, out, extra);
        let error = stderr(&output);
        assert!(!output.status.success(), "{extra:?} should fail:\n{error}");
        assert!(!error.contains("panicked"), "{error}");
        for text in expected {
            assert!(
                error.contains(text),
                "{extra:?}: the error should name `{text}`:\n{error}"
            );
        }
        assert_eq!(snapshot_dir(out), before, "{extra:?} changed {out:?}");
        assert!(scratch_files(out).is_empty());
    }
    stderr(&codegen(spec, out, &[]))
}

#[test]
fn a_foreign_crate_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path();
    write(&out.join("Cargo.toml"), "[package]\nname = \"mine\"\n");
    write(&out.join("src/main.rs"), "fn main() {}\n");
    write(&out.join("src/util.rs"), "pub fn util() {}\n");
    write(&out.join("src/bin/tool.rs"), "fn main() {}\n");
    write(&out.join("docs/design.md"), "# Design\n");
    assert_refused(
        &enums(),
        out,
        &[
            "is not a crate vapigen generated",
            "Cargo.toml",
            "src/main.rs",
            "src/util.rs",
            "src/bin/tool.rs",
            "docs/design.md",
        ],
    );
}

#[test]
fn a_foreign_cargo_toml_alone_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        &dir.path().join("Cargo.toml"),
        "[package]\nname = \"mine\"\n",
    );
    assert_refused(
        &enums(),
        dir.path(),
        &["is not a crate vapigen generated", "Cargo.toml"],
    );
}

#[test]
fn a_home_like_directory_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path();
    write(&home.join(".bashrc"), "export EDITOR=vi\n");
    write(&home.join("Documents/notes.txt"), "notes\n");
    symlink("/etc", home.join("config")).expect("symlink");
    assert_refused(
        &enums(),
        home,
        &[".bashrc", "Documents/notes.txt", "config"],
    );
}

#[test]
fn root_is_refused_by_check() {
    // `--check` only: it never writes, so even a broken refusal cannot harm `/`.
    let output = codegen(&enums(), Path::new("/"), &["--check"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("/ is not empty and is not a crate vapigen generated"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn user_files_in_a_generated_crate_are_kept() {
    let dir = generated_crate();
    let out = dir.path();
    write(&out.join("src/notes.rs"), "// my notes\n");
    write(&out.join("docs/mine.md"), "# Mine\n");
    write(&out.join("notes/todo.txt"), "regenerate\n");
    let user_files = ["src/notes.rs", "docs/mine.md", "notes/todo.txt"];
    let before: Vec<_> = snapshot_dir(out)
        .into_iter()
        .filter(|(path, _)| user_files.iter().any(|file| path.ends_with(file)))
        .collect();
    assert_eq!(before.len(), 3);

    let specs = tempfile::tempdir().expect("tempdir");
    let output = codegen(&changed_enums(specs.path()), out, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let enums_rs = fs::read_to_string(out.join("src/types/enums.rs")).expect("read");
    assert!(enums_rs.contains("Sync"), "regenerated:\n{enums_rs}");
    let after: Vec<_> = snapshot_dir(out)
        .into_iter()
        .filter(|(path, _)| user_files.iter().any(|file| path.ends_with(file)))
        .collect();
    assert_eq!(after, before, "user files changed");
}

#[test]
fn a_generated_file_whose_mark_was_removed_is_not_overwritten_and_nothing_is_written() {
    let dir = generated_crate();
    let out = dir.path();
    let lib = out.join("src/lib.rs");
    let text = fs::read_to_string(&lib).expect("read");
    let (_, rest) = text.split_once('\n').expect("preamble line");
    fs::write(&lib, format!("// Mine now.\n{rest}")).expect("write");

    // Every other file would change too: none may be written.
    let specs = tempfile::tempdir().expect("tempdir");
    assert_refused(
        &changed_enums(specs.path()),
        out,
        &["src/lib.rs", "no `@generated` mark", "nothing in"],
    );
}

#[test]
fn a_link_in_docs_to_an_outside_directory_is_not_followed() {
    let dir = generated_crate();
    let out = dir.path();
    // Outside: generated-looking files a followed link would expose to
    // removal as stale, or to overwriting.
    let outside = tempfile::tempdir().expect("tempdir");
    for name in ["README.md", "stale.md", "schemas/enums.Holder.md"] {
        write(
            &outside.path().join(name),
            "<!-- @generated by `cargo xtask codegen` from elsewhere. -->\nold\n",
        );
    }
    let outside_before = snapshot_dir(outside.path());
    symlink(outside.path(), out.join("docs/linked")).expect("symlink");

    let specs = tempfile::tempdir().expect("tempdir");
    let output = codegen(&changed_enums(specs.path()), out, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(snapshot_dir(outside.path()), outside_before);
    assert!(
        fs::symlink_metadata(out.join("docs/linked"))
            .expect("link kept")
            .is_symlink()
    );
}

#[test]
fn a_linked_directory_at_a_generated_path_is_refused() {
    let dir = generated_crate();
    let out = dir.path();
    let outside = tempfile::tempdir().expect("tempdir");
    let schemas = out.join("docs/schemas");
    for entry in fs::read_dir(&schemas).expect("schemas") {
        let path = entry.expect("entry").path();
        fs::copy(&path, outside.path().join(path.file_name().expect("name"))).expect("copy");
    }
    fs::remove_dir_all(&schemas).expect("rm");
    symlink(outside.path(), &schemas).expect("symlink");
    let outside_before = snapshot_dir(outside.path());

    let specs = tempfile::tempdir().expect("tempdir");
    assert_refused(
        &changed_enums(specs.path()),
        out,
        &["docs/schemas: is a symbolic link"],
    );
    assert_eq!(snapshot_dir(outside.path()), outside_before);
}

#[test]
fn a_linked_file_at_a_generated_path_is_refused() {
    let dir = generated_crate();
    let out = dir.path();
    let outside = tempfile::tempdir().expect("tempdir");
    let target = outside.path().join("lib.rs");
    fs::rename(out.join("src/lib.rs"), &target).expect("move");
    symlink(&target, out.join("src/lib.rs")).expect("symlink");
    let outside_before = snapshot_dir(outside.path());

    let specs = tempfile::tempdir().expect("tempdir");
    assert_refused(
        &changed_enums(specs.path()),
        out,
        &["src/lib.rs: is a symbolic link"],
    );
    assert_eq!(snapshot_dir(outside.path()), outside_before);
}

#[test]
fn link_loops_end_and_stay() {
    let dir = generated_crate();
    let out = dir.path();
    symlink("..", out.join("src/up")).expect("symlink");
    symlink(".", out.join("docs/here")).expect("symlink");
    symlink("b", out.join("src/a")).expect("symlink");
    symlink("a", out.join("src/b")).expect("symlink");

    // The helper fails the test if a run does not end within a minute.
    let specs = tempfile::tempdir().expect("tempdir");
    let changed = changed_enums(specs.path());
    assert!(!codegen(&changed, out, &["--check"]).status.success());
    let output = codegen(&changed, out, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    for link in ["src/up", "docs/here", "src/a", "src/b"] {
        assert!(
            fs::symlink_metadata(out.join(link))
                .expect("kept")
                .is_symlink()
        );
    }
}

#[test]
fn a_file_name_too_long_fails_before_anything_is_written() {
    let long_name: String = "Long".repeat(75);
    let specs = tempfile::tempdir().expect("tempdir");
    let spec = spec_variant(
        &enums(),
        specs.path(),
        &[(
            "  schemas:\n",
            &format!("  schemas:\n    Enums.{long_name}:\n      type: string\n      enum: [A]\n"),
        )],
    );

    // Into the crate an earlier run wrote: every file would change.
    let dir = generated_crate();
    let error = assert_refused(&spec, dir.path(), &["File name too long", &long_name]);
    assert!(error.contains("nothing in"), "{error}");

    // Into a new directory: found while staging, and the directory is not
    // left behind.
    let parent = tempfile::tempdir().expect("tempdir");
    let fresh = parent.path().join("fresh");
    let output = codegen(&spec, &fresh, &[]);
    let error = stderr(&output);
    assert!(!output.status.success());
    assert!(
        error.contains("File name too long") && error.contains("was changed"),
        "{error}"
    );
    assert!(!fresh.exists(), "{fresh:?} was left behind");
    assert_eq!(snapshot_dir(parent.path()), Vec::new());
}

#[test]
fn a_failure_while_swapping_puts_every_file_back() {
    let dir = generated_crate();
    let out = dir.path();
    let specs = tempfile::tempdir().expect("tempdir");
    let request = Request {
        spec: changed_enums(specs.path()),
        out: out.to_path_buf(),
        crate_name: "vsphere-api".into(),
        lenient: false,
        api_version: None,
        format_cache: false,
    };
    let plan = generator::plan(&request).expect("plan");
    for file in ["Cargo.toml", "docs/README.md", "src/lib.rs", "src/types.rs"] {
        assert!(plan.writes.contains_key(&out.join(file)), "{file}");
    }

    // Between planning and writing, `src/types.rs` becomes a directory:
    // staging succeeds, and Cargo.toml, docs/ and src/lib.rs are swapped in
    // before src/types.rs fails.
    fs::remove_file(out.join("src/types.rs")).expect("rm");
    write(&out.join("src/types.rs/mine.txt"), "in the way\n");
    let before = snapshot_dir(out);

    let error = format!(
        "{:#}",
        plan.apply().expect_err("src/types.rs is a directory")
    );
    assert!(
        error.contains("src/types.rs changed since the plan was made"),
        "{error}"
    );
    assert!(error.contains("nothing in"), "{error}");
    assert_eq!(snapshot_dir(out), before, "not rolled back: {error}");
}

#[test]
fn a_rerun_on_its_own_output_changes_nothing() {
    let dir = generated_crate();
    let out = dir.path();
    let before = snapshot_dir(out);
    let output = codegen(&enums(), out, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(" 0 written, "),
        "{}",
        stderr(&output)
    );
    assert_eq!(snapshot_dir(out), before, "rewritten");
    assert!(codegen(&enums(), out, &["--check"]).status.success());
}

#[test]
fn files_left_by_a_killed_run_are_removed() {
    let dir = generated_crate();
    let out = dir.path();
    let lib = fs::read_to_string(out.join("src/lib.rs")).expect("read");
    let staged = out.join("src/lib.rs.vapigen-new-999");
    let set_aside = out.join("docs/README.md.vapigen-old-999");
    write(&staged, &lib);
    write(&set_aside, &lib);

    let check = codegen(&enums(), out, &["--check"]);
    assert!(!check.status.success(), "the leftovers are stale");
    let output = codegen(&enums(), out, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(scratch_files(out).is_empty(), "{:?}", scratch_files(out));
    assert!(codegen(&enums(), out, &["--check"]).status.success());
}

#[test]
fn a_new_directory_holding_only_generated_files_is_accepted() {
    // A run killed while staging into a new directory leaves only marked
    // files, and no Cargo.toml: still the generator's.
    let parent = tempfile::tempdir().expect("tempdir");
    let out = parent.path().join("crate");
    write(
        &out.join("src/lib.rs.vapigen-new-999"),
        "// @generated by `cargo xtask codegen` from x.\n",
    );
    let output = codegen(&enums(), &out, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(out.join("Cargo.toml").exists());
    assert!(scratch_files(&out).is_empty());
    assert!(codegen(&enums(), &out, &["--check"]).status.success());
}
