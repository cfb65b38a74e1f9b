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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified("a\n", "a\n", "x", "y"), "");
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
