//! Gzip-compressed files (`trace.json.gz`, a collector's compressed file export): detected by
//! their magic bytes, never by the name, and decompressed before the format is sniffed.
//!
//! Supports: one gzip member or several concatenated (what `cat a.gz b.gz` and some writers
//! make, read as one stream). Limits: the output must fit in [`MAX_FILE_BYTES`], the same
//! limit the import worker puts on a plain file; truncated or corrupt data is an error that
//! says how much was decompressed before the problem.
//!
//! Decompression streams into one `Vec` (no intermediate buffers, no copy afterwards), sized
//! up front from the size the last member records (when it is plausible), so it rarely grows.
//!
//! Spec: RFC 1952 (the gzip file format); decoding by `flate2` with its pure-Rust
//! `miniz_oxide` back end (it builds for `wasm32-unknown-unknown`).

use super::MAX_FILE_BYTES;
use crate::model::units::format_bytes;
use std::io::{ErrorKind, Read};

/// The two bytes every gzip member starts with.
const MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Deflate expands at most about 1032 times; a size hint beyond that is not believed.
const MAX_RATIO: usize = 1032;

/// True when `bytes` starts like gzip data.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&MAGIC)
}

/// Decompresses gzip `bytes` (all members) into one buffer; at most `limit` bytes of output
/// ([`MAX_FILE_BYTES`] in use). The error says what is wrong, in words a user understands.
pub fn gunzip(bytes: &[u8], limit: usize) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    // The last member's ISIZE trailer: its uncompressed size modulo 4 GiB. Exact for the
    // usual single member; a hint only, so never trusted beyond what deflate can produce.
    let hint = bytes
        .last_chunk::<4>()
        .map_or(0, |t| u32::from_le_bytes(*t) as usize)
        .min(bytes.len().saturating_mul(MAX_RATIO))
        .min(limit);
    // A hint that cannot be had is only a hint: decompress anyway, growing as needed.
    let _ = out.try_reserve_exact(hint);
    let decoder = flate2::read::MultiGzDecoder::new(bytes);
    // One byte more than the limit tells "exactly at the limit" from "over it".
    let mut reader = decoder.take(limit as u64 + 1);
    if let Err(e) = reader.read_to_end(&mut out) {
        let after = format_bytes(out.len() as u64);
        return Err(match e.kind() {
            ErrorKind::UnexpectedEof => {
                format!("the gzip data is truncated after {after} of output")
            }
            ErrorKind::OutOfMemory => format!(
                "there was not enough memory to decompress the gzip data (stopped after \
                 {after} of output)"
            ),
            _ => format!("the gzip data is corrupt after {after} of output ({e})"),
        });
    }
    if out.len() > limit {
        return Err(format!(
            "the gzip file ({} compressed) decompresses to more than {}, the most Spanorama \
             can load; split it into smaller files, e.g. one trace per file",
            format_bytes(bytes.len() as u64),
            format_bytes(limit as u64),
        ));
    }
    Ok(out)
}

/// [`gunzip`] with the usual limit.
pub fn gunzip_file(bytes: &[u8]) -> Result<Vec<u8>, String> {
    gunzip(bytes, MAX_FILE_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{write::GzEncoder, Compression};
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn members_are_read_one_after_another() {
        let mut both = gzip(b"[1,");
        both.extend(gzip(b"2]"));
        assert!(is_gzip(&both));
        assert_eq!(gunzip_file(&both).unwrap(), b"[1,2]");
        assert_eq!(gunzip_file(&gzip(b"")).unwrap(), b"");
    }

    #[test]
    fn the_limit_is_the_output_size() {
        let data = vec![b' '; 10_000];
        let gz = gzip(&data);
        assert_eq!(gunzip(&gz, 10_000).unwrap().len(), 10_000);
        let err = gunzip(&gz, 9_999).unwrap_err();
        assert!(err.contains("decompresses to more than 10.0 kB"), "{err}");
        assert!(err.contains(&format!("({} compressed)", format_bytes(gz.len() as u64))));
    }

    #[test]
    fn truncated_and_corrupt_data_say_how_far_they_got() {
        let data: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let gz = gzip(&data);
        let err = gunzip_file(&gz[..gz.len() / 2]).unwrap_err();
        assert!(
            err.starts_with("the gzip data is truncated after "),
            "{err}"
        );
        assert!(err.ends_with(" of output"), "{err}");
        let mut bad = gz.clone();
        let at = bad.len() / 2;
        bad[at] ^= 0xff;
        bad[at + 1] ^= 0x55;
        let err = gunzip_file(&bad).unwrap_err();
        assert!(err.contains("the gzip data is"), "{err}");
        // A wrong checksum in the trailer is corruption too.
        let mut bad = gz.clone();
        let crc = bad.len() - 8;
        bad[crc] ^= 1;
        let err = gunzip_file(&bad).unwrap_err();
        assert!(err.starts_with("the gzip data is corrupt after "), "{err}");
        assert!(gunzip_file(&MAGIC).is_err());
    }
}
