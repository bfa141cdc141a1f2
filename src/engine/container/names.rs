//! Generated container names, adjective_noun as docker users expect them.

const ADJECTIVES: &[&str] = &[
    "agile",
    "amber",
    "ancient",
    "arctic",
    "bold",
    "brave",
    "breezy",
    "bright",
    "calm",
    "clever",
    "cosmic",
    "crisp",
    "curious",
    "daring",
    "dusty",
    "eager",
    "early",
    "electric",
    "fancy",
    "fearless",
    "gentle",
    "gleaming",
    "golden",
    "happy",
    "hidden",
    "humble",
    "icy",
    "jolly",
    "keen",
    "kind",
    "lively",
    "lucky",
    "mellow",
    "merry",
    "misty",
    "modest",
    "nimble",
    "noble",
    "patient",
    "plucky",
    "polite",
    "proud",
    "quick",
    "quiet",
    "rapid",
    "restless",
    "rustic",
    "serene",
    "sharp",
    "shiny",
    "silent",
    "silver",
    "sleepy",
    "smooth",
    "snowy",
    "solid",
    "spry",
    "steady",
    "stoic",
    "sunny",
    "swift",
    "tender",
    "tidy",
    "vivid",
    "wandering",
    "warm",
    "wise",
    "witty",
    "young",
    "zealous",
];

const NOUNS: &[&str] = &[
    "anchor", "badger", "beacon", "bison", "buoy", "canal", "capstan", "cargo", "comet", "compass",
    "coral", "crane", "delta", "dock", "dolphin", "falcon", "ferry", "fjord", "gull", "harbor",
    "heron", "hull", "island", "jetty", "keel", "kelp", "lagoon", "lantern", "marina", "mast",
    "narwhal", "orca", "osprey", "otter", "pelican", "pier", "pilot", "quay", "reef", "rudder",
    "sail", "schooner", "seal", "shoal", "skiff", "sloop", "sound", "starling", "tide", "trawler",
    "tugboat", "walrus", "wharf", "wren",
];

/// A free adjective_noun name (`taken` says which are in use); a numeric suffix once the plain
/// combinations run out.
pub fn generate(taken: impl Fn(&str) -> bool) -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    for attempt in 0.. {
        let a = ADJECTIVES[rng.gen_range(0..ADJECTIVES.len())];
        let n = NOUNS[rng.gen_range(0..NOUNS.len())];
        let name = if attempt < 32 {
            format!("{a}_{n}")
        } else {
            format!("{a}_{n}{}", rng.gen_range(0..1000))
        };
        if !taken(&name) {
            return name;
        }
    }
    unreachable!("the loop only ends by returning")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_names_are_valid_and_avoid_taken_ones() {
        let taken = |n: &str| n.starts_with('a');
        for _ in 0..50 {
            let n = generate(taken);
            assert!(super::super::valid_name(&n), "{n}");
            assert!(!n.starts_with('a'));
            assert!(n.contains('_'));
        }
    }
}
