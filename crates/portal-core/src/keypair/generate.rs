//! RSA key generation, with the prime search shared by several threads.
//!
//! Every worker searches for primes of `bits / 2` bits and hands each one it
//! finds to the caller's thread; the first two that make a valid key win and
//! the workers stop. With two cores this halves the expected time of the
//! search (and its spread) compared with finding p and then q on one thread.
//!
//! One search: a random odd start with its top two bits set (so `p·q` has
//! exactly `bits` bits), a sieve over the next [`WINDOW`] odd numbers by
//! every odd prime below 2^15 (2^17 for larger primes) (and by `x ≡ 1 mod 65537`, so that
//! `gcd(e, p − 1) = 1`), then on each survivor in turn Miller–Rabin to base 2,
//! Miller–Rabin with random bases (FIPS 186-5 table B.1 rounds) and a strong
//! Lucas test (together a Baillie–PSW test). The pair is then checked:
//! `p ≠ q`, `|p − q| > 2^(bits/2 − 100)`, `n` of exactly `bits` bits,
//! `d > 2^(bits/2)`; `d = e⁻¹ mod λ(n)`, validated and CRT-precomputed by
//! `rsa::RsaPrivateKey::from_p_q`.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{mpsc, OnceLock};
use std::time::{Duration, Instant};

use num_bigint_dig::prime::probably_prime_lucas;
use num_bigint_dig::RandBigInt;
use rand::RngCore;
use rsa::traits::PrivateKeyParts;
use rsa::BigUint;
use serde::Serialize;
use ts_rs::TS;
use zeroize::Zeroize;

use super::{PrivateKey, KEY_SIZES, PUBLIC_EXPONENT};
use crate::error::{Error, ErrorCode, Result};

/// Odd candidates sieved per random start.
const WINDOW: usize = 4096;
/// Sieve primes are the odd primes below this (for 1024-bit primes; larger
/// primes, whose tests cost more, are sieved up to [`SIEVE_LIMIT_LARGE`]).
const SIEVE_LIMIT: u32 = 1 << 15;
const SIEVE_LIMIT_LARGE: u32 = 1 << 17;
/// How often progress is reported while nothing else happens.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Where a generation is. Reported on the caller's thread about every 100 ms
/// and whenever a prime is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GenProgress {
    pub bits: u32,
    /// 0, 1 or 2 of the two primes.
    pub primes_found: u32,
    /// Candidates that passed the sieve and went through a primality test.
    pub candidates_tested: u32,
    pub elapsed_ms: u32,
}

/// Generates an RSA key of `bits` (2048, 3072 or 4096) with e = 65537.
///
/// Blocks until done: call it off the UI or async thread (e.g. in
/// `tokio::task::spawn_blocking`). `progress` runs on the calling thread.
/// Setting `cancel` stops the search within one primality test
/// and returns `ErrorCode::Cancelled`.
pub fn generate(
    bits: usize,
    progress: impl Fn(GenProgress),
    cancel: &AtomicBool,
) -> Result<PrivateKey> {
    if !KEY_SIZES.contains(&bits) {
        return Err(Error::validation(format!(
            "A generated key has 2048, 3072 or 4096 bits (not {bits})."
        )));
    }
    let started = Instant::now();
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
    let search = Search {
        prime_bits: bits / 2,
        sieve_primes: sieve_primes(if bits > 2048 {
            SIEVE_LIMIT_LARGE
        } else {
            SIEVE_LIMIT
        }),
        rounds: miller_rabin_rounds(bits / 2),
        stop: AtomicBool::new(false),
        cancel,
        tested: AtomicU32::new(0),
    };
    let report = |primes_found: usize| {
        progress(GenProgress {
            bits: bits as u32,
            primes_found: primes_found.min(2) as u32,
            candidates_tested: search.tested.load(Ordering::Relaxed),
            elapsed_ms: u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX),
        });
    };
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<BigUint>();
        for _ in 0..workers {
            let tx = tx.clone();
            let search = &search;
            scope.spawn(move || search.run(&tx));
        }
        drop(tx);
        let result = collect(bits, &rx, &search, &report);
        search.stop.store(true, Ordering::Relaxed);
        result
    })
}

/// Receives primes until two make a key, or the caller cancels.
fn collect(
    bits: usize,
    rx: &mpsc::Receiver<BigUint>,
    search: &Search<'_>,
    report: &dyn Fn(usize),
) -> Result<PrivateKey> {
    let cancelled = || Error::new(ErrorCode::Cancelled, "Key generation was cancelled.");
    let mut primes: Vec<BigUint> = Vec::new();
    report(0);
    loop {
        if search.cancel.load(Ordering::Relaxed) {
            return Err(cancelled());
        }
        match rx.recv_timeout(PROGRESS_EVERY) {
            Ok(p) => {
                for q in &primes {
                    if let Some(key) = make_key(bits, &p, q) {
                        report(2);
                        return Ok(key);
                    }
                }
                primes.push(p);
                report(primes.len());
            }
            Err(mpsc::RecvTimeoutError::Timeout) => report(primes.len()),
            // The workers stop on their own only when cancelled.
            Err(mpsc::RecvTimeoutError::Disconnected) if search.cancel.load(Ordering::Relaxed) => {
                return Err(cancelled())
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(Error::internal("the prime search stopped unexpectedly"))
            }
        }
    }
}

/// The key made of `p` and `q`, if the pair meets every check.
fn make_key(bits: usize, p: &BigUint, q: &BigUint) -> Option<PrivateKey> {
    let distance = if p > q { p - q } else { q - p };
    if distance.bits() <= bits / 2 - 100 {
        return None;
    }
    let n = p * q;
    if n.bits() != bits {
        return None;
    }
    let key =
        rsa::RsaPrivateKey::from_p_q(p.clone(), q.clone(), BigUint::from(PUBLIC_EXPONENT)).ok()?;
    if key.d().bits() <= bits / 2 {
        return None;
    }
    PrivateKey::new(key).ok()
}

/// FIPS 186-5 table B.1: Miller–Rabin rounds for primes of 1024, 1536 and
/// 2048 bits (error probability 2⁻¹¹², 2⁻¹²⁸ and 2⁻¹⁴⁴).
fn miller_rabin_rounds(prime_bits: usize) -> usize {
    if prime_bits <= 1024 {
        5
    } else {
        4
    }
}

struct Search<'a> {
    prime_bits: usize,
    sieve_primes: &'static [u32],
    rounds: usize,
    /// Set when the caller has its key (or gave up).
    stop: AtomicBool,
    cancel: &'a AtomicBool,
    tested: AtomicU32,
}

impl Search<'_> {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed) || self.cancel.load(Ordering::Relaxed)
    }

    /// Finds primes and sends them until stopped.
    fn run(&self, tx: &mpsc::Sender<BigUint>) {
        while let Some(p) = self.find_prime() {
            if tx.send(p).is_err() {
                return;
            }
        }
    }

    /// One prime of `prime_bits` with `p mod e ≠ 1`, or `None` when stopped.
    fn find_prime(&self) -> Option<BigUint> {
        let len = self.prime_bits / 8;
        let mut bytes = vec![0u8; len];
        let mut composite = vec![false; WINDOW];
        loop {
            if self.stopped() {
                return None;
            }
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            bytes[0] |= 0xc0;
            bytes[len - 1] |= 1;
            let base = BigUint::from_bytes_be(&bytes);
            sieve(&bytes, self.sieve_primes, &mut composite);
            bytes.zeroize();
            for (j, _) in composite.iter().enumerate().filter(|(_, c)| !**c) {
                if self.stopped() {
                    return None;
                }
                let candidate = &base + BigUint::from(2 * j as u64);
                if candidate.bits() != self.prime_bits {
                    break;
                }
                self.tested.fetch_add(1, Ordering::Relaxed);
                if is_probable_prime(&candidate, self.rounds) {
                    return Some(candidate);
                }
            }
        }
    }
}

/// The odd primes below `limit` (at most [`SIEVE_LIMIT_LARGE`]).
fn sieve_primes(limit: u32) -> &'static [u32] {
    static PRIMES: OnceLock<Vec<u32>> = OnceLock::new();
    let all = PRIMES.get_or_init(|| {
        let limit = SIEVE_LIMIT_LARGE as usize;
        let mut is_composite = vec![false; limit];
        let mut primes = Vec::new();
        for i in 2..limit {
            if !is_composite[i] {
                if i > 2 {
                    primes.push(i as u32);
                }
                for m in (i * i..limit).step_by(i) {
                    is_composite[m] = true;
                }
            }
        }
        primes
    });
    &all[..all.partition_point(|p| *p < limit)]
}

/// `x mod m` for a big-endian byte string.
fn residue(bytes: &[u8], m: u32) -> u64 {
    let m = u64::from(m);
    bytes.chunks(4).fold(0u64, |r, chunk| {
        let word = chunk.iter().fold(0u64, |w, b| (w << 8) | u64::from(*b));
        ((r << (8 * chunk.len())) | word) % m
    })
}

/// Marks `composite[j]` when `base + 2j` is divisible by a sieve prime, or
/// is ≡ 1 mod e (then e would divide p − 1).
fn sieve(base: &[u8], primes: &[u32], composite: &mut [bool]) {
    composite.fill(false);
    // base + 2j ≡ target (mod m)  ⇔  j ≡ (target − r)·2⁻¹ (mod m), for odd m.
    let mut mark = |m: u32, target: u64| {
        let m64 = u64::from(m);
        let r = residue(base, m);
        let inverse_of_two = m64.div_ceil(2);
        let mut j = ((target + m64 - r) % m64 * inverse_of_two % m64) as usize;
        while j < composite.len() {
            composite[j] = true;
            j += m as usize;
        }
    };
    for &p in primes {
        mark(p, 0);
    }
    mark(PUBLIC_EXPONENT as u32, 1);
}

/// Baillie–PSW plus `rounds` of Miller–Rabin with random bases. Base 2 goes
/// first: it rejects nearly every composite with a single exponentiation.
fn is_probable_prime(n: &BigUint, rounds: usize) -> bool {
    let two = BigUint::from(2u32);
    if !miller_rabin(n, std::iter::once(two)) {
        return false;
    }
    let low = BigUint::from(3u32);
    let high = n - 1u32;
    let mut rng = rand::rngs::OsRng;
    let bases = (0..rounds).map(|_| rng.gen_biguint_range(&low, &high));
    miller_rabin(n, bases) && probably_prime_lucas(n)
}

/// Miller–Rabin for odd `n > 3` with the given bases.
fn miller_rabin(n: &BigUint, bases: impl Iterator<Item = BigUint>) -> bool {
    let one = BigUint::from(1u32);
    let n_minus_1 = n - &one;
    let Some(s) = n_minus_1.trailing_zeros() else {
        return false;
    };
    let d = &n_minus_1 >> s;
    let two = BigUint::from(2u32);
    'bases: for a in bases {
        let mut x = a.modpow(&d, n);
        if x == one || x == n_minus_1 {
            continue;
        }
        for _ in 1..s {
            x = x.modpow(&two, n);
            if x == n_minus_1 {
                continue 'bases;
            }
            if x == one {
                return false;
            }
        }
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn sieve_primes_start_at_three() {
        let p = sieve_primes(SIEVE_LIMIT);
        assert_eq!(&p[..5], &[3, 5, 7, 11, 13]);
        assert!(p.iter().all(|&x| x < SIEVE_LIMIT));
        assert_eq!(p.len(), 3511); // π(2^15) = 3512, minus 2
        assert_eq!(sieve_primes(SIEVE_LIMIT_LARGE).len(), 12_250); // π(2^17) = 12251
    }

    #[test]
    fn residue_matches_bigint_arithmetic() {
        let bytes: Vec<u8> = (1..=131u8).collect();
        let big = BigUint::from_bytes_be(&bytes);
        for m in [3u32, 65_537, 32_749] {
            let expected = &big % BigUint::from(m);
            assert_eq!(BigUint::from(residue(&bytes, m)), expected, "mod {m}");
        }
    }

    #[test]
    fn sieve_marks_exactly_the_multiples() {
        let mut bytes = vec![0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        bytes[15] |= 1;
        let base = BigUint::from_bytes_be(&bytes);
        let mut composite = vec![false; 256];
        let primes = sieve_primes(SIEVE_LIMIT);
        sieve(&bytes, primes, &mut composite);
        for (j, marked) in composite.iter().enumerate() {
            let x = &base + BigUint::from(2 * j as u64);
            let divisible = primes
                .iter()
                .any(|p| (&x % BigUint::from(*p)) == BigUint::from(0u32));
            let one_mod_e = (&x % BigUint::from(PUBLIC_EXPONENT)) == BigUint::from(1u32);
            assert_eq!(*marked, divisible || one_mod_e, "offset {j}");
        }
    }

    #[test]
    fn primality_test_knows_primes_and_carmichael_numbers() {
        // 2^127 − 1 is prime; 561 and 2^64+… composites are not.
        let m127 = (BigUint::from(1u32) << 127) - 1u32;
        assert!(is_probable_prime(&m127, 5));
        assert!(!is_probable_prime(&BigUint::from(561u32), 5));
        assert!(!is_probable_prime(&(&m127 * &m127), 5));
        // A strong pseudoprime to base 2 (2047 = 23 · 89).
        assert!(!is_probable_prime(&BigUint::from(2047u32), 5));
    }

    #[test]
    fn a_pair_too_close_is_refused() {
        let p = (BigUint::from(1u32) << 127) - 1u32;
        assert!(make_key(254, &p, &p).is_none());
    }

    #[test]
    fn odd_sizes_are_refused_and_cancel_stops() {
        let cancel = AtomicBool::new(false);
        let e = generate(1024, |_| {}, &cancel).unwrap_err();
        assert_eq!(e.code, ErrorCode::Validation);
        cancel.store(true, Ordering::Relaxed);
        let e = generate(4096, |_| {}, &cancel).unwrap_err();
        assert_eq!(e.code, ErrorCode::Cancelled);
    }
}
