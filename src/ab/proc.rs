//! Child processes that can be stopped: SIGINT, SIGTERM and SIGHUP only set a flag, the wait loop sees it,
//! ends the child's whole process group and returns, so the caller can remove the worktree and exit.

use std::process::{Child, Command, ExitStatus};
#[cfg(unix)]
use std::sync::atomic::AtomicBool;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// The signal received since [`install`] (0: none), and whether signals act as by default again.
struct State {
    pending: Arc<AtomicUsize>,
    #[cfg(unix)]
    restored: Arc<AtomicBool>,
}

static STATE: OnceLock<State> = OnceLock::new();

/// How long a stopped child gets to exit after SIGTERM before it is killed.
const GRACE: Duration = Duration::from_secs(3);
const POLL: Duration = Duration::from_millis(20);

#[cfg(unix)]
const SIGNALS: [i32; 3] = [
    signal_hook::consts::SIGINT,
    signal_hook::consts::SIGTERM,
    signal_hook::consts::SIGHUP,
];

/// The handlers, registered once per process through signal-hook: each signal records itself, and
/// when [`restore`] has run it ends the process as the default disposition would.
fn state() -> &'static State {
    STATE.get_or_init(|| {
        let state = State {
            pending: Arc::new(AtomicUsize::new(0)),
            #[cfg(unix)]
            restored: Arc::new(AtomicBool::new(true)),
        };
        #[cfg(unix)]
        for sig in SIGNALS {
            // Registration fails only for forbidden signals (SIGKILL, SIGSTOP); these three are not.
            let _ = signal_hook::flag::register_conditional_default(sig, state.restored.clone());
            let _ = signal_hook::flag::register_usize(sig, state.pending.clone(), sig as usize);
        }
        state
    })
}

/// The environment variables the pull request's commands never see: the job's tokens, the Actions file
/// commands (whose files would let them set the next steps' environment or `PATH`), git credentials
/// passed in the environment, and any variable whose name says it holds a secret.
pub fn is_secret_var(name: &str) -> bool {
    const EXACT: [&str; 8] = [
        "GITHUB_TOKEN",
        "GH_TOKEN",
        "GITHUB_ENV",
        "GITHUB_OUTPUT",
        "GITHUB_PATH",
        "GITHUB_STATE",
        "GITHUB_STEP_SUMMARY",
        "GIT_ASKPASS",
    ];
    const PREFIX: [&str; 2] = ["ACTIONS_", "GIT_CONFIG_"];
    const WORDS: [&str; 7] = [
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "CREDENTIAL",
        "PRIVATE_KEY",
        "API_KEY",
    ];
    let upper = name.to_ascii_uppercase();
    EXACT.contains(&upper.as_str())
        || PREFIX.iter().any(|p| upper.starts_with(p))
        || WORDS.iter().any(|w| upper.contains(w))
}

/// Removes [`is_secret_var`] variables of this process from `cmd`'s environment.
pub fn scrub_env(cmd: &mut Command) {
    for (name, _) in std::env::vars_os() {
        if is_secret_var(&name.to_string_lossy()) {
            cmd.env_remove(name);
        }
    }
}

/// Catches the termination signals until [`restore`].
pub fn install() {
    let s = state();
    s.pending.store(0, Ordering::SeqCst);
    #[cfg(unix)]
    s.restored.store(false, Ordering::SeqCst);
}

/// Back to the default behaviour (a signal ends perfgate again).
pub fn restore() {
    #[cfg(unix)]
    if let Some(s) = STATE.get() {
        s.restored.store(true, Ordering::SeqCst);
    }
}

/// The signal received since [`install`], if any.
pub fn pending() -> Option<i32> {
    match STATE.get()?.pending.load(Ordering::SeqCst) {
        0 => None,
        s => i32::try_from(s).ok(),
    }
}

/// A signal's conventional name.
pub fn signal_name(sig: i32) -> &'static str {
    match sig {
        2 => "SIGINT",
        15 => "SIGTERM",
        1 => "SIGHUP",
        _ => "a signal",
    }
}

/// Puts the command in its own process group, so that the group (the command and whatever it started,
/// such as a server) can be ended as one; Ctrl-C reaches it through perfgate, not directly.
pub fn own_group(cmd: &mut Command) {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    #[cfg(not(unix))]
    let _ = cmd;
}

#[cfg(unix)]
fn signal_group(child: &Child, sig: rustix::process::Signal) {
    // The group id is the child's pid ([`own_group`]).
    let pid = i32::try_from(child.id())
        .ok()
        .and_then(rustix::process::Pid::from_raw);
    if let Some(pid) = pid {
        let _ = rustix::process::kill_process_group(pid, sig);
    }
}

/// Ends what is left of the child's process group (SIGTERM, then SIGKILL after a grace period).
pub fn end_group(child: &mut Child) {
    #[cfg(unix)]
    {
        signal_group(child, rustix::process::Signal::TERM);
        let start = Instant::now();
        while start.elapsed() < GRACE {
            if let Ok(Some(_)) = child.try_wait() {
                break;
            }
            std::thread::sleep(POLL);
        }
        signal_group(child, rustix::process::Signal::KILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// How a supervised child ended.
pub enum Outcome {
    Exited(ExitStatus),
    /// A termination signal arrived; the child's group was ended.
    Interrupted(i32),
}

/// Waits for the child, calling `tick` while it runs; on a pending signal ends the child's group.
pub fn supervise(child: &mut Child, mut tick: impl FnMut()) -> std::io::Result<Outcome> {
    loop {
        if let Some(sig) = pending() {
            end_group(child);
            return Ok(Outcome::Interrupted(sig));
        }
        if let Some(status) = child.try_wait()? {
            // Leftovers of the run (a server started in the background) must not disturb the next run.
            #[cfg(unix)]
            signal_group(child, rustix::process::Signal::TERM);
            return Ok(Outcome::Exited(status));
        }
        tick();
        std::thread::sleep(POLL);
    }
}

#[cfg(test)]
mod tests {
    use super::is_secret_var;

    #[test]
    fn tokens_file_commands_and_credentials_are_secret_and_the_rest_is_not() {
        for name in [
            "github_token",
            "GITHUB_OUTPUT",
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            "ACTIONS_RUNTIME_TOKEN",
            "GIT_CONFIG_VALUE_0",
            "CARGO_REGISTRY_TOKEN",
            "npm_token",
            "AWS_SECRET_ACCESS_KEY",
            "DB_PASSWORD",
        ] {
            assert!(is_secret_var(name), "{name}");
        }
        for name in [
            "PATH",
            "HOME",
            "CARGO_HOME",
            "GITHUB_SHA",
            "GITHUB_REPOSITORY",
            "RUSTFLAGS",
        ] {
            assert!(!is_secret_var(name), "{name}");
        }
    }
}
