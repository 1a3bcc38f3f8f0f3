//! Exports: the member list as CSV bytes that Excel opens correctly (UTF-8
//! with BOM, CRLF), phones masked by default, and every text cell that a
//! spreadsheet would run as a formula (`= + - @`, tab, CR) neutralised with
//! a leading apostrophe.

use crate::analytics::query::{MemberRow, MembersQuery, View, row};
use crate::analytics::{Grade, Lifecycle, RfmClass, ValueGroup};
use crate::error::Result;
use crate::model::format_yuan;
use serde::Deserialize;

/// How to export the member list: a filter and sort like
/// [`MembersQuery`] (all rows, no paging), the language, and masking.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ExportOptions {
    /// Only this value group.
    pub value_group: Option<String>,
    /// Only this RFM class.
    pub rfm_class: Option<String>,
    /// Only this grade.
    pub grade: Option<String>,
    /// Only this lifecycle stage.
    pub lifecycle: Option<String>,
    /// Only this member level.
    pub level: Option<String>,
    /// Substring of id or name.
    pub search: Option<String>,
    /// Only members at risk (needs `predict`).
    pub at_risk: Option<bool>,
    /// Only members of this crowd (an expression of the condition language).
    pub crowd: Option<String>,
    /// Sort as in [`MembersQuery::sort`].
    pub sort: Option<String>,
    /// `zh` (default) or `en`: header and label language.
    pub lang: Option<String>,
    /// Mask phone numbers (default true).
    pub mask_phones: Option<bool>,
}

/// `13812341234` → `138****1234`; already-masked numbers stay as they are;
/// short numbers keep only their last two characters.
pub fn mask_phone(phone: &str) -> String {
    let phone = phone.trim();
    if phone.is_empty() || phone.contains('*') {
        return phone.to_string();
    }
    let chars: Vec<char> = phone.chars().collect();
    let n = chars.len();
    let (keep_front, keep_back) = if n >= 7 { (3, 4) } else { (0, n.min(2)) };
    chars.iter().enumerate().map(|(i, &c)| if i < keep_front || i >= n - keep_back { c } else { '*' }).collect()
}

/// A text cell made safe for spreadsheets and quoted for CSV.
pub fn text_cell(value: &str) -> String {
    let safe = match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_string(),
    };
    if safe.contains([',', '"', '\n', '\r']) { format!("\"{}\"", safe.replace('"', "\"\"")) } else { safe }
}

/// The member list as CSV bytes (UTF-8 with BOM).
pub fn members_csv(view: &View<'_>, options: &ExportOptions) -> Result<Vec<u8>> {
    let query = MembersQuery {
        value_group: options.value_group.clone(),
        rfm_class: options.rfm_class.clone(),
        grade: options.grade.clone(),
        lifecycle: options.lifecycle.clone(),
        level: options.level.clone(),
        search: options.search.clone(),
        at_risk: options.at_risk,
        crowd: options.crowd.clone(),
        vip: None,
        sort: options.sort.clone(),
        offset: None,
        limit: None,
    };
    let zh = match options.lang.as_deref() {
        None | Some("zh") => true,
        Some("en") => false,
        Some(other) => {
            return Err(crate::Error::bad_options("lang", format!("{other:?}: use \"zh\" or \"en\"")));
        }
    };
    let mask = options.mask_phones.unwrap_or(true);
    let header: &[&str] = if zh {
        &[
            "会员ID",
            "手机号",
            "姓名",
            "最近消费间隔R(天)",
            "消费频次F",
            "消费金额M(元)",
            "R评分",
            "F评分",
            "M评分",
            "RFM分类",
            "价值分组",
            "会员分级",
            "客单价(元)",
            "最大单笔(元)",
            "最近消费日期",
            "生命周期",
            "偏好渠道",
        ]
    } else {
        &[
            "member_id",
            "phone",
            "name",
            "R",
            "F",
            "M",
            "r_score",
            "f_score",
            "m_score",
            "rfm_class",
            "value_group",
            "grade",
            "aov",
            "max_order",
            "last_purchase",
            "lifecycle",
            "preferred_channel",
        ]
    };
    let mut out = String::from("\u{feff}");
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    let label = |labels: (&'static str, &'static str, &'static str)| if zh { labels.1 } else { labels.0 };
    for i in query.select(view)? {
        let r: MemberRow = row(view, i, mask);
        let num = |v: Option<u32>| v.map(|x| x.to_string()).unwrap_or_default();
        let score = |v: Option<u8>| v.map(|x| x.to_string()).unwrap_or_default();
        let yuan = |v: Option<i64>| v.map(format_yuan).unwrap_or_default();
        let cells = [
            text_cell(&r.id),
            text_cell(&r.phone),
            text_cell(&r.name),
            num(r.r),
            num(r.f),
            yuan(r.m_fen),
            score(r.r_score),
            score(r.f_score),
            score(r.m_score),
            r.rfm_class.map(|c| label(RfmClass::labels(c))).unwrap_or_default().to_string(),
            r.value_group.map(|g| label(ValueGroup::labels(g))).unwrap_or_default().to_string(),
            label(Grade::labels(r.grade)).to_string(),
            yuan(r.aov_fen),
            yuan(r.max_order_fen),
            r.last_purchase.unwrap_or_default(),
            r.lifecycle.map(|s| label(Lifecycle::labels(s))).unwrap_or_default().to_string(),
            text_cell(&r.preferred_channel.unwrap_or_default()),
        ];
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    Ok(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_masked() {
        assert_eq!(mask_phone("13812341234"), "138****1234");
        assert_eq!(mask_phone("+8613812341234"), "+86*******1234");
        assert_eq!(mask_phone("138****1234"), "138****1234");
        assert_eq!(mask_phone("12345"), "***45");
        assert_eq!(mask_phone(""), "");
    }

    #[test]
    fn formulas_are_neutralised_and_quotes_escaped() {
        assert_eq!(text_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(text_cell("+1"), "'+1");
        assert_eq!(text_cell("-2"), "'-2");
        assert_eq!(text_cell("@SUM"), "'@SUM");
        assert_eq!(text_cell("a,b"), "\"a,b\"");
        assert_eq!(text_cell("张三"), "张三");
    }
}
