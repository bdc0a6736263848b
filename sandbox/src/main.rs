//! The `zkit-sandbox` binary: serves the sandbox until Ctrl-C or SIGTERM.
//!
//! ```text
//! zkit-sandbox [--host 127.0.0.1] [--port 0] [--allow-remote]
//! ```
//!
//! The first line printed is machine-readable, `ZKIT_SANDBOX_URL=http://127.0.0.1:PORT`, for test
//! suites that start the binary and read its URL through a pipe; a human-readable list of base URLs
//! and sandbox keys follows.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use zkit_sandbox::{credentials, Sandbox};

const USAGE: &str = "\
Usage: zkit-sandbox [--host HOST] [--port PORT] [--allow-remote]

Runs a local emulator of the Zenifra, Zyra, Zenovay and Zerokie APIs until Ctrl-C.

Options:
  --host HOST       address to listen on (default 127.0.0.1)
  --port PORT       port to listen on; 0 picks a free one (default 0)
  --allow-remote    allow a HOST that is not a loopback address
  -h, --help        print this help
  -V, --version     print the version";

/// What the command line asked for.
#[derive(Debug, PartialEq)]
struct Options {
    host: IpAddr,
    port: u16,
}

/// Parses the arguments (without the program name); `Err` holds what to print and the exit code.
fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, (String, u8)> {
    let mut host = String::from("127.0.0.1");
    let mut port = String::from("0");
    let mut allow_remote = false;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag.to_owned(), Some(value.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline.clone().or_else(|| args.next()).ok_or_else(|| (format!("{name} needs a value\n\n{USAGE}"), 2))
        };
        match flag.as_str() {
            "--host" => host = value("--host")?,
            "--port" => port = value("--port")?,
            "--allow-remote" => allow_remote = true,
            "-h" | "--help" => return Err((USAGE.to_owned(), 0)),
            "-V" | "--version" => return Err((format!("zkit-sandbox {}", env!("CARGO_PKG_VERSION")), 0)),
            other => return Err((format!("unknown argument: {other}\n\n{USAGE}"), 2)),
        }
    }
    let host: IpAddr = match host.as_str() {
        "localhost" => Ipv4Addr::LOCALHOST.into(),
        other => other
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .map_err(|_| (format!("--host: {other:?} is not an IP address"), 2))?,
    };
    if !host.is_loopback() && !allow_remote {
        return Err((
            format!("--host {host} is not a loopback address; the sandbox accepts its well-known keys from anyone who can reach it. Add --allow-remote to listen there anyway."),
            2,
        ));
    }
    let port = port.parse().map_err(|_| (format!("--port: {port:?} is not a port number"), 2))?;
    Ok(Options { host, port })
}

/// The lines printed at start: the machine-readable one, then the human block.
fn banner(sandbox: &Sandbox) -> String {
    use credentials::*;
    let url = sandbox.url();
    let (zerokie, zenifra, zyra, zenovay) = (
        sandbox.base_url("zerokie"),
        sandbox.base_url("zenifra"),
        sandbox.base_url("zyra"),
        sandbox.base_url("zenovay"),
    );
    let mut out = format!("ZKIT_SANDBOX_URL={url}\n\nzkit sandbox listening on {url}\n\n");
    out += &format!("  zerokie   {zerokie}\n            key {ZEROKIE_API_KEY}\n");
    out += &format!(
        "  zenifra   {zenifra}\n            organization key {ZENIFRA_ORG_KEY} (organization {ZENIFRA_ORGANIZATION_ID})\n            project key {ZENIFRA_PROJECT_KEY} (project {ZENIFRA_WEB_PROJECT_ID})\n"
    );
    out += &format!("  zenovay   {zenovay}\n            personal token {ZENOVAY_API_KEY}\n");
    out += &format!(
        "  zyra      {zyra}\n            admin key {ZYRA_ADMIN_KEY} ({ZYRA_ADMIN_EMAIL} / {ZYRA_ADMIN_PASSWORD}, organization {ZYRA_ORGANIZATION_ID})\n            member key {ZYRA_MEMBER_KEY} ({ZYRA_MEMBER_EMAIL} / {ZYRA_MEMBER_PASSWORD})\n"
    );
    out += &format!("  control   {url}/__sandbox/  (every credential: GET {url}/__sandbox/)\n\n");
    out += &format!(
        "For zkit clients:\n  ZEROKIE_BASE_URL={zerokie}\n  ZEROKIE_API_KEY={ZEROKIE_API_KEY}\n  \
         ZENIFRA_BASE_URL={zenifra}\n  ZENIFRA_API_KEY={ZENIFRA_ORG_KEY}\n  ZENIFRA_ORGANIZATION_ID={ZENIFRA_ORGANIZATION_ID}\n  \
         ZYRA_BASE_URL={zyra}\n  ZYRA_API_KEY={ZYRA_ADMIN_KEY}\n  ZYRA_EMAIL={ZYRA_ADMIN_EMAIL}\n  ZYRA_PASSWORD={ZYRA_ADMIN_PASSWORD}\n  \
         ZENOVAY_BASE_URL={zenovay}\n  ZENOVAY_API_KEY={ZENOVAY_API_KEY}\n\nPress Ctrl-C to stop.\n"
    );
    out
}

/// Resolves on Ctrl-C, or on SIGTERM on Unix.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err((message, 0)) => {
            println!("{message}");
            return ExitCode::SUCCESS;
        }
        Err((message, code)) => {
            eprintln!("zkit-sandbox: {message}");
            return ExitCode::from(code);
        }
    };
    let sandbox = match Sandbox::bind(SocketAddr::new(options.host, options.port)).await {
        Ok(sandbox) => sandbox,
        Err(error) => {
            eprintln!("zkit-sandbox: cannot listen on {}:{}: {error}", options.host, options.port);
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(banner(&sandbox).as_bytes());
    let _ = stdout.flush();
    drop(stdout);
    stop_signal().await;
    sandbox.shutdown().await;
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn defaults_and_flags() {
        assert_eq!(parse(args(&[])).unwrap(), Options { host: Ipv4Addr::LOCALHOST.into(), port: 0 });
        let options = parse(args(&["--host", "::1", "--port=8080"])).unwrap();
        assert_eq!((options.host.to_string().as_str(), options.port), ("::1", 8080));
        assert_eq!(parse(args(&["--host", "localhost"])).unwrap().host, IpAddr::from(Ipv4Addr::LOCALHOST));
    }

    #[tokio::test]
    async fn the_banner_lists_every_api_and_its_env_lines() {
        let sandbox = Sandbox::start().await.unwrap();
        let text = banner(&sandbox);
        assert!(text.starts_with(&format!("ZKIT_SANDBOX_URL={}\n", sandbox.url())), "{text}");
        for line in [
            format!("ZYRA_BASE_URL={}", sandbox.base_url("zyra")),
            format!("ZYRA_API_KEY={}", credentials::ZYRA_ADMIN_KEY),
            format!("ZYRA_EMAIL={}", credentials::ZYRA_ADMIN_EMAIL),
            format!("ZYRA_PASSWORD={}", credentials::ZYRA_ADMIN_PASSWORD),
            format!("ZENOVAY_BASE_URL={}", sandbox.base_url("zenovay")),
            format!("ZENIFRA_API_KEY={}", credentials::ZENIFRA_ORG_KEY),
        ] {
            assert!(text.lines().any(|l| l.trim() == line), "{line} in {text}");
        }
        assert!(!text.contains("not yet emulated"), "{text}");
    }

    #[test]
    fn remote_hosts_need_allow_remote() {
        assert_eq!(parse(args(&["--host", "0.0.0.0"])).unwrap_err().1, 2);
        assert!(parse(args(&["--host", "0.0.0.0", "--allow-remote"])).is_ok());
        assert_eq!(parse(args(&["--port", "x"])).unwrap_err().1, 2);
        assert_eq!(parse(args(&["--port"])).unwrap_err().1, 2);
        assert_eq!(parse(args(&["--bogus"])).unwrap_err().1, 2);
        assert_eq!(parse(args(&["--help"])).unwrap_err().1, 0);
    }
}
