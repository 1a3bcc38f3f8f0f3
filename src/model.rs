//! The data a store exports, once read: columnar tables with member ids
//! interned to dense `u32` indices, money in integer fen and dates as day
//! numbers. Analysis works on these slices, never on rows of strings.

use chrono::{Datelike, NaiveDate};

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
    use std::fmt::Write as _;
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    let _ = write!(out, "{sign}{}.{:02}", abs / 100, abs % 100);
}

/// A float as `format!("{x}")` writes it (the shortest digits that read back
/// as `x`, never an exponent), from zmij's digits: core's own float
/// formatting (Grisu with a Dragon fallback, and its tables) then stays out
/// of the wasm (README, "Builds and sizes").
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
/// that touches one slot and nothing else for a name of at most 11 bytes
/// (member ids such as `M016050` or an 11-digit phone number), which the
/// slot holds whole. A longer name's slot holds 24 bits of its [`id_hash`]
/// and where the name sits in one buffer of the long names; its text is
/// compared only when those bits match, a word at a time (`memcmp` is a
/// byte loop in an MVP-only wasm module).
#[derive(Debug, Default, Clone)]
pub struct Interner {
    /// Linear probing over a power-of-two table at most half full.
    slots: Vec<Slot>,
    /// Every long name as its length (4 bytes, little-endian) and its
    /// bytes, one after the other.
    keys: Vec<u8>,
    names: Vec<Box<str>>,
    /// The index [`Interner::intern_repeated`] returned last.
    last: u32,
}

/// The names an [`Interner::intern_later`] has yet to place.
#[derive(Debug, Default)]
pub struct Pending {
    /// The names, one after the other.
    text: String,
    names: Vec<Waiting>,
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
}

/// One slot of an [`Interner`]'s table: a name's [`SlotKey`] and index.
#[derive(Debug, Default, Clone, Copy)]
struct Slot {
    key: SlotKey,
    /// The name's index + 1; 0 for an empty slot.
    index: u32,
}

/// What a slot holds of its name. A short name (at most [`SHORT`] bytes):
/// its bytes, zero-padded, in `lo` and the low 24 bits of `hi`, and its
/// length in the top byte of `hi`; two names are equal exactly when their
/// keys are. A long name: `hi` is [`LONG`] in the top byte over 24 bits of
/// its hash, `lo` where it starts in `keys`.
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
    /// look for: a short name's key as it is, a long name's hash bits (its
    /// `lo` is filled in when it is stored).
    fn of(name: &str) -> (u64, SlotKey) {
        match SlotKey::short(name.as_bytes()) {
            Some(key) => (mix(key.lo ^ u64::from(key.hi).rotate_left(40)), key),
            None => {
                let hash = id_hash(name);
                (hash, SlotKey { lo: 0, hi: LONG | (hash >> 40) as u32 })
            }
        }
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
    /// their cache misses overlap instead of following one another. The
    /// indexes are those [`Interner::intern`] gives, in the same order.
    pub fn intern_later(&mut self, name: &str, column: &mut Vec<u32>, pending: &mut Pending) {
        let (hash, key) = SlotKey::of(name);
        let text = pending.text.len()..pending.text.len() + name.len();
        pending.text.push_str(name);
        pending.names.push(Waiting { hash, key, text, at: column.len() });
        column.push(0);
        if pending.names.len() == Pending::BATCH {
            self.flush(column, pending);
        }
    }

    /// Write the indexes of the names [`Interner::intern_later`] left pending.
    pub fn flush(&mut self, column: &mut [u32], pending: &mut Pending) {
        if !self.slots.is_empty() {
            let mask = self.slots.len() - 1;
            let first_slots = pending.names.iter().fold(0, |x, w| x ^ self.slots[w.hash as usize & mask].index);
            std::hint::black_box(first_slots);
        }
        for w in pending.names.drain(..) {
            column[w.at] = self.intern_hashed(&pending.text[w.text], w.hash, w.key);
        }
        pending.text.clear();
    }

    fn intern_hashed(&mut self, name: &str, hash: u64, mut key: SlotKey) -> u32 {
        match self.find(name, hash, key) {
            Ok(i) => i,
            Err(mut slot) => {
                if 2 * (self.names.len() + 1) > self.slots.len() {
                    self.grow();
                    slot = self.find(name, hash, key).err().unwrap_or(0);
                }
                let i = self.names.len() as u32;
                if key.hi >= LONG {
                    key.lo = self.keys.len() as u64;
                    self.keys.extend_from_slice(&(name.len() as u32).to_le_bytes());
                    self.keys.extend_from_slice(name.as_bytes());
                }
                self.slots[slot] = Slot { key, index: i + 1 };
                self.names.push(name.into());
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
            let slot = self.slots[pos];
            if slot.index == 0 {
                return Err(pos);
            }
            if key.hi < LONG {
                if slot.key == key {
                    return Ok(slot.index - 1);
                }
            } else if slot.key.hi == key.hi && self.long_key_is(slot.key.lo as usize, name.as_bytes()) {
                return Ok(slot.index - 1);
            }
            pos = (pos + 1) & mask;
        }
    }

    /// True when the long name at `keys[at..]` is `name`.
    fn long_key_is(&self, at: usize, name: &[u8]) -> bool {
        let Some(entry) = self.keys.get(at..at + 4 + name.len()) else { return false };
        u32::from_le_bytes([entry[0], entry[1], entry[2], entry[3]]) as usize == name.len() && same(&entry[4..], name)
    }

    /// Double the table (16 slots at first) and place every name again.
    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(16);
        let mut slots = vec![Slot::default(); size];
        for slot in self.slots.iter().filter(|s| s.index != 0) {
            let (hash, _) = SlotKey::of(&self.names[slot.index as usize - 1]);
            let mut pos = hash as usize & (size - 1);
            while slots[pos].index != 0 {
                pos = (pos + 1) & (size - 1);
            }
            slots[pos] = *slot;
        }
        self.slots = slots;
    }

    /// All names, by index.
    pub fn names(&self) -> &[Box<str>] {
        &self.names
    }

    /// The name of an index ("" when out of range).
    pub fn name(&self, i: u32) -> &str {
        self.names.get(i as usize).map_or("", |s| s)
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

/// Many short strings in one buffer, for a column whose values rarely
/// repeat (an order id per order): no hash table and no allocation per
/// value, unlike an [`Interner`].
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Texts {
    bytes: String,
    ends: Vec<usize>,
}

impl Texts {
    /// Append one value.
    pub fn push(&mut self, text: &str) {
        self.bytes.push_str(text);
        self.ends.push(self.bytes.len());
    }

    /// Value `i` ("" when out of range).
    pub fn get(&self, i: usize) -> &str {
        let Some(&end) = self.ends.get(i) else { return "" };
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..end]
    }

    /// Make room for `values` more values (their ends; the text grows as
    /// it comes), if the memory is there.
    pub fn reserve(&mut self, values: usize) {
        let _ = self.ends.try_reserve_exact(values);
    }

    /// Give back the room reserved beyond the values held.
    pub fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when there are no values.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Every value, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.get(i))
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

/// Orders, one entry per used row, column by column.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Orders {
    /// Member ids of this file.
    pub ids: Interner,
    /// Member of each order (index into `ids`).
    pub member: Vec<u32>,
    /// Date paid.
    pub day: Vec<Day>,
    /// Minute of the day paid (0–1439; 0 when the file gives only a date).
    pub minute: Vec<u16>,
    /// Net amount in fen: paid minus refunded (negative for adjustments).
    pub net: Vec<Fen>,
    /// What the row counts as.
    pub kind: Vec<OrderKind>,
    /// Store of each order (index into `stores`; 0 = none given).
    pub store: Vec<u32>,
    /// Store names; index 0 is "".
    pub stores: Interner,
    /// Channel of each order (index into `channels`; 0 = none given).
    pub channel: Vec<u32>,
    /// Channel names; index 0 is "".
    pub channels: Interner,
    /// Order id of each order as written ("" when the file has none), for
    /// joining order lines ([`OrderLines::order_rows`]). Ids are unique
    /// within a file (repeats are rejected), so they are kept in one buffer
    /// rather than interned.
    pub order_id: Texts,
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
    /// Whether order `i` had money refunded, in full or in part (it is in [`Orders::refunds`]).
    pub fn refunded(&self, i: usize) -> bool {
        self.refunds.binary_search_by_key(&i, |&(row, _)| row as usize).is_ok()
    }

    /// An empty table.
    pub fn new() -> Orders {
        let mut orders = Orders::default();
        orders.stores.intern("");
        orders.channels.intern("");
        orders
    }

    /// Make room for `rows` more orders in each per-row column, if the
    /// memory is there (a failed reservation is only a missed hint).
    pub fn reserve(&mut self, rows: usize) {
        let _ = self.member.try_reserve_exact(rows);
        let _ = self.day.try_reserve_exact(rows);
        let _ = self.minute.try_reserve_exact(rows);
        let _ = self.net.try_reserve_exact(rows);
        let _ = self.kind.try_reserve_exact(rows);
        let _ = self.store.try_reserve_exact(rows);
        let _ = self.channel.try_reserve_exact(rows);
        self.order_id.reserve(rows);
    }

    /// Give back the room reserved beyond the orders held.
    pub fn shrink_to_fit(&mut self) {
        self.member.shrink_to_fit();
        self.day.shrink_to_fit();
        self.minute.shrink_to_fit();
        self.net.shrink_to_fit();
        self.kind.shrink_to_fit();
        self.store.shrink_to_fit();
        self.channel.shrink_to_fit();
        self.order_id.shrink_to_fit();
    }

    /// Number of orders.
    pub fn len(&self) -> usize {
        self.member.len()
    }

    /// True when there are no orders.
    pub fn is_empty(&self) -> bool {
        self.member.is_empty()
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
        for i in 0..orders.order_id.len() {
            let id = orders.order_id.get(i);
            if let Some(k) = (!id.is_empty()).then(|| self.orders.get(id)).flatten() {
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
    /// Member of each event (index into `ids`).
    pub member: Vec<u32>,
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
    /// Make room for `rows` more events in each per-row column, if the
    /// memory is there (a failed reservation is only a missed hint).
    pub fn reserve(&mut self, rows: usize) {
        let _ = self.member.try_reserve_exact(rows);
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
        self.member.len()
    }

    /// True when there are no events.
    pub fn is_empty(&self) -> bool {
        self.member.is_empty()
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
mod tests {
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
    }

    proptest::proptest! {
        #[test]
        fn any_decimal_is_written_as_display_writes_it(bits: u64) {
            let x = f64::from_bits(bits);
            proptest::prop_assert_eq!(format_decimal(x), format!("{x}"));
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
    fn days_round_trip() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        assert_eq!(date_of(day_of(d)), d);
        assert_eq!(format_day(day_of(d)), "2026-03-05");
        assert_eq!(day_of(d) - day_of(NaiveDate::from_ymd_opt(2026, 3, 4).unwrap()), 1);
    }

    #[test]
    fn texts_labels_and_lists() {
        let mut t = Texts::default();
        for s in ["D1", "", "订单2"] {
            t.push(s);
        }
        assert_eq!((t.len(), t.get(0), t.get(1), t.get(2), t.get(3)), (3, "D1", "", "订单2", ""));
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
        // Past many growths, with ids that differ only in their last byte,
        // only after 8 bytes, or only in length.
        let ids: Vec<String> =
            (0..50_000).map(|k| format!("M{k}")).chain((0..300).map(|k| format!("longer-id-{k:05}"))).collect();
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
    }

    #[test]
    fn interner_as_a_plain_map() {
        // Random names of 0 to 20 bytes over a small alphabet (NUL, ASCII,
        // a CJK character), so that short names held in the slots and long
        // ones in the buffer repeat, differ by a trailing NUL or by length,
        // and share 24 bits of hash at times; looked up across growths.
        let alphabet = ["\0", "a", "b", "1", "会"];
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
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
        let (mut later, mut column, mut pending) = (Interner::default(), vec![7], Pending::default());
        for (name, _) in &seen {
            later.intern_later(name, &mut column, &mut pending);
            if next() % 37 == 0 {
                later.flush(&mut column, &mut pending);
            }
        }
        later.flush(&mut column, &mut pending);
        assert_eq!(column[0], 7);
        assert!(column[1..].iter().eq(seen.iter().map(|(_, want)| want)));
        assert!(later == interner);
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
