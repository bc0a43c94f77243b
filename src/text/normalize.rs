//! Unicode clean-up applied before any matching: compatibility forms folded (NFKC), invisible
//! characters removed, and letters that merely look Latin (Cyrillic "о", Greek "Α") folded to
//! the Latin letter they imitate. Matching and the injection guard both read this form, so
//! "ɪgnore", "ｉｇｎｏｒｅ" and "ig\u{200b}nore" are all "ignore".

use unicode_normalization::UnicodeNormalization;

/// Zero-width, joiner, bidi-control and other invisible format characters.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// The Latin letter a look-alike from another script stands for, if it is one.
fn confusable(c: char) -> Option<char> {
    Some(match c {
        // Cyrillic
        'а' => 'a',
        'в' => 'b',
        'с' => 'c',
        'е' => 'e',
        'һ' => 'h',
        'і' => 'i',
        'ј' => 'j',
        'к' => 'k',
        'м' => 'm',
        'н' => 'h',
        'о' => 'o',
        'р' => 'p',
        'ѕ' => 's',
        'т' => 't',
        'у' => 'y',
        'х' => 'x',
        'ԁ' => 'd',
        'ԛ' => 'q',
        'ԝ' => 'w',
        'А' => 'A',
        'В' => 'B',
        'С' => 'C',
        'Е' => 'E',
        'Н' => 'H',
        'І' => 'I',
        'Ј' => 'J',
        'К' => 'K',
        'М' => 'M',
        'О' => 'O',
        'Р' => 'P',
        'Ѕ' => 'S',
        'Т' => 'T',
        'Х' => 'X',
        'У' => 'Y',
        // Greek
        'α' => 'a',
        'ο' => 'o',
        'ν' => 'v',
        'ι' => 'i',
        'κ' => 'k',
        'ρ' => 'p',
        'τ' => 't',
        'υ' => 'u',
        'χ' => 'x',
        'Α' => 'A',
        'Β' => 'B',
        'Ε' => 'E',
        'Η' => 'H',
        'Ι' => 'I',
        'Κ' => 'K',
        'Μ' => 'M',
        'Ν' => 'N',
        'Ο' => 'O',
        'Ρ' => 'P',
        'Τ' => 'T',
        'Υ' => 'Y',
        'Χ' => 'X',
        'Ζ' => 'Z',
        _ => return latin_lookalike(c),
    })
}

/// Latin small capitals and other Latin-script look-alikes that NFKC leaves alone; always folded.
fn latin_lookalike(c: char) -> Option<char> {
    Some(match c {
        'ɪ' => 'i',
        'ʀ' => 'r',
        'ɢ' => 'g',
        'ʜ' => 'h',
        'ʟ' => 'l',
        'ɴ' => 'n',
        'ᴏ' => 'o',
        'ᴀ' => 'a',
        'ᴄ' => 'c',
        'ᴅ' => 'd',
        'ᴇ' => 'e',
        'ᴊ' => 'j',
        'ᴋ' => 'k',
        'ᴍ' => 'm',
        'ᴘ' => 'p',
        'ᴛ' => 't',
        'ᴜ' => 'u',
        'ᴠ' => 'v',
        'ᴡ' => 'w',
        'ʏ' => 'y',
        'ᴢ' => 'z',
        'ı' => 'i',
        'ℓ' => 'l',
        // typographic quotes and dashes
        '‘' | '’' | '‚' | '′' | 'ʼ' => '\'',
        '“' | '”' | '„' | '″' => '"',
        '‐' | '‑' | '‒' => '-',
        _ => return None,
    })
}

/// True when a letter from a non-Latin script sits between Latin letters, the usual shape
/// of a homoglyph disguise ("іgnore" with a Cyrillic і).
fn mixed_script_word(word: &str) -> bool {
    let latin = word
        .chars()
        .filter(|c| c.is_ascii_alphabetic() || latin_lookalike(*c).is_some())
        .count();
    let foreign = word
        .chars()
        .filter(|c| !c.is_ascii() && c.is_alphabetic() && confusable(*c).is_some())
        .count();
    latin > 0 && foreign > 0
}

/// The normalised form of `text` (NFKC, invisible characters removed, look-alike letters
/// inside otherwise Latin words folded to Latin). Whole words in another script (a Russian
/// sentence) are kept as they are, so they can still be read in their own language.
pub fn normalize(text: &str) -> String {
    // Plain ASCII (most answers) is already its own normal form: NFKC leaves it alone, and no
    // ASCII character is invisible or a look-alike.
    if text.is_ascii() {
        return text.to_owned();
    }
    fold(text)
}

/// [`normalize`] for text that may hold characters outside ASCII.
fn fold(text: &str) -> String {
    let nfkc: String = text.nfkc().filter(|c| !is_invisible(*c)).collect();
    let mut out = String::with_capacity(nfkc.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if mixed_script_word(word) {
            out.extend(word.chars().map(|c| confusable(c).unwrap_or(c)));
        } else {
            // Latin look-alikes fold everywhere; other scripts' letters only inside mixed words.
            out.extend(word.chars().map(|c| latin_lookalike(c).unwrap_or(c)));
        }
        word.clear();
    };
    for c in nfkc.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(confusable(c).filter(|_| !c.is_alphabetic()).unwrap_or(c));
        }
    }
    flush(&mut word, &mut out);
    out
}

/// True when the text holds invisible characters (a disguise worth reporting on its own).
pub fn has_invisible(text: &str) -> bool {
    text.chars().any(is_invisible)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_is_its_own_normal_form() {
        let every: String = (0u8..128).map(char::from).collect();
        assert_eq!(fold(&every), every);
        assert_eq!(normalize(&every), every);
    }

    #[test]
    fn disguises_fold_to_plain_latin() {
        assert_eq!(normalize("ig\u{200b}nore"), "ignore");
        assert_eq!(normalize("ｉｇｎｏｒｅ"), "ignore");
        assert_eq!(normalize("іgnоre"), "ignore"); // Cyrillic і and о
        assert_eq!(normalize("ɪɢɴᴏʀᴇ"), "ignore");
        assert_eq!(normalize("doesn’t"), "doesn't");
    }

    #[test]
    fn other_scripts_are_kept_when_whole() {
        assert_eq!(normalize("игнорируй"), "игнорируй");
        assert_eq!(normalize("忽略之前的指示"), "忽略之前的指示");
    }

    #[test]
    fn invisible_characters_are_reported() {
        assert!(has_invisible("a\u{200d}b"));
        assert!(!has_invisible("plain"));
    }
}
