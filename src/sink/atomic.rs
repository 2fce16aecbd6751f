//! Whole files or none: every output is first written in full to a temporary
//! file in the output directory, and only then are they all renamed over the
//! old ones, so a run stopped early leaves the previous outputs as they were.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// Writes each `(file name, bytes)` into `dir`.
pub fn write_files(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<()> {
    let mut written = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        // Temporary files are private by default; outputs are ordinary files.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o644));
        }
        let mut temp = builder.tempfile_in(dir).with_context(|| {
            format!(
                "cannot write in {}: check that it is a writable directory",
                dir.display()
            )
        })?;
        temp.write_all(bytes)
            .and_then(|()| temp.as_file().sync_all())
            .with_context(|| {
                format!(
                    "cannot write {name} in {}: is the disk full?",
                    dir.display()
                )
            })?;
        written.push((temp, name));
    }
    for (temp, name) in written {
        temp.persist(dir.join(name))
            .with_context(|| format!("cannot replace {name} in {}", dir.display()))?;
    }
    Ok(())
}
