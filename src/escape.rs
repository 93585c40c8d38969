//! Escaping of untrusted strings (benchmark names, tags, file names) for each place they are shown.

/// For the terminal: control characters (including ESC, which starts ANSI sequences) and the invisible
/// direction marks and overrides that can make text display in a different order (U+202E and kin)
/// become `\u{..}`.
pub fn terminal(s: &str) -> String {
    let mut out = terminal_chars(s);
    // The Actions runner reads any stdout line whose trimmed start is `::` as a workflow command, and
    // table rows start with a name; a zero-width space (not whitespace to the runner) defuses it.
    let lead = out.len() - out.trim_start().len();
    if out[lead..].starts_with("::") {
        out.insert(lead, '\u{200B}');
    }
    out
}

fn terminal_chars(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() || is_bidi_control(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// Unicode bidirectional formatting characters (Trojan Source, CVE-2021-42574).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// For a GitHub-flavoured markdown table cell, as an inline code span: no mentions, no HTML, no links,
/// no breaking the table and no closing an HTML comment, whatever the name holds.
pub fn markdown_code(s: &str) -> String {
    let cleaned: String = terminal(s)
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    // A pipe ends the table cell even inside a code span; GitHub honours `\|` there.
    let cleaned = cleaned.replace('|', "\\|");
    // `-->` would close perfgate's hidden marker comment if the body were ever placed in one.
    let cleaned = cleaned.replace("-->", "--\u{200B}>");
    // The fence must be longer than any run of backticks inside the name.
    let longest = cleaned.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if cleaned.starts_with('`') || cleaned.ends_with('`') {
        " "
    } else {
        ""
    };
    if cleaned.is_empty() {
        return "` `".to_string();
    }
    format!("{fence}{pad}{cleaned}{pad}{fence}")
}

/// For markdown prose outside code spans: neutralises markup characters, mentions and HTML.
pub fn markdown_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in terminal(s).chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            // A zero-width joiner after '@' stops GitHub from notifying a user or team.
            '@' => out.push_str("@\u{200D}"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// For XML text and attribute values: the five entities, line breaks and tabs as character references
/// (so attributes keep them), and characters XML 1.0 cannot hold shown as `\u{..}`.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            // As references: the parsed name stays exact, the raw file cannot reorder a viewer's text.
            c if is_bidi_control(c) => out.push_str(&format!("&#x{:X};", u32::from(c))),
            c if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {
                out.push_str(&c.escape_unicode().to_string())
            }
            c => out.push(c),
        }
    }
    out
}

/// For the message of a GitHub Actions workflow command (`::error::MESSAGE`): `%`, CR and LF are
/// percent-encoded as the runner expects, and `::` is broken up so no untrusted name looks like a command.
pub fn workflow_data(s: &str) -> String {
    terminal_keep_newlines(s)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
        .replace("::", ":\u{200B}:")
}

/// For a property value of a workflow command (`title=VALUE`): as [`workflow_data`], plus `:` and `,`.
pub fn workflow_property(s: &str) -> String {
    terminal_keep_newlines(s)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
        .replace(':', "%3A")
        .replace(',', "%2C")
}

/// [`terminal`], except that CR and LF survive (to be encoded by the caller).
fn terminal_keep_newlines(s: &str) -> String {
    s.split_inclusive(['\n', '\r'])
        .map(|part| {
            let (body, end) = match part.char_indices().last() {
                Some((i, c)) if c == '\n' || c == '\r' => (&part[..i], &part[i..]),
                _ => (part, ""),
            };
            format!("{}{end}", terminal_chars(body))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_strips_escape_sequences() {
        assert_eq!(terminal("a\u{1b}[31mred"), "a\\u{1b}[31mred");
        assert_eq!(terminal("plain µs"), "plain µs");
        assert_eq!(terminal("a\u{202e}b\u{2066}c"), "a\\u{202e}b\\u{2066}c");
        assert_eq!(terminal("x\ry"), "x\\u{d}y");
        assert_eq!(terminal("  ::error::x"), "  \u{200B}::error::x");
        assert_eq!(terminal("ns::bench"), "ns::bench");
    }

    #[test]
    fn markdown_code_survives_hostile_names() {
        let s = markdown_code("@org/team <img src=x> | `x` -->");
        assert!(s.starts_with("``") && s.ends_with("``"), "{s}");
        assert!(!s.contains(" | "), "pipe escaped: {s}");
        assert!(!s.contains("-->"), "{s}");
        assert_eq!(markdown_code("plain"), "`plain`");
        assert_eq!(markdown_code("`x`"), "`` `x` ``");
    }

    #[test]
    fn markdown_text_neutralises_mentions_and_html() {
        let s = markdown_text("@org <b>x</b>");
        assert!(!s.contains("@o"));
        assert!(!s.contains('<'));
    }

    #[test]
    fn xml_escapes_markup_and_control_characters() {
        assert_eq!(xml("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
        assert_eq!(xml("x\u{1b}y\n"), "x\\u{1b}y&#10;");
    }

    #[test]
    fn workflow_commands_cannot_be_injected() {
        let s = workflow_data("50%\r\n::error::pwned");
        assert_eq!(s, "50%25%0D%0A:\u{200B}:error:\u{200B}:pwned");
        assert_eq!(workflow_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
