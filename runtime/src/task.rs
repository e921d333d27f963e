//! Waiting for a task (feature `client`): an operation whose operationId
//! ends in `$Task` answers with a [`TaskId`] at once and carries on in the
//! background; [`Client::wait`] (for an operation that names its result
//! type, a [`TaskOperation`]) and [`Client::wait_task`] poll
//! `GET /api/cis/tasks/{task}` until the task ends and return its typed
//! result, or the operation's typed error when it failed.

use crate::runtime::client::Client;
use crate::runtime::wire::{Operation, OperationError, TaskId, Unexpected};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::fmt;
use std::time::Duration;

/// How [`Client::wait_task`] polls: every `poll_interval`, for at most
/// `timeout` in all. Dropping the future stops it at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitOptions {
    poll_interval: Duration,
    timeout: Duration,
}

impl Default for WaitOptions {
    /// A poll every second, for at most 30 minutes (a depot import of a few
    /// gigabytes takes minutes).
    fn default() -> Self {
        WaitOptions {
            poll_interval: Duration::from_secs(1),
            timeout: Duration::from_secs(30 * 60),
        }
    }
}

impl WaitOptions {
    /// The pause between two reads of the task.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// How long to wait in all before giving up with [`TaskError::TimedOut`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// An operation that starts a task, with the type of the task's result (from
/// the spec's `x-vapi-task-result`): what [`Client::wait`] returns.
pub trait TaskOperation: Operation<Response = TaskId> {
    /// The task's result when it succeeds.
    type Output: DeserializeOwned;
}

/// Why [`Client::wait_task`] has no result.
#[derive(Clone, Debug, PartialEq)]
pub enum TaskError<E> {
    /// The task failed: the error of the operation that started it.
    Failed(E),
    /// The task had not ended when the timeout passed; it goes on running.
    TimedOut {
        /// The task.
        task: TaskId,
        /// The last status read (`PENDING`, `RUNNING`, `BLOCKED`), if any.
        last_status: Option<String>,
    },
    /// Reading the task failed: no answer, or not its information (for
    /// example a 404 for an unknown task, or a 401 for an expired session).
    Lookup(Unexpected),
    /// The task succeeded, but its `result` is not the operation's result type.
    Result(String),
}

impl<E: fmt::Display> fmt::Display for TaskError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskError::Failed(error) => write!(f, "the task failed: {error}"),
            TaskError::TimedOut { task, last_status } => write!(
                f,
                "task {task} did not end in time (last status: {})",
                last_status.as_deref().unwrap_or("unknown")
            ),
            TaskError::Lookup(unexpected) => write!(f, "cannot read the task: {unexpected}"),
            TaskError::Result(message) => write!(f, "the task's result does not decode: {message}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for TaskError<E> {}

/// The part of a task's information (`Cis.Task.Info`) that waiting needs.
#[derive(serde::Deserialize)]
struct TaskState {
    status: String,
    #[serde(default)]
    result: Option<Value>,
    #[serde(default)]
    error: Option<Value>,
}

impl Client {
    /// Waits for `task`, started by the operation `O`, to end: its typed
    /// result, or `O`'s typed error when it failed. For example
    /// `client.wait::<esx_settings_depots_offline_create_task::Endpoint>(&task, WaitOptions::default())`.
    pub async fn wait<O: TaskOperation>(
        &self,
        task: &TaskId,
        options: WaitOptions,
    ) -> Result<O::Output, TaskError<O::Error>> {
        self.wait_task::<O::Output, O::Error>(task, options).await
    }

    /// Waits for the task `task` to end: its result as `T` when it
    /// succeeded, or the error of the operation `E` that started it when it
    /// failed. `T` is what the operation documents as the task's result (for
    /// the offline depot import, `Esx.Settings.Depots.Offline.CreateResult`).
    pub async fn wait_task<T, E>(
        &self,
        task: &TaskId,
        options: WaitOptions,
    ) -> Result<T, TaskError<E>>
    where
        T: DeserializeOwned,
        E: OperationError,
    {
        let mut last_status = None;
        let polling = async {
            loop {
                let state = self.task_state(task).await.map_err(TaskError::Lookup)?;
                match state.status.as_str() {
                    "SUCCEEDED" => {
                        return serde_json::from_value(state.result.unwrap_or(Value::Null))
                            .map_err(|error| TaskError::Result(error.to_string()));
                    }
                    "FAILED" => return Err(TaskError::Failed(task_error(state.error))),
                    _ => last_status = Some(state.status),
                }
                tokio::time::sleep(options.poll_interval).await;
            }
        };
        match tokio::time::timeout(options.timeout, polling).await {
            Ok(outcome) => outcome,
            Err(_elapsed) => Err(TaskError::TimedOut {
                task: task.clone(),
                last_status,
            }),
        }
    }

    /// Reads `GET /api/cis/tasks/{task}`.
    async fn task_state(&self, task: &TaskId) -> Result<TaskState, Unexpected> {
        let id = percent_encoding::utf8_percent_encode(&task.0, percent_encoding::NON_ALPHANUMERIC);
        let response = self
            .raw("GET", &format!("/api/cis/tasks/{id}"))
            .send()
            .await?;
        let unexpected = |message: String| Unexpected {
            status: Some(response.status),
            headers: response.headers.clone(),
            body: response.body.clone(),
            message,
        };
        if response.status != 200 {
            return Err(unexpected(format!(
                "reading task {task} answered HTTP {}",
                response.status
            )));
        }
        response
            .json()
            .map_err(|error| unexpected(format!("not a task's information: {error}")))
    }
}

/// A failed task's `error` (a vapi error in the `/api` form) as the
/// operation's error: decoded as if the operation had answered it, with the
/// status its `error_type` is documented with.
fn task_error<E: OperationError>(error: Option<Value>) -> E {
    let Some(error) = error else {
        return E::unexpected(Unexpected {
            status: None,
            headers: Vec::new(),
            body: Vec::new(),
            message: "the task failed without an error".into(),
        });
    };
    let status = error
        .get("error_type")
        .and_then(Value::as_str)
        .and_then(|error_type| {
            E::CASES
                .iter()
                .find(|case| case.error_type == Some(error_type))
        })
        .map_or(500, |case| case.status);
    E::decode(status, Vec::new(), error.to_string().into_bytes())
}
