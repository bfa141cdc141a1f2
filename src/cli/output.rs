//! `--format`: Go text/template as docker and podman accept it, over JSON values; docker-style
//! tables (tabwriter alignment) and human sizes/durations.

use std::collections::BTreeMap;

use serde_json::Value;
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TemplateError {
    #[error("template: {0}")]
    Parse(String),
    #[error("template: executing: {0}")]
    Exec(String),
}

type R<T> = Result<T, TemplateError>;

fn perr<T>(m: impl Into<String>) -> R<T> {
    Err(TemplateError::Parse(m.into()))
}
fn eerr<T>(m: impl Into<String>) -> R<T> {
    Err(TemplateError::Exec(m.into()))
}

#[derive(Debug, Clone, PartialEq)]
enum Arg {
    Field(Option<String>, Vec<String>), // optional $var, then .A.B
    Dot,
    Var(String),
    Str(String),
    Num(f64),
    Bool(bool),
    Nil,
    Call(String),
    Sub(Box<Pipeline>),
}

#[derive(Debug, Clone, PartialEq)]
struct Command {
    args: Vec<Arg>,
}

#[derive(Debug, Clone, PartialEq)]
struct Pipeline {
    decl: Vec<String>,
    cmds: Vec<Command>,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(String),
    Action(Pipeline),
    If(Pipeline, Vec<Node>, Vec<Node>),
    Range(Pipeline, Vec<Node>, Vec<Node>),
    With(Pipeline, Vec<Node>, Vec<Node>),
}

#[derive(Debug, Clone)]
pub struct Template {
    nodes: Vec<Node>,
}

// ---------- lexing of one action ----------

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String), // identifiers, fields, variables
    Str(String),
    Num(f64),
    Pipe,
    Assign,
    Comma,
    LParen,
    RParen,
}

fn lex(src: &str) -> R<Vec<Tok>> {
    let c: Vec<char> = src.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < c.len() {
        let ch = c[i];
        match ch {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '|' => {
                out.push(Tok::Pipe);
                i += 1
            }
            '(' => {
                out.push(Tok::LParen);
                i += 1
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1
            }
            ':' if c.get(i + 1) == Some(&'=') => {
                out.push(Tok::Assign);
                i += 2
            }
            '=' => {
                out.push(Tok::Assign);
                i += 1
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match c.get(i) {
                        None => return perr("unterminated quoted string"),
                        Some('"') => break,
                        Some('\\') => {
                            i += 1;
                            s.push(match c.get(i) {
                                Some('n') => '\n',
                                Some('t') => '\t',
                                Some('r') => '\r',
                                Some('\\') => '\\',
                                Some('"') => '"',
                                Some(o) => *o,
                                None => return perr("unterminated quoted string"),
                            });
                        }
                        Some(o) => s.push(*o),
                    }
                    i += 1;
                }
                i += 1;
                out.push(Tok::Str(s));
            }
            '`' => {
                let start = i + 1;
                let end = c[start..]
                    .iter()
                    .position(|x| *x == '`')
                    .ok_or(TemplateError::Parse(
                        "unterminated raw quoted string".into(),
                    ))?;
                out.push(Tok::Str(c[start..start + end].iter().collect()));
                i = start + end + 1;
            }
            '0'..='9' | '-' | '+'
                if ch != '-' && ch != '+' || c.get(i + 1).is_some_and(|d| d.is_ascii_digit()) =>
            {
                let start = i;
                i += 1;
                while i < c.len() && (c[i].is_ascii_digit() || c[i] == '.' || c[i] == 'e') {
                    i += 1;
                }
                let s: String = c[start..i].iter().collect();
                out.push(Tok::Num(s.parse().map_err(|_| {
                    TemplateError::Parse(format!("bad number syntax: {s:?}"))
                })?));
            }
            _ => {
                let start = i;
                while i < c.len()
                    && !matches!(
                        c[i],
                        ' ' | '\t' | '\n' | '\r' | '|' | '(' | ')' | ',' | '"' | '`' | '='
                    )
                    && !(c[i] == ':' && c.get(i + 1) == Some(&'='))
                {
                    i += 1;
                }
                if start == i {
                    return perr(format!("unexpected {ch:?} in command"));
                }
                out.push(Tok::Word(c[start..i].iter().collect()));
            }
        }
    }
    Ok(out)
}

fn parse_pipeline(toks: &[Tok], pos: &mut usize) -> R<Pipeline> {
    let mut decl = Vec::new();
    // `$x :=` or `$k, $v :=`
    let mut look = *pos;
    let mut vars = Vec::new();
    while let Some(Tok::Word(w)) = toks.get(look) {
        if !w.starts_with('$') || w.contains('.') {
            break;
        }
        vars.push(w.clone());
        look += 1;
        match toks.get(look) {
            Some(Tok::Comma) => look += 1,
            Some(Tok::Assign) => {
                decl = vars.clone();
                *pos = look + 1;
                break;
            }
            _ => break,
        }
    }
    let mut cmds = Vec::new();
    let mut args = Vec::new();
    while let Some(t) = toks.get(*pos) {
        match t {
            Tok::Pipe => {
                if args.is_empty() {
                    return perr("missing command before |");
                }
                cmds.push(Command {
                    args: std::mem::take(&mut args),
                });
            }
            Tok::RParen => break,
            Tok::LParen => {
                *pos += 1;
                let sub = parse_pipeline(toks, pos)?;
                if toks.get(*pos) != Some(&Tok::RParen) {
                    return perr("unclosed left paren");
                }
                args.push(Arg::Sub(Box::new(sub)));
            }
            Tok::Str(s) => args.push(Arg::Str(s.clone())),
            Tok::Num(n) => args.push(Arg::Num(*n)),
            Tok::Word(w) => args.push(word_arg(w)?),
            Tok::Assign | Tok::Comma => return perr("unexpected assignment"),
        }
        *pos += 1;
    }
    if !args.is_empty() {
        cmds.push(Command { args });
    }
    if cmds.is_empty() {
        return perr("missing value for command");
    }
    Ok(Pipeline { decl, cmds })
}

fn word_arg(w: &str) -> R<Arg> {
    Ok(match w {
        "." => Arg::Dot,
        "true" => Arg::Bool(true),
        "false" => Arg::Bool(false),
        "nil" => Arg::Nil,
        _ if w.starts_with('.') => Arg::Field(None, w[1..].split('.').map(String::from).collect()),
        _ if w.starts_with('$') => match w.split_once('.') {
            Some((v, rest)) => {
                Arg::Field(Some(v.into()), rest.split('.').map(String::from).collect())
            }
            None => Arg::Var(w.into()),
        },
        _ if w.chars().all(|c| c.is_alphanumeric() || c == '_') => Arg::Call(w.into()),
        _ => return perr(format!("unexpected {w:?} in operand")),
    })
}

const FUNCS: &[&str] = &[
    "json",
    "join",
    "lower",
    "upper",
    "title",
    "split",
    "truncate",
    "pad",
    "len",
    "index",
    "printf",
    "println",
    "print",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "and",
    "or",
    "not",
    "table",
    "trim",
    "slice",
    "contains",
    "humansize",
];

// ---------- template structure ----------

enum Piece {
    Text(String),
    Action(String),
}

fn split_actions(src: &str) -> R<Vec<Piece>> {
    let mut out = Vec::new();
    let mut rest = src;
    let mut trim_next = false;
    while let Some(start) = rest.find("{{") {
        let mut text = rest[..start].to_string();
        if trim_next {
            text = text.trim_start().to_string();
        }
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or(TemplateError::Parse(":1: unclosed action".into()))?;
        let mut inner = &after[..end];
        if inner.starts_with("- ") || inner == "-" {
            text = text.trim_end().to_string();
            inner = &inner[1..];
        }
        trim_next = inner.ends_with(" -");
        if trim_next {
            inner = &inner[..inner.len() - 1];
        }
        if !text.is_empty() {
            out.push(Piece::Text(text));
        }
        let inner = inner.trim();
        if !(inner.starts_with("/*") && inner.ends_with("*/")) {
            out.push(Piece::Action(inner.to_string()));
        }
        rest = &after[end + 2..];
    }
    let text = if trim_next { rest.trim_start() } else { rest };
    if !text.is_empty() {
        out.push(Piece::Text(text.to_string()));
    }
    Ok(out)
}

fn parse_nodes(pieces: &[Piece], pos: &mut usize, stop: &[&str]) -> R<(Vec<Node>, Option<String>)> {
    let mut nodes = Vec::new();
    while *pos < pieces.len() {
        let piece = &pieces[*pos];
        *pos += 1;
        match piece {
            Piece::Text(t) => nodes.push(Node::Text(t.clone())),
            Piece::Action(a) => {
                let kw = a.split_whitespace().next().unwrap_or("");
                if stop.contains(&kw) {
                    return Ok((nodes, Some(a.clone())));
                }
                match kw {
                    "if" | "range" | "with" => {
                        let pipe = pipeline_of(&a[kw.len()..])?;
                        let (body, end) = parse_nodes(pieces, pos, &["else", "end"])?;
                        let mut els = Vec::new();
                        match end.as_deref() {
                            Some("end") => {}
                            Some(e) if e.starts_with("else") => {
                                let rest = e["else".len()..].trim();
                                if rest.starts_with("if ") || rest.starts_with("with ") {
                                    // `else if X` is sugar for else { if X ... end }: reuse the same end.
                                    let inner_kw = rest.split_whitespace().next().unwrap_or("");
                                    let p = pipeline_of(&rest[inner_kw.len()..])?;
                                    let (b2, end2) = parse_nodes(pieces, pos, &["else", "end"])?;
                                    let mut e2 = Vec::new();
                                    if end2.as_deref().is_some_and(|x| x.starts_with("else")) {
                                        let (b3, end3) = parse_nodes(pieces, pos, &["end"])?;
                                        if end3.is_none() {
                                            return perr("unexpected EOF");
                                        }
                                        e2 = b3;
                                    } else if end2.is_none() {
                                        return perr("unexpected EOF");
                                    }
                                    els.push(if inner_kw == "if" {
                                        Node::If(p, b2, e2)
                                    } else {
                                        Node::With(p, b2, e2)
                                    });
                                } else {
                                    let (b, end2) = parse_nodes(pieces, pos, &["end"])?;
                                    if end2.is_none() {
                                        return perr("unexpected EOF");
                                    }
                                    els = b;
                                }
                            }
                            _ => return perr(format!(":1: unexpected EOF in {kw}")),
                        }
                        nodes.push(match kw {
                            "if" => Node::If(pipe, body, els),
                            "range" => Node::Range(pipe, body, els),
                            _ => Node::With(pipe, body, els),
                        });
                    }
                    "end" | "else" => return perr(format!(":1: unexpected {{{{{kw}}}}}")),
                    _ => nodes.push(Node::Action(pipeline_of(a)?)),
                }
            }
        }
    }
    Ok((nodes, None))
}

fn pipeline_of(src: &str) -> R<Pipeline> {
    let toks = lex(src)?;
    let mut pos = 0;
    let p = parse_pipeline(&toks, &mut pos)?;
    if pos < toks.len() {
        return perr("unexpected right paren");
    }
    for c in &p.cmds {
        check_funcs(c)?;
    }
    Ok(p)
}

fn check_funcs(c: &Command) -> R<()> {
    for a in &c.args {
        match a {
            Arg::Call(f) if !FUNCS.contains(&f.as_str()) => {
                return perr(format!(":1: function {f:?} not defined"))
            }
            Arg::Sub(p) => {
                for c in &p.cmds {
                    check_funcs(c)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

// ---------- execution ----------

struct Scope {
    vars: Vec<(String, Value)>,
}

impl Scope {
    fn get(&self, n: &str) -> R<Value> {
        self.vars
            .iter()
            .rev()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
            .ok_or(TemplateError::Exec(format!("undefined variable: {n}")))
    }
}

fn field(v: &Value, name: &str) -> Value {
    match v {
        Value::Object(m) => m
            .get(name)
            .or_else(|| {
                m.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v)
            })
            .cloned()
            .unwrap_or(Value::String("<no value>".into())),
        _ => Value::String("<no value>".into()),
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// Go's fmt %v for a value.
pub fn go_print(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (_, Some(u), _) => u.to_string(),
            (_, _, Some(f)) if f.fract() == 0.0 && f.abs() < 1e21 => format!("{f:.0}"),
            (_, _, Some(f)) => f.to_string(),
            _ => n.to_string(),
        },
        Value::Array(a) => format!("[{}]", a.iter().map(go_print).collect::<Vec<_>>().join(" ")),
        Value::Object(m) => {
            let sorted: BTreeMap<&String, &Value> = m.iter().collect();
            format!(
                "map[{}]",
                sorted
                    .iter()
                    .map(|(k, v)| format!("{k}:{}", go_print(v)))
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        }
    }
}

/// Go's json.Marshal: compact, with <, >, & escaped.
pub fn go_json(v: &Value) -> String {
    serde_json::to_string(v)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn num(v: &Value) -> R<f64> {
    match v {
        Value::Number(n) => Ok(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => s
            .parse()
            .map_err(|_| TemplateError::Exec(format!("cannot compare {s:?} as a number"))),
        other => eerr(format!(
            "incompatible type for comparison: {}",
            go_print(other)
        )),
    }
}

fn compare(a: &Value, b: &Value) -> R<std::cmp::Ordering> {
    match (a, b) {
        (Value::String(x), Value::String(y)) => Ok(x.cmp(y)),
        _ => Ok(num(a)?
            .partial_cmp(&num(b)?)
            .unwrap_or(std::cmp::Ordering::Equal)),
    }
}

fn printf(args: &[Value]) -> R<String> {
    let Some(Value::String(fmt)) = args.first() else {
        return eerr("printf needs a format string");
    };
    let mut out = String::new();
    let mut it = args[1..].iter();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = String::new();
        while let Some(&n) = chars.peek() {
            spec.push(n);
            chars.next();
            if n.is_ascii_alphabetic() || n == '%' {
                break;
            }
        }
        let verb = spec.pop().unwrap_or('v');
        if verb == '%' {
            out.push('%');
            continue;
        }
        let v = it.next().cloned().unwrap_or(Value::Null);
        let s = match verb {
            'q' => format!("{:?}", go_print(&v)),
            'd' => format!("{}", num(&v).unwrap_or(0.0) as i64),
            _ => go_print(&v),
        };
        let width: usize = spec.trim_start_matches('-').parse().unwrap_or(0);
        if spec.starts_with('-') {
            out.push_str(&format!("{s:<width$}"));
        } else {
            out.push_str(&format!("{s:>width$}"));
        }
    }
    Ok(out)
}

fn call(f: &str, args: Vec<Value>) -> R<Value> {
    let s = |i: usize| args.get(i).map(go_print).unwrap_or_default();
    let n = |i: usize| args.get(i).and_then(|v| num(v).ok()).unwrap_or(0.0) as usize;
    Ok(match f {
        "json" => Value::String(go_json(args.first().unwrap_or(&Value::Null))),
        // `join LIST SEP`, or `LIST | join SEP` (the piped list arrives last).
        "join" => match (args.first(), args.get(1)) {
            (Some(Value::Array(a)), sep) => Value::String(
                a.iter()
                    .map(go_print)
                    .collect::<Vec<_>>()
                    .join(&sep.map(go_print).unwrap_or_default()),
            ),
            (Some(sep), Some(Value::Array(a))) => Value::String(
                a.iter()
                    .map(go_print)
                    .collect::<Vec<_>>()
                    .join(&go_print(sep)),
            ),
            (Some(other), _) => Value::String(go_print(other)),
            (None, _) => return eerr("join needs a list"),
        },
        "lower" => Value::String(s(0).to_lowercase()),
        "upper" => Value::String(s(0).to_uppercase()),
        "title" => Value::String(
            s(0).split(' ')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "split" => Value::Array(s(0).split(&s(1)).map(|x| Value::String(x.into())).collect()),
        "truncate" => Value::String(s(0).chars().take(n(1)).collect()),
        "pad" => Value::String(format!("{}{}{}", " ".repeat(n(1)), s(0), " ".repeat(n(2)))),
        "trim" => Value::String(s(0).trim().into()),
        "contains" => Value::Bool(s(0).contains(&s(1))),
        "humansize" => Value::String(human_size(n(0) as u64)),
        "len" => Value::from(match args.first() {
            Some(Value::Array(a)) => a.len(),
            Some(Value::Object(o)) => o.len(),
            Some(Value::String(x)) => x.len(),
            _ => return eerr("len of invalid type"),
        }),
        "index" => {
            let mut cur = args.first().cloned().unwrap_or(Value::Null);
            for k in &args[1.min(args.len())..] {
                cur = match (&cur, k) {
                    (Value::Object(m), key) => {
                        m.get(&go_print(key)).cloned().unwrap_or(Value::Null)
                    }
                    (Value::Array(a), i) => a
                        .get(num(i)? as usize)
                        .cloned()
                        .ok_or(TemplateError::Exec("index out of range".into()))?,
                    _ => return eerr("can't index item"),
                };
            }
            cur
        }
        "slice" => {
            let x = s(0);
            let end = if args.len() > 2 { n(2) } else { x.len() };
            Value::String(x.get(n(1)..end).unwrap_or("").into())
        }
        "printf" => Value::String(printf(&args)?),
        "print" => Value::String(args.iter().map(go_print).collect::<Vec<_>>().join("")),
        "println" => Value::String(args.iter().map(go_print).collect::<Vec<_>>().join(" ") + "\n"),
        "eq" => Value::Bool(
            args.len() > 1
                && args[1..].iter().any(|b| {
                    compare(&args[0], b).map(|o| o.is_eq()).unwrap_or(false) || args[0] == *b
                }),
        ),
        "ne" => Value::Bool(!(compare(&args[0], &args[1])?.is_eq())),
        "lt" => Value::Bool(compare(&args[0], &args[1])?.is_lt()),
        "le" => Value::Bool(compare(&args[0], &args[1])?.is_le()),
        "gt" => Value::Bool(compare(&args[0], &args[1])?.is_gt()),
        "ge" => Value::Bool(compare(&args[0], &args[1])?.is_ge()),
        "and" => args
            .iter()
            .find(|v| !truthy(v))
            .or(args.last())
            .cloned()
            .unwrap_or(Value::Null),
        "or" => args
            .iter()
            .find(|v| truthy(v))
            .or(args.last())
            .cloned()
            .unwrap_or(Value::Null),
        "not" => Value::Bool(!truthy(args.first().unwrap_or(&Value::Null))),
        "table" => args.first().cloned().unwrap_or(Value::Null),
        other => return eerr(format!("function {other:?} not defined")),
    })
}

fn eval_arg(a: &Arg, dot: &Value, sc: &mut Scope) -> R<Value> {
    Ok(match a {
        Arg::Dot => dot.clone(),
        Arg::Field(var, path) => {
            let mut cur = match var {
                Some(v) => sc.get(v)?,
                None => dot.clone(),
            };
            for p in path.iter().filter(|p| !p.is_empty()) {
                cur = field(&cur, p);
            }
            cur
        }
        Arg::Var(v) => sc.get(v)?,
        Arg::Str(s) => Value::String(s.clone()),
        Arg::Num(n) => serde_json::Number::from_f64(*n)
            .map(|x| {
                if n.fract() == 0.0 {
                    Value::from(*n as i64)
                } else {
                    Value::Number(x)
                }
            })
            .unwrap_or(Value::Null),
        Arg::Bool(b) => Value::Bool(*b),
        Arg::Nil => Value::Null,
        Arg::Call(f) => call(f, vec![])?,
        Arg::Sub(p) => eval_pipeline(p, dot, sc)?,
    })
}

fn eval_pipeline(p: &Pipeline, dot: &Value, sc: &mut Scope) -> R<Value> {
    let mut prev: Option<Value> = None;
    for c in &p.cmds {
        let v = match &c.args[0] {
            Arg::Call(f) => {
                let mut args = Vec::new();
                for a in &c.args[1..] {
                    args.push(eval_arg(a, dot, sc)?);
                }
                args.extend(prev.take());
                call(f, args)?
            }
            first => {
                if c.args.len() > 1 {
                    return eerr("can't give argument to non-function");
                }
                eval_arg(first, dot, sc)?
            }
        };
        prev = Some(v);
    }
    let v = prev.unwrap_or(Value::Null);
    if let Some(name) = p.decl.last() {
        sc.vars.push((name.clone(), v.clone()));
    }
    Ok(v)
}

fn exec(nodes: &[Node], dot: &Value, sc: &mut Scope, out: &mut String) -> R<()> {
    for n in nodes {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Action(p) => {
                let v = eval_pipeline(p, dot, sc)?;
                if p.decl.is_empty() {
                    out.push_str(&go_print(&v));
                }
            }
            Node::If(p, a, b) => {
                let depth = sc.vars.len();
                let v = eval_pipeline(p, dot, sc)?;
                exec(if truthy(&v) { a } else { b }, dot, sc, out)?;
                sc.vars.truncate(depth);
            }
            Node::With(p, a, b) => {
                let depth = sc.vars.len();
                let v = eval_pipeline(p, dot, sc)?;
                if truthy(&v) {
                    exec(a, &v, sc, out)?;
                } else {
                    exec(b, dot, sc, out)?;
                }
                sc.vars.truncate(depth);
            }
            Node::Range(p, body, els) => {
                let depth = sc.vars.len();
                let mut decl = p.clone();
                let names = std::mem::take(&mut decl.decl);
                let v = eval_pipeline(&decl, dot, sc)?;
                let items: Vec<(Value, Value)> = match &v {
                    Value::Array(a) => a
                        .iter()
                        .enumerate()
                        .map(|(i, x)| (Value::from(i), x.clone()))
                        .collect(),
                    Value::Object(m) => {
                        let sorted: BTreeMap<&String, &Value> = m.iter().collect();
                        sorted
                            .into_iter()
                            .map(|(k, x)| (Value::String(k.clone()), x.clone()))
                            .collect()
                    }
                    Value::Null => vec![],
                    Value::Number(n) => (0..n.as_u64().unwrap_or(0))
                        .map(|i| (Value::from(i), Value::from(i)))
                        .collect(),
                    other => return eerr(format!("range can't iterate over {}", go_print(other))),
                };
                if items.is_empty() {
                    exec(els, dot, sc, out)?;
                }
                for (k, x) in items {
                    match names.as_slice() {
                        [v] => sc.vars.push((v.clone(), x.clone())),
                        [kn, vn] => {
                            sc.vars.push((kn.clone(), k));
                            sc.vars.push((vn.clone(), x.clone()));
                        }
                        _ => {}
                    }
                    exec(body, &x, sc, out)?;
                    sc.vars.truncate(depth);
                }
            }
        }
    }
    Ok(())
}

impl Template {
    /// Parse a user's template; the two-character sequences `\t` and `\n` become tab and newline first, as docker's CLI does.
    pub fn parse(src: &str) -> R<Template> {
        let src = src.replace("\\t", "\t").replace("\\n", "\n");
        let pieces = split_actions(&src)?;
        let mut pos = 0;
        let (nodes, end) = parse_nodes(&pieces, &mut pos, &[])?;
        if end.is_some() {
            return perr(":1: unexpected {{end}}");
        }
        Ok(Template { nodes })
    }

    pub fn render(&self, data: &Value) -> R<String> {
        let mut out = String::new();
        let mut sc = Scope {
            vars: vec![("$".into(), data.clone())],
        };
        exec(&self.nodes, data, &mut sc, &mut out)?;
        Ok(out)
    }
}

fn header_for(field: &str, headers: &[(&str, &str)]) -> String {
    if let Some((_, h)) = headers.iter().find(|(f, _)| *f == field) {
        return h.to_string();
    }
    let mut out = String::new();
    let chars: Vec<char> = field.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if i > 0
            && c.is_uppercase()
            && (chars[i - 1].is_lowercase() || chars.get(i + 1).is_some_and(|n| n.is_lowercase()))
        {
            out.push(' ');
        }
        out.extend(c.to_uppercase());
    }
    out
}

/// List output: "table …" prints a header and aligned columns, "json" a JSON array, any other
/// template one line per row.
pub fn render_rows(format: &str, rows: &[Value], headers: &[(&str, &str)]) -> R<String> {
    let f = format.trim_start();
    if f == "json" {
        return Ok(serde_json::to_string_pretty(rows).unwrap_or_default() + "\n");
    }
    if let Some(body) = f.strip_prefix("table") {
        let body = body.trim_start();
        let body = if body.is_empty() { "{{json .}}" } else { body };
        let tpl = Template::parse(body)?;
        // The header row renders the same template over a row whose fields are their headers.
        let mut names = serde_json::Map::new();
        let fields_tpl = body.replace("\\t", "\t");
        let mut rest = fields_tpl.as_str();
        while let Some(i) = rest.find("{{") {
            let after = &rest[i + 2..];
            let end = after.find("}}").unwrap_or(after.len());
            let action = after[..end].trim().trim_matches('-').trim();
            if let Some(name) = action
                .split_whitespace()
                .find(|w| w.starts_with('.') && w.len() > 1)
            {
                let key = name[1..].split('.').next().unwrap_or("").to_string();
                names.insert(key.clone(), Value::String(header_for(&key, headers)));
            }
            rest = &after[end.min(after.len())..];
        }
        let header = Template::parse(&header_template(body))?.render(&Value::Object(names))?;
        let mut text = header.trim_end_matches('\n').to_string() + "\n";
        for row in rows {
            text.push_str(tpl.render(row)?.trim_end_matches('\n'));
            text.push('\n');
        }
        return Ok(align_columns(&text));
    }
    let tpl = Template::parse(f)?;
    let mut text = String::new();
    for row in rows {
        text.push_str(&tpl.render(row)?);
        text.push('\n');
    }
    Ok(text)
}

/// The table header: every action that reads a top-level field prints that field's header.
fn header_template(body: &str) -> String {
    let src = body.replace("\\t", "\t").replace("\\n", "\n");
    let mut out = String::new();
    let mut rest = src.as_str();
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let end = after.find("}}").map(|e| e + 2).unwrap_or(after.len());
        let action = after[..end.saturating_sub(2)]
            .trim()
            .trim_matches('-')
            .trim();
        if let Some(name) = action
            .split_whitespace()
            .find(|w| w.starts_with('.') && w.len() > 1)
        {
            let key = name[1..].split('.').next().unwrap_or("");
            out.push_str(&format!("{{{{index . \"{key}\"}}}}"));
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// `inspect`: pretty JSON array (4-space indent) or the template once per object.
pub fn render_inspect(format: Option<&str>, objects: &[Value]) -> R<String> {
    match format {
        None | Some("json") => {
            let mut buf = Vec::new();
            let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
            let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
            serde::Serialize::serialize(objects, &mut ser)
                .map_err(|e| TemplateError::Exec(e.to_string()))?;
            Ok(String::from_utf8(buf).unwrap_or_default() + "\n")
        }
        Some(t) => {
            let tpl = Template::parse(t)?;
            let mut out = String::new();
            for o in objects {
                out.push_str(&tpl.render(o)?);
                out.push('\n');
            }
            Ok(out)
        }
    }
}

/// Align tab-separated cells like Go's tabwriter(minwidth 10, padding 3): each column as wide
/// as its widest cell plus three spaces, at least 10; the last cell is not padded.
pub fn align_columns(text: &str) -> String {
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    let cols = lines.iter().map(|l| l.len()).max().unwrap_or(0);
    let mut widths = vec![0usize; cols];
    for l in &lines {
        for (i, c) in l.iter().enumerate().take(l.len().saturating_sub(1)) {
            widths[i] = widths[i].max((c.chars().count() + 3).max(10));
        }
    }
    let mut out = String::new();
    for l in &lines {
        for (i, c) in l.iter().enumerate() {
            if i + 1 < l.len() {
                out.push_str(&format!("{c:<w$}", w = widths[i]));
            } else {
                out.push_str(c);
            }
        }
        out.push('\n');
    }
    out
}

/// docker's go-units HumanSizeWithPrecision(size, 3): decimal units, 3 significant digits.
pub fn human_size(bytes: u64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    let mut size = bytes as f64;
    let mut i = 0;
    while size >= 1000.0 && i < units.len() - 1 {
        size /= 1000.0;
        i += 1;
    }
    // %.4g then trimmed, as Go's 'g' with precision 3 prints it.
    let digits = if size >= 100.0 {
        0
    } else if size >= 10.0 {
        1
    } else {
        2
    };
    let s = format!("{size:.digits$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    format!("{s}{}", units[i])
}

/// docker's "About a minute ago" / "2 hours ago".
pub fn human_duration_since(ts: chrono::DateTime<chrono::Utc>) -> String {
    let secs = (chrono::Utc::now() - ts).num_seconds().max(0);
    let s = match secs {
        0 => "Less than a second".to_string(),
        1 => "1 second".into(),
        s if s < 60 => format!("{s} seconds"),
        s if s < 120 => "About a minute".into(),
        s if s < 3600 => format!("{} minutes", s / 60),
        s if s < 7200 => "About an hour".into(),
        s if s < 3600 * 48 => format!("{} hours", s / 3600),
        s if s < 86400 * 7 * 2 => format!("{} days", s / 86400),
        s if s < 86400 * 30 * 2 => format!("{} weeks", s / (86400 * 7)),
        s if s < 86400 * 365 * 2 => format!("{} months", s / (86400 * 30)),
        s => format!("{} years", s / (86400 * 365)),
    };
    format!("{s} ago")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn r(t: &str, v: &Value) -> String {
        Template::parse(t).unwrap().render(v).unwrap()
    }

    fn img() -> Value {
        json!({"Repository": "docker.io/library/busybox", "Tag": "latest", "ID": "abc", "Names": ["a", "b"],
               "Labels": {"z": "1", "a.b": "2"}, "Size": 1234, "Dangling": false, "Config": {"Env": ["A=1"]}, "Html": "<&>"})
    }

    #[test]
    fn fields_and_nested_fields_render_like_go() {
        assert_eq!(
            r("{{.Repository}}:{{.Tag}}", &img()),
            "docker.io/library/busybox:latest"
        );
        assert_eq!(r("{{.Config.Env}}", &img()), "[A=1]");
        assert_eq!(r("{{.Labels}}", &img()), "map[a.b:2 z:1]");
        assert_eq!(
            r("{{.Size}} {{.Dangling}} {{.Missing}}", &img()),
            "1234 false <no value>"
        );
        assert_eq!(
            r("{{.id}}", &img()),
            "abc",
            "case-insensitive lookup like podman"
        );
    }

    #[test]
    fn functions_pipelines_and_escapes_work() {
        assert_eq!(r("{{json .Names}}", &img()), r#"["a","b"]"#);
        assert_eq!(r("{{json .Html}}", &img()), r#""\u003c\u0026\u003e""#);
        assert_eq!(r("{{index .Labels \"a.b\"}}", &img()), "2");
        assert_eq!(r("{{.Names | join \",\"}}", &img()), "a,b");
        assert_eq!(r("{{join .Names \"-\"}}", &img()), "a-b");
        assert_eq!(
            r("{{upper .Tag}} {{lower \"X\"}} {{title \"ab cd\"}}", &img()),
            "LATEST x Ab Cd"
        );
        assert_eq!(
            r("{{len .Names}} {{truncate .Repository 6}}", &img()),
            "2 docker"
        );
        assert_eq!(r("{{printf \"%s-%d\" .Tag 5}}", &img()), "latest-5");
        assert_eq!(r("{{println .ID}}", &img()), "abc\n");
        assert_eq!(r("a\\tb\\nc", &img()), "a\tb\nc");
        assert_eq!(r("{{`raw`}} {{/* comment */}}x", &img()), "raw x");
    }

    #[test]
    fn control_structures_and_variables_work() {
        assert_eq!(r("{{range .Names}}{{.}} {{end}}", &img()), "a b ");
        assert_eq!(
            r("{{range $k, $v := .Labels}}{{$k}}={{$v}};{{end}}", &img()),
            "a.b=2;z=1;"
        );
        assert_eq!(r("{{if .Dangling}}x{{else}}y{{end}}", &img()), "y");
        assert_eq!(
            r(
                "{{if eq .Tag \"latest\"}}L{{else if eq .Tag \"x\"}}X{{else}}O{{end}}",
                &img()
            ),
            "L"
        );
        assert_eq!(r("{{with .Config}}{{.Env}}{{end}}", &img()), "[A=1]");
        assert_eq!(r("{{$t := .Tag}}{{$t}}", &img()), "latest");
        assert_eq!(r("{{if and .Tag (not .Dangling)}}ok{{end}}", &img()), "ok");
        assert_eq!(
            r(
                "{{range .Nothing}}x{{else}}empty{{end}}",
                &json!({"Nothing": []})
            ),
            "empty"
        );
        assert_eq!(r("  {{- .Tag -}}  ", &img()), "latest");
    }

    #[test]
    fn errors_read_like_gos() {
        let e = Template::parse("{{foo .X}}").unwrap_err().to_string();
        assert!(e.contains("function \"foo\" not defined"), "{e}");
        assert!(Template::parse("{{.X").is_err());
        assert!(Template::parse("{{if .X}}a").is_err());
        assert!(Template::parse("{{end}}").is_err());
    }

    #[test]
    fn table_format_prints_headers_and_aligns_columns() {
        let rows = vec![
            json!({"Repository": "a", "Tag": "1", "ID": "x"}),
            json!({"Repository": "longer/name", "Tag": "2", "ID": "y"}),
        ];
        let out = render_rows(
            "table {{.Repository}}\t{{.Tag}}\t{{.ID}}",
            &rows,
            &[("ID", "IMAGE ID")],
        )
        .unwrap();
        let lines: Vec<&str> = out.lines().collect();
        // tabwriter: cell width + 3 padding, at least 10.
        assert_eq!(lines[0], "REPOSITORY    TAG       IMAGE ID");
        assert_eq!(lines[1], "a             1         x");
        assert_eq!(lines[2], "longer/name   2         y");
        let plain = render_rows("{{.Repository}}:{{.Tag}}", &rows, &[]).unwrap();
        assert_eq!(plain, "a:1\nlonger/name:2\n");
        let created = render_rows(
            "table {{.CreatedSince}}",
            &[json!({"CreatedSince": "now"})],
            &[],
        )
        .unwrap();
        assert!(created.starts_with("CREATED SINCE\n"), "{created}");
        let j = render_rows("json", &rows, &[]).unwrap();
        assert_eq!(serde_json::from_str::<Value>(&j).unwrap()[1]["Tag"], "2");
    }

    #[test]
    fn inspect_prints_pretty_json_or_the_template_per_object() {
        let out = render_inspect(None, &[json!({"Id": "x"})]).unwrap();
        assert_eq!(out, "[\n    {\n        \"Id\": \"x\"\n    }\n]\n");
        assert_eq!(
            render_inspect(Some("{{.Id}}"), &[json!({"Id": "x"}), json!({"Id": "y"})]).unwrap(),
            "x\ny\n"
        );
    }

    #[test]
    fn sizes_and_durations_read_like_docker() {
        assert_eq!(human_size(0), "0B");
        assert_eq!(human_size(512), "512B");
        assert_eq!(human_size(4_260_000), "4.26MB");
        assert_eq!(human_size(1_200_000_000), "1.2GB");
        assert_eq!(human_size(123_456_789), "123MB");
        let now = chrono::Utc::now();
        assert_eq!(
            human_duration_since(now - chrono::Duration::seconds(90)),
            "About a minute ago"
        );
        assert_eq!(
            human_duration_since(now - chrono::Duration::hours(3)),
            "3 hours ago"
        );
        assert_eq!(
            human_duration_since(now - chrono::Duration::days(3)),
            "3 days ago"
        );
    }
}
