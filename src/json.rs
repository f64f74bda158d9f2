//! Strict JSON reading: what the intake reader (and every entry point built on it) accepts.
//!
//! serde's derived structs accept a JSON array in place of an object, reading its elements
//! by field position, and `serde_json` stops at the end of the first value and ignores what
//! follows unless asked. Either would let an answer be lost or land in the wrong field, so this
//! module owns three guarantees:
//!
//! - **Objects only.** [`Strict`] wraps a deserializer and asks for a map wherever a struct is
//!   expected, so `"safety": ["none", "none", false]` is an error, not three positional answers.
//! - **No duplicate keys.** Struct fields already reject duplicates (serde derive); a map
//!   keeps the last value unless it reads through [`unique_keys`], so every map field of the
//!   intake must carry `#[serde(deserialize_with = "crate::json::unique_keys")]` (today the
//!   only one is `ratings`), and `{"d1": 4, "d1": 0}` is an error, not "last one wins".
//! - **Nothing after the document.** [`read`] checks the end of input, so a second document or
//!   trailing garbage is an error.
//!
//! Error messages from serde may quote the string the reader was given; [`redact`] and
//! [`path_of`] remove every such string before an error leaves the crate.

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};
use serde::{Deserialize, de::Error as _};
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// A JSON reading error: the dotted path (`.` for the whole document), serde_json's line and
/// column, and a message that quotes no string from the input.
pub(crate) struct ReadError {
    pub(crate) path: String,
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) message: String,
}

impl From<ReadError> for crate::IntakeError {
    fn from(e: ReadError) -> Self {
        crate::IntakeError::Json {
            path: e.path,
            line: e.line,
            column: e.column,
            message: e.message,
        }
    }
}

/// Reads one JSON document strictly into `T` (see the module docs). A leading UTF-8 byte-order
/// mark is allowed, as many Windows tools write one.
pub(crate) fn read<T: for<'de> Deserialize<'de>>(json: &str) -> Result<T, ReadError> {
    let json = json.strip_prefix('\u{feff}').unwrap_or(json);
    // The common case is a valid document: read it without tracking paths, and pay for path
    // tracking only to name the field of an error (the same reader, so the same verdict).
    let de = &mut serde_json::Deserializer::from_str(json);
    if let Ok(value) = T::deserialize(Strict(&mut *de)) {
        if de.end().is_ok() {
            return Ok(value);
        }
    }
    let de = &mut serde_json::Deserializer::from_str(json);
    let mut track = serde_path_to_error::Track::new();
    let value = T::deserialize(serde_path_to_error::Deserializer::new(
        Strict(&mut *de),
        &mut track,
    ))
    .map_err(|e| ReadError {
        path: path_of(&track.path()),
        line: e.line(),
        column: e.column(),
        message: redact(&e.to_string()),
    })?;
    de.end().map_err(|e| ReadError {
        path: ".".to_owned(),
        line: e.line(),
        column: e.column(),
        message: format!(
            "unexpected content after the end of the document at line {} column {} (one document per input)",
            e.line(),
            e.column()
        ),
    })?;
    Ok(value)
}

/// Whether a key may be shown in an error: a short lowercase identifier, like every key the
/// intake and rule packs define. Anything else may be free text (a name, a diagnosis).
pub(crate) fn is_plain_key(key: &str) -> bool {
    (1..=64).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A key as it may appear in a path: itself when plain, otherwise only its length.
pub(crate) fn shown_key(key: &str) -> String {
    if is_plain_key(key) {
        key.to_owned()
    } else {
        format!("<a key of {} characters>", key.chars().count())
    }
}

/// A key as it may appear in a sentence: quoted when plain, otherwise only its length.
pub(crate) fn quoted_key(key: &str) -> String {
    if is_plain_key(key) {
        format!("`{key}`")
    } else {
        shown_key(key)
    }
}

/// The dotted path of an error, with every key that is not plain replaced by its length.
pub(crate) fn path_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&shown_key(key));
            }
            Segment::Unknown => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push('?');
            }
        }
    }
    if out.is_empty() || out == "?" {
        ".".to_owned()
    } else {
        out
    }
}

/// Removes every string the input supplied from a serde or serde_json message, keeping what
/// was expected and where. serde quotes input in three shapes: `string "…"` (Rust-escaped,
/// for a value of the wrong type or an invalid value), and ``unknown variant `…`, expected …``
/// and ``unknown field `…`, expected …`` (unescaped: the end is found from the right, where
/// only the type's own names follow).
pub(crate) fn redact(msg: &str) -> String {
    for (prefix, what) in [
        ("unknown variant `", "unknown choice"),
        ("unknown field `", "unknown key"),
    ] {
        if let Some(body) = msg.strip_prefix(prefix) {
            let end = ["`, expected ", "`, there are no "]
                .iter()
                .filter_map(|tail| body.rfind(tail))
                .max();
            return match end {
                Some(i) => {
                    let quoted = body.get(..i).unwrap_or_default();
                    // What follows the closing backtick: the type's own names only.
                    let rest = body.get(i.saturating_add(1)..).unwrap_or_default();
                    let shown = if prefix.ends_with("field `") {
                        quoted_key(quoted)
                    } else {
                        format!("of {} characters", quoted.chars().count())
                    };
                    format!("{what} {shown}{rest}")
                }
                None => format!("{what} (not shown)"),
            };
        }
    }
    redact_quoted_strings(msg)
}

/// Replaces the body of every `string "…"` (Rust `{:?}` escaping) with its length.
fn redact_quoted_strings(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    while let Some(start) = rest.find("string \"") {
        let (head, tail) = rest.split_at(start.saturating_add("string ".len()));
        out.push_str(head);
        // `tail` starts at the opening quote; walk the escaped body to the closing quote.
        let mut chars = tail.char_indices().skip(1);
        let mut count = 0usize;
        let mut end = tail.len();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    // An escape stands for one character of the original string.
                    if let Some((_, e)) = chars.next() {
                        if e == 'u' {
                            // `\u{…}`: skip to the closing brace.
                            for (_, c) in chars.by_ref() {
                                if c == '}' {
                                    break;
                                }
                            }
                        }
                    }
                    count = count.saturating_add(1);
                }
                '"' => {
                    end = i.saturating_add(1);
                    break;
                }
                _ => count = count.saturating_add(1),
            }
        }
        out.push_str(&format!("of {count} characters"));
        rest = tail.get(end..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// Reads a map whose keys must each appear at most once (serde's maps keep the last).
///
/// # Errors
///
/// A duplicate key, naming it when it is plain (see [`shown_key`]).
pub(crate) fn unique_keys<'de, D, V>(d: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
{
    struct Unique<V>(PhantomData<V>);
    impl<'de, V: Deserialize<'de>> Visitor<'de> for Unique<V> {
        type Value = BTreeMap<String, V>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(key) = map.next_key::<String>()? {
                if out.contains_key(&key) {
                    return Err(A::Error::custom(format_args!(
                        "duplicate key {}",
                        quoted_key(&key)
                    )));
                }
                let value = map.next_value()?;
                out.insert(key, value);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Unique(PhantomData))
}

/// A deserializer that reads every struct from a JSON object only (never from an array) and
/// passes the same strictness down to every value inside.
///
/// Limits: a choice (a unit enum variant) is still accepted in serde_json's object form
/// (`{"none": null}` reads as `"none"`; no answer is lost). serde's `flatten`, `untagged` and
/// internally tagged types buffer their input before reading it, bypassing this wrapper, so
/// the intake uses none of them.
pub(crate) struct Strict<D>(pub(crate) D);

/// A visitor, seed or access object wrapped so that what it hands on stays [`Strict`].
struct Wrap<T>(T);

macro_rules! forward {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
                self.0.$method(Wrap(visitor))
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Strict<D> {
    type Error = D::Error;

    forward! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32
        deserialize_i64 deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32
        deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
        deserialize_str deserialize_string deserialize_bytes deserialize_byte_buf
        deserialize_option deserialize_unit deserialize_seq deserialize_map
        deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_unit_struct(name, Wrap(visitor))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_newtype_struct(name, Wrap(visitor))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_tuple(len, Wrap(visitor))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_tuple_struct(name, len, Wrap(visitor))
    }

    /// The point of the wrapper: a struct is read as a map, which refuses an array.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_map(Wrap(visitor))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_enum(name, variants, Wrap(visitor))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

macro_rules! visit {
    ($($method:ident: $ty:ty)*) => {
        $(
            fn $method<E: de::Error>(self, v: $ty) -> Result<Self::Value, E> {
                self.0.$method(v)
            }
        )*
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    visit! {
        visit_bool: bool visit_i8: i8 visit_i16: i16 visit_i32: i32 visit_i64: i64
        visit_i128: i128 visit_u8: u8 visit_u16: u16 visit_u32: u32 visit_u64: u64
        visit_u128: u128 visit_f32: f32 visit_f64: f64 visit_char: char visit_str: &str
        visit_borrowed_str: &'de str visit_string: String visit_bytes: &[u8]
        visit_borrowed_bytes: &'de [u8] visit_byte_buf: Vec<u8>
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.visit_some(Strict(d))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.visit_newtype_struct(Strict(d))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.0.visit_seq(Wrap(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.0.visit_map(Wrap(map))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        self.0.visit_enum(Wrap(data))
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Wrap<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(Strict(d))
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Wrap<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(Wrap(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Wrap<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(Wrap(seed))
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.0.next_value_seed(Wrap(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for Wrap<A> {
    type Error = A::Error;
    type Variant = Wrap<A::Variant>;

    fn variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, Self::Variant), A::Error> {
        self.0
            .variant_seed(Wrap(seed))
            .map(|(value, variant)| (value, Wrap(variant)))
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Wrap<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.0.newtype_variant_seed(Wrap(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, Wrap(visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        // A struct variant's fields are an object too (never positional).
        self.0.newtype_variant_seed(StructOf(Wrap(visitor)))
    }
}

/// Reads a struct variant's body through [`Strict`], so it too must be an object.
struct StructOf<V>(V);

impl<'de, V: Visitor<'de>> DeserializeSeed<'de> for StructOf<V> {
    type Value = V::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Strict(d).deserialize_map(self.0)
    }
}
