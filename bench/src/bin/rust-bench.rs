//! zkit's Rust client against a plain `reqwest::Client` (rustls, pooled keep-alive, no proxy) doing the
//! same requests and decoding, over the bench server. Prints one table: time per call and its ratio,
//! throughput of 100 MiB transfers and the peak RSS growth each causes, measured in a child process of
//! its own (this binary, re-run with the hidden `transfer` subcommand).
//!
//! ```text
//! rust-bench [--url http://127.0.0.1:PORT] [--quick]
//! ```
//!
//! Without `--url` it starts `bench-server` from its own directory.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::{Parser, Subcommand, ValueEnum};
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use http::Method;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use zkit::zerokie::{UploadFile, Zerokie};
use zkit::RawRequest;
use zkit_bench::report::{median, meets, mib_per_s, peak_rss_kib, per_call, print_table, ratio, Row};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The key both clients send; the bench server does not check it.
const API_KEY: &str = "zrk_bench_0c0ffee0c0ffee0c0ffee0c0ffee";

/// The app every single-app call fetches.
const APP: &str = "app-1";

/// What zkit aims for (time ratio = zkit time / peer time): each goal's text and the largest figure that
/// meets it.
mod goals {
    /// `get_app`, sequential and concurrent: the time ratio.
    pub const CALL: (&str, f64) = ("<= 1.1x", 1.1);
    /// `list_apps`: the time ratio.
    pub const LIST: (&str, f64) = ("<= 1.1x", 1.1);
    /// Every upload and download: throughput at least 0.7x the peer's, so a time ratio of 1 / 0.7.
    pub const TRANSFER: (&str, f64) = ("<= 1.43x time", 1.43);
    /// The peak RSS growth of an upload from memory or a download, as a multiple of the payload.
    pub const RSS_FACTOR: f64 = 1.2;
    /// The peak RSS growth of an upload from a file, in MiB.
    pub const RSS_FILE_MIB: f64 = 32.0;
}

#[derive(Parser, Debug)]
#[command(about = "zkit's Rust client against plain reqwest, over the bench server")]
struct Args {
    /// The bench server's URL; without it, `bench-server` is started next to this binary.
    #[arg(long)]
    url: Option<String>,
    /// Fewer iterations and one repetition of each transfer.
    #[arg(long)]
    quick: bool,
    /// The size of each upload and download, in bytes.
    #[arg(long, default_value_t = 100 * 1024 * 1024)]
    transfer_bytes: u64,
    #[command(subcommand)]
    command: Option<Internal>,
}

#[derive(Subcommand, Debug)]
enum Internal {
    /// Runs one transfer and prints its figures (used by the benchmark itself).
    #[command(hide = true)]
    Transfer {
        #[arg(long)]
        url: String,
        #[arg(long, value_enum)]
        case: Transfer,
        #[arg(long, value_enum)]
        client: Side,
        #[arg(long)]
        bytes: u64,
        /// The file to upload (for `upload-file`).
        #[arg(long)]
        file: Option<PathBuf>,
    },
}

/// The transfers, each measured in a process of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Transfer {
    UploadMemory,
    UploadFile,
    Download,
}

/// Who makes the calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Side {
    Zkit,
    Reqwest,
}

/// The peer's decoding target: the fields of a Zerokie app, nothing more.
#[derive(Deserialize, Debug)]
#[allow(dead_code)] // read by the decoder only
struct PeerApp {
    name: String,
    status: String,
    #[serde(rename = "type")]
    kind: Option<String>,
    image: Option<String>,
    port: Option<u16>,
    url: Option<String>,
    instances: Option<u32>,
    cpu: Option<u32>,
    memory: Option<u32>,
    created_at: Option<String>,
    updated_at: Option<String>,
}

/// The two clients, set up alike.
#[derive(Clone)]
struct Clients {
    url: String,
    zerokie: Zerokie,
    /// A zkit client at the server's root, for raw calls outside the Zerokie paths.
    root: Zerokie,
    reqwest: reqwest::Client,
}

impl Clients {
    fn new(url: &str) -> Result<Self> {
        let zerokie =
            Zerokie::builder().api_key(API_KEY).base_url(format!("{url}/zerokie")).rate_limit(false).build()?;
        // reqwest with rustls and ring, as zkit's core builds it.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let reqwest = reqwest::Client::builder()
            .no_proxy()
            .pool_idle_timeout(Duration::from_secs(90))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let root = Zerokie::builder().api_key(API_KEY).base_url(url).rate_limit(false).build()?;
        Ok(Self { url: url.to_owned(), zerokie, root, reqwest })
    }

    async fn zkit_get(&self) -> Result<()> {
        let app = self.zerokie.get_app(APP).await?;
        std::hint::black_box(app);
        Ok(())
    }

    async fn peer_get(&self) -> Result<()> {
        let bytes = self.peer_json(&format!("{}/zerokie/v1/apps/{APP}", self.url)).await?;
        std::hint::black_box(serde_json::from_slice::<PeerApp>(&bytes)?);
        Ok(())
    }

    async fn zkit_list(&self) -> Result<usize> {
        Ok(self.zerokie.list_apps().await?.len())
    }

    async fn peer_list(&self) -> Result<usize> {
        let bytes = self.peer_json(&format!("{}/zerokie/v1/apps", self.url)).await?;
        Ok(serde_json::from_slice::<Vec<PeerApp>>(&bytes)?.len())
    }

    async fn peer_json(&self, url: &str) -> Result<Bytes> {
        let response = self
            .reqwest
            .get(url)
            .header(AUTHORIZATION, format!("Bearer {API_KEY}"))
            .header(ACCEPT, "application/json")
            .send()
            .await?
            .error_for_status()?;
        Ok(response.bytes().await?)
    }

    async fn call(&self, side: Side) -> Result<()> {
        match side {
            Side::Zkit => self.zkit_get().await,
            Side::Reqwest => self.peer_get().await,
        }
    }
}

/// Stops the bench server this benchmark started.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_server() -> Result<(Server, String)> {
    let exe = std::env::current_exe()?;
    let server = exe.with_file_name("bench-server");
    let mut child =
        Command::new(&server).stdout(Stdio::piped()).spawn().map_err(|e| format!("{}: {e}", server.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let guard = Server(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let url = line.trim().strip_prefix("BENCH_URL=").ok_or_else(|| format!("unexpected first line {line:?}"))?;
    Ok((guard, url.to_owned()))
}

/// The time `calls` sequential calls take, the median of `reps` rounds.
async fn sequential(clients: &Clients, side: Side, calls: u32, reps: usize) -> Result<Duration> {
    let mut rounds = Vec::new();
    for _ in 0..reps {
        let started = Instant::now();
        for _ in 0..calls {
            clients.call(side).await?;
        }
        rounds.push(started.elapsed().as_secs_f64());
    }
    Ok(Duration::from_secs_f64(median(&rounds)))
}

/// The time `tasks` tasks of `each` calls take together, the median of `reps` rounds.
async fn concurrent(clients: &Clients, side: Side, tasks: u32, each: u32, reps: usize) -> Result<Duration> {
    let mut rounds = Vec::new();
    for _ in 0..reps {
        let started = Instant::now();
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let clients = clients.clone();
                tokio::spawn(async move {
                    for _ in 0..each {
                        clients.call(side).await?;
                    }
                    Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
                })
            })
            .collect();
        for handle in handles {
            handle.await??;
        }
        rounds.push(started.elapsed().as_secs_f64());
    }
    Ok(Duration::from_secs_f64(median(&rounds)))
}

/// The time one list of every app takes, the median of `iterations`.
async fn list(clients: &Clients, side: Side, iterations: u32) -> Result<Duration> {
    let mut rounds = Vec::new();
    for _ in 0..iterations {
        let started = Instant::now();
        let n = match side {
            Side::Zkit => clients.zkit_list().await?,
            Side::Reqwest => clients.peer_list().await?,
        };
        rounds.push(started.elapsed().as_secs_f64());
        assert_eq!(n, zkit_bench::fixture::LIST_LEN);
    }
    Ok(Duration::from_secs_f64(median(&rounds)))
}

fn row(figure: &str, zkit: Duration, peer: Duration, calls: u32, (goal, limit): (&str, f64)) -> Row {
    Row {
        figure: figure.to_owned(),
        zkit: per_call(zkit, calls),
        peer: format!("{} (reqwest)", per_call(peer, calls)),
        ratio: ratio(zkit.as_secs_f64(), peer.as_secs_f64()),
        goal: goal.to_owned(),
        met: meets(time_ratio(zkit, peer), Some(limit)),
    }
}

/// `zkit / peer` of two times; `None` when the peer's is zero.
fn time_ratio(zkit: Duration, peer: Duration) -> Option<f64> {
    (peer.as_secs_f64() > 0.0).then(|| zkit.as_secs_f64() / peer.as_secs_f64())
}

/// What one transfer child reports.
#[derive(Clone, Copy, Debug, Default)]
struct TransferFigures {
    seconds: f64,
    rss_growth_kib: u64,
}

/// Runs one transfer in a child process and reads its figures.
fn run_transfer(url: &str, case: Transfer, side: Side, bytes: u64, file: &Path) -> Result<TransferFigures> {
    let exe = std::env::current_exe()?;
    let output = Command::new(exe)
        .args(["transfer", "--url", url, "--bytes", &bytes.to_string()])
        .args(["--case", case.to_possible_value().map(|v| v.get_name().to_owned()).unwrap_or_default().as_str()])
        .args(["--client", side.to_possible_value().map(|v| v.get_name().to_owned()).unwrap_or_default().as_str()])
        .arg("--file")
        .arg(file)
        .stderr(Stdio::inherit())
        .output()?;
    if !output.status.success() {
        return Err(format!("transfer {case:?} with {side:?} failed: {}", output.status).into());
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let mut figures = TransferFigures::default();
    for field in text.split_whitespace() {
        if let Some(v) = field.strip_prefix("seconds=") {
            figures.seconds = v.parse()?;
        } else if let Some(v) = field.strip_prefix("rss_growth_kib=") {
            figures.rss_growth_kib = v.parse()?;
        }
    }
    Ok(figures)
}

/// The bytes every upload sends: a fixed pattern, so the server's checksum can be checked.
fn payload(bytes: u64) -> Bytes {
    let len = usize::try_from(bytes).unwrap_or(usize::MAX);
    Bytes::from((0..len).map(|i| (i % 251) as u8).collect::<Vec<u8>>())
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks that the server received `expected` bytes with the digest `sha256`.
async fn check_upload(clients: &Clients, expected: u64, sha256: &str) -> Result<()> {
    #[derive(Deserialize)]
    struct LastUpload {
        length: u64,
        sha256: String,
    }
    let last: LastUpload =
        serde_json::from_slice(&clients.peer_json(&format!("{}/__bench/last-upload", clients.url)).await?)?;
    if last.length != expected || last.sha256 != sha256 {
        return Err(
            format!("the server received {} bytes ({}), not {expected} ({sha256})", last.length, last.sha256).into()
        );
    }
    Ok(())
}

/// The child side of a transfer: set up, read the peak RSS, transfer, read it again, check.
async fn transfer(url: &str, case: Transfer, side: Side, bytes: u64, file: Option<PathBuf>) -> Result<()> {
    let clients = Clients::new(url)?;
    // One call first, so the connection and the TLS and runtime setup are not counted.
    clients.call(side).await?;
    if case == Transfer::Download && side == Side::Zkit {
        clients.root.raw(RawRequest::new(Method::GET, "/download/1")).await?;
    }
    let upload_url = format!("{url}/zerokie/v1/apps/{APP}/files/bench/upload.bin");
    let (data, expected_sha) = match case {
        Transfer::UploadMemory => {
            let data = payload(bytes);
            let sha = sha256_hex(&data);
            (Some(data), Some(sha))
        }
        Transfer::UploadFile => {
            let path = file.as_deref().ok_or("--file is needed")?;
            (None, Some(sha256_hex(&std::fs::read(path)?)))
        }
        Transfer::Download => (None, None),
    };
    let before = peak_rss_kib();
    let started = Instant::now();
    match (case, side) {
        (Transfer::UploadMemory, Side::Zkit) => {
            let data = data.clone().ok_or("no payload")?;
            clients.zerokie.upload_file(UploadFile::new(APP, "bench/upload.bin", data)).await?;
        }
        (Transfer::UploadMemory, Side::Reqwest) => {
            let data = data.clone().ok_or("no payload")?;
            clients
                .reqwest
                .put(&upload_url)
                .header(AUTHORIZATION, format!("Bearer {API_KEY}"))
                .header(CONTENT_TYPE, "application/octet-stream")
                .body(data)
                .send()
                .await?
                .error_for_status()?;
        }
        (Transfer::UploadFile, Side::Zkit) => {
            // Streamed from disk by zkit.
            let path = file.as_deref().ok_or("--file is needed")?.to_string_lossy().into_owned();
            clients.zerokie.upload_file(UploadFile::from_file(APP, "bench/upload.bin", path)).await?;
        }
        (Transfer::UploadFile, Side::Reqwest) => {
            let file = tokio::fs::File::open(file.as_deref().ok_or("--file is needed")?).await?;
            let len = file.metadata().await?.len();
            clients
                .reqwest
                .put(&upload_url)
                .header(AUTHORIZATION, format!("Bearer {API_KEY}"))
                .header(CONTENT_TYPE, "application/octet-stream")
                .header(CONTENT_LENGTH, len)
                // 64 KiB reads: `Body::from(File)` reads 8 KiB at a time, a handicap zkit does not have.
                .body(reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::with_capacity(file, 64 * 1024)))
                .send()
                .await?
                .error_for_status()?;
        }
        (Transfer::Download, Side::Zkit) => {
            let response = clients.root.raw(RawRequest::new(Method::GET, format!("/download/{bytes}"))).await?;
            if response.body.len() as u64 != bytes {
                return Err(format!("downloaded {} bytes, not {bytes}", response.body.len()).into());
            }
        }
        (Transfer::Download, Side::Reqwest) => {
            let body = clients.peer_json(&format!("{url}/download/{bytes}")).await?;
            if body.len() as u64 != bytes {
                return Err(format!("downloaded {} bytes, not {bytes}", body.len()).into());
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let after = peak_rss_kib();
    if let Some(sha) = expected_sha {
        check_upload(&clients, bytes, &sha).await?;
    }
    println!("seconds={seconds} rss_growth_kib={}", after.saturating_sub(before));
    Ok(())
}

fn mib(kib: f64) -> String {
    format!("{:+.1} MiB", kib / 1024.0)
}

/// The throughput and memory rows of one transfer case, from `reps` children per side.
fn transfer_rows(url: &str, case: Transfer, label: &str, bytes: u64, file: &Path, reps: usize) -> Result<Vec<Row>> {
    let mut sides = Vec::new();
    for side in [Side::Zkit, Side::Reqwest] {
        let mut seconds = Vec::new();
        let mut growth = Vec::new();
        for _ in 0..reps {
            match run_transfer(url, case, side, bytes, file) {
                Ok(figures) => {
                    seconds.push(figures.seconds);
                    growth.push(figures.rss_growth_kib as f64);
                }
                Err(e) => {
                    eprintln!("{label}: {e}");
                    break;
                }
            }
        }
        sides.push((seconds, growth));
    }
    let [(zs, zg), (ps, pg)] = [&sides[0], &sides[1]];
    let cell = |s: &[f64], suffix: &str| {
        if s.is_empty() {
            "failed".to_owned()
        } else {
            format!("{:.0} MiB/s{suffix}", mib_per_s(bytes, median(s)))
        }
    };
    let mem = |g: &[f64], suffix: &str| {
        if g.is_empty() {
            "failed".to_owned()
        } else {
            format!("{}{suffix}", mib(median(g)))
        }
    };
    let both = !zs.is_empty() && !ps.is_empty();
    let payload_mib = bytes as f64 / (1024.0 * 1024.0);
    let (rss_goal, rss_limit_mib) = match case {
        Transfer::UploadMemory => (
            format!("<= {}x the file ({:.0} MiB)", goals::RSS_FACTOR, goals::RSS_FACTOR * payload_mib),
            goals::RSS_FACTOR * payload_mib,
        ),
        Transfer::UploadFile => (format!("<= {:.0} MiB", goals::RSS_FILE_MIB), goals::RSS_FILE_MIB),
        Transfer::Download => (
            format!("<= {}x ({:.0} MiB)", goals::RSS_FACTOR, goals::RSS_FACTOR * payload_mib),
            goals::RSS_FACTOR * payload_mib,
        ),
    };
    Ok(vec![
        Row {
            figure: format!("{label}: throughput"),
            zkit: cell(zs, ""),
            peer: cell(ps, " (reqwest)"),
            ratio: if both { ratio(median(zs), median(ps)) } else { "-".into() },
            goal: goals::TRANSFER.0.into(),
            met: meets(both.then(|| median(zs) / median(ps)), Some(goals::TRANSFER.1)),
        },
        Row {
            figure: format!("{label}: peak RSS growth"),
            zkit: mem(zg, ""),
            peer: mem(pg, " (reqwest)"),
            ratio: if both && median(pg) >= 1024.0 { ratio(median(zg), median(pg)) } else { "-".into() },
            goal: rss_goal,
            met: meets((!zg.is_empty()).then(|| median(zg) / 1024.0), Some(rss_limit_mib)),
        },
    ])
}

async fn bench(url: &str, quick: bool, bytes: u64) -> Result<()> {
    let clients = Clients::new(url)?;
    let (calls, tasks, each, lists, reps) = if quick { (500, 64, 20, 5, 1) } else { (2_000, 64, 100, 20, 3) };
    for side in [Side::Zkit, Side::Reqwest] {
        for _ in 0..200 {
            clients.call(side).await?;
        }
    }
    let mut rows = Vec::new();

    let zkit = sequential(&clients, Side::Zkit, calls, reps).await?;
    let peer = sequential(&clients, Side::Reqwest, calls, reps).await?;
    rows.push(row(&format!("get_app x{calls}, sequential"), zkit, peer, calls, goals::CALL));

    let total = tasks * each;
    let zkit = concurrent(&clients, Side::Zkit, tasks, each, reps).await?;
    let peer = concurrent(&clients, Side::Reqwest, tasks, each, reps).await?;
    rows.push(row(&format!("get_app {tasks} tasks x{each}, concurrent"), zkit, peer, total, goals::CALL));

    let zkit = list(&clients, Side::Zkit, lists).await?;
    let peer = list(&clients, Side::Reqwest, lists).await?;
    rows.push(Row {
        figure: format!("list_apps (10,000 apps, 2.7 MB), median of {lists}"),
        zkit: zkit_bench::report::ms(zkit),
        peer: format!("{} (reqwest)", zkit_bench::report::ms(peer)),
        ratio: ratio(zkit.as_secs_f64(), peer.as_secs_f64()),
        goal: goals::LIST.0.into(),
        met: meets(time_ratio(zkit, peer), Some(goals::LIST.1)),
    });

    let file = std::env::temp_dir().join(format!("zkit-bench-upload-{}.bin", std::process::id()));
    std::fs::write(&file, payload(bytes))?;
    let size = format!("{} MiB", bytes / (1024 * 1024));
    let cases = [
        (Transfer::UploadMemory, format!("upload {size} from memory")),
        (Transfer::UploadFile, format!("upload {size} from a file")),
        (Transfer::Download, format!("download {size} (RawRequest / .bytes())")),
    ];
    for (case, label) in cases {
        rows.extend(transfer_rows(url, case, &label, bytes, &file, reps)?);
    }
    let _ = std::fs::remove_file(&file);

    print_table("Rust: zkit vs reqwest 0.13 (time ratio zkit/peer; lower is better; met: the goal is met)", &rows);
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    if let Some(Internal::Transfer { url, case, client, bytes, file }) = args.command {
        return transfer(&url, case, client, bytes, file).await;
    }
    let (_server, url) = match args.url {
        Some(url) => (None, url),
        None => {
            let (server, url) = start_server()?;
            (Some(server), url)
        }
    };
    bench(url.trim_end_matches('/'), args.quick, args.transfer_bytes).await
}
