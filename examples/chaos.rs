//! The full chaos run of the Rust client, printing its figures: 10 000 calls of mixed operations of
//! all four APIs against an in-process sandbox while a tenth of the requests meet a fault of every
//! kind, then 100 000 cheap calls without faults for the memory figure.
//!
//!     cargo run --release --example chaos [-- --calls 10000 --concurrency 64 --cheap 100000]

#[path = "../core/tests/chaos_run/mod.rs"]
mod chaos_run;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let sandbox = zkit_sandbox::Sandbox::start().await.expect("sandbox starts");
    let figures =
        chaos_run::run(&sandbox, arg("--calls", 10_000), arg("--concurrency", 64), 0.1, arg("--cheap", 100_000)).await;
    print!("{}", figures.table("Rust"));
}
