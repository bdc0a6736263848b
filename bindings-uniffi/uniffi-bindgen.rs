//! The uniffi binding generator, built against this crate's uniffi version: `scripts/build-mobile` runs
//! it in library mode on the built `libzkit_mobile`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
