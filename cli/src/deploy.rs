//! `zkit zerokie deploy DIR --app NAME`: the core's site deploy, with progress bars on a terminal
//! (files and bytes, speed, time left) and plain lines otherwise, both on stderr.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};

use clap::{value_parser, Arg, ArgAction, ArgMatches, Command};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use zkit::zerokie::{DeployEvent, DeployOptions, DeployReport};

/// The subcommand.
pub fn command() -> Command {
    Command::new("deploy")
        .about("Deploy a folder to a static app: upload what changed, delete what is gone, finalize")
        .long_about(
            "Deploy a folder to a static app in one go: list the site, upload what is new or changed (by length \
             and by content hash against the manifest the last deploy left), delete what is gone, leave out .git/, \
             .DS_Store and --ignore globs, keep the deploy lock alive with a heartbeat, then finalize. Ctrl-C stops \
             it before it finalizes.",
        )
        .arg(Arg::new("dir").value_name("DIR").required(true).help("The folder to deploy"))
        .arg(Arg::new("app").long("app").value_name("NAME").required(true).help("The static app"))
        .arg(Arg::new("dry_run").long("dry-run").action(ArgAction::SetTrue).help("Print the plan; change nothing"))
        .arg(
            Arg::new("no_delete")
                .long("no-delete")
                .action(ArgAction::SetTrue)
                .help("Keep files on the site that are gone locally"),
        )
        .arg(
            Arg::new("no_compare")
                .long("no-compare")
                .action(ArgAction::SetTrue)
                .help("Compare lengths only, not content hashes"),
        )
        .arg(
            Arg::new("ignore")
                .long("ignore")
                .value_name("GLOB")
                .action(ArgAction::Append)
                .help("Leave out paths matching GLOB (repeatable): '*.map', 'drafts/**'"),
        )
        .arg(
            Arg::new("concurrency")
                .long("concurrency")
                .value_name("N")
                .value_parser(value_parser!(u32))
                .default_value("8")
                .help("Uploads in flight at once (1 to 64)"),
        )
        .arg(
            Arg::new("session_id")
                .long("session-id")
                .value_name("UUID")
                .help("Resume the deploy of this session, which still holds the lock"),
        )
}

/// The deploy's options from the flags.
fn options(matches: &ArgMatches) -> DeployOptions {
    DeployOptions {
        dry_run: matches.get_flag("dry_run"),
        delete_removed: !matches.get_flag("no_delete"),
        compare_content: !matches.get_flag("no_compare"),
        ignore: matches.get_many::<String>("ignore").map(|globs| globs.cloned().collect()).unwrap_or_default(),
        concurrency: matches.get_one::<u32>("concurrency").copied().unwrap_or(8),
        session_id: matches.get_one::<String>("session_id").cloned(),
        ..DeployOptions::default()
    }
}

/// Runs the deploy; progress goes to stderr, the report is returned for printing. Ctrl-C stops it
/// before it finalizes and names the session that resumes it.
pub async fn run(zerokie: &zkit::Zerokie, matches: &ArgMatches) -> zkit::Result<DeployReport> {
    let app = matches.get_one::<String>("app").cloned().unwrap_or_default();
    let dir = matches.get_one::<String>("dir").cloned().unwrap_or_default();
    let mut options = options(matches);
    let session = options.session_id.get_or_insert_with(zkit::zerokie::new_deploy_session_id).clone();
    let progress = Progress::new(std::io::stderr().is_terminal());
    let forward = Arc::clone(&progress);
    let deploy = zerokie
        .deploy_site(app.as_str(), dir)
        .options(options)
        .on_progress(Arc::new(move |event: &DeployEvent| forward.show(event)));
    let outcome = tokio::select! {
        biased;
        report = deploy => report,
        _ = tokio::signal::ctrl_c() => {
            progress.finish();
            eprintln!("zkit: {}", zkit::zerokie::cancelled_message(&app, Some(&session)));
            std::process::exit(130);
        }
    };
    progress.finish();
    outcome
}

/// Bars on a terminal, lines elsewhere.
enum Progress {
    Bars { files: ProgressBar, bytes: ProgressBar, _group: MultiProgress },
    Lines(Mutex<()>),
}

impl Progress {
    fn new(terminal: bool) -> Arc<Self> {
        if !terminal {
            return Arc::new(Self::Lines(Mutex::new(())));
        }
        let group = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let files = group.add(ProgressBar::new(0));
        files.set_style(
            ProgressStyle::with_template("{prefix:>8} [{bar:30}] {pos}/{len} files  {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        files.set_prefix("files");
        let bytes = group.add(ProgressBar::new(0));
        bytes.set_style(
            ProgressStyle::with_template("{prefix:>8} [{bar:30}] {bytes}/{total_bytes}  {bytes_per_sec}, {eta} left")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bytes.set_prefix("bytes");
        Arc::new(Self::Bars { files, bytes, _group: group })
    }

    fn show(&self, event: &DeployEvent) {
        match self {
            Self::Bars { files, bytes, .. } => match event {
                DeployEvent::Planned { uploads, upload_bytes, .. } => {
                    files.set_length(*uploads);
                    bytes.set_length(*upload_bytes);
                }
                DeployEvent::FileStarted { path, .. } => files.set_message(path.clone()),
                DeployEvent::BytesSent { bytes: sent, .. } => bytes.inc(*sent),
                DeployEvent::FileDone { .. } => files.inc(1),
                DeployEvent::Deleting { path } => files.set_message(format!("deleting {path}")),
                DeployEvent::Finalizing => files.set_message("finalizing"),
                _ => {}
            },
            Self::Lines(lock) => {
                if let Some(line) = line(event) {
                    // One line at a time: uploads end on several threads.
                    let _held = lock.lock();
                    eprintln!("{line}");
                }
            }
        }
    }

    fn finish(&self) {
        if let Self::Bars { files, bytes, .. } = self {
            files.finish_and_clear();
            bytes.finish_and_clear();
        }
    }
}

/// An event as a plain line, for logs and pipes.
fn line(event: &DeployEvent) -> Option<String> {
    Some(match event {
        DeployEvent::Planned { uploads, upload_bytes, deletes, unchanged, ignored } => format!(
            "planned: {uploads} to upload ({upload_bytes} bytes), {deletes} to delete, {unchanged} unchanged, {ignored} ignored"
        ),
        DeployEvent::FileDone { path, length } => format!("uploaded {path} ({length} bytes)"),
        DeployEvent::Deleting { path } => format!("deleting {path}"),
        DeployEvent::LockRenewed => "renewed the deploy lock".to_owned(),
        DeployEvent::Finalizing => "finalizing".to_owned(),
        DeployEvent::Done { report } => format!(
            "done: {} uploaded, {} deleted, {} unchanged in {} ms",
            report.files_uploaded, report.files_deleted, report.files_unchanged, report.elapsed_ms
        ),
        DeployEvent::FileStarted { .. } | DeployEvent::BytesSent { .. } => return None,
    })
}
