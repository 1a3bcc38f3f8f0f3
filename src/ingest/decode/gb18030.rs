//! The gb18030 decoder of the WHATWG Encoding Standard (GBK is a subset of
//! GB18030), with only its own tables: it gives the same text as
//! `encoding_rs` — replacement characters included, which the tests check
//! byte for byte — without linking the tables of every encoding
//! `encoding_rs` knows (about 100 KiB brotli of the mini-program build).
//!
//! The tables ([`table`]) are generated from `encoding_rs` by the test
//! `table_is_generated_from_encoding_rs`:
//! - two-byte sequences (lead 0x81–0xFE, trail 0x40–0x7E or 0x80–0xFE):
//!   the standard's index of 23,940 pointers, as runs of consecutive code
//!   points in pointer order. Runs flagged [`FILL`] are GBK/3 and GBK/4, the
//!   ideographs U+4E00–U+9FA5 that GB2312 lacks, in Unicode order: they are
//!   not stored but worked out as those no other pointer maps to. The index
//!   is expanded once, on first use, into a table of 47 KB.
//! - four-byte sequences in the BMP: the standard's ranges (the first
//!   pointer of each run of consecutive code points and its code point);
//!   the four-byte pointers 189,000–1,237,575 are U+10000–U+10FFFF.

use super::{ascii_len, push_char};
use std::sync::OnceLock;

#[rustfmt::skip]
mod table;

/// Two-byte pointers: 126 leads × 190 trails.
const POINTERS: usize = 126 * 190;
/// Flag on a run length in [`table::RUN_LENGTHS`]: these pointers map to
/// the next ideographs of [`FILL_FROM`]`..=`[`FILL_TO`] that no other pointer
/// maps to.
const FILL: u16 = 0x8000;
const FILL_FROM: u16 = 0x4E00;
const FILL_TO: u16 = 0x9FA5;
/// Four-byte pointers of U+10000–U+10FFFF.
const ASTRAL: std::ops::RangeInclusive<u32> = 189_000..=1_237_575;
/// Four-byte pointers of the BMP (through [`table::RANGE_POINTERS`]).
const BMP_POINTERS: u32 = 39_420;

/// Streaming gb18030 decoder to UTF-8.
#[derive(Default)]
pub struct Decoder {
    /// An incomplete sequence at the end of the last chunk.
    pending: [u8; 3],
    pending_len: usize,
}

impl Decoder {
    /// Append the UTF-8 text of `chunk` to `out`; `last` ends the input.
    pub fn decode(&mut self, chunk: &[u8], last: bool, out: &mut Vec<u8>) {
        let index = index();
        // Room for valid text (at most 3 bytes of UTF-8 for 2 of GBK);
        // only U+20AC as 0x80 and malformed bytes grow more.
        out.reserve(chunk.len() + chunk.len() / 2 + 8);
        let mut rest = chunk;
        if self.pending_len > 0 {
            // Finish the sequences that start in the pending bytes; none
            // needs more than 4 bytes.
            let held = self.pending_len;
            let take = rest.len().min(4);
            let mut joined = [0; 7];
            joined[..held].copy_from_slice(&self.pending[..held]);
            joined[held..held + take].copy_from_slice(&rest[..take]);
            let joined = &joined[..held + take];
            let mut at = 0;
            self.pending_len = 0;
            while at < held {
                // Cut short: all of `chunk` is in `joined`.
                let Some((c, n)) = seq(&joined[at..], index) else { return self.hold(&joined[at..], last, out) };
                push_char(out, c);
                at += n;
            }
            rest = &rest[at - held..];
        }
        let mut i = 0;
        while let Some(&b) = rest.get(i) {
            if b < 0x80 {
                let end = i + ascii_len(&rest[i..]);
                out.extend_from_slice(&rest[i..end]);
                i = end;
                continue;
            }
            // The two-byte characters of GBK, the most common: the same as
            // `seq` gives, faster.
            if let Some(&u) = rest.get(i + 1).and_then(|&t| two_byte_pointer(b, t)).and_then(|p| index.get(p)) {
                push_bmp(out, u);
                i += 2;
                continue;
            }
            let Some((c, n)) = seq(&rest[i..], index) else { return self.hold(&rest[i..], last, out) };
            push_char(out, c);
            i += n;
        }
    }

    /// Keep the incomplete sequence `bytes` for the next chunk, or, at the
    /// end of the input, replace it (one U+FFFD, as the standard says).
    fn hold(&mut self, bytes: &[u8], last: bool, out: &mut Vec<u8>) {
        if last {
            push_char(out, char::REPLACEMENT_CHARACTER);
        } else {
            self.pending[..bytes.len()].copy_from_slice(bytes);
            self.pending_len = bytes.len();
        }
    }
}

/// The character at the start of `bytes` and its length in bytes, as the
/// standard's decoder reads it, or `None` when the bytes end inside it.
/// A malformed sequence is U+FFFD, one byte long when the standard puts the
/// bytes after its lead back in the queue.
#[inline]
fn seq(bytes: &[u8], index: &[u16]) -> Option<(char, usize)> {
    const BAD: char = char::REPLACEMENT_CHARACTER;
    let lead = *bytes.first()?;
    match lead {
        0x00..=0x7F => return Some((char::from(lead), 1)),
        0x80 => return Some(('\u{20AC}', 1)),
        0xFF => return Some((BAD, 1)),
        _ => {}
    }
    let second = *bytes.get(1)?;
    if !second.is_ascii_digit() {
        let Some(pointer) = two_byte_pointer(lead, second) else {
            return Some((BAD, if second < 0x80 { 1 } else { 2 }));
        };
        let c = index.get(pointer).and_then(|&u| char::from_u32(u32::from(u)));
        return Some((c.unwrap_or(BAD), 2));
    }
    let third = *bytes.get(2)?;
    if !(0x81..=0xFE).contains(&third) {
        return Some((BAD, 1));
    }
    let fourth = *bytes.get(3)?;
    if !fourth.is_ascii_digit() {
        return Some((BAD, 1));
    }
    let pointer = ((u32::from(lead - 0x81) * 10 + u32::from(second - b'0')) * 126 + u32::from(third - 0x81)) * 10
        + u32::from(fourth - b'0');
    Some((four_byte(pointer).unwrap_or(BAD), 4))
}

/// The pointer of a two-byte sequence (trail 0x40–0x7E or 0x80–0xFE), out
/// of the index when the lead is not 0x81–0xFE.
#[inline(always)]
fn two_byte_pointer(lead: u8, trail: u8) -> Option<usize> {
    let trail = match trail {
        0x40..=0x7E => trail - 0x40,
        0x80..=0xFE => trail - 0x41,
        _ => return None,
    };
    Some(usize::from(lead.wrapping_sub(0x81)) * 190 + usize::from(trail))
}

/// Append the code point `u` of the index to `out` in UTF-8.
#[inline(always)]
fn push_bmp(out: &mut Vec<u8>, u: u16) {
    match char::from_u32(u32::from(u)) {
        // Most of the index (CJK): three bytes, without `encode_utf8`'s cases.
        Some(_) if u >= 0x800 => {
            out.extend_from_slice(&[0xE0 | (u >> 12) as u8, 0x80 | (u >> 6 & 0x3F) as u8, 0x80 | (u & 0x3F) as u8])
        }
        c => push_char(out, c.unwrap_or(char::REPLACEMENT_CHARACTER)),
    }
}

/// The character of a four-byte pointer, if any.
fn four_byte(pointer: u32) -> Option<char> {
    if ASTRAL.contains(&pointer) {
        return char::from_u32(pointer - ASTRAL.start() + 0x1_0000);
    }
    if pointer >= BMP_POINTERS {
        return None;
    }
    // The last range that starts at or before the pointer (the first starts at 0).
    let i = table::RANGE_POINTERS.partition_point(|&p| u32::from(p) <= pointer).checked_sub(1)?;
    let from = u32::from(table::RANGE_POINTERS[i]);
    char::from_u32(u32::from(table::RANGE_CODE_POINTS[i]) + pointer - from)
}

/// The two-byte index (code point by pointer), expanded on first use.
fn index() -> &'static [u16] {
    static INDEX: OnceLock<Box<[u16]>> = OnceLock::new();
    INDEX.get_or_init(expand)
}

/// Expand the runs of [`table::RUN_LENGTHS`] and [`table::RUN_STEPS`]: a
/// run starts `step` code points after the end of the last stored run.
fn expand() -> Box<[u16]> {
    let mut index = vec![0u16; POINTERS];
    let mut taken = vec![false; usize::from(FILL_TO - FILL_FROM) + 1];
    let (mut p, mut next) = (0, 0u16);
    for (&len, &step) in table::RUN_LENGTHS.iter().zip(&table::RUN_STEPS) {
        let n = usize::from(len & !FILL);
        let slots = index.get_mut(p..p + n).unwrap_or_default();
        if len & FILL == 0 {
            next = next.wrapping_add(step);
            for slot in slots {
                *slot = next;
                if let Some(t) = next.checked_sub(FILL_FROM).and_then(|k| taken.get_mut(usize::from(k))) {
                    *t = true;
                }
                next = next.wrapping_add(1);
            }
        }
        p += n;
    }
    // Fill slots are still 0 (no pointer maps to U+0000).
    let mut free = (FILL_FROM..=FILL_TO).filter(|&c| !taken[usize::from(c - FILL_FROM)]);
    for slot in index.iter_mut().filter(|s| **s == 0) {
        *slot = free.next().unwrap_or(0xFFFD);
    }
    index.into_boxed_slice()
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;
    use proptest::prelude::*;

    fn reference(chunks: &[&[u8]]) -> Vec<u8> {
        testing::reference(encoding_rs::GB18030, chunks)
    }

    fn ours(chunks: &[&[u8]]) -> Vec<u8> {
        let mut d = Decoder::default();
        testing::run(chunks, |chunk, last, out| d.decode(chunk, last, out))
    }

    fn same(bytes: &[u8]) {
        assert_eq!(
            String::from_utf8_lossy(&ours(&[bytes])),
            String::from_utf8_lossy(&reference(&[bytes])),
            "{bytes:02X?}"
        );
    }

    /// The two-byte index as encoding_rs decodes it.
    fn reference_index() -> Vec<u16> {
        let mut index = vec![0; POINTERS];
        for lead in 0x81..=0xFEu8 {
            for trail in (0x40..=0x7Eu8).chain(0x80..=0xFE) {
                let offset = if trail < 0x7F { 0x40 } else { 0x41 };
                let text = String::from_utf8(reference(&[&[lead, trail]])).unwrap();
                let mut chars = text.chars();
                let (Some(c), None) = (chars.next(), chars.next()) else { panic!("{lead:02X} {trail:02X}: {text:?}") };
                assert_ne!(c, char::REPLACEMENT_CHARACTER, "{lead:02X} {trail:02X} is unmapped");
                index[usize::from(lead - 0x81) * 190 + usize::from(trail - offset)] =
                    u16::try_from(u32::from(c)).unwrap();
            }
        }
        index
    }

    /// The bytes of four-byte pointer `p`.
    fn four(p: u32) -> [u8; 4] {
        [(p / 12600) as u8 + 0x81, (p / 1260 % 10) as u8 + 0x30, (p / 10 % 126) as u8 + 0x81, (p % 10) as u8 + 0x30]
    }

    /// The source of [`table`], from encoding_rs.
    fn generated_table() -> String {
        let index = reference_index();
        // GB2312's hanzi: leads 0xB0–0xF7, trails 0xA1–0xFE.
        let gb2312 = |p: usize| (0x2F..0x77).contains(&(p / 190)) && p % 190 >= 0x60;
        let fill = |p: usize| (FILL_FROM..=FILL_TO).contains(&index[p]) && !gb2312(p);
        let (mut lengths, mut steps, mut next) = (Vec::new(), Vec::new(), 0u16);
        let mut p = 0;
        while p < POINTERS {
            let mut end = p + 1;
            if fill(p) {
                while end < POINTERS && fill(end) {
                    end += 1;
                }
                lengths.push(FILL | u16::try_from(end - p).unwrap());
                steps.push(0);
            } else {
                while end < POINTERS && !fill(end) && index[end] == index[end - 1] + 1 {
                    end += 1;
                }
                assert!(end - p < usize::from(FILL));
                lengths.push(u16::try_from(end - p).unwrap());
                steps.push(index[p].wrapping_sub(next));
                next = index[end - 1] + 1;
            }
            p = end;
        }
        let (mut pointers, mut code_points) = (Vec::new(), Vec::new());
        let mut last = None;
        for p in 0..BMP_POINTERS {
            let text = String::from_utf8(reference(&[&four(p)])).unwrap();
            let c = u32::from(text.chars().next().unwrap());
            assert_eq!(text.chars().count(), 1);
            if last.is_none_or(|l| l + 1 != c) {
                pointers.push(u16::try_from(p).unwrap());
                code_points.push(u16::try_from(c).unwrap());
            }
            last = Some(c);
        }
        let array = |name: &str, doc: &str, values: &[u16]| {
            let rows: Vec<String> = values
                .chunks(16)
                .map(|row| format!("    {},\n", row.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")))
                .collect();
            format!("/// {doc}\npub static {name}: [u16; {}] = [\n{}];\n", values.len(), rows.concat())
        };
        [
            "//! The gb18030 tables (see the parent module), generated from encoding_rs by\n\
             //! `REGENERATE_TABLES=1 cargo test --lib table_is_generated_from_encoding_rs`: do not edit.\n"
                .to_string(),
            array("RUN_LENGTHS", "Two-byte pointers: the length of each run, `FILL` for GBK/3 and GBK/4.", &lengths),
            array("RUN_STEPS", "The first code point of each stored run, after the end of the last.", &steps),
            array("RANGE_POINTERS", "Four-byte pointers: where each range starts.", &pointers),
            array("RANGE_CODE_POINTS", "The code point of each range's first pointer.", &code_points),
        ]
        .join("\n")
    }

    #[test]
    fn table_is_generated_from_encoding_rs() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/ingest/decode/gb18030/table.rs");
        let fresh = generated_table();
        if std::env::var_os("REGENERATE_TABLES").is_some() {
            std::fs::write(path, &fresh).unwrap();
        }
        let stored = std::fs::read_to_string(path).unwrap();
        assert!(
            stored == fresh,
            "{path} is not what encoding_rs gives: run REGENERATE_TABLES=1 cargo test --lib table_is_generated_from_encoding_rs"
        );
    }

    #[test]
    fn every_two_byte_pointer_as_encoding_rs() {
        assert_eq!(index(), &reference_index()[..]);
    }

    #[test]
    fn every_one_and_two_byte_sequence_as_encoding_rs() {
        for a in 0..=255u8 {
            same(&[a]);
            same(&[a, b'x']);
            for b in 0..=255u8 {
                same(&[a, b]);
                same(&[b'x', a, b, b'y']);
            }
        }
    }

    #[test]
    fn four_byte_sequences_as_encoding_rs() {
        // Every BMP pointer, every range boundary with its neighbours, and
        // the astral ranges, sampled densely, with their ends.
        let mut pointers: Vec<u32> = (0..BMP_POINTERS + 10).collect();
        for &from in &table::RANGE_POINTERS {
            pointers.extend(u32::from(from).saturating_sub(2)..u32::from(from) + 2);
        }
        pointers.extend((BMP_POINTERS..ASTRAL.start() + 10).step_by(97));
        pointers.extend((ASTRAL.start() - 10..=ASTRAL.end() + 10).step_by(7));
        pointers.extend(ASTRAL.end() - 10..=ASTRAL.end() + 10);
        // The last: lead 0xFE, 0x39, 0xFE, 0x39.
        pointers.extend((*ASTRAL.end()..=1_587_599).step_by(13));
        for p in pointers {
            let b = four(p);
            same(&b);
            same(&[b'a', b[0], b[1], b[2], b[3], b'z']);
        }
    }

    #[test]
    fn malformed_as_encoding_rs() {
        let cases: [&[u8]; 22] = [
            b"\x81",
            b"\x81\x30",
            b"\x81\x30\x81",
            b"\x81\x30\x81\x29",
            b"\x81\x30\x81\x30\x81",
            b"\x81\x30\x20",
            b"\x81\x30\xFF\x30",
            b"\x81\x30\x81\x41",
            b"\x81\x30\x81\x81\x30",
            b"\x81\x39\xFE\x39",
            b"\x84\x31\xA5\x30",
            b"\xE3\x32\x9A\x36",
            b"\xE3\x32\x9A\x35",
            b"\xFE\x39\xFE\x39",
            b"\x81\xFF",
            b"\x81\x7F",
            b"\x81\x3A",
            b"\x81\x0A\x81\x40",
            b"\xFF\x80\xFF",
            b"abc\x81",
            b"\x81\x81\x81",
            b"\xA1\xA1\x81\x30\x81",
        ];
        for bytes in cases {
            same(bytes);
        }
    }

    #[test]
    fn chunk_boundaries_as_one_shot() {
        let text = "会员ID,金额\n€ ¥ 𠀀 \u{E5E5} 丂 ab\n";
        let (bytes, _, _) = encoding_rs::GB18030.encode(text);
        let bytes = [&bytes[..], b"\x81\x30\x81\x41\x81\x30\x20\xFF\x81"].concat();
        let whole = ours(&[&bytes]);
        assert_eq!(whole, reference(&[&bytes]));
        for cut in 0..=bytes.len() {
            for cut2 in cut..=bytes.len() {
                assert_eq!(ours(&[&bytes[..cut], &bytes[cut..cut2], &bytes[cut2..]]), whole, "{cut} {cut2}");
            }
        }
        let one_by_one: Vec<&[u8]> = bytes.chunks(1).chain([&[][..]]).collect();
        assert_eq!(ours(&one_by_one), whole);
    }

    /// Bytes that are mostly gb18030 sequences, valid or not.
    fn gb_bytes() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            Just(vec![b'a']),
            Just(vec![0x80]),
            (0x81..=0xFEu8, 0x40..=0xFEu8).prop_map(|(a, b)| vec![a, b]),
            (0x81..=0x84u8, 0x30..=0x39u8, 0x81..=0xFEu8, 0x30..=0x39u8).prop_map(|(a, b, c, d)| vec![a, b, c, d]),
            (0x90..=0xE3u8, 0x30..=0x39u8, 0x81..=0xFEu8, 0x30..=0x39u8).prop_map(|(a, b, c, d)| vec![a, b, c, d]),
            any::<u8>().prop_map(|a| vec![a]),
        ];
        proptest::collection::vec(piece, 0..40).prop_map(|p| p.concat())
    }

    proptest! {
        #[test]
        fn random_bytes_in_random_chunks_as_encoding_rs(bytes in gb_bytes(), cuts in proptest::collection::vec(any::<usize>(), 0..6), noise in proptest::collection::vec(any::<u8>(), 0..16)) {
            for bytes in [bytes.clone(), [&bytes[..], &noise[..]].concat()] {
                let chunks = testing::cut(&bytes, &cuts);
                let expected = reference(&[&bytes]);
                prop_assert_eq!(&ours(&chunks), &expected);
                prop_assert_eq!(&reference(&chunks), &expected);
            }
        }
    }
}
