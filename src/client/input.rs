//! Where answers come from: the terminal, or a piped file of blank-line-separated blocks.

use std::io::Write;
use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// One thing the candidate typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Answer(String),
    Skip,
    End,
}

/// Reads answers block by block.
pub struct AnswerSource {
    reader: Box<dyn AsyncBufRead + Unpin + Send>,
    interactive: bool,
}

impl AnswerSource {
    /// `interactive` prints a prompt before each answer (for a terminal).
    pub fn new(reader: impl AsyncBufRead + Unpin + Send + 'static, interactive: bool) -> Self {
        AnswerSource {
            reader: Box::new(reader),
            interactive,
        }
    }

    /// The next block: lines up to a blank line. A block that is just `/skip` or `/end` is that
    /// command; the end of input ends the interview.
    pub async fn next_entry(&mut self, out: &mut dyn Write) -> anyhow::Result<Entry> {
        if self.interactive {
            writeln!(
                out,
                "\nYour answer (finish with an empty line; /skip or /end):"
            )?;
            out.flush()?;
        }
        let mut lines: Vec<String> = Vec::new();
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line).await? == 0 {
                break;
            }
            let line = line.trim_end_matches(['\n', '\r']);
            if line.trim().is_empty() {
                if lines.is_empty() {
                    continue;
                }
                break;
            }
            if lines.is_empty() {
                match line.trim() {
                    "/skip" => return Ok(Entry::Skip),
                    "/end" => return Ok(Entry::End),
                    _ => {}
                }
            }
            lines.push(line.to_string());
        }
        Ok(if lines.is_empty() {
            Entry::End
        } else {
            Entry::Answer(lines.join("\n"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn blocks_are_answers_and_commands_and_eof_ends() {
        let text = "\n\nfirst line\nsecond line\n\n/skip\n\nlast answer\n";
        let mut src = AnswerSource::new(std::io::Cursor::new(text.as_bytes().to_vec()), false);
        let mut sink = Vec::new();
        assert_eq!(
            src.next_entry(&mut sink).await.unwrap(),
            Entry::Answer("first line\nsecond line".into())
        );
        assert_eq!(src.next_entry(&mut sink).await.unwrap(), Entry::Skip);
        assert_eq!(
            src.next_entry(&mut sink).await.unwrap(),
            Entry::Answer("last answer".into())
        );
        assert_eq!(src.next_entry(&mut sink).await.unwrap(), Entry::End);
        assert!(sink.is_empty(), "no prompts when piped");
    }
}
