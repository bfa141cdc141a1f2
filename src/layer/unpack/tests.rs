use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;

use sha2::{Digest as _, Sha256};

use super::*;

fn opts(whiteouts: WhiteoutFormat) -> UnpackOptions {
    UnpackOptions {
        whiteouts,
        allow_devices: false,
        ignore_chown_errors: false,
    }
}

/// A tar stream built by hand so malicious names can be written (the builder refuses them).
struct Tar(Vec<u8>);

impl Tar {
    fn new() -> Self {
        Tar(Vec::new())
    }

    fn raw(
        mut self,
        name: &[u8],
        kind: tar::EntryType,
        mode: u32,
        link: &[u8],
        data: &[u8],
        uid: u64,
    ) -> Self {
        let mut h = tar::Header::new_gnu();
        h.as_old_mut().name[..name.len()].copy_from_slice(name);
        h.as_old_mut().linkname[..link.len()].copy_from_slice(link);
        h.set_entry_type(kind);
        h.set_mode(mode);
        h.set_uid(uid);
        h.set_gid(uid);
        h.set_size(data.len() as u64);
        h.set_mtime(1_600_000_000);
        h.set_cksum();
        self.0.extend_from_slice(h.as_bytes());
        self.0.extend_from_slice(data);
        self.0.resize(self.0.len().div_ceil(512) * 512, 0);
        self
    }

    fn file(self, name: &str, data: &[u8]) -> Self {
        self.raw(
            name.as_bytes(),
            tar::EntryType::Regular,
            0o644,
            b"",
            data,
            0,
        )
    }

    fn dir(self, name: &str) -> Self {
        self.raw(
            name.as_bytes(),
            tar::EntryType::Directory,
            0o755,
            b"",
            b"",
            0,
        )
    }

    fn symlink(self, name: &str, target: &str) -> Self {
        self.raw(
            name.as_bytes(),
            tar::EntryType::Symlink,
            0o777,
            target.as_bytes(),
            b"",
            0,
        )
    }

    fn hardlink(self, name: &str, target: &str) -> Self {
        self.raw(
            name.as_bytes(),
            tar::EntryType::Link,
            0o644,
            target.as_bytes(),
            b"",
            0,
        )
    }

    fn bytes(mut self) -> Vec<u8> {
        self.0.extend_from_slice(&[0u8; 1024]);
        self.0
    }
}

fn unpack_into(root: &Path, tar: Vec<u8>, o: &UnpackOptions) -> Result<UnpackSummary, LayerError> {
    unpack(io::Cursor::new(tar), root, o)
}

#[test]
fn files_dirs_modes_and_mtimes_are_restored_and_diff_id_hashes_the_stream() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = Tar::new()
        .dir("./etc/")
        .raw(
            b"etc/secret",
            tar::EntryType::Regular,
            0o640,
            b"",
            b"s3cret",
            0,
        )
        .file("bin/tool", b"#!/bin/sh\n")
        .bytes();
    let want = format!("sha256:{}", hex::encode(Sha256::digest(&bytes)));
    let s = unpack_into(dir.path(), bytes, &opts(WhiteoutFormat::Overlay)).unwrap();
    assert_eq!(s.diff_id, want);
    assert_eq!(s.size, 6 + 10);
    let m = fs::metadata(dir.path().join("etc/secret")).unwrap();
    assert_eq!(m.mode() & 0o7777, 0o640);
    assert_eq!(m.mtime(), 1_600_000_000);
    assert_eq!(
        fs::metadata(dir.path().join("etc")).unwrap().mtime(),
        1_600_000_000,
        "dir mtime set after children"
    );
    assert!(dir.path().join("bin").is_dir(), "missing parent created");
}

#[test]
fn ownership_and_setuid_survive_when_run_as_root() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = Tar::new()
        .raw(
            b"home/u/file",
            tar::EntryType::Regular,
            0o640,
            b"",
            b"x",
            1000,
        )
        .raw(b"bin/su", tar::EntryType::Regular, 0o4755, b"", b"x", 0)
        .bytes();
    unpack_into(dir.path(), bytes, &opts(WhiteoutFormat::Overlay)).unwrap();
    let m = fs::metadata(dir.path().join("home/u/file")).unwrap();
    assert_eq!((m.uid(), m.gid()), (1000, 1000));
    assert_eq!(
        fs::metadata(dir.path().join("bin/su")).unwrap().mode() & 0o7777,
        0o4755
    );
}

#[test]
fn symlinks_and_hardlinks_are_created_without_following() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = Tar::new()
        .file("a", b"data")
        .hardlink("b", "a")
        .symlink("c", "/etc/passwd")
        .bytes();
    unpack_into(dir.path(), bytes, &opts(WhiteoutFormat::Overlay)).unwrap();
    assert_eq!(
        fs::metadata(dir.path().join("a")).unwrap().ino(),
        fs::metadata(dir.path().join("b")).unwrap().ino()
    );
    assert_eq!(
        fs::read_link(dir.path().join("c")).unwrap(),
        Path::new("/etc/passwd")
    );
}

#[test]
fn existing_file_replaced_by_symlink_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim");
    fs::write(&victim, b"safe").unwrap();
    let bytes = Tar::new()
        .symlink("x", victim.to_str().unwrap())
        .file("x", b"pwned")
        .bytes();
    unpack_into(dir.path(), bytes, &opts(WhiteoutFormat::Overlay)).unwrap();
    assert_eq!(fs::read(&victim).unwrap(), b"safe");
    assert_eq!(fs::read(dir.path().join("x")).unwrap(), b"pwned");
}

#[test]
fn xattrs_from_pax_headers_are_applied() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = tar::Builder::new(Vec::new());
    b.append_pax_extensions([("SCHILY.xattr.user.test", b"v".as_slice())])
        .unwrap();
    let mut h = tar::Header::new_gnu();
    h.set_size(1);
    h.set_mode(0o644);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(0);
    h.set_cksum();
    b.append_data(&mut h, "f", &b"x"[..]).unwrap();
    unpack_into(
        dir.path(),
        b.into_inner().unwrap(),
        &opts(WhiteoutFormat::Overlay),
    )
    .unwrap();
    let mut v = [0u8; 8];
    let n = rustix::fs::getxattr(dir.path().join("f"), "user.test", &mut v).unwrap();
    assert_eq!(&v[..n], b"v");
}

#[test]
fn overlay_whiteout_becomes_a_0_0_char_device_and_opaque_dirs_get_xattrs() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = Tar::new()
        .file("d/.wh.gone", b"")
        .file("o/.wh..wh..opq", b"")
        .file("o/new", b"n")
        .bytes();
    unpack_into(dir.path(), bytes, &opts(WhiteoutFormat::Overlay)).unwrap();
    let m = fs::symlink_metadata(dir.path().join("d/gone")).unwrap();
    assert!(m.file_type().is_char_device());
    assert_eq!(m.rdev(), 0);
    assert!(!dir.path().join("d/.wh.gone").exists());
    let mut v = [0u8; 4];
    for key in OPAQUE_XATTRS {
        let n = rustix::fs::getxattr(dir.path().join("o"), *key, &mut v).unwrap();
        assert_eq!(&v[..n], b"y");
    }
    assert!(!dir.path().join("o/.wh..wh..opq").exists());
}

#[test]
fn vfs_whiteout_deletes_and_opaque_keeps_only_this_layers_entries() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("d/sub")).unwrap();
    fs::write(dir.path().join("d/sub/f"), b"x").unwrap();
    fs::write(dir.path().join("d/keep"), b"x").unwrap();
    fs::create_dir_all(dir.path().join("o")).unwrap();
    fs::write(dir.path().join("o/lower"), b"x").unwrap();
    let bytes = Tar::new()
        .file("d/.wh.sub", b"")
        .file("o/early", b"e")
        .file("o/.wh..wh..opq", b"")
        .file("o/late", b"l")
        .bytes();
    unpack_into(dir.path(), bytes, &opts(WhiteoutFormat::Vfs)).unwrap();
    assert!(!dir.path().join("d/sub").exists());
    assert!(dir.path().join("d/keep").exists());
    assert!(!dir.path().join("o/lower").exists());
    assert!(
        dir.path().join("o/early").exists(),
        "same-layer entry before the marker stays"
    );
    assert!(dir.path().join("o/late").exists());
}

fn refused(bytes: Vec<u8>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let e = unpack_into(
        &dir.path().join("root"),
        bytes.clone(),
        &opts(WhiteoutFormat::Overlay),
    );
    assert!(e.is_err(), "root dir missing must fail too");
    let root = dir.path().join("root");
    fs::create_dir(&root).unwrap();
    let err = unpack_into(&root, bytes, &opts(WhiteoutFormat::Overlay)).unwrap_err();
    // Nothing was written next to the root.
    let siblings: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(siblings, vec![std::ffi::OsString::from("root")]);
    err.to_string()
}

#[test]
fn dotdot_and_absolute_names_are_refused() {
    assert!(refused(Tar::new().file("../escape", b"x").bytes()).contains("climbs out"));
    assert!(refused(Tar::new().file("a/../../x", b"x").bytes()).contains("climbs out"));
    assert!(refused(
        Tar::new()
            .raw(b"/abs", tar::EntryType::Regular, 0o644, b"", b"x", 0)
            .bytes()
    )
    .contains("absolute"));
}

#[test]
fn writing_through_a_symlink_pointing_outside_is_refused() {
    let e = refused(
        Tar::new()
            .symlink("evil", "/tmp")
            .file("evil/pwned", b"x")
            .bytes(),
    );
    assert!(e.contains("\"evil/pwned\"") && e.contains("outside"), "{e}");
    let e = refused(
        Tar::new()
            .symlink("up", "../..")
            .file("up/pwned", b"x")
            .bytes(),
    );
    assert!(e.contains("outside"), "{e}");
}

#[test]
fn symlink_inside_the_layer_may_be_traversed() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = Tar::new()
        .dir("usr/lib")
        .symlink("lib", "usr/lib")
        .file("lib/x.so", b"x")
        .bytes();
    unpack_into(dir.path(), bytes, &opts(WhiteoutFormat::Overlay)).unwrap();
    assert!(dir.path().join("usr/lib/x.so").is_file());
}

#[test]
fn hardlink_to_a_target_outside_is_refused() {
    assert!(refused(Tar::new().hardlink("p", "../../etc/passwd").bytes()).contains("climbs out"));
    assert!(refused(Tar::new().hardlink("p", "/etc/passwd").bytes()).contains("absolute"));
    let e = refused(
        Tar::new()
            .symlink("l", "/etc")
            .hardlink("p", "l/passwd")
            .bytes(),
    );
    assert!(e.contains("outside"), "{e}");
}

/// A debootstrap-made `/dev`: character and block devices, a hardlink to one, a fifo.
fn dev_layer() -> Vec<u8> {
    Tar::new()
        .dir("dev")
        .raw(b"dev/null", tar::EntryType::Char, 0o666, b"", b"", 0)
        .raw(b"dev/sda", tar::EntryType::Block, 0o660, b"", b"", 0)
        .hardlink("dev/null2", "dev/null")
        .raw(b"dev/initctl", tar::EntryType::Fifo, 0o600, b"", b"", 0)
        .file("etc/hostname", b"debian\n")
        .bytes()
}

#[test]
fn rootless_unpacking_skips_device_nodes_and_hardlinks_to_them_but_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    unpack_into(dir.path(), dev_layer(), &opts(WhiteoutFormat::Overlay)).unwrap();
    for gone in ["dev/null", "dev/sda", "dev/null2"] {
        assert!(
            fs::symlink_metadata(dir.path().join(gone)).is_err(),
            "{gone} skipped"
        );
    }
    assert!(fs::symlink_metadata(dir.path().join("dev/initctl"))
        .unwrap()
        .file_type()
        .is_fifo());
    assert_eq!(
        fs::read(dir.path().join("etc/hostname")).unwrap(),
        b"debian\n"
    );
}

#[test]
fn skipped_device_replaces_what_was_at_its_path_and_a_later_entry_there_wins() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("dev")).unwrap();
    fs::write(dir.path().join("dev/null"), b"lower").unwrap();
    let bytes = Tar::new()
        .raw(b"dev/null", tar::EntryType::Char, 0o666, b"", b"", 0)
        .raw(b"dev/zero", tar::EntryType::Char, 0o666, b"", b"", 0)
        .file("dev/zero", b"a file now")
        .hardlink("dev/zero2", "dev/zero")
        .bytes();
    unpack_into(dir.path(), bytes, &opts(WhiteoutFormat::Vfs)).unwrap();
    assert!(fs::symlink_metadata(dir.path().join("dev/null")).is_err());
    assert_eq!(
        fs::metadata(dir.path().join("dev/zero")).unwrap().ino(),
        fs::metadata(dir.path().join("dev/zero2")).unwrap().ino(),
        "a hardlink to a path rewritten after the skip links the new file"
    );
}

#[test]
fn device_nodes_are_created_when_devices_are_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let o = UnpackOptions {
        allow_devices: true,
        ..opts(WhiteoutFormat::Overlay)
    };
    unpack_into(dir.path(), dev_layer(), &o).unwrap();
    let null = fs::symlink_metadata(dir.path().join("dev/null")).unwrap();
    assert!(null.file_type().is_char_device());
    assert_eq!(
        null.ino(),
        fs::symlink_metadata(dir.path().join("dev/null2"))
            .unwrap()
            .ino()
    );
    assert!(fs::symlink_metadata(dir.path().join("dev/sda"))
        .unwrap()
        .file_type()
        .is_block_device());
}

#[test]
fn device_nodes_that_escape_are_still_refused() {
    let e = refused(
        Tar::new()
            .raw(b"../null", tar::EntryType::Char, 0o666, b"", b"", 0)
            .bytes(),
    );
    assert!(e.contains("climbs out"), "{e}");
    let e = refused(
        Tar::new()
            .symlink("dev", "/dev")
            .raw(b"dev/null", tar::EntryType::Char, 0o666, b"", b"", 0)
            .bytes(),
    );
    assert!(e.contains("outside"), "{e}");
    let e = refused(
        Tar::new()
            .raw(b"null", tar::EntryType::Char, 0o666, b"", b"", 0)
            .hardlink("l", "../null")
            .bytes(),
    );
    assert!(e.contains("climbs out"), "{e}");
}

#[test]
fn copy_tree_preserves_hardlinks_symlinks_modes_and_xattrs() {
    let src = tempfile::tempdir().unwrap();
    fs::create_dir(src.path().join("d")).unwrap();
    fs::write(src.path().join("d/a"), b"a").unwrap();
    fs::hard_link(src.path().join("d/a"), src.path().join("b")).unwrap();
    std::os::unix::fs::symlink("d/a", src.path().join("s")).unwrap();
    fs::set_permissions(src.path().join("d/a"), fs::Permissions::from_mode(0o4711)).unwrap();
    rustix::fs::setxattr(
        src.path().join("d"),
        "user.overlay.opaque",
        b"y",
        rustix::fs::XattrFlags::empty(),
    )
    .unwrap();
    let dst_parent = tempfile::tempdir().unwrap();
    let dst = dst_parent.path().join("copy");
    copy_tree(src.path(), &dst).unwrap();
    assert_eq!(
        fs::metadata(dst.join("d/a")).unwrap().ino(),
        fs::metadata(dst.join("b")).unwrap().ino()
    );
    assert_eq!(fs::read_link(dst.join("s")).unwrap(), Path::new("d/a"));
    assert_eq!(
        fs::metadata(dst.join("d/a")).unwrap().mode() & 0o7777,
        0o4711
    );
    let mut v = [0u8; 4];
    assert_eq!(
        rustix::fs::getxattr(dst.join("d"), "user.overlay.opaque", &mut v).unwrap(),
        1
    );
}

#[test]
fn vfs_opaque_keeps_same_layer_files_inside_lower_subdirectories() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("o/sub")).unwrap();
    fs::write(dir.path().join("o/sub/lower"), b"x").unwrap();
    fs::write(dir.path().join("o/lower"), b"x").unwrap();
    let bytes = Tar::new()
        .dir("o")
        .file("o/sub/mine", b"m")
        .file("o/.wh..wh..opq", b"")
        .bytes();
    unpack_into(dir.path(), bytes, &opts(WhiteoutFormat::Vfs)).unwrap();
    assert!(dir.path().join("o/sub/mine").is_file());
    assert!(!dir.path().join("o/sub/lower").exists());
    assert!(!dir.path().join("o/lower").exists());
}

#[test]
fn root_entry_sets_the_roots_mode_and_mtime() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = Tar::new()
        .raw(b"./", tar::EntryType::Directory, 0o711, b"", b"", 0)
        .file("f", b"x")
        .bytes();
    unpack_into(dir.path(), bytes, &opts(WhiteoutFormat::Overlay)).unwrap();
    let m = fs::metadata(dir.path()).unwrap();
    assert_eq!(m.mode() & 0o7777, 0o711);
    assert_eq!(m.mtime(), 1_600_000_000);
}

#[test]
fn pax_uid_gid_and_mtime_override_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = tar::Builder::new(Vec::new());
    b.append_pax_extensions([
        ("uid", b"3000000".as_slice()),
        ("gid", b"3000001".as_slice()),
        ("mtime", b"1600000000.25".as_slice()),
    ])
    .unwrap();
    let mut h = tar::Header::new_ustar();
    h.set_size(1);
    h.set_mode(0o644);
    h.set_mtime(1);
    h.set_cksum();
    b.append_data(&mut h, "f", &b"x"[..]).unwrap();
    unpack_into(
        dir.path(),
        b.into_inner().unwrap(),
        &opts(WhiteoutFormat::Overlay),
    )
    .unwrap();
    let m = fs::symlink_metadata(dir.path().join("f")).unwrap();
    assert_eq!((m.uid(), m.gid()), (3_000_000, 3_000_001));
    assert_eq!((m.mtime(), m.mtime_nsec()), (1_600_000_000, 250_000_000));
}

#[test]
fn entry_through_a_lower_layers_symlink_pointing_outside_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    fs::create_dir(&root).unwrap();
    let outside = dir.path().join("outside");
    fs::create_dir(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, root.join("evil")).unwrap();
    let err = unpack_into(
        &root,
        Tar::new().file("evil/x", b"x").bytes(),
        &opts(WhiteoutFormat::Vfs),
    )
    .unwrap_err();
    assert!(matches!(err, LayerError::UnsafeEntry { .. }), "{err}");
    assert_eq!(fs::read_dir(&outside).unwrap().count(), 0);
}

#[test]
fn directory_replaced_by_a_file_is_removed_with_its_contents() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("d/deep")).unwrap();
    fs::write(dir.path().join("d/deep/f"), b"x").unwrap();
    unpack_into(
        dir.path(),
        Tar::new().file("d", b"now a file").bytes(),
        &opts(WhiteoutFormat::Vfs),
    )
    .unwrap();
    assert_eq!(fs::read(dir.path().join("d")).unwrap(), b"now a file");
}

#[test]
fn hardlink_to_a_directory_is_refused() {
    let e = refused(Tar::new().dir("d").hardlink("l", "d").bytes());
    assert!(e.contains("directory"), "{e}");
}

#[test]
fn files_larger_than_the_copy_buffer_arrive_whole() {
    let dir = tempfile::tempdir().unwrap();
    let data: Vec<u8> = (0..3 * COPY_BUF + 12345).map(|i| (i % 253) as u8).collect();
    let bytes = Tar::new().file("big", &data).file("after", b"a").bytes();
    let s = unpack_into(dir.path(), bytes, &opts(WhiteoutFormat::Overlay)).unwrap();
    assert_eq!(s.size, data.len() as u64 + 1);
    assert!(fs::read(dir.path().join("big")).unwrap() == data);
    assert_eq!(fs::read(dir.path().join("after")).unwrap(), b"a");
}

#[test]
fn diff_id_covers_bytes_after_the_end_of_archive_marker() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = Tar::new().file("f", b"x").bytes();
    bytes.extend_from_slice(&[0u8; 8192]);
    let want = format!("sha256:{}", hex::encode(Sha256::digest(&bytes)));
    let s = unpack_into(dir.path(), bytes, &opts(WhiteoutFormat::Overlay)).unwrap();
    assert_eq!(s.diff_id, want);
}

#[test]
fn header_with_a_bad_checksum_is_reported_as_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = Tar::new().file("f", b"x").bytes();
    bytes[0] = b'g'; // the checksum no longer matches
    let err = unpack_into(dir.path(), bytes, &opts(WhiteoutFormat::Overlay)).unwrap_err();
    assert!(matches!(err, LayerError::Corrupt { .. }), "{err}");
}

const USERNS_CHILD: &str = "BERTH_LAYER_TEST_IN_USERNS";

/// Runs inside `unshare --user --map-root-user` (only uid 0 mapped), started by the test below.
#[test]
#[ignore = "run by single_uid_user_namespace_gets_whiteouts_xattrs_and_root_owned_files"]
fn userns_child() {
    if std::env::var_os(USERNS_CHILD).is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bytes = Tar::new()
        .raw(
            b"home/u/f",
            tar::EntryType::Regular,
            0o4755,
            b"",
            b"x",
            1000,
        )
        .file("d/.wh.gone", b"")
        .file("o/.wh..wh..opq", b"")
        .bytes();
    let o = UnpackOptions {
        whiteouts: WhiteoutFormat::Overlay,
        allow_devices: false,
        ignore_chown_errors: true,
    };
    unpack_into(dir.path(), bytes.clone(), &o).unwrap();
    let m = fs::metadata(dir.path().join("home/u/f")).unwrap();
    assert_eq!((m.uid(), m.mode() & 0o7777), (0, 0o4755));
    let wh = fs::symlink_metadata(dir.path().join("d/gone")).unwrap();
    assert!(wh.file_type().is_char_device() && wh.rdev() == 0);
    let mut v = [0u8; 4];
    assert_eq!(
        rustix::fs::getxattr(dir.path().join("o"), OPAQUE_XATTRS[0], &mut v).unwrap(),
        1
    );
    // Without the option the unmapped owner is an error that says how to map it.
    let strict = UnpackOptions {
        ignore_chown_errors: false,
        ..o.clone()
    };
    let err = unpack_into(tempfile::tempdir().unwrap().path(), bytes, &strict).unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, LayerError::Unmapped { uid: 1000, .. }),
        "{msg}"
    );
    assert!(
        msg.contains("home/u/f") && msg.contains("/etc/subuid"),
        "{msg}"
    );

    // Root inside a user namespace: devices are allowed by the options, refused by the kernel,
    // and skipped; trusted.* xattrs are refused by the kernel and left out.
    let dir = tempfile::tempdir().unwrap();
    let mut b = tar::Builder::new(Vec::new());
    b.append_pax_extensions([
        ("SCHILY.xattr.trusted.overlay.origin", b"x".as_slice()),
        ("SCHILY.xattr.user.kept", b"v".as_slice()),
    ])
    .unwrap();
    let mut h = tar::Header::new_gnu();
    h.set_size(1);
    h.set_mode(0o644);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(0);
    h.set_cksum();
    b.append_data(&mut h, "f", &b"x"[..]).unwrap();
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Char);
    h.set_size(0);
    h.set_mode(0o666);
    h.set_device_major(1).unwrap();
    h.set_device_minor(3).unwrap();
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(0);
    h.set_cksum();
    b.append_data(&mut h, "dev/null", io::empty()).unwrap();
    let rootless_root = UnpackOptions {
        allow_devices: true,
        ..o.clone()
    };
    unpack_into(dir.path(), b.into_inner().unwrap(), &rootless_root).unwrap();
    assert!(fs::symlink_metadata(dir.path().join("dev/null")).is_err());
    let mut v = [0u8; 4];
    assert_eq!(
        rustix::fs::getxattr(dir.path().join("f"), "user.kept", &mut v).unwrap(),
        1
    );
    assert!(rustix::fs::getxattr(dir.path().join("f"), "trusted.overlay.origin", &mut v).is_err());
}

#[test]
fn single_uid_user_namespace_gets_whiteouts_xattrs_and_root_owned_files() {
    let out = std::process::Command::new("unshare")
        .args(["--user", "--map-root-user"])
        .arg(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "layer::unpack::tests::userns_child",
            "--include-ignored",
            "--nocapture",
        ])
        .env(USERNS_CHILD, "1")
        .output()
        .expect("unshare(1) runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("1 passed"), "{text}");
}

#[test]
fn plain_unpacking_keeps_wh_names_as_files_and_deletes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("d")).unwrap();
    fs::write(dir.path().join("d/gone"), b"kept").unwrap();
    fs::write(dir.path().join("o-old"), b"kept").unwrap();
    let bytes = Tar::new()
        .file("d/.wh.gone", b"a file")
        .file(".wh..wh..opq", b"another")
        .bytes();
    unpack_into(dir.path(), bytes, &opts(WhiteoutFormat::Plain)).unwrap();
    assert_eq!(fs::read(dir.path().join("d/gone")).unwrap(), b"kept");
    assert_eq!(fs::read(dir.path().join("o-old")).unwrap(), b"kept");
    assert_eq!(fs::read(dir.path().join("d/.wh.gone")).unwrap(), b"a file");
    assert_eq!(
        fs::read(dir.path().join(".wh..wh..opq")).unwrap(),
        b"another"
    );
}
