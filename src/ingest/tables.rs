//! Rows to tables: each data record of an orders or members file either
//! becomes one entry of the columnar table or one [`Rejection`].

use super::Kind;
use super::fields::{FieldError, Status, parse_datetime, parse_int, parse_money, parse_status};
use super::headers::Columns;
use super::records::Record;
use super::report::Rejection;
use crate::model::{Day, Members, OrderKind, Orders, day_of};
use chrono::Timelike;
use std::collections::HashSet;
use std::hash::{BuildHasher, BuildHasherDefault};

/// The table a file fills.
#[derive(Debug)]
pub enum Table {
    /// An orders file.
    Orders(Orders),
    /// A members file.
    Members(Members),
}

/// Builds a [`Table`] row by row.
pub struct Builder {
    table: Table,
    columns: Columns,
    headers: Vec<String>,
    /// Hashes of order or member ids seen, to reject repeats. A fixed-key
    /// hasher keeps results deterministic; 64 bits make a false repeat
    /// unlikely (about 1 in 10^6 at 5 million orders).
    seen: HashSet<u64, BuildHasherDefault<NoHash>>,
    /// Earliest and latest day seen.
    pub span: Option<(Day, Day)>,
    /// Used rows that are not purchases.
    pub not_purchases: u64,
}

/// The field positions of the orders fields in [`fields`]`(Kind::Orders)`.
mod order_field {
    pub const MEMBER: usize = 0;
    pub const ORDER_ID: usize = 1;
    pub const PAID_AT: usize = 2;
    pub const AMOUNT: usize = 3;
    pub const STATUS: usize = 4;
    pub const REFUND: usize = 5;
    pub const STORE: usize = 6;
    pub const CHANNEL: usize = 7;
}

/// The field positions of the members fields in [`fields`]`(Kind::Members)`.
mod member_field {
    pub const MEMBER: usize = 0;
    pub const PHONE: usize = 1;
    pub const NAME: usize = 2;
    pub const REGISTERED: usize = 3;
    pub const LEVEL: usize = 4;
    pub const POINTS: usize = 5;
}

impl Builder {
    /// A builder for a file of `kind` whose header row is `headers`.
    pub fn new(kind: Kind, columns: Columns, headers: Vec<String>) -> Builder {
        let table = match kind {
            Kind::Orders => Table::Orders(Orders::new()),
            Kind::Members => Table::Members(Members::default()),
        };
        Builder { table, columns, headers, seen: HashSet::default(), span: None, not_purchases: 0 }
    }

    /// The decided columns.
    pub fn columns(&self) -> &Columns {
        &self.columns
    }

    /// The table so far.
    pub fn finish(self) -> Table {
        self.table
    }

    /// Distinct members so far.
    pub fn members(&self) -> usize {
        match &self.table {
            Table::Orders(o) => o.ids.len(),
            Table::Members(m) => m.ids.len(),
        }
    }

    /// Use one data record, or say why not.
    pub fn row(&mut self, rec: &Record<'_>, delimiter: u8) -> Result<(), Rejection> {
        // Extra fields past the header are only tolerated when empty: a
        // value there means an unquoted delimiter split a field.
        if (self.headers.len()..rec.len()).any(|i| !rec.get(i).iter().all(u8::is_ascii_whitespace)) {
            return Err(Rejection::new(rec.row, "", &rec.joined(delimiter), FieldError::FieldCount));
        }
        let row = Row { rec, columns: &self.columns, headers: &self.headers };
        match &mut self.table {
            Table::Orders(orders) => {
                let day = order_row(orders, &row, &mut self.seen, &mut self.not_purchases)?;
                self.span = Some(self.span.map_or((day, day), |(a, b)| (a.min(day), b.max(day))));
            }
            Table::Members(members) => {
                if let Some(day) = member_row(members, &row, &mut self.seen)? {
                    self.span = Some(self.span.map_or((day, day), |(a, b)| (a.min(day), b.max(day))));
                }
            }
        }
        Ok(())
    }
}

/// A record seen through the file's columns.
struct Row<'a, 'r> {
    rec: &'a Record<'r>,
    columns: &'a Columns,
    headers: &'a [String],
}

impl<'r> Row<'_, 'r> {
    /// The header of field `f` (for rejections).
    fn header(&self, f: usize) -> &str {
        self.columns.index[f].map_or("", |c| self.headers[c].as_str())
    }

    /// Field `f` as trimmed text; `None` when the file has no such column.
    fn text(&self, f: usize) -> Result<Option<&'r str>, Rejection> {
        let Some(col) = self.columns.index[f] else {
            return Ok(None);
        };
        let bytes = self.rec.get(col);
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(Some(s.trim())),
            Err(_) => Err(self.reject(f, &String::from_utf8_lossy(bytes), FieldError::BadText)),
        }
    }

    /// Field `f` parsed with `parse`; empty or absent gives `None`.
    fn parse<T>(&self, f: usize, parse: impl Fn(&'r str) -> Result<T, FieldError>) -> Result<Option<T>, Rejection> {
        match self.text(f)? {
            None | Some("") => Ok(None),
            Some(s) => parse(s).map(Some).map_err(|e| self.reject(f, s, e)),
        }
    }

    /// Field `f` parsed with `parse`, which must be present.
    fn required<T>(&self, f: usize, parse: impl Fn(&'r str) -> Result<T, FieldError>) -> Result<T, Rejection> {
        self.parse(f, parse)?.ok_or_else(|| self.reject(f, "", FieldError::Missing))
    }

    fn reject(&self, f: usize, value: &str, error: FieldError) -> Rejection {
        Rejection::new(self.rec.row, self.header(f), value, error)
    }

    /// Reject a repeated id (by hash).
    fn first_time<S: BuildHasher>(
        &self,
        f: usize,
        id: &str,
        seen: &mut HashSet<u64, S>,
        error: FieldError,
    ) -> Result<(), Rejection> {
        if seen.insert(id_hash(id)) { Ok(()) } else { Err(self.reject(f, id, error)) }
    }
}

fn order_row(
    orders: &mut Orders,
    row: &Row<'_, '_>,
    seen: &mut HashSet<u64, BuildHasherDefault<NoHash>>,
    not_purchases: &mut u64,
) -> Result<Day, Rejection> {
    use order_field::*;
    let member = row.required(MEMBER, Ok)?;
    let paid_at = row.required(PAID_AT, parse_datetime)?;
    let amount = row.required(AMOUNT, parse_money)?;
    let status = row.parse(STATUS, parse_status)?.unwrap_or(Status::Paid);
    let refund = row.parse(REFUND, parse_money)?;
    if let Some(r) = refund {
        if r < 0 || (amount >= 0 && r > amount) {
            return Err(row.reject(REFUND, row.text(REFUND)?.unwrap_or_default(), FieldError::RefundTooLarge));
        }
    }
    let order_id = row.text(ORDER_ID)?.unwrap_or_default();
    if !order_id.is_empty() {
        row.first_time(ORDER_ID, order_id, seen, FieldError::DuplicateOrder)?;
    }
    let refund = refund.unwrap_or(0);
    let (kind, net) = if amount < 0 {
        (OrderKind::Adjustment, amount)
    } else {
        match status {
            Status::Closed => (OrderKind::NotPurchase, 0),
            // "Refunded" with a smaller refund amount is a partial refund.
            Status::Refunded if refund == 0 || refund == amount => (OrderKind::NotPurchase, 0),
            _ if refund > 0 && refund == amount => (OrderKind::NotPurchase, 0),
            _ => (OrderKind::Purchase, amount - refund),
        }
    };
    if kind == OrderKind::NotPurchase {
        *not_purchases += 1;
    }
    let day = day_of(paid_at.date());
    let store = row.text(STORE)?.unwrap_or_default();
    let channel = row.text(CHANNEL)?.unwrap_or_default();
    orders.member.push(orders.ids.intern(member));
    orders.day.push(day);
    orders.minute.push((paid_at.hour() * 60 + paid_at.minute()) as u16);
    orders.net.push(net);
    orders.kind.push(kind);
    orders.store.push(orders.stores.intern_repeated(store));
    orders.channel.push(orders.channels.intern_repeated(channel));
    Ok(day)
}

fn member_row(
    members: &mut Members,
    row: &Row<'_, '_>,
    seen: &mut HashSet<u64, BuildHasherDefault<NoHash>>,
) -> Result<Option<Day>, Rejection> {
    use member_field::*;
    let id = row.required(MEMBER, Ok)?;
    let registered = row.parse(REGISTERED, parse_datetime)?.map(|d| day_of(d.date()));
    let points = row.parse(POINTS, parse_int)?;
    row.first_time(MEMBER, id, seen, FieldError::DuplicateMember)?;
    members.ids.intern(id);
    members.phone.push(row.text(PHONE)?.unwrap_or_default().into());
    members.name.push(row.text(NAME)?.unwrap_or_default().into());
    members.registered.push(registered);
    members.level.push(row.text(LEVEL)?.unwrap_or_default().into());
    members.points.push(points);
    Ok(registered)
}

/// A 64-bit hash of an id on every target (FxHash is only 32 bits wide on
/// wasm32, which made false repeats likely at a million orders): 8 bytes
/// at a time, multiply–rotate, then murmur3's finaliser. Fixed, so results
/// are deterministic; ids are not adversarial on the user's own device.
fn id_hash(id: &str) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes = id.as_bytes();
    let mut h = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let word = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h ^ word).wrapping_mul(K).rotate_left(29);
    }
    let mut tail = [0u8; 8];
    tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    h = (h ^ u64::from_le_bytes(tail)).wrapping_mul(K);
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^ (h >> 33)
}

/// The set above stores hashes already: use them as they are.
#[derive(Default)]
pub struct NoHash(u64);

impl std::hash::Hasher for NoHash {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Checks that the field positions above match the field lists.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::headers::fields;

    #[test]
    fn id_hashes_spread_sequential_ids() {
        let hashes: HashSet<u64> = (0..200_000).map(|i| id_hash(&format!("D{i:08}"))).collect();
        assert_eq!(hashes.len(), 200_000);
        assert_ne!(id_hash("D00000001"), id_hash("D00000010"));
        assert_ne!(id_hash("ab"), id_hash("ab\0"));
    }

    #[test]
    fn field_positions_match_the_field_lists() {
        let o = fields(Kind::Orders);
        assert_eq!(o[order_field::MEMBER].name, "member_id");
        assert_eq!(o[order_field::ORDER_ID].name, "order_id");
        assert_eq!(o[order_field::PAID_AT].name, "paid_at");
        assert_eq!(o[order_field::AMOUNT].name, "amount");
        assert_eq!(o[order_field::STATUS].name, "status");
        assert_eq!(o[order_field::REFUND].name, "refund_amount");
        assert_eq!(o[order_field::STORE].name, "store");
        assert_eq!(o[order_field::CHANNEL].name, "channel");
        let m = fields(Kind::Members);
        assert_eq!(m[member_field::MEMBER].name, "member_id");
        assert_eq!(m[member_field::PHONE].name, "phone");
        assert_eq!(m[member_field::NAME].name, "name");
        assert_eq!(m[member_field::REGISTERED].name, "registered_at");
        assert_eq!(m[member_field::LEVEL].name, "level");
        assert_eq!(m[member_field::POINTS].name, "points");
    }
}
