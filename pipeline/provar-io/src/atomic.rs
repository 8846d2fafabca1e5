//! Atomic output: write to a temporary name in the target directory, sync, rename.

use std::{
    fs::File,
    io,
    path::{Path, PathBuf},
};

/// A file being written under a temporary name in its final directory. Dropping it without
/// [`commit`](Self::commit) deletes the temporary file, so a failed stage leaves nothing
/// under the final name.
///
/// ```
/// use std::io::Write;
/// let dir = tempfile::tempdir()?;
/// let mut out = provar_io::atomic::AtomicFile::create(&dir.path().join("a.txt"))?;
/// out.file_mut().write_all(b"hello")?;
/// assert!(!dir.path().join("a.txt").exists());
/// out.commit()?;
/// assert_eq!(std::fs::read(dir.path().join("a.txt"))?, b"hello");
/// # Ok::<_, std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct AtomicFile {
    temp: tempfile::NamedTempFile,
    path: PathBuf,
}

impl AtomicFile {
    /// Creates a temporary file beside `path` (named `.NAME.provar-XXXXXX.tmp`).
    pub fn create(path: &Path) -> io::Result<Self> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{name}.provar-"))
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("creating a temporary file in {}: {e}", dir.display()),
                )
            })?;
        Ok(Self {
            temp,
            path: path.to_owned(),
        })
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The open temporary file.
    pub fn file_mut(&mut self) -> &mut File {
        self.temp.as_file_mut()
    }

    /// A second handle to the temporary file (for writers that take ownership).
    pub fn try_clone_file(&self) -> io::Result<File> {
        self.temp.as_file().try_clone()
    }

    /// Syncs the data and renames the file into place.
    pub fn commit(self) -> io::Result<PathBuf> {
        // Temporary files are created private (0600); a finished artifact is an ordinary file.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            self.temp
                .as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644))?;
        }
        self.temp.as_file().sync_all()?;
        let path = self.path;
        self.temp.persist(&path).map_err(|e| {
            io::Error::new(
                e.error.kind(),
                format!("renaming into {}: {}", path.display(), e.error),
            )
        })?;
        if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            // Make the rename durable; not every platform allows syncing a directory.
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(path)
    }
}
