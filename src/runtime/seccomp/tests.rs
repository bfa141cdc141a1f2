use super::bpf::MAX_INSNS;
use super::profile::*;
use super::*;
use crate::runtime::caps::{Cap, CapSet};

const KERNEL: (u32, u32) = (6, 18);
const EPERM_RET: u32 = SECCOMP_RET_ERRNO | libc::EPERM as u32;
const ENOSYS_RET: u32 = SECCOMP_RET_ERRNO | libc::ENOSYS as u32;
const CLONE_NEWUSER: u64 = 0x1000_0000;

fn default_caps() -> CapSet {
    CapSet::docker_default()
}

fn with(cap: &str) -> CapSet {
    let mut c = default_caps();
    c.insert(Cap::parse(cap).unwrap());
    c
}

fn default_filter(caps: CapSet) -> Filter {
    Profile::docker_default()
        .resolve(caps, Arch::X86_64, KERNEL)
        .unwrap()
}

fn default_program(caps: CapSet) -> Program {
    Program::compile(&default_filter(caps)).unwrap()
}

fn call(arch: Arch, name: &str, args: &[u64]) -> SeccompData {
    let mut a = [0u64; 6];
    a[..args.len()].copy_from_slice(args);
    SeccompData {
        nr: syscall_number(arch, name).unwrap_or_else(|| panic!("{name} on {arch:?}")),
        arch: arch.audit_arch(),
        instruction_pointer: 0x7fff_0000_1234,
        args: a,
    }
}

fn names_in(filter: &Filter) -> Vec<&str> {
    filter
        .rules
        .iter()
        .flat_map(|r| r.names.iter().map(String::as_str))
        .collect()
}

/// What a filter means, computed directly from its rules: the oracle for the compiled program.
fn reference(filter: &Filter, d: &SeccompData) -> u32 {
    let arch = filter.arches.iter().copied().find(|a| {
        a.audit_arch() == d.arch
            && match a {
                Arch::X86_64 => d.nr & X32_SYSCALL_BIT == 0,
                Arch::X32 => d.nr & X32_SYSCALL_BIT != 0,
                _ => true,
            }
    });
    let Some(arch) = arch else {
        return SECCOMP_RET_KILL_PROCESS;
    };
    let rules: Vec<&Rule> = filter
        .rules
        .iter()
        .filter(|r| r.ret != filter.default_ret)
        .filter(|r| {
            r.names
                .iter()
                .any(|n| syscall_number(arch, n) == Some(d.nr))
        })
        .collect();
    let holds = |c: &ArgCmp| {
        let a = d.args[c.index as usize];
        match c.op {
            CmpOp::Eq => a == c.value,
            CmpOp::Ne => a != c.value,
            CmpOp::Lt => a < c.value,
            CmpOp::Le => a <= c.value,
            CmpOp::Gt => a > c.value,
            CmpOp::Ge => a >= c.value,
            CmpOp::MaskedEq => a & c.value == c.value_two,
        }
    };
    if let Some(r) = rules
        .iter()
        .find(|r| !r.args.is_empty() && r.args.iter().all(holds))
    {
        return r.ret;
    }
    rules
        .iter()
        .find(|r| r.args.is_empty())
        .map(|r| r.ret)
        .unwrap_or(filter.default_ret)
}

// ---- name tables ----

#[test]
fn syscall_tables_are_sorted_and_unique_for_binary_search() {
    for arch in [Arch::X86_64, Arch::X86, Arch::X32, Arch::Aarch64] {
        let t = arch.table().unwrap();
        assert!(t.windows(2).all(|w| w[0].0 < w[1].0), "{arch:?}");
    }
}

#[test]
fn syscall_numbers_match_the_kernel_abi() {
    assert_eq!(syscall_number(Arch::X86_64, "getpid"), Some(39));
    assert_eq!(syscall_number(Arch::X86_64, "clone3"), Some(435));
    assert_eq!(syscall_number(Arch::X86_64, "listmount"), Some(458));
    assert_eq!(syscall_number(Arch::X86_64, "uretprobe"), Some(335));
    assert_eq!(syscall_number(Arch::X86, "getpid"), Some(20));
    assert_eq!(syscall_number(Arch::X86, "socket"), Some(359));
    assert_eq!(
        syscall_number(Arch::X32, "getpid"),
        Some(X32_SYSCALL_BIT | 39)
    );
    assert_eq!(syscall_number(Arch::Aarch64, "getpid"), Some(172));
    assert_eq!(syscall_number(Arch::Aarch64, "clone"), Some(220));
    // The table agrees with the libc crate wherever libc has the name.
    assert_eq!(
        syscall_number(Arch::X86_64, "settimeofday"),
        Some(libc::SYS_settimeofday as u32)
    );
    assert_eq!(
        syscall_number(Arch::X86_64, "unshare"),
        Some(libc::SYS_unshare as u32)
    );
}

#[test]
fn names_unknown_on_an_arch_have_no_number() {
    assert_eq!(syscall_number(Arch::X86_64, "socketcall"), None);
    assert_eq!(syscall_number(Arch::Aarch64, "open"), None);
    assert_eq!(syscall_number(Arch::X86_64, "no_such_call"), None);
    assert_eq!(syscall_number(Arch::Arm, "getpid"), None);
}

#[test]
fn kernel_version_parses_release_strings() {
    assert_eq!(parse_kernel_version("6.18.0-1-amd64"), Some((6, 18)));
    assert_eq!(parse_kernel_version("4.8"), Some((4, 8)));
    assert_eq!(parse_kernel_version("5"), Some((5, 0)));
    assert_eq!(parse_kernel_version("x"), None);
}

// ---- profile parsing and selection ----

#[test]
fn default_profile_parses_with_docker_defaults() {
    let p = Profile::docker_default();
    assert_eq!(p.default_action, "SCMP_ACT_ERRNO");
    assert_eq!(p.default_errno_ret, Some(1));
    let f = default_filter(default_caps());
    assert_eq!(f.default_ret, EPERM_RET);
    assert_eq!(f.arches, vec![Arch::X86_64, Arch::X86, Arch::X32]);
}

#[test]
fn arm64_profile_covers_only_arm64_since_arm_has_no_table() {
    let f = Profile::docker_default()
        .resolve(default_caps(), Arch::Aarch64, KERNEL)
        .unwrap();
    assert_eq!(f.arches, vec![Arch::Aarch64]);
    assert!(!names_in(&f).contains(&"arch_prctl"));
    assert!(names_in(&f).contains(&"set_tls"));
}

#[test]
fn sys_time_capability_selects_the_clock_setting_group() {
    let without = default_filter(default_caps());
    assert!(!names_in(&without).contains(&"settimeofday"));
    assert!(!names_in(&without).contains(&"clock_settime"));
    let with_time = default_filter(with("SYS_TIME"));
    for n in ["settimeofday", "stime", "clock_settime", "clock_settime64"] {
        assert!(names_in(&with_time).contains(&n), "{n}");
    }
}

#[test]
fn sys_admin_selects_mount_group_and_excludes_the_clone_restrictions() {
    let without = default_filter(default_caps());
    assert!(!names_in(&without).contains(&"mount"));
    assert!(without
        .rules
        .iter()
        .any(|r| r.names == ["clone3"] && r.ret == ENOSYS_RET));
    let admin = default_filter(with("SYS_ADMIN"));
    for n in [
        "mount",
        "umount2",
        "unshare",
        "setns",
        "bpf",
        "perf_event_open",
    ] {
        assert!(names_in(&admin).contains(&n), "{n}");
    }
    assert!(!admin.rules.iter().any(|r| r.ret == ENOSYS_RET));
    assert!(!admin
        .rules
        .iter()
        .any(|r| r.names == ["clone"] && !r.args.is_empty()));
}

#[test]
fn min_kernel_includes_ptrace_only_from_4_8() {
    let p = Profile::docker_default();
    let old = p.resolve(default_caps(), Arch::X86_64, (4, 4)).unwrap();
    let new = p.resolve(default_caps(), Arch::X86_64, (4, 8)).unwrap();
    assert!(!names_in(&old).contains(&"ptrace"));
    assert!(names_in(&new).contains(&"ptrace"));
}

#[test]
fn includes_arches_uses_the_native_arch() {
    let f = default_filter(default_caps());
    assert!(names_in(&f).contains(&"arch_prctl"));
    assert!(names_in(&f).contains(&"modify_ldt"));
    assert!(!names_in(&f).contains(&"s390_runtime_instr"));
}

#[test]
fn profile_errors_name_the_problem() {
    let err = |src: &str| {
        Profile::parse(src.as_bytes())
            .and_then(|p| p.resolve(default_caps(), Arch::X86_64, KERNEL))
            .unwrap_err()
            .to_string()
    };
    let m = err(r#"{"defaultAction":"SCMP_ACT_NOPE"}"#);
    assert!(
        m.contains("SCMP_ACT_NOPE") && m.contains("SCMP_ACT_ALLOW"),
        "{m}"
    );
    let m = err(
        r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_ABOUT"}]}]}"#,
    );
    assert!(
        m.contains("SCMP_CMP_ABOUT") && m.contains("SCMP_CMP_MASKED_EQ"),
        "{m}"
    );
    let m = err(
        r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}"#,
    );
    assert!(m.contains("index 6"), "{m}");
    let m = err(
        r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"name":"read","names":["write"],"action":"SCMP_ACT_ALLOW"}]}"#,
    );
    assert!(m.contains("both \"name\" and \"names\""), "{m}");
    let m = err(
        r#"{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86"],"archMap":[{"architecture":"SCMP_ARCH_X86_64"}]}"#,
    );
    assert!(m.contains("archMap"), "{m}");
    let m = err(r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [}"#);
    assert!(m.starts_with("invalid seccomp profile"), "{m}");
    let m = err(r#"{"defaultAction":"SCMP_ACT_NOTIFY"}"#);
    assert!(m.contains("listenerPath"), "{m}");
    let m = err(r#"{"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}"#);
    assert!(m.contains("defaultAction"), "{m}");
}

#[test]
fn single_name_field_and_null_lists_are_accepted() {
    let p = Profile::parse(
        br#"{"defaultAction":"SCMP_ACT_KILL_PROCESS","architectures":null,"syscalls":[{"name":"getpid","action":"SCMP_ACT_ALLOW","args":null,"includes":null}]}"#,
    )
    .unwrap();
    let f = p.resolve(CapSet::EMPTY, Arch::X86_64, KERNEL).unwrap();
    assert_eq!(f.arches, vec![Arch::X86_64]);
    assert_eq!(f.rules[0].names, ["getpid"]);
}

#[test]
fn empty_profile_disables_seccomp() {
    assert!(Profile::parse(b"{}").unwrap().is_disabled());
    assert!(!Profile::docker_default().is_disabled());
}

// ---- the compiled program ----

#[test]
fn getpid_is_allowed_on_every_x86_abi() {
    let p = default_program(default_caps());
    for arch in [Arch::X86_64, Arch::X86, Arch::X32] {
        assert_eq!(
            p.evaluate(&call(arch, "getpid", &[])),
            SECCOMP_RET_ALLOW,
            "{arch:?}"
        );
    }
}

#[test]
fn settimeofday_is_eperm_without_sys_time_and_allowed_with_it() {
    let d = call(Arch::X86_64, "settimeofday", &[]);
    assert_eq!(default_program(default_caps()).evaluate(&d), EPERM_RET);
    assert_eq!(
        default_program(with("SYS_TIME")).evaluate(&d),
        SECCOMP_RET_ALLOW
    );
}

#[test]
fn clone_with_namespace_flags_is_eperm_without_sys_admin() {
    let p = default_program(default_caps());
    let thread_flags = (libc::CLONE_VM | libc::CLONE_FS | libc::CLONE_THREAD) as u64;
    assert_eq!(
        p.evaluate(&call(Arch::X86_64, "clone", &[thread_flags])),
        SECCOMP_RET_ALLOW
    );
    assert_eq!(
        p.evaluate(&call(Arch::X86_64, "clone", &[CLONE_NEWUSER | 17])),
        EPERM_RET
    );
    assert_eq!(
        p.evaluate(&call(Arch::X86_64, "unshare", &[CLONE_NEWUSER])),
        EPERM_RET
    );
    assert_eq!(p.evaluate(&call(Arch::X86_64, "clone3", &[])), ENOSYS_RET);
    let admin = default_program(with("SYS_ADMIN"));
    assert_eq!(
        admin.evaluate(&call(Arch::X86_64, "clone", &[CLONE_NEWUSER])),
        SECCOMP_RET_ALLOW
    );
    assert_eq!(
        admin.evaluate(&call(Arch::X86_64, "clone3", &[])),
        SECCOMP_RET_ALLOW
    );
}

#[test]
fn socket_refuses_af_vsock_and_allows_ordinary_families() {
    let p = default_program(default_caps());
    let sock = |family: u64| p.evaluate(&call(Arch::X86_64, "socket", &[family, 1, 0]));
    assert_eq!(sock(libc::AF_INET as u64), SECCOMP_RET_ALLOW);
    assert_eq!(sock(libc::AF_UNIX as u64), SECCOMP_RET_ALLOW);
    assert_eq!(sock(39), SECCOMP_RET_ALLOW);
    assert_eq!(sock(41), SECCOMP_RET_ALLOW);
    assert_eq!(sock(libc::AF_VSOCK as u64), EPERM_RET);
    assert_eq!(sock(38), EPERM_RET);
}

#[test]
fn personality_compares_all_64_bits() {
    let p = default_program(default_caps());
    let pers = |v: u64| p.evaluate(&call(Arch::X86_64, "personality", &[v]));
    assert_eq!(pers(0xffff_ffff), SECCOMP_RET_ALLOW);
    assert_eq!(pers(0x2_0008), SECCOMP_RET_ALLOW);
    assert_eq!(pers(0xffff_ffff_ffff_ffff), EPERM_RET);
    assert_eq!(pers(0x1_0000_0000), EPERM_RET);
    assert_eq!(pers(0x0040_0000), EPERM_RET);
}

#[test]
fn wrong_architecture_is_killed() {
    let p = default_program(default_caps());
    let mut d = call(Arch::X86_64, "getpid", &[]);
    d.arch = Arch::Aarch64.audit_arch();
    assert_eq!(p.evaluate(&d), SECCOMP_RET_KILL_PROCESS);
}

#[test]
fn x32_syscalls_are_killed_when_the_profile_does_not_list_x32() {
    let p = Profile::parse(
        br#"{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ALLOW"}]}"#,
    )
    .unwrap();
    let prog = Program::compile(&p.resolve(CapSet::EMPTY, Arch::X86_64, KERNEL).unwrap()).unwrap();
    assert_eq!(
        prog.evaluate(&call(Arch::X86_64, "getpid", &[])),
        SECCOMP_RET_ALLOW
    );
    assert_eq!(
        prog.evaluate(&call(Arch::X32, "getpid", &[])),
        SECCOMP_RET_KILL_PROCESS
    );
    assert_eq!(
        prog.evaluate(&call(Arch::X86, "getpid", &[])),
        SECCOMP_RET_KILL_PROCESS
    );
}

#[test]
fn unlisted_syscall_gets_the_default_action() {
    let p = default_program(default_caps());
    let mut d = call(Arch::X86_64, "getpid", &[]);
    d.nr = 9999;
    assert_eq!(p.evaluate(&d), EPERM_RET);
    assert_eq!(
        p.evaluate(&call(Arch::X86_64, "kexec_load", &[])),
        EPERM_RET
    );
}

#[test]
fn compiled_default_program_agrees_with_the_rules_for_every_syscall() {
    for caps in [
        default_caps(),
        CapSet::EMPTY,
        CapSet::all(),
        with("SYS_TIME"),
    ] {
        let filter = default_filter(caps);
        let prog = Program::compile(&filter).unwrap();
        assert!(prog.len() <= MAX_INSNS);
        for arch in [Arch::X86_64, Arch::X86, Arch::X32] {
            for (name, _) in arch.table().unwrap() {
                for arg0 in [0u64, 2, 40, CLONE_NEWUSER, 0xffff_ffff, u64::MAX] {
                    let d = call(arch, name, &[arg0]);
                    assert_eq!(
                        prog.evaluate(&d),
                        reference(&filter, &d),
                        "{arch:?} {name}({arg0:#x}) caps {:#x}",
                        caps.bits()
                    );
                }
            }
        }
    }
}

#[test]
fn every_syscall_number_listed_or_not_gets_the_rules_action_and_the_program_stays_short() {
    let filter = default_filter(default_caps());
    let prog = Program::compile(&filter).unwrap();
    // Three ABIs in ~730 instructions (a leaf per syscall made ~2200): runs of numbers with
    // one outcome share a leaf.
    assert!(prog.len() < 800, "{} instructions", prog.len());
    for (arch, base) in [
        (Arch::X86_64, 0),
        (Arch::X86, 0),
        (Arch::X32, X32_SYSCALL_BIT),
    ] {
        for nr in (0..1100).map(|n| base + n).chain([base + 0xffff, u32::MAX]) {
            let d = SeccompData {
                nr,
                arch: arch.audit_arch(),
                instruction_pointer: 0,
                args: [0; 6],
            };
            assert_eq!(
                prog.evaluate(&d),
                reference(&filter, &d),
                "{arch:?} nr {nr}"
            );
        }
    }
}

#[test]
fn every_comparison_operator_matches_64_bit_semantics() {
    let values: [u64; 9] = [
        0,
        1,
        0xffff_ffff,
        0x1_0000_0000,
        0x1_0000_0001,
        0x7fff_ffff_ffff_ffff,
        0x8000_0000_0000_0000,
        u64::MAX - 1,
        u64::MAX,
    ];
    for op in [
        "SCMP_CMP_EQ",
        "SCMP_CMP_NE",
        "SCMP_CMP_LT",
        "SCMP_CMP_LE",
        "SCMP_CMP_GT",
        "SCMP_CMP_GE",
        "SCMP_CMP_MASKED_EQ",
    ] {
        for v in values {
            let src = format!(
                r#"{{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],
                  "syscalls":[{{"names":["read"],"action":"SCMP_ACT_ALLOW",
                  "args":[{{"index":2,"value":{v},"valueTwo":{},"op":"{op}"}}]}}]}}"#,
                v & 0xffff_0000_ffff_0000
            );
            let filter = Profile::parse(src.as_bytes())
                .unwrap()
                .resolve(CapSet::EMPTY, Arch::X86_64, KERNEL)
                .unwrap();
            let prog = Program::compile(&filter).unwrap();
            for a in values {
                let d = call(Arch::X86_64, "read", &[0, 0, a]);
                assert_eq!(
                    prog.evaluate(&d),
                    reference(&filter, &d),
                    "{op} value {v:#x} arg {a:#x}"
                );
            }
        }
    }
}

#[test]
fn far_jumps_are_widened_in_a_large_program() {
    // Many argument rules on one syscall push the targets of the tree beyond 255 instructions.
    let rules: Vec<String> = (0..120)
        .map(|i| {
            format!(
                r#"{{"names":["ioctl"],"action":"SCMP_ACT_ALLOW","args":[{{"index":1,"value":{i},"op":"SCMP_CMP_EQ"}}]}}"#
            )
        })
        .collect();
    let src = format!(
        r#"{{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],"syscalls":[
           {{"names":["read","write","openat","close","mmap","getpid","exit_group","brk"],"action":"SCMP_ACT_ALLOW"}},
           {}]}}"#,
        rules.join(",")
    );
    let filter = Profile::parse(src.as_bytes())
        .unwrap()
        .resolve(CapSet::EMPTY, Arch::X86_64, KERNEL)
        .unwrap();
    let prog = Program::compile(&filter).unwrap();
    assert!(prog.len() > 600);
    assert!(prog.instructions().iter().any(|i| i.code == 0x05), "no ja");
    for nr in 0..20u32 {
        for arg in [0u64, 7, 119, 120, 1 << 33] {
            let mut d = call(Arch::X86_64, "ioctl", &[3, arg]);
            d.nr = if nr == 0 { d.nr } else { nr };
            assert_eq!(
                prog.evaluate(&d),
                reference(&filter, &d),
                "nr {nr} arg {arg}"
            );
        }
    }
}

#[test]
fn rules_with_the_default_action_are_dropped_and_conflicts_refused() {
    let p = Profile::parse(
        br#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
            {"names":["getpid"],"action":"SCMP_ACT_ALLOW"},
            {"names":["mkdir"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}"#,
    )
    .unwrap();
    let prog = Program::compile(&p.resolve(CapSet::EMPTY, Arch::X86_64, KERNEL).unwrap()).unwrap();
    assert_eq!(
        prog.evaluate(&call(Arch::X86_64, "mkdir", &[])),
        SECCOMP_RET_ERRNO | 13
    );
    assert_eq!(
        prog.evaluate(&call(Arch::X86_64, "getpid", &[])),
        SECCOMP_RET_ALLOW
    );
    let conflict = Profile::parse(
        br#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
            {"names":["mkdir"],"action":"SCMP_ACT_ALLOW"},
            {"names":["mkdir"],"action":"SCMP_ACT_KILL_PROCESS"}]}"#,
    )
    .unwrap();
    let m = Program::compile(
        &conflict
            .resolve(CapSet::EMPTY, Arch::X86_64, KERNEL)
            .unwrap(),
    )
    .unwrap_err()
    .to_string();
    assert!(m.contains("mkdir"), "{m}");
}

#[test]
fn actions_map_to_kernel_return_values() {
    let p = Profile::parse(
        br#"{"defaultAction":"SCMP_ACT_LOG","syscalls":[
            {"names":["read"],"action":"SCMP_ACT_TRAP"},
            {"names":["write"],"action":"SCMP_ACT_KILL"},
            {"names":["close"],"action":"SCMP_ACT_KILL_PROCESS"},
            {"names":["openat"],"action":"SCMP_ACT_ERRNO"},
            {"names":["getpid"],"action":"SCMP_ACT_ALLOW"}]}"#,
    )
    .unwrap();
    let prog = Program::compile(&p.resolve(CapSet::EMPTY, Arch::X86_64, KERNEL).unwrap()).unwrap();
    let ret = |n: &str| prog.evaluate(&call(Arch::X86_64, n, &[]));
    assert_eq!(ret("read"), SECCOMP_RET_TRAP);
    assert_eq!(ret("write"), SECCOMP_RET_KILL_THREAD);
    assert_eq!(ret("close"), SECCOMP_RET_KILL_PROCESS);
    assert_eq!(ret("openat"), EPERM_RET);
    assert_eq!(ret("getpid"), SECCOMP_RET_ALLOW);
    assert_eq!(ret("mkdir"), SECCOMP_RET_LOG);
}

#[test]
fn program_bytes_round_trip() {
    let p = default_program(default_caps());
    let back = Program::from_bytes(&p.to_bytes()).unwrap();
    assert_eq!(back, p);
    assert_eq!(back.digest(), p.digest());
}

#[test]
fn from_bytes_rejects_programs_the_kernel_or_the_interpreter_would_choke_on() {
    let bytes = default_program(default_caps()).to_bytes();
    assert!(Program::from_bytes(&bytes[..bytes.len() - 3]).is_err());
    assert!(
        Program::from_bytes(&bytes[..bytes.len() - 8]).is_err(),
        "last ret cut"
    );
    assert!(Program::from_bytes(&[0, 0, 0, 0]).is_err(), "empty");
    // ld arch; jeq +200 (past the end); ret
    let mut bad = vec![0u8; 4];
    for (code, jt, jf, k) in [
        (0x20u16, 0u8, 0u8, 4u32),
        (0x15, 200, 0, 1),
        (0x06, 0, 0, 0),
    ] {
        bad.extend_from_slice(&code.to_le_bytes());
        bad.extend_from_slice(&[jt, jf]);
        bad.extend_from_slice(&k.to_le_bytes());
    }
    let m = Program::from_bytes(&bad).unwrap_err().to_string();
    assert!(m.contains("instruction 1"), "{m}");
}

// ---- the cache ----

#[test]
fn cache_miss_compiles_and_stores_then_hits() {
    let dir = tempfile::tempdir().unwrap();
    let src = DEFAULT_PROFILE.as_bytes();
    let (first, o1) = load_cached_traced(dir.path(), src, default_caps()).unwrap();
    assert_eq!(o1, CacheOutcome::Miss);
    let files: Vec<_> = std::fs::read_dir(dir.path().join("seccomp"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(files.len(), 1);
    assert!(
        files[0].ends_with(".bpf") && files[0].len() == 64 + 4,
        "{files:?}"
    );
    let (second, o2) = load_cached_traced(dir.path(), src, default_caps()).unwrap();
    assert_eq!(o2, CacheOutcome::Hit);
    assert_eq!(first, second);
    assert_eq!(first.unwrap(), default_program(default_caps()));
}

#[test]
fn cache_key_depends_on_caps_profile_and_kernel() {
    let src = DEFAULT_PROFILE.as_bytes();
    let k = cache::cache_key(src, default_caps(), Arch::X86_64, KERNEL);
    assert_ne!(
        k,
        cache::cache_key(src, with("SYS_TIME"), Arch::X86_64, KERNEL)
    );
    assert_ne!(
        k,
        cache::cache_key(b"{}", default_caps(), Arch::X86_64, KERNEL)
    );
    assert_ne!(
        k,
        cache::cache_key(src, default_caps(), Arch::X86_64, (4, 4))
    );
    assert_ne!(
        k,
        cache::cache_key(src, default_caps(), Arch::Aarch64, KERNEL)
    );
}

#[test]
fn corrupt_cache_file_is_recompiled_and_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let src = DEFAULT_PROFILE.as_bytes();
    let (good, _) = load_cached_traced(dir.path(), src, default_caps()).unwrap();
    let key = cache::cache_key(
        src,
        default_caps(),
        Arch::native().unwrap(),
        kernel_version(),
    );
    let path = cache::cache_path(dir.path(), &key);
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x40;
    std::fs::write(&path, &bytes).unwrap();
    let (again, o) = load_cached_traced(dir.path(), src, default_caps()).unwrap();
    assert_eq!(o, CacheOutcome::Rebuilt);
    assert_eq!(again, good);
    std::fs::write(&path, b"garbage").unwrap();
    assert_eq!(
        load_cached_traced(dir.path(), src, default_caps())
            .unwrap()
            .1,
        CacheOutcome::Rebuilt
    );
    assert_eq!(
        load_cached_traced(dir.path(), src, default_caps())
            .unwrap()
            .1,
        CacheOutcome::Hit
    );
}

#[test]
fn disabled_and_invalid_profiles_leave_no_cache_file() {
    let dir = tempfile::tempdir().unwrap();
    let (p, o) = load_cached_traced(dir.path(), b"{}", default_caps()).unwrap();
    assert!(p.is_none());
    assert_eq!(o, CacheOutcome::Disabled);
    assert!(load_cached(dir.path(), b"{nope", default_caps()).is_err());
    assert!(!dir.path().join("seccomp").exists());
}

#[test]
fn profile_source_selects_default_unconfined_or_a_file() {
    assert_eq!(
        profile_source(None).unwrap().unwrap().as_ref(),
        DEFAULT_PROFILE.as_bytes()
    );
    assert!(profile_source(Some("unconfined")).unwrap().is_none());
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("p.json");
    std::fs::write(&f, b"{\"defaultAction\":\"SCMP_ACT_ALLOW\"}").unwrap();
    assert_eq!(
        profile_source(Some(f.to_str().unwrap()))
            .unwrap()
            .unwrap()
            .as_ref(),
        b"{\"defaultAction\":\"SCMP_ACT_ALLOW\"}"
    );
    let m = profile_source(Some("/nonexistent/p.json"))
        .unwrap_err()
        .to_string();
    assert!(m.contains("/nonexistent/p.json"), "{m}");
}

// ---- the real kernel ----

/// Runs `checks` in a forked child after installing `prog` and returns the child's exit code
/// (0: every check passed; otherwise the number of the failed check). The child only makes
/// syscalls: the test harness is multi-threaded.
fn in_filtered_child(prog: &Program, checks: fn() -> i32) -> i32 {
    // SAFETY: the child runs only async-signal-safe syscalls and _exit.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        let code = if set_no_new_privs().is_err() {
            100
        } else if prog.install().is_err() {
            101
        } else {
            checks()
        };
        // SAFETY: _exit is async-signal-safe.
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    // SAFETY: reaping our own child.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(
        libc::WIFEXITED(status),
        "child died from signal {}",
        libc::WTERMSIG(status)
    );
    libc::WEXITSTATUS(status)
}

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

fn default_profile_checks() -> i32 {
    // SAFETY: raw syscalls with harmless arguments: settimeofday(NULL, NULL) changes nothing,
    // CLOCK_MONOTONIC cannot be set, and clone3 gets no arguments.
    unsafe {
        let ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        if libc::syscall(libc::SYS_clock_settime, libc::CLOCK_MONOTONIC, &ts) != -1
            || errno() != libc::EPERM
        {
            return 1;
        }
        if libc::syscall(
            libc::SYS_settimeofday,
            std::ptr::null::<u8>(),
            std::ptr::null::<u8>(),
        ) != -1
            || errno() != libc::EPERM
        {
            return 2;
        }
        if libc::syscall(libc::SYS_getpid) <= 0 {
            return 3;
        }
        if libc::syscall(libc::SYS_unshare, libc::CLONE_NEWUSER) != -1 || errno() != libc::EPERM {
            return 4;
        }
        if libc::syscall(libc::SYS_clone3, std::ptr::null::<u8>(), 0) != -1
            || errno() != libc::ENOSYS
        {
            return 5;
        }
        if libc::syscall(libc::SYS_socket, libc::AF_VSOCK, libc::SOCK_STREAM, 0) != -1
            || errno() != libc::EPERM
        {
            return 6;
        }
        let fd = libc::syscall(libc::SYS_socket, libc::AF_UNIX, libc::SOCK_STREAM, 0);
        if fd < 0 {
            return 7;
        }
        libc::close(fd as i32);
    }
    0
}

#[test]
fn kernel_enforces_the_default_program() {
    let prog = default_program(default_caps());
    assert_eq!(in_filtered_child(&prog, default_profile_checks), 0);
}

#[test]
fn kernel_enforces_a_cached_program() {
    let dir = tempfile::tempdir().unwrap();
    let src = DEFAULT_PROFILE.as_bytes();
    load_cached(dir.path(), src, default_caps()).unwrap();
    let (prog, o) = load_cached_traced(dir.path(), src, default_caps()).unwrap();
    assert_eq!(o, CacheOutcome::Hit);
    assert_eq!(in_filtered_child(&prog.unwrap(), default_profile_checks), 0);
}

#[test]
fn kernel_lets_clock_settime_through_with_sys_time() {
    // With SYS_TIME the filter lets clock_settime through: the kernel itself answers EINVAL for
    // a clock that cannot be set, proving the call was not filtered.
    fn checks() -> i32 {
        let ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: CLOCK_MONOTONIC cannot be set; the call changes nothing.
        let rc = unsafe { libc::syscall(libc::SYS_clock_settime, libc::CLOCK_MONOTONIC, &ts) };
        if rc == -1 && errno() == libc::EINVAL {
            0
        } else {
            1
        }
    }
    let prog = default_program(with("SYS_TIME"));
    assert_eq!(in_filtered_child(&prog, checks), 0);
}

/// With no-new-privileges=false the filter is installed before the user switch (runc's order):
/// docker's profile must then let berth finish its set-up, for root and for a container that
/// dropped every capability.
#[test]
fn dockers_profile_allows_what_berth_does_after_an_early_install() {
    // fork(): glibc's clone flags, no namespace among them.
    let fork_flags = (libc::SIGCHLD | libc::CLONE_CHILD_SETTID | libc::CLONE_CHILD_CLEARTID) as u64;
    for caps in [default_caps(), CapSet::default()] {
        let prog = default_program(caps);
        for name in AFTER_EARLY_INSTALL {
            let args: &[u64] = if *name == "clone" { &[fork_flags] } else { &[] };
            assert_eq!(
                prog.evaluate(&call(Arch::X86_64, name, args)),
                SECCOMP_RET_ALLOW,
                "{name} with {caps:?}"
            );
        }
    }
}
