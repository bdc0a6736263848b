//! The uniffi binding generator, built against this crate's uniffi version (`scripts/build-mobile` runs
//! it in library mode on the built `libzkit_mobile`), `kotlin-walks`, which prints the Kotlin Flow
//! extensions of the walk objects (`dev/zkit/Walks.kt`), and `kotlin-errors`, which prints the common
//! accessors of the exceptions (`dev/zkit/Errors.kt`).

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("kotlin-walks") => print!("{}", zkit_mobile::walks::kotlin()),
        Some("kotlin-errors") => print!("{}", zkit_mobile::kotlin_errors()),
        _ => uniffi::uniffi_bindgen_main(),
    }
}
