// TEST_SUPPORT_REPLACES_NEW: 1 where a test binary may replace the global operator new and
// delete, 0 under ThreadSanitizer, whose runtime defines them itself (a second definition does
// not link); tests that need the replacement then skip what depends on it.
#pragma once

#if defined( __SANITIZE_THREAD__ )
#define TEST_SUPPORT_REPLACES_NEW 0
#elif defined( __has_feature )
#if __has_feature( thread_sanitizer )
#define TEST_SUPPORT_REPLACES_NEW 0
#endif
#endif
#if !defined( TEST_SUPPORT_REPLACES_NEW )
#define TEST_SUPPORT_REPLACES_NEW 1
#endif
