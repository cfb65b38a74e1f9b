//! Readable differences between a checked-in file and its regenerated form.

/// A unified diff of `old` → `new`, with three lines of context, labelled with
/// `old_label` / `new_label`. Empty when the texts are equal.
pub fn unified(old: &str, new: &str, old_label: &str, new_label: &str) -> String {
    if old == new {
        return String::new();
    }
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_label, new_label)
        .to_string()
}

/// At most `lines` lines of `text`, then a line saying how many more there
/// are and `where_` they can be read; `text` itself when it is short.
pub fn excerpt(text: &str, lines: usize, where_: &str) -> String {
    let total = text.lines().count();
    if total <= lines {
        return text.to_owned();
    }
    let mut shown: String = text
        .lines()
        .take(lines)
        .map(|line| format!("{line}\n"))
        .collect();
    shown.push_str(&format!("… {} more lines; {where_}\n", total - lines));
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified("a\n", "a\n", "x", "y"), "");
    }

    #[test]
    fn excerpts_are_bounded_and_say_where_the_rest_is() {
        let text: String = (0..100).map(|i| format!("{i}\n")).collect();
        let shown = excerpt(&text, 3, "see x.diff");
        assert_eq!(shown, "0\n1\n2\n… 97 more lines; see x.diff\n");
        assert_eq!(excerpt("a\n", 3, "x"), "a\n");
    }

    #[test]
    fn a_changed_line_shows_both_sides() {
        let diff = unified("a\nb\nc\n", "a\nB\nc\n", "checked-in", "regenerated");
        assert!(
            diff.starts_with("--- checked-in\n+++ regenerated\n"),
            "{diff}"
        );
        assert!(diff.contains("\n-b\n+B\n"), "{diff}");
    }
}
