//! Compiling a resolved [`Filter`] to classic BPF, and the compiled [`Program`].
//!
//! Layout of a program:
//! ```text
//!   ld arch; jeq AUDIT_ARCH_A → section A; jeq AUDIT_ARCH_B → section B; …; ret KILL_PROCESS
//! section (per audit arch):
//!   ld nr
//!   [x86_64 only: nr ≥ X32_SYSCALL_BIT → the x32 tree, or KILL_PROCESS without x32]
//!   binary search tree on nr (jge) over runs of numbers with one outcome; a leaf is
//!   `ret action`, or the block of a syscall with argument rules:
//! block (per syscall):
//!   for each conditional rule in profile order: the argument checks, `ret action`
//!   ret <the unconditional rule's action, or default>
//! ```
//! A lookup costs about seven comparisons. Classic BPF jumps only forward and a
//! conditional jump reaches 255 instructions, so code is emitted with labels and a far
//! conditional jump is rewritten as `jcond +0/+1; ja true; ja false` until the layout settles.
//!
//! Rule semantics where libseccomp leaves room: rules whose action equals the default are dropped
//! (libseccomp refuses them, runc skips them); conditional rules are tried in profile order
//! before the syscall's unconditional rule; two unconditional rules with different actions for
//! one syscall are an error.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::profile::{ArgCmp, CmpOp, Filter, SECCOMP_RET_KILL_PROCESS};
use super::{Arch, SeccompError, X32_SYSCALL_BIT};

/// The kernel's limit on a classic BPF program (BPF_MAXINSNS).
pub const MAX_INSNS: usize = 4096;

const BPF_LD_W_ABS: u16 = 0x20;
const BPF_ALU_AND_K: u16 = 0x54;
const BPF_JA: u16 = 0x05;
const BPF_JEQ_K: u16 = 0x15;
const BPF_JGT_K: u16 = 0x25;
const BPF_JGE_K: u16 = 0x35;
const BPF_RET_K: u16 = 0x06;

const OFF_NR: u32 = 0;
const OFF_ARCH: u32 = 4;
const OFF_ARGS: u32 = 16;

/// A syscall as the kernel hands it to a filter (`struct seccomp_data`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeccompData {
    pub nr: u32,
    pub arch: u32,
    pub instruction_pointer: u64,
    pub args: [u64; 6],
}

impl SeccompData {
    /// `seccomp_data` as it sits in memory (little-endian on the architectures berth supports).
    fn word(&self, off: u32) -> Option<u32> {
        let low = |v: u64| v as u32;
        let high = |v: u64| (v >> 32) as u32;
        let v = match off {
            0 => self.nr,
            4 => self.arch,
            8 => low(self.instruction_pointer),
            12 => high(self.instruction_pointer),
            o if (16..64).contains(&o) && o % 4 == 0 => {
                let a = self.args[((o - 16) / 8) as usize];
                if (o - 16) % 8 == 0 {
                    low(a)
                } else {
                    high(a)
                }
            }
            _ => return None,
        };
        Some(v)
    }
}

/// A compiled, ready-to-install seccomp filter.
#[derive(Debug, Clone)]
pub struct Program {
    insns: Vec<libc::sock_filter>,
    flags: u32,
}

impl PartialEq for Program {
    fn eq(&self, other: &Self) -> bool {
        self.to_bytes() == other.to_bytes()
    }
}

impl Eq for Program {}

impl Program {
    /// Compile a resolved filter.
    pub fn compile(filter: &Filter) -> Result<Program, SeccompError> {
        let insns = Compiler::default().program(filter)?;
        if insns.len() > MAX_INSNS {
            return Err(SeccompError::TooLarge(insns.len()));
        }
        Ok(Program {
            insns,
            flags: filter.flags,
        })
    }

    pub fn instructions(&self) -> &[libc::sock_filter] {
        &self.insns
    }

    pub fn len(&self) -> usize {
        self.insns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.insns.is_empty()
    }

    /// `SECCOMP_FILTER_FLAG_*` passed to `seccomp(2)`.
    pub fn flags(&self) -> u32 {
        self.flags
    }

    /// Serialized: the flags (u32 LE), then each instruction as the kernel lays it out (code u16,
    /// jt u8, jf u8, k u32; little-endian).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 + self.insns.len() * 8);
        out.extend_from_slice(&self.flags.to_le_bytes());
        for i in &self.insns {
            out.extend_from_slice(&i.code.to_le_bytes());
            out.push(i.jt);
            out.push(i.jf);
            out.extend_from_slice(&i.k.to_le_bytes());
        }
        out
    }

    /// The inverse of [`Program::to_bytes`], checking that the program is one the kernel accepts
    /// and that cannot fall off its end (every path ends in `ret`, every jump lands inside).
    pub fn from_bytes(bytes: &[u8]) -> Result<Program, SeccompError> {
        if bytes.len() < 4 || (bytes.len() - 4) % 8 != 0 {
            return Err(SeccompError::Corrupt(format!(
                "{} bytes is not 4 + a multiple of 8",
                bytes.len()
            )));
        }
        let flags = u32::from_le_bytes(bytes[..4].try_into().expect("4 bytes"));
        let insns: Vec<libc::sock_filter> = bytes[4..]
            .chunks_exact(8)
            .map(|c| libc::sock_filter {
                code: u16::from_le_bytes([c[0], c[1]]),
                jt: c[2],
                jf: c[3],
                k: u32::from_le_bytes([c[4], c[5], c[6], c[7]]),
            })
            .collect();
        validate(&insns)?;
        Ok(Program { insns, flags })
    }

    /// sha256 of [`Program::to_bytes`], for logs and tests.
    pub fn digest(&self) -> String {
        hex::encode(Sha256::digest(self.to_bytes()))
    }

    /// What the program returns for `data` — a userspace run of the filter, to explain a
    /// verdict or test one without a kernel.
    pub fn evaluate(&self, data: &SeccompData) -> u32 {
        let mut a: u32 = 0;
        let mut pc = 0usize;
        // `validate` guarantees every path reaches a `ret` inside the program.
        loop {
            let i = self.insns[pc];
            pc += 1;
            match i.code {
                BPF_LD_W_ABS => a = data.word(i.k).unwrap_or(0),
                BPF_ALU_AND_K => a &= i.k,
                BPF_JA => pc += i.k as usize,
                BPF_JEQ_K | BPF_JGT_K | BPF_JGE_K => {
                    let taken = match i.code {
                        BPF_JEQ_K => a == i.k,
                        BPF_JGT_K => a > i.k,
                        _ => a >= i.k,
                    };
                    pc += if taken { i.jt } else { i.jf } as usize;
                }
                BPF_RET_K => return i.k,
                _ => unreachable!("validate admits only the opcodes above"),
            }
        }
    }

    /// Install the filter on the calling thread (`seccomp(SECCOMP_SET_MODE_FILTER)`). Needs
    /// no_new_privs ([`super::set_no_new_privs`]) or CAP_SYS_ADMIN. Does not allocate, so it is
    /// safe between fork and exec.
    pub fn install(&self) -> Result<(), SeccompError> {
        let prog = libc::sock_fprog {
            len: self.insns.len() as libc::c_ushort,
            filter: self.insns.as_ptr() as *mut libc::sock_filter,
        };
        const SECCOMP_SET_MODE_FILTER: libc::c_ulong = 1;
        // SAFETY: `prog` points at our live instruction vector for the duration of the call.
        let rc = unsafe {
            libc::syscall(
                libc::SYS_seccomp,
                SECCOMP_SET_MODE_FILTER,
                self.flags as libc::c_ulong,
                &prog as *const libc::sock_fprog,
            )
        };
        if rc < 0 {
            return Err(SeccompError::Sys {
                step: "install the seccomp filter",
                source: std::io::Error::last_os_error(),
            });
        }
        Ok(())
    }
}

fn validate(insns: &[libc::sock_filter]) -> Result<(), SeccompError> {
    if insns.is_empty() || insns.len() > MAX_INSNS {
        return Err(SeccompError::Corrupt(format!(
            "{} instructions (must be 1 to {MAX_INSNS})",
            insns.len()
        )));
    }
    let n = insns.len();
    for (pc, i) in insns.iter().enumerate() {
        let lands = |off: usize| pc + 1 + off < n;
        let ok = match i.code {
            BPF_LD_W_ABS => i.k < 64 && i.k % 4 == 0,
            BPF_ALU_AND_K => true,
            BPF_JA => lands(i.k as usize),
            BPF_JEQ_K | BPF_JGT_K | BPF_JGE_K => lands(i.jt as usize) && lands(i.jf as usize),
            BPF_RET_K => true,
            _ => false,
        };
        let falls_off = pc + 1 == n && i.code != BPF_RET_K && i.code != BPF_JA;
        if !ok || falls_off {
            return Err(SeccompError::Corrupt(format!(
                "instruction {pc} (code {:#x}) is invalid or leaves the program",
                i.code
            )));
        }
    }
    Ok(())
}

/// A jump target, bound to a position once the code after it is emitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Label(usize);

#[derive(Debug, Clone, Copy)]
enum Op {
    Ld(u32),
    And(u32),
    /// A conditional jump; `far` once the layout found a target beyond 255.
    Jmp {
        code: u16,
        k: u32,
        t: Label,
        f: Label,
        far: bool,
    },
    Ret(u32),
    Bind(Label),
}

impl Op {
    fn size(&self) -> usize {
        match self {
            Op::Bind(_) => 0,
            Op::Jmp { far: true, .. } => 3,
            _ => 1,
        }
    }
}

#[derive(Default)]
struct Compiler {
    ops: Vec<Op>,
    labels: usize,
}

/// What a run of syscall numbers leads to: an action, or one syscall's argument checks.
enum Outcome<'a> {
    Ret(u32),
    Checks(&'a SyscallRules),
}

/// The rules of one syscall on one architecture.
#[derive(Default)]
struct SyscallRules {
    conditional: Vec<(Vec<ArgCmp>, u32)>,
    unconditional: Option<u32>,
}

impl Compiler {
    fn label(&mut self) -> Label {
        self.labels += 1;
        Label(self.labels - 1)
    }

    fn bind(&mut self, l: Label) {
        self.ops.push(Op::Bind(l));
    }

    fn jmp(&mut self, code: u16, k: u32, t: Label, f: Label) {
        self.ops.push(Op::Jmp {
            code,
            k,
            t,
            f,
            far: false,
        });
    }

    fn program(mut self, filter: &Filter) -> Result<Vec<libc::sock_filter>, SeccompError> {
        // Group the covered arches by the audit value the kernel reports.
        let mut sections: BTreeMap<u32, Vec<Arch>> = BTreeMap::new();
        for a in &filter.arches {
            sections.entry(a.audit_arch()).or_default().push(*a);
        }
        let mut tables = Vec::new();
        for (audit, arches) in &sections {
            let entry = self.label();
            tables.push((*audit, entry, arches.clone()));
        }
        self.ops.push(Op::Ld(OFF_ARCH));
        for (audit, entry, _) in &tables {
            let next = self.label();
            self.jmp(BPF_JEQ_K, *audit, *entry, next);
            self.bind(next);
        }
        self.ops.push(Op::Ret(SECCOMP_RET_KILL_PROCESS));
        for (_, entry, arches) in tables {
            self.bind(entry);
            self.ops.push(Op::Ld(OFF_NR));
            let x64 = arches.contains(&Arch::X86_64);
            let x32 = arches.contains(&Arch::X32);
            if x64 || x32 {
                let (low, high) = (self.label(), self.label());
                self.jmp(BPF_JGE_K, X32_SYSCALL_BIT, high, low);
                self.bind(low);
                self.arch_tree(filter, x64.then_some(Arch::X86_64))?;
                self.bind(high);
                self.arch_tree(filter, x32.then_some(Arch::X32))?;
            } else {
                self.arch_tree(filter, Some(arches[0]))?;
            }
        }
        self.assemble()
    }

    /// The lookup tree of one architecture; `None`: refuse every syscall of this number range.
    fn arch_tree(&mut self, filter: &Filter, arch: Option<Arch>) -> Result<(), SeccompError> {
        let Some(arch) = arch else {
            self.ops.push(Op::Ret(SECCOMP_RET_KILL_PROCESS));
            return Ok(());
        };
        let mut by_nr: BTreeMap<u32, (String, SyscallRules)> = BTreeMap::new();
        for rule in &filter.rules {
            if rule.ret == filter.default_ret {
                continue;
            }
            for name in &rule.names {
                let Some(nr) = super::syscall_number(arch, name) else {
                    continue;
                };
                let (_, rules) = by_nr
                    .entry(nr)
                    .or_insert_with(|| (name.clone(), SyscallRules::default()));
                if rule.args.is_empty() {
                    match rules.unconditional {
                        Some(r) if r != rule.ret => {
                            return Err(SeccompError::Invalid(format!(
                                "syscall {name} has two rules without arguments and with different actions: keep one"
                            )))
                        }
                        _ => rules.unconditional = Some(rule.ret),
                    }
                } else {
                    rules.conditional.push((rule.args.clone(), rule.ret));
                }
            }
        }
        let entries: Vec<(u32, SyscallRules)> =
            by_nr.into_iter().map(|(nr, (_, r))| (nr, r)).collect();
        self.tree(&entries, filter.default_ret);
        Ok(())
    }

    /// A binary search on the syscall number in A over runs of numbers that share an outcome:
    /// every number from 0 up is in exactly one run, a run of unconditional numbers (and the
    /// unlisted ones between them) with one action is one leaf, and a syscall with argument
    /// rules is a run of its own whose leaf holds its checks. Most of a profile allows, so a
    /// few dozen runs cover ~400 numbers: a short program that the kernel checks and JITs
    /// quickly at every container start, and a lookup of about seven comparisons.
    fn tree(&mut self, entries: &[(u32, SyscallRules)], default_ret: u32) {
        fn push<'a>(runs: &mut Vec<(u32, Outcome<'a>)>, start: u32, outcome: Outcome<'a>) {
            match (runs.last(), &outcome) {
                (Some((_, Outcome::Ret(a))), Outcome::Ret(b)) if a == b => {}
                _ => runs.push((start, outcome)),
            }
        }
        let mut runs: Vec<(u32, Outcome)> = Vec::new();
        let mut next = 0u32;
        for (nr, rules) in entries {
            if *nr > next {
                push(&mut runs, next, Outcome::Ret(default_ret));
            }
            push(
                &mut runs,
                *nr,
                if rules.conditional.is_empty() {
                    Outcome::Ret(rules.unconditional.unwrap_or(default_ret))
                } else {
                    Outcome::Checks(rules)
                },
            );
            next = nr + 1;
        }
        push(&mut runs, next, Outcome::Ret(default_ret));
        self.runs(&runs, default_ret);
    }

    fn runs(&mut self, runs: &[(u32, Outcome)], default_ret: u32) {
        if let [(_, outcome)] = runs {
            match outcome {
                Outcome::Ret(ret) => self.ops.push(Op::Ret(*ret)),
                Outcome::Checks(rules) => {
                    for (args, ret) in &rules.conditional {
                        let fail = self.label();
                        for cmp in args {
                            self.arg_check(cmp, fail);
                        }
                        self.ops.push(Op::Ret(*ret));
                        self.bind(fail);
                    }
                    self.ops
                        .push(Op::Ret(rules.unconditional.unwrap_or(default_ret)));
                }
            }
            return;
        }
        let mid = runs.len() / 2;
        let (left, right) = (self.label(), self.label());
        self.jmp(BPF_JGE_K, runs[mid].0, right, left);
        self.bind(left);
        self.runs(&runs[..mid], default_ret);
        self.bind(right);
        self.runs(&runs[mid..], default_ret);
    }

    /// Falls through when `cmp` holds for the 64-bit argument, jumps to `fail` otherwise. The
    /// argument is compared as its high and low 32-bit halves (BPF registers are 32-bit).
    fn arg_check(&mut self, cmp: &ArgCmp, fail: Label) {
        let lo_off = OFF_ARGS + 8 * cmp.index as u32;
        let hi_off = lo_off + 4;
        let (vh, vl) = ((cmp.value >> 32) as u32, cmp.value as u32);
        let ok = self.label();
        let c1 = self.label();
        let c2 = self.label();
        match cmp.op {
            CmpOp::Eq | CmpOp::Ne => {
                let (t, f) = if cmp.op == CmpOp::Eq {
                    (ok, fail)
                } else {
                    (fail, ok)
                };
                self.ops.push(Op::Ld(hi_off));
                self.jmp(BPF_JEQ_K, vh, c1, f);
                self.bind(c1);
                self.ops.push(Op::Ld(lo_off));
                self.jmp(BPF_JEQ_K, vl, t, f);
            }
            CmpOp::MaskedEq => {
                let (dh, dl) = ((cmp.value_two >> 32) as u32, cmp.value_two as u32);
                self.ops.push(Op::Ld(hi_off));
                self.ops.push(Op::And(vh));
                self.jmp(BPF_JEQ_K, dh, c1, fail);
                self.bind(c1);
                self.ops.push(Op::Ld(lo_off));
                self.ops.push(Op::And(vl));
                self.jmp(BPF_JEQ_K, dl, ok, fail);
            }
            CmpOp::Gt | CmpOp::Ge => {
                // hi > vh, or hi == vh and lo > vl (lo >= vl).
                self.ops.push(Op::Ld(hi_off));
                self.jmp(BPF_JGT_K, vh, ok, c1);
                self.bind(c1);
                self.jmp(BPF_JEQ_K, vh, c2, fail);
                self.bind(c2);
                self.ops.push(Op::Ld(lo_off));
                let code = if cmp.op == CmpOp::Gt {
                    BPF_JGT_K
                } else {
                    BPF_JGE_K
                };
                self.jmp(code, vl, ok, fail);
            }
            CmpOp::Lt | CmpOp::Le => {
                // hi < vh, or hi == vh and lo < vl (lo <= vl).
                self.ops.push(Op::Ld(hi_off));
                self.jmp(BPF_JGE_K, vh, c1, ok);
                self.bind(c1);
                self.jmp(BPF_JEQ_K, vh, c2, fail);
                self.bind(c2);
                self.ops.push(Op::Ld(lo_off));
                let code = if cmp.op == CmpOp::Lt {
                    BPF_JGE_K
                } else {
                    BPF_JGT_K
                };
                self.jmp(code, vl, fail, ok);
            }
        }
        self.bind(ok);
    }

    /// Resolve labels to offsets, widening far conditional jumps until the layout is stable.
    fn assemble(mut self) -> Result<Vec<libc::sock_filter>, SeccompError> {
        let positions = loop {
            let mut pos = vec![usize::MAX; self.labels];
            let mut at = 0;
            for op in &self.ops {
                if let Op::Bind(l) = op {
                    pos[l.0] = at;
                }
                at += op.size();
            }
            let mut changed = false;
            let mut at = 0;
            for op in self.ops.iter_mut() {
                // Sizes as `pos` was computed with: a jump widened now moves labels next round.
                let size = op.size();
                if let Op::Jmp {
                    t,
                    f,
                    far: far @ false,
                    ..
                } = op
                {
                    let reach = |l: &Label| pos[l.0] - (at + 1);
                    if reach(t) > 255 || reach(f) > 255 {
                        *far = true;
                        changed = true;
                    }
                }
                at += size;
            }
            if !changed {
                break pos;
            }
        };
        let ins = |code, jt, jf, k| libc::sock_filter { code, jt, jf, k };
        let mut out = Vec::new();
        for op in &self.ops {
            let at = out.len();
            // Every label is bound after its uses (code only jumps forward).
            let off = |l: &Label, from: usize| {
                debug_assert!(positions[l.0] != usize::MAX && positions[l.0] > from);
                positions[l.0] - (from + 1)
            };
            match op {
                Op::Bind(_) => {}
                Op::Ld(k) => out.push(ins(BPF_LD_W_ABS, 0, 0, *k)),
                Op::And(k) => out.push(ins(BPF_ALU_AND_K, 0, 0, *k)),
                Op::Ret(k) => out.push(ins(BPF_RET_K, 0, 0, *k)),
                Op::Jmp {
                    code,
                    k,
                    t,
                    f,
                    far: false,
                } => out.push(ins(*code, off(t, at) as u8, off(f, at) as u8, *k)),
                Op::Jmp {
                    code,
                    k,
                    t,
                    f,
                    far: true,
                } => {
                    out.push(ins(*code, 0, 1, *k));
                    out.push(ins(BPF_JA, 0, 0, off(t, at + 1) as u32));
                    out.push(ins(BPF_JA, 0, 0, off(f, at + 2) as u32));
                }
            }
        }
        validate(&out)?;
        Ok(out)
    }
}
