//! The pipe between an evidence bundle's builder (a blocking thread that
//! writes the ZIP) and its download (an HTTP body): no file in between.
//!
//! The builder writes into a [`ChannelWriter`], which hands chunks of
//! [`CHUNK`] bytes to the body through a channel holding two, so at most a
//! few chunks are in memory per download. When the body is dropped (the
//! client went away, or the server is stopping), a cancellation flag is set
//! and the channel closes: the builder sees either before its next row or
//! entry and stops. A client that reads nothing for [`SEND_IDLE`] is cut
//! off the same way, so it cannot hold a builder's place forever.

use futures::stream::{BoxStream, StreamExt};
use std::io::{Error, ErrorKind, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Bytes handed to the body at a time.
pub const CHUNK: usize = 256 * 1024;
/// How long a chunk may wait for the client to take it.
pub const SEND_IDLE: Duration = Duration::from_secs(60);

type Chunk = Result<Vec<u8>, Error>;

/// Set when the download is gone; the builder checks it between entries.
#[derive(Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    fn set(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Sets the flag when dropped with the body.
struct SetOnDrop(Cancel);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.set();
    }
}

/// The builder's end: buffers writes and sends them on in chunks.
pub struct ChannelWriter {
    tx: mpsc::Sender<Chunk>,
    buf: Vec<u8>,
    rt: tokio::runtime::Handle,
    cancel: Cancel,
}

impl ChannelWriter {
    fn send(&self, chunk: Chunk) -> std::io::Result<()> {
        if self.cancel.is_set() {
            return Err(Error::new(ErrorKind::BrokenPipe, "the download is gone"));
        }
        match self
            .rt
            .block_on(tokio::time::timeout(SEND_IDLE, self.tx.send(chunk)))
        {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(Error::new(ErrorKind::BrokenPipe, "the download is gone")),
            Err(_) => {
                self.cancel.set();
                Err(Error::new(
                    ErrorKind::TimedOut,
                    format!("the client took nothing for {SEND_IDLE:?}"),
                ))
            }
        }
    }

    /// Whether the download is gone (dropped, or cut off for reading
    /// nothing): what the builder then fails with is no error of its own.
    pub fn gone(&self) -> bool {
        self.cancel.is_set() || self.tx.is_closed()
    }

    /// Ends the download as failed (the client sees a cut transfer, never
    /// a ZIP that looks complete); the reason stays in the server's log.
    pub fn fail(&mut self) {
        self.buf.clear();
        let _ = self.send(Err(Error::other(
            "the evidence bundle could not be completed",
        )));
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.send(Ok(chunk))
    }
}

/// A writer for the builder (to move onto a blocking thread; it blocks on
/// `rt`), the flag it checks, and the body that streams what it writes.
/// `hold` (e.g. the bundle's place among those running) lives as long as
/// the body.
pub fn pipe<H: Send + 'static>(
    rt: tokio::runtime::Handle,
    hold: H,
) -> (ChannelWriter, Cancel, BoxStream<'static, Chunk>) {
    let (tx, rx) = mpsc::channel::<Chunk>(2);
    let cancel = Cancel::default();
    let writer = ChannelWriter {
        tx,
        buf: Vec::with_capacity(CHUNK),
        rt,
        cancel: cancel.clone(),
    };
    let state = (SetOnDrop(cancel.clone()), rx, hold);
    let body = futures::stream::unfold(state, |(guard, mut rx, hold)| async move {
        rx.recv().await.map(|chunk| (chunk, (guard, rx, hold)))
    })
    .boxed();
    (writer, cancel, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn chunks_arrive_in_order_and_dropping_the_body_stops_the_writer() {
        let (mut w, cancel, mut body) = pipe(tokio::runtime::Handle::current(), ());
        let writer = tokio::task::spawn_blocking(move || {
            w.write_all(&vec![1u8; CHUNK + 10])?;
            w.write_all(b"tail")?;
            w.flush()
        });
        let mut got = Vec::new();
        while let Some(chunk) = body.next().await {
            got.extend(chunk.unwrap());
        }
        writer.await.unwrap().unwrap();
        assert_eq!(got.len(), CHUNK + 14);
        assert!(got.ends_with(b"tail"));

        let (mut w, cancel2, body) = pipe(tokio::runtime::Handle::current(), ());
        drop(body);
        assert!(cancel2.is_set());
        let e = tokio::task::spawn_blocking(move || w.write_all(&vec![0u8; CHUNK]))
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BrokenPipe);
        assert!(cancel.is_set(), "an ended body sets the flag too");
    }
}
