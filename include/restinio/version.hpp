// The version of the RESTinio API this library follows.
#pragma once

#define RESTINIO_VERSION_MAKE( major, minor, patch ) ( ( major ) * 1000000ull + ( minor ) * 1000ull + ( patch ) )
#define RESTINIO_VERSION_MAJOR 0ull
#define RESTINIO_VERSION_MINOR 7ull
#define RESTINIO_VERSION_PATCH 9ull
#define RESTINIO_VERSION RESTINIO_VERSION_MAKE( RESTINIO_VERSION_MAJOR, RESTINIO_VERSION_MINOR, RESTINIO_VERSION_PATCH )
