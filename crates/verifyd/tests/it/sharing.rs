//! Share / import-shared between applications, and reviewer corrections (update-data).

use serde_json::{json, Value};

use crate::fixtures::{scrub, Api};
use crate::support::send;

const NOT_FINISHED: &str =
    "Only finished sessions (\"Approved\", \"Declined\", \"In Review\") can be shared.";

both_backends!(share_and_import, async fn body(backend) {
    let server = backend.start().await;
    let source = Api::create(&server, "source", "sandbox");
    let receiver = Api::create(&server, "receiver", "live");
    let source_wf = source.workflow().await;
    let receiver_wf = receiver.workflow().await;
    let approved = source.session(json!({"workflow_id": source_wf, "vendor_data": "shared-user", "sandbox_scenario": "approve"})).await;
    let approved_id = approved["session_id"].as_str().unwrap_or_default().to_owned();
    let pending = source.session(json!({"workflow_id": source_wf})).await;
    let share = |id: &str| format!("/v3/session/{id}/share/");
    let target = receiver.app_id();

    // Credentials: 401 on this endpoint, not 403.
    let (status, body) = send(server.post_json(&share(&approved_id), &json!({"for_application_id": target}))).await;
    assert_eq!((status, body), (401, json!({"detail": "Authentication credentials were not provided or are invalid."})));
    let (status, _) = send(server.post_json(&share(&approved_id), &json!({"for_application_id": target})).header("x-api-key", "wrong")).await;
    assert_eq!(status, 401);

    // Bad input.
    let (status, body) = source.post(&share(&approved_id), &json!({})).await;
    assert_eq!((status, body), (400, json!({"for_application_id": ["This field is required."]})));
    let (status, body) = source.post(&share(&approved_id), &json!({"for_application_id": target, "ttl_in_seconds": 30})).await;
    assert_eq!((status, body), (400, json!({"ttl_in_seconds": ["Ensure this value is greater than or equal to 60."]})));
    let (status, body) = source.post(&share(&approved_id), &json!({"for_application_id": target, "ttl_in_seconds": 90000})).await;
    assert_eq!((status, body), (400, json!({"ttl_in_seconds": ["Ensure this value is less than or equal to 86400."]})));
    let (status, body) = source.post(&share(&approved_id), &json!({"for_application_id": source.app_id()})).await;
    assert_eq!((status, body), (400, json!({"for_application_id": ["Cannot share a session with the same application."]})));
    let (status, body) = source.post(&share(&approved_id), &json!({"for_application_id": uuid::Uuid::new_v4()})).await;
    assert_eq!((status, body), (400, json!({"for_application_id": ["Target application does not exist."]})));
    let (status, body) = source
        .post(&share(pending["session_id"].as_str().unwrap_or_default()), &json!({"for_application_id": target}))
        .await;
    assert_eq!((status, body), (400, json!({"detail": [NOT_FINISHED]})));
    let (status, body) = receiver.post(&share(&approved_id), &json!({"for_application_id": source.app_id()})).await;
    assert_eq!((status, body), (404, json!({"detail": "Not found."})), "another tenant's session");

    // A token (seed 004's aliases work too).
    let (status, shared) = source.post(&share(&approved_id), &json!({"audience": target, "expires_in": 600})).await;
    assert_eq!(status, 200, "{shared}");
    let token = shared["share_token"].as_str().unwrap_or_default().to_owned();
    assert!(token.starts_with("eyJ") && token.split('.').count() == 3, "{token}");
    assert!(!token.contains(&approved_id), "claims are sealed");
    let mut shown = shared.clone();
    shown["share_token"] = json!("[token]");
    insta::assert_json_snapshot!("share_response", scrub(&shown));

    // Import: bad input, wrong receiver, wrong workflow.
    let import = "/v3/session/import-shared/";
    let (status, body) = receiver.post(import, &json!({})).await;
    assert_eq!((status, body), (400, json!({
        "share_token": ["This field is required."],
        "trust_review": ["This field is required."],
        "workflow_id": ["This field is required."],
    })));
    let (status, body) = receiver.post(import, &json!({"share_token": "eyJ.x.y", "trust_review": false, "workflow_id": receiver_wf})).await;
    assert_eq!((status, body), (400, json!({"share_token": ["Invalid share token."]})));
    let mut tampered = token.clone();
    tampered.push('x');
    let (status, body) = receiver.post(import, &json!({"share_token": tampered, "trust_review": false, "workflow_id": receiver_wf})).await;
    assert_eq!((status, body), (400, json!({"share_token": ["Invalid share token."]})));
    let third = Api::create(&server, "third", "live");
    let third_wf = third.workflow().await;
    let (status, body) = third.post(import, &json!({"share_token": token, "trust_review": false, "workflow_id": third_wf})).await;
    assert_eq!((status, body), (400, json!({"share_token": ["This token is not valid for this application."]})));
    let (status, body) = receiver.post(import, &json!({"share_token": token, "trust_review": false, "workflow_id": source_wf})).await;
    assert_eq!((status, body), (404, json!({"detail": "Workflow does not exist for this application."})));

    // The import: a new session, In Review unless the review is trusted.
    let (status, imported) = receiver.post(import, &json!({"share_token": token, "trust_review": false, "workflow_id": receiver_wf})).await;
    assert_eq!(status, 201, "{imported}");
    assert_ne!(imported["session_id"], approved["session_id"]);
    assert_eq!(imported["shared_from_session"], approved_id.as_str());
    assert_eq!(imported["status"], "In Review");
    assert_eq!(imported["session_url"], Value::Null);
    assert_eq!(imported["workflow_id"], receiver_wf.as_str());
    assert_eq!(imported["id_verifications"][0]["document_number"], "L898902C3");
    // The sandbox holder's age moves with the calendar.
    insta::assert_json_snapshot!("import_shared_decision", scrub(&imported), {
        ".id_verifications[].age" => "[age]",
    });
    let (status, body) = receiver.post(import, &json!({"share_token": token, "trust_review": true, "workflow_id": receiver_wf})).await;
    assert_eq!((status, body), (403, json!({"detail": "This session has already been shared with your application."})));
    let new_id = imported["session_id"].as_str().unwrap_or_default();
    let (status, _) = receiver.get(&format!("/v3/session/{new_id}/decision/")).await;
    assert_eq!(status, 200);
    let (status, _) = source.get(&format!("/v3/session/{new_id}/decision/")).await;
    assert_eq!(status, 404);

    // A trusted import keeps the source status; the third application may import once too.
    let (_, shared) = source.post(&share(&approved_id), &json!({"for_application_id": third.app_id()})).await;
    let (status, trusted) = third
        .post(import, &json!({"share_token": shared["share_token"], "trust_review": true, "workflow_id": third_wf, "vendor_data": null}))
        .await;
    assert_eq!(status, 201, "{trusted}");
    assert_eq!((trusted["status"].clone(), trusted["vendor_data"].clone()), (json!("Approved"), Value::Null));
});

both_backends!(update_data_corrects_identity_fields, async fn body(backend) {
    let server = backend.start().await;
    let api = Api::create(&server, "reviewer", "sandbox");
    let other = Api::create(&server, "other", "sandbox");
    let workflow = api.workflow().await;
    let session = api.session(json!({"workflow_id": workflow, "sandbox_scenario": "approve"})).await;
    let id = session["session_id"].as_str().unwrap_or_default();
    let path = format!("/v3/session/{id}/update-data/");

    let (status, body) = api
        .patch(&path, &json!({"gender": "X", "date_of_birth": "1990/05/15", "document_type": "PASSPORT", "issuing_state": "Spain"}))
        .await;
    assert_eq!((status, body), (400, json!({
        "date_of_birth": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],
        "document_type": ["\"PASSPORT\" is not a valid choice."],
        "gender": ["\"X\" is not a valid choice."],
        "issuing_state": ["Enter an ISO 3166-1 alpha-2 or alpha-3 country code."],
    })));
    let (status, body) = api.patch(&path, &json!({"unknown": 1})).await;
    assert_eq!((status, body), (400, json!({"non_field_errors": ["No editable field was given."]})));
    let (status, body) = other.patch(&path, &json!({"first_name": "Eve"})).await;
    assert_eq!((status, body), (404, json!({"detail": "Not found."})));
    let (status, body) = api.patch(&format!("{path}?node_id=nope"), &json!({"first_name": "Eve"})).await;
    assert_eq!((status, body), (400, json!({"node_id": ["No id verification has this node_id."]})));

    let (status, edited) = api
        .patch(&format!("{path}?node_id=feature_ocr"), &json!({"first_name": "Anna", "last_name": "Smith", "document_type": "id", "issuing_state": "esp", "marital_status": "single"}))
        .await;
    assert_eq!(status, 200, "{edited}");
    insta::assert_json_snapshot!("update_data_response", edited);
    let (_, decision) = api.get(&format!("/v3/session/{id}/decision/")).await;
    let element = &decision["id_verifications"][0];
    assert_eq!(element["full_name"], "Anna Smith");
    assert_eq!((element["document_type"].clone(), element["document_type_code"].clone()), (json!("Identity Card"), json!("ID")));
    assert_eq!((element["issuing_state"].clone(), element["country"].clone()), (json!("ESP"), json!("ESP")));
    assert_eq!(element["marital_status"], "SINGLE");
    assert!(decision["reviews"].as_array().is_some_and(|r| r.iter().any(|i| i["action"] == "data_updated")), "{decision}");
    insta::assert_json_snapshot!("update_data_element", scrub(element), {".age" => "[age]"});

    // A session without identity data gets an element holding the correction.
    let fresh = api.session(json!({"workflow_id": workflow})).await;
    let fresh_id = fresh["session_id"].as_str().unwrap_or_default();
    let (status, edited) = api
        .patch(&format!("/v3/session/{fresh_id}/update-data/"), &json!({"document_number": "AB123"}))
        .await;
    assert_eq!((status, edited["document_number"].clone()), (200, json!("AB123")));
    let (_, decision) = api.get(&format!("/v3/session/{fresh_id}/decision/")).await;
    assert_eq!(decision["id_verifications"][0]["document_number"], "AB123");
    assert_eq!(decision["id_verifications"][0]["status"], "Not Finished");
});
