//! The zip archive of a workbook: its central directory, read here (the
//! `zip` crate cost 33 KiB brotli of the wasm build, for writing, encryption
//! and compression methods a workbook never uses), and its parts, stored or
//! deflated (`flate2`, pure-Rust miniz_oxide), checked against their CRC-32
//! ([`Crc32`], whose tables are made at run time: `crc32fast`'s are 16 KiB
//! of data, 15 KiB brotli).
//!
//! What an `.xlsx` needs of the format: the end-of-directory record, the
//! directory's entries (with the zip64 extra field for sizes and offsets
//! that overflow 32 bits) and the local headers. Archives split across
//! disks, encrypted entries and other compression methods are errors.

use flate2::read::DeflateDecoder;
use std::io::{self, Read};

/// An archive in memory.
pub struct Archive {
    bytes: Vec<u8>,
    entries: Vec<Entry>,
}

/// A file of the archive, as its directory entry describes it.
struct Entry {
    name: String,
    method: u16,
    crc: u32,
    compressed: u64,
    /// Where its local header starts.
    offset: u64,
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at.checked_add(2)?)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at.checked_add(8)?)?.try_into().ok()?))
}

impl Archive {
    /// Read the directory of the archive `bytes`.
    pub fn new(bytes: Vec<u8>) -> Result<Archive, String> {
        // The end-of-directory record: 22 bytes and a comment of up to 64 KiB.
        let last = bytes.len().checked_sub(22).ok_or("too short for a zip archive")?;
        let end = (last.saturating_sub(0xFFFF)..=last)
            .rev()
            .find(|&at| bytes[at..].starts_with(b"PK\x05\x06"))
            .ok_or("the end of the zip archive is missing")?;
        let (disk, count, start) = (u16_at(&bytes, end + 4), u16_at(&bytes, end + 10), u32_at(&bytes, end + 16));
        let (Some(0), Some(count), Some(start)) = (disk, count, start) else {
            return Err("a zip archive split across disks".into());
        };
        let bad = || "the zip directory is damaged".to_string();
        let mut entries = Vec::with_capacity(count.into());
        let mut at = usize::try_from(start).map_err(|_| bad())?;
        for _ in 0..count {
            // Offsets within one entry are small: no overflow past `at`.
            let entry = bytes.get(at..).filter(|e| e.starts_with(b"PK\x01\x02")).ok_or_else(bad)?;
            let field = |offset| u32_at(entry, offset).ok_or_else(bad);
            let length = |offset| u16_at(entry, offset).map(usize::from).ok_or_else(bad);
            let (name_len, extra_len, comment_len) = (length(28)?, length(30)?, length(32)?);
            let name = entry.get(46..46 + name_len).ok_or_else(bad)?;
            let extra = entry.get(46 + name_len..46 + name_len + extra_len).ok_or_else(bad)?;
            let mut read = Entry {
                name: String::from_utf8_lossy(name).into_owned(),
                method: u16_at(entry, 10).ok_or_else(bad)?,
                crc: field(16)?,
                compressed: field(20)?.into(),
                offset: field(42)?.into(),
            };
            zip64(&mut read, field(24)?, extra).ok_or_else(bad)?;
            entries.push(read);
            at += 46 + name_len + extra_len + comment_len;
        }
        Ok(Archive { bytes, entries })
    }

    /// The file at `path` (or, failing that, the one whose name matches it
    /// ignoring case and with `\` for `/`, as Excel reads), if there is one.
    pub fn open(&self, path: &str) -> Result<Option<Part<'_>>, String> {
        let same = |e: &&Entry| e.name.replace('\\', "/").eq_ignore_ascii_case(path);
        let Some(entry) = self.entries.iter().find(|e| e.name == path).or_else(|| self.entries.iter().find(same))
        else {
            return Ok(None);
        };
        let bad = || format!("{path}: its local header is damaged");
        let header = usize::try_from(entry.offset).ok().and_then(|at| self.bytes.get(at..));
        let header = header.filter(|h| h.starts_with(b"PK\x03\x04")).ok_or_else(bad)?;
        let length = |offset| u16_at(header, offset).map(usize::from).ok_or_else(bad);
        let start = 30 + length(26)? + length(28)?;
        let data = usize::try_from(entry.compressed).ok().and_then(|n| header.get(start..)?.get(..n));
        let data = data.ok_or_else(|| format!("{path} is cut short"))?;
        let inner = match entry.method {
            0 => Inner::Stored(data),
            8 => Inner::Deflated(DeflateDecoder::new(data)),
            m => return Err(format!("{path}: compression method {m} is not supported")),
        };
        Ok(Some(Part { inner, crc: Crc32::new(), expected: entry.crc }))
    }
}

/// Take the sizes and offset that overflow 32 bits from the zip64 extra
/// field (id 1: uncompressed size, compressed size, offset, each present only
/// when its 32-bit field is all ones; the last such field wins, as the `zip`
/// crate writes two). `None` when there is none.
fn zip64(entry: &mut Entry, size: u32, extra: &[u8]) -> Option<()> {
    let max = u64::from(u32::MAX);
    let (compressed, offset) = (entry.compressed == max, entry.offset == max);
    if size != u32::MAX && !compressed && !offset {
        return Some(());
    }
    let (mut found, mut at) = (false, 0);
    while at + 4 <= extra.len() {
        let (id, len) = (u16_at(extra, at)?, usize::from(u16_at(extra, at + 2)?));
        if id == 1 {
            let mut field = at + 4;
            let mut take = |wanted: bool, value: &mut u64| -> Option<()> {
                if wanted {
                    *value = u64_at(extra, field)?;
                    field += 8;
                }
                Some(())
            };
            take(size == u32::MAX, &mut 0)?;
            take(compressed, &mut entry.compressed)?;
            take(offset, &mut entry.offset)?;
            found = true;
        }
        at += 4 + len;
    }
    found.then_some(())
}

/// A file of the archive being read, checked against its CRC-32 at its end.
pub struct Part<'a> {
    inner: Inner<'a>,
    crc: Crc32,
    expected: u32,
}

enum Inner<'a> {
    Stored(&'a [u8]),
    Deflated(DeflateDecoder<&'a [u8]>),
}

impl Read for Part<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = match &mut self.inner {
            Inner::Stored(data) => data.read(buf)?,
            Inner::Deflated(data) => data.read(buf)?,
        };
        self.crc.update(&buf[..n]);
        if n == 0 && !buf.is_empty() && self.crc.value != self.expected {
            return Err(io::Error::other("its checksum does not match"));
        }
        Ok(n)
    }
}

/// The CRC-32 zip uses (IEEE 802.3, reflected), eight bytes at a time.
/// Its 8 KiB of tables are made when a part is opened (a few microseconds)
/// rather than stored in the module.
struct Crc32 {
    table: Box<[[u32; 256]; 8]>,
    /// The CRC of the bytes so far.
    value: u32,
}

impl Crc32 {
    fn new() -> Crc32 {
        let mut table = Box::new([[0u32; 256]; 8]);
        for i in 0..256 {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 == 1 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            }
            table[0][i] = c;
        }
        for i in 0..256 {
            for k in 1..8 {
                table[k][i] = (table[k - 1][i] >> 8) ^ table[0][(table[k - 1][i] & 0xFF) as usize];
            }
        }
        Crc32 { table, value: 0 }
    }

    fn update(&mut self, data: &[u8]) {
        let t = &*self.table;
        let byte = |word: u32, shift: u32| ((word >> shift) & 0xFF) as usize;
        let mut c = !self.value;
        let mut words = data.chunks_exact(8);
        for w in &mut words {
            let lo = u32::from_le_bytes([w[0], w[1], w[2], w[3]]) ^ c;
            let hi = u32::from_le_bytes([w[4], w[5], w[6], w[7]]);
            c = t[7][byte(lo, 0)]
                ^ t[6][byte(lo, 8)]
                ^ t[5][byte(lo, 16)]
                ^ t[4][byte(lo, 24)]
                ^ t[3][byte(hi, 0)]
                ^ t[2][byte(hi, 8)]
                ^ t[1][byte(hi, 16)]
                ^ t[0][byte(hi, 24)];
        }
        for &b in words.remainder() {
            c = t[0][byte(c ^ u32::from(b), 0)] ^ (c >> 8);
        }
        self.value = !c;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write as _};

    /// An archive of one file, `a.xml`, stored or deflated.
    fn one(text: &[u8], method: zip::CompressionMethod) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("Dir\\A.xml", zip::write::SimpleFileOptions::default().compression_method(method)).unwrap();
        zip.write_all(text).unwrap();
        zip.finish().unwrap().into_inner()
    }

    fn read(archive: &Archive, path: &str) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        let mut part = archive.open(path)?.ok_or("missing")?;
        part.read_to_end(&mut out).map_err(|e| e.to_string())?;
        Ok(out)
    }

    proptest::proptest! {
        #[test]
        fn crc32_as_flate2(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..100), cut: proptest::sample::Index) {
            let mut reference = flate2::Crc::new();
            reference.update(&data);
            let (a, b) = data.split_at(cut.index(data.len() + 1));
            let mut crc = Crc32::new();
            crc.update(a);
            crc.update(b);
            proptest::prop_assert_eq!(crc.value, reference.sum());
        }
    }

    #[test]
    fn parts_read_stored_or_deflated_and_checked() {
        let text: String = (0..300).map(|i| format!("<c>会员 {}</c>", i * 7919 % 1000)).collect();
        for method in [zip::CompressionMethod::Stored, zip::CompressionMethod::Deflated] {
            let bytes = one(text.as_bytes(), method);
            let archive = Archive::new(bytes.clone()).unwrap();
            assert_eq!(read(&archive, "dir/a.xml").unwrap(), text.as_bytes(), "{method:?}");
            assert_eq!(read(&archive, "other.xml").unwrap_err(), "missing");
            // A changed byte of the part's data: a checksum or inflate error.
            let at = bytes.windows(3).position(|w| w == b"xml").unwrap() + 40;
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x20;
            assert!(read(&Archive::new(damaged).unwrap(), "dir/a.xml").is_err(), "{method:?}");
            // Cut short: the directory is gone.
            assert!(Archive::new(bytes[..bytes.len() - 30].to_vec()).is_err());
        }
        assert!(Archive::new(b"PK\x03\x04".to_vec()).is_err());
    }
}
