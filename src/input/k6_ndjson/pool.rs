//! The reader thread, the worker threads and the merger: chunks are parsed in parallel and merged in file
//! order, so the result is the same for any number of threads.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::sync::atomic::AtomicU64;
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex, OnceLock};

use super::aggregate::K6Aggregator;
use super::chunk::{Chunker, CHUNK};
use super::lines::parse_chunk;
use super::partial::{KeptGroups, Partial};
use crate::error::ParseError;
use crate::input::progress::Progress;

/// Feeds a stream into `agg` with `threads` workers; `counter` (when given) counts the bytes read.
pub(super) fn feed<R: Read + Send>(
    mut agg: K6Aggregator,
    reader: R,
    threads: usize,
    progress: Option<Progress>,
    counter: Option<Arc<AtomicU64>>,
) -> Result<K6Aggregator, ParseError> {
    let mut chunker = Chunker::new(reader);
    chunker.counter = counter;
    let mut lines_before = 0u64;
    let first = chunker
        .next(Vec::with_capacity(CHUNK))
        .map_err(read_error)?;
    let Some(first) = first else {
        return Ok(agg);
    };
    let kept = OnceLock::new();
    // Small inputs (one chunk) are not worth threads.
    if threads <= 1 || chunker.eof {
        let mut progress = progress;
        let mut buf = Some(first);
        let mut first_in_file = true;
        while let Some(chunk) = buf.take() {
            let part = parse_chunk(
                &chunk,
                std::mem::take(&mut first_in_file),
                kept.get().cloned(),
            );
            lines_before = agg.merge_partial(part, lines_before)?;
            publish(&agg, &kept);
            if let Some(p) = &mut progress {
                p.tick();
            }
            buf = chunker.next(chunk).map_err(read_error)?;
        }
        if let Some(p) = &mut progress {
            p.finish();
        }
        return Ok(agg);
    }
    parallel(chunker, first, threads, progress, agg, &kept)
}

/// Once the series cap is full, hands the groups it keeps to the workers (once): from then on they drop
/// the other groups' points themselves instead of building series the merger would throw away.
fn publish(agg: &K6Aggregator, kept: &OnceLock<Arc<KeptGroups>>) {
    if kept.get().is_none() {
        if let Some(groups) = agg.kept_groups() {
            let _ = kept.set(Arc::new(groups));
        }
    }
}

fn read_error(e: io::Error) -> ParseError {
    ParseError::new(e.to_string())
}

/// Messages from the reader and the workers to the merging thread, keyed by chunk number.
enum Msg {
    Chunk(u64, Box<Partial>, Vec<u8>),
    Failed(u64, String),
    End(u64),
}

fn parallel<R: Read + Send>(
    mut chunker: Chunker<R>,
    first: Vec<u8>,
    threads: usize,
    progress: Option<Progress>,
    mut agg: K6Aggregator,
    kept: &OnceLock<Arc<KeptGroups>>,
) -> Result<K6Aggregator, ParseError> {
    // Buffers circulate reader → worker → merger → reader; their number bounds the memory in flight.
    let buffers = threads * 2 + 2;
    let (free_tx, free_rx) = mpsc::sync_channel::<Vec<u8>>(buffers);
    for _ in 1..buffers {
        let _ = free_tx.send(Vec::with_capacity(CHUNK));
    }
    let (work_tx, work_rx) = mpsc::sync_channel::<(u64, Vec<u8>)>(buffers);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = mpsc::channel::<Msg>();
    std::thread::scope(|s| {
        let reader_done = done_tx.clone();
        s.spawn(move || {
            let mut progress = progress;
            let mut seq = 0u64;
            let mut chunk = Some(first);
            loop {
                let Some(c) = chunk.take() else {
                    let _ = reader_done.send(Msg::End(seq));
                    break;
                };
                if work_tx.send((seq, c)).is_err() {
                    break;
                }
                seq += 1;
                if let Some(p) = &mut progress {
                    p.tick();
                }
                let Ok(buf) = free_rx.recv() else { break };
                match chunker.next(buf) {
                    Ok(c) => chunk = c,
                    Err(e) => {
                        let _ = reader_done.send(Msg::Failed(seq, e.to_string()));
                        break;
                    }
                }
            }
            if let Some(p) = &mut progress {
                p.finish();
            }
        });
        for _ in 0..threads {
            let rx = Arc::clone(&work_rx);
            let tx = done_tx.clone();
            s.spawn(move || worker(&rx, &tx, kept));
        }
        drop(done_tx);
        drop(work_rx);
        let result = merge_in_order(&mut agg, &done_rx, &free_tx, kept);
        // Unblock the reader and the workers before the scope joins them.
        drop(free_tx);
        drop(done_rx);
        result
    })?;
    Ok(agg)
}

fn worker(
    rx: &Mutex<Receiver<(u64, Vec<u8>)>>,
    tx: &mpsc::Sender<Msg>,
    kept: &OnceLock<Arc<KeptGroups>>,
) {
    loop {
        let job = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok((seq, chunk)) = job else { return };
        let part = parse_chunk(&chunk, seq == 0, kept.get().cloned());
        if tx.send(Msg::Chunk(seq, Box::new(part), chunk)).is_err() {
            return;
        }
    }
}

fn merge_in_order(
    agg: &mut K6Aggregator,
    done: &Receiver<Msg>,
    free: &mpsc::SyncSender<Vec<u8>>,
    kept: &OnceLock<Arc<KeptGroups>>,
) -> Result<(), ParseError> {
    let mut pending: BTreeMap<u64, Msg> = BTreeMap::new();
    let mut next = 0u64;
    let mut lines_before = 0u64;
    loop {
        while let Some(msg) = pending.remove(&next) {
            match msg {
                Msg::Chunk(_, part, buf) => {
                    lines_before = agg.merge_partial(*part, lines_before)?;
                    publish(agg, kept);
                    let _ = free.try_send(buf);
                    next += 1;
                }
                Msg::Failed(_, e) => return Err(ParseError::new(e)),
                Msg::End(_) => return Ok(()),
            }
        }
        let msg = done
            .recv()
            .map_err(|_| ParseError::new("internal error: a reader thread stopped"))?;
        let seq = match &msg {
            Msg::Chunk(s, ..) | Msg::Failed(s, _) | Msg::End(s) => *s,
        };
        pending.insert(seq, msg);
    }
}

#[cfg(test)]
mod tests {
    use std::io::{self, Read};

    use std::sync::OnceLock;

    use super::super::aggregate_reader;
    use super::super::tests::generated;
    use super::{parse_chunk, publish, Chunker, K6Aggregator, CHUNK};

    #[test]
    fn parallel_and_sequential_give_identical_runs() {
        let text = generated(12_000, 9);
        assert!(text.len() > 2 * CHUNK, "several chunks");
        let seq = aggregate_reader(text.as_bytes(), 1).unwrap();
        for threads in [2, 5] {
            assert_eq!(aggregate_reader(text.as_bytes(), threads).unwrap(), seq);
        }
        // Whatever the read sizes.
        struct Dribble<'a>(&'a [u8]);
        impl Read for Dribble<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = buf.len().min(self.0.len()).min(4093);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        assert_eq!(aggregate_reader(Dribble(text.as_bytes()), 2).unwrap(), seq);
        assert_eq!(
            seq.metric("http_req_duration", "count").unwrap().value,
            12_000.0
        );
    }

    #[test]
    fn workers_drop_past_the_full_cap_exactly_as_the_merger_would() {
        use std::fmt::Write;
        // 10 000 distinct names over three chunks: the cap (1 000 groups) is full within the first.
        let mut text = String::new();
        for i in 0..10_000 {
            let tags = format!("{{\"name\":\"item/{i}\",\"status\":\"200\"}}");
            for metric in ["http_req_duration", "not_a_k6_metric"] {
                let _ = writeln!(text, "{{\"metric\":\"{metric}\",\"type\":\"Point\",\"data\":{{\"time\":\"2024-08-22T04:{:02}:{:02}Z\",\"value\":{}.5,\"tags\":{tags}}}}}", i / 6000, i / 100 % 60, i % 97);
            }
        }
        assert!(text.len() > 2 * CHUNK);
        let run = |workers_drop: bool| {
            let (mut agg, kept) = (K6Aggregator::new(), OnceLock::new());
            let mut chunker = Chunker::new(text.as_bytes());
            let (mut lines, mut first, mut dropped_by_workers) = (0, true, 0);
            while let Some(c) = chunker.next(Vec::new()).unwrap() {
                let k = if workers_drop {
                    kept.get().cloned()
                } else {
                    None
                };
                let part = parse_chunk(&c, std::mem::take(&mut first), k);
                dropped_by_workers += part.dropped.len();
                lines = agg.merge_partial(part, lines).unwrap();
                publish(&agg, &kept);
            }
            (agg.cap_warning(), dropped_by_workers > 0, agg.finish())
        };
        let (merger, workers) = (run(false), run(true));
        assert!(
            !merger.1 && workers.1,
            "the second run takes the workers' path"
        );
        assert_eq!(merger.0, workers.0);
        assert_eq!(merger.2, workers.2);
        let w = workers.0.unwrap();
        assert!(w.contains("more values of tag `name` (e.g. `item/"), "{w}");
        assert_eq!(aggregate_reader(text.as_bytes(), 2).unwrap(), workers.2);
    }

    #[test]
    fn errors_name_the_line_in_any_chunk() {
        let mut text = generated(9_000, 1);
        let lines = text.lines().count();
        text += "{\"type\":\"Point\",\"metric\":\"x\",\"data\":{\"time\":\"soon\",\"value\":1}}\n";
        for threads in [1, 2] {
            let e = aggregate_reader(text.as_bytes(), threads).unwrap_err();
            assert_eq!(e.line, Some(lines as u64 + 1), "{e}");
        }
    }
}
