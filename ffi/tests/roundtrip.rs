//! JSON through the C ABI equals JSON from the Rust API, and no input crashes it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

use carelevel_ffi::*;
use std::ffi::{CStr, CString};

fn call(pack: *const CarelevelPack, input: &[u8]) -> String {
    let c = CString::new(
        input
            .iter()
            .copied()
            .filter(|b| *b != 0)
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    // SAFETY: a live pack and a valid C string; the result is freed below.
    unsafe {
        let out = carelevel_assess(pack, c.as_ptr());
        let s = CStr::from_ptr(out).to_str().unwrap().to_owned();
        carelevel_free(out);
        s
    }
}

#[test]
fn c_abi_matches_the_rust_api() {
    let pack = carelevel_pack_builtin();
    let rust = carelevel::RulePack::builtin();
    for entry in
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/intakes")).unwrap()
    {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let got = call(pack, text.as_bytes());
        match rust.assess_json(&text) {
            Ok(json) => assert_eq!(got, format!("{{\"ok\":{json}}}")),
            Err(e) => {
                let v: serde_json::Value = serde_json::from_str(&got).unwrap();
                assert_eq!(v["error"]["message"], e.to_string());
            }
        }
    }
    // SAFETY: freed once.
    unsafe { carelevel_pack_free(pack) };
}

#[test]
fn arbitrary_bytes_give_json_errors_never_crashes() {
    let pack = carelevel_pack_builtin();
    let mut seed = 0x5EEDu64;
    for len in 0..2000usize {
        let bytes: Vec<u8> = (0..len % 97)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (seed >> 33) as u8
            })
            .collect();
        let out = call(pack, &bytes);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert!(v.get("error").is_some() || v.get("ok").is_some());
        if let Some(error) = v.get("error") {
            let problems = error["problems"].as_array();
            assert!(problems.is_some_and(|p| !p.is_empty()), "{out}");
        }
    }
    // SAFETY: freed once; null is ignored.
    unsafe {
        carelevel_pack_free(pack);
        carelevel_pack_free(std::ptr::null_mut());
        carelevel_free(std::ptr::null_mut());
    }
}
