//! A BGZF writer that compresses blocks in parallel and reports where every block landed,
//! so that a tabix index can be built while the file is written.
//!
//! The uncompressed stream is cut into blocks of [`BLOCK_DATA_SIZE`] bytes (the last one
//! shorter). Block `k` therefore holds stream bytes `k * BLOCK_DATA_SIZE ..`, and a stream
//! offset maps to a virtual offset with [`Writer::virtual_offset`] once the file is finished.

use std::io::{self, Write};

use rayon::prelude::*;

/// Uncompressed bytes per block (htslib and noodles use the same limit).
pub const BLOCK_DATA_SIZE: usize = 0xff00;

/// The 28-byte empty block that ends every BGZF file.
pub const EOF_BLOCK: [u8; 28] = [
    0x1f, 0x8b, 0x08, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x06, 0x00, 0x42, 0x43, 0x02, 0x00,
    0x1b, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
];

/// Compresses `data` (at most [`BLOCK_DATA_SIZE`] bytes) into one complete BGZF block.
pub fn compress_block(data: &[u8], level: i32) -> io::Result<Vec<u8>> {
    use zlib_rs::{compress_bound, Deflate, DeflateFlush, Status};
    assert!(data.len() <= BLOCK_DATA_SIZE, "block too large");
    const HEADER: usize = 18;
    const MAX_BLOCK: usize = 1 << 16;
    let mut out = vec![0u8; HEADER + compress_bound(data.len()) + 8];
    let mut compressed = 0usize;
    for level in [level, 0] {
        let mut encoder = Deflate::new(level, false, 15);
        let status = encoder
            .compress(data, &mut out[HEADER..], DeflateFlush::Finish)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.as_str()))?;
        if status != Status::StreamEnd {
            return Err(io::Error::other("deflate did not finish"));
        }
        compressed = encoder.total_out() as usize;
        if HEADER + compressed + 8 <= MAX_BLOCK {
            break;
        }
    }
    let total = HEADER + compressed + 8;
    out.truncate(total);
    let bsize = (total - 1) as u16;
    out[..HEADER].copy_from_slice(&[
        0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0, 0xff, 0x06, 0x00, b'B', b'C', 0x02, 0x00, 0, 0,
    ]);
    out[16..18].copy_from_slice(&bsize.to_le_bytes());
    let crc = zlib_rs::crc32::crc32(0, data);
    out[HEADER + compressed..HEADER + compressed + 4].copy_from_slice(&crc.to_le_bytes());
    out[HEADER + compressed + 4..].copy_from_slice(&(data.len() as u32).to_le_bytes());
    Ok(out)
}

/// Writes BGZF, compressing full blocks in parallel on the current rayon pool.
pub struct Writer<W: Write> {
    inner: W,
    level: i32,
    pending: Vec<u8>,
    /// Compressed offset of each block written so far, plus the offset after the last.
    block_offsets: Vec<u64>,
    stream_len: u64,
}

impl<W: Write> Writer<W> {
    /// A writer at compression `level` (0-9; htslib's bgzip default is 6).
    pub fn new(inner: W, level: i32) -> Self {
        Self {
            inner,
            level,
            pending: Vec::new(),
            block_offsets: vec![0],
            stream_len: 0,
        }
    }

    /// Uncompressed bytes accepted so far.
    pub fn stream_len(&self) -> u64 {
        self.stream_len
    }

    /// Appends uncompressed bytes; full blocks are compressed and written.
    pub fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        self.stream_len += data.len() as u64;
        self.pending.extend_from_slice(data);
        if self.pending.len() >= BLOCK_DATA_SIZE {
            let full = self.pending.len() / BLOCK_DATA_SIZE * BLOCK_DATA_SIZE;
            self.flush_blocks(full)?;
        }
        Ok(())
    }

    fn flush_blocks(&mut self, len: usize) -> io::Result<()> {
        let level = self.level;
        let blocks: Vec<io::Result<Vec<u8>>> = self.pending[..len]
            .par_chunks(BLOCK_DATA_SIZE)
            .map(|chunk| compress_block(chunk, level))
            .collect();
        let mut offset = *self.block_offsets.last().expect("starts with 0");
        for block in blocks {
            let block = block?;
            self.inner.write_all(&block)?;
            offset += block.len() as u64;
            self.block_offsets.push(offset);
        }
        self.pending.drain(..len);
        Ok(())
    }

    /// Writes the last partial block and the EOF block; returns the inner writer and the
    /// block table for [`virtual_offset`].
    pub fn finish(mut self) -> io::Result<(W, BlockTable)> {
        let len = self.pending.len();
        if len > 0 {
            self.flush_blocks(len)?;
        }
        self.inner.write_all(&EOF_BLOCK)?;
        self.inner.flush()?;
        Ok((
            self.inner,
            BlockTable {
                offsets: self.block_offsets,
                stream_len: self.stream_len,
            },
        ))
    }
}

/// Where each block of a finished BGZF file starts.
#[derive(Clone, Debug)]
pub struct BlockTable {
    offsets: Vec<u64>,
    stream_len: u64,
}

impl BlockTable {
    /// The virtual offset (compressed block offset << 16 | offset in block) of a stream
    /// offset. The end of the stream maps to the start of the EOF block.
    pub fn virtual_offset(&self, stream_offset: u64) -> u64 {
        let block = (stream_offset / BLOCK_DATA_SIZE as u64) as usize;
        let within = stream_offset % BLOCK_DATA_SIZE as u64;
        debug_assert!(stream_offset <= self.stream_len);
        (self.offsets[block] << 16) | within
    }

    /// Compressed size without the EOF block.
    pub fn compressed_len(&self) -> u64 {
        *self.offsets.last().expect("starts with 0")
    }
}

/// Compresses a whole buffer as a BGZF file (used for small files such as indexes).
pub fn compress_all(data: &[u8], level: i32) -> io::Result<Vec<u8>> {
    let mut writer = Writer::new(Vec::new(), level);
    writer.write_all(data)?;
    Ok(writer.finish()?.0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_valid_gzip_members() {
        let data: Vec<u8> = (0..200_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        let mut writer = Writer::new(Vec::new(), 6);
        writer.write_all(&data[..1000]).unwrap();
        writer.write_all(&data[1000..]).unwrap();
        let (bytes, table) = writer.finish().unwrap();
        assert!(bytes.ends_with(&EOF_BLOCK));
        // Decode every block with zlib-rs and compare.
        let mut pos = 0;
        let mut decoded = Vec::new();
        while pos < bytes.len() {
            let bsize = u16::from_le_bytes([bytes[pos + 16], bytes[pos + 17]]) as usize + 1;
            let block = &bytes[pos..pos + bsize];
            let isize = u32::from_le_bytes(block[bsize - 4..].try_into().unwrap()) as usize;
            let mut out = vec![0u8; isize];
            let mut inflate = zlib_rs::Inflate::new(false, 15);
            if isize > 0 {
                inflate
                    .decompress(
                        &block[18..bsize - 8],
                        &mut out,
                        zlib_rs::InflateFlush::Finish,
                    )
                    .unwrap();
            }
            let crc = u32::from_le_bytes(block[bsize - 8..bsize - 4].try_into().unwrap());
            assert_eq!(crc, zlib_rs::crc32::crc32(0, &out));
            decoded.extend_from_slice(&out);
            pos += bsize;
        }
        assert_eq!(decoded, data);
        assert_eq!(table.virtual_offset(0), 0);
        assert_eq!(table.virtual_offset(BLOCK_DATA_SIZE as u64 + 5) & 0xffff, 5);
    }
}
