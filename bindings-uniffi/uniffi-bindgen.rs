//! The uniffi binding generator, built against this crate's uniffi version (`scripts/build-mobile` runs
//! it in library mode on the built `libzkit_mobile`), and `kotlin-walks`, which prints the Kotlin Flow
//! extensions of the walk objects (`dev/zkit/Walks.kt`).

fn main() {
    if std::env::args().nth(1).as_deref() == Some("kotlin-walks") {
        print!("{}", zkit_mobile::walks::kotlin());
        return;
    }
    uniffi::uniffi_bindgen_main()
}
