//! A container's lifecycle transitions are serialized: `rm -f` racing a starting `run -d`
//! either finds nothing yet (and the container runs), or removes it and everything berth
//! started for it. No process berth started outlives its record.

use std::time::Duration;

use crate::fixtures::image;
use crate::util::TestEnv;

#[test]
fn rm_force_racing_a_starting_run_leaves_no_process_without_a_record() {
    let env = TestEnv::new("rm-race");
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    let mut removed = 0;
    for i in 0..80u64 {
        let name = format!("r{i}");
        let run = env.spawn(&[
            "run",
            "-d",
            "--network",
            "none",
            "--name",
            &name,
            &img,
            "sleep",
            "1000",
        ]);
        // Spread rm over the whole start (a few ms up to past its end).
        std::thread::sleep(Duration::from_micros((i * 1700) % 30_000));
        let rm = env.berth(&["rm", "-f", &name]);
        let rm_err = rm.stderr_str();
        let out = run.wait_with_output().unwrap();
        let run_err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            !run_err.contains("state.json") && !run_err.contains("No such file"),
            "run lost the race with a raw error: {run_err}"
        );
        if rm.success() {
            removed += 1;
            let exists = env.berth(&["container", "exists", &name]);
            assert_eq!(exists.code(), 1, "{name} removed but still listed");
        } else {
            // rm came before the record: the run then made a container, which runs.
            rm.assert_error("no container with name or ID");
            env.berth(&["rm", "-f", &name]).assert_success();
        }
        let left = env.processes();
        let what: Vec<String> = left
            .iter()
            .map(|p| {
                let cmd = std::fs::read(format!("/proc/{p}/cmdline")).unwrap_or_default();
                String::from_utf8_lossy(&cmd).replace('\0', " ")
            })
            .collect();
        assert!(
            left.is_empty(),
            "after {name}: processes left: {left:?} {what:?}\nrun: {run_err}\nrm: {}",
            rm_err
        );
    }
    assert!(removed > 0, "rm -f never won a race");
    let all = env.berth(&["ps", "-aq"]).assert_success().stdout_str();
    assert_eq!(all.trim(), "", "no container left");
    env.finish();
}
