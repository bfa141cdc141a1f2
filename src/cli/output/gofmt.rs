//! How Go prints values: `fmt`'s `%v` and `Printf` verbs, `strconv`'s float formats and quoting,
//! and `encoding/json`'s encoder. docker and podman users see these spellings in every
//! `--format` output, so berth reproduces them over JSON values: JSON integers print as Go
//! integers, other numbers as Go `float64`, arrays as `[]interface{}`, objects as maps.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Number, Value};

/// A JSON number as Go sees it: an integer (any of Go's int types) or a float64.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum GoNumber {
    Int(i128),
    Float(f64),
}

pub(crate) fn go_number(n: &Number) -> GoNumber {
    if let Some(i) = n.as_i64() {
        GoNumber::Int(i128::from(i))
    } else if let Some(u) = n.as_u64() {
        GoNumber::Int(i128::from(u))
    } else {
        GoNumber::Float(n.as_f64().unwrap_or(f64::NAN))
    }
}

/// The Go type a value would have after `json.Unmarshal` into `interface{}` (integers aside),
/// as Go's error messages name it.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(n) => match go_number(n) {
            GoNumber::Int(_) => "int",
            GoNumber::Float(_) => "float64",
        },
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// Go's `%v`: strings raw, `<nil>`, `[a b]`, `map[k:v]` with sorted keys.
pub(crate) fn fmt_v(v: &Value) -> String {
    let mut out = String::new();
    write_v(&mut out, v);
    out
}

fn write_v(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match go_number(n) {
            GoNumber::Int(i) => {
                let _ = write!(out, "{i}");
            }
            GoNumber::Float(f) => out.push_str(&format_float(f, 'g', None)),
        },
        Value::String(s) => out.push_str(s),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_v(out, x);
            }
            out.push(']');
        }
        Value::Object(m) => {
            // Go's fmt prints maps with their keys sorted, whatever the insertion order.
            let sorted: BTreeMap<&String, &Value> = m.iter().collect();
            out.push_str("map[");
            for (i, (k, x)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_v(out, x);
            }
            out.push(']');
        }
    }
}

/// Decimal digits (no leading or trailing zeros, at least one digit) and the decimal exponent
/// of the first digit, of `f` (finite, non-negative) rounded to `sig` significant digits, or
/// to the shortest digits that read back as `f` when `sig` is None.
fn decimal_digits(f: f64, sig: Option<usize>) -> (String, i32) {
    if f == 0.0 {
        return ("0".into(), 0);
    }
    // Rust's `{:e}` is exact (or shortest round-trip), like Go's strconv: same digits.
    let s = match sig {
        Some(p) => format!("{:.*e}", p.saturating_sub(1), f),
        None => format!("{f:e}"),
    };
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    while digits.len() > 1 && digits.ends_with('0') {
        digits.pop();
    }
    (digits, exp)
}

/// `d.ddde±XX` from digits, as Go writes %e (at least two exponent digits).
fn e_notation(digits: &str, exp: i32, frac_digits: usize, upper: bool) -> String {
    let mut out = String::new();
    out.push_str(&digits[..1]);
    if frac_digits > 0 {
        out.push('.');
        let rest = &digits[1..];
        out.push_str(&rest[..rest.len().min(frac_digits)]);
        for _ in rest.len()..frac_digits {
            out.push('0');
        }
    }
    out.push(if upper { 'E' } else { 'e' });
    out.push(if exp < 0 { '-' } else { '+' });
    let _ = write!(out, "{:02}", exp.unsigned_abs());
    out
}

/// Fixed notation from digits whose first digit has decimal exponent `exp`, without rounding.
fn fixed_notation(digits: &str, exp: i32) -> String {
    let mut out = String::new();
    if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(digits);
        return out;
    }
    let int_len = exp as usize + 1;
    if digits.len() <= int_len {
        out.push_str(digits);
        for _ in digits.len()..int_len {
            out.push('0');
        }
    } else {
        out.push_str(&digits[..int_len]);
        out.push('.');
        out.push_str(&digits[int_len..]);
    }
    out
}

/// Go's strconv.FormatFloat(f, verb, prec, 64) for verbs e, E, f, F, g, G; `prec` None is
/// Go's -1 (shortest representation).
pub(crate) fn format_float(f: f64, verb: char, prec: Option<usize>) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    let a = f.abs();
    let body = match verb {
        'e' | 'E' => {
            let (digits, exp) = decimal_digits(a, prec.map(|p| p + 1));
            let frac = prec.unwrap_or(digits.len() - 1);
            e_notation(&digits, exp, frac, verb == 'E')
        }
        'f' | 'F' => match prec {
            Some(p) => format!("{a:.p$}"),
            None => format!("{a}"),
        },
        _ => {
            let (digits, exp) = decimal_digits(a, prec.map(|p| p.max(1)));
            // %e is used when the exponent is below -4 or at least the precision; for the
            // shortest form Go decides with precision 6 (so 1234567.0 prints 1.234567e+06).
            let eprec = match prec {
                None => 6,
                Some(p) => p.max(1) as i32,
            };
            if exp < -4 || exp >= eprec {
                e_notation(&digits, exp, digits.len() - 1, verb == 'G')
            } else {
                fixed_notation(&digits, exp)
            }
        }
    };
    format!("{sign}{body}")
}

/// Go's strconv.Quote: a double-quoted string with Go escapes.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_escaped(&mut out, c, '"');
    }
    out.push('"');
    out
}

/// Go's strconv.QuoteRune.
pub(crate) fn quote_rune(c: char) -> String {
    let mut out = String::from("'");
    push_escaped(&mut out, c, '\'');
    out.push('\'');
    out
}

fn push_escaped(out: &mut String, c: char, quote: char) {
    match c {
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        '\\' => out.push_str("\\\\"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        c if (c as u32) < 0x20 || c as u32 == 0x7f => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if is_printable(c) => out.push(c),
        c if (c as u32) < 0x10000 => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\U{:08x}", c as u32);
        }
    }
}

/// An approximation of Go's unicode.IsPrint: not a control, format or separator character
/// other than the ASCII space.
fn is_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c as u32,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF)
}

/// Go's encoding/json output for a value: compact, or indented like json.MarshalIndent.
/// `escape_html` is json.Marshal's default (`<`, `>`, `&` as \u003c...); docker's `json`
/// template function turns it off, its inspect output keeps it on.
pub(crate) fn to_json(v: &Value, escape_html: bool, indent: Option<&str>) -> String {
    let mut out = String::new();
    write_json(&mut out, v, escape_html, indent, 0);
    out
}

fn newline_indent(out: &mut String, indent: Option<&str>, depth: usize) {
    if let Some(ind) = indent {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(ind);
        }
    }
}

fn write_json(out: &mut String, v: &Value, html: bool, indent: Option<&str>, depth: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match go_number(n) {
            GoNumber::Int(i) => {
                let _ = write!(out, "{i}");
            }
            GoNumber::Float(f) => out.push_str(&json_float(f)),
        },
        Value::String(s) => json_string(out, s, html),
        Value::Array(a) => {
            if a.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline_indent(out, indent, depth + 1);
                write_json(out, x, html, indent, depth + 1);
            }
            newline_indent(out, indent, depth);
            out.push(']');
        }
        Value::Object(m) => {
            if m.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline_indent(out, indent, depth + 1);
                json_string(out, k, html);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_json(out, x, html, indent, depth + 1);
            }
            newline_indent(out, indent, depth);
            out.push('}');
        }
    }
}

/// encoding/json's float64 format: fixed notation, exponent only outside [1e-6, 1e21).
fn json_float(f: f64) -> String {
    let a = f.abs();
    if a != 0.0 && !(1e-6..1e21).contains(&a) {
        let s = format_float(f, 'e', None);
        // Go cleans e-07 up to e-7 (but keeps e+21).
        match s.find("e-0") {
            Some(i) => format!("{}e-{}", &s[..i], &s[i + 3..]),
            None => s,
        }
    } else {
        format_float(f, 'f', None)
    }
}

fn json_string(out: &mut String, s: &str, html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' if html => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            // Go escapes LINE and PARAGRAPH SEPARATOR unconditionally (they break JSONP).
            '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Go's fmt.Sprint: operands printed with %v, a space between two operands when neither is a
/// string.
pub(crate) fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    let mut prev_string = false;
    for (i, a) in args.iter().enumerate() {
        let is_string = a.is_string();
        if i > 0 && !is_string && !prev_string {
            out.push(' ');
        }
        write_v(&mut out, a);
        prev_string = is_string;
    }
    out
}

/// Go's fmt.Sprintln: operands separated by spaces, then a newline.
pub(crate) fn sprintln(args: &[Value]) -> String {
    let mut out = args.iter().map(fmt_v).collect::<Vec<_>>().join(" ");
    out.push('\n');
    out
}

#[derive(Debug, Default, Clone, Copy)]
struct Spec {
    minus: bool,
    plus: bool,
    space: bool,
    zero: bool,
    sharp: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// Go's fmt.Sprintf over JSON values, with Go's in-band error notes (`%!d(string=x)`,
/// `%!v(MISSING)`, `%!(EXTRA ...)`).
pub(crate) fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut next_arg = 0;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        while let Some(&f) = chars.peek() {
            match f {
                '-' => spec.minus = true,
                '+' => spec.plus = true,
                ' ' => spec.space = true,
                '0' => spec.zero = true,
                '#' => spec.sharp = true,
                _ => break,
            }
            chars.next();
        }
        let mut star_arg =
            |spec_field: &mut Option<usize>, out: &mut String| match args.get(next_arg) {
                Some(Value::Number(n)) if n.as_i64().is_some() => {
                    let n = n.as_i64().unwrap_or(0);
                    *spec_field = Some(n.unsigned_abs() as usize);
                    next_arg += 1;
                    n < 0
                }
                _ => {
                    out.push_str("%!(BADWIDTH)");
                    next_arg += 1;
                    false
                }
            };
        if chars.peek() == Some(&'*') {
            chars.next();
            if star_arg(&mut spec.width, &mut out) {
                spec.minus = true;
            }
        } else {
            spec.width = take_number(&mut chars);
        }
        if chars.peek() == Some(&'.') {
            chars.next();
            if chars.peek() == Some(&'*') {
                chars.next();
                star_arg(&mut spec.prec, &mut out);
            } else {
                spec.prec = Some(take_number(&mut chars).unwrap_or(0));
            }
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        match args.get(next_arg) {
            None => {
                let _ = write!(out, "%!{verb}(MISSING)");
            }
            Some(arg) => {
                next_arg += 1;
                out.push_str(&format_arg(arg, verb, &spec));
            }
        }
    }
    if next_arg < args.len() {
        out.push_str("%!(EXTRA ");
        let extra: Vec<String> = args[next_arg..]
            .iter()
            .map(|a| match a {
                Value::Null => "<nil>".to_string(),
                a => format!("{}={}", type_name(a), fmt_v(a)),
            })
            .collect();
        out.push_str(&extra.join(", "));
        out.push(')');
    }
    out
}

fn take_number(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<usize> {
    let mut n: Option<usize> = None;
    while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
        n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(d as usize));
        chars.next();
    }
    n
}

fn bad_verb(verb: char, arg: &Value) -> String {
    match arg {
        Value::Null => format!("%!{verb}(<nil>)"),
        a => format!("%!{verb}({}={})", type_name(a), fmt_v(a)),
    }
}

/// One operand under one verb; arrays and maps apply the verb to each element, as Go does.
fn format_arg(arg: &Value, verb: char, spec: &Spec) -> String {
    let body = match arg {
        Value::Array(items) if verb != 'T' => {
            let inner: Vec<String> = items
                .iter()
                .map(|x| format_arg(x, verb, &Spec::default()))
                .collect();
            format!("[{}]", inner.join(" "))
        }
        Value::Object(m) if verb != 'T' => {
            let sorted: BTreeMap<&String, &Value> = m.iter().collect();
            let inner: Vec<String> = sorted
                .into_iter()
                .map(|(k, x)| {
                    format!(
                        "{}:{}",
                        format_arg(&Value::String(k.clone()), verb, &Spec::default()),
                        format_arg(x, verb, &Spec::default())
                    )
                })
                .collect();
            format!("map[{}]", inner.join(" "))
        }
        _ => return format_scalar(arg, verb, spec),
    };
    pad(body, spec)
}

fn format_scalar(arg: &Value, verb: char, spec: &Spec) -> String {
    if verb == 'T' {
        return pad(type_name(arg).to_string(), spec);
    }
    match arg {
        Value::Null => match verb {
            'v' => pad("<nil>".into(), spec),
            _ => bad_verb(verb, arg),
        },
        Value::Bool(b) => match verb {
            'v' | 't' => pad(b.to_string(), spec),
            _ => bad_verb(verb, arg),
        },
        Value::String(s) => match verb {
            'v' | 's' => pad(truncate_chars(s, spec.prec), spec),
            'q' => pad(quote(&truncate_chars(s, spec.prec)), spec),
            'x' | 'X' => {
                let mut hex = String::new();
                for b in truncate_chars(s, spec.prec).bytes() {
                    let _ = if verb == 'x' {
                        write!(hex, "{b:02x}")
                    } else {
                        write!(hex, "{b:02X}")
                    };
                }
                pad(hex, spec)
            }
            _ => bad_verb(verb, arg),
        },
        Value::Number(n) => match go_number(n) {
            GoNumber::Int(i) => format_int(i, verb, spec).unwrap_or_else(|| bad_verb(verb, arg)),
            GoNumber::Float(f) => format_f64(f, verb, spec).unwrap_or_else(|| bad_verb(verb, arg)),
        },
        Value::Array(_) | Value::Object(_) => format_arg(arg, verb, spec),
    }
}

fn truncate_chars(s: &str, prec: Option<usize>) -> String {
    match prec {
        Some(p) => s.chars().take(p).collect(),
        None => s.to_string(),
    }
}

fn sign_prefix(negative: bool, spec: &Spec) -> &'static str {
    if negative {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    }
}

fn format_int(i: i128, verb: char, spec: &Spec) -> Option<String> {
    let neg = i < 0;
    let a = i.unsigned_abs();
    let (digits, prefix) = match verb {
        'v' | 'd' => (a.to_string(), ""),
        'b' => (format!("{a:b}"), if spec.sharp { "0b" } else { "" }),
        'o' => (format!("{a:o}"), if spec.sharp { "0" } else { "" }),
        'O' => (format!("{a:o}"), "0o"),
        'x' => (format!("{a:x}"), if spec.sharp { "0x" } else { "" }),
        'X' => (format!("{a:X}"), if spec.sharp { "0X" } else { "" }),
        'c' => {
            let c = char::from_u32(u32::try_from(i).ok()?).unwrap_or('\u{FFFD}');
            return Some(pad(c.to_string(), spec));
        }
        'q' => {
            let c = char::from_u32(u32::try_from(i).ok()?).unwrap_or('\u{FFFD}');
            return Some(pad(quote_rune(c), spec));
        }
        'U' => return Some(pad(format!("U+{a:04X}"), spec)),
        // Go rejects float verbs on integers; berth accepts them because JSON does not say
        // whether a field was an int or a float64 in the program that produced it.
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => return format_f64(i as f64, verb, spec),
        _ => return None,
    };
    let digits = match spec.prec {
        Some(p) if digits.len() < p => format!("{}{digits}", "0".repeat(p - digits.len())),
        _ => digits,
    };
    Some(pad_number(
        &format!("{}{prefix}", sign_prefix(neg, spec)),
        &digits,
        spec,
    ))
}

fn format_f64(f: f64, verb: char, spec: &Spec) -> Option<String> {
    let (verb, prec) = match verb {
        'v' => ('g', spec.prec),
        'e' | 'E' | 'f' | 'F' => (verb, Some(spec.prec.unwrap_or(6))),
        'g' | 'G' => (verb, spec.prec),
        _ => return None,
    };
    let s = format_float(f, verb, prec);
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, s.clone()),
    };
    if !f.is_finite() {
        return Some(pad(s, spec));
    }
    Some(pad_number(sign_prefix(neg, spec), &body, spec))
}

/// Width padding for numbers: zeros go between the sign and the digits.
fn pad_number(sign: &str, digits: &str, spec: &Spec) -> String {
    let len = sign.chars().count() + digits.chars().count();
    match spec.width {
        Some(w) if w > len && spec.zero && !spec.minus => {
            format!("{sign}{}{digits}", "0".repeat(w - len))
        }
        _ => pad(format!("{sign}{digits}"), spec),
    }
}

fn pad(s: String, spec: &Spec) -> String {
    let len = s.chars().count();
    match spec.width {
        Some(w) if w > len => {
            let fill = " ".repeat(w - len);
            if spec.minus {
                s + &fill
            } else {
                fill + &s
            }
        }
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fmt_v_prints_each_json_type_as_go_prints_interface_values() {
        assert_eq!(fmt_v(&json!(null)), "<nil>");
        assert_eq!(fmt_v(&json!(true)), "true");
        assert_eq!(fmt_v(&json!(1234)), "1234");
        assert_eq!(fmt_v(&json!(-7)), "-7");
        assert_eq!(fmt_v(&json!(u64::MAX)), "18446744073709551615");
        assert_eq!(fmt_v(&json!(1.5)), "1.5");
        assert_eq!(fmt_v(&json!("a b")), "a b");
        assert_eq!(fmt_v(&json!(["a", 1, null])), "[a 1 <nil>]");
        assert_eq!(
            fmt_v(&json!({"z": 1, "a": {"y": [true]}})),
            "map[a:map[y:[true]] z:1]"
        );
        assert_eq!(fmt_v(&json!({})), "map[]");
        assert_eq!(fmt_v(&json!([])), "[]");
    }

    #[test]
    fn floats_use_gos_shortest_g_format() {
        assert_eq!(format_float(1.0, 'g', None), "1");
        assert_eq!(format_float(123456.0, 'g', None), "123456");
        assert_eq!(format_float(1234567.0, 'g', None), "1.234567e+06");
        assert_eq!(format_float(1e21, 'g', None), "1e+21");
        assert_eq!(format_float(0.0001, 'g', None), "0.0001");
        assert_eq!(format_float(0.00001, 'g', None), "1e-05");
        assert_eq!(format_float(-2.5, 'g', None), "-2.5");
        assert_eq!(format_float(0.1 + 0.2, 'g', None), "0.30000000000000004");
    }

    #[test]
    fn floats_with_precision_round_like_strconv() {
        assert_eq!(format_float(4.26, 'g', Some(3)), "4.26");
        assert_eq!(format_float(4.2649, 'g', Some(3)), "4.26");
        assert_eq!(format_float(1.2, 'g', Some(3)), "1.2");
        assert_eq!(format_float(123.456, 'g', Some(3)), "123");
        assert_eq!(format_float(999.5, 'g', Some(3)), "1e+03");
        assert_eq!(format_float(100.0, 'g', Some(3)), "100");
        assert_eq!(format_float(2.34567, 'f', Some(2)), "2.35");
        assert_eq!(format_float(1234.5, 'e', Some(2)), "1.23e+03");
        assert_eq!(format_float(0.0, 'e', Some(1)), "0.0e+00");
    }

    #[test]
    fn json_matches_gos_encoder() {
        let v = json!({"b": "<a&b>", "a": [1, 2.5, 1e21, 1e-7, null], "c": "\u{2028}\n\u{1}"});
        assert_eq!(
            to_json(&v, true, None),
            r#"{"b":"\u003ca\u0026b\u003e","a":[1,2.5,1e+21,1e-7,null],"c":"\u2028\n\u0001"}"#
        );
        assert_eq!(
            to_json(&json!({"b": "<a&b>"}), false, None),
            r#"{"b":"<a&b>"}"#
        );
        assert_eq!(to_json(&json!(1.0), false, None), "1");
    }

    #[test]
    fn indented_json_matches_marshal_indent() {
        let v = json!([{"Id": "x", "E": {}, "L": [], "N": [1]}]);
        assert_eq!(
            to_json(&v, true, Some("    ")),
            "[\n    {\n        \"Id\": \"x\",\n        \"E\": {},\n        \"L\": [],\n        \"N\": [\n            1\n        ]\n    }\n]"
        );
        assert_eq!(to_json(&json!([]), true, Some("    ")), "[]");
    }

    #[test]
    fn quote_escapes_like_strconv_quote() {
        assert_eq!(quote("a\"b\\c\n\t\u{7}é"), r#""a\"b\\c\n\t\aé""#);
        assert_eq!(quote("\u{1}\u{200b}"), r#""\x01\u200b""#);
        assert_eq!(quote_rune('\''), r"'\''");
    }

    #[test]
    fn sprint_adds_spaces_only_between_non_strings() {
        assert_eq!(sprint(&[json!(1), json!(2)]), "1 2");
        assert_eq!(sprint(&[json!("a"), json!("b")]), "ab");
        assert_eq!(sprint(&[json!("a"), json!(1), json!("b")]), "a1b");
        assert_eq!(sprintln(&[json!("a"), json!(1)]), "a 1\n");
    }

    #[test]
    fn sprintf_supports_verbs_flags_width_and_precision() {
        let f = |fmt: &str, args: &[Value]| sprintf(fmt, args);
        assert_eq!(f("%s %d", &[json!("a"), json!(5)]), "a 5");
        assert_eq!(f("%5s|%-5s|", &[json!("ab"), json!("cd")]), "   ab|cd   |");
        assert_eq!(
            f(
                "%05d %+d %x %X %o %b",
                &[
                    json!(42),
                    json!(3),
                    json!(255),
                    json!(255),
                    json!(8),
                    json!(5)
                ]
            ),
            "00042 +3 ff FF 10 101"
        );
        assert_eq!(
            f("%.2f %e %g", &[json!(2.34567), json!(1234.5), json!(0.5)]),
            "2.35 1.234500e+03 0.5"
        );
        assert_eq!(
            f("%q %v %t", &[json!("x\"y"), json!([1, "a"]), json!(true)]),
            r#""x\"y" [1 a] true"#
        );
        assert_eq!(
            f("%.3s|%c|%U|%%", &[json!("abcdef"), json!(65), json!(65)]),
            "abc|A|U+0041|%"
        );
        assert_eq!(
            f("%*d|%-*d|", &[json!(4), json!(7), json!(3), json!(1)]),
            "   7|1  |"
        );
        assert_eq!(f("%x", &[json!("hi")]), "6869");
        assert_eq!(
            f("%T %T", &[json!("s"), json!([1])]),
            "string []interface {}"
        );
    }

    #[test]
    fn sprintf_reports_bad_missing_and_extra_operands_in_band() {
        assert_eq!(sprintf("%d", &[json!("abc")]), "%!d(string=abc)");
        assert_eq!(sprintf("%d %s", &[json!(1)]), "1 %!s(MISSING)");
        assert_eq!(
            sprintf("%s", &[json!("a"), json!(2), json!("b")]),
            "a%!(EXTRA int=2, string=b)"
        );
        assert_eq!(sprintf("%d", &[json!(null)]), "%!d(<nil>)");
        assert_eq!(sprintf("%", &[]), "%!(NOVERB)");
        assert_eq!(sprintf("%d", &[json!([1, 2])]), "[1 2]");
    }
}
