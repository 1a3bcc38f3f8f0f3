//! CSV records from a stream of UTF-8 chunks, built on `csv_core`: fields
//! split across chunk boundaries are carried in the record buffer, and each
//! record knows the row number a spreadsheet would show for it (blank lines
//! count as rows, a quoted multi-line field does not add rows). A record's
//! text is checked to be UTF-8 once, not field by field.

use super::decode::utf8;
use csv_core::{ReadRecordResult, Reader, ReaderBuilder};

/// One record: its fields as bytes and its spreadsheet row number.
pub struct Record<'a> {
    /// Row as a spreadsheet shows it: the header is row 1.
    pub row: u64,
    bytes: &'a [u8],
    ends: &'a [usize],
    /// `bytes` as text, when the whole record is valid UTF-8.
    text: Option<&'a str>,
}

impl<'a> Record<'a> {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when the record has no fields.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Field `i` as raw bytes (empty when the row is shorter).
    pub fn get(&self, i: usize) -> &'a [u8] {
        match self.ends.get(i) {
            Some(&end) => {
                let start = if i == 0 { 0 } else { self.ends[i - 1] };
                &self.bytes[start..end]
            }
            None => &[],
        }
    }

    /// Field `i` as text (empty when the row is shorter), or `None` when
    /// its bytes are not UTF-8.
    pub fn str(&self, i: usize) -> Option<&'a str> {
        let Some(&end) = self.ends.get(i) else { return Some("") };
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
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
    /// Lines the reader had consumed after the last record.
    lines: u64,
}

impl Records {
    /// A reader for `delimiter`-separated text (CRLF or LF, RFC 4180 quotes).
    pub fn new(delimiter: u8) -> Records {
        Records {
            reader: ReaderBuilder::new().delimiter(delimiter).build(),
            out: vec![0; 4096],
            out_len: 0,
            ends: vec![0; 64],
            ends_len: 0,
            row: 0,
            // csv_core numbers lines from 1.
            lines: 1,
        }
    }

    /// Read every complete record of `input`; a record cut at the end of
    /// `input` is completed by the next call. An empty `input` means the
    /// stream has ended: the last record is emitted even without a newline.
    pub fn feed(&mut self, mut input: &[u8], mut emit: impl FnMut(Record<'_>)) {
        let at_end = input.is_empty();
        loop {
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
                    let lines = self.reader.line();
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
                    emit(Record { row: self.row, bytes, ends: &self.ends[..self.ends_len], text });
                    self.out_len = 0;
                    self.ends_len = 0;
                }
                ReadRecordResult::End => return,
            }
        }
    }
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
