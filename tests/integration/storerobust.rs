//! The store when things go wrong (issue 15, items 10-12): a full disk, a damaged record, and
//! what killed commands leave behind.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::fixtures::{fixtures, image};
use crate::util::{entries, Output, TestEnv, Who};

fn pulled(env: &TestEnv) -> String {
    fixtures();
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    img
}

/// A shell command run as the test user (for files a user would have made in its own store).
fn as_user(env: &TestEnv, script: &str) -> Output {
    let cmd = env.command(Who::User, "/bin/sh", &["-c", script]);
    env.output_of(script, cmd)
}

fn id_of(env: &TestEnv, name: &str) -> String {
    env.berth(&["inspect", "--format", "{{.Id}}", name])
        .assert_success()
        .stdout_str()
        .trim()
        .to_string()
}

/// The test user's store on a 64 MB tmpfs of its own, unmounted when dropped.
struct SmallStore(PathBuf);

impl SmallStore {
    fn mount(env: &TestEnv) -> SmallStore {
        let store = env.store();
        fs::create_dir_all(&store).unwrap();
        let a = env.account(Who::User).unwrap();
        let opts = format!("size=64m,mode=0700,uid={},gid={}", a.uid, a.gid);
        rustix::mount::mount(
            "tmpfs",
            &store,
            "tmpfs",
            rustix::mount::MountFlags::empty(),
            opts.as_str(),
        )
        .unwrap_or_else(|e| panic!("mounting a tmpfs at {}: {e}", store.display()));
        SmallStore(store)
    }

    /// Fill what is left of the filesystem, as something other than berth would.
    fn fill(&self, name: &str) {
        let path = self.0.join(name);
        let _ = std::process::Command::new("dd")
            .args([
                "if=/dev/zero",
                &format!("of={}", path.display()),
                "bs=1M",
                "count=100",
            ])
            .stderr(std::process::Stdio::null())
            .status();
        let _ = fs::set_permissions(&path, fs::Permissions::from_mode(0o644));
    }
}

impl Drop for SmallStore {
    fn drop(&mut self) {
        let _ = rustix::mount::unmount(&self.0, rustix::mount::UnmountFlags::DETACH);
    }
}

/// A container that fills the disk and exits 0.
fn run_filler(env: &TestEnv, img: &str, name: &str) {
    let out = env.berth(&[
        "run",
        "--name",
        name,
        "--network",
        "none",
        img,
        "sh",
        "-c",
        "dd if=/dev/zero of=/fill bs=1M count=200 2>/dev/null; exit 0",
    ]);
    assert_eq!(out.code(), 0, "{}", out.stderr_str());
}

fn assert_one_line_no_space(out: Output) {
    let err = out.stderr_str();
    assert_ne!(out.code(), 0, "succeeded on a full disk");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(
        err.to_lowercase().contains("no space left on device"),
        "{err}"
    );
    assert!(
        err.contains("berth system prune"),
        "says what to remove: {err}"
    );
}

/// Item 10: reading never writes, so it works on a full disk; the exit code is recorded even
/// then; removals free the space they need; a write that cannot be done says what to remove.
#[test]
fn a_full_disk_leaves_reads_and_removals_working() {
    let env = TestEnv::new("store-full");
    let small = SmallStore::mount(&env);
    let img = pulled(&env);

    run_filler(&env, &img, "filler1");
    small.fill("hog1");
    let ps = env
        .berth(&["ps", "-a", "--format", "{{.Names}} {{.Status}}"])
        .assert_success()
        .stdout_str();
    assert!(ps.contains("filler1 Exited (0)"), "{ps}");
    env.berth(&["system", "df"]).assert_success();
    env.berth(&["inspect", "filler1"]).assert_success();
    env.berth(&["ps", "-a"]).assert_success();
    assert_one_line_no_space(env.berth(&["create", "--network", "none", &img, "true"]));
    env.berth(&["rm", "-f", "filler1"]).assert_success();
    let ps = env.berth(&["ps", "-aq"]).assert_success().stdout_str();
    assert!(ps.trim().is_empty(), "{ps}");

    // The reserve already gone when the container fills the disk: its exit code is still kept.
    env.berth(&[
        "run",
        "-d",
        "--name",
        "filler2",
        "--network",
        "none",
        &img,
        "sh",
        "-c",
        "sleep 1; dd if=/dev/zero of=/fill bs=1M count=200 2>/dev/null; exit 0",
    ])
    .assert_success();
    let _ = fs::remove_file(small.0.join("reserve"));
    std::thread::sleep(Duration::from_secs(3));
    small.fill("hog2");
    let ps = env
        .berth(&["ps", "-a", "--format", "{{.Names}} {{.Status}}"])
        .assert_success()
        .stdout_str();
    assert!(ps.contains("filler2 Exited (0)"), "{ps}");
    let note = env
        .user
        .runtime
        .join("berth/exits")
        .join(id_of(&env, "filler2"));
    assert!(
        note.is_file(),
        "the monitor noted the exit in the runtime dir"
    );
    env.berth(&["container", "prune", "-f"]).assert_success();
    assert!(!env
        .berth(&["ps", "-a"])
        .assert_success()
        .stdout_str()
        .contains("filler2"));

    run_filler(&env, &img, "filler3");
    small.fill("hog3");
    env.berth(&["system", "prune", "-f"]).assert_success();
    assert!(!env
        .berth(&["ps", "-a"])
        .assert_success()
        .stdout_str()
        .contains("filler3"));

    run_filler(&env, &img, "filler4");
    small.fill("hog4");
    env.berth(&["system", "reset", "-f"]).assert_success();
    drop(small);
    env.finish();
}

/// Item 11: a damaged state.json, a damaged entry of containers.json: only that container is
/// affected, it is listed as damaged, messages name the file and a fix that works, and
/// `rm -f` removes it (killing its process only when verified).
#[test]
fn a_damaged_record_affects_only_its_own_container() {
    let env = TestEnv::new("store-damaged");
    let img = pulled(&env);
    env.berth(&[
        "run",
        "-d",
        "--name",
        "good",
        "--network",
        "none",
        &img,
        "sleep",
        "60",
    ])
    .assert_success();
    env.berth(&[
        "run",
        "-d",
        "--name",
        "victim",
        "--network",
        "none",
        &img,
        "sleep",
        "60",
    ])
    .assert_success();
    env.berth(&["create", "--name", "bad", "--network", "none", &img, "true"])
        .assert_success();
    env.berth(&[
        "create",
        "--name",
        "badrec",
        "--network",
        "none",
        &img,
        "true",
    ])
    .assert_success();
    let store = env.store();
    let (bad, victim, badrec) = (
        id_of(&env, "bad"),
        id_of(&env, "victim"),
        id_of(&env, "badrec"),
    );

    // Garbage, and a state.json cut short (as a crash of a filesystem without data ordering
    // leaves it) whose process is still running.
    let state = |id: &str| store.join("containers").join(id).join("state.json");
    as_user(
        &env,
        &format!("echo 'garbage{{' > {}", state(&bad).display()),
    )
    .assert_success();
    let text = fs::read_to_string(state(&victim)).unwrap();
    let cut = &text[..text.find("\"started_at\"").expect("state names started_at")];
    as_user(
        &env,
        &format!("printf '%s' '{cut}' > {}", state(&victim).display()),
    )
    .assert_success();
    // One record in containers.json that does not parse.
    let db_path = store.join("containers.json");
    let mut db: serde_json::Value = serde_json::from_slice(&fs::read(&db_path).unwrap()).unwrap();
    for c in db["containers"].as_array_mut().unwrap() {
        if c["id"] == badrec.as_str() {
            c["config"] = serde_json::json!("not a config");
        }
    }
    let db_text = serde_json::to_string(&db).unwrap();
    let tmp = env.user.home.join("containers.json");
    fs::write(&tmp, &db_text).unwrap();
    as_user(
        &env,
        &format!("cat {} > {}", tmp.display(), db_path.display()),
    )
    .assert_success();

    let ps = env
        .berth(&["ps", "-a", "--format", "{{.Names}} {{.Status}}"])
        .assert_success()
        .stdout_str();
    assert!(ps.contains("good Up"), "{ps}");
    assert!(ps.contains("bad Damaged (state.json:"), "{ps}");
    assert!(ps.contains("victim Damaged (state.json:"), "{ps}");
    assert!(ps.contains("badrec Damaged (containers.json:"), "{ps}");
    env.berth(&["system", "df"]).assert_success();
    for name in ["bad", "badrec", "victim"] {
        env.berth(&["inspect", name]).assert_success();
    }
    env.berth(&["stop", "-t", "1", "good"]).assert_success();
    env.berth(&["start", "good"]).assert_success();
    let err = env
        .berth(&["start", "bad"])
        .assert_error("state.json")
        .stderr_str();
    assert!(err.contains("berth rm -f bad"), "a fix that works: {err}");
    assert!(!err.contains("berth pull"), "{err}");

    // rm -f of the damaged running one kills its (verified) process.
    let pid: i32 = {
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["pid"].as_i64().unwrap() as i32
    };
    assert!(Path::new(&format!("/proc/{pid}")).exists());
    env.berth(&["rm", "-f", "victim"]).assert_success();
    env.berth(&["rm", "-f", "bad"]).assert_success();
    env.berth(&["rm", "-f", "badrec"]).assert_success();
    std::thread::sleep(Duration::from_millis(200));
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    assert!(
        stat.is_empty() || stat.contains(") Z "),
        "the damaged container's process outlived it: {stat}"
    );
    let ps = env
        .berth(&["ps", "-a", "--format", "{{.Names}}"])
        .assert_success()
        .stdout_str();
    assert_eq!(ps.trim(), "good");
    for id in [&bad, &victim, &badrec] {
        assert!(
            !store.join("containers").join(id).exists(),
            "{id} left its directory"
        );
    }
    env.berth(&["rm", "-f", "good"]).assert_success();

    // A containers.json that is not JSON at all: the message names it and a fix that works.
    as_user(&env, &format!("echo '{{{{' > {}", db_path.display())).assert_success();
    let err = env
        .berth(&["ps", "-a"])
        .assert_error("containers.json")
        .stderr_str();
    assert!(
        !err.contains("image database") && !err.contains("berth pull"),
        "{err}"
    );
    assert!(err.contains("container prune"), "{err}");
    as_user(&env, &format!("mv {p} {p}.damaged", p = db_path.display())).assert_success();
    env.berth(&["container", "prune", "-f"]).assert_success();
    env.berth(&["ps", "-a"]).assert_success();
    env.finish();
}

/// Item 11 for volumes: a damaged volume.json affects only its own volume; `volume ls` lists
/// it and says so, and `volume rm` removes it.
#[test]
fn a_damaged_volume_record_affects_only_its_own_volume() {
    let env = TestEnv::new("store-damaged-volume");
    for v in ["keep", "broken"] {
        env.berth(&["volume", "create", v]).assert_success();
    }
    let json = env.store().join("volumes/broken/volume.json");
    as_user(&env, &format!("echo '{{\"name\": ' > {}", json.display())).assert_success();
    let ls = env
        .berth(&["volume", "ls", "--format", "{{.Name}}"])
        .assert_success();
    assert_eq!(ls.stdout_str(), "broken\nkeep\n");
    let warning = ls.stderr_str();
    assert!(warning.contains(&json.display().to_string()), "{warning}");
    assert!(warning.contains("berth volume rm broken"), "{warning}");
    env.berth(&["volume", "inspect", "keep"]).assert_success();
    env.berth(&["volume", "inspect", "broken"])
        .assert_error("volume.json");
    env.berth(&["volume", "rm", "broken"]).assert_success();
    let ls = env.berth(&["volume", "ls", "-q"]).assert_success();
    assert_eq!(ls.stdout_str(), "keep\n");
    assert!(ls.stderr_str().is_empty(), "{}", ls.stderr_str());
    env.finish();
}

/// Item 11 for networks: a damaged network record affects only its own network; containers
/// still run on the others, `network ls` lists it and says so, and `network rm` removes it.
#[test]
fn a_damaged_network_record_affects_only_its_own_network() {
    let env = TestEnv::new("store-damaged-network");
    let img = pulled(&env);
    for n in ["fine", "broken"] {
        env.berth(&["network", "create", n]).assert_success();
    }
    let json = env.store().join("networks/broken.json");
    as_user(&env, &format!("echo '{{\"name\": ' > {}", json.display())).assert_success();
    let ls = env
        .berth(&["network", "ls", "--format", "{{.Name}}"])
        .assert_success();
    assert!(ls.stdout_str().contains("broken\n"), "{}", ls.stdout_str());
    assert!(ls.stdout_str().contains("fine\n"), "{}", ls.stdout_str());
    let warning = ls.stderr_str();
    assert!(warning.contains(&json.display().to_string()), "{warning}");
    assert!(warning.contains("berth network rm broken"), "{warning}");
    env.berth(&["run", "--rm", "--network", "fine", &img, "true"])
        .assert_success();
    env.berth(&["network", "inspect", "broken"])
        .assert_error("broken.json");
    env.berth(&["network", "rm", "broken"]).assert_success();
    assert!(!json.exists());
    let ls = env.berth(&["network", "ls"]).assert_success();
    assert!(ls.stderr_str().is_empty(), "{}", ls.stderr_str());
    env.berth(&["network", "rm", "fine"]).assert_success();
    env.finish();
}

fn container_locks(store: &Path) -> Vec<String> {
    entries(&store.join("locks"))
        .into_iter()
        .filter(|n| n.starts_with("container-") || n.starts_with("lifecycle-"))
        .collect()
}

/// Item 12: every directory and container lock file in the store belongs to a record or is
/// collected by the next prune; a container whose create was cut short is completed at start.
#[test]
fn leftovers_of_killed_commands_are_collected_or_completed() {
    let env = TestEnv::new("store-leftovers");
    let img = pulled(&env);
    let store = env.store();

    // Removal takes the container's lock files with it.
    env.berth(&["run", "--name", "once", "--network", "none", &img, "true"])
        .assert_success();
    env.berth(&["rm", "once"]).assert_success();
    assert_eq!(container_locks(&store), Vec::<String>::new());

    // A create cut short after the record: userdata/ incomplete.
    env.berth(&[
        "create",
        "--name",
        "half",
        "--network",
        "none",
        &img,
        "cat",
        "/etc/resolv.conf",
        "/etc/hostname",
    ])
    .assert_success();
    let half = id_of(&env, "half");
    let ud = store.join("containers").join(&half).join("userdata");
    as_user(
        &env,
        &format!(
            "rm -f {d}/resolv.conf {d}/hosts {d}/.complete",
            d = ud.display()
        ),
    )
    .assert_success();
    let out = env.berth(&["start", "-a", "half"]).assert_success();
    assert!(
        out.stdout_str().contains(&half[..12]),
        "{}",
        out.stdout_str()
    );
    env.berth(&["rm", "half"]).assert_success();

    // What a run killed in its first milliseconds leaves, and stale lock files.
    let orphan = "ab".repeat(32);
    let gone = "cd".repeat(32);
    as_user(
        &env,
        &format!(
            "mkdir -p {c}/{orphan}/upper {c}/{orphan}/work {c}/{orphan}/merged && touch {l}/container-{gone}.lock {l}/lifecycle-{gone}.lock",
            c = store.join("containers").display(),
            l = store.join("locks").display()
        ),
    )
    .assert_success();
    // And runs really killed at random early moments.
    for i in 0..8u64 {
        let name = format!("k{i}");
        let mut child = env.spawn(&["run", "--name", &name, "--network", "none", &img, "true"]);
        std::thread::sleep(Duration::from_millis(3 + i * 4));
        let _ = child.kill();
        let _ = child.wait();
    }
    // Monitors of the runs that got that far finish on their own.
    std::thread::sleep(Duration::from_secs(1));
    env.berth(&["container", "prune", "-f"]).assert_success();
    let ps = env.berth(&["ps", "-aq"]).assert_success().stdout_str();
    assert!(ps.trim().is_empty(), "{ps}");
    assert_eq!(entries(&store.join("containers")), Vec::<String>::new());
    assert_eq!(container_locks(&store), Vec::<String>::new());
    // The image's layers go with it, and so do their lock files.
    env.berth(&["rmi", &img]).assert_success();
    let layer_locks: Vec<String> = entries(&store.join("locks"))
        .into_iter()
        .filter(|n| n.starts_with("layer-") || n.starts_with("unpack-"))
        .collect();
    assert_eq!(layer_locks, Vec::<String>::new());
    env.finish();
}

/// Item 10's class directly: `ps`, `inspect` and `system df` of a container whose monitor was
/// killed (its state still says running) show it exited without rewriting anything.
#[test]
fn reading_a_dead_containers_state_does_not_rewrite_it() {
    use std::os::unix::fs::MetadataExt;
    let env = TestEnv::new("store-readonly");
    let img = pulled(&env);
    env.berth(&[
        "run",
        "-d",
        "--name",
        "dead",
        "--network",
        "none",
        &img,
        "sleep",
        "60",
    ])
    .assert_success();
    let id = id_of(&env, "dead");
    let state_path = env.store().join("containers").join(&id).join("state.json");
    let state: serde_json::Value = serde_json::from_slice(&fs::read(&state_path).unwrap()).unwrap();
    for key in ["monitor_pid", "pid"] {
        let pid = state[key].as_i64().unwrap() as i32;
        let _ = rustix::process::kill_process(
            rustix::process::Pid::from_raw(pid).unwrap(),
            rustix::process::Signal::Kill,
        );
    }
    std::thread::sleep(Duration::from_millis(300));
    let before = fs::metadata(&state_path).unwrap();
    let ps = env
        .berth(&["ps", "-a", "--format", "{{.Names}} {{.Status}}"])
        .assert_success()
        .stdout_str();
    assert!(ps.contains("dead Exited (255)"), "{ps}");
    env.berth(&["inspect", "dead"]).assert_success();
    env.berth(&["system", "df"]).assert_success();
    env.berth(&["container", "ls", "-a"]).assert_success();
    let after = fs::metadata(&state_path).unwrap();
    assert_eq!(
        (before.ino(), before.mtime(), before.mtime_nsec()),
        (after.ino(), after.mtime(), after.mtime_nsec()),
        "a read rewrote state.json"
    );
    env.berth(&["rm", "dead"]).assert_success();
    env.finish();
}
