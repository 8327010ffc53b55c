//! Content-hashed file names, so the server can let browsers keep `/pkg`
//! files for a year: `shipshape.js` becomes `shipshape.<hash>.js`, the hash
//! being MD5 in unpadded URL-safe base64 (22 characters, as cargo-leptos
//! writes them, which leptos reads back from `hash.txt`).
//!
//! A name must change whenever the file's bytes do, including bytes that
//! are other files' names. The chunks and the style sheet name nothing and
//! are hashed as they are; the manifest names chunks and is hashed after
//! they are renamed. The main JS and the split loader name each other, so
//! each is named by the pair's content; the main wasm names the loader and
//! is hashed last.

use crate::error::{io, Result, SiteError};
use crate::split::{LOADER, MANIFEST};
use base64::Engine;
use md5::{Digest, Md5};
use std::path::Path;

/// The hashes leptos needs, written to `hash.txt` beside the server binary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hashes {
    pub js: String,
    pub wasm: String,
    pub css: String,
    /// With a split build: the manifest's and the loader's.
    pub split: Option<(String, String)>,
}

impl Hashes {
    /// `hash.txt` as leptos reads it.
    pub fn file_text(&self) -> String {
        let mut t = format!("js: {}\nwasm: {}\ncss: {}\n", self.js, self.wasm, self.css);
        if let Some((manifest, loader)) = &self.split {
            t.push_str(&format!("manifest: {manifest}\nsplit: {loader}\n"));
        }
        t
    }
}

fn digest(parts: &[&[u8]]) -> String {
    let mut md5 = Md5::new();
    for p in parts {
        md5.update(p);
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(md5.finalize())
}

/// Where a hash goes in a name made before hashing (a hash's length).
const PLACEHOLDER: &str = "______________________";

/// `stem.hash.ext`, or the placeholder replaced by the hash.
fn hashed_name(name: &str, hash: &str) -> String {
    if name.contains(PLACEHOLDER) {
        return name.replace(PLACEHOLDER, hash);
    }
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
        None => format!("{name}.{hash}"),
    }
}

/// Renames every file directly in `pkg` (subdirectories, such as
/// wasm-bindgen's snippets, are left as the wasm names them) and rewrites
/// the names inside the files that hold them. `name` is the main JS, wasm
/// and CSS file's stem.
pub fn name_by_content(pkg: &Path, name: &str) -> Result<Hashes> {
    let (js, wasm, css) = (
        format!("{name}.js"),
        format!("{name}.wasm"),
        format!("{name}.css"),
    );
    let mut files = Vec::new();
    for entry in std::fs::read_dir(pkg).map_err(io("listing", pkg))? {
        let entry = entry.map_err(io("listing", pkg))?;
        if entry
            .file_type()
            .map_err(io("reading", &entry.path()))?
            .is_file()
        {
            files.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    for needed in [&js, &wasm, &css] {
        if !files.contains(needed) {
            return Err(SiteError::Content {
                path: pkg.join(needed),
                message: "missing after the build".into(),
            });
        }
    }
    let split = files.iter().any(|f| f == LOADER);
    let read = |f: &str| std::fs::read(pkg.join(f)).map_err(io("reading", &pkg.join(f)));
    let rename = |from: &str, to: &str| {
        std::fs::rename(pkg.join(from), pkg.join(to)).map_err(io("renaming", &pkg.join(from)))
    };
    let write = |f: &str, bytes: &[u8]| {
        std::fs::write(pkg.join(f), bytes).map_err(io("writing", &pkg.join(f)))
    };

    // 1. Files that name no other: hashed as they are.
    let mut renamed: Vec<(String, String)> = Vec::new();
    for f in files
        .iter()
        .filter(|f| ![&js, &wasm, LOADER, MANIFEST].contains(&f.as_str()))
    {
        let new = hashed_name(f, &digest(&[&read(f)?]));
        rename(f, &new)?;
        renamed.push((f.clone(), new));
    }
    let hash_of = |new: &str| new.rsplit('.').nth(1).unwrap_or_default().to_string();
    let css_hash = renamed
        .iter()
        .find(|(old, _)| *old == css)
        .map(|(_, new)| hash_of(new))
        .unwrap_or_default();

    // 2. The manifest: a route's chunks by stem.
    let manifest_hash = if split {
        let text = read(MANIFEST)?;
        let mut m: serde_json::Value =
            serde_json::from_slice(&text).map_err(|e| SiteError::Content {
                path: pkg.join(MANIFEST),
                message: e.to_string(),
            })?;
        rename_stems(&mut m, &renamed);
        let text = m.to_string();
        let hash = digest(&[text.as_bytes()]);
        write(MANIFEST, text.as_bytes())?;
        rename(MANIFEST, &hashed_name(MANIFEST, &hash))?;
        Some(hash)
    } else {
        None
    };

    // 3. The main JS and the loader: each other's names, the loader also
    // the chunks'.
    let mut js_text = text_of(&read(&js)?, &pkg.join(&js))?;
    rewrite(&mut js_text, &renamed);
    let (js_hash, loader_hash) = if split {
        let mut loader_text = text_of(&read(LOADER)?, &pkg.join(LOADER))?;
        rewrite(&mut loader_text, &renamed);
        let js_hash = digest(&[js_text.as_bytes(), loader_text.as_bytes()]);
        let loader_hash = digest(&[loader_text.as_bytes(), js_text.as_bytes()]);
        let new_js = hashed_name(&js, &js_hash);
        let new_loader = hashed_name(LOADER, &loader_hash);
        rewrite(&mut loader_text, &[(js.clone(), new_js)]);
        rewrite(&mut js_text, &[(LOADER.to_string(), new_loader.clone())]);
        write(LOADER, loader_text.as_bytes())?;
        rename(LOADER, &new_loader)?;
        (js_hash, Some((loader_hash, new_loader)))
    } else {
        (digest(&[js_text.as_bytes()]), None)
    };
    write(&js, js_text.as_bytes())?;
    rename(&js, &hashed_name(&js, &js_hash))?;

    // 4. The main wasm imports the loader by name: patched in place (the
    // placeholder is as long as a hash), then hashed.
    let mut bytes = read(&wasm)?;
    if let Some((_, new_loader)) = &loader_hash {
        replace_bytes(&mut bytes, LOADER.as_bytes(), new_loader.as_bytes());
    }
    let wasm_hash = digest(&[&bytes]);
    write(&wasm, &bytes)?;
    rename(&wasm, &hashed_name(&wasm, &wasm_hash))?;

    // Nothing may still name the loader by its placeholder: the splitter
    // could start writing it into another module one day.
    for entry in std::fs::read_dir(pkg).map_err(io("listing", pkg))? {
        let path = entry.map_err(io("listing", pkg))?.path();
        if path.is_file() {
            let bytes = std::fs::read(&path).map_err(io("reading", &path))?;
            if bytes
                .windows(PLACEHOLDER.len())
                .any(|w| w == PLACEHOLDER.as_bytes())
            {
                return Err(SiteError::Content {
                    path,
                    message: "still names a file by its unhashed placeholder".into(),
                });
            }
        }
    }

    Ok(Hashes {
        js: js_hash,
        wasm: wasm_hash,
        css: css_hash,
        split: manifest_hash.zip(loader_hash.map(|(h, _)| h)),
    })
}

fn text_of(bytes: &[u8], path: &Path) -> Result<String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| SiteError::Content {
        path: path.to_path_buf(),
        message: "not UTF-8".into(),
    })
}

/// Replaces each `./old` (how the modules name one another) by `./new`.
fn rewrite(text: &mut String, renamed: &[(String, String)]) {
    for (old, new) in renamed {
        let old = format!("./{old}");
        if text.contains(&old) {
            *text = text.replace(&old, &format!("./{new}"));
        }
    }
}

/// The manifest's values are file stems (`chunk_3`): renamed as their
/// `.wasm` files were.
fn rename_stems(v: &mut serde_json::Value, renamed: &[(String, String)]) {
    match v {
        serde_json::Value::String(s) => {
            let wasm = format!("{s}.wasm");
            if let Some((_, new)) = renamed.iter().find(|(old, _)| *old == wasm) {
                *s = new.trim_end_matches(".wasm").to_string();
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|i| rename_stems(i, renamed)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|i| rename_stems(i, renamed)),
        _ => {}
    }
}

/// Overwrites every occurrence of `from` with `to` (of the same length).
fn replace_bytes(bytes: &mut [u8], from: &[u8], to: &[u8]) {
    debug_assert_eq!(from.len(), to.len());
    let mut i = 0;
    while i + from.len() <= bytes.len() {
        if bytes[i..].starts_with(from) {
            bytes[i..i + from.len()].copy_from_slice(to);
            i += from.len();
        } else {
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// A split build as the splitter and wasm-bindgen leave it.
    fn split_pkg(dir: &Path, chunk: &str) {
        let w = |f: &str, b: &[u8]| std::fs::write(dir.join(f), b).unwrap();
        w(
            "app.js",
            format!("import * as l from \"./{LOADER}\";\nexport function initSync(){{}}")
                .as_bytes(),
        );
        w(LOADER, b"import { initSync } from \"./app.js\";\nfetch(new URL(\"./chunk_1.wasm\", import.meta.url)); new URL(\"./chunk_10.wasm\", import.meta.url);");
        w("app.wasm", format!("\0asm..{LOADER}..").as_bytes());
        w("app.css", b"body{}");
        w("chunk_1.wasm", chunk.as_bytes());
        w("chunk_10.wasm", b"ten");
        w(MANIFEST, br#"{"route":["chunk_1","chunk_10"]}"#);
    }

    fn listing(dir: &Path) -> BTreeMap<String, Vec<u8>> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap())
            .map(|e| {
                (
                    e.file_name().into_string().unwrap(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn every_name_is_hashed_and_every_reference_follows() {
        let dir = tempfile::tempdir().unwrap();
        split_pkg(dir.path(), "one");
        let h = name_by_content(dir.path(), "app").unwrap();
        let files = listing(dir.path());
        assert_eq!(files.len(), 7);
        let (manifest, loader) = h.split.clone().unwrap();
        for hash in [&h.js, &h.wasm, &h.css, &manifest, &loader] {
            assert_eq!(hash.len(), 22, "{hash}");
        }
        let js = String::from_utf8(files[&format!("app.{}.js", h.js)].clone()).unwrap();
        assert!(
            js.contains(&format!("\"./__wasm_split.{loader}.js\"")),
            "{js}"
        );
        let loader_text =
            String::from_utf8(files[&format!("__wasm_split.{loader}.js")].clone()).unwrap();
        assert!(
            loader_text.contains(&format!("\"./app.{}.js\"", h.js)),
            "{loader_text}"
        );
        let chunk1 = files.keys().find(|f| f.starts_with("chunk_1.")).unwrap();
        let chunk10 = files.keys().find(|f| f.starts_with("chunk_10.")).unwrap();
        assert!(
            loader_text.contains(&format!("\"./{chunk1}\""))
                && loader_text.contains(&format!("\"./{chunk10}\""))
        );
        let wasm = &files[&format!("app.{}.wasm", h.wasm)];
        assert!(String::from_utf8_lossy(wasm).contains(&format!("__wasm_split.{loader}.js")));
        let m: serde_json::Value =
            serde_json::from_slice(&files[&format!("__wasm_split_manifest.{manifest}.json")])
                .unwrap();
        assert_eq!(m["route"][0], chunk1.trim_end_matches(".wasm"));
        assert_eq!(m["route"][1], chunk10.trim_end_matches(".wasm"));
        for (name, bytes) in &files {
            assert!(
                !String::from_utf8_lossy(bytes).contains("______"),
                "{name} still names the placeholder"
            );
        }
        let text = h.file_text();
        assert!(text.starts_with(&format!(
            "js: {}\nwasm: {}\ncss: {}\nmanifest: {manifest}\nsplit: {loader}\n",
            h.js, h.wasm, h.css
        )));
    }

    #[test]
    fn a_changed_chunk_changes_the_names_of_the_files_that_name_it() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        split_pkg(a.path(), "one");
        split_pkg(b.path(), "uno");
        let (ha, hb) = (
            name_by_content(a.path(), "app").unwrap(),
            name_by_content(b.path(), "app").unwrap(),
        );
        assert_eq!(ha.css, hb.css, "untouched files keep their names");
        assert_ne!(
            ha.split.as_ref().unwrap().0,
            hb.split.as_ref().unwrap().0,
            "the manifest names the chunk"
        );
        assert_ne!(
            ha.split.as_ref().unwrap().1,
            hb.split.as_ref().unwrap().1,
            "the loader names the chunk"
        );
        assert_ne!(ha.js, hb.js, "the main JS names the loader");
        assert_ne!(ha.wasm, hb.wasm, "the main wasm names the loader");
        // and the same input gives the same names
        let c = tempfile::tempdir().unwrap();
        split_pkg(c.path(), "one");
        assert_eq!(name_by_content(c.path(), "app").unwrap(), ha);
    }

    #[test]
    fn a_build_without_split_hashes_the_three_files() {
        let dir = tempfile::tempdir().unwrap();
        for (f, b) in [("app.js", "js"), ("app.wasm", "wasm"), ("app.css", "css")] {
            std::fs::write(dir.path().join(f), b).unwrap();
        }
        let h = name_by_content(dir.path(), "app").unwrap();
        assert!(h.split.is_none());
        assert_eq!(h.file_text().lines().count(), 3);
        assert_eq!(listing(dir.path()).len(), 3);
    }

    #[test]
    fn a_module_left_naming_the_placeholder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        split_pkg(dir.path(), &format!("imports ./{LOADER}"));
        let e = name_by_content(dir.path(), "app").unwrap_err().to_string();
        assert!(e.contains("unhashed placeholder"), "{e}");
    }

    #[test]
    fn a_missing_main_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("app.js"), "js").unwrap();
        let e = name_by_content(dir.path(), "app").unwrap_err().to_string();
        assert!(e.contains("app.wasm: missing after the build"), "{e}");
    }
}
