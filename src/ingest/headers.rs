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
    /// Header spellings, compared after [`normalize`].
    pub aliases: &'static [&'static str],
}

const MEMBER_ID: FieldSpec = FieldSpec {
    name: "member_id",
    zh: "会员ID",
    required: true,
    aliases: &[
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
};
const PHONE: FieldSpec = FieldSpec {
    name: "phone",
    zh: "手机号",
    required: false,
    aliases: &["phone", "mobile", "手机号", "手机号码", "手机", "电话", "联系电话", "会员手机号", "tel"],
};
const NAME: FieldSpec = FieldSpec {
    name: "name",
    zh: "姓名",
    required: false,
    aliases: &["name", "姓名", "会员姓名", "客户姓名", "昵称", "会员昵称", "nickname", "customer_name"],
};
const STORE: FieldSpec = FieldSpec {
    name: "store",
    zh: "门店",
    required: false,
    aliases: &["store", "store_id", "store_name", "shop", "门店", "门店名称", "门店编号", "店铺", "所属门店"],
};
const CHANNEL: FieldSpec = FieldSpec {
    name: "channel",
    zh: "渠道",
    required: false,
    aliases: &["channel", "source", "渠道", "来源渠道", "来源", "下单渠道", "销售渠道"],
};

/// The orders file's fields.
pub const ORDER_FIELDS: &[FieldSpec] = &[
    MEMBER_ID,
    FieldSpec {
        name: "order_id",
        zh: "订单号",
        required: false,
        aliases: &["order_id", "orderid", "order_no", "订单号", "订单编号", "流水号", "交易单号", "单号", "小票号"],
    },
    FieldSpec {
        name: "paid_at",
        zh: "支付时间",
        required: true,
        aliases: &[
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
    },
    FieldSpec {
        name: "amount",
        zh: "实付金额",
        required: true,
        aliases: &[
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
    },
    FieldSpec {
        name: "status",
        zh: "订单状态",
        required: false,
        aliases: &["status", "order_status", "订单状态", "状态", "交易状态"],
    },
    FieldSpec {
        name: "refund_amount",
        zh: "退款金额",
        required: false,
        aliases: &["refund_amount", "refund", "退款金额", "已退款金额", "退款"],
    },
    STORE,
    CHANNEL,
];

/// The members file's fields.
pub const MEMBER_FIELDS: &[FieldSpec] = &[
    MEMBER_ID,
    PHONE,
    NAME,
    FieldSpec {
        name: "registered_at",
        zh: "注册时间",
        required: false,
        aliases: &[
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
    },
    FieldSpec {
        name: "level",
        zh: "会员等级",
        required: false,
        aliases: &["level", "member_level", "会员等级", "等级", "会员级别"],
    },
    FieldSpec {
        name: "points",
        zh: "积分",
        required: false,
        aliases: &["points", "point", "积分", "当前积分", "可用积分", "积分余额"],
    },
];

/// The field list of a dataset kind.
pub fn fields(kind: Kind) -> &'static [FieldSpec] {
    match kind {
        Kind::Orders => ORDER_FIELDS,
        Kind::Members => MEMBER_FIELDS,
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
    h.chars().filter(|c| !matches!(c, ' ' | '_' | '-' | '\u{3000}')).flat_map(char::to_lowercase).collect()
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
                message: format!("no header {header:?} in the file; headers are {}", headers.join(", ")),
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
    for (f, spec) in specs.iter().enumerate() {
        if spec.required && index[f].is_none() {
            return Err(ErrorKind::MissingColumn {
                file: file.into(),
                field: spec.name.into(),
                field_zh: spec.zh.into(),
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
    fn normalization() {
        assert_eq!(normalize(" Member_ID "), "memberid");
        assert_eq!(normalize("\u{feff}实付金额（元）"), "实付金额");
        assert_eq!(normalize("会员 ID"), "会员id");
    }
}
