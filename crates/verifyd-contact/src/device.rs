//! Devices from the User-Agent and the client hints (`Sec-CH-UA-*`): brand, model, browser,
//! operating system and platform, with ua-parser's rules (uap-core `regexes.yaml`, Apache-2.0,
//! vendored in `data/`) through the `uaparser` crate.
//!
//! Client hints win where they are given, because browsers now freeze the User-Agent (Chrome on
//! Android sends `Linux; Android 10; K` whatever the phone): `Sec-CH-UA-Model` gives the model,
//! `Sec-CH-UA-Platform` the OS, `Sec-CH-UA-Mobile` the form factor, `Sec-CH-UA` the browser.

use uaparser::{Parser, UserAgentParser};

use crate::error::DataError;

const BUILTIN_RULES: &[u8] = include_bytes!("../data/uap_regexes.yaml");

/// Longest User-Agent parsed (the standalone APIs allow 512 characters; headers can be longer).
const MAX_USER_AGENT: usize = 1024;

/// What a client sent about itself. Every field is optional; headers are passed raw.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeviceSignals<'a> {
    /// `User-Agent`.
    pub user_agent: Option<&'a str>,
    /// `Sec-CH-UA` (or `Sec-CH-UA-Full-Version-List`): `"Chromium";v="124", "Google Chrome";v="124"`.
    pub ch_ua: Option<&'a str>,
    /// `Sec-CH-UA-Mobile`: `?1` or `?0`.
    pub ch_ua_mobile: Option<&'a str>,
    /// `Sec-CH-UA-Platform`: `"Android"`.
    pub ch_ua_platform: Option<&'a str>,
    /// `Sec-CH-UA-Platform-Version`: `"14.0.0"`.
    pub ch_ua_platform_version: Option<&'a str>,
    /// `Sec-CH-UA-Model`: `"SM-S918B"`.
    pub ch_ua_model: Option<&'a str>,
    /// The risk APIs' `signals.device_platform` (`android`, `ios`, `ipados`, `tvos`, `web`).
    pub device_platform: Option<&'a str>,
    /// The risk APIs' `signals.device_model` (`iPhone17,2`).
    pub device_model: Option<&'a str>,
    /// The risk APIs' `signals.os_version`.
    pub os_version: Option<&'a str>,
}

/// The device's form factor (`platform`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// Phone.
    Mobile,
    /// Tablet.
    Tablet,
    /// Desktop or laptop.
    Desktop,
    /// Television or console.
    Tv,
    /// A crawler or script.
    Bot,
    /// Nothing to tell.
    Unknown,
}

impl Platform {
    /// The wire value (`mobile`, `tablet`, `desktop`, `tv`, `bot`, `unknown`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mobile => "mobile",
            Self::Tablet => "tablet",
            Self::Desktop => "desktop",
            Self::Tv => "tv",
            Self::Bot => "bot",
            Self::Unknown => "unknown",
        }
    }
}

/// The device fields of an `ip_analyses[]` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    /// `device_brand` (`Samsung`, `Apple`); `None` for generic desktops.
    pub device_brand: Option<String>,
    /// `device_model` (`SM-S918B`, `iPhone`).
    pub device_model: Option<String>,
    /// `browser_family` (`Chrome`, `Mobile Safari`).
    pub browser_family: Option<String>,
    /// The browser's major version.
    pub browser_version: Option<String>,
    /// `os_family` (`Android`, `iOS`, `Windows`, `Mac OS X`).
    pub os_family: Option<String>,
    /// The OS version (`14`, `17.4`).
    pub os_version: Option<String>,
    /// `platform`.
    pub platform: Platform,
}

/// Parses device signals. Compiling the rules takes a moment: build it once and share it.
pub struct DeviceParser {
    rules: UserAgentParser,
}

impl std::fmt::Debug for DeviceParser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceParser").finish_non_exhaustive()
    }
}

/// A value that names nothing: ua-parser's placeholders and the frozen UA's `K`.
fn meaningful(value: &str) -> Option<String> {
    let v = value.trim().trim_matches('"').trim();
    let placeholder = v.is_empty()
        || matches!(
            v,
            "Other" | "K" | "Generic" | "Generic_Android" | "Generic Smartphone"
        )
        || v.starts_with("Generic_");
    (!placeholder).then(|| v.to_owned())
}

impl DeviceParser {
    /// With the vendored rules.
    pub fn builtin() -> Result<Self, DataError> {
        Self::from_rules(BUILTIN_RULES)
    }

    /// With another copy of uap-core's `regexes.yaml`.
    pub fn from_rules(yaml: &[u8]) -> Result<Self, DataError> {
        // Unicode classes off: the rules are ASCII, and the regexes compile and run several
        // times faster without them.
        let rules = UserAgentParser::builder()
            .with_unicode_support(false)
            .build_from_bytes(yaml)
            .map_err(|e| DataError::UserAgentRules(e.to_string()))?;
        Ok(Self { rules })
    }

    /// Reads the signals into device fields.
    pub fn parse(&self, signals: &DeviceSignals<'_>) -> DeviceInfo {
        let ua = signals
            .user_agent
            .map(|u| truncate(u.trim(), MAX_USER_AGENT))
            .unwrap_or_default();
        let client = self.rules.parse(ua);

        let mut brand = client.device.brand.as_deref().and_then(meaningful);
        let mut model = client.device.model.as_deref().and_then(meaningful);
        let device_family = meaningful(&client.device.family);
        let mut os_family = meaningful(&client.os.family);
        let mut os_version =
            client
                .os
                .major
                .as_deref()
                .map(|major| match client.os.minor.as_deref() {
                    Some(minor) => format!("{major}.{minor}"),
                    None => major.to_owned(),
                });
        let mut browser_family = meaningful(&client.user_agent.family);
        let mut browser_version = client.user_agent.major.as_deref().map(str::to_owned);

        // Client hints and app signals override the frozen User-Agent.
        if let Some(hinted) = signals
            .ch_ua_model
            .and_then(meaningful)
            .or_else(|| signals.device_model.and_then(meaningful))
        {
            model = Some(hinted);
        }
        if let Some(platform) = signals.ch_ua_platform.and_then(meaningful) {
            os_family = Some(platform_os_name(&platform));
            if let Some(v) = signals.ch_ua_platform_version.and_then(meaningful) {
                os_version = Some(v);
            }
        } else if let Some(p) = signals.device_platform {
            if let Some(name) = app_platform_os_name(p) {
                os_family = Some(name.to_owned());
            }
        }
        if let Some(v) = signals.os_version.and_then(meaningful) {
            os_version = Some(v);
        }
        if let Some((name, version)) = signals.ch_ua.and_then(preferred_brand) {
            browser_family = Some(name);
            browser_version = Some(version);
        }
        if brand.is_none()
            && matches!(
                os_family.as_deref(),
                Some("iOS" | "iPadOS" | "Mac OS X" | "macOS")
            )
        {
            brand = Some("Apple".to_owned());
        }

        let is_bot = device_family.as_deref() == Some("Spider");
        let platform = if is_bot {
            Platform::Bot
        } else {
            form_factor(signals, ua, device_family.as_deref(), os_family.as_deref())
        };
        if is_bot {
            brand = None;
            model = None;
        }
        DeviceInfo {
            device_brand: brand,
            device_model: model,
            browser_family,
            browser_version,
            os_family,
            os_version,
            platform,
        }
    }
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `Sec-CH-UA-Platform` values as ua-parser names the same systems.
fn platform_os_name(platform: &str) -> String {
    match platform {
        "macOS" => "Mac OS X".to_owned(),
        "Chrome OS" | "Chromium OS" => "Chrome OS".to_owned(),
        other => other.to_owned(),
    }
}

fn app_platform_os_name(platform: &str) -> Option<&'static str> {
    match platform.trim().to_ascii_lowercase().as_str() {
        "android" => Some("Android"),
        "ios" => Some("iOS"),
        "ipados" => Some("iPadOS"),
        "tvos" => Some("tvOS"),
        _ => None,
    }
}

/// The real browser in a `Sec-CH-UA` list: not a GREASE entry ("Not A;Brand"), and not the
/// `Chromium` engine entry when a product is named beside it.
fn preferred_brand(header: &str) -> Option<(String, String)> {
    let brands: Vec<(String, String)> = header
        .split(',')
        .filter_map(|item| {
            let (name, rest) = item.trim().split_once(';')?;
            let version = rest.trim().strip_prefix("v=")?;
            let name = name.trim().trim_matches('"').to_owned();
            let major = version.trim_matches('"').split('.').next()?.to_owned();
            Some((name, major))
        })
        .filter(|(name, _)| !(name.contains("Not") && name.contains("Brand")))
        .collect();
    brands
        .iter()
        .find(|(name, _)| name != "Chromium")
        .or_else(|| brands.first())
        .cloned()
}

fn form_factor(
    signals: &DeviceSignals<'_>,
    ua: &str,
    device_family: Option<&str>,
    os_family: Option<&str>,
) -> Platform {
    let family = device_family.unwrap_or_default();
    if family.contains("iPad")
        || family.contains("Tablet")
        || signals.device_platform == Some("ipados")
    {
        return Platform::Tablet;
    }
    if signals.device_platform == Some("tvos") || ua.contains("SmartTV") || ua.contains("SMART-TV")
    {
        return Platform::Tv;
    }
    match signals.ch_ua_mobile.map(str::trim) {
        Some("?1") => return Platform::Mobile,
        Some("?0") if os_family != Some("Android") => return Platform::Desktop,
        _ => {}
    }
    match os_family {
        // Android tablets omit "Mobile" from the User-Agent.
        Some("Android") if !ua.is_empty() && !ua.contains("Mobile") => Platform::Tablet,
        Some("Android" | "iOS" | "Windows Phone" | "KaiOS" | "BlackBerry OS") => Platform::Mobile,
        Some("Windows" | "Mac OS X" | "Linux" | "Ubuntu" | "Chrome OS" | "Fedora" | "FreeBSD") => {
            Platform::Desktop
        }
        _ if signals.device_platform == Some("android")
            || signals.device_platform == Some("ios") =>
        {
            Platform::Mobile
        }
        _ => Platform::Unknown,
    }
}
