//! The per-user namespace holder: rootless containers are cloned in one long-lived user
//! namespace mapped like the user's berth (no newuidmap per start); it is started again when it
//! has gone, and `system migrate` / `system reset` stop it.

use std::path::PathBuf;

use crate::fixtures::image;
use crate::util::{TestEnv, Who};

fn holder_pid(env: &TestEnv) -> Option<i32> {
    let file: PathBuf = env.home(Who::User).runtime.join("berth/userns/holder.pid");
    let text = std::fs::read_to_string(file).ok()?;
    let pid: i32 = text.split_whitespace().next()?.parse().ok()?;
    std::path::Path::new(&format!("/proc/{pid}"))
        .exists()
        .then_some(pid)
}

fn userns_of(pid: i32) -> String {
    std::fs::read_link(format!("/proc/{pid}/ns/user"))
        .unwrap()
        .display()
        .to_string()
}

#[test]
fn rootless_containers_share_the_holders_user_namespace_and_it_comes_back_when_gone() {
    let env = TestEnv::new("userns-holder");
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    let inside = |env: &TestEnv| {
        env.berth(&[
            "run",
            "--rm",
            "--network",
            "none",
            &img,
            "sh",
            "-c",
            "ls -l /proc/self/ns/user | sed 's/.*-> //'; cat /proc/self/uid_map",
        ])
        .assert_success()
        .stdout_str()
    };
    let first = inside(&env);
    let pid = holder_pid(&env).expect("the first container started a holder");
    let ns = userns_of(pid);
    assert!(
        first.starts_with(&ns),
        "container in {first}, holder in {ns}"
    );
    // The user's mapping: 0 is the user, 1.. the subordinate range.
    let acct = env.account(Who::User).unwrap();
    let maps: Vec<Vec<String>> = first
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect();
    assert_eq!(maps[0], ["0", &acct.uid.to_string(), "1"], "{first}");
    assert_eq!(maps.len(), 2, "{first}");
    // A second container joins the same holder.
    let second = inside(&env);
    assert_eq!(holder_pid(&env), Some(pid));
    assert!(second.starts_with(&ns), "{second} vs {ns}");
    // A running container keeps its namespace when the holder is killed; the next start makes
    // a new holder.
    env.berth(&[
        "run",
        "-d",
        "--name",
        "keep",
        "--network",
        "none",
        &img,
        "sleep",
        "300",
    ])
    .assert_success();
    // SAFETY: killing the test user's holder process.
    unsafe { libc::kill(pid, libc::SIGKILL) };
    std::thread::sleep(std::time::Duration::from_millis(200));
    env.berth(&["exec", "keep", "true"]).assert_success();
    let third = inside(&env);
    let pid2 = holder_pid(&env).expect("a new holder");
    assert_ne!(pid2, pid);
    assert!(third.starts_with(&userns_of(pid2)), "{third}");
    env.berth(&["rm", "-f", "keep"]).assert_success();
    // system migrate stops it (podman's command after a change of /etc/subuid).
    env.berth(&["system", "migrate"]).assert_success();
    assert_eq!(holder_pid(&env), None, "migrate stopped the holder");
    inside(&env);
    assert!(holder_pid(&env).is_some());
    env.berth(&["system", "reset", "-f"]).assert_success();
    assert_eq!(holder_pid(&env), None, "reset stopped the holder");
    env.finish();
}
