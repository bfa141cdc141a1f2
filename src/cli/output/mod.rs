//! How list and inspect commands print: Go-template `--format` (docker/podman syntax),
//! docker-style aligned tables with headers, JSON, and human sizes and ages.
//!
//! Everything here works on serde_json values and returns strings; callers print them.

mod gofmt;
mod human;
mod table;
mod template;

use serde_json::Value;

pub use human::{
    human_duration, human_duration_since, human_size, human_size_4, human_size_binary,
};
pub use table::{align_columns, display_width};
pub use template::{Template, TemplateError};

/// Print rows of a list command. `format` is the user's `--format` (callers pass their default
/// table when there is none). As docker and podman:
/// - `json` prints the rows as a JSON array indented by four spaces (podman's `--format json`);
/// - a format starting with `table` prints a header line, then one line per row, with columns
///   aligned like docker's tabwriter. Each field's header is given by `headers` (by field name
///   or dotted path), else derived from the field name (CreatedSince -> CREATED SINCE). A bare
///   `table` shows one column per distinct header in `headers`;
/// - any other template prints one rendered line per row, no header, no alignment.
pub fn render_rows(
    format: &str,
    rows: &[Value],
    headers: &[(&str, &str)],
) -> Result<String, TemplateError> {
    if format.trim() == "json" {
        let mut out = gofmt::to_json(&Value::Array(rows.to_vec()), true, Some("    "));
        out.push('\n');
        return Ok(out);
    }
    if let Some(body) = format.strip_prefix("table") {
        // docker strips the keyword and the spaces around the rest.
        let body = body.trim_matches(' ');
        let body = if body.is_empty() {
            table::default_table(headers)
        } else {
            body.to_string()
        };
        let tpl = Template::parse(&body)?;
        let mut text = tpl.render_header(&|path: &[String]| table::column_header(path, headers));
        text.push('\n');
        for row in rows {
            text.push_str(&tpl.render(row)?);
            text.push('\n');
        }
        return Ok(align_columns(&text));
    }
    let tpl = Template::parse(format.trim_matches(' '))?;
    let mut out = String::new();
    for row in rows {
        out.push_str(&tpl.render(row)?);
        out.push('\n');
    }
    Ok(out)
}

/// Print `inspect` output: with no format (or `json`), the objects as a JSON array indented by
/// four spaces, HTML characters escaped, as docker prints inspect output; with a template, the
/// template once per object, each followed by a newline.
pub fn render_inspect(format: Option<&str>, objects: &[Value]) -> Result<String, TemplateError> {
    match format.map(str::trim) {
        None | Some("") | Some("json") => {
            let mut out = gofmt::to_json(&Value::Array(objects.to_vec()), true, Some("    "));
            out.push('\n');
            Ok(out)
        }
        Some(_) => {
            let tpl = Template::parse(format.unwrap_or_default())?;
            let mut out = String::new();
            for o in objects {
                out.push_str(&tpl.render(o)?);
                out.push('\n');
            }
            Ok(out)
        }
    }
}

/// docker's confirmation for prune and reset: the warning and the question on stdout, one line
/// of answer from stdin (a terminal or not); only y or yes (any case) goes ahead, anything else
/// (an empty line, end of input) declines.
pub fn confirm(warning: &str) -> bool {
    use std::io::{BufRead, Write};
    let mut out = std::io::stdout().lock();
    let _ = write!(out, "{warning}\nAre you sure you want to continue? [y/N] ");
    let _ = out.flush();
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        return false;
    }
    matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

/// A prune's "Deleted WHAT:" section, one name a line (nothing when nothing was removed).
pub fn deleted<T: std::fmt::Display>(
    text: &mut String,
    what: &str,
    names: impl IntoIterator<Item = T>,
) {
    let names: Vec<String> = names.into_iter().map(|n| n.to_string()).collect();
    if names.is_empty() {
        return;
    }
    text.push_str(&format!("Deleted {what}:\n"));
    for n in names {
        text.push_str(&n);
        text.push('\n');
    }
    text.push('\n');
}

/// The last line of every prune, in go-units' HumanSize as docker prints it.
pub fn reclaimed(text: &mut String, bytes: u64) {
    text.push_str(&format!("Total reclaimed space: {}\n", human_size_4(bytes)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rows() -> Vec<Value> {
        vec![
            json!({"Repository": "a", "Tag": "1", "ID": "x", "CreatedSince": "2 days ago", "Names": ["n1", "n2"]}),
            json!({"Repository": "longer/name", "Tag": "2", "ID": "y", "CreatedSince": "now", "Names": []}),
        ]
    }

    const HEADERS: &[(&str, &str)] = &[("ID", "IMAGE ID"), ("Repository", "REPOSITORY")];

    #[test]
    fn table_format_prints_headers_and_aligned_columns() {
        let out =
            render_rows("table {{.Repository}}\t{{.Tag}}\t{{.ID}}", &rows(), HEADERS).unwrap();
        assert_eq!(
            out,
            "REPOSITORY    TAG       IMAGE ID\n\
             a             1         x\n\
             longer/name   2         y\n"
        );
    }

    #[test]
    fn table_format_accepts_typed_backslash_t_and_derives_missing_headers() {
        let out = render_rows(r"table {{.ID}}\t{{.CreatedSince}}", &rows(), HEADERS).unwrap();
        assert_eq!(
            out,
            "IMAGE ID   CREATED SINCE\n\
             x          2 days ago\n\
             y          now\n"
        );
    }

    #[test]
    fn table_headers_survive_functions_docker_neutralises() {
        let out = render_rows(
            r"table {{upper .Repository}}\t{{.Names | join `,`}}\t{{truncate .ID 1}}\t{{len .Names}}",
            &rows(),
            HEADERS,
        )
        .unwrap();
        let header = out.lines().next().unwrap();
        assert_eq!(header, "REPOSITORY    NAMES     IMAGE ID   NAMES");
        assert_eq!(
            out.lines().nth(1).unwrap(),
            "A             n1,n2     x          2"
        );
    }

    #[test]
    fn table_header_for_range_and_nested_fields_names_the_field() {
        let out = render_rows(
            "table {{range .Names}}{{.}} {{end}}\t{{.Config.Env}}",
            &[json!({"Names": ["a"], "Config": {"Env": ["E=1"]}})],
            &[],
        )
        .unwrap();
        assert_eq!(out, "NAMES     ENV\na         [E=1]\n");
    }

    #[test]
    fn table_with_no_rows_prints_only_the_header() {
        let out = render_rows("table {{.ID}}\t{{.Tag}}", &[], HEADERS).unwrap();
        assert_eq!(out, "IMAGE ID   TAG\n");
    }

    #[test]
    fn bare_table_uses_the_declared_headers() {
        let out = render_rows("table", &rows(), HEADERS).unwrap();
        assert_eq!(out.lines().next().unwrap(), "IMAGE ID   REPOSITORY");
        assert_eq!(out.lines().nth(2).unwrap(), "y          longer/name");
    }

    #[test]
    fn plain_template_prints_one_unaligned_line_per_row() {
        let out = render_rows("{{.Repository}}:{{.Tag}}\t{{.ID}}", &rows(), HEADERS).unwrap();
        assert_eq!(out, "a:1\tx\nlonger/name:2\ty\n");
        assert_eq!(render_rows("{{.ID}}", &[], HEADERS).unwrap(), "");
    }

    #[test]
    fn json_format_prints_an_indented_array() {
        let out = render_rows("json", &rows()[..1], HEADERS).unwrap();
        assert!(
            out.starts_with("[\n    {\n        \"Repository\": \"a\",\n"),
            "{out}"
        );
        assert!(out.ends_with("\n]\n"));
        assert_eq!(
            serde_json::from_str::<Value>(&out).unwrap(),
            json!([rows()[0]])
        );
        assert_eq!(render_rows("json", &[], HEADERS).unwrap(), "[]\n");
    }

    #[test]
    fn row_errors_propagate_with_gos_message() {
        let err = render_rows("table {{.Tag.X}}", &rows(), HEADERS).unwrap_err();
        assert!(
            err.to_string()
                .contains("can't evaluate field X in type string"),
            "{err}"
        );
        assert!(render_rows("{{nope}}", &rows(), HEADERS).is_err());
    }

    #[test]
    fn inspect_prints_indented_json_with_html_escaped() {
        let out = render_inspect(None, &[json!({"Id": "x", "Env": ["A=<&>"]})]).unwrap();
        assert_eq!(
            out,
            "[\n    {\n        \"Id\": \"x\",\n        \"Env\": [\n            \"A=\\u003c\\u0026\\u003e\"\n        ]\n    }\n]\n"
        );
        assert_eq!(render_inspect(Some(""), &[]).unwrap(), "[]\n");
        assert_eq!(
            render_inspect(Some("json"), &[json!(1)]).unwrap(),
            "[\n    1\n]\n"
        );
    }

    #[test]
    fn inspect_with_a_template_renders_it_once_per_object() {
        let out = render_inspect(
            Some("{{.Id}} {{json .Env}}"),
            &[
                json!({"Id": "x", "Env": ["<"]}),
                json!({"Id": "y", "Env": []}),
            ],
        )
        .unwrap();
        assert_eq!(out, "x [\"<\"]\ny []\n");
    }
}
