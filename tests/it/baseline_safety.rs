//! Baselines are never lost or corrupted: a writer killed mid-save, concurrent writers, and names or
//! links that try to leave `baselines/`.

use crate::common;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use common::{k6, perfgate, read_json, run_stderr, Sandbox};

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

/// Needs the rename-pause hook: `cargo test --features test-hooks` (the README's test command).
#[cfg(feature = "test-hooks")]
#[test]
fn a_writer_killed_before_the_rename_leaves_the_old_snapshot_intact() {
    let sb = Sandbox::new();
    sb.create_baseline(&["main"], &[k6("baseline-summary.json")]);
    let snapshot = sb.path("baselines/main.json");
    let before = std::fs::read(&snapshot).unwrap();
    for _ in 0..3 {
        let mut child = perfgate()
            .current_dir(sb.dir())
            .args(["baseline", "create", "main", "--force"])
            .arg(k6("current-summary.json"))
            .env("PERFGATE_TEST_PAUSE_BEFORE_RENAME_MS", "20000")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // The temporary file appears once it is written and synced; the writer then sleeps.
        let start = std::time::Instant::now();
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
        .args(["analyze", "--baseline", "main"])
        .arg(k6("baseline-summary.json"))
        .assert()
        .success();
    // And the next save goes through.
    sb.create_baseline(&["main", "--force"], &[k6("current-summary.json")]);
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
    sb.create_baseline(&["main", "--force"], &[k6("baseline-summary.json")]);
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
    let err = run_stderr(
        sb.cmd()
            .args(["baseline", "create", "main", "--append", "--keep", "1"])
            .arg(k6("baseline-summary.json")),
        2,
    );
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
        let err = run_stderr(
            sb.cmd()
                .args(["baseline", "create", name])
                .arg(k6("baseline-summary.json")),
            2,
        );
        assert!(err.contains("invalid baseline name"), "{err}");
        assert!(!err.contains('\u{1b}'), "ESC reached the terminal: {err:?}");
        for cmd in ["show", "delete"] {
            sb.cmd().args(["baseline", cmd, name]).assert().code(2);
        }
    }
    assert!(!sb.path("evil").exists() && !sb.path("baselines").exists());
}

/// The snapshot names in `baselines/NAME.history/`.
fn history_files(sb: &Sandbox, name: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(sb.path(&format!("baselines/{name}.history")))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".json"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn appends_in_the_same_second_and_concurrent_appends_all_keep_their_snapshot() {
    let sb = Sandbox::new();
    // The same second for every writer: history names by time alone would collide.
    for _ in 0..3 {
        sb.append_at("main", k6("baseline-summary.json"), 1_700_000_000);
    }
    assert_eq!(history_files(&sb, "main").len(), 3);
    let children: Vec<_> = (0..8)
        .map(|_| {
            let mut c = perfgate();
            c.current_dir(sb.dir())
                .env("SOURCE_DATE_EPOCH", "1700000000")
                .args(["baseline", "create", "main", "--append"])
                .arg(k6("baseline-summary.json"))
                .stdout(Stdio::null())
                .stderr(Stdio::piped());
            c.spawn().unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{out:?}");
    }
    assert_eq!(history_files(&sb, "main").len(), 11, "every append kept");
    assert!(temp_files(&sb.path("baselines/main.history")).is_empty());
    assert_list_clean(&sb, &["main"]);
}

#[test]
fn a_failed_append_leaves_the_store_as_it_was() {
    let sb = Sandbox::new();
    sb.append_at("main", k6("baseline-summary.json"), 1_700_000_000);
    let before = history_files(&sb, "main");
    // The final rename cannot succeed (a directory is in the way): as a full disk would fail it.
    std::fs::remove_file(sb.path("baselines/main.json")).unwrap();
    std::fs::create_dir(sb.path("baselines/main.json")).unwrap();
    std::fs::write(sb.path("baselines/main.json/keep"), "x").unwrap();
    sb.cmd()
        .args(["baseline", "create", "main", "--append"])
        .arg(k6("current-summary.json"))
        .env("SOURCE_DATE_EPOCH", "1700000100")
        .assert()
        .code(2);
    assert_eq!(
        history_files(&sb, "main"),
        before,
        "no history entry without its snapshot"
    );
    assert!(temp_files(&sb.path("baselines")).is_empty());
    assert!(temp_files(&sb.path("baselines/main.history")).is_empty());
}

#[test]
fn delete_prune_and_keep_do_what_they_say() {
    let sb = Sandbox::new();
    for epoch in ["1700000000", "1700000100", "1700000200"] {
        sb.append_at("main", k6("baseline-summary.json"), epoch);
    }
    // Prune of a name that does not exist is an error, not "pruned 0".
    let err = run_stderr(sb.cmd().args(["baseline", "prune", "mian"]), 2);
    assert!(err.contains("no baseline `mian`"), "{err}");
    // --keep 0 keeps none.
    sb.cmd()
        .args(["baseline", "prune", "main", "--keep", "0"])
        .assert()
        .success()
        .stdout("pruned 3 history snapshots of `main`\n");
    assert!(history_files(&sb, "main").is_empty());
    // --append --keep 0 would drop what it appends: refused, nothing written.
    sb.cmd()
        .args(["baseline", "create", "main", "--append", "--keep", "0"])
        .arg(k6("baseline-summary.json"))
        .assert()
        .code(2);
    assert!(history_files(&sb, "main").is_empty());
    // Delete removes the history too.
    sb.create_baseline(&["main", "--append"], &[k6("baseline-summary.json")]);
    sb.cmd()
        .args(["baseline", "delete", "main"])
        .assert()
        .success();
    assert!(!sb.path("baselines/main.history").exists());
    assert!(!sb.path("baselines/main.json").exists());
}

#[test]
fn stale_temp_files_are_cleaned_and_fresh_ones_left() {
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.path("baselines")).unwrap();
    let stale = sb.path("baselines/.perfgate-killed.tmp");
    let fresh = sb.path("baselines/.perfgate-writing.tmp");
    std::fs::write(&stale, "{").unwrap();
    std::fs::write(&fresh, "{").unwrap();
    let two_hours_ago = std::time::SystemTime::now() - Duration::from_secs(7200);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(two_hours_ago)
        .unwrap();
    sb.create_baseline(&["main"], &[k6("baseline-summary.json")]);
    assert!(!stale.exists(), "a killed writer's file is removed");
    assert!(fresh.exists(), "a live writer's file is left alone");
}

#[cfg(unix)]
#[test]
fn snapshots_are_created_with_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::new();
    let status = std::process::Command::new("sh")
        .current_dir(sb.dir())
        .arg("-c")
        .arg(format!(
            "umask 022 && exec '{}' baseline create main --append '{}'",
            env!("CARGO_BIN_EXE_perfgate"),
            k6("baseline-summary.json")
        ))
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&sb.path("baselines/main.json")), 0o644);
    let h = history_files(&sb, "main");
    assert_eq!(
        mode(&sb.path(&format!("baselines/main.history/{}", h[0]))),
        0o644
    );
}

#[test]
fn created_at_is_compared_as_a_time_and_bad_ones_never_become_latest() {
    let sb = Sandbox::new();
    for (name, epoch) in [("a", "1700000000"), ("b", "1700000100")] {
        sb.cmd()
            .env("SOURCE_DATE_EPOCH", epoch)
            .args(["baseline", "create", name, &k6("baseline-summary.json")])
            .assert()
            .success();
    }
    let set = |name: &str, created: &str| {
        let p = sb.path(&format!("baselines/{name}.json"));
        let mut v: serde_json::Value = read_json(&p);
        v["created_at"] = created.into();
        std::fs::write(&p, v.to_string()).unwrap();
    };
    // As strings both sort after "2023-…"; as times one is invalid and one is in the future.
    for (name, created) in [("future", "9999-12-31T00:00:00Z"), ("bad", "yesterday")] {
        sb.create_baseline(&[name], &[k6("baseline-summary.json")]);
        set(name, created);
    }
    // Same second, written without the padding zero: parsed, it is newer than `a`.
    set("b", "2023-11-14T22:15:00+00:00");
    let out = sb.cmd().args(["baseline", "latest"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "b\n");
    let err = String::from_utf8_lossy(&out.stderr);
    let out = sb.cmd().args(["baseline", "list"]).output().unwrap();
    let err = format!("{err}{}", String::from_utf8_lossy(&out.stderr));
    assert!(err.contains("in the future"), "{err}");
    assert!(err.contains("not an RFC 3339 time"), "{err}");
}

#[test]
fn created_at_in_any_offset_is_listed_by_its_instant_and_can_be_latest() {
    let sb = Sandbox::new();
    // As strings `10:04:49+02:00` sorts last; as instants it is 08:04:49Z, the earliest, and
    // `east` at 11:30+03:00 (08:30Z) comes before `utc` at 09:00Z.
    for (name, created) in [
        ("offset", "2026-12-07T10:04:49+02:00"),
        ("utc", "2026-12-07T09:00:00Z"),
        ("east", "2026-12-07T11:30:00+03:00"),
    ] {
        sb.create_baseline(&[name], &[k6("baseline-summary.json")]);
        let p = sb.path(&format!("baselines/{name}.json"));
        let mut v: serde_json::Value = read_json(&p);
        v["created_at"] = created.into();
        std::fs::write(&p, v.to_string()).unwrap();
    }
    let out = sb
        .cmd()
        .args(["baseline", "list", "--output", "json"])
        .output()
        .unwrap();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["offset", "east", "utc"]);
    let latest = |sb: &Sandbox| {
        let out = sb.cmd().args(["baseline", "latest"]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(latest(&sb), "utc\n");
    // An hour later than `utc` as an instant, though its wall-clock text is earlier.
    let p = sb.path("baselines/offset.json");
    let mut v: serde_json::Value = read_json(&p);
    v["created_at"] = "2026-12-07T08:00:00-02:00".into();
    std::fs::write(&p, v.to_string()).unwrap();
    assert_eq!(latest(&sb), "offset\n");
}
