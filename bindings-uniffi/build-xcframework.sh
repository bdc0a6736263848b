#!/usr/bin/env bash
# Builds bindings-uniffi/swift/ZkitMobile.xcframework, the native half of the Swift package, on a Mac
# with Xcode: libzkit_mobile.a (profile dist-small) for iOS devices (arm64), the iOS simulator (arm64 and
# x86_64, merged with lipo) and macOS (arm64 and x86_64, merged), each with bindings-uniffi/swift/Headers
# (the generated C headers and the module.modulemap of the C module ZkitFFI over both) as its headers.
#
#   bindings-uniffi/build-xcframework.sh          # then: cd bindings-uniffi/swift && swift build
#
# It first checks that the committed Swift sources and headers match what uniffi-bindgen generates
# from the library just built (scripts/build-mobile refreshes them).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
swift=$root/bindings-uniffi/swift

if [[ "$(uname -s)" != Darwin ]] || ! command -v xcodebuild >/dev/null; then
  echo "build-xcframework.sh needs macOS with Xcode (xcodebuild, lipo); on Linux, scripts/build-mobile" >&2
  echo "generates the Swift sources, and Android is built with cargo ndk (bindings-uniffi/README.md)" >&2
  exit 1
fi

# The deployment targets of Package.swift.
export IPHONEOS_DEPLOYMENT_TARGET=15.0
export MACOSX_DEPLOYMENT_TARGET=12.0

ios=aarch64-apple-ios
simulators=(aarch64-apple-ios-sim x86_64-apple-ios)
macs=(aarch64-apple-darwin x86_64-apple-darwin)
rustup target add "$ios" "${simulators[@]}" "${macs[@]}"
for target in "$ios" "${simulators[@]}" "${macs[@]}"; do
  echo "--- libzkit_mobile.a for $target"
  cargo build --locked --profile dist-small -p zkit-uniffi --lib --target "$target"
done
lib() { echo "$root/target/$1/dist-small/libzkit_mobile.a"; }

echo "--- the committed Swift sources and headers are current"
generated=$(mktemp -d)
trap 'rm -rf "$generated"' EXIT
cargo run --locked --quiet --release -p zkit-uniffi --bin uniffi-bindgen -- \
  generate --no-format --library "$(lib aarch64-apple-darwin)" --language swift --out-dir "$generated/swift" >/dev/null
stale=false
# The committed files start with one line naming scripts/build-mobile, which uniffi does not write.
for f in Zkit.swift ZkitModel.swift; do cmp -s "$generated/swift/$f" <(tail -n +2 "$swift/Sources/Zkit/$f") || stale=true; done
for f in zkitFFI.h zkitModelFFI.h; do cmp -s "$generated/swift/$f" <(tail -n +2 "$swift/Headers/$f") || stale=true; done
# module.modulemap is written by scripts/build-mobile (one module, ZkitFFI, over both headers).
if $stale; then
  echo "the generated Swift sources are stale: run scripts/build-mobile and commit them" >&2
  exit 1
fi

echo "--- fat libraries for the simulator and macOS"
mkdir -p "$generated/ios-simulator" "$generated/macos"
lipo -create $(for t in "${simulators[@]}"; do lib "$t"; done) -output "$generated/ios-simulator/libzkit_mobile.a"
lipo -create $(for t in "${macs[@]}"; do lib "$t"; done) -output "$generated/macos/libzkit_mobile.a"

echo "--- ZkitMobile.xcframework"
rm -rf "$swift/ZkitMobile.xcframework"
xcodebuild -create-xcframework \
  -library "$(lib "$ios")" -headers "$swift/Headers" \
  -library "$generated/ios-simulator/libzkit_mobile.a" -headers "$swift/Headers" \
  -library "$generated/macos/libzkit_mobile.a" -headers "$swift/Headers" \
  -output "$swift/ZkitMobile.xcframework"
for slice in "$swift"/ZkitMobile.xcframework/*/libzkit_mobile.a; do
  printf '%s: %s bytes\n' "${slice#"$swift"/}" "$(stat -f %z "$slice")"
done
echo "done: cd bindings-uniffi/swift && swift build   (swift test needs a sandbox at ZKIT_SANDBOX_URL)"
