//! Waiters: poll an operation with backoff until the resource reaches a state, or a deadline passes.
//!
//! Each API declares its waiters as data ([`Waiter`]): the operation polled, where the state sits in
//! its answer, which states end the wait well and which end it badly. One loop
//! ([`wait_until`]) serves them all, in every language, on the client's clock and sleep, so tests run
//! them on a manual clock.
//!
//! ```no_run
//! # async fn run() -> zkit::Result<()> {
//! use zkit::wait::{wait_until, WaitOptions};
//! let zerokie = zkit::Zerokie::from_env()?;
//! let app = wait_until(&zerokie, "app_running", serde_json::json!({"name": "my-app"}), WaitOptions::default()).await?;
//! println!("{} is {}", app["name"], app["status"]);
//! # Ok(()) }
//! ```

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, ErrorKind, Result};
use crate::{CallOptions, DynamicApi};

/// A state to wait for: the operation polled and how its answer is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Waiter {
    /// The waiter's snake_case name, such as `app_running`.
    pub name: &'static str,
    /// What it waits for, in a sentence.
    pub doc: &'static str,
    /// The snake_case operation polled.
    pub operation: &'static str,
    /// Where the state sits in the answer (of the item [`Waiter::find`] picks), a JSON pointer.
    pub state: &'static str,
    /// States that end the wait: the resource is there.
    pub done: &'static [&'static str],
    /// States that end the wait with an error: the resource will not get there on its own.
    pub failed: &'static [&'static str],
    /// For an operation that answers a list: which item to watch.
    pub find: Option<Find>,
}

/// Picks one item of a list answer: the one whose `key` equals the input field `input` (which the
/// waiter takes beside the operation's own input, and does not send).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Find {
    /// The waiter's extra input field, such as `deployment_id`.
    pub input: &'static str,
    /// The item's field it is compared with, such as `id`.
    pub key: &'static str,
    /// What the field holds, for help texts.
    pub doc: &'static str,
}

/// An API's waiters.
pub trait Waiters: DynamicApi {
    /// Every waiter of the API.
    fn waiters() -> &'static [Waiter];
}

/// How long a wait lasts and how often it polls. Every field has a default, so `{}` in JSON is a
/// whole value.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WaitOptions {
    /// How long to wait in all (10 minutes by default).
    #[serde(with = "crate::model::millis", rename = "timeout_ms")]
    pub timeout: Duration,
    /// The pause after the first poll (1 second by default); each pause is 1.5 times the last.
    #[serde(with = "crate::model::millis", rename = "first_delay_ms")]
    pub first_delay: Duration,
    /// The longest pause between polls (15 seconds by default).
    #[serde(with = "crate::model::millis", rename = "max_delay_ms")]
    pub max_delay: Duration,
}

impl Default for WaitOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10 * 60),
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(15),
        }
    }
}

impl WaitOptions {
    /// The default pacing with another overall limit.
    pub fn timeout(timeout: Duration) -> Self {
        Self { timeout, ..Self::default() }
    }
}

/// The waiter `name` of `A`, or an error naming the ones there are.
pub fn find_waiter<A: Waiters>(name: &str) -> Result<&'static Waiter> {
    A::waiters().iter().find(|waiter| waiter.name == name).ok_or_else(|| {
        let known: Vec<&str> = A::waiters().iter().map(|waiter| waiter.name).collect();
        Error::invalid_input(
            "waiter",
            format!("{name:?} is not a waiter of {}; there are {}", A::PROFILE.name, known.join(", ")),
        )
    })
}

/// The waiters of `A` by name, as bindings and the command line show them: each one's `doc`, the
/// `operation` it polls (whose input it takes), the extra `find` field it needs (or null), and the
/// states that end it, `done` and `failed`.
pub fn describe<A: Waiters>() -> Value {
    let waiters = A::waiters().iter().map(|waiter| {
        let described = serde_json::json!({
            "doc": waiter.doc,
            "operation": waiter.operation,
            "find": waiter.find.map(|find| find.input),
            "done": waiter.done,
            "failed": waiter.failed,
        });
        (waiter.name.to_owned(), described)
    });
    Value::Object(waiters.collect())
}

/// Polls until the waiter's state is reached and answers the last answer (the item, for a waiter
/// that finds one in a list). A state that cannot lead there is a `conflict` error, running out of
/// time a `timeout` error; both carry `{"waiter", "last_state", "last"}` as details.
pub async fn wait_until<A: Waiters>(api: &A, waiter: &str, input: Value, options: WaitOptions) -> Result<Value> {
    let waiter = find_waiter::<A>(waiter)?;
    let (input, wanted) = split_find(waiter, input)?;
    let client = api.client();
    let sleep = client.sleep();
    let started = client.now();
    let mut delay = options.first_delay;
    loop {
        let answer = api.call_dynamic(waiter.operation, input.clone(), CallOptions::default()).await?.data;
        let item = match (&waiter.find, &wanted) {
            (Some(find), Some(wanted)) => pick(&answer, find.key, wanted),
            _ => Some(answer),
        };
        let state =
            item.as_ref().and_then(|item| item.pointer(waiter.state)).and_then(Value::as_str).map(str::to_owned);
        let stop = |kind, message: String| {
            Error::new(kind, message).with_details(serde_json::json!({
                "waiter": waiter.name,
                "last_state": state,
                "last": item,
            }))
        };
        match state.as_deref() {
            Some(state) if waiter.done.contains(&state) => return Ok(item.unwrap_or(Value::Null)),
            Some(state) if waiter.failed.contains(&state) => {
                return Err(stop(
                    ErrorKind::Conflict,
                    format!("{}: stopped at {state:?}, which does not lead there", waiter.name),
                ))
            }
            _ => {}
        }
        let waited = client.now().saturating_sub(started);
        if waited >= options.timeout {
            let seen =
                state.as_deref().map_or_else(|| "no state yet".to_owned(), |state| format!("last state {state:?}"));
            return Err(stop(
                ErrorKind::Timeout,
                format!("{}: not reached after {}s ({seen})", waiter.name, options.timeout.as_secs()),
            ));
        }
        sleep.sleep(delay.min(options.timeout - waited)).await;
        delay = delay.mul_f64(1.5).min(options.max_delay);
    }
}

/// [`wait_until`], its answer decoded as `T`: what the typed waiters of each client answer.
pub(crate) async fn wait_for<A: Waiters, T: serde::de::DeserializeOwned>(
    api: &A,
    waiter: &str,
    input: Value,
    options: WaitOptions,
) -> Result<T> {
    let answer = wait_until(api, waiter, input, options).await?;
    serde_json::from_value(answer).map_err(|error| Error::new(ErrorKind::Decode, format!("{waiter}: {error}")))
}

/// Takes the waiter's own field out of the input, leaving what the operation takes.
fn split_find(waiter: &Waiter, mut input: Value) -> Result<(Value, Option<Value>)> {
    let Some(find) = &waiter.find else { return Ok((input, None)) };
    let wanted = input.as_object_mut().and_then(|fields| fields.remove(find.input));
    match wanted {
        Some(wanted) if !wanted.is_null() => Ok((input, Some(wanted))),
        _ => Err(Error::invalid_input(find.input, "is required")),
    }
}

/// The item of a list answer (a bare array, or a page's `items`) whose `key` is `wanted`.
fn pick(answer: &Value, key: &str, wanted: &Value) -> Option<Value> {
    let items = answer.as_array().or_else(|| answer.get("items").and_then(Value::as_array))?;
    items.iter().find(|item| item.get(key) == Some(wanted)).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_waiter_polls_an_operation_of_its_api_and_its_find_field_is_not_an_input_field() {
        fn check<A: Waiters>() {
            for waiter in A::waiters() {
                let spec = A::operations().iter().find(|op| op.name == waiter.operation);
                assert!(spec.is_some(), "{}: no operation {}", waiter.name, waiter.operation);
                assert!(waiter.state.starts_with('/'), "{}: a JSON pointer", waiter.name);
                assert!(!waiter.done.is_empty(), "{}", waiter.name);
                assert!(waiter.done.iter().all(|state| !waiter.failed.contains(state)), "{}", waiter.name);
            }
        }
        check::<crate::Zerokie>();
        check::<crate::Zenifra>();
        check::<crate::Zyra>();
        check::<crate::Zenovay>();
    }

    #[test]
    fn a_list_answer_gives_the_item_asked_for() {
        let answer = serde_json::json!([{"id": "dep_1", "status": "live"}, {"id": "dep_2", "status": "building"}]);
        assert_eq!(pick(&answer, "id", &"dep_2".into()).unwrap()["status"], "building");
        let page = serde_json::json!({"items": [{"id": "a"}], "total": 1});
        assert!(pick(&page, "id", &"a".into()).is_some());
        assert!(pick(&page, "id", &"b".into()).is_none());
    }
}
