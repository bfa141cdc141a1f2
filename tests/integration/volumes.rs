//! `berth volume …` and volumes, bind mounts and tmpfs mounts in `run`, rootless.

use crate::util::TestEnv;

#[test]
fn volume_create_ls_inspect_rm_round_trip_with_filters() {
    let env = TestEnv::new("vol-crud");
    env.berth(&["volume", "create", "--label", "team=a", "my_volume"])
        .assert_success()
        .assert_stdout_contains("my_volume");
    // Creating an existing name succeeds and changes nothing.
    env.berth(&["volume", "create", "my_volume"])
        .assert_success();
    env.berth(&["volume", "create", "other"]).assert_success();
    let table = env.berth(&["volume", "ls"]).assert_success().stdout_str();
    assert_eq!(
        table.lines().collect::<Vec<_>>(),
        [
            "DRIVER    VOLUME NAME",
            "local     my_volume",
            "local     other"
        ],
        "{table}"
    );
    let labelled = env
        .berth(&["volume", "ls", "-q", "--filter", "label=team=a"])
        .assert_success()
        .stdout_str();
    assert_eq!(labelled, "my_volume\n");
    let named = env
        .berth(&[
            "volume",
            "ls",
            "--filter",
            "name=oth",
            "--format",
            "{{.Name}} {{.Driver}}",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(named, "other local\n");
    let mountpoint = env
        .berth(&[
            "volume",
            "inspect",
            "--format",
            "{{.Mountpoint}} {{.Labels.team}}",
            "my_volume",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(
        mountpoint,
        format!(
            "{} a\n",
            env.store().join("volumes/my_volume/_data").display()
        )
    );
    assert_eq!(env.berth(&["volume", "exists", "my_volume"]).code(), 0);
    env.berth(&["volume", "rm", "my_volume"]).assert_success();
    assert_eq!(env.berth(&["volume", "exists", "my_volume"]).code(), 1);
    env.berth(&["volume", "rm", "my_volume"])
        .assert_error("no such volume");
    env.berth(&["volume", "prune", "-f"])
        .assert_success()
        .assert_stdout_contains("other");
    assert_eq!(
        env.berth(&["volume", "ls", "-q"])
            .assert_success()
            .stdout_str(),
        ""
    );
    env.finish();
}

#[test]
fn volume_create_rejects_bad_names_options_and_drivers() {
    let env = TestEnv::new("vol-bad");
    env.berth(&["volume", "create", "../escape"])
        .assert_error("not a valid volume name");
    env.berth(&["volume", "create", "--opt", "colour=blue", "v1"])
        .assert_error("invalid volume option");
    env.berth(&["volume", "create", "--driver", "nfs", "v1"])
        .assert_error("--driver local");
    env.berth(&["volume", "ls", "--filter", "colour=blue"])
        .assert_error("invalid filter");
    assert_eq!(
        env.berth(&["volume", "ls", "-q"])
            .assert_success()
            .stdout_str(),
        ""
    );
    env.finish();
}
