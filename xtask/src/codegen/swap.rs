//! Puts a plan on disk all or nothing.
//!
//! 1. **Stage**: every new file is written below a staging directory inside
//!    the output directory (`DIR/.vapigen-staging-PID-N/new/`: inside, not
//!    beside it, so it is on the same filesystem even when DIR is a mount
//!    point, and moving a file out of it is an atomic rename). Whatever makes
//!    a write fail (a file name too long, a full disk) fails here, before
//!    anything else in DIR has changed.
//! 2. **Swap**: each file being replaced or removed is renamed into the
//!    staging directory's `old/`, and each new file renamed into place. Every
//!    step is journaled; when one fails (a directory made read-only or
//!    replaced meanwhile), the journal is undone backwards and DIR is as it
//!    was. Renames only fail for reasons like these: the names are those that
//!    staging already created, below a longer path.
//! 3. **Commit**: the staging directory (by now only the old generated files)
//!    is removed, and so are directories that removals left empty.
//!
//! Ctrl-C, SIGTERM and SIGHUP are deferred while this runs (a second one ends
//! the process at once): staging stops and is cleaned up, an interrupted
//! stage leaves DIR untouched, and a swap, once started, is finished.
//!
//! What is left: a SIGKILL or a machine crash during the swap (a few
//! milliseconds for hundreds of files) leaves some files new and some old,
//! with the old ones in a leftover staging directory. Everything involved
//! carries the `@generated` mark, so the next run rewrites what is stale and
//! removes the leftover. File data is not fsynced (syncing each of thousands
//! of files would cost more than generating them); after a power loss, run
//! the generator again.

use anyhow::{Context, Result, anyhow, bail};
use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// The name that starts every staging directory.
pub const STAGING_PREFIX: &str = ".vapigen-staging-";

/// Writes `writes` (relative path -> contents) and removes `removals`
/// (relative paths) below `out`, all or nothing.
pub fn apply(out: &Path, writes: &BTreeMap<String, &str>, removals: &[String]) -> Result<()> {
    if writes.is_empty() && removals.is_empty() {
        return Ok(());
    }
    let interruption = Interruption::defer();
    let mut journal = Journal::default();
    let outcome = (|| {
        journal.create_dirs(out, true)?;
        let staging = create_staging(out)?;
        journal.staging = Some(staging.clone());
        journal.steps.push(Step::Staged(staging.clone()));
        stage(&staging.join("new"), writes, &interruption, &mut journal)?;
        swap(out, &staging, writes, removals, &mut journal)
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
                "{} could not be fully restored ({undo_error:#}); the files it replaced are in {}",
                out.display(),
                journal
                    .staging
                    .as_ref()
                    .map_or_else(String::new, |staging| staging
                        .join("old")
                        .display()
                        .to_string())
            )),
        }),
    }
}

/// A fresh staging directory in `out`.
fn create_staging(out: &Path) -> Result<PathBuf> {
    let pid = std::process::id();
    for attempt in 0u32.. {
        let staging = out.join(format!("{STAGING_PREFIX}{pid}-{attempt}"));
        match fs::create_dir(&staging) {
            Ok(()) => return Ok(staging),
            Err(error) if error.kind() == ErrorKind::AlreadyExists => {}
            Err(error) => {
                return Err(anyhow!(error).context(format!("creating {}", staging.display())));
            }
        }
    }
    bail!("no staging directory name left in {}", out.display())
}

/// Writes every new file below `new`.
fn stage(
    new: &Path,
    writes: &BTreeMap<String, &str>,
    interruption: &Interruption,
    journal: &mut Journal,
) -> Result<()> {
    for (relative, contents) in writes {
        if interruption.happened() {
            bail!("interrupted");
        }
        let path = new.join(relative);
        if let Some(parent) = path.parent() {
            journal
                .create_dirs(parent, false)
                .with_context(|| format!("writing {relative}"))?;
        }
        fs::write(&path, contents)
            .with_context(|| format!("writing {relative} (staged as {})", path.display()))?;
    }
    if interruption.happened() {
        bail!("interrupted");
    }
    Ok(())
}

/// Moves the replaced and removed files out of the way and the staged files
/// into place.
fn swap(
    out: &Path,
    staging: &Path,
    writes: &BTreeMap<String, &str>,
    removals: &[String],
    journal: &mut Journal,
) -> Result<()> {
    let old = staging.join("old");
    // Removals first: a stale file may stand where a directory is now needed.
    for relative in removals {
        journal.move_aside(&out.join(relative), &old.join(relative))?;
    }
    for relative in writes.keys() {
        let target = out.join(relative);
        journal.move_aside(&target, &old.join(relative))?;
        if let Some(parent) = target.parent() {
            journal.create_dirs(parent, true)?;
        }
        journal.move_file(&staging.join("new").join(relative), &target)?;
    }
    Ok(())
}

/// One undoable step of applying a plan.
enum Step {
    /// A file renamed from `from` to `to`.
    Moved { from: PathBuf, to: PathBuf },
    /// A directory created.
    Created(PathBuf),
    /// The staging directory created.
    Staged(PathBuf),
}

/// The steps taken so far, to undo them when a later one fails.
#[derive(Default)]
struct Journal {
    steps: Vec<Step>,
    staging: Option<PathBuf>,
    /// Directories known to exist, so that each is looked at or created once.
    known_dirs: HashSet<PathBuf>,
}

impl Journal {
    /// Creates `dir` and its missing ancestors, as undoable steps when
    /// `undoable` (directories below the staging directory go with it).
    fn create_dirs(&mut self, dir: &Path, undoable: bool) -> Result<()> {
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
            if undoable {
                self.steps.push(Step::Created(ancestor.to_path_buf()));
            }
        }
        for ancestor in dir.ancestors() {
            if !self.known_dirs.insert(ancestor.to_path_buf()) {
                break;
            }
        }
        Ok(())
    }

    /// Moves a generated file out of the way, if there is one. Planning
    /// proved the file's mark; anything but a regular file there now (a link
    /// put in its place since) stops the swap.
    fn move_aside(&mut self, from: &Path, to: &Path) -> Result<()> {
        match fs::symlink_metadata(from) {
            Err(error) if error.kind() == ErrorKind::NotFound => return Ok(()),
            Err(error) => return Err(anyhow!(error).context(format!("reading {}", from.display()))),
            Ok(metadata) if !metadata.is_file() => bail!(
                "{} changed since the plan was made: it is no longer a regular file",
                from.display()
            ),
            Ok(_) => {}
        }
        if let Some(parent) = to.parent() {
            self.create_dirs(parent, false)?;
        }
        self.move_file(from, to)
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

    /// Undoes every step, newest first. The staging directory is removed
    /// only when every file was moved back (else the old ones are in it).
    fn undo(&mut self) -> Result<()> {
        let mut first_error = None;
        while let Some(step) = self.steps.pop() {
            let undone = match step {
                Step::Moved { from, to } => fs::rename(&to, &from)
                    .with_context(|| format!("moving {} back", from.display())),
                Step::Created(dir) => {
                    fs::remove_dir(&dir).with_context(|| format!("removing {}", dir.display()))
                }
                Step::Staged(staging) => {
                    if first_error.is_none() {
                        remove_staging(&staging);
                    }
                    Ok(())
                }
            };
            if let Err(error) = undone {
                first_error.get_or_insert(error);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Removes the staging directory with the old files, and directories
    /// that removals emptied (never `out` itself).
    fn commit(&mut self, out: &Path, removals: &[String]) {
        if let Some(staging) = self.staging.take() {
            remove_staging(&staging);
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

/// Best effort: a staging directory left behind holds only generated files,
/// which the next run removes as stale.
fn remove_staging(staging: &Path) {
    if let Err(error) = fs::remove_dir_all(staging) {
        eprintln!(
            "note: the staging directory {} was not removed: {error}",
            staging.display()
        );
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
