//! Custom tags (自定义标签, DOMAIN §6): the store's own tags, defined in the
//! rules (`tags.custom`) in the crowd condition language
//! ([`super::condition`]), so a tag can become a crowd and a crowd a tag.
//!
//! ```json
//! { "tags": { "custom": [
//!   { "key": "big_basket_regular", "name": "大单常客", "nameEn": "Big-basket regular",
//!     "when": "f >= 8 and aov >= 60" }
//! ] } }
//! ```
//!
//! - Validated when the rules are set: a key (unique, not one of the eleven
//!   automatic tags' keys), a name, and an expression that parses; errors
//!   name the JSON path (`tags.custom[1].when`) and the position in the
//!   expression (`at 7: expected a value`).
//! - Evaluated per member after every other metric of the analysis, so the
//!   expression may read any crowd field. `tag` sees the automatic and the
//!   imported (manual) tags, not other custom tags; `pAlive` and `clv` come
//!   later (`predict()`) and are refused.
//! - A tag that fires carries as evidence the value of every field its
//!   expression reads (`null` when the member has none).

use super::condition::{Expr, FIELDS, Value};
use super::query::{View, field_value};
use crate::error::{Error, ErrorKind, Result};
use serde::{Deserialize, Serialize};

/// One custom tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomTag {
    /// Stable key, used by `tag = "<key>"` in crowds.
    pub key: String,
    /// 中文 name.
    pub name: String,
    /// English name (default: the 中文 name).
    #[serde(default)]
    pub name_en: String,
    /// The condition, in the crowd language.
    pub when: String,
}

/// Fields a custom tag may not read: they exist only after `predict()`.
const LATER: [&str; 2] = ["pAlive", "clv"];

/// Check every custom tag; errors name `tags.custom[i].<field>`.
pub fn validate(tags: &[CustomTag]) -> Result<()> {
    for (i, tag) in tags.iter().enumerate() {
        let at = |f: &str| format!("tags.custom[{i}].{f}");
        let key = tag.key.trim();
        if key.is_empty() {
            return Err(Error::invalid_rules(at("key"), "a custom tag needs a key"));
        }
        if key != tag.key || key.contains(['"', '\'']) {
            return Err(Error::invalid_rules(at("key"), "no quotes and no spaces around the key"));
        }
        if super::tags::Tag::ALL.iter().any(|t| t.key() == key) {
            return Err(Error::invalid_rules(at("key"), format!("\"{key}\" is an automatic tag's key")));
        }
        if tags[..i].iter().any(|t| t.key == tag.key) {
            return Err(Error::invalid_rules(at("key"), format!("\"{key}\" is used twice")));
        }
        if tag.name.trim().is_empty() {
            return Err(Error::invalid_rules(at("name"), "a custom tag needs a name"));
        }
        let expr = Expr::parse(&tag.when).map_err(|e| {
            let message = match e.kind() {
                ErrorKind::BadOptions { message, .. } => message.clone(),
                _ => e.to_string(),
            };
            Error::invalid_rules(at("when"), message)
        })?;
        if let Some(late) = expr.fields().into_iter().find(|f| LATER.contains(f)) {
            return Err(Error::invalid_rules(
                at("when"),
                format!("{late} is known only after predict(); a tag is computed with the analysis"),
            ));
        }
    }
    Ok(())
}

/// A custom tag that fired for a member.
#[derive(Debug, Clone, PartialEq)]
pub struct Fired {
    /// Index into `tags.custom`.
    pub index: u32,
    /// Each field the expression read, with the member's value.
    pub evidence: Vec<(&'static str, serde_json::Value)>,
}

/// A field value as JSON (`null` when the member has none).
pub fn json_value(value: Option<Value>) -> serde_json::Value {
    match value {
        None => serde_json::Value::Null,
        Some(Value::Num(x)) => {
            serde_json::Number::from_f64(x).map_or(serde_json::Value::Null, serde_json::Value::Number)
        }
        Some(Value::Text(s)) => serde_json::Value::String(s),
        Some(Value::List(items)) => {
            serde_json::Value::Array(items.into_iter().map(serde_json::Value::String).collect())
        }
    }
}

/// Each member's custom tags, by member index. Expressions that do not
/// parse (the rules were validated, so none) fire for nobody.
pub fn evaluate(view: &View<'_>, tags: &[CustomTag]) -> Vec<Vec<Fired>> {
    let n = view.analysis.profiles.len();
    let mut out: Vec<Vec<Fired>> = vec![Vec::new(); n];
    for (k, tag) in tags.iter().enumerate() {
        let Ok(expr) = Expr::parse(&tag.when) else { continue };
        let fields: Vec<&'static str> =
            expr.fields().iter().filter_map(|f| FIELDS.iter().find(|(name, _)| name == f).map(|x| x.0)).collect();
        for (i, fired) in out.iter_mut().enumerate() {
            if expr.matches(&|name| field_value(view, i, name)) {
                let evidence = fields.iter().map(|&f| (f, json_value(field_value(view, i, f)))).collect();
                fired.push(Fired { index: k as u32, evidence });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;

    fn rules(custom: &str) -> Result<Rules> {
        Rules::from_json(&format!(r#"{{"tags": {{"custom": {custom}}}}}"#))
    }

    #[test]
    fn validation_names_the_path_and_the_position() {
        let ok = rules(r#"[{"key": "big", "name": "大单", "when": "aov >= 60"}]"#).unwrap();
        assert_eq!(ok.tags.custom[0].name_en, "");
        let e = rules(r#"[{"key": "a", "name": "A", "when": "f >= 1"}, {"key": "b", "name": "B", "when": "f >= "}]"#)
            .unwrap_err();
        assert_eq!((e.code(), e.field()), ("INVALID_RULES", Some("tags.custom[1].when")));
        assert!(e.to_string().contains("at 3: expected a value"), "{e}");
        let e = rules(r#"[{"key": "a", "name": "A", "when": "ff >= 1"}]"#).unwrap_err();
        assert!(e.to_string().contains("at 0: unknown field \"ff\""), "{e}");
        for (custom, field) in [
            (r#"[{"key": "", "name": "A", "when": "f >= 1"}]"#, "tags.custom[0].key"),
            (r#"[{"key": "stockpiler", "name": "A", "when": "f >= 1"}]"#, "tags.custom[0].key"),
            (
                r#"[{"key": "a", "name": "A", "when": "f >= 1"}, {"key": "a", "name": "B", "when": "f >= 2"}]"#,
                "tags.custom[1].key",
            ),
            (r#"[{"key": "a", "name": " ", "when": "f >= 1"}]"#, "tags.custom[0].name"),
            (r#"[{"key": "a", "name": "A", "when": "pAlive < 0.5"}]"#, "tags.custom[0].when"),
            (r#"[{"key": "a", "name": "A", "when": "f >= 1", "levers": []}]"#, "tags.custom[0].levers"),
        ] {
            assert_eq!(rules(custom).unwrap_err().field(), Some(field), "{custom}");
        }
    }

    #[test]
    fn values_as_json() {
        assert_eq!(json_value(None), serde_json::Value::Null);
        assert_eq!(json_value(Some(Value::Num(2.5))), serde_json::json!(2.5));
        assert_eq!(json_value(Some(Value::Text("x".into()))), serde_json::json!("x"));
        assert_eq!(json_value(Some(Value::List(vec!["a".into()]))), serde_json::json!(["a"]));
    }
}
