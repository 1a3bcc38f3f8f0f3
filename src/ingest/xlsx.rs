//! Excel workbooks as input (feature `xlsx`): `.xlsx`, read with `calamine`
//! (pure Rust: zip with deflate only, no C code, so it builds for
//! `wasm32-unknown-unknown`). The older binary `.xls` stays an
//! `UNSUPPORTED_FORMAT` error: reading it would cost ~20 KB brotli of wasm.
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
//! - dates and times as `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS` or `HH:MM:SS`
//!   (to the nearest second), which the date parser reads;
//! - booleans as `true` / `false`;
//! - error values (`#N/A`, `#DIV/0!`…) reject their row when they sit in a
//!   column the file uses (`cell_error`, naming the row and the column), and
//!   are ignored in other columns.
//!
//! The table starts at the first non-empty row (the header) and its first
//! non-empty cell; rows that are entirely empty are skipped like blank lines,
//! and a value left of the header is a `field_count` rejection, never lost.

use super::fields::FieldError;
use super::records::Record;
use super::report::Rejection;
use super::{Kind, LoadOptions, Sink};
use crate::error::{Error, ErrorKind, Result};
use calamine::{DataRef, ExcelDateTime, Reader, SheetType, SheetVisible, Xlsx, XlsxError};
use chrono::{NaiveDate, NaiveTime, TimeDelta, Timelike};
use std::fmt::Write as _;
use std::io::Cursor;

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
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| bad(xlsx_error(e)))?;
        let name = choose_sheet(book.sheets_metadata(), options.sheet.as_deref(), file)?;
        let mut cells = book.worksheet_cells_reader(&name).map_err(|e| bad(xlsx_error(e)))?;
        while let Some(cell) = cells.next_cell().map_err(|e| bad(xlsx_error(e)))? {
            let (row, col) = cell.get_position();
            rows.cell(row, col, cell.get_value()).map_err(bad)?;
        }
        rows.flush();
        self.sheet = Some(name);
        rows.target.sink.fatal()
    }
}

/// The sheet to read: the one named in the options, else the first visible
/// worksheet, else the first worksheet.
fn choose_sheet(sheets: &[calamine::Sheet], wanted: Option<&str>, file: &str) -> Result<String> {
    let worksheets = || sheets.iter().filter(|s| s.typ == SheetType::WorkSheet);
    if let Some(wanted) = wanted.map(str::trim).filter(|w| !w.is_empty()) {
        return match sheets.iter().find(|s| s.name.trim() == wanted) {
            Some(s) => Ok(s.name.clone()),
            None => {
                let names: Vec<&str> = worksheets().map(|s| s.name.as_str()).collect();
                Err(Error::bad_options(
                    "sheet",
                    format!("{file}: no sheet \"{wanted}\" in the workbook; its sheets are {}", names.join(", ")),
                ))
            }
        };
    }
    worksheets()
        .find(|s| s.visible == SheetVisible::Visible)
        .or_else(|| worksheets().next())
        .map(|s| s.name.clone())
        .ok_or_else(|| {
            ErrorKind::BadWorkbook {
                file: file.into(), message: "it has no worksheet (工作簿中没有工作表)".into()
            }
            .into()
        })
}

/// What calamine's xlsx errors mean to the user.
fn xlsx_error(e: XlsxError) -> String {
    match e {
        XlsxError::Password => {
            "it is protected by a password; remove the password in Excel first (请先取消密码)".into()
        }
        XlsxError::Zip(z) => format!("the file is damaged or incomplete ({z}) (文件已损坏或不完整)"),
        other => other.to_string(),
    }
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
    fn cell(&mut self, row: u32, col: u32, value: &DataRef<'_>) -> Result<(), String> {
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
fn cell_text(value: &DataRef<'_>, out: &mut String) -> bool {
    match value {
        DataRef::Empty => {}
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => out.push_str(s),
        DataRef::SharedString(s) => out.push_str(s),
        DataRef::Int(i) => {
            let _ = write!(out, "{i}");
        }
        DataRef::Float(f) => number_text(*f, out),
        DataRef::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        DataRef::DateTime(d) => date_text(d, out),
        DataRef::Error(e) => {
            let _ = write!(out, "{e}");
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

/// A date cell as the date parser reads it, to the nearest second: a time
/// alone (serial below 1) as `HH:MM:SS`, a whole day as `YYYY-MM-DD`, else
/// `YYYY-MM-DD HH:MM:SS`. A duration, or a date Excel itself cannot show
/// (its 1900-02-29), stays a number.
fn date_text(d: &ExcelDateTime, out: &mut String) {
    let serial = d.as_f64();
    if d.is_duration() || !(0.0..2_958_466.0).contains(&serial) {
        return number_text(serial, out);
    }
    if serial < 1.0 {
        let secs = ((serial * 86_400.0).round() as u32).min(86_399);
        let _ = write!(out, "{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
        return;
    }
    let (y, mo, day, h, mi, s, ms) = d.to_ymd_hms_milli();
    let time = NaiveTime::from_hms_milli_opt(h.into(), mi.into(), s.into(), ms.into());
    let at = NaiveDate::from_ymd_opt(y.into(), mo.into(), day.into()).zip(time).and_then(|(date, time)| {
        // Round to the second: 14:02:59.999 is 14:03:00.
        date.and_time(time).checked_add_signed(TimeDelta::milliseconds(500))?.with_nanosecond(0)
    });
    let _ = match at {
        None => return number_text(serial, out),
        Some(at) if at.num_seconds_from_midnight() == 0 => write!(out, "{}", at.format("%Y-%m-%d")),
        Some(at) => write!(out, "{}", at.format("%Y-%m-%d %H:%M:%S")),
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{CellErrorType, ExcelDateTimeType};

    fn text(value: DataRef<'_>) -> (String, bool) {
        let mut out = String::new();
        let error = cell_text(&value, &mut out);
        (out, error)
    }

    fn date(serial: f64) -> String {
        text(DataRef::DateTime(ExcelDateTime::new(serial, ExcelDateTimeType::DateTime, false))).0
    }

    #[test]
    fn numbers_read_as_excel_shows_them() {
        assert_eq!(text(DataRef::Float(1234.5)).0, "1234.5");
        assert_eq!(text(DataRef::Float(36.900000000000006)).0, "36.9");
        assert_eq!(text(DataRef::Float(0.1 + 0.2)).0, "0.3");
        assert_eq!(text(DataRef::Float(13_800_138_000.0)).0, "13800138000");
        assert_eq!(text(DataRef::Float(-12.0)).0, "-12");
        assert_eq!(text(DataRef::Float(1e21)).0, "1000000000000000000000");
        assert_eq!(text(DataRef::Int(-7)).0, "-7");
        assert_eq!(text(DataRef::Bool(true)).0, "true");
        assert_eq!(text(DataRef::Empty).0, "");
        assert_eq!(text(DataRef::SharedString("￥1,234.50")).0, "￥1,234.50");
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
        let in_1904 = ExcelDateTime::new(46086.0 - 1462.0, ExcelDateTimeType::DateTime, true);
        assert_eq!(text(DataRef::DateTime(in_1904)).0, "2026-03-05");
        let duration = ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false);
        assert_eq!(text(DataRef::DateTime(duration)).0, "1.5");
        assert_eq!(date(-3.0), "-3");
        for serial in [46086.0, 46086.5, 45000.25] {
            let parsed = super::super::fields::parse_datetime(&date(serial)).unwrap();
            assert_eq!(super::super::fields::parse_datetime(&serial.to_string()).unwrap(), parsed);
        }
    }

    #[test]
    fn error_values_are_flagged() {
        assert_eq!(text(DataRef::Error(CellErrorType::NA)), ("#N/A".into(), true));
        assert_eq!(text(DataRef::Error(CellErrorType::Div0)), ("#DIV/0!".into(), true));
    }
}
