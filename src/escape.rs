//! Escaping of untrusted strings (benchmark names, tags, file names) for each place they are shown.

/// For the terminal: control characters (including ESC, which starts ANSI sequences) and the invisible
/// direction marks and overrides that can make text display in a different order (U+202E and kin)
/// become `\u{..}`.
pub fn terminal(s: &str) -> String {
    defuse_commands(&terminal_chars(s))
}

/// Breaks up what the Actions runner would read as a workflow command: `::` at the trimmed start of a
/// line (the runner trims leading whitespace) and the older `##[command]` form, honoured anywhere in a
/// line (`##[error]`, `##[add-mask]`, `##[stop-commands]`). A zero-width space is not whitespace to the
/// runner, so it defuses both without changing what a reader sees.
fn defuse_commands(s: &str) -> String {
    let mut out = s.replace("##[", "#\u{200B}#[");
    let lead = out.len() - out.trim_start().len();
    if out[lead..].starts_with("::") {
        out.insert(lead, '\u{200B}');
    }
    out
}

/// The one filter every line perfgate writes to stdout or stderr for people goes through (tables,
/// headers, notes, errors): control characters and direction overrides escaped, workflow commands
/// defused. With `keep_sgr`, perfgate's own colour sequences (`ESC [ digits/; m`) pass; any other escape
/// sequence is still shown as text, so a name that slipped past cell escaping can at most change a colour.
/// `line` must not hold a line break (one is shown as `\u{a}`).
pub fn line(line: &str, keep_sgr: bool) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if keep_sgr && c == '\u{1b}' {
            if let Some(len) = sgr_len(rest) {
                out.push_str(&rest[..len]);
                rest = &rest[len..];
                continue;
            }
        }
        if c.is_control() || is_bidi_control(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    // Colour codes before the text do not hide `::` from the runner; look past them.
    let visible_start = if keep_sgr {
        let mut i = 0;
        while let Some(len) = sgr_len(&out[i..]) {
            i += len;
        }
        i
    } else {
        0
    };
    let (prefix, text) = out.split_at(visible_start);
    format!("{prefix}{}", defuse_commands(text))
}

/// Length of a Select Graphic Rendition sequence (`ESC [ 1;31 m`) at the start of `s`.
fn sgr_len(s: &str) -> Option<usize> {
    let body = s.strip_prefix("\u{1b}[")?;
    let digits = body
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b';')
        .count();
    (body.as_bytes().get(digits) == Some(&b'm')).then_some(2 + digits + 1)
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

/// For markdown prose outside code spans: neutralises markup characters, mentions and HTML, and
/// everything GitHub would turn into a link (see [`defuse_autolinks`]).
pub fn markdown_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in defuse_autolinks(&terminal(s)).chars() {
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

/// Breaks what GitHub links in prose with an invisible zero-width joiner, so untrusted text cannot put
/// a clickable URL or a reference in perfgate's comment: `http://` and `https://` (any `://`) and
/// `www.` (GFM's extended autolinks), `#12`, `owner/repo#12` and `GH-12` (issue references). Mentions
/// and e-mail addresses are broken at their `@` by [`markdown_text`].
fn defuse_autolinks(s: &str) -> String {
    const ZWJ: char = '\u{200D}';
    let mut out = String::with_capacity(s.len() + 8);
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        out.push(c);
        let next = |k: usize| chars.get(i + k).copied();
        let lower = |k: usize| next(k).map(|c| c.to_ascii_lowercase());
        let word_start = i == 0 || !chars[i - 1].is_alphanumeric();
        let split = match c {
            // `:` then `//`: the scheme of a URL.
            ':' => next(1) == Some('/') && next(2) == Some('/'),
            // `#` then a digit: an issue or pull request reference.
            '#' => next(1).is_some_and(|d| d.is_ascii_digit()),
            // `www.` at the start of a word.
            'w' | 'W' => {
                word_start && lower(1) == Some('w') && lower(2) == Some('w') && next(3) == Some('.')
            }
            // `GH-12`.
            'g' | 'G' => {
                word_start
                    && lower(1) == Some('h')
                    && next(2) == Some('-')
                    && next(3).is_some_and(|d| d.is_ascii_digit())
            }
            _ => false,
        };
        if split {
            out.push(ZWJ);
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

/// For a Prometheus string: an OpenMetrics label value or a PromQL string literal, which share the
/// escapes of backslash, double quote and newline.
pub fn prometheus_string(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
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
        .replace("##[", "#\u{200B}#[")
}

/// For a property value of a workflow command (`title=VALUE`): as [`workflow_data`], plus `:` and `,`.
pub fn workflow_property(s: &str) -> String {
    terminal_keep_newlines(s)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
        .replace(':', "%3A")
        .replace(',', "%2C")
        .replace("##[", "#\u{200B}#[")
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
    fn markdown_text_breaks_every_autolink() {
        let s = markdown_text(
            "see https://evil.example/login, WWW.evil.example, #12, o/r#3, gh-4, a@b.example",
        );
        for linked in ["://", "www.", "WWW.", "#12", "#3", "gh-4", "@b"] {
            assert!(!s.contains(linked), "{linked} in {s}");
        }
        // What a reader sees is unchanged, apart from the markdown escapes.
        assert_eq!(
            s.replace(['\u{200D}', '\\'], ""),
            "see https://evil.example/login, WWW.evil.example, #12, o/r#3, gh-4, a@b.example"
        );
        assert_eq!(markdown_text("ns::bench a:b"), "ns::bench a:b");
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
        assert!(!workflow_data("x ##[stop-commands]t").contains("##["));
        assert!(!workflow_property("##[add-mask]s").contains("##["));
    }

    #[test]
    fn old_style_commands_are_defused_anywhere() {
        for s in ["##[error]x", "bench ##[stop-commands]tok", "a##[add-mask]b"] {
            assert!(!terminal(s).contains("##["), "{s}");
            assert!(!markdown_code(s).contains("##["), "{s}");
            assert!(!line(s, false).contains("##["), "{s}");
        }
    }

    #[test]
    fn lines_keep_only_colour_sequences() {
        let red = "\u{1b}[31;1mFAIL\u{1b}[0m  x";
        assert_eq!(line(red, true), red);
        assert_eq!(line(red, false), "\\u{1b}[31;1mFAIL\\u{1b}[0m  x");
        // A title-setting OSC or a cursor move is shown as text even with colour on.
        assert_eq!(line("\u{1b}]0;t\u{7}", true), "\\u{1b}]0;t\\u{7}");
        assert_eq!(line("\u{1b}[2J", true), "\\u{1b}[2J");
        assert_eq!(line("   ::error::x", false), "   \u{200B}::error::x");
        assert_eq!(
            line("\u{1b}[31m::warning::x", true),
            "\u{1b}[31m\u{200B}::warning::x"
        );
        assert_eq!(line("a\tb", false), "a\\u{9}b");
    }
}
