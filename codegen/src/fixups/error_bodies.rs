use serde_json::Value;

use crate::json::deref;

/// Gives an operation's body-less error responses the body its other error
/// responses declare.
///
/// The list operations answer `400` (`package_es_list_error`: `per_page`
/// times `page` above 10000) with no declared body, while their `401`/`403`
/// declare `basic-error`. progenitor 0.15 supports one error type per
/// operation and panics (`assertion failed: response_types.len() <= 1`) on
/// the mix. GitHub sends its usual `{"message", "documentation_url"}` body
/// with a 400 too, so the body-less answer borrows its siblings' body.
///
/// Only error responses (`4XX`, `5XX` and `default`) are touched, and only
/// when every error response that has a body agrees on it.
pub fn uniform_error_bodies(document: &mut Value) -> Result<(), String> {
    let snapshot = document.clone();
    let Some(Value::Object(paths)) = document.get_mut("paths") else {
        return Ok(());
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            if !crate::spec::METHODS.contains(&method.as_str()) {
                continue;
            }
            let Some(Value::Object(responses)) = operation.get_mut("responses") else {
                continue;
            };
            let errors: Vec<String> = responses
                .keys()
                .filter(|status| is_error_status(status))
                .cloned()
                .collect();
            let mut bodies: Vec<Value> = Vec::new();
            let mut bodiless: Vec<String> = Vec::new();
            for status in &errors {
                let response = deref(&snapshot, &responses[status]);
                match response.get("content") {
                    Some(content) if !bodies.contains(content) => bodies.push(content.clone()),
                    Some(_) => {}
                    None => bodiless.push(status.clone()),
                }
            }
            match bodies.as_slice() {
                [] => {}
                [body] => {
                    for status in bodiless {
                        let mut inline = deref(&snapshot, &responses[&status]).clone();
                        inline["content"] = body.clone();
                        responses.insert(status, inline);
                    }
                }
                _ if bodiless.is_empty() => {}
                _ => {
                    return Err(format!(
                        "{method} {path} declares {} different error bodies and a body-less error; \
                         there is no single body to borrow",
                        bodies.len()
                    ));
                }
            }
        }
    }
    Ok(())
}

fn is_error_status(status: &str) -> bool {
    status == "default" || status.starts_with('4') || status.starts_with('5')
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::fixups::testing::{fixed, fixed_except, generate, generate_err, vendored};

    #[test]
    fn the_vendored_list_operations_mix_error_bodies() {
        let spec = vendored();
        let list = spec
            .operations()
            .into_iter()
            .find(|op| op.id() == "packages/list-packages-for-organization")
            .unwrap();
        let bad_request = deref(spec.value(), &list.value["responses"]["400"]);
        assert!(bad_request.get("content").is_none());
        let forbidden = deref(spec.value(), &list.value["responses"]["403"]);
        assert!(forbidden.get("content").is_some());
    }

    #[test]
    fn without_the_fixup_progenitor_panics() {
        let err = generate_err(&fixed_except("uniform_error_bodies"));
        assert!(err.contains("response_types.len() <= 1"), "{err}");
    }

    #[test]
    fn after_the_fixup_the_400_carries_basic_error_and_generation_succeeds() {
        let document = fixed();
        let list = &document["paths"]["/orgs/{org}/packages"]["get"]["responses"]["400"];
        assert_eq!(
            list["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/basic-error"
        );
        let code = generate(&document).unwrap();
        assert!(
            code.contains("400u16 => Err(Error::ErrorResponse("),
            "missing 400 arm"
        );
    }

    #[test]
    fn conflicting_bodies_with_a_bodiless_error_are_reported() {
        let mut document = json!({"paths": {"/x": {"get": {"responses": {
            "200": {"description": "ok"},
            "400": {"description": "bad"},
            "401": {"description": "a", "content": {"application/json": {"schema": {"type": "string"}}}},
            "403": {"description": "b", "content": {"application/json": {"schema": {"type": "integer"}}}}
        }}}}});
        let err = uniform_error_bodies(&mut document).unwrap_err();
        assert!(
            err.starts_with("get /x declares 2 different error bodies"),
            "{err}"
        );
    }
}
