//! Puts a plan on disk all or nothing.
//!
//! 1. **Stage**: each new file is written beside the one it replaces, as
//!    `NAME.vapigen-new-PID` (created, never opened if something is there),
//!    with the directories it needs. The name is NAME's, longer, in the same
//!    directory: whatever makes a write fail (a file name too long, a full
//!    disk) fails here, and what was staged or created is removed again.
//! 2. **Swap**: each file being replaced or removed is renamed aside to
//!    `NAME.vapigen-old-PID`, and each staged file renamed to NAME. Every
//!    step is journaled; when one fails (a file replaced by a directory
//!    meanwhile), the journal is undone backwards and DIR is as it was.
//! 3. **Commit**: the files set aside are deleted, and directories that
//!    removals left empty.
//!
//! Staging beside the targets rather than in a directory of its own: creating
//! thousands of files in a fresh directory tree cost the kernel about a third
//! more time here (ext4) than creating them in the directories that exist.
//! Renaming aside rather than over the old file also keeps ext4 from flushing
//! each replaced file's data at the rename.
//!
//! Ctrl-C, SIGTERM and SIGHUP are deferred while this runs (a second one ends
//! the process at once): staging stops and is undone, and a swap, once
//! started, is finished.
//!
//! What is left: a SIGKILL or a machine crash during the swap (a few
//! milliseconds for hundreds of files) leaves some files new and some old,
//! next to leftover `.vapigen-` files. All of them carry the `@generated`
//! mark, so the next run rewrites what is stale and removes the leftovers.
//! File data is not fsynced (syncing each of thousands of files would cost
//! more than generating them); after a power loss, run the generator again.

use anyhow::{Context, Result, anyhow, bail};
use std::collections::{BTreeMap, HashSet};
use std::ffi::OsString;
use std::fs;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// What the suffix of every file staged or set aside starts with.
pub const SCRATCH_SUFFIX: &str = ".vapigen-";

/// Writes `writes` (relative path -> contents) and removes `removals`
/// (relative paths) below `out`, all or nothing.
pub fn apply(out: &Path, writes: &BTreeMap<String, &str>, removals: &[String]) -> Result<()> {
    if writes.is_empty() && removals.is_empty() {
        return Ok(());
    }
    let interruption = Interruption::defer();
    let mut journal = Journal::default();
    let outcome = (|| {
        journal.create_dirs(out)?;
        stage(out, writes, &interruption, &mut journal)?;
        swap(out, writes, removals, &mut journal)
    })();
    match outcome {
        Ok(()) => {
            journal.commit(out, removals);
            if interruption.happened() {
                bail!("interrupted after {} was completely written", out.display());
            }
            Ok(())
        }
        Err(error) => Err(match journal.undo() {
            Ok(()) => error.context(format!("nothing in {} was changed", out.display())),
            Err(undo_error) => error.context(format!(
                "{} could not be fully restored ({undo_error:#}); the files it replaced are beside their places, named NAME{}",
                out.display(),
                scratch_suffix("old")
            )),
        }),
    }
}

/// `.vapigen-new-PID` or `.vapigen-old-PID`.
fn scratch_suffix(kind: &str) -> String {
    format!("{SCRATCH_SUFFIX}{kind}-{}", std::process::id())
}

/// `path` with a scratch suffix.
fn scratch_path(path: &Path, kind: &str) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(scratch_suffix(kind));
    PathBuf::from(name)
}

/// Writes every new file beside its place.
fn stage(
    out: &Path,
    writes: &BTreeMap<String, &str>,
    interruption: &Interruption,
    journal: &mut Journal,
) -> Result<()> {
    for (relative, contents) in writes {
        if interruption.happened() {
            bail!("interrupted");
        }
        let staged = scratch_path(&out.join(relative), "new");
        if let Some(parent) = staged.parent() {
            journal
                .create_dirs(parent)
                .with_context(|| format!("writing {relative}"))?;
        }
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&staged)
            .with_context(|| format!("writing {relative} (staged as {})", staged.display()))?;
        journal.steps.push(Step::Staged(staged.clone()));
        file.write_all(contents.as_bytes())
            .with_context(|| format!("writing {relative} (staged as {})", staged.display()))?;
    }
    if interruption.happened() {
        bail!("interrupted");
    }
    Ok(())
}

/// Sets the replaced and removed files aside and renames the staged files
/// into place.
fn swap(
    out: &Path,
    writes: &BTreeMap<String, &str>,
    removals: &[String],
    journal: &mut Journal,
) -> Result<()> {
    // Removals first: a stale file may stand where a directory is now needed.
    for relative in removals {
        journal.set_aside(&out.join(relative))?;
    }
    for relative in writes.keys() {
        let target = out.join(relative);
        journal.set_aside(&target)?;
        journal.move_file(&scratch_path(&target, "new"), &target)?;
    }
    Ok(())
}

/// One undoable step of applying a plan.
enum Step {
    /// A directory created.
    Created(PathBuf),
    /// A new file written.
    Staged(PathBuf),
    /// A file renamed from `from` to `to`.
    Moved { from: PathBuf, to: PathBuf },
}

/// The steps taken so far, to undo them when a later one fails.
#[derive(Default)]
struct Journal {
    steps: Vec<Step>,
    /// Files renamed aside, deleted once everything is in place.
    set_aside: Vec<PathBuf>,
    /// Directories known to exist, so that each is looked at or created once.
    known_dirs: HashSet<PathBuf>,
}

impl Journal {
    /// Creates `dir` and its missing ancestors.
    fn create_dirs(&mut self, dir: &Path) -> Result<()> {
        if self.known_dirs.contains(dir) {
            return Ok(());
        }
        let missing: Vec<&Path> = dir
            .ancestors()
            .take_while(|ancestor| {
                !self.known_dirs.contains(*ancestor) && fs::symlink_metadata(ancestor).is_err()
            })
            .collect();
        for ancestor in missing.into_iter().rev() {
            fs::create_dir(ancestor).with_context(|| format!("creating {}", ancestor.display()))?;
            self.steps.push(Step::Created(ancestor.to_path_buf()));
        }
        for ancestor in dir.ancestors() {
            if !self.known_dirs.insert(ancestor.to_path_buf()) {
                break;
            }
        }
        Ok(())
    }

    /// Renames a generated file aside, if there is one. Planning proved the
    /// file's mark; anything but a regular file there now (a link or a
    /// directory put in its place since) stops the swap.
    fn set_aside(&mut self, path: &Path) -> Result<()> {
        match fs::symlink_metadata(path) {
            Err(error) if error.kind() == ErrorKind::NotFound => return Ok(()),
            Err(error) => {
                return Err(anyhow!(error).context(format!("reading {}", path.display())));
            }
            Ok(metadata) if !metadata.is_file() => bail!(
                "{} changed since the plan was made: it is no longer a regular file",
                path.display()
            ),
            Ok(_) => {}
        }
        let aside = scratch_path(path, "old");
        self.move_file(path, &aside)?;
        self.set_aside.push(aside);
        Ok(())
    }

    fn move_file(&mut self, from: &Path, to: &Path) -> Result<()> {
        fs::rename(from, to)
            .with_context(|| format!("moving {} to {}", from.display(), to.display()))?;
        self.steps.push(Step::Moved {
            from: from.to_path_buf(),
            to: to.to_path_buf(),
        });
        Ok(())
    }

    /// Undoes every step, newest first.
    fn undo(&mut self) -> Result<()> {
        let mut first_error = None;
        while let Some(step) = self.steps.pop() {
            let undone = match step {
                Step::Moved { from, to } => fs::rename(&to, &from)
                    .with_context(|| format!("moving {} back", from.display())),
                Step::Staged(path) => {
                    fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))
                }
                Step::Created(dir) => {
                    fs::remove_dir(&dir).with_context(|| format!("removing {}", dir.display()))
                }
            };
            if let Err(error) = undone {
                first_error.get_or_insert(error);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Deletes the files set aside, and directories that removals emptied
    /// (never `out` itself). Best effort: a file left holds the mark, and the
    /// next run removes it as stale.
    fn commit(&mut self, out: &Path, removals: &[String]) {
        for aside in self.set_aside.drain(..) {
            if let Err(error) = fs::remove_file(&aside) {
                eprintln!("note: {} was not removed: {error}", aside.display());
            }
        }
        for relative in removals {
            let removed = out.join(relative);
            for dir in removed.ancestors().skip(1) {
                if dir == out || !dir.starts_with(out) || fs::remove_dir(dir).is_err() {
                    break;
                }
            }
        }
        self.steps.clear();
    }
}

/// Holds back Ctrl-C, SIGTERM and SIGHUP for as long as it lives (a second
/// one ends the process at once). Outside of it the signals do what they
/// always do.
struct Interruption {
    handlers: Option<&'static Handlers>,
}

/// The signal handlers, installed once for the process: deferring is a flag
/// they read, because a handler cannot be removed again without leaving its
/// signal ignored.
struct Handlers {
    /// Set while nothing is deferred: a signal then acts as by default.
    acting: Arc<AtomicBool>,
    /// Set by a signal that arrived while deferred.
    received: Arc<AtomicBool>,
    /// How many [`Interruption`]s live (tests apply several plans at once).
    deferring: Mutex<usize>,
}

impl Handlers {
    fn install() -> std::io::Result<Self> {
        let handlers = Handlers {
            acting: Arc::new(AtomicBool::new(true)),
            received: Arc::new(AtomicBool::new(false)),
            deferring: Mutex::new(0),
        };
        let signals = signal_hook::consts::TERM_SIGNALS
            .iter()
            .chain(&[signal_hook::consts::SIGHUP]);
        for &signal in signals {
            // In this order: acting as by default, else exiting when an
            // earlier signal was deferred, else remembering this one.
            signal_hook::flag::register_conditional_default(signal, Arc::clone(&handlers.acting))?;
            signal_hook::flag::register_conditional_shutdown(
                signal,
                130,
                Arc::clone(&handlers.received),
            )?;
            signal_hook::flag::register(signal, Arc::clone(&handlers.received))?;
        }
        Ok(handlers)
    }

    /// Adds one to the count of deferrals, or takes one away.
    fn count(&self, change: isize) {
        let mut deferring = self
            .deferring
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if *deferring == 0 {
            // A signal deferred by an earlier run was reported by it.
            self.received.store(false, Ordering::SeqCst);
        }
        *deferring = deferring.saturating_add_signed(change);
        self.acting.store(*deferring == 0, Ordering::SeqCst);
    }
}

impl Interruption {
    fn defer() -> Self {
        static HANDLERS: OnceLock<Option<Handlers>> = OnceLock::new();
        let handlers = HANDLERS
            .get_or_init(|| match Handlers::install() {
                Ok(handlers) => Some(handlers),
                Err(error) => {
                    eprintln!("note: Ctrl-C cannot be deferred while writing: {error}");
                    None
                }
            })
            .as_ref();
        if let Some(handlers) = handlers {
            handlers.count(1);
        }
        Interruption { handlers }
    }

    fn happened(&self) -> bool {
        self.handlers
            .is_some_and(|handlers| handlers.received.load(Ordering::SeqCst))
    }
}

impl Drop for Interruption {
    fn drop(&mut self) {
        if let Some(handlers) = self.handlers {
            handlers.count(-1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MARK: &str = "// @generated by `cargo xtask codegen` from a test.\n";

    #[test]
    fn a_signal_while_writing_is_deferred_and_stops_before_anything_changes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path();
        let old = format!("{MARK}old\n");
        fs::write(out.join("a.rs"), &old).expect("write");
        let new = format!("{MARK}new\n");
        let writes = BTreeMap::from([
            ("a.rs".to_owned(), new.as_str()),
            ("b/c.rs".to_owned(), new.as_str()),
        ]);

        let deferred = Interruption::defer();
        // Delivered before `raise` returns: were it not deferred, the test
        // process would end here.
        signal_hook::low_level::raise(signal_hook::consts::SIGINT).expect("raise");
        assert!(deferred.happened());
        let error = apply(out, &writes, &[]).expect_err("interrupted");
        drop(deferred);

        assert!(format!("{error:#}").contains("interrupted"), "{error:#}");
        assert_eq!(fs::read_to_string(out.join("a.rs")).expect("read"), old);
        let left: Vec<_> = fs::read_dir(out)
            .expect("read dir")
            .map(|entry| entry.expect("entry").file_name())
            .collect();
        assert_eq!(left, ["a.rs"]);
    }
}
