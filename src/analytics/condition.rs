//! The condition language of crowds (人群, DOMAIN §7) and custom tags: a
//! small, documented expression language over member metrics, combined
//! with AND / OR / NOT. One language for both, so a tag can become a crowd.
//!
//! ```text
//! lifecycle = "dormant" and mScore >= 4
//! (r <= 30 or f >= 5) and not valueGroup in ("churned")
//! m >= 500 且 非 grade = "ordinary"
//! ```
//!
//! - Comparisons: `field op value` with `=` `!=` `<` `<=` `>` `>=`, and
//!   `field in (v1, v2, …)`. Numbers compare numerically, text exactly.
//! - Combine with `and` / `or` / `not` (also `&&` `||` `!` and 且 或 非);
//!   `and` binds tighter than `or`; parentheses group.
//! - Money fields are in **yuan** (`m >= 500` means ¥500). A member without
//!   a value for a field (e.g. no purchase in the window has no `r`) matches
//!   no comparison on it — `not` of such a comparison does match.
//! - Fields: see [`FIELDS`]. Unknown fields and malformed expressions are
//!   errors that say where (`at 14: expected a value`).

use crate::error::{Error, Result};

/// The fields an expression may name, with what they mean.
pub const FIELDS: &[(&str, &str)] = &[
    ("r", "days since the last purchase in the RFM window"),
    ("f", "purchases in the window"),
    ("m", "spend in the window, yuan"),
    ("aov", "average order value, yuan"),
    ("maxOrder", "largest order, yuan"),
    ("rScore", "R score 1–5"),
    ("fScore", "F score 1–5"),
    ("mScore", "M score 1–5"),
    ("rfmClass", "RFM class key, e.g. \"important_value\""),
    ("valueGroup", "value, potential, stable or churned"),
    ("grade", "core, important, potential or ordinary"),
    ("lifecycle", "prospect, new, active, dormant or churned"),
    ("level", "member level key, e.g. \"gold\""),
    ("store", "home store: the store of most purchases, else the members file's store"),
    ("wechatFan", "follows the official account (WeChat fan): yes or no"),
    ("daysSinceFollowed", "days since following the official account"),
    ("daysSinceVisit", "days since the last visit (events)"),
    ("daysSinceCartAdd", "days since the last add to cart (events)"),
    ("orders2Years", "purchases in the last two years (730 days)"),
    ("ordersNoRefund", "purchases in the last two years without any refund"),
    ("benefitCards", "number of benefit cards held"),
    ("benefitCard", "benefit cards: benefitCard = \"PLUS\" means the member holds that card"),
    ("preferredChannel", "preferred channel (most message clicks, else the store's best)"),
    ("growth", "growth value"),
    ("daysSinceLastPurchase", "days since the last purchase ever"),
    ("daysSinceRegistered", "days since registration"),
    ("points", "points balance from the members file"),
    ("memberType", "personal or enterprise (members file)"),
    ("pointsBalance", "points balance by the points ledger"),
    ("pointsExpiring", "points expiring within points.expiringWithinDays"),
    ("pointsExpiryDays", "days until the member's first points expire"),
    ("tag", "behaviour tags: tag = \"stockpiler\" means the member has that tag"),
    ("pAlive", "probability still a customer, 0–1 (after predict)"),
    ("clv", "lifetime value over the horizon, yuan (after predict)"),
];

/// The recommended crowds (系统推荐人群) that ship built in:
/// (key, 中文, English, expression).
pub const RECOMMENDED: &[(&str, &str, &str, &str)] = &[
    ("new_no_second_order", "新客未复购", "New members without a second order", "lifecycle = \"new\" and f <= 1"),
    (
        "high_value_dormant",
        "高价值会员沉睡",
        "High-value members gone dormant",
        "lifecycle = \"dormant\" and mScore >= 4",
    ),
    ("churned_big_spenders", "流失的大额客户", "Churned big spenders", "lifecycle = \"churned\" and maxOrder >= 100"),
    (
        "one_step_to_next_level",
        "差一点升级",
        "Close to the next level",
        "grade != \"ordinary\" and growth >= 400 and growth < 500",
    ),
    ("at_risk", "流失预警", "At risk (after predict)", "pAlive < 0.5"),
    ("points_expiring", "积分即将过期", "Points expiring soon", "pointsExpiring > 0"),
];

/// A value of a field for one member.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number (money in yuan).
    Num(f64),
    /// Text (keys, store names).
    Text(String),
    /// Several texts (tags): `=` and `in` mean "contains".
    List(Vec<String>),
}

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// Both.
    And(Box<Expr>, Box<Expr>),
    /// Either.
    Or(Box<Expr>, Box<Expr>),
    /// Not.
    Not(Box<Expr>),
    /// `field op value`.
    Compare(String, Op, Value),
    /// `field in (…)`.
    In(String, Vec<Value>),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// The fields read from the points ledger (the rest come from the analysis).
pub const LEDGER_FIELDS: [&str; 3] = ["pointsBalance", "pointsExpiring", "pointsExpiryDays"];

impl Expr {
    /// Parse an expression; errors name the position and what was expected.
    pub fn parse(text: &str) -> Result<Expr> {
        let tokens = lex(text)?;
        let mut p = Parser { tokens, at: 0 };
        let expr = p.or()?;
        match p.tokens.get(p.at) {
            None => Ok(expr),
            Some((pos, _)) => Err(syntax(*pos, &format!("unexpected \"{}\"", &text[*pos..]))),
        }
    }

    /// The fields the expression reads, each once, in the order written.
    pub fn fields(&self) -> Vec<&str> {
        fn walk<'a>(e: &'a Expr, out: &mut Vec<&'a str>) {
            match e {
                Expr::And(a, b) | Expr::Or(a, b) => {
                    walk(a, out);
                    walk(b, out);
                }
                Expr::Not(a) => walk(a, out),
                Expr::Compare(name, ..) | Expr::In(name, _) => {
                    if !out.contains(&name.as_str()) {
                        out.push(name);
                    }
                }
            }
        }
        let mut out = Vec::new();
        walk(self, &mut out);
        out
    }

    /// Whether `text` (an expression) reads a field of the points ledger
    /// ([`LEDGER_FIELDS`]), which needs every member's ledger replayed; an
    /// expression that does not parse reads nothing.
    pub fn reads_ledger(text: &str) -> bool {
        Expr::parse(text).is_ok_and(|e| e.fields().iter().any(|f| LEDGER_FIELDS.contains(f)))
    }

    /// Whether a member matches, given how to read its fields.
    pub fn matches(&self, field: &impl Fn(&str) -> Option<Value>) -> bool {
        match self {
            Expr::And(a, b) => a.matches(field) && b.matches(field),
            Expr::Or(a, b) => a.matches(field) || b.matches(field),
            Expr::Not(a) => !a.matches(field),
            Expr::Compare(name, op, want) => field(name).is_some_and(|have| compare(&have, *op, want)),
            Expr::In(name, list) => field(name).is_some_and(|have| list.iter().any(|v| compare(&have, Op::Eq, v))),
        }
    }
}

fn compare(have: &Value, op: Op, want: &Value) -> bool {
    use std::cmp::Ordering::*;
    if let (Value::List(items), Value::Text(t)) = (have, want) {
        let has = items.iter().any(|x| x == t);
        return match op {
            Op::Eq => has,
            Op::Ne => !has,
            _ => false,
        };
    }
    let ordering = match (have, want) {
        (Value::Num(a), Value::Num(b)) => a.partial_cmp(b),
        (Value::Text(a), Value::Text(b)) => Some(a.cmp(b)),
        _ => None,
    };
    match (ordering, op) {
        (None, Op::Ne) => true,
        (None, _) => false,
        (Some(o), Op::Eq) => o == Equal,
        (Some(o), Op::Ne) => o != Equal,
        (Some(o), Op::Lt) => o == Less,
        (Some(o), Op::Le) => o != Greater,
        (Some(o), Op::Gt) => o == Greater,
        (Some(o), Op::Ge) => o != Less,
    }
}

fn syntax(pos: usize, message: &str) -> Error {
    Error::bad_options("crowd", format!("at {pos}: {message}"))
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Num(f64),
    Text(String),
    Op(Op),
    And,
    Or,
    Not,
    In,
    Open,
    Close,
    Comma,
}

fn lex(text: &str) -> Result<Vec<(usize, Token)>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        let (pos, c) = chars[k];
        let next = chars.get(k + 1).map(|x| x.1);
        let (token, len) = match c {
            c if c.is_whitespace() => {
                k += 1;
                continue;
            }
            '(' | '（' => (Token::Open, 1),
            ')' | '）' => (Token::Close, 1),
            ',' | '，' => (Token::Comma, 1),
            '且' => (Token::And, 1),
            '或' => (Token::Or, 1),
            '非' => (Token::Not, 1),
            '&' if next == Some('&') => (Token::And, 2),
            '|' if next == Some('|') => (Token::Or, 2),
            '!' if next == Some('=') => (Token::Op(Op::Ne), 2),
            '!' => (Token::Not, 1),
            '<' if next == Some('=') => (Token::Op(Op::Le), 2),
            '>' if next == Some('=') => (Token::Op(Op::Ge), 2),
            '=' if next == Some('=') => (Token::Op(Op::Eq), 2),
            '<' => (Token::Op(Op::Lt), 1),
            '>' => (Token::Op(Op::Gt), 1),
            '=' => (Token::Op(Op::Eq), 1),
            '"' | '“' | '”' | '\'' => {
                let close = |x: char| x == c || (c == '“' && x == '”');
                let end =
                    chars[k + 1..].iter().position(|&(_, x)| close(x)).ok_or_else(|| syntax(pos, "unclosed quote"))?;
                let s: String = chars[k + 1..k + 1 + end].iter().map(|x| x.1).collect();
                (Token::Text(s), end + 2)
            }
            c if c.is_ascii_digit() || c == '.' || (c == '-' && next.is_some_and(|n| n.is_ascii_digit())) => {
                let end = chars[k + 1..]
                    .iter()
                    .position(|&(_, x)| !(x.is_ascii_digit() || x == '.'))
                    .map_or(chars.len() - k, |e| e + 1);
                let s: String = chars[k..k + end].iter().map(|x| x.1).collect();
                let n = decimal(&s).ok_or_else(|| {
                    syntax(pos, &format!("“{s}” is not a number (up to 15 significant digits, 22 after the point)"))
                })?;
                (Token::Num(n), end)
            }
            c if c.is_alphabetic() || c == '_' => {
                let end = chars[k..]
                    .iter()
                    .position(|&(_, x)| !(x.is_alphanumeric() || x == '_') || matches!(x, '且' | '或' | '非'))
                    .unwrap_or(chars.len() - k);
                let word: String = chars[k..k + end].iter().map(|x| x.1).collect();
                let token = match word.to_ascii_lowercase().as_str() {
                    "and" => Token::And,
                    "or" => Token::Or,
                    "not" => Token::Not,
                    "in" => Token::In,
                    _ => Token::Ident(word),
                };
                (token, end)
            }
            other => return Err(syntax(pos, &format!("unexpected character '{other}'"))),
        };
        out.push((pos, token));
        k += len;
    }
    Ok(out)
}

/// A number literal (digits with at most one point, perhaps a leading minus)
/// as the nearest f64, exactly and without the standard library's float
/// parser (a size saving in wasm): a mantissa below 2^53 and a power of ten
/// up to 10^22 are both exact in f64, so the one division — or, for a whole
/// number ending in zeros, the one multiplication — rounds correctly
/// (Clinger's fast path). Longer literals are refused (`None`), like malformed ones.
fn decimal(s: &str) -> Option<f64> {
    let (negative, unsigned) = s.strip_prefix('-').map_or((false, s), |rest| (true, rest));
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let frac = frac.trim_end_matches('0');
    // A whole number's trailing zeros are a power of ten to multiply by.
    let (int, zeros) = match frac {
        "" => (int.trim_end_matches('0'), int.len() - int.trim_end_matches('0').len()),
        _ => (int, 0),
    };
    let mut mantissa = 0u64;
    for b in int.bytes().chain(frac.bytes()) {
        if !b.is_ascii_digit() || mantissa >= 1 << 53 {
            return None;
        }
        mantissa = mantissa * 10 + u64::from(b - b'0');
    }
    if mantissa > 1 << 53 || frac.len() > 22 || zeros > 22 {
        return None;
    }
    let power = |k: usize| (0..k).fold(1.0, |p: f64, _| p * 10.0);
    let n = mantissa as f64 * power(zeros) / power(frac.len());
    Some(if negative { -n } else { n })
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|t| &t.1)
    }

    fn pos(&self) -> usize {
        self.tokens.get(self.at).map_or_else(|| self.tokens.last().map_or(0, |t| t.0 + 1), |t| t.0)
    }

    fn eat(&mut self, want: &Token) -> bool {
        let hit = self.peek() == Some(want);
        if hit {
            self.at += 1;
        }
        hit
    }

    fn or(&mut self) -> Result<Expr> {
        let mut left = self.and()?;
        while self.eat(&Token::Or) {
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr> {
        let mut left = self.not()?;
        while self.eat(&Token::And) {
            left = Expr::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr> {
        if self.eat(&Token::Not) {
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        if self.eat(&Token::Open) {
            let inner = self.or()?;
            if !self.eat(&Token::Close) {
                return Err(syntax(self.pos(), "expected )"));
            }
            return Ok(inner);
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr> {
        let pos = self.pos();
        let Some(Token::Ident(name)) = self.peek().cloned() else {
            return Err(syntax(pos, "expected a field such as r, m or lifecycle"));
        };
        if !FIELDS.iter().any(|(f, _)| *f == name) {
            let known: Vec<&str> = FIELDS.iter().map(|f| f.0).collect();
            return Err(syntax(pos, &format!("unknown field \"{name}\"; fields are {}", known.join(", "))));
        }
        self.at += 1;
        if self.eat(&Token::In) {
            if !self.eat(&Token::Open) {
                return Err(syntax(self.pos(), "expected ( after in"));
            }
            let mut list = vec![self.value()?];
            while self.eat(&Token::Comma) {
                list.push(self.value()?);
            }
            if !self.eat(&Token::Close) {
                return Err(syntax(self.pos(), "expected , or )"));
            }
            return Ok(Expr::In(name, list));
        }
        let Some(Token::Op(op)) = self.peek().cloned() else {
            return Err(syntax(self.pos(), "expected = != < <= > >= or in"));
        };
        self.at += 1;
        Ok(Expr::Compare(name, op, self.value()?))
    }

    fn value(&mut self) -> Result<Value> {
        let pos = self.pos();
        let value = match self.peek().cloned() {
            Some(Token::Num(n)) => Value::Num(n),
            Some(Token::Text(s)) => Value::Text(s),
            // Bare words are text: lifecycle = dormant.
            Some(Token::Ident(s)) => Value::Text(s),
            _ => return Err(syntax(pos, "expected a value (a number or \"text\")")),
        };
        self.at += 1;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The literal parser gives the standard library's correctly rounded f64.
        #[test]
        fn decimal_matches_std(minus in proptest::bool::ANY, int in "[0-9]{0,16}", point in proptest::bool::ANY,
                               frac in "[0-9]{0,22}") {
            let s = format!("{}{int}{}{}", if minus { "-" } else { "" }, if point { "." } else { "" },
                            if point { frac.as_str() } else { "" });
            let digits = format!("{int}{}", if point { frac.as_str() } else { "" });
            let significant = digits.trim_start_matches('0').trim_end_matches('0');
            match decimal(&s) {
                Some(n) => proptest::prop_assert_eq!(n.to_bits(), s.parse::<f64>().unwrap().to_bits(), "{}", s),
                // Refused: empty, or more digits than an exact f64 holds.
                None => proptest::prop_assert!(digits.is_empty() || significant.len() > 15, "{}", s),
            }
        }
    }

    #[test]
    fn whole_numbers_ending_in_zeros_past_2_pow_53() {
        // Found by decimal_matches_std: 901 × 10^13 is exact in f64.
        assert_eq!(decimal("9010000000000000"), Some(9.01e15));
        assert_eq!(decimal("-1000000000000000000000.0"), Some(-1e21));
        assert_eq!(decimal("10000000000000000000000000"), None);
    }

    #[test]
    fn number_literals() {
        assert_eq!(decimal("12"), Some(12.0));
        assert_eq!(decimal("-3.50"), Some(-3.5));
        assert_eq!(decimal(".5"), Some(0.5));
        assert_eq!(decimal("5."), Some(5.0));
        assert_eq!(decimal("0.1"), Some(0.1));
        assert_eq!(decimal("9007199254740992"), Some(9_007_199_254_740_992.0));
        for s in [".", "-", "1.2.3", "9007199254740993", "0.00000000000000000000001", "12345678901234567890"] {
            assert_eq!(decimal(s), None, "{s}");
        }
        let err = Expr::parse("m > 1.2.3").unwrap_err().to_string();
        assert!(err.contains("“1.2.3” is not a number"), "{err}");
    }

    fn member(name: &str) -> Option<Value> {
        match name {
            "r" => Some(Value::Num(12.0)),
            "m" => Some(Value::Num(520.5)),
            "lifecycle" => Some(Value::Text("dormant".into())),
            "mScore" => Some(Value::Num(4.0)),
            _ => None,
        }
    }

    fn eval(text: &str) -> bool {
        Expr::parse(text).unwrap().matches(&member)
    }

    #[test]
    fn comparisons_and_combinations() {
        assert!(eval("r <= 12"));
        assert!(!eval("r < 12"));
        assert!(eval("lifecycle = \"dormant\" and mScore >= 4"));
        assert!(eval("lifecycle = dormant"));
        assert!(eval("lifecycle in (\"active\", \"dormant\")"));
        assert!(eval("r > 30 or m >= 500"));
        assert!(!eval("not (r > 30 or m >= 500)"));
        assert!(eval("m >= 500 且 非 r > 30"));
        assert!(eval("(r > 30 || m > 520) && !lifecycle = churned"));
        // and binds tighter than or.
        assert!(eval("r > 99 and r > 100 or m > 1"));
        assert!(!eval("r > 99 and (r > 100 or m > 1)"));
    }

    #[test]
    fn only_ledger_fields_need_the_ledger() {
        assert!(Expr::reads_ledger("pointsExpiring > 0"));
        assert!(Expr::reads_ledger("lifecycle = dormant and not pointsBalance < 100"));
        // The members file's balance, a tag or a text that merely says "points" do not.
        assert!(!Expr::reads_ledger("points > 100"));
        assert!(!Expr::reads_ledger("tag = \"pointsBalance\""));
        assert!(!Expr::reads_ledger("pointsBalance >"));
    }

    #[test]
    fn fields_read_once_in_order() {
        let e = Expr::parse("(m >= 5 or lifecycle = new) and not m < 9 and tag in (a, b)").unwrap();
        assert_eq!(e.fields(), ["m", "lifecycle", "tag"]);
    }

    #[test]
    fn missing_values_match_no_comparison() {
        assert!(!eval("f >= 0"));
        assert!(!eval("f < 0"));
        assert!(eval("not f >= 0"));
    }

    #[test]
    fn errors_say_where() {
        let e = Expr::parse("r <= ").unwrap_err();
        assert!(e.to_string().contains("expected a value"), "{e}");
        let e = Expr::parse("rr <= 3").unwrap_err();
        assert!(e.to_string().contains("unknown field \"rr\""), "{e}");
        assert_eq!(e.field(), Some("crowd"));
        assert!(Expr::parse("(r <= 3").unwrap_err().to_string().contains("expected )"));
        assert!(Expr::parse("r <= 3 3 or m").unwrap_err().to_string().contains("at 7: unexpected \"3 or m\""));
        assert!(Expr::parse("lifecycle = \"x").unwrap_err().to_string().contains("unclosed quote"));
        assert!(Expr::parse("r # 3").is_err());
    }
}
