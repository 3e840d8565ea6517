//! `/v3/lists/…`, the legacy `/v3/blocklist/…`, and the effect of blocklists on sessions.

use serde_json::{json, Value};

use crate::fixtures::{scrub, Api};

fn risks(decision: &Value) -> Vec<String> {
    decision["warnings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|w| w["risk"].as_str().map(str::to_owned))
        .collect()
}

async fn system_list(api: &Api<'_>, entry_type: &str) -> String {
    let (status, page) = api
        .get(&format!(
            "/v3/lists/?list_type=blocklist&entry_type={entry_type}"
        ))
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["count"], 1, "{page}");
    page["results"][0]["uuid"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

const FACE_BY_UPLOAD: &str =
    "Face entries are added from an image with POST /v3/lists/{uuid}/entries/face-upload/.";

both_backends!(lists_and_entries, async fn body(backend) {
    let server = backend.start().await;
    let api = Api::create(&server, "lists", "live");
    let other = Api::create(&server, "intruder", "live");

    // Every application starts with the four immutable system blocklists.
    let (status, page) = api.get("/v3/lists/").await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["count"], 4);
    insta::assert_json_snapshot!("lists_system_blocklists", scrub(&page));
    let email_list = system_list(&api, "email").await;
    let (status, body) = api.get("/v3/lists/?list_type=graylist").await;
    assert_eq!((status, body), (400, json!({"list_type": ["\"graylist\" is not a valid choice."]})));
    let (status, body) = api.get("/v3/lists/?entry_type=retina").await;
    assert_eq!((status, body), (400, json!({"entry_type": ["\"retina\" is not a valid choice."]})));
    let (status, body) = api.get("/v3/lists/?limit=0").await;
    assert_eq!(status, 400, "{body}");

    let (status, body) = api.patch(&format!("/v3/lists/{email_list}/"), &json!({"name": "mine"})).await;
    assert_eq!((status, body), (403, json!({"detail": "System blocklists cannot be modified."})));
    let (status, body) = api.delete(&format!("/v3/lists/{email_list}/")).await;
    assert_eq!((status, body), (403, json!({"detail": "System blocklists cannot be deleted."})));

    // Creating lists: bad input first.
    let (status, body) = api.post("/v3/lists/", &json!({})).await;
    assert_eq!((status, body), (400, json!({
        "entry_type": ["This field is required."],
        "list_type": ["This field is required."],
        "name": ["This field is required."],
    })));
    let (status, body) = api
        .post("/v3/lists/", &json!({"name": 5, "list_type": "blocklist", "entry_type": "retina"}))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["name"], json!(["Not a valid string."]));
    assert_eq!(body["entry_type"], json!(["\"retina\" is not a valid choice."]));
    assert!(body["list_type"][0].as_str().unwrap_or_default().contains("system lists"), "{body}");
    let (status, body) = send_text(&api, "/v3/lists/", "name=x").await;
    assert_eq!(status, 415, "{body}");

    let (status, custom) = api
        .post("/v3/lists/", &json!({"name": "VIP emails", "list_type": "allowlist", "entry_type": "email", "description": "known good"}))
        .await;
    assert_eq!(status, 201, "{custom}");
    insta::assert_json_snapshot!("lists_created", scrub(&custom));
    let custom_id = custom["uuid"].as_str().unwrap_or_default().to_owned();
    let (status, body) = api.patch(&format!("/v3/lists/{custom_id}/"), &json!({"entry_type": "phone"})).await;
    assert_eq!((status, body), (400, json!({"entry_type": ["This field cannot be changed after creation."]})));
    let (status, body) = api
        .patch(&format!("/v3/lists/{custom_id}"), &json!({"name": "VIPs", "description": null}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["name"].clone(), body["description"].clone()), (json!("VIPs"), Value::Null));

    // Entries.
    let entries = format!("/v3/lists/{custom_id}/entries/");
    let (status, entry) = api
        .post(&entries, &json!({"value": "Anna@Example.com", "display_label": "Anna", "comment": "CEO", "metadata": {"tier": 1}}))
        .await;
    assert_eq!(status, 201, "{entry}");
    insta::assert_json_snapshot!("lists_entry_created", scrub(&entry));
    let (status, body) = api.post(&entries, &json!({"value": " anna@example.COM "})).await;
    assert_eq!((status, body), (400, json!({"value": ["This value is already in the list."]})));
    let (status, body) = api.post(&entries, &json!({"value": "not-an-email"})).await;
    assert_eq!((status, body), (400, json!({"value": ["Enter a valid email address."]})));
    let (status, body) = api.post(&entries, &json!({"comment": "nothing"})).await;
    assert_eq!((status, body), (400, json!({"non_field_errors": ["Provide either value or reference_session_id."]})));
    let (status, body) = api.post(&entries, &json!({"reference_session_id": "nope"})).await;
    assert_eq!((status, body), (400, json!({"reference_session_id": ["Must be a valid UUID."]})));
    let (status, body) = api
        .post(&entries, &json!({"reference_session_id": uuid::Uuid::new_v4()}))
        .await;
    assert_eq!((status, body), (400, json!({"reference_session_id": ["Session not found."]})));
    let (status, _) = api.post(&entries, &json!({"value": "bob@example.org"})).await;
    assert_eq!(status, 201);
    let (status, page) = api.get(&format!("{entries}?search=ANNA")).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["count"], 1, "{page}");
    assert_eq!(page["results"][0]["value"], "Anna@Example.com");
    let (status, page) = api.get(&format!("{entries}?limit=1")).await;
    assert_eq!((status, page["count"].clone(), page["results"].as_array().map(Vec::len)), (200, json!(2), Some(1)));
    assert!(page["next"].as_str().is_some_and(|n| n.contains("offset=1")), "{page}");
    let (status, list) = api.get(&format!("/v3/lists/{custom_id}/")).await;
    assert_eq!((status, list["entries_count"].clone()), (200, json!(2)));

    let entry_id = entry["uuid"].as_str().unwrap_or_default();
    let (status, _) = api.delete(&format!("{entries}{entry_id}/")).await;
    assert_eq!(status, 204);
    let (status, body) = api.delete(&format!("{entries}{entry_id}/")).await;
    assert_eq!((status, body), (404, json!({"detail": "List entry not found."})));

    // Faces come from images (face-upload; enrolment itself is tested with the face engine
    // in verifyd-http's tests): a value is refused, and so is a body without a usable image.
    let face_list = system_list(&api, "face").await;
    let (status, body) = api.post(&format!("/v3/lists/{face_list}/entries/"), &json!({"value": "x"})).await;
    assert_eq!((status, body), (400, json!({"detail": FACE_BY_UPLOAD})));
    let upload = format!("/v3/lists/{face_list}/entries/face-upload/");
    let (status, body) = api.post(&upload, &json!({"display_label": "x"})).await;
    assert_eq!((status, body), (400, json!({"image": ["This field is required."]})));
    let (status, body) = api.post(&upload, &json!({"image": "%%% not base64"})).await;
    assert_eq!((status, body), (400, json!({"image": ["Upload a valid base64-encoded image."]})));
    let (status, body) = api
        .post(&format!("/v3/lists/{email_list}/entries/face-upload/"), &json!({"image": "aGVsbG8="}))
        .await;
    assert_eq!((status, body), (400, json!({"detail": "This list does not hold face entries."})));

    // Another application sees none of it.
    for path in [format!("/v3/lists/{custom_id}/"), entries.clone(), format!("/v3/lists/{email_list}/")] {
        let (status, body) = other.get(&path).await;
        assert_eq!((status, body), (404, json!({"detail": "List not found."})), "{path}");
    }
    let (status, body) = other.delete(&format!("/v3/lists/{custom_id}/")).await;
    assert_eq!((status, body), (404, json!({"detail": "List not found."})));
    let (status, body) = api.get("/v3/lists/not-a-uuid/").await;
    assert_eq!((status, body), (404, json!({"detail": "List not found."})));

    let (status, _) = api.delete(&format!("/v3/lists/{custom_id}/")).await;
    assert_eq!(status, 204);
    let (status, _) = api.get(&format!("/v3/lists/{custom_id}/")).await;
    assert_eq!(status, 404);
});

async fn send_text(api: &Api<'_>, path: &str, body: &str) -> (u16, Value) {
    crate::support::send(
        api.server
            .http()
            .post(api.server.url(path))
            .header("x-api-key", &api.key)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_owned()),
    )
    .await
}

both_backends!(blocklists_flag_later_sessions, async fn body(backend) {
    let server = backend.start().await;
    let api = Api::create(&server, "blocking", "live");
    let workflow = api.workflow().await;
    for (entry_type, value) in [("email", "fraud@example.com"), ("phone", "+34 600 000 001"), ("document", "X1234567")] {
        let list = system_list(&api, entry_type).await;
        let (status, body) = api.post(&format!("/v3/lists/{list}/entries/"), &json!({"value": value})).await;
        assert_eq!(status, 201, "{body}");
    }
    let clean = api
        .session(json!({"workflow_id": workflow, "contact_details": {"email": "ok@example.com", "phone": "+34600000002"}}))
        .await;
    let (_, decision) = api.get(&format!("/v3/session/{}/decision/", clean["session_id"].as_str().unwrap_or_default())).await;
    assert!(risks(&decision).is_empty(), "{decision}");
    let flagged = api
        .session(json!({
            "workflow_id": workflow,
            "contact_details": {"email": "FRAUD@example.com", "phone": "+34600000001"},
            "expected_details": {"identification_number": "x-1234567"},
        }))
        .await;
    let (status, decision) = api
        .get(&format!("/v3/session/{}/decision/", flagged["session_id"].as_str().unwrap_or_default()))
        .await;
    assert_eq!(status, 200);
    let mut found = risks(&decision);
    found.sort();
    assert_eq!(found, ["EMAIL_IN_BLOCKLIST", "ID_DOCUMENT_IN_BLOCKLIST", "PHONE_NUMBER_IN_BLOCKLIST"], "{decision}");
    let warning = decision["warnings"].as_array().and_then(|w| w.iter().find(|w| w["risk"] == "EMAIL_IN_BLOCKLIST")).cloned();
    insta::assert_json_snapshot!("blocklist_warning", warning);
});

both_backends!(legacy_blocklist_api, async fn body(backend) {
    let server = backend.start().await;
    let api = Api::create(&server, "legacy", "sandbox");
    let workflow = api.workflow().await;
    let approve = json!({"workflow_id": workflow, "sandbox_scenario": "approve"});
    let first = api.session(approve.clone()).await;
    assert_eq!(first["status"], "Approved", "{first}");
    let first_id = first["session_id"].as_str().unwrap_or_default().to_owned();

    let (status, body) = api.post("/v3/blocklist/add/", &json!({"blocklist_document": true})).await;
    assert_eq!((status, body), (400, json!({"session_id": ["This field is required."]})));
    let (status, body) = api.post("/v3/blocklist/add/", &json!({"session_id": first_id})).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["non_field_errors"].is_array(), "{body}");
    let (status, body) = api
        .post("/v3/blocklist/add/", &json!({"session_id": first_id, "blocklist_document": "yes"}))
        .await;
    assert_eq!((status, body), (400, json!({"blocklist_document": ["Must be a valid boolean."]})));
    let (status, body) = api
        .post("/v3/blocklist/add/", &json!({"session_id": uuid::Uuid::new_v4(), "blocklist_document": true}))
        .await;
    assert_eq!((status, body), (404, json!({"detail": "Not found."})));

    let (status, added) = api
        .post("/v3/blocklist/add/", &json!({
            "session_id": first_id, "blocklist_face": true, "blocklist_document": true, "blocklist_email": true,
        }))
        .await;
    assert_eq!(status, 200, "{added}");
    insta::assert_json_snapshot!("legacy_blocklist_add", scrub(&added));
    let (status, items) = api.get("/v3/blocklist/?item_type=document").await;
    assert_eq!(status, 200, "{items}");
    assert_eq!(items["count"], 1, "{items}");
    assert_eq!(items["results"][0]["document_number"], "L898902C3");
    assert_eq!(items["results"][0]["session_id"], first_id.as_str());
    insta::assert_json_snapshot!("legacy_blocklist_items", scrub(&items));
    let (status, body) = api.get("/v3/blocklist/?item_type=iris").await;
    assert_eq!((status, body), (400, json!({"item_type": ["\"iris\" is not a valid choice."]})));

    // The same document in a later session declines it with the contract's warning.
    let second = api.session(approve.clone()).await;
    assert_eq!(second["status"], "Declined", "{second}");
    let (_, decision) = api.get(&format!("/v3/session/{}/decision/", second["session_id"].as_str().unwrap_or_default())).await;
    assert_eq!(decision["id_verifications"][0]["status"], "Declined");
    assert!(risks(&decision).contains(&"ID_DOCUMENT_IN_BLOCKLIST".to_owned()), "{decision}");

    let (status, removed) = api
        .post("/v3/blocklist/remove/", &json!({"session_id": first_id, "unblock_document": true}))
        .await;
    assert_eq!((status, removed["items"].clone()), (200, json!([{"type": "document", "status": "removed"}])));
    let third = api.session(approve).await;
    assert_eq!(third["status"], "Approved", "{third}");
    let (status, items) = api.get("/v3/blocklist/").await;
    assert_eq!((status, items["count"].clone()), (200, json!(0)));
});
