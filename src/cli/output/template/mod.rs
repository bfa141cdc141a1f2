//! Go's text/template, as docker and podman accept it in `--format`, over JSON values.
//!
//! The syntax, the error messages and the printed forms of values follow Go, so that
//! templates and scripts written for docker or podman work unchanged. Where JSON loses what a
//! Go struct knew (int or float64? map[string]string or map[string]interface{}?), berth picks
//! what docker users see from the real structs; each such choice is commented where it is made.

mod exec;
mod funcs;
mod lex;
mod parse;

use serde_json::Value;
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TemplateError {
    /// The template does not parse; worded as Go words it, e.g.
    /// `template: :1: function "foo" not defined`.
    #[error("template: :{line}: {message}")]
    Parse { line: usize, message: String },
    /// The template parsed but failed on this data, e.g.
    /// `template: :1:2: executing "" at <.Tag.X>: can't evaluate field X in type string`.
    #[error("template: :{line}:{col}: executing \"\" at <{context}>: {message}")]
    Exec {
        line: usize,
        col: usize,
        context: String,
        message: String,
    },
}

/// A parsed `--format` template.
#[derive(Debug, Clone)]
pub struct Template {
    src: String,
    nodes: Vec<parse::Node>,
}

impl Template {
    /// Parse a user's template. As docker's CLI does, the two-character sequences `\t` and
    /// `\n` in the template text become a tab and a newline.
    pub fn parse(src: &str) -> Result<Template, TemplateError> {
        let items = lex::lex(src)?;
        let nodes = parse::parse(&items, src)?;
        Ok(Template {
            src: src.to_string(),
            nodes,
        })
    }

    /// Execute the template with `data` as dot (and `$`).
    pub fn render(&self, data: &Value) -> Result<String, TemplateError> {
        let root = Some(data.clone());
        let mut exec = exec::Exec::new(&self.src, root.clone(), None);
        exec.run(&self.nodes, &root)?;
        Ok(exec.out)
    }

    /// The header line of a table: the template run with every field replaced by the header
    /// `name` gives its path. Like docker, a failure keeps what was rendered before it rather
    /// than failing the listing.
    pub(crate) fn render_header(&self, name: &dyn Fn(&[String]) -> String) -> String {
        let root = Some(Value::String(String::new()));
        let mut exec = exec::Exec::new(&self.src, root.clone(), Some(name));
        let _ = exec.run(&self.nodes, &root);
        exec.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn r(t: &str, v: &Value) -> String {
        Template::parse(t)
            .unwrap_or_else(|e| panic!("{t}: {e}"))
            .render(v)
            .unwrap_or_else(|e| panic!("{t}: {e}"))
    }

    fn exec_err(t: &str, v: &Value) -> String {
        Template::parse(t)
            .unwrap()
            .render(v)
            .unwrap_err()
            .to_string()
    }

    fn img() -> Value {
        json!({
            "Repository": "docker.io/library/busybox", "Tag": "latest", "ID": "0123456789abcdef",
            "RepoTags": ["busybox:latest", "busybox:1"], "Names": ["a", "b"],
            "Labels": {"z": "1", "a.b": "2"}, "Size": 4260000, "Ratio": 0.5, "Dangling": false,
            "Config": {"Env": ["A=1", "B=2"], "Cmd": null, "User": ""},
            "Host": {"Os": "linux"}, "Layers": ["l1", "l2", "l3"], "Html": "<&>", "Empty": []
        })
    }

    #[test]
    fn fields_and_nested_fields_render() {
        assert_eq!(
            r("{{.Repository}}:{{.Tag}}", &img()),
            "docker.io/library/busybox:latest"
        );
        assert_eq!(r("{{.Host.Os}}", &img()), "linux");
        assert_eq!(r("{{.Config.Env}}", &img()), "[A=1 B=2]");
        assert_eq!(r("{{$.Host.Os}}", &img()), "linux");
        assert_eq!(r("{{(.Host).Os}}", &img()), "linux");
    }

    #[test]
    fn field_lookup_falls_back_to_case_insensitive_like_podman() {
        assert_eq!(
            r("{{.Id}} {{.id}} {{.ID}}", &img()),
            "0123456789abcdef 0123456789abcdef 0123456789abcdef"
        );
        // An exact match wins over a case-insensitive one.
        assert_eq!(
            r("{{.Id}}", &json!({"ID": "upper", "Id": "exact"})),
            "exact"
        );
    }

    #[test]
    fn missing_map_keys_print_no_value_and_are_false() {
        assert_eq!(r("{{.Labels.missing}}", &img()), "<no value>");
        assert_eq!(r("{{.Labels.Missing}}", &img()), "<no value>");
        assert_eq!(r("{{.Labels.missing.Deeper}}", &img()), "<no value>");
        assert_eq!(r("{{if .Labels.x}}y{{else}}n{{end}}", &img()), "n");
        assert_eq!(r("{{json .Labels.x}}", &img()), "null");
        // A map by the shape of its keys, whatever it is called.
        let log = json!({"LogConfig": {"Type": "k8s-file", "Config": {"max-size": "1m"}}});
        assert_eq!(r("{{.LogConfig.Config.path}}", &log), "<no value>");
        // podman's lower-case JSON keys stay lenient.
        assert_eq!(
            r("{{.host.nope}}", &json!({"host": {"arch": "amd64"}})),
            "<no value>"
        );
    }

    #[test]
    fn missing_struct_fields_fail_as_go_does() {
        let t = Template::parse("{{.Missing}}").unwrap();
        let e = t.render(&img()).unwrap_err().to_string();
        assert!(e.contains("can't evaluate field Missing"), "{e}");
        assert!(
            e.starts_with("template: :1:2: executing \"\" at <.Missing>"),
            "{e}"
        );
        let t = Template::parse("{{.Host.Nope}}").unwrap();
        let e = t.render(&img()).unwrap_err().to_string();
        assert!(e.contains("can't evaluate field Nope in type Host"), "{e}");
        // Inside a range, over struct-like elements.
        let t = Template::parse("{{range .Mounts}}{{.Nope}}{{end}}").unwrap();
        let data = json!({"Mounts": [{"Type": "bind", "Source": "/a"}]});
        assert!(t.render(&data).unwrap_err().to_string().contains("Nope"));
    }

    #[test]
    fn values_print_as_gos_fmt_prints_them() {
        assert_eq!(r("{{.Size}}", &img()), "4260000");
        assert_eq!(r("{{.Ratio}}", &img()), "0.5");
        assert_eq!(r("{{.Dangling}}", &img()), "false");
        assert_eq!(r("{{.Config.Cmd}}", &img()), "<nil>");
        assert_eq!(r("{{.Names}}", &img()), "[a b]");
        assert_eq!(r("{{.Empty}}", &img()), "[]");
        assert_eq!(r("{{.Labels}}", &img()), "map[a.b:2 z:1]");
        assert_eq!(
            r("{{.Config}}", &img()),
            "map[Cmd:<nil> Env:[A=1 B=2] User:]"
        );
        assert_eq!(
            r("{{1.0}} {{1e6}} {{-3}} {{0x10}} {{'a'}}", &img()),
            "1 1e+06 -3 16 97"
        );
        assert_eq!(
            r("{{true}} {{\"s\"}} {{`raw\\n`}}", &img()),
            "true s raw\\n"
        );
    }

    #[test]
    fn field_on_a_scalar_is_an_execution_error_with_context() {
        assert_eq!(
            exec_err("{{.Tag.X}}", &img()),
            "template: :1:2: executing \"\" at <.Tag.X>: can't evaluate field X in type string"
        );
        assert_eq!(
            exec_err("ab\n {{index .Names 5}}", &img()),
            "template: :2:3: executing \"\" at <index .Names 5>: error calling index: index out of range: 5"
        );
        assert_eq!(
            exec_err("{{.Tag 1}}", &img()),
            "template: :1:2: executing \"\" at <.Tag>: .Tag is not a method but has arguments"
        );
        assert_eq!(
            exec_err("{{\"x\" 1}}", &img()),
            "template: :1:2: executing \"\" at <\"x\" 1>: can't give argument to non-function \"x\""
        );
        assert_eq!(
            exec_err("{{nil}}", &img()),
            "template: :1:2: executing \"\" at <nil>: nil is not a command"
        );
    }

    #[test]
    fn json_function_is_compact_and_keeps_html_characters_as_docker_does() {
        assert_eq!(r("{{json .Names}}", &img()), r#"["a","b"]"#);
        assert_eq!(
            r("{{json .Config}}", &img()),
            r#"{"Env":["A=1","B=2"],"Cmd":null,"User":""}"#
        );
        assert_eq!(r("{{json .Html}}", &img()), r#""<&>""#);
        assert_eq!(r("{{json .Size}} {{json .Ratio}}", &img()), "4260000 0.5");
        let all = r("{{json .}}", &img());
        assert_eq!(serde_json::from_str::<Value>(&all).unwrap(), img());
        assert!(!all.contains(' '), "{all}");
    }

    #[test]
    fn index_reads_maps_with_dotted_keys_and_arrays() {
        assert_eq!(r("{{index .Labels \"a.b\"}}", &img()), "2");
        assert_eq!(r("{{index .Labels \"nope\"}}", &img()), "");
        assert_eq!(r("{{index .Layers 1}}", &img()), "l2");
        assert_eq!(r("{{(index .Config.Env 0)}}", &img()), "A=1");
    }

    #[test]
    fn range_iterates_arrays_maps_and_integers() {
        assert_eq!(
            r("{{range .RepoTags}}{{.}} {{end}}", &img()),
            "busybox:latest busybox:1 "
        );
        assert_eq!(
            r(
                "{{range $k, $v := .Labels}}{{$k}}={{$v}}{{\"\\n\"}}{{end}}",
                &img()
            ),
            "a.b=2\nz=1\n"
        );
        assert_eq!(
            r("{{range $i, $e := .Names}}{{$i}}:{{$e}},{{end}}", &img()),
            "0:a,1:b,"
        );
        assert_eq!(r("{{range $e := .Names}}{{$e}}{{end}}", &img()), "ab");
        assert_eq!(r("{{range .Empty}}x{{else}}none{{end}}", &img()), "none");
        assert_eq!(
            r("{{range .Labels.missing}}x{{else}}none{{end}}", &img()),
            "none"
        );
        assert_eq!(
            r("{{range .Config.Cmd}}x{{else}}none{{end}}", &img()),
            "none"
        );
        assert_eq!(r("{{range 3}}{{.}}{{end}}", &img()), "012");
        assert_eq!(
            r("{{range .Names}}{{$.Tag}}{{end}}", &img()),
            "latestlatest"
        );
        assert_eq!(
            exec_err("{{range .Tag}}{{end}}", &img()),
            "template: :1:8: executing \"\" at <.Tag>: range can't iterate over latest"
        );
    }

    #[test]
    fn break_and_continue_stop_a_range() {
        assert_eq!(
            r(
                "{{range .Layers}}{{if eq . \"l2\"}}{{break}}{{end}}{{.}}{{end}}",
                &img()
            ),
            "l1"
        );
        assert_eq!(
            r(
                "{{range .Layers}}{{if eq . \"l2\"}}{{continue}}{{end}}{{.}}{{end}}",
                &img()
            ),
            "l1l3"
        );
    }

    #[test]
    fn if_else_and_else_if_choose_branches() {
        assert_eq!(r("{{if .Dangling}}x{{else}}y{{end}}", &img()), "y");
        let t = "{{if eq .Tag \"x\"}}X{{else if eq .Tag \"latest\"}}L{{else}}O{{end}}";
        assert_eq!(r(t, &img()), "L");
        assert_eq!(r(t, &json!({"Tag": "x"})), "X");
        assert_eq!(r(t, &json!({"Tag": "y"})), "O");
        assert_eq!(r("{{if .Config.User}}u{{else}}root{{end}}", &img()), "root");
        assert_eq!(
            r("{{if 0}}a{{else}}b{{end}}{{if \"0\"}}c{{end}}", &img()),
            "bc"
        );
    }

    #[test]
    fn with_rebinds_dot_and_has_an_else() {
        assert_eq!(r("{{with .Host}}{{.Os}}{{end}}", &img()), "linux");
        assert_eq!(
            r("{{with .Labels.missing}}x{{else}}{{.Tag}}{{end}}", &img()),
            "latest"
        );
        assert_eq!(
            r(
                "{{with .Labels.missing}}x{{else with .Host}}{{.Os}}{{end}}",
                &img()
            ),
            "linux"
        );
        assert_eq!(
            r("{{with $x := .Host.Os}}{{$x}}{{.}}{{end}}", &img()),
            "linuxlinux"
        );
    }

    #[test]
    fn variables_declare_assign_and_scope() {
        assert_eq!(r("{{$t := .Tag}}{{$t}}", &img()), "latest");
        assert_eq!(
            r(
                "{{$n := 0}}{{range .Layers}}{{$n = .}}{{end}}{{$n}}",
                &img()
            ),
            "l3"
        );
        assert_eq!(
            r(
                "{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}",
                &img()
            ),
            "21"
        );
        assert_eq!(r("{{$}}", &json!("root")), "root");
    }

    #[test]
    fn printing_functions_follow_fmt() {
        assert_eq!(r("{{println .ID}}", &img()), "0123456789abcdef\n");
        assert_eq!(
            r("{{printf \"%s %d\" .Tag .Size}}", &img()),
            "latest 4260000"
        );
        assert_eq!(r("{{printf \"%-8s|\" .Tag}}", &img()), "latest  |");
        assert_eq!(r("{{print .Tag 1 2}}", &img()), "latest1 2");
        assert_eq!(r("{{.Tag | printf \"<%s>\"}}", &img()), "<latest>");
        assert_eq!(r("{{printf \"%v\" .Labels.missing}}", &img()), "<nil>");
    }

    #[test]
    fn docker_functions_work_directly_and_in_pipelines() {
        assert_eq!(r("{{len .Layers}}", &img()), "3");
        assert_eq!(r("{{join .Names \",\"}}", &img()), "a,b");
        assert_eq!(r("{{.Names | join \",\"}}", &img()), "a,b");
        assert_eq!(
            r(
                "{{lower \"AbC\"}} {{upper .Tag}} {{title \"ab cd\"}}",
                &img()
            ),
            "abc LATEST Ab Cd"
        );
        assert_eq!(r("{{split \"a,b,c\" \",\"}}", &img()), "[a b c]");
        assert_eq!(
            r("{{index (split .Repository \"/\") 2}}", &img()),
            "busybox"
        );
        assert_eq!(r("{{truncate .ID 12}}", &img()), "0123456789ab");
        assert_eq!(r("{{.ID | truncate 4}}", &img()), "0123");
        assert_eq!(r("[{{pad .Tag 2 2}}]", &img()), "[  latest  ]");
        assert_eq!(r("{{.Repository | len}}", &img()), "25");
    }

    #[test]
    fn comparisons_and_logic_functions_work() {
        assert_eq!(
            r(
                "{{eq .Tag \"latest\"}} {{ne 1 2}} {{lt 1 2}} {{le 2 2}} {{gt 1 2}} {{ge 2 3}}",
                &img()
            ),
            "true true true true false false"
        );
        assert_eq!(r("{{if and .Tag (not .Dangling)}}ok{{end}}", &img()), "ok");
        assert_eq!(
            r(
                "{{and 1 0 2}} {{and 1 2}} {{or 0 \"\" 3}} {{or 0 \"\"}}",
                &img()
            ),
            "0 2 3 "
        );
        // and/or short-circuit: the failing index is never evaluated.
        assert_eq!(r("{{or .Tag (index .Names 99)}}", &img()), "latest");
        assert_eq!(r("{{not .Empty}}", &img()), "true");
    }

    #[test]
    fn trim_markers_and_comments_shape_whitespace() {
        assert_eq!(r("  {{- .Tag -}}  \n x", &img()), "latestx");
        assert_eq!(r("a {{/* comment */}}b", &img()), "a b");
        assert_eq!(r("a \n{{- /* c */ -}}\n b", &img()), "ab");
        assert_eq!(r("{{range .Names -}}\n  {{.}}\n{{- end}}", &img()), "ab");
    }

    #[test]
    fn backslash_t_and_n_typed_by_the_user_become_tab_and_newline() {
        assert_eq!(r(r"{{.Tag}}\t{{.Size}}\n", &img()), "latest\t4260000\n");
        // Inside a quoted string Go's own escapes apply.
        assert_eq!(r(r#"{{"a\tb"}}"#, &img()), "a\tb");
    }

    #[test]
    fn parse_errors_read_like_gos() {
        let err = |t: &str| Template::parse(t).unwrap_err().to_string();
        assert_eq!(
            err("{{foo .X}}"),
            "template: :1: function \"foo\" not defined"
        );
        assert_eq!(err("{{.X"), "template: :1: unclosed action");
        assert_eq!(err("{{if .X}}a"), "template: :1: unexpected EOF");
        assert_eq!(err("{{end}}"), "template: :1: unexpected {{end}}");
        assert_eq!(
            err("{{range}}{{end}}"),
            "template: :1: missing value for range"
        );
    }

    #[test]
    fn every_prefix_of_a_template_parses_or_fails_cleanly() {
        let t = "{{range $k, $v := .Labels -}} {{printf \"%s=%q\" $k (index $.Labels $k)}}\
                 {{else if}}{{/* c */}}{{with .X}}{{`r`}}{{end}}{{- 0x1F | print 'a' 1.5e3}}\t{{end}}";
        for (i, _) in t.char_indices() {
            if let Ok(tpl) = Template::parse(&t[..i]) {
                let _ = tpl.render(&img());
                let _ = tpl.render_header(&|p: &[String]| p.join("."));
            }
        }
    }

    #[test]
    fn delimiters_inside_strings_and_multiline_actions_work() {
        assert_eq!(r("{{\"}}\"}}{{\"{{\"}}", &img()), "}}{{");
        assert_eq!(
            r("{{printf\n  \"%s-%s\"\n  .Tag\n  .Host.Os}}", &img()),
            "latest-linux"
        );
    }

    #[test]
    fn wrong_argument_types_are_execution_errors() {
        assert_eq!(
            exec_err("{{upper .Size}}", &img()),
            "template: :1:2: executing \"\" at <upper .Size>: wrong type for value; expected string; got int"
        );
        assert_eq!(
            exec_err("{{len .Size}}", &img()),
            "template: :1:2: executing \"\" at <len .Size>: error calling len: len of type int"
        );
    }
}
