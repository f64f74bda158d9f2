//! The shared library's SONAME carries the ABI version (`CARELEVEL_ABI_VERSION` in
//! `include/carelevel.h`), so a loader never pairs a caller with an incompatible library.

/// Keep equal to `CARELEVEL_ABI_VERSION` in `include/carelevel.h` (a test checks).
const ABI_VERSION: u32 = 2;

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libcarelevel_ffi.so.{ABI_VERSION}");
    }
    println!("cargo:rustc-env=CARELEVEL_ABI_VERSION={ABI_VERSION}");
    println!("cargo:rerun-if-changed=build.rs");
}
