//! What every test of the C ABI needs: taking a string the library returned.

use carelevel_ffi::carelevel_free;
use std::ffi::{CStr, c_char};

/// Takes a string returned by the library, freeing it.
pub fn take(ptr: *mut c_char) -> String {
    assert!(!ptr.is_null(), "the library returned a null string");
    // SAFETY: a string from this library, freed once here.
    unsafe {
        let s = CStr::from_ptr(ptr).to_str().unwrap().to_owned();
        carelevel_free(ptr);
        s
    }
}
