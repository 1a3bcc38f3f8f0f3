//! CSV records from a stream of UTF-8 chunks, built on `csv_core`: fields
//! split across chunk boundaries are carried in the record buffer, and each
//! record knows the row number a spreadsheet would show for it (blank lines
//! count as rows, a quoted multi-line field does not add rows). A record's
//! text is checked to be UTF-8 once, not field by field.
//!
//! Most lines of an export have no quotes: between records, a whole line
//! without a `"` is split here, in place, in the same pass that checks its
//! UTF-8, instead of going through `csv_core` byte by byte and being
//! copied. Such a line means the same to `csv_core` (fields between the
//! delimiters, ended by `\r` or `\n`, blank lines skipped), so the records
//! and their row numbers are the same; anything else — a quote, a line cut
//! by the end of a chunk, the header — goes to `csv_core`.

use super::decode::{utf8, word};
use csv_core::{ReadRecordResult, Reader, ReaderBuilder};

/// One record: its fields as bytes and its spreadsheet row number.
pub struct Record<'a> {
    /// Row as a spreadsheet shows it: the header is row 1.
    pub row: u64,
    bytes: &'a [u8],
    /// Where each field ends in `bytes`.
    ends: &'a [usize],
    /// Bytes between a field's end and the next one's start: 0 for
    /// `csv_core`'s output, 1 (the delimiter) for a line split in place.
    gap: usize,
    /// `bytes` as text, when the whole record is valid UTF-8.
    text: Option<&'a str>,
}

impl<'a> Record<'a> {
    /// A record whose fields are held elsewhere (a spreadsheet row): field
    /// `i` is `bytes[ends[i - 1]..ends[i]]`, the first starting at 0.
    pub fn new(row: u64, bytes: &'a [u8], ends: &'a [usize]) -> Record<'a> {
        Record { row, bytes, ends, gap: 0, text: std::str::from_utf8(bytes).ok() }
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when the record has no fields.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Where field `i` starts and ends in `bytes`.
    #[inline]
    fn span(&self, i: usize) -> Option<(usize, usize)> {
        let end = *self.ends.get(i)?;
        Some((if i == 0 { 0 } else { self.ends[i - 1] + self.gap }, end))
    }

    /// Field `i` as raw bytes (empty when the row is shorter).
    pub fn get(&self, i: usize) -> &'a [u8] {
        self.span(i).map_or(&[], |(start, end)| &self.bytes[start..end])
    }

    /// Field `i` as text (empty when the row is shorter), or `None` when
    /// its bytes are not UTF-8.
    #[inline]
    pub fn str(&self, i: usize) -> Option<&'a str> {
        let Some((start, end)) = self.span(i) else { return Some("") };
        // A field of a valid record is valid unless it cuts a character.
        self.text.and_then(|t| t.get(start..end)).or_else(|| std::str::from_utf8(&self.bytes[start..end]).ok())
    }

    /// All fields, joined back with `delimiter` (for reporting a whole row).
    pub fn joined(&self, delimiter: u8) -> String {
        let fields: Vec<String> = (0..self.len()).map(|i| String::from_utf8_lossy(self.get(i)).into_owned()).collect();
        fields.join(&(delimiter as char).to_string())
    }
}

/// A streaming CSV record reader.
pub struct Records {
    reader: Reader,
    out: Vec<u8>,
    out_len: usize,
    ends: Vec<usize>,
    ends_len: usize,
    /// Spreadsheet row of the last record emitted.
    row: u64,
    /// Lines the reader had consumed after the last record (`csv_core`'s
    /// count plus `lines_split`).
    lines: u64,
    /// Line ends (`\n`) consumed by the in-place splitter, which
    /// `csv_core` would have counted.
    lines_split: u64,
    /// `csv_core` is between records: it emitted the last one (and has
    /// read the header), so the next lines may be split in place.
    between: bool,
    /// What each byte is to the in-place splitter.
    class: [Class; 256],
    /// Field ends of a line split in place.
    split_ends: Vec<usize>,
    delimiter: u8,
}

/// A byte as the in-place splitter sees it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// ASCII inside a field.
    Plain,
    /// The delimiter.
    Delimiter,
    /// `\r` or `\n`: the end of the record.
    End,
    /// `"`: the line goes to `csv_core`.
    Quote,
}

impl Records {
    /// A reader for `delimiter`-separated text (CRLF or LF, RFC 4180 quotes).
    pub fn new(delimiter: u8) -> Records {
        let mut class = [Class::Plain; 256];
        class[usize::from(b'\r')] = Class::End;
        class[usize::from(b'\n')] = Class::End;
        class[usize::from(b'"')] = Class::Quote;
        class[usize::from(delimiter)] = Class::Delimiter;
        Records {
            reader: ReaderBuilder::new().delimiter(delimiter).build(),
            out: vec![0; 4096],
            out_len: 0,
            ends: vec![0; 64],
            ends_len: 0,
            row: 0,
            // csv_core numbers lines from 1.
            lines: 1,
            lines_split: 0,
            between: false,
            class,
            split_ends: Vec::with_capacity(64),
            delimiter,
        }
    }

    /// Read every complete record of `input`; a record cut at the end of
    /// `input` is completed by the next call. An empty `input` means the
    /// stream has ended: the last record is emitted even without a newline.
    pub fn feed(&mut self, mut input: &[u8], mut emit: impl FnMut(Record<'_>)) {
        let at_end = input.is_empty();
        loop {
            if self.between && !input.is_empty() {
                input = &input[self.split_lines(input, &mut emit)..];
                if input.is_empty() {
                    return;
                }
                self.between = false;
            }
            let (result, nin, nout, nend) =
                self.reader.read_record(input, &mut self.out[self.out_len..], &mut self.ends[self.ends_len..]);
            input = &input[nin..];
            self.out_len += nout;
            self.ends_len += nend;
            match result {
                ReadRecordResult::InputEmpty => {
                    if !at_end {
                        return;
                    }
                }
                ReadRecordResult::OutputFull => {
                    let len = self.out.len() * 2;
                    self.out.resize(len, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let len = self.ends.len() * 2;
                    self.ends.resize(len, 0);
                }
                ReadRecordResult::Record => {
                    let bytes = &self.out[..self.out_len];
                    let lines = self.reader.line() + self.lines_split;
                    // Lines consumed beyond the record's own are blank lines;
                    // with at most one consumed there are none, and the
                    // newlines inside the record need no counting.
                    let consumed = lines.saturating_sub(self.lines);
                    if consumed > 1 {
                        let spanned = 1 + bytes.iter().filter(|&&b| b == b'\n').count() as u64;
                        self.row += consumed.saturating_sub(spanned);
                    }
                    self.row += 1;
                    self.lines = lines;
                    let text = utf8(bytes);
                    emit(Record { row: self.row, bytes, ends: &self.ends[..self.ends_len], gap: 0, text });
                    self.out_len = 0;
                    self.ends_len = 0;
                    self.between = true;
                }
                ReadRecordResult::End => return,
            }
        }
    }

    /// Split the whole lines at the start of `input` that have no quote,
    /// as `csv_core` would read them from between records, and emit them;
    /// returns the bytes consumed. It stops at the start of a record that
    /// has a quote or no end in `input`, which is `csv_core`'s to read: to
    /// it, a record's first byte after the end of the last one means the
    /// same as after blank lines.
    fn split_lines(&mut self, input: &[u8], emit: &mut impl FnMut(Record<'_>)) -> usize {
        let mut pos = 0;
        loop {
            // Line ends before a record are skipped (blank lines).
            while let Some(&b) = input.get(pos).filter(|&&b| b == b'\r' || b == b'\n') {
                self.lines_split += u64::from(b == b'\n');
                pos += 1;
            }
            let start = pos;
            self.split_ends.clear();
            let mut i = start;
            let end = 'line: loop {
                // A word at a time: only the bytes that may matter
                // (`special`) are looked at, in order. The last bytes of
                // `input` are padded with plain ones.
                let bytes8 = match input.get(i..i + 8) {
                    Some(w) => word(w),
                    None if i >= input.len() => return start,
                    None => {
                        let mut w = [b'a'; 8];
                        w[..input.len() - i].copy_from_slice(&input[i..]);
                        word(&w)
                    }
                };
                let mut hits = special(bytes8, self.delimiter);
                while hits != 0 {
                    let k = i + hits.trailing_zeros() as usize / 8;
                    hits &= hits - 1;
                    match self.class[usize::from(input[k])] {
                        Class::Plain => {}
                        Class::Delimiter => self.split_ends.push(k - start),
                        Class::End => {
                            i = k;
                            break 'line input[k];
                        }
                        Class::Quote => return start,
                    }
                }
                i += 8;
            };
            self.split_ends.push(i - start);
            let bytes = &input[start..i];
            // The record's own line end is consumed with it (a `\n` after a
            // `\r` is skipped as a blank line, as csv_core does).
            pos = i + 1;
            self.lines_split += u64::from(end == b'\n');
            // As above, for a record of one line.
            let lines = self.reader.line() + self.lines_split;
            self.row += 1 + lines.saturating_sub(self.lines).saturating_sub(1);
            self.lines = lines;
            let text = utf8(bytes);
            emit(Record { row: self.row, bytes, ends: &self.split_ends, gap: 1, text });
        }
    }
}

/// `0x80` in each byte of `word` that the in-place splitter must look at
/// (any byte that is not [`Class::Plain`], and a few that are): a byte
/// below `0x0E` (`\r`, `\n`, TAB…), `"` or the delimiter; `0` in every
/// other byte, those of multi-byte characters among them (the line is
/// checked as UTF-8 as a whole). Exact: no carry crosses bytes.
fn special(word: u64, delimiter: u8) -> u64 {
    const LOW: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const ONES: u64 = 0x0101_0101_0101_0101;
    // 0x80 where a byte is 0 (the low 7 bits carry into bit 7 otherwise).
    let zero = |x: u64| !((x & LOW).wrapping_add(LOW) | x) & HIGH;
    // 0x80 where a byte below 0x80 is below 0x0E.
    let below = !((word & LOW).wrapping_add(ONES * (0x80 - 0x0E)) | word) & HIGH;
    below | zero(word ^ (ONES * u64::from(b'"'))) | zero(word ^ (ONES * u64::from(delimiter)))
}

/// The delimiter that splits `header_line` best: the most frequent of
/// `,` TAB `;` `|` outside quotes (comma on a tie or when none occurs).
pub fn sniff_delimiter(header_line: &[u8]) -> u8 {
    let mut counts = [0usize; 4];
    let candidates = [b',', b'\t', b';', b'|'];
    let mut quoted = false;
    for &b in header_line {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(k) = candidates.iter().position(|&c| c == b) {
                counts[k] += 1;
            }
        }
    }
    let mut best = 0;
    for k in 1..4 {
        if counts[k] > counts[best] {
            best = k;
        }
    }
    candidates[best]
}

/// Length of the first line of `text` (up to and including its `\n`),
/// skipping newlines inside quotes; `None` until a whole line is there.
pub fn first_line_len(text: &[u8]) -> Option<usize> {
    let mut quoted = false;
    for (i, &b) in text.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => return Some(i + 1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_in_chunks(text: &[u8], chunk: usize) -> Vec<(u64, Vec<String>)> {
        let mut records = Records::new(b',');
        let mut out = Vec::new();
        let mut collect = |r: Record<'_>| {
            out.push((r.row, (0..r.len()).map(|i| String::from_utf8(r.get(i).to_vec()).unwrap()).collect()))
        };
        for piece in text.chunks(chunk) {
            records.feed(piece, &mut collect);
        }
        records.feed(&[], &mut collect);
        out
    }

    #[test]
    fn fields_split_across_chunks_are_kept_whole() {
        let text = "id,note\r\n1,\"a, \"\"quoted\"\"\r\nline\"\r\n\r\n2,长字段长字段长字段\r\n3,last";
        let expected = vec![
            (1, vec!["id".to_string(), "note".to_string()]),
            (2, vec!["1".into(), "a, \"quoted\"\r\nline".into()]),
            (4, vec!["2".into(), "长字段长字段长字段".into()]),
            (5, vec!["3".into(), "last".into()]),
        ];
        for chunk in [1, 2, 3, 5, 7, 64, 4096] {
            assert_eq!(parse_in_chunks(text.as_bytes(), chunk), expected, "chunk size {chunk}");
        }
    }

    /// The records of `text` read by `csv_core` alone, fed in pieces of
    /// `chunk` bytes, numbered as before the in-place splitter existed.
    fn csv_core_alone(text: &[u8], chunk: usize, delimiter: u8) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut reader = ReaderBuilder::new().delimiter(delimiter).build();
        let (mut out, mut ends) = (vec![0u8; 1 << 16], vec![0usize; 1024]);
        let (mut out_len, mut ends_len, mut row, mut lines) = (0, 0, 0u64, 1u64);
        let mut got = Vec::new();
        for mut input in text.chunks(chunk).chain([&[][..]]) {
            let at_end = input.is_empty();
            loop {
                let (result, nin, nout, nend) = reader.read_record(input, &mut out[out_len..], &mut ends[ends_len..]);
                input = &input[nin..];
                out_len += nout;
                ends_len += nend;
                match result {
                    ReadRecordResult::InputEmpty if at_end => {}
                    ReadRecordResult::InputEmpty => break,
                    ReadRecordResult::Record => {
                        let spanned = 1 + out[..out_len].iter().filter(|&&b| b == b'\n').count() as u64;
                        row += 1 + reader.line().saturating_sub(lines).saturating_sub(spanned);
                        lines = reader.line();
                        let fields = (0..ends_len)
                            .map(|i| out[if i == 0 { 0 } else { ends[i - 1] }..ends[i]].to_vec())
                            .collect();
                        got.push((row, fields));
                        (out_len, ends_len) = (0, 0);
                    }
                    ReadRecordResult::End => break,
                    other => panic!("buffers too small: {other:?}"),
                }
            }
        }
        got
    }

    fn split_in_place(text: &[u8], chunk: usize, delimiter: u8) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut records = Records::new(delimiter);
        let mut got = Vec::new();
        let mut collect = |r: Record<'_>| {
            got.push((r.row, (0..r.len()).map(|i| r.get(i).to_vec()).collect()));
            // Text agrees with the bytes, field by field.
            for i in 0..r.len() {
                assert_eq!(r.str(i), std::str::from_utf8(r.get(i)).ok());
            }
        };
        for piece in text.chunks(chunk) {
            records.feed(piece, &mut collect);
        }
        records.feed(&[], &mut collect);
        got
    }

    #[test]
    fn the_same_records_and_rows_as_csv_core_alone() {
        // Random texts over the bytes that matter (delimiters, quotes, line
        // ends, other control bytes, multi-byte and invalid bytes), fed in
        // random pieces, with each delimiter; long runs of plain bytes and
        // of characters make the splitter read words of 8 bytes.
        let alphabet: [&[u8]; 17] = [
            b"a",
            b"bc",
            b"defghijklm",
            b",",
            b",",
            b";",
            b"\t",
            b"\x0B",
            b"\"",
            b"\n",
            b"\r\n",
            b"\r",
            "\u{00e9}".as_bytes(),
            "\u{4f1a}".as_bytes(),
            "交易成功".as_bytes(),
            b"\xE4",
            b"\xFF",
        ];
        let mut next = crate::model::tests::xorshift(0x2545_F491_4F6C_DD1D);
        for case in 0..20_000 {
            let len = (next() % 40) as usize;
            let text: Vec<u8> = (0..len).flat_map(|_| alphabet[(next() % 17) as usize].iter().copied()).collect();
            let chunk = 1 + (next() % 40) as usize;
            let delimiter = [b',', b';', b'\t'][case % 3];
            let want = csv_core_alone(&text, text.len().max(1), delimiter);
            assert_eq!(
                split_in_place(&text, chunk, delimiter),
                want,
                "case {case}: {:?} in pieces of {chunk}",
                String::from_utf8_lossy(&text)
            );
            assert_eq!(split_in_place(&text, text.len().max(1), delimiter), want, "case {case} whole");
        }
    }

    #[test]
    fn special_bytes_of_a_word() {
        // Every byte value in every position of a word, with each delimiter.
        for delimiter in [b',', b';', b'\t', b'|'] {
            for b in 0..=255u8 {
                for at in 0..8 {
                    let mut w = [b'x'; 8];
                    w[at] = b;
                    let want = b < 0x0E || b == b'"' || b == delimiter;
                    assert_eq!(special(word(&w), delimiter), u64::from(want) << (8 * at + 7), "{b:#x} at {at}");
                }
            }
        }
    }

    #[test]
    fn fields_as_text() {
        let mut records = Records::new(b',');
        let mut got = Vec::new();
        // "会" is E4 BC 9A: valid across two fields, invalid in each of them.
        let input = [&b"a,\xE4\xBC"[..], b",\x9A,\xE4\xBC\x9A\n\xFF,ok\n"].concat();
        records.feed(&input, |r| got.push((0..4).map(|i| r.str(i).map(String::from)).collect::<Vec<_>>()));
        let text = |fields: [Option<&str>; 4]| fields.map(|f| f.map(String::from));
        assert_eq!(got[0], text([Some("a"), None, None, Some("会")]));
        assert_eq!(got[1], text([None, Some("ok"), Some(""), Some("")]));
    }

    #[test]
    fn long_records_grow_the_buffers() {
        let wide: Vec<String> = (0..300).map(|i| format!("field{i}")).collect();
        let long = "x".repeat(20_000);
        let text = format!("{}\n{long},b\n", wide.join(","));
        let got = parse_in_chunks(text.as_bytes(), 1000);
        assert_eq!(got[0].1.len(), 300);
        assert_eq!(got[1].1[0].len(), 20_000);
    }

    #[test]
    fn delimiters() {
        assert_eq!(sniff_delimiter(b"a\tb\tc\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a;b;\"x,y\"\n"), b';');
        assert_eq!(sniff_delimiter(b"a,b\n"), b',');
        assert_eq!(sniff_delimiter(b"single\n"), b',');
        assert_eq!(first_line_len(b"\"a\nb\",c\nrest"), Some(8));
        assert_eq!(first_line_len(b"abc"), None);
    }
}
