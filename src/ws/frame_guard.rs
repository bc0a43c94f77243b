//! Refuses oversized WebSocket frames from their header, before their payload is buffered.
//!
//! The frame decoder underneath waits for a whole frame before it checks its size, so a peer that
//! announces a 512 MiB frame would have all of it buffered first. This guard sits between the
//! socket and the decoder, reads only frame headers (payload bytes are counted and passed on), and
//! stops the stream as soon as a header announces a frame — or a fragmented message reaches a
//! size — above the limit. It also yields after every `limit` bytes so that the decoder, which
//! reads everything available before decoding, never holds much more than one frame.

use actix_web::dev::Payload as DevPayload;
use actix_web::error::PayloadError;
use actix_web::web::Bytes;
use futures_util::Stream;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

/// Longest frame header: 2 bytes, 8 bytes of extended length, 4 bytes of mask.
const MAX_HEADER: usize = 14;

/// Why the guard stopped a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A frame header announced more than the limit.
    Frame(u64),
    /// The fragments of one message add up to more than the limit.
    Message(u64),
}

/// Tracks frame boundaries in a raw client-to-server byte stream.
#[derive(Debug)]
pub struct FrameScanner {
    limit: u64,
    header: [u8; MAX_HEADER],
    header_len: usize,
    /// Payload bytes of the current frame still to pass.
    remaining: u64,
    /// Bytes of the fragmented data message in progress.
    message: u64,
}

impl FrameScanner {
    pub fn new(limit: usize) -> Self {
        FrameScanner {
            limit: limit as u64,
            header: [0; MAX_HEADER],
            header_len: 0,
            remaining: 0,
            message: 0,
        }
    }

    /// Scans the next bytes of the stream. An error means the stream must stop here.
    pub fn scan(&mut self, mut bytes: &[u8]) -> Result<(), Refusal> {
        while !bytes.is_empty() {
            if self.remaining > 0 {
                let skip = self.remaining.min(bytes.len() as u64);
                self.remaining -= skip;
                bytes = &bytes[skip as usize..];
                continue;
            }
            let need = header_len(&self.header[..self.header_len]);
            let take = (need - self.header_len).min(bytes.len());
            self.header[self.header_len..self.header_len + take].copy_from_slice(&bytes[..take]);
            self.header_len += take;
            bytes = &bytes[take..];
            if self.header_len == header_len(&self.header[..self.header_len]) {
                self.frame_header()?;
            }
        }
        Ok(())
    }

    fn frame_header(&mut self) -> Result<(), Refusal> {
        let h = &self.header;
        let fin = h[0] & 0x80 != 0;
        let opcode = h[0] & 0x0f;
        let length = match h[1] & 0x7f {
            126 => u64::from(u16::from_be_bytes([h[2], h[3]])),
            127 => u64::from_be_bytes(h[2..10].try_into().expect("eight bytes")),
            n => u64::from(n),
        };
        self.header_len = 0;
        self.remaining = length;
        // Control frames (close, ping, pong) are small by protocol and never part of a message.
        if opcode & 0x08 != 0 {
            return Ok(());
        }
        if length > self.limit {
            return Err(Refusal::Frame(length));
        }
        // A data frame (text, binary) starts a message; a continuation (0) adds to it.
        self.message = if opcode == 0 {
            self.message.saturating_add(length)
        } else {
            length
        };
        if self.message > self.limit {
            return Err(Refusal::Message(self.message));
        }
        if fin {
            self.message = 0;
        }
        Ok(())
    }
}

/// Header length implied by the bytes seen so far (2 until the length byte is known).
fn header_len(seen: &[u8]) -> usize {
    if seen.len() < 2 {
        return 2;
    }
    let extended = match seen[1] & 0x7f {
        126 => 2,
        127 => 8,
        _ => 0,
    };
    let mask = if seen[1] & 0x80 != 0 { 4 } else { 0 };
    2 + extended + mask
}

/// The connection's raw byte stream, with the scanner in front.
pub struct GuardedPayload {
    inner: DevPayload,
    scanner: FrameScanner,
    /// Bytes passed since the decoder last had to stop and decode.
    since_yield: usize,
    refused: Arc<AtomicBool>,
}

impl GuardedPayload {
    /// Wraps `inner`; `refused` is set when the guard stops the stream for size.
    pub fn new(inner: DevPayload, limit: usize, refused: Arc<AtomicBool>) -> Self {
        GuardedPayload {
            inner,
            scanner: FrameScanner::new(limit),
            since_yield: 0,
            refused,
        }
    }
}

impl Stream for GuardedPayload {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.refused.load(Ordering::Relaxed) {
            return Poll::Ready(None);
        }
        // The decoder reads until the stream is pending and only then decodes: pausing after
        // every `limit` bytes keeps its buffer to about one frame.
        if this.since_yield >= this.scanner.limit as usize {
            this.since_yield = 0;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(bytes))) => match this.scanner.scan(&bytes) {
                Ok(()) => {
                    this.since_yield += bytes.len();
                    Poll::Ready(Some(Ok(bytes)))
                }
                Err(refusal) => {
                    tracing::debug!(?refusal, "oversized WebSocket frame refused");
                    this.refused.store(true, Ordering::Relaxed);
                    Poll::Ready(Some(Err(PayloadError::Overflow)))
                }
            },
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(fin: bool, opcode: u8, len: u64) -> Vec<u8> {
        let mut h = vec![(u8::from(fin) << 7) | opcode];
        if len < 126 {
            h.push(0x80 | len as u8);
        } else if len <= u64::from(u16::MAX) {
            h.push(0x80 | 126);
            h.extend_from_slice(&(len as u16).to_be_bytes());
        } else {
            h.push(0x80 | 127);
            h.extend_from_slice(&len.to_be_bytes());
        }
        h.extend_from_slice(&[1, 2, 3, 4]);
        h
    }

    #[test]
    fn frames_within_the_limit_pass_in_any_split() {
        let mut stream = header(true, 1, 300);
        stream.extend(vec![b'a'; 300]);
        stream.extend(header(true, 9, 4));
        stream.extend(b"ping");
        stream.extend(header(true, 1, 1000));
        stream.extend(vec![b'b'; 1000]);
        for split in [1, 2, 3, 7, 13, 500, stream.len()] {
            let mut scanner = FrameScanner::new(1000);
            for chunk in stream.chunks(split) {
                assert_eq!(scanner.scan(chunk), Ok(()), "split {split}");
            }
            assert_eq!(scanner.remaining, 0);
            assert_eq!(scanner.header_len, 0);
        }
    }

    #[test]
    fn an_oversized_header_is_refused_before_its_payload() {
        let mut scanner = FrameScanner::new(64 * 1024);
        assert_eq!(
            scanner.scan(&header(true, 1, 512 << 20)),
            Err(Refusal::Frame(512 << 20))
        );
        let mut scanner = FrameScanner::new(64 * 1024);
        let huge = header(true, 2, (1 << 63) - 1);
        assert_eq!(scanner.scan(&huge[..5]), Ok(()), "incomplete header");
        assert_eq!(scanner.scan(&huge[5..]), Err(Refusal::Frame((1 << 63) - 1)));
    }

    #[test]
    fn fragments_are_added_up_and_a_finished_message_resets() {
        let mut scanner = FrameScanner::new(100);
        let mut ok = header(false, 1, 60);
        ok.extend(vec![0; 60]);
        ok.extend(header(true, 9, 0));
        ok.extend(header(true, 0, 40));
        ok.extend(vec![0; 40]);
        ok.extend(header(false, 1, 60));
        ok.extend(vec![0; 60]);
        assert_eq!(scanner.scan(&ok), Ok(()));
        assert_eq!(
            scanner.scan(&header(false, 0, 41)),
            Err(Refusal::Message(101))
        );
    }
}
