//! Excel workbooks as input (feature `xlsx`): `.xlsx`, read by this module
//! from its zip archive (`archive`: stored or deflated parts, pure Rust)
//! and XML parts (`quick-xml`). It reads what a table needs and nothing
//! more: the sheet list (`xl/workbook.xml` and its relationships), the shared
//! strings, the number formats (which numbers are dates) and one worksheet's
//! cells. The tests check it cell for cell against `calamine`, which it
//! replaced: 32 KiB brotli of wasm where calamine and the `encoding_rs` it
//! linked were 185. The older binary `.xls` stays an `UNSUPPORTED_FORMAT`
//! error: reading it would cost ~20 KB brotli of wasm.
//!
//! A workbook is a zip archive and cannot be read in pieces, so
//! [`Ingest`](super::Ingest) keeps its chunks in a [`Workbook`] until the
//! file ends. Then each row of the chosen sheet goes, as a
//! [`Record`], to the same row handler as a CSV line: the same header
//! aliases, the same field parsers, the same import report — with the row
//! numbers the spreadsheet shows and the headers as written.
//!
//! Cells become the text a CSV export of the sheet would hold:
//!
//! - text as it is; empty cells empty;
//! - numbers as their shortest decimal text, rounded to the 15 significant
//!   digits Excel keeps (a formula's `36.900000000000006` reads `36.9`);
//! - numbers with a date or time format as `YYYY-MM-DD`,
//!   `YYYY-MM-DD HH:MM:SS` or `HH:MM:SS` (to the nearest second), which the
//!   date parser reads (1900 or 1904 date system, as the workbook says);
//! - booleans as `true` / `false`;
//! - error values (`#N/A`, `#DIV/0!`…) reject their row when they sit in a
//!   column the file uses (`cell_error`, naming the row and the column), and
//!   are ignored in other columns.
//!
//! The table starts at the first non-empty row (the header) and its first
//! non-empty cell; rows that are entirely empty are skipped like blank lines,
//! and a value left of the header is a `field_count` rejection, never lost.
//!
//! A damaged archive or part is a `BAD_WORKBOOK` error, never a panic; so is
//! a workbook whose parts inflate to more than `inflate_limit` allows (a zip bomb).

use super::fields::FieldError;
use super::records::Record;
use super::report::Rejection;
use super::{Kind, LoadOptions, Sink};
use crate::error::{Error, ErrorKind, Result};
use chrono::{NaiveDate, TimeDelta};
use quick_xml::events::{BytesStart, Event};
use std::fmt::Write as _;
use std::io::{BufReader, Read};

mod archive;

/// What the import report gives as a workbook's encoding.
pub const LABEL: &str = "Excel .xlsx";

/// True when the first bytes of a file are those of a zip archive, as an
/// `.xlsx` workbook's are.
///
/// ```
/// use member_analytics::ingest::xlsx::is_workbook;
/// assert!(is_workbook(b"PK\x03\x04\x14\x00"));
/// assert!(!is_workbook(b"member_id,amount\n"));
/// ```
pub fn is_workbook(prefix: &[u8]) -> bool {
    prefix.starts_with(b"PK\x03\x04")
}

/// A workbook being received: its bytes so far, then the sheet read.
#[derive(Default)]
pub struct Workbook {
    /// The file so far (freed once read).
    pub bytes: Vec<u8>,
    /// The worksheet read, once read.
    pub sheet: Option<String>,
}

impl Workbook {
    /// The file has ended: read the sheet the options name (or the first
    /// visible worksheet) into `sink`.
    pub(super) fn read(&mut self, kind: Kind, options: &LoadOptions, file: &str, sink: &mut Sink) -> Result<()> {
        let bytes = std::mem::take(&mut self.bytes);
        let mut rows = Rows::new(Target { sink, kind, options, file });
        let bad = |message: String| -> Error { ErrorKind::BadWorkbook { file: file.into(), message }.into() };
        let mut book = Book::open(bytes).map_err(bad)?;
        let sheet = choose_sheet(&book.sheets, options.sheet.as_deref(), file)?;
        let (name, path) = (sheet.name.clone(), sheet.path.clone());
        book.read_cells(&path, |row, col, value| rows.cell(row, col, value)).map_err(bad)?;
        rows.flush();
        self.sheet = Some(name);
        rows.target.sink.fatal()
    }
}

/// A sheet of the workbook, as `xl/workbook.xml` lists it.
#[derive(Debug, PartialEq)]
struct Sheet {
    name: String,
    /// Its part in the archive.
    path: String,
    /// A worksheet (not a chart sheet or another kind).
    worksheet: bool,
    /// Not `hidden` or `veryHidden`.
    visible: bool,
}

/// The sheet to read: the one named in the options, else the first visible
/// worksheet, else the first worksheet.
fn choose_sheet<'s>(sheets: &'s [Sheet], wanted: Option<&str>, file: &str) -> Result<&'s Sheet> {
    let worksheets = || sheets.iter().filter(|s| s.worksheet);
    if let Some(wanted) = wanted.map(str::trim).filter(|w| !w.is_empty()) {
        return sheets.iter().find(|s| s.name.trim() == wanted).ok_or_else(|| {
            let names: Vec<&str> = worksheets().map(|s| s.name.as_str()).collect();
            Error::bad_options(
                "sheet",
                format!("{file}: no sheet \"{wanted}\" in the workbook; its sheets are {}", names.join(", ")),
            )
        });
    }
    worksheets().find(|s| s.visible).or_else(|| worksheets().next()).ok_or_else(|| {
        ErrorKind::BadWorkbook {
            file: file.into(), message: "it has no worksheet (工作簿中没有工作表)".into()
        }
        .into()
    })
}

/// How many bytes a workbook's parts may inflate to in all: 200 times the
/// file (real sheets compress 5–30 times), at least 64 MiB and at most
/// 1 GiB. Sheets are read as they inflate, so this bounds time rather than
/// memory; the shared strings are held, and stay below it.
fn inflate_limit(file_len: usize) -> u64 {
    (file_len as u64).saturating_mul(200).clamp(64 << 20, 1 << 30)
}

/// Why a workbook cannot be read: damage to the archive or to one part.
fn damaged(what: impl std::fmt::Display) -> String {
    format!("the file is damaged or incomplete ({what}) (文件已损坏或不完整)")
}

/// A cell's value.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Value<'a> {
    Empty,
    Text(&'a str),
    Number(f64),
    /// A number with a date or time format: an Excel serial, and whether
    /// of the 1904 date system.
    Date(f64, bool),
    Bool(bool),
    /// An error value, as written (`#N/A`).
    Error(&'a str),
}

/// An XML part being read.
type Xml<'z> = quick_xml::Reader<BufReader<Limited<'z, archive::Part<'z>>>>;

/// A reader that fails once more than `left` bytes have come through.
struct Limited<'a, R> {
    inner: R,
    left: &'a mut u64,
}

impl<R: Read> Read for Limited<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        *self.left = self.left.checked_sub(n as u64).ok_or_else(|| {
            std::io::Error::other("its parts inflate to more than the limit for a file of its size (zip bomb?)")
        })?;
        Ok(n)
    }
}

/// An open workbook: its archive, and what every sheet needs.
struct Book {
    archive: archive::Archive,
    /// Bytes the parts may still inflate to ([`inflate_limit`]).
    left: u64,
    sheets: Vec<Sheet>,
    date1904: bool,
}

impl Book {
    /// Open the archive and read its list of sheets.
    fn open(bytes: Vec<u8>) -> Result<Book, String> {
        let left = inflate_limit(bytes.len());
        let archive = archive::Archive::new(bytes).map_err(damaged)?;
        let mut book = Book { archive, left, sheets: Vec::new(), date1904: false };
        let rels = book.relationships()?;
        book.read_workbook(&rels)?;
        Ok(book)
    }

    /// The part at `path` (as Excel does, ignoring case), if the archive has it.
    fn part(&mut self, path: &str) -> Result<Option<Xml<'_>>, String> {
        let Some(file) = self.archive.open(path).map_err(damaged)? else { return Ok(None) };
        let mut xml = quick_xml::Reader::from_reader(BufReader::new(Limited { inner: file, left: &mut self.left }));
        xml.config_mut().expand_empty_elements = true;
        xml.config_mut().check_end_names = false;
        Ok(Some(xml))
    }

    /// `xl/_rels/workbook.xml.rels`: (id, target path, type) of each relationship.
    fn relationships(&mut self) -> Result<Vec<[String; 3]>, String> {
        const PATH: &str = "xl/_rels/workbook.xml.rels";
        let mut xml = self.part(PATH)?.ok_or_else(|| damaged(format!("{PATH} is missing")))?;
        let mut rels = Vec::new();
        let mut buf = Vec::new();
        loop {
            match event(&mut xml, &mut buf, PATH)? {
                Event::Start(e) if e.local_name().as_ref() == b"Relationship" => {
                    rels.push(["Id", "Target", "Type"].map(|key| attribute(&e, key).unwrap_or_default()));
                }
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(rels)
    }

    /// `xl/workbook.xml`: the sheets, in order, and the date system.
    fn read_workbook(&mut self, rels: &[[String; 3]]) -> Result<(), String> {
        const PATH: &str = "xl/workbook.xml";
        let Some(mut xml) = self.part(PATH)? else { return Ok(()) };
        let (mut sheets, mut date1904) = (Vec::new(), false);
        let mut buf = Vec::new();
        loop {
            let e = match event(&mut xml, &mut buf, PATH)? {
                Event::Start(e) => e,
                Event::Eof => break,
                _ => continue,
            };
            match e.local_name().as_ref() {
                b"sheet" => {
                    let id = e.attributes().flatten().find(|a| a.key.local_name().as_ref() == b"id");
                    let rel = id.and_then(|id| rels.iter().find(|[rid, ..]| rid.as_bytes() == &*id.value));
                    let [_, target, typ] = rel.ok_or_else(|| damaged(format!("{PATH}: a sheet without its part")))?;
                    let path = match target.strip_prefix('/') {
                        Some(absolute) => absolute.to_string(),
                        None if target.starts_with("xl/") => target.clone(),
                        None => format!("xl/{target}"),
                    };
                    sheets.push(Sheet {
                        name: attribute(&e, "name").unwrap_or_default(),
                        path,
                        worksheet: typ.ends_with("/worksheet"),
                        visible: attribute(&e, "state").is_none_or(|s| s == "visible"),
                    });
                }
                b"workbookPr" => date1904 = attribute(&e, "date1904").is_some_and(|v| v == "1" || v == "true"),
                _ => {}
            }
        }
        drop(xml);
        (self.sheets, self.date1904) = (sheets, date1904);
        Ok(())
    }

    /// `xl/styles.xml`: for each cell format (`cellXfs`), whether it shows
    /// numbers as dates.
    fn date_styles(&mut self) -> Result<Vec<bool>, String> {
        const PATH: &str = "xl/styles.xml";
        let Some(mut xml) = self.part(PATH)? else { return Ok(Vec::new()) };
        let (mut custom, mut dates, mut in_cell_xfs) = (Vec::new(), Vec::new(), false);
        let mut buf = Vec::new();
        loop {
            match event(&mut xml, &mut buf, PATH)? {
                Event::Start(e) => match e.local_name().as_ref() {
                    b"numFmt" => {
                        if let (Some(id), Some(code)) = (attribute(&e, "numFmtId"), attribute(&e, "formatCode")) {
                            custom.push((id, is_date_format(&code)));
                        }
                    }
                    b"cellXfs" => in_cell_xfs = true,
                    b"xf" if in_cell_xfs => {
                        let id = attribute(&e, "numFmtId").unwrap_or_default();
                        let date = match custom.iter().find(|(custom, _)| *custom == id) {
                            Some(&(_, date)) => date,
                            None => id.parse().is_ok_and(is_builtin_date_format),
                        };
                        dates.push(date);
                    }
                    _ => {}
                },
                Event::End(e) if e.local_name().as_ref() == b"cellXfs" => in_cell_xfs = false,
                Event::Eof => return Ok(dates),
                _ => {}
            }
        }
    }

    /// `xl/sharedStrings.xml`: the strings cells of type `s` point to.
    fn shared_strings(&mut self) -> Result<Vec<String>, String> {
        const PATH: &str = "xl/sharedStrings.xml";
        let Some(mut xml) = self.part(PATH)? else { return Ok(Vec::new()) };
        let mut strings = Vec::new();
        let mut buf = Vec::new();
        loop {
            match event(&mut xml, &mut buf, PATH)? {
                Event::Start(e) if e.local_name().as_ref() == b"si" => {
                    let mut text = String::new();
                    string_item(&mut xml, &mut buf, &mut text, PATH)?;
                    strings.push(text);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(strings)
    }

    /// Hand each cell of the worksheet at `path`, in the order stored, to
    /// `cell` with its 0-based row and column.
    fn read_cells(
        &mut self,
        path: &str,
        mut cell: impl FnMut(u32, u32, &Value<'_>) -> Result<(), String>,
    ) -> Result<(), String> {
        let strings = self.shared_strings()?;
        let dates = self.date_styles()?;
        let date1904 = self.date1904;
        let mut xml = self.part(path)?.ok_or_else(|| damaged(format!("{path} is missing")))?;
        let (mut buf, mut text) = (Vec::new(), String::new());
        let (mut row, mut col) = (0u32, 0u32);
        loop {
            let e = match event(&mut xml, &mut buf, path)? {
                Event::Start(e) => e,
                Event::End(e) if e.local_name().as_ref() == b"row" => {
                    (row, col) = (row.saturating_add(1), 0);
                    continue;
                }
                Event::End(e) if e.local_name().as_ref() == b"sheetData" => return Ok(()),
                Event::Eof => return Err(damaged(format!("{path} ends early"))),
                _ => continue,
            };
            match e.local_name().as_ref() {
                b"row" => {
                    if let Some(r) = attribute(&e, "r") {
                        row = r
                            .parse::<u32>()
                            .ok()
                            .and_then(|r| r.checked_sub(1))
                            .ok_or_else(|| damaged(format!("{path}: bad row number {r:?}")))?;
                    }
                    continue;
                }
                b"c" => {}
                _ => continue,
            }
            // The attributes as bytes: no allocation per cell.
            let (mut kind, mut date) = (None, false);
            for a in e.attributes().flatten() {
                let value = &*a.value;
                match a.key.as_ref() {
                    b"r" => {
                        (row, col) = cell_reference(value).ok_or_else(|| {
                            damaged(format!("{path}: bad cell reference {:?}", String::from_utf8_lossy(value)))
                        })?;
                    }
                    b"s" => {
                        let style = std::str::from_utf8(value).ok().and_then(|s| s.parse::<usize>().ok());
                        date = style.and_then(|s| dates.get(s)) == Some(&true);
                    }
                    b"t" => {
                        kind = Some(match value {
                            b"s" => Type::Shared,
                            b"n" => Type::Number,
                            b"b" => Type::Bool,
                            b"e" => Type::Error,
                            b"str" | b"d" => Type::Text,
                            b"inlineStr" => Type::Inline,
                            _ => {
                                let other = String::from_utf8_lossy(value);
                                return Err(damaged(format!("{path}: unknown cell type {other:?}")));
                            }
                        });
                    }
                    _ => {}
                }
            }
            let found = cell_content(&mut xml, &mut buf, &mut text, path)?;
            let value = match (kind, found) {
                (_, Content::Inline) => Value::Text(&text),
                (Some(Type::Inline), _) | (_, Content::Nothing) => Value::Empty,
                (Some(Type::Shared), _) if text.is_empty() => Value::Empty,
                (Some(Type::Shared), _) => {
                    let s = text.parse().ok().and_then(|i: usize| strings.get(i));
                    Value::Text(s.ok_or_else(|| damaged(format!("{path}: no shared string {text:?}")))?)
                }
                (Some(Type::Bool), _) => Value::Bool(text != "0"),
                (Some(Type::Error), _) => Value::Error(&text),
                // A formula's text (`str`) or an ISO 8601 date (`d`).
                (Some(Type::Text), _) => Value::Text(&text),
                (None | Some(Type::Number), _) if text.is_empty() => Value::Empty,
                (None | Some(Type::Number), _) => match text.parse::<f64>() {
                    Ok(n) if date => Value::Date(n, date1904),
                    Ok(n) => Value::Number(n),
                    Err(_) if kind.is_none() => Value::Text(&text),
                    Err(_) => return Err(damaged(format!("{path}: bad number {text:?}"))),
                },
            };
            cell(row, col, &value)?;
            col = col.saturating_add(1);
        }
    }
}

/// The next event of `xml` (read into `buf`, cleared first).
fn event<'b>(xml: &mut Xml<'_>, buf: &'b mut Vec<u8>, path: &str) -> Result<Event<'b>, String> {
    buf.clear();
    xml.read_event_into(buf).map_err(|e| damaged(format!("{path}: {e}")))
}

/// The value of the attribute `key` of `e`, entities resolved.
fn attribute(e: &BytesStart<'_>, key: &str) -> Option<String> {
    let a = e.attributes().flatten().find(|a| a.key.as_ref() == key.as_bytes())?;
    let raw = String::from_utf8_lossy(&a.value);
    Some(quick_xml::escape::unescape(&raw).map_or_else(|_| raw.to_string(), |s| s.into_owned()))
}

/// The 0-based (row, column) of a cell reference such as `B12`.
fn cell_reference(r: &[u8]) -> Option<(u32, u32)> {
    let digits = r.iter().position(u8::is_ascii_digit)?;
    let (letters, number) = r.split_at(digits);
    let col = letters.iter().try_fold(0u32, |col, b| {
        let b = b.to_ascii_uppercase();
        b.is_ascii_uppercase().then_some(())?;
        col.checked_mul(26)?.checked_add(u32::from(b - b'A') + 1)
    })?;
    let row = std::str::from_utf8(number).ok()?.parse::<u32>().ok()?;
    Some((row.checked_sub(1)?, col.checked_sub(1)?))
}

/// A cell's type (its `t` attribute).
#[derive(Clone, Copy)]
enum Type {
    Number,
    Shared,
    Bool,
    Error,
    Text,
    Inline,
}

/// What a cell element holds.
enum Content {
    Nothing,
    /// A `<v>` value.
    Value,
    /// An inline string (`<is>`).
    Inline,
}

/// Read the rest of a `<c>` element: its value's text into `text`.
fn cell_content(xml: &mut Xml<'_>, buf: &mut Vec<u8>, text: &mut String, path: &str) -> Result<Content, String> {
    let mut found = Content::Nothing;
    loop {
        match event(xml, buf, path)? {
            Event::Start(e) => match e.local_name().as_ref() {
                b"v" => {
                    text.clear();
                    element_text(xml, buf, text, path)?;
                    found = Content::Value;
                }
                b"is" => {
                    text.clear();
                    string_item(xml, buf, text, path)?;
                    found = Content::Inline;
                }
                // A formula (`<f>`) and anything else.
                _ => skip(xml, buf, path)?,
            },
            Event::End(_) => return Ok(found),
            Event::Eof => return Err(damaged(format!("{path} ends early"))),
            _ => {}
        }
    }
}

/// Append the text of the element just started to `out`, up to its end.
fn element_text(xml: &mut Xml<'_>, buf: &mut Vec<u8>, out: &mut String, path: &str) -> Result<(), String> {
    let mut depth = 1usize;
    loop {
        match event(xml, buf, path)? {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return Ok(());
                }
            }
            Event::Text(t) => out.push_str(&t.xml10_content().map_err(|e| damaged(format!("{path}: {e}")))?),
            Event::CData(t) => out.push_str(&String::from_utf8_lossy(&t)),
            Event::GeneralRef(r) => {
                let name = String::from_utf8_lossy(&r);
                match r.resolve_char_ref() {
                    Ok(Some(c)) => out.push(c),
                    _ => out.push_str(
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| damaged(format!("{path}: unknown entity &{name};")))?,
                    ),
                }
            }
            Event::Eof => return Err(damaged(format!("{path} ends early"))),
            _ => {}
        }
    }
}

/// Skip the rest of the element just started.
fn skip(xml: &mut Xml<'_>, buf: &mut Vec<u8>, path: &str) -> Result<(), String> {
    let mut depth = 1usize;
    loop {
        match event(xml, buf, path)? {
            Event::Start(_) => depth += 1,
            Event::End(_) if depth == 1 => return Ok(()),
            Event::End(_) => depth -= 1,
            Event::Eof => return Err(damaged(format!("{path} ends early"))),
            _ => {}
        }
    }
}

/// Append the text of a string item (`<si>` or `<is>`, just started) to
/// `out`: its `<t>` elements, rich text runs joined, phonetic runs (`<rPh>`)
/// left out, and Excel's escapes of control characters (`_x000D_`) resolved.
fn string_item(xml: &mut Xml<'_>, buf: &mut Vec<u8>, out: &mut String, path: &str) -> Result<(), String> {
    let start = out.len();
    loop {
        match event(xml, buf, path)? {
            Event::Start(e) => match e.local_name().as_ref() {
                b"t" => element_text(xml, buf, out, path)?,
                b"r" => {}
                _ => skip(xml, buf, path)?,
            },
            Event::End(e) if e.local_name().as_ref() != b"r" => break,
            Event::Eof => return Err(damaged(format!("{path} ends early"))),
            _ => {}
        }
    }
    if out[start..].contains("_x00") {
        let unescaped = unescape_excel(&out[start..]);
        out.truncate(start);
        out.push_str(&unescaped);
    }
    Ok(())
}

/// Excel's escapes of characters XML cannot hold: `_x000D_` is a carriage
/// return, `_x005F_` an underscore (so `_x005F_x000D_` is the text `_x000D_`).
fn unescape_excel(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("_x00") {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let hex = rest.get(4..6).filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()) && rest.get(6..7) == Some("_"));
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(byte) => {
                out.push(char::from(byte));
                rest = &rest[7..];
            }
            None => {
                out.push_str("_x00");
                rest = &rest[4..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// True for the built-in number formats that show dates or times (14–22,
/// 45 and 47; 46, `[h]:mm:ss`, is a duration and stays a number).
fn is_builtin_date_format(id: u32) -> bool {
    matches!(id, 14..=22 | 45 | 47)
}

/// True when a custom number format shows dates or times: its first section
/// has a date or time letter outside quotes, escapes and brackets, before any
/// elapsed-time bracket (`[h]`, a duration, which stays a number). Ported
/// from calamine's `detect_custom_number_format` (MIT), which the tests
/// compare it with.
fn is_date_format(code: &str) -> bool {
    let (mut escaped, mut quoted, mut brackets, mut prev, mut hms, mut ap) = (false, false, 0u8, ' ', false, false);
    for c in code.chars() {
        match (c, escaped, quoted, ap, brackets) {
            (_, true, ..) => escaped = false,
            ('_' | '\\', ..) => escaped = true,
            ('"', _, true, _, _) => quoted = false,
            (_, _, true, _, _) => {}
            ('"', ..) => quoted = true,
            (';', ..) => return false,
            ('[', ..) => brackets += 1,
            (']', .., 1) if hms => return false,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ap = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return true,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => return true,
            _ => {
                if !(hms && c.eq_ignore_ascii_case(&prev)) {
                    hms = prev == '[' && matches!(c, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = c;
    }
    false
}

/// Where finished rows go.
struct Target<'a> {
    sink: &'a mut Sink,
    kind: Kind,
    options: &'a LoadOptions,
    file: &'a str,
}

/// Cells, in row-major order, assembled into records.
struct Rows<'a> {
    target: Target<'a>,
    /// The 0-based row being assembled.
    row: Option<u32>,
    /// The table's first column: the header row's first non-empty cell.
    left: Option<u32>,
    /// The fields of the row so far, as in a CSV [`Record`].
    bytes: Vec<u8>,
    ends: Vec<usize>,
    /// Fields of the row that hold error values.
    errors: Vec<usize>,
    /// Text of non-empty cells left of the table, if any.
    outside: Vec<String>,
    /// The header row's fields, trimmed (to name a column in a rejection).
    headers: Vec<String>,
    /// Scratch text of one cell.
    text: String,
}

impl<'a> Rows<'a> {
    fn new(target: Target<'a>) -> Rows<'a> {
        Rows {
            target,
            row: None,
            left: None,
            bytes: Vec::new(),
            ends: Vec::new(),
            errors: Vec::new(),
            outside: Vec::new(),
            headers: Vec::new(),
            text: String::new(),
        }
    }

    /// Take the cell at (`row`, `col`), both 0-based.
    fn cell(&mut self, row: u32, col: u32, value: &Value<'_>) -> Result<(), String> {
        match self.row {
            Some(current) if row == current => {}
            Some(current) if row < current => return Err(format!("cells out of order at row {}", row + 1)),
            _ => {
                self.flush();
                self.row = Some(row);
            }
        }
        self.text.clear();
        let error = cell_text(value, &mut self.text);
        if self.text.is_empty() {
            return Ok(());
        }
        let left = *self.left.get_or_insert(col);
        if col < left {
            self.outside.push(std::mem::take(&mut self.text));
            return Ok(());
        }
        let field = (col - left) as usize;
        if field < self.ends.len() {
            return Err(format!("cells out of order at row {}", row + 1));
        }
        self.ends.resize(field, self.bytes.len());
        self.bytes.extend_from_slice(self.text.as_bytes());
        self.ends.push(self.bytes.len());
        if error {
            self.errors.push(field);
        }
        Ok(())
    }

    /// Hand the row assembled so far to the sink (rows without a non-empty
    /// cell are skipped, like blank lines).
    fn flush(&mut self) {
        let Some(row) = self.row.take() else { return };
        let (bytes, ends) = (std::mem::take(&mut self.bytes), std::mem::take(&mut self.ends));
        let errors = std::mem::take(&mut self.errors);
        let outside = std::mem::take(&mut self.outside);
        if ends.is_empty() && outside.is_empty() {
            return;
        }
        let record = Record::new(u64::from(row) + 1, &bytes, &ends);
        let Target { sink, kind, options, file } = &mut self.target;
        if sink.error.is_some() {
            return;
        }
        if sink.builder.is_none() {
            self.headers =
                (0..record.len()).map(|i| String::from_utf8_lossy(record.get(i)).trim().to_string()).collect();
        }
        let used = sink.builder.as_ref().map(|b| &b.columns().index);
        match used {
            Some(_) if !outside.is_empty() => {
                let mut value = outside.join(",");
                value.push(',');
                value.push_str(&record.joined(b','));
                sink.reject(Rejection::new(record.row, "", &value, FieldError::FieldCount));
            }
            Some(used) => {
                let bad = errors.iter().find(|&&f| used.contains(&Some(f)));
                match bad {
                    Some(&f) => {
                        let header = self.headers.get(f).map_or("", String::as_str);
                        let value = String::from_utf8_lossy(record.get(f));
                        sink.reject(Rejection::new(record.row, header, &value, FieldError::CellError));
                    }
                    None => sink.record(&record, *kind, options, file),
                }
            }
            None => sink.record(&record, *kind, options, file),
        }
        // Keep the buffers' capacity for the next row.
        (self.bytes, self.ends) = (bytes, ends);
        self.bytes.clear();
        self.ends.clear();
    }
}

/// Write the text of a cell to `out`; true when the cell is an error value.
fn cell_text(value: &Value<'_>, out: &mut String) -> bool {
    match *value {
        Value::Empty => {}
        Value::Text(s) => out.push_str(s),
        Value::Number(f) => number_text(f, out),
        Value::Date(serial, date1904) => date_text(serial, date1904, out),
        Value::Bool(b) => out.push_str(if b { "true" } else { "false" }),
        Value::Error(e) => {
            out.push_str(e);
            return true;
        }
    }
    false
}

/// A number as its shortest decimal text after rounding to the 15
/// significant digits Excel keeps: `1234.5`, `13800138000`, `0.3`.
fn number_text(f: f64, out: &mut String) {
    if !f.is_finite() {
        let _ = write!(out, "{f}");
        return;
    }
    let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    let _ = write!(out, "{rounded}");
}

/// A date cell (a serial of the 1900 or 1904 date system) as the date
/// parser reads it, to the nearest second: a time alone (serial below 1) as
/// `HH:MM:SS`, a whole day as `YYYY-MM-DD`, else `YYYY-MM-DD HH:MM:SS`. A
/// serial Excel itself cannot show (negative, past 9999 in the 1900 system,
/// or 60, its 1900-02-29) stays a number.
fn date_text(serial: f64, date1904: bool, out: &mut String) {
    if !(0.0..2_958_466.0).contains(&serial) || (!date1904 && (60.0..61.0).contains(&serial)) {
        return number_text(serial, out);
    }
    if serial < 1.0 {
        let secs = ((serial * 86_400.0).round() as u32).min(86_399);
        let _ = write!(out, "{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
        return;
    }
    // In the 1900 system, serial 1 is 1900-01-01 and, from 61 (1900-03-01)
    // on, one day less for the 1900-02-29 Excel counts; in the 1904 system,
    // 0 is 1904-01-01, the 1900 system's 1462.
    let days = serial.trunc() as i64 + if date1904 { 1462 } else { i64::from(serial < 60.0) };
    // To the millisecond, then to the nearest second: 14:02:59.999 is 14:03:00.
    let secs = serial.fract() * 86_400.0;
    let secs = secs.trunc() as i64 + i64::from((secs.fract() * 1000.0).round() >= 500.0);
    let at = NaiveDate::from_ymd_opt(1899, 12, 30)
        .and_then(|epoch| epoch.and_hms_opt(0, 0, 0))
        .and_then(|epoch| epoch.checked_add_signed(TimeDelta::try_days(days)? + TimeDelta::try_seconds(secs)?));
    let _ = match at {
        None => return number_text(serial, out),
        Some(at) if at.time() == chrono::NaiveTime::MIN => write!(out, "{}", at.format("%Y-%m-%d")),
        Some(at) => write!(out, "{}", at.format("%Y-%m-%d %H:%M:%S")),
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{DataRef, Reader as _, SheetType, SheetVisible, Xlsx};
    use proptest::prelude::*;
    use std::io::{Cursor, Write as _};

    fn text(value: Value<'_>) -> (String, bool) {
        let mut out = String::new();
        let error = cell_text(&value, &mut out);
        (out, error)
    }

    fn date(serial: f64) -> String {
        text(Value::Date(serial, false)).0
    }

    #[test]
    fn numbers_read_as_excel_shows_them() {
        assert_eq!(text(Value::Number(1234.5)).0, "1234.5");
        assert_eq!(text(Value::Number(36.900000000000006)).0, "36.9");
        assert_eq!(text(Value::Number(0.1 + 0.2)).0, "0.3");
        assert_eq!(text(Value::Number(13_800_138_000.0)).0, "13800138000");
        assert_eq!(text(Value::Number(-12.0)).0, "-12");
        assert_eq!(text(Value::Number(1e21)).0, "1000000000000000000000");
        assert_eq!(text(Value::Bool(true)).0, "true");
        assert_eq!(text(Value::Empty).0, "");
        assert_eq!(text(Value::Text("￥1,234.50")).0, "￥1,234.50");
    }

    #[test]
    fn dates_read_as_the_date_parser_expects() {
        // 46086 is 2026-03-05 in the 1900 date system.
        assert_eq!(date(46086.0), "2026-03-05");
        assert_eq!(date(46086.5), "2026-03-05 12:00:00");
        // 14:03 is 0.585416…: a serial a hair short still reads 14:03:00.
        assert_eq!(date(46086.0 + (14.0 * 60.0 + 3.0) / 1440.0 - 1e-9), "2026-03-05 14:03:00");
        assert_eq!(date(0.75), "18:00:00");
        assert_eq!(date(46_086.999_999_9), "2026-03-06");
        // Excel's 1900-02-29 (serial 60) never was: the serial stays a number.
        assert_eq!([1.0, 59.0, 60.0, 61.0].map(date), ["1900-01-01", "1900-02-28", "60", "1900-03-01"]);
        assert_eq!(date(-3.0), "-3");
        assert_eq!(text(Value::Date(46086.0 - 1462.0, true)).0, "2026-03-05");
        assert_eq!(text(Value::Date(0.5, true)).0, "12:00:00");
        for serial in [46086.0, 46086.5, 45000.25] {
            let parsed = super::super::fields::parse_datetime(&date(serial)).unwrap();
            assert_eq!(super::super::fields::parse_datetime(&serial.to_string()).unwrap(), parsed);
        }
    }

    #[test]
    fn error_values_are_flagged() {
        assert_eq!(text(Value::Error("#N/A")), ("#N/A".into(), true));
        assert_eq!(text(Value::Error("#DIV/0!")), ("#DIV/0!".into(), true));
    }

    #[test]
    fn date_formats_as_calamine_detects_them() {
        let dates = [
            "yyyy-mm-dd",
            "DD/MM/YY",
            "H:MM:SS;@",
            "m\"M\"d\"D\";@",
            "[$-404]e\"\\xfc\"m\"\\xfc\"d\"\\xfc\"",
            "ha/p\\\\m",
        ];
        let not = [
            "[h]:mm:ss",
            "[mm]",
            "[Blue]\\+[h]:mm;[Red]\\-[h]:mm;[Green][h]:mm",
            "#,##0\\ [$\\u20bd-46D]",
            "\"Y: \"0.00\"m\";\"Y: \"-0.00\"m\";\"Y: <num>m\";@",
            "\"$\"#,##0_);[Red](\"$\"#,##0)",
            "0_ ;[Red]\\-0\\ ",
            "\\Y000000",
            "#,##0.0####\" YMD\"",
            "[>=100][Magenta]General",
            "#,##0.00\\ _M\"H\"_);[Red]#,##0.00\\ _M\"S\"_)",
        ];
        for code in dates {
            assert!(is_date_format(code), "{code}");
        }
        for code in not {
            assert!(!is_date_format(code), "{code}");
        }
        assert_eq!(
            (0..100).filter(|&id| is_builtin_date_format(id)).collect::<Vec<_>>(),
            [14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 47]
        );
    }

    #[test]
    fn control_character_escapes_resolve() {
        assert_eq!(unescape_excel("a_x000D_b_x005F_x000D_c_x00zz__x00"), "a\rb_x000D_c_x00zz__x00");
        assert_eq!(unescape_excel("会员_x0041_"), "会员A");
    }

    /// A zip archive of `parts` (path, text): deflated, stored, and deflated
    /// with zip64 fields, in turn.
    fn archive(parts: &[(&str, String)]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (i, (path, text)) in parts.iter().enumerate() {
            let options = zip::write::SimpleFileOptions::default();
            let options = match i % 3 {
                0 => options,
                1 => options.compression_method(zip::CompressionMethod::Stored),
                _ => options.large_file(true),
            };
            zip.start_file(*path, options).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="5"><numFmt numFmtId="164" formatCode="yyyy/m/d h:mm"/><numFmt numFmtId="165" formatCode="[h]:mm:ss"/>
<numFmt numFmtId="166" formatCode="&quot;d&quot;0.00"/><numFmt numFmtId="167" formatCode="[$-804]yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>
<numFmt numFmtId="14" formatCode="0.00"/></numFmts>
<cellStyleXfs count="1"><xf numFmtId="22"/></cellStyleXfs>
<cellXfs count="10"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="22" applyNumberFormat="1"/><xf numFmtId="164"/>
<xf numFmtId="165"/><xf numFmtId="166"/><xf numFmtId="20"/><xf numFmtId="46"/><xf numFmtId="167"/><xf numFmtId="49"/><xf numFmtId="15"/></cellXfs>
</styleSheet>"#;

    /// A workbook whose first sheet is hidden and whose second holds
    /// `cells` (the XML of its rows), in the 1904 date system if asked.
    fn workbook(cells: &str, date1904: bool) -> Vec<u8> {
        let pr = if date1904 { r#"<workbookPr date1904="1"/>"# } else { "<workbookPr/>" };
        let ns = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;
        let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let sheet = |rows: &str| {
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><dimension ref="A1"/><sheetData>{rows}</sheetData><pageMargins/></worksheet>"#
            )
        };
        archive(&[
            ("[Content_Types].xml", "<Types/>".into()),
            ("xl/workbook.xml", format!(r#"<?xml version="1.0"?><workbook {ns}>{pr}<sheets><sheet name="说明" sheetId="1" state="hidden" r:id="rId1"/><sheet name="A&amp;B 数据" sheetId="2" r:id="rId2"/></sheets></workbook>"#)),
            ("xl/_rels/workbook.xml.rels", format!(r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rel}/worksheet" Target="/xl/worksheets/sheet2.xml"/><Relationship Id="rId3" Type="{rel}/styles" Target="styles.xml"/></Relationships>"#)),
            ("xl/styles.xml", STYLES.into()),
            ("xl/sharedStrings.xml", r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="6"><si><t>会员编号</t></si><si><r><rPr><b/></rPr><t xml:space="preserve">实付 </t></r><r><t>金额</t></r><rPh sb="0" eb="1"><t>ジツ</t></rPh></si><si><t>a&amp;b &lt;c&gt; &#x4F1A;_x000D_</t></si><si><t/></si><si><t>line
two</t></si><si/></sst>"#.into()),
            ("xl/worksheets/sheet1.xml", sheet(r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#)),
            // Part names are matched ignoring case, as Excel does.
            ("xl/Worksheets/Sheet2.xml", sheet(cells)),
        ])
    }

    /// Every kind of cell: types, styles, gaps, rows and cells without `r`.
    const CELLS: &str = r#"<row r="1" spans="1:9"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="D1" t="s"><v>2</v></c><c r="E1" t="s"><v>3</v></c><c r="F1" t="s"><v>4</v></c><c r="G1" t="s"><v>5</v></c></row>
<row r="3"><c r="B3" s="1"><v>46086</v></c><c r="C3" s="2"><v>46086.585416666</v></c><c r="D3" s="3"><v>45000.25</v></c><c r="E3" s="4"><v>1.5</v></c><c r="F3" s="5"><v>12.5</v></c><c r="G3" s="6"><v>0.75</v></c><c r="H3" s="7"><v>0.5</v></c><c r="I3" s="8"><v>46086</v></c><c r="J3" s="9"><v>7</v></c><c r="K3" s="10"><v>366</v></c><c r="L3" s="1"><v>60</v></c><c r="M3" s="1"><v>59.99</v></c><c r="N3" s="1"><v>-2</v></c></row>
<row r="4"><c r="A4" t="b"><v>1</v></c><c r="B4" t="b"><v>0</v></c><c r="C4" t="e"><v>#N/A</v></c><c r="D4" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="E4" t="str"><f>A1&amp;"x"</f><v>会员&amp;x</v></c><c r="F4" t="inlineStr"><is><t>内联</t></is></c><c r="G4" t="inlineStr"><is><r><t>富</t></r><r><t>文本_x000A_</t></r></is></c><c r="H4" t="d"><v>2026-03-05T14:03:00</v></c><c r="I4" s="1"/><c r="J4" t="n"><v>1e3</v></c><c r="K4"><v>36.900000000000006</v></c><c r="L4"><f>SUM(A1)</f></c><c r="M4" t="s"><v></v></c><c r="N4" t="e"><v>#VALUE!</v></c></row>
<row><c><v>1</v></c><c t="s"><v>0</v></c><c r="E5"><v>-0.5</v></c><c><v>13800138000</v></c></row>
<row r="9" hidden="1"><c r="AA9" s="2"><v>46088.5</v></c><c r="AB9" t="inlineStr"><v>ignored</v></c><c r="AC9" t="e"><v>#NAME?</v></c><c r="AD9" t="e"><v>#REF!</v></c><c r="AE9" t="e"><v>#NUM!</v></c><c r="AF9" t="e"><v>#NULL!</v></c></row>
<row r="12"><c r="A12" s="4"><v>0.999999</v></c><c r="B12" s="2"><v>2958465.9999999</v></c><c r="C12" s="2"><v>2958466</v></c><c r="D12" s="6"><v>0.99999999</v></c></row>"#;

    /// The old conversion of calamine's cells (before this module replaced it).
    fn calamine_text(value: &DataRef<'_>) -> (String, bool) {
        let mut out = String::new();
        match value {
            DataRef::Empty => {}
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => out.push_str(s),
            DataRef::SharedString(s) => out.push_str(s),
            DataRef::Int(i) => out.push_str(&i.to_string()),
            DataRef::Float(f) => number_text(*f, &mut out),
            DataRef::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            DataRef::DateTime(d) => {
                let serial = d.as_f64();
                if d.is_duration() || !(0.0..2_958_466.0).contains(&serial) {
                    number_text(serial, &mut out);
                } else if serial < 1.0 {
                    let secs = ((serial * 86_400.0).round() as u32).min(86_399);
                    out = format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
                } else {
                    let (y, mo, day, h, mi, s, ms) = d.to_ymd_hms_milli();
                    let time = chrono::NaiveTime::from_hms_milli_opt(h.into(), mi.into(), s.into(), ms.into());
                    let at = NaiveDate::from_ymd_opt(y.into(), mo.into(), day.into())
                        .zip(time)
                        .and_then(|(date, time)| date.and_time(time).checked_add_signed(TimeDelta::milliseconds(500)));
                    match at {
                        None => number_text(serial, &mut out),
                        Some(at) if at.time() < chrono::NaiveTime::from_hms_opt(0, 0, 1).unwrap() => {
                            out = at.format("%Y-%m-%d").to_string();
                        }
                        Some(at) => out = at.format("%Y-%m-%d %H:%M:%S").to_string(),
                    }
                }
            }
            DataRef::Error(e) => return (e.to_string(), true),
        }
        (out, false)
    }

    type Cells = Vec<(u32, u32, String, bool)>;
    /// The sheets (name, visible, worksheet) and each sheet's cells.
    type Read = (Vec<(String, bool, bool)>, Vec<Cells>);

    /// The sheets (name, visible, worksheet) and each sheet's cells, as this
    /// module reads them and as calamine does.
    fn both(bytes: &[u8]) -> [Read; 2] {
        let mut book = Book::open(bytes.to_vec()).unwrap();
        let sheets: Vec<_> = book.sheets.iter().map(|s| (s.name.clone(), s.visible, s.worksheet)).collect();
        let paths: Vec<String> = book.sheets.iter().map(|s| s.path.clone()).collect();
        let ours = paths
            .iter()
            .map(|path| {
                let mut cells = Cells::new();
                book.read_cells(path, |row, col, value| {
                    let (text, error) = text(*value);
                    cells.push((row, col, text, error));
                    Ok(())
                })
                .unwrap();
                cells
            })
            .collect();
        let mut xlsx: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
        let metadata = xlsx.sheets_metadata().to_vec();
        let theirs_sheets = metadata
            .iter()
            .map(|s| (s.name.clone(), s.visible == SheetVisible::Visible, s.typ == SheetType::WorkSheet));
        let theirs = metadata
            .iter()
            .map(|s| {
                let mut reader = xlsx.worksheet_cells_reader(&s.name).unwrap();
                let mut cells = Cells::new();
                while let Some(cell) = reader.next_cell().unwrap() {
                    let (row, col) = cell.get_position();
                    let (text, error) = calamine_text(cell.get_value());
                    cells.push((row, col, text, error));
                }
                cells
            })
            .collect();
        [(sheets, ours), (theirs_sheets.collect(), theirs)]
    }

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    #[test]
    fn fixtures_read_as_calamine_reads_them() {
        for name in ["store.xlsx", "orders_edge.xlsx"] {
            let [ours, theirs] = both(&fixture(name));
            assert_eq!(ours, theirs, "{name}");
            assert!(ours.1.iter().map(Vec::len).sum::<usize>() > 30, "{name}");
        }
    }

    #[test]
    fn every_kind_of_cell_reads_as_calamine_reads_it() {
        for date1904 in [false, true] {
            let [ours, theirs] = both(&workbook(CELLS, date1904));
            assert_eq!(ours, theirs, "date1904 {date1904}");
            let sheet = &ours.1[1];
            let at = |row, col| sheet.iter().find(|c| (c.0, c.1) == (row, col)).map(|c| (c.2.as_str(), c.3));
            // The cases the fixture is for, named (1904 shifts dates by 1462 days and leaves times).
            assert_eq!(ours.0[0], ("说明".into(), false, true));
            assert_eq!(ours.0[1].0, "A&B 数据");
            assert_eq!(at(0, 1), Some(("实付 金额", false)));
            assert_eq!(at(0, 3), Some(("a&b <c> 会\r", false)));
            assert_eq!(at(2, 1), Some(("46086", false)), "a custom format 14 replaces the built-in date");
            assert_eq!(at(2, 10), Some((if date1904 { "1905-01-01" } else { "1900-12-31" }, false)));
            assert_eq!(at(2, 4), Some(("1.5", false)), "[h]:mm:ss is a duration");
            assert_eq!(at(2, 5), Some(("12.5", false)), "\"d\"0.00 is no date");
            assert_eq!(at(2, 6), Some(("18:00:00", false)));
            assert_eq!(at(2, 8).map(|c| c.0.len()), Some(10), "yyyy\"年\"… is a date");
            assert_eq!(at(3, 2), Some(("#N/A", true)));
            assert_eq!(at(3, 4), Some(("会员&x", false)));
            assert_eq!(at(3, 6), Some(("富文本\n", false)));
            assert_eq!(at(3, 7), Some(("2026-03-05T14:03:00", false)));
            assert_eq!(at(4, 0), Some(("1", false)), "a row without r follows row 4");
            assert_eq!(at(4, 5), Some(("13800138000", false)), "a cell without r follows E5");
            assert_eq!(at(8, 27), Some(("", false)), "an inlineStr's <v> is ignored");
        }
    }

    proptest! {
        #[test]
        fn numbers_and_dates_read_as_calamine_reads_them(
            cells in proptest::collection::vec((prop_oneof![0.0..1.0, 0.0..3_000_000.0, -10.0..400.0, Just(60.0)], 0..11usize), 1..40),
            date1904: bool,
        ) {
            let rows: String = cells.iter().enumerate().map(|(i, (v, s))| format!(r#"<row r="{}"><c r="B{}" s="{s}"><v>{v}</v></c></row>"#, i + 1, i + 1)).collect();
            let [ours, theirs] = both(&workbook(&rows, date1904));
            prop_assert_eq!(ours, theirs);
        }

        #[test]
        fn damaged_workbooks_are_errors_not_panics(cuts in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4)) {
            let mut bytes = workbook(CELLS, false);
            for (at, byte) in cuts {
                let i = at.index(bytes.len());
                bytes[i] = byte;
            }
            if let Ok(mut book) = Book::open(bytes) {
                for path in book.sheets.iter().map(|s| s.path.clone()).collect::<Vec<_>>() {
                    let _ = book.read_cells(&path, |_, _, _| Ok(()));
                }
            }
        }
    }

    #[test]
    fn a_workbook_inflating_past_the_limit_is_refused() {
        let rows: String = (1..2000).map(|r| format!(r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>"#)).collect();
        let bytes = workbook(&rows, false);
        let mut book = Book::open(bytes.clone()).unwrap();
        assert!(book.read_cells("xl/worksheets/sheet2.xml", |_, _, _| Ok(())).is_ok());
        let mut book = Book::open(bytes).unwrap();
        book.left = 10_000;
        let e = book.read_cells("xl/worksheets/sheet2.xml", |_, _, _| Ok(())).unwrap_err();
        assert!(e.contains("zip bomb") && e.contains("文件已损坏"), "{e}");
        assert_eq!(
            (inflate_limit(1000), inflate_limit(1 << 20), inflate_limit(1 << 30)),
            (64 << 20, 200 << 20, 1 << 30)
        );
    }
}
