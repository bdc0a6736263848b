//! The short chaos run of the suites: 900 calls of mixed operations of all four APIs, a tenth of
//! the requests meeting a fault of every kind, then 2 000 cheap calls. Every call ends in a success
//! or a typed error within its deadline, and no non-idempotent request is acted on twice. The full run
//! with its figures is `scripts/chaos` (`cargo run --release --example chaos`).

mod chaos_run;
mod common;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_ends_typed_in_time_and_nothing_is_acted_on_twice() {
    let sandbox = common::sandbox().await;
    let figures = chaos_run::run(&sandbox, 900, 16, 0.1, 2_000).await;
    println!("{}", figures.table("Rust"));
    assert_eq!(figures.calls, 900);
    assert!(figures.faults_met > 40, "{figures:?}");
    assert_eq!(figures.successes + figures.typed.values().sum::<usize>(), 900, "{figures:?}");
    assert_eq!((figures.untyped, figures.duplicated, figures.late), (0, 0, 0), "{figures:?}");
    // The 100 cancels of jobs that do not exist answer 404, but for the few a fault stopped; most
    // calls succeed.
    assert!(figures.typed.get("not_found").is_some_and(|&n| (70..=100).contains(&n)), "{figures:?}");
    assert!(figures.successes > 600, "{figures:?}");
    assert_eq!(figures.typed.get("conflict"), None, "a create acted on twice meets its own name: {figures:?}");
}
