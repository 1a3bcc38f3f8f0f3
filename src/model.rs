//! The data a store exports, once read: columnar tables with member ids
//! interned to dense `u32` indices, money in integer fen and dates as day
//! numbers. Analysis works on these slices, never on rows of strings.

use chrono::{Datelike, NaiveDate};
use std::fmt::Write as _;
use std::sync::Arc;

/// Money in fen (分, 1/100 yuan). No float ever touches money.
pub type Fen = i64;

/// A calendar date as a day number (days since 0001-01-01 = 1, chrono's
/// `num_days_from_ce`), so that differences are plain subtraction.
pub type Day = i32;

/// The day number of a date.
pub fn day_of(date: NaiveDate) -> Day {
    date.num_days_from_ce()
}

/// The date of a day number (falls back to 0001-01-01 out of range; day
/// numbers only ever come from [`day_of`]).
pub fn date_of(day: Day) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day).unwrap_or(NaiveDate::MIN)
}

/// `YYYY-MM-DD` of a day number.
pub fn format_day(day: Day) -> String {
    // Written out rather than through chrono's strftime, which would bring
    // its format-string parser into the wasm.
    let date = date_of(day);
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

/// Yuan with two decimals, e.g. `-12.05`; exact.
pub fn format_yuan(fen: Fen) -> String {
    let mut out = String::new();
    push_yuan(&mut out, fen);
    out
}

/// [`format_yuan`] appended to `out` (no string of its own).
pub fn push_yuan(out: &mut String, fen: Fen) {
    if fen < 0 {
        out.push('-');
    }
    let abs = fen.unsigned_abs();
    push_digits(out, abs / 100, 1);
    out.push('.');
    push_digits(out, abs % 100, 2);
}

/// `n` in decimal appended to `out`, with leading zeros to at least
/// `width` digits (at most 20): what `write!(out, "{n:0width$}")` writes,
/// without the formatting machinery (exports write millions of numbers).
pub fn push_digits(out: &mut String, mut n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut at = digits.len();
    while n > 0 || at == digits.len() {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    let start = at.min(digits.len().saturating_sub(width));
    out.push_str(std::str::from_utf8(&digits[start..]).unwrap_or_default());
}

/// A float as `format!("{x}")` writes it (the shortest digits that read back
/// as `x`, never an exponent), from zmij's digits: core's own float
/// formatting (Grisu with a Dragon fallback, and its tables) then stays out
/// of the wasm (README, "Builds and sizes"). One difference: when `x` lies
/// exactly halfway between two shortest candidates (at 17 significant
/// digits), the last digit may be the other one of the two.
pub fn format_decimal(x: f64) -> String {
    if !x.is_finite() {
        return zmij::Buffer::new().format(x).to_string();
    }
    let mut buffer = zmij::Buffer::new();
    let text = buffer.format_finite(x);
    // `-d.ddde±x`, `ddd.ddd` or `ddd`: the digits and where the point goes.
    let (sign, text) = text.strip_prefix('-').map_or(("", text), |rest| ("-", rest));
    let (mantissa, exp) = text.split_once('e').unwrap_or((text, "0"));
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int}{frac}");
    let point = int.len() as i64 + exp.parse::<i64>().unwrap_or(0);
    let lead = digits.len() - digits.trim_start_matches('0').len();
    let digits = digits.trim_matches('0');
    let point = point - lead as i64;
    let zeros = |n: i64| "0".repeat(n.max(0) as usize);
    match point {
        _ if digits.is_empty() => format!("{sign}0"),
        ..=0 => format!("{sign}0.{}{digits}", zeros(-point)),
        p if p as usize >= digits.len() => format!("{sign}{digits}{}", zeros(p - digits.len() as i64)),
        p => format!("{sign}{}.{}", &digits[..p as usize], &digits[p as usize..]),
    }
}

/// Strings interned to dense indices in first-seen order. Interning a
/// member id is the one hash lookup every order row pays, and on a large
/// file its cost is cache misses, so the table is built for it: open
/// addressing with no allocation for a name already known, and a lookup
/// that reads a 4-byte slot and the name's 12-byte key, nothing else, for
/// a name of at most 11 bytes (member ids such as `M016050` or an 11-digit
/// phone number), which the key holds whole. A longer name's key holds its
/// [`id_hash`]; its text, in [`Interner::names`], is compared only when
/// the hashes match, a word at a time (`memcmp` is a byte loop in an
/// MVP-only wasm module). The names sit one after the other in the chunks
/// of a [`Texts`], not an allocation each: about 30 bytes a name at 440,000
/// member ids instead of 80.
#[derive(Debug, Default, Clone)]
pub struct Interner {
    /// Linear probing over a power-of-two table at most half full: each
    /// slot a name's index + 1, 0 when empty.
    slots: Vec<u32>,
    /// Each name's [`SlotKey`], by index, as three words.
    keys: Vec<[u32; 3]>,
    names: Texts,
    /// The index [`Interner::intern_repeated`] returned last.
    last: u32,
}

/// The names an [`Interner::intern_later`] has yet to place.
#[derive(Debug, Default)]
pub struct Pending {
    /// The names, one after the other.
    text: String,
    names: Vec<Waiting>,
    /// The name given last, and where its index goes in the column.
    previous: String,
    previous_at: Option<usize>,
    /// `(at, from)`: a name given again right after itself (an events file
    /// grouped by member), compared instead of hashed; its index is that
    /// of the row before.
    repeats: Vec<(usize, usize)>,
}

/// One name of a [`Pending`].
#[derive(Debug)]
struct Waiting {
    hash: u64,
    key: SlotKey,
    /// The name, in [`Pending::text`].
    text: std::ops::Range<usize>,
    /// Where its index goes in the column.
    at: usize,
}

impl Pending {
    /// How many names a flush places at most: enough for the memory system
    /// to have as many cache misses in flight as it can.
    pub const BATCH: usize = 16;

    /// How many repeated names wait at most.
    const REPEATS: usize = 1024;
}

/// What the interner keeps of a name to find it. A short name (at most [`SHORT`] bytes):
/// its bytes, zero-padded, in `lo` and the low 24 bits of `hi`, and its
/// length in the top byte of `hi`; two names are equal exactly when their
/// keys are. A long name: its hash in `lo`, and [`LONG`] in the top byte of
/// `hi` over 24 more bits of it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct SlotKey {
    lo: u64,
    hi: u32,
}

/// The longest name a slot holds whole.
const SHORT: usize = 11;

/// The top byte of a long name's `hi` (no short name has this length).
const LONG: u32 = 0xFF << 24;

impl SlotKey {
    /// The key of a short name, or `None` for a long one.
    fn short(name: &[u8]) -> Option<SlotKey> {
        if name.len() > SHORT {
            return None;
        }
        let (mut lo, mut hi) = (0u64, (name.len() as u32) << 24);
        for (k, &b) in name.iter().enumerate() {
            if k < 8 {
                lo |= u64::from(b) << (8 * k);
            } else {
                hi |= u32::from(b) << (8 * (k - 8));
            }
        }
        Some(SlotKey { lo, hi })
    }

    /// The hash that chooses where `name` starts probing, and the key to
    /// look for.
    fn of(name: &str) -> (u64, SlotKey) {
        match SlotKey::short(name.as_bytes()) {
            Some(key) => (key.hash(), key),
            None => {
                let hash = id_hash(name);
                (hash, SlotKey { lo: hash, hi: LONG | (hash >> 40) as u32 })
            }
        }
    }

    /// The hash of the name this key is of (as [`SlotKey::of`] gives it).
    fn hash(self) -> u64 {
        if self.hi >= LONG { self.lo } else { mix(self.lo ^ u64::from(self.hi).rotate_left(40)) }
    }

    /// As [`Interner::keys`] holds it: 12 bytes, where a `u64` field would
    /// round the key up to 16.
    fn words(self) -> [u32; 3] {
        [self.lo as u32, (self.lo >> 32) as u32, self.hi]
    }

    fn from_words([a, b, hi]: [u32; 3]) -> SlotKey {
        SlotKey { lo: u64::from(a) | (u64::from(b) << 32), hi }
    }
}

/// murmur3's 64-bit finaliser: every bit of `h` moves the low bits that
/// choose a slot.
fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^ (h >> 33)
}

/// Two interners are equal when they hold the same names in the same order.
impl PartialEq for Interner {
    fn eq(&self, other: &Interner) -> bool {
        self.names == other.names
    }
}

impl Interner {
    /// The index of `name`, adding it if new.
    pub fn intern(&mut self, name: &str) -> u32 {
        let (hash, key) = SlotKey::of(name);
        self.intern_hashed(name, hash, key)
    }

    /// [`Interner::intern`] into `column`, for a column of many names in no
    /// order (member ids): the index is written there by the next
    /// [`Interner::flush`], at the latest [`Pending::BATCH`] names later. A
    /// flush reads the table slots of all its names before it uses any, so
    /// their cache misses overlap instead of following one another. A name
    /// given again right after itself takes the index of the row before. The
    /// indexes are those [`Interner::intern`] gives, in the same order.
    pub fn intern_later(&mut self, name: &str, column: &mut Indices, pending: &mut Pending) {
        let at = column.len();
        column.push(0);
        match pending.previous_at {
            Some(from) if same(pending.previous.as_bytes(), name.as_bytes()) => pending.repeats.push((at, from)),
            _ => {
                let (hash, key) = SlotKey::of(name);
                let text = pending.text.len()..pending.text.len() + name.len();
                pending.text.push_str(name);
                pending.names.push(Waiting { hash, key, text, at });
                pending.previous.clear();
                pending.previous.push_str(name);
            }
        }
        pending.previous_at = Some(at);
        if pending.names.len() == Pending::BATCH || pending.repeats.len() == Pending::REPEATS {
            self.flush(column, pending);
        }
    }

    /// Write the indexes of the names [`Interner::intern_later`] left pending.
    pub fn flush(&mut self, column: &mut Indices, pending: &mut Pending) {
        if !self.slots.is_empty() {
            // The first slot of every name, then the key it names, each
            // round's cache misses at once.
            let mask = self.slots.len() - 1;
            let mut first = [0u32; Pending::BATCH];
            for (slot, w) in first.iter_mut().zip(&pending.names) {
                *slot = self.slots[w.hash as usize & mask];
            }
            let keys =
                first.iter().fold(0, |x, &i| x ^ self.keys.get((i as usize).wrapping_sub(1)).map_or(0, |k| k[0]));
            std::hint::black_box(keys);
        }
        for w in pending.names.drain(..) {
            column.set(w.at, self.intern_hashed(&pending.text[w.text], w.hash, w.key));
        }
        pending.text.clear();
        // In row order: a repeat's row before is placed by now.
        for (at, from) in pending.repeats.drain(..) {
            column.set(at, column.at(from));
        }
    }

    fn intern_hashed(&mut self, name: &str, hash: u64, key: SlotKey) -> u32 {
        match self.find(name, hash, key) {
            Ok(i) => i,
            Err(mut slot) => {
                if 2 * (self.names.len() + 1) > self.slots.len() {
                    self.grow();
                    slot = self.find(name, hash, key).err().unwrap_or(0);
                }
                let i = self.names.len() as u32;
                self.slots[slot] = i + 1;
                self.keys.push(key.words());
                self.names.push(name);
                i
            }
        }
    }

    /// [`Interner::intern`] for columns such as store and channel that
    /// repeat one value row after row: a compare is cheaper than a hash.
    pub fn intern_repeated(&mut self, name: &str) -> u32 {
        if self.names.get(self.last as usize).is_some_and(|last| same(last.as_bytes(), name.as_bytes())) {
            return self.last;
        }
        self.last = self.intern(name);
        self.last
    }

    /// The index of `name`, if known.
    pub fn get(&self, name: &str) -> Option<u32> {
        let (hash, key) = SlotKey::of(name);
        self.find(name, hash, key).ok()
    }

    /// `Ok(index)` of `name`, or `Err(slot)`: the empty slot where it goes.
    fn find(&self, name: &str, hash: u64, key: SlotKey) -> Result<u32, usize> {
        if self.slots.is_empty() {
            return Err(0);
        }
        let mask = self.slots.len() - 1;
        let mut pos = hash as usize & mask;
        loop {
            let i = self.slots[pos] as usize;
            if i == 0 {
                return Err(pos);
            }
            if self.keys.get(i - 1).is_some_and(|&k| SlotKey::from_words(k) == key)
                && (key.hi < LONG || self.names.get(i - 1).is_some_and(|n| same(n.as_bytes(), name.as_bytes())))
            {
                return Ok(i as u32 - 1);
            }
            pos = (pos + 1) & mask;
        }
    }

    /// Double the table (16 slots at first) and place every name again.
    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(16);
        // The old table goes first: its room can take part of the new one
        // (when the room next to it is free too; at 5M orders it rarely is).
        self.slots = Vec::new();
        let mut slots = vec![0; size];
        for (i, &key) in self.keys.iter().enumerate() {
            let mut pos = SlotKey::from_words(key).hash() as usize & (size - 1);
            while slots[pos] != 0 {
                pos = (pos + 1) & (size - 1);
            }
            slots[pos] = i as u32 + 1;
        }
        self.slots = slots;
    }

    /// All names, by index: `names()[i]`, `names().iter()`.
    pub fn names(&self) -> &Texts {
        &self.names
    }

    /// The name of an index ("" when out of range).
    pub fn name(&self, i: u32) -> &str {
        self.names.get(i as usize).unwrap_or("")
    }

    /// Number of distinct names.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when nothing is interned.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// A 64-bit hash of an id on every target (FxHash is only 32 bits wide on
/// wasm32, which made false repeats likely at a million orders): 8 bytes
/// at a time, multiply–rotate, then murmur3's finaliser. Fixed, so results
/// are deterministic; ids are not adversarial on the user's own device.
pub fn id_hash(id: &str) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes = id.as_bytes();
    let mut h = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        h = (h ^ word(c)).wrapping_mul(K).rotate_left(29);
    }
    let mut tail = 0u64;
    for (k, &b) in chunks.remainder().iter().enumerate() {
        tail |= u64::from(b) << (8 * k);
    }
    mix((h ^ tail).wrapping_mul(K))
}

/// The first 8 bytes of `c` as a little-endian word (`c` has at least 8).
fn word(c: &[u8]) -> u64 {
    u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])
}

/// `a == b`, a word at a time.
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut x, mut y) = (a.chunks_exact(8), b.chunks_exact(8));
    if !(&mut x).zip(&mut y).all(|(p, q)| word(p) == word(q)) {
        return false;
    }
    x.remainder().iter().zip(y.remainder()).all(|(p, q)| p == q)
}

/// Many short strings without an allocation each: the names of an
/// [`Interner`], and the text form of [`OrderIds`]. They sit in chunks of
/// [`BLOCK`] strings, one after the other in the chunk's buffer, so that
/// growing never moves what is held: wasm memory never shrinks, and a
/// buffer that doubled would leave its earlier copies behind as room that
/// later, larger copies cannot reuse (at 440,000 member ids, about as much
/// as it holds).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Texts {
    /// Each chunk's strings, and where each ends in them.
    chunks: Vec<(String, Vec<usize>)>,
}

impl Texts {
    fn push(&mut self, text: &str) {
        match self.chunks.last_mut() {
            Some((bytes, ends)) if ends.len() < BLOCK => {
                bytes.push_str(text);
                ends.push(bytes.len());
            }
            full => {
                if let Some((bytes, _)) = full {
                    bytes.shrink_to_fit();
                }
                self.chunks.push((text.to_string(), vec![text.len()]));
            }
        }
    }

    /// String `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<&str> {
        let (bytes, ends) = self.chunks.get(i / BLOCK)?;
        let j = i % BLOCK;
        let end = *ends.get(j)?;
        bytes.get(if j == 0 { 0 } else { ends[j - 1] }..end)
    }

    /// Number of strings.
    pub fn len(&self) -> usize {
        self.chunks.last().map_or(0, |(_, ends)| (self.chunks.len() - 1) * BLOCK + ends.len())
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    /// Every string, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + Clone + '_ {
        (0..self.len()).map(|i| self.get(i).unwrap_or(""))
    }

    /// Give back the room of the last chunk beyond its strings.
    fn shrink_to_fit(&mut self) {
        if let Some((bytes, ends)) = self.chunks.last_mut() {
            bytes.shrink_to_fit();
            ends.shrink_to_fit();
        }
    }
}

/// String `i`; panics when out of range, as a slice does.
impl std::ops::Index<usize> for Texts {
    type Output = str;
    fn index(&self, i: usize) -> &str {
        self.get(i).expect("text index out of range")
    }
}

/// How many strings a chunk of [`Texts`] holds.
const BLOCK: usize = 4096;

/// Order ids, one per order, exactly as written ("" when the row gives
/// none). Exports number their orders, so ids are usually one prefix and a
/// number (`D00000001`, `E20261101…0042`): while every id is the first id's
/// prefix followed by a number of at most 9 digits written the same way
/// (zero-padded to one width, or without leading zeros), the column holds
/// the numbers alone ([`Numbers`]: a few bytes in all while they count up
/// one by one, as a point of sale hands them out, else 4 bytes a row),
/// instead of the text and its end (13 bytes a row for `D00000001`). The
/// first id that is not switches it to text for good. [`OrderIds::get`]
/// gives every id back as written either way.
#[derive(Debug, Clone)]
pub struct OrderIds(Ids);

#[derive(Debug, Clone)]
enum Ids {
    /// `pattern` is that of the first id given ([`EMPTY`] numbers are "";
    /// `None` while every id was "").
    Numbered {
        pattern: Option<Pattern>,
        numbers: Numbers,
    },
    Text(Texts),
}

/// The numbers of a numbered [`OrderIds`] column.
#[derive(Debug, Clone)]
enum Numbers {
    /// Runs of rows whose numbers count up by one (or that are all
    /// [`EMPTY`]): each run's first row and first number, by row, and the
    /// number of rows. Kept while there are at most a quarter as many runs
    /// as rows (8 bytes a run against 4 a row); `expected` is the rows
    /// [`OrderIds::reserve`] was told of, for the switch to [`Numbers::Each`].
    Runs { runs: Vec<(u32, u32)>, rows: usize, expected: usize },
    /// Every row's number.
    Each(Vec<u32>),
}

impl Numbers {
    /// The fewest runs [`Numbers::Runs`] gives up at: a short column of
    /// ids in no order stays as it is.
    const RUNS: usize = 64;

    fn push(&mut self, n: u32) {
        match self {
            Numbers::Runs { runs, rows, expected } => {
                // The number that would continue the last run.
                let next = |&(row, first): &(u32, u32)| match first {
                    EMPTY => Some(EMPTY),
                    first => u32::try_from(*rows - row as usize).ok()?.checked_add(first).filter(|&n| n != EMPTY),
                };
                if runs.last().and_then(next) != Some(n) {
                    if runs.len() >= Numbers::RUNS && runs.len() > *rows / 4 {
                        let mut each = Vec::new();
                        let _ = each.try_reserve_exact((*expected).max(*rows + 1));
                        each.extend((0..*rows).map(|i| self.get(i).unwrap_or(EMPTY)));
                        each.push(n);
                        *self = Numbers::Each(each);
                        return;
                    }
                    runs.push((*rows as u32, n));
                }
                *rows += 1;
            }
            Numbers::Each(each) => each.push(n),
        }
    }

    fn get(&self, i: usize) -> Option<u32> {
        match self {
            Numbers::Runs { runs, rows, .. } => {
                if i >= *rows {
                    return None;
                }
                let (row, first) = runs[runs.partition_point(|&(row, _)| row as usize <= i) - 1];
                Some(if first == EMPTY { EMPTY } else { first + (i - row as usize) as u32 })
            }
            Numbers::Each(each) => each.get(i).copied(),
        }
    }

    fn len(&self) -> usize {
        match self {
            Numbers::Runs { rows, .. } => *rows,
            Numbers::Each(each) => each.len(),
        }
    }
}

impl Default for Numbers {
    fn default() -> Numbers {
        Numbers::Runs { runs: Vec::new(), rows: 0, expected: 0 }
    }
}

/// The number of an id that is "" in [`Ids::Numbered`] (no 9-digit number is this large).
const EMPTY: u32 = u32::MAX;

/// How the ids of a numbered column are written: `prefix`, then the number,
/// zero-padded to `width` digits, or with no leading zeros when `width` is 0.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pattern {
    prefix: Box<str>,
    width: u8,
}

impl Pattern {
    /// The pattern of an id: its last (at most 9) digits are the number.
    fn of(id: &str) -> Option<Pattern> {
        let digits = id.bytes().rev().take_while(u8::is_ascii_digit).count();
        let tail = digits.min(9);
        if tail == 0 {
            return None;
        }
        let (prefix, number) = id.split_at(id.len() - tail);
        let plain = tail == digits && (number.len() == 1 || !number.starts_with('0'));
        Some(Pattern { prefix: prefix.into(), width: if plain { 0 } else { tail as u8 } })
    }

    /// The number of `id` when it is written this way.
    fn number(&self, id: &str) -> Option<u32> {
        let number = id.strip_prefix(&*self.prefix)?;
        let written = match self.width {
            0 => (1..=9).contains(&number.len()) && (number.len() == 1 || !number.starts_with('0')),
            w => number.len() == usize::from(w),
        };
        if !written {
            return None;
        }
        // At most 9 digits: no overflow.
        number.bytes().try_fold(0u32, |n, b| b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0')))
    }
}

/// One id of an [`OrderIds`] column, without copying it: shown with
/// `Display` (`to_string`, `format!`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderId<'a> {
    /// The whole id, or the prefix of a numbered one.
    text: &'a str,
    /// A numbered id's number and width (see [`Pattern`]).
    number: Option<(u32, u8)>,
}

impl OrderId<'_> {
    /// True for "" (the row gave no order id).
    pub fn is_empty(&self) -> bool {
        self.text.is_empty() && self.number.is_none()
    }
}

/// A text id as it is.
impl<'a> From<&'a str> for OrderId<'a> {
    fn from(text: &'a str) -> OrderId<'a> {
        OrderId { text, number: None }
    }
}

impl std::fmt::Display for OrderId<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text)?;
        match self.number {
            Some((n, width)) => write!(f, "{n:0width$}", width = usize::from(width)),
            None => Ok(()),
        }
    }
}

impl Default for OrderIds {
    fn default() -> OrderIds {
        OrderIds(Ids::Numbered { pattern: None, numbers: Numbers::default() })
    }
}

/// Two columns are equal when they hold the same ids, however held.
impl PartialEq for OrderIds {
    fn eq(&self, other: &OrderIds) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for OrderIds {}

impl OrderIds {
    /// Append one id.
    pub fn push(&mut self, id: &str) {
        if let Ids::Numbered { pattern, numbers } = &mut self.0 {
            let number = match pattern {
                _ if id.is_empty() => Some(EMPTY),
                Some(p) => p.number(id),
                None => Pattern::of(id).and_then(|p| pattern.insert(p).number(id)),
            };
            match number {
                Some(n) => return numbers.push(n),
                None => self.switch_to_text(),
            }
        }
        if let Ids::Text(texts) = &mut self.0 {
            texts.push(id);
        }
    }

    /// Switch to the text form.
    fn switch_to_text(&mut self) {
        let mut texts = Texts::default();
        for i in 0..self.len() {
            texts.push(&self.get(i).to_string());
        }
        self.0 = Ids::Text(texts);
    }

    /// Id `i` ("" when out of range).
    pub fn get(&self, i: usize) -> OrderId<'_> {
        let none = OrderId { text: "", number: None };
        match &self.0 {
            Ids::Text(texts) => OrderId { text: texts.get(i).unwrap_or(""), number: None },
            Ids::Numbered { pattern: Some(p), numbers } => match numbers.get(i) {
                Some(n) if n != EMPTY => OrderId { text: &p.prefix, number: Some((n, p.width)) },
                _ => none,
            },
            Ids::Numbered { pattern: None, .. } => none,
        }
    }

    /// Make room for `rows` more ids (their numbers; runs of
    /// numbers and text grow as they come), if the memory is there.
    pub fn reserve(&mut self, rows: usize) {
        let _ = match &mut self.0 {
            Ids::Numbered { numbers: Numbers::Runs { rows: held, expected, .. }, .. } => {
                *expected = *held + rows;
                Ok(())
            }
            Ids::Numbered { numbers: Numbers::Each(each), .. } => each.try_reserve_exact(rows),
            Ids::Text(_) => Ok(()),
        };
    }

    /// Give back the room reserved beyond the ids held.
    pub fn shrink_to_fit(&mut self) {
        match &mut self.0 {
            Ids::Numbered { numbers: Numbers::Runs { runs, expected, .. }, .. } => {
                runs.shrink_to_fit();
                *expected = 0;
            }
            Ids::Numbered { numbers: Numbers::Each(each), .. } => each.shrink_to_fit(),
            Ids::Text(texts) => texts.shrink_to_fit(),
        }
    }

    /// Number of ids.
    pub fn len(&self) -> usize {
        match &self.0 {
            Ids::Numbered { numbers, .. } => numbers.len(),
            Ids::Text(texts) => texts.len(),
        }
    }

    /// True when there are no ids.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every id, in order.
    pub fn iter(&self) -> impl Iterator<Item = OrderId<'_>> {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// The rare values a compact column cannot hold, exactly, by row: each
/// row's value where the column holds a marker ([`Amounts`], [`Times`]).
#[derive(Debug, Clone, PartialEq, Eq)]
struct ByRow<T>(Vec<(u32, T)>);

impl<T> Default for ByRow<T> {
    fn default() -> ByRow<T> {
        ByRow(Vec::new())
    }
}

impl<T: Copy> ByRow<T> {
    /// Add the value of `row`, a row after every row added before.
    fn push(&mut self, row: usize, value: T) {
        self.0.push((row as u32, value));
    }

    /// The value of `row`, if it was added.
    fn get(&self, row: usize) -> Option<T> {
        let k = self.0.binary_search_by_key(&(row as u32), |&(r, _)| r).ok()?;
        Some(self.0[k].1)
    }

    fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.0.len()
    }
}

/// The zero bytes after the last value of a column of narrow words
/// ([`Amounts`], [`Indices`]), so that every value is read as one 4-byte word.
const PAD: usize = 3;

/// Append the low `width` bytes of `word` (its higher bytes zero) to a
/// padded column: its 4 bytes and 3 zeros over the padding, cut to the
/// width and the padding — copies of a known length, not calls to `memcpy`.
#[inline]
fn push_word(bytes: &mut Vec<u8>, word: u32, width: usize) {
    let end = bytes.len().saturating_sub(PAD);
    bytes.truncate(end);
    bytes.extend_from_slice(&u64::from(word).to_le_bytes()[..7]);
    bytes.truncate(end + width + PAD);
}

/// The 4-byte word at byte `at` of a padded column, if the column reaches it.
#[inline]
fn word_at(bytes: &[u8], at: usize) -> Option<u32> {
    bytes.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// A column of money in fen, 3 bytes a row: an amount of |fen| below 2^23
/// (±83,886.07 yuan, any single retail order in practice) as 3 bytes of
/// two's complement, little-endian; the rare other ones exactly, by row,
/// with the 3 bytes [`LARGE`]. Read with [`Amounts::at`] or [`Amounts::get`].
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Amounts {
    /// Each amount in 3 bytes, then [`PAD`] zero bytes (none while empty).
    bytes: Vec<u8>,
    /// The rows whose 3 bytes are [`LARGE`].
    large: ByRow<Fen>,
}

/// The 3 bytes of a row held in [`Amounts::large`]: -2^23, the one 3-byte
/// value whose negation does not fit.
const LARGE: i32 = -(1 << 23);

impl Amounts {
    /// Append one amount.
    pub fn push(&mut self, fen: Fen) {
        let small = match i32::try_from(fen) {
            Ok(small) if small > LARGE && small < 1 << 23 => small,
            _ => {
                self.large.push(self.len(), fen);
                LARGE
            }
        };
        push_word(&mut self.bytes, small as u32 & 0xFF_FFFF, 3);
    }

    /// Amount `i`, if there is one: one word read and sign-extended from
    /// its low 3 bytes, in every hot loop over the orders.
    #[inline]
    pub fn get(&self, i: usize) -> Option<Fen> {
        match (word_at(&self.bytes, i * 3)? << 8) as i32 >> 8 {
            LARGE => self.large_at(i),
            small => Some(Fen::from(small)),
        }
    }

    /// The amount of a row held in [`Amounts::large`].
    #[cold]
    #[inline(never)]
    fn large_at(&self, i: usize) -> Option<Fen> {
        self.large.get(i)
    }

    /// Amount `i` (0 when out of range).
    #[inline]
    pub fn at(&self, i: usize) -> Fen {
        self.get(i).unwrap_or(0)
    }

    /// Make room for `rows` more amounts, if the memory is there.
    pub fn reserve(&mut self, rows: usize) {
        let _ = self.bytes.try_reserve_exact(rows * 3 + PAD);
    }

    /// Give back the room reserved beyond the amounts held.
    pub fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
        self.large.shrink_to_fit();
    }

    /// Number of amounts.
    pub fn len(&self) -> usize {
        self.bytes.len().saturating_sub(PAD) / 3
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Every amount, in order.
    pub fn iter(&self) -> impl Iterator<Item = Fen> + '_ {
        (0..self.len()).map(|i| self.at(i))
    }
}

/// When each order was paid, 4 bytes a row: the day as days since
/// 1900-01-01 over 21 bits, which reach the year 7641, and the minute of the
/// day below them (`day << 11 | minute`: a shift and a mask to read, and
/// times compare as the numbers do); the rare time outside those years
/// exactly, by row (as [`Amounts`] holds large amounts). Read with
/// [`Times::get`], [`Times::day`] and [`Times::minute`].
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Times {
    packed: Vec<u32>,
    /// The day and minute of the rows whose `packed` is [`FAR`].
    far: ByRow<(Day, u16)>,
}

/// The `packed` of a row held in [`Times::far`] (no minute of the day is 2047).
const FAR: u32 = u32::MAX;

impl Times {
    /// The day number of 1900-01-01, day 0 of `packed`.
    const EPOCH: Day = 693_596;

    /// Append the day and minute of the day (0–1439) of one order.
    pub fn push(&mut self, day: Day, minute: u16) {
        match u32::try_from(day - Times::EPOCH) {
            Ok(d) if d < 1 << 21 && minute < 1440 => self.packed.push(d << 11 | u32::from(minute)),
            _ => {
                self.far.push(self.packed.len(), (day, minute));
                self.packed.push(FAR);
            }
        }
    }

    /// Day and minute of order `i`, if there is one.
    #[inline]
    pub fn get(&self, i: usize) -> Option<(Day, u16)> {
        match *self.packed.get(i)? {
            FAR => self.far_at(i),
            x => Some((Times::EPOCH + (x >> 11) as Day, (x & 0x7FF) as u16)),
        }
    }

    /// The time of a row held in [`Times::far`].
    #[cold]
    #[inline(never)]
    fn far_at(&self, i: usize) -> Option<(Day, u16)> {
        self.far.get(i)
    }

    /// Day of order `i` (0 when out of range).
    #[inline]
    pub fn day(&self, i: usize) -> Day {
        self.get(i).map_or(0, |(day, _)| day)
    }

    /// Minute of the day of order `i` (0 when out of range).
    #[inline]
    pub fn minute(&self, i: usize) -> u16 {
        self.get(i).map_or(0, |(_, minute)| minute)
    }

    /// Make room for `rows` more times, if the memory is there.
    pub fn reserve(&mut self, rows: usize) {
        let _ = self.packed.try_reserve_exact(rows);
    }

    /// Give back the room reserved beyond the times held.
    pub fn shrink_to_fit(&mut self) {
        self.packed.shrink_to_fit();
        self.far.shrink_to_fit();
    }

    /// Rows reserved for.
    pub fn capacity(&self) -> usize {
        self.packed.capacity()
    }

    /// Number of times.
    pub fn len(&self) -> usize {
        self.packed.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.packed.is_empty()
    }

    /// Every day, in order.
    pub fn days(&self) -> impl Iterator<Item = Day> + '_ {
        (0..self.len()).map(|i| self.day(i))
    }
}

/// A column of indices, each in as few bytes as the largest so far needs:
/// one while every index is below 256, then two, three (below 2^24: a
/// member column starts there, [`Indices::wide`]), then four. Read with
/// [`Indices::at`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indices {
    /// Each index in `width` bytes, little-endian, then [`PAD`] zero bytes
    /// (none while empty).
    bytes: Vec<u8>,
    width: usize,
    /// The low `width` bytes of a word.
    mask: u32,
}

impl Default for Indices {
    fn default() -> Indices {
        Indices::of_width(1)
    }
}

impl Indices {
    /// An empty column of 3-byte indices, for one that will hold many
    /// (member indices): it never copies itself to widen on the way there.
    pub fn wide() -> Indices {
        Indices::of_width(3)
    }

    fn of_width(width: usize) -> Indices {
        Indices { bytes: Vec::new(), width, mask: u32::MAX >> (32 - 8 * width) }
    }

    /// Append one index, widening the column when it needs more bytes.
    pub fn push(&mut self, index: u32) {
        self.widen(index);
        push_word(&mut self.bytes, index, self.width);
    }

    /// Set index `i` (nothing when out of range), widening the column when
    /// `index` needs more bytes.
    pub fn set(&mut self, i: usize, index: u32) {
        self.widen(index);
        let at = i * self.width;
        if let Some(b) = self.bytes.get_mut(at..at + 4) {
            // Its word, the bytes past the width kept.
            let word = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) & !self.mask | index;
            b.copy_from_slice(&word.to_le_bytes());
        }
    }

    /// Make the column wide enough for `index`.
    #[inline]
    fn widen(&mut self, index: u32) {
        let width = 4 - index.leading_zeros() as usize / 8;
        if width > self.width {
            self.widen_to(width);
        }
    }

    /// Copy the column into `width` bytes an index.
    #[cold]
    fn widen_to(&mut self, width: usize) {
        let mut wide = Indices::of_width(width);
        let _ = wide.bytes.try_reserve_exact(self.bytes.capacity() / self.width * width);
        self.iter().for_each(|i| wide.push(i));
        *self = wide;
    }

    /// Index `i` (0 when out of range): one word read and masked, in every
    /// hot loop over the orders.
    #[inline]
    pub fn at(&self, i: usize) -> u32 {
        word_at(&self.bytes, i * self.width).map_or(0, |word| word & self.mask)
    }

    /// Rows reserved for.
    pub fn capacity(&self) -> usize {
        self.bytes.capacity().saturating_sub(PAD) / self.width
    }

    /// Make room for `rows` more indices, if the memory is there.
    pub fn reserve(&mut self, rows: usize) {
        let _ = self.bytes.try_reserve_exact(rows * self.width + PAD);
    }

    /// Give back the room reserved beyond the indices held.
    pub fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
    }

    /// Number of indices.
    pub fn len(&self) -> usize {
        // A division by a constant is a multiplication; by the width, a
        // division (the member column's length is taken at every row).
        let n = self.bytes.len().saturating_sub(PAD);
        match self.width {
            1 => n,
            2 => n / 2,
            3 => n / 3,
            _ => n / 4,
        }
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Every index, in order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.len()).map(|i| self.at(i))
    }
}

/// A column of short texts that repeat row after row (store, channel,
/// category, coupon…): each row's index into `names`; index 0 is "", the
/// row gave no value.
#[derive(Debug, Clone, PartialEq)]
pub struct Labels {
    /// Each row's label (index into `names`).
    pub of: Vec<u32>,
    /// The labels; index 0 is "".
    pub names: Interner,
}

impl Default for Labels {
    fn default() -> Labels {
        let mut names = Interner::default();
        names.intern("");
        Labels { of: Vec::new(), names }
    }
}

impl Labels {
    /// Append a row's label ("" for none).
    pub fn push(&mut self, label: &str) {
        self.of.push(self.names.intern_repeated(label));
    }

    /// Row `row`'s label ("" for none or out of range).
    pub fn get(&self, row: usize) -> &str {
        self.of.get(row).map_or("", |&i| self.names.name(i))
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.of.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.of.is_empty()
    }
}

/// A column whose cells each hold a list of labels (benefit cards, manual
/// tags), stored flat: row `r`'s labels are `items[starts[r]..starts[r + 1]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelLists {
    /// Where each row's labels start in `items`, plus the end: rows + 1 entries.
    pub starts: Vec<u32>,
    /// Every row's labels (indices into `names`), row after row.
    pub items: Vec<u32>,
    /// The labels, in first-seen order.
    pub names: Interner,
}

impl Default for LabelLists {
    fn default() -> LabelLists {
        LabelLists { starts: vec![0], items: Vec::new(), names: Interner::default() }
    }
}

impl LabelLists {
    /// Append a row holding `labels` (repeats within the row are kept once).
    pub fn push<'a>(&mut self, labels: impl IntoIterator<Item = &'a str>) {
        let start = *self.starts.last().unwrap_or(&0) as usize;
        for label in labels {
            let i = self.names.intern(label);
            if !self.items[start..].contains(&i) {
                self.items.push(i);
            }
        }
        self.starts.push(self.items.len() as u32);
    }

    /// Row `row`'s labels as indices into `names` (empty when out of range).
    pub fn row(&self, row: usize) -> &[u32] {
        match (self.starts.get(row), self.starts.get(row + 1)) {
            (Some(&a), Some(&b)) => &self.items[a as usize..b as usize],
            _ => &[],
        }
    }

    /// Row `row`'s labels as text.
    pub fn names_of(&self, row: usize) -> impl Iterator<Item = &str> {
        self.row(row).iter().map(|&i| self.names.name(i))
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Gender (性别) as the members file gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Gender {
    /// Not given, or given as unknown / secret (未知, 保密).
    #[default]
    Unknown,
    /// 男.
    Male,
    /// 女.
    Female,
}

impl Gender {
    /// Stable key: `unknown`, `male`, `female`.
    pub fn key(self) -> &'static str {
        match self {
            Gender::Unknown => "unknown",
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }
}

/// Member type (会员类型): a person or a company (DOMAIN §10 offers
/// enterprise cards to the latter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MemberType {
    /// 个人: the default when the cell is empty.
    #[default]
    Personal,
    /// 企业.
    Enterprise,
}

impl MemberType {
    /// Stable key: `personal`, `enterprise`.
    pub fn key(self) -> &'static str {
        match self {
            MemberType::Personal => "personal",
            MemberType::Enterprise => "enterprise",
        }
    }
}

/// A birthday (生日): month and day always, the year when the export gives
/// it (some systems hide it and write `03-05` or `3月5日`). Month and day
/// are what "birthday this month" and birthday gifts need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Birthday {
    /// Year of birth, when given.
    pub year: Option<i32>,
    /// Month, 1–12.
    pub month: u32,
    /// Day of the month, 1–31 (29 February is possible).
    pub day: u32,
}

impl Birthday {
    /// The date of birth, when the year is known.
    pub fn date(self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year?, self.month, self.day)
    }

    /// The birthday in `year` (29 February falls on 28 February in a common
    /// year).
    pub fn in_year(self, year: i32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(year, self.month, self.day).or_else(|| NaiveDate::from_ymd_opt(year, self.month, 28))
    }
}

/// What a member did, in an events file (DOMAIN §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventType {
    /// Visited the shop or store (访问, 浏览).
    Visit,
    /// Added to the cart (加购).
    AddToCart,
    /// Signed in for the day (签到).
    SignIn,
    /// Shared (分享).
    Share,
    /// Wrote a review (评价).
    Review,
    /// Referred someone (推荐, 邀请).
    Referral,
    /// Received a coupon (领券, 发券).
    CouponIssued,
    /// Used a coupon (用券, 核销).
    CouponUsed,
    /// Was sent a message (消息发送, 推送).
    MessageSent,
    /// Clicked a message (消息点击).
    MessageClicked,
    /// Took part in an activity (参加活动); its kind is in [`Events::activity`].
    Activity,
    /// Joined a community group (入群).
    GroupJoin,
    /// Spent points on an exchange or a draw (积分兑换: a coupon, a gift, a
    /// lottery ticket); the amount is in [`Events::points`], the kind of
    /// exchange in [`Events::activity`].
    PointsRedeemed,
}

impl EventType {
    /// Every type, in the order of DOMAIN §1.
    pub const ALL: [EventType; 13] = [
        EventType::Visit,
        EventType::AddToCart,
        EventType::SignIn,
        EventType::Share,
        EventType::Review,
        EventType::Referral,
        EventType::CouponIssued,
        EventType::CouponUsed,
        EventType::MessageSent,
        EventType::MessageClicked,
        EventType::Activity,
        EventType::GroupJoin,
        EventType::PointsRedeemed,
    ];

    /// Stable key, e.g. `add_to_cart`.
    pub fn key(self) -> &'static str {
        match self {
            EventType::Visit => "visit",
            EventType::AddToCart => "add_to_cart",
            EventType::SignIn => "sign_in",
            EventType::Share => "share",
            EventType::Review => "review",
            EventType::Referral => "referral",
            EventType::CouponIssued => "coupon_issued",
            EventType::CouponUsed => "coupon_used",
            EventType::MessageSent => "message_sent",
            EventType::MessageClicked => "message_clicked",
            EventType::Activity => "activity",
            EventType::GroupJoin => "group_join",
            EventType::PointsRedeemed => "points_redeemed",
        }
    }
}

/// What an order row means for the analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderKind {
    /// A paid order: counts in F and adds its net amount to M.
    Purchase,
    /// A refunded (in full) or closed order: kept for the record, not a purchase.
    NotPurchase,
    /// A negative-amount row (a refund booked as its own line): reduces M, not F.
    Adjustment,
}

/// The distinct (store, channel) pairs of an orders file, in first-seen
/// order (pair 0 is no store and no channel), and a table to find one as
/// the file loads: linear probing over a power-of-two table at most half
/// full, each slot a pair's index + 1 (0 when empty).
#[derive(Debug, Default, Clone, PartialEq)]
struct Pairs {
    list: Vec<(u32, u32)>,
    slots: Vec<u32>,
}

impl Pairs {
    /// The index of `pair`, adding it if new.
    fn index(&mut self, pair: (u32, u32)) -> u32 {
        if 2 * (self.list.len() + 1) > self.slots.len() {
            self.slots = vec![0; (self.slots.len() * 2).max(16)];
            for (i, &p) in self.list.iter().enumerate() {
                let slot = self.slot(p);
                self.slots[slot] = i as u32 + 1;
            }
        }
        let slot = self.slot(pair);
        if self.slots[slot] == 0 {
            self.list.push(pair);
            self.slots[slot] = self.list.len() as u32;
        }
        self.slots[slot] - 1
    }

    /// The slot of `pair`, or the empty slot where it goes (the table has one).
    fn slot(&self, pair: (u32, u32)) -> usize {
        let mask = self.slots.len() - 1;
        let mut slot = mix(u64::from(pair.0) << 32 | u64::from(pair.1)) as usize & mask;
        while self.slots[slot] != 0 && self.list.get(self.slots[slot] as usize - 1) != Some(&pair) {
            slot = (slot + 1) & mask;
        }
        slot
    }

    /// Pair `i` (no store and no channel when out of range).
    fn get(&self, i: u32) -> (u32, u32) {
        self.list.get(i as usize).copied().unwrap_or((0, 0))
    }
}

/// Orders, one entry per used row, column by column.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Orders {
    /// Member ids of this file (shared with an analysis whose members are
    /// exactly these).
    pub ids: Arc<Interner>,
    /// Member of each order (index into `ids`): [`Orders::member`].
    pub member: Indices,
    /// Date and minute of the day paid (0–1439; 0 when the file gives only
    /// a date): [`Orders::day`], [`Orders::minute`].
    pub paid: Times,
    /// Net amount in fen: paid minus refunded (negative for adjustments).
    pub net: Amounts,
    /// What each order counts as.
    pub kind: Vec<OrderKind>,
    /// The store and channel of each order, as one index into `pairs`:
    /// one byte a row while a file has at most 256 pairs (the demo store
    /// has 13). Read with [`Orders::store`] and [`Orders::channel`].
    pair: Indices,
    pairs: Pairs,
    /// Store names; index 0 is "".
    pub stores: Interner,
    /// Channel names; index 0 is "".
    pub channels: Interner,
    /// Order id of each order as written ("" when the file has none), for
    /// joining order lines ([`OrderLines::order_rows`]). Ids are unique
    /// within a file (repeats are rejected), so they are not interned: held
    /// as numbers, or runs of them, while they allow ([`OrderIds`]).
    pub order_id: OrderIds,
    /// The orders with money refunded, ascending by row: (row, fen
    /// refunded). A partial refund (a purchase) gives its refund amount; an
    /// order refunded in full (not a purchase) its whole amount; closed
    /// orders were never paid and are not listed. Sparse, as refunds are
    /// rare; the points ledger claws back what they earned.
    pub refunds: Vec<(u32, Fen)>,
    /// Points used to pay part of an order (积分抵扣), ascending by row:
    /// (row, points); only rows with points used are listed.
    pub points_used: Vec<(u32, i64)>,
}

impl Orders {
    /// Member of order `i` (index into [`Orders::ids`]).
    #[inline]
    pub fn member(&self, i: usize) -> u32 {
        self.member.at(i)
    }

    /// Store of order `i` (index into [`Orders::stores`]; 0 = none given).
    pub fn store(&self, i: usize) -> u32 {
        self.pairs.get(self.pair.at(i)).0
    }

    /// Channel of order `i` (index into [`Orders::channels`]; 0 = none given).
    pub fn channel(&self, i: usize) -> u32 {
        self.pairs.get(self.pair.at(i)).1
    }

    /// Append the store and channel ("" for none) of an order.
    pub fn push_store_channel(&mut self, store: &str, channel: &str) {
        let pair = self.pairs.index((self.stores.intern_repeated(store), self.channels.intern_repeated(channel)));
        self.pair.push(pair);
    }

    /// Whether order `i` had money refunded, in full or in part (it is in [`Orders::refunds`]).
    pub fn refunded(&self, i: usize) -> bool {
        self.refunds.binary_search_by_key(&i, |&(row, _)| row as usize).is_ok()
    }

    /// Date order `i` was paid.
    #[inline]
    pub fn day(&self, i: usize) -> Day {
        self.paid.day(i)
    }

    /// Minute of the day order `i` was paid.
    #[inline]
    pub fn minute(&self, i: usize) -> u16 {
        self.paid.minute(i)
    }

    /// An empty table.
    pub fn new() -> Orders {
        let mut orders = Orders { member: Indices::wide(), ..Orders::default() };
        orders.stores.intern("");
        orders.channels.intern("");
        orders.pairs.index((0, 0));
        orders
    }

    /// Make room for `rows` more orders in each per-row column, if the
    /// memory is there (a failed reservation is only a missed hint).
    pub fn reserve(&mut self, rows: usize) {
        self.member.reserve(rows);
        self.paid.reserve(rows);
        self.net.reserve(rows);
        let _ = self.kind.try_reserve_exact(rows);
        self.pair.reserve(rows);
        self.order_id.reserve(rows);
    }

    /// Give back the room reserved beyond the orders held.
    pub fn shrink_to_fit(&mut self) {
        self.member.shrink_to_fit();
        self.paid.shrink_to_fit();
        self.net.shrink_to_fit();
        self.kind.shrink_to_fit();
        self.pair.shrink_to_fit();
        self.order_id.shrink_to_fit();
    }

    /// Number of orders.
    pub fn len(&self) -> usize {
        self.paid.len()
    }

    /// True when there are no orders.
    pub fn is_empty(&self) -> bool {
        self.paid.is_empty()
    }
}

/// Registered members, one entry per used row.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Members {
    /// Member ids (row order).
    pub ids: Interner,
    /// Phone as written (masked on the way out).
    pub phone: Vec<Box<str>>,
    /// Name or nickname.
    pub name: Vec<Box<str>>,
    /// Registration date, when given.
    pub registered: Vec<Option<Day>>,
    /// Level as written by the store's system.
    pub level: Vec<Box<str>>,
    /// Points balance, when given.
    pub points: Vec<Option<i64>>,
    // The columns below are `None` when the file has no such column, and
    // one entry per member otherwise.
    /// Gender (性别).
    pub gender: Option<Vec<Gender>>,
    /// Birthday (生日).
    pub birthday: Option<Vec<Option<Birthday>>>,
    /// Home store (所属门店).
    pub store: Option<Labels>,
    /// Source channel (来源渠道).
    pub source_channel: Option<Labels>,
    /// Follows the official account (是否关注公众号, a WeChat fan); `None` = empty cell.
    pub wechat_fan: Option<Vec<Option<bool>>>,
    /// When the member followed the official account (关注时间).
    pub followed_at: Option<Vec<Option<Day>>>,
    /// The referring member's id as written (推荐人); "" = none. Not
    /// checked against the members: the referrer may be in no file.
    pub referrer: Option<Labels>,
    /// Benefit cards held (权益卡): a list per member.
    pub benefit_cards: Option<LabelLists>,
    /// Manual tags imported from the store's system (会员标签).
    pub manual_tags: Option<LabelLists>,
    /// Personal or enterprise (会员类型).
    pub member_type: Option<Vec<MemberType>>,
}

/// Order lines (订单明细), one entry per used row. A line names its order
/// by id; lines whose order is not in the orders file are kept (files load
/// in any order), and [`OrderLines::order_rows`] joins them at analysis.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct OrderLines {
    /// Order of each line (index into `orders`).
    pub order: Vec<u32>,
    /// Order ids as written, in first-seen order.
    pub orders: Interner,
    /// Quantity (negative for a returned line, never 0).
    pub qty: Vec<i64>,
    /// Unit price in fen: as given, or, when the file gives only the line
    /// amount, the amount ÷ quantity to the nearest fen.
    pub unit_price: Vec<Fen>,
    /// Line amount in fen: as given, or unit price × quantity.
    pub amount: Vec<Fen>,
    /// SKU (商品编码), when the file has the column.
    pub sku: Option<Labels>,
    /// Product name (商品名称).
    pub name: Option<Labels>,
    /// Category (商品分类).
    pub category: Option<Labels>,
    /// Special-price item (特价); an empty cell is `false`.
    pub special_price: Option<Vec<bool>>,
    /// Gift-wrapped (礼品包装); an empty cell is `false`.
    pub gift_wrap: Option<Vec<bool>>,
}

impl OrderLines {
    /// Number of lines.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// True when there are no lines.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The join with the orders: for each order id of the lines (index into
    /// `orders`, the interner), the row of that order in `orders`, or
    /// `None` when the orders file has no used row with that id. One hash
    /// lookup per order; line `l` belongs to `order_rows[order[l]]`.
    pub fn order_rows(&self, orders: &Orders) -> Vec<Option<u32>> {
        let mut rows = vec![None; self.orders.len()];
        let mut text = String::new();
        for (i, id) in orders.order_id.iter().enumerate().filter(|(_, id)| !id.is_empty()) {
            text.clear();
            let _ = write!(text, "{id}");
            if let Some(k) = self.orders.get(&text) {
                rows[k as usize] = Some(i as u32);
            }
        }
        rows
    }
}

/// Events (行为), one entry per used row, in file order.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Events {
    /// Member ids of this file.
    pub ids: Interner,
    /// Member of each event (index into `ids`): [`Events::member`].
    pub member: Indices,
    /// Date of the event.
    pub day: Vec<Day>,
    /// Minute of the day (0–1439; 0 when the file gives only a date).
    pub minute: Vec<u16>,
    /// What happened.
    pub kind: Vec<EventType>,
    /// Activity kind (活动类型, e.g. 课程, 比赛, 问答), when the file has the column.
    pub activity: Option<Labels>,
    /// Channel (渠道: 短信, 小程序, 公众号, 社群…).
    pub channel: Option<Labels>,
    /// Coupon id (优惠券), for coupon events.
    pub coupon: Option<Labels>,
    /// Points (积分) of the event, when the file has the column: what a
    /// [`EventType::PointsRedeemed`] event spent; 0 for an empty cell.
    pub points: Option<Vec<i64>>,
}

impl Events {
    /// An empty table.
    pub fn new() -> Events {
        Events { member: Indices::wide(), ..Events::default() }
    }

    /// Member of event `i` (index into [`Events::ids`]).
    #[inline]
    pub fn member(&self, i: usize) -> u32 {
        self.member.at(i)
    }

    /// Make room for `rows` more events in each per-row column, if the
    /// memory is there (a failed reservation is only a missed hint).
    pub fn reserve(&mut self, rows: usize) {
        self.member.reserve(rows);
        let _ = self.day.try_reserve_exact(rows);
        let _ = self.minute.try_reserve_exact(rows);
        let _ = self.kind.try_reserve_exact(rows);
    }

    /// Give back the room reserved beyond the events held.
    pub fn shrink_to_fit(&mut self) {
        self.member.shrink_to_fit();
        self.day.shrink_to_fit();
        self.minute.shrink_to_fit();
        self.kind.shrink_to_fit();
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.day.len()
    }

    /// True when there are no events.
    pub fn is_empty(&self) -> bool {
        self.day.is_empty()
    }
}

/// Everything loaded into a workspace. Each file is read on its own and in
/// any order; tables refer to each other by id (member id, order id), and
/// the joins happen at analysis, never at load.
#[derive(Debug, Default, Clone)]
pub struct Dataset {
    /// The orders file, if loaded.
    pub orders: Option<Orders>,
    /// The members file, if loaded.
    pub members: Option<Members>,
    /// The order lines file, if loaded.
    pub order_lines: Option<OrderLines>,
    /// The events file, if loaded.
    pub events: Option<Events>,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn decimals_are_written_as_display_writes_them() {
        for x in [
            0.0,
            -0.0,
            1.0,
            -1.5,
            0.1,
            0.3 * 3.0,
            1.0 / 3.0,
            100.0,
            1e15,
            1e16,
            1.5e16,
            1e21,
            1e300,
            f64::MAX,
            1e-5,
            1e-7,
            1.25e-7,
            5e-324,
            f64::MIN_POSITIVE,
            123_456.789,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            assert_eq!(format_decimal(x), format!("{x}"), "{x:e}");
        }
        // Exactly halfway between …565.2 and …565.3: zmij takes the even digit.
        let tie = f64::from_bits(14_057_137_255_009_509_781);
        assert_eq!(
            (format_decimal(tie), format!("{tie}")),
            ("-1476604403390565.2".into(), "-1476604403390565.3".into())
        );
    }

    proptest::proptest! {
        #[test]
        fn any_decimal_is_written_as_display_writes_it(bits: u64) {
            let x = f64::from_bits(bits);
            let (ours, display) = (format_decimal(x), format!("{x}"));
            if ours != display {
                // A tie between two shortest candidates: the same digits but
                // the last, one apart, and both read back as `x`.
                let last = |s: &str| s.bytes().last().map_or(0, i32::from);
                proptest::prop_assert_eq!(&ours[..ours.len() - 1], &display[..display.len() - 1]);
                proptest::prop_assert_eq!((last(&ours) - last(&display)).abs(), 1);
                proptest::prop_assert_eq!(ours.parse::<f64>().ok(), Some(x));
                proptest::prop_assert_eq!(display.parse::<f64>().ok(), Some(x));
            }
        }
    }

    #[test]
    fn yuan_formatting_is_exact() {
        assert_eq!(format_yuan(0), "0.00");
        assert_eq!(format_yuan(5), "0.05");
        assert_eq!(format_yuan(123_450), "1234.50");
        assert_eq!(format_yuan(-1205), "-12.05");
        assert_eq!(format_yuan(i64::MIN), "-92233720368547758.08");
    }

    #[test]
    fn digits_are_those_of_the_formatter() {
        let mut next = xorshift(99);
        let mut numbers = vec![0, 1, 9, 10, 99, 100, 9999, 10_000, u64::MAX, u64::MAX / 10];
        numbers.extend((0..2000).map(|k| next() >> (k % 64)));
        for n in numbers {
            for width in [0, 1, 2, 4, 19, 20] {
                let mut out = String::from("x");
                push_digits(&mut out, n, width);
                assert_eq!(out, format!("x{n:0width$}"));
            }
            let fen = n as i64;
            assert_eq!(
                format_yuan(fen),
                format!(
                    "{}{}.{:02}",
                    if fen < 0 { "-" } else { "" },
                    fen.unsigned_abs() / 100,
                    fen.unsigned_abs() % 100
                )
            );
        }
    }

    #[test]
    fn days_round_trip() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        assert_eq!(date_of(day_of(d)), d);
        assert_eq!(format_day(day_of(d)), "2026-03-05");
        assert_eq!(day_of(d) - day_of(NaiveDate::from_ymd_opt(2026, 3, 4).unwrap()), 1);
    }

    /// A fixed stream of pseudo-random numbers (xorshift64) for the tests.
    pub(crate) fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
        move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        }
    }

    /// The ids of `column`, as text.
    fn texts(column: &OrderIds) -> Vec<String> {
        column.iter().map(|id| id.to_string()).collect()
    }

    #[test]
    fn order_ids_come_back_as_written() {
        let numbered = |ids: &[&str]| {
            let mut column = OrderIds::default();
            ids.iter().for_each(|id| column.push(id));
            assert_eq!(texts(&column), ids, "{ids:?}");
            assert_eq!((column.len(), column.get(ids.len()).is_empty()), (ids.len(), true));
            matches!(column.0, Ids::Numbered { .. })
        };
        // Held as numbers: one prefix, and the numbers written one way.
        assert!(numbered(&["D00000001", "", "D00000002", "D09999999", "D00000001"]));
        assert!(numbered(&["", "", "7", "12", "0", "999999999"]) && numbered(&["D1", "D0"]));
        assert!(numbered(&["订单12", "订单1", "订单", "订单5"][..2]));
        assert!(numbered(&["E2026110100000042", "E2026110100000007", "E2026110199999999"]));
        assert!(numbered(&["", ""]) && numbered(&[]));
        // Anything else switches to text, and keeps every id as written.
        for ids in [
            &["D00000001", "D1"][..],
            &["D1", "D01"],
            &["D1", "D00"],
            &["D1", "d2"],
            &["D1", "D1000000000"],
            &["A", "B"],
            &["E2026110100000042", "E2026120100000001"],
            &["1", "", "x", "", "2"],
            &["12", "012"],
            &["D5", "D 6", "D-7", "D+8"],
        ] {
            assert!(!numbered(ids), "{ids:?}");
        }
        // Random ids over a few shapes, against the plain list.
        let mut next = xorshift(0x2545_F491_4F6C_DD1D);
        for _ in 0..300 {
            let ids: Vec<String> = (0..(next() % 12))
                .map(|_| match next() % 6 {
                    0 => String::new(),
                    1 => format!("D{:08}", next() % 100),
                    2 => format!("D{}", next() % 2000),
                    3 => format!("{}", next() % 10_000_000_000_000),
                    4 => format!("D0{}", next() % 10),
                    _ => format!("订{}", next() % 3),
                })
                .collect();
            let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
            numbered(&refs);
        }
    }

    #[test]
    fn order_numbers_are_held_as_runs_while_they_count_up() {
        // (ids as written, held as runs at the end).
        let column = |ids: &[String]| {
            let mut column = OrderIds::default();
            column.reserve(ids.len());
            ids.iter().for_each(|id| column.push(id));
            column.shrink_to_fit();
            let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
            assert_eq!(texts(&column), refs);
            assert!(column.get(ids.len()).is_empty());
            match &column.0 {
                Ids::Numbered { numbers: Numbers::Runs { runs, .. }, .. } => Some(runs.len()),
                _ => None,
            }
        };
        let counting: Vec<String> = (1..=100_000).map(|n| format!("D{n:08}")).collect();
        assert_eq!(column(&counting), Some(1));
        // Gaps, repeats, steps back, empty ids (one run however many in a
        // row), the largest numbers: a run each.
        let mut gaps = counting.clone();
        gaps.drain(500..510);
        gaps[900] = gaps[899].clone();
        gaps[2000] = "D00000007".into();
        gaps.splice(3000..3000, ["", "", ""].map(String::from));
        gaps.extend(["D99999998", "D99999999", "", "D00000000"].map(String::from));
        assert_eq!(column(&gaps), Some(11));
        let plain: Vec<String> = (0..1000).map(|n| (999_999_000 + n).to_string()).collect();
        assert_eq!(column(&plain), Some(1));
        // Numbers in no order: every row's number, from the 64th run on.
        let mut next = xorshift(0x5851_F42D_4C95_7F2D);
        let random: Vec<String> = (0..5000).map(|_| format!("E{}", 100_000_000 + next() % 900_000_000)).collect();
        assert_eq!((column(&random[..60]), column(&random)), (Some(60), None));
        // Runs of random lengths and starts, some ids empty, against the plain list.
        for _ in 0..200 {
            let mut ids = Vec::new();
            while ids.len() < 400 {
                let (start, len) = (next() % 1000, next() % 40);
                let empty = next() % 5 == 0;
                ids.extend((0..len).map(|k| if empty { String::new() } else { format!("D{:04}", start + k) }));
            }
            column(&ids);
        }
    }

    #[test]
    fn amounts_hold_every_value_in_three_bytes() {
        // The 3-byte form against the plain values: the boundaries, the
        // sentinel itself, the extremes, then random amounts with a few large.
        let edge = (1 << 23) - 1;
        let mut values = vec![0, 1, -1, edge, -edge, edge + 1, -edge - 1, i64::from(LARGE), -7];
        values.extend([i32::MAX, i32::MIN, i32::MIN + 1].map(i64::from).into_iter().chain([
            1 << 40,
            i64::MAX,
            i64::MIN,
        ]));
        let mut next = xorshift(0x6A09_E667_F3BC_C908);
        values.extend((0..5000).map(|k| match k % 500 {
            0 => next() as i64,
            _ => (next() % (1 << 24)) as i64 - (1 << 23),
        }));
        let large = values.iter().filter(|&&fen| fen.unsigned_abs() >= 1 << 23).count();
        let mut amounts = Amounts::default();
        assert!(amounts.is_empty() && amounts.get(0).is_none());
        amounts.reserve(100);
        values.iter().for_each(|&fen| amounts.push(fen));
        assert_eq!(amounts.iter().collect::<Vec<_>>(), values);
        assert_eq!(
            (amounts.len(), amounts.bytes.len(), amounts.large.len()),
            (values.len(), 3 * values.len() + 3, large)
        );
        assert_eq!((amounts.get(values.len()), amounts.at(values.len()), amounts.at(usize::MAX / 4)), (None, 0, 0));
        // Room reserved and given back leaves the values as they were.
        amounts.reserve(1000);
        assert!(amounts.bytes.capacity() >= 3 * (values.len() + 1000));
        amounts.shrink_to_fit();
        assert_eq!((amounts.bytes.capacity(), amounts.iter().collect::<Vec<_>>()), (3 * values.len() + 3, values));
    }

    #[test]
    fn indices_hold_every_value() {
        let indices = [0, 255, 3, 256, 65_535, 65_536, 0xFF_FFFF, 1 << 24, u32::MAX, 1];
        let widths = [1, 1, 1, 2, 2, 3, 3, 4, 4, 4];
        let mut column = Indices::default();
        for (k, &i) in indices.iter().enumerate() {
            column.push(i);
            assert_eq!(column.iter().collect::<Vec<_>>(), indices[..=k]);
            assert_eq!((column.width, column.at(k + 1)), (widths[k], 0));
        }
        // Set in place, widening when the index needs it.
        let mut wide = Indices::wide();
        (0..5).for_each(|i| wide.push(i));
        wide.set(1, 0xFF_FFFF);
        wide.set(5, 1);
        assert_eq!((wide.width, wide.iter().collect::<Vec<_>>()), (3, vec![0, 0xFF_FFFF, 2, 3, 4]));
        wide.set(2, 1 << 24);
        assert_eq!((wide.width, wide.iter().collect::<Vec<_>>()), (4, vec![0, 0xFF_FFFF, 1 << 24, 3, 4]));
        let mut small = Indices::default();
        (0..300).for_each(|i| small.push(i % 256));
        assert!(small.width == 1 && small.at(257) == 1 && small.bytes.len() == 303 && small.len() == 300);
    }

    #[test]
    fn times_hold_every_day_and_minute() {
        let day = |y, m, d| day_of(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        assert_eq!(Times::EPOCH, day(1900, 1, 1));
        let last = Times::EPOCH + (1 << 21) - 1;
        let times = [
            (day(2026, 11, 1), 0),
            (day(2026, 11, 1), 1439),
            (day(1900, 1, 1), 0),
            (day(1899, 12, 31), 1439),
            (day(1, 1, 1), 5),
            (last, 1439),
            (last + 1, 0),
            (day(9999, 12, 31), 1439),
            (day(2025, 5, 1), 1440),
            (day(2025, 5, 1), 20),
        ];
        let mut column = Times::default();
        times.iter().for_each(|&(d, m)| column.push(d, m));
        assert_eq!((0..times.len()).map(|i| column.get(i).unwrap()).collect::<Vec<_>>(), times);
        assert_eq!(column.days().collect::<Vec<_>>(), times.map(|t| t.0));
        assert_eq!((column.minute(1), column.day(9), column.get(10), column.day(10)), (1439, day(2025, 5, 1), None, 0));
        assert_eq!(column.far.len(), 5);
        assert_eq!(date_of(last), NaiveDate::from_ymd_opt(7641, 10, 21).unwrap());
    }

    #[test]
    fn labels_and_lists() {
        let mut l = Labels::default();
        for s in ["a", "a", "", "b"] {
            l.push(s);
        }
        assert_eq!((l.of.clone(), l.get(3), l.get(9), l.names.len()), (vec![1, 1, 0, 2], "b", "", 3));
        let mut lists = LabelLists::default();
        lists.push(["x", "y", "x"]);
        lists.push([]);
        lists.push(["y"]);
        assert_eq!(lists.len(), 3);
        assert_eq!(lists.names_of(0).collect::<Vec<_>>(), ["x", "y"]);
        assert!(lists.row(1).is_empty() && lists.row(7).is_empty());
        assert_eq!(lists.row(2), [1]);
    }

    #[test]
    fn store_and_channel_come_back_as_pushed() {
        // (store, channel) in no order, over few pairs and then many: each
        // row's as given, against the plain columns.
        let (mut orders, mut plain) = (Orders::new(), Vec::new());
        let mut next = xorshift(0xDEAD_BEEF);
        for row in 0..20_000 {
            let spread = if row < 10_000 { 4 } else { 40 };
            let (store, channel) = (format!("店{}", next() % spread), format!("{}", next() % spread));
            let (store, channel) = if next() % 9 == 0 { (String::new(), String::new()) } else { (store, channel) };
            orders.push_store_channel(&store, &channel);
            plain.push((store, channel));
            if row == 9_999 {
                assert_eq!(orders.pair.width, 1);
            }
        }
        assert!(orders.pairs.list.len() > 256 && orders.pair.width == 2);
        for (i, (store, channel)) in plain.iter().enumerate() {
            let got = (orders.stores.name(orders.store(i)), orders.channels.name(orders.channel(i)));
            assert_eq!(got, (store.as_str(), channel.as_str()), "row {i}");
        }
        let none = |o: &Orders, i| (o.store(i), o.channel(i));
        assert_eq!((none(&orders, plain.len()), none(&Orders::default(), 0)), ((0, 0), (0, 0)));
    }

    #[test]
    fn order_lines_join_orders_by_id() {
        let mut orders = Orders::new();
        for id in ["A", "", "B"] {
            orders.order_id.push(id);
        }
        let mut lines = OrderLines::default();
        for id in ["B", "B", "C", "A"] {
            lines.order.push(lines.orders.intern_repeated(id));
        }
        // Line order ids B, C, A: B is order row 2, C is in no order, A is row 0.
        assert_eq!(lines.order_rows(&orders), [Some(2), None, Some(0)]);
    }

    #[test]
    fn interner_is_dense_and_stable() {
        let mut i = Interner::default();
        assert_eq!(i.get("a"), None);
        assert_eq!(i.intern("b"), 0);
        assert_eq!(i.intern("a"), 1);
        assert_eq!(i.intern("b"), 0);
        assert_eq!(i.name(1), "a");
        assert_eq!(i.get("c"), None);
        assert_eq!(i.len(), 2);
        // Past many growths and chunks, with ids that differ only in their
        // last byte, only after 8 bytes, or only in length, and two longer
        // than a chunk of short ones.
        let ids: Vec<String> = (0..50_000)
            .map(|k| format!("M{k}"))
            .chain((0..300).map(|k| format!("longer-id-{k:05}")))
            .chain((0..2).map(|k| format!("{}{k}", "长".repeat(30_000))))
            .collect();
        let mut big = Interner::default();
        for (k, id) in ids.iter().enumerate() {
            assert_eq!(big.intern(id), k as u32);
        }
        big.intern("");
        for (k, id) in ids.iter().enumerate() {
            assert_eq!((big.intern(id), big.get(id), big.name(k as u32)), (k as u32, Some(k as u32), id.as_str()));
        }
        assert_eq!(
            (big.len(), big.get(""), big.get("M"), big.get("M0\0")),
            (ids.len() + 1, Some(ids.len() as u32), None, None)
        );
        let mut repeated = Interner::default();
        let got: Vec<u32> = ["a", "a", "b", "a", ""].iter().map(|s| repeated.intern_repeated(s)).collect();
        assert_eq!(got, [0, 0, 1, 0, 2]);
        // "" first, after names interned otherwise.
        let mut after = Interner::default();
        after.intern("x");
        assert_eq!((after.intern_repeated(""), after.intern_repeated("x"), after.intern_repeated("")), (1, 0, 1));
    }

    #[test]
    fn interner_as_a_plain_map() {
        // Random names of 0 to 20 bytes over a small alphabet (NUL, ASCII,
        // a CJK character), so that short names held in the slots and long
        // ones in the buffer repeat, differ by a trailing NUL or by length,
        // and share 24 bits of hash at times; looked up across growths.
        let alphabet = ["\0", "a", "b", "1", "会"];
        let mut next = xorshift(0x9E37_79B9_7F4A_7C15);
        let mut interner = Interner::default();
        let mut plain: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
        let mut seen = Vec::new();
        for _ in 0..60_000 {
            let len = (next() % 21) as usize;
            let mut name = String::new();
            while name.len() < len {
                name.push_str(alphabet[(next() % 5) as usize]);
            }
            let want = plain.len() as u32;
            let want = *plain.entry(name.clone()).or_insert(want);
            assert_eq!(interner.get(&name), (want < interner.len() as u32).then_some(want), "{name:?}");
            assert_eq!(interner.intern(&name), want, "{name:?}");
            seen.push((name, want));
        }
        for (name, &i) in &plain {
            assert_eq!((interner.get(name), interner.name(i)), (Some(i), name.as_str()));
        }
        assert!(plain.len() > 10_000 && interner.len() == plain.len());
        // Interned later, flushed by full batches and now and then early:
        // the same indexes, the same interner.
        let (mut later, mut column, mut pending) = (Interner::default(), Indices::default(), Pending::default());
        column.push(7);
        for (name, _) in &seen {
            later.intern_later(name, &mut column, &mut pending);
            if next() % 37 == 0 {
                later.flush(&mut column, &mut pending);
            }
        }
        later.flush(&mut column, &mut pending);
        assert_eq!(column.at(0), 7);
        assert!(column.iter().skip(1).eq(seen.iter().map(|&(_, want)| want)));
        assert!(later == interner);
    }

    #[test]
    fn texts_grow_by_chunks_without_moving_what_they_hold() {
        // Strings of 0 to 30 bytes and, at and after a chunk's end, one
        // longer than a chunk of short ones: each as pushed, across chunks.
        let mut next = xorshift(7);
        let long = "长".repeat(40_000);
        let mut want: Vec<String> = (0..3 * BLOCK + 5).map(|k| "x".repeat(k % 31)).collect();
        want[BLOCK - 1] = long.clone();
        want[BLOCK] = long;
        let mut texts = Texts::default();
        let mut first = None;
        for (k, w) in want.iter().enumerate() {
            texts.push(w);
            if k == BLOCK + 1 {
                first = Some(texts.chunks[0].0.as_ptr());
            }
            if next() % 1000 == 0 {
                let i = (next() as usize) % (k + 1);
                assert_eq!(texts.get(i), Some(want[i].as_str()));
            }
        }
        texts.shrink_to_fit();
        assert_eq!(first, Some(texts.chunks[0].0.as_ptr()));
        assert!(texts.chunks.iter().all(|(bytes, ends)| bytes.capacity() == bytes.len() && ends.len() <= BLOCK));
        assert_eq!((texts.chunks.len(), texts.len(), texts.get(want.len())), (4, want.len(), None));
        assert!(texts.iter().eq(want.iter().map(String::as_str)));
        assert!((0..want.len()).all(|i| texts[i] == want[i]));
        assert!(Texts::default().is_empty() && Texts::default().get(0).is_none());
    }

    #[test]
    fn words_compare_as_bytes() {
        for (a, b) in [
            ("", ""),
            ("a", "a"),
            ("a", "b"),
            ("abcdefgh", "abcdefgh"),
            ("abcdefghi", "abcdefghj"),
            ("abcdefgh", "abcdefgx"),
            ("ab", "abc"),
        ] {
            assert_eq!(same(a.as_bytes(), b.as_bytes()), a == b, "{a} {b}");
        }
        assert_ne!(id_hash("D00000001"), id_hash("D00000010"));
        assert_ne!(id_hash("ab"), id_hash("ab\0"));
    }
}
