//! The UTF-16LE and UTF-16BE decoders of the WHATWG Encoding Standard, with
//! `encoding_rs`'s BOM removal: the same text as `encoding_rs`, unpaired
//! surrogates and an odd last byte as U+FFFD, which the tests check.

use super::push_char;

/// Streaming UTF-16 decoder to UTF-8.
pub struct Decoder {
    big_endian: bool,
    /// The first byte of a code unit split at the end of the last chunk.
    lead_byte: Option<u8>,
    /// A high surrogate waiting for its low one.
    lead_surrogate: Option<u16>,
    /// Whether the first code unit is still to come (a U+FEFF there is the BOM).
    at_start: bool,
}

impl Decoder {
    pub fn new(big_endian: bool) -> Decoder {
        Decoder { big_endian, lead_byte: None, lead_surrogate: None, at_start: true }
    }

    /// Append the UTF-8 text of `chunk` to `out`; `last` ends the input.
    pub fn decode(&mut self, chunk: &[u8], last: bool, out: &mut Vec<u8>) {
        out.reserve(chunk.len() / 2 * 3 + 4);
        let mut rest = chunk;
        if let Some(first) = self.lead_byte {
            if let Some((&second, tail)) = rest.split_first() {
                self.lead_byte = None;
                self.unit([first, second], out);
                rest = tail;
            }
        }
        let mut pairs = rest.chunks_exact(2);
        for pair in &mut pairs {
            self.unit([pair[0], pair[1]], out);
        }
        if let [odd] = pairs.remainder() {
            self.lead_byte = Some(*odd);
        }
        // At the end, an odd byte or a lone high surrogate (or both) is one error.
        if last && (self.lead_byte.take().is_some() | self.lead_surrogate.take().is_some()) {
            push_char(out, char::REPLACEMENT_CHARACTER);
        }
    }

    fn unit(&mut self, bytes: [u8; 2], out: &mut Vec<u8>) {
        let unit = if self.big_endian { u16::from_be_bytes(bytes) } else { u16::from_le_bytes(bytes) };
        if std::mem::take(&mut self.at_start) && unit == 0xFEFF {
            return;
        }
        if let Some(high) = self.lead_surrogate.take() {
            if let Some(Ok(c)) = char::decode_utf16([high, unit]).next() {
                return push_char(out, c);
            }
            // Not a low surrogate: the high one alone is an error, and this
            // unit is read again.
            push_char(out, char::REPLACEMENT_CHARACTER);
        }
        match unit {
            0xD800..=0xDBFF => self.lead_surrogate = Some(unit),
            _ => push_char(out, char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;
    use proptest::prelude::*;

    fn reference(big_endian: bool, chunks: &[&[u8]]) -> Vec<u8> {
        testing::reference(if big_endian { encoding_rs::UTF_16BE } else { encoding_rs::UTF_16LE }, chunks)
    }

    fn ours(big_endian: bool, chunks: &[&[u8]]) -> Vec<u8> {
        let mut d = Decoder::new(big_endian);
        testing::run(chunks, |chunk, last, out| d.decode(chunk, last, out))
    }

    #[test]
    fn boms_surrogates_and_odd_bytes_as_encoding_rs() {
        let units: [&[u16]; 12] = [
            &[0xFEFF, 0x41, 0x4F1A],
            &[0xFEFF, 0xFEFF, 0x41],
            &[0xFFFE, 0x41],
            &[0x41, 0xFEFF],
            &[0xD83D, 0xDE00, 0x20],
            &[0xD83D],
            &[0xDE00, 0x41],
            &[0xD83D, 0x41],
            &[0xD83D, 0xD83D, 0xDE00],
            &[0xDBFF, 0xDFFF, 0xD800, 0xDC00],
            &[0xD800, 0xFEFF],
            &[],
        ];
        for big_endian in [false, true] {
            for units in units {
                let bytes: Vec<u8> =
                    units.iter().flat_map(|u| if big_endian { u.to_be_bytes() } else { u.to_le_bytes() }).collect();
                for extra in [&[][..], &[0x41], &[0xD8]] {
                    let bytes = [&bytes[..], extra].concat();
                    let whole = reference(big_endian, &[&bytes]);
                    assert_eq!(ours(big_endian, &[&bytes]), whole, "{bytes:02X?}");
                    let one_by_one: Vec<&[u8]> = bytes.chunks(1).chain([&[][..]]).collect();
                    assert_eq!(ours(big_endian, &one_by_one), whole, "{bytes:02X?}");
                }
            }
        }
    }

    proptest! {
        #[test]
        fn random_bytes_in_random_chunks_as_encoding_rs(big_endian: bool, bytes in proptest::collection::vec(prop_oneof![any::<u8>(), 0xD8..=0xDFu8, Just(0xFE), Just(0xFF)], 0..40), cuts in proptest::collection::vec(any::<usize>(), 0..6)) {
            let chunks = testing::cut(&bytes, &cuts);
            let expected = reference(big_endian, &[&bytes]);
            prop_assert_eq!(&ours(big_endian, &chunks), &expected);
            prop_assert_eq!(&reference(big_endian, &chunks), &expected);
        }
    }
}
