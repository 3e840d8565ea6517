//! `verifyd lists …` and the scheduled refresh of sanctions/PEP lists from configured URLs.
//!
//! A configured source is `"<list>=<url> [<url> …]"`, e.g.
//! `"un=https://scsanctions.un.org/resources/xml/en/consolidated.xml"` or, for OFAC's CSV
//! triple, `"ofac-sdn=https://…/sdn.csv https://…/alt.csv https://…/add.csv"`. Downloads are
//! size-limited; an unchanged file is not imported again; a failed download or parse leaves
//! the stored list as it was.

use anyhow::{bail, Context};
use std::path::PathBuf;
use std::time::Duration;
use verifyd_service::screening::MonitoringReport;
use verifyd_service::Services;

/// The largest list file accepted from a URL (OpenSanctions' full PEP export is ~1 GB; the
/// official sanctions lists are tens of MB).
const MAX_DOWNLOAD_BYTES: usize = 2 * 1024 * 1024 * 1024;
/// How long one download may take.
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(600);

/// One configured source: a list slug and the URLs of its files, in import order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshSource {
    /// `ofac-sdn`, `un`, …
    pub list: String,
    /// Its files.
    pub urls: Vec<String>,
}

impl RefreshSource {
    /// Parses `"<list>=<url> [<url> …]"`.
    pub fn parse(spec: &str) -> anyhow::Result<Self> {
        let Some((list, urls)) = spec.split_once('=') else {
            bail!("list source {spec:?} must look like \"un=https://…\"");
        };
        let urls: Vec<String> = urls.split_whitespace().map(str::to_owned).collect();
        if urls.is_empty() {
            bail!("list source {spec:?} names no URL");
        }
        for url in &urls {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                bail!("list source URL {url:?} must be http(s)");
            }
        }
        Ok(Self {
            list: list.trim().to_owned(),
            urls,
        })
    }
}

/// `verifyd lists import --source LIST FILE…`: imports files into the store; prints the result.
pub async fn import_files(
    services: &Services,
    source: &str,
    files: &[PathBuf],
) -> anyhow::Result<()> {
    let mut contents = Vec::with_capacity(files.len());
    for file in files {
        contents.push(
            tokio::fs::read(file)
                .await
                .with_context(|| format!("reading {}", file.display()))?,
        );
    }
    let origin = files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(" ");
    let outcome = services
        .import_sanctions_list(source, &origin, contents)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let monitoring = if outcome.changed {
        monitor(services).await?
    } else {
        MonitoringReport::default()
    };
    println!(
        "{}",
        serde_json::json!({
            "source": outcome.info.source,
            "entities": outcome.info.entity_count,
            "changed": outcome.changed,
            "imported_at": outcome.info.imported_at.to_rfc3339(),
            "sha256": outcome.info.content_sha256,
            "rescreened_sessions": monitoring.screened,
            "sessions_with_new_hits": monitoring.with_new_hits,
        })
    );
    Ok(())
}

/// Ongoing monitoring after a list changed: approved sessions are screened again and those
/// with new hits get a `data.updated` event (delivered by the running servers).
async fn monitor(services: &Services) -> anyhow::Result<MonitoringReport> {
    services
        .rescreen_approved_sessions()
        .await
        .map_err(|e| anyhow::anyhow!("ongoing monitoring: {e}"))
}

/// `verifyd lists status`: one JSON line per imported list.
pub async fn print_status(services: &Services) -> anyhow::Result<()> {
    for info in services
        .sanctions_lists()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        println!(
            "{}",
            serde_json::json!({
                "source": info.source,
                "entities": info.entity_count,
                "imported_at": info.imported_at.to_rfc3339(),
                "origin": info.origin,
                "sha256": info.content_sha256,
            })
        );
    }
    Ok(())
}

/// Downloads and imports every configured source once; returns how many lists changed. One
/// failing source is logged and does not stop the others.
pub async fn refresh(services: &Services, sources: &[RefreshSource]) -> anyhow::Result<usize> {
    let client = reqwest::Client::builder()
        .timeout(DOWNLOAD_TIMEOUT)
        .user_agent(concat!("verifyd/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("building the HTTP client")?;
    let mut changed = 0;
    for source in sources {
        match refresh_one(services, &client, source).await {
            Ok(true) => changed += 1,
            Ok(false) => tracing::info!(list = %source.list, "sanctions list unchanged"),
            Err(err) => {
                tracing::error!(list = %source.list, error = %format!("{err:#}"), "sanctions list refresh failed; the stored list is kept")
            }
        }
    }
    if changed > 0 {
        monitor(services).await?;
    }
    Ok(changed)
}

async fn refresh_one(
    services: &Services,
    client: &reqwest::Client,
    source: &RefreshSource,
) -> anyhow::Result<bool> {
    let mut files = Vec::with_capacity(source.urls.len());
    for url in &source.urls {
        files.push(download(client, url).await?);
    }
    let outcome = services
        .import_sanctions_list(&source.list, &source.urls.join(" "), files)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if outcome.changed {
        tracing::info!(list = %source.list, entities = outcome.info.entity_count, "sanctions list refreshed");
    }
    Ok(outcome.changed)
}

async fn download(client: &reqwest::Client, url: &str) -> anyhow::Result<Vec<u8>> {
    let mut response = client
        .get(url)
        .send()
        .await
        .with_context(|| format!("downloading {url}"))?
        .error_for_status()
        .with_context(|| format!("downloading {url}"))?;
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .with_context(|| format!("downloading {url}"))?
    {
        if body.len() + chunk.len() > MAX_DOWNLOAD_BYTES {
            bail!("{url} is larger than {MAX_DOWNLOAD_BYTES} bytes");
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Refreshes the configured sources now and then every `every`, for the life of the server.
pub async fn refresh_forever(services: Services, sources: Vec<RefreshSource>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        match refresh(&services, &sources).await {
            Ok(0) => {}
            Ok(changed) => tracing::info!(changed, "sanctions lists refreshed"),
            Err(err) => {
                tracing::warn!(error = %format!("{err:#}"), "sanctions list refresh failed")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_source_with_several_files() {
        let s = RefreshSource::parse("ofac-sdn=https://a/sdn.csv  https://a/alt.csv").unwrap();
        assert_eq!(s.list, "ofac-sdn");
        assert_eq!(s.urls, ["https://a/sdn.csv", "https://a/alt.csv"]);
    }

    #[test]
    fn refuses_sources_without_urls_or_with_other_schemes() {
        assert!(RefreshSource::parse("un").is_err());
        assert!(RefreshSource::parse("un=").is_err());
        assert!(RefreshSource::parse("un=file:///etc/passwd").is_err());
    }
}
