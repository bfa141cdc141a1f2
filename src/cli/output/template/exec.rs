//! The executor: walks the tree over a JSON value, following Go's text/template/exec.go.
//!
//! Values are `Option<Value>`; None is Go's "no value" (an absent map key), which prints as
//! `<no value>`, is false, and ranges over nothing.

use std::collections::BTreeMap;

use serde_json::Value;

use super::funcs::{self, CallError};
use super::parse::{Command, Node, Operand, Pipeline, Span};
use super::TemplateError;
use crate::cli::output::gofmt;

type Val = Option<Value>;
type R<T> = Result<T, TemplateError>;

/// How a walk ended: normally, or by `{{break}}` / `{{continue}}` inside a range.
#[derive(Debug, PartialEq, Eq)]
enum Flow {
    Normal,
    Break,
    Continue,
}

/// Rendering a table header instead of a row: every field path evaluates to its column
/// header, and the formatting functions docker neutralises pass it through unchanged.
pub(super) type HeaderNamer<'a> = &'a dyn Fn(&[String]) -> String;

pub(super) struct Exec<'a> {
    src: &'a str,
    vars: Vec<(String, Val)>,
    pub out: String,
    header: Option<HeaderNamer<'a>>,
}

impl<'a> Exec<'a> {
    pub fn new(src: &'a str, root: Val, header: Option<HeaderNamer<'a>>) -> Exec<'a> {
        Exec {
            src,
            vars: vec![("$".to_string(), root)],
            out: String::new(),
            header,
        }
    }

    pub fn run(&mut self, nodes: &[Node], dot: &Val) -> R<()> {
        self.walk(nodes, dot).map(|_| ())
    }

    /// Go's error context: `template: :LINE:COL: executing "" at <NODE>: MESSAGE`.
    fn error(&self, span: Span, message: impl Into<String>) -> TemplateError {
        let before = &self.src[..span.start];
        let line = before.matches('\n').count() + 1;
        let col = match before.rfind('\n') {
            Some(nl) => span.start - nl - 1,
            None => span.start,
        };
        TemplateError::Exec {
            line,
            col,
            context: self.src[span.start..span.end].to_string(),
            message: message.into(),
        }
    }

    fn walk(&mut self, nodes: &[Node], dot: &Val) -> R<Flow> {
        for node in nodes {
            let flow = match node {
                Node::Text(t) => {
                    self.out.push_str(t);
                    Flow::Normal
                }
                Node::Action(p) => {
                    let v = self.pipeline(p, dot, true)?;
                    if p.decl.is_empty() {
                        self.print(&v);
                    }
                    Flow::Normal
                }
                Node::If(p, then, otherwise) | Node::With(p, then, otherwise) => {
                    let mark = self.vars.len();
                    let v = self.pipeline(p, dot, true)?;
                    let flow = if funcs::truth(&v) {
                        let inner = if matches!(node, Node::With(..)) {
                            &v
                        } else {
                            dot
                        };
                        self.walk(then, inner)?
                    } else {
                        self.walk(otherwise, dot)?
                    };
                    self.vars.truncate(mark);
                    flow
                }
                Node::Range(p, body, otherwise) => {
                    self.range(p, body, otherwise, dot)?;
                    Flow::Normal
                }
                Node::Break => Flow::Break,
                Node::Continue => Flow::Continue,
            };
            if flow != Flow::Normal {
                return Ok(flow);
            }
        }
        Ok(Flow::Normal)
    }

    fn print(&mut self, v: &Val) {
        match v {
            None => self.out.push_str("<no value>"),
            Some(v) => self.out.push_str(&gofmt::fmt_v(v)),
        }
    }

    fn range(&mut self, p: &Pipeline, body: &[Node], otherwise: &[Node], dot: &Val) -> R<()> {
        let mark = self.vars.len();
        let v = self.pipeline(p, dot, false)?;
        let span = p.cmds[0].span;
        let items: Vec<(Value, Value)> = match v {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a
                .into_iter()
                .enumerate()
                .map(|(i, x)| (Value::from(i), x))
                .collect(),
            // Go visits map entries in sorted key order.
            Some(Value::Object(m)) => m
                .into_iter()
                .collect::<BTreeMap<_, _>>()
                .into_iter()
                .map(|(k, x)| (Value::String(k), x))
                .collect(),
            // Go 1.22 ranges over an integer: 0..n.
            Some(Value::Number(n)) if n.as_i64().is_some() => {
                if p.decl.len() > 1 {
                    return Err(self.error(span, "can't use 2 variables to range over an integer"));
                }
                (0..n.as_i64().unwrap_or(0).max(0))
                    .map(|i| (Value::from(i), Value::from(i)))
                    .collect()
            }
            // A table header stands for a whole column, whatever its rows hold.
            Some(Value::String(s)) if self.header.is_some() => {
                vec![(Value::from(0), Value::String(s))]
            }
            Some(other) => {
                return Err(self.error(
                    span,
                    format!("range can't iterate over {}", gofmt::fmt_v(&other)),
                ))
            }
        };
        if items.is_empty() {
            self.walk(otherwise, dot)?;
            self.vars.truncate(mark);
            return Ok(());
        }
        for (key, elem) in items {
            let iteration = self.vars.len();
            match (p.decl.as_slice(), p.is_assign) {
                ([], _) => {}
                ([e], false) => self.vars.push((e.clone(), Some(elem.clone()))),
                ([k, e], false) => {
                    self.vars.push((k.clone(), Some(key)));
                    self.vars.push((e.clone(), Some(elem.clone())));
                }
                ([e], true) => self.set_var(e, Some(elem.clone()), span)?,
                ([k, e, ..], true) => {
                    self.set_var(k, Some(key), span)?;
                    self.set_var(e, Some(elem.clone()), span)?;
                }
                _ => {}
            }
            let flow = self.walk(body, &Some(elem))?;
            self.vars.truncate(iteration);
            if flow == Flow::Break {
                break;
            }
        }
        self.vars.truncate(mark);
        Ok(())
    }

    fn var(&self, name: &str, span: Span) -> R<&Val> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
            .ok_or_else(|| self.error(span, format!("undefined variable: {name}")))
    }

    fn set_var(&mut self, name: &str, v: Val, span: Span) -> R<()> {
        match self.vars.iter_mut().rev().find(|(n, _)| n == name) {
            Some(slot) => {
                slot.1 = v;
                Ok(())
            }
            None => Err(self.error(span, format!("undefined variable: {name}"))),
        }
    }

    /// Evaluate a pipeline; `declare` false leaves the declarations to the caller (range).
    fn pipeline(&mut self, p: &Pipeline, dot: &Val, declare: bool) -> R<Val> {
        let mut piped: Option<Val> = None;
        for cmd in &p.cmds {
            piped = Some(self.command(cmd, dot, piped)?);
        }
        let v = piped.flatten();
        if declare {
            for name in &p.decl {
                if p.is_assign {
                    self.set_var(name, v.clone(), p.cmds[0].span)?;
                } else {
                    self.vars.push((name.clone(), v.clone()));
                }
            }
        }
        Ok(v)
    }

    fn not_a_function(&self, cmd: &Command, piped: &Option<Val>) -> R<()> {
        if cmd.args.len() > 1 || piped.is_some() {
            return Err(self.error(
                cmd.span,
                format!(
                    "can't give argument to non-function {}",
                    &self.src[cmd.span.start..cmd.span.end]
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                ),
            ));
        }
        Ok(())
    }

    fn command(&mut self, cmd: &Command, dot: &Val, piped: Option<Val>) -> R<Val> {
        match &cmd.args[0] {
            Operand::Func(name, _) => self.function(name, cmd, dot, piped),
            Operand::Nil(span) => Err(self.error(*span, "nil is not a command")),
            Operand::Field(_, span)
            | Operand::Variable(_, _, span)
            | Operand::Chain(_, _, span)
                if cmd.args.len() > 1 || piped.is_some() =>
            {
                let text = &self.src[span.start..span.end];
                Err(self.error(*span, format!("{text} is not a method but has arguments")))
            }
            first => {
                self.not_a_function(cmd, &piped)?;
                self.arg(first, dot)
            }
        }
    }

    fn function(&mut self, name: &str, cmd: &Command, dot: &Val, piped: Option<Val>) -> R<Val> {
        let was_piped = piped.is_some();
        // Go 1.18+: and/or stop at the first argument that decides the result.
        if name == "and" || name == "or" {
            if cmd.args.len() < 2 && !was_piped {
                return Err(self.error(
                    cmd.span,
                    format!("wrong number of args for {name}: want at least 1 got 0"),
                ));
            }
            let mut v = None;
            for a in &cmd.args[1..] {
                v = self.arg(a, dot)?;
                if funcs::truth(&v) == (name == "or") {
                    return Ok(v);
                }
            }
            return Ok(piped.unwrap_or(v));
        }
        let mut args = Vec::with_capacity(cmd.args.len());
        for a in &cmd.args[1..] {
            args.push(self.arg(a, dot)?);
        }
        if let Some(p) = piped {
            args.push(p);
        }
        if self.header.is_some() && funcs::passes_header_through(name) {
            let header = if was_piped {
                args.pop()
            } else {
                args.into_iter().next()
            };
            return Ok(header.flatten());
        }
        funcs::call(name, args, was_piped).map_err(|e| match e {
            CallError::Signature(m) => self.error(cmd.span, m),
            CallError::Failed(m) => self.error(cmd.span, format!("error calling {name}: {m}")),
        })
    }

    fn arg(&mut self, a: &Operand, dot: &Val) -> R<Val> {
        match a {
            Operand::Dot => Ok(dot.clone()),
            Operand::Nil(_) => Ok(Some(Value::Null)),
            Operand::Literal(v) => Ok(Some(v.clone())),
            Operand::Field(path, span) => {
                if let Some(h) = self.header {
                    return Ok(Some(Value::String(h(path))));
                }
                self.fields(dot, path, *span)
            }
            Operand::Variable(name, path, span) => {
                if !path.is_empty() {
                    if let Some(h) = self.header {
                        return Ok(Some(Value::String(h(path))));
                    }
                }
                let v = self.var(name, *span)?;
                self.fields(v, path, *span)
            }
            Operand::Chain(base, path, span) => {
                if let Some(h) = self.header {
                    return Ok(Some(Value::String(h(path))));
                }
                let v = self.arg(base, dot)?;
                self.fields(&v, path, *span)
            }
            Operand::Func(name, span) => {
                let cmd = Command {
                    args: vec![a.clone()],
                    span: *span,
                };
                self.function(name, &cmd, dot, None)
            }
            Operand::Pipe(p) => self.pipeline(p, dot, true),
        }
    }

    /// `.A.B` from a receiver: keys (exact, then case-insensitive as podman allows). As in Go,
    /// an absent key of a map gives "no value" but an absent field of a struct is an error
    /// (`can't evaluate field Nope`), so a typo in `--format` fails instead of printing
    /// `<no value>` for every row. JSON does not say which objects were structs: see
    /// [`is_struct`].
    fn fields(&self, v: &Val, path: &[String], span: Span) -> R<Val> {
        let mut cur = v.as_ref();
        let mut via: Option<&str> = None;
        for name in path {
            cur = match cur {
                None | Some(Value::Null) => None,
                Some(Value::Object(m)) => {
                    let found = m.get(name.as_str()).or_else(|| {
                        m.iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case(name))
                            .map(|(_, x)| x)
                    });
                    if found.is_none() && is_struct(m, via) {
                        let mut known: Vec<&str> = m.keys().map(String::as_str).collect();
                        known.sort_unstable();
                        return Err(self.error(
                            span,
                            format!(
                                "can't evaluate field {name} in type {} (its fields: {})",
                                via.unwrap_or("the object"),
                                known.join(", ")
                            ),
                        ));
                    }
                    found
                }
                Some(other) => {
                    return Err(self.error(
                        span,
                        format!(
                            "can't evaluate field {name} in type {}",
                            gofmt::type_name(other)
                        ),
                    ))
                }
            };
            via = Some(name);
        }
        Ok(cur.cloned())
    }
}

/// Fields that are Go maps in docker's and podman's types: any key may be absent.
const MAP_FIELDS: &[&str] = &[
    "Labels",
    "Annotations",
    "Options",
    "Networks",
    "Ports",
    "ExposedPorts",
    "Volumes",
    "DriverOpts",
    "Sysctls",
    "StorageOpt",
    "Tmpfs",
];

/// Whether a JSON object stands for a Go struct (an absent field is an error) rather than a map:
/// it was not reached through a field docker types as a map (`.Config.Labels`), and every key is
/// an exported Go identifier (upper-case first letter) — the keys of other maps
/// (`LogConfig.Config`'s `max-size`) rarely are, and podman's lower-case JSON keys (`info`) stay
/// lenient.
fn is_struct(m: &serde_json::Map<String, Value>, via: Option<&str>) -> bool {
    let field_like = |k: &str| {
        let mut chars = k.chars();
        chars.next().is_some_and(|c| c.is_ascii_uppercase())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let all_fields = !m.is_empty() && m.keys().all(|k| field_like(k));
    !via.is_some_and(|v| MAP_FIELDS.contains(&v)) && all_fields
}
