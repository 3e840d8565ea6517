//! Country names, ISO 3166-1 alpha-2 and alpha-3 codes → alpha-3.
//!
//! Lists spell countries every possible way ("Korea, North", "Democratic People's Republic of
//! Korea", "KP", "PRK"), and nationality only helps scoring if both sides agree on one code, so
//! everything is folded to alpha-3 here. Unknown spellings are kept verbatim by the caller.

/// `(alpha-2, alpha-3, names…)`; names are compared after lower-casing and dropping punctuation.
const COUNTRIES: &[(&str, &str, &[&str])] = &[
    ("AF", "AFG", &["afghanistan", "afghan"]),
    ("AL", "ALB", &["albania", "albanian"]),
    ("DZ", "DZA", &["algeria", "algerian"]),
    ("AD", "AND", &["andorra"]),
    ("AO", "AGO", &["angola", "angolan"]),
    ("AG", "ATG", &["antigua and barbuda"]),
    ("AR", "ARG", &["argentina", "argentinian", "argentine"]),
    ("AM", "ARM", &["armenia", "armenian"]),
    ("AU", "AUS", &["australia", "australian"]),
    ("AT", "AUT", &["austria", "austrian"]),
    ("AZ", "AZE", &["azerbaijan", "azerbaijani"]),
    ("BS", "BHS", &["bahamas", "the bahamas", "bahamas the"]),
    ("BH", "BHR", &["bahrain", "bahraini"]),
    ("BD", "BGD", &["bangladesh", "bangladeshi"]),
    ("BB", "BRB", &["barbados"]),
    ("BY", "BLR", &["belarus", "belarusian"]),
    ("BE", "BEL", &["belgium", "belgian"]),
    ("BZ", "BLZ", &["belize"]),
    ("BJ", "BEN", &["benin"]),
    ("BT", "BTN", &["bhutan"]),
    (
        "BO",
        "BOL",
        &["bolivia", "bolivian", "bolivia plurinational state of"],
    ),
    (
        "BA",
        "BIH",
        &["bosnia and herzegovina", "bosnia herzegovina", "bosnian"],
    ),
    ("BW", "BWA", &["botswana"]),
    ("BR", "BRA", &["brazil", "brazilian"]),
    ("BN", "BRN", &["brunei", "brunei darussalam"]),
    ("BG", "BGR", &["bulgaria", "bulgarian"]),
    ("BF", "BFA", &["burkina faso"]),
    ("BI", "BDI", &["burundi", "burundian"]),
    ("CV", "CPV", &["cabo verde", "cape verde"]),
    ("KH", "KHM", &["cambodia", "cambodian"]),
    ("CM", "CMR", &["cameroon", "cameroonian"]),
    ("CA", "CAN", &["canada", "canadian"]),
    ("CF", "CAF", &["central african republic"]),
    ("TD", "TCD", &["chad", "chadian"]),
    ("CL", "CHL", &["chile", "chilean"]),
    (
        "CN",
        "CHN",
        &["china", "chinese", "peoples republic of china"],
    ),
    ("CO", "COL", &["colombia", "colombian"]),
    ("KM", "COM", &["comoros"]),
    (
        "CG",
        "COG",
        &["congo", "republic of the congo", "congo republic of the"],
    ),
    (
        "CD",
        "COD",
        &[
            "democratic republic of the congo",
            "congo democratic republic of the",
            "drc",
            "dr congo",
        ],
    ),
    ("CR", "CRI", &["costa rica"]),
    ("CI", "CIV", &["cote divoire", "ivory coast"]),
    ("HR", "HRV", &["croatia", "croatian"]),
    ("CU", "CUB", &["cuba", "cuban"]),
    ("CY", "CYP", &["cyprus", "cypriot"]),
    ("CZ", "CZE", &["czech republic", "czechia", "czech"]),
    ("DK", "DNK", &["denmark", "danish"]),
    ("DJ", "DJI", &["djibouti"]),
    ("DM", "DMA", &["dominica"]),
    ("DO", "DOM", &["dominican republic"]),
    ("EC", "ECU", &["ecuador", "ecuadorian"]),
    ("EG", "EGY", &["egypt", "egyptian"]),
    ("SV", "SLV", &["el salvador", "salvadoran"]),
    ("GQ", "GNQ", &["equatorial guinea"]),
    ("ER", "ERI", &["eritrea", "eritrean"]),
    ("EE", "EST", &["estonia", "estonian"]),
    ("SZ", "SWZ", &["eswatini", "swaziland"]),
    ("ET", "ETH", &["ethiopia", "ethiopian"]),
    ("FJ", "FJI", &["fiji"]),
    ("FI", "FIN", &["finland", "finnish"]),
    ("FR", "FRA", &["france", "french"]),
    ("GA", "GAB", &["gabon"]),
    ("GM", "GMB", &["gambia", "the gambia", "gambia the"]),
    ("GE", "GEO", &["georgia", "georgian"]),
    ("DE", "DEU", &["germany", "german"]),
    ("GH", "GHA", &["ghana", "ghanaian"]),
    ("GR", "GRC", &["greece", "greek"]),
    ("GD", "GRD", &["grenada"]),
    ("GT", "GTM", &["guatemala", "guatemalan"]),
    ("GN", "GIN", &["guinea", "guinean"]),
    ("GW", "GNB", &["guinea bissau", "guineabissau"]),
    ("GY", "GUY", &["guyana"]),
    ("HT", "HTI", &["haiti", "haitian"]),
    ("HN", "HND", &["honduras", "honduran"]),
    ("HK", "HKG", &["hong kong"]),
    ("HU", "HUN", &["hungary", "hungarian"]),
    ("IS", "ISL", &["iceland"]),
    ("IN", "IND", &["india", "indian"]),
    ("ID", "IDN", &["indonesia", "indonesian"]),
    (
        "IR",
        "IRN",
        &[
            "iran",
            "iranian",
            "iran islamic republic of",
            "islamic republic of iran",
        ],
    ),
    ("IQ", "IRQ", &["iraq", "iraqi"]),
    ("IE", "IRL", &["ireland", "irish"]),
    ("IL", "ISR", &["israel", "israeli"]),
    ("IT", "ITA", &["italy", "italian"]),
    ("JM", "JAM", &["jamaica", "jamaican"]),
    ("JP", "JPN", &["japan", "japanese"]),
    ("JO", "JOR", &["jordan", "jordanian"]),
    ("KZ", "KAZ", &["kazakhstan", "kazakh"]),
    ("KE", "KEN", &["kenya", "kenyan"]),
    ("KI", "KIR", &["kiribati"]),
    (
        "KP",
        "PRK",
        &[
            "korea north",
            "north korea",
            "democratic peoples republic of korea",
            "dprk",
            "korea democratic peoples republic of",
        ],
    ),
    (
        "KR",
        "KOR",
        &[
            "korea south",
            "south korea",
            "republic of korea",
            "korea republic of",
        ],
    ),
    ("XK", "XKX", &["kosovo"]),
    ("KW", "KWT", &["kuwait", "kuwaiti"]),
    ("KG", "KGZ", &["kyrgyzstan", "kyrgyz"]),
    ("LA", "LAO", &["laos", "lao peoples democratic republic"]),
    ("LV", "LVA", &["latvia", "latvian"]),
    ("LB", "LBN", &["lebanon", "lebanese"]),
    ("LS", "LSO", &["lesotho"]),
    ("LR", "LBR", &["liberia", "liberian"]),
    ("LY", "LBY", &["libya", "libyan", "libyan arab jamahiriya"]),
    ("LI", "LIE", &["liechtenstein"]),
    ("LT", "LTU", &["lithuania", "lithuanian"]),
    ("LU", "LUX", &["luxembourg"]),
    ("MO", "MAC", &["macau", "macao"]),
    ("MG", "MDG", &["madagascar"]),
    ("MW", "MWI", &["malawi"]),
    ("MY", "MYS", &["malaysia", "malaysian"]),
    ("MV", "MDV", &["maldives"]),
    ("ML", "MLI", &["mali", "malian"]),
    ("MT", "MLT", &["malta", "maltese"]),
    ("MH", "MHL", &["marshall islands"]),
    ("MR", "MRT", &["mauritania", "mauritanian"]),
    ("MU", "MUS", &["mauritius"]),
    ("MX", "MEX", &["mexico", "mexican"]),
    (
        "FM",
        "FSM",
        &["micronesia", "micronesia federated states of"],
    ),
    (
        "MD",
        "MDA",
        &["moldova", "republic of moldova", "moldova republic of"],
    ),
    ("MC", "MCO", &["monaco"]),
    ("MN", "MNG", &["mongolia", "mongolian"]),
    ("ME", "MNE", &["montenegro"]),
    ("MA", "MAR", &["morocco", "moroccan"]),
    ("MZ", "MOZ", &["mozambique"]),
    ("MM", "MMR", &["burma", "myanmar", "burmese"]),
    ("NA", "NAM", &["namibia"]),
    ("NP", "NPL", &["nepal", "nepalese"]),
    ("NL", "NLD", &["netherlands", "the netherlands", "dutch"]),
    ("NZ", "NZL", &["new zealand"]),
    ("NI", "NIC", &["nicaragua", "nicaraguan"]),
    ("NE", "NER", &["niger"]),
    ("NG", "NGA", &["nigeria", "nigerian"]),
    (
        "MK",
        "MKD",
        &[
            "north macedonia",
            "macedonia",
            "macedonia the former yugoslav republic of",
        ],
    ),
    ("NO", "NOR", &["norway", "norwegian"]),
    ("OM", "OMN", &["oman", "omani"]),
    ("PK", "PAK", &["pakistan", "pakistani"]),
    ("PW", "PLW", &["palau"]),
    (
        "PS",
        "PSE",
        &[
            "palestine",
            "state of palestine",
            "palestinian",
            "possibly palestinian",
        ],
    ),
    ("PA", "PAN", &["panama", "panamanian"]),
    ("PG", "PNG", &["papua new guinea"]),
    ("PY", "PRY", &["paraguay", "paraguayan"]),
    ("PE", "PER", &["peru", "peruvian"]),
    ("PH", "PHL", &["philippines", "filipino"]),
    ("PL", "POL", &["poland", "polish"]),
    ("PT", "PRT", &["portugal", "portuguese"]),
    ("QA", "QAT", &["qatar", "qatari"]),
    ("RO", "ROU", &["romania", "romanian"]),
    ("RU", "RUS", &["russia", "russian federation", "russian"]),
    ("RW", "RWA", &["rwanda", "rwandan"]),
    ("KN", "KNA", &["saint kitts and nevis"]),
    ("LC", "LCA", &["saint lucia"]),
    ("VC", "VCT", &["saint vincent and the grenadines"]),
    ("WS", "WSM", &["samoa"]),
    ("SM", "SMR", &["san marino"]),
    ("ST", "STP", &["sao tome and principe"]),
    ("SA", "SAU", &["saudi arabia", "saudi"]),
    ("SN", "SEN", &["senegal", "senegalese"]),
    ("RS", "SRB", &["serbia", "serbian"]),
    ("SC", "SYC", &["seychelles"]),
    ("SL", "SLE", &["sierra leone"]),
    ("SG", "SGP", &["singapore", "singaporean"]),
    ("SK", "SVK", &["slovakia", "slovak"]),
    ("SI", "SVN", &["slovenia", "slovenian"]),
    ("SB", "SLB", &["solomon islands"]),
    ("SO", "SOM", &["somalia", "somali"]),
    ("ZA", "ZAF", &["south africa", "south african"]),
    ("SS", "SSD", &["south sudan"]),
    ("ES", "ESP", &["spain", "spanish"]),
    ("LK", "LKA", &["sri lanka"]),
    ("SD", "SDN", &["sudan", "sudanese"]),
    ("SR", "SUR", &["suriname"]),
    ("SE", "SWE", &["sweden", "swedish"]),
    ("CH", "CHE", &["switzerland", "swiss"]),
    ("SY", "SYR", &["syria", "syrian arab republic", "syrian"]),
    ("TW", "TWN", &["taiwan"]),
    ("TJ", "TJK", &["tajikistan", "tajik"]),
    (
        "TZ",
        "TZA",
        &[
            "tanzania",
            "united republic of tanzania",
            "tanzania united republic of",
        ],
    ),
    ("TH", "THA", &["thailand", "thai"]),
    ("TL", "TLS", &["timor leste", "east timor"]),
    ("TG", "TGO", &["togo"]),
    ("TO", "TON", &["tonga"]),
    ("TT", "TTO", &["trinidad and tobago"]),
    ("TN", "TUN", &["tunisia", "tunisian"]),
    ("TR", "TUR", &["turkey", "turkiye", "turkish"]),
    ("TM", "TKM", &["turkmenistan"]),
    ("TV", "TUV", &["tuvalu"]),
    ("UG", "UGA", &["uganda", "ugandan"]),
    ("UA", "UKR", &["ukraine", "ukrainian"]),
    ("AE", "ARE", &["united arab emirates", "uae", "emirati"]),
    (
        "GB",
        "GBR",
        &[
            "united kingdom",
            "united kingdom of great britain and northern ireland",
            "uk",
            "great britain",
            "british",
        ],
    ),
    (
        "US",
        "USA",
        &[
            "united states",
            "united states of america",
            "usa",
            "american",
        ],
    ),
    ("UY", "URY", &["uruguay", "uruguayan"]),
    ("UZ", "UZB", &["uzbekistan", "uzbek"]),
    ("VU", "VUT", &["vanuatu"]),
    (
        "VE",
        "VEN",
        &[
            "venezuela",
            "venezuelan",
            "venezuela bolivarian republic of",
        ],
    ),
    ("VN", "VNM", &["vietnam", "viet nam", "vietnamese"]),
    ("YE", "YEM", &["yemen", "yemeni"]),
    ("ZM", "ZMB", &["zambia"]),
    ("ZW", "ZWE", &["zimbabwe", "zimbabwean"]),
];

fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in crate::normalize::fold_latin(s).chars() {
        if c.is_ascii_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        } else if c == ' ' || c == ',' || c == '-' || c == '(' || c == ')' {
            space = true;
        }
        // apostrophes and other punctuation vanish ("people's" → "peoples")
    }
    out
}

/// Converts a country name, alpha-2 or alpha-3 code to alpha-3. `None` if unrecognised.
pub fn to_iso3(raw: &str) -> Option<&'static str> {
    let t = raw.trim();
    if t.len() == 2 || t.len() == 3 {
        let up = t.to_ascii_uppercase();
        for (a2, a3, _) in COUNTRIES {
            if (t.len() == 2 && *a2 == up) || (t.len() == 3 && *a3 == up) {
                return Some(a3);
            }
        }
        if up == "UK" {
            return Some("GBR");
        }
    }
    let f = fold(t);
    COUNTRIES
        .iter()
        .find(|(_, _, names)| names.iter().any(|n| *n == f))
        .map(|(_, a3, _)| *a3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_fold_to_one_code() {
        assert_eq!(to_iso3("Korea, North"), Some("PRK"));
        assert_eq!(
            to_iso3("Democratic People's Republic of Korea"),
            Some("PRK")
        );
        assert_eq!(to_iso3("kp"), Some("PRK"));
        assert_eq!(to_iso3("Iran (Islamic Republic of)"), Some("IRN"));
        assert_eq!(to_iso3("Türkiye"), Some("TUR"));
        assert_eq!(to_iso3("Congo, Democratic Republic of the"), Some("COD"));
        assert_eq!(to_iso3("Guinea-Bissau"), Some("GNB"));
        assert_eq!(to_iso3("Atlantis"), None);
    }
}
