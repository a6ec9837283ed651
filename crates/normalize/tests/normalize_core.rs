//! Table and property tests for the core normalizers: text, person, email,
//! phone, website.

use firmlink_normalize::email::{
    EmailClass, is_disposable_domain, is_free_mail_domain, is_role_local_part, list_sizes,
    normalize_email,
};
use firmlink_normalize::person::{
    formal_first_key, formal_names, from_parts, names_match_via_nickname, nickname_table_size,
    parse_full_name,
};
use firmlink_normalize::phone::normalize_phone;
use firmlink_normalize::text::{collapse_ws, fold, title_case};
use firmlink_normalize::website::normalize_website;
use proptest::prelude::*;

// ---------------------------------------------------------------------------
// text

#[test]
#[rustfmt::skip]
fn fold_table() {
    for (input, want) in [
        ("Müller-Lüdenscheidt GmbH", "muller ludenscheidt gmbh"),
        ("François Lefèvre", "francois lefevre"),
        ("Ångström AB", "angstrom ab"),
        ("Søren Kierkegaard", "soren kierkegaard"),
        ("Straße 12", "strasse 12"),
        ("José Núñez", "jose nunez"),
        ("Dvořák", "dvorak"),
        ("Łukasz Wróbel", "lukasz wrobel"),
        ("Çağlar Şahin", "caglar sahin"),
        ("Ελληνικά", "ellenika"),
        ("Москва", "moskva"),
        ("北京大学", "bei jing da xue"),
        ("山田太郎", "shan tian tai lang"),
        ("ＡＣＭＥ　株式会社", "acme zhu shi hui she"),
        ("ﬁnance", "finance"),
        ("Ⅻ Corp", "xii corp"),
        ("AT&T", "at t"),
        ("  --O'Brien--  ", "o brien"),
        ("a\tb\nc", "a b c"),
        ("", ""),
        ("!!!", ""),
        ("Ünïcödé ünïcödé", "unicode unicode"),
        ("van der Berg", "van der berg"),
        ("Nguyễn Văn An", "nguyen van an"),
        ("Zürich 8001", "zurich 8001"),
    ] {
        assert_eq!(fold(input), want, "{input:?}");
    }
}

#[test]
fn collapse_ws_table() {
    for (input, want) in [
        ("  Jane \t  Doe ", "Jane Doe"),
        ("a\u{00A0}b", "a b"),
        ("a\u{3000}b", "a b"),
        ("", ""),
        ("   ", ""),
        ("one", "one"),
    ] {
        assert_eq!(collapse_ws(input), want, "{input:?}");
    }
}

#[test]
#[rustfmt::skip]
fn title_case_table() {
    for (input, want) in [
        ("o'brien", "O'Brien"),
        ("D'ANGELO", "D'Angelo"),
        ("mcdonald", "McDonald"),
        ("macdonald", "MacDonald"),
        ("MACHADO", "Machado"),
        ("van der berg", "Van der Berg"),
        ("jan van der berg", "Jan van der Berg"),
        ("maria de la cruz", "Maria de la Cruz"),
        ("ludwig von beethoven", "Ludwig von Beethoven"),
        ("jean-pierre de la fontaine", "Jean-Pierre de la Fontaine"),
        ("osama bin laden", "Osama bin Laden"),
        ("HENRY FORD II", "Henry Ford II"),
        ("ÉLODIE DURAND", "Élodie Durand"),
        ("zoë", "Zoë"),
    ] {
        assert_eq!(title_case(input), want, "{input:?}");
    }
}

// ---------------------------------------------------------------------------
// person

type NameParts<'a> = (
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    &'a str,
);

fn parts_of(p: &firmlink_normalize::person::PersonName) -> NameParts<'_> {
    (
        p.prefix.as_deref(),
        p.first.as_deref(),
        p.middle.as_deref(),
        p.last.as_deref(),
        p.suffix.as_deref(),
        p.full.as_str(),
    )
}

#[test]
#[rustfmt::skip]
fn parse_full_name_table() {
    // (input, (prefix, first, middle, last, suffix, full))
    for (input, want) in [
        ("Jane Doe", (None, Some("Jane"), None, Some("Doe"), None, "Jane Doe")),
        ("Doe, Jane", (None, Some("Jane"), None, Some("Doe"), None, "Jane Doe")),
        ("Dr. Jane A. Doe-Smith PhD", (Some("Dr."), Some("Jane"), Some("A."), Some("Doe-Smith"), Some("PhD"), "Jane A. Doe-Smith")),
        ("DR JANE A DOE-SMITH, PHD", (Some("Dr."), Some("Jane"), Some("A"), Some("Doe-Smith"), Some("PhD"), "Jane A Doe-Smith")),
        ("  john   SMITH  jr. ", (None, Some("John"), None, Some("Smith"), Some("Jr."), "John Smith")),
        ("Smith, John, Jr.", (None, Some("John"), None, Some("Smith"), Some("Jr."), "John Smith")),
        ("Martin Luther King, Jr.", (None, Some("Martin"), Some("Luther"), Some("King"), Some("Jr."), "Martin Luther King")),
        ("Henry Ford III", (None, Some("Henry"), None, Some("Ford"), Some("III"), "Henry Ford")),
        ("Mary-Kate O'NEIL, MBA, CPA", (None, Some("Mary-Kate"), None, Some("O'Neil"), Some("MBA CPA"), "Mary-Kate O'Neil")),
        ("Mr. Robert \"Bob\" Smith", (Some("Mr."), Some("Robert"), None, Some("Smith"), None, "Robert Smith")),
        ("Ms Jane (Janey) Doe", (Some("Ms."), Some("Jane"), None, Some("Doe"), None, "Jane Doe")),
        ("Herr Hans Müller", (Some("Herr"), Some("Hans"), None, Some("Müller"), None, "Hans Müller")),
        ("Frau Dr. Anna-Lena Schäfer", (Some("Frau Dr."), Some("Anna-Lena"), None, Some("Schäfer"), None, "Anna-Lena Schäfer")),
        ("Prof. Dr. med. Hans-Peter Müller-Lüdenscheidt", (Some("Prof. Dr. med."), Some("Hans-Peter"), None, Some("Müller-Lüdenscheidt"), None, "Hans-Peter Müller-Lüdenscheidt")),
        ("Herr Müller", (Some("Herr"), None, None, Some("Müller"), None, "Müller")),
        ("Mme Marie-Claire de la Fontaine", (Some("Mme"), Some("Marie-Claire"), None, Some("de la Fontaine"), None, "Marie-Claire de la Fontaine")),
        ("DUPONT Jean-Pierre", (None, Some("Jean-Pierre"), None, Some("Dupont"), None, "Jean-Pierre Dupont")),
        ("josé luis de la fuente", (None, Some("José"), Some("Luis"), Some("de la Fuente"), None, "José Luis de la Fuente")),
        ("Gabriel García Márquez", (None, Some("Gabriel"), Some("García"), Some("Márquez"), None, "Gabriel García Márquez")),
        ("JAN VAN DER BERG", (None, Some("Jan"), None, Some("van der Berg"), None, "Jan van der Berg")),
        ("Berg, Jan van der", (None, Some("Jan"), None, Some("van der Berg"), None, "Jan van der Berg")),
        ("Dhr. Pieter de Vries", (Some("Dhr."), Some("Pieter"), None, Some("de Vries"), None, "Pieter de Vries")),
        ("van der Berg", (None, None, None, Some("Van der Berg"), None, "Van der Berg")),
        ("Ludwig van Beethoven", (None, Some("Ludwig"), None, Some("van Beethoven"), None, "Ludwig van Beethoven")),
        ("Osama bin Laden", (None, Some("Osama"), None, Some("bin Laden"), None, "Osama bin Laden")),
        ("WANG Wei", (None, Some("Wei"), None, Some("Wang"), None, "Wei Wang")),
        ("Li Xiaoming", (None, Some("Li"), None, Some("Xiaoming"), None, "Li Xiaoming")),
        ("TANAKA Hiroshi", (None, Some("Hiroshi"), None, Some("Tanaka"), None, "Hiroshi Tanaka")),
        ("Yamada, Taro", (None, Some("Taro"), None, Some("Yamada"), None, "Taro Yamada")),
        ("山田太郎", (None, None, None, Some("山田太郎"), None, "山田太郎")),
        ("bob mcdonald", (None, Some("Bob"), None, Some("McDonald"), None, "Bob McDonald")),
        ("Danny DeVito", (None, Some("Danny"), None, Some("DeVito"), None, "Danny DeVito")),
        ("J. R. R. Tolkien", (None, Some("J."), Some("R. R."), Some("Tolkien"), None, "J. R. R. Tolkien")),
        ("Smith, Dr", (Some("Dr."), None, None, Some("Smith"), None, "Smith")),
        ("Madonna", (None, None, None, Some("Madonna"), None, "Madonna")),
        ("", (None, None, None, None, None, "")),
        (" , ; ", (None, None, None, None, None, "")),
    ] {
        let p = parse_full_name(input);
        assert_eq!(parts_of(&p), want, "{input:?}");
        assert_eq!(p.original, input);
    }
}

#[test]
#[rustfmt::skip]
fn person_keys_table() {
    // (input, first_key, last_key, formal_first_key)
    for (input, first_key, last_key, formal) in [
        ("Bob Smith", Some("bob"), Some("smith"), Some("robert")),
        ("Bill Gates", Some("bill"), Some("gates"), Some("william")),
        ("Liz Taylor", Some("liz"), Some("taylor"), Some("elizabeth")),
        ("Jim O'Brien", Some("jim"), Some("o brien"), Some("james")),
        ("Peggy Olson", Some("peggy"), Some("olson"), Some("margaret")),
        ("James Smith", Some("james"), Some("smith"), Some("james")),
        ("Jan de Vries", Some("jan"), Some("de vries"), Some("jan")),
        ("Jürgen Groß", Some("jurgen"), Some("gross"), Some("jurgen")),
        ("Zoë Saldaña", Some("zoe"), Some("saldana"), Some("zoe")),
        ("Jean-Pierre Dupont", Some("jean pierre"), Some("dupont"), Some("jean pierre")),
        ("Müller", None, Some("muller"), None),
    ] {
        let p = parse_full_name(input);
        assert_eq!(p.first_key.as_deref(), first_key, "{input:?}");
        assert_eq!(p.last_key.as_deref(), last_key, "{input:?}");
        assert_eq!(p.formal_first_key.as_deref(), formal, "{input:?}");
    }
}

#[test]
#[rustfmt::skip]
fn phonetic_keys() {
    // Double Metaphone primary, max 4.
    for (input, first, last) in [
        ("Jane Doe", Some("JN"), Some("T")),
        ("Stephen Smith", Some("STFN"), Some("SM0")),
        ("Steven Smyth", Some("STFN"), Some("SM0")),
        ("Catherine Schmidt", Some("K0RN"), Some("XMT")),
        ("Kathryn Schmitt", Some("K0RN"), Some("XMT")),
        ("Jürgen Müller", Some("JRJN"), Some("MLR")),
        ("Jurgen Mueller", Some("JRJN"), Some("MLR")),
    ] {
        let p = parse_full_name(input);
        assert_eq!(p.first_phonetic.as_deref(), first, "{input:?}");
        assert_eq!(p.last_phonetic.as_deref(), last, "{input:?}");
    }
}

#[test]
#[rustfmt::skip]
fn from_parts_table() {
    // (first, last, (prefix, first, middle, last, suffix, full))
    for (first, last, want) in [
        ("Jane", "Doe", (None, Some("Jane"), None, Some("Doe"), None, "Jane Doe")),
        ("JANE A.", "DOE", (None, Some("Jane"), Some("A."), Some("Doe"), None, "Jane A. Doe")),
        ("Dr. Jane", "Doe", (Some("Dr."), Some("Jane"), None, Some("Doe"), None, "Jane Doe")),
        ("John", "Smith Jr.", (None, Some("John"), None, Some("Smith"), Some("Jr."), "John Smith")),
        ("Gabriel", "García Márquez", (None, Some("Gabriel"), None, Some("García Márquez"), None, "Gabriel García Márquez")),
        ("Jan van der", "Berg", (None, Some("Jan"), None, Some("van der Berg"), None, "Jan van der Berg")),
        ("jan", "van der berg", (None, Some("Jan"), None, Some("van der Berg"), None, "Jan van der Berg")),
        ("Maria Luisa", "Rossi", (None, Some("Maria"), Some("Luisa"), Some("Rossi"), None, "Maria Luisa Rossi")),
        ("", "Müller", (None, None, None, Some("Müller"), None, "Müller")),
        ("Hiroshi", "", (None, Some("Hiroshi"), None, None, None, "Hiroshi")),
        ("Jane Doe", "", (None, Some("Jane"), None, Some("Doe"), None, "Jane Doe")),
        ("", "", (None, None, None, None, None, "")),
    ] {
        let p = from_parts(first, last);
        assert_eq!(parts_of(&p), want, "{first:?} {last:?}");
    }
}

#[test]
#[rustfmt::skip]
fn nickname_table() {
    let (nicks, formals) = nickname_table_size();
    assert!(nicks >= 1000, "{nicks} nicknames");
    assert!(formals >= 1000, "{formals} formal names");
    for (nick, formal) in [
        ("bob", "robert"),
        ("liz", "elizabeth"),
        ("bill", "william"),
        ("peggy", "margaret"),
        ("dick", "richard"),
        ("chuck", "charles"),
    ] {
        assert!(formal_names(nick).contains(&formal), "{nick} -> {formal}");
    }
    assert_eq!(formal_names("zzz"), &[] as &[&str]);
    // Pairs listed both ways keep one direction: the more frequent name is
    // the formal one.
    assert_eq!(formal_names("robert"), &[] as &[&str]);
    assert!(formal_names("marie").contains(&"mary"));
    assert!(!formal_names("mary").contains(&"marie"));
    assert_eq!(formal_first_key("bob"), "robert");
    for (a, b, want) in [
        ("bob", "robert", true),
        ("robert", "bob", true),
        ("bill", "william", true),
        ("bob", "rob", true),
        ("liz", "beth", true),
        ("jim", "james", true),
        ("jane", "jane", true),
        ("jane", "john", false),
        ("robert", "william", false),
        ("", "", false),
        ("zzz", "qqq", false),
    ] {
        assert_eq!(names_match_via_nickname(a, b), want, "{a} ~ {b}");
    }
}

// ---------------------------------------------------------------------------
// email

#[test]
#[rustfmt::skip]
fn email_table() {
    // (input, normalized, registrable, class, problem)
    for (input, normalized, registrable, class, problem) in [
        ("jane.doe@acme.com", Some("jane.doe@acme.com"), Some("acme.com"), EmailClass::Corporate, None),
        ("  Jane.Doe@ACME.com  ", Some("jane.doe@acme.com"), Some("acme.com"), EmailClass::Corporate, None),
        ("Jane Doe <jane.doe+crm@acme.com>", Some("jane.doe@acme.com"), Some("acme.com"), EmailClass::Corporate, None),
        ("mailto:jane@acme.de?subject=Hallo", Some("jane@acme.de"), Some("acme.de"), EmailClass::Corporate, None),
        ("MAILTO:Jane@Acme.DE", Some("jane@acme.de"), Some("acme.de"), EmailClass::Corporate, None),
        ("j.doe@mail.acme.co.uk", Some("j.doe@mail.acme.co.uk"), Some("acme.co.uk"), EmailClass::Corporate, None),
        ("taro@acme.co.jp", Some("taro@acme.co.jp"), Some("acme.co.jp"), EmailClass::Corporate, None),
        ("J.Doe+news@gmail.com", Some("jdoe@gmail.com"), Some("gmail.com"), EmailClass::FreeMail, None),
        ("j.d.o.e@googlemail.com", Some("jdoe@gmail.com"), Some("gmail.com"), EmailClass::FreeMail, None),
        ("hans.mueller@gmx.de", Some("hans.mueller@gmx.de"), Some("gmx.de"), EmailClass::FreeMail, None),
        ("marie@web.de", Some("marie@web.de"), Some("web.de"), EmailClass::FreeMail, None),
        ("tanaka@yahoo.co.jp", Some("tanaka@yahoo.co.jp"), Some("yahoo.co.jp"), EmailClass::FreeMail, None),
        ("john@hotmail.co.uk", Some("john@hotmail.co.uk"), Some("hotmail.co.uk"), EmailClass::FreeMail, None),
        ("12345@qq.com", Some("12345@qq.com"), Some("qq.com"), EmailClass::FreeMail, None),
        ("ivan@mail.ru", Some("ivan@mail.ru"), Some("mail.ru"), EmailClass::FreeMail, None),
        ("info@gmail.com", Some("info@gmail.com"), Some("gmail.com"), EmailClass::FreeMail, None),
        ("info@acme.com", Some("info@acme.com"), Some("acme.com"), EmailClass::Role, None),
        ("Sales-2@ACME.COM.", Some("sales-2@acme.com"), Some("acme.com"), EmailClass::Role, None),
        ("no_reply@acme.fr", Some("no_reply@acme.fr"), Some("acme.fr"), EmailClass::Role, None),
        ("verkoop@pelicanzorg.nl", Some("verkoop@pelicanzorg.nl"), Some("pelicanzorg.nl"), EmailClass::Role, None),
        ("Accueil@Acme.fr", Some("accueil@acme.fr"), Some("acme.fr"), EmailClass::Role, None),
        ("arne.westberg@hotmail.se", Some("arne.westberg@hotmail.se"), Some("hotmail.se"), EmailClass::FreeMail, None),
        ("kontakt@firma.de", Some("kontakt@firma.de"), Some("firma.de"), EmailClass::Role, None),
        ("bob@mailinator.com", Some("bob@mailinator.com"), Some("mailinator.com"), EmailClass::Disposable, None),
        ("info@yopmail.com", Some("info@yopmail.com"), Some("yopmail.com"), EmailClass::Disposable, None),
        ("jane@müller.de", Some("jane@xn--mller-kva.de"), Some("xn--mller-kva.de"), EmailClass::Corporate, None),
        ("a@b.com; c@d.com", Some("a@b.com"), Some("b.com"), EmailClass::Corporate, None),
        ("", None, None, EmailClass::Invalid, Some("empty")),
        ("n/a", None, None, EmailClass::Invalid, Some("no_at")),
        ("jane.doe.acme.com", None, None, EmailClass::Invalid, Some("no_at")),
        ("@acme.com", None, None, EmailClass::Invalid, Some("bad_local")),
        ("jane..doe@acme.com", None, None, EmailClass::Invalid, Some("bad_local")),
        ("\"jane doe\"@acme.com", None, None, EmailClass::Invalid, Some("bad_local")),
        ("jane@acme", None, None, EmailClass::Invalid, Some("no_public_suffix")),
        ("ted@gmail", None, None, EmailClass::Invalid, Some("no_public_suffix")),
        ("jane@acme.invalidtld", None, None, EmailClass::Invalid, Some("no_public_suffix")),
        ("jane@co.uk", None, None, EmailClass::Invalid, Some("no_public_suffix")),
        ("jane@acme..com", None, None, EmailClass::Invalid, Some("bad_domain")),
        ("jane@-acme.com", None, None, EmailClass::Invalid, Some("bad_domain")),
        ("jane@[127.0.0.1]", None, None, EmailClass::Invalid, Some("bad_domain")),
    ] {
        let e = normalize_email(input);
        assert_eq!(
            (
                e.normalized.as_deref(),
                e.registrable_domain.as_deref(),
                e.class,
                e.problem
            ),
            (normalized, registrable, class, problem),
            "{input:?}"
        );
        assert_eq!(e.original, input);
        if let Some(n) = &e.normalized {
            assert_eq!(
                format!(
                    "{}@{}",
                    e.local.as_deref().unwrap(),
                    e.domain.as_deref().unwrap()
                ),
                *n
            );
        }
    }
}

#[test]
#[rustfmt::skip]
fn email_lists() {
    let (free, disposable, roles) = list_sizes();
    assert!(free >= 1000, "{free} free-mail domains");
    assert!(disposable >= 1000, "{disposable} disposable domains");
    assert!((60..=120).contains(&roles), "{roles} role local parts");
    for d in [
        "gmail.com",
        "gmx.de",
        "yahoo.co.jp",
        "web.de",
        "outlook.com",
        "hotmail.co.uk",
        "qq.com",
        "mail.ru",
        "GMAIL.COM",
        " @gmail.com ",
        "t-online.de",
        "orange.fr",
        "naver.com",
        "proton.me",
    ] {
        assert!(is_free_mail_domain(d), "{d}");
    }
    for d in ["acme.com", "siemens.de", "co.uk", "", "not a domain"] {
        assert!(!is_free_mail_domain(d), "{d}");
    }
    assert!(is_disposable_domain("mailinator.com"));
    assert!(!is_disposable_domain("gmail.com"));
    for (l, want) in [
        ("info", true),
        ("Info", true),
        ("no-reply", true),
        ("no.reply", true),
        ("sales2", true),
        ("hr", true),
        ("jane.doe", false),
        ("infoqueen", false),
    ] {
        assert_eq!(is_role_local_part(l), want, "{l}");
    }
}

#[test]
fn email_class_serializes_as_str() {
    for (c, want) in [
        (EmailClass::Corporate, "corporate"),
        (EmailClass::FreeMail, "freemail"),
        (EmailClass::Role, "role"),
        (EmailClass::Disposable, "disposable"),
        (EmailClass::Invalid, "invalid"),
    ] {
        assert_eq!(c.as_str(), want);
        assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{want}\""));
    }
    let e = normalize_email("info@acme.com");
    let v = serde_json::to_value(&e).unwrap();
    assert_eq!(v["class"], "role");
    assert_eq!(v["registrable_domain"], "acme.com");
}

// ---------------------------------------------------------------------------
// phone

#[test]
#[rustfmt::skip]
fn phone_table() {
    // (input, default, e164, extension, country, problem)
    for (input, default, e164, ext, country, problem) in [
        ("+1 (650) 253-0000", None, Some("+16502530000"), None, Some("US"), None),
        ("650-253-0000", Some("US"), Some("+16502530000"), None, Some("US"), None),
        ("(650) 253-0000 x123", Some("us"), Some("+16502530000"), Some("123"), Some("US"), None),
        ("650.253.0000 ext. 45", Some("US"), Some("+16502530000"), Some("45"), Some("US"), None),
        ("tel:+1-650-253-0000;ext=7", None, Some("+16502530000"), Some("7"), Some("US"), None),
        ("+1 123 456 7890", None, None, None, None, Some("invalid_number")),
        ("+1 416 979 2000", None, Some("+14169792000"), None, Some("CA"), None),
        ("020 7946 0958", Some("GB"), Some("+442079460958"), None, Some("GB"), None),
        ("020 7946 0958", Some("UK"), Some("+442079460958"), None, Some("GB"), None),
        ("+44 (0)20 7946 0958", None, Some("+442079460958"), None, Some("GB"), None),
        ("07400 123456", Some("GB"), Some("+447400123456"), None, Some("GB"), None),
        ("(089) 1234 5678 ext. 12", Some("DE"), Some("+498912345678"), Some("12"), Some("DE"), None),
        ("+49 30 123456 #200", None, Some("+4930123456"), Some("200"), Some("DE"), None),
        ("030 123456 Durchwahl 12", Some("DE"), Some("+4930123456"), Some("12"), Some("DE"), None),
        ("0049 89 12345678", Some("US"), Some("+498912345678"), None, Some("DE"), None),
        ("0049 89 12345678", None, Some("+498912345678"), None, Some("DE"), None),
        ("01 42 68 53 00", Some("FR"), Some("+33142685300"), None, Some("FR"), None),
        ("+33 1 42 68 53 00", Some("US"), Some("+33142685300"), None, Some("FR"), None),
        ("06 12 34 56 78", Some("FR"), Some("+33612345678"), None, Some("FR"), None),
        ("03-1234-5678", Some("JP"), Some("+81312345678"), None, Some("JP"), None),
        ("090-1234-5678", Some("JP"), Some("+819012345678"), None, Some("JP"), None),
        ("(02) 9374 4000", Some("AU"), Some("+61293744000"), None, Some("AU"), None),
        ("0412 345 678", Some("AU"), Some("+61412345678"), None, Some("AU"), None),
        ("98765 43210", Some("IN"), Some("+919876543210"), None, Some("IN"), None),
        ("+91 22 2778 3000", None, Some("+912227783000"), None, Some("IN"), None),
        ("(11) 91234-5678", Some("BR"), Some("+5511912345678"), None, Some("BR"), None),
        ("+55 21 3456-7890", None, Some("+552134567890"), None, Some("BR"), None),
        ("+7 800 555 35 35", Some("RU"), Some("+78005553535"), None, Some("RU"), None),
        ("+31 20 123 4567", None, Some("+31201234567"), None, Some("NL"), None),
        ("+34 912 34 56 78", None, Some("+34912345678"), None, Some("ES"), None),
        ("+86 10 1234 5678", None, Some("+861012345678"), None, Some("CN"), None),
        ("+1 650 253 0000", Some("ZZ"), Some("+16502530000"), None, Some("US"), None),
        ("650 253 0000", None, None, None, None, Some("no_country")),
        ("650 253 0000", Some("not a country"), None, None, None, Some("no_country")),
        ("650 253 0000", Some("ZZ"), None, None, None, Some("no_country")),
        ("12", Some("US"), None, None, None, Some("invalid_number")),
        ("+999 123 456", None, None, None, None, Some("invalid_country_code")),
        ("n/a", Some("US"), None, None, None, Some("not_a_number")),
        ("   ", Some("US"), None, None, None, Some("empty")),
        ("+49 1234567890123456789", None, None, None, None, Some("too_long")),
    ] {
        let p = normalize_phone(input, default);
        assert_eq!(
            (
                p.e164.as_deref(),
                p.extension.as_deref(),
                p.country.as_deref(),
                p.problem
            ),
            (e164, ext, country, problem),
            "{input:?} {default:?}"
        );
        assert_eq!(p.valid, e164.is_some(), "{input:?}");
        assert_eq!(p.original, input);
    }
}

// ---------------------------------------------------------------------------
// website

#[test]
#[rustfmt::skip]
fn website_table() {
    // (input, host, registrable, subdomain, problem); canonical = registrable
    for (input, host, registrable, subdomain, problem) in [
        ("acme.com", Some("acme.com"), Some("acme.com"), None, None),
        ("www.acme.com", Some("www.acme.com"), Some("acme.com"), None, None),
        ("WWW.ACME.COM.", Some("www.acme.com"), Some("acme.com"), None, None),
        ("http://acme.com", Some("acme.com"), Some("acme.com"), None, None),
        ("https://www.acme.com/about-us?lang=en#team", Some("www.acme.com"), Some("acme.com"), None, None),
        ("https://acme.com:8443/", Some("acme.com"), Some("acme.com"), None, None),
        ("//acme.com/x", Some("acme.com"), Some("acme.com"), None, None),
        ("www2.acme.com", Some("www2.acme.com"), Some("acme.com"), None, None),
        ("emea.acme.com", Some("emea.acme.com"), Some("acme.com"), Some("emea"), None),
        ("https://www.shop.emea.acme.com", Some("www.shop.emea.acme.com"), Some("acme.com"), Some("shop.emea"), None),
        ("www.acme.co.uk", Some("www.acme.co.uk"), Some("acme.co.uk"), None, None),
        ("uk.acme.co.uk", Some("uk.acme.co.uk"), Some("acme.co.uk"), Some("uk"), None),
        ("http://www.acme.com.au/contact", Some("www.acme.com.au"), Some("acme.com.au"), None, None),
        ("acme.co.jp", Some("acme.co.jp"), Some("acme.co.jp"), None, None),
        ("www.acme.de/impressum", Some("www.acme.de"), Some("acme.de"), None, None),
        ("acme.fr", Some("acme.fr"), Some("acme.fr"), None, None),
        ("acme.com.br", Some("acme.com.br"), Some("acme.com.br"), None, None),
        ("acme.co.in", Some("acme.co.in"), Some("acme.co.in"), None, None),
        ("info@acme.com", Some("acme.com"), Some("acme.com"), None, None),
        ("mailto:sales@acme.nl", Some("acme.nl"), Some("acme.nl"), None, None),
        ("ftp://user:pw@files.acme.de:21/x", Some("files.acme.de"), Some("acme.de"), Some("files"), None),
        ("münchen.de", Some("xn--mnchen-3ya.de"), Some("xn--mnchen-3ya.de"), None, None),
        ("https://www.MÜNCHEN.de/", Some("www.xn--mnchen-3ya.de"), Some("xn--mnchen-3ya.de"), None, None),
        ("xn--mnchen-3ya.de", Some("xn--mnchen-3ya.de"), Some("xn--mnchen-3ya.de"), None, None),
        ("例え.jp", Some("xn--r8jz45g.jp"), Some("xn--r8jz45g.jp"), None, None),
        ("acme.github.io", Some("acme.github.io"), Some("acme.github.io"), None, None),
        ("docs.acme.github.io", Some("docs.acme.github.io"), Some("acme.github.io"), Some("docs"), None),
        ("", None, None, None, Some("empty")),
        ("   ", None, None, None, Some("empty")),
        ("http://", None, None, None, Some("empty")),
        ("192.168.1.1", Some("192.168.1.1"), None, None, Some("ip_address")),
        ("http://[::1]:80/", Some("[::1]"), None, None, Some("ip_address")),
        ("co.uk", Some("co.uk"), None, None, Some("no_public_suffix")),
        ("acme.local", Some("acme.local"), None, None, Some("no_public_suffix")),
        ("localhost", Some("localhost"), None, None, Some("no_public_suffix")),
        ("acme .com", None, None, None, Some("bad_host")),
        ("acme_corp.com", None, None, None, Some("bad_host")),
    ] {
        let w = normalize_website(input);
        assert_eq!(
            (
                w.host.as_deref(),
                w.registrable_domain.as_deref(),
                w.subdomain.as_deref(),
                w.problem
            ),
            (host, registrable, subdomain, problem),
            "{input:?}"
        );
        assert_eq!(w.canonical, w.registrable_domain, "{input:?}");
        assert_eq!(w.original, input);
    }
}

// ---------------------------------------------------------------------------
// properties

/// Name-like strings: words from a mix of scripts, particles, prefixes,
/// suffixes, punctuation and case.
fn name_like() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        "[A-Za-z]{1,10}",
        "[A-Z][a-z]{1,8}",
        "[a-zäöüßéèçñ]{1,8}",
        "[A-ZÄÖÜÉ]{2,8}",
        Just("van".to_string()),
        Just("de".to_string()),
        Just("la".to_string()),
        Just("Dr.".to_string()),
        Just("Mr".to_string()),
        Just("Jr.".to_string()),
        Just("PhD".to_string()),
        Just("III".to_string()),
        Just("O'neil".to_string()),
        Just("mac".to_string()),
        Just("A.".to_string()),
        Just("\"Bob\"".to_string()),
        Just("(x)".to_string()),
        Just("-".to_string()),
        Just(",".to_string()),
        Just("山田".to_string()),
    ];
    prop::collection::vec(word, 0..6).prop_map(|w| w.join(" "))
}

fn check_name_idempotent(s: &str) -> Result<(), TestCaseError> {
    let p = parse_full_name(s);
    prop_assert_eq!(&p, &parse_full_name(s), "deterministic");
    let q = parse_full_name(&p.full);
    prop_assert_eq!(&q.full, &p.full, "full of {:?}", s);
    prop_assert_eq!(&q.first, &p.first, "first of {:?}", s);
    prop_assert_eq!(&q.middle, &p.middle, "middle of {:?}", s);
    prop_assert_eq!(&q.last, &p.last, "last of {:?}", s);
    prop_assert_eq!(&q.first_key, &p.first_key);
    prop_assert_eq!(&q.last_key, &p.last_key);
    prop_assert_eq!(&q.formal_first_key, &p.formal_first_key);
    prop_assert_eq!(&q.first_phonetic, &p.first_phonetic);
    prop_assert_eq!(&q.last_phonetic, &p.last_phonetic);
    // The parts, given back separately, give the same name.
    let given = match (&p.first, &p.middle) {
        (Some(f), Some(m)) => format!("{f} {m}"),
        (Some(f), None) => f.clone(),
        _ => String::new(),
    };
    let r = from_parts(&given, p.last.as_deref().unwrap_or(""));
    prop_assert_eq!(&r.full, &p.full, "from_parts of {:?}", s);
    prop_assert_eq!(&r.first, &p.first, "from_parts of {:?}", s);
    prop_assert_eq!(&r.last, &p.last, "from_parts of {:?}", s);
    prop_assert_eq!(&r.first_key, &p.first_key);
    prop_assert_eq!(&r.last_key, &p.last_key);
    Ok(())
}

fn check_from_parts_idempotent(a: &str, b: &str) -> Result<(), TestCaseError> {
    let p = from_parts(a, b);
    prop_assert_eq!(&p, &from_parts(a, b), "deterministic");
    let given = match (&p.first, &p.middle) {
        (Some(f), Some(m)) => format!("{f} {m}"),
        (Some(f), None) => f.clone(),
        _ => String::new(),
    };
    let q = from_parts(&given, p.last.as_deref().unwrap_or(""));
    prop_assert_eq!(&q.full, &p.full, "{:?} {:?}", a, b);
    prop_assert_eq!(&q.first, &p.first);
    prop_assert_eq!(&q.middle, &p.middle);
    prop_assert_eq!(&q.last, &p.last);
    prop_assert_eq!(&q.first_key, &p.first_key);
    prop_assert_eq!(&q.last_key, &p.last_key);
    Ok(())
}

fn check_email(s: &str) -> Result<(), TestCaseError> {
    let e = normalize_email(s);
    prop_assert_eq!(&e, &normalize_email(s));
    prop_assert_eq!(e.problem.is_some(), e.class == EmailClass::Invalid);
    prop_assert_eq!(e.normalized.is_some(), e.problem.is_none());
    if let Some(n) = &e.normalized {
        let again = normalize_email(n);
        prop_assert_eq!(again.normalized.as_ref(), Some(n), "{:?}", s);
        prop_assert_eq!(again.class, e.class);
        prop_assert_eq!(again.registrable_domain, e.registrable_domain);
    }
    Ok(())
}

fn check_phone(s: &str, c: Option<&str>) -> Result<(), TestCaseError> {
    let p = normalize_phone(s, c);
    prop_assert_eq!(&p, &normalize_phone(s, c));
    prop_assert_eq!(p.valid, p.e164.is_some());
    prop_assert_eq!(p.valid, p.problem.is_none());
    if let Some(e) = &p.e164 {
        let again = normalize_phone(e, c);
        prop_assert_eq!(again.e164.as_ref(), Some(e), "{:?}", s);
        prop_assert_eq!(again.country, p.country);
    }
    Ok(())
}

fn check_website(s: &str) -> Result<(), TestCaseError> {
    let w = normalize_website(s);
    prop_assert_eq!(&w, &normalize_website(s));
    prop_assert_eq!(&w.canonical, &w.registrable_domain);
    prop_assert_eq!(w.canonical.is_some(), w.problem.is_none());
    if let Some(c) = &w.canonical {
        let again = normalize_website(c);
        prop_assert_eq!(again.canonical.as_ref(), Some(c), "{:?}", s);
        prop_assert_eq!(again.subdomain, None);
    }
    if let Some(h) = &w.host {
        let again = normalize_website(h);
        prop_assert_eq!(&again.host, &w.host, "{:?}", s);
        prop_assert_eq!(&again.registrable_domain, &w.registrable_domain);
        prop_assert_eq!(&again.subdomain, &w.subdomain);
    }
    Ok(())
}

fn check_text(s: &str) -> Result<(), TestCaseError> {
    let f = fold(s);
    prop_assert_eq!(&fold(&f), &f);
    prop_assert!(
        f.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b' ')
    );
    prop_assert!(!f.starts_with(' ') && !f.ends_with(' ') && !f.contains("  "));
    let c = collapse_ws(s);
    prop_assert_eq!(&collapse_ws(&c), &c);
    let t = title_case(s);
    prop_assert_eq!(&title_case(&t), &t, "{:?}", s);
    Ok(())
}

const COUNTRIES: &[Option<&str>] = &[
    None,
    Some("US"),
    Some("DE"),
    Some("GB"),
    Some("JP"),
    Some("BR"),
];

/// Inputs property tests once failed on, kept as named cases.
#[test]
fn property_regressions() {
    for s in ["ﬓ", "ß", "a;\u{bbe}A", "\u{bbe}A A"] {
        check_text(s).unwrap();
        check_name_idempotent(s).unwrap();
    }
    check_from_parts_idempotent("a;\u{bbe}A", "").unwrap();
    check_from_parts_idempotent("A van", "Jr.").unwrap();
    check_from_parts_idempotent("Hiroshi", "").unwrap();
    // Lowercasing changed byte offsets ("Ⱥ" → "ⱥ") before a '#'.
    check_phone("Ⱥ𞸤ᾍ`խ𐮜$Wໆ¥#ﹿ�𐍧Ʇꡤ{᪕>=𐽻", None).unwrap();
    check_phone("Ⱥ 030 123456 #12", Some("DE")).unwrap();
}

/// 256 cases per property by default; `PROPTEST_CASES=20000` for a deep run.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn text_props_printable(s in "\\PC*") { check_text(&s)?; }

    #[test]
    fn text_props_any(s in any::<String>()) { check_text(&s)?; }

    #[test]
    fn name_props_printable(s in "\\PC*") { check_name_idempotent(&s)?; }

    #[test]
    fn name_props_any(s in any::<String>()) { check_name_idempotent(&s)?; }

    #[test]
    fn name_props_name_like(s in name_like()) { check_name_idempotent(&s)?; }

    #[test]
    fn from_parts_props(a in name_like(), b in name_like()) { check_from_parts_idempotent(&a, &b)?; }

    #[test]
    fn from_parts_props_any(a in "\\PC*", b in any::<String>()) { check_from_parts_idempotent(&a, &b)?; }

    #[test]
    fn email_props_printable(s in "\\PC*") { check_email(&s)?; }

    #[test]
    fn email_props_any(s in any::<String>()) { check_email(&s)?; }

    #[test]
    fn email_props_email_like(
        s in "[ <\"]{0,2}(mailto:)?[A-Za-z0-9._+'-]{0,12}@[A-Za-zü0-9.-]{0,12}\\.(com|de|co\\.uk|co\\.jp|xyz|gmail\\.com)[.> ]{0,2}"
    ) { check_email(&s)?; }

    #[test]
    fn phone_props_printable(s in "\\PC*", c in prop::sample::select(COUNTRIES)) { check_phone(&s, c)?; }

    #[test]
    fn phone_props_any(s in any::<String>(), c in prop::sample::select(COUNTRIES)) { check_phone(&s, c)?; }

    #[test]
    fn phone_props_phone_like(
        s in "(\\+|00)?[0-9 ()./-]{4,18}( ?(x|ext\\.?|#) ?[0-9]{1,4})?",
        c in prop::sample::select(COUNTRIES),
    ) { check_phone(&s, c)?; }

    #[test]
    fn website_props_printable(s in "\\PC*") { check_website(&s)?; }

    #[test]
    fn website_props_any(s in any::<String>()) { check_website(&s)?; }

    #[test]
    fn website_props_url_like(
        s in "(https?://)?(www[0-9]?\\.)?([a-zäö0-9-]{1,8}\\.){0,3}(com|co\\.uk|com\\.au|co\\.jp|github\\.io|de|local)\\.?(:[0-9]{1,4})?(/[a-z?=&#]{0,8})?"
    ) { check_website(&s)?; }
}
