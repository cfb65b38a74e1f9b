//! The project's docs overlay (`spec/docs.toml`) documents every operation,
//! parameter, response, schema and field of the fixed spec, and nothing
//! that is not there.

use spec_tests::{vendored_docs, vendored_spec};

#[test]
fn every_item_has_text_and_every_entry_documents_something() {
    let fixed = codegen::fixups::apply_all(&vendored_spec()).expect("the fixups apply");
    let (documented, stale) = codegen::documented(&fixed, &vendored_docs());
    assert!(
        stale.is_empty(),
        "entries of spec/docs.toml that document nothing (`cargo xtask codegen` sets them aside): {stale:?}"
    );
    let missing = codegen::overlay::undocumented(&documented);
    assert!(
        missing.is_empty(),
        "items without text in spec/docs.toml (`cargo xtask codegen` names them too): {missing:?}"
    );
}

#[test]
fn the_generated_client_carries_the_overlays_words() {
    let code = spec_tests::read(codegen::GENERATED_PATH);
    assert!(code.contains("Delete a version of an organization's package"));
    assert!(code.contains("The tags pointing at this image version; empty for untagged ones."));
}
