//! `/v3/questionnaires/…`.

use serde_json::json;

use crate::fixtures::{scrub, Api};
use crate::support::send;

both_backends!(questionnaires_crud_and_validation, async fn body(backend) {
    let server = backend.start().await;
    let api = Api::create(&server, "forms", "live");
    let other = Api::create(&server, "other", "live");
    let label = |en: &str, es: &str| json!({"en": en, "es": es});
    let body = json!({
        "title": "Onboarding", "description": "A few questions", "languages": ["en", "es"],
        "default_language": "en",
        "form_elements": [
            {"id": "occupation", "element_type": "short_text", "label": label("Occupation?", "¿Ocupación?"), "is_required": true},
            {"element_type": "long_text", "label": label("About you", "Sobre ti")},
            {"id": "funds", "element_type": "multiple_choice", "label": label("Source of funds", "Origen"),
             "options": [{"value": "salary", "label": label("Salary", "Salario")}, {"label": label("Other", "Otro")}]},
            {"element_type": "checkbox", "label": label("Agree", "Acepto"), "options": [{"label": label("Yes", "Sí")}]},
            {"element_type": "file_upload", "label": label("Payslip", "Nómina")},
            {"element_type": "date", "label": label("Start date", "Fecha")},
            {"element_type": "NUMBER", "label": label("Income", "Ingresos")},
        ]
    });
    let (status, created) = api.post("/v3/questionnaires/", &body).await;
    assert_eq!(status, 201, "{created}");
    insta::assert_json_snapshot!("questionnaire_created", scrub(&created));
    let id = created["questionnaire_id"].as_str().unwrap_or_default().to_owned();
    let path = format!("/v3/questionnaires/{id}/");

    // Validation: DRF-shaped, nested under the failing element.
    let (status, errors) = api
        .post("/v3/questionnaires/", &json!({"title": "", "languages": ["en", "es"], "form_elements": [
            {"element_type": "short_text", "label": label("Q", "P")},
            {"element_type": "multiple_choice", "label": {"en": "Q"}},
            {"element_type": "essay", "label": label("Q", "P")},
            {"element_type": "checkbox", "label": label("Q", "P"), "options": [{"label": {"en": "A"}}]},
        ]}))
        .await;
    assert_eq!(status, 400, "{errors}");
    insta::assert_json_snapshot!("questionnaire_errors", errors);
    let (status, errors) = api.post("/v3/questionnaires/", &json!({})).await;
    assert_eq!((status, errors), (400, json!({"form_elements": ["This field is required."], "title": ["This field is required."]})));
    let (status, errors) = api.post("/v3/questionnaires/", &json!({"title": "T", "graph": {}})).await;
    assert_eq!((status, errors), (400, json!({"graph": "The v3 questionnaire API only accepts simple `form_elements`, not `graph`."})));
    let (status, errors) = api.post("/v3/questionnaires/", &json!({"title": "T", "form_elements": "q"})).await;
    assert_eq!((status, errors), (400, json!({"form_elements": ["Expected a list of items."]})));
    let (status, _) = send(
        server.http().post(server.url("/v3/questionnaires/")).header("x-api-key", &api.key)
            .header("content-type", "text/plain").body("title=x"),
    ).await;
    assert_eq!(status, 415);

    // The newer element types and draft status of Didit's current spec work too.
    let (status, draft) = api
        .post("/v3/questionnaires/", &json!({"title": "Draft", "status": "draft", "form_elements": [
            {"element_type": "consent", "label": {"en": "I agree"}},
            {"element_type": "dropdown", "label": {"en": "Pick"}, "options": [{"label": {"en": "A"}}]},
        ]}))
        .await;
    assert_eq!(status, 201, "{draft}");
    assert_eq!((draft["status"].clone(), draft["published_at"].clone()), (json!("draft"), json!(null)));
    let (status, _) = api.delete(&format!("/v3/questionnaires/{}/", draft["questionnaire_id"].as_str().unwrap_or_default())).await;
    assert_eq!(status, 204);

    // Read, list, update, delete.
    let (status, got) = api.get(&path).await;
    assert_eq!((status, got["title"].clone()), (200, json!("Onboarding")));
    let (status, page) = api.get("/v3/questionnaires/").await;
    assert_eq!((status, page["count"].clone()), (200, json!(1)));
    insta::assert_json_snapshot!("questionnaire_list", scrub(&page));
    let (status, updated) = api.patch(&path, &json!({"title": "Onboarding v2", "is_active": false})).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!((updated["version"].clone(), updated["is_active"].clone()), (json!(2), json!(false)));
    assert_eq!(updated["form_elements"], created["form_elements"]);
    let (status, errors) = api.patch(&path, &json!({"languages": ["en", "fr"]})).await;
    assert_eq!(status, 400, "{errors}");
    assert_eq!(errors["form_elements"][0]["label"], json!(["Missing translation for \"fr\"."]));
    let (status, _) = send(
        server.http().patch(server.url(&path)).header("x-api-key", &api.key)
            .header("content-type", "text/plain").body("{}"),
    ).await;
    assert_eq!(status, 415);

    for (status, body) in [other.get(&path).await, other.patch(&path, &json!({"title": "x"})).await, other.delete(&path).await] {
        assert_eq!((status, body), (404, json!({"detail": "Not found."})));
    }
    let (status, _) = api.delete(&path).await;
    assert_eq!(status, 204);
    let (status, body) = api.get(&path).await;
    assert_eq!((status, body), (404, json!({"detail": "Not found."})));
    let (status, _) = api.get("/v3/questionnaires/not-a-uuid/").await;
    assert_eq!(status, 404);
});
