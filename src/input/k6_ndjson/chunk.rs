//! Cutting a stream into chunks of whole lines at places that depend on the content only.

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Bytes per chunk handed to a worker. Chunks end at the last newline within this many bytes, so their
/// boundaries depend on the content only (not on read sizes or gzip).
pub(super) const CHUNK: usize = 1 << 20;

/// A line longer than this is refused rather than buffered without bound.
const MAX_LINE: usize = 64 << 20;

/// Cuts a stream into chunks of whole lines at content-determined places.
pub(super) struct Chunker<R> {
    r: R,
    carry: Vec<u8>,
    /// Whether the stream has ended (the chunk last returned is the final one).
    pub(super) eof: bool,
    /// Bytes read so far, for the progress bar of a plain file. Counted here rather than by a wrapper
    /// around the file: a wrapper's `read` would make `read_to_end` zero every buffer first.
    pub(super) counter: Option<Arc<AtomicU64>>,
}

impl<R: Read> Chunker<R> {
    pub(super) fn new(r: R) -> Chunker<R> {
        Chunker {
            r,
            carry: Vec::new(),
            eof: false,
            counter: None,
        }
    }

    /// The next chunk, reusing `buf`; `None` at the end.
    pub(super) fn next(&mut self, mut buf: Vec<u8>) -> io::Result<Option<Vec<u8>>> {
        buf.clear();
        buf.append(&mut self.carry);
        let mut target = CHUNK;
        loop {
            // `read_to_end` on a `take` fills the spare capacity without zeroing it first (for files);
            // it stops at `target` bytes or at the end of the stream.
            let filled = buf.len();
            if filled < target && !self.eof {
                let want = target - filled;
                buf.reserve(want);
                let n = loop {
                    match (&mut self.r).take(want as u64).read_to_end(&mut buf) {
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        other => break other,
                    }
                };
                let n = n.inspect_err(|_| buf.truncate(filled))?;
                if let Some(c) = &self.counter {
                    c.fetch_add(n as u64, Ordering::Relaxed);
                }
                self.eof = n < want;
            }
            if self.eof {
                return Ok((!buf.is_empty()).then_some(buf));
            }
            // Only the first CHUNK-sized windows decide the cut, so it does not depend on read sizes.
            if let Some(i) = memchr::memrchr(b'\n', &buf) {
                self.carry
                    .extend_from_slice(buf.get(i + 1..).unwrap_or_default());
                buf.truncate(i + 1);
                return Ok(Some(buf));
            }
            if buf.len() >= MAX_LINE {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "a line is longer than 64 MiB; is this k6 NDJSON?",
                ));
            }
            target += CHUNK;
        }
    }
}
