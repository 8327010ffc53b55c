//! The command line: every path has the repository's default, so the
//! release scripts name only what differs.

use crate::error::{Result, SiteError};
use std::path::PathBuf;

pub const USAGE: &str = "usage: shipshape-site [--stage | --swap] [--wasm FILE] [--site DIR] [--hash-file FILE] [--assets DIR] [--style FILE] [--name NAME] [--binaryen DIR] [--node PROGRAM] [--esbuild PROGRAM] [--jobs N]
  --wasm       the compiled wasm (default target/front/wasm32-unknown-unknown/wasm-release/shipshape_frontend.wasm)
  --site       the site directory the server serves (default target/site)
  --hash-file  where the hashed names are listed for the server (default target/release/hash.txt, beside the binary)
  --assets     files copied to the site's root as they are (default public)
  --style      the style sheet (default style/main.css)
  --name       the JS, wasm and CSS file names (default shipshape)
  --binaryen   binaryen's JS build, whose optimiser shrinks the wasm (default tools/node_modules/binaryen)
  --node       the JS runtime it runs on (default node)
  --esbuild    the JS and CSS minifier (default tools/node_modules/.bin/esbuild)
  --jobs       programs run at once (default: the machine's cores)
  --stage      build the site beside the served one (SITE.new, HASH-FILE.new) and stop
  --swap       only put a staged site and its names in place";

#[derive(Debug, Clone)]
pub struct Args {
    pub wasm: PathBuf,
    pub site: PathBuf,
    pub hash_file: PathBuf,
    pub assets: PathBuf,
    pub style: PathBuf,
    pub name: String,
    pub binaryen: PathBuf,
    pub node: PathBuf,
    pub esbuild: PathBuf,
    pub jobs: usize,
    /// Build beside the served site and stop.
    pub stage_only: bool,
    /// Only put a staged site in place.
    pub swap_only: bool,
}

impl Default for Args {
    fn default() -> Self {
        Args {
            wasm: "target/front/wasm32-unknown-unknown/wasm-release/shipshape_frontend.wasm".into(),
            site: "target/site".into(),
            hash_file: "target/release/hash.txt".into(),
            assets: "public".into(),
            style: "style/main.css".into(),
            name: "shipshape".into(),
            binaryen: "tools/node_modules/binaryen".into(),
            node: "node".into(),
            esbuild: "tools/node_modules/.bin/esbuild".into(),
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
            stage_only: false,
            swap_only: false,
        }
    }
}

impl Args {
    pub fn parse(mut words: impl Iterator<Item = String>) -> Result<Args> {
        let mut a = Args::default();
        while let Some(flag) = words.next() {
            match flag.as_str() {
                "--help" | "-h" => {
                    return Err(SiteError::Usage(
                        "shipshape-site builds the release site".into(),
                    ))
                }
                "--stage" => {
                    a.stage_only = true;
                    continue;
                }
                "--swap" => {
                    a.swap_only = true;
                    continue;
                }
                _ => {}
            }
            let value = words
                .next()
                .ok_or_else(|| SiteError::Usage(format!("{flag} needs a value")))?;
            match flag.as_str() {
                "--wasm" => a.wasm = value.into(),
                "--site" => a.site = value.into(),
                "--hash-file" => a.hash_file = value.into(),
                "--assets" => a.assets = value.into(),
                "--style" => a.style = value.into(),
                "--name" => a.name = value,
                "--binaryen" => a.binaryen = value.into(),
                "--node" => a.node = value.into(),
                "--esbuild" => a.esbuild = value.into(),
                "--jobs" => {
                    a.jobs = value
                        .parse::<usize>()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| {
                            SiteError::Usage(format!("--jobs {value}: not a positive number"))
                        })?
                }
                other => return Err(SiteError::Usage(format!("unknown option {other}"))),
            }
        }
        if a.stage_only && a.swap_only {
            return Err(SiteError::Usage(
                "--stage and --swap are two halves: give one".into(),
            ));
        }
        if a.name.is_empty() || a.name.contains(['/', '.']) {
            return Err(SiteError::Usage(format!(
                "--name {:?}: a plain file name is needed",
                a.name
            )));
        }
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(words: &[&str]) -> Result<Args> {
        Args::parse(words.iter().map(|w| w.to_string()))
    }

    #[test]
    fn defaults_are_the_repository_layout_and_flags_override_them() {
        let a = parse(&[]).unwrap();
        assert_eq!(a.site, PathBuf::from("target/site"));
        let a = parse(&["--site", "/tmp/s", "--jobs", "3"]).unwrap();
        assert_eq!(a.site, PathBuf::from("/tmp/s"));
        assert_eq!(a.jobs, 3);
        assert!(!a.stage_only && !a.swap_only);
        // The two halves the release script runs, each a flag without a value.
        let a = parse(&["--stage"]).unwrap();
        assert!(a.stage_only && !a.swap_only);
        let a = parse(&["--swap", "--site", "/tmp/s"]).unwrap();
        assert!(a.swap_only);
        assert_eq!(a.site, PathBuf::from("/tmp/s"));
    }

    #[test]
    fn bad_words_are_refused_with_the_usage() {
        for bad in [
            &["--site"][..],
            &["--colour", "red"],
            &["--jobs", "0"],
            &["--name", "a/b"],
        ] {
            let e = parse(bad).unwrap_err().to_string();
            assert!(e.contains("usage: shipshape-site"), "{bad:?}: {e}");
        }
    }
}
