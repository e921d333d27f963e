//! An in-memory vCenter behind the generated server stubs.
//!
//! Only behaviour is written here: the state, and which documented error each
//! situation gives (as the vSphere API facts describe). Routing, parsing,
//! validation, authentication checks and the wire forms come from the
//! generated `server` module.

use crate::{ADMIN, PASSWORD, READONLY};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use vsphere_api::SecretString;
use vsphere_api::operations as ops;
use vsphere_api::types::cis::task::{
    Info as TaskInfo, InfoRequired as TaskInfoRequired, Progress, ProgressRequired,
    Status as TaskStatus,
};
use vsphere_api::types::content::library::subscriptions::create_spec_subscribed_library::Target;
use vsphere_api::types::content::library::subscriptions::{CreateSpecSubscribedLibrary, Location};
use vsphere_api::types::esx::settings::depots::offline::{
    CreateAlreadyExists, CreateAlreadyExistsRequired, CreateResult, CreateResultRequired,
    SourceType,
};
use vsphere_api::types::vapi::std::errors as std_errors;
use vsphere_api::types::vapi::std::{
    DynamicId, DynamicIdRequired, LocalizableMessage, LocalizableMessageRequired,
};
use vsphere_api::types::vcenter::vm::guest::Credentials as GuestCredentials;
use vsphere_api::types::vcenter::vm::guest::filesystem::transfers as transfer_errors;
use vsphere_api::types::vcenter::vm::guest::filesystem::{
    ErrorReason, FileErrorDetails, FileErrorDetailsRequired,
};
use vsphere_api::wire::{Auth, OperationInfo, TaskId};
use vsphere_api::wire::{Operation, OperationError};

/// A user of the simulator and the privileges it holds.
#[derive(Clone, Debug)]
pub struct User {
    /// The password for basic authentication.
    pub password: SecretString,
    /// Privileges, e.g. `ContentLibrary.AddSubscription`.
    pub privileges: BTreeSet<String>,
}

/// A content library.
#[derive(Clone, Debug, Default)]
pub struct Library {
    /// Whether other libraries may subscribe to it.
    pub published: bool,
    /// Whether it is itself a subscribed library.
    pub subscribed: bool,
}

/// A virtual machine with a guest file system.
#[derive(Clone, Debug, Default)]
pub struct Vm {
    /// Whether it is powered on.
    pub powered_on: bool,
    /// Whether VMware Tools runs in the guest.
    pub tools_running: bool,
    /// Guest user name and password that guest operations accept.
    pub guest_user: (String, String),
    /// Paths of the files in the guest.
    pub files: BTreeSet<String>,
}

/// A logged-in session.
#[derive(Clone, Debug)]
pub struct Session {
    /// The user it belongs to.
    pub user: String,
    /// When it was last used: it expires after [`Simulator::session_idle_timeout`] without use.
    pub last_used: Instant,
}

/// How a task started by the simulator ends.
#[derive(Clone, Debug, PartialEq)]
pub enum TaskOutcome {
    /// It succeeds with this `result`.
    Succeeds(serde_json::Value),
    /// It fails with this vapi error (the `/api` form, with `error_type`).
    Fails(serde_json::Value),
}

/// A task (`com.vmware.cis.task`): it is PENDING for the first
/// [`TaskTiming::pending_polls`] reads, RUNNING (with growing progress) for
/// the next [`TaskTiming::running_polls`], and has its outcome from then on;
/// time plays no part, so tests are deterministic.
#[derive(Clone, Debug)]
pub struct Task {
    /// The user who started it; only they may read it.
    pub user: String,
    /// The service and operation that started it.
    pub service: String,
    /// The operation's name in its service (`create`).
    pub operation: String,
    /// The object it works on (type and id).
    pub target: Option<(String, String)>,
    /// Its outcome, once its phases have passed.
    pub outcome: TaskOutcome,
    /// How often it has been read.
    pub polls: u32,
    /// When it started and ended (RFC 3339), once known.
    pub start_time: Option<String>,
    /// When it ended (RFC 3339).
    pub end_time: Option<String>,
}

/// How many reads of a task each phase lasts (see [`Task`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskTiming {
    /// Reads answered PENDING.
    pub pending_polls: u32,
    /// Reads answered RUNNING, with progress.
    pub running_polls: u32,
}

impl Default for TaskTiming {
    fn default() -> Self {
        TaskTiming {
            pending_polls: 1,
            running_polls: 2,
        }
    }
}

/// Everything the simulator remembers. Its `Debug` leaves out the session
/// ids (they are credentials) and shows only how many sessions there are.
#[derive(Default)]
pub struct State {
    /// Users by name.
    pub users: BTreeMap<String, User>,
    /// Session id (128 random bits, hex) -> its session.
    pub sessions: BTreeMap<String, Session>,
    /// Offline depots: location -> depot id (reserved while its import runs).
    pub depots: BTreeMap<String, String>,
    /// Tasks by id.
    pub tasks: BTreeMap<String, Task>,
    /// The current software draft, if any.
    pub draft: Option<String>,
    /// Libraries by id.
    pub libraries: BTreeMap<String, Library>,
    /// Subscriptions: subscription id -> (published library, subscribed library).
    pub subscriptions: BTreeMap<String, (String, String)>,
    /// Library items: item id -> library id.
    pub items: BTreeMap<String, String>,
    /// Update sessions: session id -> item id (open ones only).
    pub update_sessions: BTreeMap<String, String>,
    /// Client tokens already used, scoped as vCenter scopes them: (user,
    /// operationId, token) -> (the item asked for, the update session created).
    pub client_tokens: BTreeMap<(String, String, String), (Option<String>, String)>,
    /// Virtual machines by id.
    pub vms: BTreeMap<String, Vm>,
    /// For fresh identifiers.
    pub counter: u64,
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("State")
            .field("users", &self.users)
            .field("sessions", &format_args!("{} open", self.sessions.len()))
            .field("depots", &self.depots)
            .field("tasks", &self.tasks)
            .field("draft", &self.draft)
            .field("libraries", &self.libraries)
            .field("subscriptions", &self.subscriptions)
            .field("items", &self.items)
            .field("update_sessions", &self.update_sessions)
            .field("client_tokens", &self.client_tokens)
            .field("vms", &self.vms)
            .field("counter", &self.counter)
            .finish()
    }
}

impl State {
    fn next_id(&mut self, kind: &str) -> String {
        self.counter += 1;
        format!("{kind}-{}", self.counter)
    }
}

/// The simulator: a [`vsphere_api::server::Api`] over [`State`]. Clones share
/// the state, so a test can look inside the simulator it serves.
#[derive(Clone, Debug)]
pub struct Simulator {
    /// Its state; held only briefly, never across an await.
    pub state: Arc<Mutex<State>>,
    /// Errors to answer the next call of an operation with, by operationId:
    /// for situations a test cannot bring about (a 503, an internal error, an
    /// error type a newer server might send).
    pub faults: Arc<Mutex<BTreeMap<String, (u16, serde_json::Value)>>>,
    /// Transient faults for the next calls of operations, at the HTTP layer:
    /// see [`Simulator::inject_transient_faults`].
    pub(crate) transient_faults: Arc<Mutex<Vec<crate::network::PendingFault>>>,
    /// The latest requests received: see [`Simulator::seen_requests`].
    pub(crate) seen: Arc<Mutex<std::collections::VecDeque<crate::network::SeenRequest>>>,
    /// A session unused for this long is no longer accepted (vCenter's
    /// default is 30 minutes).
    pub session_idle_timeout: Duration,
    /// How many reads each phase of a task lasts.
    pub task_timing: TaskTiming,
    /// Whether to behave like vCenter 6.7 or govmomi's vcsim: no `/api` at
    /// all (every `/api` path answers 404), only the legacy `/rest` form.
    pub legacy_only: bool,
}

impl Default for Simulator {
    fn default() -> Self {
        Simulator {
            state: Arc::default(),
            faults: Arc::default(),
            transient_faults: Arc::default(),
            seen: Arc::default(),
            session_idle_timeout: Duration::from_secs(30 * 60),
            task_timing: TaskTiming::default(),
            legacy_only: false,
        }
    }
}

/// Who is calling: the user, and the session they called with (for logout).
#[derive(Clone, Debug)]
pub struct Caller {
    /// The user name.
    pub user: String,
    /// The session id, when the call came with one.
    pub session: Option<SecretString>,
}

/// A fresh session id: 128 bits from the operating system's random source,
/// so that no id can be guessed from another one or from a fresh start.
fn random_session_id() -> Option<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).ok()?;
    Some(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// The current time as RFC 3339, as vCenter writes task times.
fn now_rfc3339() -> Option<String> {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// A host name that never resolves (RFC 6761): a depot there cannot be downloaded.
fn unreachable_location(location: &str) -> bool {
    url::Url::parse(location)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned))
        .is_some_and(|host| host == "invalid" || host.ends_with(".invalid"))
}

/// The finished depot import [`Simulator::with_demo_data`] seeds (the
/// administrator's; its result is the depot `depot-demo`).
pub const DEMO_TASK: &str =
    "52b1a8c6-3c1e-4d6a-9f2e-7b0c5d1e9a42:com.vmware.esx.settings.depots.offline";

/// Every privilege the five operations need.
pub const ALL_PRIVILEGES: &[&str] = &[
    "VcIntegrity.lifecycleSettings.Write",
    "VcIntegrity.lifecycleSoftwareSpecification.Write",
    "ContentLibrary.UpdateSession",
    "ContentLibrary.AddSubscription",
    "VirtualMachine.GuestOperations.Modify",
];

impl Simulator {
    /// A simulator with demo data: users `administrator@vsphere.local` (all
    /// privileges, [`ADMIN`]) and `readonly@vsphere.local` (none,
    /// [`READONLY`]), both with password `VMware1!` ([`PASSWORD`]); libraries `lib-published`, `lib-local` (not published) and
    /// `lib-subscribed`; items `item-1` (in the published library) and
    /// `item-subscribed`, and `item-2` (in the local library); VMs `vm-on`
    /// (running, with `/tmp/existing.txt`), `vm-off` and `vm-no-tools`, with
    /// guest user `root` / `guest-pass`; the administrator's finished depot
    /// import [`DEMO_TASK`] (depot `depot-demo`).
    pub fn with_demo_data() -> Self {
        let mut state = State::default();
        let user = |privileges: &[&str]| User {
            password: SecretString::new(PASSWORD),
            privileges: privileges.iter().map(|p| (*p).to_owned()).collect(),
        };
        state.users.insert(ADMIN.into(), user(ALL_PRIVILEGES));
        state.users.insert(READONLY.into(), user(&[]));
        state.libraries.insert(
            "lib-published".into(),
            Library {
                published: true,
                subscribed: false,
            },
        );
        state
            .libraries
            .insert("lib-local".into(), Library::default());
        state.libraries.insert(
            "lib-subscribed".into(),
            Library {
                published: false,
                subscribed: true,
            },
        );
        state.items.insert("item-1".into(), "lib-published".into());
        state.items.insert("item-2".into(), "lib-local".into());
        state
            .items
            .insert("item-subscribed".into(), "lib-subscribed".into());
        let guest_user = ("root".to_owned(), "guest-pass".to_owned());
        let files = BTreeSet::from(["/tmp/existing.txt".to_owned()]);
        state.vms.insert(
            "vm-on".into(),
            Vm {
                powered_on: true,
                tools_running: true,
                guest_user: guest_user.clone(),
                files,
            },
        );
        state.vms.insert(
            "vm-off".into(),
            Vm {
                guest_user: guest_user.clone(),
                ..Vm::default()
            },
        );
        state.vms.insert(
            "vm-no-tools".into(),
            Vm {
                powered_on: true,
                tools_running: false,
                guest_user,
                ..Vm::default()
            },
        );
        // A finished depot import of the administrator's, as vCenter names tasks.
        let demo_depot = "https://depot.example.com/esxi/VMware-ESXi-8.0U2-depot.zip";
        state.depots.insert(demo_depot.into(), "depot-demo".into());
        state.tasks.insert(
            DEMO_TASK.into(),
            Task {
                user: ADMIN.into(),
                service: "com.vmware.esx.settings.depots.offline".into(),
                operation: "create".into(),
                target: Some((
                    "com.vmware.esx.settings.depots.offline".into(),
                    "depot-demo".into(),
                )),
                outcome: TaskOutcome::Succeeds(serde_json::json!({ "depot": "depot-demo" })),
                // Past every phase of the default timing: it has succeeded.
                polls: u32::MAX / 2,
                start_time: Some("2026-01-01T09:00:00Z".into()),
                end_time: Some("2026-01-01T09:04:10Z".into()),
            },
        );
        Simulator {
            state: Arc::new(Mutex::new(state)),
            ..Simulator::default()
        }
    }

    /// The same simulator (sharing its state) behaving like vCenter 6.7 or
    /// govmomi's vcsim: see [`Simulator::legacy_only`].
    pub fn legacy_only(mut self) -> Self {
        self.legacy_only = true;
        self
    }

    /// The same simulator (sharing its state) with tasks lasting `timing`.
    pub fn with_task_timing(mut self, timing: TaskTiming) -> Self {
        self.task_timing = timing;
        self
    }

    /// The same simulator (sharing its state) with sessions expiring after `timeout` unused.
    pub fn with_session_idle_timeout(mut self, timeout: Duration) -> Self {
        self.session_idle_timeout = timeout;
        self
    }

    /// Adds (or replaces) a user with `password` and `privileges`.
    pub fn add_user(&self, name: &str, password: &str, privileges: &[&str]) {
        let user = User {
            password: SecretString::new(password),
            privileges: privileges.iter().map(|p| (*p).to_owned()).collect(),
        };
        self.lock().users.insert(name.to_owned(), user);
    }

    /// Adds (or replaces) the library `id`.
    pub fn add_library(&self, id: &str, library: Library) {
        self.lock().libraries.insert(id.to_owned(), library);
    }

    /// Adds (or moves) the library item `id` into `library`.
    pub fn add_item(&self, id: &str, library: &str) {
        self.lock().items.insert(id.to_owned(), library.to_owned());
    }

    /// Adds (or replaces) the virtual machine `id`.
    pub fn add_vm(&self, id: &str, vm: Vm) {
        self.lock().vms.insert(id.to_owned(), vm);
    }

    /// Makes the next call of `operation_id` fail with `status` and the vapi
    /// error `body`, without carrying it out (for the operations whose
    /// handler checks; [`Simulator::inject_transient_faults`] works for any
    /// operation, at the HTTP layer).
    pub fn inject_fault(&self, operation_id: &str, status: u16, body: serde_json::Value) {
        let mut faults = self
            .faults
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        faults.insert(operation_id.to_owned(), (status, body));
    }

    /// The fault injected for `operation`, if any (taken: it happens once).
    /// The fault injected for operation `O`, if any (taken: it fires once),
    /// as that operation's error.
    fn injected_fault<O: Operation>(&self) -> Result<(), O::Error> {
        match self.take_fault(&O::INFO) {
            Some((status, body)) => Err(O::Error::decode(status, Vec::new(), body)),
            None => Ok(()),
        }
    }

    fn take_fault(&self, operation: &OperationInfo) -> Option<(u16, Vec<u8>)> {
        let mut faults = self
            .faults
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        faults
            .remove(operation.operation_id)
            .map(|(status, body)| (status, body.to_string().into_bytes()))
    }

    /// The state, even if a panicking request poisoned the lock.
    pub fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A localizable message with no parameters.
fn message(id: &str, text: impl Into<String>) -> Vec<LocalizableMessage> {
    vec![LocalizableMessage::new(LocalizableMessageRequired {
        id: id.to_owned(),
        default_message: text.into(),
        args: Vec::new(),
    })]
}

macro_rules! std_error {
    ($kind:ident, $required:ident, $id:expr, $text:expr) => {
        std_errors::$kind::new(std_errors::$required {
            messages: message($id, $text),
        })
    };
}

/// `error` with its `data` set: generated types are `#[non_exhaustive]`, so
/// optional properties are set after `new`.
fn with_data<E>(mut error: E, set: impl FnOnce(&mut E)) -> E {
    set(&mut error);
    error
}

/// The guest credentials must match the VM's guest user.
fn guest_login_ok(vm: &Vm, credentials: &GuestCredentials) -> bool {
    credentials.user_name.as_deref() == Some(vm.guest_user.0.as_str())
        && credentials
            .password
            .as_ref()
            .map(SecretString::expose_secret)
            == Some(vm.guest_user.1.as_str())
}

/// The longest guest path accepted.
const MAX_GUEST_PATH: usize = 255;

impl vsphere_api::server::Api for Simulator {
    type Principal = Caller;

    async fn authenticate(&self, credentials: &Auth, operation: &OperationInfo) -> Option<Caller> {
        let accepts = |scheme: &str| operation.security.contains(&scheme);
        match credentials {
            Auth::SessionId(session) if accepts("session_id") => {
                self.session_user(session).map(|user| Caller {
                    user,
                    session: Some(session.clone()),
                })
            }
            Auth::Bearer(token) if accepts("bearer_auth") => {
                self.session_user(token).map(|user| Caller {
                    user,
                    session: Some(token.clone()),
                })
            }
            Auth::Basic { user, password } if accepts("basic_auth") => self
                .lock()
                .users
                .get(user)
                .filter(|known| known.password == *password)
                .map(|_| Caller {
                    user: user.clone(),
                    session: None,
                }),
            _ => None,
        }
    }

    async fn authorize(
        &self,
        principal: &Caller,
        operation: &OperationInfo,
        _object: Option<&str>,
    ) -> bool {
        let state = self.lock();
        let Some(user) = state.users.get(&principal.user) else {
            return false;
        };
        operation
            .privileges
            .iter()
            .all(|privilege| user.privileges.contains(*privilege))
    }

    async fn cis_session_create(
        &self,
        principal: &Caller,
        _request: ops::cis_session_create::Request,
    ) -> Result<SecretString, ops::cis_session_create::Error> {
        self.injected_fault::<ops::cis_session_create::Endpoint>()?;
        self.new_session(&principal.user)
            .ok_or_else(|| ops::cis_session_create::Error::Unexpected(no_randomness()))
    }

    async fn cis_session_create_rest(
        &self,
        principal: &Caller,
        _request: ops::cis_session_create_rest::Request,
    ) -> Result<SecretString, ops::cis_session_create_rest::Error> {
        self.injected_fault::<ops::cis_session_create_rest::Endpoint>()?;
        self.new_session(&principal.user)
            .ok_or_else(|| ops::cis_session_create_rest::Error::Unexpected(no_randomness()))
    }

    async fn cis_session_delete(
        &self,
        principal: &Caller,
        _request: ops::cis_session_delete::Request,
    ) -> Result<(), ops::cis_session_delete::Error> {
        self.injected_fault::<ops::cis_session_delete::Endpoint>()?;
        self.end_session(principal);
        Ok(())
    }

    async fn cis_session_delete_rest(
        &self,
        principal: &Caller,
        _request: ops::cis_session_delete_rest::Request,
    ) -> Result<(), ops::cis_session_delete_rest::Error> {
        self.injected_fault::<ops::cis_session_delete_rest::Endpoint>()?;
        self.end_session(principal);
        Ok(())
    }

    async fn cis_tasks_get(
        &self,
        principal: &Caller,
        request: ops::cis_tasks_get::Request,
    ) -> Result<TaskInfo, ops::cis_tasks_get::Error> {
        self.injected_fault::<ops::cis_tasks_get::Endpoint>()?;
        use ops::cis_tasks_get::Error;
        let timing = self.task_timing;
        let mut state = self.lock();
        let not_found = || {
            Error::NotFound(std_error!(
                NotFound,
                NotFoundRequired,
                "com.vmware.cis.tasks.not_found",
                format!("Task {} does not exist.", request.task)
            ))
        };
        let Some(task) = state.tasks.get_mut(&request.task) else {
            return Err(not_found());
        };
        if task.user != principal.user {
            return Err(Error::Unauthorized(std_error!(
                Unauthorized,
                UnauthorizedRequired,
                "com.vmware.cis.tasks.unauthorized",
                format!("Task {} belongs to another user.", request.task)
            )));
        }
        let poll = task.polls;
        task.polls = task.polls.saturating_add(1);
        let ended = poll >= timing.pending_polls.saturating_add(timing.running_polls);
        let status = if poll < timing.pending_polls {
            TaskStatus::Pending
        } else if !ended {
            TaskStatus::Running
        } else if matches!(task.outcome, TaskOutcome::Succeeds(_)) {
            TaskStatus::Succeeded
        } else {
            TaskStatus::Failed
        };
        if status != TaskStatus::Pending && task.start_time.is_none() {
            task.start_time = now_rfc3339();
        }
        if ended && task.end_time.is_none() {
            task.end_time = now_rfc3339();
        }
        let task = task.clone();
        if let (true, TaskOutcome::Fails(_)) = (ended, &task.outcome) {
            // A failed import leaves no depot behind.
            state
                .depots
                .retain(|_, depot| task.target.as_ref().is_none_or(|(_, id)| id != depot));
        }
        drop(state);
        let mut info = TaskInfo::new(TaskInfoRequired {
            description: LocalizableMessage::new(LocalizableMessageRequired {
                id: format!("{}.{}", task.service, task.operation),
                default_message: format!("{} {}", task.service, task.operation),
                args: Vec::new(),
            }),
            service: task.service.clone(),
            operation: task.operation.clone(),
            status: status.clone(),
            cancelable: false,
        });
        info.user = Some(task.user.clone());
        info.start_time = task.start_time.clone();
        info.end_time = task.end_time.clone();
        info.target = task.target.as_ref().map(|(kind, id)| {
            DynamicId::new(DynamicIdRequired {
                type_: kind.clone(),
                id: id.clone(),
            })
        });
        if status != TaskStatus::Pending {
            let total = i64::from(timing.running_polls) + 1;
            let completed = if ended {
                total
            } else {
                i64::from(poll - timing.pending_polls) + 1
            };
            info.progress = Some(Progress::new(ProgressRequired {
                total,
                completed,
                message: LocalizableMessage::new(LocalizableMessageRequired {
                    id: "com.vmware.cis.task.progress".to_owned(),
                    default_message: format!("{completed} of {total} steps done."),
                    args: Vec::new(),
                }),
            }));
        }
        match (&task.outcome, ended) {
            (TaskOutcome::Succeeds(result), true) if request.exclude_result != Some(true) => {
                info.result = Some(result.clone());
            }
            (TaskOutcome::Fails(error), true) => info.error = Some(error.clone()),
            _ => {}
        }
        Ok(info)
    }

    async fn esx_settings_depots_offline_create_task(
        &self,
        principal: &Caller,
        request: ops::esx_settings_depots_offline_create_task::Request,
    ) -> Result<TaskId, ops::esx_settings_depots_offline_create_task::Error> {
        self.injected_fault::<ops::esx_settings_depots_offline_create_task::Endpoint>()?;
        use ops::esx_settings_depots_offline_create_task::Error;
        let spec = request.body;
        let key = match (&spec.source_type, &spec.location, &spec.file_id) {
            (SourceType::Pull, Some(location), _)
                if location.starts_with("https://") || location.starts_with("http://") =>
            {
                location.clone()
            }
            (SourceType::Push, _, Some(file_id)) => format!("upload:{file_id}"),
            _ => {
                return Err(Error::InvalidArgument(std_error!(
                    InvalidArgument,
                    InvalidArgumentRequired,
                    "com.vmware.esx.settings.depots.offline.invalid_location",
                    "A PULL depot needs an http(s) location; a PUSH depot needs a file_id."
                )));
            }
        };
        let mut state = self.lock();
        if let Some(depot) = state.depots.get(&key) {
            let messages = message(
                "com.vmware.esx.settings.depots.offline.already_exists",
                format!("Depot {key} was already imported."),
            );
            let data = CreateResult::new(CreateResultRequired {
                depot: depot.clone(),
            });
            return Err(Error::AlreadyExists(with_data(
                CreateAlreadyExists::new(CreateAlreadyExistsRequired { messages }),
                |error| error.data = Some(data),
            )));
        }
        // The depot is reserved while the import runs (a second import of it
        // is AlreadyExists), and released if the import fails.
        let depot = state.next_id("depot");
        let outcome = if unreachable_location(&key) {
            TaskOutcome::Fails(serde_json::json!({
                "error_type": "ERROR",
                "messages": message(
                    "com.vmware.esx.settings.depots.offline.download_failed",
                    format!("Cannot download the depot from {key}: the host cannot be reached."),
                ),
            }))
        } else {
            TaskOutcome::Succeeds(serde_json::json!({ "depot": depot }))
        };
        state.depots.insert(key, depot.clone());
        let task = state.next_id("task");
        state.tasks.insert(
            task.clone(),
            Task {
                user: principal.user.clone(),
                service: "com.vmware.esx.settings.depots.offline".into(),
                operation: "create".into(),
                target: Some(("com.vmware.esx.settings.depots.offline".into(), depot)),
                outcome,
                polls: 0,
                start_time: None,
                end_time: None,
            },
        );
        Ok(TaskId(task))
    }

    async fn esx_settings_repository_software_drafts_create(
        &self,
        _principal: &Caller,
        request: ops::esx_settings_repository_software_drafts_create::Request,
    ) -> Result<String, ops::esx_settings_repository_software_drafts_create::Error> {
        self.injected_fault::<ops::esx_settings_repository_software_drafts_create::Endpoint>()?;
        use ops::esx_settings_repository_software_drafts_create::Error;
        let mut state = self.lock();
        if state.draft.is_some() && request.body.delete_existing_draft != Some(true) {
            return Err(Error::AlreadyExists(std_error!(
                AlreadyExists,
                AlreadyExistsRequired,
                "com.vmware.esx.settings.repository.software.drafts.already_exists",
                "A draft exists; set delete_existing_draft to replace it."
            )));
        }
        let draft = state.next_id("draft");
        state.draft = Some(draft.clone());
        Ok(draft)
    }

    async fn content_library_item_update_session_create(
        &self,
        principal: &Caller,
        request: ops::content_library_item_update_session_create::Request,
    ) -> Result<String, ops::content_library_item_update_session_create::Error> {
        self.injected_fault::<ops::content_library_item_update_session_create::Endpoint>()?;
        use ops::content_library_item_update_session_create::Error;
        let item = request.body.library_item_id.clone();
        let token = request.client_token.map(|token| {
            let operation = ops::content_library_item_update_session_create::OPERATION;
            (
                principal.user.clone(),
                operation.operation_id.to_owned(),
                token,
            )
        });
        match self.create_update_session(item, token) {
            Ok(session) => Ok(session),
            Err(UpdateSessionError::Invalid(messages)) => Err(Error::InvalidArgument(
                std_errors::InvalidArgument::new(std_errors::InvalidArgumentRequired { messages }),
            )),
            Err(UpdateSessionError::Subscribed(messages)) => Err(Error::InvalidElementType(
                std_errors::InvalidElementType::new(std_errors::InvalidElementTypeRequired {
                    messages,
                }),
            )),
            Err(UpdateSessionError::NotFound(messages)) => Err(Error::NotFound(
                std_errors::NotFound::new(std_errors::NotFoundRequired { messages }),
            )),
            Err(UpdateSessionError::Busy(messages)) => Err(Error::ResourceBusy(
                std_errors::ResourceBusy::new(std_errors::ResourceBusyRequired { messages }),
            )),
        }
    }

    async fn content_library_item_update_session_create_rest(
        &self,
        principal: &Caller,
        request: ops::content_library_item_update_session_create_rest::Request,
    ) -> Result<String, ops::content_library_item_update_session_create_rest::Error> {
        self.injected_fault::<ops::content_library_item_update_session_create_rest::Endpoint>()?;
        use ops::content_library_item_update_session_create_rest::Error;
        let item = request.create_spec.library_item_id.clone();
        let token = request.client_token.map(|token| {
            let operation = ops::content_library_item_update_session_create_rest::OPERATION;
            (
                principal.user.clone(),
                operation.operation_id.to_owned(),
                token,
            )
        });
        match self.create_update_session(item, token) {
            Ok(session) => Ok(session),
            Err(UpdateSessionError::Invalid(messages)) => Err(Error::InvalidArgument(
                std_errors::InvalidArgument::new(std_errors::InvalidArgumentRequired { messages }),
            )),
            Err(UpdateSessionError::Subscribed(messages)) => Err(Error::InvalidElementType(
                std_errors::InvalidElementType::new(std_errors::InvalidElementTypeRequired {
                    messages,
                }),
            )),
            Err(UpdateSessionError::NotFound(messages)) => Err(Error::NotFound(
                std_errors::NotFound::new(std_errors::NotFoundRequired { messages }),
            )),
            Err(UpdateSessionError::Busy(messages)) => Err(Error::ResourceBusy(
                std_errors::ResourceBusy::new(std_errors::ResourceBusyRequired { messages }),
            )),
        }
    }

    async fn content_library_subscriptions_create(
        &self,
        _principal: &Caller,
        request: ops::content_library_subscriptions_create::Request,
    ) -> Result<String, ops::content_library_subscriptions_create::Error> {
        self.injected_fault::<ops::content_library_subscriptions_create::Endpoint>()?;
        use ops::content_library_subscriptions_create::Error;
        let mut state = self.lock();
        let Some(library) = state.libraries.get(&request.library).cloned() else {
            return Err(Error::NotFound(std_error!(
                NotFound,
                NotFoundRequired,
                "com.vmware.content.library.not_found",
                format!("Library {} does not exist.", request.library)
            )));
        };
        if library.subscribed {
            return Err(Error::InvalidElementType(std_error!(
                InvalidElementType,
                InvalidElementTypeRequired,
                "com.vmware.content.library.subscriptions.subscribed_library",
                "A subscribed library cannot be subscribed to."
            )));
        }
        if !library.published {
            return Err(Error::NotAllowedInCurrentState(std_error!(
                NotAllowedInCurrentState,
                NotAllowedInCurrentStateRequired,
                "com.vmware.content.library.subscriptions.not_published",
                format!("Library {} is not published.", request.library)
            )));
        }
        let CreateSpecSubscribedLibrary {
            target,
            location,
            subscribed_library,
            new_subscribed_library,
            vcenter,
            ..
        } = request.body.subscribed_library;
        if location == Location::Remote {
            let host = vcenter.map(|v| v.hostname).unwrap_or_default();
            return Err(Error::ResourceInaccessible(std_error!(
                ResourceInaccessible,
                ResourceInaccessibleRequired,
                "com.vmware.content.library.subscriptions.vcenter_unreachable",
                format!("The vCenter Server `{host}` cannot be reached.")
            )));
        }
        let subscriber = match (target, subscribed_library, new_subscribed_library) {
            (Target::UseExisting, Some(existing), _) => {
                if !state.libraries.contains_key(&existing) {
                    return Err(Error::NotFound(std_error!(
                        NotFound,
                        NotFoundRequired,
                        "com.vmware.content.library.not_found",
                        format!("Library {existing} does not exist.")
                    )));
                }
                if state.subscriptions.values().any(|(published, subscriber)| {
                    *published == request.library && *subscriber == existing
                }) {
                    return Err(Error::AlreadyExists(std_error!(
                        AlreadyExists,
                        AlreadyExistsRequired,
                        "com.vmware.content.library.subscriptions.already_exists",
                        format!(
                            "Library {existing} already subscribes to {}.",
                            request.library
                        )
                    )));
                }
                existing
            }
            (Target::CreateNew, _, Some(_new)) => {
                let id = state.next_id("lib");
                state.libraries.insert(
                    id.clone(),
                    Library {
                        published: false,
                        subscribed: true,
                    },
                );
                id
            }
            _ => {
                return Err(Error::InvalidArgument(std_error!(
                    InvalidArgument,
                    InvalidArgumentRequired,
                    "com.vmware.content.library.subscriptions.invalid_target",
                    "CREATE_NEW needs new_subscribed_library; USE_EXISTING needs subscribed_library."
                )));
            }
        };
        let subscription = state.next_id("subscription");
        state
            .subscriptions
            .insert(subscription.clone(), (request.library, subscriber));
        Ok(subscription)
    }

    async fn vcenter_vm_guest_filesystem_transfers_create(
        &self,
        _principal: &Caller,
        request: ops::vcenter_vm_guest_filesystem_transfers_create::Request,
    ) -> Result<String, ops::vcenter_vm_guest_filesystem_transfers_create::Error> {
        self.injected_fault::<ops::vcenter_vm_guest_filesystem_transfers_create::Endpoint>()?;
        use ops::vcenter_vm_guest_filesystem_transfers_create::Error;
        let mut state = self.lock();
        let Some(vm) = state.vms.get(&request.vm).cloned() else {
            return Err(Error::NotFound(transfer_errors::CreateNotFound::new(
                transfer_errors::CreateNotFoundRequired {
                    messages: message(
                        "com.vmware.vcenter.vm.not_found",
                        format!("Virtual machine {} does not exist.", request.vm),
                    ),
                },
            )));
        };
        if !vm.powered_on {
            return Err(Error::NotAllowedInCurrentState(std_error!(
                NotAllowedInCurrentState,
                NotAllowedInCurrentStateRequired,
                "com.vmware.vcenter.vm.guest.not_running",
                "The virtual machine is not running."
            )));
        }
        if !vm.tools_running {
            return Err(Error::ServiceUnavailable(std_error!(
                ServiceUnavailable,
                ServiceUnavailableRequired,
                "com.vmware.vcenter.vm.guest.tools_not_running",
                "VMware Tools is not running in the guest."
            )));
        }
        if !guest_login_ok(&vm, &request.body.credentials) {
            return Err(Error::Unauthenticated(std_error!(
                Unauthenticated,
                UnauthenticatedRequired,
                "com.vmware.vcenter.vm.guest.auth_failed",
                "The guest credentials were rejected."
            )));
        }
        let spec = request.body.spec;
        let details = |reason: ErrorReason| {
            FileErrorDetails::new(FileErrorDetailsRequired {
                reason,
                file_path: spec.path.clone(),
            })
        };
        if spec.path.len() > MAX_GUEST_PATH {
            return Err(Error::InvalidArgument(with_data(
                transfer_errors::CreateInvalidArgument::new(
                    transfer_errors::CreateInvalidArgumentRequired {
                        messages: message(
                            "com.vmware.vcenter.vm.guest.filesystem.path_too_long",
                            "The path is too long.",
                        ),
                    },
                ),
                |error| error.data = Some(details(ErrorReason::PathTooLong)),
            )));
        }
        let exists = vm.files.contains(&spec.path);
        match &spec.attributes {
            // Into the guest: an existing file is kept unless `overwrite`.
            Some(attributes) => {
                if exists && attributes.overwrite != Some(true) {
                    return Err(Error::AlreadyExists(with_data(
                        transfer_errors::CreateAlreadyExists::new(
                            transfer_errors::CreateAlreadyExistsRequired {
                                messages: message(
                                    "com.vmware.vcenter.vm.guest.filesystem.file_exists",
                                    format!("{} exists.", spec.path),
                                ),
                            },
                        ),
                        |error| error.data = Some(details(ErrorReason::NotAFile)),
                    )));
                }
                if let Some(vm) = state.vms.get_mut(&request.vm) {
                    vm.files.insert(spec.path.clone());
                }
            }
            // From the guest: the file must exist.
            None if !exists => {
                return Err(Error::NotFound(with_data(
                    transfer_errors::CreateNotFound::new(transfer_errors::CreateNotFoundRequired {
                        messages: message(
                            "com.vmware.vcenter.vm.guest.filesystem.file_not_found",
                            format!("{} does not exist.", spec.path),
                        ),
                    }),
                    |error| error.data = Some(details(ErrorReason::FileNotFound)),
                )));
            }
            None => {}
        }
        let transfer = state.next_id("transfer");
        // vCenter answers with `*` as the host; clients put in the host they called.
        Ok(format!(
            "https://*/guestFile?id={transfer}&vm={}",
            request.vm
        ))
    }
}

/// The errors both update-session forms share: which one, and its messages.
enum UpdateSessionError {
    Invalid(Vec<LocalizableMessage>),
    Subscribed(Vec<LocalizableMessage>),
    NotFound(Vec<LocalizableMessage>),
    Busy(Vec<LocalizableMessage>),
}

impl Simulator {
    /// Creates an update session on `item`; `client_token` is (user,
    /// operationId, token): a retried request of the same user through the
    /// same operation gets the same session, anyone else a new one.
    fn create_update_session(
        &self,
        item: Option<String>,
        client_token: Option<(String, String, String)>,
    ) -> Result<String, UpdateSessionError> {
        let mut state = self.lock();
        if let Some((first_item, session)) = client_token
            .as_ref()
            .and_then(|token| state.client_tokens.get(token))
        {
            if *first_item != item {
                return Err(UpdateSessionError::Invalid(message(
                    "com.vmware.content.updatesession.client_token_reused",
                    "This Client-Token was used for a request on another item.",
                )));
            }
            return Ok(session.clone()); // a retried request: same session
        }
        let Some(item) = item else {
            return Err(UpdateSessionError::Invalid(message(
                "com.vmware.content.updatesession.item_required",
                "library_item_id must be given.",
            )));
        };
        let Some(library) = state.items.get(&item).cloned() else {
            return Err(UpdateSessionError::NotFound(message(
                "com.vmware.content.item.not_found",
                format!("Item {item} does not exist."),
            )));
        };
        if state.libraries.get(&library).is_some_and(|l| l.subscribed) {
            return Err(UpdateSessionError::Subscribed(message(
                "com.vmware.content.updatesession.subscribed_item",
                format!("Item {item} belongs to a subscribed library."),
            )));
        }
        if state.update_sessions.values().any(|open| *open == item) {
            return Err(UpdateSessionError::Busy(message(
                "com.vmware.content.updatesession.busy",
                format!("Another update session is open on item {item}."),
            )));
        }
        let session = state.next_id("update-session");
        state.update_sessions.insert(session.clone(), item.clone());
        if let Some(token) = client_token {
            state
                .client_tokens
                .insert(token, (Some(item), session.clone()));
        }
        Ok(session)
    }

    /// The user of `session`, if it exists and has not been idle too long;
    /// using it keeps it alive.
    fn session_user(&self, session: &SecretString) -> Option<String> {
        let timeout = self.session_idle_timeout;
        let mut state = self.lock();
        let id = session.expose_secret();
        let now = Instant::now();
        let known = state.sessions.get_mut(id)?;
        if now.duration_since(known.last_used) > timeout {
            state.sessions.remove(id);
            return None;
        }
        known.last_used = now;
        Some(known.user.clone())
    }

    /// A new session for `user`; `None` if the OS has no randomness to give.
    fn new_session(&self, user: &str) -> Option<SecretString> {
        let id = random_session_id()?;
        let session = Session {
            user: user.to_owned(),
            last_used: Instant::now(),
        };
        self.lock().sessions.insert(id.clone(), session);
        Some(SecretString::new(id))
    }

    /// Ends the session `caller` called with.
    fn end_session(&self, caller: &Caller) {
        if let Some(session) = &caller.session {
            self.lock().sessions.remove(session.expose_secret());
        }
    }
}

/// Why no session was created.
fn no_randomness() -> vsphere_api::wire::Unexpected {
    vsphere_api::wire::Unexpected::transport("no random source for a session id")
}
