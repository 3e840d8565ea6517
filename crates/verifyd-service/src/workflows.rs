//! Workflow management.

use serde_json::{Map, Value};
use verifyd_core::ids::{AppId, WorkflowId};
use verifyd_core::workflow::WorkflowSpec;
use verifyd_core::CoreError;
use verifyd_store::workflows::WorkflowRecord;

use crate::{ServiceResult, Services};

fn workflow_not_found() -> CoreError {
    CoreError::NotFound("Workflow does not exist for this application.".to_owned())
}

impl Services {
    /// Creates a workflow from either creation form.
    pub async fn create_workflow(
        &self,
        app: AppId,
        body: &Map<String, Value>,
    ) -> ServiceResult<WorkflowRecord> {
        let spec = WorkflowSpec::from_create(body)?;
        Ok(self
            .store
            .create_workflow(app, WorkflowId::new(), &spec, self.clock.now())
            .await?)
    }

    /// A page of workflows and the total.
    pub async fn list_workflows(
        &self,
        app: AppId,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<(i64, Vec<WorkflowRecord>)> {
        Ok(self.store.list_workflows(app, limit, offset).await?)
    }

    /// One workflow.
    pub async fn workflow(&self, app: AppId, id: WorkflowId) -> ServiceResult<WorkflowRecord> {
        self.store
            .workflow(app, id)
            .await?
            .ok_or_else(|| workflow_not_found().into())
    }

    /// Applies a partial update; a real change bumps the version.
    pub async fn update_workflow(
        &self,
        app: AppId,
        id: WorkflowId,
        body: &Map<String, Value>,
    ) -> ServiceResult<WorkflowRecord> {
        let current = self.workflow(app, id).await?;
        let spec = current.spec.patch(body)?;
        if spec == current.spec {
            return Ok(current);
        }
        Ok(self
            .store
            .update_workflow(app, &current, &spec, self.clock.now())
            .await?)
    }

    /// Deletes a workflow; existing sessions keep working.
    pub async fn delete_workflow(&self, app: AppId, id: WorkflowId) -> ServiceResult<()> {
        if self.store.delete_workflow(app, id).await? {
            Ok(())
        } else {
            Err(workflow_not_found().into())
        }
    }
}
