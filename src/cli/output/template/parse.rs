//! The parser: tokens to a tree, following Go's text/template/parse/parse.go, including its
//! parse-time checks (undefined functions and variables, `{{else}}`/`{{end}}` placement,
//! non-executable pipeline stages).

use serde_json::Value;

use super::funcs;
use super::lex::{Item, Tok};
use super::TemplateError;
use crate::cli::output::gofmt;

/// Byte range of a node in the template source, for execution error context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Span {
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    Text(String),
    Action(Pipeline),
    If(Pipeline, Vec<Node>, Vec<Node>),
    With(Pipeline, Vec<Node>, Vec<Node>),
    Range(Pipeline, Vec<Node>, Vec<Node>),
    Break,
    Continue,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Pipeline {
    /// Variables declared (`:=`) or assigned (`=`) by the pipeline.
    pub decl: Vec<String>,
    pub is_assign: bool,
    pub cmds: Vec<Command>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Command {
    pub args: Vec<Operand>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Operand {
    /// `.A.B` on dot.
    Field(Vec<String>, Span),
    /// `$x` or `$x.A.B`.
    Variable(String, Vec<String>, Span),
    /// `(pipeline).A.B`.
    Chain(Box<Operand>, Vec<String>, Span),
    Dot,
    Nil(Span),
    Literal(Value),
    Func(String, Span),
    Pipe(Box<Pipeline>),
}

pub(super) fn parse(items: &[Item], src: &str) -> Result<Vec<Node>, TemplateError> {
    let mut p = Parser {
        items,
        i: 0,
        vars: vec!["$".to_string()],
        range_depth: 0,
        src,
    };
    let mut root = Vec::new();
    while p.peek().tok != Tok::Eof {
        match p.text_or_action()? {
            Parsed::Node(n) => root.push(n),
            Parsed::End => return Err(p.error_at(p.i - 1, "unexpected {{end}}")),
            Parsed::Else => return Err(p.error_at(p.i - 1, "unexpected {{else}}")),
        }
    }
    Ok(root)
}

enum Parsed {
    Node(Node),
    End,
    Else,
}

struct Parser<'a> {
    items: &'a [Item],
    i: usize,
    /// Variables in scope, for Go's parse-time "undefined variable" check.
    vars: Vec<String>,
    range_depth: usize,
    src: &'a str,
}

impl Parser<'_> {
    fn peek(&self) -> &Item {
        &self.items[self.i.min(self.items.len() - 1)]
    }

    fn next(&mut self) -> &Item {
        let i = self.i.min(self.items.len() - 1);
        self.i = i + 1;
        &self.items[i]
    }

    fn skip_space(&mut self) {
        while self.peek().tok == Tok::Space {
            self.i += 1;
        }
    }

    fn peek_non_space(&mut self) -> &Item {
        self.skip_space();
        self.peek()
    }

    fn next_non_space(&mut self) -> Item {
        self.skip_space();
        self.next().clone()
    }

    fn error_at(&self, index: usize, message: impl Into<String>) -> TemplateError {
        let line = self.items[index.min(self.items.len() - 1)].line;
        TemplateError::Parse {
            line,
            message: message.into(),
        }
    }

    fn error(&self, message: impl Into<String>) -> TemplateError {
        self.error_at(self.i.saturating_sub(1), message)
    }

    /// How Go names a token in "unexpected X in Y".
    fn describe(&self, item: &Item) -> String {
        match &item.tok {
            Tok::Eof => "EOF".into(),
            Tok::Keyword(k) => format!("<{k}>"),
            Tok::Text(t) => short_quote(t),
            _ => short_quote(&self.src[item.pos..item.end]),
        }
    }

    fn unexpected(&self, item: &Item, context: &str) -> TemplateError {
        self.error(format!("unexpected {} in {context}", self.describe(item)))
    }

    fn text_or_action(&mut self) -> Result<Parsed, TemplateError> {
        let item = self.next_non_space();
        match item.tok {
            Tok::Text(t) => Ok(Parsed::Node(Node::Text(t))),
            Tok::LeftDelim => self.action(),
            _ => Err(self.unexpected(&item, "input")),
        }
    }

    fn action(&mut self) -> Result<Parsed, TemplateError> {
        let item = self.next_non_space();
        match item.tok {
            Tok::Keyword("if") => Ok(Parsed::Node(self.control("if")?)),
            Tok::Keyword("with") => Ok(Parsed::Node(self.control("with")?)),
            Tok::Keyword("range") => Ok(Parsed::Node(self.control("range")?)),
            Tok::Keyword("end") => {
                self.expect_right_delim("end")?;
                Ok(Parsed::End)
            }
            Tok::Keyword("else") => {
                // `{{else if ...}}` / `{{else with ...}}`: leave the keyword for control().
                if !matches!(
                    self.peek_non_space().tok,
                    Tok::Keyword("if") | Tok::Keyword("with")
                ) {
                    self.expect_right_delim("else")?;
                }
                Ok(Parsed::Else)
            }
            Tok::Keyword(k @ ("break" | "continue")) => {
                if self.range_depth == 0 {
                    return Err(self.error(format!("{{{{{k}}}}} outside {{{{range}}}}")));
                }
                self.expect_right_delim(k)?;
                Ok(Parsed::Node(if k == "break" {
                    Node::Break
                } else {
                    Node::Continue
                }))
            }
            Tok::Keyword(k @ ("define" | "template" | "block")) => Err(self.error(format!(
                "{{{{{k}}}}} is not supported in --format templates (named templates cannot be defined or included)"
            ))),
            _ => {
                self.i -= 1;
                Ok(Parsed::Node(Node::Action(
                    self.pipeline("command", &Tok::RightDelim)?,
                )))
            }
        }
    }

    fn expect_right_delim(&mut self, context: &str) -> Result<(), TemplateError> {
        let item = self.next_non_space();
        if item.tok != Tok::RightDelim {
            return Err(self.unexpected(&item, context));
        }
        Ok(())
    }

    /// Go's parseControl: the pipeline, the body, and an optional else branch; `else if` and
    /// `else with` nest a new control that shares the closing `{{end}}`.
    fn control(&mut self, context: &'static str) -> Result<Node, TemplateError> {
        let mark = self.vars.len();
        let pipe = self.pipeline(context, &Tok::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let (body, next) = self.item_list()?;
        if context == "range" {
            self.range_depth -= 1;
        }
        let mut otherwise = Vec::new();
        if let Parsed::Else = next {
            let chained = matches!(
                (context, &self.peek_non_space().tok),
                ("if", Tok::Keyword("if")) | ("with", Tok::Keyword("with"))
            );
            if chained {
                self.next();
                otherwise.push(self.control(context)?);
            } else {
                let (list, next) = self.item_list()?;
                if !matches!(next, Parsed::End) {
                    return Err(self.error("expected end; found {{else}}"));
                }
                otherwise = list;
            }
        }
        self.vars.truncate(mark);
        Ok(match context {
            "if" => Node::If(pipe, body, otherwise),
            "with" => Node::With(pipe, body, otherwise),
            _ => Node::Range(pipe, body, otherwise),
        })
    }

    fn item_list(&mut self) -> Result<(Vec<Node>, Parsed), TemplateError> {
        let mut list = Vec::new();
        loop {
            if self.peek_non_space().tok == Tok::Eof {
                return Err(self.error_at(self.i, "unexpected EOF"));
            }
            match self.text_or_action()? {
                Parsed::Node(n) => list.push(n),
                other => return Ok((list, other)),
            }
        }
    }

    fn pipeline(&mut self, context: &str, end: &Tok) -> Result<Pipeline, TemplateError> {
        let mut decl = Vec::new();
        let mut is_assign = false;
        // `$x :=`, `$x =`, or in range `$i, $e :=`.
        loop {
            let save = self.i;
            let Tok::Variable(name) = self.peek_non_space().tok.clone() else {
                break;
            };
            self.next();
            match self.peek_non_space().tok {
                Tok::Assign | Tok::Declare => {
                    is_assign = self.peek().tok == Tok::Assign;
                    self.next();
                    self.vars.push(name.clone());
                    decl.push(name);
                    break;
                }
                Tok::Comma => {
                    self.next();
                    self.vars.push(name.clone());
                    decl.push(name);
                    if context == "range" && decl.len() < 2 {
                        match self.peek_non_space().tok {
                            Tok::Variable(_) | Tok::RightDelim | Tok::RightParen => continue,
                            _ => return Err(self.error("range can only initialize variables")),
                        }
                    }
                    return Err(self.error(format!("too many declarations in {context}")));
                }
                _ => {
                    self.i = save;
                    break;
                }
            }
        }
        let mut cmds = Vec::new();
        loop {
            let item = self.next_non_space();
            if item.tok == *end {
                break;
            }
            match item.tok {
                Tok::Bool(_)
                | Tok::Char(_)
                | Tok::Dot
                | Tok::Field(_)
                | Tok::Ident(_)
                | Tok::Number(_)
                | Tok::Nil
                | Tok::Str(_)
                | Tok::Variable(_)
                | Tok::LeftParen => {
                    self.i -= 1;
                    cmds.push(self.command()?);
                }
                _ => return Err(self.unexpected(&item, context)),
            }
        }
        if cmds.is_empty() {
            return Err(self.error(format!("missing value for {context}")));
        }
        for (i, c) in cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args[0],
                Operand::Dot | Operand::Nil(_) | Operand::Literal(_)
            ) {
                return Err(self.error(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                )));
            }
        }
        Ok(Pipeline {
            decl,
            is_assign,
            cmds,
        })
    }

    fn command(&mut self) -> Result<Command, TemplateError> {
        let start = self.peek_non_space().pos;
        let mut end = start;
        let mut args = Vec::new();
        loop {
            self.skip_space();
            if let Some(op) = self.operand()? {
                end = self.items[self.i - 1].end;
                args.push(op);
            }
            let item = self.next().clone();
            match item.tok {
                Tok::Space => continue,
                Tok::RightDelim | Tok::RightParen => self.i -= 1,
                Tok::Pipe => {}
                _ => return Err(self.unexpected(&item, "operand")),
            }
            break;
        }
        if args.is_empty() {
            return Err(self.error("empty command"));
        }
        Ok(Command {
            args,
            span: Span { start, end },
        })
    }

    /// A term, then any `.Field`s written right after it.
    fn operand(&mut self) -> Result<Option<Operand>, TemplateError> {
        let start = self.peek().pos;
        let Some(term) = self.term()? else {
            return Ok(None);
        };
        let mut fields = Vec::new();
        while let Tok::Field(f) = &self.peek().tok {
            fields.push(f.clone());
            self.i += 1;
        }
        if fields.is_empty() {
            return Ok(Some(term));
        }
        let span = Span {
            start,
            end: self.items[self.i - 1].end,
        };
        Ok(Some(match term {
            Operand::Field(mut path, _) => {
                path.extend(fields);
                Operand::Field(path, span)
            }
            Operand::Variable(name, mut path, _) => {
                path.extend(fields);
                Operand::Variable(name, path, span)
            }
            Operand::Dot | Operand::Nil(_) | Operand::Literal(_) => {
                let text = &self.src[start..self.items[self.i - fields.len() - 1].end];
                return Err(self.error(format!("unexpected . after term {}", gofmt::quote(text))));
            }
            other => Operand::Chain(Box::new(other), fields, span),
        }))
    }

    fn term(&mut self) -> Result<Option<Operand>, TemplateError> {
        let item = self.next_non_space();
        let span = Span {
            start: item.pos,
            end: item.end,
        };
        Ok(Some(match item.tok {
            Tok::Ident(name) => {
                if !funcs::is_defined(&name) {
                    return Err(self.error(format!("function {} not defined", gofmt::quote(&name))));
                }
                Operand::Func(name, span)
            }
            Tok::Dot => Operand::Dot,
            Tok::Nil => Operand::Nil(span),
            Tok::Variable(name) => {
                if !self.vars.contains(&name) {
                    return Err(self.error(format!("undefined variable {}", gofmt::quote(&name))));
                }
                Operand::Variable(name, Vec::new(), span)
            }
            Tok::Field(name) => Operand::Field(vec![name], span),
            Tok::Bool(b) => Operand::Literal(Value::Bool(b)),
            Tok::Char(c) => Operand::Literal(Value::from(c as u32)),
            Tok::Number(text) => Operand::Literal(parse_number(&text).map_err(|m| self.error(m))?),
            Tok::Str(s) => Operand::Literal(Value::String(s)),
            Tok::LeftParen => Operand::Pipe(Box::new(
                self.pipeline("parenthesized pipeline", &Tok::RightParen)?,
            )),
            _ => {
                self.i -= 1;
                return Ok(None);
            }
        }))
    }
}

/// Go's `%.10q...` for long tokens in error messages.
fn short_quote(s: &str) -> String {
    if s.chars().count() > 10 {
        format!(
            "{}...",
            gofmt::quote(&s.chars().take(10).collect::<String>())
        )
    } else {
        gofmt::quote(s)
    }
}

/// A number constant: Go's integer syntax (base prefixes, leading-zero octal, underscores)
/// gives an integer, anything with a fraction or exponent a float64.
fn parse_number(text: &str) -> Result<Value, String> {
    let illegal = || format!("illegal number syntax: {}", gofmt::quote(text));
    if text.ends_with('i') {
        return Err(format!(
            "complex number {} is not supported",
            gofmt::quote(text)
        ));
    }
    let clean = text.replace('_', "");
    let (neg, body) = match clean.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, clean.strip_prefix('+').unwrap_or(&clean)),
    };
    let lower = body.to_ascii_lowercase();
    let radix_int = if let Some(h) = lower.strip_prefix("0x") {
        (!h.contains('p') && !h.contains('.')).then(|| (h.to_string(), 16))
    } else if let Some(o) = lower.strip_prefix("0o") {
        Some((o.to_string(), 8))
    } else if let Some(b) = lower.strip_prefix("0b") {
        Some((b.to_string(), 2))
    } else if lower.len() > 1 && lower.starts_with('0') && lower.chars().all(|c| c.is_ascii_digit())
    {
        Some((lower[1..].to_string(), 8))
    } else if !lower.is_empty() && lower.chars().all(|c| c.is_ascii_digit()) {
        Some((lower.clone(), 10))
    } else {
        None
    };
    if let Some((digits, radix)) = radix_int {
        let magnitude = u128::from_str_radix(&digits, radix).map_err(|_| illegal())?;
        let value = if neg {
            i128::try_from(magnitude)
                .map(|m| -m)
                .map_err(|_| illegal())?
        } else {
            i128::try_from(magnitude).map_err(|_| illegal())?
        };
        if let Ok(i) = i64::try_from(value) {
            return Ok(Value::from(i));
        }
        if let Ok(u) = u64::try_from(value) {
            return Ok(Value::from(u));
        }
        return Err(format!("integer overflow: {}", gofmt::quote(text)));
    }
    if lower.starts_with("0x") {
        return Err(format!(
            "hexadecimal float {} is not supported",
            gofmt::quote(text)
        ));
    }
    let f: f64 = clean.parse().map_err(|_| illegal())?;
    serde_json::Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(illegal)
}

#[cfg(test)]
mod tests {
    use super::super::lex::lex;
    use super::*;
    use serde_json::json;

    fn parse_src(src: &str) -> Result<Vec<Node>, TemplateError> {
        parse(&lex(src)?, src)
    }

    fn err(src: &str) -> String {
        parse_src(src).unwrap_err().to_string()
    }

    #[test]
    fn numbers_follow_gos_constant_syntax() {
        assert_eq!(parse_number("42"), Ok(json!(42)));
        assert_eq!(parse_number("-7"), Ok(json!(-7)));
        assert_eq!(parse_number("0x1F"), Ok(json!(31)));
        assert_eq!(parse_number("017"), Ok(json!(15)));
        assert_eq!(parse_number("0b101"), Ok(json!(5)));
        assert_eq!(parse_number("1_000"), Ok(json!(1000)));
        assert_eq!(parse_number("1.5"), Ok(json!(1.5)));
        assert_eq!(parse_number("1e3"), Ok(json!(1000.0)));
        assert_eq!(parse_number("18446744073709551615"), Ok(json!(u64::MAX)));
        assert!(parse_number("-").is_err());
        assert!(parse_number("99999999999999999999999").is_err());
    }

    #[test]
    fn field_chains_after_variables_and_parens_are_one_operand() {
        let nodes = parse_src("{{$.A.B}}{{(.X).Y}}").unwrap();
        let Node::Action(p) = &nodes[0] else { panic!() };
        assert!(
            matches!(&p.cmds[0].args[0], Operand::Variable(n, path, _) if n == "$" && path == &["A", "B"])
        );
        let Node::Action(p) = &nodes[1] else { panic!() };
        assert!(matches!(&p.cmds[0].args[0], Operand::Chain(_, path, _) if path == &["Y"]));
    }

    #[test]
    fn else_if_nests_inside_the_else_branch() {
        let nodes = parse_src("{{if .A}}a{{else if .B}}b{{else}}c{{end}}").unwrap();
        let Node::If(_, then, otherwise) = &nodes[0] else {
            panic!()
        };
        assert_eq!(then, &vec![Node::Text("a".into())]);
        assert!(
            matches!(&otherwise[..], [Node::If(_, b, c)] if b == &vec![Node::Text("b".into())] && c == &vec![Node::Text("c".into())])
        );
    }

    #[test]
    fn parse_errors_use_gos_messages() {
        assert_eq!(
            err("{{foo .X}}"),
            "template: :1: function \"foo\" not defined"
        );
        assert_eq!(err("{{if .X}}a"), "template: :1: unexpected EOF");
        assert_eq!(err("{{end}}"), "template: :1: unexpected {{end}}");
        assert_eq!(err("{{else}}"), "template: :1: unexpected {{else}}");
        assert_eq!(err("{{}}"), "template: :1: missing value for command");
        assert_eq!(err("{{if}}{{end}}"), "template: :1: missing value for if");
        assert_eq!(err("{{$x}}"), "template: :1: undefined variable \"$x\"");
        assert_eq!(
            err("{{.X | 3}}"),
            "template: :1: non executable command in pipeline stage 2"
        );
        assert_eq!(
            err("{{break}}"),
            "template: :1: {{break}} outside {{range}}"
        );
        assert_eq!(
            err("{{range .X}}{{else}}{{else}}{{end}}"),
            "template: :1: expected end; found {{else}}"
        );
        assert_eq!(
            err("{{\"a\".B}}"),
            "template: :1: unexpected . after term \"\\\"a\\\"\""
        );
        assert_eq!(err("{{.A ,}}"), "template: :1: unexpected \",\" in operand");
        assert_eq!(
            err("a\n{{if .X}}\n{{end}}{{end}}"),
            "template: :3: unexpected {{end}}"
        );
        assert!(err("{{template \"x\"}}").contains("not supported"));
    }

    #[test]
    fn variables_go_out_of_scope_at_end() {
        assert!(parse_src("{{if .A}}{{$x := 1}}{{$x}}{{end}}").is_ok());
        assert_eq!(
            err("{{if .A}}{{$x := 1}}{{end}}{{$x}}"),
            "template: :1: undefined variable \"$x\""
        );
        assert!(parse_src("{{range $i, $e := .L}}{{$i}}{{$e}}{{end}}").is_ok());
    }
}
