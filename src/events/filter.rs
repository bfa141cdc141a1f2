//! `events --filter`: docker's keys; values of one key are ORed, different keys ANDed.

use std::collections::BTreeMap;

use thiserror::Error;

use super::{Event, EventType};

#[derive(Debug, Error, PartialEq, Eq)]
pub enum FilterError {
    #[error("invalid filter {0:?}: use KEY=VALUE with type, event, container, image or label")]
    Malformed(String),
    #[error("invalid filter {0:?}: the key must be type, event, container, image or label")]
    UnknownKey(String),
    #[error("invalid filter {0:?}: the type must be container, image, volume or network")]
    UnknownType(String),
}

const KEYS: &[&str] = &["type", "event", "container", "image", "label"];

/// The filters given, grouped by key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    by_key: BTreeMap<String, Vec<String>>,
}

/// Whether `name` (as recorded, e.g. `localhost:5000/lib/busybox:latest`) is what the user
/// meant by `wanted` (`busybox`, `lib/busybox:latest`, the full name, …).
fn image_matches(name: &str, wanted: &str) -> bool {
    if name.is_empty() {
        return false;
    }
    let strip_tag = |n: &str| -> String {
        let n = n.split('@').next().unwrap_or(n);
        match n.rfind(':') {
            Some(i) if !n[i..].contains('/') => n[..i].to_string(),
            _ => n.to_string(),
        }
    };
    let candidates = [name.to_string(), strip_tag(name)];
    candidates.iter().any(|c| {
        c == wanted
            || c.ends_with(&format!("/{wanted}"))
            || c.strip_prefix("docker.io/library/") == Some(wanted)
    })
}

impl EventFilter {
    pub fn parse(filters: &[String]) -> Result<EventFilter, FilterError> {
        let mut f = EventFilter::default();
        for text in filters {
            let (key, value) = text
                .split_once('=')
                .filter(|(k, v)| !k.is_empty() && !v.is_empty())
                .ok_or_else(|| FilterError::Malformed(text.clone()))?;
            let key = key.trim().to_ascii_lowercase();
            if !KEYS.contains(&key.as_str()) {
                return Err(FilterError::UnknownKey(text.clone()));
            }
            if key == "type" && EventType::parse(value).is_none() {
                return Err(FilterError::UnknownType(text.clone()));
            }
            f.by_key.entry(key).or_default().push(value.to_string());
        }
        Ok(f)
    }

    pub fn matches(&self, e: &Event) -> bool {
        self.by_key
            .iter()
            .all(|(key, values)| values.iter().any(|v| Self::matches_one(key, v, e)))
    }

    fn matches_one(key: &str, value: &str, e: &Event) -> bool {
        let attr = |k: &str| e.actor.attributes.get(k).map(String::as_str);
        match key {
            "type" => e.kind.as_str() == value,
            // podman calls docker's `destroy` `remove`; both find it.
            "event" => {
                e.action == value
                    || (value == "remove" && e.action == "destroy")
                    || e.action.split(':').next() == Some(value)
            }
            "container" => {
                e.kind == EventType::Container
                    && (attr("name") == Some(value)
                        || (!value.is_empty() && e.actor.id.starts_with(value)))
            }
            "image" => {
                let by_attr = attr("image").is_some_and(|n| image_matches(n, value));
                let by_self = e.kind == EventType::Image
                    && (attr("name").is_some_and(|n| image_matches(n, value))
                        || e.actor
                            .id
                            .trim_start_matches("sha256:")
                            .starts_with(value.trim_start_matches("sha256:")));
                by_attr || by_self
            }
            "label" => match value.split_once('=') {
                Some((k, v)) => attr(k) == Some(v),
                None => attr(value).is_some(),
            },
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(kind: EventType, action: &str, id: &str, attrs: &[(&str, &str)]) -> Event {
        Event::new(
            kind,
            action,
            id,
            attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    fn f(filters: &[&str]) -> EventFilter {
        EventFilter::parse(&filters.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn values_of_one_key_are_ored_and_different_keys_anded() {
        let start = ev(
            EventType::Container,
            "start",
            "abc123",
            &[("name", "web"), ("image", "busybox")],
        );
        let die = ev(EventType::Container, "die", "abc123", &[("name", "web")]);
        let filter = f(&["event=start", "event=stop", "container=web"]);
        assert!(filter.matches(&start));
        assert!(!filter.matches(&die));
        assert!(!f(&["event=start", "container=db"]).matches(&start));
        assert!(f(&["container=abc"]).matches(&start));
        assert!(f(&["type=container"]).matches(&die));
        assert!(!f(&["type=image"]).matches(&die));
    }

    #[test]
    fn image_filter_accepts_short_names_and_matches_image_events_by_name_or_id() {
        let c = ev(
            EventType::Container,
            "create",
            "abc",
            &[("image", "127.0.0.1:5000/lib/busybox:latest")],
        );
        assert!(f(&["image=busybox"]).matches(&c));
        assert!(f(&["image=lib/busybox:latest"]).matches(&c));
        assert!(!f(&["image=box"]).matches(&c));
        let tag = ev(
            EventType::Image,
            "tag",
            "sha256:feedbeef",
            &[("name", "localhost/mine:v1")],
        );
        assert!(f(&["image=mine:v1"]).matches(&tag));
        assert!(f(&["image=feed"]).matches(&tag));
        assert!(!f(&["image=other"]).matches(&tag));
    }

    #[test]
    fn label_filter_matches_key_or_key_and_value() {
        let c = ev(EventType::Container, "start", "abc", &[("tier", "web")]);
        assert!(f(&["label=tier"]).matches(&c));
        assert!(f(&["label=tier=web"]).matches(&c));
        assert!(!f(&["label=tier=db"]).matches(&c));
    }

    #[test]
    fn remove_finds_dockers_destroy() {
        let c = ev(EventType::Container, "destroy", "abc", &[]);
        assert!(f(&["event=remove"]).matches(&c));
    }

    #[test]
    fn bad_filters_name_the_filter_and_the_accepted_keys() {
        let parse = |s: &str| EventFilter::parse(&[s.to_string()]).unwrap_err();
        assert_eq!(
            parse("colour=red"),
            FilterError::UnknownKey("colour=red".into())
        );
        assert_eq!(parse("event"), FilterError::Malformed("event".into()));
        assert_eq!(
            parse("type=pod"),
            FilterError::UnknownType("type=pod".into())
        );
        assert!(parse("colour=red").to_string().contains("type, event"));
    }
}
