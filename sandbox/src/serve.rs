//! Serving the sandbox from a command line: the arguments (clap), the banner and the wait for Ctrl-C.
//! The `zkit-sandbox` binary and `zkit sandbox` both run [`serve`].

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use crate::{credentials, Sandbox};

/// Where the sandbox listens.
#[derive(Clone, Debug, PartialEq, Eq, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (`localhost` is 127.0.0.1).
    #[arg(long, default_value = "127.0.0.1", value_parser = parse_host)]
    pub host: IpAddr,
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Allow a HOST that is not a loopback address: anyone who can reach it can use the sandbox's
    /// well-known keys.
    #[arg(long)]
    pub allow_remote: bool,
    /// Speak HTTPS, with a certificate signed by an authority made at start; the authority's PEM is
    /// written to a file named on the banner's second line (`ZKIT_SANDBOX_CA=<path>`), for clients'
    /// `ca_bundle`.
    #[arg(long)]
    pub tls: bool,
}

fn parse_host(text: &str) -> Result<IpAddr, String> {
    match text {
        "localhost" => Ok(Ipv4Addr::LOCALHOST.into()),
        other => other
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .map_err(|_| format!("{other:?} is not an IP address")),
    }
}

impl ServeArgs {
    /// Refuses a remote address unless it was allowed.
    pub fn check(&self) -> Result<(), String> {
        if !self.host.is_loopback() && !self.allow_remote {
            return Err(format!(
                "--host {} is not a loopback address; the sandbox accepts its well-known keys from anyone who can \
                 reach it. Add --allow-remote to listen there anyway.",
                self.host
            ));
        }
        Ok(())
    }
}

/// Serves until Ctrl-C or SIGTERM, after printing the banner; `program` names the command in errors.
pub async fn serve(args: &ServeArgs, program: &str) -> ExitCode {
    if let Err(message) = args.check() {
        eprintln!("{program}: {message}");
        return ExitCode::from(2);
    }
    let addr = SocketAddr::new(args.host, args.port);
    let started = if args.tls { Sandbox::bind_tls(addr).await } else { Sandbox::bind(addr).await };
    let sandbox = match started {
        Ok(sandbox) => sandbox,
        Err(error) => {
            eprintln!("{program}: cannot listen on {}:{}: {error}", args.host, args.port);
            return ExitCode::FAILURE;
        }
    };
    // Listening for the signals before the banner tells anyone the sandbox is up: a SIGTERM sent as
    // soon as the URL is read must stop it cleanly, not kill it.
    let stop = stop_signal();
    let ca_file = match sandbox.ca_pem() {
        None => None,
        Some(pem) => {
            let path = std::env::temp_dir().join(format!("zkit-sandbox-{}-ca.pem", std::process::id()));
            if let Err(error) = std::fs::write(&path, pem) {
                eprintln!("{program}: cannot write {}: {error}", path.display());
                return ExitCode::FAILURE;
            }
            Some(path)
        }
    };
    let mut text = banner(&sandbox);
    if let Some(path) = &ca_file {
        let first_line = text.find('\n').map_or(text.len(), |i| i + 1);
        text.insert_str(first_line, &format!("ZKIT_SANDBOX_CA={}\n", path.display()));
    }
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
    drop(stdout);
    stop.await;
    sandbox.shutdown().await;
    if let Some(path) = ca_file {
        let _ = std::fs::remove_file(path);
    }
    ExitCode::SUCCESS
}

/// The lines printed at start: the machine-readable one, then the human block.
pub fn banner(sandbox: &Sandbox) -> String {
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

/// Listens for Ctrl-C, and SIGTERM on Unix, from the call on; resolves when one arrives.
fn stop_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{signal, SignalKind};
        signal(SignalKind::terminate()).and_then(|term| Ok((term, signal(SignalKind::interrupt())?)))
    };
    async move {
        #[cfg(unix)]
        if let Ok((mut term, mut interrupt)) = signals {
            tokio::select! {
                _ = term.recv() => {}
                _ = interrupt.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, clap::Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn parse(list: &[&str]) -> Result<ServeArgs, clap::Error> {
        let args = Cli::try_parse_from(std::iter::once("zkit-sandbox").chain(list.iter().copied()))?.serve;
        Ok(args)
    }

    #[test]
    fn defaults_and_flags() {
        let defaults = parse(&[]).unwrap();
        assert_eq!((defaults.host, defaults.port), (IpAddr::from(Ipv4Addr::LOCALHOST), 0));
        let options = parse(&["--host", "::1", "--port=8080"]).unwrap();
        assert_eq!((options.host.to_string().as_str(), options.port), ("::1", 8080));
        assert_eq!(parse(&["--host", "localhost"]).unwrap().host, IpAddr::from(Ipv4Addr::LOCALHOST));
    }

    #[test]
    fn remote_hosts_need_allow_remote_and_bad_values_are_usage_errors() {
        assert!(parse(&["--host", "0.0.0.0"]).unwrap().check().is_err());
        assert!(parse(&["--host", "0.0.0.0", "--allow-remote"]).unwrap().check().is_ok());
        for bad in [&["--port", "x"][..], &["--port"], &["--bogus"], &["--host", "example.com"]] {
            assert_eq!(parse(bad).unwrap_err().exit_code(), 2, "{bad:?}");
        }
        assert_eq!(parse(&["--help"]).unwrap_err().exit_code(), 0);
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
}
