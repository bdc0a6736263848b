//! HTTP as servers speak it: compressed bodies decoded, and redirects followed by the rules `fetch`
//! follows (the method and body kept by 307 and 308, a GET after 303, credentials dropped when the
//! redirect leaves the origin, a bounded chain), against the sandbox's `encode` and `redirect` faults.

mod common;

use zkit::http::Method;
use zkit::zerokie::CreateApp;
use zkit::{ErrorKind, RawRequest};
use zkit_sandbox::Fault;

#[tokio::test]
async fn compressed_answers_are_decoded_for_typed_and_raw_calls() {
    let sandbox = common::sandbox().await;
    let zerokie = common::zerokie(&sandbox);
    zerokie.create_app(CreateApp::container("packed", "nginx:alpine")).await.unwrap();
    for encoding in ["gzip", "deflate", "br"] {
        sandbox.inject(Fault::encode(encoding).on_path("/zerokie/v1/apps/packed"));
        let app = zerokie.get_app("packed").await.unwrap_or_else(|e| panic!("{encoding}: {e}"));
        assert_eq!(app.name, "packed");
        sandbox.inject(Fault::encode(encoding).on_path("/zerokie/v1/apps/packed"));
        let raw = zerokie.raw(RawRequest::new(Method::GET, "/v1/apps/packed")).await.unwrap();
        assert_eq!(raw.json().unwrap()["name"], "packed", "{encoding}: the raw body is decoded too");
    }
    let journal = sandbox.journal();
    let encoded: Vec<_> = journal.iter().filter(|entry| entry.fault.as_deref() == Some("encode")).collect();
    assert_eq!(encoded.len(), 6, "every answer was compressed");
    let accepted = &journal.last().unwrap().headers["accept-encoding"];
    for encoding in ["gzip", "deflate", "br"] {
        assert!(accepted.contains(encoding), "the client asks for {encoding}: {accepted}");
    }
}

#[tokio::test]
async fn temporary_and_permanent_redirects_repeat_the_method_and_body() {
    let sandbox = common::sandbox().await;
    let zerokie = common::zerokie(&sandbox);
    for (status, name) in [(307, "kept-307"), (308, "kept-308")] {
        sandbox.inject(Fault::redirect(status, "/zerokie/v1/apps").on_method("POST"));
        let app = zerokie.create_app(CreateApp::container(name, "nginx:alpine")).await.unwrap();
        assert_eq!(app.name, name);
        let posts: Vec<_> = sandbox.journal().into_iter().filter(|e| e.method == "POST").rev().take(2).collect();
        assert_eq!(posts[0].status, Some(201));
        assert_eq!(posts[1].status, Some(status));
        assert_eq!(posts[0].body_len, posts[1].body_len, "the body went again");
    }
}

#[tokio::test]
async fn moved_found_and_see_other_follow_with_a_get() {
    let sandbox = common::sandbox().await;
    let zerokie = common::zerokie(&sandbox);
    zerokie.create_app(CreateApp::container("target", "nginx:alpine")).await.unwrap();
    let base = sandbox.base_url("zerokie");
    // Relative, absolute-path and absolute locations, for a GET.
    for (status, location) in [
        (301, "target".to_owned()),
        (302, "/zerokie/v1/apps/target".to_owned()),
        (302, format!("{base}/v1/apps/target")),
    ] {
        sandbox.inject(Fault::redirect(status, location.clone()).on_path("/zerokie/v1/apps/elsewhere"));
        let app = zerokie.get_app("elsewhere").await.unwrap_or_else(|e| panic!("{status} {location}: {e}"));
        assert_eq!(app.name, "target");
    }
    // A POST answered 303 is followed by a GET without its body.
    sandbox.inject(Fault::redirect(303, "/zerokie/v1/apps/target").on_method("POST"));
    let raw = RawRequest::new(Method::POST, "/v1/apps").json(&serde_json::json!({"name": "never"}));
    let answer = zerokie.raw(raw).await.unwrap();
    assert_eq!(answer.json().unwrap()["name"], "target");
    let last = sandbox.journal().pop().unwrap();
    assert_eq!((last.method.as_str(), last.body_len), ("GET", 0));
}

#[tokio::test]
async fn a_redirect_to_another_origin_carries_no_credential() {
    let sandbox = common::sandbox().await;
    let zerokie = common::zerokie(&sandbox);
    let other_origin = format!("http://localhost:{}/zerokie/v1/apps", sandbox.addr().port());
    sandbox.inject(Fault::redirect(307, other_origin).on_path("/zerokie/v1/apps"));
    let error = zerokie.list_apps().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthorized, "{error}");
    let followed = sandbox.journal().pop().unwrap();
    assert!(followed.headers["host"].starts_with("localhost:"), "{:?}", followed.headers);
    assert!(!followed.headers.contains_key("authorization") && !followed.headers.contains_key("x-api-key"));
    // On the same origin the key goes along.
    let same_origin = format!("{}/v1/apps", sandbox.base_url("zerokie"));
    sandbox.inject(Fault::redirect(307, same_origin).on_path("/zerokie/v1/apps"));
    zerokie.list_apps().await.unwrap();
}

#[tokio::test]
async fn redirects_that_are_not_followed_are_redirect_errors() {
    let sandbox = common::sandbox().await;
    let zerokie = common::zerokie(&sandbox);
    // A loop stops after ten.
    sandbox.inject(Fault::redirect(302, "/zerokie/v1/apps").on_path("/zerokie/v1/apps").times(50));
    let error = zerokie.list_apps().await.unwrap_err();
    assert_eq!((error.kind(), error.status()), (ErrorKind::Redirect, Some(302)), "{error}");
    assert!(error.message().contains("10 redirects"), "{error}");
    assert!(!error.is_retryable());
    assert_eq!(sandbox.journal().len(), 11, "one request and ten redirects, no retries");
    sandbox.clear_faults();
    // A 3xx that is not a redirect to follow is not a bad request either.
    for status in [300, 304] {
        sandbox.inject(Fault { status: Some(status), ..Fault::status(status) }.on_path("/zerokie/v1/apps"));
        let error = zerokie.list_apps().await.unwrap_err();
        assert_eq!((error.kind(), error.status()), (ErrorKind::Redirect, Some(status)), "{error}");
    }
}
