//! Rows to tables: each data record of a file either becomes one entry of
//! its columnar table or one [`Rejection`]. Every field of a row is parsed
//! before anything is stored, so a rejected row leaves no trace and the
//! columns stay aligned.

use super::Kind;
use super::fields::{
    FieldError, Status, parse_birthday, parse_bool, parse_datetime, parse_day_minute, parse_event_type, parse_gender,
    parse_int, parse_member_type, parse_money, parse_quantity, parse_status, split_list, trim,
};
use super::headers::Columns;
use super::records::Record;
use super::report::Rejection;
use super::seen::Seen;
use crate::model::{
    Day, EventType, Events, Fen, LabelLists, Labels, Members, OrderKind, OrderLines, Orders, Pending, day_of,
};
use std::sync::Arc;

/// The table a file fills (boxed: the tables differ in size).
#[derive(Debug, PartialEq)]
pub enum Table {
    /// An orders file.
    Orders(Box<Orders>),
    /// A members file.
    Members(Box<Members>),
    /// An order lines file.
    OrderLines(Box<OrderLines>),
    /// An events file.
    Events(Box<Events>),
}

impl Table {
    /// Distinct members (none in an order lines file).
    pub fn members(&self) -> usize {
        match self {
            Table::Orders(o) => o.ids.len(),
            Table::Members(m) => m.ids.len(),
            Table::OrderLines(_) => 0,
            Table::Events(e) => e.ids.len(),
        }
    }
}

/// Builds a [`Table`] row by row.
pub struct Builder {
    table: Table,
    columns: Columns,
    headers: Vec<String>,
    /// Order or member ids used, to reject repeats.
    seen: Seen,
    /// Member ids of orders or events whose index is still to be written.
    pending: Pending,
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
    pub const POINTS_USED: usize = 8;
}

/// The field positions of the members fields in [`fields`]`(Kind::Members)`.
mod member_field {
    pub const MEMBER: usize = 0;
    pub const PHONE: usize = 1;
    pub const NAME: usize = 2;
    pub const REGISTERED: usize = 3;
    pub const LEVEL: usize = 4;
    pub const POINTS: usize = 5;
    pub const GENDER: usize = 6;
    pub const BIRTHDAY: usize = 7;
    pub const STORE: usize = 8;
    pub const SOURCE_CHANNEL: usize = 9;
    pub const WECHAT_FAN: usize = 10;
    pub const FOLLOWED_AT: usize = 11;
    pub const REFERRER: usize = 12;
    pub const BENEFIT_CARDS: usize = 13;
    pub const MANUAL_TAGS: usize = 14;
    pub const MEMBER_TYPE: usize = 15;
}

/// The field positions of the order lines fields in [`fields`]`(Kind::OrderLines)`.
mod line_field {
    pub const ORDER_ID: usize = 0;
    pub const SKU: usize = 1;
    pub const NAME: usize = 2;
    pub const CATEGORY: usize = 3;
    pub const UNIT_PRICE: usize = 4;
    pub const QTY: usize = 5;
    pub const AMOUNT: usize = 6;
    pub const SPECIAL_PRICE: usize = 7;
    pub const GIFT_WRAP: usize = 8;
}

/// The field positions of the events fields in [`fields`]`(Kind::Events)`.
mod event_field {
    pub const MEMBER: usize = 0;
    pub const AT: usize = 1;
    pub const TYPE: usize = 2;
    pub const KIND: usize = 3;
    pub const CHANNEL: usize = 4;
    pub const COUPON: usize = 5;
    pub const POINTS: usize = 6;
}

impl Builder {
    /// A builder for a file of `kind` whose header row is `headers`.
    pub fn new(kind: Kind, columns: Columns, headers: Vec<String>) -> Builder {
        let table = match kind {
            Kind::Orders => Table::Orders(Box::new(Orders::new())),
            Kind::Members => Table::Members(Box::default()),
            Kind::OrderLines => Table::OrderLines(Box::default()),
            Kind::Events => Table::Events(Box::new(Events::new())),
        };
        Builder {
            table,
            columns,
            headers,
            seen: Seen::new(),
            pending: Pending::default(),
            span: None,
            not_purchases: 0,
        }
    }

    /// The decided columns.
    pub fn columns(&self) -> &Columns {
        &self.columns
    }

    /// Make room for `rows` rows of the table's main columns at once, when
    /// the memory is there (orders and events files are the large ones).
    pub fn reserve(&mut self, rows: u64) {
        let rows = usize::try_from(rows).unwrap_or(usize::MAX);
        match &mut self.table {
            Table::Orders(orders) => orders.reserve(rows),
            Table::Events(events) => events.reserve(rows),
            Table::Members(_) | Table::OrderLines(_) => {}
        }
    }

    /// The table so far, its columns cut to their length (room reserved
    /// for more rows than came goes back to the allocator).
    pub fn finish(mut self) -> Table {
        match &mut self.table {
            Table::Orders(orders) => {
                Arc::make_mut(&mut orders.ids).flush(&mut orders.member, &mut self.pending);
                orders.shrink_to_fit();
            }
            Table::Events(events) => {
                events.ids.flush(&mut events.member, &mut self.pending);
                events.shrink_to_fit();
            }
            Table::Members(_) | Table::OrderLines(_) => {}
        }
        self.table
    }

    /// Use one data record, or say why not.
    pub fn row(&mut self, rec: &Record<'_>, delimiter: u8) -> Result<(), Rejection> {
        // Extra fields past the header are only tolerated when empty: a
        // value there means an unquoted delimiter split a field.
        if (self.headers.len()..rec.len()).any(|i| !rec.get(i).iter().all(u8::is_ascii_whitespace)) {
            return Err(Rejection::new(rec.row, "", &rec.joined(delimiter), FieldError::FieldCount));
        }
        let row = Row { rec, columns: &self.columns, headers: &self.headers };
        let day = match &mut self.table {
            Table::Orders(orders) => {
                Some(order_row(orders, &row, &mut self.seen, &mut self.pending, &mut self.not_purchases)?)
            }
            Table::Members(members) => member_row(members, &row, &mut self.seen)?,
            Table::OrderLines(lines) => line_row(lines, &row).map(|()| None)?,
            Table::Events(events) => Some(event_row(events, &row, &mut self.pending)?),
        };
        if let Some(day) = day {
            self.span = Some(self.span.map_or((day, day), |(a, b)| (a.min(day), b.max(day))));
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

    /// True when the file has a column for field `f`.
    fn has(&self, f: usize) -> bool {
        self.columns.index[f].is_some()
    }

    /// Field `f` as trimmed text; `None` when the file has no such column.
    #[inline]
    fn text(&self, f: usize) -> Result<Option<&'r str>, Rejection> {
        let Some(col) = self.columns.index[f] else {
            return Ok(None);
        };
        match self.rec.str(col) {
            Some(s) => Ok(Some(trim(s))),
            None => Err(self.reject(f, &String::from_utf8_lossy(self.rec.get(col)), FieldError::BadText)),
        }
    }

    /// Field `f` of an optional column parsed with `parse`: `None` when the
    /// file has no such column, `Some(None)` for an empty cell.
    fn column<T>(
        &self,
        f: usize,
        parse: impl Fn(&'r str) -> Result<T, FieldError>,
    ) -> Result<Option<Option<T>>, Rejection> {
        match self.text(f)? {
            None => Ok(None),
            Some("") => Ok(Some(None)),
            Some(s) => parse(s).map(|v| Some(Some(v))).map_err(|e| self.reject(f, s, e)),
        }
    }

    /// Field `f` parsed with `parse`; empty or absent gives `None`.
    fn parse<T>(&self, f: usize, parse: impl Fn(&'r str) -> Result<T, FieldError>) -> Result<Option<T>, Rejection> {
        Ok(self.column(f, parse)?.flatten())
    }

    /// Field `f` parsed with `parse`, which must be present.
    fn required<T>(&self, f: usize, parse: impl Fn(&'r str) -> Result<T, FieldError>) -> Result<T, Rejection> {
        self.parse(f, parse)?.ok_or_else(|| self.reject(f, "", FieldError::Missing))
    }

    fn reject(&self, f: usize, value: &str, error: FieldError) -> Rejection {
        Rejection::new(self.rec.row, self.header(f), value, error)
    }

    /// Reject a repeated id; `earlier` lists the ids used so far.
    fn first_time<I: IntoIterator<Item: AsRef<str>>>(
        &self,
        f: usize,
        id: &str,
        seen: &mut Seen,
        earlier: impl FnOnce() -> I,
        error: FieldError,
    ) -> Result<(), Rejection> {
        if seen.first_time(id, earlier) { Ok(()) } else { Err(self.reject(f, id, error)) }
    }
}

/// An optional column of a table (`Option<Vec<T>>`, `Option<Labels>`…).
/// It is created on the first used row of a file that has the column and
/// then takes a value from every used row: one entry per row, or `None`.
trait Column<T>: Default {
    fn put(&mut self, value: T);
}

impl<T> Column<T> for Vec<T> {
    fn put(&mut self, value: T) {
        self.push(value);
    }
}

impl<'a> Column<&'a str> for Labels {
    fn put(&mut self, label: &'a str) {
        self.push(label);
    }
}

impl<'a> Column<&'a str> for LabelLists {
    fn put(&mut self, cell: &'a str) {
        self.push(split_list(cell));
    }
}

/// Add a row's value to an optional column (`value` is `None` exactly when
/// the file has no such column).
fn put<T, C: Column<T>>(column: &mut Option<C>, value: Option<T>) {
    if let Some(value) = value {
        column.get_or_insert_with(C::default).put(value);
    }
}

fn order_row(
    orders: &mut Orders,
    row: &Row<'_, '_>,
    seen: &mut Seen,
    pending: &mut Pending,
    not_purchases: &mut u64,
) -> Result<Day, Rejection> {
    use order_field::*;
    let member = row.required(MEMBER, Ok)?;
    let (day, minute) = row.required(PAID_AT, parse_day_minute)?;
    let amount = row.required(AMOUNT, parse_money)?;
    let status = row.parse(STATUS, parse_status)?.unwrap_or(Status::Paid);
    let refund = row.parse(REFUND, parse_money)?;
    let points_used = row.parse(POINTS_USED, parse_points)?.unwrap_or(0);
    if let Some(r) = refund {
        if r < 0 || (amount >= 0 && r > amount) {
            return Err(row.reject(REFUND, row.text(REFUND)?.unwrap_or_default(), FieldError::RefundTooLarge));
        }
    }
    let store = row.text(STORE)?.unwrap_or_default();
    let channel = row.text(CHANNEL)?.unwrap_or_default();
    let order_id = row.text(ORDER_ID)?.unwrap_or_default();
    if !order_id.is_empty() {
        let earlier = || orders.order_id.iter().filter(|id| !id.is_empty()).map(|id| id.to_string());
        row.first_time(ORDER_ID, order_id, seen, earlier, FieldError::DuplicateOrder)?;
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
    let at = orders.len() as u32;
    let refunded = match kind {
        OrderKind::Purchase => refund,
        OrderKind::NotPurchase if status != Status::Closed => amount,
        _ => 0,
    };
    if refunded > 0 {
        orders.refunds.push((at, refunded));
    }
    if points_used > 0 {
        orders.points_used.push((at, points_used));
    }
    Arc::make_mut(&mut orders.ids).intern_later(member, &mut orders.member, pending);
    orders.paid.push(day, minute);
    orders.net.push(net);
    orders.kind.push(kind);
    orders.push_store_channel(store, channel);
    orders.order_id.push(order_id);
    Ok(day)
}

fn member_row(members: &mut Members, row: &Row<'_, '_>, seen: &mut Seen) -> Result<Option<Day>, Rejection> {
    use member_field::*;
    let id = row.required(MEMBER, Ok)?;
    let registered = row.parse(REGISTERED, parse_datetime)?.map(|d| day_of(d.date()));
    let points = row.parse(POINTS, parse_int)?;
    let gender = row.column(GENDER, parse_gender)?.map(Option::unwrap_or_default);
    let birthday = row.column(BIRTHDAY, parse_birthday)?;
    let wechat_fan = row.column(WECHAT_FAN, parse_bool)?;
    let followed_at = row.column(FOLLOWED_AT, |s| parse_datetime(s).map(|d| day_of(d.date())))?;
    let member_type = row.column(MEMBER_TYPE, parse_member_type)?.map(Option::unwrap_or_default);
    let (phone, name, level) = (row.text(PHONE)?, row.text(NAME)?, row.text(LEVEL)?);
    let (store, source_channel, referrer) = (row.text(STORE)?, row.text(SOURCE_CHANNEL)?, row.text(REFERRER)?);
    let (benefit_cards, manual_tags) = (row.text(BENEFIT_CARDS)?, row.text(MANUAL_TAGS)?);
    let earlier = || members.ids.names().iter();
    row.first_time(MEMBER, id, seen, earlier, FieldError::DuplicateMember)?;
    members.ids.intern(id);
    members.phone.push(phone.unwrap_or_default().into());
    members.name.push(name.unwrap_or_default().into());
    members.registered.push(registered);
    members.level.push(level.unwrap_or_default().into());
    members.points.push(points);
    put(&mut members.gender, gender);
    put(&mut members.birthday, birthday);
    put(&mut members.store, store);
    put(&mut members.source_channel, source_channel);
    put(&mut members.wechat_fan, wechat_fan);
    put(&mut members.followed_at, followed_at);
    put(&mut members.referrer, referrer);
    put(&mut members.benefit_cards, benefit_cards);
    put(&mut members.manual_tags, manual_tags);
    put(&mut members.member_type, member_type);
    Ok(registered)
}

fn line_row(lines: &mut OrderLines, row: &Row<'_, '_>) -> Result<(), Rejection> {
    use line_field::*;
    let order = row.required(ORDER_ID, Ok)?;
    let qty = row.required(QTY, parse_quantity)?;
    let unit_price = row.parse(UNIT_PRICE, parse_money)?;
    let (unit_price, amount) = match (unit_price, row.parse(AMOUNT, parse_money)?) {
        (Some(price), Some(amount)) => (price, amount),
        (None, Some(amount)) => (rounded_div(amount, qty), amount),
        (Some(price), None) => {
            let amount = price.checked_mul(qty).filter(|a| a.unsigned_abs() <= MAX_FEN);
            let too_large = || row.reject(QTY, row.text(QTY).ok().flatten().unwrap_or_default(), FieldError::BadMoney);
            (price, amount.ok_or_else(too_large)?)
        }
        (None, None) => {
            return Err(row.reject(if row.has(UNIT_PRICE) { UNIT_PRICE } else { AMOUNT }, "", FieldError::Missing));
        }
    };
    let special_price = row.column(SPECIAL_PRICE, parse_bool)?.map(|b| b.unwrap_or(false));
    let gift_wrap = row.column(GIFT_WRAP, parse_bool)?.map(|b| b.unwrap_or(false));
    let (sku, name, category) = (row.text(SKU)?, row.text(NAME)?, row.text(CATEGORY)?);
    lines.order.push(lines.orders.intern_repeated(order));
    lines.qty.push(qty);
    lines.unit_price.push(unit_price);
    lines.amount.push(amount);
    put(&mut lines.sku, sku);
    put(&mut lines.name, name);
    put(&mut lines.category, category);
    put(&mut lines.special_price, special_price);
    put(&mut lines.gift_wrap, gift_wrap);
    Ok(())
}

/// The largest line amount computed from price × quantity (as
/// [`parse_money`] allows for amounts given).
const MAX_FEN: u64 = 1_000_000_000_000_000;

/// `amount / qty` to the nearest fen, halves away from zero (`qty` ≠ 0).
fn rounded_div(amount: Fen, qty: i64) -> Fen {
    let (a, q) = (amount.unsigned_abs(), qty.unsigned_abs());
    let magnitude = ((a / q) + u64::from(a % q >= q - a % q)) as Fen;
    if (amount < 0) != (qty < 0) { -magnitude } else { magnitude }
}

fn event_row(events: &mut Events, row: &Row<'_, '_>, pending: &mut Pending) -> Result<Day, Rejection> {
    use event_field::*;
    let member = row.required(MEMBER, Ok)?;
    let (day, minute) = row.required(AT, parse_day_minute)?;
    let kind = row.required(TYPE, parse_event_type)?;
    let points = row.column(POINTS, parse_points)?.map(|p| p.unwrap_or(0));
    if kind == EventType::PointsRedeemed && points.unwrap_or(0) == 0 {
        return Err(row.reject(POINTS, row.text(POINTS)?.unwrap_or_default(), FieldError::MissingPoints));
    }
    let (activity, channel, coupon) = (row.text(KIND)?, row.text(CHANNEL)?, row.text(COUPON)?);
    events.ids.intern_later(member, &mut events.member, pending);
    events.day.push(day);
    events.minute.push(minute);
    events.kind.push(kind);
    put(&mut events.activity, activity);
    put(&mut events.channel, channel);
    put(&mut events.coupon, coupon);
    put(&mut events.points, points);
    Ok(day)
}

/// Points: a whole number, 0 or more.
fn parse_points(s: &str) -> Result<i64, FieldError> {
    parse_int(s).ok().filter(|&p| p >= 0).ok_or(FieldError::BadPoints)
}

/// Checks that the field positions above match the field lists.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::headers::fields;

    #[test]
    fn field_positions_match_the_field_lists() {
        use event_field as e;
        use line_field as l;
        use member_field as m;
        use order_field as o;
        let positions: &[(Kind, &[(usize, &str)])] = &[
            (
                Kind::Orders,
                &[
                    (o::MEMBER, "member_id"),
                    (o::ORDER_ID, "order_id"),
                    (o::PAID_AT, "paid_at"),
                    (o::AMOUNT, "amount"),
                    (o::STATUS, "status"),
                    (o::REFUND, "refund_amount"),
                    (o::STORE, "store"),
                    (o::CHANNEL, "channel"),
                    (o::POINTS_USED, "points_used"),
                ],
            ),
            (
                Kind::Members,
                &[
                    (m::MEMBER, "member_id"),
                    (m::PHONE, "phone"),
                    (m::NAME, "name"),
                    (m::REGISTERED, "registered_at"),
                    (m::LEVEL, "level"),
                    (m::POINTS, "points"),
                    (m::GENDER, "gender"),
                    (m::BIRTHDAY, "birthday"),
                    (m::STORE, "store"),
                    (m::SOURCE_CHANNEL, "source_channel"),
                    (m::WECHAT_FAN, "is_wechat_fan"),
                    (m::FOLLOWED_AT, "followed_at"),
                    (m::REFERRER, "referrer_id"),
                    (m::BENEFIT_CARDS, "benefit_cards"),
                    (m::MANUAL_TAGS, "manual_tags"),
                    (m::MEMBER_TYPE, "member_type"),
                ],
            ),
            (
                Kind::OrderLines,
                &[
                    (l::ORDER_ID, "order_id"),
                    (l::SKU, "sku"),
                    (l::NAME, "name"),
                    (l::CATEGORY, "category"),
                    (l::UNIT_PRICE, "unit_price"),
                    (l::QTY, "qty"),
                    (l::AMOUNT, "amount"),
                    (l::SPECIAL_PRICE, "is_special_price"),
                    (l::GIFT_WRAP, "gift_wrap"),
                ],
            ),
            (
                Kind::Events,
                &[
                    (e::MEMBER, "member_id"),
                    (e::AT, "at"),
                    (e::TYPE, "type"),
                    (e::KIND, "kind"),
                    (e::CHANNEL, "channel"),
                    (e::COUPON, "coupon_id"),
                    (e::POINTS, "points"),
                ],
            ),
        ];
        for (kind, list) in positions {
            let names: Vec<&str> = fields(*kind).iter().map(|f| f.name).collect();
            let mut expected = vec![""; names.len()];
            for &(i, name) in *list {
                expected[i] = name;
            }
            assert_eq!(names, expected, "{kind:?}");
        }
    }

    #[test]
    fn events_of_the_same_member_in_a_row_get_the_index_interning_gives() {
        // Runs of one member, members coming back later, rejected rows inside
        // a run and between runs, ids that extend one another: every used
        // row's member is its id, and the ids are in first-seen order, as
        // when each row's id is interned.
        let mut csv = String::from("会员ID,时间,行为类型,渠道,积分\n");
        let mut used = Vec::new();
        let mut state = 7u32;
        for i in 0..5000 {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let member = ["M1", "M10", "M2", "M1 ", "M3"][(state >> 16) as usize % 5].trim();
            let run = 1 + (state >> 8) % 4;
            for k in 0..run {
                let bad = (i + k) % 13 == 0;
                let date = if bad { "never" } else { "2026-03-05 10:00" };
                csv.push_str(&format!("{member},{date},签到,小程序,\n"));
                if !bad {
                    used.push(member);
                }
            }
        }
        let loaded = crate::ingest::read(Kind::Events, csv.as_bytes(), &Default::default()).unwrap();
        let Table::Events(events) = loaded.table else { panic!("events") };
        assert_eq!(loaded.report.rows_used as usize, used.len());
        let mut interner = crate::model::Interner::default();
        let expected: Vec<u32> = used.iter().map(|m| interner.intern(m)).collect();
        assert!(events.member.iter().eq(expected));
        assert_eq!(events.ids.names(), interner.names());
        assert!(used.windows(2).filter(|w| w[0] == w[1]).count() > 1000);
    }

    #[test]
    fn unit_prices_from_line_amounts_round_half_away_from_zero() {
        assert_eq!(rounded_div(1000, 3), 333);
        assert_eq!(rounded_div(1001, 2), 501);
        assert_eq!(rounded_div(-1001, 2), -501);
        assert_eq!(rounded_div(-1000, -3), 333);
        assert_eq!(rounded_div(0, 5), 0);
    }
}
