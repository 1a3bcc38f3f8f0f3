//! Field parsers: the date, money, status and number forms that Chinese POS,
//! Youzan/Weimob back offices and Excel write (DOMAIN §1). Each returns the
//! exact value or a [`FieldError`] that becomes a rejected row's reason.

use crate::model::{Birthday, Day, EventType, Fen, Gender, MemberType, day_of};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};

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
    /// An event type that is none of the twelve of DOMAIN §1.
    UnknownEventType,
    /// Not a yes/no value.
    BadBoolean,
    /// A quantity that is fractional, zero or not a number.
    BadQuantity,
    /// A gender word that is none of male / female / unknown.
    UnknownGender,
    /// A member type that is neither personal nor enterprise.
    UnknownMemberType,
    /// Points that are not a whole number of at least 0.
    BadPoints,
    /// A points-redeemed event without a points amount.
    MissingPoints,
    /// A spreadsheet cell holding an error value (`#N/A`, `#DIV/0!`…).
    CellError,
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
            FieldError::UnknownEventType => "unknown_event_type",
            FieldError::BadBoolean => "bad_boolean",
            FieldError::BadQuantity => "bad_quantity",
            FieldError::UnknownGender => "unknown_gender",
            FieldError::UnknownMemberType => "unknown_member_type",
            FieldError::BadPoints => "bad_points",
            FieldError::MissingPoints => "missing_points",
            FieldError::CellError => "cell_error",
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
            FieldError::UnknownEventType => {
                "unknown event type (expected visit, add_to_cart, sign_in, share, review, referral, coupon_issued, \
                 coupon_used, message_sent, message_clicked, activity, group_join or points_redeemed, or 访问, 加购, \
                 签到, 分享, 评价, 推荐, 领券, 用券, 消息发送, 消息点击, 参加活动, 入群, 积分兑换)"
            }
            FieldError::BadBoolean => "not a yes/no value (e.g. 是/否, Y/N, 1/0, true/false, ✓)",
            FieldError::BadQuantity => "not a whole quantity other than 0 (e.g. 2, or -1 for a returned item)",
            FieldError::UnknownGender => "unknown gender (expected 男/女/未知, male/female/unknown, or 1/2/0)",
            FieldError::UnknownMemberType => "unknown member type (expected 个人/企业, personal/enterprise)",
            FieldError::BadPoints => "points must be a whole number, 0 or more (e.g. 500)",
            FieldError::MissingPoints => {
                "a points_redeemed event needs the points spent (a 积分 / points column above 0)"
            }
            FieldError::CellError => {
                "the spreadsheet cell holds an error (#N/A, #DIV/0!, #REF!…): fix its formula or clear it"
            }
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
            FieldError::UnknownEventType => {
                "无法识别的行为类型（应为访问、加购、签到、分享、评价、推荐、领券、用券、消息发送、消息点击、参加活动、入群或积分兑换）"
            }
            FieldError::BadBoolean => "无法识别的是/否值（如 是/否、Y/N、1/0、true/false、✓）",
            FieldError::BadQuantity => "数量应为非零整数（如 2，退货为 -1）",
            FieldError::UnknownGender => "无法识别的性别（应为男、女或未知）",
            FieldError::UnknownMemberType => "无法识别的会员类型（应为个人或企业）",
            FieldError::BadPoints => "积分应为不小于 0 的整数（如 500）",
            FieldError::MissingPoints => "积分兑换行缺少所用积分（需要大于 0 的积分列）",
            FieldError::CellError => "该单元格是表格错误值（#N/A、#DIV/0!、#REF! 等），请修正公式或清空",
        }
    }
}

/// `s` without white space at either end, as [`str::trim`], after a look
/// at its first and last bytes only when neither can belong to a white
/// space character (most cells).
#[inline]
pub fn trim(s: &str) -> &str {
    let (Some(&a), Some(&z)) = (s.as_bytes().first(), s.as_bytes().last()) else { return s };
    let space_first = SPACE_BYTES[usize::from(a)] & 1 != 0 && s.chars().next().is_some_and(char::is_whitespace);
    let space_last = SPACE_BYTES[usize::from(z)] & 2 != 0 && s.chars().next_back().is_some_and(char::is_whitespace);
    if space_first || space_last { s.trim() } else { s }
}

/// For each byte: 1 when a white space character can start with it, 2 when
/// one can end with it (Unicode White_Space: U+0009–000D, 0020, 0085,
/// 00A0, 1680, 2000–200A, 2028, 2029, 202F, 205F, 3000).
const SPACE_BYTES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let first = matches!(b, 0x09..=0x0D | 0x20 | 0xC2 | 0xE1..=0xE3);
        let last = matches!(b, 0x09..=0x0D | 0x20 | 0x80..=0x8A | 0x9F | 0xA0 | 0xA8 | 0xA9 | 0xAF);
        t[b] = first as u8 | (last as u8) << 1;
        b += 1;
    }
    t
};

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
    let s = trim(s);
    if s.is_empty() {
        return Ok(Status::Paid);
    }
    word(s, status_word).ok_or(FieldError::UnknownStatus)
}

/// Look a trimmed word up in `table`. Exports write one spelling row after
/// row: match it as written first, and allocate a normalised copy (lower
/// case, `_` for spaces and `-`) only for words that need it.
fn word<T>(s: &str, table: fn(&str) -> Option<T>) -> Option<T> {
    table(s).or_else(|| {
        let odd = |b: u8| b.is_ascii_uppercase() || b == b' ' || b == b'-';
        if !s.bytes().any(odd) {
            return None;
        }
        let norm: String = s.chars().map(|c| if c == ' ' || c == '-' { '_' } else { c.to_ascii_lowercase() }).collect();
        table(&norm)
    })
}

fn status_word(s: &str) -> Option<Status> {
    match s {
        "交易成功" | "已完成" | "已支付" | "已付款" | "交易完成" | "已发货" | "待发货" | "已收货" | "已签收"
        | "成功" | "完成" | "部分退款" | "退款中" | "退款失败" | "paid" | "completed" | "complete" | "success"
        | "succeeded" | "shipped" | "delivered" | "partially refunded" | "partial refund" | "partially_refunded"
        | "partial_refund" => Some(Status::Paid),
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
    let mut t = trim(s);
    if t.is_empty() {
        return Err(FieldError::Missing);
    }
    if let Some(fen) = plain_money(t.as_bytes()) {
        return Ok(fen);
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

/// The form most exports write, `1234.50` (digits, then a point and one
/// or two digits, or none), read digit by digit; `None` for any other
/// form, which [`parse_money`] then reads the general way.
fn plain_money(t: &[u8]) -> Option<Fen> {
    let (int_part, frac_part) = match t.iter().position(|&b| b == b'.') {
        Some(dot) => (&t[..dot], &t[dot + 1..]),
        None => (t, &[][..]),
    };
    // At most 13 digits of yuan: far from overflow and from the limit.
    if int_part.is_empty()
        || int_part.len() > 13
        || frac_part.len() > 2
        || (t.len() > int_part.len() && frac_part.is_empty())
    {
        return None;
    }
    let mut fen: Fen = 0;
    for &b in int_part.iter().chain(frac_part) {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        fen = fen * 10 + Fen::from(d);
    }
    Some(if frac_part.len() == 1 {
        fen * 10
    } else if frac_part.is_empty() {
        fen * 100
    } else {
        fen
    })
}

/// Parse a whole number such as `1,200`, `-5` or `1200.00` (zeros after
/// the point, as spreadsheets write whole numbers).
pub fn parse_int(s: &str) -> Result<i64, FieldError> {
    let t: String = s.trim().chars().filter(|c| *c != ',').collect();
    if t.is_empty() {
        return Err(FieldError::Missing);
    }
    let whole = match t.split_once('.') {
        Some((w, zeros)) if !w.is_empty() && zeros.bytes().all(|b| b == b'0') => w,
        _ => &t,
    };
    whole.parse::<i64>().map_err(|_| FieldError::BadInteger)
}

/// Parse a quantity: a whole number other than 0 (negative for a returned
/// item), with an optional counting word (`2件`, `3 个`). Fractions are
/// refused, never rounded.
pub fn parse_quantity(s: &str) -> Result<i64, FieldError> {
    let mut t = s.trim();
    for unit in ["件", "个", "份", "瓶", "盒", "袋", "只", "支", "包", "箱", "杯", "pcs", "pc"] {
        if let Some(rest) = t.strip_suffix(unit) {
            t = rest.trim_end();
            break;
        }
    }
    match parse_int(t) {
        Err(FieldError::Missing) if s.trim().is_empty() => Err(FieldError::Missing),
        Ok(0) | Err(_) => Err(FieldError::BadQuantity),
        other => other,
    }
}

/// Parse a yes/no cell: 是/否, Y/N, yes/no, 1/0, true/false, ✓/✗, 有/无,
/// 已关注/未关注.
pub fn parse_bool(s: &str) -> Result<bool, FieldError> {
    word(trim(s), bool_word).ok_or(FieldError::BadBoolean)
}

fn bool_word(s: &str) -> Option<bool> {
    match s {
        "是" | "y" | "yes" | "1" | "true" | "t" | "✓" | "✔" | "√" | "有" | "已关注" | "关注" | "粉丝" | "on" => {
            Some(true)
        }
        "否" | "n" | "no" | "0" | "false" | "f" | "✗" | "✘" | "×" | "无" | "未关注" | "已取关" | "取消关注"
        | "非粉丝" | "不是" | "off" => Some(false),
        _ => None,
    }
}

/// Parse a gender: 男/女/未知 and their variants, English words, or
/// WeChat's numbers (1 male, 2 female, 0 unknown).
pub fn parse_gender(s: &str) -> Result<Gender, FieldError> {
    word(trim(s), |w| match w {
        "男" | "男性" | "先生" | "m" | "male" | "man" | "1" => Some(Gender::Male),
        "女" | "女性" | "女士" | "f" | "female" | "woman" | "2" => Some(Gender::Female),
        "未知" | "保密" | "其他" | "不详" | "未设置" | "unknown" | "other" | "u" | "0" => {
            Some(Gender::Unknown)
        }
        _ => None,
    })
    .ok_or(FieldError::UnknownGender)
}

/// Parse a member type: 个人 (personal) or 企业 (enterprise).
pub fn parse_member_type(s: &str) -> Result<MemberType, FieldError> {
    word(trim(s), |w| match w {
        "个人" | "个人会员" | "个人客户" | "个人用户" | "散客" | "personal" | "individual" | "person" | "b2c" => {
            Some(MemberType::Personal)
        }
        "企业" | "企业会员" | "企业客户" | "企业用户" | "公司" | "团体" | "单位" | "enterprise" | "company"
        | "business" | "corporate" | "b2b" => Some(MemberType::Enterprise),
        _ => None,
    })
    .ok_or(FieldError::UnknownMemberType)
}

/// Parse an event type: the English keys of [`EventType::key`] (any case,
/// `-` or space for `_`) or the Chinese words store systems write.
pub fn parse_event_type(s: &str) -> Result<EventType, FieldError> {
    word(trim(s), event_word).ok_or(FieldError::UnknownEventType)
}

fn event_word(s: &str) -> Option<EventType> {
    use EventType::*;
    Some(match s {
        "visit" | "view" | "page_view" | "browse" | "访问" | "浏览" | "进店" | "到店" | "访问店铺" | "浏览商品" => {
            Visit
        }
        "add_to_cart" | "addtocart" | "add_cart" | "cart" | "加购" | "加入购物车" | "加购物车" | "添加购物车" => {
            AddToCart
        }
        "sign_in" | "signin" | "check_in" | "checkin" | "签到" | "每日签到" => SignIn,
        "share" | "分享" | "转发" => Share,
        "review" | "comment" | "评价" | "评论" | "晒单" => Review,
        "referral" | "refer" | "invite" | "推荐" | "邀请" | "推荐好友" | "邀请好友" => Referral,
        "coupon_issued" | "coupon_issue" | "coupon_received" | "coupon_claimed" | "领券" | "发券" | "领取优惠券"
        | "发放优惠券" | "优惠券发放" => CouponIssued,
        "coupon_used" | "coupon_use" | "coupon_redeemed" | "redeem" | "用券" | "核销" | "使用优惠券" | "优惠券核销"
        | "优惠券使用" => CouponUsed,
        "message_sent" | "message_send" | "push" | "sms_sent" | "消息发送" | "推送" | "发送消息" | "消息推送"
        | "短信发送" => MessageSent,
        "message_clicked" | "message_click" | "click" | "clicked" | "消息点击" | "点击" | "点击消息" | "点击链接" => {
            MessageClicked
        }
        "activity" | "join_activity" | "活动" | "参加活动" | "参与活动" | "报名活动" => Activity,
        "group_join" | "join_group" | "入群" | "加群" | "进群" | "加入社群" => GroupJoin,
        "points_redeemed"
        | "points_redeem"
        | "redeem_points"
        | "points_spent"
        | "points_exchange"
        | "积分兑换"
        | "积分消耗"
        | "积分使用"
        | "积分抽奖"
        | "兑换礼品"
        | "兑换优惠券"
        | "积分兑换礼品"
        | "积分兑换优惠券"
        | "积分换购" => PointsRedeemed,
        _ => return None,
    })
}

/// Parse a birthday: any date form of [`parse_datetime`] (the time is
/// ignored), or a month and day without the year (`03-05`, `3/5`,
/// `3月5日`, `--03-05`), as exports that hide the year write it.
pub fn parse_birthday(s: &str) -> Result<Birthday, FieldError> {
    use chrono::Datelike;
    match parse_datetime(s) {
        Ok(dt) => Ok(Birthday { year: Some(dt.year()), month: dt.month(), day: dt.day() }),
        Err(FieldError::BadDate) => month_day(s.trim()).ok_or(FieldError::BadDate),
        Err(e) => Err(e),
    }
}

fn month_day(t: &str) -> Option<Birthday> {
    let t = t.strip_prefix("--").unwrap_or(t);
    let mut parts = t.split(['-', '/', '.', '月', '日', '号', ' ']).filter(|p| !p.is_empty());
    let (m, d) = (parts.next()?, parts.next()?);
    let short = |p: &str| p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit());
    if parts.next().is_some() || !short(m) || !short(d) {
        return None;
    }
    let (month, day) = (m.parse().ok()?, d.parse().ok()?);
    // A leap year, so that 29 February is a birthday.
    NaiveDate::from_ymd_opt(2000, month, day).map(|_| Birthday { year: None, month, day })
}

/// The items of a list cell (benefit cards, tags): split on `、` `,` `;`
/// `|` and their full-width forms, trimmed, empty items dropped.
pub fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split(['、', ',', ';', '|', '，', '；', '｜']).map(str::trim).filter(|item| !item.is_empty())
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
    let t = trim(s);
    if t.is_empty() {
        return Err(FieldError::Missing);
    }
    match iso_datetime(t.as_bytes()) {
        Some(dt) => Ok(dt),
        None => general_datetime(t),
    }
}

/// Every form of [`parse_datetime`], from trimmed, non-empty text.
fn general_datetime(t: &str) -> Result<NaiveDateTime, FieldError> {
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

/// The form most exports write, `YYYY-MM-DD HH:MM:SS` (or a `T` for the
/// space, or without the seconds, or a date alone), read digit by digit;
/// `None` for any other form or any value out of range, which the general
/// reader of [`parse_datetime`] then reads (or rejects) the same way.
fn iso_datetime(t: &[u8]) -> Option<NaiveDateTime> {
    let [year, month, day, h, m, s] = iso_fields(t)?;
    let date = ymd(year as i32, month, day).ok()?;
    Some(NaiveDateTime::new(date, NaiveTime::from_hms_opt(h, m, s)?))
}

/// The numbers of [`iso_datetime`]'s form: year, month, day, hour, minute,
/// second (0 when not written), the hour at most 23 and the second at most
/// 59; the date and the minute are not checked.
fn iso_fields(t: &[u8]) -> Option<[u32; 6]> {
    let digits = |at: usize| -> Option<u32> {
        let (a, b) = (t.get(at)?.wrapping_sub(b'0'), t.get(at + 1)?.wrapping_sub(b'0'));
        (a < 10 && b < 10).then_some(u32::from(a) * 10 + u32::from(b))
    };
    let is = |at: usize, c: u8| t.get(at) == Some(&c);
    if !matches!(t.len(), 10 | 16 | 19) || !is(4, b'-') || !is(7, b'-') {
        return None;
    }
    let date = [digits(0)? * 100 + digits(2)?, digits(5)?, digits(8)?];
    if t.len() == 10 {
        return Some([date[0], date[1], date[2], 0, 0, 0]);
    }
    if !(is(10, b' ') || is(10, b'T')) || !is(13, b':') || (t.len() == 19 && !is(16, b':')) {
        return None;
    }
    let (h, m) = (digits(11)?, digits(14)?);
    let s = if t.len() == 19 { digits(17)? } else { 0 };
    // 24:00 and leap seconds: left to the general reader.
    (h <= 23 && s <= 59).then_some([date[0], date[1], date[2], h, m, s])
}

/// [`parse_datetime`] as the day number and the minute of the day, what
/// the orders and events tables keep. The common form ([`iso_fields`]) goes
/// straight to the day number, without building a date; any other goes
/// through [`parse_datetime`].
pub fn parse_day_minute(s: &str) -> Result<(Day, u16), FieldError> {
    let t = trim(s);
    if let Some([y, month, d, h, m, _]) = iso_fields(t.as_bytes())
        && m < 60
        && let Some(day) = day_number(y, month, d)
    {
        return Ok((day, (h * 60 + m) as u16));
    }
    parse_datetime(t).map(day_minute)
}

/// The day and the minute of the day of a date-time.
pub fn day_minute(at: NaiveDateTime) -> (Day, u16) {
    (day_of(at.date()), (at.hour() * 60 + at.minute()) as u16)
}

/// The day number ([`day_of`]) of a date in the years [`ymd`] accepts;
/// `None` for any other year or a day the month does not have.
fn day_number(y: u32, month: u32, d: u32) -> Option<Day> {
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days_in_month = [31, 28 + u32::from(leap), 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1900..=2199).contains(&y) || d == 0 || d > *days_in_month.get(month.wrapping_sub(1) as usize)? {
        return None;
    }
    // Days since 1 March of year 0 of the proleptic Gregorian calendar
    // (years start in March, so that 29 February ends one), then shifted:
    // day 1 is 1 January of year 1.
    let y = y - u32::from(month <= 2);
    let march_based = (month + 9) % 12;
    let day_of_year = (153 * march_based + 2) / 5 + d - 1;
    Some((y * 365 + y / 4 - y / 100 + y / 400 + day_of_year) as Day - 305)
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
    let secs = day_fraction_seconds(frac_part);
    let time = NaiveTime::from_num_seconds_from_midnight_opt(secs, 0)?;
    Some(NaiveDateTime::new(date, time))
}

/// The fraction of a day `0.DIGITS` in whole seconds, rounded half up and
/// capped at 86 399, exactly: Horner's rule from the last digit keeps
/// ⌊0.DIGITS × 172 800⌋ (twice the seconds) in integers, whatever the number of digits.
fn day_fraction_seconds(digits: &str) -> u32 {
    let twice = digits.bytes().rev().fold(0u32, |v, b| (u32::from(b - b'0') * 172_800 + v) / 10);
    twice.div_ceil(2).min(86_399)
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
    fn the_common_form_reads_as_the_general_one() {
        // Every case the digit-by-digit path takes or hands on, against
        // the general reader alone.
        for s in [
            "2026-03-05 14:03:00",
            "2026-03-05T14:03:09",
            "2026-03-05 14:03",
            "2026-03-05",
            "1900-01-01 00:00:00",
            "2199-12-31 23:59:59",
            "1899-12-31 23:59:59",
            "2200-01-01",
            "2026-02-29",
            "2024-02-29 12:00",
            "2026-03-05 24:00:00",
            "2026-03-05 24:00",
            "2026-03-05 23:60:00",
            "2026-03-05 23:59:60",
            "2026-03-05 23:59:99",
            "2026-3-05 14:03:00",
            "2026-03-05 1:03:000",
            "2026-03-0a 14:03:00",
            "2026-03-05 14-03-00",
            "2026/03/05 14:03:00",
            "2026-00-05",
            "2026-03-00",
        ] {
            let fast = iso_datetime(s.as_bytes());
            let slow = general_datetime(s);
            assert!(fast.is_none() || fast == slow.ok(), "{s}: {fast:?} vs {slow:?}");
            assert_eq!(
                dt(s),
                slow.map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string()).unwrap_or_else(|e| e.code().into()),
                "{s}"
            );
        }
        for date in ["2026-02-28", "2026-02-29", "2024-02-29", "2199-12-31"] {
            for h in 0..=25 {
                for (m, sec) in [(0, 0), (59, 59), (60, 0), (0, 60), (0, 99)] {
                    for s in [format!("{date} {h:02}:{m:02}:{sec:02}"), format!("{date}T{h:02}:{m:02}")] {
                        let fast = iso_datetime(s.as_bytes());
                        assert!(fast.is_none() || fast == general_datetime(&s).ok(), "{s}");
                    }
                }
            }
        }
        assert!(iso_datetime(b"2026-03-05 14:03:00").is_some());
        assert!(iso_datetime(b"2026-03-05 14:03").is_some());
        assert!(iso_datetime(b"2026-03-05").is_some());
    }

    #[test]
    fn excel_serials() {
        // 46086 is 2026-03-05 in Excel (1900 date system).
        assert_eq!(dt("46086"), "2026-03-05 00:00:00");
        assert_eq!(dt("46086.5"), "2026-03-05 12:00:00");
        assert_eq!(dt("46086.58541666"), "2026-03-05 14:03:00");
        assert_eq!(dt("99999"), "bad_date");
        // Exact rounding at the half second, however many digits follow.
        assert_eq!(day_fraction_seconds("5"), 43_200);
        assert_eq!(day_fraction_seconds("000005787037037037037037037037"), 0); // just under half a second
        assert_eq!(day_fraction_seconds("000005787037037037037037037038"), 1); // just over
        assert_eq!(day_fraction_seconds("99999999"), 86_399);
        assert_eq!(day_fraction_seconds(""), 0);
    }

    /// The day number and minute the tables keep, the general way.
    fn general_day_minute(s: &str) -> Result<(Day, u16), FieldError> {
        parse_datetime(s).map(day_minute)
    }

    #[test]
    fn day_minutes_are_those_of_the_general_reader_on_every_day() {
        // Every day of the years read, and a few days either side, in each
        // form of the fast path, with times at the edges.
        let on = |y, m, d| day_of(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        let (first, last) = (on(1899, 12, 25), on(2200, 1, 5));
        for day in first..=last {
            let date = crate::model::format_day(day);
            for s in [date.clone(), format!("{date} 23:59:59"), format!("{date}T00:01"), format!(" {date} 07:30 ")] {
                assert_eq!(parse_day_minute(&s), general_day_minute(&s), "{s}");
            }
        }
        for (y, m, d) in [(1900, 2, 29), (2000, 2, 29), (2100, 2, 29), (2024, 2, 29), (2026, 2, 29), (2026, 4, 31)] {
            let s = format!("{y}-{m:02}-{d:02} 10:00");
            assert_eq!(parse_day_minute(&s), general_day_minute(&s), "{s}");
        }
        assert_eq!(parse_day_minute("2026-03-05 14:03:00"), Ok((on(2026, 3, 5), 843)));
    }

    proptest::proptest! {
        /// Near-misses of the fast path's form read as the general reader reads them.
        #[test]
        fn day_minutes_match_the_general_reader(
            s in "[12][0-9]{3}[-/]([01][0-9]|2|13)[-/][0-3][0-9]([ T][0-2][0-9]:[0-6][0-9](:[0-9]{2})?)?( ?)",
        ) {
            proptest::prop_assert_eq!(parse_day_minute(&s), general_day_minute(&s), "{}", s);
        }
    }

    proptest::proptest! {
        /// The integer fraction agrees with the float computation it replaced,
        /// except within float error of a half second.
        #[test]
        fn day_fraction_matches_float(digits in "[0-9]{1,15}") {
            let x = format!("0.{digits}").parse::<f64>().unwrap() * 86_400.0;
            proptest::prop_assume!((x.fract() - 0.5).abs() > 1e-6);
            proptest::prop_assert_eq!(day_fraction_seconds(&digits), (x.round() as u32).min(86_399));
        }
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
    fn the_common_money_form_reads_as_the_general_one() {
        for s in [
            "0",
            "7",
            "34.03",
            "34.3",
            "34.",
            ".5",
            "0.07",
            "1234567890123.99",
            "12345678901234.5",
            "9999999999999.99",
            "1.234",
            "1.2.3",
            "1e3",
            "١٢",
            "00012.30",
        ] {
            let fast = plain_money(s.as_bytes());
            let mut general = s.to_string();
            general.push('元');
            assert!(fast.is_none() || fast == parse_money(&general).ok(), "{s}: {fast:?}");
            assert_eq!(parse_money(s), parse_money(&general), "{s}");
        }
        assert_eq!(plain_money(b"34.03"), Some(3403));
        assert_eq!(plain_money(b"34.3"), Some(3430));
        assert_eq!(plain_money(b"34"), Some(3400));
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
    fn trim_as_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\t12.50\r",
            "\u{3000}会员\u{3000}",
            "会员",
            "a\u{a0}",
            "\u{1c}x\u{1f}",
            "\u{7f}",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            for s in [format!("{c}x{c}"), format!("x{c}"), format!("{c}x")] {
                assert_eq!(trim(&s), s.trim(), "{:?}", c);
            }
        }
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
        assert_eq!(parse_int("1200.00"), Ok(1200));
        assert_eq!(parse_int("1.5"), Err(FieldError::BadInteger));
        assert_eq!(parse_int(".0"), Err(FieldError::BadInteger));
    }

    #[test]
    fn quantities_are_whole_and_never_zero() {
        assert_eq!(parse_quantity("2"), Ok(2));
        assert_eq!(parse_quantity("3件"), Ok(3));
        assert_eq!(parse_quantity(" 1,000 个 "), Ok(1000));
        assert_eq!(parse_quantity("-1"), Ok(-1));
        assert_eq!(parse_quantity("2.00"), Ok(2));
        for bad in ["1.5", "0", "0.0", "two", "件"] {
            assert_eq!(parse_quantity(bad), Err(FieldError::BadQuantity), "{bad}");
        }
        assert_eq!(parse_quantity(""), Err(FieldError::Missing));
    }

    #[test]
    fn yes_and_no() {
        for yes in ["是", "Y", "yes", "1", "TRUE", "✓", "√", "已关注"] {
            assert_eq!(parse_bool(yes), Ok(true), "{yes}");
        }
        for no in ["否", "n", "No", "0", "false", "✗", "×", "未关注"] {
            assert_eq!(parse_bool(no), Ok(false), "{no}");
        }
        assert_eq!(parse_bool("也许"), Err(FieldError::BadBoolean));
    }

    #[test]
    fn genders_and_member_types() {
        assert_eq!(parse_gender("男"), Ok(Gender::Male));
        assert_eq!(parse_gender("Female"), Ok(Gender::Female));
        assert_eq!(parse_gender("2"), Ok(Gender::Female));
        assert_eq!(parse_gender("保密"), Ok(Gender::Unknown));
        assert_eq!(parse_gender("外星"), Err(FieldError::UnknownGender));
        assert_eq!(parse_member_type("企业会员"), Ok(MemberType::Enterprise));
        assert_eq!(parse_member_type("Personal"), Ok(MemberType::Personal));
        assert_eq!(parse_member_type("VIP"), Err(FieldError::UnknownMemberType));
    }

    #[test]
    fn event_types_in_english_and_chinese() {
        for t in EventType::ALL {
            assert_eq!(parse_event_type(t.key()), Ok(t));
            assert_eq!(parse_event_type(&t.key().to_uppercase()), Ok(t));
            assert_eq!(parse_event_type(&t.key().replace('_', " ")), Ok(t));
        }
        let zh = [
            ("访问", EventType::Visit),
            ("浏览", EventType::Visit),
            ("加购", EventType::AddToCart),
            ("加入购物车", EventType::AddToCart),
            ("签到", EventType::SignIn),
            ("分享", EventType::Share),
            ("评价", EventType::Review),
            ("推荐", EventType::Referral),
            ("邀请", EventType::Referral),
            ("领券", EventType::CouponIssued),
            ("发券", EventType::CouponIssued),
            ("用券", EventType::CouponUsed),
            ("核销", EventType::CouponUsed),
            ("消息发送", EventType::MessageSent),
            ("推送", EventType::MessageSent),
            ("消息点击", EventType::MessageClicked),
            ("点击", EventType::MessageClicked),
            ("活动", EventType::Activity),
            ("参加活动", EventType::Activity),
            ("入群", EventType::GroupJoin),
            ("积分兑换", EventType::PointsRedeemed),
            ("积分抽奖", EventType::PointsRedeemed),
            ("兑换优惠券", EventType::PointsRedeemed),
        ];
        for (word, t) in zh {
            assert_eq!(parse_event_type(word), Ok(t), "{word}");
        }
        assert_eq!(parse_event_type("Add-To-Cart"), Ok(EventType::AddToCart));
        assert_eq!(parse_event_type("teleport"), Err(FieldError::UnknownEventType));
    }

    #[test]
    fn birthdays_with_and_without_the_year() {
        let b = |y, month, day| Ok(Birthday { year: y, month, day });
        assert_eq!(parse_birthday("1990-03-05"), b(Some(1990), 3, 5));
        assert_eq!(parse_birthday("1988年2月29日"), b(Some(1988), 2, 29));
        assert_eq!(parse_birthday("19900305"), b(Some(1990), 3, 5));
        assert_eq!(parse_birthday("03-15"), b(None, 3, 15));
        assert_eq!(parse_birthday("3月5日"), b(None, 3, 5));
        assert_eq!(parse_birthday("--02-29"), b(None, 2, 29));
        assert_eq!(parse_birthday("2/29"), b(None, 2, 29));
        for bad in ["1990-02-30", "13-01", "2026-03", "03-05-07-09", "生日"] {
            assert_eq!(parse_birthday(bad), Err(FieldError::BadDate), "{bad}");
        }
        let leap = parse_birthday("2/29").unwrap();
        assert_eq!(leap.in_year(2027), NaiveDate::from_ymd_opt(2027, 2, 28));
        assert_eq!(leap.date(), None);
    }

    #[test]
    fn list_cells() {
        let items: Vec<&str> = split_list(" PLUS年卡、生日礼包;; 咖啡卡 |茶卡，储值卡 ").collect();
        assert_eq!(items, ["PLUS年卡", "生日礼包", "咖啡卡", "茶卡", "储值卡"]);
        assert_eq!(split_list(" , ").count(), 0);
    }

    #[test]
    fn every_code_has_both_reasons() {
        use FieldError::*;
        let all = [
            Missing,
            BadDate,
            BadMoney,
            UnknownStatus,
            BadInteger,
            RefundTooLarge,
            FieldCount,
            DuplicateOrder,
            DuplicateMember,
            BadText,
            UnknownEventType,
            BadBoolean,
            BadQuantity,
            UnknownGender,
            UnknownMemberType,
            BadPoints,
            MissingPoints,
            CellError,
        ];
        let codes: std::collections::HashSet<&str> = all.iter().map(|e| e.code()).collect();
        assert_eq!(codes.len(), all.len());
        assert!(all.iter().all(|e| !e.reason_en().is_empty() && !e.reason_zh().is_empty()));
    }
}
