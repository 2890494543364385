//! Where documents are written: one JSON Lines file (or standard output), or one file per
//! document in a folder. Everything is staged in temporary files beside the destination and
//! moved into place only by [`Staged::commit`], so a command that fails midway leaves nothing
//! half-written.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use tempfile::{NamedTempFile, TempDir};

/// `--out-dir DIR` or `--out FILE.jsonl`: exactly one.
#[derive(clap::Args)]
#[group(required = true, multiple = false)]
pub struct OutputArgs {
    /// Write one file per document into this folder (created if missing).
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Write all documents as JSON Lines into this file (`-` for standard output).
    #[arg(long, value_name = "FILE.jsonl")]
    out: Option<PathBuf>,
}

impl OutputArgs {
    /// The destination named.
    pub fn destination(&self) -> Destination {
        match (&self.out_dir, &self.out) {
            (Some(dir), _) => Destination::Folder(dir.clone()),
            (None, Some(file)) => Destination::Lines(file.clone()),
            (None, None) => unreachable!("clap requires a destination"),
        }
    }
}

/// Where the documents go.
pub enum Destination {
    /// One JSON Lines file (or standard output for `-`).
    Lines(PathBuf),
    /// One file per document in a folder.
    Folder(PathBuf),
}

impl Destination {
    /// Whether documents are written to standard output.
    pub fn is_stdout(&self) -> bool {
        matches!(self, Destination::Lines(p) if p.as_os_str() == "-")
    }

    /// A folder beside the destination, for temporary files that can be renamed into it.
    pub fn staging_dir(&self) -> Result<PathBuf> {
        Ok(match self {
            Destination::Lines(_) if self.is_stdout() => std::env::temp_dir(),
            Destination::Lines(p) => parent_dir(p),
            Destination::Folder(dir) => {
                std::fs::create_dir_all(dir).with_context(|| {
                    format!("{}: cannot create the output folder", dir.display())
                })?;
                dir.clone()
            }
        })
    }
}

/// Documents being written, not yet in place.
pub enum Staged<'d> {
    Stdout(BufWriter<std::io::StdoutLock<'static>>),
    Lines {
        path: &'d Path,
        file: BufWriter<NamedTempFile>,
    },
    Folder {
        dir: &'d Path,
        staging: TempDir,
        names: Vec<String>,
    },
}

impl<'d> Staged<'d> {
    /// Starts writing to `destination`.
    pub fn begin(destination: &'d Destination) -> Result<Staged<'d>> {
        let staging_dir = destination.staging_dir()?;
        let temp = || {
            tempfile::Builder::new()
                .prefix(".corridor-out-")
                .tempfile_in(&staging_dir)
                .with_context(|| format!("{}: cannot write", staging_dir.display()))
        };
        Ok(match destination {
            Destination::Lines(_) if destination.is_stdout() => {
                Staged::Stdout(BufWriter::with_capacity(1 << 20, std::io::stdout().lock()))
            }
            Destination::Lines(path) => Staged::Lines {
                path,
                file: BufWriter::with_capacity(1 << 20, temp()?),
            },
            Destination::Folder(dir) => Staged::Folder {
                dir,
                staging: tempfile::Builder::new()
                    .prefix(".corridor-out-")
                    .tempdir_in(dir)
                    .with_context(|| format!("{}: cannot write", dir.display()))?,
                names: Vec::new(),
            },
        })
    }

    /// Writes one document: a line of the JSON Lines file, or the file `name` in the folder.
    pub fn write(&mut self, name: &str, document: &[u8]) -> Result<()> {
        match self {
            Staged::Stdout(out) => {
                write_line(out, document).context("cannot write to standard output")
            }
            Staged::Lines { path, file } => write_line(file, document)
                .with_context(|| format!("{}: cannot write", path.display())),
            Staged::Folder {
                dir,
                staging,
                names,
            } => {
                let mut out = BufWriter::new(File::create(staging.path().join(name))?);
                write_line(&mut out, document)
                    .and_then(|()| out.flush())
                    .with_context(|| format!("{}: cannot write", dir.join(name).display()))?;
                names.push(name.to_string());
                Ok(())
            }
        }
    }

    /// Moves everything written into place.
    pub fn commit(self) -> Result<()> {
        match self {
            Staged::Stdout(mut out) => out.flush().context("cannot write to standard output"),
            Staged::Lines { path, file } => {
                let file = file
                    .into_inner()
                    .map_err(|e| anyhow!("{}: cannot write: {}", path.display(), e.error()))?;
                file.persist(path)
                    .map_err(|e| anyhow!("{}: cannot write: {}", path.display(), e.error))?;
                Ok(())
            }
            Staged::Folder {
                dir,
                staging,
                names,
            } => {
                for name in &names {
                    std::fs::rename(staging.path().join(name), dir.join(name)).with_context(
                        || format!("{}: cannot move into place", dir.join(name).display()),
                    )?;
                }
                Ok(())
            }
        }
    }
}

fn write_line(out: &mut impl Write, document: &[u8]) -> std::io::Result<()> {
    out.write_all(document)?;
    out.write_all(b"\n")
}

pub fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes `bytes` to a temporary file beside `path` and renames it into place.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".corridor-")
        .tempfile_in(dir)
        .with_context(|| format!("{}: cannot write", path.display()))?;
    tmp.write_all(bytes)
        .with_context(|| format!("{}: cannot write", path.display()))?;
    tmp.persist(path)
        .map_err(|e| anyhow!("{}: cannot write: {}", path.display(), e.error))?;
    Ok(())
}
