//! Diagnostics: a problem in a pipeline file (or a file it names), with where
//! it is and what would fix it.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The phase that found a problem; reported in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// TOML syntax.
    Syntax,
    /// Keys, types and allowed values.
    Schema,
    /// Names that must refer to something: canonical fields, templates.
    Reference,
    /// Files on disk: existence, readability, headers.
    Environment,
}

/// One problem, with its location when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub phase: Phase,
    /// The file the problem is in (the pipeline file, or a source file).
    pub file: PathBuf,
    /// 1-based line and column, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    /// What would fix it.
    pub help: Option<String>,
    /// The offending line of the file, for display.
    pub snippet: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at a byte span of `text` (the contents of `file`).
    pub fn at(
        phase: Phase,
        file: &Path,
        text: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        let (line, column, snippet) = match span {
            Some(span) => {
                let (l, c, s) = locate(text, span.start);
                (Some(l), Some(c), Some(s))
            }
            None => (None, None, None),
        };
        Diagnostic {
            phase,
            file: file.to_path_buf(),
            line,
            column,
            message: message.into(),
            help: None,
            snippet,
        }
    }

    /// A diagnostic about a whole file.
    pub fn file(phase: Phase, file: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            phase,
            file: file.to_path_buf(),
            line: None,
            column: None,
            message: message.into(),
            help: None,
            snippet: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// 1-based line and column (in characters) of a byte offset, and the line's text.
pub fn locate(text: &str, offset: usize) -> (usize, usize, String) {
    let offset = offset.min(text.len());
    let offset = (0..=offset)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    (
        line,
        column,
        text[line_start..line_end]
            .trim_end_matches('\r')
            .to_string(),
    )
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": {}", self.message)?;
        if let (Some(snippet), Some(line)) = (&self.snippet, self.line) {
            let gutter = line.to_string().len();
            write!(f, "\n {:gutter$} |\n {line} | {snippet}", "")?;
            if let Some(col) = self.column {
                let pad = snippet
                    .chars()
                    .take(col - 1)
                    .map(|c| if c == '\t' { '\t' } else { ' ' });
                write!(f, "\n {:gutter$} | {}^", "", pad.collect::<String>())?;
            }
        }
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

/// All problems found, in phase and file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            (a.phase, &a.file, a.line, a.column).cmp(&(b.phase, &b.file, b.line, b.column))
        });
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}\n")?;
        }
        let n = self.0.len();
        write!(f, "{n} problem{} found", if n == 1 { "" } else { "s" })
    }
}

impl std::error::Error for Diagnostics {}

/// The closest of `candidates` to `word`, if it is close enough to be a
/// plausible typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word_l = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&word_l, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_finds_line_and_column() {
        let text = "a = 1\nbb = 2\n";
        assert_eq!(locate(text, 0), (1, 1, "a = 1".into()));
        assert_eq!(locate(text, 6), (2, 1, "bb = 2".into()));
        assert_eq!(locate(text, 11), (2, 6, "bb = 2".into()));
    }

    #[test]
    fn closest_suggests_typos_only() {
        let keys = ["delimiter", "quote", "encoding"];
        assert_eq!(closest("delimeter", keys), Some("delimiter"));
        assert_eq!(closest("encodng", keys), Some("encoding"));
        assert_eq!(closest("zzz", keys), None);
    }
}
