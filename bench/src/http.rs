//! A deliberately small HTTP/1.1 client for the load generator.
//!
//! One keep-alive connection per worker, one request in flight on it, no
//! pool, no redirects, no TLS: the least client-side work per request, so
//! that on a 2-core machine the load generator takes as little CPU as
//! possible away from the server it measures. It understands exactly what
//! the services send back: `Content-Length` bodies, chunked bodies, and
//! `Connection: close`.

use std::net::SocketAddr;

use cookie::Cookie;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A parsed response. Header names are lower-cased.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers.iter().filter(move |(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A short description for error messages (status and the start of the body).
    pub fn describe(&self) -> String {
        let text = self.text();
        let cut: String = text.chars().take(200).collect();
        format!("HTTP {} {}", self.status, cut)
    }
}

/// One keep-alive connection to one server.
pub struct Conn {
    addr: SocketAddr,
    stream: Option<TcpStream>,
    buf: Vec<u8>,
    request: Vec<u8>,
}

impl Conn {
    pub fn new(addr: SocketAddr) -> Self {
        Self { addr, stream: None, buf: Vec::with_capacity(16 * 1024), request: Vec::with_capacity(1024) }
    }

    /// Sends one request and reads the whole response. `headers` are extra
    /// request headers; a body is sent with `Content-Length`.
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<Response> {
        self.request.clear();
        let r = &mut self.request;
        r.extend_from_slice(method.as_bytes());
        r.push(b' ');
        r.extend_from_slice(path.as_bytes());
        r.extend_from_slice(b" HTTP/1.1\r\nhost: ");
        r.extend_from_slice(self.addr.to_string().as_bytes());
        r.extend_from_slice(b"\r\n");
        for (name, value) in headers {
            r.extend_from_slice(name.as_bytes());
            r.extend_from_slice(b": ");
            r.extend_from_slice(value.as_bytes());
            r.extend_from_slice(b"\r\n");
        }
        if !body.is_empty() || method == "POST" {
            r.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
        }
        r.extend_from_slice(b"\r\n");
        r.extend_from_slice(body);

        // A kept-alive connection the server has meanwhile closed fails on
        // the first write or read: reconnect once and resend.
        let reused = self.stream.is_some();
        match self.round_trip().await {
            Ok(response) => Ok(response),
            Err(_) if reused => {
                self.stream = None;
                self.round_trip().await
            }
            Err(e) => Err(e),
        }
    }

    async fn round_trip(&mut self) -> std::io::Result<Response> {
        if self.stream.is_none() {
            let stream = TcpStream::connect(self.addr).await?;
            stream.set_nodelay(true)?;
            self.stream = Some(stream);
            self.buf.clear();
        }
        let result = self.exchange().await;
        if result.is_err() {
            self.stream = None;
        }
        result
    }

    async fn exchange(&mut self) -> std::io::Result<Response> {
        let stream = self.stream.as_mut().ok_or_else(|| bad("no connection"))?;
        stream.write_all(&self.request).await?;

        // The head: everything up to the blank line.
        let head_end = loop {
            if let Some(pos) = find(&self.buf, b"\r\n\r\n") {
                break pos + 4;
            }
            if read_more(stream, &mut self.buf).await? == 0 {
                return Err(bad("connection closed before the response head"));
            }
        };
        let head = std::str::from_utf8(&self.buf[..head_end]).map_err(|_| bad("response head is not UTF-8"))?;
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let status: u16 =
            status_line.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| bad("bad status line"))?;
        let mut headers = Vec::new();
        for line in lines.filter(|l| !l.is_empty()) {
            if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
            }
        }
        self.buf.drain(..head_end);
        let get = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
        let close = get("connection").is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let chunked = get("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
        let length: Option<usize> = get("content-length").and_then(|v| v.parse().ok());

        let body = if status == 204 || status == 304 || (100..200).contains(&status) {
            Vec::new()
        } else if chunked {
            read_chunked(stream, &mut self.buf).await?
        } else if let Some(length) = length {
            while self.buf.len() < length {
                if read_more(stream, &mut self.buf).await? == 0 {
                    return Err(bad("connection closed inside the body"));
                }
            }
            self.buf.drain(..length).collect()
        } else {
            // No length: the body runs to the end of the connection.
            while read_more(stream, &mut self.buf).await? > 0 {}
            self.stream = None;
            std::mem::take(&mut self.buf)
        };
        if close {
            self.stream = None;
        }
        Ok(Response { status, headers, body })
    }
}

async fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut chunk = [0u8; 8192];
    let n = stream.read(&mut chunk).await?;
    buf.extend_from_slice(&chunk[..n]);
    Ok(n)
}

async fn read_chunked(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = loop {
            if let Some(pos) = find(buf, b"\r\n") {
                break pos;
            }
            if read_more(stream, buf).await? == 0 {
                return Err(bad("connection closed inside a chunk header"));
            }
        };
        let size_text = std::str::from_utf8(&buf[..line_end]).map_err(|_| bad("bad chunk size"))?;
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| bad("bad chunk size"))?;
        buf.drain(..line_end + 2);
        if size == 0 {
            // Trailers (none expected) end with a blank line.
            loop {
                if let Some(pos) = find(buf, b"\r\n") {
                    let empty = pos == 0;
                    buf.drain(..pos + 2);
                    if empty {
                        return Ok(body);
                    }
                    continue;
                }
                if read_more(stream, buf).await? == 0 {
                    return Ok(body);
                }
            }
        }
        while buf.len() < size + 2 {
            if read_more(stream, buf).await? == 0 {
                return Err(bad("connection closed inside a chunk"));
            }
        }
        body.extend_from_slice(&buf[..size]);
        buf.drain(..size + 2);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn bad(why: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, why.to_owned())
}

/// `application/x-www-form-urlencoded` of these pairs.
pub fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

/// A browser's cookie jar for one origin, reduced to what the flows need.
#[derive(Default, Clone)]
pub struct Cookies(Vec<(String, String)>);

impl Cookies {
    /// Applies the response's `Set-Cookie` headers (RFC 6265 §5.3): a
    /// cookie replaces the one of the same name; an empty one, or one whose
    /// `Max-Age` is zero or less, removes it.
    pub fn update(&mut self, response: &Response) {
        for header in response.headers_named("set-cookie") {
            let Ok(cookie) = Cookie::parse(header) else { continue };
            // The `cookie` crate reads a negative `Max-Age` as zero (RFC 6265 §5.2.2).
            let removed = cookie.value().is_empty() || cookie.max_age().is_some_and(|age| age.is_zero());
            self.0.retain(|(name, _)| name != cookie.name());
            if !removed {
                self.0.push((cookie.name().to_owned(), cookie.value().to_owned()));
            }
        }
    }

    /// The `Cookie` header value.
    pub fn header(&self) -> String {
        self.0.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("; ")
    }
}
