//! Deliverability against a real DNS server on loopback (hickory-proto wire format over UDP).

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

use hickory_proto::op::{Message, MessageType, ResponseCode};
use hickory_proto::rr::rdata::{A, MX};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use tokio::net::UdpSocket;
use verifyd_contact::{
    Deliverability, DnsMailResolver, EmailAddress, EmailPolicy, LogType, MailDomainResolver,
    MailRoute, Risk,
};

use crate::emails;

/// What the test zone answers for (name, type); names absent from it are NXDOMAIN, and
/// `slow.test.` is never answered.
fn zone() -> HashMap<(String, RecordType), Vec<RData>> {
    let name = |s: &str| Name::from_str(s).unwrap();
    let mut z = HashMap::new();
    z.insert(
        ("mx.test.".to_owned(), RecordType::MX),
        vec![
            RData::MX(MX::new(20, name("backup.mx.test."))),
            RData::MX(MX::new(10, name("mail.mx.test."))),
        ],
    );
    z.insert(
        ("nullmx.test.".to_owned(), RecordType::MX),
        vec![RData::MX(MX::new(0, Name::root()))],
    );
    z.insert(("aonly.test.".to_owned(), RecordType::MX), vec![]);
    z.insert(
        ("aonly.test.".to_owned(), RecordType::A),
        vec![RData::A(A(Ipv4Addr::new(192, 0, 2, 1)))],
    );
    z.insert(("aonly.test.".to_owned(), RecordType::AAAA), vec![]);
    for t in [RecordType::MX, RecordType::A, RecordType::AAAA] {
        z.insert(("empty.test.".to_owned(), t), vec![]);
    }
    z
}

/// Serves the zone on 127.0.0.1 until the test's runtime ends.
async fn start_server() -> SocketAddr {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = socket.local_addr().unwrap();
    let zone = zone();
    tokio::spawn(async move {
        let mut buf = [0u8; 1500];
        while let Ok((len, peer)) = socket.recv_from(&mut buf).await {
            let Ok(query) = Message::from_vec(&buf[..len]) else {
                continue;
            };
            let Some(q) = query.queries().first().cloned() else {
                continue;
            };
            let qname = q.name().to_ascii().to_ascii_lowercase();
            if qname == "slow.test." {
                continue;
            }
            let mut reply = Message::new();
            reply
                .set_id(query.id())
                .set_message_type(MessageType::Response)
                .set_op_code(query.op_code())
                .set_recursion_desired(query.recursion_desired())
                .set_recursion_available(true)
                .add_query(q.clone());
            let name_known = zone.keys().any(|(n, _)| *n == qname);
            match zone.get(&(qname.clone(), q.query_type())) {
                Some(records) => {
                    for rdata in records {
                        reply.add_answer(Record::from_rdata(q.name().clone(), 60, rdata.clone()));
                    }
                }
                None if name_known => {}
                None => {
                    reply.set_response_code(ResponseCode::NXDomain);
                }
            }
            let _ = socket.send_to(&reply.to_vec().unwrap(), peer).await;
        }
    });
    addr
}

fn resolver(addr: SocketAddr) -> DnsMailResolver {
    DnsMailResolver::with_servers(&[addr], Duration::from_millis(300))
}

#[tokio::test]
async fn mail_routes_follow_rfc_5321_and_7505() {
    let dns = resolver(start_server().await);
    assert_eq!(
        dns.mail_route("mx.test").await.unwrap(),
        MailRoute::Hosts {
            hosts: vec!["mail.mx.test".into(), "backup.mx.test".into()],
            implicit: false
        }
    );
    assert_eq!(
        dns.mail_route("nullmx.test").await.unwrap(),
        MailRoute::NullMx
    );
    assert_eq!(
        dns.mail_route("aonly.test").await.unwrap(),
        MailRoute::Hosts {
            hosts: vec!["aonly.test".into()],
            implicit: true
        }
    );
    assert_eq!(
        dns.mail_route("empty.test").await.unwrap(),
        MailRoute::NoMailHost
    );
    assert_eq!(
        dns.mail_route("missing.test").await.unwrap(),
        MailRoute::NoSuchDomain
    );
    assert!(dns.mail_route("slow.test").await.is_err());
}

#[tokio::test]
async fn undeliverable_domains_always_decline_and_failed_lookups_prove_nothing() {
    let dns = resolver(start_server().await);
    let analyze = |raw: &'static str| {
        let dns = dns.clone();
        async move {
            emails()
                .analyze(&EmailAddress::parse(raw).unwrap(), &dns)
                .await
        }
    };
    let ok = analyze("ann@mx.test").await;
    assert!(matches!(
        ok.deliverability,
        Deliverability::Deliverable { .. }
    ));
    assert!(ok.warnings(&EmailPolicy::default()).is_empty());

    for raw in ["ann@missing.test", "ann@nullmx.test", "ann@empty.test"] {
        let bad = analyze(raw).await;
        assert!(bad.is_undeliverable(), "{raw}");
        let w = bad.warnings(&EmailPolicy::default());
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].risk, Risk::UndeliverableEmailDetected);
        assert_eq!(
            w[0].log_type,
            LogType::Error,
            "undeliverable ignores NO_ACTION"
        );
    }

    let unknown = analyze("ann@slow.test").await;
    assert!(matches!(unknown.deliverability, Deliverability::Unknown(_)));
    assert!(!unknown.is_undeliverable());
    assert!(unknown.warnings(&EmailPolicy::default()).is_empty());
    assert_eq!(unknown.deliverability.wire(), "unknown");
}
