package dev.zkit

import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow

/**
 * The pages of a walk as a cold [Flow]: each page is fetched when the collector reaches it, and the
 * flow ends after the last one. Each walk object's generated `pages()` (Walks.kt) is this over its `nextPage`.
 */
fun <P : Any> pageFlow(nextPage: suspend () -> P?): Flow<P> = flow {
    while (true) emit(nextPage() ?: break)
}

/**
 * The items of every page of a walk as a cold [Flow], fetched a page at a time:
 * each walk object's generated `items()` (Walks.kt) is this over its `nextPage`.
 */
fun <P : Any, T> itemFlow(nextPage: suspend () -> P?, items: (P) -> List<T>): Flow<T> = flow {
    while (true) {
        val page = nextPage() ?: break
        items(page).forEach { emit(it) }
    }
}
