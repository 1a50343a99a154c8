//! The article's text as a page shows it: `body` and `analysis` are CommonMark (with tables and
//! strikethrough), rendered to sanitized HTML and to plain text, and counted.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Words a minute for `reading_time_minutes`: the average silent reading rate of non-fiction
/// in English measured across studies (Brysbaert, 2019).
pub const WORDS_PER_MINUTE: usize = 238;

fn parser(markdown: &str) -> Parser<'_> {
    Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
}

/// CommonMark rendered to HTML and sanitized by ammonia: no script, style, iframe, event
/// handler or `javascript:` URL survives, whether it came as raw HTML in the Markdown or as
/// a link target. Links get `rel="noopener noreferrer"`.
pub fn html(markdown: &str) -> String {
    let mut raw = String::with_capacity(markdown.len() * 5 / 4);
    pulldown_cmark::html::push_html(&mut raw, parser(markdown));
    ammonia::Builder::default().clean(&raw).to_string()
}

/// The words of CommonMark without markup: paragraphs, headings, list items, quotes, code
/// blocks and table rows end with a line break, table cells are separated by a tab, and raw
/// HTML is left out.
pub fn plaintext(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut in_html_block = false;
    for event in parser(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) if !in_html_block => out.push_str(&t),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Start(Tag::HtmlBlock) => in_html_block = true,
            Event::End(TagEnd::HtmlBlock) => in_html_block = false,
            Event::End(TagEnd::TableCell) => out.push('\t'),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableHead
                | TagEnd::TableRow,
            ) => {
                let trimmed = out.trim_end_matches([' ', '\t']).len();
                out.truncate(trimmed);
                out.push('\n');
            }
            _ => {}
        }
    }
    out.trim().to_owned()
}

/// How many words a text has.
pub fn words(plain: &str) -> usize {
    plain.split_whitespace().count()
}

/// Minutes to read `words` words, rounded up; 0 for no words.
pub fn reading_minutes(words: usize) -> usize {
    words.div_ceil(WORDS_PER_MINUTE)
}

/// The two Markdown fields of an article in one rendering.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Rendered {
    /// `body` in this rendering; `null` when the article has no body.
    #[schema(required = true)]
    pub body: Option<String>,
    /// `analysis` in this rendering; `null` when the article has no analysis.
    #[schema(required = true)]
    pub analysis: Option<String>,
}

impl Rendered {
    /// Renders both fields with `render`.
    pub fn of(body: Option<&str>, analysis: Option<&str>, render: fn(&str) -> String) -> Self {
        Self {
            body: body.map(render),
            analysis: analysis.map(render),
        }
    }

    /// Words in both fields.
    pub fn words(&self) -> usize {
        [&self.body, &self.analysis]
            .into_iter()
            .flatten()
            .map(|t| words(t))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_emphasis_strikethrough_and_links_are_kept() {
        let out = html("*a* **b** ~~c~~ [d](https://example.com/x)\n\n| h |\n|---|\n| v |\n");
        for needle in [
            "<em>a</em>",
            "<strong>b</strong>",
            "<del>c</del>",
            "<a href=\"https://example.com/x\" rel=\"noopener noreferrer\">d</a>",
            "<table>",
            "<th>h</th>",
            "<td>v</td>",
        ] {
            assert!(out.contains(needle), "{needle} missing from {out}");
        }
    }

    #[test]
    fn hostile_markup_is_removed() {
        // Cases after the OWASP XSS filter evasion cheat sheet: raw HTML, event handlers,
        // javascript: URLs in Markdown and HTML links, encoded and mixed-case schemes, SVG and
        // style payloads.
        let hostile = [
            "<script>alert(1)</script>",
            "<SCRIPT SRC=https://evil.example/xss.js></SCRIPT>",
            "<img src=x onerror=alert(1)>",
            "<IMG SRC=\"javascript:alert('XSS');\">",
            "<a href=\"javascript:alert(1)\">x</a>",
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "[x](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
            "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
            "<svg/onload=alert(1)>",
            "<body onload=alert(1)>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<style>body{background:url(javascript:alert(1))}</style>",
            "<div style=\"background-image: url(javascript:alert(1))\">x</div>",
            "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
            "<object data=\"javascript:alert(1)\"></object>",
            "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
            "<form action=\"javascript:alert(1)\"><button>x</button></form>",
            "<details open ontoggle=alert(1)>",
            "<<script>script>alert(1)<</script>/script>",
        ];
        for input in hostile {
            let out = html(input).to_ascii_lowercase();
            // Markup is what sits between `<` and `>`: text keeps its `<` escaped as `&lt;`,
            // so a payload shown as text is harmless and not looked at.
            let tags: Vec<&str> = out
                .split('<')
                .skip(1)
                .filter_map(|rest| rest.split_once('>').map(|(tag, _)| tag))
                .collect();
            for tag in &tags {
                let name = tag.split([' ', '/']).next().unwrap_or_default();
                assert!(
                    ["p", "a", "img", "div", "details", "math", "mi", "button", ""].contains(&name),
                    "{input:?} gave {out:?}, which has a <{name}> tag"
                );
                for bad in [
                    "javascript:",
                    "onerror",
                    "onload",
                    "ontoggle",
                    "style=",
                    "data:text",
                    "xlink",
                ] {
                    assert!(
                        !tag.contains(bad),
                        "{input:?} gave {out:?}, which has {bad}"
                    );
                }
            }
        }
    }

    #[test]
    fn plaintext_has_no_markup() {
        let md = "# Title\n\nSome *emphasis* and `code` and <b>raw</b>.\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<div>block html</div>\n";
        let out = plaintext(md);
        assert_eq!(
            out,
            "Title\nSome emphasis and code and raw.\none\ntwo\na\tb\n1\t2"
        );
        assert!(!out.contains(['<', '>', '*', '`', '#', '|']));
    }

    #[test]
    fn reading_time_rounds_up() {
        assert_eq!(reading_minutes(0), 0);
        assert_eq!(reading_minutes(1), 1);
        assert_eq!(reading_minutes(WORDS_PER_MINUTE), 1);
        assert_eq!(reading_minutes(WORDS_PER_MINUTE + 1), 2);
        assert_eq!(words("  one two\nthree\t"), 3);
    }
}
