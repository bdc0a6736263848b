//! The committed contracts (`schema/<api>.openapi.json`) are what the operation tables say now.
//! `scripts/generate-contracts` rewrites them (`ZKIT_WRITE_CONTRACTS=1`).

use std::path::PathBuf;

use zkit::{DynamicApi, Zenifra, Zenovay, Zerokie, Zyra};

fn check<A: DynamicApi>() -> Option<String> {
    let name = A::PROFILE.name;
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../schema/{name}.openapi.json"));
    let fresh = serde_json::to_string_pretty(&A::openapi()).expect("the document serializes") + "\n";
    if std::env::var_os("ZKIT_WRITE_CONTRACTS").is_some() {
        std::fs::write(&path, &fresh).expect("the contract is written");
        return None;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    (committed != fresh).then(|| format!("{} is stale", path.display()))
}

#[test]
fn committed_contracts_match_the_operation_tables() {
    let stale: Vec<String> =
        [check::<Zenifra>(), check::<Zenovay>(), check::<Zerokie>(), check::<Zyra>()].into_iter().flatten().collect();
    assert!(stale.is_empty(), "{stale:?}: run scripts/generate-contracts");
}

#[test]
fn every_operation_is_in_its_contract_once() {
    fn operations<A: DynamicApi>() -> (Vec<&'static str>, Vec<String>) {
        let document = A::openapi();
        let mut found: Vec<String> = document["paths"]
            .as_object()
            .into_iter()
            .flat_map(|paths| paths.values())
            .flat_map(|methods| methods.as_object().into_iter().flat_map(|m| m.values()))
            .filter_map(|operation| operation["operationId"].as_str().map(str::to_owned))
            .collect();
        found.sort();
        let mut table: Vec<&str> = A::operations().iter().map(|spec| spec.name).collect();
        table.sort();
        (table, found)
    }
    for (table, found) in
        [operations::<Zenifra>(), operations::<Zenovay>(), operations::<Zerokie>(), operations::<Zyra>()]
    {
        assert_eq!(table, found);
    }
}
