//! Where documents come from: files, folders of files, and JSON Lines files whose lines are
//! documents. Every read is bounded in size, and every error names the file.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// Extensions read as JSON Lines: one document per line.
const LINES_EXTENSIONS: [&str; 2] = ["jsonl", "ndjson"];
/// Extensions picked up inside a folder.
const DOCUMENT_EXTENSIONS: [&str; 5] = ["json", "tt", "jsonl", "ndjson", "opencert"];

/// One input file, and how to read it.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub lines: bool,
}

impl Source {
    pub fn size(&self) -> u64 {
        std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0)
    }
}

/// Expands the command line's inputs: files as given, folders to the document files directly
/// inside them (sorted by name, not recursive). A path that cannot be read stays in the list,
/// so that reading it reports the problem in its place.
pub fn expand(inputs: &[PathBuf]) -> Result<Vec<Source>> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(input)
                .with_context(|| format!("{}: cannot list the folder", input.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && has_extension(p, &DOCUMENT_EXTENSIONS))
                .collect();
            files.sort();
            out.extend(files.into_iter().map(source));
        } else {
            out.push(source(input.clone()));
        }
    }
    Ok(out)
}

fn source(path: PathBuf) -> Source {
    let lines = has_extension(&path, &LINES_EXTENSIONS);
    Source { path, lines }
}

fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| extensions.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// Reads a whole file, refusing one larger than `max` bytes before reading it.
pub fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>> {
    let file = File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > max {
        bail!(
            "{}: the file has {} bytes, more than the {} a document may have (see --max-size)",
            path.display(),
            len,
            max
        );
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    if bytes.len() as u64 > max {
        bail!(
            "{}: the file grew past the {} bytes a document may have while it was read",
            path.display(),
            max
        );
    }
    Ok(bytes)
}

/// Reads a JSON Lines file line by line, each line at most `max` bytes. Blank lines are
/// skipped; line numbers count from 1.
pub struct Lines {
    reader: BufReader<File>,
    path: PathBuf,
    line: usize,
    max: u64,
}

impl Lines {
    pub fn open(path: &Path, max: u64) -> Result<Lines> {
        let file = File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
        Ok(Lines {
            reader: BufReader::with_capacity(1 << 20, file),
            path: path.to_path_buf(),
            line: 0,
            max,
        })
    }

    /// Appends the next non-blank line to `out` and returns its number, or `None` at the end.
    /// Appending lets a caller gather many lines in one buffer it reuses.
    pub fn read_line(&mut self, out: &mut Vec<u8>) -> Result<Option<usize>> {
        let start = out.len();
        loop {
            out.truncate(start);
            let n = (&mut self.reader)
                .take(self.max + 1)
                .read_until(b'\n', out)
                .with_context(|| {
                    format!("{}:{}: cannot read", self.path.display(), self.line + 1)
                })?;
            if n == 0 {
                return Ok(None);
            }
            self.line += 1;
            let line = &out[start..];
            if line.len() as u64 > self.max && line.last() != Some(&b'\n') {
                out.truncate(start);
                bail!(
                    "{}:{}: the line is longer than the {} bytes a document may have (see --max-size)",
                    self.path.display(),
                    self.line,
                    self.max
                );
            }
            if !line.iter().all(u8::is_ascii_whitespace) {
                return Ok(Some(self.line));
            }
        }
    }
}

/// One document read from an input.
pub struct Document {
    /// `file` or `file:line`, for messages.
    pub label: String,
    /// The file name it gets in an output folder: the input's, or `<stem>-<line>.json`.
    pub out_name: String,
    pub bytes: Vec<u8>,
}

/// Calls `each` with every document of `source`: the whole file, or each line of a JSON
/// Lines file.
pub fn for_each_document(
    source: &Source,
    max_size: u64,
    mut each: impl FnMut(Document) -> Result<()>,
) -> Result<()> {
    let path = &source.path;
    if source.lines {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("document");
        let mut lines = Lines::open(path, max_size)?;
        let mut bytes = Vec::new();
        while let Some(n) = lines.read_line(&mut bytes)? {
            each(Document {
                label: format!("{}:{n}", path.display()),
                out_name: format!("{stem}-{n}.json"),
                bytes: std::mem::take(&mut bytes),
            })?;
        }
        Ok(())
    } else {
        let bytes = read_bounded(path, max_size)?;
        let out_name = path
            .file_name()
            .and_then(|s| s.to_str())
            .unwrap_or("document.json")
            .to_string();
        each(Document {
            label: path.display().to_string(),
            out_name,
            bytes,
        })
    }
}

/// Reads `64M`, `512K`, `1G` or a plain number of bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let (digits, unit) = match text
        .trim()
        .char_indices()
        .find(|(_, c)| !c.is_ascii_digit())
    {
        Some((i, _)) => text.trim().split_at(i),
        None => (text.trim(), ""),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a size such as 64M"))?;
    let factor = match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        _ => return Err(format!("{text:?}: unknown unit {unit:?} (use K, M or G)")),
    };
    n.checked_mul(factor)
        .ok_or_else(|| format!("{text:?} is too large"))
}
