//! Device fields from User-Agents and client hints.

use verifyd_contact::{DeviceSignals, Platform};

use crate::devices;

fn ua(s: &str) -> DeviceSignals<'_> {
    DeviceSignals {
        user_agent: Some(s),
        ..DeviceSignals::default()
    }
}

#[test]
fn desktop_and_mobile_browsers() {
    let p = devices();
    let win = p.parse(&ua("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"));
    assert_eq!(win.browser_family.as_deref(), Some("Chrome"));
    assert_eq!(win.os_family.as_deref(), Some("Windows"));
    assert_eq!(win.platform, Platform::Desktop);
    assert_eq!(win.device_brand, None);

    let iphone = p.parse(&ua("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"));
    assert_eq!(iphone.device_brand.as_deref(), Some("Apple"));
    assert_eq!(iphone.device_model.as_deref(), Some("iPhone"));
    assert_eq!(iphone.os_family.as_deref(), Some("iOS"));
    assert_eq!(iphone.os_version.as_deref(), Some("17.4"));
    assert_eq!(iphone.browser_family.as_deref(), Some("Mobile Safari"));
    assert_eq!(iphone.platform, Platform::Mobile);

    let samsung = p.parse(&ua("Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36"));
    assert_eq!(samsung.device_brand.as_deref(), Some("Samsung"));
    assert_eq!(samsung.device_model.as_deref(), Some("SM-S918B"));
    assert_eq!(samsung.platform, Platform::Mobile);

    let ipad = p.parse(&ua("Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1"));
    assert_eq!(ipad.platform, Platform::Tablet);

    let bot = p.parse(&ua(
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    ));
    assert_eq!(bot.platform, Platform::Bot);
}

#[test]
fn client_hints_override_the_frozen_user_agent() {
    let frozen = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36";
    let p = devices();
    let bare = p.parse(&ua(frozen));
    assert_eq!(bare.device_model, None, "the frozen UA's `K` is no model");
    let hinted = p.parse(&DeviceSignals {
        user_agent: Some(frozen),
        ch_ua: Some(r#""Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99""#),
        ch_ua_mobile: Some("?1"),
        ch_ua_platform: Some(r#""Android""#),
        ch_ua_platform_version: Some(r#""14.0.0""#),
        ch_ua_model: Some(r#""Pixel 8""#),
        ..DeviceSignals::default()
    });
    assert_eq!(hinted.device_model.as_deref(), Some("Pixel 8"));
    assert_eq!(hinted.browser_family.as_deref(), Some("Google Chrome"));
    assert_eq!(hinted.browser_version.as_deref(), Some("124"));
    assert_eq!(hinted.os_family.as_deref(), Some("Android"));
    assert_eq!(hinted.os_version.as_deref(), Some("14.0.0"));
    assert_eq!(hinted.platform, Platform::Mobile);
}

#[test]
fn app_signals_and_empty_input() {
    let p = devices();
    let app = p.parse(&DeviceSignals {
        device_platform: Some("ios"),
        device_model: Some("iPhone17,2"),
        os_version: Some("18.0.1"),
        ..DeviceSignals::default()
    });
    assert_eq!(app.device_model.as_deref(), Some("iPhone17,2"));
    assert_eq!(app.os_family.as_deref(), Some("iOS"));
    assert_eq!(app.device_brand.as_deref(), Some("Apple"));
    assert_eq!(app.platform, Platform::Mobile);
    let nothing = p.parse(&DeviceSignals::default());
    assert_eq!(nothing.platform, Platform::Unknown);
    assert_eq!(nothing.browser_family, None);
    // Oversized headers are cut, not rejected.
    let long = "x".repeat(100_000);
    assert_eq!(p.parse(&ua(&long)).platform, Platform::Unknown);
}
