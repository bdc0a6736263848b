//! Inputs given as JSON (every binding's calls by name) are read strictly: a field the operation
//! does not have is refused by name before anything is sent, for every operation of every API.

use serde_json::json;
use zkit::{CallOptions, DynamicApi, ErrorKind, Zenifra, Zenovay, Zerokie, Zyra};

async fn every_operation_refuses_an_unknown_field<A: DynamicApi>() {
    // Nothing listens on port 9: a call that got as far as sending would fail as a connection error.
    let api: A =
        zkit::ClientBuilder::<A>::default().api_key("key_0000000000").base_url("http://127.0.0.1:9").build().unwrap();
    for spec in A::operations() {
        let input = json!({ "zz_not_a_field": 1 });
        let error = api.call_payload(spec.name, input, None, CallOptions::default()).await.unwrap_err();
        assert_eq!((error.kind(), error.field()), (ErrorKind::InvalidInput, Some("zz_not_a_field")), "{}", spec.name);
        assert!(error.message().contains(spec.name), "{}: {error}", spec.name);
    }
}

#[tokio::test]
async fn every_input_refuses_a_field_it_does_not_have() {
    every_operation_refuses_an_unknown_field::<Zenifra>().await;
    every_operation_refuses_an_unknown_field::<Zenovay>().await;
    every_operation_refuses_an_unknown_field::<Zerokie>().await;
    every_operation_refuses_an_unknown_field::<Zyra>().await;
}

#[tokio::test]
async fn a_wrong_value_is_named_by_its_path() {
    let api = Zerokie::builder().api_key("key_0000000000").base_url("http://127.0.0.1:9").build().unwrap();
    let call = |input| api.call_payload("create_app", input, None, CallOptions::default());
    let error = call(json!({"name": "a", "image": "nginx", "port": "eighty"})).await.unwrap_err();
    assert_eq!(error.field(), Some("port"), "{error}");
    let error = call(json!({"name": "a", "image": "nginx", "registry_auth": {"username": 7}})).await.unwrap_err();
    assert_eq!(error.field(), Some("registry_auth.username"), "{error}");
    let error = call(json!({"image": "nginx"})).await.unwrap_err();
    assert_eq!(error.field(), Some("name"), "{error}");
}
