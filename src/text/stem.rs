//! A light, predictable suffix folder. It is deliberately simpler than Porter: the goal is that
//! "evaluated", "evaluates" and "evaluating" meet, and that a bank author can predict the result.

fn has_vowel(s: &str) -> bool {
    s.bytes().any(|b| b"aeiouy".contains(&b))
}

fn undouble(mut s: String) -> String {
    let b = s.as_bytes();
    let n = b.len();
    // "runn" → "run", but "add" stays "add" (a three-letter stem is a word already).
    if n >= 4 && b[n - 1] == b[n - 2] && !b"aeioulsz".contains(&b[n - 1]) {
        s.pop();
    }
    s
}

/// Folds simple English inflections (-s/-es/-ies, -ly, -ing, -ed, a final -e).
/// Words of three letters or fewer, and words holding digits or underscores, are kept as they are.
pub fn stem(word: &str) -> String {
    if word.len() <= 3 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return word.to_string();
    }
    let mut w = word.to_string();
    if w.ends_with("ies") && w.len() >= 5 {
        w.truncate(w.len() - 3);
        w.push('y');
    } else if w.ends_with("es")
        && ["sh", "ch", "x", "z", "ss"]
            .iter()
            .any(|s| w[..w.len() - 2].ends_with(s))
    {
        w.truncate(w.len() - 2);
    } else if w.ends_with('s') && !["ss", "us", "is"].iter().any(|s| w.ends_with(s)) {
        w.pop();
    } else if w.ends_with("ily") && w.len() >= 6 {
        w.truncate(w.len() - 3);
        w.push('y');
    } else if w.ends_with("ly") && w.len() >= 6 {
        w.truncate(w.len() - 2);
    }
    if w.ends_with("ing") && w.len() >= 6 && has_vowel(&w[..w.len() - 3]) {
        w.truncate(w.len() - 3);
        w = undouble(w);
    } else if w.ends_with("eed") && w.len() >= 6 {
        // "guaranteed" meets "guarantees": drop only the d.
        w.pop();
    } else if w.ends_with("ed") && w.len() >= 5 && has_vowel(&w[..w.len() - 2]) {
        w.truncate(w.len() - 2);
        w = undouble(w);
    }
    if w.len() > 3 && w.ends_with('e') {
        w.pop();
    }
    w
}

#[cfg(test)]
mod tests {
    use super::stem;

    #[test]
    fn inflections_of_one_word_meet() {
        for group in [
            &["cache", "caches", "caching", "cached"][..],
            &["evaluate", "evaluated", "evaluates", "evaluating"],
            &["copy", "copies"],
            &["match", "matches"],
            &["run", "running"],
            &["add", "adding", "added"],
            &["guarantee", "guarantees", "guaranteed"],
            &["lazy", "lazily"],
        ] {
            let first = stem(group[0]);
            for w in group {
                assert_eq!(stem(w), first, "{w} should fold like {}", group[0]);
            }
        }
    }

    #[test]
    fn short_words_and_identifiers_are_left_alone() {
        assert_eq!(stem("gil"), "gil");
        assert_eq!(stem("status"), "status");
        assert_eq!(stem("analysis"), "analysis");
        assert_eq!(stem("py311"), "py311");
        assert_eq!(stem("init_subclass"), "init_subclass");
    }
}
