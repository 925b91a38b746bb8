// RESTinio 0.6's umbrella header name; the same as restinio/core.hpp.
#pragma once

#include <restinio/core.hpp>
