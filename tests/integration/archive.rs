//! `berth save`, `load` and `import`.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde_json::{json, Value};

use crate::fixtures::{digest, fixtures, image, Layer};
use crate::util::{berth_bin, entries, podman, podman_runroot, TestEnv, Who};

fn pulled(name: &str, images: &[&str]) -> TestEnv {
    let env = TestEnv::new(name);
    for i in images {
        env.berth(&["pull", "-q", &image(i)]).assert_success();
    }
    env
}

/// A path in the test user's home (berth runs as that user and writes there).
fn user_path(env: &TestEnv, name: &str) -> PathBuf {
    env.user.home.join(name)
}

/// A file the test user can read, written by the test (root).
fn readable_file(env: &TestEnv, name: &str, data: &[u8]) -> PathBuf {
    let p = env.dir.join(name);
    fs::write(&p, data).unwrap();
    fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
    p
}

fn inspect(env: &TestEnv, who: Who, name: &str) -> Value {
    let out = env
        .berth_as(who, &["image", "inspect", name])
        .assert_success()
        .stdout_str();
    let v: Value = serde_json::from_str(&out).unwrap();
    v[0].clone()
}

fn ids(env: &TestEnv) -> Vec<String> {
    let out = env
        .berth(&["images", "-q", "--no-trunc"])
        .assert_success()
        .stdout_str();
    let mut v: Vec<String> = out.lines().map(String::from).collect();
    v.sort();
    v
}

/// berth as the test user with `file` as its standard input.
fn berth_with_stdin(env: &TestEnv, args: &[&str], file: &Path) -> std::process::Output {
    env.command(Who::User, berth_bin(), args)
        .stdin(Stdio::from(fs::File::open(file).unwrap()))
        .output()
        .unwrap()
}

fn tar_of(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, name, &data[..]).unwrap();
    }
    b.into_inner().unwrap()
}

#[test]
fn save_rmi_load_restores_tags_id_and_layer_contents() {
    let env = pulled("archive-roundtrip", &["layered"]);
    let name = image("layered");
    let before = inspect(&env, Who::User, &name);
    let archive = user_path(&env, "layered.tar");
    env.berth(&["save", "-o", archive.to_str().unwrap(), &name])
        .assert_success();
    env.berth(&["rmi", &name]).assert_success();
    assert!(ids(&env).is_empty());
    env.berth(&["load", "-i", archive.to_str().unwrap()])
        .assert_success()
        .assert_stdout_contains(&format!("Loaded image: {name}:latest"));
    let after = inspect(&env, Who::User, &name);
    assert_eq!(after["Id"], before["Id"], "same image ID");
    assert_eq!(after["RootFS"], before["RootFS"]);
    assert_eq!(after["RepoTags"], json!([format!("{name}:latest")]));
    let upper = after["GraphDriver"]["Data"]["UpperDir"].as_str().unwrap();
    assert_eq!(
        fs::read(Path::new(upper).join("etc/motd")).unwrap(),
        b"hello from layered\n"
    );
    // The docker-archive layout: manifest.json, the config under its digest, plain layer tars.
    let mut a = tar::Archive::new(fs::File::open(&archive).unwrap());
    let names: Vec<String> = a
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().display().to_string())
        .collect();
    let id = before["Id"].as_str().unwrap().trim_start_matches("sha256:");
    assert!(names.contains(&"manifest.json".to_string()), "{names:?}");
    assert!(names.contains(&format!("{id}.json")), "{names:?}");
    for d in &fixtures().layered.diff_ids {
        let hex = d.trim_start_matches("sha256:");
        assert!(names.contains(&format!("{hex}.tar")), "{names:?}");
    }
    // The loaded image can be saved again: its blobs are all in the store.
    env.berth(&[
        "save",
        "-o",
        user_path(&env, "again.tar").to_str().unwrap(),
        &name,
    ])
    .assert_success();
    env.finish();
}

#[test]
fn save_puts_several_images_in_one_archive() {
    let env = pulled("archive-multi", &["busybox", "zstd"]);
    let archive = user_path(&env, "two.tar");
    let (a, b) = (image("busybox"), image("zstd"));
    let before = ids(&env);
    env.berth(&["save", "-o", archive.to_str().unwrap(), &a, &b])
        .assert_success();
    env.berth(&["rmi", &a, &b]).assert_success();
    let out = env
        .berth(&["load", "-i", archive.to_str().unwrap()])
        .assert_success()
        .stdout_str();
    assert!(out.contains(&format!("Loaded image: {a}:latest")), "{out}");
    assert!(out.contains(&format!("Loaded image: {b}:latest")), "{out}");
    assert_eq!(ids(&env), before);
    env.finish();
}

#[test]
fn oci_archive_round_trip_keeps_the_manifest_digest() {
    let env = pulled("archive-oci", &["layered"]);
    let name = image("layered");
    let archive = user_path(&env, "layered-oci.tar");
    env.berth(&[
        "save",
        "--format",
        "oci-archive",
        "-o",
        archive.to_str().unwrap(),
        &name,
    ])
    .assert_success();
    let mut a = tar::Archive::new(fs::File::open(&archive).unwrap());
    let names: Vec<String> = a
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().display().to_string())
        .collect();
    assert!(names.contains(&"oci-layout".to_string()), "{names:?}");
    assert!(names.contains(&"index.json".to_string()), "{names:?}");
    let m = fixtures().layered.manifest.trim_start_matches("sha256:");
    assert!(names.contains(&format!("blobs/sha256/{m}")), "{names:?}");
    env.berth(&["rmi", &name]).assert_success();
    env.berth(&["load", "-i", archive.to_str().unwrap()])
        .assert_success()
        .assert_stdout_contains(&format!("Loaded image: {name}:latest"));
    let after = inspect(&env, Who::User, &name);
    assert_eq!(
        after["Id"].as_str().unwrap(),
        format!("sha256:{}", fixtures().layered.config).replace("sha256:sha256:", "sha256:")
    );
    assert_eq!(
        after["Digest"].as_str().unwrap(),
        fixtures().layered.manifest
    );
    env.finish();
}

#[test]
fn gzip_compressed_archive_loads_from_stdin() {
    let env = pulled("archive-gzip", &["busybox"]);
    let name = image("busybox");
    let archive = user_path(&env, "bb.tar");
    env.berth(&["save", "-o", archive.to_str().unwrap(), &name])
        .assert_success();
    env.berth(&["rmi", &name]).assert_success();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&fs::read(&archive).unwrap()).unwrap();
    let gzipped = readable_file(&env, "bb.tar.gz", &gz.finish().unwrap());
    let out = berth_with_stdin(&env, &["load"], &gzipped);
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("Loaded image: {name}:latest")),
        "{out:?}"
    );
    assert_eq!(ids(&env).len(), 1);
    env.finish();
}

#[test]
fn save_refuses_to_write_an_archive_to_nowhere_useful() {
    let env = pulled("archive-save-errors", &["busybox"]);
    env.berth(&[
        "save",
        "--format",
        "tgz",
        "-o",
        "/dev/null",
        &image("busybox"),
    ])
    .assert_error("use docker-archive or oci-archive");
    let out = user_path(&env, "missing.tar");
    env.berth(&["save", "-o", out.to_str().unwrap(), "no-such-image"])
        .assert_error("image not known");
    assert!(!out.exists(), "a failed save leaves no file");
    assert_eq!(
        entries(&env.user.home)
            .iter()
            .filter(|n| n.contains("missing"))
            .count(),
        0
    );
    env.finish();
}

#[test]
fn archives_saved_by_podman_load_in_berth_and_run() {
    let env = TestEnv::new("archive-from-podman");
    let run = podman_runroot();
    let name = image("layered");
    podman(&env, &run, &["pull", "-q", "--tls-verify=false", &name]);
    for format in ["docker-archive", "oci-archive"] {
        let file = env.dir.join(format!("podman-{format}.tar"));
        podman(
            &env,
            &run,
            &[
                "save",
                "--format",
                format,
                "-o",
                file.to_str().unwrap(),
                &name,
            ],
        );
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        env.berth(&["load", "-i", file.to_str().unwrap()])
            .assert_success()
            .assert_stdout_contains("Loaded image");
        let got = inspect(&env, Who::User, &name);
        assert_eq!(
            got["Id"].as_str().unwrap(),
            format!(
                "sha256:{}",
                fixtures().layered.config.trim_start_matches("sha256:")
            ),
            "{format}"
        );
        assert_eq!(
            got["RepoTags"],
            json!([format!("{name}:latest")]),
            "{format}"
        );
        // ... and runs.
        let motd = env
            .berth(&["run", "--rm", &name, "cat", "/etc/motd"])
            .assert_success()
            .stdout_str();
        assert_eq!(motd, "hello from layered\n", "{format}");
        env.berth(&["rmi", &name]).assert_success();
    }
    env.finish();
}

#[test]
fn archives_saved_by_berth_load_in_podman() {
    let env = pulled("archive-to-podman", &["layered"]);
    let run = podman_runroot();
    let name = image("layered");
    let want_id = fixtures()
        .layered
        .config
        .trim_start_matches("sha256:")
        .to_string();
    for format in ["docker-archive", "oci-archive"] {
        let file = user_path(&env, &format!("berth-{format}.tar"));
        env.berth(&[
            "save",
            "--format",
            format,
            "-o",
            file.to_str().unwrap(),
            &name,
        ])
        .assert_success();
        podman(&env, &run, &["load", "-i", file.to_str().unwrap()]);
        let out = podman(
            &env,
            &run,
            &[
                "image",
                "inspect",
                "--format",
                "{{.Id}} {{.RepoTags}}",
                &name,
            ],
        );
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(text.starts_with(&want_id), "{format}: {text}");
        assert!(text.contains(&format!("{name}:latest")), "{format}: {text}");
        podman(&env, &run, &["rmi", &name]);
    }
    env.finish();
}

/// A docker-archive whose second layer's diff_id in the config is not its content's.
fn lying_archive() -> Vec<u8> {
    let l1 = Layer::new().file("one", b"1").tar();
    let l2 = Layer::new().file("two", b"2").tar();
    let config = serde_json::to_vec(&json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [digest(&l1), digest(b"something else")]},
    }))
    .unwrap();
    let config_name = format!("{}.json", digest(&config).trim_start_matches("sha256:"));
    let manifest = serde_json::to_vec(&json!([{
        "Config": config_name, "RepoTags": ["localhost/liar:1"], "Layers": ["l1.tar", "l2.tar"],
    }]))
    .unwrap();
    tar_of(&[
        ("l1.tar", l1),
        ("l2.tar", l2),
        (&config_name, config),
        ("manifest.json", manifest),
    ])
}

#[test]
fn load_refuses_bad_archives_and_leaves_the_store_unchanged() {
    let env = pulled("archive-bad", &["busybox"]);
    let store = env.store();
    let layers_before = entries(&store.join("layers"));
    let blobs_before = entries(&store.join("blobs/sha256"));
    let images_before = ids(&env);
    let saved = user_path(&env, "good.tar");
    env.berth(&["save", "-o", saved.to_str().unwrap(), &image("busybox")])
        .assert_success();
    let good = fs::read(&saved).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "text.tar",
            b"this is not an archive at all\n".repeat(40),
            "not a tar archive",
        ),
        (
            "truncated.tar",
            good[..good.len() / 2].to_vec(),
            "truncated",
        ),
        ("lying.tar", lying_archive(), "the archive is corrupt"),
        (
            "empty-dir.tar",
            tar_of(&[("README", b"hi".to_vec())]),
            "neither a docker-archive",
        ),
    ];
    for (file, data, needle) in cases {
        let p = readable_file(&env, file, &data);
        env.berth(&["load", "-i", p.to_str().unwrap()])
            .assert_error(&format!("loading {}", p.display()))
            .assert_stderr_contains(needle);
        assert_eq!(ids(&env), images_before, "{file}");
        assert_eq!(
            entries(&store.join("layers")),
            layers_before,
            "{file}: no layer left"
        );
        assert_eq!(
            entries(&store.join("blobs/sha256")),
            blobs_before,
            "{file}: no blob left"
        );
        assert_eq!(
            entries(&store.join("tmp")),
            Vec::<String>::new(),
            "{file}: tmp/ clean"
        );
    }
    env.finish();
}

fn import_source(env: &TestEnv) -> PathBuf {
    let tar = Layer::new()
        .dir("srv", 0o755)
        .file("srv/hello", b"imported\n")
        .tar();
    readable_file(env, "rootfs.tar", &tar)
}

#[test]
fn import_applies_changes_and_message() {
    let env = TestEnv::new("archive-import");
    let src = import_source(&env);
    let out = env
        .berth(&[
            "import",
            "-c",
            r#"CMD ["sh"]"#,
            "-c",
            "ENV A=1 B=two",
            "--change",
            "WORKDIR /srv",
            "-c",
            "LABEL org.example=yes",
            "-c",
            "ENTRYPOINT /bin/app -x",
            "-m",
            "made by a test",
            src.to_str().unwrap(),
            "localhost/imported:1",
        ])
        .assert_success()
        .stdout_str();
    let id = out.trim();
    assert!(id.starts_with("sha256:") && id.len() == 71, "{out}");
    let got = inspect(&env, Who::User, "localhost/imported:1");
    assert_eq!(got["Id"].as_str().unwrap(), id);
    let c = &got["Config"];
    assert_eq!(c["Cmd"], json!(["sh"]));
    assert_eq!(c["Entrypoint"], json!(["/bin/sh", "-c", "/bin/app -x"]));
    assert_eq!(c["Env"], json!(["A=1", "B=two"]));
    assert_eq!(c["WorkingDir"], json!("/srv"));
    assert_eq!(c["Labels"], json!({"org.example": "yes"}));
    assert_eq!(got["Comment"], json!("made by a test"));
    assert_eq!(got["History"][0]["comment"], json!("made by a test"));
    assert_eq!(got["RootFS"]["Layers"].as_array().unwrap().len(), 1);
    let upper = got["GraphDriver"]["Data"]["UpperDir"].as_str().unwrap();
    assert_eq!(
        fs::read(Path::new(upper).join("srv/hello")).unwrap(),
        b"imported\n"
    );
    // Importing the same tarball again reuses the layer; save works on the new image.
    env.berth(&[
        "save",
        "-o",
        user_path(&env, "imp.tar").to_str().unwrap(),
        "localhost/imported:1",
    ])
    .assert_success();
    env.finish();
}

#[test]
fn import_reads_standard_input_and_says_so_in_history() {
    let env = TestEnv::new("archive-import-stdin");
    let src = import_source(&env);
    let out = berth_with_stdin(&env, &["import", "-", "localhost/from-stdin"], &src);
    assert!(out.status.success(), "{out:?}");
    let got = inspect(&env, Who::User, "localhost/from-stdin");
    assert_eq!(got["History"][0]["comment"], json!("Imported from -"));
    assert_eq!(got["RepoTags"], json!(["localhost/from-stdin:latest"]));
    env.finish();
}

#[test]
fn import_refuses_bad_changes_before_touching_the_store() {
    let env = TestEnv::new("archive-import-bad-change");
    let src = import_source(&env);
    env.berth(&["import", "-c", "RUN make", src.to_str().unwrap()])
        .assert_error("use CMD, ENTRYPOINT");
    assert!(ids(&env).is_empty());
    assert_eq!(entries(&env.store().join("layers")), Vec::<String>::new());
    env.finish();
}

#[test]
fn import_of_an_escaping_tarball_writes_nothing_outside() {
    let outside = ["/tmp/berth-it/import-escape", "/import-abs-escape"];
    for p in outside {
        assert!(
            !Path::new(p).exists(),
            "{p} exists before the test: remove it"
        );
    }
    let env = TestEnv::new("archive-import-evil");
    let cases = [
        Layer::new().raw("../import-escape", tar::EntryType::Regular, "", b"x"),
        Layer::new().raw("/import-abs-escape", tar::EntryType::Regular, "", b"x"),
        Layer::new()
            .symlink("link", "/tmp/berth-it")
            .file("link/import-escape", b"x"),
    ];
    for (i, layer) in cases.into_iter().enumerate() {
        let p = readable_file(&env, &format!("evil{i}.tar"), &layer.tar());
        env.berth(&["import", p.to_str().unwrap(), "localhost/evil"])
            .assert_error("unsafe");
        for o in outside {
            assert!(!Path::new(o).exists(), "import wrote {o}");
        }
        assert!(ids(&env).is_empty());
        assert_eq!(entries(&env.store().join("layers")), Vec::<String>::new());
        assert_eq!(entries(&env.store().join("tmp")), Vec::<String>::new());
    }
    env.finish();
}
