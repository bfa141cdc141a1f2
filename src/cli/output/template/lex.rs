//! The lexer: template source to tokens, following Go's text/template/parse/lex.go so that
//! the same templates split the same way (trim markers, comments, quoting, number syntax).

use super::TemplateError;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    /// Template text, with docker's `\t`/`\n` replacement and trim markers applied.
    Text(String),
    LeftDelim,
    RightDelim,
    Space,
    /// `.Name`, without the dot.
    Field(String),
    /// `$` or `$name`, with the dollar.
    Variable(String),
    Dot,
    Ident(String),
    /// if, else, end, range, with, break, continue, define, template, block.
    Keyword(&'static str),
    Bool(bool),
    Nil,
    /// A quoted or raw string, already unquoted.
    Str(String),
    /// A number as written.
    Number(String),
    /// A character constant's value.
    Char(char),
    Pipe,
    Assign,
    Declare,
    LeftParen,
    RightParen,
    Comma,
    /// Any other printable ASCII character (always a syntax error in the parser).
    Other(char),
    Eof,
}

#[derive(Debug, Clone)]
pub(super) struct Item {
    pub tok: Tok,
    /// Byte offsets in the template source.
    pub pos: usize,
    pub end: usize,
    pub line: usize,
}

const KEYWORDS: &[&str] = &[
    "if", "else", "end", "range", "with", "break", "continue", "define", "template", "block",
];

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Go's `%#U`: `U+0021 '!'`.
fn describe_char(c: char) -> String {
    format!("U+{:04X} '{c}'", c as u32)
}

/// docker's CLI turns the two-character sequences `\t` and `\n` a user typed in --format into
/// a tab and a newline; berth does it in template text only, so `{{"\n"}}` keeps working.
fn docker_unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\\', Some('t')) => {
                out.push('\t');
                chars.next();
            }
            ('\\', Some('n')) => {
                out.push('\n');
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    line: usize,
    items: Vec<Item>,
    paren_depth: usize,
    /// The previous action ended with ` -}}`: trim the whitespace that starts the next text.
    trim_next_text: bool,
}

pub(super) fn lex(src: &str) -> Result<Vec<Item>, TemplateError> {
    let mut l = Lexer {
        src,
        pos: 0,
        line: 1,
        items: Vec::new(),
        paren_depth: 0,
        trim_next_text: false,
    };
    l.run()?;
    Ok(l.items)
}

impl Lexer<'_> {
    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn error(&self, message: impl Into<String>) -> TemplateError {
        TemplateError::Parse {
            line: self.line,
            message: message.into(),
        }
    }

    fn push(&mut self, tok: Tok, start: usize) {
        let line = self.line;
        self.line += self.src[start..self.pos].matches('\n').count();
        self.items.push(Item {
            tok,
            pos: start,
            end: self.pos,
            line,
        });
    }

    fn run(&mut self) -> Result<(), TemplateError> {
        loop {
            let start = self.pos;
            let Some(x) = self.rest().find("{{") else {
                self.push_text(start, self.src.len(), false);
                self.pos = self.src.len();
                self.push(Tok::Eof, self.pos);
                return Ok(());
            };
            let delim = start + x;
            let after = delim + 2;
            // `{{- ` (dash then a space) trims the whitespace before the action.
            let trim_left = has_left_trim_marker(&self.src[after..]);
            self.push_text(start, delim, trim_left);
            self.pos = delim;
            self.line += self.src[start..delim].matches('\n').count();
            let body = after + if trim_left { 2 } else { 0 };
            if self.src[body..].starts_with("/*") {
                self.pos = body;
                self.lex_comment()?;
            } else {
                self.pos = after;
                self.push(Tok::LeftDelim, delim);
                self.pos = body;
                self.paren_depth = 0;
                self.lex_action()?;
            }
        }
    }

    fn push_text(&mut self, start: usize, end: usize, trim_right: bool) {
        let mut text = docker_unescape(&self.src[start..end]);
        if std::mem::take(&mut self.trim_next_text) {
            text = text.trim_start_matches(is_space).to_string();
        }
        if trim_right {
            text.truncate(text.trim_end_matches(is_space).len());
        }
        if !text.is_empty() {
            self.items.push(Item {
                tok: Tok::Text(text),
                pos: start,
                end,
                line: self.line,
            });
        }
    }

    /// At `}}` or ` -}}`? Returns whether, and whether with the trim marker.
    fn at_right_delim(&self) -> Option<bool> {
        let rest = self.rest();
        let mut chars = rest.chars();
        if let (Some(s), Some('-')) = (chars.next(), chars.next()) {
            if is_space(s) && rest[s.len_utf8() + 1..].starts_with("}}") {
                return Some(true);
            }
        }
        rest.starts_with("}}").then_some(false)
    }

    fn close_action(&mut self, trim: bool) {
        let start = self.pos;
        self.pos += if trim { 4 } else { 2 };
        self.trim_next_text = trim;
        self.push(Tok::RightDelim, start);
    }

    fn lex_comment(&mut self) -> Result<(), TemplateError> {
        let Some(x) = self.rest()[2..].find("*/") else {
            return Err(self.error("unclosed comment"));
        };
        let start = self.pos;
        self.pos += 2 + x + 2;
        self.line += self.src[start..self.pos].matches('\n').count();
        let Some(trim) = self.at_right_delim() else {
            return Err(self.error("comment ends before closing delimiter"));
        };
        self.pos += if trim { 4 } else { 2 };
        self.trim_next_text = trim;
        Ok(())
    }

    fn lex_action(&mut self) -> Result<(), TemplateError> {
        loop {
            if let Some(trim) = self.at_right_delim() {
                if self.paren_depth != 0 {
                    return Err(self.error("unclosed left paren"));
                }
                self.close_action(trim);
                return Ok(());
            }
            let start = self.pos;
            let Some(c) = self.peek() else {
                return Err(self.error("unclosed action"));
            };
            self.pos += c.len_utf8();
            match c {
                c if is_space(c) => self.lex_space(start),
                '=' => self.push(Tok::Assign, start),
                ':' => {
                    if self.peek() != Some('=') {
                        return Err(self.error("expected :="));
                    }
                    self.pos += 1;
                    self.push(Tok::Declare, start);
                }
                '|' => self.push(Tok::Pipe, start),
                '"' => self.lex_quote(start)?,
                '`' => self.lex_raw_quote(start)?,
                '$' => {
                    let name = self.scan_alnum()?;
                    self.push(Tok::Variable(format!("${name}")), start);
                }
                '\'' => self.lex_char(start)?,
                '.' if !self.peek().is_some_and(|d| d.is_ascii_digit()) => {
                    let name = self.scan_alnum()?;
                    let tok = if name.is_empty() {
                        Tok::Dot
                    } else {
                        Tok::Field(name)
                    };
                    self.push(tok, start);
                }
                '.' | '+' | '-' | '0'..='9' => {
                    self.pos = start;
                    self.lex_number()?;
                }
                c if is_alnum(c) => {
                    self.pos = start;
                    let word = self.scan_alnum()?;
                    let tok = match word.as_str() {
                        "true" => Tok::Bool(true),
                        "false" => Tok::Bool(false),
                        "nil" => Tok::Nil,
                        w => match KEYWORDS.iter().find(|k| **k == w) {
                            Some(k) => Tok::Keyword(k),
                            None => Tok::Ident(word),
                        },
                    };
                    self.push(tok, start);
                }
                '(' => {
                    self.paren_depth += 1;
                    self.push(Tok::LeftParen, start);
                }
                ')' => {
                    if self.paren_depth == 0 {
                        return Err(self.error("unexpected right paren"));
                    }
                    self.paren_depth -= 1;
                    self.push(Tok::RightParen, start);
                }
                ',' => self.push(Tok::Comma, start),
                c if c.is_ascii_graphic() => self.push(Tok::Other(c), start),
                c => {
                    return Err(self.error(format!(
                        "unrecognized character in action: {}",
                        describe_char(c)
                    )))
                }
            }
        }
    }

    fn lex_space(&mut self, start: usize) {
        while self.peek().is_some_and(is_space) {
            self.pos += 1;
        }
        // The last space may belong to a ` -}}` trim marker: leave it for at_right_delim.
        if self.rest().starts_with("-}}") {
            self.pos -= 1;
            if self.pos == start {
                return;
            }
        }
        self.push(Tok::Space, start);
    }

    /// Letters, digits and underscores; then the word must end at a terminator, as in Go.
    fn scan_alnum(&mut self) -> Result<String, TemplateError> {
        let start = self.pos;
        while self.peek().is_some_and(is_alnum) {
            self.pos += self.peek().map_or(1, char::len_utf8);
        }
        let word = self.src[start..self.pos].to_string();
        if !self.at_terminator() {
            let c = self.peek().unwrap_or(' ');
            return Err(self.error(format!("bad character {}", describe_char(c))));
        }
        Ok(word)
    }

    fn at_terminator(&self) -> bool {
        match self.peek() {
            None => true,
            Some(c) if is_space(c) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            Some(_) => self.rest().starts_with("}}"),
        }
    }

    fn lex_quote(&mut self, start: usize) -> Result<(), TemplateError> {
        loop {
            match self.peek() {
                None | Some('\n') => return Err(self.error("unterminated quoted string")),
                Some('\\') => {
                    self.pos += 1;
                    match self.peek() {
                        None | Some('\n') => return Err(self.error("unterminated quoted string")),
                        Some(c) => self.pos += c.len_utf8(),
                    }
                }
                Some('"') => {
                    self.pos += 1;
                    break;
                }
                Some(c) => self.pos += c.len_utf8(),
            }
        }
        let value = unquote(&self.src[start + 1..self.pos - 1], '"').map_err(|m| self.error(m))?;
        self.push(Tok::Str(value), start);
        Ok(())
    }

    fn lex_raw_quote(&mut self, start: usize) -> Result<(), TemplateError> {
        let Some(x) = self.rest().find('`') else {
            return Err(self.error("unterminated raw quoted string"));
        };
        // Go's strconv.Unquote drops carriage returns from raw strings.
        let value = self.rest()[..x].replace('\r', "");
        self.pos += x + 1;
        self.push(Tok::Str(value), start);
        Ok(())
    }

    fn lex_char(&mut self, start: usize) -> Result<(), TemplateError> {
        loop {
            match self.peek() {
                None | Some('\n') => return Err(self.error("unterminated character constant")),
                Some('\\') => {
                    self.pos += 1;
                    match self.peek() {
                        None | Some('\n') => {
                            return Err(self.error("unterminated character constant"))
                        }
                        Some(c) => self.pos += c.len_utf8(),
                    }
                }
                Some('\'') => {
                    self.pos += 1;
                    break;
                }
                Some(c) => self.pos += c.len_utf8(),
            }
        }
        let raw = &self.src[start..self.pos];
        let value = unquote(&raw[1..raw.len() - 1], '\'').map_err(|m| self.error(m))?;
        let mut chars = value.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => {
                self.push(Tok::Char(c), start);
                Ok(())
            }
            _ => Err(self.error(format!("malformed character constant: {raw}"))),
        }
    }

    /// Go's scanNumber: sign, base prefix, digits with underscores, fraction, exponent.
    fn lex_number(&mut self) -> Result<(), TemplateError> {
        let start = self.pos;
        let accept = |l: &mut Self, set: &str| -> bool {
            match l.peek() {
                Some(c) if set.contains(c) => {
                    l.pos += 1;
                    true
                }
                _ => false,
            }
        };
        let accept_run = |l: &mut Self, set: &str| while accept(l, set) {};
        accept(self, "+-");
        let mut digits = "0123456789_";
        if accept(self, "0") {
            if accept(self, "xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if accept(self, "oO") {
                digits = "01234567_";
            } else if accept(self, "bB") {
                digits = "01_";
            }
        }
        accept_run(self, digits);
        if accept(self, ".") {
            accept_run(self, digits);
        }
        if digits.len() == 11 && accept(self, "eE") {
            accept(self, "+-");
            accept_run(self, "0123456789_");
        }
        if digits.len() == 23 && accept(self, "pP") {
            accept(self, "+-");
            accept_run(self, "0123456789_");
        }
        accept(self, "i");
        if self.peek().is_some_and(is_alnum) {
            self.pos += self.peek().map_or(1, char::len_utf8);
            return Err(self.error(format!(
                "bad number syntax: {}",
                crate::cli::output::gofmt::quote(&self.src[start..self.pos])
            )));
        }
        let text = self.src[start..self.pos].to_string();
        self.push(Tok::Number(text), start);
        Ok(())
    }
}

fn has_left_trim_marker(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next() == Some('-') && chars.next().is_some_and(is_space)
}

/// The body of a Go quoted string or character constant, unescaped (strconv.Unquote).
fn unquote(body: &str, quote: char) -> Result<String, String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    let bad = || "invalid syntax".to_string();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next().ok_or_else(bad)?;
        let hex = |chars: &mut std::str::Chars<'_>, n: usize| -> Result<u32, String> {
            let s: String = chars.by_ref().take(n).collect();
            if s.len() != n {
                return Err(bad());
            }
            u32::from_str_radix(&s, 16).map_err(|_| bad())
        };
        match e {
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '\\' => out.push('\\'),
            c if c == quote => out.push(c),
            'x' => out.push(char::from_u32(hex(&mut chars, 2)?).ok_or_else(bad)?),
            'u' => out.push(char::from_u32(hex(&mut chars, 4)?).ok_or_else(bad)?),
            'U' => out.push(char::from_u32(hex(&mut chars, 8)?).ok_or_else(bad)?),
            '0'..='7' => {
                let rest: String = chars.by_ref().take(2).collect();
                let v = u32::from_str_radix(&format!("{e}{rest}"), 8).map_err(|_| bad())?;
                if rest.len() != 2 || v > 255 {
                    return Err(bad());
                }
                out.push(char::from_u32(v).ok_or_else(bad)?);
            }
            _ => return Err(bad()),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        lex(src).unwrap().into_iter().map(|i| i.tok).collect()
    }

    #[test]
    fn lexes_text_fields_and_delimiters() {
        assert_eq!(
            toks("a {{.Repo.Tag}} b"),
            vec![
                Tok::Text("a ".into()),
                Tok::LeftDelim,
                Tok::Field("Repo".into()),
                Tok::Field("Tag".into()),
                Tok::RightDelim,
                Tok::Text(" b".into()),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn right_delimiter_inside_a_string_does_not_close_the_action() {
        assert_eq!(
            toks(r#"{{"}}" }}"#),
            vec![
                Tok::LeftDelim,
                Tok::Str("}}".into()),
                Tok::Space,
                Tok::RightDelim,
                Tok::Eof
            ]
        );
    }

    #[test]
    fn trim_markers_need_a_space_next_to_the_dash() {
        assert_eq!(
            toks("a  {{- 3 -}}\n b"),
            vec![
                Tok::Text("a".into()),
                Tok::LeftDelim,
                Tok::Number("3".into()),
                Tok::RightDelim,
                Tok::Text("b".into()),
                Tok::Eof
            ]
        );
        // Without the space `-3` is a negative number, not a trim marker.
        assert_eq!(
            toks("a {{-3}}"),
            vec![
                Tok::Text("a ".into()),
                Tok::LeftDelim,
                Tok::Number("-3".into()),
                Tok::RightDelim,
                Tok::Eof
            ]
        );
    }

    #[test]
    fn comments_vanish_and_may_trim() {
        assert_eq!(
            toks("a {{- /* note */ -}} b"),
            vec![Tok::Text("a".into()), Tok::Text("b".into()), Tok::Eof]
        );
        let e = lex("{{/* open").unwrap_err().to_string();
        assert_eq!(e, "template: :1: unclosed comment");
        let e = lex("{{/* x */ .A}}").unwrap_err().to_string();
        assert_eq!(e, "template: :1: comment ends before closing delimiter");
    }

    #[test]
    fn backslash_t_and_n_in_text_become_tab_and_newline() {
        assert_eq!(
            toks(r"a\tb\nc{{`\t`}}"),
            vec![
                Tok::Text("a\tb\nc".into()),
                Tok::LeftDelim,
                Tok::Str(r"\t".into()),
                Tok::RightDelim,
                Tok::Eof
            ]
        );
    }

    #[test]
    fn strings_and_chars_are_unquoted_like_go() {
        assert_eq!(
            toks(r#"{{"a\tb\u00e9\x41\101\"" 'x' '\n'}}"#)[1..6].to_vec(),
            vec![
                Tok::Str("a\tbéAA\"".into()),
                Tok::Space,
                Tok::Char('x'),
                Tok::Space,
                Tok::Char('\n'),
            ]
        );
        assert_eq!(
            lex(r#"{{"\q"}}"#).unwrap_err().to_string(),
            "template: :1: invalid syntax"
        );
    }

    #[test]
    fn unterminated_constructs_are_errors_with_gos_wording() {
        let err = |s: &str| lex(s).unwrap_err().to_string();
        assert_eq!(err("{{.X"), "template: :1: unclosed action");
        assert_eq!(err("{{\"abc}}"), "template: :1: unterminated quoted string");
        assert_eq!(
            err("{{`abc}}"),
            "template: :1: unterminated raw quoted string"
        );
        assert_eq!(err("{{(.X}}"), "template: :1: unclosed left paren");
        assert_eq!(err("{{.X)}}"), "template: :1: unexpected right paren");
        assert_eq!(err("{{3x}}"), "template: :1: bad number syntax: \"3x\"");
        assert_eq!(err("{{.X!}}"), "template: :1: bad character U+0021 '!'");
        assert_eq!(err("a\nb\n{{.X"), "template: :3: unclosed action");
    }

    #[test]
    fn keywords_literals_and_operators_are_recognised() {
        assert_eq!(
            toks("{{$x := nil}}{{if true}}{{$ = .}}{{end}}")
                .into_iter()
                .filter(|t| *t != Tok::Space)
                .collect::<Vec<_>>(),
            vec![
                Tok::LeftDelim,
                Tok::Variable("$x".into()),
                Tok::Declare,
                Tok::Nil,
                Tok::RightDelim,
                Tok::LeftDelim,
                Tok::Keyword("if"),
                Tok::Bool(true),
                Tok::RightDelim,
                Tok::LeftDelim,
                Tok::Variable("$".into()),
                Tok::Assign,
                Tok::Dot,
                Tok::RightDelim,
                Tok::LeftDelim,
                Tok::Keyword("end"),
                Tok::RightDelim,
                Tok::Eof
            ]
        );
    }
}
