//! The Dockerfile: its instructions, the runtime stage and what it copies
//! into the image.

use std::path::Path;

use super::read;

// ---------------------------------------------------------------------------
// Dockerfile
// ---------------------------------------------------------------------------

/// The Dockerfile with continuation lines joined, one instruction per entry.
pub fn dockerfile_instructions() -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in read("Dockerfile").lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && current.is_empty()) {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(part) => {
                current.push_str(part);
                current.push(' ');
            }
            None => {
                current.push_str(trimmed);
                out.push(std::mem::take(&mut current));
            }
        }
    }
    out
}

/// The instructions of the last stage (the image that runs).
pub fn runtime_stage() -> Vec<String> {
    let all = dockerfile_instructions();
    let last_from = all.iter().rposition(|i| i.starts_with("FROM ")).expect("a FROM");
    all[last_from..].to_vec()
}

/// `COPY [--flags] src… dest` of the runtime stage from the build context
/// (not `--from=`): (source in the repository, destination in the image).
pub fn runtime_copies_from_context() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for instruction in runtime_stage() {
        let Some(args) = instruction.strip_prefix("COPY ") else { continue };
        let words: Vec<&str> = args.split_whitespace().collect();
        if words.iter().any(|w| w.starts_with("--from")) {
            continue;
        }
        let words: Vec<&str> = words.into_iter().filter(|w| !w.starts_with("--")).collect();
        let (dest, sources) = words.split_last().expect("COPY src dest");
        for source in sources {
            let dest = if dest.ends_with('/') {
                format!("{dest}{}", Path::new(source).file_name().unwrap().to_string_lossy())
            } else {
                (*dest).to_owned()
            };
            out.push(((*source).to_owned(), dest));
        }
    }
    out
}
