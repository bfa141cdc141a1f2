//! Template functions: Go's builtins (and, or, not, len, index, slice, print, printf, println,
//! eq, ne, lt, le, gt, ge, html, js, urlquery) and the ones docker and podman add (json, split,
//! join, title, lower, upper, pad, truncate).
//!
//! Arguments arrive as `Option<Value>`: None is Go's "no value" (a missing map key).

use std::cmp::Ordering;
use std::fmt::Write as _;

use serde_json::Value;

use crate::cli::output::gofmt::{self, go_number, type_name, GoNumber};

/// Functions a template may call; anything else is a parse error, as in Go.
const DEFINED: &[&str] = &[
    "and", "or", "not", "len", "index", "slice", "print", "printf", "println", "eq", "ne", "lt",
    "le", "gt", "ge", "html", "js", "urlquery", "json", "split", "join", "title", "lower", "upper",
    "pad", "truncate",
];

/// docker renders table headers with json, split, join, title, lower, upper and truncate
/// replaced by the identity, so that `{{upper .Name}}` still heads its column with NAME; berth
/// does the same for len, index and slice, which would otherwise measure or cut the header.
const HEADER_PASSTHROUGH: &[&str] = &[
    "json", "split", "join", "title", "lower", "upper", "truncate", "len", "index", "slice",
];

pub(super) fn is_defined(name: &str) -> bool {
    DEFINED.contains(&name)
}

pub(super) fn passes_header_through(name: &str) -> bool {
    HEADER_PASSTHROUGH.contains(&name)
}

/// Why a call failed; the executor words each kind as Go does.
#[derive(Debug, PartialEq)]
pub(super) enum CallError {
    /// Wrong argument count or type: reported as is.
    Signature(String),
    /// The function itself failed: reported as "error calling NAME: ...".
    Failed(String),
}

type CallResult = Result<Option<Value>, CallError>;

fn arity(name: &str, args: &[Option<Value>], want: usize) -> Result<(), CallError> {
    if args.len() != want {
        return Err(CallError::Signature(format!(
            "wrong number of args for {name}: want {want} got {}",
            args.len()
        )));
    }
    Ok(())
}

fn at_least(name: &str, args: &[Option<Value>], want: usize) -> Result<(), CallError> {
    if args.len() < want {
        return Err(CallError::Signature(format!(
            "wrong number of args for {name}: want at least {want} got {}",
            args.len()
        )));
    }
    Ok(())
}

fn wrong_type(expected: &str, got: &Option<Value>) -> CallError {
    CallError::Signature(match got {
        None => format!("invalid value; expected {expected}"),
        Some(v) => format!(
            "wrong type for value; expected {expected}; got {}",
            type_name(v)
        ),
    })
}

fn want_str(v: &Option<Value>) -> Result<&str, CallError> {
    match v {
        Some(Value::String(s)) => Ok(s),
        other => Err(wrong_type("string", other)),
    }
}

fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => match go_number(n) {
            GoNumber::Int(i) => i64::try_from(i).ok(),
            // An integral float64 is accepted where Go wants an int: JSON cannot tell them apart.
            GoNumber::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
            GoNumber::Float(_) => None,
        },
        _ => None,
    }
}

fn want_int(v: &Option<Value>) -> Result<i64, CallError> {
    v.as_ref()
        .and_then(as_int)
        .ok_or_else(|| wrong_type("int", v))
}

fn want_string_list(v: &Option<Value>) -> Result<Vec<String>, CallError> {
    match v {
        Some(Value::Array(items)) => Ok(items.iter().map(gofmt::fmt_v).collect()),
        other => Err(wrong_type("[]string", other)),
    }
}

/// A missing value handed to a function taking `any` becomes nil, as in Go.
fn or_null(v: Option<Value>) -> Value {
    v.unwrap_or(Value::Null)
}

/// Go's truth: false, 0, nil, empty string/array/map and "no value" are false.
pub(super) fn truth(v: &Option<Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => match go_number(n) {
            GoNumber::Int(i) => i != 0,
            GoNumber::Float(f) => f != 0.0,
        },
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
    }
}

/// Call a function (other than the short-circuiting and/or) on evaluated arguments. `piped`
/// says the last argument came from the previous pipeline stage.
pub(super) fn call(name: &str, mut args: Vec<Option<Value>>, piped: bool) -> CallResult {
    // docker users write `{{.Names | join ","}}` and `{{.ID | truncate 12}}`, which in Go pass
    // the piped value last and fail to type-check; accept them by moving it to the front.
    if piped && args.len() > 1 && needs_piped_first(name, &args) {
        args.rotate_right(1);
    }
    match name {
        "not" => {
            arity(name, &args, 1)?;
            Ok(Some(Value::Bool(!truth(&args[0]))))
        }
        "len" => {
            arity(name, &args, 1)?;
            length(&args[0]).map(|n| Some(Value::from(n)))
        }
        "index" => {
            at_least(name, &args, 1)?;
            let mut it = args.into_iter();
            let mut item = it.next().flatten();
            for key in it {
                item = index(item, &or_null(key))?;
            }
            Ok(item)
        }
        "slice" => {
            at_least(name, &args, 1)?;
            let mut it = args.into_iter();
            let item = it.next().flatten();
            let idx = it.map(|v| want_int(&v)).collect::<Result<Vec<_>, _>>()?;
            slice(item, &idx).map(Some)
        }
        "print" => Ok(Some(Value::String(gofmt::sprint(&nulls(args))))),
        "println" => Ok(Some(Value::String(gofmt::sprintln(&nulls(args))))),
        "printf" => {
            at_least(name, &args, 1)?;
            let mut it = args.into_iter();
            let format = it.next().flatten();
            let format = want_str(&format)?.to_string();
            let rest: Vec<Value> = it.map(or_null).collect();
            Ok(Some(Value::String(gofmt::sprintf(&format, &rest))))
        }
        "eq" => {
            at_least(name, &args, 1)?;
            if args.len() < 2 {
                return Err(CallError::Failed("missing argument for comparison".into()));
            }
            for b in &args[1..] {
                if equal(&args[0], b)? {
                    return Ok(Some(Value::Bool(true)));
                }
            }
            Ok(Some(Value::Bool(false)))
        }
        "ne" => {
            arity(name, &args, 2)?;
            Ok(Some(Value::Bool(!equal(&args[0], &args[1])?)))
        }
        "lt" | "le" | "gt" | "ge" => {
            arity(name, &args, 2)?;
            let ord = order(&args[0], &args[1])?;
            Ok(Some(Value::Bool(match name {
                "lt" => ord == Ordering::Less,
                "le" => ord != Ordering::Greater,
                "gt" => ord == Ordering::Greater,
                _ => ord != Ordering::Less,
            })))
        }
        "html" => Ok(Some(Value::String(html_escape(&eval_args(args))))),
        "js" => Ok(Some(Value::String(js_escape(&eval_args(args))))),
        "urlquery" => Ok(Some(Value::String(query_escape(&eval_args(args))))),
        "json" => {
            arity(name, &args, 1)?;
            let v = or_null(args.into_iter().next().flatten());
            // docker's json function turns off HTML escaping (SetEscapeHTML(false)).
            Ok(Some(Value::String(gofmt::to_json(&v, false, None))))
        }
        "split" => {
            arity(name, &args, 2)?;
            let (s, sep) = (want_str(&args[0])?, want_str(&args[1])?);
            Ok(Some(Value::Array(
                go_split(s, sep).into_iter().map(Value::String).collect(),
            )))
        }
        "join" => {
            arity(name, &args, 2)?;
            let list = want_string_list(&args[0])?;
            Ok(Some(Value::String(list.join(want_str(&args[1])?))))
        }
        "title" => {
            arity(name, &args, 1)?;
            Ok(Some(Value::String(title(want_str(&args[0])?))))
        }
        "lower" => {
            arity(name, &args, 1)?;
            Ok(Some(Value::String(want_str(&args[0])?.to_lowercase())))
        }
        "upper" => {
            arity(name, &args, 1)?;
            Ok(Some(Value::String(want_str(&args[0])?.to_uppercase())))
        }
        "pad" => {
            arity(name, &args, 3)?;
            let s = want_str(&args[0])?;
            let (before, after) = (want_int(&args[1])?, want_int(&args[2])?);
            if s.is_empty() {
                return Ok(Some(Value::String(String::new())));
            }
            let spaces = |n: i64| " ".repeat(usize::try_from(n).unwrap_or(0));
            Ok(Some(Value::String(format!(
                "{}{s}{}",
                spaces(before),
                spaces(after)
            ))))
        }
        "truncate" => {
            arity(name, &args, 2)?;
            let s = want_str(&args[0])?;
            let n = usize::try_from(want_int(&args[1])?).unwrap_or(0);
            Ok(Some(Value::String(s.chars().take(n).collect())))
        }
        other => Err(CallError::Failed(format!("function {other:?} not defined"))),
    }
}

/// Whether a piped call only type-checks with the piped (last) argument moved first.
fn needs_piped_first(name: &str, args: &[Option<Value>]) -> bool {
    let last = args.last().and_then(|v| v.as_ref());
    match name {
        "join" => {
            !matches!(args[0], Some(Value::Array(_))) && matches!(last, Some(Value::Array(_)))
        }
        "truncate" | "pad" => {
            !matches!(args[0], Some(Value::String(_))) && matches!(last, Some(Value::String(_)))
        }
        _ => false,
    }
}

fn nulls(args: Vec<Option<Value>>) -> Vec<Value> {
    args.into_iter().map(or_null).collect()
}

/// Go's evalArgs for html/js/urlquery: a single string as is, otherwise fmt.Sprint.
fn eval_args(args: Vec<Option<Value>>) -> String {
    match args.as_slice() {
        [Some(Value::String(s))] => s.clone(),
        _ => gofmt::sprint(&nulls(args)),
    }
}

fn length(v: &Option<Value>) -> Result<usize, CallError> {
    match v {
        // A nil slice or map has length 0 in Go; berth also counts a missing field as empty.
        None | Some(Value::Null) => Ok(0),
        Some(Value::String(s)) => Ok(s.len()),
        Some(Value::Array(a)) => Ok(a.len()),
        Some(Value::Object(o)) => Ok(o.len()),
        Some(other) => Err(CallError::Failed(format!(
            "len of type {}",
            type_name(other)
        ))),
    }
}

fn index(item: Option<Value>, key: &Value) -> Result<Option<Value>, CallError> {
    let out_of_range = |i: i64| CallError::Failed(format!("index out of range: {i}"));
    match item {
        Some(Value::Array(a)) => {
            let i = as_int(key).ok_or_else(|| {
                CallError::Failed(format!(
                    "cannot index slice/array with type {}",
                    type_name(key)
                ))
            })?;
            let at = usize::try_from(i).map_err(|_| out_of_range(i))?;
            a.into_iter()
                .nth(at)
                .map(Some)
                .ok_or_else(|| out_of_range(i))
        }
        Some(Value::String(s)) => {
            let i = as_int(key).ok_or_else(|| {
                CallError::Failed(format!(
                    "cannot index slice/array with type {}",
                    type_name(key)
                ))
            })?;
            let at = usize::try_from(i).map_err(|_| out_of_range(i))?;
            // Go indexes strings by byte and yields the byte as a number.
            s.as_bytes()
                .get(at)
                .map(|b| Some(Value::from(*b)))
                .ok_or_else(|| out_of_range(i))
        }
        Some(Value::Object(m)) => {
            let Value::String(k) = key else {
                return Err(CallError::Failed(format!(
                    "value has type {}; should be string",
                    type_name(key)
                )));
            };
            if let Some(v) = m.get(k) {
                return Ok(Some(v.clone()));
            }
            // Go returns the zero value of the map's element type. The maps users index
            // (Labels, Annotations, Options) are map[string]string, whose zero is "".
            if m.values().all(Value::is_string) {
                Ok(Some(Value::String(String::new())))
            } else {
                Ok(None)
            }
        }
        // A nil map (JSON null, e.g. `"Labels": null`) indexes to the zero value too.
        None | Some(Value::Null) => match key {
            Value::String(_) => Ok(Some(Value::String(String::new()))),
            _ => Err(CallError::Failed("index of untyped nil".into())),
        },
        Some(other) => Err(CallError::Failed(format!(
            "can't index item of type {}",
            type_name(&other)
        ))),
    }
}

fn slice(item: Option<Value>, idx: &[i64]) -> Result<Value, CallError> {
    let bounds = |len: usize, max_indexes: usize| -> Result<(usize, usize), CallError> {
        if idx.len() > max_indexes {
            return Err(CallError::Failed(format!(
                "too many slice indexes: {}",
                idx.len()
            )));
        }
        let check = |i: i64| {
            usize::try_from(i)
                .ok()
                .filter(|u| *u <= len)
                .ok_or_else(|| CallError::Failed(format!("index out of range: {i}")))
        };
        let start = idx.first().map(|i| check(*i)).transpose()?.unwrap_or(0);
        let end = idx.get(1).map(|i| check(*i)).transpose()?.unwrap_or(len);
        if start > end {
            return Err(CallError::Failed(format!(
                "invalid slice index: {start} > {end}"
            )));
        }
        if let Some(cap) = idx.get(2) {
            let cap = check(*cap)?;
            if end > cap {
                return Err(CallError::Failed(format!(
                    "invalid slice index: {end} > {cap}"
                )));
            }
        }
        Ok((start, end))
    };
    match item {
        Some(Value::String(s)) => {
            if idx.len() == 3 {
                return Err(CallError::Failed("cannot 3-index slice a string".into()));
            }
            let (a, b) = bounds(s.len(), 2)?;
            Ok(Value::String(
                String::from_utf8_lossy(&s.as_bytes()[a..b]).into_owned(),
            ))
        }
        Some(Value::Array(a)) => {
            let (start, end) = bounds(a.len(), 3)?;
            Ok(Value::Array(a[start..end].to_vec()))
        }
        None | Some(Value::Null) => Err(CallError::Failed("slice of untyped nil".into())),
        Some(other) => Err(CallError::Failed(format!(
            "can't slice item of type {}",
            type_name(&other)
        ))),
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => match go_number(n) {
            GoNumber::Int(i) => Some(i as f64),
            GoNumber::Float(f) => Some(f),
        },
        _ => None,
    }
}

/// Go's eq for one pair: basic kinds compare by value; nil equals only nil. Integers and
/// floats compare numerically (Go would refuse; JSON cannot tell them apart).
fn equal(a: &Option<Value>, b: &Option<Value>) -> Result<bool, CallError> {
    let nil = |v: &Option<Value>| matches!(v, None | Some(Value::Null));
    if nil(a) || nil(b) {
        return Ok(nil(a) && nil(b));
    }
    let (Some(a), Some(b)) = (a, b) else {
        return Ok(false);
    };
    match (a, b) {
        (Value::String(x), Value::String(y)) => Ok(x == y),
        (Value::Bool(x), Value::Bool(y)) => Ok(x == y),
        (Value::Number(x), Value::Number(y)) => Ok(match (go_number(x), go_number(y)) {
            (GoNumber::Int(i), GoNumber::Int(j)) => i == j,
            _ => number(a) == number(b),
        }),
        (Value::Array(_) | Value::Object(_), _) | (_, Value::Array(_) | Value::Object(_)) => {
            Err(CallError::Failed(format!(
                "non-comparable type {}: {}",
                gofmt::fmt_v(a),
                type_name(a)
            )))
        }
        _ => Err(CallError::Failed(
            "incompatible types for comparison".into(),
        )),
    }
}

fn order(a: &Option<Value>, b: &Option<Value>) -> Result<Ordering, CallError> {
    let invalid = || CallError::Failed("invalid type for comparison".into());
    match (a, b) {
        (Some(Value::String(x)), Some(Value::String(y))) => Ok(x.cmp(y)),
        (Some(Value::Number(x)), Some(Value::Number(y))) => match (go_number(x), go_number(y)) {
            (GoNumber::Int(i), GoNumber::Int(j)) => Ok(i.cmp(&j)),
            (p, q) => {
                let f = |n: GoNumber| match n {
                    GoNumber::Int(i) => i as f64,
                    GoNumber::Float(f) => f,
                };
                f(p).partial_cmp(&f(q)).ok_or_else(invalid)
            }
        },
        (Some(Value::String(_) | Value::Number(_)), Some(Value::String(_) | Value::Number(_))) => {
            Err(CallError::Failed(
                "incompatible types for comparison".into(),
            ))
        }
        _ => Err(invalid()),
    }
}

/// strings.Split: an empty separator splits after each UTF-8 character.
fn go_split(s: &str, sep: &str) -> Vec<String> {
    if sep.is_empty() {
        return s.chars().map(String::from).collect();
    }
    s.split(sep).map(String::from).collect()
}

/// strings.Title: upper-case the first letter of each word; words are separated by anything
/// that is not a letter, digit or underscore.
fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_separator = true;
    for c in s.chars() {
        if prev_separator {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev_separator = !(c.is_alphanumeric() || c == '_');
    }
    out
}

/// Go's template.HTMLEscapeString.
fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Go's template.JSEscapeString.
fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 || c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Go's url.QueryEscape.
fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn c(name: &str, args: &[Value]) -> CallResult {
        call(name, args.iter().cloned().map(Some).collect(), false)
    }

    #[test]
    fn docker_string_functions_behave_like_docker() {
        assert_eq!(
            c("split", &[json!("a,b"), json!(",")]),
            Ok(Some(json!(["a", "b"])))
        );
        assert_eq!(
            c("split", &[json!("ab"), json!("")]),
            Ok(Some(json!(["a", "b"])))
        );
        assert_eq!(
            c("join", &[json!(["a", "b"]), json!("-")]),
            Ok(Some(json!("a-b")))
        );
        assert_eq!(
            c("title", &[json!("hello wide-world foo_bar")]),
            Ok(Some(json!("Hello Wide-World Foo_bar")))
        );
        assert_eq!(c("lower", &[json!("AbC")]), Ok(Some(json!("abc"))));
        assert_eq!(c("upper", &[json!("AbC")]), Ok(Some(json!("ABC"))));
        assert_eq!(
            c("pad", &[json!("x"), json!(2), json!(1)]),
            Ok(Some(json!("  x ")))
        );
        assert_eq!(
            c("pad", &[json!(""), json!(2), json!(1)]),
            Ok(Some(json!("")))
        );
        assert_eq!(
            c("truncate", &[json!("abcdef"), json!(3)]),
            Ok(Some(json!("abc")))
        );
        assert_eq!(
            c("truncate", &[json!("ab"), json!(3)]),
            Ok(Some(json!("ab")))
        );
        assert_eq!(
            c("json", &[json!({"a": "<b>"})]),
            Ok(Some(json!(r#"{"a":"<b>"}"#)))
        );
    }

    #[test]
    fn piped_arguments_are_moved_first_only_when_go_order_cannot_type_check() {
        let piped =
            |name: &str, args: &[Value]| call(name, args.iter().cloned().map(Some).collect(), true);
        assert_eq!(
            piped("join", &[json!(","), json!(["a", "b"])]),
            Ok(Some(json!("a,b")))
        );
        assert_eq!(
            piped("truncate", &[json!(2), json!("abc")]),
            Ok(Some(json!("ab")))
        );
        // split takes two strings: Go's order stands.
        assert_eq!(
            piped("split", &[json!(","), json!("a,b")]),
            Ok(Some(json!([","])))
        );
    }

    #[test]
    fn wrong_types_and_counts_are_reported_like_go() {
        assert_eq!(
            c("upper", &[json!(1)]),
            Err(CallError::Signature(
                "wrong type for value; expected string; got int".into()
            ))
        );
        assert_eq!(
            call("upper", vec![None], false),
            Err(CallError::Signature(
                "invalid value; expected string".into()
            ))
        );
        assert_eq!(
            c("join", &[json!("a")]),
            Err(CallError::Signature(
                "wrong number of args for join: want 2 got 1".into()
            ))
        );
        assert_eq!(
            c("len", &[json!(3)]),
            Err(CallError::Failed("len of type int".into()))
        );
    }

    #[test]
    fn index_and_slice_follow_go() {
        assert_eq!(
            c("index", &[json!([1, 2, 3]), json!(1)]),
            Ok(Some(json!(2)))
        );
        assert_eq!(
            c("index", &[json!({"a": {"b": 1}}), json!("a"), json!("b")]),
            Ok(Some(json!(1)))
        );
        assert_eq!(
            c("index", &[json!({"a": "x"}), json!("zz")]),
            Ok(Some(json!("")))
        );
        assert_eq!(c("index", &[json!({"a": 1}), json!("zz")]), Ok(None));
        assert_eq!(c("index", &[json!(null), json!("k")]), Ok(Some(json!(""))));
        assert_eq!(c("index", &[json!("abc"), json!(1)]), Ok(Some(json!(98))));
        assert_eq!(
            c("index", &[json!([1]), json!(5)]),
            Err(CallError::Failed("index out of range: 5".into()))
        );
        assert_eq!(
            c("slice", &[json!("abcdef"), json!(1), json!(3)]),
            Ok(Some(json!("bc")))
        );
        assert_eq!(
            c("slice", &[json!([1, 2, 3]), json!(1)]),
            Ok(Some(json!([2, 3])))
        );
        assert_eq!(
            c("slice", &[json!("abc"), json!(2), json!(1)]),
            Err(CallError::Failed("invalid slice index: 2 > 1".into()))
        );
    }

    #[test]
    fn comparisons_follow_go_with_numeric_leniency() {
        assert_eq!(
            c("eq", &[json!("a"), json!("b"), json!("a")]),
            Ok(Some(json!(true)))
        );
        assert_eq!(c("eq", &[json!(0.0), json!(0)]), Ok(Some(json!(true))));
        assert_eq!(c("eq", &[json!(null), json!(null)]), Ok(Some(json!(true))));
        assert_eq!(c("eq", &[json!("a"), json!(null)]), Ok(Some(json!(false))));
        assert_eq!(c("ne", &[json!(1), json!(2)]), Ok(Some(json!(true))));
        assert_eq!(c("lt", &[json!(1), json!(2.5)]), Ok(Some(json!(true))));
        assert_eq!(c("ge", &[json!("b"), json!("a")]), Ok(Some(json!(true))));
        assert_eq!(c("le", &[json!(2), json!(2)]), Ok(Some(json!(true))));
        assert_eq!(c("gt", &[json!(2), json!(3)]), Ok(Some(json!(false))));
        assert_eq!(
            c("eq", &[json!("1"), json!(1)]),
            Err(CallError::Failed(
                "incompatible types for comparison".into()
            ))
        );
        assert_eq!(
            c("lt", &[json!(true), json!(false)]),
            Err(CallError::Failed("invalid type for comparison".into()))
        );
        assert!(c("eq", &[json!([1]), json!([1])]).is_err());
    }

    #[test]
    fn escapers_match_go() {
        assert_eq!(
            c("html", &[json!("<a href='x'>&\"")]),
            Ok(Some(json!("&lt;a href=&#39;x&#39;&gt;&amp;&#34;")))
        );
        assert_eq!(
            c("js", &[json!("a'b\"<=\n")]),
            Ok(Some(json!("a\\'b\\\"\\u003C\\u003D\\u000A")))
        );
        assert_eq!(
            c("urlquery", &[json!("a b&c/é")]),
            Ok(Some(json!("a+b%26c%2F%C3%A9")))
        );
        assert_eq!(
            c("print", &[json!("a"), json!(1), json!(2)]),
            Ok(Some(json!("a1 2")))
        );
        assert_eq!(c("not", &[json!("")]), Ok(Some(json!(true))));
    }
}
