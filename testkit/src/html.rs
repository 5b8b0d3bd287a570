//! Reading the HTML pages the services render, as a browser would: the
//! forms they contain and the values of their inputs.
//!
//! The services render with minijinja's HTML autoescaping, so an attribute
//! value comes back escaped; [`unescape`] undoes exactly that escaping
//! (`shared::html`, which the attack lab's browser reads pages with too).

use shared::html::attribute;
pub use shared::html::{input_value, unescape};

/// A `<form>` of a page: where it goes and the `name`/`value` pairs of its
/// inputs, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub method: String,
    pub action: String,
    pub fields: Vec<(String, String)>,
}

impl Form {
    /// The value of the input named `name`, if the form has one.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// The first `<form …>…</form>` of a page, if there is one.
pub fn first_form(html: &str) -> Option<Form> {
    let start = html.find("<form")?;
    let rest = &html[start..];
    let tag_end = rest.find('>')?;
    let tag = &rest[..tag_end];
    let body = &rest[tag_end..rest.find("</form>").unwrap_or(rest.len())];
    let fields = body
        .split("<input")
        .skip(1)
        .filter_map(|input| {
            let tag = &input[..input.find('>')?];
            Some((attribute(tag, "name")?, attribute(tag, "value").unwrap_or_default()))
        })
        .collect();
    Some(Form {
        method: attribute(tag, "method").unwrap_or_else(|| "get".to_owned()).to_ascii_lowercase(),
        action: attribute(tag, "action").unwrap_or_default(),
        fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<p>x</p><form method="post" action="http:&#x2f;&#x2f;op&#x2f;logout?a=1&amp;b=2" data-x>
    <input type="hidden" name="id_token_hint" value="a.b.c">
    <input type="hidden" name="note" value="&lt;tom &amp; jerry&gt;">
    <input type="checkbox" name="empty">
    <button type="submit">Go</button></form><input name="outside" value="o">"#;

    #[test]
    fn reads_the_first_form_its_target_and_its_inputs() {
        let form = first_form(PAGE).expect("a form");
        assert_eq!(form.method, "post");
        assert_eq!(form.action, "http://op/logout?a=1&b=2");
        assert_eq!(form.field("id_token_hint"), Some("a.b.c"));
        assert_eq!(form.field("note"), Some("<tom & jerry>"));
        assert_eq!(form.field("empty"), Some(""));
        assert_eq!(form.field("outside"), None, "inputs after </form> belong to no form");
    }

    #[test]
    fn finds_an_input_anywhere_and_only_by_its_exact_name() {
        assert_eq!(input_value(PAGE, "outside").as_deref(), Some("o"));
        assert_eq!(input_value(PAGE, "id_token").as_deref(), None);
        assert_eq!(first_form("<p>no form</p>"), None);
    }
}
