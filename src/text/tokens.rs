//! Words and their roles: content words carry meaning, stop words do not, negators flip the
//! claim they sit in. Clause numbers let a negation reach only its own clause.

use super::stem;

/// Very common words that carry no evidence that a point was made.
const STOP_WORDS: &[&str] = &[
    "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "with", "and", "or", "but", "is",
    "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those",
    "as", "from", "into", "than", "then", "so", "if", "do", "does", "did", "can", "could", "would",
    "should", "will", "shall", "may", "might", "must", "i", "you", "he", "she", "we", "they", "me",
    "my", "our", "your", "their", "them", "us", "his", "her", "which", "who", "whom", "what",
    "when", "where", "why", "how", "there", "here", "also", "just", "very", "about", "over",
    "under", "up", "out", "again", "more", "most", "some", "any", "all", "both", "few", "other",
    "such", "own", "too", "s", "t", "ll", "re", "ve", "d", "m", "has", "have", "had", "am", "let",
    "lets",
];

/// Words that deny what follows them in their clause.
const NEGATORS: &[&str] = &["not", "no", "never", "neither", "nor", "without"];

/// Words that open a new clause: a negation before them does not reach past them.
const CLAUSE_WORDS: &[&str] = &[
    "but",
    "while",
    "whilst",
    "whereas",
    "although",
    "though",
    "however",
    "because",
    "since",
    "so",
    "unless",
    "yet",
    "otherwise",
];

/// Python keywords that are also English stop words: written as code they are content.
const CODE_KEYWORDS: &[&str] = &[
    "is", "in", "not", "and", "or", "with", "as", "for", "if", "from",
];

/// Words after a keyword that show it is meant as code ("the `is` operator", "`in` keyword").
const CODE_NOUNS: &[&str] = &[
    "operator",
    "operators",
    "keyword",
    "keywords",
    "comparison",
    "comparisons",
];

/// Keywords that open a statement, and the words after them that name it ("with statement",
/// "for loop", "if block"). Other keywords before these words are English: "do not block".
const STATEMENT_KEYWORDS: &[&str] = &["with", "for", "if", "from"];
const STATEMENT_NOUNS: &[&str] = &[
    "statement",
    "statements",
    "clause",
    "clauses",
    "block",
    "blocks",
    "loop",
    "loops",
];

/// Contractions written without an apostrophe, as people type in chat.
const BARE_CONTRACTIONS: &[(&str, &str)] = &[
    ("dont", "do"),
    ("doesnt", "does"),
    ("didnt", "did"),
    ("isnt", "is"),
    ("arent", "are"),
    ("wasnt", "was"),
    ("werent", "were"),
    ("cant", "can"),
    ("cannot", "can"),
    ("wont", "will"),
    ("shouldnt", "should"),
    ("wouldnt", "would"),
    ("couldnt", "could"),
    ("hasnt", "has"),
    ("havent", "have"),
    ("hadnt", "had"),
    ("neednt", "need"),
    ("mustnt", "must"),
];

/// What a word does in its sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Carries meaning; matched by terms.
    Content,
    /// A function word the matcher skips.
    Stop,
    /// Denies the claim it sits in (`not`, `never`, `without`, `rather than` …).
    Negator,
}

/// One word of a text, lower-cased, with its role and clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word as written, lower-cased (`doesn't` becomes `does` + `not`).
    pub lower: String,
    pub role: Role,
    /// Clause number within the sentence; punctuation and words like "but" start a new one.
    pub clause: u16,
    /// Written as code: inside backticks or quotes, or an operator such as `==`.
    pub code: bool,
    /// The bracketed aside the word sits in (0: none). A term is never matched partly inside an
    /// aside and partly outside it: "setuptools (… all plug in), and it replaced" does not say
    /// "setuptools was replaced".
    pub aside: u16,
}

impl Word {
    /// The form terms are compared in: stemmed content words, `not` for every negator.
    pub fn token(&self) -> Option<String> {
        match self.role {
            Role::Stop => None,
            Role::Negator => Some("not".into()),
            Role::Content => Some(stem(&self.lower)),
        }
    }
}

/// True for a word (already lower-cased) that the matcher ignores.
pub fn is_stop_word(word: &str) -> bool {
    static SORTED: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
        let mut v = STOP_WORDS.to_vec();
        v.sort_unstable();
        v
    });
    SORTED.binary_search(&word).is_ok()
}

const OPERATORS: &[&str] = &["==", "!=", ":=", "+="];

/// A raw piece of text before roles are decided.
struct Piece {
    text: String,
    code: bool,
    /// A clause boundary (punctuation) came right before this piece.
    boundary_before: bool,
    aside: u16,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn is_boundary_punct(c: char) -> bool {
    matches!(
        c,
        ',' | ';' | ':' | '(' | ')' | '[' | ']' | '{' | '}' | '—' | '–' | '\n'
    )
}

/// Splits text into word pieces, keeping operators and remembering code spans and clause marks.
fn pieces(text: &str) -> Vec<Piece> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<Piece> = Vec::new();
    let mut in_code = false;
    let mut boundary = false;
    // Open brackets outside code, innermost last: an aside ("word (…)") has its own number, the
    // brackets of a call written without backticks ("int('abc')") have none.
    let mut asides: Vec<Option<u16>> = Vec::new();
    let mut opened: u16 = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '`' {
            in_code = !in_code;
            i += 1;
            continue;
        }
        if let Some(op) = OPERATORS.iter().find(|op| {
            let n = op.chars().count();
            i + n <= chars.len() && chars[i..i + n].iter().copied().eq(op.chars())
        }) {
            out.push(Piece {
                text: (*op).to_string(),
                code: true,
                boundary_before: std::mem::take(&mut boundary),
                aside: current_aside(&asides),
            });
            i += op.chars().count();
            continue;
        }
        if is_word_char(c) {
            let start = i;
            while i < chars.len() && is_word_char(chars[i]) {
                i += 1;
            }
            let mut raw: String = chars[start..i].iter().collect();
            // "I/O" is one word, not the pronoun "I" and a letter.
            if raw.eq_ignore_ascii_case("i")
                && chars.get(i) == Some(&'/')
                && chars
                    .get(i + 1)
                    .is_some_and(|c| c.eq_ignore_ascii_case(&'o'))
                && chars.get(i + 2).is_none_or(|c| !is_word_char(*c))
            {
                raw = "io".into();
                i += 2;
            }
            let word = raw.trim_matches('_').to_lowercase();
            // A single word in double quotes ("is") is named, not used.
            let quoted = start > 0
                && chars[start - 1] == '"'
                && chars.get(i) == Some(&'"')
                && CODE_KEYWORDS.contains(&word.as_str());
            if !word.is_empty() {
                out.push(Piece {
                    text: word,
                    code: in_code || quoted,
                    boundary_before: std::mem::take(&mut boundary),
                    aside: current_aside(&asides),
                });
            }
            continue;
        }
        let dash = c == '-'
            && i > 0
            && chars[i - 1].is_whitespace()
            && chars.get(i + 1).is_some_and(|n| n.is_whitespace());
        // Brackets and commas inside a code span belong to one expression, not to clauses.
        if (is_boundary_punct(c) || dash) && !in_code {
            boundary = true;
            match c {
                '(' | '[' | '{' => {
                    if i == 0 || chars[i - 1].is_whitespace() {
                        opened = opened.saturating_add(1);
                        asides.push(Some(opened));
                    } else {
                        asides.push(None);
                    }
                }
                ')' | ']' | '}' => {
                    asides.pop();
                }
                _ => {}
            }
        }
        i += 1;
    }
    out
}

/// The words of `text` with their roles and clause numbers.
pub fn words(text: &str) -> Vec<Word> {
    let mut ps = pieces(text);
    // Contractions: "doesn" + "t" → "does" + "not"; "dont" → "do" + "not".
    let mut expanded: Vec<Piece> = Vec::with_capacity(ps.len() + 4);
    for p in ps.drain(..) {
        if p.text == "t"
            && let Some(prev) = expanded.last_mut()
            && let Some(base) = contraction_base(&prev.text)
        {
            prev.text = base;
            let aside = prev.aside;
            expanded.push(Piece {
                text: "not".into(),
                code: false,
                boundary_before: false,
                aside,
            });
            continue;
        }
        if !p.code
            && let Some((_, base)) = BARE_CONTRACTIONS.iter().find(|(w, _)| *w == p.text)
        {
            expanded.push(Piece {
                text: (*base).to_string(),
                code: false,
                boundary_before: p.boundary_before,
                aside: p.aside,
            });
            expanded.push(Piece {
                text: "not".into(),
                code: false,
                boundary_before: false,
                aside: p.aside,
            });
            continue;
        }
        expanded.push(p);
    }

    let mut out: Vec<Word> = Vec::with_capacity(expanded.len());
    let mut clause: u16 = 0;
    for (i, p) in expanded.iter().enumerate() {
        let next = expanded.get(i + 1).map(|n| n.text.as_str());
        let prev = i.checked_sub(1).map(|j| expanded[j].text.as_str());
        if p.boundary_before || (!p.code && CLAUSE_WORDS.contains(&p.text.as_str())) {
            clause = clause.saturating_add(u16::from(!out.is_empty()));
        }
        let clause_start = out.last().is_none_or(|w: &Word| w.clause != clause)
            || prev.is_some_and(|w| ["and", "vs", "versus", "whereas", "while"].contains(&w));
        let code = p.code || looks_like_code_keyword(&p.text, next, clause_start);
        let role = if code {
            Role::Content
        } else if is_negator(&p.text, prev, next) {
            Role::Negator
        } else if is_stop_word(&p.text)
            || CLAUSE_WORDS.contains(&p.text.as_str())
            || ["not", "no", "rather", "instead"].contains(&p.text.as_str())
        {
            Role::Stop
        } else {
            Role::Content
        };
        out.push(Word {
            lower: p.text.clone(),
            role,
            clause,
            code,
            aside: p.aside,
        });
    }
    out
}

fn current_aside(open: &[Option<u16>]) -> u16 {
    open.iter().rev().find_map(|a| *a).unwrap_or(0)
}

fn contraction_base(prev: &str) -> Option<String> {
    match prev {
        "can" => Some("can".into()),
        "won" => Some("will".into()),
        "ain" => Some("is".into()),
        "shan" => Some("shall".into()),
        p if p.len() > 2 && p.ends_with('n') => {
            let base = &p[..p.len() - 1];
            [
                "do", "does", "did", "is", "are", "was", "were", "has", "have", "had", "should",
                "would", "could", "must", "need", "might",
            ]
            .contains(&base)
            .then(|| base.to_string())
        }
        _ => None,
    }
}

/// A keyword such as `is` used as the operator it names: "the is operator", or opening a clause
/// with a verb after it ("is checks identity", "while in tests membership").
fn looks_like_code_keyword(word: &str, next: Option<&str>, clause_start: bool) -> bool {
    if !CODE_KEYWORDS.contains(&word) {
        return false;
    }
    let Some(next) = next else { return false };
    // "is is just a faster ==": the first one is named, not used.
    if CODE_NOUNS.contains(&next)
        || next == word
        || (STATEMENT_KEYWORDS.contains(&word) && STATEMENT_NOUNS.contains(&next))
    {
        return true;
    }
    clause_start
        && ["is", "in"].contains(&word)
        && next.len() > 3
        && next.ends_with('s')
        && !next.ends_with("ss")
        && !is_stop_word(next)
}

fn is_negator(word: &str, prev: Option<&str>, next: Option<&str>) -> bool {
    match word {
        // "not only", "not just", "whether or not": no denial.
        "not" => !matches!(next, Some("only" | "just" | "merely" | "to")) && prev != Some("or"),
        // "no matter", "no doubt": no denial.
        "no" => !matches!(next, Some("matter" | "doubt")),
        // "rather than X", "instead of X" deny X.
        "rather" => next == Some("than"),
        "instead" => next == Some("of"),
        _ => NEGATORS.contains(&word),
    }
}

/// Lower-cased words with roles dropped, for phrase cues such as "so that".
pub fn raw_words(text: &str) -> impl Iterator<Item = String> {
    words(text).into_iter().map(|w| w.lower)
}

/// The tokens a term or a text is compared in: stemmed content words and `not` for negators.
pub fn content_tokens(text: &str) -> Vec<String> {
    words(text).iter().filter_map(Word::token).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn punctuation_symbols_and_dunder_underscores_vanish() {
        assert_eq!(
            content_tokens("The __slots__ of a class; O(n log n)!"),
            ["slot", "class", "o", "n", "log", "n"]
        );
        assert_eq!(content_tokens("x := f(y)"), ["x", ":=", "f", "y"]);
    }

    #[test]
    fn negators_are_kept_and_contractions_expanded() {
        assert_eq!(
            content_tokens("It doesn't make code thread-safe"),
            ["not", "mak", "cod", "thread", "saf"]
        );
        assert_eq!(content_tokens("you cant"), ["not"]);
        assert_eq!(content_tokens("never, without"), ["not", "not"]);
        assert_eq!(
            content_tokens("not only fast but also small"),
            ["only", "fast", "small"]
        );
        assert_eq!(
            content_tokens("use a lock rather than luck"),
            ["use", "lock", "not", "luck"]
        );
    }

    #[test]
    fn keywords_written_as_code_are_content() {
        assert_eq!(
            content_tokens("`is` compares identity"),
            ["is", "compar", "identity"]
        );
        assert_eq!(content_tokens("the is operator"), ["is", "operator"]);
        assert_eq!(
            content_tokens("is checks identity while == checks values"),
            ["is", "check", "identity", "==", "check", "valu"]
        );
        assert_eq!(content_tokens("It is fast"), ["fast"]);
        assert_eq!(content_tokens("`not` is an operator"), ["not", "operator"]);
        // Statement keywords name their statement: "with statement", "for loop".
        let code = |text: &str, word: &str| {
            words(text)
                .iter()
                .find(|w| w.lower == word)
                .map(|w| (w.code, w.role))
        };
        assert_eq!(
            code("use the with statement", "with"),
            Some((true, Role::Content))
        );
        assert_eq!(code("a for loop", "for"), Some((true, Role::Content)));
        // "not" before "block", "loop" or "statement" is English: it denies what follows.
        for text in [
            "it does not block the event loop",
            "it is not statement level",
            "the body is not loop code",
        ] {
            assert_eq!(code(text, "not"), Some((false, Role::Negator)), "{text}");
        }
    }

    #[test]
    fn i_o_is_one_word() {
        assert_eq!(
            content_tokens("blocking I/O and io-bound"),
            ["block", "io", "io", "bound"]
        );
    }

    #[test]
    fn clauses_split_at_punctuation_and_contrast_words() {
        let ws = words("A is fast, but B is slow; C");
        let clauses: Vec<u16> = ws.iter().map(|w| w.clause).collect();
        assert_eq!(clauses, [0, 0, 0, 1, 1, 1, 1, 2]);
    }
}
