//! The bytes of one file: gzip decoded (also multi-member) with errors that say so, and the compressed
//! bytes counted for the progress bar.

use std::fs::File;
use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::input::Probe;

/// The first lines of a gzip file, for sniffing.
pub(super) fn gunzip_head(probe: &Probe) -> Option<String> {
    let file = crate::bounded_read::open(probe.path()).ok()?;
    let mut buf = Vec::new();
    // A truncated or corrupt file still yields what decompressed before the damage.
    let _ = flate2::read::MultiGzDecoder::new(file)
        .take(64 * 1024)
        .read_to_end(&mut buf);
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// Counts the compressed bytes read, for the progress bar.
pub(super) struct Counting {
    pub(super) inner: File,
    pub(super) n: Arc<AtomicU64>,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Says what a gzip read error means: flate2's messages ("corrupt deflate stream") do not mention gzip.
pub(super) struct GzipErrors<R>(pub(super) R);

impl<R: Read> Read for GzipErrors<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(|e| {
            let what = if e.kind() == io::ErrorKind::UnexpectedEof {
                "gzip stream is truncated".to_string()
            } else {
                format!("gzip stream is corrupt ({e})")
            };
            io::Error::new(e.kind(), what)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::input::k6_ndjson::tests::generated;
    use crate::input::read_file;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn gzip_equals_plain_also_multi_member() {
        let dir = tempfile::tempdir().unwrap();
        let text = generated(9_000, 2);
        let plain = dir.path().join("results.json");
        std::fs::write(&plain, &text).unwrap();
        let want = read_file(&plain, None).unwrap().benchmarks;
        let gz = dir.path().join("results.json.gz");
        std::fs::write(&gz, gzip(text.as_bytes())).unwrap();
        let got = read_file(&gz, None).unwrap();
        assert_eq!(got.sources[0].format, "k6-ndjson");
        assert_eq!(got.benchmarks, want);
        // Two members, split mid-line, as `cat a.gz b.gz` makes.
        let (a, b) = text.as_bytes().split_at(text.len() / 2 + 17);
        let mut multi = gzip(a);
        multi.extend(gzip(b));
        let gz2 = dir.path().join("multi.json.gz");
        std::fs::write(&gz2, multi).unwrap();
        assert_eq!(read_file(&gz2, None).unwrap().benchmarks, want);
    }

    #[test]
    fn truncated_gzip_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let full = gzip(generated(5_000, 3).as_bytes());
        let p = dir.path().join("results.json.gz");
        std::fs::write(&p, &full[..full.len() * 2 / 3]).unwrap();
        let e = read_file(&p, None).unwrap_err().to_string();
        assert!(
            e.contains("results.json.gz") && e.contains("gzip stream is truncated"),
            "{e}"
        );
        assert!(!e.contains('\n'));
        // Not k6 inside: still refused with a hint.
        let other = dir.path().join("other.json.gz");
        std::fs::write(&other, gzip(b"{\"metrics\":{}}")).unwrap();
        let e = read_file(&other, None).unwrap_err().to_string();
        assert!(e.contains("only read for k6 NDJSON"), "{e}");
    }
}
