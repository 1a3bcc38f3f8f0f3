//! Typed rules and options from JSON text, with the path of the first error
//! (`rfm.thresholds.f[1]`). The text is parsed once into a
//! `serde_json::Value`, and the types are read from it through one small
//! deserializer that adds the key or index to an error on its way out.
//! (`serde_path_to_error` wrapped every serde visitor and access of every
//! type instead: a sixth of the wasm code.)

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
use serde_json::Value;
use std::fmt;

/// What is wrong and where: `path` is empty for the document itself.
#[derive(Debug, Clone, PartialEq)]
pub struct PathError {
    /// `key.list[2].field`, as serde_path_to_error writes it.
    pub path: String,
    /// serde's message, e.g. `invalid type: string "a", expected u32`.
    pub message: String,
}

/// Parse `text` and read a `T` from it.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, PathError> {
    from_value(&parse(text)?)
}

/// Parse `text` (a syntax error has an empty path; its message says where).
/// A key given twice in one object is an error naming it, not the last one winning.
pub fn parse(text: &str) -> Result<Value, PathError> {
    let mut de = serde_json::Deserializer::from_str(text);
    Strict { parent: None }
        .deserialize(&mut de)
        .and_then(|value| de.end().map(|()| value))
        .map_err(|e| PathError { path: String::new(), message: e.to_string() })
}

/// Reads a `Value` as serde_json does, but refuses duplicate keys; `parent`
/// is where the value sits, for the message.
struct Strict<'p> {
    parent: Option<&'p Link<'p>>,
}

/// The step from the enclosing value to the one being read, and the rest of the path.
struct Link<'p> {
    step: Step<'p>,
    up: Option<&'p Link<'p>>,
}

enum Step<'p> {
    Key(&'p str),
    Index(usize),
}

impl Link<'_> {
    /// `a.b[2].c`, as [`PathError::path`].
    fn path(&self) -> String {
        let mut steps = Vec::new();
        let mut at = Some(self);
        while let Some(link) = at {
            steps.push(&link.step);
            at = link.up;
        }
        let mut out = String::new();
        for step in steps.into_iter().rev() {
            match step {
                Step::Key(key) if out.is_empty() => out.push_str(key),
                Step::Key(key) => {
                    out.push('.');
                    out.push_str(key);
                }
                Step::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(n.into())
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(n.into())
    }

    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.into()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            let link = Link { step: Step::Index(items.len()), up: self.parent };
            match seq.next_element_seed(Strict { parent: Some(&link) })? {
                Some(item) => items.push(item),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut fields = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let link = Link { step: Step::Key(&key), up: self.parent };
            if fields.contains_key(&key) {
                return Err(de::Error::custom(format!("{} is given twice", link.path())));
            }
            let value = map.next_value_seed(Strict { parent: Some(&link) })?;
            fields.insert(key, value);
        }
        Ok(Value::Object(fields))
    }
}

/// Read a `T` from a parsed document.
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, PathError> {
    T::deserialize(Node(value)).map_err(|e| PathError { path: e.path(), message: e.0.message })
}

/// One step of a path.
#[derive(Debug)]
enum Segment {
    Key(String),
    Index(usize),
}

/// The deserializer's error: the message and the path, innermost first.
/// Boxed, so that every `Result` of every visitor stays one word wide.
#[derive(Debug)]
struct Error(Box<Inner>);

#[derive(Debug)]
struct Inner {
    message: String,
    path: Vec<Segment>,
}

impl Error {
    /// The error as seen from the enclosing key (one copy, not one per type).
    #[inline(never)]
    fn at_key(mut self, key: &str) -> Error {
        self.0.path.push(Segment::Key(key.to_string()));
        self
    }

    #[inline(never)]
    fn at_index(mut self, index: usize) -> Error {
        self.0.path.push(Segment::Index(index));
        self
    }

    fn path(&self) -> String {
        let mut out = String::new();
        for segment in self.0.path.iter().rev() {
            match segment {
                Segment::Key(key) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(key);
                }
                Segment::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(message: T) -> Error {
        Error(Box::new(Inner { message: message.to_string(), path: Vec::new() }))
    }

    // serde's own messages, with the value written by `unexpected`.
    fn invalid_type(unexp: de::Unexpected, exp: &dyn de::Expected) -> Error {
        de::Error::custom(format_args!("invalid type: {}, expected {exp}", unexpected(unexp)))
    }

    fn invalid_value(unexp: de::Unexpected, exp: &dyn de::Expected) -> Error {
        de::Error::custom(format_args!("invalid value: {}, expected {exp}", unexpected(unexp)))
    }
}

/// `Unexpected` as serde's `Display` writes it, but a float through
/// `model::format_decimal`: serde's would link core's float formatting into
/// the wasm for this one message.
fn unexpected(unexp: de::Unexpected) -> String {
    use de::Unexpected::*;
    match unexp {
        Float(f) => {
            let text = crate::model::format_decimal(f);
            let point = if f.is_finite() && !text.contains('.') { ".0" } else { "" };
            format!("floating point `{text}{point}`")
        }
        Bool(b) => format!("boolean `{b}`"),
        Unsigned(i) => format!("integer `{i}`"),
        Signed(i) => format!("integer `{i}`"),
        Char(c) => format!("character `{c}`"),
        Str(s) => format!("string {}", quoted(s)),
        Bytes(_) => "byte array".into(),
        Unit => "unit value".into(),
        Option => "Option value".into(),
        NewtypeStruct => "newtype struct".into(),
        Seq => "sequence".into(),
        Map => "map".into(),
        Enum => "enum".into(),
        UnitVariant => "unit variant".into(),
        NewtypeVariant => "newtype variant".into(),
        TupleVariant => "tuple variant".into(),
        StructVariant => "struct variant".into(),
        Other(other) => other.into(),
    }
}

/// `"text"` as `{:?}` writes it, except that characters other than controls,
/// quotes and backslashes are written as they are (`{:?}` also escapes
/// unprintable ones, which takes Unicode tables in the wasm).
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A value of the parsed document.
struct Node<'de>(&'de Value);

impl<'de> Node<'de> {
    /// The error for a value of the wrong kind (one copy for every type).
    fn invalid(&self, expected: &dyn de::Expected) -> Error {
        let unexpected = match self.0 {
            Value::Null => de::Unexpected::Unit,
            Value::Bool(b) => de::Unexpected::Bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => de::Unexpected::Unsigned(u),
                (None, Some(i)) => de::Unexpected::Signed(i),
                (None, None) => de::Unexpected::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => de::Unexpected::Str(s),
            Value::Array(_) => de::Unexpected::Seq,
            Value::Object(_) => de::Unexpected::Map,
        };
        de::Error::invalid_type(unexpected, expected)
    }

    fn number<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let Value::Number(n) = self.0 else { return Err(self.invalid(&visitor)) };
        match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => visitor.visit_u64(u),
            (None, Some(i)) => visitor.visit_i64(i),
            // Without serde_json's arbitrary_precision every number is one of the three.
            (None, None) => visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN)),
        }
    }

    fn seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let Value::Array(items) = self.0 else { return Err(self.invalid(&visitor)) };
        let mut seq = Seq { items: items.iter(), index: 0 };
        let value = visitor.visit_seq(&mut seq)?;
        match seq.items.len() {
            0 => Ok(value),
            _ => Err(de::Error::invalid_length(items.len(), &"fewer elements in array")),
        }
    }

    fn map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let Value::Object(map) = self.0 else { return Err(self.invalid(&visitor)) };
        visitor.visit_map(Entries { entries: map.iter(), value: None })
    }

    fn str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let Value::String(s) = self.0 else { return Err(self.invalid(&visitor)) };
        visitor.visit_borrowed_str(s)
    }
}

/// Each `deserialize_*` calls only the visitor method its kind needs (a
/// struct is read from an object, never from an array), so that serde's
/// other visitor methods are not compiled in.
impl<'de> de::Deserializer<'de> for Node<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(_) => self.number(visitor),
            Value::String(_) => self.str(visitor),
            Value::Array(_) => self.seq(visitor),
            Value::Object(_) => self.map(visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Bool(b) => visitor.visit_bool(*b),
            _ => Err(self.invalid(&visitor)),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            _ => Err(self.invalid(&visitor)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &str, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    /// `"variant"` or `{"variant": value}`.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            Value::Object(map) if map.len() == 1 => match map.iter().next() {
                Some((key, value)) => visitor.visit_enum(Variant { key, value }),
                None => Err(self.invalid(&visitor)),
            },
            _ => Err(self.invalid(&"a string or a map with one key")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.seq(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(self, _: &str, _: usize, visitor: V) -> Result<V::Value, Error> {
        self.seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.map(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(self, _: &str, _: &[&str], visitor: V) -> Result<V::Value, Error> {
        self.map(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.str(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.str(visitor)
    }

    serde::forward_to_deserialize_any! { bytes byte_buf }

    numbers! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64
    }
}

/// Numbers: each visitor takes the kinds it can (`-1` is no `u32`).
macro_rules! numbers {
    ($($method:ident)*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.number(visitor)
        })*
    };
}
use numbers;

struct Seq<'de> {
    items: std::slice::Iter<'de, Value>,
    index: usize,
}

impl<'de> de::SeqAccess<'de> for Seq<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        let Some(item) = self.items.next() else { return Ok(None) };
        let index = self.index;
        self.index += 1;
        seed.deserialize(Node(item)).map(Some).map_err(|e| e.at_index(index))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Entries<'de> {
    entries: serde_json::map::Iter<'de>,
    value: Option<(&'de String, &'de Value)>,
}

impl<'de> de::MapAccess<'de> for Entries<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.entries.next() else { return Ok(None) };
        self.value = Some((key, value));
        // An unknown field's error names the field.
        seed.deserialize(BorrowedStrDeserializer::<Error>::new(key)).map(Some).map_err(|e| e.at_key(key))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let (key, value) = self.value.take().ok_or_else(|| de::Error::custom("a value without a key"))?;
        seed.deserialize(Node(value)).map_err(|e| e.at_key(key))
    }
}

/// `{"variant": value}`: the path goes through the variant's name.
struct Variant<'de> {
    key: &'de String,
    value: &'de Value,
}

impl<'de> de::EnumAccess<'de> for Variant<'de> {
    type Error = Error;
    type Variant = Variant<'de>;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Variant<'de>), Error> {
        let variant =
            seed.deserialize(BorrowedStrDeserializer::<Error>::new(self.key)).map_err(|e| e.at_key(self.key))?;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for Variant<'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        de::Deserialize::deserialize(Node(self.value)).map_err(|e: Error| e.at_key(self.key))
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(Node(self.value)).map_err(|e| e.at_key(self.key))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_any(Node(self.value), visitor).map_err(|e| e.at_key(self.key))
    }

    fn struct_variant<V: Visitor<'de>>(self, _fields: &'static [&'static str], visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_any(Node(self.value), visitor).map_err(|e| e.at_key(self.key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Doc {
        #[serde(default)]
        window_days: u32,
        #[serde(default)]
        cuts: Vec<[u32; 2]>,
        #[serde(default)]
        benefit: Option<Benefit>,
        #[serde(default)]
        pair: Option<(String, i64)>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase")]
    enum Benefit {
        FreeDelivery,
        AmountOff(u32),
    }

    /// The same document read straight from the text by serde_json.
    fn direct(text: &str) -> Result<Doc, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_what_serde_json_reads() {
        for text in [
            r#"{}"#,
            r#"{"windowDays": 180, "cuts": [[1, 2], [3, 4]]}"#,
            r#"{"benefit": "freeDelivery", "pair": ["A", -5]}"#,
            r#"{"benefit": {"amountOff": 5}, "windowDays": 1.0e0}"#,
        ] {
            let ours = from_str::<Doc>(text).map_err(|e| e.message);
            let theirs = direct(text);
            match (&ours, &theirs) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{text}"),
                // serde_json adds " at line 1 column N" to the same message.
                (Err(a), Err(b)) => assert!(b.starts_with(a.as_str()), "{text}: {a} / {b}"),
                _ => panic!("{text}: {ours:?} / {theirs:?}"),
            }
        }
    }

    #[test]
    fn a_key_given_twice_is_an_error_naming_it() {
        let message = |text: &str| parse(text).unwrap_err().message;
        assert!(message(r#"{"windowDays": 1, "windowDays": 2}"#).starts_with("windowDays is given twice at line 1"));
        let nested = message(r#"{"a": [{"b": {"c": 1}}, {"b": {"c": 1, "d": 2, "c": 3}}]}"#);
        assert!(nested.starts_with("a[1].b.c is given twice"), "{nested}");
        // Otherwise the same value as serde_json's.
        let text = r#"{"a": [1, -2, 2.5, "x", null, true, {"b": {}}], "c": {"d": [[]]}}"#;
        assert_eq!(parse(text).unwrap(), serde_json::from_str::<Value>(text).unwrap());
        assert!(parse(r#"{"a": 1} x"#).is_err());
    }

    #[test]
    fn unexpected_values_are_written_as_serde_writes_them() {
        use de::Unexpected::*;
        for unexp in [
            Float(1.5),
            Float(3.0),
            Float(-0.0),
            Float(1e21),
            Float(2.5e-8),
            Float(f64::NAN),
            Float(f64::NEG_INFINITY),
            Bool(true),
            Unsigned(7),
            Signed(-7),
            Char('x'),
            Str("a \"b\"\n"),
            Bytes(b"x"),
            Unit,
            Option,
            NewtypeStruct,
            Seq,
            Map,
            Enum,
            UnitVariant,
            NewtypeVariant,
            TupleVariant,
            StructVariant,
            Other("what"),
        ] {
            assert_eq!(unexpected(unexp), unexp.to_string());
        }
        for text in ["", "a \"b\" \\ c", "会员\n\r\t\0\u{1}\u{7f}\u{9f}'", "ß é 卡号"] {
            assert_eq!(quoted(text), format!("{text:?}"));
        }
        // Unprintable characters other than controls stay as they are.
        assert_eq!(quoted("a\u{200b}b"), "\"a\u{200b}b\"");
        let e = from_str::<Doc>(r#"{"windowDays": 2.5}"#).unwrap_err();
        assert_eq!(e.message, "invalid type: floating point `2.5`, expected u32");
    }

    #[test]
    fn errors_name_the_path() {
        let path = |text: &str| from_str::<Doc>(text).unwrap_err().path;
        assert_eq!(path(r#"{"windowDays": "a year"}"#), "windowDays");
        assert_eq!(path(r#"{"cuts": [[1, 2], [3, -4]]}"#), "cuts[1][1]");
        assert_eq!(path(r#"{"cuts": [[1, 2, 3]]}"#), "cuts[0]");
        assert_eq!(path(r#"{"windowDay": 3}"#), "windowDay");
        assert_eq!(path(r#"{"benefit": {"amountOff": "5"}}"#), "benefit.amountOff");
        assert_eq!(path(r#"{"benefit": {"percentOff": 5}}"#), "benefit.percentOff");
        assert_eq!(path(r#"{"pair": ["A", "B"]}"#), "pair[1]");
        assert_eq!(path(r#""x""#), "");
        assert_eq!(path(r#"{"#), "");
        let e = from_str::<Doc>(r#"{"windowDays": -1}"#).unwrap_err();
        assert_eq!(e.message, "invalid value: integer `-1`, expected u32");
        let e = from_str::<Doc>(r#"{"nope": 1}"#).unwrap_err();
        assert!(e.message.starts_with("unknown field `nope`, expected one of `windowDays`"), "{}", e.message);
    }
}
