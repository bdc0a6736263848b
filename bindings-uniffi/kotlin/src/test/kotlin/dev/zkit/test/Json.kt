package dev.zkit.test

/**
 * A small JSON reader and writer for the tests (Kotlin's standard library has none): objects read as
 * `Map<String, Any?>` in document order, arrays as `List<Any?>`, integers as `Long`, other numbers as
 * `Double`, and `true`/`false`/`null` as themselves.
 */
object Json {
    fun parse(text: String): Any? {
        val reader = Reader(text)
        reader.skipSpace()
        val value = reader.value()
        reader.skipSpace()
        if (!reader.atEnd()) reader.fail("unexpected trailing characters")
        return value
    }

    fun write(value: Any?): String = StringBuilder().also { write(value, it) }.toString()

    private fun write(value: Any?, out: StringBuilder) {
        when (value) {
            null -> out.append("null")
            is Boolean -> out.append(value)
            is Int, is Long, is Short, is Byte -> out.append(value)
            is UInt, is ULong, is UShort -> out.append(value)
            is Double -> if (value == Math.floor(value) && !value.isInfinite() && Math.abs(value) < 1e15) out.append(value.toLong()) else out.append(value)
            is Float -> write(value.toDouble(), out)
            is String -> string(value, out)
            is Map<*, *> -> {
                out.append('{')
                value.entries.forEachIndexed { index, (key, item) ->
                    if (index > 0) out.append(',')
                    string(key as String, out)
                    out.append(':')
                    write(item, out)
                }
                out.append('}')
            }
            is Iterable<*> -> {
                out.append('[')
                value.forEachIndexed { index, item ->
                    if (index > 0) out.append(',')
                    write(item, out)
                }
                out.append(']')
            }
            else -> throw IllegalArgumentException("cannot write ${value::class} as JSON")
        }
    }

    private fun string(value: String, out: StringBuilder) {
        out.append('"')
        for (c in value) {
            when {
                c == '"' -> out.append("\\\"")
                c == '\\' -> out.append("\\\\")
                c == '\n' -> out.append("\\n")
                c == '\r' -> out.append("\\r")
                c == '\t' -> out.append("\\t")
                c < ' ' -> out.append("\\u%04x".format(c.code))
                else -> out.append(c)
            }
        }
        out.append('"')
    }

    private class Reader(private val text: String) {
        private var at = 0

        fun atEnd() = at >= text.length

        fun fail(why: String): Nothing = throw IllegalArgumentException("invalid JSON at $at: $why")

        fun skipSpace() {
            while (at < text.length && text[at] in " \t\r\n") at++
        }

        private fun expect(c: Char) {
            if (at >= text.length || text[at] != c) fail("expected '$c'")
            at++
        }

        private fun literal(word: String, value: Any?): Any? {
            if (!text.startsWith(word, at)) fail("expected $word")
            at += word.length
            return value
        }

        fun value(): Any? {
            if (atEnd()) fail("unexpected end")
            return when (text[at]) {
                '{' -> obj()
                '[' -> array()
                '"' -> string()
                't' -> literal("true", true)
                'f' -> literal("false", false)
                'n' -> literal("null", null)
                else -> number()
            }
        }

        private fun obj(): Map<String, Any?> {
            expect('{')
            val map = LinkedHashMap<String, Any?>()
            skipSpace()
            if (text.getOrNull(at) == '}') return map.also { at++ }
            while (true) {
                skipSpace()
                val key = string()
                skipSpace()
                expect(':')
                skipSpace()
                map[key] = value()
                skipSpace()
                if (text.getOrNull(at) == ',') { at++; continue }
                expect('}')
                return map
            }
        }

        private fun array(): List<Any?> {
            expect('[')
            val list = ArrayList<Any?>()
            skipSpace()
            if (text.getOrNull(at) == ']') return list.also { at++ }
            while (true) {
                skipSpace()
                list += value()
                skipSpace()
                if (text.getOrNull(at) == ',') { at++; continue }
                expect(']')
                return list
            }
        }

        private fun string(): String {
            expect('"')
            val out = StringBuilder()
            while (true) {
                if (atEnd()) fail("unterminated string")
                when (val c = text[at++]) {
                    '"' -> return out.toString()
                    '\\' -> {
                        if (atEnd()) fail("unterminated escape")
                        when (val e = text[at++]) {
                            '"', '\\', '/' -> out.append(e)
                            'b' -> out.append('\b')
                            'f' -> out.append('\u000c')
                            'n' -> out.append('\n')
                            'r' -> out.append('\r')
                            't' -> out.append('\t')
                            'u' -> {
                                if (at + 4 > text.length) fail("short \\u escape")
                                out.append(text.substring(at, at + 4).toInt(16).toChar())
                                at += 4
                            }
                            else -> fail("unknown escape \\$e")
                        }
                    }
                    else -> out.append(c)
                }
            }
        }

        private fun number(): Any {
            val start = at
            if (text.getOrNull(at) == '-') at++
            while (at < text.length && (text[at].isDigit() || text[at] in ".eE+-")) at++
            val token = text.substring(start, at)
            if (token.isEmpty() || token == "-") fail("unexpected character '${text.getOrNull(start)}'")
            val integral = token.none { it in ".eE" }
            return (if (integral) token.toLongOrNull() else null) ?: token.toDoubleOrNull() ?: fail("bad number $token")
        }
    }
}

/** The value at `key` of a JSON object. */
@Suppress("UNCHECKED_CAST")
operator fun Any?.get(key: String): Any? = (this as? Map<String, Any?>)?.get(key)

/**
 * Whether `actual` matches `expected`, as tests/scenarios/README.md says: objects by the expected keys
 * (extra keys allowed), arrays by length and element, numbers by value, anything else by equality
 * (a boolean never equals a number).
 */
fun matches(expected: Any?, actual: Any?): Boolean = when (expected) {
    is Map<*, *> -> actual is Map<*, *> && expected.all { (key, value) -> actual.containsKey(key) && matches(value, actual[key]) }
    is List<*> -> actual is List<*> && expected.size == actual.size && expected.indices.all { matches(expected[it], actual[it]) }
    is Boolean -> actual is Boolean && expected == actual
    is Number -> actual is Number && expected.toDouble() == actual.toDouble()
    else -> expected == actual
}
