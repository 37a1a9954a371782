//! RSA key generation: ours (`portal_core::keypair::generate`) against
//! `openssl genrsa`, median and 95th percentile over several runs.
//!
//! ```text
//! cargo run --release -p portal-core --example keygen_bench -- --runs 20
//! cargo run --release -p portal-core --example keygen_bench -- --quick   # CI: 3 runs of 2048
//! cargo run --release -p portal-core --example keygen_bench -- --bits 2048,4096 --runs 30
//! ```
//!
//! It only reports; it never fails because of a timing. Without `openssl`
//! on the PATH the comparison columns stay empty.

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use portal_core::keypair::{generate, GenProgress};

struct Options {
    runs: usize,
    bits: Vec<usize>,
    /// Also time `rsa::RsaPrivateKey::new` (one thread, p then q).
    rsa_crate: bool,
}

fn parse_args() -> Result<Options, String> {
    let mut options = Options {
        runs: 20,
        bits: vec![2048, 4096],
        rsa_crate: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--rsa-crate" => options.rsa_crate = true,
            "--quick" => {
                options.runs = 3;
                options.bits = vec![2048];
            }
            "--runs" => {
                options.runs = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|n| *n > 0)
                    .ok_or("--runs needs a positive number")?;
            }
            "--bits" => {
                options.bits = args
                    .next()
                    .ok_or("--bits needs e.g. 2048,4096")?
                    .split(',')
                    .map(|b| b.trim().parse().map_err(|_| format!("bad size {b}")))
                    .collect::<Result<_, _>>()?;
            }
            "-h" | "--help" => {
                println!("keygen_bench [--runs N] [--bits 2048,3072,4096] [--quick] [--rsa-crate]");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(options)
}

/// Time taken and candidates tested.
fn ours(bits: usize) -> Option<(Duration, u32)> {
    let cancel = AtomicBool::new(false);
    let tested = AtomicU32::new(0);
    let started = Instant::now();
    let progress = |p: GenProgress| tested.store(p.candidates_tested, Ordering::Relaxed);
    match generate(bits, progress, &cancel) {
        Ok(key) => {
            let elapsed = started.elapsed();
            assert_eq!(key.bits(), bits);
            Some((elapsed, tested.load(Ordering::Relaxed)))
        }
        Err(e) => {
            eprintln!("our generation failed: {e}");
            None
        }
    }
}

fn rsa_crate(bits: usize) -> Duration {
    let started = Instant::now();
    let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, bits);
    let elapsed = started.elapsed();
    assert!(key.is_ok());
    elapsed
}

fn openssl(bits: usize) -> Option<Duration> {
    let started = Instant::now();
    let status = Command::new("openssl")
        .args(["genrsa", "-out", "/dev/null", &bits.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    status.success().then(|| started.elapsed())
}

/// Median and nearest-rank 95th percentile, in seconds.
fn stats(mut samples: Vec<Duration>) -> Option<(f64, f64)> {
    if samples.is_empty() {
        return None;
    }
    samples.sort();
    let n = samples.len();
    let median = if n % 2 == 1 {
        samples[n / 2].as_secs_f64()
    } else {
        (samples[n / 2 - 1].as_secs_f64() + samples[n / 2].as_secs_f64()) / 2.0
    };
    let rank = ((0.95 * n as f64).ceil() as usize).clamp(1, n);
    Some((median, samples[rank - 1].as_secs_f64()))
}

fn cell(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |s| format!("{s:.3}"))
}

fn main() {
    let options = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("keygen_bench: {e}");
            std::process::exit(2);
        }
    };
    if cfg!(debug_assertions) {
        eprintln!("note: a debug build; pass --release for meaningful figures");
    }
    println!(
        "{:>5}  {:>4}  {:>10}  {:>10}  {:>10}  {:>10}  {:>12}  {:>9}  {:>8}",
        "bits",
        "runs",
        "ours med",
        "ours p95",
        "ossl med",
        "ossl p95",
        "ratio med",
        "ratio p95",
        "tested"
    );
    for &bits in &options.bits {
        // Interleaved, so that machine noise hits both sides alike.
        let mut ours_samples = Vec::new();
        let mut openssl_samples = Vec::new();
        let mut tested = 0u64;
        let mut rsa_samples = Vec::new();
        for _ in 0..options.runs {
            if let Some((time, candidates)) = ours(bits) {
                ours_samples.push(time);
                tested += u64::from(candidates);
            }
            openssl_samples.extend(openssl(bits));
            if options.rsa_crate {
                rsa_samples.push(rsa_crate(bits));
            }
        }
        let mean_tested = tested / (ours_samples.len().max(1) as u64);
        let o = stats(ours_samples);
        let s = stats(openssl_samples);
        let ratio = |pick: fn((f64, f64)) -> f64| match (o, s) {
            (Some(o), Some(s)) if pick(s) > 0.0 => Some(pick(o) / pick(s)),
            _ => None,
        };
        println!(
            "{:>5}  {:>4}  {:>10}  {:>10}  {:>10}  {:>10}  {:>12}  {:>9}  {:>8}",
            bits,
            options.runs,
            cell(o.map(|v| v.0)),
            cell(o.map(|v| v.1)),
            cell(s.map(|v| v.0)),
            cell(s.map(|v| v.1)),
            cell(ratio(|v| v.0)),
            cell(ratio(|v| v.1)),
            mean_tested,
        );
        if let Some((median, p95)) = stats(rsa_samples) {
            println!("       rsa::RsaPrivateKey::new: median {median:.3}, p95 {p95:.3}");
        }
    }
    println!(
        "(seconds; ratio = ours / openssl, targets: median <= 0.75, p95 <= 1.0; \
         tested = mean candidates through a primality test, both threads)"
    );
}
