//! The Zenifra emulation over real HTTP: keys, organizations, permissions, IP allowlists, the rate
//! limit, and every project operation.

mod common;

use std::time::Duration;

use common::{call, is_rfc3339, Env};
use reqwest::{Method, RequestBuilder};
use serde_json::{json, Value};
use zkit_sandbox::credentials::{
    ZENIFRA_ALLOWLISTED_KEY, ZENIFRA_ORGANIZATION_ID, ZENIFRA_ORG_KEY, ZENIFRA_OTHER_ORGANIZATION_ID,
    ZENIFRA_OTHER_PROJECT_ID, ZENIFRA_PROJECT_KEY, ZENIFRA_READ_ONLY_KEY, ZENIFRA_WEB_PROJECT_ID,
    ZENIFRA_WORKER_PROJECT_ID, ZENIFRA_WORKER_PROJECT_KEY,
};

const WEB: &str = "/project/507f1f77bcf86cd799439011";
const WORKER: &str = "/project/507f191e810c19729de860ea";

/// The error body Zenifra answers.
fn error(code: &str, message: &str) -> Value {
    json!({"error": {"code": code, "message": message}})
}

/// `request` with `key` in `x-api-key`.
fn with_key(request: RequestBuilder, key: &str) -> RequestBuilder {
    request.header("x-api-key", key)
}

/// The `data` of a project page, as project names.
fn names(page: &Value) -> Vec<&str> {
    page["data"].as_array().unwrap().iter().map(|project| project["name"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn keys_are_read_from_either_header() {
    let env = Env::start().await;
    let unauthorized = (401, error("unauthorized", "invalid or missing API key"));
    for request in [
        env.zenifra_without_key(Method::GET, WEB),
        with_key(env.zenifra_without_key(Method::GET, WEB), "znf_not_a_key"),
        env.zenifra_without_key(Method::GET, WEB).bearer_auth("zpk_not_a_key"),
        env.zenifra_without_key(Method::GET, "/project").header("authorization", format!("Basic {ZENIFRA_ORG_KEY}")),
        env.zenifra_without_key(Method::PATCH, &format!("{WEB}/name")).json(&json!({"name": "x"})),
    ] {
        assert_eq!(call(request).await, unauthorized);
    }
    for key in [ZENIFRA_ORG_KEY, ZENIFRA_PROJECT_KEY] {
        let (status, project) = call(with_key(env.zenifra_without_key(Method::GET, WEB), key)).await;
        assert_eq!((status, project["id"].clone()), (200, json!(ZENIFRA_WEB_PROJECT_ID)), "{key} as x-api-key");
        let (status, project) = call(env.zenifra_without_key(Method::GET, WEB).bearer_auth(key)).await;
        assert_eq!((status, project["id"].clone()), (200, json!(ZENIFRA_WEB_PROJECT_ID)), "{key} as Bearer");
    }
}

#[tokio::test]
async fn the_organization_header_must_be_the_keys() {
    let env = Env::start().await;
    let mismatch = (403, error("forbidden", "x-organization-id does not match the API key's organization"));
    for key in [ZENIFRA_ORG_KEY, ZENIFRA_PROJECT_KEY, ZENIFRA_READ_ONLY_KEY] {
        let matching =
            with_key(env.zenifra_without_key(Method::GET, WEB), key).header("x-organization-id", "org_sandbox");
        assert_eq!(call(matching).await.0, 200, "{key}");
        let other = env.zenifra_without_key(Method::GET, WEB).bearer_auth(key);
        assert_eq!(call(other.header("x-organization-id", ZENIFRA_OTHER_ORGANIZATION_ID)).await, mismatch, "{key}");
    }
    // Asking for org_other does not open its projects either.
    let other = env.zenifra(Method::GET, "/project").header("x-organization-id", ZENIFRA_OTHER_ORGANIZATION_ID);
    assert_eq!(call(other).await, mismatch);
}

#[tokio::test]
async fn project_keys_reach_their_own_project_only() {
    let env = Env::start().await;
    let another = (403, error("forbidden", "this API key belongs to another project"));
    let web_key = |method: Method, path: &str| with_key(env.zenifra_without_key(method, path), ZENIFRA_PROJECT_KEY);
    assert_eq!(call(web_key(Method::GET, WORKER)).await, another);
    assert_eq!(call(web_key(Method::PATCH, &format!("{WORKER}/resume"))).await, another);
    assert_eq!(call(web_key(Method::GET, "/project/000000000000000000000000")).await, another);
    assert_eq!(call(web_key(Method::GET, &format!("/project/{ZENIFRA_OTHER_PROJECT_ID}"))).await, another);
    let worker_key = with_key(env.zenifra_without_key(Method::GET, WEB), ZENIFRA_WORKER_PROJECT_KEY);
    assert_eq!(call(worker_key).await, another);

    // Every permission on its own project.
    let (status, project) = call(web_key(Method::PATCH, &format!("{WEB}/plan")).json(&json!({"plan": "pro"}))).await;
    assert_eq!((status, project["plan"].clone()), (200, json!("pro")));

    let (status, page) = call(web_key(Method::GET, "/project")).await;
    assert_eq!((status, names(&page), page["total"].clone()), (200, vec!["web"], json!(1)));
    let worker_list = with_key(env.zenifra_without_key(Method::GET, "/project"), ZENIFRA_WORKER_PROJECT_KEY);
    assert_eq!(names(&call(worker_list).await.1), ["worker"]);
}

#[tokio::test]
async fn projects_of_other_organizations_are_not_found() {
    let env = Env::start().await;
    let not_found = (404, error("not_found", "project not found"));
    let billing = format!("/project/{ZENIFRA_OTHER_PROJECT_ID}");
    assert_eq!(call(env.zenifra(Method::GET, &billing)).await, not_found);
    assert_eq!(call(env.zenifra(Method::PATCH, &format!("{billing}/stop"))).await, not_found);
    assert_eq!(call(env.zenifra(Method::GET, "/project/000000000000000000000000/envs")).await, not_found);
    let (_, page) = call(env.zenifra(Method::GET, "/project")).await;
    assert!(!names(&page).contains(&"billing"), "{page}");
}

#[tokio::test]
async fn a_read_only_key_reads_and_writes_nothing() {
    let env = Env::start().await;
    let reader = |method: Method, path: &str| env.zenifra_without_key(method, path).bearer_auth(ZENIFRA_READ_ONLY_KEY);
    for path in ["/project".to_owned(), WEB.to_owned(), format!("{WEB}/envs"), format!("{WEB}/logs")] {
        assert_eq!(call(reader(Method::GET, &path)).await.0, 200, "{path}");
    }
    let lacks = |permission: &str| {
        (403, error("insufficient_permissions", &format!("this API key lacks the {permission} permission")))
    };
    for (method, path, body, permission) in [
        (Method::PATCH, "/name", json!({"name": "shop"}), "write"),
        (Method::PATCH, "/envs", json!({"envs": {"A": "1"}}), "write"),
        (Method::PATCH, "/stop", json!({}), "write"),
        (Method::PATCH, "/storage/size", json!({"size_gb": 6}), "write"),
        (Method::PATCH, "/image", json!({"image": "web:2"}), "deploy"),
        (Method::POST, "/deploy", json!({"branch": "main"}), "deploy"),
        (Method::PATCH, "/plan", json!({"plan": "pro"}), "billing"),
        // The permission is checked before the body.
        (Method::PATCH, "/instances", json!({"count": 0}), "write"),
    ] {
        let request = reader(method, &format!("{WEB}{path}")).json(&body);
        assert_eq!(call(request).await, lacks(permission), "{path}");
    }
    let (_, project) = call(env.zenifra(Method::GET, WEB)).await;
    assert_eq!((project["name"].clone(), project["state"].clone()), (json!("web"), json!("running")));
}

#[tokio::test]
async fn an_allowlisted_key_is_refused_from_loopback() {
    let env = Env::start().await;
    let refused = (403, error("forbidden", "source IP 127.0.0.1 is not allowed for this API key"));
    let allowlisted =
        |method: Method, path: &str| env.zenifra_without_key(method, path).bearer_auth(ZENIFRA_ALLOWLISTED_KEY);
    assert_eq!(call(allowlisted(Method::GET, WEB)).await, refused);
    assert_eq!(call(allowlisted(Method::GET, "/project")).await, refused);
    // Before the organization header is looked at.
    let wrong_org = allowlisted(Method::GET, WEB).header("x-organization-id", ZENIFRA_OTHER_ORGANIZATION_ID);
    assert_eq!(call(wrong_org).await, refused);
    // Refused calls do not use up the project's rate limit.
    for _ in 0..100 {
        call(allowlisted(Method::GET, WEB)).await;
    }
    assert_eq!(call(env.zenifra(Method::GET, WEB)).await.0, 200);
}

#[tokio::test]
async fn a_project_has_every_field() {
    let env = Env::start().await;
    let (status, web) = call(env.zenifra(Method::GET, WEB)).await;
    assert_eq!(status, 200);
    assert_eq!(
        web,
        json!({"id": ZENIFRA_WEB_PROJECT_ID, "name": "web", "description": "The storefront", "type": "http",
            "state": "running", "image": "registry.zenifra.dev/web:1.0.0", "branch": "main",
            "domain": "web.example.com", "plan": "starter", "instances": 1, "storage_gb": 5,
            "organization_id": ZENIFRA_ORGANIZATION_ID, "created_at": "2026-01-15T10:00:00Z",
            "updated_at": "2026-01-15T10:00:00Z"})
    );
    let (_, worker) = call(env.zenifra(Method::GET, WORKER)).await;
    assert_eq!(
        worker,
        json!({"id": ZENIFRA_WORKER_PROJECT_ID, "name": "worker", "type": "worker", "state": "stopped",
            "image": "registry.zenifra.dev/worker:0.3.1", "plan": "free", "instances": 1, "storage_gb": 1,
            "organization_id": ZENIFRA_ORGANIZATION_ID, "created_at": "2026-01-15T10:00:00Z",
            "updated_at": "2026-01-15T10:00:00Z"})
    );
}

#[tokio::test]
async fn name_and_description_change_and_reset_restores_them() {
    let env = Env::start().await;
    let patch = |path: &str, body: Value| env.zenifra(Method::PATCH, &format!("{WEB}{path}")).json(&body);
    let (status, project) = call(patch("/name", json!({"name": "shop"}))).await;
    assert_eq!((status, project["name"].clone()), (200, json!("shop")));
    assert!(is_rfc3339(project["updated_at"].as_str().unwrap()));
    assert_ne!(project["updated_at"], project["created_at"]);
    for body in [json!({"name": "  "}), json!({}), json!({"name": 7})] {
        let (status, refusal) = call(patch("/name", body.clone())).await;
        assert_eq!((status, refusal["error"]["code"].clone()), (400, json!("invalid_request")), "{body}");
    }
    let not_json = env.zenifra(Method::PATCH, &format!("{WEB}/name")).body("{name");
    assert_eq!(call(not_json).await.1["error"]["code"], "invalid_request");

    let (_, project) = call(patch("/description", json!({"description": "Shop front"}))).await;
    assert_eq!(project["description"], "Shop front");
    let (status, project) = call(patch("/description", json!({"description": ""}))).await;
    assert_eq!(status, 200);
    assert!(project.get("description").is_none(), "an empty description clears it: {project}");

    env.sandbox.reset();
    let (_, project) = call(env.zenifra(Method::GET, WEB)).await;
    assert_eq!((project["name"].clone(), project["description"].clone()), (json!("web"), json!("The storefront")));
}

#[tokio::test]
async fn stop_and_resume_refuse_to_repeat() {
    let env = Env::start().await;
    let lifecycle = |project: &str, action: &str| env.zenifra(Method::PATCH, &format!("{project}/{action}"));
    let already_running = (409, error("invalid_state", "project is already running"));
    let already_stopped = (409, error("invalid_state", "project is already stopped"));
    assert_eq!(call(lifecycle(WEB, "resume")).await, already_running);
    assert_eq!(call(lifecycle(WORKER, "stop")).await, already_stopped);

    // No body at all, or an empty object.
    let (status, project) = call(lifecycle(WEB, "stop")).await;
    assert_eq!((status, project["state"].clone()), (200, json!("stopped")));
    assert_eq!(call(lifecycle(WEB, "stop").json(&json!({}))).await, already_stopped);
    let is_stopped = (409, error("invalid_state", "project is stopped; resume it first"));
    let image = env.zenifra(Method::PATCH, &format!("{WEB}/image")).json(&json!({"image": "web:2"}));
    assert_eq!(call(image).await, is_stopped);
    let deploy = env.zenifra(Method::POST, &format!("{WEB}/deploy")).json(&json!({"branch": "main"}));
    assert_eq!(call(deploy).await, is_stopped);
    // A bad body is refused before the state.
    let bad = env.zenifra(Method::PATCH, &format!("{WEB}/image")).json(&json!({"image": ""}));
    assert_eq!(call(bad).await.0, 400);

    let (status, project) = call(lifecycle(WEB, "resume").json(&json!({}))).await;
    assert_eq!((status, project["state"].clone()), (200, json!("running")));
    let (status, project) = call(lifecycle(WORKER, "resume")).await;
    assert_eq!((status, project["state"].clone()), (200, json!("running")));
}

#[tokio::test]
async fn instances_and_storage_stay_within_the_plan() {
    let env = Env::start().await;
    let patch = |path: &str, body: Value| env.zenifra(Method::PATCH, &format!("{WEB}{path}")).json(&body);
    assert_eq!(call(env.zenifra(Method::GET, &format!("{WEB}/instances"))).await, (200, json!({"count": 1, "max": 3})));
    assert_eq!(call(patch("/instances", json!({"count": 3}))).await, (200, json!({"count": 3, "max": 3})));
    let too_many = (402, error("plan_limit", "the starter plan allows at most 3 instances"));
    assert_eq!(call(patch("/instances", json!({"count": 4}))).await, too_many);
    assert_eq!(call(patch("/instances", json!({"count": 99_999_999_999u64}))).await, too_many);
    for body in [json!({"count": 0}), json!({"count": -1}), json!({"count": "2"}), json!({})] {
        assert_eq!(call(patch("/instances", body.clone())).await.1["error"]["code"], "invalid_request", "{body}");
    }
    assert_eq!(call(env.zenifra(Method::GET, WEB)).await.1["instances"], 3);

    let usage = (200, json!({"size_gb": 5, "used_gb": 1.75}));
    assert_eq!(call(env.zenifra(Method::GET, &format!("{WEB}/storage/usage"))).await, usage);
    assert_eq!(
        call(patch("/storage/size", json!({"size_gb": 10}))).await,
        (200, json!({"size_gb": 10, "used_gb": 1.75}))
    );
    let too_big = (402, error("plan_limit", "the starter plan allows at most 10 GB of storage"));
    assert_eq!(call(patch("/storage/size", json!({"size_gb": 11}))).await, too_big);
    let in_use = (409, error("invalid_state", "1.75 GB of storage is in use; the size cannot go below it"));
    assert_eq!(call(patch("/storage/size", json!({"size_gb": 1}))).await, in_use);
    assert_eq!(call(patch("/storage/size", json!({"size_gb": 0}))).await.0, 400);
    assert_eq!(call(env.zenifra(Method::GET, WEB)).await.1["storage_gb"], 10);

    // The worker is stopped, and may still be scaled within the free plan.
    let worker = env.zenifra(Method::PATCH, &format!("{WORKER}/instances")).json(&json!({"count": 2}));
    assert_eq!(call(worker).await, (402, error("plan_limit", "the free plan allows at most 1 instance")));
}

#[tokio::test]
async fn plans_change_when_the_project_fits() {
    let env = Env::start().await;
    let patch = |path: &str, body: Value| env.zenifra(Method::PATCH, &format!("{WEB}{path}")).json(&body);
    let plan = |name: &str| patch("/plan", json!({"plan": name}));
    assert_eq!(call(patch("/instances", json!({"count": 3}))).await.0, 200);
    let scale_first = (409, error("invalid_state", "scale instances to at most 1 before moving to the free plan"));
    assert_eq!(call(plan("free")).await, scale_first);
    assert_eq!(call(patch("/instances", json!({"count": 1}))).await.0, 200);
    let shrink_first = (409, error("invalid_state", "shrink storage to at most 1 GB before moving to the free plan"));
    assert_eq!(call(plan("free")).await, shrink_first);
    assert_eq!(call(plan("gold")).await.1, error("invalid_request", "plan: must be free, starter, pro or business"));

    let (status, project) = call(plan("pro")).await;
    assert_eq!((status, project["plan"].clone()), (200, json!("pro")));
    assert_eq!(call(patch("/instances", json!({"count": 10}))).await, (200, json!({"count": 10, "max": 10})));
    assert_eq!(call(patch("/storage/size", json!({"size_gb": 100}))).await.0, 200);
    let (status, project) = call(plan("business")).await;
    assert_eq!((status, project["plan"].clone(), project["instances"].clone()), (200, json!("business"), json!(10)));
}

#[tokio::test]
async fn an_image_update_builds_then_goes_live() {
    let env = Env::start().await;
    let deployments = || env.zenifra(Method::GET, &format!("{WEB}/historic/deployments"));
    let statuses = |list: &Value| -> Vec<(String, String)> {
        let pairs = list.as_array().unwrap().iter();
        pairs.map(|d| (d["id"].as_str().unwrap().to_owned(), d["status"].as_str().unwrap().to_owned())).collect()
    };
    let (_, seeded) = call(deployments()).await;
    assert_eq!(
        seeded,
        json!([{"id": "dep_1", "status": "live", "image": "registry.zenifra.dev/web:1.0.0", "branch": "main",
            "created_at": "2026-01-15T10:00:00Z"}])
    );

    let update =
        env.zenifra(Method::PATCH, &format!("{WEB}/image")).json(&json!({"image": "registry.zenifra.dev/web:1.1.0"}));
    let (status, deployment) = call(update).await;
    assert_eq!(status, 200);
    assert_eq!(
        (deployment["id"].clone(), deployment["status"].clone(), deployment["image"].clone()),
        (json!("dep_2"), json!("building"), json!("registry.zenifra.dev/web:1.1.0"))
    );
    assert!(is_rfc3339(deployment["created_at"].as_str().unwrap()) && deployment.get("branch").is_none());
    let (_, project) = call(env.zenifra(Method::GET, WEB)).await;
    assert_eq!(
        (project["state"].clone(), project["image"].clone(), project["branch"].clone()),
        (json!("deploying"), json!("registry.zenifra.dev/web:1.1.0"), json!("main"))
    );
    let pair = |id: &str, status: &str| (id.to_owned(), status.to_owned());
    assert_eq!(statuses(&call(deployments()).await.1), [pair("dep_2", "building"), pair("dep_1", "live")]);

    env.sandbox.advance_clock(Duration::from_secs(30));
    assert_eq!(statuses(&call(deployments()).await.1), [pair("dep_2", "live"), pair("dep_1", "superseded")]);
    assert_eq!(call(env.zenifra(Method::GET, WEB)).await.1["state"], "running");

    for body in [json!({"image": ""}), json!({"image": "web 2"}), json!({})] {
        let bad = env.zenifra(Method::PATCH, &format!("{WEB}/image")).json(&body);
        assert_eq!(call(bad).await.1["error"]["code"], "invalid_request", "{body}");
    }
    assert_eq!(call(deployments()).await.1.as_array().unwrap().len(), 2, "refused updates record nothing");
}

#[tokio::test]
async fn a_branch_deploy_runs_the_branch_image() {
    let env = Env::start().await;
    let deploy = |branch: &str| env.zenifra(Method::POST, &format!("{WEB}/deploy")).json(&json!({"branch": branch}));
    let (status, deployment) = call(deploy("feature-cart")).await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            deployment["id"].clone(),
            deployment["status"].clone(),
            deployment["image"].clone(),
            deployment["branch"].clone()
        ),
        (json!("dep_2"), json!("building"), json!("registry.zenifra.dev/web:feature-cart"), json!("feature-cart"))
    );
    let (_, project) = call(env.zenifra(Method::GET, WEB)).await;
    assert_eq!(
        (project["state"].clone(), project["branch"].clone(), project["image"].clone()),
        (json!("deploying"), json!("feature-cart"), json!("registry.zenifra.dev/web:feature-cart"))
    );
    // Ids stay unique across projects.
    call(env.zenifra(Method::PATCH, &format!("{WORKER}/resume"))).await;
    let worker = env.zenifra(Method::POST, &format!("{WORKER}/deploy")).json(&json!({"branch": "main"}));
    assert_eq!(call(worker).await.1["id"], "dep_3");
    for branch in ["", "../x", "-x", "a b"] {
        assert_eq!(call(deploy(branch)).await.1["error"]["code"], "invalid_request", "{branch:?}");
    }
    env.sandbox.advance_clock(Duration::from_secs(31));
    assert_eq!(call(env.zenifra(Method::GET, WEB)).await.1["state"], "running");
}

#[tokio::test]
async fn envs_are_merged_and_unset() {
    let env = Env::start().await;
    let envs = format!("{WEB}/envs");
    let seeded = json!({"envs": {"LOG_LEVEL": "info", "NODE_ENV": "production"}});
    assert_eq!(call(env.zenifra(Method::GET, &envs)).await, (200, seeded.clone()));
    let change = json!({"envs": {"LOG_LEVEL": "debug", "FEATURE_X": "1"}, "unset": ["NODE_ENV", "NEVER_SET"]});
    let merged = json!({"envs": {"FEATURE_X": "1", "LOG_LEVEL": "debug"}});
    assert_eq!(call(env.zenifra(Method::PATCH, &envs).json(&change)).await, (200, merged.clone()));
    assert_eq!(call(env.zenifra(Method::GET, &envs)).await, (200, merged.clone()));
    for body in [
        json!({"envs": {"A=B": "1"}}),
        json!({"envs": {"": "1"}}),
        json!({"envs": {"A": 1}}),
        json!({"unset": ["A=B"]}),
        json!({"envs": {"A": "1"}, "unset": ["A"]}),
        json!({}),
        json!({"envs": "A=1"}),
    ] {
        let (status, refusal) = call(env.zenifra(Method::PATCH, &envs).json(&body)).await;
        assert_eq!((status, refusal["error"]["code"].clone()), (400, json!("invalid_request")), "{body}");
    }
    assert_eq!(call(env.zenifra(Method::GET, &envs)).await.1, merged, "refusals change nothing");
    assert_eq!(call(env.zenifra(Method::GET, &format!("{WORKER}/envs"))).await.1, json!({"envs": {}}));
}

#[tokio::test]
async fn a_domain_belongs_to_one_project() {
    let env = Env::start().await;
    let domain = |project: &str, domain: &str| {
        env.zenifra(Method::PATCH, &format!("{project}/domain")).json(&json!({"domain": domain}))
    };
    let (status, project) = call(domain(WEB, "Shop.Example.com.")).await;
    assert_eq!((status, project["domain"].clone()), (200, json!("shop.example.com")));
    assert_eq!(call(domain(WEB, "shop.example.com")).await.0, 200, "its own domain again");
    let taken = (409, error("invalid_state", "domain is already used by another project"));
    assert_eq!(call(domain(WORKER, "shop.example.com")).await, taken);
    assert_eq!(call(domain(WORKER, "billing.example.org")).await, taken, "of another organization too");
    for bad in ["not a domain", "localhost", ""] {
        assert_eq!(call(domain(WEB, bad)).await.1["error"]["code"], "invalid_request", "{bad:?}");
    }
    assert_eq!(call(domain(WORKER, "web.example.com")).await.0, 200, "web let go of it");
}

#[tokio::test]
async fn the_project_list_pages_and_filters() {
    let env = Env::start().await;
    let list = |query: &str| env.zenifra(Method::GET, &format!("/project{query}"));
    let (status, page) = call(list("")).await;
    assert_eq!(status, 200);
    assert_eq!(names(&page), ["web", "worker"]);
    assert_eq!((page["page"].clone(), page["limit"].clone(), page["total"].clone()), (json!(1), json!(15), json!(2)));
    assert_eq!(page["data"][0], call(env.zenifra(Method::GET, WEB)).await.1, "projects in full");

    let (_, second) = call(list("?page=2&limit=1")).await;
    assert_eq!((names(&second), second["page"].clone(), second["limit"].clone()), (vec!["worker"], json!(2), json!(1)));
    assert_eq!(second["total"], 2);
    let (_, beyond) = call(list("?page=3&limit=1")).await;
    assert_eq!((names(&beyond).len(), beyond["total"].clone()), (0, json!(2)));
    let (_, workers) = call(list("?type=worker")).await;
    assert_eq!((names(&workers), workers["total"].clone()), (vec!["worker"], json!(1)));
    assert_eq!(names(&call(list("?type=http&limit=100")).await.1), ["web"]);

    for (query, message) in [
        ("?limit=101", "limit: must be between 1 and 100"),
        ("?limit=0", "limit: must be between 1 and 100"),
        ("?limit=ten", "limit: must be between 1 and 100"),
        ("?page=0", "page: must be between 1 and 4294967295"),
        ("?type=vm", "type: must be http or worker"),
    ] {
        assert_eq!(call(list(query)).await, (400, error("invalid_request", message)), "{query}");
    }
}

#[tokio::test]
async fn metrics_and_logs_are_deterministic() {
    let env = Env::start().await;
    let get = |path: &str| env.zenifra(Method::GET, &format!("{WEB}{path}"));
    let (status, hour) = call(get("/metrics")).await;
    assert_eq!(status, 200);
    assert_eq!((hour["period"].clone(), hour["instances"].clone()), (json!("1h"), json!(1)));
    assert!(hour["cpu_percent"].as_f64().unwrap() > 0.0 && hour["memory_mb"].as_f64().unwrap() > 0.0, "{hour}");
    assert!(hour["requests"].as_u64().unwrap() > 0, "{hour}");
    assert_eq!(call(get("/metrics?period=1h")).await.1, hour);
    let (_, month) = call(get("/metrics?period=30d")).await;
    assert!(month["requests"].as_u64() > hour["requests"].as_u64(), "{month}");
    let bad_period = (400, error("invalid_request", "period: must be 1h, 24h, 7d or 30d, not \"2h\""));
    assert_eq!(call(get("/metrics?period=2h")).await, bad_period);

    let (status, worker) = call(env.zenifra(Method::GET, &format!("{WORKER}/metrics?period=24h"))).await;
    assert_eq!(status, 200);
    assert_eq!(
        worker,
        json!({"period": "24h", "cpu_percent": 0.0, "memory_mb": 0.0, "requests": 0, "instances": 0}),
        "stopped"
    );

    let (status, logs) = call(get("/logs")).await;
    assert_eq!(status, 200);
    let lines = logs.as_array().unwrap();
    assert_eq!(lines.len(), 100);
    assert!(lines.windows(2).all(|pair| pair[0]["timestamp"].as_str() < pair[1]["timestamp"].as_str()));
    assert!(lines.iter().all(|line| line["instance"] == "web-1" && is_rfc3339(line["timestamp"].as_str().unwrap())));
    assert!(lines.iter().any(|line| line["level"] == "error") && lines.iter().any(|line| line["level"] == "warn"));
    let (_, five) = call(get("/logs?limit=5&level=warn")).await;
    let five = five.as_array().unwrap();
    assert_eq!(five.len(), 5);
    assert!(five.iter().all(|line| line["level"] == "warn"), "{five:?}");
    for query in ["?limit=0", "?limit=1001", "?level=debug"] {
        assert_eq!(call(get(&format!("/logs{query}"))).await.1["error"]["code"], "invalid_request", "{query}");
    }

    // A deployment writes a line; scaling changes the figures.
    let image = env.zenifra(Method::PATCH, &format!("{WEB}/image")).json(&json!({"image": "web:2"}));
    let (_, deployment) = call(image).await;
    let (_, latest) = call(get("/logs?limit=3")).await;
    let message = format!("deployment {} started: web:2", deployment["id"].as_str().unwrap());
    assert!(latest.as_array().unwrap().iter().any(|line| line["message"] == message.as_str()), "{latest}");
    let scale = env.zenifra(Method::PATCH, &format!("{WEB}/instances")).json(&json!({"count": 2}));
    call(scale).await;
    let (_, scaled) = call(get("/metrics")).await;
    assert!(scaled["requests"].as_u64() > hour["requests"].as_u64(), "{scaled}");
    assert_eq!(scaled["instances"], 2);
}

#[tokio::test]
async fn network_metrics_agree_with_each_other() {
    let env = Env::start().await;
    let get = |path: &str| env.zenifra(Method::GET, &format!("{WEB}/metrics/network/{path}"));
    let (status, requests) = call(get("requests?period=24h")).await;
    assert_eq!((status, requests["period"].clone()), (200, json!("24h")));
    let series = requests["series"].as_array().unwrap();
    assert_eq!(series.len(), 12);
    assert!(series.iter().all(|point| is_rfc3339(point["timestamp"].as_str().unwrap())));
    let total = requests["total"].as_u64().unwrap();
    assert_eq!(series.iter().map(|point| point["count"].as_u64().unwrap()).sum::<u64>(), total);
    let (_, metrics) = call(env.zenifra(Method::GET, &format!("{WEB}/metrics?period=24h"))).await;
    assert_eq!(metrics["requests"], total);

    let (_, codes) = call(get("status-codes?period=24h")).await;
    let counts: Vec<u64> =
        codes["codes"].as_array().unwrap().iter().map(|code| code["count"].as_u64().unwrap()).collect();
    assert_eq!(counts.iter().sum::<u64>(), total);
    assert!(counts.windows(2).all(|pair| pair[0] >= pair[1]), "{codes}");
    assert_eq!(codes["codes"][0]["status"], 200);

    let (_, latency) = call(get("latency")).await;
    assert_eq!(latency["period"], "1h");
    let p = |name: &str| latency[name].as_f64().unwrap();
    assert!(0.0 < p("p50_ms") && p("p50_ms") <= p("p90_ms") && p("p90_ms") <= p("p99_ms"), "{latency}");

    let (_, top) = call(get("top-paths?period=7d")).await;
    let paths = top["paths"].as_array().unwrap();
    assert_eq!(paths[0]["path"], "/");
    assert!(paths.windows(2).all(|pair| pair[0]["requests"].as_u64() >= pair[1]["requests"].as_u64()), "{top}");
    assert!(paths.iter().all(|path| path["p50_ms"].as_f64().is_some_and(|ms| ms > 0.0)));

    // The same figures again; none while stopped.
    assert_eq!(call(get("status-codes?period=24h")).await.1, codes);
    assert_eq!(call(get("top-paths?period=7d")).await.1, top);
    assert_eq!(call(get("requests?period=24h")).await.1["total"], total);
    assert_eq!(call(get("latency?period=1d")).await.0, 400);
    call(env.zenifra(Method::PATCH, &format!("{WEB}/stop"))).await;
    let (_, stopped) = call(get("requests")).await;
    assert_eq!(stopped["total"], 0);
    assert!(stopped["series"].as_array().unwrap().iter().all(|point| point["count"] == 0));
    assert_eq!(call(get("status-codes")).await.1, json!({"period": "1h", "codes": []}));
    assert_eq!(call(get("latency")).await.1, json!({"period": "1h", "p50_ms": 0.0, "p90_ms": 0.0, "p99_ms": 0.0}));
    assert_eq!(call(get("top-paths")).await.1, json!({"period": "1h", "paths": []}));
}

#[tokio::test]
async fn each_project_may_make_100_calls_a_minute() {
    let env = Env::start().await;
    for i in 0..100 {
        assert_eq!(call(env.zenifra(Method::GET, WEB)).await.0, 200, "call {i}");
    }
    // A fixed window that opened with the first call: on a machine so slow that the minute ended
    // during the 100 calls, a new window opens and a few more pass before the refusal.
    let mut response = env.zenifra(Method::GET, &format!("{WEB}/envs")).send().await.unwrap();
    for _ in 0..20 {
        if response.status() == 429 {
            break;
        }
        response = env.zenifra(Method::GET, &format!("{WEB}/envs")).send().await.unwrap();
    }
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let refused = (429, error("rate_limited", "rate limit of 100 requests per minute exceeded"));
    assert_eq!(common::read(response).await, refused);
    // Whatever the key: the limit is the project's.
    assert_eq!(call(with_key(env.zenifra_without_key(Method::GET, WEB), ZENIFRA_PROJECT_KEY)).await, refused);
    // Other projects and the list have windows of their own.
    assert_eq!(call(env.zenifra(Method::GET, WORKER)).await.0, 200);
    assert_eq!(call(env.zenifra(Method::GET, "/project")).await.0, 200);

    env.sandbox.advance_clock(Duration::from_secs(60));
    assert_eq!(call(env.zenifra(Method::GET, WEB)).await.0, 200);
}
