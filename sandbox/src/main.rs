//! The `zkit-sandbox` binary: serves the sandbox until Ctrl-C or SIGTERM.
//!
//! ```text
//! zkit-sandbox [--host 127.0.0.1] [--port 0] [--allow-remote]
//! ```
//!
//! The first line printed is machine-readable, `ZKIT_SANDBOX_URL=http://127.0.0.1:PORT`, for test
//! suites that start the binary and read its URL through a pipe; a human-readable list of base URLs
//! and sandbox keys follows. `zkit sandbox` does the same.

use std::process::ExitCode;

use clap::Parser;
use zkit_sandbox::serve::{serve, ServeArgs};

/// Runs a local emulator of the Zenifra, Zyra, Zenovay and Zerokie APIs until Ctrl-C.
#[derive(Debug, Parser)]
#[command(name = "zkit-sandbox", version)]
struct Cli {
    #[command(flatten)]
    serve: ServeArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    serve(&Cli::parse().serve, "zkit-sandbox").await
}
