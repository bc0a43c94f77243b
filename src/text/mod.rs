//! Text normalisation shared by the question-bank lint and the built-in evaluator:
//! Unicode clean-up, sentence splitting, words with their roles (content, stop word, negator),
//! light stemming, the shared synonym table and polarity-aware term matching.
//!
//! Everything here is pure and deterministic, so a key point's `terms` match the same
//! way in `rehearse questions lint` as they do when a candidate's answer is graded.

mod matcher;
mod normalize;
mod sentences;
mod stem;
mod synonyms;
mod tokens;

pub use matcher::{Match, Polarity, Term, Window};
pub use normalize::{has_invisible, normalize};
pub use sentences::{Sentence, Tok, sentence_texts, split_sentences};
pub use stem::stem;
pub use synonyms::{Alt, Synonyms};
pub use tokens::{Role, Word, content_tokens, is_stop_word, raw_words, words};
