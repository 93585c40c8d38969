//! Baselines are never lost or corrupted: a writer killed mid-save, concurrent writers, and names or
//! links that try to leave `baselines/`.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{fixture, perfgate, Sandbox};

fn k6(rel: &str) -> String {
    fixture(&format!("k6/{rel}")).display().to_string()
}

fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".tmp"))
                .collect()
        })
        .unwrap_or_default()
}

/// `baseline list` succeeds with no warning and lists exactly `names`.
fn assert_list_clean(sb: &Sandbox, names: &[&str]) {
    let out = sb
        .cmd()
        .args(["baseline", "list", "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut listed: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    listed.sort_unstable();
    assert_eq!(listed, names);
}

#[test]
fn a_writer_killed_before_the_rename_leaves_the_old_snapshot_intact() {
    let sb = Sandbox::new();
    sb.cmd()
        .args(["baseline", "create", "main", &k6("baseline-summary.json")])
        .assert()
        .success();
    let snapshot = sb.path("baselines/main.json");
    let before = std::fs::read(&snapshot).unwrap();
    for _ in 0..3 {
        let mut child = perfgate()
            .current_dir(sb.dir())
            .args([
                "baseline",
                "create",
                "main",
                "--force",
                &k6("current-summary.json"),
            ])
            .env("PERFGATE_TEST_PAUSE_BEFORE_RENAME_MS", "20000")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // The temporary file appears once it is written and synced; the writer then sleeps.
        let start = Instant::now();
        while temp_files(&sb.path("baselines")).is_empty() {
            assert!(start.elapsed() < Duration::from_secs(30), "no temp file");
            std::thread::sleep(Duration::from_millis(10));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        assert_eq!(
            std::fs::read(&snapshot).unwrap(),
            before,
            "old snapshot changed"
        );
    }
    // The orphaned temp files are hidden: list, show and analyze still work.
    assert_list_clean(&sb, &["main"]);
    sb.cmd()
        .args([
            "analyze",
            "--baseline",
            "main",
            &k6("baseline-summary.json"),
        ])
        .assert()
        .success();
    // And the next save goes through.
    sb.cmd()
        .args([
            "baseline",
            "create",
            "main",
            "--force",
            &k6("current-summary.json"),
        ])
        .assert()
        .success();
    assert_ne!(std::fs::read(&snapshot).unwrap(), before);
}

#[test]
fn concurrent_creates_of_one_name_leave_one_whole_snapshot() {
    for force in [false, true] {
        for round in 0..3 {
            let sb = Sandbox::new();
            let files = [k6("baseline-summary.json"), k6("current-summary.json")];
            let children: Vec<_> = (0..8)
                .map(|i| {
                    let mut c = perfgate();
                    c.current_dir(sb.dir())
                        .args(["baseline", "create", "main", &files[i % 2]])
                        .stdout(Stdio::null())
                        .stderr(Stdio::piped());
                    if force {
                        c.arg("--force");
                    }
                    c.spawn().unwrap()
                })
                .collect();
            let outputs: Vec<_> = children
                .into_iter()
                .map(|c| c.wait_with_output().unwrap())
                .collect();
            let winners = outputs.iter().filter(|o| o.status.success()).count();
            if force {
                assert_eq!(winners, 8, "round {round}: {outputs:?}");
            } else {
                assert_eq!(winners, 1, "round {round}: exactly one create wins");
                for o in outputs.iter().filter(|o| !o.status.success()) {
                    assert_eq!(o.status.code(), Some(2));
                    let err = String::from_utf8_lossy(&o.stderr);
                    assert!(err.contains("already exists"), "{err}");
                }
            }
            // Whole and valid: one of the two inputs, parsed back by perfgate.
            sb.cmd()
                .args(["baseline", "show", "main", "-o", "json"])
                .assert()
                .success();
            assert!(temp_files(&sb.path("baselines")).is_empty());
            assert_list_clean(&sb, &["main"]);
        }
    }
}

#[cfg(unix)]
#[test]
fn a_symlinked_snapshot_is_replaced_not_followed() {
    let sb = Sandbox::new();
    let outside = sb.write("outside/secret.json", "do not touch\n");
    std::fs::create_dir_all(sb.path("baselines")).unwrap();
    let link = sb.path("baselines/main.json");
    std::os::unix::fs::symlink(&outside, &link).unwrap();
    // Without --force the existing link counts as a snapshot and nothing is written.
    sb.cmd()
        .args(["baseline", "create", "main", &k6("baseline-summary.json")])
        .assert()
        .code(2);
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "do not touch\n");
    // With --force the link itself is replaced by a regular file.
    sb.cmd()
        .args([
            "baseline",
            "create",
            "main",
            "--force",
            &k6("baseline-summary.json"),
        ])
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "do not touch\n");
    assert!(!std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    // Deleting removes the link, never its target.
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(&outside, &link).unwrap();
    sb.cmd()
        .args(["baseline", "delete", "main"])
        .assert()
        .success();
    assert!(outside.exists());
}

#[cfg(unix)]
#[test]
fn a_symlinked_history_directory_is_refused() {
    let sb = Sandbox::new();
    let outside = sb.path("outside");
    std::fs::create_dir_all(&outside).unwrap();
    sb.write("outside/keep.json", "{}");
    std::fs::create_dir_all(sb.path("baselines")).unwrap();
    std::os::unix::fs::symlink(&outside, sb.path("baselines/main.history")).unwrap();
    let out = sb
        .cmd()
        .args([
            "baseline",
            "create",
            "main",
            "--append",
            "--keep",
            "1",
            &k6("baseline-summary.json"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("main.history") && err.contains("symbolic link"),
        "{err}"
    );
    let left: Vec<_> = std::fs::read_dir(&outside).unwrap().flatten().collect();
    assert_eq!(left.len(), 1, "nothing written or pruned outside");
}

#[test]
fn names_cannot_escape_the_baselines_directory() {
    let sb = Sandbox::new();
    for name in [
        "../evil",
        "/tmp/evil",
        "..",
        "a/../../evil",
        ".hidden",
        "evil\u{1b}[2J",
    ] {
        let out = sb
            .cmd()
            .args(["baseline", "create", name, &k6("baseline-summary.json")])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{name:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("invalid baseline name"), "{err}");
        assert!(!err.contains('\u{1b}'), "ESC reached the terminal: {err:?}");
        for cmd in ["show", "delete"] {
            sb.cmd().args(["baseline", cmd, name]).assert().code(2);
        }
    }
    assert!(!sb.path("evil").exists() && !sb.path("baselines").exists());
}
