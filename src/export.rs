//! Exports: the member list as CSV bytes that Excel opens correctly (UTF-8
//! with BOM, CRLF), phones masked by default, and every text cell that a
//! spreadsheet would run as a formula (`= + - @`, tab, CR) neutralised with
//! a leading apostrophe.

use crate::analytics::query::{MembersQuery, View, preferred_channel};
use crate::error::Result;
use crate::model::{Day, push_digits, push_yuan};
use chrono::Datelike;
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
    let mut out = String::new();
    push_masked_phone(&mut out, phone);
    out
}

/// [`mask_phone`] appended to `out`.
fn push_masked_phone(out: &mut String, phone: &str) {
    let phone = phone.trim();
    if phone.is_empty() || phone.contains('*') {
        out.push_str(phone);
        return;
    }
    let n = phone.chars().count();
    let (keep_front, keep_back) = if n >= 7 { (3, 4) } else { (0, n.min(2)) };
    out.extend(phone.chars().enumerate().map(|(i, c)| if i < keep_front || i >= n - keep_back { c } else { '*' }));
}

/// A text cell made safe for spreadsheets and quoted for CSV.
pub fn text_cell(value: &str) -> String {
    let mut out = String::new();
    push_text_cell(&mut out, value);
    out
}

/// [`text_cell`] appended to `out`.
fn push_text_cell(out: &mut String, value: &str) {
    let formula = matches!(value.chars().next(), Some('=' | '+' | '-' | '@' | '\t' | '\r'));
    let quote = value.contains([',', '"', '\n', '\r']);
    if quote {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    match quote {
        true => out.push_str(&value.replace('"', "\"\"")),
        false => out.push_str(value),
    }
    if quote {
        out.push('"');
    }
}

/// `YYYY-MM-DD` of a day appended to `out`, as [`crate::model::format_day`] writes it.
fn push_day(out: &mut String, day: Day) {
    let date = crate::model::date_of(day);
    match u64::try_from(date.year()) {
        Ok(year @ 0..=9999) => {
            push_digits(out, year, 4);
            out.push('-');
            push_digits(out, date.month().into(), 2);
            out.push('-');
            push_digits(out, date.day().into(), 2);
        }
        _ => out.push_str(&crate::model::format_day(day)),
    }
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
            return Err(crate::Error::bad_options("lang", format!("\"{other}\": use \"zh\" or \"en\"")));
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
    // Straight from the profiles to the text (a member row of the pages
    // builds some thirty fields and strings; the export needs seventeen).
    let (analysis, data) = (view.analysis, view.data);
    let mut masked = String::new();
    let rows = query.select(view)?;
    // About the bytes of a row (a doubling string copies the text so far
    // each time it grows: a byte loop in an MVP-only wasm module).
    out.reserve(rows.len() * 128);
    for i in rows {
        let p = &analysis.profiles[i];
        let rfm = p.rfm;
        let member = p.member_row.and_then(|row| data.members.as_ref().map(|m| (m, row as usize)));
        let phone = member.and_then(|(m, row)| m.phone.get(row)).map_or("", |s| s);
        let name = member.and_then(|(m, row)| m.name.get(row)).map_or("", |s| s);
        push_text_cell(&mut out, &analysis.ids()[i]);
        out.push(',');
        match mask {
            true => {
                masked.clear();
                push_masked_phone(&mut masked, phone);
                push_text_cell(&mut out, &masked);
            }
            false => push_text_cell(&mut out, phone),
        }
        out.push(',');
        push_text_cell(&mut out, name);
        out.push(',');
        if let Some(x) = rfm {
            for n in [x.r, x.f] {
                push_digits(&mut out, n.into(), 1);
                out.push(',');
            }
            push_yuan(&mut out, x.m);
            for score in x.scores {
                out.push(',');
                push_digits(&mut out, score.into(), 1);
            }
            out.push(',');
            out.push_str(label(x.class.labels()));
        } else {
            out.push_str(",,,,,,");
        }
        out.push(',');
        out.push_str(p.value_group.map(|g| label(g.labels())).unwrap_or_default());
        out.push(',');
        out.push_str(label(p.grade.labels()));
        out.push(',');
        if let Some(x) = rfm {
            push_yuan(&mut out, x.aov());
            out.push(',');
            push_yuan(&mut out, x.max_order);
        } else {
            out.push(',');
        }
        out.push(',');
        if let Some(day) = p.last_purchase {
            push_day(&mut out, day);
        }
        out.push(',');
        out.push_str(p.lifecycle.map(|s| label(s.labels())).unwrap_or_default());
        out.push(',');
        push_text_cell(&mut out, preferred_channel(view, i).map_or("", |(c, _)| c));
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
