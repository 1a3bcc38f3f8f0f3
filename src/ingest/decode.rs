//! Text decoding for streamed bytes: sniff the encoding from the first bytes
//! (BOM, UTF-16 without BOM, UTF-8 validity, else GBK/GB18030), recognise
//! files that are not text at all, turn later chunks into UTF-8, and check
//! that text is UTF-8. GB18030 and UTF-16 have decoders of their own
//! ([`gb18030`], [`utf16`]), the same as `encoding_rs`'s byte for byte but
//! without the tables of every other encoding.

use crate::error::{ErrorKind, Result};

mod gb18030;
mod utf16;

/// How many bytes the sniffer looks at before deciding (or the whole file
/// when it is shorter).
pub const SNIFF_BYTES: usize = 64 * 1024;

/// The encodings read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Utf8,
    /// Also GBK and GB2312, its subsets.
    Gb18030,
    Utf16Le,
    Utf16Be,
}

impl Encoding {
    /// The encoding of a WHATWG Encoding Standard label (ASCII case and
    /// surrounding whitespace ignored), among those read.
    fn for_label(label: &str) -> Option<Encoding> {
        const LABELS: [(Encoding, &[&str]); 4] = [
            (
                Encoding::Utf8,
                &["unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "utf-8", "utf8", "x-unicode20utf8"],
            ),
            (
                Encoding::Gb18030,
                &[
                    "chinese",
                    "csgb2312",
                    "csiso58gb231280",
                    "gb2312",
                    "gb_2312",
                    "gb_2312-80",
                    "gbk",
                    "iso-ir-58",
                    "x-gbk",
                    "gb18030",
                ],
            ),
            (
                Encoding::Utf16Le,
                &["csunicode", "iso-10646-ucs-2", "ucs-2", "unicode", "unicodefeff", "utf-16", "utf-16le"],
            ),
            (Encoding::Utf16Be, &["unicodefffe", "utf-16be"]),
        ];
        let label = label.trim_matches(|c| matches!(c, '\t' | '\n' | '\x0C' | '\r' | ' '));
        LABELS.iter().find(|(_, names)| names.iter().any(|n| n.eq_ignore_ascii_case(label))).map(|(e, _)| *e)
    }

    /// The encoding whose BOM starts `prefix`, and the BOM's length.
    fn for_bom(prefix: &[u8]) -> Option<(Encoding, usize)> {
        match prefix {
            [0xEF, 0xBB, 0xBF, ..] => Some((Encoding::Utf8, 3)),
            [0xFF, 0xFE, ..] => Some((Encoding::Utf16Le, 2)),
            [0xFE, 0xFF, ..] => Some((Encoding::Utf16Be, 2)),
            _ => None,
        }
    }
}

/// Turns a file's bytes into UTF-8, chunk by chunk.
pub struct Decoder {
    inner: Inner,
    /// Name for the import report.
    pub label: &'static str,
}

enum Inner {
    /// UTF-8 passes through untouched, less the bytes of BOM still to drop.
    Utf8 { bom_left: usize },
    /// GBK and GB18030.
    Gb18030(gb18030::Decoder),
    /// Removes its BOM itself.
    Utf16(utf16::Decoder),
}

impl Decoder {
    /// Choose the decoder for a file from its first bytes (`prefix` is the
    /// whole file when `complete`), or from the caller's `forced` label.
    pub fn sniff(prefix: &[u8], forced: Option<&str>, file: &str) -> Result<Decoder> {
        let (encoding, bom) = match forced {
            Some(label) => {
                let enc = Encoding::for_label(label.trim()).ok_or_else(|| {
                    crate::Error::bad_options(
                        "encoding",
                        format!("unknown encoding \"{label}\" (read: utf-8, gbk, gb18030, utf-16le, utf-16be)"),
                    )
                })?;
                let bom = Encoding::for_bom(prefix).filter(|(e, _)| *e == enc).map_or(0, |(_, n)| n);
                (enc, bom)
            }
            None => match Encoding::for_bom(prefix) {
                Some((enc, n)) => (enc, n),
                None => (guess(prefix, file)?, 0),
            },
        };
        let (inner, label) = match encoding {
            Encoding::Utf8 => (Inner::Utf8 { bom_left: bom }, if bom > 0 { "UTF-8 (BOM)" } else { "UTF-8" }),
            Encoding::Gb18030 => (Inner::Gb18030(gb18030::Decoder::default()), "GBK/GB18030"),
            Encoding::Utf16Le => (Inner::Utf16(utf16::Decoder::new(false)), "UTF-16LE"),
            Encoding::Utf16Be => (Inner::Utf16(utf16::Decoder::new(true)), "UTF-16BE"),
        };
        Ok(Decoder { inner, label })
    }

    /// True when chunks pass through unchanged (UTF-8 input).
    pub fn is_passthrough(&self) -> bool {
        matches!(self.inner, Inner::Utf8 { .. })
    }

    /// Strip what is left of a UTF-8 BOM from the front of `chunk`.
    pub fn skip_bom<'a>(&mut self, chunk: &'a [u8]) -> &'a [u8] {
        let Inner::Utf8 { bom_left } = &mut self.inner else { return chunk };
        let n = (*bom_left).min(chunk.len());
        *bom_left -= n;
        &chunk[n..]
    }

    /// Append the UTF-8 text of `chunk` to `out` (malformed sequences become
    /// U+FFFD); `last` flushes a sequence split at the end.
    pub fn decode(&mut self, chunk: &[u8], last: bool, out: &mut Vec<u8>) {
        match &mut self.inner {
            Inner::Utf8 { .. } => {
                let chunk = self.skip_bom(chunk);
                out.extend_from_slice(chunk);
            }
            Inner::Gb18030(d) => d.decode(chunk, last, out),
            Inner::Utf16(d) => d.decode(chunk, last, out),
        }
    }
}

/// Append `c` to `out` in UTF-8.
#[inline]
fn push_char(out: &mut Vec<u8>, c: char) {
    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
}

/// `bytes` as text when they are UTF-8, as [`std::str::from_utf8`] says,
/// but faster on the mostly-ASCII, partly-CJK text of exports: ASCII is
/// skipped 8 bytes at a time ([`ascii_len`]), and other characters are
/// checked by [`char_width`].
pub fn utf8(bytes: &[u8]) -> Option<&str> {
    let mut i = 0;
    while i < bytes.len() {
        i += ascii_len(&bytes[i..]);
        if i < bytes.len() {
            i += char_width(bytes, i)?;
        }
    }
    // SAFETY: every character was checked above to be a well-formed UTF-8
    // sequence (tested against the standard validator).
    Some(unsafe { std::str::from_utf8_unchecked(bytes) })
}

/// How many bytes at the start of `bytes` are ASCII, 8 at a time.
#[inline(always)]
pub fn ascii_len(bytes: &[u8]) -> usize {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut i = 0;
    while let Some(w) = bytes.get(i..i + 8) {
        let high = word(w) & HIGH;
        if high != 0 {
            return i + high.trailing_zeros() as usize / 8;
        }
        i += 8;
    }
    i + bytes[i..].iter().take_while(|b| b.is_ascii()).count()
}

/// The first 8 bytes of `w` (it has at least 8) as a little-endian word.
#[inline(always)]
pub fn word(w: &[u8]) -> u64 {
    u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]])
}

/// The length of the character at `bytes[i]` when it is a well-formed
/// UTF-8 sequence (Table 3-7 of the Unicode standard), else `None`.
#[inline(always)]
pub fn char_width(bytes: &[u8], i: usize) -> Option<usize> {
    let lead = *bytes.get(i)?;
    if lead < 0x80 {
        return Some(1);
    }
    // Most of what exports hold past ASCII: U+1000–U+CFFF (CJK among them).
    if let Some(&[_, b, c]) = bytes.get(i..i + 3) {
        if (0xE1..=0xEC).contains(&lead) && b & 0xC0 == 0x80 && c & 0xC0 == 0x80 {
            return Some(3);
        }
    }
    let at = |k: usize| bytes.get(i + k).copied().unwrap_or(0);
    let tail = |b: u8| b & 0xC0 == 0x80;
    // The second byte's range depends on the first (no overlong forms, no
    // surrogates, nothing past U+10FFFF); the later ones are any tail byte.
    let (width, second) = match lead {
        0xC2..=0xDF => (2, tail(at(1))),
        0xE0 => (3, (0xA0..=0xBF).contains(&at(1))),
        0xED => (3, (0x80..=0x9F).contains(&at(1))),
        0xE1..=0xEF => (3, tail(at(1))),
        0xF0 => (4, (0x90..=0xBF).contains(&at(1))),
        0xF4 => (4, (0x80..=0x8F).contains(&at(1))),
        0xF1..=0xF3 => (4, tail(at(1))),
        _ => return None,
    };
    let rest = (2..width).all(|k| tail(at(k)));
    (second && rest).then_some(width)
}

/// Guess the encoding of a file without BOM, or say why it is not text.
fn guess(prefix: &[u8], file: &str) -> Result<Encoding> {
    let not_text =
        |what: &str| -> crate::Error { ErrorKind::BinaryFile { file: file.into(), what: what.into() }.into() };
    let unsupported =
        |what: &str| -> crate::Error { ErrorKind::UnsupportedFormat { file: file.into(), what: what.into() }.into() };
    if prefix.starts_with(b"PK\x03\x04") {
        return Err(unsupported("Excel .xlsx (or another zip archive)"));
    }
    if prefix.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(unsupported("Excel 97–2003 .xls"));
    }
    for (magic, what) in [
        (&b"%PDF"[..], "a PDF document"),
        (&b"\x89PNG"[..], "a PNG image"),
        (&b"\xFF\xD8\xFF"[..], "a JPEG image"),
        (&b"GIF8"[..], "a GIF image"),
        (&b"\x1F\x8B"[..], "a gzip archive"),
    ] {
        if prefix.starts_with(magic) {
            return Err(not_text(what));
        }
    }
    let sample = &prefix[..prefix.len().min(4096)];
    let zeros_even = sample.iter().step_by(2).filter(|b| **b == 0).count();
    let zeros_odd = sample.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
    let half = sample.len() / 2;
    if half > 0 && zeros_odd * 10 > half * 3 && zeros_even * 10 < half {
        return Ok(Encoding::Utf16Le);
    }
    if half > 0 && zeros_even * 10 > half * 3 && zeros_odd * 10 < half {
        return Ok(Encoding::Utf16Be);
    }
    let controls = sample.iter().filter(|&&b| b < 0x09 || (0x0E..0x20).contains(&b) && b != 0x1B).count();
    if controls * 100 > sample.len() {
        return Err(not_text("binary data"));
    }
    if utf8(prefix).is_some() {
        return Ok(Encoding::Utf8);
    }
    match std::str::from_utf8(prefix) {
        Ok(_) => Ok(Encoding::Utf8),
        // Only an incomplete sequence cut at the end of the sample: UTF-8.
        Err(e) if e.error_len().is_none() => Ok(Encoding::Utf8),
        Err(_) => Ok(Encoding::Gb18030),
    }
}

/// What the decoders' tests share.
#[cfg(test)]
mod testing {
    /// The text of `chunks` through `decode(chunk, last, out)`, one call each.
    pub fn run(chunks: &[&[u8]], mut decode: impl FnMut(&[u8], bool, &mut Vec<u8>)) -> Vec<u8> {
        let mut out = Vec::new();
        for (k, chunk) in chunks.iter().enumerate() {
            decode(chunk, k + 1 == chunks.len(), &mut out);
        }
        out
    }

    /// The text `encoding_rs` gives, as this module used it: a decoder with
    /// BOM removal, replacement, one call per chunk.
    pub fn reference(encoding: &'static encoding_rs::Encoding, chunks: &[&[u8]]) -> Vec<u8> {
        let mut d = encoding.new_decoder_with_bom_removal();
        run(chunks, |chunk, last, out| {
            let start = out.len();
            out.resize(start + d.max_utf8_buffer_length(chunk.len()).unwrap(), 0);
            let (_, read, written, _) = d.decode_to_utf8(chunk, &mut out[start..], last);
            assert_eq!(read, chunk.len());
            out.truncate(start + written);
        })
    }

    /// `bytes` cut where `cuts` say (modulo its length + 1).
    pub fn cut<'a>(bytes: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
        cuts.sort_unstable();
        let mut chunks = Vec::new();
        let mut from = 0;
        for &c in &cuts {
            chunks.push(&bytes[from..c]);
            from = c;
        }
        chunks.push(&bytes[from..]);
        chunks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(bytes: &[u8]) -> (String, &'static str) {
        let mut d = Decoder::sniff(bytes, None, "t").unwrap();
        let mut out = Vec::new();
        // One byte at a time: sequences split across chunks must survive.
        for b in bytes {
            d.decode(std::slice::from_ref(b), false, &mut out);
        }
        d.decode(&[], true, &mut out);
        (String::from_utf8(out).unwrap(), d.label)
    }

    #[test]
    fn sniffs_each_encoding() {
        let text = "会员ID,金额\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert_eq!(decode_all(&gbk), (text.into(), "GBK/GB18030"));
        assert_eq!(decode_all(text.as_bytes()), (text.into(), "UTF-8"));
        let bom = [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat();
        assert_eq!(decode_all(&bom), (text.into(), "UTF-8 (BOM)"));
        let le: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(decode_all(&le), (text.into(), "UTF-16LE"));
        let be: Vec<u8> = [0xFE, 0xFF].into_iter().chain(text.encode_utf16().flat_map(u16::to_be_bytes)).collect();
        assert_eq!(decode_all(&be), (text.into(), "UTF-16BE"));
        let ascii = "member_id,amount\nA,1\n";
        let le: Vec<u8> = ascii.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(decode_all(&le), (ascii.into(), "UTF-16LE"));
    }

    #[test]
    fn utf8_as_the_standard_validator() {
        let cases: [&[u8]; 12] = [
            b"",
            b"plain ascii, longer than eight bytes",
            "D1,M1,交易成功,,静安寺店,美团".as_bytes(),
            "会".as_bytes(),
            b"\xE4\xBC",
            b"abcdefgh\xE4\xBC\x9Aabcdefgh\xE4\xBC",
            b"\xED\xA0\x80 surrogate",
            b"\xC0\x80 overlong",
            b"\xF4\x90\x80\x80 too high",
            b"abcdefg\xF0\x9F\x98\x80",
            b"abcdefgh\x80",
            "\u{3000}全角\u{3000},😀,é".as_bytes(),
        ];
        for bytes in cases {
            assert_eq!(utf8(bytes), std::str::from_utf8(bytes).ok(), "{bytes:?}");
        }
        // Every sequence of up to three bytes, and of four with the first
        // two taking every value.
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                for c in 0..=255u8 {
                    let bytes = [a, b, c];
                    assert_eq!(utf8(&bytes).is_some(), std::str::from_utf8(&bytes).is_ok(), "{bytes:?}");
                }
                for bytes in [[a, b, 0x80, 0x80], [a, b, 0xBF, 0xBF], [a, b, 0x80, b'x']] {
                    assert_eq!(utf8(&bytes).is_some(), std::str::from_utf8(&bytes).is_ok(), "{bytes:?}");
                }
            }
        }
        // Every placement of every byte after an ASCII prefix and before a
        // multi-byte character.
        for len in 0..12 {
            for b in 0..=255u8 {
                let mut bytes = vec![b'x'; len];
                bytes.push(b);
                bytes.extend_from_slice("é会".as_bytes());
                assert_eq!(utf8(&bytes), std::str::from_utf8(&bytes).ok(), "{bytes:?}");
                bytes.truncate(len + 1);
                assert_eq!(utf8(&bytes), std::str::from_utf8(&bytes).ok(), "{bytes:?}");
            }
        }
    }

    #[test]
    fn refuses_what_is_not_text() {
        let e = Decoder::sniff(b"PK\x03\x04rest", None, "a.xlsx").err().unwrap();
        assert_eq!(e.code(), "UNSUPPORTED_FORMAT");
        let e = Decoder::sniff(b"\x89PNG\r\n\x1a\n\0\0\0", None, "a.png").err().unwrap();
        assert_eq!(e.code(), "BINARY_FILE");
        let junk: Vec<u8> = (0..2000u32).map(|i| (i * 7 % 9) as u8).collect();
        assert_eq!(Decoder::sniff(&junk, None, "j").err().unwrap().code(), "BINARY_FILE");
    }

    #[test]
    fn forced_encoding() {
        let (gbk, _, _) = encoding_rs::GBK.encode("会员");
        let mut d = Decoder::sniff(b"plain ascii", Some("gbk"), "t").unwrap();
        let mut out = Vec::new();
        d.decode(&gbk, true, &mut out);
        assert_eq!(out, "会员".as_bytes());
        assert_eq!(Decoder::sniff(b"", Some("klingon"), "t").err().unwrap().code(), "BAD_OPTIONS");
    }

    #[test]
    fn labels_as_encoding_rs() {
        let ours = |label: &str| Encoding::for_label(label).map(|e| format!("{e:?}"));
        let theirs = |label: &str| {
            encoding_rs::Encoding::for_label(label.as_bytes()).map(|e| match e.name() {
                "UTF-8" => "Utf8",
                "GBK" | "gb18030" => "Gb18030",
                "UTF-16LE" => "Utf16Le",
                "UTF-16BE" => "Utf16Be",
                other => other,
            })
        };
        for label in ["utf-8", "UTF8", " unicode-1-1-utf-8\t", "gbk", "GB2312", "x-gbk", "chinese", "gb18030"] {
            assert_eq!(ours(label).as_deref(), theirs(label), "{label:?}");
        }
        for label in ["utf-16", "UTF-16LE", "ucs-2", "unicode", "csunicode", "utf-16be", "unicodefffe"] {
            assert_eq!(ours(label).as_deref(), theirs(label), "{label:?}");
        }
        // Encodings that exports do not use are refused rather than decoded.
        for label in ["big5", "shift_jis", "latin1", "windows-1252", "euc-kr"] {
            assert!(theirs(label).is_some() && ours(label).is_none(), "{label:?}");
            assert_eq!(Decoder::sniff(b"", Some(label), "t").err().unwrap().code(), "BAD_OPTIONS");
        }
    }
}
