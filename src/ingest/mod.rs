//! Ingest: a store's export file → a columnar table + an [`ImportReport`].
//!
//! The parser is streaming from the first byte: [`Ingest::push`] takes
//! chunks of any size (a Web Worker's `File.slice` pieces, or a whole file),
//! and [`Ingest::finish`] returns the table and the report. The stages:
//!
//! 1. **sniff** ([`decode`]): the first 64 KiB decide the encoding (BOM,
//!    UTF-16 without BOM, UTF-8, else GBK/GB18030) or refuse a file that is
//!    not text;
//! 2. **header** ([`records`], [`headers`]): the first line decides the
//!    delimiter, the header row decides which column holds which field;
//! 3. **rows** ([`tables`], [`fields`]): each record becomes a table entry
//!    or a rejection with row, column, value and reason.
//!
//! Excel workbooks (`.xlsx`; feature `xlsx`) are recognised in
//! step 1, kept whole until the file ends (a zip cannot be read in pieces)
//! and then read by [`xlsx`], which hands each sheet row to step 3 as a
//! record. Without the feature they are an `UNSUPPORTED_FORMAT` error.
//!
//! No input panics; a file that cannot be used at all is an [`Error`].
//!
//! ```
//! use member_analytics::ingest::{read, Kind, LoadOptions};
//! let csv = "会员ID,支付时间,实付金额\nM1,2026-03-05 14:03,￥12.50\nM1,yesterday,3\n";
//! let loaded = read(Kind::Orders, csv.as_bytes(), &LoadOptions::default()).unwrap();
//! assert_eq!((loaded.report.rows_read, loaded.report.rows_used), (2, 1));
//! assert_eq!(loaded.report.rejected[0].row, 3);
//! assert_eq!(loaded.report.rejected[0].column, "支付时间");
//! ```

pub mod decode;
pub mod fields;
pub mod headers;
pub mod records;
pub mod report;
pub mod seen;
pub mod tables;
#[cfg(feature = "xlsx")]
pub mod xlsx;

use crate::error::{Error, ErrorKind, Result};
use crate::model::format_day;
use decode::{Decoder, SNIFF_BYTES};
use records::{Record, Records, first_line_len, sniff_delimiter};
pub use report::{ImportReport, Rejection};
use serde::Deserialize;
use std::collections::BTreeMap;
use tables::Builder;
pub use tables::Table;

/// Which dataset a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Orders (required for any analysis beyond prospects).
    Orders,
    /// Registered members.
    Members,
    /// Order lines (订单明细): the items of each order, by order id.
    OrderLines,
    /// Events (行为): visits, add-to-carts, sign-ins, coupons, messages…
    Events,
}

impl Kind {
    /// Every kind, in the order the JS API lists them.
    pub const ALL: [Kind; 4] = [Kind::Orders, Kind::Members, Kind::OrderLines, Kind::Events];

    /// The name used in reports and the JS API.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Orders => "orders",
            Kind::Members => "members",
            Kind::OrderLines => "order_lines",
            Kind::Events => "events",
        }
    }

    /// Parse `orders` / `members` / `order_lines` / `events`.
    ///
    /// ```
    /// use member_analytics::ingest::Kind;
    /// assert_eq!(Kind::parse("order_lines").unwrap(), Kind::OrderLines);
    /// assert_eq!(Kind::parse("lines").unwrap_err().field(), Some("kind"));
    /// ```
    pub fn parse(name: &str) -> Result<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name).ok_or_else(|| {
            Error::bad_options(
                "kind",
                format!("\"{name}\" is not a dataset; use \"orders\", \"members\", \"order_lines\" or \"events\""),
            )
        })
    }
}

/// How to read a file; every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct LoadOptions {
    /// Shown in the report and in errors.
    pub file_name: Option<String>,
    /// Canonical field → header as written; overrides the guess.
    pub mapping: BTreeMap<String, String>,
    /// Force an encoding label (`utf-8`, `gbk`, `utf-16le`, …).
    pub encoding: Option<String>,
    /// Force a delimiter (`,` `\t` `;` `|`).
    pub delimiter: Option<String>,
    /// The worksheet of an Excel workbook to read (default: the first
    /// visible one); ignored for text files.
    pub sheet: Option<String>,
    /// The whole file's size in bytes, when known (a `File`'s `size`): the
    /// table's columns are then sized once for the rows it holds, instead
    /// of doubling as they fill (wasm memory never shrinks). [`read`] knows
    /// it. Only a hint: the rows are the same without it or with a wrong one.
    pub total_bytes: Option<u64>,
}

/// A finished load.
#[derive(Debug)]
pub struct Loaded {
    /// The rows used.
    pub table: Table,
    /// What happened to every row.
    pub report: ImportReport,
}

/// Read a whole file at once (one chunk through [`Ingest`]).
pub fn read(kind: Kind, bytes: &[u8], options: &LoadOptions) -> Result<Loaded> {
    let options = LoadOptions { total_bytes: Some(bytes.len() as u64), ..options.clone() };
    let mut ingest = Ingest::new(kind, options)?;
    ingest.push(bytes)?;
    ingest.finish()
}

/// Read a file of `len` bytes that sits elsewhere (a JS array), `chunk`
/// bytes at a time: `fill(offset, buf)` copies the bytes at `offset` into
/// `buf`. The same as [`read`] of the whole file, without ever holding it.
pub fn read_from(
    kind: Kind,
    len: usize,
    options: &LoadOptions,
    chunk: usize,
    mut fill: impl FnMut(usize, &mut [u8]),
) -> Result<Loaded> {
    let options = LoadOptions { total_bytes: Some(len as u64), ..options.clone() };
    let mut ingest = Ingest::new(kind, options)?;
    let mut buf = vec![0; chunk.clamp(1, len.max(1))];
    let step = buf.len();
    for offset in (0..len).step_by(step) {
        let piece = &mut buf[..step.min(len - offset)];
        fill(offset, piece);
        ingest.push(piece)?;
    }
    ingest.finish()
}

/// A streaming load in progress.
pub struct Ingest {
    kind: Kind,
    options: LoadOptions,
    file: String,
    forced_delimiter: Option<u8>,
    stage: Stage,
    /// The parsed header and the rows so far (after the header line).
    sink: Sink,
    /// Reusable buffer of decoded text.
    text: Vec<u8>,
}

enum Stage {
    /// Collecting the first bytes to decide the encoding.
    Sniff(Vec<u8>),
    /// Decoding; collecting text until the header line is complete.
    Header(Decoder, Vec<u8>),
    /// Streaming records (boxed: the CSV reader's tables are large).
    Body(Decoder, Box<Records>),
    /// An Excel workbook: its bytes are kept until the file ends.
    #[cfg(feature = "xlsx")]
    Workbook(Box<xlsx::Workbook>),
}

impl Ingest {
    /// Start reading a file of `kind`.
    pub fn new(kind: Kind, options: LoadOptions) -> Result<Ingest> {
        let forced_delimiter = match options.delimiter.as_deref() {
            None | Some("") => None,
            Some(",") => Some(b','),
            Some("\t") | Some("\\t") | Some("tab") => Some(b'\t'),
            Some(";") => Some(b';'),
            Some("|") => Some(b'|'),
            Some(other) => {
                return Err(Error::bad_options(
                    "delimiter",
                    format!("\"{other}\": use \",\", \"\\t\", \";\" or \"|\""),
                ));
            }
        };
        let file = options.file_name.clone().unwrap_or_else(|| format!("{}.csv", kind.name()));
        Ok(Ingest {
            kind,
            options,
            file,
            forced_delimiter,
            stage: Stage::Sniff(Vec::new()),
            sink: Sink::default(),
            text: Vec::new(),
        })
    }

    /// Data rows read so far.
    pub fn rows_read(&self) -> u64 {
        self.sink.rows_read
    }

    /// Feed the next chunk of the file.
    pub fn push(&mut self, chunk: &[u8]) -> Result<()> {
        self.advance(chunk, false)
    }

    /// The file has ended: flush, then return the table and the report.
    pub fn finish(mut self) -> Result<Loaded> {
        self.advance(&[], true)?;
        let Some(builder) = self.sink.builder.take() else {
            return Err(ErrorKind::EmptyFile { file: self.file }.into());
        };
        let (decoder_label, delimiter, sheet) = match &self.stage {
            Stage::Body(d, _) => (d.label, (self.sink.delimiter as char).to_string(), None),
            #[cfg(feature = "xlsx")]
            Stage::Workbook(w) => (xlsx::LABEL, String::new(), w.sheet.clone()),
            _ => ("", ",".to_string(), None),
        };
        let (columns, span, not_purchases) = (builder.columns().clone(), builder.span, builder.not_purchases);
        let table = builder.finish();
        let report = ImportReport {
            dataset: self.kind.name(),
            file_name: self.file,
            encoding: decoder_label,
            delimiter,
            sheet,
            mapping: columns.mapping.into_iter().collect(),
            ignored_columns: columns.ignored,
            rows_read: self.sink.rows_read,
            rows_used: self.sink.rows_read - self.sink.rejected.len() as u64,
            rejected: self.sink.rejected,
            not_purchases,
            members: table.members() as u64,
            first_date: span.map(|(a, _)| format_day(a)),
            last_date: span.map(|(_, b)| format_day(b)),
        };
        Ok(Loaded { table, report })
    }

    /// Move the file on by one chunk. A chunk is copied only where it must
    /// be: up to 64 KiB while the encoding is undecided, once when it is
    /// not UTF-8 (decoding), and until the header line is complete.
    fn advance(&mut self, chunk: &[u8], last: bool) -> Result<()> {
        if let Stage::Sniff(raw) = &mut self.stage {
            if raw.is_empty() && (chunk.len() >= SNIFF_BYTES || last) {
                // The chunk alone decides: sniff it in place, then read it.
                self.decide(chunk)?;
            } else {
                raw.extend_from_slice(chunk);
                if raw.len() < SNIFF_BYTES && !last {
                    return Ok(());
                }
                let raw = std::mem::take(raw);
                self.decide(&raw)?;
                return self.read(&raw, last);
            }
        }
        self.read(chunk, last)
    }

    /// Choose the decoder from the first bytes: the first [`SNIFF_BYTES`]
    /// of `prefix`, however much of the file it holds, so a file read
    /// whole is decided as when it is streamed in pieces.
    fn decide(&mut self, prefix: &[u8]) -> Result<()> {
        if prefix.iter().all(u8::is_ascii_whitespace) {
            return Err(ErrorKind::EmptyFile { file: self.file.clone() }.into());
        }
        let prefix = &prefix[..prefix.len().min(SNIFF_BYTES)];
        #[cfg(feature = "xlsx")]
        if xlsx::is_workbook(prefix) {
            self.stage = Stage::Workbook(Box::default());
            return Ok(());
        }
        let decoder = Decoder::sniff(prefix, self.options.encoding.as_deref(), &self.file)?;
        self.stage = Stage::Header(decoder, Vec::new());
        Ok(())
    }

    /// Read raw bytes once the decoder is chosen: UTF-8 goes to the CSV
    /// reader as it is, other encodings through the reusable text buffer.
    fn read(&mut self, chunk: &[u8], last: bool) -> Result<()> {
        let decoder = match &mut self.stage {
            Stage::Header(d, _) | Stage::Body(d, _) => d,
            Stage::Sniff(_) => return Ok(()),
            #[cfg(feature = "xlsx")]
            Stage::Workbook(w) => {
                w.bytes.extend_from_slice(chunk);
                return if last { w.read(self.kind, &self.options, &self.file, &mut self.sink) } else { Ok(()) };
            }
        };
        if decoder.is_passthrough() {
            let chunk = decoder.skip_bom(chunk);
            return self.take_text(chunk, last);
        }
        let mut text = std::mem::take(&mut self.text);
        text.clear();
        decoder.decode(chunk, last, &mut text);
        let result = self.take_text(&text, last);
        self.text = text;
        result
    }

    /// Take UTF-8 text: wait for the header line, then stream records.
    fn take_text(&mut self, text: &[u8], last: bool) -> Result<()> {
        match std::mem::replace(&mut self.stage, Stage::Sniff(Vec::new())) {
            Stage::Header(decoder, mut pending) => {
                // Only a header line split across chunks is copied.
                let whole = if pending.is_empty() {
                    text
                } else {
                    pending.extend_from_slice(text);
                    &pending[..]
                };
                let Some(len) = first_line_len(whole).or(last.then_some(whole.len())) else {
                    if pending.is_empty() {
                        pending.extend_from_slice(text);
                    }
                    self.stage = Stage::Header(decoder, pending);
                    return Ok(());
                };
                let delimiter = self.forced_delimiter.unwrap_or_else(|| sniff_delimiter(&whole[..len]));
                self.sink.delimiter = delimiter;
                if let (Some(total), true) = (self.options.total_bytes, decoder.is_passthrough()) {
                    self.sink.expected_rows = expected_rows(&whole[len..], total.saturating_sub(len as u64));
                }
                let mut records = Box::new(Records::new(delimiter));
                self.sink.feed(&mut records, whole, last, self.kind, &self.options, &self.file);
                self.stage = Stage::Body(decoder, records);
                self.sink.fatal()
            }
            Stage::Body(decoder, mut records) => {
                self.sink.feed(&mut records, text, last, self.kind, &self.options, &self.file);
                self.stage = Stage::Body(decoder, records);
                self.sink.fatal()
            }
            sniff => {
                self.stage = sniff;
                Ok(())
            }
        }
    }
}

/// About how many rows `rest` bytes of text hold, from the lines of `sample`
/// (the text after the header at hand): a little more than the lines at the
/// same length per line, so that the columns need not grow at the end; 0
/// without a whole line to measure.
fn expected_rows(sample: &[u8], rest: u64) -> u64 {
    let sample = &sample[..sample.len().min(SNIFF_BYTES)];
    let Some(end) = sample.iter().rposition(|&b| b == b'\n') else { return 0 };
    let lines = sample[..=end].iter().filter(|&&b| b == b'\n').count() as u64;
    let rows = rest as f64 * lines as f64 / (end + 1) as f64;
    (rows * 1.02) as u64 + 64
}

/// Where records go: the first is the header, the rest are rows.
#[derive(Default)]
struct Sink {
    builder: Option<Builder>,
    /// Rows to size the table for when the header is read (0: unknown).
    expected_rows: u64,
    delimiter: u8,
    rows_read: u64,
    rejected: Vec<Rejection>,
    /// A problem with the header: the file cannot be used.
    error: Option<Error>,
}

impl Sink {
    /// Run `text` through `records`; `last` flushes the final record.
    fn feed(&mut self, records: &mut Records, text: &[u8], last: bool, kind: Kind, options: &LoadOptions, file: &str) {
        if !text.is_empty() {
            records.feed(text, |rec| self.record(&rec, kind, options, file));
        }
        if last {
            records.feed(&[], |rec| self.record(&rec, kind, options, file));
        }
    }

    fn record(&mut self, rec: &Record<'_>, kind: Kind, options: &LoadOptions, file: &str) {
        if self.error.is_some() {
            return;
        }
        let Some(builder) = &mut self.builder else {
            let headers: Vec<String> =
                (0..rec.len()).map(|i| String::from_utf8_lossy(rec.get(i)).trim().to_string()).collect();
            let mapping: Vec<(String, String)> = options.mapping.clone().into_iter().collect();
            match headers::resolve(kind, &headers, &mapping, file) {
                Ok(columns) => {
                    let mut builder = Builder::new(kind, columns, headers);
                    builder.reserve(self.expected_rows);
                    self.builder = Some(builder);
                }
                Err(e) => self.error = Some(e),
            }
            return;
        };
        self.rows_read += 1;
        if let Err(rejection) = builder.row(rec, self.delimiter) {
            self.rejected.push(rejection);
        }
    }

    /// Count a data row that is rejected before it reaches the builder.
    #[cfg(feature = "xlsx")]
    fn reject(&mut self, rejection: Rejection) {
        self.rows_read += 1;
        self.rejected.push(rejection);
    }

    fn fatal(&mut self) -> Result<()> {
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(kind: Kind, bytes: &[u8]) -> Result<Loaded> {
        read(kind, bytes, &LoadOptions::default())
    }

    #[test]
    fn empty_and_header_only_files() {
        assert_eq!(load(Kind::Orders, b"").unwrap_err().code(), "EMPTY_FILE");
        assert_eq!(load(Kind::Orders, b"\r\n\n  ").unwrap_err().code(), "EMPTY_FILE");
        let only_header = load(Kind::Orders, "会员ID,支付时间,金额\n".as_bytes()).unwrap();
        assert_eq!(only_header.report.rows_read, 0);
    }

    #[test]
    fn missing_member_column_is_an_error() {
        let e = load(Kind::Orders, "订单号,支付时间,金额\nA,2026-01-01,1\n".as_bytes()).unwrap_err();
        assert_eq!(e.code(), "MISSING_COLUMN");
        assert_eq!(e.field(), Some("member_id"));
    }

    #[test]
    fn tsv_with_forced_and_sniffed_delimiters() {
        let tsv = "member_id\tdate\ttotal\nA\t2026-01-01\t1.5\n";
        let l = load(Kind::Orders, tsv.as_bytes()).unwrap();
        assert_eq!((l.report.delimiter.as_str(), l.report.rows_used), ("\t", 1));
        let opts = LoadOptions { delimiter: Some("tab".into()), ..Default::default() };
        assert_eq!(read(Kind::Orders, tsv.as_bytes(), &opts).unwrap().report.rows_used, 1);
        let bad = LoadOptions { delimiter: Some("x".into()), ..Default::default() };
        assert_eq!(read(Kind::Orders, tsv.as_bytes(), &bad).unwrap_err().field(), Some("delimiter"));
    }

    #[test]
    fn chunking_never_changes_the_result() {
        let csv = "\u{feff}会员ID,支付时间,实付金额,订单状态,退款金额\r\nM1,2026-03-05 14:03,\"1,234.50\",交易成功,\r\n\
                   M2,2026/3/6,33元,已退款,33\r\nM1,bad,1,,\r\n\r\nM3,20260307,12,部分退款,2\r\n";
        let whole = load(Kind::Orders, csv.as_bytes()).unwrap();
        assert_eq!((whole.report.rows_read, whole.report.rows_used, whole.report.not_purchases), (4, 3, 1));
        assert_eq!(whole.report.rejected[0].row, 4);
        assert_eq!(whole.report.encoding, "UTF-8 (BOM)");
        for size in [1, 2, 3, 5, 11] {
            let mut ingest = Ingest::new(Kind::Orders, LoadOptions::default()).unwrap();
            for piece in csv.as_bytes().chunks(size) {
                ingest.push(piece).unwrap();
            }
            let got = ingest.finish().unwrap();
            assert_eq!(got.report, whole.report, "chunk size {size}");
            let (Table::Orders(a), Table::Orders(b)) = (&got.table, &whole.table) else { panic!() };
            assert_eq!(a.net, b.net);
            assert_eq!(a.net.iter().collect::<Vec<_>>(), [123_450, 0, 1000]);
        }
    }

    #[test]
    fn the_encoding_is_decided_by_the_first_bytes_whole_or_in_pieces() {
        // UTF-8 for more than the sniffed bytes, then a GBK row: the file is
        // UTF-8 and that row is rejected, however the file arrives.
        let mut csv = String::from("会员ID,支付时间,实付金额\n");
        while csv.len() <= SNIFF_BYTES {
            csv.push_str("M1,2026-03-05,12\n");
        }
        let mut bytes = csv.into_bytes();
        bytes.extend_from_slice(b"\xd5\xc5,2026-03-06,1\n");
        let whole = load(Kind::Orders, &bytes).unwrap();
        assert_eq!(whole.report.encoding, "UTF-8");
        let bad = whole.report.rejected.last().unwrap();
        assert_eq!((bad.row, bad.code), (whole.report.rows_read + 1, "bad_text"));
        let mut ingest = Ingest::new(Kind::Orders, LoadOptions::default()).unwrap();
        for piece in bytes.chunks(SNIFF_BYTES / 3) {
            ingest.push(piece).unwrap();
        }
        assert_eq!(ingest.finish().unwrap().report, whole.report);
    }

    #[test]
    fn the_size_hint_never_changes_the_result() {
        // Orders and events with a multi-line quoted field, a blank line and
        // a rejected row, read with no size, the right one, one far too
        // small and one far too large, whole and in pieces.
        let mut orders = String::from("会员ID,支付时间,实付金额,订单号\n");
        let mut events = String::from("会员ID,时间,行为类型\n");
        for i in 0..3000 {
            orders.push_str(&format!("M{},2026-01-{:02} 10:00,{}.5,D{i}\n", i % 97, 1 + i % 28, i % 50));
            events.push_str(&format!("M{},2026-02-{:02},签到\n", i % 89, 1 + i % 28));
        }
        orders.push_str("\"M\n1\",2026-03-01,1,X\n\nM2,never,1,Y\nM3,2026-03-02,2,Z");
        for (kind, text) in [(Kind::Orders, orders), (Kind::Events, events)] {
            let bytes = text.as_bytes();
            let plain = |options: LoadOptions| {
                let mut ingest = Ingest::new(kind, options).unwrap();
                ingest.push(bytes).unwrap();
                ingest.finish().unwrap()
            };
            let want = plain(LoadOptions::default());
            assert_eq!(want.report.rows_read, if kind == Kind::Orders { 3003 } else { 3000 });
            for (total, size) in [(bytes.len() as u64, 1000), (10, 7), (1 << 40, 65_536), (u64::MAX, bytes.len())] {
                let options = LoadOptions { total_bytes: Some(total), ..Default::default() };
                let mut ingest = Ingest::new(kind, options.clone()).unwrap();
                for piece in bytes.chunks(size) {
                    ingest.push(piece).unwrap();
                }
                let got = ingest.finish().unwrap();
                assert_eq!((&got.report, &got.table), (&want.report, &want.table), "total {total}, pieces of {size}");
                let got = plain(options);
                assert_eq!((&got.report, &got.table), (&want.report, &want.table), "total {total}, whole");
            }
            assert_eq!(read(kind, bytes, &LoadOptions::default()).unwrap().table, want.table);
            // Read from elsewhere a chunk at a time (the JS `load`).
            for chunk in [0, 1, 1000, bytes.len(), 1 << 22] {
                let got = read_from(kind, bytes.len(), &LoadOptions::default(), chunk, |at, buf| {
                    buf.copy_from_slice(&bytes[at..at + buf.len()])
                })
                .unwrap();
                assert_eq!((&got.report, &got.table), (&want.report, &want.table), "read_from, chunks of {chunk}");
            }
        }
        // The columns are sized once for about the rows that came, and cut
        // to them at the end.
        assert_eq!(expected_rows(b"a,b\nc,d\n", 8000), 2104);
        assert_eq!(expected_rows(b"no whole line", 8000), 0);
        let text = "会员ID,支付时间,实付金额\n".to_string() + &"M1,2026-01-01,1\n".repeat(5000);
        let Table::Orders(o) = read(Kind::Orders, text.as_bytes(), &LoadOptions::default()).unwrap().table else {
            panic!("orders")
        };
        assert_eq!((o.net.len(), o.paid.capacity(), o.member.capacity()), (5000, 5000, 5000));
    }

    #[test]
    fn refunds_and_statuses() {
        let csv = "会员ID,支付时间,实付金额,订单状态,退款金额,订单号\n\
                   A,2026-01-01,10,已关闭,,1\nA,2026-01-02,10,,10,2\nA,2026-01-03,10,,11,3\n\
                   A,2026-01-04,-5,,,4\nA,2026-01-05,10,发呆,,5\nA,2026-01-06,10,已退款,4,6\nA,2026-01-07,1,,,6\n";
        let l = load(Kind::Orders, csv.as_bytes()).unwrap();
        let codes: Vec<&str> = l.report.rejected.iter().map(|r| r.code).collect();
        assert_eq!(codes, vec!["refund_too_large", "unknown_status", "duplicate_order"]);
        let Table::Orders(o) = l.table else { panic!() };
        use crate::model::OrderKind::*;
        assert_eq!(o.kind, vec![NotPurchase, NotPurchase, Adjustment, Purchase]);
        assert_eq!(o.net.iter().collect::<Vec<_>>(), [0, 0, -500, 600]);
    }

    #[test]
    fn members_file() {
        let csv = "会员ID,手机号,姓名,注册时间,积分,备注\nM1,13812341234,张三,2026-01-01,1200,男\nM1,1,重复,,,\nM2,,,2026-13-01,,\n";
        let l = load(Kind::Members, csv.as_bytes()).unwrap();
        assert_eq!(l.report.ignored_columns, vec!["备注"]);
        assert_eq!(l.report.rejected.iter().map(|r| r.code).collect::<Vec<_>>(), vec!["duplicate_member", "bad_date"]);
        let Table::Members(m) = l.table else { panic!() };
        assert_eq!((m.ids.len(), m.points[0]), (1, Some(1200)));
    }

    #[test]
    fn every_kind_by_name() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.name()).unwrap(), kind);
        }
    }

    #[test]
    fn order_lines_and_events_need_their_columns() {
        let e = load(Kind::OrderLines, "订单号,商品名称,单价\nD1,茶,1\n".as_bytes()).unwrap_err();
        assert_eq!(e.field(), Some("qty"));
        let e = load(Kind::Events, "会员ID,时间,渠道\nM1,2026-01-01,短信\n".as_bytes()).unwrap_err();
        assert_eq!(e.field(), Some("type"));
        // A line amount alone is enough: the unit price is derived.
        let l = load(Kind::OrderLines, "order_id,qty,subtotal\nD1,3,10.00\n".as_bytes()).unwrap();
        let Table::OrderLines(lines) = l.table else { panic!() };
        assert_eq!((lines.unit_price[0], lines.amount[0], lines.sku.is_none()), (333, 1000, true));
    }

    #[test]
    fn extra_values_past_the_header_reject_the_row() {
        let csv = "会员ID,支付时间,金额\nA,2026-01-01,1,,\nB,2026-01-01,1,2\nC,2026-01-01\n";
        let l = load(Kind::Orders, csv.as_bytes()).unwrap();
        assert_eq!(l.report.rejected.len(), 2);
        assert_eq!(l.report.rejected[0].code, "field_count");
        assert_eq!(l.report.rejected[0].value, "B,2026-01-01,1,2");
        assert_eq!((l.report.rejected[1].code, l.report.rejected[1].column.as_str()), ("missing", "金额"));
    }
}
