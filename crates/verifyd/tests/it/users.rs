//! `/v3/users/…`: users aggregated by vendor_data.

use serde_json::json;

use crate::fixtures::{scrub, Api};

both_backends!(users_are_aggregated_by_vendor_data, async fn body(backend) {
    let server = backend.start().await;
    let api = Api::create(&server, "users", "sandbox");
    let other = Api::create(&server, "other", "sandbox");
    let workflow = api.workflow().await;
    for scenario in ["approve", "decline_document_expired"] {
        api.session(json!({"workflow_id": workflow, "vendor_data": "user-1", "sandbox_scenario": scenario})).await;
    }
    api.session(json!({"workflow_id": workflow, "vendor_data": "user-2"})).await;

    let (status, page) = api.get("/v3/users/").await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["count"], 2, "{page}");
    assert_eq!(page["results"][0]["vendor_data"], "user-2", "newest first: {page}");
    insta::assert_json_snapshot!("users_list", scrub(&page));
    let (status, page) = api.get("/v3/users/?limit=1").await;
    assert_eq!(status, 200);
    assert!(page["next"].as_str().is_some_and(|n| n.contains("offset=1")), "{page}");
    let (status, body) = api.get("/v3/users/?offset=-1").await;
    assert_eq!(status, 400, "{body}");

    let (status, user) = api.get("/v3/users/user-1/").await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["session_count"], 2);
    assert_eq!(user["approved_count"], 1);
    assert_eq!(user["declined_count"], 1);
    assert_eq!(user["issuing_states"], json!(["UTO"]));
    assert_eq!(user["status"], "ACTIVE");
    insta::assert_json_snapshot!("users_detail", scrub(&user));
    let (status, body) = api.get("/v3/users/nobody/").await;
    assert_eq!((status, body), (404, json!({"detail": "Not found."})));
    let (status, body) = other.get("/v3/users/user-1/").await;
    assert_eq!((status, body), (404, json!({"detail": "Not found."})));

    // PATCH: three-state fields.
    let (status, user) = api
        .patch("/v3/users/user-1/", &json!({"display_name": "Anna", "metadata": {"tier": "gold"}}))
        .await;
    assert_eq!(status, 200, "{user}");
    assert_eq!((user["display_name"].clone(), user["effective_name"].clone()), (json!("Anna"), json!("Anna")));
    let (status, user) = api.patch("/v3/users/user-1", &json!({"metadata": null})).await;
    assert_eq!(status, 200);
    assert_eq!((user["display_name"].clone(), user["metadata"].clone()), (json!("Anna"), json!(null)));
    let (status, body) = api
        .patch("/v3/users/user-1/", &json!({"status": "INVALID", "date_of_birth": "15/05/1990"}))
        .await;
    assert_eq!((status, body), (400, json!({
        "date_of_birth": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],
        "status": ["\"INVALID\" is not a valid choice."],
    })));
    let (status, body) = api.patch("/v3/users/user-1/", &json!({"approved_emails": "a@b.co"})).await;
    assert_eq!((status, body), (400, json!({"approved_emails": ["Expected a list of items."]})));
    let (status, _) = other.patch("/v3/users/user-1/", &json!({"display_name": "x"})).await;
    assert_eq!(status, 404);

    // Status changes are recorded.
    let (status, body) = api.patch("/v3/users/user-1/update-status/", &json!({})).await;
    assert_eq!((status, body), (400, json!({"status": ["This field is required."]})));
    let (status, body) = api.patch("/v3/users/user-1/update-status/", &json!({"status": "Banned"})).await;
    assert_eq!((status, body), (400, json!({"status": ["\"Banned\" is not a valid choice."]})));
    let (status, user) = api
        .patch("/v3/users/user-1/update-status/", &json!({"status": "BLOCKED", "comment": "chargeback"}))
        .await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["status"], "BLOCKED");
    assert_eq!(user["comments"][0]["previous_status"], "ACTIVE");
    assert_eq!(user["comments"][0]["new_status"], "BLOCKED");
    assert_eq!(user["comments"][0]["comment"], "chargeback");

    // Create.
    let (status, body) = api.post("/v3/users/create/", &json!({"display_name": "x"})).await;
    assert_eq!((status, body), (400, json!({"vendor_data": ["This field is required."]})));
    let (status, created) = api
        .post("/v3/users/create/", &json!({"vendor_data": "user-3", "full_name": "Jane Roe", "status": "FLAGGED", "approved_emails": ["jane@example.com"]}))
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!((created["session_count"].clone(), created["status"].clone()), (json!(0), json!("FLAGGED")));
    insta::assert_json_snapshot!("users_created", scrub(&created));
    let (status, body) = api.post("/v3/users/create/", &json!({"vendor_data": "user-3"})).await;
    assert_eq!((status, body), (400, json!({"vendor_data": ["A user with this vendor_data already exists."]})));

    // Batch delete.
    let (status, body) = api.post("/v3/users/delete/", &json!({})).await;
    assert_eq!((status, body), (400, json!({"vendor_data_list": ["This field is required unless delete_all is true."]})));
    let (status, body) = api.post("/v3/users/delete/", &json!({"vendor_data_list": []})).await;
    assert_eq!((status, body), (400, json!({"vendor_data_list": ["This list may not be empty."]})));
    let (status, body) = other.post("/v3/users/delete/", &json!({"vendor_data_list": ["user-1"]})).await;
    assert_eq!((status, body), (200, json!({"deleted": 0})));
    let (status, body) = api.post("/v3/users/delete/", &json!({"vendor_data_list": ["user-1", "ghost"]})).await;
    assert_eq!((status, body), (200, json!({"deleted": 1})));
    let (status, _) = api.get("/v3/users/user-1/").await;
    assert_eq!(status, 404);
    let (_, sessions) = api.get("/v3/sessions/?vendor_data=user-1").await;
    assert_eq!(sessions["count"], 0, "a user's sessions go with it");
    let (status, body) = api.post("/v3/users/delete/", &json!({"delete_all": true})).await;
    assert_eq!((status, body), (200, json!({"deleted": 2})));
    let (_, page) = api.get("/v3/users/").await;
    assert_eq!(page["count"], 0);
});
