//! Question, follow-up and model-answer text with code in it: `inline code` between backticks
//! and fenced blocks between lines of three backticks. Parsed into blocks, then rendered as
//! escaped HTML (pages, the report) or as wrapped terminal text (`rehearse chat`), so no
//! reader ever sees raw backticks.

/// A run of a paragraph: plain words or inline code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub code: bool,
}

/// A paragraph of spans, or a fenced code block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Paragraph(Vec<Span>),
    Code { lang: String, text: String },
}

/// Splits `text` into paragraphs (separated by blank lines) and fenced blocks. An unclosed
/// fence runs to the end; an unmatched backtick stays a literal backtick.
pub fn parse(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut code: Option<(String, Vec<&str>)> = None;
    let flush = |para: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !para.is_empty() {
            blocks.push(Block::Paragraph(spans(&para.join("\n"))));
            para.clear();
        }
    };
    for line in text.lines() {
        let fence = line.trim_start().strip_prefix("```");
        match (&mut code, fence) {
            (Some(_), Some(rest)) if rest.trim().is_empty() => {
                let (lang, lines) = code.take().expect("inside a fence");
                blocks.push(Block::Code {
                    lang,
                    text: lines.join("\n"),
                });
            }
            (Some((_, lines)), _) => lines.push(line),
            (None, Some(lang)) => {
                flush(&mut para, &mut blocks);
                code = Some((lang.trim().to_string(), Vec::new()));
            }
            (None, None) if line.trim().is_empty() => flush(&mut para, &mut blocks),
            (None, None) => para.push(line.trim()),
        }
    }
    flush(&mut para, &mut blocks);
    if let Some((lang, lines)) = code {
        blocks.push(Block::Code {
            lang,
            text: lines.join("\n"),
        });
    }
    blocks
}

fn spans(text: &str) -> Vec<Span> {
    let pieces: Vec<&str> = text.split('`').collect();
    // An odd number of backticks leaves the last one unmatched: it is kept as text.
    let paired = if pieces.len().is_multiple_of(2) {
        pieces.len() - 2
    } else {
        pieces.len() - 1
    };
    let mut out: Vec<Span> = Vec::new();
    let mut push = |text: String, code: bool| {
        if text.is_empty() {
            return;
        }
        match out.last_mut() {
            Some(last) if last.code == code && !code => last.text.push_str(&text),
            _ => out.push(Span { text, code }),
        }
    };
    for (i, piece) in pieces.iter().enumerate() {
        if i > paired {
            push(format!("`{piece}"), false);
        } else {
            push(piece.to_string(), i % 2 == 1);
        }
    }
    out
}

/// The text as HTML: `<p>` per paragraph with `<code>` for inline code, `<pre><code>` per
/// fenced block. Every piece of text is escaped.
pub fn to_html(text: &str) -> String {
    let mut out = String::new();
    for block in parse(text) {
        match block {
            Block::Paragraph(spans) => {
                out.push_str("<p>");
                for s in spans {
                    if s.code {
                        out.push_str("<code>");
                        out.push_str(&handlebars::html_escape(&s.text));
                        out.push_str("</code>");
                    } else {
                        out.push_str(&handlebars::html_escape(&s.text).replace('\n', "<br>"));
                    }
                }
                out.push_str("</p>");
            }
            Block::Code { lang, text } => {
                out.push_str("<pre class=\"code\"");
                if !lang.is_empty() {
                    out.push_str(" data-lang=\"");
                    out.push_str(&handlebars::html_escape(&lang));
                    out.push('"');
                }
                out.push_str("><code>");
                out.push_str(&handlebars::html_escape(&text));
                out.push_str("</code></pre>");
            }
        }
    }
    out
}

/// How inline code and code blocks look in a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TerminalStyle {
    /// Wrap paragraphs to this many columns (code is never wrapped).
    pub width: usize,
    /// Use ANSI colours for code.
    pub colour: bool,
}

/// The text for a terminal: paragraphs wrapped to the width, inline code coloured (or left
/// bare without colour), code blocks indented by four spaces, blocks separated by blank lines.
pub fn to_terminal(text: &str, style: TerminalStyle) -> String {
    const CODE: &str = "\x1b[36m";
    const RESET: &str = "\x1b[0m";
    let mut blocks = Vec::new();
    for block in parse(text) {
        match block {
            Block::Paragraph(spans) => {
                // Words split on whitespace across span borders (`x`'s stays one word), each
                // character remembering whether it is code.
                let mut words: Vec<Vec<(char, bool)>> = vec![Vec::new()];
                for s in &spans {
                    for c in s.text.chars() {
                        if c.is_whitespace() {
                            if words.last().is_some_and(|w| !w.is_empty()) {
                                words.push(Vec::new());
                            }
                        } else if let Some(w) = words.last_mut() {
                            w.push((c, s.code));
                        }
                    }
                }
                let shown: Vec<(String, usize)> = words
                    .iter()
                    .filter(|w| !w.is_empty())
                    .map(|w| {
                        let mut text = String::new();
                        let mut in_code = false;
                        for &(c, code) in w {
                            if style.colour && code != in_code {
                                text.push_str(if code { CODE } else { RESET });
                                in_code = code;
                            }
                            text.push(c);
                        }
                        if in_code {
                            text.push_str(RESET);
                        }
                        (text, w.len())
                    })
                    .collect();
                blocks.push(wrap(&shown, style.width.max(20)));
            }
            Block::Code { text, .. } => {
                let lines: Vec<String> = text
                    .lines()
                    .map(|l| {
                        if style.colour {
                            format!("    {CODE}{l}{RESET}")
                        } else {
                            format!("    {l}")
                        }
                    })
                    .collect();
                blocks.push(lines.join("\n"));
            }
        }
    }
    blocks.join("\n\n")
}

/// Greedy word wrap; `words` holds each word as shown and its visible width.
fn wrap(words: &[(String, usize)], width: usize) -> String {
    let mut out = String::new();
    let mut column = 0;
    for (shown, len) in words {
        if column > 0 && column + 1 + len > width {
            out.push('\n');
            column = 0;
        } else if column > 0 {
            out.push(' ');
            column += 1;
        }
        out.push_str(shown);
        column += len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_code_and_fenced_blocks_are_parsed() {
        let blocks = parse("What does `x is y` test?\n\n```python\nprint(1 < 2)\n```\nAnd `a`");
        assert_eq!(
            blocks,
            vec![
                Block::Paragraph(vec![
                    Span {
                        text: "What does ".into(),
                        code: false
                    },
                    Span {
                        text: "x is y".into(),
                        code: true
                    },
                    Span {
                        text: " test?".into(),
                        code: false
                    },
                ]),
                Block::Code {
                    lang: "python".into(),
                    text: "print(1 < 2)".into()
                },
                Block::Paragraph(vec![
                    Span {
                        text: "And ".into(),
                        code: false
                    },
                    Span {
                        text: "a".into(),
                        code: true
                    },
                ]),
            ]
        );
    }

    #[test]
    fn an_unmatched_backtick_stays_and_an_unclosed_fence_runs_to_the_end() {
        assert_eq!(
            parse("a `b` c ` d"),
            vec![Block::Paragraph(vec![
                Span {
                    text: "a ".into(),
                    code: false
                },
                Span {
                    text: "b".into(),
                    code: true
                },
                Span {
                    text: " c ` d".into(),
                    code: false
                },
            ])]
        );
        assert_eq!(
            parse("```\nx = 1"),
            vec![Block::Code {
                lang: String::new(),
                text: "x = 1".into()
            }]
        );
    }

    #[test]
    fn html_escapes_every_piece_and_shows_no_backticks() {
        let html = to_html("Is `a < b` safe?\n```\n<script>alert(1)</script>\n```");
        assert_eq!(
            html,
            "<p>Is <code>a &lt; b</code> safe?</p><pre class=\"code\"><code>&lt;script&gt;alert(1)&lt;/script&gt;</code></pre>"
        );
    }

    #[test]
    fn terminal_text_wraps_paragraphs_and_indents_code() {
        let text = "Explain what `functools.lru_cache` does to a function that is called often.\n```python\n@lru_cache(maxsize=None)\ndef fib(n): ...\n```";
        let out = to_terminal(
            text,
            TerminalStyle {
                width: 30,
                colour: false,
            },
        );
        assert!(!out.contains('`'), "{out}");
        for line in out.lines().take_while(|l| !l.starts_with("    ")) {
            assert!(line.chars().count() <= 30, "{line:?}");
        }
        assert!(
            out.contains("\n\n    @lru_cache(maxsize=None)\n    def fib(n): ..."),
            "{out}"
        );
        assert!(out.contains("functools.lru_cache"));
    }
}
