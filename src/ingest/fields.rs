//! Field parsers: the date, money, status and number forms that Chinese POS,
//! Youzan/Weimob back offices and Excel write (DOMAIN §1). Each returns the
//! exact value or a [`FieldError`] that becomes a rejected row's reason.

use crate::model::Fen;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// Why one field could not be used. Each variant has a stable code and a
/// reason in English and Chinese for the import report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldError {
    /// A required value is empty.
    Missing,
    /// Not a date or date-time in any known form.
    BadDate,
    /// Not an amount of money with at most two decimals.
    BadMoney,
    /// A status word that maps to none of paid / refunded / closed.
    UnknownStatus,
    /// Not a whole number.
    BadInteger,
    /// Refund larger than the amount paid.
    RefundTooLarge,
    /// The row has a different number of fields than the header.
    FieldCount,
    /// The same order id appeared on an earlier row.
    DuplicateOrder,
    /// The same member id appeared on an earlier row of the members file.
    DuplicateMember,
    /// The bytes are not valid in the file's encoding.
    BadText,
}

impl FieldError {
    /// Stable machine code.
    pub fn code(self) -> &'static str {
        match self {
            FieldError::Missing => "missing",
            FieldError::BadDate => "bad_date",
            FieldError::BadMoney => "bad_money",
            FieldError::UnknownStatus => "unknown_status",
            FieldError::BadInteger => "bad_integer",
            FieldError::RefundTooLarge => "refund_too_large",
            FieldError::FieldCount => "field_count",
            FieldError::DuplicateOrder => "duplicate_order",
            FieldError::DuplicateMember => "duplicate_member",
            FieldError::BadText => "bad_text",
        }
    }

    /// Reason in English.
    pub fn reason_en(self) -> &'static str {
        match self {
            FieldError::Missing => "value is empty",
            FieldError::BadDate => "not a date (e.g. 2026-03-05 14:03:00, 2026/3/5, 2026年3月5日, 20260305)",
            FieldError::BadMoney => "not an amount with at most two decimals (e.g. 1234.50, ¥1,234.50, 33元)",
            FieldError::UnknownStatus => "unknown order status (expected paid, refunded or closed)",
            FieldError::BadInteger => "not a whole number",
            FieldError::RefundTooLarge => "refund is larger than the amount paid",
            FieldError::FieldCount => "the row has a different number of fields than the header",
            FieldError::DuplicateOrder => "order id already seen on an earlier row",
            FieldError::DuplicateMember => "member id already seen on an earlier row",
            FieldError::BadText => "bytes are not valid text in the file's encoding",
        }
    }

    /// Reason in Chinese.
    pub fn reason_zh(self) -> &'static str {
        match self {
            FieldError::Missing => "值为空",
            FieldError::BadDate => "无法识别的日期（如 2026-03-05 14:03:00、2026/3/5、2026年3月5日、20260305）",
            FieldError::BadMoney => "无法识别的金额（最多两位小数，如 1234.50、￥1,234.50、33元）",
            FieldError::UnknownStatus => "无法识别的订单状态（应为已支付、已退款或已关闭）",
            FieldError::BadInteger => "不是整数",
            FieldError::RefundTooLarge => "退款金额大于实付金额",
            FieldError::FieldCount => "该行的列数与表头不一致",
            FieldError::DuplicateOrder => "订单号与前面的行重复",
            FieldError::DuplicateMember => "会员ID与前面的行重复",
            FieldError::BadText => "文字编码错误",
        }
    }
}

/// An order's status, reduced to what matters for the analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Paid, completed, shipped… (also partial refunds: the refund column says how much).
    Paid,
    /// Refunded in full (unless a refund amount column says less).
    Refunded,
    /// Closed, cancelled or never paid.
    Closed,
}

/// Map a status word (Chinese or English, any case) to a [`Status`];
/// empty means paid.
pub fn parse_status(s: &str) -> Result<Status, FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(Status::Paid);
    }
    // Exports write one spelling row after row: match it as written first,
    // and allocate a lower-case copy only for words with capitals.
    status_word(s)
        .or_else(|| s.bytes().any(|b| b.is_ascii_uppercase()).then(|| status_word(&s.to_ascii_lowercase())).flatten())
        .ok_or(FieldError::UnknownStatus)
}

fn status_word(s: &str) -> Option<Status> {
    match s {
        "交易成功" | "已完成" | "已支付" | "已付款" | "交易完成" | "已发货" | "待发货" | "已收货" | "已签收"
        | "成功" | "完成" | "部分退款" | "退款中" | "退款失败" | "paid" | "completed" | "complete" | "success"
        | "succeeded" | "shipped" | "delivered" | "partially refunded" | "partial refund" => Some(Status::Paid),
        "已退款" | "退款成功" | "全额退款" | "退款完成" | "已退货" | "refunded" | "refund" | "returned" => {
            Some(Status::Refunded)
        }
        "已关闭" | "交易关闭" | "已取消" | "取消" | "关闭" | "未支付" | "待付款" | "待支付" | "closed"
        | "cancelled" | "canceled" | "unpaid" | "void" => Some(Status::Closed),
        _ => None,
    }
}

/// Parse an amount of money into exact fen: `1234.5`, `-12.00`,
/// `¥1,234.50`, `￥1,234.50`, `33元`, `RMB 12`, `(12.00)` (accounting
/// negative). More than two decimals is an error unless the extra digits
/// are zeros: money is never rounded silently.
pub fn parse_money(s: &str) -> Result<Fen, FieldError> {
    let mut t = s.trim();
    if t.is_empty() {
        return Err(FieldError::Missing);
    }
    let mut negative = false;
    if let Some(inner) = t.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        negative = true;
        t = inner.trim();
    }
    if let Some(rest) = t.strip_prefix('-').or_else(|| t.strip_prefix('－')) {
        negative = !negative;
        t = rest.trim_start();
    } else if let Some(rest) = t.strip_prefix('+') {
        t = rest.trim_start();
    }
    for prefix in ["¥", "￥", "RMB", "rmb", "CNY", "cny"] {
        if let Some(rest) = t.strip_prefix(prefix) {
            t = rest.trim_start();
            break;
        }
    }
    for suffix in ["元", "RMB", "CNY"] {
        if let Some(rest) = t.strip_suffix(suffix) {
            t = rest.trim_end();
            break;
        }
    }
    // A sign written after the currency symbol: ¥-12.00
    if let Some(rest) = t.strip_prefix('-') {
        negative = !negative;
        t = rest;
    }
    let (int_part, frac_part) = match t.split_once('.') {
        Some((i, f)) => (i, f),
        None => (t, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(FieldError::BadMoney);
    }
    let mut yuan: i64 = 0;
    let mut digits = 0;
    for (k, c) in int_part.chars().enumerate() {
        match c {
            '0'..='9' => {
                yuan = yuan
                    .checked_mul(10)
                    .and_then(|y| y.checked_add(i64::from(c as u8 - b'0')))
                    .ok_or(FieldError::BadMoney)?;
                digits += 1;
            }
            // Thousands separators, only between digits.
            ',' | '，' if k > 0 => {}
            _ => return Err(FieldError::BadMoney),
        }
    }
    let mut fen: i64 = 0;
    for (k, c) in frac_part.chars().enumerate() {
        let d = c.to_digit(10).ok_or(FieldError::BadMoney)? as i64;
        match k {
            0 => fen += d * 10,
            1 => fen += d,
            _ if d == 0 => {}
            _ => return Err(FieldError::BadMoney),
        }
        digits += 1;
    }
    if digits == 0 {
        return Err(FieldError::BadMoney);
    }
    let total = yuan.checked_mul(100).and_then(|y| y.checked_add(fen)).ok_or(FieldError::BadMoney)?;
    // Amounts beyond 10^13 yuan are not money a store takes; they are junk.
    if total > 1_000_000_000_000_000 {
        return Err(FieldError::BadMoney);
    }
    Ok(if negative { -total } else { total })
}

/// Parse a whole number such as `1,200` or `-5`.
pub fn parse_int(s: &str) -> Result<i64, FieldError> {
    let t: String = s.trim().chars().filter(|c| *c != ',').collect();
    if t.is_empty() {
        return Err(FieldError::Missing);
    }
    t.parse::<i64>().map_err(|_| FieldError::BadInteger)
}

/// Excel's day 0 is 1899-12-30 (so that its fictitious 1900-02-29 cancels out).
const EXCEL_EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1899, 12, 30) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// Parse a date or date-time: `2026-03-05 14:03:00`, `2026-03-05T14:03`,
/// `2026/3/5 14:03`, `2026.3.5`, `2026年3月5日 14时3分`, `20260305`,
/// `20260305 140300`, or an Excel serial number (`46086`, `46086.585`,
/// read for years 1954–2119 only, so 8-digit dates are never mistaken for
/// one). A trailing zone (`Z`, `+08:00`) is ignored: business dates are
/// local. Times are optional; a date alone is midnight.
pub fn parse_datetime(s: &str) -> Result<NaiveDateTime, FieldError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(FieldError::Missing);
    }
    if let Some(dt) = excel_serial(t) {
        return Ok(dt);
    }
    // Split into runs of digits (at most six: date and time).
    let mut groups: [&str; 6] = [""; 6];
    let mut count = 0;
    let bytes = t.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if count == groups.len() {
                return Err(FieldError::BadDate);
            }
            groups[count] = &t[start..i];
            count += 1;
            if count == 3 && i < bytes.len() && matches!(bytes[i], b'+' | b'Z' | b'z') {
                break;
            }
        } else {
            let c = t[i..].chars().next().ok_or(FieldError::BadDate)?;
            let ok = matches!(c, '-' | '/' | '.' | ' ' | ':' | 'T' | '年' | '月' | '日' | '时' | '分' | '秒' | '号');
            if !ok {
                // A zone suffix after a full time: stop reading.
                if count >= 5 && matches!(c, '+' | 'Z' | 'z') {
                    break;
                }
                return Err(FieldError::BadDate);
            }
            i += c.len_utf8();
            if count >= 5 && c == '.' {
                // Fractional seconds: skip them.
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
            }
        }
    }
    let num = |g: &str| g.parse::<u32>().map_err(|_| FieldError::BadDate);
    let (date, rest) = match &groups[..count] {
        [compact, rest @ ..] if compact.len() == 8 => {
            let y = num(&compact[0..4])? as i32;
            (ymd(y, num(&compact[4..6])?, num(&compact[6..8])?)?, rest)
        }
        [y, m, d, rest @ ..] if y.len() == 4 && m.len() <= 2 && d.len() <= 2 => {
            (ymd(num(y)? as i32, num(m)?, num(d)?)?, rest)
        }
        _ => return Err(FieldError::BadDate),
    };
    let time = match rest {
        [] => NaiveTime::MIN,
        [hms] if hms.len() == 6 || hms.len() == 4 => {
            let sec = if hms.len() == 6 { num(&hms[4..6])? } else { 0 };
            hm(num(&hms[0..2])?, num(&hms[2..4])?, sec)?
        }
        [h, m] => hm(num(h)?, num(m)?, 0)?,
        [h, m, sec] => hm(num(h)?, num(m)?, num(sec)?)?,
        _ => return Err(FieldError::BadDate),
    };
    Ok(NaiveDateTime::new(date, time))
}

fn ymd(y: i32, m: u32, d: u32) -> Result<NaiveDate, FieldError> {
    if !(1900..=2199).contains(&y) {
        return Err(FieldError::BadDate);
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or(FieldError::BadDate)
}

fn hm(h: u32, m: u32, s: u32) -> Result<NaiveTime, FieldError> {
    // 24:00:00 is sometimes written for the end of a day; so is a leap second.
    match (h, m, s) {
        (24, 0, 0) => NaiveTime::from_hms_opt(23, 59, 59),
        _ => NaiveTime::from_hms_opt(h, m, s.min(59)),
    }
    .ok_or(FieldError::BadDate)
}

fn excel_serial(t: &str) -> Option<NaiveDateTime> {
    let (int_part, frac_part) = t.split_once('.').unwrap_or((t, ""));
    if int_part.len() != 5 || !int_part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !frac_part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let days: i64 = int_part.parse().ok()?;
    if !(20_000..=80_000).contains(&days) {
        return None;
    }
    let date = EXCEL_EPOCH.checked_add_signed(chrono::Duration::days(days))?;
    // The fraction of a day, to the second.
    let frac: f64 = if frac_part.is_empty() { 0.0 } else { format!("0.{frac_part}").parse().ok()? };
    let secs = ((frac * 86_400.0).round() as u32).min(86_399);
    let time = NaiveTime::from_num_seconds_from_midnight_opt(secs, 0)?;
    Some(NaiveDateTime::new(date, time))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> String {
        parse_datetime(s).map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string()).unwrap_or_else(|e| e.code().into())
    }

    #[test]
    fn every_date_form_of_domain_section_1() {
        assert_eq!(dt("2026-03-05 14:03:00"), "2026-03-05 14:03:00");
        assert_eq!(dt("2026/3/5 14:03"), "2026-03-05 14:03:00");
        assert_eq!(dt("2026年3月5日"), "2026-03-05 00:00:00");
        assert_eq!(dt("2026年3月5日 14时03分"), "2026-03-05 14:03:00");
        assert_eq!(dt("20260305"), "2026-03-05 00:00:00");
        assert_eq!(dt("20260305 140309"), "2026-03-05 14:03:09");
        assert_eq!(dt("2026-03-05T14:03:00+08:00"), "2026-03-05 14:03:00");
        assert_eq!(dt("2026-03-05T14:03:00.123Z"), "2026-03-05 14:03:00");
        assert_eq!(dt("2026.3.5"), "2026-03-05 00:00:00");
        assert_eq!(dt(" 2026-03-05 "), "2026-03-05 00:00:00");
    }

    #[test]
    fn excel_serials() {
        // 46086 is 2026-03-05 in Excel (1900 date system).
        assert_eq!(dt("46086"), "2026-03-05 00:00:00");
        assert_eq!(dt("46086.5"), "2026-03-05 12:00:00");
        assert_eq!(dt("46086.58541666"), "2026-03-05 14:03:00");
        assert_eq!(dt("99999"), "bad_date");
    }

    #[test]
    fn bad_dates_are_rejected() {
        for s in ["2026-02-30", "2026-13-01", "05/03/2026", "yesterday", "2026-03", "1800-01-01", "2026-03-05 25:00"] {
            assert_eq!(dt(s), "bad_date", "{s}");
        }
        assert_eq!(dt(""), "missing");
    }

    #[test]
    fn every_money_form_of_domain_section_1() {
        assert_eq!(parse_money("¥1,234.50"), Ok(123_450));
        assert_eq!(parse_money("￥1,234.50"), Ok(123_450));
        assert_eq!(parse_money("1234.5元"), Ok(123_450));
        assert_eq!(parse_money("33元"), Ok(3300));
        assert_eq!(parse_money("-12.00"), Ok(-1200));
        assert_eq!(parse_money("￥-12.00"), Ok(-1200));
        assert_eq!(parse_money("(12.00)"), Ok(-1200));
        assert_eq!(parse_money(".5"), Ok(50));
        assert_eq!(parse_money("0.07"), Ok(7));
        assert_eq!(parse_money("12.3400"), Ok(1234));
        assert_eq!(parse_money("RMB 8"), Ok(800));
    }

    #[test]
    fn money_is_never_rounded_silently() {
        assert_eq!(parse_money("12.345"), Err(FieldError::BadMoney));
        assert_eq!(parse_money("12,3a"), Err(FieldError::BadMoney));
        assert_eq!(parse_money(",12"), Err(FieldError::BadMoney));
        assert_eq!(parse_money("元"), Err(FieldError::BadMoney));
        assert_eq!(parse_money("1.2.3"), Err(FieldError::BadMoney));
        assert_eq!(parse_money("99999999999999999999"), Err(FieldError::BadMoney));
        assert_eq!(parse_money("  "), Err(FieldError::Missing));
    }

    #[test]
    fn statuses() {
        assert_eq!(parse_status("交易成功"), Ok(Status::Paid));
        assert_eq!(parse_status(""), Ok(Status::Paid));
        assert_eq!(parse_status("Completed"), Ok(Status::Paid));
        assert_eq!(parse_status("退款成功"), Ok(Status::Refunded));
        assert_eq!(parse_status("已关闭"), Ok(Status::Closed));
        assert_eq!(parse_status("发呆中"), Err(FieldError::UnknownStatus));
    }

    #[test]
    fn integers() {
        assert_eq!(parse_int("1,200"), Ok(1200));
        assert_eq!(parse_int("-5"), Ok(-5));
        assert_eq!(parse_int("1.5"), Err(FieldError::BadInteger));
    }
}
