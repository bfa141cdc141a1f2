//! `berth history`: docker's table, its flags and its errors.

use std::sync::OnceLock;

use serde_json::json;

use crate::fixtures::{self, image, registry, Layer, OCI_CONFIG, OCI_MANIFEST};
use crate::util::TestEnv;

const LONG_RUN: &str =
    "/bin/sh -c set -e; echo building a rather long command line that docker cuts";

/// `history:latest`: two layers (3000 bytes, then 2) and four history entries, two of them
/// empty_layer steps. Returns the config digest (the image ID).
fn history_image() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        let reg = registry();
        let one = Layer::new().file("one", &[b'1'; 3000]).tar();
        let two = Layer::new().file("two", b"22").tar();
        let mut descs = Vec::new();
        let mut diff_ids = Vec::new();
        for tar in [&one, &two] {
            let d = fixtures::put_blob(reg, "history", tar);
            descs.push(json!({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": tar.len()}));
            diff_ids.push(d);
        }
        let config = json!({
            "architecture": fixtures::host_arch(), "os": "linux", "created": "2024-01-02T03:04:05Z",
            "config": {"Cmd": ["/bin/sh"]},
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "history": [
                {"created": "2024-01-01T00:00:00Z", "created_by": "/bin/sh -c #(nop) ADD file:one in /"},
                {"created": "2024-01-01T00:00:01Z", "created_by": "/bin/sh -c #(nop)  ENV\tA=1", "empty_layer": true},
                {"created": "2024-01-01T00:00:02Z", "created_by": LONG_RUN},
                {"created": "2024-01-01T00:00:03Z", "created_by": "/bin/sh -c #(nop)  CMD [\"/bin/sh\"]", "empty_layer": true, "comment": "the last step"},
            ],
        });
        let cbytes = serde_json::to_vec(&config).unwrap();
        let cd = fixtures::put_blob(reg, "history", &cbytes);
        let manifest = json!({
            "schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": cd, "size": cbytes.len()},
            "layers": descs,
        });
        fixtures::put_manifest(reg, "history", "latest", OCI_MANIFEST, &manifest);
        cd
    })
}

fn pulled(name: &str) -> (TestEnv, String) {
    let id = history_image().trim_start_matches("sha256:").to_string();
    let env = TestEnv::new(name);
    env.berth(&["pull", "-q", &image("history")])
        .assert_success();
    (env, id)
}

fn columns(line: &str) -> Vec<&str> {
    line.split("   ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

#[test]
fn history_prints_dockers_table_newest_first_with_missing_ids_below_the_top() {
    let (env, id) = pulled("history-table");
    let out = env
        .berth(&["history", &image("history")])
        .assert_success()
        .stdout_str();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.len(),
        5,
        "a header and one row per history entry:\n{out}"
    );
    assert_eq!(
        columns(lines[0]),
        ["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"],
        "{out}"
    );
    assert!(lines[1].starts_with(&format!("{} ", &id[..12])), "{out}");
    assert!(lines[1].contains("CMD [\"/bin/sh\"]") && lines[1].contains("0B"));
    assert!(lines[1].trim_end().ends_with("the last step"), "{out}");
    for l in &lines[2..] {
        assert!(l.starts_with("<missing> "), "{out}");
    }
    assert!(lines[2].contains("2B"), "the RUN layer's size: {out}");
    assert!(
        lines[3].contains("ENV A=1") && lines[3].contains("0B"),
        "tabs become spaces: {out}"
    );
    assert!(
        lines[4].contains("ADD file:one") && lines[4].contains("3kB"),
        "{out}"
    );
    assert!(
        lines[2].contains("years ago") || lines[2].contains("months ago"),
        "{out}"
    );
    env.finish();
}

#[test]
fn history_truncates_created_by_to_45_characters_unless_no_trunc() {
    let (env, id) = pulled("history-trunc");
    let out = env
        .berth(&["history", &image("history")])
        .assert_success()
        .stdout_str();
    let cut: String = LONG_RUN.chars().take(44).collect::<String>() + "…";
    assert!(out.contains(&cut) && !out.contains(LONG_RUN), "{out}");
    let out = env
        .berth(&["history", "--no-trunc", &image("history")])
        .assert_success()
        .stdout_str();
    assert!(out.contains(LONG_RUN), "{out}");
    assert!(
        out.lines()
            .nth(1)
            .unwrap()
            .starts_with(&format!("sha256:{id} ")),
        "{out}"
    );
    env.finish();
}

#[test]
fn history_quiet_prints_one_id_per_row() {
    let (env, id) = pulled("history-quiet");
    let out = env
        .berth(&["history", "-q", &id[..12]])
        .assert_success()
        .stdout_str();
    assert_eq!(
        out,
        format!("{}\n<missing>\n<missing>\n<missing>\n", &id[..12])
    );
    let out = env
        .berth(&["history", "-q", "--no-trunc", &image("history")])
        .assert_success()
        .stdout_str();
    assert_eq!(out.lines().next(), Some(format!("sha256:{id}").as_str()));
    env.finish();
}

#[test]
fn history_human_false_prints_bytes_and_rfc3339_dates() {
    let (env, _) = pulled("history-human");
    let out = env
        .berth(&[
            "history",
            "-H=false",
            "--format",
            "{{.CreatedSince}}|{{.Size}}",
            &image("history"),
        ])
        .assert_success()
        .stdout_str();
    let rows: Vec<(&str, &str)> = out.lines().map(|l| l.split_once('|').unwrap()).collect();
    let sizes: Vec<&str> = rows.iter().map(|r| r.1).collect();
    assert_eq!(sizes, ["0", "2", "0", "3000"], "{out}");
    for (date, _) in &rows {
        let t =
            chrono::DateTime::parse_from_rfc3339(date).unwrap_or_else(|e| panic!("{date}: {e}"));
        assert!(
            t.timestamp() >= 1704067200 && t.timestamp() <= 1704067203,
            "{out}"
        );
    }
    let human = env
        .berth(&[
            "history",
            "--human",
            "--format",
            "{{.Size}}",
            &image("history"),
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(human, "0B\n2B\n0B\n3kB\n");
    env.finish();
}

#[test]
fn history_format_renders_every_field() {
    let (env, id) = pulled("history-format");
    let out = env
        .berth(&[
            "history",
            "--format",
            "{{.ID}}|{{.Tags}}|{{.Comment}}|{{.CreatedAt}}|{{.Created}}",
            &image("history"),
        ])
        .assert_success()
        .stdout_str();
    let top: Vec<&str> = out.lines().next().unwrap().split('|').collect();
    assert_eq!(top[0], &id[..12]);
    assert_eq!(top[1], format!("{}:latest", image("history")));
    assert_eq!(top[2], "the last step");
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(top[3])
            .unwrap()
            .timestamp(),
        1704067203
    );
    assert!(top[4].ends_with(" ago"), "{out}");
    let table = env
        .berth(&[
            "history",
            "--format",
            "table {{.ID}}\t{{.CreatedBy}}",
            &image("history"),
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(
        columns(table.lines().next().unwrap()),
        ["IMAGE", "CREATED BY"]
    );
    let json = env
        .berth(&["history", "--format", "json", &image("history")])
        .assert_success()
        .stdout_str();
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(rows.len(), 4);
    env.finish();
}

#[test]
fn history_row_of_a_single_layer_image_carries_the_whole_image_size() {
    let env = TestEnv::new("history-none");
    env.berth(&["pull", "-q", &image("busybox")])
        .assert_success();
    let out = env
        .berth(&[
            "history",
            "-H=false",
            "--format",
            "{{.Size}}",
            &image("busybox"),
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(out.lines().count(), 1, "{out}");
    let size = env
        .berth(&[
            "image",
            "inspect",
            "--format",
            "{{.Size}}",
            &image("busybox"),
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(out.trim(), size.trim());
    env.finish();
}

#[test]
fn history_of_an_unknown_image_is_one_error_line() {
    let env = TestEnv::new("history-unknown");
    env.berth(&["history", "nosuch:image"])
        .assert_error("nosuch:image: image not known");
    env.berth(&["history"])
        .assert_error("required arguments were not provided");
    env.finish();
}
