//! `berth images`, `image inspect`, `tag` and `rmi`.

use crate::fixtures::{fixtures, image};
use crate::util::TestEnv;

fn with_images(name: &str, images: &[&str]) -> TestEnv {
    let env = TestEnv::new(name);
    for i in images {
        env.berth(&["pull", "-q", &image(i)]).assert_success();
    }
    env
}

fn short(id: &str) -> String {
    id.trim_start_matches("sha256:")[..12].to_string()
}

#[test]
fn images_prints_dockers_table() {
    let env = with_images("images-table", &["busybox", "zstd"]);
    let out = env.berth(&["images"]).assert_success().stdout_str();
    let mut lines = out.lines();
    let header: Vec<&str> = lines
        .next()
        .unwrap()
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        header,
        ["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"],
        "{out}"
    );
    let row = lines
        .find(|l| l.starts_with(&format!("{} ", image("busybox"))))
        .unwrap_or_else(|| panic!("{out}"));
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cols[1], "latest");
    assert_eq!(cols[2], short(&fixtures().busybox.config));
    assert_eq!(out.lines().count(), 3, "{out}");
    let all = env.berth(&["images", "-a"]).assert_success().stdout_str();
    assert_eq!(
        all.lines().count(),
        3,
        "no intermediate images to add: {all}"
    );
    env.finish();
}

#[test]
fn images_quiet_prints_each_short_id_once() {
    let env = with_images("images-quiet", &["busybox", "zstd"]);
    env.berth(&["tag", &image("busybox"), "localhost/again:v1"])
        .assert_success();
    let ids = env.berth(&["images", "-q"]).assert_success().stdout_str();
    let mut lines: Vec<&str> = ids.lines().collect();
    assert_eq!(lines.len(), 2, "one line per image, not per tag: {ids}");
    assert!(
        lines
            .iter()
            .all(|l| l.len() == 12 && l.chars().all(|c| c.is_ascii_hexdigit())),
        "{ids}"
    );
    lines.sort_unstable();
    lines.dedup();
    assert_eq!(lines.len(), 2);
    let full = env
        .berth(&["images", "-q", "--no-trunc"])
        .assert_success()
        .stdout_str();
    assert!(
        full.lines().any(|l| l == fixtures().busybox.config),
        "{full}"
    );
    env.finish();
}

#[test]
fn images_format_template_and_digests() {
    let env = with_images("images-format", &["busybox", "zstd"]);
    let names = env
        .berth(&["images", "--format", "{{.Repository}}:{{.Tag}}"])
        .assert_success()
        .stdout_str();
    let mut names: Vec<&str> = names.lines().collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            format!("{}:latest", image("busybox")),
            format!("{}:latest", image("zstd"))
        ]
    );
    let digests = env
        .berth(&["images", "--digests"])
        .assert_success()
        .stdout_str();
    assert!(
        digests.lines().next().unwrap().contains("DIGEST"),
        "{digests}"
    );
    assert!(digests.contains(&fixtures().busybox.manifest), "{digests}");
    env.finish();
}

#[test]
fn images_filters_by_reference_label_and_dangling() {
    let env = with_images("images-filter", &["busybox", "zstd"]);
    let by_ref = env
        .berth(&[
            "images",
            "--format",
            "{{.Repository}}",
            "--filter",
            "reference=*/zstd",
        ])
        .assert_success();
    assert_eq!(by_ref.stdout_str().trim(), image("zstd"));
    let by_label = env
        .berth(&[
            "images",
            "--format",
            "{{.Repository}}",
            "--filter",
            "label=org.test.image=busybox",
        ])
        .assert_success();
    assert_eq!(by_label.stdout_str().trim(), image("busybox"));
    assert!(env
        .berth(&["images", "-q", "--filter", "dangling=true"])
        .assert_success()
        .stdout_str()
        .is_empty());
    // Moving zstd's only tag to busybox leaves the zstd image without a name.
    env.berth(&["tag", &image("busybox"), &image("zstd")])
        .assert_success();
    let dangling = env
        .berth(&["images", "-q", "--no-trunc", "--filter", "dangling=true"])
        .assert_success();
    let ids: Vec<String> = dangling.stdout_str().lines().map(str::to_owned).collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_ne!(ids[0], fixtures().busybox.config);
    env.berth(&["images", "--filter", "nonsense"])
        .assert_error("invalid filter");
    env.finish();
}

#[test]
fn image_inspect_has_dockers_shape() {
    let env = with_images("inspect-shape", &["busybox"]);
    let f = fixtures();
    let out = env
        .berth(&["image", "inspect", &image("busybox")])
        .assert_success()
        .stdout_str();
    let v: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"));
    assert_eq!(
        v.as_array().map(Vec::len),
        Some(1),
        "an array with one image: {out}"
    );
    let i = &v[0];
    assert_eq!(i["Id"], f.busybox.config);
    assert_eq!(
        i["RepoTags"],
        serde_json::json!([format!("{}:latest", image("busybox"))])
    );
    assert_eq!(
        i["RepoDigests"],
        serde_json::json!([format!("{}@{}", image("busybox"), f.busybox.manifest)])
    );
    let created = chrono::DateTime::parse_from_rfc3339(i["Created"].as_str().unwrap()).unwrap();
    assert_eq!(
        created.timestamp(),
        1_704_164_645,
        "the config's created time, RFC 3339: {}",
        i["Created"]
    );
    assert_eq!(i["Os"], "linux");
    assert_eq!(i["Architecture"], "amd64");
    assert!(
        i["Size"].as_u64().unwrap() > 1_000_000,
        "busybox alone is ~2 MB: {}",
        i["Size"]
    );
    assert_eq!(i["Config"]["Cmd"], serde_json::json!(["/bin/sh"]));
    assert_eq!(i["Config"]["Env"], serde_json::json!(["PATH=/bin"]));
    assert_eq!(i["Config"]["WorkingDir"], "/");
    assert_eq!(i["Config"]["Labels"]["org.test.image"], "busybox");
    assert_eq!(i["RootFS"]["Type"], "layers");
    assert_eq!(i["RootFS"]["Layers"], serde_json::json!(f.busybox.diff_ids));
    let id = env
        .berth(&["inspect", "--format", "{{.Id}}", &image("busybox")])
        .assert_success();
    assert_eq!(id.stdout_str().trim(), f.busybox.config);
    env.finish();
}

#[test]
fn image_inspect_of_an_unknown_image_fails() {
    let env = TestEnv::new("inspect-unknown");
    env.berth(&["image", "inspect", "nope:1"])
        .assert_error("image not known");
    env.finish();
}

#[test]
fn tag_then_rmi_untags_before_deleting() {
    let env = with_images("tag-rmi", &["busybox"]);
    let id = fixtures().busybox.config.clone();
    env.berth(&["tag", &image("busybox"), "localhost/mine:v1"])
        .assert_success();
    let tags = env
        .berth(&["image", "inspect", "--format", "{{json .RepoTags}}", &id])
        .assert_success();
    let tags: Vec<String> = serde_json::from_str(tags.stdout_str().trim()).unwrap();
    assert!(
        tags.contains(&"localhost/mine:v1".to_string()) && tags.len() == 2,
        "{tags:?}"
    );
    env.berth(&["rmi", &short(&id)]).assert_error("must force");
    let out = env.berth(&["rmi", "localhost/mine:v1"]).assert_success();
    assert_eq!(out.stdout_str(), "Untagged: localhost/mine:v1\n");
    env.berth(&["tag", &image("busybox"), "localhost/mine:v2"])
        .assert_success();
    let out = env
        .berth(&["rmi", "-f", &short(&id)])
        .assert_success()
        .stdout_str();
    assert!(
        out.contains("Untagged: localhost/mine:v2")
            && out.contains(&format!("Untagged: {}:latest", image("busybox"))),
        "{out}"
    );
    assert!(out.lines().any(|l| l == format!("Deleted: {id}")), "{out}");
    assert!(env
        .berth(&["images", "-q"])
        .assert_success()
        .stdout_str()
        .is_empty());
    env.berth(&["rmi", "ghost"]).assert_error("image not known");
    env.finish();
}
