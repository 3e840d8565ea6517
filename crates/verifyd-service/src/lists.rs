//! Lists and the legacy blocklist API, and the blocklist checks sessions go through.
//!
//! Every application has four system blocklists (face, document, phone, email), created on
//! first use and immutable. A document number, phone or email in one of them makes a session
//! carry ID_DOCUMENT_IN_BLOCKLIST / PHONE_NUMBER_IN_BLOCKLIST / EMAIL_IN_BLOCKLIST:
//! [`Services::blocklist_warnings`] answers for loose values (create-session contact and
//! expected details), [`Services::apply_blocklists`] marks a decision's feature elements
//! (sandbox, update-data). Face entries come from images (`face-upload`), whose face is
//! enrolled into the face index (faces.rs) under the entry; blocklisting a session's face
//! through the legacy API is refused with a clear message instead of being faked.

use serde_json::{json, Map, Value};
use verifyd_core::ids::{AppId, ListEntryId, ListId, SessionId};
use verifyd_core::lists::{
    blocklist_warning, mark_blocklisted, normalise, value_from_session, BlocklistProbe, EntryInput,
    EntryType, ListEntry, ListPatch, ListRecord, ListType, NewList, FACE_NOT_SUPPORTED,
};
use verifyd_core::session::iso;
use verifyd_core::{CoreError, FieldErrors};
use verifyd_store::lists::ListFilter;
use verifyd_store::StoreError;

use crate::faces::{Enrollment, TemplateSource};
use crate::{ServiceResult, Services};

/// The legacy `item_type` values and their entry types.
const LEGACY_TYPES: [(&str, EntryType); 4] = [
    ("face", EntryType::Face),
    ("document", EntryType::Document),
    ("phone", EntryType::Phone),
    ("email", EntryType::Email),
];

fn list_not_found() -> CoreError {
    CoreError::NotFound("List not found.".to_owned())
}

/// Largest decoded face image accepted by face-upload (as the standalone checks).
const MAX_FACE_IMAGE_BYTES: usize = 5 * 1024 * 1024;
/// Face entries carry a template, not a value.
const FACE_BY_UPLOAD: &str =
    "Face entries are added from an image with POST /v3/lists/{uuid}/entries/face-upload/.";

impl Services {
    /// The blocklist warnings (contract §2.3 objects, `log_type: error`) for whichever of
    /// the probe's document number, phone and email are in the application's blocklists.
    /// Empty when none is, or the probe holds nothing usable.
    pub async fn blocklist_warnings(
        &self,
        app: AppId,
        probe: &BlocklistProbe,
    ) -> ServiceResult<Vec<Value>> {
        let lookups = probe.lookups();
        if lookups.is_empty() {
            return Ok(Vec::new());
        }
        let hits = self.store.blocklisted(app, &lookups).await?;
        Ok(hits
            .iter()
            .filter_map(|(entry_type, _)| blocklist_warning(*entry_type))
            .collect())
    }

    /// Checks the document numbers, phones and emails of a decision's feature elements
    /// (`id_verifications`, `nfc_verifications`, `phone_verifications`,
    /// `email_verifications`) against the application's blocklists; each element that hits
    /// gets the warning and is Declined. Call it before aggregating the session status.
    /// Returns true when something was marked.
    pub async fn apply_blocklists(
        &self,
        app: AppId,
        results: &mut Map<String, Value>,
    ) -> ServiceResult<bool> {
        let mut lookups = Vec::new();
        for (array, key, entry_type) in [
            ("id_verifications", "document_number", EntryType::Document),
            ("nfc_verifications", "document_number", EntryType::Document),
            ("phone_verifications", "full_number", EntryType::Phone),
            ("email_verifications", "email", EntryType::Email),
        ] {
            for element in results
                .get(array)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(value) = element
                    .get(key)
                    .and_then(Value::as_str)
                    .and_then(|raw| normalise(entry_type, raw).ok())
                {
                    lookups.push((entry_type, value));
                }
            }
        }
        if lookups.is_empty() {
            return Ok(false);
        }
        let hits = self.store.blocklisted(app, &lookups).await?;
        Ok(!hits.is_empty() && mark_blocklisted(results, &hits))
    }

    /// A page of the application's lists (system blocklists provisioned first).
    pub async fn lists(
        &self,
        app: AppId,
        filter: ListFilter,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<(i64, Vec<ListRecord>)> {
        self.store
            .ensure_system_lists(app, self.clock.now())
            .await?;
        Ok(self.store.lists(app, filter, limit, offset).await?)
    }

    /// One list.
    pub async fn list(&self, app: AppId, id: ListId) -> ServiceResult<ListRecord> {
        self.store
            .ensure_system_lists(app, self.clock.now())
            .await?;
        self.store
            .list(app, id)
            .await?
            .ok_or_else(|| list_not_found().into())
    }

    /// Creates an allowlist or custom list.
    pub async fn create_list(
        &self,
        app: AppId,
        body: &Map<String, Value>,
    ) -> ServiceResult<ListRecord> {
        let new = NewList::parse(body)?;
        let now = self.clock.now();
        let record = ListRecord {
            id: ListId::new(),
            app_id: app,
            name: new.name,
            list_type: new.list_type,
            entry_type: new.entry_type,
            description: new.description,
            is_system: false,
            entry_count: 0,
            created_at: now,
            updated_at: now,
        };
        self.store.insert_list(app, &record).await?;
        Ok(record)
    }

    /// Renames or re-describes a list; system lists are immutable (403).
    pub async fn update_list(
        &self,
        app: AppId,
        id: ListId,
        body: &Map<String, Value>,
    ) -> ServiceResult<ListRecord> {
        let mut list = self.list(app, id).await?;
        if list.is_system {
            return Err(
                CoreError::Forbidden("System blocklists cannot be modified.".to_owned()).into(),
            );
        }
        let patch = ListPatch::parse(body, &list)?;
        if let Some(name) = patch.name {
            list.name = name;
        }
        if let Some(description) = patch.description {
            list.description = description;
        }
        list.updated_at = self.clock.now();
        self.store.update_list(app, &list).await?;
        Ok(list)
    }

    /// Deletes a list with its entries; system lists cannot be deleted (403).
    pub async fn delete_list(&self, app: AppId, id: ListId) -> ServiceResult<()> {
        let list = self.list(app, id).await?;
        if list.is_system {
            return Err(
                CoreError::Forbidden("System blocklists cannot be deleted.".to_owned()).into(),
            );
        }
        for entry in self.store.list_entries(app, id).await? {
            self.store.delete_list_entry_faces(app, entry.id.0).await?;
        }
        self.store.delete_list(app, id).await?;
        Ok(())
    }

    /// The entries of a list matching `search` (in value, label or comment), newest first,
    /// and their total. Values are sealed, so the search runs on the opened entries.
    pub async fn list_entries(
        &self,
        app: AppId,
        id: ListId,
        search: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<(i64, Vec<ListEntry>)> {
        let list = self.list(app, id).await?;
        let needle = search.map(str::to_lowercase).filter(|s| !s.is_empty());
        let matching: Vec<ListEntry> = self
            .store
            .list_entries(app, list.id)
            .await?
            .into_iter()
            .filter(|entry| {
                needle.as_ref().is_none_or(|needle| {
                    [&entry.value, &entry.display_label, &entry.comment]
                        .into_iter()
                        .flatten()
                        .any(|text| text.to_lowercase().contains(needle.as_str()))
                })
            })
            .collect();
        let count = i64::try_from(matching.len()).unwrap_or(i64::MAX);
        let page = matching
            .into_iter()
            .skip(usize::try_from(offset).unwrap_or(usize::MAX))
            .take(usize::try_from(limit).unwrap_or(0))
            .collect();
        Ok((count, page))
    }

    /// Adds an entry from a value or from a session's data.
    pub async fn add_list_entry(
        &self,
        app: AppId,
        id: ListId,
        body: &Map<String, Value>,
    ) -> ServiceResult<ListEntry> {
        let list = self.list(app, id).await?;
        let input = EntryInput::parse(body)?;
        if list.entry_type == EntryType::Face {
            return Err(CoreError::Rejected(FACE_BY_UPLOAD.to_owned()).into());
        }
        let raw = match (&input.value, input.reference_session_id) {
            (Some(value), _) => value.clone(),
            (None, Some(session_id)) => {
                let session = self.store.session(app, session_id).await?.ok_or_else(|| {
                    CoreError::field("reference_session_id", "Session not found.")
                })?;
                value_from_session(&session, list.entry_type).ok_or_else(|| {
                    CoreError::field(
                        "reference_session_id",
                        format!(
                            "The session has no {} value to add.",
                            list.entry_type.as_str()
                        ),
                    )
                })?
            }
            (None, None) => {
                return Err(CoreError::field(
                    "non_field_errors",
                    "Provide either value or reference_session_id.",
                )
                .into())
            }
        };
        let field = if input.value.is_some() {
            "value"
        } else {
            "reference_session_id"
        };
        let normalised =
            normalise(list.entry_type, &raw).map_err(|m| CoreError::field(field, m))?;
        let entry = ListEntry {
            id: ListEntryId::new(),
            list_id: list.id,
            value: Some(raw.trim().to_owned()),
            display_label: input.display_label,
            comment: input.comment,
            metadata: input.metadata,
            reference_session_id: input.reference_session_id,
            reference_object_uuid: input.reference_object_uuid,
            created_at: self.clock.now(),
        };
        match self
            .store
            .insert_list_entry(app, &list, &entry, Some(&normalised))
            .await
        {
            Ok(()) => Ok(entry),
            Err(StoreError::Conflict(_)) => {
                Err(CoreError::field(field, "This value is already in the list.").into())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// `POST /v3/lists/{id}/entries/face-upload/`: a face list entry from a base64 image
    /// (`image`, at most 5 MB decoded): the largest face is enrolled into the application's
    /// face index under the entry, so sessions and face searches match it.
    pub async fn add_face_list_entry(
        &self,
        app: AppId,
        id: ListId,
        body: &Map<String, Value>,
    ) -> ServiceResult<ListEntry> {
        use base64::Engine as _;
        let list = self.list(app, id).await?;
        if list.entry_type != EntryType::Face {
            return Err(
                CoreError::Rejected("This list does not hold face entries.".to_owned()).into(),
            );
        }
        let image = match body.get("image") {
            Some(Value::String(raw)) if !raw.trim().is_empty() => {
                // Data URLs are accepted as browsers produce them.
                let data = raw.split_once("base64,").map_or(raw.as_str(), |(_, d)| d);
                base64::engine::general_purpose::STANDARD
                    .decode(data.trim())
                    .map_err(|_| {
                        CoreError::field("image", "Upload a valid base64-encoded image.")
                    })?
            }
            None | Some(Value::Null) => {
                return Err(CoreError::field("image", "This field is required.").into())
            }
            Some(_) => {
                return Err(
                    CoreError::field("image", "Upload a valid base64-encoded image.").into(),
                )
            }
        };
        if image.len() > MAX_FACE_IMAGE_BYTES {
            return Err(CoreError::field("image", "File size should not exceed 5 MB").into());
        }
        let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_owned);
        let engine = self.engines.faces().await?;
        let analysis = self
            .engines
            .run(move || engine.analyze(&image, verifyd_faces::AnalyzeOptions::default()))
            .await?
            .map_err(|e| crate::checks::face_error("image", e))?;
        let Some(main) = analysis.main else {
            return Err(CoreError::field("image", "No face detected in the image.").into());
        };
        let entry = ListEntry {
            id: ListEntryId::new(),
            list_id: list.id,
            value: None,
            display_label: text("display_label"),
            comment: text("comment"),
            metadata: body.get("metadata").filter(|m| m.is_object()).cloned(),
            reference_session_id: None,
            reference_object_uuid: None,
            created_at: self.clock.now(),
        };
        self.store
            .insert_list_entry(app, &list, &entry, None)
            .await?;
        let enrolled = self
            .enroll_face(
                app,
                &main.template,
                Enrollment {
                    session_id: None,
                    list_entry_id: Some(entry.id.0),
                    source: TemplateSource::ListEntry,
                    list_kind: Some(list.list_type.as_str().to_owned()),
                    api_service: None,
                    status: None,
                    vendor_data: None,
                },
            )
            .await;
        if let Err(err) = enrolled {
            self.store.delete_list_entry(app, list.id, entry.id).await?;
            return Err(err);
        }
        Ok(entry)
    }

    /// Removes an entry.
    pub async fn delete_list_entry(
        &self,
        app: AppId,
        id: ListId,
        entry: ListEntryId,
    ) -> ServiceResult<()> {
        let list = self.list(app, id).await?;
        if !self.store.delete_list_entry(app, list.id, entry).await? {
            return Err(CoreError::NotFound("List entry not found.".to_owned()).into());
        }
        self.store.delete_list_entry_faces(app, entry.0).await?;
        Ok(())
    }

    /// Legacy `POST /v3/blocklist/add/` (`add` true) and `/remove/`: puts the session's
    /// document number, phone and email into (or out of) the system blocklists. Face
    /// requests are reported as not supported (nothing is pretended). Returns one item per
    /// requested type.
    pub async fn legacy_blocklist(
        &self,
        app: AppId,
        body: &Map<String, Value>,
        add: bool,
    ) -> ServiceResult<Value> {
        let prefix = if add { "blocklist_" } else { "unblock_" };
        let mut errors = FieldErrors::new();
        let session_id = match body.get("session_id") {
            None | Some(Value::Null) => {
                errors.add("session_id", "This field is required.");
                None
            }
            Some(Value::String(raw)) => raw.parse::<SessionId>().ok().or_else(|| {
                errors.add("session_id", "Must be a valid UUID.");
                None
            }),
            Some(_) => {
                errors.add("session_id", "Must be a valid UUID.");
                None
            }
        };
        let mut wanted = Vec::new();
        for (name, entry_type) in LEGACY_TYPES {
            let key = format!("{prefix}{name}");
            match body.get(&key) {
                None | Some(Value::Null) | Some(Value::Bool(false)) => {}
                Some(Value::Bool(true)) => wanted.push((name, entry_type)),
                Some(_) => errors.add(key, "Must be a valid boolean."),
            }
        }
        if errors.is_empty() && wanted.is_empty() {
            errors.add(
                "non_field_errors",
                format!("Set at least one of {prefix}face, {prefix}document, {prefix}phone, {prefix}email."),
            );
        }
        let session_id = match session_id {
            Some(id) if errors.is_empty() => id,
            _ => return Err(errors.into()),
        };
        let session = self.session(app, session_id).await?;
        self.store
            .ensure_system_lists(app, self.clock.now())
            .await?;
        let mut items = Vec::new();
        for (name, entry_type) in wanted {
            if entry_type == EntryType::Face {
                items.push(
                    json!({"type": name, "status": "not_supported", "detail": FACE_NOT_SUPPORTED}),
                );
                continue;
            }
            let Some(list) = self.store.system_list(app, entry_type).await? else {
                continue;
            };
            let value = value_from_session(&session, entry_type);
            let normalised = value.as_deref().and_then(|v| normalise(entry_type, v).ok());
            let status = if !add {
                let removed = self
                    .store
                    .delete_list_entries_matching(app, &list, normalised.as_deref(), session.id)
                    .await?;
                if removed > 0 {
                    "removed"
                } else {
                    "not_in_blocklist"
                }
            } else if let Some(normalised) = normalised {
                let entry = ListEntry {
                    id: ListEntryId::new(),
                    list_id: list.id,
                    value: value.clone(),
                    display_label: None,
                    comment: Some("Added with /v3/blocklist/add/".to_owned()),
                    metadata: None,
                    reference_session_id: Some(session.id),
                    reference_object_uuid: None,
                    created_at: self.clock.now(),
                };
                match self
                    .store
                    .insert_list_entry(app, &list, &entry, Some(&normalised))
                    .await
                {
                    Ok(()) => "blocklisted",
                    Err(StoreError::Conflict(_)) => "already_blocklisted",
                    Err(e) => return Err(e.into()),
                }
            } else {
                "no_data"
            };
            items.push(json!({"type": name, "status": status}));
        }
        Ok(json!({"session_id": session.id, "items": items}))
    }

    /// Legacy `GET /v3/blocklist/?item_type=`: the system blocklists' entries in the old
    /// `BlocklistItem` shape.
    pub async fn legacy_blocklist_items(
        &self,
        app: AppId,
        item_type: Option<&str>,
    ) -> ServiceResult<Vec<Value>> {
        let types: Vec<(&str, EntryType)> = match item_type {
            None | Some("") => LEGACY_TYPES.to_vec(),
            Some(raw) => match LEGACY_TYPES.iter().find(|(name, _)| *name == raw) {
                Some(found) => vec![*found],
                None => {
                    return Err(CoreError::field(
                        "item_type",
                        format!("\"{raw}\" is not a valid choice."),
                    )
                    .into())
                }
            },
        };
        self.store
            .ensure_system_lists(app, self.clock.now())
            .await?;
        let mut items = Vec::new();
        for (name, entry_type) in types {
            let Some(list) = self.store.system_list(app, entry_type).await? else {
                continue;
            };
            for entry in self.store.list_entries(app, list.id).await? {
                let session = match entry.reference_session_id {
                    Some(id) => self.store.session(app, id).await?,
                    None => None,
                };
                let value = |t: EntryType| (entry_type == t).then(|| entry.value.clone()).flatten();
                items.push(json!({
                    "type": name,
                    "uuid": entry.id,
                    "session_id": entry.reference_session_id,
                    "session_number": session.as_ref().map(|s| s.number),
                    "blocklisted_at": iso(entry.created_at),
                    "face_image": null,
                    "document_type": session.as_ref().and_then(|s| s.id_field("document_type")),
                    "document_number": value(EntryType::Document),
                    "phone_number": value(EntryType::Phone),
                    "email": value(EntryType::Email),
                }));
            }
        }
        Ok(items)
    }
}

/// The list-type filter from a query value.
pub fn parse_list_type(raw: &str) -> Result<ListType, CoreError> {
    ListType::parse(raw)
        .ok_or_else(|| CoreError::field("list_type", format!("\"{raw}\" is not a valid choice.")))
}

/// The entry-type filter from a query value.
pub fn parse_entry_type(raw: &str) -> Result<EntryType, CoreError> {
    EntryType::parse(raw)
        .ok_or_else(|| CoreError::field("entry_type", format!("\"{raw}\" is not a valid choice.")))
}
