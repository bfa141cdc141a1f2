//! The test images, built offline in Rust from Debian's busybox-static and pushed over plain
//! HTTP with the registry API (upload, then manifest), once per registry per test process.

use std::io::Write;
use std::net::IpAddr;
use std::sync::OnceLock;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::registry::{self, Registry};

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
pub const DOCKER_LAYER: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";

const BUSYBOX: &str = "/bin/busybox";
const APPLETS: &[&str] = &[
    "sh", "ls", "cat", "echo", "id", "stat", "ps", "date", "sleep", "true", "false", "env",
    "touch", "mkdir", "rm",
];

pub fn digest(b: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(b)))
}

/// A layer under construction: a tar stream built entry by entry, with fixed mtimes so the
/// same layer always has the same digest.
pub struct Layer {
    b: tar::Builder<Vec<u8>>,
}

impl Layer {
    pub fn new() -> Self {
        Layer {
            b: tar::Builder::new(Vec::new()),
        }
    }

    fn header(kind: tar::EntryType, mode: u32, uid: u64, size: u64) -> tar::Header {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(kind);
        h.set_mode(mode);
        h.set_uid(uid);
        h.set_gid(uid);
        h.set_size(size);
        h.set_mtime(1_700_000_000);
        h
    }

    pub fn dir(mut self, path: &str, mode: u32) -> Self {
        let mut h = Self::header(tar::EntryType::Directory, mode, 0, 0);
        self.b.append_data(&mut h, path, &[][..]).unwrap();
        self
    }

    /// A regular file owned by `uid:uid`.
    pub fn file_owned(mut self, path: &str, data: &[u8], mode: u32, uid: u64) -> Self {
        let mut h = Self::header(tar::EntryType::Regular, mode, uid, data.len() as u64);
        self.b.append_data(&mut h, path, data).unwrap();
        self
    }

    pub fn file(self, path: &str, data: &[u8]) -> Self {
        self.file_owned(path, data, 0o644, 0)
    }

    pub fn symlink(mut self, path: &str, target: &str) -> Self {
        let mut h = Self::header(tar::EntryType::Symlink, 0o777, 0, 0);
        self.b.append_link(&mut h, path, target).unwrap();
        self
    }

    /// An entry written byte by byte, because the tar crate refuses the names and link
    /// targets the malicious images need (`..`, absolute paths).
    pub fn raw(mut self, name: &str, kind: tar::EntryType, link: &str, data: &[u8]) -> Self {
        let mut h = Self::header(kind, 0o644, 0, data.len() as u64);
        if kind.is_character_special() || kind.is_block_special() {
            h.set_device_major(1).unwrap();
            h.set_device_minor(1).unwrap();
        }
        h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        h.as_old_mut().linkname[..link.len()].copy_from_slice(link.as_bytes());
        h.set_cksum();
        let out = self.b.get_mut();
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
        self
    }

    pub fn tar(self) -> Vec<u8> {
        self.b.into_inner().unwrap()
    }
}

/// The base rootfs: busybox and its applets, users root, nobody and user1000, /tmp 1777.
pub fn busybox_rootfs() -> Layer {
    let bb = std::fs::read(BUSYBOX)
        .unwrap_or_else(|e| panic!("cannot read {BUSYBOX} ({e}): apt-get install busybox-static"));
    let mut l = Layer::new()
        .dir("bin", 0o755)
        .dir("etc", 0o755)
        .dir("tmp", 0o1777)
        .file_owned("bin/busybox", &bb, 0o755, 0);
    for app in APPLETS {
        l = l.symlink(&format!("bin/{app}"), "busybox");
    }
    l.file(
        "etc/passwd",
        b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\nuser1000:x:1000:1000::/home/user1000:/bin/sh\n",
    )
    .file("etc/group", b"root:x:0:\nnobody:x:65534:\nuser1000:x:1000:\n")
}

#[derive(Clone, Copy, Debug)]
pub enum Comp {
    Gzip,
    /// gzip framing around stored (uncompressed) deflate blocks: for incompressible data, where
    /// real compression would only cost time.
    GzipStored,
    Zstd,
    Plain,
}

fn compress(tar: &[u8], c: Comp) -> (Vec<u8>, &'static str) {
    let gzip = |level| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), level);
        e.write_all(tar).unwrap();
        (
            e.finish().unwrap(),
            "application/vnd.oci.image.layer.v1.tar+gzip",
        )
    };
    match c {
        Comp::Gzip => gzip(flate2::Compression::fast()),
        Comp::GzipStored => gzip(flate2::Compression::none()),
        Comp::Zstd => (
            zstd::encode_all(tar, 3).unwrap(),
            "application/vnd.oci.image.layer.v1.tar+zstd",
        ),
        Comp::Plain => (tar.to_vec(), "application/vnd.oci.image.layer.v1.tar"),
    }
}

fn request(reg: &Registry, method: &str, url: &str) -> ureq::Request {
    let r = ureq::request(method, url);
    match reg.authorization() {
        Some(auth) => r.set("Authorization", &auth),
        None => r,
    }
}

/// Monolithic upload: POST a session, PUT the bytes to its Location with `digest=`.
pub fn put_blob(reg: &Registry, repo: &str, data: &[u8]) -> String {
    let d = digest(data);
    let resp = request(reg, "POST", &reg.url(&format!("/v2/{repo}/blobs/uploads/")))
        .send_bytes(&[])
        .unwrap_or_else(|e| panic!("starting an upload to {repo}: {e}"));
    let loc = resp
        .header("Location")
        .expect("upload session without Location")
        .to_string();
    let url = if loc.starts_with("http") {
        loc
    } else {
        reg.url(&loc)
    };
    let sep = if url.contains('?') { '&' } else { '?' };
    request(reg, "PUT", &format!("{url}{sep}digest={d}"))
        .set("Content-Type", "application/octet-stream")
        .send_bytes(data)
        .unwrap_or_else(|e| panic!("uploading {d} to {repo}: {e}"));
    d
}

/// PUT a manifest under `tag`; returns its digest and size.
pub fn put_manifest(
    reg: &Registry,
    repo: &str,
    tag: &str,
    media_type: &str,
    body: &Value,
) -> (String, usize) {
    let bytes = serde_json::to_vec(body).unwrap();
    request(reg, "PUT", &reg.url(&format!("/v2/{repo}/manifests/{tag}")))
        .set("Content-Type", media_type)
        .send_bytes(&bytes)
        .unwrap_or_else(|e| panic!("pushing manifest {repo}:{tag}: {e}"));
    (digest(&bytes), bytes.len())
}

/// What a push left in the registry.
#[derive(Clone, Debug)]
pub struct Pushed {
    pub manifest: String,
    pub manifest_size: usize,
    pub config: String,
    /// Digests of the blobs as stored (compressed).
    pub layers: Vec<String>,
    /// Digests of the uncompressed tars, the image's RootFS.Layers.
    pub diff_ids: Vec<String>,
}

pub struct ImageSpec<'a> {
    pub layers: Vec<(Vec<u8>, Comp)>,
    pub arch: &'a str,
    pub variant: Option<&'a str>,
    /// Docker v2s2 media types instead of OCI ones.
    pub docker: bool,
}

impl<'a> ImageSpec<'a> {
    pub fn oci(layers: Vec<(Vec<u8>, Comp)>) -> Self {
        ImageSpec {
            layers,
            arch: "amd64",
            variant: None,
            docker: false,
        }
    }

    pub fn gzip(layers: Vec<Vec<u8>>) -> Self {
        Self::oci(layers.into_iter().map(|l| (l, Comp::Gzip)).collect())
    }
}

pub fn push_image(reg: &Registry, repo: &str, tag: &str, spec: ImageSpec) -> Pushed {
    let mut descs = Vec::new();
    let mut diff_ids = Vec::new();
    let mut layers = Vec::new();
    for (tar, c) in &spec.layers {
        let (blob, mt) = compress(tar, *c);
        let d = put_blob(reg, repo, &blob);
        let mt = if spec.docker { DOCKER_LAYER } else { mt };
        descs.push(json!({"mediaType": mt, "digest": d, "size": blob.len()}));
        diff_ids.push(digest(tar));
        layers.push(d);
    }
    let mut config = json!({
        "architecture": spec.arch, "os": "linux", "created": "2024-01-02T03:04:05Z",
        "config": {
            "Cmd": ["/bin/sh"], "Env": ["PATH=/bin"], "WorkingDir": "/",
            "Labels": {"org.test.image": repo}
        },
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": "2024-01-02T03:04:05Z", "created_by": "berth integration fixtures"}],
    });
    if let Some(v) = spec.variant {
        config["variant"] = v.into();
    }
    let cbytes = serde_json::to_vec(&config).unwrap();
    let cd = put_blob(reg, repo, &cbytes);
    let (mt, cmt) = if spec.docker {
        (DOCKER_MANIFEST, DOCKER_CONFIG)
    } else {
        (OCI_MANIFEST, OCI_CONFIG)
    };
    let manifest = json!({
        "schemaVersion": 2, "mediaType": mt,
        "config": {"mediaType": cmt, "digest": cd, "size": cbytes.len()},
        "layers": descs,
    });
    let (md, size) = put_manifest(reg, repo, tag, mt, &manifest);
    Pushed {
        manifest: md,
        manifest_size: size,
        config: cd,
        layers,
        diff_ids,
    }
}

/// Reproducible incompressible bytes (xorshift64).
pub fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(n + 8);
    while out.len() < n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(n);
    out
}

/// The registry with every fixture, and the digests the tests compare against.
pub struct Fixtures {
    pub registry: Registry,
    pub busybox: Pushed,
    pub layered: Pushed,
    pub corrupt: Pushed,
    pub shared_a: Pushed,
    pub shared_b: Pushed,
    pub big: Pushed,
    /// Per platform ("linux/amd64", "linux/arm64/v8") the image inside `multiarch`.
    pub multiarch: Vec<(String, Pushed)>,
}

pub fn fixtures() -> &'static Fixtures {
    static F: OnceLock<Fixtures> = OnceLock::new();
    F.get_or_init(|| push_all(registry::start("plain", registry::loopback(), false)))
}

/// The loopback registry holding every fixture.
pub fn registry() -> &'static Registry {
    &fixtures().registry
}

/// A loopback registry that wants htpasswd basic auth, holding `busybox`.
pub fn auth_registry() -> &'static Registry {
    static R: OnceLock<(Registry, Pushed)> = OnceLock::new();
    &R.get_or_init(|| {
        let reg = registry::start("auth", registry::loopback(), true);
        let p = push_image(
            &reg,
            "busybox",
            "latest",
            ImageSpec::gzip(vec![busybox_rootfs().tar()]),
        );
        (reg, p)
    })
    .0
}

/// A registry on the host's non-loopback address (plain HTTP), holding `busybox`.
pub fn remote_registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(|| {
        let ip: IpAddr = registry::non_loopback_ip();
        let reg = registry::start("remote", ip, false);
        push_image(
            &reg,
            "busybox",
            "latest",
            ImageSpec::gzip(vec![busybox_rootfs().tar()]),
        );
        reg
    })
}

/// `host:port/name` on the fixtures registry.
pub fn image(name: &str) -> String {
    format!("{}/{name}", registry().addr)
}

/// The docker/OCI architecture name of this host, the platform berth picks by default.
pub fn host_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

fn push_all(reg: Registry) -> Fixtures {
    let base = busybox_rootfs().tar();
    let busybox = push_image(
        &reg,
        "busybox",
        "latest",
        ImageSpec::gzip(vec![base.clone()]),
    );
    push_image(
        &reg,
        "hostile",
        "latest",
        ImageSpec::gzip(vec![base.clone(), hostile_layer()]),
    );
    push_image(
        &reg,
        "busybox-docker",
        "latest",
        ImageSpec {
            docker: true,
            ..ImageSpec::gzip(vec![base.clone()])
        },
    );

    let files = Layer::new()
        .dir("data", 0o755)
        .file("data/a", b"a")
        .file("data/b", b"b")
        .file("data/c", b"c")
        .dir("opaque", 0o755)
        .file("opaque/x", b"x")
        .file("opaque/y", b"y")
        .tar();
    let whiteouts = Layer::new()
        .dir("data", 0o755)
        .file("data/.wh.b", b"")
        .dir("opaque", 0o755)
        .file("opaque/.wh..wh..opq", b"")
        .file("opaque/z", b"z")
        .tar();
    let motd = Layer::new().file("etc/motd", b"hello from layered\n").tar();
    let layered = push_image(
        &reg,
        "layered",
        "latest",
        ImageSpec::gzip(vec![base.clone(), files, whiteouts, motd]),
    );

    let multiarch = push_multiarch(&reg, &base);

    push_image(
        &reg,
        "zstd",
        "latest",
        ImageSpec::oci(vec![
            (base.clone(), Comp::Zstd),
            (Layer::new().file("z", b"zstd").tar(), Comp::Zstd),
        ]),
    );
    push_image(
        &reg,
        "plain",
        "latest",
        ImageSpec::oci(vec![
            (base.clone(), Comp::Plain),
            (Layer::new().file("p", b"plain").tar(), Comp::Plain),
        ]),
    );
    let owned = Layer::new()
        .dir("home", 0o755)
        .dir("home/user1000", 0o755)
        .file_owned("home/user1000/file", b"mine", 0o640, 1000)
        .file_owned("bin/setuid-tool", b"#!/bin/sh\n", 0o4755, 0)
        .tar();
    push_image(
        &reg,
        "owned",
        "latest",
        ImageSpec::gzip(vec![base.clone(), owned]),
    );
    let shared_a = push_image(
        &reg,
        "shared-a",
        "latest",
        ImageSpec::gzip(vec![base.clone(), Layer::new().file("a", b"a").tar()]),
    );
    let shared_b = push_image(
        &reg,
        "shared-b",
        "latest",
        ImageSpec::gzip(vec![base.clone(), Layer::new().file("b", b"b").tar()]),
    );
    let big_layers = (0..4)
        .map(|i| {
            (
                Layer::new()
                    .file(&format!("blob{i}"), &random_bytes(12 << 20, i + 7))
                    .tar(),
                Comp::GzipStored,
            )
        })
        .collect();
    let big = push_image(&reg, "big", "latest", ImageSpec::oci(big_layers));

    // Single-layer images, so that "no layer left behind" means no layer directory at all.
    let evil = |name: &str, l: Layer| {
        push_image(&reg, name, "latest", ImageSpec::gzip(vec![l.tar()]));
    };
    evil(
        "evil-dotdot",
        Layer::new().raw("../escape", tar::EntryType::Regular, "", b"x"),
    );
    evil(
        "evil-abs",
        Layer::new().raw("/abs-escape", tar::EntryType::Regular, "", b"x"),
    );
    evil(
        "evil-symlink",
        Layer::new()
            .symlink("link", "/tmp")
            .file("link/pwned", b"x"),
    );
    evil(
        "evil-hardlink",
        Layer::new().raw("passwd", tar::EntryType::Link, "../../etc/passwd", b""),
    );

    // The registry serves what is in its storage without checking: overwrite the blob with
    // other bytes of the same length and it hands out content that does not match the digest.
    let corrupt = push_image(
        &reg,
        "corrupt",
        "latest",
        ImageSpec::gzip(vec![Layer::new().file("c", &random_bytes(4096, 3)).tar()]),
    );
    let data = reg.blob_data_path(&corrupt.layers[0]);
    let mut bytes = std::fs::read(&data).unwrap_or_else(|e| panic!("{}: {e}", data.display()));
    let n = bytes.len();
    bytes[n / 2] ^= 0xff;
    std::fs::write(&data, bytes).unwrap();

    Fixtures {
        registry: reg,
        busybox,
        layered,
        corrupt,
        shared_a,
        shared_b,
        big,
        multiarch,
    }
}

/// `hostile`'s own layer: the attack program of tests/integration/escape (built here, static),
/// a setuid-root copy of it, and scripts whose interpreter is `/proc/self/exe` (CVE-2019-5736's
/// way of running the entering process's own executable inside the container).
fn hostile_layer() -> Vec<u8> {
    let src = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/integration/escape/hostile.c"
    );
    let dir = std::env::temp_dir().join(format!("berth-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bin = dir.join("hostile");
    let out = std::process::Command::new("cc")
        .args(["-static", "-O2", "-o"])
        .arg(&bin)
        .arg(src)
        .output()
        .unwrap_or_else(|e| panic!("cc (apt-get install build-essential): {e}"));
    assert!(
        out.status.success(),
        "building {src}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let prog = std::fs::read(&bin).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    Layer::new()
        .file_owned("hostile", &prog, 0o755, 0)
        .file_owned("hostile-suid", &prog, 0o4755, 0)
        .file_owned("self-exe-bare", b"#!/proc/self/exe\n", 0o755, 0)
        .dir("self-exe", 0o755)
        .file_owned(
            "self-exe/busybox",
            b"#!/proc/self/exe /bin/busybox\n",
            0o755,
            0,
        )
        .tar()
}

/// `multiarch`: an OCI index with amd64, arm64/v8 and a buildkit-style attestation manifest
/// (platform unknown/unknown); `multiarch-docker`: the same as a Docker manifest list. Each
/// platform's image shares the base layer and adds /arch naming its architecture.
fn push_multiarch(reg: &Registry, base: &[u8]) -> Vec<(String, Pushed)> {
    let mut pushed = Vec::new();
    let mut index = Vec::new();
    let mut list = Vec::new();
    for (arch, variant) in [("amd64", None), ("arm64", Some("v8"))] {
        let layers = || {
            vec![
                base.to_vec(),
                Layer::new().file("arch", arch.as_bytes()).tar(),
            ]
        };
        let mut platform = json!({"os": "linux", "architecture": arch});
        if let Some(v) = variant {
            platform["variant"] = v.into();
        }
        let oci = push_image(
            reg,
            "multiarch",
            &format!("only-{arch}"),
            ImageSpec {
                arch,
                variant,
                ..ImageSpec::gzip(layers())
            },
        );
        index.push(json!({"mediaType": OCI_MANIFEST, "digest": oci.manifest, "size": oci.manifest_size, "platform": platform}));
        let docker = push_image(
            reg,
            "multiarch-docker",
            &format!("only-{arch}"),
            ImageSpec {
                arch,
                variant,
                docker: true,
                ..ImageSpec::gzip(layers())
            },
        );
        list.push(json!({"mediaType": DOCKER_MANIFEST, "digest": docker.manifest, "size": docker.manifest_size, "platform": platform}));
        let name = match variant {
            Some(v) => format!("linux/{arch}/{v}"),
            None => format!("linux/{arch}"),
        };
        pushed.push((name, oci));
    }
    // buildkit's provenance: an in-toto layer, a config without a real platform, and an
    // annotation pointing at the image it describes.
    let statement = br#"{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://slsa.dev/provenance/v0.2"}"#;
    let blob = put_blob(reg, "multiarch", statement);
    let cfg = br#"{"architecture":"unknown","os":"unknown","config":{},"rootfs":{"type":"layers","diff_ids":[]}}"#;
    let cfg_digest = put_blob(reg, "multiarch", cfg);
    let att = json!({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": cfg_digest, "size": cfg.len()},
        "layers": [{"mediaType": "application/vnd.in-toto+json", "digest": blob, "size": statement.len(),
                    "annotations": {"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"}}],
    });
    let (att_digest, att_size) = put_manifest(reg, "multiarch", "attestation", OCI_MANIFEST, &att);
    index.push(json!({
        "mediaType": OCI_MANIFEST, "digest": att_digest, "size": att_size,
        "platform": {"os": "unknown", "architecture": "unknown"},
        "annotations": {"vnd.docker.reference.digest": pushed[0].1.manifest, "vnd.docker.reference.type": "attestation-manifest"},
    }));
    put_manifest(
        reg,
        "multiarch",
        "latest",
        OCI_INDEX,
        &json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": index}),
    );
    put_manifest(
        reg,
        "multiarch-docker",
        "latest",
        DOCKER_LIST,
        &json!({"schemaVersion": 2, "mediaType": DOCKER_LIST, "manifests": list}),
    );
    pushed
}
