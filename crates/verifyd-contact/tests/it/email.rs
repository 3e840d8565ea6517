//! Email syntax, normalisation and provider lists.

use verifyd_contact::{Action, BreachCheck, EmailAddress, EmailError, EmailPolicy, LogType, Risk};

use crate::emails;

#[test]
fn addresses_are_normalised() {
    let e = EmailAddress::parse("  Zoe.Doe+News@Outlook.COM ").unwrap();
    assert_eq!(e.as_str(), "zoe.doe+news@outlook.com");
    assert_eq!(
        (e.local_part(), e.domain()),
        ("zoe.doe+news", "outlook.com")
    );
    assert_eq!(e.mailbox_key(), "zoe.doe@outlook.com");
    let g = EmailAddress::parse("J.Smith+x@googlemail.com").unwrap();
    assert_eq!(g.mailbox_key(), "jsmith@gmail.com");
    // Internationalised domains are matched in their ASCII form.
    let idn = EmailAddress::parse("ana@correo.españa.es").unwrap();
    assert_eq!(idn.domain(), "correo.xn--espaa-rta.es");
}

#[test]
fn invalid_addresses_are_refused() {
    for bad in [
        "",
        "no-at-sign",
        "a@b",
        "a@@b.com",
        "Ann <ann@example.com>",
        "ann@[192.0.2.1]",
        "ann@exa mple.com",
        "ann@.example.com",
        &format!("{}@example.com", "a".repeat(250)),
    ] {
        assert_eq!(
            EmailAddress::parse(bad),
            Err(EmailError::Invalid),
            "{bad:?}"
        );
    }
}

#[test]
fn disposable_and_free_domains_match_with_subdomains() {
    let lists = emails();
    let classify = |raw: &str| lists.classify(&EmailAddress::parse(raw).unwrap());
    let d = classify("x@mailinator.com");
    assert_eq!(d.disposable_domain.as_deref(), Some("mailinator.com"));
    assert!(d.is_disposable() && !d.is_free_domain);
    let sub = classify("x@inbox.eu.mailinator.com");
    assert_eq!(sub.disposable_domain.as_deref(), Some("mailinator.com"));
    let gmail = classify("ann@gmail.com");
    assert!(gmail.is_free_domain && !gmail.is_disposable());
    let work = classify("ann@verifyd-example-company.com");
    assert!(!work.is_free_domain && !work.is_disposable());
    assert_eq!(work.breach_check, BreachCheck::NotChecked);
}

#[test]
fn disposable_warning_follows_the_action() {
    let a = emails().classify(&EmailAddress::parse("x@yopmail.com").unwrap());
    let none = a.warnings(&EmailPolicy::default());
    assert_eq!(none.len(), 1);
    assert_eq!(none[0].risk, Risk::DisposableEmailDetected);
    assert_eq!(none[0].log_type, LogType::Information);
    let decline = a.warnings(&EmailPolicy {
        disposable_email_action: Action::Decline,
    });
    assert_eq!(decline[0].log_type, LogType::Error);
    assert_eq!(
        decline[0].to_json()["additional_data"]["domain"],
        "yopmail.com"
    );
    // Not looked up in DNS: not called undeliverable.
    assert!(!a.is_undeliverable());
}
