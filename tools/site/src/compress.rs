//! Precompressed copies beside every site file: `.br` at brotli's best and
//! `.gz` at gzip's best, which the server sends to browsers that ask for
//! them (Chromium over plain HTTP asks for gzip only).

use crate::error::{io, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Every file under `dir` that is not itself a compressed copy.
pub fn files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).map_err(io("listing", &d))? {
            let path = entry.map_err(io("listing", &d))?.path();
            if path.is_dir() {
                stack.push(path);
            } else if !path.extension().is_some_and(|e| e == "br" || e == "gz") {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Writes `file.br` and `file.gz`.
pub fn precompress(file: &Path) -> Result<()> {
    let bytes = std::fs::read(file).map_err(io("reading", file))?;
    let br = with_extension(file, "br");
    let mut out = brotli::CompressorWriter::new(Vec::new(), 64 * 1024, 11, 22);
    out.write_all(&bytes).map_err(io("compressing", file))?;
    std::fs::write(&br, out.into_inner()).map_err(io("writing", &br))?;
    let gz = with_extension(file, "gz");
    let mut out = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    out.write_all(&bytes).map_err(io("compressing", file))?;
    let gzipped = out.finish().map_err(io("compressing", file))?;
    std::fs::write(&gz, gzipped).map_err(io("writing", &gz))
}

fn with_extension(file: &Path, ext: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".");
    name.push(ext);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn both_copies_decompress_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.js");
        let text = "export const x = 1;\n".repeat(200);
        std::fs::write(&file, &text).unwrap();
        precompress(&file).unwrap();
        let mut back = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(dir.path().join("a.js.gz")).unwrap())
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, text);
        let br = std::fs::read(dir.path().join("a.js.br")).unwrap();
        assert!(br.len() < text.len() / 10);
        let mut back = Vec::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, text.as_bytes());
        // the copies are not listed as files to compress
        assert_eq!(files_under(dir.path()).unwrap(), vec![file]);
    }
}
