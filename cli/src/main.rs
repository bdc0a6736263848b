//! `zkit`: every operation of the Zerokie, Zenifra, Zenovay and Zyra APIs from the command line,
//! derived from the core's operation tables and contracts (`commands.rs`), plus `zkit zerokie deploy`
//! (`deploy.rs`), `zkit <api> wait`, `zkit sandbox` and `zkit completions`.
//!
//! ```text
//! zkit zerokie list-apps
//! zkit zyra list-devices --limit 200 --all --output table
//! zkit zenifra update-envs --id prj_1 --set LOG_LEVEL=debug
//! zkit zerokie deploy ./dist --app my-site
//! zkit zerokie wait app-running --name web --timeout 120
//! ```

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use clap::{value_parser, Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};
use serde_json::Value;
use zkit::wait::{WaitOptions, Waiters};
use zkit::{CallOptions, ClientBuilder, DynamicApi, ErrorKind, JsonPages, Payload};

mod commands;
mod deploy;
mod output;

use output::Format;

const EXIT_CODES: &str = "\
Exit codes:
  0   success
  1   an internal error
  2   a usage error (the command line)
  3   invalid_input: refused before anything was sent
  4   bad_request
  5   unauthorized, payment_required, forbidden
  6   not_found
  7   conflict
  8   rate_limited
  9   timeout
  10  connection
  11  server, upstream
  12  decode
  13  redirect: a redirect that was not followed
  130 interrupted (Ctrl-C)

Keys come from <API>_API_KEY (ZEROKIE_API_KEY, ZENIFRA_API_KEY, ZENOVAY_API_KEY, ZYRA_API_KEY, or
ZYRA_EMAIL and ZYRA_PASSWORD), --api-key-env NAME or --api-key-stdin; never from the command line.
Base URLs from <API>_BASE_URL or --base-url. ZKIT_LOG=debug (or info, warn) prints the calls' records,
credentials redacted, to stderr; ZKIT_MAX_RETRIES, ZKIT_TIMEOUT, ZKIT_PROXY and ZKIT_CA_BUNDLE set what
their names say, and HTTPS_PROXY, HTTP_PROXY and NO_PROXY are honoured.";

/// The exit code of an error of `kind` (the table above).
fn exit_code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::InvalidInput => 3,
        ErrorKind::BadRequest => 4,
        ErrorKind::Unauthorized | ErrorKind::PaymentRequired | ErrorKind::Forbidden => 5,
        ErrorKind::NotFound => 6,
        ErrorKind::Conflict => 7,
        ErrorKind::RateLimited => 8,
        ErrorKind::Timeout => 9,
        ErrorKind::Connection => 10,
        ErrorKind::Server | ErrorKind::Upstream => 11,
        ErrorKind::Decode => 12,
        ErrorKind::Redirect => 13,
        _ => 1,
    }
}

/// What a command prints on success.
enum Output {
    Value(Value),
    Bytes(bytes::Bytes),
}

/// The settings every API command shares.
struct Global {
    base_url: Option<String>,
    api_key: Option<String>,
    max_retries: Option<u32>,
}

impl Global {
    fn read(matches: &ArgMatches) -> Result<Self, zkit::Error> {
        let api_key = if let Some(name) = matches.get_one::<String>("api_key_env") {
            let key = std::env::var(name).ok().filter(|key| !key.is_empty());
            Some(key.ok_or_else(|| zkit::Error::invalid_input("api_key_env", format!("{name} is not set")))?)
        } else if matches.get_flag("api_key_stdin") {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| zkit::Error::invalid_input("api_key_stdin", e.to_string()))?;
            Some(line.trim().to_owned())
        } else {
            None
        };
        Ok(Self {
            base_url: matches.get_one::<String>("base_url").cloned(),
            api_key,
            max_retries: matches.get_one::<u32>("max_retries").copied(),
        })
    }

    /// A client of `A` from these settings, the API's own flags, and the environment.
    fn client<A: DynamicApi>(&self, api_matches: &ArgMatches) -> zkit::Result<A> {
        let mut builder = ClientBuilder::<A>::default().user_agent(concat!("zkit-cli/", env!("CARGO_PKG_VERSION")));
        if let Some(key) = &self.api_key {
            builder = builder.api_key(key.clone());
        }
        if let Some(url) = &self.base_url {
            builder = builder.base_url(url.clone());
        }
        if let Some(n) = self.max_retries {
            builder = builder.max_retries(n);
        }
        for context in A::PROFILE.context_headers {
            if let Some(value) = api_matches.get_one::<String>(context.setting) {
                builder = builder.setting(context.setting, value.clone());
            }
        }
        builder.log_sink(std::sync::Arc::new(StderrLog)).from_env().build()
    }
}

/// Where the client's records go when `ZKIT_LOG` asks for them: stderr, so output stays clean.
struct StderrLog;

impl zkit::LogSink for StderrLog {
    fn log(&self, record: &zkit::LogRecord) {
        eprintln!("[{}] {}", record.level, record.message);
    }
}

/// The command of one API: its own settings, an operation per subcommand, its waiters.
fn api_command<A: DynamicApi + Waiters>(name: &'static str, about: &'static str) -> Command {
    let document = A::openapi();
    let operations = commands::operations(&document);
    let mut command = Command::new(name).about(about).subcommand_required(true).arg_required_else_help(true);
    for context in A::PROFILE.context_headers {
        let env = format!("{}_{}", A::PROFILE.env_prefix, context.setting.to_ascii_uppercase());
        command = command.arg(
            Arg::new(context.setting)
                .long(commands::kebab(context.setting))
                .global(true)
                .value_name("TEXT")
                .help(format!("Sent as {} on every call (default: ${env})", context.header)),
        );
    }
    for operation in &operations {
        command = command.subcommand(operation.command());
    }
    if !A::waiters().is_empty() {
        command = command.subcommand(commands::wait_command(&operations, A::waiters()));
    }
    command
}

/// The whole command line.
fn cli() -> Command {
    let zerokie =
        api_command::<zkit::Zerokie>("zerokie", "Zerokie: container and static apps, files, deploys, domains")
            .subcommand(deploy::command());
    let sandbox = zkit_sandbox::serve::ServeArgs::augment_args(
        Command::new("sandbox")
            .about("Run the local emulator of the four APIs until Ctrl-C (prints the env lines to use it)"),
    );
    let completions = Command::new("completions")
        .about("Print a shell's completion script")
        .arg(Arg::new("shell").value_name("SHELL").required(true).value_parser(value_parser!(clap_complete::Shell)));
    Command::new("zkit")
        .version(env!("CARGO_PKG_VERSION"))
        .about("The Zerokie, Zenifra, Zenovay and Zyra APIs from the command line")
        .after_help(EXIT_CODES)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(
            Arg::new("output")
                .long("output")
                .short('o')
                .global(true)
                .value_name("FORMAT")
                .value_parser(value_parser!(Format))
                .help("How results are printed (default: a table on a terminal, JSON otherwise)"),
        )
        .arg(
            Arg::new("base_url")
                .long("base-url")
                .global(true)
                .value_name("URL")
                .help("The API's base URL (default: $<API>_BASE_URL)"),
        )
        .arg(
            Arg::new("api_key_env")
                .long("api-key-env")
                .global(true)
                .value_name("NAME")
                .help("Read the key from this environment variable (default: <API>_API_KEY)"),
        )
        .arg(
            Arg::new("api_key_stdin")
                .long("api-key-stdin")
                .global(true)
                .action(ArgAction::SetTrue)
                .conflicts_with("api_key_env")
                .help("Read the key from the first line of standard input"),
        )
        .arg(
            Arg::new("max_retries")
                .long("max-retries")
                .global(true)
                .value_name("N")
                .value_parser(value_parser!(u32))
                .help("Retries after the first attempt (default 2)"),
        )
        .subcommand(zerokie)
        .subcommand(api_command::<zkit::Zenifra>(
            "zenifra",
            "Zenifra: projects, deploys, env vars, scaling, metrics, logs",
        ))
        .subcommand(api_command::<zkit::Zenovay>("zenovay", "Zenovay: websites, their settings and analytics"))
        .subcommand(api_command::<zkit::Zyra>(
            "zyra",
            "Zyra: compute nodes, virtual servers, ML jobs, the organization",
        ))
        .subcommand(sandbox)
        .subcommand(completions)
}

/// Runs one API's subcommand: an operation, a walk of every page, or a wait.
async fn run_api<A: DynamicApi + Waiters>(global: &Global, matches: &ArgMatches) -> zkit::Result<Output> {
    let api: A = global.client(matches)?;
    let operations = commands::operations(&A::openapi());
    let usage = |message: String| zkit::Error::invalid_input("command line", message);
    let Some((name, sub)) = matches.subcommand() else { return Err(usage("no operation given".into())) };
    if name == "wait" {
        let Some((waiter, flags)) = sub.subcommand() else { return Err(usage("no waiter given".into())) };
        let waiter =
            A::waiters().iter().find(|w| commands::kebab(w.name) == waiter).ok_or_else(|| usage(waiter.into()))?;
        let input = commands::input(&commands::wait_fields(&operations, waiter), flags).map_err(usage)?;
        let seconds = |id: &str| Duration::from_secs_f64(flags.get_one::<f64>(id).copied().unwrap_or(0.0).max(0.0));
        let options = WaitOptions {
            timeout: seconds("timeout"),
            first_delay: seconds("first_delay"),
            max_delay: seconds("max_delay"),
        };
        return zkit::wait::wait_until(&api, waiter.name, input, options).await.map(Output::Value);
    }
    let operation = operations.iter().find(|op| commands::kebab(&op.name) == name).ok_or_else(|| usage(name.into()))?;
    let input = commands::input(&operation.fields, sub).map_err(usage)?;
    if operation.paged && sub.get_flag("all") {
        let mut walk = JsonPages::new(api, &operation.name, input, CallOptions::default())?;
        if let Some(max) = sub.get_one::<u32>("max_pages") {
            walk = walk.max_pages(*max);
        }
        let mut items = Vec::new();
        while let Some(page) = walk.next_page().await? {
            if let Value::Array(more) = page.data.get("items").cloned().unwrap_or(Value::Null) {
                items.extend(more);
            }
        }
        return Ok(Output::Value(Value::Array(items)));
    }
    match api.call_payload(&operation.name, input, None, CallOptions::default()).await?.data {
        Payload::Bytes(download) => Ok(Output::Bytes(download.content)),
        json => json.into_json().map(Output::Value),
    }
}

/// Runs the command; `Err` carries the error to report.
async fn run(matches: &ArgMatches) -> zkit::Result<Option<Output>> {
    let global = || Global::read(matches);
    let output = match matches.subcommand() {
        Some(("zerokie", sub)) => match sub.subcommand() {
            Some(("deploy", flags)) => {
                let global = global()?;
                let zerokie: zkit::Zerokie = global.client(sub)?;
                let report = deploy::run(&zerokie, flags).await?;
                Output::Value(serde_json::to_value(report).unwrap_or_default())
            }
            _ => run_api::<zkit::Zerokie>(&global()?, sub).await?,
        },
        Some(("zenifra", sub)) => run_api::<zkit::Zenifra>(&global()?, sub).await?,
        Some(("zenovay", sub)) => run_api::<zkit::Zenovay>(&global()?, sub).await?,
        Some(("zyra", sub)) => run_api::<zkit::Zyra>(&global()?, sub).await?,
        Some(("completions", sub)) => {
            if let Some(shell) = sub.get_one::<clap_complete::Shell>("shell") {
                clap_complete::generate(*shell, &mut cli(), "zkit", &mut std::io::stdout());
            }
            return Ok(None);
        }
        _ => return Ok(None),
    };
    Ok(Some(output))
}

/// An error on stderr: its kind and message, then the facts the server gave. Never a key (the core's
/// errors carry none).
fn report(error: &zkit::Error) {
    let mut text = format!("zkit: {}: {}\n", error.kind().as_str(), error.message());
    if let Some(status) = error.status() {
        text += &format!("  status: {status}\n");
    }
    if let Some(code) = error.code() {
        text += &format!("  code: {code}\n");
    }
    if let Some(field) = error.field() {
        text += &format!("  field: {field}\n");
    }
    if let Some(id) = error.request_id() {
        text += &format!("  request id: {id}\n");
    }
    if let Some(after) = error.retry_after() {
        text += &format!("  retry after: {} s\n", after.as_secs_f64());
    }
    if let Some(details) = error.details() {
        text += &format!("  details: {details}\n");
    }
    let _ = std::io::stderr().write_all(text.as_bytes());
}

fn print(output: Output, format: Format) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match output {
        Output::Value(value) => stdout.write_all(output::render(&value, format).as_bytes())?,
        Output::Bytes(bytes) if stdout.is_terminal() => {
            let _ = bytes;
            eprintln!("zkit: the answer is binary; redirect it to a file (zkit … > out.pdf)");
        }
        Output::Bytes(bytes) => stdout.write_all(&bytes)?,
    }
    stdout.flush()
}

#[tokio::main]
async fn main() -> ExitCode {
    let matches = cli().get_matches();
    if let Some(("sandbox", serve)) = matches.subcommand() {
        let args = match zkit_sandbox::serve::ServeArgs::from_arg_matches(serve) {
            Ok(args) => args,
            Err(error) => error.exit(),
        };
        return zkit_sandbox::serve::serve(&args, "zkit sandbox").await;
    }
    let format = Format::pick(matches.get_one::<Format>("output").copied());
    let outcome = tokio::select! {
        // The command first: a deploy answers Ctrl-C itself, naming the session to resume.
        biased;
        outcome = run(&matches) => outcome,
        _ = tokio::signal::ctrl_c() => {
            eprintln!("zkit: interrupted");
            return ExitCode::from(130);
        }
    };
    match outcome {
        Ok(Some(output)) => match print(output, format) {
            Ok(()) => ExitCode::SUCCESS,
            // A closed pipe (`zkit … | head`) is the reader's choice, not a failure.
            Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("zkit: writing the output: {error}");
                ExitCode::FAILURE
            }
        },
        Ok(None) => ExitCode::SUCCESS,
        Err(error) => {
            report(&error);
            ExitCode::from(exit_code(error.kind()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_api<A: DynamicApi + Waiters>(root: &Command, name: &str) {
        let api = root.find_subcommand(name).unwrap_or_else(|| panic!("no {name}"));
        for operation in A::operations() {
            assert!(api.find_subcommand(commands::kebab(operation.name)).is_some(), "{name} {}", operation.name);
        }
        if let Some(wait) = api.find_subcommand("wait") {
            assert_eq!(wait.get_subcommands().count(), A::waiters().len(), "{name} wait");
        }
    }

    #[test]
    fn the_command_tree_is_valid_and_every_operation_has_its_subcommand() {
        let root = cli();
        root.clone().debug_assert();
        check_api::<zkit::Zerokie>(&root, "zerokie");
        check_api::<zkit::Zenifra>(&root, "zenifra");
        check_api::<zkit::Zenovay>(&root, "zenovay");
        check_api::<zkit::Zyra>(&root, "zyra");
    }

    #[test]
    fn the_help_names_every_error_kind_beside_its_exit_code() {
        for kind in ErrorKind::ALL {
            let code = exit_code(*kind).to_string();
            let line = EXIT_CODES.lines().find(|line| line.split_whitespace().next() == Some(code.as_str()));
            assert!(
                line.is_some_and(|line| line.contains(kind.as_str())),
                "{} is documented with {code}",
                kind.as_str()
            );
        }
    }
}
