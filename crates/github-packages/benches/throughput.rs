//! Throughput at GitHub's limits, against the fake server started in this
//! process (`cargo bench -p github-packages`; BENCHMARKS.md has results):
//!
//! - `paging`: 10,000 versions at 50 ms latency, four pages at once vs
//!   page after page, with the heap's high-water mark of each;
//! - `deleting`: 1,000 deletions under a points budget on a fast clock,
//!   against the schedule the budget allows, and the fake's count of
//!   secondary-limit answers;
//! - `overhead`: one `VersionRef::get` vs the same generated call on
//!   loopback without latency.
//!
//! Name benchmarks as arguments to run only those
//! (`cargo bench -p github-packages -- paging`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use github_packages::reqwest::header::{self, HeaderMap, HeaderValue};
use github_packages::{Client, Owner, PackageRef, PackageType, RetryPolicy, Throttle, VersionId};
use github_packages_fake::heap::{Counting, mib, peak_growth};
use github_packages_fake::{Fake, FaultsSeed, LimitsSeed, PackageSeed, Seed, TokenSeed};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const TOKEN: &str = "ghp_bench_alice";

fn seed(versions: usize) -> Seed {
    Seed::new()
        .org("acme", ["alice"])
        .user("alice")
        .token(TokenSeed::all_scopes(TOKEN, "alice"))
        .package(PackageSeed::new("acme", "npm", "tool").versions(versions))
}

fn client(fake: &Fake, throttle: Throttle) -> Client {
    Client::builder()
        .token(TOKEN)
        .base_url(fake.url())
        .throttle(throttle)
        .retry(RetryPolicy::none())
        .build()
        .expect("client")
}

fn tool(client: &Client) -> PackageRef {
    client
        .packages(Owner::org("acme"))
        .package(PackageType::Npm, "tool")
}

/// (a) Listing 10,000 versions (100 pages) at 50 ms a page.
async fn paging() {
    let faults = FaultsSeed {
        latency_ms: 50,
        ..FaultsSeed::default()
    };
    let fake = Fake::start(seed(10_000).limits(LimitsSeed::off()).faults(faults))
        .await
        .expect("fake");
    let client = client(&fake, Throttle::new());
    let tool = tool(&client);
    let list = |at_once: usize| {
        let tool = tool.clone();
        async move {
            let started = Instant::now();
            let ((), peak) = peak_growth(async {
                let count = tool
                    .versions()
                    .pages_at_once(at_once)
                    .stream()
                    .try_fold(0usize, |n, _| async move { Ok(n + 1) })
                    .await
                    .expect("listing");
                assert_eq!(count, 10_000);
            })
            .await;
            (started.elapsed(), peak)
        }
    };
    // Warm the connection pool, then alternate, three runs each.
    list(4).await;
    let (mut sequential, mut concurrent) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        sequential.push(list(1).await);
        concurrent.push(list(4).await);
    }
    let median = |runs: &mut Vec<(Duration, usize)>| {
        runs.sort();
        runs[runs.len() / 2]
    };
    let (seq_time, _) = median(&mut sequential);
    let (con_time, _) = median(&mut concurrent);
    let seq_peak = sequential.iter().map(|r| r.1).max().unwrap_or(0);
    let con_peak = concurrent.iter().map(|r| r.1).max().unwrap_or(0);
    let all: Vec<_> = tool.versions().stream().try_collect().await.expect("all");
    let ((), everything) = peak_growth(async {
        let all: Vec<_> = tool.versions().stream().try_collect().await.expect("all");
        drop(all);
    })
    .await;
    drop(all);
    println!("paging: 10,000 versions, 100 pages, 50 ms latency (median of 3)");
    println!(
        "  page after page : {:>7.2} s   heap peak {:>6.2} MiB",
        seq_time.as_secs_f64(),
        mib(seq_peak)
    );
    println!(
        "  4 pages at once : {:>7.2} s   heap peak {:>6.2} MiB",
        con_time.as_secs_f64(),
        mib(con_peak)
    );
    println!(
        "  collecting all  :             heap peak {:>6.2} MiB (for comparison)",
        mib(everything)
    );
    println!(
        "  speed-up {:.2}x (goal >= 3.50x, limit 4x); peak heap ratio {:.2}x",
        seq_time.as_secs_f64() / con_time.as_secs_f64(),
        con_peak as f64 / seq_peak.max(1) as f64
    );
}

/// (b) 1,000 deletions at 900 points (180 deletions) per window, the fake's
/// minute lasting a second.
async fn deleting() {
    const DELETIONS: usize = 1_000;
    const PER_WINDOW: usize = 180;
    let window = Duration::from_secs(1);
    let limits = LimitsSeed {
        primary: 0,
        ..LimitsSeed::default()
    };
    let fake = Fake::start(seed(DELETIONS + 1).limits(limits).clock(None, 60.0))
        .await
        .expect("fake");
    let client = client(&fake, Throttle::new().points(900, window));
    let tool = tool(&client);
    let ids: Vec<VersionId> = tool
        .versions()
        .stream()
        .map_ok(|v| v.id())
        .try_collect()
        .await
        .expect("listing");
    // Wait out the listing's window so deletions start with a fresh budget.
    tokio::time::sleep(window).await;

    let started = Instant::now();
    let report = tool.delete_versions(ids.into_iter().take(DELETIONS)).await;
    let elapsed = started.elapsed();
    assert_eq!(report.done(), DELETIONS, "{report}");
    // A sliding window lets the first 180 go at once and each later one a
    // window after the one 180 before it: the last starts 5 windows in.
    let ideal = window * ((DELETIONS - 1) / PER_WINDOW) as u32;
    let rate = DELETIONS as f64 / elapsed.as_secs_f64();
    println!("deleting: 1,000 versions at 900 points (180 deletions) per 1 s window");
    println!(
        "  took {:.2} s; the budget allows {:.2} s: {:.1}% of ideal (goal >= 90%)",
        elapsed.as_secs_f64(),
        ideal.as_secs_f64(),
        100.0 * ideal.as_secs_f64() / elapsed.as_secs_f64()
    );
    println!(
        "  {rate:.0} deletions per window on average (steady-state budget {PER_WINDOW}); secondary-limit answers: {}",
        fake.limit_stats().secondary
    );
}

/// How many fresh processes measure the overhead: on a shared machine a
/// process's placement and heap shift it by a point or two, more than
/// rounds within one process show, so the median of many is reported.
const OVERHEAD_PROCESSES: usize = 15;
/// Set in the processes the overhead benchmark starts.
const CHILD: &str = "GITHUB_PACKAGES_BENCH_OVERHEAD_CHILD";
/// Set beside [`CHILD`] to run only `ergonomic` or `generated` calls
/// (anything else: none) for [`ALONE_ROUNDS`] rounds after the warm-up.
const ONLY: &str = "GITHUB_PACKAGES_BENCH_OVERHEAD_ONLY";
const ALONE_ROUNDS: usize = 4;

/// (c) Runs [`overhead`] in fresh processes and reports their median: with
/// the client's throttle (its bookkeeping, with a budget that never makes a
/// call wait), and without it.
fn overhead_in_processes() {
    for throttle in ["throttle", "off"] {
        overhead_processes(throttle);
    }
}

fn overhead_processes(throttle: &str) {
    let exe = std::env::current_exe().expect("own path");
    let mut runs: Vec<(f64, f64, f64)> = (0..OVERHEAD_PROCESSES)
        .map(|_| {
            let out = std::process::Command::new(&exe)
                .env(CHILD, throttle)
                .output()
                .expect("benchmark process");
            let text = String::from_utf8_lossy(&out.stdout);
            let numbers: Vec<f64> = text
                .split_whitespace()
                .map(|n| n.parse().expect("a number"))
                .collect();
            (numbers[2], numbers[0], numbers[1])
        })
        .collect();
    let with = match throttle {
        "off" => "Throttle::off()",
        _ => "the default throttle, budget unbounded",
    };
    println!(
        "overhead, {with}: GET one version, loopback, no latency ({OVERHEAD_PROCESSES} processes, each the median of 61 rounds of 500 calls)"
    );
    let mut theirs: Vec<f64> = runs.iter().map(|run| run.1).collect();
    let mut ours: Vec<f64> = runs.iter().map(|run| run.2).collect();
    println!(
        "  generated {:.1} µs, VersionRef::get {:.1} µs (medians of the processes)",
        median(&mut theirs),
        median(&mut ours)
    );
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let percent = |run: &(f64, f64, f64)| 100.0 * (run.0 - 1.0);
    let each: Vec<String> = runs
        .iter()
        .map(|run| format!("{:+.1}", percent(run)))
        .collect();
    println!("  each process, sorted (%): {}", each.join(" "));
    println!(
        "  overhead {:+.1}% (median of the processes; middle half {:+.1}% to {:+.1}%; goal <= 5%)",
        percent(&runs[OVERHEAD_PROCESSES / 2]),
        percent(&runs[OVERHEAD_PROCESSES / 4]),
        percent(&runs[OVERHEAD_PROCESSES - 1 - OVERHEAD_PROCESSES / 4]),
    );
}

/// The middle value (the upper one of an even count).
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// (c) `VersionRef::get` vs the generated call, loopback, no latency;
/// prints the generated call's and the client's median µs per call, and
/// the median ratio of rounds.
async fn overhead(throttle: Throttle) {
    const CALLS: usize = 500;
    const ROUNDS: usize = 61;
    let fake = Fake::start(seed(1).limits(LimitsSeed::off()))
        .await
        .expect("fake");
    let client = client(&fake, throttle);
    let tool = tool(&client);
    let id = tool.versions().await.expect("listing").items[0].id();
    let version = tool.version(id);

    // The same headers the client sends, on the same kind of reqwest client.
    let mut headers = HeaderMap::new();
    let mut auth = HeaderValue::from_str(&format!("Bearer {TOKEN}")).expect("header");
    auth.set_sensitive(true);
    headers.insert(header::AUTHORIZATION, auth);
    headers.insert(
        header::ACCEPT,
        HeaderValue::from_static("application/vnd.github+json"),
    );
    headers.insert(header::USER_AGENT, HeaderValue::from_static("bench"));
    headers.insert(
        "x-github-api-version",
        HeaderValue::from_static("2022-11-28"),
    );
    // The client's own defaults: its timeouts cost a timer per request.
    let http = github_packages::http_client_builder()
        .expect("builder")
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .default_headers(headers)
        .build()
        .expect("http");
    let raw = generated::Client::new_with_client(fake.url(), http, Arc::new(generated::NoHooks));

    let ergonomic = || async {
        for _ in 0..CALLS {
            let got = version.get().await.expect("get");
            std::hint::black_box(got);
        }
    };
    let generated = || async {
        for _ in 0..CALLS {
            let got = raw
                .packages_get_package_version_for_organization()
                .org("acme")
                .package_type(generated::types::PackageType::Npm)
                .package_name("tool")
                .package_version_id(id.get())
                .send()
                .await
                .expect("get");
            std::hint::black_box(got.into_inner());
        }
    };
    ergonomic().await;
    generated().await;
    // One side alone, for counting instructions under callgrind, which the
    // shared VM's timing noise does not reach (BENCHMARKS.md, (c)).
    if let Some(only) = std::env::var_os(ONLY) {
        for _ in 0..ALONE_ROUNDS {
            match only.to_str() {
                Some("ergonomic") => ergonomic().await,
                Some("generated") => generated().await,
                _ => {}
            }
            fake.clear_requests();
        }
        return;
    }
    // Rounds of each in turn, alternating which goes first, the fake's
    // request log emptied before each run so that neither pays for the
    // other's; the overhead is the median of the rounds' ratios.
    let (mut ours, mut theirs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let mut pair = [Duration::ZERO; 2];
        for ergonomic_turn in [round % 2 == 0, round % 2 != 0] {
            fake.clear_requests();
            let started = Instant::now();
            if ergonomic_turn {
                ergonomic().await;
            } else {
                generated().await;
            }
            pair[usize::from(ergonomic_turn)] = started.elapsed();
        }
        theirs.push(pair[0]);
        ours.push(pair[1]);
        ratios.push(pair[1].as_secs_f64() / pair[0].as_secs_f64());
    }
    let per_call = |runs: &[Duration]| {
        let mut micros: Vec<f64> = runs
            .iter()
            .map(|d| d.as_secs_f64() * 1e6 / CALLS as f64)
            .collect();
        median(&mut micros)
    };
    println!(
        "{} {} {}",
        per_call(&theirs),
        per_call(&ours),
        median(&mut ratios)
    );
}

fn main() {
    if let Some(throttle) = std::env::var_os(CHILD) {
        // The default throttle, with a budget that never makes a call
        // wait: its bookkeeping is part of the overhead, its pacing is not.
        let throttle = match throttle.to_str() {
            Some("off") => Throttle::off(),
            _ => Throttle::new().points(u64::MAX, Duration::from_secs(60)),
        };
        // One thread for client and fake: cross-thread wake-ups cost more,
        // and vary more, than the client's own work.
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(overhead(throttle));
        return;
    }
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let runs = |name: &str| wanted.is_empty() || wanted.iter().any(|w| name.contains(w.as_str()));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        if runs("paging") {
            paging().await;
        }
        if runs("deleting") {
            deleting().await;
        }
    });
    if runs("overhead") {
        overhead_in_processes();
    }
}
