//! Whole files or none: every output is first written in full to a temporary
//! file in the output directory, and only then are they all renamed over the
//! old ones, so a run stopped early leaves the previous outputs as they were.

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result};

/// Writes each named file into `dir`, its contents written by `write(i, out)`.
/// Each file is flushed to disk on a thread of its own while the next is
/// written; all are renamed once every one is on disk.
pub fn write_files(
    dir: &Path,
    names: &[String],
    write: impl Fn(usize, &mut (dyn Write + Send)) -> Result<()>,
) -> Result<()> {
    let disk_full = |name: &str| {
        format!(
            "cannot write {name} in {}: is the disk full?",
            dir.display()
        )
    };
    std::thread::scope(|scope| {
        let mut written = Vec::with_capacity(names.len());
        for (i, name) in names.iter().enumerate() {
            let prefix = format!(".{name}.");
            let mut builder = tempfile::Builder::new();
            builder.prefix(&prefix).suffix(".tmp");
            // Temporary files are private by default; outputs are ordinary files.
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                builder.permissions(std::fs::Permissions::from_mode(0o644));
            }
            let temp = builder.tempfile_in(dir).with_context(|| {
                format!(
                    "cannot write in {}: check that it is a writable directory",
                    dir.display()
                )
            })?;
            let written_whole = (|| -> Result<std::fs::File> {
                let mut out = BufWriter::with_capacity(1 << 20, temp.as_file());
                write(i, &mut out)?;
                out.flush()?;
                Ok(temp.as_file().try_clone()?)
            })();
            let file = match written_whole {
                Ok(file) => file,
                // A table that the format cannot hold says so itself.
                Err(e) if e.downcast_ref::<std::io::Error>().is_none() => return Err(e),
                Err(e) => return Err(e.context(disk_full(name))),
            };
            let synced = scope.spawn(move || file.sync_all());
            written.push((temp, name, synced));
        }
        let mut on_disk = Vec::with_capacity(written.len());
        for (temp, name, synced) in written {
            match synced.join() {
                Ok(Ok(())) => on_disk.push((temp, name)),
                Ok(Err(e)) => return Err(anyhow::Error::new(e).context(disk_full(name))),
                Err(_) => anyhow::bail!("{}", disk_full(name)),
            }
        }
        for (temp, name) in on_disk {
            temp.persist(dir.join(name))
                .with_context(|| format!("cannot replace {name} in {}", dir.display()))?;
        }
        Ok(())
    })
}
