//! Reading the pages the services render, as a browser reads them: an
//! input's value, with the HTML escaping of the templates undone.
//!
//! The services render with minijinja's HTML autoescaping, so an attribute
//! value comes back escaped; [`unescape`] undoes exactly that escaping. The
//! attack lab's browser reads the login and consent forms with these, and
//! so do the test suites (`testkit::html`).

/// The value of the input named `name` anywhere in a page.
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    html.match_indices("<input").find_map(|(at, _)| {
        let tag = &html[at..at + html[at..].find('>')?];
        tag.contains(&marker).then(|| attribute(tag, "value").unwrap_or_default())
    })
}

/// The unescaped value of the attribute `name="…"` in one tag.
pub fn attribute(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

/// Undoes minijinja's HTML escaping (exactly these six characters), as a
/// browser does for attribute values. `&amp;` comes last, so `&amp;lt;`
/// reads back as `&lt;`.
pub fn unescape(text: &str) -> String {
    text.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_input_is_found_by_its_exact_name_and_unescaped() {
        let page =
            r#"<input type="hidden" name="csrf_token" value="a&#x2f;b&amp;lt;&quot;&#x27;"><input name="x" value="o">"#;
        assert_eq!(input_value(page, "csrf_token").as_deref(), Some("a/b&lt;\"'"));
        assert_eq!(input_value(page, "x").as_deref(), Some("o"));
        assert_eq!(input_value(page, "csrf"), None);
    }
}
