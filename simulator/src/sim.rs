//! An in-memory vCenter behind the generated server stubs.
//!
//! Only behaviour is written here: the state, and which documented error each
//! situation gives (as the vSphere API facts describe). Routing, parsing,
//! validation, authentication checks and the wire forms come from the
//! generated `server` module.

use crate::{ADMIN, PASSWORD, READONLY};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use vsphere_api::SecretString;
use vsphere_api::operations as ops;
use vsphere_api::types::content::library::subscriptions::create_spec_subscribed_library::Target;
use vsphere_api::types::content::library::subscriptions::{CreateSpecSubscribedLibrary, Location};
use vsphere_api::types::esx::settings::depots::offline::{
    CreateAlreadyExists, CreateAlreadyExistsRequired, CreateResult, CreateResultRequired,
    SourceType,
};
use vsphere_api::types::vapi::std::errors as std_errors;
use vsphere_api::types::vapi::std::{LocalizableMessage, LocalizableMessageRequired};
use vsphere_api::types::vcenter::vm::guest::Credentials as GuestCredentials;
use vsphere_api::types::vcenter::vm::guest::filesystem::transfers as transfer_errors;
use vsphere_api::types::vcenter::vm::guest::filesystem::{
    ErrorReason, FileErrorDetails, FileErrorDetailsRequired,
};
use vsphere_api::wire::OperationError;
use vsphere_api::wire::{Credentials, OperationInfo, TaskId};

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

/// Everything the simulator remembers.
#[derive(Debug, Default)]
pub struct State {
    /// Users by name.
    pub users: BTreeMap<String, User>,
    /// Session id -> user name.
    pub sessions: BTreeMap<String, String>,
    /// Offline depots: location -> depot id.
    pub depots: BTreeMap<String, String>,
    /// Tasks started: task id -> depot id.
    pub tasks: BTreeMap<String, String>,
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
    /// Client tokens already used: token -> the update session they created.
    pub client_tokens: BTreeMap<String, String>,
    /// Virtual machines by id.
    pub vms: BTreeMap<String, Vm>,
    /// For fresh identifiers.
    pub counter: u64,
}

impl State {
    fn next_id(&mut self, kind: &str) -> String {
        self.counter += 1;
        format!("{kind}-{}", self.counter)
    }
}

/// The simulator: a [`vsphere_api::server::Api`] over [`State`]. Clones share
/// the state, so a test can look inside the simulator it serves.
#[derive(Clone, Debug, Default)]
pub struct Simulator {
    /// Its state; held only briefly, never across an await.
    pub state: Arc<Mutex<State>>,
    /// Errors to answer the next call of an operation with, by operationId:
    /// for situations a test cannot bring about (a 503, an internal error, an
    /// error type a newer server might send).
    pub faults: Arc<Mutex<BTreeMap<String, (u16, serde_json::Value)>>>,
}

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
    /// `item-subscribed`; VMs `vm-on` (running, with `/tmp/existing.txt`),
    /// `vm-off` and `vm-no-tools`, with guest user `root` / `guest-pass`.
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
        Simulator {
            state: Arc::new(Mutex::new(state)),
            faults: Arc::default(),
        }
    }

    /// Makes the next call of `operation_id` fail with `status` and the vapi error `body`.
    pub fn inject_fault(&self, operation_id: &str, status: u16, body: serde_json::Value) {
        let mut faults = self
            .faults
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        faults.insert(operation_id.to_owned(), (status, body));
    }

    /// The fault injected for `operation`, if any (taken: it happens once).
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
    type Principal = String;

    async fn authenticate(
        &self,
        credentials: &Credentials,
        operation: &OperationInfo,
    ) -> Option<String> {
        let state = self.lock();
        let accepts = |scheme: &str| operation.security.contains(&scheme);
        match credentials {
            Credentials::SessionId(session) if accepts("session_id") => {
                state.sessions.get(session.expose_secret()).cloned()
            }
            Credentials::Bearer(token) if accepts("bearer_auth") => {
                state.sessions.get(token.expose_secret()).cloned()
            }
            Credentials::Basic { user, password } if accepts("basic_auth") => state
                .users
                .get(user)
                .filter(|known| known.password == *password)
                .map(|_| user.clone()),
            _ => None,
        }
    }

    async fn authorize(
        &self,
        principal: &String,
        operation: &OperationInfo,
        _object: Option<&str>,
    ) -> bool {
        let state = self.lock();
        let Some(user) = state.users.get(principal) else {
            return false;
        };
        operation
            .privileges
            .iter()
            .all(|privilege| user.privileges.contains(*privilege))
    }

    async fn cis_session_create(
        &self,
        principal: &String,
        _request: ops::cis_session_create::Request,
    ) -> Result<SecretString, ops::cis_session_create::Error> {
        if let Some((status, body)) = self.take_fault(&ops::cis_session_create::OPERATION) {
            return Err(ops::cis_session_create::Error::decode(
                status,
                Vec::new(),
                body,
            ));
        }
        let mut state = self.lock();
        let session = format!(
            "{:032x}",
            0x5e55_1d00_u64.wrapping_mul(state.counter + 7919)
        );
        state.counter += 1;
        state.sessions.insert(session.clone(), principal.clone());
        Ok(SecretString::new(session))
    }

    async fn esx_settings_depots_offline_create_task(
        &self,
        _principal: &String,
        request: ops::esx_settings_depots_offline_create_task::Request,
    ) -> Result<TaskId, ops::esx_settings_depots_offline_create_task::Error> {
        if let Some((status, body)) =
            self.take_fault(&ops::esx_settings_depots_offline_create_task::OPERATION)
        {
            return Err(ops::esx_settings_depots_offline_create_task::Error::decode(
                status,
                Vec::new(),
                body,
            ));
        }
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
        let depot = state.next_id("depot");
        state.depots.insert(key, depot.clone());
        let task = state.next_id("task");
        state.tasks.insert(task.clone(), depot);
        Ok(TaskId(task))
    }

    async fn esx_settings_repository_software_drafts_create(
        &self,
        _principal: &String,
        request: ops::esx_settings_repository_software_drafts_create::Request,
    ) -> Result<String, ops::esx_settings_repository_software_drafts_create::Error> {
        if let Some((status, body)) =
            self.take_fault(&ops::esx_settings_repository_software_drafts_create::OPERATION)
        {
            return Err(
                ops::esx_settings_repository_software_drafts_create::Error::decode(
                    status,
                    Vec::new(),
                    body,
                ),
            );
        }
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
        _principal: &String,
        request: ops::content_library_item_update_session_create::Request,
    ) -> Result<String, ops::content_library_item_update_session_create::Error> {
        if let Some((status, body)) =
            self.take_fault(&ops::content_library_item_update_session_create::OPERATION)
        {
            return Err(
                ops::content_library_item_update_session_create::Error::decode(
                    status,
                    Vec::new(),
                    body,
                ),
            );
        }
        use ops::content_library_item_update_session_create::Error;
        let item = request.body.library_item_id.clone();
        match self.create_update_session(item, request.client_token) {
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
        _principal: &String,
        request: ops::content_library_item_update_session_create_rest::Request,
    ) -> Result<String, ops::content_library_item_update_session_create_rest::Error> {
        if let Some((status, body)) =
            self.take_fault(&ops::content_library_item_update_session_create_rest::OPERATION)
        {
            return Err(
                ops::content_library_item_update_session_create_rest::Error::decode(
                    status,
                    Vec::new(),
                    body,
                ),
            );
        }
        use ops::content_library_item_update_session_create_rest::Error;
        let item = request.create_spec.library_item_id.clone();
        match self.create_update_session(item, request.client_token) {
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
        _principal: &String,
        request: ops::content_library_subscriptions_create::Request,
    ) -> Result<String, ops::content_library_subscriptions_create::Error> {
        if let Some((status, body)) =
            self.take_fault(&ops::content_library_subscriptions_create::OPERATION)
        {
            return Err(ops::content_library_subscriptions_create::Error::decode(
                status,
                Vec::new(),
                body,
            ));
        }
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
        _principal: &String,
        request: ops::vcenter_vm_guest_filesystem_transfers_create::Request,
    ) -> Result<String, ops::vcenter_vm_guest_filesystem_transfers_create::Error> {
        if let Some((status, body)) =
            self.take_fault(&ops::vcenter_vm_guest_filesystem_transfers_create::OPERATION)
        {
            return Err(
                ops::vcenter_vm_guest_filesystem_transfers_create::Error::decode(
                    status,
                    Vec::new(),
                    body,
                ),
            );
        }
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
    fn create_update_session(
        &self,
        item: Option<String>,
        client_token: Option<String>,
    ) -> Result<String, UpdateSessionError> {
        let mut state = self.lock();
        if let Some(session) = client_token
            .as_ref()
            .and_then(|token| state.client_tokens.get(token))
        {
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
        state.update_sessions.insert(session.clone(), item);
        if let Some(token) = client_token {
            state.client_tokens.insert(token, session.clone());
        }
        Ok(session)
    }
}
