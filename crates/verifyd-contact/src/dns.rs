//! Whether a mail domain can receive mail, asked of DNS behind a small trait so the service can
//! use the system resolver, a configured one, or none.
//!
//! The rule is RFC 5321 §5.1: mail goes to the domain's MX hosts; a domain without MX records
//! but with an address record is its own mail host (implicit MX); RFC 7505's "null MX" (a single
//! MX of `.`) says the domain accepts no mail. A domain that does not exist (NXDOMAIN) cannot
//! receive mail. A timeout or server failure proves nothing, and is reported as such — never as
//! undeliverable.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::xfer::Protocol;
use hickory_resolver::{Name, ResolveError, TokioResolver};

/// What DNS says about a domain's mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailRoute {
    /// Mail is accepted by these hosts (MX targets by preference, or the domain itself when it
    /// has only address records).
    Hosts {
        /// Host names, most preferred first.
        hosts: Vec<String>,
        /// `true` when the domain had no MX and its address record stands in.
        implicit: bool,
    },
    /// The domain does not exist.
    NoSuchDomain,
    /// The domain publishes a null MX: it accepts no mail.
    NullMx,
    /// The domain exists but has neither MX nor address records.
    NoMailHost,
}

/// A lookup that could not be answered (timeout, refused, server failure, no resolver).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("mail domain lookup failed: {0}")]
pub struct LookupFailed(pub String);

/// Answers "where does mail for this domain go". The domain is ASCII (IDNA-encoded), lower case.
pub trait MailDomainResolver: Send + Sync {
    /// Looks the domain's mail route up.
    fn mail_route(
        &self,
        domain: &str,
    ) -> impl Future<Output = Result<MailRoute, LookupFailed>> + Send;
}

/// [`MailDomainResolver`] over DNS with hickory's resolver (answers cached by TTL).
#[derive(Clone)]
pub struct DnsMailResolver {
    resolver: TokioResolver,
}

impl DnsMailResolver {
    /// The operating system's resolver configuration (`/etc/resolv.conf`), with `timeout` per
    /// query and one retry.
    pub fn system(timeout: Duration) -> Result<Self, LookupFailed> {
        let mut builder = TokioResolver::builder_tokio()
            .map_err(|e| LookupFailed(format!("system resolver configuration: {e}")))?;
        tune(builder.options_mut(), timeout);
        Ok(Self {
            resolver: builder.build(),
        })
    }

    /// Specific name servers (UDP, falling back to TCP for truncated answers).
    pub fn with_servers(servers: &[SocketAddr], timeout: Duration) -> Self {
        let mut config = ResolverConfig::new();
        for server in servers {
            config.add_name_server(NameServerConfig::new(*server, Protocol::Udp));
            config.add_name_server(NameServerConfig::new(*server, Protocol::Tcp));
        }
        let mut builder =
            TokioResolver::builder_with_config(config, TokioConnectionProvider::default());
        tune(builder.options_mut(), timeout);
        Self {
            resolver: builder.build(),
        }
    }

    async fn has_address(&self, name: &Name) -> Result<bool, ResolveError> {
        match self.resolver.lookup_ip(name.clone()).await {
            Ok(ips) => Ok(ips.iter().next().is_some()),
            Err(e) if e.is_no_records_found() => Ok(false),
            Err(e) => Err(e),
        }
    }
}

fn tune(options: &mut ResolverOpts, timeout: Duration) {
    options.timeout = timeout;
    options.attempts = 2;
    // Mail domains are absolute names: never try the host's search domains.
    options.ndots = 0;
    options.use_hosts_file = hickory_resolver::config::ResolveHosts::Never;
}

impl std::fmt::Debug for DnsMailResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DnsMailResolver").finish_non_exhaustive()
    }
}

impl MailDomainResolver for DnsMailResolver {
    async fn mail_route(&self, domain: &str) -> Result<MailRoute, LookupFailed> {
        let failed = |e: ResolveError| LookupFailed(e.to_string());
        let name = Name::from_ascii(format!("{}.", domain.trim_end_matches('.')))
            .map_err(|e| LookupFailed(e.to_string()))?;
        match self.resolver.mx_lookup(name.clone()).await {
            Ok(mx) => {
                let mut records: Vec<(u16, String)> = mx
                    .iter()
                    .map(|r| (r.preference(), r.exchange().to_ascii()))
                    .collect();
                records.sort();
                // RFC 7505: a single MX whose exchange is the root.
                if records.len() == 1 && records[0].1 == "." {
                    return Ok(MailRoute::NullMx);
                }
                let hosts: Vec<String> = records
                    .into_iter()
                    .filter(|(_, host)| host != ".")
                    .map(|(_, host)| host.trim_end_matches('.').to_owned())
                    .collect();
                if hosts.is_empty() {
                    return Ok(MailRoute::NullMx);
                }
                Ok(MailRoute::Hosts {
                    hosts,
                    implicit: false,
                })
            }
            Err(e) if e.is_nx_domain() => Ok(MailRoute::NoSuchDomain),
            Err(e) if e.is_no_records_found() => {
                if self.has_address(&name).await.map_err(failed)? {
                    Ok(MailRoute::Hosts {
                        hosts: vec![domain.to_owned()],
                        implicit: true,
                    })
                } else {
                    Ok(MailRoute::NoMailHost)
                }
            }
            Err(e) => Err(failed(e)),
        }
    }
}
