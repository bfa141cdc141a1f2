//! Bad input that docker and podman refuse is refused: one `Error:` line naming the problem,
//! exit 125, printed before anything is looked up or pulled, and nothing created.

use crate::fixtures::image;
use crate::util::{TestEnv, Who};

#[test]
fn malformed_specs_and_references_fail_first_and_create_nothing() {
    let env = TestEnv::new("bad-specs");
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    let envfile = env.home(Who::User).home.join("env.list");
    env.write_file(Who::User, &envfile, "GOOD=1\n=bad\n");
    let envfile = envfile.to_str().unwrap().to_string();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["-v", ":/data"], "nothing before the ':'"),
        (vec!["-v", ":/data:ro"], "nothing before the ':'"),
        (vec!["-e", "=foo"], "invalid environment variable \"=foo\""),
        (vec!["-e", "A B=1"], "contains whitespace"),
        (vec!["--env-file", &envfile], "env.list:2"),
        (vec!["--label", "=x"], "invalid label"),
        (vec!["--cpus", "-1"], "--cpus"),
        (vec!["--cpu-shares", "-5"], "--cpu-shares"),
    ];
    for verb in ["run", "create"] {
        for (flags, needle) in &cases {
            let mut args = vec![verb, "--rm"];
            if verb == "create" {
                args.pop();
            }
            args.extend(flags.iter().copied());
            args.extend([img.as_str(), "true"]);
            env.berth(&args).assert_error(needle);
        }
    }
    // A malformed reference is refused before any "Unable to find image" or pull.
    for bad in ["UPPER/case", "a::b", "x@sha256:12"] {
        let out = env.berth(&["run", "--rm", bad, "true"]);
        assert!(
            !out.stderr_str().contains("Unable to find"),
            "{}",
            out.stderr_str()
        );
        out.assert_error("invalid reference format");
    }
    let ps = env.berth(&["ps", "-aq"]).assert_success().stdout_str();
    assert_eq!(ps.trim(), "", "no container was created");
    let vols = env
        .berth(&["volume", "ls", "-q"])
        .assert_success()
        .stdout_str();
    assert_eq!(vols.trim(), "", "no anonymous volume was created");
    // A valid negative value is a value, not an unknown flag: docker's `ps -n -1` (all).
    env.berth(&["ps", "-n", "-1"]).assert_success();
    env.finish();
}

#[test]
fn a_format_naming_a_field_that_does_not_exist_fails_as_docker_does() {
    let env = TestEnv::new("bad-format");
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    env.berth(&["create", "--name", "c", "-l", "k=v", &img, "true"])
        .assert_success();
    env.berth(&["volume", "create", "vol"]).assert_success();
    for args in [
        vec!["ps", "-a", "--format", "{{.Nope}}"],
        vec!["images", "--format", "{{.Nope}}"],
        vec!["inspect", "-f", "{{.State.Nope}}", "c"],
        vec!["inspect", "-f", "{{.Nope}}", "c"],
        vec!["image", "inspect", "-f", "{{.Config.Nope}}", &img],
        vec!["volume", "ls", "--format", "{{.Nope}}"],
        vec!["network", "ls", "--format", "{{.Nope}}"],
        vec!["volume", "inspect", "-f", "{{.Nope}}", "vol"],
    ] {
        env.berth(&args).assert_error("can't evaluate field Nope");
    }
    // Absent keys of maps stay `<no value>`, as in Go.
    let out = env
        .berth(&[
            "inspect",
            "-f",
            "{{.Config.Labels.absent}}|{{.Config.Labels.k}}",
            "c",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(out.trim(), "<no value>|v");
    env.finish();
}
