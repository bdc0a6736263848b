//! Zyra's jobs: ML jobs and fine-tuning jobs, which run on the sandbox clock (`queued`, `running` 10 s
//! after they are created, `succeeded` 60 s after, worked out from `created_at` when asked, or
//! `cancelled`), and inference requests, which complete at once with a deterministic output.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::extract::{Path, State};
use bytes::Bytes;
use serde_json::{json, Value};

use super::{
    body_object, created, integer_in, invalid_state, not_found, ok, optional_string, page, required_string, Caller,
    Create, Read, Reply, Store, Write,
};
use crate::body::Params;
use crate::clock::rfc3339;
use crate::{lock, Shared};

/// How long a job is queued.
const QUEUED_FOR: Duration = Duration::from_secs(10);
/// How long after its creation a job succeeds.
const SUCCEEDS_AFTER: Duration = Duration::from_secs(60);

/// When a job was created and cancelled, from which its status follows.
#[derive(Clone, Debug)]
struct Lifecycle {
    created: SystemTime,
    cancelled: Option<SystemTime>,
}

impl Lifecycle {
    fn new(now: SystemTime) -> Self {
        Self { created: now, cancelled: None }
    }

    /// The moment the status is judged at: now, or when the job was cancelled.
    fn until(&self, now: SystemTime) -> SystemTime {
        self.cancelled.unwrap_or(now)
    }

    fn status(&self, now: SystemTime) -> &'static str {
        let elapsed = self.until(now).duration_since(self.created).unwrap_or_default();
        if self.cancelled.is_some() {
            "cancelled"
        } else if elapsed < QUEUED_FOR {
            "queued"
        } else if elapsed < SUCCEEDS_AFTER {
            "running"
        } else {
            "succeeded"
        }
    }

    fn finished(&self, now: SystemTime) -> bool {
        matches!(self.status(now), "succeeded" | "cancelled")
    }

    /// `status`, `created_at`, `started_at` and `finished_at` (the last two `null` until then).
    fn fields(&self, now: SystemTime) -> Value {
        let until = self.until(now);
        let started = self.created + QUEUED_FOR;
        let finished = match self.cancelled {
            Some(cancelled) => Some(cancelled),
            None => Some(self.created + SUCCEEDS_AFTER).filter(|at| *at <= now),
        };
        json!({
            "status": self.status(now),
            "created_at": rfc3339(self.created),
            "started_at": (started <= until).then(|| rfc3339(started)),
            "finished_at": finished.map(rfc3339),
        })
    }
}

/// What the ML and fine-tuning routes share.
trait Job {
    /// What a 404 calls it.
    const WHAT: &'static str;
    fn id(&self) -> &str;
    fn lifecycle(&mut self) -> &mut Lifecycle;
    /// The job as the API answers it, at `now`.
    fn view(&self, now: SystemTime) -> Value;
}

/// Where the jobs of one kind are kept.
type Jobs<J> = fn(&mut Store) -> &mut Vec<J>;

/// `fields` of a job followed by its lifecycle's fields, in one object.
fn with_lifecycle(mut fields: Value, lifecycle: &Lifecycle, now: SystemTime) -> Value {
    if let (Some(map), Value::Object(more)) = (fields.as_object_mut(), lifecycle.fields(now)) {
        map.extend(more);
    }
    fields
}

/// An ML job.
#[derive(Clone, Debug)]
pub(super) struct MlJob {
    id: String,
    name: String,
    model: String,
    dataset: Option<String>,
    gpu_count: u64,
    lifecycle: Lifecycle,
}

impl Job for MlJob {
    const WHAT: &'static str = "ML job";
    fn id(&self) -> &str {
        &self.id
    }
    fn lifecycle(&mut self) -> &mut Lifecycle {
        &mut self.lifecycle
    }
    fn view(&self, now: SystemTime) -> Value {
        let fields = json!({
            "id": self.id, "name": self.name, "model": self.model, "dataset": self.dataset, "gpu_count": self.gpu_count,
        });
        with_lifecycle(fields, &self.lifecycle, now)
    }
}

/// A fine-tuning job.
#[derive(Clone, Debug)]
pub(super) struct FineTuningJob {
    id: String,
    base_model: String,
    training_file: String,
    suffix: Option<String>,
    lifecycle: Lifecycle,
}

impl Job for FineTuningJob {
    const WHAT: &'static str = "fine-tuning job";
    fn id(&self) -> &str {
        &self.id
    }
    fn lifecycle(&mut self) -> &mut Lifecycle {
        &mut self.lifecycle
    }
    /// With `fine_tuned_model` once it succeeded: `ft:<base model>:<suffix or "sandbox">:<id>`.
    fn view(&self, now: SystemTime) -> Value {
        let model = (self.lifecycle.status(now) == "succeeded")
            .then(|| format!("ft:{}:{}:{}", self.base_model, self.suffix.as_deref().unwrap_or("sandbox"), self.id));
        let fields = json!({
            "id": self.id, "base_model": self.base_model, "training_file": self.training_file, "suffix": self.suffix,
            "fine_tuned_model": model,
        });
        with_lifecycle(fields, &self.lifecycle, now)
    }
}

fn list_jobs<J: Job>(shared: &Shared, params: &Params, jobs: Jobs<J>) -> Reply {
    let now = shared.clock.now();
    let mut store = lock(&shared.zyra);
    page(params, jobs(&mut store).iter().map(|job| job.view(now)))
}

fn get_job<J: Job>(shared: &Shared, id: &str, jobs: Jobs<J>) -> Reply {
    let now = shared.clock.now();
    let mut store = lock(&shared.zyra);
    ok(jobs(&mut store).iter().find(|job| job.id() == id).ok_or_else(|| not_found(J::WHAT))?.view(now))
}

/// Cancels a job that has not finished; a succeeded or cancelled one is 409.
fn cancel_job<J: Job>(shared: &Shared, id: &str, jobs: Jobs<J>) -> Reply {
    let now = shared.clock.now();
    let mut store = lock(&shared.zyra);
    let job = jobs(&mut store).iter_mut().find(|job| job.id() == id).ok_or_else(|| not_found(J::WHAT))?;
    let lifecycle = job.lifecycle();
    if lifecycle.finished(now) {
        return Err(invalid_state(format!("the {} has {} already", J::WHAT, lifecycle.status(now))));
    }
    lifecycle.cancelled = Some(now);
    ok(job.view(now))
}

fn ml_jobs(store: &mut Store) -> &mut Vec<MlJob> {
    &mut store.ml_jobs
}

fn fine_tuning_jobs(store: &mut Store) -> &mut Vec<FineTuningJob> {
    &mut store.fine_tuning_jobs
}

/// `GET /ml/jobs`.
pub(super) async fn list_ml(State(shared): State<Arc<Shared>>, _caller: Caller<Read>, params: Params) -> Reply {
    list_jobs(&shared, &params, ml_jobs)
}

/// `GET /ml/jobs/{id}`.
pub(super) async fn get_ml(State(shared): State<Arc<Shared>>, _caller: Caller<Read>, Path(id): Path<String>) -> Reply {
    get_job(&shared, &id, ml_jobs)
}

/// `POST /ml/jobs {name, model, dataset?, gpu_count?}`: 201, `queued`; `gpu_count` 1 to 16, default 1.
pub(super) async fn create_ml(State(shared): State<Arc<Shared>>, _caller: Caller<Create>, body: Bytes) -> Reply {
    let map = body_object(&body, &["name", "model", "dataset", "gpu_count"])?;
    let name = required_string(&map, "name")?;
    let model = required_string(&map, "model")?;
    let dataset = optional_string(&map, "dataset")?;
    let gpu_count = integer_in(&map, "gpu_count", 1..=16)?.unwrap_or(1);
    let now = shared.clock.now();
    let mut store = lock(&shared.zyra);
    let job = MlJob { id: store.ids.next("job_"), name, model, dataset, gpu_count, lifecycle: Lifecycle::new(now) };
    let view = job.view(now);
    store.ml_jobs.push(job);
    created(view)
}

/// `POST /ml/jobs/{id}/cancel`.
pub(super) async fn cancel_ml(
    State(shared): State<Arc<Shared>>,
    _caller: Caller<Write>,
    Path(id): Path<String>,
) -> Reply {
    cancel_job(&shared, &id, ml_jobs)
}

/// `GET /fine-tuning/jobs`.
pub(super) async fn list_fine_tuning(
    State(shared): State<Arc<Shared>>,
    _caller: Caller<Read>,
    params: Params,
) -> Reply {
    list_jobs(&shared, &params, fine_tuning_jobs)
}

/// `GET /fine-tuning/jobs/{id}`.
pub(super) async fn get_fine_tuning(
    State(shared): State<Arc<Shared>>,
    _caller: Caller<Read>,
    Path(id): Path<String>,
) -> Reply {
    get_job(&shared, &id, fine_tuning_jobs)
}

/// `POST /fine-tuning/jobs {base_model, training_file, suffix?}`: 201, `queued`.
pub(super) async fn create_fine_tuning(
    State(shared): State<Arc<Shared>>,
    _caller: Caller<Create>,
    body: Bytes,
) -> Reply {
    let map = body_object(&body, &["base_model", "training_file", "suffix"])?;
    let base_model = required_string(&map, "base_model")?;
    let training_file = required_string(&map, "training_file")?;
    let suffix = optional_string(&map, "suffix")?;
    let now = shared.clock.now();
    let mut store = lock(&shared.zyra);
    let id = store.ids.next("ftjob_");
    let job = FineTuningJob { id, base_model, training_file, suffix, lifecycle: Lifecycle::new(now) };
    let view = job.view(now);
    store.fine_tuning_jobs.push(job);
    created(view)
}

/// `POST /fine-tuning/jobs/{id}/cancel`.
pub(super) async fn cancel_fine_tuning(
    State(shared): State<Arc<Shared>>,
    _caller: Caller<Write>,
    Path(id): Path<String>,
) -> Reply {
    cancel_job(&shared, &id, fine_tuning_jobs)
}

/// An inference request, answered as it was created.
#[derive(Clone, Debug)]
pub(super) struct Inference(Value);

/// The deterministic output for `input` to `model`: the words of the input in reverse order, so a
/// test can tell it followed from its input.
fn output_of(model: &str, input: &str) -> String {
    let words: Vec<&str> = input.split_whitespace().rev().collect();
    format!("[{model}] {}", words.join(" "))
}

/// `GET /inference`.
pub(super) async fn list_inference(State(shared): State<Arc<Shared>>, _caller: Caller<Read>, params: Params) -> Reply {
    page(&params, lock(&shared.zyra).inferences.iter().map(|inference| &inference.0))
}

/// `GET /inference/{id}`.
pub(super) async fn get_inference(
    State(shared): State<Arc<Shared>>,
    _caller: Caller<Read>,
    Path(id): Path<String>,
) -> Reply {
    let store = lock(&shared.zyra);
    let inference = store.inferences.iter().find(|inference| inference.0["id"] == id.as_str());
    ok(&inference.ok_or_else(|| not_found("inference request"))?.0)
}

/// `POST /inference {model, input}`: 201, `completed`, with its output and token counts (words).
pub(super) async fn create_inference(State(shared): State<Arc<Shared>>, _caller: Caller<Create>, body: Bytes) -> Reply {
    let map = body_object(&body, &["model", "input"])?;
    let model = required_string(&map, "model")?;
    let input = required_string(&map, "input")?;
    let now = shared.clock.now();
    let mut store = lock(&shared.zyra);
    let output = output_of(&model, &input);
    let inference = json!({
        "id": store.ids.next("inf_"),
        "model": model,
        "status": "completed",
        "usage": { "input_tokens": input.split_whitespace().count(), "output_tokens": output.split_whitespace().count() },
        "input": input,
        "output": output,
        "created_at": rfc3339(now),
    });
    store.inferences.push(Inference(inference.clone()));
    created(inference)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_moves_on_with_the_clock_and_stops_when_cancelled() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let at = |s: u64| t0 + Duration::from_secs(s);
        let mut job = Lifecycle::new(t0);
        assert_eq!([job.status(at(0)), job.status(at(9)), job.status(at(10))], ["queued", "queued", "running"]);
        assert_eq!([job.status(at(59)), job.status(at(60))], ["running", "succeeded"]);
        assert_eq!(job.fields(at(5))["started_at"], Value::Null);
        assert_eq!(job.fields(at(30))["finished_at"], Value::Null);
        assert_eq!(job.fields(at(61))["finished_at"], json!(rfc3339(at(60))));
        job.cancelled = Some(at(30));
        assert_eq!(job.status(at(1000)), "cancelled");
        assert_eq!(job.fields(at(1000))["finished_at"], json!(rfc3339(at(30))));
        assert_eq!(job.fields(at(1000))["started_at"], json!(rfc3339(at(10))));
        assert_eq!(output_of("m", "a b  c"), "[m] c b a");
    }
}
