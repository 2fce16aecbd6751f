//! Whole files or none: every output is first written in full to a temporary
//! file in the output directory, and only then are they all renamed over the
//! old ones, so a run stopped early leaves the previous outputs as they were.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::mpsc::{channel, sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use anyhow::{Context, Result};

/// One output file: its name, and what writes its bytes.
pub type Job<'a> = (String, WriteBytes<'a>);

/// What writes a file's bytes, once.
pub type WriteBytes<'a> = Box<dyn FnOnce(&mut (dyn Write + Send)) -> Result<()> + Send + 'a>;

/// The file `name`, its bytes written by `write`.
pub fn job<'a>(
    name: String,
    write: impl FnOnce(&mut (dyn Write + Send)) -> Result<()> + Send + 'a,
) -> Job<'a> {
    (name, Box::new(write))
}

/// Writes each job's file into `dir`: the files of a wave at once, the
/// waves one after the other. Each file goes to disk on a thread of its
/// own, which flushes it while the rest are made; all are renamed once
/// every one is on disk. A file that fails as it is made stops the later
/// waves; one that fails only as it is flushed is found after them all.
pub fn write_files(dir: &Path, waves: Vec<Vec<Job<'_>>>) -> Result<()> {
    use rayon::prelude::*;
    let mut written = Vec::new();
    for wave in waves {
        let made: Vec<Result<Written>> = wave
            .into_par_iter()
            .map(|(name, job)| write_file(dir, name, job))
            .collect();
        // The first file that failed, in the jobs' order, says why.
        for file in made {
            written.push(file?);
        }
    }
    let mut on_disk = Vec::with_capacity(written.len());
    for (temp, name, synced) in written {
        match synced.join() {
            Ok(Ok(())) => on_disk.push((temp, name)),
            Ok(Err(e)) => return Err(anyhow::Error::new(e).context(disk_full(dir, &name))),
            Err(_) => anyhow::bail!("{}", disk_full(dir, &name)),
        }
    }
    for (temp, name) in on_disk {
        temp.persist(dir.join(&name))
            .with_context(|| format!("cannot replace {name} in {}", dir.display()))?;
    }
    Ok(())
}

/// A file written in full to its temporary file, and the thread that is
/// putting it on disk.
type Written = (
    tempfile::NamedTempFile,
    String,
    JoinHandle<std::io::Result<()>>,
);

fn write_file(dir: &Path, name: String, job: WriteBytes<'_>) -> Result<Written> {
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
    let written_whole = (|| -> Result<JoinHandle<std::io::Result<()>>> {
        let mut out = DiskWriter::new(temp.as_file().try_clone()?);
        job(&mut out)?;
        Ok(out.finish()?)
    })();
    match written_whole {
        Ok(on_disk) => Ok((temp, name, on_disk)),
        // A table that the format cannot hold says so itself.
        Err(e) if e.downcast_ref::<std::io::Error>().is_none() => Err(e),
        Err(e) => Err(e.context(disk_full(dir, &name))),
    }
}

fn disk_full(dir: &Path, name: &str) -> String {
    format!(
        "cannot write {name} in {}: is the disk full?",
        dir.display()
    )
}

/// Bytes go to the file in chunks of this size, aligned as direct I/O needs.
/// The disk writes 2 MB as fast as 8 MB (`dd oflag=direct`: 1.6-1.7 against
/// 1.4-1.6 GB/s), and smaller chunks start it sooner and leave less to
/// write once the last row is made: with 8 MiB chunks, writing the 1M-row
/// batch's outputs took 179 ms with 2 threads, with 2 MiB 155 ms (232 and
/// 206 ms with 1 thread), the same on 10M rows, and the run's peak fell
/// by about 40 MB.
const CHUNK: usize = 2 << 20;
const ALIGN: usize = 4096;

/// A chunk of a file's bytes, in a buffer aligned as direct I/O needs.
struct Chunk {
    buffer: Box<[u8]>,
    start: usize,
    held: usize,
}

impl Chunk {
    fn new() -> Chunk {
        let buffer = vec![0u8; CHUNK + ALIGN].into_boxed_slice();
        let start = buffer.as_ptr().align_offset(ALIGN);
        Chunk {
            buffer,
            start,
            held: 0,
        }
    }

    fn bytes(&self) -> &[u8] {
        &self.buffer[self.start..self.start + self.held]
    }
}

/// Writes a file in large chunks straight to the disk, past the page cache
/// (`O_DIRECT`, on Linux), on a thread of its own: copying 1.9 GB of
/// outputs into the cache and flushing it took 3 to 4 s on the 10M-row
/// batch, written direct about 1 s, during which every core goes on making
/// the next rows. Where the file system refuses direct I/O the chunks are
/// written the ordinary way.
struct DiskWriter {
    chunk: Chunk,
    /// Full chunks, and whether each is the last, to the disk's thread.
    to_disk: Option<SyncSender<(Chunk, bool)>>,
    /// Chunks written, back to be filled again.
    written: Receiver<Chunk>,
    /// Writes the chunks, then flushes the file to disk.
    disk: Option<JoinHandle<std::io::Result<()>>>,
}

impl DiskWriter {
    fn new(file: File) -> DiskWriter {
        // Up to three chunks wait while one is written and one is filled.
        let (to_disk, chunks) = sync_channel::<(Chunk, bool)>(3);
        let (done, written) = channel();
        let disk = std::thread::spawn(move || {
            let mut direct = set_direct(&file, true);
            for (chunk, last) in chunks {
                // The last chunk, not a whole number of blocks, goes through the page cache.
                if last && direct {
                    direct = set_direct(&file, false);
                }
                write_chunk(&file, chunk.bytes(), &mut direct)?;
                let _ = done.send(Chunk { held: 0, ..chunk });
            }
            file.sync_all()
        });
        DiskWriter {
            chunk: Chunk::new(),
            to_disk: Some(to_disk),
            written,
            disk: Some(disk),
        }
    }

    fn send(&mut self, last: bool) -> std::io::Result<()> {
        let next = self.written.try_recv().unwrap_or_else(|_| Chunk::new());
        let full = std::mem::replace(&mut self.chunk, next);
        let sent = self
            .to_disk
            .as_ref()
            .map(|to_disk| to_disk.send((full, last)));
        if let Some(Ok(())) = sent {
            return Ok(());
        }
        // The disk's thread stopped: its error says why.
        self.to_disk = None;
        Err(match self.disk.take().map(JoinHandle::join) {
            Some(Ok(Err(e))) => e,
            _ => std::io::Error::other("the file's writer stopped"),
        })
    }

    /// Sends what is held; the thread that writes it and flushes the file.
    fn finish(mut self) -> std::io::Result<JoinHandle<std::io::Result<()>>> {
        self.send(true)?;
        self.to_disk = None;
        Ok(self.disk.take().expect("finished once"))
    }
}

impl Write for DiskWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let chunk = &mut self.chunk;
        let taken = bytes.len().min(CHUNK - chunk.held);
        let at = chunk.start + chunk.held;
        chunk.buffer[at..at + taken].copy_from_slice(&bytes[..taken]);
        chunk.held += taken;
        if chunk.held == CHUNK {
            self.send(false)?;
        }
        Ok(taken)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for DiskWriter {
    /// A file left unfinished (its table failed): its thread ends with it.
    fn drop(&mut self) {
        self.to_disk = None;
        if let Some(disk) = self.disk.take() {
            let _ = disk.join();
        }
    }
}

/// Writes all of `bytes`; a file system that refuses direct I/O says so
/// at the first write, and the rest is written the ordinary way.
fn write_chunk(mut file: &File, bytes: &[u8], direct: &mut bool) -> std::io::Result<()> {
    let mut rest = bytes;
    while !rest.is_empty() {
        match file.write(rest) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(n) => rest = &rest[n..],
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) if *direct && e.kind() == std::io::ErrorKind::InvalidInput => {
                *direct = set_direct(file, false);
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Turns direct I/O on or off; whether it is on.
#[cfg(target_os = "linux")]
fn set_direct(file: &File, on: bool) -> bool {
    use rustix::fs::{fcntl_getfl, fcntl_setfl, OFlags};
    let Ok(flags) = fcntl_getfl(file) else {
        return false;
    };
    let flags = if on {
        flags | OFlags::DIRECT
    } else {
        flags - OFlags::DIRECT
    };
    fcntl_setfl(file, flags).is_ok() && on
}

#[cfg(not(target_os = "linux"))]
fn set_direct(_file: &File, _on: bool) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_longer_than_a_chunk_are_written_whole() {
        let dir = tempfile::tempdir().unwrap();
        // Two whole chunks, then a tail that is not a whole number of blocks.
        let len = 2 * CHUNK + 12_345;
        let byte = |i: usize| (i % 251) as u8;
        let big = job("big.csv".to_string(), |out| {
            // Written in uneven pieces, as rendered blocks are.
            let bytes: Vec<u8> = (0..len).map(byte).collect();
            for piece in bytes.chunks(1_000_003) {
                out.write_all(piece)?;
            }
            Ok(())
        });
        let small = job("small.csv".to_string(), |out| Ok(out.write_all(b"a,b\n")?));
        write_files(dir.path(), vec![vec![big, small]]).unwrap();
        let big = std::fs::read(dir.path().join("big.csv")).unwrap();
        assert_eq!(big.len(), len);
        assert!(big.iter().enumerate().all(|(i, &b)| b == byte(i)));
        assert_eq!(
            std::fs::read(dir.path().join("small.csv")).unwrap(),
            b"a,b\n"
        );
        // Only the outputs are left: no temporary files.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_wave_is_written_after_the_waves_before_it() {
        let dir = tempfile::tempdir().unwrap();
        let made = std::sync::OnceLock::new();
        let first = vec![
            job("a.csv".to_string(), |out| {
                made.set(b"made in a".to_vec()).unwrap();
                Ok(out.write_all(b"a")?)
            }),
            job("b.csv".to_string(), |out| Ok(out.write_all(b"b")?)),
        ];
        let then = vec![job("c.csv".to_string(), |out| {
            Ok(out.write_all(made.get().expect("made before"))?)
        })];
        write_files(dir.path(), vec![first, then]).unwrap();
        let read = |name| std::fs::read(dir.path().join(name)).unwrap();
        assert_eq!(read("a.csv"), b"a");
        assert_eq!(read("b.csv"), b"b");
        assert_eq!(read("c.csv"), b"made in a");
    }

    #[test]
    fn a_failed_file_stops_the_run_before_any_output_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.csv"), "old").unwrap();
        let waves = vec![
            vec![
                job("a.csv".to_string(), |out| Ok(out.write_all(b"new")?)),
                job("b.csv".to_string(), |_| anyhow::bail!("b cannot be held")),
            ],
            vec![job("c.csv".to_string(), |_| {
                panic!("a later wave is not written")
            })],
        ];
        let e = write_files(dir.path(), waves).unwrap_err();
        assert_eq!(e.to_string(), "b cannot be held");
        // The old output is as it was, and no temporary file is left.
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.csv")).unwrap(),
            "old"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn of_two_failed_files_the_first_in_order_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let wave = vec![
            job("a.csv".to_string(), |_| {
                // Failing after b, where both run at once.
                std::thread::sleep(std::time::Duration::from_millis(100));
                anyhow::bail!("a failed")
            }),
            job("b.csv".to_string(), |_| anyhow::bail!("b failed")),
        ];
        let e = write_files(dir.path(), vec![wave]).unwrap_err();
        assert_eq!(e.to_string(), "a failed");
    }
}
