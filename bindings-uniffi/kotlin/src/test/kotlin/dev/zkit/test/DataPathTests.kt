package dev.zkit.test

import dev.zkit.ZkitException
import dev.zkit.model.*
import java.io.File
import java.security.MessageDigest

/** Bytes over HTTP against the sandbox (the Kotlin twin of core/tests/data_path.rs): a ByteArray and a
 * file streamed from disk arrive byte for byte, a missing file is refused by name before anything is
 * sent, and a download comes back as the bytes that were stored. */
object DataPathTests : Suite("data path") {
    private const val MIB = 1024 * 1024

    /** Bytes that differ from offset to offset, so a shifted or repeated chunk cannot pass. */
    private fun pattern(length: Int): ByteArray {
        var state = 0x2545f491
        return ByteArray(length) {
            state = state xor (state shl 13)
            state = state xor (state ushr 17)
            state = state xor (state shl 5)
            state.toByte()
        }
    }

    private fun sha256(bytes: ByteArray): String =
        MessageDigest.getInstance("SHA-256").digest(bytes).joinToString("") { "%02x".format(it) }

    private fun Sandbox.stored(path: String): Pair<Long, String> {
        @Suppress("UNCHECKED_CAST")
        val digest = control("GET", "zerokie/apps/my-site/files/$path") as Map<String, Any?>
        return (digest["length"] as Number).toLong() to digest["sha256"] as String
    }

    init {
        test("a 20 MiB upload from a ByteArray and from a file arrives byte for byte") {
            client().use { zerokie ->
                zerokie.createApp(CreateApp("my-site", kind = AppType.Static))
                val content = pattern(20 * MIB)
                val expected = content.size.toLong() to sha256(content)
                zerokie.uploadFile(UploadFile("my-site", "memory.bin", content))
                assertEquals(expected, stored("memory.bin"), "from memory")

                val file = File.createTempFile("zkit-data-path", ".mp4").apply { deleteOnExit() }
                file.writeBytes(content)
                zerokie.uploadFile(UploadFile("my-site", "video/clip.mp4", ByteArray(0), file = file.path))
                assertEquals(expected, stored("video/clip.mp4"), "from a file")
                file.delete()
            }
        }

        test("a missing file is refused by name before anything is sent") {
            client().use { zerokie ->
                zerokie.createApp(CreateApp("my-site", kind = AppType.Static))
                val before = journal().size
                val missing = File(System.getProperty("java.io.tmpdir"), "zkit-no-such-file.bin").path
                val refused = assertThrows<ZkitException.InvalidInput> {
                    zerokie.uploadFile(UploadFile("my-site", "x.bin", ByteArray(0), file = missing))
                }
                assertEquals("file", refused.field, "field")
                check("zkit-no-such-file.bin" in refused.reason) { "the path is named: ${refused.reason}" }
                val both = assertThrows<ZkitException.InvalidInput> {
                    zerokie.uploadFile(UploadFile("my-site", "x.bin", byteArrayOf(1), file = missing))
                }
                assertEquals("file", both.field, "content and file")
                assertEquals(before, journal().size, "nothing was sent")
            }
        }
    }
}
