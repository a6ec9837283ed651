//! Company-name and country normalization: table tests (one case per line)
//! and property tests.

use firmlink_normalize::company::{legal_form_of, normalize_company, strip_legal_form};
use firmlink_normalize::country::{Region, all_countries, by_alpha2, by_alpha3, normalize_country};
use proptest::prelude::*;

/// (input, record country, display name, key, legal form, legal-form country)
type CompanyCase = (
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
);

#[rustfmt::skip]
const COMPANIES: &[CompanyCase] = &[
    // United States, Canada
    ("Acme, Inc.", None, "Acme", "acme", Some("Inc"), None),
    ("ACME Incorporated", None, "ACME", "acme", Some("Inc"), Some("US")),
    ("Acme Inc", Some("US"), "Acme", "acme", Some("Inc"), Some("US")),
    ("The Coca-Cola Company", Some("US"), "Coca-Cola", "coca cola", Some("Co"), Some("US")),
    ("Boeing Company, The", None, "Boeing", "boeing", Some("Co"), None),
    ("AT&T Inc.", Some("US"), "AT&T", "att", Some("Inc"), Some("US")),
    ("International Business Machines Corp", Some("US"), "International Business Machines", "international business machines", Some("Corp"), Some("US")),
    ("Goldman Sachs & Co. LLC", Some("US"), "Goldman Sachs", "goldman sachs", Some("Co LLC"), Some("US")),
    ("J.P. Morgan Chase & Co.", None, "J.P. Morgan Chase", "jp morgan chase", Some("Co"), None),
    ("McDonald's Corporation", None, "McDonald's", "mcdonalds", Some("Corp"), None),
    ("Wal-Mart Stores, Inc.", None, "Wal-Mart Stores", "wal mart stores", Some("Inc"), None),
    ("Bank of America, N.A.", Some("US"), "Bank of America", "bank of america", Some("N.A."), Some("US")),
    ("Smith & Jones, P.C.", Some("US"), "Smith & Jones", "smith and jones", Some("PC"), Some("US")),
    ("Acme Intl Mfg Svcs Ltd", None, "Acme Intl Mfg Svcs", "acme international manufacturing services", Some("Ltd"), None),
    ("Acme Co Holdings", None, "Acme Co Holdings", "acme company holdings", None, None),
    ("Smith Bros. Assoc. LLC", None, "Smith Bros. Assoc.", "smith brothers associates", Some("LLC"), None),
    ("A.C.M.E. Corp.", None, "A.C.M.E.", "acme", Some("Corp"), None),
    ("3M Company", None, "3M", "3m", Some("Co"), None),
    ("AO Smith Corp", Some("US"), "AO Smith", "ao smith", Some("Corp"), Some("US")),
    ("Serenity Day Spa", Some("US"), "Serenity Day Spa", "serenity day spa", None, None),
    ("Shopify Inc.", Some("CA"), "Shopify", "shopify", Some("Inc"), Some("CA")),
    ("Bombardier Ltée", Some("CA"), "Bombardier", "bombardier", Some("Ltée"), Some("CA")),
    ("Royal Trust Company", Some("CA"), "Royal Trust", "royal trust", Some("Co."), Some("CA")),
    // what must stay
    ("Limited", None, "Limited", "limited", None, None),
    ("The Limited", None, "Limited", "limited", None, None),
    ("Co", None, "Co", "co", None, None),
    ("AB InBev", None, "AB InBev", "ab inbev", None, None),
    ("Standard Chartered PLC", Some("GB"), "Standard Chartered", "standard chartered", Some("PLC"), Some("GB")),
    // United Kingdom, Ireland, Australia, New Zealand, South Africa
    ("Tesco PLC", Some("GB"), "Tesco", "tesco", Some("PLC"), Some("GB")),
    ("Rolls-Royce Holdings plc", None, "Rolls-Royce Holdings", "rolls royce holdings", Some("PLC"), None),
    ("Acme Widgets Limited", Some("GB"), "Acme Widgets", "acme widgets", Some("Ltd"), Some("GB")),
    ("Ryanair DAC", Some("IE"), "Ryanair", "ryanair", Some("DAC"), Some("IE")),
    ("BHP Group Pty Ltd", Some("AU"), "BHP Group", "bhp group", Some("Pty Ltd"), Some("AU")),
    ("Atlassian Pty. Limited", None, "Atlassian", "atlassian", Some("Pty Ltd"), Some("AU")),
    ("Acme (Pty) Ltd", Some("ZA"), "Acme", "acme", Some("Pty Ltd"), Some("ZA")),
    ("Fonterra Co-operative Group Limited", Some("NZ"), "Fonterra Co-operative Group", "fonterra cooperative group", Some("Ltd"), Some("NZ")),
    // South and South-East Asia
    ("Tata Consultancy Services Limited", Some("IN"), "Tata Consultancy Services", "tata consultancy services", Some("Ltd"), Some("IN")),
    ("Infosys Pvt. Ltd.", None, "Infosys", "infosys", Some("Pvt Ltd"), None),
    ("Zoho Corporation Private Limited", Some("IN"), "Zoho", "zoho", Some("Corp Pvt Ltd"), Some("IN")),
    ("DBS Bank Pte. Ltd.", Some("SG"), "DBS Bank", "dbs bank", Some("Pte Ltd"), Some("SG")),
    ("Petronas Sdn. Bhd.", None, "Petronas", "petronas", Some("Sdn Bhd"), None),
    ("Maybank Berhad", Some("MY"), "Maybank", "maybank", Some("Bhd"), Some("MY")),
    ("PT Bank Mandiri (Persero) Tbk", Some("ID"), "Bank Mandiri", "bank mandiri", Some("PT Tbk"), Some("ID")),
    ("PT Astra International Tbk", None, "Astra International", "astra international", Some("PT Tbk"), Some("ID")),
    ("Ayala Corporation", Some("PH"), "Ayala", "ayala", Some("Corp"), Some("PH")),
    ("PTT Public Company Limited", Some("TH"), "PTT", "ptt", Some("PCL"), Some("TH")),
    ("Công ty TNHH Bosch Việt Nam", Some("VN"), "Bosch Việt Nam", "bosch viet nam", Some("Co., Ltd."), Some("VN")),
    // China, Hong Kong, Taiwan, Japan, Korea
    ("华为技术有限公司", Some("CN"), "华为技术", "huaweijishu", Some("Co., Ltd."), Some("CN")),
    ("Huawei Technologies Co., Ltd.", None, "Huawei Technologies", "huawei technologies", Some("Co., Ltd."), None),
    ("Acme Holdings Co., Ltd.", None, "Acme Holdings", "acme holdings", Some("Co., Ltd."), None),
    ("CK Hutchison Holdings Limited", Some("HK"), "CK Hutchison Holdings", "ck hutchison holdings", Some("Ltd"), Some("HK")),
    ("台灣積體電路製造股份有限公司", Some("TW"), "台灣積體電路製造", "taiwanjitidianluzhizao", Some("Co., Ltd."), Some("TW")),
    ("株式会社日立製作所", None, "日立製作所", "rilizhizuosuo", Some("K.K."), Some("JP")),
    ("トヨタ自動車株式会社", None, "トヨタ自動車", "toyotazidongche", Some("K.K."), Some("JP")),
    ("(株)日立製作所", None, "日立製作所", "rilizhizuosuo", Some("K.K."), Some("JP")),
    ("Kabushiki Kaisha Toshiba", None, "Toshiba", "toshiba", Some("K.K."), Some("JP")),
    ("Toyota Motor Corporation", Some("JP"), "Toyota Motor", "toyota motor", Some("Corp"), None),
    ("Hitachi, Ltd.", Some("JP"), "Hitachi", "hitachi", Some("Ltd"), None),
    ("Rakuten Group, G.K.", None, "Rakuten Group", "rakuten group", Some("G.K."), Some("JP")),
    ("Samsung Electronics Co., Ltd.", Some("KR"), "Samsung Electronics", "samsung electronics", Some("Co., Ltd."), Some("KR")),
    ("삼성전자 주식회사", None, "삼성전자", "samseongjeonja", Some("Co., Ltd."), Some("KR")),
    ("(주)삼성전자", None, "삼성전자", "samseongjeonja", Some("Co., Ltd."), Some("KR")),
    // Germany, Austria, Switzerland
    ("Siemens Aktiengesellschaft", Some("DE"), "Siemens", "siemens", Some("AG"), Some("DE")),
    ("Siemens AG", None, "Siemens", "siemens", Some("AG"), None),
    ("Robert Bosch GmbH & Co. KG", Some("DE"), "Robert Bosch", "robert bosch", Some("GmbH & Co. KG"), Some("DE")),
    ("Dr. Ing. h.c. F. Porsche AG", Some("DE"), "Dr. Ing. h.c. F. Porsche", "dr ing hcf porsche", Some("AG"), Some("DE")),
    ("Müller Logistik UG (haftungsbeschränkt)", Some("DE"), "Müller Logistik", "muller logistik", Some("UG"), Some("DE")),
    ("Fraunhofer-Gesellschaft e.V.", Some("DE"), "Fraunhofer-Gesellschaft", "fraunhofer gesellschaft", Some("e.V."), Some("DE")),
    ("Merck KGaA", None, "Merck", "merck", Some("KGaA"), None),
    ("Red Bull GmbH", Some("AT"), "Red Bull", "red bull", Some("GmbH"), Some("AT")),
    ("Nestlé S.A.", Some("CH"), "Nestlé", "nestle", Some("SA"), Some("CH")),
    ("Roche Holding AG", Some("CH"), "Roche Holding", "roche holding", Some("AG"), Some("CH")),
    ("Tesla EV", Some("US"), "Tesla EV", "tesla ev", None, None),
    // Benelux, France
    ("Koninklijke Philips N.V.", None, "Koninklijke Philips", "koninklijke philips", Some("N.V."), None),
    ("ASML Holding NV", Some("NL"), "ASML Holding", "asml holding", Some("N.V."), Some("NL")),
    ("Booking.com B.V.", Some("NL"), "Booking.com", "booking com", Some("B.V."), Some("NL")),
    ("Anheuser-Busch InBev SA/NV", None, "Anheuser-Busch InBev", "anheuser busch inbev", Some("SA/NV"), Some("BE")),
    ("ArcelorMittal S.A.", Some("LU"), "ArcelorMittal", "arcelormittal", Some("SA"), Some("LU")),
    ("Acme S.à r.l.", Some("LU"), "Acme", "acme", Some("S.à r.l."), Some("LU")),
    ("L'Oréal S.A.", Some("FR"), "L'Oréal", "loreal", Some("SA"), Some("FR")),
    ("Dupont et Fils SARL", Some("FR"), "Dupont et Fils", "dupont et fils", Some("SARL"), Some("FR")),
    ("Doctolib SAS", Some("FR"), "Doctolib", "doctolib", Some("SAS"), Some("FR")),
    ("Michelin et Cie", Some("FR"), "Michelin", "michelin", Some("& Cie"), Some("FR")),
    // Italy, Iberia, Latin America
    ("Fiat S.p.A.", None, "Fiat", "fiat", Some("S.p.A."), None),
    ("Ferrero S.p.A.", Some("IT"), "Ferrero", "ferrero", Some("S.p.A."), Some("IT")),
    ("Rossi & C. S.a.s.", Some("IT"), "Rossi", "rossi", Some("S.a.s."), Some("IT")),
    ("Luxottica Group S.r.l.", None, "Luxottica Group", "luxottica group", Some("S.R.L."), None),
    ("Banco Santander, S.A.", Some("ES"), "Banco Santander", "banco santander", Some("S.A."), Some("ES")),
    ("Mercadona S.L.U.", Some("ES"), "Mercadona", "mercadona", Some("S.L.U."), Some("ES")),
    ("Sonae SGPS, S.A.", Some("PT"), "Sonae SGPS", "sonae sgps", Some("S.A."), Some("PT")),
    ("Grupo Bimbo, S.A.B. de C.V.", Some("MX"), "Grupo Bimbo", "grupo bimbo", Some("S.A.B. de C.V."), Some("MX")),
    ("Cemex SAB de CV", None, "Cemex", "cemex", Some("S.A.B. de C.V."), Some("MX")),
    ("Acme S. de R.L. de C.V.", None, "Acme", "acme", Some("S. de R.L. de C.V."), Some("MX")),
    ("Ambev Ltda.", Some("BR"), "Ambev", "ambev", Some("Ltda"), Some("BR")),
    ("Banco do Brasil S/A", Some("BR"), "Banco do Brasil", "banco do brasil", Some("S.A."), Some("BR")),
    ("Mercado Libre S.R.L.", Some("AR"), "Mercado Libre", "mercado libre", Some("S.R.L."), Some("AR")),
    ("Falabella SpA", Some("CL"), "Falabella", "falabella", Some("SpA"), Some("CL")),
    ("Rappi S.A.S.", Some("CO"), "Rappi", "rappi", Some("S.A.S."), Some("CO")),
    ("Alicorp S.A.A.", Some("PE"), "Alicorp", "alicorp", Some("S.A.A."), Some("PE")),
    // Nordics
    ("Ericsson AB (publ)", None, "Ericsson", "ericsson", Some("AB (publ)"), Some("SE")),
    ("Volvo Aktiebolaget", Some("SE"), "Volvo", "volvo", Some("AB"), Some("SE")),
    ("A.P. Møller - Mærsk A/S", Some("DK"), "A.P. Møller - Mærsk", "ap moller maersk", Some("A/S"), Some("DK")),
    ("Novo Nordisk ApS", None, "Novo Nordisk", "novo nordisk", Some("ApS"), Some("DK")),
    ("Equinor ASA", None, "Equinor", "equinor", Some("ASA"), Some("NO")),
    ("Telenor AS", Some("NO"), "Telenor", "telenor", Some("AS"), Some("NO")),
    ("Nokia Oyj", None, "Nokia", "nokia", Some("Oyj"), Some("FI")),
    ("Supercell Oy", Some("FI"), "Supercell", "supercell", Some("Oy"), Some("FI")),
    ("Össur hf.", Some("IS"), "Össur", "ossur", Some("hf"), Some("IS")),
    // Central and Eastern Europe
    ("Orlen Sp. z o.o.", None, "Orlen", "orlen", Some("Sp. z o.o."), Some("PL")),
    ("Ochwat Chemia Spółka z o.o.", Some("PL"), "Ochwat Chemia", "ochwat chemia", Some("Sp. z o.o."), Some("PL")),
    ("Comarch Spółka Akcyjna", Some("PL"), "Comarch", "comarch", Some("S.A."), Some("PL")),
    ("Škoda Auto a.s.", Some("CZ"), "Škoda Auto", "skoda auto", Some("a.s."), Some("CZ")),
    ("Avast Software s.r.o.", None, "Avast Software", "avast software", Some("s.r.o."), None),
    ("ESET, spol. s r.o.", Some("SK"), "ESET", "eset", Some("s.r.o."), Some("SK")),
    ("MOL Nyrt.", None, "MOL", "mol", Some("Nyrt."), Some("HU")),
    ("Acme Kft.", Some("HU"), "Acme", "acme", Some("Kft."), Some("HU")),
    ("Dacia S.R.L.", Some("RO"), "Dacia", "dacia", Some("S.R.L."), Some("RO")),
    ("Acme EOOD", Some("BG"), "Acme", "acme", Some("OOD"), Some("BG")),
    ("Krka d.d.", Some("HR"), "Krka", "krka", Some("d.d."), Some("HR")),
    ("Acme d.o.o.", Some("SI"), "Acme", "acme", Some("d.o.o."), Some("SI")),
    ("Mytilineos A.E.", Some("GR"), "Mytilineos", "mytilineos", Some("A.E."), Some("GR")),
    // Russia, CIS, Turkey, Middle East, Africa
    ("OOO \"Romashka\"", None, "Romashka", "romashka", Some("OOO"), None),
    ("ООО «Ромашка»", Some("RU"), "Ромашка", "romashka", Some("OOO"), Some("RU")),
    ("PJSC Gazprom", None, "Gazprom", "gazprom", Some("PJSC"), None),
    ("AO Kaspersky Lab", Some("RU"), "Kaspersky Lab", "kaspersky laboratory", Some("AO"), Some("RU")),
    ("ТОВ Нова Пошта", Some("UA"), "Нова Пошта", "nova poshta", Some("TOV"), Some("UA")),
    ("Koç Holding A.Ş.", Some("TR"), "Koç Holding", "koc holding", Some("A.Ş."), Some("TR")),
    ("Arçelik Pazarlama San. ve Tic. Ltd. Şti.", Some("TR"), "Arçelik Pazarlama", "arcelik pazarlama", Some("Ltd. Şti."), Some("TR")),
    ("Teva Pharmaceutical Industries Ltd.", Some("IL"), "Teva Pharmaceutical Industries", "teva pharmaceutical industries", Some("Ltd"), Some("IL")),
    ("Emirates Steel L.L.C", Some("AE"), "Emirates Steel", "emirates steel", Some("LLC"), Some("AE")),
    ("Acme FZ-LLC", None, "Acme", "acme", Some("FZE"), Some("AE")),
    ("Orascom Construction S.A.E.", Some("EG"), "Orascom Construction", "orascom construction", Some("S.A.E."), Some("EG")),
    ("Dangote Cement Plc", Some("NG"), "Dangote Cement", "dangote cement", Some("PLC"), Some("NG")),
];

#[test]
fn company_table() {
    let mut countries = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    for &(input, country, name, key, form, form_country) in COMPANIES {
        let c = normalize_company(input, country);
        let got = (
            c.name.as_str(),
            c.key.as_str(),
            c.legal_form.as_deref(),
            c.legal_form_country,
        );
        if got != (name, key, form, form_country) {
            failures.push(format!(
                "{input:?} ({country:?}): got {got:?}, want {:?}",
                (name, key, form, form_country)
            ));
        }
        assert_eq!(c.original, input);
        assert_eq!(strip_legal_form(input, country), c.name);
        assert_eq!(legal_form_of(input, country), c.legal_form);
        countries.extend(country.or(form_country));
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(COMPANIES.len() >= 60, "{} cases", COMPANIES.len());
    assert!(
        countries.len() >= 30,
        "{} countries: {countries:?}",
        countries.len()
    );
}

/// (input, acronym)
#[rustfmt::skip]
const ACRONYMS: &[(&str, Option<&str>)] = &[
    ("International Business Machines Corp", Some("ibm")),
    ("Procter & Gamble Co.", Some("pg")),
    ("American Telephone and Telegraph Company", Some("att")),
    ("Bank of America Corporation", Some("ba")),
    ("J.P. Morgan Chase & Co.", Some("jpmc")),
    ("H&M Hennes & Mauritz AB", Some("hmhm")),
    ("The Home Depot, Inc.", Some("hd")),
    ("Tata Consultancy Services Limited", Some("tcs")),
    ("AT&T Inc.", None),
    ("Apple Inc.", None),
    ("The Coca-Cola Company", Some("cc")),
];

#[test]
fn acronym_table() {
    for &(input, want) in ACRONYMS {
        assert_eq!(
            normalize_company(input, None).acronym.as_deref(),
            want,
            "{input:?}"
        );
    }
}

#[test]
fn tokens_are_the_sorted_key_words() {
    let c = normalize_company("Johnson & Johnson Consumer Inc.", None);
    assert_eq!(c.key, "johnson and johnson consumer");
    assert_eq!(c.tokens, ["and", "consumer", "johnson"]);
}

#[test]
fn spellings_of_one_company_share_a_key() {
    for group in [
        &[
            "Acme, Inc.",
            "ACME Incorporated",
            "Acme Inc",
            "acme",
            "A.C.M.E. Inc.",
            "The Acme Company",
        ][..],
        &[
            "Nestlé S.A.",
            "NESTLE SA",
            "Nestle S. A.",
            "Nestlé Société Anonyme",
        ],
        &[
            "Procter & Gamble",
            "Procter and Gamble Co.",
            "PROCTER + GAMBLE",
        ],
        &[
            "Acme Intl Mfg Svcs Ltd",
            "Acme International Manufacturing Services Limited",
            "ACME INT'L MFG. SVCS.",
        ],
        &["Siemens AG", "Siemens Aktiengesellschaft", "SIEMENS A.G."],
        &[
            "Foo GmbH & Co. KG",
            "Foo GmbH & Co KG",
            "Foo GmbH und Co. KG",
            "FOO GMBH&CO.KG",
        ],
        &[
            "Orlen Sp. z o.o.",
            "Orlen Sp. z o. o.",
            "ORLEN SP Z OO",
            "Orlen spółka z ograniczoną odpowiedzialnością",
        ],
        &[
            "株式会社日立製作所",
            "日立製作所株式会社",
            "(株)日立製作所",
            "㈱日立製作所",
        ],
    ] {
        let keys: Vec<String> = group
            .iter()
            .map(|s| normalize_company(s, None).key)
            .collect();
        assert!(keys.iter().all(|k| *k == keys[0]), "{group:?} → {keys:?}");
    }
}

/// (input, alpha-2)
#[rustfmt::skip]
const COUNTRIES: &[(&str, Option<&str>)] = &[
    // codes
    ("DE", Some("DE")), ("de", Some("DE")), ("DEU", Some("DE")), ("276", Some("DE")), (" us ", Some("US")),
    ("GBR", Some("GB")), ("CHN", Some("CN")), ("JPN", Some("JP")),
    // English names, official and common names
    ("Germany", Some("DE")), ("United States", Some("US")), ("United States of America", Some("US")),
    ("United Kingdom", Some("GB")), ("Korea, Republic of", Some("KR")), ("South Korea", Some("KR")),
    ("North Korea", Some("KP")), ("Russian Federation", Some("RU")), ("Viet Nam", Some("VN")), ("Vietnam", Some("VN")),
    ("Czechia", Some("CZ")), ("Czech Republic", Some("CZ")), ("Türkiye", Some("TR")), ("Turkey", Some("TR")),
    ("Côte d'Ivoire", Some("CI")), ("Ivory Coast", Some("CI")), ("Republic of Ireland", Some("IE")),
    ("Bolivia", Some("BO")), ("Iran", Some("IR")), ("Taiwan", Some("TW")), ("Macao", Some("MO")),
    // abbreviations, with and without dots
    ("USA", Some("US")), ("U.S.A.", Some("US")), ("U.S.", Some("US")), ("US of A", Some("US")),
    ("UK", Some("GB")), ("U.K.", Some("GB")), ("Great Britain", Some("GB")), ("England", Some("GB")),
    ("Scotland", Some("GB")), ("Wales", Some("GB")), ("Northern Ireland", Some("GB")),
    ("UAE", Some("AE")), ("U.A.E.", Some("AE")), ("KSA", Some("SA")), ("ROK", Some("KR")), ("PRC", Some("CN")),
    ("P.R. China", Some("CN")), ("DRC", Some("CD")), ("RSA", Some("ZA")),
    // native names and other languages
    ("Deutschland", Some("DE")), ("España", Some("ES")), ("ESPANA", Some("ES")), ("Österreich", Some("AT")),
    ("Oesterreich", Some("AT")), ("Schweiz", Some("CH")), ("Suisse", Some("CH")), ("Svizzera", Some("CH")),
    ("Nederland", Some("NL")), ("Holland", Some("NL")), ("The Netherlands", Some("NL")), ("Brasil", Some("BR")),
    ("México", Some("MX")), ("Mexico", Some("MX")), ("Nippon", Some("JP")), ("日本", Some("JP")), ("中国", Some("CN")),
    ("Россия", Some("RU")), ("Sverige", Some("SE")), ("Norge", Some("NO")), ("Danmark", Some("DK")),
    ("Suomi", Some("FI")), ("Polska", Some("PL")), ("Italia", Some("IT")), ("Allemagne", Some("DE")),
    ("Alemania", Some("DE")), ("Royaume-Uni", Some("GB")), ("Estados Unidos", Some("US")), ("EE.UU.", Some("US")),
    ("Magyarország", Some("HU")), ("Ελλάδα", Some("GR")), ("대한민국", Some("KR")), ("Türkei", Some("TR")),
    ("Vereinigte Staaten", Some("US")), ("Belgique", Some("BE")), ("België", Some("BE")),
    // misspellings
    ("Germnay", Some("DE")), ("Untied States", Some("US")), ("Netherland", Some("NL")), ("Phillipines", Some("PH")),
    ("Columbia", Some("CO")), ("Brazill", Some("BR")), ("Swizerland", Some("CH")),
    // case and punctuation
    ("GERMANY", Some("DE")), ("  france ", Some("FR")), ("united-kingdom", Some("GB")), ("SAUDI ARABIA", Some("SA")),
    // compound values
    ("Germany (DE)", Some("DE")), ("DE - Germany", Some("DE")), ("Paris, France", Some("FR")),
    ("New Mexico, USA", Some("US")),
    // not a country
    ("", None), ("   ", None), ("n/a", None), ("NA", None), ("N.A.", None), ("Unknown", None), ("-", None),
    ("USA / Canada", None), ("Europe", None), ("EMEA", None), ("XX", None), ("Atlantis", None),
];

#[test]
fn country_table() {
    for &(input, want) in COUNTRIES {
        assert_eq!(
            normalize_country(input).map(|c| c.alpha2),
            want,
            "{input:?}"
        );
    }
    assert!(COUNTRIES.len() >= 60);
}

#[test]
fn regions() {
    for (code, region) in [
        ("US", Region::NA),
        ("CA", Region::NA),
        ("PM", Region::NA),
        ("GL", Region::NA),
        ("BM", Region::NA),
        ("MX", Region::LATAM),
        ("BR", Region::LATAM),
        ("PR", Region::LATAM),
        ("JM", Region::LATAM),
        ("DE", Region::EMEA),
        ("GB", Region::EMEA),
        ("AE", Region::EMEA),
        ("IR", Region::EMEA),
        ("KZ", Region::EMEA),
        ("ZA", Region::EMEA),
        ("TR", Region::EMEA),
        ("JP", Region::APAC),
        ("IN", Region::APAC),
        ("AU", Region::APAC),
        ("FJ", Region::APAC),
        ("AQ", Region::APAC),
    ] {
        assert_eq!(by_alpha2(code).unwrap().region, region, "{code}");
    }
    assert_eq!(Region::LATAM.as_str(), "LATAM");
    assert_eq!(Region::parse("emea"), Some(Region::EMEA));
    let count = |r: Region| all_countries().iter().filter(|c| c.region == r).count();
    assert_eq!(
        (
            count(Region::NA),
            count(Region::LATAM),
            count(Region::EMEA),
            count(Region::APAC)
        ),
        (5, 52, 135, 57)
    );
}

#[test]
fn every_country_by_its_codes_and_name() {
    assert_eq!(all_countries().len(), 249);
    for c in all_countries() {
        assert_eq!(
            normalize_country(c.alpha2).map(|x| x.alpha2),
            Some(c.alpha2).filter(|a| *a != "NA")
        );
        assert_eq!(
            normalize_country(c.alpha3).map(|x| x.alpha2),
            Some(c.alpha2)
        );
        assert_eq!(
            normalize_country(c.name).map(|x| x.alpha2),
            Some(c.alpha2),
            "{}",
            c.name
        );
        assert_eq!(by_alpha3(c.alpha3), Some(c));
    }
    assert_eq!(normalize_country("Namibia").map(|c| c.alpha2), Some("NA"));
}

#[test]
fn country_fields() {
    let de = by_alpha2("de").unwrap();
    assert_eq!(
        (de.alpha2, de.alpha3, de.numeric, de.name),
        ("DE", "DEU", "276", "Germany")
    );
}

// ---------------------------------------------------------------------------
// Properties

/// Words that exercise the stripping rules: legal forms, "the", connectors,
/// abbreviations, initials, CJK, Cyrillic.
const VOCAB: &[&str] = &[
    "Acme",
    "the",
    "The",
    "&",
    "and",
    "+",
    "Co",
    "Co.",
    "Corp",
    "Inc.",
    "Ltd",
    "Limited",
    "LLC",
    "GmbH",
    "AG",
    "S.A.",
    "SA",
    "S.",
    "A.",
    "de",
    "C.V.",
    "B.V.",
    "AB",
    "(publ)",
    "A/S",
    "Oy",
    "K.K.",
    "PT",
    "Tbk",
    "OOO",
    "AO",
    "Intl",
    "Mfg",
    "co",
    "op",
    "Co-op",
    "Company",
    "Holdings",
    "a",
    "b",
    "c",
    "J.P.",
    "AT&T",
    "P&G",
    "株式会社",
    "日立",
    "有限公司",
    "주식회사",
    "삼성",
    "あ",
    "ООО",
    "«Ромашка»",
    "Pty",
    "Pvt",
    "Sp.",
    "z",
    "o.o.",
    "e.V.",
    "Spa",
    "3M",
    "7",
    "Ltd.",
    "(Pty)",
    "Sdn",
    "Bhd",
    ",",
    "-",
    "'s",
    "Nestlé",
    "Straße",
    "ǅ",
    "½",
];

fn companyish() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            prop::sample::select(VOCAB),
            prop::sample::select(&[" ", "", ", ", "-", "."][..]),
        ),
        0..8,
    )
    .prop_map(|words| {
        words
            .into_iter()
            .map(|(w, sep)| format!("{w}{sep}"))
            .collect()
    })
}

fn countries() -> impl Strategy<Value = Option<&'static str>> {
    prop::sample::select(
        &[
            None,
            Some("US"),
            Some("DE"),
            Some("JP"),
            Some("RU"),
            Some("ID"),
            Some("IT"),
            Some("ZZ"),
        ][..],
    )
}

fn check_company(s: &str, country: Option<&str>) -> Result<(), TestCaseError> {
    let c = normalize_company(s, country);
    // deterministic
    prop_assert_eq!(&normalize_company(s, country), &c);
    // the key is folded text, single-spaced, and its own key
    prop_assert!(
        c.key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b' '),
        "{:?}",
        c.key
    );
    prop_assert!(!c.key.starts_with(' ') && !c.key.ends_with(' ') && !c.key.contains("  "));
    let again = normalize_company(&c.key, country);
    prop_assert_eq!(&again.key, &c.key, "key of the key, input {:?}", s);
    // tokens are the key's words, sorted and deduplicated
    let mut words: Vec<&str> = c.key.split(' ').filter(|w| !w.is_empty()).collect();
    words.sort_unstable();
    words.dedup();
    prop_assert_eq!(
        c.tokens.iter().map(String::as_str).collect::<Vec<_>>(),
        words
    );
    // the display name is never empty when the input has something in it
    prop_assert_eq!(c.name.is_empty(), s.trim().is_empty());
    Ok(())
}

/// Found by `company_arbitrary_unicode`: initials that spell an
/// abbreviation ("C.O." → "co") were not expanded, so the key "co 0" had the
/// key "company 0".
#[test]
fn regression_initials_spelling_an_abbreviation() {
    check_company("C[O{0", None).unwrap();
    assert_eq!(normalize_company("C.O. 0", None).key, "company 0");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn company_arbitrary_unicode(s in ".{0,40}", country in countries()) {
        check_company(&s, country)?;
    }

    #[test]
    fn company_from_name_parts(s in companyish(), country in countries()) {
        check_company(&s, country)?;
        // the display name keeps the key (stripping is stable)
        let c = normalize_company(&s, country);
        prop_assert_eq!(normalize_company(&c.name, country).key, c.key, "name {:?} of {:?}", c.name, s);
    }

    #[test]
    fn country_never_panics_and_is_stable(s in ".{0,30}") {
        if let Some(c) = normalize_country(&s) {
            prop_assert_eq!(normalize_country(c.name), Some(c));
            prop_assert_eq!(normalize_country(c.alpha3), Some(c));
        }
        prop_assert_eq!(normalize_country(&s), normalize_country(&s));
    }
}
