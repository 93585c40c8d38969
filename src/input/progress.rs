//! A one-line progress bar on stderr for inputs that take a while to read.
//!
//! Drawn only when the application allowed it ([`set_enabled`]: a terminal, no `--quiet`, not in CI) and
//! only once reading has taken more than a second, so quick runs and logs stay clean.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Allows or forbids progress bars (off by default, so library users never get one).
pub fn set_enabled(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// Whether a bar may be drawn: not `--quiet`, not in CI (`CI` set), and stderr is a terminal.
pub fn allowed(quiet: bool, ci: bool, stderr_is_terminal: bool) -> bool {
    !quiet && !ci && stderr_is_terminal
}

const DELAY: Duration = Duration::from_secs(1);
const EVERY: Duration = Duration::from_millis(100);
const WIDTH: usize = 30;

/// [`DELAY`]; a test build with `PERFGATE_TEST_PROGRESS_AT_ONCE` set draws at once (test-only hook, compiled
/// only with the `test-hooks` feature), so a pseudo-terminal test sees the bar of a small file.
fn delay() -> Duration {
    #[cfg(feature = "test-hooks")]
    if std::env::var_os("PERFGATE_TEST_PROGRESS_AT_ONCE").is_some() {
        return Duration::ZERO;
    }
    DELAY
}

/// Progress through one file, measured in bytes read from disk.
pub(crate) struct Progress {
    label: String,
    total: u64,
    read: Arc<AtomicU64>,
    start: Instant,
    last: Option<Instant>,
}

impl Progress {
    pub(crate) fn new(path: &Path, total: u64, read: Arc<AtomicU64>) -> Progress {
        Progress {
            // The name is untrusted: control characters would rewrite the user's terminal.
            label: crate::escape::terminal(&path.display().to_string()),
            total,
            read,
            start: Instant::now(),
            last: None,
        }
    }

    /// Redraws when due.
    pub(crate) fn tick(&mut self) {
        if !ENABLED.load(Ordering::Relaxed) || self.total == 0 {
            return;
        }
        let now = Instant::now();
        let elapsed = now.duration_since(self.start);
        if elapsed < delay() || self.last.is_some_and(|l| now.duration_since(l) < EVERY) {
            return;
        }
        self.last = Some(now);
        let done = self.read.load(Ordering::Relaxed).min(self.total);
        let frac = done as f64 / self.total as f64;
        let filled = ((frac * WIDTH as f64) as usize).min(WIDTH);
        let mb_s = done as f64 / 1e6 / elapsed.as_secs_f64();
        let bar = format!("{}{}", "#".repeat(filled), " ".repeat(WIDTH - filled));
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[2Kreading {} [{bar}] {:>3.0} % {mb_s:.0} MB/s",
            self.label,
            frac * 100.0
        );
        let _ = err.flush();
    }

    /// Clears the bar if one was drawn.
    pub(crate) fn finish(&mut self) {
        if self.last.take().is_some() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_on_a_terminal_outside_ci_without_quiet() {
        assert!(allowed(false, false, true));
        assert!(!allowed(true, false, true));
        assert!(!allowed(false, true, true));
        assert!(!allowed(false, false, false));
    }
}
