//! Fair draws (公平抽奖, DOMAIN §13): a lottery (抽奖), a red-packet split
//! (拼手气红包) and "first N at 1 yuan" (1 元秒杀前 N 名), each a pure
//! function of its inputs and a 32-byte [`Seed`].
//!
//! The same list and the same seed give the same result, on every platform
//! and for ever. For a private draw take the seed from [`Seed::random`] (the
//! platform's secure source: `getrandom`, i.e. `crypto.getRandomValues` in
//! browsers and mini-programs). For a draw the public must be able to check,
//! publish the entrant count and digest ([`Draw::entrants_digest`]) first,
//! then the seed: anyone holding the same list can re-run the draw, and the
//! list cannot have been changed to suit the seed.
//!
//! ```
//! use member_analytics::loyalty::draws::{lottery, Seed};
//! let seed = Seed::from_hex(&"ab".repeat(32)).unwrap();
//! let entrants = ["M3", "M1", "M2", "M5", "M4"];
//! let draw = lottery(&entrants, 2, seed).unwrap();
//! assert_eq!(draw.winners.len(), 2);
//! assert_eq!(draw.entrant_count, 5);
//! // The order the list comes in does not matter; the seed does.
//! assert_eq!(lottery(&["M5", "M4", "M3", "M2", "M1"], 2, seed).unwrap(), draw);
//! ```
//!
//! # How a draw is made (to re-check it elsewhere)
//!
//! - **Numbers**: the ChaCha20 keystream of RFC 8439 with key = the seed's 32
//!   bytes, nonce = 12 zero bytes and the block counter from 0 (the
//!   encryption of zero bytes); every 8 bytes, read little-endian, are one
//!   `u64`. A cryptographic stream, so nobody can predict a draw without the
//!   seed, and one every platform has (Node `crypto.createCipheriv("chacha20",
//!   seed, Buffer.alloc(16))`, Python `cryptography`'s `ChaCha20` with a zero
//!   16-byte nonce, libsodium's `crypto_stream_chacha20_ietf`). It is written
//!   out here (checked against RFC 8439's vectors) so the stream never depends
//!   on a crate version.
//! - **An integer in `0..n`** ([`DrawRng::below`], Lemire's multiply-shift
//!   with rejection, no modulo bias): `m = next() × n` in 128 bits; if
//!   `low64(m) < n`, let `t = 2⁶⁴ mod n` and while `low64(m) < t` draw again
//!   `m = next() × n`; the result is `high64(m)`.
//! - **Order**: entrants are sorted by their UTF-8 bytes (Unicode code point
//!   order), so the draw depends on the set, not on the file's row order.
//! - **[`lottery`]**: partial Fisher–Yates over the sorted entrants: for `i`
//!   in `0..winners`, `j = i + below(len − i)`, swap `i` and `j`; the winners
//!   are the first `winners` entries, in that order.
//! - **[`first_n`]**: each requester once, at their earliest time; sorted by
//!   id, shuffled in full by the same Fisher–Yates (`i` in `0..len`), then
//!   stably sorted by time: ties at the same millisecond keep the shuffled
//!   order. The first `n` win.
//! - **[`red_packets`]**: with `R` fen and `r` packets left, let
//!   `q = ⌊2R / r⌋` and `e = 1` if `below(r) < 2R mod r`, else `0`; the next
//!   packet is `min + below(q + e − 2·min + 1)` fen, uniform in
//!   `[min, q + e − min]` (mean exactly `R / r`); the last packet is what is
//!   left.
//! - **Digest**: FNV-1a 64 (offset `cbf29ce484222325`, prime `100000001b3`)
//!   over each sorted entrant's UTF-8 bytes followed by the byte `ff` (which
//!   UTF-8 never uses), as 16 lowercase hex digits. A checksum against
//!   honest mistakes (a different export, a missing row), not a cryptographic
//!   commitment.
//!
//! In Node, the numbers and `below` are:
//!
//! ```js
//! const crypto = require("node:crypto");
//! const stream = (seedHex) => {
//!   const c = crypto.createCipheriv("chacha20", Buffer.from(seedHex, "hex"), Buffer.alloc(16));
//!   return () => c.update(Buffer.alloc(8)).readBigUInt64LE(0);
//! };
//! const below = (next, n) => { // n: BigInt ≥ 1
//!   const M = 1n << 64n;
//!   let m = next() * n;
//!   if (m % M < n) { const t = M % n; while (m % M < t) m = next() * n; }
//!   return m >> 64n;
//! };
//! ```

use crate::error::{Error, Result};
use crate::model::{Fen, format_yuan};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// The seed of a draw (抽奖种子): 32 bytes, written as 64 hex digits.
///
/// ```
/// use member_analytics::loyalty::draws::Seed;
/// let hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
/// let seed = Seed::from_hex(hex).unwrap();
/// assert_eq!(seed.to_hex(), hex);
/// assert_eq!(seed.as_bytes()[1], 0x11);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Seed([u8; 32]);

impl Seed {
    /// The seed with these bytes.
    pub const fn from_bytes(bytes: [u8; 32]) -> Seed {
        Seed(bytes)
    }

    /// The seed's bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// A fresh seed from the platform's secure random source (`getrandom`;
    /// `crypto.getRandomValues` in browsers and mini-programs). Fails, with a
    /// `BAD_OPTIONS` error on `seed`, only when that source is unavailable.
    ///
    /// ```
    /// use member_analytics::loyalty::draws::Seed;
    /// let a = Seed::random().unwrap();
    /// assert_ne!(a, Seed::random().unwrap());
    /// ```
    pub fn random() -> Result<Seed> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| {
            Error::bad_options("seed", format!("the platform's secure random source failed ({e}); pass a seed"))
        })?;
        Ok(Seed(bytes))
    }

    /// Parse 64 hex digits (either case; surrounding whitespace ignored).
    /// The error (`BAD_OPTIONS` on `seed`) says what is wrong and where.
    ///
    /// ```
    /// use member_analytics::loyalty::draws::Seed;
    /// let e = Seed::from_hex("12ab").unwrap_err();
    /// assert_eq!(e.field(), Some("seed"));
    /// assert!(e.to_string().contains("64 hex digits"), "{e}");
    /// ```
    pub fn from_hex(text: &str) -> Result<Seed> {
        let text = text.trim();
        if let Some((i, c)) = text.chars().enumerate().find(|(_, c)| !c.is_ascii_hexdigit()) {
            return Err(Error::bad_options(
                "seed",
                format!("'{c}' at character {} is not a hex digit (0-9, a-f)", i + 1),
            ));
        }
        if text.len() != 64 {
            return Err(Error::bad_options(
                "seed",
                format!("a seed is 64 hex digits (32 bytes), got {} digits", text.len()),
            ));
        }
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
            *byte = (hex_value(pair[0]) << 4) | hex_value(pair[1]);
        }
        Ok(Seed(bytes))
    }

    /// The seed as 64 lowercase hex digits (what to publish).
    pub fn to_hex(&self) -> String {
        self.to_string()
    }
}

/// The value of an ASCII hex digit (checked by the caller).
fn hex_value(digit: u8) -> u8 {
    char::from(digit).to_digit(16).unwrap_or(0) as u8
}

impl fmt::Display for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Seed({self})")
    }
}

impl FromStr for Seed {
    type Err = Error;

    fn from_str(text: &str) -> Result<Seed> {
        Seed::from_hex(text)
    }
}

impl Serialize for Seed {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Seed {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Seed, D::Error> {
        use serde::de::Error as _;
        let text = String::deserialize(d)?;
        Seed::from_hex(&text).map_err(|e| match e.kind() {
            crate::ErrorKind::BadOptions { message, .. } => D::Error::custom(message),
            _ => D::Error::custom(e),
        })
    }
}

/// The deterministic stream of a [`Seed`]: the ChaCha20 keystream (RFC 8439;
/// key = seed, zero nonce, counter from 0) read as little-endian `u64`s. See
/// the [module docs](self) for how to reproduce it elsewhere.
///
/// ```
/// use member_analytics::loyalty::draws::{DrawRng, Seed};
/// // RFC 8439 A.1, test vector 1: the all-zero key's keystream starts 76 b8 e0 ad a0 f1 3d 90.
/// let mut rng = DrawRng::new(Seed::from_bytes([0; 32]));
/// assert_eq!(rng.next_u64(), 0x903d_f1a0_ade0_b876);
/// assert!(rng.below(6) < 6);
/// ```
#[derive(Debug, Clone)]
pub struct DrawRng {
    key: [u32; 8],
    counter: u32,
    block: [u32; 16],
    /// Words of `block` used so far (16: none left).
    used: usize,
}

impl DrawRng {
    /// The stream of this seed, from its start.
    pub fn new(seed: Seed) -> DrawRng {
        let mut key = [0u32; 8];
        for (word, bytes) in key.iter_mut().zip(seed.0.chunks_exact(4)) {
            *word = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        }
        DrawRng { key, counter: 0, block: [0; 16], used: 16 }
    }

    /// The next 64 bits of the stream (2³² blocks of 64 bytes before the
    /// counter wraps: far more than any draw uses).
    pub fn next_u64(&mut self) -> u64 {
        if self.used == 16 {
            self.block = chacha20_block(&self.key, self.counter, &[0; 3]);
            self.counter = self.counter.wrapping_add(1);
            self.used = 0;
        }
        let (lo, hi) = (self.block[self.used], self.block[self.used + 1]);
        self.used += 2;
        u64::from(lo) | (u64::from(hi) << 32)
    }

    /// Uniform in `0..n`, without modulo bias (Lemire's multiply-shift with
    /// rejection, as in the module docs); `0`, drawing nothing, when `n` is 0.
    pub fn below(&mut self, n: u64) -> u64 {
        lemire(n, || self.next_u64())
    }
}

/// Lemire's nearly divisionless method over any source of 64-bit words.
fn lemire(n: u64, mut next: impl FnMut() -> u64) -> u64 {
    if n == 0 {
        return 0;
    }
    let mut m = u128::from(next()) * u128::from(n);
    if (m as u64) < n {
        let t = n.wrapping_neg() % n; // 2⁶⁴ mod n
        while (m as u64) < t {
            m = u128::from(next()) * u128::from(n);
        }
    }
    (m >> 64) as u64
}

/// One ChaCha20 block (RFC 8439 §2.3) as 16 little-endian words.
fn chacha20_block(key: &[u32; 8], counter: u32, nonce: &[u32; 3]) -> [u32; 16] {
    let mut input = [0u32; 16];
    input[..4].copy_from_slice(&[0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574]);
    input[4..12].copy_from_slice(key);
    input[12] = counter;
    input[13..].copy_from_slice(nonce);
    let mut x = input;
    for _ in 0..10 {
        quarter_round(&mut x, 0, 4, 8, 12);
        quarter_round(&mut x, 1, 5, 9, 13);
        quarter_round(&mut x, 2, 6, 10, 14);
        quarter_round(&mut x, 3, 7, 11, 15);
        quarter_round(&mut x, 0, 5, 10, 15);
        quarter_round(&mut x, 1, 6, 11, 12);
        quarter_round(&mut x, 2, 7, 8, 13);
        quarter_round(&mut x, 3, 4, 9, 14);
    }
    for (out, word) in x.iter_mut().zip(input) {
        *out = out.wrapping_add(word);
    }
    x
}

fn quarter_round(x: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize) {
    x[a] = x[a].wrapping_add(x[b]);
    x[d] = (x[d] ^ x[a]).rotate_left(16);
    x[c] = x[c].wrapping_add(x[d]);
    x[b] = (x[b] ^ x[c]).rotate_left(12);
    x[a] = x[a].wrapping_add(x[b]);
    x[d] = (x[d] ^ x[a]).rotate_left(8);
    x[c] = x[c].wrapping_add(x[d]);
    x[b] = (x[b] ^ x[c]).rotate_left(7);
}

/// The outcome of a [`lottery`] or a [`first_n`] sale: what to publish so
/// that anyone can check it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Draw {
    /// The seed the draw used (64 hex digits in JSON).
    pub seed: Seed,
    /// How many distinct entrants (or requesters) took part.
    pub entrant_count: usize,
    /// FNV-1a 64 digest of the sorted entrant list, 16 hex digits (module docs).
    pub entrants_digest: String,
    /// The winners, in the order drawn (for [`first_n`]: by time).
    pub winners: Vec<String>,
}

impl Draw {
    fn new(seed: Seed, sorted: &[&str], winners: &[&str]) -> Draw {
        Draw {
            seed,
            entrant_count: sorted.len(),
            entrants_digest: digest(sorted),
            winners: winners.iter().map(|w| (*w).to_owned()).collect(),
        }
    }
}

/// FNV-1a 64 over each entrant's UTF-8 bytes and a `0xff` separator.
fn digest(sorted: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for entrant in sorted {
        for &byte in entrant.as_bytes().iter().chain(&[0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// The first `k` places of a Fisher–Yates shuffle of `items`.
fn shuffle_prefix<T>(items: &mut [T], k: usize, rng: &mut DrawRng) {
    let len = items.len();
    for i in 0..k.min(len) {
        let j = i + rng.below((len - i) as u64) as usize;
        items.swap(i, j);
    }
}

/// A lottery (抽奖): `winners` distinct entrants drawn uniformly, in draw
/// order. The entrants are member ids (or any names); each may enter once —
/// a repeated or empty entrant is an error naming it, so that a list with one
/// row per order does not silently become a weighted draw. Asking for no
/// winners, or more winners than entrants, is an error too.
///
/// ```
/// use member_analytics::loyalty::draws::{lottery, Seed};
/// let seed = Seed::from_bytes([7; 32]);
/// let draw = lottery(&["M1", "M2", "M3"], 3, seed).unwrap();
/// let mut all = draw.winners.clone();
/// all.sort();
/// assert_eq!(all, ["M1", "M2", "M3"]);
/// let e = lottery(&["M1", "M2", "M1"], 1, seed).unwrap_err();
/// assert_eq!(e.field(), Some("entrants[2]"));
/// ```
pub fn lottery<S: AsRef<str>>(entrants: &[S], winners: usize, seed: Seed) -> Result<Draw> {
    if let Some(i) = entrants.iter().position(|e| e.as_ref().is_empty()) {
        return Err(Error::bad_options(format!("entrants[{i}]"), "an entrant must not be empty"));
    }
    let mut pool: Vec<&str> = entrants.iter().map(AsRef::as_ref).collect();
    pool.sort_unstable();
    if let Some(pair) = pool.windows(2).find(|pair| pair[0] == pair[1]) {
        let name = pair[0];
        let mut at = entrants.iter().enumerate().filter(|(_, e)| e.as_ref() == name).map(|(i, _)| i);
        let (first, again) = (at.next().unwrap_or(0), at.next().unwrap_or(0));
        return Err(Error::bad_options(
            format!("entrants[{again}]"),
            format!(
                "\"{name}\" is entered twice (entrants[{first}] and entrants[{again}]); each entrant may enter once"
            ),
        ));
    }
    if winners == 0 || winners > pool.len() {
        return Err(Error::bad_options(
            "winners",
            format!("must be between 1 and the number of entrants ({}), got {winners}", pool.len()),
        ));
    }
    let sorted = pool.clone();
    shuffle_prefix(&mut pool, winners, &mut DrawRng::new(seed));
    Ok(Draw::new(seed, &sorted, &pool[..winners]))
}

/// "First N at 1 yuan" (1 元秒杀): the first `n` distinct requesters by
/// time. `requests` are `(requester, time in ms)`; a requester who asked
/// more than once counts once, at their earliest time. Requesters tied at
/// the same millisecond are ordered by the seeded draw (a uniform shuffle,
/// module docs), so a tie at the cut-off is settled fairly and re-checkably.
/// Every string is an id, the empty one included. Fewer requesters than `n`:
/// all win.
///
/// ```
/// use member_analytics::loyalty::draws::{first_n, Seed};
/// let requests = [("M1", 1_000), ("M2", 990), ("M1", 980), ("M3", 1_010)];
/// let draw = first_n(&requests, 2, Seed::from_bytes([1; 32]));
/// assert_eq!(draw.winners, ["M1", "M2"]);
/// assert_eq!(draw.entrant_count, 3);
/// ```
pub fn first_n<S: AsRef<str>>(requests: &[(S, i64)], n: usize, seed: Seed) -> Draw {
    let mut earliest: Vec<(&str, i64)> = requests.iter().map(|(id, ms)| (id.as_ref(), *ms)).collect();
    earliest.sort_unstable();
    earliest.dedup_by_key(|(id, _)| *id);
    let sorted: Vec<&str> = earliest.iter().map(|(id, _)| *id).collect();
    shuffle_prefix(&mut earliest, usize::MAX, &mut DrawRng::new(seed));
    earliest.sort_by_key(|(_, ms)| *ms);
    let winners: Vec<&str> = earliest.iter().take(n).map(|(id, _)| *id).collect();
    Draw::new(seed, &sorted, &winners)
}

/// The default (and least) amount of a red packet: 1 fen.
pub const MIN_PACKET_FEN: Fen = 1;

/// The most packets one split makes.
pub const MAX_PACKETS: usize = 1_000_000;

/// A red-packet split (拼手气红包): `total_fen` in `count` packets of at
/// least `min_fen` each ([`MIN_PACKET_FEN`] by default), adding up exactly to
/// the total, in the order they are grabbed.
///
/// The "double mean" algorithm (二倍均值法): with `R` fen and `r` packets
/// left, the next packet is uniform in `[min, 2R/r − min]`, a range centred
/// on the mean of what is left, so every place in the grab order expects the
/// same amount (`total / count`); the last packet is what is left, and the
/// later packets vary more. In whole fen the upper end `⌊2R/r⌋ − min` is one
/// fen higher with probability `(2R mod r) / r`, which keeps each mean exact.
///
/// Errors (`BAD_OPTIONS`): no packets or more than [`MAX_PACKETS`], `min_fen`
/// below 1, or a total too small for `count` packets of `min_fen`.
///
/// ```
/// use member_analytics::loyalty::draws::{red_packets, Seed, MIN_PACKET_FEN};
/// let packets = red_packets(10_000, 8, MIN_PACKET_FEN, Seed::from_bytes([2; 32])).unwrap();
/// assert_eq!(packets.len(), 8);
/// assert_eq!(packets.iter().sum::<i64>(), 10_000);
/// assert!(red_packets(5, 8, 1, Seed::from_bytes([2; 32])).is_err());
/// ```
pub fn red_packets(total_fen: Fen, count: usize, min_fen: Fen, seed: Seed) -> Result<Vec<Fen>> {
    if count == 0 || count > MAX_PACKETS {
        return Err(Error::bad_options("count", format!("must be between 1 and {MAX_PACKETS}, got {count}")));
    }
    if min_fen < MIN_PACKET_FEN {
        return Err(Error::bad_options("minFen", format!("a packet holds at least 1 fen, got {min_fen}")));
    }
    let (min, mut left) = (i128::from(min_fen), i128::from(total_fen));
    let needed = min * count as i128;
    if left < needed {
        let needed = i64::try_from(needed).map_or_else(|_| "more".to_owned(), |f| format!("¥{}", format_yuan(f)));
        return Err(Error::bad_options(
            "totalFen",
            format!(
                "¥{} cannot fill {count} packets of at least ¥{} (needs {needed} or more)",
                format_yuan(total_fen),
                format_yuan(min_fen),
            ),
        ));
    }
    let mut rng = DrawRng::new(seed);
    let mut packets = Vec::with_capacity(count);
    for r in (2..=count as i128).rev() {
        // q ≥ 2·min, so the span is at least 1; q ≤ R < 2⁶³, so it fits a u64.
        let q = 2 * left / r;
        let e = i128::from(i128::from(rng.below(r as u64)) < 2 * left % r);
        let span = q + e - 2 * min + 1;
        let amount = min + i128::from(rng.below(span as u64));
        packets.push(amount as Fen);
        left -= amount;
    }
    packets.push(left as Fen);
    Ok(packets)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed whose first 8 bytes are `i` (little-endian), the rest zero.
    fn seed(i: u64) -> Seed {
        let mut bytes = [0u8; 32];
        bytes[..8].copy_from_slice(&i.to_le_bytes());
        Seed::from_bytes(bytes)
    }

    /// Pearson's statistic against equal expected counts.
    fn chi_square(counts: &[u64]) -> f64 {
        let expected = counts.iter().sum::<u64>() as f64 / counts.len() as f64;
        counts.iter().map(|&c| (c as f64 - expected).powi(2) / expected).sum()
    }

    // 99.9 % critical values of the chi-square distribution.
    const CHI2_999_DF2: f64 = 13.816;
    const CHI2_999_DF6: f64 = 22.458;
    const CHI2_999_DF9: f64 = 27.877;
    const CHI2_999_DF18: f64 = 42.312;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("M{i:03}")).collect()
    }

    #[test]
    fn chacha20_matches_rfc8439() {
        // §2.3.2: key 00..1f, nonce 00:00:00:09:00:00:00:4a:00:00:00:00, counter 1.
        let mut key = [0u32; 8];
        for (i, w) in key.iter_mut().enumerate() {
            let b = 4 * i as u8;
            *w = u32::from_le_bytes([b, b + 1, b + 2, b + 3]);
        }
        let block = chacha20_block(&key, 1, &[0x0900_0000, 0x4a00_0000, 0]);
        assert_eq!(block[..4], [0xe4e7_f110, 0x1559_3bd1, 0x1fdd_0f50, 0xc471_20a3]);
        assert_eq!(block[12..], [0xd19c_12b5, 0xb94e_16de, 0xe883_d0cb, 0x4e3c_50a2]);
        // A.1 test vector 2: zero key and nonce, counter 1, starts 9f 07 e7 be 55 51 38 7a.
        let mut rng = DrawRng::new(Seed::from_bytes([0; 32]));
        for _ in 0..8 {
            rng.next_u64();
        }
        assert_eq!(rng.next_u64(), 0x7a38_5155_bee7_079f);
    }

    #[test]
    fn stream_matches_node_chacha20() {
        // Node: crypto.createCipheriv("chacha20", Buffer.from("00".."1f"), Buffer.alloc(16))
        //       .update(Buffer.alloc(8 * 10)), read as little-endian u64s 0, 1 and 9.
        let mut bytes = [0u8; 32];
        bytes.iter_mut().enumerate().for_each(|(i, b)| *b = i as u8);
        let mut rng = DrawRng::new(Seed::from_bytes(bytes));
        let words: Vec<u64> = (0..10).map(|_| rng.next_u64()).collect();
        assert_eq!([words[0], words[1], words[9]], NODE_WORDS);
    }
    const NODE_WORDS: [u64; 3] = [0x6a19_c5d9_7d2b_fd39, 0x494a_dcb8_7703_bd8d, 0x274e_43af_615c_6113];

    #[test]
    fn seed_hex_round_trips_and_errors_name_the_problem() {
        let hex = "0123456789abcdef".repeat(4);
        let seed = Seed::from_hex(&hex).unwrap();
        assert_eq!(seed.as_bytes()[..8], [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]);
        assert_eq!(seed.to_hex(), hex);
        assert_eq!(Seed::from_hex(&format!(" {} \n", hex.to_uppercase())).unwrap(), seed);
        assert_eq!(hex.parse::<Seed>().unwrap(), seed);
        assert_eq!(serde_json::to_string(&seed).unwrap(), format!("\"{hex}\""));
        assert_eq!(serde_json::from_str::<Seed>(&format!("\"{hex}\"")).unwrap(), seed);

        let e = Seed::from_hex(&hex[..62]).unwrap_err();
        assert_eq!((e.code(), e.field()), ("BAD_OPTIONS", Some("seed")));
        assert!(e.to_string().contains("got 62 digits"), "{e}");
        let e = Seed::from_hex(&format!("{}g{}", &hex[..4], &hex[5..])).unwrap_err();
        assert!(e.to_string().contains("'g' at character 5"), "{e}");
        let e = Seed::from_hex(&format!("{}种", &hex[..63])).unwrap_err();
        assert!(e.to_string().contains("'种' at character 64"), "{e}");
        let e = serde_json::from_str::<Seed>("\"00\"").unwrap_err();
        assert!(e.to_string().contains("64 hex digits"), "{e}");
    }

    #[test]
    fn random_seeds_differ() {
        let (a, b) = (Seed::random().unwrap(), Seed::random().unwrap());
        assert_ne!(a, b);
        assert_ne!(a, Seed::from_bytes([0; 32]));
    }

    #[test]
    fn lemire_rejects_the_biased_zone() {
        // n = 3: 2⁶⁴ mod 3 = 1, so the word 0 (low half 0) is rejected.
        let mut words = [0u64, u64::MAX].into_iter();
        assert_eq!(lemire(3, || words.next().unwrap_or(0)), 2);
        // n = 2⁶³ + 1: t = 2⁶³ − 1; the word 2 gives low half 2 < t: rejected.
        let n = (1u64 << 63) + 1;
        let mut words = [2u64, 1 << 63].into_iter();
        assert_eq!(lemire(n, || words.next().unwrap_or(0)), 1 << 62);
        // Nothing drawn for n = 0 or needed beyond one word when accepted.
        assert_eq!(lemire(0, || unreachable!()), 0);
        let mut drawn = 0;
        assert_eq!(
            lemire(7, || {
                drawn += 1;
                u64::MAX
            }),
            6
        );
        assert_eq!(drawn, 1);
    }

    #[test]
    fn below_is_uniform() {
        let mut rng = DrawRng::new(seed(42));
        for (n, critical) in [(3u64, CHI2_999_DF2), (7, CHI2_999_DF6)] {
            let mut counts = vec![0u64; n as usize];
            for _ in 0..70_000 {
                counts[rng.below(n) as usize] += 1;
            }
            let x2 = chi_square(&counts);
            assert!(x2 < critical, "n = {n}: chi-square {x2:.2}, counts {counts:?}");
        }
        // A huge n where modulo bias would put half the draws in the first
        // third, and multiply-shift without rejection would put half of them
        // on multiples of 3.
        let n = 3u64 << 62;
        let (mut thirds, mut residues) = ([0u64; 3], [0u64; 3]);
        for _ in 0..30_000 {
            let x = rng.below(n);
            assert!(x < n);
            thirds[(x / (1 << 62)) as usize] += 1;
            residues[(x % 3) as usize] += 1;
        }
        assert!(chi_square(&thirds) < CHI2_999_DF2, "thirds {thirds:?}");
        assert!(chi_square(&residues) < CHI2_999_DF2, "residues {residues:?}");
    }

    #[test]
    fn lottery_reproduces_from_its_seed() {
        let entrants = ids(100);
        let a = lottery(&entrants, 5, seed(1)).unwrap();
        assert_eq!(lottery(&entrants, 5, seed(1)).unwrap(), a);
        assert_eq!(lottery(&entrants, 5, Seed::from_hex(&a.seed.to_hex()).unwrap()).unwrap(), a);
        assert_ne!(lottery(&entrants, 5, seed(2)).unwrap().winners, a.winners);
        // Row order does not matter; the digest pins the set.
        let mut reversed = entrants.clone();
        reversed.reverse();
        assert_eq!(lottery(&reversed, 5, seed(1)).unwrap(), a);
        assert_eq!(a.entrant_count, 100);
        assert_ne!(lottery(&entrants[1..], 5, seed(1)).unwrap().entrants_digest, a.entrants_digest);
        // Fewer winners asked: the same first winners (a prefix of the draw).
        assert_eq!(lottery(&entrants, 2, seed(1)).unwrap().winners, a.winners[..2]);
    }

    #[test]
    fn lottery_winners_are_distinct_entrants() {
        let entrants = ids(30);
        for s in 0..200 {
            let k = 1 + s as usize % 30;
            let draw = lottery(&entrants, k, seed(s)).unwrap();
            let mut winners = draw.winners.clone();
            winners.sort();
            winners.dedup();
            assert_eq!(winners.len(), k, "seed {s}: {:?}", draw.winners);
            assert!(winners.iter().all(|w| entrants.contains(w)));
        }
    }

    #[test]
    fn lottery_rejects_bad_lists() {
        let e = lottery(&["M1", "M2", "M3", "M2"], 1, seed(0)).unwrap_err();
        assert_eq!(e.field(), Some("entrants[3]"));
        assert!(e.to_string().contains("\"M2\" is entered twice (entrants[1] and entrants[3])"), "{e}");
        let e = lottery(&["M1", ""], 1, seed(0)).unwrap_err();
        assert_eq!(e.field(), Some("entrants[1]"));
        for winners in [0, 3] {
            let e = lottery(&["M1", "M2"], winners, seed(0)).unwrap_err();
            assert_eq!(e.field(), Some("winners"), "{winners}");
        }
        assert!(lottery(&[] as &[&str], 1, seed(0)).is_err());
    }

    #[test]
    fn digest_is_fnv1a_of_the_sorted_list() {
        // FNV-1a 64 of the empty input is the offset basis; of "a" it is af63dc4c8601ec8c.
        assert_eq!(digest(&[]), "cbf29ce484222325");
        let mut hash: u64 = 0xaf63_dc4c_8601_ec8c;
        hash = (hash ^ 0xff).wrapping_mul(0x0000_0100_0000_01b3);
        assert_eq!(digest(&["a"]), format!("{hash:016x}"));
        // The separator keeps ["ab", "c"] and ["a", "bc"] apart.
        assert_ne!(digest(&["a", "bc"]), digest(&["ab", "c"]));
    }

    #[test]
    fn single_winner_is_uniform() {
        let entrants = ids(10);
        let mut counts = [0u64; 10];
        for s in 0..20_000 {
            let draw = lottery(&entrants, 1, seed(s)).unwrap();
            counts[entrants.iter().position(|e| *e == draw.winners[0]).unwrap()] += 1;
        }
        let x2 = chi_square(&counts);
        assert!(x2 < CHI2_999_DF9, "chi-square {x2:.2}, counts {counts:?}");
    }

    #[test]
    fn every_place_of_three_winners_is_uniform() {
        let entrants = ids(10);
        let mut counts = [[0u64; 10]; 3];
        for s in 0..20_000 {
            let draw = lottery(&entrants, 3, seed(s)).unwrap();
            for (place, w) in draw.winners.iter().enumerate() {
                counts[place][entrants.iter().position(|e| e == w).unwrap()] += 1;
            }
        }
        for (place, counts) in counts.iter().enumerate() {
            let x2 = chi_square(counts);
            assert!(x2 < CHI2_999_DF9, "place {place}: chi-square {x2:.2}, counts {counts:?}");
        }
    }

    #[test]
    fn first_n_takes_the_earliest_distinct_requesters() {
        let requests = [("M1", 50), ("M2", 10), ("M2", 5), ("M3", 20), ("M1", 60), ("M4", 40)];
        let draw = first_n(&requests, 3, seed(0));
        assert_eq!(draw.winners, ["M2", "M3", "M4"]);
        assert_eq!(draw.entrant_count, 4);
        assert_eq!(draw.entrants_digest, digest(&["M1", "M2", "M3", "M4"]));
        assert_eq!(first_n(&requests, 10, seed(0)).winners, ["M2", "M3", "M4", "M1"]);
        assert!(first_n(&requests, 0, seed(0)).winners.is_empty());
        assert_eq!(first_n(&[] as &[(&str, i64)], 3, seed(0)).entrant_count, 0);
        // A repeat at an earlier time moves the requester up.
        let mut more = requests.to_vec();
        more.push(("M1", 1));
        assert_eq!(first_n(&more, 2, seed(0)).winners, ["M1", "M2"]);
    }

    #[test]
    fn first_n_breaks_ties_by_the_seed() {
        let requests: Vec<(String, i64)> =
            ids(10).into_iter().map(|id| (id, 1_000)).chain([("late".to_owned(), 1_001)]).collect();
        let a = first_n(&requests, 3, seed(5));
        assert_eq!(first_n(&requests, 3, seed(5)), a);
        let mut reversed = requests.clone();
        reversed.reverse();
        assert_eq!(first_n(&reversed, 3, seed(5)), a);
        assert_ne!(first_n(&requests, 3, seed(6)).winners, a.winners);
        assert_eq!(first_n(&requests, 11, seed(5)).winners[10], "late");
        // Uniform among the tied: chi-square over who gets the single place.
        let mut counts = [0u64; 10];
        for s in 0..20_000 {
            let w = &first_n(&requests, 1, seed(s)).winners[0];
            counts[requests.iter().position(|(id, _)| id == w).unwrap()] += 1;
        }
        let x2 = chi_square(&counts);
        assert!(x2 < CHI2_999_DF9, "chi-square {x2:.2}, counts {counts:?}");
    }

    #[test]
    fn red_packets_add_up_exactly() {
        let mut rng = DrawRng::new(seed(99));
        for s in 0..2_000 {
            let count = 1 + rng.below(200) as usize;
            let min = 1 + rng.below(50) as Fen;
            let total = min * count as Fen + rng.below(100_000) as Fen;
            let packets = red_packets(total, count, min, seed(s)).unwrap();
            assert_eq!(packets.len(), count);
            assert_eq!(packets.iter().sum::<Fen>(), total, "seed {s}: {total} in {count}");
            let mut left = total;
            for (i, &p) in packets.iter().enumerate() {
                let r = (count - i) as Fen;
                assert!(p >= min, "seed {s}: packet {i} is {p} < {min}");
                if r > 1 {
                    let ceil = (2 * left + r - 1) / r;
                    assert!(p <= ceil - min, "seed {s}: packet {i} is {p}, {left} left in {r}");
                }
                left -= p;
            }
        }
        assert_eq!(red_packets(12_345, 1, 1, seed(0)).unwrap(), [12_345]);
        assert_eq!(red_packets(30, 10, 3, seed(0)).unwrap(), [3; 10]);
        let big = red_packets(i64::MAX, 3, 1, seed(0)).unwrap();
        assert_eq!(big.iter().map(|&p| i128::from(p)).sum::<i128>(), i128::from(i64::MAX));
    }

    #[test]
    fn red_packets_reproduce_from_their_seed() {
        let a = red_packets(20_000, 10, MIN_PACKET_FEN, seed(3)).unwrap();
        assert_eq!(red_packets(20_000, 10, MIN_PACKET_FEN, seed(3)).unwrap(), a);
        assert_ne!(red_packets(20_000, 10, MIN_PACKET_FEN, seed(4)).unwrap(), a);
    }

    #[test]
    fn impossible_splits_are_errors() {
        let field = |total, count, min| red_packets(total, count, min, seed(0)).unwrap_err().field().map(str::to_owned);
        assert_eq!(field(100, 0, 1).as_deref(), Some("count"));
        assert_eq!(field(i64::MAX, MAX_PACKETS + 1, 1).as_deref(), Some("count"));
        assert_eq!(field(100, 3, 0).as_deref(), Some("minFen"));
        assert_eq!(field(29, 10, 3).as_deref(), Some("totalFen"));
        assert_eq!(field(-5, 1, 1).as_deref(), Some("totalFen"));
        let e = red_packets(99, 100, 1, seed(0)).unwrap_err();
        assert!(e.to_string().contains("¥0.99 cannot fill 100 packets of at least ¥0.01 (needs ¥1.00"), "{e}");
        assert!(red_packets(1, MAX_PACKETS, i64::MAX, seed(0)).is_err());
    }

    #[test]
    fn red_packets_are_fair_to_every_place() {
        // ¥1 in 10 packets: the first is uniform in 1..=19 fen …
        let mut first = [0u64; 19];
        // … and every place expects 10 fen.
        let (mut sums, mut squares) = ([0f64; 10], [0f64; 10]);
        let draws = 20_000;
        for s in 0..draws {
            let packets = red_packets(100, 10, 1, seed(s)).unwrap();
            first[(packets[0] - 1) as usize] += 1;
            for (i, &p) in packets.iter().enumerate() {
                sums[i] += p as f64;
                squares[i] += (p * p) as f64;
            }
        }
        let x2 = chi_square(&first);
        assert!(x2 < CHI2_999_DF18, "chi-square {x2:.2}, counts {first:?}");
        for i in 0..10 {
            let mean = sums[i] / draws as f64;
            let sd = (squares[i] / draws as f64 - mean * mean).sqrt();
            let z = (mean - 10.0) / (sd / (draws as f64).sqrt());
            assert!(z.abs() < 4.0, "place {i}: mean {mean:.3} fen, z = {z:.2}");
        }
    }

    #[test]
    fn draw_serializes_in_camel_case() {
        let draw = lottery(&["M1", "M2"], 1, seed(0)).unwrap();
        let json = serde_json::to_value(&draw).unwrap();
        assert_eq!(json["seed"], seed(0).to_hex());
        assert_eq!(json["entrantCount"], 2);
        assert_eq!(json["entrantsDigest"], digest(&["M1", "M2"]));
        assert_eq!(json["winners"].as_array().map(Vec::len), Some(1));
    }
}
