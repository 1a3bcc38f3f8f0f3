//! Header recognition: which column holds which canonical field, from the
//! Chinese and English aliases that store systems write (DOMAIN §1), in any
//! order, with a caller-supplied mapping taking precedence over the guess.

use super::Kind;
use crate::error::{ErrorKind, Result};

/// One canonical field of a dataset.
#[derive(Debug)]
pub struct FieldSpec {
    /// Canonical name, e.g. `member_id`.
    pub name: &'static str,
    /// Chinese name for messages.
    pub zh: &'static str,
    /// A file without this column cannot be used.
    pub required: bool,
    /// A file without this column nor the one named here cannot be used
    /// (order lines need a unit price or a line amount).
    pub unless: Option<&'static str>,
    /// Header spellings, compared after [`normalize`].
    pub aliases: &'static [&'static str],
}

/// An optional field.
const fn field(name: &'static str, zh: &'static str, aliases: &'static [&'static str]) -> FieldSpec {
    FieldSpec { name, zh, required: false, unless: None, aliases }
}

/// A required field.
const fn required(name: &'static str, zh: &'static str, aliases: &'static [&'static str]) -> FieldSpec {
    FieldSpec { required: true, ..field(name, zh, aliases) }
}

const MEMBER_ID: FieldSpec = required(
    "member_id",
    "会员ID",
    &[
        "member_id",
        "memberid",
        "member",
        "member_no",
        "会员id",
        "会员编号",
        "会员卡号",
        "会员号",
        "卡号",
        "客户id",
        "客户编号",
        "用户id",
        "用户编号",
        "顾客id",
        "customer_id",
        "customerid",
        "customer",
        "user_id",
        "userid",
        "cust_id",
    ],
);
const PHONE: FieldSpec = field(
    "phone",
    "手机号",
    &["phone", "mobile", "手机号", "手机号码", "手机", "电话", "联系电话", "会员手机号", "tel"],
);
const NAME: FieldSpec =
    field("name", "姓名", &["name", "姓名", "会员姓名", "客户姓名", "昵称", "会员昵称", "nickname", "customer_name"]);
const STORE: FieldSpec = field(
    "store",
    "门店",
    &["store", "store_id", "store_name", "shop", "门店", "门店名称", "门店编号", "店铺", "所属门店"],
);
const CHANNEL: FieldSpec =
    field("channel", "渠道", &["channel", "source", "渠道", "来源渠道", "来源", "下单渠道", "销售渠道"]);
const ORDER_ID: &[&str] =
    &["order_id", "orderid", "order_no", "订单号", "订单编号", "流水号", "交易单号", "单号", "小票号", "订单id"];

/// The orders file's fields.
pub const ORDER_FIELDS: &[FieldSpec] = &[
    MEMBER_ID,
    field("order_id", "订单号", ORDER_ID),
    required(
        "paid_at",
        "支付时间",
        &[
            "paid_at",
            "paidat",
            "order_date",
            "order_time",
            "date",
            "time",
            "created_at",
            "支付时间",
            "下单时间",
            "交易时间",
            "成交时间",
            "创建时间",
            "付款时间",
            "消费时间",
            "时间",
            "日期",
            "订单日期",
        ],
    ),
    required(
        "amount",
        "实付金额",
        &[
            "amount",
            "total",
            "revenue",
            "paid_amount",
            "实付金额",
            "实收金额",
            "订单金额",
            "消费金额",
            "支付金额",
            "实付",
            "金额",
            "付款金额",
            "订单实付金额",
        ],
    ),
    field("status", "订单状态", &["status", "order_status", "订单状态", "状态", "交易状态"]),
    field("refund_amount", "退款金额", &["refund_amount", "refund", "退款金额", "已退款金额", "退款"]),
    STORE,
    CHANNEL,
    field(
        "points_used",
        "积分抵扣",
        &[
            "points_used",
            "used_points",
            "points_deducted",
            "points_offset",
            "points_redeemed",
            "积分抵扣",
            "抵扣积分",
            "使用积分",
            "积分抵现",
            "抵现积分",
            "积分抵扣数",
            "使用积分数",
            "消耗积分",
        ],
    ),
];

/// The members file's fields.
pub const MEMBER_FIELDS: &[FieldSpec] = &[
    MEMBER_ID,
    PHONE,
    NAME,
    field(
        "registered_at",
        "注册时间",
        &[
            "registered_at",
            "register_time",
            "created_at",
            "join_date",
            "注册时间",
            "开卡时间",
            "成为会员时间",
            "入会时间",
            "注册日期",
        ],
    ),
    field("level", "会员等级", &["level", "member_level", "会员等级", "等级", "会员级别"]),
    field("points", "积分", &["points", "point", "积分", "当前积分", "可用积分", "积分余额"]),
    field("gender", "性别", &["gender", "sex", "性别"]),
    field(
        "birthday",
        "生日",
        &["birthday", "birth_date", "date_of_birth", "dob", "生日", "出生日期", "会员生日", "出生年月日", "出生年月"],
    ),
    field(
        "store",
        "所属门店",
        &[
            "store",
            "store_id",
            "store_name",
            "home_store",
            "shop",
            "所属门店",
            "开卡门店",
            "注册门店",
            "归属门店",
            "门店",
            "门店名称",
            "门店编号",
            "店铺",
        ],
    ),
    field(
        "source_channel",
        "来源渠道",
        &[
            "source_channel",
            "source",
            "channel",
            "来源渠道",
            "注册渠道",
            "开卡渠道",
            "会员来源",
            "注册来源",
            "来源",
            "渠道",
        ],
    ),
    field(
        "is_wechat_fan",
        "是否关注公众号",
        &[
            "is_wechat_fan",
            "wechat_fan",
            "is_fan",
            "fan",
            "subscribed",
            "是否关注公众号",
            "是否关注",
            "是否粉丝",
            "是否微信粉丝",
            "微信粉丝",
            "公众号粉丝",
            "关注状态",
            "粉丝",
        ],
    ),
    field(
        "followed_at",
        "关注时间",
        &["followed_at", "follow_time", "subscribe_time", "关注时间", "关注公众号时间", "成为粉丝时间", "关注日期"],
    ),
    field(
        "referrer_id",
        "推荐人",
        &[
            "referrer_id",
            "referrer",
            "referred_by",
            "inviter_id",
            "inviter",
            "推荐人",
            "推荐人id",
            "推荐人编号",
            "推荐人会员id",
            "推荐会员",
            "邀请人",
            "邀请人id",
        ],
    ),
    field(
        "benefit_cards",
        "权益卡",
        &["benefit_cards", "benefit_card", "cards", "权益卡", "付费权益卡", "持有权益卡", "权益卡名称", "会员权益卡"],
    ),
    field(
        "manual_tags",
        "会员标签",
        &["manual_tags", "tags", "tag", "labels", "会员标签", "标签", "手动标签", "人工标签", "客户标签", "用户标签"],
    ),
    field(
        "member_type",
        "会员类型",
        &["member_type", "customer_type", "type", "会员类型", "客户类型", "用户类型", "会员性质", "类型"],
    ),
];

/// The order lines file's fields (订单明细). A line needs its order id, a
/// quantity and a unit price or a line amount.
pub const ORDER_LINE_FIELDS: &[FieldSpec] = &[
    required("order_id", "订单号", ORDER_ID),
    field(
        "sku",
        "商品编码",
        &[
            "sku",
            "sku_id",
            "item_id",
            "product_id",
            "barcode",
            "商品编码",
            "商品编号",
            "商品id",
            "货号",
            "条码",
            "商品条码",
            "sku编码",
        ],
    ),
    field(
        "name",
        "商品名称",
        &[
            "name",
            "product_name",
            "item_name",
            "product",
            "item",
            "title",
            "商品名称",
            "商品名",
            "品名",
            "商品",
            "商品标题",
        ],
    ),
    field(
        "category",
        "商品分类",
        &[
            "category",
            "category_name",
            "product_category",
            "商品分类",
            "类目",
            "商品类目",
            "分类",
            "品类",
            "类别",
            "一级类目",
        ],
    ),
    FieldSpec {
        unless: Some("amount"),
        ..field(
            "unit_price",
            "单价",
            &["unit_price", "price", "item_price", "单价", "商品单价", "销售单价", "售价", "价格", "成交单价"],
        )
    },
    required("qty", "数量", &["qty", "quantity", "count", "数量", "购买数量", "商品数量", "件数", "销售数量"]),
    field(
        "amount",
        "小计",
        &[
            "amount",
            "line_amount",
            "subtotal",
            "total",
            "小计",
            "实付金额",
            "商品实付金额",
            "实付",
            "金额",
            "商品金额",
            "成交金额",
            "实收金额",
        ],
    ),
    field(
        "is_special_price",
        "是否特价",
        &["is_special_price", "special_price", "special", "on_sale", "是否特价", "特价", "特价商品", "是否促销"],
    ),
    field(
        "gift_wrap",
        "礼品包装",
        &["gift_wrap", "giftwrap", "gift_wrapping", "is_gift_wrap", "礼品包装", "是否礼品包装", "礼盒包装", "是否礼盒"],
    ),
];

/// The events file's fields (行为).
pub const EVENT_FIELDS: &[FieldSpec] = &[
    MEMBER_ID,
    required(
        "at",
        "时间",
        &[
            "at",
            "time",
            "timestamp",
            "occurred_at",
            "event_time",
            "created_at",
            "date",
            "时间",
            "发生时间",
            "行为时间",
            "事件时间",
            "操作时间",
            "日期",
        ],
    ),
    required(
        "type",
        "事件类型",
        &["type", "event_type", "event", "action", "事件类型", "行为", "行为类型", "事件", "类型", "动作"],
    ),
    field("kind", "活动类型", &["kind", "activity_kind", "activity_type", "activity", "活动类型", "活动种类", "活动"]),
    field("channel", "渠道", &["channel", "source", "渠道", "触达渠道", "消息渠道", "来源渠道", "来源", "发送渠道"]),
    field(
        "coupon_id",
        "优惠券",
        &["coupon_id", "coupon", "coupon_code", "优惠券", "优惠券id", "优惠券编号", "券id", "券码", "优惠券名称"],
    ),
    field(
        "points",
        "积分",
        &[
            "points",
            "point",
            "points_amount",
            "积分",
            "积分数",
            "积分数量",
            "消耗积分",
            "兑换积分",
            "使用积分",
            "积分变动",
        ],
    ),
];

/// The field list of a dataset kind.
pub fn fields(kind: Kind) -> &'static [FieldSpec] {
    match kind {
        Kind::Orders => ORDER_FIELDS,
        Kind::Members => MEMBER_FIELDS,
        Kind::OrderLines => ORDER_LINE_FIELDS,
        Kind::Events => EVENT_FIELDS,
    }
}

/// Lower-case ASCII, drop spaces, `_`, `-`, and a unit suffix in brackets
/// (`实付金额(元)`), so that `Member ID`, `member_id` and `会员 ID` agree.
pub fn normalize(header: &str) -> String {
    let mut h = header.trim().trim_start_matches('\u{feff}').trim_matches('"').trim();
    for (open, close) in [('(', ')'), ('（', '）'), ('[', ']'), ('【', '】')] {
        if h.ends_with(close) {
            if let Some(at) = h.rfind(open) {
                if at > 0 {
                    h = &h[..at];
                }
            }
        }
    }
    // ASCII only: the aliases are Chinese and English, and Unicode case
    // mapping would link its tables into the wasm.
    h.chars().filter(|c| !matches!(c, ' ' | '_' | '-' | '\u{3000}')).map(|c| c.to_ascii_lowercase()).collect()
}

/// Which column holds each field, as decided for one file.
#[derive(Debug, Clone)]
pub struct Columns {
    /// Per field of [`fields`], the column index.
    pub index: Vec<Option<usize>>,
    /// Canonical field → header as written, for the report.
    pub mapping: Vec<(String, String)>,
    /// Headers that hold no field, as written.
    pub ignored: Vec<String>,
}

/// Decide the columns of a file from its header row and the caller's
/// mapping (canonical field → header as written).
pub fn resolve(kind: Kind, headers: &[String], user: &[(String, String)], file: &str) -> Result<Columns> {
    let specs = fields(kind);
    let mut index: Vec<Option<usize>> = vec![None; specs.len()];
    let mut taken = vec![false; headers.len()];
    for (field, header) in user {
        let Some(f) = specs.iter().position(|s| s.name == field) else {
            let known: Vec<&str> = specs.iter().map(|s| s.name).collect();
            return Err(ErrorKind::BadMapping {
                file: file.into(),
                field: field.clone(),
                message: format!("unknown field; fields of this file are {}", known.join(", ")),
            }
            .into());
        };
        let Some(col) = headers.iter().position(|h| h.trim() == header.trim()) else {
            return Err(ErrorKind::BadMapping {
                file: file.into(),
                field: field.clone(),
                message: format!("no header \"{header}\" in the file; headers are {}", headers.join(", ")),
            }
            .into());
        };
        index[f] = Some(col);
        taken[col] = true;
    }
    let normalized: Vec<String> = headers.iter().map(|h| normalize(h)).collect();
    for (f, spec) in specs.iter().enumerate() {
        if index[f].is_some() {
            continue;
        }
        // Earlier aliases are the better names: try them in order.
        index[f] = spec.aliases.iter().find_map(|alias| {
            let alias = normalize(alias);
            (0..headers.len()).find(|&c| !taken[c] && normalized[c] == alias)
        });
        if let Some(c) = index[f] {
            taken[c] = true;
        }
    }
    let given = |name: &str| specs.iter().zip(&index).any(|(s, i)| s.name == name && i.is_some());
    for (f, spec) in specs.iter().enumerate() {
        let needed = spec.required || spec.unless.is_some_and(|other| !given(other));
        if needed && index[f].is_none() {
            let other = spec.unless.and_then(|other| specs.iter().find(|s| s.name == other));
            return Err(ErrorKind::MissingColumn {
                file: file.into(),
                field: spec.name.into(),
                field_zh: other.map_or_else(|| spec.zh.into(), |o| format!("{}（或{}）", spec.zh, o.zh)),
                headers: headers.join(", "),
            }
            .into());
        }
    }
    let mapping =
        specs.iter().zip(&index).filter_map(|(s, i)| i.map(|c| (s.name.to_string(), headers[c].clone()))).collect();
    let ignored = headers.iter().zip(&taken).filter(|(_, t)| !**t).map(|(h, _)| h.clone()).collect();
    Ok(Columns { index, mapping, ignored })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hs(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn ascii_lower_case_is_unicode_lower_case_for_every_alias() {
        for kind in Kind::ALL {
            for alias in fields(kind).iter().flat_map(|f| f.aliases) {
                assert_eq!(normalize(alias), normalize(alias).to_lowercase(), "{alias}");
                assert_eq!(normalize(&alias.to_uppercase()), normalize(alias), "{alias}");
            }
        }
    }

    #[test]
    fn chinese_and_english_aliases_in_any_order() {
        let c = resolve(Kind::Orders, &hs(&["实付金额(元)", "备注", "会员卡号", "支付时间"]), &[], "f").unwrap();
        assert_eq!(c.index[0], Some(2)); // member_id
        assert_eq!(c.index[2], Some(3)); // paid_at
        assert_eq!(c.index[3], Some(0)); // amount
        assert_eq!(c.ignored, vec!["备注"]);
        let c = resolve(Kind::Orders, &hs(&["Customer ID", "Order Date", "Revenue"]), &[], "f").unwrap();
        assert_eq!(c.mapping[0], ("member_id".into(), "Customer ID".into()));
    }

    #[test]
    fn first_alias_wins_and_duplicates_are_ignored() {
        let c = resolve(Kind::Orders, &hs(&["会员ID", "下单时间", "支付时间", "金额"]), &[], "f").unwrap();
        assert_eq!(c.index[2], Some(2)); // 支付时间 ranks before 下单时间
        assert_eq!(c.ignored, vec!["下单时间"]);
    }

    #[test]
    fn user_mapping_overrides_the_guess() {
        let user = vec![("member_id".to_string(), "手机".to_string())];
        let c = resolve(Kind::Orders, &hs(&["会员ID", "手机", "日期", "金额"]), &user, "f").unwrap();
        assert_eq!(c.index[0], Some(1));
        assert_eq!(c.ignored, vec!["会员ID"]);
    }

    #[test]
    fn missing_and_bad_mappings_say_why() {
        let e = resolve(Kind::Orders, &hs(&["会员ID", "金额"]), &[], "a.csv").unwrap_err();
        assert_eq!(e.code(), "MISSING_COLUMN");
        assert_eq!(e.field(), Some("paid_at"));
        assert!(e.to_string().contains("会员ID, 金额"), "{e}");
        let user = vec![("member".to_string(), "x".to_string())];
        assert_eq!(resolve(Kind::Orders, &hs(&["a"]), &user, "f").unwrap_err().code(), "BAD_MAPPING");
        let user = vec![("member_id".to_string(), "x".to_string())];
        assert_eq!(resolve(Kind::Orders, &hs(&["a"]), &user, "f").unwrap_err().field(), Some("member_id"));
    }

    #[test]
    fn order_lines_and_events_in_english_and_chinese() {
        let names = |kind, headers: &[&str]| -> Vec<String> {
            let c = resolve(kind, &hs(headers), &[], "f").unwrap();
            c.mapping.into_iter().map(|(field, _)| field).collect()
        };
        let en =
            ["Order No", "SKU", "Product Name", "Category", "Unit Price", "Qty", "Subtotal", "Special", "Gift Wrap"];
        let zh = ["订单编号", "商品编码", "商品名称", "类目", "单价", "数量", "实付金额", "特价", "礼品包装"];
        let all =
            ["order_id", "sku", "name", "category", "unit_price", "qty", "amount", "is_special_price", "gift_wrap"];
        assert_eq!(names(Kind::OrderLines, &en), all);
        assert_eq!(names(Kind::OrderLines, &zh), all);
        // Either money column will do; neither is an error naming both.
        assert_eq!(names(Kind::OrderLines, &["订单号", "数量", "小计"]), ["order_id", "qty", "amount"]);
        let e = resolve(Kind::OrderLines, &hs(&["订单号", "数量"]), &[], "f").unwrap_err();
        assert_eq!(e.field(), Some("unit_price"));
        let all = ["member_id", "at", "type", "kind", "channel", "coupon_id", "points"];
        let zh = ["会员ID", "发生时间", "行为", "活动类型", "渠道", "优惠券", "积分"];
        assert_eq!(names(Kind::Events, &zh), all);
        let en = ["user_id", "timestamp", "event_type", "activity_kind", "channel", "coupon_code", "points"];
        assert_eq!(names(Kind::Events, &en), all);
    }

    #[test]
    fn points_columns_of_orders_and_events() {
        let mapped = |kind, headers: &[&str]| resolve(kind, &hs(headers), &[], "f").unwrap().mapping;
        for header in ["积分抵扣", "抵扣积分", "使用积分", "Points Used"] {
            let m = mapped(Kind::Orders, &["会员ID", "支付时间", "实付金额", header]);
            assert_eq!(m.last(), Some(&("points_used".to_string(), header.to_string())), "{header}");
        }
        // A bare 积分 in an orders file (points earned, by the store's own
        // rules) is not points used: it is ignored.
        let c = resolve(Kind::Orders, &hs(&["会员ID", "支付时间", "实付金额", "积分"]), &[], "f").unwrap();
        assert_eq!(c.ignored, ["积分"]);
        let m = mapped(Kind::Events, &["会员ID", "时间", "类型", "兑换积分"]);
        assert_eq!(m.last(), Some(&("points".to_string(), "兑换积分".to_string())));
    }

    #[test]
    fn normalization() {
        assert_eq!(normalize(" Member_ID "), "memberid");
        assert_eq!(normalize("\u{feff}实付金额（元）"), "实付金额");
        assert_eq!(normalize("会员 ID"), "会员id");
    }
}
