//! When the client tries a call again (feature `client`): the policy a
//! [`ClientBuilder`](crate::runtime::client::ClientBuilder) is given, and
//! which failures are safe to retry.

use std::time::Duration;

/// How often, and for how long, a call is tried again after a transient
/// failure: a connect failure, a timeout, 503 ServiceUnavailable, 504
/// TimedOut, or a vapi error whose `data` is a `TransientIndication` with
/// `is_transient: true`.
///
/// Only what is safe is retried: a failure to connect (nothing was sent)
/// always; anything else only for an idempotent call (GET, HEAD, PUT,
/// DELETE) or one that carries a `Client-Token`, which the client sends
/// unchanged on every attempt (and makes itself when the caller gave none),
/// so that the server creates once.
///
/// [`RetryPolicy::standard`] is aws-sdk-rust's default: 3 attempts in all,
/// exponential backoff from 1 s (at most 20 s) with full jitter. A client
/// retries nothing unless its builder is given a policy
/// ([`ClientBuilder::retry`](crate::runtime::client::ClientBuilder::retry)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    deadline: Option<Duration>,
}

impl Default for RetryPolicy {
    /// [`RetryPolicy::none`]: a client retries only when asked to.
    fn default() -> Self {
        RetryPolicy::none()
    }
}

impl RetryPolicy {
    /// No retries: every call is sent once.
    pub const fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            initial_backoff: Duration::ZERO,
            max_backoff: Duration::ZERO,
            deadline: None,
        }
    }

    /// 3 attempts in all, backoff from 1 s doubling up to 20 s, each delay
    /// drawn at random below that bound (full jitter), no overall deadline
    /// beyond each attempt's timeout.
    pub const fn standard() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(20),
            deadline: None,
        }
    }

    /// At most `attempts` attempts in all (the first one included; 0 is taken as 1).
    pub const fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = if attempts == 0 { 1 } else { attempts };
        self
    }

    /// The bound of the first delay, doubled after each attempt up to `max`.
    pub const fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max;
        self
    }

    /// A time limit for the whole call, every attempt and delay included:
    /// when it passes, the call ends with the last failure (or a timeout).
    pub const fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// How many attempts a call may make in all.
    pub const fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The time limit for a whole call, if any.
    pub const fn deadline(&self) -> Option<Duration> {
        self.deadline
    }

    /// The delay before attempt `next` (2 for the first retry): a random
    /// duration below `initial * 2^(next - 2)`, capped at the maximum.
    pub fn backoff(&self, next: u32) -> Duration {
        let doublings = next.saturating_sub(2).min(31);
        let bound = self
            .initial_backoff
            .saturating_mul(1 << doublings)
            .min(self.max_backoff);
        bound.mul_f64(fastrand::f64())
    }
}

/// Why an attempt failed, as far as retrying goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The connection could not be made: nothing was sent.
    Connect,
    /// No whole answer within the timeout.
    Timeout,
    /// The connection failed after the request may have been sent.
    Transport,
    /// 503, 504, or a vapi error marked transient.
    Transient,
    /// 401: the session is no longer accepted.
    Unauthenticated,
    /// Anything else: an answer to give to the caller.
    Final,
}

impl Failure {
    /// Whether another attempt is safe: a connect failure always, anything
    /// transient only when repeating the call cannot do it twice.
    pub fn retryable(self, repeatable: bool) -> bool {
        match self {
            Failure::Connect => true,
            Failure::Timeout | Failure::Transport | Failure::Transient => repeatable,
            Failure::Unauthenticated | Failure::Final => false,
        }
    }

    /// What the failure is called in a retry's trace event.
    pub fn name(self) -> &'static str {
        match self {
            Failure::Connect => "connect",
            Failure::Timeout => "timeout",
            Failure::Transport => "transport",
            Failure::Transient => "transient",
            Failure::Unauthenticated => "unauthenticated",
            Failure::Final => "final",
        }
    }

    /// The failure an HTTP answer is: its status, and for other errors the
    /// `TransientIndication` in the vapi error's `data` (either wire form).
    pub fn of_answer(status: u16, body: &[u8]) -> Failure {
        match status {
            503 | 504 => Failure::Transient,
            401 => Failure::Unauthenticated,
            400.. if marked_transient(body) => Failure::Transient,
            _ => Failure::Final,
        }
    }
}

/// Whether a method is idempotent: sending it twice does what once does.
pub fn idempotent(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS")
}

/// Whether a vapi error's `data` is a `TransientIndication` with
/// `is_transient: true`: `{"error_type", "data"}` in the `/api` form,
/// `{"type", "value": {"data"}}` in the legacy `/rest` one.
fn marked_transient(body: &[u8]) -> bool {
    let Ok(error) = serde_json::from_slice::<serde_json::Value>(body) else {
        return false;
    };
    let data = error
        .get("data")
        .or_else(|| error.get("value").and_then(|value| value.get("data")));
    data.and_then(|data| data.get("is_transient"))
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false)
}

/// The vapi error type an error body names (`NOT_FOUND`), for tracing: the
/// `/api` form's `error_type`, or the legacy `type`'s last part upper-cased.
pub fn error_type(body: &[u8]) -> Option<String> {
    let error = serde_json::from_slice::<serde_json::Value>(body).ok()?;
    if let Some(kind) = error.get("error_type").and_then(serde_json::Value::as_str) {
        return Some(kind.to_owned());
    }
    let legacy = error.get("type").and_then(serde_json::Value::as_str)?;
    legacy
        .rsplit('.')
        .next()
        .map(|name| name.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_jittered_below_a_doubling_capped_bound() {
        let policy = RetryPolicy::standard()
            .with_backoff(Duration::from_millis(100), Duration::from_millis(250));
        for _ in 0..100 {
            assert!(policy.backoff(2) < Duration::from_millis(100));
            assert!(policy.backoff(3) < Duration::from_millis(200));
            assert!(policy.backoff(40) <= Duration::from_millis(250));
        }
        assert_eq!(RetryPolicy::none().with_max_attempts(0).max_attempts(), 1);
    }

    #[test]
    fn transient_answers_are_recognised_in_both_wire_forms() {
        let api = br#"{"error_type":"ERROR","messages":[],"data":{"is_transient":true}}"#;
        let legacy = br#"{"type":"com.vmware.vapi.std.errors.error","value":{"messages":[],"data":{"is_transient":true}}}"#;
        let not = br#"{"error_type":"ERROR","messages":[],"data":{"is_transient":false}}"#;
        assert_eq!(Failure::of_answer(500, api), Failure::Transient);
        assert_eq!(Failure::of_answer(500, legacy), Failure::Transient);
        assert_eq!(Failure::of_answer(500, not), Failure::Final);
        assert_eq!(Failure::of_answer(503, b""), Failure::Transient);
        assert_eq!(Failure::of_answer(401, b""), Failure::Unauthenticated);
        assert_eq!(Failure::of_answer(200, api), Failure::Final);
        assert_eq!(error_type(legacy).as_deref(), Some("ERROR"));
        assert_eq!(error_type(not).as_deref(), Some("ERROR"));
    }

    #[test]
    fn only_connect_failures_are_retried_for_calls_that_cannot_be_repeated() {
        assert!(Failure::Connect.retryable(false));
        for failure in [Failure::Timeout, Failure::Transport, Failure::Transient] {
            assert!(!failure.retryable(false));
            assert!(failure.retryable(true));
        }
        assert!(!Failure::Final.retryable(true));
        assert!(idempotent("PUT") && !idempotent("POST") && !idempotent("PATCH"));
    }
}
