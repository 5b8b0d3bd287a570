//! Reading the Docker setup the way Docker would, without Docker: the compose
//! files (with `${NAME:-default}` interpolation and override merging), the
//! Dockerfile's COPY lines, `.env.example`, and which environment variables
//! each service's source reads.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

#[path = "support/compose_file.rs"]
mod compose_file;
#[path = "support/image.rs"]
mod image;
#[path = "support/source_scan.rs"]
mod source_scan;

pub use compose_file::*;
pub use image::*;
pub use source_scan::*;

/// The repository root (e2e's parent).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("e2e is inside the workspace").to_owned()
}

pub fn read(relative: &str) -> String {
    let path = root().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The three services: Compose service name, binary name and crate folder
/// are all the same.
pub const SERVICES: [&str; 3] = ["provider", "client", "todo-api"];

/// Asserts that `file` gives `service` only variables it reads: any other
/// would be a setting that silently does nothing. Returns what it reads.
pub fn assert_given_only_what_it_reads(file: &str, compose: &Compose, service: &str) -> BTreeSet<String> {
    let reads = variables_read_by(service);
    let set: BTreeSet<String> = compose.service(service).environment.keys().cloned().collect();
    let stray: Vec<_> = set.difference(&reads).collect();
    assert!(stray.is_empty(), "{file}: {service} is given {stray:?}, which it never reads (it reads {reads:?})");
    reads
}

// ---------------------------------------------------------------------------
// Small URL helpers
// ---------------------------------------------------------------------------

/// (host, port) of an http URL, with the scheme's port when none is written.
pub fn host_port(url: &str) -> (String, u16) {
    let parsed = url::Url::parse(url).unwrap_or_else(|e| panic!("{url:?} is not a URL: {e}"));
    (parsed.host_str().expect("a host").to_owned(), parsed.port_or_known_default().expect("a port"))
}

/// The port of a `host:port` bind address.
pub fn addr_port(addr: &str) -> u16 {
    addr.rsplit_once(':').and_then(|(_, p)| p.parse().ok()).unwrap_or_else(|| panic!("{addr:?} is not host:port"))
}

/// A Compose port mapping `[ip:]host:container[/proto]` → (ip, host, container).
pub fn port_mapping(spec: &str) -> (Option<String>, u16, u16) {
    let spec = spec.split('/').next().unwrap();
    let parts: Vec<&str> = spec.split(':').collect();
    let port = |p: &str| p.parse::<u16>().unwrap_or_else(|_| panic!("{spec:?}: {p:?} is not a port"));
    match parts.as_slice() {
        [host, container] => (None, port(host), port(container)),
        [ip, host, container] => (Some((*ip).to_owned()), port(host), port(container)),
        _ => panic!("{spec:?}: expected [ip:]host:container"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_mappings_are_read() {
        assert_eq!(port_mapping("127.0.0.1:8080:8080/tcp"), (Some("127.0.0.1".into()), 8080, 8080));
        assert_eq!(port_mapping("3000:3000"), (None, 3000, 3000));
    }
}
