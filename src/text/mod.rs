//! Text normalisation shared by the question-bank lint and the built-in evaluator:
//! sentence splitting, tokenising, stop words, light stemming and term matching.
//!
//! Everything here is pure and deterministic, so a key point's `terms` match the same
//! way in `rehearse questions lint` as they do when a candidate's answer is graded.

mod matcher;
mod sentences;
mod stem;
mod tokens;

pub use matcher::{Term, Window};
pub use sentences::{Sentence, split_sentences};
pub use stem::stem;
pub use tokens::{content_tokens, is_stop_word, raw_words};
