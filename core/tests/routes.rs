//! The operation tables and the sandbox agree on every route: each row's method and path is served
//! by the sandbox, and the sandbox serves no method and path that no row declares (its control API
//! aside). The sandbox lists its own path templates; which methods each takes is asked over HTTP,
//! since a method no route serves is answered with the sandbox's unrouted marker.

mod common;

use std::collections::BTreeSet;

use zkit::http::Method;
use zkit::{DynamicApi, OperationSpec};
use zkit_sandbox::{api_routes, UNROUTED_HEADER};

const METHODS: [Method; 5] = [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE];

/// What the sandbox serves beyond the operation tables, each for a reason written down beside it.
const SANDBOX_EXTRAS: [&str; 2] = [
    // Reads back an uploaded file, so suites check uploads (Zerokie serves files from the site, not the API).
    "GET /zerokie/v1/apps/{}/files/{}",
    // One SLA rule by id, which docs/api-assumptions.md gives the emulation; the client has no row for it yet.
    "GET /zyra/api/v1/sla/alert-rules/{}",
];

/// A template with every parameter written `{}`: `{name}`, `{path*}` and `{*path}` alike.
fn shape(template: &str) -> String {
    let mut out = String::new();
    let mut in_parameter = false;
    for c in template.chars() {
        match c {
            '{' => in_parameter = true,
            '}' => {
                in_parameter = false;
                out.push_str("{}");
            }
            _ if !in_parameter => out.push(c),
            _ => {}
        }
    }
    out
}

/// Each row of `A`'s table as `METHOD /full/path/{}` under the sandbox's base path of the API.
fn declared<A: DynamicApi>(sandbox_base_path: &str) -> Vec<String> {
    A::operations()
        .iter()
        .map(|spec: &&OperationSpec| format!("{} {}{}", spec.method, sandbox_base_path, shape(spec.path)))
        .collect()
}

#[tokio::test]
async fn every_row_is_routed_by_the_sandbox_and_nothing_else_is() {
    let sandbox = common::sandbox().await;
    let root = sandbox.url();
    let base_path = |api: &str| sandbox.base_url(api).trim_start_matches(root.as_str()).to_owned();
    let mut rows: Vec<String> = declared::<zkit::Zerokie>(&base_path("zerokie"));
    rows.extend(declared::<zkit::Zenifra>(&base_path("zenifra")));
    rows.extend(declared::<zkit::Zenovay>(&base_path("zenovay")));
    rows.extend(declared::<zkit::Zyra>(&base_path("zyra")));
    let declared: BTreeSet<String> = rows.iter().cloned().collect();
    assert_eq!(declared.len(), rows.len(), "two rows declare the same method and path");

    let http = common::http();
    let mut routed = BTreeSet::new();
    for template in api_routes() {
        let path = shape(&template).replace("{}", "probe");
        for method in METHODS {
            let response = http.request(method.clone(), format!("{root}{path}")).send().await.unwrap();
            if !response.headers().contains_key(UNROUTED_HEADER) {
                routed.insert(format!("{method} {}", shape(&template)));
            }
        }
    }
    let unserved: Vec<&String> = declared.difference(&routed).collect();
    let undeclared: Vec<&String> =
        routed.difference(&declared).filter(|route| !SANDBOX_EXTRAS.contains(&route.as_str())).collect();
    assert!(unserved.is_empty(), "rows the sandbox does not route: {unserved:#?}");
    assert!(undeclared.is_empty(), "routes no row declares: {undeclared:#?}");
    for extra in SANDBOX_EXTRAS {
        assert!(routed.contains(extra) && !declared.contains(extra), "{extra} is an extra still");
    }
}
