//! docker-style tables: column alignment exactly as docker's tabwriter lays it out, and column
//! headers named the way docker and podman name them.

/// docker's cli/command/formatter: tabwriter.NewWriter(out, 10, 1, 3, ' ', 0).
const MIN_WIDTH: usize = 10;
const PADDING: usize = 3;

/// Align tab-separated cells the way Go's text/tabwriter does with docker's settings
/// (minimum cell width 10, padding 3, spaces).
///
/// As in tabwriter, a cell belongs to a column only if a tab ends it, so the text after a
/// line's last tab is never padded; and a column's width is set per block of consecutive lines
/// that have that column, so a shorter line in between starts a new alignment.
pub fn align_columns(text: &str) -> String {
    let lines: Vec<Vec<&str>> = text.split('\n').map(|l| l.split('\t').collect()).collect();
    let mut widths: Vec<Vec<usize>> = vec![Vec::new(); lines.len()];
    let mut stack = Vec::new();
    assign_widths(&lines, &mut stack, 0, lines.len(), &mut widths);
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    for (i, (cells, widths)) in lines.iter().zip(&widths).enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for (j, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if let Some(w) = widths.get(j) {
                for _ in display_width(cell)..*w {
                    out.push(' ');
                }
            }
        }
    }
    out
}

/// tabwriter's format(): for the column at `stack.len()`, each run of consecutive lines that
/// have a tab-terminated cell there gets one width, then the columns to its right are laid out
/// within that run.
fn assign_widths(
    lines: &[Vec<&str>],
    stack: &mut Vec<usize>,
    line0: usize,
    line1: usize,
    out: &mut [Vec<usize>],
) {
    let column = stack.len();
    let has_column = |l: usize| lines[l].len() > column + 1;
    let mut done = line0;
    let mut this = line0;
    while this < line1 {
        if !has_column(this) {
            this += 1;
            continue;
        }
        for w in &mut out[done..this] {
            *w = stack.clone();
        }
        let start = this;
        let mut width = MIN_WIDTH;
        while this < line1 && has_column(this) {
            width = width.max(display_width(lines[this][column]) + PADDING);
            this += 1;
        }
        stack.push(width);
        assign_widths(lines, stack, start, this, out);
        stack.pop();
        done = this;
    }
    for w in &mut out[done..line1] {
        *w = stack.clone();
    }
}

/// Terminal columns a string takes, as docker's tabwriter measures it (go-runewidth):
/// East Asian wide characters take two, combining marks and zero-width characters none.
pub fn display_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    let u = c as u32;
    match u {
        0 => 0,
        0x0300..=0x036F
        | 0x0483..=0x0489
        | 0x0591..=0x05BD
        | 0x0610..=0x061A
        | 0x064B..=0x065F
        | 0x200B..=0x200F
        | 0x2028..=0x202E
        | 0x2060..=0x2064
        | 0x20D0..=0x20FF
        | 0xFE00..=0xFE0F
        | 0xFE20..=0xFE2F
        | 0xFEFF => 0,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x2FFFD
        | 0x30000..=0x3FFFD => 2,
        _ => 1,
    }
}

/// The header of the column a field path fills: the caller's name for the full dotted path or
/// for its last field (exact, then case-insensitive), else podman's rule: the field name split
/// at case changes (camelcase.Split), joined with spaces, upper-cased; CreatedSince ->
/// CREATED SINCE, IPAddress -> IP ADDRESS.
pub(crate) fn column_header(path: &[String], headers: &[(&str, &str)]) -> String {
    let full = path.join(".");
    let last = path.last().map(String::as_str).unwrap_or("");
    for key in [full.as_str(), last] {
        let found = headers
            .iter()
            .find(|(f, _)| *f == key)
            .or_else(|| headers.iter().find(|(f, _)| f.eq_ignore_ascii_case(key)));
        if let Some((_, h)) = found {
            return h.to_string();
        }
    }
    camel_case_split(last).join(" ").to_uppercase()
}

/// fatih/camelcase.Split, which podman uses for headers: runs of lower-case letters,
/// upper-case letters, digits and other characters, with the last capital of an upper-case run
/// moved to a following lower-case run ("PDFLoader" -> "PDF", "Loader").
fn camel_case_split(s: &str) -> Vec<String> {
    #[derive(PartialEq, Clone, Copy)]
    enum Class {
        Lower,
        Upper,
        Digit,
        Other,
    }
    let class = |c: char| {
        if c.is_lowercase() {
            Class::Lower
        } else if c.is_uppercase() {
            Class::Upper
        } else if c.is_numeric() {
            Class::Digit
        } else {
            Class::Other
        }
    };
    let mut runs: Vec<Vec<char>> = Vec::new();
    let mut last = None;
    for c in s.chars() {
        let k = class(c);
        match runs.last_mut() {
            Some(run) if last == Some(k) => run.push(c),
            _ => runs.push(vec![c]),
        }
        last = Some(k);
    }
    for i in 0..runs.len().saturating_sub(1) {
        if class(runs[i][0]) == Class::Upper && class(runs[i + 1][0]) == Class::Lower {
            if let Some(c) = runs[i].pop() {
                runs[i + 1].insert(0, c);
            }
        }
    }
    runs.into_iter()
        .filter(|r| !r.is_empty())
        .map(|r| r.into_iter().collect())
        .collect()
}

/// The body of a bare `table` format: one column per distinct header the command declares, in
/// its order.
pub(crate) fn default_table(headers: &[(&str, &str)]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    let mut cols = Vec::new();
    for (field, header) in headers {
        if !seen.contains(header) {
            seen.push(header);
            cols.push(format!("{{{{.{field}}}}}"));
        }
    }
    cols.join("\t")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_as_wide_as_the_widest_cell_plus_three_and_at_least_ten() {
        let out = align_columns("REPOSITORY\tTAG\tIMAGE ID\na\t1\tx\nlonger/name/here\t2\ty\n");
        assert_eq!(
            out,
            "REPOSITORY         TAG       IMAGE ID\n\
             a                  1         x\n\
             longer/name/here   2         y\n"
        );
    }

    #[test]
    fn text_after_the_last_tab_is_not_padded() {
        assert_eq!(align_columns("a\tb"), "a         b");
        assert_eq!(align_columns("a\t"), "a         ");
        assert_eq!(align_columns("no tabs\n"), "no tabs\n");
    }

    #[test]
    fn a_line_without_a_column_splits_the_alignment_into_blocks() {
        let out = align_columns("aaaaaaaaaaaaaaa\tb\nc\nd\te\n");
        assert_eq!(out, "aaaaaaaaaaaaaaa   b\nc\nd         e\n");
    }

    #[test]
    fn lines_with_more_cells_widen_only_their_own_block() {
        let out = align_columns("a\tb\tc\na\tbbbbbbbbbbbbbbbbbb\n");
        // Column 1 of line 1 is tab-terminated; line 2's `bbbb...` is a trailing cell.
        assert_eq!(out, "a         b         c\na         bbbbbbbbbbbbbbbbbb\n");
    }

    #[test]
    fn wide_characters_count_double() {
        assert_eq!(display_width("日本"), 4);
        assert_eq!(display_width("e\u{301}"), 1);
        assert_eq!(
            align_columns("日本語日本語\tx\na\ty"),
            "日本語日本語   x\na              y"
        );
    }

    #[test]
    fn headers_come_from_the_caller_or_from_the_field_name() {
        let h = [("ID", "IMAGE ID"), ("Config.Env", "ENVIRONMENT")];
        let p = |s: &str| s.split('.').map(String::from).collect::<Vec<_>>();
        assert_eq!(column_header(&p("ID"), &h), "IMAGE ID");
        assert_eq!(column_header(&p("id"), &h), "IMAGE ID");
        assert_eq!(column_header(&p("Config.Env"), &h), "ENVIRONMENT");
        assert_eq!(column_header(&p("CreatedSince"), &h), "CREATED SINCE");
        assert_eq!(column_header(&p("IPAddress"), &h), "IP ADDRESS");
        assert_eq!(column_header(&p("Host.Os"), &h), "OS");
        assert_eq!(column_header(&p("Size2Big"), &h), "SIZE 2 BIG");
        assert_eq!(column_header(&p("Repository"), &h), "REPOSITORY");
    }

    #[test]
    fn bare_table_lists_each_distinct_header_once() {
        let h = [("ID", "IMAGE ID"), ("Id", "IMAGE ID"), ("Tag", "TAG")];
        assert_eq!(default_table(&h), "{{.ID}}\t{{.Tag}}");
    }
}
