//! images, inspect, tag, rmi.

use crate::fixtures::{self, image};
use crate::util::TestEnv;

fn pulled(name: &str, images: &[&str]) -> TestEnv {
    let env = TestEnv::new(name);
    for i in images {
        env.berth(&["pull", "-q", &image(i)]).ok();
    }
    env
}

#[test]
fn images_table_quiet_and_format() {
    let env = pulled("images-table", &["busybox", "zstd"]);
    let out = env.berth(&["images"]).ok().stdout();
    let mut lines = out.lines();
    let header = lines.next().unwrap();
    for col in ["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"] {
        assert!(header.contains(col), "{header}");
    }
    assert!(
        out.contains(&image("busybox")) && out.contains("latest"),
        "{out}"
    );
    let ids = env.berth(&["images", "-q"]).ok().stdout();
    assert_eq!(ids.lines().count(), 2);
    assert!(ids.lines().all(|l| l.len() == 12));
    let names = env
        .berth(&["images", "--format", "{{.Repository}}:{{.Tag}}"])
        .ok()
        .stdout();
    assert!(
        names
            .lines()
            .any(|l| l == format!("{}:latest", image("zstd"))),
        "{names}"
    );
    let no_trunc = env.berth(&["images", "-q", "--no-trunc"]).ok().stdout();
    assert!(no_trunc
        .lines()
        .all(|l| l.starts_with("sha256:") && l.len() == 71));
    let digests = env.berth(&["images", "--digests"]).ok().stdout();
    assert!(digests.contains("DIGEST") && digests.contains("sha256:"));
    env.finish();
}

#[test]
fn images_filters_select_rows() {
    let env = pulled("images-filter", &["busybox", "zstd"]);
    let one = env
        .berth(&["images", "-q", "--filter", "reference=*zstd*"])
        .ok()
        .stdout();
    assert_eq!(one.lines().count(), 1);
    let by_label = env
        .berth(&[
            "images",
            "--format",
            "{{.Repository}}",
            "--filter",
            "label=org.test.image=busybox",
        ])
        .ok()
        .stdout();
    assert_eq!(by_label.trim(), image("busybox"));
    env.berth(&["tag", &image("busybox"), &image("zstd")]).ok();
    let dangling = env
        .berth(&["images", "-q", "--filter", "dangling=true"])
        .ok()
        .stdout();
    assert_eq!(
        dangling.lines().count(),
        1,
        "the retagged zstd image is dangling"
    );
    env.berth(&["images", "--filter", "nonsense"])
        .fails(125, "invalid filter");
    env.finish();
}

#[test]
fn inspect_has_docker_shape_and_format() {
    let env = pulled("images-inspect", &["busybox"]);
    let out = env
        .berth(&["image", "inspect", &image("busybox")])
        .ok()
        .stdout();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let i = &v[0];
    assert_eq!(i["Id"], fixtures::get().busybox.config);
    assert_eq!(i["RepoTags"][0], format!("{}:latest", image("busybox")));
    assert_eq!(
        i["RepoDigests"][0],
        format!("{}@{}", image("busybox"), fixtures::get().busybox.manifest)
    );
    assert_eq!(i["Os"], "linux");
    assert_eq!(i["Architecture"], "amd64");
    assert_eq!(i["RootFS"]["Type"], "layers");
    assert_eq!(i["Config"]["Cmd"][0], "/bin/sh");
    assert!(i["Size"].as_u64().unwrap() > 1000);
    let id = env
        .berth(&["inspect", "--format", "{{.Id}}", &image("busybox")])
        .ok()
        .stdout();
    assert_eq!(id.trim(), fixtures::get().busybox.config);
    env.berth(&["image", "inspect", "nope:1"])
        .fails(125, "image not known");
    env.finish();
}

#[test]
fn tag_and_rmi_untag_before_deleting() {
    let env = pulled("images-tag", &["busybox"]);
    env.berth(&["tag", &image("busybox"), "localhost/mine:v1"])
        .ok();
    let id = env
        .berth(&["images", "-q"])
        .ok()
        .stdout()
        .lines()
        .next()
        .unwrap()
        .to_string();
    env.berth(&["rmi", &id]).fails(125, "must force");
    let out = env.berth(&["rmi", "localhost/mine:v1"]).ok().stdout();
    assert_eq!(out.trim(), "Untagged: localhost/mine:v1");
    env.berth(&["tag", &image("busybox"), "localhost/mine:v2"])
        .ok();
    let out = env.berth(&["rmi", "-f", &id]).ok().stdout();
    assert!(out.contains("Deleted: sha256:"), "{out}");
    assert!(env.berth(&["images", "-q"]).ok().stdout().is_empty());
    env.berth(&["rmi", "ghost"]).fails(125, "image not known");
    env.finish();
}
