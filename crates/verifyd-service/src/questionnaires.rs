//! Questionnaires: create, read, list, update (a new version on every change), delete.

use serde_json::{Map, Value};
use verifyd_core::ids::{AppId, QuestionnaireId};
use verifyd_core::questionnaire::{Questionnaire, QuestionnaireSpec};
use verifyd_core::CoreError;

use crate::{ServiceResult, Services};

impl Services {
    /// Creates a questionnaire (validation errors in DRF's nested shape).
    pub async fn create_questionnaire(
        &self,
        app: AppId,
        body: &Map<String, Value>,
    ) -> ServiceResult<Questionnaire> {
        let spec = QuestionnaireSpec::parse(body, None).map_err(CoreError::InvalidTree)?;
        let now = self.clock.now();
        let questionnaire = Questionnaire {
            id: QuestionnaireId::new(),
            app_id: app,
            spec,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        self.store.insert_questionnaire(app, &questionnaire).await?;
        Ok(questionnaire)
    }

    /// One questionnaire.
    pub async fn questionnaire(
        &self,
        app: AppId,
        id: QuestionnaireId,
    ) -> ServiceResult<Questionnaire> {
        self.store
            .questionnaire(app, id)
            .await?
            .ok_or_else(|| CoreError::not_found().into())
    }

    /// A page of questionnaires, newest first.
    pub async fn questionnaires(
        &self,
        app: AppId,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<(i64, Vec<Questionnaire>)> {
        Ok(self.store.questionnaires(app, limit, offset).await?)
    }

    /// Applies a partial update, re-validating the whole questionnaire.
    pub async fn update_questionnaire(
        &self,
        app: AppId,
        id: QuestionnaireId,
        body: &Map<String, Value>,
    ) -> ServiceResult<Questionnaire> {
        let mut questionnaire = self.questionnaire(app, id).await?;
        let spec = QuestionnaireSpec::parse(body, Some(&questionnaire.spec))
            .map_err(CoreError::InvalidTree)?;
        if spec != questionnaire.spec {
            questionnaire.spec = spec;
            questionnaire.version += 1;
            questionnaire.updated_at = self.clock.now();
            self.store.save_questionnaire(app, &questionnaire).await?;
        }
        Ok(questionnaire)
    }

    /// Deletes a questionnaire.
    pub async fn delete_questionnaire(&self, app: AppId, id: QuestionnaireId) -> ServiceResult<()> {
        if !self.store.delete_questionnaire(app, id).await? {
            return Err(CoreError::not_found().into());
        }
        Ok(())
    }
}
